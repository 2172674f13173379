//! The organization's password policy (`domain::password`): read by its members (the password
//! page says what a new password must be), set by its security administrator, and applied to
//! every password a person or an operator chooses, and at sign-in for its maximum age.

use domain::OrganizationId;
use domain::password::PasswordPolicy;
use domain::policy::Action;
use serde_json::json;

use crate::auth::verify_password;
use crate::{App, AppError, Caller, Result};

impl App {
    /// The policy in force in an organization (the defaults until one is set).
    pub async fn password_policy(&self, caller: Caller<'_>, org: i64) -> Result<PasswordPolicy> {
        self.organization(org).await?;
        caller.authorize(Action::ViewStructure {
            org: OrganizationId(org),
        })?;
        self.policy_of(org).await
    }

    /// Sets an organization's policy: its security administrator.
    pub async fn set_password_policy(
        &self,
        caller: Caller<'_>,
        org: i64,
        policy: PasswordPolicy,
    ) -> Result<PasswordPolicy> {
        self.organization(org).await?;
        caller.authorize(Action::ManageSecurity {
            org: OrganizationId(org),
        })?;
        if let Some((field, code)) = domain::password::invalid(&policy) {
            return Err(AppError::field(field, code));
        }
        let mut tx = self.db.begin().await?;
        let before = store::people::password_policy(&mut tx, org)
            .await?
            .unwrap_or_default();
        store::people::set_password_policy(&mut tx, org, &policy, caller.actor_id(), self.now())
            .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "password_policy.update",
                entity: "organization",
                entity_id: Some(org),
                before: Some(json!(before)),
                after: Some(json!(policy)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(policy)
    }

    pub(crate) async fn policy_of(&self, org: i64) -> Result<PasswordPolicy> {
        Ok(store::people::password_policy(&self.db, org)
            .await?
            .unwrap_or_default())
    }

    /// Refuses a password the policy of `org` does not allow for this person, naming `field`:
    /// too short, too simple, containing their name, a common one, or (for an existing person)
    /// their current one or one of their latest earlier ones.
    pub(crate) async fn check_new_password(
        &self,
        org: i64,
        person: Option<i64>,
        username: &str,
        display_name: &str,
        password: &str,
        field: &str,
    ) -> Result<()> {
        let policy = self.policy_of(org).await?;
        let problems = domain::password::problems(&policy, password, username, display_name);
        if let Some(code) = problems.first() {
            return Err(AppError::field(field, code));
        }
        if let Some(person) = person
            && policy.history > 0
        {
            let current = store::people::password_hash(&self.db, person).await?;
            let earlier = store::people::earlier_password_hashes(
                &self.db,
                person,
                i64::from(policy.history) - 1,
            )
            .await?;
            if current
                .iter()
                .chain(&earlier)
                .any(|h| verify_password(h, password))
            {
                return Err(AppError::field(field, "password_reused"));
            }
        }
        Ok(())
    }
}
