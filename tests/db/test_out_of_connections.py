"""A PostgreSQL with no connection slot left answers 503 `busy` (send again), never a 500.

Several `motcua serve --workers N` processes each keep a pool; past PostgreSQL's
max_connections it refuses new ones (SQLSTATE 53300, docs/operations.md "Sizing"). Found by
`bench.sync --workers 4` on a 100-connection server: 20 pushes of 836 got 500.
"""

from __future__ import annotations

import dataclasses
import uuid

import asyncpg
from litestar.testing import TestClient

from motcua.app import create_app
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user, bearer, run
from tests.conftest import _admin_execute as admin


def _in_test_database(settings: Settings, *statements: str) -> None:
    async def work() -> None:
        connection = await asyncpg.connect(settings.database_url.replace("+asyncpg", "", 1), timeout=5)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    run(work())


def test_a_database_out_of_connections_answers_busy(settings: Settings) -> None:
    if settings.is_sqlite:
        return  # one file, no connection slots
    add_user(settings, "0971000001", "volunteer", (COMMUNE_A,))
    role = f"motcua_few_{uuid.uuid4().hex[:8]}"
    # The role's name is made here, not given: no injection.
    drop_connections = f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"  # noqa: S608
    run(admin(f"CREATE ROLE {role} LOGIN"))
    try:
        _in_test_database(
            settings,
            f'GRANT CONNECT ON DATABASE "{settings.database_url.rsplit("/", 1)[1]}" TO {role}',
            f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}",
            f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}",
        )
        limited = settings.database_url.replace("://postgres@", f"://{role}@", 1)
        with TestClient(create_app(dataclasses.replace(settings, database_url=limited))) as client:
            headers = bearer(client, "0971000001", PASSWORD)
            assert client.get("/api/sync/pull", headers=headers).status_code == 200
            # Now PostgreSQL admits no connection of the role, and drops those it holds.
            run(admin(f"ALTER ROLE {role} CONNECTION LIMIT 0"))
            run(admin(drop_connections))
            answer = client.get("/api/sync/pull", headers=headers)
            assert answer.status_code == 503, answer.text
            assert answer.json()["code"] == "busy"
            assert answer.headers["retry-after"] == "5"
    finally:
        run(admin(drop_connections))
        _in_test_database(settings, f"DROP OWNED BY {role}")
        run(admin(f"DROP ROLE {role}"))
