//! Writing CSV that spreadsheets open safely: shared by `export` and any later CSV download.
//!
//! Two defences, because spreadsheets differ in how they split and what they evaluate:
//! - every cell is quoted (RFC 4180), so a `;` or `,` inside a value never starts a new cell in a
//!   spreadsheet that splits on it (`https://a.example/;=cmd|' /C calc'!A0` stays one cell);
//! - a cell a spreadsheet could evaluate as a formula gets a leading `'` (OWASP's rule), and NUL
//!   characters, which some importers treat as the end of the cell, are removed.

use leadform_core::sanitize::is_invisible_formatting;
use std::io::Write;

/// A CSV writer that quotes every cell. Write cells through [`csv_cell`].
pub fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(out)
}

/// The text of one cell, made safe to open: NULs removed, and a leading `'` when the cell starts
/// with `=`, `+`, `-`, `@`, any whitespace (tab, CR and LF included) or an invisible formatting
/// character, any of which a spreadsheet may skip before reading a formula.
pub fn csv_cell(raw: &str) -> String {
    let cell: String = raw.chars().filter(|c| *c != '\0').collect();
    let evaluable = cell.chars().next().is_some_and(|first| {
        matches!(first, '=' | '+' | '-' | '@')
            || first.is_whitespace()
            || is_invisible_formatting(first)
    });
    if evaluable {
        format!("'{cell}")
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(cells: &[&str]) -> String {
        let mut writer = csv_writer(Vec::new());
        writer
            .write_record(cells.iter().map(|cell| csv_cell(cell)))
            .unwrap();
        String::from_utf8(writer.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn formula_starts_are_neutralised_and_others_kept() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("+1 415 555 0100"), "'+1 415 555 0100");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "'\rx");
        assert_eq!(csv_cell("Ada = great"), "Ada = great");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn leading_whitespace_and_invisible_characters_are_neutralised() {
        assert_eq!(csv_cell(" =1+1"), "' =1+1");
        assert_eq!(csv_cell("\n=1+1"), "'\n=1+1");
        assert_eq!(csv_cell("\u{a0}=1+1"), "'\u{a0}=1+1");
        assert_eq!(csv_cell("\u{200b}=1+1"), "'\u{200b}=1+1");
        assert_eq!(csv_cell("\u{feff}=1+1"), "'\u{feff}=1+1");
    }

    #[test]
    fn nul_is_removed_not_just_prefixed() {
        assert_eq!(csv_cell("\0=1+1"), "'=1+1");
        assert_eq!(csv_cell("Ada\0Lovelace"), "AdaLovelace");
        assert!(!written(&["a\0b"]).contains('\0'));
    }

    #[test]
    fn every_cell_is_quoted_so_semicolons_cannot_split_it() {
        assert_eq!(
            written(&["https://a.example/;=cmd|' /C calc'!A0", "1", ""]),
            "\"https://a.example/;=cmd|' /C calc'!A0\",\"1\",\"\"\n"
        );
        assert_eq!(written(&["say \"hi\""]), "\"say \"\"hi\"\"\"\n");
    }
}
