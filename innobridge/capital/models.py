"""Investor profiles (投资机构画像): what a fund, bank or guarantee firm looks for."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from innobridge.orgs.models import Organization


class InvestmentStage(models.TextChoices):
    SEED = "seed", _("种子期")
    ANGEL = "angel", _("天使轮")
    A = "a", _("A轮")
    B = "b", _("B轮")
    C = "c", _("C轮及以后")
    PRE_IPO = "pre_ipo", _("Pre-IPO")
    GROWTH = "growth", _("成长期/扩张期")


class InvestorProfile(models.Model):
    """投资机构画像: preferred fields and stages, and ticket size in 万元."""

    class Kind(models.TextChoices):
        VC = "vc", _("创业投资（VC）")
        PE = "pe", _("私募股权（PE）")
        BANK = "bank", _("银行")
        GUARANTEE = "guarantee", _("融资担保")
        GOVERNMENT_FUND = "government_fund", _("政府引导基金")

    organization = models.OneToOneField(
        Organization,
        verbose_name=_("机构"),
        on_delete=models.CASCADE,
        related_name="investor_profile",
    )
    kind = models.CharField(_("机构类型"), max_length=20, choices=Kind.choices)
    preferred_fields = models.JSONField(_("关注领域"), default=list, blank=True)
    preferred_stages = models.JSONField(_("投资阶段"), default=list, blank=True)
    ticket_min = models.DecimalField(
        _("单笔规模下限（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    ticket_max = models.DecimalField(
        _("单笔规模上限（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    products = models.CharField(_("金融产品"), max_length=300, blank=True)
    description = models.TextField(_("投资偏好说明"), blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("投资机构")
        verbose_name_plural = _("投资机构")
        ordering = ["organization__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ticket_min__isnull=True)
                | models.Q(ticket_max__isnull=True)
                | models.Q(ticket_max__gte=models.F("ticket_min")),
                name="investor_ticket_range",
                violation_error_message=_("单笔规模上限不能小于下限。"),
            )
        ]

    def __str__(self) -> str:
        return self.organization.name
