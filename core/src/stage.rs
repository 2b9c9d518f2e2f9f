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

    /// Id of the unit in row `k` of the current stage as shared text (no copy), for log
    /// entries: see [`Dataset::unit_id_shared`].
    pub fn unit_id_shared(&self, k: usize) -> crate::log::SharedStr {
        self.dataset.unit_id_shared(self.data.units[k])
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

/// A step that transforms each indicator column on its own — every step but `screen`,
/// which needs whole rows. The pipeline streams columns through consecutive column
/// steps while they are in cache ([`crate::Pipeline::score`]); the stage-keeping
/// [`crate::Pipeline::run`] applies the same kernels one step at a time, so both paths
/// compute with the same code.
pub(crate) trait ColumnStep {
    /// Checks made once per run (options, columns the step needs) and any per-run state
    /// (e.g. each row's group), returned as the kernel that transforms columns.
    fn begin<'a>(&'a self, input: &StepInput<'a>) -> crate::Result<Box<dyn ColumnKernel + 'a>>;
}

/// The per-run part of a [`ColumnStep`].
pub(crate) trait ColumnKernel {
    /// Transform column `j` (rows are `input.data.units`) in place, logging what it did.
    /// Must not read `input.data.values`: in the streaming path it is empty.
    fn column(&mut self, input: &StepInput<'_>, j: usize, col: &mut [f64], log: &mut Vec<LogEntry>) -> crate::Result<()>;

    /// [`ColumnKernel::column`] on a copy of `src` written into `col` (same length), for
    /// the first step: a kernel whose first pass reads the whole column can fuse the copy
    /// into it (one pass over `src`, which comes from memory, instead of two). By default
    /// the copy is made first.
    fn column_from(&mut self, input: &StepInput<'_>, j: usize, src: &[f64], col: &mut [f64], log: &mut Vec<LogEntry>) -> crate::Result<()> {
        col.copy_from_slice(src);
        self.column(input, j, col, log)
    }
}

/// How a preparation step transforms one streamed column ([`crate::Step::stream`]): its
/// column kernel, or the normaliser, fitted column by column.
pub(crate) enum StreamKernel<'a> {
    /// Denominate, impute, treat.
    Column(Box<dyn ColumnKernel + 'a>),
    /// Normalise.
    Normalise(&'a crate::normalise::Normaliser),
}

/// Apply a column step to a whole stage: a column-major copy, then each column in place.
pub(crate) fn apply_by_column(step: &dyn ColumnStep, input: &StepInput<'_>) -> crate::Result<StepOutput> {
    let mut kernel = step.begin(input)?;
    let x = &input.data.values;
    let mut values = crate::kernels::alloc::zeros_f(x.nrows(), x.ncols())?;
    let mut log = Vec::new();
    for (j, mut col) in values.columns_mut().into_iter().enumerate() {
        // Column-major: every column is one contiguous slice.
        let slice = col.as_slice_mut().ok_or_else(|| crate::Error::Shape {
            what: "stage".into(),
            expected: "column-major values".into(),
            found: "strided columns".into(),
        })?;
        let src = x.column(j);
        match src.as_slice() {
            Some(s) => kernel.column_from(input, j, s, slice, &mut log)?,
            None => {
                slice.iter_mut().zip(src).for_each(|(o, &v)| *o = v);
                kernel.column(input, j, slice, &mut log)?;
            }
        }
    }
    Ok(StepOutput {
        data: StageData {
            units: input.data.units.clone(),
            values,
        },
        log,
    })
}
