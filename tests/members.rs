//! Invitations, roles, disabling and ownership, through the pages.

use crate::support::{Browser, TestApp, PASSWORD};

fn member_id(app: &TestApp, email: &str) -> i64 {
    let mut conn = app.state.pool.get().expect("conn");
    touchstone::models::user::find_by_email(&mut conn, email)
        .expect("query")
        .expect("user")
        .id
}

#[test]
fn an_owner_invites_a_colleague_who_accepts_and_gets_the_role() {
    let app = TestApp::spawn();
    let (_, owner) = app.right_holder("Brand I", "owner@i.example");
    let page = owner.submit(
        "/members",
        "/members/invite",
        &[("email", "Editor@I.example"), ("role", "editor")],
    );
    let link = page.text_of("invitation-link");
    assert!(link.starts_with(&app.base), "absolute link: {link}");
    let path = link.strip_prefix(&app.base).expect("path").to_string();
    let visitor = app.browser();
    visitor
        .get(&path)
        .assert_status(200)
        .assert_contains("editor@i.example")
        .assert_contains("Brand I");
    visitor
        .submit(
            &path,
            &path,
            &[
                ("name", "Eddie"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
            ],
        )
        .assert_redirect_to("/?notice=welcome");
    let me = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, "editor@i.example", PASSWORD),
    )
    .get("/api/v1/me");
    assert_eq!(me.json()["role"], "editor");
    assert_eq!(me.json()["organisation"]["name"], "Brand I");
    // The link works once.
    app.browser()
        .get(&path)
        .assert_status(404)
        .assert_contains("unknown, already used or expired");
    owner.get("/members").assert_contains("Eddie");
}

#[test]
fn unknown_expired_or_duplicate_invitations_are_refused_and_change_nothing() {
    let app = TestApp::spawn();
    let (_, owner) = app.right_holder("Brand J", "owner@j.example");
    let users = app.count("users");
    app.browser()
        .get("/invitations/not-a-real-token")
        .assert_status(404);
    let page = owner.submit(
        "/members",
        "/members/invite",
        &[("email", "owner@j.example"), ("role", "editor")],
    );
    page.assert_status(409)
        .assert_contains("already has an account");
    owner
        .submit(
            "/members",
            "/members/invite",
            &[("email", "bad email"), ("role", "editor")],
        )
        .assert_status(400);
    owner
        .submit(
            "/members",
            "/members/invite",
            &[("email", "x@j.example"), ("role", "owner")],
        )
        .assert_status(400)
        .assert_contains("roles you can give");
    owner
        .submit(
            "/members",
            "/members/invite",
            &[("email", "x@j.example"), ("role", "officer")],
        )
        .assert_status(400);
    // Expire an invitation by moving its clock back.
    let page = owner.submit(
        "/members",
        "/members/invite",
        &[("email", "late@j.example"), ("role", "responder")],
    );
    let path = page
        .text_of("invitation-link")
        .strip_prefix(&app.base)
        .expect("path")
        .to_string();
    {
        use diesel::prelude::*;
        use touchstone::db::schema::invitations;
        let mut conn = app.state.pool.get().expect("conn");
        diesel::update(invitations::table)
            .set(
                invitations::expires_at
                    .eq(chrono::Utc::now().naive_utc() - chrono::Duration::hours(1)),
            )
            .execute(&mut *conn)
            .expect("expire");
    }
    let visitor = app.browser();
    let token = visitor.get("/signin").csrf_token().expect("csrf");
    visitor
        .post_form(
            &path,
            &[
                ("csrf_token", &token),
                ("name", "Late"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
            ],
        )
        .assert_status(404)
        .assert_contains("expired");
    assert_eq!(app.count("users"), users);
}

#[test]
fn a_manager_changes_roles_and_disabling_ends_open_sessions_at_once() {
    let app = TestApp::spawn();
    let manager = app.customs("Zoll Hamburg", "chef@zoll.example");
    let officer = app.invite(&manager, "officer@zoll.example", "officer");
    let officer_token = Browser::token_for(&app.base, "officer@zoll.example", PASSWORD);
    let officer_api = Browser::with_token(&app.base, &officer_token);
    officer.get("/account").assert_status(200);
    let id = member_id(&app, "officer@zoll.example");

    manager
        .submit(
            "/members",
            &format!("/members/{id}/role"),
            &[("role", "trainer")],
        )
        .assert_redirect_to("/members");
    assert_eq!(officer_api.get("/api/v1/me").json()["role"], "trainer");
    manager
        .submit(
            "/members",
            &format!("/members/{id}/role"),
            &[("role", "editor")],
        )
        .assert_status(400)
        .assert_contains("roles you can give");

    manager
        .submit("/members", &format!("/members/{id}/disable"), &[])
        .assert_redirect_to("/members");
    officer.get("/account").assert_redirect_to("/signin");
    officer_api.get("/api/v1/me").assert_status(401);
    app.browser()
        .sign_in("officer@zoll.example", PASSWORD)
        .assert_status(403)
        .assert_contains("disabled");

    manager
        .submit("/members", &format!("/members/{id}/enable"), &[])
        .assert_redirect_to("/members");
    app.browser()
        .sign_in("officer@zoll.example", PASSWORD)
        .assert_redirect_to("/");
}

#[test]
fn managers_cannot_touch_themselves_or_other_organisations() {
    let app = TestApp::spawn();
    let (_, owner_a) = app.right_holder("Brand A", "a@a.example");
    let (_, _owner_b) = app.right_holder("Brand B", "b@b.example");
    let b_owner = member_id(&app, "b@b.example");
    let a_owner = member_id(&app, "a@a.example");
    owner_a
        .submit("/members", &format!("/members/{b_owner}/disable"), &[])
        .assert_status(404);
    owner_a
        .submit("/members", &format!("/members/{a_owner}/disable"), &[])
        .assert_status(400);
    app.browser()
        .sign_in("b@b.example", PASSWORD)
        .assert_redirect_to("/");
}

#[test]
fn the_owner_hands_over_ownership() {
    let app = TestApp::spawn();
    let (_, owner) = app.right_holder("Brand O", "first@o.example");
    let colleague = app.invite(&owner, "second@o.example", "editor");
    let id = member_id(&app, "second@o.example");
    owner
        .submit(
            "/members",
            &format!("/members/{id}/transfer-ownership"),
            &[],
        )
        .assert_redirect_to("/?notice=ownership_transferred");
    let first = Browser::with_token(
        &app.base,
        &Browser::token_for(&app.base, "first@o.example", PASSWORD),
    );
    assert_eq!(first.get("/api/v1/me").json()["role"], "editor");
    owner.get("/members").assert_status(403);
    colleague
        .get("/members")
        .assert_status(200)
        .assert_contains("first@o.example");
}
