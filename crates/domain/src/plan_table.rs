//! The month's plan table (月度预安表) as offices lay it out, independent of any file format:
//! a title, and rows with the columns 序号, 工作事项, 工作内容, 完成标准, 完成时限, 责任人,
//! 分管领导, 类别. The `docs` crate writes and reads it as XLSX; the web layer shows it as a page.

use serde::Serialize;

/// The column headers, in order, as printed on the table.
pub const COLUMNS: [&str; 8] = [
    "序号",
    "工作事项",
    "工作内容",
    "完成标准",
    "完成时限",
    "责任人",
    "分管领导",
    "类别",
];

/// Category labels of the 类别 column.
pub const CATEGORY_KEY_WORK: &str = "重点工作";
pub const CATEGORY_REGULAR: &str = "一般工作";
pub const CATEGORY_ASSIGNED: &str = "交办事项";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanTable {
    /// e.g. 湘潭高新区工管委
    pub organization: String,
    /// The unit, or "unit · post" for a post's table.
    pub unit: String,
    pub year: i32,
    pub month: u32,
    pub rows: Vec<PlanTableRow>,
}

impl PlanTable {
    /// The title row: 「湘潭高新区工管委 财政局 2026年11月预安表」.
    pub fn title(&self) -> String {
        format!(
            "{} {} {}年{}月预安表",
            self.organization, self.unit, self.year, self.month
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PlanTableRow {
    /// 序号, from 1.
    pub seq: u32,
    /// 工作事项
    pub title: String,
    /// 工作内容
    pub content: String,
    /// 完成标准 (the sign-off criterion)
    pub criterion: String,
    /// 完成时限, `YYYY-MM-DD`
    pub deadline: String,
    /// 责任人 (display name of the owner)
    pub owner: String,
    /// 分管领导 (display name of the leader in charge)
    pub leader: String,
    /// 类别: one of the CATEGORY_ labels
    pub category: String,
    /// 对应要点: the key point's title; empty when the sheet has no such column.
    pub key_point: String,
    /// 编号: the id of the task the row was downloaded from.
    pub task_id: Option<i64>,
    /// The spreadsheet's row number as the user sees it, 0 when the row came from elsewhere.
    pub line: u32,
}

/// The rows of an uploaded plan table with the problems of their cells, so that the checks
/// that need the database can add theirs and the user sees every problem of the file at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSheet {
    /// Every task row, as far as it could be read; each carries its `line`.
    pub rows: Vec<PlanTableRow>,
    /// Every bad cell, in row order.
    pub errors: Vec<CellError>,
}

/// One cell that could not be read, for per-row, per-column import errors. `row` is the
/// spreadsheet's row number as the user sees it (1-based, header rows included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    pub row: u32,
    /// The column header, e.g. 完成时限.
    pub column: String,
    pub code: &'static str,
}

/// The optional column naming each row's key point (对应要点), by its title. A sheet without
/// it takes the key point chosen on the upload form for every row.
pub const KEY_POINT_COLUMN: &str = "对应要点";
/// The columns of the printed table and of the page: [`COLUMNS`], then 对应要点.
pub const PRINTED_COLUMNS: [&str; 9] = [
    COLUMNS[0],
    COLUMNS[1],
    COLUMNS[2],
    COLUMNS[3],
    COLUMNS[4],
    COLUMNS[5],
    COLUMNS[6],
    COLUMNS[7],
    KEY_POINT_COLUMN,
];
/// The optional, hidden column holding the task's id (编号), so that a downloaded table
/// uploaded again updates its tasks instead of adding them a second time.
pub const ID_COLUMN: &str = "编号";

/// What one uploaded row is, against the unit's tasks of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowTarget {
    /// A task to add.
    New,
    /// The existing task at this index of `existing`.
    Existing(usize),
}

/// Matches uploaded rows to the unit's existing tasks of the month (`(id, title)` each): a
/// row carrying an id is that task (`unknown_task` if the unit's month has no such task); a
/// row without one is the existing task of the same title, if no other row is that task;
/// anything else is new. Two rows naming the same task: the second is `duplicate_row`.
pub fn match_rows(
    existing: &[(i64, &str)],
    rows: &[PlanTableRow],
) -> Vec<Result<RowTarget, &'static str>> {
    let mut claimed = vec![false; existing.len()];
    let mut out: Vec<Result<RowTarget, &'static str>> = rows
        .iter()
        .map(|r| {
            let id = r.task_id?;
            Some(match existing.iter().position(|(e, _)| *e == id) {
                None => Err("unknown_task"),
                Some(i) if claimed[i] => Err("duplicate_row"),
                Some(i) => {
                    claimed[i] = true;
                    Ok(RowTarget::Existing(i))
                }
            })
        })
        .map(|m| m.unwrap_or(Ok(RowTarget::New)))
        .collect();
    for (r, target) in rows.iter().zip(out.iter_mut()) {
        if r.task_id.is_some() {
            continue;
        }
        let title = r.title.trim();
        if let Some(i) = existing
            .iter()
            .enumerate()
            .position(|(i, (_, t))| !claimed[i] && t.trim() == title)
        {
            claimed[i] = true;
            *target = Ok(RowTarget::Existing(i));
        }
    }
    out
}

/// What an import did: rows added as drafts, proposals updated, change requests raised for
/// arranged tasks, and rows equal to their task, left alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub added: usize,
    pub updated: usize,
    pub change_requests: usize,
    pub unchanged: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(title: &str, id: Option<i64>) -> PlanTableRow {
        PlanTableRow {
            title: title.into(),
            task_id: id,
            ..Default::default()
        }
    }

    #[test]
    fn rows_match_by_id_then_by_title_and_never_twice() {
        let existing = [(10, "道路维修"), (11, "招商引资"), (12, "道路维修")];
        let rows = [
            row("改了名字", Some(11)),
            row(" 道路维修 ", None),
            row("道路维修", None),
            row("道路维修", None),
            row("招商引资", None),
            row("重复", Some(11)),
            row("别处", Some(99)),
        ];
        assert_eq!(
            match_rows(&existing, &rows),
            vec![
                Ok(RowTarget::Existing(1)),
                Ok(RowTarget::Existing(0)),
                Ok(RowTarget::Existing(2)),
                Ok(RowTarget::New),
                Ok(RowTarget::New),
                Err("duplicate_row"),
                Err("unknown_task"),
            ]
        );
    }

    #[test]
    fn an_id_claims_its_task_before_a_title_does() {
        let existing = [(10, "甲")];
        let rows = [row("甲", None), row("甲（改）", Some(10))];
        assert_eq!(
            match_rows(&existing, &rows),
            vec![Ok(RowTarget::New), Ok(RowTarget::Existing(0))]
        );
    }
}
