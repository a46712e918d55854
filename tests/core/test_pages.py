"""Home, login, tokens, language switch, and the public pages."""

from __future__ import annotations

from django.test import Client

from innobridge.core.models import ApiToken
from tests.conftest import PASSWORD, World, client_for


def test_home_shows_live_counts_in_chinese(world: World) -> None:
    html = Client().get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "科创桥" in html
    assert "公开场景需求" in html
    assert '<div class="num">2</div>' in html  # two public demands
    html = client_for(world, "member_a").get("/").content.decode()
    assert "您可查看 4 条" in html


def test_login_with_password_and_logout(world: World) -> None:
    client = Client()
    response = client.post("/account/login/", {"username": "member_a", "password": PASSWORD})
    assert response.status_code == 302
    assert "member_a" in client.get("/").content.decode()
    response = client.post("/account/login/", {"username": "member_a", "password": "wrong"})
    assert response.status_code == 200
    client.post("/account/logout/")
    assert client.get("/projects/").status_code == 302


def test_password_change(world: World) -> None:
    client = client_for(world, "expert")
    response = client.post("/account/password/", {"old_password": PASSWORD,
                                                 "new_password1": "Kc-2025-new-pass", "new_password2": "Kc-2025-new-pass"})  # fmt: skip
    assert response.status_code == 302
    assert Client().login(username="expert", password="Kc-2025-new-pass")


def test_token_page_shows_the_secret_once_and_revokes(world: World) -> None:
    client = client_for(world, "investor")
    html = client.post("/account/tokens/", {"name": "数据同步"}).content.decode()
    token = ApiToken.objects.get(user=world.users["investor"])
    assert 'id="new-token"' in html
    assert token.hint in html
    assert token.key_hash not in html
    assert 'id="new-token"' not in client.get("/account/tokens/").content.decode()
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert not ApiToken.objects.exists()
    other = client_for(world, "staff")
    assert other.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404


def test_pages_stay_chinese_for_an_english_browser_until_switched(world: World) -> None:
    client = client_for(world, "staff")
    html = client.get("/demands/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "场景应用需求" in html
    api = client.get("/api/projects/999999", HTTP_ACCEPT_LANGUAGE="en").json()
    assert api["detail"] == "Technology project not found, or you may not see it."


def test_language_switch_to_english(world: World) -> None:
    client = client_for(world, "staff")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/demands/").content.decode()
    assert '<html lang="en">' in html
    assert "Scenario demands" in html
    assert "场景应用需求" not in html


def test_public_lab_pages(world: World) -> None:
    from innobridge.orgs.services import joint_lab_create

    lab = joint_lab_create(actor=world.users["staff"], name="高档数控系统实验室", lead=world.org_a,
                           field="equipment", members=[(world.org_b, "core")])  # fmt: skip
    assert "高档数控系统实验室" in Client().get("/labs/").content.decode()
    html = Client().get(f"/labs/{lab.pk}/").content.decode()
    assert world.org_b.name in html
    assert "成员单位（2 家）" in html


def test_admin_is_in_chinese_for_staff_and_closed_to_others(world: World) -> None:
    html = client_for(world, "staff").get("/admin/").content.decode()
    assert "科创桥 · 管理后台" in html
    assert "技术项目" in html
    assert client_for(world, "member_a").get("/admin/").status_code == 302
