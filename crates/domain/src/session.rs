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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

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
