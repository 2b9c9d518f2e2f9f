//! Audit, Monte Carlo uncertainty, replay of run designs and Sobol sensitivity.
//!
//! Factors travel as JSON (the engine's serde `Factor` documents, tag `type`), so every
//! factor the engine supports works without binding code. Results come back as dicts of
//! numpy arrays; the Python package builds the DataFrames.
//!
//! Long analyses run on a worker thread with the GIL released. The calling (main) thread
//! watches it: every few milliseconds it takes the GIL, runs `check_signals` (so Ctrl-C
//! raises `KeyboardInterrupt`) and calls the Python progress callback with the engine's
//! latest `(done, total)`. An exception from either sets the engine's cancel flag; the run
//! stops at the next batch and the exception is raised.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use numpy::{PyArray1, PyReadonlyArray1, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use zhili_core::analysis::audit::{self as core_audit, AuditOptions, FlagKind, Method};
use zhili_core::analysis::sensitivity::{self as core_sa, Bootstrap, SaOutput, SensitivityOptions};
use zhili_core::analysis::uncertainty::{self as ua, AnalysisSpec, Design, Factor, Monitor, RankStats, ReplayOptions, UncertaintyOptions};
use zhili_core::{Dataset, Error, Ties};

use crate::error::{guard, InternalError, PyZResult, PyZhiliError};
use crate::framework::PyFramework;
use crate::pipeline::PyPipeline;
use crate::run::Values;

/// The data arguments, as the Python package prepares them for `score`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct DataArgs<'py> {
    unit_ids: crate::columns::UnitIds,
    indicator_ids: Vec<String>,
    values: Values<'py>,
    unit_names: Option<Vec<String>>,
    groups: Option<BTreeMap<String, Vec<Option<String>>>>,
    numeric: Option<BTreeMap<String, PyReadonlyArray1<'py, f64>>>,
    time: Option<Vec<i64>>,
}

/// Build the engine's dataset (one copy of the values); call with the GIL released.
fn build(
    unit_ids: Vec<String>,
    indicator_ids: Vec<String>,
    values: &crate::run::ValuesView<'_>,
    unit_names: Option<Vec<String>>,
    groups: Option<BTreeMap<String, Vec<Option<String>>>>,
    numeric: Vec<(String, ndarray::ArrayView1<'_, f64>)>,
    time: Option<Vec<i64>>,
) -> PyZResult<Dataset> {
    let values = values.to_owned()?;
    let mut ds = match time {
        Some(t) => Dataset::panel(unit_ids, t, indicator_ids, values)?,
        None => Dataset::new(unit_ids, indicator_ids, values)?,
    };
    if let Some(n) = unit_names {
        ds = ds.with_unit_names(n)?;
    }
    for (k, g) in groups.unwrap_or_default() {
        ds = ds.with_group(k, g)?;
    }
    for (k, v) in numeric {
        ds = ds.with_numeric(k, v.to_vec())?;
    }
    Ok(ds)
}

/// Build the dataset from `data` and run `work` on a worker thread with the GIL released,
/// watching for signals and reporting progress (see the module docs).
fn monitored<T: Send>(
    py: Python<'_>,
    data: DataArgs<'_>,
    progress: Option<Py<PyAny>>,
    work: impl FnOnce(&Dataset, Monitor<'_>) -> PyZResult<T> + Send,
) -> PyResult<T> {
    let DataArgs {
        unit_ids,
        indicator_ids,
        values,
        unit_names,
        groups,
        numeric,
        time,
    } = data;
    let view = values.view();
    let numeric_views: Vec<(String, ndarray::ArrayView1<'_, f64>)> = numeric
        .as_ref()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_array())).collect())
        .unwrap_or_default();
    let cancel = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let hook = |d: usize, t: usize| {
        total.store(t, Ordering::Relaxed);
        done.fetch_max(d, Ordering::Relaxed);
    };
    let mut py_err: Option<PyErr> = None;
    let finished = AtomicBool::new(false);
    let outcome = py.detach(|| {
        let caller = std::thread::current();
        std::thread::scope(|s| {
            let worker = s.spawn(|| {
                let r = catch_unwind(AssertUnwindSafe(|| {
                    let ds = build(unit_ids.0, indicator_ids, &view, unit_names, groups, numeric_views, time)?;
                    let monitor = Monitor {
                        progress: Some(&hook),
                        cancel: Some(&cancel),
                    };
                    work(&ds, monitor)
                }));
                finished.store(true, Ordering::Release);
                caller.unpark();
                r
            });
            let mut last = 0usize;
            let mut tick = |final_tick: bool, py_err: &mut Option<PyErr>| {
                Python::attach(|py| {
                    if py_err.is_some() {
                        return;
                    }
                    if !final_tick {
                        if let Err(e) = py.check_signals() {
                            *py_err = Some(e);
                            cancel.store(true, Ordering::Relaxed);
                            return;
                        }
                    }
                    let d = done.load(Ordering::Relaxed);
                    if d != last {
                        last = d;
                        if let Some(cb) = &progress {
                            if let Err(e) = cb.call1(py, (d, total.load(Ordering::Relaxed))) {
                                *py_err = Some(e);
                                cancel.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                });
            };
            while !finished.load(Ordering::Acquire) {
                std::thread::park_timeout(Duration::from_millis(20));
                if !finished.load(Ordering::Acquire) {
                    tick(false, &mut py_err);
                }
            }
            let r = worker.join();
            tick(true, &mut py_err);
            r
        })
    });
    if let Some(e) = py_err {
        return Err(e);
    }
    match outcome {
        Ok(Ok(r)) => r.map_err(PyErr::from),
        Ok(Err(payload)) | Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(InternalError::new_err(format!(
                "internal error (a bug in zhili, please report it): {what}"
            )))
        }
    }
}

fn parse_factors(json: &str) -> PyZResult<Vec<Factor>> {
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

/// Sobol sensitivity analysis (Saltelli design, N(k + 2) runs). `output` is
/// `mean_abs_rank_shift`, `score` or `rank` (the last two of `unit`). Returns a dict:
/// `factors, first, total, first_lo, first_hi, total_lo, total_hi, first_se, total_se,
/// mean, variance, runs, outputs`.
#[pyfunction]
#[pyo3(signature = (framework, pipeline, data, factors_json, *, n = 1000, seed = 0, output = "mean_abs_rank_shift", unit = None, resamples = 1000, confidence = 0.95, progress = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sensitivity<'py>(
    py: Python<'py>,
    framework: &PyFramework,
    pipeline: &PyPipeline,
    data: DataArgs<'_>,
    factors_json: &str,
    n: usize,
    seed: u64,
    output: &str,
    unit: Option<String>,
    resamples: usize,
    confidence: f64,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let factors = guard(|| parse_factors(factors_json))?;
    let need_unit =
        |u: Option<String>| u.ok_or_else(|| PyZhiliError(Error::spec("sensitivity output", format!("output `{output}` needs a unit"))));
    let out = guard(|| match output {
        "mean_abs_rank_shift" => Ok(SaOutput::MeanAbsRankShift),
        "score" => Ok(SaOutput::Score(need_unit(unit)?)),
        "rank" => Ok(SaOutput::Rank(need_unit(unit)?)),
        other => Err(PyZhiliError(Error::spec(
            "sensitivity output",
            format!("unknown output `{other}` (expected mean_abs_rank_shift, score or rank)"),
        ))),
    })?;
    let fw = &framework.inner;
    let pipe = &pipeline.inner;
    let opts = SensitivityOptions {
        n,
        seed,
        output: out,
        bootstrap: Bootstrap {
            resamples,
            confidence,
            seed,
        },
        chunk: None,
    };
    let r = monitored(py, data, progress, |ds, m| {
        Ok(core_sa::sensitivity(fw, ds, pipe, &factors, &opts, m)?)
    })?;
    let d = PyDict::new(py);
    let ix = &r.indices;
    d.set_item("factors", &r.factors)?;
    d.set_item("first", ix.first.to_pyarray(py))?;
    d.set_item("total", ix.total.to_pyarray(py))?;
    let lo = |v: &[(f64, f64)]| v.iter().map(|c| c.0).collect::<Vec<_>>();
    let hi = |v: &[(f64, f64)]| v.iter().map(|c| c.1).collect::<Vec<_>>();
    d.set_item("first_lo", lo(&ix.first_ci).to_pyarray(py))?;
    d.set_item("first_hi", hi(&ix.first_ci).to_pyarray(py))?;
    d.set_item("total_lo", lo(&ix.total_ci).to_pyarray(py))?;
    d.set_item("total_hi", hi(&ix.total_ci).to_pyarray(py))?;
    d.set_item("first_se", ix.first_se.to_pyarray(py))?;
    d.set_item("total_se", ix.total_se.to_pyarray(py))?;
    d.set_item("mean", ix.mean)?;
    d.set_item("variance", ix.variance)?;
    d.set_item("runs", r.runs)?;
    d.set_item("outputs", PyArray1::from_vec(py, r.outputs))?;
    Ok(d)
}

/// Statistical audit. Returns a dict: `stage, unit_ids, coverage, stats` (columns),
/// `structure` (list of per-node dicts), `flags`, `importance`, `remove_one` (columns).
#[pyfunction]
#[pyo3(signature = (framework, pipeline, data, *, method = "pearson", collinear = 0.9, stage = None, remove_one = true))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn audit<'py>(
    py: Python<'py>,
    framework: &PyFramework,
    pipeline: &PyPipeline,
    data: DataArgs<'_>,
    method: &str,
    collinear: f64,
    stage: Option<String>,
    remove_one: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let method = guard(|| match method {
        "pearson" => Ok(Method::Pearson),
        "spearman" => Ok(Method::Spearman),
        other => Err(PyZhiliError(Error::spec(
            "audit method",
            format!("unknown correlation method `{other}` (expected pearson or spearman)"),
        ))),
    })?;
    let opts = AuditOptions {
        method,
        collinear,
        stage,
        remove_one,
        ..AuditOptions::default()
    };
    let fw = &framework.inner;
    let pipe = &pipeline.inner;
    let r = monitored(py, data, None, |ds, _| Ok(core_audit::audit(fw, ds, pipe, &opts)?))?;
    let d = PyDict::new(py);
    d.set_item("stage", &r.stage)?;
    d.set_item("unit_ids", &r.unit_ids)?;
    d.set_item("coverage", r.coverage.to_pyarray(py))?;
    let st = PyDict::new(py);
    let s = &r.stats;
    macro_rules! col {
        ($dict:expr, $rows:expr, $($f:ident),*) => {
            $( $dict.set_item(stringify!($f), $rows.iter().map(|x| x.$f.clone()).collect::<Vec<_>>())?; )*
        };
    }
    col!(
        st,
        s,
        id,
        min,
        max,
        mean,
        median,
        sd,
        skew,
        kurtosis,
        n_avail,
        n_nonzero,
        n_unique,
        n_same,
        frc_avail,
        frc_nonzero,
        frc_unique,
        frc_same,
        low_avail,
        low_nonzero,
        low_unique,
        outlier
    );
    d.set_item("stats", st)?;
    let structure = PyList::empty(py);
    for n in &r.structure {
        let e = PyDict::new(py);
        e.set_item("node", &n.node)?;
        e.set_item("children", &n.children)?;
        e.set_item("correlations", numpy::PyArray2::from_array(py, &n.correlations))?;
        e.set_item("alpha", n.alpha)?;
        match &n.pca {
            Some(p) => {
                e.set_item("eigenvalues", &p.eigenvalues)?;
                e.set_item("explained", &p.explained)?;
                e.set_item("loadings", &p.loadings)?;
            }
            None => {
                e.set_item("eigenvalues", py.None())?;
                e.set_item("explained", py.None())?;
                e.set_item("loadings", py.None())?;
            }
        }
        structure.append(e)?;
    }
    d.set_item("structure", structure)?;
    let fl = PyDict::new(py);
    fl.set_item(
        "kind",
        r.flags
            .iter()
            .map(|f| match f.kind {
                FlagKind::Collinear => "collinear",
                FlagKind::NegativeWithParent => "negative_with_parent",
                FlagKind::Denominator => "denominator",
            })
            .collect::<Vec<_>>(),
    )?;
    col!(fl, r.flags, a, b, r);
    d.set_item("flags", fl)?;
    let im = PyDict::new(py);
    col!(
        im,
        r.importance,
        node,
        parent,
        effective_weight,
        r2_parent,
        r2_index,
        r2_index_share,
        eta2_parent,
        eta2_index,
        eta2_index_share
    );
    d.set_item("importance", im)?;
    let ro = PyDict::new(py);
    col!(ro, r.remove_one, node, mean_abs_rank_shift, max_abs_rank_shift);
    d.set_item("remove_one", ro)?;
    Ok(d)
}
