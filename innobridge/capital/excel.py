"""The investors sheet: an unknown institution is registered as an organization on import."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from innobridge.capital import services
from innobridge.capital.models import InvestmentStage, InvestorProfile
from innobridge.capital.selectors import investor_list_for
from innobridge.core.choices import TechField
from innobridge.core.excel import (
    Column,
    SheetSpec,
    choice_parser,
    decimal_cell,
    field_label,
    multi_choice_parser,
    text_parser,
)
from innobridge.core.roles import is_staff_role
from innobridge.core.uscc import normalize
from innobridge.orgs import services as org_services
from innobridge.orgs.models import Organization


def _label(name: str) -> str:
    return field_label(InvestorProfile, name)  # type: ignore[no-any-return]


def _labels(values: list[str], choices: Any) -> str:
    names = dict(choices)
    return "、".join(str(names.get(value, value)) for value in values)


def create_row(actor: Any, row: dict[str, Any]) -> InvestorProfile:
    name = row.pop("organization_name")
    uscc = normalize(row.pop("uscc", ""))
    organization = Organization.objects.filter(name=name).first()
    if organization is None and uscc:
        organization = Organization.objects.filter(uscc=uscc).first()
    if organization is None:
        kind = row.get("kind")
        organization = org_services.organization_create(
            actor=actor,
            name=name,
            uscc=uscc,
            kind=(
                Organization.Kind.FINANCIAL
                if kind in (InvestorProfile.Kind.BANK, InvestorProfile.Kind.GUARANTEE)
                else Organization.Kind.INVESTOR
            ),
        )
    return services.investor_create(actor=actor, organization=organization, **row)


INVESTOR_SHEET = SheetSpec(
    entity="investors",
    title=InvestorProfile._meta.verbose_name_plural or "",
    columns=(
        Column(
            "organization_name",
            _("机构名称"),
            True,
            text_parser(200),
            export=lambda profile, user: profile.organization.name,
            width=36,
        ),
        Column(
            "kind",
            _label("kind"),
            True,
            choice_parser(InvestorProfile.Kind),
            choices=InvestorProfile.Kind.choices,
        ),
        Column(
            "uscc",
            _("统一社会信用代码"),
            False,
            text_parser(40),
            export=lambda profile, user: profile.organization.uscc,
            width=24,
        ),
        Column(
            "preferred_fields",
            _label("preferred_fields"),
            False,
            multi_choice_parser(TechField),
            choices=TechField.choices,
            width=30,
            export=lambda p, user: _labels(p.preferred_fields, TechField.choices),
        ),
        Column(
            "preferred_stages",
            _label("preferred_stages"),
            False,
            multi_choice_parser(InvestmentStage),
            choices=InvestmentStage.choices,
            width=24,
            export=lambda p, user: _labels(p.preferred_stages, InvestmentStage.choices),
        ),
        Column("ticket_min", _label("ticket_min"), False, decimal_cell, width=14),
        Column("ticket_max", _label("ticket_max"), False, decimal_cell, width=14),
        Column("products", _label("products"), False, text_parser(300), width=30),
        Column("description", _label("description"), False, text_parser(20000), width=50),
    ),  # fmt: skip
    create_row=create_row,
    rows_for_export=lambda user, params: investor_list_for(user=user, params=params),
    can_import=is_staff_role,
    field_to_column={"organization": "organization_name"},
)
