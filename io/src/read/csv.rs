//! The CSV fast path: bytes straight into the column-major `f64` matrix.
//!
//! The body is split into line-aligned chunks (a split never falls inside a quoted
//! field: quote parity is tracked from the start), parsed in parallel with the `csv`
//! crate's byte records (no `String` per cell), numbers with `fast-float2`; each chunk
//! writes its rows straight into its own rows of the matrix. Only the unit, name, time
//! and other (group) columns are kept as strings.

use memchr::{memchr2, memchr_iter};
use ndarray::{Array2, ArrayViewMut2, Axis, ShapeBuilder};
use rayon::prelude::*;
use zhili_core::{Error, Result};

use super::layout::{self, BadCell, Layout, Locate, Mode, OtherColumn, Output, Parsed, Role, MAX_BAD};
use super::DataOptions;

/// Bodies smaller than this are parsed in one piece.
const PARALLEL_FROM: usize = 1 << 20;
/// Target size of one chunk of a large body.
const CHUNK: usize = 1 << 20;

/// Read UTF-8 CSV bytes (already decoded, no BOM) into a dataset.
///
/// # Errors
/// As [`super::read_dataset`].
pub(crate) fn read(bytes: &[u8], file: &str, fw: Mode<'_>, opts: &DataOptions) -> Result<Output> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = builder().from_reader(bytes);
    let mut rec = csv::ByteRecord::new();
    let has_header = rdr.read_byte_record(&mut rec).map_err(|e| csv_error(&e, file, 0))?;
    let header: Vec<String> = if has_header {
        rec.iter()
            .map(|f| layout::clean_text(&String::from_utf8_lossy(f)).to_owned())
            .collect()
    } else {
        Vec::new()
    };
    let header_line = rec.position().map_or(1, |p| p.line() as usize);
    let body_start = rdr.position().byte() as usize;
    let lay = Layout::resolve(header, fw, opts, file, &|h| {
        Error::parse(file, Some(header_line), Some(h.to_owned()), "duplicate column name")
    })?;
    let body = &bytes[body_start.min(bytes.len())..];
    // Lines are counted from the start of the file, so every chunk knows its first line.
    let first_line = memchr_iter(b'\n', &bytes[..body_start.min(bytes.len())]).count() + 1;
    let bounds = chunk_bounds(body, if body.len() < PARALLEL_FROM { 1 } else { body.len() / CHUNK });
    let chunks: Vec<&[u8]> = bounds.windows(2).map(|w| &body[w[0]..w[1]]).collect();
    let newlines: Vec<usize> = chunks.par_iter().map(|c| memchr_iter(b'\n', c).count()).collect();
    let caps: Vec<usize> = newlines.iter().map(|n| n + 1).collect();
    let cap: usize = caps.iter().sum();
    let n_ind = lay.indicators.len();
    let mut matrix = vec![0.0_f64; cap * n_ind];
    let outs: Vec<Chunk> = {
        let mut view =
            ArrayViewMut2::from_shape((cap, n_ind).f(), &mut matrix).map_err(|e| Error::parse(file, None, None, format!("matrix: {e}")))?;
        let mut views = Vec::with_capacity(chunks.len());
        for &c in &caps[..caps.len() - 1] {
            let (head, tail) = view.split_at(Axis(0), c);
            views.push(head);
            view = tail;
        }
        views.push(view);
        let mut line = first_line;
        let starts: Vec<usize> = newlines
            .iter()
            .map(|n| {
                let s = line;
                line += n;
                s
            })
            .collect();
        chunks
            .into_par_iter()
            .zip(views)
            .zip(starts)
            .map(|((c, v), start)| parse_chunk(c, v, start, &lay))
            .collect()
    };
    for c in &outs {
        if let Some((line, msg)) = &c.ragged {
            return Err(Error::parse(file, Some(*line), None, msg.clone()));
        }
    }
    let values = compact(matrix, &caps, &outs.iter().map(|c| c.rows).collect::<Vec<_>>(), n_ind);
    merge(values, outs, &lay, file, fw)
}

fn builder() -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    // Fields are trimmed by slicing (`trim_ascii`), not by the reader, which moves bytes.
    b.has_headers(false).flexible(true);
    b
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

fn parse_chunk(bytes: &[u8], mut out: ArrayViewMut2<'_, f64>, first_line: usize, lay: &Layout) -> Chunk {
    let mut c = Chunk {
        denominators: vec![Vec::new(); lay.denominators.len()],
        others: vec![Vec::new(); lay.others.len()],
        ..Chunk::default()
    };
    let width = lay.header.len();
    let mut rdr = builder().from_reader(bytes);
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(first_line, |p| first_line + p.line() as usize - 1);
                c.ragged = Some((line, e.to_string()));
                break;
            }
        }
        let line = rec.position().map_or(first_line, |p| first_line + p.line() as usize - 1);
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            continue; // blank line, e.g. trailing
        }
        if rec.len() != width {
            c.ragged = Some((line, format!("row has {} fields, the header has {width}", rec.len())));
            break;
        }
        let r = c.rows;
        for (j, f) in rec.iter().enumerate() {
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
        c.lines.push(line);
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

/// Close the gaps between chunks' rows (blank lines, quoted newlines): each column
/// moves left in place, then the vector is cut to `rows × n` column-major.
fn compact(mut m: Vec<f64>, caps: &[usize], rows: &[usize], n: usize) -> Array2<f64> {
    let cap: usize = caps.iter().sum();
    let total: usize = rows.iter().sum();
    if total < cap {
        for k in 0..n {
            let (mut src, mut dst) = (k * cap, k * total);
            for (&c, &r) in caps.iter().zip(rows) {
                m.copy_within(src..src + r, dst);
                src += c;
                dst += r;
            }
        }
        m.truncate(total * n);
    }
    Array2::from_shape_vec((total, n).f(), m).unwrap_or_else(|_| Array2::zeros((0, n)))
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

fn merge(values: Array2<f64>, outs: Vec<Chunk>, lay: &Layout, file: &str, fw: Mode<'_>) -> Result<Output> {
    let mut offset = 0;
    let mut all = Chunk {
        denominators: vec![Vec::new(); lay.denominators.len()],
        others: vec![Vec::new(); lay.others.len()],
        ..Chunk::default()
    };
    for mut c in outs {
        all.bad.extend(c.bad.drain(..).map(|b| BadCell { row: b.row + offset, ..b }));
        all.n_bad += c.n_bad;
        offset += c.rows;
        all.lines.append(&mut c.lines);
        all.units.append(&mut c.units);
        all.names.append(&mut c.names);
        all.time.append(&mut c.time);
        for (a, mut d) in all.denominators.iter_mut().zip(c.denominators) {
            a.append(&mut d);
        }
        for (a, mut o) in all.others.iter_mut().zip(c.others) {
            a.append(&mut o);
        }
    }
    let others = all.others.into_iter().map(other_column).collect();
    let parsed = Parsed {
        values,
        denominators: all.denominators,
        others,
        units: all.units,
        names: lay.name.map(|_| all.names),
        time: lay.time.map(|_| all.time),
        bad: all.bad,
        n_bad: all.n_bad,
    };
    layout::finish(fw, lay, parsed, file, &CsvLoc { file, lines: all.lines })
}

/// Numeric if every cell is a number and one is not missing; otherwise text.
fn other_column(cells: Vec<String>) -> OtherColumn {
    let nums: Option<Vec<f64>> = cells.iter().map(|s| layout::parse_number(s.as_bytes())).collect();
    match nums {
        Some(v) if cells.iter().any(|s| !s.is_empty()) => OtherColumn::Numbers(v),
        _ => OtherColumn::Text(cells.into_iter().map(|s| Some(s).filter(|s| !s.is_empty())).collect()),
    }
}

fn csv_error(e: &csv::Error, file: &str, first_line: usize) -> Error {
    let line = e.position().map(|p| first_line + p.line() as usize);
    Error::parse(file, line, None, e.to_string())
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
    fn compact_closes_gaps() {
        // caps 3 and 2, rows 2 and 1, two columns.
        let m = vec![1.0, 2.0, 9.0, 3.0, 9.0, 10.0, 20.0, 9.0, 30.0, 9.0];
        let a = compact(m, &[3, 2], &[2, 1], 2);
        assert_eq!(a, ndarray::array![[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]]);
    }
}
