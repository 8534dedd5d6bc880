"""Every model, imported in one place so Alembic and the app see the whole metadata."""

from motcua.accounts.models import AuthSession, LoginAttempt, User, UserCommune, UserProvince
from motcua.attachments.models import Attachment
from motcua.audit.models import AuditEvent
from motcua.catalogue.models import ProcedureVersion
from motcua.db.base import metadata
from motcua.dossiers.models import Dossier, DossierAttachment
from motcua.places.models import Commune, Province, Village
from motcua.residents.models import ChecklistStep, Consent, Resident, ResidentMerge
from motcua.sync.models import Change, HeldRecord, RecordRevision, RefusedRecord, SyncRecord

__all__ = [
    "Attachment",
    "AuditEvent",
    "AuthSession",
    "Change",
    "ChecklistStep",
    "Commune",
    "Consent",
    "Dossier",
    "DossierAttachment",
    "HeldRecord",
    "LoginAttempt",
    "ProcedureVersion",
    "Province",
    "RecordRevision",
    "RefusedRecord",
    "Resident",
    "ResidentMerge",
    "SyncRecord",
    "User",
    "UserCommune",
    "UserProvince",
    "Village",
    "metadata",
]
