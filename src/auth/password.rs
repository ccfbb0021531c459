//! Argon2id password hashing (RFC 9106; parameters: the argon2 crate's defaults,
//! m = 19 MiB, t = 2, p = 1, as OWASP recommends).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::AuthError;

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
}
