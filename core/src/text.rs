//! Echoing a user's text in messages: long values are cut, so a 100 MB cell never fills a
//! terminal or a log. Every error that quotes user text goes through [`cut`].

use std::borrow::Cow;

/// Characters of a value shown in a message before it is cut.
pub const SHOWN_CHARS: usize = 80;

/// `s` itself when short, else its first [`SHOWN_CHARS`] characters, `…` and the full size:
/// `aaaa…aaa… (104857600 bytes)`. Control characters (newlines, tabs) are shown escaped.
pub fn cut(s: &str) -> Cow<'_, str> {
    let long = s.chars().nth(SHOWN_CHARS).is_some();
    let control = s.chars().take(SHOWN_CHARS).any(char::is_control);
    if !long && !control {
        return Cow::Borrowed(s);
    }
    let mut out: String = s
        .chars()
        .take(SHOWN_CHARS)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if long {
        out.push_str(&format!("… ({} bytes)", s.len()));
    }
    Cow::Owned(out)
}

/// `message` with every `` `quoted` `` or `"quoted"` value in it [`cut`]: for messages that
/// come from a parser (serde, csv) and quote the user's text (`unknown field `…``,
/// `invalid type: string "…"`).
pub fn cut_quoted(message: &str) -> Cow<'_, str> {
    match cut_between(message, '`') {
        Cow::Borrowed(m) => cut_between(m, '"'),
        Cow::Owned(m) => Cow::Owned(cut_between(&m, '"').into_owned()),
    }
}

/// `message` with every value between two `quote` characters [`cut`].
fn cut_between(message: &str, quote: char) -> Cow<'_, str> {
    let parts: Vec<&str> = message.split(quote).collect();
    // odd parts are inside the quotes
    // a value already cut (80 characters, `… (N bytes)`) is left as it is
    let long = |p: &str| p.chars().nth(SHOWN_CHARS + 32).is_some();
    if parts.len() < 3 || !parts.iter().skip(1).step_by(2).any(|p| long(p)) {
        return Cow::Borrowed(message);
    }
    let out: Vec<Cow<'_, str>> = parts
        .iter()
        .enumerate()
        .map(|(k, p)| if k % 2 == 1 && long(p) { cut(p) } else { Cow::Borrowed(*p) })
        .collect();
    Cow::Owned(out.join(&quote.to_string()))
}

#[cfg(test)]
mod tests {
    use super::{cut, cut_quoted};

    #[test]
    fn quoted_values_in_a_parser_message_are_cut() {
        let long = "x".repeat(300);
        let m = format!("unknown field `{long}`, expected `method` or `group` at line 14");
        let c = cut_quoted(&m);
        assert!(c.contains("… (300 bytes)`, expected `method` or `group` at line 14"), "{c}");
        assert_eq!(cut_quoted("expected `a`"), "expected `a`");
        let m = format!("invalid type: string \"{long}\", expected internally tagged enum");
        let d = cut_quoted(&m);
        assert!(d.contains("… (300 bytes)\", expected internally tagged enum"), "{d}");
    }

    #[test]
    fn short_text_is_kept_and_long_text_is_cut_with_its_size() {
        assert_eq!(cut("Zürich"), "Zürich");
        let long = "数".repeat(1000);
        let c = cut(&long);
        assert_eq!(c.chars().filter(|&ch| ch == '数').count(), 80);
        assert!(c.ends_with("… (3000 bytes)"), "{c}");
        assert_eq!(cut("a\nb"), "a\\nb");
    }
}
