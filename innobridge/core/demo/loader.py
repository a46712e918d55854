"""Load the deterministic Wuhan demo dataset (``innobridge demo``).

Everything is drawn from ``random.Random(seed)`` and the phrase banks, so the same seed gives
the same organizations, people, projects, demands, investors and labs on every machine.
"""

from __future__ import annotations

import datetime
import os
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from innobridge.capital.models import InvestmentStage, InvestorProfile
from innobridge.core.choices import District, TechField, Visibility
from innobridge.core.demo import enterprises as enterprise_data
from innobridge.core.demo import phrases, text
from innobridge.core.roles import Role
from innobridge.core.services import roles_ensure
from innobridge.core.uscc import make_uscc
from innobridge.cultivation.models import (
    CohortMember,
    EnterpriseProfile,
    EnterpriseYearRecord,
    TierEvaluation,
)
from innobridge.demands.models import DemandList, DemandListItem, ScenarioDemand
from innobridge.orgs.models import JointLab, JointLabMember, Membership, Organization, Person
from innobridge.projects.models import TechProject

DEFAULT_SEED = 2025
GENERATED_ENTERPRISES = 1050
PROJECTS = 620
DEMANDS = 260
EXPERTS = 120
LAB_MEMBER_COUNTS = (10, 9, 9, 9, 9, 9, 9, 9, 8, 8)  # 89 member units in the first batch
REASON = "演示数据"


def _zh(choices: Any) -> dict[str, str]:
    from django.utils import translation

    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    organization: str
    full_name: str
    note: str


DEMO_USERS = (
    DemoUser("staff", Role.STAFF, "武汉市科学技术局", "王建国", "科创局工作人员：全部数据、管理后台"),
    DemoUser("manager", Role.MANAGER, "武汉产业创新发展研究院", "李静", "技术经理人：负责的项目与需求"),
    DemoUser("enterprise", Role.MEMBER, "武汉锐科光纤激光技术股份有限公司", "张伟", "企业用户：本单位记录与公开信息"),
    DemoUser("university", Role.MEMBER, "华中科技大学", "陈晓东", "高校用户：本单位记录与公开信息"),
    DemoUser("expert", Role.EXPERT, "武汉大学", "刘志强", "评审专家：分配给自己的评审任务（第二届大赛领域赛）"),
    DemoUser("investor", Role.INVESTOR, "武汉创新投资集团有限公司", "赵敏", "投资机构用户：公开项目与需求"),
)  # fmt: skip


def demo_password() -> str:
    return os.environ.get("INNOBRIDGE_DEMO_PASSWORD", "innobridge2025")


class DemoBuilder:
    """Builds unsaved model instances in a fixed order from one random stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_codes: set[str] = set()
        self.fields = _zh(TechField.choices)
        self.districts = _zh(District.choices)

    # -- helpers --------------------------------------------------------------------------
    def uscc(self, authority: str, kind: str) -> str:
        while True:
            region = "4201" + self.rng.choice(("00", "02", "03", "04", "05", "06", "07", "11", "12", "13", "14", "15", "16", "17"))  # fmt: skip
            body = f"{self.rng.randrange(10**8):08d}"
            code = make_uscc(authority, kind, region, body)
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days + 1))

    def field_code(self, label: str) -> str:
        return self.fields.get(label, "")

    def district_code(self, label: str) -> str:
        return self.districts.get(label, "")

    # -- organizations --------------------------------------------------------------------
    def organizations(self) -> list[Organization]:
        kinds = {"enterprise": ("9", "1"), "university": ("1", "2"), "institute": ("1", "2"),
                 "financial": ("9", "1"), "investor": ("9", "1"), "government": ("1", "1"),
                 "service": ("9", "1"), "lab": ("5", "2")}  # fmt: skip
        organizations: list[Organization] = []
        names: set[str] = set()

        def add(name: str, kind: str, short: str, district: str, field: str, size: str) -> None:
            if name in names:
                return
            names.add(name)
            authority, code_kind = kinds[kind]
            founded = self.date_between(datetime.date(1952, 1, 1), datetime.date(2023, 12, 31))
            if kind == "enterprise" and size in ("micro", "small"):
                founded = self.date_between(datetime.date(2012, 1, 1), datetime.date(2024, 6, 30))
            organizations.append(
                Organization(
                    name=name, short_name=short, kind=kind, uscc=self.uscc(authority, code_kind),
                    district=self.district_code(district), field=self.field_code(field),
                    founded=founded, size=size,
                )
            )  # fmt: skip

        for org in phrases.NAMED_ORGS:
            size = "large" if org["kind"] in ("enterprise", "institute") else ""
            add(org["name"], org["kind"], org["short"], org["district"], org["field"], size)
        for org in phrases.UNIVERSITIES:
            add(org["name"], org["kind"], org["short"], org["district"], org["field"], "large")
        for name in phrases.BANKS:
            add(name, "financial", "", self.rng.choice(("江汉区", "武昌区", "江岸区", "东湖高新区")), "", "large")  # fmt: skip
        for name in phrases.GUARANTEE_FIRMS:
            add(name, "financial", "", self.rng.choice(phrases.DISTRICTS[:6]), "", "medium")
        for name in (*phrases.GOVERNMENT_FUNDS, *phrases.VC_PE_FIRMS):
            add(name, "investor", "", self.rng.choice(phrases.DISTRICTS[:10]), "", "small")
        district_weights = [30, 14, 6, 6, 5, 4, 5, 6, 3, 8, 5, 3, 4, 3, 2, 2]
        sizes = ["micro", "small", "small", "small", "medium", "medium", "large"]
        generated = 0
        while generated < GENERATED_ENTERPRISES:
            field = self.rng.choice(phrases.FIELDS)
            name = text.enterprise_name(self.rng, field)
            if name in names:
                continue
            district = self.rng.choices(phrases.DISTRICTS, weights=district_weights)[0]
            add(name, "enterprise", "", district, field, self.rng.choice(sizes))
            generated += 1
        return organizations

    # -- people ---------------------------------------------------------------------------
    def experts(self, hosts: list[Organization]) -> list[tuple[Person, Organization, str]]:
        people = []
        for _index in range(EXPERTS):
            host = self.rng.choice(hosts)
            field_label = self.rng.choice(phrases.FIELDS)
            person = Person(
                name=text.person_name(self.rng),
                title=self.rng.choice(phrases.EXPERT_TITLES),
                is_expert=True,
                field=self.field_code(field_label),
                keywords="，".join(text.expert_keywords(self.rng, field_label)),
            )
            people.append((person, host, self.rng.choice(phrases.PERSON_ROLES)))
        return people

    # -- projects and demands ------------------------------------------------------------------
    def trl_for(self, stage: str) -> int:
        """Maturity grows along the pipeline: discoveries are early, transformed ones mature."""
        low, high = {
            "discovered": (2, 6), "submitted": (3, 7), "screening": (3, 7), "in_review": (4, 7),
            "selected": (4, 8), "rejected": (2, 6), "cultivating": (5, 8), "transforming": (6, 9),
            "transformed": (7, 9), "stopped": (2, 6),
        }[stage]  # fmt: skip
        return self.rng.randint(low, high)

    def projects(
        self, owners_by_field: dict[str, list[Organization]], managers: list[Any]
    ) -> list[TechProject]:
        stages = [s for s, _label in TechProject.Stage.choices]
        stage_weights = [20, 14, 8, 8, 12, 6, 14, 10, 6, 2]
        visibilities = [Visibility.PUBLIC, Visibility.INTERNAL, Visibility.DRAFT]
        projects: list[TechProject] = []
        seen: set[tuple[int, str]] = set()
        while len(projects) < PROJECTS:
            field_label = phrases.FIELDS[len(projects) % len(phrases.FIELDS)]
            owner = self.rng.choice(owners_by_field[field_label])
            content = text.project_text(self.rng, field_label)
            key = (id(owner), content.title)
            if key in seen:
                continue
            seen.add(key)
            visibility = self.rng.choices(visibilities, weights=[55, 25, 20])[0]
            stage = self.rng.choices(stages, weights=stage_weights)[0]
            projects.append(
                TechProject(
                    title=content.title, summary=content.summary, kind=content.kind,
                    field=self.field_code(field_label), trl=self.trl_for(stage),
                    owner=owner, leader=text.person_name(self.rng), keywords="，".join(content.keywords),
                    stage=stage, visibility=visibility,
                    manager=self.rng.choice(managers) if self.rng.random() < 0.3 else None,
                )
            )  # fmt: skip
        return projects

    def demands(
        self,
        owners_by_field: dict[str, list[Organization]],
        departments: list[Organization],
        managers: list[Any],
    ) -> list[ScenarioDemand]:
        types = [ScenarioDemand.Type.TECHNOLOGY, ScenarioDemand.Type.SCENARIO,
                 ScenarioDemand.Type.TALENT, ScenarioDemand.Type.FINANCE]  # fmt: skip
        statuses = [
            (ScenarioDemand.Status.PUBLISHED, Visibility.PUBLIC, 45),
            (ScenarioDemand.Status.MATCHED, Visibility.PUBLIC, 12),
            (ScenarioDemand.Status.SIGNED, Visibility.PUBLIC, 6),
            (ScenarioDemand.Status.LANDED, Visibility.PUBLIC, 4),
            (ScenarioDemand.Status.VETTED, Visibility.INTERNAL, 10),
            (ScenarioDemand.Status.SUBMITTED, Visibility.INTERNAL, 10),
            (ScenarioDemand.Status.DRAFT, Visibility.DRAFT, 13),
        ]
        demands: list[ScenarioDemand] = []
        seen: set[tuple[int, str]] = set()
        while len(demands) < DEMANDS:
            field_label = phrases.FIELDS[len(demands) % len(phrases.FIELDS)]
            demand_type = self.rng.choices(types, weights=[50, 30, 10, 10])[0]
            pool = (
                departments
                if demand_type == ScenarioDemand.Type.SCENARIO and self.rng.random() < 0.4
                else owners_by_field[field_label]
            )
            owner = self.rng.choice(pool)
            content = text.demand_text(self.rng, field_label, str(demand_type))
            key = (id(owner), content.title)
            if key in seen:
                continue
            seen.add(key)
            status, visibility, _weight = self.rng.choices(
                statuses, weights=[s[2] for s in statuses]
            )[0]
            description = content.description
            if content.indicators:
                description += "\n主要指标：" + "；".join(content.indicators) + "。"
            demands.append(
                ScenarioDemand(
                    title=content.title, description=description, demand_type=demand_type,
                    field=self.field_code(field_label),
                    required_trl=self.rng.choice((None, 4, 5, 6, 6, 7, 7, 8)),
                    budget=Decimal(self.rng.choice((30, 50, 80, 100, 150, 200, 300, 500, 800, 1000, 2000))),
                    deadline=self.date_between(datetime.date(2025, 9, 30), datetime.date(2026, 12, 31)),
                    district=owner.district, owner=owner, keywords="，".join(content.keywords),
                    contact_name=text.person_name(self.rng),
                    contact_phone=f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}",
                    status=status, visibility=visibility,
                    manager=self.rng.choice(managers) if self.rng.random() < 0.3 else None,
                )
            )  # fmt: skip
        return demands

    # -- investors and labs ------------------------------------------------------------------
    def investor(self, organization: Organization, kind: str) -> InvestorProfile:
        fields = self.rng.sample(list(TechField.values), self.rng.randint(2, 5))
        stages = self.rng.sample(list(InvestmentStage.values), self.rng.randint(1, 3))
        low = self.rng.choice((100, 200, 300, 500, 1000, 2000))
        products = ""
        if kind == InvestorProfile.Kind.BANK:
            products = "、".join(self.rng.sample(list(phrases.BANK_PRODUCTS), 3))
            low = self.rng.choice((50, 100, 200))
        labels = [str(dict(TechField.choices)[f]) for f in fields]
        description = (
            f"重点关注{'、'.join(labels)}等领域的科技型企业，"
            + self.rng.choice(("偏好拥有核心知识产权和明确应用场景的团队。",
                               "可提供投贷联动、上市辅导等增值服务。",
                               "支持早期硬科技项目，陪伴企业从中试走向量产。",
                               "与区级引导基金协同，优先支持落户武汉的项目。"))
        )  # fmt: skip
        return InvestorProfile(
            organization=organization, kind=kind, preferred_fields=sorted(fields),
            preferred_stages=sorted(stages), ticket_min=Decimal(low),
            ticket_max=Decimal(low * self.rng.choice((5, 10, 20))), products=products,
            description=description,
        )  # fmt: skip


@transaction.atomic
def load_demo(seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Load the whole dataset into an empty database and return the counts."""
    if Organization.objects.exists():
        raise RuntimeError("database already has organizations; use --reset to reload the demo")
    roles_ensure()
    builder = DemoBuilder(seed)
    bulk_create_with_history(builder.organizations(), Organization, default_change_reason=REASON)
    by_name = {org.name: org for org in Organization.objects.all()}

    users = _demo_users(by_name)
    managers = [users["manager"]]
    enterprises = [o for o in by_name.values() if o.kind == Organization.Kind.ENTERPRISE]
    academia = [o for o in by_name.values() if o.kind in (Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE)]  # fmt: skip
    enterprises.sort(key=lambda o: o.name)
    academia.sort(key=lambda o: o.name)
    departments = sorted((o for o in by_name.values() if o.kind == Organization.Kind.GOVERNMENT), key=lambda o: o.name)  # fmt: skip
    field_labels = {value: str(label) for value, label in _zh_pairs(TechField.choices)}
    owners_by_field: dict[str, list[Organization]] = {label: [] for label in phrases.FIELDS}
    for org in enterprises:
        if org.field:
            owners_by_field[field_labels[org.field]].append(org)
    comprehensive = {"武汉大学", "华中科技大学", "武汉理工大学"}
    for label in phrases.FIELDS:
        code = builder.field_code(label)
        owners_by_field[label] += [
            org for org in academia if org.field in ("", code) or org.name in comprehensive
        ]

    experts = builder.experts(academia + enterprises[:200])
    persons = [person for person, _host, _role in experts]
    bulk_create_with_history(persons, Person, default_change_reason=REASON)
    memberships = [
        Membership(person=person, organization=host, role=role,
                   start=builder.date_between(datetime.date(2008, 1, 1), datetime.date(2022, 12, 31)))
        for person, host, role in experts
    ]  # fmt: skip
    bulk_create_with_history(memberships, Membership, default_change_reason=REASON)

    bulk_create_with_history(builder.projects(owners_by_field, managers), TechProject, default_change_reason=REASON)  # fmt: skip
    bulk_create_with_history(builder.demands(owners_by_field, departments, managers), ScenarioDemand, default_change_reason=REASON)  # fmt: skip

    profiles = []
    kind_of = {name: InvestorProfile.Kind.BANK for name in phrases.BANKS}
    kind_of |= {name: InvestorProfile.Kind.GUARANTEE for name in phrases.GUARANTEE_FIRMS}
    kind_of |= {name: InvestorProfile.Kind.GOVERNMENT_FUND for name in phrases.GOVERNMENT_FUNDS}
    for name in phrases.VC_PE_FIRMS:
        kind_of.setdefault(
            name, builder.rng.choice((InvestorProfile.Kind.VC, InvestorProfile.Kind.PE))
        )
    for name, kind in kind_of.items():
        if name in by_name:
            profiles.append(builder.investor(by_name[name], kind))
    bulk_create_with_history(profiles, InvestorProfile, default_change_reason=REASON)

    _joint_labs(builder, by_name, enterprises, academia)
    _cultivation(builder, enterprises)
    _challenges(builder, enterprises, users["staff"])
    _demand_lists()
    from innobridge.core.demo.pipeline import load_calls

    load_calls(users["staff"], users["expert"], builder.rng.random())
    from innobridge.core.demo.matchmaking import load_matchmaking

    load_matchmaking(users["staff"], users["enterprise"], users["investor"], builder.rng.random())
    return demo_counts()


def _cultivation(builder: DemoBuilder, enterprises: list[Organization]) -> None:
    """Five years of figures and a profile per enterprise, evaluated for every year, and the
    育苗 and 未来之鹰 cohorts of 2025 seeded from the eligible enterprises."""
    from innobridge.cultivation import services

    rng = random.Random(builder.rng.random())
    profiles, records = [], []
    for org in enterprises:
        profile, years = enterprise_data.enterprise_figures(rng, org)
        profiles.append(EnterpriseProfile(organization=org, **profile))
        records += [EnterpriseYearRecord(organization=org, **fields) for fields in years]
    bulk_create_with_history(profiles, EnterpriseProfile, default_change_reason=REASON)
    bulk_create_with_history(records, EnterpriseYearRecord, batch_size=1000, default_change_reason=REASON)  # fmt: skip
    services.evaluations_refresh(force=True)
    seedlings = TierEvaluation.objects.filter(year=2025).order_by("organization__name")
    chosen = [e.organization_id for e in seedlings if "yumiao" in e.rosters][:60]
    eagles = [e.organization_id for e in seedlings if "future_eagle" in e.rosters][
        :38
    ]  # the 2025 selection
    bulk_create_with_history(
        [CohortMember(roster="yumiao", cohort_year=2025, organization_id=pk) for pk in chosen]
        + [CohortMember(roster="future_eagle", cohort_year=2025, organization_id=pk) for pk in eagles],
        CohortMember, default_change_reason=REASON,
    )  # fmt: skip


def _demand_lists() -> None:
    """Four published lists (two numbered batches, two themes) and a batch in preparation."""
    from django.utils import timezone

    public = list(
        ScenarioDemand.objects.filter(visibility=Visibility.PUBLIC).order_by("field", "pk")
    )
    specs = [
        ("2025年第一批场景应用需求清单", DemandList.Kind.BATCH, 1, "", public[::2], True),
        ("2025年第二批场景应用需求清单", DemandList.Kind.BATCH, 2, "", public[1::2], True),
        ("低空经济与北斗应用场景专题清单", DemandList.Kind.THEME, None, "低空经济", [d for d in public if d.field in ("low_altitude", "beidou")], True),
        ("人工智能与工业软件应用场景专题清单", DemandList.Kind.THEME, None, "人工智能", [d for d in public if d.field in ("ai", "industrial_software")], True),
        ("2025年第三批场景应用需求清单（征集中）", DemandList.Kind.BATCH, 3, "", public[::7][:20], False),
    ]  # fmt: skip
    for title, kind, batch, theme, demands, published in specs:
        demand_list = DemandList.objects.create(
            title=title, kind=kind, year=2025, batch=batch, theme=theme, published=published,
            published_at=timezone.now() if published else None,
            description="面向全社会发布的场景应用需求，欢迎高校院所、科技企业揭榜对接。",
        )  # fmt: skip
        DemandListItem.objects.bulk_create(
            [
                DemandListItem(demand_list=demand_list, demand=d, number=n)
                for n, d in enumerate(demands, start=1)
            ]  # fmt: skip
        )


def _challenges(builder: DemoBuilder, enterprises: list[Organization], staff: Any) -> None:
    """Twelve demands opened as challenges (揭榜挂帅) with applications; four with a solver, one
    of them through contract and validation to a landed scenario."""
    from innobridge.demands.models import ChallengeApplication, DemandEvent

    S = ScenarioDemand.Status  # noqa: N806
    rng = random.Random(builder.rng.random())
    candidates = list(
        ScenarioDemand.objects.filter(
            visibility=Visibility.PUBLIC, status=S.PUBLISHED, demand_type="technology"
        ).order_by("pk")  # fmt: skip
    )
    by_field: dict[str, list[Organization]] = {}
    for org in enterprises:
        by_field.setdefault(org.field, []).append(org)
    approaches = ("产学研联合攻关，先做样机验证再小批量应用。", "基于已有中试线快速迭代，三个月内给出工程样机。",
                  "联合高校团队与链主企业共建验证平台，分阶段交付。", "采用成熟平台二次开发，重点解决现场适配与可靠性。")  # fmt: skip
    for index, demand in enumerate(candidates[:12]):
        demand.status = S.CHALLENGE
        demand.deadline = datetime.date(2026, 12, 31)
        demand.prize = Decimal(rng.choice((200, 300, 500, 800, 1000)))
        demand.eligibility = (
            "在汉注册的企业、高校或科研院所，具备相关领域研发基础，可牵头组建联合团队。"
        )
        demand.terms = "揭榜成果知识产权由双方按合同约定共享；申报材料仅用于评审，评审专家与工作人员负有保密义务。"
        steps = [("open_challenge", S.PUBLISHED, S.CHALLENGE, "")]
        pool = [o for o in by_field.get(demand.field, enterprises) if o.pk != demand.owner_id]
        applicants = rng.sample(pool, min(len(pool), rng.randint(2, 4)))
        applications = [
            ChallengeApplication(
                demand=demand, organization=org, proposal=f"针对“{demand.title}”，{rng.choice(approaches)}",
                team=f"{org.name}研发中心", budget=Decimal(rng.choice((100, 200, 300, 500))),
                score=rng.randint(62, 95), accepted_terms=True,
            )
            for org in applicants
        ]  # fmt: skip
        if index < 4 and applications:
            winner = max(applications, key=lambda a: a.score or 0)
            for application in applications:
                application.status = "won" if application is winner else "lost"
                application.result_note = "经综合评审，确定为揭榜方。" if application is winner else "经综合评审，其他方案更符合本需求，未入选。"  # fmt: skip
            demand.status = S.SOLVER
            steps.append(
                ("select_solver", S.CHALLENGE, S.SOLVER, f"揭榜方：{winner.organization.name}")
            )
            if index == 0:
                demand.contract_amount = winner.budget
                demand.status = S.LANDED
                steps += [("sign", S.SOLVER, S.SIGNED, ""), ("validate", S.SIGNED, S.VALIDATING, ""),
                          ("land", S.VALIDATING, S.LANDED, "场景验证通过，已在示范线应用。")]  # fmt: skip
        demand.save()
        if demand.status == S.LANDED:
            from innobridge.demands.models import ValidationMilestone

            ValidationMilestone.objects.bulk_create([
                ValidationMilestone(demand=demand, title="样机现场安装调试", due=datetime.date(2025, 9, 30),
                                    done=datetime.date(2025, 9, 26), evidence="现场调试记录与用户签字确认单。"),
                ValidationMilestone(demand=demand, title="连续试运行三个月", due=datetime.date(2025, 12, 31),
                                    done=datetime.date(2025, 12, 28), evidence="运行数据报告：关键指标全部达标。"),
            ])  # fmt: skip
        ChallengeApplication.objects.bulk_create(applications)
        DemandEvent.objects.bulk_create(
            [DemandEvent(demand=demand, action=a, from_status=f, to_status=t, actor=staff, reason=r,
                         amount=demand.contract_amount if a == "sign" else None) for a, f, t, r in steps]
        )  # fmt: skip


def _zh_pairs(choices: Any) -> list[tuple[str, str]]:
    from django.utils import translation

    with translation.override("zh-hans"):
        return [(value, str(label)) for value, label in choices]


def _joint_labs(
    builder: DemoBuilder,
    by_name: dict[str, Organization],
    enterprises: list[Organization],
    academia: list[Organization],
) -> None:
    for index, spec in enumerate(phrases.JOINT_LABS):
        lead = by_name[spec["lead"]]
        lab = JointLab(
            name=spec["name"], lead=lead, field=builder.field_code(spec["field"]),
            founded=builder.date_between(datetime.date(2024, 9, 1), datetime.date(2025, 6, 30)),
            batch="2025年第一批", achievements=spec["achievement"],
            description=f"由{lead.name}牵头，联合在汉高校、科研院所和产业链上下游企业共建，聚焦{spec['field']}领域关键核心技术攻关与成果转化。",
            funding=Decimal(builder.rng.choice((500, 800, 1000, 1500, 2000))),
        )  # fmt: skip
        lab.save()
        same_field = [o for o in enterprises if o.field == lab.field and o.pk != lead.pk]
        wanted = LAB_MEMBER_COUNTS[index] - 1
        n_academia = min(len(academia), max(2, wanted // 3))
        chosen = builder.rng.sample(academia, n_academia)
        pool = same_field if len(same_field) >= wanted - n_academia else enterprises
        pool = [o for o in pool if o.pk != lead.pk and o not in chosen]
        chosen += builder.rng.sample(pool, wanted - n_academia)
        members = [JointLabMember(lab=lab, organization=lead, role=JointLabMember.Role.LEAD)]
        for position, org in enumerate(chosen):
            role = JointLabMember.Role.CORE if position < 2 else JointLabMember.Role.MEMBER
            members.append(JointLabMember(lab=lab, organization=org, role=role))
        bulk_create_with_history(members, JointLabMember, default_change_reason=REASON)


def _demo_users(by_name: dict[str, Organization]) -> dict[str, Any]:
    user_model = get_user_model()
    users = {}
    for spec in DEMO_USERS:
        user = user_model.objects.create_user(
            username=spec.username, password=demo_password(), first_name=spec.full_name,
            is_staff=spec.role == Role.STAFF,
        )  # fmt: skip
        user.groups.add(Group.objects.get(name=spec.role))
        person = Person.objects.create(
            name=spec.full_name, user=user, is_expert=spec.role == Role.EXPERT,
            title="教授" if spec.role == Role.EXPERT else "",
        )  # fmt: skip
        Membership.objects.create(
            person=person, organization=by_name[spec.organization], role=str(Role(spec.role).label),
            start=datetime.date(2020, 1, 1),
        )  # fmt: skip
        users[spec.username] = user
    return users


def demo_counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "enterprises": Organization.objects.filter(kind=Organization.Kind.ENTERPRISE).count(),
        "universities_institutes": Organization.objects.filter(
            kind__in=[Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE]
        ).count(),
        "investors": InvestorProfile.objects.count(),
        "projects": TechProject.objects.count(),
        "demands": ScenarioDemand.objects.count(),
        "joint_labs": JointLab.objects.count(),
        "lab_members": JointLabMember.objects.count(),
        "experts": Person.objects.filter(is_expert=True).count(),
        "enterprise_year_records": EnterpriseYearRecord.objects.count(),
        "users": get_user_model().objects.count(),
    }


def reset_demo() -> None:
    """Remove all domain data and demo users (used by ``innobridge demo --reset``)."""
    with transaction.atomic():
        from innobridge.capital.models import Session, SessionSeries
        from innobridge.demands.models import ChallengeApplication, DemandEvent, ValidationMilestone
        from innobridge.projects.models import Call
        from innobridge.review.models import DeclaredConflict, ExpertProfile, ReviewRound

        Session.objects.all().delete()  # with participants, marks and meetings
        SessionSeries.objects.all().delete()
        ReviewRound.objects.all().delete()  # with their items and assignments
        DeclaredConflict.objects.all().delete()
        ExpertProfile.objects.all().delete()
        Call.objects.all().delete()  # with submissions

        ValidationMilestone.objects.all().delete()
        ChallengeApplication.objects.all().delete()
        DemandEvent.objects.all().delete()
        DemandListItem.objects.all().delete()
        DemandList.objects.all().delete()
        for derived in (CohortMember, TierEvaluation, EnterpriseYearRecord, EnterpriseProfile):
            derived.objects.all().delete()
            history = getattr(derived, "history", None)
            if history is not None:
                history.all().delete()
        JointLabMember.objects.all().delete()
        JointLab.objects.all().delete()
        InvestorProfile.objects.all().delete()
        ScenarioDemand.objects.all().delete()
        TechProject.objects.all().delete()
        Membership.objects.all().delete()
        Person.objects.all().delete()
        Organization.objects.all().delete()
        get_user_model().objects.filter(username__in=[u.username for u in DEMO_USERS]).delete()
        for model in (
            JointLabMember,
            JointLab,
            InvestorProfile,
            ScenarioDemand,
            TechProject,
            Membership,
            Person,
            Organization,
        ):
            model.history.all().delete()
