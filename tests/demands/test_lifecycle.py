"""The demand lifecycle: declared transitions, who may take them, who/when/why recorded."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from innobridge.core.choices import Visibility
from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.demands.lifecycle import available, demand_transition
from innobridge.demands.models import ScenarioDemand
from innobridge.demands.validation import milestone_add, milestone_complete
from tests.conftest import World, client_for
from tests.demands.factories import ScenarioDemandFactory

S = ScenarioDemand.Status


@pytest.fixture
def draft(world: World) -> ScenarioDemand:
    return ScenarioDemandFactory(owner=world.org_a, title="地铁盾构刀盘磨损监测需求", status=S.DRAFT, visibility=Visibility.DRAFT)  # fmt: skip


def test_from_draft_to_landed_through_a_challenge(world: World, draft: ScenarioDemand) -> None:
    staff, member = world.users["staff"], world.users["member_a"]
    demand_transition(actor=member, demand=draft, action="submit")
    demand_transition(actor=staff, demand=draft, action="vet")
    demand_transition(actor=staff, demand=draft, action="publish")
    draft.refresh_from_db()
    assert (draft.status, draft.visibility) == (S.PUBLISHED, Visibility.PUBLIC)
    with pytest.raises(ApplicationError, match="知识产权与保密约定"):
        demand_transition(actor=staff, demand=draft, action="open_challenge")
    draft.deadline, draft.terms = datetime.date(2099, 6, 30), "成果归需求方所有，揭榜方享有署名权。"
    draft.save()
    demand_transition(actor=staff, demand=draft, action="open_challenge")
    demand_transition(actor=staff, demand=draft, action="select_solver", reason="华中科技大学团队揭榜成功")  # fmt: skip
    demand_transition(actor=staff, demand=draft, action="sign", amount=Decimal("850"))
    demand_transition(actor=staff, demand=draft, action="validate")
    with pytest.raises(ApplicationError, match="至少设置一个场景验证节点"):
        demand_transition(actor=staff, demand=draft, action="land")
    draft.refresh_from_db()
    step = milestone_add(actor=member, demand=draft, title="地铁2号线盾构段试运行3个月")
    with pytest.raises(ApplicationError, match="尚未完成"):
        demand_transition(actor=staff, demand=draft, action="land")
    with pytest.raises(ApplicationError, match="验证证据"):
        milestone_complete(actor=member, milestone=step, evidence=" ")
    milestone_complete(actor=member, milestone=step, evidence="刀盘磨损预警准确率96%，运营方出具验证报告。")  # fmt: skip
    demand_transition(actor=staff, demand=draft, action="land")
    draft.refresh_from_db()
    assert draft.status == S.LANDED
    assert draft.contract_amount == Decimal("850")
    steps = list(draft.events.values_list("from_status", "to_status"))
    assert steps == [
        (S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.VETTED), (S.VETTED, S.PUBLISHED),
        (S.PUBLISHED, S.CHALLENGE), (S.CHALLENGE, S.SOLVER), (S.SOLVER, S.SIGNED),
        (S.SIGNED, S.VALIDATING), (S.VALIDATING, S.LANDED),
    ]  # fmt: skip
    assert draft.events.get(action="submit").actor == member


def test_wrong_state_role_reason_and_amount_are_refused(world: World, draft: ScenarioDemand) -> None:  # fmt: skip
    staff = world.users["staff"]
    with pytest.raises(ApplicationError, match="不能执行“发布”"):
        demand_transition(actor=staff, demand=draft, action="publish")
    with pytest.raises(AccessDenied):
        demand_transition(actor=world.users["member_b"], demand=draft, action="submit")
    demand_transition(actor=world.users["member_a"], demand=draft, action="submit")
    with pytest.raises(AccessDenied):
        demand_transition(actor=world.users["member_a"], demand=draft, action="vet")
    with pytest.raises(ApplicationError, match="需要填写原因"):
        demand_transition(actor=staff, demand=draft, action="return")
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert draft.events.count() == 1
    matched = ScenarioDemandFactory(owner=world.org_b, status=S.MATCHED, manager=world.users["manager"])  # fmt: skip
    with pytest.raises(ApplicationError, match="合同金额"):
        demand_transition(actor=world.users["manager"], demand=matched, action="sign")
    assert [t.action for t in available(world.users["manager"], matched)] == ["sign"]


def test_the_owner_reads_why_it_was_returned(world: World, draft: ScenarioDemand) -> None:
    demand_transition(actor=world.users["member_a"], demand=draft, action="submit")
    client = client_for(world, "staff")
    client.post(f"/demands/{draft.pk}/transition/", {"action": "return", "reason": "请补充刀盘材质与监测精度指标"})  # fmt: skip
    html = client_for(world, "member_a").get(f"/demands/{draft.pk}/").content.decode()
    assert "请补充刀盘材质与监测精度指标" in html
    assert "提交审核" in html  # the owner may submit again


def test_status_is_not_edited_directly(world: World) -> None:
    demand = world.demands["a_public"]
    response = client_for(world, "staff").patch(
        f"/api/demands/{demand.pk}", {"status": "landed"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "流程操作" in response.json()["detail"]
    response = client_for(world, "staff").post(
        f"/api/demands/{demand.pk}/transitions",
        {"action": "match"},
        content_type="application/json",
    )
    assert response.json()["to_status"] == "matched"


@pytest.mark.django_db(transaction=True)
def test_a_new_demand_repeating_an_earlier_one_is_flagged(tmp_path: object) -> None:
    from django.test import override_settings

    from innobridge.core.services import roles_ensure
    from innobridge.core.tasks import wait_for_background
    from tests.orgs.factories import OrganizationFactory

    roles_ensure()
    with override_settings(DATA_DIR=tmp_path, REDIS_URL=""):
        owner, other = OrganizationFactory(), OrganizationFactory()
        text = "船体分段中厚钢板激光切割挂渣严重、断面粗糙，需要高功率光纤激光切割工艺与装备，切割速度提升一倍。"
        first = ScenarioDemandFactory(
            owner=owner, title="中厚板激光切割断面质量提升", description=text
        )
        unrelated = ScenarioDemandFactory(owner=other, title="社区养老智能呼叫", description="独居老人跌倒后无法呼救，需要可穿戴报警与社区联动平台。")  # fmt: skip
        again = ScenarioDemandFactory(owner=other, title="中厚板激光切割断面质量提升需求", description=text)  # fmt: skip
        wait_for_background()
    again.refresh_from_db()
    unrelated.refresh_from_db()
    first.refresh_from_db()
    assert again.duplicate_of_id == first.pk
    assert again.duplicate_overlap >= 0.6
    assert unrelated.duplicate_of_id is None
    assert first.duplicate_of_id is None  # the original is not flagged against the copy


def test_milestones_only_while_validating_and_only_for_those_involved(world: World, tmp_path: object) -> None:  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    signed = ScenarioDemandFactory(owner=world.org_a, status=S.SIGNED)
    published = ScenarioDemandFactory(owner=world.org_a, status=S.PUBLISHED)
    with pytest.raises(ApplicationError, match="签约后"):
        milestone_add(actor=world.users["staff"], demand=published, title="试运行")
    with pytest.raises(AccessDenied):
        milestone_add(actor=world.users["member_b"], demand=signed, title="试运行")
    client = client_for(world, "member_a")
    client.post(f"/demands/{signed.pk}/milestones/", {"title": "小批量试用", "due": "2026-03-31"})
    step = signed.milestones.get()
    with override_settings(MEDIA_ROOT=tmp_path):
        report = SimpleUploadedFile("验证报告.pdf", b"%PDF-1.7\nreport", content_type="application/pdf")  # fmt: skip
        client.post(f"/demands/{signed.pk}/milestones/", {"milestone": step.pk, "evidence": "", "file": report})  # fmt: skip
        step.refresh_from_db()
        assert step.done is not None
        assert step.evidence_name == "验证报告.pdf"
        assert client.get(f"/demands/{signed.pk}/milestones/{step.pk}/file/").status_code == 200
        assert client_for(world, "member_b").get(f"/demands/{signed.pk}/milestones/{step.pk}/file/").status_code == 404  # fmt: skip
