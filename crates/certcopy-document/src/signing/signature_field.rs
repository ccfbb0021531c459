//! Signature fields and their widgets inside an incremental update: reading the fields a
//! document already has, adding new fields to the page `/Annots` and the AcroForm
//! `/Fields`, and recording a certification signature in `/Perms`.
//!
//! Every edit copies into the update only the object that holds the changed entry (an
//! indirect `/Annots` or `/Fields` array is edited where it lives, not via its parent), so
//! later signatures change as little as possible — validators compare revisions object by
//! object (ISO 32000-1, 12.8.2.2; pyHanko's difference analysis).

use std::collections::{HashMap, HashSet};

use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId};

use super::error::{PdfError, SigningError};

/// AcroForm `/SigFlags`: SignaturesExist and AppendOnly (ISO 32000-1, 12.7.2).
const SIG_FLAGS: i64 = 3;

/// Depth limit when walking the AcroForm field tree of an untrusted document.
const MAX_FIELD_DEPTH: usize = 32;

/// How far (points) a requested rectangle may be from an existing widget's `/Rect`.
const RECT_TOLERANCE: f32 = 0.01;

/// An empty signature field to create now and sign in a later revision.
///
/// After a certification signature, a visible approval signature should go into a field
/// that already existed when the document was certified: DocMDP P=2 permits signing, and
/// strict validators (pyHanko) reject a visible signature field created after certification.
#[derive(Clone, Debug, PartialEq)]
pub struct EmptySignatureField {
    /// Field name (`/T`), unique in the document.
    pub name: String,
    /// 0-based index of the page that shows the widget.
    pub page_index: usize,
    /// Widget rectangle `[x0, y0, x1, y1]` in points.
    pub rect: [f32; 4],
}

/// An unsigned signature field found in the document.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct UnsignedField {
    /// The field dictionary (gets `/V`).
    pub field_id: ObjectId,
    /// The widget annotation (gets `/AP`); the same object for a merged field/widget.
    pub widget_id: ObjectId,
    /// The widget's page (`/P`), when recorded.
    pub page_id: Option<ObjectId>,
    /// The widget's `/Rect`.
    pub rect: [f32; 4],
}

impl UnsignedField {
    /// Whether an appearance placed at `page_id`/`rect` matches this widget.
    pub fn matches_placement(&self, page_id: ObjectId, rect: [f32; 4]) -> bool {
        let same_page = self.page_id.is_none_or(|p| p == page_id);
        same_page
            && self
                .rect
                .iter()
                .zip(rect)
                .all(|(a, b)| (a - b).abs() <= RECT_TOLERANCE)
    }
}

/// What the document already holds in signatures and fields.
#[derive(Debug, Default)]
pub(crate) struct ExistingSignatures {
    /// `/P` of the certification signature, when the catalog has `/Perms /DocMDP`.
    pub docmdp_permission: Option<i64>,
    /// Signature fields that already have a value.
    pub signed_fields: usize,
    /// Fully qualified names of all fields.
    pub field_names: HashSet<Vec<u8>>,
    /// Unsigned signature fields by fully qualified name.
    pub unsigned_fields: HashMap<Vec<u8>, UnsignedField>,
}

impl ExistingSignatures {
    /// Reads the certification state and the field tree (bounded depth, cycle-safe).
    pub fn read(document: &Document, catalog: &Dictionary) -> Self {
        let mut existing = Self {
            docmdp_permission: docmdp_permission(document, catalog),
            ..Self::default()
        };
        let fields = catalog
            .get(b"AcroForm")
            .and_then(|form| document.dereference(form))
            .and_then(|(_, form)| form.as_dict())
            .and_then(|form| form.get(b"Fields"))
            .and_then(|fields| document.dereference(fields))
            .and_then(|(_, fields)| fields.as_array());
        if let Ok(fields) = fields {
            let mut seen = HashSet::new();
            for field in fields {
                existing.visit_field(document, field, Vec::new(), 0, &mut seen);
            }
        }
        existing
    }

    fn visit_field(
        &mut self,
        document: &Document,
        field: &Object,
        parent_name: Vec<u8>,
        depth: usize,
        seen: &mut HashSet<ObjectId>,
    ) {
        if depth > MAX_FIELD_DEPTH {
            return;
        }
        let field_id = match field {
            Object::Reference(id) => {
                if !seen.insert(*id) {
                    return;
                }
                Some(*id)
            }
            _ => None,
        };
        let Ok((_, Object::Dictionary(dict))) = document.dereference(field) else {
            return;
        };
        let mut name = parent_name;
        if let Ok(part) = dict.get(b"T").and_then(Object::as_str) {
            if !name.is_empty() {
                name.push(b'.');
            }
            name.extend_from_slice(part);
        }
        self.field_names.insert(name.clone());

        let is_signature = dict.get(b"FT").and_then(Object::as_name).ok() == Some(&b"Sig"[..]);
        if is_signature && dict.has(b"V") {
            self.signed_fields += 1;
        }
        let kids = dict.get(b"Kids").and_then(Object::as_array).ok();
        if is_signature
            && !dict.has(b"V")
            && let Some(field_id) = field_id
            && let Some(unsigned) = unsigned_field(document, field_id, dict, kids)
        {
            self.unsigned_fields.insert(name.clone(), unsigned);
        }
        if let Some(kids) = kids {
            for kid in kids {
                // Widget-only kids carry no /T and add no name of their own.
                self.visit_field(document, kid, name.clone(), depth + 1, seen);
            }
        }
    }
}

/// The single widget of an unsigned signature field: the field itself when merged, or its
/// only kid. Fields with several widgets are not offered for filling.
fn unsigned_field(
    document: &Document,
    field_id: ObjectId,
    field: &Dictionary,
    kids: Option<&Vec<Object>>,
) -> Option<UnsignedField> {
    let (widget_id, widget) = match kids {
        None => (field_id, field),
        Some(kids) => match kids.as_slice() {
            [Object::Reference(kid_id)] => (*kid_id, document.get_dictionary(*kid_id).ok()?),
            _ => return None,
        },
    };
    let rect = widget.get(b"Rect").and_then(Object::as_array).ok()?;
    let rect: Vec<f32> = rect.iter().filter_map(|v| v.as_float().ok()).collect();
    let rect: [f32; 4] = rect.try_into().ok()?;
    Some(UnsignedField {
        field_id,
        widget_id,
        page_id: widget.get(b"P").and_then(Object::as_reference).ok(),
        rect,
    })
}

/// `/P` of the DocMDP transform of the certification signature, if any (default 2).
fn docmdp_permission(document: &Document, catalog: &Dictionary) -> Option<i64> {
    let signature = catalog
        .get(b"Perms")
        .and_then(|perms| document.dereference(perms))
        .and_then(|(_, perms)| perms.as_dict())
        .and_then(|perms| perms.get(b"DocMDP"))
        .and_then(|sig| document.dereference(sig))
        .and_then(|(_, sig)| sig.as_dict())
        .ok()?;
    let permission = signature
        .get(b"Reference")
        .and_then(Object::as_array)
        .ok()
        .and_then(|references| {
            references.iter().find_map(|reference| {
                let reference = document.dereference(reference).ok()?.1.as_dict().ok()?;
                if reference
                    .get(b"TransformMethod")
                    .and_then(Object::as_name)
                    .ok()
                    != Some(&b"DocMDP"[..])
                {
                    return None;
                }
                let params = reference.get(b"TransformParams").ok()?;
                let params = document.dereference(params).ok()?.1.as_dict().ok()?;
                Some(params.get(b"P").and_then(Object::as_i64).unwrap_or(2))
            })
        });
    Some(permission.unwrap_or(2))
}

/// `{stem}1`, `{stem}2`, … — the first not already used as a field name.
pub(crate) fn unused_field_name(taken: &HashSet<Vec<u8>>, stem: &str) -> String {
    (1..)
        .map(|n| format!("{stem}{n}"))
        .find(|name| !taken.contains(name.as_bytes()))
        .unwrap_or_else(|| stem.to_owned())
}

/// Checks a widget rectangle: finite, with positive width and height.
pub(crate) fn checked_rect(rect: [f32; 4]) -> Result<[f32; 4], SigningError> {
    let [x0, y0, x1, y1] = rect;
    if rect.iter().all(|v| v.is_finite()) && x1 > x0 && y1 > y0 {
        Ok(rect)
    } else {
        Err(SigningError::InvalidRequest {
            reason: "appearance rectangle must be finite with x1 > x0 and y1 > y0",
        })
    }
}

/// Appends widgets to the page's `/Annots`, editing only the object that holds the array
/// (the page itself when `/Annots` is direct or absent).
pub(crate) fn add_to_page_annots(
    update: &mut IncrementalDocument,
    page_id: ObjectId,
    widget_ids: &[ObjectId],
) -> Result<(), SigningError> {
    let malformed = |what| PdfError::Malformed { what };
    let annots = update
        .get_prev_documents()
        .get_dictionary(page_id)
        .map_err(|_| malformed("page"))?
        .get(b"Annots")
        .ok()
        .cloned();
    let references = widget_ids.iter().map(|&id| Object::Reference(id));
    match annots {
        Some(Object::Reference(array_id)) => {
            push_to_array_object(update, array_id, widget_ids, "page /Annots")
        }
        Some(Object::Array(_)) | None => {
            update
                .opt_clone_object_to_new_document(page_id)
                .map_err(PdfError::Lopdf)?;
            let page = update
                .new_document
                .get_dictionary_mut(page_id)
                .map_err(|_| malformed("page"))?;
            match page.get_mut(b"Annots") {
                Ok(Object::Array(array)) => array.extend(references),
                _ => page.set("Annots", Object::Array(references.collect())),
            }
            Ok(())
        }
        Some(_) => Err(malformed("page /Annots").into()),
    }
}

/// Copies the indirect array `array_id` into the update and appends references to it.
fn push_to_array_object(
    update: &mut IncrementalDocument,
    array_id: ObjectId,
    item_ids: &[ObjectId],
    what: &'static str,
) -> Result<(), SigningError> {
    update
        .opt_clone_object_to_new_document(array_id)
        .map_err(PdfError::Lopdf)?;
    update
        .new_document
        .get_object_mut(array_id)
        .and_then(Object::as_array_mut)
        .map_err(|_| PdfError::Malformed { what })?
        .extend(item_ids.iter().map(|&id| Object::Reference(id)));
    Ok(())
}

/// Where the document keeps its AcroForm, with its `/Fields` entry if any.
enum AcroFormLocation {
    Indirect(ObjectId, Option<Object>, i64),
    InCatalog(Option<Object>, i64),
    Absent,
}

/// Adds fields to the AcroForm `/Fields` (nothing when `field_ids` is empty) and makes sure
/// `/SigFlags` includes 3, creating an indirect AcroForm when there is none (so later
/// signatures need not touch the catalog). Objects are only copied when they change.
pub(crate) fn add_to_acroform(
    update: &mut IncrementalDocument,
    catalog_id: ObjectId,
    field_ids: &[ObjectId],
) -> Result<(), SigningError> {
    let malformed = |what| PdfError::Malformed { what };
    let sig_flags = |form: &Dictionary| form.get(b"SigFlags").and_then(Object::as_i64).unwrap_or(0);
    let acroform = update
        .get_prev_documents()
        .get_dictionary(catalog_id)
        .map_err(|_| malformed("catalog"))?
        .get(b"AcroForm")
        .ok()
        .cloned();
    let acroform = match acroform {
        Some(Object::Reference(acroform_id)) => {
            let form = update
                .get_prev_documents()
                .get_dictionary(acroform_id)
                .map_err(|_| malformed("AcroForm"))?;
            AcroFormLocation::Indirect(
                acroform_id,
                form.get(b"Fields").ok().cloned(),
                sig_flags(form),
            )
        }
        Some(Object::Dictionary(form)) => {
            AcroFormLocation::InCatalog(form.get(b"Fields").ok().cloned(), sig_flags(&form))
        }
        None => AcroFormLocation::Absent,
        Some(_) => return Err(malformed("AcroForm").into()),
    };

    let (fields, flags) = match &acroform {
        AcroFormLocation::Indirect(_, fields, flags)
        | AcroFormLocation::InCatalog(fields, flags) => (fields.clone(), *flags),
        AcroFormLocation::Absent => (None, 0),
    };
    // An indirect /Fields array is edited where it lives.
    let fields_in_form = match fields {
        Some(Object::Reference(array_id)) => {
            if !field_ids.is_empty() {
                push_to_array_object(update, array_id, field_ids, "AcroForm /Fields")?;
            }
            false
        }
        Some(Object::Array(_)) | None => !field_ids.is_empty(),
        Some(_) => return Err(malformed("AcroForm /Fields").into()),
    };
    let flags_change = flags & SIG_FLAGS != SIG_FLAGS;
    if !fields_in_form && !flags_change {
        return Ok(());
    }

    let edit = |form: &mut Dictionary| {
        if fields_in_form {
            let references = field_ids.iter().map(|&id| Object::Reference(id));
            match form.get_mut(b"Fields") {
                Ok(Object::Array(array)) => array.extend(references),
                _ => form.set("Fields", Object::Array(references.collect())),
            }
        }
        if flags_change {
            form.set("SigFlags", Object::Integer(flags | SIG_FLAGS));
        }
    };
    match acroform {
        AcroFormLocation::Indirect(acroform_id, ..) => {
            update
                .opt_clone_object_to_new_document(acroform_id)
                .map_err(PdfError::Lopdf)?;
            let form = update
                .new_document
                .get_dictionary_mut(acroform_id)
                .map_err(|_| malformed("AcroForm"))?;
            edit(form);
        }
        AcroFormLocation::InCatalog(..) => {
            let catalog = cloned_catalog(update, catalog_id)?;
            let form = catalog
                .get_mut(b"AcroForm")
                .and_then(Object::as_dict_mut)
                .map_err(|_| malformed("AcroForm"))?;
            edit(form);
        }
        AcroFormLocation::Absent => {
            let mut form = Dictionary::new();
            edit(&mut form);
            let acroform_id = update.new_document.add_object(Object::Dictionary(form));
            cloned_catalog(update, catalog_id)?.set("AcroForm", Object::Reference(acroform_id));
        }
    }
    Ok(())
}

/// Records the certification signature in the catalog's `/Perms` (ISO 32000-1, 12.8.4).
pub(crate) fn add_docmdp_permission(
    update: &mut IncrementalDocument,
    catalog_id: ObjectId,
    signature_id: ObjectId,
) -> Result<(), SigningError> {
    let malformed = || PdfError::Malformed { what: "/Perms" };
    let perms = update
        .get_prev_documents()
        .get_dictionary(catalog_id)
        .map_err(|_| PdfError::Malformed { what: "catalog" })?
        .get(b"Perms")
        .ok()
        .cloned();
    let perms_dict = match perms {
        Some(Object::Reference(perms_id)) => {
            update
                .opt_clone_object_to_new_document(perms_id)
                .map_err(PdfError::Lopdf)?;
            update
                .new_document
                .get_dictionary_mut(perms_id)
                .map_err(|_| malformed())?
        }
        Some(Object::Dictionary(_)) | None => {
            let catalog = cloned_catalog(update, catalog_id)?;
            if !matches!(catalog.get(b"Perms"), Ok(Object::Dictionary(_))) {
                catalog.set("Perms", Object::Dictionary(Dictionary::new()));
            }
            catalog
                .get_mut(b"Perms")
                .and_then(Object::as_dict_mut)
                .map_err(|_| malformed())?
        }
        Some(_) => return Err(malformed().into()),
    };
    perms_dict.set("DocMDP", Object::Reference(signature_id));
    Ok(())
}

/// The catalog, copied into the update for editing.
pub(crate) fn cloned_catalog(
    update: &mut IncrementalDocument,
    catalog_id: ObjectId,
) -> Result<&mut Dictionary, SigningError> {
    update
        .opt_clone_object_to_new_document(catalog_id)
        .map_err(PdfError::Lopdf)?;
    Ok(update
        .new_document
        .get_dictionary_mut(catalog_id)
        .map_err(|_| PdfError::Malformed { what: "catalog" })?)
}
