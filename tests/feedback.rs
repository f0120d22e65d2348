//! Feedback for right holders: officers' guide look-ups are counted per administration and
//! week (no officer named), notices received and the median time to answer them; each
//! right holder sees only its own figures.

use crate::notices::{api_for, signed_in};
use crate::products::full_record;
use serde_json::{json, Value};

fn notice(product: i64) -> Value {
    json!({
        "product_id": product,
        "office": "Port of Hamburg",
        "found_on": chrono::Utc::now().date_naive().to_string(),
        "quantity": 10,
        "transport_mode": "sea",
        "origin_country": "CN",
        "description": "Watches in plain cartons.",
    })
}

fn product_line(report: &Value, id: i64) -> Value {
    report["products"]
        .as_array()
        .expect("products")
        .iter()
        .find(|p| p["product_id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("product {id} not in {report:#}"))
}

#[test]
fn look_ups_and_notices_are_reported_to_the_right_holder_by_country_and_week() {
    let app = crate::support::TestApp::spawn();
    let (_, owner) = app.right_holder("Acme SA", "owner@acme.example");
    app.right_holder("Other Brand", "owner@other.example");
    app.invite(&owner, "responder@acme.example", "responder");
    let chief_de = app.customs_in("Zoll Hamburg", "chief@de.example", "DE");
    let officer_de = app.invite(&chief_de, "officer@de.example", "officer");
    let chief_fr = app.customs_in("Douane Le Havre", "chief@fr.example", "FR");
    let officer_fr = app.invite(&chief_fr, "officer@fr.example", "officer");
    let acme = api_for(&app, "owner@acme.example");
    let created = acme.post_json("/api/v1/products", &full_record("CD-100"));
    created.assert_status(201);
    let product = created.json()["id"].as_i64().expect("id");
    acme.post_empty(&format!("/api/v1/products/{product}/publish"))
        .assert_status(200);

    // Three look-ups from Germany (pages and API), one from France; the right holder's
    // own preview is not a look-up.
    for _ in 0..2 {
        officer_de
            .get(&format!("/guide/{product}"))
            .assert_status(200);
    }
    api_for(&app, "officer@de.example")
        .get(&format!("/api/v1/products/{product}/guide"))
        .assert_status(200);
    officer_fr
        .get(&format!("/guide/{product}"))
        .assert_status(200);
    owner
        .get(&format!("/products/{product}/preview"))
        .assert_status(200);
    // The look-up log keeps the administration and the week, nothing about the officer.
    assert_eq!(app.count("product_lookups"), 2);

    // Two notices; the responder answers one with a verdict.
    let de_api = api_for(&app, "officer@de.example");
    let first = de_api.post_json("/api/v1/notices", &notice(product));
    first.assert_status(201);
    let first = first.json()["id"].as_i64().expect("id");
    de_api
        .post_json("/api/v1/notices", &notice(product))
        .assert_status(201);
    api_for(&app, "responder@acme.example")
        .put_json(
            &format!("/api/v1/notices/{first}/verdict"),
            &json!({"verdict": "counterfeit"}),
        )
        .assert_status(200);

    let report = acme.get("/api/v1/feedback").json();
    assert_eq!(report["total_lookups"], 4, "{report:#}");
    assert_eq!(report["weeks"].as_array().expect("weeks").len(), 12);
    let weekly = report["weekly_lookups"].as_array().expect("weekly");
    assert_eq!(weekly.last(), Some(&json!(4)), "this week is the last");
    assert_eq!(
        report["countries"],
        json!([{"country": "DE", "lookups": 3}, {"country": "FR", "lookups": 1}])
    );
    assert_eq!(
        report["administrations"][0]["administration"],
        "Zoll Hamburg"
    );
    assert_eq!(report["notices"]["received"], 2, "{report:#}");
    assert_eq!(report["notices"]["answered"], 1);
    assert_eq!(report["notices"]["waiting"], 1);
    let median = report["notices"]["median_response_hours"]
        .as_f64()
        .expect("a median over the answered notice");
    assert!(
        (0.0..1.0).contains(&median),
        "answered within the test: {median}"
    );
    let line = product_line(&report, product);
    assert_eq!(line["lookups"], 4);
    assert_eq!(line["notices"]["received"], 2);
    let text = report.to_string();
    for private in ["officer@de.example", "officer@fr.example", "Member"] {
        assert!(!text.contains(private), "{private} in {text}");
    }

    // The page shows the same figures; a shorter period works; a silly one is refused.
    let page = owner.get("/feedback?weeks=4");
    page.assert_status(200);
    assert_eq!(page.text_of("total-lookups"), "4");
    page.assert_contains("Zoll Hamburg")
        .assert_contains(&format!("id=\"product-{product}\""));
    acme.get("/api/v1/feedback?weeks=0").assert_status(400);
    acme.get("/api/v1/feedback?weeks=many").assert_status(400);
    owner.get("/feedback?weeks=500").assert_status(400);

    // Another right holder sees nothing of Acme's; officers have no feedback page.
    let theirs = api_for(&app, "owner@other.example")
        .get("/api/v1/feedback")
        .json();
    assert_eq!(theirs["total_lookups"], 0, "{theirs:#}");
    assert_eq!(theirs["products"], json!([]));
    assert_eq!(theirs["notices"]["received"], 0);
    signed_in(&app, "officer@de.example")
        .get("/feedback")
        .assert_status(403);
    de_api.get("/api/v1/feedback").assert_status(403);
}
