"""The technology projects sheet: columns for template, import and export."""

from __future__ import annotations

from innobridge.core.access import can_create_owned_record
from innobridge.core.choices import TechField, Visibility
from innobridge.core.excel import (
    Column,
    SheetSpec,
    choice_parser,
    field_label,
    integer_parser,
    organization_cell,
    text_parser,
)
from innobridge.projects import services
from innobridge.projects.models import TechProject
from innobridge.projects.selectors import project_list_for


def _label(name: str) -> str:
    return field_label(TechProject, name)  # type: ignore[no-any-return]


PROJECT_SHEET = SheetSpec(
    entity="projects",
    title=TechProject._meta.verbose_name_plural or "",
    columns=(
        Column("title", _label("title"), True, text_parser(200), width=40),
        Column(
            "owner",
            _label("owner"),
            True,
            organization_cell,
            export=lambda project, user: project.owner.name,
            width=32,
        ),
        Column(
            "kind",
            _label("kind"),
            False,
            choice_parser(TechProject.Kind),
            choices=TechProject.Kind.choices,
        ),
        Column("field", _label("field"), True, choice_parser(TechField), choices=TechField.choices),
        Column(
            "trl",
            _label("trl"),
            True,
            integer_parser(1, 9),
            export=lambda project, user: project.trl,
            width=12,
        ),
        Column("leader", _label("leader"), False, text_parser(50)),
        Column("keywords", _label("keywords"), False, text_parser(300), width=30),
        Column("summary", _label("summary"), True, text_parser(20000), width=60),
        Column(
            "stage",
            _label("stage"),
            False,
            choice_parser(TechProject.Stage),
            choices=TechProject.Stage.choices,
        ),
        Column(
            "visibility",
            _label("visibility"),
            False,
            choice_parser(Visibility),
            choices=Visibility.choices,
        ),
    ),  # fmt: skip
    create_row=lambda actor, row: services.project_create(actor=actor, **row),
    rows_for_export=lambda user, params: project_list_for(user=user, params=params),
    can_import=can_create_owned_record,
)
