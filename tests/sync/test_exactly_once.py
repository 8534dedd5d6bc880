"""Property: whatever the link does — batches duplicated, reordered, dropped, answered or lost —
the server ends with exactly the distinct records the phones wrote. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db.models import metadata
from motcua.dossiers.models import Dossier
from motcua.records.models import RecordRevision, RefusedRecord
from motcua.residents.models import Consent, Resident, ResidentMerge
from motcua.settings import Settings
from tests.conftest import in_db, rows
from tests.sync.conftest import Field
from tests.sync.phone import Phone

# Kept between examples: places, accounts and their sessions, villages, the catalogue.
_KEEP = {"province", "commune", "user_account", "user_commune", "user_province", "auth_session", "village"}
_KEEP |= {"procedure_version", "login_attempt"}


async def _forget_field_records(db: AsyncSession) -> None:
    for table in reversed(metadata.sorted_tables):
        if table.name not in _KEEP:
            await db.execute(delete(table))


# One delivery attempt: which phone, which of its records (by index, repeats allowed, in this
# order), and what the link does: deliver and answer, deliver but lose the answer, or drop it.
attempt = st.tuples(
    st.integers(min_value=0, max_value=1),
    st.lists(st.integers(min_value=0, max_value=99), min_size=1, max_size=8),
    st.sampled_from(["answered", "answer_lost", "dropped"]),
)


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(
    people=st.integers(min_value=1, max_value=4),
    shared=st.integers(min_value=0, max_value=2),
    attempts=st.lists(attempt, max_size=12),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_any_interleaving_of_retries_ends_with_exactly_the_distinct_records(
    field: Field, settings: Settings, people: int, shared: int, attempts: list[Any], seed: int
) -> None:
    in_db(settings, _forget_field_records)
    phones = [Phone(f"P{seed % 997}A", field.village_a), Phone(f"P{seed % 997}B", field.village_a)]
    tokens = [field.volunteer_a1, field.volunteer_a2]
    queues: list[list[dict[str, Any]]] = [[], []]
    for index, phone in enumerate(phones):
        for serial in range(people):
            # The first ``shared`` people are registered by both volunteers: they must merge.
            number = serial if serial < shared else 1000 * (index + 1) + serial
            resident = phone.resident(number)
            queues[index] += [resident, phone.consent(resident), phone.dossier(resident)]

    rng = random.Random(seed)
    for phone_index, picks, link in attempts:
        queue = queues[phone_index]
        batch = [queue[pick % len(queue)] for pick in picks]
        rng.shuffle(batch)
        if link != "dropped":
            response = field.client.post(
                "/api/sync/push", json={"records": batch}, headers=tokens[phone_index]
            )
            assert response.status_code == 200
            if link == "answered":
                assert {o["outcome"] for o in response.json()["outcomes"]} <= {"applied", "duplicate", "held"}

    # In the end each phone sends its whole queue, as it does until every record is on the server.
    for index, queue in enumerate(queues):
        final = field.client.post("/api/sync/push", json={"records": queue}, headers=tokens[index]).json()
        assert {o["outcome"] for o in final["outcomes"]} <= {"applied", "duplicate"}, final

    distinct_people = 2 * people - min(shared, people)
    assert rows(settings, select(func.count()).select_from(Resident)) == [distinct_people]
    assert rows(settings, select(func.count()).select_from(ResidentMerge)) == [min(shared, people)]
    assert rows(settings, select(func.count()).select_from(Consent)) == [2 * people]
    assert rows(settings, select(func.count()).select_from(Dossier)) == [2 * people]
    assert rows(settings, select(func.count()).select_from(RefusedRecord)) == [0]
    applied = rows(settings, select(RecordRevision.record_id).where(RecordRevision.state == "applied"))
    sent = sorted(record["id"] for queue in queues for record in queue)
    assert sorted(map(str, applied)) == sent
