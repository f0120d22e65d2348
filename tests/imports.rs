//! Bulk import through the web pages and the API: background jobs with progress, a dry
//! run, a per-row report, re-imports that update, refused files, and who may see what.

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use crate::support::{Browser, Page, TestApp, PASSWORD};

const PHOTOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/photos");

const CSV: &str = "reference,brand,name,gtins,description_en,images\n\
    IMP-1,Zorbo,Zorbo Hazelnut Spread,4006381333931,Rich dark spread,front.jpg:genuine\n\
    IMP-2,Zorbo,Broken Code,4006381333932,,\n\
    IMP-3,Zorbo,Zorbo Cocoa Drink,,Cocoa powder drink,\n";

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

fn photo() -> Vec<u8> {
    std::fs::read(format!("{PHOTOS}/samples/coffee.png"))
        .or_else(|_| std::fs::read(format!("{PHOTOS}/products/0011110104793_2.jpg")))
        .expect("a photo")
}

/// Uploads on the imports page; returns the job page it leads to (or the refusal).
fn upload(owner: &Browser, csv: &str, zip: Option<Vec<u8>>, fields: &[(&str, &str)]) -> Page {
    let token = owner.get("/imports").csrf_token().expect("token");
    let mut files = vec![("file", "products.csv", csv.as_bytes().to_vec())];
    if let Some(zip) = zip {
        files.push(("images", "photos.zip", zip));
    }
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    owner.post_files("/imports", files, &all)
}

fn job_path(page: &Page) -> String {
    page.assert_status(303);
    let location = page.location.clone().expect("redirect");
    assert!(location.starts_with("/imports/"), "{location}");
    location
}

/// Polls the job page until the job has ended.
fn finished(owner: &Browser, path: &str) -> Page {
    let started = Instant::now();
    loop {
        let page = owner.get(path);
        page.assert_status(200);
        if !page.body.contains("http-equiv=\"refresh\"") {
            return page;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import did not end: {}",
            page.body
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_web_import_runs_in_the_background_with_a_dry_run_a_report_and_reimports_that_update() {
    let app = TestApp::spawn();
    let (_, owner) = app.right_holder("Zorbo Foods", "owner@zorbo.example");
    owner.get("/products").assert_contains("href=\"/imports\"");
    owner
        .get("/imports")
        .assert_contains("enctype=\"multipart/form-data\"")
        .assert_contains("data-progress");

    // A dry run checks every row and the images, and saves nothing.
    let zip = zip_of(&[("front.jpg", &photo())]);
    let dry = finished(
        &owner,
        &job_path(&upload(
            &owner,
            CSV,
            Some(zip.clone()),
            &[("dry_run", "on")],
        )),
    );
    dry.assert_contains("dry run")
        .assert_contains("2 would be created")
        .assert_contains("1 failed")
        .assert_contains("check digit");
    assert_eq!(app.count("products"), 0);
    assert_eq!(app.count("product_images"), 0);

    // The real import, published: line 3 fails with its reason, the others are created.
    let path = job_path(&upload(
        &owner,
        CSV,
        Some(zip.clone()),
        &[("publish", "on")],
    ));
    let page = finished(&owner, &path);
    page.assert_contains("2 created")
        .assert_contains("1 failed")
        .assert_contains("<td>3</td><td>IMP-2</td>");
    assert_eq!(app.count("products"), 2);
    assert_eq!(app.count("product_images"), 1);
    let csv = String::from_utf8(owner.get_bytes(&format!("{path}/report.csv"))).expect("utf-8");
    assert!(
        csv.starts_with("line,reference,outcome,product_id,reason"),
        "{csv}"
    );
    assert!(csv.contains("3,IMP-2,failed,,"), "{csv}");

    // Published at once: officers find the products.
    app.flush_search();
    let token = Browser::token_for(&app.base, "owner@zorbo.example", PASSWORD);
    let api = Browser::with_token(&app.base, &token);
    assert_eq!(api.get("/api/v1/search?q=hazelnut").json()["total"], 1);

    // Importing again updates instead of duplicating.
    let again = finished(&owner, &job_path(&upload(&owner, CSV, Some(zip), &[])));
    again
        .assert_contains("0 created")
        .assert_contains("2 updated");
    assert_eq!(app.count("products"), 2);
    assert_eq!(app.count("product_images"), 1);
    owner
        .get("/imports")
        .assert_contains("products.csv")
        .assert_contains("2 updated");
}

#[test]
fn refused_uploads_show_the_form_again_with_the_reason_and_queue_nothing() {
    let app = TestApp::spawn();
    let (_, owner) = app.right_holder("Zorbo Foods", "owner@zorbo.example");
    // A zip entry that tries to leave its folder.
    let hostile = zip_of(&[("../evil.jpg", &photo())]);
    upload(&owner, CSV, Some(hostile), &[])
        .assert_status(200)
        .assert_contains("The zip of images is refused")
        .assert_contains("..");
    // A misspelt column fails the whole file before any row is read.
    upload(&owner, "reference,brand,nmae\nA,B,C\n", None, &[])
        .assert_status(200)
        .assert_contains("nmae");
    // No file at all.
    let token = owner.get("/imports").csrf_token().expect("token");
    owner
        .post_files("/imports", vec![], &[("csrf_token", &token)])
        .assert_status(200)
        .assert_contains("Choose the product file");
    // Without the form's token nothing is accepted.
    owner
        .post_files(
            "/imports",
            vec![("file", "products.csv", CSV.as_bytes().to_vec())],
            &[],
        )
        .assert_status(403);
    assert_eq!(app.count("import_jobs"), 0);
    assert_eq!(app.count("products"), 0);
    let leftovers = std::fs::read_dir(app.state.config.data_dir.join("imports"))
        .expect("imports folder")
        .count();
    assert_eq!(leftovers, 0, "refused uploads leave no files");
}

#[test]
fn the_import_api_queues_a_job_that_reports_every_row_and_only_its_organisation_sees_it() {
    let app = TestApp::spawn();
    app.right_holder("Zorbo Foods", "owner@zorbo.example");
    app.right_holder("Other Brand", "owner@other.example");
    let zorbo = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, "owner@zorbo.example", PASSWORD),
    );
    let jsonl = concat!(
        r#"{"reference": "J-1", "brand": "Zorbo", "name": "Zorbo Crisps"}"#,
        "\n",
        r#"{"reference": "J-2", "brand": "Zorbo"}"#,
        "\n"
    );
    let created = zorbo.post_files(
        "/api/v1/imports",
        vec![("file", "products.jsonl", jsonl.as_bytes().to_vec())],
        &[("publish", "true")],
    );
    created.assert_status(202);
    let id = created.json()["id"].as_i64().expect("id");
    let started = Instant::now();
    let job = loop {
        let job = zorbo.get(&format!("/api/v1/imports/{id}")).json();
        if job["status"] == "finished" {
            break job;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{job}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(job["created_rows"], 1);
    assert_eq!(job["failed_rows"], 1);
    assert_eq!(job["rows"][1]["line"], 2);
    assert_eq!(job["rows"][1]["outcome"], "failed");
    assert!(job["rows"][1]["reason"]
        .as_str()
        .expect("reason")
        .contains("name"));
    assert_eq!(zorbo.get("/api/v1/imports").json()[0]["id"], id);
    // The product list's text filter ignores case on both backends.
    let listed = zorbo.get("/api/v1/products?q=ZORBO%20crisps").json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");

    // Another right holder neither sees the job nor its page.
    let other = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, "owner@other.example", PASSWORD),
    );
    other
        .get(&format!("/api/v1/imports/{id}"))
        .assert_status(404);
    assert_eq!(other.get("/api/v1/imports").json(), serde_json::json!([]));
    // Officers do not import.
    let manager = app.customs("Customs", "manager@customs.example");
    manager.get("/imports").assert_status(403);
    // A file over the limit is refused before it is read whole: here, a bad field.
    zorbo
        .post_files("/api/v1/imports", vec![], &[])
        .assert_status(400);
}
