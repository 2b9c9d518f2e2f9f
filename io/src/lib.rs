//! Files at the edge: decoding (UTF-8 with or without BOM, GBK / GB18030, UTF-16 with BOM),
//! CSV datasets, framework / pipeline / weight documents, and result writers.
//!
//! The engine (`zhili-core`) never touches files; everything here turns bytes into
//! engine values and back, with errors that name the file, line and column.

pub mod assets;
mod dataset;
mod documents;
pub mod lang;
mod text;
pub mod write;

pub use dataset::{read_dataset, read_dataset_str, DataOptions};
pub use documents::{load_framework, load_pipeline, load_weights, read_coinr_imeta, FrameworkSource};
pub use lang::Lang;
pub use text::{decode, read_text, TextEncoding};
pub use write::{write_file, Columns, CsvOptions, CsvTable, OutputFiles, ResultsExport};
