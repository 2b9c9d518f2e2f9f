//! Weighted harmonic mean.

use super::means::Mean;
use super::method::Method;

/// Weighted harmonic mean of the present children (COINr's `a_hmean`).
///
/// ```text
/// y = Σ wᵢ / Σ (wᵢ / xᵢ)          (every present xᵢ > 0)
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Harmonic;

impl Method for Harmonic {
    fn about(&self) -> &'static str {
        "weighted harmonic mean · 加权调和平均"
    }
    fn mean(&self) -> Option<Mean> {
        Some(Mean::Harm)
    }
}
