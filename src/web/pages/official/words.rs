//! The words of the register-book pages (`/register-book…`), Vietnamese and English side
//! by side; the words shared with other pages come from [`crate::web::pages::i18n::words`].

#![allow(missing_docs)]

use crate::web::pages::i18n::{Text, text};

pub const SEARCH_TITLE: Text = text("Tìm trong sổ", "Search the register");
pub const REQUESTER_FILTER: Text = text(
    "Người yêu cầu (họ tên hoặc số căn cước)",
    "Requester (name or citizen ID)",
);
pub const REQUESTER_HINT: Text = text(
    "Một phần họ tên, có dấu hoặc không dấu; hoặc đủ 12 chữ số căn cước.",
    "Part of the name, with or without marks; or the whole 12-digit ID number.",
);
pub const TITLE_HINT: Text = text(
    "Một phần tên giấy tờ, có dấu hoặc không dấu.",
    "Part of the document's title, with or without marks.",
);
pub const DATE_FROM: Text = text("Từ ngày", "From");
pub const DATE_TO: Text = text("Đến ngày", "To");
pub const DATE_HINT: Text = text(
    "Ngày/tháng/năm, ví dụ 01/11/2026.",
    "Day/month/year, for example 01/11/2026.",
);
pub const ALL_STATUSES: Text = text("Tất cả", "All");
pub const VOID: Text = text("Số hỏng", "Spoiled number");
pub const LINES_CAPTION: Text = text(
    "Các dòng của sổ, mới nhất trước",
    "Register lines, newest first",
);
pub const LINES: Text = text("dòng", "lines");
pub const NONE_FOUND: Text = text(
    "Không có dòng nào khớp. Hãy thử bớt điều kiện tìm.",
    "No line matches. Try fewer conditions.",
);
pub const NUMBER: Text = text("Số", "No.");
pub const BOOK: Text = text("Quyển số", "Book");
pub const DATE: Text = text("Ngày", "Date");
pub const PAGE: Text = text("Trang", "Page");
pub const PREVIOUS_PAGE: Text = text("Trang trước", "Previous page");
pub const NEXT_PAGE: Text = text("Trang sau", "Next page");
pub const PAGES_NAV: Text = text("Các trang kết quả", "Result pages");
pub const NUMBER_INVALID: Text = text(
    "Số chứng thực phải là một số từ 1 trở lên.",
    "The certification number must be a number, 1 or more.",
);
pub const DATE_INVALID: Text = text(
    "Hãy nhập một ngày có thật, dạng ngày/tháng/năm (ví dụ 01/11/2026).",
    "Enter a real date as day/month/year (for example 01/11/2026).",
);
pub const PERIOD_INVALID: Text = text(
    "Ngày kết thúc phải từ ngày bắt đầu trở đi, và cả kỳ không quá 366 ngày.",
    "The end date must not be before the start date, and the period must span at most 366 days.",
);
pub const FILTER_INVALID: Text = text(
    "Tối đa 200 ký tự, không có ký tự điều khiển.",
    "At most 200 characters, without control characters.",
);
pub const STATUS_INVALID: Text = text(
    "Hãy chọn một trạng thái trong danh sách.",
    "Choose a status from the list.",
);

pub const CITIZEN_ID: Text = text("Số căn cước", "Citizen ID number");
pub const SIGNER: Text = text("Người ký chứng thực", "Certifying official");
pub const CREATED_AT: Text = text("Lấy số lúc (giờ Việt Nam)", "Number taken (Viet Nam time)");
pub const FEE_PAID: Text = text("Lệ phí đã thu", "Fee collected");
pub const RECEIPT: Text = text("biên lai số", "receipt no.");
pub const NOT_RECORDED: Text = text(
    "Chưa ghi nhận tại bộ phận một cửa",
    "Not recorded at the front desk",
);
pub const SINGLE_PERSON: Text = text(
    "Một người tiếp nhận, đối chiếu và ký (cơ quan làm việc một người)",
    "One person received, compared and signed (an office of one person)",
);
pub const VOID_REASON: Text = text("Lý do số hỏng", "Why the number was spoiled");
pub const ANNULLED_AT: Text = text("Hủy lúc (giờ Việt Nam)", "Annulled (Viet Nam time)");
pub const ANNULLED_REASON: Text = text("Lý do hủy", "Reason for the annulment");
pub const VERIFICATION_CODE: Text = text("Mã tra cứu", "Lookup code");
pub const PUBLIC_PAGE: Text = text("Xem trang tra cứu công khai", "See the public lookup page");
pub const ANNUL_TITLE: Text = text("Hủy chứng thực", "Annul the certification");
pub const ANNUL_HINT: Text = text(
    "Khi tra cứu mã, bản sao sẽ hiện là đã hủy cùng lý do. Dòng vẫn ở lại trong sổ; việc hủy không hoàn tác được.",
    "Wherever its code is checked, the copy will show as annulled with the reason. The line stays in the register; an annulment cannot be undone.",
);
pub const ANNUL_REASON_HINT: Text = text(
    "Bắt buộc, tối đa 500 ký tự. Lý do hiện công khai khi tra cứu mã.",
    "Required, at most 500 characters. The reason is shown publicly when the code is checked.",
);
pub const ANNUL_REASON_MISSING: Text = text(
    "Hãy ghi lý do hủy (tối đa 500 ký tự).",
    "Write why the certification is annulled (at most 500 characters).",
);
pub const ANNUL_BUTTON: Text = text("Hủy chứng thực", "Annul");

pub const EXPORTS_TITLE: Text = text("Tải sổ và xem thống kê", "Downloads and statistics");
pub const ARCHIVES_TITLE: Text = text("Sổ lưu trữ hằng tháng", "Monthly archives");
pub const ARCHIVES_HINT: Text = text(
    "Sau mỗi tháng, hệ thống tự lập sổ của tháng đó, đóng dấu số của cơ quan và lưu lại. Tệp không thay đổi về sau.",
    "After each month the service lays out that month's book, seals it with the office seal and keeps it. The file never changes afterwards.",
);
pub const NO_ARCHIVES: Text = text(
    "Chưa có sổ lưu trữ: sổ của một tháng được lưu sau khi tháng đó kết thúc.",
    "No archive yet: a month's book is kept once the month is over.",
);
pub const ARCHIVE_LINES: Text = text("dòng", "lines");
pub const EXPORTS_LINK: Text = text("Tải sổ, thống kê", "Downloads, statistics");
pub const EXPORT_TITLE: Text = text("Tải sổ chứng thực", "Download the register");
pub const EXPORT_HINT: Text = text(
    "PDF trình bày như sổ giấy và có con dấu số của cơ quan; CSV mở được bằng bảng tính. Mỗi lần tải được ghi vào nhật ký.",
    "The PDF is laid out like the paper book and sealed by the office; the CSV opens in a spreadsheet. Every download is recorded in the audit log.",
);
pub const QUICK_TITLE: Text = text("Tải nhanh", "Quick downloads");
pub const THIS_MONTH: Text = text("Tháng này", "This month");
pub const LAST_MONTH: Text = text("Tháng trước", "Last month");
pub const THIS_YEAR: Text = text("Năm nay", "This year");
pub const OTHER_PERIOD: Text = text("Tháng hoặc năm khác", "Another month or year");
pub const YEAR: Text = text("Năm", "Year");
pub const MONTH: Text = text("Tháng", "Month");
pub const WHOLE_YEAR: Text = text("Cả năm", "The whole year");
pub const PDF_SEALED: Text = text("PDF có con dấu", "Sealed PDF");
pub const CSV: Text = text("CSV", "CSV");
pub const DOWNLOAD_PDF: Text = text("Tải PDF có con dấu", "Download the sealed PDF");
pub const DOWNLOAD_CSV: Text = text("Tải CSV", "Download the CSV");

pub const STATISTICS_TITLE: Text = text("Thống kê", "Statistics");
pub const STATISTICS_HINT: Text = text(
    "Theo ngày giờ Việt Nam, tối đa 366 ngày; để trống thì từ đầu năm đến hôm nay.",
    "By Viet Nam dates, at most 366 days; left empty, from the start of the year to today.",
);
pub const SHOW: Text = text("Xem thống kê", "Show the statistics");
pub const PERIOD: Text = text("Kỳ thống kê", "Period");
pub const LINES_TITLE: Text = text("Theo sổ chứng thực", "From the register");
pub const CERTIFICATIONS: Text = text("Việc chứng thực", "Certifications");
pub const STILL_VALID: Text = text("Còn hiệu lực", "Still valid");
pub const ANNULLED_SINCE: Text = text("Đã hủy sau đó", "Annulled since");
pub const VOID_LINES: Text = text(
    "Số hỏng (không cấp bản sao)",
    "Spoiled numbers (no copy issued)",
);
pub const PAGES_CERTIFIED: Text = text("Trang bản chính", "Pages of the originals");
pub const COPIES_MADE: Text = text("Bản sao đã cấp", "Copies made");
pub const FEES_CHARGED: Text = text("Lệ phí phải thu", "Fees charged");
pub const FEES_COLLECTED: Text = text(
    "Lệ phí đã thu tại bộ phận một cửa",
    "Fees collected at the front desk",
);
pub const ANNULMENTS_RECORDED: Text =
    text("Lượt hủy ghi trong kỳ", "Annulments recorded in the period");
pub const REQUESTS_TITLE: Text = text(
    "Theo hồ sơ tiếp nhận trong kỳ",
    "From the requests received in the period",
);
pub const AVERAGE_TIME: Text = text(
    "Thời gian trung bình từ tiếp nhận đến ký chứng thực",
    "Average time from check-in to certification",
);
pub const NOT_COMPUTED: Text = text(
    "Chưa tính được: không có hồ sơ nào được chứng thực trong kỳ.",
    "Not computed: no request was certified in the period.",
);
pub const HOURS: Text = text("giờ", "h");
pub const MINUTES: Text = text("phút", "min");
pub const DEADLINE_MISSES: Text = text("Hồ sơ trễ hạn", "Requests past their time limit");
pub const DEADLINE_HINT: Text = text(
    "Trả lời sau hạn trả kết quả, hoặc chưa trả lời khi đã quá hạn.",
    "Answered after the result date, or still open past it.",
);
pub const REFUSALS: Text = text(
    "Từ chối chứng thực theo căn cứ (Điều 22 Nghị định 23/2015/NĐ-CP)",
    "Refusals by ground (Decree 23/2015/NĐ-CP, Art. 22)",
);
pub const GROUND: Text = text("Căn cứ", "Ground");
pub const COUNT: Text = text("Số lượt", "Count");
pub const OTHER_GROUND: Text = text("Không ghi căn cứ", "No ground recorded");
pub const NO_REFUSALS: Text = text(
    "Không có hồ sơ nào bị từ chối trong kỳ.",
    "No request was refused in the period.",
);
