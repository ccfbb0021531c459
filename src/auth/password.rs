//! Passwords: the strength rules, and Argon2id hashing (RFC 9106; parameters: the argon2
//! crate's defaults, m = 19 MiB, t = 2, p = 1, as OWASP recommends).
//!
//! Requests hash through [`PasswordHasher`], never while holding a database connection
//! (docs/ARCHITECTURE.md §9): a hash costs tens of milliseconds of CPU and 19 MiB of
//! memory, so the hasher runs a bounded number at once on threads of its own and answers
//! 503 `service_busy` when no slot frees up in time.

use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use rocket::tokio::sync::Semaphore;

use super::AuthError;
use crate::secrets::new_secret_token;

/// Minimum password length.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Maximum password length (bounds the hashing cost of a hostile request).
pub const MAX_PASSWORD_BYTES: usize = 128;

/// Refuses weak passwords: too short or long, only one kind of character, or containing
/// the person's own citizen ID / phone.
pub fn check_password_strength(password: &str, personal: &[&str]) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword(PasswordWeakness::TooShort));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AuthError::WeakPassword(PasswordWeakness::TooLong));
    }
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !has_letter || !has_digit {
        return Err(AuthError::WeakPassword(
            PasswordWeakness::NeedsLettersAndDigits,
        ));
    }
    let lower = password.to_lowercase();
    if personal
        .iter()
        .any(|p| p.len() >= 6 && lower.contains(&p.to_lowercase()))
    {
        return Err(AuthError::WeakPassword(
            PasswordWeakness::ContainsPersonalData,
        ));
    }
    Ok(())
}

/// Why a password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordWeakness {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    TooShort,
    /// More than [`MAX_PASSWORD_BYTES`] bytes.
    TooLong,
    /// Needs at least one letter and one digit.
    NeedsLettersAndDigits,
    /// Contains the citizen ID or phone number.
    ContainsPersonalData,
}

/// Hashes a password into a PHC string with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AuthError::Hashing(e.to_string()))
}

/// Checks a password against a stored PHC string. A malformed stored hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// An Argon2id hash of a random secret, checked when no account matches a login so the
/// answer takes as long as for a real account.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&new_secret_token("")).unwrap_or_default())
}

/// Hashes and checks passwords for requests: on `slots` threads of its own, each caller
/// waiting at most `wait` for a free one. Cheap to clone; clones share the threads, which
/// end when the last clone is dropped.
///
/// Dedicated threads rather than Tokio's blocking pool: each thread that ever hashed keeps
/// its 19 MiB in its allocator arena, so memory stays at about `slots` × 19 MiB however
/// many requests come, where hundreds of blocking-pool threads would each keep their own.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    permits: usize,
    wait: Duration,
    jobs: std::sync::mpsc::Sender<HashJob>,
}

/// Work for a hashing thread.
type HashJob = Box<dyn FnOnce() + Send>;

impl PasswordHasher {
    /// A hasher with `permits` (at least 1) threads, each caller waiting at most `wait`.
    pub fn new(permits: usize, wait: Duration) -> std::io::Result<PasswordHasher> {
        let permits = permits.max(1);
        let (jobs, queue) = std::sync::mpsc::channel::<HashJob>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for _ in 0..permits {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name("password-hash".into())
                .spawn(move || {
                    loop {
                        // The lock is held only while taking a job, not while running it.
                        let job = match queue.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })?;
        }
        Ok(PasswordHasher {
            slots: Arc::new(Semaphore::new(permits)),
            permits,
            wait,
            jobs,
        })
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: String) -> Result<String, AuthError> {
        self.run(move || hash_password(&password)).await?
    }

    /// Checks `password` against every stored hash (against a dummy hash when there are
    /// none, so unknown logins cost the same) and answers the index of the first match.
    pub async fn find_match(
        &self,
        password: String,
        stored: Vec<String>,
    ) -> Result<Option<usize>, AuthError> {
        self.run(move || {
            if stored.is_empty() {
                let _ = verify_password(&password, dummy_hash());
                return None;
            }
            let mut matched = None;
            // Every candidate is checked, so the time does not depend on which one matches.
            for (index, hash) in stored.iter().enumerate() {
                if verify_password(&password, hash) && matched.is_none() {
                    matched = Some(index);
                }
            }
            matched
        })
        .await
    }

    /// Hashing slots free right now.
    pub fn free_slots(&self) -> usize {
        self.slots.available_permits()
    }

    /// Hashing slots in all.
    pub fn slots(&self) -> usize {
        self.permits
    }

    /// Runs `work` on a hashing thread once a slot is free. The slot is held by the job
    /// itself, so a client that goes away does not free it before the CPU and memory are.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AuthError> {
        let busy = || AuthError::Busy {
            retry_after_secs: self.wait.as_secs().max(1),
        };
        let permit = rocket::tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        let (answer, answered) = rocket::tokio::sync::oneshot::channel();
        let job: HashJob = Box::new(move || {
            let result = work();
            drop(permit);
            let _ = answer.send(result);
        });
        self.jobs
            .send(job)
            .map_err(|_| AuthError::Hashing("the hashing threads have stopped".into()))?;
        answered
            .await
            .map_err(|_| AuthError::Hashing("a hashing job was lost".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let stored = hash_password("Hoa-sen-2026").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_password("Hoa-sen-2026", &stored));
        assert!(!verify_password("Hoa-sen-2027", &stored));
        assert!(!verify_password("Hoa-sen-2026", "not a hash"));
    }

    #[test]
    fn password_rules() {
        assert!(check_password_strength("ngan1", &[]).is_err());
        assert!(check_password_strength("chuachuachua", &[]).is_err());
        assert!(check_password_strength("12345678901", &[]).is_err());
        assert!(check_password_strength("x079203001234", &["079203001234"]).is_err());
        assert!(check_password_strength(&"a1".repeat(80), &[]).is_err());
        assert!(check_password_strength("Hoa-sen-2026", &["079203001234"]).is_ok());
    }

    #[rocket::async_test]
    async fn hasher_checks_every_candidate_and_refuses_when_saturated() {
        let hasher = PasswordHasher::new(1, Duration::from_millis(20)).unwrap();
        let stored = hasher.hash("Hoa-sen-2026".into()).await.unwrap();
        let other = hash_password("Hoa-sen-2027").unwrap();
        let found = hasher
            .find_match("Hoa-sen-2026".into(), vec![other.clone(), stored])
            .await
            .unwrap();
        assert_eq!(found, Some(1));
        let none = hasher.find_match("Hoa-sen-2026".into(), vec![]).await;
        assert_eq!(none.unwrap(), None);

        let slow = hasher.clone();
        let holder = rocket::tokio::spawn(async move {
            slow.run(|| std::thread::sleep(Duration::from_millis(300)))
                .await
        });
        while hasher.free_slots() > 0 {
            rocket::tokio::task::yield_now().await;
        }
        let refused = hasher.hash("Hoa-sen-2026".into()).await;
        assert!(
            matches!(
                refused,
                Err(AuthError::Busy {
                    retry_after_secs: 1
                })
            ),
            "{refused:?}"
        );
        holder.await.unwrap().unwrap();
        assert_eq!(hasher.free_slots(), 1);
    }
}
