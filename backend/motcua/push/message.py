"""One Web Push request: the body encrypted by ``webpush``, the VAPID JWT and every header made here.

``webpush`` 1.0.6 encrypts correctly (aes128gcm, RFC 8291) but has three flaws we work around:

- its VAPID JWT says ``aud = scheme://host``, dropping a non-default port, so a push service
  on ``https://push.example:8443`` refuses the request; we sign the JWT ourselves with the
  endpoint's origin (RFC 8292);
- a ``ttl`` (or ``subscriber``, ``expiration``) given to one ``get()`` call is stored on the
  instance and used by every later call; we never pass them, and set TTL ourselves;
- it sets neither ``Urgency`` nor ``Topic`` (RFC 8030), which we need.

So the one shared ``WebPush`` instance is only ever asked to encrypt, and everything else
about a request comes from this call's arguments alone.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from webpush import WebPush, WebPushSubscription

from motcua.push.vapid import VapidKeys, b64url

# A push service must accept 4096 bytes of body (RFC 8030 §7.2). The aes128gcm header takes
# 86 (salt 16, record size 4, key-id length 1, key 65), the tag 16 and the padding delimiter 1.
MAX_PLAINTEXT = 4096 - 86 - 16 - 1
URGENCIES = ("very-low", "low", "normal", "high")
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# RFC 8292: at most 24 hours. Half of that leaves room for a slow clock on either side.
JWT_LIFETIME = 12 * 3600
_JWT_REUSE_MARGIN = 3600
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(endpoint: str) -> str:
    """The endpoint's origin as RFC 6454 serialises it: the port is kept unless it is the default."""
    parts = urlsplit(endpoint)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


@dataclass(frozen=True)
class Subscription:
    """What a browser's ``PushSubscription.toJSON()`` gives: where to send and how to encrypt."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushRequest:
    """Ready to POST: nothing is left to decide but sending it."""

    endpoint: str
    body: bytes
    headers: dict[str, str]


def payload_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class MessageBuilder:
    """Builds push requests for one VAPID key pair and contact (the JWT ``sub``)."""

    def __init__(self, keys: VapidKeys, contact: str) -> None:
        if not contact.startswith(("mailto:", "https://")):
            raise ValueError("the VAPID contact must be a mailto: or https: address")
        self.keys = keys
        self.contact = contact
        # Only ever asked to encrypt: see the module's docstring. Its subscriber is required
        # by its API and ends up in a JWT we throw away.
        self._webpush = WebPush(
            private_key=keys.private_pem, public_key=keys.public_pem, subscriber="push@motcua.invalid"
        )
        self._tokens: dict[str, tuple[str, int]] = {}

    def vapid_token(self, audience: str, now: float | None = None) -> str:
        """An ES256 JWT for ``audience``, reused for an hour or so of its twelve."""
        moment = int(now if now is not None else time.time())
        cached = self._tokens.get(audience)
        if cached is not None and cached[1] - moment > JWT_LIFETIME - _JWT_REUSE_MARGIN:
            return cached[0]
        expires = moment + JWT_LIFETIME
        header = b64url(b'{"typ":"JWT","alg":"ES256"}')
        claims = b64url(
            json.dumps({"aud": audience, "exp": expires, "sub": self.contact}, separators=(",", ":")).encode()
        )
        signing_input = f"{header}.{claims}".encode("ascii")
        r, s = decode_dss_signature(self.keys.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        token = f"{header}.{claims}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
        self._tokens[audience] = (token, expires)
        return token

    def build(
        self,
        subscription: Subscription,
        payload: bytes,
        *,
        ttl: int,
        urgency: str = "normal",
        topic: str | None = None,
    ) -> PushRequest:
        if len(payload) > MAX_PLAINTEXT:
            raise ValueError(f"a push payload holds at most {MAX_PLAINTEXT} bytes, got {len(payload)}")
        if ttl < 0:
            raise ValueError("TTL cannot be negative")
        if urgency not in URGENCIES:
            raise ValueError(f"Urgency must be one of {', '.join(URGENCIES)}")
        if topic is not None and not _TOPIC.match(topic):
            raise ValueError("a Topic is 1 to 32 characters of the URL-safe base64 alphabet")
        target = WebPushSubscription.model_validate(
            {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            }
        )
        body = self._webpush.get(payload, target).encrypted
        headers = {
            "TTL": str(ttl),
            "Urgency": urgency,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Authorization": f"vapid t={self.vapid_token(origin(subscription.endpoint))}, k={self.keys.public_key}",
        }
        if topic is not None:
            headers["Topic"] = topic
        return PushRequest(subscription.endpoint, body, headers)
