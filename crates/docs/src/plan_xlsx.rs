//! The month's plan table (月度预安表) as an XLSX workbook.
//!
//! [`write_plan_table`] lays a [`PlanTable`] out the way offices print it: a merged title row,
//! a header row with the eight [`COLUMNS`], one bordered, wrapped row per task, on A4 landscape,
//! one page wide, with the title and header repeated on every printed page.
//!
//! [`read_plan_rows`] reads that layout back from an uploaded workbook. It is forgiving about
//! the things people change in such a file (a title or blank rows above the header, the column
//! order, spaces inside headers, cells merged down a column, dates typed as text or entered as
//! real dates) and strict about everything else: the first problem of every bad cell is
//! reported, by the row number the user sees and the column header, and nothing is returned
//! unless every row is readable. It never panics on any input, and bounds the memory and time
//! an upload can cost (see [`ImportLimits`]).

use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};

use calamine::{
    DataRef, Dimensions, ExcelDateTime, ExcelDateTimeType, Reader, SheetType, SheetVisible, Xlsx,
};
use domain::plan_table::{
    CATEGORY_ASSIGNED, CATEGORY_KEY_WORK, CATEGORY_REGULAR, COLUMNS, CellError, ID_COLUMN,
    KEY_POINT_COLUMN, PlanSheet, PlanTable, PlanTableRow,
};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// The name of the worksheet [`write_plan_table`] writes.
pub const SHEET_NAME: &str = "预安表";

/// The longest cell text, in characters, that [`read_plan_rows`] accepts.
pub const MAX_CELL_CHARS: usize = 2000;

/// The font of every cell: present on every Chinese Windows and in WPS.
const FONT_NAME: &str = "宋体";
const TITLE_FONT_SIZE: f64 = 18.0;
const HEADER_FONT_SIZE: f64 = 12.0;
const BODY_FONT_SIZE: f64 = 11.0;
/// Light grey behind the header row.
const HEADER_FILL: u32 = 0xD9_D9_D9;
/// Column widths in characters, in the order of [`COLUMNS`]: 工作内容 and 完成标准 wide.
const COLUMN_WIDTHS: [f64; 8] = [6.0, 20.0, 46.0, 34.0, 13.0, 10.0, 10.0, 10.0];
/// The width of the printed 对应要点 column, right of the eight.
const KEY_POINT_WIDTH: f64 = 18.0;
/// The sheet columns (0-based) of 对应要点 and of the hidden 编号 that [`write_plan_table`]
/// writes.
const KEY_POINT_COL: u16 = 8;
const ID_COL: u16 = 9;
/// Excel's paper size code for A4.
const PAPER_A4: u8 = 9;
const DATE_FORMAT: &str = "yyyy-mm-dd";

/// How many rows from the top [`read_plan_rows`] searches for the header row.
const HEADER_SEARCH_ROWS: u32 = 5;
/// Cells right of this many columns are ignored when reading.
const MAX_SCAN_COLUMNS: u32 = 128;
/// The uncompressed parts of an upload may declare at most this many times the allowed file
/// size: a plan table compresses by far less, a ZIP bomb by far more.
pub(crate) const MAX_UNPACK_RATIO: usize = 32;
/// Excel's first serial day after the last day it can show (9999-12-31).
const MAX_SERIAL_DAY: f64 = 2_958_466.0;

/// Writing a document failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocsError {
    /// The XLSX writer refused the content, e.g. a cell longer than Excel's 32,767 characters
    /// or more rows than a worksheet holds.
    #[error("could not write the XLSX file: {0}")]
    Write(String),
    /// The DOCX package could not be assembled.
    #[error("could not write the DOCX file: {0}")]
    WriteDocx(String),
}

impl DocsError {
    /// A stable snake_case code for logs and API responses.
    pub fn code(&self) -> &'static str {
        match self {
            DocsError::Write(_) | DocsError::WriteDocx(_) => "write_failed",
        }
    }
}

fn write_error(e: XlsxError) -> DocsError {
    DocsError::Write(e.to_string())
}

/// Reading an uploaded plan table failed; nothing of it was taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file is bigger than [`ImportLimits::max_bytes`], or unpacks to far more than a
    /// file of that size can.
    #[error("the file is too large")]
    TooLarge,
    /// The sheet has more task rows than [`ImportLimits::max_rows`].
    #[error("the file has more than {max} rows")]
    TooManyRows { max: usize },
    /// Not an XLSX workbook (an old .xls, a renamed file, a damaged upload).
    #[error("the file is not a readable XLSX workbook")]
    Unreadable,
    /// The sheet has no task rows.
    #[error("the file has no rows")]
    Empty,
    /// No header row among the first rows has this column.
    #[error("the header row has no column {column}")]
    MissingColumn { column: &'static str },
    /// Some cells are invalid; every one of them is listed.
    #[error("{} invalid cells: {}", .0.len(), describe_cells(.0))]
    Cells(Vec<CellError>),
}

impl ImportError {
    /// A stable snake_case code for logs and API responses.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::TooLarge => "file_too_large",
            ImportError::TooManyRows { .. } => "too_many_rows",
            ImportError::Unreadable => "unreadable_file",
            ImportError::Empty => "empty_file",
            ImportError::MissingColumn { .. } => "missing_column",
            ImportError::Cells(_) => "invalid_rows",
        }
    }
}

fn describe_cells(cells: &[CellError]) -> String {
    const SHOWN: usize = 20;
    let mut s = cells
        .iter()
        .take(SHOWN)
        .map(|c| format!("row {} {} {}", c.row, c.column, c.code))
        .collect::<Vec<_>>()
        .join(", ");
    if cells.len() > SHOWN {
        s.push_str(", …");
    }
    s
}

/// What an upload may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// The largest file accepted. Its parts may unpack to at most 32 times this.
    pub max_bytes: usize,
    /// The most task rows accepted.
    pub max_rows: usize,
}

impl Default for ImportLimits {
    /// 2 MiB and 500 rows.
    fn default() -> Self {
        ImportLimits {
            max_bytes: 2 * 1024 * 1024,
            max_rows: 500,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// Writes the plan table as an XLSX workbook in the layout offices print, and returns its bytes.
///
/// Row 1 is the title, merged across the printed columns; row 2 the headers of [`COLUMNS`]
/// and 对应要点, with the task's 编号 in a last, hidden column so that the file can be uploaded
/// again; then one row per task. A 完成时限 in `YYYY-MM-DD` form is written as a real date (shown as
/// `yyyy-mm-dd`), any other text as it is.
pub fn write_plan_table(t: &PlanTable) -> Result<Vec<u8>, DocsError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET_NAME).map_err(write_error)?;
    lay_out_sheet(sheet, t).map_err(write_error)?;
    workbook.save_to_buffer().map_err(write_error)
}

fn lay_out_sheet(sheet: &mut Worksheet, t: &PlanTable) -> Result<(), XlsxError> {
    let last_col = KEY_POINT_COL;
    let title = Format::new()
        .set_font_name(FONT_NAME)
        .set_font_size(TITLE_FONT_SIZE)
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let header = Format::new()
        .set_font_name(FONT_NAME)
        .set_font_size(HEADER_FONT_SIZE)
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(HEADER_FILL)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let body = Format::new()
        .set_font_name(FONT_NAME)
        .set_font_size(BODY_FONT_SIZE)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let text = body.clone().set_align(FormatAlign::Left);
    let centered = body.clone().set_align(FormatAlign::Center);
    let date = centered.clone().set_num_format(DATE_FORMAT);

    sheet.merge_range(0, 0, 0, last_col, &t.title(), &title)?;
    sheet.set_row_height(0, 36)?;
    for (col, (name, width)) in COLUMNS.iter().zip(COLUMN_WIDTHS).enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(1, col, *name, &header)?;
        sheet.set_column_width(col, width)?;
    }
    sheet.write_string_with_format(1, KEY_POINT_COL, KEY_POINT_COLUMN, &header)?;
    sheet.set_column_width(KEY_POINT_COL, KEY_POINT_WIDTH)?;
    sheet.write_string_with_format(1, ID_COL, ID_COLUMN, &header)?;
    sheet.set_column_hidden(ID_COL)?;
    sheet.set_row_height(1, 24)?;

    for (i, r) in t.rows.iter().enumerate() {
        let row = u32::try_from(i)
            .ok()
            .and_then(|i| i.checked_add(2))
            .ok_or(XlsxError::RowColumnLimitError)?;
        sheet.write_number_with_format(row, 0, r.seq, &centered)?;
        sheet.write_string_with_format(row, 1, &r.title, &text)?;
        sheet.write_string_with_format(row, 2, &r.content, &text)?;
        sheet.write_string_with_format(row, 3, &r.criterion, &text)?;
        match parse_iso_date(&r.deadline) {
            Some((y, m, d)) => {
                let when = rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d)?;
                sheet.write_datetime_with_format(row, 4, &when, &date)?;
            }
            None => {
                sheet.write_string_with_format(row, 4, &r.deadline, &centered)?;
            }
        }
        sheet.write_string_with_format(row, 5, &r.owner, &centered)?;
        sheet.write_string_with_format(row, 6, &r.leader, &centered)?;
        sheet.write_string_with_format(row, 7, &r.category, &centered)?;
        sheet.write_string_with_format(row, KEY_POINT_COL, &r.key_point, &text)?;
        if let Some(id) = r.task_id {
            // Ids stay far below 2^53, so the number is exact.
            sheet.write_number_with_format(row, ID_COL, id as f64, &centered)?;
        }
    }

    sheet.set_paper_size(PAPER_A4);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 1)?;
    sheet.set_print_center_horizontally(true);
    sheet.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    sheet.set_footer("&C第 &P 页，共 &N 页");
    sheet.set_freeze_panes(2, 0)?;
    Ok(())
}

/// `YYYY-MM-DD` exactly, as the domain stores a deadline.
fn parse_iso_date(s: &str) -> Option<(u16, u8, u8)> {
    let b = s.as_bytes();
    let digits_at = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if !digits_at(0..4) || !digits_at(5..7) || !digits_at(8..10) {
        return None;
    }
    let y = s.get(0..4)?.parse::<u16>().ok()?;
    let m = s.get(5..7)?.parse::<u8>().ok()?;
    let d = s.get(8..10)?.parse::<u8>().ok()?;
    is_valid_date(u32::from(y), u32::from(m), u32::from(d)).then_some((y, m, d))
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// Reads the task rows of a plan table from XLSX bytes in the layout [`write_plan_table`]
/// writes.
///
/// The first visible worksheet is read. Its header row is the one among the first five rows
/// that holds the headers of [`COLUMNS`] (spaces inside a header are ignored); all eight must be
/// there, in any order, else [`ImportError::MissingColumn`] names the first one missing. Every
/// later row with something in a column other than 序号 is a task row; a value merged down a
/// column counts for every row of the merge. Cells are read as trimmed text; 序号 is the
/// number in it, or the row's position among the task rows when it holds none; 完成时限 is
/// normalised to `YYYY-MM-DD` from a date cell, a date serial number or text such as
/// `2026/11/30` or `2026年11月30日`.
///
/// Checks are about form only: 工作事项, 完成标准 and 完成时限 must not be empty (`required`),
/// 完成时限 must be a date (`invalid_date`), 类别 must be empty or one of the category labels
/// (`invalid_category`), and no cell may hold more than [`MAX_CELL_CHARS`] characters
/// (`too_long`). Every bad cell is reported in [`ImportError::Cells`], and then no row is
/// returned.
///
/// The optional columns 对应要点 and 编号 are read when the header row has them; 编号 must be
/// a positive whole number (`invalid_id`).
pub fn read_plan_rows(
    bytes: &[u8],
    limits: ImportLimits,
) -> Result<Vec<PlanTableRow>, ImportError> {
    let sheet = read_plan_sheet(bytes, limits)?;
    if sheet.errors.is_empty() {
        Ok(sheet.rows)
    } else {
        Err(ImportError::Cells(sheet.errors))
    }
}

/// Like [`read_plan_rows`], but a file whose cells have problems still yields its rows, with
/// the problems beside them. Errors of the file as a whole (size, format, header) remain
/// errors.
pub fn read_plan_sheet(bytes: &[u8], limits: ImportLimits) -> Result<PlanSheet, ImportError> {
    if bytes.len() > limits.max_bytes {
        return Err(ImportError::TooLarge);
    }
    // The XLSX reader is third-party code fed with untrusted bytes: should it panic on some
    // input, that is an unreadable file, not a crashed request.
    panic::catch_unwind(AssertUnwindSafe(|| read_checked(bytes, limits)))
        .unwrap_or(Err(ImportError::Unreadable))
}

fn read_checked(bytes: &[u8], limits: ImportLimits) -> Result<PlanSheet, ImportError> {
    let unpacked = declared_unpacked_size(bytes).ok_or(ImportError::Unreadable)?;
    let budget = limits.max_bytes.saturating_mul(MAX_UNPACK_RATIO);
    if unpacked > u64::try_from(budget).unwrap_or(u64::MAX) {
        return Err(ImportError::TooLarge);
    }
    let sheet = load_first_sheet(bytes, limits)?;
    if sheet.rows.is_empty() {
        return Err(ImportError::Empty);
    }
    let (header_row, columns) = find_header(&sheet.rows)?;
    let mut rows = sheet.rows;
    let task_rows: Vec<u32> = rows
        .range(header_row.saturating_add(1)..)
        .filter(|(_, cells)| has_task_content(cells, &columns))
        .map(|(r, _)| *r)
        .collect();
    if task_rows.len() > limits.max_rows {
        return Err(ImportError::TooManyRows {
            max: limits.max_rows,
        });
    }
    if task_rows.is_empty() {
        return Err(ImportError::Empty);
    }
    fill_merged_down(&mut rows, &sheet.merges, header_row, &columns)?;

    let mut out = Vec::with_capacity(task_rows.len());
    let mut errors = Vec::new();
    for (position, r) in task_rows.iter().enumerate() {
        let empty = BTreeMap::new();
        let cells = rows.get(r).unwrap_or(&empty);
        let fallback_seq = u32::try_from(position + 1).unwrap_or(u32::MAX);
        let line = r.saturating_add(1);
        let row = read_row(
            cells,
            &columns,
            sheet.is_1904,
            fallback_seq,
            |column, code| {
                errors.push(CellError {
                    row: line,
                    column: column.to_string(),
                    code,
                });
            },
        );
        out.push(PlanTableRow { line, ..row });
    }
    Ok(PlanSheet { rows: out, errors })
}

/// A cell's value, owned, as far as this reader cares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Number(f64),
    Date(ExcelDateTime),
}

pub(crate) type Row = BTreeMap<u32, Value>;

pub(crate) struct Sheet {
    /// Non-empty cells by 0-based row, then 0-based column.
    pub(crate) rows: BTreeMap<u32, Row>,
    merges: Vec<Dimensions>,
    is_1904: bool,
}

pub(crate) fn load_first_sheet(bytes: &[u8], limits: ImportLimits) -> Result<Sheet, ImportError> {
    let mut workbook =
        Xlsx::new(Cursor::new(bytes)).map_err(|_: calamine::XlsxError| ImportError::Unreadable)?;
    let name = first_worksheet(workbook.sheets_metadata()).ok_or(ImportError::Unreadable)?;
    let is_1904 = workbook.has_1904_epoch();
    // Rows holding anything at all: more than this and the file is refused before its header
    // is even looked for, so a huge sheet costs no memory.
    let row_cap = limits.max_rows.saturating_mul(4).saturating_add(100);

    let mut rows: BTreeMap<u32, Row> = BTreeMap::new();
    {
        let mut reader = workbook
            .worksheet_cells_reader(&name)
            .map_err(|_| ImportError::Unreadable)?;
        while let Some(cell) = reader.next_cell().map_err(|_| ImportError::Unreadable)? {
            let (r, c) = cell.get_position();
            if c >= MAX_SCAN_COLUMNS {
                continue;
            }
            let Some(value) = owned_value(cell.get_value()) else {
                continue;
            };
            if !rows.contains_key(&r) && rows.len() >= row_cap {
                return Err(ImportError::TooManyRows {
                    max: limits.max_rows,
                });
            }
            rows.entry(r).or_default().insert(c, value);
        }
    }
    let merges = workbook
        .merge_cells_by_sheet_name(&name)
        .map_err(|_| ImportError::Unreadable)?;
    Ok(Sheet {
        rows,
        merges,
        is_1904,
    })
}

/// The first visible worksheet, else the first worksheet (chart sheets and the like skipped).
fn first_worksheet(sheets: &[calamine::Sheet]) -> Option<String> {
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    worksheets()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .map(|s| s.name.clone())
}

/// `None` for a cell with nothing in it.
fn owned_value(v: &DataRef<'_>) -> Option<Value> {
    let text = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| Value::Text(s.to_string()))
    };
    match v {
        DataRef::Empty => None,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => Some(Value::Number(*i as f64)),
        DataRef::Float(f) => Some(Value::Number(*f)),
        DataRef::Bool(b) => Some(Value::Text(if *b { "TRUE" } else { "FALSE" }.to_string())),
        DataRef::DateTime(dt) => Some(Value::Date(*dt)),
        DataRef::Error(e) => Some(Value::Text(e.to_string())),
    }
}

/// Header text as compared: without any whitespace, so 「序　号」 and 「责任人\n」 match.
pub(crate) fn normalize_header(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Where the table's columns are in the sheet: each of [`COLUMNS`], and the optional
/// 对应要点 and 编号.
struct Columns {
    required: [u32; 8],
    key_point: Option<u32>,
    id: Option<u32>,
}

impl Columns {
    /// The sheet columns holding a value of the table: all but 序号 and 编号.
    fn content(&self) -> impl Iterator<Item = u32> + '_ {
        self.required[1..].iter().copied().chain(self.key_point)
    }

    /// The sheet columns a merge down may fill.
    fn contains(&self, col: u32) -> bool {
        self.required.contains(&col) || self.key_point == Some(col) || self.id == Some(col)
    }
}

/// The header row (0-based) and where its columns are.
fn find_header(rows: &BTreeMap<u32, Row>) -> Result<(u32, Columns), ImportError> {
    const HEADERS: [&str; 10] = [
        COLUMNS[0],
        COLUMNS[1],
        COLUMNS[2],
        COLUMNS[3],
        COLUMNS[4],
        COLUMNS[5],
        COLUMNS[6],
        COLUMNS[7],
        KEY_POINT_COLUMN,
        ID_COLUMN,
    ];
    let mut best: Option<(usize, u32, [Option<u32>; 10])> = None;
    for (r, cells) in rows.range(..HEADER_SEARCH_ROWS) {
        let mut found = [None; 10];
        for (c, v) in cells {
            let Value::Text(s) = v else { continue };
            let s = normalize_header(s);
            if let Some(i) = HEADERS.iter().position(|h| *h == s)
                && found[i].is_none()
            {
                found[i] = Some(*c);
            }
        }
        let count = found[..8].iter().flatten().count();
        if best.as_ref().is_none_or(|(n, _, _)| count > *n) {
            best = Some((count, *r, found));
        }
    }
    let (_, row, found) = best.unwrap_or((0, 0, [None; 10]));
    let mut required = [0; 8];
    for (i, c) in found[..8].iter().enumerate() {
        match c {
            Some(c) => required[i] = *c,
            None => return Err(ImportError::MissingColumn { column: COLUMNS[i] }),
        }
    }
    Ok((
        row,
        Columns {
            required,
            key_point: found[8],
            id: found[9],
        },
    ))
}

/// Whether a row holds anything in the table's columns other than 序号 and 编号: rows with
/// only a number are the blank lines of a pre-numbered template.
fn has_task_content(cells: &Row, columns: &Columns) -> bool {
    columns.content().any(|c| cells.contains_key(&c))
}

/// A value merged down a column stands in the top cell only; give it to every task row the
/// merge covers, as the reader of the printed table sees it. Merges in a valid workbook never
/// overlap, so this visits each row at most once per column; a file whose merges overlap so
/// much that it would visit far more is unreadable.
fn fill_merged_down(
    rows: &mut BTreeMap<u32, Row>,
    merges: &[Dimensions],
    header_row: u32,
    columns: &Columns,
) -> Result<(), ImportError> {
    let mut budget = rows.len().saturating_add(1).saturating_mul(2 * 10);
    for m in merges {
        let (top, col) = m.start;
        let bottom = m.end.0;
        if top <= header_row || bottom <= top || !columns.contains(col) {
            continue;
        }
        let Some(value) = rows.get(&top).and_then(|cells| cells.get(&col)).cloned() else {
            continue;
        };
        for (_, cells) in rows.range_mut(top.saturating_add(1)..=bottom) {
            budget = budget.checked_sub(1).ok_or(ImportError::Unreadable)?;
            cells.entry(col).or_insert_with(|| value.clone());
        }
    }
    Ok(())
}

fn read_row(
    cells: &Row,
    columns: &Columns,
    is_1904: bool,
    fallback_seq: u32,
    mut error: impl FnMut(&'static str, &'static str),
) -> PlanTableRow {
    let cell = |i: usize| cells.get(&columns.required[i]);
    let mut text = [const { String::new() }; 8];
    let mut ok = [true; 8];
    for (i, t) in text.iter_mut().enumerate() {
        *t = cell(i).map(display_text).unwrap_or_default();
        if t.chars().count() > MAX_CELL_CHARS {
            error(COLUMNS[i], "too_long");
            ok[i] = false;
        }
    }
    for i in [1, 3] {
        if ok[i] && text[i].is_empty() {
            error(COLUMNS[i], "required");
        }
    }
    let mut deadline = String::new();
    if ok[4] {
        match cell(4) {
            None => error(COLUMNS[4], "required"),
            Some(v) => match deadline_of(v, is_1904) {
                Some(d) => deadline = d,
                None => error(COLUMNS[4], "invalid_date"),
            },
        }
    }
    if ok[7]
        && !text[7].is_empty()
        && ![CATEGORY_KEY_WORK, CATEGORY_REGULAR, CATEGORY_ASSIGNED].contains(&text[7].as_str())
    {
        error(COLUMNS[7], "invalid_category");
    }
    let mut key_point = columns
        .key_point
        .and_then(|c| cells.get(&c))
        .map(display_text)
        .unwrap_or_default();
    if key_point.chars().count() > MAX_CELL_CHARS {
        error(KEY_POINT_COLUMN, "too_long");
        key_point.clear();
    }
    let task_id = match columns.id.and_then(|c| cells.get(&c)) {
        None => None,
        Some(v) => {
            let id = id_of(v);
            if id.is_none() {
                error(ID_COLUMN, "invalid_id");
            }
            id
        }
    };
    let seq = cell(0).and_then(seq_of).unwrap_or(fallback_seq);
    let [_, title, content, criterion, _, owner, leader, category] = text;
    PlanTableRow {
        seq,
        title,
        content,
        criterion,
        deadline,
        owner,
        leader,
        category,
        key_point,
        task_id,
        line: 0,
    }
}

/// A task id: a positive whole number, as a number cell or as text.
fn id_of(v: &Value) -> Option<i64> {
    let n = match v {
        Value::Number(f) if f.fract() == 0.0 && *f >= 1.0 && *f < 9.0e15 => *f as i64,
        Value::Text(s) => s.trim().parse::<i64>().ok()?,
        _ => return None,
    };
    (n > 0).then_some(n)
}

/// A cell as the user reads it.
pub(crate) fn display_text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Number(f) => number_text(*f),
        Value::Date(dt) if dt.is_duration() => number_text(dt.as_f64()),
        Value::Date(dt) => {
            let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}")
            }
        }
    }
}

fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn seq_of(v: &Value) -> Option<u32> {
    let n = match v {
        Value::Number(f) if f.fract() == 0.0 && *f >= 1.0 && *f <= f64::from(u32::MAX) => *f as u32,
        Value::Text(s) => s.trim_end_matches(['.', '、', '．']).parse::<u32>().ok()?,
        _ => return None,
    };
    (n > 0).then_some(n)
}

/// 完成时限 as `YYYY-MM-DD`, from a date cell, a serial number, `YYYYMMDD` or date text.
fn deadline_of(v: &Value, is_1904: bool) -> Option<String> {
    match v {
        Value::Date(dt) => serial_date(*dt),
        Value::Number(f) => {
            if f.fract() != 0.0 {
                None
            } else if (19_000_101.0..=99_991_231.0).contains(f) {
                compact_date(&number_text(*f))
            } else {
                serial_date(ExcelDateTime::new(*f, ExcelDateTimeType::DateTime, is_1904))
            }
        }
        Value::Text(s) => text_date(s),
    }
}

fn serial_date(dt: ExcelDateTime) -> Option<String> {
    let v = dt.as_f64();
    if !dt.is_datetime() || !v.is_finite() || !(1.0..MAX_SERIAL_DAY).contains(&v) {
        return None;
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    date_string(u32::from(y), u32::from(m), u32::from(d))
}

/// `YYYY-MM-DD` from date text: `2026-11-30`, `2026/11/30`, `2026.11.30`, `2026年11月30日`,
/// `20261130`, with one-digit months and days, full-width digits, and an optional time part.
fn text_date(s: &str) -> Option<String> {
    let s: String = s.chars().map(halfwidth).collect();
    let s = s.trim();
    let date = match s.find(':') {
        Some(colon) => {
            let split = s[..colon].rfind(|c: char| c == 'T' || c.is_whitespace())?;
            let (date, time) = s.split_at(split);
            let mut time = time.chars();
            time.next();
            let time = time.as_str().trim();
            if time.is_empty()
                || !time
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ':' || c == '.')
            {
                return None;
            }
            date
        }
        None => s,
    };
    let date: String = date.chars().filter(|c| !c.is_whitespace()).collect();
    if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        return compact_date(&date);
    }
    let parts: Vec<&str> = if date.contains('年') {
        let date = date.strip_suffix(['日', '号']).unwrap_or(&date);
        let (y, rest) = date.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        vec![y, m, d]
    } else {
        date.split(['-', '/', '.']).collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(y, 4, 4) || !digits(m, 1, 2) || !digits(d, 1, 2) {
        return None;
    }
    date_string(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// `YYYYMMDD`.
fn compact_date(s: &str) -> Option<String> {
    date_string(
        s.get(0..4)?.parse().ok()?,
        s.get(4..6)?.parse().ok()?,
        s.get(6..8)?.parse().ok()?,
    )
}

/// Full-width digits and date separators, as Chinese input methods type them, as ASCII.
fn halfwidth(c: char) -> char {
    match c {
        '０'..='９' => {
            char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
        }
        '－' => '-',
        '／' => '/',
        '．' => '.',
        '：' => ':',
        _ => c,
    }
}

fn date_string(y: u32, m: u32, d: u32) -> Option<String> {
    is_valid_date(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn is_valid_date(y: u32, m: u32, d: u32) -> bool {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=9999).contains(&y) && (1..=days).contains(&d)
}

/// The total uncompressed size the ZIP central directory declares for all entries (the ZIP
/// reader enforces each entry's declared size), or `None` when the bytes are no ZIP archive.
/// Handles ZIP64 records.
pub(crate) fn declared_unpacked_size(b: &[u8]) -> Option<u64> {
    const EOCD: u32 = 0x0605_4b50;
    const ZIP64_LOCATOR: u32 = 0x0706_4b50;
    const ZIP64_EOCD: u32 = 0x0606_4b50;
    const CENTRAL_HEADER: u32 = 0x0201_4b50;
    const EOCD_LEN: usize = 22;

    let last = b.len().checked_sub(EOCD_LEN)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    let eocd = (first..=last).rev().find(|&i| le32(b, i) == Some(EOCD))?;
    let mut entries = u64::from(le16(b, eocd + 10)?);
    let mut offset = u64::from(le32(b, eocd + 16)?);
    if entries == u64::from(u16::MAX) || offset == u64::from(u32::MAX) {
        let locator = eocd.checked_sub(20)?;
        if le32(b, locator)? != ZIP64_LOCATOR {
            return None;
        }
        let record = usize::try_from(le64(b, locator + 8)?).ok()?;
        if le32(b, record)? != ZIP64_EOCD {
            return None;
        }
        entries = le64(b, record + 32)?;
        offset = le64(b, record + 48)?;
    }
    let mut p = usize::try_from(offset).ok()?;
    let mut total: u64 = 0;
    for _ in 0..entries {
        if le32(b, p)? != CENTRAL_HEADER {
            return None;
        }
        let mut size = u64::from(le32(b, p + 24)?);
        let name_len = usize::from(le16(b, p + 28)?);
        let extra_len = usize::from(le16(b, p + 30)?);
        let comment_len = usize::from(le16(b, p + 32)?);
        let extra_start = p.checked_add(46)?.checked_add(name_len)?;
        if size == u64::from(u32::MAX) {
            size = zip64_size(b.get(extra_start..extra_start.checked_add(extra_len)?)?)?;
        }
        total = total.saturating_add(size);
        p = extra_start
            .checked_add(extra_len)?
            .checked_add(comment_len)?;
    }
    Some(total)
}

/// The uncompressed size in a ZIP64 extended-information extra field; it comes first there
/// when the central header's own field is saturated.
fn zip64_size(mut extra: &[u8]) -> Option<u64> {
    while extra.len() >= 4 {
        let id = le16(extra, 0)?;
        let len = usize::from(le16(extra, 2)?);
        let body = extra.get(4..4 + len)?;
        if id == 0x0001 {
            return le64(body, 0);
        }
        extra = &extra[4 + len..];
    }
    None
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn le64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_dates_are_normalised() {
        for (input, want) in [
            ("2026-11-30", Some("2026-11-30")),
            ("2026/11/30", Some("2026-11-30")),
            ("2026.1.5", Some("2026-01-05")),
            ("2026年11月30日", Some("2026-11-30")),
            ("2026 年 1 月 5 日", Some("2026-01-05")),
            ("２０２６年１１月３０日", Some("2026-11-30")),
            ("2026年11月30", Some("2026-11-30")),
            ("20261130", Some("2026-11-30")),
            ("2026-11-30 00:00:00", Some("2026-11-30")),
            ("2026-11-30T08:30:00", Some("2026-11-30")),
            ("2026-11-30\u{3000}08:30", Some("2026-11-30")),
            ("2026-02-29", None),
            ("2028-02-29", Some("2028-02-29")),
            ("2026-13-01", None),
            ("2026-11-31", None),
            ("26-11-30", None),
            ("11月底", None),
            ("2026-11-30 下午", None),
            ("", None),
            ("::", None),
            ("2026-11", None),
            ("2026年11月", None),
        ] {
            assert_eq!(text_date(input).as_deref(), want, "{input}");
        }
    }

    #[test]
    fn serial_numbers_are_dates() {
        // 2026-11-30 is serial 46356 in the 1900 epoch.
        let v = Value::Number(46356.0);
        assert_eq!(deadline_of(&v, false).as_deref(), Some("2026-11-30"));
        assert_eq!(
            deadline_of(&Value::Number(20261130.0), false).as_deref(),
            Some("2026-11-30")
        );
        assert_eq!(deadline_of(&Value::Number(46356.5), false), None);
        assert_eq!(deadline_of(&Value::Number(-3.0), false), None);
        assert_eq!(deadline_of(&Value::Number(f64::NAN), false), None);
        assert_eq!(deadline_of(&Value::Number(1e300), false), None);
        // Excel's phantom 1900-02-29.
        assert_eq!(deadline_of(&Value::Number(60.0), false), None);
    }

    #[test]
    fn numbers_read_as_people_see_them() {
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(number_text(f64::INFINITY), "inf");
        assert_eq!(seq_of(&Value::Text("3、".into())), Some(3));
        assert_eq!(seq_of(&Value::Text("一".into())), None);
        assert_eq!(seq_of(&Value::Number(0.0)), None);
    }

    #[test]
    fn headers_ignore_inner_spaces() {
        assert_eq!(normalize_header("序　号"), "序号");
        assert_eq!(normalize_header(" 责任人\n"), "责任人");
    }

    #[test]
    fn not_a_zip_has_no_declared_size() {
        assert_eq!(declared_unpacked_size(b""), None);
        assert_eq!(declared_unpacked_size(&[0x50, 0x4b, 0x05, 0x06]), None);
        assert_eq!(declared_unpacked_size(&[0u8; 100]), None);
    }
}
