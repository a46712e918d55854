"""Reads of organizations, people and joint labs, filtered by what the user may see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from innobridge.core.access import (
    joint_lab_visible_q,
    organization_editable_q,
    organization_visible_q,
    person_visible_q,
)
from innobridge.core.choices import District, TechField
from innobridge.core.errors import NotFound
from innobridge.core.listing import ListSpec, apply_list_params
from innobridge.orgs.models import JointLab, JointLabMember, Organization, Person

ORGANIZATION_LIST = ListSpec(
    search_fields=("name", "short_name", "uscc", "description"),
    filters={
        "kind": ("kind", Organization.Kind.values),
        "district": ("district", District.values),
        "field": ("field", TechField.values),
        "size": ("size", Organization.Size.values),
    },
    order_by=("name", "pk"),
)

LAB_LIST = ListSpec(
    search_fields=("name", "description", "achievements", "lead__name"),
    filters={"field": ("field", TechField.values)},
    order_by=("name", "pk"),
)


def organization_list_for(
    *, user: Any, params: Mapping[str, Any] | None = None
) -> QuerySet[Organization]:
    queryset = Organization.objects.filter(organization_visible_q(user))
    return apply_list_params(queryset, ORGANIZATION_LIST, params or {})


def organization_get_for(*, user: Any, pk: int) -> Organization:
    organization = Organization.objects.filter(organization_visible_q(user), pk=pk).first()
    if organization is None:
        raise NotFound(_("未找到该单位，或您无权查看。"))
    return organization


def organization_can_edit(*, user: Any, organization: Organization) -> bool:
    return Organization.objects.filter(organization_editable_q(user), pk=organization.pk).exists()


def people_of_organization_for(*, user: Any, organization: Organization) -> QuerySet[Person]:
    return (
        Person.objects.filter(person_visible_q(user))
        .filter(memberships__organization=organization)
        .distinct()
        .order_by("name", "pk")
    )


def joint_lab_list_for(*, user: Any, params: Mapping[str, Any] | None = None) -> QuerySet[JointLab]:
    queryset = (
        JointLab.objects.filter(joint_lab_visible_q(user))
        .select_related("lead")
        .annotate(member_count=Count("memberships"))
    )
    return apply_list_params(queryset, LAB_LIST, params or {})


def joint_lab_get_for(*, user: Any, pk: int) -> JointLab:
    lab = (
        JointLab.objects.filter(joint_lab_visible_q(user), pk=pk)
        .select_related("lead")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=JointLabMember.objects.select_related("organization").order_by(
                    "role", "organization__name"
                ),
            )
        )
        .first()
    )
    if lab is None:
        raise NotFound(_("未找到该联合实验室。"))
    return lab


def joint_lab_projects_for(*, user: Any, lab: Any, limit: int = 20) -> list[Any]:
    """The lab's projects: its member units' projects in its field, as far as the user may see."""
    from innobridge.core.access import project_visible_q
    from innobridge.projects.models import TechProject

    members = lab.memberships.values("organization_id")
    return list(
        TechProject.objects.filter(project_visible_q(user), owner_id__in=members, field=lab.field)
        .select_related("owner")
        .order_by("-updated", "-pk")[:limit]
    )
