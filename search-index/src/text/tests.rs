//! Tests of the text index against real tantivy indexes (in RAM or in a temp dir).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use super::*;

fn config() -> TextIndexConfig {
    TextIndexConfig {
        commit_every_docs: 100_000,
        commit_interval: Duration::from_secs(3600),
        ..TextIndexConfig::default()
    }
}

fn product(id: i64, brand: &str, name: &str) -> ProductDoc {
    ProductDoc {
        product_id: id,
        org_id: 1,
        right_holder: "Acme Brands".into(),
        brand: brand.into(),
        name: name.into(),
        ..ProductDoc::default()
    }
}

fn section(language: &str, text: &str, access: Access) -> SectionText {
    SectionText {
        kind: SectionKind::Description,
        language: language.into(),
        text: text.into(),
        access,
    }
}

fn open_section(language: &str, text: &str) -> SectionText {
    section(language, text, Access::Open)
}

fn index_of(products: Vec<ProductDoc>) -> TextIndex {
    let idx = TextIndex::open_in_ram(config()).unwrap();
    for (i, p) in products.into_iter().enumerate() {
        idx.apply(i as u64 + 1, IndexOp::Upsert(p)).unwrap();
    }
    idx.flush().unwrap();
    idx
}

fn req(text: &str) -> SearchRequest {
    SearchRequest {
        text: text.into(),
        limit: 10,
        ..SearchRequest::default()
    }
}

const OFFICER_7: Viewer = Viewer::Officer {
    administration_id: 7,
};
const OFFICER_8: Viewer = Viewer::Officer {
    administration_id: 8,
};

fn ids(idx: &TextIndex, text: &str, viewer: &Viewer) -> Vec<i64> {
    idx.search(&req(text), viewer)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.product_id)
        .collect()
}

fn sample() -> TextIndex {
    let mut nutella = product(1, "Ferrero", "Nutella hazelnut spread");
    nutella.categories = vec!["Spreads".into()];
    nutella.countries = vec!["fr".into(), "DE".into()];
    let mut lindt = product(2, "Lindt", "Excellence dark chocolate 70%");
    lindt.categories = vec!["Chocolate".into()];
    lindt.countries = vec!["FR".into()];
    let mut rocher = product(3, "Ferrero", "Rocher pralines");
    rocher.categories = vec!["Chocolate".into()];
    rocher.countries = vec!["IT".into()];
    index_of(vec![nutella, lindt, rocher])
}

#[test]
fn typos_are_tolerated() {
    let idx = sample();
    assert_eq!(ids(&idx, "nutela ", &OFFICER_7), [1]);
    assert_eq!(ids(&idx, "Nutrlla ", &OFFICER_7), [1]);
    // Lindt has it in its name, Rocher only in its category.
    assert_eq!(ids(&idx, "chocolat ", &OFFICER_7), [2, 3]);
    assert_eq!(ids(&idx, "excelence chocolat", &OFFICER_7), [2]);
    // Words of 4 characters get one typo, shorter ones none.
    assert_eq!(ids(&idx, "dork ", &OFFICER_7), [2]);
    assert!(ids(&idx, "drk ", &OFFICER_7).is_empty());
    // A typo in the first letter: deleted, swapped, replaced, one typed in front, alone
    // and beside a correct word, and in the word being typed.
    assert_eq!(ids(&idx, "utella ", &OFFICER_7), [1]);
    assert_eq!(ids(&idx, "untella ", &OFFICER_7), [1]);
    assert_eq!(ids(&idx, "butella ", &OFFICER_7), [1]);
    assert_eq!(ids(&idx, "bnutella ", &OFFICER_7), [1]);
    assert_eq!(ids(&idx, "lindt rxcellence ", &OFFICER_7), [2]);
    assert_eq!(ids(&idx, "ferrero eoche", &OFFICER_7), [3]);
}

#[test]
fn last_word_is_a_prefix_while_typing() {
    let idx = sample();
    assert_eq!(ids(&idx, "nute", &OFFICER_7), [1]);
    assert_eq!(ids(&idx, "ferrero roc", &OFFICER_7), [3]);
    // A trailing space ends the word: no prefix match any more.
    assert!(ids(&idx, "nute ", &OFFICER_7).is_empty());
}

#[test]
fn exact_beats_fuzzy_and_identity_beats_description() {
    let mut a = product(1, "Other", "Garden hose");
    a.sections = vec![open_section(
        "en",
        "Not a spread, but we mention nutella once.",
    )];
    let b = product(2, "Ferrero", "Nutella");
    let c = product(3, "Other", "Nutello imitation");
    let idx = index_of(vec![a, b, c]);
    let got = ids(&idx, "nutella ", &OFFICER_7);
    assert_eq!(got.first(), Some(&2), "{got:?}");
    assert!(got.contains(&1) && got.contains(&3), "{got:?}");
}

#[test]
fn stemming_in_english_french_spanish_german() {
    // Each pair is further apart than typo tolerance allows, so only the stem can match;
    // the same word in an unsupported language (plain field) must not match.
    let cases = [
        ("en", "Spare batteries included", "battery "),
        ("fr", "Élevage de chevaux", "cheval "),
        ("es", "Naciones del mundo", "nacion "),
        ("de", "Alte Bücher aus Leipzig", "buch "),
    ];
    for (i, (lang, text, query)) in cases.into_iter().enumerate() {
        let mut stemmed = product(1, "B", "Item one");
        stemmed.sections = vec![open_section(lang, text)];
        let mut plain = product(2, "B", "Item two");
        plain.sections = vec![open_section("it", text)];
        let idx = index_of(vec![stemmed, plain]);
        assert_eq!(
            ids(&idx, query, &OFFICER_7),
            [1],
            "case {i}: {lang} {query}"
        );
        let hit = &idx.search(&req(query), &OFFICER_7).unwrap().hits[0];
        assert!(hit.snippet_html.contains("<mark>"), "{}", hit.snippet_html);
    }
}

#[test]
fn every_gtin_form_finds_the_product() {
    let mut upc = product(1, "B", "Cereal");
    upc.gtins = vec!["036000291452".into()]; // UPC-A
    let mut ean8 = product(2, "B", "Gum");
    ean8.gtins = vec!["96385074".into()]; // GTIN-8
    let mut ean13 = product(3, "B", "Spread");
    ean13.gtins = vec!["4006381333931".into(), "not a gtin".into()];
    let idx = index_of(vec![upc, ean8, ean13]);
    for q in [
        "036000291452",
        "0036000291452",
        "00036000291452",
        "0 36000 29145 2",
    ] {
        assert_eq!(ids(&idx, q, &OFFICER_7), [1], "{q}");
    }
    for q in ["96385074", "00000096385074"] {
        assert_eq!(ids(&idx, q, &OFFICER_7), [2], "{q}");
    }
    for q in ["4006381333931", "04006381333931"] {
        assert_eq!(ids(&idx, q, &OFFICER_7), [3], "{q}");
    }
    // GS1 element strings and Digital Link URIs carry the GTIN too.
    assert_eq!(ids(&idx, "(01)04006381333931(10)LOT7", &OFFICER_7), [3]);
    assert_eq!(
        ids(&idx, "https://id.gs1.org/01/04006381333931", &OFFICER_7),
        [3]
    );
    // A wrong check digit is not a GTIN look-up.
    assert!(ids(&idx, "036000291453", &OFFICER_7).is_empty());
}

#[test]
fn facet_filters_and_counts() {
    let idx = sample();
    let all = idx.search(&req(""), &OFFICER_7).unwrap();
    assert_eq!(all.total, 3);
    assert_eq!(
        all.facets.brand,
        [("Ferrero".to_string(), 2), ("Lindt".to_string(), 1)]
    );
    assert_eq!(
        all.facets.country,
        [
            ("FR".to_string(), 2),
            ("DE".to_string(), 1),
            ("IT".to_string(), 1)
        ]
    );
    assert_eq!(all.facets.right_holder, [("Acme Brands".to_string(), 3)]);

    // Empty text + brand filter lists the brand.
    let r = SearchRequest {
        brand: Some("Ferrero".into()),
        ..req("")
    };
    let mut got: Vec<i64> = idx
        .search(&r, &OFFICER_7)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.product_id)
        .collect();
    got.sort_unstable();
    assert_eq!(got, [1, 3]);

    // Text + category + country (any case) filters, and facets of the matches only.
    let r = SearchRequest {
        category: Some("Chocolate".into()),
        country: Some("it".into()),
        ..req("ferrero")
    };
    let res = idx.search(&r, &OFFICER_7).unwrap();
    assert_eq!(res.total, 1);
    assert_eq!(res.hits[0].product_id, 3);
    assert_eq!(res.facets.brand, [("Ferrero".to_string(), 1)]);
    assert_eq!(res.facets.category, [("Chocolate".to_string(), 1)]);
}

#[test]
fn paging_counts_products() {
    let products = (1..=25)
        .map(|i| product(i, "Widgetco", &format!("Widget model {i}")))
        .collect();
    let idx = index_of(products);
    let mut seen = Vec::new();
    for offset in [0, 10, 20] {
        let r = SearchRequest {
            offset,
            ..req("widget ")
        };
        let res = idx.search(&r, &OFFICER_7).unwrap();
        assert_eq!(res.total, 25);
        assert_eq!(res.hits.len(), if offset == 20 { 5 } else { 10 });
        seen.extend(res.hits.iter().map(|h| h.product_id));
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=25).collect::<Vec<i64>>());
    let r = SearchRequest {
        offset: 30,
        ..req("widget ")
    };
    let res = idx.search(&r, &OFFICER_7).unwrap();
    assert_eq!((res.total, res.hits.len()), (25, 0));
}

fn restricted_sample() -> TextIndex {
    let mut p = product(1, "Ferrero", "Nutella jar");
    p.org_id = 42;
    p.sections = vec![
        open_section("en", "Genuine jars have a golden lid and a nutella label."),
        section(
            "en",
            "Covert hologram with microtext under the nutella label.",
            Access::Restricted {
                administrations: vec![7, 9],
            },
        ),
        section(
            "fr",
            "Code de distribution secret imprimé sous le couvercle.",
            Access::Restricted {
                administrations: vec![9],
            },
        ),
    ];
    index_of(vec![p, product(2, "Other", "Hologram stickers")])
}

#[test]
fn products_are_counted_once_whatever_their_restricted_documents() {
    // Product 1 is one open and two restricted documents; the count is of products.
    assert_eq!(restricted_sample().num_products(), 2);
}

#[test]
fn restricted_text_reaches_only_listed_administrations_and_the_owner() {
    let idx = restricted_sample();
    // Officer of a listed administration finds the product by a restricted word.
    let r = idx.search(&req("hologram microtext"), &OFFICER_7).unwrap();
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].product_id, 1);
    assert_eq!(r.hits[0].name, "Nutella jar");
    assert!(r.hits[0].snippet_html.contains("<mark>microtext</mark>"));
    // ... but not by text shared only with administration 9.
    assert!(ids(&idx, "distribution secret", &OFFICER_7).is_empty());

    // An officer of another administration does not.
    assert!(ids(&idx, "microtext", &OFFICER_8).is_empty());
    assert_eq!(ids(&idx, "hologram", &OFFICER_8), [2]);
    // Searching a word of both the open and restricted text shows only open text.
    let r = idx.search(&req("nutella label"), &OFFICER_8).unwrap();
    assert_eq!(r.total, 1);
    let s = &r.hits[0].snippet_html;
    assert!(s.contains("golden lid"), "{s}");
    for secret in ["ologram", "icrotext", "secret", "couvercle"] {
        assert!(!s.contains(secret), "{s}");
    }
    // The product counts once even when two of its documents match.
    let r = idx.search(&req("nutella"), &OFFICER_7).unwrap();
    assert_eq!((r.total, r.hits.len()), (1, 1));
    assert_eq!(r.facets.brand, [("Ferrero".to_string(), 1)]);

    // Owner, admin and the trainer of a listed administration see restricted text;
    // another right holder does not.
    assert_eq!(
        ids(&idx, "microtext", &Viewer::RightHolder { org_id: 42 }),
        [1]
    );
    assert_eq!(
        ids(&idx, "couvercle", &Viewer::RightHolder { org_id: 42 }),
        [1]
    );
    assert_eq!(ids(&idx, "couvercle", &Viewer::Admin), [1]);
    assert_eq!(
        ids(
            &idx,
            "microtext",
            &Viewer::Trainer {
                administration_id: 7
            }
        ),
        [1]
    );
    assert!(ids(&idx, "microtext", &Viewer::RightHolder { org_id: 43 }).is_empty());
    assert_eq!(
        ids(
            &idx,
            "couvercle",
            &Viewer::Officer {
                administration_id: 9
            }
        ),
        [1]
    );
}

#[test]
fn snippets_are_escaped() {
    let mut p = product(1, "B", "Thing");
    p.sections = vec![open_section(
        "en",
        "<script>alert('x')</script> genuine thing",
    )];
    let idx = index_of(vec![p]);
    let s = &idx.search(&req("genuine"), &OFFICER_7).unwrap().hits[0].snippet_html;
    assert_eq!(
        s,
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <mark>genuine</mark> thing"
    );
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let idx = sample();
    idx.apply(10, IndexOp::Upsert(product(1, "Ferrero", "Kinder Bueno")))
        .unwrap();
    assert_eq!(idx.flush().unwrap(), 10);
    assert!(ids(&idx, "nutella", &OFFICER_7).is_empty());
    assert_eq!(ids(&idx, "bueno", &OFFICER_7), [1]);
    assert_eq!(idx.search(&req(""), &OFFICER_7).unwrap().total, 3);
    idx.apply(11, IndexOp::Delete { product_id: 1 }).unwrap();
    assert_eq!(idx.flush().unwrap(), 11);
    assert!(ids(&idx, "bueno", &OFFICER_7).is_empty());
    assert_eq!(idx.search(&req(""), &OFFICER_7).unwrap().total, 2);
    idx.clear().unwrap();
    assert_eq!(idx.last_applied(), 0);
    assert_eq!(idx.search(&req(""), &Viewer::Admin).unwrap().total, 0);
}

#[test]
fn last_applied_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let idx = TextIndex::open(dir.path(), config()).unwrap();
    assert!(idx.needs_rebuild());
    assert_eq!(idx.last_applied(), 0);
    idx.apply(5, IndexOp::Upsert(product(1, "Ferrero", "Nutella")))
        .unwrap();
    idx.apply(6, IndexOp::Upsert(product(2, "Lindt", "Lindor")))
        .unwrap();
    // Shutdown commits pending work.
    assert_eq!(idx.shutdown().unwrap(), 6);
    let idx = TextIndex::open(dir.path(), config()).unwrap();
    assert!(!idx.needs_rebuild());
    assert_eq!(idx.last_applied(), 6);
    assert_eq!(ids(&idx, "lindor", &OFFICER_7), [2]);
    // Dropping the last handle commits too.
    idx.apply(7, IndexOp::Delete { product_id: 2 }).unwrap();
    drop(idx);
    let idx = TextIndex::open(dir.path(), config()).unwrap();
    assert_eq!(idx.last_applied(), 7);
    assert!(ids(&idx, "lindor", &OFFICER_7).is_empty());
}

#[test]
fn schema_version_change_rebuilds_into_a_fresh_directory() {
    let dir = tempfile::tempdir().unwrap();
    // An index of an older version with some other schema and a payload.
    let old = dir.path().join("v0-1");
    std::fs::create_dir_all(&old).unwrap();
    let mut b = tantivy::schema::Schema::builder();
    let title = b.add_text_field("title", tantivy::schema::TEXT);
    let old_index = tantivy::Index::create_in_dir(&old, b.build()).unwrap();
    let mut w: tantivy::IndexWriter = old_index.writer(15_000_000).unwrap();
    w.add_document(tantivy::doc!(title => "old")).unwrap();
    let mut c = w.prepare_commit().unwrap();
    c.set_payload("last_applied=99");
    c.commit().unwrap();
    drop(w);
    std::fs::write(dir.path().join("current"), "v0-1\n").unwrap();

    let idx = TextIndex::open(dir.path(), config()).unwrap();
    assert!(idx.needs_rebuild());
    assert_eq!(idx.last_applied(), 0);
    assert!(!old.exists(), "the old directory is deleted");
    let current = std::fs::read_to_string(dir.path().join("current")).unwrap();
    assert!(current.starts_with(&format!("v{}-", schema::SCHEMA_VERSION)));
    idx.apply(1, IndexOp::Upsert(product(1, "Ferrero", "Nutella")))
        .unwrap();
    assert_eq!(idx.shutdown().unwrap(), 1);
    let idx = TextIndex::open(dir.path(), config()).unwrap();
    assert!(!idx.needs_rebuild());
    assert_eq!(idx.last_applied(), 1);
}

fn wait_for(idx: &TextIndex, seq: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while idx.last_applied() < seq {
        assert!(Instant::now() < deadline, "no commit happened");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn commits_on_count_without_flush() {
    let idx = TextIndex::open_in_ram(TextIndexConfig {
        commit_every_docs: 2,
        ..config()
    })
    .unwrap();
    idx.apply(1, IndexOp::Upsert(product(1, "Ferrero", "Nutella")))
        .unwrap();
    idx.apply(2, IndexOp::Upsert(product(2, "Lindt", "Lindor")))
        .unwrap();
    wait_for(&idx, 2);
    assert_eq!(ids(&idx, "lindor", &OFFICER_7), [2]);
}

#[test]
fn commits_on_interval_without_flush() {
    let idx = TextIndex::open_in_ram(TextIndexConfig {
        commit_interval: Duration::from_millis(20),
        ..config()
    })
    .unwrap();
    idx.apply(3, IndexOp::Upsert(product(1, "Ferrero", "Nutella")))
        .unwrap();
    wait_for(&idx, 3);
    assert_eq!(ids(&idx, "nutella", &OFFICER_7), [1]);
}

/// The 1,000 Open Food Facts products shipped with the project, as product docs.
fn off_products() -> Vec<ProductDoc> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/products/openfoodfacts-products-min.jsonl.gz"
    );
    let file = std::fs::File::open(path).unwrap();
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let name = s("product_name");
        if name.is_empty() {
            continue;
        }
        let lang = s("lang");
        let mut p = product(i as i64 + 1, &s("brands"), &name);
        p.gtins = vec![s("code")];
        p.categories = s("categories")
            .split(',')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .take(3)
            .collect();
        p.sections = vec![open_section(&lang, &s("ingredients_text"))];
        out.push(p);
    }
    out
}

#[test]
fn real_products_are_found_by_typo_and_prefix() {
    let products = off_products();
    assert!(products.len() > 500);
    let idx = index_of(products.clone());
    let mut found = 0;
    let mut tried = 0;
    for p in products.iter().step_by(10) {
        let words: Vec<&str> = p.name.split_whitespace().take(3).collect();
        let Some(longest) = words.iter().max_by_key(|w| w.chars().count()) else {
            continue;
        };
        if longest.chars().count() < 5 || !longest.chars().all(char::is_alphabetic) {
            continue;
        }
        // Drop one letter of the longest word (a typo), and cut the last word in half.
        let typo: String = {
            let cs: Vec<char> = longest.chars().collect();
            cs[..2].iter().chain(&cs[3..]).collect()
        };
        let mut q: Vec<String> = words
            .iter()
            .map(|w| {
                if w == longest {
                    typo.clone()
                } else {
                    w.to_string()
                }
            })
            .collect();
        if let Some(last) = q.last_mut() {
            let keep = last.chars().count().div_ceil(2).max(2);
            *last = last.chars().take(keep).collect();
        }
        tried += 1;
        let got = ids(&idx, &q.join(" "), &OFFICER_7);
        if got.contains(&p.product_id) {
            found += 1;
        } else {
            eprintln!("missed {:?} for {:?}", q.join(" "), p.name);
        }
    }
    assert!(tried > 30, "{tried}");
    assert!(found * 10 >= tried * 9, "found {found} of {tried}");
    // The GTIN of a real product finds it.
    let p = products
        .iter()
        .find(|p| gtin::normalise(&p.gtins[0]).is_some())
        .unwrap();
    assert!(ids(&idx, &p.gtins[0], &OFFICER_7).contains(&p.product_id));
}
