"""The expert pool sheet (专家库): import with a row-by-row report, export for staff."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from innobridge.core.choices import TechField
from innobridge.core.excel import (
    Column,
    SheetSpec,
    choice_parser,
    date_cell,
    multi_choice_parser,
    organization_cell,
    text_parser,
)
from innobridge.core.roles import is_staff_role
from innobridge.review.experts import expert_upsert, experts_for_export


def _organization(person: Any, user: Any) -> str:
    current = [m for m in person.memberships.all() if m.end is None]
    return current[-1].organization.name if current else ""


def _profile(attribute: str) -> Any:
    def value(person: Any, user: Any) -> Any:
        profile = getattr(person, "expert_profile", None)
        if profile is None:
            return ""
        found = getattr(profile, attribute)
        if attribute == "other_fields":
            labels = dict(TechField.choices)
            return "、".join(str(labels.get(code, code)) for code in found)
        return found

    return value


EXPERT_SHEET = SheetSpec(
    entity="experts",
    title=_("专家库"),
    columns=(
        Column("name", _("姓名"), True, text_parser(50)),
        Column(
            "organization", _("任职单位"), True, organization_cell, export=_organization, width=36
        ),
        Column("title", _("职称/职务"), False, text_parser(60)),
        Column("field", _("专业领域"), False, choice_parser(TechField), choices=TechField.choices),
        Column(
            "other_fields",
            _("其他熟悉领域"),
            False,
            multi_choice_parser(TechField),
            export=_profile("other_fields"),
            width=30,
        ),
        Column("keywords", _("研究方向关键词"), False, text_parser(300), width=40),
        Column("email", _("电子邮箱"), False, text_parser(254)),
        Column("phone", _("联系电话"), False, text_parser(30)),
        Column("since", _("任职起始日期"), False, date_cell, export=lambda p, u: None),
        Column("bio", _("专家简介"), False, text_parser(5000), export=_profile("bio"), width=50),
        Column(
            "works",
            _("代表性项目与论文"),
            False,
            text_parser(5000),
            export=_profile("works"),
            width=50,
        ),
    ),  # fmt: skip
    create_row=lambda actor, row: expert_upsert(actor=actor, **row),
    rows_for_export=experts_for_export,
    can_import=is_staff_role,
)
