"""Shared fixtures: one user per role, two enterprises, and records of every visibility."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.test import Client

from innobridge.core.choices import Visibility
from innobridge.core.roles import Role
from innobridge.core.services import roles_ensure
from tests.demands.factories import ScenarioDemandFactory
from tests.orgs.factories import MembershipFactory, OrganizationFactory, PersonFactory
from tests.projects.factories import TechProjectFactory

PASSWORD = "test-pass-2025"


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the default language: a page request activates the visitor's language
    in the thread and leaves it there, so a test ending on an English page turned the next
    test's command output English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def make_user(username: str, role: str | None, organization: Any = None, **extra: Any) -> Any:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if organization is not None:
        person = PersonFactory(name=username, user=user)
        MembershipFactory(person=person, organization=organization)
    return user


@dataclass
class World:
    org_a: Any
    org_b: Any
    investor_org: Any
    users: dict[str, Any]
    projects: dict[str, Any]
    demands: dict[str, Any]


@pytest.fixture
def world(db: Any) -> World:
    """org_a and org_b each own a draft, an internal and a public project and demand;
    the manager is assigned org_b's internal ones."""
    roles_ensure()
    org_a = OrganizationFactory(name="武汉甲光电科技有限公司")
    org_b = OrganizationFactory(name="武汉乙激光技术有限公司")
    investor_org = OrganizationFactory(name="武汉丙创业投资有限公司", kind="investor", field="")
    users = {
        "staff": make_user("staff", Role.STAFF, is_staff=True),
        "manager": make_user("manager", Role.MANAGER),
        "member_a": make_user("member_a", Role.MEMBER, org_a),
        "member_b": make_user("member_b", Role.MEMBER, org_b),
        "expert": make_user("expert", Role.EXPERT),
        "investor": make_user("investor", Role.INVESTOR, investor_org),
        "anonymous": AnonymousUser(),
    }
    projects, demands = {}, {}
    for org_key, org in (("a", org_a), ("b", org_b)):
        for visibility in Visibility.values:
            manager = users["manager"] if (org_key, visibility) == ("b", "internal") else None
            projects[f"{org_key}_{visibility}"] = TechProjectFactory(
                owner=org,
                visibility=visibility,
                title=f"项目{org_key}{visibility}技术",
                manager=manager,
            )
            demands[f"{org_key}_{visibility}"] = ScenarioDemandFactory(
                owner=org,
                visibility=visibility,
                title=f"需求{org_key}{visibility}场景",
                manager=manager,
            )
    return World(org_a, org_b, investor_org, users, projects, demands)


def client_for(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client
