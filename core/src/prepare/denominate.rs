//! Divide indicators by their denominator column. (STUB: replaced by the prepare work.)

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::pipeline::{StepInput, StepOutput};

/// The `denominate` step: each indicator with a `denominator` ÷ that data column × `scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Denominate {
    /// Multiplier applied after division (default 1).
    #[serde(default = "one")]
    pub scale: f64,
}

fn one() -> f64 {
    1.0
}

impl Denominate {
    /// Apply the step.
    ///
    /// # Errors
    /// Not implemented yet.
    pub fn apply(&self, _input: &StepInput<'_>) -> Result<StepOutput> {
        Err(Error::method("denominate", "not implemented"))
    }
}
