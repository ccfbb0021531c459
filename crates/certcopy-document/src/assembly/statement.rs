//! The certification statement ("lời chứng") and the block that carries it: the five
//! statement lines, the QR code with the verification code under it, and two reserved
//! signature rectangles, on a white filled box.
//!
//! Wording: Decree 23/2015/NĐ-CP, Art. 20, with the form of Circular 01/2020/TT-BTP:
//!
//! ```text
//! Chứng thực bản sao đúng với bản chính.
//! Số chứng thực: {seq}   Quyển số: {book}-SCT/BS
//! Ngày {dd} tháng {mm} năm {yyyy}
//! Người thực hiện chứng thực: {full name}, {position}
//! {office name}
//! ```

use pdf_writer::{Content, Name, Str, TextStr};
use unicode_normalization::UnicodeNormalization;

use super::AssemblyError;
use super::qr::QrMatrix;
use crate::font::{FontSubset, StatementFont};

/// The data of the certification statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Certification number in the register, from 1, no gaps within a year
    /// (Decree 23/2015, Art. 13).
    pub sequence: u32,
    /// Register book number, like `01/2026`; the type code `SCT/BS` is appended when
    /// printed.
    pub book: String,
    /// Date of certification.
    pub date: time::Date,
    /// Full name of the certifying official.
    pub official_name: String,
    /// Position of the certifying official (e.g. "Phó Chủ tịch").
    pub official_position: String,
    /// Name of the certifying office (e.g. "Ủy ban nhân dân phường Bến Nghé").
    pub office_name: String,
}

impl Statement {
    /// The five statement lines, exactly as printed, NFC-normalised.
    pub fn lines(&self) -> [String; 5] {
        [
            "Chứng thực bản sao đúng với bản chính.".to_owned(),
            format!(
                "Số chứng thực: {}   Quyển số: {}-SCT/BS",
                self.sequence,
                self.book.trim()
            ),
            format!(
                "Ngày {:02} tháng {:02} năm {:04}",
                self.date.day(),
                u8::from(self.date.month()),
                self.date.year()
            ),
            format!(
                "Người thực hiện chứng thực: {}, {}",
                self.official_name.trim(),
                self.official_position.trim()
            ),
            self.office_name.trim().to_owned(),
        ]
        .map(|line| line.nfc().collect())
    }

    /// The printed register reference, like `01/2026-SCT/BS`.
    pub fn book_reference(&self) -> String {
        format!("{}-SCT/BS", self.book.trim())
    }
}

/// Distance from the page edge to the block, in points.
pub(crate) const PAGE_MARGIN: f32 = 28.0;
const PADDING: f32 = 8.0;
const COLUMN_GAP: f32 = 14.0;
const MAX_FONT_SIZE: f32 = 9.0;
const MIN_FONT_SIZE: f32 = 6.5;
const LEADING: f32 = 1.35;
/// The QR code including its 4-module quiet zone.
const QR_SIZE: f32 = 80.0;
const CODE_FONT_SIZE: f32 = 7.0;
/// The signature area under the statement lines (Decree 30/2020/NĐ-CP, Appendix I): the
/// official's widget on the right, the seal's widget over the whole area (drawn on top,
/// transparent), so the seal (up to about 35 mm at real size) can cover the left third of
/// the signature image and the seal's signing information, in 10 pt, runs along the
/// bottom band, under the official's widget, with the area's full width.
const SIGNATURE_AREA_WIDTH: f32 = 312.0;
const SIGNATURE_AREA_HEIGHT: f32 = 130.0;
/// Where the official's widget starts, from the area's left edge.
const OFFICIAL_LEFT: f32 = 100.0;
/// Width of the seal's widget, from the area's left edge.
const SEAL_WIDTH: f32 = SIGNATURE_AREA_WIDTH;
/// Height of the band under the official's widget that holds the seal's information: two
/// lines at 10 pt (the signing step raises the official's widget when a long office name
/// takes a third).
const SEAL_INFO_BAND: f32 = 28.0;
const TEXT_TO_SIGNATURES: f32 = 8.0;

/// The measured block, independent of where it is placed.
pub(crate) struct StatementBlock {
    lines: [String; 5],
    code: String,
    font_size: f32,
    text_column: f32,
    code_width: f32,
    /// Outer width of the box.
    pub width: f32,
    /// Outer height of the box.
    pub height: f32,
}

/// What drawing the block produced, in page coordinates.
pub(crate) struct DrawnBlock {
    /// `[x1, y1, x2, y2]` of the official's and the seal's signature rectangles.
    pub signature_rects: [[f32; 4]; 2],
}

impl StatementBlock {
    /// Measure the block so that it is at most `max_width` wide, shrinking the font down
    /// to the minimum size; `None` if it cannot fit.
    pub fn layout(
        font: &StatementFont,
        lines: &[String; 5],
        code: &str,
        max_width: f32,
    ) -> Result<Option<Self>, AssemblyError> {
        let code_width = font.text_width(code, CODE_FONT_SIZE)?;
        let right_column = QR_SIZE.max(code_width);
        let mut size = MAX_FONT_SIZE;
        while size >= MIN_FONT_SIZE {
            let mut widest: f32 = 0.0;
            for line in lines {
                widest = widest.max(font.text_width(line, size)?);
            }
            let text_column = widest.max(SIGNATURE_AREA_WIDTH);
            let width = PADDING + text_column + COLUMN_GAP + right_column + PADDING;
            if width <= max_width {
                let left_height = 5.0 * size * LEADING + TEXT_TO_SIGNATURES + SIGNATURE_AREA_HEIGHT;
                let right_height = QR_SIZE + CODE_FONT_SIZE * 1.6;
                return Ok(Some(Self {
                    lines: lines.clone(),
                    code: code.to_owned(),
                    font_size: size,
                    text_column,
                    code_width,
                    width,
                    height: 2.0 * PADDING + left_height.max(right_height),
                }));
            }
            size -= 0.25;
        }
        Ok(None)
    }

    /// Every string the block shows (for the font subset).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.lines
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(self.code.as_str()))
    }

    /// Draw the box with its lower-left corner at (`x`, `y`). The font must be registered
    /// in the page resources as `/F1`.
    pub fn draw(
        &self,
        content: &mut Content,
        x: f32,
        y: f32,
        subset: &FontSubset,
        qr: &QrMatrix,
    ) -> Result<DrawnBlock, AssemblyError> {
        let top = y + self.height;
        content.save_state();
        // White box with a thin grey border, so the statement stays legible whatever
        // paper tone the scan has.
        content
            .set_fill_gray(1.0)
            .set_stroke_gray(0.55)
            .set_line_width(0.5);
        content
            .rect(x, y, self.width, self.height)
            .fill_nonzero_and_stroke();

        // Statement lines, one per item.
        content.set_fill_gray(0.0);
        let left = x + PADDING;
        let leading = self.font_size * LEADING;
        for (i, line) in self.lines.iter().enumerate() {
            let baseline = top - PADDING - self.font_size - leading * i as f32;
            // ActualText keeps the line's exact spacing for text extraction (extractors
            // otherwise rebuild word gaps and collapse the three spaces of line 2).
            content
                .begin_marked_content_with_properties(Name(b"Span"))
                .properties()
                .actual_text(TextStr(line));
            content.begin_text();
            content.set_font(Name(b"F1"), self.font_size);
            content.next_line(left, baseline);
            content.show(Str(&subset.encode(line)?));
            content.end_text();
            content.end_marked_content();
        }

        // QR code in the right column, the code centred under it.
        let right = x + PADDING + self.text_column + COLUMN_GAP;
        let right_width = self.width - PADDING - (right - x);
        let qr_x = right + (right_width - QR_SIZE) / 2.0;
        let qr_y = top - PADDING - QR_SIZE;
        qr.draw(content, qr_x, qr_y, QR_SIZE);
        content.begin_text();
        content.set_font(Name(b"F1"), CODE_FONT_SIZE);
        content.next_line(
            right + (right_width - self.code_width) / 2.0,
            qr_y - CODE_FONT_SIZE * 1.2,
        );
        content.show(Str(&subset.encode(&self.code)?));
        content.end_text();
        content.restore_state();

        // Reserved signature rectangles, left blank for the signing step's appearances:
        // the official's on the right, the seal's on the left, overlapping it.
        let sig_y = y + PADDING;
        let official = [
            left + OFFICIAL_LEFT,
            sig_y + SEAL_INFO_BAND,
            left + SIGNATURE_AREA_WIDTH,
            sig_y + SIGNATURE_AREA_HEIGHT,
        ];
        let seal = [
            left,
            sig_y,
            left + SEAL_WIDTH,
            sig_y + SIGNATURE_AREA_HEIGHT,
        ];
        Ok(DrawnBlock {
            signature_rects: [official, seal],
        })
    }
}
