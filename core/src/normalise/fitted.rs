//! A fitted normaliser as a method: its "fit" returns the stored parameters, so a frozen
//! pipeline normalises new data through the same code as a fresh one.

use super::{FittedColumn, Normalise, Normaliser, Params};
use crate::error::{Error, Result};
use crate::framework::Node;
use crate::log::LogEntry;

impl Normalise for FittedNormaliser {
    fn name(&self) -> &'static str {
        "fitted"
    }

    fn about(&self) -> &'static str {
        "another method with stored parameters (from `Pipeline::fit`) · 已拟合参数的方法"
    }

    fn check(&self) -> Result<()> {
        if matches!(self.normaliser, Normaliser::Fitted(_)) {
            return Err(Error::spec(
                "normalise (fitted)",
                "`normaliser` is itself `fitted`; give the method that was fitted (e.g. `minmax`)",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.columns {
            if !seen.insert(c.indicator.as_str()) {
                return Err(Error::spec(
                    "normalise (fitted)",
                    format!("indicator `{}` has two entries in `columns`", c.indicator),
                ));
            }
        }
        self.normaliser.method().check()
    }

    fn fit_column(&self, _x: &[f64], node: &Node) -> Result<Params> {
        let Some(c) = self.columns.iter().find(|c| c.indicator == node.id) else {
            return Err(Error::Unknown {
                what: "indicator",
                id: node.id.clone(),
                context: format!(
                    "the fitted normaliser has no parameters for it (fitted on: {})",
                    self.columns.iter().map(|c| c.indicator.as_str()).collect::<Vec<_>>().join(", ")
                ),
            });
        };
        if c.direction != node.direction {
            return Err(Error::spec(
                "normalise (fitted)",
                format!(
                    "indicator `{}` was fitted as {:?} but the framework says {:?}",
                    node.id, c.direction, node.direction
                ),
            ));
        }
        Ok(c.params.clone())
    }

    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()> {
        self.normaliser.method().transform_column(col, column, log)
    }
}

use super::FittedNormaliser;
