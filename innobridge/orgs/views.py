"""Pages for organizations (signed-in users) and joint labs (everyone)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from innobridge.core.access import cultivation_visible, organization_editable
from innobridge.core.choices import District, TechField
from innobridge.core.errors import AccessDenied
from innobridge.core.forms import call_service, changed_data
from innobridge.core.listing import paginate
from innobridge.core.roles import is_staff_role
from innobridge.core.views import audit_trail, is_htmx, list_context
from innobridge.demands.selectors import demand_list_for
from innobridge.orgs import selectors, services
from innobridge.orgs.forms import OrganizationForm
from innobridge.orgs.models import Organization
from innobridge.projects.selectors import project_list_for


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.organization_list_for(user=request.user, params=request.GET)
    page = paginate(queryset, request.GET.get("page"))
    context = list_context(
        request,
        page,
        filters=[
            ("kind", _("单位类型"), Organization.Kind.choices),
            ("district", _("所在区"), District.choices),
            ("field", _("产业领域"), TechField.choices),
            ("size", _("规模"), Organization.Size.choices),
        ],
        export_entity="orgs",
        can_create=is_staff_role(request.user),
    )
    template = "orgs/_table.html" if is_htmx(request) else "orgs/list.html"
    return render(request, template, context)


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_get_for(user=request.user, pk=pk)
    can_edit = organization_editable(request.user, organization)
    params = {"owner": str(organization.pk)}
    return render(
        request,
        "orgs/detail.html",
        {
            "organization": organization,
            "can_edit": can_edit,
            "projects": project_list_for(user=request.user, params=params)[:20],
            "demands": demand_list_for(user=request.user, params=params)[:20],
            "people": selectors.people_of_organization_for(
                user=request.user, organization=organization
            )[:50],
            "labs": organization.joint_labs.all(),
            "history": audit_trail(organization) if can_edit else [],
            "show_cultivation": organization.kind == organization.Kind.ENTERPRISE
            and cultivation_visible(request.user, organization.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有科创局工作人员可以新建单位。"))
    form = OrganizationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = call_service(
            form, lambda: services.organization_create(actor=request.user, **data)
        )
        if organization is not None:
            return redirect("orgs:detail", pk=organization.pk)
    return render(request, "core/form.html", {"form": form, "title": _("新建单位")})


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_get_for(user=request.user, pk=pk)
    if not selectors.organization_can_edit(user=request.user, organization=organization):
        raise AccessDenied(_("您无权修改该单位信息。"))
    form = OrganizationForm(request.POST or None, instance=organization, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = changed_data(form)
        organization.refresh_from_db()
        saved = call_service(
            form,
            lambda: services.organization_update(
                actor=request.user, organization=organization, data=data
            ),
        )
        if saved is not None:
            return redirect("orgs:detail", pk=organization.pk)
    cancel = reverse("orgs:detail", kwargs={"pk": organization.pk})
    return render(
        request, "core/form.html", {"form": form, "title": _("修改单位信息"), "cancel_url": cancel}
    )


def joint_lab_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.joint_lab_list_for(user=request.user, params=request.GET)
    page = paginate(queryset, request.GET.get("page"))
    context = list_context(request, page, filters=[("field", _("聚焦领域"), TechField.choices)])
    template = "orgs/_lab_table.html" if is_htmx(request) else "orgs/lab_list.html"
    return render(request, template, context)


def joint_lab_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lab = selectors.joint_lab_get_for(user=request.user, pk=pk)
    return render(
        request,
        "orgs/lab_detail.html",
        {"lab": lab, "projects": selectors.joint_lab_projects_for(user=request.user, lab=lab)},
    )
