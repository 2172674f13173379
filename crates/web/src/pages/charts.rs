//! The charts of the supervision pages, drawn on the server as inline SVG by `docs::charts`:
//! cards by colour (a donut) and cards by unit (stacked bars).

use app::{ColorCounts, UnitCounts};
use docs::charts::{BarRow, Donut, Series, Slice, StackedBars, donut, stacked_bars};

use crate::i18n::Lang;

const GREEN: &str = "#2e7d32";
const YELLOW: &str = "#f2b705";
const RED: &str = "#c0392b";

fn colors(lang: Lang) -> [(&'static str, &'static str); 3] {
    [
        (lang.t("color.red"), RED),
        (lang.t("color.yellow"), YELLOW),
        (lang.t("color.green"), GREEN),
    ]
}

/// The share of red, yellow and green cards.
pub fn cards_donut(lang: Lang, title: &str, c: &ColorCounts) -> String {
    let values = [c.red, c.yellow, c.green];
    donut(&Donut {
        title: title.to_owned(),
        slices: colors(lang)
            .iter()
            .zip(values)
            .map(|((label, color), v)| Slice {
                label: (*label).to_owned(),
                value: u64::try_from(v).unwrap_or(0),
                color: (*color).to_owned(),
            })
            .collect(),
        center_label: lang.t("chart.cards").to_owned(),
        empty_text: lang.t("chart.no_cards").to_owned(),
    })
}

/// Cards per unit, red first; each bar links to `href(unit)` when given.
pub fn units_bars(
    lang: Lang,
    title: &str,
    units: &[UnitCounts],
    href: impl Fn(i64) -> Option<String>,
) -> String {
    stacked_bars(&StackedBars {
        title: title.to_owned(),
        series: colors(lang)
            .iter()
            .map(|(label, color)| Series {
                label: (*label).to_owned(),
                color: (*color).to_owned(),
            })
            .collect(),
        rows: units
            .iter()
            .map(|u| BarRow {
                label: u.unit_name.clone(),
                values: [u.counts.red, u.counts.yellow, u.counts.green]
                    .into_iter()
                    .map(|v| u64::try_from(v).unwrap_or(0))
                    .collect(),
                href: href(u.unit_id),
            })
            .collect(),
        empty_text: lang.t("chart.no_cards").to_owned(),
    })
}
