//! AHP judgements for the sibling groups of a framework.

use std::collections::BTreeMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::ahp::{ahp, group_geometric_mean, AhpOptions, AhpResult};
use super::WeightSet;
use crate::error::{Error, Result};
use crate::framework::Framework;

/// The pairwise judgements on one node's children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgements {
    /// The compared children (ids), in the order of the matrix rows and columns.
    pub elements: Vec<String>,
    /// One pairwise comparison matrix (`matrix[i][j]`: how much more important element i
    /// is than element j).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<Vec<Vec<f64>>>,
    /// Several experts' matrices, combined by element-wise geometric mean (instead of
    /// `matrix`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub experts: Vec<Vec<Vec<f64>>>,
}

/// AHP judgements per aggregate node, with the options, as written in a TOML/JSON document:
///
/// ```toml
/// [options]
/// random_index = { table = "saaty1980" }
///
/// [nodes.index]
/// elements = ["safety", "services"]
/// matrix = [[1, 3], [0.3333333333333333, 1]]
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AhpSpec {
    /// Options for every node.
    #[serde(default)]
    pub options: AhpOptions,
    /// Node id → judgements on its children.
    #[serde(default)]
    pub nodes: BTreeMap<String, Judgements>,
}

/// The weights of every judged node's children and each node's AHP result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AhpWeights {
    /// Child id → weight (within its sibling group); only the judged groups.
    pub weights: WeightSet,
    /// Node id → its AHP result (λmax, CI, CR, …).
    pub results: BTreeMap<String, AhpResult>,
}

impl AhpSpec {
    /// Parse a TOML document.
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed TOML or fields.
    pub fn from_toml_str(s: &str, file: &str) -> Result<Self> {
        toml::from_str(s).map_err(|e| crate::framework::toml_error(e, s, file))
    }

    /// Compute the weights of every judged group.
    ///
    /// # Errors
    /// [`Error::Unknown`] for a node not in the framework; [`Error::Spec`] naming the node
    /// when it is an indicator, when its `elements` are not exactly its children, or when it
    /// has neither or both of `matrix` / `experts`; [`Error::Shape`] for a matrix of the
    /// wrong size; the errors of [`ahp`] (inconsistency, non-reciprocal cells), with the node
    /// named.
    pub fn weights(&self, fw: &Framework) -> Result<AhpWeights> {
        let mut weights = WeightSet::default();
        let mut results = BTreeMap::new();
        for (id, j) in &self.nodes {
            let node = fw.node(id).map_err(|_| Error::Unknown {
                what: "node",
                id: id.clone(),
                context: "AHP judgements".into(),
            })?;
            let what = format!("AHP judgements of `{id}`");
            if node.children.is_empty() {
                return Err(Error::spec(what, "an indicator has no children to compare"));
            }
            let children: Vec<&str> = node.children.iter().map(|&c| fw.nodes()[c].id.as_str()).collect();
            let missing: Vec<&str> = children.iter().copied().filter(|c| !j.elements.iter().any(|e| e == c)).collect();
            let extra: Vec<&str> = j.elements.iter().map(String::as_str).filter(|e| !children.contains(e)).collect();
            if !missing.is_empty() || !extra.is_empty() || j.elements.len() != children.len() {
                return Err(Error::spec(
                    what,
                    format!(
                        "elements must be the node's children exactly once each (missing: [{}], not children: [{}])",
                        missing.join(", "),
                        extra.join(", ")
                    ),
                ));
            }
            let n = j.elements.len();
            let to_array = |m: &Vec<Vec<f64>>, who: &str| -> Result<Array2<f64>> {
                if m.len() != n || m.iter().any(|r| r.len() != n) {
                    return Err(Error::Shape {
                        what: format!("{what}{who}"),
                        expected: format!("{n} × {n}"),
                        found: format!(
                            "{} rows of lengths [{}]",
                            m.len(),
                            m.iter().map(|r| r.len().to_string()).collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
                Ok(Array2::from_shape_fn((n, n), |(a, b)| m[a][b]))
            };
            let a = match (&j.matrix, j.experts.is_empty()) {
                (Some(m), true) => to_array(m, "")?,
                (None, false) => {
                    let ms = j
                        .experts
                        .iter()
                        .enumerate()
                        .map(|(k, m)| to_array(m, &format!(" (expert #{})", k + 1)))
                        .collect::<Result<Vec<_>>>()?;
                    let views: Vec<_> = ms.iter().map(Array2::view).collect();
                    group_geometric_mean(&views)?
                }
                _ => return Err(Error::spec(what, "give either `matrix` or `experts`")),
            };
            let r = ahp(a.view(), &j.elements, &self.options).map_err(|e| match e {
                Error::Method {
                    method,
                    message,
                    unit,
                    node,
                } => Error::Method {
                    method,
                    message: format!("{message} (children of `{id}`)"),
                    unit,
                    node: node.or_else(|| Some(id.clone())),
                },
                other => other,
            })?;
            for (e, w) in r.weights.iter() {
                weights.weights.insert(e.to_owned(), w);
            }
            results.insert(id.clone(), r);
        }
        Ok(AhpWeights { weights, results })
    }
}
