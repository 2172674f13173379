//! The database.
//!
//! This crate owns every SQL text in Xiaohao. [`Db`] is one handle over either an embedded
//! SQLite file or a PostgreSQL server; each query is written once with `$1` placeholders and
//! run on whichever backend is configured (the `with_db!`/`with_tx!` macros expand the same
//! body for both). Writes go through [`Tx`], one transaction per use case; on SQLite every
//! write transaction begins IMMEDIATE on a single writer connection, so concurrent writers
//! queue instead of failing with "database is locked".
#![forbid(unsafe_code)]

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

#[macro_use]
mod macros;
#[macro_use]
mod args;

pub mod audit;
pub mod auth;
pub mod cadre;
pub mod cards;
pub mod consequences;
pub mod events;
pub mod history;
pub mod migrate;
pub mod notify;
pub mod org;
pub mod people;
pub mod plan;
pub mod projects;
pub mod schema;
pub mod signoff;
pub mod statistics;
pub mod supervision;
#[cfg(feature = "testing")]
pub mod testing;
pub mod totp;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("unique constraint violated: {0}")]
    Unique(String),
    #[error("foreign key violated: {0}")]
    ForeignKey(String),
    /// The disk under the database is full: nothing of the change was kept.
    #[error("the database's disk is full: {0}")]
    StorageFull(String),
    #[error("migration {version} failed: {message}")]
    Migration { version: i64, message: String },
    #[error("database error: {0}")]
    Sqlx(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let constraint = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned());
            if is_storage_full(db.as_ref()) {
                return StoreError::StorageFull(db.message().to_owned());
            }
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return StoreError::Unique(constraint),
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return StoreError::ForeignKey(constraint);
                }
                _ => {}
            }
        }
        StoreError::Sqlx(e)
    }
}

/// SQLite's `SQLITE_FULL` (13, in the low byte of an extended code) or PostgreSQL's
/// `disk_full` (53100).
fn is_storage_full(db: &dyn sqlx::error::DatabaseError) -> bool {
    let Some(code) = db.code() else { return false };
    if code == "53100" {
        return true;
    }
    code.parse::<i64>().is_ok_and(|c| c & 0xff == 13)
}

impl StoreError {
    /// For a unique violation, whether it concerns this index or these columns. SQLite names
    /// the columns in its message, PostgreSQL names the index, so callers pass both.
    pub fn is_unique(&self, index: &str, columns: &str) -> bool {
        matches!(self, StoreError::Unique(c) if c.contains(index) || c.contains(columns))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite keeps one writer connection and a few readers.
#[derive(Debug, Clone)]
pub struct SqlitePools {
    pub(crate) write: SqlitePool,
    pub(crate) read: SqlitePool,
}

#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePools, WriteHealth),
    Postgres(PgPool, WriteHealth),
}

/// Whether the last write failed for want of space, shared by the handles of one database.
/// A failed commit sets it, a successful one clears it; `/healthz` reads it and, while it is
/// set, tries a write of its own so that a server recovers as soon as space is freed.
#[derive(Debug, Clone, Default)]
pub struct WriteHealth(std::sync::Arc<std::sync::Mutex<Option<String>>>);

/// A statement's result inside a transaction, with its failure for want of space noted in
/// the database's [`WriteHealth`] (the transaction is then dropped, so no commit reports it).
#[doc(hidden)]
pub fn noted<T>(h: &WriteHealth, r: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
    if let Err(sqlx::Error::Database(db)) = &r
        && is_storage_full(db.as_ref())
    {
        h.note(&Err(StoreError::StorageFull(db.message().to_owned())));
    }
    r
}

impl WriteHealth {
    fn note(&self, r: &Result<()>) {
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match r {
            Ok(()) => *slot = None,
            Err(StoreError::StorageFull(m)) => *slot = Some(m.clone()),
            Err(_) => {}
        }
    }

    /// Why writes fail, when the last one failed for want of space.
    pub fn failure(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// How SQLite makes a commit durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteDurability {
    /// `synchronous=FULL`: a commit is on disk before it is acknowledged, and survives a power
    /// cut. The default.
    #[default]
    Full,
    /// `synchronous=NORMAL`: faster commits; in WAL mode the last ones acknowledged before a
    /// power cut (not a crash of the process) may be lost. Only by explicit choice.
    Normal,
}

impl SqliteDurability {
    pub fn parse(s: &str) -> Option<SqliteDurability> {
        match s {
            "full" => Some(SqliteDurability::Full),
            "normal" => Some(SqliteDurability::Normal),
            _ => None,
        }
    }
}

/// Connection settings beyond the URL.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Connections to PostgreSQL per server process.
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// SQLite's commit durability (PostgreSQL keeps its own `synchronous_commit`).
    pub sqlite_durability: SqliteDurability,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
            sqlite_durability: SqliteDurability::Full,
        }
    }
}

impl Db {
    /// Opens `url`: `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str, opts: &DbOptions) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let base = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Connect(e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(match opts.sqlite_durability {
                    SqliteDurability::Full => SqliteSynchronous::Full,
                    SqliteDurability::Normal => SqliteSynchronous::Normal,
                })
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            // A connection that comes back still inside a transaction (a commit failed and
            // SQLite had already rolled back, so the rollback failed too, as on a full disk) is
            // closed instead of reused: the next write gets a fresh connection.
            let write = SqlitePoolOptions::new()
                .after_release(|conn, _| {
                    Box::pin(async move {
                        if sqlx::Connection::is_in_transaction(conn) {
                            // Let the rollback the transaction queued on drop run first.
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(!sqlx::Connection::is_in_transaction(conn))
                    })
                })
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(60))
                .connect_with(base.clone())
                .await
                .map_err(|e| StoreError::Connect(e.to_string()))?;
            let read = SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(base.read_only(true))
                .await
                .map_err(|e| StoreError::Connect(e.to_string()))?;
            Ok(Db::Sqlite(
                SqlitePools { write, read },
                WriteHealth::default(),
            ))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let connect =
                PgConnectOptions::from_str(url).map_err(|e| StoreError::Connect(e.to_string()))?;
            // One direct attempt first, so that a wrong host or password is reported as such
            // rather than as a pool timeout.
            let probe = tokio::time::timeout(
                opts.acquire_timeout,
                <sqlx::PgConnection as sqlx::Connection>::connect_with(&connect),
            )
            .await
            .map_err(|_| {
                StoreError::Connect(format!(
                    "no answer from {}:{} within {:?}",
                    connect.get_host(),
                    connect.get_port(),
                    opts.acquire_timeout
                ))
            })?
            .map_err(|e| {
                StoreError::Connect(format!(
                    "{}:{}: {e}",
                    connect.get_host(),
                    connect.get_port()
                ))
            })?;
            let _ = sqlx::Connection::close(probe).await;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(|e| StoreError::Connect(e.to_string()))?;
            Ok(Db::Postgres(pool, WriteHealth::default()))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(..) => Backend::Postgres,
        }
    }

    /// Begins a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, h) => Tx::Sqlite(p.write.begin_with("BEGIN IMMEDIATE").await?, h.clone()),
            Db::Postgres(p, h) => Tx::Postgres(p.begin().await?, h.clone()),
        })
    }

    pub fn write_health(&self) -> &WriteHealth {
        match self {
            Db::Sqlite(_, h) | Db::Postgres(_, h) => h,
        }
    }

    /// Whether a write can be committed now: one row of `write_probe` is rewritten. For
    /// `/healthz` while the last write failed for want of space, never otherwise.
    pub async fn probe_write(&self, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
        // 8 KiB that neither database can compress (xorshift from the clock), so that
        // PostgreSQL stores them out of line in new pages and SQLite appends them to its log.
        let mut x = now.timestamp_micros().unsigned_abs() | 1;
        let pad: String = (0..1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                format!("{:08x}", x as u32)
            })
            .collect();
        let mut tx = self.begin().await?;
        with_tx!(&mut tx, c => sqlx::query("UPDATE write_probe SET at = $1, pad = $2 WHERE id = 1")
            .bind(now).bind(&pad).execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await
    }

    /// Refreshes the planners' statistics (after a bulk load: PostgreSQL's autovacuum and
    /// SQLite's `PRAGMA optimize` do it by themselves in the long run).
    pub async fn analyze(&self) -> Result<()> {
        match self {
            Db::Sqlite(p, _) => {
                sqlx::query("ANALYZE").execute(&p.write).await?;
            }
            Db::Postgres(p, _) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
        }
        Ok(())
    }

    /// SQLite's `synchronous` setting on the writer connection (0 off, 1 normal, 2 full);
    /// `None` on PostgreSQL.
    pub async fn sqlite_synchronous(&self) -> Result<Option<i64>> {
        match self {
            Db::Sqlite(p, _) => Ok(Some(
                sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&p.write)
                    .await?,
            )),
            Db::Postgres(..) => Ok(None),
        }
    }

    /// What SQLite's `PRAGMA quick_check` finds wrong with the file (empty when it is sound);
    /// a file too damaged to be read at all is one problem. Always empty on PostgreSQL, which
    /// checks its own pages.
    pub async fn integrity_problems(&self) -> Result<Vec<String>> {
        match self {
            Db::Sqlite(p, _) => {
                match sqlx::query_scalar::<_, String>("PRAGMA quick_check")
                    .fetch_all(&p.read)
                    .await
                {
                    Ok(rows) => Ok(rows.into_iter().filter(|r| r != "ok").collect()),
                    Err(sqlx::Error::Database(e)) => Ok(vec![e.message().to_owned()]),
                    Err(e) => Err(e.into()),
                }
            }
            Db::Postgres(..) => Ok(vec![]),
        }
    }

    /// The migrations applied, as their highest version (0 on an empty database).
    pub async fn schema_version(&self) -> Result<i64> {
        let v: Option<i64> = with_db!(self, c => sqlx::query_scalar(
            "SELECT MAX(version) FROM schema_migrations").fetch_one(c).await)
        .unwrap_or(None);
        Ok(v.unwrap_or(0))
    }

    /// A cheap round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        with_db!(self, c => sqlx::query("SELECT 1").execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p, _) => {
                p.read.close().await;
                p.write.close().await;
            }
            Db::Postgres(p, _) => p.close().await,
        }
    }
}

/// One write transaction. Dropping it without [`Tx::commit`] rolls everything back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>, WriteHealth),
    Postgres(Transaction<'static, Postgres>, WriteHealth),
}

impl Tx {
    /// Commits; whether it succeeded, or failed for want of space, is noted in the database's
    /// [`WriteHealth`].
    pub async fn commit(self) -> Result<()> {
        let (r, health) = match self {
            Tx::Sqlite(t, h) => (t.commit().await, h),
            Tx::Postgres(t, h) => (t.commit().await, h),
        };
        let r = r.map_err(StoreError::from);
        health.note(&r);
        r
    }

    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(t, _) => t.rollback().await?,
            Tx::Postgres(t, _) => t.rollback().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(..) => Backend::Sqlite,
            Tx::Postgres(..) => Backend::Postgres,
        }
    }
}

/// Where a read runs: on the pool, or inside an open transaction (so that a use case sees its
/// own writes). Every read function takes `impl Into<Ex>`, so callers pass `&db` or `&mut tx`.
pub enum Ex<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl Ex<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Ex::Db(db) => db.backend(),
            Ex::Tx(tx) => tx.backend(),
        }
    }
}

impl<'a> From<&'a Db> for Ex<'a> {
    fn from(db: &'a Db) -> Self {
        Ex::Db(db)
    }
}

impl<'b> From<&'b mut Ex<'_>> for Ex<'b> {
    fn from(ex: &'b mut Ex<'_>) -> Self {
        match ex {
            Ex::Db(db) => Ex::Db(db),
            Ex::Tx(tx) => Ex::Tx(tx),
        }
    }
}

impl<'a> From<&'a mut Tx> for Ex<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Ex::Tx(tx)
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern and wraps it in `%…%`.
pub fn like_contains(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for ch in needle.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}
