//! Change notices between servers. After a use case commits a change that live pages show (a
//! publication, a card, a coordination request), it announces `(organization, topic)`; every
//! server's subscribers hear it. On SQLite (one server) the notice goes through an in-process
//! channel; on PostgreSQL it goes through `NOTIFY`, so that the display screen attached to one
//! server hears a publication made on another.

use std::sync::Arc;

use sqlx::postgres::PgListener;
use tokio::sync::{Mutex, broadcast};

use crate::Db;

const CHANNEL: &str = "xiaohao_events";

/// The topic that tells this server's live streams to end (the server is stopping).
pub const SHUTDOWN: &str = "shutdown";

/// One notice: which organization changed, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub organization_id: i64,
    pub topic: String,
}

impl Notice {
    fn encode(&self) -> String {
        format!("{}:{}", self.organization_id, self.topic)
    }

    fn decode(s: &str) -> Option<Notice> {
        let (org, topic) = s.split_once(':')?;
        Some(Notice {
            organization_id: org.parse().ok()?,
            topic: topic.to_owned(),
        })
    }
}

/// The notices of one server process.
#[derive(Clone)]
pub struct Bus {
    db: Db,
    local: broadcast::Sender<Notice>,
    /// The listening task on PostgreSQL, once started.
    listener: Arc<Mutex<Option<tokio::task::AbortHandle>>>,
}

impl Bus {
    pub fn new(db: &Db) -> Bus {
        let (local, _) = broadcast::channel(256);
        Bus {
            db: db.clone(),
            local,
            listener: Arc::new(Mutex::new(None)),
        }
    }

    /// Tells every server's subscribers. Failing to tell is logged, never an error of the
    /// change that was already committed.
    pub async fn announce(&self, organization_id: i64, topic: &str) {
        let notice = Notice {
            organization_id,
            topic: topic.to_owned(),
        };
        match &self.db {
            Db::Sqlite(..) => {
                let _ = self.local.send(notice);
            }
            Db::Postgres(pool, _) => {
                let sent = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(notice.encode())
                    .execute(pool)
                    .await;
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "cannot announce a change; telling this server only");
                    let _ = self.local.send(notice);
                }
            }
        }
    }

    /// Starts hearing notices. On PostgreSQL the first subscriber starts one listening
    /// connection for the process, which reconnects by itself.
    pub async fn subscribe(&self) -> broadcast::Receiver<Notice> {
        let rx = self.local.subscribe();
        if let Db::Postgres(pool, _) = &self.db {
            let mut slot = self.listener.lock().await;
            let running = slot.as_ref().is_some_and(|h| !h.is_finished());
            if !running {
                match listen(pool).await {
                    Ok(listener) => {
                        let local = self.local.clone();
                        let task = tokio::spawn(forward(listener, local));
                        *slot = Some(task.abort_handle());
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot listen for change notices"),
                }
            }
        }
        rx
    }

    /// Tells this server's subscribers to end their streams: the server is stopping.
    pub fn shut_down(&self) {
        let _ = self.local.send(Notice {
            organization_id: 0,
            topic: SHUTDOWN.to_owned(),
        });
    }

    /// Stops listening (before the database is closed: the listening connection would
    /// otherwise keep it open).
    pub async fn stop(&self) {
        if let Some(h) = self.listener.lock().await.take() {
            h.abort();
        }
    }
}

async fn listen(pool: &sqlx::PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Passes every notice heard to this server's subscribers until the pool closes.
async fn forward(mut listener: PgListener, local: broadcast::Sender<Notice>) {
    loop {
        match listener.recv().await {
            Ok(n) => {
                if let Some(notice) = Notice::decode(n.payload()) {
                    let _ = local.send(notice);
                }
            }
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "change notices interrupted");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip() {
        let n = Notice {
            organization_id: 7,
            topic: "publication".into(),
        };
        assert_eq!(Notice::decode(&n.encode()), Some(n));
        assert_eq!(Notice::decode("x:y"), None);
        assert_eq!(Notice::decode("nothing"), None);
    }
}
