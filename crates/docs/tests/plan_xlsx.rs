//! The plan table as XLSX: written in the office layout, read back, and refused with precise
//! errors when an upload is wrong.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use docs::{
    ImportError, ImportLimits, MAX_CELL_CHARS, SHEET_NAME, read_plan_rows, write_plan_table,
};
use domain::plan_table::{
    CATEGORY_ASSIGNED, CATEGORY_KEY_WORK, CATEGORY_REGULAR, COLUMNS, CellError, PlanTable,
    PlanTableRow,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

fn row(seq: u32, title: &str, deadline: &str, category: &str) -> PlanTableRow {
    PlanTableRow {
        seq,
        title: title.to_string(),
        content: format!("{title}：按照区工管委部署，细化任务清单，明确责任分工，确保按期完成。"),
        criterion: "形成书面报告，报分管领导审定".to_string(),
        deadline: deadline.to_string(),
        owner: "张三".to_string(),
        leader: "李四".to_string(),
        category: category.to_string(),
        ..Default::default()
    }
}

fn sample_table() -> PlanTable {
    PlanTable {
        organization: "湘潭高新区工管委".to_string(),
        unit: "财政局".to_string(),
        year: 2026,
        month: 11,
        rows: vec![
            row(1, "编制2027年部门预算", "2026-11-30", CATEGORY_KEY_WORK),
            row(2, "清理暂付款", "2026-11-15", CATEGORY_REGULAR),
            PlanTableRow {
                owner: "王五、赵六".to_string(),
                ..row(3, "落实书记批示件", "2026-11-05", CATEGORY_ASSIGNED)
            },
        ],
    }
}

/// An XLSX built by `f` on its only worksheet.
fn xlsx(f: impl FnOnce(&mut Worksheet) -> Result<(), XlsxError>) -> Vec<u8> {
    let mut wb = Workbook::new();
    f(wb.add_worksheet()).unwrap();
    wb.save_to_buffer().unwrap()
}

fn write_headers(ws: &mut Worksheet, row: u32) -> Result<(), XlsxError> {
    for (c, h) in COLUMNS.iter().enumerate() {
        ws.write_string(row, c as u16, *h)?;
    }
    Ok(())
}

/// Writes the eight cells of a task row, all as text.
fn write_texts(ws: &mut Worksheet, row: u32, cells: [&str; 8]) -> Result<(), XlsxError> {
    for (c, v) in cells.iter().enumerate() {
        ws.write_string(row, c as u16, *v)?;
    }
    Ok(())
}

const GOOD: [&str; 8] = [
    "1",
    "招商引资",
    "走访企业",
    "签约两家",
    "2026-11-30",
    "张三",
    "李四",
    "重点工作",
];

fn read(bytes: &[u8]) -> Result<Vec<PlanTableRow>, ImportError> {
    read_plan_rows(bytes, ImportLimits::default())
}

fn cell_error(row: u32, column: &str, code: &'static str) -> CellError {
    CellError {
        row,
        column: column.to_string(),
        code,
    }
}

/// The rows as written: what was read, without the sheet row numbers the reader adds.
fn as_written(rows: Vec<PlanTableRow>) -> Vec<PlanTableRow> {
    rows.into_iter()
        .map(|r| PlanTableRow { line: 0, ..r })
        .collect()
}

#[test]
fn round_trip_keeps_every_row() {
    let table = sample_table();
    let bytes = write_plan_table(&table).unwrap();
    assert!(bytes.starts_with(b"PK"));
    let rows = read(&bytes).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    // A workbook as offices keep them passes as evidence; renamed, it is no document.
    assert!(domain::evidence::check("预安表.xlsx", &bytes).is_ok());
    assert!(domain::evidence::check("预安表.docx", &bytes).is_err());
    assert_eq!(as_written(rows), table.rows);
}

#[test]
fn the_key_point_and_the_hidden_id_come_back() {
    let mut table = sample_table();
    table.rows[0].key_point = "优化营商环境".into();
    table.rows[0].task_id = Some(41);
    table.rows[2].task_id = Some(9_007_199_254);
    let bytes = write_plan_table(&table).unwrap();
    assert_eq!(as_written(read(&bytes).unwrap()), table.rows);
}

#[test]
fn a_bad_id_is_a_cell_error_and_the_other_rows_still_read() {
    let bytes = xlsx(|ws| {
        for (c, v) in GOOD.iter().enumerate() {
            ws.write_string(0, c as u16, COLUMNS[c])?;
            ws.write_string(1, c as u16, *v)?;
            ws.write_string(2, c as u16, *v)?;
        }
        ws.write_string(0, 8, "编号")?;
        ws.write_string(1, 8, "第七")?;
        ws.write_number(2, 8, 7)?;
        ws.write_string(2, 4, "下月")?;
        Ok(())
    });
    assert_eq!(
        read(&bytes).unwrap_err(),
        ImportError::Cells(vec![
            cell_error(2, "编号", "invalid_id"),
            cell_error(3, "完成时限", "invalid_date"),
        ])
    );
    let sheet = docs::read_plan_sheet(&bytes, ImportLimits::default()).unwrap();
    assert_eq!(sheet.rows.len(), 2);
    assert_eq!(sheet.rows[1].task_id, Some(7));
    assert_eq!(sheet.rows[1].line, 3);
    assert_eq!(sheet.errors.len(), 2);
}

#[test]
fn written_file_has_title_headers_and_chinese_sheet_name() {
    let table = sample_table();
    let bytes = write_plan_table(&table).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), vec![SHEET_NAME.to_string()]);
    assert_eq!(SHEET_NAME, "预安表");
    let range = wb.worksheet_range(SHEET_NAME).unwrap();
    assert_eq!(
        range.get_value((0, 0)),
        Some(&Data::String(
            "湘潭高新区工管委 财政局 2026年11月预安表".to_string()
        ))
    );
    for (c, h) in COLUMNS
        .iter()
        .chain(["对应要点", "编号"].iter())
        .enumerate()
    {
        assert_eq!(
            range.get_value((1, c as u32)),
            Some(&Data::String(h.to_string()))
        );
    }
    assert_eq!(range.get_value((2, 0)), Some(&Data::Float(1.0)));
    assert!(matches!(range.get_value((2, 4)), Some(Data::DateTime(_))));
    let merges = wb.merge_cells_by_sheet_name(SHEET_NAME).unwrap();
    // The title spans the printed columns, 对应要点 included; the hidden 编号 is not printed.
    assert!(
        merges.iter().any(|m| m.start == (0, 0) && m.end == (0, 8)),
        "{merges:?}"
    );
}

#[test]
fn empty_table_is_written_with_title_and_headers() {
    let table = PlanTable {
        rows: Vec::new(),
        ..sample_table()
    };
    let bytes = write_plan_table(&table).unwrap();
    assert_eq!(read(&bytes), Err(ImportError::Empty));
}

#[test]
fn odd_deadlines_are_written_as_text() {
    let mut table = sample_table();
    table.rows[0].deadline = "11月底".to_string();
    let bytes = write_plan_table(&table).unwrap();
    let err = read(&bytes).unwrap_err();
    assert_eq!(
        err,
        ImportError::Cells(vec![cell_error(3, "完成时限", "invalid_date")])
    );
}

#[test]
fn header_is_found_below_a_title_in_any_column_order() {
    let bytes = xlsx(|ws| {
        ws.merge_range(0, 0, 0, 8, "某单位 2026年11月预安表", &Format::new())?;
        ws.write_string(1, 0, "（单位盖章）")?;
        // Headers reversed, one with inner spaces, and an extra 备注 column.
        for (c, h) in COLUMNS.iter().rev().enumerate() {
            let h = if *h == "序号" { "序　号" } else { h };
            ws.write_string(3, c as u16, h)?;
        }
        ws.write_string(3, 8, "备注")?;
        for (c, v) in GOOD.iter().rev().enumerate() {
            ws.write_string(4, c as u16, *v)?;
        }
        ws.write_string(4, 8, "无")?;
        Ok(())
    });
    let rows = read(&bytes).unwrap();
    assert_eq!(
        rows,
        vec![PlanTableRow {
            seq: 1,
            title: "招商引资".into(),
            content: "走访企业".into(),
            criterion: "签约两家".into(),
            deadline: "2026-11-30".into(),
            owner: "张三".into(),
            leader: "李四".into(),
            category: "重点工作".into(),
            line: 5,
            ..Default::default()
        }]
    );
}

#[test]
fn header_below_the_fifth_row_is_not_searched() {
    let bytes = xlsx(|ws| {
        write_headers(ws, 5)?;
        write_texts(ws, 6, GOOD)
    });
    assert_eq!(
        read(&bytes),
        Err(ImportError::MissingColumn { column: "序号" })
    );
}

#[test]
fn missing_column_is_named() {
    let bytes = xlsx(|ws| {
        ws.write_string(0, 0, "标题")?;
        for (c, h) in COLUMNS.iter().filter(|h| **h != "完成标准").enumerate() {
            ws.write_string(1, c as u16, *h)?;
        }
        write_texts(ws, 2, GOOD)
    });
    let err = read(&bytes).unwrap_err();
    assert_eq!(
        err,
        ImportError::MissingColumn {
            column: "完成标准"
        }
    );
    assert_eq!(err.code(), "missing_column");
    assert!(err.to_string().contains("完成标准"), "{err}");
}

#[test]
fn every_bad_cell_is_reported_with_its_row_and_column() {
    let long = "长".repeat(MAX_CELL_CHARS + 1);
    let bytes = xlsx(|ws| {
        ws.write_string(0, 0, "标题")?;
        write_headers(ws, 1)?;
        write_texts(ws, 2, GOOD)?; // row 3: fine
        write_texts(
            ws,
            3,
            ["2", "", "内容", "标准", "2026/11/30", "", "", "其他"],
        )?; // row 4
        write_texts(
            ws,
            4,
            ["3", "事项", "内容", "标准", "2026-02-30", "", "", ""],
        )?; // row 5
        // row 6 left blank: skipped, not an error
        write_texts(
            ws,
            6,
            ["", "事项", &long, "标准", "2026年11月1日", "", "", ""],
        )?; // row 7
        write_texts(ws, 7, ["5", "事项", "内容", " ", "", "", "", "一般工作"])?; // row 8
        Ok(())
    });
    let err = read(&bytes).unwrap_err();
    assert_eq!(err.code(), "invalid_rows");
    assert_eq!(
        err,
        ImportError::Cells(vec![
            cell_error(4, "工作事项", "required"),
            cell_error(4, "类别", "invalid_category"),
            cell_error(5, "完成时限", "invalid_date"),
            cell_error(7, "工作内容", "too_long"),
            cell_error(8, "完成标准", "required"),
            cell_error(8, "完成时限", "required"),
        ])
    );
}

#[test]
fn cell_at_the_length_limit_is_accepted() {
    let limit = "字".repeat(MAX_CELL_CHARS);
    let bytes = xlsx(|ws| {
        write_headers(ws, 0)?;
        write_texts(
            ws,
            1,
            ["1", "事项", &limit, "标准", "2026-11-30", "", "", ""],
        )
    });
    assert_eq!(read(&bytes).unwrap()[0].content, limit);
}

#[test]
fn dates_in_every_form_become_iso() {
    let bytes = xlsx(|ws| {
        write_headers(ws, 0)?;
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let datetime = Format::new().set_num_format("yyyy/m/d h:mm");
        let chinese = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
        for r in 1..=7u32 {
            write_texts(ws, r, GOOD)?;
        }
        ws.write_datetime_with_format(1, 4, &ExcelDateTime::from_ymd(2026, 11, 30)?, &date)?;
        let with_time = ExcelDateTime::from_ymd(2026, 11, 30)?.and_hms(17, 30, 0)?;
        ws.write_datetime_with_format(2, 4, &with_time, &datetime)?;
        ws.write_number(3, 4, 46356)?; // a bare serial number, General format
        ws.write_string(4, 4, "2026/11/30")?;
        ws.write_string(5, 4, "2026年11月30日")?;
        ws.write_datetime_with_format(6, 4, &ExcelDateTime::from_ymd(2026, 11, 30)?, &chinese)?;
        ws.write_number(7, 4, 20261130)?;
        Ok(())
    });
    let rows = read(&bytes).unwrap();
    assert_eq!(rows.len(), 7);
    for r in &rows {
        assert_eq!(r.deadline, "2026-11-30", "{r:?}");
    }
}

#[test]
fn numeric_and_missing_sequence_numbers() {
    let bytes = xlsx(|ws| {
        write_headers(ws, 0)?;
        write_texts(ws, 1, GOOD)?;
        ws.write_number(1, 0, 7)?;
        let [_, rest @ ..] = GOOD;
        for (c, v) in rest.iter().enumerate() {
            ws.write_string(2, c as u16 + 1, *v)?; // no 序号 at all
        }
        write_texts(ws, 3, GOOD)?;
        ws.write_string(3, 0, "（三）")?;
        Ok(())
    });
    let seqs: Vec<u32> = read(&bytes).unwrap().iter().map(|r| r.seq).collect();
    assert_eq!(seqs, vec![7, 2, 3]);
}

#[test]
fn numbers_in_text_columns_read_as_shown() {
    let bytes = xlsx(|ws| {
        write_headers(ws, 0)?;
        write_texts(ws, 1, GOOD)?;
        ws.write_number(1, 2, 12)?;
        ws.write_number(1, 3, 0.5)?;
        Ok(())
    });
    let rows = read(&bytes).unwrap();
    assert_eq!(
        (rows[0].content.as_str(), rows[0].criterion.as_str()),
        ("12", "0.5")
    );
}

#[test]
fn values_merged_down_a_column_fill_every_row_and_numbered_blank_rows_are_skipped() {
    let bytes = xlsx(|ws| {
        write_headers(ws, 0)?;
        for r in 1..=3u32 {
            write_texts(ws, r, GOOD)?;
        }
        // 工作事项 and 分管领导 merged over rows 2–4, as offices often lay them out.
        ws.merge_range(1, 1, 3, 1, "项目建设", &Format::new())?;
        ws.merge_range(1, 6, 3, 6, "王局长", &Format::new())?;
        // A pre-numbered template's blank rows.
        for r in 4..=10u32 {
            ws.write_number(r, 0, f64::from(r))?;
        }
        Ok(())
    });
    let rows = read(&bytes).unwrap();
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert_eq!(
            (r.title.as_str(), r.leader.as_str()),
            ("项目建设", "王局长")
        );
    }
}

#[test]
fn first_visible_worksheet_is_read() {
    let mut wb = Workbook::new();
    let lists = wb.add_worksheet();
    lists.set_name("下拉选项").unwrap();
    lists.write_string(0, 0, "重点工作").unwrap();
    lists.set_hidden(true);
    let table = wb.add_worksheet();
    write_headers(table, 0).unwrap();
    write_texts(table, 1, GOOD).unwrap();
    table.set_active(true);
    let bytes = wb.save_to_buffer().unwrap();
    assert_eq!(read(&bytes).unwrap().len(), 1);
}

#[test]
fn file_over_the_size_limit_is_refused() {
    let bytes = write_plan_table(&sample_table()).unwrap();
    let exact = ImportLimits {
        max_bytes: bytes.len(),
        ..ImportLimits::default()
    };
    assert!(read_plan_rows(&bytes, exact).is_ok());
    let smaller = ImportLimits {
        max_bytes: bytes.len() - 1,
        ..ImportLimits::default()
    };
    let err = read_plan_rows(&bytes, smaller).unwrap_err();
    assert_eq!(err, ImportError::TooLarge);
    assert_eq!(err.code(), "file_too_large");
}

#[test]
fn rows_over_the_limit_are_refused() {
    let bytes = write_plan_table(&sample_table()).unwrap();
    let three = ImportLimits {
        max_rows: 3,
        ..ImportLimits::default()
    };
    assert_eq!(read_plan_rows(&bytes, three).unwrap().len(), 3);
    let two = ImportLimits {
        max_rows: 2,
        ..ImportLimits::default()
    };
    let err = read_plan_rows(&bytes, two).unwrap_err();
    assert_eq!(err, ImportError::TooManyRows { max: 2 });
    assert_eq!(err.code(), "too_many_rows");
}

#[test]
fn a_full_month_fits_the_default_limits() {
    let mut table = sample_table();
    table.rows = (1..=500)
        .map(|i| PlanTableRow {
            content: "细化任务清单，明确责任分工，确保按期完成。".repeat(10),
            ..row(i, &format!("第{i}项工作"), "2026-11-30", CATEGORY_REGULAR)
        })
        .collect();
    let bytes = write_plan_table(&table).unwrap();
    assert!(
        bytes.len() < ImportLimits::default().max_bytes,
        "{}",
        bytes.len()
    );
    assert_eq!(as_written(read(&bytes).unwrap()), table.rows);

    table
        .rows
        .push(row(501, "多一项", "2026-11-30", CATEGORY_REGULAR));
    let bytes = write_plan_table(&table).unwrap();
    assert_eq!(read(&bytes), Err(ImportError::TooManyRows { max: 500 }));
}

#[test]
fn huge_sheet_is_refused_while_reading() {
    let bytes = xlsx(|ws| {
        write_headers(ws, 0)?;
        for r in 1..=3000u32 {
            ws.write_string(r, 0, "x")?;
        }
        Ok(())
    });
    // Only 序号 is filled, so no row is a task; yet the sheet is far too big to hold.
    assert_eq!(read(&bytes), Err(ImportError::TooManyRows { max: 500 }));
}

#[test]
fn default_limits() {
    assert_eq!(
        ImportLimits::default(),
        ImportLimits {
            max_bytes: 2 * 1024 * 1024,
            max_rows: 500
        }
    );
}

#[test]
fn garbage_is_unreadable() {
    for bytes in [
        &b""[..],
        b"hello, this is not a spreadsheet",
        b"PK\x03\x04 truncated",
        // The start of an old binary .xls (OLE compound file).
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0\0\0\0\0",
    ] {
        let err = read(bytes).unwrap_err();
        assert_eq!(err, ImportError::Unreadable, "{bytes:?}");
        assert_eq!(err.code(), "unreadable_file");
    }
}

#[test]
fn zip_that_is_no_workbook_is_unreadable() {
    let zip = stored_zip(&[("readme.txt", b"hello".to_vec())]);
    assert_eq!(read(&zip), Err(ImportError::Unreadable));
}

#[test]
fn empty_sheet_is_empty() {
    let bytes = xlsx(|_| Ok(()));
    let err = read(&bytes).unwrap_err();
    assert_eq!(err, ImportError::Empty);
    assert_eq!(err.code(), "empty_file");

    let header_only = xlsx(|ws| {
        ws.write_string(0, 0, "标题")?;
        write_headers(ws, 1)?;
        ws.write_string(5, 0, "3")?; // only a number, no task
        Ok(())
    });
    assert_eq!(read(&header_only), Err(ImportError::Empty));
}

#[test]
fn error_codes_are_stable() {
    let cases = [
        (ImportError::TooLarge, "file_too_large"),
        (ImportError::TooManyRows { max: 1 }, "too_many_rows"),
        (ImportError::Unreadable, "unreadable_file"),
        (ImportError::Empty, "empty_file"),
        (
            ImportError::MissingColumn { column: "序号" },
            "missing_column",
        ),
        (ImportError::Cells(Vec::new()), "invalid_rows"),
    ];
    for (err, code) in cases {
        assert_eq!(err.code(), code);
    }
    assert_eq!(docs::DocsError::Write(String::new()).code(), "write_failed");
}

#[test]
fn writing_a_cell_longer_than_excel_allows_fails_cleanly() {
    let mut table = sample_table();
    table.rows[0].content = "长".repeat(40_000);
    let err = write_plan_table(&table).unwrap_err();
    assert_eq!(err.code(), "write_failed");
}

// --- Hostile files ------------------------------------------------------------------------

#[test]
fn random_and_truncated_bytes_never_panic() {
    let valid = write_plan_table(&sample_table()).unwrap();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    // Prefixes of a valid file, from nothing to all but the last byte.
    for i in 0..80 {
        inputs.push(valid[..valid.len() * i / 80].to_vec());
    }
    // A valid file with a few bytes changed: mostly inside compressed data.
    for _ in 0..80 {
        let mut v = valid.clone();
        for _ in 0..=rng.below(8) {
            let at = rng.below(v.len());
            v[at] ^= 1 << rng.below(8);
        }
        inputs.push(v);
    }
    // Random bytes, some dressed as a ZIP.
    for i in 0..40 {
        let mut v: Vec<u8> = (0..rng.below(4096)).map(|_| rng.next() as u8).collect();
        if i % 2 == 0 {
            v.splice(0..0, *b"PK\x03\x04");
        }
        inputs.push(v);
    }
    assert_eq!(inputs.len(), 200);
    let mut ok = 0;
    for input in &inputs {
        if read(input).is_ok() {
            ok += 1;
        }
    }
    // Some flips land in places no reader looks at; prefixes never make a whole file.
    assert!(ok < inputs.len(), "{ok}");
}

#[test]
fn zip_bomb_is_refused_before_unpacking() {
    // The sheet is tiny, but its central directory declares a gigabyte.
    let mut zip = minimal_xlsx(&sheet_xml(&[]));
    let cd = find_last(&zip, b"PK\x01\x02").unwrap();
    zip[cd + 24..cd + 28].copy_from_slice(&(1u32 << 30).to_le_bytes());
    assert_eq!(read(&zip), Err(ImportError::TooLarge));
}

#[test]
fn hand_made_minimal_workbook_is_read() {
    let xml = sheet_xml(&[header_cells(1), good_cells(2)]);
    let rows = read(&minimal_xlsx(&xml)).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].title, "招商引资");
}

#[test]
fn far_away_cells_cost_nothing() {
    // A cell in the last column and one in the last row: a reader that builds the sheet's
    // bounding box would need billions of cells.
    let far = r#"<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>9</t></is></c><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#;
    let xml = sheet_xml(&[header_cells(1), good_cells(2), far.to_string()]);
    assert_eq!(read(&minimal_xlsx(&xml)).unwrap().len(), 1);
}

#[test]
fn overflowing_cell_references_do_not_panic() {
    for bad in ["A99999999999", "ZZZZZZZZZZZZZZ1", "A0", "1A", "é1"] {
        let cell = format!(r#"<row><c r="{bad}" t="inlineStr"><is><t>x</t></is></c></row>"#);
        let xml = sheet_xml(&[header_cells(1), cell]);
        let result = read(&minimal_xlsx(&xml));
        assert!(result.is_err(), "{bad}: {result:?}");
    }
}

// --- Helpers for hand-made files ----------------------------------------------------------

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn column_letter(c: usize) -> char {
    (b'A' + c as u8) as char
}

fn inline_row(r: u32, cells: &[&str]) -> String {
    let mut s = format!(r#"<row r="{r}">"#);
    for (c, v) in cells.iter().enumerate() {
        s.push_str(&format!(
            r#"<c r="{}{r}" t="inlineStr"><is><t>{v}</t></is></c>"#,
            column_letter(c)
        ));
    }
    s.push_str("</row>");
    s
}

fn header_cells(r: u32) -> String {
    inline_row(r, &COLUMNS)
}

fn good_cells(r: u32) -> String {
    inline_row(r, &GOOD)
}

fn sheet_xml(rows: &[String]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData></worksheet>"#,
        rows.concat()
    )
}

/// The smallest workbook calamine reads: one sheet with `sheet` as its XML.
fn minimal_xlsx(sheet: &str) -> Vec<u8> {
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    stored_zip(&[
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_vec(),
        ),
        (
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).into_bytes(),
        ),
        (
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#).into_bytes(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#).into_bytes(),
        ),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes().to_vec()),
    ])
}

/// A ZIP archive with the files stored uncompressed.
fn stored_zip(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let mut common = Vec::new();
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed
        common.extend_from_slice(&0u16.to_le_bytes()); // flags
        common.extend_from_slice(&0u16.to_le_bytes()); // stored
        common.extend_from_slice(&0u32.to_le_bytes()); // time, date
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&size.to_le_bytes());
        common.extend_from_slice(&size.to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra length

        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&common);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&common);
        central.extend_from_slice(&0u16.to_le_bytes()); // comment length
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&0u32.to_le_bytes()); // disks
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn overlapping_merges_cannot_make_reading_slow() {
    // Thousands of merges over the same rows: no valid workbook has them.
    let mut cells = vec![header_cells(1)];
    for r in 2..=400 {
        cells.push(good_cells(r));
    }
    let mut xml = sheet_xml(&cells);
    let merges: String = (0..20_000)
        .map(|_| r#"<mergeCell ref="B2:B400"/>"#)
        .collect();
    xml = xml.replace(
        "</sheetData>",
        &format!(r#"</sheetData><mergeCells count="20000">{merges}</mergeCells>"#),
    );
    let started = std::time::Instant::now();
    assert_eq!(read(&minimal_xlsx(&xml)), Err(ImportError::Unreadable));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn key_points_are_read_from_a_simple_sheet() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "2026年度工作要点").unwrap();
    for (c, h) in ["类别", "要点", "说明"].iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    ws.write_string(2, 0, "工作要点").unwrap();
    ws.write_string(2, 1, "招商引资").unwrap();
    ws.write_string(2, 2, "全年引进重大项目").unwrap();
    ws.write_string(3, 0, "重点热点问题").unwrap();
    ws.write_string(3, 1, "安全生产").unwrap();
    ws.write_string(5, 0, "工作要点").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let err = docs::read_key_point_rows(&bytes, docs::ImportLimits::default()).unwrap_err();
    let docs::ImportError::Cells(cells) = err else {
        panic!("cell errors expected")
    };
    assert_eq!(
        (cells[0].row, cells[0].column.as_str(), cells[0].code),
        (6, "要点", "required")
    );

    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "类别").unwrap();
    ws.write_string(0, 1, "要点").unwrap();
    ws.write_string(1, 0, "重点热点问题").unwrap();
    ws.write_string(1, 1, "信访维稳").unwrap();
    let rows =
        docs::read_key_point_rows(&wb.save_to_buffer().unwrap(), docs::ImportLimits::default())
            .unwrap();
    assert_eq!(
        rows,
        vec![(
            "重点热点问题".to_owned(),
            "信访维稳".to_owned(),
            String::new()
        )]
    );
    assert!(matches!(
        docs::read_key_point_rows(b"not a workbook", docs::ImportLimits::default()),
        Err(docs::ImportError::Unreadable)
    ));
}
