"""Expert review: expert profiles, declared conflicts, review rounds (a call's stage or a
challenge), the items reviewed in a round, and each expert's assignment with their scores."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from innobridge.orgs.models import Organization, Person

DEFAULT_CRITERIA = [
    {"name": "颠覆性", "weight": 30},
    {"name": "可行性", "weight": 20},
    {"name": "影响力", "weight": 20},
    {"name": "团队", "weight": 15},
    {"name": "市场", "weight": 15},
]
CHALLENGE_CRITERIA = [
    {"name": "技术方案", "weight": 35},
    {"name": "指标可达性", "weight": 25},
    {"name": "团队能力", "weight": 20},
    {"name": "经费合理性", "weight": 20},
]


def default_criteria() -> list[dict[str, Any]]:
    return [dict(c) for c in DEFAULT_CRITERIA]


class ExpertProfile(models.Model):
    """评审专家档案: what an expert knows, beyond the person's main field and keywords."""

    person = models.OneToOneField(
        Person, verbose_name=_("专家"), on_delete=models.CASCADE, related_name="expert_profile"
    )
    other_fields = models.JSONField(_("其他熟悉领域"), default=list, blank=True)
    bio = models.TextField(_("专家简介"), blank=True)
    works = models.TextField(_("代表性项目与论文"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("专家档案")
        verbose_name_plural = _("专家档案")

    def __str__(self) -> str:
        return str(self.person)


class DeclaredConflict(models.Model):
    """申报的利益冲突: an expert may not review an organization's items (or one item)."""

    expert = models.ForeignKey(
        Person, verbose_name=_("专家"), on_delete=models.CASCADE, related_name="declared_conflicts"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    item = models.ForeignKey(
        "ReviewItem", verbose_name=_("评审对象"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="declared_conflicts",
    )  # fmt: skip
    reason = models.CharField(_("原因"), max_length=300)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申报人"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created = models.DateTimeField(_("申报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("利益冲突声明")
        verbose_name_plural = _("利益冲突声明")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False) | models.Q(item__isnull=False),
                name="conflict_names_org_or_item",
                violation_error_message=_("请指明冲突的单位或评审对象。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.organization or self.item}"


class ReviewRound(models.Model):
    """评审轮次: one stage of a call (领域赛, 总决赛 …) or the review of a challenge's applications.

    The round holds its review form (criteria with weights), how many reviewers each item gets
    and the experts' load limits; items enter a round when they pass the previous step."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("准备中")
        REVIEWING = "reviewing", _("评审中")
        CLOSED = "closed", _("已结束")

    call = models.ForeignKey(
        "projects.Call", verbose_name=_("项目征集"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="rounds",
    )  # fmt: skip
    demand = models.OneToOneField(
        "demands.ScenarioDemand", verbose_name=_("揭榜需求"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="review_round",
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    name = models.CharField(_("评审阶段"), max_length=60)
    criteria = models.JSONField(_("评审指标"), default=default_criteria)
    reviewers_per_item = models.PositiveSmallIntegerField(_("每个项目的评审专家数"), default=3)
    min_load = models.PositiveSmallIntegerField(_("每位专家最少评审数"), default=0)
    max_load = models.PositiveSmallIntegerField(_("每位专家最多评审数"), default=8)
    one_per_organization = models.BooleanField(_("同一项目的专家来自不同单位"), default=True)
    deadline = models.DateField(_("评审截止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PREPARING
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评审轮次")
        verbose_name_plural = _("评审轮次")
        ordering = ["call", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "order"],
                name="round_order_per_call",
                violation_error_message=_("该征集已有同一顺序的评审阶段。"),
            ),
            models.CheckConstraint(
                condition=models.Q(min_load__lte=models.F("max_load")),
                name="round_min_load_le_max",
                violation_error_message=_("最少评审数不能大于最多评审数。"),
            ),
        ]

    def __str__(self) -> str:
        owner = self.call or self.demand
        return f"{owner} · {self.name}"

    @property
    def weights(self) -> dict[str, Decimal]:
        return {c["name"]: Decimal(str(c["weight"])) for c in self.criteria}

    def is_last(self) -> bool:
        if self.call_id is None:
            return True
        return not ReviewRound.objects.filter(call_id=self.call_id, order__gt=self.order).exists()


class ReviewItem(models.Model):
    """What a round reviews: a call submission or a challenge application, and its decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待定")
        ADVANCE = "advance", _("晋级")
        SELECT = "select", _("入选")
        REJECT = "reject", _("未通过")

    round = models.ForeignKey(
        ReviewRound, verbose_name=_("评审轮次"), on_delete=models.CASCADE, related_name="items"
    )
    submission = models.ForeignKey(
        "projects.Submission", verbose_name=_("项目申报"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="review_items",
    )  # fmt: skip
    application = models.ForeignKey(
        "demands.ChallengeApplication", verbose_name=_("揭榜申请"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="review_items",
    )  # fmt: skip
    decision = models.CharField(
        _("决定"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    decided = models.DateTimeField(_("决定时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评审对象")
        verbose_name_plural = _("评审对象")
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "submission"], name="item_submission_once_per_round"
            ),
            models.UniqueConstraint(
                fields=["round", "application"], name="item_application_once_per_round"
            ),
            models.CheckConstraint(
                condition=models.Q(submission__isnull=False) | models.Q(application__isnull=False),
                name="item_reviews_something",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.submission_id:
            return self.submission.project.title  # type: ignore[union-attr]
        return f"{self.application.organization.name}：{self.application.demand.title}"  # type: ignore[union-attr]

    @property
    def field(self) -> str:
        if self.submission_id:
            return self.submission.project.field  # type: ignore[union-attr]
        return self.application.demand.field  # type: ignore[union-attr]

    @property
    def owner_id(self) -> int:
        if self.submission_id:
            return self.submission.project.owner_id  # type: ignore[union-attr]
        return self.application.organization_id  # type: ignore[union-attr]

    @property
    def owner_name(self) -> str:
        if self.submission_id:
            return self.submission.project.owner.name  # type: ignore[union-attr]
        return self.application.organization.name  # type: ignore[union-attr]


class ReviewAssignment(models.Model):
    """评审任务: one expert reviewing one item — assigned by the optimizer or by staff — and
    the expert's scores per criterion once they fill the form."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("拟分配")
        ASSIGNED = "assigned", _("待评审")
        DRAFT = "draft", _("评审中（草稿）")
        SUBMITTED = "submitted", _("已提交")
        CONFLICT = "conflict", _("回避（利益冲突）")
        EXCLUDED = "excluded", _("已排除")

    item = models.ForeignKey(
        ReviewItem, verbose_name=_("评审对象"), on_delete=models.CASCADE, related_name="assignments"
    )
    expert = models.ForeignKey(
        Person, verbose_name=_("专家"), on_delete=models.PROTECT, related_name="review_assignments"
    )
    affinity = models.DecimalField(_("匹配度"), max_digits=6, decimal_places=4, default=Decimal(0))
    locked = models.BooleanField(_("锁定"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    scores = models.JSONField(_("各项得分"), default=dict, blank=True)
    total = models.DecimalField(
        _("加权得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    comment = models.TextField(_("评审意见"), blank=True)
    submitted = models.DateTimeField(_("提交时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "expert"],
                name="assignment_once_per_item",
                violation_error_message=_("该专家已在此项目的评审名单中。"),
            )
        ]
        indexes = [models.Index(fields=["expert", "status"])]

    def __str__(self) -> str:
        return f"{self.item} · {self.expert}"

    ACTIVE = (Status.PROPOSED, Status.ASSIGNED, Status.DRAFT, Status.SUBMITTED)
    STARTED = (Status.DRAFT, Status.SUBMITTED)
