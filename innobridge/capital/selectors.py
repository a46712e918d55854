"""Reads of investor profiles, filtered by what the user may see (core.access)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from innobridge.capital.models import InvestmentStage, InvestorProfile
from innobridge.core.access import investor_editable_q, investor_visible_q
from innobridge.core.choices import TechField
from innobridge.core.errors import NotFound
from innobridge.core.listing import ListSpec, apply_list_params


def _json_member(value: str) -> str:
    """Filter a JSON list column by one member, portable across SQLite and PostgreSQL."""
    return f'"{value}"'


INVESTOR_LIST = ListSpec(
    search_fields=("organization__name", "description", "products"),
    filters={
        "kind": ("kind", InvestorProfile.Kind.values),
        "field": (
            "preferred_fields__icontains",
            lambda v: _json_member(v) if v in TechField.values else _raise(v),
        ),
        "stage": (
            "preferred_stages__icontains",
            lambda v: _json_member(v) if v in InvestmentStage.values else _raise(v),
        ),
    },
    order_by=("organization__name", "pk"),
)


def _raise(value: str) -> str:
    raise ValueError(value)


def investor_list_for(
    *, user: Any, params: Mapping[str, Any] | None = None
) -> QuerySet[InvestorProfile]:
    queryset = InvestorProfile.objects.filter(investor_visible_q(user)).select_related(
        "organization"
    )
    return apply_list_params(queryset, INVESTOR_LIST, params or {})


def investor_get_for(*, user: Any, pk: int) -> InvestorProfile:
    profile = (
        InvestorProfile.objects.filter(investor_visible_q(user), pk=pk)
        .select_related("organization")
        .first()
    )
    if profile is None:
        raise NotFound(_("未找到该投资机构，或您无权查看。"))
    return profile


def investor_can_edit(*, user: Any, profile: InvestorProfile) -> bool:
    return InvestorProfile.objects.filter(investor_editable_q(user), pk=profile.pk).exists()
