"""The scenario demands sheet; the contact columns stay empty for users who may not see them."""

from __future__ import annotations

from typing import Any

from innobridge.core.access import can_create_owned_record, demand_contact_visible
from innobridge.core.choices import District, TechField, Visibility
from innobridge.core.excel import (
    Column,
    SheetSpec,
    choice_parser,
    date_cell,
    decimal_cell,
    field_label,
    integer_parser,
    organization_cell,
    text_parser,
)
from innobridge.demands import services
from innobridge.demands.models import ScenarioDemand
from innobridge.demands.selectors import demand_list_for


def _label(name: str) -> str:
    return field_label(ScenarioDemand, name)  # type: ignore[no-any-return]


def _private(name: str) -> Any:
    def export(demand: ScenarioDemand, user: Any) -> str:
        return getattr(demand, name) if demand_contact_visible(user, demand) else ""

    return export


DEMAND_SHEET = SheetSpec(
    entity="demands",
    title=ScenarioDemand._meta.verbose_name_plural or "",
    columns=(
        Column("title", _label("title"), True, text_parser(200), width=40),
        Column(
            "owner",
            _label("owner"),
            True,
            organization_cell,
            export=lambda demand, user: demand.owner.name,
            width=32,
        ),
        Column(
            "demand_type",
            _label("demand_type"),
            False,
            choice_parser(ScenarioDemand.Type),
            choices=ScenarioDemand.Type.choices,
        ),
        Column("field", _label("field"), True, choice_parser(TechField), choices=TechField.choices),
        Column(
            "required_trl",
            _label("required_trl"),
            False,
            integer_parser(1, 9),
            export=lambda demand, user: demand.required_trl,
            width=12,
        ),
        Column("budget", _label("budget"), False, decimal_cell, width=12),
        Column("deadline", _label("deadline"), False, date_cell, width=12),
        Column(
            "district", _label("district"), False, choice_parser(District), choices=District.choices
        ),
        Column("keywords", _label("keywords"), False, text_parser(300), width=30),
        Column("description", _label("description"), True, text_parser(20000), width=60),
        Column(
            "contact_name",
            _label("contact_name"),
            False,
            text_parser(50),
            export=_private("contact_name"),
        ),
        Column(
            "contact_phone",
            _label("contact_phone"),
            False,
            text_parser(30),
            export=_private("contact_phone"),
        ),
        Column(
            "status",
            _label("status"),
            False,
            choice_parser(ScenarioDemand.Status),
            choices=ScenarioDemand.Status.choices,
        ),
        Column(
            "visibility",
            _label("visibility"),
            False,
            choice_parser(Visibility),
            choices=Visibility.choices,
        ),
    ),  # fmt: skip
    create_row=lambda actor, row: services.demand_create(actor=actor, **row),
    rows_for_export=lambda user, params: demand_list_for(user=user, params=params),
    can_import=can_create_owned_record,
)
