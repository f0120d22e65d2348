//! CSRF, throttling, security headers, cookies and the shape of errors.

use crate::support::{TestApp, PASSWORD};

#[test]
fn forms_without_the_right_csrf_token_or_from_another_origin_are_refused() {
    let app = TestApp::spawn();
    let (_, owner) = app.right_holder("Brand C", "c@c.example");
    let users = app.count("users");
    let invite = [("email", "new@c.example"), ("role", "editor")];
    owner
        .post_form("/members/invite", &invite)
        .assert_status(403)
        .assert_contains("did not come from this site");
    let mut forged = vec![("csrf_token", "forged-token")];
    forged.extend_from_slice(&invite);
    owner
        .post_form("/members/invite", &forged)
        .assert_status(403);
    // Another user's (valid) token is no good either: tokens belong to sessions.
    let other = app.admin().get("/account").csrf_token().expect("token");
    let mut borrowed = vec![("csrf_token", other.as_str())];
    borrowed.extend_from_slice(&invite);
    owner
        .post_form("/members/invite", &borrowed)
        .assert_status(403);
    // The right token from a foreign origin is refused; from our own origin it works.
    let token = owner.get("/members").csrf_token().expect("token");
    let mut good = vec![("csrf_token", token.as_str())];
    good.extend_from_slice(&invite);
    owner
        .post_form_with_origin("/members/invite", "https://evil.example", &good)
        .assert_status(403)
        .assert_contains("another site");
    assert_eq!(app.count("invitations"), 0);
    owner
        .post_form_with_origin("/members/invite", &app.base, &good)
        .assert_status(200);
    assert_eq!(app.count("invitations"), 1);
    // Sign-in forms are protected too (login CSRF).
    app.browser()
        .post_form(
            "/signin",
            &[("email", "c@c.example"), ("password", PASSWORD)],
        )
        .assert_status(403);
    assert_eq!(app.count("users"), users);
}

#[test]
fn sign_in_attempts_are_throttled_per_address() {
    let app = TestApp::spawn_with(|c| c.attempts_per_minute_per_address = 3);
    let browser = app.browser();
    // Starting the test app used one attempt (the first admin's sign-in).
    for _ in 0..2 {
        browser
            .sign_in("someone@example.com", "wrong password 1")
            .assert_status(400);
    }
    let page = browser.sign_in("someone@example.com", "wrong password 1");
    page.assert_status(429);
    assert!(page.headers.contains_key("retry-after"));
    let api = app.browser().post_json(
        "/api/v1/tokens",
        &serde_json::json!({"email": "a@b.example", "password": "x", "name": "n"}),
    );
    api.assert_status(429);
    assert_eq!(api.json()["error"], "too_many_requests");
}

#[test]
fn responses_carry_security_headers_and_the_session_cookie_is_locked_down() {
    let app = TestApp::spawn();
    let page = app.browser().get("/signin");
    let header = |name: &str| {
        page.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert!(header("content-security-policy").contains("default-src 'self'"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "same-origin");
    assert_eq!(header("x-frame-options"), "DENY");
    let token = page.csrf_token().expect("token");
    let response = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(app.url("/signin"))
        .header("Cookie", format!("ts_csrf={token}"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", app.admin_email.as_str()),
            ("password", PASSWORD),
        ])
        .send()
        .expect("post");
    assert_eq!(response.status().as_u16(), 303);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("ts_session="))
        .expect("session cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
}

#[test]
fn secure_cookies_when_the_base_url_is_https() {
    let app = TestApp::spawn_with(|c| c.base_url = Some("https://touchstone.example".into()));
    let page = app.browser().get("/signin");
    let cookie = page
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[test]
fn api_errors_have_the_stable_json_shape_and_pages_get_html() {
    let app = TestApp::spawn();
    let unauthorised = app.browser().get("/api/v1/me");
    unauthorised.assert_status(401);
    let body = unauthorised.json();
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["error", "message"]);
    assert_eq!(body["error"], "unauthorised");

    let malformed = reqwest::blocking::Client::new()
        .post(app.url("/api/v1/organisations"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .expect("post");
    assert_eq!(malformed.status().as_u16(), 400);
    let json: serde_json::Value = malformed.json().expect("json");
    assert_eq!(json["error"], "invalid_json");

    let missing = app.browser().get("/api/v1/no-such-thing");
    missing.assert_status(404);
    assert_eq!(missing.json()["error"], "not_found");

    let page = app.browser().get("/no-such-page");
    page.assert_status(404)
        .assert_contains("<html")
        .assert_contains("Not found");
    app.browser()
        .get("/account")
        .assert_redirect_to("/signin?next=%2Faccount");
}

#[test]
fn health_and_readiness_answer_json() {
    let app = TestApp::spawn();
    assert_eq!(
        app.browser().get("/healthz").assert_status(200).json()["status"],
        "ok"
    );
    assert_eq!(
        app.browser().get("/readyz").assert_status(200).json()["status"],
        "ready"
    );
}

#[test]
fn sign_in_redirects_only_to_local_paths() {
    let app = TestApp::spawn();
    let browser = app.browser();
    let token = browser.get("/signin").csrf_token().expect("token");
    let page = browser.post_form(
        "/signin",
        &[
            ("csrf_token", &token),
            ("email", &app.admin_email),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ],
    );
    page.assert_status(303);
    assert_eq!(page.location.as_deref(), Some("/"));
    let token = browser.get("/account").csrf_token().expect("token");
    browser
        .post_form("/signout", &[("csrf_token", &token)])
        .assert_status(303);
    let token = browser.get("/signin").csrf_token().expect("token");
    let page = browser.post_form(
        "/signin",
        &[
            ("csrf_token", &token),
            ("email", &app.admin_email),
            ("password", PASSWORD),
            ("next", "/admin/audit"),
        ],
    );
    assert_eq!(page.location.as_deref(), Some("/admin/audit"));
}
