//! Z-score normalisation (COINr `n_zscore`, Compind `normalise_ci` method 1).

use serde::{Deserialize, Serialize};

use super::{constant_warning, infinite_error, kernel, wrong_params, FittedColumn, Normalise, Params};
use crate::error::{Error, Result};
use crate::framework::Node;
use crate::log::LogEntry;

/// Standardise, after multiplying by the direction sign s, then rescale:
///
/// ```text
/// y = (s·x − m) / sd · sd′ + m′      m, sd: mean and SAMPLE sd (n − 1) of s·x over observed units
///                                    m′ = `mean`, sd′ = `sd` (defaults 0 and 1)
/// ```
///
/// Same as COINr's `n_zscore(x, m_sd = c(mean, sd))` and Compind's
/// `normalise_ci(method = 1, z.mean, z.std)`. A constant indicator (sd = 0, or a single
/// observed unit) gets `constant`, by default `mean`, and a `constant_indicator` warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZScore {
    /// Target mean (default 0).
    #[serde(default)]
    pub mean: f64,
    /// Target sd (default 1).
    #[serde(default = "one")]
    pub sd: f64,
    /// Value for a constant indicator (default `mean`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant: Option<f64>,
    /// Use the population sd (divide by n) instead of the sample sd (n − 1, default).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub population: bool,
}

fn one() -> f64 {
    1.0
}

impl Default for ZScore {
    /// Mean 0, sd 1.
    fn default() -> Self {
        ZScore {
            mean: 0.0,
            sd: 1.0,
            constant: None,
            population: false,
        }
    }
}

impl Normalise for ZScore {
    fn name(&self) -> &'static str {
        "zscore"
    }

    fn about(&self) -> &'static str {
        "z-score rescaled to a chosen mean and sd (sample sd) · Z 分数标准化"
    }

    fn check(&self) -> Result<()> {
        if !(self.mean.is_finite() && self.sd.is_finite() && self.sd > 0.0) {
            return Err(Error::spec(
                "normalise (zscore)",
                format!("mean = {}, sd = {} must be finite with sd > 0", self.mean, self.sd),
            ));
        }
        if let Some(c) = self.constant {
            if !c.is_finite() {
                return Err(Error::spec("normalise (zscore)", format!("constant = {c} must be finite")));
            }
        }
        Ok(())
    }

    fn fit_column(&self, x: &[f64], node: &Node) -> Result<Params> {
        match kernel::mean_sd(x, node.direction.sign(), self.population) {
            Some((mean, sd, _)) if mean.is_finite() && sd.is_finite() => Ok(Params::Moments { mean, sd }),
            Some(_) => Err(infinite_error(self.name(), node)),
            None => Ok(Params::Missing),
        }
    }

    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()> {
        let Params::Moments { mean, sd } = column.params else {
            return Err(wrong_params(self.name(), column, "moments (mean, sd)"));
        };
        let sign = column.direction.sign();
        if sd.is_finite() && sd > 0.0 {
            kernel::affine(col, sign, mean, self.sd / sd, self.mean);
        } else {
            let c = self.constant.unwrap_or(self.mean);
            kernel::fill_observed(col, c);
            log.push(constant_warning(self.name(), column, mean * sign, c));
        }
        Ok(())
    }
}
