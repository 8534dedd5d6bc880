"""Schemathesis against a real ``motcua serve`` and its own /schema/openapi.json (issue 12).

The API is called as four users (a stranger with no token, a volunteer, a desk officer, an
admin) with data made from the schema, valid and invalid alike. Every answer must be no
server error, carry a status the schema lists for that operation, and match the schema
given for that status. Bounded: a few examples per operation and mode, no deadline, and a
derandomized search, so a run takes a minute or two and a failure repeats.

    .venv/bin/pytest tests/test_openapi_fuzz.py            # both databases
    MOTCUA_FUZZ_EXAMPLES=50 .venv/bin/pytest tests/test_openapi_fuzz.py   # a longer search
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user
from tests.server import ServerProcess, motcua_env

EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
USERS = {
    "stranger": None,
    "volunteer": ("0972000001", "volunteer"),
    "desk officer": ("0972000002", "desk_officer"),
    "admin": ("0972000003", "admin"),
}
# Signing out would end the run's own session; the stranger still calls it.
SIGNED_IN_SKIPS = {("POST", "/api/auth/logout")}


@dataclass
class Tally:
    calls: int = 0
    server_errors: int = 0
    failures: list[str] = field(default_factory=list)


@pytest.fixture
def server(settings: Settings) -> Iterator[ServerProcess]:
    process = ServerProcess(motcua_env(settings.data_dir, settings.database_url)).start()
    try:
        yield process
    finally:
        process.stop()


def _headers(server: ServerProcess, settings: Settings, user: str) -> dict[str, str]:
    who = USERS[user]
    if who is None:
        return {}
    phone, role = who
    add_user(settings, phone, role, () if role == "admin" else (COMMUNE_A,), name=f"Thử {user}")
    response = httpx.post(
        f"{server.url}/api/auth/login",
        json={"phone": phone, "password": PASSWORD, "device_label": "fuzz"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return {"authorization": f"Bearer {response.json()['token']}"}


def _fuzz(operation: Any, mode: GenerationMode, base_url: str, headers: dict[str, str], tally: Tally) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing example is reported
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        tally.calls += 1
        if response.status_code >= 500:
            tally.server_errors += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    call()


def test_the_api_keeps_to_its_schema_for_every_user(server: ServerProcess, settings: Settings) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    tally = Tally()
    for user in USERS:
        headers = _headers(server, settings, user)
        for operation in operations:
            if headers and (operation.method.upper(), operation.path) in SIGNED_IN_SKIPS:
                continue
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _fuzz(operation, mode, server.url, headers, tally)
                except Unsatisfiable:
                    pass  # nothing to make invalid (an operation without parameters or body)
                except (Exception, BaseExceptionGroup) as failure:  # collect them all, report together
                    tally.failures.append(
                        f"--- as {user}, {operation.label}, {mode.value}:\n{failure}"[:3000]
                    )
    print(f"fuzz: {tally.calls} calls, {tally.server_errors} server errors, {len(tally.failures)} failures")
    assert tally.calls >= len(operations) * len(USERS)
    assert tally.server_errors == 0, "\n".join(tally.failures)
    assert not tally.failures, "\n".join(tally.failures)
