//! Pearson and Spearman correlations and the correlation ratio, over pairwise complete
//! observations.
//!
//! ```text
//! pearson(x, y)  = Σ (xᵢ − x̄)(yᵢ − ȳ) / √(Σ (xᵢ − x̄)² Σ (yᵢ − ȳ)²)      over i with both present
//! spearman(x, y) = pearson(rank x, rank y)                               average ranks for ties
//! η²(y | x)      = Σ_b n_b (ȳ_b − ȳ)² / Σᵢ (yᵢ − ȳ)²                     b: bins of x
//! ```
//! The correlation ratio η² estimates the main effect `V[E(y | x)] / V(y)`, the share of y's
//! variance that x explains whatever the shape of the relation (Paruolo, Saisana & Saltelli
//! 2013 use it to compare an indicator's importance with its nominal weight). `E(y | x)` is
//! estimated by the mean of y in `B = round(√n)` bins of consecutive x values of (nearly)
//! equal size; equal x values are never split between bins. It is biased upwards by about
//! `(B − 1) / n` of the unexplained share; for a linear relation it approaches r².
//! NaN when fewer than 3 complete pairs or a constant variable.
//!
//! Significance (R's `cor.test`, as COINr's `get_corr(pval = …)` uses it): the two-sided p-value
//! of r over n complete pairs from Student's t distribution with n − 2 degrees of freedom,
//!
//! ```text
//! t = r √((n − 2) / (1 − r²)),   p = 2 · (1 − F_t(|t|; n − 2))
//! ```
//! (for Spearman's ρ the same t approximation, which `cor.test(method = "spearman")` uses
//! for n > 1290 or with ties; it does not use AS 89's exact distribution for small samples).

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

/// Correlation ratio η²(y | x) of the pairs where both are present (see the module docs).
pub fn correlation_ratio(x: &[f64], y: &[f64]) -> f64 {
    let mut p: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(&a, &b)| (a, b))
        .collect();
    let n = p.len();
    if n < 3 {
        return f64::NAN;
    }
    p.sort_by(|a, b| a.0.total_cmp(&b.0));
    let my = p.iter().map(|q| q.1).sum::<f64>() / n as f64;
    let total: f64 = p.iter().map(|q| (q.1 - my).powi(2)).sum();
    if total <= 0.0 || p[0].0 == p[n - 1].0 {
        return f64::NAN;
    }
    let bins = ((n as f64).sqrt().round() as usize).max(2);
    let (mut between, mut start) = (0.0, 0);
    for b in 1..=bins {
        if start >= n {
            break;
        }
        let mut end = (b * n / bins).max(start + 1);
        while end < n && p[end].0 == p[end - 1].0 {
            end += 1; // keep equal x values together
        }
        let k = (end - start) as f64;
        let mean = p[start..end].iter().map(|q| q.1).sum::<f64>() / k;
        between += k * (mean - my).powi(2);
        start = end;
    }
    between / total
}

/// Number of pairs where both values are present.
pub fn complete_pairs(x: &[f64], y: &[f64]) -> usize {
    x.iter().zip(y).filter(|(a, b)| !a.is_nan() && !b.is_nan()).count()
}

/// Two-sided p-value of a correlation `r` over `n` complete pairs (see the module docs); NaN
/// when r is NaN or n < 3.
pub fn p_value(r: f64, n: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    if r.is_nan() || n < 3 {
        return f64::NAN;
    }
    if r.abs() >= 1.0 {
        return 0.0;
    }
    let df = (n - 2) as f64;
    let t = r.abs() * (df / (1.0 - r * r)).sqrt();
    match StudentsT::new(0.0, 1.0, df) {
        // the upper tail directly: 1 − cdf would lose the small p-values to cancellation
        Ok(dist) => 2.0 * dist.sf(t),
        Err(_) => f64::NAN,
    }
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
    fn correlation_ratio_by_hand_and_against_analytic_main_effects() {
        // n = 4: 2 bins {1, 2} and {3, 4}; y means 1.5 and 5.5 around 3.5 -> between 2·4 + 2·4
        // = 16, total (2.5² + 1.5² + 1.5² + 2.5²) = 17
        let eta = correlation_ratio(&[3.0, 1.0, 4.0, 2.0], &[5.0, 1.0, 6.0, 2.0]);
        assert!((eta - 16.0 / 17.0).abs() < 1e-12, "{eta}");
        // equal x values stay in one bin: x = [1, 1, 1, 2] -> bins {1, 1, 1} and {2}
        let eta = correlation_ratio(&[1.0, 1.0, 1.0, 2.0], &[1.0, 2.0, 3.0, 10.0]);
        let (m, m1) = (16.0 / 4.0, 2.0);
        let want = (3.0 * (m1 - m) * (m1 - m) + (10.0 - m) * (10.0 - m))
            / [1.0, 2.0, 3.0, 10.0].iter().map(|v: &f64| (v - m) * (v - m)).sum::<f64>();
        assert!((eta - want).abs() < 1e-12, "{eta} vs {want}");
        // y = x1 + x2, independent uniforms: main effect of x1 = 1/2; y = x²: r² = 0, η² = 1
        let mut s = 7u64;
        let mut u = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let (x1, x2): (Vec<f64>, Vec<f64>) = (0..20_000).map(|_| (u() - 0.5, u() - 0.5)).unzip();
        let y: Vec<f64> = x1.iter().zip(&x2).map(|(a, b)| a + b).collect();
        assert!((correlation_ratio(&x1, &y) - 0.5).abs() < 0.02);
        let sq: Vec<f64> = x1.iter().map(|a| a * a).collect();
        assert!(pearson(&x1, &sq).powi(2) < 0.01);
        assert!(correlation_ratio(&x1, &sq) > 0.98);
        assert!(correlation_ratio(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_nan());
        assert!(correlation_ratio(&[1.0, 2.0], &[1.0, 2.0]).is_nan());
    }

    /// p-values computed independently: r = 0.7745967 over 5 pairs (3 df) by the closed-form
    /// t CDF for 3 df, F(t) = ½ + (u/(1 + u²) + atan u)/π with u = t/√3: p = 0.1240271;
    /// r = 0.3 over 20 pairs (18 df) by Simpson integration of the t density: p = 0.1987577.
    #[test]
    fn p_values_by_the_t_distribution() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 4.0, 5.0, 4.0, 5.0];
        let p = p_value(pearson(&x, &y), complete_pairs(&x, &y));
        assert!((p - 0.124_027_062_657_554_6).abs() < 1e-9, "{p}");
        let p = p_value(0.3, 20);
        assert!((p - 0.198_757_717_344_553_3).abs() < 1e-9, "{p}");
        assert_eq!(p_value(-0.3, 20), p);
        assert_eq!(p_value(1.0, 10), 0.0);
        assert!(p_value(0.5, 2).is_nan() && p_value(f64::NAN, 10).is_nan());
        // small p-values keep their precision: r = 0.99 over 100 pairs, t ≈ 69.7
        let tiny = p_value(0.99, 100);
        assert!(tiny > 0.0 && tiny < 1e-80, "{tiny}");
    }

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
