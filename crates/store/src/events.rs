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
    listening: Arc<Mutex<bool>>,
}

impl Bus {
    pub fn new(db: &Db) -> Bus {
        let (local, _) = broadcast::channel(256);
        Bus {
            db: db.clone(),
            local,
            listening: Arc::new(Mutex::new(false)),
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
            Db::Sqlite(_) => {
                let _ = self.local.send(notice);
            }
            Db::Postgres(pool) => {
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
        if let Db::Postgres(pool) = &self.db {
            let mut listening = self.listening.lock().await;
            if !*listening {
                match PgListener::connect_with(pool).await {
                    Ok(mut listener) => match listener.listen(CHANNEL).await {
                        Ok(()) => {
                            *listening = true;
                            let local = self.local.clone();
                            tokio::spawn(async move {
                                loop {
                                    match listener.recv().await {
                                        Ok(n) => {
                                            if let Some(notice) = Notice::decode(n.payload()) {
                                                let _ = local.send(notice);
                                            }
                                        }
                                        Err(e) => {
                                            tracing::warn!(error = %e, "change notices interrupted");
                                            tokio::time::sleep(std::time::Duration::from_secs(1))
                                                .await;
                                        }
                                    }
                                }
                            });
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot listen for change notices"),
                    },
                    Err(e) => tracing::warn!(error = %e, "cannot listen for change notices"),
                }
            }
        }
        rx
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
