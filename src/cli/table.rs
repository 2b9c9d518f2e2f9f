//! Terminal tables, headed in the display language.

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use zhili::io::{lang::words, Lang};

/// A table with a header, sized to the terminal.
pub(crate) fn new(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
}

/// A table whose header is the given word ids (see `zhili::io::lang::words`) in `lang`.
pub(crate) fn words(ids: &[&str], lang: Lang) -> Table {
    new(&ids.iter().map(|id| words::get(id, lang)).collect::<Vec<_>>())
}

/// Print a table, or a "(none)" line in its place when it has no rows.
pub(crate) fn print(t: &Table, lang: Lang) {
    if t.row_count() == 0 {
        println!("{}", words::get("none", lang));
    } else {
        println!("{t}");
    }
}
