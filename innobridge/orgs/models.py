"""Organizations (单位), people (人员), memberships (任职) and joint labs (产业创新联合实验室)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from innobridge.core.choices import District, TechField
from innobridge.core.uscc import validate_uscc


class Organization(models.Model):
    """单位: an enterprise, university, institute, bank, investor, department or agency."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        UNIVERSITY = "university", _("高校")
        INSTITUTE = "institute", _("科研院所")
        FINANCIAL = "financial", _("金融机构")
        INVESTOR = "investor", _("投资机构")
        GOVERNMENT = "government", _("政府部门")
        SERVICE = "service", _("服务机构")
        LAB = "lab", _("实验室")

    class Size(models.TextChoices):
        MICRO = "micro", _("微型")
        SMALL = "small", _("小型")
        MEDIUM = "medium", _("中型")
        LARGE = "large", _("大型")

    name = models.CharField(_("单位名称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=Kind.choices)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc]
    )
    district = models.CharField(_("所在区"), max_length=20, choices=District.choices, blank=True)
    field = models.CharField(_("产业领域"), max_length=30, choices=TechField.choices, blank=True)
    founded = models.DateField(_("成立日期"), null=True, blank=True)
    size = models.CharField(_("规模"), max_length=10, choices=Size.choices, blank=True)
    description = models.TextField(_("简介"), blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~Q(uscc=""),
                name="organization_uscc_unique",
                violation_error_message=_("该统一社会信用代码已登记。"),
            )
        ]
        indexes = [
            models.Index(fields=["kind", "district"]),
            models.Index(fields=["field"]),
            # a search on the owner's name reads the table's latest change once per data version
            # (core.listing.table_stamp)
            models.Index(fields=["updated"], name="orgs_organization_updated"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from innobridge.core.links import record_url

        return record_url("orgs:detail", self.pk)


class Person(models.Model):
    """人员: a researcher, manager, contact or review expert; may have a login."""

    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职称/职务"), max_length=60, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    is_expert = models.BooleanField(_("入库专家"), default=False)
    field = models.CharField(_("专业领域"), max_length=30, choices=TechField.choices, blank=True)
    keywords = models.CharField(_("研究方向关键词"), max_length=300, blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """任职: a person's role in an organization over a period (feeds conflict-of-interest checks)."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("职务"), max_length=60, blank=True)
    start = models.DateField(_("起始日期"), null=True, blank=True)
    end = models.DateField(_("结束日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任职关系")
        verbose_name_plural = _("任职关系")
        ordering = ["person", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True)
                | Q(start__isnull=True)
                | Q(end__gte=models.F("start")),
                name="membership_end_after_start",
                violation_error_message=_("结束日期不能早于起始日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.organization}"


class JointLab(models.Model):
    """产业创新联合实验室: led by one enterprise, with universities, institutes and firms."""

    name = models.CharField(_("实验室名称"), max_length=120, unique=True)
    lead = models.ForeignKey(
        Organization,
        verbose_name=_("牵头企业"),
        on_delete=models.PROTECT,
        related_name="led_labs",
    )
    field = models.CharField(_("聚焦领域"), max_length=30, choices=TechField.choices)
    founded = models.DateField(_("成立日期"), null=True, blank=True)
    batch = models.CharField(_("批次"), max_length=40, blank=True)
    description = models.TextField(_("简介"), blank=True)
    achievements = models.TextField(_("代表性成果"), blank=True)
    funding = models.DecimalField(
        _("财政支持资金（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    members = models.ManyToManyField(
        Organization,
        through="JointLabMember",
        verbose_name=_("成员单位"),
        related_name="joint_labs",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("产业创新联合实验室")
        verbose_name_plural = _("产业创新联合实验室")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JointLabMember(models.Model):
    """成员单位: an organization's role in a joint lab."""

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头单位")
        CORE = "core", _("核心成员")
        MEMBER = "member", _("成员单位")
        PARTNER = "partner", _("合作单位")

    lab = models.ForeignKey(
        JointLab, verbose_name=_("实验室"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="lab_roles"
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("实验室成员单位")
        verbose_name_plural = _("实验室成员单位")
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "organization"],
                name="lab_member_unique",
                violation_error_message=_("该单位已是实验室成员。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.lab} · {self.organization}"
