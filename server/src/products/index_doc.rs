//! The one function that turns a stored product into the text index's document, used by
//! incremental updates and full rebuilds alike.

use search_index::text::{Access, ProductDoc, SectionKind, SectionText};

use super::record::{AccessLevel, Localized};
use super::Product;

/// Collects one section's localized texts, language by language.
struct Collector {
    kind: SectionKind,
    access: Access,
    by_language: std::collections::BTreeMap<String, String>,
}

impl Collector {
    fn new(kind: SectionKind, level: AccessLevel, share_list: &[i64]) -> Collector {
        let access = match level {
            AccessLevel::Open => Access::Open,
            AccessLevel::Restricted => Access::Restricted {
                administrations: share_list.to_vec(),
            },
        };
        Collector {
            kind,
            access,
            by_language: Default::default(),
        }
    }

    fn localized(&mut self, text: &Localized) {
        for (language, value) in text {
            let entry = self.by_language.entry(language.clone()).or_default();
            entry.push_str(value);
            entry.push('\n');
        }
    }

    /// Language-neutral words (names, codes, ports) go with every language present, or
    /// as plain text when the section has none.
    fn plain(&mut self, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        let entry = self.by_language.entry("und".into()).or_default();
        entry.push_str(value);
        entry.push('\n');
    }

    fn finish(self, out: &mut Vec<SectionText>) {
        for (language, text) in self.by_language {
            out.push(SectionText {
                kind: self.kind,
                language,
                text,
                access: self.access.clone(),
            });
        }
    }
}

pub fn thumbnail_url(product_id: i64, image_id: i64) -> String {
    format!("/products/{product_id}/images/{image_id}/thumb")
}

pub fn to_doc(product: &Product, share_list: &[i64]) -> ProductDoc {
    let record = &product.record;
    let s = &record.sections;
    let mut sections = Vec::new();
    if let Some(d) = &s.description {
        let mut c = Collector::new(SectionKind::Description, d.access, share_list);
        c.localized(&d.text);
        c.finish(&mut sections);
    }
    if let Some(f) = &s.features {
        let mut c = Collector::new(SectionKind::Features, f.access, share_list);
        for item in &f.items {
            c.localized(&item.title);
            c.localized(&item.genuine);
            c.localized(&item.counterfeit);
        }
        c.finish(&mut sections);
    }
    if let Some(f) = &s.security {
        let mut c = Collector::new(SectionKind::Features, f.access, share_list);
        for item in &f.items {
            c.plain(&item.kind);
            c.localized(&item.description);
            c.localized(&item.location);
        }
        c.finish(&mut sections);
    }
    if let Some(p) = &s.packaging {
        let mut c = Collector::new(SectionKind::Packaging, p.access, share_list);
        for level in &p.levels {
            c.localized(&level.description);
            c.localized(&level.markings);
        }
        c.finish(&mut sections);
    }
    if let Some(l) = &s.logistics {
        let mut c = Collector::new(SectionKind::Logistics, l.access, share_list);
        for party in l
            .production_sites
            .iter()
            .chain(&l.importers)
            .chain(&l.exporters)
            .chain(&l.distributors)
            .chain(&l.licensees)
        {
            c.plain(&party.name);
        }
        c.localized(&l.routes);
        c.plain(&l.ports.join(" "));
        c.finish(&mut sections);
    }
    if let Some(r) = &s.risk {
        let mut c = Collector::new(SectionKind::Risk, r.access, share_list);
        c.localized(&r.routes);
        c.localized(&r.concealment);
        c.localized(&r.past_cases);
        c.finish(&mut sections);
    }
    if let Some(ip) = &s.ip_rights {
        let mut c = Collector::new(SectionKind::IpRights, ip.access, share_list);
        for right in &ip.items {
            c.plain(&format!(
                "{} {} {}",
                right.office, right.registration_number, right.recordation_number
            ));
        }
        c.finish(&mut sections);
    }
    // Countries where the genuine product is sold feed the country facet only when that
    // list is open: a facet must not reveal a restricted section.
    let mut countries = record.identity.target_markets.clone();
    if let Some(l) = s
        .logistics
        .as_ref()
        .filter(|l| l.access == AccessLevel::Open)
    {
        countries.extend(l.sold_in.iter().cloned());
    }
    countries.sort();
    countries.dedup();
    let mut model_numbers = record.identity.model_numbers.clone();
    model_numbers.extend(record.codes.skus.iter().cloned());
    ProductDoc {
        product_id: product.row.id,
        org_id: product.org.id,
        right_holder: product.org.name.clone(),
        brand: product.brand.clone(),
        name: record.name.clone(),
        model_numbers,
        categories: if record.category.is_empty() {
            vec![]
        } else {
            vec![record.category.clone()]
        },
        hs_code: record.hs_code.clone(),
        gtins: record.codes.gtins.clone(),
        countries,
        thumbnail: product
            .images
            .first()
            .map(|i| thumbnail_url(product.row.id, i.id)),
        sections,
    }
}
