//! CSV: one buffered pass, numbers by `ryu` straight into the buffer, text cells quoted
//! as the `csv` crate quotes them and guarded against formula injection (once per cell),
//! UTF-8 with a BOM by default (so Excel on a Chinese Windows does not read the file as GBK).

use std::borrow::Cow;
use std::io::Write;

use rayon::prelude::*;
use zhili_core::analysis::uncertainty::RankStats;
use zhili_core::{Error, Result};

use super::atomic::io_err;
use super::guard::is_formula_like;
use super::number::push_f64;
use super::table::{band_label, RankedTable};
use super::ResultsExport;

/// How a CSV file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    /// Start with the UTF-8 byte order mark (default `true`: Excel needs it to read UTF-8).
    pub bom: bool,
    /// Prefix text cells that a spreadsheet would read as a formula with `'` (default
    /// `true`; see [`super::guard`]). Numbers are never touched.
    pub guard: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions { bom: true, guard: true }
    }
}

impl CsvOptions {
    /// For documents zhili reads back (weight sets, designs): no BOM, no guard, so every id
    /// survives the round trip unchanged.
    pub const DOCUMENT: CsvOptions = CsvOptions { bom: false, guard: false };
}

/// A CSV writer of text and number cells, row by row, into one buffer: RFC 4180 with `\n`
/// line ends, the same bytes the `csv` crate writes. A text cell is quoted only when it holds
/// `,`, `"`, CR or LF (quotes doubled); a row of nothing is written as `""`. Numbers go
/// straight into the buffer: their text never needs quoting.
pub struct CsvTable<W: Write> {
    /// `None` once [`CsvTable::finish`] has taken it.
    w: Option<W>,
    buf: Vec<u8>,
    ryu: ryu::Buffer,
    guard: bool,
    /// Cells in the current row, and in the first row (every row must have as many).
    cells: u64,
    width: Option<u64>,
    /// Whether the current row has written no byte yet.
    row_empty: bool,
    /// Bytes buffered before they go to the writer (at the end of a row).
    flush_at: usize,
}

impl<W: Write> std::fmt::Debug for CsvTable<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvTable").field("guard", &self.guard).finish_non_exhaustive()
    }
}

/// Bytes buffered before they are handed to the writer (at the end of a row).
const BUFFER: usize = 1 << 16;

/// Whether a text cell must be quoted.
fn needs_quotes(s: &[u8]) -> bool {
    s.iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

impl<W: Write> CsvTable<W> {
    /// Start a table on `w` (writes the BOM if asked).
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if `w` fails.
    pub fn new(mut w: W, opts: &CsvOptions) -> Result<Self> {
        if opts.bom {
            w.write_all("\u{feff}".as_bytes()).map_err(|e| io_err("CSV", &e))?;
        }
        Ok(CsvTable {
            w: Some(w),
            buf: Vec::with_capacity(BUFFER + 4096),
            ryu: ryu::Buffer::new(),
            guard: opts.guard,
            cells: 0,
            width: None,
            row_empty: true,
            flush_at: BUFFER,
        })
    }

    /// The separator before every cell but a row's first.
    #[inline]
    fn start_cell(&mut self) {
        if self.cells > 0 {
            self.buf.push(b',');
            self.row_empty = false;
        }
        self.cells += 1;
    }

    /// A text cell (guarded if the options say so).
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if the writer fails.
    pub fn text(&mut self, s: &str) -> Result<()> {
        let formula = self.guard && is_formula_like(s);
        self.text_checked(s, formula)
    }

    /// A text cell whose formula check ([`is_formula_like`]) the caller has made: prefixed
    /// with `'` when `formula` and the options guard.
    pub(crate) fn text_checked(&mut self, s: &str, formula: bool) -> Result<()> {
        let s = if self.guard && formula {
            Cow::Owned(format!("'{s}"))
        } else {
            Cow::Borrowed(s)
        };
        let s = s.as_bytes();
        self.start_cell();
        if needs_quotes(s) {
            self.buf.push(b'"');
            for part in s.split_inclusive(|&b| b == b'"') {
                self.buf.extend_from_slice(part);
                if part.ends_with(b"\"") {
                    self.buf.push(b'"');
                }
            }
            self.buf.push(b'"');
            self.row_empty = false;
        } else if !s.is_empty() {
            self.buf.extend_from_slice(s);
            self.row_empty = false;
        }
        Ok(())
    }

    /// A number cell: shortest round-trip form, empty for NaN.
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if the writer fails.
    #[inline]
    pub fn num(&mut self, v: f64) -> Result<()> {
        self.start_cell();
        let before = self.buf.len();
        push_f64(&mut self.buf, &mut self.ryu, v);
        self.row_empty &= self.buf.len() == before;
        Ok(())
    }

    /// An integer cell.
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if the writer fails.
    pub fn int(&mut self, v: u64) -> Result<()> {
        self.start_cell();
        // Writing into a `Vec` cannot fail.
        let _ = write!(self.buf, "{v}");
        self.row_empty = false;
        Ok(())
    }

    /// A row of text cells.
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if the writer fails.
    pub fn texts<'s>(&mut self, cells: impl IntoIterator<Item = &'s str>) -> Result<()> {
        for c in cells {
            self.text(c)?;
        }
        self.end_row()
    }

    /// End the current row.
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if the writer fails, or if the row has not as many cells
    /// as the first.
    pub fn end_row(&mut self) -> Result<()> {
        match self.width {
            None => self.width = Some(self.cells),
            Some(w) if w != self.cells => {
                return Err(Error::spec(
                    "output",
                    format!(
                        "cannot write CSV: UnequalLengths {{ pos: None, expected_len: {w}, len: {} }}",
                        self.cells
                    ),
                ))
            }
            Some(_) => {}
        }
        if self.row_empty {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.push(b'\n');
        self.cells = 0;
        self.row_empty = true;
        if self.buf.len() >= self.flush_at {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn flush_buf(&mut self) -> Result<()> {
        if let Some(w) = self.w.as_mut() {
            w.write_all(&self.buf).map_err(|e| io_err("CSV", &e))?;
        }
        self.buf.clear();
        Ok(())
    }

    /// Flush and return the writer.
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if the writer fails.
    pub fn finish(mut self) -> Result<W> {
        self.flush_buf()?;
        let mut w = self
            .w
            .take()
            .ok_or_else(|| Error::spec("output", "cannot write CSV: the writer is gone"))?;
        w.flush().map_err(|e| io_err("CSV", &e))?;
        Ok(w)
    }
}

impl CsvTable<Vec<u8>> {
    /// A table kept in memory (no BOM), its text taken by [`CsvTable::into_bytes`]: one
    /// buffer of about `capacity` bytes, never copied into a writer.
    pub(crate) fn in_memory(capacity: usize, opts: &CsvOptions) -> Self {
        CsvTable {
            w: None,
            buf: Vec::with_capacity(capacity),
            ryu: ryu::Buffer::new(),
            guard: opts.guard,
            cells: 0,
            width: None,
            row_empty: true,
            flush_at: usize::MAX,
        }
    }

    /// The text of an in-memory table.
    pub(crate) fn into_bytes(mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

impl<W: Write> Drop for CsvTable<W> {
    /// A table dropped without [`CsvTable::finish`] still writes what it holds (errors
    /// cannot be reported here), as the `csv` crate's writer does.
    fn drop(&mut self) {
        if let Some(w) = self.w.as_mut() {
            let _ = w.write_all(&self.buf).and_then(|()| w.flush());
        }
    }
}

/// Score cells gathered per task of [`ResultsExport::write_csv`] (about 4 MB): rows per task
/// are this divided by the row's width, within [`TASK_ROWS`].
const TASK_CELLS: usize = 1 << 19;
/// Fewest and most rows per task.
const TASK_ROWS: (usize, usize) = (4096, 65536);

impl ResultsExport<'_> {
    /// The results as CSV: `unit`, `name` (when known), `rank`, `grade` (when graded), then
    /// one column per score node (ids as headers), best unit first.
    ///
    /// The rows are formatted in tasks of consecutive ranks, in parallel, and written in
    /// order: the same bytes as one pass.
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if `w` fails.
    pub fn write_csv<W: Write>(&self, w: W, opts: &CsvOptions) -> Result<()> {
        let t = self.table();
        let res = self.results;
        let mut c = CsvTable::new(w, opts)?;
        c.text("unit")?;
        if self.unit_names.is_some() {
            c.text("name")?;
        }
        c.text("rank")?;
        if self.grading.is_some() {
            c.text("grade")?;
        }
        for &j in &t.columns {
            c.text(&res.node_ids()[j])?;
        }
        c.end_row()?;
        let mut w = c.finish()?;
        let body = CsvOptions { bom: false, ..*opts };
        let rows = (TASK_CELLS / (t.columns.len() + 1)).clamp(TASK_ROWS.0, TASK_ROWS.1);
        let threads = rayon::current_num_threads().max(1);
        // One group of tasks is formatted while the previous group's text is written.
        let mut done: Vec<Result<Vec<u8>>> = Vec::new();
        for group in t.order.chunks(rows * threads) {
            let mut next = Vec::new();
            let table = &t;
            let wrote = rayon::in_place_scope(|s| {
                s.spawn(|_| next = group.par_chunks(rows).map(|r| self.csv_rows(table, r, &body)).collect());
                write_parts(&mut w, std::mem::take(&mut done))
            });
            wrote?;
            done = next;
        }
        write_parts(&mut w, done)?;
        w.flush().map_err(|e| io_err("CSV", &e))
    }

    /// The CSV text of result rows `rows` (consecutive in the ranking).
    fn csv_rows(&self, t: &RankedTable, rows: &[usize], opts: &CsvOptions) -> Result<Vec<u8>> {
        let res = self.results;
        let (scores, ids) = (res.scores(), res.unit_ids());
        // Rank order visits the rows at random; visited in increasing row order instead,
        // the loads of each column fall on few pages and lines close together.
        let mut by_row: Vec<(usize, usize)> = rows.iter().enumerate().map(|(r, &i)| (i, r)).collect();
        by_row.sort_unstable();
        let width = t.columns.len() + 1;
        let mut vals = vec![0.0; rows.len() * width];
        for &(i, r) in &by_row {
            vals[r * width] = t.ranks[i];
        }
        for (k, &j) in t.columns.iter().enumerate() {
            let col = scores.column(j);
            for &(i, r) in &by_row {
                vals[r * width + k + 1] = col[i];
            }
        }
        // The ids too (each a `String` somewhere on the heap): copied side by side, in row
        // order, with their formula check, so the writing below reads them in sequence.
        let mut id_text = String::with_capacity(rows.len() * 16);
        let mut id_at = vec![(0, 0, false); rows.len()];
        for &(i, r) in &by_row {
            let id = ids[i].as_str();
            id_at[r] = (id_text.len(), id_text.len() + id.len(), opts.guard && is_formula_like(id));
            id_text.push_str(id);
        }
        // Room for ids of 16 bytes and numbers of up to 18 characters, as ryu writes them.
        let mut c = CsvTable::in_memory(rows.len() * (width * 19 + 24), opts);
        for (r, &i) in rows.iter().enumerate() {
            let (a, b, formula) = id_at[r];
            c.text_checked(id_text.get(a..b).unwrap_or_default(), formula)?;
            if let Some(n) = self.name(i) {
                c.text(n)?;
            }
            let v = &vals[r * width..(r + 1) * width];
            c.num(v[0])?;
            if self.grading.is_some() {
                c.text(t.band(self.grading, i).map_or("", |(_, b)| band_label(b, self.lang)))?;
            }
            for &x in &v[1..] {
                c.num(x)?;
            }
            c.end_row()?;
        }
        Ok(c.into_bytes())
    }

    /// An indicator stage as CSV: `unit`, `name` (when known), then one column per
    /// indicator; data order, or best unit first when `top` is set.
    ///
    /// # Errors
    /// [`Error::Unknown`] for a stage this export does not have (naming those it has);
    /// [`Error::Spec`] (`output`) if `w` fails.
    pub fn write_stage_csv<W: Write>(&self, name: &str, w: W, opts: &CsvOptions) -> Result<()> {
        let st = self.stages.as_ref().ok_or_else(|| Error::Unknown {
            what: "stage",
            id: name.to_owned(),
            context: "the stages were not kept".into(),
        })?;
        let stage = st.stages.iter().find(|s| s.name == name).ok_or_else(|| Error::Unknown {
            what: "stage",
            id: name.to_owned(),
            context: format!(
                "this run has: {}, aggregated",
                st.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
        })?;
        // Stage row k holds data row stage.data.units[k].
        let rows: Vec<usize> = match (self.top, &self.result_rows) {
            (Some(_), Some(rr)) => self
                .table()
                .order
                .iter()
                .filter_map(|&i| rr.get(i).and_then(|r| stage.data.units.iter().position(|u| u == r)))
                .collect(),
            _ => (0..stage.data.units.len()).collect(),
        };
        let mut c = CsvTable::new(w, opts)?;
        c.text("unit")?;
        if st.unit_names.is_some() {
            c.text("name")?;
        }
        for &i in self.framework.indicators() {
            c.text(&self.framework.nodes()[i].id)?;
        }
        c.end_row()?;
        for k in rows {
            let r = stage.data.units[k];
            c.text(st.unit_ids.get(r).map_or("", String::as_str))?;
            if let Some(n) = st.unit_names {
                c.text(n.get(r).map_or("", String::as_str))?;
            }
            for &v in stage.data.values.row(k) {
                c.num(v)?;
            }
            c.end_row()?;
        }
        c.finish().map(|_| ())
    }
}

/// Write formatted parts in order.
fn write_parts<W: Write>(w: &mut W, parts: Vec<Result<Vec<u8>>>) -> Result<()> {
    for p in parts {
        w.write_all(&p?).map_err(|e| io_err("CSV", &e))?;
    }
    Ok(())
}

/// Column ids of the per-unit rank statistics, in order.
pub const RANK_STATS_COLUMNS: [&str; 7] = [
    "nominal_score",
    "nominal_rank",
    "mean_rank",
    "median_rank",
    "p5_rank",
    "p95_rank",
    "mean_abs_rank_shift",
];

/// The seven statistics of unit `u`, in [`RANK_STATS_COLUMNS`] order.
pub(crate) fn rank_stats_row(st: &RankStats, u: usize) -> [f64; 7] {
    let at = |v: &[f64]| v.get(u).copied().unwrap_or(f64::NAN);
    [
        at(&st.nominal_score),
        at(&st.nominal_rank),
        at(&st.mean),
        at(&st.median),
        at(&st.p5),
        at(&st.p95),
        at(&st.mean_abs_shift),
    ]
}

/// Per-unit rank statistics of an uncertainty analysis as CSV: `unit`, then
/// [`RANK_STATS_COLUMNS`] (prefixed `node:` for every node when there is more than one).
///
/// # Errors
/// [`Error::Spec`] (`output`) if `w` fails.
pub fn write_rank_stats_csv<W: Write>(w: W, unit_ids: &[String], stats: &[&RankStats], opts: &CsvOptions) -> Result<()> {
    let mut c = CsvTable::new(w, opts)?;
    c.text("unit")?;
    for st in stats {
        for col in RANK_STATS_COLUMNS {
            if stats.len() == 1 {
                c.text(col)?;
            } else {
                c.text(&format!("{}:{col}", st.node))?;
            }
        }
    }
    c.end_row()?;
    for (u, id) in unit_ids.iter().enumerate() {
        c.text(id)?;
        for st in stats {
            for v in rank_stats_row(st, u) {
                c.num(v)?;
            }
        }
        c.end_row()?;
    }
    c.finish().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::super::guard::guard;
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Cell {
        Text(String),
        Num(f64),
        Int(u64),
    }

    fn cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            "[a-z,\"\r\n =+@-]{0,6}".prop_map(Cell::Text),
            "(昆明|-3.5|=1|a\"b|)".prop_map(Cell::Text),
            any::<f64>().prop_map(Cell::Num),
            Just(Cell::Num(f64::NAN)),
            any::<u64>().prop_map(Cell::Int),
        ]
    }

    /// The same rows through the `csv` crate (the writer this one replaced).
    fn via_csv_crate(rows: &[Vec<Cell>], guard_on: bool) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        for row in rows {
            for c in row {
                match c {
                    Cell::Text(s) => {
                        let s = if guard_on { guard(s) } else { s.as_str().into() };
                        w.write_field(s.as_bytes()).expect("field");
                    }
                    Cell::Num(v) => w.write_field(super::super::number::f64_text(*v)).expect("field"),
                    Cell::Int(v) => w.write_field(v.to_string()).expect("field"),
                }
            }
            w.write_record(None::<&[u8]>).expect("row");
        }
        w.into_inner().expect("flush")
    }

    fn via_table(rows: &[Vec<Cell>], guard_on: bool) -> Vec<u8> {
        let mut t = CsvTable::new(
            Vec::new(),
            &CsvOptions {
                bom: false,
                guard: guard_on,
            },
        )
        .expect("new");
        for row in rows {
            for c in row {
                match c {
                    Cell::Text(s) => t.text(s),
                    Cell::Num(v) => t.num(*v),
                    Cell::Int(v) => t.int(*v),
                }
                .expect("cell");
            }
            t.end_row().expect("row");
        }
        t.finish().expect("finish")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        #[test]
        fn same_bytes_as_the_csv_crate(width in 0usize..5, cells in prop::collection::vec(cell(), 0..40), guard_on in any::<bool>()) {
            let rows: Vec<Vec<Cell>> = if width == 0 {
                vec![Vec::new(); cells.len().min(3)]
            } else {
                cells.chunks_exact(width).map(<[Cell]>::to_vec).collect()
            };
            prop_assert_eq!(via_table(&rows, guard_on), via_csv_crate(&rows, guard_on));
        }
    }

    #[test]
    fn quoting_and_empty_rows() {
        let rows = vec![
            vec![Cell::Text("a,b".into()), Cell::Text("say \"hi\"".into()), Cell::Num(1.5)],
            vec![Cell::Text(String::new()), Cell::Text("x\ny".into()), Cell::Num(f64::NAN)],
        ];
        assert_eq!(via_table(&rows, true), b"\"a,b\",\"say \"\"hi\"\"\",1.5\n,\"x\ny\",\n");
        assert_eq!(
            via_table(&[vec![Cell::Num(f64::NAN)], vec![Cell::Text(String::new())]], true),
            b"\"\"\n\"\"\n"
        );
    }

    /// The parallel, gathered writer against the plain loop it replaced: rows in rank order,
    /// one cell after another, over several tasks and groups of tasks, with missing scores,
    /// ties, names, a grading and ids that need quoting or the formula guard.
    #[test]
    fn tasks_write_the_bytes_of_one_plain_pass() {
        use super::super::{Columns, ResultsExport};
        use crate::Lang;
        let b = zhili_indicators::get(zhili_indicators::DEFAULT).expect("bundled");
        let fw = b.framework().expect("framework");
        let grading = b.grading().expect("grading");
        // Every-node rows (27 nodes) fill tasks of 18,724 rows: three of them, in two groups on
        // two threads.
        let n = 10 * TASK_ROWS.0 + 77;
        let nodes = fw.nodes().len();
        // A small generator: scores with repeats (ties) and a few gaps.
        let mut x: u64 = 7;
        let mut next = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            x >> 33
        };
        let scores = ndarray::Array2::from_shape_fn((n, nodes), |_| match next() % 50 {
            0 => f64::NAN,
            k if k < 10 => k as f64,
            _ => (next() % 1_000_000) as f64 / 7.0,
        });
        let ids: Vec<String> = (0..n)
            .map(|i| match i % 5 {
                0 => format!("=u{i}"),
                1 => format!("a,{i}"),
                2 => format!("q\"{i}"),
                _ => format!("u{i:05}"),
            })
            .collect();
        let names: Vec<String> = (0..n).map(|i| format!("名{i}")).collect();
        let results = zhili_core::Results::new(&fw, ids, scores, zhili_core::Ties::Min);
        for (columns, guard_on) in [(Columns::All, true), (Columns::Default, false)] {
            let x = ResultsExport::new(&fw, &results, Lang::Zh)
                .with_unit_names(Some(&names))
                .with_grading(grading.as_ref())
                .with_columns(columns);
            let opts = CsvOptions {
                bom: true,
                guard: guard_on,
            };
            let mut got = Vec::new();
            x.write_csv(&mut got, &opts).expect("write");
            // The plain pass.
            let t = x.table();
            let mut c = CsvTable::new(Vec::new(), &opts).expect("new");
            c.text("unit").expect("cell");
            c.text("name").expect("cell");
            c.text("rank").expect("cell");
            if grading.is_some() {
                c.text("grade").expect("cell");
            }
            for &j in &t.columns {
                c.text(&results.node_ids()[j]).expect("cell");
            }
            c.end_row().expect("row");
            for &i in &t.order {
                c.text(&results.unit_ids()[i]).expect("cell");
                c.text(&names[i]).expect("cell");
                c.num(t.ranks[i]).expect("cell");
                if grading.is_some() {
                    c.text(t.band(grading.as_ref(), i).map_or("", |(_, b)| band_label(b, Lang::Zh)))
                        .expect("cell");
                }
                for &j in &t.columns {
                    c.num(results.scores()[[i, j]]).expect("cell");
                }
                c.end_row().expect("row");
            }
            let want = c.finish().expect("finish");
            assert!(grading.is_some() && t.order.len() > 10 * TASK_ROWS.0 && want.len() > 100_000);
            assert!(got == want, "{columns:?}: the parallel writer's bytes differ");
        }
    }

    #[test]
    fn a_row_of_another_width_is_an_error() {
        let mut t = CsvTable::new(Vec::new(), &CsvOptions::DOCUMENT).expect("new");
        t.texts(["a", "b"]).expect("header");
        t.text("x").expect("cell");
        let e = t.end_row().expect_err("short row");
        assert!(e.to_string().contains("expected_len: 2, len: 1"), "{e}");
    }
}
