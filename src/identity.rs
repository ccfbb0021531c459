//! Who a person says they are: the checks and normal forms of a citizen identity number,
//! a full name, a Vietnamese mobile number and an e-mail address, and the text checks a
//! document title shares with names.
//!
//! Names and titles are NFC-normalised first (Unicode Standard Annex #15), so a name typed
//! with combining accents ("Nguye\u{302}\u{303}n") is the same name as the precomposed one;
//! then a word that mixes scripts (Latin with Cyrillic or Greek look-alikes, Unicode
//! Technical Standard #39 §5) or any bidirectional control character is refused, so a
//! name on a certified copy cannot be made to look like another one
//! (docs/ARCHITECTURE.md §9).
//!
//! Shared by account registration ([`crate::auth`]), walk-in appointments at the desk
//! ([`crate::booking`]) and the requester of an issued copy ([`crate::registry`]); a
//! refusal is an [`IdentityError`], which each of them wraps as it is.

use unicode_normalization::UnicodeNormalization;
use unicode_security::MixedScript;

use crate::error::{PublicError, UserFacing};

/// What a person typed that does not identify them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// Citizen ID is not 12 digits opening with a province code.
    #[error("invalid citizen ID number")]
    InvalidCitizenId,
    /// Phone is not a Vietnamese mobile number.
    #[error("invalid phone number")]
    InvalidPhone,
    /// E-mail address is malformed.
    #[error("invalid e-mail address")]
    InvalidEmail,
    /// Full name empty, too long or with odd characters.
    #[error("invalid full name")]
    InvalidFullName,
    /// A word mixes letters of several scripts (e.g. a Cyrillic "а" among Latin letters).
    #[error("mixed scripts in one word")]
    MixedScript,
    /// A bidirectional control character (e.g. U+202E) would reorder what is shown.
    #[error("bidirectional control character")]
    BidiControl,
}

impl UserFacing for IdentityError {
    fn public(&self) -> PublicError {
        match self {
            IdentityError::InvalidCitizenId => PublicError::new(
                422,
                "invalid_citizen_id",
                "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số, bắt đầu bằng mã tỉnh.".into(),
                "The citizen ID number must be exactly 12 digits starting with a province code."
                    .into(),
            ),
            IdentityError::InvalidPhone => PublicError::new(
                422,
                "invalid_phone",
                "Số điện thoại không hợp lệ (ví dụ đúng: 0912345678).".into(),
                "Invalid phone number (e.g. 0912345678).".into(),
            ),
            IdentityError::InvalidEmail => PublicError::new(
                422,
                "invalid_email",
                "Địa chỉ thư điện tử không hợp lệ.".into(),
                "Invalid e-mail address.".into(),
            ),
            IdentityError::InvalidFullName => PublicError::new(
                422,
                "invalid_full_name",
                "Họ và tên không hợp lệ (2–100 ký tự, chỉ gồm chữ cái và khoảng trắng).".into(),
                "Invalid full name (2–100 characters, letters and spaces only).".into(),
            ),
            IdentityError::MixedScript => PublicError::new(
                422,
                "mixed_script",
                "Một từ trộn chữ cái của nhiều hệ chữ (ví dụ chữ Kirin hoặc Hy Lạp giống chữ Latinh). Hãy gõ lại bằng bộ gõ tiếng Việt.".into(),
                "A word mixes letters of different scripts (e.g. Cyrillic or Greek look-alikes of Latin letters). Please type it again with a Vietnamese keyboard.".into(),
            ),
            IdentityError::BidiControl => PublicError::new(
                422,
                "bidi_control",
                "Văn bản chứa ký tự điều khiển hướng viết (vô hình), không được chấp nhận.".into(),
                "The text contains an invisible text-direction control character, which is not accepted.".into(),
            ),
        }
    }
}

/// Province codes that open a 12-digit citizen identity number (Circular 07/2016/TT-BCA,
/// Annex: codes of the 63 provinces and centrally-run cities).
const PROVINCE_CODES: &[&str] = &[
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020",
    "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038",
    "040", "042", "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060",
    "062", "064", "066", "067", "068", "070", "072", "074", "075", "077", "079", "080", "082",
    "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
];

/// Checks a citizen identity number: exactly 12 ASCII digits opening with a province
/// code. Spaces, dots and dashes typed between digit groups are removed first.
pub fn normalize_citizen_id(input: &str) -> Result<String, IdentityError> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdentityError::InvalidCitizenId);
    }
    if !PROVINCE_CODES.contains(&&digits[..3]) {
        return Err(IdentityError::InvalidCitizenId);
    }
    Ok(digits)
}

/// Normalises a Vietnamese mobile number to `0` + 9 digits (`+84…`/`84…` accepted).
pub fn normalize_phone(input: &str) -> Result<String, IdentityError> {
    let compact: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let national = if let Some(rest) = compact.strip_prefix("+84") {
        format!("0{rest}")
    } else if compact.starts_with("84") && compact.len() == 11 {
        format!("0{}", &compact[2..])
    } else {
        compact
    };
    let valid = national.len() == 10
        && national.starts_with('0')
        && national.bytes().all(|b| b.is_ascii_digit())
        && matches!(national.as_bytes()[1], b'3' | b'5' | b'7' | b'8' | b'9');
    if valid {
        Ok(national)
    } else {
        Err(IdentityError::InvalidPhone)
    }
}

/// Normalises an e-mail address to lower case and checks its shape.
pub fn normalize_email(input: &str) -> Result<String, IdentityError> {
    let email = input.trim().to_lowercase();
    let Some((local, domain)) = email.split_once('@') else {
        return Err(IdentityError::InvalidEmail);
    };
    let valid = !local.is_empty()
        && email.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@');
    if valid {
        Ok(email)
    } else {
        Err(IdentityError::InvalidEmail)
    }
}

/// Bidirectional formatting characters (Unicode Standard Annex #9, Table 1 and §2.7):
/// ALM, LRM, RLM, the embeddings and overrides (LRE…RLO, PDF) and the isolates (LRI…PDI).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// NFC form of `input` with spaces collapsed, refused when it holds a bidirectional
/// control character or a word whose letters belong to no single script (UTS #39
/// single-script test; digits and punctuation belong to every script).
pub fn normalize_display_text(input: &str) -> Result<String, IdentityError> {
    if input.chars().any(is_bidi_control) {
        return Err(IdentityError::BidiControl);
    }
    let text: String = input.nfc().collect();
    if !text.split_whitespace().all(|word| word.is_single_script()) {
        return Err(IdentityError::MixedScript);
    }
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Normalises a full name: NFC, no bidi controls or mixed-script words
/// ([`normalize_display_text`]), spaces collapsed; 2–100 characters, letters, spaces and
/// a few punctuation marks.
pub fn normalize_full_name(input: &str) -> Result<String, IdentityError> {
    let name = normalize_display_text(input)?;
    let length = name.chars().count();
    let allowed = name
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | '\'' | '-'));
    if (2..=100).contains(&length) && allowed {
        Ok(name)
    } else {
        Err(IdentityError::InvalidFullName)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_id_rules() {
        assert_eq!(
            normalize_citizen_id("079 203 001 234").unwrap(),
            "079203001234"
        );
        assert!(normalize_citizen_id("07920300123").is_err(), "11 digits");
        assert!(normalize_citizen_id("0792030012345").is_err(), "13 digits");
        assert!(normalize_citizen_id("07920300123a").is_err(), "letter");
        assert!(
            normalize_citizen_id("003203001234").is_err(),
            "003 is not a province"
        );
        assert!(
            normalize_citizen_id("٠٧٩٢٠٣٠٠١٢٣٤").is_err(),
            "non-ASCII digits"
        );
    }

    #[test]
    fn phone_rules() {
        assert_eq!(normalize_phone("+84 912 345 678").unwrap(), "0912345678");
        assert_eq!(normalize_phone("84912345678").unwrap(), "0912345678");
        assert_eq!(normalize_phone("0912-345-678").unwrap(), "0912345678");
        assert!(normalize_phone("0112345678").is_err());
        assert!(normalize_phone("091234567").is_err());
    }

    #[test]
    fn email_and_name_rules() {
        assert_eq!(normalize_email(" An@Example.VN ").unwrap(), "an@example.vn");
        assert!(normalize_email("an@example").is_err());
        assert!(normalize_email("an example@x.vn").is_err());
        assert_eq!(
            normalize_full_name("  Nguyễn   Văn  An ").unwrap(),
            "Nguyễn Văn An"
        );
        assert!(normalize_full_name("A").is_err());
        assert!(normalize_full_name("Robert'); DROP TABLE").is_err());
    }

    #[test]
    fn names_are_nfc_and_single_script() {
        let decomposed = "Nguye\u{302}\u{303}n Va\u{306}n An";
        assert_eq!(normalize_full_name(decomposed).unwrap(), "Nguyễn Văn An");
        // Cyrillic а (U+0430) in a Latin word; Greek ο (U+03BF) likewise.
        assert_eq!(
            normalize_full_name("Nguyễn V\u{430}n An"),
            Err(IdentityError::MixedScript)
        );
        assert_eq!(
            normalize_full_name("H\u{3BF}ang"),
            Err(IdentityError::MixedScript)
        );
        // One script per word is fine, whichever it is.
        assert!(normalize_full_name("Иван Petrov").is_ok());
        for control in ['\u{202E}', '\u{200F}', '\u{2066}', '\u{061C}'] {
            assert_eq!(
                normalize_full_name(&format!("Nguyễn{control} An")),
                Err(IdentityError::BidiControl)
            );
        }
        assert_eq!(
            normalize_display_text("Bằng tốt nghiệp THPT 2024").unwrap(),
            "Bằng tốt nghiệp THPT 2024"
        );
    }
}
