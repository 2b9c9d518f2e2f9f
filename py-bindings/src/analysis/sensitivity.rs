//! Sobol sensitivity analysis (`zhili.analysis.sensitivity`).

use numpy::{PyArray1, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use zhili_core::analysis::sensitivity::{self as core_sa, Bootstrap, SaOutput, SensitivityOptions};
use zhili_core::Error;

use super::monitor::monitored;
use super::uncertainty::parse_factors;
use crate::data::DataArgs;
use crate::error::{guard, PyZhiliError};
use crate::framework::PyFramework;
use crate::pipeline::PyPipeline;

/// Sobol sensitivity analysis (Saltelli design, N(k + 2) runs). `output` is
/// `mean_abs_rank_shift`, `score` or `rank` (the last two of `unit`). Returns a dict:
/// `factors, first, total, first_lo, first_hi, total_lo, total_hi, first_se, total_se,
/// mean, variance, runs, outputs`.
#[pyfunction]
#[pyo3(signature = (framework, pipeline, data, factors_json, *, n = 1000, seed = 0, output = "mean_abs_rank_shift", unit = None, resamples = 1000, confidence = 0.95, progress = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sensitivity<'py>(
    py: Python<'py>,
    framework: &PyFramework,
    pipeline: &PyPipeline,
    data: DataArgs<'_>,
    factors_json: &str,
    n: usize,
    seed: u64,
    output: &str,
    unit: Option<String>,
    resamples: usize,
    confidence: f64,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let factors = guard(|| parse_factors(factors_json))?;
    let need_unit =
        |u: Option<String>| u.ok_or_else(|| PyZhiliError(Error::spec("sensitivity output", format!("output `{output}` needs a unit"))));
    let out = guard(|| match output {
        "mean_abs_rank_shift" => Ok(SaOutput::MeanAbsRankShift),
        "score" => Ok(SaOutput::Score(need_unit(unit)?)),
        "rank" => Ok(SaOutput::Rank(need_unit(unit)?)),
        other => Err(PyZhiliError(Error::spec(
            "sensitivity output",
            format!("unknown output `{other}` (expected mean_abs_rank_shift, score or rank)"),
        ))),
    })?;
    let fw = &framework.inner;
    let pipe = &pipeline.inner;
    let opts = SensitivityOptions {
        n,
        seed,
        output: out,
        bootstrap: Bootstrap {
            resamples,
            confidence,
            seed,
        },
        chunk: None,
    };
    let r = monitored(py, data, progress, |ds, m| {
        Ok(core_sa::sensitivity(fw, ds, pipe, &factors, &opts, m)?)
    })?;
    let d = PyDict::new(py);
    let ix = &r.indices;
    d.set_item("factors", &r.factors)?;
    d.set_item("first", ix.first.to_pyarray(py))?;
    d.set_item("total", ix.total.to_pyarray(py))?;
    let lo = |v: &[(f64, f64)]| v.iter().map(|c| c.0).collect::<Vec<_>>();
    let hi = |v: &[(f64, f64)]| v.iter().map(|c| c.1).collect::<Vec<_>>();
    d.set_item("first_lo", lo(&ix.first_ci).to_pyarray(py))?;
    d.set_item("first_hi", hi(&ix.first_ci).to_pyarray(py))?;
    d.set_item("total_lo", lo(&ix.total_ci).to_pyarray(py))?;
    d.set_item("total_hi", hi(&ix.total_ci).to_pyarray(py))?;
    d.set_item("first_se", ix.first_se.to_pyarray(py))?;
    d.set_item("total_se", ix.total_se.to_pyarray(py))?;
    d.set_item("mean", ix.mean)?;
    d.set_item("variance", ix.variance)?;
    d.set_item("runs", r.runs)?;
    d.set_item("outputs", PyArray1::from_vec(py, r.outputs))?;
    Ok(d)
}
