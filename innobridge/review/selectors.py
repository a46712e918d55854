"""Reads of the review flow, filtered by role: experts see only their own, conflict-free tasks
(never who else reviews); staff see progress, scores and rankings; applicants see decisions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from innobridge.core.errors import AccessDenied, NotFound
from innobridge.core.roles import Role, is_staff_role, roles_of
from innobridge.review.models import ReviewAssignment, ReviewItem, ReviewRound
from innobridge.review.scoring import ItemResult, Review, aggregate, reviewer_z

A = ReviewAssignment.Status
VISIBLE_TO_EXPERT = (A.ASSIGNED, A.DRAFT, A.SUBMITTED)


def _expert_tasks(user: Any) -> QuerySet[ReviewAssignment]:
    if user is None or not user.is_authenticated or Role.EXPERT not in roles_of(user):
        return ReviewAssignment.objects.none()
    return ReviewAssignment.objects.filter(
        expert__user=user,
        status__in=VISIBLE_TO_EXPERT,
        item__round__status__in=(ReviewRound.Status.REVIEWING, ReviewRound.Status.CLOSED),
    )


def my_assignments(user: Any) -> list[ReviewAssignment]:
    return list(
        _expert_tasks(user)
        .select_related(
            "item__round__call", "item__round__demand", "item__submission__project__owner",
            "item__application__organization", "item__application__demand",
        )
        .order_by("status", "item__round_id", "pk")
    )  # fmt: skip


def my_assignment(user: Any, pk: int) -> ReviewAssignment:
    found = _expert_tasks(user).select_related("item__round", "expert").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该评审任务，或它已不在您的名单中。"))
    return found


def reviewable_project_ids(user: Any) -> QuerySet[Any]:
    """Projects an expert reviews (for the project page and its attachments)."""
    return _expert_tasks(user).filter(item__submission__isnull=False).values("item__submission__project_id")  # fmt: skip


def reviewable_submission_ids(user: Any) -> set[int]:
    return set(_expert_tasks(user).filter(item__submission__isnull=False).values_list("item__submission_id", flat=True))  # fmt: skip


def round_get_for(user: Any, pk: int) -> ReviewRound:
    if not is_staff_role(user):
        raise AccessDenied(_("只有科创局工作人员可以管理专家评审。"))
    found = ReviewRound.objects.select_related("call", "demand").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该评审阶段。"))
    return found


def _items(round: ReviewRound) -> list[ReviewItem]:
    return list(
        round.items.select_related(
            "submission__project__owner", "application__organization", "application__demand"
        ).prefetch_related("assignments__expert")
    )


@dataclass
class ItemRow:
    item: ReviewItem
    assignments: list[ReviewAssignment]
    result: ItemResult | None = None
    field_rank: int = 0
    reviews: list[dict[str, Any]] = field(default_factory=list)

    @property
    def active(self) -> list[ReviewAssignment]:
        return [a for a in self.assignments if a.status in ReviewAssignment.ACTIVE]

    @property
    def submitted(self) -> int:
        return sum(1 for a in self.assignments if a.status == A.SUBMITTED)

    @property
    def affinity(self) -> Decimal:
        return sum((a.affinity for a in self.active), Decimal(0))


def assignment_table(round: ReviewRound) -> list[ItemRow]:
    return [ItemRow(item, sorted(item.assignments.all(), key=lambda a: (-a.affinity, a.pk))) for item in _items(round)]  # fmt: skip


def expert_progress(round: ReviewRound) -> list[dict[str, Any]]:
    """Per expert: tasks, submitted, drafts — for the staff progress page and reminders."""
    counts: dict[int, dict[str, Any]] = {}
    for a in ReviewAssignment.objects.filter(item__round=round, status__in=VISIBLE_TO_EXPERT + (A.PROPOSED,)).select_related("expert"):  # fmt: skip
        row = counts.setdefault(a.expert_id, {"expert": a.expert, "total": 0, "submitted": 0, "draft": 0})  # fmt: skip
        row["total"] += 1
        row["submitted"] += a.status == A.SUBMITTED
        row["draft"] += a.status == A.DRAFT
    return sorted(counts.values(), key=lambda r: (r["submitted"] - r["total"], r["expert"].name))


def ranking(review_round: ReviewRound, field: str = "") -> list[ItemRow]:
    """Items by mean reviewer-normalized score (z), with raw totals and the disagreement flag."""
    rows = {row.item.pk: row for row in assignment_table(review_round)}
    reviews = [
        Review(a.item_id, a.expert_id, a.total)
        for row in rows.values() for a in row.assignments
        if a.status == A.SUBMITTED and a.total is not None
    ]  # fmt: skip
    z = reviewer_z(reviews)
    ordered = []
    for result in aggregate(reviews, rows):
        row = rows[result.item]
        row.result = result
        row.reviews = [
            {"assignment": a, "total": a.total, "z": round(z[(a.item_id, a.expert_id)], 2)}
            for a in row.assignments if a.status == A.SUBMITTED and a.total is not None
        ]  # fmt: skip
        ordered.append(row)
    per_field: dict[str, int] = defaultdict(int)
    for row in ordered:
        per_field[row.item.field] += 1
        row.field_rank = per_field[row.item.field]
    if field:
        ordered = [row for row in ordered if row.item.field == field]
    return ordered
