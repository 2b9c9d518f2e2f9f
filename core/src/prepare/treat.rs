//! Outlier treatment. (STUB: replaced by the prepare work.)

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::pipeline::{StepInput, StepOutput};

/// Treatment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreatMethod {
    /// COINr's winsorisation with log fallback.
    Winsorise,
}

/// The `treat` step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Treat {
    /// Method.
    pub method: TreatMethod,
    /// Maximum points winsorised per indicator.
    #[serde(default = "five")]
    pub max_points: usize,
    /// |skew| threshold.
    #[serde(default = "two")]
    pub skew: f64,
    /// Kurtosis threshold.
    #[serde(default = "three_five")]
    pub kurtosis: f64,
}

fn five() -> usize {
    5
}
fn two() -> f64 {
    2.0
}
fn three_five() -> f64 {
    3.5
}

impl Treat {
    /// Apply the step.
    ///
    /// # Errors
    /// Not implemented yet.
    pub fn apply(&self, _input: &StepInput<'_>) -> Result<StepOutput> {
        Err(Error::method("treat", "not implemented"))
    }
}
