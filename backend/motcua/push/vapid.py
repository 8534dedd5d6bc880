"""The server's VAPID key pair: from MOTCUA_VAPID_PRIVATE_KEY or made on first start and kept in
the database (motcua.db.keys), shared by every server process, never changed."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from motcua.db.keys import with_keys
from motcua.settings import Settings, SettingsError


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class VapidKeys:
    """The P-256 key that signs every push request, and its public half as browsers want it."""

    private_key: ec.EllipticCurvePrivateKey = field(repr=False)

    @property
    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def public_key(self) -> str:
        """The ``applicationServerKey`` a browser subscribes with: the raw point, base64url."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)


_loaded: dict[str, VapidKeys] = {}


def vapid_keys(settings: Settings) -> VapidKeys:
    """The keys of this deployment. Every subscription is bound to the public key it was made
    with, so the private key is kept (in the database, or the environment) and never changed.

    ``settings`` from ``with_keys`` carry the PEM; others (tests) read it from the database once.
    """
    pem = settings.vapid_private_key
    if not pem:
        if settings.database_url not in _loaded:
            _loaded[settings.database_url] = vapid_keys(with_keys(settings))
        return _loaded[settings.database_url]
    if pem in _loaded:
        return _loaded[pem]
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError) as error:
        raise SettingsError("MOTCUA_VAPID_PRIVATE_KEY is not a readable PEM private key") from error
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SettingsError("MOTCUA_VAPID_PRIVATE_KEY is not a P-256 private key")
    keys = _loaded[pem] = VapidKeys(key)
    return keys
