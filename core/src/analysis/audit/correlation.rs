//! Pearson and Spearman correlations over pairwise complete observations.
//!
//! ```text
//! pearson(x, y)  = Σ (xᵢ − x̄)(yᵢ − ȳ) / √(Σ (xᵢ − x̄)² Σ (yᵢ − ȳ)²)      over i with both present
//! spearman(x, y) = pearson(rank x, rank y)                               average ranks for ties
//! ```
//! NaN when fewer than 3 complete pairs or a constant variable.

use serde::{Deserialize, Serialize};

/// Correlation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Pearson's product-moment correlation.
    #[default]
    Pearson,
    /// Spearman's rank correlation.
    Spearman,
}

/// Pearson correlation of the pairs where both are present.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(&a, &b)| (a, b))
        .collect();
    pearson_pairs(&pairs)
}

fn pearson_pairs(p: &[(f64, f64)]) -> f64 {
    let n = p.len();
    if n < 3 {
        return f64::NAN;
    }
    let mx = p.iter().map(|q| q.0).sum::<f64>() / n as f64;
    let my = p.iter().map(|q| q.1).sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(a, b) in p {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return f64::NAN;
    }
    sxy / (sxx * syy).sqrt()
}

/// Average ranks (1 = smallest) of `v`.
pub fn average_ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && v[idx[j]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            r[k] = avg;
        }
        i = j;
    }
    r
}

/// Spearman correlation of the pairs where both are present.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (a, b): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(&a, &b)| (a, b))
        .unzip();
    pearson(&average_ranks(&a), &average_ranks(&b))
}

/// Correlation by method.
pub fn correlation(x: &[f64], y: &[f64], m: Method) -> f64 {
    match m {
        Method::Pearson => pearson(x, y),
        Method::Spearman => spearman(x, y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 4.0, 5.0, 4.0, 5.0];
        // numpy.corrcoef: 0.7745966692414834; scipy.stats.spearmanr: 0.7378647873726218
        assert!((pearson(&x, &y) - 0.774_596_669_241_483_4).abs() < 1e-12);
        assert!((spearman(&x, &y) - 0.737_864_787_372_621_8).abs() < 1e-12);
        assert!((pearson(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert!(pearson(&x, &[1.0; 5]).is_nan());
        assert!((pearson(&[1.0, f64::NAN, 3.0, 4.0], &[1.0, 9.0, 3.0, 4.0]) - 1.0).abs() < 1e-12);
    }
}
