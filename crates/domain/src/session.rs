//! How long a signed-in session lives: it ends after a while without activity, and in any
//! case a fixed time after sign-in (等保: a session is not kept alive for ever by a page that
//! refreshes itself).

use chrono::{DateTime, Duration, Utc};

/// When a session created at `created` and seen at `now` expires: `idle` after `now`, but
/// never later than `max` after `created`.
pub fn session_expiry(
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    idle: Duration,
    max: Duration,
) -> DateTime<Utc> {
    (now + idle).min(created + max)
}

/// What an API token is at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    pub fn of(
        expires_at: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> TokenState {
        if revoked_at.is_some() {
            TokenState::Revoked
        } else if expires_at.is_some_and(|e| e <= now) {
            TokenState::Expired
        } else {
            TokenState::Active
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TokenState::Active => "active",
            TokenState::Expired => "expired",
            TokenState::Revoked => "revoked",
        }
    }
}

/// The validities a token can be given, in days (and none: until revoked).
pub const TOKEN_VALIDITY_DAYS: [i64; 4] = [30, 90, 180, 365];
/// The longest validity: ten years.
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// When a token made at `now` for `days` days expires (`None`: never); the error code
/// `out_of_range` for a number of days that is not between 1 and [`MAX_TOKEN_DAYS`].
pub fn token_expiry(
    now: DateTime<Utc>,
    days: Option<i64>,
) -> Result<Option<DateTime<Utc>>, &'static str> {
    match days {
        None => Ok(None),
        Some(d) if (1..=MAX_TOKEN_DAYS).contains(&d) => Ok(Some(now + Duration::days(d))),
        Some(_) => Err("out_of_range"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_token_expires_at_its_day_and_revocation_wins() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        let end = token_expiry(now, Some(30)).unwrap();
        assert_eq!(end, Some(now + Duration::days(30)));
        assert_eq!(token_expiry(now, None), Ok(None));
        assert_eq!(token_expiry(now, Some(0)), Err("out_of_range"));
        assert_eq!(
            token_expiry(now, Some(MAX_TOKEN_DAYS + 1)),
            Err("out_of_range")
        );
        let before = end.unwrap() - Duration::seconds(1);
        assert_eq!(TokenState::of(end, None, before), TokenState::Active);
        assert_eq!(TokenState::of(end, None, end.unwrap()), TokenState::Expired);
        assert_eq!(TokenState::of(None, None, end.unwrap()), TokenState::Active);
        assert_eq!(TokenState::of(end, Some(now), now), TokenState::Revoked);
    }

    #[test]
    fn activity_extends_a_session_up_to_its_absolute_end() {
        let signed_in = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        let (idle, max) = (Duration::hours(8), Duration::hours(12));
        assert_eq!(
            session_expiry(signed_in, signed_in, idle, max),
            signed_in + Duration::hours(8)
        );
        let later = signed_in + Duration::hours(3);
        assert_eq!(
            session_expiry(signed_in, later, idle, max),
            later + Duration::hours(8)
        );
        let much_later = signed_in + Duration::hours(11);
        assert_eq!(
            session_expiry(signed_in, much_later, idle, max),
            signed_in + Duration::hours(12)
        );
    }
}
