"""A matchmaking session end to end through the pages (register → recommend → mark → schedule →
publish → agendas → outcomes → stats), schedules checked by an independent validator, and what
each participant may see."""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from innobridge.capital import matchmaking as mm
from innobridge.capital.models import Interest, Meeting, Participant, Session
from innobridge.core.errors import AccessDenied, ApplicationError
from tests.capital.factories import InvestorProfileFactory
from tests.conftest import World, client_for
from tests.orgs.factories import OrganizationFactory

TODAY = timezone.localdate()


@pytest.fixture
def session(world: World) -> Session:
    InvestorProfileFactory(organization=world.investor_org, preferred_fields=["laser"], preferred_stages=["a"], ticket_min=Decimal(100), ticket_max=Decimal(3000))  # fmt: skip
    return Session.objects.create(
        title="联企创投汇·周三会", date=TODAY + datetime.timedelta(days=7), start=datetime.time(14, 0),
        slot_minutes=20, slots=4, tables=2, venue="光谷创新天地路演中心", capacity=10,
        deadline=TODAY + datetime.timedelta(days=5),
    )  # fmt: skip


def validate(session: Session) -> None:
    """Independent check: nobody double-booked, tables per slot, availability, tables distinct."""
    meetings = list(session.meetings.select_related("sme", "provider"))
    busy: Counter[tuple[int, int]] = Counter()
    tables: dict[int, set[int]] = defaultdict(set)
    for m in meetings:
        assert m.slot is not None
        assert 1 <= m.slot <= session.slots
        assert m.table is not None
        assert 1 <= m.table <= session.tables
        for p in (m.sme, m.provider):
            busy[(p.pk, m.slot)] += 1
            assert m.slot not in p.unavailable, (p, m.slot)
        assert m.table not in tables[m.slot]
        tables[m.slot].add(m.table)
    assert max(busy.values(), default=0) <= 1


def test_a_session_runs_end_to_end_through_the_pages(world: World, session: Session, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    member, investor, staff = (client_for(world, r) for r in ("member_a", "investor", "staff"))
    page = member.get(f"/matchmaking/{session.pk}/").content.decode()
    assert world.org_a.name in page  # offered for registration
    member.post(f"/matchmaking/{session.pk}/register/", {"organization": world.org_a.pk, "side": "sme", "financing_amount": "800", "financing_stage": "a", "financing_need": "光纤激光器扩产，A轮融资", "unavailable": ["4"]})  # fmt: skip
    investor.post(f"/matchmaking/{session.pk}/register/", {"organization": world.investor_org.pk, "side": "provider", "offer": "A轮股权投资，关注激光与光电子"})  # fmt: skip
    sme = Participant.objects.get(session=session, organization=world.org_a)
    provider = Participant.objects.get(session=session, organization=world.investor_org)
    assert (sme.status, sme.unavailable) == ("pending", [4])
    for p in (sme, provider):
        staff.post(f"/matchmaking/{session.pk}/action/", {"action": "approve", "participant": p.pk})
    page = member.get(f"/matchmaking/{session.pk}/").content.decode()
    assert "关注领域：激光" in page  # the recommendation says why
    with django_capture_on_commit_callbacks(execute=True):
        member.post(f"/matchmaking/{session.pk}/mark/", {"target": provider.pk, "mark": "must", "request": "1", "message": "希望介绍扩产计划"})  # fmt: skip
    assert "约见请求" in " ".join(world.users["investor"].notifications.values_list("title", flat=True))  # fmt: skip
    assert "希望介绍扩产计划" in investor.get(f"/matchmaking/{session.pk}/").content.decode()
    investor.post(f"/matchmaking/{session.pk}/mark/", {"target": sme.pk, "mark": "would"})
    assert mm.wanted(session) == [(sme.pk, provider.pk, 4)]

    staff.post(f"/matchmaking/{session.pk}/action/", {"action": "generate"})
    session.refresh_from_db()
    assert session.status == Session.Status.PRELIMINARY
    validate(session)
    meeting = session.meetings.get()
    assert meeting.slot != 4  # the SME cannot come in slot 4
    assert member.get(f"/matchmaking/{session.pk}/agenda/").status_code == 404  # not published yet
    grid = staff.get(f"/matchmaking/{session.pk}/grid/").content.decode()
    assert world.org_a.name in grid
    staff.post(f"/matchmaking/{session.pk}/action/", {"action": "publish"})
    agenda = member.get(f"/matchmaking/{session.pk}/agenda/").content.decode()
    assert world.investor_org.name in agenda
    assert dict(session.slot_times())[meeting.slot] in agenda
    pdf = member.get(f"/matchmaking/{session.pk}/agenda/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    assert world.investor_org.name in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    ics = member.get(f"/matchmaking/{session.pk}/agenda/?format=ics").content.decode()
    assert ics.count("BEGIN:VEVENT") == 1
    assert f"DTSTART;TZID=Asia/Shanghai:{session.date:%Y%m%d}" in ics

    # the day comes; both sides record what came of it; the funnel and the totals follow
    Session.objects.filter(pk=session.pk).update(date=TODAY, deadline=TODAY)
    staff.post(f"/matchmaking/{session.pk}/action/", {"action": "held"})
    member.post(
        f"/matchmaking/meetings/{meeting.pk}/outcome/", {"held": "1", "result": "term_sheet"}
    )
    investor.post(f"/matchmaking/meetings/{meeting.pk}/outcome/", {"held": "1", "result": "deal", "amount": "600"})  # fmt: skip
    meeting.refresh_from_db()
    assert (meeting.sme_result, meeting.provider_result, meeting.result, meeting.amount) == ("term_sheet", "deal", "deal", Decimal("600"))  # fmt: skip
    session.refresh_from_db()
    counts = mm.funnel(session)["counts"]
    assert counts == {"registered": 1, "recommended": 1, "requested": 1, "scheduled": 1, "met": 1, "follow_up": 1, "deal": 1}  # fmt: skip
    stats = staff.get("/matchmaking/stats/").content.decode()
    assert "600" in stats
    outcomes = staff.get(f"/matchmaking/{session.pk}/export/?what=outcomes")
    assert outcomes.status_code == 200


def crowd(world: World, session: Session, n_sme: int = 10, n_provider: int = 4, seed: int = 7) -> list[Participant]:  # fmt: skip
    rng = random.Random(seed)
    people = []
    for i in range(n_sme):
        org = OrganizationFactory(name=f"武汉测试科技企业{i:02d}有限公司")
        people.append(Participant.objects.create(session=session, organization=org, side="sme", status="approved", financing_need="A轮融资", unavailable=rng.sample([1, 2, 3, 4], rng.randint(0, 1))))  # fmt: skip
    for i in range(n_provider):
        profile = InvestorProfileFactory(organization=OrganizationFactory(name=f"武汉测试创投{i:02d}有限公司", kind="investor"))  # fmt: skip
        people.append(Participant.objects.create(session=session, organization=profile.organization, side="provider", status="approved", offer="股权投资"))  # fmt: skip
    smes = [p for p in people if p.side == "sme"]
    providers = [p for p in people if p.side == "provider"]
    for s in smes:
        for p in providers:
            if rng.random() < 0.6:
                Interest.objects.create(source=s, target=p, mark=rng.choice(["must", "would"]))
                Interest.objects.create(
                    source=p, target=s, mark=rng.choice(["must", "would", "no"])
                )
    return people


def test_generated_schedules_are_valid_and_locks_survive_a_re_solve(world: World, session: Session) -> None:  # fmt: skip
    crowd(world, session)
    staff = world.users["staff"]
    first = mm.generate_schedule(actor=staff, session=session)
    validate(session)
    assert first["meetings"] == session.meetings.count() > 0
    wanted = {(s, p) for s, p, _w in mm.wanted(session)}
    assert {(m.sme_id, m.provider_id) for m in session.meetings.all()} <= wanted
    loads = Counter()
    for m in session.meetings.all():
        loads[m.sme_id] += 1
        loads[m.provider_id] += 1
    for participant in session.participants.all():
        assert loads[participant.pk] <= session.slots - len(participant.unavailable)
    kept = session.meetings.order_by("pk").first()
    assert kept is not None
    mm.set_locked(actor=staff, meeting=kept, locked=True)
    mm.generate_schedule(actor=staff, session=session)
    validate(session)
    again = session.meetings.get(sme=kept.sme, provider=kept.provider)
    assert (again.pk, again.slot, again.locked) == (kept.pk, kept.slot, True)


def test_participants_see_only_their_own_agenda_and_marks(world: World, session: Session) -> None:
    people = crowd(world, session)
    mm.generate_schedule(actor=world.users["staff"], session=session)
    mm.publish(actor=world.users["staff"], session=session)
    outsider = client_for(world, "member_b")  # not registered
    assert outsider.get(f"/matchmaking/{session.pk}/agenda/").status_code == 404
    for role in ("member_b", "investor", "expert", "manager"):
        client = client_for(world, role)
        assert client.get(f"/matchmaking/{session.pk}/grid/").status_code == 403
        assert client.get(f"/matchmaking/{session.pk}/export/").status_code == 403
        assert client.post(f"/matchmaking/{session.pk}/action/", {"action": "generate"}).status_code == 403  # fmt: skip
    sme = people[0]
    with pytest.raises(AccessDenied):
        mm.mark(actor=world.users["member_b"], source=sme, target=people[-1], mark="must")
    meeting = Meeting.objects.filter(session=session).first()
    assert meeting is not None
    with pytest.raises(AccessDenied):  # refused as an outsider, not told the meeting is ahead
        mm.record_outcome(actor=world.users["member_b"], meeting=meeting, held=True, result="deal", amount=None)  # fmt: skip
    Session.objects.filter(pk=session.pk).update(date=TODAY, deadline=TODAY)
    meeting.refresh_from_db()
    with pytest.raises(AccessDenied):
        mm.record_outcome(actor=world.users["member_b"], meeting=meeting, held=True, result="deal", amount=None)  # fmt: skip
    assert Client().get(f"/matchmaking/{session.pk}/").status_code == 302  # sign in first


def test_registration_rules(world: World, session: Session) -> None:
    member = world.users["member_a"]
    with pytest.raises(ApplicationError, match="至少填写一项需求"):
        mm.register(actor=member, session=session, organization=world.org_a, side="sme")
    with pytest.raises(ApplicationError, match="至少保留一个"):
        mm.register(actor=member, session=session, organization=world.org_a, side="sme", financing_need="融资", unavailable=[1, 2, 3, 4])  # fmt: skip
    with pytest.raises(AccessDenied):
        mm.register(actor=member, session=session, organization=world.org_b, side="sme", financing_need="融资")  # fmt: skip
    Session.objects.filter(pk=session.pk).update(deadline=TODAY - datetime.timedelta(days=1))
    session.refresh_from_db()
    with pytest.raises(ApplicationError, match="截止"):
        mm.register(actor=member, session=session, organization=world.org_a, side="sme", financing_need="融资")  # fmt: skip
    assert not Participant.objects.exists()


def test_weekly_series_generates_wednesdays(world: World) -> None:
    from innobridge.capital.models import SessionSeries

    series = SessionSeries.objects.create(name="联企创投汇·周三会", start=datetime.time(14, 0), venue="武汉市工商联", weekday=2)  # fmt: skip
    created = mm.sessions_generate(actor=world.users["staff"], series=series, first=datetime.date(2026, 12, 1), count=3)  # fmt: skip
    assert [s.date for s in created] == [datetime.date(2026, 12, 2), datetime.date(2026, 12, 9), datetime.date(2026, 12, 16)]  # fmt: skip
    assert all(s.date.weekday() == 2 and s.deadline < s.date for s in created)
    with pytest.raises(AccessDenied):
        mm.sessions_generate(actor=world.users["member_a"], series=series, first=datetime.date(2026, 12, 1), count=1)  # fmt: skip
