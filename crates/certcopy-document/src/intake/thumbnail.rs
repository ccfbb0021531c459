//! A small JPEG of a scanned page, for the desk and the official to see the scans at a
//! glance without loading the full-resolution files.

use image::{DynamicImage, GrayImage, ImageFormat, RgbImage};

use super::{PageImage, RawColor, ScanPage};

/// Why a thumbnail could not be made (the page itself passed intake, so this means a JPEG
/// that the decoder here refuses, e.g. CMYK).
#[derive(Debug, thiserror::Error)]
#[error("thumbnail: {0}")]
pub struct ThumbnailError(String);

/// The page scaled to fit `max_side` pixels (never enlarged), as a JPEG of quality 75.
pub fn thumbnail_jpeg(page: &ScanPage, max_side: u32) -> Result<Vec<u8>, ThumbnailError> {
    let image = match &page.image {
        PageImage::Jpeg(jpeg) => {
            image::load_from_memory_with_format(&jpeg.bytes, ImageFormat::Jpeg)
                .map_err(|e| ThumbnailError(e.to_string()))?
        }
        PageImage::Raw(raw) => match raw.color {
            RawColor::Gray => DynamicImage::ImageLuma8(
                GrayImage::from_raw(page.width_px, page.height_px, raw.samples.clone())
                    .ok_or_else(|| ThumbnailError("gray samples do not fill the page".into()))?,
            ),
            RawColor::Rgb => DynamicImage::ImageRgb8(
                RgbImage::from_raw(page.width_px, page.height_px, raw.samples.clone())
                    .ok_or_else(|| ThumbnailError("RGB samples do not fill the page".into()))?,
            ),
        },
    };
    let side = image.width().max(image.height()).max(1);
    let small = if side > max_side {
        let scale = f64::from(max_side) / f64::from(side);
        let width = ((f64::from(image.width()) * scale).round() as u32).max(1);
        let height = ((f64::from(image.height()) * scale).round() as u32).max(1);
        image.thumbnail_exact(width, height)
    } else {
        image
    };
    let rgb = small.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75)
        .encode_image(&rgb)
        .map_err(|e| ThumbnailError(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::synthetic::{synthetic_scan_jpeg, synthetic_scan_png};
    use crate::intake::{Limits, ScanFile, read_scans};

    fn first_page(name: &str, bytes: Vec<u8>) -> ScanPage {
        read_scans(
            &[ScanFile {
                name: name.into(),
                bytes,
            }],
            &Limits::default(),
        )
        .expect("a valid scan")
        .remove(0)
    }

    #[test]
    fn a_page_becomes_a_small_jpeg_of_the_same_shape() {
        let page = first_page("a4.jpg", synthetic_scan_jpeg(1, 827, 1169, 100));
        let small = thumbnail_jpeg(&page, 240).unwrap();
        let decoded = image::load_from_memory(&small).unwrap();
        assert_eq!(decoded.height(), 240);
        assert_eq!(decoded.width(), 170);
        assert!(small.len() < 40_000, "{} bytes", small.len());
    }

    #[test]
    fn decoded_pages_and_small_pages_too() {
        let page = first_page("p.png", synthetic_scan_png(1, 300, 200, 100, false));
        let small = thumbnail_jpeg(&page, 240).unwrap();
        let decoded = image::load_from_memory(&small).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (240, 160));
        let tiny = first_page("t.jpg", synthetic_scan_jpeg(1, 120, 90, 72));
        let kept = image::load_from_memory(&thumbnail_jpeg(&tiny, 240).unwrap()).unwrap();
        assert_eq!((kept.width(), kept.height()), (120, 90), "never enlarged");
    }
}
