//! Dataset building, in one place: the arrays Python passes (`values` as one matrix or one
//! array per indicator, unit names, group and numeric columns, panel years) become the
//! engine's [`Dataset`] here, for `score`, the analyses and an unpickled lazy run alike.

use std::collections::BTreeMap;

use ndarray::{Array2, ArrayView1, ShapeBuilder};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use zhili_core::{Dataset, Error};

use crate::error::{PyZResult, PyZhiliError};

/// The data arguments, as the Python package prepares them for `score` (a dict with
/// these keys for the analyses).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct DataArgs<'py> {
    pub(crate) unit_ids: Vec<String>,
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
    /// The engine's dataset (one copy of the values); call with the GIL released.
    ///
    /// # Errors
    /// The dataset's own checks (shapes, duplicate units, panel years, column lengths).
    pub(crate) fn build(self) -> PyZResult<Dataset> {
        let values = self.values.to_owned()?;
        let mut ds = match self.time {
            Some(t) => Dataset::panel(self.unit_ids, t, self.indicator_ids, values)?,
            None => Dataset::new(self.unit_ids, self.indicator_ids, values)?,
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
/// (what a pandas DataFrame holds: its float columns are read in place).
#[derive(FromPyObject)]
pub(crate) enum Values<'py> {
    /// A 2-D float64 array.
    Matrix(PyReadonlyArray2<'py, f64>),
    /// 1-D float64 arrays, one per indicator.
    Columns(Vec<PyReadonlyArray1<'py, f64>>),
}

/// Views of [`Values`]' arrays.
pub(crate) enum ValuesView<'a> {
    Matrix(ndarray::ArrayView2<'a, f64>),
    Columns(Vec<ndarray::ArrayView1<'a, f64>>),
}

impl ValuesView<'_> {
    /// One owned column-major copy (the engine's layout): a straight copy per column for
    /// columns and Fortran-ordered matrices, a transposing copy for C-ordered ones.
    pub(crate) fn to_owned(&self) -> Result<Array2<f64>, PyZhiliError> {
        match self {
            ValuesView::Matrix(v) => Ok(to_col_major(v.view())),
            ValuesView::Columns(cs) => {
                let n = cs.first().map_or(0, |c| c.len());
                if let Some((j, c)) = cs.iter().enumerate().find(|(_, c)| c.len() != n) {
                    return Err(PyZhiliError(Error::Shape {
                        what: format!("indicator column #{}", j + 1),
                        expected: format!("{n} values"),
                        found: c.len().to_string(),
                    }));
                }
                let mut a = Array2::<f64>::zeros((n, cs.len()).f());
                for (j, c) in cs.iter().enumerate() {
                    a.column_mut(j).assign(c);
                }
                Ok(a)
            }
        }
    }
}

impl<'py> Values<'py> {
    /// Views of the arrays (to be copied once with the GIL released).
    pub(crate) fn view(&self) -> ValuesView<'_> {
        match self {
            Values::Matrix(a) => ValuesView::Matrix(a.as_array()),
            Values::Columns(cs) => ValuesView::Columns(cs.iter().map(|c| c.as_array()).collect()),
        }
    }
}
