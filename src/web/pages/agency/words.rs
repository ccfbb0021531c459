//! The words of an agency's pages (`/agency…`), Vietnamese and English side by side; the
//! words shared with other pages come from [`crate::web::pages::i18n::words`].

#![allow(missing_docs)]

use crate::web::pages::i18n::{Text, text};

pub const NAV_DOSSIERS: Text = text("Hồ sơ", "Dossiers");
pub const DOSSIERS_TITLE: Text = text("Hồ sơ của cơ quan", "The agency's dossiers");
pub const DOSSIERS_HINT: Text = text(
    "Mỗi hồ sơ giữ các bản sao điện tử công dân nộp; mỗi bản sao được kiểm tra khi đính kèm, và hồ sơ được đánh dấu nếu bản sao bị hủy sau đó.",
    "Each dossier keeps the electronic copies citizens hand in; each copy is verified when it is attached, and the dossier is marked if a copy is annulled later.",
);
pub const NO_DOSSIERS: Text = text("Chưa có hồ sơ nào.", "No dossiers yet.");
pub const REFERENCE: Text = text("Số hồ sơ", "Reference");
pub const REFERENCE_HINT: Text = text(
    "Số hồ sơ của cơ quan, không trùng với hồ sơ khác.",
    "The agency's own reference, unique among its dossiers.",
);
pub const PROCEDURE: Text = text("Thủ tục hành chính", "Administrative procedure");
pub const APPLICANT: Text = text("Người nộp hồ sơ", "Applicant");
pub const DOCUMENTS: Text = text("Tài liệu", "Documents");
pub const OPENED: Text = text("Ngày lập", "Opened");
pub const NEW_DOSSIER: Text = text("Lập hồ sơ mới", "Open a dossier");
pub const CREATE: Text = text("Lập hồ sơ", "Open the dossier");
pub const HAS_ANNULLED: Text = text("Có bản sao đã bị hủy", "Holds an annulled copy");
pub const NO_DOCUMENTS: Text = text(
    "Hồ sơ chưa có tài liệu nào.",
    "The dossier holds no documents yet.",
);
pub const ATTACH_TITLE: Text = text("Đính kèm bản sao", "Attach a copy");
pub const ATTACH_BY_CODE: Text = text("Theo mã", "By code");
pub const CODE_KIND: Text = text("Loại mã", "Kind of code");
pub const SHARE_CODE_KIND: Text = text(
    "Mã chia sẻ công dân đưa cho cơ quan",
    "A share code the citizen gave the agency",
);
pub const VERIFICATION_CODE_KIND: Text = text(
    "Mã tra cứu in dưới mã QR của bản sao",
    "The lookup code printed under the copy's QR code",
);
pub const CODE: Text = text("Mã", "Code");
pub const CODE_MISSING: Text = text("Hãy nhập mã.", "Enter the code.");
pub const ATTACH: Text = text("Đính kèm", "Attach");
pub const ATTACH_FILE: Text = text("Tải lên tệp PDF", "Upload the PDF");
pub const FILE: Text = text("Tệp bản sao (PDF)", "The copy (PDF)");
pub const FILE_MISSING: Text = text(
    "Hãy chọn tệp PDF của bản sao.",
    "Choose the copy's PDF file.",
);
pub const REVERIFY: Text = text("Kiểm tra lại tất cả", "Verify all again");
pub const ATTACHED: Text = text(
    "Đã đính kèm và kiểm tra bản sao.",
    "The copy was attached and verified.",
);
pub const ALREADY_THERE: Text = text(
    "Tệp này đã có trong hồ sơ; kết quả kiểm tra đã được cập nhật.",
    "This file is already in the dossier.",
);
pub const REVERIFIED: Text = text(
    "Đã kiểm tra lại mọi tài liệu.",
    "Every document was verified again.",
);
pub const VIA: Text = text("Cách đính kèm", "Attached by");
pub const VIA_SHARE: Text = text("Mã chia sẻ", "Share code");
pub const VIA_CODE: Text = text("Mã tra cứu", "Lookup code");
pub const VIA_UPLOAD: Text = text("Tệp tải lên", "Upload");
pub const RESULT: Text = text("Kết quả kiểm tra", "Verification");
pub const REGISTER: Text = text("Sổ chứng thực", "Register");
pub const IN_REGISTER: Text = text("Có trong sổ", "In the register");
pub const ANNULLED_IN_REGISTER: Text = text("Đã bị hủy", "Annulled");
pub const NOT_THE_ISSUED_FILE: Text = text("Không phải tệp đã cấp", "Not the issued file");
pub const NOT_IN_REGISTER: Text = text("Không có trong sổ", "Not in the register");
pub const VERIFIED_AT: Text = text("Kiểm tra lúc", "Verified");
pub const COPY: Text = text("Bản sao", "Copy");
pub const BACK_TO_DOSSIERS: Text = text("Các hồ sơ", "All dossiers");
