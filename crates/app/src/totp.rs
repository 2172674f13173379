//! Two-factor sign-in (TOTP): enrolment, the code at sign-in, recovery codes, and the roles
//! the security administrator requires it of.
//!
//! A correct password of a person who has a second factor, or whose role requires one, opens
//! no session: it opens a challenge (five minutes, five codes) that the code completes. A
//! person whose role requires a second factor and who has none enrols inside that challenge,
//! so nobody reaches a page before the factor is in place. Wrong codes count against the
//! account like wrong passwords (`domain::throttle`), and a code's step is used once.

use chrono::Duration;
use domain::policy::Action;
use domain::totp::{RECOVERY_CODES, TotpSecret};
use domain::{OrganizationId, Role};
use serde_json::json;

use crate::auth::LoginOutcome;
use crate::{App, AppError, Caller, Identity, Result, random_hex, sha256_hex};

/// How long a challenge lasts, and how many codes it takes.
const CHALLENGE_TTL: Duration = Duration::minutes(5);
const CHALLENGE_ATTEMPTS: i64 = 5;
/// The name an authenticator app shows above the code.
const ISSUER: &str = "预安销号";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengePurpose {
    /// The person has a second factor: give its code.
    Verify,
    /// The person's role requires a second factor and they have none: enrol now.
    Enrol,
}

impl ChallengePurpose {
    /// The purpose a stored challenge names (`enrol`; anything else asks for a code).
    fn of(stored: &str) -> ChallengePurpose {
        if stored == ChallengePurpose::Enrol.as_str() {
            ChallengePurpose::Enrol
        } else {
            ChallengePurpose::Verify
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ChallengePurpose::Verify => "verify",
            ChallengePurpose::Enrol => "enrol",
        }
    }
}

/// What a correct password gives when a code is still needed.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// For the short-lived challenge cookie (only its hash is stored).
    pub token: String,
    pub purpose: ChallengePurpose,
}

/// A secret being enrolled: what the authenticator app needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// Base32, for typing in.
    pub secret: String,
    /// The `otpauth://` address the QR code carries.
    pub uri: String,
}

/// The challenge page's data.
#[derive(Debug, Clone)]
pub struct ChallengeView {
    pub purpose: ChallengePurpose,
    pub username: String,
    pub display_name: String,
    /// For an enrolment: the secret to add to the app.
    pub enrolment: Option<Enrolment>,
}

/// A completed sign-in; after an enrolment, the recovery codes to write down (shown once).
#[derive(Debug, Clone)]
pub struct SecondFactorLogin {
    pub login: LoginOutcome,
    pub recovery_codes: Option<Vec<String>>,
}

/// One's own second factor, for the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpStatus {
    pub enabled: bool,
    /// Whether one of the person's roles requires it (then it cannot be removed).
    pub required: bool,
    /// An enrolment begun and not yet confirmed.
    pub pending: Option<Enrolment>,
    pub recovery_codes_left: i64,
}

fn new_secret() -> TotpSecret {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    TotpSecret::from_bytes(bytes)
}

fn new_recovery_codes() -> Vec<String> {
    use rand::RngCore;
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 8];
            rand::rng().fill_bytes(&mut bytes);
            domain::totp::recovery_code(bytes)
        })
        .collect()
}

impl App {
    /// A recovery code as stored: keyed with the ledger's key, so that a copy of the database
    /// alone cannot be searched for the codes.
    fn recovery_hash(&self, person: i64, code: &str) -> String {
        self.config
            .audit_key
            .hmac(format!("xiaohao-recovery\0{person}\0{code}").as_bytes())
    }

    /// Seals a secret for `person`: the nonce names them, so that a seal copied to another
    /// person's row does not open.
    fn seal_for(&self, person: i64, secret: &TotpSecret) -> String {
        secret.seal(
            &self.config.audit_key,
            &format!("{person}.{}", random_hex(12)),
        )
    }

    fn unseal_for(&self, person: i64, stored: &str) -> Option<TotpSecret> {
        let nonce = stored.split(':').nth(1)?;
        if nonce.split('.').next() != Some(person.to_string().as_str()) {
            return None;
        }
        TotpSecret::unseal(&self.config.audit_key, stored)
    }

    /// Refuses a code check while the account is throttled.
    async fn code_throttle(
        &self,
        username: &str,
    ) -> Result<Option<domain::throttle::ThrottleState>> {
        let now = self.now();
        let key = format!("user:{username}");
        let state = store::auth::get_throttle(&self.db, &key).await?;
        if let Some(until) = domain::throttle::locked_until(state.as_ref(), now) {
            return Err(AppError::throttled(until, now));
        }
        Ok(state)
    }

    /// Counts a wrong code given from a session (confirming or removing the factor) against
    /// the account, as a wrong password is, and keeps that count.
    async fn code_failed(&self, username: &str) -> Result<AppError> {
        let key = format!("user:{username}");
        let mut tx = self.db.begin().await?;
        store::auth::lock_throttle_key(&mut tx, &key).await?;
        let state = store::auth::get_throttle(&mut tx, &key).await?;
        let next = domain::throttle::after_account_failure(
            state.as_ref(),
            self.now(),
            self.config.throttle,
        );
        store::auth::put_throttle(&mut tx, &key, &next).await?;
        tx.commit().await?;
        Ok(AppError::field("totp_code", "wrong_code"))
    }
}

impl App {
    /// Whether sign-in of `person` needs a second factor, and which step.
    pub(crate) async fn second_factor_needed(
        &self,
        tx: &mut store::Tx,
        person: i64,
        org: i64,
    ) -> Result<Option<ChallengePurpose>> {
        let has = store::totp::get(&mut *tx, person)
            .await?
            .is_some_and(|t| t.enabled_at.is_some());
        if has {
            return Ok(Some(ChallengePurpose::Verify));
        }
        Ok(self
            .totp_required_of(&mut *tx, person, org)
            .await?
            .then_some(ChallengePurpose::Enrol))
    }

    /// Whether one of the person's roles is one the organization requires a second factor of
    /// (a single administrator holds all three administrators' roles).
    async fn totp_required_of(
        &self,
        ex: impl Into<store::Ex<'_>>,
        person: i64,
        org: i64,
    ) -> Result<bool> {
        let mut ex = ex.into();
        let required = store::totp::required_roles(&mut ex, org).await?;
        if required.is_empty() {
            return Ok(false);
        }
        let roles = store::people::roles_of(&mut ex, person).await?;
        let admin_offices = [Role::Admin, Role::SecurityAdmin, Role::AuditAdmin].map(Role::as_str);
        Ok(roles.iter().any(|r| {
            required.contains(&r.role)
                || (self.config.single_admin
                    && r.role == Role::Admin.as_str()
                    && required.iter().any(|q| admin_offices.contains(&q.as_str())))
        }))
    }

    pub(crate) async fn open_challenge(
        &self,
        tx: &mut store::Tx,
        person: i64,
        purpose: ChallengePurpose,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Challenge> {
        store::totp::purge_expired_challenges(tx, now).await?;
        if purpose == ChallengePurpose::Enrol {
            let sealed = self.seal_for(person, &new_secret());
            store::totp::begin(tx, person, &sealed, now).await?;
        }
        let token = random_hex(32);
        store::totp::insert_challenge(
            tx,
            &sha256_hex(&token),
            person,
            purpose.as_str(),
            now,
            now + CHALLENGE_TTL,
        )
        .await?;
        Ok(Challenge { token, purpose })
    }

    fn enrolment_of(&self, row: &store::totp::TotpRow, username: &str) -> Result<Enrolment> {
        let secret = self
            .unseal_for(row.person_id, &row.secret)
            .ok_or_else(|| AppError::Internal("a second factor cannot be unsealed".into()))?;
        Ok(Enrolment {
            secret: secret.to_base32(),
            uri: secret.otpauth_uri(ISSUER, username),
        })
    }

    /// The challenge behind a cookie, for its page; `Unauthenticated` once it has expired.
    pub async fn challenge(&self, token: &str) -> Result<ChallengeView> {
        let c = store::totp::find_challenge(&self.db, &sha256_hex(token), self.now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let p = self.person(c.person_id).await?;
        let purpose = ChallengePurpose::of(&c.purpose);
        let enrolment = match (purpose, store::totp::get(&self.db, p.id).await?) {
            (ChallengePurpose::Enrol, Some(row)) if row.enabled_at.is_none() => {
                Some(self.enrolment_of(&row, &p.username)?)
            }
            _ => None,
        };
        Ok(ChallengeView {
            purpose,
            username: p.username,
            display_name: p.display_name,
            enrolment,
        })
    }

    /// Completes a sign-in with a code from the authenticator app (or, for a person who has
    /// a second factor, one of their recovery codes). A wrong code counts against the account
    /// and the client; the fifth ends the challenge.
    pub async fn complete_login(
        &self,
        token: &str,
        code: &str,
        client: Option<&str>,
    ) -> Result<SecondFactorLogin> {
        let now = self.now();
        let id = sha256_hex(token);
        if code.trim().is_empty() {
            return Err(AppError::field("totp_code", "required"));
        }
        let c = store::totp::find_challenge(&self.db, &id, now)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let p = self.person(c.person_id).await?;
        let key = format!("user:{}", p.username);
        let client_key = format!("user:{}@{}", p.username, client.unwrap_or("-"));
        let mut tx = self.db.begin().await?;
        store::auth::lock_throttle_key(&mut tx, &key).await?;
        let state = store::auth::get_throttle(&mut tx, &key).await?;
        let client_state = store::auth::get_throttle(&mut tx, &client_key).await?;
        if let Some(until) = domain::throttle::locked_until(state.as_ref(), now)
            .max(domain::throttle::locked_until(client_state.as_ref(), now))
        {
            return Err(AppError::throttled(until, now));
        }
        // Re-read inside the transaction: a parallel request may have used the challenge.
        let c = store::totp::find_challenge(&mut tx, &id, now)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        // The account may have been disabled since the password was given.
        let usable = store::people::credentials(&mut tx, &p.username)
            .await?
            .is_some_and(|c| !c.disabled && !c.org_disabled);
        if !usable {
            store::totp::delete_challenge(&mut tx, &id).await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated);
        }
        let enrol = ChallengePurpose::of(&c.purpose) == ChallengePurpose::Enrol;
        let row = store::totp::get(&mut tx, p.id).await?;
        let secret = row.as_ref().and_then(|r| self.unseal_for(p.id, &r.secret));
        let last = row.as_ref().and_then(|r| r.last_step);
        let step = secret.as_ref().and_then(|s| s.verify(code, now, last));
        let mut used = None;
        if let Some(step) = step {
            let stored = if enrol {
                let sealed = row.as_ref().map_or("", |r| r.secret.as_str());
                store::totp::enable(&mut tx, p.id, sealed, step, now).await?
            } else {
                store::totp::use_step(&mut tx, p.id, step).await?
            };
            if stored {
                used = Some("totp");
            }
        } else if !enrol
            && let Some(rc) = domain::totp::normalize_recovery_code(code)
            && store::totp::use_recovery_code(&mut tx, p.id, &self.recovery_hash(p.id, &rc), now)
                .await?
        {
            used = Some("recovery_code");
        }
        let Some(used) = used else {
            let rule = self.config.throttle;
            let next = domain::throttle::after_failure(client_state.as_ref(), now, rule);
            store::auth::put_throttle(&mut tx, &client_key, &next).await?;
            let next = domain::throttle::after_account_failure(state.as_ref(), now, rule);
            store::auth::put_throttle(&mut tx, &key, &next).await?;
            let attempts = store::totp::count_attempt(&mut tx, &id).await?;
            if attempts >= CHALLENGE_ATTEMPTS {
                store::totp::delete_challenge(&mut tx, &id).await?;
            }
            self.audit(
                &mut tx,
                Caller::System,
                crate::LedgerEntry {
                    chain: p.organization_id,
                    action: "auth.totp_failed",
                    entity: "person",
                    entity_id: Some(p.id),
                    after: Some(json!({ "username": p.username })),
                    ..Default::default()
                },
            )
            .await?;
            tx.commit().await?;
            return Err(if attempts >= CHALLENGE_ATTEMPTS {
                AppError::field("totp_code", "challenge_expired")
            } else {
                AppError::field("totp_code", "wrong_code")
            });
        };
        store::totp::delete_challenge(&mut tx, &id).await?;
        let recovery_codes = if enrol {
            let codes = new_recovery_codes();
            let hashes: Vec<String> = codes.iter().map(|c| self.recovery_hash(p.id, c)).collect();
            store::totp::set_recovery_codes(&mut tx, p.id, &hashes).await?;
            // The person did it, though no session is open yet.
            store::audit::append(
                &mut tx,
                &self.config.audit_key,
                store::audit::NewEntry {
                    chain: p.organization_id,
                    at: now,
                    actor_id: Some(p.id),
                    action: "totp.enable",
                    entity: "person",
                    entity_id: Some(p.id),
                    before: None,
                    after: Some(json!({ "at_sign_in": true }).to_string()),
                },
            )
            .await?;
            Some(codes)
        } else {
            None
        };
        let login = self
            .open_session(
                &mut tx,
                p.id,
                p.organization_id,
                [&key, &client_key],
                Some(used),
            )
            .await?;
        tx.commit().await?;
        Ok(SecondFactorLogin {
            login,
            recovery_codes,
        })
    }

    /// One's own second factor.
    pub async fn totp_status(&self, me: &Identity) -> Result<TotpStatus> {
        let person = me.actor.person_id.0;
        let row = store::totp::get(&self.db, person).await?;
        // The secret of an enrolment under way is shown to the browser session only: a token
        // that leaked must not learn the code the person is about to confirm.
        let pending = match &row {
            Some(r) if r.enabled_at.is_none() && me.session.is_some() => {
                Some(self.enrolment_of(r, &me.username)?)
            }
            _ => None,
        };
        Ok(TotpStatus {
            enabled: row.as_ref().is_some_and(|r| r.enabled_at.is_some()),
            required: self
                .totp_required_of(&self.db, person, me.actor.organization_id.0)
                .await?,
            pending,
            recovery_codes_left: store::totp::recovery_codes_left(&self.db, person).await?,
        })
    }

    /// Begins enrolling one's own second factor (from a signed-in browser session, never a
    /// token): a new secret, confirmed by [`App::confirm_totp`].
    pub async fn begin_totp(&self, me: &Identity) -> Result<Enrolment> {
        Self::from_session(me)?;
        let person = me.actor.person_id.0;
        let mut tx = self.db.begin().await?;
        if store::totp::get(&mut tx, person)
            .await?
            .is_some_and(|t| t.enabled_at.is_some())
        {
            return Err(AppError::field("totp_code", "totp_already_enabled"));
        }
        let secret = new_secret();
        let sealed = self.seal_for(person, &secret);
        store::totp::begin(&mut tx, person, &sealed, self.now()).await?;
        tx.commit().await?;
        Ok(Enrolment {
            secret: secret.to_base32(),
            uri: secret.otpauth_uri(ISSUER, &me.username),
        })
    }

    /// Confirms the enrolment begun with a code from the app; returns the recovery codes,
    /// shown once.
    pub async fn confirm_totp(&self, me: &Identity, code: &str) -> Result<Vec<String>> {
        Self::from_session(me)?;
        let person = me.actor.person_id.0;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        self.code_throttle(&me.username).await?;
        let row = store::totp::get(&mut tx, person)
            .await?
            .filter(|r| r.enabled_at.is_none())
            .ok_or_else(|| AppError::field("totp_code", "totp_not_begun"))?;
        let Some(step) = self
            .unseal_for(person, &row.secret)
            .and_then(|s| s.verify(code, now, None))
        else {
            drop(tx);
            return Err(self.code_failed(&me.username).await?);
        };
        // Only the secret the code was checked against: an enrolment begun again meanwhile
        // (another tab) is not confirmed by this code.
        if !store::totp::enable(&mut tx, person, &row.secret, step, now).await? {
            return Err(AppError::field("totp_code", "totp_not_begun"));
        }
        let codes = new_recovery_codes();
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| self.recovery_hash(person, c))
            .collect();
        store::totp::set_recovery_codes(&mut tx, person, &hashes).await?;
        self.audit(
            &mut tx,
            Caller::Person(me),
            crate::LedgerEntry {
                chain: me.actor.organization_id.0,
                action: "totp.enable",
                entity: "person",
                entity_id: Some(person),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Removes one's own second factor, proven by a current code or a recovery code; refused
    /// while one of one's roles requires it.
    pub async fn disable_totp(&self, me: &Identity, code: &str) -> Result<()> {
        Self::from_session(me)?;
        let person = me.actor.person_id.0;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if self
            .totp_required_of(&mut tx, person, me.actor.organization_id.0)
            .await?
        {
            return Err(AppError::field("totp_code", "totp_required"));
        }
        self.code_throttle(&me.username).await?;
        let row = store::totp::get(&mut tx, person)
            .await?
            .filter(|r| r.enabled_at.is_some())
            .ok_or_else(|| AppError::field("totp_code", "totp_not_enabled"))?;
        let by_code = self
            .unseal_for(person, &row.secret)
            .and_then(|s| s.verify(code, now, row.last_step))
            .is_some();
        let by_recovery = !by_code
            && match domain::totp::normalize_recovery_code(code) {
                Some(rc) => {
                    store::totp::use_recovery_code(
                        &mut tx,
                        person,
                        &self.recovery_hash(person, &rc),
                        now,
                    )
                    .await?
                }
                None => false,
            };
        if !by_code && !by_recovery {
            drop(tx);
            return Err(self.code_failed(&me.username).await?);
        }
        store::totp::remove(&mut tx, person).await?;
        self.audit(
            &mut tx,
            Caller::Person(me),
            crate::LedgerEntry {
                chain: me.actor.organization_id.0,
                action: "totp.disable",
                entity: "person",
                entity_id: Some(person),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a person's second factor (a lost phone): the security administrator. Their
    /// sessions end; at the next sign-in they enrol again if their role requires it.
    pub async fn reset_totp(&self, caller: Caller<'_>, person: i64) -> Result<bool> {
        let p = self.person(person).await?;
        caller.authorize(Action::ManageSecurity {
            org: OrganizationId(p.organization_id),
        })?;
        // One's own factor is removed with a code (`disable_totp`), not around it.
        if caller.actor_id() == Some(person) {
            return Err(AppError::field("person_id", "cannot_reset_self"));
        }
        let mut tx = self.db.begin().await?;
        let removed = store::totp::remove(&mut tx, person).await?;
        store::auth::delete_sessions_of(&mut tx, person, None).await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: p.organization_id,
                action: "totp.reset",
                entity: "person",
                entity_id: Some(person),
                after: Some(json!({ "removed": removed })),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// The roles an organization requires a second factor of (the security administrator).
    pub async fn totp_roles(&self, caller: Caller<'_>, org: i64) -> Result<Vec<Role>> {
        self.organization(org).await?;
        caller.authorize(Action::ManageSecurity {
            org: OrganizationId(org),
        })?;
        Ok(store::totp::required_roles(&self.db, org)
            .await?
            .iter()
            .filter_map(|r| Role::parse(r))
            .collect())
    }

    /// Sets the roles an organization requires a second factor of; takes effect at each
    /// person's next sign-in.
    pub async fn set_totp_roles(
        &self,
        caller: Caller<'_>,
        org: i64,
        roles: &[Role],
    ) -> Result<Vec<Role>> {
        self.organization(org).await?;
        let mut tx = self.db.begin().await?;
        caller.authorize(Action::ManageSecurity {
            org: OrganizationId(org),
        })?;
        let mut names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let before = store::totp::required_roles(&mut tx, org).await?;
        store::totp::set_required_roles(&mut tx, org, &names, caller.actor_id(), self.now())
            .await?;
        self.audit(
            &mut tx,
            caller,
            crate::LedgerEntry {
                chain: org,
                action: "totp.policy",
                entity: "organization",
                entity_id: Some(org),
                before: Some(json!({ "roles": before })),
                after: Some(json!({ "roles": names })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(names.iter().filter_map(|r| Role::parse(r)).collect())
    }

    fn from_session(me: &Identity) -> Result<()> {
        // A token changes no second factor: one that leaked could otherwise lock the owner out.
        if me.session.is_none() {
            return Err(AppError::Forbidden);
        }
        Ok(())
    }
}
