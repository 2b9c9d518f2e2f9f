//! `zhili._native.Pipeline`: a checked list of steps; its drivers [`score`] (stream or
//! keep stages) and the [`run`] it returns.
//!
//! Steps built in Python go through the pipeline's JSON document, so every step and
//! option the engine knows is available without binding code of its own.

pub(crate) mod run;
pub(crate) mod score;

use pyo3::prelude::*;
use zhili_core::Pipeline;

use crate::error::guard;

/// A checked pipeline (immutable).
#[pyclass(name = "Pipeline", module = "zhili._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyPipeline {
    pub(crate) inner: Pipeline,
}

#[pymethods]
impl PyPipeline {
    /// The default pipeline: denominate → mean imputation → min-max [0, 100] → arithmetic mean.
    #[staticmethod]
    fn default() -> Self {
        PyPipeline {
            inner: Pipeline::default(),
        }
    }

    /// Parse and check a TOML document; `file` names the source in errors.
    #[staticmethod]
    #[pyo3(signature = (text, file = "<pipeline>"))]
    fn from_toml(text: &str, file: &str) -> PyResult<Self> {
        guard(|| {
            Ok(PyPipeline {
                inner: Pipeline::from_toml_named(text, file)?,
            })
        })
    }

    /// Parse and check a JSON document.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        guard(|| {
            Ok(PyPipeline {
                inner: Pipeline::from_json_str(text)?,
            })
        })
    }

    /// The pipeline document as TOML.
    fn to_toml(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_toml_string()?))
    }

    /// The pipeline document as pretty JSON.
    fn to_json(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_json_string()?))
    }

    /// The step types in order, e.g. `["denominate", "impute", ..., "aggregate"]`.
    fn step_types(&self) -> Vec<String> {
        self.inner.steps.iter().map(|s| s.type_name().to_owned()).collect()
    }

    fn __repr__(&self) -> String {
        format!("<zhili._native.Pipeline {}>", self.step_types().join(" → "))
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let f = py.import("zhili._native")?.getattr("_pipeline_from_json")?.unbind();
        Ok((f, (self.to_json()?,)))
    }
}

/// Unpickle helper.
#[pyfunction]
pub(crate) fn _pipeline_from_json(text: &str) -> PyResult<PyPipeline> {
    PyPipeline::from_json(text)
}
