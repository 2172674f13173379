//! Evidence files (佐证材料) attached to progress reports and inspection findings: which kinds
//! are accepted and how large they may be. The kind is decided from the file's first bytes,
//! not from the name or the browser's content type, so a renamed executable is refused.

use serde::Serialize;

/// At most this many bytes per file.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// At most this many files per progress report or finding.
pub const MAX_FILES: usize = 5;
/// At most this many bytes of files in one report or finding.
pub const MAX_TOTAL_BYTES: usize = 25 * 1024 * 1024;
/// File names are kept to this many characters.
pub const NAME_MAX: usize = 120;

/// An accepted kind of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    /// Office Open XML (docx, xlsx, pptx): a ZIP container.
    OfficeXml,
    /// The older Office formats (doc, xls): an OLE container.
    OfficeLegacy,
}

impl FileKind {
    /// The content type the file is served with.
    pub fn content_type(self, name: &str) -> &'static str {
        let ext = extension(name);
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::OfficeXml => match ext.as_str() {
                "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "pptx" => {
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation"
                }
                _ => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            },
            FileKind::OfficeLegacy => match ext.as_str() {
                "xls" => "application/vnd.ms-excel",
                _ => "application/msword",
            },
        }
    }

    /// Whether a browser may show it in place (images and PDF); others download.
    pub fn inline(self) -> bool {
        matches!(self, FileKind::Pdf | FileKind::Png | FileKind::Jpeg)
    }

    /// The extensions a file of this kind may carry.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::OfficeXml => &["docx", "xlsx", "pptx"],
            FileKind::OfficeLegacy => &["doc", "xls"],
        }
    }
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads the kind from the first bytes.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    const SIGNATURES: [(&[u8], FileKind); 5] = [
        (b"%PDF-", FileKind::Pdf),
        (b"\x89PNG\r\n\x1a\n", FileKind::Png),
        (b"\xff\xd8\xff", FileKind::Jpeg),
        (b"PK\x03\x04", FileKind::OfficeXml),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", FileKind::OfficeLegacy),
    ];
    SIGNATURES
        .into_iter()
        .find(|(sig, _)| bytes.starts_with(sig))
        .map(|(_, k)| k)
}

/// A file that passed the checks: its cleaned name and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub name: String,
    pub kind: FileKind,
}

/// Cleans a file name as sent by a browser: the last path component, no control characters
/// or quotes, at most [`NAME_MAX`] characters (keeping the extension).
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';'))
        .collect();
    if cleaned.chars().count() <= NAME_MAX {
        return cleaned;
    }
    let ext = extension(&cleaned);
    let keep = NAME_MAX.saturating_sub(ext.chars().count() + 1);
    let stem: String = cleaned.chars().take(keep).collect();
    format!("{stem}.{ext}")
}

/// Checks one uploaded file: not empty, not too large, a known kind whose content matches its
/// extension. The error code names what is wrong (`file_empty`, `evidence_too_large`,
/// `file_type_not_allowed`).
pub fn check(raw_name: &str, bytes: &[u8]) -> Result<Accepted, &'static str> {
    if bytes.is_empty() {
        return Err("file_empty");
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err("evidence_too_large");
    }
    let name = clean_name(raw_name);
    let kind = sniff(bytes).ok_or("file_type_not_allowed")?;
    let ext = extension(&name);
    if !kind.extensions().contains(&ext.as_str()) {
        return Err("file_type_not_allowed");
    }
    if kind == FileKind::OfficeXml && !is_ooxml_package(bytes, &ext) {
        return Err("file_type_not_allowed");
    }
    Ok(Accepted { name, kind })
}

/// Whether a ZIP is an Office Open XML package of the kind its extension says: it names the
/// package's content types part (`[Content_Types].xml`) and the main part of a document, a
/// workbook or a presentation. Part names are stored uncompressed in the ZIP's headers, so no
/// unpacking is needed; any other ZIP (an archive renamed `.docx`) is refused.
fn is_ooxml_package(bytes: &[u8], ext: &str) -> bool {
    let main: &[u8] = match ext {
        "docx" => b"word/document.xml",
        "xlsx" => b"xl/workbook.xml",
        "pptx" => b"ppt/presentation.xml",
        _ => return false,
    };
    let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    holds(b"[Content_Types].xml") && holds(main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_judged_by_content_and_extension() {
        let pdf = b"%PDF-1.7\n...";
        assert_eq!(
            check("现场照片/整改报告.pdf", pdf),
            Ok(Accepted {
                name: "整改报告.pdf".into(),
                kind: FileKind::Pdf
            })
        );
        assert_eq!(
            check("photo.JPG", b"\xff\xd8\xff\xe0rest").map(|a| a.kind),
            Ok(FileKind::Jpeg)
        );
        let xlsx = b"PK\x03\x04..[Content_Types].xml..PK\x03\x04..xl/workbook.xml..";
        assert_eq!(
            check("台账.xlsx", xlsx).map(|a| a.kind),
            Ok(FileKind::OfficeXml)
        );
        // Any other ZIP is no Office file, whatever its name; nor is a workbook a document.
        assert_eq!(
            check("台账.xlsx", b"PK\x03\x04rest"),
            Err("file_type_not_allowed")
        );
        assert_eq!(check("台账.docx", xlsx), Err("file_type_not_allowed"));
        assert_eq!(
            check(
                "纪要.docx",
                b"PK\x03\x04[Content_Types].xml word/document.xml"
            )
            .map(|a| a.kind),
            Ok(FileKind::OfficeXml)
        );
        // A PDF named .exe, an executable named .pdf, an unknown kind, an empty file.
        assert_eq!(check("a.exe", pdf), Err("file_type_not_allowed"));
        assert_eq!(check("a.pdf", b"MZ\x90\x00"), Err("file_type_not_allowed"));
        assert_eq!(check("a.txt", b"hello"), Err("file_type_not_allowed"));
        assert_eq!(check("a.pdf", b""), Err("file_empty"));
        let big = vec![b'%'; MAX_FILE_BYTES + 1];
        assert_eq!(check("a.pdf", &big), Err("evidence_too_large"));
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("C:\\fakepath\\a\"b;.png"), "ab.png");
        let long = format!("{}.docx", "很".repeat(300));
        let c = clean_name(&long);
        assert_eq!(c.chars().count(), NAME_MAX);
        assert!(c.ends_with(".docx"));
        assert_eq!(
            FileKind::OfficeXml.content_type("x.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(FileKind::Png.inline() && !FileKind::OfficeLegacy.inline());
    }
}
