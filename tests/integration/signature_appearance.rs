//! The visible signatures of an issued copy (Decree 30/2020/NĐ-CP, Appendix I): Vietnamese
//! text with its diacritics that `pdftotext` extracts, the signing time in ISO 8601 with
//! `+07:00` — while both signatures still validate.

use std::path::Path;
use std::process::Command;

use certcopy::db::models::User;
use certcopy::intake::ScanFile;
use certcopy::registry::issuance::{IssueOptions, IssueRequest, IssuedCopy};
use lopdf::Document;

use crate::common::TestApp;
use crate::issuing::{office_with_official, small_jpeg};
use crate::validators::{check_with_independent_tools, our_verifier_passes};

const OFFICE_NAME: &str = "Ủy ban nhân dân phường Bến Nghé";

async fn issue(app: &TestApp, official: &User) -> IssuedCopy {
    app.app
        .issuer()
        .issue(
            official,
            IssueRequest {
                requester_name: "Trần Thị Bích Ngọc".into(),
                requester_citizen_id: "079199001122".into(),
                document_title: "Giấy khai sinh".into(),
                copies: 1,
                scans: vec![ScanFile {
                    name: "1.jpg".into(),
                    bytes: small_jpeg(1),
                }],
                placement: certcopy::assembly::PlacementPolicy::Auto,
            },
            IssueOptions::default(),
            None,
        )
        .await
        .unwrap()
}

/// The text of the page with the signatures (the last one), as `pdftotext` reads it.
fn signature_page_text(dir: &Path, name: &str, pdf: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    let page_count = Document::load_mem(pdf)
        .unwrap()
        .get_pages()
        .len()
        .to_string();
    let output = Command::new("pdftotext")
        .args(["-f", &page_count, "-l", &page_count])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is required");
    assert!(output.status.success());
    // Kept for a look when asked (`pdftoppm -r 100 -png` of it).
    if let Some(keep) = std::env::var_os("CERTCOPY_KEEP_PDF_DIR") {
        std::fs::write(Path::new(&keep).join(name), pdf).unwrap();
    }
    String::from_utf8(output.stdout).unwrap()
}

/// The signing text both appearances show, with diacritics and the ISO 8601 time.
fn assert_signing_text(text: &str, official: &User, office: &str) {
    for expected in [
        "Ký bởi:".to_owned(),
        official.full_name.clone(),
        format!("Cơ quan: {office}"),
        "Thời gian ký:".to_owned(),
        official.position.clone().unwrap(),
    ] {
        assert!(
            text.contains(&expected),
            "`{expected}` not extracted:\n{text}"
        );
    }
    let time = regex_like_iso8601(text).unwrap_or_else(|| panic!("no +07:00 time in:\n{text}"));
    assert!(time.ends_with("+07:00"), "{time}");
    assert!(
        !text.contains("Ky boi") && !text.contains("Thoi gian"),
        "{text}"
    );
}

/// The first `YYYY-MM-DDTHH:MM:SS+07:00` in `text`.
fn regex_like_iso8601(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd+07:00";
    (0..bytes.len().saturating_sub(shape.len() - 1)).find_map(|start| {
        let candidate = &bytes[start..start + shape.len()];
        let fits = candidate.iter().zip(shape).all(|(&c, &s)| match s {
            b'd' => c.is_ascii_digit(),
            other => c == other,
        });
        fits.then(|| &text[start..start + shape.len()])
    })
}

crate::db_test!(issued_copy_shows_the_signatures_in_vietnamese, |app| {
    let (_, official, _) = office_with_official(&app, OFFICE_NAME, "lanhdao.bn").await;
    let issued = issue(&app, &official).await;
    let dir = tempfile::tempdir().unwrap();
    let name = format!("placeholder-{:?}.pdf", app.backend()).to_lowercase();
    let text = signature_page_text(dir.path(), &name, &issued.pdf);
    assert_signing_text(&text, &official, OFFICE_NAME);
    // Without configured images the placeholders say so.
    assert!(text.contains("mẫu chữ ký chưa được cấu hình"), "{text}");
    check_with_independent_tools(dir.path(), &app.dir.join("pki/root.crt"), &name, &issued);
    our_verifier_passes(&app, &name, &issued).await;
});
