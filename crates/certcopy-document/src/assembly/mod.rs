//! Building the copy PDF with pdf-writer.
//!
//! [`assemble`] writes one PDF holding every scanned page as an image XObject at its true
//! size (MediaBox = pixels / dpi × 72), JPEG pages passed through byte for byte as
//! DCTDecode and decoded pages as Flate with alpha as an `/SMask`; the certification
//! statement (Decree 23/2015/NĐ-CP, Art. 20; Circular 01/2020/TT-BTP) in a white box on
//! the last page or on an added certification page (rule in [`PlacementPolicy`]'s
//! module docs, see [`placement`]), a QR code with the public verification URL and the
//! verification code under it, and two reserved rectangles for the signature
//! appearances the signing step adds (the official's, then the agency seal's).
//!
//! The output is deterministic: the same [`CopyDocument`] always yields the same bytes
//! (no clock, no random ids; `/ID` is a hash of the content).

mod error;
mod jpeg_band;
mod metadata;
pub mod placement;
mod qr;
mod register_book;
mod statement;
pub mod text_document;

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

pub use error::{AssemblyError, StatementField};
pub use metadata::{PRODUCER, XMP_NAMESPACE, claimed_code};
pub use placement::PlacementPolicy;
pub use register_book::{RegisterBookDocument, RegisterBookLine, render_register_book};
pub use statement::Statement;

use crate::cancel::Cancellation;
use crate::font::{FontRefs, StatementFont};
use crate::intake::{JpegImage, PageImage, RawColor, RawImage, ScanPage};
use qr::QrMatrix;
use statement::{PAGE_MARGIN, StatementBlock};

/// A4 portrait in points, for the added certification page.
pub const A4_SIZE: [f32; 2] = [595.276, 841.89];

/// Largest page side a PDF reader must support (ISO 32000-1, Annex C: 14 400 units).
const MAX_PAGE_SIDE: f32 = 14_400.0;

/// Distance from the top of an added certification page to the block.
const ADDED_PAGE_TOP_MARGIN: f32 = 72.0;

/// Everything needed to assemble one certified copy.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyDocument {
    /// The scanned pages of the original, in order (every page that carries information,
    /// Decree 23/2015, Art. 20).
    pub pages: Vec<ScanPage>,
    /// Title of the document (e.g. "Bằng tốt nghiệp trung học phổ thông").
    pub title: String,
    /// The certification statement data.
    pub statement: Statement,
    /// Public verification URL, `{base_url}/v/{code}`, encoded in the QR code.
    pub verify_url: String,
    /// Verification code, printed under the QR code.
    pub code: String,
    /// Where the statement goes.
    pub placement: PlacementPolicy,
}

/// The assembled, still unsigned copy.
#[derive(Debug, Clone, PartialEq)]
pub struct AssembledCopy {
    /// The PDF bytes.
    pub pdf: Vec<u8>,
    /// Pages in the PDF (scanned pages, plus one when a certification page was added).
    pub page_count: u32,
    /// 0-based index of the page that carries the statement and the signature rectangles.
    pub statement_page_index: u32,
    /// `[x1, y1, x2, y2]` in PDF points on the statement page: first the certifying
    /// official's signature, then the agency seal.
    pub signature_rects: [[f32; 4]; 2],
    /// Whether a certification page was appended after the scanned pages.
    pub added_certification_page: bool,
}

/// Build the copy PDF. See the module docs for what it contains.
///
/// Takes the pages by value: each scan is freed as soon as it is in the PDF, so the scans
/// and the PDF are not both held whole (a 10-page copy needs about its own size, not
/// twice).
pub fn assemble(copy: CopyDocument) -> Result<AssembledCopy, AssemblyError> {
    assemble_cancellable(copy, &Cancellation::never())
}

/// [`assemble`], asking `cancel` before each page: once it says stop, the copy is dropped
/// and [`AssemblyError::Cancelled`] returned.
pub fn assemble_cancellable(
    mut copy: CopyDocument,
    cancel: &Cancellation,
) -> Result<AssembledCopy, AssemblyError> {
    if cancel.is_cancelled() {
        return Err(AssemblyError::Cancelled);
    }
    validate(&copy)?;
    let sizes = copy
        .pages
        .iter()
        .enumerate()
        .map(|(index, page)| page_size(index, page))
        .collect::<Result<Vec<_>, _>>()?;
    let (last_page, last_size) = match (copy.pages.last(), sizes.last()) {
        (Some(page), Some(size)) => (page, *size),
        _ => return Err(AssemblyError::NoPages),
    };

    let font = StatementFont::dejavu_sans()?;
    let lines = copy.statement.lines();
    let qr = QrMatrix::encode(&copy.verify_url)?;

    // Placement: bottom margin of the last page if the rule allows, else an added page.
    let in_margin = match copy.placement {
        PlacementPolicy::AppendPage => None,
        PlacementPolicy::Auto => {
            StatementBlock::layout(&font, &lines, &copy.code, last_size[0] - 2.0 * PAGE_MARGIN)?
                .and_then(|block| {
                    let (x, y) = placement::bottom_margin_origin(last_size[0], block.width);
                    let rect = [x, y, x + block.width, y + block.height];
                    let fits = block.height + 2.0 * PAGE_MARGIN <= last_size[1] / 2.0;
                    (fits && placement::region_is_blank(last_page, rect)).then_some((block, x, y))
                })
        }
    };
    let added_page = in_margin.is_none();
    let (block, block_x, block_y) = match in_margin {
        Some(found) => found,
        None => {
            let block =
                StatementBlock::layout(&font, &lines, &copy.code, A4_SIZE[0] - 2.0 * PAGE_MARGIN)?
                    .ok_or(AssemblyError::StatementTooLong)?;
            let x = (A4_SIZE[0] - block.width) / 2.0;
            let y = A4_SIZE[1] - ADDED_PAGE_TOP_MARGIN - block.height;
            (block, x, y)
        }
    };
    let subset = font.subset(block.texts())?;

    // Object numbering: fixed objects first, then per page.
    let mut refs = RefAllocator::default();
    let catalog_id = refs.next();
    let tree_id = refs.next();
    let info_id = refs.next();
    let xmp_id = refs.next();
    let font_refs = FontRefs {
        type0: refs.next(),
        cid: refs.next(),
        descriptor: refs.next(),
        file: refs.next(),
        to_unicode: refs.next(),
    };
    let file_id = content_id_hash(&copy, &lines);
    let page_count = copy.pages.len() + usize::from(added_page);
    let page_ids: Vec<Ref> = (0..page_count).map(|_| refs.next()).collect();
    let statement_index = page_count - 1;

    // Sized up front: a growing buffer would hold two copies of the scans while it moves.
    let passthrough: usize = copy
        .pages
        .iter()
        .map(|page| match &page.image {
            PageImage::Jpeg(jpeg) => jpeg.bytes.len(),
            PageImage::Raw(_) => 0,
        })
        .sum();
    let mut pdf = Pdf::with_capacity(passthrough + (256 << 10));
    let title: String = copy.title.trim().nfc().collect();
    {
        let mut catalog = pdf.catalog(catalog_id);
        catalog.pages(tree_id).metadata(xmp_id).lang(TextStr("vi"));
        catalog.viewer_preferences().display_doc_title(true);
    }
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(i32::try_from(page_count).unwrap_or(i32::MAX));

    let mut signature_rects = [[0.0; 4]; 2];
    let mut scans = std::mem::take(&mut copy.pages).into_iter().zip(sizes);
    for (index, page_id) in page_ids.iter().copied().enumerate() {
        if cancel.is_cancelled() {
            return Err(AssemblyError::Cancelled);
        }
        let content_id = refs.next();
        let scan = scans.next();
        let size = scan.as_ref().map_or(A4_SIZE, |(_, size)| *size);
        let mut content = Content::new();
        let image_id = match scan {
            Some((page, size)) => {
                let image_id = refs.next();
                write_page_image(&mut pdf, image_id, &mut refs, &page);
                drop(page);
                content.save_state();
                content.transform([size[0], 0.0, 0.0, size[1], 0.0, 0.0]);
                content.x_object(Name(b"Im1"));
                content.restore_state();
                Some(image_id)
            }
            None => None,
        };
        let is_statement_page = index == statement_index;
        if is_statement_page {
            signature_rects = block
                .draw(&mut content, block_x, block_y, &subset, &qr)?
                .signature_rects;
        }
        let mut page = pdf.page(page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, size[0], size[1]))
            .contents(content_id);
        let mut resources = page.resources();
        if let Some(image_id) = image_id {
            resources.x_objects().pair(Name(b"Im1"), image_id);
        }
        if is_statement_page {
            resources.fonts().pair(Name(b"F1"), font_refs.type0);
        }
        resources.finish();
        page.finish();
        let compressed = deflate(&content.finish());
        pdf.stream(content_id, &compressed)
            .filter(Filter::FlateDecode);
    }

    font.write(&mut pdf, &font_refs, &subset);
    metadata::write_info(&mut pdf, info_id, &copy, &title);
    let xmp = metadata::xmp_packet(&copy, &title);
    pdf.metadata(xmp_id, xmp.as_bytes());
    pdf.set_file_id((file_id.clone(), file_id));

    Ok(AssembledCopy {
        pdf: pdf.finish(),
        page_count: u32::try_from(page_count).unwrap_or(u32::MAX),
        statement_page_index: u32::try_from(statement_index).unwrap_or(u32::MAX),
        signature_rects,
        added_certification_page: added_page,
    })
}

/// Sequential object numbers.
#[derive(Default)]
struct RefAllocator {
    last: i32,
}

impl RefAllocator {
    fn next(&mut self) -> Ref {
        self.last += 1;
        Ref::new(self.last)
    }
}

/// Check the statement fields and the verification URL.
fn validate(copy: &CopyDocument) -> Result<(), AssemblyError> {
    if copy.pages.is_empty() {
        return Err(AssemblyError::NoPages);
    }
    let statement = &copy.statement;
    let text_fields = [
        (StatementField::Title, copy.title.as_str()),
        (StatementField::Book, statement.book.as_str()),
        (
            StatementField::OfficialName,
            statement.official_name.as_str(),
        ),
        (
            StatementField::OfficialPosition,
            statement.official_position.as_str(),
        ),
        (StatementField::OfficeName, statement.office_name.as_str()),
    ];
    for (field, value) in text_fields {
        if value.trim().is_empty() || value.chars().any(char::is_control) {
            return Err(AssemblyError::InvalidStatement { field });
        }
    }
    // Book number: two-digit book / four-digit year, as `01/2026` (Decree 23/2015, Art. 13).
    let book = statement.book.trim().as_bytes();
    let book_ok = book.len() == 7
        && book[2] == b'/'
        && book
            .iter()
            .enumerate()
            .all(|(i, b)| i == 2 || b.is_ascii_digit());
    if !book_ok {
        return Err(AssemblyError::InvalidStatement {
            field: StatementField::Book,
        });
    }
    if statement.sequence == 0 {
        return Err(AssemblyError::InvalidStatement {
            field: StatementField::Sequence,
        });
    }
    if !(1..=9999).contains(&statement.date.year()) {
        return Err(AssemblyError::InvalidStatement {
            field: StatementField::Date,
        });
    }
    let code_ok = !copy.code.is_empty()
        && copy.code.len() <= 64
        && copy
            .code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !code_ok {
        return Err(AssemblyError::InvalidStatement {
            field: StatementField::Code,
        });
    }
    let url = copy.verify_url.as_str();
    let url_ok = url.bytes().all(|b| b.is_ascii_graphic())
        && url.ends_with(&format!("/v/{}", copy.code))
        && url.len() > copy.code.len() + 3;
    if !url_ok {
        return Err(AssemblyError::VerifyUrlMismatch {
            url: url.to_owned(),
            code: copy.code.clone(),
        });
    }
    Ok(())
}

/// Page size in points from pixels and resolution, after checking the pixel data.
fn page_size(index: usize, page: &ScanPage) -> Result<[f32; 2], AssemblyError> {
    let invalid = |detail: &str| AssemblyError::InvalidPage {
        index,
        detail: detail.to_owned(),
    };
    if page.width_px == 0 || page.height_px == 0 {
        return Err(invalid("zero width or height"));
    }
    let valid_dpi = |d: f32| d.is_finite() && d > 0.0;
    if !valid_dpi(page.dpi.x) || !valid_dpi(page.dpi.y) {
        return Err(invalid("resolution is not a positive number"));
    }
    let size = [
        page.width_px as f32 / page.dpi.x * 72.0,
        page.height_px as f32 / page.dpi.y * 72.0,
    ];
    if size.iter().any(|&s| !(1.0..=MAX_PAGE_SIDE).contains(&s)) {
        return Err(invalid("page size outside 1..14400 points"));
    }
    let pixels = page.width_px as usize * page.height_px as usize;
    match &page.image {
        PageImage::Jpeg(jpeg) => {
            if !matches!(jpeg.components, 1 | 3 | 4) || jpeg.bytes.len() < 4 {
                return Err(invalid("JPEG with unusable components or no data"));
            }
        }
        PageImage::Raw(raw) => {
            if raw.samples.len() != pixels * raw.color.channels() {
                return Err(invalid("sample count does not match the pixel size"));
            }
            if raw.alpha.as_ref().is_some_and(|a| a.len() != pixels) {
                return Err(invalid("alpha plane does not match the pixel size"));
            }
        }
    }
    Ok(size)
}

fn device_space(components: usize) -> Name<'static> {
    match components {
        1 => Name(b"DeviceGray"),
        4 => Name(b"DeviceCMYK"),
        _ => Name(b"DeviceRGB"),
    }
}

/// Write a page's image XObject (and its soft mask).
fn write_page_image(pdf: &mut Pdf, image_id: Ref, refs: &mut RefAllocator, page: &ScanPage) {
    let (width, height) = (
        i32::try_from(page.width_px).unwrap_or(i32::MAX),
        i32::try_from(page.height_px).unwrap_or(i32::MAX),
    );
    match &page.image {
        PageImage::Jpeg(JpegImage {
            bytes,
            components,
            adobe_transform,
        }) => {
            // Passed through unchanged: the stream bytes are the scanned JPEG.
            let mut image = pdf.image_xobject(image_id, bytes);
            image.filter(Filter::DctDecode);
            image.width(width);
            image.height(height);
            image.color_space_name(device_space(usize::from(*components)));
            image.bits_per_component(8);
            if *components == 4 && adobe_transform.is_some() {
                // Adobe applications write CMYK JPEGs with inverted samples.
                image.decode([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
            }
        }
        PageImage::Raw(RawImage {
            color,
            samples,
            alpha,
        }) => {
            let mask_id = alpha.as_ref().map(|_| refs.next());
            let compressed = deflate(samples);
            let mut image = pdf.image_xobject(image_id, &compressed);
            image.filter(Filter::FlateDecode);
            image.width(width);
            image.height(height);
            image.color_space_name(match color {
                RawColor::Gray => Name(b"DeviceGray"),
                RawColor::Rgb => Name(b"DeviceRGB"),
            });
            image.bits_per_component(8);
            if let Some(mask_id) = mask_id {
                image.s_mask(mask_id);
            }
            image.finish();
            if let (Some(mask_id), Some(alpha)) = (mask_id, alpha) {
                let compressed = deflate(alpha);
                let mut mask = pdf.image_xobject(mask_id, &compressed);
                mask.filter(Filter::FlateDecode);
                mask.width(width);
                mask.height(height);
                mask.color_space_name(Name(b"DeviceGray"));
                mask.bits_per_component(8);
            }
        }
    }
}

/// Zlib-compress (FlateDecode) at a fixed level, so the output is deterministic.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder =
        ZlibEncoder::new(Vec::with_capacity(data.len() / 2 + 64), Compression::new(6));
    encoder
        .write_all(data)
        .expect("zlib compression into a Vec cannot fail");
    encoder
        .finish()
        .expect("zlib compression into a Vec cannot fail")
}

/// The file identifier: the first 16 bytes of SHA-256 over everything that determines
/// the content (page digests and geometry, statement, title, URL, code, placement).
fn content_id_hash(copy: &CopyDocument, lines: &[String; 5]) -> Vec<u8> {
    let mut hash = Sha256::new();
    hash.update(b"certcopy-copy-v1\0");
    for page in &copy.pages {
        hash.update(page.source_sha256);
        hash.update(page.width_px.to_be_bytes());
        hash.update(page.height_px.to_be_bytes());
        hash.update(page.dpi.x.to_be_bytes());
        hash.update(page.dpi.y.to_be_bytes());
    }
    for text in
        lines
            .iter()
            .map(String::as_str)
            .chain([copy.title.as_str(), &copy.verify_url, &copy.code])
    {
        hash.update((text.len() as u64).to_be_bytes());
        hash.update(text.as_bytes());
    }
    hash.update([copy.placement as u8]);
    hash.finalize()[..16].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::Dpi;

    fn blank_page(width_px: u32, height_px: u32, dpi: f32) -> ScanPage {
        ScanPage {
            source_file: "blank.png".to_owned(),
            page_in_file: 1,
            width_px,
            height_px,
            dpi: Dpi { x: dpi, y: dpi },
            image: PageImage::Raw(RawImage {
                color: RawColor::Gray,
                samples: vec![250; width_px as usize * height_px as usize],
                alpha: None,
            }),
            source_sha256: [0; 32],
        }
    }

    fn copy_with(pages: Vec<ScanPage>) -> CopyDocument {
        CopyDocument {
            pages,
            title: "Giấy khai sinh".to_owned(),
            statement: Statement {
                sequence: 7,
                book: "02/2026".to_owned(),
                date: time::Date::from_calendar_date(2026, time::Month::December, 31)
                    .expect("valid date"),
                official_name: "Trần Văn Bình".to_owned(),
                official_position: "Chủ tịch".to_owned(),
                office_name: "Ủy ban nhân dân xã Tân Phú".to_owned(),
            },
            verify_url: "https://x.example/v/ABC123".to_owned(),
            code: "ABC123".to_owned(),
            placement: PlacementPolicy::Auto,
        }
    }

    fn error_of(copy: &CopyDocument) -> AssemblyError {
        match assemble(copy.clone()) {
            Ok(_) => panic!("assembly must fail"),
            Err(e) => {
                assert!(!e.message_vi().is_empty() && !e.message_en().is_empty());
                e
            }
        }
    }

    #[test]
    fn statement_lines_follow_the_legal_wording() {
        let lines = copy_with(Vec::new()).statement.lines();
        assert_eq!(
            lines,
            [
                "Chứng thực bản sao đúng với bản chính.",
                "Số chứng thực: 7   Quyển số: 02/2026-SCT/BS",
                "Ngày 31 tháng 12 năm 2026",
                "Người thực hiện chứng thực: Trần Văn Bình, Chủ tịch",
                "Ủy ban nhân dân xã Tân Phú",
            ]
        );
    }

    #[test]
    fn decomposed_input_is_normalised_to_nfc() {
        let mut copy = copy_with(Vec::new());
        copy.statement.official_name = "Tra\u{0300}n Văn Bình".to_owned(); // "à" decomposed
        assert!(copy.statement.lines()[3].contains("Tr\u{00E0}n"));
    }

    #[test]
    fn small_blank_page_gets_an_added_page_and_a4_blank_page_the_margin() {
        // An ID-card-sized scan (85.6×54 mm at 300 dpi): the block would take over half.
        let out = assemble(copy_with(vec![blank_page(1011, 638, 300.0)])).expect("assembled");
        assert!(out.added_certification_page);
        let out = assemble(copy_with(vec![blank_page(1240, 1754, 150.0)])).expect("assembled");
        assert!(!out.added_certification_page);
        assert_eq!((out.page_count, out.statement_page_index), (1, 0));
    }

    #[test]
    fn a_lone_page_number_in_the_bottom_band_is_not_covered() {
        // 10×14 px mark (a digit at 150 dpi) where the block would go: far below 0.1 % of
        // the band, but concentrated in one tile.
        let mut page = blank_page(1240, 1754, 150.0);
        if let PageImage::Raw(raw) = &mut page.image {
            for y in 1600..1614 {
                raw.samples[y * 1240 + 615..y * 1240 + 625].fill(20);
            }
        }
        let out = assemble(copy_with(vec![page])).expect("assembled");
        assert!(out.added_certification_page);
        // A few scattered dust specks do not count.
        let mut page = blank_page(1240, 1754, 150.0);
        if let PageImage::Raw(raw) = &mut page.image {
            for (x, y) in [(300, 1500), (700, 1650), (900, 1550)] {
                raw.samples[y * 1240 + x] = 0;
                raw.samples[y * 1240 + x + 1] = 0;
            }
        }
        assert!(
            !assemble(copy_with(vec![page]))
                .expect("assembled")
                .added_certification_page
        );
    }

    #[test]
    fn invalid_fields_are_refused_with_codes() {
        let page = || vec![blank_page(100, 100, 72.0)];
        assert_eq!(error_of(&copy_with(Vec::new())).code(), "no_pages");

        let mut copy = copy_with(page());
        copy.verify_url = "https://x.example/v/OTHER".to_owned();
        assert_eq!(error_of(&copy).code(), "verify_url_mismatch");

        for book in ["2026", "1/2026", "01-2026", ""] {
            let mut copy = copy_with(page());
            copy.statement.book = book.to_owned();
            let e = error_of(&copy);
            assert_eq!(
                e,
                AssemblyError::InvalidStatement {
                    field: StatementField::Book
                },
                "{book:?}"
            );
        }
        let mut copy = copy_with(page());
        copy.statement.sequence = 0;
        assert_eq!(error_of(&copy).code(), "invalid_statement");
        let mut copy = copy_with(page());
        copy.statement.official_name = "  ".to_owned();
        assert_eq!(
            error_of(&copy),
            AssemblyError::InvalidStatement {
                field: StatementField::OfficialName
            }
        );
        let mut copy = copy_with(page());
        copy.code = "a b".to_owned();
        copy.verify_url = "https://x.example/v/a b".to_owned();
        assert_eq!(
            error_of(&copy),
            AssemblyError::InvalidStatement {
                field: StatementField::Code
            }
        );
    }

    #[test]
    fn overlong_statement_and_missing_glyphs_are_refused() {
        let mut copy = copy_with(vec![blank_page(100, 100, 72.0)]);
        copy.statement.office_name = "Ủy ban nhân dân ".repeat(12);
        assert_eq!(error_of(&copy).code(), "statement_too_long");
        let mut copy = copy_with(vec![blank_page(100, 100, 72.0)]);
        copy.statement.official_name = "王小明".to_owned();
        assert_eq!(
            error_of(&copy),
            AssemblyError::MissingGlyph { character: '王' }
        );
    }

    #[test]
    fn inconsistent_pages_are_refused() {
        let mut page = blank_page(100, 100, 72.0);
        page.width_px = 101;
        assert_eq!(error_of(&copy_with(vec![page])).code(), "invalid_page");
        let page = blank_page(100, 100, 0.0);
        assert_eq!(error_of(&copy_with(vec![page])).code(), "invalid_page");
        // 20 000 pt is beyond the PDF page size limit.
        let page = blank_page(20_000, 100, 72.0);
        assert_eq!(error_of(&copy_with(vec![page])).code(), "invalid_page");
    }
}
