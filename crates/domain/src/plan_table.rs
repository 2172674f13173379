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
