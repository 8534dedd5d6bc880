"""The restore drill of docs/operations.md, on SQLite and PostgreSQL: back up, keep working,
restore the older backup, and let the phones mend what the server lost — nothing lost,
nothing doubled — while a phone whose cursor is newer than the backup is told to start over."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import func, select

from motcua.app import create_app
from motcua.db.backup import backup, restore
from motcua.records.models import SyncRecord
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, add_user, bearer, in_db
from tests.sync.conftest import add_village, on_route
from tests.sync.phone import Phone


def _push(client: TestClient[Any], headers: dict[str, str], *records: dict[str, Any]) -> list[str]:
    answer = client.post("/api/sync/push", json={"records": list(records)}, headers=headers)
    assert answer.status_code == 200, answer.text
    return [outcome["outcome"] for outcome in answer.json()["outcomes"]]


def _pull(client: TestClient[Any], headers: dict[str, str], cursor: str) -> tuple[list[str], str]:
    """Every resident id after ``cursor``, and the cursor to keep."""
    ids: list[str] = []
    while True:
        answer = client.get("/api/sync/pull", params={"cursor": cursor, "limit": 2}, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        ids += [change["id"] for change in body["changes"] if change["kind"] == "resident"]
        cursor = body["cursor"]
        if not body["more"]:
            return ids, cursor


def _resent(client: TestClient[Any], headers: dict[str, str], sent: list[dict[str, Any]]) -> list[str]:
    """What a phone does after every sync (docs/sync.md §5): ask, and send again what is missing."""
    answer = client.post("/api/sync/holdings", json={"ids": [r["id"] for r in sent]}, headers=headers)
    assert answer.status_code == 200, answer.text
    missing = set(answer.json()["missing"])
    again = [r for r in sent if r["id"] in missing]
    if again:
        assert set(_push(client, headers, *again)) == {"applied"}
    return [r["id"] for r in again]


def test_restore_drill(settings: Settings, tmp_path: Path) -> None:
    village = add_village(settings, COMMUNE_A, "Buôn Drill")
    add_user(settings, "0971000001", "volunteer", (COMMUNE_A,))
    add_user(settings, "0971000002", "volunteer", (COMMUNE_A,))
    on_route(settings, COMMUNE_A, [village], ["0971000002"])  # the other phone receives the village
    writer = Phone("DR1", village)
    first = writer.resident(1)
    consent = writer.consent(first)
    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        a, b = bearer(client, "0971000001"), bearer(client, "0971000002")
        assert _push(client, a, first, consent) == ["applied", "applied"]
        signature = consent["body"]["signature_sha256"]
        uploaded = client.put(
            f"/api/attachments/{signature}", content=writer.attachments[signature], headers=a
        )
        assert uploaded.status_code == 200, uploaded.text
        seen, cursor = _pull(client, b, "0")
        assert seen == [first["id"]]

        archive = tmp_path / "before.tar"
        manifest = backup(settings, archive)

        # Work goes on after the backup: a second resident, pulled by the other phone.
        second = writer.resident(2)
        assert _push(client, a, second) == ["applied"]
        seen, cursor_after = _pull(client, b, cursor)
        assert seen == [second["id"]]
        assert _pull(client, b, cursor_after)[0] == []  # the same epoch goes on from there

    with tarfile.open(archive) as opened:
        assert f"attachments/{signature[:2]}/{signature}" in opened.getnames()
    assert manifest.database == ("sqlite" if settings.is_sqlite else "postgresql")

    # The disaster: the database is back to the backup (servers stopped, then started again).
    _, epoch = restore(settings, archive, force=True)
    assert epoch != manifest.epoch
    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        # Signed-in phones stay signed in: their sessions and the keys are in the backup.
        a = bearer(client, "0971000001")
        # The writing phone checks its holdings: the second resident is missing, it sends it
        # again; the first is held and is not sent twice. Then it writes a third.
        assert _resent(client, a, [first, consent, second]) == [second["id"]]
        assert _resent(client, a, [first, consent, second]) == []
        third = writer.resident(3)
        assert _push(client, a, third, second) == ["applied", "duplicate"]

        # The reading phone's cursor is from before the restore: told to start over, never
        # silently given a page that skips what the log now holds under the same numbers.
        stale = client.get("/api/sync/pull", params={"cursor": cursor_after}, headers=b)
        assert stale.status_code == 409, stale.text
        assert stale.json()["code"] == "sync.start_over"
        assert client.get("/api/sync/pull", params={"cursor": cursor}, headers=b).status_code == 409
        # A phone from before epochs (a bare number) is told too once it is ahead of the log.
        assert client.get("/api/sync/pull", params={"cursor": "9" * 18}, headers=b).status_code == 409
        seen, _ = _pull(client, b, "0")
        assert sorted(seen) == sorted([first["id"], second["id"], third["id"]])

    async def residents(db: Any) -> int | None:
        return await db.scalar(
            select(func.count()).select_from(SyncRecord).where(SyncRecord.kind == "resident")
        )

    assert in_db(settings, residents) == 3  # nothing lost, nothing doubled
