//! Verification codes: 20 characters of Crockford base32 (100 bits from the OS random
//! generator), printed in groups of four under the QR code. Unguessable, so knowing the
//! code is what grants a look at a copy's public status.

use ring::rand::{SecureRandom, SystemRandom};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Length of a code in characters (5 bits each).
pub const CODE_LENGTH: usize = 20;

/// A fresh code (canonical form: upper case, no separators).
pub fn new_verification_code() -> String {
    let mut bytes = [0u8; CODE_LENGTH];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random generator is available");
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 0x1f)]))
        .collect()
}

/// Canonical form of a typed code: separators and spaces dropped, case folded, the
/// look-alikes of Crockford base32 mapped (O→0, I/L→1). `None` when it cannot be a code.
pub fn normalize_verification_code(input: &str) -> Option<String> {
    let mut code = String::with_capacity(CODE_LENGTH);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' | '.' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        code.push(c);
    }
    (code.len() == CODE_LENGTH).then_some(code)
}

/// The code as printed: groups of four joined by dashes.
pub fn display_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_random_and_normalisable() {
        let a = new_verification_code();
        assert_eq!(a.len(), CODE_LENGTH);
        assert_ne!(a, new_verification_code());
        let printed = display_code(&a);
        assert_eq!(printed.len(), CODE_LENGTH + 4);
        assert_eq!(
            normalize_verification_code(&printed.to_lowercase()).as_deref(),
            Some(a.as_str())
        );
        assert_eq!(
            normalize_verification_code("oooo-iiii-llll-0000-1111").as_deref(),
            Some("00001111111100001111")
        );
        assert!(normalize_verification_code("short").is_none());
        assert!(
            normalize_verification_code("UUUUUUUUUUUUUUUUUUUU").is_none(),
            "U is not in the alphabet"
        );
        assert!(normalize_verification_code("ĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐ").is_none());
    }
}
