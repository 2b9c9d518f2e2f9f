//! Framework, pipeline and weight documents: by bundled name or by file (TOML, JSON, CSV).

use std::path::{Path, PathBuf};

use zhili_core::framework::{FrameworkSpec, IMetaRow};
use zhili_core::{Error, Framework, Pipeline, Result, WeightSet};
use zhili_indicators::Bundled;

/// Where a framework came from.
#[derive(Debug, Clone)]
pub enum FrameworkSource {
    /// A framework bundled with zhili (carries its sample data and pipeline).
    Bundled(&'static Bundled),
    /// A file.
    File(PathBuf),
}

fn ext(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

/// Load a framework: a bundled name (see `zhili frameworks`) or a file —
/// `.toml`, `.json`, `.csv` (a COINr iMeta table), or a workbook sheet laid out like
/// an iMeta table (`.xlsx` / `.xls` / `.ods`; `book.xlsx#Sheet` picks the sheet, see
/// [`crate::read_excel_framework`]).
///
/// # Errors
/// [`Error::Parse`] naming file and line; [`Error::Framework`] with every validation problem.
pub fn load_framework(arg: &str) -> Result<(Framework, FrameworkSource)> {
    if let Some(b) = zhili_indicators::get(arg) {
        let spec = FrameworkSpec::from_toml_str(b.framework, &format!("bundled framework `{}`", b.name))?;
        return Ok((Framework::from_spec(spec)?, FrameworkSource::Bundled(b)));
    }
    // `book.xlsx#Sheet` picks the sheet of a workbook framework.
    let (path, sheet) = match arg.rsplit_once('#') {
        Some((p, s)) if crate::DataFormat::of(Path::new(p)) == crate::DataFormat::Excel => (PathBuf::from(p), Some(s)),
        _ => (PathBuf::from(arg), None),
    };
    if !path.exists() {
        let names: Vec<&str> = zhili_indicators::CATALOGUE.iter().map(|b| b.name).collect();
        return Err(Error::Unknown {
            what: "framework",
            id: arg.to_owned(),
            context: format!("neither a file nor a bundled framework ({})", names.join(", ")),
        });
    }
    let file = path.display().to_string();
    if crate::DataFormat::of(&path) == crate::DataFormat::Excel {
        let spec = crate::read_excel_framework(&path, sheet)?;
        return Ok((Framework::from_spec(spec)?, FrameworkSource::File(path)));
    }
    let (text, _) = super::read_text(&path)?;
    let spec = match ext(&path).as_str() {
        "toml" => FrameworkSpec::from_toml_str(&text, &file)?,
        "json" => FrameworkSpec::from_json_str(&text, &file)?,
        "csv" => read_coinr_imeta(&text, &file)?,
        other => {
            return Err(Error::parse(
                &file,
                None,
                None,
                format!("unknown framework format `.{other}` (use .toml, .json or a COINr iMeta .csv)"),
            ))
        }
    };
    Ok((Framework::from_spec(spec)?, FrameworkSource::File(path)))
}

/// Parse a COINr iMeta table (CSV text). `NA` and empty cells are missing.
///
/// # Errors
/// [`Error::Parse`] naming the line and column of a malformed cell, or a missing required column.
pub fn read_coinr_imeta(text: &str, file: &str) -> Result<FrameworkSpec> {
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::parse(file, Some(1), None, e.to_string()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    // The root cause first: a missing column is reported before (and instead of) the
    // follow-on problems every row would otherwise show.
    let missing: Vec<&str> = ["iCode", "Type", "Parent"].into_iter().filter(|c| col(c).is_none()).collect();
    if !missing.is_empty() {
        return Err(Error::MissingColumn {
            column: missing.join("`, `"),
            needed_by: format!(
                "a COINr iMeta table ({file}; its header has {}) · iMeta 表缺少必需的列",
                header
                    .iter()
                    .map(|h| format!("`{}`", zhili_core::text::cut(h)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| Error::parse(file, e.position().map(|p| p.line() as usize), None, e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let text_of = |name: &str| {
            col(name)
                .and_then(|j| rec.get(j))
                .map(str::to_owned)
                .filter(|s| !s.is_empty() && s != "NA")
        };
        let num_of = |name: &str| -> Result<Option<f64>> {
            match text_of(name) {
                None => Ok(None),
                Some(s) => s.parse::<f64>().map(Some).map_err(|_| {
                    Error::parse(
                        file,
                        Some(line),
                        Some(name.into()),
                        format!("`{}` is not a number", zhili_core::text::cut(&s)),
                    )
                }),
            }
        };
        rows.push(IMetaRow {
            level: num_of("Level")?,
            code: text_of("iCode").unwrap_or_default(),
            name: text_of("iName"),
            direction: num_of("Direction")?,
            weight: num_of("Weight")?,
            parent: text_of("Parent"),
            kind: text_of("Type").unwrap_or_default(),
            unit: text_of("Unit"),
            target: num_of("Target")?,
            denominator: text_of("Denominator"),
        });
    }
    FrameworkSpec::from_coinr(&rows, file, 2)
}

/// Load a pipeline document (`.toml` or `.json`).
///
/// # Errors
/// [`Error::Parse`] naming file and line, or [`Error::Spec`].
pub fn load_pipeline(path: &Path) -> Result<Pipeline> {
    let file = path.display().to_string();
    let (text, _) = super::read_text(path)?;
    match ext(path).as_str() {
        "json" => Pipeline::from_json_str(&text).map_err(|e| rename(e, &file)),
        _ => Pipeline::from_toml_named(&text, &file),
    }
}

fn rename(e: Error, file: &str) -> Error {
    match e {
        Error::Parse { mut location, message } => {
            location.file = file.to_owned();
            Error::Parse { location, message }
        }
        other => other,
    }
}

/// Load a weight set: TOML (`id = weight`, optionally under `[weights]`) or CSV with
/// columns `id` (or `iCode`, `node`) and `weight` (or `Weight`).
///
/// # Errors
/// [`Error::Parse`] naming file, line and column.
pub fn load_weights(path: &Path) -> Result<WeightSet> {
    let file = path.display().to_string();
    let (text, _) = super::read_text(path)?;
    if ext(path) != "csv" {
        return WeightSet::from_toml_str(&text, &file);
    }
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::parse(&file, Some(1), None, e.to_string()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let id_col = find(&["id", "iCode", "node"]).ok_or_else(|| Error::MissingColumn {
        column: "id".into(),
        needed_by: format!("weight file {file}"),
    })?;
    let w_col = find(&["weight", "Weight"]).ok_or_else(|| Error::MissingColumn {
        column: "weight".into(),
        needed_by: format!("weight file {file}"),
    })?;
    let mut pairs = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| Error::parse(&file, e.position().map(|p| p.line() as usize), None, e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let id = rec.get(id_col).unwrap_or_default().to_owned();
        let ws = rec.get(w_col).unwrap_or_default();
        let w: f64 = ws.parse().map_err(|_| {
            Error::parse(
                &file,
                Some(line),
                Some(header[w_col].clone()),
                format!(
                    "weight `{}` of `{}` is not a number",
                    zhili_core::text::cut(ws),
                    zhili_core::text::cut(&id)
                ),
            )
        })?;
        pairs.push((id, w));
    }
    Ok(WeightSet::from_pairs(pairs))
}

/// Load a weight set ([`load_weights`]) and apply it to a framework: keys are node ids or
/// unique zh / en node names ([`Framework::resolve`]).
///
/// # Errors
/// [`load_weights`]'s errors; [`Error::Parse`] naming the file, line and key for a key that is
/// no node, with the nearest ids and names as a hint; [`Error::Framework`] for invalid weights.
pub fn apply_weights(fw: &Framework, path: &Path) -> Result<Framework> {
    let set = load_weights(path)?;
    fw.with_weights(set.iter()).map_err(|e| match e {
        Error::Unknown { what, id, context } => {
            let file = path.display().to_string();
            let line = super::read_text(path).ok().and_then(|(text, _)| {
                if ext(path) == "csv" {
                    text.lines()
                        .position(|l| l.split(',').next().map(|c| c.trim().trim_matches('"')) == Some(id.as_str()))
                        .map(|i| i + 1)
                } else {
                    WeightSet::line_of(&text, &id)
                }
            });
            Error::parse(file, line, Some(id.clone()), format!("unknown {what} `{id}` ({context})"))
        }
        other => other,
    })
}
