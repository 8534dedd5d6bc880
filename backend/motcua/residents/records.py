"""Applying resident, consent and checklist records pushed by phones."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from sqlalchemy import select

from motcua.catalogue.validation import field_error
from motcua.catalogue.validators import check_date_not_future, check_mobile_phone, check_personal_id
from motcua.db.base import table_of
from motcua.errors import FieldError
from motcua.residents.models import ChecklistStep, Consent, Resident, ResidentMerge
from motcua.sync.handlers import (
    SHA256_PATTERN,
    Applied,
    Incoming,
    decode_body,
    ensure_in_scope,
    refuse_fields,
    resident_for_child,
)
from motcua.sync.outcomes import Refused

Need = Literal["elderly", "disability", "low_vision", "hard_of_hearing", "interpreter", "bedridden"]
ConsentPurpose = Literal[
    "personal_data", "document_photos", "contact_by_phone", "push_notifications", "ethnicity"
]
ChecklistStepName = Literal[
    "vneid_installed",
    "vneid_level1",
    "vneid_level2",
    "portal_login",
    "sim_standardised",
    "bank_account",
    "first_online_submission",
]
Sha256 = Annotated[str, msgspec.Meta(pattern=SHA256_PATTERN)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
_CONSENTS = table_of(Consent)
_CHECKLIST_STEPS = table_of(ChecklistStep)


class ResidentBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    village_id: UUID
    full_name: Name
    birth_date: date
    sex: Literal["male", "female"]
    personal_id: str | None = None
    phone: str | None = None
    needs: list[Need] = []
    interpreter_language: Annotated[str, msgspec.Meta(max_length=60)] | None = None
    ethnicity: Annotated[str, msgspec.Meta(max_length=60)] | None = None


class ConsentBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    resident_id: UUID
    purpose: ConsentPurpose
    wording_vi: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    given: bool
    method: Literal["signature", "fingerprint", "tick"]
    signature_sha256: Sha256 | None = None


class ChecklistBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A checklist tick. There is deliberately no field for a password, OTP or PIN, and unknown
    fields are refused, so none can ever be stored."""

    resident_id: UUID
    step: ChecklistStepName
    state: Literal["done", "not_applicable", "follow_up"]
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""
    appointment_on: date | None = None


def _check_person(body: ResidentBody, written_on: date) -> tuple[str | None, list[FieldError]]:
    problems = [
        field_error("birth_date", p) for p in check_date_not_future(body.birth_date.isoformat(), written_on)
    ]
    if body.personal_id is not None:
        problems += [
            field_error("personal_id", p)
            for p in check_personal_id(body.personal_id, sex=body.sex, birth_year=body.birth_date.year)
        ]
    phone = None
    if body.phone:
        checked = check_mobile_phone(body.phone)
        if isinstance(checked, str):
            phone = checked
        else:
            problems.append(field_error("phone", checked))
    if "interpreter" in body.needs and not body.interpreter_language:
        problems.append(
            FieldError(
                "interpreter_language",
                "required",
                "Cần ghi ngôn ngữ phiên dịch.",
                "Say which language the interpreter speaks.",
            )
        )
    return phone, problems


async def _ethnicity_consented(incoming: Incoming, resident_id: UUID) -> bool:
    if (str(incoming.record.id), "ethnicity") in incoming.batch_consents:
        return True
    await incoming.writes.settle(incoming.db, _CONSENTS)  # consents of this batch, read below
    given = await incoming.db.scalar(
        select(Consent.given)
        .where(Consent.resident_id == resident_id, Consent.purpose == "ethnicity")
        .order_by(Consent.written_at.desc())
        .limit(1)
    )
    return bool(given)


async def apply_resident(incoming: Incoming) -> Applied:
    body = decode_body(incoming.record, ResidentBody)
    phone, problems = _check_person(body, incoming.written_on)
    refuse_fields(problems)
    village = await incoming.facts.village(body.village_id)
    if village is None:
        raise Refused("village.unknown", "Không có thôn này trên máy chủ.", "The server has no such village.")
    await ensure_in_scope(incoming, village.commune_code)
    record_id = incoming.record.id
    resident = await incoming.facts.resident(record_id)
    # Ethnicity is sensitive: kept only under its own consent, given earlier or in this batch.
    if body.ethnicity and not await _ethnicity_consented(incoming, resident.id if resident else record_id):
        raise Refused(
            "ethnicity.no_consent",
            "Chỉ ghi dân tộc khi người dân đồng ý riêng cho mục này.",
            "Ethnicity is kept only with the resident's own consent for it.",
            [FieldError("ethnicity", "consent.missing", "Chưa có sự đồng ý.", "No consent given.")],
        )
    values = {
        "village_id": village.id,
        "commune_code": village.commune_code,
        "full_name": " ".join(body.full_name.split()),
        "birth_date": body.birth_date,
        "sex": body.sex,
        "personal_id": body.personal_id,
        "phone": phone,
        "needs": sorted(set(body.needs)),
        "interpreter_language": body.interpreter_language,
        "ethnicity": body.ethnicity,
    }
    if resident is None and body.personal_id:
        same_person = await incoming.facts.resident_with_personal_id(body.personal_id)
        if same_person is not None:
            return await _merge(incoming, same_person, values)
    if resident is None:
        if not incoming.is_new:
            raise Refused(
                "record.unknown", "Máy chủ chưa có bản ghi này.", "The server does not hold this record."
            )
        resident = Resident(
            id=record_id,
            registered_by=incoming.principal.user_id,
            written_at=incoming.record.written_at,
            **values,
        )
        incoming.db.add(resident)
    else:
        if body.personal_id and body.personal_id != resident.personal_id:
            other = await incoming.facts.resident_with_personal_id(body.personal_id)
            if other is not None and other.id != resident.id:
                raise Refused(
                    "personal_id.taken",
                    "Số định danh này thuộc một cư dân khác.",
                    "This ID number belongs to another resident.",
                    [
                        FieldError(
                            "personal_id", "personal_id.taken", "Đã có người khác.", "Held by someone else."
                        )
                    ],
                )
        if resident.personal_id and resident.personal_id != body.personal_id:
            incoming.facts.by_personal_id[resident.personal_id] = None
        for key, value in values.items():
            setattr(resident, key, value)
    incoming.facts.added_resident(resident)
    return Applied(commune_code=resident.commune_code, owner_id=resident.registered_by)


async def _merge(incoming: Incoming, resident: Resident, values: dict[str, object]) -> Applied:
    """Fold a second registration into the first: keep its body, fill what the first lacked."""
    incoming.db.add(
        ResidentMerge(
            duplicate_id=incoming.record.id,
            resident_id=resident.id,
            content_hash=incoming.content_hash,
            body=incoming.record.body,
            registered_by=incoming.principal.user_id,
        )
    )
    if resident.phone is None and values["phone"]:
        resident.phone = str(values["phone"])
    resident.needs = sorted({*resident.needs, *(str(n) for n in values["needs"])})  # type: ignore[attr-defined]
    if resident.interpreter_language is None and values["interpreter_language"]:
        resident.interpreter_language = str(values["interpreter_language"])
    if resident.ethnicity is None and values["ethnicity"]:
        resident.ethnicity = str(values["ethnicity"])
    incoming.facts.merged(incoming.record.id, resident)
    return Applied(
        commune_code=resident.commune_code,
        owner_id=incoming.principal.user_id,
        merged_into=resident.id,
        changes=[("resident", str(resident.id))],
    )


def _immutable(kind_vi: str, kind_en: str) -> Refused:
    return Refused(
        "record.immutable",
        f"{kind_vi} đã ghi thì không sửa; hãy tạo bản ghi mới.",
        f"A {kind_en} is never edited; write a new one.",
    )


async def apply_consent(incoming: Incoming) -> Applied:
    body = decode_body(incoming.record, ConsentBody)
    if not incoming.is_new:
        raise _immutable("Sự đồng ý", "consent")
    if body.given and body.method != "tick" and body.signature_sha256 is None:
        refuse_fields(
            [
                FieldError(
                    "signature_sha256",
                    "required",
                    "Cần ảnh chữ ký hoặc vân tay của người dân.",
                    "The resident's signature or fingerprint image is needed.",
                )
            ]
        )
    resident = await resident_for_child(incoming, body.resident_id)
    incoming.writes.add(
        _CONSENTS,
        {
            "id": incoming.record.id,
            "resident_id": resident.id,
            "purpose": body.purpose,
            "wording_vi": body.wording_vi,
            "given": body.given,
            "method": body.method,
            "signature_sha256": body.signature_sha256,
            "volunteer_id": incoming.principal.user_id,
            "device_session_id": incoming.principal.session_id,
            "written_at": incoming.record.written_at,
        },
    )
    return Applied(commune_code=resident.commune_code, owner_id=incoming.principal.user_id)


async def apply_checklist(incoming: Incoming) -> Applied:
    body = decode_body(incoming.record, ChecklistBody)
    if not incoming.is_new:
        raise _immutable("Mục đánh dấu", "checklist tick")
    resident = await resident_for_child(incoming, body.resident_id)
    incoming.writes.add(
        _CHECKLIST_STEPS,
        {
            "id": incoming.record.id,
            "resident_id": resident.id,
            "step": body.step,
            "state": body.state,
            "note": body.note.strip(),
            "appointment_on": body.appointment_on,
            "volunteer_id": incoming.principal.user_id,
            "written_at": incoming.record.written_at,
        },
    )
    return Applied(commune_code=resident.commune_code, owner_id=incoming.principal.user_id)
