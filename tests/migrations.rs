//! Both backends carry the same migrations, and each goes up, down and up again.

use crate::support::database::TestDatabase;
use std::collections::BTreeSet;
use std::path::Path;

fn names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend);
    std::fs::read_dir(&dir)
        .expect("migrations folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_backends_have_the_same_migration_names_with_up_and_down() {
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
    for backend in ["sqlite", "postgres"] {
        for name in &sqlite {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../migrations")
                .join(backend)
                .join(name);
            assert!(dir.join("up.sql").is_file(), "{backend}/{name}/up.sql");
            assert!(dir.join("down.sql").is_file(), "{backend}/{name}/down.sql");
        }
    }
}

#[test]
fn every_migration_goes_up_down_and_up_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::create(dir.path());
    let mut conn = touchstone::db::establish(&database.url).expect("connect");
    assert!(touchstone::db::run_migrations(&mut conn).expect("up") >= 1);
    assert!(touchstone::db::is_migrated(&mut conn));
    touchstone::db::redo_all_migrations(&mut conn).expect("down and up again");
    assert!(touchstone::db::is_migrated(&mut conn));
}

/// Diesel knows a migration by the part of its folder name before the first `_`: two
/// folders with the same prefix would make one of them silently never run.
#[test]
fn every_migration_has_its_own_version() {
    for backend in ["sqlite", "postgres"] {
        let all = names(backend);
        let versions: BTreeSet<&str> = all
            .iter()
            .map(|name| name.split('_').next().unwrap_or(name))
            .collect();
        assert_eq!(versions.len(), all.len(), "{backend}: {all:?}");
    }
}
