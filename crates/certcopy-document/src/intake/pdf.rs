//! Scanner-style PDF intake: every page must show exactly one image XObject and nothing
//! else (what document scanners write). Text, fonts, vector drawing, inline images, form
//! XObjects and encryption are refused; a born-digital PDF is not a scan of a paper
//! original (Decree 23/2015, Art. 20: the copy is made from the original).

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use sha2::{Digest, Sha256};

use super::jpeg::parse_jpeg;
use super::{
    Dpi, IntakeError, JpegImage, Limits, PageImage, RawColor, RawImage, ScanPage,
    check_page_geometry, jpeg_error,
};

/// Upper bound on the decoded size of one page's content streams. A scanner page's
/// content is a few dozen bytes; anything near this is not a scan.
const MAX_CONTENT_BYTES: usize = 1 << 20;

/// Slack allowed past the declared size of Flate image data (some writers pad).
const RAW_IMAGE_SLACK: usize = 64 * 1024;

/// Text-showing and text-state operators (ISO 32000-1, Tables 105–109, 113).
const TEXT_OPERATORS: &[&str] = &[
    "BT", "ET", "Tc", "Tw", "Tz", "TL", "Tf", "Tr", "Ts", "Td", "TD", "Tm", "T*", "Tj", "TJ", "'",
    "\"", "d0", "d1",
];

/// Operators that neither paint nor show text: state, colour, clipping paths, marked
/// content, compatibility sections.
const NEUTRAL_OPERATORS: &[&str] = &[
    "q", "Q", "gs", "w", "J", "j", "M", "d", "ri", "i", "g", "G", "rg", "RG", "k", "K", "cs", "CS",
    "sc", "SC", "scn", "SCN", "m", "l", "c", "v", "y", "h", "re", "W", "W*", "n", "BMC", "BDC",
    "EMC", "MP", "DP", "BX", "EX",
];

/// Extract the scanned pages of a PDF file. `pages_before` is the number of pages already
/// taken from earlier files (for the page limit).
pub(crate) fn read_pdf_pages(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
    pages_before: u32,
) -> Result<Vec<ScanPage>, IntakeError> {
    let encrypted = || IntakeError::EncryptedPdf {
        file: file.to_owned(),
    };
    let doc = match Document::load_mem(bytes) {
        Ok(doc) => doc,
        Err(_) if contains(bytes, b"/Encrypt") => return Err(encrypted()),
        Err(e) => {
            return Err(IntakeError::CorruptPdf {
                file: file.to_owned(),
                detail: e.to_string(),
            });
        }
    };
    if doc.trailer.has(b"Encrypt") || doc.was_encrypted() {
        return Err(encrypted());
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(IntakeError::NoPages {
            file: Some(file.to_owned()),
        });
    }
    let total = u64::from(pages_before) + pages.len() as u64;
    if total > u64::from(limits.max_pages) {
        return Err(IntakeError::TooManyPages {
            file: file.to_owned(),
            max: limits.max_pages,
        });
    }
    let mut out = Vec::with_capacity(pages.len());
    for (index, page_id) in pages.values().enumerate() {
        let page = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let at = PageAt { file, page };
        out.push(read_pdf_page(&doc, *page_id, at, limits)?);
    }
    Ok(out)
}

/// Where in the upload a page is, for error messages.
#[derive(Clone, Copy)]
struct PageAt<'a> {
    file: &'a str,
    page: u32,
}

impl PageAt<'_> {
    fn corrupt(self, detail: impl Into<String>) -> IntakeError {
        IntakeError::CorruptPdf {
            file: self.file.to_owned(),
            detail: format!("page {}: {}", self.page, detail.into()),
        }
    }
    fn unsupported(self, detail: impl Into<String>) -> IntakeError {
        IntakeError::UnsupportedPdfImage {
            file: self.file.to_owned(),
            page: self.page,
            detail: detail.into(),
        }
    }
    fn has_text(self) -> IntakeError {
        IntakeError::PdfHasText {
            file: self.file.to_owned(),
            page: self.page,
        }
    }
    fn not_scan(self, operator: &str) -> IntakeError {
        IntakeError::PdfNotScanContent {
            file: self.file.to_owned(),
            page: self.page,
            operator: operator.to_owned(),
        }
    }
    fn image_count(self, images: usize) -> IntakeError {
        IntakeError::PdfNotSingleImage {
            file: self.file.to_owned(),
            page: self.page,
            images,
        }
    }
}

fn read_pdf_page(
    doc: &Document,
    page_id: ObjectId,
    at: PageAt<'_>,
    limits: &Limits,
) -> Result<ScanPage, IntakeError> {
    let page_dict = doc
        .get_dictionary(page_id)
        .map_err(|e| at.corrupt(e.to_string()))?;
    let rotate = inherited(doc, page_dict, b"Rotate")
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(0);
    if rotate.rem_euclid(360) != 0 {
        return Err(at.unsupported("rotated page (/Rotate)"));
    }
    if doc
        .get_page_fonts(page_id)
        .map(|fonts| !fonts.is_empty())
        .unwrap_or(false)
    {
        return Err(at.has_text());
    }
    let content = doc
        .get_page_content_with_limit(page_id, MAX_CONTENT_BYTES)
        .map_err(|e| at.corrupt(e.to_string()))?;
    let content = Content::decode(&content).map_err(|e| at.corrupt(e.to_string()))?;
    let draws = image_draws(&content, at)?;

    let xobjects = page_xobjects(doc, page_id);
    let xobject_count = xobjects.map(|d| d.len()).unwrap_or(0);
    if draws.len() != 1 || xobject_count != 1 {
        let images = if draws.len() != 1 {
            draws.len()
        } else {
            xobject_count
        };
        return Err(at.image_count(images));
    }
    let (name, ctm) = &draws[0];
    let stream = xobjects
        .and_then(|d| d.get(name).ok())
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_stream().ok())
        .ok_or_else(|| at.corrupt("drawn XObject is missing"))?;
    match stream.dict.get(b"Subtype").and_then(Object::as_name) {
        Ok(b"Image") => {}
        Ok(b"Form") => return Err(at.not_scan("form XObject")),
        _ => return Err(at.corrupt("XObject without a valid /Subtype")),
    }
    read_image_xobject(doc, stream, ctm, at, limits)
}

/// Walk the content stream: refuse text and painting operators, return each `Do` with the
/// transformation matrix in force.
fn image_draws(content: &Content, at: PageAt<'_>) -> Result<Vec<ImageDraw>, IntakeError> {
    let mut ctm = IDENTITY;
    let mut stack = Vec::new();
    let mut draws = Vec::new();
    for op in &content.operations {
        let operator = op.operator.as_str();
        match operator {
            "q" => {
                if stack.len() > 64 {
                    return Err(at.corrupt("graphics state nesting too deep"));
                }
                stack.push(ctm);
            }
            "Q" => ctm = stack.pop().unwrap_or(IDENTITY),
            "cm" => {
                let m =
                    matrix_operands(&op.operands).ok_or_else(|| at.corrupt("bad cm operands"))?;
                ctm = multiply(m, ctm);
            }
            "Do" => {
                let name = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .ok_or_else(|| at.corrupt("bad Do operand"))?;
                draws.push((name.to_vec(), ctm));
            }
            _ if TEXT_OPERATORS.contains(&operator) => return Err(at.has_text()),
            _ if NEUTRAL_OPERATORS.contains(&operator) => {}
            "BI" | "ID" | "EI" => return Err(at.not_scan("inline image")),
            other => return Err(at.not_scan(other)),
        }
    }
    Ok(draws)
}

/// An XObject name drawn with `Do`, and the transformation matrix in force.
type ImageDraw = (Vec<u8>, [f32; 6]);

const IDENTITY: [f32; 6] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn matrix_operands(operands: &[Object]) -> Option<[f32; 6]> {
    let values: Vec<f32> = operands
        .iter()
        .map(|o| o.as_float().ok())
        .collect::<Option<_>>()?;
    let m: [f32; 6] = values.try_into().ok()?;
    m.iter().all(|v| v.is_finite()).then_some(m)
}

/// `m × ctm` (the new matrix is applied first, ISO 32000-1, 8.4.4).
fn multiply(m: [f32; 6], ctm: [f32; 6]) -> [f32; 6] {
    [
        m[0] * ctm[0] + m[1] * ctm[2],
        m[0] * ctm[1] + m[1] * ctm[3],
        m[2] * ctm[0] + m[3] * ctm[2],
        m[2] * ctm[1] + m[3] * ctm[3],
        m[4] * ctm[0] + m[5] * ctm[2] + ctm[4],
        m[4] * ctm[1] + m[5] * ctm[3] + ctm[5],
    ]
}

/// The nearest `/XObject` resource dictionary of a page.
fn page_xobjects(doc: &Document, page_id: ObjectId) -> Option<&Dictionary> {
    let (direct, referenced) = doc.get_page_resources(page_id).ok()?;
    if let Some(found) = direct.and_then(|r| xobject_dict(doc, r)) {
        return Some(found);
    }
    referenced.into_iter().find_map(|id| {
        doc.get_dictionary(id)
            .ok()
            .and_then(|r| xobject_dict(doc, r))
    })
}

fn xobject_dict<'a>(doc: &'a Document, resources: &'a Dictionary) -> Option<&'a Dictionary> {
    let (_, obj) = doc.dereference(resources.get(b"XObject").ok()?).ok()?;
    obj.as_dict().ok()
}

/// A page attribute, looked up through the page tree (ISO 32000-1, 7.7.3.4).
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..32 {
        if let Ok(value) = node.get(key) {
            return doc.dereference(value).ok().map(|(_, o)| o);
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// The colour space of an image dictionary as a component count and device family.
fn image_components(doc: &Document, dict: &Dictionary, at: PageAt<'_>) -> Result<u8, IntakeError> {
    let space = dict
        .get(b"ColorSpace")
        .map_err(|_| at.unsupported("image without /ColorSpace"))?;
    let (_, space) = doc
        .dereference(space)
        .map_err(|e| at.corrupt(e.to_string()))?;
    match space {
        Object::Name(name) => match name.as_slice() {
            b"DeviceGray" => Ok(1),
            b"DeviceRGB" => Ok(3),
            b"DeviceCMYK" => Ok(4),
            other => {
                Err(at.unsupported(format!("colour space /{}", String::from_utf8_lossy(other))))
            }
        },
        Object::Array(items) => {
            let family = items.first().and_then(|o| o.as_name().ok()).unwrap_or(b"?");
            if family != b"ICCBased" {
                return Err(
                    at.unsupported(format!("colour space /{}", String::from_utf8_lossy(family)))
                );
            }
            // The profile is not carried over; its component count picks the device space.
            let n = items
                .get(1)
                .and_then(|o| doc.dereference(o).ok())
                .and_then(|(_, o)| o.as_stream().ok())
                .and_then(|s| s.dict.get(b"N").and_then(Object::as_i64).ok());
            match n {
                Some(n @ (1 | 3 | 4)) => Ok(n as u8),
                _ => Err(at.unsupported("ICC profile with an unusable component count")),
            }
        }
        _ => Err(at.corrupt("invalid /ColorSpace")),
    }
}

fn read_image_xobject(
    doc: &Document,
    stream: &Stream,
    ctm: &[f32; 6],
    at: PageAt<'_>,
    limits: &Limits,
) -> Result<ScanPage, IntakeError> {
    let dict = &stream.dict;
    let flag = |key: &[u8]| dict.get(key).and_then(Object::as_bool).unwrap_or(false);
    if flag(b"ImageMask") {
        return Err(at.unsupported("stencil mask image"));
    }
    if dict.has(b"SMask") || dict.has(b"Mask") {
        return Err(at.unsupported("image with a mask"));
    }
    let dimension = |key: &[u8]| -> Result<u64, IntakeError> {
        let value = dict
            .get(key)
            .and_then(|o| doc.dereference(o))
            .and_then(|(_, o)| o.as_i64());
        match value {
            Ok(v) if v > 0 => Ok(v as u64),
            _ => Err(at.corrupt("image without a positive /Width or /Height")),
        }
    };
    let (width, height) = (dimension(b"Width")?, dimension(b"Height")?);
    if width > u64::from(limits.max_side_px) || height > u64::from(limits.max_side_px) {
        return Err(IntakeError::ImageTooLarge {
            file: at.file.to_owned(),
            page: at.page,
            width,
            height,
            max_side: limits.max_side_px,
        });
    }
    // Both now fit in u32 (max_side_px is a u32).
    let (width, height) = (width as u32, height as u32);

    let filters = image_filters(doc, dict).map_err(|e| at.corrupt(e))?;
    let supported = matches!(filters.as_slice(), [] | [_])
        && filters
            .iter()
            .all(|f| f == "DCTDecode" || f == "FlateDecode");
    if !supported {
        return Err(IntakeError::UnsupportedImageFilter {
            file: at.file.to_owned(),
            page: at.page,
            filter: filters.join("+"),
        });
    }
    let components = image_components(doc, dict, at)?;
    let bpc = dict
        .get(b"BitsPerComponent")
        .and_then(Object::as_i64)
        .unwrap_or(8);
    if bpc != 8 {
        return Err(at.unsupported(format!("{bpc} bits per component")));
    }
    if dict.has(b"Decode") && components != 4 {
        return Err(at.unsupported("image with a /Decode array"));
    }

    // Placement: axis-aligned and upright; its size on the page gives the resolution.
    let [a, b, c, d, _, _] = *ctm;
    if b != 0.0 || c != 0.0 || a <= 0.0 || d <= 0.0 {
        return Err(at.unsupported("rotated, skewed or mirrored image placement"));
    }
    let dpi = Dpi {
        x: width as f32 * 72.0 / a,
        y: height as f32 * 72.0 / d,
    };
    check_page_geometry(
        at.file,
        at.page,
        u64::from(width),
        u64::from(height),
        dpi,
        limits,
    )?;

    let image = match filters.as_slice() {
        [f] if f == "DCTDecode" => {
            let header =
                parse_jpeg(&stream.content).map_err(|p| jpeg_error(at.file, at.page, p))?;
            if header.width != width || header.height != height || header.components != components {
                return Err(at.unsupported("JPEG data does not match its image dictionary"));
            }
            PageImage::Jpeg(JpegImage {
                bytes: stream.content.clone(),
                components: header.components,
                adobe_transform: header.adobe_transform,
            })
        }
        // No filter or FlateDecode (checked above).
        _ => raw_pdf_image(stream, width, height, components, at)?,
    };
    Ok(ScanPage {
        source_file: at.file.to_owned(),
        page_in_file: at.page,
        width_px: width,
        height_px: height,
        dpi,
        image,
        source_sha256: Sha256::digest(&stream.content).into(),
    })
}

fn image_filters(doc: &Document, dict: &Dictionary) -> Result<Vec<String>, String> {
    let Ok(filter) = dict.get(b"Filter") else {
        return Ok(Vec::new());
    };
    let (_, filter) = doc.dereference(filter).map_err(|e| e.to_string())?;
    let name = |o: &Object| {
        o.as_name()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .map_err(|e| e.to_string())
    };
    match filter {
        Object::Array(items) => items.iter().map(name).collect(),
        other => Ok(vec![name(other)?]),
    }
}

fn raw_pdf_image(
    stream: &Stream,
    width: u32,
    height: u32,
    components: u8,
    at: PageAt<'_>,
) -> Result<PageImage, IntakeError> {
    let color = match components {
        1 => RawColor::Gray,
        3 => RawColor::Rgb,
        _ => return Err(at.unsupported("uncompressed or Flate CMYK image")),
    };
    let expected = width as usize * height as usize * usize::from(components);
    let mut samples = stream
        .decompressed_content_with_limit(expected + RAW_IMAGE_SLACK)
        .map_err(|e| at.corrupt(format!("image data: {e}")))?;
    if samples.len() < expected {
        return Err(at.corrupt("image data shorter than its declared size"));
    }
    samples.truncate(expected);
    Ok(PageImage::Raw(RawImage {
        color,
        samples,
        alpha: None,
    }))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
