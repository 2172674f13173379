//! The month-end documents: the briefing (预安简报) the review meeting hears, and the bulletin
//! (通报) of results it issues, as content independent of any file format. `compose` writes
//! the bulletin's sections from the month's figures, highlights, unfinished items, cards and
//! the meeting's analysis; the `docs` crate lays it out as DOCX and XLSX, the web layer as a
//! printable page.

use serde::{Deserialize, Serialize};

use crate::figures::Figures;

/// A table of a document: a header row and body rows, all text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One numbered section (一、二、…) with its paragraphs and an optional table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub table: Option<Table>,
}

/// An official document in the style of a red-header notice (红头文件).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bulletin {
    /// The issuing body printed in red at the top, e.g. 湘潭高新区预安销号工作领导小组.
    pub issuer: String,
    /// 文号, e.g. 湘高预安〔2026〕11号.
    pub doc_number: String,
    pub title: String,
    /// 主送: to whom, e.g. 各部门、各单位.
    pub addressees: String,
    /// The date in Chinese, e.g. 2026年12月5日.
    pub date: String,
    pub opening: String,
    pub sections: Vec<Section>,
}

/// One unit's line of the results table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitLine {
    pub unit: String,
    pub figures: Figures,
}

/// A highlight (亮点工作) chosen by the meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HighlightLine {
    pub unit: String,
    pub title: String,
    pub citation: String,
}

/// A task not signed off, with what the unit said and what the meeting dispatched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfinishedLine {
    pub unit: String,
    pub title: String,
    pub reason: String,
    pub next_steps: String,
    pub months_overdue: u32,
}

/// The public notices of the accountability ladder (政令不畅督查问责): unfinished for the
/// second month in a row, the item is notified and its owner admonished by the discipline
/// office; for the third, it is referred to the discipline office. A first month needs no
/// notice beyond the table (its rectification order goes to the unit).
pub fn ladder_notices(unfinished: &[UnfinishedLine]) -> Vec<String> {
    use crate::consequences::LadderStep;
    let items = |step: LadderStep| -> Vec<String> {
        unfinished
            .iter()
            .filter(|u| LadderStep::for_months(u.months_overdue + 1) == step)
            .map(|u| format!("{}“{}”", u.unit, u.title))
            .collect()
    };
    let mut out = Vec::new();
    let second = items(LadderStep::Admonishment);
    if !second.is_empty() {
        out.push(format!(
            "连续两个月未完成，予以通报，并由纪检监察机关对责任人进行诫勉谈话：{}。",
            second.join("；")
        ));
    }
    let third = items(LadderStep::Referral);
    if !third.is_empty() {
        out.push(format!(
            "连续三个月及以上未完成，移交纪检监察机关核实情况、依规处理：{}。",
            third.join("；")
        ));
    }
    out
}

/// A bulletin as issued: the document, and the figures its tables and spreadsheet show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issued {
    pub bulletin: Bulletin,
    pub units: Vec<UnitLine>,
    pub total: Figures,
}

/// What a bulletin is written from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulletinInput {
    pub organization: String,
    pub issuer: String,
    pub doc_number: String,
    pub year: i32,
    pub month: u32,
    /// The issuing day.
    pub date: chrono::NaiveDate,
    pub total: Figures,
    pub units: Vec<UnitLine>,
    pub highlights: Vec<HighlightLine>,
    pub unfinished: Vec<UnfinishedLine>,
    /// Red, yellow and green cards of the month's publication.
    pub cards: (u32, u32, u32),
    pub analysis: String,
    pub dispatch: String,
}

/// The month's name as written: 2026年11月.
pub fn month_name(year: i32, month: u32) -> String {
    format!("{year}年{month}月")
}

/// A date as written in official documents: 2026年12月5日.
pub fn chinese_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The results table's header (also the XLSX sheet's).
pub const RESULT_COLUMNS: [&str; 6] = ["序号", "单位", "计划数", "销号数", "未销号数", "完成率"];

/// The rows of the results table, one per unit, then the total.
pub fn result_rows(units: &[UnitLine], total: &Figures) -> Vec<Vec<String>> {
    let line = |seq: String, unit: &str, f: &Figures| {
        vec![
            seq,
            unit.to_owned(),
            f.planned.to_string(),
            f.signed_off.to_string(),
            f.unfinished.to_string(),
            f.completion_text(),
        ]
    };
    let mut rows: Vec<Vec<String>> = units
        .iter()
        .enumerate()
        .map(|(i, u)| line((i + 1).to_string(), &u.unit, &u.figures))
        .collect();
    rows.push(line(String::new(), "合计", total));
    rows
}

/// Writes the bulletin of a month (关于某年某月预安销号工作情况的通报).
pub fn compose(x: &BulletinInput) -> Bulletin {
    let month = month_name(x.year, x.month);
    let t = &x.total;
    let mut sections = vec![Section {
        heading: "一、总体情况".into(),
        paragraphs: vec![format!(
            "{month}，全区共预安工作事项{}项，经督查室、效能监察室、绩考办三部联审，销号{}项（按期完成{}项），未销号{}项，完成率{}。其中上月结转事项{}项。本月公示重点工作牌色红牌{}项、黄牌{}项、绿牌{}项。",
            t.planned,
            t.signed_off,
            t.on_time,
            t.unfinished,
            t.completion_text(),
            t.carried_in,
            x.cards.0,
            x.cards.1,
            x.cards.2
        )],
        table: Some(Table {
            header: RESULT_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
            rows: result_rows(&x.units, t),
        }),
    }];
    sections.push(Section {
        heading: "二、亮点工作".into(),
        paragraphs: if x.highlights.is_empty() {
            vec!["本月未评选亮点工作。".into()]
        } else {
            x.highlights
                .iter()
                .enumerate()
                .map(|(i, h)| format!("{}. {}：{}。{}", i + 1, h.unit, h.title, h.citation))
                .collect()
        },
        table: None,
    });
    sections.push(Section {
        heading: "三、未销号事项".into(),
        paragraphs: if x.unfinished.is_empty() {
            vec!["本月预安事项全部销号。".into()]
        } else {
            let mut p = vec![format!(
                "以下{}项工作未能销号，结转下月继续推进，并按政令不畅督查问责有关规定办理。",
                x.unfinished.len()
            )];
            p.extend(ladder_notices(&x.unfinished));
            p
        },
        table: (!x.unfinished.is_empty()).then(|| Table {
            header: [
                "序号",
                "单位",
                "工作事项",
                "未完成原因",
                "下月措施",
                "结转月数",
            ]
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
            rows: x
                .unfinished
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    vec![
                        (i + 1).to_string(),
                        u.unit.clone(),
                        u.title.clone(),
                        u.reason.clone(),
                        u.next_steps.clone(),
                        (u.months_overdue + 1).to_string(),
                    ]
                })
                .collect(),
        }),
    });
    let mut analysis = vec![];
    if !x.analysis.trim().is_empty() {
        analysis.push(x.analysis.trim().to_owned());
    }
    if !x.dispatch.trim().is_empty() {
        analysis.push(x.dispatch.trim().to_owned());
    }
    if analysis.is_empty() {
        analysis.push("各单位要对照本通报查找差距，未销号事项须在下月按期完成。".into());
    }
    sections.push(Section {
        heading: "四、下步工作要求".into(),
        paragraphs: analysis,
        table: None,
    });
    Bulletin {
        issuer: x.issuer.clone(),
        doc_number: x.doc_number.clone(),
        title: format!("关于{month}预安销号工作情况的通报"),
        addressees: "各部门、各单位：".into(),
        date: chinese_date(x.date),
        opening: format!(
            "根据{}预安销号工作安排，现将{month}预安工作落实和销号情况通报如下：",
            x.organization
        ),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(planned: u32, signed_off: u32) -> Figures {
        Figures {
            planned,
            signed_off,
            on_time: signed_off,
            unfinished: planned - signed_off,
            carried_in: 1,
        }
    }

    fn input() -> BulletinInput {
        BulletinInput {
            organization: "湘潭高新区工管委".into(),
            issuer: "湘潭高新区预安销号工作领导小组".into(),
            doc_number: "湘高预安〔2026〕11号".into(),
            year: 2026,
            month: 11,
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            total: figures(78, 74),
            units: vec![
                UnitLine {
                    unit: "征拆办".into(),
                    figures: figures(4, 3),
                },
                UnitLine {
                    unit: "财政局".into(),
                    figures: figures(2, 2),
                },
            ],
            highlights: vec![HighlightLine {
                unit: "招商合作局".into(),
                title: "屹丰科技二期签约".into(),
                citation: "提前完成".into(),
            }],
            unfinished: vec![UnfinishedLine {
                unit: "征拆办".into(),
                title: "万达广场周边地块征收".into(),
                reason: "两户未签约".into(),
                next_steps: "依法启动征收程序".into(),
                months_overdue: 0,
            }],
            cards: (4, 1, 22),
            analysis: "各单位要加快推进。".into(),
            dispatch: String::new(),
        }
    }

    #[test]
    fn the_bulletin_reads_the_figures() {
        let b = compose(&input());
        assert_eq!(b.title, "关于2026年11月预安销号工作情况的通报");
        assert_eq!(b.date, "2026年12月5日");
        let overall = &b.sections[0];
        assert!(overall.paragraphs[0].contains("预安工作事项78项"));
        assert!(overall.paragraphs[0].contains("销号74项"));
        assert!(overall.paragraphs[0].contains("完成率94.9%"));
        assert!(overall.paragraphs[0].contains("红牌4项"));
        let table = overall.table.as_ref().unwrap();
        assert_eq!(table.header[5], "完成率");
        assert_eq!(table.rows[0], vec!["1", "征拆办", "4", "3", "1", "75.0%"]);
        assert_eq!(table.rows.last().unwrap()[1], "合计");
        assert!(b.sections[1].paragraphs[0].contains("屹丰科技二期签约"));
        let unfinished = b.sections[2].table.as_ref().unwrap();
        assert_eq!(
            unfinished.rows[0][5], "1",
            "carried over into its first month"
        );
        assert_eq!(b.sections[3].paragraphs, vec!["各单位要加快推进。"]);
    }

    #[test]
    fn an_empty_month_still_reads_well() {
        let x = BulletinInput {
            highlights: vec![],
            unfinished: vec![],
            analysis: String::new(),
            ..input()
        };
        let b = compose(&x);
        assert_eq!(b.sections[1].paragraphs, vec!["本月未评选亮点工作。"]);
        assert_eq!(b.sections[2].paragraphs, vec!["本月预安事项全部销号。"]);
        assert!(b.sections[2].table.is_none());
        assert_eq!(b.sections[3].paragraphs.len(), 1);
    }

    #[test]
    fn the_ladder_s_public_notices_name_the_second_and_third_months() {
        let line = |title: &str, months_overdue: u32| UnfinishedLine {
            unit: "征拆办".into(),
            title: title.into(),
            reason: String::new(),
            next_steps: String::new(),
            months_overdue,
        };
        assert!(ladder_notices(&[line("首次", 0)]).is_empty());
        let n = ladder_notices(&[
            line("首次", 0),
            line("二次", 1),
            line("三次", 2),
            line("四次", 3),
        ]);
        assert_eq!(n.len(), 2);
        assert!(
            n[0].contains("诫勉谈话") && n[0].contains("征拆办“二次”") && !n[0].contains("首次")
        );
        assert!(n[1].contains("移交纪检监察机关") && n[1].contains("“三次”；征拆办“四次”"));
    }
}
