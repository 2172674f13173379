//! Signing in and out, server-side sessions, passwords and API tokens.
//!
//! Passwords are hashed with argon2id. A session id is 32 random bytes given to the browser in
//! a cookie and stored only as its SHA-256; each sign-in creates a new id, so a session id seen
//! before sign-in is never reused. Repeated failures lock the username for a while
//! (`domain::throttle`); a disabled person, or a person of a disabled organization, cannot
//! sign in, and disabling ends their sessions.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use domain::org::RoleGrant;
use domain::policy::Actor;
use domain::session::session_expiry;
use domain::validate::Validator;
use domain::{OrganizationId, PersonId, Role, UnitId};
use serde_json::json;

use crate::{App, AppError, Caller, Result, random_hex, sha256_hex};

/// The signed-in person as every use case sees them.
#[derive(Debug, Clone)]
pub struct Identity {
    pub actor: Actor,
    pub username: String,
    pub display_name: String,
    pub organization_name: String,
    pub unit_name: Option<String>,
    pub must_change_password: bool,
    /// Set when the identity comes from a browser session (cookie); `None` for API tokens.
    pub session: Option<SessionMeta>,
    /// Unread notifications, counted for the pages' header (browser sessions only).
    pub unread: i64,
}

#[derive(Debug, Clone)]
pub struct SessionMeta {
    pub id_hash: String,
    pub csrf_token: String,
}

impl Identity {
    pub fn has(&self, role: Role) -> bool {
        self.actor.has(role)
    }

    pub fn csrf_token(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.csrf_token.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The session id for the cookie (shown once; only its hash is stored); empty while a
    /// second factor is still to be given.
    pub session_token: String,
    pub must_change_password: bool,
    /// Set when the password was right and a code is needed before the session opens.
    pub challenge: Option<crate::totp::Challenge>,
}

pub(crate) fn hash_password(password: &str) -> Result<String> {
    let hash: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(hash.to_string())
}

pub(crate) fn verify_password(hash: &str, password: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A readable random password for new accounts and resets: 16 characters without look-alikes.
pub(crate) fn generate_password() -> String {
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let raw = random_hex(16);
    (0..raw.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&raw[i..i + 2], 16).ok())
        .map(|b| CHARS[usize::from(b) % CHARS.len()] as char)
        .collect()
}

/// An argon2 hash to verify against when the username is unknown, so that a wrong username
/// takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_hex(16)).unwrap_or_default())
}

impl App {
    /// Signs a person in and opens a new session.
    pub async fn login(&self, username: &str, password: &str) -> Result<LoginOutcome> {
        self.login_from(username, password, None).await
    }

    /// Signs in from a client address (the sign-in form passes it): failures lock that client
    /// out of the account for a while, and slow every attempt on the account from anywhere
    /// (`domain::throttle`).
    pub async fn login_from(
        &self,
        username: &str,
        password: &str,
        client: Option<&str>,
    ) -> Result<LoginOutcome> {
        let username = username.trim().to_lowercase();
        let mut v = Validator::new();
        if username.is_empty() {
            v.fail("username", "required");
        }
        if password.is_empty() {
            v.fail("password", "required");
        }
        v.finish()?;
        let now = self.now();
        let key = format!("user:{username}");
        let client_key = format!("user:{username}@{}", client.unwrap_or("-"));
        let throttled = |until| AppError::throttled(until, now);
        // A cheap check first, so that a locked account costs no password hashing; the wait
        // named is the longer of the two.
        let mut until = None;
        for k in [&key, &client_key] {
            let state = store::auth::get_throttle(&self.db, k).await?;
            until = until.max(domain::throttle::locked_until(state.as_ref(), now));
        }
        if let Some(until) = until {
            return Err(throttled(until));
        }
        let creds = store::people::credentials(&self.db, &username).await?;
        let ok = match &creds {
            Some(c) => c
                .password_hash
                .as_deref()
                .is_some_and(|h| verify_password(h, password)),
            None => {
                verify_password(dummy_hash(), password);
                false
            }
        };
        let person = creds.as_ref().map(|c| c.id);
        let chain = match person {
            Some(id) => store::people::get_person(&self.db, id)
                .await?
                .map_or(0, |p| p.organization_id),
            None => 0,
        };
        let mut tx = self.db.begin().await?;
        // Re-read under a per-username lock: parallel attempts are counted one after another.
        store::auth::lock_throttle_key(&mut tx, &key).await?;
        let state = store::auth::get_throttle(&mut tx, &key).await?;
        let client_state = store::auth::get_throttle(&mut tx, &client_key).await?;
        let until = domain::throttle::locked_until(state.as_ref(), now)
            .max(domain::throttle::locked_until(client_state.as_ref(), now));
        if let Some(until) = until {
            return Err(throttled(until));
        }
        let usable = creds
            .as_ref()
            .is_some_and(|c| !c.disabled && !c.org_disabled);
        if !ok || !usable {
            let rule = self.config.throttle;
            let next = domain::throttle::after_failure(client_state.as_ref(), now, rule);
            store::auth::put_throttle(&mut tx, &client_key, &next).await?;
            let next = domain::throttle::after_account_failure(state.as_ref(), now, rule);
            store::auth::put_throttle(&mut tx, &key, &next).await?;
            self.audit(
                &mut tx,
                Caller::System,
                crate::LedgerEntry {
                    chain,
                    action: "auth.login_failed",
                    entity: "person",
                    entity_id: person,
                    after: Some(json!({ "username": username })),
                    ..Default::default()
                },
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::InvalidCredentials);
        }
        let person = person.unwrap_or_default();
        // A second factor, when the person has one or their role requires one: no session
        // yet, only a short challenge that the code completes.
        if let Some(purpose) = self.second_factor_needed(&mut tx, person, chain).await? {
            let challenge = self.open_challenge(&mut tx, person, purpose, now).await?;
            tx.commit().await?;
            return Ok(LoginOutcome {
                session_token: String::new(),
                must_change_password: false,
                challenge: Some(challenge),
            });
        }
        let outcome = self
            .open_session(&mut tx, person, chain, [&key, &client_key], None)
            .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Opens the session of a person whose sign-in succeeded: forgets the failures counted
    /// against `throttle_keys`, applies the password's maximum age, and records the sign-in
    /// (with the second factor used, if any).
    pub(crate) async fn open_session(
        &self,
        tx: &mut store::Tx,
        person: i64,
        chain: i64,
        throttle_keys: [&str; 2],
        second_factor: Option<&str>,
    ) -> Result<LoginOutcome> {
        let now = self.now();
        let token = random_hex(32);
        let csrf = random_hex(32);
        store::auth::insert_session(
            tx,
            &sha256_hex(&token),
            person,
            &csrf,
            now,
            session_expiry(now, now, self.config.session_idle, self.config.session_max),
        )
        .await?;
        for k in throttle_keys {
            store::auth::clear_throttle(tx, k).await?;
        }
        let (mut must_change, org) = store::people::get_person(&mut *tx, person)
            .await?
            .map_or((false, 0), |p| (p.must_change_password, p.organization_id));
        // A password older than the policy allows is changed before anything else.
        if !must_change {
            let policy = store::people::password_policy(&mut *tx, org)
                .await?
                .unwrap_or_default();
            let changed = store::people::password_changed_at(&mut *tx, person).await?;
            if domain::password::expired(&policy, changed, now) {
                store::people::require_password_change(tx, person).await?;
                must_change = true;
            }
        }
        store::audit::append(
            tx,
            &self.config.audit_key,
            store::audit::NewEntry {
                chain,
                at: now,
                actor_id: Some(person),
                action: "auth.login",
                entity: "person",
                entity_id: Some(person),
                before: None,
                after: second_factor.map(|f| json!({ "second_factor": f }).to_string()),
            },
        )
        .await?;
        Ok(LoginOutcome {
            session_token: token,
            must_change_password: must_change,
            challenge: None,
        })
    }

    /// Ends a session. Unknown or expired ids are ignored.
    pub async fn logout(&self, session_token: &str) -> Result<()> {
        let id = sha256_hex(session_token);
        let Some(s) = store::auth::find_session(&self.db, &id, self.now()).await? else {
            return Ok(());
        };
        let chain = store::people::get_person(&self.db, s.person_id)
            .await?
            .map_or(0, |p| p.organization_id);
        let mut tx = self.db.begin().await?;
        store::auth::delete_session(&mut tx, &id).await?;
        store::audit::append(
            &mut tx,
            &self.config.audit_key,
            store::audit::NewEntry {
                chain,
                at: self.now(),
                actor_id: Some(s.person_id),
                action: "auth.logout",
                entity: "person",
                entity_id: Some(s.person_id),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The identity behind a session cookie, if the session is live and the person may still
    /// sign in. Extends the session's idle expiry at most once a minute.
    pub async fn identify_session(&self, session_token: &str) -> Result<Option<Identity>> {
        let now = self.now();
        let id = sha256_hex(session_token);
        let Some(s) = store::auth::find_session(&self.db, &id, now).await? else {
            return Ok(None);
        };
        let Some(mut identity) = self.load_identity(s.person_id).await? else {
            return Ok(None);
        };
        if now - s.last_seen_at > chrono::Duration::minutes(1) {
            // Session bookkeeping, not a business change: not audited.
            let mut tx = self.db.begin().await?;
            let expires = session_expiry(
                s.created_at,
                now,
                self.config.session_idle,
                self.config.session_max,
            );
            store::auth::touch_session(&mut tx, &id, now, expires).await?;
            tx.commit().await?;
        }
        identity.session = Some(SessionMeta {
            id_hash: id,
            csrf_token: s.csrf_token,
        });
        // One indexed count (the partial index of unread rows) for every page's bell.
        identity.unread = store::notify::unread_count(&self.db, s.person_id).await?;
        Ok(Some(identity))
    }

    /// The identity behind an API bearer token.
    pub async fn identify_token(&self, token: &str) -> Result<Option<Identity>> {
        let found = store::auth::find_token(&self.db, &sha256_hex(token), self.now()).await?;
        let Some((_, person)) = found else {
            return Ok(None);
        };
        self.load_identity(person).await
    }

    /// Loads a person's roles and scope; `None` if the person or their organization is disabled.
    pub(crate) async fn load_identity(&self, person: i64) -> Result<Option<Identity>> {
        let Some(p) = store::people::get_person(&self.db, person).await? else {
            return Ok(None);
        };
        let Some(org) = store::org::get_organization(&self.db, p.organization_id).await? else {
            return Ok(None);
        };
        if p.disabled || org.disabled {
            return Ok(None);
        }
        let roles = store::people::roles_of(&self.db, person).await?;
        let led = store::people::led_units(&self.db, person).await?;
        let below = store::org::descendant_organization_ids(&self.db, &org.path).await?;
        // The units the person belongs to, with every unit above them.
        let own: Vec<i64> = p
            .unit_id
            .into_iter()
            .chain(roles.iter().filter_map(|r| r.unit_id))
            .collect();
        let mut within: Vec<UnitId> = store::org::units_by_ids(&self.db, &own)
            .await?
            .iter()
            .flat_map(|u| u.path_ids())
            .map(UnitId)
            .collect();
        within.sort();
        within.dedup();
        let mut grants: Vec<RoleGrant> = roles
            .iter()
            .filter_map(|r| {
                Role::parse(&r.role).map(|role| RoleGrant {
                    role,
                    unit_id: r.unit_id.map(UnitId),
                })
            })
            .collect();
        // A deployment that keeps a single administrator gives them the other two offices.
        if self.config.single_admin && grants.iter().any(|g| g.role == Role::Admin) {
            for role in [Role::SecurityAdmin, Role::AuditAdmin] {
                if !grants.iter().any(|g| g.role == role) {
                    grants.push(RoleGrant {
                        role,
                        unit_id: None,
                    });
                }
            }
        }
        Ok(Some(Identity {
            actor: Actor {
                person_id: PersonId(p.id),
                organization_id: OrganizationId(p.organization_id),
                unit_id: p.unit_id.map(UnitId),
                grants,
                led_units: led.into_iter().map(|(id, _)| UnitId(id)).collect(),
                descendant_orgs: below.into_iter().map(OrganizationId).collect(),
                within_units: within,
            },
            username: p.username,
            display_name: p.display_name,
            organization_name: org.name,
            unit_name: p.unit_name,
            must_change_password: p.must_change_password,
            session: None,
            unread: 0,
        }))
    }

    /// Changes one's own password after checking the current one; ends one's other sessions.
    pub async fn change_password(
        &self,
        who: &Identity,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> Result<()> {
        let mut v = Validator::new();
        let new = v.password("new_password", new);
        if new != confirm {
            v.fail("confirm_password", "passwords_differ");
        }
        if current.is_empty() {
            v.fail("current_password", "required");
        }
        v.finish()?;
        let person = who.actor.person_id.0;
        let stored = store::people::password_hash(&self.db, person).await?;
        if !stored
            .as_deref()
            .is_some_and(|h| verify_password(h, current))
        {
            return Err(AppError::field("current_password", "wrong_password"));
        }
        if new == current {
            return Err(AppError::field("new_password", "password_unchanged"));
        }
        self.check_new_password(
            who.actor.organization_id.0,
            Some(person),
            &who.username,
            &who.display_name,
            &new,
            "new_password",
        )
        .await?;
        let hash = hash_password(&new)?;
        let mut tx = self.db.begin().await?;
        store::people::set_password(&mut tx, person, &hash, false, self.now()).await?;
        let keep = who.session.as_ref().map(|s| s.id_hash.as_str());
        store::auth::delete_sessions_of(&mut tx, person, keep).await?;
        self.audit(
            &mut tx,
            Caller::Person(who),
            crate::LedgerEntry {
                chain: who.actor.organization_id.0,
                action: "person.change_password",
                entity: "person",
                entity_id: Some(person),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Issues an API token for a person (an administrator, or the CLI); returns the token,
    /// shown once (only its hash is kept).
    pub async fn create_api_token(
        &self,
        caller: Caller<'_>,
        username: &str,
        name: &str,
    ) -> Result<String> {
        self.create_api_token_for(caller, username, name, None)
            .await
            .map(|(_, token)| token)
    }

    /// [`App::create_api_token`], ending after `expires_in_days` days when given.
    pub async fn create_api_token_for(
        &self,
        caller: Caller<'_>,
        username: &str,
        name: &str,
        expires_in_days: Option<i64>,
    ) -> Result<(ApiToken, String)> {
        let person = self.person_by_username(username).await?;
        caller.authorize(domain::policy::Action::ManageSecurity {
            org: OrganizationId(person.organization_id),
        })?;
        self.issue_api_token(caller, &person, name, expires_in_days)
            .await
    }

    /// A token the signed-in person makes for their own integrations (an address book sync, a
    /// WeCom robot): it acts with exactly their rights, and ends when it expires, when they or
    /// an administrator revoke it, or when an administrator resets their password.
    pub async fn create_own_api_token(
        &self,
        me: &Identity,
        name: &str,
        expires_in_days: Option<i64>,
    ) -> Result<(ApiToken, String)> {
        // A token makes no tokens: one that leaked would otherwise outlive its revocation.
        if me.session.is_none() {
            return Err(AppError::Forbidden);
        }
        let person = store::people::get_person(&self.db, me.actor.person_id.0)
            .await?
            .ok_or(AppError::NotFound)?;
        self.issue_api_token(Caller::Person(me), &person, name, expires_in_days)
            .await
    }

    async fn issue_api_token(
        &self,
        caller: Caller<'_>,
        person: &store::people::PersonRow,
        name: &str,
        expires_in_days: Option<i64>,
    ) -> Result<(ApiToken, String)> {
        let mut v = Validator::new();
        let name = v.name("name", name);
        v.finish()?;
        let now = self.now();
        let expires_at = domain::session::token_expiry(now, expires_in_days)
            .map_err(|code| AppError::field("expires_in_days", code))?;
        let token = format!("xh_{}", random_hex(32));
        let mut tx = self.db.begin().await?;
        let row = store::auth::insert_token(
            &mut tx,
            person.id,
            &name,
            &sha256_hex(&token),
            now,
            expires_at,
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: person.organization_id,
                action: "api_token.create",
                entity: "api_token",
                entity_id: Some(row.id),
                after: Some(
                    json!({ "person_id": person.id, "name": name, "expires_at": expires_at }),
                ),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok((ApiToken::of(row, now), token))
    }

    /// A person's API tokens, newest first: for the person and their organization's
    /// administrators.
    pub async fn api_tokens(&self, caller: Caller<'_>, person: i64) -> Result<Vec<ApiToken>> {
        let p = self.person(person).await?;
        self.authorize_token_owner(caller, &p)?;
        let now = self.now();
        Ok(store::auth::tokens_of(&self.db, person)
            .await?
            .into_iter()
            .map(|t| ApiToken::of(t, now))
            .collect())
    }

    /// Revokes one API token: its owner or an administrator of its owner's organization.
    /// Someone else's token answers "not found".
    pub async fn revoke_api_token(&self, caller: Caller<'_>, id: i64) -> Result<ApiToken> {
        let t = store::auth::get_token(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let owner = self.person(t.person_id).await?;
        self.authorize_token_owner(caller, &owner)
            .map_err(|_| AppError::NotFound)?;
        let mut tx = self.db.begin().await?;
        if !store::auth::revoke_token(&mut tx, id, self.now()).await? {
            return Err(AppError::field("status", "already_revoked"));
        }
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: owner.organization_id,
                action: "api_token.revoke",
                entity: "api_token",
                entity_id: Some(id),
                after: Some(json!({ "person_id": owner.id, "name": t.name })),
                ..Default::default()
            },
        )
        .await?;
        let row = store::auth::get_token(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(ApiToken::of(row, self.now()))
    }

    fn authorize_token_owner(
        &self,
        caller: Caller<'_>,
        owner: &store::people::PersonRow,
    ) -> Result<()> {
        if let Caller::Person(me) = caller
            && me.actor.person_id.0 == owner.id
        {
            return Ok(());
        }
        caller.authorize(domain::policy::Action::ManageSecurity {
            org: OrganizationId(owner.organization_id),
        })
    }

    /// Revokes a person's API tokens (all, or those with `name`); returns how many.
    pub async fn revoke_api_tokens(
        &self,
        caller: Caller<'_>,
        username: &str,
        name: Option<&str>,
    ) -> Result<u64> {
        let person = self.person_by_username(username).await?;
        caller.authorize(domain::policy::Action::ManageSecurity {
            org: OrganizationId(person.organization_id),
        })?;
        let mut tx = self.db.begin().await?;
        let n = store::auth::revoke_tokens(&mut tx, person.id, name, self.now()).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: person.organization_id,
                action: "api_token.revoke",
                entity: "person",
                entity_id: Some(person.id),
                after: Some(json!({ "name": name, "revoked": n })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The id of the person with this username.
    pub async fn person_id(&self, username: &str) -> Result<i64> {
        Ok(self.person_by_username(username).await?.id)
    }

    pub(crate) async fn person_by_username(
        &self,
        username: &str,
    ) -> Result<store::people::PersonRow> {
        let id = store::people::person_id_by_username(&self.db, &username.trim().to_lowercase())
            .await?
            .ok_or(AppError::NotFound)?;
        store::people::get_person(&self.db, id)
            .await?
            .ok_or(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password(&a, "correct horse"));
        assert!(!verify_password(&a, "wrong horse"));
        assert!(dummy_hash().starts_with("$argon2id$"));
        assert!(!verify_password(dummy_hash(), "anything"));
    }

    #[test]
    fn generated_passwords_are_long_and_unambiguous() {
        let p = generate_password();
        assert_eq!(p.len(), 16);
        assert!(!p.contains(['0', 'O', 'l', '1', 'I']));
    }
}

/// An API token as its owner and administrators see it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    #[serde(flatten)]
    pub row: store::auth::ApiTokenRow,
    pub state: domain::session::TokenState,
}

impl ApiToken {
    fn of(row: store::auth::ApiTokenRow, now: chrono::DateTime<chrono::Utc>) -> Self {
        let state = domain::session::TokenState::of(row.expires_at, row.revoked_at, now);
        ApiToken { row, state }
    }
}
