//! Account operations: citizen registration, login/logout, and the admin actions that
//! create offices, staff accounts, agencies and their API keys.

use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::AuthError;
use super::lifecycle::LifecycleError;
use super::password::{check_password_strength, hash_password};
use crate::audit::{self, Actor, AuditEvent};
use crate::db::ids::{ApiKeyId, OfficeId, UserId};
use crate::db::models::{
    ApiKey, Office, OfficeHead, OfficeKind, Role, Session, TemporaryPassword, User,
};
use crate::db::schema::{agency_staff, users};
use crate::db::{DbConn, DbError, now_utc, write_transaction};
use crate::identity::{
    normalize_citizen_id, normalize_email, normalize_full_name, normalize_phone,
};
use crate::outbox::queue_to_contacts;
use crate::secrets::{new_secret_token, token_hash};

/// What a citizen submits to register.
#[derive(Debug, Clone, Deserialize)]
pub struct RegisterCitizen {
    /// Full name as on the citizen ID card.
    pub full_name: String,
    /// 12-digit citizen identity number.
    pub citizen_id: String,
    /// Mobile phone (phone or e-mail required).
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail (phone or e-mail required).
    #[serde(default)]
    pub email: Option<String>,
    /// Password.
    pub password: String,
}

/// What a registration did. The answer to the registrant is the same in both cases, so
/// registering reveals nothing about which IDs, phones or e-mails exist; the outcome is
/// told through the outbox to the contacts.
#[derive(Debug, Clone)]
pub enum Registration {
    /// A new account (its citizen ID only claimed); a message went to its contacts.
    Created(Box<User>),
    /// The phone or e-mail belongs to an existing account: no account was made, and its
    /// owner was told that someone tried to register with it.
    ContactTaken,
}

/// Checks a registration and builds the account row, without its password hash (the
/// caller hashes the password outside any database connection and fills it in).
pub fn citizen_draft(request: &RegisterCitizen) -> Result<User, AuthError> {
    let full_name = normalize_full_name(&request.full_name)?;
    let citizen_id = normalize_citizen_id(&request.citizen_id)?;
    let phone = non_blank(&request.phone).map(normalize_phone).transpose()?;
    let email = non_blank(&request.email).map(normalize_email).transpose()?;
    if phone.is_none() && email.is_none() {
        return Err(AuthError::MissingContact);
    }
    let mut personal = vec![citizen_id.as_str()];
    personal.extend(phone.as_deref());
    check_password_strength(&request.password, &personal)?;
    Ok(User {
        id: UserId::generate(),
        role: Role::Citizen.as_str().to_owned(),
        full_name,
        citizen_id: Some(citizen_id),
        username: None,
        phone,
        email,
        password_hash: String::new(),
        office_id: None,
        position: None,
        disabled: false,
        created_at: now_utc(),
        identity_verified_at: None,
        identity_verified_via: None,
    })
}

/// Registers a citizen from a checked [`citizen_draft`] carrying its password hash. The
/// caller hashed the password whatever the outcome, so the answer takes as long for
/// existing details as for new ones. The citizen ID is a claim: several unverified
/// accounts may claim one ID. A duplicate phone or e-mail makes no account; the database's
/// unique constraints settle two simultaneous registrations.
pub fn register_citizen(conn: &mut DbConn, new_user: &User) -> Result<Registration, AuthError> {
    if new_user.password_hash.is_empty() {
        return Err(AuthError::Hashing(
            "registration without a password hash".into(),
        ));
    }
    let created = write_transaction(conn, |conn| {
        if tell_contact_owners(conn, new_user)? {
            return Ok(false);
        }
        User::insert(conn, new_user)?;
        queue_to_contacts(
            conn,
            new_user.phone.as_deref(),
            new_user.email.as_deref(),
            "registration.created",
            REGISTRATION_CREATED_TEXT,
        )?;
        Ok::<_, DbError>(true)
    });
    match created {
        Ok(true) => Ok(Registration::Created(Box::new(find_user(
            conn,
            &new_user.id,
        )?))),
        Ok(false) => Ok(Registration::ContactTaken),
        // Another registration took the phone or e-mail between the check and the insert.
        Err(DbError::Duplicate { .. }) => {
            write_transaction(conn, |conn| tell_contact_owners(conn, new_user))?;
            Ok(Registration::ContactTaken)
        }
        Err(other) => Err(other.into()),
    }
}

/// Sent to the contacts of a new account.
const REGISTRATION_CREATED_TEXT: &str = "Tài khoản dịch vụ chứng thực bản sao điện tử của bạn đã được tạo. Số CCCD bạn khai sẽ được xác minh tại bộ phận một cửa (mang theo thẻ căn cước) hoặc khi đăng nhập bằng định danh điện tử. / Your certified-copy account was created. The citizen ID you gave is verified at an office desk (bring your ID card) or when you log in with your national e-ID.";

/// Sent to the owner of a phone or e-mail someone tried to register with.
const REGISTRATION_ATTEMPT_TEXT: &str = "Có người vừa đăng ký tài khoản dịch vụ chứng thực bản sao điện tử bằng số điện thoại hoặc thư điện tử của bạn. Tài khoản của bạn không thay đổi; nếu không phải bạn, hãy bỏ qua tin này. / Someone just tried to register a certified-copy account with your phone number or e-mail. Your account is unchanged; if it was not you, ignore this message.";

/// Queues "someone tried to register with your contact" to each existing account's
/// matching contact. Returns whether any contact was taken.
fn tell_contact_owners(conn: &mut DbConn, new_user: &User) -> Result<bool, DbError> {
    let (phone, email) = (new_user.phone.as_deref(), new_user.email.as_deref());
    let owners = User::with_contact(conn, phone, email)?;
    for owner in &owners {
        let taken_phone = phone.filter(|p| owner.phone.as_deref() == Some(p));
        let taken_email = email.filter(|e| owner.email.as_deref() == Some(e));
        queue_to_contacts(
            conn,
            taken_phone,
            taken_email,
            "registration.contact_taken",
            REGISTRATION_ATTEMPT_TEXT,
        )?;
    }
    Ok(!owners.is_empty())
}

fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn insert_user(conn: &mut DbConn, new_user: &User) -> Result<(), AuthError> {
    User::insert(conn, new_user).map_err(|error| match error {
        DbError::Duplicate { .. } => AuthError::AccountExists,
        other => AuthError::Db(other),
    })
}

fn find_user(conn: &mut DbConn, id: &UserId) -> Result<User, AuthError> {
    User::find(conn, id)?.ok_or(AuthError::AccountNotFound)
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The session token: shown once, stored only as a hash.
    pub token: String,
    /// The account.
    pub user: User,
    /// Expiry (UTC).
    pub expires_at: time::PrimitiveDateTime,
    /// The password is a temporary one from an admin reset: the session may only change
    /// it.
    pub password_change_required: bool,
}

/// Accounts whose password a login by citizen ID is checked against: the verified holder
/// first, then the oldest claims. Phone and e-mail are unique and always log in.
pub const MAX_LOGIN_CANDIDATES: i64 = 5;

/// The accounts a login (citizen ID, username, phone or e-mail) may name. The password is
/// checked by the caller, outside the database connection.
pub fn login_candidates(conn: &mut DbConn, login: &str) -> Result<Vec<User>, AuthError> {
    let login = login.trim();
    if login.is_empty() {
        return Ok(Vec::new());
    }
    let mut candidates = vec![login.to_owned(), login.to_lowercase()];
    candidates.extend(normalize_phone(login).ok());
    candidates.extend(normalize_citizen_id(login).ok());
    candidates.dedup();
    // A citizen ID may be claimed by several accounts: the password decides which one
    // logs in, so a second claim never locks the first claimant (or the holder) out.
    let mut accounts: Vec<User> = Vec::new();
    for candidate in &candidates {
        for user in User::find_all_by_login(conn, candidate, MAX_LOGIN_CANDIDATES)? {
            if accounts.iter().all(|known| known.id != user.id) {
                accounts.push(user);
            }
        }
    }
    accounts.truncate(usize::try_from(MAX_LOGIN_CANDIDATES).unwrap_or(1));
    Ok(accounts)
}

/// The name a login is counted under by the login throttle: the citizen ID, phone or
/// e-mail/username in its normal form, so `0912 345 678` and `+84912345678` are one.
pub fn login_throttle_name(login: &str) -> String {
    let login = login.trim();
    normalize_citizen_id(login)
        .or_else(|_| normalize_phone(login))
        .unwrap_or_else(|_| login.to_lowercase())
}

/// Opens a session for an account whose password was checked (audited for staff).
pub fn open_session(
    conn: &mut DbConn,
    user: User,
    session_hours: u32,
    request_id: Option<&str>,
) -> Result<LoginOutcome, AuthError> {
    if user.disabled {
        return Err(AuthError::AccountDisabled);
    }
    let now = now_utc();
    // After an admin reset the password is temporary: it signs in until it expires, and
    // the session may only change it (the guards enforce that).
    let temporary = TemporaryPassword::of(conn, &user.id)?;
    if temporary
        .as_ref()
        .is_some_and(|mark| mark.expires_at <= now)
    {
        return Err(AuthError::TemporaryPasswordExpired);
    }
    let token = new_secret_token("");
    let expires_at = now + time::Duration::hours(i64::from(session_hours));
    let session = Session {
        id: token_hash(&token),
        user_id: user.id.clone(),
        created_at: now,
        expires_at,
    };
    write_transaction(conn, |conn| {
        session.insert(conn)?;
        Session::purge_expired(conn, now)?;
        if user.role().is_staff() {
            let actor = Actor::from(&user);
            let event = AuditEvent {
                action: "auth.login",
                target: Some(user.id.to_string()),
                office_id: None,
                detail: json!({}),
            };
            audit::record(conn, Some(&actor), event, request_id)?;
        }
        Ok::<_, AuthError>(())
    })?;
    Ok(LoginOutcome {
        token,
        user,
        expires_at,
        password_change_required: temporary.is_some(),
    })
}

/// Ends the session whose token is given. Returns whether one was open.
pub fn logout(conn: &mut DbConn, token: &str) -> Result<bool, AuthError> {
    Ok(Session::delete(conn, &token_hash(token))?)
}

/// A new office, as the admin submits it.
#[derive(Debug, Clone, Deserialize)]
pub struct NewOffice {
    /// Display name.
    pub name: String,
    /// Kind of office.
    pub kind: OfficeKind,
    /// Province.
    pub province: String,
    /// District (may be empty where the two-level local government applies).
    #[serde(default)]
    pub district: String,
    /// Street address.
    pub address: String,
}

fn bounded(
    field: &'static str,
    value: &str,
    max_chars: usize,
    may_be_empty: bool,
) -> Result<String, AuthError> {
    let value = value.trim();
    if (!may_be_empty && value.is_empty())
        || value.chars().count() > max_chars
        || value.chars().any(char::is_control)
    {
        return Err(AuthError::InvalidField(field));
    }
    Ok(value.to_owned())
}

/// Creates an office (admin action, audited).
pub fn create_office(
    conn: &mut DbConn,
    actor: &Actor,
    request: &NewOffice,
    request_id: Option<&str>,
) -> Result<Office, AuthError> {
    let office = Office {
        id: OfficeId::generate(),
        name: bounded("name", &request.name, 200, false)?,
        kind: request.kind.as_str().to_owned(),
        province: bounded("province", &request.province, 100, false)?,
        district: bounded("district", &request.district, 100, true)?,
        address: bounded("address", &request.address, 300, false)?,
        created_at: now_utc(),
    };
    write_transaction(conn, |conn| {
        office.insert(conn)?;
        let event = AuditEvent {
            action: "office.create",
            target: Some(office.id.to_string()),
            office_id: Some(office.id.clone()),
            detail: json!({ "name": office.name, "kind": office.kind }),
        };
        audit::record(conn, Some(actor), event, request_id)?;
        Ok::<_, AuthError>(())
    })?;
    Ok(office)
}

/// A new staff account, as the admin submits it.
#[derive(Debug, Clone, Deserialize)]
pub struct NewStaff {
    /// clerk, official or admin.
    pub role: Role,
    /// Login name.
    pub username: String,
    /// Full name.
    pub full_name: String,
    /// Office (required for clerks and officials).
    #[serde(default)]
    pub office_id: Option<OfficeId>,
    /// Position of an official (e.g. "Phó Chủ tịch UBND").
    #[serde(default)]
    pub position: Option<String>,
    /// Initial password. Without one, the account gets a one-time temporary password,
    /// answered once, that must be changed at the first sign-in (as after a reset).
    #[serde(default)]
    pub password: Option<String>,
    /// The agency account a member of an agency's staff (`agency_staff`) works for.
    #[serde(default)]
    pub agency_id: Option<UserId>,
}

fn normalize_username(input: &str) -> Result<String, AuthError> {
    let name = input.trim().to_lowercase();
    let valid = (3..=40).contains(&name.len())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'_'
        })
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
    if valid {
        Ok(name)
    } else {
        Err(AuthError::InvalidUsername)
    }
}

/// Checks a new staff account and builds its row, without its password hash (the caller
/// hashes the password outside any database connection and fills it in). The row keeps
/// the role asked for; [`create_staff`] stores an official as a clerk until approved.
pub fn staff_draft(request: &NewStaff) -> Result<User, AuthError> {
    if !matches!(
        request.role,
        Role::Clerk | Role::Official | Role::Admin | Role::AgencyStaff
    ) {
        return Err(AuthError::InvalidRole);
    }
    if (request.role == Role::AgencyStaff) != request.agency_id.is_some() {
        return Err(AuthError::InvalidField("agency_id"));
    }
    let username = normalize_username(&request.username)?;
    let full_name = normalize_full_name(&request.full_name)?;
    if let Some(password) = &request.password {
        check_password_strength(password, &[&username])?;
    }
    let needs_office = matches!(request.role, Role::Clerk | Role::Official);
    let office_id = match (&request.office_id, needs_office) {
        (Some(id), _) => Some(id.clone()),
        (None, true) => return Err(AuthError::OfficeNotFound),
        (None, false) => None,
    };
    let position = match (&request.position, request.role) {
        (Some(p), _) => Some(bounded("position", p, 100, false)?),
        (None, Role::Official) => return Err(AuthError::InvalidField("position")),
        (None, _) => None,
    };
    Ok(User {
        id: UserId::generate(),
        role: request.role.as_str().to_owned(),
        full_name,
        citizen_id: None,
        username: Some(username),
        phone: None,
        email: None,
        password_hash: String::new(),
        office_id,
        position,
        disabled: false,
        created_at: now_utc(),
        identity_verified_at: None,
        identity_verified_via: None,
    })
}

/// Creates a clerk, official or admin account from a checked [`staff_draft`] carrying
/// its password hash (admin action, audited). An official is created as a clerk of the
/// office with a pending request for the official role, in the same transaction: a
/// second person approves it ([`super::grants`]). With `temporary_until`, the password
/// is a temporary one that signs in until then and must be changed first.
pub fn create_staff(
    conn: &mut DbConn,
    actor: &Actor,
    draft: &User,
    agency: Option<&UserId>,
    temporary_until: Option<time::PrimitiveDateTime>,
    request_id: Option<&str>,
) -> Result<User, LifecycleError> {
    if draft.password_hash.is_empty() {
        return Err(AuthError::Hashing("staff account without a password hash".into()).into());
    }
    let asked_official = draft.role() == Role::Official;
    let mut new_user = draft.clone();
    // Until the official role is approved the account works as a clerk of the office.
    if asked_official {
        new_user.role = Role::Clerk.as_str().to_owned();
        new_user.position = None;
    }
    write_transaction(conn, |conn| {
        if let Some(office_id) = &new_user.office_id {
            Office::find(conn, office_id)?.ok_or(AuthError::OfficeNotFound)?;
        }
        insert_user(conn, &new_user)?;
        if let Some(agency_id) = agency {
            let agency = User::find(conn, agency_id)?
                .filter(|agency| agency.role() == Role::Agency)
                .ok_or(AuthError::AccountNotFound)?;
            diesel::insert_into(agency_staff::table)
                .values((
                    agency_staff::user_id.eq(&new_user.id),
                    agency_staff::agency_user_id.eq(&agency.id),
                    agency_staff::created_at.eq(now_utc()),
                ))
                .execute(conn)
                .map_err(DbError::from)?;
        }
        if let Some(expires_at) = temporary_until {
            let mark = TemporaryPassword {
                user_id: new_user.id.clone(),
                set_by: actor.id.clone(),
                expires_at,
            };
            mark.replace(conn)?;
        }
        let event = AuditEvent {
            action: "staff.create",
            target: Some(new_user.id.to_string()),
            office_id: new_user.office_id.clone(),
            detail: json!({
                "role": new_user.role,
                "username": new_user.username,
                "agency_id": agency,
                "temporary_password": temporary_until.is_some(),
            }),
        };
        audit::record(conn, Some(actor), event, request_id)?;
        if let (true, Some(position)) = (asked_official, &draft.position) {
            super::grants::open_request(conn, actor, &new_user, position, request_id)?;
        }
        Ok::<_, LifecycleError>(())
    })?;
    Ok(find_user(conn, &new_user.id)?)
}

/// A receiving agency, as the admin submits it.
#[derive(Debug, Clone, Deserialize)]
pub struct NewAgency {
    /// Agency name, e.g. "Sở Giáo dục và Đào tạo TP. Hồ Chí Minh".
    pub name: String,
    /// Login name of the agency account.
    pub username: String,
    /// Label of the first API key.
    #[serde(default)]
    pub key_label: Option<String>,
}

/// Creates an agency account and its first API key (admin action, audited). Returns the
/// account and the key, which is shown only this once. Agencies log in with API keys
/// only: `password_hash` is the hash of a random secret nobody knows.
pub fn create_agency(
    conn: &mut DbConn,
    actor: &Actor,
    request: &NewAgency,
    password_hash: String,
    request_id: Option<&str>,
) -> Result<(User, String), AuthError> {
    let username = normalize_username(&request.username)?;
    let name = bounded("name", &request.name, 200, false)?;
    let new_user = User {
        id: UserId::generate(),
        role: Role::Agency.as_str().to_owned(),
        full_name: name,
        citizen_id: None,
        username: Some(username),
        phone: None,
        email: None,
        password_hash,
        office_id: None,
        position: None,
        disabled: false,
        created_at: now_utc(),
        identity_verified_at: None,
        identity_verified_via: None,
    };
    let label = request
        .key_label
        .clone()
        .unwrap_or_else(|| "default".to_owned());
    let key = write_transaction(conn, |conn| {
        insert_user(conn, &new_user)?;
        let event = AuditEvent {
            action: "agency.create",
            target: Some(new_user.id.to_string()),
            office_id: None,
            detail: json!({ "name": new_user.full_name, "username": new_user.username }),
        };
        audit::record(conn, Some(actor), event, request_id)?;
        insert_api_key(conn, actor, &new_user.id, &label, request_id)
    })?;
    Ok((find_user(conn, &new_user.id)?, key))
}

/// Issues another API key for an agency account (admin action, audited). The key is
/// returned once and stored only as its hash.
pub fn issue_api_key(
    conn: &mut DbConn,
    actor: &Actor,
    agency_id: &UserId,
    label: &str,
    request_id: Option<&str>,
) -> Result<String, AuthError> {
    write_transaction(conn, |conn| {
        let agency = User::find(conn, agency_id)?.ok_or(AuthError::AccountNotFound)?;
        if agency.role() != Role::Agency {
            return Err(AuthError::AccountNotFound);
        }
        insert_api_key(conn, actor, agency_id, label, request_id)
    })
}

fn insert_api_key(
    conn: &mut DbConn,
    actor: &Actor,
    agency_id: &UserId,
    label: &str,
    request_id: Option<&str>,
) -> Result<String, AuthError> {
    let label = bounded("key_label", label, 100, false)?;
    let key = new_secret_token("cc_live_");
    let row = ApiKey {
        id: ApiKeyId::generate(),
        user_id: agency_id.clone(),
        prefix: key.chars().take(12).collect(),
        key_hash: token_hash(&key),
        label,
        created_at: now_utc(),
        revoked_at: None,
    };
    ApiKey::insert(conn, &row)?;
    let event = AuditEvent {
        action: "api_key.issue",
        target: Some(row.id.to_string()),
        office_id: None,
        detail: json!({ "agency": agency_id, "prefix": row.prefix, "label": row.label }),
    };
    audit::record(conn, Some(actor), event, request_id)?;
    Ok(key)
}

/// The demo accounts created on first start, with their one-time passwords.
#[derive(Debug, Clone)]
pub struct DemoAccounts {
    /// The demo office.
    pub office: Office,
    /// (username, password) of the clerk, the official and the admin.
    pub logins: Vec<(Role, String, String)>,
}

/// Seeds the demo office with a clerk, an official and an admin, only into a database
/// without any account. Returns `None` when the database already has accounts.
pub fn seed_demo(conn: &mut DbConn) -> Result<Option<DemoAccounts>, AuthError> {
    if User::count(conn)? > 0 {
        return Ok(None);
    }
    let office = Office {
        id: OfficeId::generate(),
        name: "UBND Phường Bến Nghé".to_owned(),
        kind: OfficeKind::CommuneCommittee.as_str().to_owned(),
        province: "TP. Hồ Chí Minh".to_owned(),
        district: "Quận 1".to_owned(),
        address: "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh".to_owned(),
        created_at: now_utc(),
    };
    let people = [
        (Role::Clerk, "canbo.bennghe", "Trần Thị Bích", None),
        (
            Role::Official,
            "lanhdao.bennghe",
            "Nguyễn Văn Minh",
            Some("Phó Chủ tịch UBND phường"),
        ),
        (Role::Admin, "admin", "Quản trị hệ thống", None),
    ];
    let mut rows = Vec::new();
    let mut logins = Vec::new();
    for (role, username, full_name, position) in people {
        let password = format!("Demo-{}", &new_secret_token("")[..12]);
        rows.push(User {
            id: UserId::generate(),
            role: role.as_str().to_owned(),
            full_name: full_name.to_owned(),
            citizen_id: None,
            username: Some(username.to_owned()),
            phone: None,
            email: None,
            password_hash: hash_password(&password)?,
            office_id: (role != Role::Admin).then(|| office.id.clone()),
            position: position.map(str::to_owned),
            disabled: false,
            created_at: now_utc(),
            identity_verified_at: None,
            identity_verified_via: None,
        });
        logins.push((role, username.to_owned(), password));
    }
    let seeded = write_transaction(conn, |conn| {
        // Re-checked under the write lock: two instances starting together seed once.
        if User::count(conn)? > 0 {
            return Ok::<_, AuthError>(false);
        }
        office.insert(conn)?;
        for row in &rows {
            insert_user(conn, row)?;
        }
        // The demo official heads the demo office, so a second official can be approved.
        if let Some(official) = rows.iter().find(|row| row.role() == Role::Official) {
            let head = OfficeHead {
                office_id: office.id.clone(),
                user_id: official.id.clone(),
                appointed_by: None,
                appointed_at: now_utc(),
            };
            head.replace(conn)?;
        }
        let event = AuditEvent {
            action: "demo.seed",
            target: Some(office.id.to_string()),
            office_id: Some(office.id.clone()),
            detail: json!({ "accounts": logins.iter().map(|l| &l.1).collect::<Vec<_>>() }),
        };
        audit::record(conn, None, event, None)?;
        Ok(true)
    })?;
    Ok(seeded.then_some(DemoAccounts { office, logins }))
}

/// The agency account `user` acts for: an agency itself, or the agency of a member of its
/// staff. `None` for anyone else, and when the agency is disabled.
pub fn acting_agency(conn: &mut DbConn, user: &User) -> Result<Option<User>, DbError> {
    let agency = match user.role() {
        Role::Agency => Some(user.clone()),
        Role::AgencyStaff => {
            let id: Option<UserId> = agency_staff::table
                .find(&user.id)
                .select(agency_staff::agency_user_id)
                .first(conn)
                .optional()?;
            match id {
                Some(id) => User::find(conn, &id)?,
                None => None,
            }
        }
        _ => None,
    };
    Ok(agency.filter(|agency| agency.role() == Role::Agency && !agency.disabled))
}

/// The staff of an agency, by name.
pub fn agency_staff_of(conn: &mut DbConn, agency: &UserId) -> Result<Vec<User>, DbError> {
    Ok(users::table
        .inner_join(agency_staff::table.on(agency_staff::user_id.eq(users::id)))
        .filter(agency_staff::agency_user_id.eq(agency))
        .order(users::full_name.asc())
        .select(User::as_select())
        .load(conn)?)
}
