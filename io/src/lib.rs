//! Files at the edge: decoding (UTF-8 with or without BOM, GBK / GB18030, UTF-16, or a
//! given encoding), datasets from CSV, Excel, Parquet and Arrow, framework / pipeline /
//! weight documents, and result writers (CSV, JSON, xlsx, the self-contained HTML report in
//! [`report`]).
//!
//! The engine (`zhili-core`) never touches files; everything here turns bytes into
//! engine values and back, with errors that name the file, line and column.

pub mod assets;
mod documents;
pub mod lang;
mod read;
pub mod report;
mod text;
pub mod write;

pub use documents::{apply_weights, load_framework, load_pipeline, load_weights, read_coinr_imeta, FrameworkSource};
pub use lang::Lang;
pub use read::{
    read_dataset, read_dataset_str, read_excel_framework, read_table, read_table_str, read_table_text, sheet_names, Column, DataFormat,
    DataOptions, Table,
};
pub use text::{decode, decode_with, encoding_for_label, read_text, TextEncoding, MIN_EVIDENCE};
pub use write::{write_file, Columns, CsvOptions, CsvTable, OutputFiles, ResultsExport};
