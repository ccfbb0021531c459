//! The one error type of the intake layer: why an upload was refused.
//!
//! Every refusal names the file (and, where it applies, the 1-based page inside that
//! file), carries a stable machine [`IntakeError::code`], and a message for the clerk and
//! the citizen in Vietnamese ([`IntakeError::message_vi`], shown first) and English
//! ([`IntakeError::message_en`]).

/// Why a set of scan files was refused at intake.
///
/// `page` fields are 1-based page numbers inside the named file (always 1 for JPEG and
/// PNG files).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum IntakeError {
    /// No page at all: the upload held no file, or a PDF has an empty page tree.
    #[error("no pages to copy{}", file.as_ref().map(|f| format!(" in {f:?}")).unwrap_or_default())]
    NoPages {
        /// The file without pages, `None` when the upload held no file.
        file: Option<String>,
    },
    /// The upload holds more pages than the limit allows.
    #[error("too many pages: more than {max} (exceeded in {file:?})")]
    TooManyPages {
        /// The file in which the count went over the limit.
        file: String,
        /// The page limit.
        max: u32,
    },
    /// A file is larger than the per-file byte limit.
    #[error("file {file:?} is {size} bytes, the limit is {max}")]
    FileTooLarge {
        /// The file name as uploaded.
        file: String,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        max: u64,
    },
    /// A file has no bytes at all.
    #[error("file {file:?} is empty")]
    EmptyFile {
        /// The file name as uploaded.
        file: String,
    },
    /// The bytes are neither JPEG, PNG nor PDF (the name's extension is never trusted).
    #[error("file {file:?} is not a JPEG, PNG or PDF scan")]
    UnsupportedFormat {
        /// The file name as uploaded.
        file: String,
    },
    /// A JPEG stream ends before its end-of-image marker: an interrupted upload or copy.
    #[error("JPEG in {file:?} page {page} is truncated: {detail}")]
    TruncatedJpeg {
        /// The file name as uploaded.
        file: String,
        /// 1-based page inside the file.
        page: u32,
        /// Technical detail (English).
        detail: String,
    },
    /// A JPEG stream is malformed (missing frame header, bad marker, …).
    #[error("JPEG in {file:?} page {page} is corrupt: {detail}")]
    CorruptJpeg {
        /// The file name as uploaded.
        file: String,
        /// 1-based page inside the file.
        page: u32,
        /// Technical detail (English).
        detail: String,
    },
    /// A well-formed JPEG that a PDF DCTDecode filter cannot carry (lossless,
    /// arithmetic-coded, 12-bit, two components, …).
    #[error("JPEG in {file:?} page {page} uses an unsupported coding: {detail}")]
    UnsupportedJpeg {
        /// The file name as uploaded.
        file: String,
        /// 1-based page inside the file.
        page: u32,
        /// Technical detail (English).
        detail: String,
    },
    /// A PNG file is malformed or could not be decoded.
    #[error("PNG {file:?} is corrupt: {detail}")]
    CorruptPng {
        /// The file name as uploaded.
        file: String,
        /// Technical detail (English).
        detail: String,
    },
    /// The image's declared pixel size exceeds the limit (checked before decoding, so a
    /// decompression bomb is refused without inflating it).
    #[error("image in {file:?} page {page} is {width}x{height} px, limit {max_side} px per side")]
    ImageTooLarge {
        /// The file name as uploaded.
        file: String,
        /// 1-based page inside the file.
        page: u32,
        /// Declared width in pixels.
        width: u64,
        /// Declared height in pixels.
        height: u64,
        /// The per-side limit in pixels.
        max_side: u32,
    },
    /// The scan resolution is above the limit.
    #[error("image in {file:?} page {page} is {dpi:.0} dpi, limit {max} dpi")]
    DpiTooHigh {
        /// The file name as uploaded.
        file: String,
        /// 1-based page inside the file.
        page: u32,
        /// The resolution found (the larger of the two axes).
        dpi: f32,
        /// The limit.
        max: u32,
    },
    /// The declared resolution is implausibly low: the page would print larger than a
    /// PDF page may be.
    #[error("image in {file:?} page {page} is {dpi:.1} dpi, minimum {min} dpi")]
    DpiTooLow {
        /// The file name as uploaded.
        file: String,
        /// 1-based page inside the file.
        page: u32,
        /// The resolution found (the smaller of the two axes).
        dpi: f32,
        /// The minimum.
        min: u32,
    },
    /// A PDF that does not parse.
    #[error("PDF {file:?} is corrupt: {detail}")]
    CorruptPdf {
        /// The file name as uploaded.
        file: String,
        /// Technical detail (English).
        detail: String,
    },
    /// A PDF that is encrypted (with or without a user password).
    #[error("PDF {file:?} is encrypted")]
    EncryptedPdf {
        /// The file name as uploaded.
        file: String,
    },
    /// A PDF page with text operators or fonts: a born-digital document, not a scan.
    #[error("PDF {file:?} page {page} contains text or fonts, not a scan")]
    PdfHasText {
        /// The file name as uploaded.
        file: String,
        /// 1-based page inside the file.
        page: u32,
    },
    /// A PDF page that does not show exactly one image.
    #[error("PDF {file:?} page {page} shows {images} images, a scan page shows exactly one")]
    PdfNotSingleImage {
        /// The file name as uploaded.
        file: String,
        /// 1-based page inside the file.
        page: u32,
        /// How many images the page holds or draws.
        images: usize,
    },
    /// A PDF page that paints something other than its image (vector drawing, inline
    /// image, form XObject, shading).
    #[error("PDF {file:?} page {page} paints other content ({operator}), not a scan")]
    PdfNotScanContent {
        /// The file name as uploaded.
        file: String,
        /// 1-based page inside the file.
        page: u32,
        /// The offending content operator or object kind.
        operator: String,
    },
    /// A PDF image compressed with a filter this service does not take (JBIG2, CCITT fax,
    /// JPEG 2000, LZW, chains of filters, …).
    #[error("PDF {file:?} page {page}: image filter {filter} is not supported")]
    UnsupportedImageFilter {
        /// The file name as uploaded.
        file: String,
        /// 1-based page inside the file.
        page: u32,
        /// The filter name(s) found.
        filter: String,
    },
    /// A PDF image whose colour space, depth, mask or placement is not supported.
    #[error("PDF {file:?} page {page}: unsupported image: {detail}")]
    UnsupportedPdfImage {
        /// The file name as uploaded.
        file: String,
        /// 1-based page inside the file.
        page: u32,
        /// Technical detail (English).
        detail: String,
    },
}

impl IntakeError {
    /// Stable machine code, for API answers, logs and translations.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoPages { .. } => "no_pages",
            Self::TooManyPages { .. } => "too_many_pages",
            Self::FileTooLarge { .. } => "file_too_large",
            Self::EmptyFile { .. } => "empty_file",
            Self::UnsupportedFormat { .. } => "unsupported_format",
            Self::TruncatedJpeg { .. } => "truncated_jpeg",
            Self::CorruptJpeg { .. } => "corrupt_jpeg",
            Self::UnsupportedJpeg { .. } => "unsupported_jpeg",
            Self::CorruptPng { .. } => "corrupt_png",
            Self::ImageTooLarge { .. } => "image_too_large",
            Self::DpiTooHigh { .. } => "dpi_too_high",
            Self::DpiTooLow { .. } => "dpi_too_low",
            Self::CorruptPdf { .. } => "corrupt_pdf",
            Self::EncryptedPdf { .. } => "encrypted_pdf",
            Self::PdfHasText { .. } => "pdf_has_text",
            Self::PdfNotSingleImage { .. } => "pdf_not_single_image",
            Self::PdfNotScanContent { .. } => "pdf_not_scan_content",
            Self::UnsupportedImageFilter { .. } => "unsupported_image_filter",
            Self::UnsupportedPdfImage { .. } => "unsupported_pdf_image",
        }
    }

    /// The file the refusal is about, if any.
    pub fn file(&self) -> Option<&str> {
        match self {
            Self::NoPages { file } => file.as_deref(),
            Self::TooManyPages { file, .. }
            | Self::FileTooLarge { file, .. }
            | Self::EmptyFile { file }
            | Self::UnsupportedFormat { file }
            | Self::TruncatedJpeg { file, .. }
            | Self::CorruptJpeg { file, .. }
            | Self::UnsupportedJpeg { file, .. }
            | Self::CorruptPng { file, .. }
            | Self::ImageTooLarge { file, .. }
            | Self::DpiTooHigh { file, .. }
            | Self::DpiTooLow { file, .. }
            | Self::CorruptPdf { file, .. }
            | Self::EncryptedPdf { file }
            | Self::PdfHasText { file, .. }
            | Self::PdfNotSingleImage { file, .. }
            | Self::PdfNotScanContent { file, .. }
            | Self::UnsupportedImageFilter { file, .. }
            | Self::UnsupportedPdfImage { file, .. } => Some(file),
        }
    }

    /// The 1-based page inside [`IntakeError::file`] the refusal is about, if any.
    pub fn page(&self) -> Option<u32> {
        match self {
            Self::TruncatedJpeg { page, .. }
            | Self::CorruptJpeg { page, .. }
            | Self::UnsupportedJpeg { page, .. }
            | Self::ImageTooLarge { page, .. }
            | Self::DpiTooHigh { page, .. }
            | Self::DpiTooLow { page, .. }
            | Self::PdfHasText { page, .. }
            | Self::PdfNotSingleImage { page, .. }
            | Self::PdfNotScanContent { page, .. }
            | Self::UnsupportedImageFilter { page, .. }
            | Self::UnsupportedPdfImage { page, .. } => Some(*page),
            _ => None,
        }
    }

    /// Message for the clerk and the citizen, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::NoPages { file: None } => "Không có trang nào để sao chụp.".to_owned(),
            Self::NoPages { file: Some(file) } => format!("Tệp «{file}» không có trang nào."),
            Self::TooManyPages { file, max } => {
                format!("Hồ sơ có quá nhiều trang (vượt quá {max} trang, tính đến tệp «{file}»).")
            }
            Self::FileTooLarge { file, size, max } => {
                format!("Tệp «{file}» quá lớn ({size} byte); dung lượng tối đa là {max} byte.")
            }
            Self::EmptyFile { file } => format!("Tệp «{file}» rỗng, không có dữ liệu."),
            Self::UnsupportedFormat { file } => format!(
                "Tệp «{file}» không phải ảnh JPEG, PNG hoặc tệp PDF bản quét nên không được tiếp nhận."
            ),
            Self::TruncatedJpeg { file, page, .. } => format!(
                "Ảnh JPEG trong tệp «{file}», trang {page}, bị cắt cụt (thiếu dữ liệu). Vui lòng quét lại."
            ),
            Self::CorruptJpeg { file, page, .. } => {
                format!("Ảnh JPEG trong tệp «{file}», trang {page}, bị hỏng. Vui lòng quét lại.")
            }
            Self::UnsupportedJpeg { file, page, .. } => format!(
                "Ảnh JPEG trong tệp «{file}», trang {page}, dùng kiểu mã hóa không được hỗ trợ. Vui lòng quét lại với định dạng JPEG thông thường."
            ),
            Self::CorruptPng { file, .. } => {
                format!("Ảnh PNG «{file}» bị hỏng hoặc không đọc được. Vui lòng quét lại.")
            }
            Self::ImageTooLarge {
                file,
                page,
                width,
                height,
                max_side,
            } => format!(
                "Ảnh trong tệp «{file}», trang {page}, có kích thước {width}×{height} điểm ảnh, vượt giới hạn {max_side} điểm ảnh mỗi cạnh."
            ),
            Self::DpiTooHigh {
                file,
                page,
                dpi,
                max,
            } => format!(
                "Ảnh trong tệp «{file}», trang {page}, có độ phân giải {dpi:.0} dpi, vượt mức tối đa {max} dpi. Vui lòng quét lại ở độ phân giải thấp hơn."
            ),
            Self::DpiTooLow {
                file,
                page,
                dpi,
                min,
            } => format!(
                "Ảnh trong tệp «{file}», trang {page}, khai báo độ phân giải {dpi:.1} dpi, thấp hơn mức tối thiểu {min} dpi. Vui lòng quét lại."
            ),
            Self::CorruptPdf { file, .. } => {
                format!("Tệp PDF «{file}» bị hỏng hoặc không đọc được.")
            }
            Self::EncryptedPdf { file } => format!(
                "Tệp PDF «{file}» được mã hóa hoặc đặt mật khẩu. Vui lòng nộp bản quét không mã hóa."
            ),
            Self::PdfHasText { file, page } => format!(
                "Trang {page} của tệp PDF «{file}» chứa văn bản hoặc phông chữ. Chỉ tiếp nhận tệp PDF bản quét (mỗi trang là một ảnh quét)."
            ),
            Self::PdfNotSingleImage { file, page, images } => format!(
                "Trang {page} của tệp PDF «{file}» có {images} ảnh; mỗi trang bản quét phải có đúng một ảnh."
            ),
            Self::PdfNotScanContent {
                file,
                page,
                operator,
            } => format!(
                "Trang {page} của tệp PDF «{file}» có nội dung không phải ảnh quét ({operator}). Chỉ tiếp nhận tệp PDF bản quét."
            ),
            Self::UnsupportedImageFilter { file, page, filter } => format!(
                "Ảnh ở trang {page} của tệp PDF «{file}» được nén bằng {filter}, định dạng chưa được hỗ trợ (chỉ nhận JPEG hoặc Flate). Vui lòng quét lại ở chế độ màu hoặc xám."
            ),
            Self::UnsupportedPdfImage { file, page, detail } => {
                format!("Ảnh ở trang {page} của tệp PDF «{file}» không được hỗ trợ ({detail}).")
            }
        }
    }

    /// Message for the clerk and the citizen, in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::NoPages { file: None } => "There are no pages to copy.".to_owned(),
            Self::NoPages { file: Some(file) } => format!("File “{file}” has no pages."),
            Self::TooManyPages { file, max } => format!(
                "The upload has too many pages (more than {max}, counting up to file “{file}”)."
            ),
            Self::FileTooLarge { file, size, max } => {
                format!("File “{file}” is too large ({size} bytes); the limit is {max} bytes.")
            }
            Self::EmptyFile { file } => format!("File “{file}” is empty."),
            Self::UnsupportedFormat { file } => format!(
                "File “{file}” is not a JPEG image, PNG image or scanned PDF and cannot be accepted."
            ),
            Self::TruncatedJpeg { file, page, detail } => format!(
                "The JPEG image in file “{file}”, page {page}, is truncated ({detail}). Please scan again."
            ),
            Self::CorruptJpeg { file, page, detail } => format!(
                "The JPEG image in file “{file}”, page {page}, is corrupt ({detail}). Please scan again."
            ),
            Self::UnsupportedJpeg { file, page, detail } => format!(
                "The JPEG image in file “{file}”, page {page}, uses an unsupported coding ({detail}). Please scan again as a baseline JPEG."
            ),
            Self::CorruptPng { file, detail } => {
                format!("The PNG image “{file}” is corrupt ({detail}). Please scan again.")
            }
            Self::ImageTooLarge {
                file,
                page,
                width,
                height,
                max_side,
            } => format!(
                "The image in file “{file}”, page {page}, is {width}×{height} pixels, over the limit of {max_side} pixels per side."
            ),
            Self::DpiTooHigh {
                file,
                page,
                dpi,
                max,
            } => format!(
                "The image in file “{file}”, page {page}, is {dpi:.0} dpi, over the limit of {max} dpi. Please scan at a lower resolution."
            ),
            Self::DpiTooLow {
                file,
                page,
                dpi,
                min,
            } => format!(
                "The image in file “{file}”, page {page}, declares {dpi:.1} dpi, below the minimum of {min} dpi. Please scan again."
            ),
            Self::CorruptPdf { file, detail } => {
                format!("The PDF file “{file}” is corrupt or unreadable ({detail}).")
            }
            Self::EncryptedPdf { file } => format!(
                "The PDF file “{file}” is encrypted or password-protected. Please provide an unencrypted scan."
            ),
            Self::PdfHasText { file, page } => format!(
                "Page {page} of the PDF file “{file}” contains text or fonts. Only scanned PDFs (one scanned image per page) are accepted."
            ),
            Self::PdfNotSingleImage { file, page, images } => format!(
                "Page {page} of the PDF file “{file}” holds {images} images; a scanned page holds exactly one."
            ),
            Self::PdfNotScanContent {
                file,
                page,
                operator,
            } => format!(
                "Page {page} of the PDF file “{file}” paints content other than a scanned image ({operator}). Only scanned PDFs are accepted."
            ),
            Self::UnsupportedImageFilter { file, page, filter } => format!(
                "The image on page {page} of the PDF file “{file}” is compressed with {filter}, which is not supported (JPEG or Flate only). Please scan in colour or greyscale mode."
            ),
            Self::UnsupportedPdfImage { file, page, detail } => format!(
                "The image on page {page} of the PDF file “{file}” is not supported ({detail})."
            ),
        }
    }
}
