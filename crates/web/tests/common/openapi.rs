//! The OpenAPI document as a contract: finds the operation a call matches and checks a real
//! answer against it: the status must be documented for the operation, and the body must match
//! the documented schema, strictly (a property the schema does not name is a violation, since
//! an integrating system reads only what the document describes). Covers the part of JSON
//! Schema the document uses: `$ref`, `type` (one or several), `properties`, `required`,
//! `additionalProperties`, `items`, `enum`, `oneOf` / `anyOf` / `allOf`, `minimum`,
//! `maximum`, `pattern` (anchored digits only) and the formats `date`, `date-time`, `int32`,
//! `int64`.

#![allow(dead_code)]

use serde_json::Value;

pub struct Contract {
    pub doc: Value,
}

impl Contract {
    pub fn new(doc: Value) -> Contract {
        Contract { doc }
    }

    /// Every (method, path template) of the document, methods in lower case.
    pub fn operations(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, item) in self.doc["paths"].as_object().into_iter().flatten() {
            for m in ["get", "post", "put", "patch", "delete"] {
                if item.get(m).is_some() {
                    out.push((m.to_owned(), path.clone()));
                }
            }
        }
        out
    }

    pub fn operation(&self, method: &str, template: &str) -> Option<&Value> {
        self.doc["paths"].get(template)?.get(method.to_lowercase())
    }

    /// The template of the document a concrete path (relative to `/api/v1`, without its query)
    /// matches: literal segments equal, `{…}` segments anything; the template with the most
    /// literal segments wins (`/months/current` over `/months/{month}`).
    pub fn template_of(&self, method: &str, path: &str) -> Option<String> {
        let path = path.split('?').next().unwrap_or(path);
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut best: Option<(usize, String)> = None;
        for (m, t) in self.operations() {
            if m != method.to_lowercase() {
                continue;
            }
            let ts: Vec<&str> = t.trim_matches('/').split('/').collect();
            if ts.len() != segs.len() {
                continue;
            }
            let mut literal = 0;
            let fits = ts.iter().zip(&segs).all(|(a, b)| {
                if a.starts_with('{') {
                    true
                } else {
                    literal += 1;
                    a == b
                }
            });
            if fits && best.as_ref().is_none_or(|(n, _)| literal > *n) {
                best = Some((literal, t));
            }
        }
        best.map(|(_, t)| t)
    }

    /// What is wrong with answering `status` and `body` to the operation; empty if nothing.
    pub fn violations(&self, method: &str, template: &str, status: u16, body: &str) -> Vec<String> {
        let Some(op) = self.operation(method, template) else {
            return vec![format!("{method} {template} is not in the document")];
        };
        let responses = &op["responses"];
        let Some(resp) = responses
            .get(status.to_string())
            .or_else(|| responses.get("default"))
        else {
            return vec![format!(
                "{method} {template}: status {status} is not documented (documented: {:?})",
                responses
                    .as_object()
                    .map(|m| m.keys().cloned().collect::<Vec<_>>())
            )];
        };
        let resp = self.resolve(resp);
        let content = &resp["content"];
        let Some(schema) = content
            .get("application/json")
            .or_else(|| content.as_object().and_then(|m| m.values().next()))
            .map(|c| &c["schema"])
        else {
            return vec![];
        };
        // Bodies that are not JSON (a file) are described only by their media type.
        if content.get("application/json").is_none() {
            return vec![];
        }
        let value: Value = match serde_json::from_str(body) {
            Ok(v) => v,
            Err(e) => return vec![format!("{method} {template} {status}: not JSON ({e})")],
        };
        let mut errs = Vec::new();
        self.check(schema, &value, "", &mut errs);
        errs.into_iter()
            .map(|e| format!("{method} {template} {status}: {e}"))
            .collect()
    }

    fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        let mut v = v;
        for _ in 0..16 {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else {
                return v;
            };
            let pointer = r.trim_start_matches('#');
            match self.doc.pointer(pointer) {
                Some(t) => v = t,
                None => return v,
            }
        }
        v
    }

    /// Checks `v` against `schema` at JSON pointer `at`, collecting what does not match.
    pub fn check(&self, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
        let s = self.resolve(schema);
        if s.as_bool() == Some(true) || s.as_object().is_some_and(|m| m.is_empty()) {
            return;
        }
        for (key, any) in [("oneOf", false), ("anyOf", true)] {
            if let Some(alts) = s.get(key).and_then(Value::as_array) {
                let fits = alts
                    .iter()
                    .filter(|alt| {
                        let mut e = Vec::new();
                        self.check(alt, v, at, &mut e);
                        e.is_empty()
                    })
                    .count();
                // Alternatives may overlap (a null matches an optional and a nullable one):
                // one that fits is enough.
                let _ = any;
                if fits == 0 {
                    errs.push(format!(
                        "{at}: {} alternatives of {key} match {}",
                        fits,
                        short(v)
                    ));
                }
                return;
            }
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            // Every part's checks, with the properties of all parts allowed together.
            let mut merged = serde_json::Map::new();
            let mut required = Vec::new();
            for part in all {
                let p = self.resolve(part);
                if let Some(props) = p.get("properties").and_then(Value::as_object) {
                    merged.extend(props.clone());
                }
                if let Some(r) = p.get("required").and_then(Value::as_array) {
                    required.extend(r.clone());
                }
            }
            let mut one = s.as_object().cloned().unwrap_or_default();
            one.remove("allOf");
            one.insert("properties".into(), Value::Object(merged));
            one.insert("required".into(), Value::Array(required));
            if !one.contains_key("type") {
                one.insert("type".into(), Value::String("object".into()));
            }
            self.check(&Value::Object(one), v, at, errs);
            return;
        }
        if let Some(options) = s.get("enum").and_then(Value::as_array)
            && !options.contains(v)
        {
            errs.push(format!("{at}: {} is not one of {options:?}", short(v)));
            return;
        }
        let types: Vec<&str> = match s.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if s.get("nullable").and_then(Value::as_bool) == Some(true) && v.is_null() {
            return;
        }
        if !types.is_empty() && !types.iter().any(|t| type_fits(t, v)) {
            errs.push(format!("{at}: {} is not {types:?}", short(v)));
            return;
        }
        match v {
            Value::Object(m) => {
                let props = s.get("properties").and_then(Value::as_object);
                for r in s
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(r) = r.as_str()
                        && !m.contains_key(r)
                    {
                        errs.push(format!("{at}: the required property {r:?} is missing"));
                    }
                }
                let extra = s.get("additionalProperties");
                for (k, x) in m {
                    let here = format!("{at}/{k}");
                    match (props.and_then(|p| p.get(k)), extra) {
                        (Some(ps), _) => self.check(ps, x, &here, errs),
                        (None, Some(Value::Bool(true))) => {}
                        (None, Some(e @ Value::Object(_))) => self.check(e, x, &here, errs),
                        // A free-form object (no properties named) takes anything.
                        (None, _) if props.is_none() => {}
                        (None, _) => errs.push(format!(
                            "{here}: the schema does not describe this property"
                        )),
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = s.get("items") {
                    for (i, x) in items.iter().enumerate() {
                        self.check(item, x, &format!("{at}/{i}"), errs);
                    }
                }
            }
            Value::String(text) => match s.get("format").and_then(Value::as_str) {
                Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
                    errs.push(format!("{at}: {text:?} is not a date-time"));
                }
                Some("date") if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() => {
                    errs.push(format!("{at}: {text:?} is not a date"));
                }
                _ => {
                    if let Some(p) = s.get("pattern").and_then(Value::as_str)
                        && !digits_pattern_fits(p, text)
                    {
                        errs.push(format!("{at}: {text:?} does not match {p:?}"));
                    }
                }
            },
            Value::Number(n) => {
                if let (Some(min), Some(x)) = (s.get("minimum").and_then(Value::as_f64), n.as_f64())
                    && x < min
                {
                    errs.push(format!("{at}: {x} is below the minimum {min}"));
                }
                if let (Some(max), Some(x)) = (s.get("maximum").and_then(Value::as_f64), n.as_f64())
                    && x > max
                {
                    errs.push(format!("{at}: {x} is above the maximum {max}"));
                }
            }
            _ => {}
        }
    }
}

fn type_fits(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

/// The document's patterns are anchored runs of `\d{n}` and literal characters
/// (`^\d{4}-\d{2}$`); anything else is not checked.
fn digits_pattern_fits(p: &str, text: &str) -> bool {
    let Some(body) = p.strip_prefix('^').and_then(|b| b.strip_suffix('$')) else {
        return true;
    };
    let mut want = String::new();
    let mut rest = body;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("\\d{") {
            let Some((n, after)) = r.split_once('}') else {
                return true;
            };
            let Ok(n) = n.parse::<usize>() else {
                return true;
            };
            want.push_str(&"9".repeat(n));
            rest = after;
        } else {
            let c = rest.chars().next().unwrap_or_default();
            if "\\[]().*+?|".contains(c) {
                return true;
            }
            want.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    want.len() == text.len()
        && want
            .chars()
            .zip(text.chars())
            .all(|(w, t)| if w == '9' { t.is_ascii_digit() } else { w == t })
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}
