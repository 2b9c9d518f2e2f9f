//! Grading of scores into bands (`zhili.grade`, `zhili.Grading`).

use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use zhili_core::analysis::Grading;

use crate::error::guard;
use crate::json::{parse, to_json};

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
