"""The audit log and login lockout: logins, failures, lockouts, exports, role changes and state
transitions are recorded append-only; five wrong passwords lock the account for a while."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from innobridge.core import audit
from innobridge.core.models import AuditEvent
from innobridge.core.roles import Role
from innobridge.projects.models import TechProject
from innobridge.projects.pipeline import project_transition
from tests.conftest import PASSWORD, World, client_for


@pytest.fixture(autouse=True)
def fresh_counters() -> Any:
    cache.clear()
    yield
    cache.clear()


def login(username: str, password: str) -> Any:
    return Client().post("/account/login/", {"username": username, "password": password})


def test_five_failures_lock_the_account_and_everything_is_logged(world: World) -> None:
    for _attempt in range(audit.LOCK_AFTER):
        assert login("member_a", "wrong-password").status_code == 200
    refused = login("member_a", PASSWORD)  # even the right password, while locked
    assert refused.status_code == 200
    assert "临时锁定" in refused.content.decode()
    kinds = list(AuditEvent.objects.filter(username="member_a").values_list("kind", flat=True))
    assert kinds.count("login_failed") == audit.LOCK_AFTER
    assert "lockout" in kinds
    assert "login" not in kinds
    cache.clear()  # the lock expires
    assert login("member_a", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(username="member_a", kind="login").exists()


def test_exports_role_changes_and_transitions_are_recorded(world: World) -> None:
    staff = client_for(world, "staff")
    staff.get("/excel/projects/export/")
    assert AuditEvent.objects.filter(kind="export", username="staff").exists()
    world.users["investor"].groups.add(Group.objects.get(name=Role.MANAGER))
    change = AuditEvent.objects.filter(kind="permission", username="investor").first()
    assert change is not None
    assert Role.MANAGER in change.detail
    project = world.projects["a_public"]
    TechProject.objects.filter(pk=project.pk).update(stage="selected")
    project.refresh_from_db()
    project_transition(actor=world.users["staff"], project=project, action="cultivate")
    assert AuditEvent.objects.filter(kind="transition", target=project.title).exists()


def test_the_log_is_append_only_and_staff_only(world: World) -> None:
    event = AuditEvent.objects.create(kind="login", username="x")
    event.detail = "changed"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert client_for(world, "staff").get("/account/audit/").status_code == 200
    for role in ("manager", "member_a", "expert", "investor"):
        assert client_for(world, role).get("/account/audit/").status_code == 403
    assert client_for(world, "anonymous").get("/account/audit/").status_code == 302
