//! A backend-neutral description of the live schema (tables, columns, indexes), so that a test
//! can check that the SQLite and PostgreSQL migrations build the same database.

use std::collections::BTreeMap;

use crate::{Db, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Column name → NOT NULL.
    pub columns: BTreeMap<String, bool>,
    /// Named indexes (primary keys excluded: each backend names them its own way).
    pub indexes: Vec<String>,
}

pub type Schema = BTreeMap<String, Table>;

pub async fn snapshot(db: &Db) -> Result<Schema> {
    let mut schema = Schema::new();
    match db {
        Db::Sqlite(p, _) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .fetch_all(&p.read)
            .await?;
            for t in tables {
                let cols: Vec<(String, bool, i64)> =
                    sqlx::query_as("SELECT name, \"notnull\" <> 0, pk FROM pragma_table_info($1)")
                        .bind(&t)
                        .fetch_all(&p.read)
                        .await?;
                let indexes: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL ORDER BY name",
                )
                .bind(&t)
                .fetch_all(&p.read)
                .await?;
                // SQLite lets an INTEGER PRIMARY KEY be null in its metadata; it never is.
                let columns = cols
                    .into_iter()
                    .map(|(n, nn, pk)| (n, nn || pk > 0))
                    .collect();
                schema.insert(t, Table { columns, indexes });
            }
        }
        Db::Postgres(p, _) => {
            let cols: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
            )
            .fetch_all(p)
            .await?;
            for (t, c, nullable) in cols {
                schema
                    .entry(t)
                    .or_default()
                    .columns
                    .insert(c, nullable == "NO");
            }
            let idx: Vec<(String, String)> = sqlx::query_as(
                "SELECT tablename::text, indexname::text FROM pg_indexes WHERE schemaname = current_schema() \
                 AND indexname NOT LIKE '%_pkey' ORDER BY tablename, indexname",
            )
            .fetch_all(p)
            .await?;
            for (t, i) in idx {
                schema.entry(t).or_default().indexes.push(i);
            }
        }
    }
    Ok(schema)
}
