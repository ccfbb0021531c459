//! Revisions of the file (ISO 32000-1 §7.5.6 incremental updates): where each ends, and the
//! document as it stood at that end, read by lopdf from the prefix of the file. Works the
//! same for cross-reference tables and streams, since lopdf follows `/Prev` either way.

use std::cell::RefCell;

use lopdf::xref::XrefEntry;
use sha2::{Digest, Sha256};

use lopdf::{DecompressError, Dictionary, Document, LoadOptions, Object, ObjectId, Stream};

use super::pdf_syntax::{self, RevisionMarker};
use super::report::{Modification, ModificationKind};
use crate::cancel::Cancellation;

/// More revisions than this are not all loaded; signatures past the limit cannot be judged.
pub(crate) const MAX_REVISIONS: usize = 64;

const MIB: usize = 1024 * 1024;

/// How much the verifier decompresses for one file, so that a small file cannot make it
/// inflate (and hold) gigabytes: every revision is loaded on its own, and each load decodes
/// the object streams and cross-reference streams of its prefix again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecompressionLimits {
    /// Most bytes one stream may decode to: 16 times the file size, at least 4 MiB and at
    /// most 64 MiB.
    pub per_stream: usize,
    /// Most bytes decoded over all revisions of the file: 32 MiB plus 4 times the file size.
    pub per_document: usize,
}

impl DecompressionLimits {
    /// The limits for a file of `file_size` bytes.
    pub fn for_file_size(file_size: usize) -> Self {
        Self {
            per_stream: file_size.saturating_mul(16).clamp(4 * MIB, 64 * MIB),
            per_document: file_size.saturating_mul(4).saturating_add(32 * MIB),
        }
    }
}

/// Decoded bytes charged while loading the revisions of one file.
#[derive(Debug, Clone, Copy)]
struct Budget {
    limits: DecompressionLimits,
    used: usize,
    exceeded: bool,
}

thread_local! {
    /// The budget of the file whose revisions this thread is loading. lopdf's load filter is
    /// a plain function, so this is how it reaches the budget; lopdf runs it on the loading
    /// thread (its `rayon` feature is off). Without a budget the filter refuses every stream
    /// that would be decoded, so a load elsewhere fails closed rather than unbounded.
    static BUDGET: RefCell<Option<Budget>> = const { RefCell::new(None) };
}

/// Installs a budget for this thread; taken back by [`BudgetGuard::finish`] or on drop.
struct BudgetGuard;

impl BudgetGuard {
    fn install(limits: DecompressionLimits) -> Self {
        BUDGET.with(|budget| {
            *budget.borrow_mut() = Some(Budget {
                limits,
                used: 0,
                exceeded: false,
            });
        });
        Self
    }

    fn exceeded(&self) -> bool {
        BUDGET.with(|budget| budget.borrow().is_some_and(|budget| budget.exceeded))
    }

    fn mark_exceeded(&self) {
        BUDGET.with(|budget| {
            if let Some(budget) = budget.borrow_mut().as_mut() {
                budget.exceeded = true;
            }
        });
    }

    fn finish(self) -> Option<Budget> {
        BUDGET.with(|budget| budget.borrow_mut().take())
    }
}

impl Drop for BudgetGuard {
    fn drop(&mut self) {
        BUDGET.with(|budget| budget.borrow_mut().take());
    }
}

/// Loads `prefix` strictly: no cross-reference repair, so a damaged revision does not quietly
/// become a different document. Image data is left out ([`is_elided_image`]): nothing here
/// reads pixels, and a 10-page scan would otherwise be held once per revision. No stream
/// decodes to more than `limits.per_stream` bytes, and object and cross-reference streams are
/// charged to the budget of the file ([`Revisions::read`]).
fn load_strict(
    prefix: &[u8],
    limits: DecompressionLimits,
    guard: &BudgetGuard,
) -> Option<Document> {
    let options = LoadOptions {
        strict: true,
        filter: Some(filter_loaded_object),
        max_decompressed_size: Some(limits.per_stream),
        ..LoadOptions::default()
    };
    match Document::load_mem_with_options(prefix, options) {
        Ok(doc) => doc.xref_recovery.is_none().then_some(doc),
        Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
            guard.mark_exceeded();
            None
        }
        Err(_) => None,
    }
}

/// Streams larger than this are kept as their SHA-256 in the loaded revisions.
const DIGESTED_STREAM_MIN: usize = 4096;

/// Marks the content of a stream kept as its digest.
const DIGEST_MARK: &[u8] = b"certcopy-sha256:";

/// Load filter: empties the data of image XObjects whose `/Length` is a direct number,
/// charges each object or cross-reference stream, which lopdf decodes while loading, to the
/// file's budget (a stream over the budget is dropped before lopdf decodes it), and keeps
/// any other stream larger than [`DIGESTED_STREAM_MIN`] as the SHA-256 of its raw data.
/// Nothing here reads stream data except to compare two revisions' objects for equality,
/// which the digest answers the same way, so a file of many revisions over a large stream
/// holds one digest per revision instead of one copy of the stream.
fn filter_loaded_object(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(stream) = object {
        if is_image_with_direct_length(&stream.dict) {
            stream.content = Vec::new();
        } else if decoded_when_loading(&stream.dict) {
            if !charge_decoded_size(stream) {
                return None;
            }
        } else if stream.content.len() > DIGESTED_STREAM_MIN {
            let digest = Sha256::digest(&stream.content);
            let mut kept = Vec::with_capacity(DIGEST_MARK.len() + digest.len());
            kept.extend_from_slice(DIGEST_MARK);
            kept.extend_from_slice(&digest);
            stream.content = kept;
        }
    }
    Some((id, object.clone()))
}

fn decoded_when_loading(dict: &Dictionary) -> bool {
    matches!(dict.get(b"Type"), Ok(Object::Name(name)) if name == b"ObjStm" || name == b"XRef")
}

/// Decodes `stream` within what is left of the budget (and the per-stream limit), charging
/// the decoded size; false when that does not fit, or when no budget is installed.
fn charge_decoded_size(stream: &Stream) -> bool {
    BUDGET.with(|budget| {
        let mut budget = budget.borrow_mut();
        let Some(budget) = budget.as_mut() else {
            return false;
        };
        if budget.exceeded {
            return false;
        }
        let left = budget.limits.per_document.saturating_sub(budget.used);
        let limit = budget.limits.per_stream.min(left);
        match stream.get_plain_content_with_limit(limit) {
            Ok(decoded) => {
                budget.used = budget.used.saturating_add(decoded.len());
                true
            }
            Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
                budget.used = budget.used.saturating_add(limit);
                budget.exceeded = true;
                false
            }
            // Undecodable: lopdf reports it as it would without the budget.
            Err(_) => true,
        }
    })
}

fn is_image_with_direct_length(dict: &Dictionary) -> bool {
    matches!(dict.get(b"Subtype"), Ok(Object::Name(name)) if name == b"Image")
        && matches!(dict.get(b"Length"), Ok(Object::Integer(length)) if *length > 0)
}

/// An image stream whose data the load left out: two of them cannot be compared by content.
pub(crate) fn is_elided_image(object: &Object) -> bool {
    matches!(object, Object::Stream(stream)
        if stream.content.is_empty() && is_image_with_direct_length(&stream.dict))
}

/// Every revision of the file, each with the document it ends.
pub(crate) struct Revisions {
    /// Ends of revisions, file order.
    pub markers: Vec<RevisionMarker>,
    /// The document at each marker (`None`: it does not load on its own).
    pub documents: Vec<Option<Document>>,
    /// The decompression limits applied.
    pub limits: DecompressionLimits,
    /// Bytes decoded from object and cross-reference streams over all loads.
    pub decompressed_bytes: usize,
    /// A stream or the file went over its decompression limit: loading stopped there, and
    /// the file must not be judged.
    pub decompression_limit_exceeded: bool,
    /// Loading was cancelled before every revision was read: the file must not be judged.
    pub cancelled: bool,
}

impl Revisions {
    /// Finds and loads the revisions of `bytes` (at most [`MAX_REVISIONS`], the last ones),
    /// within the [`DecompressionLimits`] for its size; once they are exceeded, or `cancel`
    /// says stop ([`Revisions::cancelled`]), no further revision is loaded.
    pub fn read(bytes: &[u8], markers: Vec<RevisionMarker>, cancel: &Cancellation) -> Self {
        let limits = DecompressionLimits::for_file_size(bytes.len());
        let skip = markers.len().saturating_sub(MAX_REVISIONS);
        let guard = BudgetGuard::install(limits);
        let mut documents = Vec::with_capacity(markers.len());
        let mut cancelled = false;
        for (index, marker) in markers.iter().enumerate() {
            cancelled = cancelled || (index >= skip && cancel.is_cancelled());
            let document = if index < skip || guard.exceeded() || cancelled {
                None
            } else {
                bytes
                    .get(..marker.line_end)
                    .and_then(|prefix| load_strict(prefix, limits, &guard))
            };
            documents.push(document);
        }
        let budget = guard.finish();
        Self {
            markers,
            documents,
            limits,
            decompressed_bytes: budget.map_or(0, |budget| budget.used),
            decompression_limit_exceeded: budget.is_none_or(|budget| budget.exceeded),
            cancelled,
        }
    }

    /// The revision that a signed range ending at `end` ends.
    pub fn ending_at(&self, end: usize) -> Option<usize> {
        self.markers.iter().position(|marker| marker.ends_at(end))
    }

    /// The document at revision `index`.
    pub fn document(&self, index: usize) -> Option<&Document> {
        self.documents.get(index)?.as_ref()
    }

    /// Objects written after revision `index` that the cross-reference data of their own
    /// revision does not point to: lenient readers may show them, so they count as
    /// unexplained changes. An unreadable later revision counts as one too.
    pub fn hidden_objects_after(&self, bytes: &[u8], index: usize) -> Vec<Modification> {
        let mut hidden = Vec::new();
        let mut start = self.markers.get(index).map_or(0, |marker| marker.line_end);
        for later in index + 1..self.markers.len() {
            let Some(marker) = self.markers.get(later) else {
                break;
            };
            let Some(doc) = self.document(later) else {
                hidden.push(Modification {
                    object: format!("revision ending at byte {}", marker.line_end),
                    kind: ModificationKind::Other,
                });
                start = marker.line_end;
                continue;
            };
            for header in pdf_syntax::object_headers(bytes, start..marker.line_end) {
                let listed = matches!(
                    doc.reference_table.get(header.number),
                    Some(XrefEntry::Normal { offset, generation })
                        if *offset as usize == header.offset && *generation == header.generation
                );
                if !listed {
                    hidden.push(Modification {
                        object: format!(
                            "{} {} R (at byte {}, not in the cross-reference table)",
                            header.number, header.generation, header.offset
                        ),
                        kind: ModificationKind::Other,
                    });
                }
            }
            start = marker.line_end;
        }
        hidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(content: Vec<u8>) -> Object {
        Object::Stream(Stream::new(Dictionary::new(), content))
    }

    fn filtered(object: Object) -> Object {
        let mut object = object;
        filter_loaded_object((5, 0), &mut object).expect("kept").1
    }

    #[test]
    fn large_streams_are_kept_as_digests_that_compare_like_their_data() {
        let big = vec![b'a'; 1 << 20];
        let mut other = big.clone();
        other[12_345] = b'b';
        let (kept, same, changed) = (
            filtered(stream(big.clone())),
            filtered(stream(big)),
            filtered(stream(other)),
        );
        let Object::Stream(kept_stream) = &kept else {
            panic!("a stream")
        };
        assert_eq!(kept_stream.content.len(), DIGEST_MARK.len() + 32);
        assert_eq!(kept, same, "same data, same object");
        assert_ne!(kept, changed, "one byte changed, a different object");
        // Small streams are kept as they are.
        let small = filtered(stream(b"BT /F1 12 Tf (x) Tj ET".to_vec()));
        assert_eq!(small, stream(b"BT /F1 12 Tf (x) Tj ET".to_vec()));
    }
}
