//! GTINs in the index and in the search box, on top of `crate::gs1`: stored and looked up
//! in their 14-digit form, so GTIN-8, UPC-A (12), EAN-13 and GTIN-14 forms of one code
//! all meet.

use crate::gs1::{recognise_code, Gtin};

/// The 14-digit form when `input` (spaces and dashes ignored) is 8, 12, 13 or 14 digits
/// with a valid GS1 check digit.
pub(crate) fn normalise(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    Gtin::parse(&digits).ok().map(|g| g.as_str().to_string())
}

/// The GTINs (14-digit form) a search-box input stands for: a GTIN in any form, a UPC-E
/// code, or the GTIN of a GS1 element string or Digital Link URI (`crate::gs1` parses).
/// An 8-digit code valid both as GTIN-8 and as UPC-E gives both. Empty for other text.
pub(crate) fn from_query(input: &str) -> Vec<String> {
    let Some(data) = recognise_code(input) else {
        return Vec::new();
    };
    data.gtin
        .iter()
        .chain(&data.alternatives)
        .map(|g| g.as_str().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{from_query, normalise};

    #[test]
    fn forms_of_one_code_agree() {
        // UPC-A 036000291452 and its EAN-13 / GTIN-14 forms.
        let n = normalise("036000291452");
        assert_eq!(n.as_deref(), Some("00036000291452"));
        assert_eq!(normalise("0036000291452"), n);
        assert_eq!(normalise("00036000291452"), n);
        assert_eq!(normalise("0-36000-29145-2"), n);
        // GTIN-8
        assert_eq!(normalise("96385074").as_deref(), Some("00000096385074"));
        assert_eq!(normalise("036000291453"), None);
        assert_eq!(normalise("12345"), None);
        assert_eq!(normalise("nutella"), None);
    }

    #[test]
    fn gs1_codes_in_the_search_box() {
        let want = vec!["04006381333931".to_string()];
        assert_eq!(from_query(" 4006381333931 "), want);
        assert_eq!(from_query("(01)04006381333931(10)ABC123"), want);
        assert_eq!(from_query("https://id.gs1.org/01/04006381333931"), want);
        assert!(from_query("chocolate 70%").is_empty());
        assert!(from_query("036000291453").is_empty());
    }
}
