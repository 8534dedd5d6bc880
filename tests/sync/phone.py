"""A volunteer's phone as the tests see it: it writes records offline and pushes them."""

from __future__ import annotations

import hashlib
import json
import os
import random
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from uuid_utils.compat import uuid7

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "procedure_samples"
CONSENT_WORDING = (
    "Tôi đồng ý cho tình nguyện viên ghi thông tin cá nhân của tôi để chuẩn bị hồ sơ "
    "và gửi Ủy ban nhân dân xã."
)


# Valid 12-digit ID numbers: province 066 (Đắk Lắk), century/sex digit, year, 6 random digits.
def personal_id(sex: str, birth: date, serial: int) -> str:
    century = (birth.year // 100) - 19
    digit = century * 2 + (1 if sex == "female" else 0)
    return f"066{digit}{birth.year % 100:02d}{serial % 1_000_000:06d}"


def fake_jpeg(seed: int, size: int = 2048) -> bytes:
    rng = random.Random(seed)
    return b"\xff\xd8\xff\xe0" + bytes(rng.getrandbits(8) for _ in range(size)) + b"\xff\xd9"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sample_form(code: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{code}.json").read_text("utf-8"))["valid"]
    return data


@dataclass
class Phone:
    """Records written offline; each is frozen when made, as on the real phone."""

    prefix: str
    village_id: UUID
    written_at: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(hours=1))
    counter: int = 0
    attachments: dict[str, bytes] = field(default_factory=dict)

    def record(
        self, kind: str, body: dict[str, Any], record_id: UUID | None = None, revision: int = 1
    ) -> dict[str, Any]:
        return {
            "kind": kind,
            "id": str(record_id or uuid7()),
            "revision": revision,
            "base_revision": revision - 1 if revision > 1 else None,
            "written_at": self.written_at.isoformat(),
            "body": body,
        }

    def resident(
        self, serial: int, *, name: str = "Nguyễn Thị Lan", sex: str = "female", **extra: Any
    ) -> dict[str, Any]:
        birth = date(1950 + serial % 40, 1 + serial % 12, 1 + serial % 28)
        body = {
            "village_id": str(self.village_id),
            "full_name": f"{name} {serial}",
            "birth_date": birth.isoformat(),
            "sex": sex,
            "personal_id": personal_id(sex, birth, serial),
            "needs": ["elderly"],
            **extra,
        }
        return self.record("resident", body)

    def consent(self, resident: dict[str, Any], purpose: str = "personal_data") -> dict[str, Any]:
        signature = self.attach(fake_jpeg(int(UUID(resident["id"]).int % 1_000_000_007)))
        return self.record(
            "consent",
            {
                "resident_id": resident["id"],
                "purpose": purpose,
                "wording_vi": CONSENT_WORDING,
                "given": True,
                "method": "signature",
                "signature_sha256": signature,
            },
        )

    def checklist(self, resident: dict[str, Any], step: str = "vneid_installed") -> dict[str, Any]:
        return self.record("checklist", {"resident_id": resident["id"], "step": step, "state": "done"})

    def attach(self, data: bytes) -> str:
        digest = sha256(data)
        self.attachments[digest] = data
        return digest

    def dossier(self, resident: dict[str, Any], code: str = "dang-ky-khai-tu") -> dict[str, Any]:
        """A death registration by default: a death notice and both sides of an ID card."""
        self.counter += 1
        seed = zlib.crc32(self.prefix.encode()) % 10_000 * 1000 + self.counter * 10
        papers = []
        if code == "dang-ky-khai-tu":
            papers = [
                {"paper_id": "giay-bao-tu", "photos": [self.attach(fake_jpeg(seed + 1))]},
                {
                    "paper_id": "can-cuoc",
                    "photos": [self.attach(fake_jpeg(seed + 2)), self.attach(fake_jpeg(seed + 3))],
                },
            ]
        body = {
            "resident_id": resident["id"],
            "tracking_code": f"{self.prefix}-{self.counter}",
            "procedure_code": code,
            "procedure_version": 1,
            "form": sample_form(code),
            "papers": papers,
            "signature_sha256": self.attach(fake_jpeg(seed + 4)),
            "receipt_secret_hash": sha256(os.urandom(16)),
        }
        return self.record("dossier", body)

    def edit(self, record: dict[str, Any], **changes: Any) -> dict[str, Any]:
        """A new revision naming its base, as the phone writes an edit."""
        return self.record(
            record["kind"], {**record["body"], **changes}, UUID(record["id"]), record["revision"] + 1
        )
