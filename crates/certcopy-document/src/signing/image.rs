//! Images of a signature appearance: the official's handwritten signature and the office's
//! seal, as PNG files (Decree 30/2020/NĐ-CP, Appendix I: both are PNG images with a
//! transparent background).
//!
//! [`AppearanceImage::from_png`] is the one check of an uploaded image, used by the service
//! when an admin uploads one and again when a copy is signed: the bytes must be a PNG within
//! [`ImageLimits`], decode fully, and, for a signature, carry an alpha channel. In the PDF
//! the image becomes an Image XObject (RGB, Flate) with a soft mask (`/SMask`, DeviceGray)
//! holding its transparency (ISO 32000-1, 11.6.5.3).

use std::io::Cursor;

use lopdf::{Dictionary, Object, ObjectId, Stream};

use crate::assembly::deflate;

/// The eight bytes every PNG file starts with (ISO/IEC 15948, 5.2).
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Resolution assumed for an image that does not state its own (`pHYs`): 300 dpi, the
/// usual resolution of a scanned seal or signature.
const DEFAULT_DOTS_PER_METRE: u32 = 11_811;

/// PDF points per metre (72 per inch).
const POINTS_PER_METRE: f32 = 72.0 / 0.0254;

/// Bounds an image must keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageLimits {
    /// Largest file, in bytes.
    pub max_bytes: usize,
    /// Largest width or height, in pixels.
    pub max_side: u32,
    /// Smallest width or height, in pixels.
    pub min_side: u32,
}

impl Default for ImageLimits {
    /// 1 MiB, 16 to 2,000 pixels a side: a seal scanned at 600 dpi is about 1,000 pixels
    /// across.
    fn default() -> Self {
        ImageLimits {
            max_bytes: 1024 * 1024,
            max_side: 2000,
            min_side: 16,
        }
    }
}

/// Why an image is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The bytes are not a PNG file.
    #[error("not a PNG image")]
    NotPng,
    /// The file is larger than allowed.
    #[error("image of {size} bytes is over the limit of {max} bytes")]
    TooLarge {
        /// Size of the file.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The PNG does not decode.
    #[error("the PNG image does not decode: {detail}")]
    Undecodable {
        /// The decoder's message.
        detail: String,
    },
    /// Width or height is outside the limits.
    #[error("image of {width}×{height} pixels; each side must be {min} to {max} pixels")]
    Dimensions {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Smallest side allowed.
        min: u32,
        /// Largest side allowed.
        max: u32,
    },
    /// A signature image must have a transparent background (an alpha channel).
    #[error("the image has no alpha channel (transparent background)")]
    NoAlpha,
}

/// A decoded image: 8-bit RGB samples and 8-bit alpha, row by row.
#[derive(Clone, PartialEq, Eq)]
pub struct AppearanceImage {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    alpha: Vec<u8>,
    dots_per_metre: Option<(u32, u32)>,
}

impl std::fmt::Debug for AppearanceImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppearanceImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("dots_per_metre", &self.dots_per_metre)
            .finish_non_exhaustive()
    }
}

impl AppearanceImage {
    /// Decodes and checks a PNG. `require_alpha`: refuse an image without an alpha channel
    /// (or `tRNS` transparency), as a signature image must be transparent.
    pub fn from_png(
        bytes: &[u8],
        limits: &ImageLimits,
        require_alpha: bool,
    ) -> Result<Self, ImageError> {
        if bytes.len() > limits.max_bytes {
            return Err(ImageError::TooLarge {
                size: bytes.len(),
                max: limits.max_bytes,
            });
        }
        if !bytes.starts_with(PNG_SIGNATURE) {
            return Err(ImageError::NotPng);
        }
        let undecodable = |e: png::DecodingError| ImageError::Undecodable {
            detail: e.to_string(),
        };
        let max_side = u64::from(limits.max_side);
        // Room for the decoded frame (at most 16-bit RGBA) and the decoder's buffers.
        let budget = max_side * max_side * 8 + 1024 * 1024;
        let mut decoder = png::Decoder::new_with_limits(
            Cursor::new(bytes),
            png::Limits {
                bytes: usize::try_from(budget).unwrap_or(usize::MAX),
            },
        );
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let header = decoder.read_header_info().map_err(undecodable)?;
        let (width, height) = (header.width, header.height);
        if width < limits.min_side
            || height < limits.min_side
            || width > limits.max_side
            || height > limits.max_side
        {
            return Err(ImageError::Dimensions {
                width,
                height,
                min: limits.min_side,
                max: limits.max_side,
            });
        }
        let mut reader = decoder.read_info().map_err(undecodable)?;
        let dots_per_metre = reader
            .info()
            .pixel_dims
            .filter(|dims| dims.unit == png::Unit::Meter && dims.xppu > 0 && dims.yppu > 0)
            .map(|dims| (dims.xppu, dims.yppu));
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| ImageError::Undecodable {
                detail: "image too large to decode".to_owned(),
            })?;
        let mut frame = vec![0; size];
        let info = reader.next_frame(&mut frame).map_err(undecodable)?;
        frame.truncate(info.buffer_size());
        let channels = match info.color_type {
            png::ColorType::Grayscale => 1,
            png::ColorType::GrayscaleAlpha => 2,
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            png::ColorType::Indexed => {
                return Err(ImageError::Undecodable {
                    detail: "palette not expanded".to_owned(),
                });
            }
        };
        let has_alpha = channels == 2 || channels == 4;
        if require_alpha && !has_alpha {
            return Err(ImageError::NoAlpha);
        }
        let pixels = usize::try_from(u64::from(width) * u64::from(height)).map_err(|_| {
            ImageError::Undecodable {
                detail: "image too large".to_owned(),
            }
        })?;
        if info.bit_depth != png::BitDepth::Eight || frame.len() != pixels * channels {
            return Err(ImageError::Undecodable {
                detail: "unexpected sample layout".to_owned(),
            });
        }
        let mut rgb = Vec::with_capacity(pixels * 3);
        let mut alpha = Vec::with_capacity(pixels);
        for pixel in frame.chunks_exact(channels) {
            match pixel {
                [gray] => {
                    rgb.extend([*gray; 3]);
                    alpha.push(255);
                }
                [gray, a] => {
                    rgb.extend([*gray; 3]);
                    alpha.push(*a);
                }
                [r, g, b] => {
                    rgb.extend([*r, *g, *b]);
                    alpha.push(255);
                }
                [r, g, b, a] => {
                    rgb.extend([*r, *g, *b]);
                    alpha.push(*a);
                }
                _ => {}
            }
        }
        Ok(AppearanceImage {
            width,
            height,
            rgb,
            alpha,
            dots_per_metre,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Whether the image states its resolution (`pHYs` in pixels per metre).
    pub fn has_resolution(&self) -> bool {
        self.dots_per_metre.is_some()
    }

    /// Size on paper in points: from the image's own resolution, else 300 dpi.
    pub fn real_size(&self) -> (f32, f32) {
        let (x, y) = self
            .dots_per_metre
            .unwrap_or((DEFAULT_DOTS_PER_METRE, DEFAULT_DOTS_PER_METRE));
        (
            self.width as f32 / x as f32 * POINTS_PER_METRE,
            self.height as f32 / y as f32 * POINTS_PER_METRE,
        )
    }

    /// The same image in one ink colour: every pixel takes `ink`, and its opacity is its
    /// own alpha times how much ink it holds (`255 - min(r, g, b)`: white paper vanishes,
    /// red, blue or black ink stays). A seal is shown red and a signature blue this way
    /// (Decree 30/2020, Appendix I), whether the file is a mark on transparency or a scan
    /// on white paper.
    pub fn in_ink(&self, ink: [u8; 3]) -> AppearanceImage {
        let alpha = self
            .rgb
            .chunks_exact(3)
            .zip(&self.alpha)
            .map(|(pixel, &a)| {
                let amount = 255 - pixel.iter().copied().min().unwrap_or(255);
                // Both factors are at most 255, so the product divided by 255 fits a byte.
                u8::try_from(u16::from(a) * u16::from(amount) / 255).unwrap_or(u8::MAX)
            })
            .collect::<Vec<u8>>();
        AppearanceImage {
            width: self.width,
            height: self.height,
            rgb: ink.repeat(alpha.len()),
            alpha,
            dots_per_metre: self.dots_per_metre,
        }
    }

    /// Adds the Image XObject and its soft mask to `document`; returns the image's id.
    pub(crate) fn add_to_lopdf(&self, document: &mut lopdf::Document) -> ObjectId {
        let image_dict = |color_space: &[u8]| {
            let mut dict = Dictionary::new();
            dict.set("Type", Object::Name(b"XObject".to_vec()));
            dict.set("Subtype", Object::Name(b"Image".to_vec()));
            dict.set("Width", Object::Integer(i64::from(self.width)));
            dict.set("Height", Object::Integer(i64::from(self.height)));
            dict.set("ColorSpace", Object::Name(color_space.to_vec()));
            dict.set("BitsPerComponent", Object::Integer(8));
            dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            dict
        };
        let mask = document.add_object(Object::Stream(Stream::new(
            image_dict(b"DeviceGray"),
            deflate(&self.alpha),
        )));
        let mut image = image_dict(b"DeviceRGB");
        image.set("SMask", Object::Reference(mask));
        document.add_object(Object::Stream(Stream::new(image, deflate(&self.rgb))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, color: png::ColorType, samples: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(samples).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn transparent_png_is_read_with_its_alpha() {
        let samples: Vec<u8> = (0..32 * 16)
            .flat_map(|i| [0, 0, 200, (i % 256) as u8])
            .collect();
        let bytes = png(32, 16, png::ColorType::Rgba, &samples);
        let image = AppearanceImage::from_png(&bytes, &ImageLimits::default(), true).unwrap();
        assert_eq!((image.width(), image.height()), (32, 16));
        assert_eq!(image.alpha[5], 5);
        assert!(!image.has_resolution());
        let (w, h) = image.real_size();
        assert!((w - 32.0 * 72.0 / 300.0).abs() < 0.1 && (h - 16.0 * 72.0 / 300.0).abs() < 0.1);
    }

    #[test]
    fn refusals() {
        let limits = ImageLimits::default();
        let opaque = png(20, 20, png::ColorType::Rgb, &[255; 20 * 20 * 3]);
        assert_eq!(
            AppearanceImage::from_png(&opaque, &limits, true),
            Err(ImageError::NoAlpha)
        );
        assert!(AppearanceImage::from_png(&opaque, &limits, false).is_ok());
        assert_eq!(
            AppearanceImage::from_png(b"GIF89a....", &limits, false),
            Err(ImageError::NotPng)
        );
        let tiny = png(4, 4, png::ColorType::Rgba, &[0; 4 * 4 * 4]);
        assert!(matches!(
            AppearanceImage::from_png(&tiny, &limits, true),
            Err(ImageError::Dimensions { .. })
        ));
        let mut truncated = opaque.clone();
        truncated.truncate(opaque.len() - 20);
        assert!(matches!(
            AppearanceImage::from_png(&truncated, &limits, false),
            Err(ImageError::Undecodable { .. })
        ));
        let big = vec![0; limits.max_bytes + 1];
        assert!(matches!(
            AppearanceImage::from_png(&big, &limits, false),
            Err(ImageError::TooLarge { .. })
        ));
    }

    #[test]
    fn ink_keeps_marks_and_drops_paper() {
        let samples = [255, 255, 255, 0, 0, 0, 220, 30, 40, 255, 255, 255];
        let bytes = png(2, 2, png::ColorType::Rgb, &samples);
        let limits = ImageLimits {
            min_side: 1,
            ..ImageLimits::default()
        };
        let red = AppearanceImage::from_png(&bytes, &limits, false)
            .unwrap()
            .in_ink([200, 0, 0]);
        assert_eq!(red.alpha, vec![0, 255, 225, 0]);
        assert_eq!(&red.rgb[..3], &[200, 0, 0]);
    }
}
