//! The analytic hierarchy process (层次分析法, Saaty 1980): weights from a pairwise
//! comparison matrix, with its consistency.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::common::WeightResult;
use crate::error::{Error, Result};

/// Random-index tables for the consistency ratio CR = CI / RI(n).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "table", rename_all = "snake_case")]
pub enum RandomIndex {
    /// Saaty (1980), the default (n = 1..10):
    /// 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49.
    /// Used by crispyn, pyDecision and most Chinese textbooks.
    #[default]
    Saaty1980,
    /// Saaty (2005), *Theory and Applications of the Analytic Network Process*, p. 31
    /// (n = 1..15): 0, 0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56,
    /// 1.58, 1.59. ahpy's `random_index='saaty'`.
    Saaty2005,
    /// Donegan & Dodd (1991), "A note on Saaty's random indexes", *Mathematical and
    /// Computer Modelling* 15(10) (n = 1..20): 0, 0, 0.4914, 0.8286, 1.0591, 1.1797, 1.2519,
    /// 1.3171, 1.3733, 1.4055, 1.4213, 1.4497, 1.4643, 1.4822, 1.4969, 1.5078, 1.5153, 1.5262,
    /// 1.5313, 1.5371. ahpy's default `random_index='dd'`.
    DoneganDodd1991,
    /// Alonso & Lamata (2006), *Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems*
    /// 14(4) (n = 1..10): 0, 0, 0.5247, 0.8816, 1.1086, 1.2479, 1.3417, 1.4057, 1.4499, 1.4854.
    AlonsoLamata2006,
    /// A table of your own: `values[n − 1]` is RI(n). (pymcdm's table, whose RI(4) = 0.8921,
    /// is one to give this way.)
    Custom {
        /// RI for n = 1, 2, 3, …
        values: Vec<f64>,
    },
}

const SAATY_1980: [f64; 10] = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49];
const SAATY_2005: [f64; 15] = [
    0.0, 0.0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59,
];
const DONEGAN_DODD: [f64; 20] = [
    0.0, 0.0, 0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055, 1.4213, 1.4497, 1.4643, 1.4822, 1.4969, 1.5078, 1.5153,
    1.5262, 1.5313, 1.5371,
];
const ALONSO_LAMATA: [f64; 10] = [0.0, 0.0, 0.5247, 0.8816, 1.1086, 1.2479, 1.3417, 1.4057, 1.4499, 1.4854];

impl RandomIndex {
    /// The table's name.
    pub fn name(&self) -> &'static str {
        match self {
            RandomIndex::Saaty1980 => "saaty1980",
            RandomIndex::Saaty2005 => "saaty2005",
            RandomIndex::DoneganDodd1991 => "donegan_dodd1991",
            RandomIndex::AlonsoLamata2006 => "alonso_lamata2006",
            RandomIndex::Custom { .. } => "custom",
        }
    }

    /// RI(n).
    ///
    /// # Errors
    /// [`Error::Method`] if the table has no value for n.
    pub fn value(&self, n: usize) -> Result<f64> {
        let t: &[f64] = match self {
            RandomIndex::Saaty1980 => &SAATY_1980,
            RandomIndex::Saaty2005 => &SAATY_2005,
            RandomIndex::DoneganDodd1991 => &DONEGAN_DODD,
            RandomIndex::AlonsoLamata2006 => &ALONSO_LAMATA,
            RandomIndex::Custom { values } => values,
        };
        match n.checked_sub(1).and_then(|i| t.get(i)) {
            Some(&v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(Error::method(
                "ahp",
                format!(
                    "the random-index table `{}` has no value for n = {n} (it covers n ≤ {}); choose another table or give a custom one",
                    self.name(),
                    t.len()
                ),
            )),
        }
    }
}

/// How the priority vector is derived from the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Prioritisation {
    /// Principal right eigenvector, by power iteration (Saaty; the default).
    #[default]
    Eigenvector,
    /// Row geometric means, normalised (logarithmic least squares; "方根法").
    GeometricMean,
    /// Mean of the column-normalised matrix's rows ("和积法"; pyDecision's `wd='m'`).
    NormalisedColumns,
    /// Row sums, normalised (crispyn's `_normalized_column_sum`).
    RowSums,
}

/// Options of [`ahp`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AhpOptions {
    /// Priority vector derivation (default eigenvector).
    #[serde(default)]
    pub prioritisation: Prioritisation,
    /// Random-index table (default Saaty 1980).
    #[serde(default)]
    pub random_index: RandomIndex,
    /// Largest acceptable consistency ratio (default 0.1).
    #[serde(default = "default_cr")]
    pub max_cr: f64,
    /// Return the weights even when CR > `max_cr` (default `false`: an error).
    #[serde(default)]
    pub allow_inconsistent: bool,
    /// Tolerance of the reciprocity check |a_ij · a_ji − 1| ≤ tol. The default, 0.05, is
    /// how people round: a reciprocal written with two decimals is off by at most 4 %
    /// (0.33 for 1/3: 0.99; 0.11 for 1/9: 0.99; 0.14 for 1/7: 0.98; 0.13 for 1/8: 1.04), while
    /// a real mistake (3 where 1/3 belongs: 9) is far outside. Exact fractions can be written
    /// as strings in judgement documents (`"1/9"`). The cells are used as written.
    #[serde(default = "default_tol")]
    pub reciprocal_tolerance: f64,
}

fn default_cr() -> f64 {
    0.1
}
fn default_tol() -> f64 {
    RECIPROCAL_TOLERANCE
}

/// The default reciprocity tolerance of [`AhpOptions::reciprocal_tolerance`]: 0.05.
pub const RECIPROCAL_TOLERANCE: f64 = 0.05;

impl Default for AhpOptions {
    fn default() -> Self {
        AhpOptions {
            prioritisation: Prioritisation::Eigenvector,
            random_index: RandomIndex::Saaty1980,
            max_cr: 0.1,
            allow_inconsistent: false,
            reciprocal_tolerance: RECIPROCAL_TOLERANCE,
        }
    }
}

/// AHP weights with their consistency statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AhpResult {
    /// The weights (sum 1).
    pub weights: WeightResult,
    /// Principal eigenvalue λmax of the matrix (whatever the prioritisation).
    pub lambda_max: f64,
    /// Consistency index CI = (λmax − n)/(n − 1) (0 for n ≤ 2).
    pub ci: f64,
    /// The random index used, RI(n).
    pub ri: f64,
    /// Consistency ratio CR = CI / RI (0 when RI = 0, i.e. n ≤ 2).
    pub cr: f64,
    /// λ estimated from the chosen weights, mean_i (A w)_i / w_i (equals λmax for the
    /// eigenvector; pyDecision reports CR from it).
    pub lambda_from_weights: f64,
    /// CR computed from `lambda_from_weights`.
    pub cr_from_weights: f64,
    /// Whether CR ≤ `max_cr`.
    pub consistent: bool,
}

/// Check a pairwise comparison matrix: square, labelled, positive finite entries, unit
/// diagonal, reciprocal within `tol`.
///
/// # Errors
/// [`Error::Shape`] for a non-square matrix or wrong number of labels; [`Error::Method`]
/// naming the offending cell (`row label` vs `column label`) otherwise.
pub fn check_pairwise(a: ArrayView2<'_, f64>, labels: &[String], tol: f64) -> Result<()> {
    let n = a.nrows();
    if a.ncols() != n || labels.len() != n {
        return Err(Error::Shape {
            what: "AHP pairwise comparison matrix".into(),
            expected: format!("{0} × {0} (one row and column per label)", labels.len()),
            found: format!("{} × {}", a.nrows(), a.ncols()),
        });
    }
    if n == 0 {
        return Err(Error::Empty("AHP: no elements to compare".into()));
    }
    let cell = |i: usize, j: usize| format!("cell ({}, {})", labels[i], labels[j]);
    for i in 0..n {
        for j in 0..n {
            let v = a[[i, j]];
            if !(v > 0.0) || !v.is_finite() {
                return Err(Error::Method {
                    method: "ahp".into(),
                    message: format!("{} = {v}: judgements must be positive finite numbers", cell(i, j)),
                    unit: None,
                    node: Some(labels[i].clone()),
                });
            }
        }
        if (a[[i, i]] - 1.0).abs() > tol {
            return Err(Error::Method {
                method: "ahp".into(),
                message: format!("{} = {}: the diagonal must be 1", cell(i, i), a[[i, i]]),
                unit: None,
                node: Some(labels[i].clone()),
            });
        }
        for j in (i + 1)..n {
            let p = a[[i, j]] * a[[j, i]];
            if (p - 1.0).abs() > tol {
                return Err(Error::Method {
                    method: "ahp".into(),
                    message: format!(
                        "{} = {} but {} = {}: not reciprocal (product {p}, expected 1)",
                        cell(i, j),
                        a[[i, j]],
                        cell(j, i),
                        a[[j, i]]
                    ),
                    unit: None,
                    node: Some(labels[i].clone()),
                });
            }
        }
    }
    Ok(())
}

/// Principal eigenvector (sum 1) and eigenvalue of a positive matrix by power iteration.
fn principal(a: ArrayView2<'_, f64>) -> (Vec<f64>, f64) {
    let n = a.nrows();
    let mut w = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    let mut lambda = n as f64;
    for _ in 0..100_000 {
        for i in 0..n {
            next[i] = (0..n).map(|j| a[[i, j]] * w[j]).sum();
        }
        // Σ w = 1, so Σ (A w) is the Rayleigh-type estimate of λ.
        lambda = next.iter().sum();
        let mut diff: f64 = 0.0;
        for i in 0..n {
            let v = next[i] / lambda;
            diff = diff.max((v - w[i]).abs());
            w[i] = v;
        }
        if diff <= 1e-15 {
            break;
        }
    }
    // One more product for the eigenvalue at the converged vector.
    let lam: f64 = (0..n).map(|i| (0..n).map(|j| a[[i, j]] * w[j]).sum::<f64>()).sum();
    if lam.is_finite() {
        lambda = lam;
    }
    (w, lambda)
}

/// AHP weights and consistency of one pairwise comparison matrix.
///
/// `a[i][j]` says how much more important element i is than element j (Saaty's 1–9 scale;
/// `a[j][i] = 1 / a[i][j]`).
///
/// ```text
/// eigenvector:         A w = λmax w,  Σ w = 1   (power iteration to 1e-15)
/// geometric mean:      w_i ∝ (Π_j a_ij)^(1/n)
/// normalised columns:  w_i = (1/n) Σ_j a_ij / Σ_k a_kj
/// row sums:            w_i ∝ Σ_j a_ij
/// CI = (λmax − n)/(n − 1),   CR = CI / RI(n)   (CI = CR = 0 for n ≤ 2)
/// ```
///
/// # Errors
/// The errors of [`check_pairwise`]; [`Error::Method`] when the table has no RI for n, or
/// when CR > `max_cr` and `allow_inconsistent` is false (the message gives λmax, CI, CR).
pub fn ahp(a: ArrayView2<'_, f64>, labels: &[String], opts: &AhpOptions) -> Result<AhpResult> {
    check_pairwise(a, labels, opts.reciprocal_tolerance)?;
    let n = a.nrows();
    let (eig, lambda_max) = principal(a);
    let weights = match opts.prioritisation {
        Prioritisation::Eigenvector => eig,
        Prioritisation::GeometricMean => {
            let g: Vec<f64> = a
                .rows()
                .into_iter()
                .map(|r| (r.iter().map(|v| v.ln()).sum::<f64>() / n as f64).exp())
                .collect();
            let s: f64 = g.iter().sum();
            g.into_iter().map(|v| v / s).collect()
        }
        Prioritisation::NormalisedColumns => {
            let cs: Vec<f64> = a.columns().into_iter().map(|c| c.sum()).collect();
            (0..n).map(|i| (0..n).map(|j| a[[i, j]] / cs[j]).sum::<f64>() / n as f64).collect()
        }
        Prioritisation::RowSums => {
            let rs: Vec<f64> = a.rows().into_iter().map(|r| r.sum()).collect();
            let t: f64 = rs.iter().sum();
            rs.into_iter().map(|v| v / t).collect()
        }
    };
    let lambda_w = (0..n)
        .map(|i| (0..n).map(|j| a[[i, j]] * weights[j]).sum::<f64>() / weights[i])
        .sum::<f64>()
        / n as f64;
    let ri = if n <= 2 { 0.0 } else { opts.random_index.value(n)? };
    let ci_of = |l: f64| if n <= 2 { 0.0 } else { (l - n as f64) / (n as f64 - 1.0) };
    let cr_of = |ci: f64| if ri > 0.0 { ci / ri } else { 0.0 };
    let ci = ci_of(lambda_max);
    let cr = cr_of(ci);
    let consistent = cr <= opts.max_cr;
    if !consistent && !opts.allow_inconsistent {
        return Err(Error::method(
            "ahp",
            format!(
                "the judgements of [{}] are inconsistent: λmax = {lambda_max:.6}, CI = {ci:.6}, CR = {cr:.4} > {} (RI {} = {ri}); revise the matrix or set allow_inconsistent",
                labels.join(", "),
                opts.max_cr,
                opts.random_index.name()
            ),
        ));
    }
    let mut notes = Vec::new();
    if !consistent {
        notes.push(format!("CR = {cr:.4} > {} accepted because allow_inconsistent is set", opts.max_cr));
    }
    Ok(AhpResult {
        weights: WeightResult {
            method: "ahp".into(),
            criteria: labels.to_vec(),
            weights,
            notes,
        },
        lambda_max,
        ci,
        ri,
        cr,
        lambda_from_weights: lambda_w,
        cr_from_weights: cr_of(ci_of(lambda_w)),
        consistent,
    })
}

/// Combine several experts' matrices into one by the element-wise geometric mean
/// (Aczél & Saaty 1983), which keeps reciprocity.
///
/// ```text
/// a_ij = (Π_k a_ij^(k))^(1/K)
/// ```
///
/// # Errors
/// [`Error::Empty`] for no matrix; [`Error::Shape`] if the matrices differ in shape;
/// [`Error::Method`] for a non-positive entry (naming the expert and cell).
pub fn group_geometric_mean(matrices: &[ArrayView2<'_, f64>]) -> Result<Array2<f64>> {
    let first = matrices
        .first()
        .ok_or_else(|| Error::Empty("AHP group judgement: no matrices".into()))?;
    let dim = first.dim();
    let mut acc = Array2::<f64>::zeros(dim);
    for (k, m) in matrices.iter().enumerate() {
        if m.dim() != dim {
            return Err(Error::Shape {
                what: format!("AHP group judgement (expert #{})", k + 1),
                expected: format!("{} × {}", dim.0, dim.1),
                found: format!("{} × {}", m.nrows(), m.ncols()),
            });
        }
        for ((i, j), &v) in m.indexed_iter() {
            if !(v > 0.0) || !v.is_finite() {
                return Err(Error::method(
                    "ahp",
                    format!("expert #{}: cell ({}, {}) = {v} is not a positive number", k + 1, i + 1, j + 1),
                ));
            }
            acc[[i, j]] += v.ln();
        }
    }
    let kk = matrices.len() as f64;
    acc.mapv_inplace(|s| (s / kk).exp());
    Ok(acc)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ndarray::array;

    #[test]
    fn random_index_tables() {
        assert_eq!(RandomIndex::Saaty1980.value(4).unwrap(), 0.90);
        assert_eq!(RandomIndex::Saaty2005.value(15).unwrap(), 1.59);
        assert_eq!(RandomIndex::DoneganDodd1991.value(20).unwrap(), 1.5371);
        assert_eq!(RandomIndex::AlonsoLamata2006.value(3).unwrap(), 0.5247);
        assert!(RandomIndex::Saaty1980.value(11).is_err());
        assert!(RandomIndex::Saaty1980.value(0).is_err());
    }

    /// A consistent 3 × 3 matrix built from w = (4, 2, 1)/7: a_ij = w_i / w_j; λmax = 3, CR = 0,
    /// every prioritisation returns w.
    #[test]
    fn consistent_matrix() {
        let a = array![[1.0, 2.0, 4.0], [0.5, 1.0, 2.0], [0.25, 0.5, 1.0]];
        let labels: Vec<String> = ["x", "y", "z"].map(String::from).to_vec();
        for p in [
            Prioritisation::Eigenvector,
            Prioritisation::GeometricMean,
            Prioritisation::NormalisedColumns,
            Prioritisation::RowSums,
        ] {
            let r = ahp(
                a.view(),
                &labels,
                &AhpOptions {
                    prioritisation: p,
                    ..AhpOptions::default()
                },
            )
            .unwrap();
            for (g, w) in r.weights.weights.iter().zip([4.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0]) {
                assert!((g - w).abs() < 1e-14, "{p:?}: {g} vs {w}");
            }
            assert!((r.lambda_max - 3.0).abs() < 1e-12);
            assert!(r.cr.abs() < 1e-12);
        }
    }

    #[test]
    fn two_by_two_is_always_consistent() {
        let a = array![[1.0, 9.0], [1.0 / 9.0, 1.0]];
        let r = ahp(a.view(), &["p".into(), "q".into()], &AhpOptions::default()).unwrap();
        assert_eq!((r.ci, r.cr, r.ri), (0.0, 0.0, 0.0));
        assert!((r.weights.weights[0] - 0.9).abs() < 1e-14);
    }

    #[test]
    fn bad_entries_are_named() {
        let a = array![[1.0, -2.0], [0.5, 1.0]];
        let e = ahp(a.view(), &["p".into(), "q".into()], &AhpOptions::default()).unwrap_err();
        assert!(e.to_string().contains("(p, q)"), "{e}");
        let d = array![[2.0, 1.0], [1.0, 1.0]];
        assert!(ahp(d.view(), &["p".into(), "q".into()], &AhpOptions::default()).is_err());
    }
}
