//! Statistics (统计) as an XLSX workbook: a merged title row, a header, one row per month with
//! the counts as numbers and the completion rate as a fraction shown as a percentage, and the
//! 合计 row (its 公示 the distinct items of the period, so not the sum of the months).

use domain::statistics::{MonthLine, Totals};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::plan_xlsx::DocsError;

pub const STATISTICS_SHEET_NAME: &str = "统计";

/// The header row.
pub const STATISTICS_COLUMNS: [&str; 8] = [
    "月份",
    "预安事项",
    "销号事项",
    "完成率",
    "结转事项",
    "公示事项",
    "警示人次",
    "问责人数",
];

const FONT_NAME: &str = "宋体";

/// Writes the statistics of a period; `title` is the title row's text.
pub fn write_statistics_xlsx(
    title: &str,
    lines: &[MonthLine],
    totals: &Totals,
) -> Result<Vec<u8>, DocsError> {
    let e = |e: XlsxError| DocsError::Write(e.to_string());
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name(STATISTICS_SHEET_NAME).map_err(e)?;
    let base = Format::new()
        .set_font_name(FONT_NAME)
        .set_font_size(11.0)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let title_format = Format::new()
        .set_font_name(FONT_NAME)
        .set_font_size(16.0)
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let header = base.clone().set_bold().set_background_color(0xD9_D9_D9);
    let rate = base.clone().set_num_format("0.0%");
    let bold = base.clone().set_bold();
    let bold_rate = rate.clone().set_bold();
    let last_col = (STATISTICS_COLUMNS.len() - 1) as u16;
    sheet
        .merge_range(0, 0, 0, last_col, title, &title_format)
        .map_err(e)?;
    sheet.set_row_height(0, 32).map_err(e)?;
    for (c, name) in STATISTICS_COLUMNS.iter().enumerate() {
        let c = c as u16;
        sheet
            .write_string_with_format(1, c, *name, &header)
            .map_err(e)?;
        sheet.set_column_width(c, 11.0).map_err(e)?;
    }
    let mut row: u32 = 2;
    let mut write = |label: &str,
                     f: &domain::figures::Figures,
                     extra: [Option<u32>; 4],
                     total: bool|
     -> Result<(), XlsxError> {
        let (n, r) = if total {
            (&bold, &bold_rate)
        } else {
            (&base, &rate)
        };
        sheet.write_string_with_format(row, 0, label, n)?;
        sheet.write_number_with_format(row, 1, f.planned, n)?;
        sheet.write_number_with_format(row, 2, f.signed_off, n)?;
        match f.completion_permille() {
            Some(p) => sheet.write_number_with_format(row, 3, f64::from(p) / 1000.0, r)?,
            None => sheet.write_blank(row, 3, r)?,
        };
        for (i, v) in extra.iter().enumerate() {
            let c = 4 + i as u16;
            match v {
                Some(v) => sheet.write_number_with_format(row, c, *v, n)?,
                None => sheet.write_blank(row, c, n)?,
            };
        }
        row += 1;
        Ok(())
    };
    for l in lines {
        write(
            &l.month.to_string(),
            &l.figures,
            [
                Some(l.carried_over),
                Some(l.published),
                Some(l.warnings),
                None,
            ],
            false,
        )
        .map_err(e)?;
    }
    write(
        "合计",
        &totals.figures,
        [
            Some(totals.carried_over),
            Some(totals.published),
            Some(totals.warnings),
            totals.accountable,
        ],
        true,
    )
    .map_err(e)?;
    sheet.set_freeze_panes(2, 0).map_err(e)?;
    sheet.set_repeat_rows(0, 1).map_err(e)?;
    sheet.set_paper_size(9);
    wb.save_to_buffer().map_err(e)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};
    use domain::statistics::{Counted, Period, summarize};

    use super::*;

    #[test]
    fn months_and_the_total_row_read_back() {
        let p = Period::parse("2015-01", "2015-02").unwrap();
        let ym = |s: &str| domain::plan::YearMonth::parse(s).unwrap();
        let c = Counted {
            tasks: vec![
                (ym("2015-01"), domain::plan::TaskStatus::SignedOff, 9),
                (ym("2015-01"), domain::plan::TaskStatus::CarriedOver, 1),
                (ym("2015-02"), domain::plan::TaskStatus::SignedOff, 8),
            ],
            published: vec![(ym("2015-01"), 2), (ym("2015-02"), 2)],
            warnings: vec![(ym("2015-02"), 1)],
            published_distinct: 3,
            accountable: 1,
        };
        let (lines, totals) = summarize(p, &c);
        let bytes = write_statistics_xlsx("2015年预安销号统计", &lines, &totals).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range(STATISTICS_SHEET_NAME).unwrap();
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("2015年预安销号统计".into()))
        );
        assert_eq!(
            range.get_value((1, 3)),
            Some(&Data::String("完成率".into()))
        );
        assert_eq!(
            range.get_value((2, 0)),
            Some(&Data::String("2015-01".into()))
        );
        assert_eq!(range.get_value((2, 1)), Some(&Data::Float(10.0)));
        assert_eq!(range.get_value((2, 3)), Some(&Data::Float(0.9)));
        assert_eq!(range.get_value((4, 0)), Some(&Data::String("合计".into())));
        assert_eq!(range.get_value((4, 2)), Some(&Data::Float(17.0)));
        assert_eq!(
            range.get_value((4, 5)),
            Some(&Data::Float(3.0)),
            "distinct items, not 4"
        );
        assert_eq!(range.get_value((4, 7)), Some(&Data::Float(1.0)));
    }
}
