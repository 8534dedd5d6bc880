"""Every model, imported in one place so Alembic and the app see the whole metadata."""

from motcua.accounts.models import AuthSession, Invitation, LoginAttempt, User, UserCommune, UserProvince
from motcua.attachments.models import Attachment, AttachmentPlace
from motcua.audit.models import AuditEvent
from motcua.campaigns.models import Campaign, Route, RouteStop, RouteVolunteer
from motcua.catalogue.models import ProcedureVersion
from motcua.changelog.models import Change
from motcua.db.base import metadata
from motcua.db.keys import ServerKey
from motcua.desk.models import MoveSnapshot
from motcua.dossiers.models import Dossier, DossierAttachment, DossierEvent
from motcua.places.models import Commune, Province, Village
from motcua.push.models import PushFollow, PushOutbox, PushSubscription, PushWorkerBeat, ResidentContact
from motcua.records.models import HeldRecord, RecordRevision, RefusedRecord, SyncRecord
from motcua.residents.models import ChecklistStep, Consent, Resident, ResidentMerge
from motcua.status.models import Rating, StatusGuess, StatusView
from motcua.sync.models import HeldVillage, LookedUp
from motcua.worktime.models import CalendarOverride, DeskHours

__all__ = [
    "Attachment",
    "AttachmentPlace",
    "AuditEvent",
    "AuthSession",
    "CalendarOverride",
    "Campaign",
    "Change",
    "ChecklistStep",
    "Commune",
    "Consent",
    "DeskHours",
    "Dossier",
    "DossierAttachment",
    "DossierEvent",
    "HeldRecord",
    "HeldVillage",
    "Invitation",
    "LoginAttempt",
    "LookedUp",
    "MoveSnapshot",
    "ProcedureVersion",
    "Province",
    "PushFollow",
    "PushOutbox",
    "PushSubscription",
    "PushWorkerBeat",
    "Rating",
    "RecordRevision",
    "RefusedRecord",
    "Resident",
    "ResidentContact",
    "ResidentMerge",
    "Route",
    "RouteStop",
    "RouteVolunteer",
    "ServerKey",
    "StatusGuess",
    "StatusView",
    "SyncRecord",
    "User",
    "UserCommune",
    "UserProvince",
    "Village",
    "metadata",
]
