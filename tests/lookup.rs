//! Officers' look-up pages and the authentication guide: words and codes find the
//! product, filters and paging work, nothing-found helps, the guide shows restricted
//! sections only to administrations on the share list, in the reader's language.

use crate::products::{full_record, world};
use crate::support::{Browser, TestApp, PASSWORD};
use serde_json::json;

fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    browser.sign_in(email, PASSWORD).assert_redirect_to("/");
    browser
}

#[test]
fn officers_find_products_by_words_and_codes_and_read_the_guide() {
    let w = world();
    let id = w
        .owner
        .post_json("/api/v1/products", &full_record("CD-100"))
        .json()["id"]
        .as_i64()
        .expect("id");
    w.owner
        .post_empty(&format!("/api/v1/products/{id}/publish"))
        .assert_status(200);
    let mut other = full_record("DIVER-1");
    other["brand"] = json!("Zenobia");
    other["name"] = json!("Diver Pro");
    other["codes"]["gtins"] = json!([]);
    let other_id = w.owner.post_json("/api/v1/products", &other).json()["id"]
        .as_i64()
        .expect("id");
    w.owner
        .post_empty(&format!("/api/v1/products/{other_id}/publish"))
        .assert_status(200);
    w.app.flush_search();
    let officer = signed_in(&w.app, "officer@a.example");

    // Words, with a typo; the snippet marks the match.
    let found = officer.get("/search?q=chronogaph");
    found
        .assert_status(200)
        .assert_contains(&format!("/guide/{id}"))
        .assert_contains("Acme SA")
        .assert_contains("1 product");
    assert!(!found.body.contains("Diver Pro"));
    // A code in another form, and a GS1 element string with lot and serial.
    officer
        .get("/search?q=0036000291452")
        .assert_contains(&format!("/guide/{id}"));
    let gs1 = officer.get("/search?q=%2801%2900036000291452%2810%29LOT42%2821%29SN7");
    gs1.assert_contains(&format!("/guide/{id}"))
        .assert_contains("LOT42")
        .assert_contains("SN7");
    // Filters: by brand, and back without them.
    let both = officer.get("/search?q=acme+zenobia+watch+chronograph+diver");
    let filtered = officer.get("/search?q=diver&brand=Zenobia");
    filtered.assert_contains("Diver Pro");
    assert!(both.status.is_success());
    let none = officer.get("/search?q=diver&brand=Acme");
    none.assert_contains("Nothing found")
        .assert_contains("Search again without the filters");
    officer
        .get("/search?q=qwxzv")
        .assert_contains("Nothing found")
        .assert_contains("Try fewer or more general words");

    // The guide: open sections for all, restricted ones only on the share list.
    let guide = officer.get(&format!("/guide/{id}"));
    guide
        .assert_status(200)
        .assert_contains("Engraved crown, sharp edges")
        .assert_contains("Hidden in toy shipments")
        .assert_contains("mailto:eve@acme.example");
    let outsider = signed_in(&w.app, "officer@b.example");
    let theirs = outsider.get(&format!("/guide/{id}"));
    theirs.assert_status(200).assert_contains("Engraved crown");
    for restricted in ["Hidden in toy shipments", "Zanzibar Imports", "Quokkaport"] {
        assert!(!theirs.body.contains(restricted), "{restricted} leaked");
    }
    // The reader's language, from the address or the browser.
    outsider
        .get(&format!("/guide/{id}?lang=fr"))
        .assert_contains("Un chronographe en acier.");

    // The same guide over the API.
    let api = w
        .shared_officer
        .get(&format!("/api/v1/products/{id}/guide?lang=fr"))
        .json();
    assert_eq!(api["description"], "Un chronographe en acier.");
    assert_eq!(api["risk"]["concealment"], "Hidden in toy shipments");
    let api = w
        .other_officer
        .get(&format!("/api/v1/products/{id}/guide"))
        .json();
    assert_eq!(api["risk"], serde_json::Value::Null);
    assert_eq!(api["withheld"], true);
    assert_eq!(api["contacts"][0]["phone_link"], "+41000000000");
}

#[test]
fn drafts_and_other_organisations_products_have_no_guide() {
    let w = world();
    let id = w
        .owner
        .post_json("/api/v1/products", &full_record("DRAFT-1"))
        .json()["id"]
        .as_i64()
        .expect("id");
    w.app.flush_search();
    let officer = signed_in(&w.app, "officer@a.example");
    officer.get(&format!("/guide/{id}")).assert_status(404);
    officer
        .get("/search?q=chronograph")
        .assert_contains("Nothing found");
    w.other_owner
        .get(&format!("/api/v1/products/{id}/guide"))
        .assert_status(404);
    w.shared_officer
        .get(&format!("/api/v1/products/{id}/guide"))
        .assert_status(404);
    // Signed out: sent to sign in.
    w.app
        .browser()
        .get(&format!("/guide/{id}"))
        .assert_status(303);
}
