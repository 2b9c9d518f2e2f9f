//! Apache Parquet → the shared layout, column-wise (see [`super::arrow::from_columns`]): the
//! columns are split among the threads, each decoding its own columns of every row group
//! into one buffer per column, which the dataset keeps.

use std::path::Path;

use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use zhili_core::{Error, Result};

use super::arrow::Batches;
use super::layout::{Mode, Output};
use super::DataOptions;

/// Rows per decoded batch: large enough to amortise the per-batch work, small enough
/// that a thread's batch of its columns stays in the cache.
const BATCH: usize = 64 * 1024;

/// Read a Parquet file.
///
/// # Errors
/// As [`super::read_dataset`]; a file that is not Parquet is an [`Error::Parse`].
pub(crate) fn read(path: &Path, file: &str, mode: Mode<'_>, opts: &DataOptions) -> Result<Output> {
    let open_file = || std::fs::File::open(path).map_err(|e| Error::parse(file, None, None, format!("cannot read: {e}")));
    let not_parquet = |e: parquet::errors::ParquetError| Error::parse(file, None, None, format!("not a readable Parquet file: {e}"));
    let meta = ArrowReaderMetadata::load(&open_file()?, ArrowReaderOptions::default()).map_err(not_parquet)?;
    let n = usize::try_from(meta.metadata().file_metadata().num_rows())
        .map_err(|_| Error::parse(file, None, None, "a negative row count in the file's metadata"))?;
    let schema = meta.schema().clone();
    let fields = schema.fields().len();
    // Only top-level columns of a flat schema can be projected one by one; anything nested
    // is read on one thread.
    let flat = meta.parquet_schema().num_columns() == fields;
    let threads = if flat {
        rayon::current_num_threads().clamp(1, fields.max(1))
    } else {
        1
    };
    let groups: Vec<Vec<usize>> = (0..threads).map(|t| (t..fields).step_by(threads).collect()).collect();
    let open = |cols: &[usize]| -> Result<Batches> {
        let mask = ProjectionMask::roots(meta.parquet_schema(), cols.iter().copied());
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(open_file()?, meta.clone())
            .with_projection(mask)
            .with_batch_size(BATCH)
            .build()
            .map_err(not_parquet)?;
        Ok(Box::new(reader))
    };
    super::arrow::from_columns(&schema, n, &groups, &open, file, mode, opts)
}
