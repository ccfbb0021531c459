//! Byte-level PDF syntax: the few places where the parsed object model is not enough.
//!
//! lopdf decodes objects but does not say *where* they are in the file, and it keeps only one
//! of two duplicate dictionary keys. A signature check needs both facts (ISO 32000-1 §12.8.1:
//! the `/ByteRange` gap must be exactly the `/Contents` string of the same dictionary), so this
//! module tokenizes the raw bytes itself. Every function takes hostile input: positions are
//! checked with `get`, loops are bounded by the input length, nesting is capped.

use std::ops::Range;

/// Deepest array/dictionary nesting accepted inside a signature dictionary.
const MAX_NESTING: usize = 64;

/// PDF white-space characters (ISO 32000-1 §7.2.2, Table 1).
pub(crate) fn is_whitespace(byte: u8) -> bool {
    matches!(byte, 0 | 9 | 10 | 12 | 13 | 32)
}

/// PDF delimiter characters (ISO 32000-1 §7.2.2, Table 2).
fn is_delimiter(byte: u8) -> bool {
    matches!(
        byte,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// Skips white space and comments starting at `pos`.
pub(crate) fn skip_whitespace_and_comments(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&byte) = bytes.get(pos) {
        if is_whitespace(byte) {
            pos += 1;
        } else if byte == b'%' {
            while let Some(&c) = bytes.get(pos) {
                if c == b'\r' || c == b'\n' {
                    break;
                }
                pos += 1;
            }
        } else {
            break;
        }
    }
    pos
}

/// One lexical token, with the byte span it occupies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// `<<`
    DictOpen,
    /// `>>`
    DictClose,
    /// `[`
    ArrayOpen,
    /// `]`
    ArrayClose,
    /// `/Name`, with `#xx` escapes decoded.
    Name(Vec<u8>),
    /// `<…>`; the span includes both angle brackets.
    HexString,
    /// `(…)`; the span includes both parentheses.
    LiteralString,
    /// Numbers, `true`, `false`, `null`, `R`, `obj`, `stream`, …
    Regular,
}

/// Why a stretch of bytes is not the PDF syntax a signature dictionary needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SyntaxError {
    /// The bytes end in the middle of a token or structure.
    UnexpectedEnd,
    /// A character or token that cannot stand here.
    Unexpected(usize),
    /// Arrays/dictionaries nested deeper than [`MAX_NESTING`].
    TooDeep,
    /// The object header does not name the expected object.
    WrongObject,
}

/// Reads the token that starts at or after `pos`; returns it with its span.
pub(crate) fn next_token(bytes: &[u8], pos: usize) -> Result<(Token, Range<usize>), SyntaxError> {
    let start = skip_whitespace_and_comments(bytes, pos);
    let first = *bytes.get(start).ok_or(SyntaxError::UnexpectedEnd)?;
    let second = bytes.get(start + 1).copied();
    match first {
        b'<' if second == Some(b'<') => Ok((Token::DictOpen, start..start + 2)),
        b'>' if second == Some(b'>') => Ok((Token::DictClose, start..start + 2)),
        b'[' => Ok((Token::ArrayOpen, start..start + 1)),
        b']' => Ok((Token::ArrayClose, start..start + 1)),
        b'<' => {
            let mut end = start + 1;
            loop {
                let c = *bytes.get(end).ok_or(SyntaxError::UnexpectedEnd)?;
                if c == b'>' {
                    return Ok((Token::HexString, start..end + 1));
                }
                if !(c.is_ascii_hexdigit() || is_whitespace(c)) {
                    return Err(SyntaxError::Unexpected(end));
                }
                end += 1;
            }
        }
        b'(' => {
            let mut depth = 0usize;
            let mut end = start;
            loop {
                let c = *bytes.get(end).ok_or(SyntaxError::UnexpectedEnd)?;
                match c {
                    b'\\' => end += 1,
                    b'(' => depth += 1,
                    b')' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return Ok((Token::LiteralString, start..end + 1));
                        }
                    }
                    _ => {}
                }
                end += 1;
            }
        }
        b'/' => {
            let mut end = start + 1;
            while let Some(&c) = bytes.get(end) {
                if is_whitespace(c) || is_delimiter(c) {
                    break;
                }
                end += 1;
            }
            let raw = bytes
                .get(start + 1..end)
                .ok_or(SyntaxError::UnexpectedEnd)?;
            Ok((Token::Name(decode_name(raw)), start..end))
        }
        b')' | b'>' | b'{' | b'}' => Err(SyntaxError::Unexpected(start)),
        _ => {
            let mut end = start;
            while let Some(&c) = bytes.get(end) {
                if is_whitespace(c) || is_delimiter(c) {
                    break;
                }
                end += 1;
            }
            Ok((Token::Regular, start..end))
        }
    }
}

/// Decodes `#xx` escapes in a name (ISO 32000-1 §7.3.5), so `/Cont#65nts` is `/Contents`.
fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        if c == b'#'
            && let (Some(h), Some(l)) = (
                raw.get(i + 1).and_then(hex_value),
                raw.get(i + 2).and_then(hex_value),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

fn hex_value(c: &u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes the hex digits of a hex string's inside (no brackets); `None` on any other byte
/// or an odd digit count. Signature writers emit plain, even-length hex, so anything else in a
/// `/Contents` gap is treated as malformed rather than normalised.
pub(crate) fn decode_strict_hex(inside: &[u8]) -> Option<Vec<u8>> {
    if !inside.len().is_multiple_of(2) {
        return None;
    }
    inside
        .chunks_exact(2)
        .map(|pair| match pair {
            [h, l] => Some(hex_value(h)? << 4 | hex_value(l)?),
            _ => None,
        })
        .collect()
}

/// Parses an unsigned decimal integer token (no sign, no fraction).
pub(crate) fn parse_unsigned(token: &[u8]) -> Option<u64> {
    if token.is_empty() || token.len() > 19 || !token.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(token).ok()?.parse().ok()
}

/// One top-level entry of a dictionary as written in the file.
#[derive(Debug, Clone)]
pub(crate) struct RawEntry {
    /// The key, escapes decoded.
    pub key: Vec<u8>,
    /// The first token of the value.
    pub value_token: Token,
    /// The span of the whole value (for a reference `12 0 R`, all three tokens).
    pub value_span: Range<usize>,
}

/// A dictionary object located in the raw bytes.
#[derive(Debug, Clone)]
pub(crate) struct RawDictionary {
    /// Top-level entries in file order, duplicates kept.
    pub entries: Vec<RawEntry>,
    /// Span from `<<` to `>>` inclusive.
    pub span: Range<usize>,
}

impl RawDictionary {
    /// All entries whose key is `key`.
    pub fn entries_named<'a>(&'a self, key: &'a [u8]) -> impl Iterator<Item = &'a RawEntry> + 'a {
        self.entries.iter().filter(move |entry| entry.key == key)
    }
}

/// Reads the indirect object `number generation obj << … >>` at `offset` and returns its
/// top-level dictionary entries with their positions.
pub(crate) fn read_object_dictionary(
    bytes: &[u8],
    offset: usize,
    number: u32,
    generation: u16,
) -> Result<RawDictionary, SyntaxError> {
    let (token, span) = next_token(bytes, offset)?;
    let header_number = bytes.get(span.clone()).and_then(parse_unsigned);
    if token != Token::Regular || header_number != Some(u64::from(number)) {
        return Err(SyntaxError::WrongObject);
    }
    let (token, span) = next_token(bytes, span.end)?;
    let header_generation = bytes.get(span.clone()).and_then(parse_unsigned);
    if token != Token::Regular || header_generation != Some(u64::from(generation)) {
        return Err(SyntaxError::WrongObject);
    }
    let (token, span) = next_token(bytes, span.end)?;
    if token != Token::Regular || bytes.get(span.clone()) != Some(b"obj".as_slice()) {
        return Err(SyntaxError::WrongObject);
    }
    let (token, open) = next_token(bytes, span.end)?;
    if token != Token::DictOpen {
        return Err(SyntaxError::Unexpected(open.start));
    }
    let mut entries = Vec::new();
    let mut pos = open.end;
    loop {
        let (token, span) = next_token(bytes, pos)?;
        match token {
            Token::DictClose => {
                return Ok(RawDictionary {
                    entries,
                    span: open.start..span.end,
                });
            }
            Token::Name(key) => {
                let (value_token, value_span) = read_value(bytes, span.end)?;
                pos = value_span.end;
                entries.push(RawEntry {
                    key,
                    value_token,
                    value_span,
                });
            }
            _ => return Err(SyntaxError::Unexpected(span.start)),
        }
    }
}

/// Reads one complete value starting at `pos`: a nested array/dictionary is skipped to its
/// matching close, and `int int R` is taken as one reference.
fn read_value(bytes: &[u8], pos: usize) -> Result<(Token, Range<usize>), SyntaxError> {
    let (token, span) = next_token(bytes, pos)?;
    match token {
        Token::DictOpen | Token::ArrayOpen => {
            let mut depth = 1usize;
            let mut end = span.end;
            while depth > 0 {
                let (inner, inner_span) = next_token(bytes, end)?;
                match inner {
                    Token::DictOpen | Token::ArrayOpen => depth += 1,
                    Token::DictClose | Token::ArrayClose => depth -= 1,
                    _ => {}
                }
                if depth > MAX_NESTING {
                    return Err(SyntaxError::TooDeep);
                }
                end = inner_span.end;
            }
            Ok((token, span.start..end))
        }
        Token::DictClose | Token::ArrayClose => Err(SyntaxError::Unexpected(span.start)),
        Token::Regular => {
            // `12 0 R`: look ahead two tokens without failing on end of input.
            if bytes.get(span.clone()).and_then(parse_unsigned).is_some()
                && let Ok((Token::Regular, generation)) = next_token(bytes, span.end)
                && bytes
                    .get(generation.clone())
                    .and_then(parse_unsigned)
                    .is_some()
                && let Ok((Token::Regular, keyword)) = next_token(bytes, generation.end)
                && bytes.get(keyword.clone()) == Some(b"R".as_slice())
            {
                return Ok((Token::Regular, span.start..keyword.end));
            }
            Ok((token, span))
        }
        _ => Ok((token, span)),
    }
}

/// Reads an array written as `[ n n n … ]` of unsigned integers at `span`.
pub(crate) fn read_unsigned_array(bytes: &[u8], span: Range<usize>) -> Option<Vec<u64>> {
    let (token, open) = next_token(bytes, span.start).ok()?;
    if token != Token::ArrayOpen {
        return None;
    }
    let mut values = Vec::new();
    let mut pos = open.end;
    loop {
        let (token, item) = next_token(bytes, pos).ok()?;
        match token {
            Token::ArrayClose => return (item.end == span.end).then_some(values),
            Token::Regular => {
                values.push(bytes.get(item.clone()).and_then(parse_unsigned)?);
                if values.len() > 16 {
                    return None;
                }
                pos = item.end;
            }
            _ => return None,
        }
    }
}

/// The end of one revision: `startxref N %%EOF` followed by an end-of-line or the end of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RevisionMarker {
    /// Offset just after `%%EOF`.
    pub eof_end: usize,
    /// Offset after the end-of-line that follows `%%EOF` (equal to `eof_end` at end of file).
    pub line_end: usize,
    /// The `startxref` value.
    pub startxref: u64,
}

impl RevisionMarker {
    /// Whether a signed range that stops at `end` stops at this revision's end: right after
    /// `%%EOF` or inside/after the end-of-line that follows it.
    pub fn ends_at(&self, end: usize) -> bool {
        (self.eof_end..=self.line_end).contains(&end)
    }
}

/// Finds every `startxref N %%EOF<EOL>` in the file, in file order (ISO 32000-1 §7.5.5, §7.5.6).
pub(crate) fn revision_markers(bytes: &[u8]) -> Vec<RevisionMarker> {
    const EOF: &[u8] = b"%%EOF";
    let mut markers = Vec::new();
    let mut search_from = 0;
    while let Some(found) = find(bytes, EOF, search_from) {
        search_from = found + EOF.len();
        let eof_end = found + EOF.len();
        let line_end = match (bytes.get(eof_end), bytes.get(eof_end + 1)) {
            (None, _) => eof_end,
            (Some(b'\r'), Some(b'\n')) => eof_end + 2,
            (Some(b'\r' | b'\n'), _) => eof_end + 1,
            _ => continue,
        };
        if let Some(startxref) = startxref_before(bytes, found) {
            markers.push(RevisionMarker {
                eof_end,
                line_end,
                startxref,
            });
        }
    }
    markers
}

/// Reads `startxref <ws> digits <ws>` backwards from `eof_pos` (the `%%EOF` position).
fn startxref_before(bytes: &[u8], eof_pos: usize) -> Option<u64> {
    let mut pos = eof_pos;
    while pos > 0 && bytes.get(pos - 1).copied().is_some_and(is_whitespace) {
        pos -= 1;
    }
    let digits_end = pos;
    while pos > 0 && bytes.get(pos - 1).is_some_and(u8::is_ascii_digit) {
        pos -= 1;
    }
    let value = parse_unsigned(bytes.get(pos..digits_end)?)?;
    let digits_start = pos;
    while pos > 0 && bytes.get(pos - 1).copied().is_some_and(is_whitespace) {
        pos -= 1;
    }
    if pos == digits_start {
        return None;
    }
    let keyword_start = pos.checked_sub(b"startxref".len())?;
    (bytes.get(keyword_start..pos)? == b"startxref").then_some(value)
}

/// Position of `needle` in `haystack` at or after `from` (SIMD substring search: the
/// `%%EOF` scan runs over every byte of every upload).
pub(crate) fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(haystack.get(from..)?, needle).map(|position| position + from)
}

/// An `N G obj` header that starts a line, found by scanning raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ObjectHeader {
    /// Offset of the object number.
    pub offset: usize,
    /// Object number.
    pub number: u32,
    /// Generation number.
    pub generation: u16,
}

/// Finds `N G obj` headers that start a line within `range`. Used on the bytes appended after a
/// signed revision, to notice objects that a lenient reader would see but the cross-reference
/// data does not list.
pub(crate) fn object_headers(bytes: &[u8], range: Range<usize>) -> Vec<ObjectHeader> {
    let mut headers = Vec::new();
    let mut pos = range.start;
    while pos < range.end {
        let at_line_start = pos == 0 || matches!(bytes.get(pos - 1), Some(b'\r' | b'\n'));
        if at_line_start && let Some(header) = object_header_at(bytes, pos) {
            headers.push(header);
        }
        pos += 1;
    }
    headers
}

fn object_header_at(bytes: &[u8], pos: usize) -> Option<ObjectHeader> {
    let (Token::Regular, number) = next_token(bytes, pos).ok()? else {
        return None;
    };
    if number.start != pos {
        return None;
    }
    let number_value = u32::try_from(parse_unsigned(bytes.get(number.clone())?)?).ok()?;
    let (Token::Regular, generation) = next_token(bytes, number.end).ok()? else {
        return None;
    };
    let generation_value = u16::try_from(parse_unsigned(bytes.get(generation.clone())?)?).ok()?;
    let (Token::Regular, keyword) = next_token(bytes, generation.end).ok()? else {
        return None;
    };
    (bytes.get(keyword)? == b"obj").then_some(ObjectHeader {
        offset: pos,
        number: number_value,
        generation: generation_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_signature_dictionary_entries_with_positions() {
        let bytes = b"7 0 obj\n<< /Type /Sig /Cont#65nts <00ff> /ByteRange [0 10 20 30] /P 3 0 R /M (D:2024(x)\\)) >>\nendobj";
        let dict = read_object_dictionary(bytes, 0, 7, 0).expect("well-formed test dictionary");
        let keys: Vec<_> = dict.entries.iter().map(|e| e.key.clone()).collect();
        assert_eq!(
            keys,
            vec![
                b"Type".to_vec(),
                b"Contents".to_vec(),
                b"ByteRange".to_vec(),
                b"P".to_vec(),
                b"M".to_vec()
            ]
        );
        let contents = &dict.entries[1];
        assert_eq!(&bytes[contents.value_span.clone()], b"<00ff>");
        let range = &dict.entries[2];
        assert_eq!(
            read_unsigned_array(bytes, range.value_span.clone()),
            Some(vec![0, 10, 20, 30])
        );
        assert_eq!(&bytes[dict.entries[3].value_span.clone()], b"3 0 R");
    }

    #[test]
    fn rejects_wrong_object_and_truncation() {
        let bytes = b"7 0 obj << /A 1 >> endobj";
        assert_eq!(
            read_object_dictionary(bytes, 0, 8, 0).err(),
            Some(SyntaxError::WrongObject)
        );
        assert!(read_object_dictionary(&bytes[..14], 0, 7, 0).is_err());
        assert!(read_object_dictionary(b"", 0, 7, 0).is_err());
    }

    #[test]
    fn finds_revision_markers_only_after_startxref() {
        let bytes = b"%PDF-1.7\nstartxref\n123\n%%EOF\nstream %%EOF\nstartxref 9 %%EOFx\nstartxref\r\n456\r\n%%EOF";
        let markers = revision_markers(bytes);
        assert_eq!(markers.len(), 2);
        assert_eq!(markers[0].startxref, 123);
        assert_eq!(markers[1].startxref, 456);
        assert_eq!(markers[1].eof_end, bytes.len());
    }

    #[test]
    fn strict_hex_and_unsigned() {
        assert_eq!(decode_strict_hex(b"00Ff"), Some(vec![0, 255]));
        assert_eq!(decode_strict_hex(b"0"), None);
        assert_eq!(decode_strict_hex(b"0 0"), None);
        assert_eq!(parse_unsigned(b"-1"), None);
        assert_eq!(parse_unsigned(b"+1"), None);
        assert_eq!(parse_unsigned(b"42"), Some(42));
    }
}
