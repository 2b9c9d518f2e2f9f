//! CSV: one buffered pass through the `csv` crate (quoting), numbers by `ryu`, text cells
//! guarded against formula injection, UTF-8 with a BOM by default (so Excel on a Chinese
//! Windows does not read the file as GBK).

use std::io::Write;

use zhili_core::analysis::uncertainty::RankStats;
use zhili_core::{Error, Result};

use super::atomic::io_err;
use super::guard::{guard, is_formula_like};
use super::number::push_f64;
use super::table::band_label;
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

/// A CSV writer of text and number cells, row by row.
pub struct CsvTable<W: Write> {
    w: csv::Writer<W>,
    ryu: ryu::Buffer,
    cell: Vec<u8>,
    guard: bool,
}

impl<W: Write> std::fmt::Debug for CsvTable<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvTable").field("guard", &self.guard).finish_non_exhaustive()
    }
}

fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => io_err("CSV", &e),
        other => Error::spec("output", format!("cannot write CSV: {other:?}")),
    }
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
            w: csv::WriterBuilder::new().buffer_capacity(1 << 16).from_writer(w),
            ryu: ryu::Buffer::new(),
            cell: Vec::with_capacity(32),
            guard: opts.guard,
        })
    }

    /// A text cell (guarded if the options say so).
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if the writer fails.
    pub fn text(&mut self, s: &str) -> Result<()> {
        let s = if self.guard { guard(s) } else { s.into() };
        self.w.write_field(s.as_bytes()).map_err(csv_err)
    }

    /// A number cell: shortest round-trip form, empty for NaN.
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if the writer fails.
    pub fn num(&mut self, v: f64) -> Result<()> {
        self.cell.clear();
        push_f64(&mut self.cell, &mut self.ryu, v);
        self.w.write_field(&self.cell).map_err(csv_err)
    }

    /// An integer cell.
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if the writer fails.
    pub fn int(&mut self, v: u64) -> Result<()> {
        self.w.write_field(v.to_string()).map_err(csv_err)
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
    /// [`Error::Spec`] (`output`) if the writer fails.
    pub fn end_row(&mut self) -> Result<()> {
        self.w.write_record(None::<&[u8]>).map_err(csv_err)
    }

    /// Flush and return the writer.
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if the writer fails.
    pub fn finish(self) -> Result<W> {
        self.w.into_inner().map_err(|e| io_err("CSV", e.error()))
    }
}

/// Rows gathered at a time by [`ResultsExport::write_csv`] (their ids stay in the cache).
const GATHER: usize = 2048;

impl ResultsExport<'_> {
    /// The results as CSV: `unit`, `name` (when known), `rank`, `grade` (when graded), then
    /// one column per score node (ids as headers), best unit first.
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
        let scores = res.scores();
        let ids = res.unit_ids();
        let width = t.columns.len();
        let mut vals = vec![0.0; GATHER * width];
        for batch in t.order.chunks(GATHER) {
            // Rank order visits the rows at random: the batch's scores and ids are gathered
            // first, in tight loops whose cache misses overlap, then written from the cache.
            for (k, &j) in t.columns.iter().enumerate() {
                for (r, &i) in batch.iter().enumerate() {
                    vals[r * width + k] = scores[[i, j]];
                }
            }
            let formulas = batch.iter().filter(|&&i| is_formula_like(&ids[i])).count();
            std::hint::black_box(formulas);
            for (r, &i) in batch.iter().enumerate() {
                c.text(&ids[i])?;
                if let Some(n) = self.name(i) {
                    c.text(n)?;
                }
                c.num(t.ranks[i])?;
                if self.grading.is_some() {
                    c.text(t.band(self.grading, i).map_or("", |(_, b)| band_label(b, self.lang)))?;
                }
                for &v in &vals[r * width..(r + 1) * width] {
                    c.num(v)?;
                }
                c.end_row()?;
            }
        }
        c.finish().map(|_| ())
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
