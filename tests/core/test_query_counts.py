"""List pages cost the same number of queries whatever the number of rows (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from innobridge.core.choices import Visibility
from tests.capital.factories import InvestorProfileFactory
from tests.conftest import World, client_for
from tests.demands.factories import ScenarioDemandFactory
from tests.orgs.factories import OrganizationFactory
from tests.projects.factories import TechProjectFactory


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def more_projects(world: World, n: int) -> None:
    for _ in range(n):
        TechProjectFactory(owner=world.org_a, visibility=Visibility.PUBLIC)


def more_demands(world: World, n: int) -> None:
    for _ in range(n):
        ScenarioDemandFactory(owner=world.org_b, visibility=Visibility.PUBLIC)


def more_orgs(world: World, n: int) -> None:
    for _ in range(n):
        OrganizationFactory()


def more_experts(world: World, n: int) -> None:
    from innobridge.orgs.models import Person
    from tests.orgs.factories import MembershipFactory

    for _ in range(n):
        MembershipFactory(
            person=Person.objects.create(name="专家", is_expert=True, keywords="激光")
        )


def more_investors(world: World, n: int) -> None:
    for _ in range(n):
        InvestorProfileFactory()


@pytest.mark.parametrize(
    ("url", "grow"),
    [("/projects/", more_projects), ("/demands/", more_demands), ("/orgs/", more_orgs),
     ("/investors/", more_investors), ("/review/experts/", more_experts)],
)  # fmt: skip
def test_list_pages_do_not_query_per_row(world: World, url: str, grow: Callable[[World, int], None]) -> None:  # fmt: skip
    client = client_for(world, "staff")
    grow(world, 3)
    few = queries(client, url)
    grow(world, 12)
    many = queries(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with more"
