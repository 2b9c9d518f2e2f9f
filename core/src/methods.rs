//! Every built-in method, read from the registries of [`normalise`](crate::normalise),
//! [`aggregate`](crate::aggregate) and [`weight`](crate::weight): the one list that
//! `zhili methods`, Python's `zhili.methods()`, the workbench and the docs show, so that a
//! method added to a registry appears everywhere without another edit.
//!
//! ```
//! use zhili_core::methods::{catalogue, Family};
//! let topsis = catalogue().into_iter().find(|m| m.family == Family::Aggregate && m.name == "topsis");
//! assert!(topsis.is_some_and(|m| m.about.contains("理想解")));
//! ```

use serde::Serialize;

use crate::weight::WeightMethod;
use crate::{Aggregator, Normaliser};

/// A family of methods: the registry it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// `normalise` steps ([`Normaliser`]).
    Normalise,
    /// `aggregate` steps ([`Aggregator`]).
    Aggregate,
    /// Data-driven weighting ([`WeightMethod`]).
    Weighting,
}

impl Family {
    /// Every family, in pipeline order.
    pub const ALL: [Family; 3] = [Family::Normalise, Family::Aggregate, Family::Weighting];

    /// The family's name: `normalise`, `aggregate`, `weighting`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Normalise => "normalise",
            Family::Aggregate => "aggregate",
            Family::Weighting => "weighting",
        }
    }

    /// The family named `name`, if any.
    pub fn parse(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// One built-in method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodInfo {
    /// Its registry.
    pub family: Family,
    /// Its name in documents (the `method` tag).
    pub name: &'static str,
    /// One line: English · 中文.
    pub about: &'static str,
    /// The method with its options' defaults, as written in a document.
    pub example: serde_json::Value,
}

/// Every built-in method, family by family in registry order.
pub fn catalogue() -> Vec<MethodInfo> {
    let doc = |v: serde_json::Result<serde_json::Value>| v.unwrap_or(serde_json::Value::Null);
    let norm = Normaliser::examples().into_iter().map(|m| MethodInfo {
        family: Family::Normalise,
        name: m.name(),
        about: m.about(),
        example: doc(serde_json::to_value(&m)),
    });
    let agg = Aggregator::examples().into_iter().map(|m| MethodInfo {
        family: Family::Aggregate,
        name: m.name(),
        about: m.about(),
        example: doc(serde_json::to_value(&m)),
    });
    let wt = WeightMethod::examples().into_iter().map(|m| MethodInfo {
        family: Family::Weighting,
        name: m.name(),
        about: m.about(),
        example: doc(serde_json::to_value(&m)),
    });
    norm.chain(agg).chain(wt).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalogue is the registries: names in order, every line bilingual, every example
    /// a document that reads back as a method of its family.
    #[test]
    fn catalogue_is_the_registries() {
        let all = catalogue();
        let names = |f: Family| all.iter().filter(|m| m.family == f).map(|m| m.name).collect::<Vec<_>>();
        assert_eq!(names(Family::Normalise), Normaliser::METHODS);
        assert_eq!(names(Family::Aggregate), Aggregator::METHODS);
        assert_eq!(names(Family::Weighting), WeightMethod::METHODS);
        for m in &all {
            assert!(m.about.contains(" · "), "{}: not bilingual", m.name);
            assert_eq!(m.example["method"], m.name);
            let ok = match m.family {
                Family::Normalise => serde_json::from_value::<Normaliser>(m.example.clone()).map(|n| n.name() == m.name),
                Family::Aggregate => serde_json::from_value::<Aggregator>(m.example.clone()).map(|n| n.name() == m.name),
                Family::Weighting => serde_json::from_value::<WeightMethod>(m.example.clone()).map(|n| n.name() == m.name),
            };
            assert!(ok.unwrap(), "{}", m.name);
        }
        for (alias, name) in WeightMethod::ALIASES {
            let m: WeightMethod = serde_json::from_value(serde_json::json!({ "method": alias })).unwrap();
            assert_eq!(m.name(), *name);
        }
        assert_eq!(Family::parse("aggregate"), Some(Family::Aggregate));
        assert_eq!(Family::parse("nope"), None);
    }
}
