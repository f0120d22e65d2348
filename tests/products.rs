//! Products through the API: every section round-trips, other organisations see nothing
//! of drafts and cannot change anything, restricted sections reach only the share list,
//! search finds published products by text and GTIN, and uploaded images are validated,
//! stripped of metadata and hashed.

use crate::support::{Browser, TestApp, PASSWORD};
use serde_json::{json, Value};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");

/// A record with every section filled, restricted logistics and risk.
pub fn full_record(reference: &str) -> Value {
    json!({
        "reference": reference,
        "brand": "Acme",
        "name": "Chronograph Deluxe",
        "category": "Watches",
        "hs_code": "9102.11",
        "identity": {"model_numbers": ["CD-100"], "target_markets": ["fr", "DE"], "net_content": "1 watch",
            "dimensions": "40 mm", "links": ["https://acme.example/cd100"]},
        "codes": {"gtins": ["036000291452"], "skus": ["SKU-9"], "serial_formats": ["AA00000000"], "lot_formats": ["L-YYWW"]},
        "last_reviewed_on": "2026-10-01",
        "sections": {
            "description": {"access": "open", "text": {"en": "A steel chronograph with a sapphire crystal.", "fr": "Un chronographe en acier."}},
            "features": {"access": "open", "items": [{"title": {"en": "Crown logo"}, "genuine": {"en": "Engraved crown, sharp edges"},
                "counterfeit": {"en": "Printed crown, blurred"}, "image_ids": []}]},
            "security": {"access": "open", "items": [{"kind": "hologram", "description": {"en": "Hologram sticker on the case back"}, "location": {"en": "case back"}}]},
            "packaging": {"access": "open", "levels": [{"level": "unit", "description": {"en": "Green box"}, "quantity": 1, "markings": {"en": "GTIN label"}},
                {"level": "carton", "description": {"en": "Brown carton"}, "quantity": 24, "markings": {}}]},
            "logistics": {"access": "restricted", "production_sites": [{"name": "Acme Factory Biel", "country": "ch", "address": "Biel", "notes": ""}],
                "importers": [{"name": "Zanzibar Imports", "country": "FR", "address": "", "notes": ""}], "exporters": [], "distributors": [], "licensees": [],
                "routes": {"en": "By air through Frankfurt"}, "ports": ["FRA"], "transport_modes": ["air"], "sold_in": ["FR", "DE"], "never_sold_in": ["US"],
                "declared_value": {"amount": "120.00", "currency": "EUR"}, "retail_price": {"amount": "450.00", "currency": "EUR"}},
            "risk": {"access": "restricted", "counterfeit_origins": ["CN"], "routes": {"en": "Quokkaport transshipment"}, "concealment": {"en": "Hidden in toy shipments"}, "past_cases": {}},
            "ip_rights": {"access": "open", "items": [{"kind": "trademark", "office": "EUIPO", "registration_number": "018000001", "classes": ["14"],
                "expires_on": "2031-01-01", "recordation_number": "AFA-2026-1"}]},
            "contacts": {"access": "open", "items": [{"name": "Eve Expert", "role": "Brand protection", "languages": ["en", "fr"], "phone": "+41 00 000 00 00",
                "email": "eve@acme.example", "countries": ["FR"], "hours": "9-17 CET", "emergency": true}]}
        }
    })
}

pub struct World {
    pub app: TestApp,
    pub owner: Browser,
    pub org_id: i64,
    pub shared_officer: Browser,
    pub other_officer: Browser,
    pub other_owner: Browser,
}

pub fn api_for(app: &TestApp, email: &str) -> Browser {
    Browser::with_token(&app.base, &Browser::token_for(&app.base, email, PASSWORD))
}

/// Puts every customs administration on the right holder's share list (through the API).
pub fn share_with_every_administration(owner_api: &Browser) {
    let list = owner_api.get("/api/v1/share-list").json();
    let ids: Vec<Value> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    owner_api
        .put_json("/api/v1/share-list", &json!({"administrations": ids}))
        .assert_status(204);
}

/// Two customs administrations (only the first on Acme's share list), Acme and another
/// right holder.
pub fn world() -> World {
    let app = TestApp::spawn();
    let (org_id, _) = app.right_holder("Acme SA", "owner@acme.example");
    app.right_holder("Other Brand", "owner@other.example");
    let manager_a = app.customs("Customs A", "chief@a.example");
    app.invite(&manager_a, "officer@a.example", "officer");
    let manager_b = app.customs("Customs B", "chief@b.example");
    app.invite(&manager_b, "officer@b.example", "officer");
    let owner = api_for(&app, "owner@acme.example");
    let administrations = owner.get("/api/v1/share-list").json();
    let a = administrations
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["name"] == "Customs A")
        .expect("A")["id"]
        .clone();
    owner
        .put_json("/api/v1/share-list", &json!({"administrations": [a]}))
        .assert_status(204);
    World {
        shared_officer: api_for(&app, "officer@a.example"),
        other_officer: api_for(&app, "officer@b.example"),
        other_owner: api_for(&app, "owner@other.example"),
        owner,
        org_id,
        app,
    }
}

fn create(owner: &Browser, record: &Value) -> i64 {
    let created = owner.post_json("/api/v1/products", record);
    created.assert_status(201);
    created.json()["id"].as_i64().expect("id")
}

#[test]
fn every_section_round_trips_through_the_api() {
    let w = world();
    let record = full_record("CD-100");
    let id = create(&w.owner, &record);
    let stored = w.owner.get(&format!("/api/v1/products/{id}")).json();
    assert_eq!(stored["status"], "draft");
    assert_eq!(stored["organisation"]["id"], w.org_id);
    // Normalised: GTIN to 14 digits, countries upper-cased and sorted, HS code digits only.
    assert_eq!(stored["codes"]["gtins"], json!(["00036000291452"]));
    assert_eq!(stored["identity"]["target_markets"], json!(["DE", "FR"]));
    assert_eq!(stored["hs_code"], "910211");
    assert_eq!(
        stored["sections"]["logistics"]["production_sites"][0]["country"],
        "CH"
    );
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
        let mut expected = record["sections"][section].clone();
        let got = &stored["sections"][section];
        if section == "logistics" {
            expected["production_sites"][0]["country"] = json!("CH");
            expected["sold_in"] = json!(["DE", "FR"]);
        }
        assert_eq!(got, &expected, "section {section}");
    }
    assert_eq!(
        stored["sections"]["contacts"]["items"][0]["emergency"],
        true
    );

    let mut changed = record.clone();
    changed["name"] = json!("Chronograph Deluxe II");
    changed["sections"]["description"]["text"]["de"] = json!("Ein Chronograph aus Stahl.");
    let replaced = w
        .owner
        .put_json(&format!("/api/v1/products/{id}"), &changed);
    replaced.assert_status(200);
    assert_eq!(replaced.json()["name"], "Chronograph Deluxe II");
    assert_eq!(replaced.json()["version"], 2);
    assert_eq!(
        replaced.json()["sections"]["description"]["text"]["de"],
        "Ein Chronograph aus Stahl."
    );
    let revisions = w
        .owner
        .get(&format!("/api/v1/products/{id}/revisions"))
        .json();
    let summaries: Vec<&str> = revisions
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["summary"].as_str().expect("s"))
        .collect();
    assert_eq!(summaries, ["updated", "created"]);
    let listed = w.owner.get("/api/v1/products").json();
    assert_eq!(listed.as_array().expect("list").len(), 1);
    assert_eq!(
        w.owner
            .post_json("/api/v1/products", &record)
            .status
            .as_u16(),
        409,
        "reference taken"
    );
}

#[test]
fn bad_records_get_a_clear_error_and_change_nothing() {
    let w = world();
    let before = w.app.count("products");
    let mut bad_gtin = full_record("X-1");
    bad_gtin["codes"]["gtins"] = json!(["036000291453"]);
    let page = w.owner.post_json("/api/v1/products", &bad_gtin);
    page.assert_status(400);
    assert_eq!(page.json()["error"], "invalid_product");
    assert!(
        page.json()["message"]
            .as_str()
            .expect("msg")
            .contains("check digit"),
        "{}",
        page.body
    );
    let mut unknown_field = full_record("X-2");
    unknown_field["colour"] = json!("red");
    w.owner
        .post_json("/api/v1/products", &unknown_field)
        .assert_status(400);
    let mut bad_level = full_record("X-3");
    bad_level["sections"]["packaging"]["levels"][0]["level"] = json!("crate");
    w.owner
        .post_json("/api/v1/products", &bad_level)
        .assert_status(400)
        .assert_contains("unit, inner, carton or pallet");
    let mut missing_name = full_record("X-4");
    missing_name["name"] = json!("  ");
    w.owner
        .post_json("/api/v1/products", &missing_name)
        .assert_status(400)
        .assert_contains("name is required");
    let mut bad_image_ref = full_record("X-5");
    bad_image_ref["sections"]["features"]["items"][0]["image_ids"] = json!([12345]);
    w.owner
        .post_json("/api/v1/products", &bad_image_ref)
        .assert_status(400)
        .assert_contains("not an image of this product");
    assert_eq!(w.app.count("products"), before);
    assert_eq!(w.app.count("search_outbox"), 0);
}

#[test]
fn other_organisations_see_no_drafts_and_change_nothing() {
    let w = world();
    let id = create(&w.owner, &full_record("CD-100"));
    let path = format!("/api/v1/products/{id}");
    for outsider in [&w.other_owner, &w.shared_officer, &w.other_officer] {
        outsider.get(&path).assert_status(404);
    }
    w.other_owner
        .put_json(&path, &full_record("CD-100"))
        .assert_status(404);
    w.other_owner.delete(&path).assert_status(404);
    w.other_owner
        .post_empty(&format!("{path}/publish"))
        .assert_status(404);
    w.shared_officer
        .post_empty(&format!("{path}/publish"))
        .assert_status(403);
    w.shared_officer
        .post_json("/api/v1/products", &full_record("Z"))
        .assert_status(403);
    w.other_owner
        .get(&format!("{path}/revisions"))
        .assert_status(404);
    assert_eq!(w.owner.get(&path).json()["status"], "draft");
    // Responders read but do not edit.
    let owner_browser = w.app.browser();
    owner_browser
        .sign_in("owner@acme.example", PASSWORD)
        .assert_status(303);
    w.app
        .invite(&owner_browser, "responder@acme.example", "responder");
    let responder = api_for(&w.app, "responder@acme.example");
    responder.get(&path).assert_status(200);
    responder
        .put_json(&path, &full_record("CD-100"))
        .assert_status(403);
}

#[test]
fn restricted_sections_reach_only_administrations_on_the_share_list() {
    let w = world();
    let id = create(&w.owner, &full_record("CD-100"));
    w.owner
        .post_empty(&format!("/api/v1/products/{id}/publish"))
        .assert_status(200);
    w.app.flush_search();
    let path = format!("/api/v1/products/{id}");
    let shared = w.shared_officer.get(&path).json();
    assert_eq!(
        shared["sections"]["logistics"]["importers"][0]["name"],
        "Zanzibar Imports"
    );
    let other = w.other_officer.get(&path);
    other.assert_status(200);
    let other = other.json();
    assert!(
        other["sections"].get("logistics").is_none() && other["sections"].get("risk").is_none()
    );
    assert!(!other.to_string().contains("Zanzibar") && !other.to_string().contains("Quokkaport"));
    assert_eq!(
        other["sections"]["description"]["text"]["en"],
        "A steel chronograph with a sapphire crystal."
    );
    // Search: the restricted words find the product only for the shared administration,
    // and never show up in another's snippets.
    let hits = |who: &Browser, q: &str| who.get(&format!("/api/v1/search?q={q}")).json();
    assert_eq!(hits(&w.shared_officer, "Zanzibar")["total"], 1);
    assert_eq!(hits(&w.other_officer, "Zanzibar")["total"], 0);
    assert_eq!(hits(&w.other_officer, "Quokkaport")["total"], 0);
    let open = hits(&w.other_officer, "chronograph");
    assert_eq!(open["total"], 1);
    assert!(!open.to_string().contains("Zanzibar") && !open.to_string().contains("Quokkaport"));
    // Taking B onto the share list opens the sections to B at once.
    share_with_every_administration(&w.owner);
    w.app.flush_search();
    assert!(w.other_officer.get(&path).json()["sections"]["logistics"].is_object());
    assert_eq!(hits(&w.other_officer, "Zanzibar")["total"], 1);
}

#[test]
fn published_products_are_found_by_text_and_every_gtin_form() {
    let w = world();
    let id = create(&w.owner, &full_record("CD-100"));
    w.app.flush_search();
    let search = |q: &str| {
        w.shared_officer
            .get(&format!("/api/v1/search?q={q}"))
            .json()
    };
    assert_eq!(
        search("chronograph")["total"],
        0,
        "drafts are not searchable"
    );
    w.owner
        .post_empty(&format!("/api/v1/products/{id}/publish"))
        .assert_status(200);
    w.app.flush_search();
    for q in [
        "chronograph",
        "chronogrpah",
        "Acme",
        "036000291452",
        "0036000291452",
        "00036000291452",
        "sapphire",
    ] {
        let found = search(q);
        assert_eq!(found["total"], 1, "query {q}: {found}");
        let hit = &found["hits"][0];
        assert_eq!(hit["product_id"], id);
        assert_eq!(hit["brand"], "Acme");
        assert_eq!(hit["name"], "Chronograph Deluxe");
        assert_eq!(hit["right_holder"], "Acme SA");
    }
    let faceted = w.shared_officer.get("/api/v1/search?q=&brand=Acme").json();
    assert_eq!(faceted["total"], 1);
    assert_eq!(
        w.shared_officer
            .get("/api/v1/search?q=chronograph&country=US")
            .json()["total"],
        0
    );
    w.owner
        .post_empty(&format!("/api/v1/products/{id}/unpublish"))
        .assert_status(200);
    w.app.flush_search();
    assert_eq!(search("chronograph")["total"], 0);
    w.owner
        .post_empty(&format!("/api/v1/products/{id}/publish"))
        .assert_status(200);
    w.owner
        .delete(&format!("/api/v1/products/{id}"))
        .assert_status(204);
    w.app.flush_search();
    assert_eq!(search("chronograph")["total"], 0);
    w.owner
        .get(&format!("/api/v1/products/{id}"))
        .assert_status(404);
}

/// A real JPEG with an EXIF segment carrying GPS coordinates inserted after its SOI.
pub fn jpeg_with_gps() -> Vec<u8> {
    let original = std::fs::read(format!("{DATA}/photos/samples/rocket.jpg")).expect("photo");
    let mut tiff: Vec<u8> = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend([0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    tiff.extend([
        0, 2, 0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0, 0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 56, 0, 0, 0,
        0,
    ]);
    for value in [48u32, 51, 30] {
        tiff.extend(value.to_be_bytes());
        tiff.extend(1u32.to_be_bytes());
    }
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend(tiff);
    let length = u16::try_from(app1.len() + 2).expect("small");
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(length.to_be_bytes());
    out.extend(app1);
    out.extend(&original[2..]);
    out
}

fn upload(
    who: &Browser,
    path: &str,
    bytes: Vec<u8>,
    name: &str,
    kind: &str,
) -> crate::support::browser::Page {
    who.post_multipart(
        path,
        bytes,
        name,
        &[("kind", kind), ("caption", "Front view")],
    )
}

#[test]
fn images_are_validated_stripped_of_metadata_hashed_and_served_to_those_who_may_see_them() {
    let w = world();
    let id = create(&w.owner, &full_record("CD-100"));
    let images = format!("/api/v1/products/{id}/images");
    let gps = jpeg_with_gps();
    assert!(gps.windows(4).any(|x| x == b"Exif"));
    let added = upload(&w.owner, &images, gps, "front.jpg", "genuine");
    added.assert_status(201);
    let image = added.json();
    assert_eq!(image["kind"], "genuine");
    assert_eq!(image["caption"], "Front view");
    assert_eq!(image["pdq"].as_str().expect("pdq").len(), 64);
    assert!(image["quality"].as_i64().expect("quality") > 50);
    // The stored bytes carry no EXIF (no GPS): they were re-encoded from pixels.
    for url in [
        image["url"].as_str().expect("url"),
        image["thumb_url"].as_str().expect("thumb"),
    ] {
        let stored = w.owner.get_bytes(url);
        assert_eq!(&stored[..2], &[0xFF, 0xD8]);
        assert!(
            !stored.windows(4).any(|x| x == b"Exif"),
            "metadata left in {url}"
        );
        assert!(
            !stored.windows(2).any(|x| x == [0xFF, 0xE1]),
            "an APP1 segment left in {url}"
        );
    }
    // Every stored file is content-addressed under the data dir.
    let files = w.app.state.images.all().expect("list");
    assert_eq!(files.len(), 2);

    // Bad uploads: corrupt, wrong type (with advice for HEIC), unknown kind.
    let photo = std::fs::read(format!("{DATA}/photos/samples/rocket.jpg")).expect("photo");
    let corrupt = upload(
        &w.owner,
        &images,
        photo[..photo.len() / 3].to_vec(),
        "cut.jpg",
        "genuine",
    );
    corrupt.assert_status(400);
    let pdf = upload(
        &w.owner,
        &images,
        b"%PDF-1.7\n1 0 obj\n".to_vec(),
        "doc.pdf",
        "document",
    );
    pdf.assert_status(400);
    assert_eq!(pdf.json()["error"], "unsupported_image");
    let mut heic = vec![0, 0, 0, 24];
    heic.extend(b"ftypheic\x00\x00\x00\x00mif1heic");
    let heic = upload(&w.owner, &images, heic, "phone.heic", "genuine");
    heic.assert_status(400);
    assert!(
        heic.json()["message"]
            .as_str()
            .expect("message")
            .contains("JPEG"),
        "{}",
        heic.body
    );
    upload(&w.owner, &images, photo.clone(), "x.jpg", "blurry").assert_status(400);
    assert_eq!(w.app.count("product_images"), 1);
    assert_eq!(
        w.app.state.images.all().expect("list").len(),
        2,
        "nothing stored for refused uploads"
    );

    // Others: not on a draft; officers once published.
    upload(&w.other_owner, &images, photo, "x.jpg", "counterfeit").assert_status(404);
    let url = image["url"].as_str().expect("url");
    assert_eq!(w.shared_officer.get(url).status.as_u16(), 404);
    w.owner
        .post_empty(&format!("/api/v1/products/{id}/publish"))
        .assert_status(200);
    assert_eq!(w.other_officer.get(url).status.as_u16(), 200);
    let image_id = image["id"].as_i64().expect("id");
    w.owner
        .delete(&format!("{images}/{image_id}"))
        .assert_status(204);
    assert_eq!(
        w.app.state.images.all().expect("list").len(),
        0,
        "unused files are removed"
    );
}

#[test]
fn uploads_over_the_size_limit_are_refused_before_decoding() {
    let app = TestApp::spawn_with(|c| c.max_image_mb = 1);
    let (_, _) = app.right_holder("Big Pictures", "owner@big.example");
    let owner = api_for(&app, "owner@big.example");
    let id = create(&owner, &full_record("BIG-1"));
    let big =
        std::fs::read(format!("{DATA}/photos/products/3023470001015_103.jpg")).expect("photo");
    assert!(big.len() > 1024 * 1024);
    let page = upload(
        &owner,
        &format!("/api/v1/products/{id}/images"),
        big,
        "big.jpg",
        "genuine",
    );
    page.assert_status(413);
    assert_eq!(page.json()["error"], "too_large");
    assert_eq!(app.count("product_images"), 0);
}
