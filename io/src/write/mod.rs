//! Writing results: CSV, JSON and Excel workbooks, to a path or to any `std::io::Write`.
//!
//! One description of what to write, [`ResultsExport`], serves every format and every
//! caller (the CLI, Python, the web workbench, the report):
//!
//! ```
//! use zhili_io::write::{CsvOptions, ResultsExport};
//! use zhili_io::Lang;
//!
//! let b = zhili_indicators::get(zhili_indicators::DEFAULT).expect("bundled");
//! let fw = b.framework().expect("framework");
//! let data = b.dataset().expect("sample data");
//! let pipeline = b.pipeline().expect("pipeline");
//! let run = pipeline.run(&fw, &data).expect("run");
//! let grading = b.grading().expect("grading");
//!
//! let export = ResultsExport::from_run(&fw, &run, &data, Lang::En).with_grading(grading.as_ref());
//! let mut csv = Vec::new();
//! export.write_csv(&mut csv, &CsvOptions { bom: false, ..CsvOptions::default() }).expect("csv");
//! assert!(String::from_utf8(csv).expect("utf-8").starts_with("unit,name,rank,"));
//! let xlsx: Vec<u8> = export.xlsx_bytes().expect("xlsx");
//! assert_eq!(&xlsx[..2], b"PK");
//! ```
//!
//! Numbers are written in their shortest round-trip form ([`push_f64`]); text cells that a
//! spreadsheet would read as a formula are guarded ([`guard`]); files appear whole or not at
//! all ([`OutputFiles`]).

mod atomic;
mod colour;
mod columnar;
mod csv;
mod guard;
mod json;
mod number;
mod table;
mod xlsx;

use zhili_core::analysis::uncertainty::RankStats;
use zhili_core::{Dataset, Framework, LogEntry, Results, Run, Stage};
use zhili_indicators::GradingSpec;

pub use self::atomic::{write_file, OutputFiles};
pub use self::colour::band_colour;
pub use self::csv::{write_rank_stats_csv, CsvOptions, CsvTable, RANK_STATS_COLUMNS};
pub use self::guard::{guard, is_formula_like};
pub use self::number::{f64_text, push_f64};
pub use self::table::{band_label, RankedTable};
pub use self::xlsx::SHEETS;
use crate::Lang;

/// Which score columns an export carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Columns {
    /// The index and the aggregate nodes (what the screen shows). Default.
    #[default]
    Default,
    /// Every node in the results, including the normalised indicator values.
    All,
}

impl std::str::FromStr for Columns {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "default" | "aggregates" => Ok(Self::Default),
            "all" => Ok(Self::All),
            _ => Err(format!("unknown column set `{s}` (use default or all)")),
        }
    }
}

/// The indicator stages of a run, with the data rows they refer to.
#[derive(Debug, Clone, Copy)]
pub struct StagesExport<'a> {
    /// The stages (`Stage::data.units` index the data rows).
    pub stages: &'a [Stage],
    /// Unit id of every data row.
    pub unit_ids: &'a [String],
    /// Unit name of every data row, if the data has names.
    pub unit_names: Option<&'a [String]>,
}

/// Rank statistics of an uncertainty analysis, for the `uncertainty` sheet.
#[derive(Debug, Clone)]
pub struct UncertaintyExport<'a> {
    /// Unit ids the statistics are indexed by (`UncertaintyResult::unit_ids`).
    pub unit_ids: &'a [String],
    /// The index's statistics first, then any other node's.
    pub stats: Vec<&'a RankStats>,
    /// Number of runs.
    pub runs: usize,
}

/// Everything an export of results can show; build it, then call a `write_*` method.
///
/// Rows are units, best first (the ranking the CLI table shows), cut to
/// [`ResultsExport::with_top`]; columns are unit, name (when known), rank, grade (when
/// graded), then the index and the aggregate nodes ([`Columns::All`]: every node).
#[derive(Debug, Clone)]
pub struct ResultsExport<'a> {
    pub(crate) framework: &'a Framework,
    pub(crate) results: &'a Results,
    pub(crate) lang: Lang,
    pub(crate) log: &'a [LogEntry],
    pub(crate) unit_names: Option<Vec<&'a str>>,
    pub(crate) result_rows: Option<Vec<usize>>,
    pub(crate) grading: Option<&'a GradingSpec>,
    pub(crate) columns: Columns,
    pub(crate) top: Option<usize>,
    pub(crate) stages: Option<StagesExport<'a>>,
    pub(crate) uncertainty: Option<UncertaintyExport<'a>>,
}

impl<'a> ResultsExport<'a> {
    /// An export of `results` (scored on `framework`) with headers in `lang`; no names,
    /// grading, log, stages or uncertainty until added.
    pub fn new(framework: &'a Framework, results: &'a Results, lang: Lang) -> Self {
        ResultsExport {
            framework,
            results,
            lang,
            log: &[],
            unit_names: None,
            result_rows: None,
            grading: None,
            columns: Columns::Default,
            top: None,
            stages: None,
            uncertainty: None,
        }
    }

    /// An export of a whole run: its results and log, the unit names of `data` (when it has
    /// names) and its stages (written by [`ResultsExport::write_stage_csv`], and as sheets
    /// when [`ResultsExport::with_stage_sheets`] asks).
    pub fn from_run(framework: &'a Framework, run: &'a Run, data: &'a Dataset, lang: Lang) -> Self {
        let rows = result_rows(run, data.unit_ids());
        let names = data
            .unit_names()
            .map(|n| rows.iter().map(|&r| n.get(r).map_or("", String::as_str)).collect());
        ResultsExport {
            log: &run.log,
            unit_names: names,
            result_rows: Some(rows),
            stages: (!run.stages.is_empty()).then_some(StagesExport {
                stages: &run.stages,
                unit_ids: data.unit_ids(),
                unit_names: data.unit_names(),
            }),
            ..Self::new(framework, &run.results, lang)
        }
    }

    /// The step log (the `log` sheet).
    pub fn with_log(mut self, log: &'a [LogEntry]) -> Self {
        self.log = log;
        self
    }

    /// Unit names, one per result row (`Results::unit_ids` order).
    pub fn with_unit_names(mut self, names: Option<&'a [String]>) -> Self {
        self.unit_names = names.map(|n| n.iter().map(String::as_str).collect());
        self
    }

    /// Grade the index with these bands (the `grade` column, coloured in the workbook).
    pub fn with_grading(mut self, grading: Option<&'a GradingSpec>) -> Self {
        self.grading = grading;
        self
    }

    /// Which score columns to write.
    pub fn with_columns(mut self, columns: Columns) -> Self {
        self.columns = columns;
        self
    }

    /// Only the best `top` units (every format).
    pub fn with_top(mut self, top: Option<usize>) -> Self {
        self.top = top;
        self
    }

    /// Stages to write (see [`StagesExport`]); `result_rows` maps each result row to its
    /// data row (needed for `top` in a stage CSV; `None`: results keep the data's order).
    pub fn with_stages(mut self, stages: Option<StagesExport<'a>>, result_rows: Option<Vec<usize>>) -> Self {
        self.stages = stages;
        if result_rows.is_some() {
            self.result_rows = result_rows;
        }
        self
    }

    /// Keep the stages for the workbook only when `yes` (one sheet per stage).
    pub fn with_stage_sheets(mut self, yes: bool) -> Self {
        if !yes {
            self.stages = None;
        }
        self
    }

    /// Rank statistics of an uncertainty analysis (the `uncertainty` sheet).
    pub fn with_uncertainty(mut self, u: Option<UncertaintyExport<'a>>) -> Self {
        self.uncertainty = u;
        self
    }

    /// The grading, if any.
    pub fn grading(&self) -> Option<&'a GradingSpec> {
        self.grading
    }

    /// The display language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Rows, ranks, grades and columns, as every format writes them.
    pub fn table(&self) -> RankedTable {
        RankedTable::new(self)
    }

    /// The name of result row `i` (empty when the data has none for it).
    pub(crate) fn name(&self, i: usize) -> Option<&'a str> {
        self.unit_names.as_ref().map(|n| n.get(i).copied().unwrap_or(""))
    }
}

/// The data row of every result row: the last stage's rows, or (stages not kept) the result
/// units matched in order against the data's units (results keep the data's order).
pub fn result_rows(run: &Run, data_unit_ids: &[String]) -> Vec<usize> {
    if let Some(s) = run.stages.last() {
        return s.data.units.clone();
    }
    let mut rows = Vec::with_capacity(run.results.unit_ids().len());
    let mut k = 0;
    for u in run.results.unit_ids() {
        while k < data_unit_ids.len() && &data_unit_ids[k] != u {
            k += 1;
        }
        rows.push(k.min(data_unit_ids.len().saturating_sub(1)));
        k += 1;
    }
    rows
}
