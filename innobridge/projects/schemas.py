"""API shapes of technology projects."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from innobridge.core.choices import TechField, Visibility
from innobridge.projects.models import TechProject


class ProjectOut(Schema):
    id: int
    title: str
    summary: str
    kind: str
    kind_label: str
    field: str
    field_label: str
    trl: int
    owner_id: int
    owner_name: str
    leader: str
    keywords: list[str]
    stage: str
    stage_label: str
    visibility: str
    created: datetime.datetime
    updated: datetime.datetime


class ProjectPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ProjectOut]


class ProjectIn(Schema):
    title: str = Field(min_length=2, max_length=200)
    summary: str = Field(min_length=10, max_length=20000)
    field: TechField
    trl: int = Field(ge=1, le=9)
    owner_id: int
    kind: TechProject.Kind = TechProject.Kind.PROJECT
    keywords: str = Field("", max_length=300)
    leader: str = Field("", max_length=50)
    stage: TechProject.Stage = TechProject.Stage.DISCOVERED
    visibility: Visibility = Visibility.DRAFT


class ProjectPatch(Schema):
    title: str | None = Field(None, min_length=2, max_length=200)
    summary: str | None = Field(None, min_length=10, max_length=20000)
    field: TechField | None = None
    trl: int | None = Field(None, ge=1, le=9)
    kind: TechProject.Kind | None = None
    keywords: str | None = Field(None, max_length=300)
    leader: str | None = Field(None, max_length=50)
    visibility: Visibility | None = None
