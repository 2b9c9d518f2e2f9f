//! The stage-output check: a value that is not finite where the input was finite is an
//! error naming the step, the node and the unit — never a silent `inf` / `NaN` score.
//!
//! One place per kind of output: [`check_stage`] for a preparation step (called by the one
//! dispatch, [`super::Step::prepare`]), [`check_column`] for a column streamed through the
//! steps, [`check_scores`] for aggregated scores. Each is one pass over data the step has
//! just written (in cache), never a per-cell branch inside a kernel.

use ndarray::ArrayView2;

use super::StageData;
use crate::error::{Error, Result};
use crate::framework::{Framework, NodeKind};

fn non_finite(step: &str, node: &str, unit: &str, v: f64, cause: &str) -> Error {
    Error::Method {
        method: step.to_owned(),
        message: format!(
            "produced {v:?} from {cause} (values near the f64 range, a zero scale, an extreme mean exponent?) · \
             计算结果不是有限数"
        ),
        unit: Some(crate::text::cut(unit).into_owned()),
        node: Some(node.to_owned()),
    }
}

/// `output` of preparation step `step` (stage `input` → `output`): no infinity anywhere, and
/// no NaN in a cell whose input was a number (unless `new_missing_ok`: a step that documents
/// and logs making values missing).
///
/// # Errors
/// [`Error::Method`] naming the step, the indicator and the unit of the first bad cell.
pub(crate) fn check_stage(
    step: &str,
    fw: &Framework,
    unit_ids: &[String],
    input: &StageData,
    output: &StageData,
    new_missing_ok: bool,
) -> Result<()> {
    let same_rows = input.units == output.units && !new_missing_ok;
    for (j, col) in output.values.columns().into_iter().enumerate() {
        if col.iter().all(|v| v.is_finite()) {
            continue;
        }
        let bad = if same_rows {
            col.iter()
                .zip(input.values.column(j))
                .position(|(&v, &x)| !(v.is_finite() || (v.is_nan() && x.is_nan())))
        } else {
            col.iter().position(|v| v.is_infinite())
        };
        if let Some(r) = bad {
            let node = &fw.nodes()[fw.indicators()[j]].id;
            let unit = unit_ids.get(output.units[r]).map_or("?", String::as_str);
            let cause = if same_rows {
                format!("the value {:?}", input.values[[r, j]])
            } else {
                "its input".to_owned()
            };
            return Err(non_finite(step, node, unit, col[r], &cause));
        }
    }
    Ok(())
}

/// One indicator column after every streamed preparation step: no infinity, no NaN where the
/// raw value was a number (unless `new_missing_ok`, as in [`check_stage`]).
///
/// # Errors
/// As [`check_stage`].
pub(crate) fn check_column(fw: &Framework, unit_ids: &[String], j: usize, raw: &[f64], col: &[f64], new_missing_ok: bool) -> Result<()> {
    let fine = |v: f64, x: f64| v.is_finite() || (v.is_nan() && (new_missing_ok || x.is_nan()));
    // The common case (every value finite) in one branch-free pass over the output alone,
    // which is in cache; the input is read again only for a column with gaps.
    if col.iter().fold(true, |ok, v| ok & v.is_finite()) || col.iter().zip(raw).fold(true, |ok, (&v, &x)| ok & fine(v, x)) {
        return Ok(());
    }
    let r = col.iter().zip(raw).position(|(&v, &x)| !fine(v, x)).unwrap_or(0);
    let node = &fw.nodes()[fw.indicators()[j]].id;
    let unit = unit_ids.get(r).map_or("?", String::as_str);
    Err(non_finite("preparation", node, unit, col[r], &format!("the value {:?}", raw[r])))
}

/// Aggregated `scores` (units × columns; `col_of(node)` is a node's column, if present): no
/// infinity at an aggregate, and no NaN at an aggregate whose children all have numbers.
///
/// # Errors
/// [`Error::Method`] naming `aggregate`, the node and the unit.
pub(crate) fn check_scores<'u>(
    fw: &Framework,
    unit_id: &dyn Fn(usize) -> &'u str,
    scores: ArrayView2<'_, f64>,
    col_of: &dyn Fn(usize) -> Option<usize>,
) -> Result<()> {
    for (a, node) in fw.nodes().iter().enumerate() {
        if node.kind != NodeKind::Aggregate {
            continue;
        }
        let Some(c) = col_of(a) else { continue };
        let col = scores.column(c);
        if col.iter().all(|v| !v.is_infinite()) && col.iter().all(|v| !v.is_nan()) {
            continue;
        }
        let children: Option<Vec<usize>> = node.children.iter().map(|&k| col_of(k)).collect();
        for (r, &v) in col.iter().enumerate() {
            let complete = || children.as_ref().is_some_and(|ks| ks.iter().all(|&k| scores[[r, k]].is_finite()));
            if v.is_infinite() || (v.is_nan() && complete()) {
                return Err(non_finite("aggregate", &node.id, unit_id(r), v, "its children's scores"));
            }
        }
    }
    Ok(())
}
