//! The password policy (等保2.0 8.1.4.1 身份鉴别): how long, how varied, what it may not be,
//! how many earlier ones it may not repeat, and how old it may grow. The security
//! administrator sets it per organization; these functions judge one password against it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    /// Characters at least (8 to 64; default 10).
    pub min_length: u32,
    /// Of the four classes (lower case, upper case, digits, others), how many it must use
    /// (1 to 4; default 3).
    pub min_classes: u32,
    /// How many earlier passwords it may not repeat (0 to 24; default 5).
    pub history: u32,
    /// Days after which it must be changed at the next sign-in; `None`: never (default).
    pub max_age_days: Option<u32>,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 10,
            min_classes: 3,
            history: 5,
            max_age_days: None,
        }
    }
}

/// Passwords refused whatever the policy: the most common ones, keyboard walks, and this
/// product's demo password. Compared without case.
const COMMON: &[&str] = &[
    "xiaohao-demo",
    "xiaohao123",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "admin",
    "admin123",
    "admin@123",
    "administrator",
    "root",
    "root123",
    "123456",
    "12345678",
    "123456789",
    "1234567890",
    "0123456789",
    "987654321",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "qwerty",
    "qwerty123",
    "qwertyuiop",
    "1qaz2wsx",
    "1qaz@wsx",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "q1w2e3r4",
    "zaq12wsx",
    "abc123",
    "abcd1234",
    "abc@123",
    "aa123456",
    "a123456",
    "a12345678",
    "woaini1314",
    "iloveyou",
    "welcome",
    "welcome1",
    "letmein",
    "changeme",
    "test1234",
    "asdfghjkl",
    "asd123456",
    "zxcvbnm",
    "huawei@123",
    "admin@2024",
    "admin@2025",
    "admin@2026",
];

/// Why a password does not meet the policy: the error code of each rule broken, in the
/// order the rules are listed.
pub fn problems(
    policy: &PasswordPolicy,
    password: &str,
    username: &str,
    display_name: &str,
) -> Vec<&'static str> {
    let mut out = Vec::new();
    if (password.chars().count() as u32) < policy.min_length {
        out.push("password_too_short");
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password
            .chars()
            .any(|c| !c.is_alphanumeric() || (c.is_alphabetic() && !c.is_ascii())),
    ]
    .iter()
    .filter(|&&b| b)
    .count() as u32;
    if classes < policy.min_classes {
        out.push("password_too_simple");
    }
    let lower = password.to_lowercase();
    // A part of a name counts from three letters, or two Chinese characters (most names).
    let contains = |part: &str| {
        let part = part.trim().to_lowercase();
        let n = part.chars().count();
        (n >= 3 || (n >= 2 && !part.is_ascii())) && lower.contains(&part)
    };
    if contains(username) || username.split(['.', '_', '-']).any(contains) || contains(display_name)
    {
        out.push("password_contains_name");
    }
    if COMMON.iter().any(|c| *c == lower) {
        out.push("password_common");
    }
    out
}

/// Whether a password set at `changed_at` must be changed at a sign-in at `now`.
pub fn expired(
    policy: &PasswordPolicy,
    changed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    match (policy.max_age_days, changed_at) {
        (Some(days), Some(at)) => now >= at + Duration::days(i64::from(days)),
        _ => false,
    }
}

/// The error code of a policy that cannot be set, and the field it names.
pub fn invalid(policy: &PasswordPolicy) -> Option<(&'static str, &'static str)> {
    if !(8..=64).contains(&policy.min_length) {
        return Some(("min_length", "out_of_range"));
    }
    if !(1..=4).contains(&policy.min_classes) {
        return Some(("min_classes", "out_of_range"));
    }
    if policy.history > 24 {
        return Some(("history", "out_of_range"));
    }
    if policy
        .max_age_days
        .is_some_and(|d| !(1..=3650).contains(&d))
    {
        return Some(("max_age_days", "out_of_range"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn judge(p: &str) -> Vec<&'static str> {
        problems(&PasswordPolicy::default(), p, "zhang.san", "张三丰")
    }

    #[test]
    fn a_long_varied_password_passes() {
        assert_eq!(judge("Hetang-Lu-2026"), Vec::<&str>::new());
        assert_eq!(
            judge("月底销号任务Zz9!"),
            Vec::<&str>::new(),
            "Chinese counts as a class"
        );
    }

    #[test]
    fn each_rule_names_itself() {
        assert_eq!(judge("Ab1!"), vec!["password_too_short"]);
        assert_eq!(judge("abcdefghijkl"), vec!["password_too_simple"]);
        assert_eq!(judge("Zhang.San.2026"), vec!["password_contains_name"]);
        assert_eq!(judge("xx张三丰Ab12xx"), vec!["password_contains_name"]);
        assert_eq!(
            problems(&PasswordPolicy::default(), "xx李四Ab12xx", "li.si", "李四"),
            vec!["password_contains_name"]
        );
        assert_eq!(judge("Admin@2026"), vec!["password_common"]);
        assert_eq!(
            judge("xiaohao-demo"),
            vec!["password_too_simple", "password_common"]
        );
        assert_eq!(
            judge("123"),
            vec!["password_too_short", "password_too_simple"]
        );
    }

    #[test]
    fn a_policy_can_be_looser_or_stricter_within_bounds() {
        let loose = PasswordPolicy {
            min_length: 8,
            min_classes: 1,
            ..Default::default()
        };
        assert!(problems(&loose, "abcdefgh", "li", "李").is_empty());
        assert_eq!(invalid(&loose), None);
        for (bad, field) in [
            (
                PasswordPolicy {
                    min_length: 7,
                    ..Default::default()
                },
                "min_length",
            ),
            (
                PasswordPolicy {
                    min_classes: 5,
                    ..Default::default()
                },
                "min_classes",
            ),
            (
                PasswordPolicy {
                    history: 25,
                    ..Default::default()
                },
                "history",
            ),
            (
                PasswordPolicy {
                    max_age_days: Some(0),
                    ..Default::default()
                },
                "max_age_days",
            ),
        ] {
            assert_eq!(invalid(&bad), Some((field, "out_of_range")));
        }
    }

    #[test]
    fn a_password_ages_only_when_the_policy_says_so() {
        let set = Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).unwrap();
        let later = set + Duration::days(90);
        let aging = PasswordPolicy {
            max_age_days: Some(90),
            ..Default::default()
        };
        assert!(!expired(&PasswordPolicy::default(), Some(set), later));
        assert!(!expired(&aging, Some(set), later - Duration::seconds(1)));
        assert!(expired(&aging, Some(set), later));
        assert!(!expired(&aging, None, later));
    }
}
