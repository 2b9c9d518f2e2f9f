//! Grading bands: turn a number into a named grade (red / yellow / green risk colours,
//! 优秀 / 良好 / 一般 / 较差 score grades, ...).
//!
//! A grading spec is a TOML document with ordered bands. A value takes the **first** band
//! whose `min` it reaches; the last band has no `min` and takes every remaining value:
//!
//! ```toml
//! version = 1
//! id = "three-colour"
//! [[bands]]
//! id = "red"
//! name = { zh = "红色(高风险)", en = "red (high risk)" }
//! min = 60.0
//! [[bands]]
//! id = "yellow"
//! min = 30.0
//! [[bands]]
//! id = "green"
//! ```
//!
//! ```text
//! grade(v) = first band b with v ≥ b.min  (the open last band if none); NaN has no grade
//! ```

use serde::{Deserialize, Serialize};
use zhili_core::framework::Name;
use zhili_core::{Error, Result};

/// The grading document version this crate reads.
pub const GRADING_VERSION: u32 = 1;

/// One band of a grading spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Band id, e.g. `red`.
    pub id: String,
    /// Bilingual display name.
    #[serde(default)]
    pub name: Name,
    /// Smallest value in the band; `None` only for the last band (everything below).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
}

/// An ordered list of bands, checked: ids unique, `min` strictly decreasing and finite,
/// the last band open (no `min`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradingSpec {
    /// Document version, must be [`GRADING_VERSION`].
    pub version: u32,
    /// Optional id of the spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Optional display name.
    #[serde(default)]
    pub name: Name,
    /// Bands from the highest to the lowest.
    pub bands: Vec<Band>,
}

impl GradingSpec {
    /// Parse and check a TOML grading document (`file` names it in errors).
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed TOML; [`Error::Spec`] from [`GradingSpec::check`].
    pub fn from_toml_str(s: &str, file: &str) -> Result<Self> {
        let spec: GradingSpec = toml::from_str(s).map_err(|e| {
            let line = e.span().map(|sp| s[..sp.start.min(s.len())].matches('\n').count() + 1);
            Error::parse(file, line, None, e.message().to_owned())
        })?;
        spec.check()?;
        Ok(spec)
    }

    /// The bundled red / yellow / green spec (`frameworks/three-colour.grading.toml`):
    /// red ≥ 60 risk points, yellow ≥ 30, green below.
    ///
    /// # Errors
    /// Only if the bundled file were broken (a test guards it).
    pub fn three_colour() -> Result<Self> {
        Self::from_toml_str(crate::THREE_COLOUR_GRADING, "three-colour.grading.toml")
    }

    /// The bundled score grades (`frameworks/score-grades.grading.toml`):
    /// excellent ≥ 85, good ≥ 70, fair ≥ 60, poor below.
    ///
    /// # Errors
    /// Only if the bundled file were broken (a test guards it).
    pub fn score_grades() -> Result<Self> {
        Self::from_toml_str(crate::SCORE_GRADES, "score-grades.grading.toml")
    }

    /// Check the bands.
    ///
    /// # Errors
    /// [`Error::Spec`] naming the band: wrong version, no bands, empty or duplicate id,
    /// a non-finite `min`, `min` not strictly decreasing, a band other than the last without
    /// `min`, or a last band with one.
    pub fn check(&self) -> Result<()> {
        let what = || format!("grading `{}`", self.id.as_deref().unwrap_or("<unnamed>"));
        if self.version != GRADING_VERSION {
            return Err(Error::spec(
                what(),
                format!("unsupported version {} (expected {GRADING_VERSION})", self.version),
            ));
        }
        if self.bands.is_empty() {
            return Err(Error::spec(what(), "no bands"));
        }
        let mut prev: Option<f64> = None;
        for (i, b) in self.bands.iter().enumerate() {
            if b.id.trim().is_empty() {
                return Err(Error::spec(what(), format!("band {} has an empty id", i + 1)));
            }
            if self.bands[..i].iter().any(|o| o.id == b.id) {
                return Err(Error::spec(what(), format!("duplicate band id `{}`", b.id)));
            }
            let last = i + 1 == self.bands.len();
            match (b.min, last) {
                (Some(_), true) => {
                    return Err(Error::spec(
                        what(),
                        format!("the last band `{}` must have no `min` (it takes all lower values)", b.id),
                    ))
                }
                (None, false) => {
                    return Err(Error::spec(
                        what(),
                        format!("band `{}` needs a `min` (only the last band is open)", b.id),
                    ))
                }
                (Some(m), false) => {
                    if !m.is_finite() {
                        return Err(Error::spec(what(), format!("band `{}`: `min` must be finite", b.id)));
                    }
                    if let Some(p) = prev {
                        if m >= p {
                            return Err(Error::spec(
                                what(),
                                format!("band `{}`: `min` {m} must be below the previous band's {p}", b.id),
                            ));
                        }
                    }
                    prev = Some(m);
                }
                (None, true) => {}
            }
        }
        Ok(())
    }

    /// The same bands as the engine's [`zhili_core::analysis::Grading`] (fixed thresholds,
    /// lowest band first), labelled with the Chinese band names (the id where there is none),
    /// so `Grading::apply` can grade a whole score column:
    ///
    /// ```text
    /// bands [b_1 (min m_1), …, b_k (min m_k), b_(k+1) (open)]  →
    /// thresholds [m_k, …, m_1], labels [b_(k+1), b_k, …, b_1]
    /// ```
    ///
    /// Both put a value equal to a threshold in the band above it.
    pub fn to_core(&self) -> zhili_core::analysis::Grading {
        let thresholds = self.bands.iter().rev().filter_map(|b| b.min).collect();
        let labels: Vec<String> = self
            .bands
            .iter()
            .rev()
            .map(|b| b.name.zh.clone().unwrap_or_else(|| b.id.clone()))
            .collect();
        zhili_core::analysis::Grading::fixed(thresholds, labels)
    }

    /// The band of `value`; `None` for NaN (a missing value has no grade).
    pub fn grade(&self, value: f64) -> Option<&Band> {
        if value.is_nan() {
            return None;
        }
        self.bands.iter().find(|b| b.min.is_none_or(|m| value >= m))
    }

    /// A band by id.
    pub fn band(&self, id: &str) -> Option<&Band> {
        self.bands.iter().find(|b| b.id == id)
    }

    /// The position of a band by id, or by its zh / en name (case-insensitive for en).
    pub fn band_index(&self, label: &str) -> Option<usize> {
        let l = label.trim();
        self.bands.iter().position(|b| {
            b.id.eq_ignore_ascii_case(l)
                || b.name.zh.as_deref() == Some(l)
                || b.name.en.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(l))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_colour_bands() {
        let g = GradingSpec::three_colour().expect("bundled");
        assert_eq!(g.grade(60.0).map(|b| b.id.as_str()), Some("red"));
        assert_eq!(g.grade(59.99).map(|b| b.id.as_str()), Some("yellow"));
        assert_eq!(g.grade(30.0).map(|b| b.id.as_str()), Some("yellow"));
        assert_eq!(g.grade(-5.0).map(|b| b.id.as_str()), Some("green"));
        assert!(g.grade(f64::NAN).is_none());
        assert_eq!(g.band_index("红色(高风险)"), Some(0));
        assert_eq!(g.band_index("GREEN"), Some(2));
    }

    #[test]
    fn core_grading_agrees() {
        let g = GradingSpec::three_colour().expect("bundled");
        let core = g.to_core();
        core.check().expect("valid core grading");
        let x = ndarray::array![0.0, 29.9, 30.0, 59.9, 60.0, 100.0, f64::NAN];
        let graded = core.apply(x.view()).expect("apply");
        for (i, v) in x.iter().enumerate() {
            let mine = g.grade(*v).map(|b| b.name.zh.clone().unwrap_or_default());
            assert_eq!(graded.labels[i], mine, "value {v}");
        }
        let s = GradingSpec::score_grades().expect("bundled").to_core();
        assert_eq!(s.labels, ["较差", "一般", "良好", "优秀"]);
    }

    #[test]
    fn bad_specs_are_refused() {
        let bad = "version = 1\n[[bands]]\nid = \"a\"\nmin = 1.0\n[[bands]]\nid = \"b\"\nmin = 2.0\n[[bands]]\nid = \"c\"\n";
        let e = GradingSpec::from_toml_str(bad, "x").expect_err("increasing min");
        assert!(e.to_string().contains("band `b`"), "{e}");
        let open_last = "version = 1\n[[bands]]\nid = \"a\"\nmin = 1.0\n";
        assert!(GradingSpec::from_toml_str(open_last, "x").is_err());
        let dup = "version = 1\n[[bands]]\nid = \"a\"\nmin = 1.0\n[[bands]]\nid = \"a\"\n";
        assert!(GradingSpec::from_toml_str(dup, "x").is_err());
    }
}
