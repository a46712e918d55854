"""Choice lists shared by every area: technology fields, districts, visibility, TRL."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TechField(models.TextChoices):
    """The city's 15 key technology fields (重点产业领域)."""

    OPTOELECTRONICS = "optoelectronics", _("光电子信息")
    LASER = "laser", _("激光")
    INFRARED = "infrared", _("红外与智能感知")
    BEIDOU = "beidou", _("北斗导航与时空信息")
    IC = "ic", _("集成电路与存储")
    ICV = "icv", _("智能网联汽车")
    EQUIPMENT = "equipment", _("高端装备与数控")
    BIOMED = "biomed", _("生物医药与医疗器械")
    ENERGY = "energy", _("新能源与储能")
    SPACE = "space", _("商业航天")
    LOW_ALTITUDE = "low_altitude", _("低空经济")
    AI = "ai", _("人工智能")
    MATERIALS = "materials", _("新材料")
    QUANTUM = "quantum", _("量子科技")
    INDUSTRIAL_SOFTWARE = "industrial_software", _("工业软件")


class District(models.TextChoices):
    """Wuhan's districts and functional zones (行政区与功能区)."""

    EAST_LAKE = "east_lake", _("东湖高新区")
    WEDZ = "wedz", _("武汉经开区")
    CHANGJIANG_NEW = "changjiang_new", _("长江新区")
    JIANGAN = "jiangan", _("江岸区")
    JIANGHAN = "jianghan", _("江汉区")
    QIAOKOU = "qiaokou", _("硚口区")
    HANYANG = "hanyang", _("汉阳区")
    WUCHANG = "wuchang", _("武昌区")
    QINGSHAN = "qingshan", _("青山区")
    HONGSHAN = "hongshan", _("洪山区")
    DONGXIHU = "dongxihu", _("东西湖区")
    CAIDIAN = "caidian", _("蔡甸区")
    JIANGXIA = "jiangxia", _("江夏区")
    HUANGPI = "huangpi", _("黄陂区")
    XINZHOU = "xinzhou", _("新洲区")
    HANNAN = "hannan", _("汉南区")


class Visibility(models.TextChoices):
    """Who may see a record: its owner only, platform staff, or everyone."""

    DRAFT = "draft", _("草稿（仅本单位）")
    INTERNAL = "internal", _("内部（平台工作人员）")
    PUBLIC = "public", _("公开")


TRL_CHOICES = [(level, _("TRL %(level)d") % {"level": level}) for level in range(1, 10)]


def choice_value(choices: type[models.TextChoices], text: str) -> str | None:
    """Map a code or a label in any shipped language (as typed in Excel) to the stored code."""
    from django.utils import translation

    cleaned = text.strip()
    if not cleaned:
        return None
    for value, label in choices.choices:
        if cleaned == value:
            return value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                if cleaned.casefold() == str(label).casefold():
                    return value
    return None
