//! Data-driven weights for every sibling group of a framework.

use ndarray::{Array2, ArrayView2, ShapeBuilder};

use super::common::{Criteria, WeightResult};
use super::{WeightMethod, WeightSet};
use crate::aggregate::Aggregate;
use crate::error::{Error, Result};
use crate::framework::{Direction, Framework};

impl WeightMethod {
    /// One line describing the method (English · 中文), as its file declares it.
    pub fn about(&self) -> &'static str {
        self.method().about()
    }

    /// The method called `name` (its document name or an alias) with its options' defaults.
    pub fn named(name: &str) -> Option<WeightMethod> {
        serde_json::from_value(serde_json::json!({ "method": name })).ok()
    }

    /// Every name a method can be called by (document names, then aliases).
    pub fn names() -> impl Iterator<Item = &'static str> {
        WeightMethod::METHODS
            .iter()
            .copied()
            .chain(WeightMethod::ALIASES.iter().map(|(a, _)| *a))
    }

    /// Weights of the columns of `x` (units × criteria).
    ///
    /// # Errors
    /// Those of the method.
    pub fn compute(&self, x: ArrayView2<'_, f64>, c: &Criteria) -> Result<WeightResult> {
        self.method().compute(x, c)
    }
}

/// Data-driven weights for every sibling group of a framework, bottom-up.
///
/// `indicators` is units × framework indicators (in `fw.indicator_ids()` order) at the stage
/// the weights are to be computed on (raw data for the coefficient of variation; raw or
/// normalised data for entropy / CRITIC / SD, which min-max internally).
///
/// For each aggregate, children before parents: the weights of its children are computed by
/// `method` from the children's columns (indicator values; for aggregate children their
/// scores, computed with the weights just found and the methods of `aggregate`), then the
/// aggregate's own score column is computed. Indicators keep their directions; aggregate
/// children count as benefit-type. A node with a single child gets weight 1.
///
/// The result holds every non-root node's weight (relative to its siblings, summing to 1
/// in each group) and plugs into `Framework::with_weights`.
///
/// # Errors
/// [`Error::Shape`] if `indicators` does not match the framework; the method's errors, with
/// the aggregate named in the message; [`Error::Method`] from aggregation.
pub fn group_weights(
    fw: &Framework,
    indicators: ArrayView2<'_, f64>,
    method: &WeightMethod,
    aggregate: &Aggregate,
    unit_ids: Option<&[String]>,
) -> Result<WeightSet> {
    let n = indicators.nrows();
    if indicators.ncols() != fw.indicators().len() {
        return Err(Error::Shape {
            what: "group weights".into(),
            expected: format!("{} indicator columns", fw.indicators().len()),
            found: format!("{} columns", indicators.ncols()),
        });
    }
    let nodes = fw.nodes();
    let mut scores = Array2::<f64>::from_elem((n, nodes.len()).f(), f64::NAN);
    for (j, &node) in fw.indicators().iter().enumerate() {
        scores.column_mut(node).assign(&indicators.column(j));
    }
    let mut out = WeightSet::default();
    let unit_names: Vec<String> = (0..n)
        .map(|r| unit_ids.and_then(|u| u.get(r).cloned()).unwrap_or_else(|| format!("#{r}")))
        .collect();
    let units: Vec<&str> = unit_names.iter().map(String::as_str).collect();
    for &a in fw.aggregates_bottom_up() {
        let node = &nodes[a];
        let kids = &node.children;
        let w: Vec<f64> = if kids.len() == 1 {
            vec![1.0]
        } else {
            let mut x = Array2::<f64>::zeros((n, kids.len()).f());
            for (k, &c) in kids.iter().enumerate() {
                x.column_mut(k).assign(&scores.column(c));
            }
            let mut crit = group_criteria(fw, a)?;
            if let Some(u) = unit_ids {
                crit = crit.with_units(u.iter().cloned());
            }
            method.compute(x.view(), &crit).map_err(|e| in_group(e, &node.id))?.weights
        };
        for (&c, &wc) in kids.iter().zip(&w) {
            out.weights.insert(nodes[c].id.clone(), wc);
        }
        score_group(fw, aggregate, a, &mut scores, &w, &units)?;
    }
    Ok(out)
}

/// Aggregate `a`'s score column in `scores` (units × every node) from its children's
/// columns with weights `w`, by the pipeline's aggregation for that node.
pub(crate) fn score_group(
    fw: &Framework,
    aggregate: &Aggregate,
    a: usize,
    scores: &mut Array2<f64>,
    w: &[f64],
    units: &[&str],
) -> Result<()> {
    let nodes = fw.nodes();
    let kids = &nodes[a].children;
    let child_ids: Vec<String> = kids.iter().map(|&c| nodes[c].id.clone()).collect();
    let col = aggregate.method_for(fw, a).score_node(
        scores,
        kids,
        w,
        aggregate.min_coverage.unwrap_or(0.0),
        &nodes[a].id,
        units,
        &child_ids,
    )?;
    scores.column_mut(a).assign(&col);
    Ok(())
}

/// A method's error with the aggregate whose children were being weighted.
/// The criteria of aggregate `a`'s sibling group: its children's ids and directions (an
/// aggregate child counts as a benefit).
pub(crate) fn group_criteria(fw: &Framework, a: usize) -> Result<Criteria> {
    let nodes = fw.nodes();
    let kids = &nodes[a].children;
    let dirs = kids
        .iter()
        .map(|&c| {
            if nodes[c].children.is_empty() {
                nodes[c].direction
            } else {
                Direction::Benefit
            }
        })
        .collect();
    Criteria::new(kids.iter().map(|&c| nodes[c].id.clone()), dirs)
}

pub(crate) fn in_group(e: Error, node: &str) -> Error {
    match e {
        Error::Method {
            method,
            message,
            unit,
            node: n,
        } => Error::Method {
            method,
            message: format!("{message} (weighting the children of `{node}`)"),
            unit,
            node: n.or_else(|| Some(node.to_owned())),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::weight::{CriticOptions, EntropyOptions, PcaOptions};

    #[test]
    fn weight_method_serde_shapes() {
        let m: WeightMethod = toml::from_str("method = \"entropy\"\n").unwrap();
        assert_eq!(m, WeightMethod::Entropy(EntropyOptions::default()));
        let m: WeightMethod = toml::from_str("method = \"entropy\"\ninput = { type = \"shift\", shift = 0.01 }\n").unwrap();
        assert_eq!(
            m,
            WeightMethod::Entropy(EntropyOptions {
                input: super::super::EntropyInput::Shift { shift: 0.01 }
            })
        );
        let m: WeightMethod = toml::from_str("method = \"critic\"\nreverse_cost = false\n").unwrap();
        assert_eq!(m, WeightMethod::Critic(CriticOptions { reverse_cost: false }));
        for m in [
            WeightMethod::Equal,
            WeightMethod::CoefficientOfVariation,
            WeightMethod::StandardDeviation,
            WeightMethod::Pca(PcaOptions::default()),
        ] {
            let s = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<WeightMethod>(&s).unwrap(), m, "{s}");
        }
    }
}
