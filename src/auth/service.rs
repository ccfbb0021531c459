//! The account operations that hash passwords, run so that no database connection is
//! held while Argon2 works (docs/ARCHITECTURE.md §9): a short database call before (the
//! throttle and the lookup), the hashing on the [`PasswordHasher`] (bounded, off the
//! connection), a short database call after (the session or the new account).

use std::net::IpAddr;

use time::OffsetDateTime;

use super::AuthError;
use super::accounts::{
    LoginOutcome, NewAgency, NewStaff, RegisterCitizen, Registration, citizen_draft, create_agency,
    create_staff, login_candidates, open_session, register_citizen, staff_draft,
};
use super::grants::pending_grant_of;
use super::lifecycle::{
    LifecycleError, TemporaryPasswordIssued, change_own_password, check_new_password,
    may_change_password, reset_password, temporary_password,
};
use super::password::{MAX_PASSWORD_BYTES, PasswordHasher};
use super::throttle::{self, AuthLimits, LoginKeys};
use crate::audit::Actor;
use crate::db::ids::UserId;
use crate::db::models::{OfficialGrant, User};
use crate::db::{Db, now_utc};
use crate::secrets::new_secret_token;

/// A staff account just created.
#[derive(Debug, Clone)]
pub struct StaffAccountCreated {
    /// The account (a clerk until an official role asked for is approved).
    pub user: User,
    /// The pending request for the official role, when that role was asked for.
    pub official_grant: Option<OfficialGrant>,
    /// The temporary password, when none was given: shown once, never stored in clear.
    pub temporary_password: Option<TemporaryPasswordIssued>,
}

/// Login, registration and staff/agency creation over a database pool and a hasher.
#[derive(Debug, Clone)]
pub struct AuthService {
    /// The database.
    pub db: Db,
    /// The bounded password hasher.
    pub passwords: PasswordHasher,
    /// Throttling settings.
    pub limits: AuthLimits,
    /// Lifetime of a session, in hours.
    pub session_hours: u32,
}

/// One login attempt.
#[derive(Debug, Clone)]
pub struct LoginAttempt {
    /// Citizen ID, username, phone or e-mail, as typed.
    pub login: String,
    /// The password, as typed.
    pub password: String,
    /// The client address (see `crate::web::client`), when known.
    pub client: Option<IpAddr>,
    /// The request's id, for the audit log.
    pub request_id: Option<String>,
}

fn unix_millis(now: OffsetDateTime) -> i64 {
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

impl AuthService {
    /// Checks a login and opens a session: the attempt is counted by the throttle and the
    /// candidate accounts are read in one short database call, the password is checked
    /// off the connection, and the session is opened in another short call.
    pub async fn login(
        &self,
        attempt: LoginAttempt,
        now: OffsetDateTime,
    ) -> Result<LoginOutcome, AuthError> {
        let login = attempt.login.trim().to_owned();
        if login.is_empty() || attempt.password.len() > MAX_PASSWORD_BYTES {
            return Err(AuthError::BadCredentials);
        }
        let keys = LoginKeys::new(&login, attempt.client);
        let limits = self.limits;
        let counted = keys.clone();
        let candidates = self
            .db
            .run(move |conn| {
                throttle::count_login_attempt(conn, &limits, &counted, unix_millis(now))?;
                login_candidates(conn, &login)
            })
            .await?;
        let hashes = candidates.iter().map(|u| u.password_hash.clone()).collect();
        let matched = self.passwords.find_match(attempt.password, hashes).await?;
        let Some(user) = matched.and_then(|index| candidates.into_iter().nth(index)) else {
            return Err(AuthError::BadCredentials);
        };
        let hours = self.session_hours;
        self.db
            .run(move |conn| {
                let outcome = open_session(conn, user, hours, attempt.request_id.as_deref())?;
                throttle::login_succeeded(conn, &keys)?;
                Ok(outcome)
            })
            .await
    }

    /// Registers a citizen: the request is checked, counted by the throttle (one short
    /// database call), the password hashed off the connection, then the account inserted.
    pub async fn register(
        &self,
        request: RegisterCitizen,
        client: Option<IpAddr>,
        now: OffsetDateTime,
    ) -> Result<Registration, AuthError> {
        let mut draft = citizen_draft(&request)?;
        let limits = self.limits;
        let citizen_id = draft.citizen_id.clone().unwrap_or_default();
        self.db
            .run(move |conn| {
                throttle::count_registration(
                    conn,
                    &limits,
                    client,
                    &citizen_id,
                    now.unix_timestamp(),
                )
            })
            .await?;
        draft.password_hash = self.passwords.hash(request.password).await?;
        self.db
            .run(move |conn| register_citizen(conn, &draft))
            .await
    }

    /// Creates a clerk, official, admin or agency-staff account (admin action, audited). An official
    /// comes with the pending request for the role that a second person must approve.
    /// Without a password in the request, the account gets a temporary one, answered
    /// once, to be changed at the first sign-in.
    pub async fn create_staff(
        &self,
        actor: Actor,
        request: NewStaff,
        request_id: Option<String>,
    ) -> Result<StaffAccountCreated, LifecycleError> {
        let mut draft = staff_draft(&request)?;
        let (password, temporary) = match request.password {
            Some(password) => (password, None),
            None => {
                let password = temporary_password()?;
                let expires_at =
                    now_utc() + time::Duration::hours(super::lifecycle::TEMPORARY_PASSWORD_HOURS);
                (
                    password.clone(),
                    Some(TemporaryPasswordIssued {
                        password,
                        expires_at,
                    }),
                )
            }
        };
        draft.password_hash = self.passwords.hash(password).await?;
        let expires_at = temporary.as_ref().map(|t| t.expires_at);
        let agency = request.agency_id.clone();
        self.db
            .run(move |conn| {
                let user = create_staff(
                    conn,
                    &actor,
                    &draft,
                    agency.as_ref(),
                    expires_at,
                    request_id.as_deref(),
                )?;
                let official_grant = pending_grant_of(conn, &user.id)?;
                Ok(StaffAccountCreated {
                    user,
                    official_grant,
                    temporary_password: temporary,
                })
            })
            .await
    }

    /// Creates an agency account and its first API key (admin action, audited); the key
    /// is returned only this once.
    pub async fn create_agency(
        &self,
        actor: Actor,
        request: NewAgency,
        request_id: Option<String>,
    ) -> Result<(User, String), AuthError> {
        let password_hash = self.passwords.hash(new_secret_token("")).await?;
        self.db
            .run(move |conn| {
                create_agency(conn, &actor, &request, password_hash, request_id.as_deref())
            })
            .await
    }

    /// Changes the signed-in account's own password: the current one is checked and the
    /// new one hashed off the connection, then stored (audited). The session
    /// `current_session` stays open, the account's others end; answers how many ended.
    pub async fn change_password(
        &self,
        user: User,
        current_session: Option<String>,
        current_password: String,
        new_password: String,
        request_id: Option<String>,
    ) -> Result<usize, LifecycleError> {
        may_change_password(&user)?;
        let matched = self
            .passwords
            .find_match(current_password.clone(), vec![user.password_hash.clone()])
            .await?;
        if matched.is_none() {
            return Err(LifecycleError::WrongCurrentPassword);
        }
        check_new_password(&user, &current_password, &new_password)?;
        let password_hash = self.passwords.hash(new_password).await?;
        self.db
            .run(move |conn| {
                change_own_password(
                    conn,
                    &user,
                    current_session.as_deref(),
                    &password_hash,
                    request_id.as_deref(),
                )
            })
            .await
    }

    /// Resets an account's password to a one-time temporary one (admin action, audited),
    /// hashed off the connection.
    pub async fn reset_password(
        &self,
        actor: Actor,
        target_id: UserId,
        request_id: Option<String>,
    ) -> Result<TemporaryPasswordIssued, LifecycleError> {
        if target_id == actor.id {
            return Err(LifecycleError::OwnAccount);
        }
        let password = temporary_password()?;
        let password_hash = self.passwords.hash(password.clone()).await?;
        self.db
            .run(move |conn| {
                reset_password(
                    conn,
                    &actor,
                    &target_id,
                    password,
                    &password_hash,
                    request_id.as_deref(),
                )
            })
            .await
    }
}
