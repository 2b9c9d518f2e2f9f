//! Fraction of the maximum (COINr `n_fracmax`).

use serde::{Deserialize, Serialize};

use super::{infinite_error, kernel, wrong_params, FittedColumn, Normalise, Params, STEP};
use crate::error::Result;
use crate::framework::Node;
use crate::log::LogEntry;

/// Each value as a fraction of the best one, after multiplying by the direction sign s:
///
/// ```text
/// y = s·x / max(s·x)
/// ```
///
/// (COINr's `n_fracmax`.) Only meaningful for positive benefit data: for a cost indicator
/// s·x ≤ 0, and COINr's numbers (reproduced here: `coinr_fracmax` in
/// tests/normalise_golden.rs) are then hard to read. When max(s·x) ≤ 0 a
/// `nonpositive_max` warning names the indicator; when it is 0 the results are ±Inf or NaN
/// (0/0), as in COINr, and the warning says how many.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FracMax {}

impl Normalise for FracMax {
    fn name(&self) -> &'static str {
        "frac_max"
    }

    fn about(&self) -> &'static str {
        "fraction of the maximum · 占最大值比例"
    }

    fn fit_column(&self, x: &[f64], node: &Node) -> Result<Params> {
        match kernel::min_max(x, node.direction.sign()) {
            Some((min, max)) if min.is_finite() && max.is_finite() => Ok(Params::Max { max }),
            Some(_) => Err(infinite_error(self.name(), node)),
            None => Ok(Params::Missing),
        }
    }

    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()> {
        let Params::Max { max } = column.params else {
            return Err(wrong_params(self.name(), column, "max"));
        };
        let sign = column.direction.sign();
        // Observed values whose fraction is not finite (division by zero), counted before
        // `col` is overwritten.
        let bad = if max <= 0.0 {
            col.iter().filter(|&&v| !v.is_nan() && !(v * sign / max).is_finite()).count()
        } else {
            0
        };
        for o in col.iter_mut() {
            *o = *o * sign / max;
        }
        if max <= 0.0 {
            let detail = if bad > 0 {
                format!("frac_max: the maximum of the direction-adjusted values is {max}; {bad} value(s) are infinite or NaN (division by zero)")
            } else {
                format!("frac_max: the maximum of the direction-adjusted values is {max} ≤ 0; fractions of it are not meaningful")
            };
            log.push(
                LogEntry::warning(STEP, "nonpositive_max")
                    .indicator(column.indicator.as_str())
                    .value(max)
                    .detail(detail),
            );
        }
        Ok(())
    }
}
