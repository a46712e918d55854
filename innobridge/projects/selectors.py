"""Reads of technology projects, always filtered by what the user may see (core.access)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from innobridge.core.access import owned_record_editable_q, project_visible_q
from innobridge.core.choices import TechField, Visibility
from innobridge.core.errors import NotFound
from innobridge.core.listing import ListSpec, apply_list_params, positive_int
from innobridge.projects.models import TechProject

PROJECT_LIST = ListSpec(
    search_fields=("title", "summary", "keywords", "owner__name", "leader"),
    filters={
        "field": ("field", TechField.values),
        "stage": ("stage", TechProject.Stage.values),
        "kind": ("kind", TechProject.Kind.values),
        "visibility": ("visibility", Visibility.values),
        "trl_min": ("trl__gte", positive_int),
        "owner": ("owner_id", positive_int),
    },
    order_by=("-created", "-pk"),
)


def project_list_for(
    *, user: Any, params: Mapping[str, Any] | None = None
) -> QuerySet[TechProject]:
    params = params or {}
    base = TechProject.objects.filter(project_visible_q(user)).select_related("owner")
    queryset = apply_list_params(base, PROJECT_LIST, params)
    text = str(params.get("q") or "").strip()
    if text:
        from innobridge.core.matching import rank_by_relevance

        others = {key: value for key, value in params.items() if key != "q"}
        queryset = rank_by_relevance(
            "projects",
            text,
            queryset,
            apply_list_params(base, PROJECT_LIST, others),
            PROJECT_LIST.search_fields,
            filtered=PROJECT_LIST.filtering(others),
        )
    return queryset


def project_get_for(*, user: Any, pk: int, related: bool = True) -> TechProject:
    """The project if the user may see it; ``related=False`` leaves its owner and manager unread
    (a match panel needs the project's own text only)."""
    found = TechProject.objects.filter(project_visible_q(user), pk=pk)
    project = (found.select_related("owner", "manager") if related else found).first()
    if project is None:
        raise NotFound(_("未找到该技术项目，或您无权查看。"))
    return project


def project_can_edit(*, user: Any, project: TechProject) -> bool:
    return TechProject.objects.filter(owned_record_editable_q(user), pk=project.pk).exists()
