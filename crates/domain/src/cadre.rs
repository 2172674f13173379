//! A person's record (干部实绩档案) over the years, in the three dimensions used for
//! competitive appointment (竞聘上岗): ability (能: key work carried through, highlights),
//! diligence (勤: on time, nothing left to drag on) and achievement (绩: signed off, stars),
//! with what went wrong (red cards, warnings, accountability). Composed here, once, for the
//! page, the DOCX and the XLSX alike.

use serde::Serialize;

use crate::bulletin::{Bulletin, Section, Table};
use crate::figures::Figures;

/// One year of a person's record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct YearRecord {
    pub year: i32,
    /// Tasks owned, counted once a month they were planned.
    pub planned: u32,
    pub signed_off: u32,
    pub on_time: u32,
    pub carried_over: u32,
    /// Key work (重点工作) signed off.
    pub key_done: u32,
    pub highlights: u32,
    pub stars: u32,
    pub red_cards: u32,
    pub warnings: u32,
    /// Cases decided with a sanction.
    pub sanctions: u32,
    /// The person's score: the sum of the ledger entries that name them (hundredths).
    pub points: i64,
}

impl YearRecord {
    fn figures(&self) -> Figures {
        Figures {
            planned: self.planned,
            signed_off: self.signed_off,
            on_time: self.on_time,
            unfinished: self.planned.saturating_sub(self.signed_off),
            carried_in: 0,
        }
    }

    pub fn completion_text(&self) -> String {
        self.figures().completion_text()
    }

    /// On time among those signed off.
    pub fn on_time_text(&self) -> String {
        Figures {
            planned: self.signed_off,
            signed_off: self.on_time,
            ..Figures::default()
        }
        .completion_text()
    }
}

/// The years, oldest first, and their sum.
pub fn total(years: &[YearRecord]) -> YearRecord {
    let mut t = YearRecord::default();
    for y in years {
        t.planned += y.planned;
        t.signed_off += y.signed_off;
        t.on_time += y.on_time;
        t.carried_over += y.carried_over;
        t.key_done += y.key_done;
        t.highlights += y.highlights;
        t.stars += y.stars;
        t.red_cards += y.red_cards;
        t.warnings += y.warnings;
        t.sanctions += y.sanctions;
        t.points += y.points;
    }
    t
}

/// The header and rows of the record's table: one row a year and the 合计 row.
pub fn table(years: &[YearRecord]) -> Table {
    let header = [
        "年度",
        "承担事项",
        "销号",
        "完成率",
        "按期率",
        "结转",
        "重点工作",
        "亮点",
        "明星个人",
        "红牌",
        "警示",
        "问责",
        "得分",
    ];
    let row = |label: String, y: &YearRecord| {
        vec![
            label,
            y.planned.to_string(),
            y.signed_off.to_string(),
            y.completion_text(),
            y.on_time_text(),
            y.carried_over.to_string(),
            y.key_done.to_string(),
            y.highlights.to_string(),
            y.stars.to_string(),
            y.red_cards.to_string(),
            y.warnings.to_string(),
            y.sanctions.to_string(),
            crate::consequences::Points(y.points).to_string(),
        ]
    };
    let mut rows: Vec<Vec<String>> = years.iter().map(|y| row(y.year.to_string(), y)).collect();
    rows.push(row("合计".into(), &total(years)));
    Table {
        header: header.iter().map(|s| (*s).to_owned()).collect(),
        rows,
    }
}

/// The record as a document: who, the three dimensions in words, and the table.
pub fn document(
    organization: &str,
    person: &str,
    unit: &str,
    date: &str,
    years: &[YearRecord],
) -> Bulletin {
    let t = total(years);
    let span = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a.year != b.year => format!("{}—{}年", a.year, b.year),
        (Some(a), _) => format!("{}年", a.year),
        _ => "暂无记录".into(),
    };
    Bulletin {
        issuer: organization.to_owned(),
        doc_number: String::new(),
        title: format!("{person}同志预安销号实绩档案"),
        addressees: String::new(),
        date: date.to_owned(),
        opening: format!(
            "{person}，{unit}。以下为{span}预安销号工作中承担事项的实绩记录，供干部考察和竞聘上岗参考。"
        ),
        sections: vec![
            Section {
                heading: "能：重点工作与亮点".into(),
                paragraphs: vec![format!(
                    "承担并销号重点工作{}项，入选月度亮点工作{}项。",
                    t.key_done, t.highlights
                )],
                table: None,
            },
            Section {
                heading: "勤：按期完成".into(),
                paragraphs: vec![format!(
                    "销号事项按期完成率{}，结转下月{}项。",
                    t.on_time_text(),
                    t.carried_over
                )],
                table: None,
            },
            Section {
                heading: "绩：完成与表彰".into(),
                paragraphs: vec![format!(
                    "承担事项{}项，销号{}项，完成率{}；获评明星个人{}次。红牌{}张，警示{}次，问责{}次。",
                    t.planned,
                    t.signed_off,
                    t.completion_text(),
                    t.stars,
                    t.red_cards,
                    t.warnings,
                    t.sanctions
                )],
                table: None,
            },
            Section {
                heading: "逐年记录".into(),
                paragraphs: vec![],
                table: Some(table(years)),
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_sums_its_years_into_the_three_dimensions() {
        let years = [
            YearRecord {
                year: 2025,
                planned: 20,
                signed_off: 19,
                on_time: 17,
                carried_over: 1,
                key_done: 4,
                highlights: 2,
                stars: 1,
                red_cards: 1,
                ..YearRecord::default()
            },
            YearRecord {
                year: 2026,
                planned: 10,
                signed_off: 10,
                on_time: 10,
                key_done: 1,
                warnings: 1,
                ..YearRecord::default()
            },
        ];
        let t = table(&years);
        assert_eq!(t.header.len(), t.rows[0].len());
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[2][0], "合计");
        assert_eq!(t.rows[2][1], "30");
        assert_eq!(t.rows[2][3], "96.7%");
        assert_eq!(t.rows[0][4], "89.5%", "17 of 19 on time");
        let d = document(
            "湘潭高新区工管委",
            "张三",
            "招商合作局",
            "2026年12月1日",
            &years,
        );
        assert_eq!(d.title, "张三同志预安销号实绩档案");
        assert!(d.opening.contains("2025—2026年"));
        assert!(d.sections[0].paragraphs[0].contains("重点工作5项"));
        assert!(d.sections[2].paragraphs[0].contains("明星个人1次"));
        let empty = document("o", "李四", "u", "d", &[]);
        assert!(empty.opening.contains("暂无记录"));
        assert_eq!(empty.sections[3].table.as_ref().unwrap().rows.len(), 1);
    }
}
