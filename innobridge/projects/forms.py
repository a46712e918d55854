"""The project form; which fields show depends on the role (core.ownership)."""

from __future__ import annotations

from typing import Any

from django import forms

from innobridge.core.ownership import restricted_fields
from innobridge.core.roles import Role, org_ids_of, roles_of
from innobridge.orgs.models import Organization
from innobridge.projects.models import TechProject


def owner_choices(user: Any) -> Any:
    organizations = Organization.objects.order_by("name")
    if roles_of(user) & {Role.STAFF, Role.MANAGER}:
        return organizations
    return organizations.filter(pk__in=org_ids_of(user))


class TechProjectForm(forms.ModelForm[TechProject]):
    class Meta:
        model = TechProject
        fields = [
            "title", "owner", "kind", "field", "trl", "leader", "keywords", "summary",
            "stage", "visibility",
        ]  # fmt: skip
        widgets = {"summary": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (restricted_fields(user) - {"owner"}) & set(self.fields):
            del self.fields[name]
        if self.instance.pk and "stage" in self.fields:
            del self.fields["stage"]  # moves only through the pipeline's transitions
        if "owner" in self.fields:
            self.fields["owner"].queryset = owner_choices(user)  # type: ignore[attr-defined]
