"""A PostgreSQL with no connection slot left answers 503 `busy` (send again), never a 500.

Several `motcua serve --workers N` processes each keep a pool; past PostgreSQL's
max_connections it refuses new ones (SQLSTATE 53300, docs/operations.md "Sizing"). Found by
`bench.sync --workers 4` on a 100-connection server: 20 pushes of 836 got 500.
"""

from __future__ import annotations

import dataclasses
import uuid

from litestar import Litestar, get
from litestar.testing import TestClient
from sqlalchemy import make_url
from sqlalchemy.exc import TimeoutError as PoolTimeout

from motcua.app import create_app
from motcua.errors import EXCEPTION_HANDLERS
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user, admin_execute, bearer, run


def test_a_database_out_of_connections_answers_busy(settings: Settings) -> None:
    if settings.is_sqlite:
        return  # one file, no connection slots
    add_user(settings, "0971000001", "volunteer", (COMMUNE_A,))
    role = f"motcua_few_{uuid.uuid4().hex[:8]}"
    # The role's name is made here, not given: no injection.
    drop_connections = f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"  # noqa: S608
    database = make_url(settings.database_url)
    run(admin_execute(f"CREATE ROLE {role} LOGIN"))
    try:
        run(
            admin_execute(
                f'GRANT CONNECT ON DATABASE "{database.database}" TO {role}',
                f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}",
                f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}",
                url=settings.database_url,
            )
        )
        limited = database.set(username=role, password=None).render_as_string(hide_password=False)
        with TestClient(create_app(dataclasses.replace(settings, database_url=limited))) as client:
            headers = bearer(client, "0971000001", PASSWORD)
            assert client.get("/api/sync/pull", headers=headers).status_code == 200
            # Now PostgreSQL admits no connection of the role, and drops those it holds.
            run(admin_execute(f"ALTER ROLE {role} CONNECTION LIMIT 0"))
            run(admin_execute(drop_connections))
            answer = client.get("/api/sync/pull", headers=headers)
            assert answer.status_code == 503, answer.text
            assert answer.json()["code"] == "busy"
            assert answer.headers["retry-after"] == "5"
    finally:
        run(admin_execute(drop_connections))
        run(admin_execute(f"DROP OWNED BY {role}", url=settings.database_url))
        run(admin_execute(f"DROP ROLE {role}"))


def test_a_pool_that_stays_empty_answers_busy() -> None:
    """The pool's own timeout (every connection of the process busy for 30 s) is the same
    "nothing was begun" as PostgreSQL refusing one: 503 busy, not 500."""

    @get("/busy")
    async def busy() -> None:
        raise PoolTimeout("QueuePool limit of size 10 overflow 20 reached, connection timed out")

    app = Litestar([busy], exception_handlers=EXCEPTION_HANDLERS)
    with TestClient(app) as client:
        answer = client.get("/busy", headers={"accept": "application/json"})
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "busy"
    assert answer.headers["retry-after"] == "5"
