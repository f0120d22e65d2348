//! Plain input and output types of the product text index: no tantivy types leak out.

use serde::{Deserialize, Serialize};

/// One published product as the database knows it. GTINs may be given in any form
/// (GTIN-8, UPC-A, EAN-13, GTIN-14); they are normalised to 14 digits inside.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductDoc {
    pub product_id: i64,
    /// The right-holder organisation that owns the record.
    pub org_id: i64,
    pub right_holder: String,
    pub brand: String,
    pub name: String,
    pub model_numbers: Vec<String>,
    pub categories: Vec<String>,
    pub hs_code: Option<String>,
    pub gtins: Vec<String>,
    /// ISO 3166 alpha-2 codes of the countries where the product is sold.
    pub countries: Vec<String>,
    pub thumbnail: Option<String>,
    pub sections: Vec<SectionText>,
}

/// One text section of a product in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionText {
    pub kind: SectionKind,
    /// BCP-47-ish language tag: "en", "fr-CA", "es", "de", anything else is indexed plain.
    pub language: String,
    pub text: String,
    pub access: Access,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SectionKind {
    Description,
    Features,
    Packaging,
    Logistics,
    Risk,
    IpRights,
    Contacts,
    Other,
}

/// Who may read a section.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Access {
    /// Every officer (and everyone else who can search).
    Open,
    /// Only the listed customs administrations, the owning right holder and admins.
    Restricted { administrations: Vec<i64> },
}

/// The person a query runs for; decides which documents (and so which text) it may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    Officer {
        administration_id: i64,
    },
    RightHolder {
        org_id: i64,
    },
    Admin,
    /// Trainers belong to a customs administration and see what its officers see.
    Trainer {
        administration_id: i64,
    },
}

/// One change from the outbox. (Moved once through the writer channel, so the size
/// difference between the variants does not matter.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)]
pub enum IndexOp {
    /// Insert, or replace every document of this product.
    Upsert(ProductDoc),
    Delete {
        product_id: i64,
    },
}

/// A search: free text (may be empty when a filter is given), exact facet filters, paging.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub text: String,
    pub brand: Option<String>,
    pub category: Option<String>,
    /// ISO 3166 alpha-2, any case.
    pub country: Option<String>,
    pub right_holder: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

/// One page of products, the total number of matching products and facet counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Matching products visible to the viewer (not documents).
    pub total: usize,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
}

/// Facet counts over the visible matching products, most frequent first, then by value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    pub brand: Vec<(String, usize)>,
    pub category: Vec<(String, usize)>,
    pub country: Vec<(String, usize)>,
    pub right_holder: Vec<(String, usize)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub product_id: i64,
    pub score: f32,
    pub brand: String,
    pub name: String,
    pub right_holder: String,
    pub thumbnail: Option<String>,
    /// HTML-escaped text with `<mark>`..`</mark>` around matches; safe to embed.
    pub snippet_html: String,
}
