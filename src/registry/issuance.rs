//! Issuing a certified copy, end to end (docs/ARCHITECTURE.md §2, §5): scans in; PDF assembled, signed by
//! the official (certification, DocMDP P=2) and by the office seal (approval, incremental
//! update); stored by SHA-256; published in the register.
//!
//! Order of work, chosen so that nothing half-done is ever visible and no number is lost:
//!
//! 1. everything that can fail on the caller's input or on configuration is checked
//!    *before* a number is allocated: requester fields, the scans (intake), the signing keys;
//! 2. [`super::open_entry`] allocates the number with a `pending` entry;
//! 3. assemble, sign twice, store the blob — CPU work on the blocking pool, outside any
//!    transaction;
//! 4. [`super::publish_entry`] makes it `valid`. A failure in step 3 or 4 keeps the entry
//!    as `void` with the reason (a spoiled line); a crash leaves it `pending`, and the
//!    next start voids it ([`super::void_interrupted`]).
//!
//! Each issuance first takes a permit of the issuance [`WorkLimit`] (or answers 503
//! `service_busy`), then runs in a task of its own under a [`CancelToken`]: its deadline
//! (`issue_deadline_ms`) or the caller going away stops it between steps (before the
//! number, per page of the assembly, after each signature, before the blob is written),
//! and the ordinary failure path voids any number already allocated, so a stopped
//! issuance leaves a void line and no blob. Once the blob is written the issuance is
//! published whatever happens to the caller.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use super::code::display_code;
use super::signature_images;
use super::{NewCertification, RegistryError};
use crate::assembly::{
    self, AssembledCopy, AssemblyError, CopyDocument, PlacementPolicy, Statement,
};
use crate::audit::Actor;
use crate::db::models::{Office, RegisterEntry, Role, SignatureImageKind, User};
use crate::db::{Db, DbError};
use crate::error::{PublicError, UserFacing};
use crate::identity::IdentityError;
use crate::identity::{normalize_citizen_id, normalize_display_text, normalize_full_name};
use crate::intake::{self, IntakeError, Limits, ScanFile, ScanPage};
use crate::local_time::{VIETNAM_OFFSET, iso8601_local};
use crate::pki::KeyStore;
use crate::signing::{
    Appearance, AppearanceContent, AppearanceImage, DocMdpPermission, EmptySignatureField,
    OfficialMark, PdfError, SealMark, SignatureKind, SignatureRequest, Signer, SigningError,
    ValidationMaterial, add_dss, sign_pdf_stamped, timestamp_pdf,
};
use crate::storage::{BlobStore, Sha256Hex, StorageError};
use crate::work_limit::{Busy, CancelToken, WorkLimit};

/// Name of the official's signature field.
pub const OFFICIAL_FIELD: &str = "ChuKyNguoiChungThuc";
/// Name of the office seal's signature field.
pub const SEAL_FIELD: &str = "ConDauCoQuan";

/// What an official submits to issue a copy.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    /// Requester's full name.
    pub requester_name: String,
    /// Requester's citizen ID number.
    pub requester_citizen_id: String,
    /// Title of the original document.
    pub document_title: String,
    /// Number of copies requested (fee multiplier), 1–50.
    pub copies: u32,
    /// The scans of the original.
    pub scans: Vec<ScanFile>,
    /// Statement placement rule (default: bottom margin when blank).
    pub placement: PlacementPolicy,
}

/// Steps where a test may inject a failure (feature `test-support`; without it nothing is
/// ever injected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailPoint {
    /// After the number is allocated.
    AfterNumber,
    /// After the PDF is assembled.
    AfterAssembly,
    /// After the official's signature.
    AfterOfficialSignature,
    /// After the seal's signature.
    AfterSealSignature,
    /// After the blob is stored, before publication.
    AfterStore,
}

/// How an injected failure behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailMode {
    /// An ordinary error: the issuance voids its entry.
    Error,
    /// The process dies: nothing more runs (the entry stays pending until the next start).
    Crash,
}

/// Options, mostly for tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct IssueOptions {
    /// Failure injection (tests only).
    #[cfg(feature = "test-support")]
    pub fail_at: Option<(FailPoint, FailMode)>,
    /// Signing time; `None` means now.
    pub signing_time: Option<OffsetDateTime>,
    /// A pause at a step that ends early only when the issuance is cancelled (tests: an
    /// issuance that outlives its caller or its deadline).
    #[cfg(feature = "test-support")]
    pub pause_at: Option<(FailPoint, Duration)>,
}

/// A certification request being certified: the issuance claims it with its number and
/// publishing the copy marks it certified (see `crate::certification`).
#[derive(Debug, Clone)]
pub struct ClaimedRequest {
    /// The request.
    pub id: crate::db::ids::RequestId,
    /// Its revision when the official's right to certify was checked.
    pub revision: i32,
    /// The official also scanned it (an office working with one person).
    pub single_person: bool,
    /// Its fee, as the desk settled it (the register line carries it).
    pub fee_vnd: i64,
}

/// What the service needs to issue.
#[derive(Clone)]
pub struct Issuer {
    /// Database.
    pub db: Db,
    /// Blob store.
    pub blobs: BlobStore,
    /// Signing keys.
    pub keys: Arc<dyn KeyStore>,
    /// Public base URL for the QR code.
    pub base_url: String,
    /// Scan limits.
    pub limits: Limits,
    /// Issuances running at once, with their wait queue.
    pub limit: Arc<WorkLimit>,
    /// Longest one issuance may take, its wait for a permit included.
    pub deadline: Duration,
    /// Time-stamp each signature with the service's own TSA (PAdES B-T) under this policy;
    /// `None`: PAdES B-B.
    pub timestamp_policy: Option<const_oid::ObjectIdentifier>,
    /// With time-stamps on, also make copies B-LTA: a DSS with the signers' and the TSA's
    /// certificates and the CRLs of their CAs found in this trust material, then a
    /// document time-stamp. `None`: B-T.
    pub long_term: Option<Arc<crate::config::TrustStore>>,
}

/// A copy that was issued.
#[derive(Debug, Clone)]
pub struct IssuedCopy {
    /// The register entry (valid).
    pub entry: RegisterEntry,
    /// The signed PDF.
    pub pdf: Vec<u8>,
    /// Public verification URL (in the QR code).
    pub verify_url: String,
}

/// Why an issuance failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// A requester field is invalid.
    #[error(transparent)]
    Requester(#[from] IdentityError),
    /// A required field is missing or out of range.
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    /// The signing account is not an official with an office and a position.
    #[error("the signer is not an official of an office")]
    NotAnOfficial,
    /// The scans were refused.
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// Building the PDF failed.
    #[error(transparent)]
    Assembly(#[from] AssemblyError),
    /// A signing key is missing or signing failed.
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// Storing the PDF failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The register refused.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A failure injected by a test.
    #[error("injected failure at {0:?}")]
    Injected(FailPoint),
    /// Blocking work panicked or was cancelled.
    #[error("issuance task failed: {0}")]
    Task(String),
    /// Too many issuances at once: this one could not start.
    #[error(transparent)]
    Busy(#[from] Busy),
    /// The issuance did not finish within its deadline and was stopped.
    #[error("issuance stopped at its deadline of {} ms", .0.as_millis())]
    Deadline(Duration),
    /// The issuance was stopped because nobody waits for it.
    #[error("issuance cancelled")]
    Cancelled,
}

impl From<DbError> for IssueError {
    fn from(error: DbError) -> Self {
        IssueError::Registry(RegistryError::Db(error))
    }
}

impl UserFacing for IssueError {
    fn public(&self) -> PublicError {
        match self {
            IssueError::Requester(e) => e.public(),
            IssueError::InvalidField(field) => PublicError::new(
                422,
                "invalid_field",
                format!("Trường `{field}` trống hoặc không hợp lệ."),
                format!("Field `{field}` is missing or invalid."),
            ),
            IssueError::NotAnOfficial => PublicError::new(
                403,
                "not_an_official",
                "Chỉ người có thẩm quyền chứng thực của cơ quan mới được ký bản sao.".into(),
                "Only a competent official of the office may sign copies.".into(),
            ),
            IssueError::Intake(e) => e.public(),
            IssueError::Registry(e) => e.public(),
            IssueError::Signing(_) => PublicError::new(
                500,
                "signing_failed",
                "Không ký được bản sao (khóa ký hoặc chứng thư số không dùng được). Số chứng thực đã cấp được ghi hủy trong sổ.".into(),
                "The copy could not be signed (signing key or certificate unusable). Any number allocated is kept as void in the register.".into(),
            ),
            IssueError::Busy(busy) => busy.public(),
            IssueError::Deadline(deadline) => {
                let seconds =
                    u32::try_from(deadline.as_millis().div_ceil(1000)).unwrap_or(u32::MAX);
                PublicError::new(
                    503,
                    "issuance_deadline",
                    format!("Không cấp xong bản sao trong thời hạn {seconds} giây nên việc cấp đã dừng; số chứng thực đã cấp (nếu có) được ghi hủy trong sổ. Vui lòng thử lại sau."),
                    format!("The copy could not be issued within the {seconds}-second limit and issuing was stopped; any number allocated is kept as void in the register. Please retry later."),
                )
                .with_retry_after(u64::from(seconds))
            }
            IssueError::Cancelled => PublicError::new(
                503,
                "issuance_cancelled",
                "Việc cấp bản sao đã dừng trước khi xong; số chứng thực đã cấp (nếu có) được ghi hủy trong sổ.".into(),
                "Issuing was stopped before it finished; any number allocated is kept as void in the register.".into(),
            ),
            IssueError::Assembly(_)
            | IssueError::Storage(_)
            | IssueError::Injected(_)
            | IssueError::Task(_) => PublicError::new(
                500,
                "issuance_failed",
                "Không cấp được bản sao do lỗi hệ thống; số chứng thực đã cấp (nếu có) được ghi hủy trong sổ. Vui lòng thử lại.".into(),
                "The copy could not be issued because of an internal error; any number allocated is kept as void in the register. Please retry.".into(),
            ),
        }
    }
}

/// A refused scan: the intake's own code and wording; files or images over the size
/// limits answer 413, every other refusal 422.
impl UserFacing for IntakeError {
    fn public(&self) -> PublicError {
        let status = match self {
            IntakeError::FileTooLarge { .. } | IntakeError::ImageTooLarge { .. } => 413,
            _ => 422,
        };
        PublicError::new(status, self.code(), self.message_vi(), self.message_en())
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, IssueError> + Send + 'static,
) -> Result<T, IssueError> {
    rocket::tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| IssueError::Task(e.to_string()))?
}

impl IssueOptions {
    /// Whether a failure of `mode` is to be injected at `point`.
    #[cfg(feature = "test-support")]
    fn injects(&self, point: FailPoint, mode: FailMode) -> bool {
        self.fail_at == Some((point, mode))
    }

    /// Without the `test-support` feature nothing is ever injected.
    #[cfg(not(feature = "test-support"))]
    fn injects(&self, _point: FailPoint, _mode: FailMode) -> bool {
        false
    }
}

/// The error of a stopped issuance: its deadline passed, or its caller went away.
fn stopped(token: &CancelToken, deadline: Duration) -> IssueError {
    if token.deadline_passed() {
        IssueError::Deadline(deadline)
    } else {
        IssueError::Cancelled
    }
}

/// Fails when the issuance should stop.
fn check_stop(token: &CancelToken, deadline: Duration) -> Result<(), IssueError> {
    if token.is_cancelled() {
        Err(stopped(token, deadline))
    } else {
        Ok(())
    }
}

/// Pauses at `point` if a test asked for it, until the pause ends or the issuance is
/// cancelled.
#[cfg(feature = "test-support")]
fn pause_at(options: &IssueOptions, point: FailPoint, token: &CancelToken) {
    if let Some((at, pause)) = options.pause_at
        && at == point
    {
        let end = std::time::Instant::now() + pause;
        while std::time::Instant::now() < end && !token.is_cancelled() {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

#[cfg(not(feature = "test-support"))]
fn pause_at(_options: &IssueOptions, _point: FailPoint, _token: &CancelToken) {}

fn check_fail(options: &IssueOptions, point: FailPoint, mode: FailMode) -> Result<(), IssueError> {
    if options.injects(point, mode) {
        Err(IssueError::Injected(point))
    } else {
        Ok(())
    }
}

fn bounded(field: &'static str, value: &str, max_chars: usize) -> Result<String, IssueError> {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.is_empty() || value.chars().count() > max_chars {
        return Err(IssueError::InvalidField(field));
    }
    Ok(value)
}

/// Everything checked before a number is allocated.
struct Prepared {
    official: User,
    office: Office,
    requester_name: String,
    requester_citizen_id: String,
    document_title: String,
    pages: Vec<ScanPage>,
    official_signer: Box<dyn Signer>,
    seal_signer: Box<dyn Signer>,
    /// The official's signature image; `None`: the placeholder.
    official_image: Option<AppearanceImage>,
    /// The office's seal image; `None`: the placeholder.
    seal_image: Option<AppearanceImage>,
    /// The time-stamps of the signatures, when copies are B-T.
    timestamper: Option<crate::tsa::OwnTsa>,
    /// The DSS content, when copies are B-LTA.
    validation_material: Option<ValidationMaterial>,
}

impl Issuer {
    /// Issues a copy signed by `official`. See the module documentation for the steps.
    pub async fn issue(
        &self,
        official: &User,
        request: IssueRequest,
        options: IssueOptions,
        request_id: Option<String>,
    ) -> Result<IssuedCopy, IssueError> {
        self.issue_claiming(official, request, options, request_id, None)
            .await
    }

    /// Issues a copy for a certification request (see [`ClaimedRequest`]).
    pub async fn issue_claiming(
        &self,
        official: &User,
        request: IssueRequest,
        options: IssueOptions,
        request_id: Option<String>,
        claim: Option<ClaimedRequest>,
    ) -> Result<IssuedCopy, IssueError> {
        // The deadline counts from here, the wait for a permit included.
        let token = CancelToken::with_deadline(self.deadline);
        let _stop_when_dropped = token.cancel_on_drop();
        let permit = self.limit.acquire(&token).await?;
        let (issuer, official, work_token) = (self.clone(), official.clone(), token.clone());
        // Its own task: dropping this future stops the work (the guard above) but never
        // skips the voiding of a number already allocated.
        rocket::tokio::spawn(async move {
            let _permit = permit;
            issuer
                .run(&official, request, options, request_id, claim, &work_token)
                .await
        })
        .await
        .map_err(|e| IssueError::Task(e.to_string()))?
    }

    async fn run(
        &self,
        official: &User,
        request: IssueRequest,
        options: IssueOptions,
        request_id: Option<String>,
        claim: Option<ClaimedRequest>,
        token: &CancelToken,
    ) -> Result<IssuedCopy, IssueError> {
        let mut request = request;
        let prepared = self.prepare(official, &mut request).await?;
        check_stop(token, self.deadline)?;
        let actor = Actor::from(&prepared.official);
        let now = options.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
        let code = super::new_verification_code();
        let certification = NewCertification {
            office_id: prepared.office.id.clone(),
            requester_name: prepared.requester_name.clone(),
            requester_citizen_id: prepared.requester_citizen_id.clone(),
            document_title: prepared.document_title.clone(),
            page_count: u32::try_from(prepared.pages.len())
                .map_err(|_| IssueError::InvalidField("scans"))?,
            copies: request.copies,
            signer_id: prepared.official.id.clone(),
            signer_name: prepared.official.full_name.clone(),
            signer_position: prepared.official.position.clone().unwrap_or_default(),
            verification_code: code.clone(),
            single_person: claim.as_ref().is_some_and(|claim| claim.single_person),
            fee_vnd: claim.as_ref().map(|claim| claim.fee_vnd),
        };
        let entry = {
            let (actor, request_id) = (actor.clone(), request_id.clone());
            self.db
                .run(move |conn| {
                    let claim = claim.as_ref().map(|claim| super::RequestClaim {
                        id: &claim.id,
                        revision: claim.revision,
                    });
                    super::open_entry_for(
                        conn,
                        &certification,
                        now,
                        &actor,
                        request_id.as_deref(),
                        claim,
                    )
                })
                .await?
        };
        check_fail(&options, FailPoint::AfterNumber, FailMode::Crash)?;
        // The URL carries the code as printed (groups of four); lookups normalise it.
        let verify_url = format!("{}/v/{}", self.base_url, display_code(&code));
        let outcome = self
            .make_and_publish(
                prepared,
                request.placement,
                &entry,
                &verify_url,
                now,
                &options,
                request_id.clone(),
                token,
            )
            .await;
        match outcome {
            Ok(issued) => Ok(IssuedCopy {
                entry: issued.0,
                pdf: issued.1,
                verify_url,
            }),
            Err(IssueError::Injected(point)) if options.injects(point, FailMode::Crash) => {
                Err(IssueError::Injected(point))
            }
            Err(error) => {
                let reason = format!("{} ({error})", error.code());
                let id = entry.id.clone();
                tracing::error!(copy = %id, sequence = entry.sequence, "issuance failed, voiding: {error}");
                let voided = self
                    .db
                    .run(move |conn| {
                        super::void_entry(conn, &id, &reason, Some(&actor), request_id.as_deref())
                    })
                    .await;
                if let Err(void_error) = voided {
                    tracing::error!("could not void register entry: {void_error}");
                }
                Err(error)
            }
        }
    }

    async fn prepare(
        &self,
        official: &User,
        request: &mut IssueRequest,
    ) -> Result<Prepared, IssueError> {
        let (Some(office_id), Some(_position), Role::Official) = (
            official.office_id.clone(),
            official.position.as_ref(),
            official.role(),
        ) else {
            return Err(IssueError::NotAnOfficial);
        };
        let requester_name = normalize_full_name(&request.requester_name)?;
        let requester_citizen_id = normalize_citizen_id(&request.requester_citizen_id)?;
        let document_title = bounded(
            "document_title",
            &normalize_display_text(&request.document_title)?,
            300,
        )?;
        if !(1..=50).contains(&request.copies) {
            return Err(IssueError::InvalidField("copies"));
        }
        let (office, signature_png, seal_png) = {
            let (office_id, official_id) = (office_id.clone(), official.id.clone());
            let (office, images) = self
                .db
                .run(move |conn| {
                    let office = Office::find(conn, &office_id)?;
                    let images =
                        signature_images::images_for_signing(conn, &official_id, &office_id)?;
                    Ok::<_, IssueError>((office, images))
                })
                .await?;
            (
                office.ok_or(IssueError::NotAnOfficial)?,
                images.signature,
                images.seal,
            )
        };
        let (scans, limits, keys, official_id) = (
            // Intake reads the pages out of the files; the files are not needed after it.
            std::mem::take(&mut request.scans),
            self.limits,
            self.keys.clone(),
            official.id.to_string(),
        );
        let (db, timestamp_policy, long_term) = (
            self.db.clone(),
            self.timestamp_policy,
            self.long_term.clone(),
        );
        let (pages, signers, official_image, seal_image, timestamper, validation_material) =
            blocking(move || {
                let pages = intake::read_scans_owned(scans, &limits)?;
                let official_signer = keys.official_signer(&official_id)?;
                let seal_signer = keys.seal_signer(office_id.as_str())?;
                let timestamper = timestamp_policy
                    .map(|policy| crate::tsa::OwnTsa::new(db, keys.as_ref(), policy))
                    .transpose()?;
                let validation_material = match (&timestamper, long_term) {
                    (Some(tsa), Some(trust)) => Some(ValidationMaterial::for_chains(
                        &[
                            official_signer.certificate_chain(),
                            seal_signer.certificate_chain(),
                            tsa.certificate_chain(),
                        ],
                        &trust.crls,
                    )?),
                    _ => None,
                };
                // Stored images were checked when uploaded; checked again, as they are
                // decoded anyway.
                let decode = |png: Option<Vec<u8>>, kind| {
                    png.map(|png| signature_images::check_png(&png, kind))
                        .transpose()
                        .map_err(|e| IssueError::Signing(SigningError::AppearanceImage(e)))
                };
                let official_image = decode(signature_png, SignatureImageKind::Signature)?;
                let seal_image = decode(seal_png, SignatureImageKind::Seal)?;
                Ok((
                    pages,
                    (official_signer, seal_signer),
                    official_image,
                    seal_image,
                    timestamper,
                    validation_material,
                ))
            })
            .await?;
        let (official_signer, seal_signer) = signers;
        Ok(Prepared {
            official: official.clone(),
            office,
            requester_name,
            requester_citizen_id,
            document_title,
            pages,
            official_signer,
            seal_signer,
            official_image,
            seal_image,
            timestamper,
            validation_material,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn make_and_publish(
        &self,
        prepared: Prepared,
        placement: PlacementPolicy,
        entry: &RegisterEntry,
        verify_url: &str,
        now: OffsetDateTime,
        options: &IssueOptions,
        request_id: Option<String>,
        token: &CancelToken,
    ) -> Result<(RegisterEntry, Vec<u8>), IssueError> {
        check_fail(options, FailPoint::AfterNumber, FailMode::Error)?;
        let options_copy = *options;
        let (entry_copy, verify_url) = (entry.clone(), verify_url.to_owned());
        let (work_token, deadline) = (token.clone(), self.deadline);
        let signed = blocking(move || {
            make_signed_pdf(
                prepared,
                placement,
                &entry_copy,
                &verify_url,
                now,
                &options_copy,
                &Stop {
                    token: &work_token,
                    deadline,
                },
            )
        })
        .await?;
        // The last point where the issuance stops: once the blob is written, it is
        // published.
        check_stop(token, self.deadline)?;
        let content_digest = Sha256Hex::from_digest(signed.sha256);
        let timestamp_valid_until = signed.timestamp_valid_until;
        let file_digest = Sha256Hex::from_digest(signed.file_sha256);
        let signed = bytes::Bytes::from(signed.pdf);
        let file_digest = self.blobs.put_hashed(signed.clone(), file_digest).await?;
        check_fail(options, FailPoint::AfterStore, FailMode::Error)?;
        check_fail(options, FailPoint::AfterStore, FailMode::Crash)?;
        let (id, actor_entry) = (entry.id.clone(), entry.signer_id.clone());
        let published = self
            .db
            .run(move |conn| {
                let official = User::find(conn, &actor_entry)?.ok_or(RegistryError::NotFound)?;
                super::publish_entry(
                    conn,
                    &id,
                    &super::StoredCopy {
                        content_sha256: content_digest.as_str(),
                        file_sha256: file_digest.as_str(),
                        timestamp_valid_until,
                    },
                    &Actor::from(&official),
                    request_id.as_deref(),
                )
            })
            .await?;
        // The store has let go of its handle: this takes the buffer back without a copy.
        Ok((published, Vec::from(signed)))
    }
}

/// The cancellation of one issuance and the deadline it reports.
struct Stop<'a> {
    token: &'a CancelToken,
    deadline: Duration,
}

fn make_signed_pdf(
    prepared: Prepared,
    placement: PlacementPolicy,
    entry: &RegisterEntry,
    verify_url: &str,
    now: OffsetDateTime,
    options: &IssueOptions,
    stop: &Stop<'_>,
) -> Result<SignedCopy, IssueError> {
    let position = prepared.official.position.clone().unwrap_or_default();
    let document = CopyDocument {
        pages: prepared.pages,
        title: prepared.document_title.clone(),
        statement: Statement {
            sequence: u32::try_from(entry.sequence)
                .map_err(|_| IssueError::InvalidField("sequence"))?,
            book: entry.book.clone(),
            date: now.to_offset(VIETNAM_OFFSET).date(),
            official_name: prepared.official.full_name.clone(),
            official_position: position.clone(),
            office_name: prepared.office.name.clone(),
        },
        verify_url: verify_url.to_owned(),
        code: display_code(&entry.verification_code),
        placement,
    };
    // Assembly frees each scan once it is in the PDF.
    let assembled =
        assembly::assemble_cancellable(document, &stop.token.cancellation()).map_err(|error| {
            match error {
                AssemblyError::Cancelled => stopped(stop.token, stop.deadline),
                other => IssueError::Assembly(other),
            }
        })?;
    let checkpoint = |point| {
        pause_at(options, point, stop.token);
        check_stop(stop.token, stop.deadline)?;
        [FailMode::Error, FailMode::Crash]
            .into_iter()
            .try_for_each(|mode| check_fail(options, point, mode))
    };
    checkpoint(FailPoint::AfterAssembly)?;
    let signatories = Signatories {
        official_name: &prepared.official.full_name,
        official_position: &position,
        office_name: &prepared.office.name,
        office_province: &prepared.office.province,
        official: prepared.official_signer.as_ref(),
        seal: prepared.seal_signer.as_ref(),
        official_image: prepared.official_image.as_ref(),
        seal_image: prepared.seal_image.as_ref(),
        timestamper: prepared
            .timestamper
            .as_ref()
            .map(|tsa| tsa as &dyn crate::signing::Timestamper),
        validation_material: prepared.validation_material.as_ref(),
    };
    let number = CertificationNumber {
        sequence: entry.sequence,
        book: &entry.book,
        type_code: &entry.type_code,
    };
    sign_copy(assembled, &number, &signatories, now, checkpoint)
}

/// The number a copy is certified under, as printed: `số 12 quyển 01/2026-SCT/BS`.
#[derive(Debug, Clone, Copy)]
pub struct CertificationNumber<'a> {
    /// Sequence number within the book.
    pub sequence: i64,
    /// Book, e.g. `01/2026`.
    pub book: &'a str,
    /// Register type code, e.g. `SCT/BS`.
    pub type_code: &'a str,
}

/// Who signs a copy, and with which keys.
pub struct Signatories<'a> {
    /// The certifying official's full name.
    pub official_name: &'a str,
    /// The official's position (printed under the name).
    pub official_position: &'a str,
    /// The office's name (the seal's holder).
    pub office_name: &'a str,
    /// The office's province (part of the signatures' `/Location`).
    pub office_province: &'a str,
    /// The official's signing key.
    pub official: &'a dyn Signer,
    /// The office seal's signing key.
    pub seal: &'a dyn Signer,
    /// The official's signature image; `None` draws the placeholder.
    pub official_image: Option<&'a AppearanceImage>,
    /// The office's seal image; `None` draws the placeholder.
    pub seal_image: Option<&'a AppearanceImage>,
    /// Time-stamps each signature (PAdES B-T); `None`: B-B.
    pub timestamper: Option<&'a dyn crate::signing::Timestamper>,
    /// With a timestamper: the DSS content, then a document time-stamp (PAdES B-LTA).
    pub validation_material: Option<&'a ValidationMaterial>,
}

/// A signed copy and its digests.
#[derive(Debug)]
pub struct SignedCopy {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// SHA-256 of the signed content: `pdf` up to the end of the seal's revision.
    pub sha256: [u8; 32],
    /// SHA-256 of the whole `pdf` (equal to `sha256` below B-LT).
    pub file_sha256: [u8; 32],
    /// B-LTA: when the certificate of the document time-stamp's authority expires.
    pub timestamp_valid_until: Option<OffsetDateTime>,
}

/// Signs an assembled copy twice, each signature an incremental update: first the
/// official's certification signature (DocMDP P=2, which also adds the seal's empty field),
/// then the office seal's approval signature. `checkpoint` runs after each signature (the
/// issuance tests inject failures there); the assembled bytes are moved in, not copied, and
/// the file is hashed once for both signatures and its own SHA-256.
pub fn sign_copy(
    assembled: AssembledCopy,
    number: &CertificationNumber<'_>,
    signatories: &Signatories<'_>,
    now: OffsetDateTime,
    mut checkpoint: impl FnMut(FailPoint) -> Result<(), IssueError>,
) -> Result<SignedCopy, IssueError> {
    let page_index = usize::try_from(assembled.statement_page_index)
        .map_err(|_| IssueError::InvalidField("pages"))?;
    let [mut official_rect, seal_rect] = assembled.signature_rects;
    // Decree 30/2020/NĐ-CP, Appendix I: the signature image between the position and the
    // name; the seal over the image's left third, with the organisation and the signing
    // time in ISO 8601 with the Viet Nam offset.
    let when = format!("Thời gian ký: {}", iso8601_local(now));
    let official_mark = OfficialMark {
        position: signatories.official_position.to_owned(),
        name: signatories.official_name.to_owned(),
        image: signatories.official_image.cloned(),
        info: vec![
            format!("Ký bởi: {}", signatories.official_name),
            when.clone(),
        ],
    };
    let mut seal_mark = SealMark {
        holder: signatories.office_name.to_owned(),
        image: signatories.seal_image.cloned(),
        covers: [0.0; 4],
        info: vec![format!("Cơ quan: {}", signatories.office_name), when],
    };
    // The seal's information (10 pt) stays under the official's widget, also when a long
    // office name wraps onto a second line.
    official_rect[1] = official_rect[1].max(seal_mark.info_top(seal_rect)?);
    seal_mark.covers = official_mark.image_rect(official_rect);
    let location = format!(
        "{}, {}",
        signatories.office_name, signatories.office_province
    );
    let (certified, prefix) = sign_pdf_stamped(
        assembled.pdf,
        signatories.official,
        &SignatureRequest {
            signer_name: signatories.official_name.to_owned(),
            reason: format!(
                "Chứng thực bản sao đúng với bản chính, số {} quyển {}-{}",
                number.sequence, number.book, number.type_code
            ),
            location: location.clone(),
            signing_time: now,
            kind: SignatureKind::Certification {
                permission: DocMdpPermission::FormFillingAndSigning,
            },
            field_name: Some(OFFICIAL_FIELD.to_owned()),
            appearance: Some(Appearance {
                page_index,
                rect: official_rect,
                content: AppearanceContent::Official(official_mark),
            }),
            empty_fields: vec![EmptySignatureField {
                name: SEAL_FIELD.to_owned(),
                page_index,
                rect: seal_rect,
            }],
        },
        None,
        signatories.timestamper,
    )?;
    checkpoint(FailPoint::AfterOfficialSignature)?;
    let (sealed, prefix) = sign_pdf_stamped(
        certified,
        signatories.seal,
        &SignatureRequest {
            signer_name: signatories.office_name.to_owned(),
            reason: "Con dấu cơ quan chứng thực".to_owned(),
            location,
            signing_time: now,
            kind: SignatureKind::Approval,
            field_name: Some(SEAL_FIELD.to_owned()),
            appearance: Some(Appearance {
                page_index,
                rect: seal_rect,
                content: AppearanceContent::Seal(seal_mark),
            }),
            empty_fields: Vec::new(),
        },
        Some(prefix),
        signatories.timestamper,
    )?;
    checkpoint(FailPoint::AfterSealSignature)?;
    let read_back = || IssueError::Signing(SigningError::Pdf(PdfError::ReadBackMismatch));
    let sha256 = prefix.clone().finish(&sealed).ok_or_else(read_back)?;
    let (Some(material), Some(timestamper)) =
        (signatories.validation_material, signatories.timestamper)
    else {
        return Ok(SignedCopy {
            pdf: sealed,
            sha256,
            file_sha256: sha256,
            timestamp_valid_until: None,
        });
    };
    // B-LT, then B-LTA: what validates both signatures and their time-stamps, then a
    // document time-stamp over all of it.
    let with_dss = add_dss(sealed, material, &[])?;
    let (stamped, prefix) = timestamp_pdf(with_dss, timestamper, Some(prefix))?;
    let file_sha256 = prefix.finish(&stamped).ok_or_else(read_back)?;
    Ok(SignedCopy {
        pdf: stamped,
        sha256,
        file_sha256,
        timestamp_valid_until: timestamper.valid_until(),
    })
}

/// The register entry behind `id`, if the caller may download it: staff of the issuing
/// office, or the citizen who has proven holding the ID it carries (an account that only
/// claims the ID may not). Only published entries.
pub fn downloadable(entry: &RegisterEntry, viewer: &User) -> bool {
    if !entry.is_published() {
        return false;
    }
    match viewer.role() {
        Role::Official | Role::Clerk => viewer.office_id.as_ref() == Some(&entry.office_id),
        Role::Citizen => viewer.verified_citizen_id() == Some(entry.requester_citizen_id.as_str()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_keep_their_codes_and_classes() {
        let too_large = IssueError::Intake(IntakeError::FileTooLarge {
            file: "scan.jpg".into(),
            size: 2_000_000,
            max: 1_000_000,
        });
        assert_eq!(
            (too_large.code(), too_large.status()),
            ("file_too_large", 413)
        );
        let empty = IssueError::Intake(IntakeError::EmptyFile {
            file: "scan.jpg".into(),
        });
        assert_eq!((empty.code(), empty.status()), ("empty_file", 422));
        let busy = IssueError::from(DbError::Pool("timed out".into()));
        assert_eq!((busy.code(), busy.status()), ("service_busy", 503));
        let requester = IssueError::from(IdentityError::InvalidCitizenId);
        assert_eq!(
            (requester.code(), requester.status()),
            ("invalid_citizen_id", 422)
        );
        let public = requester.public();
        assert_eq!(public.message_vi, requester.message_vi());
        assert_eq!(public.message_en, requester.message_en());
    }
}
