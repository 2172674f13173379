//! Reading HTML form bodies. The body is parsed leniently into name/value pairs, so a
//! malformed or partial submission never fails in the extractor: missing fields read as empty
//! and the use case's validation names what is wrong.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use domain::validate::Validator;

#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        FormData(form_urlencoded::parse(body).into_owned().collect())
    }

    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "1" | "on" | "true")
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = std::convert::Infallible;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.unwrap_or_default();
        Ok(FormData::parse(&bytes))
    }
}

/// An optional id field: empty means none; anything else must be a positive integer.
pub fn opt_id(v: &mut Validator, field: &str, raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            v.fail(field, "not_a_number");
            None
        }
    }
}

/// An integer field with a default when empty.
pub fn int_or(v: &mut Validator, field: &str, raw: &str, default: i64) -> i64 {
    let raw = raw.trim();
    if raw.is_empty() {
        return default;
    }
    raw.parse::<i64>().unwrap_or_else(|_| {
        v.fail(field, "not_a_number");
        default
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_parse_leniently() {
        let f =
            FormData::parse(b"name=%E8%B4%A2%E6%94%BF%E5%B1%80&unit_ids=1&unit_ids=2&broken=%zz&x");
        assert_eq!(f.get("name"), "财政局");
        assert_eq!(f.all("unit_ids"), vec!["1", "2"]);
        assert_eq!(f.get("missing"), "");
        let mut v = Validator::new();
        assert_eq!(opt_id(&mut v, "parent_id", "abc"), None);
        assert_eq!(opt_id(&mut v, "unit_id", " 7 "), Some(7));
        assert_eq!(int_or(&mut v, "sort_order", "", 5), 5);
        let err = v.finish().unwrap_err();
        assert_eq!(err.for_field("parent_id"), Some("not_a_number"));
        assert_eq!(err.0.len(), 1);
    }
}
