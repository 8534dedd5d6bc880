"""Words people read on the server-rendered pages: Vietnamese first, English second."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from jinja2 import pass_context

LANGUAGES = ("vi", "en")
# Vietnam keeps UTC+7 all year (no daylight saving), so no time-zone database is needed.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
LANGUAGE_COOKIE = "lang"

TEXT: dict[str, tuple[str, str]] = {
    "app_name": ("Một cửa lưu động", "Mobile one-stop desk"),
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "phone": ("Số điện thoại", "Phone number"),
    "password": ("Mật khẩu", "Password"),
    "office": ("Trang làm việc", "Workspace"),
    "my_places": ("Địa bàn của tôi", "My places"),
    "villages": ("Thôn, buôn, bản", "Villages"),
    "no_villages": ("Chưa có thôn nào.", "No villages yet."),
    "add_village": ("Thêm thôn", "Add a village"),
    "village_name": ("Tên thôn", "Village name"),
    "add": ("Thêm", "Add"),
    "devices": ("Thiết bị đang đăng nhập", "Signed-in devices"),
    "this_device": ("thiết bị này", "this device"),
    "revoke": ("Thu hồi", "Revoke"),
    "last_seen": ("Lần cuối", "Last seen"),
    "role_admin": ("Quản trị viên", "Administrator"),
    "role_coordinator": ("Điều phối viên", "Coordinator"),
    "role_desk_officer": ("Cán bộ một cửa", "Desk officer"),
    "role_volunteer": ("Tình nguyện viên", "Volunteer"),
    "no_places": ("Tài khoản chưa được giao địa bàn.", "No places are assigned to this account."),
    "all_places": ("Toàn quốc", "Whole country"),
    "error": ("Có lỗi", "Something went wrong"),
    "back_home": ("Về trang chính", "Back to the start"),
    "language_other": ("English", "Tiếng Việt"),
    "open_app": ("Mở ứng dụng tình nguyện viên", "Open the volunteer app"),
    "app_coming": (
        "Ứng dụng cho điện thoại tình nguyện viên đang được xây dựng.",
        "The volunteer phone app is being built.",
    ),
}


def language_of(cookies: dict[str, str]) -> str:
    lang = cookies.get(LANGUAGE_COOKIE, "vi")
    return lang if lang in LANGUAGES else "vi"


def translate(key: str, lang: str) -> str:
    vi, en = TEXT[key]
    return en if lang == "en" else vi


@pass_context
def t(context: Any, key: str) -> str:
    """Jinja global: the text for ``key`` in the request's language."""
    request = context.get("request")
    return translate(key, language_of(dict(request.cookies)) if request is not None else "vi")


@pass_context
def current_lang(context: Any) -> str:
    request = context.get("request")
    return language_of(dict(request.cookies)) if request is not None else "vi"


def local_time(moment: datetime) -> str:
    """Jinja filter: a stored UTC time as people in Vietnam read it, e.g. ``21/11/2026 14:41``."""
    return moment.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")
