//! Reuse of certified copies across procedures (docs/ARCHITECTURE.md §13): the citizen's
//! wallet (their copies with every share and every use an agency made of them), shares
//! (for a purpose, to a named agency or to any agency holding the secret, with an expiry
//! and an optional number of uses, revocable at once), and redeeming a share by an
//! agency (the copy and its verification report, nothing else of the citizen's; every use
//! recorded).
//!
//! A share's secret is 256 random bits, shown once to the citizen, stored only as its
//! SHA-256 and never logged. A share of another agency, or an unknown secret, is not
//! found (404) — the answer does not say which; an expired, revoked or used-up share is
//! gone (410).

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use time::{Duration, PrimitiveDateTime};

use crate::audit::{self, Actor, AuditEvent};
use crate::auth::AuthError;
use crate::db::ids::{CopyId, ShareId, UserId};
use crate::db::models::{CopyShare, CopyUse, Office, RegisterEntry, Role, User};
use crate::db::schema::copy_shares;
use crate::db::{DbConn, DbError, write_transaction};
use crate::error::{PublicError, UserFacing};
use crate::registry::copies::{CopyView, citizen_copies};
use crate::secrets::{new_secret_token, token_hash};

/// Days a share lasts unless the citizen says otherwise.
pub const DEFAULT_SHARE_DAYS: u32 = 30;
/// Longest a share may last.
pub const MAX_SHARE_DAYS: u32 = 365;
/// Most uses a share may allow.
pub const MAX_SHARE_USES: u32 = 1_000;
const MAX_PURPOSE_CHARS: usize = 300;
const MAX_PROCEDURE_CODE_CHARS: usize = 60;

/// Errors of reuse.
#[derive(Debug, thiserror::Error)]
pub enum ReuseError {
    /// The citizen's ID is only claimed: no copy is theirs yet.
    #[error("identity not verified")]
    Unverified,
    /// No such copy among the citizen's.
    #[error("copy not found")]
    CopyNotFound,
    /// An annulled copy cannot be shared.
    #[error("copy annulled")]
    CopyAnnulled,
    /// No such share (or not for this agency).
    #[error("share not found")]
    ShareNotFound,
    /// The share expired.
    #[error("share expired")]
    ShareExpired,
    /// The citizen revoked the share.
    #[error("share revoked")]
    ShareRevoked,
    /// Every allowed use was made.
    #[error("share used up")]
    ShareUsedUp,
    /// The agency named does not exist.
    #[error("agency not found")]
    AgencyNotFound,
    /// A field is empty, too long or out of range.
    #[error("invalid field {field}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What is wrong, in Vietnamese.
        vi: &'static str,
        /// What is wrong, in English.
        en: &'static str,
    },
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ReuseError {
    fn from(error: diesel::result::Error) -> Self {
        ReuseError::Db(DbError::from(error))
    }
}

impl From<crate::registry::RegistryError> for ReuseError {
    fn from(error: crate::registry::RegistryError) -> Self {
        match error {
            crate::registry::RegistryError::Db(e) => ReuseError::Db(e),
            _ => ReuseError::CopyNotFound,
        }
    }
}

impl UserFacing for ReuseError {
    fn public(&self) -> PublicError {
        let gone = |code, vi: &str, en: &str| PublicError::new(410, code, vi.into(), en.into());
        match self {
            ReuseError::Unverified => AuthError::IdentityUnverified.public(),
            ReuseError::CopyNotFound => PublicError::new(
                404,
                "copy_not_found",
                "Không tìm thấy bản sao này trong ví của bạn.".into(),
                "This copy is not in your wallet.".into(),
            ),
            ReuseError::CopyAnnulled => PublicError::new(
                409,
                "copy_annulled",
                "Bản sao đã bị hủy nên không chia sẻ được.".into(),
                "The copy was annulled and cannot be shared.".into(),
            ),
            ReuseError::ShareNotFound => PublicError::new(
                404,
                "share_not_found",
                "Mã chia sẻ không đúng hoặc không dành cho cơ quan này.".into(),
                "The share code is wrong or not meant for this agency.".into(),
            ),
            ReuseError::ShareExpired => gone(
                "share_expired",
                "Mã chia sẻ đã hết hạn. Hãy đề nghị người dân chia sẻ lại.",
                "The share has expired. Ask the citizen to share the copy again.",
            ),
            ReuseError::ShareRevoked => gone(
                "share_revoked",
                "Người dân đã thu hồi mã chia sẻ này.",
                "The citizen revoked this share.",
            ),
            ReuseError::ShareUsedUp => gone(
                "share_used_up",
                "Mã chia sẻ đã dùng hết số lần cho phép.",
                "The share has been used as many times as allowed.",
            ),
            ReuseError::AgencyNotFound => PublicError::new(
                422,
                "agency_not_found",
                "Không có cơ quan tiếp nhận này.".into(),
                "No such receiving agency.".into(),
            ),
            ReuseError::InvalidField { field, vi, en } => PublicError::new(
                422,
                "invalid_field",
                format!("Trường `{field}`: {vi}"),
                format!("Field `{field}`: {en}"),
            ),
            ReuseError::Db(e) => e.public(),
        }
    }
}

impl ReuseError {
    /// The form field an error is about, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            ReuseError::InvalidField { field, .. } => Some(field),
            ReuseError::AgencyNotFound => Some("agency_id"),
            _ => None,
        }
    }
}

/// A share asked for by the citizen.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewShare {
    /// Only this agency may redeem it; none: any agency with the secret.
    #[serde(default)]
    pub agency_id: Option<UserId>,
    /// What it is for (free text: the procedure's name).
    pub purpose: String,
    /// The administrative procedure's code, if known.
    #[serde(default)]
    pub procedure_code: Option<String>,
    /// Days it lasts (default 30, at most 365).
    #[serde(default)]
    pub days: Option<u32>,
    /// Most uses (default: unlimited until it expires).
    #[serde(default)]
    pub max_uses: Option<u32>,
}

/// Where a share stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareState {
    /// May be redeemed.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked by the citizen.
    Revoked,
    /// Every allowed use made.
    UsedUp,
}

/// An agency as a citizen sees it.
#[derive(Debug, Clone, Serialize)]
pub struct AgencyRef {
    /// The agency's account id.
    pub id: UserId,
    /// Its name.
    pub name: String,
}

/// A share as its citizen sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ShareView {
    /// Share id.
    pub id: ShareId,
    /// The copy.
    pub copy_id: CopyId,
    /// The only agency that may redeem it.
    pub agency: Option<AgencyRef>,
    /// What it is for.
    pub purpose: String,
    /// The procedure's code.
    pub procedure_code: Option<String>,
    /// Most uses.
    pub max_uses: Option<i32>,
    /// Uses so far.
    pub uses: i32,
    /// Created (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp")]
    pub created_at: PrimitiveDateTime,
    /// Expiry (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp")]
    pub expires_at: PrimitiveDateTime,
    /// Revoked (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp::option")]
    pub revoked_at: Option<PrimitiveDateTime>,
    /// Where it stands now.
    pub state: ShareState,
}

/// One use of a copy by an agency.
#[derive(Debug, Clone, Serialize)]
pub struct UseView {
    /// The agency.
    pub agency: AgencyRef,
    /// `share_redeemed` or `verified`.
    pub kind: String,
    /// The procedure, when known.
    pub procedure: Option<String>,
    /// When (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp")]
    pub used_at: PrimitiveDateTime,
}

/// One copy of the wallet with its history.
#[derive(Debug, Clone, Serialize)]
pub struct WalletCopy {
    /// The copy.
    #[serde(flatten)]
    pub copy: CopyView,
    /// The office that certified it.
    pub office: String,
    /// Why it was annulled.
    pub annulled_reason: Option<String>,
    /// Its shares, newest first.
    pub shares: Vec<ShareView>,
    /// Every use agencies made of it, newest first.
    pub uses: Vec<UseView>,
}

/// A share just made: its view and its secret (shown only this once).
#[derive(Debug, Clone, Serialize)]
pub struct NewShareAnswer {
    /// The share.
    pub share: ShareView,
    /// The secret to hand to the agency.
    pub code: String,
}

fn state_of(share: &CopyShare, now: PrimitiveDateTime) -> ShareState {
    if share.revoked_at.is_some() {
        ShareState::Revoked
    } else if share.expires_at <= now {
        ShareState::Expired
    } else if share.max_uses.is_some_and(|max| share.uses >= max) {
        ShareState::UsedUp
    } else {
        ShareState::Active
    }
}

fn agency_ref(conn: &mut DbConn, id: &UserId) -> Result<AgencyRef, ReuseError> {
    let name = User::find(conn, id)?
        .map(|user| user.full_name)
        .unwrap_or_else(|| id.to_string());
    Ok(AgencyRef {
        id: id.clone(),
        name,
    })
}

fn share_view(
    conn: &mut DbConn,
    share: &CopyShare,
    now: PrimitiveDateTime,
) -> Result<ShareView, ReuseError> {
    Ok(ShareView {
        id: share.id.clone(),
        copy_id: share.register_entry_id.clone(),
        agency: share
            .agency_user_id
            .as_ref()
            .map(|id| agency_ref(conn, id))
            .transpose()?,
        purpose: share.purpose.clone(),
        procedure_code: share.procedure_code.clone(),
        max_uses: share.max_uses,
        uses: share.uses,
        created_at: share.created_at,
        expires_at: share.expires_at,
        revoked_at: share.revoked_at,
        state: state_of(share, now),
    })
}

fn verified_id(citizen: &User) -> Result<&str, ReuseError> {
    if citizen.role() != Role::Citizen {
        return Err(ReuseError::CopyNotFound);
    }
    citizen.verified_citizen_id().ok_or(ReuseError::Unverified)
}

/// The citizen's copies (valid and annulled, newest first) with their shares and uses.
pub fn wallet(
    conn: &mut DbConn,
    citizen: &User,
    base_url: &str,
    now: PrimitiveDateTime,
) -> Result<Vec<WalletCopy>, ReuseError> {
    let entries = citizen_copies(conn, verified_id(citizen)?)?;
    wallet_of(conn, &entries, base_url, now)
}

/// One copy of the citizen's wallet.
pub fn wallet_copy(
    conn: &mut DbConn,
    citizen: &User,
    id: &CopyId,
    base_url: &str,
    now: PrimitiveDateTime,
) -> Result<WalletCopy, ReuseError> {
    let entries: Vec<RegisterEntry> = citizen_copies(conn, verified_id(citizen)?)?
        .into_iter()
        .filter(|entry| &entry.id == id)
        .collect();
    wallet_of(conn, &entries, base_url, now)?
        .pop()
        .ok_or(ReuseError::CopyNotFound)
}

fn wallet_of(
    conn: &mut DbConn,
    entries: &[RegisterEntry],
    base_url: &str,
    now: PrimitiveDateTime,
) -> Result<Vec<WalletCopy>, ReuseError> {
    let ids: Vec<CopyId> = entries.iter().map(|e| e.id.clone()).collect();
    let shares = CopyShare::of_entries(conn, &ids)?;
    let uses = CopyUse::of_entries(conn, &ids)?;
    let mut offices = std::collections::HashMap::new();
    let mut agencies: std::collections::HashMap<UserId, AgencyRef> =
        std::collections::HashMap::new();
    let mut wallet = Vec::with_capacity(entries.len());
    for entry in entries {
        let office = match offices.get(&entry.office_id) {
            Some(name) => String::clone(name),
            None => {
                let name = Office::find(conn, &entry.office_id)?
                    .map(|o| o.name)
                    .unwrap_or_default();
                offices.insert(entry.office_id.clone(), name.clone());
                name
            }
        };
        let mut copy_shares = Vec::new();
        for share in shares.iter().filter(|s| s.register_entry_id == entry.id) {
            copy_shares.push(share_view(conn, share, now)?);
        }
        let mut copy_uses = Vec::new();
        for used in uses.iter().filter(|u| u.register_entry_id == entry.id) {
            let agency = match agencies.get(&used.agency_user_id) {
                Some(agency) => agency.clone(),
                None => {
                    let agency = agency_ref(conn, &used.agency_user_id)?;
                    agencies.insert(used.agency_user_id.clone(), agency.clone());
                    agency
                }
            };
            copy_uses.push(UseView {
                agency,
                kind: used.kind.clone(),
                procedure: used.procedure.clone(),
                used_at: used.used_at,
            });
        }
        wallet.push(WalletCopy {
            copy: CopyView::new(entry, base_url),
            office,
            annulled_reason: entry.annulled_reason.clone(),
            shares: copy_shares,
            uses: copy_uses,
        });
    }
    Ok(wallet)
}

fn bounded(
    text: Option<&str>,
    field: &'static str,
    max: usize,
    required: bool,
) -> Result<Option<String>, ReuseError> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    match text {
        None if required => Err(ReuseError::InvalidField {
            field,
            vi: "cần điền",
            en: "required",
        }),
        Some(t) if t.chars().count() > max || t.chars().any(char::is_control) => {
            Err(ReuseError::InvalidField {
                field,
                vi: "quá dài hoặc có ký tự không hợp lệ",
                en: "too long or with invalid characters",
            })
        }
        other => Ok(other.map(str::to_owned)),
    }
}

/// The agencies a citizen may name in a share (enabled agency accounts), by name.
pub fn agencies(conn: &mut DbConn) -> Result<Vec<AgencyRef>, ReuseError> {
    use crate::db::schema::users;
    let rows: Vec<(UserId, String)> = users::table
        .filter(users::role.eq(Role::Agency.as_str()))
        .filter(users::disabled.eq(false))
        .order(users::full_name.asc())
        .select((users::id, users::full_name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| AgencyRef { id, name })
        .collect())
}

/// Shares a copy of the citizen's wallet. The secret is in the answer only.
pub fn share(
    conn: &mut DbConn,
    citizen: &User,
    id: &CopyId,
    request: &NewShare,
    now: PrimitiveDateTime,
    request_id: Option<&str>,
) -> Result<NewShareAnswer, ReuseError> {
    let citizen_id = verified_id(citizen)?.to_owned();
    write_transaction(conn, |conn| {
        let entry = citizen_copies(conn, &citizen_id)?
            .into_iter()
            .find(|entry| &entry.id == id)
            .ok_or(ReuseError::CopyNotFound)?;
        if entry.annulled_at.is_some() {
            return Err(ReuseError::CopyAnnulled);
        }
        // Only the holder of the copy learns what is wrong with the request.
        let purpose = bounded(Some(&request.purpose), "purpose", MAX_PURPOSE_CHARS, true)?
            .unwrap_or_default();
        let procedure_code = bounded(
            request.procedure_code.as_deref(),
            "procedure_code",
            MAX_PROCEDURE_CODE_CHARS,
            false,
        )?;
        let days = request.days.unwrap_or(DEFAULT_SHARE_DAYS);
        if !(1..=MAX_SHARE_DAYS).contains(&days) {
            return Err(ReuseError::InvalidField {
                field: "days",
                vi: "từ 1 đến 365 ngày",
                en: "from 1 to 365 days",
            });
        }
        if request
            .max_uses
            .is_some_and(|n| !(1..=MAX_SHARE_USES).contains(&n))
        {
            return Err(ReuseError::InvalidField {
                field: "max_uses",
                vi: "từ 1 đến 1000 lần",
                en: "from 1 to 1000 uses",
            });
        }
        if let Some(agency) = &request.agency_id {
            let found = User::find(conn, agency)?
                .filter(|user| user.role() == Role::Agency && !user.disabled);
            if found.is_none() {
                return Err(ReuseError::AgencyNotFound);
            }
        }
        let code = new_secret_token("");
        let row = CopyShare {
            id: ShareId::generate(),
            register_entry_id: entry.id.clone(),
            citizen_user_id: citizen.id.clone(),
            token_hash: token_hash(&code),
            agency_user_id: request.agency_id.clone(),
            purpose: purpose.clone(),
            procedure_code: procedure_code.clone(),
            max_uses: request.max_uses.and_then(|n| i32::try_from(n).ok()),
            uses: 0,
            created_at: now,
            expires_at: now + Duration::days(i64::from(days)),
            revoked_at: None,
        };
        row.insert(conn)?;
        let detail = serde_json::json!({
            "share_id": row.id,
            "certification_number": entry.sequence,
            "agency_id": row.agency_user_id,
            "purpose": purpose,
            "days": days,
            "max_uses": row.max_uses,
        });
        audit::record(
            conn,
            Some(&Actor::from(citizen)),
            AuditEvent {
                action: "copy.share",
                target: Some(entry.id.to_string()),
                office_id: Some(entry.office_id.clone()),
                detail,
            },
            request_id,
        )?;
        Ok(NewShareAnswer {
            share: share_view(conn, &row, now)?,
            code,
        })
    })
}

/// One of the citizen's shares (another's is not found).
pub fn own_share(conn: &mut DbConn, citizen: &User, id: &ShareId) -> Result<CopyShare, ReuseError> {
    CopyShare::find(conn, id)?
        .filter(|share| share.citizen_user_id == citizen.id)
        .ok_or(ReuseError::ShareNotFound)
}

/// Revokes one of the citizen's shares at once (a share already revoked stays so).
pub fn revoke(
    conn: &mut DbConn,
    citizen: &User,
    id: &ShareId,
    now: PrimitiveDateTime,
    request_id: Option<&str>,
) -> Result<ShareView, ReuseError> {
    write_transaction(conn, |conn| {
        let share = own_share(conn, citizen, id)?;
        if share.revoked_at.is_none() {
            diesel::update(copy_shares::table.find(&share.id))
                .set(copy_shares::revoked_at.eq(Some(now)))
                .execute(conn)?;
            audit::record(
                conn,
                Some(&Actor::from(citizen)),
                AuditEvent {
                    action: "copy.share_revoke",
                    target: Some(share.register_entry_id.to_string()),
                    office_id: None,
                    detail: serde_json::json!({ "share_id": share.id }),
                },
                request_id,
            )?;
        }
        let share = CopyShare::find(conn, id)?.ok_or(ReuseError::ShareNotFound)?;
        share_view(conn, &share, now)
    })
}

/// The share behind a secret, if `agency` may use it now.
fn usable(
    conn: &mut DbConn,
    agency: &User,
    code: &str,
    now: PrimitiveDateTime,
) -> Result<CopyShare, ReuseError> {
    let share = CopyShare::by_token_hash(conn, &token_hash(code.trim()))?
        .filter(|share| {
            share
                .agency_user_id
                .as_ref()
                .is_none_or(|only| only == &agency.id)
        })
        .ok_or(ReuseError::ShareNotFound)?;
    match state_of(&share, now) {
        ShareState::Revoked => Err(ReuseError::ShareRevoked),
        ShareState::Expired => Err(ReuseError::ShareExpired),
        ShareState::Active | ShareState::UsedUp => Ok(share),
    }
}

/// An agency redeems a share: one use counted (atomically, within the allowed number)
/// and recorded; answers the copy's register entry and the share.
pub fn redeem(
    conn: &mut DbConn,
    agency: &User,
    code: &str,
    now: PrimitiveDateTime,
    request_id: Option<&str>,
) -> Result<(RegisterEntry, CopyShare), ReuseError> {
    if agency.role() != Role::Agency {
        return Err(ReuseError::ShareNotFound);
    }
    write_transaction(conn, |conn| {
        let share = usable(conn, agency, code, now)?;
        let counted = diesel::update(
            copy_shares::table
                .filter(copy_shares::id.eq(&share.id))
                .filter(copy_shares::revoked_at.is_null())
                .filter(copy_shares::expires_at.gt(now))
                .filter(
                    copy_shares::max_uses
                        .is_null()
                        .or(copy_shares::uses.lt(copy_shares::max_uses.assume_not_null())),
                ),
        )
        .set(copy_shares::uses.eq(copy_shares::uses + 1))
        .execute(conn)?;
        if counted == 0 {
            return Err(ReuseError::ShareUsedUp);
        }
        CopyUse {
            id: uuid::Uuid::new_v4().to_string(),
            register_entry_id: share.register_entry_id.clone(),
            share_id: Some(share.id.clone()),
            agency_user_id: agency.id.clone(),
            kind: "share_redeemed".to_owned(),
            procedure: Some(share.purpose.clone()),
            used_at: now,
            request_id: request_id.map(str::to_owned),
        }
        .insert(conn)?;
        let entry = RegisterEntry::find(conn, &share.register_entry_id)?
            .ok_or(ReuseError::ShareNotFound)?;
        audit::record(
            conn,
            Some(&Actor::from(agency)),
            AuditEvent {
                action: "copy.share_redeem",
                target: Some(entry.id.to_string()),
                office_id: Some(entry.office_id.clone()),
                detail: serde_json::json!({
                    "share_id": share.id,
                    "certification_number": entry.sequence,
                }),
            },
            request_id,
        )?;
        let share = CopyShare::find(conn, &share.id)?.ok_or(ReuseError::ShareNotFound)?;
        Ok((entry, share))
    })
}

/// The copy behind a share the agency has redeemed (to download its PDF), while the
/// share is neither expired nor revoked; no use is counted.
pub fn redeemed_copy(
    conn: &mut DbConn,
    agency: &User,
    code: &str,
    now: PrimitiveDateTime,
) -> Result<RegisterEntry, ReuseError> {
    if agency.role() != Role::Agency {
        return Err(ReuseError::ShareNotFound);
    }
    let share = usable(conn, agency, code, now)?;
    if !CopyUse::redeemed_by(conn, &share.id, &agency.id)? {
        return Err(ReuseError::ShareNotFound);
    }
    RegisterEntry::find(conn, &share.register_entry_id)?.ok_or(ReuseError::ShareNotFound)
}

/// Records that an agency verified a registered copy (the wallet shows it).
pub fn record_verification(
    conn: &mut DbConn,
    agency: &Actor,
    entry: &CopyId,
    now: PrimitiveDateTime,
    request_id: Option<&str>,
) -> Result<(), DbError> {
    CopyUse {
        id: uuid::Uuid::new_v4().to_string(),
        register_entry_id: entry.clone(),
        share_id: None,
        agency_user_id: agency.id.clone(),
        kind: "verified".to_owned(),
        procedure: None,
        used_at: now,
        request_id: request_id.map(str::to_owned),
    }
    .insert(conn)
}
