"""The built wheel carries the PWA, the schemas, the templates and the migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_pwa_schemas_templates_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("motcua-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "motcua/pwa/index.html" in names
    assert "motcua/pwa/sw.js" in names
    assert any(name.startswith("motcua/schemas/") for name in names)
    assert "motcua/templates/login.html" in names
    assert "motcua/static/site.css" in names
    assert any(name.startswith("motcua/db/migrations/versions/0001") for name in names)
    assert not any("tests/" in name for name in names)
