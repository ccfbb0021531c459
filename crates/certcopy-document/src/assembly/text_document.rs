//! Plain text documents on A4 (a refusal notice and similar letters of the office): blocks
//! of Vietnamese text, wrapped to the page width, in the embedded DejaVu Sans subset, so
//! `pdftotext` returns the text exactly. The caller signs the result.

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use unicode_normalization::UnicodeNormalization;

use super::{A4_SIZE, AssemblyError, deflate};
use crate::font::{FontRefs, StatementFont};

/// Margin around the text, points.
const MARGIN: f32 = 56.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.35;

/// How a block is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Flush left.
    Left,
    /// Centred on the page.
    Center,
}

/// One block of text: a heading, a paragraph, a signature line.
#[derive(Debug, Clone)]
pub struct TextBlock {
    /// The text (NFC-normalised when set; explicit `\n` breaks lines).
    pub text: String,
    /// Font size, points.
    pub size: f32,
    /// Alignment.
    pub align: Align,
    /// Space before the block, points.
    pub space_before: f32,
}

impl TextBlock {
    /// A block of `size` points, aligned `align`, `space_before` points below the previous.
    pub fn new(text: impl Into<String>, size: f32, align: Align, space_before: f32) -> Self {
        TextBlock {
            text: text.into(),
            size,
            align,
            space_before,
        }
    }
}

/// One set line: text, size, position.
struct SetLine {
    text: String,
    size: f32,
    x: f32,
    y: f32,
    page: usize,
}

/// Greedy word wrap of one paragraph at `width` points in `size`: words stay whole when
/// they fit a line; a word longer than the line is cut between characters. An empty text
/// gives no line.
pub(crate) fn wrap_words(
    font: &StatementFont,
    text: &str,
    size: f32,
    width: f32,
) -> Result<Vec<String>, AssemblyError> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if font.text_width(&candidate, size)? <= width {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        // The word alone: cut it where it overflows.
        for c in word.chars() {
            current.push(c);
            if font.text_width(&current, size)? > width && current.chars().count() > 1 {
                current.pop();
                lines.push(std::mem::take(&mut current));
                current.push(c);
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    Ok(lines)
}

/// Splits `text` into lines no wider than `width` at `size`; explicit `\n` starts a new
/// paragraph (an empty one keeps an empty line).
fn wrap(
    font: &StatementFont,
    text: &str,
    size: f32,
    width: f32,
) -> Result<Vec<String>, AssemblyError> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let wrapped = wrap_words(font, paragraph, size, width)?;
        if wrapped.is_empty() {
            lines.push(String::new());
        } else {
            lines.extend(wrapped);
        }
    }
    Ok(lines)
}

/// Lays out `blocks` on as many A4 pages as they need and writes the PDF, with `title` as
/// its document title. Sizes must be between 6 and 36 points.
pub fn text_document(title: &str, blocks: &[TextBlock]) -> Result<Vec<u8>, AssemblyError> {
    let font = StatementFont::dejavu_sans()?;
    let width = A4_SIZE[0] - 2.0 * MARGIN;
    let mut set = Vec::new();
    let mut page = 0;
    let mut y = A4_SIZE[1] - MARGIN;
    for block in blocks {
        if !(6.0..=36.0).contains(&block.size) {
            return Err(AssemblyError::Font {
                detail: format!("text size {} out of range", block.size),
            });
        }
        let text: String = block.text.nfc().collect();
        y -= block.space_before;
        for line in wrap(&font, &text, block.size, width)? {
            let height = block.size * LEADING;
            if y - height < MARGIN {
                page += 1;
                y = A4_SIZE[1] - MARGIN;
            }
            y -= height;
            let x = match block.align {
                Align::Left => MARGIN,
                Align::Center => (A4_SIZE[0] - font.text_width(&line, block.size)?) / 2.0,
            };
            set.push(SetLine {
                text: line,
                size: block.size,
                x,
                y,
                page,
            });
        }
    }
    let subset = font.subset(set.iter().map(|line| line.text.as_str()))?;

    let mut next = 0;
    let mut alloc = || {
        next += 1;
        Ref::new(next)
    };
    let (catalog_id, tree_id, info_id) = (alloc(), alloc(), alloc());
    let font_refs = FontRefs {
        type0: alloc(),
        cid: alloc(),
        descriptor: alloc(),
        file: alloc(),
        to_unicode: alloc(),
    };
    let page_ids: Vec<(Ref, Ref)> = (0..=page).map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id).lang(TextStr("vi"));
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(id, _)| *id))
        .count(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));
    for (index, (page_id, content_id)) in page_ids.iter().copied().enumerate() {
        let mut content = Content::new();
        for line in set.iter().filter(|line| line.page == index) {
            content.begin_text();
            content.set_font(Name(b"F1"), line.size);
            content.next_line(line.x, line.y);
            content.show(Str(&subset.encode(&line.text)?));
            content.end_text();
        }
        let mut page = pdf.page(page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, A4_SIZE[0], A4_SIZE[1]))
            .contents(content_id);
        page.resources().fonts().pair(Name(b"F1"), font_refs.type0);
        page.finish();
        let compressed = deflate(&content.finish());
        pdf.stream(content_id, &compressed)
            .filter(Filter::FlateDecode);
    }
    font.write(&mut pdf, &font_refs, &subset);
    let title: String = title.nfc().collect();
    pdf.document_info(info_id)
        .title(TextStr(&title))
        .producer(TextStr(super::PRODUCER));
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_and_flows_onto_more_pages() {
        let paragraph =
            "Cơ quan chứng thực từ chối chứng thực bản sao vì bản chính bị tẩy xóa. ".repeat(40);
        let blocks: Vec<TextBlock> = (0..6)
            .map(|_| TextBlock::new(paragraph.clone(), 12.0, Align::Left, 8.0))
            .collect();
        let pdf = text_document("Thông báo", &blocks).expect("document");
        let text = String::from_utf8_lossy(&pdf);
        let count: u32 = text
            .split("/Count ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|digits| digits.parse().ok())
            .expect("page count");
        // About 35 lines per paragraph at 12 pt, 6 paragraphs: more than four pages.
        assert!(count >= 4, "{count} pages");
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn sizes_out_of_range_are_refused() {
        let block = TextBlock::new("x", 80.0, Align::Center, 0.0);
        assert!(text_document("t", &[block]).is_err());
    }
}
