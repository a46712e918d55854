"""Pages of the matchmaking sessions (联企创投汇·周三会); rules live in capital.matchmaking."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innobridge.capital import matchmaking as mm
from innobridge.capital.models import (  # fmt: skip
    Interest,
    InvestmentStage,
    Meeting,
    Participant,
    Session,
    SessionSeries,
)
from innobridge.core.errors import AccessDenied, NotFound
from innobridge.core.excel import table_workbook
from innobridge.core.excel_views import _download
from innobridge.core.roles import is_staff_role
from innobridge.core.views import parse_amount, parse_date, run_action
from innobridge.orgs.models import Organization


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sessions = list(mm.sessions_for(request.user))
    return render(
        request,
        "capital/sessions.html",
        {
            "upcoming": sorted((s for s in sessions if s.date >= today), key=lambda s: s.date),
            "past": [s for s in sessions if s.date < today],
            "is_staff": is_staff_role(request.user),
            "series": SessionSeries.objects.all() if is_staff_role(request.user) else [],
            "totals": mm.totals() if is_staff_role(request.user) else None,
        },
    )


@login_required
@require_POST
def series_generate(request: HttpRequest) -> HttpResponse:
    series = SessionSeries.objects.filter(pk=_int(request.POST.get("series"))).first()
    if series is None:
        raise NotFound(_("未找到该系列活动。"))

    def generate() -> Any:
        first = parse_date(request.POST.get("first", "")) or timezone.localdate()
        return mm.sessions_generate(actor=request.user, series=series, first=first, count=_int(request.POST.get("count")) or 4)  # fmt: skip

    run_action(request, generate, _("已生成后续场次。"))
    return redirect("matchmaking:list")


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = mm.session_get_for(request.user, pk)
    staff = is_staff_role(request.user)
    mine = mm.participant_for(request.user, session)
    context: dict[str, Any] = {
        "session": session, "is_staff": staff, "me": mine, "slot_times": session.slot_times(),
        "registrable": mm.registrable_organizations(request.user, session),
        "stages": InvestmentStage.choices, "marks": Interest.Mark.choices,
        "show_schedule": mm.can_see_schedule(request.user, session),
    }  # fmt: skip
    if mine is not None and mine.status == Participant.Status.APPROVED:
        given = mm.marks_of(mine)
        context["recommendations"] = [
            (r, given.get(r.participant.pk)) for r in mm.recommendations(mine)
        ]
        context["requests"] = mm.requests_to(mine)
        context["given"] = sorted(given.values(), key=lambda i: i.target.organization.name)
    if staff:
        context["participants"] = list(session.participants.select_related("organization").order_by("side", "status", "organization__name"))  # fmt: skip
        context["wanted"] = len(mm.wanted(session))
        context["funnel"] = mm.funnel(session)
        context["funnel_labels"] = mm.funnel_labels()
    return render(request, "capital/session.html", context)


@login_required
@require_POST
def session_register(request: HttpRequest, pk: int) -> HttpResponse:
    session = mm.session_get_for(request.user, pk)
    post = request.POST
    organization = Organization.objects.filter(pk=_int(post.get("organization"))).first()
    if organization is None:
        raise NotFound(_("请选择报名单位。"))

    def register() -> Any:
        return mm.register(
            actor=request.user, session=session, organization=organization, side=post.get("side", ""),
            financing_amount=parse_amount(post.get("financing_amount", "")),
            financing_stage=post.get("financing_stage", ""), financing_need=post.get("financing_need", ""),
            technology_need=post.get("technology_need", ""), market_need=post.get("market_need", ""),
            offer=post.get("offer", ""), unavailable=[_int(s) for s in post.getlist("unavailable")],
            online=bool(post.get("online")),
        )  # fmt: skip

    run_action(request, register, _("报名已提交，等待组织方审核。"))
    return redirect("matchmaking:detail", pk=pk)


@login_required
@require_POST
def session_mark(request: HttpRequest, pk: int) -> HttpResponse:
    session = mm.session_get_for(request.user, pk)
    me = mm.participant_for(request.user, session)
    target = session.participants.filter(pk=_int(request.POST.get("target"))).first()
    if me is None or target is None:
        raise NotFound(_("未找到该参会单位。"))
    run_action(
        request,
        lambda: mm.mark(
            actor=request.user,
            source=me,
            target=target,
            mark=request.POST.get("mark", ""),
            request=bool(request.POST.get("request")),
            message=request.POST.get("message", ""),
        ),  # fmt: skip
        _("已保存意向：%(org)s") % {"org": target.organization.name},
    )
    return redirect(f"/matchmaking/{pk}/#marks")


@login_required
@require_POST
def session_availability(request: HttpRequest, pk: int) -> HttpResponse:
    session = mm.session_get_for(request.user, pk)
    me = mm.participant_for(request.user, session)
    if me is None:
        raise NotFound(_("您尚未报名本场对接会。"))
    run_action(request, lambda: mm.set_availability(actor=request.user, participant=me, unavailable=[_int(s) for s in request.POST.getlist("unavailable")]), _("可参加时段已更新。"))  # fmt: skip
    return redirect("matchmaking:detail", pk=pk)


@login_required
@require_POST
def session_action(request: HttpRequest, pk: int) -> HttpResponse:
    session = mm.session_get_for(request.user, pk)
    action = request.POST.get("action")
    if action == "generate":
        result = run_action(request, lambda: mm.generate_schedule(actor=request.user, session=session), _("已生成初步日程。"))  # fmt: skip
        if result:
            note = _("共 %(n)d 场洽谈，间断 %(breaks)d 次%(optimal)s。") % {
                "n": result["meetings"], "breaks": result["breaks"],
                "optimal": _("（已证明最优）") if result["optimal"] else _("（时限内最好结果）"),
            }  # fmt: skip
            if not result["fair"]:
                note += _("在公平约束下无解，已放宽公平约束。")
            if result["dropped"]:
                note += _("洽谈桌不足，%(n)d 场意向较弱的洽谈未能安排。") % {"n": result["dropped"]}
            messages.info(request, note)
    elif action == "publish":
        run_action(request, lambda: mm.publish(actor=request.user, session=session), _("正式日程已发布，已通知参会单位。"))  # fmt: skip
    elif action == "close":
        run_action(request, lambda: mm.close_registration(actor=request.user, session=session), _("已截止报名。"))  # fmt: skip
    elif action == "held":
        run_action(request, lambda: mm.mark_held(actor=request.user, session=session), _("已标记为已举办。"))  # fmt: skip
    elif action in ("approve", "reject"):
        participant = session.participants.filter(pk=_int(request.POST.get("participant"))).first()
        if participant is None:
            raise NotFound(_("未找到该报名。"))
        run_action(request, lambda: mm.review_participant(actor=request.user, participant=participant, approve=action == "approve"), _("已审核报名。"))  # fmt: skip
    elif action in ("lock", "unlock"):
        meeting = session.meetings.filter(pk=_int(request.POST.get("meeting"))).first()
        if meeting is None:
            raise NotFound(_("未找到该洽谈。"))
        run_action(request, lambda: mm.set_locked(actor=request.user, meeting=meeting, locked=action == "lock"), _("已更新锁定。"))  # fmt: skip
        return redirect("matchmaking:grid", pk=pk)
    return redirect("matchmaking:detail", pk=pk)


@login_required
def session_grid(request: HttpRequest, pk: int) -> HttpResponse:
    """The organizer's printable schedule: one row per table, one column per slot."""
    session = mm.session_get_for(request.user, pk)
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有活动组织方可以查看完整日程。"))
    cells: dict[tuple[int, int], Meeting] = {}
    for meeting in session.meetings.select_related("sme__organization", "provider__organization"):
        if meeting.slot and meeting.table:
            cells[(meeting.table, meeting.slot)] = meeting
    rows = [
        {"table": t, "cells": [cells.get((t, s)) for s, _label in session.slot_times()]}
        for t in range(1, session.tables + 1)
    ]
    return render(request, "capital/grid.html", {"session": session, "rows": rows, "slot_times": session.slot_times()})  # fmt: skip


@login_required
def session_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant's own agenda (page, PDF or .ics) with the outcome forms after the meetings."""
    session = mm.session_get_for(request.user, pk)
    me = mm.participant_for(request.user, session)
    if me is None:
        raise NotFound(_("您没有报名本场对接会。"))
    if not mm.can_see_schedule(request.user, session):
        raise NotFound(_("正式日程尚未发布。"))
    meetings = mm.agenda(me)
    times = dict(session.slot_times())
    rows = []
    for m in meetings:
        other = m.provider if m.sme_id == me.pk else m.sme
        rows.append({"meeting": m, "time": times.get(m.slot or 0, ""), "other": other})
    fmt = request.GET.get("format")
    if fmt == "pdf":
        return _agenda_pdf(session, me, rows)
    if fmt == "ics":
        return _agenda_ics(session, me, rows)
    return render(
        request,
        "capital/agenda.html",
        {
            "session": session,
            "me": me,
            "rows": rows,
            "results": Meeting.Result.choices,
            "can_record": session.status in (Session.Status.FINAL, Session.Status.DONE)
            and session.date <= timezone.localdate(),
        },  # fmt: skip
    )


def _agenda_pdf(session: Session, me: Participant, rows: list[dict[str, Any]]) -> HttpResponse:
    from innobridge.core.pdf import table_pdf

    content = table_pdf(
        _("%(org)s 洽谈日程") % {"org": me.organization.name},
        [str(session), _("地点：%(venue)s") % {"venue": session.venue}],
        [_("时间"), _("洽谈桌"), _("洽谈对象"), _("对方需求/服务")],
        [
            [
                r["time"],
                str(r["meeting"].table or ""),
                r["other"].organization.name,
                r["other"].needs()[:120],
            ]
            for r in rows
        ],  # fmt: skip
        [2, 1, 4, 8],
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(_('洽谈日程') + '.pdf')}"
    )
    return response


def _agenda_ics(session: Session, me: Participant, rows: list[dict[str, Any]]) -> HttpResponse:
    """iCalendar (RFC 5545): one event per meeting, times in China Standard Time."""
    begin = datetime.datetime.combine(session.date, session.start)
    step = datetime.timedelta(minutes=session.slot_minutes)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Innobridge//Matchmaking//ZH", "CALSCALE:GREGORIAN"]  # fmt: skip
    for r in rows:
        m = r["meeting"]
        start = begin + step * ((m.slot or 1) - 1)
        summary = _("洽谈：%(org)s") % {"org": r["other"].organization.name}
        location = f"{session.venue} · {_('洽谈桌')} {m.table}"
        lines += [
            "BEGIN:VEVENT", f"UID:innobridge-meeting-{m.pk}@innobridge", f"DTSTAMP:{stamp}",
            f"DTSTART;TZID=Asia/Shanghai:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Asia/Shanghai:{start + step:%Y%m%dT%H%M%S}",
            f"SUMMARY:{_ics(summary)}", f"LOCATION:{_ics(location)}", "END:VEVENT",
        ]  # fmt: skip
    lines.append("END:VCALENDAR")
    response = HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = "attachment; filename=agenda.ics"
    return response


def _ics(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@login_required
@require_POST
def meeting_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = Meeting.objects.select_related("session", "sme", "provider").filter(pk=pk).first()
    if meeting is None:
        raise NotFound(_("未找到该洽谈。"))
    mm.session_get_for(request.user, meeting.session_id)

    def record() -> Any:
        return mm.record_outcome(
            actor=request.user, meeting=meeting, held=request.POST.get("held") != "0",
            result=request.POST.get("result", ""), amount=parse_amount(request.POST.get("amount", "")),
            note=request.POST.get("note", ""),
        )  # fmt: skip

    run_action(request, record, _("洽谈结果已登记。"))
    return redirect("matchmaking:agenda", pk=meeting.session_id)


@login_required
def session_export(request: HttpRequest, pk: int) -> HttpResponse:
    session = mm.session_get_for(request.user, pk)
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有活动组织方可以导出报名和洽谈结果。"))
    times = dict(session.slot_times())
    from innobridge.core.audit import record

    record("export", actor=request.user, target=str(session), detail=request.GET.get("what") or "registrations", request=request)  # fmt: skip
    if request.GET.get("what") == "outcomes":
        headers = [_("时间"), _("洽谈桌"), _("科技企业"), _("金融与服务机构"), _("意向强度"), _("已洽谈"), _("企业反馈"), _("机构反馈"), _("金额（万元）"), _("备注")]  # fmt: skip
        lines = [
            [times.get(m.slot or 0, ""), m.table, m.sme.organization.name, m.provider.organization.name, m.weight,
             "" if m.held is None else (_("是") if m.held else _("否")), m.get_sme_result_display(), m.get_provider_result_display(),
             float(m.amount) if m.amount is not None else None, m.note]
            for m in session.meetings.select_related("sme__organization", "provider__organization")
        ]  # fmt: skip
        return _download(table_workbook(_("洽谈结果"), headers, lines), _("%(session)s洽谈结果.xlsx") % {"session": str(session)})  # fmt: skip
    headers = [_("单位"), _("参会身份"), _("审核状态"), _("融资需求（万元）"), _("融资阶段"), _("融资需求说明"), _("技术需求"), _("市场需求"), _("可提供的服务与产品"), _("不可参加的时段")]  # fmt: skip
    lines = [
        [p.organization.name, p.get_side_display(), p.get_status_display(),
         float(p.financing_amount) if p.financing_amount is not None else None, p.get_financing_stage_display(),
         p.financing_need, p.technology_need, p.market_need, p.offer, "、".join(str(s) for s in p.unavailable)]
        for p in session.participants.select_related("organization")
    ]  # fmt: skip
    return _download(table_workbook(_("报名"), headers, lines), _("%(session)s报名.xlsx") % {"session": str(session)})  # fmt: skip


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有科创局工作人员可以查看对接会统计。"))
    sessions = list(Session.objects.exclude(status=Session.Status.DRAFT).filter(date__lte=timezone.localdate()))  # fmt: skip
    trend = mm.trend(sessions)
    peak = max([row["counts"]["registered"] for row in trend] + [1])
    return render(
        request,
        "capital/stats.html",
        {"trend": trend, "labels": mm.funnel_labels(), "totals": mm.totals(), "peak": peak},
    )


def _int(text: Any) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0
