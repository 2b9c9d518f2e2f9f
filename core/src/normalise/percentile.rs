//! Percentile ranks (COINr `n_prank`).

use serde::{Deserialize, Serialize};

use super::rank::ranks;
use super::{default_ties, stateless_fit, FittedColumn, Normalise, Params, STEP};
use crate::error::{Error, Result};
use crate::framework::Node;
use crate::log::LogEntry;
use crate::rank::Ties;

/// Percentile ranks in [0, 1]: the share of the other observed units that a unit beats.
///
/// ```text
/// y = (rank(s·x) − 1) / (n − 1)     n observed units, ranks 1 = worst, ties `min` by default
/// ```
///
/// (COINr's `n_prank`.) With a single observed unit (n = 1, where COINr gives NaN) the unit
/// gets `single` (default 0.5) and a warning. Nothing is learned: a fitted percentile
/// normaliser ranks the data it is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Percentile {
    /// Tie rule (default `min`).
    #[serde(default = "default_ties")]
    pub ties: Ties,
    /// Value when only one unit is observed (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single: Option<f64>,
}

impl Default for Percentile {
    /// `min` ties.
    fn default() -> Self {
        Percentile {
            ties: Ties::Min,
            single: None,
        }
    }
}

impl Normalise for Percentile {
    fn name(&self) -> &'static str {
        "percentile"
    }

    fn about(&self) -> &'static str {
        "percentile ranks in [0, 1] · 百分位秩"
    }

    fn check(&self) -> Result<()> {
        match self.single {
            Some(v) if !v.is_finite() => Err(Error::spec("normalise (percentile)", format!("single = {v} must be finite"))),
            _ => Ok(()),
        }
    }

    fn fit_column(&self, _x: &[f64], _node: &Node) -> Result<Params> {
        Ok(stateless_fit())
    }

    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()> {
        let n = ranks(self.name(), self.ties, col, column, log);
        if n == 0 {
            return Ok(());
        }
        if n == 1 {
            let v = self.single.unwrap_or(0.5);
            for o in col.iter_mut().filter(|o| !o.is_nan()) {
                *o = v;
            }
            log.push(
                LogEntry::warning(STEP, "single_unit")
                    .indicator(column.indicator.as_str())
                    .value(v)
                    .detail(format!("percentile: only one observed unit; set to {v} (option `single`)")),
            );
        } else {
            let d = (n - 1) as f64;
            for o in col.iter_mut() {
                *o = (*o - 1.0) / d;
            }
        }
        Ok(())
    }
}
