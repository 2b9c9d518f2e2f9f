//! Distance to the maximum (COINr `n_dist2max`).

use serde::{Deserialize, Serialize};

use super::minmax::{check_bounds, fit_range, transform_range};
use super::{FittedColumn, Normalise, Params};
use crate::error::Result;
use crate::framework::Node;
use crate::log::LogEntry;

/// Distance to the best unit, as a fraction of the range (min-max to [0, 1]):
///
/// ```text
/// y = 1 − (max − s·x) / (max − min) = (s·x − min) / (max − min)      min, max of s·x
/// ```
///
/// A constant indicator gets `constant` (default 0.5) and a warning.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistToMax {
    /// Value for a constant indicator (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant: Option<f64>,
}

impl Normalise for DistToMax {
    fn name(&self) -> &'static str {
        "dist_to_max"
    }

    fn about(&self) -> &'static str {
        "distance to the maximum, min-max to [0, 1] · 距最大值"
    }

    fn check(&self) -> Result<()> {
        check_bounds(self.name(), 0.0, 1.0, self.constant)
    }

    fn fit_column(&self, x: &[f64], node: &Node) -> Result<Params> {
        fit_range(self.name(), x, node)
    }

    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()> {
        transform_range(self.name(), 0.0, 1.0, self.constant, col, column, log)
    }
}
