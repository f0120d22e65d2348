//! The server is killed with SIGKILL in the middle of a bulk import and started again:
//! the interrupted import runs again, and afterwards the database, the text index, the
//! image-hash index and the image store agree, with no orphaned or missing file.

use std::io::{BufRead, BufReader, Cursor, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::database::TestDatabase;
use crate::support::{Browser, PASSWORD};

/// Rows of the import: enough that it takes several batches (500 rows each).
const ROWS: usize = 4000;
/// Distinct images, spread over the rows so that every batch stores new files.
const IMAGES: usize = 40;

struct Server {
    child: Child,
    base: String,
}

/// Starts `touchstone serve`; returns it with the first admin's one-time password when
/// this start created the admin.
fn serve(dir: &Path, database: &TestDatabase) -> (Server, Option<(String, String)>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_touchstone"))
        .env("TOUCHSTONE_DATABASE_URL", &database.url)
        .env("RUST_LOG", "error")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let (mut email, mut password, mut port) = (None, None, None);
    for line in lines.by_ref() {
        let line = line.expect("line");
        if let Some(rest) = line.split("created the administrator ").nth(1) {
            email = rest.split_whitespace().next().map(str::to_string);
        }
        if let Some(rest) = line
            .split("One-time password (change it at first sign-in): ")
            .nth(1)
        {
            password = Some(rest.trim().to_string());
        }
        if let Some(rest) = line.split("listening on port ").nth(1) {
            port = rest.trim().parse::<u16>().ok();
            break;
        }
    }
    // Keep reading what it prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let port = port.expect("the server printed its port");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    (server, email.zip(password))
}

fn zip_of_images() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for n in 0..IMAGES {
        // Distinct, detailed pictures: a gradient cut by stripes that depend on n.
        let picture = image::RgbImage::from_fn(96, 96, |x, y| {
            let stripe = ((x * (n as u32 + 3) + y * 7) / 11).is_multiple_of(2);
            let v = ((x * 2 + y * (n as u32 % 5 + 1)) % 256) as u8;
            if stripe {
                image::Rgb([v, 255 - v, (n * 6) as u8])
            } else {
                image::Rgb([(n * 6) as u8, v / 2, v])
            }
        });
        let mut png = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        zip.start_file(
            format!("p{n}.png"),
            zip::write::SimpleFileOptions::default(),
        )
        .expect("entry");
        zip.write_all(&png).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

fn products_file() -> Vec<u8> {
    let mut out = String::new();
    for i in 0..ROWS {
        let image = i * IMAGES / ROWS;
        out.push_str(&format!(
            "{{\"reference\": \"CR-{i}\", \"brand\": \"Crashproof\", \"name\": \"Crashproof item {i} quokka{i}\", \
             \"images\": [{{\"file\": \"p{image}.png\", \"kind\": \"genuine\"}}]}}\n"
        ));
    }
    out.into_bytes()
}

/// The first admin changes the one-time password; returns an admin API client.
fn settle_admin(base: &str, email: &str, one_time: &str) -> Browser {
    let browser = Browser::new(base);
    browser
        .sign_in(email, one_time)
        .assert_redirect_to("/account/password");
    browser
        .submit(
            "/account/password",
            "/account/password",
            &[
                ("current_password", one_time),
                ("new_password", PASSWORD),
                ("new_password_again", PASSWORD),
            ],
        )
        .assert_redirect_to("/account");
    Browser::with_token(base, &Browser::token_for(base, email, PASSWORD))
}

fn wait_for_job(
    owner: &Browser,
    id: i64,
    until: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let job = owner.get(&format!("/api/v1/imports/{id}")).json();
        if until(&job) {
            return job;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "{job}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigkill_during_a_bulk_import_leaves_database_indexes_and_image_store_in_agreement() {
    let dir = tempfile::tempdir().expect("dir");
    let database = TestDatabase::create(dir.path());
    let (mut server, admin) = serve(dir.path(), &database);
    let (email, one_time) = admin.expect("a fresh database creates the first admin");
    let admin = settle_admin(&server.base, &email, &one_time);
    let signed_up = Browser::new(&server.base).post_json(
        "/api/v1/organisations",
        &serde_json::json!({"name": "Crashproof", "country": "FR", "owner_name": "Owner",
            "owner_email": "owner@crash.example", "password": PASSWORD}),
    );
    signed_up.assert_status(201);
    let org = signed_up.json()["id"].as_i64().expect("id");
    admin
        .post_empty(&format!("/api/v1/admin/organisations/{org}/verify"))
        .assert_status(200);
    let owner = Browser::with_token(
        &server.base,
        &Browser::token_for(&server.base, "owner@crash.example", PASSWORD),
    );

    let queued = owner.post_files(
        "/api/v1/imports",
        vec![
            ("file", "products.jsonl", products_file()),
            ("images", "images.zip", zip_of_images()),
        ],
        &[("publish", "true")],
    );
    queued.assert_status(202);
    let job = queued.json()["id"].as_i64().expect("job id");
    // Kill it once some batches are committed and more are being written.
    let seen = wait_for_job(&owner, job, |j| j["done_rows"].as_i64().unwrap_or(0) >= 500);
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("killed");
    assert_eq!(seen["status"], "running", "killed in the middle: {seen}");
    assert!(
        seen["done_rows"].as_i64() < Some(ROWS as i64),
        "killed before the end: {seen}"
    );

    // Started again: the job runs again from the start and finishes.
    let (mut server, _) = serve(dir.path(), &database);
    let owner = Browser::with_token(
        &server.base,
        &Browser::token_for(&server.base, "owner@crash.example", PASSWORD),
    );
    let done = wait_for_job(&owner, job, |j| {
        j["status"] != "running" && j["status"] != "queued"
    });
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["failed_rows"], 0, "{done}");
    assert_eq!(
        done["created_rows"].as_i64().unwrap_or(0) + done["updated_rows"].as_i64().unwrap_or(0),
        ROWS as i64
    );

    let admin = Browser::with_token(
        &server.base,
        &Browser::token_for(&server.base, &email, PASSWORD),
    );
    let report = admin.get("/api/v1/admin/consistency").json();
    assert_eq!(report["consistent"], true, "{report:#}");
    assert_eq!(report["searchable_products"], ROWS, "{report:#}");
    assert_eq!(report["text_index_products"], ROWS, "{report:#}");
    assert_eq!(report["orphaned_count"], 0, "{report:#}");
    assert_eq!(report["missing_count"], 0, "{report:#}");
    assert_eq!(
        report["hash_index_images"], report["matchable_images"],
        "{report:#}"
    );
    assert!(report["matchable_images"].as_u64() > Some(0), "{report:#}");
    assert_eq!(
        report["stored_files"], report["referenced_files"],
        "{report:#}"
    );

    // Spot checks: the first, a middle and the last row are found, once each.
    for i in [0, ROWS / 2, ROWS - 1] {
        let found = owner.get(&format!("/api/v1/search?q=quokka{i}")).json();
        assert_eq!(found["total"], 1, "row {i}: {found}");
    }
    server.child.kill().expect("stop");
    server.child.wait().expect("stopped");
}
