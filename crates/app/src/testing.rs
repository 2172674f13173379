//! Test support for the suites of `app` and `web`: an [`App`] over a fresh, migrated test
//! database with a fixed clock, and builders for the data tests need.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use domain::org::{PersonInput, UnitInput};
use domain::{Role, UnitId};
use store::testing::TestDb;

use crate::{App, AppConfig, Caller, FixedClock, Identity, NewPerson};

pub struct TestApp {
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub org: i64,
    db: TestDb,
}

impl TestApp {
    /// Wraps a test database: migrates it and creates one organization.
    pub async fn new(db: TestDb) -> TestApp {
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
        ));
        let app = App::new(db.db.clone(), clock.clone(), AppConfig::default());
        app.migrate().await.expect("migrate");
        let org = app
            .create_organization(
                Caller::System,
                &domain::org::OrganizationInput {
                    name: "测试工管委".into(),
                    code: "test".into(),
                    parent_id: None,
                },
            )
            .await
            .expect("organization");
        TestApp {
            app,
            clock,
            org,
            db,
        }
    }

    pub async fn cleanup(self) {
        self.app.close().await;
        self.db.cleanup().await;
    }

    pub async fn unit(&self, name: &str, parent: Option<i64>) -> i64 {
        self.app
            .create_unit(
                Caller::System,
                self.org,
                &UnitInput {
                    name: name.into(),
                    code: String::new(),
                    parent_id: parent.map(UnitId),
                    sort_order: 0,
                },
            )
            .await
            .expect("unit")
    }

    /// A person with a known password and the given role grants; returns their identity.
    pub async fn person(
        &self,
        username: &str,
        unit: Option<i64>,
        roles: &[(Role, Option<i64>)],
    ) -> Identity {
        let input = NewPerson {
            profile: PersonInput {
                username: username.into(),
                display_name: format!("测试{username}"),
                unit_id: unit.map(UnitId),
                ..Default::default()
            },
            password: Some(TEST_PASSWORD.into()),
        };
        let (id, _) = self
            .app
            .create_person(Caller::System, self.org, &input)
            .await
            .expect("person");
        for (role, u) in roles {
            self.app
                .grant_role(Caller::System, id, Some(*role), u.map(UnitId))
                .await
                .expect("role");
        }
        self.identity(id).await
    }

    pub async fn identity(&self, person: i64) -> Identity {
        self.app
            .load_identity(person)
            .await
            .expect("load")
            .expect("enabled person")
    }
}

pub const TEST_PASSWORD: &str = "test-password-1";

/// Runs an async test body on SQLite and (when enabled) PostgreSQL with a fresh [`TestApp`].
#[macro_export]
macro_rules! app_test {
    ($name:ident, |$t:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $t =
                    $crate::testing::TestApp::new(store::testing::TestDb::sqlite().await).await;
                $body;
                $t.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = store::testing::TestDb::postgres().await else {
                    eprintln!(
                        "PostgreSQL run skipped: set {} to enable it",
                        store::testing::POSTGRES_ENV
                    );
                    return;
                };
                let $t = $crate::testing::TestApp::new(db).await;
                $body;
                $t.cleanup().await;
            }
        }
    };
}
