//! Vietnamese mobile numbers, parsed once into a canonical form.
use serde::{Deserialize, Serialize};

/// A Vietnamese mobile number in its canonical 10-digit form ("0912345678").
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    Empty,
    NotDigits,
    WrongLength,
    UnknownPrefix,
}

/// Mobile prefixes in use since the 2018 renumbering (Viettel, VinaPhone,
/// MobiFone, Vietnamobile, Gmobile, Itelecom, Reddi).
fn valid_prefix(p: &str) -> bool {
    let b = p.as_bytes();
    matches!(
        (b[1], b[2]),
        (b'3', b'2'..=b'9')
            | (b'5', b'2' | b'5' | b'6' | b'8' | b'9')
            | (b'7', b'0' | b'6'..=b'9')
            | (b'8', b'1'..=b'9')
            | (b'9', b'0'..=b'9')
    )
}

impl PhoneNumber {
    /// Accepts spaces, dots, dashes and the +84 / 84 country prefix.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let mut digits: String = input.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        if let Some(rest) = digits.strip_prefix('+') {
            digits = rest.to_string();
        }
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(PhoneError::NotDigits);
        }
        if digits.starts_with("84") && digits.len() == 11 {
            digits = format!("0{}", &digits[2..]);
        }
        if digits.len() != 10 || !digits.starts_with('0') {
            return Err(PhoneError::WrongLength);
        }
        if !valid_prefix(&digits[..3]) {
            return Err(PhoneError::UnknownPrefix);
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown in public places: "091****678".
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks all but the first three and last three digits of a stored number.
pub fn mask(phone: &str) -> String {
    if phone.len() < 7 {
        return "*".repeat(phone.len());
    }
    format!("{}****{}", &phone[..3], &phone[phone.len() - 3..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_forms() {
        for s in ["0912345678", "091 234 5678", "+84912345678", "84912345678", "0912.345.678", "0386-123-456"] {
            assert!(PhoneNumber::parse(s).is_ok(), "{s}");
        }
        assert_eq!(PhoneNumber::parse("+84 912 345 678").unwrap().as_str(), "0912345678");
    }

    #[test]
    fn rejects_bad_numbers() {
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse("09123abc78"), Err(PhoneError::NotDigits));
        assert_eq!(PhoneNumber::parse("091234567"), Err(PhoneError::WrongLength));
        assert_eq!(PhoneNumber::parse("02438123456"), Err(PhoneError::WrongLength));
        assert_eq!(PhoneNumber::parse("0112345678"), Err(PhoneError::UnknownPrefix));
        assert_eq!(PhoneNumber::parse("0312345678"), Err(PhoneError::UnknownPrefix));
    }

    #[test]
    fn masks() {
        assert_eq!(PhoneNumber::parse("0912345678").unwrap().masked(), "091****678");
    }
}
