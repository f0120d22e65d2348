//! Right holders' product pages: every section typed into the forms comes back through
//! the API, translations keep each other, the list filters and flags stale records,
//! images are uploaded, labelled, ordered and removed, the preview shows exactly what
//! each kind of officer may see, and other organisations reach nothing.

use crate::products::{full_record, world, World};
use crate::support::{Browser, Page, TestApp, PASSWORD};
use serde_json::{json, Value};

const PHOTOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/photos");

/// The value of the form input `name` on a page.
fn input_value(page: &Page, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no input {name} on the page"))
        + marker.len();
    let end = page.body[start..].find('"').expect("closing quote") + start;
    page.body[start..end].to_string()
}

/// Opens the edit form of `part`, then submits it with its token, version and language.
fn save_part(browser: &Browser, id: i64, part: &str, lang: &str, fields: &[(&str, &str)]) -> Page {
    let path = format!("/products/{id}/edit/{part}");
    let form = browser.get(&format!("{path}?lang={lang}"));
    form.assert_status(200);
    let token = form.csrf_token().expect("csrf token");
    let version = input_value(&form, "_version");
    let mut all = vec![
        ("csrf_token", token.as_str()),
        ("_version", version.as_str()),
        ("_lang", lang),
    ];
    all.extend_from_slice(fields);
    browser.post_form(&path, &all)
}

/// A browser signed in with a password, as a person uses the pages.
fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    browser.sign_in(email, PASSWORD).assert_redirect_to("/");
    browser
}

fn create_by_form(owner: &Browser, reference: &str, fields: &[(&str, &str)]) -> i64 {
    let mut all = vec![
        ("reference", reference),
        ("brand", "Acme"),
        ("name", "Chronograph Deluxe"),
    ];
    all.extend_from_slice(fields);
    let created = owner.submit("/products/new", "/products", &all);
    created.assert_redirect_to("/products/");
    created
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/products/"))
        .and_then(|l| l.split('?').next())
        .and_then(|id| id.parse().ok())
        .expect("product id in the redirect")
}

/// Types the whole of `full_record` into the pages.
fn type_full_record(owner: &Browser) -> i64 {
    let id = create_by_form(
        owner,
        "CD-100",
        &[
            ("category", "Watches"),
            ("hs_code", "9102.11"),
            ("identity.model_numbers", "CD-100"),
            ("codes.gtins", "036000291452"),
            ("codes.skus", "SKU-9"),
            ("codes.serial_formats", "AA00000000"),
            ("codes.lot_formats", "L-YYWW"),
            ("identity.target_markets", "fr, DE"),
            ("identity.net_content", "1 watch"),
            ("identity.dimensions", "40 mm"),
            ("identity.links", "https://acme.example/cd100"),
            ("last_reviewed_on", "2026-10-01"),
        ],
    );
    let saved = |part: &str, lang: &str, fields: &[(&str, &str)]| {
        save_part(owner, id, part, lang, fields).assert_redirect_to(&format!("/products/{id}"));
    };
    saved(
        "description",
        "en",
        &[
            ("access", "open"),
            ("text", "A steel chronograph with a sapphire crystal."),
        ],
    );
    saved(
        "description",
        "fr",
        &[("access", "open"), ("text", "Un chronographe en acier.")],
    );
    saved(
        "features",
        "en",
        &[
            ("access", "open"),
            ("items.0.title", "Crown logo"),
            ("items.0.genuine", "Engraved crown, sharp edges"),
            ("items.0.counterfeit", "Printed crown, blurred"),
        ],
    );
    saved(
        "security",
        "en",
        &[
            ("access", "open"),
            ("items.0.kind", "hologram"),
            ("items.0.description", "Hologram sticker on the case back"),
            ("items.0.location", "case back"),
        ],
    );
    saved(
        "packaging",
        "en",
        &[
            ("access", "open"),
            ("levels.0.level", "unit"),
            ("levels.0.description", "Green box"),
            ("levels.0.quantity", "1"),
            ("levels.0.markings", "GTIN label"),
        ],
    );
    // The second level is added on the next visit, as the form offers one empty item.
    saved(
        "packaging",
        "en",
        &[
            ("access", "open"),
            ("levels.0.level", "unit"),
            ("levels.0.description", "Green box"),
            ("levels.0.quantity", "1"),
            ("levels.0.markings", "GTIN label"),
            ("levels.1.level", "carton"),
            ("levels.1.description", "Brown carton"),
            ("levels.1.quantity", "24"),
        ],
    );
    saved(
        "logistics",
        "en",
        &[
            ("access", "restricted"),
            ("production_sites.0.name", "Acme Factory Biel"),
            ("production_sites.0.country", "ch"),
            ("production_sites.0.address", "Biel"),
            ("importers.0.name", "Zanzibar Imports"),
            ("importers.0.country", "FR"),
            ("routes", "By air through Frankfurt"),
            ("ports", "FRA"),
            ("transport_modes", "air"),
            ("sold_in", "FR DE"),
            ("never_sold_in", "US"),
            ("declared_value.amount", "120.00"),
            ("declared_value.currency", "eur"),
            ("retail_price.amount", "450.00"),
            ("retail_price.currency", "EUR"),
        ],
    );
    saved(
        "risk",
        "en",
        &[
            ("access", "restricted"),
            ("counterfeit_origins", "CN"),
            ("routes", "Quokkaport transshipment"),
            ("concealment", "Hidden in toy shipments"),
        ],
    );
    saved(
        "ip_rights",
        "en",
        &[
            ("access", "open"),
            ("items.0.kind", "trademark"),
            ("items.0.office", "EUIPO"),
            ("items.0.registration_number", "018000001"),
            ("items.0.classes", "14"),
            ("items.0.expires_on", "2031-01-01"),
            ("items.0.recordation_number", "AFA-2026-1"),
        ],
    );
    saved(
        "contacts",
        "en",
        &[
            ("access", "open"),
            ("items.0.name", "Eve Expert"),
            ("items.0.role", "Brand protection"),
            ("items.0.languages", "en, fr"),
            ("items.0.phone", "+41 00 000 00 00"),
            ("items.0.email", "eve@acme.example"),
            ("items.0.countries", "FR"),
            ("items.0.hours", "9-17 CET"),
            ("items.0.emergency", "on"),
        ],
    );
    id
}

#[test]
fn every_section_typed_into_the_pages_comes_back_through_the_api() {
    let w = world();
    let owner = signed_in(&w.app, "owner@acme.example");
    let id = type_full_record(&owner);

    let stored = w.owner.get(&format!("/api/v1/products/{id}")).json();
    let expected = full_record("CD-100");
    for field in ["reference", "brand", "name", "category", "last_reviewed_on"] {
        assert_eq!(stored[field], expected[field], "{field}");
    }
    assert_eq!(stored["hs_code"], "910211");
    assert_eq!(stored["codes"]["gtins"], json!(["00036000291452"]));
    assert_eq!(stored["identity"]["target_markets"], json!(["DE", "FR"]));
    assert_eq!(stored["identity"]["links"], expected["identity"]["links"]);
    for section in [
        "description",
        "features",
        "security",
        "packaging",
        "logistics",
        "risk",
        "ip_rights",
        "contacts",
    ] {
        let mut want = expected["sections"][section].clone();
        if section == "logistics" {
            want["production_sites"][0]["country"] = json!("CH");
            want["sold_in"] = json!(["DE", "FR"]);
        }
        assert_eq!(stored["sections"][section], want, "section {section}");
    }

    // The forms show what was saved, in the language asked for.
    owner
        .get(&format!("/products/{id}/edit/risk"))
        .assert_status(200)
        .assert_contains("Hidden in toy shipments");
    owner
        .get(&format!("/products/{id}/edit/description?lang=fr"))
        .assert_contains("Un chronographe en acier.");
    // Emptying the French text leaves the English one.
    save_part(
        &owner,
        id,
        "description",
        "fr",
        &[("access", "open"), ("text", "")],
    )
    .assert_status(303);
    let stored = w.owner.get(&format!("/api/v1/products/{id}")).json();
    assert_eq!(
        stored["sections"]["description"]["text"],
        json!({"en": "A steel chronograph with a sapphire crystal."})
    );
    // Removing an item.
    save_part(
        &owner,
        id,
        "packaging",
        "en",
        &[
            ("access", "open"),
            ("levels.0.level", "unit"),
            ("levels.0.description", "Green box"),
            ("levels.0._remove", "on"),
            ("levels.1.level", "carton"),
            ("levels.1.description", "Brown carton"),
            ("levels.1.quantity", "24"),
        ],
    )
    .assert_status(303);
    let levels =
        &w.owner.get(&format!("/api/v1/products/{id}")).json()["sections"]["packaging"]["levels"];
    assert_eq!(levels.as_array().map(Vec::len), Some(1));
    assert_eq!(levels[0]["level"], "carton");

    // The history says who changed what.
    owner
        .get(&format!("/products/{id}/history"))
        .assert_status(200)
        .assert_contains("packaging")
        .assert_contains("Owner");
}

#[test]
fn bad_input_in_a_form_is_shown_again_with_the_reason_and_changes_nothing() {
    let w = world();
    let owner = signed_in(&w.app, "owner@acme.example");
    let id = create_by_form(&owner, "CD-1", &[]);
    let before = w.owner.get(&format!("/api/v1/products/{id}")).json();

    let refused = save_part(
        &owner,
        id,
        "basics",
        "en",
        &[
            ("reference", "CD-1"),
            ("brand", "Acme"),
            ("name", "Chronograph"),
            ("codes.gtins", "4006381333932"),
        ],
    );
    refused.assert_status(400).assert_contains("4006381333932");
    // What was typed is still in the form.
    assert_eq!(input_value(&refused, "name"), "Chronograph");
    let refused = save_part(
        &owner,
        id,
        "packaging",
        "en",
        &[("levels.0.level", "unit"), ("levels.0.quantity", "many")],
    );
    refused.assert_status(400).assert_contains("Quantity");
    let refused = save_part(&owner, id, "security", "en", &[("items.0.kind", "sticker")]);
    refused.assert_status(400).assert_contains("choose one of");

    // A form opened before someone else saved is refused, not applied over their change.
    let path = format!("/products/{id}/edit/basics");
    let stale_form = owner.get(&path);
    save_part(
        &owner,
        id,
        "basics",
        "en",
        &[("reference", "CD-1"), ("brand", "Acme"), ("name", "First")],
    )
    .assert_status(303);
    let token = stale_form.csrf_token().expect("token");
    let version = input_value(&stale_form, "_version");
    owner
        .post_form(
            &path,
            &[
                ("csrf_token", &token),
                ("_version", &version),
                ("_lang", "en"),
                ("reference", "CD-1"),
                ("brand", "Acme"),
                ("name", "Second"),
            ],
        )
        .assert_status(400)
        .assert_contains("Someone saved this product");
    let after = w.owner.get(&format!("/api/v1/products/{id}")).json();
    assert_eq!(after["name"], "First");
    assert_eq!(after["codes"], before["codes"]);

    // A duplicate reference is refused on creation.
    owner
        .submit(
            "/products/new",
            "/products",
            &[("reference", "CD-1"), ("brand", "Acme"), ("name", "Copy")],
        )
        .assert_status(400)
        .assert_contains("already exists");
    assert_eq!(w.app.count("products"), 1);
}

#[test]
fn the_list_searches_filters_and_flags_stale_records() {
    let w = world();
    let mut old = full_record("OLD-1");
    old["name"] = json!("Vintage Pocket Watch");
    old["last_reviewed_on"] = json!("2020-01-01");
    let old_id = w.owner.post_json("/api/v1/products", &old).json()["id"]
        .as_i64()
        .expect("id");
    let mut fresh = full_record("NEW-1");
    fresh["brand"] = json!("Zenobia");
    fresh["name"] = json!("Diver Pro");
    let fresh_id = w.owner.post_json("/api/v1/products", &fresh).json()["id"]
        .as_i64()
        .expect("id");
    w.owner
        .post_empty(&format!("/api/v1/products/{fresh_id}/publish"))
        .assert_status(200);
    let owner = signed_in(&w.app, "owner@acme.example");

    let all = owner.get("/products");
    all.assert_status(200)
        .assert_contains("Vintage Pocket Watch")
        .assert_contains("Diver Pro</a></td>")
        .assert_contains("2 products");
    let stale = owner.get("/products?stale=1");
    stale
        .assert_contains("Vintage Pocket Watch</a> <span class=\"badge warn\">stale</span>")
        .assert_contains("1 product.");
    assert!(!stale.body.contains("Diver Pro"));
    let published = owner.get("/products?status=published");
    published.assert_contains("Diver Pro");
    assert!(!published.body.contains("Vintage"));
    let found = owner.get("/products?q=zenob");
    found.assert_contains("Diver Pro");
    assert!(!found.body.contains("Vintage"));
    owner
        .get(&format!("/products/{old_id}"))
        .assert_contains("stale: review this record");
    // Other organisations' products are not in the list.
    let other = signed_in(&w.app, "owner@other.example");
    let theirs = other.get("/products");
    theirs.assert_status(200).assert_contains("0 products");
}

#[test]
fn publishing_from_the_page_makes_the_product_searchable_and_archiving_hides_it() {
    let w = world();
    let owner = signed_in(&w.app, "owner@acme.example");
    let id = type_full_record(&owner);
    let page = format!("/products/{id}");
    owner
        .submit(
            &page,
            &format!("/products/{id}/status"),
            &[("action", "publish")],
        )
        .assert_redirect_to(&format!("/products/{id}?notice=product_published"));
    w.app.flush_search();
    let hits = w.shared_officer.get("/api/v1/search?q=chronograph").json();
    assert_eq!(hits["total"], 1, "{hits}");
    owner
        .submit(
            &page,
            &format!("/products/{id}/status"),
            &[("action", "archive")],
        )
        .assert_status(303);
    w.app.flush_search();
    let hits = w.shared_officer.get("/api/v1/search?q=chronograph").json();
    assert_eq!(hits["total"], 0, "{hits}");
    owner
        .submit(
            &page,
            &format!("/products/{id}/status"),
            &[("action", "explode")],
        )
        .assert_status(400);
}

#[test]
fn the_preview_shows_each_kind_of_officer_exactly_what_they_may_see() {
    let w = world();
    let owner = signed_in(&w.app, "owner@acme.example");
    let id = type_full_record(&owner);
    let open = owner.get(&format!("/products/{id}/preview"));
    open.assert_status(200)
        .assert_contains("Engraved crown, sharp edges")
        .assert_contains("Eve Expert")
        .assert_contains("tel:+41000000000")
        .assert_contains("00036000291452".trim_start_matches('0'))
        .assert_contains("not published");
    for restricted in ["Hidden in toy shipments", "Zanzibar Imports", "Quokkaport"] {
        assert!(!open.body.contains(restricted), "{restricted} leaked");
    }
    let shared = owner.get(&format!("/products/{id}/preview?as=shared"));
    shared
        .assert_contains("Hidden in toy shipments")
        .assert_contains("Zanzibar Imports");
    // Text in the officer's language where the right holder gave it.
    owner
        .get(&format!("/products/{id}/preview?lang=fr"))
        .assert_contains("Un chronographe en acier.");
    owner
        .get(&format!("/products/{id}/preview?lang=de"))
        .assert_contains("A steel chronograph");
}

fn upload_page(browser: &Browser, id: i64, bytes: Vec<u8>, name: &str, kind: &str) -> Page {
    let token = browser
        .get(&format!("/products/{id}"))
        .csrf_token()
        .expect("token");
    browser.post_multipart(
        &format!("/products/{id}/images"),
        bytes,
        name,
        &[("csrf_token", &token), ("kind", kind), ("caption", "Front")],
    )
}

fn first_photo() -> Vec<u8> {
    let dir = std::path::Path::new(PHOTOS).join("products");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("photos")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg" || e == "jpeg"))
        .collect();
    files.sort();
    std::fs::read(&files[0]).expect("photo")
}

#[test]
fn images_are_uploaded_labelled_ordered_and_removed_through_the_page() {
    let w = world();
    let owner = signed_in(&w.app, "owner@acme.example");
    let id = create_by_form(&owner, "IMG-1", &[]);
    let photo = first_photo();

    upload_page(&owner, id, photo.clone(), "front.jpg", "genuine")
        .assert_redirect_to(&format!("/products/{id}?notice=images_added"));
    upload_page(&owner, id, photo.clone(), "fake.jpg", "counterfeit").assert_status(303);
    // A file that is not an image is reported by name; nothing is stored for it.
    upload_page(
        &owner,
        id,
        b"not an image at all".to_vec(),
        "notes.txt",
        "genuine",
    )
    .assert_status(200)
    .assert_contains("notes.txt: not added");
    // Without the form's token nothing is accepted.
    owner
        .post_multipart(
            &format!("/products/{id}/images"),
            photo.clone(),
            "x.jpg",
            &[("kind", "genuine")],
        )
        .assert_status(403);
    let images = w.owner.get(&format!("/api/v1/products/{id}")).json()["images"].clone();
    let ids: Vec<i64> = images
        .as_array()
        .expect("images")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(images[0]["kind"], "genuine");
    assert_eq!(images[0]["caption"], "Front");

    let page = format!("/products/{id}");
    owner
        .submit(
            &page,
            &format!("/products/{id}/images/{}", ids[1]),
            &[("kind", "packaging"), ("caption", "Box, side")],
        )
        .assert_status(303);
    owner
        .submit(
            &page,
            &format!("/products/{id}/images/{}/move", ids[1]),
            &[("direction", "up")],
        )
        .assert_status(303);
    let images = w.owner.get(&format!("/api/v1/products/{id}")).json()["images"].clone();
    assert_eq!(images[0]["id"], ids[1], "moved first");
    assert_eq!(images[0]["kind"], "packaging");
    assert_eq!(images[0]["caption"], "Box, side");

    // A feature can show an image of the product.
    save_part(
        &owner,
        id,
        "features",
        "en",
        &[
            ("items.0.title", "Logo"),
            (&format!("items.0.image_ids.{}", ids[0]), "on"),
        ],
    )
    .assert_status(303);
    let stored = w.owner.get(&format!("/api/v1/products/{id}")).json();
    assert_eq!(
        stored["sections"]["features"]["items"][0]["image_ids"],
        json!([ids[0]])
    );

    // The page serves the files to the owner, never to another organisation.
    let thumb = owner.get_bytes(&format!("/products/{id}/images/{}/thumb", ids[0]));
    assert_eq!(&thumb[..2], &[0xFF, 0xD8], "a JPEG");
    let other = signed_in(&w.app, "owner@other.example");
    other
        .get(&format!("/products/{id}/images/{}/thumb", ids[0]))
        .assert_status(404);

    owner
        .submit(
            &page,
            &format!("/products/{id}/images/{}/delete", ids[1]),
            &[],
        )
        .assert_status(303);
    let images = w.owner.get(&format!("/api/v1/products/{id}")).json()["images"].clone();
    assert_eq!(images.as_array().map(Vec::len), Some(1));
}

#[test]
fn other_organisations_and_officers_reach_none_of_the_product_pages() {
    let World {
        app, owner: api, ..
    } = world();
    let record: Value = full_record("SECRET-1");
    let id = api.post_json("/api/v1/products", &record).json()["id"]
        .as_i64()
        .expect("id");
    let owner = signed_in(&app, "owner@acme.example");
    let other = signed_in(&app, "owner@other.example");
    let before = api.get(&format!("/api/v1/products/{id}")).json();
    for path in [
        format!("/products/{id}"),
        format!("/products/{id}/edit/basics"),
        format!("/products/{id}/preview"),
        format!("/products/{id}/history"),
    ] {
        other.get(&path).assert_status(404);
    }
    let token = other.get("/products").csrf_token().expect("token");
    for (path, fields) in [
        (
            format!("/products/{id}/status"),
            vec![("action", "publish")],
        ),
        (format!("/products/{id}/delete"), vec![]),
        (
            format!("/products/{id}/edit/basics"),
            vec![
                ("_version", "1"),
                ("reference", "X"),
                ("brand", "X"),
                ("name", "X"),
            ],
        ),
    ] {
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend(fields);
        other.post_form(&path, &all).assert_status(404);
    }
    // Officers have no product list; a responder may read but not edit.
    let officer = signed_in(&app, "officer@a.example");
    officer.get("/products").assert_status(403);
    let responder = app.invite(&owner, "responder@acme.example", "responder");
    responder.get(&format!("/products/{id}")).assert_status(200);
    responder
        .get(&format!("/products/{id}/edit/basics"))
        .assert_status(403);
    assert_eq!(api.get(&format!("/api/v1/products/{id}")).json(), before);
}

#[test]
fn the_share_list_page_is_changed_by_the_owner_only() {
    let w = world();
    let owner = signed_in(&w.app, "owner@acme.example");
    let page = owner.get("/share-list");
    page.assert_status(200)
        .assert_contains("Customs A")
        .assert_contains("Customs B");
    let list = w.owner.get("/api/v1/share-list").json();
    let b = list
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["name"] == "Customs B")
        .expect("B")["id"]
        .as_i64()
        .expect("id");
    owner
        .submit(
            "/share-list",
            "/share-list",
            &[(&format!("admin.{b}"), "on")],
        )
        .assert_redirect_to("/share-list");
    let shared: Vec<String> = w
        .owner
        .get("/api/v1/share-list")
        .json()
        .as_array()
        .expect("list")
        .iter()
        .filter(|x| x["shared"] == true)
        .map(|x| x["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(shared, vec!["Customs B".to_string()]);

    let editor = w.app.invite(&owner, "editor@acme.example", "editor");
    editor
        .submit("/share-list", "/share-list", &[])
        .assert_status(403);
}
