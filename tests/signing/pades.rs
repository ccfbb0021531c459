//! End-to-end: certification (RSA, DocMDP P=2) then approval (ECDSA) signatures, checked
//! by independent validators (pdfsig/NSS, pyHanko, qpdf).

use crate::common::{
    Annots, approval_request, certification_request, one_page_pdf, pki, run, test_dir,
};
use certcopy::signing::{DocMdpPermission, PdfError, SignatureKind, SigningError, sign_pdf};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Signs `input` twice, checks the prefix property and validates after each signature.
fn sign_twice_and_validate(name: &str, input: &[u8], visible: bool) {
    let dir = test_dir(name);
    let pki = pki();
    let certified = sign_pdf(input, &pki.official(), &certification_request(visible))
        .expect("certification signature");
    assert!(
        certified.starts_with(input),
        "original bytes must stay a prefix"
    );
    crate::common::validate_all(&dir, "certified.pdf", &certified, 1);

    let sealed =
        sign_pdf(&certified, &pki.seal(), &approval_request(visible)).expect("approval signature");
    assert!(
        sealed.starts_with(&certified),
        "first revision must stay a prefix"
    );
    let sealed_path = crate::common::validate_all(&dir, "sealed.pdf", &sealed, 2);
    assert_eq!(
        crate::common::pyhanko_docmdp_levels(&sealed_path),
        ["Official MDPPerm.FILL_FORMS", "Seal None"]
    );
}

#[test]
fn certification_then_approval_classic_xref() {
    let input = one_page_pdf(Annots::None, false);
    assert!(
        contains(&input, b"\nxref"),
        "fixture must use a classic xref table"
    );
    sign_twice_and_validate("classic", &input, true);
}

#[test]
fn invisible_signatures() {
    sign_twice_and_validate("invisible", &one_page_pdf(Annots::None, false), false);
}

#[test]
fn existing_direct_annots_and_direct_acroform() {
    sign_twice_and_validate("direct", &one_page_pdf(Annots::Direct, true), true);
}

#[test]
fn existing_indirect_annots() {
    sign_twice_and_validate("indirect", &one_page_pdf(Annots::Indirect, false), true);
}

#[test]
fn xref_stream_input() {
    let dir = test_dir("xref-stream");
    let classic = dir.join("classic.pdf");
    let modern = dir.join("modern.pdf");
    std::fs::write(&classic, one_page_pdf(Annots::Direct, false)).expect("write input");
    let (code, text) = run(
        "qpdf",
        &[
            "--object-streams=generate",
            &classic.to_string_lossy(),
            &modern.to_string_lossy(),
        ],
    );
    assert_eq!(code, 0, "qpdf conversion failed:\n{text}");
    let input = std::fs::read(&modern).expect("read converted PDF");
    assert!(
        contains(&input, b"/Type /XRef") || contains(&input, b"/Type/XRef"),
        "fixture must use a cross-reference stream"
    );
    sign_twice_and_validate("xref-stream", &input, true);
}

#[test]
fn second_certification_is_refused() {
    let pki = pki();
    let input = one_page_pdf(Annots::None, false);
    let certified =
        sign_pdf(&input, &pki.official(), &certification_request(false)).expect("first signature");
    let err = sign_pdf(&certified, &pki.seal(), &certification_request(false))
        .expect_err("a second certification must be refused");
    assert!(
        matches!(err, SigningError::Pdf(PdfError::CertificationNotFirst)),
        "{err}"
    );
}

#[test]
fn page_out_of_range_is_refused() {
    let pki = pki();
    let mut request = approval_request(true);
    if let Some(appearance) = request.appearance.as_mut() {
        appearance.page_index = 3;
    }
    let err = sign_pdf(&one_page_pdf(Annots::None, false), &pki.seal(), &request)
        .expect_err("page 4 does not exist");
    assert!(
        matches!(
            err,
            SigningError::Pdf(PdfError::PageOutOfRange { index: 3, count: 1 })
        ),
        "{err}"
    );
}

#[test]
fn garbage_input_is_an_error() {
    let err = sign_pdf(
        b"%PDF-1.7 not really",
        &pki().seal(),
        &approval_request(false),
    )
    .expect_err("garbage must not sign");
    assert!(matches!(err, SigningError::Pdf(_)), "{err}");
}

#[test]
fn no_changes_certification_refuses_later_signatures() {
    let pki = pki();
    let mut request = certification_request(false);
    request.kind = SignatureKind::Certification {
        permission: DocMdpPermission::NoChanges,
    };
    let locked = sign_pdf(
        &one_page_pdf(Annots::None, false),
        &pki.official(),
        &request,
    )
    .expect("certification P=1");
    let err = sign_pdf(&locked, &pki.seal(), &approval_request(false))
        .expect_err("P=1 allows no further signature");
    assert!(
        matches!(err, SigningError::Pdf(PdfError::ChangesForbidden)),
        "{err}"
    );
}

#[test]
fn filling_a_field_elsewhere_is_refused() {
    let pki = pki();
    let certified = sign_pdf(
        &one_page_pdf(Annots::None, false),
        &pki.official(),
        &certification_request(true),
    )
    .expect("certification with an empty seal field");
    let mut request = approval_request(true);
    if let Some(appearance) = request.appearance.as_mut() {
        appearance.rect = [0.0, 0.0, 100.0, 100.0];
    }
    let err = sign_pdf(&certified, &pki.seal(), &request)
        .expect_err("the seal field has another rectangle");
    assert!(matches!(err, SigningError::InvalidRequest { .. }), "{err}");
}
