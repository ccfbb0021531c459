//! The one error type of the assembly layer: why a copy PDF could not be built.
//!
//! Each variant has a stable [`AssemblyError::code`] and messages in Vietnamese
//! ([`AssemblyError::message_vi`], shown first) and English ([`AssemblyError::message_en`]).

/// A field of the copy or of its certification statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatementField {
    /// The document title.
    Title,
    /// The certification number (must be at least 1; Decree 23/2015, Art. 13).
    Sequence,
    /// The register book number, like `01/2026`.
    Book,
    /// The certification date.
    Date,
    /// The certifying official's full name.
    OfficialName,
    /// The certifying official's position.
    OfficialPosition,
    /// The certifying office's name.
    OfficeName,
    /// The verification code.
    Code,
}

impl StatementField {
    /// Vietnamese name of the field.
    pub fn name_vi(self) -> &'static str {
        match self {
            Self::Title => "tên giấy tờ",
            Self::Sequence => "số chứng thực",
            Self::Book => "quyển số",
            Self::Date => "ngày chứng thực",
            Self::OfficialName => "họ tên người thực hiện chứng thực",
            Self::OfficialPosition => "chức vụ người thực hiện chứng thực",
            Self::OfficeName => "tên cơ quan thực hiện chứng thực",
            Self::Code => "mã xác minh",
        }
    }

    /// English name of the field.
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Title => "document title",
            Self::Sequence => "certification number",
            Self::Book => "register book number",
            Self::Date => "certification date",
            Self::OfficialName => "certifying official's name",
            Self::OfficialPosition => "certifying official's position",
            Self::OfficeName => "certifying office's name",
            Self::Code => "verification code",
        }
    }
}

/// Why the copy PDF could not be assembled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AssemblyError {
    /// The copy has no page.
    #[error("the copy has no pages")]
    NoPages,
    /// A statement or document field is empty or malformed.
    #[error("invalid {}", field.name_en())]
    InvalidStatement {
        /// The offending field.
        field: StatementField,
    },
    /// The verification URL does not end in `/v/{code}` or is not printable ASCII.
    #[error("verification URL {url:?} does not end with /v/{code}")]
    VerifyUrlMismatch {
        /// The URL given.
        url: String,
        /// The code given.
        code: String,
    },
    /// A page's pixel data, size or resolution is inconsistent or out of range.
    #[error("page {index}: {detail}")]
    InvalidPage {
        /// 0-based index of the page in the copy.
        index: usize,
        /// Technical detail (English).
        detail: String,
    },
    /// The statement lines do not fit on an A4 page even at the smallest font size.
    #[error("the certification statement is too long to fit on one line per item")]
    StatementTooLong,
    /// The embedded font has no glyph for a character of the statement.
    #[error("no glyph for character {character:?} (U+{:04X})", *character as u32)]
    MissingGlyph {
        /// The character.
        character: char,
    },
    /// The embedded font could not be read or subset (an internal fault).
    #[error("font error: {detail}")]
    Font {
        /// Technical detail (English).
        detail: String,
    },
    /// The verification URL could not be encoded as a QR code (too long).
    #[error("QR code error: {detail}")]
    QrCode {
        /// Technical detail (English).
        detail: String,
    },
    /// The caller cancelled the assembly (see [`crate::cancel`]); nothing was produced.
    #[error("the assembly was stopped before it finished")]
    Cancelled,
}

impl AssemblyError {
    /// Stable machine code, for API answers, logs and translations.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoPages => "no_pages",
            Self::InvalidStatement { .. } => "invalid_statement",
            Self::VerifyUrlMismatch { .. } => "verify_url_mismatch",
            Self::InvalidPage { .. } => "invalid_page",
            Self::StatementTooLong => "statement_too_long",
            Self::MissingGlyph { .. } => "missing_glyph",
            Self::Font { .. } => "font_error",
            Self::QrCode { .. } => "qr_code_error",
            Self::Cancelled => "cancelled",
        }
    }

    /// Message for the clerk and the official, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::NoPages => "Bản sao không có trang nào.".to_owned(),
            Self::InvalidStatement { field } => {
                format!("Thiếu hoặc sai thông tin lời chứng: {}.", field.name_vi())
            }
            Self::VerifyUrlMismatch { .. } => {
                "Địa chỉ xác minh không khớp với mã xác minh của bản sao.".to_owned()
            }
            Self::InvalidPage { index, .. } => format!(
                "Trang {} của bản sao có dữ liệu ảnh, kích thước hoặc độ phân giải không hợp lệ.",
                index + 1
            ),
            Self::StatementTooLong => {
                "Lời chứng quá dài, không thể in mỗi mục trên một dòng. Vui lòng rút gọn tên cơ quan hoặc chức vụ.".to_owned()
            }
            Self::MissingGlyph { character } => format!(
                "Phông chữ không có ký tự «{character}» (U+{:04X}) trong lời chứng.",
                *character as u32
            ),
            Self::Font { .. } => "Lỗi nội bộ khi nhúng phông chữ vào bản sao.".to_owned(),
            Self::QrCode { .. } => {
                "Không tạo được mã QR cho địa chỉ xác minh (địa chỉ quá dài).".to_owned()
            }
            Self::Cancelled => "Việc tạo bản sao đã dừng trước khi xong.".to_owned(),
        }
    }

    /// Message for the clerk and the official, in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::NoPages => "The copy has no pages.".to_owned(),
            Self::InvalidStatement { field } => {
                format!("Missing or invalid statement field: {}.", field.name_en())
            }
            Self::VerifyUrlMismatch { url, code } => {
                format!("The verification URL “{url}” does not match the verification code “{code}”.")
            }
            Self::InvalidPage { index, detail } => format!(
                "Page {} of the copy has invalid image data, size or resolution ({detail}).",
                index + 1
            ),
            Self::StatementTooLong => {
                "The certification statement is too long to print one item per line. Please shorten the office name or position.".to_owned()
            }
            Self::MissingGlyph { character } => format!(
                "The font has no glyph for “{character}” (U+{:04X}) in the statement.",
                *character as u32
            ),
            Self::Font { detail } => format!("Internal error while embedding the font ({detail})."),
            Self::QrCode { detail } => {
                format!("The verification URL could not be encoded as a QR code ({detail}).")
            }
            Self::Cancelled => "Building the copy was stopped before it finished.".to_owned(),
        }
    }
}

impl From<crate::font::FontError> for AssemblyError {
    fn from(error: crate::font::FontError) -> Self {
        match error {
            crate::font::FontError::MissingGlyph { character } => {
                AssemblyError::MissingGlyph { character }
            }
            crate::font::FontError::Font { detail } => AssemblyError::Font { detail },
        }
    }
}
