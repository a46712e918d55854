"""Manual figures (where the platform cannot count) and generated reports.

The targets themselves are data (``targets/data/<year>.yaml``, versioned with the code); a manual
figure typed by staff overrides the file's value and keeps its history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ManualFigure(models.Model):
    """人工填报: the current value of a target the records cannot show, with its source and date."""

    year = models.PositiveSmallIntegerField(_("年度"))
    key = models.CharField(_("指标"), max_length=40)
    value = models.DecimalField(_("完成值"), max_digits=14, decimal_places=2)
    source = models.CharField(_("数据来源"), max_length=120)
    as_of = models.DateField(_("截至日期"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人工填报值")
        verbose_name_plural = _("人工填报值")
        constraints = [models.UniqueConstraint(fields=["year", "key"], name="manual_figure_once")]

    def __str__(self) -> str:
        return f"{self.year} · {self.key}"


def _report_path(instance: Report, filename: str) -> str:
    return f"reports/{instance.year}/{filename}"


class Report(models.Model):
    """月报/年报: generated in the background to Excel and PDF (with charts); kept for download."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("月度报告")
        ANNUAL = "annual", _("年度报告")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("生成失败")

    kind = models.CharField(_("报告类型"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    xlsx = models.FileField(_("Excel 文件"), upload_to=_report_path, blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to=_report_path, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        if self.kind == self.Kind.MONTHLY and self.month:
            return _("%(year)d年%(month)d月科技创新工作月报") % {
                "year": self.year,
                "month": self.month,
            }
        return _("%(year)d年科技创新工作年报") % {"year": self.year}
