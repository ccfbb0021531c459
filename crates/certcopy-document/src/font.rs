//! The document fonts: DejaVu Sans (the statement and most appearance text) and DejaVu
//! Serif (the organisation's signature information, standing in for the Times New Roman of
//! Decree 30/2020/NĐ-CP, Appendix I, Part II, which cannot be shipped), measured with
//! ttf-parser, subset with subsetter and embedded as a Type0 / CIDFontType2 font with
//! Identity-H encoding, an identity CIDToGIDMap, widths, a Flate-compressed FontFile2 and a
//! ToUnicode CMap, so text extraction (`pdftotext`) returns the Vietnamese text exactly.
//!
//! Both faces carry precomposed glyphs for all Vietnamese letters, so after NFC
//! normalisation one character is one glyph and no shaping is needed.
//!
//! Two writers share the subset: [`StatementFont::write`] for the copy assembled with
//! pdf-writer (the statement page), and [`StatementFont::add_to_lopdf`] for the objects a
//! signature appends in an incremental update (the signature appearances).

use std::collections::BTreeMap;

use lopdf::{Object, ObjectId};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use sha2::{Digest, Sha256};
use ttf_parser::{Face, GlyphId};

use crate::assembly::deflate;

/// Faults of the embedded font.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FontError {
    /// The font has no glyph for a character of the text.
    #[error("no glyph for character {character:?} (U+{:04X})", *character as u32)]
    MissingGlyph {
        /// The character.
        character: char,
    },
    /// The font could not be read or subset (an internal fault).
    #[error("font error: {detail}")]
    Font {
        /// Technical detail (English).
        detail: String,
    },
}

/// The font face used for measuring and, later, subsetting.
pub(crate) struct StatementFont {
    data: &'static [u8],
    face: Face<'static>,
    /// PostScript family name, the part of the subset's BaseFont after the tag.
    family: &'static str,
}

/// References of the objects that make up the embedded font.
pub(crate) struct FontRefs {
    pub type0: Ref,
    pub cid: Ref,
    pub descriptor: Ref,
    pub file: Ref,
    pub to_unicode: Ref,
}

/// A subset ready to write: characters mapped to new glyph ids (= CIDs).
pub(crate) struct FontSubset {
    cid_of: BTreeMap<char, u16>,
    widths: Vec<f32>,
    program: Vec<u8>,
    base_font: String,
}

const SYSTEM_INFO: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

impl StatementFont {
    /// DejaVu Sans regular from the `dejavu` crate.
    pub fn dejavu_sans() -> Result<Self, FontError> {
        Self::from_face_data(dejavu::sans::regular(), "DejaVuSans")
    }

    /// DejaVu Serif regular (upright, normal weight) from the `dejavu` crate: the free
    /// serif used where Decree 30/2020/NĐ-CP, Appendix I, Part II asks for Times New Roman.
    pub fn dejavu_serif() -> Result<Self, FontError> {
        Self::from_face_data(dejavu::serif::regular(), "DejaVuSerif")
    }

    fn from_face_data(data: &'static [u8], family: &'static str) -> Result<Self, FontError> {
        let face = Face::parse(data, 0).map_err(|e| FontError::Font {
            detail: e.to_string(),
        })?;
        Ok(Self { data, face, family })
    }

    /// Whether the font can show `character`.
    pub fn has_glyph(&self, character: char) -> bool {
        self.face.glyph_index(character).is_some()
    }

    fn glyph(&self, character: char) -> Result<GlyphId, FontError> {
        self.face
            .glyph_index(character)
            .ok_or(FontError::MissingGlyph { character })
    }

    /// Advance width of a glyph in thousandths of the font size.
    fn advance(&self, glyph: GlyphId) -> f32 {
        let units = f32::from(self.face.units_per_em().max(1));
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0)) * 1000.0 / units
    }

    /// Width of `text` set at `size` points.
    pub fn text_width(&self, text: &str, size: f32) -> Result<f32, FontError> {
        let mut total = 0.0;
        for c in text.chars() {
            total += self.advance(self.glyph(c)?);
        }
        Ok(total * size / 1000.0)
    }

    fn to_1000(&self, v: i16) -> f32 {
        f32::from(v) * 1000.0 / f32::from(self.face.units_per_em().max(1))
    }

    /// Subset the font to the characters of `texts`.
    pub fn subset<'t>(
        &self,
        texts: impl IntoIterator<Item = &'t str>,
    ) -> Result<FontSubset, FontError> {
        let mut glyph_of: BTreeMap<char, u16> = BTreeMap::new();
        for text in texts {
            for c in text.chars() {
                glyph_of.insert(c, self.glyph(c)?.0);
            }
        }
        let glyphs: Vec<u16> = glyph_of.values().copied().collect();
        let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&glyphs);
        let program = subsetter::subset(self.data, 0, &remapper).map_err(|e| FontError::Font {
            detail: e.to_string(),
        })?;
        let mut cid_of = BTreeMap::new();
        for (&c, &old) in &glyph_of {
            let new = remapper.get(old).ok_or_else(|| FontError::Font {
                detail: format!("glyph {old} lost in subsetting"),
            })?;
            cid_of.insert(c, new);
        }
        let widths = remapper
            .remapped_gids()
            .map(|old| self.advance(GlyphId(old)))
            .collect();
        // Subset tag: six capitals derived from the glyph set (ISO 32000-1, 9.6.4), so the
        // same text gives the same name.
        let digest = Sha256::digest(
            glyphs
                .iter()
                .flat_map(|g| g.to_be_bytes())
                .collect::<Vec<u8>>(),
        );
        let tag: String = digest
            .iter()
            .take(6)
            .map(|b| char::from(b'A' + b % 26))
            .collect();
        Ok(FontSubset {
            cid_of,
            widths,
            program,
            base_font: format!("{tag}+{}", self.family),
        })
    }

    /// Write the font objects.
    pub fn write(&self, pdf: &mut Pdf, refs: &FontRefs, subset: &FontSubset) {
        let base_font = Name(subset.base_font.as_bytes());
        pdf.type0_font(refs.type0)
            .base_font(base_font)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(refs.cid)
            .to_unicode(refs.to_unicode);

        let mut cid = pdf.cid_font(refs.cid);
        cid.subtype(CidFontType::Type2)
            .base_font(base_font)
            .system_info(SYSTEM_INFO)
            .font_descriptor(refs.descriptor)
            .default_width(subset.widths.first().copied().unwrap_or(0.0))
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths().consecutive(0, subset.widths.iter().copied());
        cid.finish();

        let face = &self.face;
        let bbox = face.global_bounding_box();
        let cap_height = face.capital_height().unwrap_or(face.ascender());
        pdf.font_descriptor(refs.descriptor)
            .name(base_font)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                self.to_1000(bbox.x_min),
                self.to_1000(bbox.y_min),
                self.to_1000(bbox.x_max),
                self.to_1000(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(self.to_1000(face.ascender()))
            .descent(self.to_1000(face.descender()))
            .cap_height(self.to_1000(cap_height))
            .stem_v(80.0)
            .font_file2(refs.file);

        let compressed = deflate(&subset.program);
        pdf.stream(refs.file, &compressed)
            .filter(Filter::FlateDecode)
            .pair(
                Name(b"Length1"),
                i32::try_from(subset.program.len()).unwrap_or(i32::MAX),
            );

        let mut cmap = UnicodeCmap::new(Name(b"Adobe-Identity-UCS"), SYSTEM_INFO);
        for (&c, &cid) in &subset.cid_of {
            cmap.pair(cid, c);
        }
        let cmap = deflate(&cmap.finish());
        pdf.cmap(refs.to_unicode, &cmap)
            .name(Name(b"Adobe-Identity-UCS"))
            .system_info(SYSTEM_INFO)
            .filter(Filter::FlateDecode);
    }
}

impl StatementFont {
    /// Adds the font objects for `subset` to `document` (a lopdf incremental update) and
    /// returns the id of the Type0 font, for a resource dictionary. Same structure as
    /// [`StatementFont::write`]: Identity-H, identity CIDToGIDMap, widths, FontFile2 and
    /// ToUnicode, so `pdftotext` extracts the text of an appearance exactly.
    pub fn add_to_lopdf(&self, document: &mut lopdf::Document, subset: &FontSubset) -> ObjectId {
        let compressed = deflate(&subset.program);
        let mut file_dict = lopdf::Dictionary::new();
        file_dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        file_dict.set(
            "Length1",
            Object::Integer(i64::try_from(subset.program.len()).unwrap_or(i64::MAX)),
        );
        let file = document.add_object(Object::Stream(lopdf::Stream::new(file_dict, compressed)));

        let face = &self.face;
        let bbox = face.global_bounding_box();
        let cap_height = face.capital_height().unwrap_or(face.ascender());
        let base_font = Object::Name(subset.base_font.as_bytes().to_vec());
        let real = |v: i16| Object::Real(self.to_1000(v));
        let mut descriptor = lopdf::Dictionary::new();
        descriptor.set("Type", Object::Name(b"FontDescriptor".to_vec()));
        descriptor.set("FontName", base_font.clone());
        descriptor.set(
            "Flags",
            Object::Integer(i64::from(FontFlags::NON_SYMBOLIC.bits())),
        );
        descriptor.set(
            "FontBBox",
            Object::Array(vec![
                real(bbox.x_min),
                real(bbox.y_min),
                real(bbox.x_max),
                real(bbox.y_max),
            ]),
        );
        descriptor.set("ItalicAngle", Object::Integer(0));
        descriptor.set("Ascent", real(face.ascender()));
        descriptor.set("Descent", real(face.descender()));
        descriptor.set("CapHeight", real(cap_height));
        descriptor.set("StemV", Object::Integer(80));
        descriptor.set("FontFile2", Object::Reference(file));
        let descriptor = document.add_object(Object::Dictionary(descriptor));

        let system_info = || {
            let mut info = lopdf::Dictionary::new();
            info.set("Registry", Object::string_literal("Adobe"));
            info.set("Ordering", Object::string_literal("Identity"));
            info.set("Supplement", Object::Integer(0));
            Object::Dictionary(info)
        };
        let mut cid = lopdf::Dictionary::new();
        cid.set("Type", Object::Name(b"Font".to_vec()));
        cid.set("Subtype", Object::Name(b"CIDFontType2".to_vec()));
        cid.set("BaseFont", base_font.clone());
        cid.set("CIDSystemInfo", system_info());
        cid.set("FontDescriptor", Object::Reference(descriptor));
        cid.set(
            "DW",
            Object::Real(subset.widths.first().copied().unwrap_or(0.0)),
        );
        cid.set(
            "W",
            Object::Array(vec![
                Object::Integer(0),
                Object::Array(subset.widths.iter().map(|&w| Object::Real(w)).collect()),
            ]),
        );
        cid.set("CIDToGIDMap", Object::Name(b"Identity".to_vec()));
        let cid = document.add_object(Object::Dictionary(cid));

        let mut cmap = UnicodeCmap::new(Name(b"Adobe-Identity-UCS"), SYSTEM_INFO);
        for (&c, &cid) in &subset.cid_of {
            cmap.pair(cid, c);
        }
        let mut cmap_dict = lopdf::Dictionary::new();
        cmap_dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        let to_unicode = document.add_object(Object::Stream(lopdf::Stream::new(
            cmap_dict,
            deflate(&cmap.finish()),
        )));

        let mut type0 = lopdf::Dictionary::new();
        type0.set("Type", Object::Name(b"Font".to_vec()));
        type0.set("Subtype", Object::Name(b"Type0".to_vec()));
        type0.set("BaseFont", base_font);
        type0.set("Encoding", Object::Name(b"Identity-H".to_vec()));
        type0.set(
            "DescendantFonts",
            Object::Array(vec![Object::Reference(cid)]),
        );
        type0.set("ToUnicode", Object::Reference(to_unicode));
        document.add_object(Object::Dictionary(type0))
    }
}

impl FontSubset {
    /// Encode text as two-byte CIDs (Identity-H). Every character was seen when the subset
    /// was built; an unseen one is an internal fault.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>, FontError> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let cid = self.cid_of.get(&c).ok_or_else(|| FontError::Font {
                detail: format!("{c:?} not in subset"),
            })?;
            out.extend(cid.to_be_bytes());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serif_subset_is_named_and_covers_vietnamese() {
        let text = "Cơ quan: Ủy ban nhân dân phường Bến Nghé";
        let serif = StatementFont::dejavu_serif().unwrap();
        let sans = StatementFont::dejavu_sans().unwrap();
        let subset = serif.subset([text]).unwrap();
        assert!(
            subset.base_font.ends_with("+DejaVuSerif"),
            "{}",
            subset.base_font
        );
        assert!(
            sans.subset([text])
                .unwrap()
                .base_font
                .ends_with("+DejaVuSans")
        );
        assert_eq!(subset.encode(text).unwrap().len(), text.chars().count() * 2);
        // A different face: the serif sets the same line to another width.
        assert_ne!(
            serif.text_width(text, 10.0).unwrap(),
            sans.text_width(text, 10.0).unwrap()
        );
    }
}
