//! The indicator values of a [`Dataset`](super::Dataset): shared, immutable column storage.
//!
//! Each indicator column is a slice of a reference-counted buffer ([`SharedValues`]). A
//! buffer is either owned (a column-major `Array2` handed to `Dataset::new`, one buffer for
//! all columns) or memory someone else owns and keeps alive through the buffer (a numpy
//! array, an Arrow buffer: the Python bindings read a DataFrame without copying it).
//! Cloning a dataset or taking its columns never copies values.
//!
//! `column(j)` is always a free `&[f64]`. The whole matrix as an `ArrayView2` is free when
//! the columns lie one after another in one buffer (an owned matrix, a numpy F-order array,
//! a pandas float block); otherwise it is materialised once, on first use, and kept.

use std::fmt;
use std::sync::{Arc, OnceLock};

use ndarray::{Array2, ArrayView2, ShapeBuilder};

/// Memory holding `f64` values that datasets share: it stays alive (and, by contract,
/// unchanged) as long as any dataset uses it.
///
/// Implemented for `Vec<f64>`; the Python bindings implement it for a numpy array kept
/// alive by a reference to the Python object.
pub trait SharedValues: Send + Sync {
    /// The values. Must return the same, unchanged slice on every call.
    fn as_slice(&self) -> &[f64];
}

impl SharedValues for Vec<f64> {
    fn as_slice(&self) -> &[f64] {
        self
    }
}

/// One indicator column: `len` values of a shared buffer, from `offset` on.
#[derive(Clone)]
pub struct SharedColumn {
    buf: Arc<dyn SharedValues>,
    offset: usize,
    len: usize,
}

impl SharedColumn {
    /// The whole buffer as one column.
    pub fn new(buf: Arc<dyn SharedValues>) -> Self {
        let len = buf.as_slice().len();
        SharedColumn { buf, offset: 0, len }
    }

    /// `len` values of `buf` from `offset` on, or `None` if that runs past its end.
    pub fn slice(buf: Arc<dyn SharedValues>, offset: usize, len: usize) -> Option<Self> {
        (offset.checked_add(len)? <= buf.as_slice().len()).then_some(SharedColumn { buf, offset, len })
    }

    /// The column's values.
    pub fn as_slice(&self) -> &[f64] {
        &self.buf.as_slice()[self.offset..self.offset + self.len]
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The columns of a dataset (all of one length).
#[derive(Clone)]
pub(crate) struct Columns {
    rows: usize,
    cols: Vec<SharedColumn>,
    /// Start of column 0 when every column follows the previous one in column 0's buffer.
    block: Option<usize>,
    /// The matrix, materialised on first use when the columns are not one block.
    matrix: Arc<OnceLock<Array2<f64>>>,
}

impl Columns {
    /// Columns of `rows` values each (the caller checked the lengths).
    pub(crate) fn new(rows: usize, cols: Vec<SharedColumn>) -> Self {
        let block = match cols.first() {
            None => Some(0),
            Some(c0) => {
                let same_buf = |c: &SharedColumn| std::ptr::addr_eq(Arc::as_ptr(&c.buf), Arc::as_ptr(&c0.buf));
                let in_order = cols
                    .iter()
                    .enumerate()
                    .all(|(j, c)| same_buf(c) && c.offset == c0.offset + j * rows);
                in_order.then_some(c0.offset)
            }
        };
        Columns {
            rows,
            cols,
            block,
            matrix: Arc::new(OnceLock::new()),
        }
    }

    /// An owned matrix, stored column-major (one copy when it is not already).
    pub(crate) fn from_array(values: Array2<f64>) -> Self {
        let (rows, ncols) = values.dim();
        let (data, start) = if values.t().is_standard_layout() {
            let (v, offset) = values.into_raw_vec_and_offset();
            (v, offset.unwrap_or(0))
        } else {
            let mut a = Array2::<f64>::zeros(values.dim().f());
            a.assign(&values);
            (a.into_raw_vec_and_offset().0, 0)
        };
        let buf: Arc<dyn SharedValues> = Arc::new(data);
        let cols = (0..ncols)
            .map(|j| SharedColumn {
                buf: Arc::clone(&buf),
                offset: start + j * rows,
                len: rows,
            })
            .collect();
        Columns::new(rows, cols)
    }

    pub(crate) fn nrows(&self) -> usize {
        self.rows
    }

    pub(crate) fn ncols(&self) -> usize {
        self.cols.len()
    }

    /// Column `j`.
    ///
    /// # Panics
    /// If `j` is out of range.
    pub(crate) fn column(&self, j: usize) -> &[f64] {
        self.cols[j].as_slice()
    }

    pub(crate) fn shared(&self, j: usize) -> &SharedColumn {
        &self.cols[j]
    }

    /// The matrix (column-major): free for one block, else materialised once.
    pub(crate) fn view(&self) -> ArrayView2<'_, f64> {
        let shape = (self.rows, self.cols.len()).f();
        if let (Some(start), Some(c0)) = (self.block, self.cols.first()) {
            let data = &c0.buf.as_slice()[start..start + self.rows * self.cols.len()];
            return ArrayView2::from_shape(shape, data).unwrap_or_else(|_| unreachable!("a block has rows × cols values"));
        }
        if self.cols.is_empty() {
            return ArrayView2::from_shape(shape, &[]).unwrap_or_else(|_| unreachable!("no columns"));
        }
        self.matrix
            .get_or_init(|| {
                let mut a = Array2::<f64>::zeros(shape);
                for (j, c) in self.cols.iter().enumerate() {
                    a.column_mut(j)
                        .as_slice_mut()
                        .unwrap_or_else(|| unreachable!("F order"))
                        .copy_from_slice(c.as_slice());
                }
                a
            })
            .view()
    }
}

impl PartialEq for Columns {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
            && self.cols.len() == other.cols.len()
            && self.cols.iter().zip(&other.cols).all(|(a, b)| a.as_slice() == b.as_slice())
    }
}

impl fmt::Debug for Columns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.view(), f)
    }
}

impl From<Array2<f64>> for Columns {
    fn from(values: Array2<f64>) -> Self {
        Columns::from_array(values)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use ndarray::{array, s, Array2, ShapeBuilder};

    use super::{SharedColumn, SharedValues};
    use crate::{Dataset, Error};

    fn ids(p: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{p}{i}")).collect()
    }

    fn buf(v: Vec<f64>) -> Arc<dyn SharedValues> {
        Arc::new(v)
    }

    #[test]
    fn separate_buffers_are_read_in_place_and_equal_the_owned_matrix() {
        let a = buf(vec![1.0, f64::NAN, 3.0]);
        let b = buf(vec![4.0, 5.0, 6.0]);
        let ds = Dataset::from_columns(
            ids("u", 3),
            ids("i", 2),
            vec![SharedColumn::new(Arc::clone(&a)), SharedColumn::new(Arc::clone(&b))],
        )
        .expect("dataset");
        // no copy: the dataset's columns are the buffers themselves
        assert!(std::ptr::eq(ds.column(0).as_ptr(), a.as_slice().as_ptr()));
        assert!(std::ptr::eq(ds.column(1).as_ptr(), b.as_slice().as_ptr()));
        assert!(std::ptr::eq(ds.clone().column(1).as_ptr(), b.as_slice().as_ptr()));
        let owned = Dataset::new(ids("u", 3), ids("i", 2), array![[1.0, 4.0], [f64::NAN, 5.0], [3.0, 6.0]]).expect("owned");
        let bits = |d: &Dataset| d.values().t().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&ds), bits(&owned));
        assert_eq!(ds.values().dim(), (3, 2));
        assert_eq!(ds.missing_in(0), 1);
        assert_eq!(ds.select_rows(&[2, 0]).column(1), &[6.0, 4.0]);
        assert!(ds.values_unchanged());
    }

    #[test]
    fn one_block_is_a_free_matrix_view() {
        let block = buf(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let cols = (0..3)
            .map(|j| SharedColumn::slice(Arc::clone(&block), 2 * j, 2).expect("in range"))
            .collect();
        let ds = Dataset::from_columns(ids("u", 2), ids("i", 3), cols).expect("dataset");
        assert!(std::ptr::eq(ds.values().as_ptr(), block.as_slice().as_ptr()));
        assert_eq!(ds.values(), array![[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]);
        assert!(SharedColumn::slice(block, 5, 2).is_none());
    }

    #[test]
    fn owned_matrices_in_any_layout_store_the_same_columns() {
        let c = Array2::from_shape_fn((4, 3), |(i, j)| (i * 10 + j) as f64);
        let mut f = Array2::zeros((4, 5).f());
        f.slice_mut(s![.., 1..4]).assign(&c);
        f.slice_collapse(s![.., 1..4]); // F order with an offset into its buffer
        let from_c = Dataset::new(ids("u", 4), ids("i", 3), c.clone()).expect("C");
        let from_f = Dataset::new(ids("u", 4), ids("i", 3), f).expect("F");
        assert_eq!(from_c, from_f);
        assert_eq!(from_f.values(), c);
        assert_eq!(from_f.column(2), &[2.0, 12.0, 22.0, 32.0]);
    }

    #[test]
    fn bad_columns_are_named() {
        let short = SharedColumn::new(buf(vec![1.0]));
        let ok = SharedColumn::new(buf(vec![1.0, 2.0]));
        let e = Dataset::from_columns(ids("u", 2), ids("i", 2), vec![ok.clone(), short]).expect_err("short");
        assert!(matches!(&e, Error::Shape { what, .. } if what.contains("`i1`")), "{e}");
        let inf = SharedColumn::new(buf(vec![1.0, f64::INFINITY]));
        let e = Dataset::from_columns(ids("u", 2), ids("i", 2), vec![ok, inf]).expect_err("inf");
        assert!(
            matches!(&e, Error::Method { unit: Some(u), node: Some(n), .. } if u == "u1" && n == "i1"),
            "{e}"
        );
    }

    /// A buffer its owner rewrites (what a pandas frame written in place looks like).
    struct Rewritten {
        before: Vec<f64>,
        after: Vec<f64>,
        written: AtomicBool,
    }

    impl SharedValues for Rewritten {
        fn as_slice(&self) -> &[f64] {
            if self.written.load(Ordering::Relaxed) {
                &self.after
            } else {
                &self.before
            }
        }
    }

    #[test]
    fn values_written_by_their_owner_are_noticed() {
        for after in [vec![1.0, 2.0, 3.5], vec![2.0, 1.0, 3.0], vec![1.0, 2.0, f64::NAN]] {
            let owner = Arc::new(Rewritten {
                before: vec![1.0, 2.0, 3.0],
                after,
                written: AtomicBool::new(false),
            });
            let col = SharedColumn::new(Arc::clone(&owner) as Arc<dyn SharedValues>);
            let ds = Dataset::from_columns(ids("u", 3), ids("i", 1), vec![col]).expect("dataset");
            assert!(ds.values_unchanged());
            owner.written.store(true, Ordering::Relaxed);
            assert!(!ds.values_unchanged());
        }
    }

    #[test]
    fn a_swap_of_rows_a_multiple_of_64_apart_is_noticed() {
        let before: Vec<f64> = (0..300).map(f64::from).collect();
        for (r, d) in [(3, 64), (0, 128), (5, 256)] {
            let mut after = before.clone();
            after.swap(r, r + d);
            let owner = Arc::new(Rewritten {
                before: before.clone(),
                after,
                written: AtomicBool::new(false),
            });
            let col = SharedColumn::new(Arc::clone(&owner) as Arc<dyn SharedValues>);
            let ds = Dataset::from_columns(ids("u", 300), ids("i", 1), vec![col]).expect("dataset");
            owner.written.store(true, Ordering::Relaxed);
            assert!(!ds.values_unchanged(), "rows {r} and {}", r + d);
        }
    }
}
