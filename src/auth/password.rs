//! Passwords: the strength rules, and Argon2id hashing (RFC 9106; parameters: the argon2
//! crate's defaults, m = 19 MiB, t = 2, p = 1, as OWASP recommends).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::AuthError;

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
}
