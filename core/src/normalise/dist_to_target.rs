//! Distance to target (COINr `n_dist2targ`).

use serde::{Deserialize, Serialize};

use super::{infinite_error, kernel, wrong_params, FittedColumn, Normalise, Params, STEP};
use crate::error::{Error, Result};
use crate::framework::{Direction, Node};
use crate::log::LogEntry;

/// How far each unit has come from the worst observed value towards the framework's
/// `target` t (raw units):
///
/// ```text
/// benefit: y = (x − min) / (t − min)          min, max over the observed units (raw x)
/// cost:    y = (max − x) / (max − t)
/// cap:     y > 1 (beyond the target) is set to 1       (option, default off as COINr)
/// ```
///
/// This is COINr's `n_dist2targ(x, targ, direction, cap_max)`: the direction is passed to the
/// formula, not multiplied into x. Errors name the indicator when it has no target, or when the
/// target equals the worst observed value (division by zero).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistToTarget {
    /// Cap values beyond the target at 1 (default false).
    #[serde(default)]
    pub cap: bool,
}

impl Normalise for DistToTarget {
    fn name(&self) -> &'static str {
        "dist_to_target"
    }

    fn about(&self) -> &'static str {
        "distance to the framework's target · 距目标值"
    }

    fn fit_column(&self, x: &[f64], node: &Node) -> Result<Params> {
        let err = |message: String| Error::Method {
            method: "dist_to_target".into(),
            message,
            unit: None,
            node: Some(node.id.clone()),
        };
        let target = node
            .target
            .ok_or_else(|| err("the indicator has no `target` in the framework".into()))?;
        let Some((min, max)) = kernel::min_max(x, 1.0) else {
            return Ok(Params::Missing);
        };
        if !(min.is_finite() && max.is_finite()) {
            return Err(infinite_error(self.name(), node));
        }
        let reference = match node.direction {
            Direction::Benefit => min,
            Direction::Cost => max,
        };
        // Exact comparison on purpose: only an exact zero denominator is undefined.
        #[allow(clippy::float_cmp)]
        if target == reference || !target.is_finite() {
            let end = if node.direction == Direction::Benefit {
                "minimum"
            } else {
                "maximum"
            };
            return Err(err(format!(
                "target {target} equals the worst observed value (the data {end}): distance to target undefined"
            )));
        }
        Ok(Params::Target { target, reference })
    }

    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()> {
        let Params::Target { target, reference } = column.params else {
            return Err(wrong_params(self.name(), column, "target (target, reference)"));
        };
        // benefit (x − min)/(t − min); cost (max − x)/(max − t) = (x − max)/(t − max): one formula.
        kernel::affine(col, 1.0, reference, 1.0 / (target - reference), 0.0);
        if self.cap {
            let mut k = 0usize;
            for o in col.iter_mut() {
                if *o > 1.0 {
                    *o = 1.0;
                    k += 1;
                }
            }
            if k > 0 {
                log.push(
                    LogEntry::info(STEP, "capped")
                        .indicator(column.indicator.as_str())
                        .value(k as f64)
                        .detail(format!("dist_to_target: {k} value(s) beyond the target {target} set to 1")),
                );
            }
        }
        Ok(())
    }
}
