"""The phone keeps an old dossier while the commune desk still owes something on it: its list of
the statuses the desk is done with (pwa/js/queue.js ``FINISHED_STATUSES``) is the lifecycle's."""

from __future__ import annotations

import json
import re

from motcua.dossiers.lifecycle import FINISHED
from motcua.resources import resource_dir


def test_the_phone_prunes_only_the_dossiers_the_lifecycle_calls_finished() -> None:
    source = (resource_dir("pwa") / "js" / "queue.js").read_text(encoding="utf-8")
    match = re.search(r"FINISHED_STATUSES = Object\.freeze\((\[[^\]]*\])\)", source)
    assert match, "queue.js names the finished statuses in one list"
    assert tuple(json.loads(match.group(1))) == FINISHED
