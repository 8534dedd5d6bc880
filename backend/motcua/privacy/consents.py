"""What a withdrawn consent takes away, in the transaction that applies the withdrawal.

Registered at the composition root (``app.wire_domains``) and called by
``records.residents.apply_consent`` when a consent with ``"given": false`` is the newest of its
purpose for that resident (docs/privacy.md, "Withdrawing one consent").
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.dossiers.models import Dossier
from motcua.push.models import PushFollow, PushOutbox, PushSubscription
from motcua.residents.models import Resident


async def forget_push(db: AsyncSession, resident_id: UUID) -> int:
    """Stop the resident's push notifications: what follows them or their dossiers, the
    subscriptions left following nothing, and what still waited to be sent to them."""
    dossiers = select(Dossier.id).where(Dossier.resident_id == resident_id)
    follows = or_(PushFollow.resident_id == resident_id, PushFollow.dossier_id.in_(dossiers))
    subscriptions = set(await db.scalars(select(PushFollow.subscription_id).where(follows)))
    await db.execute(delete(PushFollow).where(follows))
    await db.execute(
        delete(PushOutbox).where(
            PushOutbox.audience == "resident",
            PushOutbox.state == "pending",
            PushOutbox.dossier_id.in_(dossiers),
        )
    )
    if not subscriptions:
        return 0
    # A resident's subscription names no user; one that still follows another person stays.
    orphaned = delete(PushSubscription).where(
        PushSubscription.id.in_(subscriptions),
        PushSubscription.user_id.is_(None),
        ~exists().where(PushFollow.subscription_id == PushSubscription.id),
    )
    result = await db.execute(orphaned.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


async def withdraw(db: AsyncSession, resident: Resident, purpose: str) -> list[tuple[str, str]]:
    """Remove what depended on ``purpose``; the (kind, id) changes phones must hear of.

    - ``ethnicity``: the resident's ethnicity is cleared (and a new one is refused until a new
      consent, records/residents.py);
    - ``contact_by_phone``: the phone number is cleared (and refused back the same way);
    - ``push_notifications``: push subscriptions following the resident or their dossiers go;
    - ``document_photos``: nothing now; the worker's next retention pass (hourly) deletes the
      photos and signatures of the resident's finished dossiers; an open dossier keeps its own
      until it is finished, since the desk cannot decide it without them;
    - ``personal_data``: nothing automatic; it is a request to erase, which the desk carries out
      (``POST /api/residents/{id}/erase``) after checking open dossiers.
    """
    changed = False
    if purpose == "ethnicity" and resident.ethnicity is not None:
        resident.ethnicity = None
        changed = True
    elif purpose == "contact_by_phone" and resident.phone is not None:
        resident.phone = None
        changed = True
    elif purpose == "push_notifications":
        await forget_push(db, resident.id)
    return [("resident", str(resident.id))] if changed else []
