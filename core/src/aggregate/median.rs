//! Weighted median of the children.

use std::cmp::Ordering;

use ndarray::{Array1, ArrayView2};

use super::method::Method;
use super::whole::KResult;

/// The weighted median of each unit's present children: the smallest child value at which
/// the cumulative normalised weight reaches one half (the *lower* weighted median).
///
/// ```text
/// present children with wⱼ > 0, sorted by value: x₍₁₎ ≤ x₍₂₎ ≤ … ≤ x₍ₘ₎
/// y = x₍ₖ₎,  k = min { k : Σ_{l ≤ k} w₍ₗ₎ / Σ_l w₍ₗ₎ ≥ ½ }
/// ```
/// Missing children (NaN) are skipped and the weights re-normalised over the present ones,
/// as for the weighted means; under `min_coverage` a unit with too few present children, or
/// with none of positive weight, scores NaN. A zero weight never decides. With equal weights
/// and an even number of children this is the lower of the two middle values (3 of 1, 3, 5, 7),
/// not their average. The comparison is made as `Σ_{l ≤ k} w₍ₗ₎ ≥ Σ_{l > k} w₍ₗ₎`, both sums
/// taken directly, so an exact half (equal weights) is not lost to rounding.
///
/// Robust to one extreme child, and only partly compensatory: a unit gains only by moving
/// the middle of its children. Source: F. Y. Edgeworth, "On a new method of reducing
/// observations relating to several quantities", *Philosophical Magazine* 25 (1888),
/// 184–191 (the weighted median); the definition as in Cormen, Leiserson, Rivest & Stein,
/// *Introduction to Algorithms* (3rd ed., 2009), problem 9-2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Median;

impl Method for Median {
    fn about(&self) -> &'static str {
        "weighted median of the children (Edgeworth 1888) · 加权中位数"
    }
    fn per_unit(&self) -> bool {
        true
    }
    fn score(&self, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
        let mut kids: Vec<(f64, f64)> = Vec::with_capacity(w.len());
        let mut upper = vec![0.0; w.len()];
        Ok(x.rows()
            .into_iter()
            .map(|row| {
                kids.clear();
                kids.extend(row.iter().zip(w).filter(|&(v, &wj)| !v.is_nan() && wj > 0.0).map(|(&v, &wj)| (v, wj)));
                kids.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal));
                // upper[k] = Σ_{l > k} w₍ₗ₎, summed from the top
                let m = kids.len();
                let mut s = 0.0;
                for k in (0..m).rev() {
                    upper[k] = s;
                    s += kids[k].1;
                }
                let mut lower = 0.0;
                for (k, &(v, wk)) in kids.iter().enumerate() {
                    lower += wk;
                    if lower >= upper[k] {
                        return v;
                    }
                }
                f64::NAN
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use crate::aggregate::{scores, Aggregate, Aggregator};

    /// Weighted medians worked by hand. Weights 0.1, 0.2, 0.3, 0.15, 0.25 for every row:
    /// - row 0: 3, 1, —, 4, 2 → present sorted 1 (.2), 2 (.25), 3 (.1), 4 (.15), Σw = .7;
    ///   cumulative .2/.7 = .29, .45/.7 = .64 ≥ ½ → 2
    /// - row 1: 5, 4, 3, 2, 1 → sorted 1 (.25), 2 (.15), 3 (.3), 4 (.2), 5 (.1);
    ///   cumulative .25, .40, .70 ≥ ½ → 3
    /// - row 2: nothing present → missing
    /// - row 3: 7, —, —, 9, — → 7 (.1), 9 (.15): .1/.25 = .4 < ½, then 1 → 9
    /// - row 4: 6, 6, 1, 9, 9 → 1 (.3), 6 (.1 + .2), 9 (.15 + .25): .3, .4, .6 ≥ ½ → 6
    #[test]
    fn weighted_median_by_hand() {
        let nan = f64::NAN;
        let x = array![
            [3.0, 1.0, nan, 4.0, 2.0],
            [5.0, 4.0, 3.0, 2.0, 1.0],
            [nan, nan, nan, nan, nan],
            [7.0, nan, nan, 9.0, nan],
            [6.0, 6.0, 1.0, 9.0, 9.0],
        ];
        let m: Aggregator = serde_json::from_str(r#"{"method":"median"}"#).unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"method":"median"}"#);
        let y = scores(&m, x.view(), &[0.1, 0.2, 0.3, 0.15, 0.25]).unwrap();
        assert_eq!(y[0], 2.0);
        assert_eq!(y[1], 3.0);
        assert!(y[2].is_nan());
        assert_eq!(y[3], 9.0);
        assert_eq!(y[4], 6.0);
        // Equal weights, four children 4, 3, 2, 1: cumulative ¼, ½ → the lower median 2 (not 2.5).
        let y = scores(&m, array![[4.0, 3.0, 2.0, 1.0]].view(), &[1.0; 4]).unwrap();
        assert_eq!(y[0], 2.0);
        // A zero weight never decides: 1 (w 0), 5, 8 → 5 (w ½ ≥ ½).
        let y = scores(&m, array![[1.0, 5.0, 8.0]].view(), &[0.0, 1.0, 1.0]).unwrap();
        assert_eq!(y[0], 5.0);
        // One row through the single-row entry point.
        let r = crate::aggregate::weighted_mean(&m, &[3.0, 1.0, nan, 4.0, 2.0], &[0.1, 0.2, 0.3, 0.15, 0.25]).unwrap();
        assert_eq!(r, Some(2.0));
    }

    /// Through the aggregate step: `min_coverage` blanks a unit with too few present children.
    #[test]
    fn median_step_applies_min_coverage() {
        let fw = crate::Framework::from_toml_str(
            "version = 1\n[[nodes]]\nid = \"I\"\n[[nodes]]\nid = \"a\"\nparent = \"I\"\n\
             [[nodes]]\nid = \"b\"\nparent = \"I\"\n[[nodes]]\nid = \"c\"\nparent = \"I\"\n",
        )
        .unwrap();
        let step: Aggregate = toml::from_str("method = \"median\"\nmin_coverage = 0.6\n").unwrap();
        let w: Vec<f64> = fw.nodes().iter().map(|n| n.weight).collect();
        let x = array![[1.0, 2.0, 9.0], [1.0, f64::NAN, f64::NAN]];
        let s = step.apply(&fw, &w, x.view(), &["u0", "u1"]).unwrap();
        let root = fw.root();
        assert_eq!(s[[0, root]], 2.0);
        assert!(s[[1, root]].is_nan()); // 1 of 3 present < 60 %
    }
}
