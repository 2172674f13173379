//! The year's key points (年度工作要点) read from a simple sheet: a header row with 类别 (kind:
//! 工作要点 or 重点热点问题), 要点 (the point itself) and, optionally, 说明 (a description),
//! then one point per row. Bounded and panic-free like the plan-table reader.

use std::panic::{self, AssertUnwindSafe};

use domain::plan_table::CellError;

use crate::plan_xlsx::{
    ImportError, ImportLimits, MAX_CELL_CHARS, MAX_UNPACK_RATIO, declared_unpacked_size,
    display_text, load_first_sheet, normalize_header,
};

/// One key point as read: (kind label as typed, title, description).
pub type KeyPointRow = (String, String, String);

const KIND_HEADERS: [&str; 2] = ["类别", "类型"];
const TITLE_HEADERS: [&str; 4] = ["要点", "工作要点", "标题", "内容"];
const DESCRIPTION_HEADERS: [&str; 2] = ["说明", "备注"];

pub fn read_key_point_rows(
    bytes: &[u8],
    limits: ImportLimits,
) -> Result<Vec<KeyPointRow>, ImportError> {
    if bytes.len() > limits.max_bytes {
        return Err(ImportError::TooLarge);
    }
    panic::catch_unwind(AssertUnwindSafe(|| read_checked(bytes, limits)))
        .unwrap_or(Err(ImportError::Unreadable))
}

fn read_checked(bytes: &[u8], limits: ImportLimits) -> Result<Vec<KeyPointRow>, ImportError> {
    let unpacked = declared_unpacked_size(bytes).ok_or(ImportError::Unreadable)?;
    if unpacked
        > u64::try_from(limits.max_bytes.saturating_mul(MAX_UNPACK_RATIO)).unwrap_or(u64::MAX)
    {
        return Err(ImportError::TooLarge);
    }
    let sheet = load_first_sheet(bytes, limits)?;
    // The header: the first of the first five rows that names a title column.
    let mut header = None;
    for (r, cells) in sheet.rows.range(..5) {
        let find = |names: &[&str]| {
            cells.iter().find_map(|(c, v)| {
                names
                    .contains(&normalize_header(&display_text(v)).as_str())
                    .then_some(*c)
            })
        };
        if let Some(title) = find(&TITLE_HEADERS) {
            header = Some((*r, find(&KIND_HEADERS), title, find(&DESCRIPTION_HEADERS)));
            break;
        }
    }
    let Some((header_row, kind_col, title_col, description_col)) = header else {
        return Err(ImportError::MissingColumn { column: "要点" });
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (r, cells) in sheet.rows.range(header_row.saturating_add(1)..) {
        let get = |c: Option<u32>| {
            c.and_then(|c| cells.get(&c))
                .map(display_text)
                .unwrap_or_default()
        };
        let (kind, title, description) =
            (get(kind_col), get(Some(title_col)), get(description_col));
        if kind.is_empty() && title.is_empty() && description.is_empty() {
            continue;
        }
        let row = r.saturating_add(1);
        if title.is_empty() {
            errors.push(CellError {
                row,
                column: "要点".into(),
                code: "required",
            });
        }
        for (column, text) in [("要点", &title), ("说明", &description)] {
            if text.chars().count() > MAX_CELL_CHARS {
                errors.push(CellError {
                    row,
                    column: column.into(),
                    code: "too_long",
                });
            }
        }
        out.push((kind, title, description));
        if out.len() > limits.max_rows {
            return Err(ImportError::TooManyRows {
                max: limits.max_rows,
            });
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Cells(errors));
    }
    if out.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(out)
}
