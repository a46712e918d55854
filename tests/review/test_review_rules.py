"""Conflicts, reassignment after a declared conflict, infeasibility that names the project,
locks and exclusions, deadlines, and what each role may see."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.orgs.models import Person
from innobridge.projects import calls
from innobridge.projects.models import Submission, SubmissionAttachment
from innobridge.review import conflicts, services
from innobridge.review.models import ReviewAssignment, ReviewItem, ReviewRound
from tests.conftest import World, client_for
from tests.review.conftest import Contest

A = ReviewAssignment.Status


def entered(world: World, contest: Contest, *, co_applicant: bool = True) -> tuple[ReviewRound, ReviewItem, ReviewItem]:  # fmt: skip
    """Both public projects submitted, screened in; the first round with its two items."""
    staff = world.users["staff"]
    submissions = []
    for member, key in (("member_a", "a_public"), ("member_b", "b_public")):
        s = calls.submission_create(actor=world.users[member], call=contest.call, project=world.projects[key])  # fmt: skip
        if co_applicant and key == "a_public":
            s.co_applicants.set([contest.org_c])
        calls.submission_submit(actor=world.users[member], submission=s)
        submissions.append(s)
    calls.start_screening(actor=staff, call=contest.call)
    for s in submissions:
        calls.screen(actor=staff, submission=s, passed=True)
    first = contest.call.rounds.order_by("order").first()
    assert first is not None
    item_a, item_b = (ReviewItem.objects.get(round=first, submission=s) for s in submissions)
    return first, item_a, item_b


def test_conflicts_follow_affiliations_co_applicants_team_and_declarations(world: World, contest: Contest) -> None:  # fmt: skip
    first, item_a, item_b = entered(world, contest)
    experts = list(Person.objects.filter(is_expert=True))
    name = {p.pk: p.user.username for p in experts}
    world.projects["b_public"].team.add(Person.objects.get(user=contest.experts["e_x"]))
    found = {(item, name[e]): why for (item, e), why in conflicts.conflicts([item_a, item_b], experts).items()}  # fmt: skip
    assert set(found) == {
        (item_a.pk, "e_a"), (item_a.pk, "e_c"), (item_a.pk, "e_d"),  # works there; co-applicant
        (item_b.pk, "e_b"),  # left org_b a year ago
        (item_b.pk, "e_x"),  # on the project's team
    }  # fmt: skip
    assert "现任职于" in found[(item_a.pk, "e_a")]
    assert "近三年" in found[(item_b.pk, "e_b")]
    assert (item_a.pk, "e_old") not in found  # left org_a six years ago


def test_assignment_is_exact_and_respects_every_rule(world: World, contest: Contest) -> None:
    first, item_a, item_b = entered(world, contest)
    staff = world.users["staff"]
    result = services.propose(actor=staff, round=first)
    pairs = list(ReviewAssignment.objects.filter(item__round=first))
    assert result["pairs"] == len(pairs) == 4
    blocked = conflicts.conflicts([item_a, item_b], list(Person.objects.filter(is_expert=True)))
    assert not {(a.item_id, a.expert_id) for a in pairs} & set(blocked)
    loads: dict[int, int] = {}
    for a in pairs:
        loads[a.expert_id] = loads.get(a.expert_id, 0) + 1
    assert max(loads.values()) <= first.max_load
    assert result["total"] == sum(a.affinity for a in pairs)
    # one reviewer per organization per item: e_c and e_d (both org_c) never on the same item
    for item in (item_a, item_b):
        orgs = [conflicts.current_organizations([a.expert])[a.expert_id] for a in pairs if a.item_id == item.pk]  # fmt: skip
        assert len(orgs) == len(set(orgs))


def test_locked_pairs_stay_and_excluded_pairs_never_return(world: World, contest: Contest) -> None:
    first, item_a, item_b = entered(world, contest)
    staff = world.users["staff"]
    e_x = Person.objects.get(user=contest.experts["e_x"])
    forced = services.add_pair(actor=staff, item=item_b, expert=e_x)
    assert forced.locked
    services.propose(actor=staff, round=first)
    assert ReviewAssignment.objects.filter(item=item_b, expert=e_x, status=A.PROPOSED).exists()
    victim = ReviewAssignment.objects.filter(item=item_a).first()
    assert victim is not None
    services.exclude(actor=staff, assignment=victim)
    services.propose(actor=staff, round=first)
    live = ReviewAssignment.objects.filter(item=item_a, status=A.PROPOSED)
    assert live.count() == 2
    assert victim.expert_id not in {a.expert_id for a in live}
    with pytest.raises(ApplicationError, match="利益冲突|现任职"):
        services.add_pair(actor=staff, item=item_a, expert=Person.objects.get(user=contest.experts["e_a"]))  # fmt: skip


def test_infeasible_rounds_name_the_project_and_why(world: World, contest: Contest) -> None:
    first, item_a, _item_b = entered(world, contest)
    staff = world.users["staff"]
    services.round_update(actor=staff, round=first, data={"reviewers_per_item": 4})
    with pytest.raises(ApplicationError) as error:
        services.propose(actor=staff, round=first)
    assert item_a.title in error.value.message
    assert "利益冲突" in error.value.message
    assert not ReviewAssignment.objects.filter(item__round=first).exists()  # nothing half-written


def test_a_declared_conflict_hands_the_item_to_the_best_free_expert(world: World, contest: Contest, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    first, item_a, _item_b = entered(world, contest)
    staff = world.users["staff"]
    services.round_update(actor=staff, round=first, data={"max_load": 3})
    services.propose(actor=staff, round=first)
    services.start_review(actor=staff, round=first)
    task = ReviewAssignment.objects.filter(item=item_a, status=A.ASSIGNED).first()
    assert task is not None
    client = Client()
    client.force_login(task.expert.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/review/tasks/{task.pk}/conflict/", {"reason": "与申报团队有合作论文"})
    task.refresh_from_db()
    assert task.status == A.CONFLICT
    live = ReviewAssignment.objects.filter(item=item_a, status=A.ASSIGNED)
    assert live.count() == 2
    assert task.expert_id not in {a.expert_id for a in live}
    assert client.get(f"/review/tasks/{task.pk}/").status_code == 404
    assert "与申报团队有合作论文" in " ".join(staff.notifications.values_list("body", flat=True))


def test_reviews_need_every_score_and_close_at_the_deadline(world: World, contest: Contest) -> None:
    first, item_a, _item_b = entered(world, contest)
    staff = world.users["staff"]
    services.propose(actor=staff, round=first)
    services.start_review(actor=staff, round=first)
    task = ReviewAssignment.objects.filter(item=item_a).first()
    assert task is not None
    expert = task.expert.user
    draft = services.save_review(actor=expert, assignment=task, scores={"颠覆性": 80}, comment="", submit=False)  # fmt: skip
    assert draft.status == A.DRAFT
    assert draft.total is None
    with pytest.raises(ApplicationError, match="可行性"):
        services.save_review(actor=expert, assignment=task, scores={"颠覆性": 80}, comment="好", submit=True)  # fmt: skip
    with pytest.raises(ApplicationError, match="0到100"):
        services.save_review(actor=expert, assignment=task, scores={"颠覆性": 180}, comment="", submit=False)  # fmt: skip
    with pytest.raises(AccessDenied):
        services.save_review(actor=world.users["member_a"], assignment=task, scores={}, comment="", submit=False)  # fmt: skip
    full = {"颠覆性": 90, "可行性": 80, "影响力": 70, "团队": 60, "市场": 50}
    done = services.save_review(actor=expert, assignment=task, scores=full, comment="好", submit=True)  # fmt: skip
    assert done.total == Decimal("73.50")  # (90·30 + 80·20 + 70·20 + 60·15 + 50·15) / 100
    other = ReviewAssignment.objects.filter(item__round=first, status=A.ASSIGNED).first()
    assert other is not None
    first.deadline = timezone.localdate() - datetime.timedelta(days=1)
    first.save()
    with pytest.raises(ApplicationError, match="截止"):
        services.save_review(actor=other.expert.user, assignment=other, scores=full, comment="好", submit=True)  # fmt: skip


def test_submissions_lock_after_the_deadline_and_files_are_checked_by_content(world: World, contest: Contest) -> None:  # fmt: skip
    member = world.users["member_a"]
    submission = calls.submission_create(actor=member, call=contest.call, project=world.projects["a_public"])  # fmt: skip
    fake = SimpleUploadedFile("申报书.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ApplicationError, match="PDF"):
        calls.attach(actor=member, submission=submission, files=[fake])
    assert not SubmissionAttachment.objects.exists()
    contest.call.deadline = timezone.localdate() - datetime.timedelta(days=1)
    contest.call.opens = contest.call.deadline - datetime.timedelta(days=30)
    contest.call.save()
    submission.refresh_from_db()
    with pytest.raises(ApplicationError, match="截止"):
        calls.submission_update(actor=member, submission=submission, statement="晚了")
    with pytest.raises(ApplicationError, match="截止"):
        calls.submission_submit(actor=member, submission=submission)
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.DRAFT


@pytest.mark.parametrize("role", ["anonymous", "manager", "member_a", "expert", "investor"])
def test_only_staff_run_rounds_rankings_and_exports(world: World, contest: Contest, role: str) -> None:  # fmt: skip
    first, item_a, _item_b = entered(world, contest)
    services.propose(actor=world.users["staff"], round=first)
    client = client_for(world, role)
    for url in (f"/review/rounds/{first.pk}/", f"/review/rounds/{first.pk}/ranking/", f"/review/rounds/{first.pk}/ranking/?format=xlsx", "/review/experts/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code in (302, 403), (url, response.status_code)
        assert "专家e_" not in response.content.decode()
    assert client.post(f"/review/items/{item_a.pk}/", {"decision": "reject", "reason": "x"}).status_code in (302, 403)  # fmt: skip
    item_a.refresh_from_db()
    assert item_a.decision == ReviewItem.Decision.PENDING


def test_experts_see_only_their_own_conflict_free_tasks(world: World, contest: Contest) -> None:
    first, item_a, item_b = entered(world, contest)
    services.propose(actor=world.users["staff"], round=first)
    tasks = list(ReviewAssignment.objects.filter(item__round=first))
    for task in tasks:  # proposed, not yet handed out: nobody sees them
        client = Client()
        client.force_login(task.expert.user)
        assert client.get(f"/review/tasks/{task.pk}/").status_code == 404
    services.start_review(actor=world.users["staff"], round=first)
    e_a = Client()
    e_a.force_login(contest.experts["e_a"])
    internal_b = world.projects["b_internal"]
    assert e_a.get(f"/projects/{internal_b.pk}/").status_code == 404
    mine = {t.pk for t in tasks if t.expert.user == contest.experts["e_a"]}
    for task in tasks:
        if task.pk not in mine:
            assert e_a.get(f"/review/tasks/{task.pk}/").status_code == 404
    attachments_of_a = SubmissionAttachment.objects.filter(submission=item_a.submission)
    assert not attachments_of_a.exists() or e_a.get(f"/calls/files/{attachments_of_a[0].pk}/").status_code == 404  # fmt: skip


def test_experts_are_reminded_before_the_review_deadline(world: World, contest: Contest, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    from innobridge.core.notify import remind_deadlines

    first, item_a, _item_b = entered(world, contest)
    staff = world.users["staff"]
    services.round_update(actor=staff, round=first, data={"deadline": timezone.localdate() + datetime.timedelta(days=2)})  # fmt: skip
    services.propose(actor=staff, round=first)
    services.start_review(actor=staff, round=first)
    done = ReviewAssignment.objects.filter(item=item_a).first()
    assert done is not None
    full = {"颠覆性": 90, "可行性": 80, "影响力": 70, "团队": 60, "市场": 50}
    services.save_review(actor=done.expert.user, assignment=done, scores=full, comment="好", submit=True)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        remind_deadlines()
    from innobridge.core.models import Notification

    waiting = set(ReviewAssignment.objects.filter(item__round=first, status=A.ASSIGNED).values_list("expert__user__username", flat=True))  # fmt: skip
    reminded = set(Notification.objects.filter(kind="deadline").values_list("user__username", flat=True))  # fmt: skip
    assert reminded == waiting
    still_open = ReviewAssignment.objects.filter(expert=done.expert, status=A.ASSIGNED).exists()
    assert (done.expert.user.username in reminded) == still_open  # submitted all: no reminder
