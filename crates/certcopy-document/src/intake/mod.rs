//! Intake of scanned originals: upload limits, format sniffing, page extraction and page
//! digests.
//!
//! The clerk scans the original (Decree 23/2015/NĐ-CP, Art. 20: the copy carries every
//! page of the original that holds information). [`read_scans`] accepts JPEG, PNG, and
//! scanner-style PDF files (each page exactly one image), always recognised from their
//! bytes, never from the file name. Anything else is refused with an [`IntakeError`] that
//! names the file and page and carries Vietnamese and English messages.
//!
//! Each [`ScanPage`] keeps what [`crate::assembly`] needs to reproduce the page at its
//! true size: pixel size, resolution, and either the original JPEG bytes (passed through
//! to the PDF unchanged) or decoded 8-bit samples with a separate alpha plane.

mod error;
mod jpeg;
mod pdf;
mod png;
#[cfg(any(test, feature = "test-support"))]
pub mod synthetic;
mod thumbnail;

use sha2::{Digest, Sha256};

pub use error::IntakeError;
use jpeg::{JpegProblem, parse_jpeg};
pub use thumbnail::{ThumbnailError, thumbnail_jpeg};

/// Resolution used when a file declares none (JFIF/EXIF/pHYs absent or aspect-only):
/// the usual document-scanner setting.
pub const DEFAULT_DPI: f32 = 300.0;

/// Upload limits. Checked before any expensive work: file size first, then declared pixel
/// size (before decoding), then page count and resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes (default 50 MiB).
    pub max_file_bytes: u64,
    /// Most pages in one upload, over all files (default 100).
    pub max_pages: u32,
    /// Highest accepted scan resolution in dots per inch (default 600).
    pub max_dpi: u32,
    /// Longest accepted image side in pixels (default 10 000).
    pub max_side_px: u32,
    /// Lowest accepted declared resolution (default 72 dpi). Below it a page would print
    /// larger than the 200-inch PDF page limit allows for `max_side_px`, and the
    /// declaration is almost certainly wrong.
    pub min_dpi: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 50 * 1024 * 1024,
            max_pages: 100,
            max_dpi: 600,
            max_side_px: 10_000,
            min_dpi: 72,
        }
    }
}

/// One uploaded file, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanFile {
    /// The name the file was uploaded with (only used in messages).
    pub name: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// A file format recognised from its leading bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanFormat {
    /// JPEG (starts `FF D8 FF`).
    Jpeg,
    /// PNG (8-byte PNG signature).
    Png,
    /// PDF (`%PDF-` within the first 1024 bytes, as readers allow).
    Pdf,
}

/// Recognise the format from magic bytes; the file name is never consulted.
pub fn sniff_format(bytes: &[u8]) -> Option<ScanFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ScanFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ScanFormat::Png)
    } else if bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        Some(ScanFormat::Pdf)
    } else {
        None
    }
}

/// Resolution of a page in dots per inch, per axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dpi {
    /// Horizontal resolution.
    pub x: f32,
    /// Vertical resolution.
    pub y: f32,
}

/// One scanned page, ready for assembly.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanPage {
    /// The uploaded file the page came from.
    pub source_file: String,
    /// 1-based page number inside that file.
    pub page_in_file: u32,
    /// Width in pixels.
    pub width_px: u32,
    /// Height in pixels.
    pub height_px: u32,
    /// Resolution; the page prints at `width_px / dpi.x` by `height_px / dpi.y` inches.
    pub dpi: Dpi,
    /// The pixels.
    pub image: PageImage,
    /// SHA-256 of the page's source bytes: the whole file for JPEG and PNG uploads, the
    /// image stream's encoded bytes for a PDF page.
    pub source_sha256: [u8; 32],
}

/// The pixels of a page.
#[derive(Debug, Clone, PartialEq)]
pub enum PageImage {
    /// A JPEG stream, kept byte for byte and embedded as DCTDecode.
    Jpeg(JpegImage),
    /// Decoded 8-bit samples, embedded with Flate.
    Raw(RawImage),
}

/// A validated JPEG stream (SOI, SOF0/1/2, SOS, EOI present).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JpegImage {
    /// The original bytes, unchanged.
    pub bytes: Vec<u8>,
    /// Colour components: 1 gray, 3 RGB (YCbCr), 4 CMYK (or YCCK).
    pub components: u8,
    /// Transform flag of an APP14 "Adobe" segment, if present. Adobe writes CMYK JPEGs
    /// with inverted samples; assembly sets `/Decode [1 0 1 0 1 0 1 0]` for them.
    pub adobe_transform: Option<u8>,
}

/// Decoded pixels, 8 bits per sample, rows top to bottom, no padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawImage {
    /// Colour of `samples`.
    pub color: RawColor,
    /// Interleaved samples, `width * height * channels` bytes.
    pub samples: Vec<u8>,
    /// Separate alpha plane (`width * height` bytes), only if some pixel is not opaque.
    pub alpha: Option<Vec<u8>>,
}

/// Colour space of decoded samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawColor {
    /// One gray sample per pixel (DeviceGray).
    Gray,
    /// Three samples per pixel (DeviceRGB).
    Rgb,
}

impl RawColor {
    /// Samples per pixel.
    pub fn channels(self) -> usize {
        match self {
            Self::Gray => 1,
            Self::Rgb => 3,
        }
    }
}

/// Read uploaded scan files into pages, in upload order.
///
/// Refuses (with the file and page named): no pages, too many pages, a file over the size
/// limit, an unknown format, a truncated or corrupt JPEG, a PNG whose declared size
/// exceeds the limits (checked before decoding) or that inflates beyond it, a resolution
/// outside the limits, and a PDF that is encrypted or is not a plain scan.
pub fn read_scans(files: &[ScanFile], limits: &Limits) -> Result<Vec<ScanPage>, IntakeError> {
    read_scans_owned(files.to_vec(), limits)
}

/// [`read_scans`] taking the files by value: a JPEG's bytes move into its page instead of
/// being copied, so a 50 MB upload is held once, not twice.
pub fn read_scans_owned(
    files: Vec<ScanFile>,
    limits: &Limits,
) -> Result<Vec<ScanPage>, IntakeError> {
    let mut pages: Vec<ScanPage> = Vec::new();
    for file in files {
        let name = file.name.as_str();
        let size = file.bytes.len() as u64;
        if size > limits.max_file_bytes {
            return Err(IntakeError::FileTooLarge {
                file: name.to_owned(),
                size,
                max: limits.max_file_bytes,
            });
        }
        if file.bytes.is_empty() {
            return Err(IntakeError::EmptyFile {
                file: name.to_owned(),
            });
        }
        let pages_before = u32::try_from(pages.len()).unwrap_or(u32::MAX);
        match sniff_format(&file.bytes) {
            Some(ScanFormat::Jpeg) => {
                check_room_for_one(name, pages_before, limits)?;
                pages.push(read_jpeg_file(name, file.bytes, limits)?);
            }
            Some(ScanFormat::Png) => {
                check_room_for_one(name, pages_before, limits)?;
                pages.push(read_png_file(name, &file.bytes, limits)?);
            }
            Some(ScanFormat::Pdf) => pages.extend(pdf::read_pdf_pages(
                name,
                &file.bytes,
                limits,
                pages_before,
            )?),
            None => {
                return Err(IntakeError::UnsupportedFormat {
                    file: name.to_owned(),
                });
            }
        }
    }
    if pages.is_empty() {
        return Err(IntakeError::NoPages { file: None });
    }
    Ok(pages)
}

fn check_room_for_one(file: &str, pages_before: u32, limits: &Limits) -> Result<(), IntakeError> {
    if pages_before >= limits.max_pages {
        return Err(IntakeError::TooManyPages {
            file: file.to_owned(),
            max: limits.max_pages,
        });
    }
    Ok(())
}

/// The resolution of a one-page image file (its declared density, or the default when it
/// declares none), once its size and resolution are within the limits.
fn check_image_file_geometry(
    name: &str,
    width: u32,
    height: u32,
    density: Option<Dpi>,
    limits: &Limits,
) -> Result<Dpi, IntakeError> {
    let dpi = density.unwrap_or(Dpi {
        x: DEFAULT_DPI,
        y: DEFAULT_DPI,
    });
    check_page_geometry(name, 1, u64::from(width), u64::from(height), dpi, limits)?;
    Ok(dpi)
}

fn read_jpeg_file(name: &str, bytes: Vec<u8>, limits: &Limits) -> Result<ScanPage, IntakeError> {
    let header = parse_jpeg(&bytes).map_err(|p| jpeg_error(name, 1, p))?;
    let dpi = check_image_file_geometry(name, header.width, header.height, header.density, limits)?;
    let source_sha256 = Sha256::digest(&bytes).into();
    Ok(ScanPage {
        source_file: name.to_owned(),
        page_in_file: 1,
        width_px: header.width,
        height_px: header.height,
        dpi,
        image: PageImage::Jpeg(JpegImage {
            bytes,
            components: header.components,
            adobe_transform: header.adobe_transform,
        }),
        source_sha256,
    })
}

fn read_png_file(name: &str, bytes: &[u8], limits: &Limits) -> Result<ScanPage, IntakeError> {
    let corrupt = |detail: String| IntakeError::CorruptPng {
        file: name.to_owned(),
        detail,
    };
    let header = png::read_png_header(bytes).map_err(corrupt)?;
    // Declared size and resolution are checked before a single byte is inflated.
    let dpi = check_image_file_geometry(name, header.width, header.height, header.density, limits)?;
    // RGBA at 16 bits is the largest decoder output; add room for one row of scratch.
    let max_decoded =
        u64::from(header.width) * u64::from(header.height) * 8 + u64::from(header.width) * 8 + 4096;
    let raw = png::decode_png(bytes, &header, max_decoded).map_err(corrupt)?;
    Ok(ScanPage {
        source_file: name.to_owned(),
        page_in_file: 1,
        width_px: header.width,
        height_px: header.height,
        dpi,
        image: PageImage::Raw(raw),
        source_sha256: Sha256::digest(bytes).into(),
    })
}

/// Pixel size and resolution limits, shared by all formats.
pub(crate) fn check_page_geometry(
    file: &str,
    page: u32,
    width: u64,
    height: u64,
    dpi: Dpi,
    limits: &Limits,
) -> Result<(), IntakeError> {
    if width > u64::from(limits.max_side_px) || height > u64::from(limits.max_side_px) {
        return Err(IntakeError::ImageTooLarge {
            file: file.to_owned(),
            page,
            width,
            height,
            max_side: limits.max_side_px,
        });
    }
    let highest = dpi.x.max(dpi.y);
    if !highest.is_finite() || highest > limits.max_dpi as f32 + 0.5 {
        return Err(IntakeError::DpiTooHigh {
            file: file.to_owned(),
            page,
            dpi: highest,
            max: limits.max_dpi,
        });
    }
    let lowest = dpi.x.min(dpi.y);
    if !lowest.is_finite() || lowest < limits.min_dpi as f32 - 0.5 {
        return Err(IntakeError::DpiTooLow {
            file: file.to_owned(),
            page,
            dpi: lowest,
            min: limits.min_dpi,
        });
    }
    Ok(())
}

pub(crate) fn jpeg_error(file: &str, page: u32, problem: JpegProblem) -> IntakeError {
    let file = file.to_owned();
    match problem {
        JpegProblem::Truncated(d) => IntakeError::TruncatedJpeg {
            file,
            page,
            detail: d.to_owned(),
        },
        JpegProblem::Corrupt(d) => IntakeError::CorruptJpeg {
            file,
            page,
            detail: d.to_owned(),
        },
        JpegProblem::Unsupported(d) => IntakeError::UnsupportedJpeg {
            file,
            page,
            detail: d.to_owned(),
        },
    }
}
