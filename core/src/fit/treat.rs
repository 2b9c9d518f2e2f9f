//! The frozen `treat` step: per-indicator clip bounds or log transforms fitted on other data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::log::LogEntry;
use crate::prepare::stats::min_max;
use crate::prepare::{LogFallback, Treat, WinMark};
use crate::stage::{apply_by_column, ColumnKernel, ColumnStep};
use crate::stage::{StepInput, StepOutput};

const STEP: &str = "treat";

/// What `treat` decided for one indicator, as a rule that applies to any data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum TreatRule {
    /// Winsorisation as fixed bounds: `x ← min(max(x, lo), hi)`, the bounds being the
    /// fitted data's winsorised extremes.
    Clip {
        /// Lower bound (points were winsorised low).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lo: Option<f64>,
        /// Upper bound (points were winsorised high).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hi: Option<f64>,
    },
    /// The log fallback with the fitted data's minimum and maximum (formulas on [`Treat`]).
    Log {
        /// Which transformation (`ctlog`, `ctlog_orig`, `log`).
        transform: LogFallback,
        /// Minimum of the fitted column.
        min: f64,
        /// Maximum of the fitted column.
        max: f64,
    },
}

impl TreatRule {
    fn check(&self, field: &str) -> Result<()> {
        let bad = |m: String| Err(Error::spec("step `treat_fitted`", format!("`{field}`: {m}")));
        match *self {
            TreatRule::Clip { lo, hi } => {
                if lo.is_some_and(|v| !v.is_finite()) || hi.is_some_and(|v| !v.is_finite()) {
                    return bad("clip bounds must be finite".into());
                }
                if let (Some(l), Some(h)) = (lo, hi) {
                    if l > h {
                        return bad(format!("lo = {l} is above hi = {h}"));
                    }
                }
            }
            TreatRule::Log { transform, min, max } => {
                if !(min.is_finite() && max.is_finite() && min <= max) {
                    return bad(format!("min = {min}, max = {max} must be finite with min ≤ max"));
                }
                if transform.transform(min, max).is_none() {
                    return bad(format!("transform `{transform:?}` does not apply with min = {min}"));
                }
            }
        }
        Ok(())
    }

    /// The rule on one value (NaN stays NaN).
    fn apply(&self, f: Option<&dyn Fn(f64) -> f64>, v: f64) -> f64 {
        match (self, f) {
            (TreatRule::Log { .. }, Some(f)) => f(v),
            (TreatRule::Clip { lo, hi }, _) => {
                let mut v = v;
                if let Some(l) = *lo {
                    if v < l {
                        v = l;
                    }
                }
                if let Some(h) = *hi {
                    if v > h {
                        v = h;
                    }
                }
                v
            }
            (TreatRule::Log { .. }, None) => v,
        }
    }
}

/// The `treat_fitted` step: each listed indicator gets its [`TreatRule`]; the others are
/// left as they are. New data is never re-checked (skew / kurtosis): the decisions are the
/// fitted ones. A log-transformed value outside the fitted domain (e.g. below the fitted
/// minimum under `ctlog`) becomes missing, with a warning naming unit and indicator.
///
/// ```toml
/// [[steps]]
/// type = "treat_fitted"
/// [steps.rules]
/// income = { action = "clip", hi = 120.0 }
/// assets = { action = "log", transform = "ctlog", min = 0.5, max = 900.0 }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreatFitted {
    /// Rule per indicator id.
    #[serde(default)]
    pub rules: BTreeMap<String, TreatRule>,
}

impl TreatFitted {
    /// The rules of `treat` on the current stage: what [`Treat::apply`] does to each column,
    /// written as fixed bounds or a fixed transform.
    ///
    /// # Errors
    /// As [`Treat::apply`]; [`Error::Method`] naming the indicator if the treatment cannot be
    /// written as a rule that reproduces it bit for bit (never expected).
    pub fn fit(treat: &Treat, input: &StepInput<'_>) -> Result<Self> {
        // The step's own checks (thresholds, `skip` ids).
        ColumnStep::begin(treat, input)?;
        let mut rules = BTreeMap::new();
        for j in 0..input.data.values.ncols() {
            let ind = input.indicator_id(j);
            if treat.skip.iter().any(|s| s == ind) {
                continue;
            }
            let original: Vec<f64> = input.data.values.column(j).to_vec();
            let mut treated = original.clone();
            let res = treat.treat_column(&mut treated);
            let rule = if let Some(transform) = res.log_transform {
                let (min, max) = min_max(&original);
                TreatRule::Log { transform, min, max }
            } else if !res.points.is_empty() {
                let (lo, hi) = min_max(&treated);
                let has = |m: WinMark| res.points.iter().any(|p| p.1 == m);
                TreatRule::Clip {
                    lo: has(WinMark::Low).then_some(lo),
                    hi: has(WinMark::High).then_some(hi),
                }
            } else {
                continue;
            };
            let f = rule_fn(&rule);
            let same = original
                .iter()
                .zip(&treated)
                .all(|(&o, &t)| rule.apply(f.as_deref(), o).to_bits() == t.to_bits());
            if !same {
                return Err(Error::Method {
                    method: "treat".into(),
                    message: "this treatment cannot be frozen as fixed bounds or a fixed transform".into(),
                    unit: None,
                    node: Some(ind.to_owned()),
                });
            }
            rules.insert(ind.to_owned(), rule);
        }
        Ok(TreatFitted { rules })
    }

    /// Check the rules against a framework.
    ///
    /// # Errors
    /// [`Error::Unknown`] for an indicator not in the framework; [`Error::Spec`] naming the
    /// field (`rules.<id>`) for non-finite or inverted bounds, or a transform that cannot apply.
    pub fn check(&self, fw: &Framework) -> Result<()> {
        let ids = fw.indicator_ids();
        for (ind, rule) in &self.rules {
            if !ids.contains(&ind.as_str()) {
                return Err(Error::Unknown {
                    what: "indicator",
                    id: ind.clone(),
                    context: format!("in `rules.{ind}` of step `treat_fitted`"),
                });
            }
            rule.check(&format!("rules.{ind}"))?;
        }
        Ok(())
    }

    /// Apply the step.
    ///
    /// # Errors
    /// As [`TreatFitted::check`].
    pub fn apply(&self, input: &StepInput<'_>) -> Result<StepOutput> {
        apply_by_column(self, input)
    }
}

fn rule_fn(rule: &TreatRule) -> Option<Box<dyn Fn(f64) -> f64>> {
    match *rule {
        TreatRule::Log { transform, min, max } => transform.transform(min, max),
        TreatRule::Clip { .. } => None,
    }
}

impl ColumnStep for TreatFitted {
    fn begin<'a>(&'a self, input: &StepInput<'a>) -> Result<Box<dyn ColumnKernel + 'a>> {
        self.check(input.framework)?;
        Ok(Box::new(self))
    }
}

impl ColumnKernel for &TreatFitted {
    fn column(&mut self, input: &StepInput<'_>, j: usize, col: &mut [f64], log: &mut Vec<LogEntry>) -> Result<()> {
        let ind = input.indicator_id(j);
        let Some(rule) = self.rules.get(ind) else { return Ok(()) };
        let f = rule_fn(rule);
        for (k, x) in col.iter_mut().enumerate() {
            if x.is_nan() {
                continue;
            }
            let before = *x;
            let after = rule.apply(f.as_deref(), before);
            match rule {
                TreatRule::Log { min, .. } if !after.is_finite() => {
                    *x = f64::NAN;
                    log.push(
                        LogEntry::warning(STEP, "outside_fitted_domain")
                            .unit(input.unit_id_shared(k))
                            .indicator(ind)
                            .value(before)
                            .detail(format!(
                                "the fitted log transform is undefined here (fitted minimum {min}); left missing"
                            )),
                    );
                }
                TreatRule::Clip { .. } if after.to_bits() != before.to_bits() => {
                    *x = after;
                    let action = if after < before { "winsorised_high" } else { "winsorised_low" };
                    log.push(
                        LogEntry::info(STEP, action)
                            .unit(input.unit_id_shared(k))
                            .indicator(ind)
                            .value(after)
                            .detail(format!("clipped at the fitted bound (was {before})")),
                    );
                }
                _ => *x = after,
            }
        }
        if matches!(rule, TreatRule::Log { .. }) {
            log.push(
                LogEntry::info(STEP, "log_transformed")
                    .indicator(ind)
                    .detail("the fitted log transform (decided when fitted)"),
            );
        }
        Ok(())
    }
}
