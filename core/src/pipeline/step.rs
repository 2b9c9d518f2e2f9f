//! What every pipeline step receives and returns.

use ndarray::Array2;

use crate::data::Dataset;
use crate::framework::Framework;
use crate::log::LogEntry;

/// The data between two steps: the included units and their indicator values.
#[derive(Debug, Clone, PartialEq)]
pub struct StageData {
    /// Rows of the [`Dataset`] still included (screening can drop some), in order.
    pub units: Vec<usize>,
    /// `units.len()` × framework indicators, in the framework's indicator order. NaN = missing.
    pub values: Array2<f64>,
}

/// A step's view of the world.
#[derive(Debug, Clone, Copy)]
pub struct StepInput<'a> {
    /// The framework (indicator ids, directions, goalposts, targets, denominators).
    pub framework: &'a Framework,
    /// The whole dataset (groups, numeric columns, unit ids).
    pub dataset: &'a Dataset,
    /// The current stage.
    pub data: &'a StageData,
}

impl StepInput<'_> {
    /// Id of the unit in row `k` of the current stage.
    pub fn unit_id(&self, k: usize) -> &str {
        &self.dataset.unit_ids()[self.data.units[k]]
    }

    /// Id of the indicator in column `j`.
    pub fn indicator_id(&self, j: usize) -> &str {
        &self.framework.nodes()[self.framework.indicators()[j]].id
    }

    /// The framework node of the indicator in column `j`.
    pub fn indicator_node(&self, j: usize) -> &crate::framework::Node {
        &self.framework.nodes()[self.framework.indicators()[j]]
    }
}

/// A step's result.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutput {
    /// The new stage.
    pub data: StageData,
    /// What the step did.
    pub log: Vec<LogEntry>,
}
