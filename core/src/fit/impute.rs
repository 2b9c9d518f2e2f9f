//! The frozen `impute` step: fill values fitted on other data.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::log::{LogEntry, SharedStr};
use crate::prepare::ImputeMethod;
use crate::stage::{apply_by_column, ColumnKernel, ColumnStep};
use crate::stage::{StepInput, StepOutput};

const STEP: &str = "impute";

/// The `impute_fitted` step: an `impute` step whose statistics were computed on the data
/// it was fitted on ([`Pipeline::fit`](crate::Pipeline::fit)) and are reused as they are.
///
/// ```text
/// mean / median:              x_ui ← values[i]              (missing cells only)
/// group_mean / group_median:  x_ui ← groups[g(u)][i]        g(u) = the unit's label in column `group`
/// ```
///
/// An indicator without a stored value (it had no data when fitted), a unit without a
/// group label, or a label that was not in the fitted data leaves the cell missing, with a
/// warning naming unit and indicator. Present cells are never changed.
///
/// ```toml
/// [[steps]]
/// type = "impute_fitted"
/// method = "mean"
/// values = { income = 41.5, crime = 3.25 }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImputeFitted {
    /// The statistic that was fitted (for the log and the reader; `none` fills nothing).
    pub method: ImputeMethod,
    /// The group column (group methods).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Fill value per indicator (mean / median methods).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, f64>,
    /// Fill value per group label, then per indicator (group methods).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, BTreeMap<String, f64>>,
}

impl ImputeFitted {
    /// No values yet.
    pub fn new(method: ImputeMethod, group: Option<String>) -> Self {
        ImputeFitted {
            method,
            group,
            values: BTreeMap::new(),
            groups: BTreeMap::new(),
        }
    }

    /// Store the fill value of `indicator` (for `group`, or all units); NaN (no data) is not stored.
    pub fn set(&mut self, group: Option<&str>, indicator: &str, value: f64) {
        if value.is_nan() {
            return;
        }
        match group {
            None => self.values.insert(indicator.to_owned(), value),
            Some(g) => self.groups.entry(g.to_owned()).or_default().insert(indicator.to_owned(), value),
        };
    }

    fn is_group(&self) -> bool {
        matches!(self.method, ImputeMethod::GroupMean | ImputeMethod::GroupMedian)
    }

    /// Check the stored values against a framework.
    ///
    /// # Errors
    /// [`Error::Spec`] for a group method without `group` (or values where they do not
    /// belong) and a non-finite value; [`Error::Unknown`] for an indicator that is not in
    /// the framework. Each names the field (`values.<id>`, `groups.<label>.<id>`).
    pub fn check(&self, fw: &Framework) -> Result<()> {
        let what = "step `impute_fitted`";
        if self.is_group() != self.group.is_some() {
            return Err(Error::spec(
                what,
                "`group` is needed by (and only by) the group methods `group_mean` / `group_median`",
            ));
        }
        if (self.is_group() && !self.values.is_empty()) || (!self.is_group() && !self.groups.is_empty()) {
            return Err(Error::spec(
                what,
                "group methods store `groups`, the others `values` (found the other one)",
            ));
        }
        let ids = fw.indicator_ids();
        let all = self.values.iter().map(|(i, v)| (format!("values.{i}"), i, *v));
        let by_group = self
            .groups
            .iter()
            .flat_map(|(g, m)| m.iter().map(move |(i, v)| (format!("groups.{g}.{i}"), i, *v)));
        for (field, ind, v) in all.chain(by_group) {
            if !ids.contains(&ind.as_str()) {
                return Err(Error::Unknown {
                    what: "indicator",
                    id: ind.clone(),
                    context: format!("in `{field}` of step `impute_fitted`"),
                });
            }
            if !v.is_finite() {
                return Err(Error::spec(what, format!("`{field}` = {v} must be finite")));
            }
        }
        Ok(())
    }

    /// Apply the step.
    ///
    /// # Errors
    /// As [`ImputeFitted::check`]; [`Error::MissingColumn`] if the group column is not in the dataset.
    pub fn apply(&self, input: &StepInput<'_>) -> Result<StepOutput> {
        apply_by_column(self, input)
    }
}

impl ColumnStep for ImputeFitted {
    fn begin<'a>(&'a self, input: &StepInput<'a>) -> Result<Box<dyn ColumnKernel + 'a>> {
        self.check(input.framework)?;
        let mut rows = Vec::new();
        if let Some(gname) = self.group.as_deref() {
            let labels = input.dataset.groups().get(gname).ok_or_else(|| Error::MissingColumn {
                column: gname.to_owned(),
                needed_by: "step `impute_fitted`".into(),
            })?;
            rows = input.data.units.iter().map(|&r| labels.get(r).and_then(|l| l.as_deref())).collect();
        }
        Ok(Box::new(Kernel { step: self, rows }))
    }
}

struct Kernel<'a> {
    step: &'a ImputeFitted,
    /// Each stage row's group label (group methods).
    rows: Vec<Option<&'a str>>,
}

impl ColumnKernel for Kernel<'_> {
    fn column(&mut self, input: &StepInput<'_>, j: usize, col: &mut [f64], log: &mut Vec<LogEntry>) -> Result<()> {
        if self.step.method == ImputeMethod::None || !col.iter().any(|v| v.is_nan()) {
            return Ok(());
        }
        let ind_id = input.indicator_id(j);
        let ind = SharedStr::from(ind_id);
        let stat = match self.step.method {
            ImputeMethod::Mean | ImputeMethod::GroupMean => "mean",
            _ => "median",
        };
        if !self.step.is_group() {
            let Some(&fill) = self.step.values.get(ind_id) else {
                let n = col.iter().filter(|v| v.is_nan()).count();
                log.push(LogEntry::warning(STEP, "not_imputed").indicator(ind).detail(format!(
                    "no fitted {stat} for this indicator (it had no data when fitted): {n} missing cell(s) left missing"
                )));
                return Ok(());
            };
            let detail: Cow<'static, str> = Cow::Owned(format!("fitted {stat} of all units"));
            for (k, x) in col.iter_mut().enumerate() {
                if x.is_nan() {
                    *x = fill;
                    log.push(
                        LogEntry::info(STEP, "imputed")
                            .unit(input.unit_id_shared(k))
                            .indicator(ind.clone())
                            .value(fill)
                            .detail(detail.clone()),
                    );
                }
            }
            return Ok(());
        }
        let gname = self.step.group.as_deref().unwrap_or_default();
        for (k, x) in col.iter_mut().enumerate() {
            if !x.is_nan() {
                continue;
            }
            let entry = match self.rows[k] {
                None => LogEntry::warning(STEP, "not_imputed").detail(format!("unit has no `{gname}` label; left missing")),
                Some(g) => match self.step.groups.get(g).and_then(|m| m.get(ind_id)) {
                    None => LogEntry::warning(STEP, "not_imputed").detail(format!(
                        "no fitted {stat} for group {g} on this indicator (the group had no data when fitted); left missing"
                    )),
                    Some(&fill) => {
                        *x = fill;
                        LogEntry::info(STEP, "imputed")
                            .value(fill)
                            .detail(format!("fitted {stat} of group {g}"))
                    }
                },
            };
            log.push(entry.unit(input.unit_id_shared(k)).indicator(ind.clone()));
        }
        Ok(())
    }
}
