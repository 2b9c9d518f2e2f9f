//! The step log: what each pipeline step did, cell by cell where it matters.

use std::borrow::Cow;
use std::sync::Arc;

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
    ///
    /// A [`SharedStr`]: an entry about one of a dataset's units refers to the dataset's id
    /// (see [`crate::Dataset::unit_id_shared`]) instead of copying it. Read it as a `&str`
    /// with `as_deref()`; it serialises as a plain string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<SharedStr>,
    /// The indicator or node concerned, if any (a [`SharedStr`], like `unit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<SharedStr>,
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
    /// Set the unit (a `&str` or `String` is copied once; a [`SharedStr`] is shared).
    pub fn unit(mut self, u: impl Into<SharedStr>) -> Self {
        self.unit = Some(u.into());
        self
    }
    /// Set the indicator / node (a `&str` or `String` is copied once; a [`SharedStr`] is shared).
    pub fn indicator(mut self, i: impl Into<SharedStr>) -> Self {
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

/// Immutable text that is cheap to clone: either its own shared copy (`Arc<str>`) or one
/// id of a shared list, such as a [`crate::Dataset`]'s unit ids. Cloning increments a
/// reference count; it never copies the text. Per-cell log entries (an imputed cell, a
/// winsorised point) hold their unit and indicator this way.
///
/// It dereferences to `str`, compares, orders and hashes as its text, and serialises as a
/// plain string (a deserialised one owns its copy).
///
/// ```
/// use std::sync::Arc;
/// use zhili_core::log::SharedStr;
/// let ids: Arc<[String]> = vec!["AUT".to_string(), "BEL".to_string()].into();
/// let b = SharedStr::row(&ids, 1);
/// assert_eq!(b, "BEL");
/// assert_eq!(b, SharedStr::from("BEL"));
/// assert_eq!(serde_json::to_string(&b).unwrap(), "\"BEL\"");
/// assert_eq!(std::mem::size_of::<Option<SharedStr>>(), std::mem::size_of::<String>());
/// ```
#[derive(Clone)]
pub struct SharedStr(Repr);

#[derive(Clone)]
enum Repr {
    Own(Arc<str>),
    /// `ids[row]`, `row < ids.len()` (a `u32` keeps the value at 24 bytes, like a `String`).
    Row(Arc<[String]>, u32),
}

impl SharedStr {
    /// Element `row` of a shared list of ids, without copying it.
    ///
    /// # Panics
    /// If `row >= ids.len()`.
    pub fn row(ids: &Arc<[String]>, row: usize) -> Self {
        assert!(row < ids.len(), "row {row} out of range for {} ids", ids.len());
        match u32::try_from(row) {
            Ok(r) => SharedStr(Repr::Row(Arc::clone(ids), r)),
            Err(_) => Self::from(ids[row].as_str()),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Own(s) => s,
            Repr::Row(ids, row) => &ids[*row as usize],
        }
    }
}

impl std::ops::Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        SharedStr(Repr::Own(Arc::from(s)))
    }
}

impl From<&String> for SharedStr {
    fn from(s: &String) -> Self {
        Self::from(s.as_str())
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        SharedStr(Repr::Own(Arc::from(s)))
    }
}

impl From<Arc<str>> for SharedStr {
    fn from(s: Arc<str>) -> Self {
        SharedStr(Repr::Own(s))
    }
}

impl From<&SharedStr> for SharedStr {
    fn from(s: &SharedStr) -> Self {
        s.clone()
    }
}

impl From<SharedStr> for String {
    fn from(s: SharedStr) -> Self {
        s.as_str().to_owned()
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedStr {}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialOrd for SharedStr {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedStr {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for SharedStr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for SharedStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(deserializer).map(SharedStr::from)
    }
}
