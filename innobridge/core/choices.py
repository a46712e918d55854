"""Choice lists shared by every area: technology fields, districts, visibility, TRL."""

from __future__ import annotations

from functools import lru_cache, partialmethod
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
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


def choice_display(instance: models.Model, field: models.Field[Any, Any]) -> Any:
    """``get_FOO_display()`` with the field's labels looked up once per language.

    Django's own version builds a dict of every choice on each call, and hashing a lazy label
    translates it: a list page of 20 rows called gettext ~900 times (a third of its render
    time). Installed on every model by ``install_choice_display`` (``CoreConfig.ready``); the
    labels follow the active language exactly as before.
    """
    value = getattr(instance, field.attname)
    labels = _labels(field, get_language())
    return labels.get(make_hashable(value), value)


@lru_cache(maxsize=1024)
def _labels(field: models.Field[Any, Any], language: str | None) -> dict[Any, Any]:
    return {
        make_hashable(value): force_str(label, strings_only=True)
        for value, label in field.flatchoices
    }


def install_choice_display() -> None:
    """Point every model's Django-made ``get_FOO_display`` at ``choice_display``.

    Django binds ``partialmethod(Model._get_FIELD_display, field=...)`` when a model class is
    created, so the generated methods are replaced one by one; a ``get_FOO_display`` a model
    defines itself is left alone.
    """
    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            method = model.__dict__.get(name)
            original = models.Model._get_FIELD_display  # type: ignore[attr-defined]
            if isinstance(method, partialmethod) and method.func is original:
                setattr(model, name, partialmethod(choice_display, field=field))
