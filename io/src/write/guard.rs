//! Formula-injection guard for text cells (OWASP "CSV injection").

use std::borrow::Cow;

/// The characters that make Excel, LibreOffice or WPS read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a text cell would be read as a formula by a spreadsheet: it starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return, and is not simply a number (`-3.5` is left
/// alone: a spreadsheet reads it as the number it is, not as a formula).
pub fn is_formula_like(s: &str) -> bool {
    s.starts_with(TRIGGERS) && s.trim().parse::<f64>().is_err()
}

/// A text cell made safe for a spreadsheet: formula-like text gets a leading `'`, which
/// Excel shows as text and hides; anything else is returned unchanged.
pub fn guard(s: &str) -> Cow<'_, str> {
    if is_formula_like(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_prefixed_numbers_and_text_are_not() {
        for (s, want) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-3.5", "-3.5"),
            ("+7", "+7"),
            ("昆明", "昆明"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(guard(s), want, "{s:?}");
        }
    }
}
