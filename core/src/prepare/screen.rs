//! Drop units with too little data (COINr's `Screen`, `unit_screen = "byNA"` / `"byNAandzeros"`).

use ndarray::{Array2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::log::LogEntry;
use crate::stage::{StageData, StepInput, StepOutput};

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
                let included = coverage >= self.min_coverage && self.min_nonzero.is_none_or(|z| nonzero >= z);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::testutil::{dataset, framework, stage};

    const N: f64 = f64::NAN;

    fn run(s: &Screen, ds: &crate::Dataset) -> Result<StepOutput> {
        let fw = framework();
        let data = stage(ds);
        s.apply(&StepInput {
            framework: &fw,
            dataset: ds,
            data: &data,
        })
    }

    #[test]
    fn keeps_units_with_enough_coverage_in_order() {
        let ds = dataset(&[[1.0, 2.0, 3.0], [N, 2.0, 3.0], [N, N, 0.0], [4.0, 0.0, 0.0]]);
        let out = run(&Screen::new(0.6), &ds).expect("screen");
        assert_eq!(out.data.units, vec![0, 1, 3]);
        assert_eq!(out.data.values.column(0).to_vec()[..1], [1.0]);
        assert_eq!(out.data.values[[2, 0]], 4.0);
        assert!(out.data.values.is_standard_layout() || out.data.values.t().is_standard_layout());
        assert_eq!(out.log.len(), 1);
        assert_eq!(out.log[0].action, "screened_out");
        assert_eq!(out.log[0].unit.as_deref(), Some("u2"));
        // coverage exactly at the threshold stays (≥)
        let out = run(&Screen::new(2.0 / 3.0), &ds).expect("screen");
        assert_eq!(out.data.units, vec![0, 1, 3]);
    }

    #[test]
    fn summary_and_nonzero() {
        let ds = dataset(&[[1.0, 2.0, 3.0], [N, 0.0, 3.0], [N, N, 0.0], [4.0, 0.0, 0.0]]);
        let s = Screen {
            min_coverage: 0.0,
            min_nonzero: Some(0.5),
        };
        let rows = s.summary(&stage(&ds)).expect("summary");
        assert_eq!(rows[1].n_missing, 1);
        assert_eq!(rows[1].n_zero, 1);
        assert_eq!(rows[1].nonzero, 0.5);
        assert_eq!(rows[2].nonzero, 0.0);
        assert!((rows[3].nonzero - 1.0 / 3.0).abs() < 1e-15);
        let out = run(&s, &ds).expect("screen");
        assert_eq!(out.data.units, vec![0, 1]);
    }

    #[test]
    fn errors() {
        let ds = dataset(&[[N, N, 1.0], [N, 2.0, N]]);
        match run(&Screen::new(0.9), &ds).expect_err("all out") {
            Error::Empty(m) => assert!(m.contains("0.9"), "{m}"),
            e => panic!("unexpected {e}"),
        }
        for bad in [-0.1, 1.5, f64::NAN] {
            let e = run(&Screen::new(bad), &ds).expect_err("bad threshold");
            assert!(matches!(e, Error::Spec { .. }), "{e}");
        }
        let e = run(
            &Screen {
                min_coverage: 0.5,
                min_nonzero: Some(2.0),
            },
            &ds,
        )
        .expect_err("bad nonzero");
        assert!(matches!(e, Error::Spec { .. }), "{e}");
    }
}
