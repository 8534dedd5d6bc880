"""The server's VAPID key pair: made on first start, kept in the data directory, never changed."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from motcua.settings import Settings, SettingsError, keep_once

KEY_FILE = "vapid_private_key.pem"


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


_loaded: dict[Path, VapidKeys] = {}


def vapid_keys(settings: Settings) -> VapidKeys:
    """The keys of this data directory, made the first time they are asked for.

    Every subscription is bound to the public key it was made with, so the file must be kept
    (and shared by every process of a deployment, like the secret key).
    """
    path = settings.data_dir / KEY_FILE
    if path in _loaded:
        return _loaded[path]
    if not path.exists():
        _create(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SettingsError(f"{path} does not hold a P-256 private key")
    keys = _loaded[path] = VapidKeys(key)
    return keys


def _create(path: Path) -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    keep_once(path, pem, "the VAPID key")
