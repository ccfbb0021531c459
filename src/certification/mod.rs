//! The office's working day after check-in (docs/ARCHITECTURE.md §10): one
//! **certification request** per document of an appointment, from reception at the desk to
//! a certified copy or a written refusal.
//!
//! ```text
//! received ──scans──▶ scanned ──hand over (checklist)──▶ awaiting_certification ──certify──▶ certified
//!    │                 ▲  │                                   │
//!    │                 └──┼──────────── send back (reason) ◀──┤
//!    ├──────────────────── refuse (ground of Decree 23/2015/NĐ-CP Art. 22) ───────────────▶ refused
//!    └──────────────────── withdraw (the citizen takes the original back) ───────────────▶ withdrawn
//! ```
//!
//! - [`store`] holds the rules over the database: every move is one conditional update
//!   (`WHERE state = from`), audited in the same transaction; a move from any other state
//!   is refused with 409 `illegal_transition`.
//! - [`service`] adds what needs the blob store and the signing keys: scans stored by
//!   SHA-256 before they are recorded, the refusal notice (a PDF signed by the office
//!   seal), and certification, which runs the ordinary issuance with the request claimed
//!   in the same transaction as its register number and marked certified in the same
//!   transaction that publishes the line — so a crash at any point leaves the request
//!   either awaiting certification with its number voided, or certified with a published
//!   copy, never both and never neither.

pub mod service;
pub mod store;

use serde::{Deserialize, Serialize};

use crate::booking::ResultDateError;
use crate::db::DbError;
use crate::error::{PublicError, UserFacing};
use crate::intake::IntakeError;
use crate::registry::issuance::IssueError;
use crate::storage::StorageError;

pub use service::{CertificationDesk, CertifyOutcome, NewScanFile};
pub use store::{
    Checklist, FeeChange, Payment, RequestFilter, RequestView, ScanView, set_single_person,
    single_person_operation,
};

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// The original was received at the desk.
    Received,
    /// Scans are attached; the clerk may still replace or reorder them.
    Scanned,
    /// Handed over to the officials after the comparison checklist.
    AwaitingCertification,
    /// Certified: a copy is in the register.
    Certified,
    /// Refused on a legal ground, with a written notice.
    Refused,
    /// The citizen took the original back.
    Withdrawn,
}

impl RequestState {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Received => "received",
            RequestState::Scanned => "scanned",
            RequestState::AwaitingCertification => "awaiting_certification",
            RequestState::Certified => "certified",
            RequestState::Refused => "refused",
            RequestState::Withdrawn => "withdrawn",
        }
    }

    /// Parses the stored form.
    pub fn parse(text: &str) -> Option<RequestState> {
        [
            RequestState::Received,
            RequestState::Scanned,
            RequestState::AwaitingCertification,
            RequestState::Certified,
            RequestState::Refused,
            RequestState::Withdrawn,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }

    /// Vietnamese name, for messages.
    pub fn name_vi(self) -> &'static str {
        match self {
            RequestState::Received => "đã tiếp nhận",
            RequestState::Scanned => "đã quét",
            RequestState::AwaitingCertification => "chờ ký chứng thực",
            RequestState::Certified => "đã chứng thực",
            RequestState::Refused => "đã từ chối",
            RequestState::Withdrawn => "đã rút yêu cầu",
        }
    }

    /// Whether nothing more can happen to the request.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestState::Certified | RequestState::Refused | RequestState::Withdrawn
        )
    }
}

/// The grounds on which an original cannot be the basis of a certified copy (Decree
/// 23/2015/NĐ-CP, Art. 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalGround {
    /// Erased, corrected, with content added or removed improperly.
    ErasedOrAltered,
    /// Damaged or worn so that its content cannot be made out.
    DamagedOrIllegible,
    /// Stamped secret, or marked as not to be copied: the law forbids copying it.
    CopyForbidden,
    /// Content against the law or social ethics.
    UnlawfulContent,
    /// Issued or certified abroad and not consular-legalised.
    ForeignNotLegalised,
    /// A paper made by a person, without confirmation and seal of a competent body.
    UnconfirmedPrivatePaper,
}

impl RefusalGround {
    /// Every ground, in the order of the article.
    pub const ALL: [RefusalGround; 6] = [
        RefusalGround::ErasedOrAltered,
        RefusalGround::DamagedOrIllegible,
        RefusalGround::CopyForbidden,
        RefusalGround::UnlawfulContent,
        RefusalGround::ForeignNotLegalised,
        RefusalGround::UnconfirmedPrivatePaper,
    ];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalGround::ErasedOrAltered => "erased_or_altered",
            RefusalGround::DamagedOrIllegible => "damaged_or_illegible",
            RefusalGround::CopyForbidden => "copy_forbidden",
            RefusalGround::UnlawfulContent => "unlawful_content",
            RefusalGround::ForeignNotLegalised => "foreign_not_legalised",
            RefusalGround::UnconfirmedPrivatePaper => "unconfirmed_private_paper",
        }
    }

    /// Parses the stored form.
    pub fn parse(text: &str) -> Option<RefusalGround> {
        Self::ALL.into_iter().find(|ground| ground.as_str() == text)
    }

    /// Clause of Art. 22.
    pub fn clause(self) -> u8 {
        match self {
            RefusalGround::ErasedOrAltered => 1,
            RefusalGround::DamagedOrIllegible => 2,
            RefusalGround::CopyForbidden => 3,
            RefusalGround::UnlawfulContent => 4,
            RefusalGround::ForeignNotLegalised => 5,
            RefusalGround::UnconfirmedPrivatePaper => 6,
        }
    }

    /// The ground as the notice states it.
    pub fn text_vi(self) -> &'static str {
        match self {
            RefusalGround::ErasedOrAltered => {
                "Bản chính bị tẩy xóa, sửa chữa, thêm, bớt nội dung không hợp lệ."
            }
            RefusalGround::DamagedOrIllegible => {
                "Bản chính bị hư hỏng, cũ nát, không xác định được nội dung."
            }
            RefusalGround::CopyForbidden => {
                "Bản chính đóng dấu mật hoặc ghi rõ không được sao chụp; pháp luật không cho phép sao."
            }
            RefusalGround::UnlawfulContent => {
                "Bản chính có nội dung trái pháp luật, đạo đức xã hội."
            }
            RefusalGround::ForeignNotLegalised => {
                "Bản chính do cơ quan, tổ chức có thẩm quyền của nước ngoài cấp, công chứng hoặc chứng nhận chưa được hợp pháp hóa lãnh sự."
            }
            RefusalGround::UnconfirmedPrivatePaper => {
                "Giấy tờ, văn bản do cá nhân tự lập nhưng không có xác nhận và đóng dấu của cơ quan, tổ chức có thẩm quyền."
            }
        }
    }

    /// The ground in English.
    pub fn text_en(self) -> &'static str {
        match self {
            RefusalGround::ErasedOrAltered => {
                "The original is erased, corrected, or has content added or removed improperly."
            }
            RefusalGround::DamagedOrIllegible => {
                "The original is damaged or worn so that its content cannot be made out."
            }
            RefusalGround::CopyForbidden => {
                "The original is stamped secret or marked not to be copied; the law forbids copying it."
            }
            RefusalGround::UnlawfulContent => {
                "The original has content against the law or social ethics."
            }
            RefusalGround::ForeignNotLegalised => {
                "The original was issued or certified by a foreign authority and is not consular-legalised."
            }
            RefusalGround::UnconfirmedPrivatePaper => {
                "The paper was made by a person without the confirmation and seal of a competent body."
            }
        }
    }

    /// The legal basis as printed on the notice.
    pub fn legal_basis_vi(self) -> String {
        format!(
            "Khoản {} Điều 22 Nghị định số 23/2015/NĐ-CP ngày 16/02/2015 của Chính phủ",
            self.clause()
        )
    }
}

/// How a fee was paid at the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Cash at the counter.
    Cash,
    /// Bank transfer.
    Transfer,
}

impl PaymentMethod {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Transfer => "transfer",
        }
    }
}

/// Why a desk or certification action was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertificationError {
    /// No such request at the caller's office (or no such request the citizen may see).
    #[error("certification request not found")]
    NotFound,
    /// Only staff of an office may do this.
    #[error("not allowed")]
    Forbidden,
    /// The move is not allowed from the request's state.
    #[error("cannot {action} a request that is {}", .from.as_str())]
    IllegalTransition {
        /// The state it is in.
        from: RequestState,
        /// What was attempted (`scan`, `hand_over`, `certify`, …).
        action: &'static str,
    },
    /// The person who scanned may not certify (two persons), unless the office works with
    /// one person.
    #[error("the person who scanned cannot certify")]
    SamePerson,
    /// A field is missing or invalid.
    #[error("invalid field {field}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What is wrong, in Vietnamese.
        vi: String,
        /// What is wrong, in English.
        en: String,
    },
    /// The comparison checklist was not confirmed in full.
    #[error("checklist incomplete")]
    ChecklistIncomplete,
    /// The fee was already recorded as paid.
    #[error("fee already paid")]
    AlreadyPaid,
    /// A scan was refused by the intake.
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// The issuance failed.
    #[error(transparent)]
    Issue(#[from] IssueError),
    /// The result date could not be computed.
    #[error(transparent)]
    ResultDate(#[from] ResultDateError),
    /// Storing or reading a file failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The refusal notice could not be made or signed.
    #[error("refusal notice: {0}")]
    Notice(String),
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for CertificationError {
    fn from(error: diesel::result::Error) -> Self {
        CertificationError::Db(DbError::from(error))
    }
}

impl CertificationError {
    /// An invalid field with its messages.
    pub fn invalid(field: &'static str, vi: &str, en: &str) -> Self {
        CertificationError::InvalidField {
            field,
            vi: vi.to_owned(),
            en: en.to_owned(),
        }
    }
}

fn action_vi(action: &str) -> &'static str {
    match action {
        "scan" => "tải bản quét cho",
        "reorder" => "sắp xếp lại bản quét của",
        "hand_over" => "chuyển ký",
        "refuse" => "từ chối",
        "send_back" => "trả lại",
        "withdraw" => "rút",
        "certify" => "ký chứng thực",
        "pay" => "ghi nhận lệ phí cho",
        "change_fee" => "sửa lệ phí của",
        _ => "thao tác trên",
    }
}

impl UserFacing for CertificationError {
    fn public(&self) -> PublicError {
        match self {
            CertificationError::NotFound => PublicError::new(
                404,
                "request_not_found",
                "Không tìm thấy yêu cầu chứng thực.".into(),
                "Certification request not found.".into(),
            ),
            CertificationError::Forbidden => PublicError::new(
                403,
                "forbidden",
                "Bạn không có quyền thực hiện thao tác này.".into(),
                "You are not allowed to do this.".into(),
            ),
            CertificationError::IllegalTransition { from, action } => PublicError::new(
                409,
                "illegal_transition",
                format!(
                    "Không thể {} yêu cầu đang ở trạng thái \u{201c}{}\u{201d}.",
                    action_vi(action),
                    from.name_vi()
                ),
                format!(
                    "Cannot {} a request that is {}.",
                    action.replace('_', " "),
                    from.as_str().replace('_', " ")
                ),
            ),
            CertificationError::SamePerson => PublicError::new(
                409,
                "same_person",
                "Người đã quét và đối chiếu bản chính không được đồng thời ký chứng thực (cơ quan không làm việc một người).".into(),
                "The person who scanned and compared the original cannot also certify it (the office does not work with one person).".into(),
            ),
            CertificationError::InvalidField { field, vi, en } => PublicError::new(
                422,
                "invalid_field",
                format!("Trường `{field}`: {vi}"),
                format!("Field `{field}`: {en}"),
            ),
            CertificationError::ChecklistIncomplete => PublicError::new(
                422,
                "checklist_incomplete",
                "Cần xác nhận đủ: đã đếm số trang, không thấy tẩy xóa, đã xem bản chính.".into(),
                "Confirm every point: pages counted, no erasure seen, original shown.".into(),
            ),
            CertificationError::AlreadyPaid => PublicError::new(
                409,
                "fee_already_paid",
                "Lệ phí đã được ghi nhận; chỉ người có thẩm quyền ký mới sửa được.".into(),
                "The fee is already recorded as paid; only an official may change it.".into(),
            ),
            CertificationError::Intake(error) => error.public(),
            CertificationError::Issue(error) => error.public(),
            CertificationError::ResultDate(_) => PublicError::new(
                422,
                "no_result_date",
                "Không tính được ngày trả kết quả (thiếu lịch nghỉ lễ của năm).".into(),
                "The result date could not be computed (no holiday data for the year).".into(),
            ),
            CertificationError::Storage(_)
            | CertificationError::Notice(_)
            | CertificationError::Db(_) => PublicError::internal_error(),
        }
    }
}
