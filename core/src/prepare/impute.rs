//! Fill missing values (COINr's `Impute` with `i_mean`, `i_median`, `i_mean_grp`, `i_median_grp`).

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use super::stats::median_in_place;
use crate::error::{Error, Result};
use crate::log::{Level, LogEntry, SharedStr};
use crate::stage::{apply_by_column, ColumnKernel, ColumnStep};
use crate::stage::{StepInput, StepOutput};

const STEP: &str = "impute";

/// How to impute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImputeMethod {
    /// Leave missing values missing.
    None,
    /// Indicator mean over all units.
    Mean,
    /// Indicator median over all units.
    Median,
    /// Indicator mean over the unit's group.
    GroupMean,
    /// Indicator median over the unit's group.
    GroupMedian,
}

impl ImputeMethod {
    fn is_group(self) -> bool {
        matches!(self, ImputeMethod::GroupMean | ImputeMethod::GroupMedian)
    }
    fn stat_name(self) -> &'static str {
        match self {
            ImputeMethod::Mean | ImputeMethod::GroupMean => "mean",
            _ => "median",
        }
    }
}

/// The `impute` step: every missing cell of an indicator is replaced by a statistic of
/// the non-missing values of that indicator, over the units of the current stage:
///
/// ```text
/// mean:          x_ui ← (1/|A_i|) Σ_{v ∈ A_i} x_vi          A_i = units with x_vi present
/// median:        x_ui ← median{ x_vi : v ∈ A_i }            (mean of the two middle values if |A_i| is even)
/// group_mean:    x_ui ← (1/|A_ig|) Σ_{v ∈ A_ig} x_vi        A_ig = A_i ∩ units of u's group g
/// group_median:  x_ui ← median{ x_vi : v ∈ A_ig }
/// ```
///
/// Non-missing cells are never changed. Groups come from a text column of the dataset
/// (`group`, e.g. `EurAsia_group`). As in COINr's `i_mean_grp` (`impute_reproduces_coinr` in
/// tests/prepare_coinr.rs), a unit whose group label
/// is missing keeps its missing values (a warning is logged for each such cell), and a
/// group with no data on an indicator leaves its units' missing cells missing (again one
/// warning per cell). Each imputed cell is logged (`imputed`, unit, indicator, value,
/// detail such as `mean of group Asia`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Impute {
    /// Method.
    pub method: ImputeMethod,
    /// Group column for the group methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl Impute {
    /// Apply the step.
    ///
    /// # Errors
    /// [`Error::Spec`] if a group method has no `group`, or `group` is given with a
    /// non-group method; [`Error::MissingColumn`] if the group column is not in the dataset.
    pub fn apply(&self, input: &StepInput<'_>) -> Result<StepOutput> {
        apply_by_column(self, input)
    }
}

impl ColumnStep for Impute {
    fn begin<'a>(&'a self, input: &StepInput<'a>) -> Result<Box<dyn ColumnKernel + 'a>> {
        Ok(Box::new(self.kernel(input)?))
    }
}

impl Impute {
    /// The values this step fills with on the current stage, per indicator and per group:
    /// the statistics [`Impute::apply`] computes, kept for [`crate::fit`].
    ///
    /// # Errors
    /// As [`Impute::apply`].
    pub(crate) fn fitted_values(&self, input: &StepInput<'_>) -> Result<crate::fit::ImputeFitted> {
        let mut kernel = self.kernel(input)?;
        let mut fitted = crate::fit::ImputeFitted::new(self.method, self.group.clone());
        let x = &input.data.values;
        let mut buf = Vec::new();
        for j in 0..x.ncols() {
            let col = x.column(j);
            let col: &[f64] = match col.as_slice() {
                Some(s) => s,
                None => {
                    buf.clear();
                    buf.extend(col.iter().copied());
                    &buf
                }
            };
            let ind = input.indicator_id(j);
            match self.method {
                ImputeMethod::None => {}
                ImputeMethod::Mean | ImputeMethod::Median => {
                    let n_missing = col.iter().filter(|v| v.is_nan()).count();
                    fitted.set(None, ind, kernel.all_units_fill(col, n_missing));
                }
                ImputeMethod::GroupMean | ImputeMethod::GroupMedian => {
                    for (g, v) in kernel.group_fills(col).into_iter().enumerate() {
                        fitted.set(Some(&kernel.names[g]), ind, v);
                    }
                }
            }
        }
        Ok(fitted)
    }

    fn kernel<'a>(&'a self, input: &StepInput<'a>) -> Result<ImputeKernel<'a>> {
        let what = "step `impute`";
        match (self.method.is_group(), &self.group) {
            (true, None) => {
                return Err(Error::spec(
                    what,
                    format!("method `{}` needs a `group` column", method_name(self.method)),
                ))
            }
            (false, Some(g)) => {
                return Err(Error::spec(
                    what,
                    format!(
                        "`group = \"{g}\"` is only used by `group_mean` / `group_median`, not by `{}`",
                        method_name(self.method)
                    ),
                ))
            }
            _ => {}
        }
        let mut kernel = ImputeKernel {
            step: self,
            gidx: Vec::new(),
            names: Vec::new(),
            sums: Vec::new(),
            counts: Vec::new(),
            bufs: Vec::new(),
        };
        if self.method.is_group() {
            let gname = self.group.as_deref().unwrap_or_default();
            let labels = input.dataset.groups().get(gname).ok_or_else(|| Error::MissingColumn {
                column: gname.to_owned(),
                needed_by: format!("step `impute` (method `{}`)", method_name(self.method)),
            })?;
            // Group index of each stage row, once per run (not per column).
            let names = &mut kernel.names;
            kernel.gidx = input
                .data
                .units
                .iter()
                .map(|&r| {
                    labels
                        .get(r)
                        .and_then(|l| l.as_deref())
                        .map(|l| match names.iter().position(|n| n == l) {
                            Some(g) => g,
                            None => {
                                names.push(l.to_owned());
                                names.len() - 1
                            }
                        })
                })
                .collect();
            let ng = kernel.names.len();
            kernel.sums = vec![0.0; ng];
            kernel.counts = vec![0; ng];
            kernel.bufs = vec![Vec::new(); ng];
        }
        Ok(kernel)
    }
}

/// Per-run state: each row's group and reusable per-group buffers.
struct ImputeKernel<'a> {
    step: &'a Impute,
    gidx: Vec<Option<usize>>,
    names: Vec<String>,
    sums: Vec<f64>,
    counts: Vec<usize>,
    bufs: Vec<Vec<f64>>,
}

impl ColumnKernel for ImputeKernel<'_> {
    fn column(&mut self, input: &StepInput<'_>, j: usize, col: &mut [f64], log: &mut Vec<LogEntry>) -> Result<()> {
        let n_missing = col.iter().filter(|v| v.is_nan()).count();
        self.fill(input, j, col, n_missing, log)
    }

    fn column_from(&mut self, input: &StepInput<'_>, j: usize, src: &[f64], col: &mut [f64], log: &mut Vec<LogEntry>) -> Result<()> {
        // Copy and count the gaps in one pass over `src`: block by block, each block
        // counted while it is in L1 (a plain memcpy per block keeps the copy fast).
        const BLOCK: usize = 2048;
        let mut n_missing = 0;
        for (o, s) in col.chunks_mut(BLOCK).zip(src.chunks(BLOCK)) {
            o.copy_from_slice(s);
            n_missing += o.iter().filter(|v| v.is_nan()).count();
        }
        self.fill(input, j, col, n_missing, log)
    }
}

impl ImputeKernel<'_> {
    /// Fill the `n_missing` gaps of column `j`.
    fn fill(&mut self, input: &StepInput<'_>, j: usize, col: &mut [f64], n_missing: usize, log: &mut Vec<LogEntry>) -> Result<()> {
        if n_missing == 0 {
            return Ok(());
        }
        let method = self.step.method;
        // One shared copy of the id per column: every entry below takes a reference to it.
        let ind = SharedStr::from(input.indicator_id(j));
        match method {
            ImputeMethod::None => log.push(
                LogEntry::info(STEP, "not_imputed")
                    .indicator(ind)
                    .detail(format!("method `none`: {n_missing} missing cell(s) left missing")),
            ),
            ImputeMethod::Mean | ImputeMethod::Median => self.fill_all(input, ind, col, n_missing, log),
            ImputeMethod::GroupMean | ImputeMethod::GroupMedian => self.fill_groups(input, &ind, col, log),
        }
        Ok(())
    }
}

/// A per-cell entry, built in place (no builder moves): the ids are shared, `detail` is
/// either static text or formatted once per entry by the caller.
fn cell_entry(
    level: Level,
    action: &'static str,
    unit: SharedStr,
    ind: &SharedStr,
    value: Option<f64>,
    detail: Cow<'static, str>,
) -> LogEntry {
    LogEntry {
        step: Cow::Borrowed(STEP),
        action: Cow::Borrowed(action),
        level,
        unit: Some(unit),
        indicator: Some(ind.clone()),
        value,
        detail,
    }
}

impl ImputeKernel<'_> {
    /// The mean / median of the column's present values (NaN if none).
    fn all_units_fill(&mut self, col: &[f64], n_missing: usize) -> f64 {
        if self.step.method == ImputeMethod::Mean {
            // Branch-free sum of the present values.
            let sum: f64 = col.iter().map(|&v| if v.is_nan() { 0.0 } else { v }).sum();
            let n = col.len() - n_missing;
            if n == 0 {
                f64::NAN
            } else {
                sum / n as f64
            }
        } else {
            let buf = &mut self.bufs;
            if buf.is_empty() {
                buf.push(Vec::new());
            }
            buf[0].clear();
            buf[0].extend(col.iter().copied().filter(|v| !v.is_nan()));
            median_in_place(&mut buf[0])
        }
    }

    fn fill_all(&mut self, input: &StepInput<'_>, ind: SharedStr, col: &mut [f64], n_missing: usize, log: &mut Vec<LogEntry>) {
        let method = self.step.method;
        let fill = self.all_units_fill(col, n_missing);
        if fill.is_nan() {
            log.push(
                LogEntry::warning(STEP, "not_imputed")
                    .indicator(ind)
                    .detail(format!("indicator has no data: {n_missing} missing cell(s) left missing")),
            );
            return;
        }
        let detail = if method == ImputeMethod::Mean {
            "mean of all units"
        } else {
            "median of all units"
        };
        log.reserve(n_missing);
        for (k, x) in col.iter_mut().enumerate() {
            if x.is_nan() {
                *x = fill;
                log.push(cell_entry(
                    Level::Info,
                    "imputed",
                    input.unit_id_shared(k),
                    &ind,
                    Some(fill),
                    Cow::Borrowed(detail),
                ));
            }
        }
    }

    /// Each group's mean / median of the column's present values (NaN for a group without any).
    fn group_fills(&mut self, col: &[f64]) -> Vec<f64> {
        let method = self.step.method;
        self.sums.iter_mut().for_each(|s| *s = 0.0);
        self.counts.iter_mut().for_each(|c| *c = 0);
        for (x, g) in col.iter().zip(&self.gidx) {
            if let (false, Some(g)) = (x.is_nan(), g) {
                self.sums[*g] += x;
                self.counts[*g] += 1;
            }
        }
        if method == ImputeMethod::GroupMedian {
            // One pass: present values into per-group buffers (reused across columns).
            self.bufs.iter_mut().for_each(Vec::clear);
            for (x, g) in col.iter().zip(&self.gidx) {
                if let (false, Some(g)) = (x.is_nan(), g) {
                    self.bufs[*g].push(*x);
                }
            }
        }
        (0..self.names.len())
            .map(|g| {
                if self.counts[g] == 0 {
                    f64::NAN
                } else if method == ImputeMethod::GroupMean {
                    self.sums[g] / self.counts[g] as f64
                } else {
                    median_in_place(&mut self.bufs[g])
                }
            })
            .collect()
    }

    fn fill_groups(&mut self, input: &StepInput<'_>, ind: &SharedStr, col: &mut [f64], log: &mut Vec<LogEntry>) {
        let stat = self.step.method.stat_name();
        let gname = self.step.group.as_deref().unwrap_or_default();
        let fills = self.group_fills(col);
        for (k, x) in col.iter_mut().enumerate() {
            if !x.is_nan() {
                continue;
            }
            let unit = input.unit_id_shared(k);
            log.push(match self.gidx[k] {
                None => cell_entry(
                    Level::Warning,
                    "not_imputed",
                    unit,
                    ind,
                    None,
                    Cow::Owned(format!("unit has no `{gname}` label; left missing")),
                ),
                Some(g) if fills[g].is_nan() => cell_entry(
                    Level::Warning,
                    "not_imputed",
                    unit,
                    ind,
                    None,
                    Cow::Owned(format!("group {} has no data on this indicator; left missing", self.names[g])),
                ),
                Some(g) => {
                    *x = fills[g];
                    cell_entry(
                        Level::Info,
                        "imputed",
                        unit,
                        ind,
                        Some(fills[g]),
                        Cow::Owned(format!("{stat} of group {}", self.names[g])),
                    )
                }
            });
        }
    }
}

fn method_name(m: ImputeMethod) -> &'static str {
    match m {
        ImputeMethod::None => "none",
        ImputeMethod::Mean => "mean",
        ImputeMethod::Median => "median",
        ImputeMethod::GroupMean => "group_mean",
        ImputeMethod::GroupMedian => "group_median",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::testutil::{dataset, framework, stage};
    use proptest::prelude::*;

    const N: f64 = f64::NAN;

    fn run(imp: &Impute, ds: &crate::Dataset) -> Result<StepOutput> {
        let fw = framework();
        let data = stage(ds);
        imp.apply(&StepInput {
            framework: &fw,
            dataset: ds,
            data: &data,
        })
    }

    fn grouped() -> crate::Dataset {
        dataset(&[[1.0, N, 1.0], [3.0, 2.0, N], [N, 4.0, N], [10.0, N, 5.0], [N, 20.0, N], [7.0, N, N]])
            .with_group(
                "g",
                vec![
                    Some("A".into()),
                    Some("A".into()),
                    Some("A".into()),
                    Some("B".into()),
                    Some("B".into()),
                    None,
                ],
            )
            .expect("group")
    }

    #[test]
    fn mean_and_median_over_all_units() {
        let ds = dataset(&[[1.0, N, 5.0], [2.0, 4.0, 5.0], [N, 5.0, 5.0], [9.0, 6.0, 5.0]]);
        let out = run(
            &Impute {
                method: ImputeMethod::Mean,
                group: None,
            },
            &ds,
        )
        .expect("mean");
        assert_eq!(out.data.values[[2, 0]], 4.0);
        assert_eq!(out.data.values[[0, 1]], 5.0);
        assert_eq!(out.log.len(), 2);
        assert_eq!(out.log[0].action, "imputed");
        assert_eq!(out.log[0].unit.as_deref(), Some("u2"));
        assert_eq!(out.log[0].value, Some(4.0));
        assert_eq!(out.log[0].detail, "mean of all units");
        let out = run(
            &Impute {
                method: ImputeMethod::Median,
                group: None,
            },
            &ds,
        )
        .expect("median");
        assert_eq!(out.data.values[[2, 0]], 2.0);
        assert_eq!(out.data.values[[0, 1]], 5.0);
    }

    #[test]
    fn group_mean_and_median() {
        let ds = grouped();
        let out = run(
            &Impute {
                method: ImputeMethod::GroupMean,
                group: Some("g".into()),
            },
            &ds,
        )
        .expect("group mean");
        let v = &out.data.values;
        assert_eq!(v[[2, 0]], 2.0); // mean of A: 1, 3
        assert_eq!(v[[4, 0]], 10.0); // mean of B: 10
        assert_eq!(v[[0, 1]], 3.0); // A: 2, 4
        assert_eq!(v[[3, 1]], 20.0);
        assert!(v[[5, 1]].is_nan()); // no group label
        assert_eq!(v[[1, 2]], 1.0);
        assert_eq!(v[[4, 2]], 5.0);
        let info = out
            .log
            .iter()
            .find(|l| l.unit.as_deref() == Some("u2") && l.indicator.as_deref() == Some("a"))
            .expect("log");
        assert_eq!(info.detail, "mean of group A");
        let w: Vec<_> = out.log.iter().filter(|l| l.level == Level::Warning).collect();
        // u5 is missing b and c without a group label
        assert_eq!(w.len(), 2);
        assert!(w.iter().all(|l| l.unit.as_deref() == Some("u5")));
        let out = run(
            &Impute {
                method: ImputeMethod::GroupMedian,
                group: Some("g".into()),
            },
            &ds,
        )
        .expect("group median");
        assert_eq!(out.data.values[[2, 0]], 2.0);
        assert!(out.log.iter().any(|l| l.detail == "median of group B"));
    }

    #[test]
    fn group_without_data_warns() {
        let ds = dataset(&[[1.0, N, 1.0], [3.0, 2.0, 1.0], [N, N, 2.0], [N, 5.0, 3.0]])
            .with_group("g", vec![Some("A".into()), Some("A".into()), Some("B".into()), Some("B".into())])
            .expect("group");
        let out = run(
            &Impute {
                method: ImputeMethod::GroupMean,
                group: Some("g".into()),
            },
            &ds,
        )
        .expect("group mean");
        assert!(out.data.values[[2, 0]].is_nan() && out.data.values[[3, 0]].is_nan());
        let w: Vec<_> = out.log.iter().filter(|l| l.level == Level::Warning).collect();
        assert_eq!(w.len(), 2);
        assert!(w[0].detail.contains("group B has no data"));
        assert_eq!(w[0].indicator.as_deref(), Some("a"));
    }

    #[test]
    fn all_missing_indicator_warns() {
        let ds = dataset(&[[1.0, N, 1.0], [3.0, N, 1.0]]);
        let out = run(
            &Impute {
                method: ImputeMethod::Mean,
                group: None,
            },
            &ds,
        )
        .expect("mean");
        assert!(out.data.values.column(1).iter().all(|v| v.is_nan()));
        assert_eq!(out.log.len(), 1);
        assert_eq!(out.log[0].level, Level::Warning);
        assert_eq!(out.log[0].indicator.as_deref(), Some("b"));
    }

    #[test]
    fn errors() {
        let ds = grouped();
        let e = run(
            &Impute {
                method: ImputeMethod::GroupMean,
                group: None,
            },
            &ds,
        )
        .expect_err("no group");
        assert!(matches!(e, Error::Spec { .. }), "{e}");
        let e = run(
            &Impute {
                method: ImputeMethod::Mean,
                group: Some("g".into()),
            },
            &ds,
        )
        .expect_err("group with mean");
        assert!(matches!(e, Error::Spec { .. }), "{e}");
        let e = run(
            &Impute {
                method: ImputeMethod::GroupMedian,
                group: Some("nope".into()),
            },
            &ds,
        )
        .expect_err("missing column");
        match e {
            Error::MissingColumn { column, .. } => assert_eq!(column, "nope"),
            e => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn none_leaves_data() {
        let ds = grouped();
        let out = run(
            &Impute {
                method: ImputeMethod::None,
                group: None,
            },
            &ds,
        )
        .expect("none");
        assert_eq!(out.data.values.iter().filter(|v| v.is_nan()).count(), 9);
        // one `not_imputed` note per indicator with missing cells
        let with_gaps = out
            .data
            .values
            .columns()
            .into_iter()
            .filter(|c| c.iter().any(|v| v.is_nan()))
            .count();
        assert_eq!(out.log.len(), with_gaps);
        assert!(out.log.iter().all(|e| e.action == "not_imputed" && e.indicator.is_some()));
    }

    proptest! {
        #[test]
        fn never_changes_present_cells(
            cells in proptest::collection::vec(proptest::option::weighted(0.7, -1e3f64..1e3), 3 * 8),
            labels in proptest::collection::vec(proptest::option::weighted(0.9, 0u8..3), 8),
            m in 0usize..4,
        ) {
            let rows: Vec<[f64; 3]> = cells.chunks(3).map(|c| [c[0].unwrap_or(N), c[1].unwrap_or(N), c[2].unwrap_or(N)]).collect();
            let ds = dataset(&rows)
                .with_group("g", labels.iter().map(|l| l.map(|l| format!("G{l}"))).collect())
                .expect("group");
            let (method, group) = match m {
                0 => (ImputeMethod::Mean, None),
                1 => (ImputeMethod::Median, None),
                2 => (ImputeMethod::GroupMean, Some("g".to_string())),
                _ => (ImputeMethod::GroupMedian, Some("g".to_string())),
            };
            let out = run(&Impute { method, group }, &ds).expect("impute");
            let mut n_imputed = 0;
            for ((i, j), &x) in ds.values().indexed_iter() {
                let y = out.data.values[[i, j]];
                if x.is_nan() {
                    if !y.is_nan() {
                        n_imputed += 1;
                        // an imputed value lies within the indicator's observed range
                        let col: Vec<f64> = ds.values().column(j).iter().copied().filter(|v| !v.is_nan()).collect();
                        let lo = col.iter().copied().fold(f64::INFINITY, f64::min);
                        let hi = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        prop_assert!(y >= lo - 1e-9 && y <= hi + 1e-9);
                    }
                } else {
                    prop_assert_eq!(x, y);
                }
            }
            // every cell is accounted for: imputed (info) or left missing (warning)
            let n_missing = ds.values().iter().filter(|v| v.is_nan()).count();
            let infos = out.log.iter().filter(|l| l.action == "imputed").count();
            prop_assert_eq!(infos, n_imputed);
            if n_imputed < n_missing {
                prop_assert!(out.log.iter().any(|l| l.level == Level::Warning));
            }
        }
    }
}
