"""The privacy API: export a resident's data, erase a resident on request.

For the desk officer (or an admin) of the resident's commune; elsewhere the resident is 404.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.guards import roles
from motcua.auth.principal import Principal
from motcua.errors import ApiError
from motcua.privacy.erasure import ErasureReport, erase_resident
from motcua.privacy.export import export_resident
from motcua.privacy.service import resident_in_scope
from motcua.settings import Settings


class EraseIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    # Why: the resident's request, as the officer noted it (kept in the audit trail).
    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=500)]
    # Must be true: an erasure cannot be undone.
    confirm: bool = False


class PrivacyController(Controller):
    path = "/api/residents"
    tags = ["privacy"]

    @get("/{resident_id:uuid}/export", guards=[roles("desk_officer")])
    async def export(
        self,
        resident_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Response[dict[str, Any]]:
        """Everything the server holds about one resident, as a JSON file: the person, their
        consents, checklist ticks, dossiers with their status history, and who read their data
        (from the audit trail). The export is itself recorded in the audit trail."""
        resident = await resident_in_scope(db_session, principal, resident_id)
        document = await export_resident(db_session, principal, resident)
        return Response(
            document,
            headers={"content-disposition": f'attachment; filename="resident-{resident.id}.json"'},
        )

    @post("/{resident_id:uuid}/erase", guards=[roles("desk_officer")], status_code=200)
    async def erase(
        self,
        resident_id: FromPath[UUID],
        data: JSONBody[EraseIn],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> ErasureReport:
        """Erase a resident on request (cannot be undone; ``confirm: true`` required, else 400
        ``erase.confirm_required``): the name, ID number, phone, birth date and ethnicity are
        replaced, their documents' photos, signatures and dossier forms deleted, their dossiers'
        codes, procedures and status history kept for the commune's records, the audit trail
        kept. 409 ``resident.open_dossiers`` while a dossier is in progress. Phones pull the
        anonymised resident and overwrite their copy."""
        if not data.confirm:
            raise ApiError(
                400,
                "erase.confirm_required",
                "Xoá dữ liệu không thể hoàn tác: gửi lại với confirm = true để xác nhận.",
                "Erasing cannot be undone: send again with confirm set to true.",
            )
        resident = await resident_in_scope(db_session, principal, resident_id)
        report, forgotten = await erase_resident(db_session, principal, resident, data.reason.strip())
        await db_session.commit()
        await forgotten.delete_files(settings)
        return report
