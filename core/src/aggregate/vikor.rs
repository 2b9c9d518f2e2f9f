//! VIKOR (Opricovic 1998; Opricovic & Tzeng 2004): compromise ranking.

// Comparisons written `!(x > 0.0)` deliberately reject NaN as well.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::method::Method;
use super::whole::{col_range, Fail, KResult};

/// VIKOR compromise index (see [`vikor`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Vikor {
    /// Weight of group utility (default 0.5).
    #[serde(default = "half")]
    pub v: f64,
    /// 1 − Q (default) or Q.
    #[serde(default)]
    pub output: VikorOutput,
}

fn half() -> f64 {
    0.5
}

impl Default for Vikor {
    fn default() -> Self {
        Vikor {
            v: half(),
            output: VikorOutput::default(),
        }
    }
}

impl Method for Vikor {
    fn about(&self) -> &'static str {
        "VIKOR compromise index (options `v`, `output`; Opricovic 1998) · VIKOR 折衷排序"
    }
    fn check(&self) -> Result<(), String> {
        if (0.0..=1.0).contains(&self.v) {
            Ok(())
        } else {
            Err(format!("VIKOR v = {} is outside [0, 1]", self.v))
        }
    }
    fn score(&self, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
        vikor(x, w, self.v, self.output)
    }
}

/// What the VIKOR aggregation ([`Vikor`]) returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VikorOutput {
    /// 1 − Q, so that higher is better like every other aggregated score (the default).
    #[default]
    OneMinusQ,
    /// Q itself (lower is better, as in the VIKOR literature).
    Q,
}

/// VIKOR compromise index.
///
/// ```text
/// f*_j = max_i x_ij,   f⁻_j = min_i x_ij
/// S_i  = Σ_j w_j (f*_j − x_ij)/(f*_j − f⁻_j)          group utility (constant child: term 0)
/// R_i  = max_j w_j (f*_j − x_ij)/(f*_j − f⁻_j)        individual regret
/// Q_i  = v (S_i − S*)/(S⁻ − S*) + (1 − v)(R_i − R*)/(R⁻ − R*)
///        S* = min S, S⁻ = max S, R* = min R, R⁻ = max R; a term whose range is 0 counts 0
/// ```
/// Q ∈ [0, 1], lower is better; by default 1 − Q is returned.
///
/// # Errors
/// v outside [0, 1].
pub(crate) fn vikor(x: ArrayView2<'_, f64>, w: &[f64], v: f64, output: VikorOutput) -> KResult<Array1<f64>> {
    if !(0.0..=1.0).contains(&v) {
        return Err(Fail::new(format!("v = {v} is outside [0, 1]")));
    }
    let (n, k) = x.dim();
    let ranges: Vec<(f64, f64)> = (0..k).map(|j| col_range(x.column(j))).collect();
    let mut s = vec![0.0; n];
    let mut r = vec![0.0f64; n];
    for j in 0..k {
        let (lo, hi) = ranges[j];
        if !(hi > lo) {
            continue;
        }
        for i in 0..n {
            let t = w[j] * (hi - x[[i, j]]) / (hi - lo);
            s[i] += t;
            r[i] = r[i].max(t);
        }
    }
    let span = |v: &[f64]| v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let (s_star, s_minus) = span(&s);
    let (r_star, r_minus) = span(&r);
    let part = |x: f64, best: f64, worst: f64| if worst > best { (x - best) / (worst - best) } else { 0.0 };
    Ok(Array1::from_iter((0..n).map(|i| {
        let q = v * part(s[i], s_star, s_minus) + (1.0 - v) * part(r[i], r_star, r_minus);
        match output {
            VikorOutput::Q => q,
            VikorOutput::OneMinusQ => 1.0 - q,
        }
    })))
}
