//! The serialisable, unchecked form of a framework: a flat list of nodes with `parent`.
//!
//! Schema (TOML shown; JSON has the same fields):
//!
//! ```toml
//! version = 1
//! id = "asem"                                  # optional
//! name = { zh = "互联互通指数", en = "Connectivity index" }   # optional
//! description = "..."                          # optional
//!
//! [[nodes]]
//! id = "Index"                                 # the root: no parent
//! name = { zh = "指数", en = "Index" }
//!
//! [[nodes]]
//! id = "safety"
//! parent = "Index"
//! weight = 2.0                                 # relative to siblings, default 1
//!
//! [[nodes]]
//! id = "crime_per_10k"
//! parent = "safety"
//! kind = "indicator"                           # optional: inferred from children
//! direction = "cost"                           # benefit (default) | cost
//! unit = "cases per 10k"
//! goalposts = [0.0, 50.0]                      # optional [lo, hi]
//! target = 5.0                                 # optional
//! denominator = "population"                   # optional data column to divide by
//! source = "..."                               # optional
//! note = "..."                                 # optional
//! ```

use serde::{Deserialize, Serialize};

/// The current framework schema version.
pub const FRAMEWORK_VERSION: u32 = 1;

/// A bilingual name. Either part may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Name {
    /// Chinese name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
    /// English name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Name {
    /// The English name, else the Chinese one, else `fallback`.
    pub fn display<'a>(&'a self, fallback: &'a str) -> &'a str {
        self.en.as_deref().or(self.zh.as_deref()).unwrap_or(fallback)
    }

    fn is_empty(&self) -> bool {
        self.zh.is_none() && self.en.is_none()
    }
}

/// One node as written in a file: nothing is checked yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Unique id; also the data column name for indicators.
    pub id: String,
    /// Bilingual display name.
    #[serde(default, skip_serializing_if = "Name::is_empty")]
    pub name: Name,
    /// Parent id; `None` for the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// `indicator` or `aggregate`; inferred from the tree when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Weight relative to siblings (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub weight: f64,
    /// `benefit` (higher is better, default) or `cost`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// Unit of measurement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Goalposts `[lo, hi]` for goalpost normalisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goalposts: Option<[f64; 2]>,
    /// Target value for distance-to-target normalisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Data column this indicator is divided by in the `denominate` step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<String>,
    /// Where the indicator comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Free note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn one() -> f64 {
    1.0
}

// Exact comparison on purpose: only the literal default is omitted when writing.
#[allow(clippy::float_cmp, clippy::trivially_copy_pass_by_ref)]
fn is_one(w: &f64) -> bool {
    *w == 1.0
}

impl NodeSpec {
    /// A node with an id, a parent and defaults everywhere else.
    pub fn new(id: impl Into<String>, parent: Option<&str>) -> Self {
        NodeSpec {
            id: id.into(),
            name: Name::default(),
            parent: parent.map(str::to_owned),
            kind: None,
            weight: 1.0,
            direction: None,
            unit: None,
            goalposts: None,
            target: None,
            denominator: None,
            source: None,
            note: None,
        }
    }
}

/// A framework document as read from TOML / JSON: unchecked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkSpec {
    /// Schema version; must be [`FRAMEWORK_VERSION`].
    pub version: u32,
    /// Optional framework id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Optional framework name.
    #[serde(default, skip_serializing_if = "Name::is_empty")]
    pub name: Name,
    /// Optional description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The framework's own display language (`"zh"` or `"en"`) for tables and reports when
    /// none is asked for; absent: decided by which names its nodes have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The nodes, in any order (indicator order in outputs follows this order).
    pub nodes: Vec<NodeSpec>,
}

impl FrameworkSpec {
    /// Parse a TOML document.
    ///
    /// # Errors
    /// [`crate::Error::Parse`] with the line of the problem.
    pub fn from_toml_str(s: &str, file: &str) -> crate::Result<Self> {
        toml::from_str(s).map_err(|e| toml_error(e, s, file))
    }

    /// Parse a JSON document.
    ///
    /// # Errors
    /// [`crate::Error::Parse`] with the line of the problem.
    pub fn from_json_str(s: &str, file: &str) -> crate::Result<Self> {
        serde_json::from_str(s).map_err(|e| crate::Error::parse(file, Some(e.line()), None, e.to_string()))
    }

    /// Write as TOML.
    ///
    /// # Errors
    /// Only if a value cannot be represented in TOML.
    pub fn to_toml_string(&self) -> crate::Result<String> {
        toml::to_string_pretty(self).map_err(|e| crate::Error::spec("framework", e.to_string()))
    }

    /// Write as pretty JSON.
    ///
    /// # Errors
    /// Only if a value cannot be represented in JSON (NaN / infinite weights).
    pub fn to_json_string(&self) -> crate::Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| crate::Error::spec("framework", e.to_string()))
    }
}

/// Turn a `toml` error into a [`crate::Error::Parse`] with a 1-based line.
pub(crate) fn toml_error(e: toml::de::Error, src: &str, file: &str) -> crate::Error {
    let line = e.span().map(|s| src[..s.start.min(src.len())].matches('\n').count() + 1);
    crate::Error::parse(file, line, None, e.message().to_owned())
}
