//! Where the certification statement goes.
//!
//! Rule (Decree 23/2015, Art. 20 / Circular 01/2020: the statement goes on the last page;
//! it must never hide any content of the original):
//!
//! 1. With [`PlacementPolicy::AppendPage`] the statement always goes on an added A4
//!    certification page.
//! 2. With [`PlacementPolicy::Auto`] the block goes in the bottom margin of the last scanned
//!    page, centred, 28 pt above the bottom edge, only if all of these hold:
//!    * the block fits in the page width less both margins (the font may shrink from 9 pt down to 6.5 pt);
//!    * the block with its margin takes at most half of the page height (a small original,
//!      such as an ID card, gets an added page instead);
//!    * the scan is blank under the block and a 6 pt surround: at most 0.1 % of those
//!      pixels are darker than 160/255 luma, and no 12 pt square tile of the region has
//!      2 % or more such pixels (transparent pixels count as white paper). Scanner grain,
//!      paper tone and dust specks pass; text, a stamp, a signature or even a lone page
//!      number concentrates ink in a tile and fails. The last page is decoded for this
//!      (JPEG too: for a sequential JPEG only the band of rows under the block is
//!      transformed, see [`super::jpeg_band`]), bounded to [`MAX_ANALYSED_PIXELS`]; a page
//!      that is larger or does not decode is treated as not blank.
//!
//!    Otherwise a certification page (A4 portrait) is appended and carries the block at
//!    its top. The rule errs toward appending a page: a false "not blank" costs one page,
//!    a false "blank" would cover part of the original.

use super::jpeg_band::{BandDecode, decode_luma_rows};
use super::statement::PAGE_MARGIN;
use crate::intake::{PageImage, RawColor, ScanPage};

/// How the statement is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlacementPolicy {
    /// Bottom margin of the last page when it is blank there, else an added page.
    #[default]
    Auto,
    /// Always on an added certification page.
    AppendPage,
}

/// Pages larger than this many pixels are not decoded for analysis (100 MP: a 10 000 px
/// square, the intake limit).
pub const MAX_ANALYSED_PIXELS: u64 = 100_000_000;

/// Luma below which a pixel counts as ink.
const INK_LUMA: u32 = 160;
/// Largest share of ink pixels (per mille) over the whole region still counted as blank.
const MAX_INK_PER_MILLE: u64 = 1;
/// Side of the square tiles checked for concentrated ink, in points.
const TILE: f32 = 12.0;
/// A tile with this share of ink pixels (percent) or more holds a mark.
const TILE_INK_PERCENT: u64 = 2;
/// Extra blank surround checked around the block, in points.
const SURROUND: f32 = 6.0;

/// Whether the scan is blank in the rectangle `[x1, y1, x2, y2]` (PDF points, origin at
/// the bottom-left of the page) plus a surround.
pub(crate) fn region_is_blank(page: &ScanPage, rect: [f32; 4]) -> bool {
    let (w, h) = (page.width_px, page.height_px);
    if u64::from(w) * u64::from(h) > MAX_ANALYSED_PIXELS {
        return false;
    }
    let (sx, sy) = (page.dpi.x / 72.0, page.dpi.y / 72.0);
    let page_height_pt = h as f32 / sy;
    let to_px =
        |v: f32, scale: f32, limit: u32| -> u32 { (v * scale).clamp(0.0, limit as f32) as u32 };
    let x0 = to_px(rect[0] - SURROUND, sx, w);
    let x1 = to_px(rect[2] + SURROUND, sx, w);
    // Pixel rows run from the top; PDF y runs from the bottom.
    let y0 = to_px(page_height_pt - (rect[3] + SURROUND), sy, h);
    let y1 = to_px(page_height_pt - (rect[1] - SURROUND), sy, h);
    if x1 <= x0 || y1 <= y0 {
        return false;
    }
    let tile_w = ((TILE * sx).round() as u32).max(1);
    let tile_h = ((TILE * sy).round() as u32).max(1);
    let region = Region {
        x0,
        x1,
        y0,
        y1,
        width: w,
        tile_w,
        tile_h,
    };
    match &page.image {
        PageImage::Raw(raw) => {
            let channels = raw.color.channels();
            count_ink(region, |i| {
                let luma = match raw.color {
                    RawColor::Gray => u32::from(*raw.samples.get(i)?),
                    RawColor::Rgb => {
                        let px = raw.samples.get(i * channels..i * channels + 3)?;
                        luma(px[0], px[1], px[2])
                    }
                };
                let alpha = raw
                    .alpha
                    .as_ref()
                    .map_or(Some(255), |a| a.get(i).map(|&v| u32::from(v)))?;
                // Composite over white paper.
                Some((luma * alpha + 255 * (255 - alpha)) / 255)
            })
        }
        PageImage::Jpeg(jpeg) => match decode_luma_rows(&jpeg.bytes, w, h, y0..y1) {
            BandDecode::Luma(band) => {
                // The band starts at row y0.
                let offset = y0 as usize * w as usize;
                count_ink(region, |i| {
                    band.get(i.checked_sub(offset)?).map(|&v| u32::from(v))
                })
            }
            BandDecode::Unsupported => {
                let Some(samples) = decode_jpeg_luma(&jpeg.bytes, w, h) else {
                    return false;
                };
                count_ink(region, |i| samples.get(i).map(|&v| u32::from(v)))
            }
            BandDecode::Invalid => return false,
        },
    }
    .is_some_and(|count| count.is_blank())
}

#[derive(Clone, Copy)]
struct Region {
    x0: u32,
    x1: u32,
    y0: u32,
    y1: u32,
    width: u32,
    tile_w: u32,
    tile_h: u32,
}

/// Decodes a whole JPEG straight to 8-bit gray, one byte per pixel (a 300-dpi A4 page is
/// 8.7 MB gray), for the JPEGs [`decode_luma_rows`] does not handle. `None` when it does
/// not decode to exactly `w`×`h`.
fn decode_jpeg_luma(bytes: &[u8], w: u32, h: u32) -> Option<Vec<u8>> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_max_width(w as usize)
        .set_max_height(h as usize)
        .jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let samples = decoder.decode().ok()?;
    (decoder.output_colorspace() == Some(ColorSpace::Luma)
        && samples.len() == w as usize * h as usize)
        .then_some(samples)
}

/// Ink counts over a region and per tile.
struct InkCount {
    ink: u64,
    total: u64,
    /// (ink, pixels) per tile.
    tiles: Vec<(u64, u64)>,
}

impl InkCount {
    fn is_blank(&self) -> bool {
        self.ink * 1000 <= self.total * MAX_INK_PER_MILLE
            && self
                .tiles
                .iter()
                .all(|&(ink, pixels)| ink * 100 < pixels * TILE_INK_PERCENT)
    }
}

/// Count ink pixels in the region and its tiles; `None` if a sample is missing.
fn count_ink(region: Region, luma_at: impl Fn(usize) -> Option<u32>) -> Option<InkCount> {
    let tiles_across = ((region.x1 - region.x0).div_ceil(region.tile_w)) as usize;
    let tiles_down = ((region.y1 - region.y0).div_ceil(region.tile_h)) as usize;
    let mut count = InkCount {
        ink: 0,
        total: 0,
        tiles: vec![(0, 0); tiles_across * tiles_down],
    };
    for y in region.y0..region.y1 {
        let row = y as usize * region.width as usize;
        let tile_row = ((y - region.y0) / region.tile_h) as usize * tiles_across;
        for x in region.x0..region.x1 {
            let is_ink = luma_at(row + x as usize)? < INK_LUMA;
            let tile = count
                .tiles
                .get_mut(tile_row + ((x - region.x0) / region.tile_w) as usize)?;
            tile.1 += 1;
            if is_ink {
                tile.0 += 1;
                count.ink += 1;
            }
            count.total += 1;
        }
    }
    Some(count)
}

fn luma(r: u8, g: u8, b: u8) -> u32 {
    (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000
}

/// Lower-left corner of the block in the bottom margin of a page of `page_width` points.
pub(crate) fn bottom_margin_origin(page_width: f32, block_width: f32) -> (f32, f32) {
    ((page_width - block_width) / 2.0, PAGE_MARGIN)
}
