// Every word the app shows, Vietnamese first with full diacritics, English second.

import { WORDS } from "./words.js";

/** ``{key: {vi, en}}`` of the shared catalogue as ``{"section.key": [vi, en]}``. */
function pairs(section, words) {
  return Object.fromEntries(
    Object.entries(words).map(([key, said]) => [`${section}.${key}`, [said.vi, said.en]]),
  );
}

// A text with a count may be {one, other} (English has a singular; Vietnamese does not change).
export const STRINGS = {
  app_name: ["Một cửa lưu động", "Mobile one-stop desk"],
  app_short: ["Một cửa", "One-stop"],
  all_sent_short: ["Đã gửi hết", "All sent"],
  nav_today: ["Hôm nay", "Today"],
  nav_residents: ["Người dân", "Residents"],
  nav_dossiers: ["Hồ sơ", "Dossiers"],
  nav_sync: ["Đồng bộ", "Sync"],
  menu: ["Thêm", "More"],
  switch_lang: ["English", "Tiếng Việt"],
  back: ["Quay lại", "Back"],
  cancel: ["Huỷ", "Cancel"],
  next: ["Tiếp tục", "Continue"],
  remove: ["Xoá", "Remove"],
  optional: ["không bắt buộc", "optional"],
  yes: ["Có", "Yes"],
  no: ["Không", "No"],
  choose: ["— Chọn —", "— Choose —"],
  form_required: ["Chưa điền mục này.", "This field is required."],
  fix_fields: [
    "Còn {n} mục chưa đúng, xem bên dưới.",
    { one: "1 field needs fixing, see below.", other: "{n} fields need fixing, see below." },
  ],

  // Sign-in, PIN, lock
  sign_in: ["Đăng nhập", "Sign in"],
  sign_in_intro: [
    "Đăng nhập một lần khi có mạng. Sau đó ứng dụng làm việc được nhiều ngày không cần mạng.",
    "Sign in once while online. After that the app works for days without a network.",
  ],
  phone: ["Số điện thoại", "Phone number"],
  password: ["Mật khẩu", "Password"],
  signing_in: ["Đang đăng nhập…", "Signing in…"],
  loading_data: ["Đang tải thôn, xã và danh mục thủ tục…", "Loading villages and the procedure catalogue…"],
  sign_in_offline: [
    "Cần có mạng để đăng nhập. Hãy thử lại khi có sóng.",
    "Signing in needs a network. Try again when there is signal.",
  ],
  sign_in_failed: ["Không đăng nhập được ({status}).", "Could not sign in ({status})."],
  session_expired: [
    "Phiên đăng nhập trên máy này đã hết hạn. Hãy đăng nhập lại khi có mạng — dữ liệu chưa gửi vẫn còn trên máy.",
    "This phone's sign-in has expired. Sign in again when online — unsent data is still on the phone.",
  ],
  other_user_unsent: [
    "Máy này còn {n} bản ghi chưa gửi của {name}. Hãy đăng nhập bằng tài khoản đó để gửi, hoặc xuất ra tệp trước.",
    {
      one: "This phone holds 1 unsent record of {name}. Sign in with that account to send it, or export it first.",
      other:
        "This phone holds {n} unsent records of {name}. Sign in with that account to send them, or export them first.",
    },
  ],
  pin_title: ["Đặt mã PIN cho máy này", "Set a PIN for this phone"],
  pin_intro: [
    "Ứng dụng tự khoá sau 5 phút không dùng. Mã PIN chỉ lưu trên máy này (dạng mã hoá), không gửi đi đâu.",
    "The app locks itself after 5 minutes unused. The PIN stays on this phone (hashed) and is never sent.",
  ],
  pin_new: ["Mã PIN (4–8 chữ số)", "PIN (4–8 digits)"],
  pin_repeat: ["Nhập lại mã PIN", "Repeat the PIN"],
  pin_save: ["Lưu mã PIN", "Save PIN"],
  "pin.format": ["Mã PIN gồm 4 đến 8 chữ số.", "A PIN is 4 to 8 digits."],
  "pin.weak": [
    "Mã PIN quá dễ đoán (ví dụ 1111, 1234). Hãy chọn mã khác.",
    "That PIN is too easy to guess (like 1111 or 1234).",
  ],
  "pin.mismatch": ["Hai lần nhập không giống nhau.", "The two PINs differ."],
  locked_title: ["Ứng dụng đã khoá", "The app is locked"],
  locked_intro: ["Nhập mã PIN của máy này để mở.", "Enter this phone's PIN to open it."],
  unlock: ["Mở khoá", "Unlock"],
  pin: ["Mã PIN", "PIN"],
  pin_wrong: [
    "Sai mã PIN. Còn {n} lần thử.",
    { one: "Wrong PIN. 1 try left.", other: "Wrong PIN. {n} tries left." },
  ],
  pin_locked_out: [
    "Đã nhập sai quá nhiều lần. Hãy đăng nhập lại bằng mật khẩu (cần mạng). Dữ liệu chưa gửi vẫn còn trên máy.",
    "Too many wrong PINs. Sign in again with the password (needs a network). Unsent data stays on the phone.",
  ],
  forgot_pin: ["Quên mã PIN? Đăng nhập lại", "Forgot the PIN? Sign in again"],

  // Today
  today_title: ["Hôm nay", "Today"],
  hello: ["Chào {name}", "Hello {name}"],
  route_title: ["Lộ trình hôm nay", "Today's route"],
  no_route: [
    "Chưa có lộ trình được giao. Làm việc tại các thôn của bạn dưới đây.",
    "No route assigned yet. Work in your villages below.",
  ],
  later_routes: ["Lộ trình sắp tới", "Coming routes"],
  team: ["Cùng đi: {names}", "Team: {names}"],
  my_places: ["Địa bàn của bạn", "Your places"],
  no_places: ["Chưa có thôn nào. Hãy đồng bộ khi có mạng.", "No villages yet. Sync when online."],
  residents_count: ["{n} người dân", { one: "1 resident", other: "{n} residents" }],
  register_resident: ["Đăng ký người dân", "Register a resident"],
  find_resident: ["Tìm người dân", "Find a resident"],
  new_dossier: ["Tạo hồ sơ mới", "New dossier"],
  unsent_summary: [
    "{n} bản ghi chưa gửi xong",
    { one: "1 record not fully sent", other: "{n} records not fully sent" },
  ],
  all_sent: ["Mọi bản ghi đã lên máy chủ", "Every record is on the server"],
  nothing_yet: ["Chưa có bản ghi nào cần gửi", "Nothing to send yet"],

  // Residents
  residents_title: ["Người dân", "Residents"],
  search_placeholder: ["Tên, số cuối CCCD hoặc số điện thoại", "Name, last digits of ID, or phone"],
  search_label: ["Tìm người dân", "Find a resident"],
  nobody_found: [
    "Không tìm thấy ai. Hãy thử tên không dấu hoặc đăng ký người mới.",
    "Nobody found. Try the name without accents, or register someone new.",
  ],
  born: ["Sinh {year}", "Born {year}"],
  pick_for_dossier: ["Chọn người dân cho hồ sơ mới", "Choose the resident for the new dossier"],
  in_village: ["Thôn: {name}", "Village: {name}"],
  all_villages: ["Mọi thôn", "All villages"],

  // Register
  register_title: ["Đăng ký người dân", "Register a resident"],
  full_name: ["Họ và tên", "Full name"],
  birth_date: ["Ngày sinh", "Date of birth"],
  sex: ["Giới tính", "Sex"],
  male: ["Nam", "Male"],
  female: ["Nữ", "Female"],
  personal_id: ["Số định danh cá nhân (CCCD)", "Personal ID number"],
  personal_id_hint: ["12 chữ số trên thẻ căn cước.", "12 digits on the ID card."],
  village: ["Thôn", "Village"],
  needs: ["Cần hỗ trợ", "Needs"],
  "need.elderly": ["Người cao tuổi", "Elderly"],
  "need.disability": ["Người khuyết tật", "Disability"],
  "need.low_vision": ["Nhìn kém", "Low vision"],
  "need.hard_of_hearing": ["Nghe kém", "Hard of hearing"],
  "need.interpreter": ["Cần phiên dịch", "Needs an interpreter"],
  "need.bedridden": ["Nằm một chỗ", "Bedridden"],
  interpreter_language: ["Ngôn ngữ phiên dịch", "Interpreter's language"],
  ethnicity: ["Dân tộc", "Ethnic group"],
  ethnicity_hint: ["Chỉ ghi khi người dân đồng ý ở mục trên.", "Only with the resident's consent above."],
  consent_title: ["Sự đồng ý của người dân", "The resident's consent"],
  consent_intro: [
    "Đọc to từng mục cho người dân nghe. Chỉ đánh dấu mục người dân đồng ý.",
    "Read each item aloud to the resident. Tick only what the resident agrees to.",
  ],
  consent_required: [
    "Cần người dân đồng ý mục đầu tiên để đăng ký.",
    "The first item is needed to register.",
  ],
  sign_title: ["Người dân ký tên", "The resident signs"],
  sign_hint: ["Ký bằng ngón tay trong khung.", "Sign with a finger inside the box."],
  sign_clear: ["Ký lại", "Sign again"],
  sign_missing: [
    "Cần chữ ký hoặc ảnh vân tay của người dân.",
    "The resident's signature or fingerprint photo is needed.",
  ],
  fingerprint: ["Không ký được? Chụp ảnh vân tay", "Cannot sign? Photograph a fingerprint"],
  fingerprint_taken: ["Đã chụp vân tay", "Fingerprint photographed"],
  save_resident: ["Lưu người dân", "Save the resident"],
  already_registered: ["Số định danh này đã có: {name}.", "This ID number is already registered: {name}."],
  open_existing: ["Mở hồ sơ người này", "Open this person"],
  saved_queued: ["Đã lưu trên máy. Sẽ gửi khi có mạng.", "Saved on the phone. It will be sent when online."],

  // Consent purposes: what the resident hears. wording_vi goes to the server as shown.
  "consent.personal_data": [
    "Tôi đồng ý cho tình nguyện viên ghi họ tên, ngày sinh, số định danh và số điện thoại của tôi để giúp tôi làm thủ tục hành chính và gửi cho Ủy ban nhân dân xã.",
    "I agree that the volunteer records my name, date of birth, ID number and phone to help me with administrative procedures and send them to the commune People's Committee.",
  ],
  "consent.document_photos": [
    "Tôi đồng ý cho chụp ảnh giấy tờ của tôi (thẻ căn cước, giấy khai sinh…) để nộp hồ sơ cho xã.",
    "I agree that my papers (ID card, birth certificate…) are photographed to file my dossier with the commune.",
  ],
  "consent.contact_by_phone": [
    "Tôi đồng ý để tình nguyện viên hoặc cán bộ xã gọi điện cho tôi về hồ sơ của tôi.",
    "I agree that the volunteer or commune staff call me about my dossier.",
  ],
  "consent.push_notifications": [
    "Tôi đồng ý nhận thông báo trên điện thoại khi hồ sơ của tôi có kết quả.",
    "I agree to receive notifications on my phone when my dossier has a result.",
  ],
  "consent.ethnicity": [
    "Tôi đồng ý cho ghi dân tộc của tôi. Thông tin này chỉ dùng để hỗ trợ tôi tốt hơn, ví dụ bố trí người phiên dịch.",
    "I agree that my ethnic group is recorded. It is used only to help me better, for example to arrange an interpreter.",
  ],

  "purpose.personal_data": ["Ghi thông tin cá nhân", "Personal data"],
  "purpose.document_photos": ["Chụp ảnh giấy tờ", "Photos of papers"],
  "purpose.contact_by_phone": ["Gọi điện liên hệ", "Phone calls"],
  "purpose.push_notifications": ["Nhận thông báo", "Notifications"],
  "purpose.ethnicity": ["Ghi dân tộc", "Ethnic group"],

  // Resident
  resident_title: ["Người dân", "Resident"],
  not_found: ["Không tìm thấy trên máy này.", "Not found on this phone."],
  consents: ["Đã đồng ý", "Consents given"],
  no_consents: ["Chưa có sự đồng ý nào trên máy này.", "No consent on this phone."],
  checklist_open: ["Công dân số", "Digital citizen"],
  dossiers_of: ["Hồ sơ của người này", "This person's dossiers"],
  no_dossiers: ["Chưa có hồ sơ nào.", "No dossiers yet."],
  merged_note: [
    "Người này đã được đăng ký trước; hai bản đã gộp làm một.",
    "This person was registered before; both are now one.",
  ],
  steps_done: ["{done}/{total} bước", "{done}/{total} steps"],

  // Checklist
  checklist_title: ["Công dân số", "Digital citizen"],
  checklist_intro: [
    "Mỗi bước một lần chạm. Không bao giờ ghi mật khẩu, mã OTP hay mã PIN của người dân.",
    "One tap per step. Never write down the resident's password, OTP or PIN.",
  ],
  "step.vneid_installed": ["Cài ứng dụng VNeID", "VNeID app installed"],
  "step.vneid_level1": ["Có tài khoản định danh điện tử mức 1", "Level-1 electronic ID account"],
  "step.vneid_level2": ["Kích hoạt định danh mức 2 (hoặc đã hẹn)", "Level-2 activation (or appointment)"],
  "step.portal_login": [
    "Đăng nhập Cổng Dịch vụ công bằng VNeID",
    "Logged in to the public-service portal with VNeID",
  ],
  "step.sim_standardised": ["Chuẩn hoá thông tin thuê bao SIM", "SIM subscriber data standardised"],
  "step.bank_account": ["Có tài khoản ngân hàng hoặc ví điện tử", "Bank account or e-wallet"],
  "step.first_online_submission": [
    "Tự nộp hồ sơ trực tuyến lần đầu",
    "First online submission by the resident",
  ],
  "tick.done": ["Xong", "Done"],
  "tick.not_applicable": ["Không cần", "Not needed"],
  "tick.follow_up": ["Hẹn lại", "Follow up"],
  not_started: ["Chưa làm", "Not started"],
  note: ["Ghi chú (không ghi mật khẩu, OTP)", "Note (no password or OTP)"],
  appointment_on: ["Ngày hẹn", "Appointment date"],
  save_follow_up: ["Lưu lịch hẹn", "Save the follow-up"],

  // Dossiers
  dossiers_title: ["Hồ sơ trên máy", "Dossiers on this phone"],
  draft_open: ["Tiếp tục hồ sơ đang làm dở", "Continue the unfinished dossier"],
  sign_in_again: [
    "Phiên đăng nhập đã hết hạn — đăng nhập lại để gửi",
    "Sign-in expired — sign in again to send",
  ],
  no_dossiers_yet: [
    "Chưa có hồ sơ nào. Chọn một người dân để tạo hồ sơ.",
    "No dossiers yet. Choose a resident to start one.",
  ],
  step_of: ["Bước {n}/{total}", "Step {n} of {total}"],
  pick_procedure: ["Chọn thủ tục", "Choose the procedure"],
  search_procedure: ["Tìm thủ tục", "Find a procedure"],
  common_here: ["Thường làm ở xã", "Common in the commune"],
  other_procedures: ["Thủ tục khác", "Other procedures"],
  no_catalogue: [
    "Chưa có danh mục thủ tục trên máy. Hãy đồng bộ khi có mạng.",
    "No procedure catalogue on this phone yet. Sync when online.",
  ],
  fill_form: ["Điền tờ khai", "Fill the declaration"],
  for_resident: ["Cho: {name}", "For: {name}"],
  address_pick: ["Điền nhanh theo thôn", "Fill from a village"],
  papers_title: ["Chụp giấy tờ", "Photograph the papers"],
  paper_needs: ["Bắt buộc · cần {n} ảnh", { one: "Required · 1 photo", other: "Required · {n} photos" }],
  paper_needs_none: [
    "Bắt buộc · mang bản giấy, không cần ảnh",
    "Required · bring the paper, no photo needed",
  ],
  paper_optional: ["Không bắt buộc", "Optional"],
  take_photo: ["Chụp ảnh", "Take a photo"],
  photo_saving: ["Đang nén ảnh…", "Compressing the photo…"],
  photo_failed: ["Không đọc được ảnh này. Hãy chụp lại.", "Could not read this photo. Take it again."],
  photo_size: ["{kb} KB", "{kb} KB"],
  papers_missing: ["Còn thiếu ảnh: {names}.", "Photos still missing: {names}."],
  review_title: ["Người dân xem lại và ký", "The resident reviews and signs"],
  review_intro: [
    "Đọc lại cho người dân nghe, rồi mời người dân ký.",
    "Read it back to the resident, then ask them to sign.",
  ],
  photos_count: ["{n} ảnh", { one: "1 photo", other: "{n} photos" }],
  photos_taken: ["đã chụp {n}/{of}", "{n} of {of} taken"],
  photos_taken_any: ["đã chụp {n}", "{n} taken"],
  save_dossier: ["Lưu hồ sơ", "Save the dossier"],
  discard_draft: ["Bỏ hồ sơ nháp này", "Discard this draft"],
  discard_confirm: [
    "Bỏ hồ sơ đang làm dở? Các ảnh đã chụp sẽ bị xoá.",
    "Discard the unfinished dossier? Its photos are deleted.",
  ],

  // Receipt
  receipt_title: ["Giấy biên nhận hồ sơ", "Dossier receipt"],
  tracking_code: ["Mã hồ sơ", "Tracking code"],
  procedure: ["Thủ tục", "Procedure"],
  resident: ["Người dân", "Resident"],
  written_on: ["Ngày lập", "Written on"],
  promise: ["Xã hẹn trả kết quả", "The commune promises a result"],
  "unit.working_hours": [
    "trong {n} giờ làm việc",
    { one: "within 1 working hour", other: "within {n} working hours" },
  ],
  "unit.working_days": [
    "trong {n} ngày làm việc",
    { one: "within 1 working day", other: "within {n} working days" },
  ],
  "unit.days": ["trong {n} ngày", { one: "within 1 day", other: "within {n} days" }],
  "unit.immediate": ["ngay khi nhận đủ giấy tờ", "as soon as the papers are complete"],
  qr_caption: ["Quét mã để xem tình trạng hồ sơ", "Scan to follow the dossier"],
  lookup_link: ["Tra cứu", "Look up"],
  share: ["Chia sẻ", "Share"],
  print: ["In", "Print"],
  copied: ["Đã chép đường dẫn.", "Link copied."],
  server_status: ["Tình trạng ở xã", "Status at the commune"],
  // Status and deadline words: the server's too, from schemas/words.json (words.js).
  ...pairs("status", WORDS.status),
  ...pairs("deadline", WORDS.deadline),

  // Record states
  "state.waiting": ["Chờ gửi", "Waiting"],
  "state.sending": ["Đang gửi", "Sending"],
  "state.uploading": ["Chờ gửi ảnh", "Photos to send"],
  "state.held": ["Máy chủ đang giữ", "Held by server"],
  "state.on_server": ["Đã lên máy chủ", "On server"],
  "state.needs_attention": ["Cần xử lý", "Needs attention"],
  "kind.resident": ["Người dân", "Resident"],
  "kind.consent": ["Đồng ý", "Consent"],
  "kind.checklist": ["Công dân số", "Checklist"],
  "kind.dossier": ["Hồ sơ", "Dossier"],

  // Sync
  sync_title: ["Đồng bộ", "Sync"],
  sync_now: ["Đồng bộ ngay", "Sync now"],
  syncing: ["Đang đồng bộ…", "Syncing…"],
  offline: ["Không có mạng", "Offline"],
  last_sync: ["Đồng bộ thành công lần cuối: {time}", "Last successful sync: {time}"],
  never_synced: ["Chưa đồng bộ thành công lần nào trên máy này.", "Never synced successfully on this phone."],
  "progress.limits": ["Đang hỏi máy chủ…", "Asking the server…"],
  "progress.push": ["Đang gửi bản ghi {done}/{total}…", "Sending records {done}/{total}…"],
  "progress.upload": ["Đang gửi ảnh {done}/{total}…", "Sending photos {done}/{total}…"],
  "progress.pull": ["Đang nhận dữ liệu mới ({done})…", "Receiving updates ({done})…"],
  "progress.reference": ["Đang cập nhật danh mục…", "Updating the catalogue…"],
  "progress.done": ["Xong.", "Done."],
  "progress.failed": ["Chưa xong.", "Not finished."],
  "error.offline": [
    "Không có mạng. Dữ liệu vẫn an toàn trên máy và sẽ tự gửi khi có mạng.",
    "No network. The data is safe on the phone and will be sent when online.",
  ],
  "error.unreachable": [
    "Có mạng nhưng không kết nối được máy chủ (máy chủ có thể đang khởi động lại, hoặc sóng quá yếu). Dữ liệu vẫn chờ trên máy, sẽ thử lại.",
    "Online, but the server did not answer (it may be restarting, or the signal is too weak). The data waits on the phone; it will retry.",
  ],
  "error.timeout": [
    "Máy chủ trả lời quá chậm. Dữ liệu vẫn chờ trên máy, sẽ thử lại.",
    "The server was too slow. The data waits on the phone; it will retry.",
  ],
  "error.server": [
    "Máy chủ đang gặp lỗi ({status}). Dữ liệu vẫn chờ trên máy, sẽ thử lại.",
    "The server has an error ({status}). The data waits on the phone; it will retry.",
  ],
  "error.auth": [
    "Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại để gửi dữ liệu — dữ liệu vẫn còn trên máy.",
    "The sign-in has expired. Sign in again to send — the data is still on the phone.",
  ],
  "error.http": ["Máy chủ từ chối ({status}).", "The server refused ({status})."],
  last_attempt: ["Lần thử gần nhất: {time}", "Last attempt: {time}"],
  next_attempt: ["Tự thử lại lúc {time}", "Retries automatically at {time}"],
  queue_title: ["Bản ghi trên máy", "Records on this phone"],
  nothing_queued: ["Không có bản ghi nào đang chờ.", "Nothing is waiting."],
  retry: ["Gửi lại", "Send again"],
  storage_title: ["Lưu trữ trên máy", "Storage on this phone"],
  storage_persisted: [
    "Bộ nhớ bền vững: đã bật — trình duyệt sẽ không tự xoá dữ liệu.",
    "Persistent storage: on — the browser will not clear the data on its own.",
  ],
  storage_not_persisted: [
    "Bộ nhớ bền vững: chưa được cho phép. Hãy cài ứng dụng ra màn hình chính và xuất tệp dự phòng thường xuyên.",
    "Persistent storage: not granted. Install the app to the home screen and export a backup file often.",
  ],
  storage_used: ["Đang dùng {used} MB / {quota} MB", "Using {used} MB of {quota} MB"],
  export_title: ["Chuyển dữ liệu chưa gửi", "Move unsent data"],
  export_intro: [
    "Máy hỏng hoặc hết pin lâu ngày? Xuất các bản ghi chưa gửi ra tệp rồi nhập vào máy khác. Tệp chứa thông tin cá nhân: giữ cẩn thận, xoá sau khi đã nhập.",
    "Phone broken or flat for days? Export the unsent records to a file and import it on another phone. The file holds personal data: keep it safe, delete it once imported.",
  ],
  export: ["Xuất tệp ({n} bản ghi)", { one: "Export file (1 record)", other: "Export file ({n} records)" }],
  import: ["Nhập tệp từ máy khác", "Import a file from another phone"],
  imported: [
    "Đã nhập {n} bản ghi mới.",
    { one: "Imported 1 new record.", other: "Imported {n} new records." },
  ],
  import_failed: [
    "Không mở được tệp: sai mật khẩu của tệp, hoặc không phải tệp xuất của Một cửa lưu động.",
    "Cannot open the file: wrong file passphrase, or not a motcua export file.",
  ],

  // More
  more_title: ["Thêm", "More"],
  signed_in_as: ["Đăng nhập: {name} ({phone})", "Signed in: {name} ({phone})"],
  device_code: ["Mã máy: {code}", "Device code: {code}"],
  session_until: ["Phiên trên máy này còn hiệu lực đến {date}.", "This phone's sign-in lasts until {date}."],
  language: ["Ngôn ngữ", "Language"],
  notifications_on: [
    "Nhận thông báo (lộ trình mới, tin hồ sơ)",
    "Get notifications (new routes, dossier news)",
  ],
  notifications_off: ["Tắt thông báo trên máy này", "Turn notifications off on this phone"],
  notifications_denied: [
    "Thông báo đang bị chặn trong cài đặt trình duyệt.",
    "Notifications are blocked in the browser's settings.",
  ],
  notifications_unsupported: [
    "Trình duyệt này không nhận được thông báo.",
    "This browser cannot receive notifications.",
  ],
  notifications_failed: [
    "Chưa bật được thông báo (cần có mạng).",
    "Could not change notifications (a network is needed).",
  ],
  change_pin: ["Đổi mã PIN", "Change the PIN"],
  lock_now: ["Khoá ngay", "Lock now"],
  sign_out: ["Đăng xuất", "Sign out"],
  sign_out_unsent: [
    "Còn {n} bản ghi chưa gửi xong lên máy chủ. Đăng xuất sẽ XOÁ chúng khỏi máy này. Hãy đồng bộ hoặc xuất ra tệp trước.",
    {
      one: "1 record is not fully on the server. Signing out DELETES it from this phone. Sync or export it first.",
      other:
        "{n} records are not fully on the server. Signing out DELETES them from this phone. Sync or export them first.",
    },
  ],
  sign_out_clean: [
    "Đăng xuất sẽ xoá mọi dữ liệu người dân trên máy này. Mọi bản ghi đã lên máy chủ.",
    "Signing out deletes all residents' data from this phone. Every record is on the server.",
  ],
  sign_out_anyway: ["Vẫn đăng xuất và xoá", "Sign out and delete anyway"],
  app_version: ["Phiên bản ứng dụng: {version}", "App version: {version}"],
  update_ready: ["Có phiên bản mới — tải lại", "A new version is ready — reload"],
  install: ["Cài ứng dụng ra màn hình chính", "Install the app"],

  // phone-small
  pending_people: ["{n} người", { one: "1 person", other: "{n} people" }],
  pending_dossiers: ["{n} hồ sơ", { one: "1 dossier", other: "{n} dossiers" }],
  pending_records: ["{n} bản ghi", { one: "1 record", other: "{n} records" }],
  pending_unsent: ["{what} chưa gửi", "{what} unsent"],
  sign_in_needs_signal: [
    "Cần có sóng điện thoại/mạng để đăng nhập lại",
    "Signing in again needs phone signal or a network",
  ],
  sign_in_needs_signal_first: [
    "Cần có sóng điện thoại/mạng để đăng nhập",
    "Signing in needs phone signal or a network",
  ],
  back_to_pin: ["Quay lại nhập mã PIN", "Back to the PIN"],
  search_clear: ["Xoá nội dung tìm", "Clear the search"],
  photos_sent: ["Đã gửi {done}/{total} ảnh", "{done} of {total} photos sent"],
  offline_safe: [
    "Dữ liệu vẫn an toàn trên máy và sẽ tự gửi khi có mạng.",
    "The data is safe on the phone and will be sent when online.",
  ],

  // tasks
  nav_tasks: ["Việc", "To do"],
  tasks_title: ["Việc cần làm", "To do"],
  tasks_count: ["Còn {n} việc.", { one: "1 thing to do.", other: "{n} things to do." }],
  tasks_none: ["Không còn việc nào. Giỏi lắm!", "Nothing left to do. Well done!"],
  tasks_today: ["Việc cần làm", "To do"],
  tasks_all: ["Xem cả {n} việc", { one: "See it", other: "See all {n}" }],
  task_supplement: ["Bổ sung hồ sơ {code} — {name}", "Add papers to dossier {code} — {name}"],
  task_note: ["Cán bộ ghi: {note}", "The officer wrote: {note}"],
  task_no_note: ["Mở hồ sơ để xem cần bổ sung gì.", "Open the dossier to see what is needed."],
  task_ready: ["Báo người dân nhận kết quả", "Tell the resident to collect the result"],
  task_call: ["Gọi hoặc đến nhà {name}", "Call or visit {name}"],
  task_tell: ["Báo tin: {news}", "Tell them: {news}"],
  task_checklist: ["Hoàn thành công dân số — {name}", "Finish the digital-citizen checklist — {name}"],
  task_steps_left: ["Còn {n}/{of} bước", "{n} of {of} steps left"],
  told_button: ["Đã báo", "Told"],
  told_how: ["Đã báo bằng cách nào?", "How did you tell them?"],
  told_call: ["Gọi điện", "By phone"],
  told_visit: ["Đến nhà", "At their home"],
  told_saved: ["Đã ghi: đã báo tin.", "Saved: the resident was told."],
  told_saved_offline: [
    "Đã ghi trên máy; sẽ gửi lên máy chủ khi có mạng.",
    "Saved on this phone; it goes to the server once online.",
  ],
  tasks_reach_as_of: [
    "Danh sách người cần gọi cập nhật lúc {time}.",
    "The list of residents to call was updated at {time}.",
  ],
  tasks_reach_never: [
    "Đồng bộ để nhận danh sách người dân cần gọi hoặc đến nhà.",
    "Sync to get the residents to call or visit.",
  ],
  "progress.reach": ["Đang nhận danh sách người cần báo tin…", "Getting the residents to tell…"],
  // phone-supplement
  supplement_title: ["Xã yêu cầu bổ sung", "The commune asks for more"],
  supplement_asked: ["Xã yêu cầu bổ sung:", "The commune asks for more:"],
  supplement_no_note: ["(cán bộ không ghi chú)", "(no note from the officer)"],
  supplement_asked_on: ["Ngày yêu cầu: {date}", "Asked on {date}"],
  supplement_start: ["Bổ sung hồ sơ", "Add to the dossier"],
  supplement_continue: ["Tiếp tục sửa hồ sơ", "Continue the changes"],
  supplement_more: ["Bổ sung thêm", "Add more"],
  supplement_saved: [
    "Đã lưu phần bổ sung trên máy — sẽ tự gửi khi có mạng.",
    "The supplement is saved on the phone — it is sent when online.",
  ],
  supplement_sent: ["Đã gửi bổ sung ngày {date}.", "Supplement sent on {date}."],
  deadline_again: [
    "Thời hạn giải quyết được tính lại từ khi hồ sơ đủ giấy tờ.",
    "The time limit runs again from when the papers are complete.",
  ],
  refused_title: ["Hồ sơ cần sửa", "The dossier needs fixing"],
  refused_by_server: ["Máy chủ chưa nhận hồ sơ:", "The server did not take the dossier:"],
  fix_and_resend: ["Sửa và gửi lại", "Fix and send again"],
  save_supplement: ["Lưu phần bổ sung", "Save the supplement"],
  save_refused: ["Lưu và gửi lại", "Save and send again"],
  sign_again_hint: [
    "Người dân ký lại để xác nhận hồ sơ đã bổ sung hoặc đã sửa.",
    "The resident signs again to confirm the dossier as changed.",
  ],
  discard_edit: ["Bỏ các thay đổi này", "Discard these changes"],
  discard_edit_confirm: [
    "Bỏ các thay đổi? Hồ sơ giữ nguyên như đã gửi; ảnh mới chụp sẽ bị xoá.",
    "Discard the changes? The dossier stays as sent; new photos are deleted.",
  ],
  qr_after_sync: ["Mã QR dùng được sau khi máy đã đồng bộ.", "The QR code works once the phone has synced."],
  accepted_on: ["Ngày tiếp nhận", "Accepted on"],
  deadline_label: ["Hạn trả kết quả", "Result due"],
  deadline_reset: ["Tính lại từ khi hồ sơ đủ giấy tờ", "Set again once the papers are complete"],
  supplement_sent_on: ["Đã gửi bổ sung", "Supplement sent"],
  result_on: ["Ngày có kết quả", "Result on"],
  next_resident: ["Người dân tiếp theo", "Next resident"],
  // catalogue-rules
  paper_or: [" hoặc ", " or "],
  paper_needs_or: [
    "Bắt buộc · cần {n} ảnh, hoặc thay bằng ảnh {names}",
    {
      one: "Required · 1 photo, or photos of {names} instead",
      other: "Required · {n} photos, or photos of {names} instead",
    },
  ],
  paper_instead_of: [
    "Thay cho {names} khi không có · cần {n} ảnh",
    {
      one: "Instead of {names} when there is none · 1 photo",
      other: "Instead of {names} when there is none · {n} photos",
    },
  ],
  // resident-fix
  resident_edit_title: ["Sửa thông tin người dân", "Edit the resident's details"],
  resident_edit: ["Sửa thông tin", "Edit details"],
  resident_refused_title: ["Thông tin người dân cần sửa", "The resident's details need fixing"],
  save_resident_changes: ["Lưu thay đổi", "Save the changes"],
  ethnicity_without_consent: [
    "Người dân chưa đồng ý ghi dân tộc: hãy xoá mục này.",
    "The resident has not agreed to record the ethnic group: clear this field.",
  ],
  resident_being_sent: [
    "Thông tin đang được gửi: chờ đồng bộ xong rồi sửa.",
    "The details are being sent: edit them once the sync ends.",
  ],

  // Issue 15: encrypted at rest, several volunteers on one phone
  file_pass: ["Mật khẩu của tệp (ít nhất 8 ký tự)", "File passphrase (at least 8 characters)"],
  file_pass_short: [
    "Hãy đặt mật khẩu cho tệp, ít nhất 8 ký tự: người nhận gõ nó khi nhập tệp.",
    "Set a file passphrase of at least 8 characters: the receiving volunteer types it to import.",
  ],
  switch_user: ["Đổi người dùng", "Switch user"],
  add_user: ["Thêm tình nguyện viên khác", "Add another volunteer"],
  users_title: ["Ai dùng máy này?", "Who is using this phone?"],
  // Issue 15, least data on each phone: why the phone was wiped (docs/privacy.md).
  "session.revoked": [
    "Phiên đăng nhập đã bị thu hồi; dữ liệu trên máy (cả bản ghi chưa gửi) đã bị xoá.",
    "The session was revoked; this phone's data (unsent records too) was erased.",
  ],
  "account.disabled": [
    "Tài khoản đã bị khoá; dữ liệu trên máy (cả bản ghi chưa gửi) đã bị xoá.",
    "The account was disabled; this phone's data (unsent records too) was erased.",
  ],

  // vaultfix: a password changed on the server never costs the phone's data
  recover_title: ["Mật khẩu đã đổi", "The password has changed"],
  old_pin: ["Nhập mã PIN cũ để mở dữ liệu trên máy", "Enter the old PIN to open the data on this phone"],
  old_password: [
    "Nhập mật khẩu cũ để mở dữ liệu trên máy",
    "Enter the old password to open the data on this phone",
  ],
  old_wrong: ["Không đúng.", "Wrong."],
  discard: [
    "Bỏ dữ liệu cũ ({n} bản ghi chưa gửi)",
    { one: "Discard the old data (1 unsent record)", other: "Discard the old data ({n} unsent records)" },
  ],
  discard_text: [
    "Xoá hẳn dữ liệu cũ, cả {n} bản ghi chưa gửi? Mở bằng mã PIN hoặc mật khẩu cũ thì giữ được: để gửi, hoặc xuất ra tệp.",
    {
      one: "Delete the old data for good, 1 unsent record included? Opened with the old PIN or password it is kept: to send, or to export.",
      other:
        "Delete the old data for good, {n} unsent records included? Opened with the old PIN or password it is kept: to send, or to export.",
    },
  ],
  // lookup: a returning resident, on the server
  lookup_server: ["Tìm trên máy chủ", "Search the server"],
};

let current = "vi";

export function setLang(lang) {
  current = lang === "en" ? "en" : "vi";
  if (globalThis.document) document.documentElement.lang = current;
}

export function lang() {
  return current;
}

/** The text for ``key`` in the current language, with {name} placeholders filled in; a text with
 * {one, other} forms takes the one that fits ``vars.n``. */
export function t(key, vars = {}) {
  const pair = STRINGS[key];
  let text = pair ? pair[current === "en" ? 1 : 0] : key;
  if (typeof text === "object") text = Number(vars.n) === 1 ? text.one : text.other;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** The Vietnamese text, whatever the language shown (what the resident agreed to, word for word). */
export function vi(key) {
  return STRINGS[key]?.[0] ?? key;
}

/** {vi, en} names from the catalogue. */
export function pick(names) {
  if (!names) return "";
  return current === "en" ? (names.en ?? names.vi) : names.vi;
}

/** A JSON Schema node's title or description in the current language. */
export function titleOf(node) {
  return current === "en" ? (node["x-title-en"] ?? node.title) : node.title;
}

export function descriptionOf(node) {
  return current === "en" ? (node["x-description-en"] ?? node.description) : node.description;
}

/** A server error body's message in the current language. */
export function message(body) {
  if (!body) return "";
  return current === "en" ? (body.message_en ?? body.message_vi) : (body.message_vi ?? body.message_en);
}

const LOCALES = { vi: "vi-VN", en: "en-GB" };

export function formatDate(value) {
  if (!value) return "";
  const date =
    typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? new Date(`${value}T00:00:00`)
      : new Date(value);
  return date.toLocaleDateString(LOCALES[current], { day: "2-digit", month: "2-digit", year: "numeric" });
}

export function formatTime(value) {
  if (!value) return "";
  return new Date(value).toLocaleString(LOCALES[current], {
    hour: "2-digit",
    minute: "2-digit",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
  });
}
