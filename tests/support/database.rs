//! A fresh database per test: a SQLite file in the test's temporary folder, or, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, a new database created there and
//! dropped afterwards.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use rand::Rng;
use std::path::Path;

pub struct TestDatabase {
    pub url: String,
    postgres: Option<(String, String)>,
}

pub fn postgres_server() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

impl TestDatabase {
    pub fn create(dir: &Path) -> TestDatabase {
        match postgres_server() {
            None => TestDatabase {
                url: dir.join("test.db").to_string_lossy().into_owned(),
                postgres: None,
            },
            Some(server) => {
                let name = format!("touchstone_test_{:016x}", rand::thread_rng().gen::<u64>());
                let mut admin =
                    PgConnection::establish(&server).expect("TEST_DATABASE_URL reachable");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let mut url = url::Url::parse(&server).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&format!("/{name}"));
                TestDatabase {
                    url: url.to_string(),
                    postgres: Some((server, name)),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.postgres {
            if let Ok(mut admin) = PgConnection::establish(server) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}
