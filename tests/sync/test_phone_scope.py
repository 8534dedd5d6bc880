"""Least data on each phone (docs/privacy.md): own work and the routes' villages around their day,
ethnicity and signatures only for one's own tasks, older records sent when a village opens,
a drop when it closes, and nothing of another commune."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from motcua.accounts.models import User
from motcua.accounts.recent import RECENT
from motcua.accounts.sessions import revoke_sessions
from motcua.campaigns.models import Route
from motcua.residents.models import Resident
from motcua.rounds.service import today
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_B, execute, in_db, rows
from tests.routes.conftest import user_id
from tests.sync.conftest import Field, add_village, on_route
from tests.sync.phone import Phone

PRIVACY = Path(__file__).parents[2] / "docs" / "privacy.md"


def _privacy_table() -> dict[tuple[str, str], tuple[bool, bool]]:
    """(kind, field) → (sent for one's own task, sent for a route's village), from docs/privacy.md."""
    table = {}
    for line in PRIVACY.read_text(encoding="utf-8").splitlines():
        if found := re.match(r"\| (resident|consent|checklist) \| `(\w+)` \| (yes|no) \| (yes|no) \|", line):
            kind, name, own, route = found.groups()
            table[(kind, name)] = (own == "yes", route == "yes")
    return table


def _seq(cursor: str) -> int:
    """The change-log position of an opaque cursor ("<epoch>.<seq>", docs/sync.md)."""
    return int(cursor.rpartition(".")[2])


def _pull(field: Field, headers: dict[str, str], cursor: str) -> tuple[list[dict[str, Any]], list[str], str]:
    """Every page after ``cursor``: the changes, the residents to drop, the last cursor; and
    that the cursor never went back (the older records of a new village come without it)."""
    changes: list[dict[str, Any]] = []
    drop: list[str] = []
    while True:
        answer = field.client.get("/api/sync/pull", params={"cursor": cursor}, headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert _seq(page["cursor"]) >= _seq(cursor)
        changes += page["changes"]
        drop += page["drop"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes, drop, cursor


def _residents(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c["body"] for c in changes if c["kind"] == "resident"}


def test_a_phone_receives_its_work_only_as_docs_privacy_md_says(field: Field, settings: Settings) -> None:
    village_a2 = add_village(settings, COMMUNE_A, "Thôn Hai")
    at_a, at_a2 = Phone("AA2", field.village_a), Phone("AA2", village_a2)
    mine = Phone("AA1", village_a2)
    sensitive = {"phone": "0912345678", "interpreter_language": "Ê Đê", "ethnicity": "Ê Đê"}
    # A colleague registers a resident of village A (with a consent and a tick) and one of A2.
    neighbour = at_a.resident(1, **sensitive)
    neighbour_ethnicity = at_a.consent(neighbour, "ethnicity")
    tick = at_a.checklist(neighbour)
    field.push(field.volunteer_a2, neighbour, neighbour_ethnicity, tick, at_a2.resident(2))
    # The volunteer registers one of their own in A2, no route needed.
    own = mine.resident(3, **sensitive)
    own_consent = mine.consent(own, "ethnicity")
    field.push(field.volunteer_a1, own, own_consent)

    changes, drop, cursor = _pull(field, field.volunteer_a1, "0")
    assert set(_residents(changes)) == {own["id"]}
    assert drop == []

    # A route through village A today: the next pull sends its older records, cursor unchanged.
    route = on_route(settings, COMMUNE_A, [field.village_a], ["0971000001"])
    widened, drop, cursor = _pull(field, field.volunteer_a1, cursor)
    assert set(_residents(widened)) == {neighbour["id"]}
    assert {c["id"] for c in widened if c["kind"] in ("consent", "checklist")} == {
        neighbour_ethnicity["id"],
        tick["id"],
    }
    assert drop == []

    # Each field reaches the phone as docs/privacy.md's table says, and no other field does.
    table = _privacy_table()
    by_id = {c["id"]: c for c in changes + widened}
    sent = [(own, True), (own_consent, True), (neighbour, False), (neighbour_ethnicity, False), (tick, False)]
    for record, own_task in sent:
        body = by_id[record["id"]]["body"]
        kind = record["kind"]
        assert set(body) == {name for k, name in table if k == kind}, kind
        for name, value in body.items():
            allowed = table[(kind, name)][0 if own_task else 1]
            if not allowed:
                assert value is None, (kind, name)
            elif name in record["body"]:
                assert value == record["body"][name], (kind, name)

    # Editing a neighbour whose ethnicity the phone never saw keeps the stored one.
    edit = at_a.edit({**neighbour, "body": {**neighbour["body"], "ethnicity": None}}, full_name="Y Lan Niê")
    assert field.push(field.volunteer_a1, edit)[0]["outcome"] == "applied"
    assert rows(settings, select(Resident.ethnicity).where(Resident.full_name == "Y Lan Niê")) == ["Ê Đê"]

    # A volunteer of commune B, even on a route of their own, sees nothing of commune A.
    on_route(settings, COMMUNE_B, [field.village_b], ["0971000003"])
    assert _residents(_pull(field, field.volunteer_b, "0")[0]) == {}

    # The route's window ends: the phone is told to drop the village's residents, once.
    execute(settings, update(Route).where(Route.id == route).values(day=today() - timedelta(days=4)))
    _, drop, cursor = _pull(field, field.volunteer_a1, cursor)
    assert drop == [neighbour["id"]]
    assert _pull(field, field.volunteer_a1, cursor)[1] == []
    # From the start again, the phone gets only its own registration.
    assert set(_residents(_pull(field, field.volunteer_a1, "0")[0])) == {own["id"]}

    # A revoked session and a disabled account are told apart, so the phone wipes itself.
    colleague, outsider = (user_id(settings, phone) for phone in ("0971000002", "0971000003"))
    in_db(settings, lambda db: revoke_sessions(db, colleague))
    execute(settings, update(User).where(User.id == outsider).values(is_active=False))
    RECENT.forget_user(outsider)
    for headers, code in ((field.volunteer_a2, "session.revoked"), (field.volunteer_b, "account.disabled")):
        refused = field.client.get("/api/sync/pull", headers=headers)
        assert refused.status_code == 401
        assert refused.json()["code"] == code
        assert refused.json()["message_vi"]
    unknown = field.client.get("/api/sync/pull", headers={"authorization": "Bearer nobody"})
    assert unknown.json()["code"] == "not_signed_in"
