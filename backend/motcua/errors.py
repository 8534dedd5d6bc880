"""The one error shape of the API: a machine code, a Vietnamese and an English message, field errors."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

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
    413: ("too_large", "Dữ liệu gửi lên quá lớn.", "What was sent is too large."),
    429: ("too_many_requests", "Quá nhiều yêu cầu, vui lòng thử lại sau.", "Too many requests, try later."),
    500: (
        "server_error",
        "Máy chủ gặp lỗi. Dữ liệu của bạn vẫn an toàn.",
        "Server error. Your data is safe.",
    ),
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


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Turn any exception into the one error shape (JSON) or the error page (browsers)."""
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        status, body, headers = exc.status_code, exc.body, exc.headers
    elif isinstance(exc, ValidationException):
        status, body = 400, msgspec.structs.replace(error_for_status(400), fields=_validation_fields(exc))
    elif isinstance(exc, HTTPException):
        status, body = exc.status_code, error_for_status(exc.status_code)
        headers = dict(exc.headers or {})
    else:
        log.exception("unhandled error", extra={"path": request.url.path})
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

__all__ = [
    "EXCEPTION_HANDLERS",
    "ApiError",
    "ErrorBody",
    "FieldError",
    "NotFoundException",
    "PermissionDeniedException",
    "handle_exception",
]
