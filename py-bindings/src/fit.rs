//! `zhili._native.FittedPipeline` and `fit`: fit once, apply anywhere.
//!
//! The fitted pipeline travels as its JSON document (pickling, Dask); applying it goes
//! through `score` with the fitted framework and the frozen pipeline, so results are the
//! ones `zhili.score` gives.

use std::collections::BTreeMap;

use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use zhili_core::fit::{FitOptions, FittedPipeline, PartialFit};

use crate::columns::UnitIds;
use crate::data::{DatasetParts, Values};
use crate::error::{guard, PyZResult};
use crate::framework::PyFramework;
use crate::pipeline::PyPipeline;

/// A pipeline fitted on one dataset (immutable): frozen steps, the framework with fitted
/// weights, grading thresholds.
#[pyclass(name = "FittedPipeline", module = "zhili._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyFittedPipeline {
    pub(crate) inner: FittedPipeline,
}

#[pymethods]
impl PyFittedPipeline {
    /// Parse and validate a JSON document.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        guard(|| {
            Ok(PyFittedPipeline {
                inner: FittedPipeline::from_json_str(text)?,
            })
        })
    }

    /// Parse and validate a TOML document.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<Self> {
        guard(|| {
            Ok(PyFittedPipeline {
                inner: FittedPipeline::from_toml_str(text)?,
            })
        })
    }

    /// The document as pretty JSON.
    fn to_json(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_json_string()?))
    }

    /// The document as TOML.
    fn to_toml(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_toml_string()?))
    }

    /// The framework to score with (fitted weights applied).
    fn framework(&self) -> PyResult<PyFramework> {
        guard(|| {
            Ok(PyFramework {
                inner: self.inner.framework()?,
            })
        })
    }

    /// The frozen pipeline.
    fn pipeline(&self) -> PyPipeline {
        PyPipeline {
            inner: self.inner.pipeline.clone(),
        }
    }

    fn __repr__(&self) -> String {
        let steps: Vec<&str> = self.inner.pipeline.steps.iter().map(|s| s.type_name()).collect();
        format!(
            "<zhili._native.FittedPipeline {} (fitted on {} units)>",
            steps.join(" → "),
            self.inner.fitted_on.units
        )
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let f = py.import("zhili._native")?.getattr("_fitted_from_json")?.unbind();
        Ok((f, (self.to_json()?,)))
    }
}

/// Unpickle helper.
#[pyfunction]
pub(crate) fn _fitted_from_json(text: &str) -> PyResult<PyFittedPipeline> {
    PyFittedPipeline::from_json(text)
}

/// Fit a pipeline on a dataset (built from arrays as in `score`); `options` is the JSON of
/// `FitOptions` (`weights`, `weight_stage`, `grading`). The GIL is released while fitting.
#[pyfunction]
#[pyo3(signature = (framework, pipeline, unit_ids, indicator_ids, values, *, unit_names = None, groups = None, numeric = None, time = None, options = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit(
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
    options: Option<&str>,
) -> PyResult<PyFittedPipeline> {
    let parts = DatasetParts::new(unit_ids.0, indicator_ids, &values, unit_names, groups, numeric.as_ref(), time);
    let fw = &framework.inner;
    let pipe = &pipeline.inner;
    py.detach(move || {
        guard(|| {
            let opts = parse_options(options)?;
            let ds = parts.build()?;
            Ok(PyFittedPipeline {
                inner: pipe.fit_with(fw, &ds, &opts)?,
            })
        })
    })
}

/// A fit accumulated over row batches and merged across workers (see `zhili_core::fit::PartialFit`).
#[pyclass(name = "PartialFit", module = "zhili._native")]
#[derive(Debug, Clone)]
pub(crate) struct PyPartialFit {
    inner: PartialFit,
}

#[pymethods]
impl PyPartialFit {
    /// An empty partial fit; `options` is the JSON of the fit options (data-driven weights,
    /// their stage, fixed grading thresholds).
    #[new]
    #[pyo3(signature = (framework, pipeline, options = None))]
    fn new(framework: &PyFramework, pipeline: &PyPipeline, options: Option<&str>) -> PyResult<Self> {
        guard(|| {
            let opts = parse_options(options)?;
            Ok(PyPartialFit {
                inner: PartialFit::new(&framework.inner, &pipeline.inner, &opts)?,
            })
        })
    }

    /// Add a batch of rows (arrays as in `score`); the GIL is released.
    #[pyo3(signature = (unit_ids, indicator_ids, values, *, unit_names = None, groups = None, numeric = None, time = None))]
    #[allow(clippy::too_many_arguments)]
    fn update(
        &mut self,
        py: Python<'_>,
        unit_ids: UnitIds,
        indicator_ids: Vec<String>,
        values: Values<'_>,
        unit_names: Option<Vec<String>>,
        groups: Option<BTreeMap<String, Vec<Option<String>>>>,
        numeric: Option<BTreeMap<String, PyReadonlyArray1<'_, f64>>>,
        time: Option<Vec<i64>>,
    ) -> PyResult<()> {
        let parts = DatasetParts::new(unit_ids.0, indicator_ids, &values, unit_names, groups, numeric.as_ref(), time);
        let inner = &mut self.inner;
        py.detach(move || {
            guard(|| {
                let ds = parts.build()?;
                inner.update(&ds)?;
                Ok(())
            })
        })
    }

    /// Merge another partial fit into this one.
    fn merge(&mut self, other: PyPartialFit) -> PyResult<()> {
        guard(|| Ok(self.inner.merge(&other.inner)?))
    }

    /// Passes over the data still needed after this one (data-driven weights: one per level).
    fn passes_left(&self) -> PyResult<usize> {
        guard(|| Ok(self.inner.passes_left()?))
    }

    /// Decide this pass from the merged statistics; the empty partial fit of the next pass.
    fn advance(&self) -> PyResult<Self> {
        guard(|| {
            Ok(PyPartialFit {
                inner: self.inner.advance()?,
            })
        })
    }

    /// The fitted pipeline.
    fn finish(&self) -> PyResult<PyFittedPipeline> {
        guard(|| {
            Ok(PyFittedPipeline {
                inner: self.inner.finish()?,
            })
        })
    }

    /// The state as JSON (exact: every partial sum is kept).
    fn to_json(&self) -> PyResult<String> {
        guard(|| serde_json::to_string(&self.inner).map_err(|e| zhili_core::Error::spec("partial fit", e.to_string()).into()))
    }

    /// A partial fit from [`PyPartialFit::to_json`].
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        guard(|| {
            let inner: PartialFit =
                serde_json::from_str(text).map_err(|e| zhili_core::Error::parse("<partial fit>", Some(e.line()), None, e.to_string()))?;
            Ok(PyPartialFit { inner })
        })
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let f = py.import("zhili._native")?.getattr("_partial_fit_from_json")?.unbind();
        Ok((f, (self.to_json()?,)))
    }
}

/// Unpickle helper.
#[pyfunction]
pub(crate) fn _partial_fit_from_json(text: &str) -> PyResult<PyPartialFit> {
    PyPartialFit::from_json(text)
}

fn parse_options(options: Option<&str>) -> PyZResult<FitOptions> {
    Ok(match options {
        Some(s) => serde_json::from_str(s)
            .map_err(|e| zhili_core::Error::spec("fit options", format!("{e} (fields: weights, weight_stage, grading)")))?,
        None => FitOptions::default(),
    })
}
