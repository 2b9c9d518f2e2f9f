//! Apache Parquet → Arrow record batches → the shared layout (see [`super::arrow`]).

use std::path::Path;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use zhili_core::{Error, Result};

use super::layout::{Mode, Output};

use super::DataOptions;

/// Read a Parquet file.
///
/// # Errors
/// As [`super::read_dataset`]; a file that is not Parquet is an [`Error::Parse`].
pub(crate) fn read(path: &Path, file: &str, fw: Mode<'_>, opts: &DataOptions) -> Result<Output> {
    let f = std::fs::File::open(path).map_err(|e| Error::parse(file, None, None, format!("cannot read: {e}")))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)
        .and_then(|b| b.with_batch_size(64 * 1024).build())
        .map_err(|e| Error::parse(file, None, None, format!("not a readable Parquet file: {e}")))?;
    let schema = arrow_array::RecordBatchReader::schema(&reader);
    super::arrow::from_batches(schema, reader, file, fw, opts)
}
