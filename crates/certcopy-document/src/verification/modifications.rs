//! What changed after a signature: compare the document as signed (the revision its
//! ByteRange ends at) with the final document, classify every added or changed object, and
//! judge the changes against the signature's permission (ISO 32000-1 §12.8.2.2 DocMDP;
//! PAdES allows DSS and document timestamps after any signature, ETSI EN 319 142-1 §5.4).
//!
//! This is what defeats the incremental-saving and shadow attacks: the bytes a signature
//! covers stay intact, but a later revision replaces what a reader shows. Any change to page
//! content, the page tree or annotations after a signature makes that signature
//! `TOTAL_FAILED/MODIFIED_AFTER_SIGNING`.

use std::collections::{HashMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::object_graph::{self, catalog};
use super::report::{DocMdpPermission, Modification, ModificationKind};
use super::revisions::is_elided_image;
use super::signature_fields::is_signature_field;

/// Role of an annotation (and what its appearance uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum AnnotationRole {
    TimestampWidget,
    SignatureWidget,
    FormWidget,
    Other,
}

impl AnnotationRole {
    fn kind(self) -> ModificationKind {
        match self {
            Self::TimestampWidget => ModificationKind::DocumentTimestamp,
            Self::SignatureWidget => ModificationKind::SignatureField,
            Self::FormWidget => ModificationKind::FormField,
            Self::Other => ModificationKind::Annotation,
        }
    }
}

/// Which objects play which part in one state of the document.
#[derive(Debug, Default)]
struct DocumentIndex {
    root: Option<ObjectId>,
    info: Option<ObjectId>,
    metadata: HashSet<ObjectId>,
    pages: HashSet<ObjectId>,
    page_nodes: HashSet<ObjectId>,
    page_content: HashSet<ObjectId>,
    annots_arrays: HashSet<ObjectId>,
    annotations: HashMap<ObjectId, AnnotationRole>,
    /// Field dictionaries; the value says whether it is a signature field (and a timestamp).
    fields: HashMap<ObjectId, AnnotationRole>,
    /// Signature value dictionaries; `true` for document timestamps.
    signature_values: HashMap<ObjectId, bool>,
    dss: HashSet<ObjectId>,
    acroform: HashSet<ObjectId>,
}

/// Keys that lead from a page or annotation back up or sideways, not into what it shows.
const PAGE_SKIP: &[&[u8]] = &[b"Parent", b"Annots", b"P", b"B"];
const ANNOTATION_SKIP: &[&[u8]] = &[b"Parent", b"P", b"Popup", b"IRT"];

impl DocumentIndex {
    fn build(doc: &Document) -> Self {
        let mut index = Self {
            info: doc
                .trailer
                .get(b"Info")
                .ok()
                .and_then(|info| info.as_reference().ok()),
            ..Self::default()
        };
        let tree = object_graph::page_tree(doc);
        index.page_content = object_graph::reachable(doc, &tree.pages, PAGE_SKIP);
        for page in &tree.pages {
            index.page_content.remove(page);
            let Some(dictionary) = doc
                .objects
                .get(page)
                .and_then(|object| object_graph::as_dictionary(doc, object))
            else {
                continue;
            };
            if let Ok(Object::Reference(array)) = dictionary.get(b"Annots") {
                index.annots_arrays.insert(*array);
            }
            for annotation in
                object_graph::get_array(doc, dictionary, b"Annots").unwrap_or_default()
            {
                let Ok(id) = annotation.as_reference() else {
                    continue;
                };
                let role = annotation_role(doc, annotation);
                for reached in object_graph::reachable(doc, &[id], ANNOTATION_SKIP) {
                    let entry = index.annotations.entry(reached).or_insert(role);
                    *entry = (*entry).max(role);
                }
            }
        }
        index
            .page_content
            .retain(|id| !index.annots_arrays.contains(id));
        index.pages = tree.pages.into_iter().collect();
        index.page_nodes = tree.nodes.into_iter().collect();

        if let Some((root, catalog)) = catalog(doc) {
            index.root = Some(root);
            if let Ok(Object::Reference(metadata)) = catalog.get(b"Metadata") {
                index.metadata.insert(*metadata);
            }
            if let Ok(dss) = catalog.get(b"DSS") {
                let mut starts = Vec::new();
                object_graph::references(dss, &[], &mut starts);
                index.dss = object_graph::reachable(doc, &starts, &[]);
            }
            if let Ok(acroform) = catalog.get(b"AcroForm") {
                let mut starts = Vec::new();
                if let Object::Reference(id) = acroform {
                    starts.push(*id);
                } else {
                    object_graph::references(acroform, &[b"Fields"], &mut starts);
                }
                index.acroform = object_graph::reachable(doc, &starts, &[b"Fields"]);
                if let Some(fields) = object_graph::as_dictionary(doc, acroform)
                    .and_then(|form| object_graph::get_array(doc, form, b"Fields"))
                {
                    index.index_fields(doc, fields, 0);
                }
            }
        }
        index
    }

    fn index_fields(&mut self, doc: &Document, fields: &[Object], depth: usize) {
        if depth > object_graph::MAX_TREE_DEPTH {
            return;
        }
        for field in fields {
            let Ok(id) = field.as_reference() else {
                continue;
            };
            if self.fields.contains_key(&id) {
                continue;
            }
            let role = annotation_role(doc, field);
            self.fields.insert(id, role);
            let Some(dictionary) = object_graph::as_dictionary(doc, field) else {
                continue;
            };
            if let Ok(Object::Reference(value)) = dictionary.get(b"V")
                && matches!(
                    role,
                    AnnotationRole::SignatureWidget | AnnotationRole::TimestampWidget
                )
            {
                self.signature_values
                    .insert(*value, role == AnnotationRole::TimestampWidget);
            }
            if let Some(kids) = object_graph::get_array(doc, dictionary, b"Kids") {
                self.index_fields(doc, kids, depth + 1);
            }
        }
    }
}

/// Role of a widget/field by its (inherited) field type and value.
fn annotation_role(doc: &Document, annotation: &Object) -> AnnotationRole {
    let Some(dictionary) = object_graph::as_dictionary(doc, annotation) else {
        return AnnotationRole::Other;
    };
    let is_field = dictionary.has(b"FT") || dictionary.has(b"T") || dictionary.has(b"Parent");
    let is_widget = object_graph::get_name(doc, dictionary, b"Subtype") == Some(b"Widget");
    if !(is_widget || is_field) {
        return AnnotationRole::Other;
    }
    if !is_signature_field(doc, dictionary) {
        return AnnotationRole::FormWidget;
    }
    let value = signature_value_of(doc, dictionary);
    if value.is_some_and(|value| is_document_timestamp(doc, value)) {
        AnnotationRole::TimestampWidget
    } else {
        AnnotationRole::SignatureWidget
    }
}

/// `/V` of the field itself or of its parent (for a kid widget).
fn signature_value_of<'a>(doc: &'a Document, dictionary: &'a Dictionary) -> Option<&'a Dictionary> {
    let value = dictionary.get(b"V").ok().or_else(|| {
        object_graph::get(doc, dictionary, b"Parent")
            .and_then(|p| object_graph::as_dictionary(doc, p)?.get(b"V").ok())
    })?;
    object_graph::as_dictionary(doc, value)
}

/// `/Type /DocTimeStamp` or `/SubFilter /ETSI.RFC3161` (ISO 32000-2 §12.8.5).
pub(crate) fn is_document_timestamp(doc: &Document, signature: &Dictionary) -> bool {
    object_graph::get_name(doc, signature, b"Type") == Some(b"DocTimeStamp")
        || object_graph::get_name(doc, signature, b"SubFilter") == Some(b"ETSI.RFC3161")
}

/// The objects that differ between `signed` and `latest`, classified, in object order.
pub(crate) fn modifications(signed: &Document, latest: &Document) -> Vec<Modification> {
    let old_index = DocumentIndex::build(signed);
    let new_index = DocumentIndex::build(latest);
    let mut changed: Vec<ObjectId> = latest
        .objects
        .iter()
        .filter(|(id, object)| {
            if read_from_same_bytes(signed, latest, **id) && self_delimited(object) {
                return false;
            }
            let before = signed.objects.get(id);
            // Image data is not loaded (revisions::load_strict): an image read from
            // anywhere else than before counts as changed.
            is_elided_image(object)
                || before.is_some_and(is_elided_image)
                || before != Some(*object)
        })
        .map(|(id, _)| *id)
        .chain(
            signed
                .objects
                .keys()
                .filter(|id| !latest.objects.contains_key(id))
                .copied(),
        )
        .collect();
    changed.sort_unstable();
    changed.dedup();
    let mut found: Vec<Modification> = changed
        .into_iter()
        .map(|id| Modification {
            object: format!("{} {} R", id.0, id.1),
            kind: classify(id, signed, latest, &old_index, &new_index),
        })
        .collect();
    if old_index.root != new_index.root {
        found.push(Modification {
            object: "trailer /Root".into(),
            kind: ModificationKind::Other,
        });
    }
    found
}

/// Both documents read `id` from the same offset of the same file (the signed revision is a
/// prefix of it): the object is the same, without comparing it byte by byte (a scan's image
/// streams are megabytes).
fn read_from_same_bytes(signed: &Document, latest: &Document, id: ObjectId) -> bool {
    use lopdf::xref::XrefEntry;
    match (
        signed.reference_table.get(id.0),
        latest.reference_table.get(id.0),
    ) {
        (
            Some(XrefEntry::Normal { offset, generation }),
            Some(XrefEntry::Normal {
                offset: latest_offset,
                generation: latest_generation,
            }),
        ) => offset == latest_offset && generation == latest_generation && *generation == id.1,
        _ => false,
    }
}

/// Whether the object's bytes alone decide what it is: anything but a stream whose
/// `/Length` is a reference (a later revision could redefine that number and with it the
/// stream's data, at the same offset).
fn self_delimited(object: &Object) -> bool {
    match object {
        Object::Stream(stream) => matches!(stream.dict.get(b"Length"), Ok(Object::Integer(_))),
        _ => true,
    }
}

fn classify(
    id: ObjectId,
    signed: &Document,
    latest: &Document,
    old: &DocumentIndex,
    new: &DocumentIndex,
) -> ModificationKind {
    let (Some(old_object), Some(new_object)) = (signed.objects.get(&id), latest.objects.get(&id))
    else {
        return match latest.objects.get(&id) {
            Some(added) => classify_added(id, added, new),
            None => ModificationKind::Other,
        };
    };
    let mut kinds: Vec<ModificationKind> = Vec::new();
    if Some(id) == old.root && Some(id) == new.root {
        kinds.push(
            match (
                object_graph::as_dictionary(signed, old_object),
                object_graph::as_dictionary(latest, new_object),
            ) {
                (Some(before), Some(after)) => catalog_change(before, after),
                _ => ModificationKind::Other,
            },
        );
    }
    if old.pages.contains(&id) || new.pages.contains(&id) {
        kinds.push(
            match (
                object_graph::as_dictionary(signed, old_object),
                object_graph::as_dictionary(latest, new_object),
            ) {
                (Some(before), Some(after))
                    if old.pages.contains(&id) && new.pages.contains(&id) =>
                {
                    page_change(signed, before, latest, after, new)
                }
                _ => ModificationKind::PageTree,
            },
        );
    }
    if old.annots_arrays.contains(&id) || new.annots_arrays.contains(&id) {
        kinds.push(annots_change(
            signed,
            Some(old_object),
            latest,
            Some(new_object),
            new,
        ));
    }
    if old.signature_values.contains_key(&id) {
        // An existing signature value rewritten after the fact.
        kinds.push(ModificationKind::Other);
    }
    if let (Some(old_role), Some(new_role)) = (old.fields.get(&id), new.fields.get(&id)) {
        let value_before =
            object_graph::as_dictionary(signed, old_object).and_then(|d| d.get(b"V").ok());
        let value_after =
            object_graph::as_dictionary(latest, new_object).and_then(|d| d.get(b"V").ok());
        let signed_value_replaced = *old_role != AnnotationRole::FormWidget
            && value_before.is_some()
            && value_before != value_after;
        kinds.push(if signed_value_replaced {
            ModificationKind::Other
        } else {
            new_role.kind()
        });
    }
    kinds.extend(memberships(id, old));
    kinds.extend(memberships(id, new));
    kinds
        .into_iter()
        .max()
        .unwrap_or_else(|| structural_or_other(new_object))
}

/// An object that did not exist when the document was signed.
fn classify_added(id: ObjectId, added: &Object, new: &DocumentIndex) -> ModificationKind {
    let mut kinds = memberships(id, new);
    if new.pages.contains(&id) {
        kinds.push(ModificationKind::PageTree);
    }
    if let Some(&is_timestamp) = new.signature_values.get(&id) {
        kinds.push(if is_timestamp {
            ModificationKind::DocumentTimestamp
        } else {
            ModificationKind::Signature
        });
    }
    if let Some(role) = new.fields.get(&id) {
        kinds.push(role.kind());
    }
    kinds
        .into_iter()
        .max()
        .unwrap_or_else(|| structural_or_other(added))
}

/// Kinds implied by set membership alone.
fn memberships(id: ObjectId, index: &DocumentIndex) -> Vec<ModificationKind> {
    let mut kinds = Vec::new();
    if index.page_content.contains(&id) {
        kinds.push(ModificationKind::PageContent);
    }
    if index.page_nodes.contains(&id) {
        kinds.push(ModificationKind::PageTree);
    }
    if let Some(role) = index.annotations.get(&id) {
        kinds.push(role.kind());
    }
    if index.dss.contains(&id) {
        kinds.push(ModificationKind::Dss);
    }
    if index.acroform.contains(&id) {
        kinds.push(ModificationKind::FormBookkeeping);
    }
    if Some(id) == index.info || index.metadata.contains(&id) {
        kinds.push(ModificationKind::Metadata);
    }
    kinds
}

/// Cross-reference and object streams carry structure only; anything else nobody refers to
/// is suspicious.
fn structural_or_other(object: &Object) -> ModificationKind {
    match object {
        Object::Stream(stream) if matches!(stream.dict.get(b"Type"), Ok(Object::Name(name)) if name == b"XRef" || name == b"ObjStm") => {
            ModificationKind::Structural
        }
        _ => ModificationKind::Other,
    }
}

fn changed_keys<'a>(before: &'a Dictionary, after: &'a Dictionary) -> Vec<&'a [u8]> {
    let mut keys: Vec<&[u8]> = before
        .iter()
        .chain(after.iter())
        .map(|(key, _)| key.as_slice())
        .filter(|key| before.get(key).ok() != after.get(key).ok())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn catalog_change(before: &Dictionary, after: &Dictionary) -> ModificationKind {
    changed_keys(before, after)
        .into_iter()
        .map(|key| match key {
            b"AcroForm" => ModificationKind::FormBookkeeping,
            b"DSS" => ModificationKind::Dss,
            b"Extensions" | b"Version" => ModificationKind::Structural,
            b"Metadata" => ModificationKind::Metadata,
            b"Pages" => ModificationKind::PageTree,
            _ => ModificationKind::Other,
        })
        .max()
        .unwrap_or(ModificationKind::Structural)
}

fn page_change(
    signed: &Document,
    before: &Dictionary,
    latest: &Document,
    after: &Dictionary,
    new: &DocumentIndex,
) -> ModificationKind {
    changed_keys(before, after)
        .into_iter()
        .map(|key| match key {
            b"Annots" => annots_change(
                signed,
                before.get(b"Annots").ok(),
                latest,
                after.get(b"Annots").ok(),
                new,
            ),
            b"Parent" => ModificationKind::PageTree,
            _ => ModificationKind::PageContent,
        })
        .max()
        .unwrap_or(ModificationKind::Structural)
}

/// A page's annotation list changed: removals are annotation changes; additions are judged
/// by what was added (a new signature widget is part of signing).
fn annots_change(
    signed: &Document,
    before: Option<&Object>,
    latest: &Document,
    after: Option<&Object>,
    new: &DocumentIndex,
) -> ModificationKind {
    let list = |doc: &Document, object: Option<&Object>| -> Vec<Object> {
        match object.and_then(|object| object_graph::resolve(doc, object)) {
            Some(Object::Array(items)) => items.clone(),
            _ => Vec::new(),
        }
    };
    let (before, after) = (list(signed, before), list(latest, after));
    let removed = before.iter().any(|item| !after.contains(item));
    let added: Vec<&Object> = after.iter().filter(|item| !before.contains(item)).collect();
    let mut kind = if removed {
        ModificationKind::Annotation
    } else {
        ModificationKind::Structural
    };
    for item in added {
        let role = match item {
            Object::Reference(id) => new
                .annotations
                .get(id)
                .copied()
                .unwrap_or(AnnotationRole::Other),
            _ => AnnotationRole::Other,
        };
        kind = kind.max(role.kind());
    }
    if kind == ModificationKind::Structural && before != after {
        // Same annotations, new order: the stacking on the page changed.
        kind = ModificationKind::Annotation;
    }
    kind
}

/// What a signature permits afterwards: its own DocMDP permission if it is a certification
/// signature, else that of an earlier certification signature, else approval rules
/// (form filling and signing).
pub(crate) fn is_permitted(
    kind: ModificationKind,
    permission: Option<DocMdpPermission>,
    only_timestamps_added: bool,
) -> bool {
    use ModificationKind as K;
    let level = match permission {
        Some(DocMdpPermission::NoChanges) => 1,
        Some(DocMdpPermission::FillFormsAndSign) | None => 2,
        Some(DocMdpPermission::FillFormsSignAndAnnotate) => 3,
    };
    match kind {
        K::Structural | K::Dss | K::DocumentTimestamp => true,
        // Adding a document timestamp field needs the AcroForm to list it, and writers
        // refresh the XMP metadata with every update.
        K::FormBookkeeping | K::Metadata => level >= 2 || only_timestamps_added,
        K::Signature | K::SignatureField | K::FormField => level >= 2,
        K::Annotation => level >= 3,
        K::PageTree | K::PageContent | K::Other => false,
    }
}
