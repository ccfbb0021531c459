//! Test fixtures: a throw-away PKI, small PDFs, and the independent validators
//! (poppler `pdfsig` with an NSS db, pyHanko, qpdf). A missing validator fails the test.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use certcopy::signing::{
    Appearance, AppearanceContent, DocMdpPermission, EmptySignatureField, Pkcs8Signer,
    SignatureKind, SignatureRequest,
};
use lopdf::{Document, Object, Stream, dictionary};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rsa::pkcs8::EncodePrivateKey;
use time::{Duration, OffsetDateTime, UtcOffset};

/// Files of the test PKI: root CA → intermediate CA → RSA-2048 signer and ECDSA P-256 signer.
pub struct Pki {
    pub dir: PathBuf,
    pub root_pem: PathBuf,
    /// NSS database trusting the root, for `pdfsig -nssdir sql:DIR`.
    pub nss_dir: PathBuf,
    /// PKCS#8 PEM of the RSA signer (the official).
    pub rsa_key: PathBuf,
    /// PEM bundle: RSA signer, intermediate.
    pub rsa_chain: PathBuf,
    /// PKCS#8 DER of the ECDSA signer (the agency seal).
    pub ecdsa_key: PathBuf,
    /// DER certificate of the ECDSA signer.
    pub ecdsa_cert: PathBuf,
    /// PEM of the intermediate CA.
    pub intermediate_pem: PathBuf,
}

/// The PKI, generated once per test binary.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(generate_pki)
}

fn ca_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CountryName, "VN");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "certcopy test PKI");
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    set_validity(&mut params);
    params
}

fn signer_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CountryName, "VN");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "UBND xa Thu nghiem");
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    set_validity(&mut params);
    params
}

fn set_validity(params: &mut CertificateParams) {
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(365);
}

fn generate_pki() -> Pki {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("pki-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create PKI dir");

    let root = CertifiedIssuer::self_signed(
        ca_params("certcopy Test Root CA"),
        KeyPair::generate().expect("root key"),
    )
    .expect("root cert");
    let intermediate = CertifiedIssuer::signed_by(
        ca_params("certcopy Test Intermediate CA"),
        KeyPair::generate().expect("intermediate key"),
        &root,
    )
    .expect("intermediate cert");

    // ring cannot generate RSA keys: the `rsa` crate makes one, ring signs with it.
    let rsa_key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA keygen");
    let rsa_pkcs8 = rsa_key.to_pkcs8_der().expect("RSA PKCS#8");
    let rsa_pair = KeyPair::try_from(rsa_pkcs8.as_bytes()).expect("rcgen accepts RSA PKCS#8");
    let rsa_cert = signer_params("Nguyen Van An (official)")
        .signed_by(&rsa_pair, &intermediate)
        .expect("RSA signer cert");

    let ecdsa_pair = KeyPair::generate().expect("ECDSA key");
    let ecdsa_cert = signer_params("UBND xa Thu nghiem (seal)")
        .signed_by(&ecdsa_pair, &intermediate)
        .expect("ECDSA signer cert");

    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write PKI file");
        path
    };
    let root_pem = write("root.pem", root.pem().as_bytes());
    let intermediate_pem = write("intermediate.pem", intermediate.pem().as_bytes());
    let rsa_key = write("official.key.pem", rsa_pair.serialize_pem().as_bytes());
    let rsa_chain = write(
        "official.chain.pem",
        format!("{}{}", rsa_cert.pem(), intermediate.pem()).as_bytes(),
    );
    let ecdsa_key = write("seal.key.der", &ecdsa_pair.serialize_der());
    let ecdsa_cert = write("seal.cert.der", ecdsa_cert.der());

    let nss_dir = dir.join("nss");
    std::fs::create_dir_all(&nss_dir).expect("create NSS dir");
    let nss = format!("sql:{}", nss_dir.display());
    run_ok("certutil", &["-N", "-d", &nss, "--empty-password"]);
    run_ok(
        "certutil",
        &[
            "-A",
            "-d",
            &nss,
            "-n",
            "root",
            "-t",
            "CT,C,C",
            "-i",
            &root_pem.to_string_lossy(),
        ],
    );

    Pki {
        dir,
        root_pem,
        nss_dir,
        rsa_key,
        rsa_chain,
        ecdsa_key,
        ecdsa_cert,
        intermediate_pem,
    }
}

impl Pki {
    /// The official's RSA signer, loaded from a PEM key and a PEM bundle.
    pub fn official(&self) -> Pkcs8Signer {
        certcopy::pki::signer_from_files(&self.rsa_key, &[&self.rsa_chain])
            .expect("load RSA signer")
    }

    /// The agency seal's ECDSA signer, loaded from DER key, DER cert and PEM intermediate.
    pub fn seal(&self) -> Pkcs8Signer {
        certcopy::pki::signer_from_files(
            &self.ecdsa_key,
            &[&self.ecdsa_cert, &self.intermediate_pem],
        )
        .expect("load ECDSA signer")
    }
}

/// Where the page keeps its annotations in a test PDF.
#[derive(Clone, Copy, Debug)]
pub enum Annots {
    /// No `/Annots`.
    None,
    /// A direct array holding one link annotation.
    Direct,
    /// An indirect array holding one link annotation.
    Indirect,
}

/// A small one-page A4 PDF (classic xref table), optionally with an existing annotation
/// and an existing AcroForm directly in the catalog.
pub fn one_page_pdf(annots: Annots, direct_acroform: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let content = b"BT /F1 18 Tf 72 760 Td (Ban sao dung voi ban chinh - test) Tj ET".to_vec();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let mut page = dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => resources_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    };
    let link = dictionary! {
        "Type" => "Annot", "Subtype" => "Link",
        "Rect" => vec![72.into(), 700.into(), 200.into(), 720.into()],
        "Border" => vec![0.into(), 0.into(), 0.into()],
        "A" => dictionary! { "S" => "URI", "URI" => Object::string_literal("https://example.invalid/") },
    };
    match annots {
        Annots::None => {}
        Annots::Direct => {
            let link_id = doc.add_object(link);
            page.set("Annots", vec![Object::Reference(link_id)]);
        }
        Annots::Indirect => {
            let link_id = doc.add_object(link);
            let array_id = doc.add_object(vec![Object::Reference(link_id)]);
            page.set("Annots", Object::Reference(array_id));
        }
    }
    let page_id = doc.add_object(page);
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        }),
    );
    let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
    if direct_acroform {
        catalog.set("AcroForm", dictionary! { "Fields" => Vec::<Object>::new() });
    }
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", catalog_id);
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save test PDF");
    out
}

/// Where the agency seal's visible signature goes.
pub const SEAL_RECT: [f32; 4] = [60.0, 60.0, 280.0, 120.0];

/// Request for the official's certification signature (DocMDP P=2). When visible, it also
/// creates the empty "Seal" field that the approval signature fills.
pub fn certification_request(visible: bool) -> SignatureRequest {
    SignatureRequest {
        signer_name: "Nguyễn Văn An".to_owned(),
        reason: "Chứng thực bản sao đúng với bản chính".to_owned(),
        location: "UBND xã Thử Nghiệm, Hà Nội".to_owned(),
        signing_time: hanoi_now(),
        kind: SignatureKind::Certification {
            permission: DocMdpPermission::FormFillingAndSigning,
        },
        field_name: Some("Official".to_owned()),
        appearance: visible.then(|| Appearance {
            page_index: 0,
            rect: [300.0, 60.0, 540.0, 120.0],
            content: AppearanceContent::Lines(vec![
                "Người thực hiện chứng thực: Nguyễn Văn An".to_owned(),
                "Phó Chủ tịch UBND xã Thử Nghiệm".to_owned(),
                "Ký số: 05/01/2026".to_owned(),
            ]),
        }),
        empty_fields: if visible {
            vec![EmptySignatureField {
                name: "Seal".to_owned(),
                page_index: 0,
                rect: SEAL_RECT,
            }]
        } else {
            Vec::new()
        },
    }
}

/// Request for the agency seal's approval signature into the "Seal" field (filled when it
/// exists, created otherwise).
pub fn approval_request(visible: bool) -> SignatureRequest {
    SignatureRequest {
        signer_name: "UBND xã Thử Nghiệm".to_owned(),
        reason: "Con dấu của cơ quan chứng thực".to_owned(),
        location: "Hà Nội".to_owned(),
        signing_time: hanoi_now(),
        kind: SignatureKind::Approval,
        field_name: Some("Seal".to_owned()),
        appearance: visible.then(|| Appearance {
            page_index: 0,
            rect: SEAL_RECT,
            content: AppearanceContent::Lines(vec![
                "UBND xã Thử Nghiệm".to_owned(),
                "(con dấu)".to_owned(),
            ]),
        }),
        empty_fields: Vec::new(),
    }
}

fn hanoi_now() -> OffsetDateTime {
    let offset = UtcOffset::from_hms(7, 0, 0).expect("UTC+7 is a valid offset");
    OffsetDateTime::now_utc().to_offset(offset)
}

/// A fresh output directory for one test.
pub fn test_dir(name: &str) -> PathBuf {
    let dir = pki().dir.join(name);
    std::fs::create_dir_all(&dir).expect("create test dir");
    dir
}

/// Runs a program; a missing program fails the test (validators are never skipped).
pub fn run(program: &str, args: &[&str]) -> (i32, String) {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("validator `{program}` is required but cannot run: {err}"));
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), text)
}

fn run_ok(program: &str, args: &[&str]) -> String {
    let (code, text) = run(program, args);
    assert_eq!(code, 0, "`{program} {}` failed:\n{text}", args.join(" "));
    text
}

/// `qpdf --check` must report no problem.
pub fn check_qpdf(pdf: &Path) {
    let text = run_ok("qpdf", &["--check", &pdf.to_string_lossy()]);
    assert!(
        text.contains("No syntax or stream encoding errors found"),
        "qpdf --check:\n{text}"
    );
    assert!(
        !text.to_lowercase().contains("warning"),
        "qpdf --check warned:\n{text}"
    );
}

/// `pdfsig` with the NSS db trusting the root: every signature valid and trusted, the
/// last one covering the whole document.
pub fn check_pdfsig(pdf: &Path, signatures: usize) {
    let nss = format!("sql:{}", pki().nss_dir.display());
    let text = run_ok("pdfsig", &["-nssdir", &nss, &pdf.to_string_lossy()]);
    // pdfsig also lists unsigned signature fields ("… is not signed").
    let sections: Vec<&str> = text
        .split("Signature #")
        .skip(1)
        .filter(|section| !section.contains("is not signed"))
        .collect();
    assert_eq!(
        sections.len(),
        signatures,
        "pdfsig signature count:\n{text}"
    );
    for section in &sections {
        assert!(section.contains("Signature is Valid"), "pdfsig:\n{text}");
        assert!(
            section.contains("Certificate is Trusted"),
            "pdfsig:\n{text}"
        );
    }
    let last = sections.last().expect("at least one signature");
    assert!(
        last.contains("Total document signed") && !last.contains("Not total document signed"),
        "pdfsig, last signature must cover the whole file:\n{text}"
    );
}

/// pyHanko: exit code 0, every signature intact, valid and trusted, no illegitimate
/// modification.
pub fn check_pyhanko(pdf: &Path, signatures: usize) -> String {
    let root = pki().root_pem.to_string_lossy().into_owned();
    let (code, text) = run(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--trust",
            &root,
            "--trust-replace",
            "--no-revocation-check",
            "--pretty-print",
            &pdf.to_string_lossy(),
        ],
    );
    assert_eq!(code, 0, "pyhanko sign validate failed:\n{text}");
    let count = |needle: &str| text.matches(needle).count();
    assert_eq!(
        count("The signature is cryptographically sound."),
        signatures,
        "pyhanko:\n{text}"
    );
    assert_eq!(
        count("The signer's certificate is trusted."),
        signatures,
        "pyhanko:\n{text}"
    );
    assert_eq!(
        count("The signature is judged VALID."),
        signatures,
        "pyhanko:\n{text}"
    );
    assert!(
        !text.contains("illegitimate"),
        "pyhanko found illegitimate changes:\n{text}"
    );
    assert!(!text.contains("INVALID"), "pyhanko:\n{text}");

    // The one-line summary: NAME:FINGERPRINT:INTACT:TRUSTED,<coverage>,<modification level>.
    let (code, summary) = run(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--trust",
            &root,
            "--trust-replace",
            "--no-revocation-check",
            &pdf.to_string_lossy(),
        ],
    );
    assert_eq!(code, 0, "pyhanko sign validate failed:\n{summary}");
    let statuses: Vec<&str> = summary.lines().filter(|l| l.contains(":INTACT:")).collect();
    assert_eq!(statuses.len(), signatures, "pyhanko summary:\n{summary}");
    for status in &statuses {
        assert!(
            status.contains(":INTACT:TRUSTED,"),
            "pyhanko summary:\n{summary}"
        );
        assert!(
            status.ends_with(",UNTOUCHED") || status.ends_with(",ACCEPTABLE_MODIFICATIONS"),
            "pyhanko summary:\n{summary}"
        );
    }
    text
}

/// DocMDP level pyHanko reads for each signature, in field order (`None` for approvals).
pub fn pyhanko_docmdp_levels(pdf: &Path) -> Vec<String> {
    let script = [
        "import sys",
        "from pyhanko.pdf_utils.reader import PdfFileReader",
        "with open(sys.argv[1], 'rb') as f:",
        "    for s in PdfFileReader(f).embedded_signatures:",
        "        print(s.field_name, s.docmdp_level)",
    ]
    .join("\n");
    let (code, text) = run("python3", &["-c", &script, &pdf.to_string_lossy()]);
    assert_eq!(code, 0, "pyhanko (python) failed:\n{text}");
    text.lines().map(str::to_owned).collect()
}

/// Writes `pdf` to `dir/name` and runs all three validators on it.
pub fn validate_all(dir: &Path, name: &str, pdf: &[u8], signatures: usize) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pdf).expect("write signed PDF");
    check_qpdf(&path);
    check_pdfsig(&path, signatures);
    check_pyhanko(&path, signatures);
    path
}
