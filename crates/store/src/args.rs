//! Arguments of queries whose predicates depend on which filters are set. Only the filters
//! that are set become predicates (an `$n IS NULL OR …` term hides an index from the planner),
//! so the SQL text is assembled here with numbered placeholders and the values bound in order.

pub(crate) enum Arg {
    I(i64),
    S(String),
    B(bool),
    T(chrono::DateTime<chrono::Utc>),
    /// A nullable integer.
    N(Option<i64>),
    /// A nullable text.
    NS(Option<String>),
}

#[derive(Default)]
pub(crate) struct Args {
    pub(crate) values: Vec<Arg>,
    pub(crate) preds: Vec<String>,
}

impl Args {
    pub(crate) fn new() -> Self {
        Args::default()
    }

    /// Adds a value and returns its placeholder (`$n`).
    pub(crate) fn push(&mut self, a: Arg) -> String {
        self.values.push(a);
        format!("${}", self.values.len())
    }

    pub(crate) fn int(&mut self, v: i64) -> String {
        self.push(Arg::I(v))
    }

    pub(crate) fn text(&mut self, v: &str) -> String {
        self.push(Arg::S(v.to_owned()))
    }

    /// `col = $n` when the value is set.
    pub(crate) fn eq_int(&mut self, col: &str, v: Option<i64>) {
        if let Some(v) = v {
            let p = self.int(v);
            self.preds.push(format!("{col} = {p}"));
        }
    }

    pub(crate) fn eq_text(&mut self, col: &str, v: Option<&str>) {
        if let Some(v) = v {
            let p = self.text(v);
            self.preds.push(format!("{col} = {p}"));
        }
    }

    /// `col IN (…)` when the list is not empty.
    pub(crate) fn in_text(&mut self, col: &str, vs: &[String]) {
        if !vs.is_empty() {
            let ps: Vec<String> = vs.iter().map(|v| self.text(v)).collect();
            self.preds.push(format!("{col} IN ({})", ps.join(", ")));
        }
    }

    pub(crate) fn in_int(&mut self, col: &str, vs: &[i64]) {
        if !vs.is_empty() {
            let ps: Vec<String> = vs.iter().map(|v| self.int(*v)).collect();
            self.preds.push(format!("{col} IN ({})", ps.join(", ")));
        }
    }

    /// A visibility scope: the unit path column starts with one of `paths`.
    pub(crate) fn under_paths(&mut self, col: &str, paths: &[String]) {
        let term = self.under_paths_term(col, paths);
        self.preds.push(term);
    }

    /// The same scope as a term to combine with others.
    pub(crate) fn under_paths_term(&mut self, col: &str, paths: &[String]) -> String {
        let terms: Vec<String> = paths
            .iter()
            .map(|p| {
                let ph = self.text(&format!("{p}%"));
                format!("{col} LIKE {ph}")
            })
            .collect();
        format!("({})", terms.join(" OR "))
    }

    pub(crate) fn pred(&mut self, p: impl Into<String>) {
        self.preds.push(p.into());
    }

    /// The predicates joined with AND (`TRUE` when there are none).
    pub(crate) fn where_(&self) -> String {
        if self.preds.is_empty() {
            "TRUE".into()
        } else {
            self.preds.join(" AND ")
        }
    }
}

/// Binds every value of an [`Args`] to a query, in order.
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in &$args.values {
            q = match a {
                $crate::args::Arg::I(v) => q.bind(*v),
                $crate::args::Arg::S(v) => q.bind(v.as_str()),
                $crate::args::Arg::B(v) => q.bind(*v),
                $crate::args::Arg::T(v) => q.bind(*v),
                $crate::args::Arg::N(v) => q.bind(*v),
                $crate::args::Arg::NS(v) => q.bind(v.as_deref()),
            };
        }
        q
    }};
}
