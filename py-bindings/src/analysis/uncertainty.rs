//! Monte Carlo uncertainty analysis and exact replay of run designs (`zhili.analysis.uncertainty`,
//! `replay`): factors travel as JSON (the engine's serde `Factor` documents, tag `type`), so
//! every factor the engine supports works without binding code; results come back as dicts
//! of numpy arrays, the Python package builds the DataFrames.

use numpy::ToPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use zhili_core::analysis::uncertainty::{self as ua, AnalysisSpec, Design, Factor, RankStats, ReplayOptions, UncertaintyOptions};
use zhili_core::{Error, Ties};

use super::monitor::monitored;
use crate::data::DataArgs;
use crate::error::{guard, PyZResult, PyZhiliError};
use crate::framework::PyFramework;
use crate::pipeline::PyPipeline;

/// Factors from their JSON list.
pub(super) fn parse_factors(json: &str) -> PyZResult<Vec<Factor>> {
    serde_json::from_str(json).map_err(|e| PyZhiliError(Error::spec("factors", e.to_string())))
}

/// An analysis document (TOML, or JSON if it starts with `{`) as JSON:
/// `{"runs", "seed", "nodes", "factors"}`; `file` names the source in errors.
#[pyfunction]
#[pyo3(signature = (text, file = "<analysis>"))]
pub(crate) fn analysis_spec(text: &str, file: &str) -> PyResult<String> {
    guard(|| {
        let spec = if text.trim_start().starts_with('{') {
            AnalysisSpec::from_json_str(text)?
        } else {
            AnalysisSpec::from_toml_named(text, file)?
        };
        serde_json::to_string(&spec).map_err(|e| PyZhiliError(Error::spec("analysis", e.to_string())))
    })
}

/// Convert a COINr uncertainty design (`Run, WeightSet, Normalisation, Aggregation`) and its
/// weight sets (`WeightSet, iCode, Level, Weight`), both CSV text, to zhili's design CSV.
#[pyfunction]
pub(crate) fn coinr_design(design_csv: &str, weight_sets_csv: &str) -> PyResult<String> {
    guard(|| Ok(Design::from_coinr_csv(design_csv, weight_sets_csv)?.to_csv_string()?))
}

/// Check a design CSV and return `(weight node ids, number of runs)`.
#[pyfunction]
pub(crate) fn design_info(design_csv: &str) -> PyResult<(Vec<String>, usize)> {
    guard(|| {
        let d = Design::from_csv_str(design_csv)?;
        Ok((d.weight_nodes, d.runs.len()))
    })
}

/// The Monte Carlo runs of `factors_json` as a design CSV (without running them).
#[pyfunction]
pub(crate) fn sample_design(framework: &PyFramework, factors_json: &str, runs: usize, seed: u64) -> PyResult<String> {
    guard(|| {
        let factors = parse_factors(factors_json)?;
        Ok(ua::sample_design(&framework.inner, &factors, runs, seed)?.to_csv_string()?)
    })
}

fn stats_dict<'py>(py: Python<'py>, s: &RankStats) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("node", &s.node)?;
    d.set_item("nominal_score", s.nominal_score.to_pyarray(py))?;
    d.set_item("nominal_rank", s.nominal_rank.to_pyarray(py))?;
    d.set_item("mean", s.mean.to_pyarray(py))?;
    d.set_item("median", s.median.to_pyarray(py))?;
    d.set_item("p5", s.p5.to_pyarray(py))?;
    d.set_item("p95", s.p95.to_pyarray(py))?;
    d.set_item("mean_abs_shift", s.mean_abs_shift.to_pyarray(py))?;
    d.set_item("ranked_runs", s.ranked_runs.to_pyarray(py))?;
    Ok(d)
}

fn result_dict<'py>(py: Python<'py>, r: ua::UncertaintyResult) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("runs", r.runs)?;
    d.set_item("unit_ids", &r.unit_ids)?;
    d.set_item("index", stats_dict(py, &r.index)?)?;
    let nodes = PyList::empty(py);
    for s in &r.nodes {
        nodes.append(stats_dict(py, s)?)?;
    }
    d.set_item("nodes", nodes)?;
    let ranks = r.run_ranks(Ties::Min);
    match (r.run_scores, ranks) {
        (Some(s), Some(k)) => {
            d.set_item("run_scores", numpy::PyArray2::from_owned_array(py, s))?;
            d.set_item("run_ranks", numpy::PyArray2::from_owned_array(py, k))?;
        }
        _ => {
            d.set_item("run_scores", py.None())?;
            d.set_item("run_ranks", py.None())?;
        }
    }
    match r.design {
        Some(ds) => d.set_item("design", guard(|| Ok(ds.to_csv_string()?))?)?,
        None => d.set_item("design", py.None())?,
    }
    Ok(d)
}

/// Monte Carlo uncertainty analysis; `data` holds the dataset arguments of `score`.
/// Returns a dict: `runs, unit_ids, index, nodes, run_scores, run_ranks, design`.
#[pyfunction]
#[pyo3(signature = (framework, pipeline, data, factors_json, *, runs = 1000, seed = 0, nodes = None, keep_runs = false, record_design = false, progress = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn uncertainty<'py>(
    py: Python<'py>,
    framework: &PyFramework,
    pipeline: &PyPipeline,
    data: DataArgs<'_>,
    factors_json: &str,
    runs: usize,
    seed: u64,
    nodes: Option<Vec<String>>,
    keep_runs: bool,
    record_design: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let factors = guard(|| parse_factors(factors_json))?;
    let fw = &framework.inner;
    let pipe = &pipeline.inner;
    let opts = UncertaintyOptions {
        runs,
        seed,
        nodes: nodes.unwrap_or_default(),
        keep_runs,
        record_design,
        chunk: None,
    };
    let r = monitored(py, data, progress, |ds, m| Ok(ua::uncertainty(fw, ds, pipe, &factors, &opts, m)?))?;
    result_dict(py, r)
}

/// Replay a design CSV exactly. Returns the same dict as `uncertainty`.
#[pyfunction]
#[pyo3(signature = (framework, pipeline, data, design_csv, *, nodes = None, keep_runs = false, progress = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn replay<'py>(
    py: Python<'py>,
    framework: &PyFramework,
    pipeline: &PyPipeline,
    data: DataArgs<'_>,
    design_csv: &str,
    nodes: Option<Vec<String>>,
    keep_runs: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let design = guard(|| Ok(Design::from_csv_str(design_csv)?))?;
    let fw = &framework.inner;
    let pipe = &pipeline.inner;
    let opts = ReplayOptions {
        nodes: nodes.unwrap_or_default(),
        keep_runs,
        chunk: None,
    };
    let r = monitored(py, data, progress, |ds, m| Ok(ua::replay(fw, ds, pipe, &design, &opts, m)?))?;
    result_dict(py, r)
}
