//! The register book as a PDF: the lines of an office's certification register for a
//! month or a year, laid out like the paper book of copies certified from originals
//! (Decree 23/2015/NĐ-CP, Art. 13; Circular 01/2020/TT-BTP): landscape A4, a heading with
//! the office, the book number and the period on every page, a table with one line per
//! certification number (number, date, requester, document, copies, pages, fee, certifying
//! official, notes such as annulments), the header row repeated on each page, and
//! "Trang i/n" at the foot.
//!
//! Text is set in the embedded DejaVu Sans subset with a ToUnicode map (see `font`), so
//! `pdftotext` gives the Vietnamese back exactly. A character the font lacks is shown as
//! `?` rather than refusing the whole book, and control characters as spaces. Like the
//! copy, the output is deterministic: no clock (the extraction date is a parameter), the
//! file identifier is a hash of the content. Signing is the caller's step.

use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use super::{AssemblyError, PRODUCER, RefAllocator, StatementField, deflate};
use crate::font::{FontRefs, FontSubset, StatementFont};

/// A4 landscape, points.
const PAGE: [f32; 2] = [841.89, 595.276];
/// Left and right margins.
const SIDE_MARGIN: f32 = 28.0;
/// Top margin (above the heading).
const TOP_MARGIN: f32 = 26.0;
/// Room kept at the foot for the page number.
const BOTTOM_MARGIN: f32 = 40.0;
/// Table text size and line height.
const BODY_SIZE: f32 = 8.0;
const BODY_LEADING: f32 = 10.0;
/// Inner padding of a table cell.
const CELL_PADDING: f32 = 3.0;
/// Heading sizes.
const TITLE_SIZE: f32 = 14.0;
const HEADING_SIZE: f32 = 9.5;

/// How a column's text sits in its cell.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// The columns of the paper book: heading and width in points (the last takes the rest).
const COLUMNS: [(&str, f32, Align); 9] = [
    ("Số chứng thực", 44.0, Align::Center),
    ("Ngày chứng thực", 58.0, Align::Center),
    ("Họ tên, số giấy tờ của người yêu cầu", 136.0, Align::Left),
    ("Tên giấy tờ, văn bản", 168.0, Align::Left),
    ("Số bản sao", 38.0, Align::Center),
    ("Số trang", 38.0, Align::Center),
    ("Lệ phí (đồng)", 58.0, Align::Right),
    ("Người thực hiện chứng thực", 128.0, Align::Left),
    ("Ghi chú", 0.0, Align::Left),
];

/// One line of the register as the book prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterBookLine {
    /// Certification number within the book.
    pub sequence: i64,
    /// Local date of the certification (or of the spoiled line).
    pub date: time::Date,
    /// Requester's full name.
    pub requester_name: String,
    /// Requester's ID number.
    pub requester_id: String,
    /// Title of the original document.
    pub document_title: String,
    /// Copies made.
    pub copies: u32,
    /// Pages of the original.
    pub pages: u32,
    /// Fee charged, VND.
    pub fee_vnd: i64,
    /// Certifying official's name.
    pub official_name: String,
    /// Their position.
    pub official_position: String,
    /// Remarks: annulment (date and reason), a spoiled line's reason; empty for a valid line.
    pub notes: String,
}

/// An office's register for a month or a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterBookDocument {
    /// The certifying office's name.
    pub office_name: String,
    /// Book reference, e.g. `01/2026-SCT/BS`.
    pub book: String,
    /// Register year.
    pub year: i32,
    /// The month, or `None` for the whole year.
    pub month: Option<time::Month>,
    /// Local date of the extraction, printed at the foot (the crate reads no clock).
    pub generated_on: time::Date,
    /// The lines, in the order printed (by number).
    pub lines: Vec<RegisterBookLine>,
}

impl RegisterBookDocument {
    /// "Tháng 11 năm 2026" or "Năm 2026".
    pub fn period_text(&self) -> String {
        match self.month {
            Some(month) => format!("Tháng {} năm {}", u8::from(month), self.year),
            None => format!("Năm {}", self.year),
        }
    }
}

/// A table row: the wrapped lines of each cell.
struct Row {
    cells: Vec<Vec<String>>,
    height: f32,
}

/// Writes the register book PDF (unsigned). See the module docs for the layout.
pub fn render_register_book(book: &RegisterBookDocument) -> Result<Vec<u8>, AssemblyError> {
    let font = StatementFont::dejavu_sans()?;
    let office_name = printable(&font, &book.office_name);
    if office_name.trim().is_empty() {
        return Err(AssemblyError::InvalidStatement {
            field: StatementField::OfficeName,
        });
    }
    if printable(&font, &book.book).trim().is_empty() {
        return Err(AssemblyError::InvalidStatement {
            field: StatementField::Book,
        });
    }
    let widths = column_widths();
    let heading = heading_lines(book, &office_name, &font)?;
    let table_top = PAGE[1] - TOP_MARGIN - heading_height();

    let header = layout_row(
        &font,
        &widths,
        COLUMNS.iter().map(|(title, _, _)| (*title).to_owned()),
    )?;
    let body_room = table_top - header.height - BOTTOM_MARGIN;
    let mut rows = Vec::with_capacity(book.lines.len().max(1));
    for line in &book.lines {
        let mut row = layout_row(&font, &widths, cells_of(&font, line).into_iter())?;
        clamp_row(&mut row, body_room);
        rows.push(row);
    }
    if rows.is_empty() {
        rows.push(layout_row(
            &font,
            &widths,
            std::iter::once(String::new())
                .chain(std::iter::once(
                    "Không có việc chứng thực nào trong kỳ này.".to_owned(),
                ))
                .chain(std::iter::repeat_n(String::new(), COLUMNS.len() - 2)),
        )?);
    }
    let pages = paginate(&rows, body_room);
    let page_count = pages.len();
    let footers: Vec<String> = (1..=page_count)
        .map(|n| format!("Trang {n}/{page_count}"))
        .collect();
    let extracted = format!(
        "Trích xuất ngày {:02}/{:02}/{} (certcopy)",
        book.generated_on.day(),
        u8::from(book.generated_on.month()),
        book.generated_on.year()
    );

    // Every string shown, for the font subset.
    let mut texts: Vec<&str> = heading.iter().map(|(text, ..)| text.as_str()).collect();
    texts.extend(footers.iter().map(String::as_str));
    texts.push(&extracted);
    for row in std::iter::once(&header).chain(rows.iter()) {
        for cell in &row.cells {
            texts.extend(cell.iter().map(String::as_str));
        }
    }
    let subset = font.subset(texts)?;

    let mut refs = RefAllocator::default();
    let catalog_id = refs.next();
    let tree_id = refs.next();
    let info_id = refs.next();
    let font_refs = FontRefs {
        type0: refs.next(),
        cid: refs.next(),
        descriptor: refs.next(),
        file: refs.next(),
        to_unicode: refs.next(),
    };
    let page_ids: Vec<Ref> = (0..page_count).map(|_| refs.next()).collect();
    let mut pdf = Pdf::new();
    {
        let mut catalog = pdf.catalog(catalog_id);
        catalog.pages(tree_id).lang(TextStr("vi"));
        catalog.viewer_preferences().display_doc_title(true);
    }
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(i32::try_from(page_count).unwrap_or(i32::MAX));

    for (index, (page_id, page_rows)) in page_ids.iter().zip(&pages).enumerate() {
        let mut content = Content::new();
        for (text, size, x, y) in &heading {
            show(&mut content, &subset, text, *size, *x, *y)?;
        }
        let mut top = table_top;
        draw_row(&mut content, &subset, &font, &widths, &header, top, true)?;
        top -= header.height;
        for row in &rows[page_rows.clone()] {
            draw_row(&mut content, &subset, &font, &widths, row, top, false)?;
            top -= row.height;
        }
        let footer = &footers[index];
        let footer_x = (PAGE[0] - font.text_width(footer, HEADING_SIZE)?) / 2.0;
        show(&mut content, &subset, footer, HEADING_SIZE, footer_x, 20.0)?;
        show(
            &mut content,
            &subset,
            &extracted,
            BODY_SIZE,
            SIDE_MARGIN,
            20.0,
        )?;

        let content_id = refs.next();
        let mut page = pdf.page(*page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, PAGE[0], PAGE[1]))
            .contents(content_id);
        page.resources().fonts().pair(Name(b"F1"), font_refs.type0);
        page.finish();
        let compressed = deflate(&content.finish());
        pdf.stream(content_id, &compressed)
            .filter(Filter::FlateDecode);
    }

    font.write(&mut pdf, &font_refs, &subset);
    let title = format!(
        "Sổ chứng thực bản sao từ bản chính — {} — {}",
        office_name.trim(),
        book.period_text()
    );
    {
        let mut info = pdf.document_info(info_id);
        info.title(TextStr(&title));
        info.author(TextStr(office_name.trim()));
        info.subject(TextStr(&format!("Quyển số: {}", book.book.trim())));
        info.creator(TextStr(PRODUCER));
        info.producer(TextStr(PRODUCER));
        if let Ok(year) = u16::try_from(book.generated_on.year()) {
            let date = Date::new(year)
                .month(u8::from(book.generated_on.month()))
                .day(book.generated_on.day());
            info.creation_date(date);
            info.modified_date(date);
        }
    }
    let file_id = content_id_hash(book);
    pdf.set_file_id((file_id.clone(), file_id));
    Ok(pdf.finish())
}

/// Column widths: the fixed ones, the last taking what is left of the page width.
fn column_widths() -> [f32; 9] {
    let mut widths = [0.0; 9];
    let fixed: f32 = COLUMNS.iter().map(|(_, width, _)| width).sum();
    for (slot, (_, width, _)) in widths.iter_mut().zip(COLUMNS.iter()) {
        *slot = *width;
    }
    widths[8] = PAGE[0] - 2.0 * SIDE_MARGIN - fixed;
    widths
}

/// The heading's texts with size and baseline position `(x, y)`: the office on the left
/// and the national motto on the right, the book's title, then the book number and the
/// period.
fn heading_lines(
    book: &RegisterBookDocument,
    office_name: &str,
    font: &StatementFont,
) -> Result<Vec<(String, f32, f32, f32)>, AssemblyError> {
    let top = PAGE[1] - TOP_MARGIN;
    let centered = |text: String, size: f32, y: f32| -> Result<_, AssemblyError> {
        let width = font.text_width(&text, size)?;
        let x = ((PAGE[0] - width) / 2.0).max(SIDE_MARGIN);
        Ok((text, size, x, y))
    };
    let right = |text: &str, y: f32| -> Result<_, AssemblyError> {
        let width = font.text_width(text, HEADING_SIZE)?;
        Ok((
            text.to_owned(),
            HEADING_SIZE,
            PAGE[0] - SIDE_MARGIN - width,
            y,
        ))
    };
    Ok(vec![
        (
            printable(font, &office_name.trim().to_uppercase()),
            HEADING_SIZE,
            SIDE_MARGIN,
            top - HEADING_SIZE,
        ),
        right("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", top - HEADING_SIZE)?,
        right("Độc lập - Tự do - Hạnh phúc", top - HEADING_SIZE - 12.0)?,
        centered(
            "SỔ CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH".to_owned(),
            TITLE_SIZE,
            top - 46.0,
        )?,
        centered(
            format!(
                "Quyển số: {}    {}",
                printable(font, book.book.trim()),
                book.period_text()
            ),
            HEADING_SIZE + 0.5,
            top - 64.0,
        )?,
    ])
}

/// Height of the heading block above the table.
fn heading_height() -> f32 {
    78.0
}

/// The cells of a register line, as text.
fn cells_of(font: &StatementFont, line: &RegisterBookLine) -> [String; 9] {
    let text = |value: &str| printable(font, value);
    let requester = if line.requester_id.trim().is_empty() {
        text(&line.requester_name)
    } else {
        format!(
            "{}\n{}",
            text(&line.requester_name),
            text(&line.requester_id)
        )
    };
    let official = if line.official_position.trim().is_empty() {
        text(&line.official_name)
    } else {
        format!(
            "{}\n{}",
            text(&line.official_name),
            text(&line.official_position)
        )
    };
    [
        line.sequence.to_string(),
        format!(
            "{:02}/{:02}/{}",
            line.date.day(),
            u8::from(line.date.month()),
            line.date.year()
        ),
        requester,
        text(&line.document_title),
        line.copies.to_string(),
        line.pages.to_string(),
        group_thousands(line.fee_vnd),
        official,
        text(&line.notes),
    ]
}

/// `36000` → `36.000` (Vietnamese digit grouping).
fn group_thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    out
}

/// NFC text the font can show: control characters (except line breaks) become spaces,
/// characters without a glyph `?`.
fn printable(font: &StatementFont, text: &str) -> String {
    text.nfc()
        .map(|c| match c {
            '\n' => '\n',
            c if c.is_control() => ' ',
            c if font.has_glyph(c) => c,
            _ => '?',
        })
        .collect()
}

/// Wraps each cell's text to its column and measures the row.
fn layout_row(
    font: &StatementFont,
    widths: &[f32; 9],
    cells: impl Iterator<Item = String>,
) -> Result<Row, AssemblyError> {
    let mut wrapped = Vec::with_capacity(COLUMNS.len());
    for (text, width) in cells.zip(widths.iter()) {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            lines.extend(wrap(font, paragraph, width - 2.0 * CELL_PADDING)?);
        }
        wrapped.push(lines);
    }
    let most = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    Ok(Row {
        cells: wrapped,
        height: row_height(most),
    })
}

fn row_height(lines: usize) -> f32 {
    lines as f32 * BODY_LEADING + 2.0 * CELL_PADDING
}

/// Greedy word wrap at `width` points in the body size (see
/// [`super::text_document::wrap_words`]).
fn wrap(font: &StatementFont, text: &str, width: f32) -> Result<Vec<String>, AssemblyError> {
    super::text_document::wrap_words(font, text, BODY_SIZE, width)
}

/// A row taller than a whole page's table room keeps what fits, its cut cells ending
/// with "…".
fn clamp_row(row: &mut Row, room: f32) {
    if row.height <= room {
        return;
    }
    let keep = (((room - 2.0 * CELL_PADDING) / BODY_LEADING).floor() as usize).max(1);
    for cell in &mut row.cells {
        if cell.len() > keep {
            cell.truncate(keep);
            if let Some(last) = cell.last_mut() {
                last.push('…');
            }
        }
    }
    row.height = row_height(keep);
}

/// Splits the rows into pages: index ranges, each fitting `room` below the header row.
fn paginate(rows: &[Row], room: f32) -> Vec<std::ops::Range<usize>> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut used = 0.0;
    for (index, row) in rows.iter().enumerate() {
        if used + row.height > room && index > start {
            pages.push(start..index);
            start = index;
            used = 0.0;
        }
        used += row.height;
    }
    pages.push(start..rows.len());
    pages
}

/// Shows one text at a baseline.
fn show(
    content: &mut Content,
    subset: &FontSubset,
    text: &str,
    size: f32,
    x: f32,
    y: f32,
) -> Result<(), AssemblyError> {
    content.begin_text();
    content.set_font(Name(b"F1"), size);
    content.next_line(x, y);
    content.show(Str(&subset.encode(text)?));
    content.end_text();
    Ok(())
}

/// Draws a row whose top edge is at `top`: a shaded band for the header row, the cell
/// borders, and each cell's lines.
fn draw_row(
    content: &mut Content,
    subset: &FontSubset,
    font: &StatementFont,
    widths: &[f32; 9],
    row: &Row,
    top: f32,
    header: bool,
) -> Result<(), AssemblyError> {
    let bottom = top - row.height;
    let total: f32 = widths.iter().sum();
    if header {
        content.set_fill_gray(0.88);
        content.rect(SIDE_MARGIN, bottom, total, row.height);
        content.fill_nonzero();
        content.set_fill_gray(0.0);
    }
    content.set_line_width(0.5);
    content.rect(SIDE_MARGIN, bottom, total, row.height);
    content.stroke();
    let mut x = SIDE_MARGIN;
    for ((cell, width), (_, _, align)) in row.cells.iter().zip(widths).zip(COLUMNS.iter()) {
        if x > SIDE_MARGIN {
            content.move_to(x, bottom);
            content.line_to(x, top);
            content.stroke();
        }
        let align = if header { Align::Center } else { *align };
        for (n, line) in cell.iter().enumerate() {
            let line_width = font.text_width(line, BODY_SIZE)?;
            let text_x = match align {
                Align::Left => x + CELL_PADDING,
                Align::Center => x + (width - line_width) / 2.0,
                Align::Right => x + width - CELL_PADDING - line_width,
            };
            let baseline = top - CELL_PADDING - BODY_SIZE - n as f32 * BODY_LEADING + 1.0;
            show(content, subset, line, BODY_SIZE, text_x, baseline)?;
        }
        x += width;
    }
    Ok(())
}

/// File identifier: the first 16 bytes of SHA-256 over the book's content.
fn content_id_hash(book: &RegisterBookDocument) -> Vec<u8> {
    let mut hash = Sha256::new();
    hash.update(b"certcopy-register-book-v1\0");
    let mut field = |text: &str| {
        hash.update((text.len() as u64).to_be_bytes());
        hash.update(text.as_bytes());
    };
    field(&book.office_name);
    field(&book.book);
    field(&book.period_text());
    field(&book.generated_on.to_string());
    for line in &book.lines {
        field(&line.sequence.to_string());
        field(&line.date.to_string());
        field(&line.requester_name);
        field(&line.requester_id);
        field(&line.document_title);
        field(&format!("{} {} {}", line.copies, line.pages, line.fee_vnd));
        field(&line.official_name);
        field(&line.official_position);
        field(&line.notes);
    }
    hash.finalize()[..16].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sequence: i64, notes: &str) -> RegisterBookLine {
        RegisterBookLine {
            sequence,
            date: time::Date::from_calendar_date(2026, time::Month::November, 3)
                .expect("valid date"),
            requester_name: "Nguyễn Thị Hồng Nhung".to_owned(),
            requester_id: "079203001234".to_owned(),
            document_title: "Bằng tốt nghiệp trung học phổ thông".to_owned(),
            copies: 2,
            pages: 3,
            fee_vnd: 10_000,
            official_name: "Trần Văn Bình".to_owned(),
            official_position: "Phó Chủ tịch UBND phường".to_owned(),
            notes: notes.to_owned(),
        }
    }

    fn book(lines: Vec<RegisterBookLine>) -> RegisterBookDocument {
        RegisterBookDocument {
            office_name: "UBND Phường Bến Nghé".to_owned(),
            book: "01/2026-SCT/BS".to_owned(),
            year: 2026,
            month: Some(time::Month::November),
            generated_on: time::Date::from_calendar_date(2026, time::Month::December, 1)
                .expect("valid date"),
            lines,
        }
    }

    #[test]
    fn thousands_are_grouped_with_dots() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(2_000), "2.000");
        assert_eq!(group_thousands(200_000), "200.000");
        assert_eq!(group_thousands(1_234_567), "1.234.567");
    }

    #[test]
    fn many_lines_spread_over_pages_and_the_output_is_deterministic() {
        let lines: Vec<_> = (1..=120).map(|n| line(n, "")).collect();
        let first = render_register_book(&book(lines.clone())).expect("rendered");
        let second = render_register_book(&book(lines)).expect("rendered");
        assert_eq!(first, second);
        let pages = first.windows(11).filter(|w| w == b"/Type /Page").count();
        assert!(pages >= 3, "{pages} pages");
    }

    #[test]
    fn odd_text_is_shown_not_refused_and_huge_cells_are_cut() {
        let mut odd = line(1, &"lý do rất dài ".repeat(400));
        odd.requester_name = "王小明\u{7}".to_owned();
        let pdf = render_register_book(&book(vec![odd])).expect("rendered");
        assert!(pdf.starts_with(b"%PDF-"));
        let empty = render_register_book(&book(Vec::new())).expect("an empty period");
        assert!(empty.starts_with(b"%PDF-"));
        let mut nameless = book(Vec::new());
        nameless.office_name = " ".to_owned();
        assert_eq!(
            render_register_book(&nameless).err().map(|e| e.code()),
            Some("invalid_statement")
        );
    }
}
