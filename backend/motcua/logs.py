"""Structured JSON logs that never carry passwords, tokens or full personal ID numbers."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_ID_NUMBER = re.compile(r"(?<!\d)\d{8}(\d{4})(?!\d)")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
# An invitation link signs its holder in: /moi/<token>, whole or cut short.
_INVITATION = re.compile(r"(/moi/)[^/?#\s\"']+")
# Secrets in a query string (the status page's k=) or a form body, and session, CSRF and
# status-page cookies, should any of them ever be written out.
_QUERY_SECRET = re.compile(r"(?i)([?&;](?:k|token|secret|_csrf_token|csrf)=)[^&#\s\"']+")
_COOKIE_SECRET = re.compile(r"((?:motcua_session|motcua_csrf|hoso_[A-Za-z0-9_-]+)=)[^;\s\"']+")
_SECRET_KEYS = ("password", "token", "secret", "authorization", "cookie", "otp", "pin")
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "color_message"}


def redact(text: str) -> str:
    """Mask 12-digit personal ID numbers, and bearer tokens, invitation links, secrets in
    query strings and session or CSRF cookies in free text."""
    text = _ID_NUMBER.sub(r"********\1", text)
    for pattern in (_BEARER, _INVITATION, _QUERY_SECRET, _COOKIE_SECRET):
        text = pattern.sub(r"\1[redacted]", text)
    return text


def _clean(key: str, value: Any) -> Any:
    if any(word in key.lower() for word in _SECRET_KEYS):
        return "[redacted]"
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    return redact(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS:
                entry[key] = _clean(key, value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """One readable line per event: time, level, logger, message, then the extra fields as
    key=value, masked as in JSON (``MOTCUA_LOG_FORMAT=text``)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        parts = [stamp, record.levelname, record.name, redact(record.getMessage())]
        parts += [
            f"{key}={_clean(key, value)}"
            for key, value in vars(record).items()
            if key not in _RECORD_FIELDS and value is not None
        ]
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return line


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time, so captured output sees the logs."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(level: str, log_format: str = "json") -> None:
    """Send every log record, ours and the server's, through the JSON (or text) formatter."""
    handler = _StderrHandler()
    handler.setFormatter(TextFormatter() if log_format == "text" else JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # The access log would print query strings, which may carry a status-page secret.
    logging.getLogger("uvicorn.access").disabled = True
    # At DEBUG aiosqlite writes every statement with its bound values (phone numbers, names):
    # never below INFO, whatever the level asked for.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, root.level))


_access = logging.getLogger("motcua.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
UNMATCHED = "(unmatched)"
# A route handler with this in its ``opt`` serves the app's own files (the PWA shell's
# scripts, styles, icons; /static): its successful answers are logged at DEBUG, so that
# loading the PWA, whose service worker fetches every file, is one line at INFO: the shell
# as the browser navigates to it. Its opt is FETCHED: quiet when a script fetched it (the
# worker's precache sends ``Sec-Fetch-Mode: cors``), at INFO when navigated to.
QUIET = "quiet_access_log"
FETCHED = "fetched"


def route_of(scope: Scope) -> str:
    """The route template the request matched (``/api/dossiers/{dossier_id:uuid}``), never the
    raw path with its ids and tokens; ``(unmatched)`` when no route did."""
    if scope.get("route_handler") is None:
        return UNMATCHED
    return str(scope.get("path_template") or UNMATCHED)


def _quiet(rule: object, scope: Scope) -> bool:
    if rule == FETCHED:
        mode = next((value for name, value in scope.get("headers", ()) if name == b"sec-fetch-mode"), None)
        return mode is not None and mode != b"navigate"
    return bool(rule)


def _request_id(scope: Scope) -> str:
    """The proxy's ``X-Request-ID`` when it looks like one, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if _REQUEST_ID.fullmatch(given):
                return given
    return secrets.token_urlsafe(12)


class AccessLogMiddleware:
    """Logs each HTTP request in one line: method, route template, status, duration, bytes
    sent, request id and user id; never the path, query string, headers or bodies. The
    request id is sent back as ``X-Request-ID``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        sent = 0
        request_id = _request_id(scope)

        async def send_and_note(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            user = scope.get("user")
            handler = scope.get("route_handler")
            quiet = status < 400 and handler is not None and _quiet(handler.opt.get(QUIET), scope)
            _access.log(
                logging.DEBUG if quiet else logging.INFO,
                "request",
                extra={
                    "method": scope.get("method", ""),
                    "route": route_of(scope),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "bytes": sent,
                    "request_id": request_id,
                    "user_id": str(user.user_id) if user is not None else None,
                },
            )
