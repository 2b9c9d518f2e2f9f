//! CSV records from bytes, as the `csv` crate reads them (RFC 4180 quoting, `""` inside
//! quotes, records ended by `\n`, `\r\n` or a lone `\r`), without copying: a line without
//! a quote or a lone `\r` (nearly every line of a data file) is split on commas with
//! `memchr` and its fields are slices of the input; only a line with quotes is unescaped
//! into a scratch buffer.

use memchr::{memchr, memchr2, memchr3, memchr_iter};

/// One record: its fields as ranges into the input or into its own scratch buffer.
#[derive(Debug, Default)]
pub(crate) struct Record {
    /// The line the record starts on (1-based, counted from the start of the file).
    pub(crate) line: usize,
    fields: Vec<(usize, usize)>,
    scratch: Vec<u8>,
    /// Whether the fields are in `scratch` (the record had quotes).
    unescaped: bool,
}

impl Record {
    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }

    /// The fields, in order; `input` is the slice the tokenizer read the record from.
    pub(crate) fn fields<'r>(&'r self, input: &'r [u8]) -> impl Iterator<Item = &'r [u8]> + 'r {
        let src: &[u8] = if self.unescaped { &self.scratch } else { input };
        self.fields.iter().map(move |&(a, b)| &src[a..b])
    }
}

/// Records of a byte slice that starts at a record's start.
#[derive(Debug)]
pub(crate) struct Tokenizer<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Tokenizer<'a> {
    /// Records of `bytes`, whose first line is `first_line`.
    pub(crate) fn new(bytes: &'a [u8], first_line: usize) -> Self {
        Tokenizer {
            bytes,
            pos: 0,
            line: first_line,
        }
    }

    /// Bytes read so far.
    pub(crate) fn consumed(&self) -> usize {
        self.pos
    }

    /// The line the next record starts on.
    pub(crate) fn line(&self) -> usize {
        self.line
    }

    /// The next record into `rec`; `false` at the end. A blank line is a record of one
    /// empty field.
    pub(crate) fn next_record(&mut self, rec: &mut Record) -> bool {
        let b = self.bytes;
        if self.pos >= b.len() {
            return false;
        }
        rec.line = self.line;
        rec.fields.clear();
        let start = self.pos;
        let nl = memchr(b'\n', &b[start..]).map_or(b.len(), |k| start + k);
        let end = if nl > start && b[nl - 1] == b'\r' { nl - 1 } else { nl };
        if memchr2(b'"', b'\r', &b[start..end]).is_none() {
            rec.unescaped = false;
            let mut s = start;
            for k in memchr_iter(b',', &b[start..end]) {
                rec.fields.push((s, start + k));
                s = start + k + 1;
            }
            rec.fields.push((s, end));
            self.pos = nl + 1;
            self.line += 1;
            return true;
        }
        rec.unescaped = true;
        self.quoted(rec);
        true
    }

    /// A record with quotes or a lone `\r`, byte by byte into `rec.scratch`.
    fn quoted(&mut self, rec: &mut Record) {
        let b = self.bytes;
        let out = &mut rec.scratch;
        out.clear();
        let mut i = self.pos;
        loop {
            let field_start = out.len();
            if b.get(i) == Some(&b'"') {
                i += 1;
                loop {
                    let Some(k) = memchr(b'"', &b[i..]) else {
                        // Unterminated quote: the field runs to the end, as in the `csv` crate.
                        self.line += memchr_iter(b'\n', &b[i..]).count();
                        out.extend_from_slice(&b[i..]);
                        i = b.len();
                        break;
                    };
                    self.line += memchr_iter(b'\n', &b[i..i + k]).count();
                    out.extend_from_slice(&b[i..i + k]);
                    i += k + 1;
                    if b.get(i) == Some(&b'"') {
                        out.push(b'"');
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            // Unquoted (rest of the) field: up to a comma or the end of the record.
            let end = memchr3(b',', b'\n', b'\r', &b[i..]).map_or(b.len(), |k| i + k);
            out.extend_from_slice(&b[i..end]);
            i = end;
            rec.fields.push((field_start, out.len()));
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'\r') => {
                    i += 1;
                    if b.get(i) == Some(&b'\n') {
                        i += 1;
                        self.line += 1;
                    }
                    break;
                }
                Some(_) => {
                    i += 1;
                    self.line += 1;
                    break;
                }
                None => break,
            }
        }
        self.pos = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `text` by this tokenizer and by the `csv` crate (the reference): the
    /// same fields (blank lines and records of one empty field aside, which the reader skips).
    /// Lines are not compared: the `csv` crate dates a record after `\r\n` or a blank line to
    /// the line before (its position is taken before the skipped bytes); the tokenizer counts
    /// every `\n` the file has (see `records_start_on_their_own_line`).
    fn same_as_csv_crate(text: &[u8]) {
        let mut want = Vec::new();
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
        let mut r = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut r).unwrap() {
            let line = r.position().unwrap().line() as usize;
            if !(r.len() == 1 && r[0].is_empty()) {
                want.push((line, r.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()));
            }
        }
        let mut got = Vec::new();
        let mut t = Tokenizer::new(text, 1);
        let mut rec = Record::default();
        while t.next_record(&mut rec) {
            let f: Vec<Vec<u8>> = rec.fields(text).map(<[u8]>::to_vec).collect();
            if f.len() == 1 && f[0].is_empty() {
                continue;
            }
            got.push((rec.line, f));
        }
        let fields = |v: Vec<(usize, Vec<Vec<u8>>)>| v.into_iter().map(|r| r.1).collect::<Vec<_>>();
        assert_eq!(fields(got), fields(want), "{:?}", String::from_utf8_lossy(text));
    }

    #[test]
    fn records_as_the_csv_crate_reads_them() {
        for t in [
            &b"a,b\n1,2\n"[..],
            b"a,b\r\n1,2\r\n",
            b"a,b\n1,2",
            b"a,\"x,y\"\n\"p\nq\",\"he said \"\"hi\"\"\"\n3,4\n",
            b"a,b\r1,2\r3,4",
            b"a,b\n\n1,2\n\n",
            b"\"ab\"c,d\n",
            b"x,\"unterminated\n1,2\n",
            b"a,,\n,,\n",
            b"\"a\r\nb\",c\r\n",
        ] {
            same_as_csv_crate(t);
        }
    }

    #[test]
    fn records_start_on_their_own_line() {
        let mut t = Tokenizer::new(b"a,b\r\n1,\"x\r\ny\"\r\n3,4\r\n\n\n5,6", 1);
        let mut rec = Record::default();
        let mut lines = Vec::new();
        while t.next_record(&mut rec) {
            lines.push(rec.line);
        }
        assert_eq!(lines, [1, 2, 4, 5, 6, 7]);
    }

    proptest::proptest! {
        #[test]
        fn any_text_as_the_csv_crate(text in proptest::collection::vec(proptest::sample::select(b"ab1,\"\n\r ".to_vec()), 0..60)) {
            same_as_csv_crate(&text);
        }
    }
}
