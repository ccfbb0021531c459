//! The Document Security Store of the file being verified (ISO 32000-2, 12.8.4.3): its
//! certificates join the pool paths are built from (never the trust anchors), its CRLs the
//! revocation data, each used only after its signature checks against the issuing CA, as
//! for configured CRLs. Read from the final revision, bounded in count and size.

use std::io::Read;

use lopdf::{Document, Object};

use super::object_graph;

/// Most certificates, and most CRLs, taken from one DSS.
const MAX_ITEMS: usize = 64;
/// Largest certificate or CRL taken (decoded).
const MAX_ITEM_BYTES: u64 = 1 << 20;

/// What the DSS holds, DER.
#[derive(Debug, Default)]
pub(crate) struct DssMaterial {
    /// `/Certs`.
    pub certificates: Vec<Vec<u8>>,
    /// `/CRLs`.
    pub crls: Vec<Vec<u8>>,
}

/// The DSS of `doc`'s catalog; empty when there is none or it is unreadable.
pub(crate) fn read(doc: &Document) -> DssMaterial {
    let Some((_, catalog)) = object_graph::catalog(doc) else {
        return DssMaterial::default();
    };
    let Some(dss) = object_graph::get(doc, catalog, b"DSS")
        .and_then(|dss| object_graph::as_dictionary(doc, dss))
    else {
        return DssMaterial::default();
    };
    let items = |key: &[u8]| -> Vec<Vec<u8>> {
        object_graph::get_array(doc, dss, key)
            .map(|array| {
                array
                    .iter()
                    .take(MAX_ITEMS)
                    .filter_map(|item| stream_bytes(doc, item))
                    .collect()
            })
            .unwrap_or_default()
    };
    DssMaterial {
        certificates: items(b"Certs"),
        crls: items(b"CRLs"),
    }
}

/// A stream's data: as stored, or inflated (`/FlateDecode` only), at most
/// [`MAX_ITEM_BYTES`]; `None` for anything else.
fn stream_bytes(doc: &Document, item: &Object) -> Option<Vec<u8>> {
    let Object::Stream(stream) = object_graph::resolve(doc, item)? else {
        return None;
    };
    let filter = stream.dict.get(b"Filter").ok().map(|filter| match filter {
        Object::Name(name) => Some(name.as_slice()),
        Object::Array(filters) => match filters.as_slice() {
            [Object::Name(name)] => Some(name.as_slice()),
            _ => None,
        },
        _ => None,
    });
    let data = match filter {
        None => stream.content.clone(),
        Some(Some(b"FlateDecode")) => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(stream.content.as_slice())
                .take(MAX_ITEM_BYTES + 1)
                .read_to_end(&mut out)
                .ok()?;
            out
        }
        Some(_) => return None,
    };
    (data.len() as u64 <= MAX_ITEM_BYTES).then_some(data)
}
