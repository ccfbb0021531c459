//! The language of a page and the catalogue of its words: every string a page shows is a
//! [`Text`] with its Vietnamese and English wording side by side, so the two cannot drift
//! apart. Vietnamese by default; English when asked by `?lang=en`, by the remembered
//! choice (the `lang` cookie set by the switch in the header, `/lang/{vi|en}`), or by
//! `Accept-Language`, in that order.

use rocket::Request;
use rocket::http::{Cookie, SameSite};

use crate::web::error::prefers_english;

/// Name of the cookie that remembers the language chosen with the switch.
pub const LANG_COOKIE: &str = "lang";

/// Language of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lang {
    english: bool,
}

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for Lang {
    type Error = std::convert::Infallible;
    async fn from_request(request: &'r Request<'_>) -> rocket::request::Outcome<Self, Self::Error> {
        rocket::request::Outcome::Success(Lang::of(request))
    }
}

impl Lang {
    /// Vietnamese.
    pub const VI: Lang = Lang { english: false };
    /// English.
    pub const EN: Lang = Lang { english: true };

    /// `?lang=`, then the `lang` cookie, then `Accept-Language`; Vietnamese by default.
    pub fn of(request: &Request<'_>) -> Lang {
        let query = request.query_value::<&str>("lang").and_then(Result::ok);
        let cookie = request
            .cookies()
            .get(LANG_COOKIE)
            .map(|c| c.value().to_owned());
        let english = match (query, cookie.as_deref()) {
            (Some(lang), _) => lang.starts_with("en"),
            (None, Some(lang)) => lang == "en",
            (None, None) => prefers_english(request),
        };
        Lang { english }
    }

    /// The language named `vi` or `en`.
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::VI),
            "en" => Some(Lang::EN),
            _ => None,
        }
    }

    /// `vi` or `en` (the `lang` attribute).
    pub fn code(self) -> &'static str {
        if self.english { "en" } else { "vi" }
    }

    /// The other language (the switch offers it).
    pub fn other(self) -> Lang {
        Lang {
            english: !self.english,
        }
    }

    /// One of two wordings.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        if self.english { en } else { vi }
    }

    /// A catalogue entry in this language.
    pub fn t(self, text: Text) -> &'static str {
        if self.english { text.en } else { text.vi }
    }

    /// The cookie remembering this language for a year.
    pub fn cookie(self) -> Cookie<'static> {
        Cookie::build((LANG_COOKIE, self.code()))
            .path("/")
            .same_site(SameSite::Lax)
            .http_only(true)
            .max_age(rocket::time::Duration::days(365))
            .build()
    }
}

/// One entry of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    /// Vietnamese.
    pub vi: &'static str,
    /// English.
    pub en: &'static str,
}

/// A catalogue entry: the Vietnamese and English wording.
pub const fn text(vi: &'static str, en: &'static str) -> Text {
    Text { vi, en }
}

/// The words of the pages, each named after where it appears.
#[allow(missing_docs)]
pub mod words {
    use super::{Text, text};

    pub const SERVICE_NAME: Text =
        text("Chứng thực bản sao điện tử", "Electronic certified copies");
    pub const SKIP_TO_CONTENT: Text = text("Bỏ qua, đến nội dung chính", "Skip to main content");
    pub const SWITCH_LANGUAGE: Text = text("English", "Tiếng Việt");
    pub const SWITCH_LANGUAGE_LABEL: Text =
        text("Xem trang bằng tiếng Anh", "View this page in Vietnamese");
    pub const FOOTER: Text = text(
        "Dịch vụ công chứng thực bản sao điện tử từ bản chính (Nghị định 23/2015/NĐ-CP).",
        "Public service for electronic copies certified from originals (Decree 23/2015/NĐ-CP).",
    );
    pub const HOME_TITLE: Text = text(
        "Bản sao điện tử được chứng thực từ bản chính",
        "Electronic copies certified from the original",
    );
    pub const HOME_LEAD: Text = text(
        "Mang bản chính giấy tờ đến cơ quan chứng thực một lần. Cán bộ quét và đối chiếu, người có thẩm quyền ký số, và bạn nhận một bản sao điện tử có chữ ký số của người chứng thực và con dấu của cơ quan. Bản sao này dùng được cho nhiều thủ tục hành chính: cơ quan tiếp nhận tự kiểm tra chữ ký, không cần bạn nộp lại bản giấy.",
        "Bring the original paper to a certifying office once. A clerk scans and compares it, the competent official signs, and you receive an electronic copy signed by the official and sealed by the office. You can reuse it in many administrative procedures: the receiving agency checks the signatures itself, so you do not bring paper again.",
    );
    pub const HOME_STEPS_TITLE: Text = text("Các bước", "How it works");
    pub const HOME_STEP_BOOK: Text = text(
        "Đặt lịch hẹn tại một cơ quan chứng thực (ủy ban nhân dân xã, phường).",
        "Book an appointment at a certifying office (a commune or ward people's committee).",
    );
    pub const HOME_STEP_DESK: Text = text(
        "Đến đúng giờ với bản chính và căn cước; cán bộ tiếp nhận quét và đối chiếu.",
        "Come on time with the original and your ID card; the clerk scans and compares it.",
    );
    pub const HOME_STEP_COPY: Text = text(
        "Nhận bản sao điện tử có chữ ký số; tải về hoặc chia sẻ khi làm thủ tục.",
        "Receive the signed electronic copy; download it or share it for a procedure.",
    );
    pub const CHECK_TITLE: Text = text("Kiểm tra một bản sao", "Check a copy");
    pub const CHECK_HINT: Text = text(
        "Nhập mã tra cứu in dưới mã QR trên bản sao (ví dụ ABCD-EFGH-JKMN-PQRS-TVWX).",
        "Enter the lookup code printed under the QR code on the copy (for example ABCD-EFGH-JKMN-PQRS-TVWX).",
    );
    pub const CHECK_LABEL: Text = text("Mã tra cứu", "Lookup code");
    pub const CHECK_BUTTON: Text = text("Kiểm tra", "Check");
    pub const CHECK_EMPTY: Text = text(
        "Hãy nhập mã tra cứu in dưới mã QR.",
        "Enter the lookup code printed under the QR code.",
    );
    pub const CHECK_INVALID: Text = text(
        "Mã tra cứu gồm 20 chữ và số (có thể có dấu gạch). Hãy kiểm tra lại.",
        "A lookup code has 20 letters and digits (dashes allowed). Please check it.",
    );
    pub const ERROR_SUMMARY: Text = text("Có lỗi cần sửa", "There is a problem");
    pub const NAV_OFFICES: Text = text("Tìm cơ quan chứng thực", "Find a certifying office");
    pub const OFFICES_TITLE: Text = text("Tìm cơ quan chứng thực", "Find a certifying office");
    pub const OFFICES_HINT: Text = text(
        "Nhập một phần tên tỉnh, thành phố, quận, huyện hoặc tên cơ quan; để trống để xem tất cả.",
        "Type part of a province, city, district or office name; leave empty to see all.",
    );
    pub const PROVINCE: Text = text("Tỉnh, thành phố", "Province or city");
    pub const DISTRICT: Text = text("Quận, huyện", "District");
    pub const OFFICE_NAME: Text = text("Tên cơ quan", "Office name");
    pub const SEARCH: Text = text("Tìm", "Search");
    pub const OFFICES_FOUND: Text = text("Kết quả", "Results");
    pub const OFFICES_NONE: Text = text(
        "Không có cơ quan nào khớp. Hãy thử bớt từ tìm kiếm.",
        "No office matches. Try fewer words.",
    );
    pub const ADDRESS: Text = text("Địa chỉ", "Address");
    pub const OPENING_HOURS: Text = text("Giờ tiếp nhận", "Opening hours");
    pub const CLOSED: Text = text("Nghỉ", "Closed");
    pub const FREE_SEATS: Text = text(
        "Chỗ còn trống trong 7 ngày tới",
        "Free places in the next 7 days",
    );
    pub const FREE_SEATS_NONE: Text = text(
        "Không còn chỗ trống trong 7 ngày tới.",
        "No free places in the next 7 days.",
    );
    pub const PLACES: Text = text("chỗ", "places");
    pub const NOT_FOUND_TITLE: Text = text("Không tìm thấy trang", "Page not found");
    pub const NOT_FOUND_TEXT: Text = text(
        "Địa chỉ này không có trên trang. Hãy kiểm tra lại hoặc quay về trang chủ.",
        "There is nothing at this address. Check it or go back to the home page.",
    );
    pub const BACK_HOME: Text = text("Về trang chủ", "Back to the home page");
    pub const UNAVAILABLE_TITLE: Text =
        text("Hệ thống đang gặp sự cố", "The service has a problem");
    pub const UNAVAILABLE_TEXT: Text = text(
        "Vui lòng thử lại sau ít phút.",
        "Please try again in a few minutes.",
    );
    pub const WEEKDAYS: [Text; 7] = [
        text("Thứ Hai", "Monday"),
        text("Thứ Ba", "Tuesday"),
        text("Thứ Tư", "Wednesday"),
        text("Thứ Năm", "Thursday"),
        text("Thứ Sáu", "Friday"),
        text("Thứ Bảy", "Saturday"),
        text("Chủ nhật", "Sunday"),
    ];
    pub const VERIFY_TITLE: Text = text("Kiểm tra tệp bản sao", "Check a copy's file");
    pub const VERIFY_LEAD: Text = text(
        "Tải lên tệp PDF bạn nhận được: dịch vụ kiểm tra từng chữ ký số (toàn vẹn, người ký, chứng thư) và đối chiếu với sổ chứng thực.",
        "Upload the PDF you received: the service checks each digital signature (integrity, signer, certificate) and looks the copy up in the certification register.",
    );
    pub const VERIFY_FILE: Text = text("Tệp PDF", "PDF file");
    pub const VERIFY_HINT: Text = text(
        "Tệp bản sao điện tử có chữ ký số, định dạng PDF.",
        "The signed electronic copy, as a PDF file.",
    );
    pub const VERIFY_BUTTON: Text = text("Kiểm tra tệp", "Check the file");
    pub const VERIFY_CHOOSE: Text = text("Hãy chọn một tệp PDF.", "Choose a PDF file.");
    pub const VERIFY_BY_CODE: Text = text("Chỉ có mã tra cứu?", "Only have the lookup code?");
    pub const VERIFY_ANOTHER: Text = text("Kiểm tra tệp khác", "Check another file");
    pub const REPORT_TITLE: Text = text("Kết quả kiểm tra", "Check result");
    pub const VERDICT_PASSED: Text = text(
        "Tất cả chữ ký số hợp lệ.",
        "Every digital signature is valid.",
    );
    pub const VERDICT_FAILED: Text = text(
        "Có chữ ký số không hợp lệ hoặc tệp đã bị sửa.",
        "A digital signature is invalid or the file was changed.",
    );
    pub const VERDICT_INDETERMINATE: Text = text(
        "Chưa xác định được tính hợp lệ của chữ ký số.",
        "The validity of the signatures could not be established.",
    );
    pub const REGISTER_STATUS: Text = text("Trong sổ chứng thực", "In the certification register");
    pub const REGISTER_FOUND: Text = text(
        "Bản sao có trong sổ chứng thực và đang có hiệu lực.",
        "The copy is in the certification register and valid.",
    );
    pub const REGISTER_ANNULLED: Text = text("Bản sao đã bị hủy:", "The copy was annulled:");
    pub const REGISTER_MISMATCH: Text = text(
        "Tệp ghi là bản sao của sổ này nhưng không khớp bản đã cấp: không phải tệp đã cấp.",
        "The file claims to be a copy from this register but does not match the copy issued: it is not the file that was issued.",
    );
    pub const REGISTER_UNKNOWN: Text = text(
        "Không phải bản sao do dịch vụ này cấp.",
        "Not a copy issued by this service.",
    );
    pub const LOG_INCLUDED: Text = text(
        "Nhật ký công khai của sổ chứng thực ghi nhận bản sao đúng như trong sổ; nhật ký được ký xác nhận lúc",
        "The register's public log records the copy as the register shows it; the log was signed at",
    );
    pub const LOG_NOT_YET_INCLUDED: Text = text(
        "Nhật ký công khai của sổ chứng thực đã ghi bản sao; bản xác nhận có chữ ký tiếp theo (trong vài phút) sẽ bao gồm nó.",
        "The register's public log has recorded the copy; the next signed tree head (within minutes) will include it.",
    );
    pub const LOG_UNTRUSTED: Text = text(
        "Không kiểm tra được nhật ký công khai của sổ: bản xác nhận mới nhất không do khóa nhật ký tin cậy ký.",
        "The register's public log could not be checked: its newest tree head is not signed by the trusted log key.",
    );
    pub const TIME_STAMPED: Text = text(
        "Dấu thời gian chứng minh chữ ký đã có lúc (giờ Việt Nam)",
        "Time-stamp: the signature existed at (Viet Nam time)",
    );
    pub const DOCUMENT_TIMESTAMPS: Text = text(
        "Dấu thời gian của tài liệu (lưu giữ dài hạn)",
        "Document time-stamps (long-term preservation)",
    );
    pub const DOCUMENT_TIMESTAMP_AT: Text = text(
        "Chứng minh toàn bộ tệp trước đó đã có lúc (giờ Việt Nam)",
        "Proves everything before it existed at (Viet Nam time)",
    );
    pub const STAMP_PASSED: Text = text(
        "Dấu thời gian hợp lệ, do đơn vị được tin cậy cấp.",
        "The time-stamp is valid and from a trusted authority.",
    );
    pub const STAMP_FAILED: Text = text(
        "Dấu thời gian không khớp với tệp: tệp đã bị sửa sau khi được đóng dấu.",
        "The time-stamp does not match the file: the file was changed after it was stamped.",
    );
    pub const STAMP_INDETERMINATE: Text = text(
        "Dấu thời gian không được dùng làm bằng chứng: chưa xác định được đơn vị cấp có được tin cậy.",
        "The time-stamp is not used as proof: its authority could not be established as trusted.",
    );
    pub const TIMESTAMP_AUTHORITY: Text =
        text("Đơn vị cấp dấu thời gian", "Time-stamping authority");
    pub const CERTIFYING_OFFICE: Text = text("Cơ quan chứng thực", "Certifying office");
    pub const CERTIFICATION_NUMBER: Text = text("Số chứng thực", "Certification number");
    pub const ISSUED_AT: Text = text("Thời điểm cấp (giờ Việt Nam)", "Issued (Viet Nam time)");
    pub const SIGNATURES: Text = text("Chữ ký số hợp lệ", "Valid signatures");
    pub const SIGNATURE: Text = text("Chữ ký", "Signature");
    pub const SIGNED_BY: Text = text("Người ký", "Signed by");
    pub const SIGNED_AT: Text = text("Thời điểm ký", "Signed at");
    pub const CLAIMED: Text = text("theo tệp, giờ Việt Nam", "as the file says, Viet Nam time");
    pub const NAV_LABEL: Text = text("Trình đơn", "Menu");
    pub const NAV_MY_PAGE: Text = text("Trang của tôi", "My page");
    pub const NAV_BOOK: Text = text("Đặt lịch hẹn", "Book an appointment");
    pub const NAV_MY_COPIES: Text = text("Bản sao của tôi", "My copies");
    pub const NAV_DESK: Text = text("Bộ phận một cửa", "Front desk");
    pub const NAV_REVIEW: Text = text("Duyệt, ký chứng thực", "Review and certify");
    pub const NAV_REGISTER: Text = text("Sổ chứng thực", "Certification register");
    pub const NAV_ADMIN: Text = text("Quản trị", "Administration");
    pub const NAV_VERIFY: Text = text("Kiểm tra bản sao", "Verify a copy");
    pub const SIGN_IN: Text = text("Đăng nhập", "Sign in");
    pub const SIGN_OUT: Text = text("Đăng xuất", "Sign out");
    pub const SIGN_IN_OIDC: Text = text(
        "Đăng nhập bằng tài khoản định danh điện tử",
        "Sign in with your electronic identity account",
    );
    pub const PROBLEM_TITLE: Text = text("Không thực hiện được", "This could not be done");
    pub const LOGIN_NAME: Text = text(
        "Số căn cước, tên đăng nhập, số điện thoại hoặc thư điện tử",
        "Citizen ID number, username, phone or e-mail",
    );
    pub const LOGIN_NAME_MISSING: Text = text(
        "Hãy nhập số căn cước, tên đăng nhập, số điện thoại hoặc thư điện tử.",
        "Enter your citizen ID number, username, phone or e-mail.",
    );
    pub const PASSWORD: Text = text("Mật khẩu", "Password");
    pub const PASSWORD_MISSING: Text = text("Hãy nhập mật khẩu.", "Enter your password.");
    pub const NO_ACCOUNT: Text = text("Chưa có tài khoản?", "No account yet?");
    pub const HAVE_ACCOUNT: Text = text(
        "Đã có tài khoản? Đăng nhập",
        "Already have an account? Sign in",
    );
    pub const REGISTER_TITLE: Text = text("Đăng ký tài khoản công dân", "Create a citizen account");
    pub const REGISTER_LEAD: Text = text(
        "Khai đúng họ tên và số căn cước như trên thẻ. Số căn cước được xác minh khi bạn đến bộ phận một cửa lần đầu.",
        "Give your full name and citizen ID number exactly as on your card. The number is verified at the front desk on your first visit.",
    );
    pub const FULL_NAME: Text = text("Họ và tên", "Full name");
    pub const CITIZEN_ID: Text = text("Số căn cước (12 chữ số)", "Citizen ID number (12 digits)");
    pub const PHONE: Text = text("Số điện thoại di động", "Mobile phone");
    pub const EMAIL: Text = text("Thư điện tử", "E-mail");
    pub const CONTACT_HINT: Text = text(
        "Cần ít nhất số điện thoại hoặc thư điện tử; bạn sẽ đăng nhập bằng một trong hai.",
        "Give at least a phone or an e-mail; you will sign in with either.",
    );
    pub const NEW_PASSWORD: Text = text("Mật khẩu mới", "New password");
    pub const CURRENT_PASSWORD: Text = text("Mật khẩu hiện tại", "Current password");
    pub const PASSWORD_HINT: Text = text(
        "Ít nhất 10 ký tự, có cả chữ và số, không chứa số căn cước hay số điện thoại của bạn.",
        "At least 10 characters, with letters and digits, not containing your ID or phone number.",
    );
    pub const REGISTER_BUTTON: Text = text("Đăng ký", "Create the account");
    pub const REGISTER_DONE_TITLE: Text = text("Đã nhận đăng ký", "Registration received");
    pub const REGISTER_DONE_TEXT: Text = text(
        "Nếu thông tin là mới, tài khoản của bạn đã được tạo. Chúng tôi đã gửi tin nhắn tới số điện thoại hoặc thư điện tử bạn khai; hãy đăng nhập bằng số điện thoại hoặc thư điện tử đó.",
        "If the details are new, your account has been created. We sent a message to the phone or e-mail you gave; sign in with that phone or e-mail.",
    );
    pub const PASSWORD_CHANGE_TITLE: Text = text("Đổi mật khẩu", "Change your password");
    pub const PASSWORD_TEMPORARY: Text = text(
        "Bạn đang dùng mật khẩu tạm do quản trị viên cấp. Hãy đặt mật khẩu của riêng bạn trước khi tiếp tục.",
        "You signed in with a temporary password from an administrator. Choose your own password before going on.",
    );
    pub const PASSWORD_CHANGE_BUTTON: Text = text("Đổi mật khẩu", "Change the password");
    pub const BOOK_HERE: Text = text("Đặt lịch hẹn tại đây", "Book an appointment here");
    pub const CONTINUE: Text = text("Tiếp tục", "Continue");
    pub const STATUS: Text = text("Trạng thái", "Status");
    pub const HELLO: Text = text("Xin chào", "Hello");
    pub const BOOK_TITLE: Text = text("Chọn ngày và giờ hẹn", "Choose a day and time");
    pub const BOOK_STEP_1: Text = text("Bước 1/3", "Step 1 of 3");
    pub const BOOK_STEP_2: Text = text("Bước 2/3", "Step 2 of 3");
    pub const BOOK_STEP_3: Text = text("Bước 3/3", "Step 3 of 3");
    pub const BOOK_CHOOSE_DAY: Text = text("Ngày còn chỗ", "Days with free places");
    pub const BOOK_CHOOSE_TIME: Text = text("Giờ còn chỗ", "Free times");
    pub const BOOK_TIME_LEGEND: Text = text("Chọn giờ hẹn", "Choose a time");
    pub const BOOK_DAY_FULL: Text = text(
        "Ngày này đã hết chỗ. Hãy chọn ngày khác.",
        "This day is full. Choose another day.",
    );
    pub const BOOK_DOCUMENTS_TITLE: Text = text("Giấy tờ cần chứng thực", "Documents to certify");
    pub const BOOK_DOCUMENTS_HINT: Text = text(
        "Với mỗi bản chính: tên giấy tờ, số trang có thông tin, và số bản sao cần chứng thực. Để trống các dòng không dùng.",
        "For each original: what it is, the pages carrying information, and how many certified copies you need. Leave unused rows empty.",
    );
    pub const BOOK_DOCUMENT: Text = text("Giấy tờ", "Document");
    pub const BOOK_ANOTHER_DOCUMENT: Text = text("Thêm giấy tờ", "Add another document");
    pub const DOCUMENT_TITLE: Text = text("Tên giấy tờ", "Document");
    pub const DOCUMENT_PAGES: Text = text("Số trang", "Pages");
    pub const DOCUMENT_COPIES: Text = text("Số bản sao", "Copies");
    pub const PAGES_UNIT: Text = text("trang", "pages");
    pub const DOCUMENT_TITLE_MISSING: Text = text(
        "Hãy nhập tên giấy tờ (ví dụ: Giấy khai sinh).",
        "Enter what the document is (for example: Birth certificate).",
    );
    pub const DOCUMENT_PAGES_INVALID: Text = text(
        "Số trang phải là một số từ 1 trở lên.",
        "Pages must be a number, 1 or more.",
    );
    pub const DOCUMENT_COPIES_INVALID: Text = text(
        "Số bản sao phải là một số từ 1 trở lên.",
        "Copies must be a number, 1 or more.",
    );
    pub const DOCUMENTS_NONE: Text = text(
        "Hãy khai ít nhất một giấy tờ.",
        "List at least one document.",
    );
    pub const BOOK_CHECK_TITLE: Text = text("Kiểm tra và xác nhận", "Check and confirm");
    pub const APPOINTMENT_TIME: Text = text("Giờ hẹn", "Appointment");
    pub const FEE_ESTIMATE: Text = text("Lệ phí dự kiến", "Estimated fee");
    pub const FEE: Text = text("Lệ phí", "Fee");
    pub const FEE_TOTAL: Text = text("Tổng lệ phí", "Total fee");
    pub const FEE_HINT: Text = text(
        "Lệ phí theo Thông tư 226/2016/TT-BTC: 2.000 ₫ mỗi trang cho hai trang đầu, 1.000 ₫ mỗi trang từ trang thứ ba, tối đa 200.000 ₫ mỗi bản; nộp tại bộ phận một cửa.",
        "Fee by Circular 226/2016/TT-BTC: 2.000 ₫ a page for the first two pages, 1.000 ₫ a page from the third, at most 200.000 ₫ per copy; paid at the front desk.",
    );
    pub const BOOK_CONFIRM: Text = text("Xác nhận đặt lịch", "Confirm the booking");
    pub const BOOK_CHANGE_TIME: Text = text("Đổi giờ hẹn", "Change the time");
    pub const BOOKED_TITLE: Text = text("Đã đặt lịch hẹn", "Appointment booked");
    pub const BOOKING_CODE: Text = text("Mã lịch hẹn", "Booking code");
    pub const BOOKING_QR_ALT: Text = text(
        "Mã QR của lịch hẹn, đưa cán bộ quét tại bộ phận một cửa",
        "QR code of the booking, for the clerk to scan at the front desk",
    );
    pub const BOOKED_BRING: Text = text(
        "Đến đúng giờ, mang theo bản chính các giấy tờ và thẻ căn cước. Đưa mã lịch hẹn hoặc mã QR cho cán bộ.",
        "Come on time with the originals and your ID card. Show the booking code or the QR code to the clerk.",
    );
    pub const RESULT_DATE: Text = text("Ngày trả kết quả dự kiến", "Expected result date");
    pub const MANAGE_TITLE: Text = text("Đổi hoặc hủy lịch hẹn", "Change or cancel");
    pub const MANAGE_HINT: Text = text(
        "Giữ đường dẫn này: dùng để đổi giờ hoặc hủy lịch mà không cần đăng nhập. Đường dẫn chỉ hiện một lần.",
        "Keep this link: it changes or cancels the appointment without signing in. It is shown only this once.",
    );
    pub const ADD_TO_CALENDAR: Text = text("Thêm vào lịch (.ics)", "Add to calendar (.ics)");
    pub const SEE_APPOINTMENT: Text = text("Xem lịch hẹn", "See the appointment");
    pub const APPOINTMENT_TITLE: Text = text("Lịch hẹn", "Appointment");
    pub const CHANGEABLE_UNTIL: Text =
        text("Có thể đổi hoặc hủy đến", "You can change or cancel until");
    pub const RESCHEDULE: Text = text("Đổi giờ hẹn", "Reschedule");
    pub const CANCEL_APPOINTMENT: Text = text("Hủy lịch hẹn", "Cancel the appointment");
    pub const NOW_AT: Text = text("hiện hẹn lúc", "now at");
    pub const MY_APPOINTMENTS: Text = text("Lịch hẹn của tôi", "My appointments");
    pub const NO_APPOINTMENTS: Text = text("Bạn chưa có lịch hẹn nào.", "You have no appointment.");
    pub const MY_REQUESTS: Text = text("Giấy tờ đang chứng thực", "Documents being certified");
    pub const NO_REQUESTS: Text = text(
        "Chưa có giấy tờ nào được tiếp nhận.",
        "No document has been received yet.",
    );
    pub const REFUSAL_NOTICE: Text = text("Văn bản từ chối (PDF)", "Refusal notice (PDF)");
    pub const IDENTITY_TITLE: Text = text("Xác minh số căn cước", "Prove your citizen ID");
    pub const IDENTITY_UNVERIFIED_TITLE: Text = text(
        "Số căn cước chưa được xác minh",
        "Your citizen ID is not verified yet",
    );
    pub const IDENTITY_UNVERIFIED_TEXT: Text = text(
        "Để xem các bản sao và lịch hẹn lưu theo số căn cước của bạn, hãy lấy mã xác minh và đưa cán bộ bộ phận một cửa cùng thẻ căn cước.",
        "To see the copies and appointments kept under your citizen ID, get a verification code and show it with your ID card to a clerk at the front desk.",
    );
    pub const IDENTITY_GET_CODE: Text = text("Lấy mã xác minh", "Get a verification code");
    pub const IDENTITY_VERIFIED: Text = text(
        "Số căn cước của bạn đã được xác minh.",
        "Your citizen ID is verified.",
    );
    pub const IDENTITY_CODE: Text = text("Mã xác minh", "Verification code");
    pub const IDENTITY_QR_ALT: Text = text(
        "Mã QR xác minh danh tính, đưa cán bộ quét",
        "Identity verification QR code, for the clerk to scan",
    );
    pub const IDENTITY_CODE_HINT: Text = text(
        "Đưa mã này (hoặc mã QR) cùng thẻ căn cước cho cán bộ. Mã dùng một lần; lấy mã mới sẽ thay mã cũ.",
        "Show this code (or the QR code) with your ID card to the clerk. It works once; a new code replaces it.",
    );
    pub const VALID_UNTIL: Text = text("Hiệu lực đến", "Valid until");
    pub const NO_COPIES: Text = text("Bạn chưa có bản sao nào.", "You have no copy yet.");
    pub const FILE: Text = text("Tệp", "File");
    pub const COPY_VALID: Text = text("Có hiệu lực", "Valid");
    pub const COPY_ANNULLED: Text = text("Đã hủy", "Annulled");
    pub const DOWNLOAD_PDF: Text = text("Tải PDF", "Download PDF");
    pub const STATUS_BOOKED: Text = text("Đã đặt", "Booked");
    pub const STATUS_CHECKED_IN: Text = text("Đã đến", "Checked in");
    pub const STATUS_IN_SERVICE: Text = text("Đang tiếp nhận", "Being served");
    pub const STATUS_DONE: Text = text("Đã tiếp nhận", "Received");
    pub const STATUS_CANCELLED: Text = text("Đã hủy", "Cancelled");
    pub const STATUS_NO_SHOW: Text = text("Không đến", "No-show");
    pub const STATE_RECEIVED: Text = text("Đã nhận bản chính", "Original received");
    pub const STATE_SCANNED: Text = text("Đã quét", "Scanned");
    pub const STATE_AWAITING: Text = text("Chờ ký chứng thực", "Awaiting certification");
    pub const STATE_CERTIFIED: Text = text("Đã chứng thực", "Certified");
    pub const STATE_REFUSED: Text = text("Từ chối chứng thực", "Refused");
    pub const STATE_WITHDRAWN: Text = text("Đã rút hồ sơ", "Withdrawn");
    pub const PREVIOUS_DAY: Text = text("Ngày trước", "Previous day");
    pub const NEXT_DAY: Text = text("Ngày sau", "Next day");
    pub const TODAY: Text = text("Hôm nay", "Today");
    pub const TIME: Text = text("Giờ", "Time");
    pub const REQUESTER: Text = text("Người yêu cầu", "Requester");
    pub const WALK_IN: Text = text("Không hẹn trước", "Walk-in");
    pub const CHECK_IN_TITLE: Text = text("Tiếp nhận theo lịch hẹn", "Check in a booking");
    pub const CHECK_IN_HINT: Text = text(
        "Nhập mã lịch hẹn (ví dụ K7QM-3XPA) hoặc quét mã QR bằng máy đọc.",
        "Type the booking code (for example K7QM-3XPA) or scan the QR code with the reader.",
    );
    pub const CHECK_IN: Text = text("Tiếp nhận", "Check in");
    pub const WALK_IN_TITLE: Text = text(
        "Tiếp nhận người không hẹn trước",
        "Receive a citizen without a booking",
    );
    pub const WALK_IN_HINT: Text = text(
        "Ghi họ tên và số căn cước như trên thẻ, và các giấy tờ cần chứng thực. Người dân được xếp vào khung giờ hôm nay còn chỗ.",
        "Write the name and ID number as on the card, and the documents to certify. The citizen takes a free place of today.",
    );
    pub const WALK_IN_BUTTON: Text = text("Tiếp nhận", "Receive");
    pub const DESK_DAY_LIST: Text = text("Lịch hẹn trong ngày", "Appointments of the day");
    pub const DESK_NONE: Text = text("Không có lịch hẹn nào.", "No appointment.");
    pub const CONFIRM_IDENTITY_TITLE: Text = text(
        "Xác minh số căn cước của tài khoản",
        "Confirm an account's citizen ID",
    );
    pub const CONFIRM_IDENTITY_HINT: Text = text(
        "Người dân đưa mã xác minh trên điện thoại và thẻ căn cước; nhập số đọc từ thẻ.",
        "The citizen shows the verification code on their phone and their ID card; type the number read from the card.",
    );
    pub const CITIZEN_ID_ON_CARD: Text = text(
        "Số căn cước (đọc từ thẻ)",
        "Citizen ID number (read from the card)",
    );
    pub const CONFIRM_IDENTITY: Text = text("Xác minh", "Confirm");
    pub const IDENTITY_CONFIRMED: Text =
        text("Đã xác minh số căn cước của", "Citizen ID confirmed for");
    pub const REQUEST_TITLE: Text = text("Hồ sơ", "Request");
    pub const SENT_BACK: Text = text("Người có thẩm quyền trả lại:", "Sent back by the official:");
    pub const ORIGINAL_PAGES: Text = text("Số trang bản chính", "Pages of the original");
    pub const RECEIVED_AT: Text = text("Tiếp nhận lúc", "Received at");
    pub const PAID: Text = text("Đã nộp", "Paid");
    pub const UNPAID: Text = text("Chưa nộp", "Not paid");
    pub const SCANS: Text = text("Bản quét", "Scans");
    pub const SCAN: Text = text("Bản quét", "Scan");
    pub const NO_SCANS: Text = text("Chưa có bản quét.", "No scan yet.");
    pub const MOVE_UP: Text = text("Chuyển lên bản quét", "Move up scan");
    pub const MOVE_DOWN: Text = text("Chuyển xuống bản quét", "Move down scan");
    pub const REMOVE: Text = text("Bỏ", "Remove");
    pub const ADD_SCANS: Text = text("Thêm bản quét", "Add scans");
    pub const SCAN_FILES: Text = text("Tệp bản quét", "Scan files");
    pub const SCAN_FILES_HINT: Text = text(
        "JPEG, PNG hoặc PDF (mỗi trang là một ảnh quét); chọn được nhiều tệp, theo thứ tự trang.",
        "JPEG, PNG or PDF (each page one scanned image); several files allowed, in page order.",
    );
    pub const REPLACE_SCANS: Text = text(
        "Thay thế các bản quét hiện có",
        "Replace the scans already here",
    );
    pub const UPLOAD: Text = text("Tải lên", "Upload");
    pub const HAND_OVER_TITLE: Text =
        text("Chuyển người có thẩm quyền ký", "Hand over to the official");
    pub const CHECKLIST: Text = text("Đã đối chiếu", "Comparison checklist");
    pub const CHECK_ORIGINAL_SHOWN: Text = text(
        "Người dân xuất trình bản chính (không phải bản sao)",
        "The original itself was shown (not a copy)",
    );
    pub const CHECK_PAGES_COUNTED: Text = text(
        "Đã đếm trang: bản quét đủ các trang có thông tin",
        "Pages counted: the scans have every page with information",
    );
    pub const CHECK_NO_ERASURE: Text = text(
        "Không thấy tẩy xóa, sửa chữa trên bản chính",
        "No erasure or alteration seen on the original",
    );
    pub const HAND_OVER: Text = text("Chuyển ký", "Hand over");
    pub const PAYMENT_TITLE: Text = text("Thu lệ phí", "Collect the fee");
    pub const PAYMENT_METHOD: Text = text("Hình thức nộp", "How it was paid");
    pub const PAYMENT_CASH: Text = text("Tiền mặt", "Cash");
    pub const PAYMENT_TRANSFER: Text = text("Chuyển khoản", "Bank transfer");
    pub const RECEIPT_NO: Text = text("Số biên lai (nếu có)", "Receipt number (if any)");
    pub const RECORD_PAYMENT: Text = text("Ghi nhận đã nộp", "Record the payment");
    pub const REFUSE_TITLE: Text = text(
        "Từ chối hoặc trả lại bản chính",
        "Refuse or give the original back",
    );
    pub const REFUSAL_GROUND: Text = text(
        "Căn cứ từ chối (Điều 22 Nghị định 23/2015/NĐ-CP)",
        "Ground of refusal (Decree 23/2015/NĐ-CP, Art. 22)",
    );
    pub const REFUSAL_DETAIL: Text = text("Ghi chú (không bắt buộc)", "Details (optional)");
    pub const REFUSE: Text = text("Từ chối chứng thực", "Refuse");
    pub const WITHDRAW_HINT: Text = text(
        "Người dân nhận lại bản chính và không chứng thực nữa.",
        "The citizen takes the original back and no longer wants it certified.",
    );
    pub const WITHDRAW: Text = text("Rút hồ sơ", "Withdraw");
    pub const QUEUE_EMPTY: Text = text(
        "Không có hồ sơ nào chờ ký.",
        "No request is waiting for certification.",
    );
    pub const QUEUE_CAPTION: Text = text(
        "Hồ sơ chờ ký, hạn trả sớm nhất trước",
        "Requests waiting, earliest result date first",
    );
    pub const SELECT: Text = text("Chọn", "Select");
    pub const BATCH_HINT: Text = text(
        "Chứng thực các hồ sơ đã chọn, mỗi hồ sơ một số chứng thực (tối đa 50).",
        "Certify the chosen requests, each with its own number (at most 50).",
    );
    pub const CERTIFY_SELECTED: Text = text(
        "Ký chứng thực các hồ sơ đã chọn",
        "Certify the chosen requests",
    );
    pub const DETAILS: Text = text("Thông tin", "Details");
    pub const CERTIFY_HINT: Text = text(
        "Tôi đã đối chiếu bản quét với bản chính: bản sao đúng với bản chính. Ký số của tôi và con dấu của cơ quan sẽ được đóng lên bản sao.",
        "I compared the scans with the original: the copy is true to the original. My digital signature and the office seal will be applied.",
    );
    pub const CERTIFY: Text = text("Ký chứng thực", "Certify");
    pub const SEND_BACK_REASON: Text = text(
        "Lý do trả lại bộ phận một cửa",
        "Reason for sending back to the desk",
    );
    pub const SEND_BACK: Text = text("Trả lại", "Send back");
    pub const CERTIFIED_TITLE: Text = text("Kết quả ký chứng thực", "Certification result");
    pub const NOT_CERTIFIED: Text = text("Chưa chứng thực", "Not certified");
    pub const SHARES: Text = text("Các lần chia sẻ", "Shares");
    pub const NO_SHARES: Text = text(
        "Bạn chưa chia sẻ bản sao này.",
        "You have not shared this copy.",
    );
    pub const SHARE_PURPOSE: Text = text("Dùng cho thủ tục", "For the procedure");
    pub const SHARE_PURPOSE_HINT: Text = text(
        "Ví dụ: Hồ sơ tuyển sinh lớp 10, Hồ sơ xin việc tại Công ty A.",
        "For example: Grade 10 admission file, job application at Company A.",
    );
    pub const PROCEDURE_CODE: Text = text(
        "Mã thủ tục hành chính (nếu có)",
        "Administrative procedure code (if any)",
    );
    pub const PROCEDURE_CODE_HINT: Text = text(
        "Mã trên Cổng dịch vụ công quốc gia, ví dụ 1.005095.",
        "The code on the national public-service portal, for example 1.005095.",
    );
    pub const SHARE_AGENCY: Text = text("Cơ quan tiếp nhận", "Receiving agency");
    pub const ANY_AGENCY: Text = text("Bất kỳ cơ quan nào có mã", "Any agency holding the code");
    pub const SHARE_USES: Text = text("Số lần đã dùng", "Uses");
    pub const SHARE_DAYS: Text = text(
        "Hiệu lực (số ngày, tối đa 365)",
        "Valid for (days, at most 365)",
    );
    pub const SHARE_MAX_USES: Text = text(
        "Số lần được dùng (để trống: không giới hạn đến khi hết hạn)",
        "Number of uses (empty: unlimited until it expires)",
    );
    pub const SHARE_DAYS_INVALID: Text = text(
        "Số ngày phải là một số từ 1 đến 365.",
        "Days must be a number from 1 to 365.",
    );
    pub const SHARE_MAX_USES_INVALID: Text = text(
        "Số lần phải là một số từ 1 đến 1000, hoặc để trống.",
        "Uses must be a number from 1 to 1000, or empty.",
    );
    pub const SHARE_AGENCY_UNKNOWN: Text = text(
        "Hãy chọn một cơ quan trong danh sách.",
        "Choose an agency from the list.",
    );
    pub const SHARE_ACTIVE: Text = text("Đang hiệu lực", "Active");
    pub const SHARE_EXPIRED: Text = text("Hết hạn", "Expired");
    pub const SHARE_REVOKED: Text = text("Đã thu hồi", "Revoked");
    pub const SHARE_USED_UP: Text = text("Đã dùng hết", "Used up");
    pub const REVOKE: Text = text("Thu hồi", "Revoke");
    pub const USES_TITLE: Text = text("Cơ quan đã dùng bản sao", "Agencies that used this copy");
    pub const NO_USES: Text = text(
        "Chưa cơ quan nào dùng bản sao này.",
        "No agency has used this copy yet.",
    );
    pub const USE_VERIFIED: Text = text("đã kiểm tra tệp", "checked the file");
    pub const USE_REDEEMED: Text = text("đã nhận qua mã chia sẻ", "received it through a share");
    pub const SHARE_TITLE: Text = text("Chia sẻ cho một thủ tục", "Share for a procedure");
    pub const SHARE_HINT: Text = text(
        "Cơ quan tiếp nhận dùng mã chia sẻ để nhận bản sao và kết quả kiểm tra chữ ký, không cần bạn nộp bản giấy. Bạn thấy mỗi lần cơ quan dùng mã và có thể thu hồi bất cứ lúc nào.",
        "The receiving agency uses the share code to get the copy and its signature check, without paper from you. You see each use and can revoke the share at any time.",
    );
    pub const SHARE_BUTTON: Text = text("Tạo mã chia sẻ", "Create a share code");
    pub const SHARED_TITLE: Text = text("Đã tạo mã chia sẻ", "Share code created");
    pub const SHARE_CODE: Text = text("Mã chia sẻ", "Share code");
    pub const SHARE_QR_ALT: Text = text("Mã QR của mã chia sẻ", "QR code of the share code");
    pub const SHARE_CODE_HINT: Text = text(
        "Gửi mã này (hoặc mã QR) cho cơ quan tiếp nhận. Mã chỉ hiện một lần: hãy lưu lại ngay. Ai có mã đều dùng được trong phạm vi bạn đã chọn, nên chỉ gửi cho cơ quan cần.",
        "Give this code (or the QR code) to the receiving agency. It is shown only once: keep it now. Anyone with the code can use it within what you chose, so give it only to the agency.",
    );
    pub const BACK_TO_COPY: Text = text("Về trang bản sao", "Back to the copy");
    pub const CERTIFICATE_ISSUER: Text = text("Chứng thư do", "Certificate issued by");
}
