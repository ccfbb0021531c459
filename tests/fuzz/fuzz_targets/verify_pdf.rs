//! Any bytes into the verifier, as an agency's upload would arrive: `verify_pdf` under a
//! policy with the committed test PKI (root, CRLs), and the register-code lookup the
//! upload path runs on the same bytes. Neither may panic, overflow or run away; a report or
//! a `VerificationError` are both fine.

#![no_main]

use std::sync::LazyLock;

use certcopy_document::assembly::claimed_code;
use certcopy_document::verification::{ValidationPolicy, verify_pdf};
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;

static POLICY: LazyLock<ValidationPolicy> = LazyLock::new(|| {
    let pki = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pki/");
    let read = |name: &str| std::fs::read(format!("{pki}{name}")).expect("fixtures/pki file");
    let mut policy = ValidationPolicy::new(datetime!(2026-11-23 03:00 UTC));
    policy
        .add_trust_anchors(&read("root.crt"))
        .expect("root certificate");
    policy.add_crls(&read("crl-empty.pem")).expect("CA CRL");
    policy.add_crls(&read("crl-root.pem")).expect("root CRL");
    policy
});

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = verify_pdf(data, &POLICY) {
        // Every answer the service gives is this report as JSON.
        serde_json::to_vec(&report).expect("a report always serialises");
    }
    let _ = claimed_code(data);
});
