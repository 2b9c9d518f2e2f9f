//! Outlier treatment (COINr's `Treat` with `f1 = "winsorise"`, `f2 = "log_CT"`,
//! `f_pass = "check_SkewKurt"`, `combine_treat = FALSE`).
//!
//! For each indicator column `x` (missing values are ignored throughout):
//!
//! 1. **Check.** With the sample skewness and kurtosis of [`stats`](super::stats):
//!    ```text
//!    pass(x) ⇔ |skew(x)| < skew_max  OR  kurt(x) < kurt_max
//!    ```
//!    A passing column is left as is.
//! 2. **Winsorise** (only if the check fails), one step at a time, while the column
//!    fails and `nwin < max_points`:
//!    ```text
//!    if skew(x) ≥ 0:  H = { u : x_u = max x };  x_u ← max{ x_v : v ∉ H }  for u ∈ H   ("winhi")
//!    else:            L = { u : x_u = min x };  x_u ← min{ x_v : v ∉ L }  for u ∈ L   ("winlo")
//!    nwin = |H| + |L|      (H, L = the sets of the latest high / low step)
//!    ```
//!    The direction is re-evaluated from the current skew at every step. Tied extremes
//!    are all moved at once, so `nwin` counts every changed cell and may exceed
//!    `max_points` by the size of the last tie. Because moved points join the next
//!    extreme, `H` (resp. `L`) always holds every point winsorised high (low) so far.
//! 3. **Log fallback.** If the winsorised column still fails, the winsorised values are
//!    discarded and the ORIGINAL column is log-transformed (`log`, default `ctlog`,
//!    COINr's `log_CT`):
//!    ```text
//!    ctlog:       x'_u = ln( x_u − min x + 0.01 (max x − min x) )
//!    ctlog_orig:  x'_u = ln( x_u − min x + 1 )                     (COINr log_CT_orig)
//!    log:         x'_u = ln( x_u )                                 (only if min x > 0)
//!    none:        keep the winsorised column
//!    ```
//!    then checked again; a warning is logged if it still fails.
//!
//! A column whose skewness or kurtosis is undefined (fewer than 4 values, or all equal)
//! is left untouched with a warning. Indicators listed in `skip` are left untouched.

use serde::{Deserialize, Serialize};

use super::stats::{min_max, skew_kurtosis};
use crate::error::{Error, Result};
use crate::log::LogEntry;
use crate::pipeline::{StageData, StepInput, StepOutput};

const STEP: &str = "treat";

/// Treatment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreatMethod {
    /// COINr's winsorisation with log fallback.
    Winsorise,
}

/// The transformation applied when winsorisation is not enough (formulas in the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFallback {
    /// COINr `log_CT`: `ln(x − min + 0.01 (max − min))` (default).
    #[default]
    Ctlog,
    /// COINr `log_CT_orig`: `ln(x − min + 1)`.
    CtlogOrig,
    /// Plain `ln(x)`; not applied (warning) if a value is ≤ 0.
    Log,
    /// No fallback: keep the winsorised column (warning if it still fails).
    None,
}

/// The `treat` step (see the [module docs](self) for the exact rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Treat {
    /// Method.
    pub method: TreatMethod,
    /// Maximum points winsorised per indicator.
    #[serde(default = "five")]
    pub max_points: usize,
    /// |skew| threshold.
    #[serde(default = "two")]
    pub skew: f64,
    /// Kurtosis threshold.
    #[serde(default = "three_five")]
    pub kurtosis: f64,
    /// Fallback transformation when winsorisation is not enough (default `ctlog`).
    #[serde(default, skip_serializing_if = "is_default_log")]
    pub log: LogFallback,
    /// Indicators left untreated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
}

fn five() -> usize {
    5
}
fn two() -> f64 {
    2.0
}
fn three_five() -> f64 {
    3.5
}
fn is_default_log(l: &LogFallback) -> bool {
    *l == LogFallback::Ctlog
}

impl Default for Treat {
    /// COINr's defaults: winsorise up to 5 points, |skew| 2, kurtosis 3.5, `log_CT` fallback.
    fn default() -> Self {
        Treat {
            method: TreatMethod::Winsorise,
            max_points: 5,
            skew: 2.0,
            kurtosis: 3.5,
            log: LogFallback::Ctlog,
            skip: Vec::new(),
        }
    }
}

/// A skew / kurtosis check (COINr's `check_SkewKurt`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkewKurtCheck {
    /// `|skew| < skew_max OR kurt < kurt_max`.
    pub pass: bool,
    /// Sample skewness.
    pub skew: f64,
    /// Sample kurtosis.
    pub kurtosis: f64,
}

/// Which end a point was winsorised at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WinMark {
    /// Replaced by the next-highest value (COINr `winhi`).
    High,
    /// Replaced by the next-lowest value (COINr `winlo`).
    Low,
}

/// What happened to one column (COINr's `Dets_Table` row and `Treated_Points` column).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnTreatment {
    /// Check before treatment (`check_SkewKurt0`); `None` if skew / kurtosis are undefined.
    pub before: Option<SkewKurtCheck>,
    /// Points winsorised (`winsorise.nwin`); `None` if winsorisation was not attempted.
    pub nwin: Option<usize>,
    /// Check after winsorisation (`check_SkewKurt1`).
    pub after_winsorise: Option<SkewKurtCheck>,
    /// The fallback applied to the original column, if any.
    pub log_transform: Option<LogFallback>,
    /// Check after the fallback (`check_SkewKurt2`).
    pub after_log: Option<SkewKurtCheck>,
    /// Winsorised rows and their mark (also listed when the fallback later discarded them).
    pub points: Vec<(usize, WinMark)>,
    /// Why the column was left untouched, if it was (undefined statistics, degenerate winsorisation,
    /// a fallback that cannot apply).
    pub note: Option<String>,
}

impl ColumnTreatment {
    /// Whether the treated column passes the check (the last check made).
    pub fn passes(&self) -> Option<bool> {
        self.after_log.or(self.after_winsorise).or(self.before).map(|c| c.pass)
    }
}

impl Treat {
    fn check_spec(&self) -> Result<()> {
        let what = "step `treat`";
        if !(self.skew.is_finite() && self.skew >= 0.0) {
            return Err(Error::spec(what, format!("skew threshold must be a finite number ≥ 0, got {}", self.skew)));
        }
        if !self.kurtosis.is_finite() {
            return Err(Error::spec(what, format!("kurtosis threshold must be finite, got {}", self.kurtosis)));
        }
        Ok(())
    }

    /// COINr's `check_SkewKurt` with this step's thresholds; `None` if undefined.
    pub fn check(&self, x: &[f64]) -> Option<SkewKurtCheck> {
        let (skew, kurtosis) = skew_kurtosis(x);
        if skew.is_nan() || kurtosis.is_nan() {
            return None;
        }
        Some(SkewKurtCheck {
            pass: skew.abs() < self.skew || kurtosis < self.kurtosis,
            skew,
            kurtosis,
        })
    }

    /// Treat one column in place (NaN = missing, left missing) and say what was done.
    pub fn treat_column(&self, x: &mut [f64]) -> ColumnTreatment {
        let mut out = ColumnTreatment {
            before: self.check(x),
            nwin: None,
            after_winsorise: None,
            log_transform: None,
            after_log: None,
            points: Vec::new(),
            note: None,
        };
        let Some(before) = out.before else {
            out.note = Some("skewness / kurtosis undefined (fewer than 4 values or all equal); left untreated".into());
            return out;
        };
        if before.pass {
            return out;
        }
        let original = x.to_vec();
        let mut high: Vec<usize> = Vec::new();
        let mut low: Vec<usize> = Vec::new();
        let mut check = before;
        let mut nwin = 0usize;
        while !check.pass && nwin < self.max_points {
            let moved = if check.skew >= 0.0 {
                winsorise_step(x, &mut high, |a, b| a > b)
            } else {
                winsorise_step(x, &mut low, |a, b| a < b)
            };
            if !moved {
                break;
            }
            nwin = high.len() + low.len();
            match self.check(x) {
                Some(c) => check = c,
                None => {
                    x.copy_from_slice(&original);
                    out.nwin = Some(nwin);
                    out.note = Some(format!("winsorising {nwin} point(s) made the column constant; left untreated"));
                    return out;
                }
            }
        }
        out.nwin = Some(nwin);
        out.after_winsorise = Some(check);
        out.points = high.iter().map(|&u| (u, WinMark::High)).collect();
        // A point in both sets ends as `winlo` (COINr writes `winlo` last).
        out.points.retain(|(u, _)| !low.contains(u));
        out.points.extend(low.iter().map(|&u| (u, WinMark::Low)));
        out.points.sort_unstable_by_key(|p| p.0);
        if check.pass {
            return out;
        }
        // Fallback on the original column.
        let (lo, hi) = min_max(&original);
        let f: Option<Box<dyn Fn(f64) -> f64>> = match self.log {
            LogFallback::None => None,
            LogFallback::Ctlog => Some(Box::new(move |v: f64| (v - lo + 0.01 * (hi - lo)).ln())),
            LogFallback::CtlogOrig => Some(Box::new(move |v: f64| (v - lo + 1.0).ln())),
            LogFallback::Log if lo > 0.0 => Some(Box::new(|v: f64| v.ln())),
            LogFallback::Log => {
                out.note = Some(format!("plain log not applicable (minimum {lo} ≤ 0); winsorised column kept"));
                None
            }
        };
        if let Some(f) = f {
            for (d, &o) in x.iter_mut().zip(&original) {
                *d = f(o);
            }
            out.log_transform = Some(self.log);
            out.after_log = self.check(x);
        }
        out
    }

    /// Apply the step.
    ///
    /// # Errors
    /// [`Error::Spec`] for a non-finite or negative threshold; [`Error::Unknown`] for an
    /// indicator in `skip` that is not in the framework.
    pub fn apply(&self, input: &StepInput<'_>) -> Result<StepOutput> {
        self.check_spec()?;
        let ids = input.framework.indicator_ids();
        for s in &self.skip {
            if !ids.contains(&s.as_str()) {
                return Err(Error::Unknown {
                    what: "indicator",
                    id: s.clone(),
                    context: "in `skip` of step `treat`".into(),
                });
            }
        }
        let mut values = input.data.values.clone();
        let mut log = Vec::new();
        let mut buf: Vec<f64> = Vec::new();
        for (j, mut col) in values.columns_mut().into_iter().enumerate() {
            let ind = input.indicator_id(j);
            if self.skip.iter().any(|s| s == ind) {
                continue;
            }
            match col.as_slice_mut() {
                Some(s) => {
                    self.treat_with_log(s, input, ind, &mut log);
                }
                None => {
                    buf.clear();
                    buf.extend(col.iter().copied());
                    self.treat_with_log(&mut buf, input, ind, &mut log);
                    col.iter_mut().zip(&buf).for_each(|(d, s)| *d = *s);
                }
            }
        }
        Ok(StepOutput {
            data: StageData {
                units: input.data.units.clone(),
                values,
            },
            log,
        })
    }

    fn treat_with_log(&self, x: &mut [f64], input: &StepInput<'_>, ind: &str, log: &mut Vec<LogEntry>) -> ColumnTreatment {
        let res = self.treat_column(x);
        if let Some(note) = &res.note {
            log.push(LogEntry::warning(STEP, "not_treated").indicator(ind).detail(note.clone()));
        }
        let Some(before) = res.before else { return res };
        if let Some(kind) = res.log_transform {
            let mut detail = format!(
                "winsorising {} point(s) was not enough (skew {:.4}, kurtosis {:.4}); {} of the original values",
                res.nwin.unwrap_or(0),
                before.skew,
                before.kurtosis,
                log_name(kind)
            );
            if let Some(c) = res.after_log {
                detail.push_str(&format!(" → skew {:.4}, kurtosis {:.4}", c.skew, c.kurtosis));
            }
            log.push(LogEntry::info(STEP, "log_transformed").indicator(ind).detail(detail));
        } else {
            for &(u, mark) in &res.points {
                let action = match mark {
                    WinMark::High => "winsorised_high",
                    WinMark::Low => "winsorised_low",
                };
                log.push(
                    LogEntry::info(STEP, action)
                        .unit(input.unit_id(u))
                        .indicator(ind)
                        .value(x[u])
                        .detail(format!("{} point(s) winsorised", res.nwin.unwrap_or(0))),
                );
            }
        }
        if res.passes() == Some(false) {
            let last = res.after_log.or(res.after_winsorise).unwrap_or(before);
            log.push(LogEntry::warning(STEP, "still_fails").indicator(ind).detail(format!(
                "after treatment skew {:.4}, kurtosis {:.4} (thresholds |skew| < {} or kurtosis < {})",
                last.skew, last.kurtosis, self.skew, self.kurtosis
            )));
        }
        res
    }
}

fn log_name(l: LogFallback) -> &'static str {
    match l {
        LogFallback::Ctlog => "ctlog ln(x − min + 0.01(max − min))",
        LogFallback::CtlogOrig => "ctlog_orig ln(x − min + 1)",
        LogFallback::Log => "ln(x)",
        LogFallback::None => "none",
    }
}

/// One winsorisation step at the end given by `beyond` (`a > b` for the high end):
/// the extreme value's positions (`set`, replaced) are moved to the next value.
/// Returns `false` (and changes nothing) if there is no other value.
fn winsorise_step(x: &mut [f64], set: &mut Vec<usize>, beyond: impl Fn(f64, f64) -> bool) -> bool {
    let mut ext = f64::NAN;
    for &v in x.iter() {
        if !v.is_nan() && (ext.is_nan() || beyond(v, ext)) {
            ext = v;
        }
    }
    let mut next = f64::NAN;
    for &v in x.iter() {
        if !v.is_nan() && v != ext && (next.is_nan() || beyond(v, next)) {
            next = v;
        }
    }
    if next.is_nan() {
        return false;
    }
    set.clear();
    for (u, v) in x.iter_mut().enumerate() {
        if *v == ext {
            set.push(u);
            *v = next;
        }
    }
    true
}
