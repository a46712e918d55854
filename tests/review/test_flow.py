"""A call end to end through the pages: submit → screen → assign → review → rank → decide →
cultivate → transform, with the timeline — and what each role may see on the way."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from innobridge.core.models import Notification
from innobridge.projects.models import ProjectEvent, Submission, TechProject
from innobridge.review.models import ReviewAssignment, ReviewItem
from tests.conftest import World, client_for
from tests.review.conftest import Contest

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def scores(client: Client, task: ReviewAssignment, values: list[int], *, submit: bool = True) -> Any:  # fmt: skip
    data = {f"score-{i}": str(v) for i, v in enumerate(values)}
    data["comment"] = "技术路线清晰，指标先进，建议关注量产一致性。"
    if submit:
        data["submit"] = "1"
    return client.post(f"/review/tasks/{task.pk}/", data)


def test_a_call_runs_end_to_end_through_the_pages(world: World, contest: Contest, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    call = contest.call
    staff, member_a, member_b = (client_for(world, r) for r in ("staff", "member_a", "member_b"))
    project_a, project_b = world.projects["a_public"], world.projects["b_public"]

    # submit: a member enters an own project, adds a co-applicant and a PDF, and submits
    page = member_a.get(f"/calls/{call.pk}/").content.decode()
    assert project_a.title in page
    assert project_b.title not in page
    response = member_a.post(f"/calls/{call.pk}/apply/", {"project": project_a.pk})
    submission_a = Submission.objects.get(call=call, project=project_a)
    assert response.url == f"/calls/submissions/{submission_a.pk}/"
    upload = SimpleUploadedFile("申报书.pdf", PDF, content_type="application/pdf")
    member_a.post(response.url, {"statement": "面向厚板切割的万瓦级光纤激光工艺。", "co_applicants": [contest.org_c.pk], "files": [upload], "submit": "1"})  # fmt: skip
    submission_a.refresh_from_db()
    assert submission_a.status == Submission.Status.SUBMITTED
    assert submission_a.attachments.count() == 1
    assert list(submission_a.co_applicants.all()) == [contest.org_c]
    member_a.post(f"/calls/submissions/{submission_a.pk}/", {"statement": "改了"})
    submission_a.refresh_from_db()
    assert submission_a.statement != "改了"  # locked once submitted
    member_b.post(f"/calls/{call.pk}/apply/", {"project": project_b.pk})
    submission_b = Submission.objects.get(call=call, project=project_b)
    member_b.post(
        f"/calls/submissions/{submission_b.pk}/", {"statement": "激光清洗", "submit": "1"}
    )
    project_a.refresh_from_db()
    assert project_a.stage == TechProject.Stage.SUBMITTED
    assert member_b.get(f"/calls/submissions/{submission_a.pk}/").status_code == 404

    # screen: both pass into the first stage
    staff.post(f"/calls/{call.pk}/action/", {"action": "screen"})
    for submission in (submission_a, submission_b):
        staff.post(f"/calls/submissions/{submission.pk}/screen/", {"passed": "1"})
    project_a.refresh_from_db()
    assert project_a.stage == TechProject.Stage.IN_REVIEW
    first, final = call.rounds.order_by("order")

    # assign: exact, conflict-free, k = 2, one reviewer per organization
    staff.post(f"/review/rounds/{first.pk}/", {"action": "propose"})
    staff.post(f"/review/rounds/{first.pk}/", {"action": "start"})
    tasks = ReviewAssignment.objects.filter(item__round=first, status=ReviewAssignment.Status.ASSIGNED)  # fmt: skip
    pairs = {(t.item.submission.project_id, t.expert.user.username) for t in tasks}
    assert len(pairs) == 4
    assert (project_a.pk, "e_a") not in pairs  # works at the applicant
    assert (project_b.pk, "e_b") not in pairs  # left org_b a year ago: still within 3 years
    assert not {(project_a.pk, "e_c"), (project_a.pk, "e_d")} & pairs  # org_c co-applies
    round_page = staff.get(f"/review/rounds/{first.pk}/").content.decode()
    assert "待评审" in round_page

    # review: every expert sees only their own task and no other reviewer's name
    for task in tasks:
        client = login(task.expert.user)
        mine = client.get("/review/").content.decode()
        assert task.item.title in mine
        page = client.get(f"/review/tasks/{task.pk}/").content.decode()
        others = [t.expert.name for t in tasks if t.item_id == task.item_id and t.pk != task.pk]
        assert all(name not in page for name in others)
        assert client.get(f"/projects/{task.item.submission.project_id}/").status_code == 200
        values = [90, 85, 88, 80, 82] if task.item.submission_id == submission_a.pk else [70, 65, 60, 72, 68]  # fmt: skip
        assert scores(client, task, values).status_code == 302
    assert not ReviewAssignment.objects.filter(item__round=first, status=ReviewAssignment.Status.ASSIGNED).exists()  # fmt: skip

    # rank and decide: a advances, b is rejected with a reason the applicant reads
    ranking = staff.get(f"/review/rounds/{first.pk}/ranking/").content.decode()
    assert ranking.index(project_a.title) < ranking.index(project_b.title)
    item_a = ReviewItem.objects.get(round=first, submission=submission_a)
    item_b = ReviewItem.objects.get(round=first, submission=submission_b)
    staff.post(f"/review/items/{item_a.pk}/", {"decision": "advance", "reason": "技术指标领先"})
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/review/items/{item_b.pk}/", {"decision": "reject", "reason": "与现有技术差异不足"})  # fmt: skip
    project_b.refresh_from_db()
    assert project_b.stage == TechProject.Stage.REJECTED
    page_b = member_b.get(f"/calls/submissions/{submission_b.pk}/").content.decode()
    assert "与现有技术差异不足" in page_b
    assert all(t.expert.name not in page_b for t in tasks)
    notes = Notification.objects.filter(user=world.users["member_b"]).values_list("body", flat=True)
    assert "与现有技术差异不足" in " ".join(notes)

    # the final: one item, reviewed, selected; results published for everyone
    staff.post(f"/review/rounds/{final.pk}/", {"action": "propose"})
    staff.post(f"/review/rounds/{final.pk}/", {"action": "start"})
    for task in ReviewAssignment.objects.filter(item__round=final):
        scores(login(task.expert.user), task, [88, 90, 86, 84, 85])
    final_item = ReviewItem.objects.get(round=final)
    staff.post(f"/review/items/{final_item.pk}/", {"decision": "select", "reason": "总决赛第一名"})
    project_a.refresh_from_db()
    assert project_a.stage == TechProject.Stage.SELECTED
    staff.post(f"/calls/{call.pk}/action/", {"action": "publish"})
    results = Client().get(f"/calls/{call.pk}/results/").content.decode()
    assert project_a.title in results
    assert project_b.title not in results

    # cultivate and transform, with the timeline
    staff.post(f"/projects/{project_a.pk}/transition/", {"action": "cultivate"})
    staff.post(f"/projects/{project_a.pk}/growth/", {"what": "milestone", "title": "完成中试线建设", "due": "2026-06-30"})  # fmt: skip
    staff.post(f"/projects/{project_a.pk}/growth/", {"what": "tranche", "amount": "300", "source": "special", "date": "2026-01-15"})  # fmt: skip
    milestone = project_a.milestones.get()
    member_a.post(f"/projects/{project_a.pk}/growth/", {"what": "milestone_done", "milestone": milestone.pk, "evidence": "中试线验收报告"})  # fmt: skip
    staff.post(f"/projects/{project_a.pk}/transition/", {"action": "transform"})
    staff.post(f"/projects/{project_a.pk}/transition/", {"action": "complete"})
    project_a.refresh_from_db()
    assert project_a.stage == TechProject.Stage.TRANSFORMING  # no outcome recorded yet
    staff.post(f"/projects/{project_a.pk}/growth/", {"what": "outcome", "type": "licence", "counterparty": "武汉华工激光工程有限责任公司", "amount": "1200", "date": "2026-09-01"})  # fmt: skip
    staff.post(f"/projects/{project_a.pk}/transition/", {"action": "complete"})
    project_a.refresh_from_db()
    assert project_a.stage == TechProject.Stage.TRANSFORMED
    milestone.refresh_from_db()
    assert milestone.done is not None
    actions = list(ProjectEvent.objects.filter(project=project_a).values_list("action", flat=True))
    assert actions == ["submit", "screen", "review", "select", "cultivate", "transform", "complete"]
    page = member_a.get(f"/projects/{project_a.pk}/").content.decode()
    assert "总决赛第一名" in page
    assert "1200" in page
    assert "中试线验收报告" in page
    assert (
        "staff" not in page.split('id="timeline"')[1].split("</table>")[0]
    )  # no names for members
