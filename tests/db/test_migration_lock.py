"""Replicas that all run `motcua db upgrade` as they start: one migrates, none fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue.models import ProcedureVersion
from motcua.db.migrate import alembic_config
from motcua.places.models import Commune
from tests.conftest import _postgres_database, in_db, make_settings

REPLICAS = 5


def test_five_replicas_upgrading_a_fresh_postgresql_at_once_migrate_it_once(tmp_path: Path) -> None:
    for url in _postgres_database():
        env = {**os.environ, "MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_DATABASE_URL": url}
        replicas = [
            subprocess.Popen(
                [sys.executable, "-m", "motcua.cli", "db", "upgrade"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(REPLICAS)
        ]
        answers = [replica.communicate(timeout=600) for replica in replicas]
        for replica, (_, stderr) in zip(replicas, answers, strict=True):
            assert replica.returncode == 0, stderr
        settings = make_settings(tmp_path, url)
        head = ScriptDirectory.from_config(alembic_config(settings)).get_current_head()

        async def state(db: AsyncSession) -> tuple[list[str], int | None, int | None]:
            versions = list((await db.execute(text("SELECT version_num FROM alembic_version"))).scalars())
            communes = await db.scalar(select(func.count()).select_from(Commune))
            procedures = await db.scalar(select(func.count()).select_from(ProcedureVersion))
            return versions, communes, procedures

        versions, communes, procedures = in_db(settings, state)
        assert versions == [head]
        assert communes == 3321
        # Each replica published the catalogue in its turn: the first made it, the rest found it.
        new = [line for out, _ in answers for line in out.splitlines() if line.startswith("catalogue:")]
        assert sum(not line.startswith("catalogue: 0 new") for line in new) == 1
        assert procedures
