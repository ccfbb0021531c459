//! The PDF signature layer: from a signature field to a [`SignatureReport`], using the raw
//! bytes for ByteRange/Contents, the CMS layer for cryptography and the chain layer for trust.
//! Modifications after the signature are added by the document layer (`mod.rs`), which sees
//! all signatures.

use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, Object};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::byte_range::{self, CheckedByteRange, SignedRangeDigests};
use super::chain;
use super::cms_check::{self, CmsProfile};
use super::findings::{self, Finding};
use super::object_graph;
use super::pdf_syntax;
use super::policy::ValidationPolicy;
use super::report::{Coverage, DocMdpPermission, Indication, SignatureReport, SignatureTimestamp};
use super::revisions::Revisions;
use super::signature_fields::{SignatureField, SignatureValue};

/// Clock difference tolerated between a signing server and this verifier.
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// A signature as checked so far, before the document layer looks at later revisions.
pub(crate) struct CheckedSignature {
    /// Report without modifications; indication not final.
    pub report: SignatureReport,
    /// Findings in check order.
    pub findings: Vec<Finding>,
    /// Index of the revision the signature covers, when its ByteRange is usable.
    pub revision: Option<usize>,
}

/// What the signatures of one document share: the digests of signed prefixes and the
/// certificate path search with its budget and verified edges.
pub(crate) struct DocumentWork<'a> {
    /// Digests of signed ranges, computed once per prefix.
    pub digests: SignedRangeDigests<'a>,
    /// Path building for all signatures.
    pub search: chain::PathSearch,
    /// Document time-stamps that check: the revision each covers and its time.
    pub document_timestamps: Vec<(usize, OffsetDateTime)>,
    /// The validation data the file carries (its DSS).
    pub dss: super::dss::DssMaterial,
}

impl DocumentWork<'_> {
    /// The earliest time a checked document time-stamp after `revision` proves.
    pub fn proof_after(&self, revision: usize) -> Option<OffsetDateTime> {
        super::document_timestamp::earliest_after(&self.document_timestamps, revision)
    }
}

/// Checks one signature field of the final document.
pub(crate) fn check_signature(
    bytes: &[u8],
    field: &SignatureField,
    latest: &Document,
    revisions: &Revisions,
    policy: &ValidationPolicy,
    work: &mut DocumentWork<'_>,
) -> CheckedSignature {
    let id = match field.value {
        SignatureValue::Indirect(id) => format!("S-{}-{}", id.0, id.1),
        SignatureValue::Direct => format!("S-{}", field.name),
    };
    let mut checked = CheckedSignature {
        report: SignatureReport {
            id,
            field_name: field.name.clone(),
            indication: Indication::TotalPassed,
            sub_indication: None,
            signed_by: None,
            signing_time: None,
            signature_format: None,
            certification_permission: None,
            certificate_chain: Vec::new(),
            coverage: None,
            modifications: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            signature_timestamp: None,
            signer_certificate_sha256: None,
            signer_certificate: None,
        },
        findings: Vec::new(),
        revision: None,
    };
    if let Err(finding) = check_into(bytes, field, latest, revisions, policy, work, &mut checked) {
        checked.findings.push(finding);
    }
    checked
}

fn check_into(
    bytes: &[u8],
    field: &SignatureField,
    latest: &Document,
    revisions: &Revisions,
    policy: &ValidationPolicy,
    work: &mut DocumentWork<'_>,
    checked: &mut CheckedSignature,
) -> Result<(), Finding> {
    let located = locate(bytes, field, latest, revisions)?;
    let Located {
        revision,
        signed,
        signed_value,
        range,
        cms,
        covers_whole_document,
    } = located;
    checked.report.signature_format = object_graph::get_name(signed, signed_value, b"SubFilter")
        .map(|name| String::from_utf8_lossy(name).into_owned());
    let profile = match checked.report.signature_format.as_deref() {
        Some("ETSI.CAdES.detached") => CmsProfile::Cades,
        Some("adbe.pkcs7.detached") => CmsProfile::Pkcs7,
        other => return Err(findings::unsupported_sub_filter(other.unwrap_or("(none)"))),
    };
    checked.report.coverage = Some(Coverage {
        byte_range: range.as_array(),
        covers_whole_revision: true,
        covers_whole_document,
    });
    checked.revision = Some(revision);
    checked.report.certification_permission = docmdp_permission(signed, signed_value);

    let cms_status = cms_check::check_cms(
        &cms,
        &mut |algorithm| work.digests.digest(&range, algorithm),
        profile,
    );
    checked.findings.extend(cms_status.findings.iter().cloned());

    let signing_time = signing_time(signed, signed_value);
    checked.report.signing_time = signing_time;
    let signing_time = match signing_time {
        Some(time)
            if policy
                .validation_time
                .checked_add(CLOCK_SKEW)
                .is_some_and(|limit| time > limit) =>
        {
            checked.findings.push(findings::signing_time_in_future());
            time
        }
        Some(time) => time,
        None => {
            checked.findings.push(findings::signing_time_missing());
            policy.validation_time
        }
    };

    // A signature time-stamp proves the signature existed at its time, if its TSA is
    // trusted (now, or when a later document time-stamp proves the token existed) and it is
    // over this signature value; one that does not check proves nothing. A document
    // time-stamp after the signature proves it existed at the time of that time-stamp.
    let archive_proof = work.proof_after(revision);
    let timestamp_proof = match &cms_status.signature_timestamp {
        None => None,
        Some(token) => {
            match crate::timestamp::check_token_findings(
                token,
                None,
                policy,
                archive_proof,
                &mut work.search,
                &work.dss,
            ) {
                Ok(info)
                    if info.algorithm.digest_parts(&[&cms_status.signature_value])
                        == info.imprint =>
                {
                    checked.report.signature_timestamp = Some(SignatureTimestamp {
                        time: info.gen_time,
                        tsa: info
                            .chain
                            .first()
                            .map(|certificate| certificate.subject.clone())
                            .unwrap_or_default(),
                    });
                    Some(info.gen_time)
                }
                Ok(_) => {
                    checked.findings.push(findings::timestamp_not_used(
                        "dấu thời gian không đóng cho chữ ký này",
                        "the time-stamp is not over this signature value",
                    ));
                    None
                }
                Err(reasons) => {
                    let join = |part: fn(&Finding) -> &str| {
                        reasons.iter().map(part).collect::<Vec<_>>().join("; ")
                    };
                    checked.findings.push(findings::timestamp_not_used(
                        &join(|f| f.message.message_vi.as_str()),
                        &join(|f| f.message.message_en.as_str()),
                    ));
                    None
                }
            }
        }
    };
    let proof_of_existence = match (timestamp_proof, archive_proof) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };

    if let Some(signer) = &cms_status.signer_certificate {
        let outcome = chain::validate_chain(
            signer,
            &cms_status.certificates,
            &work.dss,
            policy,
            signing_time,
            proof_of_existence,
            &mut work.search,
        );
        checked.report.signed_by = outcome.signer_name;
        checked.report.certificate_chain = outcome.chain;
        checked.findings.extend(outcome.findings);
        let digest = super::byte_range::DigestAlgorithm::Sha256.digest_parts(&[signer]);
        checked.report.signer_certificate_sha256 =
            Some(digest.iter().map(|byte| format!("{byte:02x}")).collect());
        checked.report.signer_certificate = Some(signer.clone());
    }
    Ok(())
}

/// A signature value found in the raw bytes: the revision it covers, read from that
/// revision, with its checked `/ByteRange` and the DER in `/Contents`.
pub(crate) struct Located<'d> {
    /// Index of the revision the value signs.
    pub revision: usize,
    /// That revision.
    pub signed: &'d Document,
    /// The value as that revision has it.
    pub signed_value: &'d Dictionary,
    /// The checked byte range.
    pub range: byte_range::ByteRange,
    /// `/Contents`, zero padding removed.
    pub cms: Vec<u8>,
    /// Nothing but whitespace follows the range.
    pub covers_whole_document: bool,
}

/// Finds a field's value in the raw bytes and checks its `/ByteRange` (docs/ARCHITECTURE.md
/// §6, check 1); every failure is a `FORMAT_FAILURE` finding.
pub(crate) fn locate<'d>(
    bytes: &[u8],
    field: &SignatureField,
    latest: &Document,
    revisions: &'d Revisions,
) -> Result<Located<'d>, Finding> {
    let SignatureValue::Indirect(value_id) = field.value else {
        return Err(findings::format(
            "SIGNATURE_VALUE_DIRECT",
            "giá trị chữ ký không được lưu thành đối tượng riêng như quy định.",
            "the signature value is a direct dictionary, not an indirect object.",
        ));
    };
    let value = latest
        .objects
        .get(&value_id)
        .and_then(|object| object_graph::as_dictionary(latest, object))
        .ok_or_else(|| {
            findings::format(
                "SIGNATURE_VALUE_MISSING",
                "không tìm thấy giá trị chữ ký của trường ký.",
                "the signature field's value is missing.",
            )
        })?;

    // The final view tells which revision the signature claims to cover; everything after
    // that is read from that revision and from the raw bytes.
    let claimed_end = claimed_range_end(latest, value).ok_or_else(|| {
        findings::format(
            "BYTE_RANGE_NOT_FOUR_INTEGERS",
            "ByteRange không phải là bốn số nguyên không âm bắt đầu bằng 0.",
            "/ByteRange is not four non-negative integers starting with 0.",
        )
    })?;
    let revision = revisions.ending_at(claimed_end).ok_or_else(|| {
        findings::format(
            "BYTE_RANGE_NOT_REVISION_END",
            "vùng được ký không kết thúc ở cuối một phiên bản của tài liệu.",
            "the signed range does not end at the end of a revision.",
        )
    })?;
    let signed = revisions.document(revision).ok_or_else(|| {
        findings::format(
            "SIGNED_REVISION_UNREADABLE",
            "không đọc được phiên bản tài liệu mà chữ ký bao phủ.",
            "the revision covered by the signature cannot be read.",
        )
    })?;
    let signed_value = signed
        .objects
        .get(&value_id)
        .and_then(|object| object_graph::as_dictionary(signed, object))
        .ok_or_else(|| {
            findings::format(
                "SIGNATURE_NOT_IN_SIGNED_REVISION",
                "giá trị chữ ký không nằm trong phần tài liệu mà nó ký.",
                "the signature value is not part of the revision it signs.",
            )
        })?;
    let raw_offset = match signed.reference_table.get(value_id.0) {
        Some(XrefEntry::Normal { offset, generation }) if *generation == value_id.1 => {
            *offset as usize
        }
        _ => {
            return Err(findings::format(
                "SIGNATURE_VALUE_NOT_PLAIN_OBJECT",
                "giá trị chữ ký không được lưu dưới dạng đối tượng thông thường trong tệp.",
                "the signature value is not stored as a plain indirect object.",
            ));
        }
    };
    let raw = pdf_syntax::read_object_dictionary(bytes, raw_offset, value_id.0, value_id.1)
        .map_err(|_| {
            findings::format(
                "SIGNATURE_VALUE_UNREADABLE",
                "không đọc được từ điển chữ ký trong tệp.",
                "the signature dictionary cannot be read from the file.",
            )
        })?;
    let CheckedByteRange { range, cms } =
        byte_range::check_byte_range(bytes, &raw, &revisions.markers)?;
    if range.end() != claimed_end || raw.span.end > range.end() {
        return Err(findings::format(
            "BYTE_RANGE_INCONSISTENT",
            "ByteRange đọc được từ tệp không khớp với chữ ký.",
            "the /ByteRange in the file does not match the signature.",
        ));
    }
    let covers_whole_document = bytes
        .get(range.end()..)
        .is_some_and(|rest| rest.iter().all(|&b| pdf_syntax::is_whitespace(b)));
    if range.signed_slices(bytes).is_none() {
        return Err(findings::format(
            "BYTE_RANGE_OUT_OF_FILE",
            "ByteRange chỉ ra vùng nằm ngoài tệp.",
            "/ByteRange points outside the file.",
        ));
    }
    Ok(Located {
        revision,
        signed,
        signed_value,
        range,
        cms,
        covers_whole_document,
    })
}

/// `c + d` of the `/ByteRange` as lopdf reads it.
fn claimed_range_end(doc: &Document, value: &Dictionary) -> Option<usize> {
    let items = object_graph::get_array(doc, value, b"ByteRange")?;
    let [_, _, Object::Integer(start), Object::Integer(length)] = items else {
        return None;
    };
    let start = usize::try_from(*start).ok()?;
    start.checked_add(usize::try_from(*length).ok()?)
}

/// DocMDP permission of a certification signature (ISO 32000-1 §12.8.2.2, Table 254):
/// `/Reference [<< /TransformMethod /DocMDP /TransformParams << /P n >> >>]`, P defaulting
/// to 2; an out-of-range P is read as the strictest value.
fn docmdp_permission(doc: &Document, value: &Dictionary) -> Option<DocMdpPermission> {
    let references = object_graph::get_array(doc, value, b"Reference")?;
    let reference = references
        .iter()
        .filter_map(|reference| object_graph::as_dictionary(doc, reference))
        .find(|reference| {
            object_graph::get_name(doc, reference, b"TransformMethod") == Some(b"DocMDP")
        })?;
    let level = object_graph::get(doc, reference, b"TransformParams")
        .and_then(|params| object_graph::as_dictionary(doc, params))
        .and_then(|params| object_graph::get(doc, params, b"P"))
        .map_or(Some(2), |p| p.as_i64().ok());
    Some(match level {
        Some(2) => DocMdpPermission::FillFormsAndSign,
        Some(3) => DocMdpPermission::FillFormsSignAndAnnotate,
        _ => DocMdpPermission::NoChanges,
    })
}

/// `/M` of the signature dictionary.
fn signing_time(doc: &Document, value: &Dictionary) -> Option<OffsetDateTime> {
    match object_graph::get(doc, value, b"M")? {
        Object::String(text, _) => parse_pdf_date(text),
        _ => None,
    }
}

/// Parses a PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (ISO 32000-1 §7.9.4); missing parts default
/// as the standard says, a missing offset means UTC.
pub(crate) fn parse_pdf_date(text: &[u8]) -> Option<OffsetDateTime> {
    let text = text.strip_prefix(b"D:").unwrap_or(text);
    let digits = |range: std::ops::Range<usize>, default: u32| -> Option<u32> {
        match text.get(range) {
            Some(part) if part.iter().all(u8::is_ascii_digit) => {
                std::str::from_utf8(part).ok()?.parse().ok()
            }
            Some(_) => None,
            None => Some(default),
        }
    };
    let year = i32::try_from(digits(0..4, 0)?).ok()?;
    if text.len() < 4 {
        return None;
    }
    let month = Month::try_from(u8::try_from(digits(4..6, 1)?).ok()?).ok()?;
    let day = u8::try_from(digits(6..8, 1)?).ok()?;
    let hour = u8::try_from(digits(8..10, 0)?).ok()?;
    let minute = u8::try_from(digits(10..12, 0)?).ok()?;
    let second = u8::try_from(digits(12..14, 0)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    let offset = match text.get(14) {
        None | Some(b'Z') => UtcOffset::UTC,
        Some(sign @ (b'+' | b'-')) => {
            let hours = i8::try_from(digits(15..17, 0)?).ok()?;
            let minutes = i8::try_from(digits(18..20, 0)?).ok()?;
            let (hours, minutes) = if *sign == b'-' {
                (-hours, -minutes)
            } else {
                (hours, minutes)
            };
            UtcOffset::from_hms(hours, minutes, 0).ok()?
        }
        Some(_) => return None,
    };
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::parse_pdf_date;
    use time::macros::datetime;

    #[test]
    fn pdf_dates() {
        assert_eq!(
            parse_pdf_date(b"D:20260301103000+07'00'"),
            Some(datetime!(2026-03-01 10:30:00 +7))
        );
        assert_eq!(
            parse_pdf_date(b"D:20260301033000Z"),
            Some(datetime!(2026-03-01 03:30:00 UTC))
        );
        assert_eq!(
            parse_pdf_date(b"D:2026"),
            Some(datetime!(2026-01-01 00:00:00 UTC))
        );
        assert_eq!(parse_pdf_date(b"D:20261301"), None);
        assert_eq!(parse_pdf_date(b"D:20"), None);
        assert_eq!(parse_pdf_date(b"garbage"), None);
    }
}
