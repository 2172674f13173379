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
//! At the month's close it writes the bulletin of results (通报, [`bulletin_docx`]) as a DOCX
//! document laid out like an official red-header document (GB/T 9704: A4, the issuer in red
//! over a red rule, 方正小标宋简体 titles, 黑体 headings, 仿宋_GB2312 text, the results
//! tables, the signature block), and the month's figures by unit ([`bulletin_xlsx`]) as an XLSX
//! sheet with the counts and rates as numbers. The DOCX is deterministic: the same bulletin
//! gives the same bytes.
//!
//! It also draws the charts that pages and reports show beside their tables ([`charts`]):
//! stacked bars, donuts and line charts rendered on the server as standalone inline SVG, with
//! no script and nothing fetched, and label columns sized for Chinese unit names.

pub mod bulletin_docx;
pub mod bulletin_xlsx;
pub mod charts;
pub mod key_points_xlsx;
pub mod plan_xlsx;
pub mod statistics_xlsx;
pub mod table_xlsx;

pub use bulletin_docx::{write_bulletin_docx, write_bulletin_docx_anchored};
pub use bulletin_xlsx::{RESULTS_SHEET_NAME, write_results_xlsx};
pub use key_points_xlsx::{KeyPointRow, read_key_point_rows};
pub use statistics_xlsx::{STATISTICS_SHEET_NAME, write_statistics_xlsx};
pub use table_xlsx::write_table_xlsx;

pub use plan_xlsx::{
    DocsError, ImportError, ImportLimits, MAX_CELL_CHARS, SHEET_NAME, read_plan_rows,
    read_plan_sheet, write_plan_table,
};
