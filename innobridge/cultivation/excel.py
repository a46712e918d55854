"""Excel sheets for enterprise cultivation: yearly figures, and enterprise profiles.

One row of the figures sheet is one enterprise and fiscal year; a row for a year that is
already stored updates it (only the cells that are filled). Every row runs through
``year_record_save``/``profile_save`` like a form would, so the checks are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innobridge.core.access import cultivation_visible_q
from innobridge.core.excel import (
    CellError,
    Column,
    SheetSpec,
    decimal_cell,
    field_label,
    integer_parser,
    multi_choice_parser,
    organization_cell,
    text_cell,
    text_parser,
)
from innobridge.core.roles import is_staff_role
from innobridge.cultivation import services
from innobridge.cultivation.models import Certificate, EnterpriseProfile, EnterpriseYearRecord
from innobridge.cultivation.tiers.metrics import YEAR_FIELDS

TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
FALSE = {"否", "无", "n", "no", "false", "0", "×", "✗"}


def bool_cell(value: Any) -> bool | None:
    text = text_cell(value, 10).casefold()
    if not text:
        return None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise CellError(_("应填写“是”或“否”。"))


def signed_decimal_cell(value: Any) -> Any:
    """Profit may be negative."""
    text = text_cell(value, 30)
    negative = text.startswith(("-", "－"))
    number = decimal_cell(text.lstrip("-－") if negative else value)
    return -number if negative and number is not None else number


def _year_label(name: str) -> Any:
    return field_label(EnterpriseYearRecord, name)


def _figure_parser(name: str) -> Callable[[Any], Any]:
    field = EnterpriseYearRecord._meta.get_field(name)
    if field.get_internal_type() == "PositiveIntegerField":
        return integer_parser(0, 10_000_000)
    return signed_decimal_cell if name == "profit" else decimal_cell


def _year_rows(user: Any, params: dict[str, Any]) -> Any:
    rows = EnterpriseYearRecord.objects.filter(cultivation_visible_q(user)).select_related(
        "organization"
    )
    year = str(params.get("year") or "")
    if year.isdigit():
        rows = rows.filter(year=int(year))
    return rows.order_by("organization__name", "year")


def create_year_row(actor: Any, row: dict[str, Any]) -> EnterpriseYearRecord:
    organization = row.pop("organization")
    year = row.pop("year")
    return services.year_record_save(
        actor=actor, organization=organization, year=year, figures=row, reason=_("Excel导入")
    )


YEAR_SHEET = SheetSpec(
    entity="enterprise_years",
    title=EnterpriseYearRecord._meta.verbose_name_plural or "",
    columns=(
        Column(
            "organization",
            gettext_lazy("企业名称"),
            True,
            organization_cell,
            export=lambda record, user: record.organization.name,
            width=36,
        ),
        Column("year", _year_label("year"), True, integer_parser(1990, 2100), width=8),
        *(
            Column(name, _year_label(name), False, _figure_parser(name), width=14)
            for name in YEAR_FIELDS
        ),
    ),  # fmt: skip
    create_row=create_year_row,
    rows_for_export=_year_rows,
    can_import=is_staff_role,
    field_to_column={"organization": "organization"},
)


def _profile_label(name: str) -> Any:
    return field_label(EnterpriseProfile, name)


def _bool_export(name: str) -> Callable[[Any, Any], str]:
    def export(profile: Any, user: Any) -> str:
        value = getattr(profile, name)
        return "" if value is None else (_("是") if value else _("否"))

    return export


def create_profile_row(actor: Any, row: dict[str, Any]) -> EnterpriseProfile:
    organization = row.pop("organization")
    return services.profile_save(
        actor=actor, organization=organization, data=row, reason=_("Excel导入")
    )


BOOL_FIELDS = ("registered_in_wuhan", "listed", "major_incident", "dishonest", "abnormal", "own_brand")  # fmt: skip

PROFILE_SHEET = SheetSpec(
    entity="enterprise_profiles",
    title=EnterpriseProfile._meta.verbose_name_plural or "",
    columns=(
        Column(
            "organization",
            gettext_lazy("企业名称"),
            True,
            organization_cell,
            export=lambda profile, user: profile.organization.name,
            width=36,
        ),
        *(
            Column(
                name,
                _profile_label(name),
                False,
                bool_cell,
                export=_bool_export(name),
                choices=[("yes", gettext_lazy("是")), ("no", gettext_lazy("否"))],
                width=12,
            )
            for name in BOOL_FIELDS
        ),
        Column(
            "certificates",
            _profile_label("certificates"),
            False,
            multi_choice_parser(Certificate),
            choices=Certificate.choices,
            width=40,
            export=lambda p, user: "、".join(
                str(Certificate(c).label) for c in p.certificates if c in Certificate.values
            ),
        ),
        Column("awards", _profile_label("awards"), False, text_parser(5000), width=30),
        Column(
            "innovation_expert_score",
            _profile_label("innovation_expert_score"),
            False,
            integer_parser(0, 80),
            width=14,
        ),
        Column("niche_share", _profile_label("niche_share"), False, decimal_cell, width=14),
    ),  # fmt: skip
    create_row=create_profile_row,
    rows_for_export=lambda user, params: (
        EnterpriseProfile.objects.filter(cultivation_visible_q(user))
        .select_related("organization")
        .order_by("organization__name")
    ),
    can_import=is_staff_role,
)
