"""What the read caches (core.cache.cached_count, the search order in core.matching, choice
labels in core.choices, the rendered rows of list pages in core.listing.results_key) must never
do: show a stale total, row or search, mix up users, or mix up languages."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from innobridge.projects.models import TechProject
from tests.conftest import World, client_for
from tests.projects.factories import TechProjectFactory


def total(html: str) -> int:
    match = re.search(r"共 ([\d,]+) 条", html)
    assert match, "no total on the page"
    return int(match.group(1).replace(",", ""))


def test_list_total_follows_added_and_deleted_records_and_is_not_recounted_meanwhile(world: World) -> None:  # fmt: skip
    staff = client_for(world, "staff")
    before = total(staff.get("/projects/").content.decode())
    assert before == TechProject.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert total(staff.get("/projects/").content.decode()) == before
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if "projects_techproject" in sql]

    added = TechProjectFactory(owner=world.org_a, title="新增的钙钛矿叠层电池项目")
    assert total(staff.get("/projects/").content.decode()) == before + 1
    added.delete()
    assert total(staff.get("/projects/").content.decode()) == before


def test_home_counts_follow_a_new_public_record(world: World) -> None:
    member = client_for(world, "member_a")
    numbers = re.findall(r'class="num">([\d,]+)<', member.get("/").content.decode())
    TechProjectFactory(owner=world.org_b, title="新发布的公开项目")
    again = re.findall(r'class="num">([\d,]+)<', member.get("/").content.decode())
    projects = 1  # the second figure: 技术项目与成果
    assert int(again[projects]) == int(numbers[projects]) + 1


def test_a_search_sees_a_record_saved_after_the_same_search(world: World) -> None:
    staff = client_for(world, "staff")
    assert "量子纠缠光源" not in staff.get("/projects/?q=纠缠光源").content.decode()
    TechProjectFactory(owner=world.org_a, title="量子纠缠光源芯片", field="quantum")
    assert "量子纠缠光源芯片" in staff.get("/projects/?q=纠缠光源").content.decode()


def test_the_same_search_by_two_members_shows_each_only_their_own_drafts(world: World) -> None:
    member_a, member_b = client_for(world, "member_a"), client_for(world, "member_b")
    draft_a, draft_b = world.projects["a_draft"].title, world.projects["b_draft"].title
    seen_by_a = member_a.get("/projects/?q=项目").content.decode()
    seen_by_b = member_b.get("/projects/?q=项目").content.decode()
    assert draft_a in seen_by_a
    assert draft_b not in seen_by_a
    assert draft_b in seen_by_b
    assert draft_a not in seen_by_b


def test_search_pages_continue_the_ranking_without_repeats(world: World) -> None:
    for n in range(25):
        TechProjectFactory(
            owner=world.org_a, title=f"石墨烯散热膜量产工艺{n:02d}", keywords="石墨烯"
        )
    staff = client_for(world, "staff")
    first = staff.get("/projects/?q=石墨烯").content.decode()
    second = staff.get("/projects/?q=石墨烯&page=2").content.decode()
    titles = [re.findall(r"石墨烯散热膜量产工艺\d\d", html) for html in (first, second)]
    assert total(first) == total(second) == 25
    assert (len(titles[0]), len(titles[1])) == (20, 5)
    assert set(titles[0]).isdisjoint(titles[1])


def test_choice_labels_follow_the_active_language(world: World) -> None:
    project = world.projects["a_public"]
    with translation.override("en"):
        assert (project.get_field_display(), project.get_visibility_display()) == ("Lasers", "Public")  # fmt: skip
    with translation.override("zh-hans"):
        assert (project.get_field_display(), project.get_visibility_display()) == ("激光", "公开")
    staff = client_for(world, "staff")
    staff.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Lasers" in staff.get("/projects/").content.decode()


def test_a_list_row_shows_an_edit_at_once_and_its_table_is_not_rendered_again_meanwhile(world: World) -> None:  # fmt: skip
    staff = client_for(world, "staff")
    project = world.projects["a_public"]
    assert project.title in staff.get("/projects/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        staff.get("/projects/")
    rows_read = [q["sql"] for q in queries.captured_queries if "projects_techproject" in q["sql"]]
    assert not rows_read, "the unchanged table was read again"
    project.title = "改名后的高功率光纤激光器项目"
    project.save()
    assert "改名后的高功率光纤激光器项目" in staff.get("/projects/").content.decode()


def test_two_organizations_members_each_see_only_their_own_drafts_in_the_same_list(world: World) -> None:  # fmt: skip
    member_a, member_b = client_for(world, "member_a"), client_for(world, "member_b")
    draft_a, draft_b = world.projects["a_draft"].title, world.projects["b_draft"].title
    for _round in range(2):  # the second round is served from the cache
        seen_by_a = member_a.get("/projects/").content.decode()
        seen_by_b = member_b.get("/projects/").content.decode()
        assert draft_a in seen_by_a
        assert draft_b not in seen_by_a
        assert draft_b in seen_by_b
        assert draft_a not in seen_by_b


def test_a_cached_list_follows_the_language(world: World) -> None:
    staff = client_for(world, "staff")
    assert "激光" in staff.get("/projects/?field=laser").content.decode()
    staff.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = staff.get("/projects/?field=laser").content.decode()
    assert "Lasers" in english
    assert '<span class="tag">激光</span>' not in english


def test_searching_an_owners_name_lists_its_records_the_user_may_see(world: World) -> None:
    member_a = client_for(world, "member_a")
    by_owner = member_a.get("/projects/?q=乙激光技术").content.decode()
    assert world.projects["b_public"].title in by_owner
    assert world.projects["b_draft"].title not in by_owner  # another organization's draft
    assert world.projects["a_public"].title not in by_owner
    both = member_a.get("/projects/?q=甲光电 " + world.projects["a_draft"].title[:4]).content.decode()  # fmt: skip
    assert world.projects["a_draft"].title in both  # one word in the owner's name, one in the title


def test_a_search_follows_an_edit_that_removes_the_word_with_and_without_filters(world: World) -> None:  # fmt: skip
    staff = client_for(world, "staff")
    record = TechProjectFactory(owner=world.org_a, title="钙钛矿光伏组件封装", field="energy")
    for url in ("/projects/?q=钙钛矿", "/projects/?q=钙钛矿&field=energy"):
        assert record.title in staff.get(url).content.decode()
    assert record.title not in staff.get("/projects/?q=钙钛矿&field=laser").content.decode()
    record.title, record.summary, record.keywords = "晶硅光伏组件封装", "晶硅组件", "晶硅"
    record.save()
    for url in ("/projects/?q=钙钛矿", "/projects/?q=钙钛矿&field=energy"):
        assert "晶硅光伏组件封装" not in staff.get(url).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the word cache is PostgreSQL's")
def test_a_word_searched_once_is_not_read_from_the_text_again_by_another_user(world: World) -> None:  # fmt: skip
    TechProjectFactory(owner=world.org_b, title="太赫兹成像安检仪", visibility="public")
    staff, member_a = client_for(world, "staff"), client_for(world, "member_a")
    staff.get("/projects/?q=太赫兹")
    with CaptureQueriesContext(connection) as queries:
        for url in ("/projects/?q=太赫兹", "/projects/?q=太赫兹&field=infrared"):
            member_a.get(url)
    assert not [q["sql"] for q in queries.captured_queries if "LIKE" in q["sql"].upper()]
    assert "太赫兹成像安检仪" in member_a.get("/projects/?q=太赫兹").content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the word cache is PostgreSQL's")
def test_a_change_to_another_table_keeps_the_searched_words_but_a_renamed_owner_is_found(world: World) -> None:  # fmt: skip
    """A saved demand (or review, or notification) does not make the next project search read
    every project's text again; a project or its owner changing does."""
    from tests.demands.factories import ScenarioDemandFactory

    TechProjectFactory(owner=world.org_b, title="太赫兹成像安检仪", visibility="public")
    staff = client_for(world, "staff")
    assert "太赫兹成像安检仪" in staff.get("/projects/?q=太赫兹").content.decode()
    demand = ScenarioDemandFactory(owner=world.org_a, title="机场安检需要更快的成像设备")
    assert demand.title in staff.get("/demands/?q=成像设备").content.decode()  # a new state
    with CaptureQueriesContext(connection) as queries:
        assert "太赫兹成像安检仪" in staff.get("/projects/?q=太赫兹").content.decode()
    scans = [q["sql"] for q in queries.captured_queries if "LIKE" in q["sql"].upper()]
    assert not [sql for sql in scans if "projects_techproject" in sql]

    world.org_b.name = "武汉太赫兹光谱科技有限公司"
    world.org_b.save()
    assert "太赫兹成像安检仪" in staff.get("/projects/?q=光谱科技").content.decode()
    world.org_b.name = "武汉精密仪器有限公司"
    world.org_b.save()
    assert "太赫兹成像安检仪" not in staff.get("/projects/?q=光谱科技").content.decode()


def test_a_change_made_by_another_worker_shows_on_the_next_page(world: World) -> None:
    """Each worker keeps its own copies of cached figures; another worker's save moves the
    shared data version, and the next page here must follow it."""
    from django.core.cache import cache

    from innobridge.core.cache import DATA_VERSION_KEY

    staff = client_for(world, "staff")
    before = total(staff.get("/projects/").content.decode())
    # what another worker's save does here: a new row, and the shared version moved on
    TechProject.objects.bulk_create([TechProjectFactory.build(owner=world.org_a, title="别的进程新增的项目")])  # fmt: skip
    assert total(staff.get("/projects/").content.decode()) == before  # nothing said it changed
    cache.incr(DATA_VERSION_KEY)
    assert total(staff.get("/projects/").content.decode()) == before + 1


def test_signing_in_keeps_cached_totals_while_the_audit_log_shows_the_login(world: World) -> None:
    from tests.conftest import PASSWORD

    staff = client_for(world, "staff")
    before = total(staff.get("/projects/").content.decode())
    signing_in = Client()
    response = signing_in.post(
        "/account/login/", {"username": world.users["member_b"].username, "password": PASSWORD}
    )
    assert response.status_code == 302  # signed in: session, last_login and audit entry written
    with CaptureQueriesContext(connection) as queries:
        assert total(staff.get("/projects/").content.decode()) == before
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if "projects_techproject" in sql]  # not recounted
    audit = staff.get("/account/audit/").content.decode()
    assert world.users["member_b"].username in audit  # the audit log shows the login at once

    added = TechProjectFactory(owner=world.org_a, title="登录后新增的项目")  # records still do
    assert total(staff.get("/projects/").content.decode()) == before + 1
    added.delete()
