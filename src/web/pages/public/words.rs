//! The words of a copy's page (`/v/{code}`) and of the manage link's pages (`/a/{token}`),
//! Vietnamese and English side by side; the words shared with other pages come from
//! [`crate::web::pages::i18n::words`].

#![allow(missing_docs)]

use crate::web::pages::i18n::{Text, text};

pub const COPY_TITLE: Text = text("Tra cứu bản sao chứng thực", "Certified copy lookup");
pub const CODE: Text = text("Mã", "Code");
pub const COPY_IS_VALID: Text = text("Bản sao có hiệu lực", "The copy is valid");
pub const COPY_WAS_ANNULLED: Text = text("Bản sao đã bị hủy.", "The certification was annulled.");
pub const BOOK: Text = text("Quyển số", "Book");
pub const ANNULLED_AT: Text = text("Thời điểm hủy (giờ Việt Nam)", "Annulled (Viet Nam time)");
pub const CHECK_FILE_TITLE: Text =
    text("Kiểm tra tệp bạn nhận được", "Check the file you received");
pub const CHECK_FILE_HINT: Text = text(
    "Tải lên tệp PDF để đối chiếu với bản đã cấp và kiểm tra chữ ký số.",
    "Upload the PDF to compare it with the copy issued and check its signatures.",
);
pub const COPY_NOT_FOUND: Text = text("Không tìm thấy bản sao", "Copy not found");
pub const COPY_NOT_FOUND_TEXT: Text = text(
    "Mã tra cứu không có trong sổ chứng thực. Hãy kiểm tra lại mã in dưới mã QR.",
    "This code is not in the certification register. Check the code printed under the QR code.",
);
pub const COULD_NOT_CHECK: Text = text("Không kiểm tra được", "Could not check");
pub const CHOOSE_PDF: Text = text(
    "Hãy chọn một tệp PDF (tối đa theo giới hạn tải lên).",
    "Choose a PDF file (within the upload limit).",
);
pub const FILE_CONFIRMED: Text = text(
    "Tệp đúng là bản sao đã cấp và các chữ ký số hợp lệ.",
    "The file is the copy issued and its signatures are valid.",
);
pub const FILE_NOT_CONFIRMED: Text = text("Tệp KHÔNG được xác nhận.", "The file is NOT confirmed.");
pub const FILE_DIFFERS: Text = text(
    "Nội dung tệp khác với bản sao đã cấp theo mã này.",
    "The file differs from the copy issued under this code.",
);

pub const MANAGE_TITLE: Text = text("Lịch hẹn chứng thực bản sao", "Certified copy appointment");
pub const VIETNAM_TIME: Text = text("giờ Việt Nam", "Viet Nam time");
pub const MANAGE_SECRET: Text = text(
    "Đường dẫn của trang này là bí mật: ai có nó đều đổi hoặc hủy được lịch hẹn. Đừng chia sẻ.",
    "The address of this page is a secret: whoever has it can change or cancel the appointment. Do not share it.",
);
pub const NOT_CHANGEABLE: Text = text(
    "Lịch hẹn này không còn đổi hoặc hủy được qua đường dẫn.",
    "This appointment can no longer be changed or cancelled through the link.",
);
pub const BACK_TO_APPOINTMENT: Text = text("← Quay lại lịch hẹn", "← Back to the appointment");
