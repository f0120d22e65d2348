//! Suspect-goods notices: an officer sends one from the guide (or for an unknown product),
//! the right holder's responders are told in the app and by e-mail through a real SMTP
//! server on loopback, answer in the thread with photos and give a verdict, the officer
//! records the outcome and closes. Administrations and right holders never see each
//! other's notices or photos; overdue notices come first; bad input changes nothing.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::products::full_record;
use crate::support::{Browser, TestApp, PASSWORD};
use serde_json::{json, Value};

const PHOTOS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/photos/products"
);
const SINK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/support/smtp_sink.py");

/// A real SMTP server process (tests/support/smtp_sink.py) that writes what it receives
/// to a folder; stopped on drop.
struct SmtpSink {
    child: Child,
    port: u16,
    folder: tempfile::TempDir,
}

impl SmtpSink {
    fn start(refuse_first: u32) -> SmtpSink {
        let folder = tempfile::tempdir().expect("mail folder");
        let mut child = Command::new("python3")
            .arg(SINK)
            .arg(folder.path())
            .arg(refuse_first.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP sink");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the sink prints its port");
        let port = line.trim().parse().expect("a port number");
        SmtpSink {
            child,
            port,
            folder,
        }
    }

    /// Waits until at least `n` messages arrived, and returns them all.
    #[track_caller]
    fn wait_for(&self, n: usize) -> Vec<String> {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let found = messages_in(self.folder.path());
            if found.len() >= n || Instant::now() > until {
                assert!(found.len() >= n, "expected {n} e-mails, got {found:?}");
                return found;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn messages_in(folder: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("mail folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("message"))
        .collect()
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One of the shared product photos, by its place in name order.
pub fn photo(index: usize) -> Vec<u8> {
    let mut files: Vec<_> = std::fs::read_dir(PHOTOS)
        .expect("photos")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    files.sort();
    std::fs::read(&files[index]).expect("photo")
}

/// An API client with a token of that account.
pub fn api_for(app: &TestApp, email: &str) -> Browser {
    Browser::with_token(&app.base, &Browser::token_for(&app.base, email, PASSWORD))
}

/// A browser signed in as that account.
pub fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    browser.sign_in(email, PASSWORD).assert_redirect_to("/");
    browser
}

/// Two administrations, two right holders; Acme has a responder and an editor and one
/// published product.
struct World {
    app: TestApp,
    product: i64,
    acme: i64,
    other: i64,
}

fn world_with(tweak: impl FnOnce(&mut touchstone::config::Config)) -> World {
    let app = TestApp::spawn_with(tweak);
    let (acme, owner) = app.right_holder("Acme SA", "owner@acme.example");
    let (other, _) = app.right_holder("Other Brand", "owner@other.example");
    app.invite(&owner, "responder@acme.example", "responder");
    app.invite(&owner, "editor@acme.example", "editor");
    let chief_a = app.customs("Customs A", "chief@a.example");
    app.invite(&chief_a, "officer@a.example", "officer");
    let chief_b = app.customs("Customs B", "chief@b.example");
    app.invite(&chief_b, "officer@b.example", "officer");
    let owner_api = api_for(&app, "owner@acme.example");
    let created = owner_api.post_json("/api/v1/products", &full_record("CD-100"));
    created.assert_status(201);
    let product = created.json()["id"].as_i64().expect("id");
    owner_api
        .post_empty(&format!("/api/v1/products/{product}/publish"))
        .assert_status(200);
    World {
        app,
        product,
        acme,
        other,
    }
}

fn with_mail(sink: &SmtpSink) -> impl FnOnce(&mut touchstone::config::Config) {
    let port = sink.port;
    move |config| {
        config.smtp_host = Some("127.0.0.1".into());
        config.smtp_port = port;
        config.smtp_from = Some("Touchstone <noreply@touchstone.test>".into());
        config.mail_retry_seconds = 1;
        config.mail_poll_ms = 200;
    }
}

fn notice_json(product: Option<i64>) -> Value {
    let mut body = json!({
        "office": "Port of Hamburg",
        "found_on": chrono::Utc::now().date_naive().to_string(),
        "quantity": 240,
        "transport_mode": "sea",
        "origin_country": "cn",
        "codes_seen": "GTIN 00036000291452\nLOT 42",
        "description": "Watches in plain cartons, crowns look cast.",
    });
    if let Some(id) = product {
        body["product_id"] = json!(id);
    }
    body
}

fn send_via_api(officer: &Browser, body: &Value) -> Value {
    let created = officer.post_json("/api/v1/notices", body);
    created.assert_status(201);
    created.json()
}

/// The notice form filled in as an officer would, with its CSRF token.
fn form_fields<'a>(token: &'a str, product: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", token),
        ("product_id", product),
        ("office", "Port of Hamburg"),
        ("found_on", "2026-11-27"),
        ("quantity", "240"),
        ("transport_mode", "sea"),
        ("origin_country", "CN"),
        ("codes_seen", "GTIN 00036000291452"),
        ("description", "Watches in plain cartons, crowns look cast."),
    ]
}

#[test]
fn a_notice_goes_from_the_guide_to_the_right_holder_and_back_with_email() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("error")
        .with_test_writer()
        .try_init();
    let sink = SmtpSink::start(0);
    let w = world_with(with_mail(&sink));
    let officer = signed_in(&w.app, "officer@a.example");
    let responder = signed_in(&w.app, "responder@acme.example");
    let officer_api = api_for(&w.app, "officer@a.example");
    let responder_api = api_for(&w.app, "responder@acme.example");

    // Search offers a notice when the product is not found; the guide offers one too,
    // and then the form knows the product.
    officer
        .get("/search?q=qwxzv")
        .assert_contains("id=\"notice-unknown\"");
    let guide = officer.get(&format!("/guide/{}", w.product));
    guide.assert_contains(&format!("/notices/new?product={}", w.product));
    let form = officer.get(&format!("/notices/new?product={}", w.product));
    form.assert_status(200)
        .assert_contains("Acme SA")
        .assert_contains("5 days");
    let token = form.csrf_token().expect("form");
    let product = w.product.to_string();
    let sent = officer.post_multipart(
        "/notices",
        photo(0),
        "hold.jpg",
        &form_fields(&token, &product),
    );
    sent.assert_redirect_to("/notices/");
    let id: i64 = sent.location.as_deref().expect("location")["/notices/".len()..]
        .split('?')
        .next()
        .expect("id")
        .parse()
        .expect("numeric id");
    let page = officer.get(&format!("/notices/{id}"));
    let year = chrono::Utc::now().format("%Y").to_string();
    let reference = format!("TS-{year}-{id:06}");
    page.assert_status(200)
        .assert_contains(&reference)
        .assert_contains("Answer by")
        .assert_contains("Port of Hamburg")
        .assert_contains(&format!("/notices/{id}/attachments/"));

    // The responder is told at once in the app, and the owner and responder by e-mail.
    let home = responder.get("/notifications");
    home.assert_contains(&reference)
        .assert_contains("Customs A sent suspect-goods notice");
    assert_eq!(home.text_of("unread-count"), "1");
    let inbox = responder.get("/notices");
    inbox
        .assert_contains(&reference)
        .assert_contains("Notice inbox");
    let mails = sink.wait_for(2);
    let to: Vec<&str> = mails.iter().filter_map(|m| m.lines().next()).collect();
    assert!(
        to.iter().any(|l| l.contains("responder@acme.example")),
        "{to:?}"
    );
    assert!(
        to.iter().any(|l| l.contains("owner@acme.example")),
        "{to:?}"
    );
    assert!(mails[0].contains(&reference), "{}", mails[0]);
    assert!(mails[0].contains(&format!("/notices/{id}")), "{}", mails[0]);
    assert!(!to.iter().any(|l| l.contains("editor@acme.example")));

    // The photo is served to both sides.
    let notice = responder_api.get(&format!("/api/v1/notices/{id}")).json();
    let thumb = notice["attachments"][0]["thumb_url"]
        .as_str()
        .expect("photo");
    assert!(!responder
        .get_bytes(&thumb.replace("/api/v1", ""))
        .is_empty());
    assert!(!officer.get_bytes(&thumb.replace("/api/v1", "")).is_empty());

    // Opening the notice marks its notification read; the responder replies with a photo.
    responder.get(&format!("/notices/{id}")).assert_status(200);
    assert!(!responder
        .get("/notifications")
        .body
        .contains("unread-count"));
    let token = responder
        .get(&format!("/notices/{id}"))
        .csrf_token()
        .expect("form");
    responder
        .post_multipart(
            &format!("/notices/{id}/messages"),
            photo(1),
            "genuine.jpg",
            &[
                ("csrf_token", &token),
                ("body", "Please send a photo of the caseback."),
            ],
        )
        .assert_redirect_to(&format!("/notices/{id}"));
    let page = officer.get(&format!("/notices/{id}"));
    page.assert_contains("Please send a photo of the caseback.")
        .assert_contains("answered");
    let mails = sink.wait_for(3);
    assert!(mails
        .iter()
        .any(|m| m.starts_with("X-Envelope-To: officer@a.example")));

    // Verdict by the right holder, outcome and close by the officer.
    responder
        .submit(
            &format!("/notices/{id}"),
            &format!("/notices/{id}/verdict"),
            &[("verdict", "counterfeit")],
        )
        .assert_redirect_to(&format!("/notices/{id}?notice=verdict_saved"));
    officer
        .get(&format!("/notices/{id}"))
        .assert_contains("Counterfeit");
    officer
        .submit(
            &format!("/notices/{id}"),
            &format!("/notices/{id}/outcome"),
            &[("outcome", "seized")],
        )
        .assert_redirect_to(&format!("/notices/{id}?notice=outcome_saved"));
    officer
        .submit(
            &format!("/notices/{id}"),
            &format!("/notices/{id}/close"),
            &[],
        )
        .assert_redirect_to(&format!("/notices/{id}?notice=notice_closed"));
    let closed = officer_api.get(&format!("/api/v1/notices/{id}")).json();
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["verdict"], "counterfeit");
    assert_eq!(closed["outcome"], "seized");
    assert_eq!(closed["messages"][0]["from_right_holder"], true);
    // The responder heard of the verdict's follow-ups: outcome and closing.
    responder
        .get("/notifications")
        .assert_contains("recorded the outcome")
        .assert_contains("Seized")
        .assert_contains("closed notice");
    // A closed notice takes no more messages.
    let token = responder
        .get(&format!("/notices/{id}"))
        .csrf_token()
        .expect("form");
    responder
        .post_multipart(
            &format!("/notices/{id}/messages"),
            Vec::new(),
            "",
            &[("csrf_token", &token), ("body", "One more thing")],
        )
        .assert_status(409);
}

#[test]
fn the_api_sends_answers_and_decides_notices_for_unknown_products() {
    let sink = SmtpSink::start(0);
    let w = world_with(with_mail(&sink));
    let officer = api_for(&w.app, "officer@b.example");
    let owner = api_for(&w.app, "owner@other.example");
    let mut body = notice_json(None);
    body["right_holder_id"] = json!(w.other);
    body["brand"] = json!("Otherbrand");
    body["product_description"] = json!("Sports shoes, white, size 42");
    let created = send_via_api(&officer, &body);
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["right_holder"]["name"], "Other Brand");
    assert_eq!(created["right_holder"]["id"], w.other);
    assert_eq!(created["product_id"], Value::Null);
    assert_eq!(created["origin_country"], "CN");
    assert_eq!(created["status"], "open");
    assert!(created["reference"]
        .as_str()
        .expect("ref")
        .starts_with("TS-"));

    let inbox = owner.get("/api/v1/notices").json();
    assert_eq!(inbox[0]["id"], id);
    // A message with a photo over the API, then the verdict.
    let posted = owner.post_multipart(
        &format!("/api/v1/notices/{id}/messages"),
        photo(2),
        "ours.jpg",
        &[("body", "These are not ours.")],
    );
    posted.assert_status(201);
    let thread = posted.json();
    assert_eq!(thread["status"], "answered");
    let url = thread["messages"][0]["attachments"][0]["url"]
        .as_str()
        .expect("attachment")
        .to_string();
    assert!(!officer.get_bytes(&url).is_empty());
    owner
        .put_json(
            &format!("/api/v1/notices/{id}/verdict"),
            &json!({"verdict": "not_ours"}),
        )
        .assert_status(200);
    let decided = officer
        .put_json(
            &format!("/api/v1/notices/{id}/outcome"),
            &json!({"outcome": "released"}),
        )
        .json();
    assert_eq!(decided["verdict"], "not_ours");
    assert_eq!(decided["outcome"], "released");
    officer
        .post_empty(&format!("/api/v1/notices/{id}/close"))
        .assert_status(200);
    // The owner was told of the notice, the outcome and the closing, the officer of the
    // message and the verdict, by e-mail.
    let mails = sink.wait_for(5);
    let to_officer = mails
        .iter()
        .filter(|m| m.starts_with("X-Envelope-To: officer@b.example"))
        .count();
    assert_eq!(to_officer, 2, "{mails:?}");
    // The endpoints are in the OpenAPI document.
    let doc = officer.get("/api/v1/openapi.json").json();
    for path in [
        "/api/v1/notices",
        "/api/v1/notices/{id}",
        "/api/v1/notices/{id}/messages",
        "/api/v1/notices/{id}/verdict",
        "/api/v1/notices/{id}/outcome",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
}

#[test]
fn administrations_and_right_holders_never_see_each_others_notices() {
    let w = world_with(|_| {});
    let officer_a = api_for(&w.app, "officer@a.example");
    let officer_b = api_for(&w.app, "officer@b.example");
    let to_acme = send_via_api(&officer_a, &notice_json(Some(w.product)));
    assert_eq!(to_acme["right_holder"]["id"], w.acme);
    let to_acme = to_acme["id"].as_i64().expect("id");
    let mut body = notice_json(None);
    body["right_holder_id"] = json!(w.other);
    body["brand"] = json!("Otherbrand");
    body["product_description"] = json!("Shoes");
    let to_other = send_via_api(&officer_b, &body)["id"].as_i64().expect("id");
    // A photo on each, through a message from the sender.
    for (api, id) in [(&officer_a, to_acme), (&officer_b, to_other)] {
        api.post_multipart(
            &format!("/api/v1/notices/{id}/messages"),
            photo(0),
            "p.jpg",
            &[("body", "")],
        )
        .assert_status(201);
    }
    let photo_of = |api: &Browser, id: i64| {
        api.get(&format!("/api/v1/notices/{id}")).json()["messages"][0]["attachments"][0]["url"]
            .as_str()
            .expect("photo")
            .to_string()
    };
    let acme_photo = photo_of(&officer_a, to_acme);
    let other_photo = photo_of(&officer_b, to_other);

    // Lists hold only one's own.
    let ids = |api: &Browser| -> Vec<i64> {
        api.get("/api/v1/notices")
            .json()
            .as_array()
            .expect("list")
            .iter()
            .map(|n| n["id"].as_i64().expect("id"))
            .collect()
    };
    let acme_responder = api_for(&w.app, "responder@acme.example");
    let other_owner = api_for(&w.app, "owner@other.example");
    assert_eq!(ids(&officer_a), vec![to_acme]);
    assert_eq!(ids(&officer_b), vec![to_other]);
    assert_eq!(ids(&acme_responder), vec![to_acme]);
    assert_eq!(ids(&other_owner), vec![to_other]);

    // Others' notices and photos do not exist for them, over the API and the pages.
    for (api, theirs, photo) in [
        (&officer_a, to_other, &other_photo),
        (&officer_b, to_acme, &acme_photo),
        (&acme_responder, to_other, &other_photo),
        (&other_owner, to_acme, &acme_photo),
    ] {
        api.get(&format!("/api/v1/notices/{theirs}"))
            .assert_status(404);
        api.get(photo).assert_status(404);
        api.put_json(
            &format!("/api/v1/notices/{theirs}/verdict"),
            &json!({"verdict": "genuine"}),
        )
        .assert_status(404);
        api.post_multipart(
            &format!("/api/v1/notices/{theirs}/messages"),
            Vec::new(),
            "",
            &[("body", "hello")],
        )
        .assert_status(404);
    }
    let page_a = signed_in(&w.app, "officer@a.example");
    page_a
        .get(&format!("/notices/{to_other}"))
        .assert_status(404);
    page_a
        .get(&other_photo.replace("/api/v1", ""))
        .assert_status(404);
    assert!(!page_a.get("/notices").body.contains("Otherbrand"));
    let page_other = signed_in(&w.app, "owner@other.example");
    page_other
        .get(&format!("/notices/{to_acme}"))
        .assert_status(404);
    page_other
        .get(&acme_photo.replace("/api/v1", ""))
        .assert_status(404);

    // Roles: editors and trainers do not handle notices; each side decides its own part.
    let editor = api_for(&w.app, "editor@acme.example");
    editor.get("/api/v1/notices").assert_status(403);
    editor.get(&acme_photo).assert_status(403);
    signed_in(&w.app, "editor@acme.example")
        .get("/notices")
        .assert_status(403);
    officer_a
        .put_json(
            &format!("/api/v1/notices/{to_acme}/verdict"),
            &json!({"verdict": "genuine"}),
        )
        .assert_status(403);
    acme_responder
        .put_json(
            &format!("/api/v1/notices/{to_acme}/outcome"),
            &json!({"outcome": "released"}),
        )
        .assert_status(403);
    acme_responder
        .post_json("/api/v1/notices", &notice_json(Some(w.product)))
        .assert_status(403);
    // Signed out: no photo.
    w.app
        .browser()
        .get(&acme_photo.replace("/api/v1", ""))
        .assert_status(303);
    Browser::new(&w.app.base)
        .get(&acme_photo)
        .assert_status(401);
}

#[test]
fn perishable_goods_get_the_short_deadline_and_overdue_notices_come_first() {
    use diesel::prelude::*;
    use touchstone::db::schema::notices;

    let w = world_with(|config| {
        config.notice_response_days = 5;
        config.notice_perishable_hours = 24;
    });
    let officer = api_for(&w.app, "officer@a.example");
    let standard = send_via_api(&officer, &notice_json(Some(w.product)));
    let mut body = notice_json(Some(w.product));
    body["perishable"] = json!(true);
    let perishable = send_via_api(&officer, &body);
    let late = send_via_api(&officer, &notice_json(Some(w.product)));
    let deadline = |n: &Value| {
        chrono::NaiveDateTime::parse_from_str(
            n["deadline_at"].as_str().expect("deadline"),
            "%Y-%m-%dT%H:%M:%S%.f",
        )
        .expect("timestamp")
    };
    let now = chrono::Utc::now().naive_utc();
    let hours = |n: &Value| (deadline(n) - now).num_minutes() as f64 / 60.0;
    assert!(
        (hours(&standard) - 120.0).abs() < 0.1,
        "{}",
        hours(&standard)
    );
    assert!(
        (hours(&perishable) - 24.0).abs() < 0.1,
        "{}",
        hours(&perishable)
    );

    // The third one is past its deadline.
    let late_id = late["id"].as_i64().expect("id");
    let mut conn = w.app.state.pool.get().expect("connection");
    diesel::update(notices::table.find(late_id))
        .set(notices::deadline_at.eq(now - chrono::Duration::hours(2)))
        .execute(&mut *conn)
        .expect("update");
    drop(conn);

    let responder = api_for(&w.app, "responder@acme.example");
    let inbox = responder.get("/api/v1/notices").json();
    let order: Vec<i64> = inbox
        .as_array()
        .expect("list")
        .iter()
        .map(|n| n["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(
        order,
        vec![
            late_id,
            perishable["id"].as_i64().expect("id"),
            standard["id"].as_i64().expect("id")
        ]
    );
    assert_eq!(inbox[0]["overdue"], true);
    assert_eq!(inbox[1]["overdue"], false);
    // Both sides see it stand out on the pages.
    let page = signed_in(&w.app, "responder@acme.example").get("/notices");
    page.assert_contains(&format!("class=\"card overdue\" id=\"notice-{late_id}\""));
    let position = |id: &Value| {
        page.body
            .find(&format!("id=\"notice-{}\"", id.as_i64().expect("id")))
            .expect("listed")
    };
    assert!(position(&late["id"]) < position(&perishable["id"]));
    assert!(position(&perishable["id"]) < position(&standard["id"]));
    signed_in(&w.app, "officer@a.example")
        .get(&format!("/notices/{late_id}"))
        .assert_contains("id=\"overdue\"")
        .assert_contains("the deadline has passed");
    // An answer ends the overdue state.
    responder
        .put_json(
            &format!("/api/v1/notices/{late_id}/verdict"),
            &json!({"verdict": "need_info"}),
        )
        .assert_status(200);
    let after = responder.get(&format!("/api/v1/notices/{late_id}")).json();
    assert_eq!(after["overdue"], false);
    assert_eq!(after["status"], "answered");
}

#[test]
fn bad_input_is_refused_clearly_and_changes_nothing() {
    let w = world_with(|_| {});
    let officer = api_for(&w.app, "officer@a.example");
    let cases: [(Value, &str); 9] = [
        (json!({"office": ""}), "missing_field"),
        (json!({"origin_country": "China"}), "invalid_country"),
        (json!({"quantity": 0}), "invalid_quantity"),
        (
            json!({"transport_mode": "teleport"}),
            "invalid_transport_mode",
        ),
        (json!({"found_on": "2999-01-01"}), "invalid_date"),
        (json!({"description": "  "}), "missing_field"),
        (json!({"product_id": null}), "missing_right_holder"),
        (
            json!({"product_id": null, "right_holder_id": 1, "brand": "X", "product_description": "Y"}),
            "unknown_right_holder",
        ),
        (
            json!({"product_id": null, "right_holder_id": w.other, "brand": "", "product_description": "Y"}),
            "missing_field",
        ),
    ];
    for (change, code) in cases {
        let mut body = notice_json(Some(w.product));
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let refused = officer.post_json("/api/v1/notices", &body);
        refused.assert_status(400);
        assert_eq!(refused.json()["error"], code, "{change}");
    }
    officer
        .post_json("/api/v1/notices", &json!({"office": 3}))
        .assert_status(400);
    // A product the officer may not see (a draft) is not found.
    let owner = api_for(&w.app, "owner@acme.example");
    let draft = owner
        .post_json("/api/v1/products", &full_record("DRAFT-1"))
        .json()["id"]
        .as_i64()
        .expect("id");
    officer
        .post_json("/api/v1/notices", &notice_json(Some(draft)))
        .assert_status(404);
    // The page form: without its CSRF token, with a bad date, or with a file that is no image.
    let browser = signed_in(&w.app, "officer@a.example");
    let product = w.product.to_string();
    let mut fields = form_fields("", &product);
    fields.remove(0);
    browser
        .post_multipart("/notices", Vec::new(), "", &fields)
        .assert_status(403);
    let token = browser.get("/notices/new").csrf_token().expect("form");
    let mut fields = form_fields(&token, &product);
    fields[3] = ("found_on", "yesterday");
    browser
        .post_multipart("/notices", Vec::new(), "", &fields)
        .assert_status(400)
        .assert_contains("YYYY-MM-DD")
        // The form comes back as filled in, with the reason.
        .assert_contains("id=\"form-error\"")
        .assert_contains("value=\"Port of Hamburg\"")
        .assert_contains("<option value=\"sea\" selected>");
    let fields = form_fields(&token, &product);
    browser
        .post_multipart(
            "/notices",
            b"%PDF-1.4 not an image".to_vec(),
            "x.pdf",
            &fields,
        )
        .assert_status(400);
    assert_eq!(w.app.count("notices"), 0);
    assert_eq!(w.app.count("notice_attachments"), 0);
    assert_eq!(w.app.count("notifications"), 0);

    // On a real notice: empty messages and unknown verdicts are refused.
    let id = send_via_api(&officer, &notice_json(Some(w.product)))["id"]
        .as_i64()
        .expect("id");
    let responder = api_for(&w.app, "responder@acme.example");
    responder
        .post_multipart(
            &format!("/api/v1/notices/{id}/messages"),
            Vec::new(),
            "",
            &[("body", " ")],
        )
        .assert_status(400);
    let wrong = responder.put_json(
        &format!("/api/v1/notices/{id}/verdict"),
        &json!({"verdict": "maybe"}),
    );
    wrong.assert_status(400);
    assert_eq!(wrong.json()["error"], "invalid_choice");
    let page = signed_in(&w.app, "responder@acme.example");
    page.submit(
        &format!("/notices/{id}"),
        &format!("/notices/{id}/verdict"),
        &[("verdict", "perhaps")],
    )
    .assert_status(400);
    page.post_form(&format!("/notices/{id}/verdict"), &[("verdict", "genuine")])
        .assert_status(403);
    assert_eq!(w.app.count("notice_messages"), 0);
    let notice = responder.get(&format!("/api/v1/notices/{id}")).json();
    assert_eq!(notice["status"], "open");
    assert_eq!(notice["verdict"], Value::Null);
    page.get("/notices/abc").assert_status(404);
}

#[test]
fn without_smtp_notifications_stay_in_the_app_and_the_admin_page_says_so() {
    let w = world_with(|_| {});
    w.app
        .admin()
        .get("/admin/organisations")
        .assert_contains("E-mail is not configured");
    let officer = api_for(&w.app, "officer@a.example");
    let id = send_via_api(&officer, &notice_json(Some(w.product)))["id"]
        .as_i64()
        .expect("id");
    assert_eq!(w.app.count("email_outbox"), 0);
    // Owner and responder of Acme are told in the app.
    assert_eq!(w.app.count("notifications"), 2);
    let owner = signed_in(&w.app, "owner@acme.example");
    assert_eq!(owner.get("/").text_of("unread-count"), "1");
    let page = owner.get("/notifications");
    page.assert_contains(&format!("/notices/{id}"));
    owner
        .submit("/notifications", "/notifications/read-all", &[])
        .assert_redirect_to("/notifications");
    assert!(!owner.get("/notifications").body.contains("unread-count"));
}

#[test]
fn an_email_the_server_refuses_at_first_is_sent_again() {
    let sink = SmtpSink::start(1);
    let w = world_with(with_mail(&sink));
    w.app
        .admin()
        .get("/admin/organisations")
        .assert_contains("Notice e-mails are sent through 127.0.0.1");
    let officer = api_for(&w.app, "officer@a.example");
    send_via_api(&officer, &notice_json(Some(w.product)));
    // Two recipients; the first try of one was refused and retried a second later.
    let mails = sink.wait_for(2);
    assert_eq!(mails.len(), 2);
    assert_eq!(w.app.count("email_outbox"), 2);
    // The outbox records both as sent, one after a failed try (marked just after the
    // server accepted it).
    let recorded = || {
        use diesel::prelude::*;
        use touchstone::db::schema::email_outbox;
        let mut conn = w.app.state.pool.get().expect("connection");
        let retried = email_outbox::table
            .filter(email_outbox::attempts.eq(1))
            .filter(email_outbox::sent_at.is_not_null())
            .count()
            .get_result::<i64>(&mut *conn)
            .expect("count");
        let sent = email_outbox::table
            .filter(email_outbox::sent_at.is_not_null())
            .count()
            .get_result::<i64>(&mut *conn)
            .expect("count");
        (retried, sent)
    };
    let until = Instant::now() + Duration::from_secs(10);
    while recorded() != (1, 2) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(recorded(), (1, 2));
}
