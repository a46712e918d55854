"""Reads for cultivation pages and the API, filtered by who may see enterprise figures.

Ladder, programme lists, rosters and the watchlist read the stored evaluations; before reading a
year they make sure every evaluation of that year was made with the current rules file.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from innobridge.core.access import cultivation_visible
from innobridge.core.errors import AccessDenied, NotFound
from innobridge.core.roles import is_staff_role
from innobridge.cultivation import services
from innobridge.cultivation.models import (
    CohortMember,
    EnterpriseProfile,
    EnterpriseYearRecord,
    TierEvaluation,
)
from innobridge.cultivation.rules_files import engine_for
from innobridge.cultivation.tiers.rules import Rules
from innobridge.orgs.models import Organization


def english() -> bool:
    return (translation.get_language() or "").startswith("en")


def label(item: Any) -> str:
    """A rules-file label in the page language (``label``/``label_en``, or a tier's key)."""
    if english():
        return str(getattr(item, "label_en", "") or getattr(item, "key", ""))
    return str(getattr(item, "label", "") or getattr(item, "key", ""))


def require_staff(user: Any) -> None:
    if not is_staff_role(user):
        raise AccessDenied(_("企业培育数据仅限科创局工作人员查看。"))


def enterprise_get_for(*, user: Any, pk: int) -> Organization:
    organization = Organization.objects.filter(pk=pk, kind=Organization.Kind.ENTERPRISE).first()
    if organization is None or not cultivation_visible(user, organization.pk):
        raise NotFound(_("未找到该企业，或您无权查看其培育数据。"))
    return organization


def years_available() -> list[int]:
    years = sorted(set(TierEvaluation.objects.values_list("year", flat=True).distinct()))
    return years or services.evaluation_years() or [datetime.date.today().year]  # noqa: DTZ011


def pick_year(value: Any) -> int:
    years = years_available()
    text = str(value or "")
    return int(text) if text.isdigit() and int(text) in years else years[-1]


def rules_for(year: int) -> Rules:
    return engine_for(year)[0].rules


def ensure_current(year: int) -> None:
    """Re-evaluate the year's enterprises whose evaluation predates the current rules file."""
    services.evaluations_refresh(years=[year])


def ladder(years: Iterable[int]) -> dict[str, dict[int, int]]:
    """tier → year → number of enterprises ('' = no tier)."""
    counts: dict[str, dict[int, int]] = {}
    for row in (
        TierEvaluation.objects.filter(year__in=list(years))
        .values("tier", "year")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(row["tier"], {})[row["year"]] = row["n"]
    return counts


def program_counts(year: int) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """(qualifying, data missing, roster) counts per key for one year."""
    qualifying: Counter[str] = Counter()
    unknown: Counter[str] = Counter()
    rosters: Counter[str] = Counter()
    for programs, missing, listed in TierEvaluation.objects.filter(year=year).values_list(
        "programs", "unknown", "rosters"
    ):
        qualifying.update(programs)
        unknown.update(missing)
        rosters.update(listed)
    return qualifying, unknown, rosters


def evaluations(year: int, *, q: str = "") -> QuerySet[TierEvaluation]:
    queryset = TierEvaluation.objects.filter(year=year).select_related("organization")
    if q:
        queryset = queryset.filter(
            Q(organization__name__icontains=q) | Q(organization__uscc__iexact=q)
        )
    return queryset.order_by("organization__name")


def members(
    year: int,
    *,
    tier: str | None = None,
    program: str | None = None,
    roster: str | None = None,
    q: str = "",  # fmt: skip
) -> list[TierEvaluation]:
    queryset = evaluations(year, q=q)
    if tier is not None:
        queryset = queryset.filter(tier=tier)
    found = list(queryset)
    if program is not None:
        found = [e for e in found if program in e.programs]
    if roster is not None:
        found = [e for e in found if roster in e.rosters]
    return found


def watchlist(year: int, *, target: str = "", order: str = "gap") -> list[dict[str, Any]]:
    """One row per (enterprise, programme or higher tier) within the watch margin."""
    rows = []
    for evaluation in evaluations(year).filter(closest_gap__isnull=False):
        for item in evaluation.near:
            if target and f"{item['kind']}:{item['key']}" != target:
                continue
            rows.append({"evaluation": evaluation, **item})
    reverse = order == "-gap"
    rows.sort(key=lambda row: (row["gap"], row["evaluation"].organization.name), reverse=reverse)
    return rows


def history(organization: Organization) -> list[TierEvaluation]:
    return list(TierEvaluation.objects.filter(organization=organization).order_by("year"))


def year_records(organization: Organization) -> list[EnterpriseYearRecord]:
    return list(EnterpriseYearRecord.objects.filter(organization=organization).order_by("year"))


def profile_of(organization: Organization) -> EnterpriseProfile | None:
    return EnterpriseProfile.objects.filter(organization=organization).first()


def cohort(roster: str, year: int) -> list[CohortMember]:
    return list(
        CohortMember.objects.filter(roster=roster, cohort_year=year).select_related("organization")
    )


def cohort_years(roster: str) -> list[int]:
    return sorted(
        CohortMember.objects.filter(roster=roster).values_list("cohort_year", flat=True).distinct()
    )
