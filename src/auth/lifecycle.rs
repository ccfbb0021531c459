//! Account lifecycle: what an admin does to an account after creating it, and the
//! password change everyone does for themselves (docs/ARCHITECTURE.md §9).
//!
//! * **Disable / enable.** Disabling ends every session of the account at once; an
//!   agency's API keys stop working while it is disabled (the guards refuse a disabled
//!   account whatever the credential) and work again once it is enabled. An admin cannot
//!   disable themself, nor the last enabled admin.
//! * **End sessions.** Every login session of the account ends; API keys are unaffected
//!   (revoke them one by one).
//! * **Revoke an API key.** One key of an agency stops working for good.
//! * **Change one's own password.** Needs the current one; ends the account's other
//!   sessions, keeps the one in use.
//! * **Reset a password.** The admin gets a one-time temporary password, shown once, to
//!   hand to the person in person or through the office's official channel. All sessions
//!   end; the temporary password signs in for [`TEMPORARY_PASSWORD_HOURS`] hours, and a
//!   session opened with it may do nothing but change the password (403
//!   `password_change_required` elsewhere). Agencies, which sign in with API keys only,
//!   have no password to reset.
//!
//! Every action writes an audit row (actor, target account, the target's office) in its
//! own transaction; passwords, tokens and keys never go into the detail.

use serde::Serialize;
use serde_json::json;

use super::AuthError;
use super::password::check_password_strength;
use crate::audit::{self, Actor, AuditEvent};
use crate::db::ids::{ApiKeyId, OfficeId, UserId};
use crate::db::models::{ApiKey, Role, Session, TemporaryPassword, User};
use crate::db::{DbConn, DbError, now_utc, write_transaction};
use crate::error::{PublicError, UserFacing};

/// How long a temporary password set by a reset signs in.
pub const TEMPORARY_PASSWORD_HOURS: i64 = 72;

/// Refusals of the lifecycle and official-grant actions.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LifecycleError {
    /// An account error (not found, weak password, …).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// An admin tried to disable or reset their own account.
    #[error("cannot do this to one's own account")]
    OwnAccount,
    /// Disabling this admin would leave no enabled admin.
    #[error("last enabled admin")]
    LastAdmin,
    /// The agency has no unrevoked API key with this id.
    #[error("API key not found")]
    ApiKeyNotFound,
    /// The current password given for a change is wrong.
    #[error("wrong current password")]
    WrongCurrentPassword,
    /// The new password is the current one.
    #[error("new password equals the current one")]
    SamePassword,
    /// Agencies sign in with API keys; they have no password to change or reset.
    #[error("account has no password login")]
    NoPasswordLogin,
    /// No official-grant request with this id.
    #[error("official grant not found")]
    GrantNotFound,
    /// The request was already approved or refused.
    #[error("official grant already decided")]
    GrantAlreadyDecided,
    /// The account already has a pending request.
    #[error("official grant already pending")]
    GrantPending,
    /// The requester (or the person concerned) tried to decide the request.
    #[error("a second person must decide")]
    SecondPersonRequired,
    /// The person deciding is neither an admin nor the head official of the office.
    #[error("not the office's head official or an admin")]
    NotApprover,
    /// The account is not (or no longer) an enabled clerk of the office, so it cannot be
    /// made an official of it.
    #[error("account is not an enabled clerk of the office")]
    NotAClerkOfOffice,
    /// The account is not an enabled official of the office, so it cannot head it.
    #[error("account is not an enabled official of the office")]
    NotAnOfficialOfOffice,
}

impl From<DbError> for LifecycleError {
    fn from(error: DbError) -> Self {
        LifecycleError::Auth(AuthError::Db(error))
    }
}

impl UserFacing for LifecycleError {
    fn public(&self) -> PublicError {
        let new =
            |status, code, vi: &str, en: &str| PublicError::new(status, code, vi.into(), en.into());
        match self {
            LifecycleError::Auth(e) => e.public(),
            LifecycleError::OwnAccount => new(
                409,
                "own_account",
                "Quản trị viên không thể tự khóa hoặc tự đặt lại mật khẩu tài khoản của mình.",
                "An administrator cannot disable or reset their own account.",
            ),
            LifecycleError::LastAdmin => new(
                409,
                "last_admin",
                "Không thể khóa quản trị viên cuối cùng đang hoạt động.",
                "The last enabled administrator cannot be disabled.",
            ),
            LifecycleError::ApiKeyNotFound => new(
                404,
                "api_key_not_found",
                "Không tìm thấy khóa API còn hiệu lực này của cơ quan.",
                "This agency has no active API key with that id.",
            ),
            LifecycleError::WrongCurrentPassword => new(
                403,
                "wrong_current_password",
                "Mật khẩu hiện tại không đúng.",
                "The current password is wrong.",
            ),
            LifecycleError::SamePassword => new(
                422,
                "same_password",
                "Mật khẩu mới phải khác mật khẩu hiện tại.",
                "The new password must differ from the current one.",
            ),
            LifecycleError::NoPasswordLogin => new(
                422,
                "no_password_login",
                "Tài khoản cơ quan tiếp nhận đăng nhập bằng khóa API, không có mật khẩu.",
                "Agency accounts sign in with API keys and have no password.",
            ),
            LifecycleError::GrantNotFound => new(
                404,
                "grant_not_found",
                "Không tìm thấy đề nghị giao quyền ký.",
                "Official-role request not found.",
            ),
            LifecycleError::GrantAlreadyDecided => new(
                409,
                "grant_already_decided",
                "Đề nghị giao quyền ký này đã được phê duyệt hoặc từ chối.",
                "This official-role request was already approved or refused.",
            ),
            LifecycleError::GrantPending => new(
                409,
                "grant_pending",
                "Tài khoản này đã có một đề nghị giao quyền ký đang chờ duyệt.",
                "This account already has an official-role request waiting for approval.",
            ),
            LifecycleError::SecondPersonRequired => new(
                403,
                "second_person_required",
                "Người đề nghị hoặc người được giao quyền không thể tự phê duyệt: cần người thứ hai.",
                "The requester or the person concerned cannot decide: a second person must.",
            ),
            LifecycleError::NotApprover => new(
                403,
                "not_approver",
                "Chỉ người đứng đầu cơ quan hoặc một quản trị viên khác được phê duyệt quyền ký.",
                "Only the office's head official or another administrator may decide.",
            ),
            LifecycleError::NotAClerkOfOffice => new(
                409,
                "not_a_clerk_of_office",
                "Tài khoản không phải là cán bộ đang hoạt động của cơ quan này.",
                "The account is not an enabled clerk of this office.",
            ),
            LifecycleError::NotAnOfficialOfOffice => new(
                422,
                "not_an_official_of_office",
                "Tài khoản không phải là người ký đang hoạt động của cơ quan này.",
                "The account is not an enabled official of this office.",
            ),
        }
    }
}

fn find_account(conn: &mut DbConn, id: &UserId) -> Result<User, LifecycleError> {
    Ok(User::find(conn, id)?.ok_or(AuthError::AccountNotFound)?)
}

/// One account, as an admin looks it up before acting on it.
pub fn account(conn: &mut DbConn, id: &UserId) -> Result<User, LifecycleError> {
    find_account(conn, id)
}

/// The staff accounts (clerks, officials, admins), of one office when given, by name.
pub fn list_staff(
    conn: &mut DbConn,
    office_id: Option<&OfficeId>,
) -> Result<Vec<User>, LifecycleError> {
    Ok(User::staff(conn, office_id)?)
}

/// The agency accounts, by name.
pub fn list_agencies(conn: &mut DbConn) -> Result<Vec<User>, LifecycleError> {
    Ok(User::with_role(conn, Role::Agency)?)
}

/// An agency account (another kind of account is not found).
pub fn agency(conn: &mut DbConn, agency_id: &UserId) -> Result<User, LifecycleError> {
    find_agency(conn, agency_id)
}

fn account_event<'a>(action: &'a str, target: &User, detail: serde_json::Value) -> AuditEvent<'a> {
    AuditEvent {
        action,
        target: Some(target.id.to_string()),
        office_id: target.office_id.clone(),
        detail,
    }
}

/// Disables (ending its sessions) or enables an account (admin action, audited). Returns
/// how many sessions ended.
pub fn set_account_disabled(
    conn: &mut DbConn,
    actor: &Actor,
    target_id: &UserId,
    disabled: bool,
    reason: Option<&str>,
    request_id: Option<&str>,
) -> Result<usize, LifecycleError> {
    if disabled && *target_id == actor.id {
        return Err(LifecycleError::OwnAccount);
    }
    let reason = reason.map(bounded_reason).transpose()?;
    write_transaction(conn, |conn| {
        let target = find_account(conn, target_id)?;
        if disabled && target.role() == Role::Admin {
            let enabled = User::lock_enabled_admins(conn)?;
            if !enabled.iter().any(|id| id != target_id) {
                return Err(LifecycleError::LastAdmin);
            }
        }
        User::set_disabled(conn, target_id, disabled)?;
        let ended = if disabled {
            Session::delete_for_user(conn, target_id, None)?
        } else {
            0
        };
        let action = if disabled {
            "account.disable"
        } else {
            "account.enable"
        };
        let detail = json!({ "role": target.role, "sessions_ended": ended, "reason": reason });
        audit::record(
            conn,
            Some(actor),
            account_event(action, &target, detail),
            request_id,
        )?;
        Ok(ended)
    })
}

/// Checks a free-text reason (audit detail): 1–500 characters, no control characters.
pub(super) fn bounded_reason(reason: &str) -> Result<String, LifecycleError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err(AuthError::InvalidField("reason").into());
    }
    Ok(reason.to_owned())
}

/// Ends every login session of an account (admin action, audited). Returns how many.
pub fn end_sessions(
    conn: &mut DbConn,
    actor: &Actor,
    target_id: &UserId,
    request_id: Option<&str>,
) -> Result<usize, LifecycleError> {
    write_transaction(conn, |conn| {
        let target = find_account(conn, target_id)?;
        let ended = Session::delete_for_user(conn, target_id, None)?;
        let detail = json!({ "sessions_ended": ended });
        let event = account_event("account.sessions_end", &target, detail);
        audit::record(conn, Some(actor), event, request_id)?;
        Ok(ended)
    })
}

/// An API key as an admin sees it: never the key, only its prefix.
#[derive(Debug, Clone, Serialize)]
pub struct ApiKeyView {
    /// Key id (for revocation).
    pub id: ApiKeyId,
    /// First characters of the key.
    pub prefix: String,
    /// What the agency uses it for.
    pub label: String,
    /// Creation (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp")]
    pub created_at: time::PrimitiveDateTime,
    /// Revocation (UTC), if revoked.
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp::option")]
    pub revoked_at: Option<time::PrimitiveDateTime>,
}

fn find_agency(conn: &mut DbConn, agency_id: &UserId) -> Result<User, LifecycleError> {
    let agency = find_account(conn, agency_id)?;
    if agency.role() != Role::Agency {
        return Err(AuthError::AccountNotFound.into());
    }
    Ok(agency)
}

/// The API keys of an agency, newest first.
pub fn list_api_keys(
    conn: &mut DbConn,
    agency_id: &UserId,
) -> Result<Vec<ApiKeyView>, LifecycleError> {
    find_agency(conn, agency_id)?;
    Ok(ApiKey::of_agency(conn, agency_id)?
        .into_iter()
        .map(|key| ApiKeyView {
            id: key.id,
            prefix: key.prefix,
            label: key.label,
            created_at: key.created_at,
            revoked_at: key.revoked_at,
        })
        .collect())
}

/// Revokes one API key of an agency (admin action, audited).
pub fn revoke_api_key(
    conn: &mut DbConn,
    actor: &Actor,
    agency_id: &UserId,
    key_id: &ApiKeyId,
    request_id: Option<&str>,
) -> Result<(), LifecycleError> {
    write_transaction(conn, |conn| {
        let agency = find_agency(conn, agency_id)?;
        if !ApiKey::revoke(conn, agency_id, key_id, now_utc())? {
            return Err(LifecycleError::ApiKeyNotFound);
        }
        let event = AuditEvent {
            action: "api_key.revoke",
            target: Some(key_id.to_string()),
            office_id: None,
            detail: json!({ "agency": agency.id }),
        };
        audit::record(conn, Some(actor), event, request_id)?;
        Ok(())
    })
}

/// Whether `user` may have a password at all (agencies sign in with API keys only).
pub fn may_change_password(user: &User) -> Result<(), LifecycleError> {
    if user.role() == Role::Agency {
        return Err(LifecycleError::NoPasswordLogin);
    }
    Ok(())
}

/// Checks a new password once the current one is proven: not the same, and strong enough
/// without the account's own ID, phone or username in it.
pub fn check_new_password(
    user: &User,
    current_password: &str,
    new_password: &str,
) -> Result<(), LifecycleError> {
    if new_password == current_password {
        return Err(LifecycleError::SamePassword);
    }
    let mut personal: Vec<&str> = Vec::new();
    personal.extend(user.citizen_id.as_deref());
    personal.extend(user.phone.as_deref());
    personal.extend(user.username.as_deref());
    check_password_strength(new_password, &personal)?;
    Ok(())
}

/// Stores the signed-in account's new password (audited), hashed by the caller off the
/// connection after [`may_change_password`], the current password and
/// [`check_new_password`]. `current_session` (a token hash) stays open; the account's
/// other sessions end. Also ends the temporary-password state after a reset. Returns how
/// many sessions ended.
pub fn change_own_password(
    conn: &mut DbConn,
    user: &User,
    current_session: Option<&str>,
    password_hash: &str,
    request_id: Option<&str>,
) -> Result<usize, LifecycleError> {
    may_change_password(user)?;
    write_transaction(conn, |conn| {
        User::set_password_hash(conn, &user.id, password_hash)?;
        let was_temporary = TemporaryPassword::of(conn, &user.id)?.is_some();
        TemporaryPassword::clear(conn, &user.id)?;
        let ended = Session::delete_for_user(conn, &user.id, current_session)?;
        let detail = json!({ "sessions_ended": ended, "after_reset": was_temporary });
        let event = account_event("account.password_change", user, detail);
        audit::record(conn, Some(&Actor::from(user)), event, request_id)?;
        Ok(ended)
    })
}

/// A temporary password from a reset: shown once to the admin, stored only as its hash.
#[derive(Debug, Clone)]
pub struct TemporaryPasswordIssued {
    /// The password to hand to the person.
    pub password: String,
    /// After this (UTC) it no longer signs in.
    pub expires_at: time::PrimitiveDateTime,
}

/// Resets an account's password to the one-time temporary `password` (from
/// [`temporary_password`], hashed by the caller off the connection; admin action,
/// audited): all sessions end, and the next login must choose a new password.
pub fn reset_password(
    conn: &mut DbConn,
    actor: &Actor,
    target_id: &UserId,
    password: String,
    password_hash: &str,
    request_id: Option<&str>,
) -> Result<TemporaryPasswordIssued, LifecycleError> {
    if *target_id == actor.id {
        return Err(LifecycleError::OwnAccount);
    }
    let expires_at = now_utc() + time::Duration::hours(TEMPORARY_PASSWORD_HOURS);
    write_transaction(conn, |conn| {
        let target = find_account(conn, target_id)?;
        if target.role() == Role::Agency {
            return Err(LifecycleError::NoPasswordLogin);
        }
        User::set_password_hash(conn, target_id, password_hash)?;
        let mark = TemporaryPassword {
            user_id: target_id.clone(),
            set_by: actor.id.clone(),
            expires_at,
        };
        mark.replace(conn)?;
        let ended = Session::delete_for_user(conn, target_id, None)?;
        let detail = json!({
            "sessions_ended": ended,
            "temporary_password_hours": TEMPORARY_PASSWORD_HOURS,
        });
        let event = account_event("account.password_reset", &target, detail);
        audit::record(conn, Some(actor), event, request_id)?;
        Ok(())
    })?;
    Ok(TemporaryPasswordIssued {
        password,
        expires_at,
    })
}

/// Ten letters and four digits from alphabets without look-alikes (`abcde-fghjk-2345`,
/// about 57 bits): easy to read aloud or type from paper, and it passes the strength
/// rules.
pub fn temporary_password() -> Result<String, LifecycleError> {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
    const DIGITS: &[u8] = b"23456789";
    let rng = ring::rand::SystemRandom::new();
    let mut out = String::with_capacity(16);
    let mut drawn = 0;
    while drawn < 14 {
        let mut byte = [0u8; 1];
        ring::rand::SecureRandom::fill(&rng, &mut byte)
            .map_err(|_| AuthError::Hashing("no randomness for a temporary password".into()))?;
        let alphabet = if drawn < 10 { LETTERS } else { DIGITS };
        // Rejection sampling: only bytes below a multiple of the alphabet's size, so every
        // character is equally likely.
        let limit = 256 - 256 % alphabet.len();
        if usize::from(byte[0]) >= limit {
            continue;
        }
        if drawn == 5 || drawn == 10 {
            out.push('-');
        }
        out.push(char::from(alphabet[usize::from(byte[0]) % alphabet.len()]));
        drawn += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_passwords_pass_the_strength_rules_and_differ() {
        let first = temporary_password().unwrap();
        assert_eq!(first.len(), 16);
        assert!(check_password_strength(&first, &[]).is_ok(), "{first}");
        assert_ne!(first, temporary_password().unwrap());
    }
}
