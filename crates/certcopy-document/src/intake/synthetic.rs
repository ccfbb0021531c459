//! Deterministic synthetic scans for fixtures, tests and benches.
//!
//! The pages look like a scanned typed document: off-white paper with faint grain, lines
//! of word-like ink blocks, and (by default) an empty lower third as on a typical last
//! page. The same arguments always give the same bytes.

use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref};

use super::jpeg::parse_jpeg;

/// How much of the page carries ink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InkCoverage {
    /// Text from the top margin down to two thirds of the height; the bottom third is
    /// blank paper (room for the certification statement with its signatures, whose seal
    /// is shown at real size).
    #[default]
    TopTwoThirds,
    /// Text down to the bottom margin (no room for the statement).
    FullPage,
}

/// Small deterministic PRNG (xorshift64*), seeded per page.
struct Noise(u64);

impl Noise {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u32) -> u32 {
        (self.next() >> 32) as u32 % n.max(1)
    }
}

/// Render a synthetic page as RGB pixels.
pub fn synthetic_scan_rgb(
    page: u32,
    width: u32,
    height: u32,
    dpi: u32,
    coverage: InkCoverage,
) -> RgbImage {
    let (width, height) = (width.clamp(1, 65_535), height.clamp(1, 65_535));
    let mut noise = Noise::new(u64::from(page) + 1);
    // Paper with grain: the grain is what makes a real scan cost about 1 MB as JPEG.
    let pixel_count = width as usize * height as usize;
    let mut gray: Vec<u8> = Vec::with_capacity(pixel_count + 21);
    while gray.len() < pixel_count {
        // 21 grain values of 3 bits from each random word.
        let mut bits = noise.next();
        for _ in 0..21 {
            gray.push(240 + (bits & 7) as u8);
            bits >>= 3;
        }
    }
    gray.truncate(pixel_count);

    let unit = dpi.max(1) as f32 / 300.0; // drawing sizes are designed at 300 dpi
    let px = |v: f32| ((v * unit).round() as u32).max(1);
    let margin_x = px(250.0);
    let top = px(300.0);
    let bottom = match coverage {
        InkCoverage::TopTwoThirds => height * 2 / 3,
        InkCoverage::FullPage => height.saturating_sub(px(150.0)),
    };
    let (line_pitch, x_height, cell) = (px(75.0), px(32.0), px(20.0));
    let mut put = |x: u32, y: u32, w: u32, h: u32, ink: u8| {
        let (x0, x1) = (x.min(width) as usize, (x + w).min(width) as usize);
        for yy in y..(y + h).min(height) {
            let row = yy as usize * width as usize;
            gray[row + x0..row + x1].fill(ink);
        }
    };
    let mut y = top;
    while y + x_height < bottom {
        let mut x = margin_x + if noise.below(8) == 0 { px(120.0) } else { 0 };
        let line_end = width.saturating_sub(margin_x + noise.below(px(400.0)));
        while x + cell < line_end {
            let letters = 2 + noise.below(9);
            for _ in 0..letters {
                if x + cell >= line_end {
                    break;
                }
                let ink = 25 + noise.below(40) as u8;
                let stroke = px(4.0);
                // A letter: a stem, maybe a bowl top and bottom, maybe an ascender.
                put(x + noise.below(cell / 2), y, stroke, x_height, ink);
                if noise.below(2) == 0 {
                    put(x, y, cell - stroke, stroke, ink);
                    put(x, y + x_height - stroke, cell - stroke, stroke, ink);
                }
                if noise.below(4) == 0 {
                    put(
                        x + cell - 2 * stroke,
                        y.saturating_sub(px(12.0)),
                        stroke,
                        x_height + px(12.0),
                        ink,
                    );
                }
                x += cell + px(4.0);
            }
            x += px(22.0);
        }
        y += line_pitch;
    }
    let mut rgb = Vec::with_capacity(pixel_count * 3);
    for &g in &gray {
        rgb.extend_from_slice(&[g, g, g.saturating_sub(4)]);
    }
    RgbImage::from_raw(width, height, rgb).expect("buffer length is width*height*3 by construction")
}

/// A synthetic scanned page as JPEG with a JFIF density of `dpi` (quality 82, about 1 MB
/// for an A4 page at 300 dpi, 2480×3508). The lower third is blank.
pub fn synthetic_scan_jpeg(page: u32, width: u32, height: u32, dpi: u32) -> Vec<u8> {
    synthetic_scan_jpeg_with(page, width, height, dpi, InkCoverage::TopTwoThirds)
}

/// Width and height in pixels of an A4 page scanned at 300 dpi.
pub const A4_300_DPI: (u32, u32) = (2480, 3508);

/// The benchmark scan: `pages` A4 pages at 300 dpi as JPEG (about 1 MB each), page 1
/// first. Deterministic: the same `pages` always gives the same bytes, on every machine.
pub fn a4_scan_set(pages: u32) -> Vec<Vec<u8>> {
    let (width, height) = A4_300_DPI;
    (1..=pages)
        .map(|page| synthetic_scan_jpeg(page, width, height, 300))
        .collect()
}

/// [`synthetic_scan_jpeg`] with a chosen ink coverage.
pub fn synthetic_scan_jpeg_with(
    page: u32,
    width: u32,
    height: u32,
    dpi: u32,
    coverage: InkCoverage,
) -> Vec<u8> {
    let image = synthetic_scan_rgb(page, width, height, dpi, coverage);
    encode_jpeg(&image, dpi)
}

/// Encode RGB pixels as a baseline JPEG with a JFIF density in dots per inch.
pub fn encode_jpeg(image: &RgbImage, dpi: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, 82);
    encoder.set_pixel_density(PixelDensity::dpi(u16::try_from(dpi).unwrap_or(u16::MAX)));
    encoder
        .encode_image(image)
        .expect("JPEG encoding into memory of an image with sides in 1..=65535 cannot fail");
    out
}

/// A synthetic scanned page as PNG with a pHYs chunk for `dpi`. With `with_alpha`, the
/// page is RGBA and a band near the top is half transparent (so the alpha is real).
pub fn synthetic_scan_png(
    page: u32,
    width: u32,
    height: u32,
    dpi: u32,
    with_alpha: bool,
) -> Vec<u8> {
    let image = synthetic_scan_rgb(page, width, height, dpi, InkCoverage::TopTwoThirds);
    let (w, h) = image.dimensions();
    let mut out = Vec::new();
    let encoder = PngEncoder::new(&mut out);
    let result = if with_alpha {
        let band = (h / 20)..(h / 10);
        let rgba: Vec<u8> = image
            .enumerate_pixels()
            .flat_map(|(_, y, p)| [p[0], p[1], p[2], if band.contains(&y) { 128 } else { 255 }])
            .collect();
        encoder.write_image(&rgba, w, h, ExtendedColorType::Rgba8)
    } else {
        encoder.write_image(image.as_raw(), w, h, ExtendedColorType::Rgb8)
    };
    result.expect("PNG encoding into memory of an image with sides in 1..=65535 cannot fail");
    insert_png_phys(&out, dpi)
}

/// Insert a pHYs chunk (pixels per metre) right after IHDR.
pub fn insert_png_phys(png: &[u8], dpi: u32) -> Vec<u8> {
    const IHDR_END: usize = 8 + 8 + 13 + 4;
    if png.len() < IHDR_END {
        return png.to_vec();
    }
    let per_metre = (dpi as f64 / 0.0254).round() as u32;
    let mut chunk = b"pHYs".to_vec();
    chunk.extend(per_metre.to_be_bytes());
    chunk.extend(per_metre.to_be_bytes());
    chunk.push(1);
    let mut out = png[..IHDR_END].to_vec();
    out.extend(9u32.to_be_bytes());
    out.extend(&chunk);
    out.extend(crc32(&chunk).to_be_bytes());
    out.extend(&png[IHDR_END..]);
    out
}

/// CRC-32 (ISO 3309) as PNG chunks use it; bitwise, for small chunks only.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A scanner-style PDF: each page shows exactly one DCT image, drawn at `dpi`. JPEGs that
/// fail the structure check are skipped; `None` if none is left.
pub fn scanner_pdf_from_jpegs(jpegs: &[Vec<u8>], dpi: f32) -> Option<Vec<u8>> {
    let pages: Vec<(&Vec<u8>, u32, u32, u8)> = jpegs
        .iter()
        .filter_map(|j| {
            parse_jpeg(j)
                .ok()
                .map(|h| (j, h.width, h.height, h.components))
        })
        .collect();
    if pages.is_empty() || dpi <= 0.0 {
        return None;
    }
    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    pdf.catalog(catalog_id).pages(tree_id);
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(3 + 3 * i as i32))
        .collect();
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    for (i, (jpeg, w, h, components)) in pages.into_iter().enumerate() {
        let (page_id, content_id, image_id) =
            (page_ids[i], page_ids[i].next(), page_ids[i].next().next());
        let (pw, ph) = (w as f32 / dpi * 72.0, h as f32 / dpi * 72.0);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, pw, ph))
            .parent(tree_id)
            .contents(content_id);
        page.resources().x_objects().pair(Name(b"Im0"), image_id);
        page.finish();
        let content = format!("q\n{pw} 0 0 {ph} 0 0 cm\n/Im0 Do\nQ\n");
        pdf.stream(content_id, content.as_bytes());
        let mut image = pdf.image_xobject(image_id, jpeg);
        image.filter(Filter::DctDecode);
        image.width(w as i32);
        image.height(h as i32);
        image.color_space_name(match components {
            1 => Name(b"DeviceGray"),
            4 => Name(b"DeviceCMYK"),
            _ => Name(b"DeviceRGB"),
        });
        image.bits_per_component(8);
        image.finish();
    }
    Some(pdf.finish())
}

/// A scanner-style PDF of `pages` synthetic JPEG pages of `width`×`height` at `dpi`.
pub fn synthetic_scan_pdf(pages: u32, width: u32, height: u32, dpi: u32) -> Vec<u8> {
    let jpegs: Vec<Vec<u8>> = (1..=pages)
        .map(|p| synthetic_scan_jpeg(p, width, height, dpi))
        .collect();
    scanner_pdf_from_jpegs(&jpegs, dpi as f32).unwrap_or_default()
}
