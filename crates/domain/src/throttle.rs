//! Login throttling. Failures are counted per account and client address: after five, that
//! client is locked out of that account for a while. Failures are also counted per account
//! from anywhere, and make every further attempt wait a delay that doubles with each one
//! (capped), so that nobody can lock a person out of their account from another machine,
//! and nobody can guess a password from many. The state lives in the database (so every
//! server sees it); the rule lives here.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    /// Failures allowed inside one window before the account locks.
    pub max_failures: u32,
    pub window: Duration,
    pub lockout: Duration,
    /// The longest delay an account's failures from everywhere impose.
    pub account_delay_max: Duration,
}

impl Default for ThrottleRule {
    fn default() -> Self {
        ThrottleRule {
            max_failures: 5,
            window: Duration::minutes(15),
            lockout: Duration::minutes(15),
            account_delay_max: Duration::minutes(15),
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

/// The account's state after one more failed attempt from anywhere: from the
/// `max_failures`-th failure of the window on, the next attempt waits 1 s, then 2 s, 4 s, …,
/// at most `account_delay_max`.
pub fn after_account_failure(
    state: Option<&ThrottleState>,
    now: DateTime<Utc>,
    rule: ThrottleRule,
) -> ThrottleState {
    let (failures, window_start) = match state {
        Some(s) if now - s.window_start < rule.window => (s.failures + 1, s.window_start),
        _ => (1, now),
    };
    let locked_until = failures.checked_sub(rule.max_failures).map(|doublings| {
        let delay = Duration::seconds(1_i64 << doublings.min(20));
        now + delay.min(rule.account_delay_max)
    });
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

    #[test]
    fn an_account_s_failures_from_everywhere_make_attempts_wait_ever_longer_but_never_lock_it() {
        let rule = ThrottleRule::default();
        let mut s: Option<ThrottleState> = None;
        let at = |secs: i64| t(0) + Duration::seconds(secs);
        for i in 0..4 {
            s = Some(after_account_failure(s.as_ref(), at(i), rule));
            assert_eq!(locked_until(s.as_ref(), at(i)), None, "failure {i}");
        }
        let mut now = 4;
        let mut delays = Vec::new();
        for _ in 0..4 {
            s = Some(after_account_failure(s.as_ref(), at(now), rule));
            let until = locked_until(s.as_ref(), at(now)).expect("a delay");
            delays.push((until - at(now)).num_seconds());
            now = (until - t(0)).num_seconds();
        }
        assert_eq!(delays, vec![1, 2, 4, 8]);
        // Capped at the longest delay, and over once the window has passed.
        let many = ThrottleState {
            failures: 40,
            window_start: at(now),
            locked_until: None,
        };
        let capped = after_account_failure(Some(&many), at(now), rule);
        assert_eq!(capped.locked_until, Some(at(now) + Duration::minutes(15)));
        let last = capped;
        let fresh = after_account_failure(Some(&last), at(now) + Duration::hours(1), rule);
        assert_eq!((fresh.failures, fresh.locked_until), (1, None));
    }
}
