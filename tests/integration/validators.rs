//! Independent proof: copies issued by the service pass poppler's `pdfsig` (NSS trusting
//! the development root), pyHanko's validator, `qpdf --check`; `pdftotext` extracts the
//! statement with its diacritics and `pdftoppm` + `zbarimg` decode the QR to the verify URL.
//! JPEG (multi-page), PNG, scanner-style PDF, and both statement placements. A missing tool
//! fails the test.

use std::path::Path;
use std::process::Command;

use certcopy::assembly::PlacementPolicy;
use certcopy::intake::ScanFile;
use certcopy::intake::synthetic::{synthetic_scan_pdf, synthetic_scan_png};
use certcopy::registry::issuance::{IssueOptions, IssueRequest, IssuedCopy};

use crate::common::{Backend, TestApp};
use crate::issuing::{office_with_official, small_jpeg};

pub fn run(dir: &Path, program: &str, args: &[&str]) -> (bool, String) {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("`{program}` is required for this test (see .ci/run): {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// An NSS database in `dir/nss` trusting the development root (made once), for `pdfsig`.
pub fn trusting_nss_db(dir: &Path, root_pem: &Path) -> std::path::PathBuf {
    let nss = dir.join("nss");
    if !nss.exists() {
        std::fs::create_dir_all(&nss).unwrap();
        let db = format!("sql:{}", nss.display());
        assert!(run(dir, "certutil", &["-N", "-d", &db, "--empty-password"]).0);
        assert!(
            run(
                dir,
                "certutil",
                &[
                    "-A",
                    "-d",
                    &db,
                    "-n",
                    "dev-root",
                    "-t",
                    "CT,C,C",
                    "-i",
                    root_pem.to_str().unwrap()
                ]
            )
            .0
        );
    }
    nss
}

/// pyHanko's long-term validation of a B-LTA copy (`adesverify`: ETSI EN 319 102-1 §5.6.3,
/// revocation data required and taken from the DSS, the document time-stamps as evidence
/// record) accepts both signatures with their time-stamps; its check of each of the
/// `stamps` document time-stamps (revocation required, CRLs only from the DSS) passes.
pub fn check_long_term_validity(dir: &Path, root_pem: &Path, name: &str, pdf: &str, stamps: usize) {
    let root = root_pem.to_str().unwrap();
    let (ok, lta) = run(
        dir,
        "pyhanko",
        &[
            "sign",
            "adesverify",
            "--trust",
            root,
            "--trust-replace",
            pdf,
        ],
    );
    assert!(ok, "{name}: pyHanko's LTA validation failed: {lta}");
    let verdicts: Vec<&str> = lta
        .lines()
        .filter(|line| line.contains(":INTACT:"))
        .collect();
    assert_eq!(verdicts.len(), 2, "{name}: {lta}");
    for line in verdicts {
        assert!(
            line.contains("INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>"),
            "{name}: {line}"
        );
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ltv/document_timestamps.py");
    let (ok, out) = run(dir, "python3", &[script.to_str().unwrap(), root, pdf]);
    assert!(ok, "{name}: pyHanko rejected a document time-stamp: {out}");
    assert_eq!(
        out.matches("VALID INTACT:TRUSTED").count(),
        stamps,
        "{name}: {out}"
    );
    assert!(out.contains("coverage ENTIRE_FILE"), "{name}: {out}");
}

pub fn check_with_independent_tools(dir: &Path, root_pem: &Path, name: &str, issued: &IssuedCopy) {
    let pdf = dir.join(name);
    std::fs::write(&pdf, &issued.pdf).unwrap();
    let pdf_arg = pdf.to_str().unwrap();

    let nss = trusting_nss_db(dir, root_pem);
    let (_, pdfsig) = run(
        dir,
        "pdfsig",
        &["-nssdir", &format!("sql:{}", nss.display()), pdf_arg],
    );
    assert_eq!(
        pdfsig.matches("Signature is Valid").count(),
        2,
        "{name}: {pdfsig}"
    );
    assert_eq!(
        pdfsig.matches("Certificate is Trusted").count(),
        2,
        "{name}: {pdfsig}"
    );
    // PAdES B-LTA: the document time-stamp comes last and covers the whole file; poppler
    // lists it (it does not validate RFC 3161 tokens), the seal's signature is followed by
    // the DSS and that time-stamp.
    let (signatures, stamp) = pdfsig.split_once("Signature #3").unwrap_or((&pdfsig, ""));
    let seal = signatures.rsplit("Signature #2").next().unwrap();
    assert!(
        seal.contains("Not total document signed"),
        "{name}: {pdfsig}"
    );
    assert!(
        stamp.contains("DocumentTimestamp1") && stamp.contains("Total document signed"),
        "{name}: {pdfsig}"
    );
    check_long_term_validity(dir, root_pem, name, pdf_arg, 1);

    let (ok, pyhanko) = run(
        dir,
        "pyhanko",
        &[
            "sign",
            "validate",
            "--trust",
            root_pem.to_str().unwrap(),
            "--trust-replace",
            "--no-revocation-check",
            "--pretty-print",
            pdf_arg,
        ],
    );
    assert!(ok, "{name}: pyHanko rejected the copy: {pyhanko}");
    // PAdES B-T: each signature carries a time-stamp pyHanko checks on its own.
    assert_eq!(
        pyhanko
            .matches("The timestamp token is cryptographically sound.")
            .count(),
        2,
        "{name}: {pyhanko}"
    );
    assert_eq!(
        pyhanko.matches("The TSA certificate is trusted.").count(),
        2,
        "{name}: {pyhanko}"
    );
    let (ok, summary) = run(
        dir,
        "pyhanko",
        &[
            "sign",
            "validate",
            "--trust",
            root_pem.to_str().unwrap(),
            "--trust-replace",
            "--no-revocation-check",
            pdf_arg,
        ],
    );
    assert!(ok, "{name}: {summary}");
    for line in summary.lines().filter(|l| !l.trim().is_empty()) {
        assert!(line.contains("INTACT:TRUSTED"), "{name}: {line}");
        assert!(
            line.contains("UNTOUCHED") || line.contains("ACCEPTABLE_MODIFICATIONS"),
            "{name}: {line}"
        );
    }

    let (ok, qpdf) = run(dir, "qpdf", &["--check", pdf_arg]);
    assert!(
        ok && qpdf.contains("No syntax or stream encoding errors"),
        "{name}: {qpdf}"
    );

    let (ok, text) = run(dir, "pdftotext", &["-layout", pdf_arg, "-"]);
    assert!(ok);
    let entry = &issued.entry;
    for expected in [
        "Chứng thực bản sao đúng với bản chính.".to_owned(),
        format!("Số chứng thực: {}", entry.sequence),
        format!("Quyển số: {}-SCT/BS", entry.book),
        format!(
            "Người thực hiện chứng thực: {}, {}",
            entry.signer_name, entry.signer_position
        ),
    ] {
        assert!(
            text.contains(&expected),
            "{name}: `{expected}` not extracted:\n{text}"
        );
    }

    let prefix = dir.join(format!("{name}-page"));
    assert!(
        run(
            dir,
            "pdftoppm",
            &["-r", "150", "-png", pdf_arg, prefix.to_str().unwrap()]
        )
        .0
    );
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{name}-page"))
        })
        .collect();
    pages.sort();
    let last_page = pages.last().expect("rendered pages");
    let output = Command::new("zbarimg")
        .args(["-q", "--raw", last_page.to_str().unwrap()])
        .output()
        .expect("zbarimg is required");
    assert!(output.status.success(), "{name}: no QR decoded");
    // zbarimg may complain about D-Bus on stderr; the decoded text is on stdout.
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        issued.verify_url,
        "{name}"
    );
}

fn request(scans: Vec<ScanFile>, placement: PlacementPolicy) -> IssueRequest {
    IssueRequest {
        requester_name: "Lê Thị Hoa".into(),
        requester_citizen_id: "001099000333".into(),
        document_title: "Học bạ trung học phổ thông".into(),
        copies: 1,
        scans,
        placement,
    }
}

#[rocket::async_test]
async fn issued_copies_pass_independent_validators() {
    let app = TestApp::builder(Backend::Sqlite)
        .with_dev_pki()
        .build()
        .await
        .unwrap();
    let (_, official, _) = office_with_official(&app, "UBND Phường Đa Kao", "lanhdao.dakao").await;
    let issuer = app.app.issuer();
    let dir = tempfile::tempdir().unwrap();
    let root = app.dir.join("pki/root.crt");

    let jpegs = vec![
        ScanFile {
            name: "1.jpg".into(),
            bytes: small_jpeg(1),
        },
        ScanFile {
            name: "2.jpg".into(),
            bytes: small_jpeg(2),
        },
        ScanFile {
            name: "3.jpg".into(),
            bytes: small_jpeg(3),
        },
    ];
    let cases = [
        ("jpeg-pages.pdf", jpegs.clone(), PlacementPolicy::Auto),
        (
            "jpeg-statement-page.pdf",
            jpegs,
            PlacementPolicy::AppendPage,
        ),
        (
            "png.pdf",
            vec![ScanFile {
                name: "p.png".into(),
                bytes: synthetic_scan_png(1, 827, 1169, 100, true),
            }],
            PlacementPolicy::Auto,
        ),
        (
            "scanner.pdf",
            vec![ScanFile {
                name: "scan.pdf".into(),
                bytes: synthetic_scan_pdf(2, 827, 1169, 100),
            }],
            PlacementPolicy::Auto,
        ),
    ];
    for (name, scans, placement) in cases {
        let issued = issuer
            .issue(
                &official,
                request(scans, placement),
                IssueOptions::default(),
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_with_independent_tools(dir.path(), &root, name, &issued);
        // Our own verifier agrees, and finds the copy in the register.
        let report = our_verifier_passes(&app, name, &issued).await;
        assert!(
            matches!(report.register, Some(certcopy::verification::RegisterStatus::Found { certification_number, .. }) if certification_number == issued.entry.sequence)
        );
    }
}

/// Our own verifier, as the operator: the copy passes with both signatures. The report,
/// for the caller's further checks.
pub async fn our_verifier_passes(
    app: &TestApp,
    name: &str,
    issued: &IssuedCopy,
) -> certcopy::verification::DocumentReport {
    let verifier = app.app.verifier();
    let operator = verifier
        .admit(certcopy::registry::verifying::Requester::Operator)
        .await
        .unwrap();
    let report = verifier
        .verify(&operator, issued.pdf.clone(), None)
        .await
        .unwrap();
    assert_eq!(
        report.verdict,
        certcopy::verification::Indication::TotalPassed,
        "{name}: {}",
        serde_json::to_string_pretty(&report).unwrap()
    );
    assert_eq!(report.signatures_count, 2);
    report
}
