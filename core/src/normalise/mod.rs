//! Normalisation methods. (STUB: replaced by the normalisation work.)

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::framework::Node;
use crate::log::LogEntry;

/// The built-in normalisers (`method` tag in the pipeline document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Normaliser {
    /// Min-max to [lo, hi].
    Minmax {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
}

/// A normaliser with the parameters it learned from data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedNormaliser {
    /// The method.
    pub normaliser: Normaliser,
}

impl Normaliser {
    /// Fit on `x` (units × indicators, columns described by `nodes`) and transform it.
    /// Directions are applied here (cost indicators reversed).
    ///
    /// # Errors
    /// Not implemented yet.
    pub fn fit_transform(&self, _x: ArrayView2<'_, f64>, _nodes: &[&Node]) -> Result<(Array2<f64>, FittedNormaliser, Vec<LogEntry>)> {
        Err(Error::method("normalise", "not implemented"))
    }
}
