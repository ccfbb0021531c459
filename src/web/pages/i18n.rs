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

const fn text(vi: &'static str, en: &'static str) -> Text {
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
    pub const CERTIFYING_OFFICE: Text = text("Cơ quan chứng thực", "Certifying office");
    pub const CERTIFICATION_NUMBER: Text = text("Số chứng thực", "Certification number");
    pub const ISSUED_AT: Text = text("Thời điểm cấp (giờ Việt Nam)", "Issued (Viet Nam time)");
    pub const SIGNATURES: Text = text("Chữ ký số hợp lệ", "Valid signatures");
    pub const SIGNATURE: Text = text("Chữ ký", "Signature");
    pub const SIGNED_BY: Text = text("Người ký", "Signed by");
    pub const SIGNED_AT: Text = text("Thời điểm ký", "Signed at");
    pub const CLAIMED: Text = text("theo tệp, giờ Việt Nam", "as the file says, Viet Nam time");
    pub const CERTIFICATE_ISSUER: Text = text("Chứng thư do", "Certificate issued by");
}
