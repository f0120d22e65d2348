//! Checks a product record before it is stored, normalising what has one right form
//! (GTINs to 14 digits, country codes to upper case) and saying exactly what is wrong.

use search_index::gs1::Gtin;

use super::record::{Localized, ProductInput, Sections};
use crate::error::AppError;

const MAX_SHORT: usize = 200;
const MAX_TEXT: usize = 20_000;
const MAX_LIST: usize = 200;

fn bad(message: String) -> AppError {
    AppError::bad_request("invalid_product", message)
}

fn short(field: &str, value: &mut String, required: bool) -> Result<(), AppError> {
    *value = value.trim().to_string();
    if required && value.is_empty() {
        return Err(bad(format!("{field} is required.")));
    }
    if value.chars().count() > MAX_SHORT {
        return Err(bad(format!(
            "{field} may have at most {MAX_SHORT} characters."
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(bad(format!("{field} must not contain control characters.")));
    }
    Ok(())
}

fn list(field: &str, values: &mut Vec<String>) -> Result<(), AppError> {
    if values.len() > MAX_LIST {
        return Err(bad(format!("{field} may have at most {MAX_LIST} entries.")));
    }
    for value in values.iter_mut() {
        short(field, value, true)?;
    }
    values.dedup();
    Ok(())
}

fn countries(field: &str, values: &mut Vec<String>) -> Result<(), AppError> {
    for value in values.iter_mut() {
        *value = crate::validate::country(value).map_err(|_| {
            bad(format!(
                "{field}: {value:?} is not a two-letter country code such as FR."
            ))
        })?;
    }
    values.sort();
    values.dedup();
    Ok(())
}

fn localized(field: &str, text: &mut Localized) -> Result<(), AppError> {
    let mut clean = Localized::new();
    for (language, value) in std::mem::take(text) {
        let language = crate::validate::language(&language).map_err(|_| {
            bad(format!(
                "{field}: {language:?} is not a language code such as en or fr."
            ))
        })?;
        let value = value.trim().to_string();
        if value.chars().count() > MAX_TEXT {
            return Err(bad(format!(
                "{field} may have at most {MAX_TEXT} characters per language."
            )));
        }
        if !value.is_empty() {
            clean.insert(language, value);
        }
    }
    *text = clean;
    Ok(())
}

/// Normalises and checks every field; on success the input is ready to store.
pub fn product(input: &mut ProductInput) -> Result<(), AppError> {
    short("reference", &mut input.reference, true)?;
    short("brand", &mut input.brand, true)?;
    short("name", &mut input.name, true)?;
    short("category", &mut input.category, false)?;
    if let Some(hs) = input.hs_code.as_mut() {
        *hs = hs.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
        if !(hs.len() >= 4 && hs.len() <= 10 && hs.chars().all(|c| c.is_ascii_digit())) {
            return Err(bad(format!(
                "hs_code {hs:?} is not a tariff code of 4 to 10 digits."
            )));
        }
    }
    if input.hs_code.as_deref() == Some("") {
        input.hs_code = None;
    }
    let identity = &mut input.identity;
    list("model_numbers", &mut identity.model_numbers)?;
    countries("target_markets", &mut identity.target_markets)?;
    short("net_content", &mut identity.net_content, false)?;
    short("dimensions", &mut identity.dimensions, false)?;
    for link in identity.links.iter_mut() {
        *link = crate::validate::website(Some(link))
            .map_err(|_| bad(format!("links: {link:?} is not an http(s) address.")))?
            .unwrap_or_default();
    }
    let codes = &mut input.codes;
    let mut gtins = Vec::new();
    for raw in &codes.gtins {
        let gtin = Gtin::parse(raw).map_err(|e| bad(format!("GTIN {raw:?}: {e}.")))?;
        gtins.push(gtin.as_str().to_string());
    }
    gtins.sort();
    gtins.dedup();
    codes.gtins = gtins;
    list("skus", &mut codes.skus)?;
    list("serial_formats", &mut codes.serial_formats)?;
    list("lot_formats", &mut codes.lot_formats)?;
    sections(&mut input.sections)
}

fn sections(sections: &mut Sections) -> Result<(), AppError> {
    if let Some(s) = sections.description.as_mut() {
        localized("description", &mut s.text)?;
    }
    if let Some(s) = sections.features.as_mut() {
        for item in s.items.iter_mut() {
            localized("features.title", &mut item.title)?;
            localized("features.genuine", &mut item.genuine)?;
            localized("features.counterfeit", &mut item.counterfeit)?;
        }
    }
    if let Some(s) = sections.security.as_mut() {
        for item in s.items.iter_mut() {
            short("security.kind", &mut item.kind, false)?;
            localized("security.description", &mut item.description)?;
            localized("security.location", &mut item.location)?;
        }
    }
    if let Some(s) = sections.packaging.as_mut() {
        for level in s.levels.iter_mut() {
            level.level = level.level.trim().to_lowercase();
            if !matches!(level.level.as_str(), "unit" | "inner" | "carton" | "pallet") {
                return Err(bad(format!(
                    "packaging level {:?} is not unit, inner, carton or pallet.",
                    level.level
                )));
            }
            localized("packaging.description", &mut level.description)?;
            localized("packaging.markings", &mut level.markings)?;
        }
    }
    if let Some(s) = sections.logistics.as_mut() {
        for party in s
            .production_sites
            .iter_mut()
            .chain(s.importers.iter_mut())
            .chain(s.exporters.iter_mut())
            .chain(s.distributors.iter_mut())
            .chain(s.licensees.iter_mut())
        {
            short("logistics party name", &mut party.name, true)?;
            if !party.country.trim().is_empty() {
                party.country = crate::validate::country(&party.country).map_err(|_| {
                    bad(format!(
                        "logistics: {:?} is not a country code.",
                        party.country
                    ))
                })?;
            }
        }
        localized("logistics.routes", &mut s.routes)?;
        list("logistics.ports", &mut s.ports)?;
        list("logistics.transport_modes", &mut s.transport_modes)?;
        countries("logistics.sold_in", &mut s.sold_in)?;
        countries("logistics.never_sold_in", &mut s.never_sold_in)?;
    }
    if let Some(s) = sections.risk.as_mut() {
        countries("risk.counterfeit_origins", &mut s.counterfeit_origins)?;
        localized("risk.routes", &mut s.routes)?;
        localized("risk.concealment", &mut s.concealment)?;
        localized("risk.past_cases", &mut s.past_cases)?;
    }
    if let Some(s) = sections.ip_rights.as_mut() {
        for right in s.items.iter_mut() {
            right.kind = right.kind.trim().to_lowercase();
            if !matches!(right.kind.as_str(), "trademark" | "design" | "patent") {
                return Err(bad(format!(
                    "IP right kind {:?} is not trademark, design or patent.",
                    right.kind
                )));
            }
            short(
                "ip_rights.registration_number",
                &mut right.registration_number,
                true,
            )?;
            short("ip_rights.office", &mut right.office, false)?;
        }
    }
    if let Some(s) = sections.contacts.as_mut() {
        for contact in s.items.iter_mut() {
            short("contacts.name", &mut contact.name, true)?;
            if !contact.email.trim().is_empty() {
                contact.email = crate::validate::email(&contact.email)?;
            }
            countries("contacts.countries", &mut contact.countries)?;
        }
    }
    Ok(())
}
