//! Revisions of the file (ISO 32000-1 §7.5.6 incremental updates): where each ends, and the
//! document as it stood at that end, read by lopdf from the prefix of the file. Works the
//! same for cross-reference tables and streams, since lopdf follows `/Prev` either way.

use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

use super::pdf_syntax::{self, RevisionMarker};
use super::report::{Modification, ModificationKind};

/// More revisions than this are not all loaded; signatures past the limit cannot be judged.
pub(crate) const MAX_REVISIONS: usize = 64;

/// Loads `prefix` strictly: no cross-reference repair, so a damaged revision does not quietly
/// become a different document. Image data is left out ([`is_elided_image`]): nothing here
/// reads pixels, and a 10-page scan would otherwise be held once per revision.
pub(crate) fn load_strict(prefix: &[u8]) -> Option<Document> {
    let options = LoadOptions {
        strict: true,
        filter: Some(elide_image_data),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(prefix, options).ok()?;
    doc.xref_recovery.is_none().then_some(doc)
}

/// Load filter: empties the data of image XObjects whose `/Length` is a direct number.
fn elide_image_data(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(stream) = object
        && is_image_with_direct_length(&stream.dict)
    {
        stream.content = Vec::new();
    }
    Some((id, object.clone()))
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
}

impl Revisions {
    /// Finds and loads the revisions of `bytes` (at most [`MAX_REVISIONS`], the last ones).
    pub fn read(bytes: &[u8], markers: Vec<RevisionMarker>) -> Self {
        let skip = markers.len().saturating_sub(MAX_REVISIONS);
        let documents = markers
            .iter()
            .enumerate()
            .map(|(index, marker)| {
                if index < skip {
                    None
                } else {
                    bytes.get(..marker.line_end).and_then(load_strict)
                }
            })
            .collect();
        Self { markers, documents }
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
