//! Throttling of logins and registrations, counted in the database so every instance
//! shares the counts (docs/ARCHITECTURE.md §7, §9). Checked before any password is hashed.
//!
//! * **Login**: each attempt is counted under the account name (in its normal form) and
//!   under the client address before the password is checked. The first few are free;
//!   after them each attempt must wait twice as long as the one before (1 s, 2 s, 4 s, …
//!   up to a configured cap), else 429 `too_many_attempts` with `Retry-After`. A
//!   successful login forgets the account's count and takes its attempt back from the
//!   address's, so an office behind one address is slowed only by failures. Counts
//!   untouched for a day are forgotten.
//! * **Registration**: a fixed hourly window per client address and per citizen ID.
//!
//! An attempt is counted before its password is checked, not after it failed, so a burst
//! of simultaneous guesses cannot all pass while the first ones are still being hashed.

use std::net::IpAddr;

use super::AuthError;
use super::accounts::login_throttle_name;
use crate::db::models::ThrottleCounter;
use crate::db::{DbConn, DbError, write_transaction};

/// The wait after the first attempt beyond the free ones; each further one doubles it.
const FIRST_BACKOFF_MS: i64 = 1000;
/// Counts whose last attempt is older than this start again from zero.
const FORGET_AFTER_MS: i64 = 24 * 3600 * 1000;
/// The registration window.
const REGISTER_WINDOW_SECS: i64 = 3600;

/// The throttling settings (from the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthLimits {
    /// Login attempts per account name before the back-off starts.
    pub login_free_per_account: u32,
    /// Login attempts per client address before the back-off starts.
    pub login_free_per_address: u32,
    /// Longest wait between two login attempts, in milliseconds.
    pub login_backoff_max_ms: i64,
    /// Registrations per client address per hour.
    pub register_per_address_per_hour: u32,
    /// Registrations per citizen ID per hour.
    pub register_per_citizen_id_per_hour: u32,
}

/// The counters one login attempt is charged to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginKeys {
    /// The account name's counter.
    pub account: String,
    /// The client address's counter (none when the address is unknown).
    pub address: Option<String>,
}

impl LoginKeys {
    /// The counters of a login typed as `login` from `client`.
    pub fn new(login: &str, client: Option<IpAddr>) -> LoginKeys {
        LoginKeys {
            account: format!("login:account:{}", login_throttle_name(login)),
            address: client.map(|address| format!("login:address:{address}")),
        }
    }
}

/// How long to wait after `beyond` attempts past the free ones (0 → 1 s, 1 → 2 s, …).
pub fn backoff_ms(beyond: u32, max_ms: i64) -> i64 {
    FIRST_BACKOFF_MS
        .checked_shl(beyond.min(40))
        .unwrap_or(i64::MAX)
        .min(max_ms)
}

/// Whole seconds until `until_ms`, at least 1.
fn seconds_until(until_ms: i64, now_ms: i64) -> u64 {
    let millis = u64::try_from(until_ms.saturating_sub(now_ms)).unwrap_or(0);
    millis.div_ceil(1000).max(1)
}

/// Counts a login attempt under each of `keys`, unless one of them is still waiting out
/// its back-off: then nothing is counted and the answer is
/// [`AuthError::TooManyAttempts`] with the longest wait.
pub fn count_login_attempt(
    conn: &mut DbConn,
    limits: &AuthLimits,
    keys: &LoginKeys,
    now_ms: i64,
) -> Result<(), AuthError> {
    let mut charged = vec![(keys.account.as_str(), limits.login_free_per_account)];
    if let Some(address) = &keys.address {
        charged.push((address.as_str(), limits.login_free_per_address));
    }
    retry_first_insert(conn, |conn| {
        let mut counters = Vec::with_capacity(charged.len());
        let mut wait_until = None;
        for (key, free) in &charged {
            let stored = ThrottleCounter::lock(conn, key)?;
            let exists = stored.is_some();
            let mut counter = stored
                .filter(|c| c.last_attempt_ms >= now_ms.saturating_sub(FORGET_AFTER_MS))
                .unwrap_or(ThrottleCounter {
                    throttle_key: (*key).to_owned(),
                    attempts: 0,
                    last_attempt_ms: now_ms,
                    blocked_until_ms: 0,
                });
            if counter.blocked_until_ms > now_ms {
                wait_until = wait_until.max(Some(counter.blocked_until_ms));
            }
            counter.attempts = counter.attempts.saturating_add(1);
            counter.last_attempt_ms = now_ms;
            let attempts = u32::try_from(counter.attempts).unwrap_or(u32::MAX);
            counter.blocked_until_ms = match attempts.checked_sub(*free) {
                Some(beyond) => {
                    now_ms.saturating_add(backoff_ms(beyond, limits.login_backoff_max_ms))
                }
                None => 0,
            };
            counters.push((counter, exists));
        }
        if let Some(until) = wait_until {
            return Err(AuthError::TooManyAttempts {
                retry_after_secs: seconds_until(until, now_ms),
            });
        }
        if counters.iter().any(|(_, exists)| !exists) {
            ThrottleCounter::purge_stale(conn, now_ms.saturating_sub(FORGET_AFTER_MS), now_ms)?;
        }
        for (counter, exists) in &counters {
            counter.save(conn, *exists)?;
        }
        Ok(())
    })
}

/// After a successful login: the account's count is forgotten and the attempt is taken
/// back from the address's count (its back-off, if one started, runs out as it is).
pub fn login_succeeded(conn: &mut DbConn, keys: &LoginKeys) -> Result<(), AuthError> {
    write_transaction(conn, |conn| {
        ThrottleCounter::delete(conn, &keys.account)?;
        if let Some(address) = &keys.address
            && let Some(mut counter) = ThrottleCounter::lock(conn, address)?
        {
            counter.attempts = (counter.attempts - 1).max(0);
            counter.save(conn, true)?;
        }
        Ok(())
    })
}

/// Counts a registration under the client address and the citizen ID (fixed hourly
/// windows); past either limit the answer is [`AuthError::TooManyAttempts`] until the
/// window ends.
pub fn count_registration(
    conn: &mut DbConn,
    limits: &AuthLimits,
    client: Option<IpAddr>,
    citizen_id: &str,
    now_unix: i64,
) -> Result<(), AuthError> {
    let mut buckets = vec![(
        format!("register:citizen_id:{citizen_id}"),
        limits.register_per_citizen_id_per_hour,
    )];
    if let Some(address) = client {
        buckets.push((
            format!("register:address:{address}"),
            limits.register_per_address_per_hour,
        ));
    }
    for (bucket, limit) in buckets {
        if !crate::rate_limit::allow(conn, &bucket, REGISTER_WINDOW_SECS, limit, now_unix)? {
            let left = REGISTER_WINDOW_SECS - now_unix.rem_euclid(REGISTER_WINDOW_SECS);
            return Err(AuthError::TooManyAttempts {
                retry_after_secs: u64::try_from(left).unwrap_or(1).max(1),
            });
        }
    }
    Ok(())
}

/// Runs `work` in a write transaction, once more when two instances inserted the same
/// new counter at the same moment (the loser sees the winner's row the second time).
fn retry_first_insert<T>(
    conn: &mut DbConn,
    mut work: impl FnMut(&mut DbConn) -> Result<T, AuthError>,
) -> Result<T, AuthError> {
    let mut tries = 0;
    loop {
        match write_transaction(conn, &mut work) {
            Err(AuthError::Db(DbError::Duplicate { .. })) if tries < 2 => tries += 1,
            outcome => return outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let waits: Vec<i64> = (0..5).map(|n| backoff_ms(n, 900_000)).collect();
        assert_eq!(waits, [1000, 2000, 4000, 8000, 16000]);
        assert_eq!(backoff_ms(10, 900_000), 900_000);
        assert_eq!(backoff_ms(u32::MAX, 900_000), 900_000);
    }

    #[test]
    fn waits_are_rounded_up_to_whole_seconds() {
        assert_eq!(seconds_until(10_001, 9_000), 2);
        assert_eq!(seconds_until(10_000, 9_000), 1);
        assert_eq!(seconds_until(9_000, 9_000), 1);
    }

    #[test]
    fn login_names_are_counted_in_their_normal_form() {
        let spaced = LoginKeys::new(" Can.Bo ", None);
        assert_eq!(spaced.account, "login:account:can.bo");
        let address = "203.0.113.9".parse().ok();
        assert_eq!(
            LoginKeys::new("can.bo", address).address.as_deref(),
            Some("login:address:203.0.113.9")
        );
    }
}
