//! Alerts: a right holder publishes one (web form with a photo, or the API), officers of
//! the countries it names and every officer for a global one see it in their list (most
//! severe, then newest first), can search it, and find it on the product's guide; other
//! countries, other right holders and expired or withdrawn alerts stay out of sight; bad
//! input is refused and changes nothing.

use crate::notices::{api_for, photo, signed_in};
use crate::products::full_record;
use crate::support::{Browser, TestApp, PASSWORD};
use serde_json::{json, Value};

/// Acme (owner, editor, responder) with a published product CD-100 and a draft CD-200;
/// Other Brand; customs administrations in Germany and in France.
struct World {
    app: TestApp,
    product: i64,
    draft: i64,
}

fn world() -> World {
    let app = TestApp::spawn();
    let (_, owner) = app.right_holder("Acme SA", "owner@acme.example");
    app.right_holder("Other Brand", "owner@other.example");
    app.invite(&owner, "editor@acme.example", "editor");
    app.invite(&owner, "responder@acme.example", "responder");
    let chief_de = app.customs_in("Zoll", "chief@de.example", "DE");
    app.invite(&chief_de, "officer@de.example", "officer");
    let chief_fr = app.customs_in("Douane", "chief@fr.example", "FR");
    app.invite(&chief_fr, "officer@fr.example", "officer");
    let acme = api_for(&app, "owner@acme.example");
    let product = create_product(&acme, "CD-100", true);
    let draft = create_product(&acme, "CD-200", false);
    World {
        app,
        product,
        draft,
    }
}

fn create_product(api: &Browser, reference: &str, publish: bool) -> i64 {
    let created = api.post_json("/api/v1/products", &full_record(reference));
    created.assert_status(201);
    let id = created.json()["id"].as_i64().expect("id");
    if publish {
        api.post_empty(&format!("/api/v1/products/{id}/publish"))
            .assert_status(200);
    }
    id
}

fn in_days(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

fn alert_json(title: &str, severity: &str, countries: &[&str], products: &[i64]) -> Value {
    json!({
        "title": title,
        "body": format!("{title}: fakes seen in parcels; the hologram is printed, not embossed."),
        "severity": severity,
        "valid_until": in_days(30),
        "countries": countries,
        "product_ids": products,
    })
}

fn publish(api: &Browser, body: &Value) -> i64 {
    let created = api.post_json("/api/v1/alerts", body);
    created.assert_status(201);
    created.json()["id"].as_i64().expect("id")
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|a| a["title"].as_str().expect("title").to_string())
        .collect()
}

#[test]
fn an_alert_published_with_the_form_reaches_the_officers_it_names_and_the_guide() {
    let w = world();
    let editor = signed_in(&w.app, "editor@acme.example");
    let form = editor.get(&format!("/alerts/new?product={}", w.product));
    form.assert_status(200).assert_contains("value=\"CD-100\"");
    let token = form.csrf_token().expect("form");
    let valid_until = in_days(60);
    let sent = editor.post_files(
        "/alerts",
        vec![("file", "fake.jpg", photo(1))],
        &[
            ("csrf_token", &token),
            ("title", "Fake chronographs through Hamburg"),
            (
                "body",
                "Crowns are cast, not machined.\nSerials repeat: AC-000123.",
            ),
            ("severity", "critical"),
            ("valid_until", &valid_until),
            ("countries", "de"),
            ("products", "CD-100"),
            ("caption", "Seized in October"),
        ],
    );
    sent.assert_redirect_to("/alerts/");
    let location = sent.location.clone().expect("location");
    let id: i64 = location["/alerts/".len()..]
        .split('?')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("alert id");

    // The German officer sees it in the list, opens it with its photo, and finds it on
    // the product's guide.
    let officer_de = signed_in(&w.app, "officer@de.example");
    officer_de
        .get("/alerts")
        .assert_status(200)
        .assert_contains("Fake chronographs through Hamburg")
        .assert_contains("Critical");
    let page = officer_de.get(&format!("/alerts/{id}"));
    page.assert_status(200)
        .assert_contains("Serials repeat: AC-000123.")
        .assert_contains(&format!("/guide/{}", w.product))
        .assert_contains("Seized in October");
    let detail = api_for(&w.app, "officer@de.example")
        .get(&format!("/api/v1/alerts/{id}"))
        .json();
    assert_eq!(detail["severity"], "critical");
    assert_eq!(detail["countries"], json!(["DE"]));
    let photo_url = detail["photos"][0]["display_url"]
        .as_str()
        .expect("a photo")
        .to_string();
    let jpeg = api_for(&w.app, "officer@de.example").get_bytes(&photo_url);
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a re-encoded JPEG");
    let thumb = detail["photos"][0]["thumb_url"].as_str().expect("thumb");
    let web_thumb = officer_de.get_bytes(&thumb.replace("/api/v1", ""));
    assert_eq!(
        &web_thumb[..2],
        &[0xFF, 0xD8],
        "the page serves the thumbnail"
    );
    officer_de
        .get(&format!("/guide/{}", w.product))
        .assert_contains("id=\"guide-alerts\"")
        .assert_contains("Fake chronographs through Hamburg");
    let guide = api_for(&w.app, "officer@de.example")
        .get(&format!("/api/v1/products/{}/guide", w.product))
        .json();
    assert_eq!(guide["alerts"][0]["id"], id, "{guide}");

    // The French officer sees none of it: not in the list, not the page, not the photo,
    // not on the guide.
    let officer_fr = signed_in(&w.app, "officer@fr.example");
    officer_fr
        .get("/alerts")
        .assert_status(200)
        .assert_contains("id=\"no-alerts\"");
    officer_fr.get(&format!("/alerts/{id}")).assert_status(404);
    let fr_api = api_for(&w.app, "officer@fr.example");
    fr_api.get(&photo_url).assert_status(404);
    let guide = officer_fr.get(&format!("/guide/{}", w.product));
    guide.assert_status(200);
    assert!(!guide.body.contains("guide-alerts"), "{}", guide.body);

    // The consistency check counts the alert's photos as referenced, so the start-up
    // sweep keeps them.
    w.app.flush_search();
    let admin = Browser::with_token(
        &w.app.base,
        &Browser::token_for(&w.app.base, &w.app.admin_email, PASSWORD),
    );
    let report = admin.get("/api/v1/admin/consistency").json();
    assert_eq!(report["consistent"], true, "{report:#}");
    assert_eq!(report["orphaned_count"], 0, "{report:#}");
}

#[test]
fn officers_see_their_country_and_global_alerts_most_severe_then_newest_and_search_them() {
    let w = world();
    let acme = api_for(&w.app, "owner@acme.example");
    publish(&acme, &alert_json("Global medium", "medium", &[], &[]));
    publish(&acme, &alert_json("German high", "high", &["DE"], &[]));
    publish(
        &acme,
        &alert_json("French critical", "critical", &["FR"], &[]),
    );
    publish(&acme, &alert_json("Global critical", "critical", &[], &[]));
    publish(
        &acme,
        &alert_json("Newer global medium", "medium", &[], &[]),
    );

    let de = api_for(&w.app, "officer@de.example");
    assert_eq!(
        titles(&de.get("/api/v1/alerts").json()),
        [
            "Global critical",
            "German high",
            "Newer global medium",
            "Global medium"
        ]
    );
    let fr = api_for(&w.app, "officer@fr.example");
    assert_eq!(
        titles(&fr.get("/api/v1/alerts").json()),
        [
            "Global critical",
            "French critical",
            "Newer global medium",
            "Global medium"
        ]
    );
    // Words and a minimum severity narrow the list; case does not matter.
    assert_eq!(
        titles(&de.get("/api/v1/alerts?q=GERMAN").json()),
        ["German high"]
    );
    assert_eq!(
        titles(&de.get("/api/v1/alerts?q=newer%20medium").json()),
        ["Newer global medium"]
    );
    assert_eq!(
        titles(&de.get("/api/v1/alerts?severity=high").json()),
        ["Global critical", "German high"]
    );
    assert!(titles(&de.get("/api/v1/alerts?q=100%25").json()).is_empty());
    de.get("/api/v1/alerts?severity=apocalyptic")
        .assert_status(400);
    // The page searches the same way.
    let page = signed_in(&w.app, "officer@de.example").get("/alerts?q=german&severity=high");
    page.assert_status(200).assert_contains("German high");
    assert!(!page.body.contains("Global medium"), "{}", page.body);
}

#[test]
fn expired_and_withdrawn_alerts_leave_the_officers_lists_but_stay_with_the_right_holder() {
    use diesel::prelude::*;
    let w = world();
    let acme = api_for(&w.app, "owner@acme.example");
    let stays = publish(&acme, &alert_json("Still valid", "low", &[], &[w.product]));
    let expires = publish(&acme, &alert_json("Runs out", "high", &[], &[w.product]));
    let withdrawn = publish(&acme, &alert_json("Taken back", "high", &[], &[w.product]));

    // A day passes for one alert: its last day was yesterday.
    let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    let mut conn = w.app.state.pool.get().expect("connection");
    diesel::sql_query(format!(
        "UPDATE alerts SET valid_until = '{yesterday}' WHERE id = {expires}"
    ))
    .execute(&mut conn)
    .expect("age the alert");
    let done = acme.post_empty(&format!("/api/v1/alerts/{withdrawn}/withdraw"));
    done.assert_status(200);
    assert_eq!(done.json()["withdrawn"], true);
    acme.post_empty(&format!("/api/v1/alerts/{withdrawn}/withdraw"))
        .assert_status(409);

    let de = api_for(&w.app, "officer@de.example");
    assert_eq!(titles(&de.get("/api/v1/alerts").json()), ["Still valid"]);
    de.get(&format!("/api/v1/alerts/{expires}"))
        .assert_status(404);
    de.get(&format!("/api/v1/alerts/{withdrawn}"))
        .assert_status(404);
    let guide = de
        .get(&format!("/api/v1/products/{}/guide", w.product))
        .json();
    let on_guide: Vec<i64> = guide["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter_map(|a| a["id"].as_i64())
        .collect();
    assert_eq!(on_guide, [stays]);

    // The right holder still has all three, marked.
    let own = acme.get("/api/v1/alerts").json();
    assert_eq!(own.as_array().expect("list").len(), 3, "{own}");
    let page = signed_in(&w.app, "owner@acme.example").get("/alerts");
    page.assert_contains("withdrawn").assert_contains("expired");
}

#[test]
fn alerts_are_the_right_holders_own_and_only_owners_and_editors_publish_them() {
    let w = world();
    let acme = api_for(&w.app, "owner@acme.example");
    let id = publish(&acme, &alert_json("Acme's", "high", &[], &[w.product]));

    // Another right holder: the alert does not exist for it, and it cannot change it.
    let other = api_for(&w.app, "owner@other.example");
    assert!(titles(&other.get("/api/v1/alerts").json()).is_empty());
    other
        .get(&format!("/api/v1/alerts/{id}"))
        .assert_status(404);
    other
        .put_json(
            &format!("/api/v1/alerts/{id}"),
            &alert_json("Hijacked", "low", &[], &[]),
        )
        .assert_status(404);
    other
        .post_empty(&format!("/api/v1/alerts/{id}/withdraw"))
        .assert_status(404);
    // Nor can it name Acme's products in its own alerts.
    let refused = other.post_json(
        "/api/v1/alerts",
        &alert_json("Theirs", "low", &[], &[w.product]),
    );
    refused.assert_status(400);
    assert_eq!(refused.json()["error"], "unknown_product");

    // Responders answer notices; officers read alerts; neither publishes.
    for email in ["responder@acme.example", "officer@de.example"] {
        api_for(&w.app, email)
            .post_json("/api/v1/alerts", &alert_json("No", "low", &[], &[]))
            .assert_status(403);
    }
    signed_in(&w.app, "officer@de.example")
        .get("/alerts/new")
        .assert_status(403);
    // The platform admin neither reads nor writes them.
    let admin = Browser::with_token(
        &w.app.base,
        &Browser::token_for(&w.app.base, &w.app.admin_email, PASSWORD),
    );
    admin.get("/api/v1/alerts").assert_status(403);

    // Officers never learn of drafts through an alert about them.
    let with_draft = publish(
        &acme,
        &alert_json("About a draft", "low", &[], &[w.product, w.draft]),
    );
    let seen = api_for(&w.app, "officer@de.example")
        .get(&format!("/api/v1/alerts/{with_draft}"))
        .json();
    let ids: Vec<i64> = seen["products"]
        .as_array()
        .expect("products")
        .iter()
        .filter_map(|p| p["id"].as_i64())
        .collect();
    assert_eq!(ids, [w.product]);
    let own = acme.get(&format!("/api/v1/alerts/{with_draft}")).json();
    assert_eq!(own["products"].as_array().expect("products").len(), 2);
}

#[test]
fn bad_alerts_are_refused_with_a_reason_and_change_nothing() {
    let w = world();
    let acme = api_for(&w.app, "owner@acme.example");
    let before = w.app.count("alerts");
    let mut past = alert_json("Too late", "high", &[], &[]);
    past["valid_until"] = json!("2020-01-01");
    let cases: Vec<(Value, &str)> = vec![
        (
            alert_json("Bad severity", "apocalyptic", &[], &[]),
            "invalid_severity",
        ),
        (alert_json("", "high", &[], &[]), "missing_field"),
        (
            alert_json("Bad country", "high", &["Germany"], &[]),
            "invalid_country",
        ),
        (
            alert_json("Unknown product", "high", &[], &[999_999]),
            "unknown_product",
        ),
        (past, "invalid_date"),
    ];
    for (body, code) in cases {
        let refused = acme.post_json("/api/v1/alerts", &body);
        refused.assert_status(400);
        assert_eq!(refused.json()["error"], code, "{body}");
    }
    let malformed = acme.post_json("/api/v1/alerts", &json!({"title": 5}));
    malformed.assert_status(400);
    assert_eq!(malformed.json()["error"], "invalid_json");
    assert_eq!(w.app.count("alerts"), before);

    // The form shows the reason and keeps what was typed; a photo that is not an image is
    // refused; without the CSRF token nothing is read.
    let editor = signed_in(&w.app, "editor@acme.example");
    let token = editor.get("/alerts/new").csrf_token().expect("form");
    let refused = editor.post_files(
        "/alerts",
        vec![("file", "notes.txt", b"not an image".to_vec())],
        &[
            ("csrf_token", &token),
            ("title", "Kept title"),
            ("body", "Kept body"),
            ("severity", "high"),
            ("valid_until", &in_days(10)),
        ],
    );
    refused.assert_status(400);
    refused
        .assert_contains("id=\"form-error\"")
        .assert_contains("Kept title");
    let refused = editor.post_files(
        "/alerts",
        vec![],
        &[
            ("csrf_token", &token),
            ("title", "Unknown product"),
            ("body", "Body"),
            ("severity", "high"),
            ("valid_until", &in_days(10)),
            ("products", "NO-SUCH-REF"),
        ],
    );
    refused.assert_status(400).assert_contains("NO-SUCH-REF");
    editor
        .post_files(
            "/alerts",
            vec![],
            &[
                ("title", "No token"),
                ("body", "Body"),
                ("severity", "high"),
                ("valid_until", &in_days(10)),
            ],
        )
        .assert_status(403);
    assert_eq!(w.app.count("alerts"), before);
    assert_eq!(w.app.count("alert_images"), 0);
}

#[test]
fn a_right_holder_edits_an_alert_and_manages_its_photos() {
    let w = world();
    let acme = api_for(&w.app, "owner@acme.example");
    let id = publish(&acme, &alert_json("First title", "low", &["DE"], &[]));

    // Photos through the API: added, served, removed.
    let added = acme.post_multipart(
        &format!("/api/v1/alerts/{id}/photos"),
        photo(2),
        "p.jpg",
        &[("caption", "Label")],
    );
    added.assert_status(201);
    let photo_id = added.json()["photos"][0]["id"].as_i64().expect("photo id");
    assert_eq!(w.app.count("alert_images"), 1);

    // The page edits everything and removes the photo.
    let editor = signed_in(&w.app, "editor@acme.example");
    let form = editor.get(&format!("/alerts/{id}/edit"));
    form.assert_status(200)
        .assert_contains("First title")
        .assert_contains(&format!("value=\"{photo_id}\""));
    let token = form.csrf_token().expect("form");
    let valid_until = in_days(20);
    let photo_field = photo_id.to_string();
    editor
        .post_files(
            &format!("/alerts/{id}"),
            vec![],
            &[
                ("csrf_token", &token),
                ("title", "Second title"),
                ("body", "Now everywhere."),
                ("severity", "critical"),
                ("valid_until", &valid_until),
                ("countries", ""),
                ("products", "CD-100"),
                ("remove_photos", &photo_field),
            ],
        )
        .assert_redirect_to(&format!("/alerts/{id}"));
    let now = acme.get(&format!("/api/v1/alerts/{id}")).json();
    assert_eq!(now["title"], "Second title");
    assert_eq!(now["severity"], "critical");
    assert_eq!(now["countries"], json!([]));
    assert_eq!(now["products"][0]["id"], w.product);
    assert_eq!(now["photos"], json!([]));
    assert_eq!(w.app.count("alert_images"), 0);
    // Now global, the French officer sees it.
    assert_eq!(
        titles(
            &api_for(&w.app, "officer@fr.example")
                .get("/api/v1/alerts")
                .json()
        ),
        ["Second title"]
    );
    // The API replaces it too, and the history of changes is in the audit log.
    let replaced = acme.put_json(
        &format!("/api/v1/alerts/{id}"),
        &alert_json("Third title", "medium", &["FR"], &[]),
    );
    replaced.assert_status(200);
    assert_eq!(replaced.json()["title"], "Third title");
    assert!(w.app.count("audit_log") > 0);
}
