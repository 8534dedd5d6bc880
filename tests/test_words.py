"""One source of the words for a dossier's status: schemas/words.json, read by the server and copied
into the app. A status named any other way, on any screen or in any file, fails here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from motcua import words
from motcua.dashboard.exports import _status as export_status
from motcua.dossiers.lifecycle import STATUS_WORDS, STATUSES
from motcua.resources import resource_dir

SCHEMAS, PWA = resource_dir("schemas"), resource_dir("pwa")
BACKEND = Path(words.__file__).resolve().parent
CATALOGUE = json.loads((SCHEMAS / words.WORDS_FILE).read_text(encoding="utf-8"))

# Names a status went by before the one-stop terms (issue 14), or that read as another status:
# "Đã nhận" (submitted) beside "Đã tiếp nhận" (accepted) read as synonyms. Matched as whole
# names (quoted, or a page's text between tags); the ``anywhere`` ones also inside sentences.
RETIRED = {
    "incomplete": ["Chưa đủ tệp", "Đang chờ đủ ảnh", "Attachments missing", "Waiting for photos"],
    "received": ["Đã nhận", "Xã đã nhận", "Received", "Received by the commune"],
    "in_progress": ["In progress"],
    "needs_supplement": ["Needs supplement", "Needs more papers"],
    "ready": ["Đã có kết quả"],
    "delivered": ["Delivered"],
    "rejected": ["Bị từ chối", "Rejected"],
    "withdrawn": ["Đã rút"],
}
RETIRED_ANYWHERE = ["Chưa đủ tệp", "Đang chờ đủ ảnh", "Xã đã nhận", "Đã có kết quả", "Bị từ chối"]
# The catalogue's names may stand alone only in the catalogue and the app's copy of it; a sentence
# may hold a name ("Có kết quả, mời bà đến nhận…"). A desk button says the move, a verb, which
# may be the status's own words: "Rút hồ sơ" is both the act and the one-stop term for its result.
CATALOGUE_HOMES = {SCHEMAS / words.WORDS_FILE, PWA / "js" / words.JS_FILE}
MOVE_BUTTON = re.compile(r'^\s*"move_\w+": \(')


def _sources() -> list[Path]:
    """Every file that shows words to someone: the server's code, templates and static files, the app."""
    found = [
        path
        for root, suffixes in ((BACKEND, {".py", ".html", ".js"}), (PWA, {".js", ".html", ".webmanifest"}))
        for path in sorted(root.rglob("*"))
        if path.suffix in suffixes and "__pycache__" not in path.parts
    ]
    assert len(found) > 100, "the scan found too few files to mean anything"
    return found


def _standing_alone(name: str) -> re.Pattern[str]:
    """``name`` as a whole string literal or a whole text node, not a part of a longer text."""
    return re.compile(rf"""(?:(?<=["'`>])|(?<=>\s)){re.escape(name)}(?=\s?["'`<])""")


def test_the_apps_copy_of_the_words_is_what_the_generator_writes() -> None:
    """Fails after an edit of schemas/words.json until `python -m motcua.words` is run and
    pwa/js/words.js committed."""
    assert (PWA / "js" / words.JS_FILE).read_text(encoding="utf-8") == words.words_js(SCHEMAS)


def test_the_generator_writes_the_file_it_is_compared_with(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    written = words.write_words_js(SCHEMAS, tmp_path)
    assert written == tmp_path / "js" / words.JS_FILE
    assert written.read_text(encoding="utf-8") == (PWA / "js" / words.JS_FILE).read_text(encoding="utf-8")


def test_the_catalogue_names_each_status_of_the_lifecycle_once_in_both_languages() -> None:
    status = CATALOGUE["status"]
    assert list(status) == list(STATUSES)
    for language in ("vi", "en"):
        names = [said[language] for said in status.values()]
        assert len(set(names)) == len(names), f"two statuses share a {language} name"
    for said in (*status.values(), *CATALOGUE["deadline"].values()):
        assert set(said) == {"vi", "en"}
        assert said["vi"].strip()
        assert said["en"].strip()
        assert said["vi"] != said["en"]
    # The one-stop terms (../shared/facts/one-stop.md, issue 14), word for word.
    assert [status[s]["vi"] for s in STATUSES[1:]] == [
        "Chờ tiếp nhận",
        "Đã tiếp nhận",
        "Đang giải quyết",
        "Cần bổ sung",
        "Có kết quả",
        "Đã trả kết quả",
        "Từ chối",
        "Rút hồ sơ",
    ]
    assert CATALOGUE["deadline"]["overdue"]["vi"] == "Quá hạn"


def test_the_server_takes_every_status_name_from_the_catalogue() -> None:
    for status, said in CATALOGUE["status"].items():
        assert STATUS_WORDS[status] == (said["vi"], said["en"])
        assert words.STATUS[status] == words.Said(said["vi"], said["en"])
        assert words.status_name(status) == said["vi"]
        assert words.status_name(status, "en") == said["en"]
        assert export_status(status, "vi") == said["vi"]
        assert export_status(status, "en") == said["en"]
    for key, said in CATALOGUE["deadline"].items():
        assert words.DEADLINE[key] == words.Said(said["vi"], said["en"])


def test_no_retired_name_of_a_status_is_left_anywhere() -> None:
    found = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for status, names in RETIRED.items():
            for name in names:
                pattern = re.compile(re.escape(name), re.IGNORECASE) if name in RETIRED_ANYWHERE else None
                for match in (pattern or _standing_alone(name)).finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{path.relative_to(BACKEND.parent.parent)}:{line}: {name!r} ({status})")
    assert not found, "a status still goes by an old name:\n" + "\n".join(found)


def test_no_status_name_is_written_out_beside_the_catalogue() -> None:
    names = {
        said[language]: f"{section}.{key}"
        for section in ("status", "deadline")
        for key, said in CATALOGUE[section].items()
        for language in ("vi", "en")
    }
    found = []
    for path in _sources():
        if path in CATALOGUE_HOMES:
            continue
        text = path.read_text(encoding="utf-8")
        for name, key in names.items():
            for match in _standing_alone(name).finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                if path.name == "i18n.py" and MOVE_BUTTON.match(text.splitlines()[line - 1]):
                    continue
                found.append(f"{path.relative_to(BACKEND.parent.parent)}:{line}: {name!r} ({key})")
    assert not found, "a status name written out instead of read from the catalogue:\n" + "\n".join(found)


@pytest.mark.parametrize("status", STATUSES)
def test_what_the_resident_reads_agrees_with_the_status_name(status: str) -> None:
    """The status page's sentence and every push for it: no retired name, and "received" never says
    the commune has it as if accepted."""
    for sex in ("female", "male", None):
        said = words.status_sentence(status, sex=sex, commune_name="Xã Buôn Đôn")
        for text in (said.vi, said.en):
            for name in RETIRED_ANYWHERE:
                assert name.lower() not in text.lower(), (status, text)
    received = words.status_sentence("received", sex="female", commune_name="Xã Buôn Đôn")
    assert "chờ cán bộ tiếp nhận" in received.vi
    assert "waiting to be accepted" in received.en
