//! The words of the administrator's pages, Vietnamese and English side by side (the
//! shared words are in [`crate::web::pages::i18n::words`]).
#![allow(missing_docs)]

use crate::web::pages::i18n::{Text, text};

// Navigation and sections.
pub const NAV_STAFF: Text = text("Cán bộ và quyền ký", "Staff and signing power");
pub const NAV_AGENCIES: Text = text("Cơ quan tiếp nhận", "Receiving agencies");
pub const NAV_AUDIT: Text = text("Nhật ký hệ thống", "Audit log");
pub const OFFICES: Text = text("Cơ quan chứng thực", "Certifying offices");
pub const FIND_OFFICES: Text = text("Tìm cơ quan chứng thực", "Find certifying offices");
pub const OFFICES_CAPPED: Text = text(
    "Chỉ hiện 200 cơ quan đầu tiên theo tên: hãy thu hẹp tìm kiếm.",
    "Only the first 200 offices by name are shown: narrow the search.",
);
pub const GRANTS_WAITING: Text = text("đề nghị đang chờ duyệt", "requests waiting for approval");
pub const ACTIONS: Text = text("Thao tác", "Actions");
pub const SAVE: Text = text("Lưu", "Save");
pub const ACCOUNT: Text = text("Tài khoản", "Account");

// Offices.
pub const NEW_OFFICE: Text = text("Thêm cơ quan chứng thực", "Add a certifying office");
pub const OFFICE_NAME_HINT: Text = text(
    "Tên đầy đủ, ví dụ: UBND Phường Bến Nghé.",
    "The full name, for example: UBND Phường Bến Nghé.",
);
pub const OFFICE_KIND: Text = text("Loại cơ quan", "Kind of office");
pub const KIND_COMMUNE: Text = text("Ủy ban nhân dân cấp xã", "Commune-level People's Committee");
pub const KIND_DISTRICT_JUSTICE: Text =
    text("Phòng Tư pháp cấp huyện", "District Justice Division");
pub const KIND_NOTARY: Text = text("Tổ chức hành nghề công chứng", "Notary office");
pub const KIND_UNKNOWN: Text = text("Không rõ", "Unknown");
pub const CHOOSE_KIND: Text = text("Hãy chọn loại cơ quan.", "Choose the kind of office.");
pub const DISTRICT_HINT: Text = text(
    "Để trống nếu địa phương không còn cấp huyện.",
    "Leave empty where there is no district level any more.",
);
pub const CREATE_OFFICE: Text = text("Thêm cơ quan", "Add the office");
pub const PUBLIC_PAGE: Text = text("Trang công khai của cơ quan", "The office's public page");
pub const OFFICE_AUDIT: Text = text("Nhật ký của cơ quan này", "This office's audit log");

// Calendar.
pub const CALENDAR: Text = text("Lịch làm việc và đặt lịch", "Working calendar and booking");
pub const REVISION: Text = text("Lần sửa", "Revision");
pub const STANDARD_CALENDAR: Text = text(
    "Cơ quan đang dùng lịch làm việc chuẩn (chưa sửa lần nào).",
    "The office uses the standard calendar (never changed).",
);
pub const WEEKLY_HOURS: Text = text("Giờ làm việc hằng tuần", "Weekly opening hours");
pub const WEEKLY_HOURS_HINT: Text = text(
    "Mỗi khoảng giờ viết dạng 07:30-11:30, các khoảng cách nhau bằng dấu phẩy; để trống nếu nghỉ cả ngày.",
    "Write each interval as 07:30-11:30, intervals separated by commas; leave empty for a day off.",
);
pub const HOURS_INVALID: Text = text(
    "Viết giờ làm việc dạng 07:30-11:30, 13:30-17:00 (giờ:phút).",
    "Write the hours as 07:30-11:30, 13:30-17:00 (hours:minutes).",
);
pub const WHOLE_NUMBER: Text = text(
    "Hãy nhập một số nguyên, không có dấu chấm hay chữ.",
    "Enter a whole number, without dots or letters.",
);
pub const ALLOWED: Text = text("Cho phép:", "Allowed:");
pub const SLOT_MINUTES: Text = text("Độ dài khung giờ (phút)", "Slot length (minutes)");
pub const SLOT_MINUTES_HINT: Text = text(
    "Phải chia hết mỗi khoảng giờ làm việc.",
    "Must divide every opening interval exactly.",
);
pub const COUNTERS: Text = text("Số quầy tiếp nhận", "Counters");
pub const COUNTERS_HINT: Text = text(
    "Số người được tiếp cùng lúc trong một khung giờ.",
    "How many people are received at once in one slot.",
);
pub const NOTICE_MINUTES: Text = text("Đặt trước tối thiểu (phút)", "Minimum notice (minutes)");
pub const NOTICE_MINUTES_HINT: Text = text(
    "Khung giờ phải bắt đầu sau lúc đặt ít nhất chừng này phút.",
    "A slot must start at least this many minutes after the booking.",
);
pub const HORIZON_DAYS: Text = text("Đặt trước tối đa (ngày)", "Booking horizon (days)");
pub const HORIZON_DAYS_HINT: Text = text(
    "Công dân đặt được lịch từ hôm nay đến chừng này ngày sau.",
    "Citizens may book from today up to this many days ahead.",
);
pub const CANCELLATION_MINUTES: Text = text(
    "Hạn hủy lịch trước giờ hẹn (phút)",
    "Cancellation cutoff before the slot (minutes)",
);
pub const CANCELLATION_MINUTES_HINT: Text = text(
    "Công dân tự hủy hoặc đổi lịch được đến chừng này phút trước giờ hẹn.",
    "Citizens may cancel or reschedule until this many minutes before the slot.",
);
pub const NO_SHOW_MINUTES: Text = text("Chờ người đến muộn (phút)", "No-show grace (minutes)");
pub const NO_SHOW_MINUTES_HINT: Text = text(
    "Sau chừng này phút kể từ giờ hẹn mà chưa đến thì tính là không đến.",
    "Someone not checked in this many minutes after the slot start is a no-show.",
);
pub const LARGE_REQUEST_PAGES: Text = text(
    "Ngưỡng yêu cầu lớn (số trang chứng thực)",
    "Large-request threshold (certified pages)",
);
pub const LARGE_REQUEST_PAGES_HINT: Text = text(
    "Yêu cầu nhiều trang hơn được thêm 2 ngày làm việc (Điều 21 Nghị định 23/2015/NĐ-CP).",
    "A request with more pages gets 2 more working days (Decree 23/2015/NĐ-CP, Art. 21).",
);
pub const SAVE_CALENDAR: Text = text("Lưu lịch làm việc", "Save the calendar");

// Closures.
pub const CLOSURES: Text = text("Ngày nghỉ đột xuất", "Closed days");
pub const CLOSURES_HINT: Text = text(
    "Ngày lễ, Tết theo quy định đã được tính sẵn; ở đây là các ngày cơ quan nghỉ riêng. Lịch hẹn đã đặt vào ngày đó không tự hủy.",
    "Public holidays are already counted; these are the office's own closed days. Appointments already booked on such a day are not cancelled by this.",
);
pub const NO_CLOSURES: Text = text("Chưa có ngày nghỉ đột xuất.", "No closed days.");
pub const DATE: Text = text("Ngày", "Date");
pub const DATE_HINT: Text = text(
    "Ngày/tháng/năm, ví dụ 02/09/2026.",
    "Day/month/year, for example 02/09/2026.",
);
pub const DATE_INVALID: Text = text(
    "Hãy nhập ngày có thật dạng ngày/tháng/năm, ví dụ 02/09/2026.",
    "Enter a real date as day/month/year, for example 02/09/2026.",
);
pub const REASON: Text = text("Lý do", "Reason");
pub const REASON_OPTIONAL: Text = text("Lý do (không bắt buộc)", "Reason (optional)");
pub const CLOSURE_REASON_HINT: Text = text(
    "Công dân thấy lý do này trên trang của cơ quan (tối đa 500 ký tự).",
    "Citizens see this reason on the office's page (at most 500 characters).",
);
pub const ADD_CLOSURE: Text = text("Thêm ngày nghỉ", "Add a closed day");
pub const ALREADY_CLOSED: Text = text(
    "Cơ quan đã nghỉ vào ngày này.",
    "The office is already closed on this day.",
);
pub const REOPEN: Text = text("Bỏ ngày nghỉ", "Open again");

// One-person operation.
pub const PRACTICE: Text = text("Cách tổ chức chứng thực", "How the office certifies");
pub const PRACTICE_LEGEND: Text = text(
    "Người quét bản chính có được tự chứng thực không?",
    "May the person who scanned the original certify it?",
);
pub const PRACTICE_TWO: Text = text(
    "Không: cần hai người (người tiếp nhận và người ký khác nhau).",
    "No: two people (the clerk who receives and a different signer).",
);
pub const PRACTICE_ONE: Text = text(
    "Có: cơ quan chỉ có một người làm (sổ chứng thực ghi rõ).",
    "Yes: the office works with one person (the register says so).",
);

// Head official.
pub const HEAD: Text = text("Người đứng đầu cơ quan", "Head of office");
pub const HEAD_NOW: Text = text("Hiện nay:", "Now:");
pub const NO_HEAD: Text = text("Chưa ghi nhận người đứng đầu.", "No head recorded.");
pub const HEAD_HINT: Text = text(
    "Người đứng đầu được phê duyệt việc giao quyền ký cho người khác của cơ quan.",
    "The head may approve the signing power of the office's other officials.",
);
pub const NO_OFFICIALS: Text = text(
    "Cơ quan chưa có người ký đang hoạt động.",
    "The office has no enabled official yet.",
);
pub const HEAD_CHOOSE: Text = text("Người ký", "Official");
pub const APPOINT_HEAD: Text = text("Ghi nhận người đứng đầu", "Record as head");

// Staff.
pub const STAFF_OF_OFFICE: Text = text("Cán bộ của cơ quan", "The office's staff");
pub const ADD_STAFF_HERE: Text = text("Thêm cán bộ cho cơ quan này", "Add staff to this office");
pub const STAFF_ACCOUNTS: Text = text("Tài khoản cán bộ", "Staff accounts");
pub const ALL_STAFF: Text = text(
    "Xem cán bộ của mọi cơ quan",
    "See the staff of every office",
);
pub const NEW_STAFF: Text = text("Tạo tài khoản cán bộ", "Create a staff account");
pub const ROLE: Text = text("Vai trò", "Role");
pub const ROLE_CITIZEN: Text = text("Công dân", "Citizen");
pub const ROLE_CLERK: Text = text("Cán bộ tiếp nhận", "Clerk");
pub const ROLE_OFFICIAL: Text = text("Người ký chứng thực", "Official (signer)");
pub const ROLE_ADMIN: Text = text("Quản trị viên", "Administrator");
pub const ROLE_AGENCY: Text = text("Cơ quan tiếp nhận", "Receiving agency");
pub const AGENCY_STAFF: Text = text("Cán bộ của cơ quan", "The agency's staff");
pub const AGENCY_STAFF_HINT: Text = text(
    "Cán bộ đăng nhập bằng mật khẩu để lập và xem hồ sơ của cơ quan trên trang web; hệ thống của cơ quan dùng khóa API.",
    "Staff sign in with a password to keep the agency's dossiers in the pages; the agency's systems use API keys.",
);
pub const NO_AGENCY_STAFF: Text = text("Chưa có cán bộ nào.", "No staff yet.");
pub const NEW_AGENCY_STAFF: Text = text("Thêm cán bộ", "Add a member of staff");
pub const CREATE_AGENCY_STAFF: Text = text("Tạo tài khoản cán bộ", "Create the account");
pub const ROLE_AGENCY_STAFF: Text = text("Cán bộ cơ quan tiếp nhận", "Receiving agency staff");
pub const ROLE_CLERK_HINT: Text = text(
    "Tiếp nhận, quét và đối chiếu bản chính tại bộ phận một cửa.",
    "Receives, scans and checks originals at the desk.",
);
pub const ROLE_OFFICIAL_HINT: Text = text(
    "Tạo tài khoản cán bộ kèm đề nghị giao quyền ký: chỉ có hiệu lực khi một quản trị viên khác hoặc người đứng đầu cơ quan phê duyệt.",
    "Creates a clerk with a request for signing power: it takes effect only once another administrator or the office's head approves.",
);
pub const ROLE_ADMIN_HINT: Text = text(
    "Quản trị hệ thống; không thuộc cơ quan nào.",
    "Administers the service; belongs to no office.",
);
pub const USERNAME: Text = text("Tên đăng nhập", "Username");
pub const USERNAME_HINT: Text = text(
    "3–40 ký tự: chữ thường không dấu, số, dấu chấm, gạch; ví dụ nguyen.van.a.",
    "3–40 characters: lower-case letters, digits, dot, dash; for example nguyen.van.a.",
);
pub const OFFICE: Text = text("Cơ quan", "Office");
pub const OFFICE_HINT: Text = text(
    "Bắt buộc với cán bộ tiếp nhận và người ký.",
    "Required for clerks and officials.",
);
pub const NO_OFFICE: Text = text("— Không thuộc cơ quan nào —", "— No office —");
pub const POSITION: Text = text("Chức vụ", "Position");
pub const POSITION_HINT: Text = text(
    "Chỉ cho người ký, in trong lời chứng; ví dụ Phó Chủ tịch UBND phường.",
    "For officials only, printed in the certification statement; for example Phó Chủ tịch UBND phường.",
);
pub const TEMPORARY_PASSWORD_MADE: Text = text(
    "Hệ thống tạo một mật khẩu tạm thời và chỉ hiện một lần; người dùng phải đổi mật khẩu khi đăng nhập lần đầu.",
    "The service makes a temporary password, shown only once; the person must change it at the first sign-in.",
);
pub const CREATE_STAFF: Text = text("Tạo tài khoản", "Create the account");
pub const STAFF_CREATED: Text = text("Đã tạo tài khoản", "Account created");
pub const TEMPORARY_PASSWORD: Text = text("Mật khẩu tạm thời", "Temporary password");
pub const VALID_UNTIL: Text = text("Dùng được đến", "Valid until");
pub const TEMPORARY_PASSWORD_HINT: Text = text(
    "Hãy trao trực tiếp cho người dùng hoặc qua kênh chính thức của cơ quan. Khi đăng nhập, họ phải đặt mật khẩu của mình trước khi làm việc khác.",
    "Hand it to the person directly or through the office's official channel. When they sign in, they must set their own password before anything else.",
);
pub const SHOWN_ONCE: Text = text(
    "Chỉ hiện một lần này: hệ thống không lưu và không thể hiện lại.",
    "Shown only this once: the service does not keep it and cannot show it again.",
);

// The four-eyes approval.
pub const GRANTS: Text = text(
    "Đề nghị giao quyền ký đang chờ",
    "Signing-power requests waiting",
);
pub const GRANTS_HINT: Text = text(
    "Người đề nghị không tự phê duyệt được: cần một quản trị viên khác hoặc người đứng đầu cơ quan.",
    "The requester cannot decide their own request: another administrator or the office's head must.",
);
pub const NO_GRANTS: Text = text("Không có đề nghị nào đang chờ.", "No request is waiting.");
pub const REQUESTED_BY: Text = text("Người đề nghị", "Requested by");
pub const REQUESTED_AT: Text = text("Lúc đề nghị", "Requested at");
pub const OWN_REQUEST: Text = text(
    "Bạn là người đề nghị: một quản trị viên khác phải phê duyệt.",
    "You made this request: another administrator must decide it.",
);
pub const APPROVE: Text = text("Phê duyệt quyền ký", "Approve signing power");
pub const REFUSAL_REASON: Text = text("Lý do từ chối", "Reason for refusing");
pub const REFUSE_GRANT: Text = text("Từ chối", "Refuse");
pub const GRANT_WAITING_TITLE: Text = text(
    "Quyền ký đang chờ phê duyệt",
    "Signing power waiting for approval",
);
pub const GRANT_WAITING: Text = text(
    "Tài khoản làm việc như cán bộ tiếp nhận cho đến khi người thứ hai phê duyệt quyền ký với chức vụ",
    "The account works as a clerk until a second person approves signing power as",
);
pub const ASK_OFFICIAL: Text = text("Đề nghị giao quyền ký", "Ask for signing power");
pub const ASK_OFFICIAL_HINT: Text = text(
    "Cán bộ này trở thành người ký khi một quản trị viên khác hoặc người đứng đầu cơ quan phê duyệt.",
    "This clerk becomes an official once another administrator or the office's head approves.",
);
pub const ASK_OFFICIAL_BUTTON: Text = text("Gửi đề nghị", "Send the request");

// Accounts.
pub const ENABLED: Text = text("Đang hoạt động", "Enabled");
pub const DISABLED: Text = text("Đã khóa", "Disabled");
pub const CREATED_AT: Text = text("Ngày tạo", "Created");
pub const ACTOR_AUDIT: Text = text(
    "Nhật ký thao tác của tài khoản này",
    "This account's actions in the audit log",
);
pub const ACCESS: Text = text("Quyền truy cập", "Access");
pub const DISABLE_REASON: Text = text("Lý do khóa", "Reason for disabling");
pub const DISABLE_HINT: Text = text(
    "Khóa tài khoản kết thúc mọi phiên đăng nhập; khóa API của cơ quan tiếp nhận ngừng hoạt động.",
    "Disabling ends every session; an agency's API keys stop working.",
);
pub const DISABLE: Text = text("Khóa tài khoản", "Disable the account");
pub const ENABLE_HINT: Text = text(
    "Mở khóa để tài khoản đăng nhập lại được.",
    "Enable the account so that it can sign in again.",
);
pub const ENABLE: Text = text("Mở khóa tài khoản", "Enable the account");
pub const SESSIONS: Text = text("Phiên đăng nhập và mật khẩu", "Sessions and password");
pub const END_SESSIONS_HINT: Text = text(
    "Đăng xuất tài khoản khỏi mọi thiết bị.",
    "Signs the account out on every device.",
);
pub const END_SESSIONS: Text = text("Kết thúc mọi phiên", "End every session");
pub const RESET_PASSWORD_HINT: Text = text(
    "Cấp mật khẩu tạm thời (hiện một lần); mọi phiên kết thúc và người dùng phải đổi mật khẩu khi đăng nhập.",
    "Issues a temporary password (shown once); every session ends and the person must change it at sign-in.",
);
pub const RESET_PASSWORD: Text = text("Đặt lại mật khẩu", "Reset the password");
pub const PASSWORD_RESET_TITLE: Text = text("Đã đặt lại mật khẩu", "Password reset");

// Agencies.
pub const AGENCIES_HINT: Text = text(
    "Cơ quan tiếp nhận (trường học, sở, ngân hàng…) kiểm tra bản sao qua API bằng khóa API.",
    "Receiving agencies (schools, departments, banks…) check copies through the API with an API key.",
);
pub const NO_AGENCIES: Text = text("Chưa có cơ quan tiếp nhận.", "No receiving agency yet.");
pub const AGENCY_NAME: Text = text("Tên cơ quan tiếp nhận", "Agency name");
pub const AGENCY_NAME_HINT: Text = text(
    "Ví dụ: Sở Giáo dục và Đào tạo TP. Hồ Chí Minh.",
    "For example: Sở Giáo dục và Đào tạo TP. Hồ Chí Minh.",
);
pub const NEW_AGENCY: Text = text("Thêm cơ quan tiếp nhận", "Add a receiving agency");
pub const CREATE_AGENCY: Text = text(
    "Thêm cơ quan và tạo khóa API",
    "Add the agency and its API key",
);
pub const KEY_LABEL: Text = text("Tên gợi nhớ của khóa", "Key label");
pub const KEY_LABEL_OPTIONAL: Text = text(
    "Tên gợi nhớ của khóa đầu tiên (không bắt buộc)",
    "Label of the first key (optional)",
);
pub const KEY_LABEL_HINT: Text = text(
    "Khóa dùng ở đâu, ví dụ: cổng tuyển sinh.",
    "Where the key is used, for example: admissions portal.",
);
pub const AGENCY_ACCESS: Text = text(
    "Khóa hoặc mở khóa cơ quan này",
    "Disable or enable this agency",
);
pub const API_KEYS: Text = text("Khóa API", "API keys");
pub const API_KEY: Text = text("Khóa API mới", "New API key");
pub const NO_KEYS: Text = text("Cơ quan chưa có khóa API.", "The agency has no API key.");
pub const KEY_PREFIX: Text = text("Đầu khóa", "Key prefix");
pub const ACTIVE: Text = text("Đang dùng", "Active");
pub const REVOKED: Text = text("Đã thu hồi", "Revoked");
pub const REVOKE: Text = text("Thu hồi", "Revoke");
pub const NEW_KEY: Text = text("Tạo khóa API mới", "Create another API key");
pub const CREATE_KEY: Text = text("Tạo khóa", "Create the key");
pub const KEY_CREATED: Text = text("Đã tạo khóa API", "API key created");
pub const KEY_USAGE: Text = text(
    "Cơ quan gửi khóa trong mỗi yêu cầu kiểm tra, ở tiêu đề",
    "The agency sends the key with every check, in the header",
);

// Audit log.
pub const FILTER_TITLE: Text = text("Lọc nhật ký", "Filter the log");
pub const ACTOR: Text = text("Người thực hiện", "Actor");
pub const ACTOR_HINT: Text = text(
    "Tên đăng nhập hoặc mã tài khoản.",
    "Username or account id.",
);
pub const ACTION: Text = text("Thao tác", "Action");
pub const ACTION_HINT: Text = text(
    "Ví dụ office.create, hoặc account cho mọi thao tác account.…",
    "For example office.create, or account for every account.… action.",
);
pub const FROM_DATE: Text = text("Từ ngày", "From");
pub const TO_DATE: Text = text("Đến ngày", "To");
pub const ALL_OFFICES: Text = text("— Mọi cơ quan —", "— Every office —");
pub const CHOOSE_OFFICE: Text = text(
    "Hãy chọn một cơ quan trong danh sách.",
    "Choose an office from the list.",
);
pub const FILTER: Text = text("Lọc", "Filter");
pub const CLEAR_FILTER: Text = text("Bỏ lọc", "Clear the filters");
pub const ENTRIES: Text = text("Các dòng nhật ký, mới nhất trước", "Entries, newest first");
pub const NO_ENTRIES: Text = text("Không có dòng nào.", "No entries.");
pub const WHEN: Text = text("Thời điểm", "When");
pub const TARGET: Text = text("Đối tượng", "Target");
pub const DETAIL: Text = text("Chi tiết", "Detail");
pub const SYSTEM: Text = text("Hệ thống", "The service");
pub const OLDER: Text = text("Cũ hơn", "Older");
pub const NEWEST: Text = text("Mới nhất", "Newest");

/// The notice after a change, by the `done` code of the redirect.
pub fn done(code: &str) -> Option<Text> {
    Some(match code {
        "office-created" => text("Đã thêm cơ quan.", "Office added."),
        "calendar-saved" => text("Đã lưu lịch làm việc.", "Calendar saved."),
        "closure-added" => text("Đã thêm ngày nghỉ.", "Closed day added."),
        "closure-removed" => text("Đã bỏ ngày nghỉ.", "The office is open on that day again."),
        "practice-saved" => text("Đã lưu cách tổ chức chứng thực.", "Saved."),
        "head-appointed" => text("Đã ghi nhận người đứng đầu.", "Head of office recorded."),
        "grant-approved" => text(
            "Đã phê duyệt: tài khoản trở thành người ký.",
            "Approved: the account is now an official.",
        ),
        "grant-refused" => text(
            "Đã từ chối: tài khoản vẫn là cán bộ tiếp nhận.",
            "Refused: the account stays a clerk.",
        ),
        "grant-requested" => text(
            "Đã gửi đề nghị giao quyền ký; cần người thứ hai phê duyệt.",
            "Request sent; a second person must approve it.",
        ),
        "disabled" => text(
            "Đã khóa tài khoản và kết thúc các phiên đăng nhập.",
            "Account disabled and its sessions ended.",
        ),
        "enabled" => text("Đã mở khóa tài khoản.", "Account enabled."),
        "sessions-ended" => text("Đã kết thúc mọi phiên đăng nhập.", "Every session ended."),
        "key-revoked" => text("Đã thu hồi khóa API.", "API key revoked."),
        _ => return None,
    })
}
