//! Fill missing values. (STUB: replaced by the prepare work.)

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::pipeline::{StepInput, StepOutput};

/// How to impute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImputeMethod {
    /// Leave missing values missing.
    None,
    /// Indicator mean over all units.
    Mean,
    /// Indicator median over all units.
    Median,
    /// Indicator mean over the unit's group.
    GroupMean,
    /// Indicator median over the unit's group.
    GroupMedian,
}

/// The `impute` step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Impute {
    /// Method.
    pub method: ImputeMethod,
    /// Group column for the group methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl Impute {
    /// Apply the step.
    ///
    /// # Errors
    /// Not implemented yet.
    pub fn apply(&self, _input: &StepInput<'_>) -> Result<StepOutput> {
        Err(Error::method("impute", "not implemented"))
    }
}
