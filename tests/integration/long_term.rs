//! Copies at PAdES B-LTA and their renewal: a DSS with what validates the signatures and
//! their time-stamps, a document time-stamp over everything, pyHanko's PAdES-LTA
//! validation and pdfsig on the issued file, and `certcopy registry retimestamp` keeping a
//! copy verifiable years later, after every certificate that signed it has expired.

use std::path::Path;

use certcopy::pki::dev_pki::{CertProfile, IssuedCert, KeyAlgorithm};
use certcopy::registry::retimestamp::Renewal;
use certcopy::verification::{
    DocumentReport, Indication, ValidationPolicy, certificates_from_pem_or_der,
    crls_from_pem_or_der, verify_pdf,
};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use certcopy::db::ids::CopyId;
use certcopy::db::models::RegisterEntry;
use rocket::http::Status;

use crate::common::{TestApp, bearer};
use crate::db_test;
use crate::issuing::office_with_official;
use crate::validators::run;
use crate::verifying::issue;

/// What a verifier holds `years` from now: only the root as anchor, and CRLs the CAs
/// publish then (fresh, empty). Nothing of the copy's own validation data.
fn policy_in(pki: &Path, years: i64) -> ValidationPolicy {
    let at = OffsetDateTime::now_utc() + Duration::days(365 * years);
    let mut policy = ValidationPolicy::new(at);
    policy.trust_anchors =
        certificates_from_pem_or_der(&std::fs::read(pki.join("root.crt")).unwrap()).unwrap();
    for ca in ["justice-ca", "root"] {
        let loaded = IssuedCert::load_ca(
            &pki.join(format!("{ca}.crt")),
            &pki.join(format!("{ca}.key")),
        )
        .unwrap();
        let crl = loaded
            .crl(&[], at - Duration::days(1), at + Duration::days(30))
            .unwrap();
        policy
            .crls
            .extend(crls_from_pem_or_der(crl.as_bytes()).unwrap());
    }
    policy
}

fn explain(report: &DocumentReport) -> String {
    serde_json::to_string_pretty(report).unwrap()
}

/// Replaces the time-stamping authority's certificate and key by a new one valid for
/// `years`, as an operator renews it.
fn renew_tsa(pki: &Path, years: i64) {
    let ca = IssuedCert::load_ca(&pki.join("justice-ca.crt"), &pki.join("justice-ca.key")).unwrap();
    let tsa = ca
        .issue(
            &CertProfile::time_stamping(
                "certcopy Dev TSA 2 (DEVELOPMENT ONLY)",
                "certcopy DEVELOPMENT",
                years,
            ),
            KeyAlgorithm::Rsa2048,
        )
        .unwrap();
    tsa.write(&pki.join("tsa"), "tsa").unwrap();
}

/// The register entry as stored now.
async fn stored_entry(app: &TestApp, id: &CopyId) -> RegisterEntry {
    let id = id.clone();
    app.app
        .db
        .run(move |conn| RegisterEntry::find(conn, &id))
        .await
        .unwrap()
        .expect("the entry")
}

/// The PDF the office downloads for the copy.
async fn downloaded(app: &TestApp, token: &str, id: &CopyId) -> Vec<u8> {
    let response = app
        .client
        .get(format!("/api/v1/copies/{id}/pdf"))
        .header(bearer(token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    response.into_bytes().await.unwrap()
}

db_test!(copies_are_b_lta_and_stay_verifiable_when_renewed, |app| {
    let pki = app.app.config.pki_dir.clone();
    let (_, official, token) =
        office_with_official(&app, "UBND Phường Bến Nghé", "lanhdao.bn").await;
    let issued = issue(&app, &official, "079203004567").await;
    let entry = &issued.entry;

    // Stored file: signed content, then the DSS and the document time-stamp.
    let content = entry.document_sha256.clone().unwrap();
    let file = entry
        .file_sha256
        .clone()
        .expect("a B-LTA copy has a file digest of its own");
    assert_ne!(content, file);
    assert_eq!(hex::encode(Sha256::digest(&issued.pdf)), file);
    assert!(entry.timestamp_valid_until.is_some());

    // Today: both signatures and the document time-stamp pass, the register knows it.
    let now = app.app.trust.policy(OffsetDateTime::now_utc());
    let report = verify_pdf(&issued.pdf, &now).unwrap();
    assert_eq!(
        report.verdict,
        Indication::TotalPassed,
        "{}",
        explain(&report)
    );
    assert_eq!(report.signatures_count, 2);
    assert_eq!(report.document_timestamps.len(), 1, "{}", explain(&report));
    let stamp = &report.document_timestamps[0];
    assert_eq!(
        stamp.indication,
        Indication::TotalPassed,
        "{}",
        explain(&report)
    );
    assert!(stamp.covers_whole_document);
    assert!(stamp.tsa.as_deref().unwrap_or("").contains("TSA"));
    assert_eq!(hex::encode(report.signed_content_sha256.unwrap()), content);
    let served = crate::validators::our_verifier_passes(&app, "b-lta", &issued).await;
    assert!(matches!(
        served.register,
        Some(certcopy::verification::RegisterStatus::Found { .. })
    ));

    // Six years on, with only the root and that day's CRLs: the signers' certificates
    // (three years) and the TSA's (five) have expired; nothing proves when the copy was
    // signed any more.
    let later = verify_pdf(&issued.pdf, &policy_in(&pki, 6)).unwrap();
    assert_eq!(
        later.verdict,
        Indication::Indeterminate,
        "{}",
        explain(&later)
    );
    assert_eq!(
        later.document_timestamps[0].indication,
        Indication::Indeterminate,
        "{}",
        explain(&later)
    );

    // Before the TSA certificate expires, the operator renews the TSA and re-timestamps.
    renew_tsa(&pki, 9);
    let retimestamper = app.app.retimestamper().unwrap();
    let horizon = OffsetDateTime::now_utc() + Duration::days(365 * 6);
    let due = retimestamper.due(horizon).await.unwrap();
    assert_eq!(due, vec![entry.id.clone()]);
    let renewal = retimestamper.renew(&entry.id, horizon).await.unwrap();
    let Renewal::Stamped {
        file_sha256,
        valid_until,
    } = renewal
    else {
        panic!("not renewed: {renewal:?}");
    };
    assert!(valid_until.unwrap() > horizon);
    // Renewed: no longer due, and a second run leaves it.
    assert!(retimestamper.due(horizon).await.unwrap().is_empty());
    assert_eq!(
        retimestamper.renew(&entry.id, horizon).await.unwrap(),
        Renewal::Skipped
    );

    // The office downloads the renewed file; it extends the issued one.
    let renewed = downloaded(&app, &token, &entry.id).await;
    assert_eq!(hex::encode(Sha256::digest(&renewed)), file_sha256);
    assert!(renewed.starts_with(&issued.pdf), "an incremental update");
    let stored = stored_entry(&app, &entry.id).await;
    assert_eq!(stored.file_sha256.as_deref(), Some(file_sha256.as_str()));
    assert_eq!(stored.document_sha256.as_deref(), Some(content.as_str()));

    // Today the renewed copy passes with two document time-stamps, and the register still
    // recognises it by its signed content.
    let report = verify_pdf(&renewed, &now).unwrap();
    assert_eq!(
        report.verdict,
        Indication::TotalPassed,
        "{}",
        explain(&report)
    );
    assert_eq!(report.document_timestamps.len(), 2);
    assert!(
        report
            .document_timestamps
            .iter()
            .all(|stamp| stamp.indication == Indication::TotalPassed)
    );
    assert_eq!(hex::encode(report.signed_content_sha256.unwrap()), content);

    // Six years on: the new time-stamp is trusted then; it proves the first existed while
    // its TSA was valid, and the first proves the signatures existed while theirs were, with
    // the CRLs of the time in the DSS.
    let later = verify_pdf(&renewed, &policy_in(&pki, 6)).unwrap();
    assert_eq!(
        later.verdict,
        Indication::TotalPassed,
        "{}",
        explain(&later)
    );
    for signature in &later.signatures {
        assert!(
            signature.signature_timestamp.is_some(),
            "{}",
            explain(&later)
        );
    }

    // The renewal is in the audit log.
    let renewals = app
        .db(|conn| {
            use certcopy::db::schema::audit_log::dsl::*;
            use diesel::prelude::*;
            audit_log
                .filter(action.eq("copy.retimestamp"))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(renewals, 1);
});

/// pdfsig and pyHanko's long-term validation accept an issued copy, and pyHanko checks both
/// document time-stamps of a renewed one.
#[rocket::async_test]
async fn independent_validators_accept_b_lta_copies_and_their_renewal() {
    let app = TestApp::builder(crate::common::Backend::Sqlite)
        .with_dev_pki()
        .build()
        .await
        .unwrap();
    let (_, official, token) =
        office_with_official(&app, "UBND Phường Tân Định", "lanhdao.td").await;
    let issued = issue(&app, &official, "079203007654").await;
    let dir = tempfile::tempdir().unwrap();
    let root = app.dir.join("pki/root.crt");
    crate::validators::check_with_independent_tools(dir.path(), &root, "b-lta.pdf", &issued);

    // The operator's command renews it (a horizon past the TSA certificate's expiry); the
    // register log and the audit chain still agree afterwards.
    let (code, out) = crate::transparency::cli(
        &app,
        &["registry", "retimestamp", "--horizon-days", "36500"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("stamped 1, skipped 0, failed 0"), "{out}");
    let (code, out) = crate::transparency::cli(&app, &["registry", "verify"]);
    assert_eq!(code, 0, "{out}");
    let file_sha256 = stored_entry(&app, &issued.entry.id).await.file_sha256;
    assert_ne!(file_sha256, issued.entry.file_sha256);
    let renewed = downloaded(&app, &token, &issued.entry.id).await;
    assert_eq!(Some(hex::encode(Sha256::digest(&renewed))), file_sha256);
    let path = dir.path().join("b-lta-renewed.pdf");
    std::fs::write(&path, &renewed).unwrap();
    crate::validators::check_long_term_validity(
        dir.path(),
        &root,
        "b-lta-renewed.pdf",
        path.to_str().unwrap(),
        2,
    );
    let nss = crate::validators::trusting_nss_db(dir.path(), &root);
    let (_, pdfsig) = run(
        dir.path(),
        "pdfsig",
        &[
            "-nssdir",
            &format!("sql:{}", nss.display()),
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(pdfsig.matches("Signature is Valid").count(), 2, "{pdfsig}");
    assert!(pdfsig.contains("DocumentTimestamp2"), "{pdfsig}");
}
