//! The Document Security Store (ISO 32000-2, 12.8.4.3; ETSI EN 319 142-1, 5.4.2): the
//! certificates and CRLs a verifier needs to validate every signature and time-stamp of the
//! file without fetching anything, added as an incremental update (PAdES B-LT).
//!
//! A DSS already in the file is extended, never replaced: its entries stay, items already
//! there (same bytes) are not added twice, and `/OCSPs` and `/VRI` are carried over as
//! they are. The catalog also declares the ETSI extension of PDF 1.7 (`/Extensions /ESIC`).

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::append::append_update;
use super::error::SigningError;
use super::pdf::read_previous;
use super::signature_field::cloned_catalog;

/// What goes into the DSS: DER certificates and DER CRLs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationMaterial {
    /// Certificates (signers, time-stamping authorities, their CAs), DER.
    pub certificates: Vec<Vec<u8>>,
    /// Certificate revocation lists of those CAs, DER.
    pub crls: Vec<Vec<u8>>,
}

impl ValidationMaterial {
    /// Adds `items` to `list`, skipping those already there.
    fn merge(list: &mut Vec<Vec<u8>>, items: impl IntoIterator<Item = Vec<u8>>) {
        for item in items {
            if !list.contains(&item) {
                list.push(item);
            }
        }
    }

    /// The certificates of `chains` (each signer first, its CAs after) and, from
    /// `crl_pool`, the CRLs of their issuers (see [`Self::add_crls_of_issuers`]).
    pub fn for_chains(
        chains: &[&[x509_cert::Certificate]],
        crl_pool: &[Vec<u8>],
    ) -> Result<Self, SigningError> {
        use der::Encode;
        let mut material = ValidationMaterial::default();
        for certificate in chains.iter().flat_map(|chain| chain.iter()) {
            material.add_certificates([certificate.to_der()?]);
        }
        let certificates = material.certificates.clone();
        material.add_crls_of_issuers(&certificates, crl_pool);
        Ok(material)
    }

    /// Adds, from `crl_pool`, the CRLs issued by the issuer of one of `certificates` (DER;
    /// matched by name, the verifier checks their signatures). Unreadable items are
    /// skipped.
    pub fn add_crls_of_issuers(&mut self, certificates: &[Vec<u8>], crl_pool: &[Vec<u8>]) {
        use x509_parser::prelude::{FromDer, X509Certificate};
        use x509_parser::revocation_list::CertificateRevocationList;
        let issuers: Vec<Vec<u8>> = certificates
            .iter()
            .filter_map(|der| X509Certificate::from_der(der).ok())
            .map(|(_, certificate)| certificate.issuer().as_raw().to_vec())
            .collect();
        for der in crl_pool {
            let Ok((_, crl)) = CertificateRevocationList::from_der(der) else {
                continue;
            };
            if issuers
                .iter()
                .any(|issuer| issuer.as_slice() == crl.issuer().as_raw())
            {
                self.add_crls([der.clone()]);
            }
        }
    }

    /// Adds certificates, skipping duplicates.
    pub fn add_certificates(&mut self, certificates: impl IntoIterator<Item = Vec<u8>>) {
        Self::merge(&mut self.certificates, certificates);
    }

    /// Adds CRLs, skipping duplicates.
    pub fn add_crls(&mut self, crls: impl IntoIterator<Item = Vec<u8>>) {
        Self::merge(&mut self.crls, crls);
    }
}

/// Adds (or extends) the DSS of `pdf` with `material` as an incremental update and returns
/// the file; `pdf` is its unchanged prefix. From `crl_pool`, the CRLs of the issuers of the
/// certificates already in the DSS go in too (renewing a copy brings the revocation data of
/// its earlier signers and time-stamps up to date). Returns `pdf` as it is when the DSS
/// already holds every item.
pub fn add_dss(
    pdf: Vec<u8>,
    material: &ValidationMaterial,
    crl_pool: &[Vec<u8>],
) -> Result<Vec<u8>, SigningError> {
    let previous = read_previous(&pdf)?;
    let catalog_id = previous.catalog_id;
    let catalog = previous.catalog()?;
    let existing = ExistingDss::read(&previous.document, catalog);
    let mut material = material.clone();
    material.add_crls_of_issuers(&existing.certificates, crl_pool);
    let new_certificates: Vec<&Vec<u8>> = material
        .certificates
        .iter()
        .filter(|der| !existing.contents.contains(der.as_slice()))
        .collect();
    let new_crls: Vec<&Vec<u8>> = material
        .crls
        .iter()
        .filter(|der| !existing.contents.contains(der.as_slice()))
        .collect();
    if new_certificates.is_empty() && new_crls.is_empty() {
        return Ok(pdf);
    }
    let (section_kind, previous_section) = (previous.section_kind, previous.section_start);
    let mut dss = existing.dictionary;
    let mut update = previous.into_update();

    let mut add_streams = |key: &str, items: &[&Vec<u8>]| {
        if items.is_empty() {
            return;
        }
        let mut array = match dss.get(key.as_bytes()) {
            Ok(Object::Array(array)) => array.clone(),
            _ => Vec::new(),
        };
        for der in items {
            let mut stream = Stream::new(Dictionary::new(), der.to_vec());
            // Certificates and CRLs are already dense; compressing them gains little.
            stream.allows_compression = false;
            array.push(Object::Reference(
                update.new_document.add_object(Object::Stream(stream)),
            ));
        }
        dss.set(key, Object::Array(array));
    };
    add_streams("Certs", &new_certificates);
    add_streams("CRLs", &new_crls);

    match existing.id {
        // An indirect DSS gets a new version of the same object: nothing it held becomes
        // unreachable, which a verifier would take for hidden content.
        Some(dss_id) => {
            update
                .new_document
                .objects
                .insert(dss_id, Object::Dictionary(dss));
        }
        None => {
            let dss_id = update.new_document.add_object(Object::Dictionary(dss));
            let catalog = cloned_catalog(&mut update, catalog_id)?;
            catalog.set("DSS", Object::Reference(dss_id));
            declare_esic_extension(catalog);
        }
    }

    let mut written = pdf;
    append_update(
        &mut written,
        &update.new_document,
        section_kind,
        previous_section,
    )?;
    Ok(written)
}

/// `/Extensions /ESIC << /BaseVersion /1.7 /ExtensionLevel 5 >>` (ETSI EN 319 142-1,
/// 5.4.1), unless the catalog declares it already.
fn declare_esic_extension(catalog: &mut Dictionary) {
    let mut extensions = match catalog.get(b"Extensions") {
        Ok(Object::Dictionary(extensions)) => extensions.clone(),
        // An indirect extensions dictionary is left alone: the declaration is advisory.
        Ok(_) => return,
        Err(_) => Dictionary::new(),
    };
    if extensions.has(b"ESIC") {
        return;
    }
    let mut esic = Dictionary::new();
    esic.set("BaseVersion", Object::Name(b"1.7".to_vec()));
    esic.set("ExtensionLevel", Object::Integer(5));
    extensions.set("ESIC", Object::Dictionary(esic));
    catalog.set("Extensions", Object::Dictionary(extensions));
}

/// The DSS already in a file: its dictionary (copied, to be extended) and the bytes of
/// every certificate and CRL it holds.
struct ExistingDss {
    /// The object the catalog points to, when the DSS is indirect.
    id: Option<ObjectId>,
    dictionary: Dictionary,
    /// Every item, certificates and CRLs.
    contents: HashSet<Vec<u8>>,
    /// The certificates.
    certificates: Vec<Vec<u8>>,
}

impl ExistingDss {
    fn read(document: &Document, catalog: &Dictionary) -> Self {
        let (id, dictionary) = match catalog.get(b"DSS") {
            Ok(Object::Reference(id)) => (Some(*id), document.get_dictionary(*id).ok().cloned()),
            Ok(Object::Dictionary(dictionary)) => (None, Some(dictionary.clone())),
            _ => (None, None),
        };
        let (Some(dictionary), id) = (dictionary, id) else {
            let mut fresh = Dictionary::new();
            fresh.set("Type", Object::Name(b"DSS".to_vec()));
            return ExistingDss {
                id: None,
                dictionary: fresh,
                contents: HashSet::new(),
                certificates: Vec::new(),
            };
        };
        let items = |key: &[u8]| -> Vec<Vec<u8>> {
            match dictionary.get(key) {
                Ok(Object::Array(items)) => items
                    .iter()
                    .filter_map(|item| stream_bytes(document, item))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let certificates = items(b"Certs");
        let contents = certificates.iter().cloned().chain(items(b"CRLs")).collect();
        ExistingDss {
            id,
            dictionary,
            contents,
            certificates,
        }
    }
}

fn stream_bytes(document: &Document, item: &Object) -> Option<Vec<u8>> {
    let id: ObjectId = item.as_reference().ok()?;
    let stream = document.get_object(id).ok()?.as_stream().ok()?;
    if stream.dict.has(b"Filter") {
        stream.decompressed_content().ok()
    } else {
        Some(stream.content.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal_pdf() -> Vec<u8> {
        let mut document = Document::with_version("1.7");
        let pages_id = document.new_object_id();
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference(pages_id));
        page.set(
            "MediaBox",
            Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()]),
        );
        let page_id = document.add_object(page);
        let mut pages = Dictionary::new();
        pages.set("Type", Object::Name(b"Pages".to_vec()));
        pages.set("Kids", Object::Array(vec![Object::Reference(page_id)]));
        pages.set("Count", 1);
        document.objects.insert(pages_id, Object::Dictionary(pages));
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference(pages_id));
        let catalog_id = document.add_object(catalog);
        document.trailer.set("Root", Object::Reference(catalog_id));
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).expect("saved");
        bytes
    }

    fn dss_items(pdf: &[u8], key: &[u8]) -> Vec<Vec<u8>> {
        let document = Document::load_mem(pdf).expect("loads");
        let catalog = document.catalog().expect("catalog");
        let dss_id = catalog
            .get(b"DSS")
            .and_then(Object::as_reference)
            .expect("DSS");
        let dss = document.get_dictionary(dss_id).expect("dictionary");
        match dss.get(key) {
            Ok(Object::Array(items)) => items
                .iter()
                .map(|item| stream_bytes(&document, item).expect("stream"))
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn adds_then_extends_without_duplicates() {
        let original = minimal_pdf();
        let first = ValidationMaterial {
            certificates: vec![b"certificate A".to_vec()],
            crls: vec![b"crl A".to_vec()],
        };
        let once = add_dss(original.clone(), &first, &[]).expect("added");
        assert!(once.starts_with(&original), "an incremental update");
        assert_eq!(dss_items(&once, b"Certs"), first.certificates);
        assert_eq!(dss_items(&once, b"CRLs"), first.crls);
        let document = Document::load_mem(&once).expect("loads");
        let catalog = document.catalog().expect("catalog");
        assert!(
            catalog
                .get(b"Extensions")
                .and_then(Object::as_dict)
                .is_ok_and(|extensions| extensions.has(b"ESIC"))
        );

        // Nothing new: the file is returned as it is.
        let again = add_dss(once.clone(), &first, &[]).expect("nothing to add");
        assert_eq!(again, once);

        let mut second = first.clone();
        second.add_certificates([b"certificate B".to_vec(), b"certificate A".to_vec()]);
        let twice = add_dss(once.clone(), &second, &[]).expect("extended");
        assert!(twice.starts_with(&once));
        assert_eq!(
            dss_items(&twice, b"Certs"),
            vec![b"certificate A".to_vec(), b"certificate B".to_vec()]
        );
        assert_eq!(dss_items(&twice, b"CRLs"), vec![b"crl A".to_vec()]);
        // The DSS is the same object, in a new version: the first one is not orphaned.
        let dss_id = |pdf: &[u8]| {
            let document = Document::load_mem(pdf).expect("loads");
            let catalog = document.catalog().expect("catalog");
            catalog
                .get(b"DSS")
                .and_then(Object::as_reference)
                .expect("DSS")
        };
        assert_eq!(dss_id(&once), dss_id(&twice));
    }
}
