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

/// A file of `rows` JSON lines B-1..B-rows named "<name> n"; line 101 repeats B-100's
/// reference, and lines 30 and 75 are valid rows that only the write refuses (a feature
/// naming an image the product does not have; an SKU twice, which the database refuses).
fn batch_file(rows: usize, name: &str) -> Vec<u8> {
    (1..=rows)
        .map(|n| match n {
            30 => r#"{"reference":"B-30","brand":"Bad brand","name":"Bad","sections":{"features":{"items":[{"image_ids":[999999]}]}}}"#.to_string(),
            75 => r#"{"reference":"B-75","brand":"Bad brand","name":"Bad","codes":{"skus":["A","B","A"]}}"#.to_string(),
            101 => format!(r#"{{"reference":"B-100","brand":"Batch 1","name":"{name} 100 again"}}"#),
            _ => format!(
                r#"{{"reference":"B-{n}","brand":"Batch {}","name":"{name} {n}","codes":{{"skus":["S-{n}"]}},"sections":{{"description":{{"text":{{"en":"Row {n}"}}}}}}}}"#,
                n % 3
            ),
        })
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

/// The BIGINT column `n` of the rows of `sql`, on the test database.
fn numbers(app: &TestApp, sql: &str) -> Vec<i64> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.state.pool.get().expect("connection");
    let rows: Vec<Row> = diesel::sql_query(sql).load(&mut *conn).expect(sql);
    rows.into_iter().map(|r| r.n).collect()
}

#[test]
fn a_batched_import_writes_each_row_whole_with_its_outbox_row_revision_and_audit_entry() {
    use touchstone::import::{self, Format, ImportInput, ImportReport, Outcome};
    use touchstone::models::audit::Actor;

    let app = TestApp::spawn();
    let (org, owner) = app.right_holder("Batch Foods", "owner@batch.example");
    let user = numbers(
        &app,
        "SELECT id AS n FROM users WHERE email = 'owner@batch.example'",
    )[0];
    let actor = Actor {
        user_id: Some(user),
        organisation_id: Some(org),
        ip: None,
    };
    let run = |data: Vec<u8>| -> ImportReport {
        let mut input = ImportInput::new(Format::JsonLines, data).publishing(true);
        // Several batches, the bad rows in the middle of theirs.
        input.limits.batch_rows = 50;
        import::run(
            &app.state.pool,
            &app.state.images,
            org,
            &actor,
            input,
            false,
            &mut |_, _| {},
        )
        .expect("import")
    };

    let first = run(batch_file(120, "Item"));
    let failed: Vec<(u64, String)> = first
        .failures()
        .map(|r| match &r.outcome {
            Outcome::Failed { reason } => (r.line, reason.clone()),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(failed.iter().map(|f| f.0).collect::<Vec<_>>(), [30, 75]);
    assert!(failed[0].1.contains("image 999999"), "{}", failed[0].1);
    assert_eq!(
        (first.total, first.created, first.updated, first.failed),
        (120, 117, 1, 2)
    );

    // The bad rows left no trace, not even their brand; the rows around them landed.
    assert_eq!(app.count("products"), 117);
    assert_eq!(
        numbers(
            &app,
            "SELECT COUNT(*) AS n FROM products WHERE reference IN ('B-29', 'B-31', 'B-74', 'B-76')"
        ),
        [4]
    );
    for sql in [
        "SELECT COUNT(*) AS n FROM products WHERE reference IN ('B-30', 'B-75')",
        "SELECT COUNT(*) AS n FROM brands WHERE name = 'Bad brand'",
        "SELECT COUNT(*) AS n FROM audit_log WHERE detail IN ('B-30', 'B-75')",
        "SELECT COUNT(*) AS n FROM product_codes WHERE value IN ('A', 'B')",
    ] {
        assert_eq!(numbers(&app, sql), [0], "{sql}");
    }
    // Each product: its sections and codes, one revision, one outbox row and one audit
    // entry per write (B-100 was written twice), the outbox in file order.
    assert_eq!(app.count("product_sections"), 116);
    assert_eq!(app.count("product_codes"), 116);
    assert_eq!(app.count("product_revisions"), 118);
    let outbox = numbers(
        &app,
        "SELECT product_id AS n FROM search_outbox ORDER BY id",
    );
    let mut expected = numbers(&app, "SELECT id AS n FROM products ORDER BY id");
    let b100 = numbers(
        &app,
        "SELECT id AS n FROM products WHERE reference = 'B-100'",
    )[0];
    expected.insert(
        expected.iter().position(|id| *id == b100).expect("B-100") + 1,
        b100,
    );
    assert_eq!(outbox, expected);
    assert_eq!(
        numbers(
            &app,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'product.created'"
        ),
        [117]
    );
    assert_eq!(
        numbers(
            &app,
            &format!(
                "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'product.updated' \
                 AND target = 'product:{b100}' AND actor_user_id = {user}"
            )
        ),
        [1]
    );
    app.flush_search();
    assert_eq!(app.state.search.text_count(), 117);

    // Importing again (new names) updates every product; none is duplicated.
    let second = run(batch_file(120, "Renamed"));
    assert_eq!((second.created, second.updated, second.failed), (0, 118, 2));
    assert_eq!(app.count("products"), 117);
    assert_eq!(app.count("product_sections"), 116);
    assert_eq!(app.count("product_codes"), 116);
    assert_eq!(app.count("product_revisions"), 236);
    assert_eq!(app.count("search_outbox"), 236);
    let b7 = numbers(&app, "SELECT id AS n FROM products WHERE reference = 'B-7'")[0];
    assert_eq!(
        numbers(
            &app,
            &format!(
                "SELECT CAST(version AS BIGINT) AS n FROM product_revisions \
                 WHERE product_id = {b7} ORDER BY id"
            )
        ),
        [1, 2]
    );
    app.flush_search();
    assert_eq!(app.state.search.text_count(), 117);

    // The history page shows who imported what.
    let history = owner.get(&format!("/products/{b7}/history"));
    history
        .assert_status(200)
        .assert_contains("<td>2</td>")
        .assert_contains("<td>Owner</td>")
        .assert_contains("updated: name")
        .assert_contains("created");
    owner
        .get(&format!("/products/{b100}/history"))
        .assert_contains("<td>4</td>");
}
