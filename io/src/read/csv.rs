//! The CSV fast path: bytes straight into the column-major `f64` matrix, in bounded memory.
//!
//! A file is read in blocks of 8 MB ([`SIZES`]) and decoded (any encoding, `encoding_rs`'s
//! streaming decoder) into UTF-8 text; each block is cut after its last newline outside
//! quotes (quote parity tracked from the block's start, which is a record's start), and the
//! rest carried into the next block. A block is split the same way into line-aligned chunks
//! of about 1 MB, parsed in parallel, each chunk writing its rows straight into its rows of
//! the matrix, while the next block is read and decoded. A plain line (no quotes, no lone
//! `\r`) is split and its numbers parsed in one pass by [`fast_line`]; any other line is read
//! by [`tokenize`] (no `String` per cell; numbers by `fast-float2`), with the same results. Only the unit, name, time and other
//! (group) columns are kept as strings. Peak memory: the matrix, the id columns, two blocks.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use encoding_rs::{DecoderResult, Encoding};
use memchr::{memchr2, memchr_iter, memrchr};
use ndarray::{Array2, ArrayViewMut2, Axis, ShapeBuilder};
use rayon::prelude::*;
use zhili_core::{Error, Result, SharedColumn, SharedValues};

use super::fast_line;
use super::layout::{self, BadCell, Layout, Locate, Mode, OtherColumn, Output, Parsed, Role, Values, MAX_BAD};
use super::tokenize::{Record, Tokenizer};
use super::DataOptions;

/// How much is read and parsed at a time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    /// Raw bytes read (and decoded) at a time.
    pub(crate) block: usize,
    /// Target size of one chunk parsed by one thread; a block under twice this is one chunk.
    pub(crate) chunk: usize,
}

/// At most this fraction (1 / SLACK) of the matrix's rows may be left unused at the end:
/// the columns are then kept where they are (see `Sink::finish`), else moved together.
const SLACK: usize = 16;

/// 8 MB blocks, 1 MB chunks.
pub(crate) const SIZES: Sizes = Sizes {
    block: 8 << 20,
    chunk: 1 << 20,
};

/// Read a CSV file in blocks (see the module docs). The encoding is `opts.encoding`, else
/// decided from the first block ([`crate::text::sniff`]); when the first block cannot
/// decide, or a later block does not decode, the whole file is decoded by
/// [`crate::decode_with`] instead, so the same files are accepted with the same errors.
///
/// # Errors
/// As [`super::read_dataset`].
pub(crate) fn read_file(path: &Path, file: &str, mode: Mode<'_>, opts: &DataOptions, sizes: Sizes) -> Result<Output> {
    let forced = opts.encoding.as_deref().map(crate::encoding_for_label).transpose()?;
    let mut f = std::fs::File::open(path).map_err(|e| cannot_read(file, &e))?;
    let total = f.metadata().map_or(0, |m| m.len() as usize);
    let mut raw = Vec::new();
    let eof = fill_raw(&mut f, &mut raw, sizes.block, file)?;
    let Some((enc, bom)) = crate::text::sniff(&raw, eof, forced) else {
        return whole(path, file, mode, opts, forced);
    };
    let mut src = Decoded {
        f,
        dec: enc.new_decoder_without_bom_handling(),
        raw,
        skip: bom,
        eof,
        raw_in: 0,
        text_out: 0,
        total,
        block: sizes.block,
        file,
        utf8: enc == encoding_rs::UTF_8,
        pending: 0,
    };
    match read_blocks(&mut src, file, mode, opts, sizes.chunk) {
        Err(Failure::Undecodable) => whole(path, file, mode, opts, forced),
        Err(Failure::Error(e)) => Err(e),
        Ok(o) => Ok(o),
    }
}

/// Read UTF-8 CSV text already in memory (a BOM is skipped) into a dataset or table.
///
/// # Errors
/// As [`super::read_dataset`].
pub(crate) fn read(bytes: &[u8], file: &str, mode: Mode<'_>, opts: &DataOptions) -> Result<Output> {
    let mut src = InMemory(Some(bytes));
    read_blocks(&mut src, file, mode, opts, SIZES.chunk).map_err(|f| match f {
        Failure::Error(e) => e,
        Failure::Undecodable => Error::parse(file, None, None, "not UTF-8 text"),
    })
}

/// The whole file decoded at once (today's rules and errors, see [`crate::decode_with`]).
fn whole(path: &Path, file: &str, mode: Mode<'_>, opts: &DataOptions, forced: Option<&'static Encoding>) -> Result<Output> {
    let bytes = std::fs::read(path).map_err(|e| cannot_read(file, &e))?;
    let (text, _) = crate::decode_with(&bytes, file, forced)?;
    read(text.as_bytes(), file, mode, opts)
}

fn cannot_read(file: &str, e: &std::io::Error) -> Error {
    Error::parse(file, None, None, format!("cannot read: {e}"))
}

/// Why a streamed read stopped.
enum Failure {
    /// A later block is not in the encoding chosen from the first: decode the whole file.
    Undecodable,
    /// A reader error for the user.
    Error(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Error(e)
    }
}

/// Decoded UTF-8 text, a block at a time.
trait Text: Send {
    /// Append the next block of text to `out`; `false` once the source is exhausted.
    fn next_block(&mut self, out: &mut Vec<u8>) -> std::result::Result<bool, Failure>;
    /// About how many bytes of text are still to come (to size the matrix once).
    fn remaining(&self) -> usize;
}

/// Text already in memory: one block.
struct InMemory<'a>(Option<&'a [u8]>);

impl Text for InMemory<'_> {
    fn next_block(&mut self, out: &mut Vec<u8>) -> std::result::Result<bool, Failure> {
        if let Some(b) = self.0.take() {
            out.extend_from_slice(b);
        }
        Ok(false)
    }

    fn remaining(&self) -> usize {
        self.0.map_or(0, <[u8]>::len)
    }
}

/// A file streamed through an `encoding_rs` decoder.
struct Decoded<'a> {
    f: std::fs::File,
    dec: encoding_rs::Decoder,
    /// The raw block read but not yet decoded.
    raw: Vec<u8>,
    /// BOM bytes at the start of `raw` to skip.
    skip: usize,
    /// `raw` ends the file.
    eof: bool,
    raw_in: usize,
    text_out: usize,
    total: usize,
    block: usize,
    file: &'a str,
    /// UTF-8: no decoder, the text is validated in place.
    utf8: bool,
    /// UTF-8 bytes at the end of the text not yet validated (a sequence cut by the block).
    pending: usize,
}

impl Text for Decoded<'_> {
    fn next_block(&mut self, out: &mut Vec<u8>) -> std::result::Result<bool, Failure> {
        let start = out.len();
        if self.utf8 {
            // No decode copy: read into the text and validated where it lies (a sequence cut
            // at the block's end is validated with the next block).
            if self.raw.is_empty() {
                self.raw_in += read_block(&mut self.f, out, self.block, self.file)?;
                self.eof = out.len() - start < self.block;
            } else {
                out.extend_from_slice(&self.raw[self.skip.min(self.raw.len())..]);
                self.raw_in += self.raw.len();
            }
            let from = start.saturating_sub(self.pending);
            self.pending = match std::str::from_utf8(&out[from..]) {
                Ok(_) => 0,
                Err(e) if e.error_len().is_none() && !self.eof => out.len() - from - e.valid_up_to(),
                Err(_) => return Err(Failure::Undecodable),
            };
            self.text_out = self.raw_in;
            self.raw.clear();
            self.skip = 0;
            return Ok(!self.eof);
        }
        if self.raw.is_empty() && !self.eof {
            self.eof = fill_raw(&mut self.f, &mut self.raw, self.block, self.file)?;
        }
        let input = &self.raw[self.skip.min(self.raw.len())..];
        let room = self
            .dec
            .max_utf8_buffer_length_without_replacement(input.len())
            .unwrap_or(usize::MAX);
        out.try_reserve(room)
            .map_err(|_| Error::parse(self.file, None, None, "out of memory decoding a block"))?;
        out.resize(start + room, 0);
        let (res, read, written) = self.dec.decode_to_utf8_without_replacement(input, &mut out[start..], self.eof);
        out.truncate(start + written);
        if !matches!(res, DecoderResult::InputEmpty) || read != input.len() {
            return Err(Failure::Undecodable);
        }
        self.raw_in += self.raw.len();
        self.text_out += written;
        self.raw.clear();
        self.skip = 0;
        Ok(!self.eof)
    }

    fn remaining(&self) -> usize {
        let raw_left = self.total.saturating_sub(self.raw_in);
        if self.raw_in == 0 {
            return raw_left;
        }
        (raw_left as f64 * self.text_out as f64 / self.raw_in as f64) as usize
    }
}

/// Read up to `block` bytes into the empty `buf`; `true` at the end of the file.
fn fill_raw(f: &mut std::fs::File, buf: &mut Vec<u8>, block: usize, file: &str) -> Result<bool> {
    buf.clear();
    Ok(read_block(f, buf, block, file)? < block)
}

/// Append up to `block` bytes of `f` to `buf`; how many.
fn read_block(f: &mut std::fs::File, buf: &mut Vec<u8>, block: usize, file: &str) -> Result<usize> {
    buf.try_reserve(block)
        .map_err(|_| Error::parse(file, None, None, "out of memory reading a block"))?;
    f.take(block as u64).read_to_end(buf).map_err(|e| cannot_read(file, &e))
}

fn header_reader() -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.has_headers(false).flexible(true);
    b
}

/// The header, then every block's complete records; the next block is read while one is parsed.
fn read_blocks(src: &mut dyn Text, file: &str, mode: Mode<'_>, opts: &DataOptions, chunk: usize) -> std::result::Result<Output, Failure> {
    let mut buf = Vec::new();
    let mut more = src.next_block(&mut buf)?;
    // The header needs one whole record: read on until a newline outside quotes.
    while more && first_cut(&buf).is_none() {
        more = src.next_block(&mut buf)?;
    }
    let skip = if buf.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let (header, header_line, body_start) = {
        let mut rdr = header_reader().from_reader(&buf[skip..]);
        let mut rec = csv::ByteRecord::new();
        let has = rdr
            .read_byte_record(&mut rec)
            .map_err(|e| Error::parse(file, e.position().map(|p| p.line() as usize), None, e.to_string()))?;
        let header: Vec<String> = if has {
            rec.iter()
                .map(|f| layout::clean_text(&String::from_utf8_lossy(f)).to_owned())
                .collect()
        } else {
            Vec::new()
        };
        (
            header,
            rec.position().map_or(1, |p| p.line() as usize),
            skip + rdr.position().byte() as usize,
        )
    };
    let lay = Layout::resolve(header, mode, opts, file, &|h| {
        Error::parse(file, Some(header_line), Some(h.to_owned()), "duplicate column name")
    })?;
    let body_start = body_start.min(buf.len());
    let mut sink = Sink::new(&lay, file, memchr_iter(b'\n', &buf[..body_start]).count() + 1, chunk);
    buf.drain(..body_start);
    let mut next = Vec::new();
    loop {
        let cut = if more { last_cut(&buf) } else { buf.len() };
        let remaining = src.remaining() + buf.len() - cut;
        // The unfinished record starts the next block, which is read behind it meanwhile.
        next.clear();
        next.extend_from_slice(&buf[cut..]);
        let (parsed, read) = rayon::join(
            || sink.block(&buf[..cut], remaining),
            || if more { src.next_block(&mut next) } else { Ok(false) },
        );
        parsed?;
        let was_more = more;
        more = read?;
        std::mem::swap(&mut buf, &mut next);
        if !was_more {
            break;
        }
    }
    Ok(sink.finish(mode)?)
}

/// Where the first record ends (after its newline outside quotes).
fn first_cut(b: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut p = 0;
    while let Some(k) = memchr2(b'"', b'\n', &b[p..]) {
        p += k + 1;
        if b[p - 1] == b'"' {
            quoted = !quoted;
        } else if !quoted {
            return Some(p);
        }
    }
    None
}

/// Where the last complete record of `b` ends (after its newline outside quotes); 0 if none.
fn last_cut(b: &[u8]) -> usize {
    if memchr::memchr(b'"', b).is_none() {
        return memrchr(b'\n', b).map_or(0, |k| k + 1);
    }
    let mut quoted = false;
    let mut cut = 0;
    let mut p = 0;
    while let Some(k) = memchr2(b'"', b'\n', &b[p..]) {
        p += k + 1;
        if b[p - 1] == b'"' {
            quoted = !quoted;
        } else if !quoted {
            cut = p;
        }
    }
    cut
}

/// What one chunk parsed besides the matrix rows it wrote.
#[derive(Debug, Default)]
struct Chunk {
    rows: usize,
    lines: Vec<usize>,
    units: Vec<String>,
    names: Vec<String>,
    time: Vec<String>,
    denominators: Vec<Vec<f64>>,
    others: Vec<Vec<String>>,
    bad: Vec<BadCell>,
    n_bad: usize,
    /// The first row whose field count differs from the header's.
    ragged: Option<(usize, String)>,
}

impl Chunk {
    fn new(lay: &Layout) -> Self {
        Chunk {
            denominators: vec![Vec::new(); lay.denominators.len()],
            others: vec![Vec::new(); lay.others.len()],
            ..Chunk::default()
        }
    }

    /// Append `c`, whose rows follow this chunk's.
    fn append(&mut self, mut c: Chunk) {
        let offset = self.rows;
        self.bad.extend(c.bad.drain(..).map(|b| BadCell { row: b.row + offset, ..b }));
        self.n_bad += c.n_bad;
        self.rows += c.rows;
        self.lines.append(&mut c.lines);
        self.units.append(&mut c.units);
        self.names.append(&mut c.names);
        self.time.append(&mut c.time);
        for (a, mut d) in self.denominators.iter_mut().zip(c.denominators) {
            a.append(&mut d);
        }
        for (a, mut o) in self.others.iter_mut().zip(c.others) {
            a.append(&mut o);
        }
    }
}

/// The matrix being filled (column-major, `cap` rows per column, `all.rows` of them used)
/// and everything else parsed so far.
struct Sink<'a> {
    lay: &'a Layout,
    file: &'a str,
    matrix: Vec<f64>,
    cap: usize,
    all: Chunk,
    /// The line the next block starts on.
    line: usize,
    chunk: usize,
}

impl<'a> Sink<'a> {
    fn new(lay: &'a Layout, file: &'a str, line: usize, chunk: usize) -> Self {
        Sink {
            lay,
            file,
            matrix: Vec::new(),
            cap: 0,
            all: Chunk::new(lay),
            line,
            chunk,
        }
    }

    /// Parse a block of complete records; `remaining`: about how many bytes of text follow.
    fn block(&mut self, text: &[u8], remaining: usize) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let n = if text.len() < 2 * self.chunk { 1 } else { text.len() / self.chunk };
        let bounds = chunk_bounds(text, n);
        let chunks: Vec<&[u8]> = bounds.windows(2).map(|w| &text[w[0]..w[1]]).collect();
        let newlines: Vec<usize> = chunks.par_iter().map(|c| memchr_iter(b'\n', c).count()).collect();
        // Records end at `\n`, `\r\n` or a lone `\r` (old Mac files): room for every one.
        let lone_cr: Vec<usize> = chunks
            .par_iter()
            .map(|c| memchr_iter(b'\r', c).filter(|&i| c.get(i + 1) != Some(&b'\n')).count())
            .collect();
        let caps: Vec<usize> = newlines.iter().zip(&lone_cr).map(|(n, r)| n + r + 1).collect();
        let need: usize = caps.iter().sum();
        let base = self.all.rows;
        if base + need > self.cap {
            // Rows still to come, estimated from this block's density: sized once when it holds.
            let later = (need as f64 * remaining as f64 / text.len() as f64 * 1.02) as usize + 64;
            self.grow(base + need + later)?;
        }
        let n_ind = self.lay.indicators.len();
        let (cap, lay) = (self.cap, self.lay);
        let outs: Vec<Chunk> = {
            let whole = ArrayViewMut2::from_shape((cap, n_ind).f(), &mut self.matrix)
                .map_err(|e| Error::parse(self.file, None, None, format!("matrix: {e}")))?;
            let (_, mut view) = whole.split_at(Axis(0), base);
            let mut views = Vec::with_capacity(chunks.len());
            for &c in &caps {
                let (head, tail) = view.split_at(Axis(0), c);
                views.push(head);
                view = tail;
            }
            let mut line = self.line;
            let starts: Vec<usize> = newlines
                .iter()
                .map(|n| {
                    let s = line;
                    line += n;
                    s
                })
                .collect();
            self.line = line;
            chunks
                .into_par_iter()
                .zip(views)
                .zip(starts)
                .map(|((c, v), start)| parse_chunk(c, v, start, lay))
                .collect()
        };
        if let Some((line, msg)) = outs.iter().find_map(|c| c.ragged.clone()) {
            return Err(Error::parse(self.file, Some(line), None, msg));
        }
        let rows: Vec<usize> = outs.iter().map(|c| c.rows).collect();
        close_gaps(&mut self.matrix, cap, n_ind, base, &caps, &rows);
        for c in outs {
            self.all.append(c);
        }
        Ok(())
    }

    /// Room for `rows` rows per column: a new matrix, each column's used rows copied.
    fn grow(&mut self, rows: usize) -> Result<()> {
        let n = self.lay.indicators.len();
        let mut m = Vec::new();
        m.try_reserve_exact(rows * n)
            .map_err(|_| Error::parse(self.file, None, None, format!("out of memory for {rows} rows × {n} indicators")))?;
        m.resize(rows * n, 0.0);
        let used = self.all.rows;
        for k in 0..n {
            m[k * rows..k * rows + used].copy_from_slice(&self.matrix[k * self.cap..k * self.cap + used]);
        }
        self.matrix = m;
        self.cap = rows;
        Ok(())
    }

    fn finish(mut self, mode: Mode<'_>) -> Result<Output> {
        let (rows, n, cap) = (self.all.rows, self.lay.indicators.len(), self.cap);
        let values = if rows > 0 && n > 0 && rows < cap && cap - rows <= cap / SLACK {
            // The matrix was sized from an estimate a little above the rows read: the columns
            // stay `cap` apart, each a slice of the one buffer (moving them together would
            // copy nearly the whole matrix).
            let buf: Arc<dyn SharedValues> = Arc::new(self.matrix);
            let cols: Option<Vec<SharedColumn>> = (0..n).map(|k| SharedColumn::slice(Arc::clone(&buf), k * cap, rows)).collect();
            Values::Columns(cols.unwrap_or_default())
        } else {
            // Columns close up to `rows` apart, in place; the unused tail is given back.
            for k in 1..n {
                self.matrix.copy_within(k * cap..k * cap + rows, k * rows);
            }
            self.matrix.truncate(rows * n);
            self.matrix.shrink_to_fit();
            Values::Matrix(Array2::from_shape_vec((rows, n).f(), self.matrix).unwrap_or_else(|_| Array2::zeros((0, n))))
        };
        let all = self.all;
        let others = all.others.into_iter().map(other_column).collect();
        let parsed = Parsed {
            values,
            denominators: all.denominators,
            others,
            units: all.units,
            names: self.lay.name.map(|_| all.names),
            time: self.lay.time.map(|_| all.time),
            bad: all.bad,
            n_bad: all.n_bad,
        };
        let loc = CsvLoc {
            file: self.file,
            lines: all.lines,
        };
        layout::finish(mode, self.lay, parsed, self.file, &loc)
    }
}

fn parse_chunk(bytes: &[u8], mut out: ArrayViewMut2<'_, f64>, first_line: usize, lay: &Layout) -> Chunk {
    let mut c = Chunk::new(lay);
    let width = lay.header.len();
    let mut fast = fast_line::Line::default();
    let mut rec = Record::default();
    let (mut pos, mut line) = (0, first_line);
    while pos < bytes.len() {
        let r = c.rows;
        if let Some(next) = fast_line::parse(bytes, pos, lay, &mut out, r, &mut fast) {
            let (mut texts, mut dens) = (fast.texts.iter(), fast.denominators.iter());
            for role in &lay.roles {
                let mut next_text = || texts.next().map_or_else(String::new, |&(a, b)| text(bytes[a..b].trim_ascii()));
                match *role {
                    Role::Denominator(d) => c.denominators[d].push(dens.next().copied().unwrap_or(f64::NAN)),
                    Role::Unit => c.units.push(next_text()),
                    Role::Name => c.names.push(next_text()),
                    Role::Time => c.time.push(next_text()),
                    Role::Other(o) => c.others[o].push(next_text()),
                    Role::Indicator(_) | Role::Skipped => {}
                }
            }
            c.lines.push(line);
            c.rows += 1;
            (pos, line) = (next, line + 1);
            continue;
        }
        // Anything else (quotes, a lone `\r`, a blank or ragged line, a bad cell): the tokenizer.
        let rest = &bytes[pos..];
        let mut tok = Tokenizer::new(rest, line);
        tok.next_record(&mut rec);
        (pos, line) = (pos + tok.consumed(), tok.line());
        if rec.fields(rest).all(|f| f.trim_ascii().is_empty()) {
            continue; // blank line, e.g. trailing
        }
        if rec.len() != width {
            c.ragged = Some((rec.line, format!("row has {} fields, the header has {width}", rec.len())));
            break;
        }
        for (j, f) in rec.fields(rest).enumerate() {
            let f = f.trim_ascii();
            match lay.roles[j] {
                Role::Indicator(k) => {
                    let v = number(f, r, j, &mut c);
                    if let Some(cell) = out.get_mut((r, k)) {
                        *cell = v;
                    }
                }
                Role::Denominator(d) => {
                    let v = number(f, r, j, &mut c);
                    c.denominators[d].push(v);
                }
                Role::Unit => c.units.push(text(f)),
                Role::Name => c.names.push(text(f)),
                Role::Time => c.time.push(text(f)),
                Role::Other(o) => c.others[o].push(text(f)),
                Role::Skipped => {}
            }
        }
        c.lines.push(rec.line);
        c.rows += 1;
    }
    c
}

fn number(f: &[u8], row: usize, col: usize, c: &mut Chunk) -> f64 {
    layout::parse_number(f).unwrap_or_else(|| {
        c.n_bad += 1;
        if c.bad.len() < MAX_BAD {
            c.bad.push(BadCell {
                row,
                col,
                message: format!("`{}` is not a number", zhili_core::text::cut(&String::from_utf8_lossy(f))),
            });
        }
        f64::NAN
    })
}

fn text(f: &[u8]) -> String {
    match std::str::from_utf8(f) {
        Ok(s) => layout::clean_text(s).to_owned(),
        Err(_) => layout::clean_text(&String::from_utf8_lossy(f)).to_owned(),
    }
}

/// Chunk boundaries: about `n` pieces, each ending after a newline outside quotes.
fn chunk_bounds(body: &[u8], n: usize) -> Vec<usize> {
    let mut bounds = vec![0];
    let mut quotes = 0usize; // quotes in body[..pos]
    let mut pos = 0;
    for i in 1..n.max(1) {
        let target = i * body.len() / n;
        if target <= pos {
            continue;
        }
        quotes += memchr_iter(b'"', &body[pos..target]).count();
        let mut in_quotes = quotes % 2 == 1;
        let mut p = target;
        let mut found = None;
        while let Some(k) = memchr2(b'"', b'\n', &body[p..]) {
            let at = p + k;
            p = at + 1;
            if body[at] == b'"' {
                quotes += 1;
                in_quotes = !in_quotes;
            } else if !in_quotes {
                found = Some(p);
                break;
            }
        }
        match found {
            Some(b) if b < body.len() => {
                bounds.push(b);
                pos = b;
            }
            _ => break,
        }
    }
    bounds.push(body.len());
    bounds
}

/// Close the gaps between a block's chunks' rows (blank lines, quoted newlines): the
/// chunks wrote from row `base` of each column (`cap` rows apart), chunk `i` into `caps[i]`
/// rows of which it used `rows[i]`; each column's rows move up in place.
fn close_gaps(m: &mut [f64], cap: usize, n: usize, base: usize, caps: &[usize], rows: &[usize]) {
    if caps.iter().zip(rows).all(|(c, r)| c == r) || caps.len() == 1 {
        return;
    }
    for k in 0..n {
        let (mut src, mut dst) = (k * cap + base, k * cap + base);
        for (&c, &r) in caps.iter().zip(rows) {
            m.copy_within(src..src + r, dst);
            src += c;
            dst += r;
        }
    }
}

struct CsvLoc<'a> {
    file: &'a str,
    lines: Vec<usize>,
}

impl Locate for CsvLoc<'_> {
    fn at(&self, row: usize, col: Option<usize>, header: &[String], message: String) -> Error {
        Error::parse(self.file, self.lines.get(row).copied(), col.map(|c| header[c].clone()), message)
    }
}

/// Numeric if every cell is a number and one is not missing; otherwise text.
fn other_column(cells: Vec<String>) -> OtherColumn {
    let nums: Option<Vec<f64>> = cells.iter().map(|s| layout::parse_number(s.as_bytes())).collect();
    match nums {
        Some(v) if cells.iter().any(|s| !s.is_empty()) => OtherColumn::Numbers(v),
        _ => OtherColumn::Text(cells.into_iter().map(|s| Some(s).filter(|s| !s.is_empty())).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_never_split_a_quoted_field() {
        let body = b"a,\"x\ny\",1\nb,\"p\nq\nr\",2\nc,z,3\n";
        for n in 1..body.len() {
            let b = chunk_bounds(body, n);
            for &k in &b[1..b.len() - 1] {
                let before = &body[..k];
                assert_eq!(memchr_iter(b'"', before).count() % 2, 0, "split at {k} inside quotes");
                assert_eq!(before.last(), Some(&b'\n'));
            }
        }
    }

    #[test]
    fn cuts_fall_after_a_newline_outside_quotes() {
        let b = b"h\na,\"x\ny\",1\nb,\"p\nq";
        assert_eq!(first_cut(b), Some(2));
        assert_eq!(last_cut(b), 12);
        assert_eq!(last_cut(b"no newline"), 0);
        assert_eq!(first_cut(b"\"a\nb"), None);
    }

    #[test]
    fn gaps_close() {
        // cap 6 rows, two columns; from row 1: chunk caps 3 and 2, rows 2 and 1.
        let mut m = vec![0.0, 1.0, 2.0, 9.0, 3.0, 9.0, 0.0, 10.0, 20.0, 9.0, 30.0, 9.0];
        close_gaps(&mut m, 6, 2, 1, &[3, 2], &[2, 1]);
        assert_eq!(&m[..4], &[0.0, 1.0, 2.0, 3.0]);
        assert_eq!(&m[6..10], &[0.0, 10.0, 20.0, 30.0]);
    }
}
