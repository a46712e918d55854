"""Matchmaking sessions (联企创投汇·周三会): registration, recommendations, marks, the optimal
schedule, agendas and outcomes — every rule of the flow, in one module.

A meeting is wanted when both sides mark each other 必须见 or 愿意见 (a request counts as the
requester's mark; the other side answers by marking). Its weight is the sum of both marks (必须见 3,
愿意见 1). The organizer generates the schedule in two exact steps (``innobridge.optimize.schedule``):
choose the meetings that maximize total weight with nobody in more meetings than the slots they
can attend, then place them in slots and at tables with the fewest breaks (a fairness bound keeps
everyone's breaks close). Locked meetings keep their slot when the organizer solves again.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from innobridge.capital.models import (
    Interest,
    InvestorProfile,
    Meeting,
    Participant,
    Session,
    SessionSeries,
)
from innobridge.core.errors import AccessDenied, ApplicationError, NotFound
from innobridge.core.roles import Role, is_staff_role, org_ids_of, roles_of
from innobridge.core.services import save_validated
from innobridge.orgs.models import Organization

POINTS: dict[str, int] = {Interest.Mark.MUST: 3, Interest.Mark.WOULD: 1, Interest.Mark.NO: 0}
STAGE_TRL = {"seed": 2, "angel": 4, "a": 6, "b": 7, "c": 8, "growth": 8, "pre_ipo": 9}
FAIRNESS = 2
P = Participant.Status


def _staff(actor: Any) -> None:
    if not is_staff_role(actor):
        raise AccessDenied(_("只有活动组织方（科创局工作人员）可以执行此操作。"))


# --- sessions --------------------------------------------------------------------------------


def sessions_for(user: Any) -> QuerySet[Session]:
    """Staff see every session; signed-in users see sessions past preparation."""
    sessions = Session.objects.select_related("series")
    if is_staff_role(user):
        return sessions
    if user is None or not user.is_authenticated:
        return sessions.none()
    return sessions.exclude(status=Session.Status.DRAFT)


def session_get_for(user: Any, pk: int) -> Session:
    found = sessions_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该对接会，或您无权查看。"))
    return found


@transaction.atomic
def sessions_generate(*, actor: Any, series: SessionSeries, first: datetime.date, count: int, deadline_days: int = 2) -> list[Session]:  # fmt: skip
    """The next ``count`` sessions of a weekly series, from ``first`` on (existing dates skipped)."""
    _staff(actor)
    if not 1 <= count <= 52:
        raise ApplicationError(_("一次最多生成52场。"))
    day = first + datetime.timedelta(days=(series.weekday - first.weekday()) % 7)
    created: list[Session] = []
    while len(created) < count:
        if not Session.objects.filter(series=series, date=day).exists():
            session = Session(
                series=series, title=series.name, date=day, start=series.start,
                slot_minutes=series.slot_minutes, slots=series.slots, morning_slots=series.morning_slots,
                tables=series.tables, venue=series.venue, online=series.online, capacity=series.capacity,
                deadline=day - datetime.timedelta(days=deadline_days), status=Session.Status.OPEN,
                description=series.description,
            )  # fmt: skip
            created.append(save_validated(session, actor=actor, reason=_("按周期生成")))
        day += datetime.timedelta(days=7)
    return created


def registration_open(session: Session) -> bool:
    return session.status == Session.Status.OPEN and timezone.localdate() <= session.deadline


# --- participants ----------------------------------------------------------------------------


def own_participants(user: Any, session: Session) -> list[Participant]:
    if user is None or not user.is_authenticated:
        return []
    return list(session.participants.filter(organization_id__in=org_ids_of(user)).select_related("organization"))  # fmt: skip


def registrable_organizations(user: Any, session: Session) -> list[tuple[Organization, str]]:
    """(organization, side) the user may register: members register their enterprise as an SME,
    investor users their institution as a provider."""
    if not registration_open(session):
        return []
    taken = set(session.participants.values_list("organization_id", flat=True))
    roles = roles_of(user)
    found: list[tuple[Organization, str]] = []
    for org in Organization.objects.filter(pk__in=org_ids_of(user) - taken).order_by("name"):
        if Role.MEMBER in roles and org.kind == Organization.Kind.ENTERPRISE:
            found.append((org, Participant.Side.SME))
        elif Role.INVESTOR in roles or org.kind in (Organization.Kind.FINANCIAL, Organization.Kind.INVESTOR, Organization.Kind.SERVICE):  # fmt: skip
            found.append((org, Participant.Side.PROVIDER))
    return found


@transaction.atomic
def register(
    *, actor: Any, session: Session, organization: Organization, side: str,
    financing_amount: Decimal | None = None, financing_stage: str = "", financing_need: str = "",
    technology_need: str = "", market_need: str = "", offer: str = "",
    unavailable: Iterable[int] = (), online: bool = False,
) -> Participant:  # fmt: skip
    allowed = dict((org.pk, s) for org, s in registrable_organizations(actor, session))
    if not registration_open(session):
        raise ApplicationError(_("报名已截止或尚未开始。"))
    if allowed.get(organization.pk) != side:
        raise AccessDenied(_("您不能以该单位和身份报名（企业用户以本企业报名，金融与服务机构用户以本机构报名）。"))  # fmt: skip
    slots = _slots(session, unavailable)
    if side == Participant.Side.SME:
        if session.participants.filter(side=Participant.Side.SME).exclude(status=P.REJECTED).count() >= session.capacity:  # fmt: skip
            raise ApplicationError(_("本场企业名额已满，请报名下一场。"))
        if not (financing_need.strip() or technology_need.strip() or market_need.strip()):
            raise ApplicationError(_("请至少填写一项需求（融资、技术或市场）。"))
    elif not offer.strip():
        raise ApplicationError(_("请填写可提供的服务与产品。"))
    if online and not session.online:
        raise ApplicationError(_("本场不支持线上参加。"))
    participant = Participant(
        session=session, organization=organization, side=side, contact=actor,
        financing_amount=financing_amount, financing_stage=financing_stage,
        financing_need=financing_need.strip(), technology_need=technology_need.strip(),
        market_need=market_need.strip(), offer=offer.strip(), unavailable=slots, online=online,
    )  # fmt: skip
    return save_validated(participant, actor=actor, reason=_("报名"))


def _slots(session: Session, slots: Iterable[int]) -> list[int]:
    chosen = sorted({int(s) for s in slots})
    if any(not 1 <= s <= session.slots for s in chosen):
        raise ApplicationError(_("不可参加的时段应在1到%(n)d之间。") % {"n": session.slots})
    if len(chosen) >= session.slots:
        raise ApplicationError(_("请至少保留一个可参加的时段。"))
    return chosen


@transaction.atomic
def set_availability(*, actor: Any, participant: Participant, unavailable: Iterable[int]) -> Participant:  # fmt: skip
    _own(actor, participant)
    if participant.session.status not in (Session.Status.OPEN, Session.Status.CLOSED):
        raise ApplicationError(_("日程已生成，如需调整时段请联系组织方。"))
    participant.unavailable = _slots(participant.session, unavailable)
    return save_validated(participant, actor=actor, reason=_("调整可参加时段"))


@transaction.atomic
def review_participant(*, actor: Any, participant: Participant, approve: bool) -> Participant:
    """The organizer validates who takes part."""
    from innobridge.core.notify import members_of, notify

    _staff(actor)
    participant.status = P.APPROVED if approve else P.REJECTED
    save_validated(participant, actor=actor, reason=_("审核报名"))
    session = participant.session
    notify(
        members_of(participant.organization_id), "status",
        (_("报名已通过：%(session)s") if approve else _("报名未通过：%(session)s")) % {"session": str(session)},  # fmt: skip
        "", f"/matchmaking/{session.pk}/",
    )  # fmt: skip
    return participant


def _own(actor: Any, participant: Participant) -> None:
    if participant.organization_id not in org_ids_of(actor):
        raise AccessDenied(_("这不是您单位的报名。"))


# --- recommendations and interest -------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    participant: Participant
    score: float
    reason: str


def recommendations(participant: Participant, k: int = 10) -> list[Recommendation]:
    """Who this participant should meet, best first, with reasons (the matching engine's
    investor preferences: fields, stages, ticket size, shared terms)."""
    from innobridge.core.matching import investor_reason
    from innobridge.matching.investors import rank_investors

    others = list(
        participant.session.participants.filter(status=P.APPROVED)
        .exclude(side=participant.side)
        .select_related("organization", "organization__investor_profile")
    )
    if participant.side == Participant.Side.SME:
        technology = _technology(participant)
        providers = {str(p.pk): p for p in others}
        matches = rank_investors(technology, [_investor(p) for p in others], k=k)
        return [
            Recommendation(providers[m.id], m.score, investor_reason(m, technology.field, None))  # fmt: skip
            for m in matches if m.score > 0
        ]  # fmt: skip
    investor = _investor(participant)
    scored = []
    for sme in others:
        technology = _technology(sme)
        match = rank_investors(technology, [investor], k=1)[0]
        if match.score > 0:
            scored.append(Recommendation(sme, match.score, investor_reason(match, technology.field, None)))  # fmt: skip
    scored.sort(key=lambda r: (-r.score, r.participant.pk))
    return scored[:k]


def _technology(sme: Participant) -> Any:
    from innobridge.matching.investors import Technology

    org = sme.organization
    return Technology(
        f"{sme.needs()} {org.description}", org.field, STAGE_TRL.get(sme.financing_stage, 6),
        float(sme.financing_amount) if sme.financing_amount is not None else None,
    )  # fmt: skip


def _investor(provider: Participant) -> Any:
    from innobridge.matching.investors import Investor

    profile: InvestorProfile | None = getattr(provider.organization, "investor_profile", None)
    if profile is None:
        return Investor(str(provider.pk), "service", (provider.organization.field,) if provider.organization.field else (), (), None, None, provider.offer)  # fmt: skip
    return Investor(
        str(provider.pk), profile.kind, tuple(profile.preferred_fields), tuple(profile.preferred_stages),
        float(profile.ticket_min) if profile.ticket_min is not None else None,
        float(profile.ticket_max) if profile.ticket_max is not None else None,
        f"{profile.description} {profile.products} {provider.offer}",
    )  # fmt: skip


@transaction.atomic
def mark(*, actor: Any, source: Participant, target: Participant, mark: str, request: bool = False, message: str = "") -> Interest:  # fmt: skip
    """必须见 / 愿意见 / 不需要 — and optionally a meeting request the other side answers."""
    from innobridge.core.notify import members_of, notify

    _own(actor, source)
    session = source.session
    if target.session_id != session.pk or target.side == source.side:
        raise ApplicationError(_("只能标记本场对接会的另一方参会单位。"))
    if source.status != P.APPROVED or target.status != P.APPROVED:
        raise ApplicationError(_("报名审核通过后才能标记对接意向。"))
    if session.status not in (Session.Status.OPEN, Session.Status.CLOSED):
        raise ApplicationError(_("日程已生成，意向不能再修改。"))
    if mark not in POINTS:
        raise ApplicationError(_("未知的意向。"))
    interest, _created = Interest.objects.update_or_create(
        source=source,
        target=target,
        defaults={
            "mark": mark,
            "requested": request and mark != Interest.Mark.NO,
            "message": message.strip()[:200],
        },  # fmt: skip
    )
    if request and mark != Interest.Mark.NO:
        notify(
            members_of(target.organization_id), "meeting",
            _("约见请求：%(org)s 希望在%(session)s与您洽谈") % {"org": source.organization.name, "session": str(session)},  # fmt: skip
            message.strip(), f"/matchmaking/{session.pk}/",
        )  # fmt: skip
    return interest


def marks_of(participant: Participant) -> dict[int, Interest]:
    return {i.target_id: i for i in participant.marks_given.all()}


def requests_to(participant: Participant) -> list[Interest]:
    """Requests this participant has not answered yet (no mark of their own for the requester)."""
    answered = set(participant.marks_given.values_list("target_id", flat=True))
    return [
        i for i in participant.marks_received.filter(requested=True).select_related("source__organization")
        if i.source_id not in answered
    ]  # fmt: skip


def wanted(session: Session) -> list[tuple[int, int, int]]:
    """(sme, provider, weight) for every pair where both sides want to meet."""
    approved = set(session.participants.filter(status=P.APPROVED).values_list("pk", flat=True))
    marks = {(i.source_id, i.target_id): POINTS[i.mark] for i in Interest.objects.filter(source__session=session)}  # fmt: skip
    sides = dict(session.participants.values_list("pk", "side"))
    pairs = []
    for (source, target), points in marks.items():
        if (
            sides.get(source) != Participant.Side.SME
            or source not in approved
            or target not in approved
        ):
            continue
        back = marks.get((target, source), 0)
        if points and back:
            pairs.append((source, target, points + back))
    return sorted(pairs)


# --- the schedule ----------------------------------------------------------------------------


@transaction.atomic
def generate_schedule(*, actor: Any, session: Session, time_limit: float = 10.0) -> dict[str, Any]:
    """Choose and place the meetings optimally; the schedule is preliminary until published."""
    from innobridge.optimize.schedule import Infeasible, ScheduleProblem, choose_meetings, schedule
    from innobridge.optimize.schedule import Meeting as Planned

    _staff(actor)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status in (Session.Status.FINAL, Session.Status.DONE):
        raise ApplicationError(_("正式日程已发布，不能重新生成。"))
    if session.status == Session.Status.DRAFT:
        raise ApplicationError(_("对接会尚未开放报名。"))
    participants = {p.pk: p for p in session.participants.filter(status=P.APPROVED).select_related("organization")}  # fmt: skip
    locked = list(session.meetings.filter(locked=True))
    taken: Counter[int] = Counter()
    for meeting in locked:
        taken[meeting.sme_id] += 1
        taken[meeting.provider_id] += 1
    caps = {f"p{pk}": max(0, session.slots - len(p.unavailable) - taken[pk]) for pk, p in participants.items()}  # fmt: skip
    locked_pairs = {(m.sme_id, m.provider_id) for m in locked}
    weights = {(s, p): w for s, p, w in wanted(session) if (s, p) not in locked_pairs}
    chosen = choose_meetings([(f"p{s}", f"p{p}", w) for (s, p), w in weights.items()], caps)
    pairs = [(int(a[1:]), int(b[1:])) for a, b in chosen]
    capacity = session.slots * session.tables - len(locked)
    dropped = 0
    if len(pairs) > capacity:  # more wanted meetings than tables: keep the strongest interest
        pairs.sort(key=lambda pair: (-weights[pair], pair))
        dropped = len(pairs) - capacity
        pairs = pairs[:capacity]
    if not pairs and not locked:
        raise ApplicationError(_("还没有双方都愿意的洽谈：请先让参会双方标记意向。"))
    plans = [Planned(f"m{m.pk}", f"p{m.sme_id}", f"p{m.provider_id}", fixed_slot=m.slot) for m in locked]  # fmt: skip
    plans += [Planned(f"n{s}-{p}", f"p{s}", f"p{p}") for s, p in pairs]
    forbidden = {f"p{pk}": set(p.unavailable) for pk, p in participants.items() if p.unavailable}
    problem = ScheduleProblem(session.slots, session.morning_slots, session.tables, plans, forbidden=forbidden, fairness=FAIRNESS)  # fmt: skip
    fair = True
    try:
        result = schedule(problem, time_limit=time_limit)
    except Infeasible:
        problem.fairness = None  # a fair schedule may not exist for these marks; say so
        fair = False
        try:
            result = schedule(problem, time_limit=time_limit)
        except Infeasible as error:
            raise ApplicationError(_("无法排出日程：%(why)s。请解除部分锁定或调整时段。") % {"why": str(error)}) from None  # fmt: skip
    session.meetings.filter(locked=False).delete()
    for meeting in locked:
        meeting.table = result.tables[f"m{meeting.pk}"]
        meeting.save(update_fields=["table"])
    Meeting.objects.bulk_create([
        Meeting(session=session, sme_id=s, provider_id=p, weight=weights[(s, p)],
                slot=result.slots[f"n{s}-{p}"], table=result.tables[f"n{s}-{p}"])
        for s, p in pairs
    ])  # fmt: skip
    session.status = Session.Status.PRELIMINARY
    save_validated(session, actor=actor, reason=_("生成初步日程"))
    return {"meetings": len(pairs) + len(locked), "breaks": result.breaks, "optimal": result.optimal, "fair": fair, "dropped": dropped}  # fmt: skip


@transaction.atomic
def set_locked(*, actor: Any, meeting: Meeting, locked: bool) -> Meeting:
    _staff(actor)
    if Session.objects.get(pk=meeting.session_id).status != Session.Status.PRELIMINARY:
        raise ApplicationError(_("只能在初步日程阶段锁定洽谈。"))
    meeting.locked = locked
    return save_validated(meeting, actor=actor, reason=_("锁定洽谈") if locked else _("解除锁定"))


@transaction.atomic
def publish(*, actor: Any, session: Session) -> Session:
    """正式日程: everyone is told where to be and when."""
    from innobridge.core.notify import members_of, notify

    _staff(actor)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.PRELIMINARY:
        raise ApplicationError(_("请先生成初步日程。"))
    session.status = Session.Status.FINAL
    save_validated(session, actor=actor, reason=_("发布正式日程"))
    for participant in session.participants.filter(status=P.APPROVED):
        count = session.meetings.filter(Q(sme=participant) | Q(provider=participant)).count()
        notify(
            members_of(participant.organization_id), "meeting",
            _("正式日程已发布：%(session)s，您有%(n)d场洽谈") % {"session": str(session), "n": count},
            session.venue, f"/matchmaking/{session.pk}/agenda/",
        )  # fmt: skip
    return session


@transaction.atomic
def close_registration(*, actor: Any, session: Session) -> Session:
    _staff(actor)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.OPEN:
        raise ApplicationError(_("只有报名中的对接会可以截止报名。"))
    session.status = Session.Status.CLOSED
    return save_validated(session, actor=actor, reason=_("截止报名"))


@transaction.atomic
def mark_held(*, actor: Any, session: Session) -> Session:
    _staff(actor)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.FINAL:
        raise ApplicationError(_("请先发布正式日程。"))
    session.status = Session.Status.DONE
    return save_validated(session, actor=actor, reason=_("活动已举办"))


# --- agendas and outcomes --------------------------------------------------------------------


def agenda(participant: Participant) -> list[Meeting]:
    return list(
        participant.session.meetings.filter(Q(sme=participant) | Q(provider=participant))
        .exclude(slot__isnull=True)
        .select_related("sme__organization", "provider__organization")
        .order_by("slot")
    )


def can_see_schedule(user: Any, session: Session) -> bool:
    return is_staff_role(user) or session.status in (Session.Status.FINAL, Session.Status.DONE)


@transaction.atomic
def record_outcome(*, actor: Any, meeting: Meeting, held: bool, result: str, amount: Decimal | None, note: str = "") -> Meeting:  # fmt: skip
    """Each side records what came of the meeting; staff may record for either side."""
    orgs = org_ids_of(actor)
    sides = []
    if meeting.sme.organization_id in orgs:
        sides.append("sme")
    if meeting.provider.organization_id in orgs:
        sides.append("provider")
    if not sides and not is_staff_role(actor):  # first: an outsider learns nothing of its date
        raise AccessDenied(_("只有洽谈双方可以登记结果。"))
    session = Session.objects.get(pk=meeting.session_id)
    if session.status not in (Session.Status.FINAL, Session.Status.DONE) or session.date > timezone.localdate():  # fmt: skip
        raise ApplicationError(_("洽谈结束后才能登记结果。"))
    if result and result not in Meeting.Result.values:
        raise ApplicationError(_("未知的洽谈结果。"))
    if amount is not None and amount < 0:
        raise ApplicationError(_("金额不能为负数。"))
    meeting.held = held
    for side in sides or ["provider"]:
        setattr(meeting, f"{side}_result", result if held else Meeting.Result.NONE)
    if amount is not None:
        meeting.amount = amount
    if note.strip():
        meeting.note = note.strip()[:300]
    return save_validated(meeting, actor=actor, reason=_("登记洽谈结果"))


def participant_for(user: Any, session: Session) -> Participant | None:
    found = own_participants(user, session)
    return found[0] if found else None


# --- statistics ------------------------------------------------------------------------------

FUNNEL = ("registered", "recommended", "requested", "scheduled", "met", "follow_up", "deal")
ADVANCED = {Meeting.Result.FOLLOW_UP, Meeting.Result.TERM_SHEET, Meeting.Result.LOAN, Meeting.Result.DEAL}  # fmt: skip
DEALS = {Meeting.Result.LOAN, Meeting.Result.DEAL}


def funnel(session: Session) -> dict[str, Any]:
    """SMEs at each step: registered → recommended → requested → scheduled → met → follow-up → deal."""
    smes = list(
        session.participants.filter(side=Participant.Side.SME).select_related("organization")
    )
    approved = [p for p in smes if p.status == P.APPROVED]
    recommended = _recommended_count(session, approved)
    requested = set(Interest.objects.filter(source__in=approved).exclude(mark=Interest.Mark.NO).values_list("source_id", flat=True))  # fmt: skip
    stage: dict[int, set[str]] = defaultdict(set)
    amount = Decimal(0)
    for m in session.meetings.all():
        if m.slot:
            stage[m.sme_id].add("scheduled")
        if m.held:
            stage[m.sme_id].add("met")
        if m.result in ADVANCED:
            stage[m.sme_id].add("follow_up")
        if m.result in DEALS:
            stage[m.sme_id].add("deal")
            amount += m.amount or 0
    counts = {
        "registered": len(smes), "recommended": recommended, "requested": len(requested),
        "scheduled": sum(1 for s in stage.values() if "scheduled" in s),
        "met": sum(1 for s in stage.values() if "met" in s),
        "follow_up": sum(1 for s in stage.values() if "follow_up" in s),
        "deal": sum(1 for s in stage.values() if "deal" in s),
    }  # fmt: skip
    return {"counts": counts, "amount": amount}


def _recommended_count(session: Session, approved: list[Participant]) -> int:
    """SMEs with at least one recommendation; ranking is text work, so the count is cached for
    ten minutes per set of approved participants (it changes when someone is approved)."""
    from django.core.cache import cache

    providers = sorted(session.participants.filter(status=P.APPROVED, side=Participant.Side.PROVIDER).values_list("pk", flat=True))  # fmt: skip
    key = f"mm-recommended:{session.pk}:{hash((tuple(p.pk for p in approved), tuple(providers)))}"
    found = cache.get(key)
    if found is None:
        found = sum(1 for p in approved if recommendations(p, k=1))
        cache.set(key, found, 600)
    return int(found)


def funnel_labels() -> list[tuple[str, str]]:
    return [
        ("registered", _("报名")), ("recommended", _("获得推荐")), ("requested", _("表达意向")),
        ("scheduled", _("安排洽谈")), ("met", _("完成洽谈")), ("follow_up", _("后续跟进")),
        ("deal", _("达成融资/合作")),
    ]  # fmt: skip


def totals() -> dict[str, Any]:
    """Across all sessions: SMEs served (met at least once) and financing reached."""
    met = Meeting.objects.filter(held=True)
    deals = [m for m in Meeting.objects.filter(held=True).exclude(amount__isnull=True) if m.result in DEALS]  # fmt: skip
    return {
        "sessions": Session.objects.filter(status=Session.Status.DONE).count(),
        "smes_served": met.values("sme__organization_id").distinct().count(),
        "meetings": met.count(),
        "deals": len(deals),
        "amount": sum((m.amount or Decimal(0) for m in deals), Decimal(0)),
    }


def trend(sessions: Sequence[Session]) -> list[dict[str, Any]]:
    return [{"session": s, **funnel(s)} for s in sorted(sessions, key=lambda s: s.date)]
