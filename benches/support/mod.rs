//! Inputs shared by the benchmarks and `examples/bench_inputs.rs`: the 10-page A4 scan
//! (`certcopy::intake::synthetic::a4_scan_set`), the copy document issuing makes of it, and
//! the committed test PKI (`fixtures/pki`) as signers and trust material.

#![allow(dead_code)] // each bench uses part of it

use std::path::{Path, PathBuf};

use certcopy::assembly::{CopyDocument, PlacementPolicy, Statement};
use certcopy::intake::{Limits, ScanFile, read_scans};
use certcopy::registry::issuance::{CertificationNumber, Signatories};
use certcopy::signing::Pkcs8Signer;
use certcopy::verification::ValidationPolicy;
use time::OffsetDateTime;
use time::macros::datetime;

/// Pages in the benchmark scan.
pub const PAGES: u32 = 10;

/// The claimed signing time of benchmark copies (fixed, so the output is reproducible).
pub const SIGNING_TIME: OffsetDateTime = datetime!(2026-11-23 03:00 UTC);

/// The number printed on benchmark copies.
pub const NUMBER: CertificationNumber<'static> = CertificationNumber {
    sequence: 1234,
    book: "01/2026",
    type_code: "SCT/BS",
};

const OFFICIAL_NAME: &str = "Trần Thị Bích Ngọc";
const OFFICIAL_POSITION: &str = "Phó Chủ tịch";
const OFFICE_NAME: &str = "Ủy ban nhân dân phường Bến Nghé";

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The scan files, named `page-01.jpg` … as a scanner would.
pub fn scan_files(jpegs: Vec<Vec<u8>>) -> Vec<ScanFile> {
    jpegs
        .into_iter()
        .enumerate()
        .map(|(index, bytes)| ScanFile {
            name: format!("page-{:02}.jpg", index + 1),
            bytes,
        })
        .collect()
}

/// The copy document issuing builds from `scans`, as for a real issuance.
pub fn copy_document(scans: &[ScanFile]) -> CopyDocument {
    let pages = read_scans(scans, &Limits::default()).expect("benchmark scans pass intake");
    CopyDocument {
        pages,
        title: "Bằng tốt nghiệp trung học phổ thông".to_owned(),
        statement: Statement {
            sequence: u32::try_from(NUMBER.sequence).expect("small number"),
            book: NUMBER.book.to_owned(),
            date: SIGNING_TIME.date(),
            official_name: OFFICIAL_NAME.to_owned(),
            official_position: OFFICIAL_POSITION.to_owned(),
            office_name: OFFICE_NAME.to_owned(),
        },
        verify_url: "https://dichvucong.example.vn/v/K7QX-M2PA-9TRD-4WZB".to_owned(),
        code: "K7QX-M2PA-9TRD-4WZB".to_owned(),
        placement: PlacementPolicy::Auto,
    }
}

/// The official's and the seal's keys from the committed test PKI.
pub struct FixtureKeys {
    official: Pkcs8Signer,
    seal: Pkcs8Signer,
}

impl FixtureKeys {
    /// Loads `fixtures/pki/signer-rsa.*` and `seal-rsa.*` with their chain.
    pub fn load() -> Self {
        let chain = |name: &str| {
            [
                repo_path(&format!("fixtures/pki/{name}.crt")),
                repo_path("fixtures/pki/justice-ca.crt"),
                repo_path("fixtures/pki/root.crt"),
            ]
        };
        let signer = |name: &str| {
            certcopy::pki::signer_from_files(
                repo_path(&format!("fixtures/pki/{name}.key")),
                &chain(name),
            )
            .expect("fixture key loads")
        };
        Self {
            official: signer("signer-rsa"),
            seal: signer("seal-rsa"),
        }
    }

    /// Who signs benchmark copies.
    pub fn signatories(&self) -> Signatories<'_> {
        Signatories {
            official_name: OFFICIAL_NAME,
            official_position: OFFICIAL_POSITION,
            office_name: OFFICE_NAME,
            office_province: "Thành phố Hồ Chí Minh",
            official: &self.official,
            seal: &self.seal,
            official_image: None,
            seal_image: None,
            timestamper: None,
            validation_material: None,
        }
    }
}

/// Validation against the committed test PKI (root, justice CA CRL, root CRL), at `time`.
pub fn fixture_policy(time: OffsetDateTime) -> ValidationPolicy {
    let read = |relative: &str| std::fs::read(repo_path(relative)).expect("fixture file");
    let mut policy = ValidationPolicy::new(time);
    policy
        .add_trust_anchors(&read("fixtures/pki/root.crt"))
        .expect("root certificate");
    policy
        .add_crls(&read("fixtures/pki/crl-empty.pem"))
        .expect("justice CA CRL");
    policy
        .add_crls(&read("fixtures/pki/crl-root.pem"))
        .expect("root CRL");
    policy
}
