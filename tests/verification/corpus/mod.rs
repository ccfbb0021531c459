//! Test corpus, generated on first use: an rcgen PKI, base PDFs made with lopdf (and pikepdf
//! for a cross-reference-stream variant), signatures made by pyHanko, and tampered copies.
//! Everything is written to `target/tmp/verification-corpus`, regenerated on every run.
//!
//! Requires `python3` with pyHanko and pikepdf; without them the tests fail.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use certcopy::verification::ValidationPolicy;
use lopdf::{Document, IncrementalDocument, Object, Stream, dictionary};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber,
};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use time::{Duration, OffsetDateTime};

/// Self-issued certificates with one subject and key in `self_issued_copies.pdf`.
pub const SELF_ISSUED_COPIES: u64 = 20;

/// The generated corpus.
pub struct Corpus {
    pub dir: PathBuf,
    pub root_pem: String,
    pub crls_pem: String,
}

impl Corpus {
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(name)).unwrap_or_else(|e| panic!("corpus file {name}: {e}"))
    }

    /// Trusts the real root, knows both CRLs, validates now.
    pub fn policy(&self) -> ValidationPolicy {
        let mut policy = ValidationPolicy::new(OffsetDateTime::now_utc());
        policy
            .add_trust_anchors(self.root_pem.as_bytes())
            .expect("generated root parses");
        policy
            .add_crls(self.crls_pem.as_bytes())
            .expect("generated CRLs parse");
        policy
    }
}

pub fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(build)
}

struct Authority {
    params: CertificateParams,
    key: KeyPair,
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::OrganizationName, "certcopy test PKI");
    dn.push(DnType::CommonName, common_name);
    dn
}

fn ca_params(common_name: &str, serial: u64) -> CertificateParams {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no SANs");
    params.distinguished_name = name(common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.serial_number = Some(SerialNumber::from(serial));
    params.not_before = now - Duration::days(3650);
    params.not_after = now + Duration::days(3650);
    params
}

fn signer_params(
    common_name: &str,
    serial: u64,
    usages: Vec<KeyUsagePurpose>,
    valid: (OffsetDateTime, OffsetDateTime),
) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no SANs");
    params.distinguished_name = name(common_name);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = usages;
    params.serial_number = Some(SerialNumber::from(serial));
    params.not_before = valid.0;
    params.not_after = valid.1;
    params
}

fn write(dir: &Path, file: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(file);
    std::fs::write(&path, contents).expect("write corpus file");
    path.to_string_lossy().into_owned()
}

fn rsa_key() -> KeyPair {
    let key = rsa::RsaPrivateKey::new(&mut rand_core_rng(), 2048).expect("RSA key generation");
    let pem = key.to_pkcs8_pem(LineEnding::LF).expect("PKCS#8 encoding");
    KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256)
        .expect("rcgen accepts RSA key")
}

fn rand_core_rng() -> rsa::rand_core::OsRng {
    rsa::rand_core::OsRng
}

fn ec_key() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("P-256 key generation")
}

/// A one-page PDF with an uncompressed content stream and a classic cross-reference table.
pub fn base_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(
        dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica"},
    );
    let content =
        b"BT /F1 24 Tf 72 720 Td (CHUNG THUC BAN SAO DUNG VOI BAN CHINH) Tj ET\n".to_vec();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content_id,
        "Resources" => dictionary! {"Font" => dictionary! {"F1" => font_id}},
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! {"Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1},
        ),
    );
    let catalog_id = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save base PDF");
    out
}

/// Appends an incremental update that replaces the first page's content stream (same object
/// number when `same_object`, else a new object plus a rewritten page dictionary).
pub fn replace_page_content(signed: &[u8], same_object: bool) -> Vec<u8> {
    let previous = Document::load_mem(signed).expect("signed corpus PDF loads");
    let page_id = *previous.get_pages().values().next().expect("one page");
    let content_id = previous.get_page_contents(page_id)[0];
    let mut update = IncrementalDocument::create_from(signed.to_vec(), previous);
    let forged = Stream::new(
        dictionary! {},
        b"BT /F1 24 Tf 72 720 Td (NOI DUNG DA BI THAY THE) Tj ET\n".to_vec(),
    );
    if same_object {
        update.new_document.set_object(content_id, forged);
    } else {
        update
            .opt_clone_object_to_new_document(page_id)
            .expect("clone page");
        let new_id = update.new_document.add_object(forged);
        let page = update
            .new_document
            .get_dictionary_mut(page_id)
            .expect("cloned page");
        page.set("Contents", new_id);
    }
    let mut out = Vec::new();
    update.save_to(&mut out).expect("save incremental update");
    out
}

/// An unsigned PDF (catalog, empty page tree) with one Flate object stream that inflates to
/// `inflated` bytes: a small object followed by zeros, about a thousand times smaller
/// compressed. `updates` incremental updates follow, each rewriting the catalog, so every
/// revision's load decodes the object stream again.
pub fn object_stream_bomb(inflated: usize, updates: usize) -> Vec<u8> {
    use std::io::Write;
    let header = b"4 0 ";
    let object = b"<< /Padding true >>";
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(header).expect("deflate");
    encoder.write_all(object).expect("deflate");
    let zeros = vec![0u8; 1 << 20];
    let mut left = inflated.saturating_sub(header.len() + object.len());
    while left > 0 {
        let chunk = left.min(zeros.len());
        encoder.write_all(&zeros[..chunk]).expect("deflate");
        left -= chunk;
    }
    let compressed = encoder.finish().expect("deflate");

    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    offsets.push(out.len());
    out.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    offsets.push(out.len());
    out.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    offsets.push(out.len());
    out.extend_from_slice(
        format!(
            "3 0 obj\n<< /Type /ObjStm /N 1 /First {} /Filter /FlateDecode /Length {} >>\nstream\n",
            header.len(),
            compressed.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&compressed);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let mut xref = out.len();
    out.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    for _ in 0..updates {
        let catalog = out.len();
        out.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
        let previous = xref;
        xref = out.len();
        out.extend_from_slice(
            format!(
                "xref\n0 2\n0000000000 65535 f \n{catalog:010} 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R /Prev {previous} >>\nstartxref\n{xref}\n%%EOF\n"
            )
            .as_bytes(),
        );
    }
    out
}

fn run_python(dir: &Path, jobs: &serde_json::Value, script: &str) {
    let jobs_path = write(
        dir,
        "jobs.json",
        serde_json::to_vec_pretty(jobs).expect("jobs JSON"),
    );
    let output = Command::new("python3")
        .arg(script)
        .arg(&jobs_path)
        .output()
        .expect("python3 must be installed to build the signature corpus");
    assert!(
        output.status.success(),
        "pyHanko signing failed (pyHanko and pikepdf are required):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn sign_job(
    input: &str,
    output: &str,
    identity: &(String, String, Vec<String>),
    field: &str,
    pades: bool,
    certify: Option<u8>,
    box_x: i32,
) -> serde_json::Value {
    serde_json::json!({
        "op": "sign", "in": input, "out": output,
        "key": identity.0, "cert": identity.1, "chain": identity.2,
        "field": field, "pades": pades, "certify": certify,
        "box": [box_x, 60, box_x + 200, 120],
    })
}

fn build() -> Corpus {
    // Under the target directory (statics are never dropped, so a TempDir would leak);
    // rebuilt from scratch on every test run.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("verification-corpus");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("corpus dir");
    let now = OffsetDateTime::now_utc();
    let current = (now - Duration::days(30), now + Duration::days(365));
    let signing = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];

    // Root and intermediate.
    let root = Authority {
        params: ca_params("certcopy Test Root CA", 1),
        key: ec_key(),
    };
    let root_cert = root.params.self_signed(&root.key).expect("root");
    let root_issuer = Issuer::from_params(&root.params, &root.key);
    let intermediate = Authority {
        params: ca_params("certcopy Test Issuing CA", 2),
        key: ec_key(),
    };
    let intermediate_cert = intermediate
        .params
        .signed_by(&intermediate.key, &root_issuer)
        .expect("intermediate");
    let intermediate_issuer = Issuer::from_params(&intermediate.params, &intermediate.key);
    let root_pem_path = write(&dir, "root.pem", root_cert.pem());
    let intermediate_pem_path = write(&dir, "intermediate.pem", intermediate_cert.pem());

    // Signers issued by the intermediate.
    let identity = |file: &str,
                    key: KeyPair,
                    params: CertificateParams,
                    issuer: &Issuer<'_, &KeyPair>,
                    chain: Vec<String>| {
        let cert = params.signed_by(&key, issuer).expect("signer certificate");
        let key_path = write(&dir, &format!("{file}.key.pem"), key.serialize_pem());
        let cert_path = write(&dir, &format!("{file}.pem"), cert.pem());
        (key_path, cert_path, chain)
    };
    let chain = vec![intermediate_pem_path.clone(), root_pem_path.clone()];
    let rsa_signer = identity(
        "rsa",
        rsa_key(),
        signer_params("Nguyen Van A (RSA)", 100, signing.clone(), current),
        &intermediate_issuer,
        chain.clone(),
    );
    // A key too short for ETSI TS 119 312 (RSA under 2048 bits), otherwise in order. rcgen
    // will not hold such a key, so the certificate is made for its public half alone.
    let weak_signer = {
        use rsa::pkcs8::EncodePublicKey;
        let key = rsa::RsaPrivateKey::new(&mut rand_core_rng(), 1024).expect("RSA-1024 key");
        let public = rcgen::SubjectPublicKeyInfo::from_der(
            key.to_public_key()
                .to_public_key_der()
                .expect("public key DER")
                .as_bytes(),
        )
        .expect("rcgen reads the public key");
        let cert = signer_params("Tran Van Yeu (RSA-1024)", 110, signing.clone(), current)
            .signed_by(&public, &intermediate_issuer)
            .expect("RSA-1024 signer certificate");
        let key_pem = key.to_pkcs8_pem(LineEnding::LF).expect("PKCS#8 encoding");
        (
            write(&dir, "weak.key.pem", key_pem.as_str()),
            write(&dir, "weak.pem", cert.pem()),
            chain.clone(),
        )
    };
    let ec_signer = identity(
        "ec",
        ec_key(),
        signer_params("UBND Phuong 1 (ECDSA)", 101, signing.clone(), current),
        &intermediate_issuer,
        chain.clone(),
    );
    let expired = identity(
        "expired",
        ec_key(),
        signer_params(
            "Het Han",
            102,
            signing.clone(),
            (now - Duration::days(730), now - Duration::days(365)),
        ),
        &intermediate_issuer,
        chain.clone(),
    );
    let revoked = identity(
        "revoked",
        ec_key(),
        signer_params("Bi Thu Hoi", 103, signing.clone(), current),
        &intermediate_issuer,
        chain.clone(),
    );
    let no_signing_usage = identity(
        "no_ku",
        ec_key(),
        signer_params(
            "Khong Duoc Ky",
            104,
            vec![KeyUsagePurpose::KeyEncipherment],
            current,
        ),
        &intermediate_issuer,
        chain.clone(),
    );

    // A look-alike root: same subject name as the real root, different key.
    let fake_root = Authority {
        params: ca_params("certcopy Test Root CA", 1),
        key: ec_key(),
    };
    let fake_root_cert = fake_root
        .params
        .self_signed(&fake_root.key)
        .expect("fake root");
    let fake_root_path = write(&dir, "fake_root.pem", fake_root_cert.pem());
    let fake_issuer = Issuer::from_params(&fake_root.params, &fake_root.key);
    let forger = identity(
        "forger",
        ec_key(),
        signer_params("Ke Gia Mao", 105, signing.clone(), current),
        &fake_issuer,
        vec![fake_root_path],
    );

    // Time-stamping authorities (RSA: pyHanko's test TSA signs with RSA only; extended key
    // usage timeStamping alone, critical): one under
    // the trusted intermediate, valid since before the expired signer was; one under the
    // look-alike root.
    let tsa_params = |common_name: &str, serial: u64| {
        use der::Encode;
        let mut params = signer_params(
            common_name,
            serial,
            vec![KeyUsagePurpose::DigitalSignature],
            (now - Duration::days(800), now + Duration::days(365)),
        );
        let usage = x509_cert::ext::pkix::ExtendedKeyUsage(vec![
            const_oid::db::rfc5280::ID_KP_TIME_STAMPING,
        ])
        .to_der()
        .expect("extended key usage DER");
        let mut extension = rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 37], usage);
        extension.set_criticality(true);
        params.custom_extensions.push(extension);
        params
    };
    let tsa = identity(
        "tsa",
        rsa_key(),
        tsa_params("certcopy Test TSA", 120),
        &intermediate_issuer,
        chain.clone(),
    );
    let untrusted_tsa = identity(
        "untrusted_tsa",
        rsa_key(),
        tsa_params("Ke Gia Mao TSA", 121),
        &fake_issuer,
        vec![write(&dir, "fake_root_for_tsa.pem", fake_root_cert.pem())],
    );

    // One CA name and key with many self-issued certificates (distinct serials), none trusted:
    // every copy verifies every other, so a naive path search tries every ordering.
    let loop_key = ec_key();
    let mut loop_copies = Vec::new();
    for serial in 0..SELF_ISSUED_COPIES {
        let cert = ca_params("certcopy Loop CA", 1000 + serial)
            .self_signed(&loop_key)
            .expect("self-issued copy");
        loop_copies.push(write(&dir, &format!("loop_{serial}.pem"), cert.pem()));
    }
    let loop_params = ca_params("certcopy Loop CA", 1000);
    let loop_issuer = Issuer::from_params(&loop_params, &loop_key);
    let looped = identity(
        "looped",
        ec_key(),
        signer_params("Vong Lap", 106, signing.clone(), current),
        &loop_issuer,
        loop_copies,
    );

    // CRLs: the root's (empty) and the intermediate's (revokes signer 103 yesterday).
    let crl = |issuer: &Issuer<'_, &KeyPair>, revoked_certs: Vec<RevokedCertParams>| {
        CertificateRevocationListParams {
            this_update: now - Duration::hours(1),
            next_update: now + Duration::days(7),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(issuer)
        .expect("CRL")
        .pem()
        .expect("CRL PEM")
    };
    let root_crl = crl(&root_issuer, vec![]);
    let intermediate_crl = crl(
        &intermediate_issuer,
        vec![RevokedCertParams {
            serial_number: SerialNumber::from(103u64),
            revocation_time: now - Duration::days(1),
            reason_code: None,
            invalidity_date: None,
        }],
    );

    let script = dir.join("sign.py");
    std::fs::write(&script, include_str!("sign.py")).expect("write sign.py");
    let script = script.to_string_lossy().into_owned();
    let base = write(&dir, "base.pdf", base_pdf());
    let base_xref_stream = dir
        .join("base_xref_stream.pdf")
        .to_string_lossy()
        .into_owned();
    let out = |name: &str| dir.join(name).to_string_lossy().into_owned();

    let mut jobs =
        vec![serde_json::json!({"op": "xref_stream", "in": base, "out": base_xref_stream})];
    jobs.push(sign_job(
        &base,
        &out("rsa.pdf"),
        &rsa_signer,
        "Signature1",
        true,
        None,
        60,
    ));
    jobs.push(sign_job(
        &base,
        &out("ecdsa_pkcs7.pdf"),
        &ec_signer,
        "Signature1",
        false,
        None,
        60,
    ));
    jobs.push(sign_job(
        &base_xref_stream,
        &out("rsa_xref_stream.pdf"),
        &rsa_signer,
        "Signature1",
        true,
        None,
        60,
    ));
    jobs.push(sign_job(
        &base,
        &out("expired.pdf"),
        &expired,
        "Signature1",
        true,
        None,
        60,
    ));
    // The expired key, with /M and signingTime set back to when its certificate was valid.
    let mut backdated = sign_job(
        &base,
        &out("expired_backdated.pdf"),
        &expired,
        "Signature1",
        true,
        None,
        60,
    );
    backdated["signing_time"] = serde_json::Value::String(
        (now - Duration::days(500))
            .format(&time::format_description::well_known::Rfc3339)
            .expect("RFC 3339 time"),
    );
    jobs.push(backdated);
    // Signature time-stamps (pyHanko's own TSA): now, on a valid signature; at a time the
    // expired certificate was valid, on the expired signer (past signature validation); the
    // same from a TSA nobody trusts.
    let with_tsa = |mut job: serde_json::Value,
                    authority: &(String, String, Vec<String>),
                    at: Option<OffsetDateTime>| {
        job["tsa"] = serde_json::json!({
            "key": authority.0, "cert": authority.1, "chain": authority.2,
            "time": at.map(|at| at.format(&time::format_description::well_known::Rfc3339).expect("RFC 3339 time")),
        });
        job
    };
    jobs.push(with_tsa(
        sign_job(
            &base,
            &out("rsa_timestamped.pdf"),
            &rsa_signer,
            "Signature1",
            true,
            None,
            60,
        ),
        &tsa,
        None,
    ));
    let back_then = now - Duration::days(500);
    for (name, authority) in [
        ("expired_timestamped.pdf", &tsa),
        ("expired_untrusted_timestamp.pdf", &untrusted_tsa),
    ] {
        let mut job = sign_job(&base, &out(name), &expired, "Signature1", true, None, 60);
        job["signing_time"] = serde_json::Value::String(
            back_then
                .format(&time::format_description::well_known::Rfc3339)
                .expect("RFC 3339 time"),
        );
        jobs.push(with_tsa(job, authority, Some(back_then)));
    }
    jobs.push(sign_job(
        &base,
        &out("self_issued_copies.pdf"),
        &looped,
        "Signature1",
        true,
        None,
        60,
    ));
    jobs.push(sign_job(
        &base,
        &out("revoked.pdf"),
        &revoked,
        "Signature1",
        true,
        None,
        60,
    ));
    jobs.push(sign_job(
        &base,
        &out("no_signing_usage.pdf"),
        &no_signing_usage,
        "Signature1",
        true,
        None,
        60,
    ));
    jobs.push(sign_job(
        &base,
        &out("fake_root.pdf"),
        &forger,
        "Signature1",
        true,
        None,
        60,
    ));
    jobs.push(sign_job(
        &base,
        &out("certified_p2.pdf"),
        &rsa_signer,
        "CanBo",
        true,
        Some(2),
        60,
    ));
    // A comment added after a certification: not allowed under P=2, allowed under P=3
    // (ISO 32000-1 Table 254).
    jobs.push(sign_job(
        &base,
        &out("certified_p3.pdf"),
        &rsa_signer,
        "CanBo",
        true,
        Some(3),
        60,
    ));
    for level in ["p2", "p3"] {
        jobs.push(serde_json::json!({
            "op": "comment",
            "in": out(&format!("certified_{level}.pdf")),
            "out": out(&format!("certified_{level}_commented.pdf")),
        }));
    }
    jobs.push(sign_job(
        &out("certified_p2.pdf"),
        &out("certified_p2_approved.pdf"),
        &ec_signer,
        "CoQuan",
        true,
        None,
        300,
    ));
    jobs.push(sign_job(
        &base,
        &out("certified_p1.pdf"),
        &rsa_signer,
        "CanBo",
        true,
        Some(1),
        60,
    ));
    let mut forced = sign_job(
        &out("certified_p1.pdf"),
        &out("certified_p1_approved.pdf"),
        &ec_signer,
        "CoQuan",
        true,
        None,
        300,
    );
    forced["ignore_docmdp"] = serde_json::Value::Bool(true);
    jobs.push(forced);
    // Algorithms: a weak key, a weak digest, RSASSA-PSS with salts other than the hash's
    // length and with SHA-512.
    jobs.push(sign_job(
        &base,
        &out("rsa1024.pdf"),
        &weak_signer,
        "Signature1",
        true,
        None,
        60,
    ));
    let mut sha1 = sign_job(
        &base,
        &out("sha1.pdf"),
        &rsa_signer,
        "Signature1",
        true,
        None,
        60,
    );
    sha1["digest"] = "sha1".into();
    jobs.push(sha1);
    for (name, hash, salt) in [
        ("pss_sha256_salt64.pdf", "sha256", 64),
        ("pss_sha256_salt0.pdf", "sha256", 0),
        ("pss_sha512_salt20.pdf", "sha512", 20),
    ] {
        let mut job = sign_job(&base, &out(name), &rsa_signer, "Signature1", true, None, 60);
        job["digest"] = hash.into();
        job["pss_hash"] = hash.into();
        job["pss_salt"] = salt.into();
        jobs.push(job);
    }
    // Document time-stamps (PAdES B-LTA) by pyHanko over the signed RSA copy: one from the
    // trusted TSA, one from the TSA under the look-alike root.
    for (name, authority) in [
        ("doc_timestamped.pdf", &tsa),
        ("doc_timestamp_untrusted.pdf", &untrusted_tsa),
    ] {
        jobs.push(serde_json::json!({
            "op": "doc_timestamp",
            "in": out("rsa.pdf"),
            "out": out(name),
            "field": "DocTs1",
            "tsa": {"key": authority.0, "cert": authority.1, "chain": authority.2},
        }));
    }
    run_python(&dir, &serde_json::Value::Array(jobs), &script);

    // Incremental-saving attacks on the valid RSA signature, and the forger signing on top.
    let signed = std::fs::read(out("rsa.pdf")).expect("rsa.pdf");
    write(
        &dir,
        "content_replaced.pdf",
        replace_page_content(&signed, true),
    );
    write(
        &dir,
        "content_replaced_new_object.pdf",
        replace_page_content(&signed, false),
    );
    let jobs = vec![sign_job(
        &out("content_replaced_new_object.pdf"),
        &out("content_replaced_resigned.pdf"),
        &forger,
        "Signature2",
        true,
        None,
        300,
    )];
    run_python(&dir, &serde_json::Value::Array(jobs), &script);

    Corpus {
        dir,
        root_pem: root_cert.pem(),
        crls_pem: format!("{root_crl}{intermediate_crl}"),
    }
}
