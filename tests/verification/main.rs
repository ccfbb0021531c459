//! End-to-end verification of pyHanko-signed PDFs and tampered copies (docs/ARCHITECTURE.md §6).
//! Each case asserts the document verdict and the signature's indication/sub-indication.

mod corpus;

use certcopy::verification::{
    DEFAULT_MAX_CERTIFICATE_SIGNATURE_CHECKS, DocumentReport, Indication, ModificationKind,
    SignatureReport, SubIndication, VerificationError, verify_pdf, verify_pdf_with_stats,
};
use corpus::corpus;

fn verify(name: &str) -> DocumentReport {
    let corpus = corpus();
    verify_pdf(&corpus.read(name), &corpus.policy()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn verify_bytes(bytes: &[u8]) -> DocumentReport {
    verify_pdf(bytes, &corpus().policy()).expect("still a readable PDF")
}

fn only_signature(report: &DocumentReport) -> &SignatureReport {
    assert_eq!(report.signatures_count, 1, "{report:#?}");
    &report.signatures[0]
}

fn assert_signature(
    signature: &SignatureReport,
    indication: Indication,
    sub: Option<SubIndication>,
) {
    assert_eq!(
        (signature.indication, signature.sub_indication),
        (indication, sub),
        "{signature:#?}"
    );
}

/// The span of the `[...]` after `/ByteRange` in `bytes`.
fn byte_range_span(bytes: &[u8]) -> std::ops::Range<usize> {
    let key = bytes
        .windows(10)
        .position(|w| w == b"/ByteRange")
        .expect("has /ByteRange");
    let open = key + bytes[key..].iter().position(|&b| b == b'[').expect("[");
    let close = open + bytes[open..].iter().position(|&b| b == b']').expect("]");
    open..close + 1
}

fn byte_range(bytes: &[u8]) -> [usize; 4] {
    let text = String::from_utf8_lossy(&bytes[byte_range_span(bytes)]).into_owned();
    let values: Vec<usize> = text
        .trim_matches(|c| c == '[' || c == ']')
        .split_whitespace()
        .map(|v| v.parse().expect("int"))
        .collect();
    values.try_into().expect("four values")
}

/// Rewrites the ByteRange array in place, padded to its original length (pyHanko reserves
/// room with spaces after the `]`).
fn with_byte_range(bytes: &[u8], values: &str) -> Vec<u8> {
    let mut span = byte_range_span(bytes);
    span.end += bytes[span.end..].iter().take_while(|&&b| b == b' ').count();
    let mut replacement = format!("[{values}]").into_bytes();
    assert!(replacement.len() <= span.len());
    replacement.resize(span.len(), b' ');
    let mut out = bytes.to_vec();
    out[span].copy_from_slice(&replacement);
    out
}

#[test]
fn valid_rsa_pades_signature_passes() {
    let report = verify("rsa.pdf");
    let signature = only_signature(&report);
    assert_signature(signature, Indication::TotalPassed, None);
    assert_eq!(report.verdict, Indication::TotalPassed);
    assert_eq!(signature.signed_by.as_deref(), Some("Nguyen Van A (RSA)"));
    assert_eq!(
        signature.signature_format.as_deref(),
        Some("ETSI.CAdES.detached")
    );
    assert_eq!(
        signature.certificate_chain.len(),
        3,
        "signer, intermediate, root"
    );
    let coverage = signature.coverage.as_ref().expect("coverage");
    assert!(coverage.covers_whole_document && coverage.covers_whole_revision);
    assert!(signature.modifications.is_empty());
    assert!(signature.signing_time.is_some());
    assert_eq!(report.signer_certificates().len(), 1);
    let json = serde_json::to_value(&report).expect("report serialises");
    assert_eq!(json["verdict"], "TOTAL_PASSED");
    assert_eq!(json["signatures"][0]["indication"], "TOTAL_PASSED");
}

#[test]
fn valid_ecdsa_pkcs7_signature_passes() {
    let report = verify("ecdsa_pkcs7.pdf");
    let signature = only_signature(&report);
    assert_signature(signature, Indication::TotalPassed, None);
    assert_eq!(
        signature.signature_format.as_deref(),
        Some("adbe.pkcs7.detached")
    );
    assert_eq!(report.verdict, Indication::TotalPassed);
}

#[test]
fn valid_signature_on_cross_reference_stream_file_passes() {
    let report = verify("rsa_xref_stream.pdf");
    assert_signature(only_signature(&report), Indication::TotalPassed, None);
    assert_eq!(report.verdict, Indication::TotalPassed);
}

#[test]
fn flipped_byte_in_signed_content_is_hash_failure() {
    let mut bytes = corpus().read("rsa.pdf");
    let at = bytes
        .windows(6)
        .position(|w| w == b"CHUNG ")
        .expect("content text");
    bytes[at] = b'X';
    let report = verify_bytes(&bytes);
    assert_signature(
        only_signature(&report),
        Indication::TotalFailed,
        Some(SubIndication::HashFailure),
    );
    assert_eq!(report.verdict, Indication::TotalFailed);
}

#[test]
fn page_content_replaced_in_incremental_update_fails() {
    for name in ["content_replaced.pdf", "content_replaced_new_object.pdf"] {
        let report = verify(name);
        let signature = only_signature(&report);
        assert_signature(
            signature,
            Indication::TotalFailed,
            Some(SubIndication::ModifiedAfterSigning),
        );
        assert!(
            signature
                .modifications
                .iter()
                .any(|m| m.kind == ModificationKind::PageContent),
            "{name}: {signature:#?}"
        );
        assert!(
            !signature
                .coverage
                .as_ref()
                .expect("coverage")
                .covers_whole_document
        );
        assert_eq!(report.verdict, Indication::TotalFailed, "{name}");
    }
}

#[test]
fn page_content_replaced_then_signed_by_untrusted_key_fails() {
    let report = verify("content_replaced_resigned.pdf");
    assert_eq!(report.signatures_count, 2);
    assert_signature(
        &report.signatures[0],
        Indication::TotalFailed,
        Some(SubIndication::ModifiedAfterSigning),
    );
    assert_signature(
        &report.signatures[1],
        Indication::Indeterminate,
        Some(SubIndication::NoCertificateChainFound),
    );
    assert_eq!(report.verdict, Indication::TotalFailed);
}

#[test]
fn byte_range_tampering_is_format_failure() {
    let original = corpus().read("rsa.pdf");
    let [_, b, c, d] = byte_range(&original);
    let cases = [
        ("zeroed", with_byte_range(&original, "0 0 0 0")),
        (
            "shortened",
            with_byte_range(&original, &format!("0 {b} {c} {}", d - 10)),
        ),
        (
            "gap widened",
            with_byte_range(&original, &format!("0 {} {} {}", b - 1, c + 1, d - 1)),
        ),
        (
            "three values",
            with_byte_range(&original, &format!("0 {b} {c}")),
        ),
        (
            "negative",
            with_byte_range(&original, &format!("0 {b} {c} -{d}")),
        ),
        ("removed", {
            let mut bytes = original.clone();
            let key = bytes
                .windows(10)
                .position(|w| w == b"/ByteRange")
                .expect("key");
            bytes[key + 9] = b'X';
            bytes
        }),
    ];
    for (case, bytes) in cases {
        let report = verify_bytes(&bytes);
        let signature = only_signature(&report);
        assert_eq!(
            (signature.indication, signature.sub_indication),
            (Indication::TotalFailed, Some(SubIndication::FormatFailure)),
            "{case}: {signature:#?}"
        );
        assert_eq!(report.verdict, Indication::TotalFailed, "{case}");
    }
}

#[test]
fn zeroed_contents_is_format_failure() {
    let mut bytes = corpus().read("rsa.pdf");
    let [_, b, c, _] = byte_range(&bytes);
    bytes[b + 1..c - 1].fill(b'0');
    let report = verify_bytes(&bytes);
    let signature = only_signature(&report);
    assert_signature(
        signature,
        Indication::TotalFailed,
        Some(SubIndication::FormatFailure),
    );
    assert_eq!(signature.errors[0].code, "CONTENTS_NOT_CMS");
}

#[test]
fn expired_signer_is_out_of_bounds_no_poe() {
    let report = verify("expired.pdf");
    assert_signature(
        only_signature(&report),
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert_eq!(report.verdict, Indication::Indeterminate);
}

/// A claimed signing time is no proof of existence: an expired key cannot make a passing
/// signature by setting `/M` (and signingTime) back to when its certificate was valid.
#[test]
fn expired_signer_with_backdated_signing_time_is_out_of_bounds_no_poe() {
    let report = verify("expired_backdated.pdf");
    let signature = only_signature(&report);
    assert_signature(
        signature,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    let claimed = signature.signing_time.expect("claimed signing time");
    let not_after = signature.certificate_chain[0].not_after;
    assert!(claimed < not_after, "signed inside the validity period");
    let expired = signature
        .errors
        .iter()
        .find(|e| e.code == "CERTIFICATE_EXPIRED")
        .unwrap_or_else(|| panic!("{signature:#?}"));
    assert!(expired.message_en.contains("timestamp"), "{expired:?}");
    assert!(expired.message_vi.contains("dấu thời gian"), "{expired:?}");
    assert!(
        !signature
            .warnings
            .iter()
            .any(|w| w.code == "CERTIFICATE_EXPIRED_SINCE_SIGNING")
    );
    assert_eq!(report.verdict, Indication::Indeterminate);
}

/// The same signature checked at a validation time inside the certificate's validity passes:
/// only the expiry by the validation time makes it indeterminate.
#[test]
fn backdated_signature_passes_when_validated_before_expiry() {
    let corpus = corpus();
    let bytes = corpus.read("expired_backdated.pdf");
    let probe = verify_bytes(&bytes);
    let signature = only_signature(&probe);
    let mut policy = corpus.policy();
    policy.validation_time = signature.certificate_chain[0].not_after - time::Duration::days(1);
    policy.require_revocation_check = false;
    let report = verify_pdf(&bytes, &policy).expect("readable");
    assert_signature(only_signature(&report), Indication::TotalPassed, None);
}

#[test]
fn revoked_signer_is_revoked() {
    let report = verify("revoked.pdf");
    assert_signature(
        only_signature(&report),
        Indication::TotalFailed,
        Some(SubIndication::Revoked),
    );
    assert_eq!(report.verdict, Indication::TotalFailed);
}

#[test]
fn signer_without_signing_key_usage_is_chain_constraints_failure() {
    let report = verify("no_signing_usage.pdf");
    assert_signature(
        only_signature(&report),
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
    assert_eq!(report.verdict, Indication::Indeterminate);
}

#[test]
fn look_alike_root_with_same_subject_finds_no_chain() {
    let report = verify("fake_root.pdf");
    assert_signature(
        only_signature(&report),
        Indication::Indeterminate,
        Some(SubIndication::NoCertificateChainFound),
    );
    assert_eq!(report.verdict, Indication::Indeterminate);
}

/// Twenty self-issued certificates with one subject and key (each verifies every other) made
/// the depth-first path search try every ordering: hours of CPU. The search now reaches each
/// certificate once and verifies each certificate–key pair once.
#[test]
fn many_self_issued_copies_of_one_ca_are_searched_within_budget() {
    let corpus = corpus();
    let bytes = corpus.read("self_issued_copies.pdf");
    let [_, b, c, _] = byte_range(&bytes);
    let cms = hex::decode(&bytes[b + 1..c - 1]).expect("hex /Contents");
    let names = cms
        .windows(b"certcopy Loop CA".len())
        .filter(|w| *w == b"certcopy Loop CA")
        .count();
    // Subject and issuer of every self-issued copy, plus the signer's issuer.
    assert!(
        names > 2 * corpus::SELF_ISSUED_COPIES as usize,
        "the CMS carries the copies: {names}"
    );
    let (report, stats) = verify_pdf_with_stats(&bytes, &corpus.policy());
    let report = report.expect("readable");
    let signature = only_signature(&report);
    assert_signature(
        signature,
        Indication::Indeterminate,
        Some(SubIndication::NoCertificateChainFound),
    );
    assert_eq!(signature.signed_by.as_deref(), Some("Vong Lap"));
    assert!(
        stats.certificate_signature_checks <= DEFAULT_MAX_CERTIFICATE_SIGNATURE_CHECKS,
        "{stats:?}"
    );
    // One check for the signer against the shared key; every copy is then reached.
    assert!(
        stats.certificate_signature_checks <= corpus::SELF_ISSUED_COPIES as usize,
        "{stats:?}"
    );
    assert_eq!(report.verdict, Indication::Indeterminate);
}

/// A path that needs more certificate signature checks than the document's budget is not
/// accepted: the search stops and says why.
#[test]
fn certificate_path_beyond_the_check_budget_is_indeterminate() {
    let corpus = corpus();
    let bytes = corpus.read("rsa.pdf");
    let mut policy = corpus.policy();
    policy.max_certificate_signature_checks = 1;
    let (report, stats) = verify_pdf_with_stats(&bytes, &policy);
    let report = report.expect("readable");
    let signature = only_signature(&report);
    assert_signature(
        signature,
        Indication::Indeterminate,
        Some(SubIndication::NoCertificateChainFound),
    );
    let limit = signature
        .errors
        .iter()
        .find(|e| e.code == "CHAIN_SEARCH_LIMIT")
        .unwrap_or_else(|| panic!("{signature:#?}"));
    assert!(limit.message_en.contains("limit of 1 "), "{limit:?}");
    assert!(!limit.message_vi.is_empty());
    assert_eq!(stats.certificate_signature_checks, 1);

    // Signer → intermediate → root: exactly two checks.
    policy.max_certificate_signature_checks = 2;
    let (report, stats) = verify_pdf_with_stats(&bytes, &policy);
    assert_signature(
        only_signature(&report.expect("readable")),
        Indication::TotalPassed,
        None,
    );
    assert_eq!(stats.certificate_signature_checks, 2);
}

/// Two signers under the same intermediate: the intermediate's signature is verified once
/// for the document, not once per signature.
#[test]
fn issuer_signatures_are_verified_once_per_document() {
    let corpus = corpus();
    let (report, stats) =
        verify_pdf_with_stats(&corpus.read("certified_p2_approved.pdf"), &corpus.policy());
    assert_eq!(report.expect("readable").verdict, Indication::TotalPassed);
    assert_eq!(stats.certificate_signature_checks, 3, "{stats:?}");
}

const MIB: usize = 1024 * 1024;

/// A 100 MiB object stream squeezed into about 100 KB: refused once the per-stream limit is
/// reached, without decoding the rest.
#[test]
fn object_stream_bomb_is_refused_within_the_stream_limit() {
    let bytes = corpus::object_stream_bomb(100 * MIB, 0);
    assert!(bytes.len() < MIB, "{} bytes", bytes.len());
    let (result, stats) = verify_pdf_with_stats(&bytes, &corpus().policy());
    assert_eq!(result.err(), Some(VerificationError::DecompressionLimit));
    let limits = stats.decompression_limits;
    assert_eq!(
        limits.per_stream,
        4 * MIB,
        "16 times the file size, at least 4 MiB"
    );
    assert!(stats.decompressed_bytes <= limits.per_stream, "{stats:?}");
    assert!(stats.decompressed_bytes <= limits.per_document);
    let message = VerificationError::DecompressionLimit;
    assert!(!message.message_vi().is_empty() && !message.to_string().is_empty());
}

/// Each revision's load decodes the object streams of its prefix again: a 3 MiB object
/// stream under sixteen tiny updates would be decoded sixteen times. The total over the
/// revisions is capped per document.
#[test]
fn object_stream_decoded_by_many_revisions_is_refused_within_the_document_limit() {
    let bytes = corpus::object_stream_bomb(3 * MIB, 15);
    let (result, stats) = verify_pdf_with_stats(&bytes, &corpus().policy());
    assert_eq!(result.err(), Some(VerificationError::DecompressionLimit));
    let limits = stats.decompression_limits;
    assert!(3 * MIB <= limits.per_stream, "{limits:?}");
    assert!(16 * 3 * MIB > limits.per_document, "{limits:?}");
    assert!(stats.decompressed_bytes <= limits.per_document, "{stats:?}");

    // A few revisions stay within the limit and are verified (an unsigned file fails).
    let bytes = corpus::object_stream_bomb(3 * MIB, 3);
    let (result, stats) = verify_pdf_with_stats(&bytes, &corpus().policy());
    let report = result.expect("within the limits");
    assert_eq!(report.revisions_count, 4);
    assert_eq!(report.verdict, Indication::TotalFailed);
    assert!(
        stats.decompressed_bytes >= 4 * 3 * MIB,
        "each of the four loads decodes the object stream: {stats:?}"
    );
}

#[test]
fn missing_crl_is_try_later() {
    let corpus = corpus();
    let mut policy = corpus.policy();
    policy.crls.clear();
    let report = verify_pdf(&corpus.read("rsa.pdf"), &policy).expect("readable");
    assert_signature(
        only_signature(&report),
        Indication::Indeterminate,
        Some(SubIndication::TryLater),
    );
}

#[test]
fn certification_p2_then_approval_both_pass() {
    let report = verify("certified_p2_approved.pdf");
    assert_eq!(report.signatures_count, 2, "{report:#?}");
    let (certification, approval) = (&report.signatures[0], &report.signatures[1]);
    assert_signature(certification, Indication::TotalPassed, None);
    assert_signature(approval, Indication::TotalPassed, None);
    assert!(certification.certification_permission.is_some());
    assert!(
        !certification.modifications.is_empty(),
        "the approval signature is reported as a change"
    );
    assert!(
        certification.modifications.iter().all(|m| matches!(
            m.kind,
            ModificationKind::Signature
                | ModificationKind::SignatureField
                | ModificationKind::FormBookkeeping
                | ModificationKind::Metadata
        )),
        "{certification:#?}"
    );
    assert_eq!(
        (report.valid_signatures_count, report.verdict),
        (2, Indication::TotalPassed)
    );
}

#[test]
fn certification_p1_then_approval_fails_the_certification() {
    let report = verify("certified_p1_approved.pdf");
    assert_eq!(report.signatures_count, 2);
    assert_signature(
        &report.signatures[0],
        Indication::TotalFailed,
        Some(SubIndication::ModifiedAfterSigning),
    );
    assert_signature(&report.signatures[1], Indication::TotalPassed, None);
    assert_eq!(report.verdict, Indication::TotalFailed);
}

#[test]
fn unsigned_pdf_is_not_a_certified_copy() {
    let report = verify("base.pdf");
    assert_eq!(report.signatures_count, 0);
    assert_eq!(report.verdict, Indication::TotalFailed);
    assert_eq!(report.errors[0].code, "NO_SIGNATURE");
}

#[test]
fn garbage_truncated_and_empty_inputs_are_errors() {
    let corpus = corpus();
    let policy = corpus.policy();
    let signed = corpus.read("rsa.pdf");
    assert_eq!(
        verify_pdf(b"", &policy).err(),
        Some(VerificationError::Empty)
    );
    assert_eq!(
        verify_pdf(b"GIF89a not a pdf", &policy).err(),
        Some(VerificationError::NotPdf)
    );
    assert_eq!(
        verify_pdf(&signed[..signed.len() / 2], &policy).err(),
        Some(VerificationError::Truncated)
    );
    assert_eq!(
        verify_pdf(&signed[..signed.len() - 8], &policy).err(),
        Some(VerificationError::Truncated)
    );
    // Every prefix must return, never panic.
    for cut in (0..signed.len()).step_by(97) {
        let _ = verify_pdf(&signed[..cut], &policy);
    }
}

/// Any change to a signed byte must fail (or be unreadable); changes inside `/Contents` may
/// hit unsigned CMS parts (e.g. the digestAlgorithms set), so there only "no panic" holds.
#[test]
fn no_single_byte_change_in_signed_bytes_passes_and_none_panics() {
    let corpus = corpus();
    let policy = corpus.policy();
    let original = corpus.read("rsa.pdf");
    let [_, b, c, _] = byte_range(&original);
    let mut checked = 0;
    for at in (0..original.len()).step_by(11) {
        let mut bytes = original.clone();
        bytes[at] ^= 0x01;
        let result = verify_pdf(&bytes, &policy);
        if let Ok(report) = result
            && !(b..c).contains(&at)
        {
            assert_ne!(
                report.verdict,
                Indication::TotalPassed,
                "signed byte {at} changed and the copy still passed"
            );
        }
        checked += 1;
    }
    assert!(checked > 500);
}

/// A cancellation that lets the work ask `allowed` times, then says stop; counts the asks.
fn cancel_after(
    allowed: usize,
) -> (
    certcopy::cancel::Cancellation,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let cancellation = certcopy::cancel::Cancellation::new(Arc::new(move || {
        counter.fetch_add(1, Ordering::SeqCst) >= allowed
    }));
    (cancellation, asked)
}

/// The path search asks the cancellation before each certificate signature it checks: a
/// verification cancelled inside the search stops there, with no report (not a spent
/// budget), after fewer checks than the whole search takes. Every point at which it can
/// be cancelled gives `Cancelled`, never a verdict, until the work has asked for the last
/// time.
#[test]
fn cancelled_chain_search_stops_without_a_verdict() {
    let corpus = corpus();
    let bytes = corpus.read("certified_p2_approved.pdf");
    let (whole, whole_stats) = verify_pdf_with_stats(&bytes, &corpus.policy());
    assert_eq!(whole.expect("readable").verdict, Indication::TotalPassed);
    assert_eq!(whole_stats.certificate_signature_checks, 3);
    let mut stopped_inside_the_search = false;
    for allowed in 0.. {
        let mut policy = corpus.policy();
        let (cancel, _) = cancel_after(allowed);
        policy.cancel = cancel;
        let (result, stats) = verify_pdf_with_stats(&bytes, &policy);
        match result {
            Err(VerificationError::Cancelled) => {
                let checks = stats.certificate_signature_checks;
                stopped_inside_the_search |= checks > 0 && checks < 3;
            }
            Ok(report) => {
                assert_eq!(report.verdict, Indication::TotalPassed);
                break;
            }
            Err(other) => panic!("{other}"),
        }
        assert!(allowed < 100, "the work asks a bounded number of times");
    }
    assert!(stopped_inside_the_search);
    assert!(!VerificationError::Cancelled.message_vi().is_empty());
}

/// Loading the revisions asks the cancellation before each one: cancelled after the first,
/// the other revisions are never loaded (nor their object streams decoded).
#[test]
fn cancelled_revision_loading_stops_between_revisions() {
    let bytes = corpus::object_stream_bomb(3 * MIB, 3);
    let (whole, whole_stats) = verify_pdf_with_stats(&bytes, &corpus().policy());
    assert_eq!(whole.expect("within the limits").revisions_count, 4);
    let mut policy = corpus().policy();
    let (cancel, asked) = cancel_after(1);
    policy.cancel = cancel;
    let (result, stats) = verify_pdf_with_stats(&bytes, &policy);
    assert_eq!(result.err(), Some(VerificationError::Cancelled));
    assert_eq!(
        asked.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "asked before the first two revisions only"
    );
    assert!(
        stats.decompressed_bytes * 4 <= whole_stats.decompressed_bytes,
        "one load of four: {stats:?} vs {whole_stats:?}"
    );
}

/// The signature value inside a signed PDF's `/Contents` (hex), as bytes: position and
/// length, so a test can change one byte of the RSA signature itself (the last bytes of the
/// CMS before its zero padding).
fn signature_value_end(bytes: &[u8]) -> usize {
    let values = byte_range(bytes);
    // `/Contents <…>` lies between the end of the first range and the start of the second.
    let (start, end) = (values[1] + 1, values[2] - 1);
    let hex = &bytes[start..end];
    let used = hex
        .iter()
        .rposition(|b| *b != b'0')
        .expect("a signature in /Contents");
    start + used - (used % 2)
}

#[test]
fn rsa_1024_signature_is_too_weak_not_broken() {
    let report = verify("rsa1024.pdf");
    let signature = only_signature(&report);
    assert_signature(
        signature,
        Indication::Indeterminate,
        Some(SubIndication::CryptoConstraintsFailureNoPoe),
    );
    assert!(
        signature
            .errors
            .iter()
            .any(|e| e.code == "ALGORITHM_TOO_WEAK" && e.message_en.contains("RSA-1024")),
        "{signature:#?}"
    );
    assert!(
        !signature
            .errors
            .iter()
            .any(|e| e.code == "SIGNATURE_VALUE_INVALID"),
        "a mathematically valid signature is not reported as not verifying"
    );
    // One byte of the signature value changed: now it does not verify at all.
    let mut bytes = corpus().read("rsa1024.pdf");
    let at = signature_value_end(&bytes);
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    let report = verify_bytes(&bytes);
    assert_signature(
        only_signature(&report),
        Indication::TotalFailed,
        Some(SubIndication::SigCryptoFailure),
    );
}

#[test]
fn sha1_signature_is_too_weak() {
    let report = verify("sha1.pdf");
    let signature = only_signature(&report);
    assert_signature(
        signature,
        Indication::Indeterminate,
        Some(SubIndication::CryptoConstraintsFailureNoPoe),
    );
    assert!(
        signature
            .errors
            .iter()
            .any(|e| e.message_en.contains("SHA-1")),
        "{signature:#?}"
    );
}

#[test]
fn rsassa_pss_signatures_verify_with_any_salt_length() {
    for name in [
        "pss_sha256_salt64.pdf",
        "pss_sha256_salt0.pdf",
        "pss_sha512_salt20.pdf",
    ] {
        let report = verify(name);
        assert_signature(only_signature(&report), Indication::TotalPassed, None);
        assert_eq!(report.verdict, Indication::TotalPassed, "{name}");
    }
    // Changed signed content under a PSS signature is still caught.
    let mut bytes = corpus().read("pss_sha256_salt64.pdf");
    let at = signature_value_end(&bytes);
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    let report = verify_bytes(&bytes);
    assert_signature(
        only_signature(&report),
        Indication::TotalFailed,
        Some(SubIndication::SigCryptoFailure),
    );
}

/// DocMDP as ISO 32000-1 says: a comment after a P=2 certification breaks it, after P=3
/// it is allowed, and either way it is reported as an annotation, not as form filling.
#[test]
fn comments_after_certification_follow_the_docmdp_level() {
    let report = verify("certified_p2_commented.pdf");
    let certification = only_signature(&report);
    assert_eq!(
        certification.certification_permission,
        Some(certcopy::verification::DocMdpPermission::FillFormsAndSign)
    );
    assert_eq!(
        certification.indication,
        Indication::TotalFailed,
        "{certification:#?}"
    );
    assert!(
        certification
            .modifications
            .iter()
            .any(|m| m.kind == ModificationKind::Annotation),
        "{certification:#?}"
    );
    assert!(
        !certification
            .modifications
            .iter()
            .any(|m| m.kind == ModificationKind::FormField),
        "a comment is not form filling: {certification:#?}"
    );

    let report = verify("certified_p3_commented.pdf");
    let certification = only_signature(&report);
    assert_eq!(
        certification.certification_permission,
        Some(certcopy::verification::DocMdpPermission::FillFormsSignAndAnnotate)
    );
    assert_signature(certification, Indication::TotalPassed, None);
    assert!(
        certification
            .modifications
            .iter()
            .any(|m| m.kind == ModificationKind::Annotation),
        "{certification:#?}"
    );
}

#[test]
fn a_signature_time_stamp_is_checked_and_reported() {
    let report = verify("rsa_timestamped.pdf");
    let signature = only_signature(&report);
    assert_signature(signature, Indication::TotalPassed, None);
    let stamp = signature
        .signature_timestamp
        .as_ref()
        .expect("the time-stamp is reported");
    assert!(stamp.tsa.contains("certcopy Test TSA"), "{stamp:?}");
    assert!(
        (time::OffsetDateTime::now_utc() - stamp.time)
            .whole_minutes()
            .abs()
            < 10
    );
}

/// ETSI EN 319 102-1 §5.6: a certificate that expired after the time a trusted time-stamp
/// proves the signature existed does not make the signature fail; from an untrusted TSA
/// the time-stamp proves nothing and the expiry stands.
#[test]
fn an_expired_signer_with_an_earlier_trusted_time_stamp_passes() {
    let report = verify("expired_timestamped.pdf");
    let signature = only_signature(&report);
    assert_signature(signature, Indication::TotalPassed, None);
    assert!(signature.signature_timestamp.is_some());

    let report = verify("expired_untrusted_timestamp.pdf");
    let signature = only_signature(&report);
    assert_signature(
        signature,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert!(signature.signature_timestamp.is_none());
    assert!(
        signature
            .warnings
            .iter()
            .any(|w| w.code == "SIGNATURE_TIMESTAMP_NOT_USED"),
        "{signature:#?}"
    );
}

/// A document time-stamp by another signer (pyHanko) is checked, not only listed: from the
/// trusted TSA it passes and is reported with its time and authority; from a TSA under an
/// untrusted root it is `INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND` and proves nothing (the
/// signature is judged without it); a byte changed in what it covers is
/// `TOTAL_FAILED/HASH_FAILURE` and fails the document.
#[test]
fn document_time_stamps_get_the_indication_they_deserve() {
    let report = verify("doc_timestamped.pdf");
    assert_eq!(report.verdict, Indication::TotalPassed, "{report:#?}");
    assert_eq!(
        report.signatures_count, 1,
        "a time-stamp is not a signature"
    );
    let [stamp] = report.document_timestamps.as_slice() else {
        panic!("{report:#?}");
    };
    assert_eq!(stamp.field_name, "DocTs1");
    assert_eq!(stamp.indication, Indication::TotalPassed, "{stamp:#?}");
    assert!(stamp.covers_whole_document);
    assert!(
        stamp
            .tsa
            .as_deref()
            .unwrap_or("")
            .contains("certcopy Test TSA")
    );
    assert!(stamp.time.is_some());
    let signature = only_signature(&report);
    assert_signature(signature, Indication::TotalPassed, None);
    assert!(
        signature.modifications.iter().all(|m| matches!(
            m.kind,
            ModificationKind::DocumentTimestamp
                | ModificationKind::FormBookkeeping
                | ModificationKind::Metadata
        )),
        "{signature:#?}"
    );

    let report = verify("doc_timestamp_untrusted.pdf");
    assert_eq!(report.verdict, Indication::TotalPassed, "{report:#?}");
    let stamp = &report.document_timestamps[0];
    assert_eq!(stamp.indication, Indication::Indeterminate, "{stamp:#?}");
    assert_eq!(
        stamp.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.code == "DOCUMENT_TIMESTAMP_NOT_USED"),
        "{report:#?}"
    );

    let mut altered = corpus().read("doc_timestamped.pdf");
    let at = altered
        .windows(8)
        .rposition(|w| w == b"(DocTs1)")
        .expect("the time-stamp field's name");
    altered[at + 6] = b'9';
    let report = verify_bytes(&altered);
    assert_eq!(report.verdict, Indication::TotalFailed, "{report:#?}");
    let stamp = &report.document_timestamps[0];
    assert_eq!(stamp.indication, Indication::TotalFailed, "{stamp:#?}");
    assert_eq!(stamp.sub_indication, Some(SubIndication::HashFailure));
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.code == "DOCUMENT_TIMESTAMP_FAILED"),
        "{report:#?}"
    );
}
