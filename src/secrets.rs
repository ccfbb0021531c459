//! Random secrets (session tokens, API keys, appointment management links) and the
//! SHA-256 hashes the database stores instead of them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

/// A fresh random secret: 32 bytes (256 bits) from the OS, base64url without padding,
/// behind an optional readable prefix (`cc_live_` for API keys).
pub fn new_secret_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random generator is available");
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of a token, hex: what the database stores.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hashed() {
        let a = new_secret_token("cc_");
        let b = new_secret_token("cc_");
        assert_ne!(a, b);
        assert!(a.starts_with("cc_") && a.len() == 3 + 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }
}
