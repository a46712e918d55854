"""The review flow and the pipeline over /api/: the same rules as the pages."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from innobridge.projects.models import TechProject
from innobridge.review import services
from innobridge.review.models import ReviewAssignment
from tests.conftest import World, client_for
from tests.review.conftest import Contest
from tests.review.test_review_rules import entered


def put(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json")


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_experts_review_over_the_api_and_staff_rank(world: World, contest: Contest) -> None:
    first, item_a, item_b = entered(world, contest)
    staff = client_for(world, "staff")
    assigned = post(staff, f"/api/review/rounds/{first.pk}/assign")
    assert assigned.status_code == 200
    assert assigned.json()["pairs"] == 4
    services.start_review(actor=world.users["staff"], round=first)
    full = {"颠覆性": 90, "可行性": 80, "影响力": 70, "团队": 60, "市场": 50}
    names = set(ReviewAssignment.objects.filter(item__round=first).values_list("expert__name", flat=True))  # fmt: skip
    for username, user in contest.experts.items():
        client = Client()
        client.force_login(user)
        response = client.get("/api/review/tasks")
        tasks = response.json()
        own = set(ReviewAssignment.objects.filter(expert__user=user, item__round=first).values_list("pk", flat=True))  # fmt: skip
        assert {t["id"] for t in tasks} == own, username
        assert not any(name in response.content.decode() for name in names)
        for task in tasks:
            saved = put(client, f"/api/review/tasks/{task['id']}", {"scores": full, "comment": "可行", "submit": True})  # fmt: skip
            assert saved.json()["total"] == 73.5
    ranking = staff.get(f"/api/review/rounds/{first.pk}/ranking").json()
    assert {row["item_id"] for row in ranking} == {item_a.pk, item_b.pk}
    assert all(len(row["reviews"]) == 2 for row in ranking)
    for role in ("member_a", "expert", "investor", "manager"):
        assert client_for(world, role).get(f"/api/review/rounds/{first.pk}/ranking").status_code == 403  # fmt: skip
    decided = post(staff, f"/api/review/items/{item_b.pk}/decision", {"decision": "reject", "reason": "创新性不足"})  # fmt: skip
    assert decided.status_code == 200
    assert post(client_for(world, "member_b"), f"/api/review/items/{item_a.pk}/decision", {"decision": "advance", "reason": "x"}).status_code == 403  # fmt: skip
    mine = client_for(world, "member_b").get(f"/api/calls/{contest.call.pk}/submissions").json()
    assert [(s["status"], s["result_note"]) for s in mine] == [("rejected", "创新性不足")]


def test_pipeline_transitions_and_timeline_over_the_api(world: World) -> None:
    project = world.projects["a_public"]
    TechProject.objects.filter(pk=project.pk).update(stage=TechProject.Stage.SELECTED)
    member = client_for(world, "member_a")
    refused = post(member, f"/api/projects/{project.pk}/transitions", {"action": "cultivate"})
    assert refused.status_code == 403
    staff = client_for(world, "staff")
    moved = post(staff, f"/api/projects/{project.pk}/transitions", {"action": "cultivate"})
    assert moved.json()["stage"] == "cultivating"
    stop = post(staff, f"/api/projects/{project.pk}/transitions", {"action": "stop"})
    assert stop.status_code == 400
    assert "原因" in stop.json()["detail"]
    wrong = post(staff, f"/api/projects/{project.pk}/transitions", {"action": "complete"})
    assert wrong.status_code == 400
    timeline = member.get(f"/api/projects/{project.pk}/timeline").json()
    assert [(e["action"], e["to_stage"], e["actor"]) for e in timeline] == [("cultivate", "cultivating", "")]  # fmt: skip
    assert staff.get(f"/api/projects/{project.pk}/timeline").json()[0]["actor"] == "staff"
    assert client_for(world, "investor").get(f"/api/projects/{project.pk}/timeline").json() == []
