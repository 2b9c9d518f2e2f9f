//! Obstacle degrees (`zhili.analysis.obstacle_degree`).

use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;
use zhili_core::analysis::obstacle_degree_framework;

use crate::error::guard;
use crate::framework::PyFramework;

/// Obstacle degrees of every framework node (`values`: units × framework indicators of
/// normalised scores on [0, `max`]); returns `(node ids, units × nodes degrees)`, the
/// indicators of a unit summing to 1.
#[pyfunction]
#[pyo3(signature = (framework, values, max, unit_ids = None))]
pub(crate) fn obstacles<'py>(
    py: Python<'py>,
    framework: &PyFramework,
    values: PyReadonlyArray2<'py, f64>,
    max: f64,
    unit_ids: Option<Vec<String>>,
) -> PyResult<(Vec<String>, Bound<'py, PyArray2<f64>>)> {
    let x = values.as_array();
    let fw = &framework.inner;
    let o = py.detach(|| guard(|| Ok(obstacle_degree_framework(fw, x, max, unit_ids.as_deref())?)))?;
    Ok((o.nodes, o.degree.into_pyarray(py)))
}
