//! `/ByteRange` checks and hashing of the signed bytes (ISO 32000-1 §12.8.1).
//!
//! All ByteRange bookkeeping lives here. The digest is computed straight from the borrowed
//! input slice, range by range, without copying the file.

use sha2::{Digest, Sha256, Sha384, Sha512};

use super::findings::{self, Finding};
use super::pdf_syntax::{self, RawDictionary, RevisionMarker, Token};

/// A checked `/ByteRange [0 b c d]`: the signed bytes are `0..b` and `c..c+d`, and `b..c`
/// is exactly the `/Contents` hex string (`<` at `b`, `>` at `c-1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    /// Length of the first range (it always starts at 0): the offset of `<`.
    pub first_len: usize,
    /// Start of the second range: one past `>`.
    pub second_start: usize,
    /// Length of the second range.
    pub second_len: usize,
}

impl ByteRange {
    /// One past the last signed byte.
    pub fn end(&self) -> usize {
        self.second_start.saturating_add(self.second_len)
    }

    /// As written in the file: `[0, b, c, d]`.
    pub fn as_array(&self) -> [u64; 4] {
        [
            0,
            self.first_len as u64,
            self.second_start as u64,
            self.second_len as u64,
        ]
    }

    /// The two signed slices, or `None` when they do not fit in `bytes`.
    pub fn signed_slices<'a>(&self, bytes: &'a [u8]) -> Option<(&'a [u8], &'a [u8])> {
        let first = bytes.get(..self.first_len)?;
        let second = bytes.get(self.second_start..self.end())?;
        Some((first, second))
    }

    /// The bytes between the ranges, without the angle brackets.
    fn gap_inside<'a>(&self, bytes: &'a [u8]) -> Option<&'a [u8]> {
        bytes.get(self.first_len.checked_add(1)?..self.second_start.checked_sub(1)?)
    }
}

/// Digest algorithms accepted for the signed bytes and signed attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA-1: computed only to check a signature that uses it, which is then too weak to be
    /// valid (ETSI TS 119 312; the report says so).
    Sha1,
}

impl DigestAlgorithm {
    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
            Self::Sha1 => 20,
        }
    }

    /// Digest of `parts` in order, streamed.
    pub fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut hasher = D::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.finalize().to_vec()
        }
        match self {
            Self::Sha256 => run::<Sha256>(parts),
            Self::Sha384 => run::<Sha384>(parts),
            Self::Sha512 => run::<Sha512>(parts),
            Self::Sha1 => {
                let mut context =
                    ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
                for part in parts {
                    context.update(part);
                }
                context.finish().as_ref().to_vec()
            }
        }
    }
}

/// Digest of the two signed ranges of `bytes`, read in place (`None` if out of bounds).
/// This is the hot path of verification and is public so it can be benchmarked alone.
pub fn digest_byte_ranges(
    bytes: &[u8],
    range: &ByteRange,
    algorithm: DigestAlgorithm,
) -> Option<Vec<u8>> {
    let (first, second) = range.signed_slices(bytes)?;
    Some(algorithm.digest_parts(&[first, second]))
}

/// Digests of the signed bytes of every signature of one file, sharing the work.
///
/// Every ByteRange starts at byte 0, and a later signature's first range runs past the end
/// of an earlier one, so the file's prefix is hashed once per algorithm: the running hash
/// state is cloned at each first-range end and finished with that signature's second range.
/// Two signatures over a 10 MB copy cost one pass over 10 MB, not two. A range that ends
/// before the running state (signatures out of file order) is hashed from scratch; the
/// result is always exactly the digest of the two ranges.
pub(crate) struct SignedRangeDigests<'a> {
    bytes: &'a [u8],
    running: Vec<RunningDigest>,
}

struct RunningDigest {
    /// Bytes `0..hashed` are in `state`.
    hashed: usize,
    state: Hasher,
}

#[derive(Clone)]
enum Hasher {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
    Sha1(ring::digest::Context),
}

impl Hasher {
    fn new(algorithm: DigestAlgorithm) -> Self {
        match algorithm {
            DigestAlgorithm::Sha256 => Self::Sha256(Sha256::new()),
            DigestAlgorithm::Sha384 => Self::Sha384(Sha384::new()),
            DigestAlgorithm::Sha512 => Self::Sha512(Sha512::new()),
            DigestAlgorithm::Sha1 => Self::Sha1(ring::digest::Context::new(
                &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            )),
        }
    }

    fn algorithm(&self) -> DigestAlgorithm {
        match self {
            Self::Sha256(_) => DigestAlgorithm::Sha256,
            Self::Sha384(_) => DigestAlgorithm::Sha384,
            Self::Sha512(_) => DigestAlgorithm::Sha512,
            Self::Sha1(_) => DigestAlgorithm::Sha1,
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
            Self::Sha1(h) => h.update(data),
        }
    }

    fn finalize(self) -> Vec<u8> {
        match self {
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
            Self::Sha1(h) => h.finish().as_ref().to_vec(),
        }
    }
}

impl<'a> SignedRangeDigests<'a> {
    /// Digests over ranges of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            running: Vec::new(),
        }
    }

    /// Hashes `bytes[..len]` into the running `algorithm` state ahead of time (a no-op when
    /// the state is already past `len` or `len` is beyond the end).
    pub fn advance(&mut self, algorithm: DigestAlgorithm, len: usize) {
        let bytes = self.bytes;
        let Some(running) = self.running_mut(algorithm) else {
            return;
        };
        if let Some(more) = bytes.get(running.hashed..len) {
            running.state.update(more);
            running.hashed = len;
        }
    }

    fn running_mut(&mut self, algorithm: DigestAlgorithm) -> Option<&mut RunningDigest> {
        if !self
            .running
            .iter()
            .any(|running| running.state.algorithm() == algorithm)
        {
            self.running.push(RunningDigest {
                hashed: 0,
                state: Hasher::new(algorithm),
            });
        }
        self.running
            .iter_mut()
            .find(|running| running.state.algorithm() == algorithm)
    }

    /// The SHA-256 of `bytes[..len]`, continuing the running state when it is not past
    /// `len` (`None` when `len` is beyond the end).
    pub fn sha256_of_prefix(&mut self, len: usize) -> Option<[u8; 32]> {
        let prefix = self.bytes.get(..len)?;
        let running = self.running_mut(DigestAlgorithm::Sha256)?;
        let mut state = match &running.state {
            Hasher::Sha256(state) if running.hashed <= len => state.clone(),
            _ => return Some(Sha256::digest(prefix).into()),
        };
        state.update(prefix.get(running.hashed..)?);
        Some(state.finalize().into())
    }

    /// The `algorithm` digest of the bytes `range` signs, `None` when it does not fit.
    pub fn digest(&mut self, range: &ByteRange, algorithm: DigestAlgorithm) -> Option<Vec<u8>> {
        let (first, second) = range.signed_slices(self.bytes)?;
        let running = self.running_mut(algorithm)?;
        let mut state = if running.hashed <= first.len() {
            running.state.update(first.get(running.hashed..)?);
            running.hashed = first.len();
            running.state.clone()
        } else {
            let mut fresh = Hasher::new(algorithm);
            fresh.update(first);
            fresh
        };
        state.update(second);
        Some(state.finalize())
    }
}

/// The ByteRange checked against the raw signature dictionary, with the CMS bytes taken
/// from the gap.
#[derive(Debug, Clone)]
pub(crate) struct CheckedByteRange {
    /// The range.
    pub range: ByteRange,
    /// DER of the CMS, zero padding removed.
    pub cms: Vec<u8>,
}

/// Checks a signature dictionary, as written in the raw bytes, against the rules of
/// docs/ARCHITECTURE.md §6, check 1: one `/ByteRange` of four non-negative integers starting at 0, inside the
/// file, gap exactly the dictionary's one `/Contents` hex string, second range ending at a
/// revision end. Every failure is a `FORMAT_FAILURE` finding.
pub(crate) fn check_byte_range(
    bytes: &[u8],
    dictionary: &RawDictionary,
    markers: &[RevisionMarker],
) -> Result<CheckedByteRange, Finding> {
    let mut ranges = dictionary.entries_named(b"ByteRange");
    let (Some(range_entry), None) = (ranges.next(), ranges.next()) else {
        return Err(findings::format(
            "BYTE_RANGE_MISSING_OR_DUPLICATED",
            "chữ ký không có đúng một mục ByteRange (vùng dữ liệu được ký).",
            "the signature does not have exactly one /ByteRange.",
        ));
    };
    let mut contents = dictionary.entries_named(b"Contents");
    let (Some(contents_entry), None) = (contents.next(), contents.next()) else {
        return Err(findings::format(
            "CONTENTS_MISSING_OR_DUPLICATED",
            "chữ ký không có đúng một mục Contents (giá trị chữ ký).",
            "the signature does not have exactly one /Contents.",
        ));
    };
    let values = pdf_syntax::read_unsigned_array(bytes, range_entry.value_span.clone());
    let Some([0, b, c, d]) = values.as_deref().and_then(|v| <[u64; 4]>::try_from(v).ok()) else {
        return Err(findings::format(
            "BYTE_RANGE_NOT_FOUR_INTEGERS",
            "ByteRange không phải là bốn số nguyên không âm bắt đầu bằng 0.",
            "/ByteRange is not four non-negative integers starting with 0.",
        ));
    };
    let to_usize = |v: u64| usize::try_from(v).ok();
    let (Some(b), Some(c), Some(d)) = (to_usize(b), to_usize(c), to_usize(d)) else {
        return Err(out_of_file());
    };
    let range = ByteRange {
        first_len: b,
        second_start: c,
        second_len: d,
    };
    let fits = b > 0
        && d > 0
        && c > b.saturating_add(1)
        && c.checked_add(d).is_some_and(|end| end <= bytes.len());
    if !fits {
        return Err(out_of_file());
    }
    let gap_is_contents = contents_entry.value_token == Token::HexString
        && contents_entry.value_span.start == b
        && contents_entry.value_span.end == c;
    if !gap_is_contents || bytes.get(b) != Some(&b'<') || bytes.get(c - 1) != Some(&b'>') {
        return Err(findings::format(
            "BYTE_RANGE_GAP_NOT_CONTENTS",
            "phần không được ký của tệp không đúng bằng giá trị chữ ký (Contents); phần đó có thể chứa nội dung bị chèn thêm.",
            "the unsigned gap is not exactly the /Contents value of this signature; it could hide inserted content.",
        ));
    }
    if !markers.iter().any(|marker| marker.ends_at(range.end())) {
        return Err(findings::format(
            "BYTE_RANGE_NOT_REVISION_END",
            "vùng được ký không kết thúc ở cuối một phiên bản của tài liệu.",
            "the signed range does not end at the end of a revision.",
        ));
    }
    let hex = range
        .gap_inside(bytes)
        .and_then(pdf_syntax::decode_strict_hex);
    let Some(decoded) = hex else {
        return Err(findings::format(
            "CONTENTS_NOT_HEX",
            "giá trị chữ ký không phải là chuỗi hệ mười sáu hợp lệ.",
            "/Contents is not a plain even-length hex string.",
        ));
    };
    let cms = strip_zero_padding(decoded)?;
    Ok(CheckedByteRange { range, cms })
}

fn out_of_file() -> Finding {
    findings::format(
        "BYTE_RANGE_OUT_OF_FILE",
        "ByteRange chỉ ra vùng nằm ngoài tệp hoặc chồng lên nhau.",
        "/ByteRange points outside the file or its ranges overlap.",
    )
}

/// Signers reserve more room than the CMS needs and pad with zeros; keep exactly the one
/// DER value and require that only zeros follow it.
fn strip_zero_padding(mut decoded: Vec<u8>) -> Result<Vec<u8>, Finding> {
    let not_cms = || {
        findings::format(
            "CONTENTS_NOT_CMS",
            "giá trị chữ ký không chứa dữ liệu chữ ký CMS (có thể đã bị xóa trắng).",
            "/Contents does not hold a CMS signature (it may have been blanked).",
        )
    };
    let length = der_value_length(&decoded).ok_or_else(not_cms)?;
    let padding = decoded.get(length..).ok_or_else(not_cms)?;
    if padding.iter().any(|&byte| byte != 0) {
        return Err(findings::format(
            "CONTENTS_TRAILING_DATA",
            "sau dữ liệu chữ ký còn dữ liệu lạ.",
            "unexpected data follows the CMS signature inside /Contents.",
        ));
    }
    decoded.truncate(length);
    Ok(decoded)
}

/// Total length (header + content) of a DER SEQUENCE at the start of `der`.
fn der_value_length(der: &[u8]) -> Option<usize> {
    if der.first() != Some(&0x30) {
        return None;
    }
    let first_length = *der.get(1)?;
    if first_length < 0x80 {
        return Some(2 + usize::from(first_length));
    }
    let count = usize::from(first_length & 0x7f);
    if count == 0 || count > 4 {
        return None;
    }
    let mut length = 0usize;
    for byte in der.get(2..2 + count)? {
        length = length.checked_mul(256)?.checked_add(usize::from(*byte))?;
    }
    length.checked_add(2 + count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_prefix_digests_equal_separate_digests() {
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 251) as u8).collect();
        let ranges = [
            ByteRange {
                first_len: 4_000,
                second_start: 4_100,
                second_len: 900,
            },
            ByteRange {
                first_len: 7_000,
                second_start: 7_200,
                second_len: 2_800,
            },
            // Out of order: ends before the running state, hashed from scratch.
            ByteRange {
                first_len: 1_000,
                second_start: 1_050,
                second_len: 50,
            },
            ByteRange {
                first_len: 9_000,
                second_start: 9_100,
                second_len: 900,
            },
        ];
        for algorithm in [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            let mut shared = SignedRangeDigests::new(&bytes);
            for range in &ranges {
                assert_eq!(
                    shared.digest(range, algorithm),
                    digest_byte_ranges(&bytes, range, algorithm),
                    "{algorithm:?} {range:?}"
                );
            }
            let outside = ByteRange {
                first_len: 5,
                second_start: 9_990,
                second_len: 11,
            };
            assert_eq!(shared.digest(&outside, algorithm), None);
            for len in [0, 3_000, 9_000, 10_000] {
                let expected: [u8; 32] = Sha256::digest(&bytes[..len]).into();
                assert_eq!(shared.sha256_of_prefix(len), Some(expected), "{len}");
            }
            assert_eq!(shared.sha256_of_prefix(10_001), None);
        }
    }

    #[test]
    fn digest_matches_concatenation() {
        let bytes = b"0123456789abcdef";
        let range = ByteRange {
            first_len: 4,
            second_start: 10,
            second_len: 6,
        };
        let expected = DigestAlgorithm::Sha256.digest_parts(&[b"0123abcdef"]);
        assert_eq!(
            digest_byte_ranges(bytes, &range, DigestAlgorithm::Sha256),
            Some(expected)
        );
        let outside = ByteRange {
            second_len: 7,
            ..range
        };
        assert_eq!(
            digest_byte_ranges(bytes, &outside, DigestAlgorithm::Sha256),
            None
        );
    }

    #[test]
    fn zero_padding_is_stripped_and_junk_rejected() {
        assert_eq!(
            strip_zero_padding(vec![0x30, 0x01, 0x05, 0, 0]).ok(),
            Some(vec![0x30, 0x01, 0x05])
        );
        assert!(strip_zero_padding(vec![0x30, 0x01, 0x05, 0, 1]).is_err());
        assert!(strip_zero_padding(vec![0; 8]).is_err());
        assert!(strip_zero_padding(vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
    }
}
