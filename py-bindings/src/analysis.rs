//! Weighting methods and grading. Method specifications travel as their JSON documents
//! (`{"method": "entropy", ...}`, `{"type": "fixed", "thresholds": [...], "labels": [...]}`),
//! results come back as JSON, so every option the engine gains works without new binding code.

use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use zhili_core::analysis::Grading;
use zhili_core::weight::{group_weights as core_group_weights, WeightMethod};
use zhili_core::Aggregate;

use crate::error::guard;
use crate::framework::PyFramework;
use crate::json::{parse, to_json};

/// Weights of the columns of `values` (units × criteria) by a data-driven method
/// (`method_json`, e.g. `{"method": "entropy"}`); returns the result as JSON
/// (`method, criteria, weights, notes`). The GIL is released while computing.
#[pyfunction]
#[pyo3(signature = (values, names, directions, method_json, unit_ids = None))]
pub(crate) fn criteria_weights(
    py: Python<'_>,
    values: PyReadonlyArray2<'_, f64>,
    names: Vec<String>,
    directions: Vec<String>,
    method_json: &str,
    unit_ids: Option<Vec<String>>,
) -> PyResult<String> {
    let x = values.as_array();
    py.detach(|| {
        guard(|| {
            let method: WeightMethod = parse("weighting method", method_json)?;
            let crit = crate::methods::criteria(names, &directions, unit_ids, x.ncols())?;
            to_json("weights", &method.compute(x, &crit)?)
        })
    })
}

/// Data-driven weights for every sibling group of a framework, bottom-up (children's
/// scores aggregated with `aggregate_json`, default arithmetic). `values` is units ×
/// framework indicators. Returns `[(node id, weight)]`, ready for `with_weights`.
#[pyfunction]
#[pyo3(signature = (framework, values, method_json, aggregate_json = None, unit_ids = None))]
pub(crate) fn group_weights(
    py: Python<'_>,
    framework: &PyFramework,
    values: PyReadonlyArray2<'_, f64>,
    method_json: &str,
    aggregate_json: Option<&str>,
    unit_ids: Option<Vec<String>>,
) -> PyResult<Vec<(String, f64)>> {
    let x = values.as_array();
    let fw = &framework.inner;
    py.detach(|| {
        guard(|| {
            let method: WeightMethod = parse("weighting method", method_json)?;
            let agg: Aggregate = match aggregate_json {
                Some(s) => parse("aggregate step", s)?,
                None => Aggregate::default(),
            };
            let ws = core_group_weights(fw, x, &method, &agg, unit_ids.as_deref())?;
            Ok(ws.weights.into_iter().collect())
        })
    })
}

/// Grade a score column (`grading_json`: breaks + labels, lowest band first); returns the
/// result as JSON (`thresholds, bands, labels, counts`).
#[pyfunction]
pub(crate) fn grade(scores: PyReadonlyArray1<'_, f64>, grading_json: &str) -> PyResult<String> {
    let s = scores.as_array();
    guard(|| {
        let g: Grading = parse("grading", grading_json)?;
        to_json("grading", &g.apply(s)?)
    })
}

/// Parse a grading document (TOML text; `name` names it in errors) and return it as JSON
/// (`id, name {zh, en}, bands [{id, name, min}]`, highest band first), checked.
#[pyfunction]
pub(crate) fn grading_spec(text: &str, name: &str) -> PyResult<String> {
    guard(|| {
        let g = zhili_indicators::GradingSpec::from_toml_str(text, name)?;
        g.check()?;
        to_json("grading", &g)
    })
}
