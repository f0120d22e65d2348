use std::sync::mpsc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::{build_pool, transaction, DbConnection};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    diesel::sql_query("SELECT COUNT(*) AS n FROM t")
        .get_result::<Count>(conn)
        .map(|c| c.n)
}

/// A transaction that reads, then writes after another connection committed, must wait
/// for its turn instead of failing (SQLite in WAL mode fails a deferred one at once).
#[test]
fn a_sqlite_transaction_that_reads_then_writes_is_not_failed_by_a_concurrent_commit() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("t.db").to_string_lossy().into_owned();
    let pool = build_pool(&url, 2).unwrap();
    pool.get()
        .unwrap()
        .batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    let (read_done, wait_read) = mpsc::channel();
    let other = pool.clone();
    let writer = std::thread::spawn(move || {
        wait_read.recv().unwrap();
        let mut conn = other.get().unwrap();
        transaction(&mut conn, |conn| {
            diesel::sql_query("INSERT INTO t (v) VALUES ('other')").execute(conn)
        })
    });
    let mut conn = pool.get().unwrap();
    let result = transaction(&mut conn, |conn| {
        let before = count(conn)?;
        read_done.send(()).unwrap();
        // Give the other connection time to try its write (it must wait for ours).
        std::thread::sleep(Duration::from_millis(300));
        diesel::sql_query("INSERT INTO t (v) VALUES ('first')").execute(conn)?;
        Ok::<_, diesel::result::Error>(before)
    });
    assert_eq!(result.unwrap(), 0);
    assert_eq!(writer.join().unwrap().unwrap(), 1);
    assert_eq!(count(&mut conn).unwrap(), 2);
}

#[test]
fn nested_transactions_are_savepoints_and_a_failed_inner_one_rolls_back_alone() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("t.db").to_string_lossy().into_owned();
    let pool = build_pool(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    conn.batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    transaction(&mut conn, |conn| {
        diesel::sql_query("INSERT INTO t (v) VALUES ('kept')").execute(conn)?;
        let inner = transaction(conn, |conn| {
            diesel::sql_query("INSERT INTO t (v) VALUES ('dropped')").execute(conn)?;
            Err::<(), _>(diesel::result::Error::RollbackTransaction)
        });
        assert!(inner.is_err());
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    assert_eq!(count(&mut conn).unwrap(), 1);
    // After an outer rollback nothing is kept, and the connection is usable again.
    let failed = transaction(&mut conn, |conn| {
        diesel::sql_query("INSERT INTO t (v) VALUES ('gone')").execute(conn)?;
        Err::<(), _>(diesel::result::Error::RollbackTransaction)
    });
    assert!(failed.is_err());
    assert_eq!(count(&mut conn).unwrap(), 1);
}
