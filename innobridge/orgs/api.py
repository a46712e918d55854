"""REST endpoints for organizations (/api/orgs/) and joint labs (/api/labs/)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from innobridge.api.auth import ANYONE
from innobridge.api.common import ErrorOut, choice_label, page_of
from innobridge.orgs import selectors, services
from innobridge.orgs.models import JointLab, Organization
from innobridge.orgs.schemas import (
    JointLabIn,
    JointLabOut,
    JointLabPage,
    JointLabPatch,
    LabMemberIn,
    OrganizationIn,
    OrganizationOut,
    OrganizationPage,
    OrganizationPatch,
)

router = Router()
labs_router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class OrganizationFilters(Schema):
    q: str | None = None
    kind: str | None = None
    district: str | None = None
    field: str | None = None
    size: str | None = None
    page: int = 1
    per_page: int = 20


def organization_out(organization: Organization) -> dict[str, Any]:
    return {
        "id": organization.pk,
        "name": organization.name,
        "short_name": organization.short_name,
        "kind": organization.kind,
        "kind_label": choice_label(organization, "kind"),
        "uscc": organization.uscc,
        "district": organization.district,
        "district_label": choice_label(organization, "district"),
        "field": organization.field,
        "field_label": choice_label(organization, "field"),
        "founded": organization.founded,
        "size": organization.size,
        "description": organization.description,
    }


def _blank_nulls(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {key: ("" if key in names and value is None else value) for key, value in data.items()}


@router.get("/", response=OrganizationPage, summary="单位列表（筛选、搜索、分页）")
def list_organizations(request: HttpRequest, filters: Query[OrganizationFilters]) -> dict[str, Any]:
    params = filters.dict(exclude={"page", "per_page"})
    queryset = selectors.organization_list_for(user=request.user, params=params)
    page = page_of(queryset, filters.page, filters.per_page)
    page["items"] = [organization_out(item) for item in page["items"]]
    return page


@router.get("/{org_id}", response={200: OrganizationOut, 404: ErrorOut}, summary="单位详情")
def get_organization(request: HttpRequest, org_id: int) -> dict[str, Any]:
    return organization_out(selectors.organization_get_for(user=request.user, pk=org_id))


@router.post("/", response={201: OrganizationOut, **ERRORS}, summary="新建单位（科创局）")
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Status[dict[str, Any]]:
    data = _blank_nulls(payload.dict(), ("district", "field", "size"))
    organization = services.organization_create(actor=request.user, **data)
    return Status(201, organization_out(organization))


@router.patch("/{org_id}", response={200: OrganizationOut, **ERRORS}, summary="修改单位信息")
def update_organization(
    request: HttpRequest, org_id: int, payload: OrganizationPatch
) -> dict[str, Any]:
    organization = selectors.organization_get_for(user=request.user, pk=org_id)
    data = _blank_nulls(payload.dict(exclude_unset=True), ("district", "field", "size", "uscc"))
    organization = services.organization_update(
        actor=request.user, organization=organization, data=data
    )
    return organization_out(organization)


# --- joint labs ----------------------------------------------------------------------------


class LabFilters(Schema):
    q: str | None = None
    field: str | None = None
    page: int = 1
    per_page: int = 20


def lab_out(lab: JointLab) -> dict[str, Any]:
    return {
        "id": lab.pk,
        "name": lab.name,
        "lead_id": lab.lead_id,
        "lead_name": lab.lead.name,
        "field": lab.field,
        "field_label": choice_label(lab, "field"),
        "founded": lab.founded,
        "batch": lab.batch,
        "description": lab.description,
        "achievements": lab.achievements,
        "funding": lab.funding,
        "members": [
            {
                "organization_id": member.organization_id,
                "organization_name": member.organization.name,
                "role": member.role,
                "role_label": member.get_role_display(),
            }
            for member in lab.memberships.all()
        ],
    }


def _members(request: HttpRequest, members: list[LabMemberIn] | None) -> Any:
    if members is None:
        return None
    return [
        (selectors.organization_get_for(user=request.user, pk=m.organization_id), m.role)
        for m in members
    ]


@labs_router.get("/", response=JointLabPage, auth=ANYONE, summary="联合实验室列表")
def list_labs(request: HttpRequest, filters: Query[LabFilters]) -> dict[str, Any]:
    params = filters.dict(exclude={"page", "per_page"})
    queryset = selectors.joint_lab_list_for(user=request.user, params=params).prefetch_related(
        "memberships__organization"
    )
    page = page_of(queryset, filters.page, filters.per_page)
    page["items"] = [lab_out(lab) for lab in page["items"]]
    return page


@labs_router.get(
    "/{lab_id}", response={200: JointLabOut, 404: ErrorOut}, auth=ANYONE, summary="联合实验室详情"
)
def get_lab(request: HttpRequest, lab_id: int) -> dict[str, Any]:
    return lab_out(selectors.joint_lab_get_for(user=request.user, pk=lab_id))


@labs_router.post("/", response={201: JointLabOut, **ERRORS}, summary="新建联合实验室（科创局）")
def create_lab(request: HttpRequest, payload: JointLabIn) -> Status[dict[str, Any]]:
    data = payload.dict(exclude={"members", "lead_id"})
    lead = selectors.organization_get_for(user=request.user, pk=payload.lead_id)
    lab = services.joint_lab_create(
        actor=request.user, lead=lead, members=_members(request, payload.members), **data
    )
    return Status(201, lab_out(selectors.joint_lab_get_for(user=request.user, pk=lab.pk)))


@labs_router.patch("/{lab_id}", response={200: JointLabOut, **ERRORS}, summary="修改联合实验室")
def update_lab(request: HttpRequest, lab_id: int, payload: JointLabPatch) -> dict[str, Any]:
    lab = selectors.joint_lab_get_for(user=request.user, pk=lab_id)
    data = payload.dict(exclude_unset=True, exclude={"members"})
    if "lead_id" in data:
        data["lead"] = selectors.organization_get_for(user=request.user, pk=data.pop("lead_id"))
    members = _members(request, payload.members) if "members" in payload.model_fields_set else None
    services.joint_lab_update(actor=request.user, lab=lab, data=data, members=members)
    return lab_out(selectors.joint_lab_get_for(user=request.user, pk=lab_id))
