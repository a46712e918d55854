"""Demo matchmaking sessions (联企创投汇·周三会): eight past Wednesdays with registrations, marks,
optimal schedules and outcomes, and one upcoming session open for registration in which the demo
enterprise and the demo investor take part. Deterministic from the seed."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from innobridge.capital import matchmaking as mm
from innobridge.capital.models import (
    Interest,
    InvestmentStage,
    Meeting,
    Participant,
    Session,
    SessionSeries,
)
from innobridge.orgs.models import Organization

PAST = [datetime.date(2026, 10, 7) + datetime.timedelta(days=7 * i) for i in range(8)]
UPCOMING = datetime.date(2026, 12, 9)
FINANCING = ("扩产线建设需要流动资金，拟申请科技贷或知识产权质押贷。", "新一代产品研发进入样机阶段，寻求A轮股权融资。",
             "订单增长较快，需要供应链融资和应收账款融资。", "拟引入战略投资者，同时对接政府引导基金。",
             "研发投入大、固定资产少，希望了解投贷联动和人才贷。")  # fmt: skip
TECHNOLOGY = ("希望与高校共建联合实验室，攻关核心器件国产化。", "需要中试验证平台和第三方检测服务。",
              "寻求工业软件与智能制造系统集成合作。", "")  # fmt: skip
MARKET = ("希望对接链主企业和应用场景，拓展省外市场。", "需要政府采购和首台套推广渠道。", "")
OFFERS = {
    "bank": "科技型企业专属信贷：科技贷、知识产权质押贷、人才贷，最快三个工作日审批。",
    "guarantee": "为轻资产科技企业提供融资担保和信用增进，担保费率优惠。",
    "vc": "关注硬科技早中期项目，单笔投资500万至5000万元，可提供投后赋能。",
    "pe": "关注成长期和Pre-IPO企业，提供并购整合与上市辅导。",
    "government_fund": "政府引导基金直投与子基金联动，优先支持落户武汉的项目。",
}


def load_matchmaking(staff: Any, enterprise_user: Any, investor_user: Any, seed: float) -> None:
    rng = random.Random(seed)
    series = SessionSeries.objects.create(
        name="联企创投汇·周三会", weekday=SessionSeries.Weekday.WEDNESDAY, start=datetime.time(14, 0),
        slot_minutes=20, slots=8, morning_slots=0, tables=12, venue="武汉市工商联·光谷创新天地路演中心",
        online=True, capacity=40,
        description="由市工商联、市科创局联合主办，每周三下午为科技型中小企业与创投机构、银行、担保和服务机构安排一对一洽谈，提供融资、技术和市场服务。",
    )  # fmt: skip
    enterprises = list(Organization.objects.filter(kind=Organization.Kind.ENTERPRISE, field__gt="").order_by("pk"))  # fmt: skip
    providers = list(Organization.objects.filter(investor_profile__isnull=False).select_related("investor_profile").order_by("pk"))  # fmt: skip
    demo_sme = next(o for o in enterprises if o.name == "武汉锐科光纤激光技术股份有限公司")
    demo_provider = next(o for o in providers if o.name == "武汉创新投资集团有限公司")
    for day in [*PAST, UPCOMING]:
        upcoming = day == UPCOMING
        session = Session.objects.create(
            series=series, title=series.name, date=day, start=series.start, slot_minutes=series.slot_minutes,
            slots=series.slots, tables=series.tables, venue=series.venue, online=True, capacity=series.capacity,
            deadline=day - datetime.timedelta(days=2), status=Session.Status.OPEN, description=series.description,
        )  # fmt: skip
        smes = rng.sample([o for o in enterprises if o != demo_sme], rng.randint(20, 28))
        offering = rng.sample([o for o in providers if o != demo_provider], rng.randint(8, 11))
        if upcoming:
            smes = [demo_sme, *smes[:14]]
            offering = [demo_provider, *offering[:6]]
        people = []
        for org in smes:
            people.append(Participant(
                session=session, organization=org, side=Participant.Side.SME,
                status=Participant.Status.APPROVED if not upcoming or rng.random() < 0.8 or org == demo_sme else Participant.Status.PENDING,
                contact=enterprise_user if org == demo_sme else None,
                financing_amount=Decimal(rng.choice((200, 300, 500, 800, 1000, 2000, 3000))),
                financing_stage=rng.choice(list(InvestmentStage.values)),
                financing_need=rng.choice(FINANCING), technology_need=rng.choice(TECHNOLOGY),
                market_need=rng.choice(MARKET), unavailable=rng.sample(range(1, 9), rng.choice((0, 0, 0, 1, 2))),
                online=rng.random() < 0.1,
            ))  # fmt: skip
        for org in offering:
            kind = org.investor_profile.kind
            people.append(Participant(
                session=session, organization=org, side=Participant.Side.PROVIDER, status=Participant.Status.APPROVED,
                contact=investor_user if org == demo_provider else None,
                offer=OFFERS.get(kind, OFFERS["vc"]) + (org.investor_profile.products and f"产品：{org.investor_profile.products}" or ""),
                unavailable=rng.sample(range(1, 9), rng.choice((0, 0, 1))),
            ))  # fmt: skip
        Participant.objects.bulk_create(people)
        approved = list(session.participants.filter(status=Participant.Status.APPROVED).select_related("organization", "organization__investor_profile"))  # fmt: skip
        marks = []
        for participant in approved:
            if upcoming and participant.organization in (demo_sme, demo_provider):
                continue  # the demo users mark for themselves
            if upcoming and rng.random() < 0.5:
                continue
            for rec in mm.recommendations(participant, k=6):
                choice = rng.choices(["must", "would", "no"], weights=[3, 5, 2])[0]
                marks.append(Interest(source=participant, target=rec.participant, mark=choice, requested=choice == "must" and rng.random() < 0.3))  # fmt: skip
        Interest.objects.bulk_create(marks, ignore_conflicts=True)
        if upcoming:
            continue
        mm.generate_schedule(actor=staff, session=session, time_limit=5.0)
        session.refresh_from_db()
        session.status = Session.Status.DONE
        session.save()
        updates = []
        for meeting in session.meetings.all():
            meeting.held = rng.random() < 0.92
            if meeting.held:
                result = rng.choices(list(Meeting.Result.values), weights=[30, 35, 12, 12, 11])[0]
                meeting.sme_result = meeting.provider_result = result
                if result in (Meeting.Result.LOAN, Meeting.Result.DEAL):
                    meeting.amount = Decimal(rng.choice((100, 200, 300, 500, 800, 1000, 1500)))
            updates.append(meeting)
        Meeting.objects.bulk_update(updates, ["held", "sme_result", "provider_result", "amount"])
