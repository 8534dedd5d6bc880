"""A push service on a loopback port, and browsers that subscribe to it, as the tests see them.

The service checks every request the way a real one does (RFC 8030, 8291, 8292): the VAPID
JWT is ES256 over the endpoint's origin *with its port*, expires within 24 hours and names a
mailto: or https: contact; the body is aes128gcm, at most 4096 bytes, and decrypts with the
browser's private key and auth secret (``http_ece``, not our code). It answers what the test
scripts (201 by default) and keeps what it received, in order.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from motcua.push.vapid import b64url, b64url_decode

_TOPIC_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class UnknownSubscription(Exception):
    """No browser subscribed with this endpoint: a real service answers 404 (or 410)."""


@dataclass
class Browser:
    """A browser's side of a subscription: its own P-256 key pair and auth secret."""

    service: FakePushService
    name: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))
    server_key: str | None = None  # the applicationServerKey it subscribed with

    @property
    def endpoint(self) -> str:
        return f"{self.service.origin}/push/{self.name}"

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def subscription(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives the page."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> bytes:
        return bytes(
            http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")
        )

    @property
    def received(self) -> list[Received]:
        return [message for message in self.service.received if message.browser == self.name]

    def payloads(self) -> list[dict[str, Any]]:
        return [message.payload for message in self.received if message.status == 201]


@dataclass(frozen=True)
class Received:
    browser: str
    status: int  # what the service answered
    headers: dict[str, str]
    payload: dict[str, Any]
    size: int
    at: float


class FakePushService:
    """``with FakePushService() as service:`` — serves on 127.0.0.1 and a free port."""

    def __init__(self, delay: float = 0.0) -> None:
        self.browsers: dict[str, Browser] = {}
        self.received: list[Received] = []
        self.errors: list[str] = []
        self.delay = delay
        self._scripts: dict[str, deque[int]] = {}
        self._retry_after: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self.port = int(self._server.server_address[1])
        self.origin = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-push", daemon=True)

    def __enter__(self) -> FakePushService:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def browser(self, name: str, server_key: str | None = None) -> Browser:
        browser = self.browsers[name] = Browser(self, name, server_key=server_key)
        return browser

    def answer(self, browser: Browser, *statuses: int, retry_after: str | None = None) -> None:
        """The next answers for this browser's endpoint (then 201 again)."""
        with self._lock:
            self._scripts.setdefault(browser.name, deque()).extend(statuses)
            if retry_after is not None:
                self._retry_after[browser.name] = retry_after

    def wait_for(self, count: int, timeout: float = 10.0, browser: Browser | None = None) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = browser.received if browser else list(self.received)
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"the push service received {len(got)} message(s), expected {count}")

    # -- checking one request as a real push service would ---------------------------------

    def check(self, name: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        browser = self.browsers.get(name)
        if browser is None:
            raise UnknownSubscription(name)
        scheme, _, params = headers.get("authorization", "").partition(" ")
        fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        if scheme.lower() != "vapid" or "t" not in fields or "k" not in fields:
            raise PermissionError("Authorization is not vapid t=…, k=…")
        if browser.server_key is not None and fields["k"] != browser.server_key:
            raise PermissionError("k is not the applicationServerKey the browser subscribed with")
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(fields["k"]))
        claims = jwt.decode(
            fields["t"],
            key=public_key,
            algorithms=["ES256"],
            audience=self.origin,
            options={"require": ["aud", "exp", "sub"]},
        )
        if not 0 < claims["exp"] - time.time() <= 24 * 3600:
            raise PermissionError(f"exp is not within 24 hours: {claims['exp']}")
        if not str(claims["sub"]).startswith(("mailto:", "https:")):
            raise PermissionError(f"sub is not mailto: or https: {claims['sub']!r}")
        if headers.get("content-encoding") != "aes128gcm":
            raise ValueError("Content-Encoding is not aes128gcm")
        if not headers.get("ttl", "").isdigit():
            raise ValueError("TTL is missing")
        if headers.get("urgency", "normal") not in ("very-low", "low", "normal", "high"):
            raise ValueError("bad Urgency")
        topic = headers.get("topic")
        if topic is not None and (len(topic) > 32 or not set(topic) <= _TOPIC_CHARS):
            raise ValueError("bad Topic")
        if len(body) > 4096:
            raise OverflowError(f"body of {len(body)} bytes")
        payload: dict[str, Any] = json.loads(browser.decrypt(body))
        return payload

    def _next_status(self, name: str) -> tuple[int, str | None]:
        with self._lock:
            script = self._scripts.get(name)
            status = script.popleft() if script else 201
            return status, self._retry_after.get(name) if status in (429, 503) else None


class _Server(ThreadingHTTPServer):
    # Workers open dozens of connections at once; the default backlog of 5 would refuse some.
    request_queue_size = 256
    daemon_threads = True


def _handler(service: FakePushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {key.lower(): value for key, value in self.headers.items()}
            name = self.path.removeprefix("/push/")
            if service.delay:
                time.sleep(service.delay)
            refused = {
                UnknownSubscription: 404,
                PermissionError: 403,
                jwt.InvalidTokenError: 403,
                OverflowError: 413,
            }
            try:
                payload = service.check(name, headers, body)
            except Exception as error:
                status = next((code for kind, code in refused.items() if isinstance(error, kind)), 400)
                if status != 404:
                    service.errors.append(f"{name}: {type(error).__name__}: {error}")
                self._reply(status, str(error))
                return
            status, retry_after = service._next_status(name)
            with service._lock:
                service.received.append(Received(name, status, headers, payload, len(body), time.monotonic()))
                location = f"/m/{len(service.received)}"
            self._reply(status, "", {"retry-after": retry_after} if retry_after else {"location": location})

        def _reply(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
            data = text.encode()
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
