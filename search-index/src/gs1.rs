//! GS1 helpers: GTIN check digits and normalisation, UPC-E expansion, GS1 element
//! strings (raw with GS separators, or the bracketed human-readable form) and GS1
//! Digital Link URIs, plus [`recognise_code`] for whatever an officer typed into a
//! search box.
//!
//! Everything here is pure string work: no I/O, no allocation beyond the results.

mod ai;
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;

pub use parse::{parse_digital_link, parse_element_string};

/// The ASCII group separator that stands for FNC1 inside GS1 element strings.
pub const GS: char = '\u{1d}';

/// Why a string is not a valid GTIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GtinError {
    #[error("a GTIN has only digits")]
    NotDigits,
    #[error("a GTIN has 8, 12, 13 or 14 digits, this one has {0}")]
    Length(usize),
    #[error("a UPC-E code has 6, 7 or 8 digits, this one has {0}")]
    UpceLength(usize),
    #[error("a UPC-E code starts with number system 0 or 1, not {0}")]
    UpceNumberSystem(char),
    #[error("check digit should be {expected}, not {found}")]
    CheckDigit { expected: u8, found: u8 },
}

/// Why a string is not valid GS1 data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("this is not a GTIN, GS1 element string or GS1 Digital Link")]
    NotACode,
    #[error("GTIN: {0}")]
    Gtin(#[from] GtinError),
    #[error("unknown GS1 application identifier at \"{0}\"")]
    UnknownAi(String),
    #[error("({ai}) takes {expected} characters, found {found}")]
    WrongLength {
        ai: String,
        expected: usize,
        found: usize,
    },
    #[error("({ai}) takes at most {max} characters, found {found}")]
    TooLong {
        ai: String,
        max: usize,
        found: usize,
    },
    #[error("({ai}) has no value")]
    Empty { ai: String },
    #[error("({ai}) takes digits only, found \"{value}\"")]
    NotDigits { ai: String, value: String },
    #[error("({ai}) {value} is not a date in the form YYMMDD")]
    BadDate { ai: String, value: String },
    #[error("({ai}) check digit should be {expected}, not {found}")]
    CheckDigit { ai: String, expected: u8, found: u8 },
    #[error("({ai}) appears twice with different values")]
    Repeated { ai: String },
    #[error("bad percent-encoding in \"{0}\"")]
    Percent(String),
    #[error("a GS1 Digital Link needs a primary key in its path, such as /01/<GTIN>")]
    NoPrimaryKey,
    #[error("unbalanced brackets in \"{0}\"")]
    Brackets(String),
}

/// The GS1 mod-10 check digit of `digits` (which excludes the check digit): weights 3
/// and 1 alternate from the rightmost digit. Works for GTINs, SSCCs and GLNs alike.
/// Returns `None` if a character is not a digit.
pub fn check_digit(digits: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in digits.bytes().rev().enumerate() {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = u32::from(c - b'0');
        sum += if i % 2 == 0 { 3 * d } else { d };
    }
    // (10 - sum % 10) % 10 is at most 9.
    Some(((10 - sum % 10) % 10) as u8)
}

/// Checks the last digit of `digits` against the others.
fn verify_check_digit(digits: &str) -> Result<(), GtinError> {
    let (body, last) = digits.split_at(digits.len().saturating_sub(1));
    let expected = check_digit(body).ok_or(GtinError::NotDigits)?;
    let found = match last.as_bytes() {
        [c] if c.is_ascii_digit() => c - b'0',
        _ => return Err(GtinError::NotDigits),
    };
    if expected == found {
        Ok(())
    } else {
        Err(GtinError::CheckDigit { expected, found })
    }
}

/// A Global Trade Item Number, held in its 14-digit form with a valid check digit.
/// GTIN-8, UPC-A (GTIN-12), EAN-13 and GTIN-14 of the same item compare equal.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Gtin(String);

impl Gtin {
    /// Parses 8, 12, 13 or 14 digits (surrounding whitespace ignored) and checks the
    /// check digit.
    pub fn parse(text: &str) -> Result<Gtin, GtinError> {
        let text = text.trim();
        if !text.bytes().all(|c| c.is_ascii_digit()) {
            return Err(GtinError::NotDigits);
        }
        if !matches!(text.len(), 8 | 12 | 13 | 14) {
            return Err(GtinError::Length(text.len()));
        }
        verify_check_digit(text)?;
        Ok(Gtin(format!("{text:0>14}")))
    }

    /// The 14-digit form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shorter forms this GTIN has, shortest first: GTIN-8 (when it starts with six
    /// zeros), UPC-A (two zeros), EAN-13 (one zero). Empty for a true GTIN-14.
    pub fn forms(&self) -> Vec<String> {
        [8, 12, 13]
            .into_iter()
            .filter(|&len| self.0.bytes().take(14 - len).all(|c| c == b'0'))
            .map(|len| self.0[14 - len..].to_string())
            .collect()
    }

    /// The shortest form, as printed under the barcode.
    pub fn display_form(&self) -> String {
        self.forms()
            .into_iter()
            .next()
            .unwrap_or_else(|| self.0.clone())
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gtin({})", self.0)
    }
}

impl std::str::FromStr for Gtin {
    type Err = GtinError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Gtin::parse(s)
    }
}

/// Expands a UPC-E code to its UPC-A GTIN. Accepts 8 digits (number system, six data
/// digits, check digit; the check digit is verified), 7 digits (no check digit) or 6
/// digits (number system 0 assumed, no check digit).
pub fn expand_upce(text: &str) -> Result<Gtin, GtinError> {
    let text = text.trim();
    if !text.bytes().all(|c| c.is_ascii_digit()) {
        return Err(GtinError::NotDigits);
    }
    let (system, data, check) = match text.len() {
        6 => ("0", text, None),
        7 => (&text[..1], &text[1..], None),
        8 => (&text[..1], &text[1..7], Some(&text[7..])),
        n => return Err(GtinError::UpceLength(n)),
    };
    if system != "0" && system != "1" {
        let c = system.chars().next().unwrap_or('?');
        return Err(GtinError::UpceNumberSystem(c));
    }
    let d = data.as_bytes();
    let s = |range: std::ops::Range<usize>| &data[range];
    let body = match d[5] {
        b'0'..=b'2' => format!("{}{}0000{}", s(0..2), s(5..6), s(2..5)),
        b'3' => format!("{}00000{}", s(0..3), s(3..5)),
        b'4' => format!("{}00000{}", s(0..4), s(4..5)),
        _ => format!("{}0000{}", s(0..5), s(5..6)),
    };
    let body = format!("{system}{body}");
    let expected = check_digit(&body).ok_or(GtinError::NotDigits)?;
    if let Some(check) = check {
        let found = check.as_bytes()[0] - b'0';
        if found != expected {
            return Err(GtinError::CheckDigit { expected, found });
        }
    }
    Gtin::parse(&format!("{body}{expected}"))
}

/// A GS1 date (AIs 11 to 17). A day of 00 in the data means the last day of the month;
/// `day` then holds that last day and `day_given` is false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gs1Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub day_given: bool,
}

impl Gs1Date {
    /// Parses YYMMDD, choosing the century by the GS1 rule (General Specifications
    /// 7.12) relative to `current_year`: a year more than 50 ahead is in the past
    /// century, one more than 49 behind is in the next.
    pub fn parse_yymmdd(text: &str, current_year: u16) -> Option<Gs1Date> {
        if text.len() != 6 || !text.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let yy: i32 = text[0..2].parse().ok()?;
        let month: u8 = text[2..4].parse().ok()?;
        let day: u8 = text[4..6].parse().ok()?;
        let current = i32::from(current_year);
        let century = current - current.rem_euclid(100);
        let diff = yy - current.rem_euclid(100);
        let year = if diff >= 51 {
            century - 100 + yy
        } else if diff <= -50 {
            century + 100 + yy
        } else {
            century + yy
        };
        let year = u16::try_from(year).ok()?;
        if !(1..=12).contains(&month) {
            return None;
        }
        let last = days_in_month(year, month);
        match day {
            0 => Some(Gs1Date {
                year,
                month,
                day: last,
                day_given: false,
            }),
            d if d <= last => Some(Gs1Date {
                year,
                month,
                day: d,
                day_given: true,
            }),
            _ => None,
        }
    }
}

impl fmt::Display for Gs1Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Gs1Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// This year by the system clock (UTC), for the GS1 century rule.
fn current_year() -> u16 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Days since 1970-01-01 to a civil year (H. Hinnant's algorithm).
    let days = (secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    u16::try_from(year).unwrap_or(2026)
}

/// What a GS1 code says. AIs other than GTIN (01), batch/lot (10), best before (15),
/// expiry (17) and serial (21) are kept in `other` as (AI, value) in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Gs1Data {
    pub gtin: Option<Gtin>,
    pub lot: Option<String>,
    pub serial: Option<String>,
    pub expiry: Option<Gs1Date>,
    pub best_before: Option<Gs1Date>,
    pub other: Vec<(String, String)>,
    /// Other GTINs the input could equally mean: an 8-digit code valid both as a GTIN-8
    /// and as a UPC-E gives the GTIN-8 in `gtin` and the UPC-E expansion here.
    pub alternatives: Vec<Gtin>,
}

impl Gs1Data {
    /// The value of another AI, if present.
    pub fn get(&self, ai: &str) -> Option<&str> {
        self.other
            .iter()
            .find(|(key, _)| key == ai)
            .map(|(_, value)| value.as_str())
    }
}

/// Parses what an officer typed (or a scanner sent): a GTIN with or without spaces and
/// dashes, a UPC-E code, a GS1 Digital Link URI, or a GS1 element string (raw with GS
/// separators, bracketed, or with a symbology identifier such as `]d2`).
///
/// `Err(Gs1Error::NotACode)` means ordinary text; other errors mean the input looks
/// like a code but is not a valid one (for example a wrong check digit), and say why.
pub fn parse_code(input: &str) -> Result<Gs1Data, Gs1Error> {
    let text = input.trim_matches(|c: char| c.is_whitespace());
    if text.is_empty() {
        return Err(Gs1Error::NotACode);
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return match parse_digital_link(text) {
            Err(Gs1Error::NoPrimaryKey) => Err(Gs1Error::NotACode),
            other => other,
        };
    }
    if text.starts_with(']') || text.starts_with('(') || text.contains(GS) {
        return parse_element_string(text);
    }
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(Gs1Error::NotACode);
    }
    match digits.len() {
        8 => {
            let gtin8 = Gtin::parse(&digits);
            let upce = expand_upce(&digits);
            match (gtin8, upce) {
                (Ok(gtin), Ok(alt)) => Ok(Gs1Data {
                    gtin: Some(gtin),
                    alternatives: vec![alt],
                    ..Gs1Data::default()
                }),
                (Ok(gtin), Err(_)) | (Err(_), Ok(gtin)) => Ok(Gs1Data {
                    gtin: Some(gtin),
                    ..Gs1Data::default()
                }),
                (Err(e), Err(_)) => Err(e.into()),
            }
        }
        12..=14 => Ok(Gs1Data {
            gtin: Some(Gtin::parse(&digits)?),
            ..Gs1Data::default()
        }),
        n if n >= 16 && ai::lookup_prefix(&digits).is_some() => parse_element_string(&digits),
        _ => Err(Gs1Error::NotACode),
    }
}

/// [`parse_code`] for a search box: the parsed data when the input is a valid code,
/// `None` when it is ordinary text or an invalid code.
pub fn recognise_code(input: &str) -> Option<Gs1Data> {
    parse_code(input).ok()
}
