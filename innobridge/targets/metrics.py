"""Every formula a target can use: a named query over the platform's records for one year.

A metric returns the records behind the number (so every figure drills down to its list), says
which of their fields hold the date (for the monthly trend), the district and the technology field
(for the breakdowns), and how to show one record in the drill-down list. Value = how many records.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Row:
    title: str
    owner: str
    date: datetime.date | None
    url: str


@dataclass(frozen=True)
class Metric:
    label: Any
    records: Callable[[int, dict[str, Any]], QuerySet[Any]]
    row: Callable[[Any], Row]
    date_field: str | None  # None: a stock figure (no monthly trend)
    district_field: str
    field_field: str


def _org_row(org: Any, date: datetime.date | None = None) -> Row:
    return Row(
        org.name, org.get_district_display(), date, reverse("orgs:detail", kwargs={"pk": org.pk})
    )


def _project_row(project: Any, date: datetime.date | None = None) -> Row:
    return Row(project.title, project.owner.name, date, reverse("projects:detail", kwargs={"pk": project.pk}))  # fmt: skip


def certified_enterprises(year: int, params: dict[str, Any]) -> QuerySet[Any]:
    from innobridge.orgs.models import Organization

    code = params["certificate"]
    return Organization.objects.filter(cultivation__certificates__icontains=f'"{code}"').order_by("name")  # fmt: skip


def call_selected(year: int, params: dict[str, Any]) -> QuerySet[Any]:
    from innobridge.review.models import ReviewItem

    return (
        ReviewItem.objects.filter(
            decision=ReviewItem.Decision.SELECT, round__call__year=year,
            round__call__title__icontains=params.get("call_contains", ""),
        )
        .select_related("submission__project__owner")
        .order_by("-decided", "pk")
    )  # fmt: skip


def funded_projects(year: int, params: dict[str, Any]) -> QuerySet[Any]:
    from innobridge.projects.models import TechProject

    return (
        TechProject.objects.filter(tranches__source=params["source"], tranches__date__year=year)
        .annotate(first_paid=Min("tranches__date", filter=Q(tranches__source=params["source"])))
        .select_related("owner")
        .order_by("first_paid", "pk")
        .distinct()
    )


def joint_labs_founded(year: int, params: dict[str, Any]) -> QuerySet[Any]:
    from innobridge.orgs.models import JointLab

    return (
        JointLab.objects.filter(founded__year=year).select_related("lead").order_by("founded", "pk")
    )


def roster(year: int, params: dict[str, Any]) -> QuerySet[Any]:
    from innobridge.cultivation.models import TierEvaluation

    return (
        TierEvaluation.objects.filter(year=year, rosters__icontains=f'"{params["roster"]}"')
        .select_related("organization")
        .order_by("organization__name")
    )


def cohort(year: int, params: dict[str, Any]) -> QuerySet[Any]:
    from innobridge.cultivation.models import CohortMember

    return (
        CohortMember.objects.filter(roster=params["roster"], cohort_year=year)
        .select_related("organization")
        .order_by("added", "pk")
    )


def listed_scenarios(year: int, params: dict[str, Any]) -> QuerySet[Any]:
    from innobridge.demands.models import ScenarioDemand

    return (
        ScenarioDemand.objects.filter(
            list_items__demand_list__year=year, list_items__demand_list__published=True,
            demand_type=ScenarioDemand.Type.SCENARIO,
        )
        .annotate(listed=Min("list_items__demand_list__published_at"))
        .select_related("owner")
        .order_by("listed", "pk")
        .distinct()
    )  # fmt: skip


def landmark_outcomes(year: int, params: dict[str, Any]) -> QuerySet[Any]:
    from innobridge.projects.models import TransformationOutcome

    return (
        TransformationOutcome.objects.filter(
            date__year=year, amount__gte=params.get("min_amount", 0)
        )
        .select_related("project__owner")
        .order_by("date", "pk")
    )


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value  # type: ignore[no-any-return]


METRICS: dict[str, Metric] = {
    "certified_enterprises": Metric(
        _("持证企业"), certified_enterprises, lambda o: _org_row(o), None, "district", "field"
    ),  # fmt: skip
    "call_selected": Metric(
        _("征集入选项目"),
        call_selected,
        lambda i: _project_row(i.submission.project, _date(i.decided)),
        "decided",
        "submission__project__owner__district",
        "submission__project__field",
    ),  # fmt: skip
    "funded_projects": Metric(
        _("获资助项目"),
        funded_projects,
        lambda p: _project_row(p, p.first_paid),
        "first_paid",
        "owner__district",
        "field",
    ),  # fmt: skip
    "joint_labs_founded": Metric(
        _("新建联合实验室"),
        joint_labs_founded,
        lambda lab: Row(
            lab.name, lab.lead.name, lab.founded, reverse("orgs:lab_detail", kwargs={"pk": lab.pk})
        ),
        "founded",
        "lead__district",
        "field",
    ),  # fmt: skip
    "roster": Metric(
        _("入选名录企业"),
        roster,
        lambda e: _org_row(e.organization),
        None,
        "organization__district",
        "organization__field",
    ),  # fmt: skip
    "cohort": Metric(
        _("培育计划入选企业"),
        cohort,
        lambda c: _org_row(c.organization, _date(c.added)),
        None,  # the cohort year, not the day of entry, is what counts
        "organization__district",
        "organization__field",
    ),  # fmt: skip
    "listed_scenarios": Metric(
        _("清单发布的场景"),
        listed_scenarios,
        lambda d: Row(
            d.title, d.owner.name, _date(d.listed), reverse("demands:detail", kwargs={"pk": d.pk})
        ),
        "listed",
        "district",
        "field",
    ),  # fmt: skip
    "landmark_outcomes": Metric(
        _("重大转化成果"),
        landmark_outcomes,
        lambda o: _project_row(o.project, o.date),
        "date",
        "project__owner__district",
        "project__field",
    ),  # fmt: skip
}
