//! A titled table as an XLSX workbook: a merged title row, the bold header, then the rows;
//! cells that read as whole numbers are written as numbers so that offices can sum them.

use domain::bulletin::Table;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::plan_xlsx::DocsError;

/// Writes `table` under `title` on one sheet named `sheet_name`.
pub fn write_table_xlsx(
    title: &str,
    sheet_name: &str,
    table: &Table,
) -> Result<Vec<u8>, DocsError> {
    let e = |e: XlsxError| DocsError::Write(e.to_string());
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name(sheet_name).map_err(e)?;
    let cell = Format::new()
        .set_font_name("宋体")
        .set_font_size(11.0)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let header = cell.clone().set_bold().set_background_color(0xD9_D9_D9);
    let title_format = Format::new()
        .set_font_name("宋体")
        .set_font_size(16.0)
        .set_bold()
        .set_align(FormatAlign::Center);
    let last = u16::try_from(table.header.len().max(1) - 1).unwrap_or(0);
    // A title over one column is that cell: Excel merges no single cell.
    if last == 0 {
        sheet.write_string_with_format(0, 0, title, &title_format)
    } else {
        sheet.merge_range(0, 0, 0, last, title, &title_format)
    }
    .map_err(e)?;
    sheet.set_row_height(0, 30).map_err(e)?;
    for (c, h) in table.header.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        sheet
            .write_string_with_format(1, c, h, &header)
            .map_err(e)?;
        sheet.set_column_width(c, 11.0).map_err(e)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 2).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            match v.parse::<u32>() {
                Ok(n) => sheet.write_number_with_format(r, c, n, &cell),
                Err(_) => sheet.write_string_with_format(r, c, fit_cell(v), &cell),
            }
            .map_err(e)?;
        }
    }
    sheet.set_freeze_panes(2, 0).map_err(e)?;
    wb.save_to_buffer().map_err(e)
}

/// The most characters a spreadsheet cell holds (Excel's limit is 32,767).
const CELL_MAX_CHARS: usize = 32_000;

/// A text as a cell takes it: cut with "…" where it is longer than a cell holds.
fn fit_cell(v: &str) -> std::borrow::Cow<'_, str> {
    if v.chars().count() <= CELL_MAX_CHARS {
        return std::borrow::Cow::Borrowed(v);
    }
    let mut cut: String = v.chars().take(CELL_MAX_CHARS - 1).collect();
    cut.push('…');
    std::borrow::Cow::Owned(cut)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::*;

    #[test]
    fn the_table_reads_back_with_numbers_as_numbers() {
        let t = Table {
            header: vec!["年度".into(), "承担事项".into(), "完成率".into()],
            rows: vec![vec!["2026".into(), "12".into(), "91.7%".into()]],
        };
        let bytes = write_table_xlsx("张三同志预安销号实绩档案", "实绩档案", &t).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("实绩档案").unwrap();
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("张三同志预安销号实绩档案".into()))
        );
        assert_eq!(
            range.get_value((1, 1)),
            Some(&Data::String("承担事项".into()))
        );
        assert_eq!(range.get_value((2, 1)), Some(&Data::Float(12.0)));
        assert_eq!(range.get_value((2, 2)), Some(&Data::String("91.7%".into())));
    }

    #[test]
    fn a_text_longer_than_a_cell_holds_is_cut_not_refused_and_one_column_takes_its_title() {
        let long = "长".repeat(40_000);
        let t = Table {
            header: vec!["变更".into()],
            rows: vec![vec![long]],
        };
        let bytes = write_table_xlsx("审计日志", "审计日志", &t).expect("written");
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("审计日志").unwrap();
        let Some(Data::String(cell)) = range.get_value((2, 0)) else {
            panic!("a text cell");
        };
        assert_eq!(cell.chars().count(), CELL_MAX_CHARS);
        assert!(cell.ends_with('…'));
    }
}
