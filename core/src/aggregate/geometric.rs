//! Weighted geometric mean.

use serde::{Deserialize, Serialize};

use super::means::Mean;
use super::method::Method;

/// Weighted geometric mean of the present children, optionally of shifted values (COINr's
/// `a_gmean`).
///
/// ```text
/// y = exp( Σ wᵢ ln(xᵢ + s) / Σ wᵢ ) − s          (s = shift, default 0)
/// ```
/// A value with `x + s ≤ 0` is an error naming unit and node.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Geometric {
    /// Added before and subtracted after (default 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub shift: f64,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Method for Geometric {
    fn about(&self) -> &'static str {
        "weighted geometric mean (option `shift`) · 加权几何平均"
    }
    fn mean(&self) -> Option<Mean> {
        Some(Mean::Geo(self.shift))
    }
    fn check(&self) -> Result<(), String> {
        if self.shift.is_finite() {
            Ok(())
        } else {
            Err(format!("geometric shift {} is not finite", self.shift))
        }
    }
}
