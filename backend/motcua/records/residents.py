"""Applying resident, consent and checklist records pushed by phones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue.validation import field_error
from motcua.db.base import table_of
from motcua.errors import FieldError
from motcua.identity.service import (
    Problem,
    check_date_not_future,
    check_free_text,
    check_mobile_phone,
    check_personal_id,
    normalise_name,
    normalise_personal_id,
)
from motcua.records.handlers import (
    SHA256_PATTERN,
    Applied,
    Incoming,
    decode_body,
    ensure_in_scope,
    refuse_fields,
    resident_for_child,
)
from motcua.records.outcomes import Refused
from motcua.records.schemas import RecordIn
from motcua.residents.models import (
    ChecklistStep,
    ChecklistStepName,
    Consent,
    ConsentPurpose,
    Need,
    Resident,
    ResidentMerge,
)

Sha256 = Annotated[str, msgspec.Meta(pattern=SHA256_PATTERN)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
_CONSENTS = table_of(Consent)
_CHECKLIST_STEPS = table_of(ChecklistStep)

# What a withdrawn consent takes away: registered by the app (privacy.consents), so this
# package need not import what sits above it. Called in the batch's transaction with the
# resident and the purpose; answers the extra (kind, id) changes phones must hear of.
Withdraw = Callable[[AsyncSession, Resident, str], Awaitable[list[tuple[str, str]]]]
_WITHDRAWERS: dict[str, Withdraw] = {}


def on_withdrawal_with(name: str, withdraw: Withdraw) -> None:
    """Have ``withdraw`` run when a consent is withdrawn (the newest of its purpose)."""
    _WITHDRAWERS[name] = withdraw


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


class Person(msgspec.Struct, frozen=True):
    """A resident's name, ID number and phone in the one form they are stored and compared in."""

    full_name: str
    personal_id: str | None
    phone: str | None


def _text(field: str, checked: str | Problem, problems: list[FieldError]) -> str:
    if isinstance(checked, str):
        return checked
    problems.append(field_error(field, checked))
    return ""


def _check_person(body: ResidentBody, written_on: date) -> tuple[Person, list[FieldError]]:
    problems = [
        field_error("birth_date", p) for p in check_date_not_future(body.birth_date.isoformat(), written_on)
    ]
    full_name = _text("full_name", normalise_name(body.full_name), problems)
    personal_id = normalise_personal_id(body.personal_id) if body.personal_id is not None else None
    if personal_id is not None:
        problems += [
            field_error("personal_id", p)
            for p in check_personal_id(personal_id, sex=body.sex, birth_year=body.birth_date.year)
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
    return Person(full_name, personal_id or None, phone), problems


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


async def _withdrawn(incoming: Incoming, resident_id: UUID, purpose: str) -> bool:
    """Whether the newest consent of ``purpose`` for the resident is a withdrawal."""
    if (str(resident_id), purpose) in incoming.batch_consents:
        return False
    await incoming.writes.settle(incoming.db, _CONSENTS)
    given = await incoming.db.scalar(
        select(Consent.given)
        .where(Consent.resident_id == resident_id, Consent.purpose == purpose)
        .order_by(Consent.written_at.desc())
        .limit(1)
    )
    return given is False


def _personal_id_check() -> Refused:
    """An ID number held by someone outside the sender's places: said without telling who or where."""
    return Refused(
        "personal_id.check",
        "Số định danh này cần bộ phận một cửa của xã kiểm tra trước khi ghi.",
        "The commune desk must check this ID number before it is recorded.",
        [
            FieldError(
                "personal_id", "personal_id.check", "Cần xã kiểm tra.", "To be checked by the commune desk."
            )
        ],
    )


async def apply_resident(incoming: Incoming) -> Applied:
    body = decode_body(incoming.record, ResidentBody)
    person, problems = _check_person(body, incoming.written_on)
    refuse_fields(problems)
    village = await incoming.facts.village(body.village_id)
    if village is None:
        raise Refused("village.unknown", "Không có thôn này trên máy chủ.", "The server has no such village.")
    await ensure_in_scope(incoming, village.commune_code)
    record_id = incoming.record.id
    resident = await incoming.facts.resident(record_id)
    if resident is not None:
        # An edit is judged where the person lives now, as well as where the edit moves them.
        await ensure_in_scope(incoming, resident.commune_code)
        if resident.id != record_id:
            raise Refused(
                "resident.merged",
                "Người này đã được gộp vào một cư dân khác; hãy sửa trên hồ sơ cư dân đó.",
                "This registration was merged into another resident; edit that resident instead.",
            )
    # Ethnicity is sensitive: kept only under its own consent, given earlier or in this batch.
    if body.ethnicity and not await _ethnicity_consented(incoming, resident.id if resident else record_id):
        raise Refused(
            "ethnicity.no_consent",
            "Chỉ ghi dân tộc khi người dân đồng ý riêng cho mục này.",
            "Ethnicity is kept only with the resident's own consent for it.",
            [FieldError("ethnicity", "consent.missing", "Chưa có sự đồng ý.", "No consent given.")],
        )
    # A phone number withdrawn with its consent comes back only with a new one.
    if (
        resident is not None
        and person.phone
        and person.phone != resident.phone
        and await _withdrawn(incoming, resident.id, "contact_by_phone")
    ):
        raise Refused(
            "phone.no_consent",
            "Người dân đã rút sự đồng ý liên lạc qua điện thoại; chỉ ghi lại số khi họ đồng ý lại.",
            "The resident withdrew consent to be contacted by phone; record a number only with a new consent.",
            [FieldError("phone", "consent.missing", "Chưa có sự đồng ý.", "No consent given.")],
        )
    values = {
        "village_id": village.id,
        "commune_code": village.commune_code,
        "full_name": person.full_name,
        "birth_date": body.birth_date,
        "sex": body.sex,
        "personal_id": person.personal_id,
        "phone": person.phone,
        "needs": sorted(set(body.needs)),
        "interpreter_language": body.interpreter_language,
        "ethnicity": body.ethnicity,
    }
    if resident is None and person.personal_id:
        same_person = await incoming.facts.resident_with_personal_id(person.personal_id)
        if same_person is not None:
            if not await incoming.may_act_in(same_person.commune_code):
                raise _personal_id_check()
            return _merge(incoming, same_person)
    if resident is None:
        if not incoming.is_new:
            raise Refused(
                "record.unknown", "Máy chủ chưa có bản ghi này.", "The server does not hold this record."
            )
        resident = Resident(
            id=record_id,
            registered_by=incoming.principal.user_id,
            written_at=incoming.record.written_time,
            **values,
        )
        incoming.db.add(resident)
    else:
        if person.personal_id and person.personal_id != resident.personal_id:
            other = await incoming.facts.resident_with_personal_id(person.personal_id)
            if other is not None and other.id != resident.id:
                if not await incoming.may_act_in(other.commune_code):
                    raise _personal_id_check()
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
        if resident.personal_id and resident.personal_id != person.personal_id:
            incoming.facts.by_personal_id[resident.personal_id] = None
        if body.ethnicity is None and resident.registered_by != incoming.principal.user_id:
            # Other phones receive no ethnicity (docs/privacy.md): their edit keeps the stored one.
            values["ethnicity"] = resident.ethnicity
        for key, value in values.items():
            setattr(resident, key, value)
    incoming.facts.added_resident(resident)
    return Applied(
        commune_code=resident.commune_code, owner_id=resident.registered_by, resident_id=resident.id
    )


def _merge(incoming: Incoming, resident: Resident) -> Applied:
    """Fold a second registration into the first. The first resident is not changed (an edit is
    a new revision, rule 2): the second body is kept beside it for the desk to review."""
    incoming.db.add(
        ResidentMerge(
            duplicate_id=incoming.record.id,
            resident_id=resident.id,
            content_hash=incoming.content_hash,
            body=incoming.record.body,
            registered_by=incoming.principal.user_id,
        )
    )
    incoming.facts.merged(incoming.record.id, resident)
    return Applied(
        commune_code=resident.commune_code,
        owner_id=incoming.principal.user_id,
        merged_into=resident.id,
        resident_id=resident.id,
    )


def _immutable(kind_vi: str, kind_en: str) -> Refused:
    return Refused(
        "record.immutable",
        f"{kind_vi} đã ghi thì không sửa; hãy tạo bản ghi mới.",
        f"A {kind_en} is never edited; write a new one.",
    )


def _judge_consent(record: RecordIn) -> ConsentBody:
    """A consent's own rules, which need nothing from the database."""
    body = decode_body(record, ConsentBody)
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
    problems: list[FieldError] = []
    wording = _text("wording_vi", check_free_text(body.wording_vi, 2000), problems)
    refuse_fields(problems)
    return msgspec.structs.replace(body, wording_vi=wording)


def consent_admissible(record: RecordIn) -> bool:
    """Whether a consent passes its own rules: a consent refused in a batch admits nothing."""
    try:
        _judge_consent(record)
    except Refused:
        return False
    return True


async def apply_consent(incoming: Incoming) -> Applied:
    if not incoming.is_new:
        raise _immutable("Sự đồng ý", "consent")
    body = _judge_consent(incoming.record)
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
            "written_at": incoming.record.written_time,
        },
    )
    changes = []
    if not body.given and await _newest_of_purpose(incoming, resident.id, body.purpose):
        for withdraw in _WITHDRAWERS.values():
            changes += await withdraw(incoming.db, resident, body.purpose)
    return Applied(
        commune_code=resident.commune_code,
        owner_id=incoming.principal.user_id,
        changes=changes,
        resident_id=resident.id,
    )


async def _newest_of_purpose(incoming: Incoming, resident_id: UUID, purpose: str) -> bool:
    """Whether no consent of this purpose was given after the one being applied: a withdrawal
    that reaches the server after a newer consent takes nothing away."""
    await incoming.writes.settle(incoming.db, _CONSENTS)
    written: datetime = incoming.record.written_time
    newer = await incoming.db.scalar(
        select(Consent.id)
        .where(
            Consent.resident_id == resident_id,
            Consent.purpose == purpose,
            Consent.given.is_(True),
            Consent.written_at > written,
        )
        .limit(1)
    )
    return newer is None


async def apply_checklist(incoming: Incoming) -> Applied:
    body = decode_body(incoming.record, ChecklistBody)
    if not incoming.is_new:
        raise _immutable("Mục đánh dấu", "checklist tick")
    problems: list[FieldError] = []
    note = _text("note", check_free_text(body.note, 500), problems)
    refuse_fields(problems)
    resident = await resident_for_child(incoming, body.resident_id)
    incoming.writes.add(
        _CHECKLIST_STEPS,
        {
            "id": incoming.record.id,
            "resident_id": resident.id,
            "step": body.step,
            "state": body.state,
            "note": note.strip(),
            "appointment_on": body.appointment_on,
            "volunteer_id": incoming.principal.user_id,
            "written_at": incoming.record.written_time,
        },
    )
    return Applied(
        commune_code=resident.commune_code, owner_id=incoming.principal.user_id, resident_id=resident.id
    )
