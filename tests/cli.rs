//! The command line, run as a real process.

use crate::support::database::TestDatabase;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn touchstone(dir: &std::path::Path, database: &TestDatabase) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_touchstone"));
    command
        .current_dir(dir)
        .env("TOUCHSTONE_DATABASE_URL", &database.url)
        .env("RUST_LOG", "warn")
        .arg("--data-dir")
        .arg(dir.join("data"));
    command
}

fn run_with_stdin(mut command: Command, input: &str) -> std::process::Output {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    child.wait_with_output().expect("wait")
}

#[test]
fn migrate_and_admin_create_work_on_a_new_database() {
    let dir = tempfile::tempdir().expect("dir");
    let database = TestDatabase::create(dir.path());
    let out = touchstone(dir.path(), &database)
        .arg("migrate")
        .output()
        .expect("migrate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Database migrated"));

    let mut create = touchstone(dir.path(), &database);
    create.args(["admin", "create", "--email", "Root@Example.org"]);
    let out = run_with_stdin(create, "a long enough password\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("root@example.org"));

    let mut again = touchstone(dir.path(), &database);
    again.args(["admin", "create", "--email", "root@example.org"]);
    let out = run_with_stdin(again, "a long enough password\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already has an account"));

    let mut generated = touchstone(dir.path(), &database);
    generated.args(["admin", "create", "--email", "second@example.org"]);
    let out = run_with_stdin(generated, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("One-time password"), "{stdout}");

    let mut conn = touchstone::db::establish(&database.url).expect("connect");
    let root = touchstone::models::user::find_by_email(&mut conn, "root@example.org")
        .expect("query")
        .expect("user");
    assert_eq!(root.role, "admin");
    assert!(!root.must_change_password);
    assert!(touchstone::auth::password::verify(
        "a long enough password",
        &root.password_hash
    ));
    let second = touchstone::models::user::find_by_email(&mut conn, "second@example.org")
        .expect("q")
        .expect("u");
    assert!(
        second.must_change_password,
        "a generated password must be changed"
    );
}

#[test]
fn hash_password_prints_an_argon2id_phc_string() {
    let dir = tempfile::tempdir().expect("dir");
    let database = TestDatabase::create(dir.path());
    let mut command = touchstone(dir.path(), &database);
    command.arg("hash-password");
    let out = run_with_stdin(command, "hunter2 hunter2\n");
    assert!(out.status.success());
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(touchstone::auth::password::verify("hunter2 hunter2", &hash));
}

#[test]
fn bad_configuration_stops_start_up_with_a_message_that_says_what_to_fix() {
    let dir = tempfile::tempdir().expect("dir");
    let database = TestDatabase::create(dir.path());
    let out = touchstone(dir.path(), &database)
        .env("TOUCHSTONE_BIND", "not an address")
        .arg("serve")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bind"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    std::fs::write(
        dir.path().join("touchstone.toml"),
        "bind = \"127.0.0.1:0\"\nsesion_idle_hours = 3\n",
    )
    .expect("write");
    let out = touchstone(dir.path(), &database)
        .arg("serve")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sesion_idle_hours") && stderr.contains("misspelt"),
        "{stderr}"
    );

    let out = touchstone(dir.path(), &database)
        .args(["--config", "missing.toml", "migrate"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

#[test]
fn serve_creates_the_first_admin_and_prints_a_one_time_password() {
    let dir = tempfile::tempdir().expect("dir");
    let database = TestDatabase::create(dir.path());
    let mut child = touchstone(dir.path(), &database)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        let done = line.contains("listening on port");
        seen.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = seen.join("\n");
    assert!(
        text.contains("created the administrator admin@touchstone.local"),
        "{text}"
    );
    assert!(text.contains("One-time password"), "{text}");
    assert!(dir.path().join("data").is_dir(), "the data dir is created");
}

#[test]
fn hash_prints_reference_pdq_lines_and_reports_unreadable_files_after_the_others() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/pdq");
    let expected =
        std::fs::read_to_string(format!("{data}/expected/pdq_reference_core.tsv")).expect("tsv");
    let row: Vec<&str> = expected
        .lines()
        .find(|l| l.starts_with("reg-test-input/dih/bridge-1-original.jpg\tas-stored"))
        .expect("row")
        .split('\t')
        .collect();
    let (quality, orig) = (row[9], row[10]);
    let image = format!("{data}/reg-test-input/dih/bridge-1-original.jpg");
    let out = Command::new(env!("CARGO_BIN_EXE_touchstone"))
        .args(["hash", &image, "/no/such/file.jpg", &image])
        .output()
        .expect("run");
    assert!(
        !out.status.success(),
        "an unreadable file makes the exit code non-zero"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("{orig},{quality},{image}"),
            format!("{orig},{quality},{image}")
        ]
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file.jpg"));

    let out = Command::new(env!("CARGO_BIN_EXE_touchstone"))
        .args(["hash", "--dihedral", &image])
        .output()
        .expect("run");
    assert!(out.status.success());
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let fields: Vec<&str> = line.split(',').collect();
    assert_eq!(fields.len(), 10);
    assert_eq!(&fields[..8], &row[10..18]);
    assert_eq!(fields[8], quality);
}

#[test]
fn import_adds_products_that_a_running_server_makes_searchable_and_reports_bad_rows() {
    use crate::support::{Browser, TestApp, PASSWORD};
    let app = TestApp::spawn();
    let (org_id, _) = app.right_holder("Import Brand", "owner@import.example");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("products.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"reference": "IMP-1", "brand": "Zorbo", "name": "Zorbo Hazelnut Spread", "codes": {"gtins": ["4006381333931"]}}"#, "\n",
            r#"{"reference": "IMP-2", "brand": "Zorbo", "name": "Broken", "codes": {"gtins": ["4006381333932"]}}"#, "\n",
        ),
    )
    .expect("write");
    let database_url = app.state.config.effective_database_url();
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_touchstone"))
            .env("TOUCHSTONE_DATABASE_URL", &database_url)
            .arg("--data-dir")
            .arg(&app.state.config.data_dir)
            .args(["import", "--org", &org_id.to_string()])
            .args(extra)
            .arg(&file)
            .output()
            .expect("import")
    };
    let dry = run(&["--dry-run"]);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert_eq!(app.count("products"), 0, "a dry run writes nothing");
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("line 2") && stdout.contains("check digit"),
        "{stdout}"
    );
    assert_eq!(app.count("products"), 1);
    let owner = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, "owner@import.example", PASSWORD),
    );
    let id = owner.get("/api/v1/products").json()[0]["id"]
        .as_i64()
        .expect("id");
    owner
        .post_empty(&format!("/api/v1/products/{id}/publish"))
        .assert_status(200);
    app.flush_search();
    assert_eq!(
        owner.get("/api/v1/search?q=zorbo%20hazelnut").json()["total"],
        1
    );
    // Importing again updates instead of duplicating.
    run(&[]);
    assert_eq!(app.count("products"), 1);
}
