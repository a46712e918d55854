"""API shapes of scenario demands; the contact is null for callers who may not see it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema

from innobridge.core.choices import District, TechField, Visibility
from innobridge.demands.models import ScenarioDemand


class DemandOut(Schema):
    id: int
    title: str
    description: str
    demand_type: str
    demand_type_label: str
    field: str
    field_label: str
    required_trl: int | None
    budget: Decimal | None
    deadline: datetime.date | None
    district: str
    district_label: str
    owner_id: int
    owner_name: str
    keywords: list[str]
    status: str
    status_label: str
    visibility: str
    contact_name: str | None
    contact_phone: str | None
    created: datetime.datetime


class DemandPage(Schema):
    count: int
    page: int
    pages: int
    items: list[DemandOut]


class DemandIn(Schema):
    title: str = Field(min_length=2, max_length=200)
    description: str = Field(min_length=10, max_length=20000)
    field: TechField
    owner_id: int
    demand_type: ScenarioDemand.Type = ScenarioDemand.Type.TECHNOLOGY
    required_trl: int | None = Field(None, ge=1, le=9)
    budget: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    deadline: datetime.date | None = None
    district: District | None = None
    keywords: str = Field("", max_length=300)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=30)
    status: ScenarioDemand.Status = ScenarioDemand.Status.DRAFT
    visibility: Visibility = Visibility.DRAFT


class DemandPatch(Schema):
    title: str | None = Field(None, min_length=2, max_length=200)
    description: str | None = Field(None, min_length=10, max_length=20000)
    field: TechField | None = None
    demand_type: ScenarioDemand.Type | None = None
    required_trl: int | None = Field(None, ge=1, le=9)
    budget: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    deadline: datetime.date | None = None
    district: District | None = None
    keywords: str | None = Field(None, max_length=300)
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=30)
    status: ScenarioDemand.Status | None = None
    visibility: Visibility | None = None
