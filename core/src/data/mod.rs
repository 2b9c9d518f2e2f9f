//! Data for a set of units: an indicator matrix plus the columns around it.
//!
//! Missing values are `NaN` everywhere in zhili. Readers for files (CSV in UTF-8 or
//! GBK / GB18030) live at the edge, in the `zhili` facade; this module only holds
//! and checks values.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use ndarray::{Array2, ArrayView1, ArrayView2, ShapeBuilder};

use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::log::SharedStr;

mod scan;
mod storage;

use scan::Scan;
use storage::Columns;
pub use storage::{SharedColumn, SharedValues};

/// Units × indicators, with unit ids, group columns (text) and other numeric columns
/// (denominators such as population, area, GDP).
///
/// The indicator values are shared, immutable column storage: cloning a dataset copies no
/// values, and [`Dataset::from_columns`] borrows memory someone else keeps alive (a numpy
/// array, an Arrow buffer) instead of copying it.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    unit_ids: Arc<[String]>,
    unit_names: Option<Vec<String>>,
    indicator_ids: Vec<String>,
    values: Columns,
    /// Missing (NaN) cells per column of `values`.
    missing: Vec<usize>,
    /// Checksum of the values when the dataset was built (see [`Dataset::values_unchanged`]).
    checksum: u64,
    groups: BTreeMap<String, Vec<Option<String>>>,
    numeric: BTreeMap<String, Vec<f64>>,
    time: Option<Vec<i64>>,
}

impl Dataset {
    /// A dataset from unit ids, indicator ids and a units × indicators matrix (NaN = missing).
    ///
    /// # Errors
    /// [`Error::Shape`] if the matrix does not match the ids; [`Error::Spec`] for a
    /// duplicate or empty unit or indicator id.
    pub fn new(unit_ids: Vec<String>, indicator_ids: Vec<String>, values: Array2<f64>) -> Result<Self> {
        let ds = Self::unchecked_keys(unit_ids, indicator_ids, values)?;
        ds.check_unit_keys()?;
        Ok(ds)
    }

    /// Panel data: a unit may appear once per time period.
    ///
    /// # Errors
    /// As [`Dataset::new`]; a repeated (unit, time) pair is an [`Error::Spec`].
    pub fn panel(unit_ids: Vec<String>, time: Vec<i64>, indicator_ids: Vec<String>, values: Array2<f64>) -> Result<Self> {
        let mut ds = Self::unchecked_keys(unit_ids, indicator_ids, values)?;
        ds.check_len("time column", time.len())?;
        ds.time = Some(time);
        ds.check_unit_keys()?;
        Ok(ds)
    }

    /// A dataset whose indicator columns are shared buffers (no value is copied): the
    /// Python bindings hand numpy / Arrow memory over this way.
    ///
    /// # Errors
    /// As [`Dataset::new`]: [`Error::Shape`] if a column's length is not the number of
    /// units or the number of columns is not the number of indicator ids.
    pub fn from_columns(unit_ids: Vec<String>, indicator_ids: Vec<String>, columns: Vec<SharedColumn>) -> Result<Self> {
        let columns = shared_columns(unit_ids.len(), &indicator_ids, columns)?;
        let ds = Self::unchecked_keys(unit_ids, indicator_ids, columns)?;
        ds.check_unit_keys()?;
        Ok(ds)
    }

    /// Panel data over shared columns: [`Dataset::from_columns`] plus a time column.
    ///
    /// # Errors
    /// As [`Dataset::from_columns`]; a repeated (unit, time) pair is an [`Error::Spec`].
    pub fn panel_from_columns(
        unit_ids: Vec<String>,
        time: Vec<i64>,
        indicator_ids: Vec<String>,
        columns: Vec<SharedColumn>,
    ) -> Result<Self> {
        let columns = shared_columns(unit_ids.len(), &indicator_ids, columns)?;
        let mut ds = Self::unchecked_keys(unit_ids, indicator_ids, columns)?;
        ds.check_len("time column", time.len())?;
        ds.time = Some(time);
        ds.check_unit_keys()?;
        Ok(ds)
    }

    fn unchecked_keys(unit_ids: Vec<String>, indicator_ids: Vec<String>, values: impl Into<Columns>) -> Result<Self> {
        let values: Columns = values.into();
        if (values.nrows(), values.ncols()) != (unit_ids.len(), indicator_ids.len()) {
            return Err(Error::Shape {
                what: "dataset values".into(),
                expected: format!("{} units × {} indicators", unit_ids.len(), indicator_ids.len()),
                found: format!("{} × {}", values.nrows(), values.ncols()),
            });
        }
        check_unique("indicator", &indicator_ids)?;
        // One branch-free pass per column: any infinity, and the missing cells (kept);
        // locate an infinity only on failure.
        let Scan {
            any_inf,
            missing,
            checksum,
        } = scan::columns(&values);
        if any_inf {
            let (r, c) = (0..values.ncols())
                .find_map(|j| values.column(j).iter().position(|v| v.is_infinite()).map(|i| (i, j)))
                .unwrap_or((0, 0));
            return Err(Error::Method {
                method: "dataset".into(),
                message: "infinite value (use NaN for missing)".into(),
                unit: Some(unit_ids[r].clone()),
                node: Some(indicator_ids[c].clone()),
            });
        }
        let ds = Dataset {
            unit_ids: unit_ids.into(),
            unit_names: None,
            indicator_ids,
            values,
            missing,
            checksum,
            groups: BTreeMap::new(),
            numeric: BTreeMap::new(),
            time: None,
        };
        Ok(ds)
    }

    fn check_unit_keys(&self) -> Result<()> {
        if let Some(t) = &self.time {
            let mut seen = HashSet::new();
            for (u, y) in self.unit_ids.iter().zip(t) {
                if u.trim().is_empty() {
                    return Err(Error::spec("dataset", "empty unit id"));
                }
                if !seen.insert((u.as_str(), *y)) {
                    return Err(Error::spec("dataset", format!("duplicate unit `{u}` for time {y}")));
                }
            }
            Ok(())
        } else {
            check_unique("unit", &self.unit_ids)
        }
    }

    /// Attach display names of the units.
    ///
    /// # Errors
    /// [`Error::Shape`] if the length differs from the number of units.
    pub fn with_unit_names(mut self, names: Vec<String>) -> Result<Self> {
        self.check_len("unit names", names.len())?;
        self.unit_names = Some(names);
        Ok(self)
    }

    /// Attach a group (text) column, e.g. `EurAsia_group`; `None` = missing.
    ///
    /// # Errors
    /// [`Error::Shape`] if the length differs from the number of units.
    pub fn with_group(mut self, name: impl Into<String>, labels: Vec<Option<String>>) -> Result<Self> {
        let name = name.into();
        self.check_len(&format!("group column `{name}`"), labels.len())?;
        self.groups.insert(name, labels);
        Ok(self)
    }

    /// Attach a numeric column (a denominator such as population, or any covariate).
    ///
    /// # Errors
    /// [`Error::Shape`] if the length differs from the number of units.
    pub fn with_numeric(mut self, name: impl Into<String>, values: Vec<f64>) -> Result<Self> {
        let name = name.into();
        self.check_len(&format!("numeric column `{name}`"), values.len())?;
        self.numeric.insert(name, values);
        Ok(self)
    }

    /// Attach a time column (panel data: a unit may then appear once per time).
    ///
    /// # Errors
    /// [`Error::Shape`] for a wrong length; [`Error::Spec`] for a repeated (unit, time).
    pub fn with_time(mut self, time: Vec<i64>) -> Result<Self> {
        self.check_len("time column", time.len())?;
        self.time = Some(time);
        self.check_unit_keys()?;
        Ok(self)
    }

    fn check_len(&self, what: &str, len: usize) -> Result<()> {
        if len != self.unit_ids.len() {
            return Err(Error::Shape {
                what: what.into(),
                expected: format!("{} units", self.unit_ids.len()),
                found: len.to_string(),
            });
        }
        Ok(())
    }

    /// Number of units (rows).
    pub fn n_units(&self) -> usize {
        self.unit_ids.len()
    }
    /// Unit ids.
    pub fn unit_ids(&self) -> &[String] {
        &self.unit_ids
    }

    /// Unit ids as a shared slice (cloning it is O(1); results of whole-dataset runs share it).
    pub fn unit_ids_shared(&self) -> Arc<[String]> {
        Arc::clone(&self.unit_ids)
    }
    /// The unit id of row `row` as a [`SharedStr`]: a reference to this dataset's ids
    /// (one reference-count increment, no copy), as log entries about a unit hold it.
    ///
    /// # Panics
    /// If `row` is out of range.
    pub fn unit_id_shared(&self, row: usize) -> SharedStr {
        SharedStr::row(&self.unit_ids, row)
    }
    /// Unit names, if attached.
    pub fn unit_names(&self) -> Option<&[String]> {
        self.unit_names.as_deref()
    }
    /// Indicator ids (columns of [`Dataset::values`]).
    pub fn indicator_ids(&self) -> &[String] {
        &self.indicator_ids
    }
    /// Missing (NaN) cells in column `j` of [`Dataset::values`] (counted once, when the
    /// dataset is built): an upper bound for the per-cell log of an `impute` step.
    pub(crate) fn missing_in(&self, j: usize) -> usize {
        self.missing.get(j).copied().unwrap_or(0)
    }
    /// The units × indicators matrix (column-major). Free when the columns are one block
    /// (an owned matrix, a numpy F-order array, a pandas float block); otherwise built once
    /// on first use and kept. Code that walks columns should prefer [`Dataset::column`].
    pub fn values(&self) -> ArrayView2<'_, f64> {
        self.values.view()
    }

    /// Whether the indicator values are still those the dataset was built from (by a
    /// checksum taken then; one pass over the values). Always true for values the dataset
    /// owns; borrowed ones (a numpy array, a pandas frame) could have been written in place
    /// by their owner since, which a caller that reads them again later (lazily computed
    /// stages) must refuse rather than compute from changed data.
    pub fn values_unchanged(&self) -> bool {
        scan::columns(&self.values).checksum == self.checksum
    }

    /// Indicator column `j` (the order of [`Dataset::indicator_ids`]): a free slice.
    ///
    /// # Panics
    /// If `j` is out of range.
    pub fn column(&self, j: usize) -> &[f64] {
        self.values.column(j)
    }

    /// Indicator column `j` as shared storage (cloning it copies no values).
    ///
    /// # Panics
    /// If `j` is out of range.
    pub fn shared_column(&self, j: usize) -> SharedColumn {
        self.values.shared(j).clone()
    }
    /// Group columns.
    pub fn groups(&self) -> &BTreeMap<String, Vec<Option<String>>> {
        &self.groups
    }
    /// Numeric columns (denominators, covariates).
    pub fn numeric(&self) -> &BTreeMap<String, Vec<f64>> {
        &self.numeric
    }
    /// Time column, if any.
    pub fn time(&self) -> Option<&[i64]> {
        self.time.as_deref()
    }

    /// One indicator column by id.
    pub fn indicator(&self, id: &str) -> Option<ArrayView1<'_, f64>> {
        self.indicator_ids
            .iter()
            .position(|c| c == id)
            .map(|j| ArrayView1::from(self.values.column(j)))
    }

    /// A numeric column by name: a numeric column or, failing that, an indicator column.
    pub fn numeric_column(&self, name: &str) -> Option<Vec<f64>> {
        self.numeric.get(name).cloned().or_else(|| self.indicator(name).map(|c| c.to_vec()))
    }

    /// The distinct time periods, ascending (empty without a time column).
    pub fn times(&self) -> Vec<i64> {
        let mut t = self.time.clone().unwrap_or_default();
        t.sort_unstable();
        t.dedup();
        t
    }

    /// The rows of one time period (all rows if there is no time column).
    ///
    /// # Errors
    /// [`Error::Unknown`] if no row has that time, listing the periods there are.
    pub fn at_time(&self, t: i64) -> Result<Dataset> {
        let Some(time) = &self.time else { return Ok(self.clone()) };
        let rows: Vec<usize> = (0..self.n_units()).filter(|&i| time[i] == t).collect();
        if rows.is_empty() {
            return Err(Error::Unknown {
                what: "time",
                id: t.to_string(),
                context: format!(
                    "the data has {}",
                    self.times().iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        Ok(self.select_rows(&rows))
    }

    /// Panel data, one rule everywhere (CLI `--year`, Python `year=`, Rust): the given period,
    /// else the latest. Data without a time column is returned whole.
    ///
    /// # Errors
    /// [`Error::Unknown`] (listing the periods there are) for a period no row has;
    /// [`Error::Spec`] for a period asked of data without a time column.
    pub fn select_year(&self, year: Option<i64>) -> Result<Dataset> {
        match (self.time.is_some(), year) {
            (false, None) => Ok(self.clone()),
            (false, Some(y)) => Err(Error::spec(
                "arguments",
                format!("year {y} asked but the data has no time column (year / Time)"),
            )),
            (true, y) => match y.or_else(|| self.times().last().copied()) {
                Some(y) => self.at_time(y),
                None => Ok(self.clone()),
            },
        }
    }

    /// A dataset with only the given rows (in the given order).
    pub fn select_rows(&self, rows: &[usize]) -> Dataset {
        let mut picked = Array2::<f64>::zeros((rows.len(), self.values.ncols()).f());
        for (j, mut out) in picked.columns_mut().into_iter().enumerate() {
            let col = self.values.column(j);
            out.iter_mut().zip(rows).for_each(|(o, &r)| *o = col[r]);
        }
        let values = Columns::from(picked);
        let Scan { missing, checksum, .. } = scan::columns(&values);
        let pick_s = |v: &Vec<String>| rows.iter().map(|&r| v[r].clone()).collect::<Vec<_>>();
        Dataset {
            unit_ids: rows.iter().map(|&r| self.unit_ids[r].clone()).collect(),
            unit_names: self.unit_names.as_ref().map(pick_s),
            indicator_ids: self.indicator_ids.clone(),
            values,
            missing,
            checksum,
            groups: self
                .groups
                .iter()
                .map(|(k, v)| (k.clone(), rows.iter().map(|&r| v[r].clone()).collect()))
                .collect(),
            numeric: self
                .numeric
                .iter()
                .map(|(k, v)| (k.clone(), rows.iter().map(|&r| v[r]).collect()))
                .collect(),
            time: self.time.as_ref().map(|t| rows.iter().map(|&r| t[r]).collect()),
        }
    }

    /// The indicator matrix in the framework's indicator order, column-major.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] naming the first framework indicator the data lacks;
    /// [`Error::Empty`] if there are no units.
    pub fn aligned_values(&self, fw: &Framework) -> Result<Array2<f64>> {
        if self.n_units() == 0 {
            return Err(Error::Empty("the dataset has no units".into()));
        }
        let cols = self.columns_of(fw)?;
        // Column-major, built column by column: the layout every pipeline kernel walks.
        let mut out = crate::kernels::alloc::zeros_f(self.n_units(), cols.len())?;
        for (k, &j) in cols.iter().enumerate() {
            out.column_mut(k).assign(&ArrayView1::from(self.values.column(j)));
        }
        Ok(out)
    }
}

impl Dataset {
    /// The column of each framework indicator, in framework order. Linear: the same
    /// order (what the readers produce) is checked first, any other order is looked up
    /// in a hash map, so 100,000 indicators cost no more than 100,000 comparisons.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] naming the first framework indicator the data lacks.
    pub fn columns_of(&self, fw: &Framework) -> Result<Vec<usize>> {
        let ids = fw.indicator_ids();
        let missing = |id: &str| Error::MissingColumn {
            column: id.to_owned(),
            needed_by: format!("indicator `{id}` of the framework"),
        };
        let mut cols = Vec::with_capacity(ids.len());
        let mut index: Option<std::collections::HashMap<&str, usize>> = None;
        for (k, id) in ids.iter().enumerate() {
            if self.indicator_ids.get(k).is_some_and(|c| c == id) {
                cols.push(k);
                continue;
            }
            let map = index.get_or_insert_with(|| {
                let mut m = std::collections::HashMap::with_capacity(self.indicator_ids.len());
                for (j, c) in self.indicator_ids.iter().enumerate() {
                    m.entry(c.as_str()).or_insert(j);
                }
                m
            });
            cols.push(*map.get(id).ok_or_else(|| missing(id))?);
        }
        Ok(cols)
    }
}

/// Shared columns of `n` values each, one per indicator id.
fn shared_columns(n: usize, indicator_ids: &[String], columns: Vec<SharedColumn>) -> Result<Columns> {
    if let Some((j, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != n) {
        return Err(Error::Shape {
            what: format!("indicator column `{}`", indicator_ids.get(j).map_or("?", String::as_str)),
            expected: format!("{n} values (one per unit)"),
            found: c.len().to_string(),
        });
    }
    Ok(Columns::new(n, columns))
}

fn check_unique(what: &str, ids: &[String]) -> Result<()> {
    // a fast hasher (seeded per process), as the readers' duplicate-id check uses
    let mut seen: HashSet<&str, foldhash::fast::RandomState> = HashSet::with_capacity_and_hasher(ids.len(), Default::default());
    for id in ids {
        if id.trim().is_empty() {
            return Err(Error::spec("dataset", format!("empty {what} id")));
        }
        if !seen.insert(id.as_str()) {
            return Err(Error::spec("dataset", format!("duplicate {what} id `{id}`")));
        }
    }
    Ok(())
}
