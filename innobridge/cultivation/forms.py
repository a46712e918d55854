"""Forms for one year's figures and an enterprise's cultivation profile (staff)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from innobridge.cultivation.models import Certificate, EnterpriseProfile, EnterpriseYearRecord
from innobridge.cultivation.tiers.metrics import YEAR_FIELDS

TRISTATE = [("", _("未知")), ("true", _("是")), ("false", _("否"))]


class YearRecordForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = EnterpriseYearRecord
        fields = list(YEAR_FIELDS)


class TriStateField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        for key in ("required", "choices", "coerce", "empty_value", "max_length"):
            kwargs.pop(key, None)
        super().__init__(
            choices=TRISTATE,
            coerce=lambda value: {"true": True, "false": False}.get(value),
            empty_value=None,
            required=False,
            **kwargs,
        )


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    certificates = forms.MultipleChoiceField(
        label=_("资质"),
        choices=Certificate.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = EnterpriseProfile
        fields = [
            "registered_in_wuhan", "listed", "certificates", "awards", "major_incident",
            "dishonest", "abnormal", "innovation_expert_score", "niche_share", "own_brand",
        ]  # fmt: skip
        field_classes = {
            name: TriStateField
            for name in (
                "registered_in_wuhan",
                "listed",
                "major_incident",
                "dishonest",
                "abnormal",
                "own_brand",
            )  # fmt: skip
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("registered_in_wuhan", "listed", "major_incident", "dishonest", "abnormal", "own_brand"):  # fmt: skip
            field = self.fields[name]
            field.label = getattr(EnterpriseProfile._meta.get_field(name), "verbose_name", name)
            value = getattr(self.instance, name, None)
            self.initial[name] = "" if value is None else ("true" if value else "false")
