//! AHP, benefit of the doubt, PCA details, weight combinations, coupling coordination and
//! obstacle degrees. Options travel as JSON documents (the engine's serde forms), results
//! come back as JSON (matrices as `{"v", "dim", "data"}`, row-major) except where a numpy
//! array is cheaper. Heavy work (LPs, eigen-decompositions) runs with the GIL released.

use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;
use zhili_core::analysis::{coupling_coordination as core_coupling, obstacle_degree_framework, CouplingOptions};
use zhili_core::weight::{
    ahp, benefit_of_the_doubt, combine, group_geometric_mean, pca, AhpOptions, AhpSpec, BodOptions, Combination, Criteria, PcaOptions,
    WeightResult,
};
use zhili_core::{Direction, Error};

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

/// PCA weights with eigenvalues, explained variance and loadings (`PcaResult` as JSON).
#[pyfunction]
#[pyo3(signature = (values, names, directions, options_json, unit_ids = None))]
pub(crate) fn pca_weights(
    py: Python<'_>,
    values: PyReadonlyArray2<'_, f64>,
    names: Vec<String>,
    directions: Vec<String>,
    options_json: &str,
    unit_ids: Option<Vec<String>>,
) -> PyResult<String> {
    let x = values.as_array();
    py.detach(|| {
        guard(|| {
            let opts: PcaOptions = parse("PCA options", options_json)?;
            let crit = criteria(names, &directions, unit_ids, x.ncols())?;
            to_json("PCA result", &pca(x, &crit, &opts)?)
        })
    })
}

/// Benefit-of-the-doubt scores, weights and shares per unit (`BodResult` as JSON; one LP per
/// unit, GIL released).
#[pyfunction]
#[pyo3(signature = (values, names, directions, options_json, unit_ids = None))]
pub(crate) fn bod(
    py: Python<'_>,
    values: PyReadonlyArray2<'_, f64>,
    names: Vec<String>,
    directions: Vec<String>,
    options_json: &str,
    unit_ids: Option<Vec<String>>,
) -> PyResult<String> {
    let x = values.as_array();
    py.detach(|| {
        guard(|| {
            let opts: BodOptions = parse("benefit-of-the-doubt options", options_json)?;
            let crit = criteria(names, &directions, unit_ids, x.ncols())?;
            to_json("benefit-of-the-doubt result", &benefit_of_the_doubt(x, &crit, &opts)?)
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
