//! The log-sum path: a geometric index left as approximate log-sums for ranking, and the
//! exact scores of the near-ties.

use super::*;

impl Engine<'_> {
    /// `num[i] = Σ_c w_c ln~(x_ci)` over the children with a weight, by the division-free
    /// logarithm ([`crate::kernels::vmath::axpy_ln_approx`]). `None` — the exact path must run, and
    /// gives the error or the missing scores — when a child has no column, there are too few
    /// children or no positive weight, or a value is not a positive normal number.
    ///
    /// The bound: every `ln~` is within `LN_APPROX_ERROR` of the exact `ln`, and the two sums
    /// of k products round differently by at most 4k·u·Σ|w ln x| ≤ 4k·u·710·wsum (u = 2⁻⁵³;
    /// |ln x| ≤ 710 for normal x). A further 1e-12·wsum keeps units whose log-sums differ by
    /// more than twice the bound apart after the division by wsum and the exponential
    /// (each within an ulp), so the ranker's premise holds.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn approx_log_sum(
        &self,
        children: &[usize],
        w: &[f64],
        min_cov: f64,
        var: &Variant,
        agg: &[f64],
        deferred: &[Option<ValueMap>],
        num: &mut [f64],
    ) -> Option<LogRoot> {
        let used: Vec<usize> = children.iter().copied().filter(|&c| w[c] != 0.0).collect();
        let wsum = used.iter().fold(0.0, |s, &c| s + w[c]);
        if used.len() < crate::aggregate::children_needed(min_cov, used.len()) || !(wsum > 0.0 && wsum.is_finite()) {
            return None;
        }
        num.fill(0.0);
        for &c in &used {
            let col = self.child_col(var, c, agg)?;
            let special = match self.slot[c].and_then(|k| deferred[k]) {
                Some(m) => crate::kernels::vmath::axpy_ln_approx(num, w[c], col, |x| m.apply(x)),
                None => crate::kernels::vmath::axpy_ln_approx(num, w[c], col, |x| x),
            };
            if special {
                return None;
            }
        }
        let rounding = 4.0 * used.len() as f64 * (f64::EPSILON / 2.0) * 710.0;
        Some(LogRoot {
            wsum,
            eps: wsum * (crate::kernels::vmath::LN_APPROX_ERROR + rounding + 1e-12),
        })
    }

    /// The exact index score of row `i` for a root left as a [`LogRoot`]: the operations of
    /// the dense geometric path, in its order, so the same bits.
    pub(super) fn exact_geometric(&self, cols: &[(&[f64], f64, Option<ValueMap>)], wsum: f64, i: usize) -> f64 {
        let mut s = 0.0;
        for &(col, wc, map) in cols {
            let x = map.map_or(col[i], |m| m.apply(col[i]));
            s += wc * crate::kernels::vmath::ln(x);
        }
        crate::kernels::vmath::exp(s / wsum)
    }
}
