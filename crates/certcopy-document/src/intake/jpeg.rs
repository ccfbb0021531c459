//! JPEG structure check (ITU-T T.81 markers) without decoding the pixels.
//!
//! A JPEG is passed through to the PDF unchanged (DCTDecode), so it must be complete and
//! of a kind every PDF reader decodes: SOI, one baseline/extended/progressive Huffman
//! frame header (SOF0/1/2) with 8-bit samples and 1, 3 or 4 components, at least one scan
//! (SOS) whose entropy-coded data is walked to its end, and EOI. The resolution comes from
//! the JFIF APP0 density or, failing that, the EXIF APP1 X/YResolution.

use super::Dpi;

/// What the marker walk learnt about a JPEG stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct JpegHeader {
    /// Frame width in pixels (SOF).
    pub width: u32,
    /// Frame height in pixels (SOF).
    pub height: u32,
    /// Number of colour components (1, 3 or 4).
    pub components: u8,
    /// Declared resolution, `None` when the file declares none (or only an aspect ratio).
    pub density: Option<Dpi>,
    /// The APP14 "Adobe" transform flag, if that segment is present.
    pub adobe_transform: Option<u8>,
}

/// Why a JPEG stream is not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JpegProblem {
    /// The stream ends before EOI.
    Truncated(&'static str),
    /// The stream is malformed.
    Corrupt(&'static str),
    /// Well-formed, but not something DCTDecode carries.
    Unsupported(&'static str),
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;

/// Walk the marker segments of `bytes` and check the stream is a complete JPEG.
pub(crate) fn parse_jpeg(bytes: &[u8]) -> Result<JpegHeader, JpegProblem> {
    if bytes.len() < 2 || bytes[0] != 0xFF || bytes[1] != SOI {
        return Err(JpegProblem::Corrupt("missing start-of-image marker"));
    }
    let mut pos = 2usize;
    let mut frame: Option<(u32, u32, u8)> = None;
    let mut saw_scan = false;
    let mut jfif_density: Option<Dpi> = None;
    let mut exif_density: Option<Dpi> = None;
    let mut adobe_transform = None;

    loop {
        // Every segment starts with 0xFF, possibly preceded by fill bytes 0xFF.
        match bytes.get(pos) {
            None => {
                return Err(JpegProblem::Truncated(
                    "stream ends before end-of-image marker",
                ));
            }
            Some(0xFF) => {}
            Some(_) => return Err(JpegProblem::Corrupt("expected a marker")),
        }
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            return Err(JpegProblem::Truncated("stream ends inside a marker"));
        };
        pos += 1;
        match marker {
            EOI => break,
            SOI => return Err(JpegProblem::Corrupt("second start-of-image marker")),
            // Stand-alone markers without a length.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let segment_len = match bytes.get(pos..pos + 2) {
            Some(b) => usize::from(u16::from_be_bytes([b[0], b[1]])),
            None => {
                return Err(JpegProblem::Truncated(
                    "stream ends inside a segment length",
                ));
            }
        };
        if segment_len < 2 {
            return Err(JpegProblem::Corrupt("segment length below 2"));
        }
        let Some(segment) = bytes.get(pos + 2..pos + segment_len) else {
            return Err(JpegProblem::Truncated(
                "stream ends inside a marker segment",
            ));
        };
        pos += segment_len;
        match marker {
            0xC0..=0xC2 => {
                if frame.is_some() {
                    return Err(JpegProblem::Corrupt("more than one frame header"));
                }
                frame = Some(parse_frame_header(segment)?);
            }
            0xC3 | 0xC5..=0xC7 => {
                return Err(JpegProblem::Unsupported("lossless or hierarchical JPEG"));
            }
            0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(JpegProblem::Unsupported("arithmetic-coded JPEG"));
            }
            0xE0 => {
                if let Some(d) = jfif_density_of(segment) {
                    jfif_density = Some(d);
                }
            }
            0xE1 => {
                if let Some(d) = exif_density_of(segment) {
                    exif_density = Some(d);
                }
            }
            0xEE if segment.len() >= 12 && segment.starts_with(b"Adobe") => {
                adobe_transform = Some(segment[11]);
            }
            SOS => {
                if frame.is_none() {
                    return Err(JpegProblem::Corrupt("scan before frame header"));
                }
                saw_scan = true;
                pos = end_of_entropy_data(bytes, pos)?;
            }
            _ => {}
        }
    }

    let Some((width, height, components)) = frame else {
        return Err(JpegProblem::Corrupt("no frame header (SOF)"));
    };
    if !saw_scan {
        return Err(JpegProblem::Corrupt("no scan (SOS) before end-of-image"));
    }
    Ok(JpegHeader {
        width,
        height,
        components,
        density: jfif_density.or(exif_density),
        adobe_transform,
    })
}

/// SOF0/1/2: precision, height, width, component count.
fn parse_frame_header(segment: &[u8]) -> Result<(u32, u32, u8), JpegProblem> {
    let [precision, h0, h1, w0, w1, components, ..] = *segment else {
        return Err(JpegProblem::Corrupt("frame header too short"));
    };
    if precision != 8 {
        return Err(JpegProblem::Unsupported(
            "sample precision other than 8 bits",
        ));
    }
    let height = u32::from(u16::from_be_bytes([h0, h1]));
    let width = u32::from(u16::from_be_bytes([w0, w1]));
    if width == 0 {
        return Err(JpegProblem::Corrupt("frame width 0"));
    }
    if height == 0 {
        // Height defined later by a DNL marker: legal but rare, and readers disagree.
        return Err(JpegProblem::Unsupported("height defined by DNL marker"));
    }
    if !matches!(components, 1 | 3 | 4) {
        return Err(JpegProblem::Unsupported(
            "component count other than 1, 3 or 4",
        ));
    }
    if segment.len() < 6 + 3 * usize::from(components) {
        return Err(JpegProblem::Corrupt(
            "frame header too short for its components",
        ));
    }
    Ok((width, height, components))
}

/// Skip entropy-coded data after a scan header; returns the position of the next marker.
fn end_of_entropy_data(bytes: &[u8], mut pos: usize) -> Result<usize, JpegProblem> {
    loop {
        let Some(offset) = bytes.get(pos..).and_then(|rest| memchr::memchr(0xFF, rest)) else {
            return Err(JpegProblem::Truncated("entropy-coded data cut off"));
        };
        pos += offset;
        match bytes.get(pos + 1) {
            None => return Err(JpegProblem::Truncated("entropy-coded data cut off")),
            // Stuffed zero byte, restart marker, or fill byte: still inside the scan.
            Some(0x00) | Some(0xD0..=0xD7) => pos += 2,
            Some(0xFF) => pos += 1,
            Some(_) => return Ok(pos),
        }
    }
}

/// JFIF APP0: units (1 = dots per inch, 2 = dots per cm) and X/Y density.
fn jfif_density_of(segment: &[u8]) -> Option<Dpi> {
    if segment.len() < 12 || !segment.starts_with(b"JFIF\0") {
        return None;
    }
    let units = segment[7];
    let x = f32::from(u16::from_be_bytes([segment[8], segment[9]]));
    let y = f32::from(u16::from_be_bytes([segment[10], segment[11]]));
    density_from_units(units_per_inch_jfif(units)?, x, y)
}

fn units_per_inch_jfif(units: u8) -> Option<f32> {
    match units {
        1 => Some(1.0),
        2 => Some(2.54),
        _ => None,
    }
}

fn density_from_units(factor: f32, x: f32, y: f32) -> Option<Dpi> {
    if x <= 0.0 || y <= 0.0 || !x.is_finite() || !y.is_finite() {
        return None;
    }
    Some(Dpi {
        x: snap_dpi(x * factor),
        y: snap_dpi(y * factor),
    })
}

/// Unit conversions (dots per cm or per metre) cannot state 300 dpi exactly; snap values
/// within 0.05 of a whole number to it so pages keep their nominal size.
pub(crate) fn snap_dpi(dpi: f32) -> f32 {
    let whole = dpi.round();
    if (dpi - whole).abs() < 0.05 {
        whole
    } else {
        dpi
    }
}

/// EXIF APP1: TIFF IFD0 XResolution (282), YResolution (283), ResolutionUnit (296).
fn exif_density_of(segment: &[u8]) -> Option<Dpi> {
    let tiff = segment.strip_prefix(b"Exif\0\0")?;
    let big_endian = match tiff.get(0..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b = tiff.get(at..at.checked_add(2)?)?;
        Some(if big_endian {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b = tiff.get(at..at.checked_add(4)?)?;
        let a = [b[0], b[1], b[2], b[3]];
        Some(if big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let entries = usize::from(u16_at(ifd)?);
    let rational = |value_offset: u32| -> Option<f32> {
        let at = usize::try_from(value_offset).ok()?;
        let num = u32_at(at)?;
        let den = u32_at(at.checked_add(4)?)?;
        (den != 0).then(|| num as f32 / den as f32)
    };
    let (mut x, mut y, mut unit) = (None, None, 2u16);
    for i in 0..entries.min(256) {
        let entry = ifd.checked_add(2)?.checked_add(i.checked_mul(12)?)?;
        let tag = u16_at(entry)?;
        let kind = u16_at(entry + 2)?;
        match (tag, kind) {
            (282, 5) => x = rational(u32_at(entry + 8)?),
            (283, 5) => y = rational(u32_at(entry + 8)?),
            (296, 3) => unit = u16_at(entry + 8)?,
            _ => {}
        }
    }
    let factor = match unit {
        2 => 1.0,
        3 => 2.54,
        _ => return None,
    };
    density_from_units(factor, x?, y?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal_jpeg() -> Vec<u8> {
        let mut out = Vec::new();
        let image = image::GrayImage::from_pixel(16, 8, image::Luma([200u8]));
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
        enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(200));
        enc.encode_image(&image)
            .expect("in-memory JPEG encoding of a fixed image");
        out
    }

    #[test]
    fn reads_dimensions_and_density() {
        let header = parse_jpeg(&minimal_jpeg()).expect("valid jpeg");
        assert_eq!((header.width, header.height, header.components), (16, 8, 1));
        assert_eq!(header.density, Some(Dpi { x: 200.0, y: 200.0 }));
    }

    #[test]
    fn every_prefix_is_refused() {
        let jpeg = minimal_jpeg();
        for cut in 0..jpeg.len() {
            assert!(
                parse_jpeg(&jpeg[..cut]).is_err(),
                "prefix of {cut} bytes accepted"
            );
        }
    }

    #[test]
    fn exif_resolution_in_centimetres() {
        // Little-endian TIFF with XResolution/YResolution 118/1 per cm and unit 3.
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend(3u16.to_le_bytes());
        let data_at = 8 + 2 + 3 * 12 + 4;
        for (tag, kind, value) in [
            (282u16, 5u16, data_at as u32),
            (283, 5, data_at as u32 + 8),
            (296, 3, 3),
        ] {
            tiff.extend(tag.to_le_bytes());
            tiff.extend(kind.to_le_bytes());
            tiff.extend(1u32.to_le_bytes());
            tiff.extend(value.to_le_bytes());
        }
        tiff.extend(0u32.to_le_bytes());
        for _ in 0..2 {
            tiff.extend(118u32.to_le_bytes());
            tiff.extend(1u32.to_le_bytes());
        }
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend(tiff);
        let dpi = exif_density_of(&segment).expect("density");
        assert!(
            (dpi.x - 299.72).abs() < 0.01 && (dpi.y - 299.72).abs() < 0.01,
            "{dpi:?}"
        );
    }
}
