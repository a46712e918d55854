"""Schemathesis against /api/openapi.json, in-process through the WSGI app: every operation, as
every role (bearer tokens) and anonymously, with data that fits the schema and data that does not,
on ids of real records and on random ones. No request may end in a server error (5xx)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.core.test_permission_matrix import API_IDS, API_MORE_IDS, ROLES, build

schemathesis = pytest.importorskip("schemathesis")

# Examples per operation (roles and generation modes are drawn inside them); raise it locally
# for a longer hunt: INNOBRIDGE_FUZZ_EXAMPLES=200 .venv/bin/pytest tests/api/test_fuzz.py
EXAMPLES = int(os.environ.get("INNOBRIDGE_FUZZ_EXAMPLES", "12"))


@pytest.mark.django_db
def test_no_api_operation_answers_with_a_server_error(tmp_path: Any) -> None:
    # Like Django's test client: requests must not close the test's connection (and with it the
    # test transaction on PostgreSQL) when they finish.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with override_settings(MEDIA_ROOT=tmp_path / "media"):
            failures = run_all(tmp_path)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert not failures, "\n".join(failures[:20])


def run_all(tmp_path: Any) -> list[str]:
    from schemathesis.generation.modes import GenerationMode

    world = build()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    failures: list[str] = []
    for operation in operations:
        failures += fuzz(operation, world, GenerationMode)
    return failures


def fuzz(operation: Any, world: Any, modes: Any) -> list[str]:
    names = [p.name for p in operation.path_parameters]
    real_ids = {
        name: st.sampled_from(
            [world.ids[API_IDS[name]], *(world.ids[k] for k in API_MORE_IDS.get(name, ()))]
        )  # fmt: skip
        for name in names
        if name in API_IDS
    }
    strategies = [
        operation.as_strategy(generation_mode=modes.POSITIVE),
        operation.as_strategy(generation_mode=modes.NEGATIVE),
    ]
    if real_ids:
        fixed = st.fixed_dictionaries(real_ids)
        strategies += [
            fixed.flatmap(
                lambda ids: operation.as_strategy(
                    generation_mode=modes.POSITIVE, path_parameters=ids
                )
            ),  # fmt: skip
            fixed.flatmap(
                lambda ids: operation.as_strategy(
                    generation_mode=modes.NEGATIVE, path_parameters=ids
                )
            ),  # fmt: skip
        ]
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies), role=st.sampled_from(ROLES))
    def check(case: Any, role: str) -> None:
        headers = {} if role == "anonymous" else {"Authorization": f"Bearer {world.tokens[role]}"}
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            failures.append(
                f"{operation.method.upper()} {operation.path} as {role}: {response.status_code} "
                f"for {case.as_curl_command(headers=headers)}"
            )

    check()
    return failures
