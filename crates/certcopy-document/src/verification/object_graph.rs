//! Walking lopdf's object graph defensively: bounded reference chains, visited sets, no
//! panics on missing or mistyped objects.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

/// Longest chain of references followed to reach a direct object.
const MAX_REFERENCE_CHAIN: usize = 16;
/// Deepest page tree or field tree walked.
pub(crate) const MAX_TREE_DEPTH: usize = 64;

/// Follows references until a direct object; `None` when one is missing or the chain loops.
pub(crate) fn resolve<'a>(doc: &'a Document, mut object: &'a Object) -> Option<&'a Object> {
    for _ in 0..MAX_REFERENCE_CHAIN {
        match object {
            Object::Reference(id) => object = doc.objects.get(id)?,
            direct => return Some(direct),
        }
    }
    None
}

/// The dictionary behind `object` (a stream's dictionary counts).
pub(crate) fn as_dictionary<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    match resolve(doc, object)? {
        Object::Dictionary(dictionary) => Some(dictionary),
        Object::Stream(stream) => Some(&stream.dict),
        _ => None,
    }
}

/// `dictionary[key]`, resolved.
pub(crate) fn get<'a>(
    doc: &'a Document,
    dictionary: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Object> {
    resolve(doc, dictionary.get(key).ok()?)
}

/// `dictionary[key]` as a name.
pub(crate) fn get_name<'a>(
    doc: &'a Document,
    dictionary: &'a Dictionary,
    key: &[u8],
) -> Option<&'a [u8]> {
    match get(doc, dictionary, key)? {
        Object::Name(name) => Some(name),
        _ => None,
    }
}

/// `dictionary[key]` as an array, resolved.
pub(crate) fn get_array<'a>(
    doc: &'a Document,
    dictionary: &'a Dictionary,
    key: &[u8],
) -> Option<&'a [Object]> {
    match get(doc, dictionary, key)? {
        Object::Array(items) => Some(items),
        _ => None,
    }
}

/// The catalog's id (from the trailer) and dictionary.
pub(crate) fn catalog(doc: &Document) -> Option<(ObjectId, &Dictionary)> {
    let id = doc.trailer.get(b"Root").ok()?.as_reference().ok()?;
    Some((id, as_dictionary(doc, doc.objects.get(&id)?)?))
}

/// Pages (leaves) and intermediate nodes of the page tree.
#[derive(Debug, Default)]
pub(crate) struct PageTree {
    /// Page objects in document order.
    pub pages: Vec<ObjectId>,
    /// `/Pages` nodes.
    pub nodes: Vec<ObjectId>,
}

/// Walks the page tree from the catalog, ignoring cycles and direct kids.
pub(crate) fn page_tree(doc: &Document) -> PageTree {
    let mut tree = PageTree::default();
    let Some(root) =
        catalog(doc).and_then(|(_, catalog)| catalog.get(b"Pages").ok()?.as_reference().ok())
    else {
        return tree;
    };
    let mut seen = HashSet::new();
    let mut stack = vec![(root, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        if depth > MAX_TREE_DEPTH || !seen.insert(id) {
            continue;
        }
        let Some(node) = doc
            .objects
            .get(&id)
            .and_then(|object| as_dictionary(doc, object))
        else {
            continue;
        };
        match get_array(doc, node, b"Kids") {
            Some(kids) if get_name(doc, node, b"Type") != Some(b"Page") => {
                tree.nodes.push(id);
                // Reverse so pages come out in document order.
                for kid in kids.iter().rev() {
                    if let Ok(kid) = kid.as_reference() {
                        stack.push((kid, depth + 1));
                    }
                }
            }
            _ => tree.pages.push(id),
        }
    }
    tree
}

/// References held by `object` (recursively through direct arrays and dictionaries),
/// skipping entries whose key is in `skip_keys`.
pub(crate) fn references(object: &Object, skip_keys: &[&[u8]], out: &mut Vec<ObjectId>) {
    let mut stack: Vec<(&Object, usize)> = vec![(object, 0)];
    while let Some((object, depth)) = stack.pop() {
        if depth > MAX_TREE_DEPTH {
            continue;
        }
        match object {
            Object::Reference(id) => out.push(*id),
            Object::Array(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
            Object::Dictionary(dictionary) => {
                push_entries(dictionary, skip_keys, depth, &mut stack)
            }
            Object::Stream(stream) => push_entries(&stream.dict, skip_keys, depth, &mut stack),
            _ => {}
        }
    }
}

fn push_entries<'a>(
    dictionary: &'a Dictionary,
    skip_keys: &[&[u8]],
    depth: usize,
    stack: &mut Vec<(&'a Object, usize)>,
) {
    for (key, value) in dictionary.iter() {
        if !skip_keys.contains(&key.as_slice()) {
            stack.push((value, depth + 1));
        }
    }
}

/// Every object reachable from `starts`, skipping `skip_keys` at every level.
pub(crate) fn reachable(
    doc: &Document,
    starts: &[ObjectId],
    skip_keys: &[&[u8]],
) -> HashSet<ObjectId> {
    let mut seen = HashSet::new();
    let mut queue: Vec<ObjectId> = starts.to_vec();
    while let Some(id) = queue.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(object) = doc.objects.get(&id) {
            references(object, skip_keys, &mut queue);
        }
    }
    seen
}

/// A text string (PDFDocEncoding or UTF-16BE) as Rust text, lossy.
pub(crate) fn text(object: &Object) -> Option<String> {
    lopdf::decode_text_string(object)
        .ok()
        .or_else(|| match object {
            Object::String(bytes, _) => Some(String::from_utf8_lossy(bytes).into_owned()),
            _ => None,
        })
}
