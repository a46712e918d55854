"""Pages for technology projects: list, detail, new, edit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from innobridge.core.access import can_create_owned_record
from innobridge.core.choices import TechField, Visibility
from innobridge.core.errors import AccessDenied
from innobridge.core.forms import call_service, changed_data
from innobridge.core.listing import paginate
from innobridge.core.matching import (
    challenges_for_project,
    demands_for_project,
    investors_for_project,
)
from innobridge.core.views import audit_trail, is_htmx, list_context
from innobridge.projects import selectors, services
from innobridge.projects.forms import TechProjectForm
from innobridge.projects.models import TechProject


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.project_list_for(user=request.user, params=request.GET)
    page = paginate(queryset, request.GET.get("page"))
    context = list_context(
        request,
        page,
        filters=[
            ("field", _("技术领域"), TechField.choices),
            ("kind", _("类别"), TechProject.Kind.choices),
            ("stage", _("所处阶段"), TechProject.Stage.choices),
            ("visibility", _("公开范围"), Visibility.choices),
        ],
        export_entity="projects",
        can_create=can_create_owned_record(request.user),
    )
    template = "projects/_table.html" if is_htmx(request) else "projects/list.html"
    return render(request, template, context)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for(user=request.user, pk=pk)
    can_edit = selectors.project_can_edit(user=request.user, project=project)
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "can_edit": can_edit,
            "history": audit_trail(project) if can_edit else [],
            "recommendations": demands_for_project(user=request.user, project=project),
            "challenges": challenges_for_project(user=request.user, project=project),
            "investors": investors_for_project(user=request.user, project=project),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    if not can_create_owned_record(request.user):
        raise AccessDenied(_("您的角色不能新建技术项目。"))
    form = TechProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        project = call_service(form, lambda: services.project_create(actor=request.user, **data))
        if project is not None:
            return redirect("projects:detail", pk=project.pk)
    return render(request, "core/form.html", {"form": form, "title": _("新建技术项目")})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for(user=request.user, pk=pk)
    if not selectors.project_can_edit(user=request.user, project=project):
        raise AccessDenied(_("您无权修改该技术项目。"))
    form = TechProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = changed_data(form)
        project.refresh_from_db()
        saved = call_service(
            form,
            lambda: services.project_update(actor=request.user, project=project, data=data),
        )
        if saved is not None:
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("修改技术项目"), "cancel_url": project_url(project)},
    )


def project_url(project: TechProject) -> str:
    from django.urls import reverse

    return reverse("projects:detail", kwargs={"pk": project.pk})
