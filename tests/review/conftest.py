"""A small contest: two applicant projects, six experts with affiliations that make conflicts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from innobridge.core.roles import Role
from innobridge.orgs.models import Person
from innobridge.projects import calls
from innobridge.projects.models import Call
from tests.conftest import World, make_user
from tests.orgs.factories import MembershipFactory, OrganizationFactory


@dataclass
class Contest:
    call: Call
    experts: dict[str, Any]  # name → user (each with a Person in the expert pool)
    org_c: Any


@pytest.fixture
def media(tmp_path: Any) -> Any:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path


def expert(username: str, organization: Any = None, *, end: datetime.date | None = None, keywords: str = "光纤激光器，厚板切割") -> Any:  # fmt: skip
    user = make_user(username, Role.EXPERT)
    person = Person.objects.create(name=f"专家{username}", user=user, is_expert=True, field="laser", keywords=keywords)  # fmt: skip
    if organization is not None:
        MembershipFactory(person=person, organization=organization, end=end)
    return user


@pytest.fixture
def contest(world: World, media: Any) -> Contest:
    """e_a works at org_a; e_b left org_b a year ago (still a conflict); e_old left org_a six
    years ago (no longer); e_c and e_d share org_c (a university); e_x is at the investor."""
    today = timezone.localdate()
    org_c = OrganizationFactory(name="华中测试大学", kind="university")
    experts = {
        "e_a": expert("e_a", world.org_a),
        "e_b": expert("e_b", world.org_b, end=today - datetime.timedelta(days=365)),
        "e_old": expert("e_old", world.org_a, end=today - datetime.timedelta(days=6 * 365)),
        "e_c": expert("e_c", org_c),
        "e_d": expert("e_d", org_c, keywords="超快激光，激光切割，厚板切割"),
        "e_x": expert("e_x", world.investor_org, keywords="智能制造"),
    }
    call = calls.call_create(
        actor=world.users["staff"], title="2025 颠覆性技术创新大赛", year=2025,
        opens=today - datetime.timedelta(days=1), deadline=today + datetime.timedelta(days=30),
        stages=("领域赛", "总决赛"), reviewers_per_item=2, max_load=2,
    )  # fmt: skip
    return Contest(call, experts, org_c)
