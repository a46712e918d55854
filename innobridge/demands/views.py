"""Pages for scenario demands: list and detail are open to the public (public demands only)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innobridge.core.access import (
    can_create_owned_record,
    demand_contact_visible,
    owned_record_editable,
)
from innobridge.core.choices import District, TechField, Visibility
from innobridge.core.errors import AccessDenied, ApplicationError, NotFound, NotReady
from innobridge.core.forms import call_service, changed_data
from innobridge.core.listing import paginate
from innobridge.core.matching import match_decisions, projects_for_demand
from innobridge.core.roles import Role, is_staff_role, roles_of
from innobridge.core.views import audit_trail, is_htmx, list_context
from innobridge.demands import challenges, lifecycle, selectors, services, validation
from innobridge.demands.forms import ScenarioDemandForm
from innobridge.demands.models import ChallengeApplication, MatchFeedback, ScenarioDemand


def demand_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.demand_list_for(user=request.user, params=request.GET)
    page = paginate(queryset, request.GET.get("page"))
    filters = [
        ("field", _("技术领域"), TechField.choices),
        ("type", _("需求类型"), ScenarioDemand.Type.choices),
        ("district", _("所在区"), District.choices),
    ]
    if request.user.is_authenticated:
        filters += [
            ("status", _("状态"), ScenarioDemand.Status.choices),
            ("visibility", _("公开范围"), Visibility.choices),
        ]
    context = list_context(
        request,
        page,
        filters=filters,
        export_entity="demands" if request.user.is_authenticated else None,
        can_create=can_create_owned_record(request.user),
    )
    template = "demands/_table.html" if is_htmx(request) else "demands/list.html"
    return render(request, template, context)


def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_get_for(user=request.user, pk=pk)
    can_edit = owned_record_editable(request.user, demand)
    return render(
        request,
        "demands/detail.html",
        {
            "demand": demand,
            "can_edit": can_edit,
            "show_contact": demand_contact_visible(request.user, demand),
            "history": audit_trail(demand) if can_edit else [],
            "transitions": [
                t
                for t in lifecycle.available(request.user, demand)
                if t.action != "select_solver" or not demand.applications.exists()
            ],
            "applications": challenges.applications_for(request.user, demand)
            if request.user.is_authenticated
            else [],
            "apply_orgs": challenges.can_apply(request.user, demand)
            if request.user.is_authenticated
            else [],
            "judge": challenges._judges(request.user, demand),
            "review_round": getattr(demand, "review_round", None)
            if challenges._judges(request.user, demand)
            else None,
            "milestones": list(demand.milestones.all())
            if lifecycle.timeline_visible(request.user, demand)
            else [],  # fmt: skip
            "can_validate": lifecycle.timeline_visible(request.user, demand)
            and demand.status in validation.OPEN,
            "duplicate": demand.duplicate_of
            if demand.duplicate_of_id and lifecycle.timeline_visible(request.user, demand)
            else None,
            "timeline": _timeline(request.user, demand),
        },
    )


@login_required
def demand_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """推荐技术 of a demand within what the user may see, with the feedback staff and managers
    give (已引荐 / 不合适) and the suggestions they rejected. The demand page asks for it (htmx)
    once it is shown, so it never waits for the ranking; opened on its own (no script) it is a
    page. While the first match index of a restarted server is being built the panel says so and
    offers to retry."""
    demand = selectors.demand_get_for(user=request.user, pk=pk, related=False)
    can_mark = bool(roles_of(request.user) & {Role.STAFF, Role.MANAGER})
    context: dict[str, Any] = {"demand": demand, "can_mark": can_mark}
    decisions = match_decisions(demand)
    try:
        context["recommendations"] = projects_for_demand(
            user=request.user, demand=demand, decisions=decisions
        )
    except NotReady as error:
        if not is_htmx(request):
            raise
        context["not_ready"] = error.message
    else:
        # most demands have no rejected suggestion: then there is nothing to look up
        context["rejected"] = (
            selectors.demand_rejected_matches_for(user=request.user, demand=demand)
            if can_mark and MatchFeedback.Decision.REJECTED in decisions.values()
            else []
        )
    template = "demands/_matches.html" if is_htmx(request) else "demands/matches.html"
    return render(request, template, context)


def _timeline(user: Any, demand: ScenarioDemand) -> list[dict[str, Any]]:
    if not lifecycle.timeline_visible(user, demand):
        return []
    staff = is_staff_role(user)
    return [
        {"event": event, "label": lifecycle.action_label(event.action),
         "actor": (event.actor.get_full_name() or event.actor.username) if staff and event.actor else ""}
        for event in demand.events.select_related("actor")
    ]  # fmt: skip


@login_required
@require_POST
def demand_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """A lifecycle action (提交审核, 审核通过, 发布, 签订合同 …) with its reason or amount."""
    demand = selectors.demand_get_for(user=request.user, pk=pk)
    amount_text = request.POST.get("amount", "").strip()
    try:
        amount = Decimal(amount_text) if amount_text else None
    except InvalidOperation:
        messages.error(request, _("合同金额应为数字（万元）。"))
        return redirect("demands:detail", pk=pk)
    try:
        event = lifecycle.demand_transition(
            actor=request.user, demand=demand, action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""), amount=amount,
        )  # fmt: skip
        messages.success(request, _("已完成：%(label)s。") % {"label": lifecycle.action_label(event.action)})  # fmt: skip
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("demands:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def demand_create(request: HttpRequest) -> HttpResponse:
    if not can_create_owned_record(request.user):
        raise AccessDenied(_("您的角色不能发布需求。"))
    form = ScenarioDemandForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        demand = call_service(form, lambda: services.demand_create(actor=request.user, **data))
        if demand is not None:
            return redirect("demands:detail", pk=demand.pk)
    return render(request, "core/form.html", {"form": form, "title": _("新建场景需求")})


@login_required
@require_http_methods(["GET", "POST"])
def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_get_for(user=request.user, pk=pk)
    if not selectors.demand_can_edit(user=request.user, demand=demand):
        raise AccessDenied(_("您无权修改该需求。"))
    form = ScenarioDemandForm(request.POST or None, instance=demand, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = changed_data(form)
        demand.refresh_from_db()
        saved = call_service(
            form, lambda: services.demand_update(actor=request.user, demand=demand, data=data)
        )
        if saved is not None:
            return redirect("demands:detail", pk=demand.pk)
    cancel = reverse("demands:detail", kwargs={"pk": demand.pk})
    return render(
        request, "core/form.html", {"form": form, "title": _("修改场景需求"), "cancel_url": cancel}
    )


@login_required
@require_POST
def demand_match_mark(request: HttpRequest, pk: int, project_pk: int) -> HttpResponse:
    """对接反馈: mark a suggested technology as introduced or not suitable (with a reason)."""
    from innobridge.projects.selectors import project_get_for

    demand = selectors.demand_get_for(user=request.user, pk=pk)
    project = project_get_for(user=request.user, pk=project_pk)
    try:
        services.demand_match_mark(
            actor=request.user,
            demand=demand,
            project=project,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已记录：%(title)s") % {"title": project.title})
    return redirect(reverse("demands:detail", kwargs={"pk": demand.pk}) + "#matches")


@login_required
@require_POST
def challenge_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """申请揭榜 in the name of one of the user's organizations."""
    from innobridge.orgs.models import Organization

    demand = selectors.demand_get_for(user=request.user, pk=pk)
    organization = Organization.objects.filter(pk=request.POST.get("organization") or 0).first()
    budget_text = request.POST.get("budget", "").strip()
    try:
        budget = Decimal(budget_text) if budget_text else None
        if organization is None:
            raise ApplicationError(_("请选择揭榜单位。"))
        challenges.apply(
            actor=request.user, demand=demand, organization=organization,
            proposal=request.POST.get("proposal", ""), team=request.POST.get("team", ""), budget=budget,
            accepted_terms=request.POST.get("accept") == "1", files=request.FILES.getlist("files"),
        )  # fmt: skip
        messages.success(request, _("已提交揭榜申请。"))
    except InvalidOperation:
        messages.error(request, _("申请经费应为数字（万元）。"))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("demands:detail", pk=pk)


@login_required
@require_POST
def challenge_judge(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    """Score an application, or select it as the solver (揭榜成功)."""
    demand = selectors.demand_get_for(user=request.user, pk=pk)
    application = ChallengeApplication.objects.filter(pk=application_pk, demand=demand).first()
    try:
        if application is None:
            raise ApplicationError(_("未找到该揭榜申请。"))
        if "select" in request.POST:
            challenges.select_solver(
                actor=request.user, application=application, note=request.POST.get("note", ""),
                others_reason=request.POST.get("others_reason", ""),
            )  # fmt: skip
            messages.success(request, _("已确定揭榜方：%(name)s。") % {"name": application.organization.name})  # fmt: skip
        else:
            points = request.POST.get("score", "").strip()
            if not points.isdigit():
                raise ApplicationError(_("评审得分应在0到100之间。"))
            challenges.score(actor=request.user, application=application, points=int(points))
            messages.success(request, _("已保存评审得分。"))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("demands:detail", pk=pk)


@login_required
def challenge_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Download an application's attachment (judges and the applicant only)."""
    demand = selectors.demand_get_for(user=request.user, pk=pk)
    attachment = challenges.attachment_for(request.user, demand, attachment_pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
@require_POST
def milestone(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a validation milestone, or complete one with its evidence."""
    import datetime

    demand = selectors.demand_get_for(user=request.user, pk=pk)
    try:
        if request.POST.get("milestone"):
            item = validation.milestone_get(request.user, demand, int(request.POST["milestone"]))
            validation.milestone_complete(
                actor=request.user, milestone=item, evidence=request.POST.get("evidence", ""),
                upload=request.FILES.get("file"),
            )  # fmt: skip
            messages.success(request, _("验证节点已完成。"))
        else:
            due_text = request.POST.get("due", "").strip()
            try:
                due = datetime.date.fromisoformat(due_text) if due_text else None
            except ValueError:
                raise ApplicationError(_("日期格式应为 2025-03-31。")) from None
            validation.milestone_add(actor=request.user, demand=demand, title=request.POST.get("title", ""), due=due)  # fmt: skip
            messages.success(request, _("已新增验证节点。"))
    except (ApplicationError, ValueError) as error:
        messages.error(request, getattr(error, "message", str(error)))
    return redirect("demands:detail", pk=pk)


@login_required
def milestone_file(request: HttpRequest, pk: int, milestone_pk: int) -> FileResponse:
    demand = selectors.demand_get_for(user=request.user, pk=pk)
    item = validation.milestone_get(request.user, demand, milestone_pk)
    if not item.evidence_file:
        raise NotFound(_("该节点没有证据文件。"))
    return FileResponse(
        item.evidence_file.open("rb"), as_attachment=True, filename=item.evidence_name
    )
