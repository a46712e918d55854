"""The signed-in user's row is read once per data version while the shared cache answers
(core/auth.py), and a change to the user still takes effect on the very next page: a
deactivated user, a password changed in another session, a role taken away."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from innobridge.core import auth
from innobridge.core.roles import Role
from tests.conftest import PASSWORD, World
from tests.core.conftest import redis_caches


@pytest.fixture
def shared_cache(redis_back: tuple[str, Any]) -> Iterator[None]:
    url, _client = redis_back
    auth._users.entries.clear()
    with override_settings(CACHES=redis_caches(url)):
        yield
    auth._users.entries.clear()


def signed_in(world: World, role: str) -> Client:
    client = Client()
    assert client.login(username=world.users[role].username, password=PASSWORD)
    return client


def user_reads(client: Client, path: str) -> tuple[int, int]:
    """The page's status and how many times it read the auth_user table."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, sum(1 for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"])


def test_pages_do_not_read_the_signed_in_users_row_again(world: World, shared_cache: None) -> None:
    member = signed_in(world, "member_a")
    assert user_reads(member, "/projects/")[0] == 200
    assert user_reads(member, "/demands/") == (200, 0)


def test_the_row_is_read_on_every_page_when_there_is_no_shared_cache(world: World) -> None:
    """Without Redis each web process has its own data version, which another process's
    deactivation would not move: the row is read every time."""
    member = signed_in(world, "member_a")
    member.get("/projects/")
    assert user_reads(member, "/demands/") == (200, 1)


def test_a_deactivated_user_is_signed_out_on_the_next_page(world: World, shared_cache: None) -> None:  # fmt: skip
    member = signed_in(world, "member_a")
    assert member.get("/projects/").status_code == 200
    user = world.users["member_a"]
    user.is_active = False
    user.save()
    response = member.get("/projects/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_a_password_changed_in_one_session_signs_out_the_others(world: World, shared_cache: None) -> None:  # fmt: skip
    laptop, phone = signed_in(world, "member_a"), signed_in(world, "member_a")
    assert phone.get("/projects/").status_code == 200
    changed = laptop.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "新的密码-2026-q7",
            "new_password2": "新的密码-2026-q7",
        },
    )
    assert changed.status_code == 302, changed.content.decode()[:500]
    assert laptop.get("/projects/").status_code == 200  # the session that changed it stays in
    response = phone.get("/projects/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_a_role_taken_away_is_refused_on_the_next_page(world: World, shared_cache: None) -> None:
    staff = signed_in(world, "staff")
    assert staff.get("/targets/").status_code == 200
    world.users["staff"].groups.remove(Group.objects.get(name=Role.STAFF))
    assert staff.get("/targets/").status_code == 403
