"""A resident's data exported: the person, consents, ticks, dossiers with their history, and who
read them; by the desk of their commune (the API and the CLI), and the export is audited."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import select

from motcua.audit.models import AuditEvent
from motcua.settings import Settings
from tests.conftest import rows
from tests.privacy.conftest import finish, synced_person
from tests.sync.conftest import Field
from tests.sync.phone import Phone


def test_the_desk_exports_everything_about_a_resident_and_the_export_is_audited(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    desk_officer_b: dict[str, str],
    settings: Settings,
) -> None:
    resident, dossier = synced_person(field, phone_a1, 31, phone="0912345678")
    finish(field, desk_officer, dossier["id"])
    field.pull_all(field.volunteer_a1)  # the phone that registered them reads them back
    url = f"/api/residents/{resident['id']}/export"
    assert field.client.get(url, headers=desk_officer_b).status_code == 404
    assert field.client.get(url, headers=field.volunteer_a1).status_code == 403

    answer = field.client.get(url, headers=desk_officer)
    assert answer.status_code == 200, answer.text
    assert "attachment" in answer.headers["content-disposition"]
    document = answer.json()
    assert document["resident"]["full_name"] == resident["body"]["full_name"]
    assert document["resident"]["personal_id"] == resident["body"]["personal_id"]
    assert document["resident"]["phone"] == "0912345678"
    assert [c["purpose"] for c in document["consents"]] == ["personal_data"]
    assert [s["step"] for s in document["checklist"]] == ["vneid_installed"]
    [exported] = document["dossiers"]
    assert exported["form"] == dossier["body"]["form"]
    assert [(h["from"], h["to"]) for h in exported["history"]][-1] == ("received", "rejected")
    assert exported["history"][-1]["by"]["full_name"] == "Cán Bộ Một Cửa"
    assert {"sync.pull"} <= {a["action"] for a in document["accesses"]}
    assert all(a["action_vi"] and a["action_en"] for a in document["accesses"])

    # The same from the command line, as the officer; both exports are in the audit trail.
    env = {
        **os.environ,
        "MOTCUA_DATA_DIR": str(settings.data_dir),
        "MOTCUA_DATABASE_URL": settings.database_url,
    }
    command = [
        sys.executable,
        "-m",
        "motcua.cli",
        "residents",
        "export",
        resident["id"],
        "--by",
        "0961000001",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["resident"]["id"] == resident["id"]
    exports = rows(settings, select(AuditEvent).where(AuditEvent.action == "privacy.export"))
    assert len(exports) == 2
    assert all(e.resident_ids == [resident["id"]] for e in exports)
