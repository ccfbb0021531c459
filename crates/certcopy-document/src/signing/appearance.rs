//! The visible appearance of a signature widget: a form XObject (ISO 32000-1, 12.5.5 and
//! 12.7.4.5) drawn the way Decree 30/2020/NĐ-CP, Appendix I, presents the signatures of an
//! electronic official document:
//!
//! - the official's signature ([`OfficialMark`]): the signature image (transparent PNG)
//!   centred between the signer's position above and full name below, then the signing
//!   information;
//! - the organisation's signature ([`SealMark`]): the seal in red, at its real size, laid
//!   over about the left third of the official's signature image, with the signing
//!   information (organisation, time in ISO 8601 with the Viet Nam offset) beside it;
//! - plain lines of text in a thin border ([`AppearanceContent::Lines`]) for anything else.
//!
//! Text is set in the embedded DejaVu Sans subset with a ToUnicode map (the statement's
//! font, [`crate::font`]), NFC-normalised, so every word keeps its diacritics and
//! `pdftotext` extracts it exactly. When no image is configured a drawn placeholder takes
//! its place — a dashed box for the signature, a red double ring with the holder's name and
//! "MẪU" for the seal — that nobody can mistake for the real mark.

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
    /// The signature image; `None` draws a placeholder.
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
    /// Signing information (e.g. "Cơ quan: …", "Thời gian ký: …").
    pub info: Vec<String>,
}

/// The red of the seal.
pub const SEAL_RED: [u8; 3] = [218, 37, 29];

/// Diameter of the placeholder seal, in points: 36 mm.
const PLACEHOLDER_SEAL_DIAMETER: f32 = 36.0 * 72.0 / 25.4;

/// Inner margin between the widget's edge and its content, in points.
const PADDING: f32 = 2.0;
/// Font size of the plain lines at most; smaller when they do not fit.
const LINES_MAX_SIZE: f32 = 10.0;
/// Font size of the position and the name at most.
const TITLE_SIZE: f32 = 7.5;
/// Font size of the signing information at most.
const INFO_SIZE: f32 = 6.0;
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
    let font = StatementFont::dejavu_sans()?;
    let mut drawing = Drawing::default();
    match content {
        AppearanceContent::Lines(lines) => draw_lines(&mut drawing, &font, width, height, lines)?,
        AppearanceContent::Official(mark) => {
            draw_official(&mut drawing, &font, width, height, mark)?
        }
        AppearanceContent::Seal(mark) => draw_seal(
            &mut drawing,
            &font,
            [x0.min(x1), y0.min(y1)],
            width,
            height,
            mark,
        )?,
    }
    drawing.finish(document, &font, width, height)
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

/// One run of text: NFC text set from (`x`, `y`) at `size`, turned by `angle` radians.
struct TextRun {
    text: String,
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
        self.runs.push(TextRun {
            text: text.to_owned(),
            x,
            y,
            size,
            angle: 0.0,
            red: false,
        });
    }

    /// Writes the content stream, adding the font subset and the images to `document`.
    fn finish(
        self,
        document: &mut Document,
        font: &StatementFont,
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
        if !self.runs.is_empty() {
            let subset = font.subset(self.runs.iter().map(|run| run.text.as_str()))?;
            for run in &self.runs {
                write_run(&mut ops, &subset, run)?;
            }
            let mut fonts = Dictionary::new();
            fonts.set(
                "F1",
                Object::Reference(font.add_to_lopdf(document, &subset)),
            );
            resources.set("Font", Object::Dictionary(fonts));
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
        "BT {fill} /F1 {} Tf {} {} {} {} {} {} Tm <",
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

/// A line centred horizontally in `width`.
fn centred(
    drawing: &mut Drawing,
    font: &StatementFont,
    text: &str,
    max_size: f32,
    width: f32,
    baseline: f32,
) -> Result<(), SigningError> {
    let text = nfc(text);
    if text.is_empty() {
        return Ok(());
    }
    let size = fitted_size(font, &text, max_size, width - 2.0 * PADDING)?;
    let text_width = font.text_width(&text, size)?;
    drawing.text(&text, (width - text_width) / 2.0, baseline, size);
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
    centred(
        drawing,
        font,
        &mark.position,
        TITLE_SIZE,
        width,
        height - PADDING - TITLE_SIZE,
    )?;
    let info_height = mark.info.len() as f32 * INFO_SIZE * LEADING;
    centred(
        drawing,
        font,
        &mark.name,
        TITLE_SIZE,
        width,
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
            baseline + INFO_SIZE * descent,
        )?;
    }
    let image_box = mark.image_box(width, height);
    match &mark.image {
        Some(image) => drawing.images.push((image.clone(), image_box)),
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

fn draw_seal(
    drawing: &mut Drawing,
    font: &StatementFont,
    origin: [f32; 2],
    width: f32,
    height: f32,
    mark: &SealMark,
) -> Result<(), SigningError> {
    // Signing information along the bottom, left-aligned.
    let info: Vec<String> = mark.info.iter().map(|line| nfc(line)).collect();
    let mut size = INFO_SIZE;
    for line in &info {
        size = size.min(fitted_size(font, line, INFO_SIZE, width - 2.0 * PADDING)?);
    }
    for (index, line) in info.iter().enumerate() {
        let baseline = PADDING + (info.len() - 1 - index) as f32 * size * LEADING + size * 0.25;
        drawing.text(line, PADDING, baseline, size);
    }
    let floor = PADDING + info.len() as f32 * size * LEADING + 1.0;

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
        None => draw_placeholder_seal(drawing, font, [x, y], seal_w, &mark.holder)?,
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
        let font = StatementFont::dejavu_sans().unwrap();
        let mut drawing = Drawing::default();
        draw_seal(&mut drawing, &font, [0.0, 0.0], 200.0, 130.0, &seal).unwrap();
        // The placeholder's centre text sits at the seal's centre.
        let specimen = drawing.runs.iter().find(|run| run.text == "MẪU").unwrap();
        let centre = specimen.x + font.text_width("MẪU", specimen.size).unwrap() / 2.0;
        let right = centre + PLACEHOLDER_SEAL_DIAMETER / 2.0;
        assert!((right - (ix0 + (ix1 - ix0) / 3.0)).abs() < 0.5, "{right}");
    }
}
