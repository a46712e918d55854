"""Technology supply (技术供给): projects, research results (科技成果) and patents."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
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
            models.Index(fields=["visibility"]),
            models.Index(fields=["-created", "-id"], name="%(app_label)s_%(class)s_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)


def split_keywords(text: str) -> list[str]:
    """Keywords as typed in Excel or forms: separated by commas, 、, ；, or spaces."""
    for separator in "，、；;":
        text = text.replace(separator, ",")
    return [word.strip() for word in text.split(",") if word.strip()]
