//! Goalpost normalisation (COINr `n_goalposts`, the OECD/JRC handbook's "distance to reference").

use serde::{Deserialize, Serialize};

use super::{kernel, wrong_params, FittedColumn, Normalise, Params, STEP};
use crate::error::{Error, Result};
use crate::framework::{Direction, Node};
use crate::log::LogEntry;

/// The fraction of the way from the worst goalpost to the best, with the framework's
/// `goalposts = [lo, hi]` (raw units) of each indicator:
///
/// ```text
/// benefit: y = (x − lo) / (hi − lo) · a
/// cost:    y = (x − hi) / (lo − hi) · a        (hi is the worst end)
/// trunc:   y is first clamped to [0, 1]         (default, COINr's trunc2posts = TRUE)
/// ```
///
/// `a` = `scale` (default 100, like the default min-max range). This is COINr's
/// `n_goalposts(x, gposts = c(lo, hi, a), direction, trunc2posts)`; the direction is passed to
/// the formula, not multiplied into x. An indicator without goalposts is an error naming it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goalposts {
    /// Scale `a`: results lie in [0, a] (default 100).
    #[serde(default = "hundred")]
    pub scale: f64,
    /// Truncate values outside the goalposts (default true).
    #[serde(default = "yes")]
    pub trunc: bool,
}

fn hundred() -> f64 {
    100.0
}

fn yes() -> bool {
    true
}

impl Default for Goalposts {
    /// Scale 100, truncated.
    fn default() -> Self {
        Goalposts { scale: 100.0, trunc: true }
    }
}

impl Normalise for Goalposts {
    fn name(&self) -> &'static str {
        "goalposts"
    }

    fn about(&self) -> &'static str {
        "the framework's goalposts, scaled to [0, scale] · 目标区间（阈值）法"
    }

    fn check(&self) -> Result<()> {
        if !(self.scale.is_finite() && self.scale > 0.0) {
            return Err(Error::spec(
                "normalise (goalposts)",
                format!("scale = {} must be finite and > 0", self.scale),
            ));
        }
        Ok(())
    }

    fn fit_column(&self, _x: &[f64], node: &Node) -> Result<Params> {
        match node.goalposts {
            Some([lo, hi]) if lo.is_finite() && hi.is_finite() && lo < hi => Ok(Params::Goalposts { lo, hi }),
            Some([lo, hi]) => Err(Error::Method {
                method: "goalposts".into(),
                message: format!("goalposts [{lo}, {hi}] must be finite with lo < hi"),
                unit: None,
                node: Some(node.id.clone()),
            }),
            None => Err(Error::Method {
                method: "goalposts".into(),
                message: "the indicator has no `goalposts = [lo, hi]` in the framework".into(),
                unit: None,
                node: Some(node.id.clone()),
            }),
        }
    }

    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()> {
        let Params::Goalposts { lo, hi } = column.params else {
            return Err(wrong_params(self.name(), column, "goalposts (lo, hi)"));
        };
        // benefit: (x − lo)/(hi − lo); cost: (x − hi)/(lo − hi) = (−x − (−hi))/(hi − lo).
        let (sign, shift) = match column.direction {
            Direction::Benefit => (1.0, lo),
            Direction::Cost => (-1.0, -hi),
        };
        kernel::affine(col, sign, shift, self.scale / (hi - lo), 0.0);
        if self.trunc {
            let k = kernel::clamp(col, 0.0, self.scale);
            if k > 0 {
                log.push(
                    LogEntry::info(STEP, "truncated")
                        .indicator(column.indicator.as_str())
                        .value(k as f64)
                        .detail(format!("goalposts: {k} value(s) outside [{lo}, {hi}] set to the nearest goalpost")),
                );
            }
        }
        Ok(())
    }
}
