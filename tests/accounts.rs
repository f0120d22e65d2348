//! Sign-up, verification, sign-in, password changes and lock-out, through the pages.

use crate::support::{Browser, TestApp, PASSWORD};

#[test]
fn a_right_holder_signs_up_waits_for_verification_and_is_verified() {
    let app = TestApp::spawn();
    let visitor = app.browser();
    let signed_up = visitor.submit(
        "/signup",
        "/signup",
        &[
            ("name", "Acme Watches SA"),
            ("country", "ch"),
            ("website", "https://acme.example"),
            ("owner_name", "Ada Owner"),
            ("owner_email", "Ada@Acme.example"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ],
    );
    signed_up.assert_redirect_to("/signup/pending");
    visitor
        .get("/signup/pending")
        .assert_status(200)
        .assert_contains("pending verification");

    // The owner may sign in (e-mail case does not matter) and is told they are pending.
    let owner = app.browser();
    owner
        .sign_in("ada@ACME.example", PASSWORD)
        .assert_redirect_to("/");
    owner
        .get("/")
        .assert_status(200)
        .assert_contains("Waiting for verification");

    // The admin sees it among pending organisations and verifies it.
    let admin = app.admin();
    let pending = admin.get("/admin/organisations?status=pending");
    pending.assert_contains("Acme Watches SA");
    let me = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, "ada@acme.example", PASSWORD),
    )
    .get("/api/v1/me");
    let org_id = me.json()["organisation"]["id"].as_i64().expect("org id");
    assert_eq!(me.json()["organisation"]["status"], "pending");
    admin
        .submit(
            &format!("/admin/organisations/{org_id}"),
            &format!("/admin/organisations/{org_id}/verify"),
            &[],
        )
        .assert_redirect_to(&format!("/admin/organisations/{org_id}?notice=verified"));
    owner.get("/").assert_status(200);
    assert!(!owner.get("/").body.contains("Waiting for verification"));
    admin
        .get("/admin/organisations?status=verified")
        .assert_contains("Acme Watches SA");
    assert!(app.count("audit_log") >= 3);
}

#[test]
fn rejecting_needs_a_reason_which_the_owner_reads() {
    let app = TestApp::spawn();
    let org_id = app.api_sign_up("Shady Goods Ltd", "shady@example.com");
    let admin = app.admin();
    let path = format!("/admin/organisations/{org_id}");
    admin
        .submit(&path, &format!("{path}/reject"), &[("reason", "")])
        .assert_status(400)
        .assert_contains("Give a reason");
    admin
        .submit(
            &path,
            &format!("{path}/reject"),
            &[("reason", "No trademark registration found")],
        )
        .assert_redirect_to(&path);
    // A rejected organisation's members cannot sign in.
    app.browser()
        .sign_in("shady@example.com", PASSWORD)
        .assert_status(403);
}

#[test]
fn bad_sign_up_input_gets_a_clear_message_and_changes_nothing() {
    let app = TestApp::spawn();
    app.api_sign_up("Existing Brand", "taken@example.com");
    let before = (app.count("organisations"), app.count("users"));
    let long_name = "x".repeat(201);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("owner_email", "not-an-email")],
            "not an e-mail address",
        ),
        (vec![("owner_email", "TAKEN@example.com")], "already exists"),
        (vec![("name", long_name.as_str())], "at most 200 characters"),
        (vec![("country", "France")], "two-letter ISO code"),
        (vec![("website", "javascript:alert(1)")], "website"),
        (
            vec![("password", "short"), ("password_again", "short")],
            "at least 12 characters",
        ),
        (
            vec![("password_again", "something else entirely")],
            "differ",
        ),
        (vec![("name", "Existing Brand")], "already registered"),
    ];
    for (overrides, message) in cases {
        let mut fields = vec![
            ("name", "New Brand"),
            ("country", "FR"),
            ("website", ""),
            ("owner_name", "Owner"),
            ("owner_email", "new@example.com"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ];
        for (key, value) in overrides {
            fields
                .iter_mut()
                .filter(|(k, _)| *k == key)
                .for_each(|f| f.1 = value);
        }
        let page = app.browser().submit("/signup", "/signup", &fields);
        assert!(
            matches!(page.status.as_u16(), 400 | 409),
            "{message}: {}",
            page.status
        );
        page.assert_contains(message);
        assert!(page.body.contains("<html"), "errors on pages are HTML");
    }
    assert_eq!((app.count("organisations"), app.count("users")), before);
}

#[test]
fn the_first_admin_must_change_the_one_time_password() {
    let app = TestApp::spawn();
    // TestApp already changed it; a fresh admin created with a generated password must too.
    let hash = touchstone::auth::password::hash("one-time-password-123").expect("hash");
    let mut conn = app.state.pool.get().expect("conn");
    touchstone::services::accounts::create_admin(
        &mut conn,
        "second@touchstone.local",
        "Second",
        &hash,
        true,
    )
    .expect("admin");
    let browser = app.browser();
    browser
        .sign_in("second@touchstone.local", "one-time-password-123")
        .assert_redirect_to("/account/password");
    browser
        .get("/admin/organisations")
        .assert_redirect_to("/account/password");
    let api = Browser::new(&app.base).post_json(
        "/api/v1/tokens",
        &serde_json::json!({"email": "second@touchstone.local", "password": "one-time-password-123", "name": "x"}),
    );
    api.assert_status(403);
    assert_eq!(api.json()["error"], "password_change_required");
    browser
        .submit(
            "/account/password",
            "/account/password",
            &[
                ("current_password", "one-time-password-123"),
                ("new_password", PASSWORD),
                ("new_password_again", PASSWORD),
            ],
        )
        .assert_redirect_to("/account");
    browser.get("/admin/organisations").assert_status(200);
}

#[test]
fn changing_the_password_ends_the_other_sessions_and_tokens() {
    let app = TestApp::spawn();
    let (_, laptop) = app.right_holder("Brand A", "owner@a.example");
    let phone = app.browser();
    phone
        .sign_in("owner@a.example", PASSWORD)
        .assert_redirect_to("/");
    let token = Browser::token_for(&app.base, "owner@a.example", PASSWORD);
    let api = Browser::with_token(&app.base, &token);
    api.get("/api/v1/me").assert_status(200);

    let new_password = "a much better passphrase";
    laptop
        .submit(
            "/account/password",
            "/account/password",
            &[
                ("current_password", "wrong current password"),
                ("new_password", new_password),
                ("new_password_again", new_password),
            ],
        )
        .assert_status(400)
        .assert_contains("current password is not right");
    phone.get("/account").assert_status(200);
    laptop
        .submit(
            "/account/password",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
                ("new_password_again", new_password),
            ],
        )
        .assert_redirect_to("/account?notice=password_changed");
    laptop.get("/account").assert_status(200);
    phone.get("/account").assert_redirect_to("/signin");
    api.get("/api/v1/me").assert_status(401);
    app.browser()
        .sign_in("owner@a.example", PASSWORD)
        .assert_status(400);
    app.browser()
        .sign_in("owner@a.example", new_password)
        .assert_redirect_to("/");
}

#[test]
fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::spawn_with(|c| c.lockout_threshold = 3);
    app.right_holder("Brand L", "lock@l.example");
    for _ in 0..3 {
        let page = app
            .browser()
            .sign_in("lock@l.example", "wrong password 123");
        page.assert_status(400)
            .assert_contains("Wrong e-mail or password");
    }
    // Even the right password is refused now, with the same message as a wrong one.
    let page = app.browser().sign_in("lock@l.example", PASSWORD);
    page.assert_status(400)
        .assert_contains("Wrong e-mail or password");
    // An unknown e-mail gets exactly the same answer.
    let unknown = app.browser().sign_in("nobody@l.example", PASSWORD);
    assert_eq!(unknown.status, page.status);
    unknown.assert_contains("Wrong e-mail or password");
    // An admin can see the lock-out in the audit log.
    app.admin()
        .get("/admin/audit")
        .assert_contains("user.sign_in_locked");
}

#[test]
fn sign_in_renews_the_session_and_sign_out_revokes_it() {
    let app = TestApp::spawn();
    let (_, owner) = app.right_holder("Brand S", "s@s.example");
    let first = owner.cookie("ts_session").expect("session cookie");
    // Signing in again from the same browser (a planted or stale session) replaces it.
    let token = owner.get("/account").csrf_token().expect("token");
    owner
        .post_form(
            "/signin",
            &[
                ("csrf_token", &token),
                ("email", "s@s.example"),
                ("password", PASSWORD),
            ],
        )
        .assert_redirect_to("/");
    let second = owner.cookie("ts_session").expect("session cookie");
    assert_ne!(first, second, "a new session at sign-in");
    Browser::with_session_cookie(&app.base, &first)
        .get("/account")
        .assert_redirect_to("/signin");
    let copy = Browser::with_session_cookie(&app.base, &second);
    copy.get("/account").assert_status(200);
    let sessions_before = app.count("sessions");
    owner
        .submit("/account", "/signout", &[])
        .assert_redirect_to("/signin");
    owner.get("/account").assert_redirect_to("/signin");
    copy.get("/account").assert_redirect_to("/signin");
    assert_eq!(
        app.count("sessions"),
        sessions_before,
        "revoked, not deleted"
    );
}

#[test]
fn suspending_an_organisation_ends_its_members_access() {
    let app = TestApp::spawn();
    let (org_id, owner) = app.right_holder("Brand X", "x@x.example");
    let admin = app.admin();
    let path = format!("/admin/organisations/{org_id}");
    admin
        .submit(
            &path,
            &format!("{path}/suspend"),
            &[("reason", "Fraudulent registration")],
        )
        .assert_redirect_to(&path);
    owner.get("/account").assert_redirect_to("/signin");
    app.browser()
        .sign_in("x@x.example", PASSWORD)
        .assert_status(403)
        .assert_contains("suspended");
    admin
        .submit(&path, &format!("{path}/reinstate"), &[])
        .assert_redirect_to(&path);
    app.browser()
        .sign_in("x@x.example", PASSWORD)
        .assert_redirect_to("/");
}
