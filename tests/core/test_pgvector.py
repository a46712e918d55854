"""Dense candidates from pgvector (``INNOBRIDGE_DENSE_INDEX``): the same matches as scoring every
vector, the table follows the records, and a database without the extension is said plainly.
The PostgreSQL tests skip when the server has no ``vector`` extension to create."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any
from unittest.mock import patch

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from innobridge.core import matching, pgvector
from innobridge.core.choices import TechField
from innobridge.core.demo import text
from innobridge.core.services import roles_ensure
from innobridge.core.tasks import wait_for_background
from innobridge.matching.engine import MatchQuery
from innobridge.matching.retrieval import IVFIndex
from tests.orgs.factories import OrganizationFactory
from tests.projects.factories import TechProjectFactory


@pytest.fixture
def data_dir(tmp_path: Path) -> Any:
    with override_settings(DATA_DIR=tmp_path, REDIS_URL="", BACKGROUND_MODE="thread"):
        matching._cache.clear()
        yield tmp_path
    matching._cache.clear()


def _rows(name: str) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [pgvector.table(name)])
        if cursor.fetchone()[0] is None:
            return {}
        cursor.execute(f'SELECT record_id, stamp FROM "{pgvector.table(name)}"')  # noqa: S608
        return dict(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_a_large_index_takes_its_dense_candidates_from_pgvector(
    data_dir: Path, capsys: Any
) -> None:
    if not pgvector.available():
        pytest.skip("the database has no pgvector extension (PostgreSQL with it only)")
    roles_ensure()
    owner, rng = OrganizationFactory(), random.Random(4)
    projects = []
    for field, label in TechField.choices:  # two per field: 30 technologies of every kind
        for _ in range(2):
            written = text.project_text(rng, str(label))
            projects.append(TechProjectFactory(owner=owner, title=written.title, summary=written.summary, field=field))  # fmt: skip
    wait_for_background()
    with override_settings(DENSE_INDEX="pgvector", MATCH_EXACT_BELOW=10):
        # filling the table is the command's work: a web process's rebuild writes a few rows
        matching._cache.clear()
        with patch.object(pgvector, "WRITE_WHILE_BUILDING", 10):
            assert isinstance(matching.index_for("projects").ivf, IVFIndex)
        assert not _rows("projects")
        call_command("index", "rebuild", "projects", "--if-missing")
        assert f"projects: pgvector 表已更新 {len(projects)} 条" in capsys.readouterr().out
        matching._cache.clear()
        index = matching.index_for("projects")
        assert isinstance(index.ivf, pgvector.PgVectorNearest)
        rows = _rows("projects")
        assert set(rows) == {p.pk for p in projects}
        docs, _queryset = matching.SOURCES["projects"]([projects[0].pk])
        assert rows[projects[0].pk].endswith(matching._digest(docs[0]))
        # the graph's nearest records are the nearest by exact dot product, scored exactly
        nearest, vectors = index.ivf, index.vectors
        assert index.embedder is not None
        assert vectors is not None
        for field in ("laser", "biomed", "beidou"):
            need = text.demand_text(rng, str(TechField(field).label), "technology")
            q = index.embedder.queries([f"{need.title}。{need.description}"])[0]
            with patch.object(pgvector, "CANDIDATES", 5):
                positions, scores = nearest.search(q, 64)
            exact = np.argsort(-(vectors @ q))[:5]
            assert set(positions.tolist()) == set(exact.tolist())
            assert np.allclose(scores, vectors[positions] @ q)
            query = MatchQuery(f"{need.title}。{need.description}", field=field)
            fast, exhaustive = index.search(query, k=10), index.search(query, k=10, exact=True)
            assert [m.id for m in fast] == [m.id for m in exhaustive]

        # a saved text is written again, a deleted record leaves the table
        before = rows[projects[1].pk]
        projects[1].summary = "面向城市内涝的低空无人机巡检系统，实时回传积水画面。"
        projects[1].save()
        projects[2].delete()
        wait_for_background()
        with patch.object(pgvector, "sync", side_effect=AssertionError("every row compared")):
            matching.index_for("projects")  # writes the two changed rows only
        after = _rows("projects")
        assert after[projects[1].pk] != before
        assert projects[2].pk not in after

        # PostgreSQL cannot answer (the table is gone): the nearest, from every vector
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE "{pgvector.table("projects")}"')
        index = matching.index_for("projects")
        q = index.embedder.queries(["城市内涝 无人机巡检 积水"])[0]
        with patch.object(pgvector, "CANDIDATES", 3):
            positions, _scores = index.ivf.search(q, 64)
        assert set(positions.tolist()) == set(np.argsort(-(index.vectors @ q))[:3].tolist())
        best = index.search(MatchQuery("城市内涝 无人机巡检 积水"), k=1)[0]
        assert best.id == str(projects[1].pk)


@pytest.mark.django_db
def test_asking_for_pgvector_without_the_extension_says_what_to_do() -> None:
    if pgvector.available():
        pytest.skip("this database has the extension")
    with override_settings(DENSE_INDEX="pgvector"), pytest.raises(ImproperlyConfigured, match="CREATE EXTENSION vector"):  # fmt: skip
        pgvector.enabled()
    with override_settings(DENSE_INDEX="auto"):
        assert pgvector.enabled() is False  # auto: the in-process inverted file
    with override_settings(DENSE_INDEX="memory"):
        assert pgvector.enabled() is False
