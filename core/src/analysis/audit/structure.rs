//! Internal consistency of each aggregate: Cronbach's alpha and principal components of
//! its children (complete cases only).
//!
//! ```text
//! α = k/(k − 1) · (1 − Σᵢ var(xᵢ) / var(Σᵢ xᵢ))                  k children, sample variances
//! PCA: eigen-decomposition of the children's correlation matrix R = V Λ Vᵀ;
//!      variance explained by component c = λ_c / k; loadings of PC1 = √λ₁ · v₁ (sign: Σ ≥ 0)
//! ```

use nalgebra::{DMatrix, SymmetricEigen};

use super::correlation::pearson;

/// Cronbach's alpha of columns (rows with a missing value dropped); NaN if k < 2 or n < 2.
pub fn cronbach_alpha(cols: &[Vec<f64>]) -> f64 {
    let k = cols.len();
    if k < 2 {
        return f64::NAN;
    }
    let n = cols[0].len();
    let rows: Vec<usize> = (0..n).filter(|&i| cols.iter().all(|c| !c[i].is_nan())).collect();
    if rows.len() < 2 {
        return f64::NAN;
    }
    let var = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64
    };
    let sum_var: f64 = cols.iter().map(|c| var(&rows.iter().map(|&i| c[i]).collect::<Vec<_>>())).sum();
    let total: Vec<f64> = rows.iter().map(|&i| cols.iter().map(|c| c[i]).sum()).collect();
    let vt = var(&total);
    if vt <= 0.0 {
        return f64::NAN;
    }
    k as f64 / (k as f64 - 1.0) * (1.0 - sum_var / vt)
}

/// Principal components of the correlation matrix of `cols`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// Eigenvalues, largest first.
    pub eigenvalues: Vec<f64>,
    /// Share of variance explained by each component.
    pub explained: Vec<f64>,
    /// Loadings of the first component (correlation of each column with it).
    pub loadings: Vec<f64>,
}

/// PCA of columns on complete cases; `None` if fewer than 2 columns or 3 complete rows, or a constant column.
pub fn pca(cols: &[Vec<f64>]) -> Option<Pca> {
    let k = cols.len();
    if k < 2 {
        return None;
    }
    let n = cols[0].len();
    let rows: Vec<usize> = (0..n).filter(|&i| cols.iter().all(|c| !c[i].is_nan())).collect();
    let cc: Vec<Vec<f64>> = cols.iter().map(|c| rows.iter().map(|&i| c[i]).collect()).collect();
    let mut r = DMatrix::<f64>::identity(k, k);
    for a in 0..k {
        for b in (a + 1)..k {
            let v = pearson(&cc[a], &cc[b]);
            if v.is_nan() {
                return None;
            }
            r[(a, b)] = v;
            r[(b, a)] = v;
        }
    }
    let e = SymmetricEigen::new(r);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| e.eigenvalues[b].total_cmp(&e.eigenvalues[a]));
    let eigenvalues: Vec<f64> = order.iter().map(|&i| e.eigenvalues[i]).collect();
    let explained = eigenvalues.iter().map(|l| l / k as f64).collect();
    let v1 = e.eigenvectors.column(order[0]);
    let sign = if v1.iter().sum::<f64>() < 0.0 { -1.0 } else { 1.0 };
    let loadings = v1.iter().map(|x| sign * x * eigenvalues[0].max(0.0).sqrt()).collect();
    Some(Pca {
        eigenvalues,
        explained,
        loadings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_and_pca_by_hand() {
        let cols = vec![
            vec![1.0, 2.0, 3.0, 4.0, 5.0],
            vec![2.0, 3.0, 3.0, 5.0, 6.0],
            vec![1.0, 1.0, 2.0, 2.0, 4.0],
        ];
        // by hand: var = 2.5, 2.7, 1.5 (sum 6.7); total = 4,6,8,11,15, var = 18.7
        let want = 1.5 * (1.0 - 6.7 / 18.7);
        assert!((cronbach_alpha(&cols) - want).abs() < 1e-12);
        let p = pca(&cols).expect("pca");
        assert!((p.eigenvalues.iter().sum::<f64>() - 3.0).abs() < 1e-12, "trace of R");
        assert!(p.eigenvalues[0] >= p.eigenvalues[1] && p.eigenvalues[1] >= p.eigenvalues[2]);
        assert!(p.loadings.iter().all(|&l| l > 0.8));
        // two perfectly correlated columns: λ = (2, 0)
        let q = pca(&[vec![1.0, 2.0, 3.0], vec![2.0, 4.0, 6.0]]).expect("pca");
        assert!((q.eigenvalues[0] - 2.0).abs() < 1e-12 && q.eigenvalues[1].abs() < 1e-12);
    }
}
