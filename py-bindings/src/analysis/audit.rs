//! The statistical audit (`zhili.analysis.audit`).

use numpy::ToPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use zhili_core::analysis::audit::{self as core_audit, AuditOptions, FlagKind, Method};
use zhili_core::Error;

use super::monitor::monitored;
use crate::data::DataArgs;
use crate::error::{guard, PyZhiliError};
use crate::framework::PyFramework;
use crate::pipeline::PyPipeline;

/// Statistical audit. Returns a dict: `stage, unit_ids, coverage, stats` (columns),
/// `structure` (list of per-node dicts), `flags`, `importance`, `remove_one` (columns).
#[pyfunction]
#[pyo3(signature = (framework, pipeline, data, *, method = "pearson", collinear = 0.9, stage = None, remove_one = true))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn audit<'py>(
    py: Python<'py>,
    framework: &PyFramework,
    pipeline: &PyPipeline,
    data: DataArgs<'_>,
    method: &str,
    collinear: f64,
    stage: Option<String>,
    remove_one: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let method = guard(|| match method {
        "pearson" => Ok(Method::Pearson),
        "spearman" => Ok(Method::Spearman),
        other => Err(PyZhiliError(Error::spec(
            "audit method",
            format!("unknown correlation method `{other}` (expected pearson or spearman)"),
        ))),
    })?;
    let opts = AuditOptions {
        method,
        collinear,
        stage,
        remove_one,
        ..AuditOptions::default()
    };
    let fw = &framework.inner;
    let pipe = &pipeline.inner;
    let r = monitored(py, data, None, |ds, _| Ok(core_audit::audit(fw, ds, pipe, &opts)?))?;
    let d = PyDict::new(py);
    d.set_item("stage", &r.stage)?;
    d.set_item("unit_ids", &r.unit_ids)?;
    d.set_item("coverage", r.coverage.to_pyarray(py))?;
    let st = PyDict::new(py);
    let s = &r.stats;
    macro_rules! col {
        ($dict:expr, $rows:expr, $($f:ident),*) => {
            $( $dict.set_item(stringify!($f), $rows.iter().map(|x| x.$f.clone()).collect::<Vec<_>>())?; )*
        };
    }
    col!(
        st,
        s,
        id,
        min,
        max,
        mean,
        median,
        sd,
        skew,
        kurtosis,
        n_avail,
        n_nonzero,
        n_unique,
        n_same,
        frc_avail,
        frc_nonzero,
        frc_unique,
        frc_same,
        low_avail,
        low_nonzero,
        low_unique,
        outlier
    );
    d.set_item("stats", st)?;
    let structure = PyList::empty(py);
    for n in &r.structure {
        let e = PyDict::new(py);
        e.set_item("node", &n.node)?;
        e.set_item("children", &n.children)?;
        e.set_item("correlations", numpy::PyArray2::from_array(py, &n.correlations))?;
        e.set_item("alpha", n.alpha)?;
        match &n.pca {
            Some(p) => {
                e.set_item("eigenvalues", &p.eigenvalues)?;
                e.set_item("explained", &p.explained)?;
                e.set_item("loadings", &p.loadings)?;
            }
            None => {
                e.set_item("eigenvalues", py.None())?;
                e.set_item("explained", py.None())?;
                e.set_item("loadings", py.None())?;
            }
        }
        structure.append(e)?;
    }
    d.set_item("structure", structure)?;
    let fl = PyDict::new(py);
    fl.set_item(
        "kind",
        r.flags
            .iter()
            .map(|f| match f.kind {
                FlagKind::Collinear => "collinear",
                FlagKind::NegativeWithParent => "negative_with_parent",
                FlagKind::Denominator => "denominator",
            })
            .collect::<Vec<_>>(),
    )?;
    col!(fl, r.flags, a, b, r);
    d.set_item("flags", fl)?;
    let im = PyDict::new(py);
    col!(
        im,
        r.importance,
        node,
        parent,
        effective_weight,
        r2_parent,
        r2_index,
        r2_index_share,
        eta2_parent,
        eta2_index,
        eta2_index_share
    );
    d.set_item("importance", im)?;
    let ro = PyDict::new(py);
    col!(ro, r.remove_one, node, mean_abs_rank_shift, max_abs_rank_shift);
    d.set_item("remove_one", ro)?;
    Ok(d)
}
