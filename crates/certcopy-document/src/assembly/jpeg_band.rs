//! Luma of a band of rows of a sequential JPEG, without decoding the whole image.
//!
//! The blank-margin check (see [`super::placement`]) only looks at the bottom of the last
//! page. A full decode of a 300-dpi A4 scan holds 8.7 MB of samples while every scan of the
//! copy is in memory too; here the entropy-coded data is read through once (it cannot be
//! skipped), but only the luma blocks that meet the band are dequantised and transformed,
//! into a buffer the size of the band.
//!
//! Handled: baseline and extended sequential Huffman JPEG (SOF0, SOF1), 8-bit samples, one
//! component (gray) or three YCbCr components in one interleaved scan whose luma has the
//! largest sampling factors, with or without restart markers (ITU-T T.81, Annex F). Any
//! other JPEG is reported as [`BandDecode::Unsupported`] and the caller decodes it whole.

use std::ops::Range;

/// Outcome of a band decode.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BandDecode {
    /// Luma of the rows asked for, full width, row after row.
    Luma(Vec<u8>),
    /// A JPEG this decoder does not handle (progressive, CMYK, several scans, …).
    Unsupported,
    /// The data is not a decodable JPEG of the expected size.
    Invalid,
}

/// Natural (row-major) position of the coefficient at each zig-zag index.
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// Bits looked up at once when decoding a Huffman code.
const LOOKUP_BITS: u32 = 9;

/// Decodes the luma of `rows` of a `width`×`height` JPEG.
pub(crate) fn decode_luma_rows(
    bytes: &[u8],
    width: u32,
    height: u32,
    rows: Range<u32>,
) -> BandDecode {
    match Decoder::parse(bytes) {
        Ok(Some(decoder)) => {
            if u32::from(decoder.frame.width) != width || u32::from(decoder.frame.height) != height
            {
                return BandDecode::Invalid;
            }
            let rows = rows.start.min(height)..rows.end.min(height);
            match decoder.decode_band(rows) {
                Some(luma) => BandDecode::Luma(luma),
                None => BandDecode::Invalid,
            }
        }
        Ok(None) => BandDecode::Unsupported,
        Err(Invalid) => BandDecode::Invalid,
    }
}

/// Marker of malformed data.
#[derive(Debug)]
struct Invalid;

#[derive(Clone, Copy, Debug)]
struct Component {
    id: u8,
    h: usize,
    v: usize,
    quant: usize,
    dc: usize,
    ac: usize,
}

/// A component as the scan decodes it.
struct Layout<'t> {
    dc: &'t Huffman,
    ac: &'t Huffman,
    quant: &'t [u16; 64],
    /// Blocks across and down in one MCU.
    h_units: usize,
    v_units: usize,
}

#[derive(Debug)]
struct Frame {
    width: u16,
    height: u16,
    components: Vec<Component>,
}

struct Decoder<'a> {
    frame: Frame,
    quant: [[u16; 64]; 4],
    dc_tables: [Option<Huffman>; 4],
    ac_tables: [Option<Huffman>; 4],
    restart_interval: usize,
    /// Entropy-coded data of the scan, from just after its header.
    scan: &'a [u8],
}

impl<'a> Decoder<'a> {
    /// Reads the headers up to the first scan. `Ok(None)`: a JPEG outside what this
    /// decoder handles.
    fn parse(bytes: &'a [u8]) -> Result<Option<Self>, Invalid> {
        if bytes.get(..2) != Some(&[0xFF, 0xD8]) {
            return Err(Invalid);
        }
        let mut quant = [[0u16; 64]; 4];
        let mut dc_tables: [Option<Huffman>; 4] = [None, None, None, None];
        let mut ac_tables: [Option<Huffman>; 4] = [None, None, None, None];
        let mut frame: Option<Frame> = None;
        let mut restart_interval = 0;
        let mut adobe_transform: Option<u8> = None;
        let mut pos = 2;
        loop {
            // Markers may be preceded by fill bytes (0xFF).
            while bytes.get(pos) == Some(&0xFF) && bytes.get(pos + 1) == Some(&0xFF) {
                pos += 1;
            }
            let (Some(&0xFF), Some(&marker)) = (bytes.get(pos), bytes.get(pos + 1)) else {
                return Err(Invalid);
            };
            pos += 2;
            if marker == 0xD9 || (0xD0..=0xD7).contains(&marker) {
                // The image ends, or a restart marker, before any scan.
                return Err(Invalid);
            }
            let length = usize::from(u16::from_be_bytes([
                *bytes.get(pos).ok_or(Invalid)?,
                *bytes.get(pos + 1).ok_or(Invalid)?,
            ]));
            let segment = bytes.get(pos + 2..pos + length).ok_or(Invalid)?;
            let next = pos + length;
            match marker {
                0xC0 | 0xC1 => frame = Some(parse_frame(segment)?),
                // Progressive, lossless, hierarchical or arithmetic-coded frames.
                0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return Ok(None),
                0xC4 => parse_huffman(segment, &mut dc_tables, &mut ac_tables)?,
                0xDB => parse_quant(segment, &mut quant)?,
                0xDD => {
                    restart_interval = usize::from(u16::from_be_bytes([
                        *segment.first().ok_or(Invalid)?,
                        *segment.get(1).ok_or(Invalid)?,
                    ]));
                }
                0xEE if segment.starts_with(b"Adobe") => adobe_transform = segment.get(11).copied(),
                0xDA => {
                    let Some(mut frame) = frame else {
                        return Err(Invalid);
                    };
                    if !parse_scan(segment, &mut frame)? || !luma_is_first(&frame, adobe_transform)
                    {
                        return Ok(None);
                    }
                    // A table the scan names but no DHT defined fails the decode.
                    return Ok(Some(Self {
                        frame,
                        quant,
                        dc_tables,
                        ac_tables,
                        restart_interval,
                        scan: bytes.get(next..).ok_or(Invalid)?,
                    }));
                }
                _ => {}
            }
            pos = next;
        }
    }

    /// Decodes the scan, transforming only the luma blocks that meet `rows`.
    fn decode_band(&self, rows: Range<u32>) -> Option<Vec<u8>> {
        let width = usize::from(self.frame.width);
        let height = usize::from(self.frame.height);
        let (band_start, band_end) = (rows.start as usize, rows.end as usize);
        let mut band = vec![255u8; width * (band_end.saturating_sub(band_start))];
        if band.is_empty() {
            return Some(band);
        }
        let components = &self.frame.components;
        // A single component is never interleaved: one block per unit, whatever its factors.
        let (h_max, v_max) = if components.len() == 1 {
            (1, 1)
        } else {
            (
                components.iter().map(|c| c.h).max()?,
                components.iter().map(|c| c.v).max()?,
            )
        };
        // Per component, resolved once: its tables (missing ones make the data invalid) and
        // its blocks per unit.
        let layouts = components
            .iter()
            .map(|c| {
                let (h_units, v_units) = if components.len() == 1 {
                    (1, 1)
                } else {
                    (c.h, c.v)
                };
                Some(Layout {
                    dc: self.dc_tables[c.dc].as_ref()?,
                    ac: self.ac_tables[c.ac].as_ref()?,
                    quant: &self.quant[c.quant],
                    h_units,
                    v_units,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let mcus_across = width.div_ceil(8 * h_max);
        let mcus_down = height.div_ceil(8 * v_max);
        let mut bits = BitReader::new(self.scan);
        let mut predictors = vec![0i32; components.len()];
        let mut mcus_done = 0usize;
        let mut restarts = 0u8;
        for mcu_y in 0..mcus_down {
            let mcu_top = mcu_y * 8 * v_max;
            if mcu_top >= band_end {
                break;
            }
            for mcu_x in 0..mcus_across {
                if self.restart_interval > 0
                    && mcus_done > 0
                    && mcus_done.is_multiple_of(self.restart_interval)
                {
                    bits.restart(restarts)?;
                    restarts = restarts.wrapping_add(1);
                    predictors.iter_mut().for_each(|p| *p = 0);
                }
                for (index, layout) in layouts.iter().enumerate() {
                    for v in 0..layout.v_units {
                        for h in 0..layout.h_units {
                            let top = (mcu_y * layout.v_units + v) * 8;
                            let left = (mcu_x * layout.h_units + h) * 8;
                            let predictor = &mut predictors[index];
                            let wanted = index == 0
                                && top < band_end
                                && top + 8 > band_start
                                && left < width;
                            if wanted {
                                let mut coefficients = [0i32; 64];
                                let target = Some((&mut coefficients, layout.quant));
                                decode_block(&mut bits, layout.dc, layout.ac, predictor, target)?;
                                write_block(
                                    &coefficients,
                                    &mut band,
                                    width,
                                    left,
                                    top,
                                    band_start..band_end,
                                );
                            } else {
                                decode_block(&mut bits, layout.dc, layout.ac, predictor, None)?;
                            }
                        }
                    }
                }
                mcus_done += 1;
            }
        }
        bits.real_data_sufficed().then_some(band)
    }
}

/// Whether the first component is the luma this decoder can read: a gray image, or YCbCr
/// (not Adobe RGB, not components named R, G, B) whose luma has the largest factors.
fn luma_is_first(frame: &Frame, adobe_transform: Option<u8>) -> bool {
    match frame.components.as_slice() {
        [_] => true,
        [y, cb, cr] => {
            let rgb_ids = [y.id, cb.id, cr.id] == [b'R', b'G', b'B'];
            adobe_transform != Some(0)
                && !rgb_ids
                && [cb, cr].iter().all(|c| c.h <= y.h && c.v <= y.v)
        }
        _ => false,
    }
}

fn parse_frame(segment: &[u8]) -> Result<Frame, Invalid> {
    let [precision, h0, h1, w0, w1, count, rest @ ..] = segment else {
        return Err(Invalid);
    };
    let (height, width) = (
        u16::from_be_bytes([*h0, *h1]),
        u16::from_be_bytes([*w0, *w1]),
    );
    if *precision != 8 || width == 0 || height == 0 || rest.len() < 3 * usize::from(*count) {
        return Err(Invalid);
    }
    let components = rest
        .chunks_exact(3)
        .take(usize::from(*count))
        .map(|c| {
            let (h, v) = (usize::from(c[1] >> 4), usize::from(c[1] & 15));
            let quant = usize::from(c[2]);
            if !(1..=4).contains(&h) || !(1..=4).contains(&v) || quant > 3 {
                return Err(Invalid);
            }
            Ok(Component {
                id: c[0],
                h,
                v,
                quant,
                dc: 0,
                ac: 0,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Frame {
        width,
        height,
        components,
    })
}

/// Reads the scan header into the frame's components; `false` when the scan does not hold
/// every component in frame order (several scans) or is not a full sequential scan.
fn parse_scan(segment: &[u8], frame: &mut Frame) -> Result<bool, Invalid> {
    let count = usize::from(*segment.first().ok_or(Invalid)?);
    let selectors = segment.get(1..1 + 2 * count).ok_or(Invalid)?;
    let spectral = segment.get(1 + 2 * count..4 + 2 * count).ok_or(Invalid)?;
    if count != frame.components.len() || spectral != [0, 63, 0] {
        return Ok(false);
    }
    for (component, selector) in frame.components.iter_mut().zip(selectors.chunks_exact(2)) {
        if component.id != selector[0] {
            return Ok(false);
        }
        component.dc = usize::from(selector[1] >> 4);
        component.ac = usize::from(selector[1] & 15);
        if component.dc > 3 || component.ac > 3 {
            return Err(Invalid);
        }
    }
    Ok(true)
}

fn parse_quant(mut segment: &[u8], tables: &mut [[u16; 64]; 4]) -> Result<(), Invalid> {
    while let [info, rest @ ..] = segment {
        let (precision, id) = (info >> 4, usize::from(info & 15));
        let table = tables.get_mut(id).ok_or(Invalid)?;
        let size = if precision == 0 { 64 } else { 128 };
        let values = rest.get(..size).ok_or(Invalid)?;
        for (k, slot) in table.iter_mut().enumerate() {
            *slot = if precision == 0 {
                u16::from(values[k])
            } else {
                u16::from_be_bytes([values[2 * k], values[2 * k + 1]])
            };
        }
        segment = &rest[size..];
    }
    Ok(())
}

fn parse_huffman(
    mut segment: &[u8],
    dc: &mut [Option<Huffman>; 4],
    ac: &mut [Option<Huffman>; 4],
) -> Result<(), Invalid> {
    while let [info, rest @ ..] = segment {
        let (class, id) = (info >> 4, usize::from(info & 15));
        let counts: [u8; 16] = rest
            .get(..16)
            .ok_or(Invalid)?
            .try_into()
            .map_err(|_| Invalid)?;
        let total: usize = counts.iter().map(|&n| usize::from(n)).sum();
        let values = rest.get(16..16 + total).ok_or(Invalid)?;
        let table = Huffman::build(&counts, values)?;
        match class {
            0 => *dc.get_mut(id).ok_or(Invalid)? = Some(table),
            1 => *ac.get_mut(id).ok_or(Invalid)? = Some(table),
            _ => return Err(Invalid),
        }
        segment = &rest[16 + total..];
    }
    Ok(())
}

/// A canonical Huffman table (ITU-T T.81, Annex C and F.2.2.3).
struct Huffman {
    /// For the next `LOOKUP_BITS` bits: `(length << 8) | symbol`, 0 when the code is longer.
    lookup: Vec<u16>,
    /// Largest code of each length (index 1..=16), -1 when none.
    max_code: [i32; 17],
    /// Index into `values` of the first code of each length, less that code.
    offset: [i32; 17],
    values: Vec<u8>,
}

impl Huffman {
    fn build(counts: &[u8; 16], values: &[u8]) -> Result<Self, Invalid> {
        let mut lookup = vec![0u16; 1 << LOOKUP_BITS];
        let mut max_code = [-1i32; 17];
        let mut offset = [0i32; 17];
        let mut code: u32 = 0;
        let mut index: usize = 0;
        for length in 1..=16u32 {
            let count = usize::from(counts[length as usize - 1]);
            if count > 0 {
                offset[length as usize] = index as i32 - code as i32;
                for _ in 0..count {
                    if code >= 1 << length {
                        return Err(Invalid);
                    }
                    if length <= LOOKUP_BITS {
                        let shift = LOOKUP_BITS - length;
                        let first = (code << shift) as usize;
                        let entry = ((length as u16) << 8) | u16::from(values[index]);
                        lookup[first..first + (1 << shift)].fill(entry);
                    }
                    code += 1;
                    index += 1;
                }
                max_code[length as usize] = code as i32 - 1;
            }
            code <<= 1;
        }
        Ok(Self {
            lookup,
            max_code,
            offset,
            values: values.to_vec(),
        })
    }

    #[inline]
    fn decode(&self, bits: &mut BitReader<'_>) -> Option<u8> {
        bits.fill();
        let entry = self.lookup[bits.peek(LOOKUP_BITS) as usize];
        if entry != 0 {
            bits.consume(u32::from(entry >> 8));
            return Some(entry as u8);
        }
        for length in LOOKUP_BITS + 1..=16 {
            let code = bits.peek(length) as i32;
            if code <= self.max_code[length as usize] {
                bits.consume(length);
                let index = usize::try_from(code + self.offset[length as usize]).ok()?;
                return self.values.get(index).copied();
            }
        }
        None
    }
}

/// Reads bits MSB first, removing byte stuffing (0xFF 0x00) and stopping at markers.
struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Bits not yet consumed, left-aligned.
    acc: u64,
    count: u32,
    /// Zero bits fed after the data ended or a marker was reached.
    padding: u32,
}

impl<'a> BitReader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            acc: 0,
            count: 0,
            padding: 0,
        }
    }

    /// Tops the accumulator up to more than 56 bits.
    #[inline]
    fn fill(&mut self) {
        if self.count <= 56 {
            self.refill();
        }
    }

    fn refill(&mut self) {
        while self.count <= 56 {
            let byte = match (self.data.get(self.pos), self.data.get(self.pos + 1)) {
                (Some(&byte), _) if byte != 0xFF => {
                    self.pos += 1;
                    byte
                }
                (Some(_), Some(&0x00)) => {
                    self.pos += 2;
                    0xFF
                }
                _ => {
                    // A marker or the end: feed zeros, as decoders do, and keep count.
                    self.padding += 8;
                    0
                }
            };
            self.acc |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    #[inline]
    fn peek(&self, n: u32) -> u32 {
        (self.acc >> (64 - n)) as u32
    }

    #[inline]
    fn consume(&mut self, n: u32) {
        self.acc <<= n;
        self.count -= n;
    }

    /// `n` (≤ 16) raw bits following a Huffman code: the accumulator still holds them, as
    /// [`Huffman::decode`] filled it to more than 56 bits and took at most 16.
    #[inline]
    fn take_after_code(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let value = self.peek(n);
        self.consume(n);
        value
    }

    /// Whether every bit consumed came from the data (none of the zero padding).
    fn real_data_sufficed(&self) -> bool {
        self.padding <= self.count
    }

    /// Skips to the restart marker `RST(index mod 8)`, which must come next.
    fn restart(&mut self, index: u8) -> Option<()> {
        self.fill();
        // The marker must have been reached, no padding consumed, and no more than the
        // last byte's fill bits left over.
        if self.padding == 0 || self.padding > self.count || self.count - self.padding >= 8 {
            return None;
        }
        let marker = self.data.get(self.pos..self.pos + 2)?;
        if marker != [0xFF, 0xD0 + (index & 7)] {
            return None;
        }
        self.pos += 2;
        self.acc = 0;
        self.count = 0;
        self.padding = 0;
        Some(())
    }
}

/// Sign-extends a `size`-bit magnitude (ITU-T T.81, F.2.2.1).
fn extend(value: u32, size: u32) -> i32 {
    if size == 0 {
        0
    } else if value < 1 << (size - 1) {
        value as i32 - (1 << size) + 1
    } else {
        value as i32
    }
}

/// Decodes one block; with `target`, dequantises its coefficients into natural order,
/// without it only steps over the block's bits (keeping the DC prediction).
fn decode_block(
    bits: &mut BitReader<'_>,
    dc: &Huffman,
    ac: &Huffman,
    predictor: &mut i32,
    mut target: Option<(&mut [i32; 64], &[u16; 64])>,
) -> Option<()> {
    let size = u32::from(dc.decode(bits)?);
    if size > 11 {
        return None;
    }
    *predictor = predictor.saturating_add(extend(bits.take_after_code(size), size));
    if let Some((coefficients, quant)) = target.as_mut() {
        coefficients[0] = predictor.saturating_mul(i32::from(quant[0]));
    }
    let mut k = 1;
    while k < 64 {
        let symbol = ac.decode(bits)?;
        let (run, size) = (usize::from(symbol >> 4), u32::from(symbol & 15));
        if size == 0 {
            if run == 15 {
                k += 16;
                continue;
            }
            break;
        }
        k += run;
        if k > 63 {
            return None;
        }
        match target.as_mut() {
            Some((coefficients, quant)) => {
                let value = extend(bits.take_after_code(size), size);
                coefficients[ZIGZAG[k]] = value.saturating_mul(i32::from(quant[k]));
            }
            None => bits.consume(size),
        }
        k += 1;
    }
    (k <= 64).then_some(())
}

/// Inverse DCT of one block (ITU-T T.81, A.3.3) into the band rows it meets.
fn write_block(
    coefficients: &[i32; 64],
    band: &mut [u8],
    width: usize,
    left: usize,
    top: usize,
    rows: Range<usize>,
) {
    let mut samples = [0f32; 64];
    if coefficients[1..].iter().all(|&c| c == 0) {
        samples.fill(coefficients[0] as f32 / 8.0);
    } else {
        // Separable: each coefficient row, then each column of the result. A row of zero
        // coefficients transforms to zeros and is skipped (scans have few per block).
        let mut rows_done = [[0f32; 8]; 8];
        let mut nonzero = [false; 8];
        for (v, out) in rows_done.iter_mut().enumerate() {
            let row = &coefficients[v * 8..v * 8 + 8];
            if row.iter().any(|&c| c != 0) {
                nonzero[v] = true;
                let mut input = [0f32; 8];
                for (value, &c) in input.iter_mut().zip(row) {
                    *value = c as f32;
                }
                *out = idct_1d(&input);
            }
        }
        for x in 0..8 {
            let mut column = [0f32; 8];
            for v in 0..8 {
                if nonzero[v] {
                    column[v] = rows_done[v][x];
                }
            }
            for (y, value) in idct_1d(&column).into_iter().enumerate() {
                samples[y * 8 + x] = value;
            }
        }
    }
    for y in 0..8 {
        let row = top + y;
        if !rows.contains(&row) {
            continue;
        }
        let start = (row - rows.start) * width;
        for x in 0..8.min(width - left) {
            // Rounded half up: the value is clamped to be non-negative, so `as` floors.
            let value = (samples[y * 8 + x] + 128.5).clamp(0.0, 255.0);
            band[start + left + x] = value as u8;
        }
    }
}

/// One 8-point inverse DCT. The even-frequency terms are symmetric and the odd ones
/// antisymmetric about the middle, so outputs `x` and `7 - x` share their products.
#[inline]
fn idct_1d(input: &[f32; 8]) -> [f32; 8] {
    let basis = &IDCT_BASIS;
    let mut out = [0f32; 8];
    for x in 0..4 {
        let even: f32 = [0, 2, 4, 6].iter().map(|&u| basis[x][u] * input[u]).sum();
        let odd: f32 = [1, 3, 5, 7].iter().map(|&u| basis[x][u] * input[u]).sum();
        out[x] = even + odd;
        out[7 - x] = even - odd;
    }
    out
}

/// `IDCT_BASIS[x][u] = C(u)/2 · cos((2x+1)uπ/16)`, `C(0) = 1/√2` (ITU-T T.81, A.3.3).
static IDCT_BASIS: [[f32; 8]; 8] = {
    // cos(kπ/16) for k = 0..=7; the other angles follow from symmetry.
    const COS: [f32; 8] = [
        1.0,
        0.980_785_3,
        0.923_879_5,
        0.831_469_6,
        0.707_106_77,
        0.555_570_2,
        0.382_683_43,
        0.195_090_32,
    ];
    let mut basis = [[0f32; 8]; 8];
    let mut x = 0;
    while x < 8 {
        let mut u = 0;
        while u < 8 {
            // Reduce (2x+1)u modulo 32 (a full turn) to a signed cosine of 0..=7 sixteenths.
            let k = ((2 * x + 1) * u) % 32;
            let (angle, sign) = match k {
                0..=7 => (k, 1.0),
                8..=15 => (16 - k, -1.0),
                16..=23 => (k - 16, -1.0),
                _ => (32 - k, 1.0),
            };
            let cosine = if angle == 8 { 0.0 } else { sign * COS[angle] };
            let scale = if u == 0 { 0.353_553_38 } else { 0.5 };
            basis[x][u] = scale * cosine;
            u += 1;
        }
        x += 1;
    }
    basis
};

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/../../fixtures/jpeg/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{path}: {e} (see fixtures/jpeg/generate.py)"))
    }

    /// The whole image's luma as zune-jpeg decodes it, the reference.
    fn reference_luma(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        use zune_core::bytestream::ZCursor;
        use zune_core::colorspace::ColorSpace;
        use zune_core::options::DecoderOptions;
        let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::Luma);
        let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
        let samples = decoder.decode().expect("reference decode");
        let (w, h) = decoder.dimensions().expect("dimensions");
        (w as u32, h as u32, samples)
    }

    fn band_of(bytes: &[u8], w: u32, h: u32, rows: Range<u32>) -> Vec<u8> {
        match decode_luma_rows(bytes, w, h, rows) {
            BandDecode::Luma(band) => band,
            other => panic!("band decode: {other:?}"),
        }
    }

    const SEQUENTIAL: [&str; 6] = [
        "gray.jpg",
        "gray-restart.jpg",
        "ycc444.jpg",
        "ycc422.jpg",
        "ycc420.jpg",
        "ycc420-restart.jpg",
    ];

    #[test]
    fn bands_match_a_full_decode() {
        for name in SEQUENTIAL {
            let bytes = fixture(name);
            let (w, h, full) = reference_luma(&bytes);
            // Whole image, bottom half, a band across block edges, the last partial row.
            for rows in [0..h, h / 2..h, 37..61, h - 1..h] {
                let band = band_of(&bytes, w, h, rows.clone());
                let expected =
                    &full[rows.start as usize * w as usize..rows.end as usize * w as usize];
                assert_eq!(band.len(), expected.len(), "{name} {rows:?}");
                let worst = band
                    .iter()
                    .zip(expected)
                    .map(|(&a, &b)| a.abs_diff(b))
                    .max()
                    .unwrap_or(0);
                // Float IDCT here, integer IDCT there: rounding differences only.
                assert!(worst <= 2, "{name} {rows:?}: differs by {worst}");
            }
        }
    }

    #[test]
    fn the_drawing_is_seen_in_the_band() {
        // Rows 12..17 hold the first line of "text": dark pixels must come out dark.
        let bytes = fixture("ycc420.jpg");
        let band = band_of(&bytes, 203, 157, 12..18);
        assert!(band.iter().filter(|&&v| v < 100).count() > 500);
        let paper = band_of(&bytes, 203, 157, 0..4);
        assert!(paper.iter().all(|&v| v > 200), "top margin is paper");
    }

    #[test]
    fn idct_basis_matches_the_formula() {
        for (x, row) in IDCT_BASIS.iter().enumerate() {
            for (u, &value) in row.iter().enumerate() {
                let scale = if u == 0 {
                    std::f64::consts::FRAC_1_SQRT_2
                } else {
                    1.0
                };
                let angle = ((2 * x + 1) * u) as f64 * std::f64::consts::PI / 16.0;
                let expected = scale * angle.cos() / 2.0;
                assert!((f64::from(value) - expected).abs() < 1e-6, "x={x} u={u}");
            }
        }
    }

    #[test]
    fn other_jpegs_are_left_to_the_full_decoder() {
        let bytes = fixture("progressive.jpg");
        assert_eq!(
            decode_luma_rows(&bytes, 203, 157, 0..10),
            BandDecode::Unsupported
        );
    }

    #[test]
    fn broken_or_mismatched_data_is_invalid() {
        let bytes = fixture("ycc420.jpg");
        assert_eq!(
            decode_luma_rows(&bytes, 204, 157, 0..10),
            BandDecode::Invalid
        );
        assert_eq!(
            decode_luma_rows(b"not a jpeg", 1, 1, 0..1),
            BandDecode::Invalid
        );
        assert_eq!(
            decode_luma_rows(&bytes[..300], 203, 157, 0..10),
            BandDecode::Invalid
        );
        // Cut inside the entropy-coded data: the bottom rows cannot be decoded.
        let cut = &bytes[..bytes.len() * 2 / 3];
        assert_eq!(
            decode_luma_rows(cut, 203, 157, 140..157),
            BandDecode::Invalid
        );
        // A restart marker out of sequence.
        let mut wrong = fixture("ycc420-restart.jpg");
        let scan = wrong
            .windows(2)
            .position(|m| m == [0xFF, 0xDA])
            .expect("scan");
        let rst = scan
            + wrong[scan..]
                .windows(2)
                .position(|m| m == [0xFF, 0xD0])
                .expect("first restart marker");
        wrong[rst + 1] = 0xD3;
        assert_eq!(
            decode_luma_rows(&wrong, 203, 157, 140..157),
            BandDecode::Invalid
        );
        // Every prefix and every single-byte change: an answer, never a panic.
        for len in (0..bytes.len()).step_by(97) {
            let _ = decode_luma_rows(&bytes[..len], 203, 157, 100..157);
        }
        for at in (0..bytes.len()).step_by(31) {
            let mut changed = bytes.clone();
            changed[at] ^= 0x5A;
            let _ = decode_luma_rows(&changed, 203, 157, 100..157);
        }
    }

    #[test]
    fn synthetic_scan_band_matches() {
        let bytes = crate::intake::synthetic::synthetic_scan_jpeg(3, 827, 1169, 100);
        let (w, h, full) = reference_luma(&bytes);
        let rows = h - 200..h;
        let band = band_of(&bytes, w, h, rows.clone());
        let expected = &full[rows.start as usize * w as usize..];
        assert!(band.iter().zip(expected).all(|(&a, &b)| a.abs_diff(b) <= 2));
    }
}
