//! Login throttling: after repeated failures an account is locked for a while. The state lives
//! in the database (so every server sees it); the rule lives here.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    /// Failures allowed inside one window before the account locks.
    pub max_failures: u32,
    pub window: Duration,
    pub lockout: Duration,
}

impl Default for ThrottleRule {
    fn default() -> Self {
        ThrottleRule {
            max_failures: 5,
            window: Duration::minutes(15),
            lockout: Duration::minutes(15),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: u32,
    pub window_start: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// If the key is locked at `now`, until when.
pub fn locked_until(state: Option<&ThrottleState>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    state
        .and_then(|s| s.locked_until)
        .filter(|until| *until > now)
}

/// The state after one more failed attempt.
pub fn after_failure(
    state: Option<&ThrottleState>,
    now: DateTime<Utc>,
    rule: ThrottleRule,
) -> ThrottleState {
    let (failures, window_start) = match state {
        Some(s) if now - s.window_start < rule.window && s.locked_until.is_none() => {
            (s.failures + 1, s.window_start)
        }
        _ => (1, now),
    };
    let locked_until = (failures >= rule.max_failures).then(|| now + rule.lockout);
    ThrottleState {
        failures,
        window_start,
        locked_until,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::minutes(min)
    }

    #[test]
    fn locks_after_the_fifth_failure_and_unlocks_after_the_lockout() {
        let rule = ThrottleRule::default();
        let mut s: Option<ThrottleState> = None;
        for i in 0..4 {
            s = Some(after_failure(s.as_ref(), t(i), rule));
            assert_eq!(
                locked_until(s.as_ref(), t(i)),
                None,
                "failure {i} must not lock"
            );
        }
        s = Some(after_failure(s.as_ref(), t(4), rule));
        assert_eq!(locked_until(s.as_ref(), t(5)), Some(t(19)));
        assert_eq!(locked_until(s.as_ref(), t(19)), None);
        // After a lockout has expired, counting starts again.
        let again = after_failure(s.as_ref(), t(20), rule);
        assert_eq!((again.failures, again.locked_until), (1, None));
    }

    #[test]
    fn failures_spread_beyond_the_window_do_not_lock() {
        let rule = ThrottleRule::default();
        let mut s: Option<ThrottleState> = None;
        for i in 0..10 {
            s = Some(after_failure(s.as_ref(), t(i * 4), rule));
        }
        assert_eq!(locked_until(s.as_ref(), t(40)), None);
    }
}
