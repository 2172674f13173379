//! The figures of the month's bulletin (通报) as an XLSX workbook: the results table, one row
//! per unit and the total, for offices that want to sort, sum or chart them.
//!
//! [`write_results_xlsx`] writes one sheet, [`RESULTS_SHEET_NAME`], in the layout of the plan
//! table ([`crate::plan_xlsx`]): a merged title row, the header of [`RESULT_COLUMNS`], then the
//! rows of [`result_rows`] with the counts as numbers and the completion rate as a fraction
//! shown as a percentage (0.949 as 94.9%); a month with nothing planned has an empty rate cell.
//! The 合计 row is bold.

use domain::bulletin::{RESULT_COLUMNS, UnitLine, result_rows};
use domain::figures::Figures;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::plan_xlsx::DocsError;

/// The name of the worksheet [`write_results_xlsx`] writes.
pub const RESULTS_SHEET_NAME: &str = "完成情况";

const FONT_NAME: &str = "宋体";
const TITLE_FONT_SIZE: f64 = 16.0;
const HEADER_FONT_SIZE: f64 = 12.0;
const BODY_FONT_SIZE: f64 = 11.0;
/// Light grey behind the header row.
const HEADER_FILL: u32 = 0xD9_D9_D9;
/// The rate to one decimal place, as the bulletin prints it.
const RATE_FORMAT: &str = "0.0%";
/// Column widths in characters, in the order of [`RESULT_COLUMNS`]; 单位 is widened to the
/// longest unit name.
const COLUMN_WIDTHS: [f64; 6] = [6.0, 16.0, 10.0, 10.0, 11.0, 10.0];
const UNIT_COLUMN: u16 = 1;
/// 单位 is never wider than this many characters; longer names wrap.
const MAX_UNIT_WIDTH: f64 = 40.0;
/// Excel's paper size code for A4.
const PAPER_A4: u8 = 9;

/// Writes the results table of a month as an XLSX workbook and returns its bytes.
///
/// `title` is the title row's text, e.g. 2026年11月预安销号完成情况; `units` come in the order
/// given, numbered from 1; `total` is the 合计 row.
pub fn write_results_xlsx(
    title: &str,
    units: &[UnitLine],
    total: &Figures,
) -> Result<Vec<u8>, DocsError> {
    let write_error = |e: XlsxError| DocsError::Write(e.to_string());
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(RESULTS_SHEET_NAME).map_err(write_error)?;
    lay_out_sheet(sheet, title, units, total).map_err(write_error)?;
    workbook.save_to_buffer().map_err(write_error)
}

fn lay_out_sheet(
    sheet: &mut Worksheet,
    title: &str,
    units: &[UnitLine],
    total: &Figures,
) -> Result<(), XlsxError> {
    let last_col = (RESULT_COLUMNS.len() - 1) as u16;
    let title_format = Format::new()
        .set_font_name(FONT_NAME)
        .set_font_size(TITLE_FONT_SIZE)
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
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
    let unit_format = body.clone().set_align(FormatAlign::Left);
    let number = body.clone().set_align(FormatAlign::Center);
    let rate = number.clone().set_num_format(RATE_FORMAT);
    // The 合计 row bold, 合计 itself centred under the names.
    let total_number = number.clone().set_bold();
    let total_rate = rate.clone().set_bold();

    sheet.merge_range(0, 0, 0, last_col, title, &title_format)?;
    sheet.set_row_height(0, 36)?;
    for (col, (name, width)) in RESULT_COLUMNS.iter().zip(COLUMN_WIDTHS).enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(1, col, *name, &header)?;
        sheet.set_column_width(col, width)?;
    }
    sheet.set_row_height(1, 24)?;
    sheet.set_column_width(UNIT_COLUMN, unit_column_width(units))?;

    let figures = units.iter().map(|u| &u.figures).chain([total]);
    let lines = result_rows(units, total);
    let last = lines.len() - 1;
    for (i, (line, f)) in lines.iter().zip(figures).enumerate() {
        let row = u32::try_from(i)
            .ok()
            .and_then(|i| i.checked_add(2))
            .ok_or(XlsxError::RowColumnLimitError)?;
        let is_total = i == last;
        let (unit, number, rate) = if is_total {
            (&total_number, &total_number, &total_rate)
        } else {
            (&unit_format, &number, &rate)
        };
        let text = |c: usize| line.get(c).map_or("", String::as_str);
        match (text(0), text(0).parse::<u32>()) {
            (_, Ok(seq)) => sheet.write_number_with_format(row, 0, seq, number)?,
            ("", _) => sheet.write_blank(row, 0, number)?,
            (seq, _) => sheet.write_string_with_format(row, 0, seq, number)?,
        };
        sheet.write_string_with_format(row, 1, text(1), unit)?;
        sheet.write_number_with_format(row, 2, f.planned, number)?;
        sheet.write_number_with_format(row, 3, f.signed_off, number)?;
        sheet.write_number_with_format(row, 4, f.unfinished, number)?;
        match f.completion_permille() {
            Some(p) => sheet.write_number_with_format(row, 5, f64::from(p) / 1000.0, rate)?,
            None => sheet.write_blank(row, 5, rate)?,
        };
        sheet.set_row_height(row, 20)?;
    }

    sheet.set_paper_size(PAPER_A4);
    sheet.set_portrait();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 1)?;
    sheet.set_print_center_horizontally(true);
    sheet.set_margins(0.6, 0.6, 0.75, 0.75, 0.3, 0.3);
    sheet.set_footer("&C第 &P 页，共 &N 页");
    sheet.set_freeze_panes(2, 0)?;
    Ok(())
}

/// Wide enough for the longest unit name, a Chinese character taking two widths of a digit.
fn unit_column_width(units: &[UnitLine]) -> f64 {
    let widest = units
        .iter()
        .map(|u| {
            u.unit
                .chars()
                .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    (widest + 4.0).clamp(COLUMN_WIDTHS[usize::from(UNIT_COLUMN)], MAX_UNIT_WIDTH)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};
    use domain::bulletin::{BulletinInput, compose};

    use super::*;

    fn figures(planned: u32, signed_off: u32) -> Figures {
        Figures {
            planned,
            signed_off,
            on_time: signed_off,
            unfinished: planned - signed_off,
            carried_in: 0,
        }
    }

    fn input() -> BulletinInput {
        BulletinInput {
            organization: "湘潭高新区工管委".into(),
            issuer: "湘潭高新区预安销号工作领导小组".into(),
            doc_number: "湘高预安〔2026〕11号".into(),
            year: 2026,
            month: 11,
            date: domain::plan::parse_date("2026-12-05").unwrap(),
            total: figures(78, 74),
            units: vec![
                UnitLine {
                    unit: "征拆办".into(),
                    figures: figures(4, 3),
                },
                UnitLine {
                    unit: "经济发展和改革局".into(),
                    figures: figures(2, 2),
                },
                UnitLine {
                    unit: "招商合作局".into(),
                    figures: figures(0, 0),
                },
            ],
            highlights: vec![],
            unfinished: vec![],
            cards: (4, 1, 22),
            analysis: String::new(),
            dispatch: String::new(),
        }
    }

    fn float(v: Option<&Data>) -> f64 {
        match v {
            Some(Data::Float(f)) => *f,
            Some(Data::Int(i)) => *i as f64,
            other => panic!("not a number: {other:?}"),
        }
    }

    #[test]
    fn the_results_sheet_carries_the_figures_as_numbers() {
        let x = input();
        let b = compose(&x);
        let bytes = write_results_xlsx(&b.title, &x.units, &x.total).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec![RESULTS_SHEET_NAME.to_owned()]);
        assert_eq!(RESULTS_SHEET_NAME, "完成情况");
        let range = wb.worksheet_range(RESULTS_SHEET_NAME).unwrap();

        // The title, merged across the columns, and the header.
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String(b.title.clone()))
        );
        let merges = wb.merge_cells_by_sheet_name(RESULTS_SHEET_NAME).unwrap();
        assert!(
            merges.iter().any(|m| m.start == (0, 0) && m.end == (0, 5)),
            "{merges:?}"
        );
        let header: Vec<Data> = (0..6)
            .map(|c| range.get_value((1, c)).unwrap().clone())
            .collect();
        let expected: Vec<Data> = RESULT_COLUMNS
            .iter()
            .map(|c| Data::String((*c).to_owned()))
            .collect();
        assert_eq!(header, expected);

        // The same rows as the bulletin's table, the counts and the rate as numbers.
        let table = b.sections[0].table.as_ref().unwrap();
        assert_eq!(range.height(), 2 + table.rows.len());
        assert_eq!(float(range.get_value((2, 0))), 1.0);
        assert_eq!(
            range.get_value((2, 1)),
            Some(&Data::String("征拆办".into()))
        );
        assert_eq!(
            [2, 3, 4].map(|c| float(range.get_value((2, c)))),
            [4.0, 3.0, 1.0]
        );
        assert!((float(range.get_value((2, 5))) - 0.75).abs() < 1e-9);
        assert!((float(range.get_value((3, 5))) - 1.0).abs() < 1e-9);
        // A unit with nothing planned has no rate.
        assert_eq!(
            range.get_value((4, 1)),
            Some(&Data::String("招商合作局".into()))
        );
        assert_eq!(float(range.get_value((4, 2))), 0.0);
        assert!(matches!(range.get_value((4, 5)), None | Some(Data::Empty)));

        // The 合计 row: no number, the total's figures, 74 of 78 as 0.949.
        let total = 5;
        assert!(matches!(
            range.get_value((total, 0)),
            None | Some(Data::Empty)
        ));
        assert_eq!(
            range.get_value((total, 1)),
            Some(&Data::String("合计".into()))
        );
        assert_eq!(
            [2, 3, 4].map(|c| float(range.get_value((total, c)))),
            [78.0, 74.0, 4.0]
        );
        assert!((float(range.get_value((total, 5))) - 0.949).abs() < 1e-9);

        // Every number agrees with the text of the bulletin's table.
        for (r, line) in table.rows.iter().enumerate() {
            let row = r as u32 + 2;
            for c in 2..5 {
                assert_eq!(
                    float(range.get_value((row, c))).to_string(),
                    line[c as usize]
                );
            }
        }
    }

    #[test]
    fn the_rate_is_formatted_as_a_percentage_and_the_total_is_bold() {
        let x = input();
        let bytes = write_results_xlsx("2026年11月完成情况", &x.units, &x.total).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles)
            .unwrap();
        assert!(styles.contains("formatCode=\"0.0%\""), "{styles}");
        assert!(styles.contains("<b/>"));
    }

    #[test]
    fn the_unit_column_fits_the_longest_name() {
        let x = input();
        assert_eq!(unit_column_width(&x.units), 20.0);
        assert_eq!(unit_column_width(&[]), COLUMN_WIDTHS[1]);
        let long = UnitLine {
            unit: "很".repeat(40),
            figures: Figures::default(),
        };
        assert_eq!(unit_column_width(&[long]), MAX_UNIT_WIDTH);
    }

    #[test]
    fn an_empty_month_has_only_the_total() {
        let bytes = write_results_xlsx("2026年11月完成情况", &[], &Figures::default()).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range(RESULTS_SHEET_NAME).unwrap();
        assert_eq!(range.get_value((2, 1)), Some(&Data::String("合计".into())));
        assert_eq!(float(range.get_value((2, 2))), 0.0);
        assert!(matches!(range.get_value((2, 5)), None | Some(Data::Empty)));
    }
}
