"""The one error shape of the API: a machine code, a Vietnamese and an English message, field errors.

Also where that shape is promised: every API operation's error answers in ``/schema`` name
``ErrorBody`` (``ErrorResponses``), and where a server error is logged without the values
the database was given (``handle_exception``).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.enums import ScopeType
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins import ReceiveRoutePlugin
from litestar.response import Redirect, Template
from litestar.routes import BaseRoute, HTTPRoute
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("motcua.errors")


class FieldError(msgspec.Struct, frozen=True):
    """What is wrong with one field of a request."""

    field: str
    code: str
    message_vi: str
    message_en: str


class ErrorBody(msgspec.Struct, frozen=True):
    """Every error the API returns has this shape."""

    code: str
    message_vi: str
    message_en: str
    fields: list[FieldError] = []


class ApiError(Exception):
    """An error the client can act on, raised anywhere in a handler or service."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message_vi: str,
        message_en: str,
        fields: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message_en)
        self.status_code = status_code
        self.body = ErrorBody(code, message_vi, message_en, fields or [])
        self.headers = headers or {}


# Litestar's own exceptions, said in both languages.
_STANDARD: dict[int, tuple[str, str, str]] = {
    400: ("invalid_request", "Yêu cầu không hợp lệ.", "The request is not valid."),
    401: ("not_signed_in", "Bạn cần đăng nhập.", "You need to sign in."),
    403: ("forbidden", "Bạn không có quyền làm việc này ở đây.", "You may not do this here."),
    404: ("not_found", "Không tìm thấy.", "Not found."),
    405: ("method_not_allowed", "Không hỗ trợ thao tác này.", "This method is not allowed here."),
    409: ("conflict", "Dữ liệu đã thay đổi hoặc đã có.", "This conflicts with what the server holds."),
    413: ("too_large", "Dữ liệu gửi lên quá lớn.", "What was sent is too large."),
    415: ("unsupported_type", "Không nhận loại dữ liệu này.", "This type of content is not accepted."),
    422: ("invalid_content", "Nội dung chưa đúng.", "The content is not valid."),
    429: ("too_many_requests", "Quá nhiều yêu cầu, vui lòng thử lại sau.", "Too many requests, try later."),
    500: (
        "server_error",
        "Máy chủ gặp lỗi. Dữ liệu của bạn vẫn an toàn.",
        "Server error. Your data is safe.",
    ),
    503: ("unavailable", "Máy chủ đang bận, vui lòng thử lại sau.", "The server is busy, try again later."),
}


def error_for_status(status_code: int) -> ErrorBody:
    code, vi, en = _STANDARD.get(
        status_code, ("http_error", "Yêu cầu không thành công.", "The request failed.")
    )
    return ErrorBody(code, vi, en)


def _validation_fields(exc: ValidationException) -> list[FieldError]:
    fields = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            fields.append(
                FieldError(
                    field=str(item.get("key") or item.get("source") or "body"),
                    code="invalid",
                    message_vi="Giá trị không hợp lệ.",
                    message_en=str(item.get("message") or "Invalid value."),
                )
            )
    return fields


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _too_deep() -> ApiError:
    # The JSON decoder gives up on a body nested deeper than Python's recursion limit and says
    # so with a RecursionError; such a body is the client's mistake, not the server's.
    return ApiError(
        400,
        "body.too_deep",
        "Dữ liệu gửi lên lồng nhau quá sâu.",
        "What was sent is nested too deeply.",
        [FieldError("body", "too_deep", "Dữ liệu lồng nhau quá sâu.", "Nested too deeply.")],
    )


def _unstorable() -> ApiError:
    # What a column cannot hold: a NUL character, text longer than the column, a number past
    # its range. The checks in front of the database should have refused it with a field
    # error; this is the net under them, so such input is still the client's 400, never a 500.
    return ApiError(
        400,
        "invalid_value",
        "Có giá trị không lưu được (ký tự lạ, quá dài hoặc số quá lớn).",
        "A value cannot be stored (a stray character, too long, or a number out of range).",
    )


def _nul_in_query() -> ApiError:
    return ApiError(
        400,
        "query.nul",
        "Địa chỉ chứa ký tự không hợp lệ.",
        "The query string holds a NUL character.",
        [FieldError("query", "invalid", "Ký tự không hợp lệ.", "A NUL character is not allowed.")],
    )


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")


def _is_unstorable(exc: BaseException) -> bool:
    """Whether the database refused a value as data (SQLSTATE class 22) or SQLite could not bind it."""
    if isinstance(exc, DBAPIError):
        return _sqlstate(exc).startswith("22")
    return isinstance(exc, OverflowError) and "SQLite INTEGER" in str(exc)


# Two transactions waited for each other (PostgreSQL broke the tie) or could not be ordered:
# the request's transaction was rolled back whole, so nothing of it was applied. Or the request
# found no connection at all: PostgreSQL had no slot left (53300, more processes × pool than
# max_connections, docs/operations.md "Sizing") or was starting (57P03), or the pool stayed
# empty for its whole timeout: nothing was even begun.
_CONTENTION = ("40P01", "40001", "55P03", "53300", "57P03")


def _is_contention(exc: BaseException) -> bool:
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    return _sqlstate(exc) in _CONTENTION or "database is locked" in str(getattr(exc, "orig", ""))


def _busy() -> ApiError:
    return ApiError(
        503,
        "busy",
        "Máy chủ đang bận; chưa có gì được ghi. Hãy gửi lại sau ít giây.",
        "The server is busy; nothing was applied. Send it again in a few seconds.",
        headers={"retry-after": "5"},
    )


def _is_too_deep(exc: BaseException) -> bool:
    return isinstance(exc, RecursionError) and "deserializ" in str(exc)


def _holds_values(exc: BaseException) -> bool:
    """Whether the exception's message may quote values bound to a statement (names, phones, dates).

    With ``hide_parameters`` SQLAlchemy leaves out its parameter list, but the driver's own
    message still quotes a value it could not encode ("invalid input for query argument $1: '…'").
    """
    drivers = ("asyncpg", "sqlite3", "aiosqlite", "sqlalchemy.dialects")
    return isinstance(exc, StatementError) or type(exc).__module__.startswith(drivers)


def _describe(exc: BaseException) -> str:
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if not _holds_values(exc):
        return f"{name}: {exc}"
    details = []
    if sqlstate := _sqlstate(exc):
        details.append(f"sqlstate={sqlstate}")
    if isinstance(exc, StatementError) and exc.statement:
        details.append(f"statement={' '.join(str(exc.statement).split())[:500]}")
    return f"{name} (message withheld: it may quote bound values) {' '.join(details)}".rstrip()


def safe_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and of what caused it, without any database message or parameter."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{_describe(current)}")
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\n\nwhich led to:\n\n".join(reversed(parts))


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Turn any exception into the one error shape (JSON) or the error page (browsers)."""
    headers: dict[str, str] = {}
    if _is_too_deep(exc):
        exc = _too_deep()
    elif _is_unstorable(exc):
        log.warning(
            "a value the database cannot store",
            extra={"path": request.url.path, "sqlstate": _sqlstate(exc), "exception": safe_traceback(exc)},
        )
        exc = _unstorable()
    elif _is_contention(exc):
        log.warning("database contention", extra={"path": request.url.path, "sqlstate": _sqlstate(exc)})
        exc = _busy()
    if isinstance(exc, ApiError):
        status, body, headers = exc.status_code, exc.body, exc.headers
    elif isinstance(exc, ValidationException):
        status, body = 400, msgspec.structs.replace(error_for_status(400), fields=_validation_fields(exc))
    elif isinstance(exc, HTTPException):
        status, body = exc.status_code, error_for_status(exc.status_code)
        headers = dict(exc.headers or {})
    else:
        # Never exc_info: the standard traceback quotes the driver's message, bound values and all.
        log.error("unhandled error", extra={"path": request.url.path, "exception": safe_traceback(exc)})
        status, body = HTTP_500_INTERNAL_SERVER_ERROR, error_for_status(500)
    if _wants_html(request):
        if isinstance(exc, NotAuthorizedException):
            return Redirect(f"/login?next={request.url.path}")
        return Template(
            "error.html",
            context={"error": body, "status": status},
            status_code=status,
            headers=headers,
        )
    return Response(msgspec.to_builtins(body), status_code=status, media_type=MediaType.JSON, headers=headers)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {Exception: handle_exception}


def refuse_nul_bytes(app: ASGIApp) -> ASGIApp:
    """Middleware: a NUL character in the path (``/ho-so/AB-1%00``) or the query string is refused.

    No stored name holds one and PostgreSQL cannot even compare text with one, so the path is
    "not found" and the query string "not valid", before any handler looks at either.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            if "\x00" in scope["path"]:
                raise NotFoundException()
            query = scope.get("query_string", b"")
            if b"\x00" in query or b"%00" in query:
                raise _nul_in_query()
        await app(scope, receive, send)

    return middleware


# ---- /schema: the error answers every API operation may give, all in the one shape ----------------

# Answers particular to some operations, beyond what ``_statuses`` reads from the handler.
# Keyed by method and path as /schema writes them; an operation not listed still gets the rest.
EXTRA_STATUSES: dict[tuple[str, str], tuple[int, ...]] = {
    ("POST", "/api/auth/login"): (401, 429),
    ("POST", "/api/catalogue/{code}/versions/{version}/check"): (409, 422),
    ("POST", "/api/places/communes/{code}/villages"): (409,),
    ("POST", "/api/users"): (409,),
    ("POST", "/api/sync/push"): (413, 503),
    ("POST", "/api/sync/holdings"): (413,),
    ("GET", "/api/sync/pull"): (409,),  # sync.start_over: the server was restored
    ("GET", "/api/sync/lookup"): (429,),  # lookup.too_many
    ("PUT", "/api/attachments/{sha256}"): (409, 413, 415),
    ("POST", "/api/desk/dossiers/{dossier_id}/moves"): (409,),
    ("POST", "/api/desk/dossiers/{dossier_id}/undo"): (409,),
}


def _statuses(route: HTTPRoute, method: str) -> set[int]:
    """The error answers an operation can give, from what it takes and who may call it."""
    handler, model = route.route_handler_map[method]  # type: ignore[index]
    has_body = "data" in model.expected_reserved_kwargs or bool(
        model.expected_form_data or model.expected_msgpack_data
    )
    has_parameters = bool(
        model.expected_path_params
        or model.expected_query_params
        or model.expected_header_params
        or model.expected_cookie_params
    )
    statuses = {400}  # a request the server cannot read is refused on every operation
    if handler.resolve_guards():
        statuses |= {401, 403}
    if has_parameters or has_body:
        statuses.add(404)  # what the path, the query or the body names may not exist
    if has_body:
        statuses.add(413)
    statuses |= set(EXTRA_STATUSES.get((method, route.path_format), ()))
    return statuses


def _error_response(status: int) -> ResponseSpec:
    body = error_for_status(status)
    return ResponseSpec(
        data_container=ErrorBody,
        generate_examples=False,
        description=f"{body.message_en} Code {body.code!r} or a more precise one.",
    )


class ErrorResponses(ReceiveRoutePlugin):
    """Makes ``/schema`` say what the API answers: every error of an API operation is an ``ErrorBody``.

    Without it Litestar describes a 400 in its own shape (``status_code``, ``detail``,
    ``extra``), which this API never sends. A status an operation declares itself is kept;
    ``special`` describes answers of another shape (``/health``'s 503).
    """

    __slots__ = ("special",)

    def __init__(self, special: dict[tuple[str, str], dict[int, ResponseSpec]] | None = None) -> None:
        self.special = special or {}

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(("/api/", "/health")):
            return
        for handler in route.route_handlers:
            declared = dict(handler.responses or {})
            for method in handler.http_methods:
                for status, spec in self.special.get((method, route.path_format), {}).items():
                    declared.setdefault(status, spec)
                for status in sorted(_statuses(route, method)):
                    declared.setdefault(status, _error_response(status))
            handler.responses = declared


__all__ = [
    "EXCEPTION_HANDLERS",
    "ApiError",
    "ErrorBody",
    "ErrorResponses",
    "FieldError",
    "NotFoundException",
    "PermissionDeniedException",
    "handle_exception",
    "refuse_nul_bytes",
    "safe_traceback",
]
