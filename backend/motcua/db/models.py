"""Every model, imported in one place so Alembic and the app see the whole metadata."""

from motcua.accounts.models import AuthSession, LoginAttempt, User, UserCommune, UserProvince
from motcua.catalogue.models import ProcedureVersion
from motcua.db.base import metadata
from motcua.places.models import Commune, Province, Village

__all__ = [
    "AuthSession",
    "Commune",
    "LoginAttempt",
    "ProcedureVersion",
    "Province",
    "User",
    "UserCommune",
    "UserProvince",
    "Village",
    "metadata",
]
