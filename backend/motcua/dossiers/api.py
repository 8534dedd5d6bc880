"""The receipt's QR code for a phone, once the server holds the dossier."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.guards import signed_in
from motcua.auth.principal import Principal
from motcua.dossiers.service import dossier_in_scope
from motcua.errors import ApiError
from motcua.qr import qr_svg
from motcua.settings import Settings


def status_page_url(settings: Settings, tracking_code: str, secret: str) -> str:
    """Where a resident follows their dossier: the code, and the secret only the receipt carries."""
    return f"{settings.public_url}/ho-so/{quote(tracking_code)}?k={quote(secret)}"


class ReceiptController(Controller):
    path = "/api/dossiers"
    tags = ["sync"]

    @get("/{dossier_id:uuid}/receipt-qr", guards=[signed_in], media_type="image/svg+xml")
    async def receipt_qr(
        self,
        dossier_id: FromPath[UUID],
        secret: Annotated[str, QueryParameter(min_length=16, max_length=128)],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Response[str]:
        """The QR code of the resident's status page, once the server holds the dossier.

        The phone made the secret and sent only its SHA-256; the QR is drawn only for the
        secret that matches, so this cannot be used to mint links to other dossiers.
        """
        dossier = await dossier_in_scope(db_session, principal, dossier_id)
        given = hashlib.sha256(secret.encode()).hexdigest()
        if not hmac.compare_digest(given, dossier.receipt_secret_hash):
            raise ApiError(
                403, "receipt.secret_mismatch", "Mã bí mật không khớp.", "The secret does not match."
            )
        svg = qr_svg(status_page_url(settings, dossier.tracking_code, secret), title=dossier.tracking_code)
        return Response(svg, media_type="image/svg+xml", headers={"cache-control": "private, max-age=86400"})
