//! Desk and certification work that needs the blob store and the signing keys: scans
//! (checked by the intake, stored by SHA-256 before they are recorded), refusals with
//! their signed notice, and certification through the ordinary issuance.

use std::sync::Arc;

use time::OffsetDateTime;

use super::store::{self, RequestView, StoredScan};
use super::{CertificationError, RefusalGround, RequestState};
use crate::assembly::text_document::{Align, TextBlock, text_document};
use crate::audit::Actor;
use crate::db::Db;
use crate::db::ids::RequestId;
use crate::db::models::{
    CertificationRequest, CertificationScan, Office, RegisterEntry, Role, User,
};
use crate::intake::{self, Limits, ScanFile};
use crate::local_time::VIETNAM_OFFSET;
use crate::pki::KeyStore;
use crate::registry::issuance::{ClaimedRequest, IssueOptions, IssueRequest, Issuer};
use crate::signing::{DocMdpPermission, SignatureKind, SignatureRequest, sign_pdf};
use crate::storage::{BlobStore, Sha256Hex};

/// Most certification requests certified in one batch.
pub const MAX_BATCH: usize = 50;

/// A scan file as uploaded.
#[derive(Debug, Clone)]
pub struct NewScanFile {
    /// File name.
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// The result of certifying one request.
#[derive(Debug, Clone)]
pub struct CertifyOutcome {
    /// The request, now certified.
    pub request: RequestView,
    /// The register line of the copy.
    pub entry: RegisterEntry,
}

/// The desk's and the officials' work on certification requests.
#[derive(Clone)]
pub struct CertificationDesk {
    /// Database.
    pub db: Db,
    /// Blob store (scans, notices, copies).
    pub blobs: BlobStore,
    /// Signing keys (the office seal signs refusal notices).
    pub keys: Arc<dyn KeyStore>,
    /// Scan limits.
    pub limits: Limits,
    /// The issuing pipeline.
    pub issuer: Issuer,
}

fn blocking_error(error: rocket::tokio::task::JoinError) -> CertificationError {
    CertificationError::Notice(format!("task: {error}"))
}

impl CertificationDesk {
    /// Checks the files with the intake (formats, sizes, pages), stores them by SHA-256,
    /// then records them on the request (`replace`: instead of its current scans).
    pub async fn upload_scans(
        &self,
        actor: &Actor,
        id: &RequestId,
        files: Vec<NewScanFile>,
        replace: bool,
        request_id: Option<String>,
    ) -> Result<RequestView, CertificationError> {
        if files.is_empty() {
            return Err(CertificationError::invalid(
                "scans",
                "cần ít nhất một tệp",
                "at least one file is needed",
            ));
        }
        // Fail early (before reading files) for a request elsewhere or in the wrong state.
        let row = {
            let (actor, id) = (actor.clone(), id.clone());
            self.db
                .run(move |conn| store::load_at_office(conn, &actor, &id))
                .await?
        };
        let state = store::state_of(&row);
        if !matches!(state, RequestState::Received | RequestState::Scanned) {
            return Err(CertificationError::IllegalTransition {
                from: state,
                action: "scan",
            });
        }
        let limits = self.limits;
        let checked = rocket::tokio::task::spawn_blocking(move || {
            files
                .into_iter()
                .map(|file| {
                    let size = file.bytes.len();
                    let digest = Sha256Hex::of(&file.bytes);
                    let scan = ScanFile {
                        name: file.name.clone(),
                        bytes: file.bytes,
                    };
                    let pages = intake::read_scans(std::slice::from_ref(&scan), &limits)?.len();
                    Ok((scan, digest, size, pages))
                })
                .collect::<Result<Vec<_>, CertificationError>>()
        })
        .await
        .map_err(blocking_error)??;
        let mut stored = Vec::with_capacity(checked.len());
        for (scan, digest, size, pages) in checked {
            let digest = self
                .blobs
                .put_hashed(bytes::Bytes::from(scan.bytes), digest)
                .await?;
            stored.push(StoredScan {
                file_name: bounded_name(&scan.name),
                sha256: digest.as_str().to_owned(),
                size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
                pages: i32::try_from(pages).unwrap_or(i32::MAX),
            });
        }
        let (actor, id, max_pages) = (actor.clone(), id.clone(), self.limits.max_pages);
        self.db
            .run(move |conn| {
                store::record_scans(
                    conn,
                    &actor,
                    &id,
                    &stored,
                    replace,
                    max_pages,
                    request_id.as_deref(),
                )
            })
            .await
    }

    /// Refuses a request on a ground of Decree 23/2015/NĐ-CP Art. 22: makes the written
    /// notice (Vietnamese, signed by the office seal), stores it, then records the refusal.
    pub async fn refuse(
        &self,
        actor: &Actor,
        id: &RequestId,
        ground: RefusalGround,
        detail: Option<&str>,
        request_id: Option<String>,
    ) -> Result<RequestView, CertificationError> {
        let detail = store::bounded_text("detail", detail, false)?;
        let (row, office, staff) = {
            let (actor, id) = (actor.clone(), id.clone());
            self.db
                .run(move |conn| {
                    let row = store::load_at_office(conn, &actor, &id)?;
                    let office =
                        Office::find(conn, &row.office_id)?.ok_or(CertificationError::NotFound)?;
                    let staff =
                        User::find(conn, &actor.id)?.ok_or(CertificationError::Forbidden)?;
                    Ok::<_, CertificationError>((row, office, staff))
                })
                .await?
        };
        let state = store::state_of(&row);
        if state.is_final() {
            return Err(CertificationError::IllegalTransition {
                from: state,
                action: "refuse",
            });
        }
        let keys = self.keys.clone();
        let (notice_row, notice_detail) = (row.clone(), detail.clone());
        let notice = rocket::tokio::task::spawn_blocking(move || {
            refusal_notice(
                keys.as_ref(),
                &notice_row,
                &office,
                &staff,
                ground,
                notice_detail.as_deref(),
                OffsetDateTime::now_utc(),
            )
        })
        .await
        .map_err(blocking_error)??;
        let digest = self.blobs.put(notice).await?;
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                store::record_refusal(
                    conn,
                    &actor,
                    &row,
                    ground,
                    detail.as_deref(),
                    digest.as_str(),
                    request_id.as_deref(),
                )
            })
            .await
    }

    /// The signed refusal notice of a request, for staff of its office or for the citizen
    /// it concerns (the account that booked, or the verified holder of the ID).
    pub async fn refusal_notice_pdf(
        &self,
        viewer: &User,
        id: &RequestId,
    ) -> Result<Vec<u8>, CertificationError> {
        let (viewer, id) = (viewer.clone(), id.clone());
        let row = self
            .db
            .run(
                move |conn| -> Result<CertificationRequest, CertificationError> {
                    let row = CertificationRequest::find(conn, &id)?
                        .ok_or(CertificationError::NotFound)?;
                    if may_see(&viewer, &row) {
                        Ok(row)
                    } else {
                        Err(CertificationError::NotFound)
                    }
                },
            )
            .await?;
        let digest = row
            .refusal_notice_sha256
            .as_deref()
            .ok_or(CertificationError::NotFound)?;
        let digest = Sha256Hex::parse(digest)?;
        Ok(self.blobs.get(&digest).await?)
    }

    /// Certifies one request: the official may (a second person, unless the office works
    /// with one person), the scans are read back from the store, and the ordinary
    /// issuance runs with the request claimed by its number.
    pub async fn certify(
        &self,
        official: &User,
        id: &RequestId,
        request_id: Option<String>,
    ) -> Result<CertifyOutcome, CertificationError> {
        if official.role() != Role::Official {
            return Err(CertificationError::Forbidden);
        }
        let actor = Actor::from(official);
        let (row, scans, single_person) = {
            let (actor, id) = (actor.clone(), id.clone());
            self.db
                .run(move |conn| {
                    let row = store::load_at_office(conn, &actor, &id)?;
                    let single_person = store::may_certify(conn, &actor, &row)?;
                    let scans = CertificationScan::of_request(conn, &id)?;
                    Ok::<_, CertificationError>((row, scans, single_person))
                })
                .await?
        };
        let mut files = Vec::with_capacity(scans.len());
        for scan in &scans {
            let bytes = self.blobs.get(&Sha256Hex::parse(&scan.sha256)?).await?;
            files.push(ScanFile {
                name: scan.file_name.clone(),
                bytes,
            });
        }
        let request = IssueRequest {
            requester_name: row.requester_name.clone(),
            requester_citizen_id: row.requester_citizen_id.clone(),
            document_title: row.document_title.clone(),
            copies: u32::try_from(row.copies).unwrap_or(1),
            scans: files,
            placement: crate::assembly::PlacementPolicy::Auto,
        };
        let claim = ClaimedRequest {
            id: row.id.clone(),
            revision: row.revision,
            single_person,
            fee_vnd: row.fee_vnd,
        };
        let issued = self
            .issuer
            .issue_claiming(
                official,
                request,
                IssueOptions::default(),
                request_id,
                Some(claim),
            )
            .await?;
        let id = id.clone();
        let view = self
            .db
            .run(move |conn| store::view_at_office(conn, &actor, &id))
            .await?;
        Ok(CertifyOutcome {
            request: view,
            entry: issued.entry,
        })
    }

    /// Certifies several requests one after the other, each with its own number; one
    /// failing does not stop the others.
    pub async fn certify_batch(
        &self,
        official: &User,
        ids: &[RequestId],
        request_id: Option<String>,
    ) -> Result<Vec<(RequestId, Result<CertifyOutcome, CertificationError>)>, CertificationError>
    {
        if ids.is_empty() || ids.len() > MAX_BATCH {
            return Err(CertificationError::invalid(
                "ids",
                &format!("cần từ 1 đến {MAX_BATCH} yêu cầu"),
                &format!("give 1 to {MAX_BATCH} requests"),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut outcomes = Vec::with_capacity(ids.len());
        for id in ids {
            if !seen.insert(id.clone()) {
                continue;
            }
            let outcome = self.certify(official, id, request_id.clone()).await;
            outcomes.push((id.clone(), outcome));
        }
        Ok(outcomes)
    }

    /// The requests a citizen may follow: those of appointments their account made, and,
    /// once their ID is verified, every request under that ID.
    pub async fn citizen_requests(
        &self,
        citizen: &User,
    ) -> Result<Vec<RequestView>, CertificationError> {
        use crate::db::schema::certification_requests as requests;
        use diesel::prelude::*;
        let citizen = citizen.clone();
        self.db
            .run(move |conn| {
                let mut query = requests::table
                    .filter(requests::requester_user_id.eq(&citizen.id))
                    .into_boxed();
                if let Some(verified) = citizen.verified_citizen_id() {
                    query = query.or_filter(requests::requester_citizen_id.eq(verified.to_owned()));
                }
                let rows: Vec<CertificationRequest> = query
                    .order(requests::created_at.desc())
                    .limit(store::MAX_LIST)
                    .select(CertificationRequest::as_select())
                    .load(conn)?;
                store::views_of(conn, &rows)
            })
            .await
    }
}

/// Whether `viewer` may see `row`: staff of its office, the account that booked it, or
/// the verified holder of its citizen ID.
fn may_see(viewer: &User, row: &CertificationRequest) -> bool {
    match viewer.role() {
        Role::Clerk | Role::Official => viewer.office_id.as_ref() == Some(&row.office_id),
        Role::Citizen => {
            row.requester_user_id.as_ref() == Some(&viewer.id)
                || viewer.verified_citizen_id() == Some(row.requester_citizen_id.as_str())
        }
        _ => false,
    }
}

/// A file name kept for the record: its last path part, at most 200 characters.
fn bounded_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if base.is_empty() {
        "scan".to_owned()
    } else {
        base
    }
}

/// The written refusal notice: a one-page letter of the office in Vietnamese with the
/// ground and its legal basis, signed (certification signature, no changes allowed) by the
/// office seal.
fn refusal_notice(
    keys: &dyn KeyStore,
    row: &CertificationRequest,
    office: &Office,
    staff: &User,
    ground: RefusalGround,
    detail: Option<&str>,
    now: OffsetDateTime,
) -> Result<Vec<u8>, CertificationError> {
    let local = now.to_offset(VIETNAM_OFFSET);
    let received = row.received_at.assume_utc().to_offset(VIETNAM_OFFSET);
    let mut blocks = vec![
        TextBlock::new(office.name.to_uppercase(), 12.0, Align::Left, 0.0),
        TextBlock::new(
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            12.0,
            Align::Center,
            14.0,
        ),
        TextBlock::new("Độc lập - Tự do - Hạnh phúc", 12.0, Align::Center, 2.0),
        TextBlock::new(
            format!(
                "{}, ngày {:02} tháng {:02} năm {}",
                office.province,
                local.day(),
                u8::from(local.month()),
                local.year()
            ),
            11.0,
            Align::Center,
            14.0,
        ),
        TextBlock::new("THÔNG BÁO", 15.0, Align::Center, 20.0),
        TextBlock::new(
            "Về việc từ chối chứng thực bản sao từ bản chính",
            12.0,
            Align::Center,
            4.0,
        ),
        TextBlock::new(
            format!(
                "Kính gửi: Ông/Bà {}, số định danh cá nhân {}.",
                row.requester_name, row.requester_citizen_id
            ),
            12.0,
            Align::Left,
            20.0,
        ),
        TextBlock::new(
            format!(
                "Ngày {:02}/{:02}/{}, {} đã tiếp nhận yêu cầu chứng thực bản sao từ bản chính của giấy tờ \u{201c}{}\u{201d} ({} trang, {} bản sao).",
                received.day(),
                u8::from(received.month()),
                received.year(),
                office.name,
                row.document_title,
                row.original_pages,
                row.copies
            ),
            12.0,
            Align::Left,
            10.0,
        ),
        TextBlock::new(
            format!(
                "{} từ chối chứng thực vì lý do: {}",
                office.name,
                ground.text_vi()
            ),
            12.0,
            Align::Left,
            8.0,
        ),
        TextBlock::new(
            format!("Căn cứ pháp lý: {}.", ground.legal_basis_vi()),
            12.0,
            Align::Left,
            8.0,
        ),
    ];
    if let Some(detail) = detail {
        blocks.push(TextBlock::new(
            format!("Ghi chú của người tiếp nhận: {detail}"),
            12.0,
            Align::Left,
            8.0,
        ));
    }
    blocks.push(TextBlock::new(
        format!(
            "Người thực hiện: {}{}.",
            staff.full_name,
            staff
                .position
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default()
        ),
        12.0,
        Align::Left,
        8.0,
    ));
    blocks.push(TextBlock::new(
        format!(
            "Thông báo này được ký số bằng con dấu điện tử của {}. Mã yêu cầu: {}.",
            office.name, row.id
        ),
        10.0,
        Align::Left,
        24.0,
    ));
    let pdf = text_document("Thông báo từ chối chứng thực", &blocks)
        .map_err(|e| CertificationError::Notice(e.to_string()))?;
    let seal = keys
        .seal_signer(office.id.as_str())
        .map_err(|e| CertificationError::Notice(e.to_string()))?;
    sign_pdf(
        &pdf,
        seal.as_ref(),
        &SignatureRequest {
            signer_name: office.name.clone(),
            reason: format!("Thông báo từ chối chứng thực ({})", ground.legal_basis_vi()),
            location: format!("{}, {}", office.name, office.province),
            signing_time: now,
            kind: SignatureKind::Certification {
                permission: DocMdpPermission::NoChanges,
            },
            field_name: Some("ConDauCoQuan".to_owned()),
            appearance: None,
            empty_fields: Vec::new(),
        },
    )
    .map_err(|e| CertificationError::Notice(e.to_string()))
}
