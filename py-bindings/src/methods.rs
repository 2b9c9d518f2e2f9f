//! The method registries (`zhili_core::methods`): every normalisation, aggregation and
//! weighting method, for `zhili.methods()` and the step docstrings.

use pyo3::prelude::*;

use crate::error::guard;
use crate::json::to_json;

/// Every built-in method as JSON: `[{family, name, about, example}]`, family by family in
/// registry order.
#[pyfunction]
pub(crate) fn methods() -> PyResult<String> {
    guard(|| to_json("methods", &zhili_core::methods::catalogue()))
}
