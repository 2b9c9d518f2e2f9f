//! Divide indicators by their denominator column (COINr's `Denominate`).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::log::LogEntry;
use crate::stage::{apply_by_column, ColumnKernel, ColumnStep};
use crate::stage::{StepInput, StepOutput};

const STEP: &str = "denominate";

/// The `denominate` step: every indicator whose framework node names a
/// `denominator` is divided by that dataset column, then multiplied by `scale`:
///
/// ```text
/// x'_ui = x_ui / d_u × scale      for indicators i with a denominator column d
/// x'_ui = x_ui                    for the other indicators
/// ```
///
/// The denominator is looked up with [`Dataset::numeric_column`](crate::Dataset::numeric_column)
/// (a numeric column, or failing that an indicator column of the dataset), on the
/// rows of the current stage. A zero or missing denominator gives a missing result
/// and a warning naming the unit and the indicator; a missing numerator stays missing
/// silently (it was already missing). One info entry is logged per denominated indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Denominate {
    /// Multiplier applied after division (default 1).
    #[serde(default = "one")]
    pub scale: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for Denominate {
    fn default() -> Self {
        Denominate { scale: 1.0 }
    }
}

impl Denominate {
    /// Apply the step.
    ///
    /// # Errors
    /// [`Error::Spec`] if `scale` is not finite; [`Error::MissingColumn`] if a
    /// framework denominator is not a column of the dataset.
    pub fn apply(&self, input: &StepInput<'_>) -> Result<StepOutput> {
        apply_by_column(self, input)
    }
}

impl ColumnStep for Denominate {
    fn begin<'a>(&'a self, input: &StepInput<'a>) -> Result<Box<dyn ColumnKernel + 'a>> {
        if !self.scale.is_finite() {
            return Err(Error::spec(
                "step `denominate`",
                format!("scale must be a finite number, got {}", self.scale),
            ));
        }
        for &i in input.framework.indicators() {
            let node = &input.framework.nodes()[i];
            if let Some(d) = node.denominator.as_deref() {
                if input.dataset.numeric().get(d).is_none() && input.dataset.indicator(d).is_none() {
                    return Err(Error::MissingColumn {
                        column: d.to_owned(),
                        needed_by: format!("denominator of indicator `{}`", node.id),
                    });
                }
            }
        }
        Ok(Box::new(self))
    }
}

impl ColumnKernel for &Denominate {
    fn column(&mut self, input: &StepInput<'_>, j: usize, col: &mut [f64], log: &mut Vec<LogEntry>) -> Result<()> {
        let ds = input.dataset;
        let rows = &input.data.units;
        let node = input.indicator_node(j);
        let Some(den_name) = node.denominator.as_deref() else {
            return Ok(());
        };
        // Borrow the column when it is a numeric column (no copy); fall back to the
        // dataset's own lookup (indicator columns) otherwise.
        let owned;
        let den: &[f64] = match ds.numeric().get(den_name) {
            Some(v) => v,
            None => {
                owned = ds.numeric_column(den_name).ok_or_else(|| Error::MissingColumn {
                    column: den_name.to_owned(),
                    needed_by: format!("denominator of indicator `{}`", node.id),
                })?;
                &owned
            }
        };
        let mut n_bad = 0usize;
        for (k, x) in col.iter_mut().enumerate() {
            let d = den[rows[k]];
            if d == 0.0 || d.is_nan() {
                if !x.is_nan() {
                    n_bad += 1;
                    log.push(
                        LogEntry::warning(STEP, "missing_denominator")
                            .unit(input.unit_id_shared(k))
                            .indicator(node.id.as_str())
                            .detail(format!(
                                "denominator `{den_name}` is {}; result set to missing",
                                if d.is_nan() { "missing" } else { "zero" }
                            )),
                    );
                }
                *x = f64::NAN;
            } else {
                *x = *x / d * self.scale;
            }
        }
        let mut detail = format!("divided by `{den_name}`");
        if self.scale != 1.0 {
            detail.push_str(&format!(" × {}", self.scale));
        }
        if n_bad > 0 {
            detail.push_str(&format!(" ({n_bad} unit(s) with a zero or missing denominator)"));
        }
        log.push(LogEntry::info(STEP, "denominated").indicator(node.id.as_str()).detail(detail));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Level;
    use crate::prepare::testutil::{dataset, framework, stage};
    use crate::stage::StageData;

    #[test]
    fn divides_by_the_denominator_and_scales() {
        let fw = framework();
        let ds = dataset(&[[10.0, 1.0, 2.0], [30.0, 3.0, 4.0], [f64::NAN, 5.0, 6.0]])
            .with_numeric("pop", vec![2.0, 3.0, 4.0])
            .expect("pop");
        let data = stage(&ds);
        let out = Denominate { scale: 100.0 }
            .apply(&StepInput {
                framework: &fw,
                dataset: &ds,
                data: &data,
            })
            .expect("denominate");
        let v = &out.data.values;
        assert_eq!(v[[0, 0]], 500.0);
        assert_eq!(v[[1, 0]], 1000.0);
        assert!(v[[2, 0]].is_nan());
        // b, c untouched
        assert_eq!(v.column(1).to_vec(), vec![1.0, 3.0, 5.0]);
        assert_eq!(out.log.len(), 1);
        assert_eq!(out.log[0].action, "denominated");
        assert_eq!(out.log[0].indicator.as_deref(), Some("a"));
    }

    #[test]
    fn zero_or_missing_denominator_warns() {
        let fw = framework();
        let ds = dataset(&[[10.0, 1.0, 2.0], [30.0, 3.0, 4.0], [7.0, 5.0, 6.0]])
            .with_numeric("pop", vec![0.0, f64::NAN, 7.0])
            .expect("pop");
        let data = stage(&ds);
        let out = Denominate::default()
            .apply(&StepInput {
                framework: &fw,
                dataset: &ds,
                data: &data,
            })
            .expect("denominate");
        let v = &out.data.values;
        assert!(v[[0, 0]].is_nan() && v[[1, 0]].is_nan());
        assert_eq!(v[[2, 0]], 1.0);
        let warns: Vec<_> = out.log.iter().filter(|l| l.level == Level::Warning).collect();
        assert_eq!(warns.len(), 2);
        assert_eq!(warns[0].unit.as_deref(), Some("u0"));
        assert_eq!(warns[0].indicator.as_deref(), Some("a"));
        assert!(warns[0].detail.contains("zero"));
        assert_eq!(warns[1].unit.as_deref(), Some("u1"));
        assert!(warns[1].detail.contains("missing"));
    }

    #[test]
    fn missing_denominator_column_is_an_error() {
        let fw = framework();
        let ds = dataset(&[[10.0, 1.0, 2.0]]);
        let data = stage(&ds);
        let err = Denominate::default()
            .apply(&StepInput {
                framework: &fw,
                dataset: &ds,
                data: &data,
            })
            .expect_err("no pop column");
        match err {
            Error::MissingColumn { column, needed_by } => {
                assert_eq!(column, "pop");
                assert_eq!(needed_by, "denominator of indicator `a`");
            }
            e => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn follows_stage_rows() {
        // A screened stage (rows 2 and 0) must use the denominators of those rows.
        let fw = framework();
        let ds = dataset(&[[10.0, 1.0, 2.0], [30.0, 3.0, 4.0], [8.0, 5.0, 6.0]])
            .with_numeric("pop", vec![2.0, 3.0, 4.0])
            .expect("pop");
        let full = stage(&ds);
        let data = StageData {
            units: vec![2, 0],
            values: full.values.select(ndarray::Axis(0), &[2, 0]),
        };
        let out = Denominate::default()
            .apply(&StepInput {
                framework: &fw,
                dataset: &ds,
                data: &data,
            })
            .expect("denominate");
        assert_eq!(out.data.values.column(0).to_vec(), vec![2.0, 5.0]);
        assert_eq!(out.data.units, vec![2, 0]);
    }
}
