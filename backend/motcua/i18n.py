"""Words people read on the server-rendered pages: Vietnamese first, English second."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

from jinja2 import pass_context

LANGUAGES = ("vi", "en")
# Vietnam keeps UTC+7 all year (no daylight saving), so no time-zone database is needed.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
LANGUAGE_COOKIE = "lang"

TEXT: dict[str, tuple[str, str]] = {
    # The desk
    # The working calendar
    "calendar": ("Lịch làm việc", "Working calendar"),
    "desk_hours": ("Giờ tiếp nhận hồ sơ", "Desk hours"),
    "desk_hours_hint": (
        "Ghi các khoảng giờ, cách nhau bằng dấu phẩy; để trống ngày không làm việc. Hạn trả kết quả chỉ tính giờ này.",
        "Write the open spans, separated by commas; leave closed days empty. Deadlines count only these hours.",
    ),
    "weekday_mon": ("Thứ Hai", "Monday"),
    "weekday_tue": ("Thứ Ba", "Tuesday"),
    "weekday_wed": ("Thứ Tư", "Wednesday"),
    "weekday_thu": ("Thứ Năm", "Thursday"),
    "weekday_fri": ("Thứ Sáu", "Friday"),
    "weekday_sat": ("Thứ Bảy", "Saturday"),
    "weekday_sun": ("Chủ Nhật", "Sunday"),
    "calendar_overrides": ("Ngày nghỉ thêm và ngày làm bù", "Extra days off and swapped working days"),
    "calendar_overrides_hint": (
        "Ngày lễ, Tết theo luật đã được tính sẵn. Ghi thêm các ngày theo thông báo của Chính phủ hoặc của xã.",
        "Public holidays and Tết are already counted. Add the days the government's or the commune's notices set.",
    ),
    "day": ("Ngày", "Day"),
    "kind": ("Loại", "Kind"),
    "day_off": ("Nghỉ", "Day off"),
    "working_day": ("Làm việc (làm bù)", "Working day (swap)"),
    "applies_to": ("Áp dụng cho", "Applies to"),
    "nationwide": ("Toàn quốc", "Nationwide"),
    "save": ("Lưu", "Save"),
    "remove": ("Bỏ", "Remove"),
    # Managing volunteers
    "volunteers": ("Tình nguyện viên", "Volunteers"),
    "invite_volunteer": ("Mời tình nguyện viên", "Invite a volunteer"),
    "invite_ready": ("Đường dẫn mời đã sẵn sàng", "The invitation is ready"),
    "invite_how": (
        "Cho tình nguyện viên quét mã QR bằng điện thoại của họ (hoặc gửi đường dẫn qua Zalo) để tự đặt mật khẩu.",
        "Let the volunteer scan the QR code with their phone (or send the link) to set their own password.",
    ),
    "invite_expires": ("Hết hạn", "Expires"),
    "invite_again": ("Gửi lại lời mời", "Invite again"),
    "sign_out_phones": ("Đăng xuất mọi điện thoại", "Sign out every phone"),
    "deactivate": ("Ngừng hoạt động", "Deactivate"),
    "reactivate": ("Cho hoạt động lại", "Reactivate"),
    "active": ("Đang hoạt động", "Active"),
    "inactive": ("Đã ngừng", "Deactivated"),
    "devices_signed_in": ("Điện thoại đang đăng nhập", "Phones signed in"),
    "full_name": ("Họ và tên", "Full name"),
    "commune": ("Xã", "Commune"),
    "welcome": ("Chào mừng", "Welcome"),
    "invite_set_password": (
        "Đặt mật khẩu cho tài khoản tình nguyện viên của bạn. Mật khẩu chỉ mình bạn biết.",
        "Set the password of your volunteer account. Only you should know it.",
    ),
    "new_password": ("Mật khẩu mới (ít nhất 8 ký tự)", "New password (at least 8 characters)"),
    "repeat_password": ("Nhập lại mật khẩu", "Repeat the password"),
    "save_and_open_app": ("Lưu và mở ứng dụng", "Save and open the app"),
    "need_elderly": ("Người cao tuổi", "Elderly"),
    "need_disability": ("Người khuyết tật", "Disability"),
    "need_low_vision": ("Nhìn kém", "Low vision"),
    "need_hard_of_hearing": ("Nghe kém", "Hard of hearing"),
    "need_interpreter": ("Cần phiên dịch", "Needs an interpreter"),
    "need_bedridden": ("Nằm một chỗ", "Bedridden"),
    "desk_inbox": ("Hồ sơ tiếp nhận", "Desk inbox"),
    "desk_open": ("Đang xử lý", "Open"),
    "desk_done": ("Đã xong", "Finished"),
    "desk_empty": ("Không có hồ sơ nào.", "No dossiers."),
    "overdue": ("Quá hạn", "Overdue"),
    "due_soon": ("Sắp đến hạn", "Due soon"),
    "deadline": ("Hạn trả kết quả", "Deadline"),
    "missing_files": ("Còn thiếu tệp", "Files still missing"),
    "not_arrived": ("Chưa nhận được", "Not arrived yet"),
    "next_step": ("Bước tiếp theo", "Next step"),
    "portal_code": ("Mã hồ sơ trên Cổng dịch vụ công", "National portal dossier code"),
    "reason_needs_supplement": ("Giấy tờ cần bổ sung", "Papers to add"),
    "reason_rejected": ("Lý do từ chối", "Reason for rejection"),
    "reason_withdrawn": ("Lý do rút hồ sơ", "Reason for withdrawal"),
    "move_accepted": ("Tiếp nhận hồ sơ", "Accept"),
    "move_in_progress": ("Bắt đầu giải quyết", "Start processing"),
    "move_needs_supplement": ("Yêu cầu bổ sung", "Ask for a supplement"),
    "move_ready": ("Đã có kết quả", "Result ready"),
    "move_delivered": ("Đã trả kết quả", "Result handed over"),
    "move_rejected": ("Từ chối", "Reject"),
    "move_withdrawn": ("Rút hồ sơ", "Withdraw"),
    "resident": ("Người dân", "Resident"),
    "personal_id": ("Số định danh", "Personal ID number"),
    "sex_male": ("Nam", "Male"),
    "sex_female": ("Nữ", "Female"),
    "volunteer": ("Tình nguyện viên", "Volunteer"),
    "declaration": ("Tờ khai", "Declaration"),
    "papers": ("Giấy tờ và chữ ký", "Papers and signature"),
    "signature": ("Chữ ký", "Signature"),
    "history": ("Quá trình xử lý", "History"),
    "written_on_phone": ("Tình nguyện viên lập hồ sơ", "Written by the volunteer"),
    "print_declaration": ("In tờ khai đã điền sẵn", "Print the pre-filled declaration"),
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
    "guides": ("Hướng dẫn thủ tục", "Procedure guides"),
    "guides_intro": (
        "Chọn một thủ tục để xem cần mang giấy tờ gì, mất bao lâu, lệ phí bao nhiêu và nơi giải quyết.",
        "Choose a procedure to see which papers to bring, how long it takes, what it costs and who decides it.",
    ),
    "no_procedures": ("Chưa có thủ tục nào được công bố.", "No procedure is published yet."),
    "papers_to_bring": ("Giấy tờ cần mang", "Papers to bring"),
    "papers_required": ("Bắt buộc", "Required"),
    "papers_optional": ("Mang thêm nếu có hoặc khi cần", "Also bring if you have them or if needed"),
    "processing_time": ("Thời gian giải quyết", "Processing time"),
    "statutory_limit": ("Theo quy định", "By law"),
    "fast_track_target": ("Mục tiêu của xã", "The commune's target"),
    "fee": ("Lệ phí", "Fee"),
    "authority": ("Nơi giải quyết", "Where it is decided"),
    "legal_basis": ("Căn cứ pháp lý", "Legal basis"),
    "last_checked": ("Thông tin được kiểm tra lần cuối", "Information last checked"),
    "unconfirmed": ("Thông tin chưa được xác nhận", "Not confirmed"),
    "unconfirmed_warning": (
        "Một số thông tin dưới đây chưa được xác nhận. Hãy hỏi bộ phận một cửa của xã trước khi đi.",
        "Some of the information below is not confirmed. Ask the commune's one-stop desk before you go.",
    ),
    "unconfirmed_other": ("Thông tin khác chưa được xác nhận", "Other information not confirmed"),
    "print_poster": ("In áp phích A4 có mã QR", "Print the A4 poster with a QR code"),
    "all_procedures": ("Tất cả thủ tục", "All procedures"),
    "poster_kicker": ("Hướng dẫn thủ tục hành chính", "Administrative procedure guide"),
    "scan_for_guide": (
        "Quét mã QR bằng điện thoại để xem hướng dẫn đầy đủ",
        "Scan the QR code with a phone for the full guide",
    ),
    "print_hint": (
        "Dùng lệnh In của trình duyệt (Ctrl+P), khổ giấy A4, rồi dán ở nơi họp thôn.",
        "Use the browser's Print command (Ctrl+P) on A4 paper, then pin it up at the village meeting place.",
    ),
    "back_to_guide": ("Về trang hướng dẫn", "Back to the guide"),
    "volunteer_help": (
        "Tình nguyện viên thanh niên giúp bà con chuẩn bị hồ sơ tại thôn.",
        "Youth volunteers help residents prepare their papers in the village.",
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


def vietnamese_sort_key(text: str) -> tuple[str, str]:
    """Sort as a Vietnamese reader expects: by the letters first, then by the marks.

    Plain code-point order puts "Chứng" before "Cấp"; comparing the unmarked letters
    ("Chung", "Cap") first gives the dictionary order.
    """
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold(), text
