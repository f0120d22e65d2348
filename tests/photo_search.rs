//! Search by photo, over HTTP: `POST /api/v1/search/image` and the officers' form on
//! `/search`. A product's uploaded image is found again from resized, letterboxed,
//! rotated and cropped photos of it; an unrelated photo finds nothing; drafts, other
//! right holders' products and unpublished products never match; bad files get clear
//! errors; the photo is never stored. (Recall against distractors is asserted in
//! `search-index`'s `photo` tests and measured by `search-index/examples/photo_bench.rs`.)

use std::io::Cursor;

use image::imageops::{self, FilterType};
use image::{DynamicImage, RgbImage};
use serde_json::{json, Value};

use crate::products::{full_record, world};
use crate::support::{Browser, TestApp, PASSWORD};

const PHOTOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/photos");
const PRODUCT_PHOTO: &str = "products/3256220787321_1.jpg";
const OTHER_PHOTO: &str = "products/9001375996494_1.jpg";
const UNRELATED_PHOTO: &str = "samples/coffee.png";

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{PHOTOS}/{name}")).expect("shared photo")
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img.clone())
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode");
    out.into_inner()
}

/// The edits an officer's photo may have compared with the right holder's.
fn edited_copies(original: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let img = image::load_from_memory(original)
        .expect("decode")
        .into_rgb8();
    let (w, h) = img.dimensions();
    let half = imageops::resize(&img, w / 2, h / 2, FilterType::Triangle);
    let mut boxed = RgbImage::new(w, h + h / 4);
    imageops::replace(&mut boxed, &img, 0, i64::from(h / 8));
    let cropped = imageops::crop_imm(&img, w / 20, h / 20, w * 9 / 10, h * 9 / 10).to_image();
    vec![
        ("resized to half", jpeg(&half)),
        ("letterboxed", jpeg(&boxed)),
        ("rotated a quarter", jpeg(&imageops::rotate90(&img))),
        ("mirrored", jpeg(&imageops::flip_horizontal(&img))),
        ("cropped 10%", jpeg(&cropped)),
    ]
}

fn token_browser(app: &TestApp, email: &str) -> Browser {
    Browser::with_token(&app.base, &Browser::token_for(&app.base, email, PASSWORD))
}

fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    browser.sign_in(email, PASSWORD).assert_redirect_to("/");
    browser
}

/// A product of the owner with one image; returns (product id, image id).
fn product_with_image(owner: &Browser, reference: &str, photo: &str) -> (i64, i64) {
    let created = owner.post_json("/api/v1/products", &full_record(reference));
    created.assert_status(201);
    let id = created.json()["id"].as_i64().expect("id");
    let added = owner.post_multipart(
        &format!("/api/v1/products/{id}/images"),
        read(photo),
        "front.jpg",
        &[("kind", "genuine"), ("caption", "Front")],
    );
    added.assert_status(201);
    (id, added.json()["id"].as_i64().expect("image id"))
}

fn search(who: &Browser, bytes: Vec<u8>) -> Vec<Value> {
    let found = who.post_multipart("/api/v1/search/image", bytes, "photo.jpg", &[]);
    found.assert_status(200);
    found.json()["matches"].as_array().expect("matches").clone()
}

#[test]
fn the_api_finds_a_product_from_edited_photos_of_its_image() {
    let w = world();
    let (id, image_id) = product_with_image(&w.owner, "CD-100", PRODUCT_PHOTO);
    let (other_id, _) = product_with_image(&w.owner, "CD-200", OTHER_PHOTO);
    for product in [id, other_id] {
        w.owner
            .post_empty(&format!("/api/v1/products/{product}/publish"))
            .assert_status(200);
    }
    w.app.flush_search();

    for (edit, bytes) in edited_copies(&read(PRODUCT_PHOTO)) {
        let matches = search(&w.other_officer, bytes);
        assert!(!matches.is_empty(), "{edit}: no match");
        let best = &matches[0];
        assert_eq!(best["product_id"], json!(id), "{edit}: {matches:?}");
        assert_eq!(best["image_id"], json!(image_id), "{edit}");
        let distance = best["distance"].as_u64().expect("distance");
        assert!(distance <= 31, "{edit}: distance {distance}");
        assert!(
            matches.iter().all(|m| m["product_id"] != json!(other_id)),
            "{edit}: the other product matched too: {matches:?}"
        );
        let variant = best["variant"].as_str().expect("variant");
        match edit {
            "rotated a quarter" => assert!(variant == "rot90" || variant == "rot270", "{variant}"),
            "mirrored" => assert!(variant.starts_with("flip"), "{variant}"),
            _ => assert_eq!(variant, "orig", "{edit}"),
        }
    }
    // The stored image itself matches at distance 0; an unrelated photo finds nothing.
    let same = search(&w.shared_officer, read(PRODUCT_PHOTO));
    assert_eq!(same[0]["image_id"], json!(image_id));
    assert_eq!(same[0]["distance"], json!(0));
    assert_eq!(
        search(&w.shared_officer, read(UNRELATED_PHOTO)),
        Vec::<Value>::new()
    );
}

#[test]
fn photos_never_match_products_the_caller_may_not_see() {
    let w = world();
    let (id, _) = product_with_image(&w.owner, "CD-100", PRODUCT_PHOTO);
    w.app.flush_search();
    let photo = || read(PRODUCT_PHOTO);
    // A draft matches for nobody, not even its owner (only published products are indexed).
    assert!(search(&w.shared_officer, photo()).is_empty());
    assert!(search(&w.owner, photo()).is_empty());

    w.owner
        .post_empty(&format!("/api/v1/products/{id}/publish"))
        .assert_status(200);
    w.app.flush_search();
    assert_eq!(
        search(&w.shared_officer, photo())[0]["product_id"],
        json!(id)
    );
    assert_eq!(
        search(&w.other_officer, photo())[0]["product_id"],
        json!(id)
    );
    assert_eq!(search(&w.owner, photo())[0]["product_id"], json!(id));
    // Another right holder never sees Acme's products.
    assert!(search(&w.other_owner, photo()).is_empty());

    // A suspended right holder's products match for nobody outside it.
    let admin = token_browser(&w.app, &w.app.admin_email);
    admin
        .post_json(
            &format!("/api/v1/admin/organisations/{}/suspend", w.org_id),
            &json!({"reason": "test"}),
        )
        .assert_status(200);
    w.app.flush_search();
    assert!(search(&w.shared_officer, photo()).is_empty());
    admin
        .post_empty(&format!(
            "/api/v1/admin/organisations/{}/reinstate",
            w.org_id
        ))
        .assert_status(200);
    w.app.flush_search();
    assert_eq!(
        search(&w.shared_officer, photo())[0]["product_id"],
        json!(id)
    );

    // Unpublished again: gone for officers.
    w.owner
        .post_empty(&format!("/api/v1/products/{id}/unpublish"))
        .assert_status(200);
    w.app.flush_search();
    assert!(search(&w.shared_officer, photo()).is_empty());
    // Image removed: gone.
    w.owner
        .post_empty(&format!("/api/v1/products/{id}/publish"))
        .assert_status(200);
    let image_id = w.owner.get(&format!("/api/v1/products/{id}")).json()["images"][0]["id"]
        .as_i64()
        .expect("image");
    w.owner
        .delete(&format!("/api/v1/products/{id}/images/{image_id}"))
        .assert_status(204);
    w.app.flush_search();
    assert!(search(&w.shared_officer, photo()).is_empty());
}

#[test]
fn bad_photos_get_clear_errors_and_change_nothing() {
    let app = TestApp::spawn_with(|c| c.max_image_mb = 1);
    app.right_holder("Acme SA", "owner@acme.example");
    let manager = app.customs("Customs A", "chief@a.example");
    app.invite(&manager, "officer@a.example", "officer");
    let officer = token_browser(&app, "officer@a.example");
    let path = "/api/v1/search/image";
    let error = |page: &crate::support::browser::Page, status: u16, code: &str| {
        page.assert_status(status);
        let body = page.json();
        assert_eq!(body["error"], json!(code), "{body}");
        assert!(!body["message"].as_str().unwrap_or_default().is_empty());
    };
    error(
        &officer.post_multipart(path, Vec::new(), "empty.jpg", &[]),
        400,
        "missing_file",
    );
    let not_an_image = officer.post_multipart(path, b"hello, world".to_vec(), "x.jpg", &[]);
    not_an_image.assert_status(400);
    assert!(not_an_image.json()["error"].as_str().is_some());
    let mut truncated = read(PRODUCT_PHOTO);
    truncated.truncate(truncated.len() / 3);
    error(
        &officer.post_multipart(path, truncated, "cut.jpg", &[]),
        400,
        "corrupt_image",
    );
    let flat = jpeg(&RgbImage::from_pixel(400, 300, image::Rgb([128, 128, 128])));
    error(
        &officer.post_multipart(path, flat, "flat.jpg", &[]),
        400,
        "photo_without_detail",
    );
    let big = read("products/3023470001015_103.jpg");
    assert!(big.len() > 1024 * 1024);
    let too_large = officer.post_multipart(path, big, "big.jpg", &[]);
    too_large.assert_status(413);
    error(
        &officer.post_json(path, &json!({"file": "abc"})),
        400,
        "invalid_upload",
    );
    // Without a token.
    app.browser()
        .post_multipart(path, read(PRODUCT_PHOTO), "p.jpg", &[])
        .assert_status(401);
    assert_eq!(app.count("product_images"), 0);
    assert!(app.state.images.all().expect("list").is_empty());
}

#[test]
fn officers_search_by_photo_on_the_search_page_and_the_photo_is_not_kept() {
    let w = world();
    let (id, image_id) = product_with_image(&w.owner, "CD-100", PRODUCT_PHOTO);
    w.owner
        .post_empty(&format!("/api/v1/products/{id}/publish"))
        .assert_status(200);
    w.app.flush_search();
    let files_before = w.app.state.images.all().expect("list").len();
    let officer = signed_in(&w.app, "officer@b.example");

    let page = officer.get("/search");
    page.assert_status(200)
        .assert_contains("action=\"/search/photo\"")
        .assert_contains("enctype=\"multipart/form-data\"")
        .assert_contains("accept=\"image/*\" capture=\"environment\"");
    let token = page.csrf_token().expect("token");

    let rotated = edited_copies(&read(PRODUCT_PHOTO)).remove(2).1;
    let found = officer.post_multipart(
        "/search/photo",
        rotated,
        "IMG_0001.jpg",
        &[("csrf_token", &token)],
    );
    found
        .assert_status(200)
        .assert_contains(&format!("href=\"/guide/{id}\""))
        .assert_contains(&format!("/products/{id}/images/{image_id}/thumb"))
        .assert_contains("src=\"data:image/jpeg;base64,")
        .assert_contains("Acme SA")
        .assert_contains("1 matching product image");
    // The matched image is served to this officer.
    assert!(!officer
        .get_bytes(&format!("/products/{id}/images/{image_id}/thumb"))
        .is_empty());
    // Nothing of the photo was stored.
    assert_eq!(w.app.state.images.all().expect("list").len(), files_before);
    assert_eq!(w.app.count("product_images"), 1);

    officer
        .post_multipart(
            "/search/photo",
            read(UNRELATED_PHOTO),
            "x.png",
            &[("csrf_token", &token)],
        )
        .assert_status(200)
        .assert_contains("No product image looks like this photo");
    let flat = jpeg(&RgbImage::from_pixel(400, 300, image::Rgb([10, 10, 10])));
    officer
        .post_multipart("/search/photo", flat, "dark.jpg", &[("csrf_token", &token)])
        .assert_status(400)
        .assert_contains("too little detail");
    officer
        .post_multipart(
            "/search/photo",
            b"GIF89a nonsense".to_vec(),
            "x.gif",
            &[("csrf_token", &token)],
        )
        .assert_status(400)
        .assert_contains("could not be searched");
    // Without the CSRF token the form is refused.
    officer
        .post_multipart("/search/photo", read(PRODUCT_PHOTO), "x.jpg", &[])
        .assert_status(403);
}

#[test]
fn the_photo_search_endpoint_is_in_the_openapi_document() {
    let app = TestApp::spawn();
    let doc = app.browser().get("/api/v1/openapi.json").json();
    let op = &doc["paths"]["/api/v1/search/image"]["post"];
    assert!(op.is_object(), "missing: {}", doc["paths"]);
    assert!(op["requestBody"]["content"]["multipart/form-data"].is_object());
    let schema = &doc["components"]["schemas"]["PhotoMatchView"]["properties"];
    for field in ["product_id", "image_id", "distance", "variant"] {
        assert!(schema[field].is_object(), "{field}");
    }
}
