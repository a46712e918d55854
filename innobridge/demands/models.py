"""Scenario demands (场景应用需求): technology problems, scenarios, talent and finance needs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from innobridge.core.choices import TRL_CHOICES, District, TechField, Visibility
from innobridge.orgs.models import Organization


class ScenarioDemand(models.Model):
    """场景需求: a problem an organization wants solved; the contact is private."""

    class Type(models.TextChoices):
        TECHNOLOGY = "technology", _("技术需求")
        SCENARIO = "scenario", _("场景需求")
        TALENT = "talent", _("人才需求")
        FINANCE = "finance", _("融资需求")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        VETTED = "vetted", _("已审核")
        RETURNED = "returned", _("已退回")
        PUBLISHED = "published", _("已发布")
        MATCHED = "matched", _("已对接")
        CHALLENGE = "challenge", _("揭榜中")
        SOLVER = "solver", _("已揭榜")
        SIGNED = "signed", _("已签约")
        VALIDATING = "validating", _("场景验证中")
        LANDED = "landed", _("已落地")
        FAILED = "failed", _("未落地")
        CLOSED = "closed", _("已关闭")

    title = models.CharField(_("需求名称"), max_length=200)
    description = models.TextField(_("需求描述"))
    demand_type = models.CharField(
        _("需求类型"), max_length=12, choices=Type.choices, default=Type.TECHNOLOGY
    )
    field = models.CharField(_("技术领域"), max_length=30, choices=TechField.choices)
    required_trl = models.PositiveSmallIntegerField(
        _("要求技术成熟度"),
        choices=TRL_CHOICES,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    budget = models.DecimalField(
        _("预算（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    district = models.CharField(_("所在区"), max_length=20, choices=District.choices, blank=True)
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("需求单位"),
        on_delete=models.PROTECT,
        related_name="demands",
    )
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("公开范围"), max_length=10, choices=Visibility.choices, default=Visibility.DRAFT
    )
    prize = models.DecimalField(
        _("揭榜奖励/经费（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    eligibility = models.TextField(_("揭榜条件"), blank=True)
    terms = models.TextField(_("知识产权与保密约定"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("疑似重复"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    duplicate_overlap = models.FloatField(_("用词重合度"), null=True, blank=True)
    contract_amount = models.DecimalField(
        _("合同金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("技术经理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_demands",
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("场景需求")
        verbose_name_plural = _("场景需求")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "title"],
                name="demand_title_per_owner",
                violation_error_message=_("本单位已有同名需求。"),
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0),
                name="demand_budget_not_negative",
                violation_error_message=_("预算不能为负数。"),
            ),
        ]
        indexes = [
            models.Index(fields=["field", "status"]),
            # who may see a record (core.access) filters on these three: counting a user's
            # visible records reads this small index instead of every row (100k: 4× faster)
            models.Index(
                fields=["visibility", "owner", "manager"], name="%(app_label)s_%(class)s_seen"
            ),
            models.Index(fields=["-created", "-id"], name="%(app_label)s_%(class)s_recent"),
            # the match index's freshness check reads MAX(updated) on every match and search
            models.Index(fields=["updated"], name="%(app_label)s_%(class)s_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from innobridge.core.links import record_url

        return record_url("demands:detail", self.pk)

    @property
    def keyword_list(self) -> list[str]:
        from innobridge.projects.models import split_keywords

        return split_keywords(self.keywords)


class MatchFeedback(models.Model):
    """对接反馈: a manager's decision on a suggested technology for a demand, with the reason."""

    class Decision(models.TextChoices):
        INTRODUCED = "introduced", _("已引荐")
        REJECTED = "rejected", _("不合适")

    demand = models.ForeignKey(
        ScenarioDemand, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="feedback"
    )
    project = models.ForeignKey(
        "projects.TechProject",
        verbose_name=_("技术项目"),
        on_delete=models.CASCADE,
        related_name="demand_feedback",
    )
    decision = models.CharField(_("处理结果"), max_length=12, choices=Decision.choices)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided = models.DateTimeField(_("处理时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("对接反馈")
        verbose_name_plural = _("对接反馈")
        constraints = [
            models.UniqueConstraint(fields=["demand", "project"], name="feedback_once_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.demand} → {self.project}: {self.get_decision_display()}"


class DemandList(models.Model):
    """需求清单: a numbered, published list such as "2025年第一批场景应用需求清单"."""

    class Kind(models.TextChoices):
        BATCH = "batch", _("批次清单")
        THEME = "theme", _("专题清单")

    title = models.CharField(_("清单名称"), max_length=120, unique=True)
    kind = models.CharField(_("清单类型"), max_length=10, choices=Kind.choices, default=Kind.BATCH)
    year = models.PositiveSmallIntegerField(_("年度"))
    batch = models.PositiveSmallIntegerField(_("批次"), null=True, blank=True)
    theme = models.CharField(_("专题"), max_length=60, blank=True)
    description = models.TextField(_("说明"), blank=True)
    published = models.BooleanField(_("已发布"), default=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("需求清单")
        verbose_name_plural = _("需求清单")
        ordering = ["-year", "-batch", "title"]

    def __str__(self) -> str:
        return self.title


class DemandListItem(models.Model):
    """A demand's place (序号) in a list."""

    demand_list = models.ForeignKey(
        DemandList, verbose_name=_("清单"), on_delete=models.CASCADE, related_name="items"
    )
    demand = models.ForeignKey(
        ScenarioDemand, verbose_name=_("需求"), on_delete=models.PROTECT, related_name="list_items"
    )
    number = models.PositiveIntegerField(_("序号"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("清单条目")
        verbose_name_plural = _("清单条目")
        ordering = ["demand_list", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand_list", "demand"],
                name="list_item_unique_demand",
                violation_error_message=_("该需求已在清单中。"),
            ),
            models.UniqueConstraint(
                fields=["demand_list", "number"],
                name="list_item_unique_number",
                violation_error_message=_("序号已被占用。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand_list} · {self.number}"


class DemandEvent(models.Model):
    """One step of a demand's lifecycle: who moved it, from where to where, when and why."""

    demand = models.ForeignKey(
        ScenarioDemand, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(
        _("原状态"), max_length=12, choices=ScenarioDemand.Status.choices
    )
    to_status = models.CharField(_("新状态"), max_length=12, choices=ScenarioDemand.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("说明"), blank=True)
    amount = models.DecimalField(
        _("金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("需求流程记录")
        verbose_name_plural = _("需求流程记录")
        ordering = ["demand", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.demand} · {self.action}"


class ChallengeApplication(models.Model):
    """揭榜申请: a team's offer to solve a demand opened as a challenge (揭榜挂帅)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已申请")
        WON = "won", _("揭榜成功")
        LOST = "lost", _("未入选")

    demand = models.ForeignKey(
        ScenarioDemand,
        verbose_name=_("需求"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("揭榜单位"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposal = models.TextField(_("技术方案"))
    team = models.CharField(_("团队与合作单位"), max_length=300, blank=True)
    budget = models.DecimalField(
        _("申请经费（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("结果"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    score = models.PositiveSmallIntegerField(_("评审得分"), null=True, blank=True)
    accepted_terms = models.BooleanField(_("已接受揭榜条件与约定"), default=False)
    result_note = models.TextField(_("结果说明"), blank=True)
    submitted = models.DateTimeField(_("申请时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("揭榜申请")
        verbose_name_plural = _("揭榜申请")
        ordering = ["demand", "-score", "submitted"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "organization"],
                name="one_application_per_organization",
                violation_error_message=_("本单位已申请揭榜该需求。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.demand} · {self.organization}"


def _attachment_path(instance: ApplicationAttachment, filename: str) -> str:
    import uuid

    return f"challenges/{instance.application.demand_id}/{uuid.uuid4().hex}"


class ApplicationAttachment(models.Model):
    """A file attached to a challenge application (checked by content, served only to those
    who may see the application)."""

    application = models.ForeignKey(
        ChallengeApplication,
        verbose_name=_("揭榜申请"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("文件"), upload_to=_attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请附件")
        verbose_name_plural = _("申请附件")
        ordering = ["application", "uploaded"]

    def __str__(self) -> str:
        return self.name


def _evidence_path(instance: ValidationMilestone, filename: str) -> str:
    import uuid

    return f"validation/{instance.demand_id}/{uuid.uuid4().hex}"


class ValidationMilestone(models.Model):
    """场景验证节点: a step of the scenario validation, closed with evidence."""

    demand = models.ForeignKey(
        ScenarioDemand, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("验证节点"), max_length=120)
    due = models.DateField(_("计划完成日期"), null=True, blank=True)
    done = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.TextField(_("验证证据"), blank=True)
    evidence_file = models.FileField(_("证据文件"), upload_to=_evidence_path, blank=True)
    evidence_name = models.CharField(_("证据文件名"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("场景验证节点")
        verbose_name_plural = _("场景验证节点")
        ordering = ["demand", "due", "pk"]

    def __str__(self) -> str:
        return self.title
