//! GS1 element strings and Digital Link URIs.

use super::ai::{self, AiSpec, Length};
use super::{current_year, verify_check_digit, Gs1Data, Gs1Date, Gs1Error, Gtin, GS};

/// Parses a GS1 element string: raw (`01095060001343521725010110ABC`, variable-length
/// values ended by GS, 0x1D) or bracketed (`(01)09506000134352(17)250101(10)ABC`), with
/// or without a leading symbology identifier (`]d2`, `]Q3`, `]C1`, ...) or FNC1.
pub fn parse_element_string(text: &str) -> Result<Gs1Data, Gs1Error> {
    let mut rest = text.trim();
    if rest.starts_with(']') {
        rest = rest.get(3..).ok_or(Gs1Error::NotACode)?;
    }
    let rest = rest.trim_start_matches(GS);
    if rest.is_empty() {
        return Err(Gs1Error::NotACode);
    }
    let pairs = if rest.starts_with('(') {
        split_bracketed(rest)?
    } else {
        split_raw(rest)?
    };
    let year = current_year();
    let mut data = Gs1Data::default();
    for (spec, ai, value) in pairs {
        apply(&mut data, spec, &ai, &value, year)?;
    }
    Ok(data)
}

/// One (AI spec, AI as written, value).
type Element = (&'static AiSpec, String, String);

fn split_raw(mut rest: &str) -> Result<Vec<Element>, Gs1Error> {
    let mut pairs = Vec::new();
    while !rest.is_empty() {
        let spec = ai::lookup_prefix(rest)
            .ok_or_else(|| Gs1Error::UnknownAi(rest.chars().take(4).collect()))?;
        let ai = &rest[..spec.ai_len()];
        let body = &rest[spec.ai_len()..];
        let value = match spec.length {
            Length::Fixed(n) => {
                let value = body.get(..n).ok_or_else(|| Gs1Error::WrongLength {
                    ai: ai.to_string(),
                    expected: n,
                    found: body.split(GS).next().map_or(0, |v| v.chars().count()),
                })?;
                rest = &body[n..];
                value
            }
            Length::Variable(_) => {
                let end = body.find(GS).unwrap_or(body.len());
                rest = &body[end..];
                &body[..end]
            }
        };
        check_length(spec, ai, value)?;
        pairs.push((spec, ai.to_string(), value.to_string()));
        rest = rest.trim_start_matches(GS);
    }
    Ok(pairs)
}

fn split_bracketed(mut rest: &str) -> Result<Vec<Element>, Gs1Error> {
    let mut pairs = Vec::new();
    while !rest.is_empty() {
        let inner = rest
            .strip_prefix('(')
            .ok_or_else(|| Gs1Error::Brackets(rest.to_string()))?;
        let close = inner
            .find(')')
            .ok_or_else(|| Gs1Error::Brackets(rest.to_string()))?;
        let ai = &inner[..close];
        let spec = ai::lookup_exact(ai).ok_or_else(|| Gs1Error::UnknownAi(ai.to_string()))?;
        let body = &inner[close + 1..];
        let end = body.find('(').unwrap_or(body.len());
        let value: String = body[..end].chars().filter(|&c| c != GS).collect();
        check_length(spec, ai, &value)?;
        pairs.push((spec, ai.to_string(), value));
        rest = &body[end..];
    }
    Ok(pairs)
}

fn check_length(spec: &AiSpec, ai: &str, value: &str) -> Result<(), Gs1Error> {
    let found = value.chars().count();
    match spec.length {
        Length::Fixed(n) if found != n => Err(Gs1Error::WrongLength {
            ai: ai.to_string(),
            expected: n,
            found,
        }),
        Length::Variable(max) if found > max => Err(Gs1Error::TooLong {
            ai: ai.to_string(),
            max,
            found,
        }),
        _ => Ok(()),
    }
}

/// AIs whose value ends in a GS1 mod-10 check digit.
fn has_check_digit(ai: &str) -> bool {
    matches!(
        ai,
        "00" | "02"
            | "03"
            | "410"
            | "411"
            | "412"
            | "413"
            | "414"
            | "415"
            | "416"
            | "417"
            | "7001"
            | "8017"
            | "8018"
    )
}

/// Validates one (AI, value) and stores it in `data`.
fn apply(
    data: &mut Gs1Data,
    spec: &AiSpec,
    ai: &str,
    value: &str,
    year: u16,
) -> Result<(), Gs1Error> {
    let ai_err = || ai.to_string();
    if value.is_empty() {
        return Err(Gs1Error::Empty { ai: ai_err() });
    }
    if spec.numeric && !value.bytes().all(|c| c.is_ascii_digit()) {
        return Err(Gs1Error::NotDigits {
            ai: ai_err(),
            value: value.to_string(),
        });
    }
    if has_check_digit(ai) {
        verify_check_digit(value).map_err(|e| match e {
            super::GtinError::CheckDigit { expected, found } => Gs1Error::CheckDigit {
                ai: ai_err(),
                expected,
                found,
            },
            other => Gs1Error::Gtin(other),
        })?;
    }
    let date = |value: &str| {
        Gs1Date::parse_yymmdd(value, year).ok_or_else(|| Gs1Error::BadDate {
            ai: ai_err(),
            value: value.to_string(),
        })
    };
    match ai {
        "01" => set(&mut data.gtin, Gtin::parse(value)?, ai)?,
        "10" => set(&mut data.lot, value.to_string(), ai)?,
        "21" => set(&mut data.serial, value.to_string(), ai)?,
        "17" => set(&mut data.expiry, date(value)?, ai)?,
        "15" => set(&mut data.best_before, date(value)?, ai)?,
        _ => {
            if matches!(ai, "11" | "12" | "13" | "16") {
                date(value)?;
            }
            match data.get(ai) {
                Some(old) if old == value => {}
                Some(_) => return Err(Gs1Error::Repeated { ai: ai_err() }),
                None => data.other.push((ai.to_string(), value.to_string())),
            }
        }
    }
    Ok(())
}

fn set<T: PartialEq>(slot: &mut Option<T>, value: T, ai: &str) -> Result<(), Gs1Error> {
    match slot {
        Some(old) if *old != value => Err(Gs1Error::Repeated { ai: ai.to_string() }),
        _ => {
            *slot = Some(value);
            Ok(())
        }
    }
}

/// Digital Link primary keys: the path of a GS1 Digital Link starts at one of these.
const PRIMARY_KEYS: &[&str] = &[
    "00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010", "8013",
    "8017", "8018",
];

/// The short names that early GS1 Digital Link URIs used instead of numbers.
fn convenience_alpha(name: &str) -> Option<&'static str> {
    Some(match name {
        "gtin" => "01",
        "sscc" => "00",
        "gln" => "414",
        "lot" => "10",
        "ser" => "21",
        "cpv" => "22",
        "exp" => "17",
        "bbd" => "15",
        _ => return None,
    })
}

/// Parses a GS1 Digital Link URI on any host, such as
/// `https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ?17=250101`: AI/value pairs
/// in the path from the primary key on (anything before it is the resolver's own
/// path), AIs in the query string (other query parameters are ignored),
/// percent-decoding throughout. A GTIN may be given as 8, 12, 13 or 14 digits.
pub fn parse_digital_link(uri: &str) -> Result<Gs1Data, Gs1Error> {
    let uri = uri.trim();
    let after_scheme = uri
        .split_once("://")
        .map(|(_, rest)| rest)
        .ok_or(Gs1Error::NotACode)?;
    let without_fragment = after_scheme.split('#').next().unwrap_or("");
    let (host_path, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    let path = host_path.split_once('/').map_or("", |(_, path)| path);
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect::<Result<_, _>>()?;
    let key_of = |segment: &str| -> Option<(&'static AiSpec, String)> {
        let ai = convenience_alpha(segment).unwrap_or(segment);
        ai::lookup_exact(ai).map(|spec| (spec, ai.to_string()))
    };
    let start = segments
        .iter()
        .position(|s| {
            key_of(s).is_some_and(|(_, ai)| PRIMARY_KEYS.contains(&ai.as_str()))
                && segments.len() > 1
        })
        .ok_or(Gs1Error::NoPrimaryKey)?;
    let mut pairs: Vec<Element> = Vec::new();
    for pair in segments[start..].chunks(2) {
        let (spec, ai) = key_of(&pair[0]).ok_or_else(|| Gs1Error::UnknownAi(pair[0].clone()))?;
        let value = pair.get(1).cloned().unwrap_or_default();
        pairs.push((spec, ai, value));
    }
    for param in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = param.split_once('=').unwrap_or((param, ""));
        let key = percent_decode(key)?;
        if let Some((spec, ai)) = key_of(&key) {
            pairs.push((spec, ai, percent_decode(value)?));
        }
    }
    let year = current_year();
    let mut data = Gs1Data::default();
    for (spec, ai, value) in pairs {
        if ai != "01" {
            check_length(spec, &ai, &value)?;
        }
        apply(&mut data, spec, &ai, &value, year)?;
    }
    Ok(data)
}

/// Decodes `%XX` escapes (as UTF-8).
fn percent_decode(text: &str) -> Result<String, Gs1Error> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| Gs1Error::Percent(text.to_string()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Gs1Error::Percent(text.to_string()))
}
