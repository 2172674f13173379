#![forbid(unsafe_code)]
//! Office documents of Xiaohao.
//!
//! This crate owns the file formats that offices exchange with the system: today the month's
//! plan table (月度预安表) written as an XLSX workbook in the layout offices print, and the same
//! layout read back from an uploaded workbook into plan rows, and the year's key points read
//! from a simple sheet. It works on bytes in and bytes
//! out only: no file system, no database, no HTTP. Reading checks the file's form (size, row
//! count, columns, dates, categories) and reports every bad cell by row and column; the rules
//! of the plan itself (who may plan what, which month a deadline belongs to) stay with the
//! callers.
//!
//! It also draws the charts that pages and reports show beside their tables ([`charts`]):
//! stacked bars, donuts and line charts rendered on the server as standalone inline SVG, with
//! no script and nothing fetched, and label columns sized for Chinese unit names.

pub mod charts;
pub mod key_points_xlsx;
pub mod plan_xlsx;

pub use key_points_xlsx::{KeyPointRow, read_key_point_rows};

pub use plan_xlsx::{
    DocsError, ImportError, ImportLimits, MAX_CELL_CHARS, SHEET_NAME, read_plan_rows,
    write_plan_table,
};
