//! Verifying copies: the one entry that the API (`POST /api/v1/verifications`), the QR
//! page (`/v/{code}`) and the command line (`certcopy verify`) all call.
//!
//! [`VerifyService::admit`] first counts the request against the public rate limit
//! (anonymous callers, counted in the database so every instance shares it; web routes
//! take it in a request guard, before the upload is read). [`VerifyService::verify`]
//! then runs the size limit, takes a permit of the verification [`WorkLimit`] (or
//! answers 503 `service_busy`), runs the signature verification of the document crate on
//! the blocking pool under the configured [`TrustStore`] and a [`CancelToken`] (the
//! deadline, or the caller going away, stops it: 503 `verification_deadline`, no verdict;
//! see [`crate::work_limit`]), the register cross-check
//! ([`super::check`]), and for agencies an audit row naming the copy they looked at.
//! [`VerifyService::check_against_code`] adds
//! "is this file the copy issued under this code". [`VerifyService::public_status`] is
//! what a QR code shows: a typed [`PublicStatus`] without personal data.
//!
//! The service holds no state of its own beyond handles; building one is cheap
//! ([`crate::App::verifier`]). It sits beside [`super::issuance::Issuer`], the other
//! service over the register.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::check::{cross_check, signed_content_sha256};
use super::code::display_code;
use super::{RegistryError, normalize_verification_code};
use crate::audit::{self, Actor, AuditEvent};
use crate::config::TrustStore;
use crate::db::models::{EntryStatus, Office, RegisterEntry};
use crate::db::{Db, DbConn, DbError};
use crate::error::{PublicError, UserFacing};
use crate::rate_limit;
use crate::verification::{
    DocumentReport, Indication, RegisterStatus, ReportMessage, VerificationError, verify_pdf,
};
use crate::work_limit::{Busy, CancelToken, WorkLimit};

/// Who asks for a verification.
#[derive(Debug, Clone)]
pub enum Requester {
    /// A receiving agency authenticated by its API key: not rate-limited, audited.
    Agency(Actor),
    /// Anyone else, rate-limited by client address.
    Public(Option<IpAddr>),
    /// The operator on the command line: neither limited nor audited.
    Operator,
}

/// A requester whose verification has been counted against its limit
/// ([`VerifyService::admit`]): the only way to ask for a verification, so a caller cannot
/// skip the limit, and can take it before reading the upload. Not `Clone`: one admission
/// is one counted request.
#[derive(Debug)]
pub struct Admitted(Requester);

impl Admitted {
    /// Who was admitted.
    pub fn requester(&self) -> &Requester {
        &self.0
    }
}

/// Verifying files and looking up codes, over the register (when there is one) and the
/// trust store.
#[derive(Debug, Clone)]
pub struct VerifyService {
    /// The register to consult; `None` for an offline check (no database).
    pub db: Option<Db>,
    /// Trust anchors, intermediates and CRLs.
    pub trust: Arc<TrustStore>,
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Verifications per minute allowed to one anonymous address.
    pub public_per_minute: u32,
    /// Verifications running at once, with their wait queue.
    pub limit: Arc<WorkLimit>,
    /// Longest one verification may take, its wait for a permit included.
    pub deadline: Duration,
    /// Public statuses of valid copies, kept a few seconds (`None`: always read).
    pub status_cache: Option<Arc<super::status_cache::StatusCache<PublicStatus>>>,
    /// The register log key whose tree heads are trusted (`None`: the log is not
    /// consulted).
    pub log_trust: Option<crate::transparency::heads::LogPublicKey>,
    /// A pause inside the verification's blocking work that ends early only when the work
    /// is cancelled (tests: a verification that outlives its caller or its deadline).
    #[cfg(feature = "test-support")]
    pub test_pause: Option<Duration>,
}

/// A file checked against the code of the page it was uploaded on.
#[derive(Debug, Clone)]
pub struct CodeCheck {
    /// The full verification report.
    pub report: DocumentReport,
    /// The file's signed content is the one registered under the code.
    pub same_file: bool,
}

impl CodeCheck {
    /// The file is the copy issued under the code and every check passed.
    pub fn confirmed(&self) -> bool {
        self.same_file && self.report.verdict == Indication::TotalPassed
    }
}

/// Validity of a copy as its QR code shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PublicState {
    /// Issued and not annulled.
    Valid,
    /// Annulled in the register (the reason is public).
    Annulled,
}

/// The public status behind a verification code: the register facts a receiving agency
/// needs, without the requester's name or ID.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicStatus {
    /// Valid or annulled.
    pub status: PublicState,
    /// The code as printed (groups of four).
    pub code: String,
    /// Certifying office.
    pub office: String,
    /// Its address.
    pub office_address: String,
    /// Number in the office's book.
    pub certification_number: i64,
    /// Book reference, e.g. `01/2026-SCT/BS`.
    pub book: String,
    /// When the copy was issued (UTC, RFC 3339).
    pub issued_at: Option<String>,
    /// Pages of the copy.
    pub page_count: i32,
    /// SHA-256 of the signed content (lower-case hex).
    pub sha256: Option<String>,
    /// When it was annulled (UTC, RFC 3339).
    pub annulled_at: Option<String>,
    /// Why it was annulled.
    pub annulled_reason: Option<String>,
}

/// Why a file could not be verified at all (as opposed to a failed verification).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// An anonymous address spent its verifications for this minute.
    #[error("too many verifications from this address")]
    RateLimited,
    /// Larger than the upload limit.
    #[error("file larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// Not readable as a PDF.
    #[error(transparent)]
    Unreadable(#[from] VerificationError),
    /// No published copy has this code.
    #[error("no copy with this code")]
    UnknownCode,
    /// The register lookup failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The verification task failed.
    #[error("verification task failed: {0}")]
    Task(String),
    /// Too many verifications at once: none could start.
    #[error(transparent)]
    Busy(#[from] Busy),
    /// The verification did not finish within its deadline and was stopped.
    #[error("verification stopped at its deadline of {} ms", .0.as_millis())]
    Deadline(Duration),
    /// The verification was stopped because nobody waits for its answer.
    #[error("verification cancelled")]
    Cancelled,
}

impl From<DbError> for VerifyError {
    fn from(error: DbError) -> Self {
        VerifyError::Registry(RegistryError::Db(error))
    }
}

impl UserFacing for VerifyError {
    fn public(&self) -> PublicError {
        use VerificationError as V;
        let unreadable = |code: &'static str, error: &VerificationError| {
            PublicError::new(422, code, error.message_vi().to_owned(), error.to_string())
        };
        match self {
            VerifyError::RateLimited => PublicError::new(
                429,
                "rate_limited",
                "Bạn đã kiểm tra quá nhiều tệp trong một phút. Vui lòng thử lại sau; cơ quan tiếp nhận hồ sơ nên dùng khóa API.".into(),
                "Too many verifications from your address in one minute. Please retry later; receiving agencies should use an API key.".into(),
            ),
            VerifyError::TooLarge { limit } => too_large(*limit),
            VerifyError::Unreadable(error @ V::TooLarge) => {
                PublicError::new(413, "payload_too_large", error.message_vi().to_owned(), error.to_string())
            }
            VerifyError::Unreadable(error @ V::Empty) => unreadable("empty_file", error),
            VerifyError::Unreadable(error @ V::NotPdf) => unreadable("not_a_pdf", error),
            VerifyError::Unreadable(error @ V::Truncated) => unreadable("truncated_pdf", error),
            VerifyError::Unreadable(error) => unreadable("unreadable_pdf", error),
            VerifyError::UnknownCode => RegistryError::NotFound.public(),
            VerifyError::Registry(error) => error.public(),
            VerifyError::Task(_) => PublicError::internal_error(),
            VerifyError::Busy(busy) => busy.public(),
            VerifyError::Deadline(deadline) => {
                let seconds = u32::try_from(deadline.as_millis().div_ceil(1000)).unwrap_or(u32::MAX);
                PublicError::new(
                    503,
                    "verification_deadline",
                    format!("Không kiểm tra xong tệp trong thời hạn {seconds} giây nên chưa có kết luận (tệp không được coi là hợp lệ). Vui lòng thử lại sau; nếu vẫn không được, tệp có thể được tạo ra nhằm làm quá tải hệ thống."),
                    format!("The file could not be verified within the {seconds}-second limit, so there is no verdict (the file is not taken as valid). Please retry later; if it keeps failing, the file may be built to overload the service."),
                )
                .with_retry_after(u64::from(seconds))
            }
            VerifyError::Cancelled => PublicError::new(
                503,
                "verification_cancelled",
                "Việc kiểm tra đã dừng trước khi xong; chưa có kết luận.".into(),
                "The verification was stopped before it finished; there is no verdict.".into(),
            ),
        }
    }
}

/// Sleeps in small steps for `pause`, or until `token` is cancelled.
#[cfg(feature = "test-support")]
fn pause_until_cancelled(pause: Duration, token: &CancelToken) {
    let end = std::time::Instant::now() + pause;
    while std::time::Instant::now() < end && !token.is_cancelled() {
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn too_large(limit: u64) -> PublicError {
    let mb = limit / 1_000_000;
    PublicError::new(
        413,
        "payload_too_large",
        format!("Tệp quá lớn (tối đa {mb} MB)."),
        format!("The file is too large (at most {mb} MB)."),
    )
}

impl VerifyService {
    /// Counts one verification against the requester's limit (only anonymous callers
    /// have one) and admits it, or refuses with [`VerifyError::RateLimited`]. Web routes
    /// call it from a request guard, before the upload is read.
    pub async fn admit(&self, requester: Requester) -> Result<Admitted, VerifyError> {
        let (Requester::Public(address), Some(db)) = (&requester, &self.db) else {
            return Ok(Admitted(requester));
        };
        let bucket = format!(
            "verify:{}",
            address.map_or_else(|| "unknown".to_owned(), |a| a.to_string())
        );
        let limit = self.public_per_minute;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let allowed = db
            .run(move |conn| rate_limit::allow(conn, &bucket, 60, limit, now))
            .await?;
        if allowed {
            Ok(Admitted(requester))
        } else {
            Err(VerifyError::RateLimited)
        }
    }

    /// Verifies a file for an admitted requester: the signatures, the register
    /// cross-check, and the agency's audit row.
    pub async fn verify(
        &self,
        requester: &Admitted,
        bytes: Vec<u8>,
        request_id: Option<&str>,
    ) -> Result<DocumentReport, VerifyError> {
        Ok(self
            .verify_shared(requester, Arc::new(bytes), request_id)
            .await?
            .0)
    }

    /// Verifies a file uploaded on the page of a code and says whether it is the copy
    /// issued under it (`status`, from [`VerifyService::public_status`], which the page
    /// shows anyway). Same path as [`VerifyService::verify`].
    pub async fn check_against_code(
        &self,
        requester: &Admitted,
        status: &PublicStatus,
        bytes: Vec<u8>,
        request_id: Option<&str>,
    ) -> Result<CodeCheck, VerifyError> {
        let (report, bytes) = self
            .verify_shared(requester, Arc::new(bytes), request_id)
            .await?;
        let same_file =
            status.sha256.as_deref() == Some(signed_content_sha256(&bytes, &report).as_str());
        Ok(CodeCheck { report, same_file })
    }

    /// The public status of the copy behind a code (valid or annulled copies only).
    pub async fn public_status(&self, code: &str) -> Result<PublicStatus, VerifyError> {
        let key = normalize_verification_code(code).ok_or(VerifyError::UnknownCode)?;
        if let Some(cached) = self.status_cache.as_ref().and_then(|c| c.get(&key)) {
            return Ok(cached);
        }
        let generation = super::status_cache::generation();
        let status = self.read_public_status(code).await?;
        if let (Some(cache), PublicState::Valid) = (&self.status_cache, status.status) {
            cache.put(key, status.clone(), generation);
        }
        Ok(status)
    }

    async fn read_public_status(&self, code: &str) -> Result<PublicStatus, VerifyError> {
        let (entry, office) = self.published_entry(code).await?;
        Ok(PublicStatus {
            status: match entry.status() {
                EntryStatus::Annulled => PublicState::Annulled,
                _ => PublicState::Valid,
            },
            code: display_code(&entry.verification_code),
            office: office.name,
            office_address: office.address,
            certification_number: entry.sequence,
            book: format!("{}-{}", entry.book, entry.type_code),
            issued_at: entry.issued_at.map(crate::local_time::utc_text),
            page_count: entry.page_count,
            sha256: entry.document_sha256,
            annulled_at: entry.annulled_at.map(crate::local_time::utc_text),
            annulled_reason: entry.annulled_reason,
        })
    }

    async fn published_entry(&self, code: &str) -> Result<(RegisterEntry, Office), VerifyError> {
        let code = normalize_verification_code(code).ok_or(VerifyError::UnknownCode)?;
        let db = self.db.as_ref().ok_or(VerifyError::UnknownCode)?;
        db.run(move |conn| {
            let entry = RegisterEntry::find_by_code(conn, &code)?
                .filter(RegisterEntry::is_published)
                .ok_or(VerifyError::UnknownCode)?;
            let office = Office::find(conn, &entry.office_id)?.ok_or(VerifyError::UnknownCode)?;
            Ok((entry, office))
        })
        .await
    }

    async fn verify_shared(
        &self,
        requester: &Admitted,
        bytes: Arc<Vec<u8>>,
        request_id: Option<&str>,
    ) -> Result<(DocumentReport, Arc<Vec<u8>>), VerifyError> {
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > self.max_bytes {
            return Err(VerifyError::TooLarge {
                limit: self.max_bytes,
            });
        }
        // The deadline counts from here, the wait for a permit included. The guard stops
        // the blocking work if this future is dropped; the permit is the work's own and
        // returns when the work ends.
        let token = CancelToken::with_deadline(self.deadline);
        let _stop_when_dropped = token.cancel_on_drop();
        let permit = self.limit.acquire(&token).await?;
        let mut policy = self.trust.policy(time::OffsetDateTime::now_utc());
        policy.cancel = token.cancellation();
        let input = bytes.clone();
        #[cfg(feature = "test-support")]
        let pause = self.test_pause;
        let work_token = token.clone();
        let outcome = rocket::tokio::task::spawn_blocking(move || {
            let _permit = permit;
            #[cfg(feature = "test-support")]
            if let Some(pause) = pause {
                pause_until_cancelled(pause, &work_token);
            }
            let outcome = verify_pdf(&input, &policy);
            // A verification that ran past its deadline has no verdict, even if it
            // finished between two checks.
            if work_token.is_cancelled() {
                Err(VerificationError::Cancelled)
            } else {
                outcome
            }
        })
        .await
        .map_err(|e| VerifyError::Task(e.to_string()))?;
        let mut report = match outcome {
            Err(VerificationError::Cancelled) if token.deadline_passed() => {
                return Err(VerifyError::Deadline(self.deadline));
            }
            Err(VerificationError::Cancelled) => return Err(VerifyError::Cancelled),
            other => other?,
        };
        let Some(db) = &self.db else {
            report.warnings.push(ReportMessage::new(
                "REGISTER_NOT_CONSULTED",
                "Không đối chiếu sổ chứng thực (kiểm tra ngoại tuyến): chỉ kiểm tra chữ ký số.",
                "The register was not consulted (offline check): signatures only.",
            ));
            report.register = Some(RegisterStatus::Unknown);
            return Ok((report, bytes));
        };
        let agency = match requester.requester() {
            Requester::Agency(actor) => Some(actor.clone()),
            _ => None,
        };
        let request_id = request_id.map(str::to_owned);
        let file = bytes.clone();
        let log_trust = self.log_trust;
        let report = db
            .run(move |conn| {
                let matched = cross_check(conn, &file, &mut report)?;
                if let Some(trusted) = &log_trust {
                    log_check(conn, &file, matched.entry.as_ref(), trusted, &mut report)?;
                }
                let registered = matches!(
                    matched.status,
                    RegisterStatus::Found { .. } | RegisterStatus::Annulled { .. }
                );
                if let (Some(actor), Some(entry), true) = (agency, &matched.entry, registered) {
                    let detail = serde_json::json!({
                        "certification_number": entry.sequence,
                        "book": format!("{}-{}", entry.book, entry.type_code),
                        "verdict": report.verdict,
                    });
                    let event = AuditEvent {
                        action: "copy.verify",
                        target: None,
                        office_id: None,
                        detail,
                    };
                    audit::record(conn, Some(&actor), event, request_id.as_deref())?;
                    crate::reuse::record_verification(
                        conn,
                        &actor,
                        &entry.id,
                        crate::db::now_utc(),
                        request_id.as_deref(),
                    )?;
                }
                report.register = Some(matched.status);
                Ok::<_, VerifyError>(report)
            })
            .await?;
        Ok((report, bytes))
    }
}

/// What the register's transparency log says of the copy the file is (or claims to be):
/// a register row that differs from the log's last event of it, or is gone, fails the
/// verification; the state goes into the report.
fn log_check(
    conn: &mut DbConn,
    file: &[u8],
    entry: Option<&RegisterEntry>,
    trusted: &crate::transparency::heads::LogPublicKey,
    report: &mut crate::verification::DocumentReport,
) -> Result<(), VerifyError> {
    use crate::transparency::EntryFacts;
    use crate::verification::{Indication, TransparencyState};
    let Some(code) = entry
        .map(|e| e.verification_code.clone())
        .or_else(|| super::check::claimed_code(file))
    else {
        return Ok(());
    };
    let row = entry.map(EntryFacts::from);
    let status = crate::transparency::proofs::entry_status(conn, &code, row.as_ref(), trusted)
        .map_err(RegistryError::from)?;
    let error = match (status.state, &row) {
        (TransparencyState::RegisterAltered, None) => Some(ReportMessage::new(
            "REGISTER_ENTRY_DELETED",
            "Nhật ký sổ chứng thực ghi nhận bản sao này nhưng dòng của nó trong sổ đã bị xóa ngoài hệ thống.",
            "The register log records this copy but its register line was deleted outside the service.",
        )),
        (TransparencyState::RegisterAltered, Some(_)) => Some(ReportMessage::new(
            "REGISTER_ENTRY_ALTERED",
            &format!(
                "Dòng của bản sao trong sổ chứng thực đã bị sửa ngoài hệ thống: nhật ký ghi trạng thái cuối là \"{}\".",
                status.logged_status.as_deref().unwrap_or("?")
            ),
            &format!(
                "The copy's register line was changed outside the service: the log's last recorded status is \"{}\".",
                status.logged_status.as_deref().unwrap_or("?")
            ),
        )),
        (TransparencyState::LogAltered, _) => Some(ReportMessage::new(
            "REGISTER_LOG_ALTERED",
            "Nhật ký sổ chứng thực về bản sao này không còn khớp với cây đã ký: nhật ký đã bị sửa.",
            "The register log's record of this copy no longer matches its signed tree: the log was altered.",
        )),
        _ => None,
    };
    if let Some(error) = error {
        report.errors.push(error);
        report.verdict = Indication::TotalFailed;
    } else if status.state == TransparencyState::UntrustedHead {
        report.warnings.push(ReportMessage::new(
            "LOG_HEAD_UNTRUSTED",
            "Cây đã ký mới nhất của nhật ký sổ chứng thực không do khóa nhật ký tin cậy ký.",
            "The register log's newest tree head is not signed by the trusted log key.",
        ));
    }
    report.transparency = Some(status);
    Ok(())
}
