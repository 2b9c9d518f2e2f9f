//! Python bindings of zhili: the native module `zhili._native`.
//!
//! Thin by design: values are pulled into Rust, the GIL is released while the engine
//! computes (`py.detach`), results come back as numpy arrays that borrow the engine's
//! memory. Pipelines built in Python travel as their JSON document. The Python package
//! (`python/zhili/`) adds pandas in and out, `repr`s and Jupyter rendering.

// One file (or folder) per Rust module wrapped, named after it: `framework`, `data`
// (dataset building, in one place), `pipeline` (its `score` driver and the `run` it
// returns), `weight`, `analysis/…`, `io`, `indicators`; `error` and `json` are the glue.
mod analysis;
mod columns;
mod data;
mod error;
mod fit;
mod framework;
mod indicators;
mod io;
mod json;
mod memory;
mod pipeline;
mod shared;
mod weight;

use pyo3::prelude::*;

use crate::analysis::{audit, coupling, grading, obstacle, sensitivity, uncertainty};
use crate::pipeline::{run, score};

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    error::register(m)?;
    m.add_class::<framework::PyFramework>()?;
    m.add_class::<pipeline::PyPipeline>()?;
    m.add_class::<run::PyRun>()?;
    m.add_class::<fit::PyFittedPipeline>()?;
    m.add_class::<fit::PyPartialFit>()?;
    m.add_function(wrap_pyfunction!(fit::fit, m)?)?;
    m.add_function(wrap_pyfunction!(fit::_fitted_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(fit::_partial_fit_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(score::score, m)?)?;
    m.add_function(wrap_pyfunction!(memory::set_max_memory, m)?)?;
    m.add_function(wrap_pyfunction!(memory::max_memory, m)?)?;
    m.add_function(wrap_pyfunction!(weight::criteria_weights, m)?)?;
    m.add_function(wrap_pyfunction!(weight::group_weights, m)?)?;
    m.add_function(wrap_pyfunction!(grading::grade, m)?)?;
    m.add_function(wrap_pyfunction!(grading::grading_spec, m)?)?;
    m.add_function(wrap_pyfunction!(weight::ahp_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(weight::ahp_group, m)?)?;
    m.add_function(wrap_pyfunction!(weight::ahp_framework, m)?)?;
    m.add_function(wrap_pyfunction!(weight::pca_weights, m)?)?;
    m.add_function(wrap_pyfunction!(weight::bod, m)?)?;
    m.add_function(wrap_pyfunction!(weight::combine_weights, m)?)?;
    m.add_function(wrap_pyfunction!(coupling::coupling, m)?)?;
    m.add_function(wrap_pyfunction!(obstacle::obstacles, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::uncertainty, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::replay, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity::sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(audit::audit, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::analysis_spec, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::coinr_design, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::design_info, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::sample_design, m)?)?;
    m.add_function(wrap_pyfunction!(io::read_text, m)?)?;
    m.add_function(wrap_pyfunction!(io::read_table, m)?)?;
    m.add_function(wrap_pyfunction!(io::check_dataset, m)?)?;
    m.add_function(wrap_pyfunction!(io::decode, m)?)?;
    m.add_function(wrap_pyfunction!(indicators::bundled, m)?)?;
    m.add_function(wrap_pyfunction!(indicators::derive_grid_events, m)?)?;
    m.add_function(wrap_pyfunction!(indicators::roll_up_households, m)?)?;
    m.add_function(wrap_pyfunction!(framework::_framework_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(pipeline::_pipeline_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(run::_run_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(score::_debug_panic, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
