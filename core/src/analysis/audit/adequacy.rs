//! Data adequacy: per-indicator statistics and flags (COINr's `get_stats`), unit coverage.

use crate::framework::Framework;
use crate::pipeline::StageData;
use crate::prepare::stats;

/// Thresholds of the adequacy flags (COINr's defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Flag an indicator whose share of available values is below this (0.65).
    pub avail: f64,
    /// Flag an indicator whose share of non-zero values is below this (0.5).
    pub nonzero: f64,
    /// Flag an indicator whose share of unique values is below this (0.5).
    pub unique: f64,
    /// Outlier flag: |skew| above this ... (2)
    pub skew: f64,
    /// ... and kurtosis above this (3.5).
    pub kurtosis: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            avail: 0.65,
            nonzero: 0.5,
            unique: 0.5,
            skew: 2.0,
            kurtosis: 3.5,
        }
    }
}

/// Statistics of one indicator over the units of a stage (missing values skipped).
///
/// ```text
/// frc_avail   = n_avail / n_units
/// frc_nonzero = n_nonzero / n_avail      frc_unique = n_unique / n_avail
/// frc_same    = n_same / n_avail         n_same = occurrences of the most frequent value
/// skew, kurtosis: sample (Excel SKEW / KURT) formulas, see crate::prepare::stats
/// outlier flag: |skew| > t_skew and kurtosis > t_kurt
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorStats {
    /// Indicator id.
    pub id: String,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub median: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// Sample skewness.
    pub skew: f64,
    /// Sample excess kurtosis.
    pub kurtosis: f64,
    /// Available (non-missing) values.
    pub n_avail: usize,
    /// Non-zero values.
    pub n_nonzero: usize,
    /// Distinct values.
    pub n_unique: usize,
    /// Occurrences of the most frequent value.
    pub n_same: usize,
    /// Share of units with a value.
    pub frc_avail: f64,
    /// Share of non-zero values.
    pub frc_nonzero: f64,
    /// Share of distinct values.
    pub frc_unique: f64,
    /// Share of the most frequent value.
    pub frc_same: f64,
    /// Too few values available.
    pub low_avail: bool,
    /// Too many zeros.
    pub low_nonzero: bool,
    /// Too few distinct values.
    pub low_unique: bool,
    /// Skew and kurtosis both beyond the thresholds.
    pub outlier: bool,
}

/// Statistics of every indicator of a stage.
pub fn indicator_stats(fw: &Framework, stage: &StageData, t: &Thresholds) -> Vec<IndicatorStats> {
    let n_units = stage.values.nrows();
    fw.indicator_ids()
        .iter()
        .enumerate()
        .map(|(j, id)| {
            let x: Vec<f64> = stage.values.column(j).to_vec();
            let mut v: Vec<f64> = x.iter().copied().filter(|a| !a.is_nan()).collect();
            v.sort_by(f64::total_cmp);
            let n_avail = v.len();
            let n_nonzero = v.iter().filter(|&&a| a != 0.0).count();
            let (mut n_unique, mut n_same, mut run) = (0usize, 0usize, 0usize);
            for (i, &a) in v.iter().enumerate() {
                if i == 0 || a != v[i - 1] {
                    n_unique += 1;
                    run = 1;
                } else {
                    run += 1;
                }
                n_same = n_same.max(run);
            }
            let (min, max) = stats::min_max(&x);
            let (skew, kurtosis) = (stats::skew(&x), stats::kurtosis(&x));
            let frac = |k: usize, of: usize| if of == 0 { f64::NAN } else { k as f64 / of as f64 };
            let (frc_avail, frc_nonzero, frc_unique, frc_same) = (
                frac(n_avail, n_units),
                frac(n_nonzero, n_avail),
                frac(n_unique, n_avail),
                frac(n_same, n_avail),
            );
            IndicatorStats {
                id: (*id).to_owned(),
                min,
                max,
                mean: stats::mean(&x),
                median: stats::median(&x),
                sd: stats::sd(&x),
                skew,
                kurtosis,
                n_avail,
                n_nonzero,
                n_unique,
                n_same,
                frc_avail,
                frc_nonzero,
                frc_unique,
                frc_same,
                low_avail: frc_avail < t.avail,
                low_nonzero: frc_nonzero < t.nonzero,
                low_unique: frc_unique < t.unique,
                outlier: skew.abs() > t.skew && kurtosis > t.kurtosis,
            }
        })
        .collect()
}

/// Each unit's share of indicators with a value (rows of the stage).
pub fn unit_coverage(stage: &StageData) -> Vec<f64> {
    let m = stage.values.ncols().max(1) as f64;
    stage
        .values
        .rows()
        .into_iter()
        .map(|r| r.iter().filter(|a| !a.is_nan()).count() as f64 / m)
        .collect()
}
