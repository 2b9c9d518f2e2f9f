//! Weighted arithmetic mean.

use super::means::Mean;
use super::method::Method;

/// Weighted arithmetic mean of the present children (COINr's `a_amean`).
///
/// ```text
/// y = Σ wᵢ xᵢ / Σ wᵢ          (sums over the children present for the unit)
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Arithmetic;

impl Method for Arithmetic {
    fn about(&self) -> &'static str {
        "weighted arithmetic mean · 加权算术平均"
    }
    fn mean(&self) -> Option<Mean> {
        Some(Mean::Arith)
    }
}
