//! The results as Parquet or an Arrow IPC file: the columns of the CSV export (`unit`,
//! `name` when known, `rank`, `grade` when graded, then one Float64 column per score
//! node), best unit first; numbers exactly as computed (no text round trip).

use std::io::Write;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use zhili_core::{Error, Result};

use super::table::band_label;
use super::ResultsExport;

fn out_err(e: impl std::fmt::Display) -> Error {
    Error::spec("output", format!("cannot write: {e}"))
}

impl ResultsExport<'_> {
    /// The CSV export's table as one Arrow record batch: `unit` and `name` / `grade`
    /// (Utf8; a missing grade is null), `rank` and the node scores (Float64, NaN =
    /// missing).
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if Arrow refuses the columns.
    pub fn record_batch(&self) -> Result<RecordBatch> {
        let t = self.table();
        let res = self.results;
        let mut fields = vec![Field::new("unit", DataType::Utf8, false)];
        let mut cols: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values(
            t.order.iter().map(|&i| res.unit_ids()[i].as_str()),
        ))];
        if self.unit_names.is_some() {
            fields.push(Field::new("name", DataType::Utf8, false));
            cols.push(Arc::new(StringArray::from_iter_values(
                t.order.iter().map(|&i| self.name(i).unwrap_or("")),
            )));
        }
        fields.push(Field::new("rank", DataType::Float64, false));
        cols.push(Arc::new(Float64Array::from_iter_values(t.order.iter().map(|&i| t.ranks[i]))));
        if self.grading.is_some() {
            fields.push(Field::new("grade", DataType::Utf8, true));
            cols.push(Arc::new(StringArray::from_iter(
                t.order
                    .iter()
                    .map(|&i| t.band(self.grading, i).map(|(_, b)| band_label(b, self.lang))),
            )));
        }
        let scores = res.scores();
        for &j in &t.columns {
            fields.push(Field::new(res.node_ids()[j].as_str(), DataType::Float64, false));
            cols.push(Arc::new(Float64Array::from_iter_values(t.order.iter().map(|&i| scores[[i, j]]))));
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).map_err(out_err)
    }

    /// The results as a Parquet file (see [`ResultsExport::record_batch`]), Snappy-compressed
    /// without dictionaries (see [`parquet_properties`]).
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if encoding or `w` fails.
    pub fn write_parquet(&self, mut w: impl Write) -> Result<()> {
        let batch = self.record_batch()?;
        let mut buf = Vec::new();
        let mut pw = parquet::arrow::ArrowWriter::try_new(&mut buf, batch.schema(), Some(parquet_properties())).map_err(out_err)?;
        pw.write(&batch).map_err(out_err)?;
        pw.close().map_err(out_err)?;
        w.write_all(&buf).map_err(out_err)
    }

    /// The results as an Arrow IPC file (`.arrow`, Feather v2; uncompressed).
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) if encoding or `w` fails.
    pub fn write_arrow(&self, w: impl Write) -> Result<()> {
        let batch = self.record_batch()?;
        let mut fw = arrow_ipc::writer::FileWriter::try_new(w, &batch.schema()).map_err(out_err)?;
        fw.write(&batch).map_err(out_err)?;
        fw.finish().map_err(out_err)
    }
}

/// How results are written to Parquet: Snappy, the codec pandas / pyarrow / polars write by
/// default and read fastest after none (scores are distinct doubles, which no codec shrinks
/// much: the codec is chosen for speed, not size); no dictionary encoding, as unit ids and
/// scores are nearly all distinct and a dictionary would be built only to be dropped.
pub(crate) fn parquet_properties() -> parquet::file::properties::WriterProperties {
    parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_dictionary_enabled(false)
        .build()
}
