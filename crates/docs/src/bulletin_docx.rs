//! The month's bulletin (通报) as a DOCX document in the style of an official document
//! (党政机关公文格式, GB/T 9704).
//!
//! [`write_bulletin_docx`] writes the WordprocessingML parts by hand and packs them in a ZIP
//! archive: an A4 page with the standard margins, the red header (红头: the issuer in red large
//! type, the document number, a red rule), the title, the addressees, the opening, the numbered
//! sections with their tables, and the signature block (the issuer and the date), with the page
//! number in the footer. Every run names its fonts explicitly (方正小标宋简体 for the header and
//! the title, 黑体 for the section headings, 仿宋_GB2312 for the text), so that Word and WPS on
//! a Chinese system show it as offices expect; the font table names common substitutes for
//! machines without those fonts.
//!
//! The output is deterministic: the parts come in a fixed order with a fixed timestamp, so the
//! same bulletin always gives the same bytes.

use std::io::{Cursor, Write};

use domain::bulletin::{Bulletin, Table};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::plan_xlsx::DocsError;

/// The font of the issuer in the red header and of the title.
pub const FONT_TITLE: &str = "方正小标宋简体";
/// The font of the text: the document number, the paragraphs, the tables, the signature.
pub const FONT_TEXT: &str = "仿宋_GB2312";
/// The font of the section headings (一、…).
pub const FONT_HEADING: &str = "黑体";
/// The font of the page number.
const FONT_PAGE_NUMBER: &str = "宋体";

/// Font sizes in half-points (`w:sz`).
const SIZE_ISSUER: u32 = 72; // 36 pt
const SIZE_TITLE: u32 = 44; // 二号, 22 pt
const SIZE_TEXT: u32 = 32; // 三号, 16 pt
const SIZE_TABLE: u32 = 24; // 小四, 12 pt
const SIZE_PAGE_NUMBER: u32 = 28; // 四号, 14 pt
/// The issuer in the red header is never set smaller than this, however long it is.
const SIZE_ISSUER_MIN: u32 = 44;
/// Nor narrower than this, in per cent of the normal character width (`w:w`).
const SCALE_MIN: u32 = 50;

const RED: &str = "FF0000";

/// The page in twips: A4, with the margins of GB/T 9704 (top 37 mm, bottom 35 mm, left 28 mm,
/// right 26 mm), which leave a text area of 156 mm × 225 mm.
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
const MARGIN_TOP: u32 = twips(37);
const MARGIN_BOTTOM: u32 = twips(35);
const MARGIN_LEFT: u32 = twips(28);
const MARGIN_RIGHT: u32 = twips(26);
const TEXT_WIDTH: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// From the page's top edge to the header, from its bottom edge to the footer's baseline (the
/// page number sits about 7 mm below the text area).
const HEADER_DISTANCE: u32 = 851;
const FOOTER_DISTANCE: u32 = 1304;
/// 22 lines to the text area's 225 mm.
const LINE_PITCH: u32 = 579;

/// The fixed line spacing of the text, 28 pt (`w:line` with `w:lineRule="exact"`), and so the
/// height of one blank line.
const LINE: u32 = 560;
/// The fixed line spacing inside table cells, 18 pt.
const TABLE_LINE: u32 = 360;
/// The left and right margins inside a table cell, in twips.
const CELL_MARGIN: u32 = 85;
/// Table cells of at most this many half characters are short: their column is centred and
/// kept from wrapping.
const SHORT_CELL: u32 = 12;
/// The indent of the signature block's date from the right margin, in hundredths of a
/// character: 右空四字.
const DATE_RIGHT_CHARS: u32 = 400;

/// Millimetres in twips (1 mm = 56.7 twips), rounded.
const fn twips(mm: u32) -> u32 {
    (mm * 567 + 5) / 10
}

const NS_W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const NS_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// Writes the bulletin as a DOCX document and returns its bytes.
///
/// The parts are `[Content_Types].xml`, `_rels/.rels`, `word/document.xml`,
/// `word/styles.xml`, `word/settings.xml`, `word/fontTable.xml`, `word/footer1.xml`,
/// `word/_rels/document.xml.rels`, `docProps/core.xml` (whose title is the bulletin's) and
/// `docProps/app.xml`. Text is XML-escaped and stripped of control characters; a line break
/// inside a text starts a new paragraph.
pub fn write_bulletin_docx(b: &Bulletin) -> Result<Vec<u8>, DocsError> {
    write_bulletin_docx_anchored(b, None)
}

/// [`write_bulletin_docx`], with the audit ledger's checkpoint taken at publication printed
/// small under the page number: a copy of the head of the ledger outside the database, in
/// every printed and filed copy of the bulletin.
pub fn write_bulletin_docx_anchored(
    b: &Bulletin,
    ledger_checkpoint: Option<&str>,
) -> Result<Vec<u8>, DocsError> {
    let parts: [(&str, String); 10] = [
        ("[Content_Types].xml", content_types()),
        ("_rels/.rels", package_rels()),
        ("word/document.xml", document(b)),
        ("word/styles.xml", styles()),
        ("word/settings.xml", settings()),
        ("word/fontTable.xml", font_table()),
        ("word/footer1.xml", footer(ledger_checkpoint)),
        ("word/_rels/document.xml.rels", document_rels()),
        ("docProps/core.xml", core_properties(b)),
        ("docProps/app.xml", app_properties()),
    ];
    let zip_error = |e: zip::result::ZipError| DocsError::WriteDocx(e.to_string());
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, xml) in &parts {
        zip.start_file(*name, options).map_err(zip_error)?;
        zip.write_all(xml.as_bytes())
            .map_err(|e| DocsError::WriteDocx(e.to_string()))?;
    }
    Ok(zip.finish().map_err(zip_error)?.into_inner())
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

/// The text XML-escaped, without control characters (a tab becomes a space) and without the
/// two code points XML forbids.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push(' '),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The lines of a text, each one a paragraph: trimmed, since the layout indents them (spaces
/// typed for an indent, full-width ones included, would indent twice), and blank lines dropped.
fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

/// A text on one line, for the document properties.
fn one_line(s: &str) -> String {
    lines(s).collect::<Vec<_>>().join(" ")
}

/// The width of a text in half characters: a Chinese character or a full-width form counts
/// two, a Latin letter or digit one.
fn half_widths(s: &str) -> u32 {
    s.chars()
        .filter(|c| !c.is_control())
        .map(|c| if is_wide(c) { 2 } else { 1 })
        .sum()
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
        // Dashes and ellipses are set full width in Chinese text.
        || matches!(c, '—' | '…' | '“' | '”' | '‘' | '’' | '·')
}

// ---------------------------------------------------------------------------------------------
// Runs and paragraphs
// ---------------------------------------------------------------------------------------------

/// How a run looks.
#[derive(Debug, Clone, Copy)]
struct Font {
    name: &'static str,
    /// In half-points.
    size: u32,
    bold: bool,
    color: Option<&'static str>,
    /// Character width in per cent, when not 100.
    scale: Option<u32>,
}

impl Font {
    const fn new(name: &'static str, size: u32) -> Font {
        Font {
            name,
            size,
            bold: false,
            color: None,
            scale: None,
        }
    }

    const fn bold(self) -> Font {
        Font { bold: true, ..self }
    }

    /// Writes `w:rPr` with every property of this font, the elements in schema order.
    fn write_props(&self, out: &mut String) {
        let n = self.name;
        out.push_str(&format!(
            "<w:rPr><w:rFonts w:ascii=\"{n}\" w:hAnsi=\"{n}\" w:eastAsia=\"{n}\" w:cs=\"{n}\" \
             w:hint=\"eastAsia\"/>"
        ));
        if self.bold {
            out.push_str("<w:b/><w:bCs/>");
        }
        if let Some(color) = self.color {
            out.push_str(&format!("<w:color w:val=\"{color}\"/>"));
        }
        if let Some(scale) = self.scale {
            out.push_str(&format!("<w:w w:val=\"{scale}\"/>"));
        }
        out.push_str(&format!(
            "<w:sz w:val=\"{s}\"/><w:szCs w:val=\"{s}\"/>\
             <w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr>",
            s = self.size
        ));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Right,
    Both,
}

impl Align {
    fn val(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
            Align::Both => "both",
        }
    }
}

/// How a paragraph is laid out.
#[derive(Debug, Clone, Copy)]
struct Para {
    style: Option<&'static str>,
    align: Align,
    /// Fixed line height in twips.
    line: u32,
    /// Space before, in twips.
    before: u32,
    /// First-line indent in hundredths of a character (200: two characters).
    first_line_chars: u32,
    /// Right indent in hundredths of a character.
    right_chars: u32,
    keep_next: bool,
    /// A red rule under the paragraph.
    red_rule: bool,
    /// The outline level of a heading.
    outline: Option<u8>,
}

impl Para {
    const fn new(align: Align) -> Para {
        Para {
            style: None,
            align,
            line: LINE,
            before: 0,
            first_line_chars: 0,
            right_chars: 0,
            keep_next: false,
            red_rule: false,
            outline: None,
        }
    }

    const fn indented(self) -> Para {
        Para {
            first_line_chars: 200,
            ..self
        }
    }

    const fn before(self, before: u32) -> Para {
        Para { before, ..self }
    }

    /// Writes `w:pPr`, the elements in schema order; `font` is the paragraph mark's, and sets
    /// the width of a character for the indents.
    fn write_props(&self, font: &Font, out: &mut String) {
        out.push_str("<w:pPr>");
        if let Some(style) = self.style {
            out.push_str(&format!("<w:pStyle w:val=\"{style}\"/>"));
        }
        if self.keep_next {
            out.push_str("<w:keepNext/>");
        }
        if self.red_rule {
            out.push_str(&format!(
                "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"18\" w:space=\"1\" \
                 w:color=\"{RED}\"/></w:pBdr>"
            ));
        }
        out.push_str(&format!(
            "<w:spacing w:before=\"{}\" w:after=\"0\" w:line=\"{}\" w:lineRule=\"exact\"/>",
            self.before, self.line
        ));
        if self.first_line_chars > 0 || self.right_chars > 0 {
            // A character is as wide as the font is high: size / 2 points, size × 10 twips.
            let char_twips = font.size * 10;
            out.push_str("<w:ind");
            if self.right_chars > 0 {
                out.push_str(&format!(
                    " w:right=\"{}\" w:rightChars=\"{}\"",
                    self.right_chars * char_twips / 100,
                    self.right_chars
                ));
            }
            if self.first_line_chars > 0 {
                out.push_str(&format!(
                    " w:firstLine=\"{}\" w:firstLineChars=\"{}\"",
                    self.first_line_chars * char_twips / 100,
                    self.first_line_chars
                ));
            }
            out.push_str("/>");
        }
        out.push_str(&format!("<w:jc w:val=\"{}\"/>", self.align.val()));
        if let Some(level) = self.outline {
            out.push_str(&format!("<w:outlineLvl w:val=\"{level}\"/>"));
        }
        font.write_props(out);
        out.push_str("</w:pPr>");
    }
}

/// One paragraph with one run of text, which must be a single line.
fn paragraph(out: &mut String, p: &Para, font: &Font, text: &str) {
    out.push_str("<w:p>");
    p.write_props(font, out);
    if !text.is_empty() {
        run(out, font, text);
    }
    out.push_str("</w:p>");
}

/// One paragraph per line of the text; one empty paragraph when there is no line, so that the
/// layout keeps its place. Only the first paragraph gets the space before.
fn paragraphs(out: &mut String, p: &Para, font: &Font, text: &str) {
    let mut p = *p;
    let mut any = false;
    for line in lines(text) {
        paragraph(out, &p, font, line);
        p.before = 0;
        any = true;
    }
    if !any {
        paragraph(out, &p, font, "");
    }
}

fn run(out: &mut String, font: &Font, text: &str) {
    out.push_str("<w:r>");
    font.write_props(out);
    out.push_str("<w:t xml:space=\"preserve\">");
    out.push_str(&escape(text));
    out.push_str("</w:t></w:r>");
}

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

fn document(b: &Bulletin) -> String {
    let text = Font::new(FONT_TEXT, SIZE_TEXT);
    let body = Para::new(Align::Both).indented();

    let mut out = String::with_capacity(16 * 1024);
    out.push_str(XML_DECLARATION);
    out.push_str(&format!(
        "<w:document xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\"><w:body>"
    ));

    // The red header: the issuer 35 mm below the top of the text area, the document number
    // two lines below it, and the red rule 4 mm under the number.
    let issuer = issuer_font(&b.issuer);
    let issuer_para = Para {
        line: (issuer.size * 12).max(LINE),
        ..Para::new(Align::Center).before(twips(35))
    };
    paragraphs(&mut out, &issuer_para, &issuer, &b.issuer);
    let centred = Para::new(Align::Center);
    paragraphs(&mut out, &centred.before(2 * LINE), &text, &b.doc_number);
    let rule = Para {
        line: 240,
        red_rule: true,
        ..Para::new(Align::Center)
    };
    paragraph(&mut out, &rule, &Font::new(FONT_TEXT, 16), "");

    // The title two lines below the rule, the addressees one line below the title.
    let title = Font::new(FONT_TITLE, SIZE_TITLE);
    let title_para = Para {
        style: Some("Title"),
        line: (title.size * 12).max(LINE),
        ..Para::new(Align::Center).before(2 * LINE)
    };
    paragraphs(&mut out, &title_para, &title, &b.title);
    paragraphs(
        &mut out,
        &Para::new(Align::Left).before(LINE),
        &text,
        &b.addressees,
    );
    paragraphs(&mut out, &body, &text, &b.opening);

    let heading = Para {
        style: Some("Heading1"),
        keep_next: true,
        outline: Some(0),
        ..Para::new(Align::Both).indented()
    };
    let heading_font = Font::new(FONT_HEADING, SIZE_TEXT);
    for section in &b.sections {
        paragraphs(&mut out, &heading, &heading_font, &section.heading);
        for p in &section.paragraphs {
            paragraphs(&mut out, &body, &text, p);
        }
        if let Some(table) = &section.table {
            write_table(&mut out, table);
        }
    }

    // The signature block: the issuer centred over the date, the date four characters from
    // the right margin, two lines below the text, and never on a page of its own: the last
    // paragraph of the text goes with it.
    keep_last_paragraph_with_next(&mut out);
    let (issuer_right, date_right) = signature_indents(&b.issuer, &b.date);
    let signature = |right_chars| Para {
        right_chars,
        ..Para::new(Align::Right)
    };
    paragraphs(
        &mut out,
        &Para {
            keep_next: true,
            ..signature(issuer_right).before(2 * LINE)
        },
        &text,
        &b.issuer,
    );
    paragraphs(&mut out, &signature(date_right), &text, &b.date);

    out.push_str(&format!(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId3\"/>\
         <w:pgSz w:w=\"{PAGE_WIDTH}\" w:h=\"{PAGE_HEIGHT}\"/>\
         <w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" \
         w:left=\"{MARGIN_LEFT}\" w:header=\"{HEADER_DISTANCE}\" w:footer=\"{FOOTER_DISTANCE}\" \
         w:gutter=\"0\"/><w:cols w:space=\"425\"/>\
         <w:docGrid w:type=\"lines\" w:linePitch=\"{LINE_PITCH}\"/></w:sectPr>"
    ));
    out.push_str("</w:body></w:document>");
    out
}

/// Marks the last paragraph written so far to be kept on the page of the next one.
fn keep_last_paragraph_with_next(out: &mut String) {
    const START: &str = "<w:p><w:pPr>";
    if let Some(at) = out.rfind(START) {
        let props = at + START.len();
        let rest = &out[props..];
        if !rest.starts_with("<w:pStyle") && !rest.starts_with("<w:keepNext/>") {
            out.insert_str(props, "<w:keepNext/>");
        }
    }
}

/// The issuer's font in the red header: 36 pt, condensed (and if need be smaller) so that the
/// longest line of it fits the text width on one line, as red headers are set.
fn issuer_font(issuer: &str) -> Font {
    let widest = lines(issuer).map(half_widths).max().unwrap_or(0);
    // Leave a little room: fonts differ, and Word wraps at the last pixel.
    let room = TEXT_WIDTH * 96 / 100;
    // A half character at `size` half-points is size × 5 twips wide.
    let width_at = |size: u32| widest * size * 5;
    let mut size = SIZE_ISSUER;
    let mut scale = 100;
    if widest > 0 && width_at(size) > room {
        scale = room * 100 / width_at(size);
        if scale < SCALE_MIN {
            scale = SCALE_MIN;
            size = (room * 100 / (widest * 5 * SCALE_MIN)).max(SIZE_ISSUER_MIN) & !1;
        }
    }
    Font {
        color: Some(RED),
        scale: (scale < 100).then_some(scale),
        ..Font::new(FONT_TITLE, size)
    }
}

/// The right indents, in hundredths of a character, of the signature's issuer and date: the
/// date four characters from the margin and the issuer centred over it; when the issuer is too
/// long for that, it ends at the margin and the date moves to stay centred under it.
fn signature_indents(issuer: &str, date: &str) -> (u32, u32) {
    let widest = |s: &str| lines(s).map(half_widths).max().unwrap_or(0);
    // In hundredths of a character; a half character is 50.
    let issuer = widest(issuer) * 50;
    let date = widest(date) * 50;
    let centre = DATE_RIGHT_CHARS + date / 2;
    if issuer / 2 <= centre {
        (centre - issuer / 2, DATE_RIGHT_CHARS)
    } else {
        (0, (issuer / 2).saturating_sub(date / 2))
    }
}

/// A table across the text width, with single borders, the header row bold and repeated on
/// every page, cells in 12 pt, columns of numbers and short words centred.
fn write_table(out: &mut String, t: &Table) {
    let columns = t
        .rows
        .iter()
        .map(Vec::len)
        .chain([t.header.len()])
        .max()
        .unwrap_or(0);
    if columns == 0 {
        return;
    }
    let widths = column_widths(t, columns);
    let centred: Vec<bool> = (0..columns).map(|c| is_centred_column(t, c)).collect();

    out.push_str(&format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>\
         <w:tblBorders>"
    ));
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        out.push_str(&format!(
            "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        ));
    }
    out.push_str(&format!(
        "</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar>\
         <w:left w:w=\"{CELL_MARGIN}\" w:type=\"dxa\"/><w:right w:w=\"{CELL_MARGIN}\" w:type=\"dxa\"/>\
         </w:tblCellMar><w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" \
         w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>"
    ));
    for w in &widths {
        out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    out.push_str("</w:tblGrid>");

    let cell_font = Font::new(FONT_TEXT, SIZE_TABLE);
    let header_font = cell_font.bold();
    if !t.header.is_empty() {
        out.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/><w:jc w:val=\"center\"/></w:trPr>");
        for (c, w) in widths.iter().enumerate() {
            let text = t.header.get(c).map_or("", String::as_str);
            cell(out, *w, Align::Center, &header_font, text);
        }
        out.push_str("</w:tr>");
    }
    for row in &t.rows {
        out.push_str("<w:tr><w:trPr><w:cantSplit/><w:jc w:val=\"center\"/></w:trPr>");
        for (c, w) in widths.iter().enumerate() {
            let text = row.get(c).map_or("", String::as_str);
            let align = if centred[c] {
                Align::Center
            } else {
                Align::Left
            };
            cell(out, *w, align, &cell_font, text);
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

fn cell(out: &mut String, width: u32, align: Align, font: &Font, text: &str) {
    out.push_str(&format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/>\
         </w:tcPr>"
    ));
    let p = Para {
        line: TABLE_LINE,
        ..Para::new(align)
    };
    paragraphs(out, &p, font, text);
    out.push_str("</w:tc>");
}

/// The columns' widths in twips, adding up to the text width. A column of short cells (at most
/// [`SHORT_CELL`] half characters) is as wide as its widest line, so that it does not wrap; a
/// column of longer text at least as wide as its header and four characters, and it shares
/// the room left with the other long columns by how much more it would take to hold its
/// widest line (up to fifteen characters) on one line.
fn column_widths(t: &Table, columns: usize) -> Vec<u32> {
    // A half character of the table's type, and the room a cell needs beside its text.
    let half = SIZE_TABLE * 5;
    let pad = 2 * CELL_MARGIN + half;
    let widest = |rows: &mut dyn Iterator<Item = &Vec<String>>, c: usize| {
        rows.filter_map(|r| r.get(c))
            .flat_map(|s| lines(s))
            .map(half_widths)
            .max()
            .unwrap_or(0)
    };
    let (mins, wants): (Vec<u32>, Vec<u32>) = (0..columns)
        .map(|c| {
            let header = widest(&mut std::iter::once(&t.header), c);
            let all = widest(&mut std::iter::once(&t.header).chain(&t.rows), c);
            if all <= SHORT_CELL {
                (all.max(2) * half + pad, all.max(2) * half + pad)
            } else {
                (
                    header.max(8) * half + pad,
                    all.min(30).max(header.max(8)) * half + pad,
                )
            }
        })
        .unzip();
    let (min_total, want_total): (u32, u32) = (mins.iter().sum(), wants.iter().sum());
    let proportional = |weights: &[u32], total: u32| -> Vec<u32> {
        weights.iter().map(|w| TEXT_WIDTH * w / total).collect()
    };
    let mut widths = if min_total >= TEXT_WIDTH {
        proportional(&mins, min_total)
    } else if want_total <= TEXT_WIDTH {
        proportional(&wants, want_total)
    } else {
        let room = TEXT_WIDTH - min_total;
        let extra = want_total - min_total;
        mins.iter()
            .zip(&wants)
            .map(|(min, want)| min + room * (want - min) / extra)
            .collect()
    };
    // What rounding left over goes to the widest column.
    let rest = TEXT_WIDTH.saturating_sub(widths.iter().sum::<u32>());
    if let Some(widest) = widths.iter_mut().rev().max_by_key(|w| **w) {
        *widest += rest;
    }
    widths
}

/// Whether a column's body cells are numbers (3, 94.9%, —) or all short words.
fn is_centred_column(t: &Table, c: usize) -> bool {
    let cells = || t.rows.iter().filter_map(|r| r.get(c));
    let numeric = |s: &String| {
        s.chars()
            .all(|ch| ch.is_ascii_digit() || " .,%‰—-+".contains(ch))
    };
    cells().all(numeric) || cells().all(|s| half_widths(s) <= SHORT_CELL && !s.contains('\n'))
}

// ---------------------------------------------------------------------------------------------
// The other parts
// ---------------------------------------------------------------------------------------------

fn content_types() -> String {
    let wml = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    let mut out = String::from(XML_DECLARATION);
    out.push_str(
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" \
         ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    );
    for (part, kind) in [
        ("/word/document.xml", format!("{wml}.document.main+xml")),
        ("/word/styles.xml", format!("{wml}.styles+xml")),
        ("/word/settings.xml", format!("{wml}.settings+xml")),
        ("/word/fontTable.xml", format!("{wml}.fontTable+xml")),
        ("/word/footer1.xml", format!("{wml}.footer+xml")),
        (
            "/docProps/core.xml",
            "application/vnd.openxmlformats-package.core-properties+xml".to_owned(),
        ),
        (
            "/docProps/app.xml",
            "application/vnd.openxmlformats-officedocument.extended-properties+xml".to_owned(),
        ),
    ] {
        out.push_str(&format!(
            "<Override PartName=\"{part}\" ContentType=\"{kind}\"/>"
        ));
    }
    out.push_str("</Types>");
    out
}

fn relationships(rels: &[(&str, &str, &str)]) -> String {
    let mut out = String::from(XML_DECLARATION);
    out.push_str(&format!("<Relationships xmlns=\"{NS_REL}\">"));
    for (id, kind, target) in rels {
        out.push_str(&format!(
            "<Relationship Id=\"{id}\" Type=\"{kind}\" Target=\"{target}\"/>"
        ));
    }
    out.push_str("</Relationships>");
    out
}

fn package_rels() -> String {
    relationships(&[
        (
            "rId1",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
            "word/document.xml",
        ),
        (
            "rId2",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
        ),
        (
            "rId3",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
            "docProps/app.xml",
        ),
    ])
}

fn document_rels() -> String {
    relationships(&[
        (
            "rId1",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles",
            "styles.xml",
        ),
        (
            "rId2",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings",
            "settings.xml",
        ),
        (
            "rId3",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer",
            "footer1.xml",
        ),
        (
            "rId4",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable",
            "fontTable.xml",
        ),
    ])
}

fn styles() -> String {
    let mut rpr = String::new();
    Font::new(FONT_TEXT, SIZE_TEXT).write_props(&mut rpr);
    let mut heading = String::new();
    Font::new(FONT_HEADING, SIZE_TEXT).write_props(&mut heading);
    let mut title = String::new();
    Font::new(FONT_TITLE, SIZE_TITLE).write_props(&mut title);
    let mut footer = String::new();
    Font::new(FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER).write_props(&mut footer);
    let mut out = String::from(XML_DECLARATION);
    out.push_str(&format!(
        "<w:styles xmlns:w=\"{NS_W}\">\
         <w:docDefaults><w:rPrDefault>{rpr}</w:rPrDefault><w:pPrDefault><w:pPr>\
         <w:widowControl w:val=\"0\"/><w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/>\
         <w:spacing w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/><w:jc w:val=\"both\"/>\
         </w:pPr></w:pPrDefault></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">\
         <w:name w:val=\"Normal\"/><w:qFormat/>{rpr}</w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/>\
         <w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"10\"/>\
         <w:qFormat/><w:pPr><w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/></w:pPr>\
         {title}</w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>\
         <w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/>\
         <w:qFormat/><w:pPr><w:keepNext/><w:outlineLvl w:val=\"0\"/></w:pPr>{heading}</w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/>\
         <w:basedOn w:val=\"Normal\"/><w:uiPriority w:val=\"99\"/><w:pPr>\
         <w:spacing w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/></w:pPr>\
         {footer}</w:style>\
         <w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\">\
         <w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/>\
         <w:unhideWhenUsed/></w:style>\
         <w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\">\
         <w:name w:val=\"Normal Table\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/>\
         <w:unhideWhenUsed/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar>\
         <w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/>\
         </w:tblCellMar></w:tblPr></w:style>\
         </w:styles>"
    ));
    out
}

fn settings() -> String {
    let mut out = String::from(XML_DECLARATION);
    out.push_str(&format!(
        "<w:settings xmlns:w=\"{NS_W}\"><w:zoom w:percent=\"100\"/>\
         <w:defaultTabStop w:val=\"420\"/>\
         <w:characterSpacingControl w:val=\"compressPunctuation\"/>\
         <w:compat><w:compatSetting w:name=\"compatibilityMode\" \
         w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
         <w:themeFontLang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:settings>"
    ));
    out
}

/// The fonts, with the substitutes Word and WPS may take where one is not installed.
fn font_table() -> String {
    let mut out = String::from(XML_DECLARATION);
    out.push_str(&format!("<w:fonts xmlns:w=\"{NS_W}\">"));
    for (name, alt, family, pitch) in [
        (FONT_TEXT, "仿宋", "modern", "fixed"),
        (FONT_TITLE, "宋体", "roman", "variable"),
        (FONT_HEADING, "SimHei", "modern", "fixed"),
        (FONT_PAGE_NUMBER, "SimSun", "auto", "variable"),
    ] {
        out.push_str(&format!(
            "<w:font w:name=\"{name}\"><w:altName w:val=\"{alt}\"/><w:charset w:val=\"86\"/>\
             <w:family w:val=\"{family}\"/><w:pitch w:val=\"{pitch}\"/></w:font>"
        ));
    }
    out.push_str("</w:fonts>");
    out
}

/// The page number centred under the text, between dashes: — 1 —; under it, small, the
/// ledger's checkpoint when there is one.
fn footer(ledger_checkpoint: Option<&str>) -> String {
    let font = Font::new(FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER);
    let mut props = String::new();
    font.write_props(&mut props);
    let checkpoint = ledger_checkpoint.map_or_else(String::new, |line| {
        let mut small = String::new();
        Font::new(FONT_PAGE_NUMBER, 12).write_props(&mut small);
        format!(
            "<w:p><w:pPr><w:pStyle w:val=\"Footer\"/><w:jc w:val=\"center\"/>{small}</w:pPr>\
             <w:r>{small}<w:t xml:space=\"preserve\">审计日志校验点：{}</w:t></w:r></w:p>",
            escape(line)
        )
    });
    let mut out = String::from(XML_DECLARATION);
    out.push_str(&format!(
        "<w:ftr xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\"><w:p><w:pPr><w:pStyle w:val=\"Footer\"/>\
         <w:jc w:val=\"center\"/>{props}</w:pPr>\
         <w:r>{props}<w:t xml:space=\"preserve\">— </w:t></w:r>\
         <w:r>{props}<w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r>{props}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
         <w:r>{props}<w:fldChar w:fldCharType=\"separate\"/></w:r>\
         <w:r>{props}<w:t>1</w:t></w:r>\
         <w:r>{props}<w:fldChar w:fldCharType=\"end\"/></w:r>\
         <w:r>{props}<w:t xml:space=\"preserve\"> —</w:t></w:r></w:p>{checkpoint}</w:ftr>"
    ));
    out
}

fn core_properties(b: &Bulletin) -> String {
    let mut out = String::from(XML_DECLARATION);
    out.push_str(&format!(
        "<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator>\
         <dc:language>zh-CN</dc:language></cp:coreProperties>",
        escape(&one_line(&b.title)),
        escape(&one_line(&b.doc_number)),
        escape(&one_line(&b.issuer)),
    ));
    out
}

fn app_properties() -> String {
    let mut out = String::from(XML_DECLARATION);
    out.push_str(
        "<Properties \
         xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>Xiaohao</Application><DocSecurity>0</DocSecurity></Properties>",
    );
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use domain::bulletin::{BulletinInput, HighlightLine, UnfinishedLine, UnitLine, compose};
    use domain::figures::Figures;
    use zip::ZipArchive;

    use super::*;

    const PARTS: [&str; 10] = [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/settings.xml",
        "word/fontTable.xml",
        "word/footer1.xml",
        "word/_rels/document.xml.rels",
        "docProps/core.xml",
        "docProps/app.xml",
    ];

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
                    unit: "财政局".into(),
                    figures: figures(2, 2),
                },
                UnitLine {
                    unit: "招商合作局".into(),
                    figures: figures(0, 0),
                },
            ],
            highlights: vec![HighlightLine {
                unit: "招商合作局".into(),
                title: "屹丰科技二期签约".into(),
                citation: "提前完成".into(),
            }],
            unfinished: vec![UnfinishedLine {
                unit: "征拆办".into(),
                title: "万达广场周边地块征收".into(),
                reason: "两户未签约，需依法启动征收程序".into(),
                next_steps: "依法启动征收程序，12月20日前完成".into(),
                months_overdue: 0,
            }],
            cards: (4, 1, 22),
            analysis: "各单位要加快推进。".into(),
            dispatch: "征拆办于12月15日前报送整改方案。".into(),
        }
    }

    /// The parts of a DOCX, in the archive's order, as text.
    fn unpack(bytes: &[u8]) -> Vec<(String, String)> {
        let mut zip = ZipArchive::new(Cursor::new(bytes)).expect("a ZIP archive");
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut text = String::new();
                f.read_to_string(&mut text).expect("UTF-8 XML");
                (f.name().expect("a part name").into_owned(), text)
            })
            .collect()
    }

    fn part<'a>(parts: &'a [(String, String)], name: &str) -> &'a str {
        parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
            .unwrap_or_else(|| panic!("no part {name}"))
    }

    /// Checks that the text is well-formed XML: an optional declaration, one root element,
    /// balanced tags, quoted and unique attributes, no `<` or stray `&` in text or values,
    /// only the predefined and numeric entities, no control characters.
    fn check_well_formed(xml: &str) -> Result<(), String> {
        fn entities(s: &str) -> Result<(), String> {
            let mut rest = s;
            while let Some(i) = rest.find('&') {
                let after = &rest[i + 1..];
                let end = after.find(';').ok_or_else(|| format!("bare & in {s:?}"))?;
                let name = &after[..end];
                let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                    || name
                        .strip_prefix("#x")
                        .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                    || name
                        .strip_prefix('#')
                        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return Err(format!("bad entity &{name};"));
                }
                rest = &after[end + 1..];
            }
            Ok(())
        }
        fn is_name(s: &str) -> bool {
            !s.is_empty()
                && !s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
                && s.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | '.'))
        }

        if let Some(c) = xml
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        {
            return Err(format!("control character {c:?}"));
        }
        let mut rest = xml;
        if rest.starts_with("<?xml") {
            let end = rest.find("?>").ok_or("unterminated declaration")?;
            rest = &rest[end + 2..];
        }
        let mut stack: Vec<&str> = Vec::new();
        let mut roots = 0;
        while !rest.is_empty() {
            let lt = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..lt];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root: {text:?}"));
            }
            entities(text)?;
            rest = &rest[lt..];
            if rest.is_empty() {
                break;
            }
            if let Some(r) = rest.strip_prefix("<!--") {
                let end = r.find("-->").ok_or("unterminated comment")?;
                rest = &r[end + 3..];
            } else if let Some(r) = rest.strip_prefix("<?") {
                let end = r.find("?>").ok_or("unterminated instruction")?;
                rest = &r[end + 2..];
            } else if let Some(r) = rest.strip_prefix("</") {
                let end = r.find('>').ok_or("unterminated end tag")?;
                let name = r[..end].trim_end();
                match stack.pop() {
                    Some(open) if open == name => {}
                    other => return Err(format!("</{name}> closes {other:?}")),
                }
                rest = &r[end + 1..];
            } else {
                let r = &rest[1..];
                let name_end = r
                    .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                    .ok_or("unterminated start tag")?;
                let name = &r[..name_end];
                if !is_name(name) {
                    return Err(format!("bad element name {name:?}"));
                }
                let mut r = &r[name_end..];
                let mut seen: Vec<&str> = Vec::new();
                let closed = loop {
                    r = r.trim_start();
                    if let Some(after) = r.strip_prefix("/>") {
                        r = after;
                        break true;
                    }
                    if let Some(after) = r.strip_prefix('>') {
                        r = after;
                        break false;
                    }
                    let eq = r
                        .find('=')
                        .ok_or_else(|| format!("attribute without value in <{name}>"))?;
                    let attr = r[..eq].trim();
                    if !is_name(attr) {
                        return Err(format!("bad attribute name {attr:?} in <{name}>"));
                    }
                    if seen.contains(&attr) {
                        return Err(format!("duplicate attribute {attr} in <{name}>"));
                    }
                    seen.push(attr);
                    let v = r[eq + 1..].trim_start();
                    let quote = v.chars().next().filter(|q| *q == '"' || *q == '\'');
                    let quote = quote.ok_or_else(|| format!("unquoted {attr} in <{name}>"))?;
                    let v = &v[1..];
                    let end = v.find(quote).ok_or("unterminated attribute value")?;
                    let value = &v[..end];
                    if value.contains('<') {
                        return Err(format!("< in the value of {attr}"));
                    }
                    entities(value)?;
                    r = &v[end + 1..];
                    if !r.starts_with(|c: char| c.is_whitespace() || c == '/' || c == '>') {
                        return Err(format!("no space after {attr} in <{name}>"));
                    }
                };
                if stack.is_empty() {
                    roots += 1;
                }
                if !closed {
                    stack.push(name);
                }
                rest = r;
            }
        }
        if let Some(open) = stack.last() {
            return Err(format!("<{open}> is not closed"));
        }
        if roots != 1 {
            return Err(format!("{roots} root elements"));
        }
        Ok(())
    }

    /// The paragraphs `<w:p>…</w:p>` of a document part.
    fn paragraphs_of(xml: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = xml;
        while let Some(start) = rest.find("<w:p>") {
            let end = rest[start..].find("</w:p>").expect("closed paragraph") + start + 6;
            out.push(&rest[start..end]);
            rest = &rest[end..];
        }
        out
    }

    /// Whether a paragraph holds this text, escaped, as one run's text.
    fn holds(p: &str, text: &str) -> bool {
        p.contains(&format!(">{}</w:t>", escape(text)))
    }

    #[test]
    fn the_checker_finds_broken_xml() {
        assert!(check_well_formed("<a><b x=\"1\"/>t &amp; u</a>").is_ok());
        for bad in [
            "<a><b></a></b>",
            "<a>",
            "<a/><b/>",
            "<a x=1/>",
            "<a x=\"1\" x=\"2\"/>",
            "<a>&nbsp;</a>",
            "<a>a & b</a>",
            "<a x=\"<\"/>",
            "<a>\u{7}</a>",
            "text<a/>",
        ] {
            assert!(check_well_formed(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_docx_has_every_part_and_they_are_well_formed() {
        let b = compose(&input());
        let parts = unpack(&write_bulletin_docx(&b).unwrap());
        let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, PARTS);
        for (name, xml) in &parts {
            check_well_formed(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let types = part(&parts, "[Content_Types].xml");
        assert!(types.contains(
            "<Override PartName=\"/word/document.xml\" ContentType=\"application/\
             vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
        ));
        for p in &PARTS[2..] {
            if !p.contains("_rels") {
                assert!(types.contains(&format!("PartName=\"/{p}\"")), "{p}");
            }
        }
        let rels = part(&parts, "_rels/.rels");
        assert!(rels.contains("/officeDocument\" Target=\"word/document.xml\""));
        let core = part(&parts, "docProps/core.xml");
        assert!(core.contains("<dc:title>关于2026年11月预安销号工作情况的通报</dc:title>"));
        let styles = part(&parts, "word/styles.xml");
        let default_run = &styles[styles.find("<w:rPrDefault>").unwrap()..];
        assert!(default_run.starts_with(
            "<w:rPrDefault><w:rPr><w:rFonts w:ascii=\"仿宋_GB2312\" w:hAnsi=\"仿宋_GB2312\" \
             w:eastAsia=\"仿宋_GB2312\""
        ));
        // Every relationship of the document points at a part that is there.
        let doc_rels = part(&parts, "word/_rels/document.xml.rels");
        for target in doc_rels.split("Target=\"").skip(1) {
            let target = &target[..target.find('"').unwrap()];
            assert!(
                names.contains(&format!("word/{target}").as_str()),
                "{target}"
            );
        }
    }

    #[test]
    fn the_document_is_laid_out_as_an_official_document() {
        let b = compose(&input());
        let parts = unpack(&write_bulletin_docx(&b).unwrap());
        let doc = part(&parts, "word/document.xml");
        let paras = paragraphs_of(doc);

        // The page: A4 and the margins of GB/T 9704.
        assert!(doc.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
        assert!(doc.contains(
            "<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1985\" w:left=\"1588\""
        ));

        // The red header: the issuer red and large in 方正小标宋简体, the number in
        // 仿宋_GB2312 16 pt, then the red rule.
        let issuer = paras.iter().position(|p| holds(p, &b.issuer)).unwrap();
        let p = paras[issuer];
        assert!(p.contains("<w:jc w:val=\"center\"/>"));
        assert!(p.contains("<w:color w:val=\"FF0000\"/>"));
        assert!(p.contains("w:eastAsia=\"方正小标宋简体\""));
        assert!(p.contains("<w:sz w:val=\"72\"/>"));
        // Fifteen characters at 36 pt are condensed to fit one line.
        assert!(p.contains("<w:w w:val="));
        let number = paras[issuer + 1];
        assert!(holds(number, &b.doc_number));
        assert!(number.contains("w:eastAsia=\"仿宋_GB2312\"") && number.contains("w:val=\"32\""));
        assert!(number.contains("<w:jc w:val=\"center\"/>"));
        assert!(paras[issuer + 2].contains(
            "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"18\" w:space=\"1\" w:color=\"FF0000\"/>"
        ));

        // The title, the addressees, the opening.
        let title = paras[issuer + 3];
        assert!(holds(title, &b.title));
        assert!(title.contains("w:eastAsia=\"方正小标宋简体\""));
        assert!(title.contains("<w:sz w:val=\"44\"/>"));
        assert!(title.contains("<w:jc w:val=\"center\"/>"));
        assert!(!title.contains("FF0000"));
        let addressees = paras[issuer + 4];
        assert!(holds(addressees, "各部门、各单位："));
        assert!(addressees.contains("<w:jc w:val=\"left\"/>") && !addressees.contains("w:ind"));
        let opening = paras[issuer + 5];
        assert!(holds(opening, &b.opening));
        assert!(opening.contains("w:firstLineChars=\"200\""));
        assert!(opening.contains(
            "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"560\" w:lineRule=\"exact\"/>"
        ));

        // Every section: the heading in 黑体, the paragraphs in 仿宋_GB2312 16 pt, indented.
        for s in &b.sections {
            let h = paras
                .iter()
                .find(|p| holds(p, &s.heading))
                .unwrap_or_else(|| panic!("{}", s.heading));
            assert!(h.contains("w:eastAsia=\"黑体\"") && h.contains("<w:sz w:val=\"32\"/>"));
            assert!(h.contains("<w:keepNext/>"));
            for text in &s.paragraphs {
                let p = paras
                    .iter()
                    .find(|p| holds(p, text))
                    .unwrap_or_else(|| panic!("{text}"));
                assert!(p.contains("w:eastAsia=\"仿宋_GB2312\""));
                assert!(p.contains("<w:sz w:val=\"32\"/>"));
                assert!(p.contains("w:firstLineChars=\"200\""));
                assert!(p.contains("w:line=\"560\" w:lineRule=\"exact\""));
            }
        }

        // Every run names its East Asian font and language.
        let runs = doc.matches("<w:r>").count();
        assert!(runs > 20);
        for r in doc.split("<w:r>").skip(1) {
            let props = &r[..r.find("</w:rPr>").expect("run properties")];
            assert!(props.contains("w:eastAsia=\""), "{props}");
            assert!(
                props.contains("<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\""),
                "{props}"
            );
        }

        // The signature block: the issuer and the date at the end, right-aligned.
        let n = paras.len();
        assert!(holds(paras[n - 2], &b.issuer) && holds(paras[n - 1], "2026年12月5日"));
        for p in &paras[n - 2..] {
            assert!(p.contains("<w:jc w:val=\"right\"/>"));
            assert!(p.contains("w:eastAsia=\"仿宋_GB2312\"") && p.contains("<w:sz w:val=\"32\"/>"));
            assert!(!p.contains("FF0000"));
        }
        // The signature does not stand alone on a page.
        assert!(paras[n - 3].contains("<w:keepNext/>") && paras[n - 2].contains("<w:keepNext/>"));
        assert!(holds(paras[n - 3], "征拆办于12月15日前报送整改方案。"));
        // The issuer, longer than 右空四字 allows, ends at the margin; the date is centred
        // under it.
        assert!(!paras[n - 2].contains("w:rightChars"));
        assert!(paras[n - 1].contains("w:rightChars=\"425\""));
    }

    #[test]
    fn the_tables_are_in_the_document() {
        let b = compose(&input());
        let doc = part(
            &unpack(&write_bulletin_docx(&b).unwrap()),
            "word/document.xml",
        )
        .to_owned();
        let tables: Vec<&str> = doc
            .split("<w:tbl>")
            .skip(1)
            .map(|t| &t[..t.find("</w:tbl>").unwrap()])
            .collect();
        let expected: Vec<&Table> = b.sections.iter().filter_map(|s| s.table.as_ref()).collect();
        assert_eq!(tables.len(), expected.len());
        assert_eq!(expected.len(), 2, "the results and the unfinished tasks");
        for (xml, t) in tables.iter().zip(&expected) {
            assert!(xml.contains(&format!("<w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/>")));
            assert!(xml.contains("<w:insideV w:val=\"single\""));
            let grid: u32 = xml
                .split("<w:gridCol w:w=\"")
                .skip(1)
                .map(|g| g[..g.find('"').unwrap()].parse::<u32>().unwrap())
                .sum();
            assert_eq!(grid, TEXT_WIDTH);
            let rows: Vec<&str> = xml.split("<w:tr>").skip(1).collect();
            assert_eq!(rows.len(), t.rows.len() + 1);
            // The header row: repeated on every page, bold, every header text.
            assert!(rows[0].contains("<w:tblHeader/>"));
            for h in &t.header {
                assert!(holds(rows[0], h), "{h}");
            }
            assert_eq!(rows[0].matches("<w:b/>").count(), 2 * t.header.len());
            for (row, cells) in rows[1..].iter().zip(&t.rows) {
                assert!(!row.contains("<w:tblHeader/>") && !row.contains("<w:b/>"));
                assert!(
                    row.contains("w:eastAsia=\"仿宋_GB2312\"")
                        && row.contains("<w:sz w:val=\"24\"/>")
                );
                for c in cells.iter().filter(|c| !c.is_empty()) {
                    assert!(holds(row, c), "{c}");
                }
            }
        }
        // Numbers are centred: the results' first body row, 1 征拆办 4 3 1 75.0%.
        let first = tables[0].split("<w:tr>").nth(2).unwrap();
        for cell in first.split("<w:tc>").skip(1) {
            assert!(cell.contains("<w:jc w:val=\"center\"/>"), "{cell}");
        }
        assert!(holds(first, "75.0%"));
        // An empty month has no rate.
        assert!(holds(tables[0], "—"));
        // Long text is not centred.
        let unfinished = tables[1].split("<w:tr>").nth(2).unwrap();
        let title_cell = unfinished.split("<w:tc>").nth(3).unwrap();
        assert!(holds(title_cell, "万达广场周边地块征收"));
        assert!(title_cell.contains("<w:jc w:val=\"left\"/>"));
    }

    #[test]
    fn the_ledger_checkpoint_is_printed_under_the_page_number() {
        let b = compose(&input());
        let plain = unpack(&write_bulletin_docx(&b).unwrap());
        assert!(!part(&plain, "word/footer1.xml").contains("审计日志校验点"));
        let line = "xiaohao-checkpoint v1 chain=7 seq=42 hash=ab&cd";
        let parts = unpack(&write_bulletin_docx_anchored(&b, Some(line)).unwrap());
        let footer = part(&parts, "word/footer1.xml");
        check_well_formed(footer).unwrap();
        assert!(
            footer.contains("审计日志校验点：xiaohao-checkpoint v1 chain=7 seq=42 hash=ab&amp;cd"),
            "{footer}"
        );
        assert!(
            footer.find("PAGE") < footer.find("审计日志校验点"),
            "under the number"
        );
    }

    #[test]
    fn text_is_escaped_and_split_into_paragraphs() {
        let x = BulletinInput {
            analysis:
                "注意<script>&\"'</script>事项\u{7}\u{0}。\n\u{3000}\u{3000}第二段\r\n\n第三段"
                    .into(),
            organization: "A&B <区>".into(),
            ..input()
        };
        let b = compose(&x);
        let parts = unpack(&write_bulletin_docx(&b).unwrap());
        for (name, xml) in &parts {
            check_well_formed(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let doc = part(&parts, "word/document.xml");
        assert!(!doc.contains("<script>") && !doc.contains("\u{7}"));
        assert!(doc.contains(">注意&lt;script&gt;&amp;&quot;&apos;&lt;/script&gt;事项。</w:t>"));
        assert!(doc.contains("A&amp;B &lt;区&gt;"));
        let paras = paragraphs_of(doc);
        let at = |t: &str| {
            paras
                .iter()
                .position(|p| holds(p, t))
                .unwrap_or_else(|| panic!("{t}"))
        };
        let second = at("第二段");
        assert_eq!(at("第三段"), second + 1, "a blank line is no paragraph");
        assert!(paras[second].contains("w:firstLineChars=\"200\""));
    }

    #[test]
    fn the_same_bulletin_gives_the_same_bytes() {
        let b = compose(&input());
        let one = write_bulletin_docx(&b).unwrap();
        let two = write_bulletin_docx(&b.clone()).unwrap();
        assert!(one.starts_with(b"PK\x03\x04"));
        assert_eq!(one, two);
        let other = compose(&BulletinInput {
            month: 10,
            ..input()
        });
        assert_ne!(one, write_bulletin_docx(&other).unwrap());
    }

    #[test]
    fn a_long_issuer_still_fits_one_line() {
        let short = issuer_font("湘潭高新区工管委");
        assert_eq!((short.size, short.scale), (SIZE_ISSUER, None));
        let long = issuer_font("湘潭高新区预安销号工作领导小组");
        let scale = long.scale.unwrap();
        assert!((70..100).contains(&scale), "{scale}");
        assert!(15 * 2 * long.size * 5 * scale / 100 <= TEXT_WIDTH);
        let very_long = issuer_font(&"很".repeat(40));
        assert_eq!(very_long.scale, Some(SCALE_MIN));
        assert!(very_long.size < SIZE_ISSUER && very_long.size >= SIZE_ISSUER_MIN);
    }

    #[test]
    fn the_signature_centres_the_issuer_over_the_date() {
        // 成文日期 four characters from the right; the issuer, as wide as the date, the same.
        assert_eq!(signature_indents("二〇二六年", "二〇二六年"), (400, 400));
        // A shorter issuer is indented more, by half the difference.
        assert_eq!(signature_indents("领导小组", "2026年12月5日"), (525, 400));
        // A long issuer ends at the margin and the date moves under its centre.
        let (issuer, date) = signature_indents("湘潭高新区预安销号工作领导小组", "2026年12月5日");
        assert_eq!(issuer, 0);
        assert_eq!(date, 750 - 325);
    }
}
