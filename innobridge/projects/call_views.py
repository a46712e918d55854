"""Pages of calls (征集/大赛) and submissions (申报); rules live in projects.calls."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from innobridge.core.choices import TechField
from innobridge.core.errors import AccessDenied, NotFound
from innobridge.core.forms import call_service
from innobridge.core.roles import Role, is_staff_role, roles_of
from innobridge.core.views import run_action
from innobridge.orgs.models import Organization
from innobridge.projects import calls
from innobridge.projects.models import Call, Submission, TechProject


class CallForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("征集名称"), max_length=120)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    opens = forms.DateField(label=gettext_lazy("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    deadline = forms.DateField(label=gettext_lazy("申报截止日期"), widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    tech_fields = forms.MultipleChoiceField(
        label=gettext_lazy("征集领域（不选为全部领域）"), choices=TechField.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    stages = forms.CharField(
        label=gettext_lazy("评审阶段（用顿号分隔，按顺序）"), initial=gettext_lazy("领域赛、总决赛"), max_length=200
    )  # fmt: skip
    reviewers_per_item = forms.IntegerField(label=gettext_lazy("每个项目的评审专家数"), min_value=1, max_value=15, initial=3)  # fmt: skip
    max_load = forms.IntegerField(label=gettext_lazy("每位专家最多评审数"), min_value=1, max_value=200, initial=8)  # fmt: skip
    eligibility = forms.CharField(label=gettext_lazy("申报条件"), widget=forms.Textarea(attrs={"rows": 3}), required=False)  # fmt: skip
    description = forms.CharField(label=gettext_lazy("征集说明"), widget=forms.Textarea(attrs={"rows": 4}), required=False)  # fmt: skip


def call_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        published = Call.objects.filter(results_published=True)
        return render(request, "projects/calls.html", {"calls": published, "public": True})
    return render(
        request,
        "projects/calls.html",
        {"calls": calls.calls_for(request.user), "is_staff": is_staff_role(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_create(request: HttpRequest) -> HttpResponse:
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有科创局工作人员可以发起项目征集。"))
    today = timezone.localdate()
    form = CallForm(request.POST or None, initial={"year": today.year, "opens": today})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["fields"] = data.pop("tech_fields")
        data["stages"] = [
            s for s in data["stages"].replace(",", "、").replace("，", "、").split("、")
        ]
        created = call_service(form, lambda: calls.call_create(actor=request.user, **data))
        if created is not None:
            return redirect("calls:detail", pk=created.pk)
    return render(request, "core/form.html", {"form": form, "title": _("发起项目征集")})


@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = calls.call_get_for(request.user, pk)
    staff = is_staff_role(request.user)
    submissions = calls.submissions_for(request.user, call).prefetch_related("co_applicants")
    if staff:
        submissions = submissions.exclude(status=Submission.Status.DRAFT)
    return render(
        request,
        "projects/call_detail.html",
        {
            "call": call,
            "is_staff": staff,
            "is_open": calls.is_open(call),
            "rounds": list(call.rounds.all()) if staff else [],
            "submissions": list(submissions),
            "enterable": calls.enterable_projects(request.user, call),
            "is_member": Role.MEMBER in roles_of(request.user),
        },
    )


def call_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The published results: the selected projects, open to everyone (no scores, no names)."""
    call = Call.objects.filter(pk=pk, results_published=True).first()
    if call is None:
        raise NotFound(_("该征集的结果尚未公布。"))
    selected = (
        Submission.objects.filter(call=call, status=Submission.Status.SELECTED)
        .select_related("project__owner")
        .order_by("project__field", "project__title")
    )
    return render(request, "projects/call_results.html", {"call": call, "selected": selected})


@login_required
@require_POST
def call_action(request: HttpRequest, pk: int) -> HttpResponse:
    from innobridge.review.services import publish_results

    call = calls.call_get_for(request.user, pk)
    action = request.POST.get("action")
    if action == "open":
        run_action(request, lambda: calls.call_open(actor=request.user, call=call), _("征集已开始。"))  # fmt: skip
    elif action == "screen":
        run_action(request, lambda: calls.start_screening(actor=request.user, call=call), _("已截止申报，开始初筛。"))  # fmt: skip
    elif action == "publish":
        run_action(request, lambda: publish_results(actor=request.user, call=call), _("结果已公布。"))  # fmt: skip
    return redirect("calls:detail", pk=pk)


@login_required
@require_POST
def call_apply(request: HttpRequest, pk: int) -> HttpResponse:
    call = calls.call_get_for(request.user, pk)
    project = TechProject.objects.filter(pk=_int(request.POST.get("project"))).first()
    if project is None:
        raise NotFound(_("请选择要申报的技术项目。"))
    created = run_action(
        request,
        lambda: calls.submission_create(actor=request.user, call=call, project=project),
        _("已创建申报草稿，请补充说明和附件后提交。"),
    )
    if created is not None:
        return redirect("calls:submission", pk=created.pk)
    return redirect("calls:detail", pk=pk)


def _int(text: Any) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0


@login_required
@require_http_methods(["GET", "POST"])
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = calls.submission_get_for(request.user, pk)
    editable = calls.can_edit(request.user, submission)
    if request.method == "POST":
        co_ids = [_int(v) for v in request.POST.getlist("co_applicants")]
        co = list(Organization.objects.filter(pk__in=co_ids))
        files = request.FILES.getlist("files")
        statement = request.POST.get("statement", "")

        def save() -> Submission:
            calls.submission_update(actor=request.user, submission=submission, statement=statement, co_applicants=co, files=files)  # fmt: skip
            if request.POST.get("submit"):
                calls.submission_submit(actor=request.user, submission=submission)
            return submission

        done = _("申报已提交。") if request.POST.get("submit") else _("已保存。")
        run_action(request, save, done)
        return redirect("calls:submission", pk=pk)
    return render(
        request,
        "projects/submission.html",
        {
            "submission": submission,
            "editable": editable,
            "organizations": Organization.objects.exclude(pk=submission.project.owner_id)
            .order_by("name")
            .only("pk", "name")
            if editable
            else [],  # fmt: skip
            "chosen": set(submission.co_applicants.values_list("pk", flat=True)),
            "decisions": [
                item
                for item in submission.review_items.select_related("round").order_by("round__order")
                if item.decision != item.Decision.PENDING
            ],  # fmt: skip
        },
    )


@login_required
def submission_file(request: HttpRequest, pk: int) -> FileResponse:
    attachment = calls.attachment_for(request.user, pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
@require_POST
def submission_screen(request: HttpRequest, pk: int) -> HttpResponse:
    submission = calls.submission_get_for(request.user, pk)
    passed = request.POST.get("passed") == "1"
    run_action(
        request,
        lambda: calls.screen(
            actor=request.user,
            submission=submission,
            passed=passed,
            reason=request.POST.get("reason", ""),
        ),  # fmt: skip
        _("已通过初筛，进入第一评审阶段。") if passed else _("已记录初筛结果。"),
    )
    return redirect("calls:detail", pk=submission.call_id)
