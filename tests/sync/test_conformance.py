"""An outside client of the sync protocol, written only from docs/sync.md.

Nothing of ``motcua.sync`` is imported: records go out as the exact bytes this client wrote,
content hashes are computed the JavaScript way (docs/sync.md, "Content hash") from what was
sent, and every check reads the server's answers only. ``motcua`` is used for fixtures only
(users, villages). On SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.sync.conftest import Field
from tests.sync.phone import fake_jpeg, sample_form

DOC = Path(__file__).resolve().parents[2] / "docs" / "sync.md"

# What JSON.stringify writes for the control characters that have a short escape.
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)  # everything else raw, as UTF-8 once encoded
    return '"' + "".join(out) + '"'


def canonical(value: Any) -> str:
    """``JSON.stringify`` of ``value`` with the keys of every object sorted (docs/sync.md §2)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise AssertionError("bodies carry no fractional numbers")
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_string(k)}:{canonical(value[k])}" for k in sorted(value)) + "}"
    raise AssertionError(f"not JSON: {value!r}")


def content_hash(envelope: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the envelope as sent, revision 1 / base null if omitted."""
    whole = {"revision": 1, "base_revision": None, **envelope}
    whole["id"] = whole["id"].lower()
    return hashlib.sha256(canonical(whole).encode("utf-8")).hexdigest()


def uuid7() -> str:
    """A UUIDv7 as RFC 9562 makes it: 48 bits of Unix milliseconds, version 7, variant 10."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76
    value = value & ~(0x3 << 62) | 0x2 << 62
    return str(uuid.UUID(int=value))


def js_time(moment: datetime) -> str:
    """``Date.prototype.toISOString``: milliseconds and ``Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def jpeg(seed: int) -> bytes:
    return fake_jpeg(seed + 7_000_000)


@dataclass
class Outside:
    """One phone: a bearer token, its records as it froze them, its photos by hash."""

    http: TestClient[Any]
    headers: dict[str, str]
    village_id: str
    code: str
    counter: int = 0
    files: dict[str, bytes] = field(default_factory=dict)

    def envelope(
        self, kind: str, body: dict[str, Any], record_id: str | None = None, revision: int = 1
    ) -> dict[str, Any]:
        # ".964Z"-style milliseconds: a server that re-renders the time would hash ".964000Z".
        moment = datetime.now(UTC).replace(microsecond=964_000) - timedelta(minutes=30 + self.counter)
        self.counter += 1
        return {
            "kind": kind,
            "id": record_id or uuid7(),
            "revision": revision,
            "base_revision": revision - 1 if revision > 1 else None,
            "written_at": js_time(moment),
            "body": body,
        }

    def resident(self, serial: int, name: str = "Nguyễn Thị Hương", **extra: Any) -> dict[str, Any]:
        # A valid ID number: province 066, 1900s woman (digit 1), born 1948.
        return self.envelope(
            "resident",
            {
                "village_id": self.village_id,
                "full_name": f"{name} {serial}",
                "birth_date": "1948-03-02",
                "sex": "female",
                "personal_id": f"066148{serial:06d}",
                "phone": None,
                "needs": ["elderly", "interpreter"],
                "interpreter_language": "Ê Đê",
                "ethnicity": None,
                **extra,
            },
        )

    def photo(self) -> str:
        self.counter += 1
        data = jpeg(zlib.crc32(self.code.encode()) % 10_000 * 1000 + self.counter)
        digest = hashlib.sha256(data).hexdigest()
        self.files[digest] = data
        return digest

    def dossier(self, resident: dict[str, Any]) -> dict[str, Any]:
        number = self.counter + 1
        body = {
            "resident_id": resident["id"],
            "tracking_code": f"{self.code}-{number}",
            "procedure_code": "dang-ky-khai-tu",
            "procedure_version": 1,
            "form": sample_form("dang-ky-khai-tu"),
            "papers": [
                {"paper_id": "giay-bao-tu", "photos": [self.photo()]},
                {"paper_id": "can-cuoc", "photos": [self.photo(), self.photo()]},
            ],
            "signature_sha256": self.photo(),
            "receipt_secret_hash": hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
        }
        return self.envelope("dossier", body)

    def edit(self, record: dict[str, Any], **changes: Any) -> dict[str, Any]:
        return self.envelope(
            record["kind"], {**record["body"], **changes}, record["id"], record["revision"] + 1
        )

    # --- the wire ---

    def push(self, *records: dict[str, Any]) -> list[dict[str, Any]]:
        sent = json.dumps({"records": list(records)}, ensure_ascii=False).encode("utf-8")
        answer = self.http.post(
            "/api/sync/push",
            content=sent,
            headers={**self.headers, "content-type": "application/json"},
        )
        assert answer.status_code == 200, answer.text
        outcomes: list[dict[str, Any]] = answer.json()["outcomes"]
        assert [(o["id"], o["kind"]) for o in outcomes] == [(r["id"].lower(), r["kind"]) for r in records]
        return outcomes

    def holdings(self, *ids: str) -> dict[str, Any]:
        answer = self.http.post("/api/sync/holdings", json={"ids": list(ids)}, headers=self.headers)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def holding(self, record_id: str) -> dict[str, Any]:
        found: list[dict[str, Any]] = [
            h for h in self.holdings(record_id)["holdings"] if h["id"] == record_id
        ]
        (held,) = found
        return held

    def upload(self, digest: str) -> dict[str, Any]:
        answer = self.http.put(f"/api/attachments/{digest}", content=self.files[digest], headers=self.headers)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def versions(self, record_id: str) -> Any:
        return self.http.get(f"/api/sync/records/{record_id}/versions", headers=self.headers)

    def me(self) -> dict[str, Any]:
        body: dict[str, Any] = self.http.get("/api/me", headers=self.headers).json()
        return body


def _outside(field: Field, headers: dict[str, str], code: str, village: Any = None) -> Outside:
    return Outside(field.client, headers, str(village or field.village_a), code)


@pytest.fixture
def one(field: Field) -> Outside:
    return _outside(field, field.volunteer_a1, "KQ1")


@pytest.fixture
def two(field: Field) -> Outside:
    return _outside(field, field.volunteer_a2, "KQ2")


def _dossier_photos(dossier: dict[str, Any]) -> set[str]:
    body = dossier["body"]
    return {photo for paper in body["papers"] for photo in paper["photos"]} | {body["signature_sha256"]}


# --- the content hash ---


def test_the_worked_example_in_the_doc_is_what_json_stringify_gives() -> None:
    doc = DOC.read_text("utf-8")
    example = doc.split("**Worked example.**", 1)[1]
    envelope = json.loads(re.search(r"```json\n(.*?)\n```", example, re.S).group(1))  # type: ignore[union-attr]
    written = re.search(r"```text\n(.*?)\n```", example, re.S).group(1)  # type: ignore[union-attr]
    stated = re.search(r"content hash `([0-9a-f]{64})`", example).group(1)  # type: ignore[union-attr]
    assert canonical(envelope) == written
    assert "Nguyễn Thị Hương" in written  # raw UTF-8, never \u escapes
    assert content_hash(envelope) == stated
    assert json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == written
    omitted = {k: v for k, v in envelope.items() if k not in ("revision", "base_revision")}
    assert content_hash(omitted) == stated
    node = shutil.which("node")
    if node is None:
        return
    script = (
        "const e=JSON.parse(require('fs').readFileSync(0,'utf8'));"
        "const s=v=>Array.isArray(v)?v.map(s):(v&&typeof v==='object')?"
        "Object.fromEntries(Object.keys(v).sort().map(k=>[k,s(v[k])])):v;"
        "process.stdout.write(JSON.stringify(s({revision:1,base_revision:null,...e})))"
    )
    tricky = {
        **omitted,
        "body": {**envelope["body"], "full_name": 'Y "Sol"\\ Ksor\u00a0Ê\u2028\x7f', "x": "\x01\t"},
    }
    for sample in (omitted, tricky):
        stringified = subprocess.run(
            [node, "-e", script], input=json.dumps(sample), capture_output=True, text=True, check=True
        ).stdout
        assert canonical({"revision": 1, "base_revision": None, **sample}) == stringified


def test_holdings_answer_the_hash_the_client_computed_from_what_it_sent(one: Outside) -> None:
    resident = one.resident(1, name="Trần Thị Ánh Tuyết")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.964Z", resident["written_at"])
    bare = {
        k: v for k, v in one.resident(2, name="H’Hen Niê").items() if k not in ("revision", "base_revision")
    }
    spaced = one.resident(3, name="  Lê   Văn Tám ")  # stored trimmed; hashed as sent
    outcomes = one.push(resident, bare, spaced)
    assert [o["outcome"] for o in outcomes] == ["applied"] * 3
    answer = one.holdings(resident["id"], bare["id"], spaced["id"])
    assert answer["missing"] == []
    hashes = {h["id"]: h["content_hash"] for h in answer["holdings"]}
    assert hashes == {r["id"]: content_hash(r) for r in (resident, bare, spaced)}
    assert {h["state"] for h in answer["holdings"]} == {"applied"}


def test_an_id_in_upper_case_is_hashed_in_lower_case(one: Outside) -> None:
    resident = one.resident(4)
    shouted = {**resident, "id": resident["id"].upper()}
    assert one.push(shouted)[0]["outcome"] == "applied"
    assert one.holding(resident["id"])["content_hash"] == content_hash(resident)


# --- ids ---


def test_an_id_that_is_not_a_uuid_v7_is_refused_and_the_rest_goes_on(one: Outside) -> None:
    resident = one.resident(5)
    v4 = one.resident(6)
    v4["id"] = str(uuid.uuid4())
    tick = one.envelope(
        "checklist", {"resident_id": resident["id"], "step": "vneid_installed", "state": "done"}
    )
    tick["id"] = str(uuid.uuid4())
    outcomes = one.push(resident, v4, tick)
    assert [o["outcome"] for o in outcomes] == ["applied", "rejected", "rejected"]
    assert [o["reason"]["code"] for o in outcomes[1:]] == ["record.id_not_v7"] * 2
    assert one.holding(v4["id"])["state"] == "rejected"  # quarantined, never applied


# --- exactly once ---


def test_a_batch_whose_answer_was_lost_is_sent_again_and_comes_back_as_duplicates(one: Outside) -> None:
    resident = one.resident(7)
    consent = one.envelope(
        "consent",
        {
            "resident_id": resident["id"],
            "purpose": "personal_data",
            "wording_vi": "Tôi đồng ý cho tình nguyện viên ghi thông tin cá nhân của tôi.",
            "given": True,
            "method": "tick",
            "signature_sha256": None,
        },
    )
    tick = one.envelope(
        "checklist",
        {
            "resident_id": resident["id"],
            "step": "vneid_level2",
            "state": "follow_up",
            "note": "Hẹn công an xã sáng thứ Ba",
            "appointment_on": None,
        },
    )
    dossier = one.dossier(resident)
    batch = [dossier, tick, consent, resident]
    one.push(*batch)  # the answer is lost on the way back: the phone knows nothing
    again = one.push(*batch)
    assert [o["outcome"] for o in again] == ["duplicate"] * 4
    assert sorted(again[0]["missing_attachments"]) == sorted(_dossier_photos(dossier))
    for outcome in again[1:]:
        assert "missing_attachments" not in outcome
    answer = one.holdings(*(r["id"] for r in batch))
    assert answer["missing"] == []
    assert {h["id"]: (h["state"], h["content_hash"]) for h in answer["holdings"]} == {
        r["id"]: ("applied", content_hash(r)) for r in batch
    }


def test_missing_attachments_is_on_every_applied_or_duplicate_dossier_and_empty_when_complete(
    one: Outside,
) -> None:
    resident = one.resident(8)
    dossier = one.dossier(resident)
    first = one.push(resident, dossier)
    assert "missing_attachments" not in first[0]
    assert sorted(first[1]["missing_attachments"]) == sorted(_dossier_photos(dossier))
    answers = [one.upload(digest) for digest in sorted(_dossier_photos(dossier))]
    assert answers[-1]["dossiers"] == [{"id": dossier["id"], "status": "received", "missing_attachments": []}]
    again = one.push(dossier)[0]
    assert again["outcome"] == "duplicate"
    assert again["missing_attachments"] == []  # present, and empty: nothing to upload
    edit = one.edit(dossier, receipt_secret_hash=hashlib.sha256(b"another secret").hexdigest())
    edited = one.push(edit)[0]
    assert (edited["outcome"], edited["server_revision"], edited["missing_attachments"]) == ("applied", 2, [])
    assert one.holding(dossier["id"])["missing_attachments"] == []
    refused = one.dossier(resident)
    refused["body"]["tracking_code"] = dossier["body"]["tracking_code"]  # taken
    held = one.dossier(one.resident(9))
    out = one.push(refused, held)
    assert [o["outcome"] for o in out] == ["rejected", "held"]
    assert all("missing_attachments" not in o for o in out)


def test_a_dossier_held_for_its_resident_tells_what_to_upload_through_holdings(one: Outside) -> None:
    resident = one.resident(10)
    dossier = one.dossier(resident)
    (held,) = one.push(dossier)
    assert held["outcome"] == "held"
    assert "missing_attachments" not in held
    assert one.holding(dossier["id"])["state"] == "held"
    assert one.push(resident)[0]["outcome"] == "applied"  # releases the dossier
    holding = one.holding(dossier["id"])
    assert holding["state"] == "applied"
    assert holding["content_hash"] == content_hash(dossier)
    assert sorted(holding["missing_attachments"]) == sorted(_dossier_photos(dossier))
    for digest in holding["missing_attachments"]:
        one.upload(digest)
    assert one.holding(dossier["id"])["missing_attachments"] == []
    assert "missing_attachments" not in one.holding(resident["id"])


# --- conflicts, and both versions ---


def test_two_edits_of_one_base_one_applied_one_conflict_and_both_versions_readable(
    field: Field, one: Outside, two: Outside
) -> None:
    resident = one.resident(11)
    one.push(resident)
    mine = one.edit(resident, full_name="Nguyễn Thị Hương Lan")
    theirs = two.edit(resident, needs=["elderly", "low_vision"])
    applied = one.push(mine)[0]
    lost = two.push(theirs)[0]
    assert (applied["outcome"], applied["server_revision"]) == ("applied", 2)
    assert (lost["outcome"], lost["server_revision"], lost["reason"]["code"]) == (
        "conflict",
        2,
        "revision.stale_base",
    )
    assert two.push(theirs)[0]["outcome"] == "conflict"  # again: never a duplicate

    answer = one.versions(resident["id"])
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert (seen["id"], seen["kind"], seen["server_revision"]) == (resident["id"], "resident", 2)
    me, other = one.me(), two.me()
    expected = [(resident, "applied", me), (mine, "applied", me), (theirs, "conflict", other)]
    assert len(seen["versions"]) == 3
    for version, (record, state, sender) in zip(seen["versions"], expected, strict=True):
        assert version["state"] == state
        assert (version["revision"], version["base_revision"]) == (
            record["revision"],
            record["base_revision"],
        )
        assert version["content_hash"] == content_hash(record)
        assert version["written_at"] == record["written_at"]
        assert version["body"] == record["body"]
        assert version["sent_by"] == {"id": sender["id"], "full_name": sender["full_name"]}
        assert datetime.fromisoformat(version["received_at"]).tzinfo is not None
    received = [datetime.fromisoformat(v["received_at"]) for v in seen["versions"]]
    assert received == sorted(received)  # oldest first


def test_the_same_tick_id_with_other_content_is_a_conflict(one: Outside, two: Outside) -> None:
    resident = one.resident(12)
    tick = one.envelope("checklist", {"resident_id": resident["id"], "step": "portal_login", "state": "done"})
    other = {**tick, "body": {**tick["body"], "state": "not_applicable"}}
    assert [o["outcome"] for o in one.push(resident, tick)] == ["applied", "applied"]
    clash = two.push(other)[0]
    assert (clash["outcome"], clash["reason"]["code"]) == ("conflict", "revision.conflict")
    assert one.push(tick)[0]["outcome"] == "duplicate"
    states = [v["state"] for v in one.versions(tick["id"]).json()["versions"]]
    assert states == ["applied", "conflict"]


def test_versions_of_an_unknown_record_or_one_outside_the_users_places(field: Field, one: Outside) -> None:
    unknown = one.versions(uuid7())
    assert (unknown.status_code, unknown.json()["code"]) == (404, "record.unknown")
    resident = one.resident(13)
    one.push(resident)
    stranger = _outside(field, field.volunteer_b, "KQ3", field.village_b)
    outside = stranger.versions(resident["id"])
    assert (outside.status_code, outside.json()["code"]) == (404, "record.unknown")
    assert resident["body"]["full_name"] not in outside.text
    assert one.versions(resident["id"]).status_code == 200
    unsigned = one.http.get(f"/api/sync/records/{resident['id']}/versions")
    assert unsigned.status_code == 401
