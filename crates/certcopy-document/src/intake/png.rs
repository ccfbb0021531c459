//! PNG intake: header and resolution read from the chunks before anything is inflated,
//! then a bounded decode to 8-bit samples with a separate alpha channel.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader};

use super::jpeg::snap_dpi;
use super::{Dpi, RawColor, RawImage};

const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// What the chunk walk learnt before decoding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PngHeader {
    /// IHDR width (may be absurd: check it before decoding).
    pub width: u32,
    /// IHDR height.
    pub height: u32,
    /// Resolution from pHYs, when the unit is the metre.
    pub density: Option<Dpi>,
}

/// Read IHDR and pHYs without inflating any data (PNG spec §11.2.2, §11.3.5.3).
pub(crate) fn read_png_header(bytes: &[u8]) -> Result<PngHeader, String> {
    let rest = bytes
        .strip_prefix(SIGNATURE)
        .ok_or("missing PNG signature")?;
    let mut chunks = Chunks { rest };
    let (kind, ihdr) = chunks.next().ok_or("missing IHDR chunk")??;
    if kind != *b"IHDR" || ihdr.len() != 13 {
        return Err("first chunk is not a valid IHDR".to_owned());
    }
    let width = u32::from_be_bytes([ihdr[0], ihdr[1], ihdr[2], ihdr[3]]);
    let height = u32::from_be_bytes([ihdr[4], ihdr[5], ihdr[6], ihdr[7]]);
    if width == 0 || height == 0 {
        return Err("zero width or height".to_owned());
    }
    let mut density = None;
    for chunk in chunks {
        let (kind, data) = chunk?;
        match &kind {
            // Only one pHYs is allowed; the first one counts.
            b"pHYs" if density.is_none() && data.len() == 9 && data[8] == 1 => {
                let x = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as f32;
                let y = u32::from_be_bytes([data[4], data[5], data[6], data[7]]) as f32;
                if x > 0.0 && y > 0.0 {
                    density = Some(Dpi {
                        x: snap_dpi(x * 0.0254),
                        y: snap_dpi(y * 0.0254),
                    });
                }
            }
            // pHYs must precede the image data; stop before walking megabytes of IDAT.
            b"IDAT" | b"IEND" => break,
            _ => {}
        }
    }
    Ok(PngHeader {
        width,
        height,
        density,
    })
}

/// Iterator over (type, data) of PNG chunks, bounds-checked.
struct Chunks<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Result<([u8; 4], &'a [u8]), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let Some(&[l0, l1, l2, l3, t0, t1, t2, t3]) = self.rest.get(..8) else {
            self.rest = &[];
            return Some(Err("truncated chunk header".to_owned()));
        };
        let len = u32::from_be_bytes([l0, l1, l2, l3]) as usize;
        let Some(data) = self.rest.get(8..8 + len) else {
            self.rest = &[];
            return Some(Err("truncated chunk".to_owned()));
        };
        // Skip the CRC; the decoder verifies it.
        self.rest = self.rest.get(8 + len + 4..).unwrap_or(&[]);
        Some(Ok(([t0, t1, t2, t3], data)))
    }
}

/// Decode a PNG whose header has been checked against the limits.
///
/// `max_decoded_bytes` bounds the decoder's allocations, so a file whose compressed data
/// inflates beyond what its (already accepted) header implies is stopped.
pub(crate) fn decode_png(
    bytes: &[u8],
    header: &PngHeader,
    max_decoded_bytes: u64,
) -> Result<RawImage, String> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(header.width);
    limits.max_image_height = Some(header.height);
    limits.max_alloc = Some(max_decoded_bytes);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| e.to_string())?;
    Ok(raw_image_from(decoded))
}

/// Convert any decoded image to 8-bit gray or RGB samples plus an optional alpha plane.
/// 16-bit samples are scaled to 8 bits, palettes are expanded by the decoder; an alpha
/// channel that is fully opaque is dropped.
pub(crate) fn raw_image_from(decoded: DynamicImage) -> RawImage {
    let (color, samples, alpha) = match decoded {
        DynamicImage::ImageLuma8(gray) => (RawColor::Gray, gray.into_raw(), None),
        DynamicImage::ImageRgb8(rgb) => (RawColor::Rgb, rgb.into_raw(), None),
        DynamicImage::ImageLuma16(_) => (RawColor::Gray, decoded.to_luma8().into_raw(), None),
        DynamicImage::ImageRgb16(_) | DynamicImage::ImageRgb32F(_) => {
            (RawColor::Rgb, decoded.to_rgb8().into_raw(), None)
        }
        DynamicImage::ImageLumaA8(_) | DynamicImage::ImageLumaA16(_) => {
            let gray_alpha = decoded.to_luma_alpha8().into_raw();
            let (samples, alpha) = split_alpha(&gray_alpha, 1);
            (RawColor::Gray, samples, Some(alpha))
        }
        other => {
            let rgba = other.to_rgba8().into_raw();
            let (samples, alpha) = split_alpha(&rgba, 3);
            (RawColor::Rgb, samples, Some(alpha))
        }
    };
    let alpha = alpha.filter(|a| a.iter().any(|&v| v != 255));
    RawImage {
        color,
        samples,
        alpha,
    }
}

fn split_alpha(interleaved: &[u8], color_channels: usize) -> (Vec<u8>, Vec<u8>) {
    let stride = color_channels + 1;
    let pixels = interleaved.len() / stride;
    let mut samples = Vec::with_capacity(pixels * color_channels);
    let mut alpha = Vec::with_capacity(pixels);
    for px in interleaved.chunks_exact(stride) {
        samples.extend_from_slice(&px[..color_channels]);
        alpha.push(px[color_channels]);
    }
    (samples, alpha)
}
