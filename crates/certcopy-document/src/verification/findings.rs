//! Every message the verifier can produce, in one place so the wording can be reviewed:
//! Vietnamese first, then English, in words a clerk at a receiving agency understands.

use super::report::{ReportMessage, SubIndication};

/// One error (with the sub-indication it implies) or one warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// `None` for a warning.
    pub sub_indication: Option<SubIndication>,
    /// The text.
    pub message: ReportMessage,
}

fn message(code: &str, vi: String, en: String) -> ReportMessage {
    ReportMessage {
        code: code.to_owned(),
        message_vi: vi,
        message_en: en,
    }
}

fn error(sub: SubIndication, code: &str, vi: impl Into<String>, en: impl Into<String>) -> Finding {
    Finding {
        sub_indication: Some(sub),
        message: message(code, vi.into(), en.into()),
    }
}

fn warning(code: &str, vi: impl Into<String>, en: impl Into<String>) -> Finding {
    Finding {
        sub_indication: None,
        message: message(code, vi.into(), en.into()),
    }
}

use SubIndication as S;

// ---- document level ----

/// The file has no signature at all.
pub(crate) fn no_signature() -> ReportMessage {
    message(
        "NO_SIGNATURE",
        "Tệp không có chữ ký số nào, nên không phải là bản sao điện tử được chứng thực.".into(),
        "The file carries no digital signature, so it is not a certified electronic copy.".into(),
    )
}

/// A document time-stamp whose imprint, signature or structure is wrong: the bytes it
/// covers were changed, or it was never over them.
pub(crate) fn document_timestamp_failed(field: &str) -> ReportMessage {
    message(
        "DOCUMENT_TIMESTAMP_FAILED",
        format!(
            "Dấu thời gian của tài liệu trong trường {field} không khớp với nội dung tệp hoặc bị hỏng: tệp đã bị thay đổi sau khi được đóng dấu thời gian."
        ),
        format!(
            "The document time-stamp in field {field} does not match the file or is broken: the file was changed after it was time-stamped."
        ),
    )
}

/// A document time-stamp that is sound but not trusted now (its authority unknown, its
/// certificate expired without a later time-stamp): it proves nothing, signatures are
/// judged without it.
pub(crate) fn document_timestamp_not_used(field: &str) -> ReportMessage {
    message(
        "DOCUMENT_TIMESTAMP_NOT_USED",
        format!(
            "Dấu thời gian của tài liệu trong trường {field} không được dùng làm bằng chứng thời điểm (xem chi tiết của dấu thời gian)."
        ),
        format!(
            "The document time-stamp in field {field} is not used as proof of time (see the time-stamp's details)."
        ),
    )
}

/// An appended section that lopdf could not read as a revision.
pub(crate) fn unreadable_revision(end: usize) -> ReportMessage {
    message(
        "UNREADABLE_REVISION",
        format!(
            "Phần cập nhật kết thúc ở byte {end} không đọc được như một phiên bản của tài liệu."
        ),
        format!("The update ending at byte {end} cannot be read as a revision of the document."),
    )
}

// ---- signature dictionary and ByteRange (FORMAT_FAILURE) ----

/// Generic malformed signature structure; `detail_vi`/`detail_en` say what.
pub(crate) fn format(
    code: &str,
    detail_vi: impl Into<String>,
    detail_en: impl Into<String>,
) -> Finding {
    let (detail_vi, detail_en) = (detail_vi.into(), detail_en.into());
    error(
        S::FormatFailure,
        code,
        format!("Chữ ký sai cấu trúc, không thể tin cậy: {detail_vi}"),
        format!("The signature is malformed and cannot be trusted: {detail_en}"),
    )
}

/// A signature field whose value is not a signature dictionary we accept.
pub(crate) fn unsupported_sub_filter(sub_filter: &str) -> Finding {
    format(
        "UNSUPPORTED_SUB_FILTER",
        format!(
            "định dạng chữ ký \"{sub_filter}\" không được hỗ trợ (chỉ chấp nhận ETSI.CAdES.detached và adbe.pkcs7.detached)."
        ),
        format!(
            "signature format \"{sub_filter}\" is not supported (only ETSI.CAdES.detached and adbe.pkcs7.detached)."
        ),
    )
}

// ---- CMS ----

/// The digest of the signed bytes differs from the signed message-digest.
pub(crate) fn hash_mismatch() -> Finding {
    error(
        S::HashFailure,
        "DIGEST_MISMATCH",
        "Nội dung tệp đã bị thay đổi sau khi ký: dấu vân tay (mã băm) của phần được ký không khớp với chữ ký.",
        "The file was changed after signing: the digest of the signed bytes does not match the signature.",
    )
}

/// The signature value does not verify.
pub(crate) fn signature_value_invalid() -> Finding {
    error(
        S::SigCryptoFailure,
        "SIGNATURE_VALUE_INVALID",
        "Chữ ký số không hợp lệ: giá trị chữ ký không khớp với khóa công khai trong chứng thư của người ký.",
        "The digital signature is invalid: the signature value does not verify with the signer certificate's public key.",
    )
}

/// The signature verifies, but with an algorithm or key too weak to prove anything now
/// (ETSI TS 119 312), and nothing proves it existed while they were strong enough.
pub(crate) fn too_weak(what: &str) -> Finding {
    error(
        S::CryptoConstraintsFailureNoPoe,
        "ALGORITHM_TOO_WEAK",
        format!(
            "Chữ ký số dùng thuật toán hoặc khóa quá yếu ({what}) theo chính sách kiểm tra (ETSI TS 119 312: SHA-2 và khóa RSA từ 2048 bit): không thể xác nhận chữ ký."
        ),
        format!(
            "The signature uses an algorithm or key too weak ({what}) for the validation policy (ETSI TS 119 312: SHA-2 and RSA keys of 2048 bits or more): it cannot be trusted."
        ),
    )
}

/// A signature time-stamp that does not check: a warning, the signature is judged
/// without it.
pub(crate) fn timestamp_not_used(vi: &str, en: &str) -> Finding {
    Finding {
        sub_indication: None,
        message: message(
            "SIGNATURE_TIMESTAMP_NOT_USED",
            format!("Dấu thời gian của chữ ký không được dùng làm bằng chứng thời điểm: {vi}."),
            format!("The signature's time-stamp is not used as proof of time: {en}."),
        ),
    }
}

/// Algorithm not supported.
pub(crate) fn unsupported_algorithm(what: &str) -> Finding {
    error(
        S::CryptoConstraintsFailure,
        "UNSUPPORTED_ALGORITHM",
        format!("Thuật toán của chữ ký không được hỗ trợ ({what})."),
        format!("The signature uses an unsupported algorithm ({what})."),
    )
}

/// The CMS names a signer certificate that it does not contain.
pub(crate) fn signer_certificate_missing() -> Finding {
    error(
        S::NoSigningCertificateFound,
        "SIGNER_CERTIFICATE_MISSING",
        "Chữ ký không kèm chứng thư số của người ký.",
        "The signature does not include the signer's certificate.",
    )
}

/// signing-certificate-v2 does not match.
pub(crate) fn signing_certificate_mismatch() -> Finding {
    error(
        S::SigConstraintsFailure,
        "SIGNING_CERTIFICATE_MISMATCH",
        "Thuộc tính \"chứng thư ký\" trong chữ ký không khớp với chứng thư số đi kèm.",
        "The signed signing-certificate attribute does not match the attached signer certificate.",
    )
}

/// Claimed signing time lies after the validation time.
pub(crate) fn signing_time_in_future() -> Finding {
    error(
        S::SigConstraintsFailure,
        "SIGNING_TIME_IN_FUTURE",
        "Thời điểm ký ghi trong chữ ký muộn hơn thời điểm kiểm tra.",
        "The claimed signing time is later than the validation time.",
    )
}

/// No /M: validation time used instead.
pub(crate) fn signing_time_missing() -> Finding {
    warning(
        "SIGNING_TIME_MISSING",
        "Chữ ký không ghi thời điểm ký; chứng thư được kiểm tra tại thời điểm kiểm tra.",
        "The signature states no signing time; certificates were checked at the validation time.",
    )
}

// ---- chain ----

/// No path to a trust anchor.
pub(crate) fn no_chain() -> Finding {
    error(
        S::NoCertificateChainFound,
        "NO_TRUSTED_CHAIN",
        "Chứng thư số của người ký không do tổ chức cung cấp dịch vụ chứng thực chữ ký số được tin cậy cấp.",
        "The signer's certificate does not lead to a trusted certification authority.",
    )
}

/// Path building stopped after the document's budget of certificate signature checks.
pub(crate) fn chain_search_limit(limit: usize) -> Finding {
    error(
        S::NoCertificateChainFound,
        "CHAIN_SEARCH_LIMIT",
        format!(
            "Không tìm được chuỗi chứng thư tới tổ chức cung cấp dịch vụ chứng thực chữ ký số được tin cậy trong giới hạn {limit} lần kiểm tra chữ ký trên chứng thư của tài liệu này (chữ ký kèm quá nhiều chứng thư, có thể được tạo ra nhằm làm quá tải hệ thống); không xác định được chữ ký có hợp lệ hay không."
        ),
        format!(
            "No path to a trusted certification authority was found within this document's limit of {limit} certificate signature checks (the signature carries too many certificates, possibly to overload the verifier); the signature cannot be shown to be valid."
        ),
    )
}

/// Certificate expired by the validation time. Without a trusted timestamp nothing proves the
/// signature was made while it was valid, whatever the claimed signing time says.
pub(crate) fn certificate_expired(
    subject: &str,
    expiry: &str,
    already_at_claimed_time: bool,
) -> Finding {
    let (claimed_vi, claimed_en) = if already_at_claimed_time {
        (
            " Chứng thư đã hết hạn ngay cả tại thời điểm ký được ghi trong chữ ký.",
            " It had expired even at the signing time the signature claims.",
        )
    } else {
        ("", "")
    };
    error(
        S::OutOfBoundsNoPoe,
        "CERTIFICATE_EXPIRED",
        format!(
            "Chứng thư số \"{subject}\" đã hết hạn từ {expiry}. Không có dấu thời gian tin cậy nào chứng minh chữ ký được tạo trước khi chứng thư hết hạn (thời điểm ký ghi trong chữ ký không phải là bằng chứng), nên chưa thể xác định chữ ký hợp lệ.{claimed_vi}"
        ),
        format!(
            "Certificate \"{subject}\" expired on {expiry}. No trusted timestamp proves the signature was made before the certificate expired (the signing time claimed in the signature is no proof), so the signature cannot be shown to be valid.{claimed_en}"
        ),
    )
}

/// Certificate not yet valid at signing time.
pub(crate) fn certificate_not_yet_valid(subject: &str) -> Finding {
    error(
        S::NotYetValid,
        "CERTIFICATE_NOT_YET_VALID",
        format!("Chứng thư số \"{subject}\" chưa có hiệu lực tại thời điểm ký."),
        format!("Certificate \"{subject}\" was not yet valid at the signing time."),
    )
}

/// A chain constraint is broken.
pub(crate) fn chain_constraint(subject: &str, what_vi: &str, what_en: &str) -> Finding {
    error(
        S::ChainConstraintsFailure,
        "CHAIN_CONSTRAINT_VIOLATED",
        format!("Chứng thư số \"{subject}\" không được phép dùng như vậy: {what_vi}"),
        format!("Certificate \"{subject}\" may not be used this way: {what_en}"),
    )
}

/// Revoked at or before signing.
pub(crate) fn revoked(subject: &str, date: &str) -> Finding {
    error(
        S::Revoked,
        "CERTIFICATE_REVOKED",
        format!("Chứng thư số \"{subject}\" đã bị thu hồi từ {date}, trước thời điểm ký."),
        format!("Certificate \"{subject}\" was revoked on {date}, before the signing time."),
    )
}

/// Revoked after the claimed signing time.
pub(crate) fn revoked_after_signing(subject: &str, date: &str) -> Finding {
    error(
        S::RevokedNoPoe,
        "CERTIFICATE_REVOKED_AFTER_SIGNING",
        format!(
            "Chứng thư số \"{subject}\" bị thu hồi từ {date}, sau thời điểm ký được ghi; không có dấu thời gian chứng minh chữ ký có trước khi thu hồi."
        ),
        format!(
            "Certificate \"{subject}\" was revoked on {date}, after the claimed signing time; no timestamp proves the signature came first."
        ),
    )
}

/// No fresh CRL for a certificate.
pub(crate) fn revocation_unknown(subject: &str) -> Finding {
    error(
        S::TryLater,
        "REVOCATION_STATUS_UNKNOWN",
        format!(
            "Chưa kiểm tra được chứng thư số \"{subject}\" có bị thu hồi hay không (thiếu danh sách thu hồi CRL còn hiệu lực)."
        ),
        format!("Could not check whether certificate \"{subject}\" is revoked (no current CRL)."),
    )
}

// ---- revisions ----

/// Forbidden change after signing.
pub(crate) fn modified_after_signing(kind_vi: &str, kind_en: &str, count: usize) -> Finding {
    error(
        S::ModifiedAfterSigning,
        "MODIFIED_AFTER_SIGNING",
        format!(
            "Tài liệu đã bị sửa sau khi ký: {kind_vi} ({count} đối tượng). Nội dung đang hiển thị có thể khác với nội dung đã ký."
        ),
        format!(
            "The document was changed after signing: {kind_en} ({count} objects). What is shown may differ from what was signed."
        ),
    )
}

/// Allowed change after signing: reported as a note.
pub(crate) fn allowed_changes_after_signing(count: usize) -> Finding {
    warning(
        "CHANGES_AFTER_SIGNING",
        format!(
            "Sau chữ ký này tài liệu có {count} thay đổi được phép (chữ ký khác, trường ký, dữ liệu kiểm tra)."
        ),
        format!(
            "After this signature the document has {count} permitted changes (other signatures, signature fields, validation data)."
        ),
    )
}

/// Certification signature that is not the first signature.
pub(crate) fn certification_not_first() -> Finding {
    format(
        "CERTIFICATION_NOT_FIRST",
        "chữ ký chứng nhận (DocMDP) không phải là chữ ký đầu tiên của tài liệu.",
        "the certification (DocMDP) signature is not the document's first signature.",
    )
}
