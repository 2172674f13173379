//! Test databases for the suites of every crate: a fresh SQLite file per test, and, when
//! `XIAOHAO_TEST_POSTGRES` holds a server URL, a fresh PostgreSQL database per test. Under
//! `CI=true` a PostgreSQL run that cannot connect fails instead of skipping.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;

use crate::{Db, DbOptions};

pub const POSTGRES_ENV: &str = "XIAOHAO_TEST_POSTGRES";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("xiaohao_t{}_{}_{}", std::process::id(), n, nanos)
}

/// A database that lives for one test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(std::path::PathBuf),
    Postgres {
        server: String,
        name: String,
        tablespace: Option<String>,
    },
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique_name());
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self::sqlite_in(dir).await
    }

    /// A SQLite database in `dir` (which [`TestDb::cleanup`] removes).
    pub async fn sqlite_in(dir: std::path::PathBuf) -> TestDb {
        std::fs::create_dir_all(&dir).expect("create the database's directory");
        let url = format!("sqlite://{}", dir.join("xiaohao.db").display());
        let db = Db::connect(&url, &DbOptions::default())
            .await
            .expect("open sqlite");
        TestDb {
            db,
            url,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// `None` when PostgreSQL runs are off (no URL, not under CI).
    pub async fn postgres() -> Option<TestDb> {
        Self::postgres_with(None).await
    }

    /// A PostgreSQL test database whose tables live in a tablespace at `dir` (a directory of
    /// this machine, which the server must be able to write: its owner becomes the server's
    /// user), for a test that fills that disk.
    pub async fn postgres_in(dir: &std::path::Path) -> Option<TestDb> {
        Self::postgres_with(Some(dir)).await
    }

    async fn postgres_with(tablespace_dir: Option<&std::path::Path>) -> Option<TestDb> {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        let server = match std::env::var(POSTGRES_ENV) {
            Ok(url) if !url.is_empty() => url,
            _ if ci => {
                panic!("CI=true but {POSTGRES_ENV} is not set: PostgreSQL tests must run in CI")
            }
            _ => return None,
        };
        let name = unique_name();
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to PostgreSQL at {server}: {e}"));
        let tablespace = match tablespace_dir {
            Some(dir) => {
                let owner = std::process::Command::new("chown")
                    .args(["postgres:postgres"])
                    .arg(dir)
                    .status();
                assert!(
                    owner.is_ok_and(|s| s.success()),
                    "give {} to the server's user",
                    dir.display()
                );
                let ts = format!("{name}_ts");
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "CREATE TABLESPACE {ts} LOCATION '{}'",
                    dir.display()
                )))
                .execute(&mut admin)
                .await
                .expect("create test tablespace");
                Some(ts)
            }
            None => None,
        };
        let create = match &tablespace {
            Some(ts) => format!("CREATE DATABASE {name} TABLESPACE {ts}"),
            None => format!("CREATE DATABASE {name}"),
        };
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let url = with_database(&server, &name);
        let opts = DbOptions {
            max_connections: 5,
            ..DbOptions::default()
        };
        let db = Db::connect(&url, &opts).await.expect("open test database");
        Some(TestDb {
            db,
            url,
            cleanup: Cleanup::Postgres {
                server,
                name,
                tablespace,
            },
        })
    }

    pub async fn cleanup(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres {
                server,
                name,
                tablespace,
            } => {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&server).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                    if let Some(ts) = tablespace {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP TABLESPACE IF EXISTS {ts}"
                        )))
                        .execute(&mut admin)
                        .await;
                    }
                    let _ = admin.close().await;
                }
            }
        }
    }
}

/// Whether the PostgreSQL server of the tests still has a tablespace at `dir` (one a test
/// made and could not drop). Its file system must then stay mounted: the server would fail
/// every checkpoint, and stop, if the files under it went away.
pub async fn tablespace_at(dir: &std::path::Path) -> bool {
    let Ok(server) = std::env::var(POSTGRES_ENV) else {
        return false;
    };
    let Ok(mut admin) = sqlx::PgConnection::connect(&server).await else {
        return true;
    };
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_tablespace WHERE pg_tablespace_location(oid) = $1",
    )
    .bind(dir.display().to_string())
    .fetch_one(&mut admin)
    .await
    .unwrap_or(1);
    let _ = admin.close().await;
    n > 0
}

/// Waits until no other session of this PostgreSQL database is running a statement: a client
/// killed while its COMMIT was on the wire leaves the server finishing it, and a read before
/// then could see half of what the next read sees. Nothing to wait for on SQLite, where a
/// killed process's transaction dies with it.
pub async fn settle(db: &Db) -> crate::Result<()> {
    if let Db::Postgres(pool, _) = db {
        for _ in 0..500 {
            let busy: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND state <> 'idle'",
            )
            .fetch_one(pool)
            .await?;
            if busy == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    Ok(())
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// Runs a test body once on SQLite and once on PostgreSQL (when enabled). The body gets a
/// migrated-or-not `TestDb` by name; it is an async block.
///
/// ```text
/// db_test!(inserts_a_unit, |t| { let db = &t.db; /* … */ });
/// ```
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$t:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $t = $crate::testing::TestDb::sqlite().await;
                $body;
                $t.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($t) = $crate::testing::TestDb::postgres().await else {
                    eprintln!(
                        "PostgreSQL run skipped: set {} to enable it",
                        $crate::testing::POSTGRES_ENV
                    );
                    return;
                };
                $body;
                $t.cleanup().await;
            }
        }
    };
}

/// Rewrites one audit entry behind the application's back, as an intruder with database
/// access would, so that tests can show `audit verify` finds it.
pub async fn tamper_audit_entry(db: &Db, seq: i64, new_after: &str) -> crate::Result<u64> {
    Ok(
        with_db_write!(db, c => sqlx::query("UPDATE audit_log SET after_json = $1 WHERE seq = $2")
        .bind(new_after).bind(seq).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

/// Deletes one audit entry behind the application's back.
pub async fn delete_audit_entry(db: &Db, seq: i64) -> crate::Result<u64> {
    Ok(
        with_db_write!(db, c => sqlx::query("DELETE FROM audit_log WHERE seq = $1")
        .bind(seq).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

/// Rewrites entry `seq` of `chain` and re-hashes every entry after it, as an intruder who
/// knows the chain's construction but not the key would: the chain links again, the MACs no
/// longer match. Returns how many entries were re-hashed.
pub async fn rewrite_audit_chain_from(
    db: &Db,
    chain: i64,
    seq: i64,
    new_after: &str,
) -> crate::Result<usize> {
    let rows = crate::audit::chain_batch(db, chain, seq - 1, i64::MAX).await?;
    let mut prev = match seq {
        1 => domain::audit::GENESIS.to_owned(),
        _ => crate::audit::chain_batch(db, chain, seq - 2, 1).await?[0]
            .hash
            .clone(),
    };
    for (i, row) in rows.iter().enumerate() {
        let mut rec = row.record();
        if i == 0 {
            rec.after = Some(new_after.to_owned());
        }
        rec.prev_hash = prev;
        let hash = rec.computed_hash();
        with_db_write!(db, c => sqlx::query(
            "UPDATE audit_log SET after_json = $1, prev_hash = $2, hash = $3 WHERE id = $4")
            .bind(&rec.after).bind(&rec.prev_hash).bind(&hash).bind(row.id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        prev = hash;
    }
    Ok(rows.len())
}

/// Deletes the newest `n` entries of `chain`, which leaves a chain that links perfectly.
pub async fn delete_newest_audit_entries(db: &Db, chain: i64, n: i64) -> crate::Result<u64> {
    let (last, _) = crate::audit::chain_head(db, chain)
        .await?
        .unwrap_or((0, String::new()));
    Ok(
        with_db_write!(db, c => sqlx::query("DELETE FROM audit_log WHERE chain_id = $1 AND seq > $2")
        .bind(chain).bind(last - n).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

/// For the benchmarks: marks the month's arranged tasks signed off on their deadline, except
/// every `keep_every`-th by id, in one statement (a month's worth of sign-offs at once).
pub async fn sign_off_all_but(
    db: &Db,
    org: i64,
    month: &str,
    keep_every: i64,
) -> crate::Result<u64> {
    Ok(with_db_write!(db, c => sqlx::query(
        "UPDATE tasks SET status = 'signed_off', completed_on = deadline WHERE organization_id = $1 AND month = $2 \
         AND status = 'arranged' AND id % $3 <> 0")
        .bind(org).bind(month).bind(keep_every).execute(c).await.map(|r| r.rows_affected()))?)
}

/// Every task of an organization as `(id, month, unit, title, status, carried_from)`, for the
/// invariants of the cycle.
pub async fn task_facts(
    db: &Db,
    org: i64,
) -> crate::Result<Vec<(i64, String, i64, String, String, Option<i64>)>> {
    Ok(with_db!(db, c => sqlx::query_as(
        "SELECT id, month, unit_id, title, status, carried_from_id FROM tasks WHERE organization_id = $1 ORDER BY id")
        .bind(org).fetch_all(c).await)?)
}

/// Each month of an organization with a cycle: `(month, phase, frozen figures JSON, a
/// bulletin published, red-card ledger entries)`.
pub async fn month_facts(
    db: &Db,
    org: i64,
) -> crate::Result<Vec<(String, String, Option<String>, bool, i64)>> {
    Ok(with_db!(db, c => sqlx::query_as(
        "SELECT c.month, c.phase, r.figures, \
         EXISTS (SELECT 1 FROM bulletins b WHERE b.organization_id = c.organization_id AND b.month = c.month AND b.status = 'published'), \
         (SELECT COUNT(*) FROM score_entries e WHERE e.organization_id = c.organization_id AND e.month = c.month AND e.rule = 'red_card') \
         FROM cycles c LEFT JOIN month_results r ON r.organization_id = c.organization_id AND r.month = c.month \
         WHERE c.organization_id = $1 ORDER BY c.month")
        .bind(org).fetch_all(c).await)?)
}

/// What a closed month has frozen, as `(month, item)` rows in a stable order: its cards (with
/// their colours and confirmations), its ledger entries and its frozen figures. Compared
/// before and after an action, it shows whether anything changed a closed month.
pub async fn frozen_digest(db: &Db, org: i64) -> crate::Result<Vec<(String, String)>> {
    Ok(with_db!(db, c => sqlx::query_as(
        "SELECT x.month, x.item FROM ( \
           SELECT c.month AS month, 'card:' || c.subject_kind || ':' || CAST(c.subject_id AS TEXT) || ':' || c.color || ':' || \
                  COALESCE(c.confirmed_as, '') || ':' || c.computed_on AS item \
             FROM cards c WHERE c.organization_id = $1 \
           UNION ALL \
           SELECT e.month, 'entry:' || CAST(e.unit_id AS TEXT) || ':' || e.rule || ':' || CAST(e.points AS TEXT) || ':' || \
                  COALESCE(CAST(e.task_id AS TEXT), '') \
             FROM score_entries e WHERE e.organization_id = $1 \
           UNION ALL \
           SELECT r.month, 'figures:' || r.figures FROM month_results r WHERE r.organization_id = $1 \
         ) x JOIN cycles y ON y.organization_id = $1 AND y.month = x.month AND y.phase = 'closed' \
         ORDER BY x.month, x.item")
        .bind(org).fetch_all(c).await)?)
}

/// The number of rows in `table`, for tests that check how many rows an action added. The
/// name goes into the SQL text, so only ASCII lowercase letters and underscores are accepted.
/// The ids of the rows of `table` whose `column` equals `value`, oldest first: for tests that
/// need an object the fixtures made without returning it.
pub async fn ids_where(db: &Db, table: &str, column: &str, value: i64) -> crate::Result<Vec<i64>> {
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if !plain(table) || !plain(column) {
        return Err(crate::StoreError::Sqlx(sqlx::Error::InvalidArgument(
            format!("not a table and column: {table:?}.{column:?}"),
        )));
    }
    let sql = format!("SELECT id FROM {table} WHERE {column} = $1 ORDER BY id");
    Ok(
        with_db!(db, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(value).fetch_all(c).await)?,
    )
}

pub async fn count_rows(db: &Db, table: &str) -> crate::Result<i64> {
    if table.is_empty() || !table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(crate::StoreError::Sqlx(sqlx::Error::InvalidArgument(
            format!("not a table name: {table:?}"),
        )));
    }
    Ok(
        with_db!(db, c => sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(c).await)?,
    )
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_swapped_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "t2"),
            "postgres://u@h/t2?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "t3"), "postgres://u@h/t3");
    }
}
