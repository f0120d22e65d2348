//! The one function that turns a product into its tantivy documents, used by incremental
//! updates and full rebuilds alike.
//!
//! A product becomes one "open" document (identity fields and all open section text) and
//! one "restricted" document per distinct share list (only that restricted text plus the
//! identity fields, which are not secret). Restricted text never enters the open document.

use std::collections::BTreeMap;

use tantivy::TantivyDocument;

use super::analyzers::Lang;
use super::gtin;
use super::model::{Access, ProductDoc, SectionText};
use super::schema::{Fields, KIND_OPEN, KIND_RESTRICTED};

/// Country codes are stored upper-case.
pub(crate) fn norm_country(c: &str) -> String {
    c.trim().to_ascii_uppercase()
}

pub(crate) fn to_documents(fields: &Fields, p: &ProductDoc) -> Vec<TantivyDocument> {
    let mut open = identity(fields, p);
    open.add_text(fields.doc_kind, KIND_OPEN);
    open.add_text(fields.name, &p.name);
    if let Some(t) = &p.thumbnail {
        open.add_text(fields.thumbnail, t);
    }
    if let Some(hs) = &p.hs_code {
        open.add_text(fields.hs_code, hs.trim());
        open.add_text(fields.all_text, hs);
    }
    let mut seen = std::collections::BTreeSet::new();
    for g in &p.gtins {
        if let Some(n) = gtin::normalise(g) {
            if seen.insert(n.clone()) {
                open.add_text(fields.gtin, &n);
            }
        }
    }

    // Restricted sections grouped by their (sorted, de-duplicated) share list.
    let mut restricted: BTreeMap<Vec<i64>, Vec<&SectionText>> = BTreeMap::new();
    for s in &p.sections {
        match &s.access {
            Access::Open => add_section(fields, &mut open, s),
            Access::Restricted { administrations } => {
                let mut list = administrations.clone();
                list.sort_unstable();
                list.dedup();
                restricted.entry(list).or_default().push(s);
            }
        }
    }
    let mut docs = vec![open];
    for (admins, sections) in restricted {
        let mut d = identity(fields, p);
        d.add_text(fields.doc_kind, KIND_RESTRICTED);
        for a in admins {
            d.add_i64(fields.allowed_admin, a);
        }
        for s in sections {
            add_section(fields, &mut d, s);
        }
        docs.push(d);
    }
    docs
}

/// Fields every document of a product carries: ids, facets and the searchable identity
/// text (so that "brand + restricted word" still finds the restricted document).
fn identity(fields: &Fields, p: &ProductDoc) -> TantivyDocument {
    let mut d = TantivyDocument::new();
    d.add_i64(fields.product_id, p.product_id);
    d.add_i64(fields.owner_org, p.org_id);
    d.add_text(fields.brand, &p.brand);
    d.add_text(fields.brand_text, &p.brand);
    d.add_text(fields.name_text, &p.name);
    d.add_text(fields.all_text, &p.brand);
    d.add_text(fields.all_text, &p.name);
    d.add_text(fields.all_text, &p.right_holder);
    d.add_text(fields.right_holder, &p.right_holder);
    for v in [&p.brand, &p.name, &p.right_holder]
        .into_iter()
        .chain(&p.model_numbers)
        .chain(&p.categories)
    {
        d.add_text(fields.vocab, v);
    }
    for m in &p.model_numbers {
        d.add_text(fields.model_text, m);
        d.add_text(fields.all_text, m);
    }
    for c in &p.categories {
        d.add_text(fields.category, c);
        d.add_text(fields.all_text, c);
    }
    for c in &p.countries {
        d.add_text(fields.country, norm_country(c));
    }
    d
}

fn add_section(fields: &Fields, d: &mut TantivyDocument, s: &SectionText) {
    // all_text is also the plain field of languages without a stemmer.
    if let Some(lang) = Lang::from_tag(&s.language) {
        d.add_text(fields.text_field(lang), &s.text);
    }
    d.add_text(fields.all_text, &s.text);
    d.add_text(fields.body, &s.text);
}
