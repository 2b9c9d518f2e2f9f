//! Decoding text files as Chinese offices export them.

use std::path::Path;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};
use zhili_core::{Error, Result};

/// The encoding a file was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (with or without BOM).
    Utf8,
    /// GBK / GB18030 (Excel's "CSV" on a Chinese Windows).
    Gb18030,
    /// UTF-16 with a BOM (Excel's "Unicode text").
    Utf16,
}

/// Decode bytes: a BOM decides; otherwise valid UTF-8 is UTF-8, and anything else is
/// decoded as GB18030 (a superset of GBK and GB2312). Bytes that are neither are an error.
///
/// # Errors
/// [`Error::Parse`] naming `file` and the line of the first undecodable byte.
pub fn decode(bytes: &[u8], file: &str) -> Result<(String, TextEncoding)> {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom..];
        let kind = if enc == UTF_16LE || enc == UTF_16BE {
            TextEncoding::Utf16
        } else {
            TextEncoding::Utf8
        };
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        if had_errors {
            return Err(Error::parse(
                file,
                None,
                None,
                format!("invalid {} text after its byte-order mark", enc.name()),
            ));
        }
        return Ok((text.into_owned(), kind));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_owned(), TextEncoding::Utf8)),
        Err(_) => {
            let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                let bad = text.find('\u{FFFD}').unwrap_or(0);
                let line = text[..bad].matches('\n').count() + 1;
                return Err(Error::parse(file, Some(line), None, "text is neither UTF-8 nor GBK/GB18030"));
            }
            Ok((text.into_owned(), TextEncoding::Gb18030))
        }
    }
}

/// Read and decode a text file.
///
/// # Errors
/// [`Error::Parse`] if the file cannot be read or decoded.
pub fn read_text(path: &Path) -> Result<(String, TextEncoding)> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::parse(&file, None, None, format!("cannot read: {e}")))?;
    decode(&bytes, &file)
}
