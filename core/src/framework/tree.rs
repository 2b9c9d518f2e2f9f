//! The validated arena tree.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::spec::{FrameworkSpec, Name};
use crate::error::{Error, Result};

/// Polarity of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher is better.
    Benefit,
    /// Lower is better (reversed at normalisation).
    Cost,
}

impl Direction {
    /// `+1.0` for benefit, `-1.0` for cost (COINr's `Direction`).
    pub fn sign(self) -> f64 {
        match self {
            Direction::Benefit => 1.0,
            Direction::Cost => -1.0,
        }
    }

    /// Parse `benefit` / `cost` (also `+`, `-`, `1`, `-1`, `positive`, `negative`, `正向`, `负向`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "benefit" | "positive" | "pos" | "+" | "1" | "+1" | "max" | "正向" | "正" => Some(Direction::Benefit),
            "cost" | "negative" | "neg" | "-" | "-1" | "min" | "负向" | "负" | "逆向" => Some(Direction::Cost),
            _ => None,
        }
    }
}

/// Indicator or aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A leaf carrying data.
    Indicator,
    /// An inner node scored from its children.
    Aggregate,
}

/// A node of a validated framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Unique id.
    pub id: String,
    /// Bilingual name.
    pub name: Name,
    /// Index of the parent in [`Framework::nodes`]; `None` for the root.
    pub parent: Option<usize>,
    /// Indices of the children, in document order.
    pub children: Vec<usize>,
    /// Indicator or aggregate.
    pub kind: NodeKind,
    /// Weight relative to siblings (as given, not normalised).
    pub weight: f64,
    /// Polarity (aggregates: always benefit).
    pub direction: Direction,
    /// COINr-style level: indicators are 1, an aggregate is 1 + the highest level of its children.
    pub level: usize,
    /// Distance from the root (root = 0).
    pub depth: usize,
    /// Goalposts `[lo, hi]`.
    pub goalposts: Option<[f64; 2]>,
    /// Target.
    pub target: Option<f64>,
    /// Denominator column.
    pub denominator: Option<String>,
    /// Unit of measurement.
    pub unit: Option<String>,
}

/// A validated indicator tree. Build it with [`Framework::from_spec`].
#[derive(Debug, Clone, PartialEq)]
pub struct Framework {
    pub(super) spec: FrameworkSpec,
    pub(super) nodes: Vec<Node>,
    pub(super) root: usize,
    pub(super) index: HashMap<String, usize>,
    /// Indicator node indices in document order.
    pub(super) indicators: Vec<usize>,
    /// Aggregate node indices, children before parents (ascending level, then document order).
    pub(super) aggregates: Vec<usize>,
}

impl Framework {
    /// Validate a spec into a framework.
    ///
    /// # Errors
    /// [`Error::Framework`] listing every problem found.
    pub fn from_spec(spec: FrameworkSpec) -> Result<Self> {
        super::validate::build(spec)
    }

    /// Parse and validate a TOML document.
    ///
    /// # Errors
    /// [`Error::Parse`] or [`Error::Framework`].
    pub fn from_toml_str(s: &str) -> Result<Self> {
        Self::from_spec(FrameworkSpec::from_toml_str(s, "<toml>")?)
    }

    /// Parse and validate a JSON document.
    ///
    /// # Errors
    /// [`Error::Parse`] or [`Error::Framework`].
    pub fn from_json_str(s: &str) -> Result<Self> {
        Self::from_spec(FrameworkSpec::from_json_str(s, "<json>")?)
    }

    /// The spec this framework was built from (for lossless writing).
    pub fn spec(&self) -> &FrameworkSpec {
        &self.spec
    }

    /// All nodes (arena order = document order).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The root node index.
    pub fn root(&self) -> usize {
        self.root
    }

    /// The node index of an id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The node with this id.
    ///
    /// # Errors
    /// [`Error::Unknown`] if there is none, with the nearest ids and names as a hint.
    pub fn node(&self, id: &str) -> Result<&Node> {
        self.index_of(id).map(|i| &self.nodes[i]).ok_or_else(|| self.unknown_node(id, ""))
    }

    /// The node a person named: its id, else its Chinese or English name when exactly one
    /// node has that name (names are compared exactly, ids first).
    ///
    /// # Errors
    /// [`Error::Unknown`] naming `key` and `context` with the nearest ids and names
    /// ("did you mean …?"), or listing the ids when several nodes share the name.
    pub fn resolve(&self, key: &str, context: &str) -> Result<usize> {
        if let Some(i) = self.index_of(key) {
            return Ok(i);
        }
        let hits: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| {
                let n = &self.nodes[i].name;
                n.zh.as_deref() == Some(key) || n.en.as_deref() == Some(key)
            })
            .collect();
        match hits.as_slice() {
            [i] => Ok(*i),
            [] => Err(self.unknown_node(key, context)),
            many => Err(Error::Unknown {
                what: "node",
                id: key.to_owned(),
                context: format!(
                    "{context}; several nodes have this name, use an id: {}",
                    many.iter()
                        .map(|&i| format!("`{}`", self.nodes[i].id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }

    /// An [`Error::Unknown`] for a node key, with a did-you-mean hint over ids and names.
    pub(crate) fn unknown_node(&self, key: &str, context: &str) -> Error {
        let names = self.nodes.iter().flat_map(|n| {
            [Some(n.id.as_str()), n.name.zh.as_deref(), n.name.en.as_deref()]
                .into_iter()
                .flatten()
        });
        Error::Unknown {
            what: "node",
            id: key.to_owned(),
            context: crate::suggest::with_hint(context, key, names),
        }
    }

    /// Indicator node indices, in document order.
    pub fn indicators(&self) -> &[usize] {
        &self.indicators
    }

    /// Indicator ids, in document order (the column order of every indicator stage).
    pub fn indicator_ids(&self) -> Vec<&str> {
        self.indicators.iter().map(|&i| self.nodes[i].id.as_str()).collect()
    }

    /// Aggregate node indices, children before parents.
    pub fn aggregates_bottom_up(&self) -> &[usize] {
        &self.aggregates
    }

    /// The highest level (the root's level).
    pub fn max_level(&self) -> usize {
        self.nodes[self.root].level
    }

    /// Each node's weight normalised within its sibling group (root: 1).
    pub fn sibling_shares(&self) -> Vec<f64> {
        let mut out = vec![1.0; self.nodes.len()];
        for n in &self.nodes {
            let total: f64 = n.children.iter().map(|&c| self.nodes[c].weight).sum();
            for &c in &n.children {
                out[c] = self.nodes[c].weight / total;
            }
        }
        out
    }

    /// Each node's effective weight in the index: the product of its
    /// sibling-normalised weights along the path to the root.
    ///
    /// ```text
    /// w_eff(root) = 1,   w_eff(n) = w_eff(parent(n)) · w_n / Σ_{s ∈ siblings(n) ∪ {n}} w_s
    /// ```
    pub fn effective_weights(&self) -> Vec<f64> {
        let shares = self.sibling_shares();
        let mut out = vec![0.0; self.nodes.len()];
        // Parents first: walk aggregates top-down.
        out[self.root] = 1.0;
        for &a in self.aggregates.iter().rev() {
            for &c in &self.nodes[a].children {
                out[c] = out[a] * shares[c];
            }
        }
        out
    }

    /// A copy with some weights replaced (node id or unique zh / en name → weight),
    /// re-validated. See [`Framework::resolve`] for how keys are matched.
    ///
    /// # Errors
    /// [`Error::Unknown`] for a key that is neither an id nor a unique name (with the
    /// nearest ids and names as a hint); [`Error::Framework`] if the new weights are invalid
    /// (negative, non-finite, all-zero siblings).
    pub fn with_weights<'a>(&self, weights: impl IntoIterator<Item = (&'a str, f64)>) -> Result<Self> {
        let mut spec = self.spec.clone();
        for (id, w) in weights {
            let i = self.resolve(id, "weight set")?;
            spec.nodes[i].weight = w;
        }
        Self::from_spec(spec)
    }

    /// Node ids in arena order.
    pub fn node_ids(&self) -> Vec<&str> {
        self.nodes.iter().map(|n| n.id.as_str()).collect()
    }
}
