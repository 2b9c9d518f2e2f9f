//! Rank normalisation (COINr `n_rank`, Compind `normalise_ci` method 3).

use serde::{Deserialize, Serialize};

use super::{default_ties, kernel, stateless_fit, FittedColumn, Normalise, Params, STEP};
use crate::error::Result;
use crate::framework::Node;
use crate::log::LogEntry;
use crate::rank::Ties;

/// Ranks of the direction-adjusted values among the observed units, **1 = worst**
/// (the lowest s·x), n = best, so that higher is better as for every normalised indicator:
///
/// ```text
/// y = rank(s·x)        ties: `min` (COINr's default; Compind uses `average`)
/// ```
///
/// Nothing is learned: a fitted rank normaliser ranks the data it is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rank {
    /// Tie rule (default `min`).
    #[serde(default = "default_ties")]
    pub ties: Ties,
}

impl Default for Rank {
    /// `min` ties.
    fn default() -> Self {
        Rank { ties: Ties::Min }
    }
}

impl Normalise for Rank {
    fn name(&self) -> &'static str {
        "rank"
    }

    fn about(&self) -> &'static str {
        "ranks, 1 = worst, ties `min` · 排序（秩）"
    }

    fn fit_column(&self, _x: &[f64], _node: &Node) -> Result<Params> {
        Ok(stateless_fit())
    }

    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()> {
        ranks(self.name(), self.ties, col, column, log);
        Ok(())
    }
}

/// Replace `col` by its ascending ranks; returns the number of observed values (0 logs a warning).
pub(super) fn ranks(method: &str, ties: Ties, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> usize {
    let n = kernel::ascending_ranks(col, column.direction.sign(), ties);
    if n == 0 && !col.is_empty() {
        log.push(
            LogEntry::warning(STEP, "no_data")
                .indicator(column.indicator.as_str())
                .detail(format!("{method}: no observed value to rank; output left missing")),
        );
    }
    n
}
