//! The visible appearance of a signature widget: a form XObject with a border and a few
//! lines of text (ISO 32000-1, 12.5.5 and 12.7.4.5).
//!
//! The appearance uses the standard Helvetica font, which has no Vietnamese glyphs, so
//! text is reduced to ASCII (diacritics dropped, "đ" → "d"). The authoritative, fully
//! accented text is in the document body; the appearance is only a visual hint.

use lopdf::{Dictionary, Object, Stream};

/// Widget appearance size and text, in PDF user space units (points).
#[derive(Clone, Debug, PartialEq)]
pub struct Appearance {
    /// 0-based index of the page that shows the signature.
    pub page_index: usize,
    /// Widget rectangle `[x0, y0, x1, y1]` in default user space of the page (points).
    pub rect: [f32; 4],
    /// Text lines, top to bottom.
    pub lines: Vec<String>,
}

/// Inner margin between the border and the text, in points.
const PADDING: f32 = 3.0;
/// Largest font size used; smaller when the lines do not fit.
const MAX_FONT_SIZE: f32 = 10.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.2;
/// Average Helvetica glyph width as a fraction of the font size, used to shrink long
/// lines (the BBox clips anything that still overflows).
const AVERAGE_GLYPH_WIDTH: f32 = 0.56;
/// Resource name of the font inside the appearance stream.
const FONT_NAME: &[u8] = b"Helv";

/// Builds the normal-appearance form XObject for a widget of `width` × `height` points
/// showing `lines`; an empty, zero-size form when the signature is invisible.
pub(crate) fn appearance_stream(width: f32, height: f32, lines: &[String]) -> Stream {
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    let mut fonts = Dictionary::new();
    fonts.set(FONT_NAME, Object::Dictionary(font));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));

    let mut form = Dictionary::new();
    form.set("Type", Object::Name(b"XObject".to_vec()));
    form.set("Subtype", Object::Name(b"Form".to_vec()));
    form.set(
        "BBox",
        Object::Array(vec![0.into(), 0.into(), width.into(), height.into()]),
    );
    form.set("Resources", Object::Dictionary(resources));

    let content = if width > 0.0 && height > 0.0 {
        content_stream(width, height, lines)
    } else {
        Vec::new()
    };
    Stream::new(form, content)
}

/// A blank appearance for an unsigned signature field (a widget should have one,
/// ISO 32000-2, 12.5.5); the signature that fills the field brings its own.
pub(crate) fn empty_appearance_stream(width: f32, height: f32) -> Stream {
    let mut stream = appearance_stream(width, height, &[]);
    stream.set_content(Vec::new());
    stream
}

/// Border and text operators.
fn content_stream(width: f32, height: f32, lines: &[String]) -> Vec<u8> {
    let lines: Vec<String> = lines
        .iter()
        .map(|line| ascii_for_standard_font(line))
        .collect();
    let mut ops = String::new();
    // A thin black border just inside the box.
    ops.push_str(&format!(
        "q 0.8 w 0 0 0 RG 0.4 0.4 {} {} re S Q\n",
        number(width - 0.8),
        number(height - 0.8)
    ));
    if lines.is_empty() {
        return ops.into_bytes();
    }

    let longest = lines.iter().map(String::len).max().unwrap_or(0).max(1) as f32;
    let by_height = (height - 2.0 * PADDING) / (lines.len() as f32 * LEADING);
    let by_width = (width - 2.0 * PADDING) / (longest * AVERAGE_GLYPH_WIDTH);
    let size = by_height.min(by_width).clamp(1.0, MAX_FONT_SIZE);
    let first_baseline = height - PADDING - size;

    ops.push_str(&format!(
        "BT /{} {} Tf {} TL 0 g {} {} Td\n",
        String::from_utf8_lossy(FONT_NAME),
        number(size),
        number(size * LEADING),
        number(PADDING),
        number(first_baseline)
    ));
    for (index, line) in lines.iter().enumerate() {
        if index > 0 {
            ops.push_str("T* ");
        }
        // Hex strings need no escaping of parentheses or backslashes.
        ops.push('<');
        for byte in line.bytes() {
            ops.push_str(&format!("{byte:02X}"));
        }
        ops.push_str("> Tj\n");
    }
    ops.push_str("ET\n");
    ops.into_bytes()
}

/// A number for a content stream: at most two decimals, no exponent.
fn number(value: f32) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" || text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// Reduces text to printable ASCII for a standard 14 font: Vietnamese letters lose their
/// diacritics, combining marks are dropped, anything else outside ASCII becomes `?`.
pub fn ascii_for_standard_font(text: &str) -> String {
    text.chars()
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
        .map(|c| match c {
            ' '..='~' => c,
            '\t' => ' ',
            other => vietnamese_base_letter(other).unwrap_or('?'),
        })
        .collect()
}

/// The ASCII letter under a precomposed Vietnamese letter.
fn vietnamese_base_letter(c: char) -> Option<char> {
    const GROUPS: [(&str, char); 14] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", 'A'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ÈÉẺẼẸÊỀẾỂỄỆ", 'E'),
        ("ìíỉĩị", 'i'),
        ("ÌÍỈĨỊ", 'I'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", 'O'),
        ("ùúủũụưừứửữự", 'u'),
        ("ÙÚỦŨỤƯỪỨỬỮỰ", 'U'),
        ("ỳýỷỹỵ", 'y'),
        ("ỲÝỶỸỴ", 'Y'),
        ("đ", 'd'),
        ("Đ", 'D'),
    ];
    GROUPS
        .iter()
        .find(|(letters, _)| letters.contains(c))
        .map(|(_, base)| *base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_is_reduced_to_ascii() {
        assert_eq!(
            ascii_for_standard_font("Nguyễn Văn Đức, Ủy ban nhân dân xã"),
            "Nguyen Van Duc, Uy ban nhan dan xa"
        );
        // Decomposed input (NFD) loses its combining marks too.
        assert_eq!(ascii_for_standard_font("Vie\u{0302}\u{0323}t"), "Viet");
        assert_eq!(ascii_for_standard_font("€"), "?");
    }

    #[test]
    fn numbers_have_no_exponent() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-0.004), "0");
        assert_eq!(number(1.0e7), "10000000");
    }
}
