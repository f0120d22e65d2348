//! A small private GTIN normaliser: GTIN-8, UPC-A (12), EAN-13 and GTIN-14 forms of one
//! code all become the same 14 digits. (`crate::gs1` is the full implementation; this
//! module only needs the check digit.)

/// Returns the 14-digit form when `input` (spaces and dashes ignored) is 8, 12, 13 or 14
/// digits with a valid GS1 check digit.
pub(crate) fn normalise(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if !matches!(digits.len(), 8 | 12 | 13 | 14) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let padded = format!("{digits:0>14}");
    check_digit_ok(&padded).then_some(padded)
}

fn check_digit_ok(gtin14: &str) -> bool {
    let bytes = gtin14.as_bytes();
    let sum: u32 = bytes[..13]
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                d * 3
            } else {
                d
            }
        })
        .sum();
    let check = (10 - sum % 10) % 10;
    u32::from(bytes[13] - b'0') == check
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn forms_of_one_code_agree() {
        // UPC-A 036000291452 (a classic example) and its EAN-13 / GTIN-14 forms.
        let n = normalise("036000291452");
        assert_eq!(n.as_deref(), Some("00036000291452"));
        assert_eq!(normalise("0036000291452"), n);
        assert_eq!(normalise("00036000291452"), n);
        assert_eq!(normalise("0-36000-29145-2"), n);
        // GTIN-8
        assert_eq!(normalise("96385074").as_deref(), Some("00000096385074"));
        assert_eq!(normalise("036000291453"), None);
        assert_eq!(normalise("12345"), None);
    }
}
