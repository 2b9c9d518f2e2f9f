//! Drop units with too little data. (STUB: replaced by the prepare work.)

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::pipeline::{StepInput, StepOutput};

/// The `screen` step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Screen {
    /// Minimum share of non-missing indicators for a unit to stay.
    pub min_coverage: f64,
}

impl Screen {
    /// Apply the step.
    ///
    /// # Errors
    /// Not implemented yet.
    pub fn apply(&self, _input: &StepInput<'_>) -> Result<StepOutput> {
        Err(Error::method("screen", "not implemented"))
    }
}
