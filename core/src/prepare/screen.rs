//! Drop units with too little data (COINr's `Screen`, `unit_screen = "byNA"` / `"byNAandzeros"`).

use ndarray::{Array2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::log::LogEntry;
use crate::pipeline::{StageData, StepInput, StepOutput};

const STEP: &str = "screen";

/// The `screen` step. For each unit `u`, over the `m` framework indicators:
///
/// ```text
/// coverage_u = 1 − n_missing_u / m                          (COINr Dat_Avail)
/// nonzero_u  = 1 − n_zero_u / (m − n_missing_u)             (COINr Non_Zero: share of non-zero among present values)
/// keep u  ⇔  coverage_u ≥ min_coverage  [and nonzero_u ≥ min_nonzero if given]
/// ```
///
/// Kept units stay in their order. A unit with no present value has `nonzero = NaN`,
/// which fails a `min_nonzero` test. Each dropped unit is logged (`screened_out`, detail
/// with its coverage / non-zero share).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Screen {
    /// Minimum share of non-missing indicators for a unit to stay, in [0, 1].
    pub min_coverage: f64,
    /// Optional minimum share of non-zero values among a unit's non-missing values, in [0, 1]
    /// (COINr `nonzero_thresh` with `unit_screen = "byNAandzeros"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_nonzero: Option<f64>,
}

/// One unit's data availability (COINr's screening `DataSummary` row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScreenRow {
    /// Missing indicators.
    pub n_missing: usize,
    /// Present indicators equal to zero.
    pub n_zero: usize,
    /// `1 − n_missing / m` (COINr `Dat_Avail`).
    pub coverage: f64,
    /// `1 − n_zero / (m − n_missing)` (COINr `Non_Zero`).
    pub nonzero: f64,
    /// Whether the unit passes the thresholds.
    pub included: bool,
}

impl Screen {
    /// A screen on coverage only.
    pub fn new(min_coverage: f64) -> Self {
        Screen {
            min_coverage,
            min_nonzero: None,
        }
    }

    fn check(&self) -> Result<()> {
        let ok = |v: f64| (0.0..=1.0).contains(&v);
        if !ok(self.min_coverage) {
            return Err(Error::spec(
                "step `screen`",
                format!("min_coverage must be in [0, 1], got {}", self.min_coverage),
            ));
        }
        if let Some(z) = self.min_nonzero {
            if !ok(z) {
                return Err(Error::spec("step `screen`", format!("min_nonzero must be in [0, 1], got {z}")));
            }
        }
        Ok(())
    }

    /// The availability table of the current stage, one row per unit (column passes only).
    ///
    /// # Errors
    /// [`Error::Spec`] for a threshold outside [0, 1].
    pub fn summary(&self, data: &StageData) -> Result<Vec<ScreenRow>> {
        self.check()?;
        let (n, m) = data.values.dim();
        let mut miss = vec![0usize; n];
        let mut zero = vec![0usize; n];
        for col in data.values.columns() {
            for ((v, mi), ze) in col.iter().zip(miss.iter_mut()).zip(zero.iter_mut()) {
                if v.is_nan() {
                    *mi += 1;
                } else if *v == 0.0 {
                    *ze += 1;
                }
            }
        }
        let mf = m as f64;
        Ok(miss
            .into_iter()
            .zip(zero)
            .map(|(n_missing, n_zero)| {
                let coverage = 1.0 - n_missing as f64 / mf;
                let nonzero = 1.0 - n_zero as f64 / (m - n_missing) as f64;
                let included = coverage >= self.min_coverage && self.min_nonzero.map_or(true, |z| nonzero >= z);
                ScreenRow {
                    n_missing,
                    n_zero,
                    coverage,
                    nonzero,
                    included,
                }
            })
            .collect())
    }

    /// Apply the step.
    ///
    /// # Errors
    /// [`Error::Spec`] for a threshold outside [0, 1]; [`Error::Empty`] if every unit is screened out.
    pub fn apply(&self, input: &StepInput<'_>) -> Result<StepOutput> {
        let rows = self.summary(input.data)?;
        let keep: Vec<usize> = rows.iter().enumerate().filter(|(_, r)| r.included).map(|(k, _)| k).collect();
        let mut log = Vec::new();
        for (k, r) in rows.iter().enumerate().filter(|(_, r)| !r.included) {
            let mut detail = format!("coverage {:.4} (minimum {})", r.coverage, self.min_coverage);
            if let Some(z) = self.min_nonzero {
                detail.push_str(&format!(", non-zero share {:.4} (minimum {z})", r.nonzero));
            }
            log.push(
                LogEntry::info(STEP, "screened_out")
                    .unit(input.unit_id(k))
                    .value(r.coverage)
                    .detail(detail),
            );
        }
        if keep.is_empty() && !rows.is_empty() {
            let mut msg = format!("every unit was screened out by min_coverage = {}", self.min_coverage);
            if let Some(z) = self.min_nonzero {
                msg.push_str(&format!(" / min_nonzero = {z}"));
            }
            return Err(Error::Empty(msg));
        }
        let old = &input.data.values;
        let mut values = Array2::<f64>::zeros((keep.len(), old.ncols()).f());
        for (mut dst, src) in values.columns_mut().into_iter().zip(old.columns()) {
            for (d, &k) in dst.iter_mut().zip(&keep) {
                *d = src[k];
            }
        }
        Ok(StepOutput {
            data: StageData {
                units: keep.iter().map(|&k| input.data.units[k]).collect(),
                values,
            },
            log,
        })
    }
}
