"""Investor profile form: preferences as checkboxes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from innobridge.capital.models import InvestmentStage, InvestorProfile
from innobridge.core.choices import TechField


class InvestorProfileForm(forms.ModelForm[InvestorProfile]):
    preferred_fields = forms.MultipleChoiceField(
        label=_("关注领域"),
        choices=TechField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_stages = forms.MultipleChoiceField(
        label=_("投资阶段"),
        choices=InvestmentStage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = InvestorProfile
        fields = [
            "organization", "kind", "preferred_fields", "preferred_stages", "ticket_min",
            "ticket_max", "products", "description",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organization"]
