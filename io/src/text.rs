//! Decoding text files as Chinese offices export them, with evidence for the encoding.
//!
//! The rules, in order:
//! 1. `--encoding` (a WHATWG label such as `gbk`, `utf-16le`, `latin1`) decides, strictly.
//! 2. A byte-order mark decides (UTF-8, UTF-16 LE / BE).
//! 3. Valid UTF-8 is UTF-8 (no copy).
//! 4. UTF-16 without a BOM is recognised by its zero bytes (ASCII text in UTF-16 has a
//!    zero in every other byte) and must then decode cleanly.
//! 5. Otherwise `chardetng` guesses from the lines with non-ASCII bytes. The guess is
//!    used only if it decodes the whole file without an error *and* rests on at least
//!    [`MIN_EVIDENCE`] non-ASCII bytes; a GBK guess decodes as GB18030 (its superset).
//!    The detector is told the files come from China (top-level domain `cn`), so bytes
//!    that fit GBK and Big5 / EUC-KR alike are read as GBK.
//!    Anything else is an error naming the encodings tried, the first byte that is not
//!    UTF-8 (line and byte column), and `--encoding`.

use std::borrow::Cow;
use std::path::Path;

use encoding_rs::{DecoderResult, Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use zhili_core::{Error, Result};

/// Non-ASCII bytes a guessed (not UTF-8, not BOM-marked) encoding must rest on.
pub const MIN_EVIDENCE: usize = 16;

/// At most this many bytes of non-ASCII lines go to the detector.
const SAMPLE: usize = 1 << 20;

/// The encoding a file was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (with or without BOM).
    Utf8,
    /// GBK / GB18030 (Excel's "CSV" on a Chinese Windows).
    Gb18030,
    /// UTF-16 (Excel's "Unicode text"), with a BOM or detected without one.
    Utf16,
    /// Another encoding, given with `--encoding` or detected with confidence (e.g. `windows-1252`).
    Other(&'static str),
}

impl TextEncoding {
    /// The WHATWG name, e.g. `utf-8`, `gb18030`, `utf-16`, `windows-1252`.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Gb18030 => "gb18030",
            TextEncoding::Utf16 => "utf-16",
            TextEncoding::Other(n) => n,
        }
    }

    fn of(enc: &'static Encoding) -> Self {
        if enc == UTF_8 {
            TextEncoding::Utf8
        } else if enc == GB18030 || enc == GBK {
            TextEncoding::Gb18030
        } else if enc == UTF_16LE || enc == UTF_16BE {
            TextEncoding::Utf16
        } else {
            TextEncoding::Other(enc.name())
        }
    }
}

/// An encoding by its label (`utf-8`, `gbk`, `gb18030`, `utf-16le`, `utf-16be`, `latin1`,
/// `big5`, ... — the WHATWG labels; `utf-16` means little-endian).
///
/// # Errors
/// [`Error::Spec`] for an unknown label.
pub fn encoding_for_label(label: &str) -> Result<&'static Encoding> {
    let l = label.trim().to_ascii_lowercase();
    let enc = match l.as_str() {
        "utf-16" | "utf16" => Some(UTF_16LE),
        "utf8" => Some(UTF_8),
        _ => Encoding::for_label(l.as_bytes()),
    };
    enc.ok_or_else(|| {
        Error::spec(
            "--encoding",
            format!("unknown encoding `{label}` (try utf-8, gbk, gb18030, utf-16le, utf-16be, latin1, big5)"),
        )
    })
}

/// Decode bytes by the rules of this module (no forced encoding).
///
/// # Errors
/// [`Error::Parse`] naming `file`, the encodings tried and the first offending byte.
pub fn decode(bytes: &[u8], file: &str) -> Result<(String, TextEncoding)> {
    decode_with(bytes, file, None).map(|(t, e)| (t.into_owned(), e))
}

/// Decode bytes: `forced` (from `--encoding`) decides if given, otherwise the rules of
/// this module. Valid UTF-8 is borrowed, not copied.
///
/// # Errors
/// [`Error::Parse`] naming `file`, the encodings tried and the first offending byte's
/// line and byte column.
pub fn decode_with<'a>(bytes: &'a [u8], file: &str, forced: Option<&'static Encoding>) -> Result<(Cow<'a, str>, TextEncoding)> {
    if let Some(enc) = forced {
        let body = match Encoding::for_bom(bytes) {
            Some((bom_enc, n)) if bom_enc == enc => &bytes[n..],
            _ => bytes,
        };
        return strict(enc, body)
            .map(|t| (t, TextEncoding::of(enc)))
            .map_err(|at| offending(file, body, at, &format!("not valid {} (given with --encoding)", enc.name())));
    }
    if let Some((enc, n)) = Encoding::for_bom(bytes) {
        let body = &bytes[n..];
        return strict(enc, body)
            .map(|t| (t, TextEncoding::of(enc)))
            .map_err(|at| offending(file, body, at, &format!("invalid {} text after its byte-order mark", enc.name())));
    }
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok((Cow::Borrowed(s), TextEncoding::Utf8)),
        Err(e) => e.valid_up_to(),
    };
    if let Some(enc) = utf16_without_bom(bytes) {
        return strict(enc, bytes).map(|t| (t, TextEncoding::Utf16)).map_err(|at| {
            offending(
                file,
                bytes,
                at,
                &format!("looks like {} without a byte-order mark but is not", enc.name()),
            )
        });
    }
    let (guess, evidence) = guess(bytes);
    let guess = if guess == GBK { GB18030 } else { guess };
    let decoded = strict(guess, bytes);
    match decoded {
        Ok(t) if evidence >= MIN_EVIDENCE => Ok((t, TextEncoding::of(guess))),
        other => {
            let mut tried = vec![format!("UTF-8 (invalid byte{})", where_(bytes, utf8_error))];
            let verdict = |enc: &'static Encoding, r: &std::result::Result<Cow<'_, str>, usize>| match r {
                Ok(_) => format!(
                    "{} (decodes, but only {evidence} non-ASCII bytes of evidence: not confident)",
                    enc.name()
                ),
                Err(at) => format!("{} (invalid byte{})", enc.name(), where_(bytes, *at)),
            };
            tried.push(verdict(guess, &other));
            for alt in [GB18030, WINDOWS_1252] {
                if alt != guess {
                    tried.push(verdict(alt, &strict(alt, bytes)));
                }
            }
            let l = line_col(bytes, utf8_error);
            Err(Error::parse(
                file,
                Some(l.0),
                None,
                format!(
                    "cannot tell the text encoding (GBK/GB18030, UTF-8, UTF-16 or another); byte 0x{:02X} at line {}, byte {} is not UTF-8. Tried: {}. Pass --encoding (e.g. gbk, utf-8, latin1)",
                    bytes.get(utf8_error).copied().unwrap_or_default(),
                    l.0,
                    l.1,
                    tried.join("; ")
                ),
            ))
        }
    }
}

/// The encoding to stream a file in, decided from its first bytes (`eof`: they are the
/// whole file) by the rules of this module, and how many BOM bytes to skip; `None` when the
/// first bytes cannot decide (a guess resting on too little evidence): then the whole file
/// is decoded with [`decode_with`]. A streamed decode that meets a bad byte later also falls
/// back to [`decode_with`], so the encodings accepted and the errors are the same.
pub(crate) fn sniff(first: &[u8], eof: bool, forced: Option<&'static Encoding>) -> Option<(&'static Encoding, usize)> {
    if let Some(enc) = forced {
        return Some(match Encoding::for_bom(first) {
            Some((bom_enc, n)) if bom_enc == enc => (enc, n),
            _ => (enc, 0),
        });
    }
    if let Some((enc, n)) = Encoding::for_bom(first) {
        return Some((enc, n));
    }
    match std::str::from_utf8(first) {
        Ok(_) => return Some((UTF_8, 0)),
        // A sequence cut at the end of the first block.
        Err(e) if e.error_len().is_none() && !eof => return Some((UTF_8, 0)),
        Err(_) => {}
    }
    if let Some(enc) = utf16_without_bom(first) {
        return Some((enc, 0));
    }
    let (guess, evidence) = guess(first);
    (evidence >= MIN_EVIDENCE && guess != UTF_8).then_some((if guess == GBK { GB18030 } else { guess }, 0))
}

/// Decode without replacement; on failure the byte offset of the first bad byte.
fn strict<'a>(enc: &'static Encoding, bytes: &'a [u8]) -> std::result::Result<Cow<'a, str>, usize> {
    if enc == UTF_8 {
        return std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| e.valid_up_to());
    }
    let mut dec = enc.new_decoder_without_bom_handling();
    let cap = dec.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(usize::MAX);
    let mut out = String::new();
    if out.try_reserve(cap).is_err() {
        return Err(0);
    }
    let (res, read) = dec.decode_to_string_without_replacement(bytes, &mut out, true);
    match res {
        DecoderResult::InputEmpty => Ok(Cow::Owned(out)),
        DecoderResult::Malformed(bad, extra) => Err(read.saturating_sub(bad as usize + extra as usize)),
        DecoderResult::OutputFull => Err(read),
    }
}

/// UTF-16 without BOM: in the first 4 KiB, most bytes at one parity are zero (ASCII
/// text), few at the other.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let half = sample.len() / 2;
    let zeros = |parity: usize| sample.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (zeros(0), zeros(1));
    if odd * 10 >= half * 4 && even * 20 < half {
        Some(UTF_16LE)
    } else if even * 10 >= half * 4 && odd * 20 < half {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// chardetng's guess from (at most [`SAMPLE`] bytes of) the lines with non-ASCII
/// bytes, and how many non-ASCII bytes it saw.
fn guess(bytes: &[u8]) -> (&'static Encoding, usize) {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let mut fed = 0;
    let mut evidence = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line.is_ascii() {
            continue;
        }
        evidence += line.iter().filter(|b| !b.is_ascii()).count();
        det.feed(line, false);
        fed += line.len();
        if fed >= SAMPLE {
            break;
        }
    }
    det.feed(b"", true);
    // zhili's files come from mainland Chinese offices: tell the detector so (the `cn`
    // top-level-domain hint), which favours GBK when the bytes fit Big5 or EUC-KR as well —
    // a column of one repeated 县 is such a file.
    (det.guess(Some(b"cn"), chardetng::Utf8Detection::Deny), evidence)
}

/// 1-based line and byte column of a byte offset.
fn line_col(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at.min(bytes.len())];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let col = at - memchr::memrchr(b'\n', before).map_or(0, |p| p + 1) + 1;
    (line, col)
}

fn where_(bytes: &[u8], at: usize) -> String {
    let (l, c) = line_col(bytes, at);
    format!(" at line {l}, byte {c}")
}

fn offending(file: &str, bytes: &[u8], at: usize, what: &str) -> Error {
    let (l, c) = line_col(bytes, at);
    Error::parse(file, Some(l), None, format!("{what}: byte {c} of the line"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_zurich_is_refused_not_garbled() {
        let e = decode(b"unit,name\nzh,Z\xFCrich\n", "l.csv").unwrap_err().to_string();
        assert!(
            e.contains("line 2") && e.contains("--encoding") && e.contains("windows-1252"),
            "{e}"
        );
        let (t, enc) = decode_with(b"unit,name\nzh,Z\xFCrich\n", "l.csv", Some(encoding_for_label("latin1").unwrap())).unwrap();
        assert_eq!(t, "unit,name\nzh,Zürich\n");
        assert_eq!(enc, TextEncoding::Other("windows-1252"));
    }

    #[test]
    fn utf16_without_bom_is_detected() {
        let text = "unit,a\n五华,1\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le, "f").unwrap(), (text.to_owned(), TextEncoding::Utf16));
        assert_eq!(decode(&be, "f").unwrap(), (text.to_owned(), TextEncoding::Utf16));
    }

    #[test]
    fn long_gbk_is_detected_short_is_refused() {
        let long = "unit,name\na,五华区富民县城区人口刑事案件\n";
        let (gbk, _, _) = GBK.encode(long);
        assert_eq!(decode(&gbk, "f").unwrap(), (long.to_owned(), TextEncoding::Gb18030));
        let (short, _, _) = GBK.encode("unit\n县\n");
        let e = decode(&short, "f").unwrap_err().to_string();
        assert!(e.contains("not confident") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn gbk_that_also_fits_other_cjk_encodings_is_gbk() {
        // One repeated character (县 = CF D8) decodes in Big5 and EUC-KR too.
        let text = format!("单位,a\n{}", "县,1\n".repeat(200));
        let (gbk, _, _) = GBK.encode(&text);
        assert_eq!(decode(&gbk, "f").unwrap(), (text, TextEncoding::Gb18030));
    }

    #[test]
    fn labels() {
        assert_eq!(encoding_for_label("GBK").unwrap(), GBK);
        assert_eq!(encoding_for_label("utf-16").unwrap(), UTF_16LE);
        assert!(encoding_for_label("klingon").unwrap_err().to_string().contains("klingon"));
    }
}
