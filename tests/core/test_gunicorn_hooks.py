"""A web worker builds its match indexes as soon as it starts, not when the first user after a
deploy searches or matches (``innobridge serve`` loads these hooks; the fault tests start it)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from innobridge.core import gunicorn_hooks, matching
from innobridge.core.services import roles_ensure
from tests.orgs.factories import OrganizationFactory
from tests.projects.factories import TechProjectFactory


@pytest.mark.django_db(transaction=True)
def test_a_started_worker_builds_its_match_indexes_in_the_background(tmp_path: Path, monkeypatch: Any) -> None:  # fmt: skip
    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "none")
    roles_ensure()
    project = TechProjectFactory(owner=OrganizationFactory(), title="万瓦级光纤激光厚板切割装备")
    with override_settings(DATA_DIR=tmp_path, REDIS_URL="", BACKGROUND_MODE="inline"):
        matching._cache.clear()
        gunicorn_hooks.post_worker_init(worker=None)
        warming = [t for t in threading.enumerate() if t.name == "warm-indexes"]
        assert warming
        for thread in warming:
            thread.join(60)
        assert set(matching._cache) == set(matching.SOURCES)
        index = matching._cache["projects"][1]
        assert [doc.id for doc in index.documents] == [str(project.pk)]
        matching._cache.clear()
