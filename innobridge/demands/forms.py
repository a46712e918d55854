"""The demand form; which fields show depends on the role (core.ownership)."""

from __future__ import annotations

from typing import Any

from django import forms

from innobridge.core.ownership import restricted_fields
from innobridge.demands.models import ScenarioDemand
from innobridge.projects.forms import owner_choices


class ScenarioDemandForm(forms.ModelForm[ScenarioDemand]):
    class Meta:
        model = ScenarioDemand
        fields = [
            "title", "owner", "demand_type", "field", "required_trl", "budget", "deadline",
            "district", "keywords", "description", "contact_name", "contact_phone",
            "status", "visibility", "prize", "eligibility", "terms",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
            "terms": forms.Textarea(attrs={"rows": 3}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (restricted_fields(user) - {"owner"}) & set(self.fields):
            del self.fields[name]
        if self.instance.pk and "status" in self.fields:
            del self.fields["status"]  # after creation the status moves only by lifecycle actions
        if "owner" in self.fields:
            self.fields["owner"].queryset = owner_choices(user)  # type: ignore[attr-defined]
