//! RFC 3161 time-stamps: the request a client sends ([`request`]), the answer of a
//! time-stamping authority ([`respond`]), and the check of an answer or a token
//! ([`check_response`], [`check_token`]): the message imprint, the nonce, the CMS signature
//! with its ESS signing-certificate, the TSA certificate's extended key usage (only
//! `timeStamping`, critical, RFC 3161 §2.3) and its path to a trust anchor at the time
//! stamped. The ASN.1 types are the `x509-tsp` crate's; nothing here writes DER by hand.

use cmpv2::status::{PkiStatus, PkiStatusInfo};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::asn1::{GeneralizedTime, Int, OctetString};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifier;
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_parser::prelude::FromDer;
use x509_tsp::{Accuracy, MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

use crate::signing::{Signer, build_attached_signed_data};
use crate::verification::chain::{PathSearch, validate_chain};
use crate::verification::cms_check::{CmsProfile, check_cms};
use crate::verification::dss::DssMaterial;
use crate::verification::findings::Finding;
use crate::verification::{
    CertificateSummary, DigestAlgorithm, ReportMessage, SubIndication, ValidationPolicy,
};

/// `id-ct-TSTInfo` (RFC 3161 §2.4.2): the content type of a time-stamp token.
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// Why a request could not be made or an answer not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// DER could not be written or read.
    #[error("time-stamp structure: {0}")]
    Der(String),
    /// The TSA refused the request.
    #[error("the time-stamping authority refused the request (status {0})")]
    Refused(String),
    /// The token does not check; the reasons, in check order.
    #[error("the time-stamp token does not check: {}", .0.iter().map(|m| m.message_en.as_str()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<ReportMessage>),
}

impl From<der::Error> for TimestampError {
    fn from(error: der::Error) -> Self {
        TimestampError::Der(error.to_string())
    }
}

fn digest_of(oid: &ObjectIdentifier) -> Option<DigestAlgorithm> {
    match *oid {
        rfc5912::ID_SHA_256 => Some(DigestAlgorithm::Sha256),
        rfc5912::ID_SHA_384 => Some(DigestAlgorithm::Sha384),
        rfc5912::ID_SHA_512 => Some(DigestAlgorithm::Sha512),
        _ => None,
    }
}

fn digest_oid(algorithm: DigestAlgorithm) -> ObjectIdentifier {
    match algorithm {
        DigestAlgorithm::Sha256 => rfc5912::ID_SHA_256,
        DigestAlgorithm::Sha384 => rfc5912::ID_SHA_384,
        DigestAlgorithm::Sha512 => rfc5912::ID_SHA_512,
        DigestAlgorithm::Sha1 => rfc5912::ID_SHA_1,
    }
}

/// A positive INTEGER from an unsigned number, in its shortest DER form.
fn positive_int(value: u64) -> Result<Int, der::Error> {
    let bytes = value.to_be_bytes();
    let first = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut minimal = Vec::with_capacity(9);
    if bytes[first] & 0x80 != 0 {
        minimal.push(0);
    }
    minimal.extend_from_slice(&bytes[first..]);
    Int::new(&minimal)
}

/// A request for a time-stamp over a digest, with a nonce, asking for the TSA's
/// certificate in the token.
pub fn request(
    algorithm: DigestAlgorithm,
    digest: &[u8],
    nonce: u64,
) -> Result<Vec<u8>, TimestampError> {
    let request = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifier {
                oid: digest_oid(algorithm),
                parameters: None,
            },
            hashed_message: OctetString::new(digest)?,
        },
        req_policy: None,
        nonce: Some(positive_int(nonce)?),
        cert_req: true,
        extensions: None,
    };
    Ok(request.to_der()?)
}

/// A time-stamping authority: its signer (certificate with the `timeStamping` purpose)
/// and the policy its tokens are issued under.
pub struct Tsa<'a> {
    /// Signs the tokens; its chain goes into a token when the request asks for it.
    pub signer: &'a dyn Signer,
    /// The TSA policy OID.
    pub policy: ObjectIdentifier,
}

/// What the TSA answered.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A token.
    Granted {
        /// The `TimeStampResp`, DER.
        der: Vec<u8>,
        /// The digest algorithm of the imprint.
        algorithm: DigestAlgorithm,
        /// The imprint stamped.
        imprint: Vec<u8>,
    },
    /// A refusal, with the RFC 3161 failure reason in words.
    Rejected {
        /// The `TimeStampResp`, DER.
        der: Vec<u8>,
        /// Why, in English (for the log).
        reason: &'static str,
    },
}

/// RFC 3161 `PKIFailureInfo` bits a rejection names (RFC 4210 §5.2.3 numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    BadAlg = 0,
    BadDataFormat = 5,
    UnacceptedPolicy = 15,
    UnacceptedExtension = 16,
}

/// `PKIStatusInfo` without its text, as this TSA writes and reads it: the failure bits as
/// a plain BIT STRING (the `cmpv2` flag set numbers them from the wrong end).
#[derive(Debug, Clone, der::Sequence)]
struct StatusInfo {
    status: u8,
    #[asn1(optional = "true")]
    status_string: Option<Vec<String>>,
    #[asn1(optional = "true")]
    fail_info: Option<der::asn1::BitString>,
}

/// A `TimeStampResp` read only for its status.
#[derive(Debug, Clone, der::Sequence)]
struct ResponseStatus {
    status: StatusInfo,
    #[asn1(optional = "true")]
    token: Option<Any>,
}

/// The status of a DER `TimeStampResp` (0 granted, 1 granted with changes, 2 rejected, …)
/// and the numbers of the failure bits set.
pub fn response_status(der: &[u8]) -> Result<(u8, Vec<usize>), TimestampError> {
    let response = ResponseStatus::from_der(der)?;
    let failures = response
        .status
        .fail_info
        .map(|bits| {
            bits.bits()
                .enumerate()
                .filter(|(_, on)| *on)
                .map(|(at, _)| at)
                .collect()
        })
        .unwrap_or_default();
    Ok((response.status.status, failures))
}

fn rejection(fail: Failure, reason: &'static str) -> Result<Answer, TimestampError> {
    let bit = fail as usize;
    let mut bytes = vec![0u8; bit / 8 + 1];
    bytes[bit / 8] = 0x80 >> (bit % 8);
    let unused = u8::try_from(7 - bit % 8).unwrap_or(0);
    let response = ResponseStatus {
        status: StatusInfo {
            status: PkiStatus::Rejection as u8,
            status_string: None,
            fail_info: Some(der::asn1::BitString::new(unused, bytes)?),
        },
        token: None,
    };
    Ok(Answer::Rejected {
        der: response.to_der()?,
        reason,
    })
}

/// Answers one DER request at `gen_time` with serial number `serial` (unique per TSA and
/// increasing). Bad requests get a rejection answer, not an error; an error means the token
/// could not be made (the signer failed).
pub fn respond(
    request_der: &[u8],
    tsa: &Tsa<'_>,
    serial: u64,
    gen_time: OffsetDateTime,
) -> Result<Answer, TimestampError> {
    let Ok(request) = TimeStampReq::from_der(request_der) else {
        return rejection(Failure::BadDataFormat, "not a DER TimeStampReq");
    };
    let imprint = &request.message_imprint;
    let Some(algorithm) = digest_of(&imprint.hash_algorithm.oid) else {
        return rejection(
            Failure::BadAlg,
            "imprint digest is not SHA-256, SHA-384 or SHA-512",
        );
    };
    if imprint.hashed_message.as_bytes().len() != algorithm.output_len() {
        return rejection(
            Failure::BadDataFormat,
            "imprint length does not fit its digest",
        );
    }
    if request
        .req_policy
        .is_some_and(|policy| policy != tsa.policy)
    {
        return rejection(
            Failure::UnacceptedPolicy,
            "requested policy is not this TSA's",
        );
    }
    if request.extensions.is_some() {
        return rejection(
            Failure::UnacceptedExtension,
            "request extensions are not supported",
        );
    }
    let signer_certificate = tsa
        .signer
        .certificate_chain()
        .first()
        .ok_or_else(|| TimestampError::Der("the TSA has no certificate".into()))?;
    let seconds = u64::try_from(gen_time.unix_timestamp()).unwrap_or(0);
    let info = TstInfo {
        version: TspVersion::V1,
        policy: tsa.policy,
        message_imprint: request.message_imprint.clone(),
        serial_number: positive_int(serial)?,
        gen_time: GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(seconds))?,
        accuracy: Some(Accuracy {
            seconds: Some(1),
            millis: None,
            micros: None,
        }),
        ordering: false,
        nonce: request.nonce.clone(),
        tsa: Some(GeneralName::DirectoryName(
            signer_certificate.tbs_certificate.subject.clone(),
        )),
        extensions: None,
    };
    let token = build_attached_signed_data(ID_CT_TST_INFO, &info.to_der()?, tsa.signer)
        .map_err(|error| TimestampError::Der(error.to_string()))?;
    let mut token = cms::content_info::ContentInfo::from_der(&token)?;
    if !request.cert_req {
        // Without certReq the token carries no certificate (RFC 3161 §2.4.1).
        let mut signed: cms::signed_data::SignedData = token.content.decode_as()?;
        signed.certificates = None;
        token.content = Any::encode_from(&signed)?;
    }
    let response = TimeStampResp {
        status: PkiStatusInfo {
            status: PkiStatus::Accepted,
            status_string: None,
            fail_info: None,
        },
        time_stamp_token: Some(token),
    };
    Ok(Answer::Granted {
        der: response.to_der()?,
        algorithm,
        imprint: imprint.hashed_message.as_bytes().to_vec(),
    })
}

/// `TSTInfo` as it is read: like `x509_tsp::TstInfo`, but `genTime` is kept raw, since
/// RFC 3161 allows fractional seconds there (`20261128220220.123Z`, as many TSAs write)
/// and the `der` crate's `GeneralizedTime` does not.
#[derive(Debug, Clone, der::Sequence)]
struct ReadTstInfo {
    version: TspVersion,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    gen_time: Any,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<x509_cert::ext::Extensions>,
}

/// A DER GeneralizedTime in UTC, `YYYYMMDDHHMMSS[.f…]Z`.
fn generalized_time(value: &Any) -> Option<OffsetDateTime> {
    if der::Tagged::tag(value) != der::Tag::GeneralizedTime {
        return None;
    }
    let text = std::str::from_utf8(value.value()).ok()?;
    let text = text.strip_suffix('Z')?;
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 9 {
        return None;
    }
    let number = |range: std::ops::Range<usize>| whole.get(range)?.parse::<u32>().ok();
    let date = time::Date::from_calendar_date(
        i32::try_from(number(0..4)?).ok()?,
        time::Month::try_from(u8::try_from(number(4..6)?).ok()?).ok()?,
        u8::try_from(number(6..8)?).ok()?,
    )
    .ok()?;
    let nanos = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse::<u32>().ok()?
    };
    let clock = time::Time::from_hms_nano(
        u8::try_from(number(8..10)?).ok()?,
        u8::try_from(number(10..12)?).ok()?,
        u8::try_from(number(12..14)?).ok()?,
        nanos,
    )
    .ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc())
}

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The time stamped.
    pub gen_time: OffsetDateTime,
    /// The TSA's serial number of the token, hex.
    pub serial: String,
    /// The policy, dotted.
    pub policy: String,
    /// The imprint's digest algorithm.
    pub algorithm: DigestAlgorithm,
    /// The imprint.
    pub imprint: Vec<u8>,
    /// The TSA certificate (DER).
    pub tsa_certificate: Vec<u8>,
    /// TSA certificate first, trust anchor last.
    pub chain: Vec<CertificateSummary>,
}

fn invalid(sub: SubIndication, code: &str, vi: &str, en: &str) -> Finding {
    Finding {
        sub_indication: Some(sub),
        message: ReportMessage::new(code, vi, en),
    }
}

/// Checks a token (a CMS `ContentInfo`, DER): its signature and ESS signing-certificate,
/// the imprint when `expected` is given, the TSA certificate's purpose, and its path to
/// one of `policy`'s anchors at the time stamped. `extra_certificates` may supply the TSA
/// certificate when the token does not carry it.
pub fn check_token(
    token_der: &[u8],
    expected: Option<(DigestAlgorithm, &[u8])>,
    extra_certificates: &[Vec<u8>],
    policy: &ValidationPolicy,
) -> Result<TokenInfo, TimestampError> {
    let carried = DssMaterial {
        certificates: extra_certificates.to_vec(),
        crls: Vec::new(),
    };
    let mut search = PathSearch::new(
        policy.max_certificate_signature_checks,
        policy.cancel.clone(),
    );
    check_token_findings(token_der, expected, policy, None, &mut search, &carried).map_err(
        |findings| TimestampError::Invalid(findings.into_iter().map(|f| f.message).collect()),
    )
}

/// [`check_token`] with each reason's sub-indication, for the verifier of a document:
/// `proof_of_existence` is a time a later, trusted time-stamp proves the token existed at,
/// so that the TSA certificate's expiry or revocation after it does not count (past
/// validation, ETSI EN 319 102-1 §5.6); the path search is the document's (one budget for
/// all its signatures and time-stamps); `carried` is the file's own validation data (its
/// DSS), which may also hold the TSA certificate a token leaves out.
pub(crate) fn check_token_findings(
    token_der: &[u8],
    expected: Option<(DigestAlgorithm, &[u8])>,
    policy: &ValidationPolicy,
    proof_of_existence: Option<OffsetDateTime>,
    search: &mut PathSearch,
    carried: &DssMaterial,
) -> Result<TokenInfo, Vec<Finding>> {
    use crate::verification::SubIndication as S;
    let status = check_cms(token_der, &mut |_| None, CmsProfile::Timestamp);
    let mut errors: Vec<Finding> = status
        .findings
        .iter()
        .filter(|finding| finding.sub_indication.is_some())
        .cloned()
        .collect();
    let malformed = || {
        invalid(
            S::FormatFailure,
            "TIMESTAMP_MALFORMED",
            "dấu thời gian không đọc được theo RFC 3161.",
            "the time-stamp token cannot be read as RFC 3161 says.",
        )
    };
    let Some(info) = status
        .content
        .as_deref()
        .and_then(|content| ReadTstInfo::from_der(content).ok())
    else {
        errors.push(malformed());
        return Err(errors);
    };
    if !status.digest_matches || !status.signature_verified {
        errors.push(invalid(
            S::SigCryptoFailure,
            "TIMESTAMP_SIGNATURE_INVALID",
            "chữ ký của dấu thời gian không hợp lệ.",
            "the time-stamp token's signature does not verify.",
        ));
    }
    let algorithm = digest_of(&info.message_imprint.hash_algorithm.oid);
    let imprint = info.message_imprint.hashed_message.as_bytes().to_vec();
    if let Some((wanted_algorithm, wanted)) = expected
        && (algorithm != Some(wanted_algorithm) || imprint != wanted)
    {
        errors.push(invalid(
            S::HashFailure,
            "TIMESTAMP_IMPRINT_MISMATCH",
            "dấu thời gian không đóng cho dữ liệu này (dấu vân tay khác).",
            "the time-stamp is not over this data (its message imprint differs).",
        ));
    }
    let Some(gen_time) = generalized_time(&info.gen_time) else {
        errors.push(malformed());
        return Err(errors);
    };
    let tsa_certificate = status.signer_certificate.clone().or_else(|| {
        // A token without certificates: the signer among the caller's certificates.
        let token = cms::content_info::ContentInfo::from_der(token_der).ok()?;
        let signed: cms::signed_data::SignedData = token.content.decode_as().ok()?;
        let signer_info = signed.signer_infos.0.as_slice().first()?.clone();
        carried
            .certificates
            .iter()
            .find(|der| {
                Certificate::from_der(der).is_ok_and(|certificate| {
                    matches!(&signer_info.sid, cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(id)
                        if id.issuer == certificate.tbs_certificate.issuer
                            && id.serial_number == certificate.tbs_certificate.serial_number)
                })
            })
            .cloned()
    });
    let Some(tsa_certificate) = tsa_certificate else {
        errors.push(invalid(
            S::NoSigningCertificateFound,
            "TIMESTAMP_TSA_CERTIFICATE_MISSING",
            "không tìm thấy chứng thư của đơn vị cấp dấu thời gian.",
            "the time-stamping authority's certificate was not found.",
        ));
        return Err(errors);
    };
    if !time_stamping_only(&tsa_certificate) {
        errors.push(invalid(
            S::ChainConstraintsFailure,
            "TIMESTAMP_TSA_NOT_AUTHORISED",
            "chứng thư của đơn vị cấp dấu thời gian không dành riêng cho việc cấp dấu thời gian (timeStamping, critical).",
            "the TSA certificate's extended key usage is not timeStamping alone, marked critical.",
        ));
    }
    let chain = validate_chain(
        &tsa_certificate,
        &status.certificates,
        carried,
        policy,
        gen_time,
        proof_of_existence,
        search,
    );
    errors.extend(
        chain
            .findings
            .iter()
            .filter(|finding| finding.sub_indication.is_some())
            .cloned(),
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(TokenInfo {
        gen_time,
        serial: hex::encode(info.serial_number.as_bytes()),
        policy: info.policy.to_string(),
        algorithm: algorithm.unwrap_or(DigestAlgorithm::Sha256),
        imprint,
        tsa_certificate,
        chain: chain.chain,
    })
}

/// The digest algorithm of a token's message imprint, if the token can be read.
pub(crate) fn imprint_algorithm(token_der: &[u8]) -> Option<DigestAlgorithm> {
    let token = cms::content_info::ContentInfo::from_der(token_der).ok()?;
    let signed: cms::signed_data::SignedData = token.content.decode_as().ok()?;
    let content = signed.encap_content_info.econtent?;
    let info = ReadTstInfo::from_der(content.value()).ok()?;
    digest_of(&info.message_imprint.hash_algorithm.oid)
}

/// Whether the certificate's extended key usage is `timeStamping` alone, critical.
fn time_stamping_only(der: &[u8]) -> bool {
    let Ok((_, certificate)) = x509_parser::certificate::X509Certificate::from_der(der) else {
        return false;
    };
    match certificate.extended_key_usage() {
        Ok(Some(extension)) => {
            let usage = extension.value;
            extension.critical
                && usage.time_stamping
                && !usage.any
                && !usage.server_auth
                && !usage.client_auth
                && !usage.code_signing
                && !usage.email_protection
                && !usage.ocsp_signing
                && usage.other.is_empty()
        }
        _ => false,
    }
}

/// Checks a TSA's answer to the request made with [`request`] (`imprint`, `nonce`): granted,
/// the nonce echoed, and the token as [`check_token`] says. Returns the token (DER) and
/// what it says.
pub fn check_response(
    response_der: &[u8],
    algorithm: DigestAlgorithm,
    imprint: &[u8],
    nonce: u64,
    policy: &ValidationPolicy,
) -> Result<(Vec<u8>, TokenInfo), TimestampError> {
    let token_der = token_from_response(response_der)?;
    let token = cms::content_info::ContentInfo::from_der(&token_der)?;
    let signed: cms::signed_data::SignedData = token.content.decode_as()?;
    let info = signed
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(|content| ReadTstInfo::from_der(content.value()).ok())
        .ok_or_else(|| TimestampError::Der("no TSTInfo".into()))?;
    if info.nonce != Some(positive_int(nonce)?) {
        return Err(TimestampError::Invalid(vec![ReportMessage::new(
            "TIMESTAMP_NONCE_MISMATCH",
            "dấu thời gian không trả lời đúng yêu cầu này (nonce khác).",
            "the time-stamp does not answer this request (its nonce differs).",
        )]));
    }
    let checked = check_token(&token_der, Some((algorithm, imprint)), &[], policy)?;
    Ok((token_der, checked))
}

/// The token (DER `ContentInfo`) of a granted `TimeStampResp`.
pub fn token_from_response(response_der: &[u8]) -> Result<Vec<u8>, TimestampError> {
    let (status, failures) = response_status(response_der)?;
    if status > 1 {
        return Err(TimestampError::Refused(format!(
            "status {status}, failure bits {failures:?}"
        )));
    }
    let response = TimeStampResp::from_der(response_der)?;
    let token = response
        .time_stamp_token
        .ok_or_else(|| TimestampError::Refused("granted without a token".into()))?;
    Ok(token.to_der()?)
}
