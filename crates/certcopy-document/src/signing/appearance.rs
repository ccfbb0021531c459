//! The visible appearance of a signature widget: a form XObject (ISO 32000-1, 12.5.5 and
//! 12.7.4.5) drawn the way Decree 30/2020/NĐ-CP, Appendix I, presents the signatures of an
//! electronic official document:
//!
//! - the official's signature ([`OfficialMark`]): the signature image (transparent PNG)
//!   in blue ([`SIGNATURE_BLUE`], Part II: "màu xanh"), centred between the signer's
//!   position above and full name below, then the signing information;
//! - the organisation's signature ([`SealMark`]): the seal in red ([`SEAL_RED`]), at its
//!   real size, laid over about the left third of the official's signature image, with the
//!   signing information (organisation, time in ISO 8601 with the Viet Nam offset) under
//!   it, across the whole widget;
//! - plain lines of text in a thin border ([`AppearanceContent::Lines`]) for anything else.
//!
//! Appendix I, Part II presents the organisation's signing information in Times New Roman,
//! normal case, upright, size 10, black. Times New Roman cannot be shipped, so it is set in
//! the free DejaVu Serif at 10 pt, black; a line too long for the widget is broken at a
//! space onto two lines, and only a line that does not fit on two lines at 10 pt is set
//! smaller (every information line then takes that size). All other text is DejaVu Sans
//! (the statement's font). Both are embedded subsets with a ToUnicode map
//! ([`crate::font`]), NFC-normalised, so every word keeps its diacritics and `pdftotext`
//! extracts it exactly. When no image is configured a drawn placeholder takes its place —
//! a dashed box for the signature, a red double ring with the holder's name and "MẪU" for
//! the seal — that nobody can mistake for the real mark.

use lopdf::{Dictionary, Document, Object, Stream};
use unicode_normalization::UnicodeNormalization;

use super::error::SigningError;
use super::image::AppearanceImage;
use crate::font::{FontSubset, StatementFont};

/// Widget placement and what it shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Appearance {
    /// 0-based index of the page that shows the signature.
    pub page_index: usize,
    /// Widget rectangle `[x0, y0, x1, y1]` in default user space of the page (points).
    pub rect: [f32; 4],
    /// What the widget shows.
    pub content: AppearanceContent,
}

/// What a signature widget shows.
#[derive(Clone, Debug, PartialEq)]
pub enum AppearanceContent {
    /// Lines of text, top to bottom, in a thin border.
    Lines(Vec<String>),
    /// The certifying official's signature.
    Official(OfficialMark),
    /// The certifying office's seal.
    Seal(SealMark),
}

/// The official's signature (Decree 30/2020, Appendix I: the signature image centred
/// between the position and the full name).
#[derive(Clone, Debug, PartialEq)]
pub struct OfficialMark {
    /// Position, printed above the image (e.g. "Phó Chủ tịch").
    pub position: String,
    /// Full name, printed under the image.
    pub name: String,
    /// The signature image; it is shown in blue ([`SIGNATURE_BLUE`]). `None` draws a
    /// placeholder.
    pub image: Option<AppearanceImage>,
    /// Signing information under the name (e.g. "Ký bởi: …", "Thời gian ký: …").
    pub info: Vec<String>,
}

/// The office's seal (Decree 30/2020, Appendix I: red, real size, over about the left third
/// of the official's signature image).
#[derive(Clone, Debug, PartialEq)]
pub struct SealMark {
    /// The seal's holder (the office name), drawn in the placeholder.
    pub holder: String,
    /// The seal image; it is shown in red ([`SEAL_RED`]). `None` draws a placeholder.
    pub image: Option<AppearanceImage>,
    /// Where the official's signature image is, in page coordinates
    /// ([`OfficialMark::image_rect`]); the seal covers its left third.
    pub covers: [f32; 4],
    /// Signing information (e.g. "Cơ quan: …", "Thời gian ký: …"), set in the serif at
    /// 10 pt under the seal.
    pub info: Vec<String>,
}

/// The red of the seal.
pub const SEAL_RED: [u8; 3] = [218, 37, 29];

/// The ink blue of the official's signature image (Decree 30/2020/NĐ-CP, Appendix I,
/// Part II: "màu xanh").
pub const SIGNATURE_BLUE: [u8; 3] = [0, 56, 168];

/// Diameter of the placeholder seal, in points: 36 mm.
const PLACEHOLDER_SEAL_DIAMETER: f32 = 36.0 * 72.0 / 25.4;

/// Inner margin between the widget's edge and its content, in points.
const PADDING: f32 = 2.0;
/// Font size of the plain lines at most; smaller when they do not fit.
const LINES_MAX_SIZE: f32 = 10.0;
/// Font size of the position and the name at most.
const TITLE_SIZE: f32 = 7.5;
/// Font size of the official's signing information and the placeholder caption at most.
const INFO_SIZE: f32 = 6.0;
/// Font size of the organisation's signing information (Decree 30/2020/NĐ-CP, Appendix I,
/// Part II: size 10), set smaller only when a line does not fit on two lines.
const SEAL_INFO_SIZE: f32 = 10.0;
/// Gap between the seal's right edge and the official's lines of text, in points.
const SEAL_CLEARANCE: f32 = 3.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.2;
/// Smallest font size a line is shrunk to; below it the BBox clips.
const MIN_SIZE: f32 = 3.0;
/// A signature image box is at most this many times as wide as it is high.
const SIGNATURE_MAX_ASPECT: f32 = 3.0;

impl OfficialMark {
    /// Where the signature image (or its placeholder) is drawn in a widget at `rect`, in
    /// page coordinates; the seal is placed from this.
    pub fn image_rect(&self, rect: [f32; 4]) -> [f32; 4] {
        let [x0, y0, x1, y1] = rect;
        let local = self.image_box((x1 - x0).abs(), (y1 - y0).abs());
        [x0 + local[0], y0 + local[1], x0 + local[2], y0 + local[3]]
    }

    /// The image's rectangle in widget coordinates: the space between the position line
    /// and the name, the image fitted in it keeping its proportions, centred.
    fn image_box(&self, width: f32, height: f32) -> [f32; 4] {
        let top = height - PADDING - TITLE_SIZE * LEADING;
        let bottom = PADDING + self.info.len() as f32 * INFO_SIZE * LEADING + TITLE_SIZE * LEADING;
        let (room_w, room_h) = ((width - 2.0 * PADDING).max(0.0), (top - bottom).max(0.0));
        let (w, h) = match &self.image {
            Some(image) => {
                let (iw, ih) = (image.width() as f32, image.height() as f32);
                let scale = (room_w / iw).min(room_h / ih);
                (iw * scale, ih * scale)
            }
            None => (room_w.min(room_h * SIGNATURE_MAX_ASPECT), room_h),
        };
        let x = (width - w) / 2.0;
        let y = bottom + (room_h - h) / 2.0;
        [x, y, x + w, y + h]
    }
}

impl SealMark {
    /// The page y up to which the organisation's signing information reaches in a seal
    /// widget at `rect` (page coordinates): the official's widget must start at or above
    /// it, so a wrapped office name never runs into the official's name and information.
    pub fn info_top(&self, rect: [f32; 4]) -> Result<f32, SigningError> {
        let [x0, y0, x1, y1] = rect;
        let serif = StatementFont::dejavu_serif()?;
        let layout = layout_seal_info(&serif, &self.info, (x1 - x0).abs())?;
        Ok(y0.min(y1) + layout.height())
    }
}

/// The two faces an appearance sets text in.
struct AppearanceFonts {
    sans: StatementFont,
    serif: StatementFont,
}

/// Which face a run of text is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Face {
    /// DejaVu Sans, resource `/F1`.
    Sans,
    /// DejaVu Serif, resource `/F2`: the organisation's signing information.
    Serif,
}

impl Face {
    fn resource_name(self) -> &'static str {
        match self {
            Face::Sans => "F1",
            Face::Serif => "F2",
        }
    }
}

/// Builds the normal-appearance form XObject for a widget at `rect` (page coordinates)
/// showing `content`, adding the objects it uses (font, images) to `document`; an empty,
/// zero-size form when the signature is invisible.
pub(crate) fn appearance_stream(
    document: &mut Document,
    rect: [f32; 4],
    content: Option<&AppearanceContent>,
) -> Result<Stream, SigningError> {
    let [x0, y0, x1, y1] = rect;
    let (width, height) = ((x1 - x0).abs(), (y1 - y0).abs());
    let Some(content) = content.filter(|_| width > 0.0 && height > 0.0) else {
        return Ok(empty_appearance_stream(width, height));
    };
    let fonts = AppearanceFonts {
        sans: StatementFont::dejavu_sans()?,
        serif: StatementFont::dejavu_serif()?,
    };
    let mut drawing = Drawing::default();
    match content {
        AppearanceContent::Lines(lines) => {
            draw_lines(&mut drawing, &fonts.sans, width, height, lines)?
        }
        AppearanceContent::Official(mark) => {
            draw_official(&mut drawing, &fonts.sans, width, height, mark)?
        }
        AppearanceContent::Seal(mark) => draw_seal(
            &mut drawing,
            &fonts,
            [x0.min(x1), y0.min(y1)],
            width,
            height,
            mark,
        )?,
    }
    drawing.finish(document, &fonts, width, height)
}

/// A blank appearance for an unsigned signature field (a widget should have one,
/// ISO 32000-2, 12.5.5); the signature that fills the field brings its own.
pub(crate) fn empty_appearance_stream(width: f32, height: f32) -> Stream {
    let mut form = form_dictionary(width, height);
    form.set("Resources", Object::Dictionary(Dictionary::new()));
    Stream::new(form, Vec::new())
}

fn form_dictionary(width: f32, height: f32) -> Dictionary {
    let mut form = Dictionary::new();
    form.set("Type", Object::Name(b"XObject".to_vec()));
    form.set("Subtype", Object::Name(b"Form".to_vec()));
    form.set(
        "BBox",
        Object::Array(vec![0.into(), 0.into(), width.into(), height.into()]),
    );
    form
}

/// One run of text: NFC text in `face` set from (`x`, `y`) at `size`, turned by `angle`
/// radians.
struct TextRun {
    text: String,
    face: Face,
    x: f32,
    y: f32,
    size: f32,
    angle: f32,
    red: bool,
}

/// What an appearance draws, collected before the font subset is known.
#[derive(Default)]
struct Drawing {
    /// Path operators drawn first (borders, rings, placeholder boxes).
    paths: String,
    images: Vec<(AppearanceImage, [f32; 4])>,
    runs: Vec<TextRun>,
}

impl Drawing {
    fn text(&mut self, text: &str, x: f32, y: f32, size: f32) {
        self.text_in(Face::Sans, text, x, y, size);
    }

    fn text_in(&mut self, face: Face, text: &str, x: f32, y: f32, size: f32) {
        self.runs.push(TextRun {
            text: text.to_owned(),
            face,
            x,
            y,
            size,
            angle: 0.0,
            red: false,
        });
    }

    /// Writes the content stream, adding the font subsets and the images to `document`.
    fn finish(
        self,
        document: &mut Document,
        fonts: &AppearanceFonts,
        width: f32,
        height: f32,
    ) -> Result<Stream, SigningError> {
        let mut ops = self.paths;
        let mut xobjects = Dictionary::new();
        for (index, (image, [ix0, iy0, ix1, iy1])) in self.images.iter().enumerate() {
            let name = format!("Im{}", index + 1);
            xobjects.set(
                name.as_bytes(),
                Object::Reference(image.add_to_lopdf(document)),
            );
            ops.push_str(&format!(
                "q {} 0 0 {} {} {} cm /{name} Do Q\n",
                number(ix1 - ix0),
                number(iy1 - iy0),
                number(*ix0),
                number(*iy0)
            ));
        }
        let mut resources = Dictionary::new();
        let mut font_resources = Dictionary::new();
        for (face, font) in [(Face::Sans, &fonts.sans), (Face::Serif, &fonts.serif)] {
            let runs: Vec<&TextRun> = self.runs.iter().filter(|run| run.face == face).collect();
            if runs.is_empty() {
                continue;
            }
            let subset = font.subset(runs.iter().map(|run| run.text.as_str()))?;
            for run in runs {
                write_run(&mut ops, &subset, run)?;
            }
            font_resources.set(
                face.resource_name(),
                Object::Reference(font.add_to_lopdf(document, &subset)),
            );
        }
        if !font_resources.is_empty() {
            resources.set("Font", Object::Dictionary(font_resources));
        }
        if !xobjects.is_empty() {
            resources.set("XObject", Object::Dictionary(xobjects));
        }
        let mut form = form_dictionary(width, height);
        form.set("Resources", Object::Dictionary(resources));
        Ok(Stream::new(form, ops.into_bytes()))
    }
}

fn write_run(ops: &mut String, subset: &FontSubset, run: &TextRun) -> Result<(), SigningError> {
    let (sin, cos) = run.angle.sin_cos();
    let fill = if run.red {
        red_fill()
    } else {
        "0 g".to_owned()
    };
    ops.push_str(&format!(
        "BT {fill} /{} {} Tf {} {} {} {} {} {} Tm <",
        run.face.resource_name(),
        number(run.size),
        number_precise(cos),
        number_precise(sin),
        number_precise(-sin),
        number_precise(cos),
        number(run.x),
        number(run.y)
    ));
    for byte in subset.encode(&run.text)? {
        ops.push_str(&format!("{byte:02X}"));
    }
    ops.push_str("> Tj ET\n");
    Ok(())
}

fn red_fill() -> String {
    let [r, g, b] = SEAL_RED.map(|c| number_precise(f32::from(c) / 255.0));
    format!("{r} {g} {b} rg")
}

fn red_stroke() -> String {
    let [r, g, b] = SEAL_RED.map(|c| number_precise(f32::from(c) / 255.0));
    format!("{r} {g} {b} RG")
}

fn nfc(text: &str) -> String {
    text.trim().nfc().collect()
}

/// The size at which `text` fits in `room` points, at most `max`.
fn fitted_size(font: &StatementFont, text: &str, max: f32, room: f32) -> Result<f32, SigningError> {
    let natural = font.text_width(text, max)?;
    Ok(if natural > room && natural > 0.0 {
        (max * room / natural).max(MIN_SIZE)
    } else {
        max
    })
}

/// Plain lines, left-aligned in a thin border, one size for all that fits the box.
fn draw_lines(
    drawing: &mut Drawing,
    font: &StatementFont,
    width: f32,
    height: f32,
    lines: &[String],
) -> Result<(), SigningError> {
    drawing.paths.push_str(&format!(
        "q 0.8 w 0 0 0 RG 0.4 0.4 {} {} re S Q\n",
        number(width - 0.8),
        number(height - 0.8)
    ));
    let lines: Vec<String> = lines.iter().map(|line| nfc(line)).collect();
    if lines.is_empty() {
        return Ok(());
    }
    let by_height = (height - 2.0 * PADDING) / (lines.len() as f32 * LEADING);
    let mut size = by_height.clamp(MIN_SIZE, LINES_MAX_SIZE);
    for line in &lines {
        size = size.min(fitted_size(font, line, size, width - 2.0 * PADDING)?);
    }
    for (index, line) in lines.iter().enumerate() {
        let baseline = height - PADDING - size - index as f32 * size * LEADING;
        drawing.text(line, PADDING, baseline, size);
    }
    Ok(())
}

/// A line centred horizontally in `width`, but starting no further left than `clear_of`
/// (moved right, and smaller only if it then does not fit).
fn centred(
    drawing: &mut Drawing,
    font: &StatementFont,
    text: &str,
    max_size: f32,
    width: f32,
    clear_of: f32,
    baseline: f32,
) -> Result<(), SigningError> {
    let text = nfc(text);
    if text.is_empty() {
        return Ok(());
    }
    let right = width - PADDING;
    let left = clear_of.clamp(PADDING, right);
    let mut size = fitted_size(font, &text, max_size, right - PADDING)?;
    let mut text_width = font.text_width(&text, size)?;
    let mut x = ((width - text_width) / 2.0).max(left);
    if x + text_width > right {
        size = fitted_size(font, &text, size, right - left)?;
        text_width = font.text_width(&text, size)?;
        x = (right - text_width).max(left);
    }
    drawing.text(&text, x, baseline, size);
    Ok(())
}

fn draw_official(
    drawing: &mut Drawing,
    font: &StatementFont,
    width: f32,
    height: f32,
    mark: &OfficialMark,
) -> Result<(), SigningError> {
    let descent = 0.25;
    let image_box = mark.image_box(width, height);
    // The seal, taller than the image, covers the image's left third and reaches above and
    // below it; the lines start right of that third so the seal never covers the position,
    // the name or the information (they stay centred when they are short enough).
    let clear_of = image_box[0] + (image_box[2] - image_box[0]) / 3.0 + SEAL_CLEARANCE;
    centred(
        drawing,
        font,
        &mark.position,
        TITLE_SIZE,
        width,
        clear_of,
        height - PADDING - TITLE_SIZE,
    )?;
    let info_height = mark.info.len() as f32 * INFO_SIZE * LEADING;
    centred(
        drawing,
        font,
        &mark.name,
        TITLE_SIZE,
        width,
        clear_of,
        PADDING + info_height + TITLE_SIZE * descent,
    )?;
    for (index, line) in mark.info.iter().enumerate() {
        let baseline = PADDING + (mark.info.len() - 1 - index) as f32 * INFO_SIZE * LEADING;
        centred(
            drawing,
            font,
            line,
            INFO_SIZE,
            width,
            clear_of,
            baseline + INFO_SIZE * descent,
        )?;
    }
    match &mark.image {
        Some(image) => drawing
            .images
            .push((image.in_ink(SIGNATURE_BLUE), image_box)),
        None => {
            let [bx0, by0, bx1, by1] = image_box;
            // A neutral dashed box with its caption: clearly no signature.
            drawing.paths.push_str(&format!(
                "q 0.5 w 0.55 G [2 2] 0 d {} {} {} {} re S Q\n",
                number(bx0),
                number(by0),
                number(bx1 - bx0),
                number(by1 - by0)
            ));
            // The caption goes in the right two thirds, which the seal leaves uncovered.
            let caption = "(mẫu chữ ký chưa được cấu hình)";
            let free_x0 = bx0 + (bx1 - bx0) / 3.0;
            let size = fitted_size(font, caption, INFO_SIZE, bx1 - free_x0 - 2.0 * PADDING)?;
            let caption_width = font.text_width(caption, size)?;
            drawing.text(
                caption,
                free_x0 + (bx1 - free_x0 - caption_width) / 2.0,
                (by0 + by1) / 2.0 - size / 3.0,
                size,
            );
        }
    }
    Ok(())
}

/// The organisation's signing information laid out for a seal widget: the lines as set,
/// top to bottom, and their one size.
struct SealInfoLayout {
    lines: Vec<String>,
    size: f32,
}

impl SealInfoLayout {
    /// Height from the widget's bottom edge to just above the top line.
    fn height(&self) -> f32 {
        PADDING + self.lines.len() as f32 * self.size * LEADING + 1.0
    }
}

/// Sets `info` for a widget `width` wide in the serif (Decree 30/2020/NĐ-CP, Appendix I,
/// Part II: size 10). A line that does not fit is broken at the space that makes its two
/// parts most even; only when the wider part still does not fit (or there is no space) is
/// the size lowered so it does, and then all lines take that size.
fn layout_seal_info(
    serif: &StatementFont,
    info: &[String],
    width: f32,
) -> Result<SealInfoLayout, SigningError> {
    let room = (width - 2.0 * PADDING).max(1.0);
    let mut lines = Vec::new();
    let mut size = SEAL_INFO_SIZE;
    for line in info.iter().map(|line| nfc(line)) {
        let natural = serif.text_width(&line, SEAL_INFO_SIZE)?;
        if natural <= room {
            lines.push(line);
            continue;
        }
        match even_break(serif, &line)? {
            Some((first, second, widest)) => {
                if widest > room {
                    size = size.min((SEAL_INFO_SIZE * room / widest).max(MIN_SIZE));
                }
                lines.push(first);
                lines.push(second);
            }
            None => {
                size = size.min((SEAL_INFO_SIZE * room / natural).max(MIN_SIZE));
                lines.push(line);
            }
        }
    }
    Ok(SealInfoLayout { lines, size })
}

/// `line` broken at one of its spaces into two non-empty parts, the wider as narrow as
/// possible, with that width at [`SEAL_INFO_SIZE`]; `None` when it has no inner space.
fn even_break(
    serif: &StatementFont,
    line: &str,
) -> Result<Option<(String, String, f32)>, SigningError> {
    let mut best: Option<(String, String, f32)> = None;
    for (at, _) in line.match_indices(' ') {
        let (first, second) = (line[..at].trim_end(), line[at..].trim_start());
        if first.is_empty() || second.is_empty() {
            continue;
        }
        let widest = serif
            .text_width(first, SEAL_INFO_SIZE)?
            .max(serif.text_width(second, SEAL_INFO_SIZE)?);
        if best.as_ref().is_none_or(|(_, _, w)| widest < *w) {
            best = Some((first.to_owned(), second.to_owned(), widest));
        }
    }
    Ok(best)
}

fn draw_seal(
    drawing: &mut Drawing,
    fonts: &AppearanceFonts,
    origin: [f32; 2],
    width: f32,
    height: f32,
    mark: &SealMark,
) -> Result<(), SigningError> {
    // Signing information along the bottom, left-aligned, under the seal and the
    // official's widget: serif, 10 pt, black.
    let info = layout_seal_info(&fonts.serif, &mark.info, width)?;
    let count = info.lines.len();
    for (index, line) in info.lines.iter().enumerate() {
        let baseline =
            PADDING + (count - 1 - index) as f32 * info.size * LEADING + info.size * 0.25;
        drawing.text_in(Face::Serif, line, PADDING, baseline, info.size);
    }
    let floor = info.height();

    // The seal at its real size (smaller only when the widget has no room for it).
    let (natural_w, natural_h) = mark.image.as_ref().map_or(
        (PLACEHOLDER_SEAL_DIAMETER, PLACEHOLDER_SEAL_DIAMETER),
        AppearanceImage::real_size,
    );
    let room_w = (width - 2.0 * PADDING).max(1.0);
    let room_h = (height - PADDING - floor).max(1.0);
    let scale = 1.0_f32.min(room_w / natural_w).min(room_h / natural_h);
    let (seal_w, seal_h) = (natural_w * scale, natural_h * scale);
    // Its right edge a third of the way into the signature image, centred on it vertically.
    let [cx0, cy0, cx1, cy1] = mark.covers;
    let (cx0, cx1) = (cx0 - origin[0], cx1 - origin[0]);
    let (cy0, cy1) = (cy0 - origin[1], cy1 - origin[1]);
    let right = cx0 + (cx1 - cx0) / 3.0;
    let x = (right - seal_w).clamp(PADDING, (width - PADDING - seal_w).max(PADDING));
    let y = ((cy0 + cy1) / 2.0 - seal_h / 2.0).clamp(floor, (height - PADDING - seal_h).max(floor));
    match &mark.image {
        Some(image) => drawing
            .images
            .push((image.in_ink(SEAL_RED), [x, y, x + seal_w, y + seal_h])),
        None => draw_placeholder_seal(drawing, &fonts.sans, [x, y], seal_w, &mark.holder)?,
    }
    Ok(())
}

/// A red double ring with the holder's name along the upper arc and "MẪU" (specimen) in
/// the middle: a stand-in nobody takes for a real seal.
fn draw_placeholder_seal(
    drawing: &mut Drawing,
    font: &StatementFont,
    corner: [f32; 2],
    diameter: f32,
    holder: &str,
) -> Result<(), SigningError> {
    let radius = diameter / 2.0;
    let (cx, cy) = (corner[0] + radius, corner[1] + radius);
    drawing.paths.push_str(&format!("q {} ", red_stroke()));
    for (ring, line_width) in [(radius - 1.0, 1.4), (radius * 0.68, 0.6)] {
        drawing
            .paths
            .push_str(&format!("{} w ", number(line_width)));
        drawing.paths.push_str(&circle(cx, cy, ring));
        drawing.paths.push_str("S ");
    }
    drawing.paths.push_str("Q\n");

    let specimen = "MẪU";
    let size = radius * 0.32;
    let specimen_width = font.text_width(specimen, size)?;
    drawing.runs.push(TextRun {
        text: specimen.to_owned(),
        face: Face::Sans,
        x: cx - specimen_width / 2.0,
        y: cy - size / 3.0,
        size,
        angle: 0.0,
        red: true,
    });

    // The name on the band between the rings, left to right over the top.
    let holder = nfc(holder).to_uppercase();
    let band = radius * 0.84 - 1.0;
    let arc = band * std::f32::consts::PI * 1.6;
    let size = fitted_size(font, &holder, radius * 0.2, arc)?;
    let total = font.text_width(&holder, size)? / band;
    let mut angle = std::f32::consts::FRAC_PI_2 + total / 2.0;
    let baseline_radius = band - size * 0.35;
    for character in holder.chars() {
        let text = character.to_string();
        let advance = font.text_width(&text, size)? / band;
        if !character.is_whitespace() {
            drawing.runs.push(TextRun {
                text,
                face: Face::Sans,
                x: cx + baseline_radius * angle.cos(),
                y: cy + baseline_radius * angle.sin(),
                size,
                angle: angle - std::f32::consts::FRAC_PI_2,
                red: true,
            });
        }
        angle -= advance;
    }
    Ok(())
}

/// A circle as four Bézier curves (the usual 0.5523 control distance).
fn circle(cx: f32, cy: f32, r: f32) -> String {
    let k = r * 0.552_284_8;
    let p = |v: f32| number(v);
    format!(
        "{} {} m {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c h ",
        p(cx + r),
        p(cy),
        p(cx + r),
        p(cy + k),
        p(cx + k),
        p(cy + r),
        p(cx),
        p(cy + r),
        p(cx - k),
        p(cy + r),
        p(cx - r),
        p(cy + k),
        p(cx - r),
        p(cy),
        p(cx - r),
        p(cy - k),
        p(cx - k),
        p(cy - r),
        p(cx),
        p(cy - r),
        p(cx + k),
        p(cy - r),
        p(cx + r),
        p(cy - k),
        p(cx + r),
        p(cy)
    )
}

/// A number for a content stream: at most two decimals, no exponent.
fn number(value: f32) -> String {
    trimmed(format!("{value:.2}"))
}

/// A number with four decimals (colours, rotation matrices).
fn number_precise(value: f32) -> String {
    trimmed(format!("{value:.4}"))
}

fn trimmed(text: String) -> String {
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" || text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_no_exponent() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-0.004), "0");
        assert_eq!(number(1.0e7), "10000000");
        assert_eq!(number_precise(0.123456), "0.1235");
    }

    #[test]
    fn vietnamese_text_is_set_in_the_embedded_font() {
        let mut document = Document::with_version("1.7");
        let stream = appearance_stream(
            &mut document,
            [0.0, 0.0, 200.0, 60.0],
            Some(&AppearanceContent::Lines(vec![
                "Ký bởi: Nguyễn Văn Đức".to_owned(),
            ])),
        )
        .unwrap();
        let resources = stream.dict.get(b"Resources").unwrap().as_dict().unwrap();
        let fonts = resources.get(b"Font").unwrap().as_dict().unwrap();
        let font_id = fonts.get(b"F1").unwrap().as_reference().unwrap();
        let font = document.get_dictionary(font_id).unwrap();
        assert_eq!(font.get(b"Subtype").unwrap().as_name().unwrap(), b"Type0");
        assert!(font.get(b"ToUnicode").is_ok());
    }

    #[test]
    fn the_seal_covers_the_left_third_of_the_signature() {
        let official_rect = [100.0, 20.0, 312.0, 130.0];
        let mark = OfficialMark {
            position: "Phó Chủ tịch".to_owned(),
            name: "Nguyễn Văn Minh".to_owned(),
            image: None,
            info: vec!["Ký bởi: Nguyễn Văn Minh".to_owned()],
        };
        let [ix0, _, ix1, _] = mark.image_rect(official_rect);
        let seal = SealMark {
            holder: "Ủy ban nhân dân phường Bến Nghé".to_owned(),
            image: None,
            covers: mark.image_rect(official_rect),
            info: vec!["Cơ quan: Ủy ban nhân dân phường Bến Nghé".to_owned()],
        };
        let fonts = fonts();
        let mut drawing = Drawing::default();
        draw_seal(&mut drawing, &fonts, [0.0, 0.0], 312.0, 130.0, &seal).unwrap();
        // The placeholder's centre text sits at the seal's centre.
        let specimen = drawing.runs.iter().find(|run| run.text == "MẪU").unwrap();
        let centre = specimen.x + fonts.sans.text_width("MẪU", specimen.size).unwrap() / 2.0;
        let right = centre + PLACEHOLDER_SEAL_DIAMETER / 2.0;
        assert!((right - (ix0 + (ix1 - ix0) / 3.0)).abs() < 0.5, "{right}");
        // The seal stays above its information lines.
        let bottom = specimen.y + specimen.size / 3.0 - PLACEHOLDER_SEAL_DIAMETER / 2.0;
        assert!(
            bottom
                >= layout_seal_info(&fonts.serif, &seal.info, 312.0)
                    .unwrap()
                    .height()
                    - 0.5
        );
    }

    fn fonts() -> AppearanceFonts {
        AppearanceFonts {
            sans: StatementFont::dejavu_sans().unwrap(),
            serif: StatementFont::dejavu_serif().unwrap(),
        }
    }

    /// A 60 × 20 signature: a dark stroke on transparency.
    fn signature_image() -> AppearanceImage {
        let (width, height) = (60u32, 20u32);
        let samples: Vec<u8> = (0..width * height)
            .flat_map(|i| {
                if (i / width) % 5 == 2 {
                    [30, 30, 30, 255]
                } else {
                    [0, 0, 0, 0]
                }
            })
            .collect();
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&samples).unwrap();
        writer.finish().unwrap();
        AppearanceImage::from_png(&bytes, &super::super::image::ImageLimits::default(), true)
            .unwrap()
    }

    #[test]
    fn seal_information_is_serif_10_pt_black() {
        let mut document = Document::with_version("1.7");
        let seal = SealMark {
            holder: "Ủy ban nhân dân phường Bến Nghé".to_owned(),
            image: None,
            covers: [150.0, 60.0, 300.0, 110.0],
            info: vec![
                "Cơ quan: Ủy ban nhân dân phường Bến Nghé".to_owned(),
                "Thời gian ký: 2026-11-28T14:05:09+07:00".to_owned(),
            ],
        };
        let stream = appearance_stream(
            &mut document,
            [0.0, 0.0, 312.0, 130.0],
            Some(&AppearanceContent::Seal(seal)),
        )
        .unwrap();
        let resources = stream.dict.get(b"Resources").unwrap().as_dict().unwrap();
        let fonts = resources.get(b"Font").unwrap().as_dict().unwrap();
        let serif_id = fonts.get(b"F2").unwrap().as_reference().unwrap();
        let serif = document.get_dictionary(serif_id).unwrap();
        let base_font = serif.get(b"BaseFont").unwrap().as_name().unwrap();
        assert!(
            String::from_utf8_lossy(base_font).contains("DejaVuSerif"),
            "{base_font:?}"
        );
        assert!(serif.get(b"ToUnicode").is_ok());
        let ops = String::from_utf8(stream.content).unwrap();
        // Both information lines, one run each, black, at 10 pt.
        assert_eq!(ops.matches("BT 0 g /F2 10 Tf").count(), 2, "{ops}");
        assert!(!ops.contains("/F2 6 Tf"), "{ops}");
    }

    #[test]
    fn a_long_office_name_wraps_at_10_pt_and_shrinks_only_without_a_break() {
        let serif = StatementFont::dejavu_serif().unwrap();
        let long = "Cơ quan: Ủy ban nhân dân xã Phước Vĩnh An, huyện Củ Chi, Thành phố Hồ Chí Minh";
        let time = "Thời gian ký: 2026-11-28T14:05:09+07:00";
        let layout = layout_seal_info(&serif, &[long.to_owned(), time.to_owned()], 312.0).unwrap();
        assert_eq!(layout.size, SEAL_INFO_SIZE);
        assert_eq!(layout.lines.len(), 3, "{:?}", layout.lines);
        assert_eq!(format!("{} {}", layout.lines[0], layout.lines[1]), long);
        assert_eq!(layout.lines[2], time);
        for line in &layout.lines {
            assert!(serif.text_width(line, SEAL_INFO_SIZE).unwrap() <= 312.0 - 2.0 * PADDING);
        }
        // The office name fits: one line each, and the band the assembly reserves holds it.
        let short = layout_seal_info(
            &serif,
            &[
                "Cơ quan: Ủy ban nhân dân phường Bến Nghé".to_owned(),
                time.to_owned(),
            ],
            312.0,
        )
        .unwrap();
        assert_eq!((short.lines.len(), short.size), (2, SEAL_INFO_SIZE));
        assert!(short.height() <= 28.0, "{}", short.height());
        // Last resort: one word wider than the widget is set smaller.
        let unbreakable = layout_seal_info(&serif, &["Đ".repeat(60)], 312.0).unwrap();
        assert!(unbreakable.size < SEAL_INFO_SIZE);
    }

    #[test]
    fn a_wrapped_office_name_raises_the_officials_widget_bottom() {
        let seal = SealMark {
            holder: String::new(),
            image: None,
            covers: [0.0; 4],
            info: vec![
                "Cơ quan: Ủy ban nhân dân xã Phước Vĩnh An, huyện Củ Chi, Thành phố Hồ Chí Minh"
                    .to_owned(),
                "Thời gian ký: 2026-11-28T14:05:09+07:00".to_owned(),
            ],
        };
        let top = seal.info_top([40.0, 100.0, 352.0, 230.0]).unwrap();
        assert!(
            (top - (100.0 + PADDING + 3.0 * 12.0 + 1.0)).abs() < 0.01,
            "{top}"
        );
    }

    #[test]
    fn the_officials_lines_keep_clear_of_the_seal() {
        let mark = OfficialMark {
            position: "Phó Chủ tịch Ủy ban nhân dân phường".to_owned(),
            name: "Người Thử lanhdao.anh".to_owned(),
            image: Some(signature_image()),
            info: vec![
                "Ký bởi: Người Thử lanhdao.anh".to_owned(),
                "Thời gian ký: 2026-11-28T19:16:07+07:00".to_owned(),
            ],
        };
        let (width, height) = (212.0, 102.0);
        let [bx0, _, bx1, _] = mark.image_box(width, height);
        let seal_right = bx0 + (bx1 - bx0) / 3.0;
        let sans = fonts().sans;
        let mut drawing = Drawing::default();
        draw_official(&mut drawing, &sans, width, height, &mark).unwrap();
        assert_eq!(drawing.runs.len(), 4);
        for run in &drawing.runs {
            let right = run.x + sans.text_width(&run.text, run.size).unwrap();
            assert!(
                run.x > seal_right && right <= width - PADDING + 0.01,
                "{}",
                run.text
            );
        }
    }

    #[test]
    fn the_signature_image_is_inked_blue() {
        let image = signature_image();
        let mark = OfficialMark {
            position: "Phó Chủ tịch".to_owned(),
            name: "Nguyễn Văn Minh".to_owned(),
            image: Some(image.clone()),
            info: vec![],
        };
        let mut drawing = Drawing::default();
        draw_official(&mut drawing, &fonts().sans, 212.0, 102.0, &mark).unwrap();
        assert_eq!(drawing.images.len(), 1);
        assert_eq!(drawing.images[0].0, image.in_ink(SIGNATURE_BLUE));
        assert_ne!(drawing.images[0].0, image);
    }
}
