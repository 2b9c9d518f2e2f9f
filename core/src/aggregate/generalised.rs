//! Weighted generalised (power) mean.

use serde::{Deserialize, Serialize};

use super::means::Mean;
use super::method::Method;

/// Weighted generalised (power) mean with exponent `p` of the present children.
///
/// ```text
/// y = ( Σ wᵢ xᵢᵖ / Σ wᵢ )^(1/p)          (p = 0 → geometric, p = 1 → arithmetic)
/// ```
/// Values must be ≥ 0 (> 0 when p < 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Generalised {
    /// The exponent; 1 = arithmetic, 0 = geometric, −1 = harmonic.
    pub p: f64,
}

impl Default for Generalised {
    /// The quadratic mean (p = 2), the preset lists show; a document must give `p`.
    fn default() -> Self {
        Generalised { p: 2.0 }
    }
}

impl Method for Generalised {
    fn about(&self) -> &'static str {
        "weighted generalised (power) mean (option `p`) · 加权幂平均"
    }
    fn mean(&self) -> Option<Mean> {
        Some(match self.p {
            0.0 => Mean::Geo(0.0),
            1.0 => Mean::Arith,
            p => Mean::Power(p),
        })
    }
    fn check(&self) -> Result<(), String> {
        if self.p.is_finite() {
            Ok(())
        } else {
            Err(format!("generalised mean exponent p = {} is not finite", self.p))
        }
    }
}
