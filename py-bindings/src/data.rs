//! Dataset building, in one place: the arrays Python passes (`values` as one matrix or one
//! array per indicator, unit names, group and numeric columns, panel years) become the
//! engine's [`Dataset`] here, for `score`, the analyses and an unpickled lazy run alike.
//! Float64 arrays in memory order are shared with the dataset, not copied (see
//! [`crate::shared`]); only int64 and strided arrays are copied.

use std::collections::BTreeMap;
use std::sync::Arc;

use ndarray::{Array2, ArrayView1, ShapeBuilder};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use zhili_core::{Dataset, SharedColumn, SharedValues};

use crate::columns::{Column, ColumnView, UnitIds};
use crate::error::PyZResult;

/// The data arguments, as the Python package prepares them for `score` (a dict with
/// these keys for the analyses).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct DataArgs<'py> {
    pub(crate) unit_ids: UnitIds,
    pub(crate) indicator_ids: Vec<String>,
    pub(crate) values: Values<'py>,
    pub(crate) unit_names: Option<Vec<String>>,
    pub(crate) groups: Option<BTreeMap<String, Vec<Option<String>>>>,
    pub(crate) numeric: Option<BTreeMap<String, PyReadonlyArray1<'py, f64>>>,
    pub(crate) time: Option<Vec<i64>>,
}

/// A dataset's parts with its arrays borrowed as views: taken with the GIL held,
/// [`DatasetParts::build`] with it released.
pub(crate) struct DatasetParts<'a> {
    pub(crate) unit_ids: Vec<String>,
    pub(crate) indicator_ids: Vec<String>,
    pub(crate) values: ValuesView<'a>,
    pub(crate) unit_names: Option<Vec<String>>,
    pub(crate) groups: BTreeMap<String, Vec<Option<String>>>,
    pub(crate) numeric: Vec<(String, ArrayView1<'a, f64>)>,
    pub(crate) time: Option<Vec<i64>>,
}

impl<'a> DatasetParts<'a> {
    /// The parts, viewing `values` and `numeric` (GIL held; nothing copied yet).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        unit_ids: Vec<String>,
        indicator_ids: Vec<String>,
        values: &'a Values<'_>,
        unit_names: Option<Vec<String>>,
        groups: Option<BTreeMap<String, Vec<Option<String>>>>,
        numeric: Option<&'a BTreeMap<String, PyReadonlyArray1<'_, f64>>>,
        time: Option<Vec<i64>>,
    ) -> Self {
        DatasetParts {
            unit_ids,
            indicator_ids,
            values: values.view(),
            unit_names,
            groups: groups.unwrap_or_default(),
            numeric: numeric_views(numeric),
            time,
        }
    }
}

/// Views of named numeric columns.
fn numeric_views<'a>(numeric: Option<&'a BTreeMap<String, PyReadonlyArray1<'_, f64>>>) -> Vec<(String, ArrayView1<'a, f64>)> {
    numeric
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_array())).collect())
        .unwrap_or_default()
}

impl DatasetParts<'_> {
    /// The engine's dataset (float64 columns shared, the rest copied); call with the GIL
    /// released.
    ///
    /// # Errors
    /// The dataset's own checks (shapes, duplicate units, panel years, column lengths).
    pub(crate) fn build(self) -> PyZResult<Dataset> {
        let columns = self.values.into_shared();
        let mut ds = match self.time {
            Some(t) => Dataset::panel_from_columns(self.unit_ids, t, self.indicator_ids, columns)?,
            None => Dataset::from_columns(self.unit_ids, self.indicator_ids, columns)?,
        };
        if let Some(n) = self.unit_names {
            ds = ds.with_unit_names(n)?;
        }
        for (k, g) in self.groups {
            ds = ds.with_group(k, g)?;
        }
        for (k, v) in self.numeric {
            ds = ds.with_numeric(k, v.to_vec())?;
        }
        Ok(ds)
    }
}

/// A column-major (the engine's layout) copy.
pub(crate) fn to_col_major(v: ndarray::ArrayView2<'_, f64>) -> Array2<f64> {
    let mut a = Array2::<f64>::zeros(v.dim().f());
    a.assign(&v);
    a
}

/// Indicator values: one units × indicators matrix, or one array per indicator column
/// (what a DataFrame holds: its float columns are shared as they are, int64 ones cast).
#[derive(FromPyObject)]
pub(crate) enum Values<'py> {
    /// A 2-D float64 array.
    Matrix(PyReadonlyArray2<'py, f64>),
    /// 1-D float64 / int64 arrays, one per indicator.
    Columns(Vec<Column<'py>>),
}

/// [`Values`]' arrays, shared or viewed.
pub(crate) enum ValuesView<'a> {
    /// A matrix not in column-major order (copied).
    Matrix(ndarray::ArrayView2<'a, f64>),
    /// Columns (an F-order matrix's columns are slices of its one shared buffer).
    Columns(Vec<ColumnView<'a>>),
}

impl ValuesView<'_> {
    /// The columns as shared storage: shared ones as they are, the rest copied (a
    /// C-ordered matrix by a transposing copy into one column-major buffer).
    pub(crate) fn into_shared(self) -> Vec<SharedColumn> {
        match self {
            ValuesView::Matrix(v) => owned_columns(to_col_major(v)),
            ValuesView::Columns(cs) => cs.into_iter().map(ColumnView::into_shared).collect(),
        }
    }
}

/// The columns of an owned column-major matrix, as slices of its one buffer.
fn owned_columns(a: Array2<f64>) -> Vec<SharedColumn> {
    let (n, m) = a.dim();
    let buf: Arc<dyn SharedValues> = Arc::new(a.into_raw_vec_and_offset().0);
    block_columns(&buf, n, m)
}

/// Columns `0..m` of `n` values each, one after another in `buf`.
fn block_columns(buf: &Arc<dyn SharedValues>, n: usize, m: usize) -> Vec<SharedColumn> {
    (0..m)
        .map(|j| SharedColumn::slice(Arc::clone(buf), j * n, n).unwrap_or_else(|| unreachable!("n × m values")))
        .collect()
}

impl<'py> Values<'py> {
    /// The arrays shared (float64 in memory order) or viewed (to be copied with the GIL
    /// released).
    pub(crate) fn view(&self) -> ValuesView<'_> {
        match self {
            Values::Matrix(a) => match crate::shared::borrow(a) {
                Some(buf) => {
                    let (n, m) = a.as_array().dim();
                    ValuesView::Columns(block_columns(&buf, n, m).into_iter().map(ColumnView::Shared).collect())
                }
                None => ValuesView::Matrix(a.as_array()),
            },
            Values::Columns(cs) => ValuesView::Columns(cs.iter().map(Column::view).collect()),
        }
    }
}
