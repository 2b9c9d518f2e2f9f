//! PCA / factor weights (OECD/JRC Handbook on Constructing Composite Indicators, 2008,
//! section 6.1): principal components of the correlation matrix, varimax rotation, squared
//! loadings.
//!
//! Linear algebra by `nalgebra` (symmetric eigen-decomposition), already in the
//! dependency tree through `statrs`.

use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{Array2, ArrayView2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use super::common::{check_matrix, constant_note, to_weights, Criteria, WeightResult};
use crate::error::{Error, Result};

/// Options of [`pca`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PcaOptions {
    /// Keep components whose eigenvalue exceeds this (default 1.0, the Kaiser criterion).
    #[serde(default = "one")]
    pub min_eigenvalue: f64,
    /// Varimax-rotate the retained loadings (default `true`), with Kaiser normalisation
    /// (pairwise rotations to convergence; see the Handbook's Table 20).
    #[serde(default = "yes")]
    pub rotate: bool,
}

fn one() -> f64 {
    1.0
}
fn yes() -> bool {
    true
}

impl Default for PcaOptions {
    fn default() -> Self {
        PcaOptions {
            min_eigenvalue: 1.0,
            rotate: true,
        }
    }
}

/// PCA weights and what they were derived from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PcaResult {
    /// The weights (sum 1).
    pub weights: WeightResult,
    /// All eigenvalues of the correlation matrix of the non-constant criteria, descending.
    pub eigenvalues: Vec<f64>,
    /// Share of the total variance explained by each component (eigenvalue / Σ eigenvalues).
    pub explained: Vec<f64>,
    /// Number of components retained.
    pub retained: usize,
    /// Variance explained by each retained (rotated) factor, as a share of the total.
    pub factor_explained: Vec<f64>,
    /// Loadings (criteria × retained factors; rotated if `rotate`), 0 rows for constant criteria.
    pub loadings: Array2<f64>,
    /// The factor each criterion was assigned to (its largest scaled squared loading); `None`
    /// for a constant criterion.
    pub factor_of: Vec<Option<usize>>,
}

/// PCA / factor-analysis weights.
///
/// ```text
/// R = correlation matrix of the criteria; R = V Λ Vᵀ, λ₁ ≥ λ₂ ≥ …
/// keep the q components with λ_k > min_eigenvalue (at least one)
/// L = V_q Λ_q^(1/2)                       loadings (criteria × q), varimax-rotated
/// v_k = Σ_j L_jk²                         variance explained by factor k
/// s_jk = L_jk² / v_k                      squared loadings scaled to unity sum
/// k*(j) = argmax_k s_jk
/// w_j ∝ s_j,k*(j) · v_k*(j) / Σ_k v_k     (then normalised to sum 1)
/// ```
/// Signs and directions do not matter (loadings are squared). A constant criterion is left
/// out of R and gets weight 0 (recorded in `notes`).
///
/// # Errors
/// [`Error::Method`] naming unit and criterion for a missing value; fewer than 3 units;
/// fewer than 2 non-constant criteria.
pub fn pca(x: ArrayView2<'_, f64>, c: &Criteria, opts: &PcaOptions) -> Result<PcaResult> {
    const M: &str = "pca";
    check_matrix(M, x, c, 3)?;
    let m = x.ncols();
    let mut notes = Vec::new();
    let mut live = Vec::new();
    for j in 0..m {
        let (lo, hi) = super::common::min_max(x.column(j));
        if super::common::is_constant(lo, hi) {
            notes.push(constant_note(&c.names[j]));
        } else {
            live.push(j);
        }
    }
    let p = live.len();
    // Standardised live columns (unit norm), then R = Zᵀ Z by one gemm.
    let n = x.nrows();
    let mut z = Array2::<f64>::zeros((n, p).f());
    for (a, &j) in live.iter().enumerate() {
        let col = x.column(j);
        let mu = col.sum() / n as f64;
        let ss: f64 = col.iter().map(|v| (v - mu) * (v - mu)).sum();
        let s = ss.sqrt();
        z.column_mut(a).iter_mut().zip(col).for_each(|(o, &v)| *o = (v - mu) / s);
    }
    let zz = z.t().dot(&z);
    pca_from_corr(c, &live, &|a, b| zz[[a, b]], notes, opts)
}

/// PCA weights from the correlations `ρ(a, b)` of the varying criteria `live` (indices into
/// the criteria; `ρ` indexed by position in `live`, clamped to [−1, 1] here, the diagonal
/// taken as 1); `notes` already name the constant criteria. The rest of [`pca`].
pub(crate) fn pca_from_corr(
    c: &Criteria,
    live: &[usize],
    rho: &dyn Fn(usize, usize) -> f64,
    notes: Vec<String>,
    opts: &PcaOptions,
) -> Result<PcaResult> {
    const M: &str = "pca";
    let (m, p) = (c.len(), live.len());
    if p < 2 {
        return Err(Error::method(
            M,
            format!("needs at least 2 criteria that vary across units, found {p}"),
        ));
    }
    let corr = DMatrix::from_fn(p, p, |a, b| if a == b { 1.0 } else { rho(a, b).clamp(-1.0, 1.0) });
    let eig = SymmetricEigen::new(corr);
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let eigenvalues: Vec<f64> = order.iter().map(|&k| eig.eigenvalues[k].max(0.0)).collect();
    let total: f64 = eigenvalues.iter().sum();
    let explained: Vec<f64> = eigenvalues.iter().map(|l| l / total).collect();
    // Eigenvalues within rounding of the threshold do not count as above it.
    let q = eigenvalues.iter().filter(|&&l| l > opts.min_eigenvalue + 1e-10).count().max(1);
    let mut l = DMatrix::<f64>::zeros(p, q);
    for (k, &idx) in order.iter().take(q).enumerate() {
        let s = eigenvalues[k].sqrt();
        for a in 0..p {
            l[(a, k)] = eig.eigenvectors[(a, idx)] * s;
        }
    }
    if opts.rotate && q > 1 {
        l = varimax(&l);
    }
    let v: Vec<f64> = (0..q).map(|k| l.column(k).iter().map(|x| x * x).sum()).collect();
    let vsum: f64 = v.iter().sum();
    let mut raw = vec![0.0; m];
    let mut factor_of = vec![None; m];
    let mut loadings = Array2::<f64>::zeros((m, q).f());
    for (a, &j) in live.iter().enumerate() {
        let mut best = 0;
        let mut best_s = f64::NEG_INFINITY;
        for k in 0..q {
            loadings[[j, k]] = l[(a, k)];
            let s = l[(a, k)] * l[(a, k)] / v[k];
            if s > best_s + 1e-12 {
                best_s = s;
                best = k;
            }
        }
        factor_of[j] = Some(best);
        raw[j] = best_s * v[best] / vsum;
    }
    let weights = to_weights(M, raw, c, notes)?;
    Ok(PcaResult {
        weights,
        eigenvalues,
        explained,
        retained: q,
        factor_explained: v.iter().map(|x| x / total).collect(),
        loadings,
        factor_of,
    })
}

/// Varimax rotation with Kaiser normalisation, by Kaiser's (1959) pairwise rotations: for
/// each pair of factors (k, l) the angle that maximises the varimax criterion has a closed
/// form, so sweeps over all pairs are repeated until no angle exceeds 1e-13 rad. Unlike the
/// gradient (SVD) iteration, this also leaves a stationary starting point that is not a
/// maximum.
///
/// ```text
/// u_j = x_jk² − x_jl²,  v_j = 2 x_jk x_jl,  A = Σu, B = Σv, C = Σ(u² − v²), D = 2 Σ u v
/// 4φ = atan2(D − 2AB/p, C − (A² − B²)/p)
/// x_k ← x_k cos φ + x_l sin φ,   x_l ← −x_k sin φ + x_l cos φ
/// ```
fn varimax(l: &DMatrix<f64>) -> DMatrix<f64> {
    let (p, q) = l.shape();
    let h: Vec<f64> = (0..p).map(|a| l.row(a).norm().max(f64::MIN_POSITIVE)).collect();
    let mut x = l.clone();
    for a in 0..p {
        for k in 0..q {
            x[(a, k)] /= h[a];
        }
    }
    let pf = p as f64;
    for _ in 0..500 {
        let mut largest: f64 = 0.0;
        for k in 0..q {
            for m in (k + 1)..q {
                let (mut aa, mut bb, mut cc, mut dd) = (0.0, 0.0, 0.0, 0.0);
                for a in 0..p {
                    let (xk, xm) = (x[(a, k)], x[(a, m)]);
                    let u = xk * xk - xm * xm;
                    let v = 2.0 * xk * xm;
                    aa += u;
                    bb += v;
                    cc += u * u - v * v;
                    dd += 2.0 * u * v;
                }
                let num = dd - 2.0 * aa * bb / pf;
                let den = cc - (aa * aa - bb * bb) / pf;
                let phi = num.atan2(den) / 4.0;
                if phi.abs() < 1e-15 {
                    continue;
                }
                largest = largest.max(phi.abs());
                let (s, c) = phi.sin_cos();
                for a in 0..p {
                    let (xk, xm) = (x[(a, k)], x[(a, m)]);
                    x[(a, k)] = xk * c + xm * s;
                    x[(a, m)] = -xk * s + xm * c;
                }
            }
        }
        if largest < 1e-13 {
            break;
        }
    }
    for a in 0..p {
        for k in 0..q {
            x[(a, k)] *= h[a];
        }
    }
    x
}

impl super::method::Weighting for PcaOptions {
    fn about(&self) -> &'static str {
        "PCA / factor weights · 主成分（因子）分析法"
    }
    fn compute(&self, x: ArrayView2<'_, f64>, c: &Criteria) -> Result<WeightResult> {
        pca(x, c, self).map(|r| r.weights)
    }
}
