"""Reads of scenario demands, filtered by what the user may see (core.access)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from innobridge.core.access import demand_visible_q, owned_record_editable_q
from innobridge.core.choices import District, TechField, Visibility
from innobridge.core.errors import NotFound
from innobridge.core.listing import ListSpec, apply_list_params, positive_int
from innobridge.demands.models import ScenarioDemand

DEMAND_LIST = ListSpec(
    search_fields=("title", "description", "keywords", "owner__name"),
    filters={
        "field": ("field", TechField.values),
        "type": ("demand_type", ScenarioDemand.Type.values),
        "status": ("status", ScenarioDemand.Status.values),
        "district": ("district", District.values),
        "visibility": ("visibility", Visibility.values),
        "owner": ("owner_id", positive_int),
    },
    order_by=("-created", "-pk"),
)


def demand_list_for(
    *, user: Any, params: Mapping[str, Any] | None = None
) -> QuerySet[ScenarioDemand]:
    params = params or {}
    base = ScenarioDemand.objects.filter(demand_visible_q(user)).select_related("owner")
    queryset = apply_list_params(base, DEMAND_LIST, params)
    text = str(params.get("q") or "").strip()
    if text:
        from innobridge.core.matching import rank_by_relevance

        others = {key: value for key, value in params.items() if key != "q"}
        queryset = rank_by_relevance(
            "demands",
            text,
            queryset,
            apply_list_params(base, DEMAND_LIST, others),
            DEMAND_LIST.search_fields,
            filtered=DEMAND_LIST.filtering(others),
        )
    return queryset


def demand_get_for(*, user: Any, pk: int, related: bool = True) -> ScenarioDemand:
    """The demand if the user may see it; ``related=False`` leaves its owner and manager unread
    (a match panel needs the demand's own text only)."""
    found = ScenarioDemand.objects.filter(demand_visible_q(user), pk=pk)
    demand = (found.select_related("owner", "manager") if related else found).first()
    if demand is None:
        raise NotFound(_("未找到该需求，或您无权查看。"))
    return demand


def demand_can_edit(*, user: Any, demand: ScenarioDemand) -> bool:
    return ScenarioDemand.objects.filter(owned_record_editable_q(user), pk=demand.pk).exists()


def demand_rejected_matches_for(*, user: Any, demand: ScenarioDemand) -> list[Any]:
    """Suggestions marked 不合适 for this demand, among the projects the user may see."""
    from innobridge.demands.models import MatchFeedback
    from innobridge.projects.selectors import project_list_for

    visible = project_list_for(user=user).values("pk")
    return list(
        MatchFeedback.objects.filter(
            demand=demand, decision=MatchFeedback.Decision.REJECTED, project__in=visible
        ).select_related("project", "decided_by")
    )
