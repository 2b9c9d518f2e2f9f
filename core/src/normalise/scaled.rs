//! Fixed linear scaling (COINr `n_scaled`).

use serde::{Deserialize, Serialize};

use super::{kernel, stateless_fit, FittedColumn, Normalise, Params};
use crate::error::{Error, Result};
use crate::framework::Node;
use crate::log::LogEntry;

/// A fixed linear map, the same for every indicator, after multiplying by the direction sign s:
///
/// ```text
/// y = (s·x − lo) / (hi − lo) · scale        (defaults lo 0, hi 100, scale 100)
/// ```
///
/// (COINr's `n_scaled(x, npara = c(lo, hi), scale_factor)`.) Not min-max: nothing is learned
/// from the data and results are not bounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scaled {
    /// `l` (default 0).
    #[serde(default)]
    pub lo: f64,
    /// `u` (default 100).
    #[serde(default = "hundred")]
    pub hi: f64,
    /// Scale factor (default 100).
    #[serde(default = "hundred")]
    pub scale: f64,
}

fn hundred() -> f64 {
    100.0
}

impl Default for Scaled {
    /// `lo` 0, `hi` 100, `scale` 100.
    fn default() -> Self {
        Scaled {
            lo: 0.0,
            hi: 100.0,
            scale: 100.0,
        }
    }
}

impl Normalise for Scaled {
    fn name(&self) -> &'static str {
        "scaled"
    }

    fn about(&self) -> &'static str {
        "fixed linear scaling (s·x − lo) / (hi − lo) · scale · 固定线性缩放"
    }

    fn check(&self) -> Result<()> {
        // Exact comparison on purpose: only equal bounds divide by zero.
        #[allow(clippy::float_cmp)]
        let bad = !(self.lo.is_finite() && self.hi.is_finite() && self.scale.is_finite()) || self.lo == self.hi || self.scale == 0.0;
        if bad {
            return Err(Error::spec(
                "normalise (scaled)",
                format!(
                    "lo = {}, hi = {}, scale = {} must be finite with lo ≠ hi and scale ≠ 0",
                    self.lo, self.hi, self.scale
                ),
            ));
        }
        Ok(())
    }

    fn fit_column(&self, _x: &[f64], _node: &Node) -> Result<Params> {
        Ok(stateless_fit())
    }

    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, _log: &mut Vec<LogEntry>) -> Result<()> {
        kernel::affine(col, column.direction.sign(), self.lo, self.scale / (self.hi - self.lo), 0.0);
        Ok(())
    }
}
