"""Organization forms: staff edit everything, an organization's members its profile."""

from __future__ import annotations

from typing import Any

from django import forms

from innobridge.core.roles import is_staff_role
from innobridge.orgs.models import Organization
from innobridge.orgs.services import SELF_EDITABLE


class OrganizationForm(forms.ModelForm[Organization]):
    class Meta:
        model = Organization
        fields = [
            "name", "short_name", "kind", "uscc", "district", "field", "founded", "size",
            "description",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "founded": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_staff_role(user):
            for name in set(self.fields) - SELF_EDITABLE:
                del self.fields[name]
