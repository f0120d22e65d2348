//! The authentication guide: a product as an officer reads it, in the officer's language
//! where the right holder gave it, with only the sections the officer may see. Right
//! holders preview their products through the same view, so what they check is exactly
//! what officers get.

use serde::Serialize;
use utoipa::ToSchema;

use crate::products::record::{Localized, Money, Party, ProductInput};
use crate::products::{visible_record, Product, Visibility};

/// The text in `lang`, else in its base language (`pt` for `pt-BR`), else English, else
/// any language given.
pub fn pick(texts: &Localized, lang: &str) -> String {
    let base = lang.split('-').next().unwrap_or(lang);
    texts
        .get(lang)
        .or_else(|| texts.get(base))
        .or_else(|| {
            texts
                .iter()
                .find(|(code, _)| code.split('-').next() == Some(base))
                .map(|(_, text)| text)
        })
        .or_else(|| texts.get("en"))
        .or_else(|| texts.values().next())
        .cloned()
        .unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct Picture {
    pub id: i64,
    pub kind: String,
    pub caption: String,
    pub thumb_url: String,
    pub display_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct FeatureView {
    pub title: String,
    pub genuine: String,
    pub counterfeit: String,
    pub genuine_pictures: Vec<Picture>,
    pub counterfeit_pictures: Vec<Picture>,
    pub other_pictures: Vec<Picture>,
}

#[derive(Serialize, ToSchema)]
pub struct TextItem {
    pub heading: String,
    pub detail: String,
    pub extra: String,
}

#[derive(Serialize, ToSchema)]
pub struct PartyList {
    pub label: &'static str,
    pub parties: Vec<Party>,
}

#[derive(Serialize, ToSchema)]
pub struct LogisticsView {
    pub parties: Vec<PartyList>,
    pub routes: String,
    pub ports: Vec<String>,
    pub transport_modes: Vec<String>,
    pub sold_in: Vec<String>,
    pub never_sold_in: Vec<String>,
    pub declared_value: String,
    pub retail_price: String,
}

#[derive(Serialize, ToSchema)]
pub struct RiskView {
    pub counterfeit_origins: Vec<String>,
    pub routes: String,
    pub concealment: String,
    pub past_cases: String,
}

#[derive(Serialize, ToSchema)]
pub struct RightView {
    pub kind: String,
    pub office: String,
    pub registration_number: String,
    pub classes: String,
    pub expires_on: String,
    pub recordation_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct ContactView {
    pub name: String,
    pub role: String,
    pub languages: String,
    pub phone: String,
    /// `tel:` link target: the number without spaces or punctuation.
    pub phone_link: String,
    pub email: String,
    pub countries: String,
    pub hours: String,
    pub emergency: bool,
}

/// Everything the guide page shows.
#[derive(Serialize, ToSchema)]
pub struct GuideView {
    pub id: i64,
    pub brand: String,
    pub name: String,
    pub right_holder: String,
    pub category: String,
    pub hs_code: String,
    pub last_reviewed: String,
    pub stale: bool,
    pub gtins: Vec<String>,
    pub skus: Vec<String>,
    pub model_numbers: Vec<String>,
    pub serial_formats: Vec<String>,
    pub lot_formats: Vec<String>,
    pub target_markets: Vec<String>,
    pub net_content: String,
    pub dimensions: String,
    pub links: Vec<String>,
    pub description: String,
    pub features: Vec<FeatureView>,
    pub security: Vec<TextItem>,
    pub packaging: Vec<TextItem>,
    pub logistics: Option<LogisticsView>,
    pub risk: Option<RiskView>,
    pub ip_rights: Vec<RightView>,
    pub contacts: Vec<ContactView>,
    pub pictures: Vec<Picture>,
    /// Sections shown that are restricted to the share list (marked on the page).
    pub restricted: Vec<&'static str>,
    /// Whether some sections were left out because the viewer may not read them.
    pub withheld: bool,
    /// Current alerts about the product for the reader (their country's and global ones).
    pub alerts: Vec<crate::alerts::view::AlertView>,
}

fn money(value: &Option<Money>) -> String {
    value
        .as_ref()
        .filter(|m| !m.amount.is_empty())
        .map(|m| format!("{} {}", m.amount, m.currency).trim().to_string())
        .unwrap_or_default()
}

/// Digits and a leading plus: what a `tel:` link needs.
fn phone_link(phone: &str) -> String {
    phone
        .chars()
        .enumerate()
        .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
        .map(|(_, c)| c)
        .collect()
}

/// A GTIN-14 with leading zeros shown in its everyday form (EAN-13, UPC-A or EAN-8),
/// as printed under the barcode.
fn display_gtin(gtin: &str) -> String {
    search_index::gs1::Gtin::parse(gtin)
        .map(|g| g.display_form())
        .unwrap_or_else(|_| gtin.to_string())
}

fn sections_withheld(full: &ProductInput, shown: &ProductInput) -> bool {
    serde_json::to_value(&full.sections).ok() != serde_json::to_value(&shown.sections).ok()
}

fn restricted_sections(record: &ProductInput) -> Vec<&'static str> {
    use crate::products::record::AccessLevel::Restricted;
    let s = &record.sections;
    [
        ("Description", s.description.as_ref().map(|x| x.access)),
        (
            "Distinguishing features",
            s.features.as_ref().map(|x| x.access),
        ),
        ("Security features", s.security.as_ref().map(|x| x.access)),
        ("Packaging", s.packaging.as_ref().map(|x| x.access)),
        ("Genuine logistics", s.logistics.as_ref().map(|x| x.access)),
        ("Risk intelligence", s.risk.as_ref().map(|x| x.access)),
        ("IP rights", s.ip_rights.as_ref().map(|x| x.access)),
        ("Contacts", s.contacts.as_ref().map(|x| x.access)),
    ]
    .into_iter()
    .filter(|(_, access)| *access == Some(Restricted))
    .map(|(name, _)| name)
    .collect()
}

/// Builds the guide of `product` for a viewer with `visibility`, in `lang`.
/// `image_url(image_id, size)` gives the address of an image file for that viewer.
pub fn build(
    product: &Product,
    visibility: Visibility,
    lang: &str,
    image_url: &dyn Fn(i64, &str) -> String,
) -> GuideView {
    let record = visible_record(&product.record, visibility);
    let pictures: Vec<Picture> = product
        .images
        .iter()
        .map(|image| Picture {
            id: image.id,
            kind: image.kind.clone(),
            caption: image.caption.clone(),
            thumb_url: image_url(image.id, "thumb"),
            display_url: image_url(image.id, "display"),
        })
        .collect();
    let pictures_of = |ids: &[i64], kind: Option<&str>| -> Vec<Picture> {
        pictures
            .iter()
            .filter(|p| ids.contains(&p.id))
            .filter(|p| match kind {
                Some(kind) => p.kind == kind,
                None => p.kind != "genuine" && p.kind != "counterfeit",
            })
            .map(|p| Picture {
                id: p.id,
                kind: p.kind.clone(),
                caption: p.caption.clone(),
                thumb_url: p.thumb_url.clone(),
                display_url: p.display_url.clone(),
            })
            .collect()
    };
    let s = &record.sections;
    let features = s
        .features
        .iter()
        .flat_map(|f| f.items.iter())
        .map(|f| FeatureView {
            title: pick(&f.title, lang),
            genuine: pick(&f.genuine, lang),
            counterfeit: pick(&f.counterfeit, lang),
            genuine_pictures: pictures_of(&f.image_ids, Some("genuine")),
            counterfeit_pictures: pictures_of(&f.image_ids, Some("counterfeit")),
            other_pictures: pictures_of(&f.image_ids, None),
        })
        .collect();
    let security = s
        .security
        .iter()
        .flat_map(|x| x.items.iter())
        .map(|item| TextItem {
            heading: item.kind.clone(),
            detail: pick(&item.description, lang),
            extra: pick(&item.location, lang),
        })
        .collect();
    let packaging = s
        .packaging
        .iter()
        .flat_map(|x| x.levels.iter())
        .map(|level| TextItem {
            heading: match level.quantity {
                Some(n) => format!("{} (holds {n})", level.level),
                None => level.level.clone(),
            },
            detail: pick(&level.description, lang),
            extra: pick(&level.markings, lang),
        })
        .collect();
    let logistics = s.logistics.as_ref().map(|l| LogisticsView {
        parties: [
            ("Production sites", &l.production_sites),
            ("Authorised importers", &l.importers),
            ("Exporters", &l.exporters),
            ("Distributors", &l.distributors),
            ("Licensees", &l.licensees),
        ]
        .into_iter()
        .filter(|(_, parties)| !parties.is_empty())
        .map(|(label, parties)| PartyList {
            label,
            parties: parties.clone(),
        })
        .collect(),
        routes: pick(&l.routes, lang),
        ports: l.ports.clone(),
        transport_modes: l.transport_modes.clone(),
        sold_in: l.sold_in.clone(),
        never_sold_in: l.never_sold_in.clone(),
        declared_value: money(&l.declared_value),
        retail_price: money(&l.retail_price),
    });
    let risk = s.risk.as_ref().map(|r| RiskView {
        counterfeit_origins: r.counterfeit_origins.clone(),
        routes: pick(&r.routes, lang),
        concealment: pick(&r.concealment, lang),
        past_cases: pick(&r.past_cases, lang),
    });
    let ip_rights = s
        .ip_rights
        .iter()
        .flat_map(|x| x.items.iter())
        .map(|r| RightView {
            kind: r.kind.clone(),
            office: r.office.clone(),
            registration_number: r.registration_number.clone(),
            classes: r.classes.join(", "),
            expires_on: r.expires_on.map(|d| d.to_string()).unwrap_or_default(),
            recordation_number: r.recordation_number.clone(),
        })
        .collect();
    let contacts = s
        .contacts
        .iter()
        .flat_map(|x| x.items.iter())
        .map(|c| ContactView {
            name: c.name.clone(),
            role: c.role.clone(),
            languages: c.languages.join(", "),
            phone_link: phone_link(&c.phone),
            phone: c.phone.clone(),
            email: c.email.clone(),
            countries: c.countries.join(", "),
            hours: c.hours.clone(),
            emergency: c.emergency,
        })
        .collect();
    GuideView {
        id: product.row.id,
        brand: product.brand.clone(),
        name: record.name.clone(),
        right_holder: product.org.name.clone(),
        category: record.category.clone(),
        hs_code: record.hs_code.clone().unwrap_or_default(),
        last_reviewed: record
            .last_reviewed_on
            .map(|d| d.to_string())
            .unwrap_or_else(|| "never".to_string()),
        stale: product.is_stale(),
        gtins: record.codes.gtins.iter().map(|g| display_gtin(g)).collect(),
        skus: record.codes.skus.clone(),
        model_numbers: record.identity.model_numbers.clone(),
        serial_formats: record.codes.serial_formats.clone(),
        lot_formats: record.codes.lot_formats.clone(),
        target_markets: record.identity.target_markets.clone(),
        net_content: record.identity.net_content.clone(),
        dimensions: record.identity.dimensions.clone(),
        links: record.identity.links.clone(),
        description: s
            .description
            .as_ref()
            .map(|d| pick(&d.text, lang))
            .unwrap_or_default(),
        features,
        security,
        packaging,
        logistics,
        risk,
        ip_rights,
        contacts,
        pictures,
        restricted: restricted_sections(&record),
        withheld: sections_withheld(&product.record, &record),
        alerts: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_closest_language() {
        let texts: Localized = [("en", "Stitching"), ("pt-BR", "Costura"), ("fr", "Couture")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pick(&texts, "fr"), "Couture");
        assert_eq!(pick(&texts, "pt"), "Costura");
        assert_eq!(pick(&texts, "fr-CA"), "Couture");
        assert_eq!(pick(&texts, "de"), "Stitching");
        assert_eq!(pick(&Localized::new(), "de"), "");
    }

    #[test]
    fn phone_links_keep_digits_and_the_leading_plus() {
        assert_eq!(phone_link("+33 (0)1 23-45"), "+3301 2345".replace(' ', ""));
    }
}
