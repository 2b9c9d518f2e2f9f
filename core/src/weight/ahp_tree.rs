//! AHP judgements for the sibling groups of a framework.

use std::collections::BTreeMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::ahp::{ahp, group_geometric_mean, AhpOptions, AhpResult};
use super::WeightSet;
use crate::error::{Error, Result};
use crate::framework::Framework;

/// The pairwise judgements on one node's children. Cells are numbers or fractions written
/// as strings (`"1/9"`, `"3"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Judgements {
    /// The compared children (ids), in the order of the matrix rows and columns.
    pub elements: Vec<String>,
    /// One pairwise comparison matrix (`matrix[i][j]`: how much more important element i
    /// is than element j).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "cells::matrix")]
    pub matrix: Option<Vec<Vec<f64>>>,
    /// Several experts' matrices, combined by element-wise geometric mean (instead of
    /// `matrix`).
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "cells::experts")]
    pub experts: Vec<Vec<Vec<f64>>>,
}

/// AHP judgements per aggregate node, with the options, as written in a TOML/JSON document:
///
/// ```toml
/// [options]
/// random_index = { table = "saaty1980" }
///
/// [nodes.index]                      # a node id, or its unique zh / en name
/// elements = ["safety", "services"]
/// matrix = [[1, 3], ["1/3", 1]]      # numbers, or fractions as strings
/// ```
///
/// Unknown keys are refused (naming key and line), and so is a document that judges no node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
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
    /// [`Error::Spec`] if the document judges no node; [`Error::Unknown`] for a node that is
    /// neither an id nor a unique name in the framework (with the nearest as a hint);
    /// [`Error::Spec`] naming the node
    /// when it is an indicator, when its `elements` are not exactly its children, or when it
    /// has neither or both of `matrix` / `experts`; [`Error::Shape`] for a matrix of the
    /// wrong size; the errors of [`ahp`] (inconsistency, non-reciprocal cells), with the node
    /// named.
    pub fn weights(&self, fw: &Framework) -> Result<AhpWeights> {
        let mut weights = WeightSet::default();
        let mut results = BTreeMap::new();
        if self.nodes.is_empty() {
            return Err(Error::spec(
                "AHP judgements",
                "the document judges no node: add a `[nodes.<id>]` table with `elements` and `matrix` per judged node",
            ));
        }
        for (key, j) in &self.nodes {
            let node = &fw.nodes()[fw.resolve(key, "AHP judgements")?];
            let id = &node.id;
            let what = format!("AHP judgements of `{id}`");
            if node.children.is_empty() {
                return Err(Error::spec(what, "an indicator has no children to compare"));
            }
            let children: Vec<&str> = node.children.iter().map(|&c| fw.nodes()[c].id.as_str()).collect();
            // Elements by id or unique name, compared as ids.
            let elements: Vec<String> = j
                .elements
                .iter()
                .map(|e| fw.resolve(e, "").map_or_else(|_| e.clone(), |i| fw.nodes()[i].id.clone()))
                .collect();
            let missing: Vec<&str> = children.iter().copied().filter(|c| !elements.iter().any(|e| e == c)).collect();
            let extra: Vec<&str> = elements.iter().map(String::as_str).filter(|e| !children.contains(e)).collect();
            if !missing.is_empty() || !extra.is_empty() || elements.len() != children.len() {
                return Err(Error::spec(
                    what,
                    format!(
                        "elements must be the node's children exactly once each (missing: [{}], not children: [{}])",
                        missing.join(", "),
                        extra.join(", ")
                    ),
                ));
            }
            let n = elements.len();
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
            let r = ahp(a.view(), &elements, &self.options).map_err(|e| match e {
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

/// Matrix cells as numbers or fraction strings (`"1/9"`).
mod cells {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Cell {
        Num(f64),
        Text(String),
    }

    fn value<E: serde::de::Error>(c: Cell) -> Result<f64, E> {
        match c {
            Cell::Num(x) => Ok(x),
            Cell::Text(s) => parse(&s).ok_or_else(|| E::custom(format!("`{s}` is not a number or a fraction like \"1/9\""))),
        }
    }

    /// `"1/9"`, `" 1 / 3 "`, `"3"`, `"0.5"`.
    pub(super) fn parse(s: &str) -> Option<f64> {
        let s = s.trim();
        match s.split_once('/') {
            Some((a, b)) => {
                let (a, b) = (a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?);
                (b != 0.0).then(|| a / b)
            }
            None => s.parse().ok(),
        }
    }

    fn rows<E: serde::de::Error>(m: Vec<Vec<Cell>>) -> Result<Vec<Vec<f64>>, E> {
        m.into_iter().map(|r| r.into_iter().map(value).collect()).collect()
    }

    pub(super) fn matrix<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Vec<f64>>>, D::Error> {
        Option::<Vec<Vec<Cell>>>::deserialize(d)?.map(rows).transpose()
    }

    pub(super) fn experts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<Vec<f64>>>, D::Error> {
        Vec::<Vec<Vec<Cell>>>::deserialize(d)?.into_iter().map(rows).collect()
    }
}
