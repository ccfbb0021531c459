//! Certification fees (Circular 226/2016/TT-BTC, Art. 4): the fee table, shared by the
//! estimate shown when booking and the fee written in the register.
//!
//! Copy certified from an original: 2,000 VND per page for pages 1 and 2, 1,000 VND per page
//! from page 3, at most 200,000 VND per copy; pages are counted on the original. Each copy
//! is charged, so a document costs `fee_per_copy(pages) × copies`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{PublicError, UserFacing};

/// Fee for each of pages 1–2 (Circular 226/2016/TT-BTC, Art. 4).
pub const FEE_FIRST_TWO_PAGES: Vnd = Vnd(2_000);
/// Fee for each page from page 3 on.
pub const FEE_FURTHER_PAGE: Vnd = Vnd(1_000);
/// Ceiling per copy.
pub const FEE_CAP_PER_COPY: Vnd = Vnd(200_000);
/// Most pages one original may have in an estimate (a sanity bound, not a legal one).
pub const MAX_PAGES_PER_DOCUMENT: u32 = 5_000;
/// Most copies of one original in one request.
pub const MAX_COPIES_PER_DOCUMENT: u32 = 50;
/// Most documents in one estimate.
pub const MAX_DOCUMENTS: usize = 100;
/// Longest document title, characters.
pub const MAX_TITLE_CHARS: usize = 300;

/// An amount in Vietnamese đồng. Serialises as a plain integer.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Vnd(pub u64);

impl Vnd {
    /// Sum, `None` on overflow.
    pub fn checked_add(self, other: Vnd) -> Option<Vnd> {
        self.0.checked_add(other.0).map(Vnd)
    }

    /// Product with a count, `None` on overflow.
    pub fn checked_mul(self, count: u64) -> Option<Vnd> {
        self.0.checked_mul(count).map(Vnd)
    }
}

impl fmt::Display for Vnd {
    /// Vietnamese style: `200.000 đ`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(digit);
        }
        write!(f, "{grouped} đ")
    }
}

/// The fee for one copy of an original of `pages` pages (0 pages → 0).
pub fn fee_per_copy(pages: u32) -> Vnd {
    // u32 pages × 1,000 stays far below u64::MAX, so plain arithmetic cannot overflow.
    let first = u64::from(pages.min(2)) * FEE_FIRST_TWO_PAGES.0;
    let further = u64::from(pages.saturating_sub(2)) * FEE_FURTHER_PAGE.0;
    Vnd((first + further).min(FEE_CAP_PER_COPY.0))
}

/// One original the citizen brings, and how many certified copies of it they want.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRequest {
    /// What the document is ("Bằng tốt nghiệp THPT", "Giấy khai sinh"…).
    pub title: String,
    /// Pages of the original that carry information (Circular 01/2020/TT-BTP: the copy
    /// contains each of them).
    pub pages: u32,
    /// Certified copies wanted.
    pub copies: u32,
}

impl DocumentRequest {
    /// Pages the office certifies for this document: pages × copies.
    pub fn certified_pages(&self) -> u64 {
        u64::from(self.pages) * u64::from(self.copies)
    }
}

/// One line of a fee estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeLine {
    /// Document title (trimmed).
    pub title: String,
    /// Pages of the original.
    pub pages: u32,
    /// Copies.
    pub copies: u32,
    /// Fee of one copy.
    pub fee_per_copy: Vnd,
    /// `fee_per_copy × copies`.
    pub subtotal: Vnd,
}

/// A fee estimate for a whole request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeEstimate {
    /// One line per document, in the order given.
    pub items: Vec<FeeLine>,
    /// Sum of the subtotals.
    pub total: Vnd,
    /// Pages certified in all (Σ pages × copies): the measure compared with the office's
    /// large-request threshold for the result date (Decree 23/2015/NĐ-CP, Art. 21).
    pub certified_pages: u64,
}

/// Computes the fee of every document and the total, after validating the request.
pub fn fee_estimate(documents: &[DocumentRequest]) -> Result<FeeEstimate, FeeError> {
    if documents.is_empty() {
        return Err(FeeError::NoDocuments);
    }
    if documents.len() > MAX_DOCUMENTS {
        return Err(FeeError::TooManyDocuments {
            count: documents.len(),
            max: MAX_DOCUMENTS,
        });
    }
    let mut items = Vec::with_capacity(documents.len());
    let mut total = Vnd(0);
    let mut certified_pages: u64 = 0;
    for (index, document) in documents.iter().enumerate() {
        let title = document.title.trim();
        if title.is_empty() {
            return Err(FeeError::EmptyTitle { index });
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(FeeError::TitleTooLong {
                index,
                max: MAX_TITLE_CHARS,
            });
        }
        if !(1..=MAX_PAGES_PER_DOCUMENT).contains(&document.pages) {
            return Err(FeeError::PagesOutOfRange {
                index,
                pages: document.pages,
                max: MAX_PAGES_PER_DOCUMENT,
            });
        }
        if !(1..=MAX_COPIES_PER_DOCUMENT).contains(&document.copies) {
            return Err(FeeError::CopiesOutOfRange {
                index,
                copies: document.copies,
                max: MAX_COPIES_PER_DOCUMENT,
            });
        }
        let fee = fee_per_copy(document.pages);
        let subtotal = fee
            .checked_mul(document.copies.into())
            .ok_or(FeeError::Overflow)?;
        total = total.checked_add(subtotal).ok_or(FeeError::Overflow)?;
        certified_pages = certified_pages
            .checked_add(document.certified_pages())
            .ok_or(FeeError::Overflow)?;
        items.push(FeeLine {
            title: title.to_owned(),
            pages: document.pages,
            copies: document.copies,
            fee_per_copy: fee,
            subtotal,
        });
    }
    Ok(FeeEstimate {
        items,
        total,
        certified_pages,
    })
}

/// Why a fee estimate was refused. `index` is the document's position in the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FeeError {
    /// No document.
    #[error("the request lists no document")]
    NoDocuments,
    /// Too many documents.
    #[error("the request lists {count} documents; at most {max}")]
    TooManyDocuments {
        /// Documents given.
        count: usize,
        /// Most allowed.
        max: usize,
    },
    /// Blank title.
    #[error("documents[{index}].title: the title is empty")]
    EmptyTitle {
        /// Position of the document.
        index: usize,
    },
    /// Title too long.
    #[error("documents[{index}].title: at most {max} characters")]
    TitleTooLong {
        /// Position of the document.
        index: usize,
        /// Most characters allowed.
        max: usize,
    },
    /// Pages outside 1..=max.
    #[error("documents[{index}].pages: must be between 1 and {max}, got {pages}")]
    PagesOutOfRange {
        /// Position of the document.
        index: usize,
        /// Pages given.
        pages: u32,
        /// Most allowed.
        max: u32,
    },
    /// Copies outside 1..=max.
    #[error("documents[{index}].copies: must be between 1 and {max}, got {copies}")]
    CopiesOutOfRange {
        /// Position of the document.
        index: usize,
        /// Copies given.
        copies: u32,
        /// Most allowed.
        max: u32,
    },
    /// An amount does not fit in 64 bits (cannot happen within the bounds above).
    #[error("the amount is too large")]
    Overflow,
}

impl FeeError {
    /// Path of the offending field, e.g. `documents[2].pages`, when there is one.
    pub fn field(&self) -> Option<String> {
        match self {
            Self::EmptyTitle { index } | Self::TitleTooLong { index, .. } => {
                Some(format!("documents[{index}].title"))
            }
            Self::PagesOutOfRange { index, .. } => Some(format!("documents[{index}].pages")),
            Self::CopiesOutOfRange { index, .. } => Some(format!("documents[{index}].copies")),
            Self::NoDocuments | Self::TooManyDocuments { .. } | Self::Overflow => None,
        }
    }
}

impl UserFacing for FeeError {
    fn public(&self) -> PublicError {
        // Positions are shown 1-based to people.
        match self {
            Self::NoDocuments => PublicError::new(
                422,
                "no_documents",
                "Yêu cầu chưa có giấy tờ nào.".to_owned(),
                "The request lists no document.".to_owned(),
            ),
            Self::TooManyDocuments { count, max } => PublicError::new(
                422,
                "too_many_documents",
                format!("Yêu cầu có {count} giấy tờ; tối đa {max} giấy tờ mỗi lần."),
                format!("The request lists {count} documents; at most {max} per request."),
            ),
            Self::EmptyTitle { index } => PublicError::new(
                422,
                "empty_title",
                format!("Giấy tờ thứ {}: chưa nhập tên giấy tờ.", index + 1),
                format!("Document {}: the title is empty.", index + 1),
            ),
            Self::TitleTooLong { index, max } => PublicError::new(
                422,
                "title_too_long",
                format!(
                    "Giấy tờ thứ {}: tên giấy tờ dài quá {max} ký tự.",
                    index + 1
                ),
                format!(
                    "Document {}: the title is longer than {max} characters.",
                    index + 1
                ),
            ),
            Self::PagesOutOfRange { index, pages, max } => PublicError::new(
                422,
                "pages_out_of_range",
                format!(
                    "Giấy tờ thứ {}: số trang phải từ 1 đến {max}, đã nhập {pages}.",
                    index + 1
                ),
                format!(
                    "Document {}: pages must be between 1 and {max}, got {pages}.",
                    index + 1
                ),
            ),
            Self::CopiesOutOfRange { index, copies, max } => PublicError::new(
                422,
                "copies_out_of_range",
                format!(
                    "Giấy tờ thứ {}: số bản sao phải từ 1 đến {max}, đã nhập {copies}.",
                    index + 1
                ),
                format!(
                    "Document {}: copies must be between 1 and {max}, got {copies}.",
                    index + 1
                ),
            ),
            Self::Overflow => PublicError::new(
                422,
                "amount_overflow",
                "Số tiền quá lớn.".to_owned(),
                "The amount is too large.".to_owned(),
            ),
        }
    }
}

#[cfg(test)]
#[rustfmt::skip::macros(date)]
mod tests {
    use super::*;

    fn document(title: &str, pages: u32, copies: u32) -> DocumentRequest {
        DocumentRequest {
            title: title.to_owned(),
            pages,
            copies,
        }
    }

    #[test]
    fn fee_table_circular_226_art_4() {
        for (pages, fee) in [
            (0, 0),
            (1, 2_000),
            (2, 4_000),
            (3, 5_000),
            (10, 12_000),
            (50, 52_000),
            (197, 199_000),
            (198, 200_000),
            (199, 200_000),
            (300, 200_000),
            (u32::MAX, 200_000),
        ] {
            assert_eq!(fee_per_copy(pages), Vnd(fee), "{pages} pages");
        }
    }

    #[test]
    fn estimate_multiplies_copies_and_sums() {
        let estimate = fee_estimate(&[
            document("  Giấy khai sinh ", 1, 3),
            document("Bằng tốt nghiệp", 2, 2),
            document("Học bạ THPT", 12, 1),
            document("Luận văn", 300, 2),
        ])
        .expect("valid request");
        let subtotals: Vec<u64> = estimate.items.iter().map(|item| item.subtotal.0).collect();
        assert_eq!(subtotals, [6_000, 8_000, 14_000, 400_000]);
        assert_eq!(estimate.items[3].fee_per_copy, Vnd(200_000));
        assert_eq!(estimate.items[0].title, "Giấy khai sinh");
        assert_eq!(estimate.total, Vnd(428_000));
        assert_eq!(estimate.certified_pages, 3 + 4 + 12 + 600);
        assert_eq!(estimate.total.to_string(), "428.000 đ");
    }

    #[test]
    fn maximum_request_does_not_overflow() {
        let documents =
            vec![document("x", MAX_PAGES_PER_DOCUMENT, MAX_COPIES_PER_DOCUMENT); MAX_DOCUMENTS];
        let estimate = fee_estimate(&documents).expect("largest valid request");
        assert_eq!(estimate.total, Vnd(200_000 * 50 * 100));
    }

    #[test]
    fn invalid_requests_name_the_field() {
        assert_eq!(fee_estimate(&[]), Err(FeeError::NoDocuments));
        let zero_pages =
            fee_estimate(&[document("a", 1, 1), document("b", 0, 1)]).expect_err("0 pages");
        assert_eq!(zero_pages.field().as_deref(), Some("documents[1].pages"));
        assert_eq!(
            zero_pages.message_vi(),
            "Giấy tờ thứ 2: số trang phải từ 1 đến 5000, đã nhập 0."
        );
        let copies = fee_estimate(&[document("a", 1, 51)]).expect_err("51 copies");
        assert_eq!(copies.code(), "copies_out_of_range");
        assert_eq!(
            fee_estimate(&[document(" ", 1, 1)]),
            Err(FeeError::EmptyTitle { index: 0 })
        );
        let too_many = vec![document("a", 1, 1); MAX_DOCUMENTS + 1];
        assert!(matches!(
            fee_estimate(&too_many),
            Err(FeeError::TooManyDocuments { .. })
        ));
        assert!(fee_estimate(&[document("a", MAX_PAGES_PER_DOCUMENT + 1, 1)]).is_err());
    }

    #[test]
    fn vnd_display_groups_thousands() {
        assert_eq!(Vnd(0).to_string(), "0 đ");
        assert_eq!(Vnd(2_000).to_string(), "2.000 đ");
        assert_eq!(Vnd(1_234_567).to_string(), "1.234.567 đ");
    }
}
