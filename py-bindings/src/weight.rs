//! Weighting methods (`zhili_core::weight`): data-driven weights of criteria and of a
//! framework's sibling groups, AHP, PCA details, benefit of the doubt, combinations.
//! Options travel as JSON documents (the engine's serde forms, e.g.
//! `{"method": "entropy", ...}`), results come back as JSON (matrices as
//! `{"v", "dim", "data"}`, row-major) except where a numpy array is cheaper, so every option
//! the engine gains works without new binding code. Heavy work (LPs, eigen-decompositions)
//! runs with the GIL released.

use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;
use zhili_core::weight::{
    ahp, benefit_of_the_doubt, combine, group_geometric_mean, group_weights as core_group_weights, pca, AhpOptions, AhpSpec, BodOptions,
    Combination, Criteria, PcaOptions, WeightMethod, WeightResult,
};
use zhili_core::{Aggregate, Direction, Error};

use crate::error::{guard, PyZResult, PyZhiliError};
use crate::framework::PyFramework;
use crate::json::{parse, to_json};

/// Criteria (names, directions, optional unit ids) checked against the data's column count.
pub(crate) fn criteria(names: Vec<String>, directions: &[String], unit_ids: Option<Vec<String>>, ncols: usize) -> PyZResult<Criteria> {
    let dirs = directions
        .iter()
        .map(|d| {
            Direction::parse(d).ok_or_else(|| {
                PyZhiliError(Error::spec(
                    "criteria",
                    format!("unknown direction `{d}` (expected benefit or cost)"),
                ))
            })
        })
        .collect::<PyZResult<Vec<_>>>()?;
    let mut crit = Criteria::new(names, dirs)?;
    if let Some(u) = unit_ids {
        crit = crit.with_units(u);
    }
    if ncols != crit.names.len() {
        return Err(PyZhiliError(Error::Shape {
            what: "criteria".into(),
            expected: format!("{} columns", crit.names.len()),
            found: ncols.to_string(),
        }));
    }
    Ok(crit)
}

/// AHP on one pairwise comparison matrix (`options_json`: the engine's `AhpOptions`);
/// returns the `AhpResult` as JSON (`weights{method, criteria, weights, notes}, lambda_max,
/// ci, ri, cr, lambda_from_weights, cr_from_weights, consistent`).
#[pyfunction]
pub(crate) fn ahp_matrix(matrix: PyReadonlyArray2<'_, f64>, labels: Vec<String>, options_json: &str) -> PyResult<String> {
    let a = matrix.as_array();
    guard(|| {
        let opts: AhpOptions = parse("AHP options", options_json)?;
        to_json("AHP result", &ahp(a, &labels, &opts)?)
    })
}

/// Element-wise geometric mean of several experts' pairwise comparison matrices.
#[pyfunction]
pub(crate) fn ahp_group<'py>(py: Python<'py>, matrices: Vec<PyReadonlyArray2<'py, f64>>) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let views: Vec<_> = matrices.iter().map(|m| m.as_array()).collect();
    let g = guard(|| Ok(group_geometric_mean(&views)?))?;
    Ok(g.into_pyarray(py))
}

/// AHP weights of a framework's judged sibling groups from an `AhpSpec` JSON document
/// (`{"options": {...}, "nodes": {id: {"elements": [...], "matrix": [[...]]}}}`); returns
/// the `AhpWeights` as JSON (`weights{weights{id: w}}, results{node: AhpResult}`).
/// With `toml = True` the document is TOML (the engine's `AhpSpec` layout);
/// `options_json` (an object) overrides fields of the document's `[options]`.
#[pyfunction]
#[pyo3(signature = (framework, spec, toml = false, options_json = None))]
pub(crate) fn ahp_framework(framework: &PyFramework, spec: &str, toml: bool, options_json: Option<&str>) -> PyResult<String> {
    guard(|| {
        let mut spec: AhpSpec = if toml {
            AhpSpec::from_toml_str(spec, "<AHP judgements>")?
        } else {
            parse("AHP judgements", spec)?
        };
        if let Some(o) = options_json {
            let overrides: serde_json::Map<String, serde_json::Value> = parse("AHP options", o)?;
            let mut merged = match serde_json::to_value(&spec.options) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            };
            merged.extend(overrides);
            spec.options = serde_json::from_value(serde_json::Value::Object(merged))
                .map_err(|e| PyZhiliError(Error::spec("AHP options", e.to_string())))?;
        }
        to_json("AHP weights", &spec.weights(&framework.inner)?)
    })
}

/// One analysis of a units × criteria matrix, chosen by `analysis`, its options as the
/// engine's JSON document; returns the result as JSON. The GIL is released while computing.
///
/// - `"weights"`: a data-driven method of the weighting registry (`options_json` e.g.
///   `{"method": "entropy"}`) → `WeightResult` (`method, criteria, weights, notes`);
/// - `"pca"`: PCA weights with eigenvalues, explained variance and loadings (`PcaOptions` →
///   `PcaResult`);
/// - `"bod"`: benefit-of-the-doubt scores, weights and shares per unit (`BodOptions` →
///   `BodResult`; one LP per unit).
#[pyfunction]
#[pyo3(signature = (values, names, directions, analysis, options_json, unit_ids = None))]
pub(crate) fn criteria_analysis(
    py: Python<'_>,
    values: PyReadonlyArray2<'_, f64>,
    names: Vec<String>,
    directions: Vec<String>,
    analysis: &str,
    options_json: &str,
    unit_ids: Option<Vec<String>>,
) -> PyResult<String> {
    let x = values.as_array();
    py.detach(|| {
        guard(|| {
            let crit = criteria(names, &directions, unit_ids, x.ncols())?;
            match analysis {
                "weights" => {
                    let method: WeightMethod = parse("weighting method", options_json)?;
                    to_json("weights", &method.compute(x, &crit)?)
                }
                "pca" => to_json("PCA result", &pca(x, &crit, &parse::<PcaOptions>("PCA options", options_json)?)?),
                "bod" => to_json(
                    "benefit-of-the-doubt result",
                    &benefit_of_the_doubt(x, &crit, &parse::<BodOptions>("benefit-of-the-doubt options", options_json)?)?,
                ),
                other => Err(PyZhiliError(Error::spec(
                    "criteria analysis",
                    format!("unknown analysis `{}` (weights, pca, bod)", zhili_core::text::cut(other)),
                ))),
            }
        })
    })
}

/// Combine weight vectors (`sets_json`: a list of `{method, criteria, weights}`;
/// `rule_json`: the engine's `Combination`, e.g. `{"rule": "linear", "alpha": 0.5}`);
/// returns the combined `WeightResult` as JSON.
#[pyfunction]
pub(crate) fn combine_weights(sets_json: &str, rule_json: &str) -> PyResult<String> {
    guard(|| {
        let sets: Vec<WeightResult> = parse("weight vectors", sets_json)?;
        let rule: Combination = parse("combination rule", rule_json)?;
        let refs: Vec<&WeightResult> = sets.iter().collect();
        to_json("combined weights", &combine(&refs, &rule)?)
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
