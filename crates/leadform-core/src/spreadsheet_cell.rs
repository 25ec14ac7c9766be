//! The one rule for a cell of every CSV Leadform writes (`export`, `scores`, the console's
//! download): a value a spreadsheet could evaluate as a formula gets a leading `'` (OWASP's
//! rule), and NUL characters, which some importers treat as the end of the cell, are removed.
//! Pure text, so the browser and server crates can share it without a CSV library; quoting every
//! cell is the writer's job.

use crate::sanitize::is_invisible_formatting;

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
    }
}
