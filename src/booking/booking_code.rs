//! Human-readable booking codes, e.g. `K7QM-3XPA`: what a citizen reads out at the counter or
//! types in to find an appointment.
//!
//! 8 characters from a 32-symbol alphabet without the look-alikes 0/O and 1/I, so 40 bits
//! = 5 random bytes. The caller supplies the bytes from a cryptographically secure source
//! (e.g. `ring::rand::SystemRandom`) and retries on the database's unique-constraint
//! conflict; this module needs no RNG crate.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{PublicError, UserFacing};

/// The code alphabet: digits 2–9 and letters A–Z without I and O.
pub const BOOKING_CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters in a code (dash excluded).
pub const BOOKING_CODE_LENGTH: usize = 8;
/// Random bytes one code consumes (8 × 5 bits).
pub const BOOKING_CODE_RANDOM_BYTES: usize = 5;

/// A booking code. Displays grouped (`K7QM-3XPA`); [`as_compact`](Self::as_compact) gives the
/// ungrouped form to store under a unique index.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BookingCode([u8; BOOKING_CODE_LENGTH]);

impl BookingCode {
    /// The code spelled by 40 random bits, 5 bits per character.
    pub fn from_random_bytes(bytes: [u8; BOOKING_CODE_RANDOM_BYTES]) -> Self {
        let bits = bytes
            .iter()
            .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte));
        let mut code = [0u8; BOOKING_CODE_LENGTH];
        for (index, symbol) in code.iter_mut().enumerate() {
            let shift = 5 * (BOOKING_CODE_LENGTH - 1 - index);
            // Masked to 5 bits, so always a valid index into the 32-symbol alphabet.
            *symbol = BOOKING_CODE_ALPHABET[((bits >> shift) & 0x1f) as usize];
        }
        Self(code)
    }

    /// The 8 characters without the dash, e.g. `K7QM3XPA`.
    pub fn as_compact(&self) -> &str {
        std::str::from_utf8(&self.0).expect("booking code bytes come from the ASCII alphabet")
    }
}

impl fmt::Display for BookingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let compact = self.as_compact();
        let (first, second) = compact.split_at(BOOKING_CODE_LENGTH / 2);
        write!(f, "{first}-{second}")
    }
}

impl fmt::Debug for BookingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BookingCode({self})")
    }
}

impl FromStr for BookingCode {
    type Err = BookingCodeError;

    /// Accepts any case, with or without dashes and spaces (`k7qm 3xpa`, `K7QM-3XPA`).
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let mut code = [0u8; BOOKING_CODE_LENGTH];
        let mut length = 0;
        for character in input.chars().filter(|c| *c != '-' && !c.is_whitespace()) {
            let upper = character.to_ascii_uppercase();
            let valid = u8::try_from(upper)
                .ok()
                .filter(|byte| BOOKING_CODE_ALPHABET.contains(byte));
            let Some(byte) = valid else {
                return Err(BookingCodeError::InvalidCharacter { character });
            };
            if let Some(slot) = code.get_mut(length) {
                *slot = byte;
            }
            length += 1;
        }
        if length == BOOKING_CODE_LENGTH {
            Ok(Self(code))
        } else {
            Err(BookingCodeError::WrongLength { found: length })
        }
    }
}

impl Serialize for BookingCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BookingCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a typed booking code was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BookingCodeError {
    /// Not 8 code characters.
    #[error("a booking code has 8 characters, got {found}")]
    WrongLength {
        /// Code characters found (dashes and spaces ignored).
        found: usize,
    },
    /// A character outside the alphabet (0, O, 1, I, punctuation…).
    #[error("{character:?} does not occur in booking codes")]
    InvalidCharacter {
        /// The character.
        character: char,
    },
}

impl UserFacing for BookingCodeError {
    fn public(&self) -> PublicError {
        match self {
            Self::WrongLength { found } => PublicError::new(
                422,
                "booking_code_length",
                format!("Mã đặt lịch gồm 8 ký tự, đã nhập {found} ký tự."),
                format!("A booking code has 8 characters; {found} were entered."),
            ),
            Self::InvalidCharacter { character } => PublicError::new(
                422,
                "booking_code_character",
                {
                    format!(
                        "Ký tự \"{character}\" không có trong mã đặt lịch (mã không dùng 0, O, 1, I)."
                    )
                },
                {
                    format!(
                        "\"{character}\" does not occur in booking codes (they never use 0, O, 1 or I)."
                    )
                },
            ),
        }
    }
}

#[cfg(test)]
#[rustfmt::skip::macros(date)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_has_no_look_alikes() {
        for excluded in b"01IO" {
            assert!(!BOOKING_CODE_ALPHABET.contains(excluded));
        }
        let mut sorted = BOOKING_CODE_ALPHABET.to_vec();
        sorted.dedup();
        assert_eq!(sorted.len(), 32);
    }

    #[test]
    fn bytes_map_to_a_grouped_code() {
        assert_eq!(
            BookingCode::from_random_bytes([0; 5]).to_string(),
            "2222-2222"
        );
        assert_eq!(
            BookingCode::from_random_bytes([0xff; 5]).to_string(),
            "ZZZZ-ZZZZ"
        );
        // 0x08 0x86 0x42 0x98 0xe8 = 00001 00010 00011 00100 00101 00110 00111 01000 → indices 1…8.
        let code = BookingCode::from_random_bytes([0x08, 0x86, 0x42, 0x98, 0xe8]);
        assert_eq!(code.as_compact(), "3456789A");
        assert_eq!(code.to_string(), "3456-789A");
    }

    #[test]
    fn parser_normalises_case_dashes_and_spaces() {
        let code = BookingCode::from_random_bytes([0x08, 0x86, 0x42, 0x98, 0xe8]);
        for typed in ["3456-789A", "3456789a", " 3456 789a ", "34-56-78-9a"] {
            assert_eq!(typed.parse::<BookingCode>(), Ok(code), "{typed:?}");
        }
        assert_eq!(
            "3456-789".parse::<BookingCode>(),
            Err(BookingCodeError::WrongLength { found: 7 })
        );
        assert_eq!(
            "3456-789AB".parse::<BookingCode>(),
            Err(BookingCodeError::WrongLength { found: 9 })
        );
        assert_eq!(
            "3456-789O".parse::<BookingCode>(),
            Err(BookingCodeError::InvalidCharacter { character: 'O' })
        );
        assert!("3456-789Đ".parse::<BookingCode>().is_err());
        assert!("".parse::<BookingCode>().is_err());
    }

    #[test]
    fn serde_uses_the_grouped_form() {
        let code = BookingCode::from_random_bytes([1, 2, 3, 4, 5]);
        let json = serde_json::to_string(&code).expect("serialises");
        assert_eq!(json, format!("\"{code}\""));
        assert_eq!(
            serde_json::from_str::<BookingCode>(&json).expect("parses"),
            code
        );
        assert!(serde_json::from_str::<BookingCode>("\"0000-0000\"").is_err());
    }
}
