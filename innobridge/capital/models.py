"""Investor profiles (投资机构画像): what a fund, bank or guarantee firm looks for."""

from __future__ import annotations

from django.conf import settings
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


class SessionSeries(models.Model):
    """A recurring matchmaking event (联企创投汇·周三会): the weekly rule and the room."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("周一")
        TUESDAY = 1, _("周二")
        WEDNESDAY = 2, _("周三")
        THURSDAY = 3, _("周四")
        FRIDAY = 4, _("周五")
        SATURDAY = 5, _("周六")
        SUNDAY = 6, _("周日")

    name = models.CharField(_("活动名称"), max_length=60, unique=True)
    weekday = models.PositiveSmallIntegerField(
        _("每周举办日"), choices=Weekday.choices, default=Weekday.WEDNESDAY
    )
    start = models.TimeField(_("开始时间"))
    slot_minutes = models.PositiveSmallIntegerField(_("每场洽谈（分钟）"), default=20)
    slots = models.PositiveSmallIntegerField(_("洽谈时段数"), default=8)
    morning_slots = models.PositiveSmallIntegerField(_("上午时段数"), default=0)
    tables = models.PositiveSmallIntegerField(_("洽谈桌数"), default=10)
    venue = models.CharField(_("地点"), max_length=120)
    online = models.BooleanField(_("支持线上参加"), default=False)
    capacity = models.PositiveSmallIntegerField(_("企业名额"), default=40)
    description = models.TextField(_("活动说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("系列活动")
        verbose_name_plural = _("系列活动")

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """一场对接会: time slots × tables, registration until a deadline, then an optimal schedule."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        OPEN = "open", _("报名中")
        CLOSED = "closed", _("报名截止")
        PRELIMINARY = "preliminary", _("初步日程")
        FINAL = "final", _("正式日程")
        DONE = "done", _("已举办")

    series = models.ForeignKey(
        SessionSeries, verbose_name=_("系列活动"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="sessions",
    )  # fmt: skip
    title = models.CharField(_("活动名称"), max_length=120)
    date = models.DateField(_("举办日期"))
    start = models.TimeField(_("开始时间"))
    slot_minutes = models.PositiveSmallIntegerField(_("每场洽谈（分钟）"), default=20)
    slots = models.PositiveSmallIntegerField(_("洽谈时段数"), default=8)
    morning_slots = models.PositiveSmallIntegerField(_("上午时段数"), default=0)
    tables = models.PositiveSmallIntegerField(_("洽谈桌数"), default=10)
    venue = models.CharField(_("地点"), max_length=120)
    online = models.BooleanField(_("支持线上参加"), default=False)
    capacity = models.PositiveSmallIntegerField(_("企业名额"), default=40)
    deadline = models.DateField(_("报名截止日期"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    description = models.TextField(_("活动说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("对接会")
        verbose_name_plural = _("对接会")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__lte=models.F("date")),
                name="session_deadline_before_date",
                violation_error_message=_("报名截止日期不能晚于举办日期。"),
            ),
            models.CheckConstraint(
                condition=models.Q(morning_slots__lte=models.F("slots")),
                name="session_morning_within_slots",
                violation_error_message=_("上午时段数不能多于时段总数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.date:%Y-%m-%d}）"

    def slot_times(self) -> list[tuple[int, str]]:
        """(slot, "14:00–14:20") for every slot, 1-based."""
        import datetime

        begin = datetime.datetime.combine(self.date, self.start)
        step = datetime.timedelta(minutes=self.slot_minutes)
        return [
            (n, f"{(begin + step * (n - 1)):%H:%M}–{(begin + step * n):%H:%M}")
            for n in range(1, self.slots + 1)
        ]


class Participant(models.Model):
    """报名: an SME with its needs, or a provider (fund, bank, guarantee firm, agency) with offers."""

    class Side(models.TextChoices):
        SME = "sme", _("科技企业")
        PROVIDER = "provider", _("金融与服务机构")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    session = models.ForeignKey(
        Session, verbose_name=_("对接会"), on_delete=models.CASCADE, related_name="participants"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    side = models.CharField(_("参会身份"), max_length=10, choices=Side.choices)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报名人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    financing_amount = models.DecimalField(
        _("融资需求（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    financing_stage = models.CharField(
        _("融资阶段"), max_length=10, choices=InvestmentStage.choices, blank=True
    )
    financing_need = models.TextField(_("融资需求说明"), blank=True)
    technology_need = models.TextField(_("技术需求"), blank=True)
    market_need = models.TextField(_("市场需求"), blank=True)
    offer = models.TextField(_("可提供的服务与产品"), blank=True)
    unavailable = models.JSONField(_("不可参加的时段"), default=list, blank=True)
    online = models.BooleanField(_("线上参加"), default=False)
    registered = models.DateTimeField(_("报名时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["session", "side", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organization"],
                name="participant_once_per_session",
                violation_error_message=_("该单位已报名本场对接会。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.name}（{self.get_side_display()}）"

    def needs(self) -> str:
        return " ".join(t for t in (self.financing_need, self.technology_need, self.market_need, self.offer) if t)  # fmt: skip


class Interest(models.Model):
    """意向: one side's mark for a possible meeting — must meet, would meet, or no."""

    class Mark(models.TextChoices):
        MUST = "must", _("必须见")
        WOULD = "would", _("愿意见")
        NO = "no", _("不需要")

    source = models.ForeignKey(
        Participant, verbose_name=_("标记方"), on_delete=models.CASCADE, related_name="marks_given"
    )
    target = models.ForeignKey(
        Participant, verbose_name=_("对象"), on_delete=models.CASCADE, related_name="marks_received"
    )
    mark = models.CharField(_("意向"), max_length=6, choices=Mark.choices)
    requested = models.BooleanField(_("发出约见请求"), default=False)
    message = models.CharField(_("留言"), max_length=200, blank=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("对接意向")
        verbose_name_plural = _("对接意向")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="interest_once_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}: {self.mark}"


class Meeting(models.Model):
    """一对一洽谈: chosen from mutual interest, placed in a slot and at a table; outcomes after."""

    class Result(models.TextChoices):
        NONE = "none", _("暂无进展")
        FOLLOW_UP = "follow_up", _("约定后续跟进")
        TERM_SHEET = "term_sheet", _("签署投资意向书")
        LOAN = "loan", _("贷款获批")
        DEAL = "deal", _("达成合作/投资")

    session = models.ForeignKey(
        Session, verbose_name=_("对接会"), on_delete=models.CASCADE, related_name="meetings"
    )
    sme = models.ForeignKey(
        Participant,
        verbose_name=_("科技企业"),
        on_delete=models.CASCADE,
        related_name="sme_meetings",
    )
    provider = models.ForeignKey(
        Participant, verbose_name=_("金融与服务机构"), on_delete=models.CASCADE,
        related_name="provider_meetings",
    )  # fmt: skip
    weight = models.PositiveSmallIntegerField(_("意向强度"), default=1)
    slot = models.PositiveSmallIntegerField(_("时段"), null=True, blank=True)
    table = models.PositiveSmallIntegerField(_("洽谈桌"), null=True, blank=True)
    locked = models.BooleanField(_("锁定"), default=False)
    held = models.BooleanField(_("已洽谈"), null=True, blank=True)
    sme_result = models.CharField(_("企业反馈"), max_length=12, choices=Result.choices, blank=True)
    provider_result = models.CharField(
        _("机构反馈"), max_length=12, choices=Result.choices, blank=True
    )
    amount = models.DecimalField(
        _("金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("洽谈")
        verbose_name_plural = _("洽谈")
        ordering = ["session", "slot", "table", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "sme", "provider"], name="meeting_once_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sme.organization.name} × {self.provider.organization.name}"

    @property
    def result(self) -> str:
        """The furthest result either side reports."""
        order = [r.value for r in self.Result]
        found = [r for r in (self.sme_result, self.provider_result) if r]
        return max(found, key=order.index) if found else ""
