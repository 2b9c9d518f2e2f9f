//! Min-max normalisation (COINr `n_minmax`, Compind `normalise_ci` method 2).

use serde::{Deserialize, Serialize};

use super::{constant_warning, infinite_error, kernel, wrong_params, FittedColumn, Normalise, Params};
use crate::error::{Error, Result};
use crate::framework::Node;
use crate::log::LogEntry;

/// Min-max to `[lo, hi]`, after multiplying by the direction sign s:
///
/// ```text
/// y = (s·x − min) / (max − min) · (hi − lo) + lo        min, max of s·x over observed units
/// ```
///
/// A constant indicator (max = min, also a single observed unit) gets `constant`, by default
/// the middle `(lo + hi) / 2`, and a `constant_indicator` warning (COINr would give NaN).
/// A fitted min-max applied to other data can leave `[lo, hi]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinMax {
    /// Lower bound (default 0).
    #[serde(default)]
    pub lo: f64,
    /// Upper bound (default 100).
    #[serde(default = "hundred")]
    pub hi: f64,
    /// Value for a constant indicator (default `(lo + hi) / 2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant: Option<f64>,
}

fn hundred() -> f64 {
    100.0
}

impl Default for MinMax {
    /// `[0, 100]`.
    fn default() -> Self {
        MinMax {
            lo: 0.0,
            hi: 100.0,
            constant: None,
        }
    }
}

impl Normalise for MinMax {
    fn name(&self) -> &'static str {
        "minmax"
    }

    fn about(&self) -> &'static str {
        "min-max to [lo, hi] (COINr `n_minmax`) · 最小-最大值标准化"
    }

    fn check(&self) -> Result<()> {
        check_bounds("minmax", self.lo, self.hi, self.constant)
    }

    fn fit_column(&self, x: &[f64], node: &Node) -> Result<Params> {
        fit_range(self.name(), x, node)
    }

    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()> {
        transform_range(self.name(), self.lo, self.hi, self.constant, col, column, log)
    }
}

pub(super) fn check_bounds(method: &str, lo: f64, hi: f64, constant: Option<f64>) -> Result<()> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(Error::spec(
            format!("normalise ({method})"),
            format!("bounds lo = {lo}, hi = {hi} must be finite with lo < hi"),
        ));
    }
    if let Some(c) = constant {
        if !c.is_finite() {
            return Err(Error::spec(
                format!("normalise ({method})"),
                format!("constant = {c} must be finite"),
            ));
        }
    }
    Ok(())
}

pub(super) fn fit_range(method: &str, x: &[f64], node: &Node) -> Result<Params> {
    match kernel::min_max(x, node.direction.sign()) {
        Some((min, max)) if min.is_finite() && max.is_finite() => Ok(Params::Range { min, max }),
        Some(_) => Err(infinite_error(method, node)),
        None => Ok(Params::Missing),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn transform_range(
    method: &str,
    lo: f64,
    hi: f64,
    constant: Option<f64>,
    col: &mut [f64],
    column: &FittedColumn,
    log: &mut Vec<LogEntry>,
) -> Result<()> {
    let Params::Range { min, max } = column.params else {
        return Err(wrong_params(method, column, "range (min, max)"));
    };
    let sign = column.direction.sign();
    if max > min {
        kernel::affine(col, sign, min, (hi - lo) / (max - min), lo);
    } else {
        let c = constant.unwrap_or(0.5 * (lo + hi));
        kernel::fill_observed(col, c);
        log.push(constant_warning(method, column, min * sign, c));
    }
    Ok(())
}
