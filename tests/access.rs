//! Every route of the foundation against every kind of caller: anonymous, each role, a
//! member of another organisation and a disabled user.

use crate::support::{Browser, TestApp, PASSWORD};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Anonymous,
    Admin,
    Owner,
    Editor,
    Responder,
    CustomsManager,
    Officer,
    Trainer,
    OtherOwner,
    Disabled,
}

const EVERYONE: [Who; 10] = [
    Who::Anonymous,
    Who::Admin,
    Who::Owner,
    Who::Editor,
    Who::Responder,
    Who::CustomsManager,
    Who::Officer,
    Who::Trainer,
    Who::OtherOwner,
    Who::Disabled,
];

const SIGNED_IN: &[Who] = &[
    Who::Admin,
    Who::Owner,
    Who::Editor,
    Who::Responder,
    Who::CustomsManager,
    Who::Officer,
    Who::Trainer,
    Who::OtherOwner,
];
const ADMIN: &[Who] = &[Who::Admin];
const MANAGERS: &[Who] = &[Who::Owner, Who::CustomsManager, Who::OtherOwner];
const OWNER_OF_A: &[Who] = &[Who::Owner];

struct Caller {
    who: Who,
    browser: Browser,
    api: Browser,
}

/// What a caller who may not use a route gets.
#[derive(Debug)]
enum Denied {
    /// 403 for everyone not allowed.
    Forbidden,
    /// The route names a member of organisation A: outsiders get 404, insiders 403.
    MemberOfA,
}

struct Route {
    method: &'static str,
    path: String,
    allowed: &'static [Who],
    denied: Denied,
    /// False for changes we do not want to make while checking access.
    run_allowed: bool,
}

fn route(
    method: &'static str,
    path: String,
    allowed: &'static [Who],
    denied: Denied,
    run_allowed: bool,
) -> Route {
    Route {
        method,
        path,
        allowed,
        denied,
        run_allowed,
    }
}

fn call(caller: &Caller, route: &Route) -> (u16, Option<String>) {
    let api = route.path.starts_with("/api/");
    let page = match (route.method, api) {
        ("GET", false) => caller.browser.get(&route.path),
        ("GET", true) => caller.api.get(&route.path),
        ("POST", false) => {
            // A real form token of this caller (the sign-in page's for anonymous callers), and
            // every field a form may want, so that each call tests access, not parsing.
            let from = if caller.who == Who::Anonymous || caller.who == Who::Disabled { "/signin" } else { "/account" };
            let token = caller.browser.get(from).csrf_token().unwrap_or_default();
            let mut fields = vec![("csrf_token", token.as_str()), ("reason", "access check"), ("name", "Access check")];
            fields.extend([("country", "DE"), ("manager_email", "access@check.example"), ("email", "access@check.example"), ("role", "editor"), ("language", "en")]);
            caller.browser.post_form(&route.path, &fields)
        }
        ("POST", true) => caller.api.post_json(
            &route.path,
            &serde_json::json!({"reason": "access check", "name": "Access check", "country": "DE",
                "manager_email": "access@check.example", "email": "access@check.example", "role": "editor"}),
        ),
        ("PUT", true) => caller.api.put_json(&route.path, &serde_json::json!({"role": "responder"})),
        ("DELETE", true) => caller.api.delete(&route.path),
        other => panic!("no such kind of route {other:?}"),
    };
    (page.status.as_u16(), page.location)
}

#[test]
fn every_route_checks_role_and_organisation() {
    let app = TestApp::spawn();
    let (org_a, owner) = app.right_holder("Brand A", "owner@a.example");
    let (org_b, _) = app.right_holder("Brand B", "owner@b.example");
    app.invite(&owner, "editor@a.example", "editor");
    app.invite(&owner, "responder@a.example", "responder");
    app.invite(&owner, "disabled@a.example", "editor");
    let manager = app.customs("Customs C", "manager@c.example");
    app.invite(&manager, "officer@c.example", "officer");
    app.invite(&manager, "trainer@c.example", "trainer");

    let emails = [
        (Who::Admin, app.admin_email.clone()),
        (Who::Owner, "owner@a.example".into()),
        (Who::Editor, "editor@a.example".into()),
        (Who::Responder, "responder@a.example".into()),
        (Who::CustomsManager, "manager@c.example".into()),
        (Who::Officer, "officer@c.example".into()),
        (Who::Trainer, "trainer@c.example".into()),
        (Who::OtherOwner, "owner@b.example".into()),
        (Who::Disabled, "disabled@a.example".into()),
    ];
    let mut callers = vec![Caller {
        who: Who::Anonymous,
        browser: app.browser(),
        api: Browser::new(&app.base),
    }];
    for (who, email) in &emails {
        let browser = app.browser();
        browser.sign_in(email, PASSWORD).assert_status(303);
        let token = Browser::token_for(&app.base, email, PASSWORD);
        callers.push(Caller {
            who: *who,
            browser,
            api: Browser::with_token(&app.base, &token),
        });
    }
    let id_of = |email: &str| {
        let mut conn = app.state.pool.get().expect("conn");
        touchstone::models::user::find_by_email(&mut conn, email)
            .expect("query")
            .expect("user")
            .id
    };
    let editor_a = id_of("editor@a.example");
    // Disable one member while their session and token are open.
    let disabled = id_of("disabled@a.example");
    owner
        .submit("/members", &format!("/members/{disabled}/disable"), &[])
        .assert_status(303);

    let routes = vec![
        route("GET", "/".into(), SIGNED_IN, Denied::Forbidden, true),
        route("GET", "/account".into(), SIGNED_IN, Denied::Forbidden, true),
        route(
            "GET",
            "/account/password".into(),
            SIGNED_IN,
            Denied::Forbidden,
            true,
        ),
        route(
            "GET",
            "/account/tokens".into(),
            SIGNED_IN,
            Denied::Forbidden,
            true,
        ),
        route(
            "POST",
            "/account".into(),
            SIGNED_IN,
            Denied::Forbidden,
            false,
        ),
        route(
            "POST",
            "/account/tokens".into(),
            SIGNED_IN,
            Denied::Forbidden,
            true,
        ),
        route(
            "GET",
            "/admin/organisations".into(),
            ADMIN,
            Denied::Forbidden,
            true,
        ),
        route(
            "GET",
            format!("/admin/organisations/{org_a}"),
            ADMIN,
            Denied::Forbidden,
            true,
        ),
        route(
            "POST",
            format!("/admin/organisations/{org_b}/suspend"),
            ADMIN,
            Denied::Forbidden,
            false,
        ),
        route(
            "POST",
            format!("/admin/organisations/{org_b}/verify"),
            ADMIN,
            Denied::Forbidden,
            false,
        ),
        route(
            "GET",
            "/admin/customs/new".into(),
            ADMIN,
            Denied::Forbidden,
            true,
        ),
        route(
            "POST",
            "/admin/customs".into(),
            ADMIN,
            Denied::Forbidden,
            false,
        ),
        route("GET", "/admin/audit".into(), ADMIN, Denied::Forbidden, true),
        route("GET", "/members".into(), MANAGERS, Denied::Forbidden, true),
        route(
            "POST",
            "/members/invite".into(),
            MANAGERS,
            Denied::Forbidden,
            false,
        ),
        route(
            "POST",
            format!("/members/{editor_a}/role"),
            OWNER_OF_A,
            Denied::MemberOfA,
            false,
        ),
        route(
            "POST",
            format!("/members/{editor_a}/disable"),
            OWNER_OF_A,
            Denied::MemberOfA,
            false,
        ),
        route(
            "POST",
            format!("/members/{editor_a}/enable"),
            OWNER_OF_A,
            Denied::MemberOfA,
            false,
        ),
        route(
            "POST",
            format!("/members/{editor_a}/transfer-ownership"),
            OWNER_OF_A,
            Denied::MemberOfA,
            false,
        ),
        route(
            "GET",
            "/api/v1/me".into(),
            SIGNED_IN,
            Denied::Forbidden,
            true,
        ),
        route(
            "GET",
            "/api/v1/tokens".into(),
            SIGNED_IN,
            Denied::Forbidden,
            true,
        ),
        route(
            "DELETE",
            "/api/v1/tokens/999999".into(),
            &[],
            Denied::Forbidden,
            false,
        ),
        route(
            "GET",
            "/api/v1/admin/organisations".into(),
            ADMIN,
            Denied::Forbidden,
            true,
        ),
        route(
            "POST",
            format!("/api/v1/admin/organisations/{org_b}/verify"),
            ADMIN,
            Denied::Forbidden,
            false,
        ),
        route(
            "POST",
            format!("/api/v1/admin/organisations/{org_b}/reject"),
            ADMIN,
            Denied::Forbidden,
            false,
        ),
        route(
            "POST",
            format!("/api/v1/admin/organisations/{org_b}/suspend"),
            ADMIN,
            Denied::Forbidden,
            false,
        ),
        route(
            "POST",
            format!("/api/v1/admin/organisations/{org_b}/reinstate"),
            ADMIN,
            Denied::Forbidden,
            false,
        ),
        route(
            "POST",
            "/api/v1/admin/customs-administrations".into(),
            ADMIN,
            Denied::Forbidden,
            false,
        ),
        route(
            "GET",
            "/api/v1/members".into(),
            MANAGERS,
            Denied::Forbidden,
            true,
        ),
        route(
            "POST",
            "/api/v1/members/invitations".into(),
            MANAGERS,
            Denied::Forbidden,
            false,
        ),
        route(
            "PUT",
            format!("/api/v1/members/{editor_a}/role"),
            OWNER_OF_A,
            Denied::MemberOfA,
            false,
        ),
        route(
            "POST",
            format!("/api/v1/members/{editor_a}/disable"),
            OWNER_OF_A,
            Denied::MemberOfA,
            false,
        ),
        route(
            "POST",
            format!("/api/v1/members/{editor_a}/enable"),
            OWNER_OF_A,
            Denied::MemberOfA,
            false,
        ),
        route(
            "POST",
            format!("/api/v1/members/{editor_a}/transfer-ownership"),
            OWNER_OF_A,
            Denied::MemberOfA,
            false,
        ),
    ];

    let mut failures = Vec::new();
    let mut checked = 0;
    for route in &routes {
        for who in EVERYONE {
            let caller = callers.iter().find(|c| c.who == who).expect("caller");
            let allowed = route.allowed.contains(&who);
            if allowed && !route.run_allowed {
                continue;
            }
            let (status, location) = call(caller, route);
            checked += 1;
            let api = route.path.starts_with("/api/");
            let to_sign_in = status == 303
                && location
                    .as_deref()
                    .is_some_and(|l| l.starts_with("/signin"));
            let ok = match (who, allowed) {
                (Who::Anonymous | Who::Disabled, _) if api => status == 401,
                (Who::Anonymous | Who::Disabled, _) => to_sign_in,
                (_, true) => !matches!(status, 401 | 403 | 404) && !to_sign_in && status < 500,
                (_, false) => match route.denied {
                    Denied::Forbidden => {
                        status == 403 || (route.allowed.is_empty() && status == 404)
                    }
                    Denied::MemberOfA => {
                        let insider = matches!(who, Who::Editor | Who::Responder);
                        if insider {
                            status == 403
                        } else {
                            status == 403 || status == 404
                        }
                    }
                },
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {who:?}: {status} {location:?}",
                    route.method, route.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Nothing the denied calls tried was done.
    assert_eq!(
        app.count("invitations"),
        6,
        "only the setup's invitations exist"
    );
}
