"""API shapes of investor profiles."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field, Schema

from innobridge.capital.models import InvestmentStage, InvestorProfile
from innobridge.core.choices import TechField


class InvestorOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    kind: str
    kind_label: str
    preferred_fields: list[str]
    preferred_stages: list[str]
    ticket_min: Decimal | None
    ticket_max: Decimal | None
    products: str
    description: str


class InvestorPage(Schema):
    count: int
    page: int
    pages: int
    items: list[InvestorOut]


class InvestorIn(Schema):
    organization_id: int
    kind: InvestorProfile.Kind
    preferred_fields: list[TechField] = Field(default_factory=list, max_length=15)
    preferred_stages: list[InvestmentStage] = Field(default_factory=list, max_length=7)
    ticket_min: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    ticket_max: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    products: str = Field("", max_length=300)
    description: str = Field("", max_length=20000)


class InvestorPatch(Schema):
    kind: InvestorProfile.Kind | None = None
    preferred_fields: list[TechField] | None = Field(None, max_length=15)
    preferred_stages: list[InvestmentStage] | None = Field(None, max_length=7)
    ticket_min: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    ticket_max: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    products: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=20000)
