"""The permission matrix: every page, API operation, export and search, for every role, on records
owned by other organizations. Private fields carry unique sentinel strings; a response may show a
sentinel only to the roles DESIGN.md lets see it, and every status code is the expected one.
Every request's SQL is watched too (then rolled back): a role may write only where ``WRITERS``
says, since a refused form POST redirects just like a done one. A cell reads "302w" when the
request wrote.

Rows come from the URL resolver and the OpenAPI document, so a new page or endpoint without a row
fails ``test_every_page_and_operation_has_a_row``. The table is printed at the end of the run
(tests/core/conftest.py).
"""

from __future__ import annotations

import datetime
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from innobridge.core.choices import Visibility
from innobridge.core.roles import Role
from innobridge.core.services import roles_ensure
from tests.conftest import make_user
from tests.core.conftest import MATRIX
from tests.demands.factories import ScenarioDemandFactory
from tests.orgs.factories import OrganizationFactory
from tests.projects.factories import TechProjectFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "staff",
    "manager",
    "member_a",
    "member_b",
    "university",
    "expert",
    "investor",
]
SIGNED_IN = set(ROLES) - {"anonymous"}
TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n% sentinel file\n"

# The word every private text carries, so searching for it would surface every private record.
SECRET_WORD = "绝密资料"


@dataclass
class Matrix:
    ids: dict[str, Any]  # record ids; the staged import's token
    users: dict[str, Any]
    tokens: dict[str, str]
    sentinels: dict[str, set[str]] = field(default_factory=dict)  # sentinel → roles that may see
    clients: dict[tuple[str, bool], Client] = field(default_factory=dict)

    def plant(self, name: str, seen_by: set[str]) -> str:
        """A unique marker (ASCII, so HTML, JSON, xlsx, pdf and ics keep it verbatim)."""
        token = f"SNT{name.upper()}Q"
        assert token not in self.sentinels
        self.sentinels[token] = set(seen_by) | {"staff"}
        return token


def build() -> Matrix:
    """Three organizations with private records, a contest with reviews, a challenge with
    applications, a matchmaking session, cultivation figures, audit entries and inboxes."""
    from innobridge.capital.models import Interest, Meeting, Participant, Session
    from innobridge.core.models import ApiToken, AuditEvent, Notification, hash_token
    from innobridge.cultivation.models import (
        CohortMember,
        EnterpriseProfile,
        EnterpriseYearRecord,
        TierEvaluation,
    )
    from innobridge.demands.models import (
        ApplicationAttachment,
        ChallengeApplication,
        DemandEvent,
        DemandList,
        DemandListItem,
        MatchFeedback,
        ValidationMilestone,
    )
    from innobridge.orgs.models import JointLab, JointLabMember, Person
    from innobridge.projects.models import (
        Call,
        FundingTranche,
        Milestone,
        ProjectEvent,
        Submission,
        SubmissionAttachment,
        TransformationOutcome,
    )
    from innobridge.review.models import (
        DeclaredConflict,
        ExpertProfile,
        ReviewAssignment,
        ReviewItem,
        ReviewRound,
    )
    from innobridge.targets.models import ManualFigure, Report
    from tests.capital.factories import InvestorProfileFactory

    roles_ensure()
    org_a = OrganizationFactory(name="武汉甲光电科技有限公司")
    org_b = OrganizationFactory(name="武汉乙激光技术有限公司")
    org_u = OrganizationFactory(name="华中测试理工大学", kind="university")
    investor_org = OrganizationFactory(name="武汉丙创业投资有限公司", kind="investor", field="")
    users = {
        "anonymous": AnonymousUser(),
        "staff": make_user("staff", Role.STAFF, is_staff=True),
        "manager": make_user("manager", Role.MANAGER),
        "member_a": make_user("member_a", Role.MEMBER, org_a),
        "member_b": make_user("member_b", Role.MEMBER, org_b),
        "university": make_user("university", Role.MEMBER, org_u),
        "expert": make_user("expert", Role.EXPERT),
        "investor": make_user("investor", Role.INVESTOR, investor_org),
    }
    m = Matrix(ids={}, users=users, tokens={})
    ids = m.ids
    ids.update(org_a=org_a.pk, org_b=org_b.pk, org_u=org_u.pk, investor_org=investor_org.pk)
    for role in SIGNED_IN:
        raw = f"ib_matrix_token_for_{role}"
        ApiToken.objects.create(user=users[role], name=role, key_hash=hash_token(raw), hint="x")
        m.tokens[role] = raw

    # --- projects and demands of every visibility (org_b's are the other organization's) ---
    projects: dict[str, Any] = {}
    demands: dict[str, Any] = {}
    seen_projects = {
        "draft": {"member"},
        "internal": {"member", "manager"},
        "public": {"member", "manager", "member_a", "member_b", "university", "investor"},
    }
    for key, org in (("a", org_a), ("b", org_b)):
        member = f"member_{key}"
        for visibility in Visibility.values:
            seen = {member if r == "member" else r for r in seen_projects[visibility]}
            if (key, visibility) == ("a", "internal"):
                seen.add("expert")  # entered in the contest below; the expert reviews it
            manager = users["manager"] if (key, visibility) == ("b", "internal") else None
            p_snt = m.plant(f"p{key}{visibility}", seen)
            projects[f"{key}_{visibility}"] = TechProjectFactory(
                owner=org, visibility=visibility, manager=manager, title=f"项目{key}{visibility} {p_snt}",
                summary=f"光纤激光器 {SECRET_WORD} {p_snt}", leader=m.plant(f"lead{key}{visibility}", seen),
            )  # fmt: skip
            d_seen = seen | ({"anonymous", "expert"} if visibility == "public" else set())
            d_snt = m.plant(f"d{key}{visibility}", d_seen)
            contact = {member} | ({"manager"} if manager else set())
            demands[f"{key}_{visibility}"] = ScenarioDemandFactory(
                owner=org, visibility=visibility, manager=manager, title=f"需求{key}{visibility} {d_snt}",
                description=f"光纤激光器 {SECRET_WORD} {d_snt}",
                contact_phone=m.plant(f"phone{key}{visibility}", contact),
                contact_name=m.plant(f"contact{key}{visibility}", contact),
            )  # fmt: skip
            ids[f"project_{key}_{visibility}"] = projects[f"{key}_{visibility}"].pk
            ids[f"demand_{key}_{visibility}"] = demands[f"{key}_{visibility}"].pk
    b_internal = projects["b_internal"]
    b_private = {"member_b", "manager"}  # org_b's internal project: its members and its manager
    ProjectEvent.objects.create(project=b_internal, action="select", from_stage="discovered", to_stage="selected", reason=m.plant("pevent", b_private))  # fmt: skip
    FundingTranche.objects.create(project=b_internal, amount=Decimal("123.45"), source="special", date=TODAY, note=m.plant("tranche", b_private))  # fmt: skip
    TransformationOutcome.objects.create(project=b_internal, type="licence", counterparty=m.plant("counterparty", b_private), date=TODAY)  # fmt: skip
    milestone = Milestone.objects.create(project=b_internal, title=m.plant("milestone", b_private), due=TODAY, done=TODAY, evidence=m.plant("evidence", b_private))  # fmt: skip
    milestone.evidence_file.save("evidence.pdf", ContentFile(PDF + m.plant("evfile", b_private).encode()))  # fmt: skip
    milestone.evidence_name = "evidence.pdf"
    milestone.save()
    ids["milestone_b"] = milestone.pk
    d_internal = demands["b_internal"]
    DemandEvent.objects.create(demand=d_internal, action="submit", from_status="draft", to_status="submitted", reason=m.plant("devent", b_private))  # fmt: skip
    MatchFeedback.objects.create(demand=d_internal, project=projects["a_public"], decision="rejected", reason=m.plant("feedback", {"manager"}), decided_by=users["manager"])  # fmt: skip
    vm = ValidationMilestone.objects.create(demand=d_internal, title=m.plant("vmilestone", b_private), done=TODAY, evidence=m.plant("vevidence", b_private))  # fmt: skip
    vm.evidence_file.save("v.pdf", ContentFile(PDF + m.plant("vfile", b_private).encode()))
    ids["vmilestone_b"] = vm.pk

    # --- people: contacts of org_b, expert profiles ---
    person_b = Person.objects.create(name=m.plant("personb", {"member_b"}), phone=m.plant("personphone", {"member_b"}), email="b@example.com")  # fmt: skip
    person_b.memberships.create(organization=org_b)
    ids["person_b"] = person_b.pk
    expert_person = Person.objects.create(name="评审专家甲", user=users["expert"], is_expert=True, field="laser", keywords="光纤激光器")  # fmt: skip
    other_expert = Person.objects.create(name=m.plant("expertname", set()), is_expert=True, field="laser", keywords="光纤激光器")  # fmt: skip
    ExpertProfile.objects.create(person=other_expert, bio=m.plant("expertbio", set()))
    ids["other_expert"] = other_expert.pk

    # --- a contest: org_a's and org_b's projects submitted; the expert reviews org_a's only ---
    call = Call.objects.create(title="2025 颠覆性技术创新大赛", year=2025, opens=TODAY - datetime.timedelta(days=30), deadline=TODAY - datetime.timedelta(days=1), status="reviewing", description=f"公开说明 {SECRET_WORD}")  # fmt: skip
    draft_call = Call.objects.create(title="筹备中征集", year=2026, opens=TODAY, deadline=TODAY + datetime.timedelta(days=30), description=m.plant("draftcall", set()))  # fmt: skip
    ids["call"], ids["draft_call"] = call.pk, draft_call.pk
    # every application of this one is decided (it has none left pending): its results can be
    # published, by staff alone
    done_call = Call.objects.create(title="2024 未来产业揭榜攻关征集", year=2024, opens=TODAY - datetime.timedelta(days=90), deadline=TODAY - datetime.timedelta(days=60), status="reviewing", description="评审已完成，待公布结果。")  # fmt: skip
    ids["done_call"] = done_call.pk
    submissions = {}
    for key, project in (("a", projects["a_internal"]), ("b", projects["b_internal"])):
        # the reviewing expert reads org_a's application (statement and files), not org_b's
        seen = {f"member_{key}"} | ({"expert"} if key == "a" else set())
        sub = Submission.objects.create(call=call, project=project, status="in_review", submitted=timezone.now(), statement=m.plant(f"statement{key}", seen), result_note=m.plant(f"resultnote{key}", seen), created_by=users[f"member_{key}"])  # fmt: skip
        att = SubmissionAttachment(submission=sub, name="申报书.pdf", kind="pdf", size=100)
        att.file.save("x.pdf", ContentFile(PDF + m.plant(f"subfile{key}", seen).encode()), save=False)  # fmt: skip
        att.save()
        submissions[key] = sub
        ids[f"submission_{key}"], ids[f"subfile_{key}"] = sub.pk, att.pk
    review_round = ReviewRound.objects.create(call=call, order=1, name="领域赛", status="reviewing", deadline=TODAY + datetime.timedelta(days=5))  # fmt: skip
    ids["round"] = review_round.pk
    for key, sub in submissions.items():
        item = ReviewItem.objects.create(round=review_round, submission=sub, decision_reason=m.plant(f"decision{key}", set()))  # fmt: skip
        ids[f"item_{key}"] = item.pk
        other = ReviewAssignment.objects.create(item=item, expert=other_expert, status="submitted", scores={"颠覆性": 87}, total=Decimal("87.65"), comment=m.plant(f"comment{key}", set()), submitted=timezone.now())  # fmt: skip
        ids[f"other_task_{key}"] = other.pk
        if key == "a":
            mine = ReviewAssignment.objects.create(item=item, expert=expert_person, status="assigned")  # fmt: skip
            ids["expert_task"] = mine.pk
    DeclaredConflict.objects.create(expert=other_expert, organization=org_b, reason=m.plant("conflict", set()))  # fmt: skip

    # --- a challenge (揭榜挂帅) on org_b's public demand; the university applies ---
    challenge = demands["b_public"]
    challenge.status, challenge.prize, challenge.terms = "challenge", Decimal(300), "成果归属双方"
    challenge.save()
    application = ChallengeApplication.objects.create(demand=challenge, organization=org_u, applicant=users["university"], proposal=m.plant("proposal", {"university"}), budget=Decimal("88"), accepted_terms=True, result_note=m.plant("appnote", {"university"}))  # fmt: skip
    app_file = ApplicationAttachment(application=application, name="方案.pdf", kind="pdf", size=100)
    app_file.file.save("a.pdf", ContentFile(PDF + m.plant("appfile", {"university"}).encode()), save=False)  # fmt: skip
    app_file.save()
    ids["application"], ids["appfile"] = application.pk, app_file.pk
    challenge_round = ReviewRound.objects.create(demand=challenge, name="揭榜评审", status="reviewing", criteria=[{"name": "技术方案", "weight": 100}])  # fmt: skip
    ids["challenge_round"] = challenge_round.pk
    citem = ReviewItem.objects.create(round=challenge_round, application=application)
    ReviewAssignment.objects.create(item=citem, expert=other_expert, status="submitted", scores={"技术方案": 90}, total=Decimal("90"), comment=m.plant("ccomment", set()))  # fmt: skip
    ids["challenge_item"] = citem.pk

    # --- demand lists: one published, one still being drafted ---
    published = DemandList.objects.create(title="2025年第一批场景应用需求清单", year=2025, batch=1, published=True, published_at=timezone.now())  # fmt: skip
    DemandListItem.objects.create(demand_list=published, demand=demands["a_public"], number=1)
    unpublished = DemandList.objects.create(title="2025年第二批需求清单（草稿）", year=2025, batch=2, description=m.plant("draftlist", set()))  # fmt: skip
    DemandListItem.objects.create(demand_list=unpublished, demand=demands["a_public"], number=1)
    ids["list_published"], ids["list_draft"] = published.pk, unpublished.pk

    # --- a joint lab (public) and investors ---
    lab = JointLab.objects.create(name="光电测试联合实验室", lead=org_a, field="laser", description="公开简介")  # fmt: skip
    JointLabMember.objects.create(lab=lab, organization=org_b, role="member")
    ids["lab"] = lab.pk
    profile = InvestorProfileFactory(organization=investor_org, preferred_fields=["laser"], preferred_stages=["a"], ticket_min=Decimal(100), ticket_max=Decimal(3000))  # fmt: skip
    ids["investor_profile"] = profile.pk

    # --- matchmaking: org_b and the investor meet; org_a registered but meets nobody ---
    session = Session.objects.create(title="联企创投汇·周三会", date=TODAY + datetime.timedelta(days=7), start=datetime.time(14, 0), slot_minutes=20, slots=4, tables=2, venue="光谷创新天地", capacity=10, deadline=TODAY + datetime.timedelta(days=5), status="final")  # fmt: skip
    ids["session"] = session.pk
    p_b = Participant.objects.create(session=session, organization=org_b, side="sme", status="approved", financing_amount=Decimal("800"), financing_need=m.plant("financeneed", {"member_b", "investor"}), market_need=m.plant("marketneed", {"member_b", "investor"}))  # fmt: skip
    p_inv = Participant.objects.create(session=session, organization=investor_org, side="provider", status="approved", offer="A轮股权投资")  # fmt: skip
    p_a = Participant.objects.create(session=session, organization=org_a, side="sme", status="approved", financing_need="光纤激光器扩产")  # fmt: skip
    Interest.objects.create(source=p_b, target=p_inv, mark="must", requested=True, message=m.plant("markmsg", {"member_b", "investor"}))  # fmt: skip
    meeting = Meeting.objects.create(session=session, sme=p_b, provider=p_inv, slot=1, table=1, note=m.plant("meetingnote", {"member_b", "investor"}), amount=Decimal("600"))  # fmt: skip
    ids.update(participant_b=p_b.pk, participant_inv=p_inv.pk, participant_a=p_a.pk, meeting=meeting.pk)  # fmt: skip
    # last week's session, held: its meeting's outcome row records a real one
    held = Session.objects.create(title="联企创投汇·周三会（已举办）", date=TODAY - datetime.timedelta(days=7), start=datetime.time(14, 0), slot_minutes=20, slots=4, tables=2, venue="光谷创新天地", capacity=10, deadline=TODAY - datetime.timedelta(days=10), status="done")  # fmt: skip
    held_sme = Participant.objects.create(session=held, organization=org_b, side="sme", status="approved", financing_need="流动资金贷款")  # fmt: skip
    held_provider = Participant.objects.create(session=held, organization=investor_org, side="provider", status="approved", offer="科技信贷")  # fmt: skip
    ids["held_meeting"] = Meeting.objects.create(session=held, sme=held_sme, provider=held_provider, slot=1, table=1).pk  # fmt: skip
    # the next session, still taking registrations (its register row files a real one)
    ids["open_session"] = Session.objects.create(title="联企创投汇·周三会（报名中）", date=TODAY + datetime.timedelta(days=14), start=datetime.time(14, 0), slot_minutes=20, slots=4, tables=2, venue="光谷创新天地", capacity=10, deadline=TODAY + datetime.timedelta(days=10), status="open").pk  # fmt: skip

    # --- cultivation: org_b's confidential figures ---
    EnterpriseProfile.objects.create(organization=org_b, registered_in_wuhan=True, awards=m.plant("awards", {"member_b"}))  # fmt: skip
    EnterpriseYearRecord.objects.create(organization=org_b, year=2024, revenue=Decimal("98765.43"), rd_expense=Decimal("4321.09"))  # fmt: skip
    m.sentinels["98765.43"] = {"staff", "member_b"}
    TierEvaluation.objects.create(organization=org_b, year=2025, rules_year=2025, rules_digest="x", tier="瞪羚", programs=["gazelle"], scores={})  # fmt: skip
    CohortMember.objects.create(roster="yumiao", cohort_year=2025, organization=org_b, note=m.plant("cohort", set()))  # fmt: skip

    # --- the bureau's own records: audit log, manual figures, reports; member_b's inbox ---
    AuditEvent.objects.create(kind="export", actor=users["member_b"], username="member_b", target=m.plant("audit", set()))  # fmt: skip
    ManualFigure.objects.create(year=2025, key="innovation_centres", value=Decimal(1), source=m.plant("manualsrc", set()), as_of=TODAY)  # fmt: skip
    report = Report.objects.create(kind="annual", year=TODAY.year, status="done")
    report.xlsx.save("r.xlsx", ContentFile(b"PK" + m.plant("reportfile", set()).encode()))
    report.pdf.save("r.pdf", ContentFile(PDF + m.plant("reportpdf", set()).encode()))
    ids["report"] = report.pk
    Notification.objects.create(user=users["member_b"], kind="demand", title=m.plant("inbox", {"member_b"}))  # fmt: skip
    ApiToken.objects.create(user=users["member_b"], name=m.plant("tokenname", {"member_b"}), key_hash=hash_token("other"), hint="y")  # fmt: skip
    ids["token_b"] = ApiToken.objects.get(hint="y").pk
    return m


def staged_import(m: Matrix) -> str:
    """An Excel import member_b uploaded and checked and has still to confirm (one project of
    org_b), kept under the data directory: its token."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from innobridge.core.imports import stage_upload
    from innobridge.orgs.models import Organization
    from tests.core.test_excel import PROJECT_HEADER, XLSX, workbook_bytes

    org_b = Organization.objects.get(pk=m.ids["org_b"])
    rows = [PROJECT_HEADER, ["激光熔覆再制造装备（批量导入）", org_b.name, "", "激光", 6, "", "", "乙单位通过 Excel 批量导入的项目。"]]  # fmt: skip
    upload = SimpleUploadedFile("乙单位项目.xlsx", workbook_bytes(rows), content_type=XLSX)
    token, report = stage_upload(entity="projects", upload=upload, user=m.users["member_b"])
    assert report.ok, report
    return token


@pytest.fixture(scope="module")
def matrix(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Matrix]:
    """One database setup for the whole table, rolled back at the end."""
    from django.test import override_settings

    media = tmp_path_factory.mktemp("media")
    from innobridge.core.imports import discard

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        built = build()
        built.ids["import_b"] = staged_import(built)
        yield built
        discard(built.ids["import_b"])  # left when the row did not confirm it
        transaction.set_rollback(True)


# --- running one operation for every role -------------------------------------------------------


def body_text(response: Any) -> str:
    """What a person (or a script) reads in a response: HTML/JSON text, or the cells of an
    xlsx, the text of a PDF, the lines of an .ics, CSV."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True)
        except Exception:  # noqa: BLE001 - a stored file that is not a workbook: read raw
            return content.decode("utf-8", "replace")
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if "pdf" in kind:
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(content))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        except Exception:  # noqa: BLE001 - a tiny stored file: read raw
            text = ""
        return text + content.decode("latin-1")
    return content.decode("utf-8", "replace")


def client(m: Matrix, role: str, *, token: bool = False) -> Client:
    """One client per role (signed in once): a browser session, or an API token."""
    key = (role, token)
    if key not in m.clients:
        if role == "anonymous":
            m.clients[key] = Client()
        elif token:
            m.clients[key] = Client(HTTP_AUTHORIZATION=f"Bearer {m.tokens[role]}")
        else:
            m.clients[key] = Client()
            m.clients[key].force_login(m.users[role])
    return m.clients[key]


SHOWN: set[str] = set()  # sentinels that some response showed (to a role allowed to see them)
# Stored but shown on no page, API or export at all (so nothing to leak through them).
NOT_SHOWN_ANYWHERE = {
    "SNTCOHORTQ",  # a cohort member's note: kept for the record, no page or export shows it
    "SNTCONFLICTQ",  # a declared conflict's reason: used by the assignment, shown nowhere
}
FRESH_CLIENT = ("/account/logout/", "/i18n/setlang/")


@dataclass
class Op:
    label: str
    method: str
    url: str
    expect: dict[str, int | set[int]]
    data: Any = None
    api: bool = False
    route: str = ""  # the route's row key: "POST demands/<int:pk>/apply/", "POST /api/demands/"


def run(m: Matrix, op: Op) -> tuple[dict[str, str], list[str]]:
    """Every role performs the operation (writes are rolled back); the cells and the failures."""
    cells: dict[str, str] = {}
    failures: list[str] = []
    for role in ROLES:
        c = client(m, role, token=op.api and role != "anonymous")
        if op.url.startswith(FRESH_CLIENT):  # these change the session or its language cookie
            c = Client()
            if role != "anonymous":
                c.force_login(m.users[role])
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            if op.method == "GET":
                response = c.get(op.url)
            elif op.api:
                response = c.generic(op.method, op.url, data=op.data or "{}", content_type="application/json")  # fmt: skip
            else:
                response = c.post(op.url, op.data or {})
            text = body_text(response)
            transaction.set_rollback(True)
        status = response.status_code
        wrote = written_tables(queries.captured_queries)
        if op.api:  # a token's last use is stamped on every call it authenticates
            wrote -= {"core_apitoken"}
        if wrote:
            WRITES[(op.route, role)] = wrote
            if role not in WRITERS.get(op.route, set()):
                failures.append(f"{op.label} as {role}: wrote {sorted(wrote)}")
        shown = {s for s in m.sentinels if s in text}
        SHOWN.update(shown)
        leaked = sorted(s for s in shown if role not in m.sentinels[s])
        cells[role] = "leak!" if leaked else f"{status}w" if wrote else str(status)
        expected = op.expect.get(role)
        ok = status in expected if isinstance(expected, set) else status == expected
        if not ok:
            failures.append(f"{op.label} as {role}: {status}, expected {expected}")
        if leaked:
            failures.append(f"{op.label} as {role}: leaked {leaked}")
        if status >= 500:
            failures.append(f"{op.label} as {role}: server error {status}")
    return cells, failures


WRITES: dict[tuple[str, str], set[str]] = {}
# Who may write through each route (anything else a request writes fails the matrix, whatever
# its status: a form POST redirects whether it was refused or done, so its status alone proves
# nothing). The fixtures belong to other organizations; the writes shown are those the row's
# request makes (the rest of its form POSTs carry no valid data and write nothing).
WRITERS: dict[str, set[str]] = {
    # the page creates the user's own notification settings and marks their notifications read
    "GET account/notifications/": set(ROLES) - {"anonymous"},
    # the tier pages evaluate enterprises they have not evaluated yet (staff only see them)
    "GET cultivation/": {"staff"},
    "GET cultivation/program/<slug:key>/": {"staff"},
    "GET cultivation/roster/<slug:key>/": {"staff"},
    "GET cultivation/tier/<str:tier>/": {"staff"},
    "GET cultivation/watchlist/": {"staff"},
    "GET /api/cultivation/ladder": {"staff"},
    "POST cultivation/recompute/": {"staff"},
    "POST cultivation/roster/<slug:key>/": {"staff"},
    # creating records: staff, managers and members (for their own organization)
    "POST /api/demands/": {"staff", "manager", "member_b"},
    "POST /api/projects/": {"staff", "manager", "member_b"},
    "POST /api/investors/": {"staff"},
    "POST /api/labs/": {"staff"},
    "POST /api/orgs/": {"staff"},
    # feedback on a demand's suggestions: staff, and the demand's own manager
    "POST /api/match/demands/{demand_b_draft}/projects/{project_b_draft}/feedback": {"staff"},
    "POST demands/<int:pk>/match/<int:project_pk>/": {"staff", "manager"},
    "POST /api/review/items/{item_b}/decision": {"staff"},
    "POST review/items/<int:pk>/": {"staff"},
    "POST review/assignments/<int:pk>/": {"staff"},
    "POST lists/<int:pk>/publish/": {"staff"},
    "POST calls/<int:pk>/action/": {"staff"},
    # an Excel import is confirmed by the user who uploaded and checked it
    "POST excel/<slug:entity>/import/confirm/": {"member_b"},
    "POST matchmaking/<int:pk>/action/": {"staff"},
    # a challenge's application: filed by a member of the applying organization only, scored by
    # staff (and the demand's own manager, who is not the matrix's manager here)
    "POST demands/<int:pk>/apply/": {"member_a"},
    "POST demands/<int:pk>/applications/<int:application_pk>/": {"staff"},
    # a matchmaking registration: in the name of one's own organization only
    "POST matchmaking/<int:pk>/register/": {"member_b"},
    # a held meeting's outcome: its two sides, and staff for either
    "POST matchmaking/meetings/<int:pk>/outcome/": {"staff", "member_b", "investor"},
    # a member revokes their own token
    "POST account/tokens/<int:pk>/revoke/": {"member_b"},
}
# written by any request and shown by no record: the session (sign-in, flash messages) and the
# audit log (denied attempts are logged too)
NOT_RECORDS = {"django_session", "core_auditevent"}
WRITE = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def written_tables(queries: list[dict[str, Any]]) -> set[str]:
    """The tables a request's SQL inserted into, updated or deleted from (records only)."""
    tables = {m.group(1) for q in queries if (m := WRITE.match(q["sql"]))}
    return tables - NOT_RECORDS


# --- the rows: route → the operations that exercise it (other organizations' objects) ---------


def expect(spec: str) -> dict[str, int | set[int]]:
    """ "anonymous=302 staff=200 *=403": a status (or a|b) per role, ``*`` for the rest."""
    parts = dict(item.split("=") for item in spec.split())
    default = parts.pop("*", None)
    result: dict[str, int | set[int]] = {}
    for role in ROLES:
        text = parts.get(role, default)
        assert text is not None, f"{spec}: no status for {role}"
        codes = {int(code) for code in text.split("|")}
        result[role] = codes if len(codes) > 1 else codes.pop()
    return result


OPEN = "*=200"
SIGNED = "anonymous=302 *=200"
STAFF = "anonymous=302 staff=200 *=403"
STAFF_POST = "anonymous=302 staff=302 *=403"
STAFF_404 = "anonymous=302 staff=200 *=404"

Row = tuple[str, str, str, str, Any]  # route, method, url, expectation, POST data


def page_rows(i: dict[str, int]) -> list[Row]:
    year = TODAY.year
    rows: list[Row] = [
        ("", "GET", "/", OPEN, None),
        ("healthz", "GET", "/healthz", OPEN, None),
        ("readyz", "GET", "/readyz", OPEN, None),
        ("orgs/", "GET", "/orgs/", SIGNED, None),
        ("orgs/", "GET", f"/orgs/?q={SECRET_WORD}", SIGNED, None),
        ("orgs/new/", "GET", "/orgs/new/", STAFF, None),
        ("orgs/<int:pk>/", "GET", f"/orgs/{i['org_b']}/", SIGNED, None),
        ("orgs/<int:pk>/", "GET", f"/orgs/{i['org_u']}/", SIGNED, None),
        (
            "orgs/<int:pk>/edit/",
            "GET",
            f"/orgs/{i['org_b']}/edit/",
            "anonymous=302 staff=200 member_b=200 *=403",
            None,
        ),  # fmt: skip
        (
            "orgs/<int:pk>/edit/",
            "POST",
            f"/orgs/{i['org_b']}/edit/",
            "anonymous=302 staff=200 member_b=200 *=403",
            {},
        ),  # fmt: skip
        ("labs/", "GET", "/labs/", OPEN, None),
        ("labs/", "GET", f"/labs/?q={SECRET_WORD}", OPEN, None),
        ("labs/<int:pk>/", "GET", f"/labs/{i['lab']}/", OPEN, None),
        ("projects/", "GET", "/projects/", SIGNED, None),
        ("projects/", "GET", f"/projects/?q={SECRET_WORD}", SIGNED, None),
        (
            "projects/new/",
            "GET",
            "/projects/new/",
            "anonymous=302 expert=403 investor=403 *=200",
            None,
        ),
    ]
    for key, spec in (
        ("b_draft", "anonymous=302 staff=200 member_b=200 *=404"),
        ("b_internal", "anonymous=302 staff=200 manager=200 member_b=200 *=404"),
        ("b_public", "anonymous=302 expert=404 *=200"),
        ("a_draft", "anonymous=302 staff=200 member_a=200 *=404"),
    ):
        rows.append(("projects/<int:pk>/", "GET", f"/projects/{i['project_' + key]}/", spec, None))
        rows.append(("projects/<int:pk>/matches/", "GET", f"/projects/{i['project_' + key]}/matches/", spec, None))  # fmt: skip
    rows += [
        (
            "projects/<int:pk>/edit/",
            "GET",
            f"/projects/{i['project_b_draft']}/edit/",
            "anonymous=302 staff=200 member_b=200 *=404",
            None,
        ),
        (
            "projects/<int:pk>/edit/",
            "GET",
            f"/projects/{i['project_b_internal']}/edit/",
            "anonymous=302 staff=200 manager=200 member_b=403 *=404",
            None,
        ),
        (
            "projects/<int:pk>/transition/",
            "POST",
            f"/projects/{i['project_b_internal']}/transition/",
            "anonymous=302 staff=302 manager=403 member_b=403 *=404",
            {"action": "select", "reason": "x"},
        ),  # fmt: skip
        (
            "projects/<int:pk>/growth/",
            "POST",
            f"/projects/{i['project_b_internal']}/growth/",
            "member_a=404 university=404 expert=404 investor=404 *=302",
            {},
        ),  # fmt: skip
        (
            "projects/<int:pk>/milestones/<int:milestone_pk>/file/",
            "GET",
            f"/projects/{i['project_b_internal']}/milestones/{i['milestone_b']}/file/",
            "anonymous=302 staff=200 manager=200 member_b=200 *=404",
            None,
        ),  # fmt: skip
        ("demands/", "GET", "/demands/", OPEN, None),
        ("demands/", "GET", f"/demands/?q={SECRET_WORD}", OPEN, None),
        (
            "demands/new/",
            "GET",
            "/demands/new/",
            "anonymous=302 expert=403 investor=403 *=200",
            None,
        ),
    ]
    for key, spec in (
        ("b_draft", "staff=200 member_b=200 *=404"),
        ("b_internal", "staff=200 manager=200 member_b=200 *=404"),
        ("b_public", OPEN),
        ("a_draft", "staff=200 member_a=200 *=404"),
    ):
        rows.append(("demands/<int:pk>/", "GET", f"/demands/{i['demand_' + key]}/", spec, None))
        signed = (
            spec if spec == OPEN else f"anonymous=302 {spec}"
        )  # the panel is for those signed in
        rows.append(("demands/<int:pk>/matches/", "GET", f"/demands/{i['demand_' + key]}/matches/", SIGNED if spec == OPEN else signed, None))  # fmt: skip
    d_int, d_pub = i["demand_b_internal"], i["demand_b_public"]
    rows += [
        (
            "demands/<int:pk>/edit/",
            "GET",
            f"/demands/{i['demand_b_draft']}/edit/",
            "anonymous=302 staff=200 member_b=200 *=404",
            None,
        ),
        (
            "demands/<int:pk>/transition/",
            "POST",
            f"/demands/{d_int}/transition/",
            "member_a=404 university=404 expert=404 investor=404 *=302",
            {"action": "publish"},
        ),  # fmt: skip
        ("demands/<int:pk>/apply/", "GET", f"/demands/{d_pub}/apply/", "anonymous=302 *=405", None),
        (  # a complete application on behalf of org_a: only its member may file it (WRITERS)
            "demands/<int:pk>/apply/",
            "POST",
            f"/demands/{d_pub}/apply/",
            "*=302",
            {
                "organization": i["org_a"],
                "proposal": "揭榜方案：厚板激光切割工艺",
                "team": "三人团队",
                "budget": "50",
                "accept": "1",
            },
        ),  # fmt: skip
        (  # a valid score: only the judges may give it (WRITERS)
            "demands/<int:pk>/applications/<int:application_pk>/",
            "POST",
            f"/demands/{d_pub}/applications/{i['application']}/",
            "*=302",
            {"score": "88"},
        ),  # fmt: skip
        (
            "demands/<int:pk>/files/<int:attachment_pk>/",
            "GET",
            f"/demands/{d_pub}/files/{i['appfile']}/",
            "anonymous=302 staff=200 university=200 *=404",
            None,
        ),  # fmt: skip
        (
            "demands/<int:pk>/milestones/",
            "POST",
            f"/demands/{d_int}/milestones/",
            "member_a=404 university=404 expert=404 investor=404 *=302",
            {},
        ),
        (
            "demands/<int:pk>/milestones/<int:milestone_pk>/file/",
            "GET",
            f"/demands/{d_int}/milestones/{i['vmilestone_b']}/file/",
            "anonymous=302 staff=200 manager=200 member_b=200 *=404",
            None,
        ),  # fmt: skip
        (
            "demands/<int:pk>/match/<int:project_pk>/",
            "POST",
            f"/demands/{d_int}/match/{i['project_a_public']}/",
            "member_a=404 university=404 expert=404 investor=404 *=302",
            {"decision": "introduced"},
        ),  # fmt: skip
        ("lists/", "GET", "/lists/", OPEN, None),
        ("lists/new/", "GET", "/lists/new/", STAFF, None),
        ("lists/<int:pk>/", "GET", f"/lists/{i['list_published']}/", OPEN, None),
        ("lists/<int:pk>/", "GET", f"/lists/{i['list_published']}/?q={SECRET_WORD}", OPEN, None),
        ("lists/<int:pk>/", "GET", f"/lists/{i['list_published']}/?format=pdf", OPEN, None),
        ("lists/<int:pk>/", "GET", f"/lists/{i['list_published']}/?format=xlsx", OPEN, None),
        ("lists/<int:pk>/", "GET", f"/lists/{i['list_draft']}/", "staff=200 *=404", None),
        (
            "lists/<int:pk>/",
            "GET",
            f"/lists/{i['list_draft']}/?format=xlsx",
            "staff=200 *=404",
            None,
        ),
        (
            "lists/<int:pk>/add/",
            "GET",
            f"/lists/{i['list_draft']}/add/?q={SECRET_WORD}",
            STAFF,
            None,
        ),
        (
            "lists/<int:pk>/publish/",
            "POST",
            f"/lists/{i['list_draft']}/publish/",
            "anonymous=302 staff=302 *=404",
            {},
        ),
        ("investors/", "GET", "/investors/", SIGNED, None),
        ("investors/", "GET", f"/investors/?q={SECRET_WORD}", SIGNED, None),
        ("investors/new/", "GET", "/investors/new/", STAFF, None),
        ("investors/<int:pk>/", "GET", f"/investors/{i['investor_profile']}/", SIGNED, None),
        (
            "investors/<int:pk>/edit/",
            "GET",
            f"/investors/{i['investor_profile']}/edit/",
            "anonymous=302 staff=200 investor=200 *=403",
            None,
        ),
        ("cultivation/", "GET", "/cultivation/", STAFF, None),
        ("cultivation/", "GET", "/cultivation/?format=xlsx", STAFF, None),
        ("cultivation/tier/<str:tier>/", "GET", "/cultivation/tier/瞪羚/?format=xlsx", STAFF, None),
        ("cultivation/program/<slug:key>/", "GET", "/cultivation/program/gazelle/", STAFF, None),
        (
            "cultivation/roster/<slug:key>/",
            "GET",
            "/cultivation/roster/yumiao/?year=2025",
            STAFF,
            None,
        ),
        (
            "cultivation/roster/<slug:key>/",
            "GET",
            "/cultivation/roster/yumiao/?year=2025&format=xlsx",
            STAFF,
            None,
        ),  # fmt: skip
        (
            "cultivation/roster/<slug:key>/",
            "POST",
            "/cultivation/roster/yumiao/",
            STAFF_POST,
            {"add": i["org_b"]},
        ),  # fmt: skip
        ("cultivation/watchlist/", "GET", "/cultivation/watchlist/", STAFF, None),
        ("cultivation/rules/", "GET", "/cultivation/rules/", STAFF, None),
        ("cultivation/recompute/", "POST", "/cultivation/recompute/", STAFF_POST, {}),
        (
            "cultivation/enterprise/<int:pk>/",
            "GET",
            f"/cultivation/enterprise/{i['org_b']}/",
            "anonymous=302 staff=200 member_b=200 *=404",
            None,
        ),  # fmt: skip
        (
            "cultivation/enterprise/<int:pk>/year/<int:year>/",
            "GET",
            f"/cultivation/enterprise/{i['org_b']}/year/2024/",
            STAFF,
            None,
        ),  # fmt: skip
        (
            "cultivation/enterprise/<int:pk>/profile/",
            "GET",
            f"/cultivation/enterprise/{i['org_b']}/profile/",
            STAFF,
            None,
        ),  # fmt: skip
        ("calls/", "GET", "/calls/", OPEN, None),
        ("calls/new/", "GET", "/calls/new/", STAFF, None),
        ("calls/<int:pk>/", "GET", f"/calls/{i['call']}/", SIGNED, None),
        (
            "calls/<int:pk>/",
            "GET",
            f"/calls/{i['draft_call']}/",
            "anonymous=302 staff=200 *=404",
            None,
        ),
        ("calls/<int:pk>/results/", "GET", f"/calls/{i['call']}/results/", "*=404", None),
        (
            "calls/<int:pk>/action/",
            "POST",
            f"/calls/{i['done_call']}/action/",
            STAFF_POST,
            {"action": "publish"},
        ),  # fmt: skip
        ("calls/<int:pk>/apply/", "GET", f"/calls/{i['call']}/apply/", "anonymous=302 *=405", None),
        (
            "calls/submissions/<int:pk>/",
            "GET",
            f"/calls/submissions/{i['submission_b']}/",
            "anonymous=302 staff=200 member_b=200 *=404",
            None,
        ),  # fmt: skip
        (
            "calls/submissions/<int:pk>/",
            "GET",
            f"/calls/submissions/{i['submission_a']}/",
            "anonymous=302 staff=200 member_a=200 *=404",
            None,
        ),  # fmt: skip
        (
            "calls/submissions/<int:pk>/screen/",
            "POST",
            f"/calls/submissions/{i['submission_b']}/screen/",
            "anonymous=302 staff=302 member_b=403 *=404",
            {"passed": "0", "reason": "x"},
        ),  # fmt: skip
        (
            "calls/files/<int:pk>/",
            "GET",
            f"/calls/files/{i['subfile_b']}/",
            "anonymous=302 staff=200 member_b=200 *=404",
            None,
        ),
        (
            "calls/files/<int:pk>/",
            "GET",
            f"/calls/files/{i['subfile_a']}/",
            "anonymous=302 staff=200 member_a=200 expert=200 *=404",
            None,
        ),
        ("review/", "GET", "/review/", "anonymous=302 staff=200 expert=200 *=403", None),
        (
            "review/tasks/<int:pk>/",
            "GET",
            f"/review/tasks/{i['expert_task']}/",
            "anonymous=302 expert=200 *=404",
            None,
        ),
        (
            "review/tasks/<int:pk>/",
            "GET",
            f"/review/tasks/{i['other_task_b']}/",
            "anonymous=302 *=404",
            None,
        ),
        (
            "review/tasks/<int:pk>/conflict/",
            "POST",
            f"/review/tasks/{i['other_task_a']}/conflict/",
            "anonymous=302 *=404",
            {"reason": "x"},
        ),  # fmt: skip
        ("review/rounds/<int:pk>/", "GET", f"/review/rounds/{i['round']}/", STAFF, None),
        ("review/rounds/<int:pk>/", "GET", f"/review/rounds/{i['challenge_round']}/", STAFF, None),
        (
            "review/rounds/<int:pk>/ranking/",
            "GET",
            f"/review/rounds/{i['challenge_round']}/ranking/",
            STAFF,
            None,
        ),  # fmt: skip
        (
            "review/rounds/<int:pk>/ranking/",
            "GET",
            f"/review/rounds/{i['round']}/ranking/",
            STAFF,
            None,
        ),  # fmt: skip
        (
            "review/rounds/<int:pk>/ranking/",
            "GET",
            f"/review/rounds/{i['round']}/ranking/?format=xlsx",
            STAFF,
            None,
        ),  # fmt: skip
        (
            "review/assignments/<int:pk>/",
            "POST",
            f"/review/assignments/{i['other_task_b']}/",
            STAFF_POST,
            {"action": "lock"},
        ),  # fmt: skip
        (
            "review/items/<int:pk>/",
            "POST",
            f"/review/items/{i['item_b']}/",
            STAFF_POST,
            {"decision": "reject", "reason": "x"},
        ),  # fmt: skip
        (
            "review/challenges/<int:demand_pk>/",
            "GET",
            f"/review/challenges/{d_pub}/",
            "anonymous=302 *=405",
            None,
        ),
        ("review/experts/", "GET", "/review/experts/", STAFF, None),
        ("review/experts/", "GET", f"/review/experts/?q={SECRET_WORD}", STAFF, None),
        ("matchmaking/", "GET", "/matchmaking/", SIGNED, None),
        ("matchmaking/generate/", "GET", "/matchmaking/generate/", "anonymous=302 *=405", None),
        ("matchmaking/stats/", "GET", "/matchmaking/stats/", STAFF, None),
        ("matchmaking/<int:pk>/", "GET", f"/matchmaking/{i['session']}/", SIGNED, None),
        (
            "matchmaking/<int:pk>/register/",
            "POST",
            f"/matchmaking/{i['open_session']}/register/",
            "anonymous=302 member_b=302 *=403",
            {
                "organization": i["org_b"],
                "side": "sme",
                "financing_amount": "500",
                "financing_need": "扩产资金",
            },
        ),  # fmt: skip
        (
            "matchmaking/<int:pk>/mark/",
            "POST",
            f"/matchmaking/{i['session']}/mark/",
            "staff=404 manager=404 university=404 expert=404 *=302",
            {"source": i["participant_b"], "target": i["participant_inv"], "mark": "no"},
        ),  # fmt: skip
        (
            "matchmaking/<int:pk>/availability/",
            "POST",
            f"/matchmaking/{i['session']}/availability/",
            "staff=404 manager=404 university=404 expert=404 *=302",
            {"participant": i["participant_b"], "unavailable": ["1"]},
        ),  # fmt: skip
        (
            "matchmaking/<int:pk>/action/",
            "POST",
            f"/matchmaking/{i['session']}/action/",
            STAFF_POST,
            {"action": "reject", "participant": i["participant_b"]},
        ),  # fmt: skip
        ("matchmaking/<int:pk>/grid/", "GET", f"/matchmaking/{i['session']}/grid/", STAFF, None),
        (
            "matchmaking/<int:pk>/agenda/",
            "GET",
            f"/matchmaking/{i['session']}/agenda/",
            "anonymous=302 member_a=200 member_b=200 investor=200 *=404",
            None,
        ),
        (
            "matchmaking/<int:pk>/agenda/",
            "GET",
            f"/matchmaking/{i['session']}/agenda/?format=pdf",
            "anonymous=302 member_a=200 member_b=200 investor=200 *=404",
            None,
        ),  # fmt: skip
        (
            "matchmaking/<int:pk>/agenda/",
            "GET",
            f"/matchmaking/{i['session']}/agenda/?format=ics",
            "anonymous=302 member_a=200 member_b=200 investor=200 *=404",
            None,
        ),  # fmt: skip
        (
            "matchmaking/<int:pk>/export/",
            "GET",
            f"/matchmaking/{i['session']}/export/",
            STAFF,
            None,
        ),
        (
            "matchmaking/<int:pk>/export/",
            "GET",
            f"/matchmaking/{i['session']}/export/?what=outcomes",
            STAFF,
            None,
        ),  # fmt: skip
        (
            "matchmaking/meetings/<int:pk>/outcome/",
            "POST",
            f"/matchmaking/meetings/{i['held_meeting']}/outcome/",
            "anonymous=302 staff=302 member_b=302 investor=302 *=403",
            {"held": "1", "result": "deal"},
        ),  # fmt: skip
        ("targets/", "GET", "/targets/", STAFF, None),
        ("targets/reports/", "GET", "/targets/reports/", STAFF, None),
        (
            "targets/reports/<int:pk>/<str:fmt>/",
            "GET",
            f"/targets/reports/{i['report']}/xlsx/",
            STAFF,
            None,
        ),  # fmt: skip
        (
            "targets/reports/<int:pk>/<str:fmt>/",
            "GET",
            f"/targets/reports/{i['report']}/pdf/",
            STAFF,
            None,
        ),  # fmt: skip
        (
            "targets/<int:year>/funnels/<slug:name>/<slug:step>/",
            "GET",
            f"/targets/{year}/funnels/projects/discovered/",
            STAFF,
            None,
        ),  # fmt: skip
        (
            "targets/<int:year>/<slug:key>/",
            "GET",
            "/targets/2025/hightech_enterprises/",
            STAFF,
            None,
        ),  # fmt: skip
        (
            "targets/<int:year>/<slug:key>/manual/",
            "GET",
            "/targets/2025/hightech_enterprises/manual/",
            "anonymous=302 *=405",
            None,
        ),  # fmt: skip
        ("account/tokens/", "GET", "/account/tokens/", SIGNED, None),
        ("account/notifications/", "GET", "/account/notifications/", SIGNED, None),
        (
            "account/tokens/<int:pk>/revoke/",
            "POST",
            f"/account/tokens/{i['token_b']}/revoke/",
            "anonymous=302 member_b=302 *=404",
            {},
        ),  # fmt: skip
        ("account/login/", "GET", "/account/login/", OPEN, None),
        ("account/audit/", "GET", "/account/audit/", STAFF, None),
        ("account/logout/", "POST", "/account/logout/", "*=302", {}),
        ("account/password/", "GET", "/account/password/", SIGNED, None),
        ("account/password/done/", "GET", "/account/password/done/", SIGNED, None),
        ("i18n/setlang/", "POST", "/i18n/setlang/", "*=302", {"language": "en", "next": "/"}),
        ("admin/", "GET", "/admin/", "staff=200 *=302", None),
        ("admin/", "GET", "/admin/projects/techproject/", "staff=200 *=302", None),
        (
            "admin/",
            "GET",
            f"/admin/projects/techproject/{i['project_b_draft']}/change/",
            "staff=200 *=302",
            None,
        ),  # fmt: skip
        ("admin/", "GET", "/admin/core/auditevent/", "staff=200 *=302", None),
        (
            "admin/",
            "GET",
            f"/admin/orgs/person/{i['person_b']}/change/",
            "staff=200 *=302",
            None,
        ),  # fmt: skip
    ]
    # exports of every entity (what the user may see, searched too); templates and the import
    # pages hold no records, so one entity each stands for the rest
    for entity in ("orgs", "projects", "demands", "investors", "enterprise_years", "enterprise_profiles", "experts"):  # fmt: skip
        rows += [
            ("excel/<slug:entity>/export/", "GET", f"/excel/{entity}/export/", SIGNED, None),
            (
                "excel/<slug:entity>/export/",
                "GET",
                f"/excel/{entity}/export/?q={SECRET_WORD}",
                SIGNED,
                None,
            ),  # fmt: skip
        ]
    rows += [
        ("excel/<slug:entity>/template/", "GET", "/excel/projects/template/", SIGNED, None),
        (
            "excel/<slug:entity>/import/",
            "GET",
            "/excel/projects/import/",
            "anonymous=302 expert=403 investor=403 *=200",
            None,
        ),  # fmt: skip
        ("excel/<slug:entity>/import/", "GET", "/excel/enterprise_years/import/", STAFF, None),
        (
            "excel/<slug:entity>/import/confirm/",
            "POST",
            "/excel/projects/import/confirm/",
            "*=302",
            {"token": i["import_b"]},  # staged by member_b: only they can confirm it
        ),  # fmt: skip
    ]
    return rows


API_IDS = {
    "org_id": "org_b",
    "lab_id": "lab",
    "project_id": "project_b_draft",
    "demand_id": "demand_b_draft",
    "list_id": "list_draft",
    "investor_id": "investor_profile",
    "organization_id": "org_b",
    "call_id": "draft_call",
    "submission_id": "submission_b",
    "task_id": "other_task_b",
    "round_id": "round",
    "item_id": "item_b",
}
# Other records an operation is also tried on (private ones of other organizations).
API_MORE_IDS = {
    "project_id": ("project_b_internal", "project_a_draft"),
    "demand_id": ("demand_b_internal", "demand_b_public"),
    "call_id": ("call",),
    "round_id": ("challenge_round",),
}


API_EXPECT: dict[str, str] = {
    "GET /api/orgs/": "anonymous=401 *=200",
    "POST /api/orgs/": "anonymous=401 staff=201 *=403",
    "GET /api/orgs/{org_b}": "anonymous=401 *=200",
    "PATCH /api/orgs/{org_b}": "anonymous=401 staff=200 member_b=200 *=403",
    "GET /api/labs/": OPEN,
    "POST /api/labs/": "anonymous=401 staff=201 *=403",
    "GET /api/labs/{lab}": OPEN,
    "PATCH /api/labs/{lab}": "anonymous=401 staff=200 *=403",
    "GET /api/projects/": "anonymous=401 *=200",
    "POST /api/projects/": "anonymous=401 staff=201 manager=201 member_b=201 *=403",
    "GET /api/projects/{project_b_draft}": "anonymous=401 staff=200 member_b=200 *=404",
    "GET /api/projects/{project_b_internal}": "anonymous=401 staff=200 manager=200 member_b=200 *=404",
    "GET /api/projects/{project_a_draft}": "anonymous=401 staff=200 member_a=200 *=404",
    "PATCH /api/projects/{project_b_draft}": "anonymous=401 staff=200 member_b=200 *=404",
    "PATCH /api/projects/{project_b_internal}": "anonymous=401 staff=200 manager=200 member_b=403 *=404",
    "PATCH /api/projects/{project_a_draft}": "anonymous=401 staff=200 member_a=200 *=404",
    "GET /api/projects/{project_b_draft}/timeline": "anonymous=401 staff=200 member_b=200 *=404",
    "GET /api/projects/{project_b_internal}/timeline": "anonymous=401 staff=200 manager=200 member_b=200 *=404",
    "GET /api/projects/{project_a_draft}/timeline": "anonymous=401 staff=200 member_a=200 *=404",
    "POST /api/projects/{project_b_draft}/transitions": "anonymous=401 staff=400 member_b=403 *=404",
    "GET /api/demands/": OPEN,
    "POST /api/demands/": "anonymous=401 staff=201 manager=201 member_b=201 *=403",
    "GET /api/demands/{demand_b_draft}": "staff=200 member_b=200 *=404",
    "GET /api/demands/{demand_b_internal}": "staff=200 manager=200 member_b=200 *=404",
    "GET /api/demands/{demand_b_public}": OPEN,
    "PATCH /api/demands/{demand_b_draft}": "anonymous=401 staff=200 member_b=200 *=404",
    "PATCH /api/demands/{demand_b_internal}": "anonymous=401 staff=200 manager=200 member_b=403 *=404",
    "PATCH /api/demands/{demand_b_public}": "anonymous=401 staff=200 *=403",
    "POST /api/demands/{demand_b_draft}/transitions": "anonymous=401 staff=400 member_b=400 *=404",
    "GET /api/lists/": OPEN,
    "GET /api/lists/{list_draft}": "staff=200 *=404",
    "GET /api/investors/": "anonymous=401 *=200",
    "POST /api/investors/": "anonymous=401 staff=201 *=403",
    "GET /api/investors/{investor_profile}": "anonymous=401 *=200",
    "PATCH /api/investors/{investor_profile}": "anonymous=401 staff=200 investor=200 *=403",
    "GET /api/match/demands/{demand_b_draft}/projects": "anonymous=401 staff=200 member_b=200 *=404",
    "GET /api/match/demands/{demand_b_internal}/projects": "anonymous=401 staff=200 manager=200 member_b=200 *=404",
    "GET /api/match/demands/{demand_b_public}/projects": "anonymous=401 *=200",
    "GET /api/match/projects/{project_b_draft}/demands": "anonymous=401 staff=200 member_b=200 *=404",
    "GET /api/match/projects/{project_b_internal}/demands": "anonymous=401 staff=200 manager=200 member_b=200 *=404",
    "GET /api/match/projects/{project_a_draft}/demands": "anonymous=401 staff=200 member_a=200 *=404",
    "GET /api/match/projects/{project_b_draft}/challenges": "anonymous=401 staff=200 member_b=200 *=404",
    "GET /api/match/projects/{project_b_internal}/challenges": "anonymous=401 staff=200 manager=200 member_b=200 *=404",
    "GET /api/match/projects/{project_a_draft}/challenges": "anonymous=401 staff=200 member_a=200 *=404",
    "POST /api/match/demands/{demand_b_draft}/projects/{project_b_draft}/feedback": "anonymous=401 staff=200 member_b=403 *=404",
    "GET /api/match/projects/{project_b_draft}/investors": "anonymous=401 staff=200 member_b=200 *=404",
    "GET /api/match/projects/{project_b_internal}/investors": "anonymous=401 staff=200 manager=200 member_b=200 *=404",
    "GET /api/match/projects/{project_a_draft}/investors": "anonymous=401 staff=200 member_a=200 *=404",
    "GET /api/match/projects/{project_b_draft}/experts": "anonymous=401 staff=200 member_b=403 *=404",
    "GET /api/match/projects/{project_b_internal}/experts": "anonymous=401 staff=200 manager=403 member_b=403 *=404",
    "GET /api/match/projects/{project_a_draft}/experts": "anonymous=401 staff=200 member_a=403 *=404",
    "GET /api/cultivation/enterprises/{org_b}/evaluation": "anonymous=401 staff=200 member_b=200 *=404",
    "GET /api/cultivation/enterprises/{org_b}/years": "anonymous=401 staff=200 member_b=200 *=404",
    "GET /api/cultivation/ladder": "anonymous=401 staff=200 *=403",
    "GET /api/calls/": "anonymous=401 *=200",
    "GET /api/calls/{draft_call}": "anonymous=401 staff=200 *=404",
    "GET /api/calls/{call}": "anonymous=401 *=200",
    "GET /api/calls/{draft_call}/submissions": "anonymous=401 staff=200 *=404",
    "GET /api/calls/{call}/submissions": "anonymous=401 *=200",
    "POST /api/calls/{draft_call}/submissions": "anonymous=401 staff=400 *=404",
    "POST /api/calls/submissions/{submission_b}/submit": "anonymous=401 staff=400 member_b=400 *=404",
    "GET /api/review/tasks": "anonymous=401 *=200",
    "PUT /api/review/tasks/{other_task_b}": "anonymous=401 *=404",
    "POST /api/review/tasks/{other_task_b}/conflict": "anonymous=401 *=404",
    "POST /api/review/rounds/{round}/assign": "anonymous=401 staff=400 *=403",
    "GET /api/review/rounds/{round}/ranking": "anonymous=401 staff=200 *=403",
    "GET /api/review/rounds/{challenge_round}/ranking": "anonymous=401 staff=200 *=403",
    "POST /api/review/items/{item_b}/decision": "anonymous=401 staff=400 *=403",
    "GET /api/targets/": OPEN,
}


# Writes carry a valid body, so the permission check (not the schema) decides; records are filed
# in the other organization's name (org_b) and on its records.
API_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "POST /api/orgs/": lambda i: {"name": "武汉新建测试科技有限公司", "kind": "enterprise"},
    "POST /api/labs/": lambda i: {
        "name": "新建联合实验室",
        "lead_id": i["org_b"],
        "field": "laser",
    },
    "POST /api/projects/": lambda i: {
        "title": "代乙单位申报",
        "summary": "代乙单位申报的技术项目简介",
        "field": "laser",
        "trl": 5,
        "owner_id": i["org_b"],
    },  # fmt: skip
    "POST /api/projects/{project_id}/transitions": lambda i: {"action": "select", "reason": "x"},
    "POST /api/demands/": lambda i: {
        "title": "代乙单位需求",
        "description": "代乙单位提出的场景需求描述",
        "field": "laser",
        "owner_id": i["org_b"],
    },  # fmt: skip
    "POST /api/demands/{demand_id}/transitions": lambda i: {"action": "submit", "reason": "x"},
    "POST /api/investors/": lambda i: {"organization_id": i["org_b"], "kind": "vc"},
    "POST /api/match/demands/{demand_id}/projects/{project_id}/feedback": lambda i: {
        "decision": "introduced"
    },  # fmt: skip
    "POST /api/calls/{call_id}/submissions": lambda i: {"project_id": i["project_b_public"]},
    "PUT /api/review/tasks/{task_id}": lambda i: {"scores": {"颠覆性": 10}, "comment": "x"},
    "POST /api/review/tasks/{task_id}/conflict": lambda i: {"reason": "x"},
    "POST /api/review/items/{item_id}/decision": lambda i: {"decision": "reject", "reason": "x"},
}


def openapi_operations() -> list[tuple[str, str]]:
    from innobridge.api.api import api

    schema = api.get_openapi_schema()
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


SEARCHABLE = ("orgs", "labs", "projects", "demands", "investors")


def values_keys(values: dict[str, int], i: dict[str, int]) -> dict[str, str]:
    """Which named record each path parameter points at (for the expectation table)."""
    by_id = {}
    for name, value in values.items():
        candidates = [API_IDS[name], *API_MORE_IDS.get(name, ())]
        by_id[name] = next(c for c in candidates if i[c] == value)
    return by_id


def api_rows(i: dict[str, int]) -> list[Row]:
    rows: list[Row] = []
    for method, path in openapi_operations():
        names = re.findall(r"{(\w+)}", path)
        variants = [{name: i[API_IDS[name]] for name in names}]
        for name in names if method in ("GET", "PATCH") else ():
            for other in API_MORE_IDS.get(name, ()):
                variants.append({**variants[0], name: i[other]})
        for values in variants:
            url = path.format(**values)
            key = f"{method} " + path.format(**{n: "{" + k + "}" for n, k in values_keys(values, i).items()})  # fmt: skip
            body = API_BODIES.get(f"{method} {path}", lambda i: {})(i)
            rows.append((key, method, url, API_EXPECT.get(key, "?"), json.dumps(body)))
            if method == "GET" and path.rstrip("/").split("/")[-1] in SEARCHABLE:
                rows.append((key, method, f"{url}?q={SECRET_WORD}", API_EXPECT.get(key, "?"), None))  # fmt: skip
    return rows


def route_patterns() -> set[str]:
    """Every page route of innobridge/urls.py (the API and the admin are one prefix each)."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route in ("admin/", "api/"):
                    yield route
                    continue
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    return set(walk(get_resolver().url_patterns, ""))


class AnyId(dict[str, int]):
    def __missing__(self, key: str) -> int:
        return 1


def test_every_page_and_operation_has_a_row() -> None:
    """A new page or API operation must get a row here (and so be checked for every role)."""
    covered = {route for route, *_rest in page_rows(AnyId())}
    missing = route_patterns() - covered - {"api/"}
    assert not missing, f"pages without a row in the permission matrix: {sorted(missing)}"
    api_covered = {re.sub(r"{\w+}", "{}", route) for route, *_rest in api_rows(AnyId())}
    missing_api = {
        re.sub(r"{\w+}", "{}", f"{m} {p}") for m, p in openapi_operations()
    } - api_covered
    assert not missing_api, f"API operations without a row: {sorted(missing_api)}"


def check_rows(m: Matrix, rows: list[Row], *, api: bool) -> None:
    import os

    discover = os.environ.get("MATRIX_DISCOVER")
    MATRIX["roles"] = ROLES
    failures: list[str] = []
    for _route, method, url, spec, data in rows:
        label = f"{method} {url}"
        route = _route if api else f"{method} {_route}"
        op = Op(label, method, url, expect(spec if spec != "?" else "*=0"), data, api=api, route=route)  # fmt: skip
        started = time.perf_counter()
        cells, problems = run(m, op)
        if discover:
            print(f"{time.perf_counter() - started:.2f}s {label}")
        if discover and spec == "?":
            print(f"SPEC|{api}|{_route}|{label}|" + " ".join(f"{r}={cells[r]}" for r in ROLES))
            problems = [p for p in problems if "expected" not in p or spec != "?"]
        MATRIX["rows"].append((label, cells))
        MATRIX["leaks"] += sum(1 for cell in cells.values() if cell == "leak!")
        failures += problems
    assert not failures, "\n".join(failures)


def test_pages_exports_and_searches(matrix: Matrix) -> None:
    check_rows(matrix, page_rows(matrix.ids), api=False)


def test_api_operations_and_searches(matrix: Matrix) -> None:
    check_rows(matrix, api_rows(matrix.ids), api=True)


def test_every_sentinel_was_shown_to_a_role_allowed_to_see_it(matrix: Matrix) -> None:
    """A sentinel no response ever showed would prove nothing: each one must appear somewhere
    (to staff at least), so its absence elsewhere means the rule held, not that it is unused."""
    if not MATRIX["rows"]:
        pytest.skip("the matrix did not run in this session")
    unshown = sorted(set(matrix.sentinels) - SHOWN - NOT_SHOWN_ANYWHERE)
    assert not unshown, f"sentinels no page, API or export showed: {unshown}"


def test_every_allowed_write_was_seen(matrix: Matrix) -> None:
    """Each write the table allows happened in the matrix: so the detector sees writes, and a
    role left out of ``WRITERS`` that wrote would have been caught."""
    if not MATRIX["rows"]:
        pytest.skip("the matrix did not run in this session")
    unseen = sorted(
        f"{route} as {role}"
        for route, roles in WRITERS.items()
        for role in roles
        if (route, role) not in WRITES
    )
    assert not unseen, f"allowed writes the matrix never made: {unseen}"
