"""Calls (征集/大赛) and submissions (申报): who may open, enter, edit, submit and screen.

A call is open for submissions between its start and deadline; an organization's member enters
one of its own projects (draft → submitted), with co-applicant organizations and attachments; after
the deadline nothing can be edited. Staff then screen (初筛): a submission that passes enters the
call's first review round (review.services), one that does not is rejected with a reason that the
applicant reads. Each step moves the project through ``pipeline.project_transition``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from innobridge.core.errors import AccessDenied, ApplicationError, NotFound
from innobridge.core.roles import Role, is_staff_role, org_ids_of, roles_of
from innobridge.core.services import save_validated
from innobridge.core.uploads import sniff
from innobridge.orgs.models import Organization
from innobridge.projects import pipeline
from innobridge.projects.models import Call, Submission, SubmissionAttachment, TechProject

MAX_FILES = 8
ENTERABLE = (TechProject.Stage.DISCOVERED, TechProject.Stage.REJECTED)


# --- reads -----------------------------------------------------------------------------------


def calls_for(user: Any) -> QuerySet[Call]:
    """Staff see every call; any signed-in user sees calls that are no longer in preparation."""
    calls = Call.objects.all()
    if is_staff_role(user):
        return calls
    if user is None or not user.is_authenticated:
        return calls.none()
    return calls.exclude(status=Call.Status.DRAFT)


def call_get_for(user: Any, pk: int) -> Call:
    call = calls_for(user).filter(pk=pk).first()
    if call is None:
        raise NotFound(_("未找到该项目征集，或您无权查看。"))
    return call


def submissions_for(user: Any, call: Call | None = None) -> QuerySet[Submission]:
    """Staff see all submissions; a member sees their organizations' own (also as co-applicant)."""
    queryset = Submission.objects.select_related("project", "project__owner", "call")
    if call is not None:
        queryset = queryset.filter(call=call)
    if is_staff_role(user):
        return queryset
    if Role.MEMBER not in roles_of(user):
        return queryset.none()
    orgs = org_ids_of(user)
    return queryset.filter(Q(project__owner_id__in=orgs) | Q(co_applicants__in=orgs)).distinct()


def submission_get_for(user: Any, pk: int) -> Submission:
    found = submissions_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该申报，或您无权查看。"))
    return found


def is_open(call: Call, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return call.status == Call.Status.OPEN and call.opens <= today <= call.deadline


def enterable_projects(user: Any, call: Call) -> list[TechProject]:
    """The user's own organizations' projects that may still enter this call."""
    if not is_open(call) or Role.MEMBER not in roles_of(user):
        return []
    projects = TechProject.objects.filter(owner_id__in=org_ids_of(user), stage__in=ENTERABLE)
    if call.fields:
        projects = projects.filter(field__in=call.fields)
    return list(projects.exclude(submissions__call=call).order_by("title"))


def can_edit(user: Any, submission: Submission) -> bool:
    return (
        submission.status == Submission.Status.DRAFT
        and is_open(submission.call)
        and Role.MEMBER in roles_of(user)
        and submission.project.owner_id in org_ids_of(user)
    )


# --- calls -----------------------------------------------------------------------------------


def _staff(actor: Any) -> None:
    if not is_staff_role(actor):
        raise AccessDenied(_("只有科创局工作人员可以管理项目征集。"))


@transaction.atomic
def call_create(
    *, actor: Any, title: str, year: int, opens: datetime.date, deadline: datetime.date,
    fields: Sequence[str] = (), description: str = "", eligibility: str = "",
    stages: Sequence[str] = ("领域赛", "总决赛"), reviewers_per_item: int = 3, max_load: int = 8,
    open_now: bool = True,
) -> Call:  # fmt: skip
    """A call with its review stages, each with the default form (颠覆性/可行性/影响力/团队/市场)."""
    from innobridge.review.models import ReviewRound

    _staff(actor)
    names = [name.strip() for name in stages if name.strip()]
    if not names:
        raise ApplicationError(_("请至少设置一个评审阶段。"))
    call = Call(
        title=title.strip(), year=year, opens=opens, deadline=deadline, fields=sorted(set(fields)),
        description=description.strip(), eligibility=eligibility.strip(),
        status=Call.Status.OPEN if open_now else Call.Status.DRAFT,
    )  # fmt: skip
    save_validated(call, actor=actor, reason=_("新建征集"))
    for order, name in enumerate(names, start=1):
        stage = ReviewRound(
            call=call, order=order, name=name[:60], reviewers_per_item=reviewers_per_item,
            max_load=max_load,
        )  # fmt: skip
        save_validated(stage, actor=actor, reason=_("新建评审阶段"))
    return call


@transaction.atomic
def call_open(*, actor: Any, call: Call) -> Call:
    _staff(actor)
    if call.status != Call.Status.DRAFT:
        raise ApplicationError(_("只有筹备中的征集可以开始征集。"))
    call.status = Call.Status.OPEN
    return save_validated(call, actor=actor, reason=_("开始征集"))


@transaction.atomic
def start_screening(*, actor: Any, call: Call) -> int:
    """Close submissions: the call moves to 初筛 and every submitted project to screening."""
    _staff(actor)
    if call.status != Call.Status.OPEN:
        raise ApplicationError(_("只有征集中的征集可以开始初筛。"))
    call.status = Call.Status.SCREENING
    save_validated(call, actor=actor, reason=_("截止申报，开始初筛"))
    moved = 0
    for submission in call.submissions.filter(status=Submission.Status.SUBMITTED).select_related("project"):  # fmt: skip
        if submission.project.stage == TechProject.Stage.SUBMITTED:
            pipeline.project_transition(actor=actor, project=submission.project, action="screen", reason=call.title)  # fmt: skip
            moved += 1
    return moved


@transaction.atomic
def screen(*, actor: Any, submission: Submission, passed: bool, reason: str = "") -> Submission:
    """初筛: pass into the first review stage, or reject with a reason the applicant reads."""
    from innobridge.review.services import add_items

    _staff(actor)
    call = submission.call
    if call.status not in (Call.Status.SCREENING, Call.Status.REVIEWING):
        raise ApplicationError(_("请先截止申报并开始初筛。"))
    if submission.status != Submission.Status.SUBMITTED:
        raise ApplicationError(_("该申报已初筛（%(status)s）。") % {"status": submission.get_status_display()})  # fmt: skip
    project = submission.project
    if project.stage == TechProject.Stage.SUBMITTED:
        pipeline.project_transition(actor=actor, project=project, action="screen", reason=call.title)  # fmt: skip
    if passed:
        first = call.rounds.order_by("order").first()
        if first is None:
            raise ApplicationError(_("该征集没有评审阶段。"))
        pipeline.project_transition(actor=actor, project=project, action="review", reason=_("通过初筛：%(call)s") % {"call": call.title})  # fmt: skip
        submission.status = Submission.Status.IN_REVIEW
        save_validated(submission, actor=actor, reason=_("通过初筛"))
        add_items(actor=actor, round=first, submissions=[submission])
        return submission
    if not reason.strip():
        raise ApplicationError(_("初筛未通过需要填写原因（申报单位可见）。"))
    pipeline.project_transition(actor=actor, project=project, action="reject", reason=reason)
    submission.status = Submission.Status.SCREENED_OUT
    submission.result_note = reason.strip()
    return save_validated(submission, actor=actor, reason=_("初筛未通过"))


# --- submissions -----------------------------------------------------------------------------


@transaction.atomic
def submission_create(
    *, actor: Any, call: Call, project: TechProject, co_applicants: Sequence[Organization] = (),
    statement: str = "", files: Sequence[Any] = (),
) -> Submission:  # fmt: skip
    if not is_open(call):
        raise ApplicationError(_("该征集当前不接受申报（未开始或已截止）。"))
    if project not in enterable_projects(actor, call):
        if project.stage not in ENTERABLE:
            raise ApplicationError(
                _("项目“%(title)s”当前阶段为“%(stage)s”，不能重复申报。")
                % {"title": project.title, "stage": project.get_stage_display()}
            )
        raise AccessDenied(_("您只能以本单位的技术项目申报（且符合征集领域、未申报过本征集）。"))
    submission = Submission(
        call=call, project=project, statement=statement.strip(), created_by=actor
    )
    save_validated(submission, actor=actor, reason=_("新建申报"))
    _set_co_applicants(submission, co_applicants)
    attach(actor=actor, submission=submission, files=files)
    return submission


def _set_co_applicants(submission: Submission, organizations: Sequence[Organization]) -> None:
    chosen = [org for org in organizations if org.pk != submission.project.owner_id]
    submission.co_applicants.set(chosen)


@transaction.atomic
def submission_update(
    *, actor: Any, submission: Submission, statement: str,
    co_applicants: Sequence[Organization] = (), files: Sequence[Any] = (),
) -> Submission:  # fmt: skip
    _editable(actor, submission)
    submission.statement = statement.strip()
    save_validated(submission, actor=actor, reason=_("修改申报"))
    _set_co_applicants(submission, co_applicants)
    attach(actor=actor, submission=submission, files=files)
    return submission


def _editable(actor: Any, submission: Submission) -> None:
    if can_edit(actor, submission):
        return
    if submission.status != Submission.Status.DRAFT:
        raise ApplicationError(_("申报已提交，不能再修改。"))
    if not is_open(submission.call):
        raise ApplicationError(_("申报已截止，不能再修改。"))
    raise AccessDenied(_("您无权修改该申报。"))


def attach(*, actor: Any, submission: Submission, files: Sequence[Any]) -> None:
    if not files:
        return
    _editable(actor, submission)
    if submission.attachments.count() + len(files) > MAX_FILES:
        raise ApplicationError(_("每个申报最多上传 %(n)d 个附件。") % {"n": MAX_FILES})
    kinds = [sniff(upload) for upload in files]  # every file is checked before anything is kept
    for upload, kind in zip(files, kinds, strict=True):
        SubmissionAttachment.objects.create(
            submission=submission, file=upload, name=str(upload.name)[:200], kind=kind, size=upload.size
        )  # fmt: skip


@transaction.atomic
def submission_submit(*, actor: Any, submission: Submission) -> Submission:
    _editable(actor, submission)
    project = submission.project
    if project.stage == TechProject.Stage.REJECTED:
        pipeline.project_transition(actor=actor, project=project, action="rediscover", reason=submission.call.title)  # fmt: skip
        project.refresh_from_db()
    if project.stage == TechProject.Stage.DISCOVERED:
        pipeline.project_transition(actor=actor, project=project, action="submit", reason=submission.call.title)  # fmt: skip
    submission.status = Submission.Status.SUBMITTED
    submission.submitted = timezone.now()
    return save_validated(submission, actor=actor, reason=_("提交申报"))


def attachment_for(user: Any, pk: int) -> SubmissionAttachment:
    """An attachment the user may download: staff, the applicants, and the item's reviewers."""
    from innobridge.review.selectors import reviewable_submission_ids

    found = SubmissionAttachment.objects.filter(pk=pk).select_related("submission").first()
    if found is None:
        raise NotFound(_("未找到该附件。"))
    visible = submissions_for(user).filter(pk=found.submission_id).exists()
    if not visible and found.submission_id not in reviewable_submission_ids(user):
        raise NotFound(_("未找到该附件。"))
    return found
