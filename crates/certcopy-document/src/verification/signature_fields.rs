//! Finding signature fields (ISO 32000-1 §12.7.4.5): the AcroForm field tree including
//! `/Kids`, plus widget annotations on pages that the AcroForm does not list.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::object_graph::{self, MAX_TREE_DEPTH};

/// Where a signature field keeps its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SignatureValue {
    /// `/V n g R`, as ISO 32000-1 Table 232 requires.
    Indirect(ObjectId),
    /// A direct dictionary: not allowed, reported as malformed.
    Direct,
}

/// A signature field that has a value.
#[derive(Debug, Clone)]
pub(crate) struct SignatureField {
    /// Fully qualified name (`parent.child`).
    pub name: String,
    /// The value.
    pub value: SignatureValue,
}

/// All signed signature fields of `doc`, AcroForm order first, then orphan widgets.
pub(crate) fn signature_fields(doc: &Document) -> Vec<SignatureField> {
    let mut walk = FieldWalk {
        doc,
        seen: HashSet::new(),
        found: Vec::new(),
    };
    if let Some((_, catalog)) = object_graph::catalog(doc)
        && let Some(acroform) = object_graph::get(doc, catalog, b"AcroForm")
            .and_then(|form| object_graph::as_dictionary(doc, form))
        && let Some(fields) = object_graph::get_array(doc, acroform, b"Fields")
    {
        for field in fields {
            walk.visit(field, "", None, 0);
        }
    }
    for page in object_graph::page_tree(doc).pages {
        let Some(page) = doc
            .objects
            .get(&page)
            .and_then(|object| object_graph::as_dictionary(doc, object))
        else {
            continue;
        };
        for annotation in object_graph::get_array(doc, page, b"Annots").unwrap_or_default() {
            let Some(dictionary) = object_graph::as_dictionary(doc, annotation) else {
                continue;
            };
            if object_graph::get_name(doc, dictionary, b"Subtype") != Some(b"Widget") {
                continue;
            }
            // A widget without its own /T is the kid of the field that holds /FT and /V.
            let field = if dictionary.has(b"T") {
                annotation
            } else {
                dictionary.get(b"Parent").unwrap_or(annotation)
            };
            let (name, inherited) = ancestry(doc, field);
            walk.visit(field, &name, inherited, 0);
        }
    }
    walk.found
}

/// Whether the field that `widget_or_field` belongs to is a signature field (own or
/// inherited `/FT /Sig`).
pub(crate) fn is_signature_field(doc: &Document, dictionary: &Dictionary) -> bool {
    let mut current = dictionary;
    for _ in 0..MAX_TREE_DEPTH {
        if let Some(field_type) = object_graph::get_name(doc, current, b"FT") {
            return field_type == b"Sig";
        }
        match object_graph::get(doc, current, b"Parent")
            .and_then(|parent| object_graph::as_dictionary(doc, parent))
        {
            Some(parent) => current = parent,
            None => return false,
        }
    }
    false
}

/// The parent's qualified name and inherited `/FT` of a field reached from a widget.
fn ancestry<'a>(doc: &'a Document, field: &'a Object) -> (String, Option<&'a [u8]>) {
    let mut names = Vec::new();
    let mut field_type = None;
    let mut current =
        object_graph::as_dictionary(doc, field).and_then(|d| object_graph::get(doc, d, b"Parent"));
    for _ in 0..MAX_TREE_DEPTH {
        let Some(dictionary) = current.and_then(|parent| object_graph::as_dictionary(doc, parent))
        else {
            break;
        };
        if let Some(name) = dictionary.get(b"T").ok().and_then(object_graph::text) {
            names.push(name);
        }
        field_type = field_type.or_else(|| object_graph::get_name(doc, dictionary, b"FT"));
        current = object_graph::get(doc, dictionary, b"Parent");
    }
    names.reverse();
    (names.join("."), field_type)
}

struct FieldWalk<'a> {
    doc: &'a Document,
    seen: HashSet<ObjectId>,
    found: Vec<SignatureField>,
}

impl<'a> FieldWalk<'a> {
    fn visit(
        &mut self,
        field: &'a Object,
        parent_name: &str,
        inherited_type: Option<&'a [u8]>,
        depth: usize,
    ) {
        if depth > MAX_TREE_DEPTH {
            return;
        }
        let id = field.as_reference().ok();
        if let Some(id) = id
            && !self.seen.insert(id)
        {
            return;
        }
        let doc = self.doc;
        let Some(dictionary) = object_graph::as_dictionary(doc, field) else {
            return;
        };
        let partial = dictionary.get(b"T").ok().and_then(object_graph::text);
        let name = match (parent_name.is_empty(), partial) {
            (_, None) => parent_name.to_owned(),
            (true, Some(partial)) => partial,
            (false, Some(partial)) => format!("{parent_name}.{partial}"),
        };
        let field_type = object_graph::get_name(doc, dictionary, b"FT").or(inherited_type);
        if field_type == Some(b"Sig".as_slice())
            && let Ok(value) = dictionary.get(b"V")
        {
            let value = match value {
                Object::Reference(value) => Some(SignatureValue::Indirect(*value)),
                Object::Dictionary(_) => Some(SignatureValue::Direct),
                _ => None,
            };
            let duplicate = self
                .found
                .iter()
                .any(|known| Some(known.value) == value && value != Some(SignatureValue::Direct));
            if let Some(value) = value
                && !duplicate
            {
                self.found.push(SignatureField {
                    name: name.clone(),
                    value,
                });
            }
        }
        for kid in object_graph::get_array(doc, dictionary, b"Kids").unwrap_or_default() {
            self.visit(kid, &name, field_type, depth + 1);
        }
    }
}
