//! Shared pieces of the weighting methods: criterion labels, the result type, checks and
//! the small column statistics every data-driven method uses.

use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::WeightSet;
use crate::error::{Error, Result};
use crate::framework::Direction;

/// Labels of the criteria (columns) a weighting method works on: their ids, their
/// directions and, optionally, the unit ids of the rows (used in error messages only).
#[derive(Debug, Clone, PartialEq)]
pub struct Criteria {
    /// Criterion ids, one per column.
    pub names: Vec<String>,
    /// Direction of each criterion (benefit: higher is better; cost: lower is better).
    pub directions: Vec<Direction>,
    /// Unit ids, one per row (optional; rows are named `#k` otherwise).
    pub units: Option<Vec<String>>,
}

impl Criteria {
    /// Criteria with the given ids and directions.
    ///
    /// # Errors
    /// [`Error::Shape`] if the two lists differ in length.
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>, directions: Vec<Direction>) -> Result<Self> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.len() != directions.len() {
            return Err(Error::Shape {
                what: "criteria".into(),
                expected: format!("{} directions", names.len()),
                found: directions.len().to_string(),
            });
        }
        Ok(Criteria {
            names,
            directions,
            units: None,
        })
    }

    /// Criteria that are all benefit-type (higher is better).
    pub fn benefit<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        let directions = vec![Direction::Benefit; names.len()];
        Criteria {
            names,
            directions,
            units: None,
        }
    }

    /// Criteria `c1, c2, …` (all benefit), for quick use on an unlabelled matrix.
    pub fn numbered(m: usize) -> Self {
        Criteria::benefit((1..=m).map(|j| format!("c{j}")))
    }

    /// The same criteria with unit ids for the rows (used in error messages).
    #[must_use]
    pub fn with_units<S: Into<String>>(mut self, units: impl IntoIterator<Item = S>) -> Self {
        self.units = Some(units.into_iter().map(Into::into).collect());
        self
    }

    /// Number of criteria.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no criteria.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The id of row `k` (its unit id, or `#k` (0-based) if none were given).
    pub fn unit(&self, k: usize) -> String {
        self.units
            .as_ref()
            .and_then(|u| u.get(k).cloned())
            .unwrap_or_else(|| format!("#{k}"))
    }
}

/// Weights computed by a method, labelled by criterion; they sum to 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightResult {
    /// The method (`entropy`, `critic`, `ahp`, …).
    pub method: String,
    /// Criterion ids.
    pub criteria: Vec<String>,
    /// One weight per criterion, non-negative, summing to 1.
    pub weights: Vec<f64>,
    /// What the method decided on the way (constant criteria set to 0, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl WeightResult {
    /// The weight of a criterion.
    pub fn get(&self, id: &str) -> Option<f64> {
        self.criteria.iter().position(|c| c == id).map(|j| self.weights[j])
    }

    /// Iterate `(criterion, weight)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.criteria.iter().map(String::as_str).zip(self.weights.iter().copied())
    }

    /// As a [`WeightSet`] (criterion id → weight), to plug into `Framework::with_weights`.
    pub fn to_weight_set(&self) -> WeightSet {
        WeightSet::from_pairs(self.iter().map(|(k, w)| (k.to_owned(), w)))
    }
}

/// Check a units × criteria matrix: column count matches, at least `min_rows` rows, every
/// value finite.
pub(crate) fn check_matrix(method: &str, x: ArrayView2<'_, f64>, c: &Criteria, min_rows: usize) -> Result<()> {
    if x.ncols() != c.len() {
        return Err(Error::Shape {
            what: format!("{method} weights"),
            expected: format!("{} criteria columns", c.len()),
            found: format!("{} columns", x.ncols()),
        });
    }
    if x.ncols() == 0 {
        return Err(Error::Empty(format!("{method}: no criteria")));
    }
    check_rows(method, x.nrows(), min_rows)?;
    for (j, col) in x.columns().into_iter().enumerate() {
        if let Some(k) = col.iter().position(|v| !v.is_finite()) {
            return Err(Error::Method {
                method: method.into(),
                message: format!("value {} is missing or not finite (impute or screen before weighting)", col[k]),
                unit: Some(c.unit(k)),
                node: Some(c.names[j].clone()),
            });
        }
    }
    Ok(())
}

/// At least `min_rows` units (rows) for `method`.
pub(crate) fn check_rows(method: &str, n: usize, min_rows: usize) -> Result<()> {
    if n < min_rows {
        return Err(Error::method(method, format!("needs at least {min_rows} units, found {n}")));
    }
    Ok(())
}

/// Min and max of a column.
pub(crate) fn min_max(col: ArrayView1<'_, f64>) -> (f64, f64) {
    col.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// Whether a column with this min and max is constant (range within rounding of the values).
pub(crate) fn is_constant(lo: f64, hi: f64) -> bool {
    let scale = lo.abs().max(hi.abs()).max(1.0);
    hi - lo <= 8.0 * f64::EPSILON * scale
}

/// Direction-aware min-max of a column into `out` (benefit: (x − min)/(max − min),
/// cost: (max − x)/(max − min)). Returns `false` (and leaves `out` at zeros) for a constant column.
pub(crate) fn minmax_into(col: ArrayView1<'_, f64>, dir: Direction, out: &mut [f64]) -> bool {
    let (lo, hi) = min_max(col);
    if is_constant(lo, hi) {
        out.iter_mut().for_each(|o| *o = 0.0);
        return false;
    }
    for (o, &v) in out.iter_mut().zip(col) {
        *o = minmax_value(v, lo, hi, dir);
    }
    true
}

/// Direction-aware min-max of one value of a column with range `[lo, hi]` (not constant).
pub(crate) fn minmax_value(v: f64, lo: f64, hi: f64, dir: Direction) -> f64 {
    match dir {
        Direction::Benefit => (v - lo) / (hi - lo),
        Direction::Cost => (hi - v) / (hi - lo),
    }
}

/// Mean of a slice.
pub(crate) fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample standard deviation (n − 1) of a slice (0 for fewer than 2 values).
pub(crate) fn sample_sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let m = mean(v);
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// Scale non-negative raw scores to weights summing to 1.
///
/// # Errors
/// [`Error::Method`] if every raw score is zero (e.g. every criterion constant).
pub(crate) fn to_weights(method: &str, raw: Vec<f64>, c: &Criteria, notes: Vec<String>) -> Result<WeightResult> {
    let total: f64 = raw.iter().sum();
    if !(total > 0.0) || !total.is_finite() {
        return Err(Error::method(
            method,
            format!(
                "no criterion carries information (every one of {} is constant or has zero dispersion)",
                c.names.join(", ")
            ),
        ));
    }
    Ok(WeightResult {
        method: method.into(),
        criteria: c.names.clone(),
        weights: raw.into_iter().map(|r| r / total).collect(),
        notes,
    })
}

/// The note recorded for a constant criterion under a data-driven method.
pub(crate) fn constant_note(name: &str) -> String {
    format!("criterion `{name}` is constant across units: weight 0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn minmax_is_direction_aware_and_flags_constants() {
        let c = array![2.0, 4.0, 3.0];
        let mut out = [0.0; 3];
        assert!(minmax_into(c.view(), Direction::Benefit, &mut out));
        assert_eq!(out, [0.0, 1.0, 0.5]);
        assert!(minmax_into(c.view(), Direction::Cost, &mut out));
        assert_eq!(out, [1.0, 0.0, 0.5]);
        let k = array![0.1 + 0.2, 0.3, 0.30000000000000004];
        assert!(!minmax_into(k.view(), Direction::Benefit, &mut out));
        assert_eq!(out, [0.0; 3]);
    }

    #[test]
    fn sample_sd_divides_by_n_minus_1() {
        assert_eq!(sample_sd(&[1.0, 3.0]), 2f64.sqrt());
        assert_eq!(sample_sd(&[5.0]), 0.0);
    }
}
