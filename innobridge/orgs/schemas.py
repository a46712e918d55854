"""API shapes of organizations and joint labs."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema

from innobridge.core.choices import District, TechField
from innobridge.orgs.models import JointLabMember, Organization


class OrganizationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    uscc: str
    district: str
    district_label: str
    field: str
    field_label: str
    founded: datetime.date | None
    size: str
    description: str


class OrganizationPage(Schema):
    count: int
    page: int
    pages: int
    items: list[OrganizationOut]


class OrganizationIn(Schema):
    name: str = Field(min_length=2, max_length=200)
    kind: Organization.Kind
    uscc: str = Field("", max_length=40)
    short_name: str = Field("", max_length=60)
    district: District | None = None
    field: TechField | None = None
    founded: datetime.date | None = None
    size: Organization.Size | None = None
    description: str = Field("", max_length=20000)


class OrganizationPatch(Schema):
    name: str | None = Field(None, min_length=2, max_length=200)
    kind: Organization.Kind | None = None
    uscc: str | None = Field(None, max_length=40)
    short_name: str | None = Field(None, max_length=60)
    district: District | None = None
    field: TechField | None = None
    founded: datetime.date | None = None
    size: Organization.Size | None = None
    description: str | None = Field(None, max_length=20000)


class LabMemberOut(Schema):
    organization_id: int
    organization_name: str
    role: str
    role_label: str


class LabMemberIn(Schema):
    organization_id: int
    role: JointLabMember.Role = JointLabMember.Role.MEMBER


class JointLabOut(Schema):
    id: int
    name: str
    lead_id: int
    lead_name: str
    field: str
    field_label: str
    founded: datetime.date | None
    batch: str
    description: str
    achievements: str
    funding: Decimal | None
    members: list[LabMemberOut]


class JointLabPage(Schema):
    count: int
    page: int
    pages: int
    items: list[JointLabOut]


class JointLabIn(Schema):
    name: str = Field(min_length=2, max_length=120)
    lead_id: int
    field: TechField
    founded: datetime.date | None = None
    batch: str = Field("", max_length=40)
    description: str = Field("", max_length=20000)
    achievements: str = Field("", max_length=20000)
    funding: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    members: list[LabMemberIn] = Field(default_factory=list, max_length=500)


class JointLabPatch(Schema):
    name: str | None = Field(None, min_length=2, max_length=120)
    lead_id: int | None = None
    field: TechField | None = None
    founded: datetime.date | None = None
    batch: str | None = Field(None, max_length=40)
    description: str | None = Field(None, max_length=20000)
    achievements: str | None = Field(None, max_length=20000)
    funding: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    members: list[LabMemberIn] | None = Field(None, max_length=500)
