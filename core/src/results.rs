//! Scores at every node, ranks and effective weights.

use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView1};

use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::rank::{rank, Ties};

/// The scores of a run: units × every framework node.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    unit_ids: Arc<[String]>,
    node_ids: Vec<String>,
    scores: Array2<f64>,
    effective_weights: Vec<f64>,
    root: usize,
    ties: Ties,
}

impl Results {
    /// Wrap a units × nodes score matrix (columns in framework node order).
    pub fn new(fw: &Framework, unit_ids: impl Into<Arc<[String]>>, scores: Array2<f64>, ties: Ties) -> Self {
        Results {
            unit_ids: unit_ids.into(),
            node_ids: fw.node_ids().into_iter().map(str::to_owned).collect(),
            scores,
            effective_weights: fw.effective_weights(),
            root: fw.root(),
            ties,
        }
    }

    /// Results for some of the framework's nodes: `nodes` are node indices (must include
    /// the root), `scores` is units × `nodes.len()` in that order.
    pub(crate) fn for_nodes(fw: &Framework, nodes: &[usize], unit_ids: impl Into<Arc<[String]>>, scores: Array2<f64>, ties: Ties) -> Self {
        let ew = fw.effective_weights();
        Results {
            unit_ids: unit_ids.into(),
            node_ids: nodes.iter().map(|&i| fw.nodes()[i].id.clone()).collect(),
            scores,
            effective_weights: nodes.iter().map(|&i| ew[i]).collect(),
            root: nodes.iter().position(|&i| i == fw.root()).unwrap_or(0),
            ties,
        }
    }

    /// Included unit ids (rows).
    pub fn unit_ids(&self) -> &[String] {
        &self.unit_ids
    }
    /// Node ids (columns), framework order: every node after [`crate::Pipeline::run`],
    /// the aggregates after [`crate::Pipeline::score`].
    pub fn node_ids(&self) -> &[String] {
        &self.node_ids
    }
    /// Units × nodes: normalised indicator values and aggregate scores.
    pub fn scores(&self) -> &Array2<f64> {
        &self.scores
    }
    /// The root node's id.
    pub fn index_id(&self) -> &str {
        &self.node_ids[self.root]
    }
    /// Each column's node's effective weight in the index (product of sibling shares up to the root).
    pub fn effective_weights(&self) -> &[f64] {
        &self.effective_weights
    }
    /// The tie rule used by [`Results::ranks`].
    pub fn ties(&self) -> Ties {
        self.ties
    }

    /// Column of a node.
    ///
    /// # Errors
    /// [`Error::Unknown`] for an id not in the framework.
    pub fn node_scores(&self, id: &str) -> Result<ArrayView1<'_, f64>> {
        let j = self.node_ids.iter().position(|n| n == id).ok_or_else(|| Error::Unknown {
            what: "node",
            id: id.into(),
            context: "results".into(),
        })?;
        Ok(self.scores.column(j))
    }

    /// Index (root) scores.
    pub fn index_scores(&self) -> ArrayView1<'_, f64> {
        self.scores.column(self.root)
    }

    /// Ranks of one node (1 = best).
    ///
    /// # Errors
    /// [`Error::Unknown`] for an id not in the framework.
    pub fn node_ranks(&self, id: &str) -> Result<Array1<f64>> {
        Ok(rank(self.node_scores(id)?, self.ties))
    }

    /// Ranks of the index.
    pub fn index_ranks(&self) -> Array1<f64> {
        rank(self.index_scores(), self.ties)
    }

    /// Ranks at every node (units × nodes; NaN where the score is missing).
    pub fn ranks(&self) -> Array2<f64> {
        let mut out = Array2::from_elem(self.scores.dim(), f64::NAN);
        for (j, col) in self.scores.columns().into_iter().enumerate() {
            out.column_mut(j).assign(&rank(col, self.ties));
        }
        out
    }

    /// Units ordered best first by index score (ties in unit order, missing last).
    pub fn ranking(&self) -> Vec<usize> {
        self.ranking_and_ranks().0
    }

    /// [`Results::ranking`] and [`Results::index_ranks`] from one sort of the index scores.
    pub fn ranking_and_ranks(&self) -> (Vec<usize>, Array1<f64>) {
        crate::rank::order_and_rank(self.index_scores(), self.ties)
    }
}
