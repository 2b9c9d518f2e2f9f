//! Coupling coordination between subsystems (`zhili.analysis.coupling_coordination`).

use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use zhili_core::analysis::{coupling_coordination as core_coupling, CouplingOptions};

use crate::error::guard;
use crate::json::{parse, to_json};

/// Coupling coordination of the columns of `u` (units × subsystems, on [0, 1]);
/// `options_json`: the engine's `CouplingOptions`. Returns `CouplingResult` as JSON
/// (`c, t, d` as arrays, `band`).
#[pyfunction]
#[pyo3(signature = (u, options_json, unit_ids = None))]
pub(crate) fn coupling(
    py: Python<'_>,
    u: PyReadonlyArray2<'_, f64>,
    options_json: &str,
    unit_ids: Option<Vec<String>>,
) -> PyResult<String> {
    let x = u.as_array();
    py.detach(|| {
        guard(|| {
            let opts: CouplingOptions = parse("coupling options", options_json)?;
            to_json("coupling result", &core_coupling(x, &opts, unit_ids.as_deref())?)
        })
    })
}
