"""Words people read on the server-rendered pages: Vietnamese first, English second."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from typing import Any

from jinja2 import pass_context

LANGUAGES = ("vi", "en")
# Vietnam keeps UTC+7 all year (no daylight saving), so no time-zone database is needed.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
LANGUAGE_COOKIE = "lang"

TEXT: dict[str, tuple[str, str]] = {
    "ratings_satisfied": ("Người dân hài lòng", "Residents satisfied"),
    "ratings_detail": (
        "{} hài lòng · {} bình thường · {} không hài lòng",
        "{} satisfied · {} neutral · {} dissatisfied",
    ),
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
    "move_ready": ("Báo có kết quả", "Mark the result ready"),
    "move_delivered": ("Trả kết quả", "Hand the result over"),
    "move_rejected": ("Từ chối hồ sơ", "Refuse"),
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
    # Routes
    "routes": ("Lộ trình", "Routes"),
    "route_new": ("Tạo lộ trình", "New route"),
    "route_none": ("Chưa có lộ trình nào.", "No routes yet."),
    "route_commune": ("Xã", "Commune"),
    "route_show": ("Xem", "Show"),
    "route_day": ("Ngày đi", "Day"),
    "route_today": ("Hôm nay", "Today"),
    "route_note": ("Ghi chú", "Note"),
    "route_campaign": ("Chiến dịch", "Campaign"),
    "route_no_campaign": ("Không thuộc chiến dịch nào", "No campaign"),
    "route_stop": ("Điểm dừng", "Stop"),
    "route_stops_hint": (
        "Điền theo thứ tự sẽ đi. Cần thêm một điểm nữa thì bấm “Thêm điểm dừng”; điểm để trống không được lưu.",
        "Fill them in the order of the visit. For one more, press “Add a stop”; an empty stop is not saved.",
    ),
    "route_village": ("Thôn", "Village"),
    "route_choose_village": ("— Chọn thôn —", "— Choose a village —"),
    "route_meeting_point": ("Nơi tập trung", "Meeting point"),
    "route_starts_at": ("Giờ bắt đầu", "Start time"),
    "route_ends_at": ("Giờ kết thúc", "End time"),
    "route_team": ("Đội tình nguyện viên", "Volunteer team"),
    "route_no_volunteers": ("Xã chưa có tình nguyện viên nào.", "The commune has no volunteers yet."),
    "route_save": ("Lưu lộ trình", "Save the route"),
    "route_delete": ("Xóa lộ trình", "Delete the route"),
    # Dashboard, campaigns and exports
    "dashboard": ("Bảng theo dõi", "Dashboard"),
    "campaigns": ("Chiến dịch", "Campaigns"),
    "campaign": ("Chiến dịch", "Campaign"),
    "village": ("Thôn", "Village"),
    "all_my_communes": ("Tất cả xã của tôi", "All my communes"),
    "all_villages": ("Tất cả thôn", "All villages"),
    "no_campaign": ("Không theo chiến dịch", "No campaign"),
    "date_from": ("Từ ngày", "From"),
    "date_to": ("Đến ngày", "To"),
    "show": ("Xem", "Show"),
    "reset_filters": ("Bỏ lọc", "Clear filters"),
    "filters": ("Bộ lọc", "Filters"),
    "change_filters": ("Chọn xã, chiến dịch, thời gian, thôn", "Choose commune, campaign, dates, village"),
    "campaign_sets_commune": (
        "Đã chọn chiến dịch: xã và thời gian lấy theo chiến dịch (trừ khi bạn chọn ngày khác).",
        "A campaign is chosen: the commune and dates are the campaign's (unless you choose other dates).",
    ),
    "n_days": ("{} ngày", "{} days"),
    "key_figures": ("Số liệu chính", "Key figures"),
    "residents_helped": ("Người dân được hỗ trợ", "Residents helped"),
    "newly_registered": ("{} người đăng ký mới", "{} newly registered"),
    "digital_citizens_completed": ("Hoàn thành công dân số", "Digital citizens completed"),
    "to_date": ("Tổng đến cuối kỳ: {}", "In all by the end: {}"),
    "dossiers_written": ("Hồ sơ đã lập", "Dossiers written"),
    "on_time_rate": ("Tỷ lệ đúng hạn", "On time"),
    "of_results": ("{} / {} kết quả", "{} of {} results"),
    "median_to_result": ("Thời gian giải quyết (trung vị)", "Median time to result"),
    "acceptance_to_result": ("từ tiếp nhận đến có kết quả", "from acceptance to result"),
    "volunteers_active": ("Tình nguyện viên hoạt động", "Volunteers active"),
    "villages_visited": ("Thôn đã đến", "Villages visited"),
    "chart_timeline": ("Người dân được hỗ trợ mỗi ngày", "Residents helped each day"),
    "chart_timeline_week": ("Người dân được hỗ trợ mỗi tuần", "Residents helped each week"),
    "peak": ("Cao nhất", "Highest"),
    "chart_checklist": ("Các bước công dân số", "Digital-citizen checklist"),
    "checklist_among": (
        "Trạng thái mới nhất của từng bước, trong {} người dân được hỗ trợ.",
        "Each step's newest state, among the {} residents helped.",
    ),
    "chart_procedures": ("Hồ sơ theo thủ tục", "Dossiers by procedure"),
    "dossiers_by_status": ("Hồ sơ theo thủ tục và trạng thái", "Dossiers by procedure and status"),
    "total": ("Tổng", "Total"),
    "group_open": ("Đang xử lý", "In hand"),
    "group_result": ("Có kết quả hoặc đã trả kết quả", "Result ready or handed over"),
    "group_stopped": ("Từ chối hoặc rút hồ sơ", "Refused or withdrawn"),
    "chart_villages": ("Người dân được hỗ trợ theo thôn", "Residents helped by village"),
    "villages_not_visited": ("Thôn chưa đến", "Villages not yet visited"),
    "every_village_visited": ("Đã đến mọi thôn.", "Every village has been visited."),
    "nothing_yet": ("Chưa có số liệu trong thời gian này.", "Nothing in this period yet."),
    "step_vneid_installed": ("Cài ứng dụng VNeID", "VNeID installed"),
    "step_vneid_level1": ("Tài khoản định danh mức 1", "Level-1 account"),
    "step_vneid_level2": ("Kích hoạt mức 2", "Level-2 activation"),
    "step_portal_login": ("Đăng nhập Cổng DVC", "Portal login"),
    "step_sim_standardised": ("Chuẩn hóa thuê bao SIM", "SIM data standardised"),
    "step_bank_account": ("Ngân hàng hoặc ví điện tử", "Bank account or e-wallet"),
    "step_first_online_submission": ("Tự nộp hồ sơ trực tuyến", "First online submission"),
    "state_done": ("Đã xong", "Done"),
    "state_not_applicable": ("Không áp dụng", "Not applicable"),
    "state_follow_up": ("Cần theo dõi", "Follow up"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "exports": ("Xuất báo cáo tuần", "Weekly report exports"),
    "export_dossiers": ("Hồ sơ", "Dossiers"),
    "export_register": ("Sổ công dân số", "Digital-citizen register"),
    "ids_full_note": (
        "Số định danh cá nhân được xuất đầy đủ (cán bộ một cửa, quản trị viên).",
        "Personal ID numbers are exported in full (desk officers, administrators).",
    ),
    "ids_masked_note": (
        "Số định danh cá nhân được che, chỉ hiện 4 số cuối (********1234).",
        "Personal ID numbers are masked to their last four digits (********1234).",
    ),
    "export_audited": (
        "Mỗi lần xuất được ghi vào nhật ký truy cập.",
        "Every export is written to the audit log.",
    ),
    "col_tracking_code": ("Mã hồ sơ", "Tracking code"),
    "col_portal_code": ("Mã hồ sơ trên Cổng DVC", "Portal code"),
    "col_procedure": ("Thủ tục", "Procedure"),
    "col_procedure_code": ("Mã thủ tục", "Procedure code"),
    "col_status": ("Trạng thái", "Status"),
    "col_resident": ("Người dân", "Resident"),
    "col_personal_id": ("Số định danh cá nhân", "Personal ID number"),
    "col_village": ("Thôn", "Village"),
    "col_commune": ("Xã", "Commune"),
    "col_volunteer": ("Tình nguyện viên", "Volunteer"),
    "col_written_at": ("Lập lúc", "Written at"),
    "col_received_at": ("Nhận lúc", "Received at"),
    "col_accepted_at": ("Tiếp nhận lúc", "Accepted at"),
    "col_deadline_at": ("Hạn trả kết quả", "Deadline"),
    "col_result_at": ("Có kết quả lúc", "Result at"),
    "col_on_time": ("Đúng hạn", "On time"),
    "col_hours_to_result": ("Số giờ đến khi có kết quả", "Hours to result"),
    "col_birth_date": ("Ngày sinh", "Date of birth"),
    "col_sex": ("Giới tính", "Sex"),
    "col_registered_by": ("Người đăng ký", "Registered by"),
    "col_registered_at": ("Đăng ký lúc", "Registered at"),
    "col_digital_citizen": ("Công dân số", "Digital citizen"),
    "col_completed_at": ("Hoàn thành lúc", "Completed at"),
    "definitions": ("Cách tính", "How the figures are counted"),
    "period": ("Thời gian", "Period"),
    "def_period": (
        "Từ 0 giờ ngày bắt đầu đến hết ngày kết thúc, giờ Việt Nam, theo thời điểm ghi trên điện thoại.",
        "From midnight of the first day to the end of the last day, Vietnam time, by when each record was written on the phone.",
    ),
    "def_helped": (
        "Số người dân được đăng ký, được đánh dấu một bước công dân số hoặc được lập hồ sơ trong thời gian này (mỗi người tính một lần).",
        "Residents registered, with a digital-citizen step ticked or with a dossier written in the period (each person once).",
    ),
    "def_digital_citizen": (
        "Người dân có trạng thái mới nhất là “Đã xong” hoặc “Không áp dụng” ở cả 7 bước: cài VNeID, tài khoản mức 1, kích hoạt mức 2, đăng nhập Cổng Dịch vụ công, chuẩn hóa thuê bao, tài khoản ngân hàng hoặc ví, tự nộp hồ sơ trực tuyến. Được tính vào thời gian có bước cuối cùng hoàn thành.",
        "A resident whose newest state is “Done” or “Not applicable” for all 7 steps: VNeID installed, level-1 account, level-2 activation, portal login, SIM data standardised, bank account or e-wallet, first online submission. Counted in the period in which the last step was fulfilled.",
    ),
    "def_villages": (
        "Thôn có ít nhất một người dân được đăng ký, đánh dấu một bước hoặc lập hồ sơ trong thời gian này.",
        "A village with at least one resident registered, ticked or with a dossier written in the period.",
    ),
    "def_dossiers": (
        "Hồ sơ lập trong thời gian này, theo trạng thái hiện tại.",
        "Dossiers written in the period, by their status now.",
    ),
    "def_on_time": (
        "Trong các hồ sơ có kết quả (có kết quả, từ chối hoặc rút) trong thời gian này và đã được tiếp nhận có hạn: số có kết quả không muộn hơn hạn.",
        "Among dossiers with a result (result ready, refused or withdrawn) in the period that had a deadline: those whose result came no later than the deadline.",
    ),
    "def_median": (
        "Trung vị thời gian (giờ lịch) từ lúc tiếp nhận đến lúc có kết quả, của cùng các hồ sơ đó.",
        "The median calendar time from acceptance to result, over the same dossiers.",
    ),
    "def_volunteers": (
        "Số tình nguyện viên đã đăng ký người dân, đánh dấu một bước hoặc lập hồ sơ trong thời gian này.",
        "Volunteers who registered a resident, ticked a step or wrote a dossier in the period.",
    ),
    "def_masking": (
        "Trong tệp xuất, cán bộ một cửa và quản trị viên thấy đủ 12 số; điều phối viên chỉ thấy 4 số cuối. Mỗi lần xuất được ghi vào nhật ký.",
        "In exports, desk officers and administrators see all 12 digits; coordinators see only the last four. Every export is logged.",
    ),
    "new_campaign": ("Tạo chiến dịch", "New campaign"),
    "create_campaign": ("Tạo chiến dịch", "Create the campaign"),
    "no_campaigns": ("Chưa có chiến dịch nào.", "No campaigns yet."),
    "campaign_name": ("Tên chiến dịch", "Campaign name"),
    "campaign_name_example": (
        "Ví dụ: 1.000 công dân số trong 60 ngày",
        "e.g. 1,000 digital citizens in 60 days",
    ),
    "choose_commune": ("Chọn xã", "Choose a commune"),
    "starts_on": ("Ngày bắt đầu", "Starts on"),
    "ends_on": ("Ngày kết thúc", "Ends on"),
    "targets": ("Chỉ tiêu", "Targets"),
    "target": ("Chỉ tiêu", "Target"),
    "targets_hint": (
        "Ghi 0 cho chỉ tiêu không đặt ra. Tiến độ tính trong đúng thời gian của chiến dịch.",
        "Write 0 for a target you do not set. Progress counts within the campaign's dates.",
    ),
    "target_digital_citizens": ("Công dân số hoàn thành", "Digital citizens completed"),
    "target_dossiers": ("Hồ sơ đã lập", "Dossiers written"),
    "target_villages": ("Thôn đã đến", "Villages visited"),
    "progress": ("Tiến độ", "Progress"),
    "progress_digital_citizens": ("Công dân số", "Digital citizens"),
    "progress_dossiers": ("Hồ sơ", "Dossiers"),
    "progress_villages": ("Thôn đã đến", "Villages visited"),
    "done_so_far": ("Đã đạt", "So far"),
    "days_left": ("Còn {} ngày", "{} days left"),
    "last_day": ("Hôm nay là ngày cuối", "Today is the last day"),
    "starts_in": ("Bắt đầu sau {} ngày", "Starts in {} days"),
    "campaign_ended": ("Đã kết thúc", "Ended"),
    "pace_today": ("Mốc hôm nay: {}", "Due by today: {}"),
    "pace_note": (
        "Vạch đen: số cần đạt đến hôm nay nếu làm đều mỗi ngày.",
        "Black mark: where the count should be today at an even pace.",
    ),
    "in_this_campaign": ("Trong chiến dịch", "In this campaign"),
    "open_dashboard": ("Mở bảng theo dõi", "Open the dashboard"),
    # Who heard the news (motcua.reach.service)
    "reach": ("Người dân đã nhận tin chưa", "Did residents hear the news"),
    "reach_intro": (
        "Tin mới nhất của mỗi hồ sơ: người dân đã nhận thông báo, đã xem trang hồ sơ, hay cần gọi điện hoặc đến nhà báo.",
        "Each dossier's newest news: did the resident get the notification, open the status page, or must someone call or visit?",
    ),
    "reach_summary": ("Đã nhận tin: {} / {} hồ sơ", "Heard the news: {} of {} dossiers"),
    "reach_only_unreached": ("Chỉ hồ sơ chưa báo được", "Only those not reached"),
    "reach_all": ("Tất cả hồ sơ", "All dossiers"),
    "reach_none": ("Không có hồ sơ nào.", "No dossiers."),
    "reach_mine": ("Cần gọi hoặc đến nhà báo tin", "Call or visit to tell"),
    "reach_mine_intro": (
        "Những người dân này chưa nhận được tin mới nhất của hồ sơ qua điện thoại. Hãy gọi điện hoặc đến nhà báo, rồi bấm nút.",
        "These residents did not get their dossier's newest news on a phone. Call or visit them, then press a button.",
    ),
    "reach_mine_empty": ("Không còn ai cần báo tin. Cảm ơn bạn!", "Nobody is waiting for news. Thank you!"),
    "reach_told_call": ("Đã gọi điện báo", "Told by phone"),
    "reach_told_visit": ("Đã đến nhà báo", "Told at home"),
    "reach_news": ("Tin mới nhất", "Newest news"),
    "reach_state": ("Đã nhận tin?", "Heard it?"),
    "reach_show": ("Xem", "Show"),
    # tasks
    "volunteer_work": ("Việc tình nguyện viên đã làm", "What each volunteer got done"),
    "col_supplements_sent": ("Hồ sơ đã bổ sung", "Supplements sent"),
    "col_residents_told": ("Người dân đã được báo tin", "Residents told"),
    "col_steps_ticked": ("Bước công dân số đã đánh dấu", "Checklist steps ticked"),
    "no_volunteer_work": ("Chưa có việc nào trong thời gian này.", "Nothing done in the period."),
    "def_volunteer_work": (
        "Hồ sơ đã bổ sung: số lần gửi lại hồ sơ (lần sửa thứ 2 trở đi) khi một cửa đang chờ bổ sung. Người dân đã được báo tin: số lần tình nguyện viên bấm «Đã báo» sau khi gọi điện hoặc đến nhà, mỗi tin một lần. Bước đã đánh dấu: số lần đánh dấu một bước công dân số. Chỉ tính việc ở các xã bạn phụ trách.",
        'Supplements sent: dossiers sent again (revision 2 or later) while the desk waited for a supplement. Residents told: "Told" pressed after a call or a visit, once per news. Steps ticked: digital-citizen checklist ticks. Only work in your communes counts.',
    ),
    # desk: search, confirm, undo, the office menu
    "office_menu": ("Các trang làm việc", "Office pages"),
    "menu_reach": ("Báo tin cho người dân", "Residents told"),
    "search": ("Tìm", "Search"),
    "search_hint": (
        "Mã hồ sơ, tên người dân (có dấu hoặc không) hoặc các số cuối của số định danh",
        "Tracking code, resident's name (accents optional) or the last digits of the ID number",
    ),
    "all_choices": ("Tất cả", "All"),
    "clear_filters": ("Bỏ lọc", "Clear the filters"),
    "col_submitted": ("Ngày nộp", "Submitted"),
    "waiting_days": ("{} {} ngày", "{} for {} days"),
    "waiting_today": ("{} từ hôm nay", "{} since today"),
    "supplemented": ("Đã bổ sung", "Supplement arrived"),
    "n_found": ("{} hồ sơ", "{} dossiers"),
    "page_n": ("Trang {} / {}", "Page {} of {}"),
    "previous_page": ("Trang trước", "Previous page"),
    "next_page": ("Trang sau", "Next page"),
    "supplement_asked": ("Yêu cầu bổ sung", "Supplement asked"),
    "supplement_sent": ("Điện thoại gửi bổ sung", "Supplement sent from the phone"),
    "supplement_complete": ("Đủ giấy tờ bổ sung", "Supplement complete"),
    "confirm_final": (
        "Tôi xác nhận chuyển hồ sơ sang “{}”: sau bước này hồ sơ kết thúc.",
        "I confirm the move to “{}”: the dossier ends with it.",
    ),
    "undo": ("Hoàn tác", "Undo"),
    "undo_offer": (
        "Bạn vừa chuyển hồ sơ sang “{}”. Có thể hoàn tác trong {} phút nữa.",
        "You just moved the dossier to “{}”. You can undo it for {} more minutes.",
    ),
    "undo_notified": (
        "Người dân có thể đã nhận thông báo về bước này; hoàn tác không thu hồi được thông báo.",
        "The resident may already have been notified of this move; an undo does not call it back.",
    ),
    "undone": ("Đã hoàn tác bước vừa rồi.", "The last move was undone."),
    "undone_event": ("hoàn tác", "undone"),
    # coordinators
    "n_villages": ("{} thôn/buôn", "{} villages"),
    "commune_has_villages": ("{} có {} thôn/buôn.", "{} has {} villages."),
    "villages_bound": (
        "Không quá số thôn/buôn của xã đã chọn.",
        "At most the number of villages of the chosen commune.",
    ),
    "route_edit": ("Sửa lộ trình", "Edit the route"),
    "route_edit_of": ("Sửa lộ trình ngày {}", "Edit the route of {}"),
    "route_add_stop": ("Thêm điểm dừng", "Add a stop"),
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
def said(context: Any, message: Any) -> str:
    """Jinja global: an error's (or a field error's) message in the request's language.

    The API keeps both ``message_vi`` and ``message_en``; a page shows only the reader's one.
    """
    english = current_lang(context) == "en"
    name = "message_en" if english else "message_vi"
    if isinstance(message, dict):
        return str(message.get(name, ""))
    return str(getattr(message, name, ""))


@pass_context
def current_lang(context: Any) -> str:
    request = context.get("request")
    return language_of(dict(request.cookies)) if request is not None else "vi"


def local_time(moment: datetime) -> str:
    """Jinja filter: a stored UTC time as people in Vietnam read it, e.g. ``21/11/2026 14:41``."""
    return moment.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _day(value: datetime | date | str) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(VIETNAM_TIME).date()
    if isinstance(value, date):
        return value
    found = _ISO_DATE.match(value.strip())
    if found is None:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def local_date(value: datetime | date | str | None) -> str:
    """Jinja filter: a day as Vietnamese papers write it, ``02/11/2026``.

    Takes a stored UTC time (its day in Vietnam), a date, or a form's ISO date string
    (``2026-11-02``); any other text is returned as it is, and nothing gives ``""``.
    """
    if value is None or value == "":
        return ""
    day = _day(value)
    return day.strftime("%d/%m/%Y") if day else str(value)


def date_in_words(value: datetime | date) -> str:
    """Jinja filter: the date of a signed paper, ``ngày 01 tháng 12 năm 2026`` (no time)."""
    day = value.astimezone(VIETNAM_TIME).date() if isinstance(value, datetime) else value
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def vietnamese_sort_key(text: str) -> tuple[str, str]:
    """Sort as a Vietnamese reader expects: by the letters first, then by the marks.

    Plain code-point order puts "Chứng" before "Cấp"; comparing the unmarked letters
    ("Chung", "Cap") first gives the dictionary order.
    """
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold(), text
