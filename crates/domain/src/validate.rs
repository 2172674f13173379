//! Input validation: raw strings from forms and JSON become validated values here, and every
//! failure names its field and carries a stable snake_case code that the UI translates.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("invalid input: {}", self.0.iter().map(|e| format!("{}: {}", e.field, e.code)).collect::<Vec<_>>().join(", "))]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn single(field: &str, code: &'static str) -> Self {
        ValidationErrors(vec![FieldError {
            field: field.to_owned(),
            code,
        }])
    }

    pub fn for_field(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.code)
    }
}

pub const NAME_MAX: usize = 100;
pub const CODE_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// Accumulates the errors of one input so that a form shows all of them at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, field: &str, code: &'static str) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            code,
        });
    }

    /// A required display name: trimmed, 1..=100 characters, no control characters.
    pub fn name(&mut self, field: &str, raw: &str) -> String {
        let v = raw.trim();
        if v.is_empty() {
            self.fail(field, "required");
        } else if v.chars().count() > NAME_MAX {
            self.fail(field, "too_long");
        } else if v.chars().any(char::is_control) {
            self.fail(field, "invalid_characters");
        }
        v.to_owned()
    }

    /// An optional short code (letters, digits, `_`, `-`), empty meaning none.
    pub fn code(&mut self, field: &str, raw: &str) -> Option<String> {
        let v = raw.trim();
        if v.is_empty() {
            return None;
        }
        if v.len() > CODE_MAX {
            self.fail(field, "too_long");
        } else if !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            self.fail(field, "invalid_code");
        }
        Some(v.to_owned())
    }

    /// A login name: 3..=32 of `a-z 0-9 . _ -`, starting with a letter or digit; folded to
    /// lower case so that `Admin` and `admin` are one account.
    pub fn username(&mut self, field: &str, raw: &str) -> String {
        let v = raw.trim().to_lowercase();
        let ok_chars = v
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        let ok_start = v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if v.is_empty() {
            self.fail(field, "required");
        } else if !(3..=32).contains(&v.len()) || !ok_chars || !ok_start {
            self.fail(field, "invalid_username");
        }
        v
    }

    pub fn password(&mut self, field: &str, raw: &str) -> String {
        let n = raw.chars().count();
        if n == 0 {
            self.fail(field, "required");
        } else if n < PASSWORD_MIN {
            self.fail(field, "password_too_short");
        } else if n > PASSWORD_MAX {
            self.fail(field, "too_long");
        }
        raw.to_owned()
    }

    pub fn optional_email(&mut self, field: &str, raw: &str) -> Option<String> {
        let v = raw.trim();
        if v.is_empty() {
            return None;
        }
        let valid = v.len() <= 254
            && !v.chars().any(char::is_whitespace)
            && v.split_once('@').is_some_and(|(local, host)| {
                !local.is_empty()
                    && host.contains('.')
                    && !host.starts_with('.')
                    && !host.ends_with('.')
            });
        if !valid {
            self.fail(field, "invalid_email");
        }
        Some(v.to_owned())
    }

    pub fn optional_phone(&mut self, field: &str, raw: &str) -> Option<String> {
        let v = raw.trim();
        if v.is_empty() {
            return None;
        }
        let digits = v.chars().filter(char::is_ascii_digit).count();
        let valid = v
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))
            && (5..=20).contains(&digits);
        if !valid {
            self.fail(field, "invalid_phone");
        }
        Some(v.to_owned())
    }

    pub fn sort_order(&mut self, field: &str, value: i64) -> i32 {
        match i32::try_from(value) {
            Ok(v) if (0..=1_000_000).contains(&v) => v,
            _ => {
                self.fail(field, "out_of_range");
                0
            }
        }
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: impl FnOnce(&mut Validator), expected: &[(&str, &str)]) {
        let mut v = Validator::new();
        f(&mut v);
        let got: Vec<(String, &str)> = match v.finish() {
            Ok(()) => vec![],
            Err(e) => e.0.into_iter().map(|e| (e.field, e.code)).collect(),
        };
        let expected: Vec<(String, &str)> =
            expected.iter().map(|(f, c)| (f.to_string(), *c)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn names() {
        check(|v| assert_eq!(v.name("name", "  督查室 "), "督查室"), &[]);
        check(|v| _ = v.name("name", "   "), &[("name", "required")]);
        check(
            |v| _ = v.name("name", &"长".repeat(101)),
            &[("name", "too_long")],
        );
        check(
            |v| _ = v.name("name", "a\u{7}b"),
            &[("name", "invalid_characters")],
        );
    }

    #[test]
    fn usernames_are_folded_and_checked() {
        check(
            |v| assert_eq!(v.username("username", " Zhang.San "), "zhang.san"),
            &[],
        );
        check(
            |v| _ = v.username("username", "ab"),
            &[("username", "invalid_username")],
        );
        check(
            |v| _ = v.username("username", "_abc"),
            &[("username", "invalid_username")],
        );
        check(
            |v| _ = v.username("username", "张三abc"),
            &[("username", "invalid_username")],
        );
        check(
            |v| _ = v.username("username", ""),
            &[("username", "required")],
        );
    }

    #[test]
    fn passwords_emails_phones_codes() {
        check(
            |v| _ = v.password("password", "short"),
            &[("password", "password_too_short")],
        );
        check(|v| _ = v.password("password", "long enough"), &[]);
        check(|v| assert_eq!(v.optional_email("email", " "), None), &[]);
        check(
            |v| _ = v.optional_email("email", "a@b"),
            &[("email", "invalid_email")],
        );
        check(|v| _ = v.optional_email("email", "li@xt.gov.cn"), &[]);
        check(|v| _ = v.optional_phone("phone", "0731-5858 1234"), &[]);
        check(
            |v| _ = v.optional_phone("phone", "abc"),
            &[("phone", "invalid_phone")],
        );
        check(|v| _ = v.code("code", "dcs-01"), &[]);
        check(|v| _ = v.code("code", "督查"), &[("code", "invalid_code")]);
        check(
            |v| _ = v.sort_order("sort_order", -1),
            &[("sort_order", "out_of_range")],
        );
    }

    #[test]
    fn all_errors_of_one_input_are_reported_together() {
        check(
            |v| {
                v.name("name", "");
                v.username("username", "x");
            },
            &[("name", "required"), ("username", "invalid_username")],
        );
    }
}
