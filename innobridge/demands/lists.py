"""Numbered demand lists (需求清单): services and selectors in one place.

Staff build a list (batch or theme), add public demands (each gets the next 序号), and publish it;
anyone, also without login, then reads it, filters it, and downloads it as Excel. A list can only
be published when every demand on it is public, so a public list never shows a private record.
Staff also see, per list, how many of its demands were matched, signed and landed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from innobridge.core.choices import Visibility
from innobridge.core.errors import AccessDenied, ApplicationError, NotFound
from innobridge.core.roles import is_staff_role
from innobridge.core.services import save_validated
from innobridge.demands.models import DemandList, DemandListItem, ScenarioDemand

# How far a demand on a list has come (for the landed-rate figures).
PROGRESS = {
    "matched": {
        ScenarioDemand.Status.MATCHED,
        ScenarioDemand.Status.SIGNED,
        ScenarioDemand.Status.LANDED,
    },  # fmt: skip
    "signed": {ScenarioDemand.Status.SIGNED, ScenarioDemand.Status.LANDED},
    "landed": {ScenarioDemand.Status.LANDED},
}


def _require_staff(actor: Any) -> None:
    if not is_staff_role(actor):
        raise AccessDenied(_("只有科创局工作人员可以编制和发布需求清单。"))


@transaction.atomic
def list_create(
    *, actor: Any, title: str, kind: str, year: int, batch: int | None = None, theme: str = "",
    description: str = "",
) -> DemandList:  # fmt: skip
    _require_staff(actor)
    demand_list = DemandList(
        title=title.strip(), kind=kind, year=year, batch=batch, theme=theme.strip(),
        description=description.strip(),
    )  # fmt: skip
    return save_validated(demand_list, actor=actor, reason=_("新建"))


@transaction.atomic
def list_add(*, actor: Any, demand_list: DemandList, demands: Iterable[ScenarioDemand]) -> int:
    """Append demands (next 序号 each); only public demands, none twice."""
    _require_staff(actor)
    chosen = list(demands)
    private = [d.title for d in chosen if d.visibility != Visibility.PUBLIC]
    if private:
        raise ApplicationError(
            _("只能加入已公开的需求：%(titles)s") % {"titles": "、".join(private[:5])}
        )
    present = set(demand_list.items.values_list("demand_id", flat=True))
    new = [d for d in chosen if d.pk not in present]
    number = demand_list.items.aggregate(top=Max("number"))["top"] or 0
    for demand in new:
        number += 1
        save_validated(
            DemandListItem(demand_list=demand_list, demand=demand, number=number),
            actor=actor,
            reason=_("加入清单"),
        )
    return len(new)


@transaction.atomic
def list_publish(*, actor: Any, demand_list: DemandList, published: bool) -> DemandList:
    _require_staff(actor)
    if published:
        if not demand_list.items.exists():
            raise ApplicationError(_("清单中还没有需求，不能发布。"))
        private = demand_list.items.exclude(demand__visibility=Visibility.PUBLIC)
        if private.exists():
            titles = "、".join(private.values_list("demand__title", flat=True)[:5])
            raise ApplicationError(_("以下需求尚未公开，不能随清单发布：%(titles)s") % {"titles": titles})  # fmt: skip
    demand_list.published = published
    demand_list.published_at = timezone.now() if published else None
    return save_validated(
        demand_list, actor=actor, reason=_("发布") if published else _("撤回发布")
    )


# -- reads ---------------------------------------------------------------------------------------
def lists_for(user: Any) -> QuerySet[DemandList]:
    lists = DemandList.objects.all()
    return lists if is_staff_role(user) else lists.filter(published=True)


def list_get_for(*, user: Any, pk: int) -> DemandList:
    found = lists_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该清单。"))
    return found


def list_items(demand_list: DemandList, params: Any) -> QuerySet[DemandListItem]:
    items = demand_list.items.select_related("demand", "demand__owner")
    query = str(params.get("q", "")).strip()
    if query:
        items = items.filter(
            Q(demand__title__icontains=query)
            | Q(demand__description__icontains=query)
            | Q(demand__keywords__icontains=query)
        )
    for param, lookup in (("field", "demand__field"), ("district", "demand__district"), ("type", "demand__demand_type")):  # fmt: skip
        value = str(params.get(param, "")).strip()
        if value:
            items = items.filter(**{lookup: value})
    return items.order_by("number")


def list_progress(demand_list: DemandList) -> dict[str, Any]:
    """Counts and rates of matched, signed and landed demands on the list."""
    statuses = Counter(demand_list.items.values_list("demand__status", flat=True))
    total = sum(statuses.values())
    counts = {key: sum(n for s, n in statuses.items() if s in wanted) for key, wanted in PROGRESS.items()}  # fmt: skip
    rates = {key: (count / total if total else 0.0) for key, count in counts.items()}
    return {"total": total, **counts, "rates": rates}


def list_landing_by_month(demand_list: DemandList) -> list[dict[str, Any]]:
    """The dynamic evaluation of a list: per month, how many of its demands had been signed and
    landed by then (cumulative), from the lifecycle events."""
    from innobridge.demands.models import DemandEvent

    total = demand_list.items.count()
    events = DemandEvent.objects.filter(
        demand__list_items__demand_list=demand_list, action__in=("sign", "land")
    ).values_list("action", "at")
    months: dict[str, Counter[str]] = {}
    for action, at in events:
        months.setdefault(at.strftime("%Y-%m"), Counter())[action] += 1
    rows, signed, landed = [], 0, 0
    for month in sorted(months):
        signed += months[month]["sign"]
        landed += months[month]["land"]
        rows.append({"month": month, "signed": signed, "landed": landed,
                     "rate": landed / total if total else 0.0})  # fmt: skip
    return rows


def eligible_demands(demand_list: DemandList, params: Any) -> QuerySet[ScenarioDemand]:
    """Public demands not yet on the list (for staff adding items)."""
    demands = ScenarioDemand.objects.filter(visibility=Visibility.PUBLIC).exclude(
        list_items__demand_list=demand_list
    )
    field = str(params.get("field", "")).strip()
    if field:
        demands = demands.filter(field=field)
    return demands.select_related("owner").order_by("field", "-created")
