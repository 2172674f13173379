//! Schema migrations, embedded in the binary. Each backend has its own DDL folder
//! (`migrations/sqlite`, `migrations/postgres`) with the same versions; a test checks that both
//! produce the same tables, columns and indexes. Migrations are append-only: a shipped file is
//! never edited, a change is a new version.

use chrono::{DateTime, Utc};

use crate::{Db, Result, StoreError, Tx};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "plan",
        sqlite: include_str!("../migrations/sqlite/0002_plan.sql"),
        postgres: include_str!("../migrations/postgres/0002_plan.sql"),
    },
    Migration {
        version: 3,
        name: "supervision",
        sqlite: include_str!("../migrations/sqlite/0003_supervision.sql"),
        postgres: include_str!("../migrations/postgres/0003_supervision.sql"),
    },
    Migration {
        version: 4,
        name: "signoff",
        sqlite: include_str!("../migrations/sqlite/0004_signoff.sql"),
        postgres: include_str!("../migrations/postgres/0004_signoff.sql"),
    },
    Migration {
        version: 5,
        name: "consequences",
        sqlite: include_str!("../migrations/sqlite/0005_consequences.sql"),
        postgres: include_str!("../migrations/postgres/0005_consequences.sql"),
    },
    Migration {
        version: 6,
        name: "notifications",
        sqlite: include_str!("../migrations/sqlite/0006_notifications.sql"),
        postgres: include_str!("../migrations/postgres/0006_notifications.sql"),
    },
    Migration {
        version: 7,
        name: "month_guards",
        sqlite: include_str!("../migrations/sqlite/0007_month_guards.sql"),
        postgres: include_str!("../migrations/postgres/0007_month_guards.sql"),
    },
    Migration {
        version: 8,
        name: "follow_up_rounds",
        sqlite: include_str!("../migrations/sqlite/0008_follow_up_rounds.sql"),
        postgres: include_str!("../migrations/postgres/0008_follow_up_rounds.sql"),
    },
    Migration {
        version: 9,
        name: "keyed_ledger",
        sqlite: include_str!("../migrations/sqlite/0009_keyed_ledger.sql"),
        postgres: include_str!("../migrations/postgres/0009_keyed_ledger.sql"),
    },
    Migration {
        version: 10,
        name: "password_policy",
        sqlite: include_str!("../migrations/sqlite/0010_password_policy.sql"),
        postgres: include_str!("../migrations/postgres/0010_password_policy.sql"),
    },
    Migration {
        version: 11,
        name: "second_factor",
        sqlite: include_str!("../migrations/sqlite/0011_second_factor.sql"),
        postgres: include_str!("../migrations/postgres/0011_second_factor.sql"),
    },
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

/// Applies every migration not yet applied, each in its own transaction. Safe to run from
/// several servers at once: PostgreSQL takes an advisory lock, SQLite's writer is exclusive.
/// Returns the versions applied by this call.
pub async fn run(db: &Db, now: DateTime<Utc>) -> Result<Vec<i64>> {
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let mut tx = db.begin().await?;
        if let Tx::Postgres(t, _) = &mut tx {
            sqlx::query("SELECT pg_advisory_xact_lock(7201)")
                .execute(&mut **t)
                .await?;
        }
        with_tx!(&mut tx, c => sqlx::query(CREATE_TABLE).execute(c).await.map(|r| r.rows_affected()))?;
        let done: Option<i64> = with_tx!(&mut tx, c => sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(c)
            .await)?;
        if done.is_some() {
            tx.rollback().await?;
            continue;
        }
        let ddl = match &tx {
            Tx::Sqlite(..) => m.sqlite,
            Tx::Postgres(..) => m.postgres,
        };
        with_tx!(&mut tx, c => sqlx::raw_sql(ddl).execute(c).await.map(|r| r.rows_affected()))
            .map_err(|e| StoreError::Migration {
                version: m.version,
                message: e.to_string(),
            })?;
        with_tx!(&mut tx, c => sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(now.to_rfc3339())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        tx.commit().await?;
        applied.push(m.version);
    }
    Ok(applied)
}

/// The versions recorded as applied.
pub async fn applied(db: &Db) -> Result<Vec<i64>> {
    Ok(
        with_db!(db, c => sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version").fetch_all(c).await)?,
    )
}
