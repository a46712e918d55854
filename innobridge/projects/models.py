"""Technology supply (技术供给): projects, research results (科技成果) and patents."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from innobridge.core.choices import TRL_CHOICES, TechField, Visibility
from innobridge.orgs.models import Organization, Person


class TechProject(models.Model):
    """技术项目: one technology offered by an organization, moving 发现—遴选—培育—转化."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("技术项目")
        RESULT = "result", _("科技成果")
        PATENT = "patent", _("专利")

    class Stage(models.TextChoices):
        DISCOVERED = "discovered", _("发现")
        SUBMITTED = "submitted", _("已申报")
        SCREENING = "screening", _("初筛中")
        IN_REVIEW = "in_review", _("评审中")
        SELECTED = "selected", _("已遴选")
        REJECTED = "rejected", _("未入选")
        CULTIVATING = "cultivating", _("培育中")
        TRANSFORMING = "transforming", _("转化中")
        TRANSFORMED = "transformed", _("已转化")
        STOPPED = "stopped", _("已终止")

    title = models.CharField(_("项目名称"), max_length=200)
    summary = models.TextField(_("项目简介"))
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.PROJECT)
    field = models.CharField(_("技术领域"), max_length=30, choices=TechField.choices)
    trl = models.PositiveSmallIntegerField(
        _("技术成熟度"),
        choices=TRL_CHOICES,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    team = models.ManyToManyField(
        Person, verbose_name=_("项目团队"), blank=True, related_name="projects"
    )
    mentors = models.ManyToManyField(
        Person, verbose_name=_("培育导师"), blank=True, related_name="mentored_projects"
    )
    leader = models.CharField(_("项目负责人"), max_length=50, blank=True)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    stage = models.CharField(
        _("所处阶段"), max_length=20, choices=Stage.choices, default=Stage.DISCOVERED
    )
    visibility = models.CharField(
        _("公开范围"), max_length=10, choices=Visibility.choices, default=Visibility.DRAFT
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("技术经理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_projects",
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("技术项目")
        verbose_name_plural = _("技术项目")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trl__gte=1, trl__lte=9),
                name="project_trl_1_9",
                violation_error_message=_("技术成熟度应在1到9之间。"),
            ),
            models.UniqueConstraint(
                fields=["owner", "title"],
                name="project_title_per_owner",
                violation_error_message=_("本单位已有同名技术项目。"),
            ),
        ]
        indexes = [
            models.Index(fields=["field", "stage"]),
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

        return record_url("projects:detail", self.pk)

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)


class ProjectEvent(models.Model):
    """One step of a project's pipeline (发现—遴选—培育—转化): who, when, from, to and why."""

    project = models.ForeignKey(
        TechProject, verbose_name=_("技术项目"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20)
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=TechProject.Stage.choices)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=TechProject.Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    reason = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("项目流程记录")
        verbose_name_plural = _("项目流程记录")
        ordering = ["project", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.project} · {self.action}"


class Call(models.Model):
    """征集/大赛: a call for projects such as 2025 颠覆性技术创新大赛, reviewed in stages."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        OPEN = "open", _("征集中")
        SCREENING = "screening", _("初筛中")
        REVIEWING = "reviewing", _("评审中")
        FINISHED = "finished", _("已结束")

    title = models.CharField(_("征集名称"), max_length=120, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    fields = models.JSONField(_("征集领域"), default=list, blank=True)  # TechField codes; [] = all
    description = models.TextField(_("征集说明"), blank=True)
    eligibility = models.TextField(_("申报条件"), blank=True)
    opens = models.DateField(_("开始日期"))
    deadline = models.DateField(_("申报截止日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    results_published = models.BooleanField(_("结果已公布"), default=False)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目征集")
        verbose_name_plural = _("项目征集")
        ordering = ["-year", "-opens", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("opens")),
                name="call_deadline_after_opens",
                violation_error_message=_("申报截止日期不能早于开始日期。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def field_labels(self) -> list[str]:
        labels = dict(TechField.choices)
        return [str(labels.get(code, code)) for code in self.fields]


class Submission(models.Model):
    """申报: an organization enters one of its projects into a call, with co-applicants and files."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        IN_REVIEW = "in_review", _("评审中")
        SCREENED_OUT = "screened_out", _("初筛未通过")
        REJECTED = "rejected", _("未入选")
        SELECTED = "selected", _("入选")

    call = models.ForeignKey(
        Call, verbose_name=_("项目征集"), on_delete=models.CASCADE, related_name="submissions"
    )
    project = models.ForeignKey(
        TechProject,
        verbose_name=_("技术项目"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    co_applicants = models.ManyToManyField(
        Organization, verbose_name=_("联合申报单位"), blank=True, related_name="co_submissions"
    )
    statement = models.TextField(_("申报说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=14, choices=Status.choices, default=Status.DRAFT
    )
    result_note = models.TextField(_("结果说明"), blank=True)
    submitted = models.DateTimeField(_("提交时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目申报")
        verbose_name_plural = _("项目申报")
        ordering = ["call", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "project"],
                name="submission_once_per_call",
                violation_error_message=_("该项目已申报本次征集。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.call} · {self.project}"


def _attachment_path(instance: SubmissionAttachment, filename: str) -> str:
    import uuid

    return f"submissions/{instance.submission_id}/{uuid.uuid4().hex}"


class SubmissionAttachment(models.Model):
    """申报附件: PDF, Word or an image, checked by content (core.uploads)."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("项目申报"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=_attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报附件")
        verbose_name_plural = _("申报附件")
        ordering = ["submission", "pk"]

    def __str__(self) -> str:
        return self.name


def _milestone_path(instance: Milestone, filename: str) -> str:
    import uuid

    return f"milestones/{instance.project_id}/{uuid.uuid4().hex}"


class Milestone(models.Model):
    """培育节点: a cultivation milestone with its due date, closed with evidence."""

    project = models.ForeignKey(
        TechProject, verbose_name=_("技术项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("培育节点"), max_length=120)
    due = models.DateField(_("计划完成日期"))
    done = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.TextField(_("完成证据"), blank=True)
    evidence_file = models.FileField(_("证据文件"), upload_to=_milestone_path, blank=True)
    evidence_name = models.CharField(_("证据文件名"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("培育节点")
        verbose_name_plural = _("培育节点")
        ordering = ["project", "due", "pk"]

    def __str__(self) -> str:
        return self.title


class FundingTranche(models.Model):
    """资金拨付: one tranche of support for a selected project, with its source."""

    class Source(models.TextChoices):
        SPECIAL = "special", _("颠覆性技术创新专项")
        MAJOR = "major", _("科技重大专项")
        KEY_RD = "key_rd", _("重点研发计划")
        FUND = "fund", _("投资基金")
        DISTRICT = "district", _("区级配套")
        OTHER = "other", _("其他")

    project = models.ForeignKey(
        TechProject, verbose_name=_("技术项目"), on_delete=models.CASCADE, related_name="tranches"
    )
    amount = models.DecimalField(
        _("金额（万元）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    source = models.CharField(_("资金来源"), max_length=10, choices=Source.choices)
    date = models.DateField(_("拨付日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("资金拨付")
        verbose_name_plural = _("资金拨付")
        ordering = ["project", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.project} · {self.amount}"


class TransformationOutcome(models.Model):
    """转化成果: how a technology reached the market, with whom and for how much."""

    class Type(models.TextChoices):
        LICENCE = "licence", _("许可")
        TRANSFER = "transfer", _("转让")
        CODEVELOPMENT = "codevelop", _("合作开发")
        EQUITY = "equity", _("股权投资")
        SPINOFF = "spinoff", _("作价入股/衍生企业")
        PILOT = "pilot", _("中试")
        SCENARIO = "scenario", _("场景验证")

    project = models.ForeignKey(
        TechProject, verbose_name=_("技术项目"), on_delete=models.CASCADE, related_name="outcomes"
    )
    type = models.CharField(_("转化方式"), max_length=10, choices=Type.choices)
    counterparty = models.CharField(_("合作方"), max_length=200)
    amount = models.DecimalField(
        _("合同金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    date = models.DateField(_("签约日期"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("转化成果")
        verbose_name_plural = _("转化成果")
        ordering = ["project", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_type_display()}"


def split_keywords(text: str) -> list[str]:
    """Keywords as typed in Excel or forms: separated by commas, 、, ；, or spaces."""
    for separator in "，、；;":
        text = text.replace(separator, ",")
    return [word.strip() for word in text.split(",") if word.strip()]
