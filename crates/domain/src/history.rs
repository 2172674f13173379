//! The demo's history: 36 closed months from January 2013, shaped like the zone of the source
//! article. Some 78 tasks a month (2,793 in all), of which 2,647 are signed off in the month
//! they are planned; the others are carried into the next month, eight of them twice, so that
//! the accountability ladder reaches an admonishment for eight persons; every month publishes
//! its key items with their cards (32 distinct items in 2015) and in 2015 six warnings are
//! issued. This is only the shape, month by month; the application writes it as rows, and the
//! statistics count those rows as they count any other.

use crate::plan::YearMonth;

pub const FIRST: YearMonth = YearMonth {
    year: 2013,
    month: 1,
};
pub const MONTHS: usize = 36;

/// Planned tasks a month around 77: the year's rhythm (slow January, busy summer).
const RHYTHM: [i32; 12] = [-6, -3, 0, 2, 4, 5, 3, 1, -1, -2, -4, 1];
/// Tasks left unsigned at the month's end, before the extra ones of the first half-year.
const CARRIED: [usize; 12] = [3, 5, 4, 6, 2, 4, 5, 3, 4, 5, 3, 4];
/// Months in which a task is left unsigned twice in a row (its owner is admonished).
const STUBBORN: [usize; 8] = [2, 6, 10, 14, 18, 22, 26, 30];
/// Key items published each month of 2015 (32 in the year); 2 a month before.
const PUBLISHED_2015: [usize; 12] = [3, 2, 3, 2, 3, 3, 2, 3, 3, 2, 3, 3];
/// The months of 2015 in which a red card brings a warning.
const WARNED_2015: [usize; 6] = [1, 3, 5, 7, 9, 10];

/// One task of a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistTask {
    /// The task of the month before that it continues (an index into that month's tasks).
    pub carried_from: Option<usize>,
    pub months_overdue: u32,
    pub signed_off: bool,
    /// A key item, published with its card.
    pub key: bool,
    /// Which of the eight chains left unsigned twice it belongs to.
    pub stubborn: Option<usize>,
    /// Its card was red when published, and its owner was warned.
    pub warned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistMonth {
    pub month: YearMonth,
    pub tasks: Vec<HistTask>,
}

fn planned(m: usize) -> usize {
    let extra = i32::from(m < 21);
    usize::try_from(77 + RHYTHM[m % 12] + extra).unwrap_or(77)
}

fn carried(m: usize) -> usize {
    if m + 1 == MONTHS {
        0
    } else {
        CARRIED[m % 12] + usize::from(m < 6)
    }
}

fn published(m: usize) -> usize {
    if m >= 24 { PUBLISHED_2015[m - 24] } else { 2 }
}

/// The 36 months.
pub fn history() -> Vec<HistMonth> {
    let mut out: Vec<HistMonth> = Vec::with_capacity(MONTHS);
    let mut month = FIRST;
    for m in 0..MONTHS {
        let mut tasks: Vec<HistTask> = Vec::new();
        // Continuations first: every task left unsigned last month.
        if let Some(prev) = out.last() {
            for (i, t) in prev.tasks.iter().enumerate().filter(|(_, t)| !t.signed_off) {
                // A stubborn chain stays unsigned once more, then is signed off.
                let again = t.stubborn.is_some() && t.months_overdue == 0;
                tasks.push(HistTask {
                    carried_from: Some(i),
                    months_overdue: t.months_overdue + 1,
                    signed_off: !again,
                    key: false,
                    stubborn: t.stubborn,
                    warned: false,
                });
            }
        }
        let continuing = tasks.len();
        let still_open = tasks.iter().filter(|t| !t.signed_off).count();
        let fresh = planned(m) - continuing;
        let root = STUBBORN.iter().position(|s| *s == m);
        // New tasks left unsigned besides a stubborn chain's root: the last of the month.
        let plain = carried(m).saturating_sub(still_open + usize::from(root.is_some()));
        for k in 0..fresh {
            let stubborn = root.filter(|_| k == 0);
            let open = stubborn.is_some() || k + plain >= fresh;
            tasks.push(HistTask {
                carried_from: None,
                months_overdue: 0,
                signed_off: !open,
                key: false,
                stubborn,
                warned: false,
            });
        }
        // Key items: the first new unsigned task of the month (red), then signed ones.
        let mut key = published(m);
        let red = tasks
            .iter()
            .position(|t| t.carried_from.is_none() && !t.signed_off);
        if let Some(r) = red
            && key > 0
        {
            tasks[r].key = true;
            tasks[r].warned = m >= 24 && WARNED_2015.contains(&(m - 24));
            key -= 1;
        }
        for t in tasks
            .iter_mut()
            .filter(|t| t.carried_from.is_none() && t.signed_off)
            .take(key)
        {
            t.key = true;
        }
        out.push(HistMonth { month, tasks });
        month = month.next();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_has_the_article_s_shape() {
        let h = history();
        assert_eq!(h.len(), 36);
        assert_eq!(h[0].month, FIRST);
        assert_eq!(h[35].month.to_string(), "2015-12");
        let all: Vec<&HistTask> = h.iter().flat_map(|m| &m.tasks).collect();
        assert_eq!(all.len(), 2793);
        assert_eq!(all.iter().filter(|t| t.signed_off).count(), 2647);
        for (m, month) in h.iter().enumerate() {
            assert_eq!(month.tasks.len(), planned(m), "month {m}");
            assert_eq!(
                month.tasks.iter().filter(|t| !t.signed_off).count(),
                carried(m),
                "month {m}"
            );
        }
        // Every task left unsigned continues the next month, and only those.
        for w in h.windows(2) {
            let open = w[0].tasks.iter().filter(|t| !t.signed_off).count();
            let cont = w[1]
                .tasks
                .iter()
                .filter(|t| t.carried_from.is_some())
                .count();
            assert_eq!(open, cont);
        }
        // Eight chains reach a second month unsigned.
        let twice = all
            .iter()
            .filter(|t| t.months_overdue == 1 && !t.signed_off)
            .count();
        assert_eq!(twice, 8);
        let y2015: Vec<&HistTask> = h[24..].iter().flat_map(|m| &m.tasks).collect();
        assert_eq!(y2015.iter().filter(|t| t.key).count(), 32);
        assert_eq!(y2015.iter().filter(|t| t.warned).count(), 6);
        assert!(
            y2015
                .iter()
                .filter(|t| t.warned)
                .all(|t| t.key && !t.signed_off)
        );
    }
}
