"""揭榜挂帅 applications go through the same expert review: assignment, form, ranking, award."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.test import Client

from innobridge.demands import challenges
from innobridge.demands.lifecycle import demand_transition
from innobridge.demands.models import ChallengeApplication, ScenarioDemand
from innobridge.review.models import ReviewAssignment, ReviewItem, ReviewRound
from tests.conftest import World, client_for
from tests.demands.factories import ScenarioDemandFactory
from tests.orgs.factories import OrganizationFactory
from tests.review.conftest import Contest


def test_challenge_applications_are_reviewed_by_experts_and_awarded(world: World, contest: Contest, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    owner = OrganizationFactory(name="武汉地铁集团有限公司")
    demand = ScenarioDemandFactory(owner=owner, title="盾构机刀盘磨损在线监测揭榜", status=ScenarioDemand.Status.PUBLISHED, deadline=datetime.date(2099, 1, 1), prize=Decimal("500"), terms="成果知识产权归双方共有。")  # fmt: skip
    staff = world.users["staff"]
    demand_transition(actor=staff, demand=demand, action="open_challenge")
    demand.refresh_from_db()
    for member, org in (("member_a", world.org_a), ("member_b", world.org_b)):
        challenges.apply(actor=world.users[member], demand=demand, organization=org, proposal="基于声发射与激光测距的刀盘磨损在线监测方案。", accepted_terms=True)  # fmt: skip
    client = client_for(world, "staff")
    response = client.post(f"/review/challenges/{demand.pk}/")
    round = ReviewRound.objects.get(demand=demand)
    assert response.url == f"/review/rounds/{round.pk}/"
    assert [c["name"] for c in round.criteria][0] == "技术方案"
    client.post(f"/review/rounds/{round.pk}/", {"action": "settings", "criterion": ["技术方案", "团队能力"], "weight": ["60", "40"], "reviewers_per_item": "2", "min_load": "0", "max_load": "2", "deadline": ""})  # fmt: skip
    client.post(f"/review/rounds/{round.pk}/", {"action": "propose"})
    client.post(f"/review/rounds/{round.pk}/", {"action": "start"})
    tasks = ReviewAssignment.objects.filter(item__round=round, status=ReviewAssignment.Status.ASSIGNED)  # fmt: skip
    assert tasks.count() == 4
    for task in tasks:
        assert task.item.application.organization_id not in set(task.expert.memberships.values_list("organization_id", flat=True))  # fmt: skip
        expert = Client()
        expert.force_login(task.expert.user)
        best = task.item.application.organization_id == world.org_b.pk
        expert.post(f"/review/tasks/{task.pk}/", {"score-0": "92" if best else "70", "score-1": "88" if best else "75", "comment": "方案可行", "submit": "1"})  # fmt: skip
    ranking = client.get(f"/review/rounds/{round.pk}/ranking/").content.decode()
    assert ranking.index(world.org_b.name) < ranking.index(world.org_a.name)
    winner = ReviewItem.objects.get(round=round, application__organization=world.org_b)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/review/items/{winner.pk}/", {"decision": "select", "reason": "专家评审综合排名第一"})  # fmt: skip
    demand.refresh_from_db()
    assert demand.status == ScenarioDemand.Status.SOLVER
    statuses = dict(ChallengeApplication.objects.filter(demand=demand).values_list("organization_id", "status"))  # fmt: skip
    assert statuses == {world.org_b.pk: "won", world.org_a.pk: "lost"}
    note = world.users["member_a"].notifications.values_list("title", flat=True)
    assert any("揭榜结果" in title for title in note)
