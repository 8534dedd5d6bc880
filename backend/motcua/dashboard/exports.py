"""The weekly-report exports: dossiers and the digital-citizen register, as CSV or XLSX.

The rows are the ones the dashboard counts for the same filters (dossiers written in the
period; residents helped in the period, with each checklist step's newest state at its end).

Personal ID numbers: desk officers and admins see them in full, because the desk checks
papers against them; coordinators (and anyone else) get them masked, ``********1234``. The
handler writes every export to the audit log with the residents it contains and the filters.

CSV is UTF-8 with a byte-order mark, so Excel shows Vietnamese letters; cells that a
spreadsheet would run as a formula are prefixed with an apostrophe. XLSX is written with
XlsxWriter, cells typed (text stays text, so ID numbers keep their leading zeros).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.auth.principal import Principal
from motcua.dossiers.models import Dossier
from motcua.i18n import VIETNAM_TIME, translate
from motcua.identity.service import mask_personal_id
from motcua.metrics.service import STEPS, Filters, activity, completions, newest_ticks, procedure_names
from motcua.places.models import Commune, Village
from motcua.residents.models import Resident
from motcua.words import status_name

Cell = str | int | float | date | datetime | None
FULL_ID_ROLES = frozenset({"desk_officer", "admin"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sees_full_ids(principal: Principal) -> bool:
    return principal.role in FULL_ID_ROLES


@dataclass(frozen=True)
class Table:
    """An export before it is written: a sheet name, headers, rows and whose data it holds."""

    sheet: str
    headers: list[str]
    rows: list[list[Cell]]
    resident_ids: list[UUID]


def _personal_id(number: str | None, full: bool) -> str:
    if not number:
        return ""
    return number if full else mask_personal_id(number)


def _status(status: str, lang: str) -> str:
    return status_name(status, lang)


def _yes_no(value: bool | None, lang: str) -> str:
    if value is None:
        return ""
    return translate("yes" if value else "no", lang)


async def dossier_table(db: AsyncSession, filters: Filters, full_ids: bool, lang: str) -> Table:
    result = await db.execute(
        select(Dossier, Resident, Village.name, Commune.name, User.full_name)
        .join(Resident, Resident.id == Dossier.resident_id)
        .join(Village, Village.id == Resident.village_id)
        .join(Commune, Commune.code == Dossier.commune_code)
        .join(User, User.id == Dossier.volunteer_id)
        .where(
            filters.communes(Dossier.commune_code), filters.residents(), filters.within(Dossier.written_at)
        )
        .order_by(Dossier.written_at, Dossier.tracking_code)
    )
    found = result.all()
    names = await procedure_names(db, {dossier.procedure_code for dossier, *_ in found})
    rows: list[list[Cell]] = []
    for dossier, resident, village, commune, volunteer in found:
        vi, en = names.get(dossier.procedure_code, (dossier.procedure_code, dossier.procedure_code))
        on_time = (
            dossier.result_at <= dossier.deadline_at if dossier.result_at and dossier.deadline_at else None
        )
        hours = (
            round((dossier.result_at - dossier.accepted_at).total_seconds() / 3600, 1)
            if dossier.result_at and dossier.accepted_at
            else None
        )
        rows.append(
            [
                dossier.tracking_code,
                dossier.portal_code or "",
                en if lang == "en" else vi,
                dossier.procedure_code,
                _status(dossier.status, lang),
                resident.full_name,
                _personal_id(resident.personal_id, full_ids),
                village,
                commune,
                volunteer,
                dossier.written_at,
                dossier.received_at,
                dossier.accepted_at,
                dossier.deadline_at,
                dossier.result_at,
                _yes_no(on_time, lang),
                hours,
            ]
        )
    headers = [
        translate(key, lang)
        for key in (
            "col_tracking_code",
            "col_portal_code",
            "col_procedure",
            "col_procedure_code",
            "col_status",
            "col_resident",
            "col_personal_id",
            "col_village",
            "col_commune",
            "col_volunteer",
            "col_written_at",
            "col_received_at",
            "col_accepted_at",
            "col_deadline_at",
            "col_result_at",
            "col_on_time",
            "col_hours_to_result",
        )
    ]
    return Table(
        translate("export_dossiers", lang), headers, rows, [resident.id for _, resident, *_ in found]
    )


async def register_table(db: AsyncSession, filters: Filters, full_ids: bool, lang: str) -> Table:
    act = activity(filters)
    result = await db.execute(
        select(Resident, Village.name, Commune.name, User.full_name)
        .join(Village, Village.id == Resident.village_id)
        .join(Commune, Commune.code == Resident.commune_code)
        .join(User, User.id == Resident.registered_by)
        .where(Resident.id.in_(select(act.c.resident_id)))
        .order_by(Commune.name, Village.name, Resident.full_name, Resident.id)
    )
    found = result.all()
    newest = newest_ticks(filters)
    states = {
        (resident_id, step): state
        for resident_id, step, state in await db.execute(
            select(newest.c.resident_id, newest.c.step, newest.c.state).where(
                newest.c.resident_id.in_(select(act.c.resident_id))
            )
        )
    }
    done = completions(filters)
    completed: dict[UUID, datetime] = dict(
        (await db.execute(select(done.c.resident_id, done.c.completed_at))).all()
    )
    rows: list[list[Cell]] = []
    for resident, village, commune, volunteer in found:
        finished = completed.get(resident.id)
        rows.append(
            [
                resident.full_name,
                resident.birth_date,
                translate(f"sex_{resident.sex}", lang),
                _personal_id(resident.personal_id, full_ids),
                village,
                commune,
                volunteer,
                resident.written_at,
                *(
                    translate(f"state_{states[resident.id, step]}", lang)
                    if (resident.id, step) in states
                    else ""
                    for step in STEPS
                ),
                _yes_no(finished is not None, lang),
                finished,
            ]
        )
    headers = [
        translate(key, lang)
        for key in (
            "col_resident",
            "col_birth_date",
            "col_sex",
            "col_personal_id",
            "col_village",
            "col_commune",
            "col_registered_by",
            "col_registered_at",
            *(f"step_{step}" for step in STEPS),
            "col_digital_citizen",
            "col_completed_at",
        )
    ]
    return Table(translate("export_register", lang), headers, rows, [resident.id for resident, *_ in found])


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    return str(cell)


def _csv_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_safe(_text(cell)) if isinstance(cell, str) else _text(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _widths(table: Table) -> Sequence[int]:
    return [
        min(max([len(header)] + [len(_text(row[i])) for row in table.rows]) + 2, 45)
        for i, header in enumerate(table.headers)
    ]


def to_xlsx(table: Table) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(table.sheet[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#ece6f0", "border": 1})
    moment = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for col, (header, width) in enumerate(zip(table.headers, _widths(table), strict=True)):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, width)
    for r, row in enumerate(table.rows, start=1):
        for col, cell in enumerate(row):
            if cell is None or cell == "":
                continue
            if isinstance(cell, datetime):
                # Spreadsheets have no time zones: write the time as read in Vietnam.
                sheet.write_datetime(r, col, cell.astimezone(VIETNAM_TIME).replace(tzinfo=None), moment)
            elif isinstance(cell, date):
                sheet.write_datetime(r, col, datetime.combine(cell, datetime.min.time()), day)
            elif isinstance(cell, int | float):
                sheet.write_number(r, col, cell)
            else:
                sheet.write_string(r, col, cell)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.headers) - 1)
    workbook.close()
    return out.getvalue()
