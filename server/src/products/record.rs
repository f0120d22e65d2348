//! The product record as right holders write it and as the API carries it: identity,
//! codes, and the sections of DESIGN.md, each with its own access level. Text that people
//! read is `Localized`: one text per language.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Text in several languages, keyed by language code (`en`, `fr`, `pt-BR`...).
pub type Localized = BTreeMap<String, String>;

/// Who may read a section.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    /// Every officer.
    #[default]
    Open,
    /// Only the customs administrations on the right holder's share list.
    Restricted,
}

impl AccessLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::Open => "open",
            AccessLevel::Restricted => "restricted",
        }
    }

    pub fn parse(text: &str) -> AccessLevel {
        if text == "restricted" {
            AccessLevel::Restricted
        } else {
            AccessLevel::Open
        }
    }
}

/// Identity details beyond brand, name, category and HS code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Identity {
    /// Model or reference numbers printed on the goods.
    pub model_numbers: Vec<String>,
    /// ISO 3166-1 alpha-2 codes of the markets the product is made for.
    pub target_markets: Vec<String>,
    pub net_content: String,
    pub dimensions: String,
    /// Official product pages.
    pub links: Vec<String>,
}

/// Codes by which goods are recognised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Codes {
    /// GTIN-8, UPC-A, EAN-13 or GTIN-14, with a valid check digit; stored as 14 digits.
    pub gtins: Vec<String>,
    pub skus: Vec<String>,
    /// How genuine serial numbers look, e.g. "2 letters + 8 digits, starts with the year".
    pub serial_formats: Vec<String>,
    pub lot_formats: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Description {
    pub access: AccessLevel,
    pub text: Localized,
}

/// One way to tell genuine from fake, with photos of both.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Feature {
    pub title: Localized,
    /// What the genuine product shows.
    pub genuine: Localized,
    /// What counterfeits typically show instead.
    pub counterfeit: Localized,
    /// Ids of this product's images that illustrate the feature.
    pub image_ids: Vec<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Features {
    pub access: AccessLevel,
    pub items: Vec<Feature>,
}

/// Labels, hangtags, holograms and other security features.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityFeature {
    /// label, hangtag, hologram, ink, tag, other
    pub kind: String,
    pub description: Localized,
    /// Where on the goods or packaging it is found.
    pub location: Localized,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Security {
    pub access: AccessLevel,
    pub items: Vec<SecurityFeature>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PackagingLevel {
    /// unit, inner, carton or pallet
    pub level: String,
    pub description: Localized,
    /// How many of the level below it holds.
    pub quantity: Option<u32>,
    /// Markings, labels and codes printed at this level.
    pub markings: Localized,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Packaging {
    pub access: AccessLevel,
    pub levels: Vec<PackagingLevel>,
}

/// A company in the genuine supply chain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Party {
    pub name: String,
    pub country: String,
    pub address: String,
    pub notes: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Money {
    pub amount: String,
    /// ISO 4217, e.g. EUR
    pub currency: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Logistics {
    pub access: AccessLevel,
    pub production_sites: Vec<Party>,
    pub importers: Vec<Party>,
    pub exporters: Vec<Party>,
    pub distributors: Vec<Party>,
    pub licensees: Vec<Party>,
    /// Usual routes, in words.
    pub routes: Localized,
    pub ports: Vec<String>,
    /// sea, air, road, rail, post, courier
    pub transport_modes: Vec<String>,
    /// ISO 3166-1 alpha-2 codes where the genuine product is sold.
    pub sold_in: Vec<String>,
    /// ... and where it is never sold.
    pub never_sold_in: Vec<String>,
    pub declared_value: Option<Money>,
    pub retail_price: Option<Money>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Risk {
    pub access: AccessLevel,
    /// ISO codes of known counterfeit origins.
    pub counterfeit_origins: Vec<String>,
    pub routes: Localized,
    pub concealment: Localized,
    pub past_cases: Localized,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IpRight {
    /// trademark, design or patent
    pub kind: String,
    /// e.g. EUIPO, USPTO, WIPO
    pub office: String,
    pub registration_number: String,
    pub classes: Vec<String>,
    pub expires_on: Option<NaiveDate>,
    /// Customs recordation (application for action) number.
    pub recordation_number: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IpRights {
    pub access: AccessLevel,
    pub items: Vec<IpRight>,
}

/// An expert who can judge goods from photos.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Contact {
    pub name: String,
    pub role: String,
    pub languages: Vec<String>,
    pub phone: String,
    pub email: String,
    /// ISO codes of the countries this expert covers.
    pub countries: Vec<String>,
    pub hours: String,
    pub emergency: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Contacts {
    pub access: AccessLevel,
    pub items: Vec<Contact>,
}

/// The sections of a product record; an absent section is empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Sections {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Description>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<Features>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packaging: Option<Packaging>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logistics: Option<Logistics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<Risk>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_rights: Option<IpRights>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Contacts>,
}

/// What a right holder sends to create or replace a product.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// The right holder's own reference, unique within the organisation.
    pub reference: String,
    pub brand: String,
    pub name: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub hs_code: Option<String>,
    #[serde(default)]
    pub identity: Identity,
    #[serde(default)]
    pub codes: Codes,
    #[serde(default)]
    pub last_reviewed_on: Option<NaiveDate>,
    #[serde(default)]
    pub sections: Sections,
}
