//! `zhili._native.score`: build the dataset, run the pipeline with the GIL released.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use zhili_core::pipeline::Step;

use super::run::{result_rows_of, Lazy, PyRun};
use super::PyPipeline;
use crate::columns::UnitIds;
use crate::data::{DatasetParts, Values};
use crate::error::guard;
use crate::framework::PyFramework;

/// Score a dataset: build it from arrays, run the pipeline with the GIL released.
///
/// `keep_stages = None` (the default) streams columns through the steps
/// (`Pipeline::score`: the aggregate scores, their ranks and the log) and keeps the
/// dataset and pipeline, so that every node's scores (`Pipeline::score_every_node`) and
/// the stages are built on first access, as `keep_stages = true` builds them up front
/// (`Pipeline::run`; also the default for a pipeline that screens, which cannot stream).
/// `keep_stages = false` streams and keeps the aggregate scores and the log only.
///
/// `values` is units × `indicator_ids` (float64, NaN = missing); it is read in place
/// (no copy on the Python side) and borrowed by the engine's dataset where its layout allows
/// (a contiguous float64 column; int64 or C-order input is copied once).
#[pyfunction]
#[pyo3(signature = (framework, pipeline, unit_ids, indicator_ids, values, *, unit_names = None, groups = None, numeric = None, time = None, weights = None, keep_stages = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn score(
    py: Python<'_>,
    framework: &PyFramework,
    pipeline: &PyPipeline,
    unit_ids: UnitIds,
    indicator_ids: Vec<String>,
    values: Values<'_>,
    unit_names: Option<Vec<String>>,
    groups: Option<BTreeMap<String, Vec<Option<String>>>>,
    numeric: Option<BTreeMap<String, PyReadonlyArray1<'_, f64>>>,
    time: Option<Vec<i64>>,
    weights: Option<BTreeMap<String, f64>>,
    keep_stages: Option<bool>,
) -> PyResult<PyRun> {
    let UnitIds(unit_ids) = unit_ids;
    let parts = DatasetParts::new(unit_ids, indicator_ids, &values, unit_names, groups, numeric.as_ref(), time.clone());
    let fw_in = &framework.inner;
    let pipe = &pipeline.inner;
    // on a worker thread, so Ctrl-C stops a long run (e.g. Copeland on many units)
    crate::analysis::monitor::interruptible(py, move || {
        let fw = match &weights {
            Some(w) => fw_in.with_weights(w.iter().map(|(k, v)| (k.as_str(), *v)))?,
            None => fw_in.clone(),
        };
        let t_build = std::time::Instant::now();
        let ds = parts.build()?;
        let build_seconds = t_build.elapsed().as_secs_f64();
        let t0 = std::time::Instant::now();
        let ds = Arc::new(ds);
        let screens = pipe.steps.iter().any(|s| matches!(s, Step::Screen(_)));
        let (run, lazy) = match keep_stages {
            Some(true) => (pipe.run(&fw, &ds)?, None),
            Some(false) => (pipe.score(&fw, &ds)?, None),
            None if screens => (pipe.run(&fw, &ds)?, None),
            None => {
                let run = pipe.score(&fw, &ds)?;
                let lazy = Lazy {
                    pipeline: pipe.clone(),
                    dataset: Arc::clone(&ds),
                    stages: OnceLock::new(),
                    every: Some(OnceLock::new()),
                };
                (run, Some(lazy))
            }
        };
        let core_seconds = t0.elapsed().as_secs_f64();
        Ok(PyRun {
            rows: result_rows_of(&run, ds.unit_ids()),
            run,
            // the dataset's ids, shared (not a copy of 100,000 strings)
            units: ds.unit_ids_shared(),
            time,
            framework: fw,
            core_seconds,
            build_seconds,
            lazy,
            inputs: Some((ds, pipe.clone())),
        })
    })
}

/// Test hook: panics inside the guard, to show a panic surfaces as `InternalError`.
#[pyfunction]
pub(crate) fn _debug_panic() -> PyResult<()> {
    guard(|| -> crate::error::PyZResult<()> { panic!("deliberate panic for tests") })
}
