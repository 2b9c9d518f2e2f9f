//! Weights: sets of node weights that override a framework's, without editing it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Node id → weight (relative to siblings). Written as TOML
/// (`[weights]` table or top-level `id = w`) or as a CSV of `id,weight` at the edge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WeightSet {
    /// The weights.
    pub weights: BTreeMap<String, f64>,
}

impl WeightSet {
    /// From pairs.
    pub fn from_pairs<I: IntoIterator<Item = (String, f64)>>(pairs: I) -> Self {
        WeightSet {
            weights: pairs.into_iter().collect(),
        }
    }

    /// Parse TOML: either a `[weights]` table or top-level `id = weight` pairs.
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed TOML or a non-numeric weight.
    pub fn from_toml_str(s: &str, file: &str) -> Result<Self> {
        let v: toml::Table = toml::from_str(s).map_err(|e| crate::framework::toml_error(e, s, file))?;
        let table = match v.get("weights") {
            Some(toml::Value::Table(t)) => t.clone(),
            _ => v,
        };
        let mut weights = BTreeMap::new();
        for (k, val) in table {
            let w = match val {
                toml::Value::Float(f) => f,
                toml::Value::Integer(i) => i as f64,
                other => {
                    return Err(Error::parse(
                        file,
                        None,
                        Some(k.clone()),
                        format!("weight of `{k}` is not a number: {other}"),
                    ));
                }
            };
            weights.insert(k, w);
        }
        Ok(WeightSet { weights })
    }

    /// Iterate `(id, weight)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.weights.iter().map(|(k, v)| (k.as_str(), *v))
    }
}
