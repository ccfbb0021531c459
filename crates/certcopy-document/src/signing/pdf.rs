//! PDF level: one PAdES B-B signature added as an incremental update.
//!
//! All `/ByteRange` bookkeeping lives in this file. The steps are:
//! 1. add the signature dictionary (with a `/ByteRange` placeholder and a zero-filled
//!    `/Contents` of the size [`max_signed_data_len`] allows), then either fill an existing
//!    unsigned signature field (`/V`, new `/AP`) or add a new field/widget with its
//!    appearance to the page `/Annots` and the AcroForm `/Fields`; optionally add empty
//!    fields for later signatures; for a certification signature add `/Perms /DocMDP` —
//!    all as an incremental update that keeps the original bytes unchanged as a prefix
//!    (ISO 32000-1, 7.5.6);
//! 2. find the two placeholders in the appended bytes and patch `/ByteRange` in place
//!    (same length, padded with spaces) so it covers the whole file except the `/Contents`
//!    hex string with its delimiters (ISO 32000-1, 12.8.1);
//! 3. stream SHA-256 over the two ranges, build the CMS SignedData over that digest and
//!    hex-write it into `/Contents` (never truncated);
//! 4. read the result back and check the signature dictionary (fail-closed).

use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId, StringFormat};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::appearance::{
    Appearance, AppearanceContent, appearance_stream, empty_appearance_stream,
};
use super::append::{UPDATE_RESERVE, append_update};
use super::cms::{
    SHA256_LEN, add_signature_timestamp, build_detached_signed_data, max_signed_data_len,
    signature_value,
};
use super::error::{PdfError, SigningError};
use super::signature_field::{
    EmptySignatureField, ExistingSignatures, UnsignedField, add_docmdp_permission, add_to_acroform,
    add_to_page_annots, checked_rect, unused_field_name,
};
use super::signer::{Signer, Timestamper};

/// Extra bytes reserved in `/Contents` beyond the computed bound, so a signer that returns a
/// slightly longer (still valid) encoding does not fail.
const CONTENTS_MARGIN: usize = 64;

/// The value written in `/ByteRange` before the real offsets are known. Ten-digit numbers
/// leave room for any file below 10 GB in the patched value.
const BYTE_RANGE_PLACEHOLDER_VALUE: i64 = 1_000_000_000;

/// How `BYTE_RANGE_PLACEHOLDER_VALUE` appears in the written file (lopdf's array syntax).
const BYTE_RANGE_PLACEHOLDER: &[u8] = b"[0 1000000000 1000000000 1000000000]";

/// Flags of a widget signed in the same revision: Print (bit 3) and Locked (bit 8)
/// (ISO 32000-1, 12.5.3).
const SIGNED_WIDGET_FLAGS: i64 = 4 | 128;

/// Flags of an empty signature widget: Print. It is not locked so that the later signature
/// can set its appearance; `/F` is then left unchanged, as validators expect.
const EMPTY_WIDGET_FLAGS: i64 = 4;

/// What one signature says and how it looks.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureRequest {
    /// Name of the signer, written to `/Name` (the certificate remains authoritative).
    pub signer_name: String,
    /// Reason for signing (`/Reason`); omitted when empty.
    pub reason: String,
    /// Place of signing (`/Location`); omitted when empty.
    pub location: String,
    /// Claimed signing time, written to `/M` (PAdES B-B keeps it out of the CMS).
    pub signing_time: OffsetDateTime,
    /// Certification (first signature, with DocMDP) or approval.
    pub kind: SignatureKind,
    /// Name of the signature field. When the document has an unsigned signature field of
    /// this name, that field is signed (see [`SignatureRequest::appearance`]); otherwise a new
    /// field of this name is created. `None`: a new field named `Signature1`, `Signature2`, ….
    pub field_name: Option<String>,
    /// Visible widget; `None` gives an invisible signature (zero-size rectangle on page 1),
    /// or keeps the appearance of an existing field being signed. When an existing field is
    /// signed, `page_index` and `rect` must match its widget and the content is drawn into it.
    pub appearance: Option<Appearance>,
    /// Unsigned signature fields to create in the same revision, for later signatures
    /// (e.g. the agency seal's field, created by the certification signature).
    pub empty_fields: Vec<EmptySignatureField>,
}

/// Certification or approval signature (ISO 32000-1, 12.8.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureKind {
    /// The document's first signature, fixing which later changes are allowed.
    Certification {
        /// The DocMDP permission level.
        permission: DocMdpPermission,
    },
    /// An ordinary signature over the document as it is now.
    Approval,
    /// A document time-stamp (ISO 32000-2, 12.8.5; PAdES B-LTA): `/Type /DocTimeStamp`,
    /// `/SubFilter /ETSI.RFC3161`, an RFC 3161 token over the byte ranges in `/Contents`,
    /// invisible. Only the field name and the appearance-less placement of the request are
    /// used; it is allowed after any DocMDP level, as PAdES allows it.
    DocumentTimestamp,
}

/// DocMDP `/P` values (ISO 32000-1, Table 254).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocMdpPermission {
    /// P=1: no change at all is allowed after certification.
    NoChanges,
    /// P=2: filling forms, instantiating page templates and signing are allowed.
    FormFillingAndSigning,
    /// P=3: as P=2, plus annotation creation, deletion and modification.
    FormFillingSigningAndAnnotations,
}

impl DocMdpPermission {
    /// The `/P` number.
    pub fn value(self) -> i64 {
        match self {
            Self::NoChanges => 1,
            Self::FormFillingAndSigning => 2,
            Self::FormFillingSigningAndAnnotations => 3,
        }
    }
}

/// Adds one PAdES baseline B-B signature (`/SubFilter /ETSI.CAdES.detached`) to `pdf` as an
/// incremental update and returns the signed file; `pdf` is its unchanged prefix.
pub fn sign_pdf(
    pdf: &[u8],
    signer: &dyn Signer,
    request: &SignatureRequest,
) -> Result<Vec<u8>, SigningError> {
    sign_pdf_continuing(pdf.to_vec(), signer, request, None).map(|(signed, _)| signed)
}

/// SHA-256 state over the first `len` bytes of a file. Signatures only append to a file,
/// so the state of one signature's first range is a valid start for the next signature's
/// and for the hash of the finished file: a copy signed twice is hashed once, not three
/// times.
#[derive(Clone, Debug)]
pub struct PrefixHash {
    len: usize,
    state: Sha256,
}

impl PrefixHash {
    /// SHA-256 of `file`, which starts with the hashed prefix (`None` if it is shorter).
    pub fn finish(self, file: &[u8]) -> Option<[u8; SHA256_LEN]> {
        let mut state = self.state;
        state.update(file.get(self.len..)?);
        Some(state.finalize().into())
    }
}

/// [`sign_pdf`] taking the file by value (the update is appended to the same buffer, so a
/// large scan is not copied once more per signature). Hashing starts from `prefix`, the
/// [`PrefixHash`] returned by the signature that produced `pdf` (a state from any other file
/// yields a signature whose digest does not match, which every verifier rejects); returns
/// the hash state of its own first range for the next step.
pub fn sign_pdf_continuing(
    pdf: Vec<u8>,
    signer: &dyn Signer,
    request: &SignatureRequest,
    prefix: Option<PrefixHash>,
) -> Result<(Vec<u8>, PrefixHash), SigningError> {
    sign_pdf_stamped(pdf, signer, request, prefix, None)
}

/// Room for the signature-time-stamp attribute around a token: its SET, SEQUENCE and OID.
const TIMESTAMP_ATTRIBUTE_OVERHEAD: usize = 64;

/// [`sign_pdf_continuing`] with, when `timestamper` is given, a time-stamp over the
/// signature value in the CMS (PAdES B-T: the signature is proven to exist at that time).
pub fn sign_pdf_stamped(
    pdf: Vec<u8>,
    signer: &dyn Signer,
    request: &SignatureRequest,
    prefix: Option<PrefixHash>,
    timestamper: Option<&dyn Timestamper>,
) -> Result<(Vec<u8>, PrefixHash), SigningError> {
    if request.kind == SignatureKind::DocumentTimestamp {
        return Err(SigningError::InvalidRequest {
            reason: "a document time-stamp is added with timestamp_pdf",
        });
    }
    let stamp_room = timestamper.map_or(0, |t| t.max_token_len() + TIMESTAMP_ATTRIBUTE_OVERHEAD);
    let reserved = max_signed_data_len(signer)? + stamp_room + CONTENTS_MARGIN;
    fill_placeholder(pdf, request, reserved, prefix, |digest| {
        let signed_data = build_detached_signed_data(digest, signer)?;
        match timestamper {
            Some(timestamper) => {
                let imprint: [u8; SHA256_LEN] =
                    Sha256::digest(signature_value(&signed_data)?).into();
                let token = timestamper.token(&imprint)?;
                add_signature_timestamp(&signed_data, &token)
            }
            None => Ok(signed_data),
        }
    })
}

/// Adds a document time-stamp (PAdES B-LTA) over the whole of `pdf` as an incremental
/// update, in a new invisible field `DocumentTimestamp1` (or the next free number). Its
/// token proves that everything before it — signatures, their time-stamps and the DSS —
/// existed at its time. Hashing starts from `prefix` as in [`sign_pdf_continuing`].
pub fn timestamp_pdf(
    pdf: Vec<u8>,
    timestamper: &dyn Timestamper,
    prefix: Option<PrefixHash>,
) -> Result<(Vec<u8>, PrefixHash), SigningError> {
    let request = SignatureRequest {
        signer_name: String::new(),
        reason: String::new(),
        location: String::new(),
        signing_time: OffsetDateTime::now_utc(),
        kind: SignatureKind::DocumentTimestamp,
        field_name: None,
        appearance: None,
        empty_fields: Vec::new(),
    };
    let reserved = timestamper.max_token_len() + CONTENTS_MARGIN;
    fill_placeholder(pdf, &request, reserved, prefix, |digest| {
        timestamper.token(digest)
    })
}

/// The steps every signature shares: writes the update with placeholders, patches
/// `/ByteRange`, hashes the covered bytes (continuing `prefix`), asks `contents` for the
/// DER to put in `/Contents` over that digest, writes it and reads the result back.
fn fill_placeholder(
    pdf: Vec<u8>,
    request: &SignatureRequest,
    reserved: usize,
    prefix: Option<PrefixHash>,
    contents: impl FnOnce(&[u8; SHA256_LEN]) -> Result<Vec<u8>, SigningError>,
) -> Result<(Vec<u8>, PrefixHash), SigningError> {
    let prefix_len = pdf.len();
    let (mut signed, signature_id) = write_prepared_update(pdf, request, reserved)?;

    let placeholder = locate_placeholders(&signed, prefix_len, reserved)?;
    let byte_range = placeholder.byte_range(signed.len());
    patch_byte_range(&mut signed, placeholder.byte_range_at, &byte_range)?;

    let (before, after) = byte_range
        .covered(&signed)
        .ok_or(PdfError::ReadBackMismatch)?;
    let mut state = match prefix {
        Some(prefix) if prefix.len <= before.len() && prefix.len <= prefix_len => {
            let mut state = prefix.state;
            state.update(before.get(prefix.len..).ok_or(PdfError::ReadBackMismatch)?);
            state
        }
        _ => Sha256::new_with_prefix(before),
    };
    let next = PrefixHash {
        len: before.len(),
        state: state.clone(),
    };
    state.update(after);
    let digest: [u8; SHA256_LEN] = state.finalize().into();
    let signed_data = contents(&digest)?;
    write_contents(&mut signed, &placeholder, &signed_data)?;

    check_read_back(&signed, signature_id, &byte_range, &signed_data, reserved)?;
    Ok((signed, next))
}

/// Loads the structure of `pdf` (catalog, pages, fields, signatures) without the samples of
/// its images: signing neither reads nor rewrites them, they stay in the unchanged prefix.
/// Saves a copy of every scan per load; [`check_no_elided_stream`] makes sure no emptied
/// image is ever written back.
pub(super) fn load_structure(pdf: &[u8]) -> Result<Document, PdfError> {
    let options = lopdf::LoadOptions {
        filter: Some(empty_image_samples),
        ..lopdf::LoadOptions::default()
    };
    Document::load_mem_with_options(pdf, options).map_err(PdfError::Lopdf)
}

/// Load filter: empties the data of image XObject streams, keeps everything else.
fn empty_image_samples(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(stream) = object
        && is_image(&stream.dict)
    {
        stream.content = Vec::new();
    }
    Some((id, object.clone()))
}

fn is_image(dict: &Dictionary) -> bool {
    matches!(dict.get(b"Subtype"), Ok(Object::Name(name)) if name == b"Image")
}

/// Refuses to write an image stream taken from a structure-only load (its data was left
/// out). Nothing in signing copies an image into the update; this keeps it so.
fn check_no_elided_stream(update: &IncrementalDocument) -> Result<(), PdfError> {
    let previous = update.get_prev_documents();
    let elided = update.new_document.objects.iter().any(|(id, object)| {
        matches!(object, Object::Stream(stream) if is_image(&stream.dict)
            && stream.content.is_empty()
            && previous.objects.contains_key(id))
    });
    if elided {
        return Err(PdfError::Malformed {
            what: "image stream copied into the signature update",
        });
    }
    Ok(())
}

/// The four `/ByteRange` numbers: `[0, before_len, after_start, after_len]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteRange {
    /// Length of the first range (which starts at 0): up to the `<` of `/Contents`.
    pub before_len: usize,
    /// Start of the second range: just after the `>` of `/Contents`.
    pub after_start: usize,
    /// Length of the second range: to the end of the file.
    pub after_len: usize,
}

impl ByteRange {
    /// The two covered slices of `file`, or `None` when the ranges overlap or run past the
    /// end of `file`. (For an earlier signature the second range ends at that revision's end,
    /// before the end of the file.)
    pub fn covered<'a>(&self, file: &'a [u8]) -> Option<(&'a [u8], &'a [u8])> {
        let after_end = self.after_start.checked_add(self.after_len)?;
        if self.before_len > self.after_start || after_end > file.len() {
            return None;
        }
        Some((
            file.get(..self.before_len)?,
            file.get(self.after_start..after_end)?,
        ))
    }

    /// The numbers as written in `/ByteRange`.
    fn as_array(&self) -> [usize; 4] {
        [0, self.before_len, self.after_start, self.after_len]
    }
}

/// SHA-256 streamed over the two ranges of `file` (docs/ARCHITECTURE.md §5).
pub fn byte_range_digest(
    file: &[u8],
    byte_range: &ByteRange,
) -> Result<[u8; SHA256_LEN], SigningError> {
    let (before, after) = byte_range.covered(file).ok_or(PdfError::ReadBackMismatch)?;
    let mut hasher = Sha256::new();
    hasher.update(before);
    hasher.update(after);
    Ok(hasher.finalize().into())
}

/// Where the placeholders were written.
#[derive(Debug)]
struct Placeholders {
    /// Offset of the `[` of the `/ByteRange` placeholder array.
    byte_range_at: usize,
    /// Offset of the `<` of the `/Contents` hex string.
    contents_start: usize,
    /// Offset just after the `>` of the `/Contents` hex string.
    contents_end: usize,
}

impl Placeholders {
    fn byte_range(&self, file_len: usize) -> ByteRange {
        ByteRange {
            before_len: self.contents_start,
            after_start: self.contents_end,
            after_len: file_len.saturating_sub(self.contents_end),
        }
    }
}

/// Finds the placeholders, each exactly once, in the bytes appended after the original
/// `prefix_len` bytes.
fn locate_placeholders(
    file: &[u8],
    prefix_len: usize,
    reserved: usize,
) -> Result<Placeholders, SigningError> {
    let appended = file
        .get(prefix_len..)
        .ok_or(PdfError::PlaceholderNotFound)?;
    let byte_range_at = prefix_len + find_unique(appended, BYTE_RANGE_PLACEHOLDER)?;

    let mut contents = Vec::with_capacity(2 * reserved + 2);
    contents.push(b'<');
    contents.resize(2 * reserved + 1, b'0');
    contents.push(b'>');
    let contents_start = prefix_len + find_unique(appended, &contents)?;

    // lopdf keeps dictionary insertion order: /ByteRange was set before /Contents.
    if contents_start <= byte_range_at {
        return Err(PdfError::PlaceholderNotFound.into());
    }
    Ok(Placeholders {
        byte_range_at,
        contents_start,
        contents_end: contents_start + contents.len(),
    })
}

/// Offset of the only occurrence of `needle` in `haystack`.
fn find_unique(haystack: &[u8], needle: &[u8]) -> Result<usize, SigningError> {
    let mut found = haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, window)| *window == needle)
        .map(|(offset, _)| offset);
    match (found.next(), found.next()) {
        (Some(offset), None) => Ok(offset),
        _ => Err(PdfError::PlaceholderNotFound.into()),
    }
}

/// Overwrites the `/ByteRange` placeholder with the real numbers, padded with spaces to
/// the same length so no offset moves.
fn patch_byte_range(
    file: &mut [u8],
    at: usize,
    byte_range: &ByteRange,
) -> Result<(), SigningError> {
    let [a, b, c, d] = byte_range.as_array();
    let numbers = format!("[{a} {b} {c} {d}");
    let width = BYTE_RANGE_PLACEHOLDER.len();
    if numbers.len() + 1 > width {
        return Err(SigningError::InvalidRequest {
            reason: "file too large for the /ByteRange placeholder",
        });
    }
    let patched = format!("{numbers:<pad$}]", pad = width - 1);
    let target = file
        .get_mut(at..at + width)
        .ok_or(PdfError::PlaceholderNotFound)?;
    target.copy_from_slice(patched.as_bytes());
    Ok(())
}

/// Hex-writes the CMS into the zero-filled `/Contents` placeholder; errors rather than
/// truncating when it does not fit.
fn write_contents(
    file: &mut [u8],
    placeholder: &Placeholders,
    signed_data: &[u8],
) -> Result<(), SigningError> {
    // Hex digits between `<` and `>`.
    let capacity = (placeholder.contents_end - placeholder.contents_start - 2) / 2;
    if signed_data.len() > capacity {
        return Err(SigningError::SignatureTooLarge {
            needed: signed_data.len(),
            reserved: capacity,
        });
    }
    let start = placeholder.contents_start + 1;
    let target = file
        .get_mut(start..start + 2 * signed_data.len())
        .ok_or(PdfError::PlaceholderNotFound)?;
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (pair, byte) in target.chunks_exact_mut(2).zip(signed_data) {
        pair[0] = HEX[usize::from(byte >> 4)];
        pair[1] = HEX[usize::from(byte & 0x0F)];
    }
    Ok(())
}

/// Parses the signed file again and checks that the signature dictionary holds exactly
/// the `/ByteRange` and `/Contents` computed here.
fn check_read_back(
    signed: &[u8],
    signature_id: ObjectId,
    byte_range: &ByteRange,
    signed_data: &[u8],
    reserved: usize,
) -> Result<(), SigningError> {
    let document = load_structure(signed)?;
    let signature = document
        .get_dictionary(signature_id)
        .map_err(PdfError::Lopdf)?;
    let written_range: Option<Vec<i64>> = signature
        .get(b"ByteRange")
        .and_then(Object::as_array)
        .ok()
        .map(|array| array.iter().filter_map(|n| n.as_i64().ok()).collect());
    let expected_range: Vec<i64> = byte_range
        .as_array()
        .iter()
        .map(|&n| i64::try_from(n).unwrap_or(-1))
        .collect();
    let contents = signature.get(b"Contents").and_then(Object::as_str).ok();
    let contents_ok = contents.is_some_and(|bytes| {
        bytes.len() == reserved
            && bytes.starts_with(signed_data)
            && bytes[signed_data.len()..].iter().all(|&b| b == 0)
    });
    if written_range.as_deref() != Some(expected_range.as_slice()) || !contents_ok {
        return Err(PdfError::ReadBackMismatch.into());
    }
    Ok(())
}

/// What an incremental update needs from the file it follows.
pub(super) struct Previous {
    /// The file's structure (image samples left out).
    pub document: Document,
    /// The catalog's object id.
    pub catalog_id: ObjectId,
    /// `/Size` of the last trailer.
    size: Option<u32>,
    /// The form of the last cross-reference section (the update's takes the same).
    pub section_kind: lopdf::xref::XrefType,
    /// Where the last cross-reference section starts (the update's `/Prev`).
    pub section_start: usize,
}

impl Previous {
    /// The catalog dictionary.
    pub fn catalog(&self) -> Result<&Dictionary, PdfError> {
        self.document
            .get_dictionary(self.catalog_id)
            .map_err(|_| PdfError::Malformed { what: "catalog" })
    }

    /// The builder of the update, whose trailer keeps `/Root`, `/Info` and `/ID`. The
    /// update's bytes are appended to the file itself, so the builder holds none.
    pub fn into_update(self) -> IncrementalDocument {
        let mut update = IncrementalDocument::create_from(Vec::new(), self.document);
        prepare_trailer(&mut update.new_document, self.size);
        update
    }
}

/// Reads what an update needs from `pdf`; refuses encrypted files, a missing catalog and a
/// file whose last cross-reference section was not found (lopdf rebuilt the table by
/// scanning: an update could not point back to it).
pub(super) fn read_previous(pdf: &[u8]) -> Result<Previous, SigningError> {
    let document = load_structure(pdf)?;
    if document.is_encrypted() || document.trailer.has(b"Encrypt") {
        return Err(PdfError::Encrypted.into());
    }
    let catalog_id = document
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PdfError::Malformed {
            what: "trailer /Root",
        })?;
    let size = document
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|size| u32::try_from(size).ok());
    let (section_kind, section_start) = (
        document.reference_table.cross_reference_type,
        document.xref_start,
    );
    if section_start == 0 {
        return Err(PdfError::Malformed {
            what: "cross-reference section",
        }
        .into());
    }
    Ok(Previous {
        document,
        catalog_id,
        size,
        section_kind,
        section_start,
    })
}

/// Builds and writes the incremental update with placeholders; returns the file and the
/// signature dictionary's object id.
fn write_prepared_update(
    pdf: Vec<u8>,
    request: &SignatureRequest,
    reserved: usize,
) -> Result<(Vec<u8>, ObjectId), SigningError> {
    let previous = read_previous(&pdf)?;
    let catalog_id = previous.catalog_id;
    let catalog = previous.catalog()?;

    let existing = ExistingSignatures::read(&previous.document, catalog);
    if existing.docmdp_permission == Some(DocMdpPermission::NoChanges.value())
        && request.kind != SignatureKind::DocumentTimestamp
    {
        return Err(PdfError::ChangesForbidden.into());
    }
    if matches!(request.kind, SignatureKind::Certification { .. })
        && (existing.docmdp_permission.is_some() || existing.signed_fields > 0)
    {
        return Err(PdfError::CertificationNotFirst.into());
    }
    let target = plan_target_field(&previous.document, &existing, request)?;
    let empty_fields = plan_empty_fields(&previous.document, &existing, request, &target)?;
    let signing_time = pdf_date(request.signing_time)?;
    let (section_kind, previous_section) = (previous.section_kind, previous.section_start);
    let mut update = previous.into_update();

    let signature_id = update
        .new_document
        .add_object(Object::Dictionary(signature_dictionary(
            request,
            signing_time,
            reserved,
        )));
    let content = request.appearance.as_ref().map(|a| &a.content);
    // New fields, grouped later by page for /Annots.
    let mut new_fields: Vec<(ObjectId, ObjectId)> = Vec::new();
    match target {
        TargetField::Existing(field) => {
            fill_existing_field(&mut update, &field, signature_id, content)?;
        }
        TargetField::New {
            name,
            page_id,
            rect,
        } => {
            let appearance = appearance_stream(&mut update.new_document, rect, content)?;
            let mut field = field_widget(&name, page_id, rect, SIGNED_WIDGET_FLAGS);
            field.set("V", Object::Reference(signature_id));
            let field_id = add_with_appearance(&mut update.new_document, field, appearance);
            new_fields.push((page_id, field_id));
        }
    }
    for (name, page_id, rect) in empty_fields {
        let appearance = empty_appearance_stream(rect[2] - rect[0], rect[3] - rect[1]);
        let field = field_widget(&name, page_id, rect, EMPTY_WIDGET_FLAGS);
        let field_id = add_with_appearance(&mut update.new_document, field, appearance);
        new_fields.push((page_id, field_id));
    }

    let mut pages: Vec<ObjectId> = new_fields.iter().map(|&(page, _)| page).collect();
    pages.sort_unstable();
    pages.dedup();
    for page_id in pages {
        let widgets: Vec<ObjectId> = new_fields
            .iter()
            .filter(|&&(page, _)| page == page_id)
            .map(|&(_, field)| field)
            .collect();
        add_to_page_annots(&mut update, page_id, &widgets)?;
    }
    let field_ids: Vec<ObjectId> = new_fields.iter().map(|&(_, field)| field).collect();
    add_to_acroform(&mut update, catalog_id, &field_ids)?;
    if matches!(request.kind, SignatureKind::Certification { .. }) {
        add_docmdp_permission(&mut update, catalog_id, signature_id)?;
    }

    check_no_elided_stream(&update)?;
    let mut written = pdf;
    // The hex `/Contents` dominates the update; fields, appearances and the section fit in
    // the rest (a larger update still works, the buffer then grows once).
    written.reserve(2 * reserved + UPDATE_RESERVE);
    append_update(
        &mut written,
        &update.new_document,
        section_kind,
        previous_section,
    )?;
    Ok((written, signature_id))
}

/// The field this signature goes into.
enum TargetField {
    /// An unsigned signature field already in the document.
    Existing(UnsignedField),
    /// A field created in this revision.
    New {
        name: String,
        page_id: ObjectId,
        rect: [f32; 4],
    },
}

/// Decides where the signature goes and checks the request against the document.
fn plan_target_field(
    document: &Document,
    existing: &ExistingSignatures,
    request: &SignatureRequest,
) -> Result<TargetField, SigningError> {
    let placement = request
        .appearance
        .as_ref()
        .map(|a| Ok::<_, SigningError>((page_id(document, a.page_index)?, checked_rect(a.rect)?)))
        .transpose()?;
    if let Some(name) = &request.field_name {
        if let Some(field) = existing.unsigned_fields.get(name.as_bytes()) {
            if placement.is_some_and(|(page, rect)| !field.matches_placement(page, rect)) {
                return Err(SigningError::InvalidRequest {
                    reason: "appearance page/rect differ from the existing signature field",
                });
            }
            return Ok(TargetField::Existing(field.clone()));
        }
        if existing.field_names.contains(name.as_bytes()) {
            return Err(SigningError::InvalidRequest {
                reason: "field name is taken by a field that is not an unsigned signature field",
            });
        }
    }
    let name = request.field_name.clone().unwrap_or_else(|| {
        let stem = match request.kind {
            SignatureKind::DocumentTimestamp => "DocumentTimestamp",
            _ => "Signature",
        };
        unused_field_name(&existing.field_names, stem)
    });
    let (page_id, rect) = match placement {
        Some(placement) => placement,
        None => (page_id(document, 0)?, [0.0; 4]),
    };
    Ok(TargetField::New {
        name,
        page_id,
        rect,
    })
}

/// Resolves and checks the requested empty fields: names unique in the document and in the
/// request, pages present, rectangles valid.
fn plan_empty_fields(
    document: &Document,
    existing: &ExistingSignatures,
    request: &SignatureRequest,
    target: &TargetField,
) -> Result<Vec<(String, ObjectId, [f32; 4])>, SigningError> {
    let mut names = existing.field_names.clone();
    if let TargetField::New { name, .. } = target {
        names.insert(name.as_bytes().to_vec());
    }
    request
        .empty_fields
        .iter()
        .map(|field| {
            if field.name.is_empty() || !names.insert(field.name.as_bytes().to_vec()) {
                return Err(SigningError::InvalidRequest {
                    reason: "empty signature field names must be non-empty and unique",
                });
            }
            Ok((
                field.name.clone(),
                page_id(document, field.page_index)?,
                checked_rect(field.rect)?,
            ))
        })
        .collect()
}

/// Object id of the page at a 0-based index.
fn page_id(document: &Document, page_index: usize) -> Result<ObjectId, SigningError> {
    let pages = document.get_pages();
    pages.values().nth(page_index).copied().ok_or_else(|| {
        PdfError::PageOutOfRange {
            index: page_index,
            count: pages.len(),
        }
        .into()
    })
}

/// Signature dictionary (ISO 32000-1, Table 252; ETSI EN 319 142-1, 5.3). Text strings are
/// written as hex so no caller-supplied byte appears literally in this object.
fn signature_dictionary(
    request: &SignatureRequest,
    signing_time: String,
    reserved: usize,
) -> Dictionary {
    let document_timestamp = request.kind == SignatureKind::DocumentTimestamp;
    let (kind, sub_filter): (&[u8], &[u8]) = if document_timestamp {
        (b"DocTimeStamp", b"ETSI.RFC3161")
    } else {
        (b"Sig", b"ETSI.CAdES.detached")
    };
    let mut signature = Dictionary::new();
    signature.set("Type", Object::Name(kind.to_vec()));
    signature.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    signature.set("SubFilter", Object::Name(sub_filter.to_vec()));
    signature.set(
        "ByteRange",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(BYTE_RANGE_PLACEHOLDER_VALUE),
            Object::Integer(BYTE_RANGE_PLACEHOLDER_VALUE),
            Object::Integer(BYTE_RANGE_PLACEHOLDER_VALUE),
        ]),
    );
    signature.set(
        "Contents",
        Object::String(vec![0; reserved], StringFormat::Hexadecimal),
    );
    if document_timestamp {
        // The token carries the time; nothing else belongs in the dictionary.
        return signature;
    }
    signature.set(
        "M",
        Object::String(signing_time.into_bytes(), StringFormat::Literal),
    );
    for (key, value) in [
        ("Name", &request.signer_name),
        ("Reason", &request.reason),
        ("Location", &request.location),
    ] {
        if !value.is_empty() {
            signature.set(key, text_string(value));
        }
    }
    if let SignatureKind::Certification { permission } = request.kind {
        signature.set(
            "Reference",
            Object::Array(vec![docmdp_reference(permission)]),
        );
    }
    signature
}

/// A merged signature field and widget annotation (ISO 32000-1, 12.7.4.5 and 12.5.6.19),
/// without `/V` and `/AP`.
fn field_widget(name: &str, page_id: ObjectId, rect: [f32; 4], flags: i64) -> Dictionary {
    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set("T", text_string(name));
    field.set("F", Object::Integer(flags));
    field.set("P", Object::Reference(page_id));
    field.set(
        "Rect",
        Object::Array(rect.iter().map(|&v| Object::Real(v)).collect()),
    );
    field
}

/// Adds the appearance stream and the widget pointing to it; returns the widget's id.
fn add_with_appearance(
    document: &mut Document,
    mut widget: Dictionary,
    appearance: lopdf::Stream,
) -> ObjectId {
    let appearance_id = document.add_object(Object::Stream(appearance));
    let mut appearances = Dictionary::new();
    appearances.set("N", Object::Reference(appearance_id));
    widget.set("AP", Object::Dictionary(appearances));
    document.add_object(Object::Dictionary(widget))
}

/// Signs an existing unsigned field: sets `/V`, and with a visible appearance points the
/// widget's `/AP /N` to a new stream of the widget's size (validators accept a new
/// appearance stream, not an edited one).
fn fill_existing_field(
    update: &mut IncrementalDocument,
    field: &UnsignedField,
    signature_id: ObjectId,
    content: Option<&AppearanceContent>,
) -> Result<(), SigningError> {
    let malformed = || PdfError::Malformed {
        what: "signature field",
    };
    update
        .opt_clone_object_to_new_document(field.field_id)
        .map_err(PdfError::Lopdf)?;
    update
        .new_document
        .get_dictionary_mut(field.field_id)
        .map_err(|_| malformed())?
        .set("V", Object::Reference(signature_id));
    if content.is_some() {
        let stream = appearance_stream(&mut update.new_document, field.rect, content)?;
        let appearance_id = update.new_document.add_object(Object::Stream(stream));
        update
            .opt_clone_object_to_new_document(field.widget_id)
            .map_err(PdfError::Lopdf)?;
        let mut appearances = Dictionary::new();
        appearances.set("N", Object::Reference(appearance_id));
        update
            .new_document
            .get_dictionary_mut(field.widget_id)
            .map_err(|_| malformed())?
            .set("AP", Object::Dictionary(appearances));
    }
    Ok(())
}

/// The update's trailer: only the entries a trailer of an update carries, so keys of a
/// previous cross-reference stream (`/W`, `/Index`, `/DecodeParms`, …) or a hybrid file's
/// `/XRefStm` are not copied into the new section.
fn prepare_trailer(new: &mut Document, previous_size: Option<u32>) {
    let mut trailer = Dictionary::new();
    // `/Prev` and `/Size` are set when the section is written.
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(value) = new.trailer.get(key) {
            trailer.set(key, value.clone());
        }
    }
    new.trailer = trailer;
    // `/Size` must not shrink when the previous table ends with free entries.
    if let Some(size) = previous_size {
        new.max_id = new.max_id.max(size.saturating_sub(1));
    }
}

/// `/Reference` entry of a certification signature (ISO 32000-1, Table 253 and 254).
fn docmdp_reference(permission: DocMdpPermission) -> Object {
    let mut params = Dictionary::new();
    params.set("Type", Object::Name(b"TransformParams".to_vec()));
    params.set("P", Object::Integer(permission.value()));
    params.set("V", Object::Name(b"1.2".to_vec()));
    let mut reference = Dictionary::new();
    reference.set("Type", Object::Name(b"SigRef".to_vec()));
    reference.set("TransformMethod", Object::Name(b"DocMDP".to_vec()));
    reference.set("TransformParams", Object::Dictionary(params));
    Object::Dictionary(reference)
}

/// A PDF text string (ISO 32000-1, 7.9.2.2): plain bytes for printable ASCII, UTF-16BE with
/// a byte order mark otherwise (Vietnamese names), always hex-encoded.
fn text_string(text: &str) -> Object {
    let bytes = if text.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        text.as_bytes().to_vec()
    } else {
        let mut utf16 = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_be_bytes());
        }
        utf16
    };
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// A PDF date (ISO 32000-1, 7.9.4): `D:YYYYMMDDHHmmSS+HH'mm'`, or `Z` for UTC.
fn pdf_date(time: OffsetDateTime) -> Result<String, SigningError> {
    // An offset with seconds has no PDF form; such a time is written in UTC.
    let time = if time.offset().seconds_past_minute() == 0 {
        time
    } else {
        time.to_offset(time::UtcOffset::UTC)
    };
    if !(0..=9999).contains(&time.year()) {
        return Err(SigningError::InvalidRequest {
            reason: "signing time year outside 0..=9999",
        });
    }
    let offset = time.offset();
    let zone = if offset.is_utc() {
        "Z".to_owned()
    } else {
        let sign = if offset.is_negative() { '-' } else { '+' };
        format!(
            "{sign}{:02}'{:02}'",
            offset.whole_hours().unsigned_abs(),
            offset.minutes_past_hour().unsigned_abs()
        )
    };
    Ok(format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}{zone}",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_date_formats_offsets() {
        let hanoi = time::macros::datetime!(2026-01-05 09:30:15 +07:00);
        assert_eq!(pdf_date(hanoi).expect("valid"), "D:20260105093015+07'00'");
        let utc = time::macros::datetime!(2026-01-05 02:30:15 UTC);
        assert_eq!(pdf_date(utc).expect("valid"), "D:20260105023015Z");
        let west = time::macros::datetime!(2026-01-05 02:30:15 -03:30);
        assert_eq!(pdf_date(west).expect("valid"), "D:20260105023015-03'30'");
    }

    #[test]
    fn byte_range_patch_keeps_length() {
        let mut file = b"xx[0 1000000000 1000000000 1000000000]yy".to_vec();
        let range = ByteRange {
            before_len: 10,
            after_start: 20,
            after_len: 5,
        };
        patch_byte_range(&mut file, 2, &range).expect("fits");
        assert_eq!(&file, b"xx[0 10 20 5                         ]yy");
    }

    #[test]
    fn text_strings_use_utf16_for_vietnamese() {
        assert_eq!(
            text_string("Ha Noi"),
            Object::String(b"Ha Noi".to_vec(), StringFormat::Hexadecimal)
        );
        let Object::String(bytes, _) = text_string("Hà Nội") else {
            panic!("text_string returns a string");
        };
        assert_eq!(&bytes[..4], &[0xFE, 0xFF, 0x00, b'H']);
    }

    #[test]
    fn placeholders_must_be_unique() {
        let doubled =
            b"[0 1000000000 1000000000 1000000000] [0 1000000000 1000000000 1000000000] <0000>";
        assert!(locate_placeholders(doubled, 0, 2).is_err());
        let single = b"[0 1000000000 1000000000 1000000000] <0000>";
        let found = locate_placeholders(single, 0, 2).expect("unique");
        assert_eq!((found.contents_start, found.contents_end), (37, 43));
    }
}
