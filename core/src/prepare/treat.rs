//! Outlier treatment (COINr's `Treat` with `f1 = "winsorise"`, `f2 = "log_CT"`,
//! `f_pass = "check_SkewKurt"`, `combine_treat = FALSE`).
//!
//! The exact rule is documented on [`Treat`].

use serde::{Deserialize, Serialize};

use super::stats::{min_max, skew_kurtosis};
use crate::error::{Error, Result};
use crate::log::LogEntry;
use crate::stage::{apply_by_column, ColumnKernel, ColumnStep};
use crate::stage::{StepInput, StepOutput};

const STEP: &str = "treat";

/// Treatment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreatMethod {
    /// COINr's winsorisation with log fallback.
    Winsorise,
}

/// The transformation applied when winsorisation is not enough (formulas on [`Treat`]).
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

impl LogFallback {
    /// The transformation for a column whose minimum and maximum are `lo`, `hi` (formulas on
    /// [`Treat`]); `None` for `none`, and for `log` when `lo ≤ 0`.
    pub fn transform(self, lo: f64, hi: f64) -> Option<Box<dyn Fn(f64) -> f64>> {
        match self {
            LogFallback::None => None,
            LogFallback::Ctlog => Some(Box::new(move |v: f64| (v - lo + 0.01 * (hi - lo)).ln())),
            LogFallback::CtlogOrig => Some(Box::new(move |v: f64| (v - lo + 1.0).ln())),
            LogFallback::Log if lo > 0.0 => Some(Box::new(|v: f64| v.ln())),
            LogFallback::Log => None,
        }
    }
}

/// The `treat` step: COINr's outlier treatment.
///
/// For each indicator column `x` (missing values are ignored throughout):
///
/// 1. **Check.** With the sample skewness and kurtosis of [`stats`](crate::prepare::stats):
///    ```text
///    pass(x) ⇔ |skew(x)| < skew_max  OR  kurt(x) < kurt_max
///    ```
///    A passing column is left as is.
/// 2. **Winsorise** (only if the check fails), one step at a time, while the column
///    fails and `nwin < max_points`:
///    ```text
///    if skew(x) ≥ 0:  H = { u : x_u = max x };  x_u ← max{ x_v : v ∉ H }  for u ∈ H   ("winhi")
///    else:            L = { u : x_u = min x };  x_u ← min{ x_v : v ∉ L }  for u ∈ L   ("winlo")
///    nwin = |H| + |L|      (H, L = the sets of the latest high / low step)
///    ```
///    The direction is re-evaluated from the current skew at every step. Tied extremes
///    are all moved at once, so `nwin` counts every changed cell and may exceed
///    `max_points` by the size of the last tie. Because moved points join the next
///    extreme, `H` (resp. `L`) always holds every point winsorised high (low) so far.
/// 3. **Log fallback.** If the winsorised column still fails, the winsorised values are
///    discarded and the ORIGINAL column is log-transformed (`log`, default `ctlog`,
///    COINr's `log_CT`):
///    ```text
///    ctlog:       x'_u = ln( x_u − min x + 0.01 (max x − min x) )
///    ctlog_orig:  x'_u = ln( x_u − min x + 1 )                     (COINr log_CT_orig)
///    log:         x'_u = ln( x_u )                                 (only if min x > 0)
///    none:        keep the winsorised column
///    ```
///    then checked again; a warning is logged if it still fails.
///
/// A column whose skewness or kurtosis is undefined (fewer than 4 values, or all equal)
/// is left untouched with a warning. Indicators listed in `skip` are left untouched.
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
            return Err(Error::spec(
                what,
                format!("skew threshold must be a finite number ≥ 0, got {}", self.skew),
            ));
        }
        if !self.kurtosis.is_finite() {
            return Err(Error::spec(
                what,
                format!("kurtosis threshold must be finite, got {}", self.kurtosis),
            ));
        }
        Ok(())
    }

    /// COINr's `check_SkewKurt` with this step's thresholds; `None` if undefined.
    pub fn check(&self, x: &[f64]) -> Option<SkewKurtCheck> {
        let (skew, kurtosis) = skew_kurtosis(x);
        self.check_moments(skew, kurtosis)
    }

    /// [`Treat::check`] from the skewness and kurtosis (computed elsewhere, e.g. from the
    /// exact sums of a partial fit); `None` if either is undefined.
    pub(crate) fn check_moments(&self, skew: f64, kurtosis: f64) -> Option<SkewKurtCheck> {
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
        let f = self.log.transform(lo, hi);
        if f.is_none() && self.log == LogFallback::Log {
            out.note = Some(format!("plain log not applicable (minimum {lo} ≤ 0); winsorised column kept"));
        }
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
        apply_by_column(self, input)
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
                        .unit(input.unit_id_shared(u))
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

impl ColumnStep for Treat {
    fn begin<'a>(&'a self, input: &StepInput<'a>) -> Result<Box<dyn ColumnKernel + 'a>> {
        self.check_against(input.framework)?;
        Ok(Box::new(self))
    }
}

impl Treat {
    /// The thresholds, and every `skip` id against the framework.
    ///
    /// # Errors
    /// [`Error::Spec`] for a bad threshold; [`Error::Unknown`] for an unknown `skip` id.
    pub(crate) fn check_against(&self, fw: &crate::framework::Framework) -> Result<()> {
        self.check_spec()?;
        let ids = fw.indicator_ids();
        for s in &self.skip {
            if !ids.contains(&s.as_str()) {
                return Err(Error::Unknown {
                    what: "indicator",
                    id: s.clone(),
                    context: "in `skip` of step `treat`".into(),
                });
            }
        }
        Ok(())
    }
}

impl ColumnKernel for &Treat {
    fn column(&mut self, input: &StepInput<'_>, j: usize, col: &mut [f64], log: &mut Vec<LogEntry>) -> Result<()> {
        let ind = input.indicator_id(j);
        if !self.skip.iter().any(|s| s == ind) {
            self.treat_with_log(col, input, ind, log);
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Level;
    use crate::prepare::stats::{kurtosis, skew};
    use crate::prepare::testutil::{dataset, framework, stage};
    use proptest::prelude::*;

    fn outliers() -> Vec<f64> {
        // COINr's winsorise example: 1..10 plus 30 and 100
        let mut x: Vec<f64> = (1..=10).map(f64::from).collect();
        x.extend([30.0, 100.0]);
        x
    }

    #[test]
    fn winsorises_highest_points_until_passing() {
        let t = Treat::default();
        let mut x = outliers();
        let r = t.treat_column(&mut x);
        let b = r.before.expect("defined");
        assert!(!b.pass);
        assert_eq!(b.skew, skew(&outliers()));
        // step 1: 100 → 30 (skew still ≥ 2 and kurt ≥ 3.5?), step 2: both 30s → 10
        let mut y = outliers();
        y[11] = 30.0;
        let after1 = t.check(&y).expect("defined");
        if after1.pass {
            assert_eq!(r.nwin, Some(1));
            assert_eq!(x, y);
        } else {
            y[10] = 10.0;
            y[11] = 10.0;
            assert_eq!(r.nwin, Some(2));
            assert_eq!(x, y);
            assert_eq!(r.points, vec![(10, WinMark::High), (11, WinMark::High)]);
        }
        assert!(r.after_winsorise.expect("checked").pass);
        assert!(r.log_transform.is_none());
    }

    #[test]
    fn negative_skew_winsorises_low_with_ties() {
        // two tied minima are moved together, nwin counts both
        let mut x: Vec<f64> = (1..=20).map(f64::from).collect();
        x.extend([-200.0, -200.0]);
        let t = Treat::default();
        let r = t.treat_column(&mut x);
        assert!(r.before.expect("defined").skew < 0.0);
        assert_eq!(r.nwin, Some(2));
        assert_eq!(x[20], 1.0);
        assert_eq!(x[21], 1.0);
        assert_eq!(r.points, vec![(20, WinMark::Low), (21, WinMark::Low)]);
    }

    #[test]
    fn log_fallback_on_original_column() {
        // lognormal-like: many outliers, 1 allowed point is not enough
        let orig: Vec<f64> = (0..40).map(|i| (f64::from(i) / 4.0).exp()).collect();
        let t = Treat {
            max_points: 1,
            ..Treat::default()
        };
        let mut x = orig.clone();
        let r = t.treat_column(&mut x);
        assert!(!r.before.expect("defined").pass);
        assert_eq!(r.nwin, Some(1));
        assert!(!r.after_winsorise.expect("checked").pass);
        assert_eq!(r.log_transform, Some(LogFallback::Ctlog));
        let (lo, hi) = min_max(&orig);
        for (a, o) in x.iter().zip(&orig) {
            assert!((a - (o - lo + 0.01 * (hi - lo)).ln()).abs() < 1e-12);
        }
        assert!(r.after_log.expect("checked").pass);
        // other fallbacks
        let mut x = orig.clone();
        let r = Treat {
            max_points: 1,
            log: LogFallback::CtlogOrig,
            ..Treat::default()
        }
        .treat_column(&mut x);
        assert_eq!(r.log_transform, Some(LogFallback::CtlogOrig));
        assert!((x[5] - (orig[5] - lo + 1.0).ln()).abs() < 1e-12);
        let mut x = orig.clone();
        Treat {
            max_points: 1,
            log: LogFallback::Log,
            ..Treat::default()
        }
        .treat_column(&mut x);
        assert!((x[5] - orig[5].ln()).abs() < 1e-12);
        let mut x = orig.clone();
        let r = Treat {
            max_points: 1,
            log: LogFallback::None,
            ..Treat::default()
        }
        .treat_column(&mut x);
        assert!(r.log_transform.is_none());
        assert_eq!(x[39], orig[38]);
        assert_eq!(r.passes(), Some(false));
    }

    #[test]
    fn constant_and_short_columns_are_skipped() {
        let t = Treat::default();
        for col in [vec![3.0; 10], vec![1.0, 2.0, 100.0], vec![f64::NAN, 1.0, 2.0, 50.0, f64::NAN]] {
            let mut x = col.clone();
            let r = t.treat_column(&mut x);
            assert!(r.before.is_none());
            assert!(r.note.is_some());
            assert_eq!(
                x.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                col.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn apply_logs_cells_and_respects_skip() {
        let fw = framework();
        let x = outliers();
        let rows: Vec<[f64; 3]> = x.iter().map(|&v| [v, v, 5.0]).collect();
        let ds = dataset(&rows);
        let data = stage(&ds);
        let input = StepInput {
            framework: &fw,
            dataset: &ds,
            data: &data,
        };
        let t = Treat {
            skip: vec!["b".into()],
            ..Treat::default()
        };
        let out = t.apply(&input).expect("treat");
        let mut want = x.clone();
        let r = Treat::default().treat_column(&mut want);
        assert_eq!(out.data.values.column(0).to_vec(), want);
        assert_eq!(out.data.values.column(1).to_vec(), x);
        let cells: Vec<_> = out.log.iter().filter(|l| l.action == "winsorised_high").collect();
        assert_eq!(cells.len(), r.points.len());
        assert_eq!(cells[0].indicator.as_deref(), Some("a"));
        assert_eq!(cells[0].unit.as_deref(), Some("u11"));
        // constant c: a warning, no NaN
        assert!(out
            .log
            .iter()
            .any(|l| l.level == Level::Warning && l.indicator.as_deref() == Some("c")));
        assert!(out.data.values.column(2).iter().all(|v| *v == 5.0));
        let e = Treat {
            skip: vec!["zz".into()],
            ..Treat::default()
        }
        .apply(&input)
        .expect_err("unknown skip");
        assert!(matches!(e, Error::Unknown { .. }), "{e}");
        let e = Treat {
            skew: f64::NAN,
            ..Treat::default()
        }
        .apply(&input)
        .expect_err("bad threshold");
        assert!(matches!(e, Error::Spec { .. }), "{e}");
    }

    #[test]
    fn serde_defaults() {
        let t: Treat = toml::from_str("method = \"winsorise\"").expect("parse");
        assert_eq!(t, Treat::default());
        let t: Treat = toml::from_str("method = \"winsorise\"\nlog = \"none\"\nskip = [\"a\"]").expect("parse");
        assert_eq!(t.log, LogFallback::None);
        assert_eq!(t.skip, vec!["a".to_string()]);
    }

    proptest! {
        #[test]
        fn winsorisation_never_widens_the_range(
            mut x in proptest::collection::vec(prop_oneof![9 => (-10.0f64..10.0).prop_map(Some), 1 => Just(None)], 5..60),
            spikes in proptest::collection::vec((0usize..60, -1e4f64..1e4), 0..6),
            max_points in 0usize..8,
        ) {
            for (i, v) in spikes {
                if i < x.len() { x[i] = Some(v); }
            }
            let orig: Vec<f64> = x.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
            let mut y = orig.clone();
            let t = Treat { max_points, log: LogFallback::None, ..Treat::default() };
            let r = t.treat_column(&mut y);
            let (lo0, hi0) = min_max(&orig);
            let (lo1, hi1) = min_max(&y);
            prop_assert!(lo1 >= lo0 && hi1 <= hi0);
            // missing stays missing, present stays present
            for (a, b) in orig.iter().zip(&y) {
                prop_assert_eq!(a.is_nan(), b.is_nan());
            }
            // only the listed points changed, and no more than max_points unless by ties
            let changed: Vec<usize> = (0..y.len()).filter(|&i| !orig[i].is_nan() && orig[i] != y[i]).collect();
            let listed: Vec<usize> = r.points.iter().map(|p| p.0).collect();
            prop_assert_eq!(&changed, &listed);
            prop_assert_eq!(r.nwin.unwrap_or(0), changed.len());
            // skew/kurt checks reported are those of the data
            if let Some(c) = r.after_winsorise {
                prop_assert_eq!(c.skew.to_bits(), skew(&y).to_bits());
                prop_assert_eq!(c.kurtosis.to_bits(), kurtosis(&y).to_bits());
            }
        }
    }
}
