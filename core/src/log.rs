//! The step log: what each pipeline step did, cell by cell where it matters.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// How much a log entry matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A normal action (a cell imputed, a point winsorised).
    Info,
    /// Something the user should look at (a constant indicator, a group with no data).
    Warning,
}

/// One thing a step did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The step, e.g. `impute`.
    pub step: Cow<'static, str>,
    /// What happened, e.g. `imputed`, `winsorised_high`, `log_transformed`, `screened_out`.
    pub action: Cow<'static, str>,
    /// Info or warning.
    pub level: Level,
    /// The unit concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The indicator or node concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// The value written, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Free detail (e.g. `mean of group Asia`, `skew 2.24 → 1.75`).
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub detail: Cow<'static, str>,
}

impl LogEntry {
    /// An info entry.
    ///
    /// Step, action and detail are usually static text: they are borrowed, not copied,
    /// which keeps per-cell entries (an imputed cell, a winsorised point) cheap.
    pub fn info(step: impl Into<Cow<'static, str>>, action: impl Into<Cow<'static, str>>) -> Self {
        LogEntry {
            step: step.into(),
            action: action.into(),
            level: Level::Info,
            unit: None,
            indicator: None,
            value: None,
            detail: Cow::Borrowed(""),
        }
    }
    /// A warning entry.
    pub fn warning(step: impl Into<Cow<'static, str>>, action: impl Into<Cow<'static, str>>) -> Self {
        LogEntry {
            level: Level::Warning,
            ..Self::info(step, action)
        }
    }
    /// Set the unit.
    pub fn unit(mut self, u: impl Into<String>) -> Self {
        self.unit = Some(u.into());
        self
    }
    /// Set the indicator / node.
    pub fn indicator(mut self, i: impl Into<String>) -> Self {
        self.indicator = Some(i.into());
        self
    }
    /// Set the value.
    pub fn value(mut self, v: f64) -> Self {
        self.value = Some(v);
        self
    }
    /// Set the detail.
    pub fn detail(mut self, d: impl Into<Cow<'static, str>>) -> Self {
        self.detail = d.into();
        self
    }
}
