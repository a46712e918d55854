"""The organizations sheet: columns for template, import and export."""

from __future__ import annotations

from innobridge.core.choices import District, TechField
from innobridge.core.excel import (
    Column,
    SheetSpec,
    choice_parser,
    date_cell,
    field_label,
    text_parser,
)
from innobridge.core.roles import is_staff_role
from innobridge.orgs import services
from innobridge.orgs.models import Organization
from innobridge.orgs.selectors import organization_list_for


def _label(name: str) -> str:
    return field_label(Organization, name)  # type: ignore[no-any-return]


ORGANIZATION_SHEET = SheetSpec(
    entity="orgs",
    title=Organization._meta.verbose_name_plural or "",
    columns=(
        Column("name", _label("name"), True, text_parser(200), width=36),
        Column(
            "kind",
            _label("kind"),
            True,
            choice_parser(Organization.Kind),
            choices=Organization.Kind.choices,
        ),
        Column("uscc", _label("uscc"), False, text_parser(40), width=24),
        Column("short_name", _label("short_name"), False, text_parser(60)),
        Column(
            "district", _label("district"), False, choice_parser(District), choices=District.choices
        ),
        Column(
            "field", _label("field"), False, choice_parser(TechField), choices=TechField.choices
        ),
        Column("founded", _label("founded"), False, date_cell),
        Column(
            "size",
            _label("size"),
            False,
            choice_parser(Organization.Size),
            choices=Organization.Size.choices,
        ),
        Column("description", _label("description"), False, text_parser(20000), width=50),
    ),  # fmt: skip
    create_row=lambda actor, row: services.organization_create(actor=actor, **row),
    rows_for_export=lambda user, params: organization_list_for(user=user, params=params),
    can_import=is_staff_role,
)
