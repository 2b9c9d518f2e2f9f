//! Python bindings of zhili: the native module `zhili._native`.
//!
//! Thin by design: values are pulled into Rust, the GIL is released while the engine
//! computes (`py.detach`), results come back as numpy arrays that borrow the engine's
//! memory. Pipelines built in Python travel as their JSON document. The Python package
//! (`python/zhili/`) adds pandas in and out, `repr`s and Jupyter rendering.

mod analysis;
mod error;
mod fit;
mod framework;
mod json;
mod methods;
mod pipeline;
mod read;
mod run;
mod uncertainty;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::error::guard;

/// Read a text file, detecting its encoding (UTF-8 with or without BOM, GBK / GB18030,
/// UTF-16 with BOM). Returns `(text, encoding)` with encoding `utf-8`, `gb18030` or `utf-16`.
#[pyfunction]
fn read_text(path: std::path::PathBuf) -> PyResult<(String, &'static str)> {
    guard(|| {
        let (text, enc) = zhili::io::read_text(&path)?;
        Ok((text, enc.name()))
    })
}

/// Decode bytes as [`read_text`] does; `file` names the source in errors.
#[pyfunction]
#[pyo3(signature = (data, file = "<bytes>"))]
fn decode(data: &[u8], file: &str) -> PyResult<(String, &'static str)> {
    guard(|| {
        let (text, enc) = zhili::io::decode(data, file)?;
        Ok((text, enc.name()))
    })
}

/// The bundled frameworks: a list of dicts `name, description, default (bool), framework
/// (TOML text), pipeline (TOML text or None), grading (TOML text or None), datasets` where
/// `datasets` lists dicts `name, description, csv, unit_column, name_column, time_column`
/// (the first is the default sample).
#[pyfunction]
fn bundled(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for b in zhili_indicators::CATALOGUE {
        let d = PyDict::new(py);
        d.set_item("name", b.name)?;
        d.set_item("description", b.description)?;
        d.set_item("description_zh", b.description_zh)?;
        d.set_item("default", b.name == zhili_indicators::DEFAULT)?;
        d.set_item("framework", b.framework)?;
        d.set_item("pipeline", b.pipeline)?;
        d.set_item("grading", b.grading)?;
        let ds = PyList::empty(py);
        for s in b.datasets {
            let e = PyDict::new(py);
            e.set_item("name", s.name)?;
            e.set_item("description", s.description)?;
            e.set_item("csv", s.csv)?;
            e.set_item("unit_column", s.unit_column)?;
            e.set_item("name_column", s.name_column)?;
            e.set_item("time_column", s.time_column)?;
            ds.append(e)?;
        }
        d.set_item("datasets", ds)?;
        list.append(d)?;
    }
    Ok(list)
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    error::register(m)?;
    m.add_class::<framework::PyFramework>()?;
    m.add_class::<pipeline::PyPipeline>()?;
    m.add_class::<run::PyRun>()?;
    m.add_class::<fit::PyFittedPipeline>()?;
    m.add_class::<fit::PyPartialFit>()?;
    m.add_function(wrap_pyfunction!(fit::_partial_fit_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(fit::fit, m)?)?;
    m.add_function(wrap_pyfunction!(fit::_fitted_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(run::score, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::criteria_weights, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::group_weights, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::grade, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::grading_spec, m)?)?;
    m.add_function(wrap_pyfunction!(methods::ahp_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(methods::ahp_group, m)?)?;
    m.add_function(wrap_pyfunction!(methods::ahp_framework, m)?)?;
    m.add_function(wrap_pyfunction!(methods::pca_weights, m)?)?;
    m.add_function(wrap_pyfunction!(methods::bod, m)?)?;
    m.add_function(wrap_pyfunction!(methods::combine_weights, m)?)?;
    m.add_function(wrap_pyfunction!(methods::coupling, m)?)?;
    m.add_function(wrap_pyfunction!(methods::obstacles, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::uncertainty, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::replay, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::audit, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::analysis_spec, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::coinr_design, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::design_info, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::sample_design, m)?)?;
    m.add_function(wrap_pyfunction!(read_text, m)?)?;
    m.add_function(wrap_pyfunction!(read::read_table, m)?)?;
    m.add_function(wrap_pyfunction!(read::check_dataset, m)?)?;
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(bundled, m)?)?;
    m.add_function(wrap_pyfunction!(framework::_framework_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(pipeline::_pipeline_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(run::_run_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(run::_debug_panic, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
