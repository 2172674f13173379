//! Charts drawn on the server as standalone inline SVG.
//!
//! This module owns the pictures that pages put beside their tables: horizontal stacked bars
//! (for example tasks per unit, one colour per state), donuts (shares of a whole) and line
//! charts (a rate month by month). Each function takes plain data and returns one `<svg>`
//! string that carries everything it needs: no script, no style sheet, no font, image or URL
//! fetched, so it can be inlined in a page or a printed report, and the same input always gives
//! the same bytes. Labels are measured with [`text_width`], a CJK-aware estimate, so that long
//! Chinese unit names get a wide enough column or are shortened with "…" (the full text stays
//! in the tooltip). All text is XML-escaped, links are kept only when they are relative or
//! http(s), and no input makes a function panic or write `NaN` or `inf`: a chart with nothing
//! to show draws its `empty_text` instead.

use std::fmt::{self, Write as _};

/// One series (a colour in the legend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub label: String,
    /// A CSS colour such as `"#c0392b"`.
    pub color: String,
}

/// One row of a horizontal stacked bar chart: a label (often a unit name such as
/// "安全生产监督管理局"), one value per series, and an optional link.
///
/// Values beyond the number of series are ignored; missing values count as zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarRow {
    pub label: String,
    pub values: Vec<u64>,
    /// Where the row links to. Relative links and http(s) links are kept; any other scheme
    /// (`javascript:`, `data:` …) is dropped and the row is drawn without a link.
    pub href: Option<String>,
}

/// A horizontal stacked bar chart: one bar per row, one segment per series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackedBars {
    pub title: String,
    pub series: Vec<Series>,
    pub rows: Vec<BarRow>,
    /// Shown instead of the chart when there are no rows or every value is zero.
    pub empty_text: String,
}

/// One slice of a donut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    pub label: String,
    pub value: u64,
    pub color: String,
}

/// A donut: the slices around a ring, the total in the middle, a legend with percentages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Donut {
    pub title: String,
    pub slices: Vec<Slice>,
    /// A caption under the total in the middle of the ring (for example "任务总数"); may be empty.
    pub center_label: String,
    /// Shown instead of the chart when there are no slices or every value is zero.
    pub empty_text: String,
}

/// One line of a line chart: one value per x label, `None` for a gap.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSeries {
    pub label: String,
    pub color: String,
    /// Non-finite values are treated as gaps, negative values are drawn at zero.
    pub values: Vec<Option<f64>>,
}

/// A line chart over shared x labels (months, weeks …).
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub x_labels: Vec<String>,
    pub series: Vec<LineSeries>,
    /// The top of the y axis (for example `Some(100.0)` for percentages). Values above it are
    /// drawn at the top. `None`, or a value that is not a positive number, takes a round
    /// number just above the largest value.
    pub y_max: Option<f64>,
    /// Written after every y tick and value, for example `"%"`.
    pub y_suffix: String,
    /// Shown instead of the chart when no series has a value.
    pub empty_text: String,
}

const FONT_FAMILY: &str =
    "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif";

/// Width of the bar and line charts' view box, and the largest any chart gets.
const WIDTH: f64 = 720.0;
/// Width of the picture drawn for empty data.
const EMPTY_WIDTH: f64 = 360.0;
const PAD: f64 = 12.0;
const TITLE_FONT: f64 = 15.0;
/// Vertical space the visible title takes, when there is one.
const TITLE_BLOCK: f64 = 28.0;
const LABEL_FONT: f64 = 13.0;
const SMALL_FONT: f64 = 12.0;
const AXIS_FONT: f64 = 11.0;
const LEGEND_LINE: f64 = 20.0;
const SWATCH: f64 = 10.0;
/// Height of one bar row.
const ROW_H: f64 = 28.0;
const BAR_H: f64 = 18.0;
/// The widest the bar chart's label column gets; longer labels are shortened.
const LABEL_MAX: f64 = 200.0;
/// The widest a donut legend label or a line chart x label gets.
const LEGEND_LABEL_MAX: f64 = 240.0;
const X_LABEL_MAX: f64 = 120.0;
const DONUT_R: f64 = 80.0;
const DONUT_HOLE: f64 = 52.0;
const PLOT_H: f64 = 200.0;
const TEXT: &str = "#333";
const MUTED: &str = "#777";
const GRID: &str = "#e6e6e6";
const AXIS: &str = "#999";
const FALLBACK_COLOR: &str = "#999";
/// A line of text is drawn with its baseline this fraction of the font size below the line's
/// visual centre (cap height of CJK and Latin faces is about 0.7em).
const BASELINE: f64 = 0.35;
const ELLIPSIS: char = '…';

/// Approximate rendered width in px of `s` at `font_px`: CJK ideographs, kana, hangul and
/// full-width forms count as 1em, ASCII letters and digits 0.6em, spaces and ASCII punctuation
/// narrower, combining marks and control characters nothing. Characters of other scripts are
/// counted as 1em, the safe side when fitting text into a column.
pub fn text_width(s: &str, font_px: f64) -> f64 {
    if !(font_px.is_finite() && font_px > 0.0) {
        return 0.0;
    }
    s.chars().map(char_em).sum::<f64>() * font_px
}

/// The width of one character in em (see [`text_width`]).
fn char_em(c: char) -> f64 {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' => 0.6,
        ' ' => 0.3,
        '!'..='~' => 0.4,
        // Controls, combining marks, zero-width characters and variation selectors.
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{300}'..='\u{36f}'
        | '\u{200b}'..='\u{200f}'
        | '\u{fe00}'..='\u{fe0f}' => 0.0,
        // Latin-1, Latin Extended, IPA, Greek and Cyrillic letters.
        '\u{a0}'..='\u{2ff}' | '\u{370}'..='\u{52f}' => 0.6,
        // Half-width katakana and hangul.
        '\u{ff61}'..='\u{ffdc}' => 0.5,
        // Hangul Jamo, CJK punctuation, kana, CJK ideographs, Yi, hangul syllables,
        // compatibility ideographs, full-width forms, and the supplementary ideograph planes.
        '\u{1100}'..='\u{11ff}'
        | '\u{2e80}'..='\u{a4cf}'
        | '\u{ac00}'..='\u{d7af}'
        | '\u{f900}'..='\u{faff}'
        | '\u{fe30}'..='\u{fe4f}'
        | '\u{ff00}'..='\u{ff60}'
        | '\u{ffe0}'..='\u{ffe6}'
        | '\u{20000}'..='\u{3ffff}' => 1.0,
        // Everything else (symbols, other scripts): assume full width.
        _ => 1.0,
    }
}

/// `s` as it fits in `max_px` at `font_px`: unchanged when it fits, otherwise cut and ended with
/// "…" (empty if not even that fits). The flag says whether it was cut.
fn fit(s: &str, max_px: f64, font_px: f64) -> (String, bool) {
    if text_width(s, font_px) <= max_px {
        return (s.to_owned(), false);
    }
    let budget = max_px - char_em(ELLIPSIS) * font_px;
    if budget < 0.0 {
        return (String::new(), true);
    }
    let mut used = 0.0;
    let mut out = String::new();
    for c in s.chars() {
        let w = char_em(c) * font_px;
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    let mut out = out.trim_end().to_owned();
    out.push(ELLIPSIS);
    (out, true)
}

/// `s` escaped for XML text and attribute values. Characters XML 1.0 does not allow are
/// dropped; tabs and line breaks become spaces (a label is one line).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A colour for a `fill` or `stroke` attribute: escaped, or a neutral grey when blank.
fn color(c: &str) -> String {
    if c.trim().is_empty() {
        FALLBACK_COLOR.to_owned()
    } else {
        escape(c.trim())
    }
}

/// `href` if it is safe to link to: relative, or with an http or https scheme.
fn safe_href(href: &str) -> Option<&str> {
    let h = href.trim();
    if h.is_empty() {
        return None;
    }
    match h.find([':', '/', '?', '#']) {
        Some(i) if h[i..].starts_with(':') => {
            let scheme = &h[..i];
            (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
                .then_some(h)
        }
        _ => Some(h),
    }
}

/// A coordinate or length for an attribute: at most one decimal place, no trailing ".0", no
/// "-0", and 0 for anything that is not finite.
struct N(f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = if self.0.is_finite() { self.0 } else { 0.0 };
        if x.abs() >= 1e15 {
            return write!(f, "{x:.0}");
        }
        let tenths = (x * 10.0).round();
        if tenths == 0.0 {
            f.write_str("0")
        } else if tenths % 10.0 == 0.0 {
            write!(f, "{:.0}", tenths / 10.0)
        } else {
            write!(f, "{:.1}", tenths / 10.0)
        }
    }
}

/// `x` rounded to the one decimal place it is written with.
fn round1(x: f64) -> f64 {
    if x.is_finite() && x.abs() < 1e15 {
        (x * 10.0).round() / 10.0
    } else {
        x
    }
}

/// A deterministic id for a chart's title, distinct between different charts on one page.
fn chart_id(kind: &str, title: &str, body: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = kind
        .bytes()
        .chain([0])
        .chain(title.bytes())
        .chain([0])
        .chain(body.bytes());
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("xh-{kind}-{h:016x}")
}

/// The `<svg>` element around `body`, titled `title` for screen readers.
fn wrap(kind: &str, title: &str, width: f64, height: f64, body: &str) -> String {
    let id = chart_id(kind, title, body);
    let (w, h) = (N(width), N(height));
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px;height:auto" role="img" aria-labelledby="{id}" font-family="{FONT_FAMILY}" font-size="{SMALL_FONT}"><title id="{id}">{t}</title>{body}</svg>"#,
        t = escape(title),
    )
}

/// The visible title at the top of a chart `width` wide; returns the height it takes.
fn title_text(out: &mut String, title: &str, width: f64) -> f64 {
    if title.trim().is_empty() {
        return 0.0;
    }
    let (t, _) = fit(title.trim(), width - 2.0 * PAD, TITLE_FONT);
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="{}" font-weight="bold" fill="{TEXT}">{}</text>"#,
        N(PAD),
        N(PAD + TITLE_FONT),
        N(TITLE_FONT),
        escape(&t)
    );
    TITLE_BLOCK
}

/// The small picture drawn when a chart has nothing to show.
fn empty_chart(kind: &str, title: &str, empty_text: &str) -> String {
    let mut body = String::new();
    let top = PAD + title_text(&mut body, title, EMPTY_WIDTH);
    let (t, _) = fit(empty_text.trim(), EMPTY_WIDTH - 2.0 * PAD, LABEL_FONT);
    let box_h = 48.0;
    let _ = write!(
        body,
        r#"<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{MUTED}">{}</text>"#,
        N(EMPTY_WIDTH / 2.0),
        N(top + box_h / 2.0 + LABEL_FONT * BASELINE),
        N(LABEL_FONT),
        escape(&t)
    );
    // Screen readers read the title only, so the title says there is no data as well.
    let spoken = match (title.trim().is_empty(), empty_text.trim().is_empty()) {
        (_, true) => title.trim().to_owned(),
        (true, false) => empty_text.trim().to_owned(),
        (false, false) => format!("{}：{}", title.trim(), empty_text.trim()),
    };
    wrap(kind, &spoken, EMPTY_WIDTH, top + box_h + PAD, &body)
}

/// A legend that flows left to right and wraps within `max_w`; returns the height it takes.
fn legend(out: &mut String, items: &[(String, String)], x: f64, y: f64, max_w: f64) -> f64 {
    if items.is_empty() {
        return 0.0;
    }
    let mut dx = 0.0;
    let mut line = 0.0;
    for (label, fill) in items {
        let (t, _) = fit(label, max_w - SWATCH - 6.0, SMALL_FONT);
        let w = SWATCH + 6.0 + text_width(&t, SMALL_FONT);
        if dx > 0.0 && dx + w > max_w {
            line += 1.0;
            dx = 0.0;
        }
        let mid = y + line * LEGEND_LINE + LEGEND_LINE / 2.0;
        legend_item(out, x + dx, mid, fill, &t);
        dx += w + 16.0;
    }
    (line + 1.0) * LEGEND_LINE
}

/// One legend entry: a swatch and its text, centred on `mid`.
fn legend_item(out: &mut String, x: f64, mid: f64, fill: &str, text: &str) {
    let _ = write!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"/><text x="{}" y="{}" fill="{TEXT}">{}</text>"#,
        N(x),
        N(mid - SWATCH / 2.0),
        N(SWATCH),
        N(SWATCH),
        color(fill),
        N(x + SWATCH + 6.0),
        N(mid + SMALL_FONT * BASELINE),
        escape(text)
    );
}

/// A value axis from zero: its top and the values that get a tick and a gridline.
#[derive(Debug, Clone, PartialEq)]
struct Axis {
    top: f64,
    step: f64,
    ticks: Vec<f64>,
}

/// A round step (1, 2, 2.5 or 5 times a power of ten) that splits `max` into about five parts;
/// whole numbers only when `integer`.
fn nice_step(max: f64, integer: bool) -> f64 {
    let raw = max / 5.0;
    // Clamped to the exponents f64 can hold, so the cast cannot saturate oddly.
    let exp = raw.log10().floor().clamp(-300.0, 300.0) as i32;
    let mag = 10f64.powi(exp);
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        let step = m * mag;
        if integer && (step < 1.0 || step.fract() != 0.0) {
            continue;
        }
        if step >= raw * (1.0 - 1e-9) {
            return step;
        }
    }
    if integer {
        (10.0 * mag).max(1.0)
    } else {
        10.0 * mag
    }
}

impl Axis {
    /// An axis whose top is the first round number at or above `max`.
    fn nice(max: f64, integer: bool) -> Axis {
        let max = if max.is_finite() && max > 1e-9 {
            max
        } else {
            1.0
        };
        let step = nice_step(max, integer);
        let count = (max / step - 1e-9).ceil().max(1.0);
        let top = count * step;
        if !(step > 0.0 && top.is_finite() && count <= 50.0) {
            return Axis {
                top: max,
                step: max,
                ticks: vec![0.0, max],
            };
        }
        let ticks = (0..=count as u32).map(|i| f64::from(i) * step).collect();
        Axis { top, step, ticks }
    }

    /// An axis with the given top (a positive finite number): round ticks below it, none
    /// closer to the top than 0.4 of a step, and the top itself.
    fn fixed(top: f64) -> Axis {
        let step = nice_step(top, false);
        if !(step > 0.0 && step.is_finite()) {
            return Axis {
                top,
                step: top,
                ticks: vec![0.0, top],
            };
        }
        let mut ticks: Vec<f64> = (0..50u32)
            .map(|i| f64::from(i) * step)
            .take_while(|&t| t < top - step * 0.4)
            .collect();
        ticks.push(top);
        Axis { top, step, ticks }
    }

    /// How many decimals the tick labels need to tell the ticks apart.
    fn decimals(&self) -> usize {
        (0..4)
            .find(|&d| {
                let s = self.step * 10f64.powi(d);
                (s - s.round()).abs() < 1e-6 * s.abs().max(1.0)
            })
            .map_or(4, |d| d as usize)
    }

    fn label(&self, t: f64, suffix: &str) -> String {
        let d = self.decimals();
        let mut s = format!("{t:.d$}");
        if s.contains('.') {
            s = s.trim_end_matches('0').trim_end_matches('.').to_owned();
        }
        s.push_str(suffix);
        s
    }
}

/// Draws a horizontal stacked bar chart: one row per [`BarRow`], the label in a column sized to
/// the longest label (at most 200px, longer labels shortened with "…"), one segment per non-zero
/// value with a "label: series value" tooltip, the row's total after the bar, a legend of the
/// series above and a value axis below. Bars share one scale whose end is a round number at or
/// above the largest row total.
pub fn stacked_bars(c: &StackedBars) -> String {
    let n_series = c.series.len();
    let totals: Vec<u128> = c
        .rows
        .iter()
        .map(|r| r.values.iter().take(n_series).map(|&v| u128::from(v)).sum())
        .collect();
    let max_total = totals.iter().copied().max().unwrap_or(0);
    if max_total == 0 {
        return empty_chart("bars", &c.title, &c.empty_text);
    }
    let axis = Axis::nice(max_total as f64, true);

    let mut body = String::new();
    let mut y = title_text(&mut body, &c.title, WIDTH) + PAD;
    let items: Vec<(String, String)> = c
        .series
        .iter()
        .map(|s| (s.label.clone(), s.color.clone()))
        .collect();
    y += legend(&mut body, &items, PAD, y, WIDTH - 2.0 * PAD) + 6.0;

    let longest = c
        .rows
        .iter()
        .map(|r| text_width(r.label.trim(), LABEL_FONT))
        .fold(0.0, f64::max);
    let label_col = longest.min(LABEL_MAX);
    let total_col = text_width(&max_total.to_string(), SMALL_FONT) + 10.0;
    let x0 = PAD + label_col + if label_col > 0.0 { 8.0 } else { 0.0 };
    let bar_w = (WIDTH - PAD - total_col - x0).max(60.0);
    let scale = bar_w / axis.top;
    let rows_top = y;
    let rows_bottom = rows_top + c.rows.len() as f64 * ROW_H;

    for &t in &axis.ticks {
        let x = N(x0 + t * scale);
        let _ = write!(
            body,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}"/>"#,
            N(rows_top),
            N(rows_bottom)
        );
    }

    for (i, (row, &total)) in c.rows.iter().zip(&totals).enumerate() {
        let mid = rows_top + (i as f64 + 0.5) * ROW_H;
        let link = row.href.as_deref().and_then(safe_href);
        if let Some(href) = link {
            let _ = write!(body, r#"<a href="{}">"#, escape(href));
        }
        body.push_str("<g>");
        let label = row.label.trim();
        let (shown, cut) = fit(label, label_col, LABEL_FONT);
        if cut {
            let _ = write!(body, "<g><title>{}</title>", escape(label));
        }
        let _ = write!(
            body,
            r#"<text x="{}" y="{}" text-anchor="end" font-size="{}" fill="{TEXT}">{}</text>"#,
            N(x0 - 8.0),
            N(mid + LABEL_FONT * BASELINE),
            N(LABEL_FONT),
            escape(&shown)
        );
        if cut {
            body.push_str("</g>");
        }
        let mut sum: u128 = 0;
        for (s, &v) in c.series.iter().zip(&row.values) {
            if v == 0 {
                continue;
            }
            let start = round1(x0 + sum as f64 * scale);
            sum += u128::from(v);
            let end = round1(x0 + sum as f64 * scale);
            let _ = write!(
                body,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {} {v}</title></rect>"#,
                N(start),
                N(mid - BAR_H / 2.0),
                N(end - start),
                N(BAR_H),
                color(&s.color),
                escape(label),
                escape(&s.label),
            );
        }
        let _ = write!(
            body,
            r#"<text x="{}" y="{}" fill="{MUTED}">{total}</text></g>"#,
            N(x0 + total as f64 * scale + 4.0),
            N(mid + SMALL_FONT * BASELINE),
        );
        if link.is_some() {
            body.push_str("</a>");
        }
    }

    let _ = write!(
        body,
        r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{AXIS}"/>"#,
        N(x0),
        N(x0 + bar_w),
        y = N(rows_bottom)
    );
    let tick_y = rows_bottom + 4.0 + AXIS_FONT;
    for &t in &axis.ticks {
        let _ = write!(
            body,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{MUTED}">{}</text>"#,
            N(x0 + t * scale),
            N(tick_y),
            N(AXIS_FONT),
            escape(&axis.label(t, ""))
        );
    }
    wrap("bars", &c.title, WIDTH, tick_y + PAD, &body)
}

/// Whole percentages of `values` in their total that add up to 100 (largest remainder: the
/// points lost to rounding down go to the largest fractions, earlier slices first on a tie).
/// All zeros when the total is zero.
fn percentages(values: &[u64]) -> Vec<u32> {
    let total: u128 = values.iter().map(|&v| u128::from(v)).sum();
    if total == 0 {
        return vec![0; values.len()];
    }
    let mut whole: Vec<u128> = values
        .iter()
        .map(|&v| u128::from(v) * 100 / total)
        .collect();
    let rest: Vec<u128> = values
        .iter()
        .map(|&v| u128::from(v) * 100 % total)
        .collect();
    let missing = 100u128.saturating_sub(whole.iter().sum());
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| rest[b].cmp(&rest[a]).then(a.cmp(&b)));
    for &i in order.iter().take(usize::try_from(missing).unwrap_or(0)) {
        whole[i] += 1;
    }
    whole
        .into_iter()
        .map(|p| u32::try_from(p).unwrap_or(100))
        .collect()
}

/// The point at `angle` (radians, clockwise from the top) on a circle of radius `r`.
fn on_circle(cx: f64, cy: f64, r: f64, angle: f64) -> (f64, f64) {
    (cx + r * angle.sin(), cy - r * angle.cos())
}

/// Draws a donut: one ring segment per non-zero slice clockwise from the top, the total (and
/// `center_label` under it) in the middle, and a legend of "label value (percent%)" lines, the
/// percentages adding up to 100.
pub fn donut(c: &Donut) -> String {
    let values: Vec<u64> = c.slices.iter().map(|s| s.value).collect();
    let total: u128 = values.iter().map(|&v| u128::from(v)).sum();
    if total == 0 {
        return empty_chart("donut", &c.title, &c.empty_text);
    }
    let pcts = percentages(&values);

    // The legend lines, the label shortened so that value and percentage always show.
    let lines: Vec<String> = c
        .slices
        .iter()
        .zip(&pcts)
        .map(|(s, p)| {
            let tail = format!(" {} ({p}%)", s.value);
            let room = LEGEND_LABEL_MAX - text_width(&tail, SMALL_FONT);
            let (label, _) = fit(s.label.trim(), room.max(0.0), SMALL_FONT);
            format!("{label}{tail}")
        })
        .collect();
    let legend_w = lines
        .iter()
        .map(|l| text_width(l, SMALL_FONT))
        .fold(0.0, f64::max);
    let legend_x = PAD + 2.0 * DONUT_R + 28.0;
    let content_w = legend_x + SWATCH + 6.0 + legend_w + PAD;
    let title_w = text_width(c.title.trim(), TITLE_FONT) + 2.0 * PAD;
    let width = content_w.max(title_w.min(WIDTH)).ceil();

    let mut body = String::new();
    let top = title_text(&mut body, &c.title, width) + PAD;
    let content_h = (2.0 * DONUT_R).max(c.slices.len() as f64 * LEGEND_LINE);
    let (cx, cy) = (PAD + DONUT_R, top + content_h / 2.0);

    let nonzero: Vec<usize> = (0..c.slices.len()).filter(|&i| values[i] > 0).collect();
    if let [only] = nonzero[..] {
        // A full ring cannot be one arc (its ends would coincide): draw a thick circle.
        let s = &c.slices[only];
        let _ = write!(
            body,
            r#"<circle cx="{}" cy="{}" r="{}" fill="none" stroke="{}" stroke-width="{}"><title>{}</title></circle>"#,
            N(cx),
            N(cy),
            N((DONUT_R + DONUT_HOLE) / 2.0),
            color(&s.color),
            N(DONUT_R - DONUT_HOLE),
            escape(&format!("{} {} ({}%)", s.label.trim(), s.value, pcts[only]))
        );
    } else {
        let mut before: u128 = 0;
        for &i in &nonzero {
            let s = &c.slices[i];
            let a0 = before as f64 / total as f64 * std::f64::consts::TAU;
            before += u128::from(s.value);
            let a1 = before as f64 / total as f64 * std::f64::consts::TAU;
            // Arcs longer than half a circle are drawn in two halves, so that no arc is ever
            // ambiguous, even when its ends nearly meet.
            let angles: Vec<f64> = if a1 - a0 > std::f64::consts::PI {
                vec![a0, (a0 + a1) / 2.0, a1]
            } else {
                vec![a0, a1]
            };
            let mut d = String::new();
            let (x, y) = on_circle(cx, cy, DONUT_R, a0);
            let _ = write!(d, "M{} {}", N(x), N(y));
            for &a in &angles[1..] {
                let (x, y) = on_circle(cx, cy, DONUT_R, a);
                let _ = write!(d, "A{r} {r} 0 0 1 {} {}", N(x), N(y), r = N(DONUT_R));
            }
            let (x, y) = on_circle(cx, cy, DONUT_HOLE, a1);
            let _ = write!(d, "L{} {}", N(x), N(y));
            for &a in angles[..angles.len() - 1].iter().rev() {
                let (x, y) = on_circle(cx, cy, DONUT_HOLE, a);
                let _ = write!(d, "A{r} {r} 0 0 0 {} {}", N(x), N(y), r = N(DONUT_HOLE));
            }
            d.push('Z');
            let _ = write!(
                body,
                r##"<path d="{d}" fill="{}" stroke="#fff" stroke-width="1"><title>{}</title></path>"##,
                color(&s.color),
                escape(&format!("{} {} ({}%)", s.label.trim(), s.value, pcts[i]))
            );
        }
    }

    // The total in the middle, smaller when it is long, and the caption under it.
    let total_text = total.to_string();
    let room = 2.0 * DONUT_HOLE - 12.0;
    let total_font = (room / text_width(&total_text, 1.0)).min(22.0);
    let caption = c.center_label.trim();
    let total_y = if caption.is_empty() {
        cy + total_font * BASELINE
    } else {
        cy - 2.0
    };
    let _ = write!(
        body,
        r#"<text x="{}" y="{}" text-anchor="middle" font-size="{}" font-weight="bold" fill="{TEXT}">{total_text}</text>"#,
        N(cx),
        N(total_y),
        N(total_font)
    );
    if !caption.is_empty() {
        let (t, _) = fit(caption, room, SMALL_FONT);
        let _ = write!(
            body,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
            N(cx),
            N(cy + 16.0),
            escape(&t)
        );
    }

    let legend_top = top + (content_h - c.slices.len() as f64 * LEGEND_LINE) / 2.0;
    for (i, (s, line)) in c.slices.iter().zip(&lines).enumerate() {
        let mid = legend_top + (i as f64 + 0.5) * LEGEND_LINE;
        legend_item(&mut body, legend_x, mid, &s.color, line);
    }
    wrap("donut", &c.title, width, top + content_h + PAD, &body)
}

/// A value as it is written in a tooltip: at most one decimal place.
fn value_text(v: f64, suffix: &str) -> String {
    format!("{}{suffix}", N(v))
}

/// Draws a line chart: the x labels along the bottom (every k-th one when they would overlap),
/// a y axis from 0 to `y_max` (or a round number above the data) with gridlines and
/// `y_suffix` on the ticks, one line per series broken at gaps, a dot with a tooltip at every
/// value, and a legend of the series above.
pub fn line_chart(c: &LineChart) -> String {
    let n = c
        .series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0)
        .max(c.x_labels.len());
    let value =
        |s: &LineSeries, i: usize| s.values.get(i).copied().flatten().filter(|v| v.is_finite());
    let data_max = c
        .series
        .iter()
        .flat_map(|s| (0..s.values.len()).filter_map(move |i| value(s, i)))
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    let Some(data_max) = data_max else {
        return empty_chart("line", &c.title, &c.empty_text);
    };
    let axis = match c.y_max {
        Some(m) if m.is_finite() && m > 0.0 => Axis::fixed(m),
        _ => Axis::nice(data_max.max(0.0), false),
    };

    let mut body = String::new();
    let mut y = title_text(&mut body, &c.title, WIDTH) + PAD;
    let items: Vec<(String, String)> = c
        .series
        .iter()
        .map(|s| (s.label.clone(), s.color.clone()))
        .collect();
    y += legend(&mut body, &items, PAD, y, WIDTH - 2.0 * PAD) + 10.0;

    let tick_labels: Vec<String> = axis
        .ticks
        .iter()
        .map(|&t| axis.label(t, &c.y_suffix))
        .collect();
    let y_label_w = tick_labels
        .iter()
        .map(|l| text_width(l, AXIS_FONT))
        .fold(0.0, f64::max)
        .min(LABEL_MAX);
    let px0 = PAD + y_label_w + 6.0;
    let px1 = WIDTH - PAD;
    let py1 = y + PLOT_H;
    let band = (px1 - px0) / n as f64;
    let x_at = |i: usize| px0 + (i as f64 + 0.5) * band;
    let y_at = |v: f64| py1 - v.clamp(0.0, axis.top) / axis.top * PLOT_H;

    for (&t, label) in axis.ticks.iter().zip(&tick_labels) {
        let gy = N(y_at(t));
        let _ = write!(
            body,
            r#"<line x1="{}" y1="{gy}" x2="{}" y2="{gy}" stroke="{}"/>"#,
            N(px0),
            N(px1),
            if t == 0.0 { AXIS } else { GRID }
        );
        let (label, _) = fit(label, LABEL_MAX, AXIS_FONT);
        let _ = write!(
            body,
            r#"<text x="{}" y="{}" text-anchor="end" font-size="{}" fill="{MUTED}">{}</text>"#,
            N(px0 - 6.0),
            N(y_at(t) + AXIS_FONT * BASELINE),
            N(AXIS_FONT),
            escape(&label)
        );
    }

    // Every k-th x label, k chosen so that the widest shown label does not touch the next.
    let x_labels: Vec<String> = (0..n)
        .map(|i| {
            let l = c.x_labels.get(i).map_or("", |l| l.trim());
            fit(l, X_LABEL_MAX, AXIS_FONT).0
        })
        .collect();
    let widest = x_labels
        .iter()
        .map(|l| text_width(l, AXIS_FONT))
        .fold(0.0, f64::max);
    let every = ((widest + 8.0) / band).ceil().max(1.0) as usize;
    for (i, label) in x_labels.iter().enumerate().step_by(every) {
        if label.is_empty() {
            continue;
        }
        let _ = write!(
            body,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{MUTED}">{}</text>"#,
            N(x_at(i)),
            N(py1 + 4.0 + AXIS_FONT),
            N(AXIS_FONT),
            escape(label)
        );
    }

    let dot_r = (band / 3.0).clamp(1.5, 3.0);
    for s in &c.series {
        let stroke = color(&s.color);
        // One polyline per run of consecutive values; a lone value is only a dot.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
        for i in 0..n {
            match value(s, i) {
                Some(v) => run.push((x_at(i), y_at(v))),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for run in runs.iter().filter(|r| r.len() > 1) {
            let points: Vec<String> = run
                .iter()
                .map(|&(x, y)| format!("{},{}", N(x), N(y)))
                .collect();
            let _ = write!(
                body,
                r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="2" stroke-linejoin="round"/>"#,
                points.join(" ")
            );
        }
        for i in 0..n {
            let Some(v) = value(s, i) else { continue };
            let at = c.x_labels.get(i).map_or("", |l| l.trim());
            let tip = if at.is_empty() {
                format!("{}: {}", s.label.trim(), value_text(v, &c.y_suffix))
            } else {
                format!("{}: {at} {}", s.label.trim(), value_text(v, &c.y_suffix))
            };
            let _ = write!(
                body,
                r##"<circle cx="{}" cy="{}" r="{}" fill="{stroke}" stroke="#fff" stroke-width="1"><title>{}</title></circle>"##,
                N(x_at(i)),
                N(y_at(v)),
                N(dot_r),
                escape(&tip)
            );
        }
    }
    wrap("line", &c.title, WIDTH, py1 + 4.0 + AXIS_FONT + PAD, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---- A tiny XML checker and helpers to read the output back ----

    /// Checks that `s` is one well-formed XML element: tags balance, names are plain,
    /// attributes are quoted and unique, and every `&` starts an entity.
    fn check_xml(s: &str) -> Result<(), String> {
        let mut stack: Vec<&str> = Vec::new();
        let mut roots = 0;
        let mut rest = s;
        loop {
            let lt = rest.find('<');
            let text = &rest[..lt.unwrap_or(rest.len())];
            check_entities(text)?;
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root: {text:?}"));
            }
            let Some(lt) = lt else { break };
            let after = &rest[lt + 1..];
            let end = tag_end(after).ok_or_else(|| format!("unclosed tag at {after:.40?}"))?;
            let tag = &after[..end];
            rest = &after[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                match stack.pop() {
                    Some(open) if open == name.trim_end() => continue,
                    other => return Err(format!("</{name}> closes {other:?}")),
                }
            }
            let self_closing = tag.ends_with('/');
            let inner = tag.strip_suffix('/').unwrap_or(tag);
            let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
            let name = &inner[..name_end];
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
            {
                return Err(format!("bad tag name {name:?}"));
            }
            check_attributes(&inner[name_end..])?;
            if stack.is_empty() {
                roots += 1;
            }
            if !self_closing {
                stack.push(name);
            }
        }
        if !stack.is_empty() {
            return Err(format!("unclosed elements {stack:?}"));
        }
        if roots != 1 {
            return Err(format!("{roots} root elements"));
        }
        Ok(())
    }

    /// Where the tag that `s` starts ends (the `>` outside quotes).
    fn tag_end(s: &str) -> Option<usize> {
        let mut quote = None;
        for (i, c) in s.char_indices() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => return Some(i),
                (None, '<') => return None,
                _ => {}
            }
        }
        None
    }

    fn check_attributes(mut s: &str) -> Result<(), String> {
        let mut seen: Vec<&str> = Vec::new();
        loop {
            s = s.trim_start();
            if s.is_empty() {
                return Ok(());
            }
            let eq = s
                .find('=')
                .ok_or_else(|| format!("attribute without value: {s:?}"))?;
            let name = &s[..eq];
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(format!("bad attribute name {name:?}"));
            }
            if seen.contains(&name) {
                return Err(format!("attribute {name} twice"));
            }
            seen.push(name);
            let rest = &s[eq + 1..];
            let q = rest
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\''))
                .ok_or_else(|| format!("attribute {name} not quoted"))?;
            let close = rest[1..]
                .find(q)
                .ok_or_else(|| format!("attribute {name} not terminated"))?;
            let value = &rest[1..1 + close];
            if value.contains('<') {
                return Err(format!("'<' in attribute {name}"));
            }
            check_entities(value)?;
            s = &rest[close + 2..];
            if !s.is_empty() && !s.starts_with(char::is_whitespace) {
                return Err(format!("attributes not separated after {name}"));
            }
        }
    }

    fn check_entities(s: &str) -> Result<(), String> {
        for (i, _) in s.match_indices('&') {
            let rest = &s[i + 1..];
            let named = ["amp;", "lt;", "gt;", "quot;", "apos;"]
                .iter()
                .any(|e| rest.starts_with(e));
            let numeric = rest.strip_prefix('#').is_some_and(|r| {
                r.find(';')
                    .is_some_and(|j| j > 0 && r[..j].chars().all(|c| c.is_ascii_digit()))
            });
            if !named && !numeric {
                return Err(format!("bare '&' before {rest:.10?}"));
            }
        }
        Ok(())
    }

    /// Every start tag `<name …>` in `svg`, whole (ending in "/>" when self-closing).
    fn start_tags<'a>(svg: &'a str, name: &str) -> Vec<&'a str> {
        let open = format!("<{name} ");
        svg.match_indices(&open)
            .map(|(i, _)| {
                let end = svg[i..].find('>').expect("tag ends");
                &svg[i..=i + end]
            })
            .collect()
    }

    fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        let len = tag[start..].find('"')?;
        Some(&tag[start..start + len])
    }

    fn num(tag: &str, name: &str) -> f64 {
        attr(tag, name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {tag}"))
    }

    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    /// The contents of every `<name …>…</name>` element in `svg` (elements without children).
    fn contents(svg: &str, name: &str) -> Vec<String> {
        let open = format!("<{name}");
        let close = format!("</{name}>");
        svg.match_indices(&open)
            .filter_map(|(i, _)| {
                let rest = &svg[i + open.len()..];
                if !rest.starts_with([' ', '>']) {
                    return None;
                }
                let start = rest.find('>')?;
                if rest[..start].ends_with('/') {
                    return None;
                }
                let inner = &rest[start + 1..];
                Some(unescape(&inner[..inner.find(&close)?]))
            })
            .collect()
    }

    /// What every chart must be: well-formed, free of NaN and infinities, and with no number in
    /// an attribute written with more than one decimal.
    fn assert_clean(svg: &str) {
        if let Err(e) = check_xml(svg) {
            panic!("not well-formed: {e}\n{svg}");
        }
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        for tag in svg.split('<').skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            for part in tag.split('"').skip(1).step_by(2) {
                if tag.contains(&format!("href=\"{part}\"")) {
                    continue;
                }
                for token in part.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
                    if let Some((_, decimals)) = token.split_once('.') {
                        assert!(decimals.len() <= 1, "{token:?} in <{tag}>");
                    }
                }
            }
        }
        assert!(
            svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#),
            "{svg}"
        );
        let root = start_tags(svg, "svg")[0];
        assert_eq!(attr(root, "width"), Some("100%"));
        assert_eq!(attr(root, "role"), Some("img"));
        assert!(attr(root, "style").is_some_and(|s| s.starts_with("max-width:")));
        assert_eq!(
            attr(root, "font-family").map(unescape).as_deref(),
            Some(FONT_FAMILY)
        );
        let id = attr(root, "aria-labelledby").expect("labelled");
        let first = id.split(' ').next().unwrap_or_default();
        assert!(svg.contains(&format!(r#"<title id="{first}">"#)), "{svg}");
    }

    fn view_box(svg: &str) -> (f64, f64) {
        let vb = attr(start_tags(svg, "svg")[0], "viewBox").expect("viewBox");
        let parts: Vec<f64> = vb.split(' ').map(|p| p.parse().expect("number")).collect();
        (parts[2], parts[3])
    }

    const COLORS: [&str; 4] = ["#2e7d32", "#1565c0", "#c0392b", "#f39c12"];
    const STATES: [&str; 4] = ["已办结", "办理中", "逾期", "未启动"];

    fn bars(rows: &[&[u64]]) -> StackedBars {
        let n = rows.iter().map(|r| r.len()).max().unwrap_or(0);
        StackedBars {
            title: "各单位任务情况".into(),
            series: (0..n)
                .map(|i| Series {
                    label: STATES[i % 4].into(),
                    color: COLORS[i % 4].into(),
                })
                .collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, v)| BarRow {
                    label: format!("单位{i}"),
                    values: v.to_vec(),
                    href: None,
                })
                .collect(),
            empty_text: "暂无数据".into(),
        }
    }

    fn slices(values: &[u64]) -> Donut {
        Donut {
            title: "任务状态".into(),
            slices: values
                .iter()
                .enumerate()
                .map(|(i, &value)| Slice {
                    label: STATES[i % 4].into(),
                    value,
                    color: COLORS[i % 4].into(),
                })
                .collect(),
            center_label: "任务总数".into(),
            empty_text: "暂无数据".into(),
        }
    }

    fn lines(labels: usize, series: &[&[Option<f64>]], y_max: Option<f64>) -> LineChart {
        LineChart {
            title: "按期办结率".into(),
            x_labels: (1..=labels).map(|m| format!("{m}月")).collect(),
            series: series
                .iter()
                .enumerate()
                .map(|(i, v)| LineSeries {
                    label: format!("单位{i}"),
                    color: COLORS[i % 4].into(),
                    values: v.to_vec(),
                })
                .collect(),
            y_max,
            y_suffix: "%".into(),
            empty_text: "暂无数据".into(),
        }
    }

    /// The bar segments (rects with a tooltip, not legend swatches) as (x, width).
    fn segments(svg: &str) -> Vec<(f64, f64)> {
        start_tags(svg, "rect")
            .into_iter()
            .filter(|t| !t.ends_with("/>"))
            .map(|t| (num(t, "x"), num(t, "width")))
            .collect()
    }

    // ---- The checker itself ----

    #[test]
    fn the_xml_checker_rejects_broken_markup() {
        for good in [
            "<svg><g><rect x=\"1\"/></g><text>a &amp; b</text></svg>",
            "<svg a=\"&lt;&#39;\"><title>x</title></svg>",
        ] {
            assert_eq!(check_xml(good), Ok(()), "{good}");
        }
        for bad in [
            "<svg><g></svg>",
            "<svg></g></svg>",
            "<svg><text>a & b</text></svg>",
            "<svg x=1></svg>",
            "<svg x=\"1\" x=\"2\"></svg>",
            "<svg></svg><svg></svg>",
            "<svg><rect</svg>",
            "<svg>",
            "text<svg></svg>",
        ] {
            assert!(check_xml(bad).is_err(), "{bad}");
        }
    }

    // ---- Text ----

    #[test]
    fn text_width_counts_wide_scripts_as_one_em() {
        for (text, px, want) in [
            ("安全生产监督管理局", 14.0, 9.0 * 14.0),
            ("", 14.0, 0.0),
            ("ＡＢＣ１", 10.0, 40.0),
            ("カタカナ", 10.0, 40.0),
            ("ひらがな", 12.0, 48.0),
            ("한국어", 10.0, 30.0),
            ("，。：", 10.0, 30.0),
            ("abc", 10.0, 18.0),
            ("2026年5月", 10.0, 5.0 * 6.0 + 2.0 * 10.0),
            ("e\u{301}", 10.0, 6.0),
            ("安全", 0.0, 0.0),
            ("安全", -3.0, 0.0),
            ("安全", f64::NAN, 0.0),
        ] {
            let got = text_width(text, px);
            assert!(
                (got - want).abs() < 1e-9,
                "{text:?} at {px}: {got} != {want}"
            );
        }
        assert_eq!(text_width("安全生产监督管理局", 14.0), 126.0);
    }

    #[test]
    fn ascii_is_narrower_than_cjk_and_spaces_narrower_than_letters() {
        for (ascii, cjk) in [
            ("abcdefghi", "安全生产监督管理局"),
            ("12", "一二"),
            ("A-B", "甲乙丙"),
        ] {
            assert_eq!(ascii.chars().count(), cjk.chars().count());
            assert!(
                text_width(ascii, 14.0) < text_width(cjk, 14.0),
                "{ascii} vs {cjk}"
            );
        }
        assert!(text_width(" ", 14.0) < text_width("a", 14.0));
        assert!(text_width(",", 14.0) < text_width("a", 14.0));
        assert!(text_width("ｶﾀ", 14.0) < text_width("カタ", 14.0));
    }

    #[test]
    fn fit_shortens_with_an_ellipsis_that_fits() {
        let long = "某某市某某区应急管理局安全生产监督管理综合执法大队";
        for (max, font) in [(200.0, 13.0), (50.0, 12.0), (13.0, 13.0), (1.0, 13.0)] {
            let (t, cut) = fit(long, max, font);
            assert!(cut);
            assert!(text_width(&t, font) <= max + 1e-9, "{t} in {max}");
            if !t.is_empty() {
                assert!(t.ends_with('…'));
                assert!(long.starts_with(t.trim_end_matches('…')));
            }
        }
        assert_eq!(fit("短名称", 200.0, 13.0), ("短名称".to_owned(), false));
        assert_eq!(fit("ab cd", 25.0, 10.0), ("ab…".to_owned(), true));
    }

    #[test]
    fn escape_covers_markup_and_drops_what_xml_cannot_hold() {
        for (raw, want) in [
            (r#"<script>&"'"#, "&lt;script&gt;&amp;&quot;&#39;"),
            ("安全 & 应急", "安全 &amp; 应急"),
            ("a\u{0}b\u{1b}c", "abc"),
            ("第一行\n第二行", "第一行 第二行"),
            ("plain", "plain"),
        ] {
            assert_eq!(escape(raw), want);
        }
    }

    #[test]
    fn hostile_labels_are_escaped_in_every_chart() {
        let evil = r#"<script>&"'"#;
        let mut b = bars(&[&[3, 4]]);
        b.title = evil.into();
        b.rows[0].label = evil.into();
        b.series[0].label = evil.into();
        b.series[1].color = r#"red" onload="x"#.into();
        let mut d = slices(&[2, 5]);
        d.title = evil.into();
        d.slices[0].label = evil.into();
        d.center_label = evil.into();
        let mut l = lines(3, &[&[Some(1.0), Some(2.0), None]], None);
        l.title = evil.into();
        l.x_labels[0] = evil.into();
        l.series[0].label = evil.into();
        l.y_suffix = evil.into();
        for svg in [stacked_bars(&b), donut(&d), line_chart(&l)] {
            assert_clean(&svg);
            assert!(!svg.contains("<script"), "{svg}");
            assert!(!svg.contains("onload=\""), "{svg}");
            assert!(svg.contains("&lt;script&gt;&amp;&quot;&#39;"), "{svg}");
        }
    }

    #[test]
    fn numbers_have_at_most_one_decimal() {
        for (x, want) in [
            (0.0, "0"),
            (-0.04, "0"),
            (2.0, "2"),
            (2.04, "2"),
            (12.25, "12.3"),
            (-3.16, "-3.2"),
            (99.96, "100"),
            (f64::NAN, "0"),
            (f64::INFINITY, "0"),
            (1e20, "100000000000000000000"),
        ] {
            assert_eq!(N(x).to_string(), want, "{x}");
        }
    }

    // ---- Axes ----

    #[test]
    fn axes_end_on_round_numbers() {
        for (max, integer, top, ticks) in [
            (40.0, true, 40.0, vec![0.0, 10.0, 20.0, 30.0, 40.0]),
            (7.0, true, 8.0, vec![0.0, 2.0, 4.0, 6.0, 8.0]),
            (1.0, true, 1.0, vec![0.0, 1.0]),
            (3.0, true, 3.0, vec![0.0, 1.0, 2.0, 3.0]),
            (12.0, true, 15.0, vec![0.0, 5.0, 10.0, 15.0]),
            (12.0, false, 12.5, vec![0.0, 2.5, 5.0, 7.5, 10.0, 12.5]),
            (0.0, true, 1.0, vec![0.0, 1.0]),
            (f64::NAN, false, 1.0, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        ] {
            let a = Axis::nice(max, integer);
            assert_eq!(a.top, top, "{max}");
            assert_eq!(a.ticks.len(), ticks.len(), "{max}: {:?}", a.ticks);
            for (got, want) in a.ticks.iter().zip(&ticks) {
                assert!((got - want).abs() < 1e-9, "{max}: {:?}", a.ticks);
            }
        }
        assert_eq!(
            Axis::fixed(100.0).ticks,
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(
            Axis::fixed(90.0).ticks,
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 90.0]
        );
        for max in [
            u64::MAX as f64 / 2.0,
            u64::MAX as f64,
            1e300,
            f64::MAX,
            1e-12,
        ] {
            let a = Axis::nice(max, false);
            assert!(
                a.top.is_finite() && a.top >= max.min(1.0) && a.top > 0.0,
                "{max}"
            );
            assert!(a.ticks.iter().all(|t| t.is_finite()));
            let f = Axis::fixed(max.max(1e-9));
            assert!(f.ticks.iter().all(|t| t.is_finite()) && f.ticks.len() >= 2);
        }
        assert_eq!(Axis::nice(0.37, false).label(0.4, "%"), "0.4%");
        assert_eq!(Axis::fixed(1.0).label(0.2, ""), "0.2");
        assert_eq!(Axis::nice(40.0, true).label(30.0, ""), "30");
    }

    // ---- Stacked bars ----

    #[test]
    fn bar_segments_are_proportional_to_values() {
        let cases: [&[&[u64]]; 5] = [
            &[&[30, 10], &[5, 15]],
            &[&[1, 2, 3]],
            &[&[100, 0, 50], &[0, 0, 7], &[12, 40, 0]],
            &[
                &[u64::MAX / 2, u64::MAX / 4, 0],
                &[u64::MAX / 2, u64::MAX / 2],
            ],
            &[&[9, 9, 9, 9]],
        ];
        for rows in cases {
            let svg = stacked_bars(&bars(rows));
            assert_clean(&svg);
            let segs = segments(&svg);
            let values: Vec<u64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
            let nonzero: Vec<u64> = values.iter().copied().filter(|&v| v > 0).collect();
            assert_eq!(
                segs.len(),
                nonzero.len(),
                "zero segments are omitted: {svg}"
            );
            let (big_i, _) = nonzero.iter().enumerate().max_by_key(|(_, v)| **v).unwrap();
            let px_per_unit = segs[big_i].1 / nonzero[big_i] as f64;
            for ((_, w), v) in segs.iter().zip(&nonzero) {
                assert!(
                    (w - *v as f64 * px_per_unit).abs() <= 0.2,
                    "{rows:?}: width {w} for {v}"
                );
            }
            // Within a row the segments touch; every row starts at the same place.
            let x0 = segs[0].0;
            let mut k = 0;
            for row in rows {
                let mut x = x0;
                for _ in row.iter().filter(|&&v| v > 0) {
                    assert!((segs[k].0 - x).abs() < 0.11, "{rows:?}: {:?}", segs[k]);
                    x = segs[k].0 + segs[k].1;
                    k += 1;
                }
            }
        }
    }

    #[test]
    fn bars_show_totals_tooltips_legend_and_a_round_axis() {
        let svg = stacked_bars(&bars(&[&[30, 10], &[5, 15]]));
        assert_clean(&svg);
        let titles = contents(&svg, "title");
        assert!(
            titles.contains(&"单位0: 已办结 30".to_owned()),
            "{titles:?}"
        );
        assert!(
            titles.contains(&"单位1: 办理中 15".to_owned()),
            "{titles:?}"
        );
        let texts = contents(&svg, "text");
        for want in [
            "各单位任务情况",
            "已办结",
            "办理中",
            "单位0",
            "单位1",
            "40",
            "20",
            "0",
        ] {
            assert!(texts.iter().any(|t| t == want), "{want} in {texts:?}");
        }
        let swatches: Vec<&str> = start_tags(&svg, "rect")
            .into_iter()
            .filter(|t| t.ends_with("/>"))
            .collect();
        assert_eq!(swatches.len(), 2);
        assert_eq!(attr(swatches[0], "fill"), Some(COLORS[0]));
        // The largest row (40) fills the bar area exactly: the axis ends at 40.
        let segs = segments(&svg);
        let axis = start_tags(&svg, "line").into_iter().last().unwrap();
        let end = segs[1].0 + segs[1].1;
        assert!((end - num(axis, "x2")).abs() < 0.11, "{end} vs {axis}");
    }

    #[test]
    fn bar_height_grows_by_one_row_per_row() {
        let one = stacked_bars(&bars(&[&[1, 2]]));
        let ten = stacked_bars(&bars(&[&[1u64, 2][..]; 10]));
        assert_clean(&ten);
        let (w1, h1) = view_box(&one);
        let (w10, h10) = view_box(&ten);
        assert_eq!(w1, w10);
        assert!((h10 - h1 - 9.0 * ROW_H).abs() < 0.11, "{h1} {h10}");
    }

    #[test]
    fn long_labels_are_shortened_to_fit_the_column() {
        let long = "某某市某某区应急管理局安全生产监督管理综合执法大队第三中队";
        assert!(text_width(long, LABEL_FONT) > LABEL_MAX);
        let mut chart = bars(&[&[5, 3], &[2, 1]]);
        chart.rows[0].label = long.into();
        chart.rows[1].label = "安全生产监督管理局".into();
        let svg = stacked_bars(&chart);
        assert_clean(&svg);
        let texts = contents(&svg, "text");
        let shown = texts
            .iter()
            .find(|t| t.ends_with('…'))
            .expect("shortened label");
        assert!(text_width(shown, LABEL_FONT) <= LABEL_MAX + 1e-9, "{shown}");
        assert!(long.starts_with(shown.trim_end_matches('…')));
        assert!(texts.iter().any(|t| t == "安全生产监督管理局"));
        let titles = contents(&svg, "title");
        assert!(titles.iter().any(|t| t == long), "full label in a tooltip");
        // The label column is capped, so the bars start at the same place however long it is.
        let mut longer = chart.clone();
        longer.rows[0].label = long.repeat(3);
        assert_eq!(segments(&svg)[0].0, segments(&stacked_bars(&longer))[0].0);
        // A short label column leaves the bars more room.
        let short = stacked_bars(&bars(&[&[5, 3], &[2, 1]]));
        assert!(segments(&short)[0].0 < segments(&svg)[0].0);
    }

    #[test]
    fn only_safe_links_wrap_rows() {
        for (href, want) in [
            ("/units/3?month=2026-05", Some("/units/3?month=2026-05")),
            ("tasks?unit=3", Some("tasks?unit=3")),
            ("#row", Some("#row")),
            ("https://example.org/a:b", Some("https://example.org/a:b")),
            ("HTTP://example.org", Some("HTTP://example.org")),
            ("javascript:alert(1)", None),
            (" JavaScript:alert(1)", None),
            ("java\tscript:alert(1)", None),
            ("data:text/html,x", None),
            ("", None),
        ] {
            assert_eq!(safe_href(href), want, "{href:?}");
        }
        let mut chart = bars(&[&[1, 1], &[2, 2], &[3, 3]]);
        chart.rows[0].href = Some("/units/1?month=2026-05&view=tasks".into());
        chart.rows[1].href = Some("javascript:alert(1)".into());
        let svg = stacked_bars(&chart);
        assert_clean(&svg);
        let links = start_tags(&svg, "a");
        assert_eq!(links.len(), 1, "{svg}");
        assert_eq!(
            attr(links[0], "href"),
            Some("/units/1?month=2026-05&amp;view=tasks")
        );
        assert!(!svg.contains("javascript"));
    }

    // ---- Donut ----

    #[test]
    fn donut_percentages_add_up_to_100() {
        let cases: [(&[u64], Option<&[u32]>); 9] = [
            (&[1, 1, 1], Some(&[34, 33, 33])),
            (&[1, 2], Some(&[33, 67])),
            (&[999, 1], Some(&[100, 0])),
            (&[0, 5, 0], Some(&[0, 100, 0])),
            (&[1, 2, 3, 4, 5, 6, 7], None),
            (&[1; 7], None),
            (&[u64::MAX / 2, 1, 1], None),
            (&[u64::MAX, u64::MAX, u64::MAX], Some(&[34, 33, 33])),
            (&[17, 23, 5, 55], Some(&[17, 23, 5, 55])),
        ];
        for (values, want) in cases {
            let p = percentages(values);
            assert_eq!(p.iter().sum::<u32>(), 100, "{values:?}: {p:?}");
            if let Some(want) = want {
                assert_eq!(p, want, "{values:?}");
            }
            let svg = donut(&slices(values));
            assert_clean(&svg);
            let shown: u32 = contents(&svg, "text")
                .iter()
                .filter_map(|t| t.strip_suffix("%)"))
                .filter_map(|t| t.rsplit_once('(')?.1.parse::<u32>().ok())
                .sum();
            assert_eq!(shown, 100, "{values:?}: {svg}");
        }
        assert_eq!(percentages(&[0, 0]), vec![0, 0]);
        assert_eq!(percentages(&[]), Vec::<u32>::new());
    }

    #[test]
    fn a_single_slice_is_a_full_ring() {
        for values in [&[5][..], &[0, 12, 0], &[u64::MAX]] {
            let svg = donut(&slices(values));
            assert_clean(&svg);
            assert!(start_tags(&svg, "path").is_empty(), "{svg}");
            let rings = start_tags(&svg, "circle");
            assert_eq!(rings.len(), 1, "{svg}");
            let i = values.iter().position(|&v| v > 0).unwrap();
            assert_eq!(attr(rings[0], "stroke"), Some(COLORS[i]));
            assert_eq!(attr(rings[0], "fill"), Some("none"));
            assert_eq!(num(rings[0], "r"), (DONUT_R + DONUT_HOLE) / 2.0);
            assert_eq!(num(rings[0], "stroke-width"), DONUT_R - DONUT_HOLE);
            assert!(contents(&svg, "text").iter().any(|t| t.ends_with("(100%)")));
        }
    }

    #[test]
    fn donut_slices_are_arcs_and_the_total_is_in_the_middle() {
        for (values, arcs) in [
            // One arc out and one back, or two each way for a slice over half the ring.
            (&[1u64, 1][..], vec![2, 2]),
            (&[3, 1], vec![4, 2]),
            (&[999_999, 1], vec![4, 2]),
            (&[1, 2, 3, 4], vec![2, 2, 2, 2]),
            (&[1, 1, 8], vec![2, 2, 4]),
        ] {
            let svg = donut(&slices(values));
            assert_clean(&svg);
            let paths = start_tags(&svg, "path");
            let counts: Vec<usize> = paths
                .iter()
                .map(|p| attr(p, "d").unwrap().matches('A').count())
                .collect();
            assert_eq!(counts, arcs, "{values:?}");
            let total: u64 = values.iter().sum();
            let texts = contents(&svg, "text");
            assert!(texts.contains(&total.to_string()), "{texts:?}");
            assert!(texts.contains(&"任务总数".to_owned()));
        }
        // The slices go once around: the first starts and the last ends at the top.
        let svg = donut(&slices(&[1, 2, 3]));
        let paths = start_tags(&svg, "path");
        let first = attr(paths[0], "d").unwrap();
        let last = attr(paths[2], "d").unwrap();
        let start = first[1..first.find('A').unwrap()].to_owned();
        assert!(
            start.starts_with(&format!("{} ", N(PAD + DONUT_R))),
            "{first}"
        );
        let outer = last.split('L').next().unwrap();
        assert!(
            outer.ends_with(&format!(" {start}")),
            "{last} should end at {start}"
        );
    }

    // ---- Line chart ----

    #[test]
    fn line_chart_breaks_at_gaps_and_marks_every_value() {
        let values = [
            Some(60.0),
            Some(72.5),
            None,
            Some(80.0),
            Some(90.0),
            None,
            Some(50.0),
        ];
        let svg = line_chart(&lines(7, &[&values], Some(100.0)));
        assert_clean(&svg);
        assert_eq!(start_tags(&svg, "polyline").len(), 2, "{svg}");
        assert_eq!(start_tags(&svg, "circle").len(), 5);
        let texts = contents(&svg, "text");
        for tick in ["0%", "20%", "80%", "100%"] {
            assert!(texts.iter().any(|t| t == tick), "{tick} in {texts:?}");
        }
        let titles = contents(&svg, "title");
        assert!(
            titles.contains(&"单位0: 2月 72.5%".to_owned()),
            "{titles:?}"
        );
        // Points sit at their share of the plot height.
        let dots = start_tags(&svg, "circle");
        let lines_: Vec<&str> = start_tags(&svg, "line");
        let bottom = num(lines_[0], "y1");
        let top = num(lines_.last().unwrap(), "y1");
        let y80 = num(dots[2], "cy");
        assert!(
            (y80 - (bottom - 0.8 * (bottom - top))).abs() < 0.11,
            "{y80}"
        );
    }

    #[test]
    fn line_values_are_clamped_to_the_axis() {
        let values = [Some(-5.0), Some(0.0), Some(150.0), Some(100.0)];
        let svg = line_chart(&lines(4, &[&values], Some(100.0)));
        assert_clean(&svg);
        let ys: Vec<f64> = start_tags(&svg, "circle")
            .iter()
            .map(|c| num(c, "cy"))
            .collect();
        assert_eq!(ys[0], ys[1], "a negative value is drawn at zero");
        assert_eq!(ys[2], ys[3], "a value above y_max is drawn at the top");
        assert!(contents(&svg, "title").contains(&"单位0: 1月 -5%".to_owned()));
    }

    #[test]
    fn line_axis_defaults_to_a_round_number_above_the_data() {
        let svg = line_chart(&lines(3, &[&[Some(12.0), Some(37.0), Some(20.0)]], None));
        assert_clean(&svg);
        let texts = contents(&svg, "text");
        assert!(texts.contains(&"40%".to_owned()), "{texts:?}");
        assert!(!texts.contains(&"50%".to_owned()), "{texts:?}");
        for bad in [Some(f64::NAN), Some(f64::INFINITY), Some(-10.0), Some(0.0)] {
            let svg = line_chart(&lines(3, &[&[Some(12.0), Some(37.0), Some(20.0)]], bad));
            assert_clean(&svg);
            assert!(
                contents(&svg, "text").contains(&"40%".to_owned()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn crowded_x_labels_are_thinned_so_they_do_not_overlap() {
        for count in [3usize, 12, 36, 60, 400] {
            let mut chart = lines(count, &[&vec![Some(50.0); count]], Some(100.0));
            chart.x_labels = (0..count)
                .map(|i| format!("{}年{:02}月", 2020 + i / 12, i % 12 + 1))
                .collect();
            let svg = line_chart(&chart);
            assert_clean(&svg);
            let shown: Vec<(f64, String)> = start_tags(&svg, "text")
                .into_iter()
                .zip(contents(&svg, "text"))
                .filter(|(_, t)| t.contains('年'))
                .map(|(tag, t)| (num(tag, "x"), t))
                .collect();
            assert!(!shown.is_empty() && shown.len() <= count, "{count}");
            assert_eq!(shown[0].1, chart.x_labels[0]);
            if count <= 3 {
                assert_eq!(shown.len(), count, "room for every label");
            } else {
                assert!(shown.len() < count, "{count}: {}", shown.len());
            }
            for pair in shown.windows(2) {
                let half_widths =
                    (text_width(&pair[0].1, AXIS_FONT) + text_width(&pair[1].1, AXIS_FONT)) / 2.0;
                assert!(pair[1].0 - pair[0].0 >= half_widths, "{count}: {pair:?}");
            }
        }
    }

    #[test]
    fn short_month_labels_all_show() {
        let svg = line_chart(&lines(12, &[&[Some(1.0); 12]], None));
        let texts = contents(&svg, "text");
        for m in 1..=12 {
            assert!(texts.contains(&format!("{m}月")), "{m}月 in {texts:?}");
        }
    }

    #[test]
    fn a_single_point_sits_in_the_middle() {
        let svg = line_chart(&lines(1, &[&[Some(42.0)]], None));
        assert_clean(&svg);
        assert!(start_tags(&svg, "polyline").is_empty());
        let dots = start_tags(&svg, "circle");
        assert_eq!(dots.len(), 1);
        let grid = start_tags(&svg, "line")[0];
        let mid = (num(grid, "x1") + num(grid, "x2")) / 2.0;
        assert!((num(dots[0], "cx") - mid).abs() < 0.11);
    }

    // ---- Empty data and edge cases ----

    #[test]
    fn empty_data_shows_the_empty_text() {
        let no_series = StackedBars {
            series: vec![],
            ..bars(&[&[1, 2]])
        };
        let all_gaps = lines(3, &[&[None, Some(f64::NAN), Some(f64::INFINITY)]], None);
        let no_labels = LineChart {
            x_labels: vec![],
            series: vec![],
            ..lines(0, &[], None)
        };
        let mut custom = bars(&[]);
        custom.empty_text = "本月暂无任务 <无>".into();
        let cases = [
            stacked_bars(&bars(&[])),
            stacked_bars(&bars(&[&[0, 0], &[0]])),
            stacked_bars(&no_series),
            donut(&slices(&[])),
            donut(&slices(&[0, 0, 0])),
            line_chart(&no_labels),
            line_chart(&lines(4, &[], Some(100.0))),
            line_chart(&all_gaps),
        ];
        for svg in &cases {
            assert_clean(svg);
            assert!(
                contents(svg, "text").contains(&"暂无数据".to_owned()),
                "{svg}"
            );
            for shape in ["path", "polyline", "circle"] {
                assert!(start_tags(svg, shape).is_empty(), "{svg}");
            }
            assert!(segments(svg).is_empty());
            let title = contents(svg, "title").remove(0);
            assert!(title.ends_with("暂无数据"), "spoken: {title}");
            let (w, h) = view_box(svg);
            assert!(w <= EMPTY_WIDTH && h < 120.0);
        }
        let svg = stacked_bars(&custom);
        assert_clean(&svg);
        assert!(svg.contains("本月暂无任务 &lt;无&gt;"));
    }

    #[test]
    fn edge_cases_never_write_nan_or_infinity() {
        let huge = u64::MAX / 2;
        let all = [
            stacked_bars(&bars(&[&[0, 5]])),
            stacked_bars(&bars(&[&[1]])),
            stacked_bars(&bars(&[&[huge, huge], &[huge]])),
            stacked_bars(&bars(&[&[u64::MAX, u64::MAX, u64::MAX, u64::MAX]])),
            stacked_bars(&bars(&[&[1, huge]])),
            stacked_bars(&StackedBars {
                title: String::new(),
                rows: vec![BarRow {
                    label: String::new(),
                    values: vec![3, 4, 5],
                    href: None,
                }],
                ..bars(&[&[1]])
            }),
            donut(&slices(&[huge, huge, 1])),
            donut(&slices(&[u64::MAX, u64::MAX])),
            donut(&slices(&[0, 1])),
            donut(&Donut {
                title: String::new(),
                center_label: String::new(),
                ..slices(&[1, 2])
            }),
            line_chart(&lines(1, &[&[Some(0.0)]], None)),
            line_chart(&lines(3, &[&[Some(0.0), Some(0.0), Some(0.0)]], None)),
            line_chart(&lines(3, &[&[Some(-1.0), Some(-50.0), None]], None)),
            line_chart(&lines(2, &[&[Some(f64::MAX), Some(1e300)]], None)),
            line_chart(&lines(
                2,
                &[&[Some(huge as f64), Some(f64::MIN_POSITIVE)]],
                None,
            )),
            line_chart(&lines(2, &[&[Some(1e-12), Some(3e-12)]], None)),
            line_chart(&lines(2, &[&[Some(0.123), Some(0.5)]], Some(0.6))),
            line_chart(&lines(
                2,
                &[&[Some(5.0)], &[None, Some(7.0), Some(9.0)]],
                Some(f64::MAX),
            )),
            line_chart(&LineChart {
                x_labels: vec![],
                ..lines(0, &[&[Some(1.0), Some(2.0)]], None)
            }),
        ];
        for svg in &all {
            assert_clean(svg);
            assert!(
                !contents(svg, "text").contains(&"暂无数据".to_owned()),
                "{svg}"
            );
        }
    }

    #[test]
    fn output_is_deterministic_and_ids_differ_between_charts() {
        let a = stacked_bars(&bars(&[&[1, 2]]));
        assert_eq!(a, stacked_bars(&bars(&[&[1, 2]])));
        let b = stacked_bars(&bars(&[&[2, 1]]));
        let id = |svg: &str| attr(start_tags(svg, "svg")[0], "aria-labelledby").map(str::to_owned);
        assert_ne!(id(&a), id(&b));
        let d = slices(&[1, 2]);
        assert_eq!(donut(&d), donut(&d.clone()));
        let l = lines(3, &[&[Some(1.0), None, Some(3.0)]], None);
        assert_eq!(line_chart(&l), line_chart(&l.clone()));
        assert_ne!(id(&donut(&d)), id(&line_chart(&l)));
    }
}
