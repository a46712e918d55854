"""Enterprise cultivation data: yearly figures, enterprise attributes, evaluations, cohorts.

The rules themselves are data files (``innobridge/cultivation/rules/YYYY.yaml``) evaluated by the
pure-Python engine in ``innobridge/cultivation/tiers/``; ``TierEvaluation`` keeps each
enterprise's result per year so the ladder, watchlist and rosters are plain queries.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from innobridge.orgs.models import Organization


class Certificate(models.TextChoices):
    """Certificates and awards the rules refer to (codes are used in the rules file)."""

    HIGH_TECH = "high_tech", _("高新技术企业证书")
    TSME = "tsme", _("科技型中小企业入库")
    INNOVATIVE_SME = "innovative_sme", _("创新型中小企业")
    SRDI = "srdi", _("专精特新中小企业")
    LITTLE_GIANT = "little_giant", _("专精特新“小巨人”")
    NATIONAL_AWARD = "national_award", _("国家科技奖（前三完成单位，5年内）")
    PROVINCIAL_AWARD = "provincial_award", _("省级科技奖（3年内）")
    RD_INSTITUTION = "provincial_rd_institution", _("省级以上研发机构")
    STANDARD_LEAD = "standard_lead", _("主导制定国际/国家/行业标准（5年内）")


def _money(label: Any) -> Any:
    return models.DecimalField(label, max_digits=14, decimal_places=2, null=True, blank=True)


def _count(label: Any) -> Any:
    return models.PositiveIntegerField(label, null=True, blank=True)


class EnterpriseProfile(models.Model):
    """企业培育档案: the enterprise-level attributes the rules need (founding date, district and
    field live on the organization)."""

    organization = models.OneToOneField(
        Organization,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="cultivation",
    )
    registered_in_wuhan = models.BooleanField(_("在汉注册"), null=True, blank=True)
    listed = models.BooleanField(_("已上市"), null=True, blank=True)
    certificates = models.JSONField(_("资质"), default=list, blank=True)
    awards = models.TextField(_("获奖情况"), blank=True)
    major_incident = models.BooleanField(_("上年发生重大事故"), null=True, blank=True)
    dishonest = models.BooleanField(_("列入严重失信名单"), null=True, blank=True)
    abnormal = models.BooleanField(_("列入经营异常名录"), null=True, blank=True)
    innovation_expert_score = models.PositiveSmallIntegerField(
        _("高企创新能力专家评分（满分80）"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(80)],
    )
    niche_share = models.DecimalField(
        _("细分市场全国占有率（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    own_brand = models.BooleanField(_("拥有自主品牌"), null=True, blank=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("企业培育档案")
        verbose_name_plural = _("企业培育档案")

    def __str__(self) -> str:
        return str(self.organization)


class EnterpriseYearRecord(models.Model):
    """企业年度数据: one enterprise's figures for one fiscal year (money in 万元)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="year_records"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    revenue = _money(_("营业收入（万元）"))
    main_revenue = _money(_("主营业务收入（万元）"))
    hitech_revenue = _money(_("高新技术产品（服务）收入（万元）"))
    rd_expense = _money(_("研发费用（万元）"))
    rd_expense_in_china = _money(_("境内研发费用（万元）"))
    total_cost = _money(_("成本费用总额（万元）"))
    profit = models.DecimalField(
        _("利润总额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    employees = _count(_("职工总数"))
    st_staff = _count(_("科技人员数"))
    rd_staff = _count(_("研发人员数"))
    assets = _money(_("资产总额（万元）"))
    liabilities = _money(_("负债总额（万元）"))
    ip_class1 = _count(_("Ⅰ类知识产权数"))
    ip_class2 = _count(_("Ⅱ类知识产权数"))
    conversions = _count(_("科技成果转化数"))
    equity_financing = _money(_("股权融资额（万元）"))
    valuation_musd = models.DecimalField(
        _("估值（百万美元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("企业年度数据")
        verbose_name_plural = _("企业年度数据")
        ordering = ["organization", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="year_record_unique",
                violation_error_message=_("该企业该年度的数据已存在。"),
            )
        ]
        indexes = [models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.organization} · {self.year}"


class TierEvaluation(models.Model):
    """The engine's verdict for one enterprise and evaluation year (recomputed when the
    enterprise's data or the year's rules file changes)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="tier_evaluations",
    )
    year = models.PositiveSmallIntegerField(_("评价年度"))
    rules_year = models.PositiveSmallIntegerField(_("规则年度"))
    rules_digest = models.CharField(_("规则版本"), max_length=32)
    tier = models.CharField(_("梯度"), max_length=20, blank=True)
    programs = models.JSONField(_("符合的培育计划"), default=list)
    unknown = models.JSONField(_("数据不足的培育计划"), default=list)
    scores = models.JSONField(_("评分"), default=dict)
    rosters = models.JSONField(_("入选名录"), default=list)
    near = models.JSONField(_("接近的目标"), default=list)
    closest_gap = models.FloatField(_("最小差距"), null=True, blank=True)
    evaluated = models.DateTimeField(_("评价时间"), auto_now=True)

    class Meta:
        verbose_name = _("培育评价结果")
        verbose_name_plural = _("培育评价结果")
        ordering = ["organization", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="tier_evaluation_unique")
        ]
        indexes = [models.Index(fields=["year", "tier"]), models.Index(fields=["year", "closest_gap"])]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.organization} · {self.year} · {self.tier or '-'}"


class CohortMember(models.Model):
    """An enterprise selected into a programme cohort (e.g. 育苗计划2025届)."""

    roster = models.CharField(_("计划"), max_length=40)
    cohort_year = models.PositiveSmallIntegerField(_("入选年度"))
    organization = models.ForeignKey(
        Organization, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="cohorts"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added = models.DateTimeField(_("入选时间"), auto_now_add=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("培育计划入选企业")
        verbose_name_plural = _("培育计划入选企业")
        ordering = ["roster", "-cohort_year", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "organization"],
                name="cohort_member_unique",
                violation_error_message=_("该企业已入选该计划。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.roster} {self.cohort_year} · {self.organization}"
