"""Security headers on every response: CSP, no-sniff, frame denial, referrer policy, and HSTS
when the public address is https."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

# Everything is served from our own origin: no CDN, no inline script.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # Status-page links carry a secret: never leak a URL to another site.
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(self), microphone=(), geolocation=(self)",
    "cross-origin-opener-policy": "same-origin",
}

# Browsers that once reached an https server keep to https for a year: nobody on the village
# Wi-Fi can strip it to plain http and read the session cookie or a status-page secret.
# Not includeSubDomains: the server does not answer for its neighbours on the same domain.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def _served_over_https(scope: Scope) -> bool:
    app = scope.get("litestar_app")
    settings = app.state.get("settings") if app is not None else None
    return bool(settings is not None and settings.public_url.startswith("https://"))


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook, so that even answers from no route (404, 405) carry the headers."""
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        for name, value in SECURITY_HEADERS.items():
            headers[name] = value
        if _served_over_https(scope):
            headers["strict-transport-security"] = STRICT_TRANSPORT_SECURITY
