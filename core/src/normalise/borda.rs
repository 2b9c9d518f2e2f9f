//! Borda scores (COINr `n_borda`).

use serde::{Deserialize, Serialize};

use super::rank::ranks;
use super::{default_ties, stateless_fit, FittedColumn, Normalise, Params};
use crate::error::Result;
use crate::framework::Node;
use crate::log::LogEntry;
use crate::rank::Ties;

/// Borda scores: the number of units a unit beats, i.e. its rank minus one:
///
/// ```text
/// y = rank(s·x) − 1        ranks as in `rank` (1 = worst), ties `min` by default
/// ```
///
/// Nothing is learned: a fitted Borda normaliser scores the data it is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Borda {
    /// Tie rule (default `min`).
    #[serde(default = "default_ties")]
    pub ties: Ties,
}

impl Default for Borda {
    /// `min` ties.
    fn default() -> Self {
        Borda { ties: Ties::Min }
    }
}

impl Normalise for Borda {
    fn name(&self) -> &'static str {
        "borda"
    }

    fn about(&self) -> &'static str {
        "Borda scores: units strictly worse · Borda 计分"
    }

    fn fit_column(&self, _x: &[f64], _node: &Node) -> Result<Params> {
        Ok(stateless_fit())
    }

    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()> {
        ranks(self.name(), self.ties, col, column, log);
        for o in col.iter_mut() {
            *o -= 1.0;
        }
        Ok(())
    }
}
