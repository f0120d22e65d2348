//! Starting the real application for a test, and a small browser that keeps cookies.

#![allow(dead_code)]

pub mod browser;
pub mod database;
pub mod webdriver;

use actix_web::dev::ServerHandle;
use std::sync::mpsc;
use touchstone::app::{AppState, Application};
use touchstone::config::Config;

pub use browser::{Browser, Page};
use database::TestDatabase;

pub const PASSWORD: &str = "correct horse battery staple";

/// A running server on a fresh database; stopped (and its database dropped) on drop.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub admin_email: String,
    pub admin_password: String,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    // Declared last: dropped after the server has stopped.
    _data_dir: tempfile::TempDir,
    database: Option<TestDatabase>,
}

impl TestApp {
    pub fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {})
    }

    /// Starts the app with the test defaults, adjusted by `tweak`.
    pub fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let database = TestDatabase::create(data_dir.path());
        let mut config = Config {
            bind: "127.0.0.1:0".into(),
            data_dir: data_dir.path().to_path_buf(),
            database_url: Some(database.url.clone()),
            pool_size: 4,
            attempts_per_minute_per_address: 10_000,
            ..Config::default()
        };
        tweak(&mut config);
        config.validate().expect("valid test configuration");
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let app = Application::build(config).expect("application starts");
                let ready = (
                    app.port(),
                    app.handle(),
                    app.state.clone(),
                    app.first_admin.clone(),
                );
                sender.send(ready).expect("test is waiting");
                app.run_until_stopped().await.expect("server runs");
            })
        });
        let (port, handle, state, first_admin) = receiver.recv().expect("server started");
        let (admin_email, one_time) =
            first_admin.expect("a fresh database creates the first admin");
        let app = TestApp {
            base: format!("http://127.0.0.1:{port}"),
            state,
            admin_email,
            admin_password: one_time,
            handle,
            thread: Some(thread),
            _data_dir: data_dir,
            database: Some(database),
        };
        app.settle_first_admin();
        app
    }

    /// The first admin must change the one-time password; tests do it once here.
    fn settle_first_admin(&self) {
        let browser = self.browser();
        browser
            .sign_in(&self.admin_email, &self.admin_password)
            .assert_redirect_to("/account/password");
        let response = browser.submit(
            "/account/password",
            "/account/password",
            &[
                ("current_password", self.admin_password.as_str()),
                ("new_password", PASSWORD),
                ("new_password_again", PASSWORD),
            ],
        );
        response.assert_redirect_to("/account");
    }

    /// Waits until the search indexes have applied every change made so far.
    pub fn flush_search(&self) {
        self.state.search.flush().expect("search flush");
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A browser signed in as the first admin.
    pub fn admin(&self) -> Browser {
        let browser = self.browser();
        browser
            .sign_in(&self.admin_email, PASSWORD)
            .assert_redirect_to("/");
        browser
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A verified right holder with its owner signed in; returns (org id, owner browser).
    pub fn right_holder(&self, name: &str, owner_email: &str) -> (i64, Browser) {
        let org_id = self.api_sign_up(name, owner_email);
        self.admin()
            .submit(
                &format!("/admin/organisations/{org_id}"),
                &format!("/admin/organisations/{org_id}/verify"),
                &[],
            )
            .assert_status(303);
        let owner = self.browser();
        owner.sign_in(owner_email, PASSWORD).assert_redirect_to("/");
        (org_id, owner)
    }

    pub fn api_sign_up(&self, name: &str, owner_email: &str) -> i64 {
        let response = self.browser().post_json(
            "/api/v1/organisations",
            &serde_json::json!({"name": name, "country": "FR", "website": "https://example.com",
                "owner_name": "Owner", "owner_email": owner_email, "password": PASSWORD}),
        );
        response.assert_status(201);
        response.json()["id"].as_i64().expect("id")
    }

    /// A customs administration whose manager accepted the invitation and is signed in.
    pub fn customs(&self, name: &str, manager_email: &str) -> Browser {
        self.customs_in(name, manager_email, "DE")
    }

    /// A customs administration of a given country, its manager signed in.
    pub fn customs_in(&self, name: &str, manager_email: &str, country: &str) -> Browser {
        let admin = self.admin();
        let page = admin.submit(
            "/admin/customs/new",
            "/admin/customs",
            &[
                ("name", name),
                ("country", country),
                ("manager_email", manager_email),
            ],
        );
        page.assert_status(200);
        let link = page.text_of("invitation-link");
        self.accept_invitation(&link, "Manager")
    }

    /// Follows an invitation link in a new browser and creates the account.
    pub fn accept_invitation(&self, link: &str, name: &str) -> Browser {
        let path = link
            .strip_prefix(&self.base)
            .expect("link on this server")
            .to_string();
        let browser = self.browser();
        browser
            .submit(
                &path,
                &path,
                &[
                    ("name", name),
                    ("password", PASSWORD),
                    ("password_again", PASSWORD),
                ],
            )
            .assert_redirect_to("/?notice=welcome");
        browser
    }

    /// Invites a member through the members page and returns their signed-in browser.
    pub fn invite(&self, manager: &Browser, email: &str, role: &str) -> Browser {
        let page = manager.submit(
            "/members",
            "/members/invite",
            &[("email", email), ("role", role)],
        );
        page.assert_status(200);
        self.accept_invitation(&page.text_of("invitation-link"), "Member")
    }

    /// A row count straight from the database, to prove that nothing changed.
    pub fn count(&self, table: &str) -> i64 {
        use diesel::prelude::*;
        use diesel::sql_types::BigInt;
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut conn = self.state.pool.get().expect("connection");
        let row: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result(&mut *conn)
            .expect("count");
        row.n
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        actix_web::rt::System::new().block_on(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // The database is dropped with FORCE, which also ends the pool's idle connections.
        self.database.take();
    }
}
