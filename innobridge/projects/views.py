"""Pages for technology projects: list, detail, new, edit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innobridge.core.access import can_create_owned_record, owned_record_editable
from innobridge.core.choices import TechField, Visibility
from innobridge.core.errors import AccessDenied, ApplicationError, NotFound, NotReady
from innobridge.core.forms import call_service, changed_data
from innobridge.core.listing import paginate
from innobridge.core.matching import (
    demand_matches_for_project,
    investors_for_project,
)
from innobridge.core.views import (
    audit_trail,
    is_htmx,
    list_context,
    parse_amount,
    parse_date,
    run_action,
)
from innobridge.orgs.models import Person
from innobridge.projects import growth, pipeline, selectors, services
from innobridge.projects.forms import TechProjectForm
from innobridge.projects.models import FundingTranche, TechProject, TransformationOutcome


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
    can_edit = owned_record_editable(request.user, project)
    growth_records = growth.records_for(request.user, project)
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "can_edit": can_edit,
            "history": audit_trail(project) if can_edit else [],
            "transitions": pipeline.available(request.user, project),
            "timeline": pipeline.timeline_for(request.user, project),
            "submissions": list(project.submissions.select_related("call"))
            if growth.follows(request.user, project)
            else [],
            "growth": growth_records,
            "tranche_sources": FundingTranche.Source.choices,
            "outcome_types": TransformationOutcome.Type.choices,
            "mentor_choices": Person.objects.filter(is_expert=True)
            .order_by("name")
            .only("pk", "name", "title")
            if growth_records.get("can_keep")
            else [],
        },
    )


@login_required
def project_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """可揭榜的挑战、匹配需求、匹配投资方 of a technology, within what the user may see. The
    project page asks for them (htmx) once it is shown, so it never waits for the ranking; opened
    on its own (no script) it is a page. While the first match index of a restarted server is
    being built the panel says so and offers to retry; the page around it is unaffected."""
    project = selectors.project_get_for(user=request.user, pk=pk, related=False)
    context: dict[str, object] = {"project": project}
    try:
        recommendations, challenges = demand_matches_for_project(user=request.user, project=project)
    except NotReady as error:
        if not is_htmx(request):
            raise
        context["not_ready"] = error.message
    else:
        context.update(
            recommendations=recommendations,
            challenges=challenges,
            investors=investors_for_project(user=request.user, project=project),
        )
    template = "projects/_matches.html" if is_htmx(request) else "projects/matches.html"
    return render(request, template, context)


@login_required
@require_POST
def project_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """A pipeline step (开始培育, 进入转化, 确认转化完成, 终止 …) with its reason."""
    project = selectors.project_get_for(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    run_action(
        request,
        lambda: pipeline.project_transition(
            actor=request.user,
            project=project,
            action=action,
            reason=request.POST.get("reason", ""),
        ),  # fmt: skip
        _("已完成：%(label)s。") % {"label": pipeline.action_label(action)},
    )
    return redirect("projects:detail", pk=pk)


@login_required
@require_POST
def project_growth(request: HttpRequest, pk: int) -> HttpResponse:
    """Cultivation and transformation records: milestones, tranches, mentors, outcomes."""
    project = selectors.project_get_for(user=request.user, pk=pk)
    post = request.POST
    what = post.get("what")

    def act() -> object:
        if what == "milestone":
            return growth.milestone_add(actor=request.user, project=project, title=post.get("title", ""), due=parse_date(post.get("due", "")))  # fmt: skip
        if what == "milestone_done":
            milestone = growth.milestone_for(request.user, project, _int(post.get("milestone")))
            return growth.milestone_done(actor=request.user, milestone=milestone, evidence=post.get("evidence", ""), file=request.FILES.get("file"))  # fmt: skip
        if what == "tranche":
            return growth.tranche_add(actor=request.user, project=project, amount=parse_amount(post.get("amount", "")), source=post.get("source", ""), date=parse_date(post.get("date", "")), note=post.get("note", ""))  # fmt: skip
        if what == "mentor":
            person = Person.objects.filter(pk=_int(post.get("person"))).first()
            if person is None:
                raise ApplicationError(_("请选择导师。"))
            return growth.mentor_add(actor=request.user, project=project, person=person)
        if what == "outcome":
            return growth.outcome_add(actor=request.user, project=project, type=post.get("type", ""), counterparty=post.get("counterparty", ""), amount=parse_amount(post.get("amount", "")), date=parse_date(post.get("date", "")), note=post.get("note", ""))  # fmt: skip
        raise ApplicationError(_("未知的操作。"))

    run_action(request, act, _("已保存。"))
    return redirect(f"{project_url(project)}#growth")


@login_required
def milestone_file(request: HttpRequest, pk: int, milestone_pk: int) -> FileResponse:
    project = selectors.project_get_for(user=request.user, pk=pk)
    milestone = growth.milestone_for(request.user, project, milestone_pk)
    if not milestone.evidence_file:
        raise NotFound(_("该节点没有证据文件。"))
    return FileResponse(
        milestone.evidence_file.open("rb"), as_attachment=True, filename=milestone.evidence_name
    )


def _int(text: object) -> int:
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return 0


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
