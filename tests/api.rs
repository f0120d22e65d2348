//! The JSON API: tokens, sign-up, verification, customs administrations, members, and
//! the OpenAPI document.

use crate::support::{Browser, TestApp, PASSWORD};
use serde_json::json;

#[test]
fn tokens_are_created_used_listed_and_revoked() {
    let app = TestApp::spawn();
    let anonymous = app.browser();
    let wrong = anonymous.post_json(
        "/api/v1/tokens",
        &json!({"email": app.admin_email, "password": "nope nope nope", "name": "x"}),
    );
    wrong.assert_status(400);
    assert_eq!(wrong.json()["error"], "sign_in_failed");

    let created = anonymous.post_json(
        "/api/v1/tokens",
        &json!({"email": app.admin_email, "password": PASSWORD, "name": "CI"}),
    );
    created.assert_status(201);
    let token = created.json()["token"].as_str().expect("token").to_string();
    assert!(token.starts_with("ts_"));
    let api = Browser::with_token(&app.base, &token);
    let me = api.get("/api/v1/me");
    me.assert_status(200);
    let me = me.json();
    assert_eq!(me["email"], app.admin_email);
    assert_eq!(me["role"], "admin");
    assert_eq!(me["organisation"]["kind"], "platform");
    assert_eq!(me["organisation"]["status"], "verified");
    assert!(
        me["organisation"]["id"].is_i64()
            && me["organisation"]["name"].is_string()
            && me["name"].is_string()
    );

    let list = api.get("/api/v1/tokens").json();
    let entry = &list.as_array().expect("array")[0];
    assert_eq!(entry["name"], "CI");
    assert!(
        entry.get("token_hash").is_none(),
        "the digest is never shown"
    );
    assert!(!list.to_string().contains(&token));
    let id = entry["id"].as_i64().expect("id");
    api.delete(&format!("/api/v1/tokens/{id}"))
        .assert_status(204);
    api.get("/api/v1/me").assert_status(401);
    // The same token also appears, revoked, on the tokens page.
    app.admin()
        .get("/account/tokens")
        .assert_contains("revoked");
}

#[test]
fn tokens_made_on_the_page_are_shown_once_and_work() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let page = admin.submit(
        "/account/tokens",
        "/account/tokens",
        &[("name", "ERP sync")],
    );
    let secret = page.text_of("new-token");
    Browser::with_token(&app.base, &secret)
        .get("/api/v1/me")
        .assert_status(200);
    assert!(!admin.get("/account/tokens").body.contains(&secret));
    // Session cookies do not authenticate the API (so no CSRF there).
    admin.get("/api/v1/me").assert_status(401);
}

#[test]
fn sign_up_verify_and_reject_through_the_api() {
    let app = TestApp::spawn();
    let anonymous = app.browser();
    let body = json!({"name": "Globex", "country": "US", "website": "https://globex.example",
        "owner_name": "Hank", "owner_email": "hank@globex.example", "password": PASSWORD});
    let created = anonymous.post_json("/api/v1/organisations", &body);
    created.assert_status(201);
    assert_eq!(created.json()["status"], "pending");
    let id = created.json()["id"].as_i64().expect("id");
    let duplicate = anonymous.post_json("/api/v1/organisations", &body);
    duplicate.assert_status(409);
    assert_eq!(duplicate.json()["error"], "conflict");
    let bad = anonymous.post_json(
        "/api/v1/organisations",
        &json!({"name": "X", "country": "US", "owner_name": "Y",
        "owner_email": "not an email", "password": PASSWORD}),
    );
    bad.assert_status(400);
    assert_eq!(bad.json()["error"], "invalid_email");

    let owner = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, "hank@globex.example", PASSWORD),
    );
    owner
        .post_json(
            &format!("/api/v1/admin/organisations/{id}/verify"),
            &json!({}),
        )
        .assert_status(403);

    let admin = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, &app.admin_email, PASSWORD),
    );
    let pending = admin
        .get("/api/v1/admin/organisations?status=pending")
        .json();
    assert!(pending
        .as_array()
        .expect("array")
        .iter()
        .any(|o| o["id"] == id));
    admin
        .post_json(
            &format!("/api/v1/admin/organisations/{id}/reject"),
            &json!({}),
        )
        .assert_status(400);
    let verified = admin.post_empty(&format!("/api/v1/admin/organisations/{id}/verify"));
    verified.assert_status(200);
    assert_eq!(verified.json()["status"], "verified");
    assert_eq!(
        owner.get("/api/v1/me").json()["organisation"]["status"],
        "verified"
    );
    admin
        .post_json(
            &format!("/api/v1/admin/organisations/{id}/reject"),
            &json!({"reason": "late"}),
        )
        .assert_status(409);
    admin
        .post_empty("/api/v1/admin/organisations/999999/verify")
        .assert_status(404);

    let second = anonymous.post_json(
        "/api/v1/organisations",
        &json!({"name": "Initech", "country": "US",
        "owner_name": "Bill", "owner_email": "bill@initech.example", "password": PASSWORD}),
    );
    let second_id = second.json()["id"].as_i64().expect("id");
    let rejected = admin.post_json(
        &format!("/api/v1/admin/organisations/{second_id}/reject"),
        &json!({"reason": "Not a right holder"}),
    );
    rejected.assert_status(200);
    assert_eq!(rejected.json()["status"], "rejected");
    assert_eq!(rejected.json()["status_reason"], "Not a right holder");
}

#[test]
fn customs_administrations_and_members_through_the_api() {
    let app = TestApp::spawn();
    let admin = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, &app.admin_email, PASSWORD),
    );
    let created = admin.post_json("/api/v1/admin/customs-administrations",
        &json!({"name": "Douane Le Havre", "country": "fr", "manager_email": "chef@douane.example"}));
    created.assert_status(201);
    let link = created.json()["invitation_url"]
        .as_str()
        .expect("url")
        .to_string();
    app.accept_invitation(&link, "Chef");
    let manager = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, "chef@douane.example", PASSWORD),
    );
    assert_eq!(manager.get("/api/v1/me").json()["role"], "customs_manager");

    let invited = manager.post_json(
        "/api/v1/members/invitations",
        &json!({"email": "agent@douane.example", "role": "officer"}),
    );
    invited.assert_status(201);
    app.accept_invitation(
        invited.json()["invitation_url"].as_str().expect("url"),
        "Agent",
    );
    let members = manager.get("/api/v1/members").json();
    let agent = members
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["email"] == "agent@douane.example")
        .expect("agent")
        .clone();
    assert_eq!(agent["role"], "officer");
    let id = agent["id"].as_i64().expect("id");
    manager
        .put_json(
            &format!("/api/v1/members/{id}/role"),
            &json!({"role": "trainer"}),
        )
        .assert_status(204);
    let bad_role = manager.put_json(
        &format!("/api/v1/members/{id}/role"),
        &json!({"role": "owner"}),
    );
    bad_role.assert_status(400);
    let agent_api = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, "agent@douane.example", PASSWORD),
    );
    assert_eq!(agent_api.get("/api/v1/me").json()["role"], "trainer");
    manager
        .post_empty(&format!("/api/v1/members/{id}/disable"))
        .assert_status(204);
    agent_api.get("/api/v1/me").assert_status(401);
    manager
        .post_empty(&format!("/api/v1/members/{id}/enable"))
        .assert_status(204);
    agent_api.get("/api/v1/me").assert_status(401);
    agent_api.get("/api/v1/members").assert_status(401);
}

#[test]
fn the_openapi_document_lists_every_endpoint() {
    let app = TestApp::spawn();
    let doc = app
        .browser()
        .get("/api/v1/openapi.json")
        .assert_status(200)
        .json();
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/tokens", "post"),
        ("/api/v1/tokens", "get"),
        ("/api/v1/tokens/{id}", "delete"),
        ("/api/v1/organisations", "post"),
        ("/api/v1/admin/organisations", "get"),
        ("/api/v1/admin/organisations/{id}/verify", "post"),
        ("/api/v1/admin/organisations/{id}/reject", "post"),
        ("/api/v1/admin/organisations/{id}/suspend", "post"),
        ("/api/v1/admin/organisations/{id}/reinstate", "post"),
        ("/api/v1/admin/customs-administrations", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me/password", "put"),
        ("/api/v1/members", "get"),
        ("/api/v1/members/invitations", "post"),
        ("/api/v1/members/{id}/role", "put"),
        ("/api/v1/members/{id}/disable", "post"),
        ("/api/v1/members/{id}/enable", "post"),
        ("/api/v1/members/{id}/transfer-ownership", "post"),
        ("/api/v1/openapi.json", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[test]
fn the_password_changes_through_the_api_and_every_token_ends() {
    let app = TestApp::spawn();
    app.right_holder("Brand P", "p@p.example");
    let api = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, "p@p.example", PASSWORD),
    );
    let weak = api.put_json(
        "/api/v1/me/password",
        &json!({"current_password": PASSWORD, "new_password": "short"}),
    );
    weak.assert_status(400);
    assert_eq!(weak.json()["error"], "weak_password");
    api.put_json(
        "/api/v1/me/password",
        &json!({"current_password": PASSWORD, "new_password": "another long passphrase"}),
    )
    .assert_status(204);
    api.get("/api/v1/me").assert_status(401);
    Browser::token_for(&app.base, "p@p.example", "another long passphrase");
}
