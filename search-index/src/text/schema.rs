//! The product schema: one struct of field handles, built once.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED, STRING,
};

use super::analyzers::{Lang, FOLD};

/// Bump when the schema or an analyser changes: an index of another version is rebuilt.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// `doc_kind` values.
pub(crate) const KIND_OPEN: &str = "open";
pub(crate) const KIND_RESTRICTED: &str = "restricted";

/// Handles of every field of the product schema.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub schema: Schema,
    /// i64, indexed (delete by term), fast (grouping), stored.
    pub product_id: Field,
    /// The owning right-holder organisation (visibility for right holders).
    pub owner_org: Field,
    /// "open" or "restricted" (raw string).
    pub doc_kind: Field,
    /// Administrations a restricted document is shared with (multi-valued i64).
    pub allowed_admin: Field,
    /// Exact values, fast (facet counts) and indexed (filters); brand and right holder
    /// are also stored for display.
    pub brand: Field,
    pub category: Field,
    pub country: Field,
    pub right_holder: Field,
    pub hs_code: Field,
    /// GTINs normalised to 14 digits.
    pub gtin: Field,
    /// Stored only.
    pub name: Field,
    pub thumbnail: Field,
    /// Stored only: the section texts of this document, the only source of snippets.
    pub body: Field,
    /// Fold-analysed identity fields, boosted at query time.
    pub brand_text: Field,
    pub name_text: Field,
    pub model_text: Field,
    /// Fold-analysed union of every text of the document (identity and sections): exact
    /// matches, and the plain field of sections in languages without a stemmer.
    pub all_text: Field,
    /// Fold-analysed identity vocabulary (brand, name, model numbers, categories, right
    /// holder): the dictionary that fuzzy and prefix words are expanded against, and the
    /// field their expansions are searched in.
    pub vocab: Field,
    pub text_en: Field,
    pub text_fr: Field,
    pub text_es: Field,
    pub text_de: Field,
}

impl Fields {
    pub(crate) fn build() -> Fields {
        let mut b = Schema::builder();
        let id_opts = NumericOptions::default()
            .set_indexed()
            .set_fast()
            .set_stored();
        let product_id = b.add_i64_field("product_id", id_opts);
        let owner_org = b.add_i64_field("owner_org", INDEXED | FAST);
        let doc_kind = b.add_text_field("doc_kind", STRING);
        let allowed_admin = b.add_i64_field("allowed_admin", INDEXED | FAST);
        let brand = b.add_text_field("brand", STRING | FAST | STORED);
        let category = b.add_text_field("category", STRING | FAST);
        let country = b.add_text_field("country", STRING | FAST);
        let right_holder = b.add_text_field("right_holder", STRING | FAST | STORED);
        let hs_code = b.add_text_field("hs_code", STRING);
        let gtin = b.add_text_field("gtin", STRING);
        let name = b.add_text_field("name", STORED);
        let thumbnail = b.add_text_field("thumbnail", STORED);
        let body = b.add_text_field("body", STORED);
        let analysed = |analyzer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer)
                    .set_index_option(IndexRecordOption::WithFreqs),
            )
        };
        let brand_text = b.add_text_field("brand_text", analysed(FOLD));
        let name_text = b.add_text_field("name_text", analysed(FOLD));
        let model_text = b.add_text_field("model_text", analysed(FOLD));
        let all_text = b.add_text_field("all_text", analysed(FOLD));
        let vocab = b.add_text_field("vocab", analysed(FOLD));
        let text_en = b.add_text_field("text_en", analysed(Lang::En.analyzer_name()));
        let text_fr = b.add_text_field("text_fr", analysed(Lang::Fr.analyzer_name()));
        let text_es = b.add_text_field("text_es", analysed(Lang::Es.analyzer_name()));
        let text_de = b.add_text_field("text_de", analysed(Lang::De.analyzer_name()));
        Fields {
            schema: b.build(),
            product_id,
            owner_org,
            doc_kind,
            allowed_admin,
            brand,
            category,
            country,
            right_holder,
            hs_code,
            gtin,
            name,
            thumbnail,
            body,
            brand_text,
            name_text,
            model_text,
            all_text,
            vocab,
            text_en,
            text_fr,
            text_es,
            text_de,
        }
    }

    /// The stemmed field of a language.
    pub(crate) fn text_field(&self, lang: Lang) -> Field {
        match lang {
            Lang::En => self.text_en,
            Lang::Fr => self.text_fr,
            Lang::Es => self.text_es,
            Lang::De => self.text_de,
        }
    }
}
