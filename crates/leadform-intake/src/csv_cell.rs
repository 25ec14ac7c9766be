//! Writing CSV that spreadsheets open safely: shared by `export` and any later CSV download.
//!
//! Two defences, because spreadsheets differ in how they split and what they evaluate:
//! - every cell is quoted (RFC 4180), so a `;` or `,` inside a value never starts a new cell in a
//!   spreadsheet that splits on it (`https://a.example/;=cmd|' /C calc'!A0` stays one cell);
//! - a cell a spreadsheet could evaluate as a formula gets a leading `'` (OWASP's rule), and NUL
//!   characters, which some importers treat as the end of the cell, are removed.

use std::io::Write;

/// The cell rule, shared with the console's CSV download: see [`leadform_core::spreadsheet_cell`].
pub use leadform_core::spreadsheet_cell::csv_cell;

/// A CSV writer that quotes every cell. Write cells through [`csv_cell`].
pub fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(out)
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
    fn the_writer_never_writes_a_nul() {
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
