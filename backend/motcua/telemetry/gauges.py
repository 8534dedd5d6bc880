"""Figures read from the database at each scrape: they are the same whichever process answers."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db.base import utcnow
from motcua.dossiers.lifecycle import RESULT_OWED
from motcua.dossiers.models import Dossier
from motcua.privacy.retention import retention_backlog
from motcua.push.heartbeat import worker_state
from motcua.push.models import OUTBOX_STATES, PushOutbox
from motcua.records.models import HeldRecord, RefusedRecord
from motcua.settings import Settings

SYNC_KINDS = ("resident", "consent", "checklist", "dossier")


class Figures(Collector):
    """Metric families computed beforehand (the database is async, ``collect`` is not)."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families


async def _by(db: AsyncSession, column: object, *where: object) -> dict[str, int]:
    rows = await db.execute(select(column, func.count()).where(*where).group_by(column))  # type: ignore[call-overload]
    return {str(key): int(count) for key, count in rows.all()}


async def read_figures(db: AsyncSession, settings: Settings) -> Figures:
    now = utcnow()
    held = await _by(db, HeldRecord.kind)
    refused = await _by(db, RefusedRecord.kind)
    outbox = await _by(db, PushOutbox.state)
    overdue = await _by(
        db, Dossier.commune_code, Dossier.deadline_at < now, Dossier.status.not_in(RESULT_OWED)
    )
    worker = await worker_state(db, settings.push_interval_seconds, now)
    backlog = await retention_backlog(db, settings, now)

    held_family = GaugeMetricFamily(
        "motcua_sync_held_records",
        "Records waiting on the server for what they depend on, by kind.",
        labels=["kind"],
    )
    refused_family = GaugeMetricFamily(
        "motcua_sync_refused_records",
        "Records in quarantine (refused, kept for a coordinator), by kind.",
        labels=["kind"],
    )
    for kind in sorted({*SYNC_KINDS, *held, *refused}):
        held_family.add_metric([kind], held.get(kind, 0))
        refused_family.add_metric([kind], refused.get(kind, 0))
    outbox_family = GaugeMetricFamily(
        "motcua_push_outbox",
        "Push notifications in the outbox, by state: pending and sending are the backlog, failed "
        "gave up (kept 90 days).",
        labels=["state"],
    )
    for state in OUTBOX_STATES:
        outbox_family.add_metric([state], outbox.get(state, 0))
    overdue_family = GaugeMetricFamily(
        "motcua_dossiers_overdue",
        "Dossiers past their deadline whose result is not ready, by commune code.",
        labels=["commune"],
    )
    for commune, count in sorted(overdue.items()):
        overdue_family.add_metric([commune], count)
    retention_family = GaugeMetricFamily(
        "motcua_retention_overdue",
        "Past their retention time and not deleted yet: finished dossiers still naming photos, "
        "refused records, earlier revisions. About 0 while the worker runs; growing when not.",
        labels=["what"],
    )
    for what, count in backlog.items():
        retention_family.add_metric([what], count)
    return Figures(
        [
            held_family,
            refused_family,
            outbox_family,
            GaugeMetricFamily(
                "motcua_push_backlog_oldest_seconds",
                "Age of the oldest push notification not yet sent; 0 when none waits.",
                value=worker.backlog_oldest_seconds or 0.0,
            ),
            GaugeMetricFamily(
                "motcua_push_worker_up",
                "1 when a push worker beat recently (/health says alive), else 0.",
                value=1.0 if worker.worker == "alive" else 0.0,
            ),
            overdue_family,
            retention_family,
        ]
    )
