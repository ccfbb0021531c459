//! The service's RFC 3161 time-stamping authority, checked against OpenSSL both ways:
//! `openssl ts -verify` accepts the service's tokens, and the service's client accepts the
//! tokens `openssl ts -reply` makes; rejections, serials and the record of each token.

use std::path::Path;
use std::process::Command;

use certcopy::timestamp::{self, TimestampError};
use certcopy::verification::{DigestAlgorithm, ValidationPolicy, certificates_from_pem_or_der};
use rocket::http::{ContentType, Status};
use sha2::{Digest, Sha256};

use crate::common::TestApp;
use crate::db_test;

fn query_type() -> ContentType {
    ContentType::new("application", "timestamp-query")
}

async fn post(app: &TestApp, body: Vec<u8>) -> (Status, Option<ContentType>, Vec<u8>) {
    let response = app
        .client
        .post("/api/v1/timestamp")
        .header(query_type())
        .body(body)
        .dispatch()
        .await;
    let status = response.status();
    let content_type = response.content_type();
    (
        status,
        content_type,
        response.into_bytes().await.unwrap_or_default(),
    )
}

fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

/// The development PKI's anchor, intermediate and CRLs, as a verifier is given them.
fn policy(pki: &Path) -> ValidationPolicy {
    let read = |name: &str| std::fs::read(pki.join(name)).unwrap();
    let mut policy = ValidationPolicy::new(time::OffsetDateTime::now_utc());
    policy.trust_anchors = certificates_from_pem_or_der(&read("root.crt")).unwrap();
    policy.intermediates = certificates_from_pem_or_der(&read("justice-ca.crt")).unwrap();
    policy.crls = certcopy::verification::crls_from_pem_or_der(&read("crl.pem")).unwrap();
    policy
}

fn status_of(reply: &[u8]) -> (u8, Vec<usize>) {
    timestamp::response_status(reply).expect("a TimeStampResp")
}

db_test!(openssl_verifies_our_tokens_and_we_verify_its, |app| {
    let pki = app.app.config.pki_dir.clone();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::write(dir.join("ban-sao.pdf"), b"%PDF-1.7 a signed copy").unwrap();

    // OpenSSL asks, the service answers, OpenSSL checks the answer.
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-query",
            "-data",
            "ban-sao.pdf",
            "-sha256",
            "-cert",
            "-out",
            "q.tsq",
        ],
    );
    assert!(ok, "{out}");
    let (status, content_type, reply) = post(&app, std::fs::read(dir.join("q.tsq")).unwrap()).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        content_type.map(|c| c.to_string()),
        Some("application/timestamp-reply".to_owned())
    );
    assert_eq!(status_of(&reply).0, 0, "granted");
    std::fs::write(dir.join("r.tsr"), &reply).unwrap();
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-in",
            "r.tsr",
            "-queryfile",
            "q.tsq",
            "-CAfile",
            pki.join("root.crt").to_str().unwrap(),
            "-untrusted",
            pki.join("justice-ca.crt").to_str().unwrap(),
        ],
    );
    assert!(ok && out.contains("Verification: OK"), "{out}");
    let (ok, text) = openssl(dir, &["ts", "-reply", "-in", "r.tsr", "-text"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("Policy OID: 1.3.6.1.4.1.32473.3161.1"),
        "{text}"
    );
    assert!(text.contains("Accuracy: 0x01 seconds"), "{text}");
    // The same file stamped for other data does not verify.
    std::fs::write(dir.join("other.pdf"), b"%PDF-1.7 another file").unwrap();
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-in",
            "r.tsr",
            "-data",
            "other.pdf",
            "-CAfile",
            pki.join("root.crt").to_str().unwrap(),
            "-untrusted",
            pki.join("justice-ca.crt").to_str().unwrap(),
        ],
    );
    assert!(!ok, "{out}");

    // The service's own client on its own answer: the checks pass, and each one fails
    // when it should.
    let digest: [u8; 32] = Sha256::digest(b"%PDF-1.7 a signed copy").into();
    let request = timestamp::request(DigestAlgorithm::Sha256, &digest, 0x5eed).unwrap();
    let (_, _, reply) = post(&app, request).await;
    let trust = policy(&pki);
    let (token, info) =
        timestamp::check_response(&reply, DigestAlgorithm::Sha256, &digest, 0x5eed, &trust)
            .expect("our token checks");
    assert_eq!(info.policy, "1.3.6.1.4.1.32473.3161.1");
    assert!(
        (time::OffsetDateTime::now_utc() - info.gen_time)
            .whole_seconds()
            .abs()
            < 60
    );
    assert_eq!(info.chain.len(), 3, "TSA, justice CA, root");
    let wrong = Sha256::digest(b"something else");
    assert!(matches!(
        timestamp::check_token(&token, Some((DigestAlgorithm::Sha256, &wrong)), &[], &trust),
        Err(TimestampError::Invalid(errors)) if errors.iter().any(|e| e.code == "TIMESTAMP_IMPRINT_MISMATCH")
    ));
    assert!(matches!(
        timestamp::check_response(&reply, DigestAlgorithm::Sha256, &digest, 0x5eee, &trust),
        Err(TimestampError::Invalid(errors)) if errors[0].code == "TIMESTAMP_NONCE_MISMATCH"
    ));
    let mut untrusting = trust.clone();
    untrusting.trust_anchors.clear();
    assert!(
        timestamp::check_token(&token, None, &[], &untrusting).is_err(),
        "a TSA not chaining to a trusted anchor is refused"
    );
    // One byte of the stamped time changed: the signature no longer verifies.
    let mut forged = token.clone();
    let at = forged
        .windows(4)
        .position(|w| w == b"2026" || w == b"2027")
        .expect("the generalized time is in the token");
    forged[at + 3] ^= 1;
    assert!(timestamp::check_token(&forged, None, &[], &trust).is_err());

    // OpenSSL as the TSA, with the development TSA key: the service's client accepts its
    // token (ESS signing-certificate v1 with SHA-1, as OpenSSL writes it by default).
    std::fs::write(
        dir.join("request.tsq"),
        timestamp::request(DigestAlgorithm::Sha256, &digest, 77).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("serial"), "01\n").unwrap();
    let config = format!(
        "[tsa]\ndefault_tsa = tsa1\n[tsa1]\nserial = {serial}\nsigner_cert = {cert}\nsigner_key = {key}\ncerts = {chain}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\ness_cert_id_chain = no\n",
        serial = dir.join("serial").display(),
        cert = pki.join("tsa/tsa.crt").display(),
        key = pki.join("tsa/tsa.key").display(),
        chain = pki.join("justice-ca.crt").display(),
    );
    std::fs::write(dir.join("tsa.cnf"), config).unwrap();
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-queryfile",
            "request.tsq",
            "-out",
            "openssl.tsr",
        ],
    );
    assert!(ok, "{out}");
    let theirs = std::fs::read(dir.join("openssl.tsr")).unwrap();
    let (_, info) =
        timestamp::check_response(&theirs, DigestAlgorithm::Sha256, &digest, 77, &trust)
            .expect("OpenSSL's token checks");
    assert_eq!(info.policy, "1.2.3.4.1");
    assert_eq!(
        info.serial, "02",
        "OpenSSL's next serial after the file's 01"
    );
});

db_test!(refusals_serials_and_the_record_of_tokens, |app| {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::write(dir.join("f"), b"data").unwrap();
    // SHA-1 is refused with badAlg (status 2, rejection).
    let (ok, out) = openssl(
        dir,
        &["ts", "-query", "-data", "f", "-sha1", "-out", "sha1.tsq"],
    );
    assert!(ok, "{out}");
    let (status, _, reply) = post(&app, std::fs::read(dir.join("sha1.tsq")).unwrap()).await;
    assert_eq!(status, Status::Ok, "a rejection is an answer too");
    assert_eq!(status_of(&reply), (2, vec![0]), "rejection, badAlg");
    std::fs::write(dir.join("sha1.tsr"), &reply).unwrap();
    let (_, text) = openssl(dir, &["ts", "-reply", "-in", "sha1.tsr", "-text"]);
    assert!(
        text.contains("Rejected") && text.contains("unrecognized or unsupported algorithm"),
        "{text}"
    );
    // Not DER: badDataFormat.
    let (_, _, reply) = post(&app, b"not a request".to_vec()).await;
    assert_eq!(status_of(&reply), (2, vec![5]), "rejection, badDataFormat");
    // Too large, wrong type.
    let (status, _, _) = post(&app, vec![0x30; 5000]).await;
    assert_eq!(status, Status::PayloadTooLarge);
    let wrong_type = app
        .client
        .post("/api/v1/timestamp")
        .header(ContentType::JSON)
        .body("{}")
        .dispatch()
        .await;
    assert_ne!(wrong_type.status(), Status::Ok);

    // Serials increase, one record per token granted.
    let mut serials = Vec::new();
    for n in 0..3u64 {
        let digest: [u8; 32] = Sha256::digest(n.to_be_bytes()).into();
        let (_, _, reply) = post(
            &app,
            timestamp::request(DigestAlgorithm::Sha256, &digest, n + 1).unwrap(),
        )
        .await;
        let trust = policy(&app.app.config.pki_dir);
        let (_, info) =
            timestamp::check_response(&reply, DigestAlgorithm::Sha256, &digest, n + 1, &trust)
                .unwrap();
        serials.push(u64::from_str_radix(&info.serial, 16).unwrap());
    }
    assert!(serials.windows(2).all(|w| w[0] < w[1]), "{serials:?}");
    let issued = app.db(|conn| certcopy::tsa::issued(conn).unwrap()).await;
    assert_eq!(issued, 3, "refusals leave no token record");
});
