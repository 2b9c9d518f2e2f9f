//! Grading: mapping a score column to ordered, labelled bands.

use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How the band boundaries are found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Breaks {
    /// Fixed thresholds, strictly increasing (k thresholds → k + 1 bands).
    Fixed {
        /// The thresholds.
        thresholds: Vec<f64>,
    },
    /// Thresholds at these quantiles of the scores (R type 7 / numpy's default linear
    /// interpolation), e.g. `[0.25, 0.5, 0.75]` for quartile bands.
    Quantiles {
        /// Probabilities in (0, 1), strictly increasing.
        probs: Vec<f64>,
    },
    /// `bands` equal-width intervals between the scores' minimum and maximum.
    EqualIntervals {
        /// Number of bands (≥ 1).
        bands: usize,
    },
}

/// A grading specification: breaks and one label per band, from the LOWEST band to the
/// HIGHEST.
///
/// Band k holds scores in [t_(k−1), t_k): each band includes its lower threshold, the top
/// band everything from the last threshold up. E.g. thresholds `[60, 75, 90]` with labels
/// `["差", "中", "良", "优"]`: 59.9 → 差, 60 → 中, 90 → 优. Missing scores get no band.
///
/// ```toml
/// type = "fixed"
/// thresholds = [60.0, 75.0, 90.0]
/// labels = ["差", "中", "良", "优"]
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grading {
    /// The breaks.
    #[serde(flatten)]
    pub breaks: Breaks,
    /// One label per band, lowest band first.
    pub labels: Vec<String>,
}

/// The result of grading a score column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Graded {
    /// The thresholds used (computed for quantiles and equal intervals).
    pub thresholds: Vec<f64>,
    /// Each unit's band index (0 = lowest), `None` for a missing score.
    pub bands: Vec<Option<usize>>,
    /// Each unit's label, `None` for a missing score.
    pub labels: Vec<Option<String>>,
    /// Number of units in each band.
    pub counts: Vec<usize>,
}

impl Grading {
    /// A fixed-threshold grading.
    pub fn fixed<S: Into<String>>(thresholds: Vec<f64>, labels: impl IntoIterator<Item = S>) -> Self {
        Grading {
            breaks: Breaks::Fixed { thresholds },
            labels: labels.into_iter().map(Into::into).collect(),
        }
    }

    /// Number of bands the breaks define.
    pub fn n_bands(&self) -> usize {
        match &self.breaks {
            Breaks::Fixed { thresholds } => thresholds.len() + 1,
            Breaks::Quantiles { probs } => probs.len() + 1,
            Breaks::EqualIntervals { bands } => *bands,
        }
    }

    /// Check the specification.
    ///
    /// # Errors
    /// [`Error::Spec`] for labels that do not match the number of bands, thresholds that are
    /// not finite and strictly increasing, probabilities outside (0, 1) or not increasing,
    /// zero bands.
    pub fn check(&self) -> Result<()> {
        let what = "grading";
        match &self.breaks {
            Breaks::Fixed { thresholds } => increasing(what, "threshold", thresholds)?,
            Breaks::Quantiles { probs } => {
                increasing(what, "probability", probs)?;
                if let Some(p) = probs.iter().find(|p| !(**p > 0.0 && **p < 1.0)) {
                    return Err(Error::spec(what, format!("quantile probability {p} is outside (0, 1)")));
                }
            }
            Breaks::EqualIntervals { bands } => {
                if *bands == 0 {
                    return Err(Error::spec(what, "equal intervals need at least 1 band"));
                }
            }
        }
        if self.labels.len() != self.n_bands() {
            return Err(Error::spec(
                what,
                format!(
                    "{} labels for {} bands (give one label per band, lowest first)",
                    self.labels.len(),
                    self.n_bands()
                ),
            ));
        }
        Ok(())
    }

    /// The thresholds for these scores.
    ///
    /// # Errors
    /// As [`Grading::check`]; [`Error::Empty`] if quantiles or equal intervals are asked of
    /// a column with no present score.
    pub fn thresholds(&self, scores: ArrayView1<'_, f64>) -> Result<Vec<f64>> {
        self.check()?;
        let mut present: Vec<f64> = scores.iter().copied().filter(|v| !v.is_nan()).collect();
        match &self.breaks {
            Breaks::Fixed { thresholds } => Ok(thresholds.clone()),
            Breaks::Quantiles { probs } => {
                if present.is_empty() {
                    return Err(Error::Empty("grading by quantiles: no score present".into()));
                }
                present.sort_by(f64::total_cmp);
                Ok(probs.iter().map(|&p| quantile_type7(&present, p)).collect())
            }
            Breaks::EqualIntervals { bands } => {
                if present.is_empty() {
                    return Err(Error::Empty("grading by equal intervals: no score present".into()));
                }
                let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                Ok((1..*bands).map(|k| lo + (hi - lo) * k as f64 / *bands as f64).collect())
            }
        }
    }

    /// Grade a score column.
    ///
    /// ```text
    /// band(x) = #{ k : x ≥ t_k }      (0 = lowest band; missing x → no band)
    /// ```
    /// Quantile thresholds may coincide (ties in the data); the bands between them are then
    /// empty, never an error.
    ///
    /// # Errors
    /// As [`Grading::thresholds`].
    pub fn apply(&self, scores: ArrayView1<'_, f64>) -> Result<Graded> {
        let t = self.thresholds(scores)?;
        let mut counts = vec![0; self.n_bands()];
        let mut bands = Vec::with_capacity(scores.len());
        let mut labels = Vec::with_capacity(scores.len());
        for &x in scores {
            if x.is_nan() {
                bands.push(None);
                labels.push(None);
                continue;
            }
            let b = t.partition_point(|&th| x >= th);
            counts[b] += 1;
            bands.push(Some(b));
            labels.push(Some(self.labels[b].clone()));
        }
        Ok(Graded {
            thresholds: t,
            bands,
            labels,
            counts,
        })
    }
}

fn increasing(what: &str, name: &str, v: &[f64]) -> Result<()> {
    if let Some(x) = v.iter().find(|x| !x.is_finite()) {
        return Err(Error::spec(what, format!("{name} {x} is not finite")));
    }
    if let Some(w) = v.windows(2).find(|w| w[1] <= w[0]) {
        return Err(Error::spec(
            what,
            format!("{name}s must increase strictly ({} then {})", w[0], w[1]),
        ));
    }
    Ok(())
}

/// Quantile of sorted data by linear interpolation (R type 7, numpy's default).
///
/// ```text
/// h = (n − 1) p,   Q(p) = x_(⌊h⌋) + (h − ⌊h⌋)(x_(⌊h⌋+1) − x_(⌊h⌋))     (0-based order statistics)
/// ```
/// `sorted` must be non-empty and ascending; p is clamped to [0, 1].
pub fn quantile_type7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}
