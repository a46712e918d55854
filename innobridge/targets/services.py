"""Target values, expected progress, trends, breakdowns, funnels and drill-down records.

Every figure is computed from the records when asked (the demo computes all targets in well under
a second); manual figures come from ``ManualFigure`` (staff) or, until someone types one, from the
targets file. Progress is value ÷ number; "expected by today" is the share of the year gone by.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innobridge.core.cache import cached_count
from innobridge.core.choices import District, TechField
from innobridge.core.errors import AccessDenied, ApplicationError, NotFound
from innobridge.core.roles import is_staff_role
from innobridge.core.services import save_validated
from innobridge.targets.definitions import Target, target_for, targets_for
from innobridge.targets.metrics import METRICS
from innobridge.targets.models import ManualFigure


@dataclass
class TargetValue:
    target: Target
    value: Decimal
    progress: float
    expected: float
    source: str
    as_of: datetime.date | None

    @property
    def name(self) -> str:
        english = (translation.get_language() or "").startswith("en")
        return self.target.name_en if english else self.target.name

    @property
    def note(self) -> str:
        english = (translation.get_language() or "").startswith("en")
        return self.target.note_en if english else self.target.note

    @property
    def behind(self) -> bool:
        return not self.target.baseline and self.progress < self.expected


def check_staff(user: Any) -> None:
    if not is_staff_role(user):
        raise AccessDenied(_("只有科创局工作人员可以查看目标考核。"))


def expected_share(year: int, today: datetime.date | None = None) -> float:
    """Percent of the year gone by: what a target on a straight line should have reached."""
    today = today or timezone.localdate()
    if year < today.year:
        return 100.0
    if year > today.year:
        return 0.0
    start = datetime.date(year, 1, 1)
    days = (datetime.date(year + 1, 1, 1) - start).days
    return round(100.0 * ((today - start).days + 1) / days, 1)


def records(year: int, target: Target) -> QuerySet[Any]:
    if target.metric is None:
        raise NotFound(_("该指标为人工填报，没有对应的记录清单。"))
    return METRICS[target.metric].records(year, target.params)


def values(year: int) -> list[TargetValue]:
    manual = {m.key: m for m in ManualFigure.objects.filter(year=year)}
    expected = expected_share(year)
    found = []
    for target in targets_for(year):
        if target.metric is None:
            figure = manual.get(target.key)
            value = figure.value if figure else target.manual_value or Decimal(0)
            source = figure.source if figure else target.manual_source
            as_of = figure.as_of if figure else target.manual_date
        else:
            value = Decimal(cached_count(records(year, target)))  # live: until a record changes
            source, as_of = str(METRICS[target.metric].label), timezone.localdate()
        progress = float(100 * value / target.number) if target.number else 0.0
        found.append(TargetValue(target, value, round(progress, 1), 100.0 if target.baseline else expected, source, as_of))  # fmt: skip
    return found


def monthly(year: int, target: Target) -> list[int] | None:
    """Cumulative count at the end of each month, or None for stock figures and manual ones."""
    if target.metric is None or METRICS[target.metric].date_field is None:
        return None
    date_field = METRICS[target.metric].date_field
    assert date_field is not None
    counts = dict.fromkeys(range(1, 13), 0)
    for value in records(year, target).values_list(date_field, flat=True):
        day = value.date() if isinstance(value, datetime.datetime) else value
        if day is not None and day.year == year:
            counts[day.month] += 1
    total, cumulative = 0, []
    for month in range(1, 13):
        total += counts[month]
        cumulative.append(total)
    return cumulative


def breakdown(year: int, target: Target, by: str) -> list[tuple[str, str, int]]:
    """(code, label, count) by district or technology field, largest first."""
    if target.metric is None:
        return []
    metric = METRICS[target.metric]
    column = metric.district_field if by == "district" else metric.field_field
    labels = dict(District.choices if by == "district" else TechField.choices)
    rows = records(year, target).order_by().values(column).annotate(n=Count("pk", distinct=True))
    found = [
        (row[column] or "", str(labels.get(row[column], _("未填写"))), row["n"]) for row in rows
    ]
    return sorted(found, key=lambda r: (-r[2], r[1]))


def drill_down(year: int, target: Target, *, district: str = "", field: str = "", month: int = 0) -> QuerySet[Any]:  # fmt: skip
    metric = METRICS[target.metric] if target.metric else None
    queryset = records(year, target)
    assert metric is not None
    if district:
        queryset = queryset.filter(**{metric.district_field: "" if district == "-" else district})
    if field:
        queryset = queryset.filter(**{metric.field_field: "" if field == "-" else field})
    if month and metric.date_field:
        queryset = queryset.filter(**{f"{metric.date_field}__year": year, f"{metric.date_field}__month__lte": month})  # fmt: skip
    return queryset


@transaction.atomic
def set_manual(*, actor: Any, year: int, key: str, value: Decimal | None, source: str, as_of: datetime.date | None) -> ManualFigure:  # fmt: skip
    check_staff(actor)
    target = target_for(year, key)
    if target is None or not target.manual:
        raise ApplicationError(_("该指标由平台数据自动计算，不能人工填报。"))
    if value is None or value < 0:
        raise ApplicationError(_("请填写完成值（不小于0）。"))
    if not source.strip():
        raise ApplicationError(_("请填写数据来源。"))
    figure = ManualFigure.objects.filter(year=year, key=key).first() or ManualFigure(
        year=year, key=key
    )
    figure.value, figure.source = value, source.strip()
    figure.as_of = as_of or timezone.localdate()
    figure.updated_by = actor
    return save_validated(figure, actor=actor, reason=_("人工填报"))


# --- funnels ---------------------------------------------------------------------------------

FUNNELS: dict[str, list[tuple[str, Any]]] = {
    "demands": [
        ("published", gettext_lazy("已发布")),
        ("matched", gettext_lazy("已对接")),
        ("signed", gettext_lazy("已签约")),
        ("landed", gettext_lazy("已落地")),
    ],  # fmt: skip
    "projects": [
        ("discovered", gettext_lazy("发现")),
        ("selected", gettext_lazy("遴选")),
        ("cultivating", gettext_lazy("培育")),
        ("transformed", gettext_lazy("转化")),
    ],  # fmt: skip
    "matchmaking": [
        ("registered", gettext_lazy("报名企业")),
        ("met", gettext_lazy("完成洽谈")),
        ("deal", gettext_lazy("达成融资/合作")),
    ],  # fmt: skip
}
FUNNEL_TITLES = {"demands": gettext_lazy("场景需求"), "projects": gettext_lazy("技术项目"), "matchmaking": gettext_lazy("周三会对接")}  # fmt: skip


def funnel_records(name: str, step: str, year: int) -> QuerySet[Any]:
    """The records at a funnel step (a step counts everything that got at least that far)."""
    from innobridge.capital.models import Participant
    from innobridge.demands.models import ScenarioDemand
    from innobridge.projects.models import TechProject

    d, p = ScenarioDemand.Status, TechProject.Stage
    later: dict[str, list[str]]
    if name == "demands":
        reached = {
            "published": [d.PUBLISHED, d.MATCHED, d.CHALLENGE, d.SOLVER, d.SIGNED, d.VALIDATING, d.LANDED, d.FAILED],
            "matched": [d.MATCHED, d.SOLVER, d.SIGNED, d.VALIDATING, d.LANDED, d.FAILED],
            "signed": [d.SIGNED, d.VALIDATING, d.LANDED, d.FAILED], "landed": [d.LANDED],
        }  # fmt: skip
        return ScenarioDemand.objects.filter(status__in=reached[step]).select_related("owner").order_by("-pk")  # fmt: skip
    if name == "projects":
        later = {
            "discovered": [str(v) for v in p.values], "selected": [p.SELECTED, p.CULTIVATING, p.TRANSFORMING, p.TRANSFORMED, p.STOPPED],
            "cultivating": [p.CULTIVATING, p.TRANSFORMING, p.TRANSFORMED], "transformed": [p.TRANSFORMED],
        }  # fmt: skip
        return TechProject.objects.filter(stage__in=later[step]).select_related("owner").order_by("-pk")  # fmt: skip
    if name == "matchmaking":
        smes = Participant.objects.filter(side=Participant.Side.SME, session__date__year=year).select_related("organization", "session")  # fmt: skip
        if step == "met":
            smes = smes.filter(sme_meetings__held=True)
        elif step == "deal":
            smes = smes.filter(
                sme_meetings__held=True, sme_meetings__provider_result__in=["loan", "deal"]
            )
        return smes.distinct().order_by("-session__date", "pk")
    raise NotFound(_("未知的漏斗。"))


def funnels(year: int) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "title": str(FUNNEL_TITLES[name]),
            "steps": [
                {
                    "key": key,
                    "label": str(label),
                    "count": cached_count(funnel_records(name, key, year)),
                }
                for key, label in steps
            ],
        }  # fmt: skip
        for name, steps in FUNNELS.items()
    ]


def funnel_row(name: str, record: Any) -> tuple[str, str, str]:
    from django.urls import reverse

    if name == "demands":
        return record.title, record.owner.name, reverse("demands:detail", kwargs={"pk": record.pk})
    if name == "projects":
        return record.title, record.owner.name, reverse("projects:detail", kwargs={"pk": record.pk})
    return record.organization.name, str(record.session), reverse("matchmaking:detail", kwargs={"pk": record.session_id})  # fmt: skip
