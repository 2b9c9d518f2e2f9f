//! The replay format: one run per line, the weights that vary and the pipeline step choices.
//!
//! A design is a CSV file (UTF-8, header row). Every column is optional except that a file
//! needs at least one run:
//!
//! | column        | content                                                                  |
//! |---------------|--------------------------------------------------------------------------|
//! | `run`         | a label (1, 2, ...), informational                                        |
//! | `impute`      | the `impute` step as a JSON table, e.g. `{"method":"mean"}`               |
//! | `treat`       | the `treat` step as JSON, or `off` for no treatment                       |
//! | `normalise`   | the `normalise` step as JSON, e.g. `{"method":"zscore","mean":10,"sd":2}` |
//! | `aggregate`   | the `aggregate` step as JSON, e.g. `{"method":"geometric"}`, optionally with `"rescale":[{"level":2,"kind":"range","lo":1,"hi":100}]` |
//! | `exclude`     | the id of an indicator left out of the run                                |
//! | `w:<node id>` | the weight of that node in the run (relative to its siblings)            |
//!
//! An empty cell means "as in the nominal pipeline" (the framework's weight for a `w:` column).
//! Step tables are the pipeline document's steps without their `type`. Numbers are written
//! with 17 significant digits, so a design written by [`Design::to_csv_string`] replays exactly.
//!
//! ```text
//! run,normalise,aggregate,w:Goods,w:Services
//! 1,"{""method"":""zscore"",""mean"":10.0,""sd"":2.0}","{""method"":""geometric""}",1.0597138853045180,1.0708566490793601
//! ```

use serde::{Deserialize, Serialize};

use super::factors::{AggregationChoice, Off, TreatChoice};
use crate::error::{Error, Result};
use crate::normalise::Normaliser;
use crate::prepare::Impute;

/// A list of runs to replay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Design {
    /// Node ids whose weights are given per run (the `w:` columns), in column order.
    pub weight_nodes: Vec<String>,
    /// The runs.
    pub runs: Vec<DesignRun>,
}

/// One run of a design. `None` = as in the nominal pipeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DesignRun {
    /// Weights of [`Design::weight_nodes`], in order (NaN = the framework's weight).
    pub weights: Vec<f64>,
    /// Imputation.
    pub impute: Option<Impute>,
    /// Treatment (or none).
    pub treat: Option<TreatChoice>,
    /// Normalisation.
    pub normalise: Option<Normaliser>,
    /// Aggregation.
    pub aggregate: Option<AggregationChoice>,
    /// An indicator left out.
    pub exclude: Option<String>,
}

fn cell<T: serde::de::DeserializeOwned>(s: &str, col: &str, line: usize) -> Result<Option<T>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(s).map(Some).map_err(|e| {
        Error::parse(
            "<design>",
            Some(line),
            Some(col.to_owned()),
            format!("bad `{col}` step table `{}`: {e}", crate::text::cut(s)),
        )
    })
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::spec("design", e.to_string()))
}

/// Shortest representation that round-trips exactly (at most 17 significant digits).
fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x:?}")
    }
}

impl Design {
    /// Parse the CSV format above.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the line and column of a bad cell or an unknown column.
    pub fn from_csv_str(text: &str) -> Result<Self> {
        let mut rd = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
        let header: Vec<String> = rd
            .headers()
            .map_err(|e| Error::parse("<design>", Some(1), None, e.to_string()))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        let mut weight_nodes = Vec::new();
        let mut seen = std::collections::HashMap::with_capacity(header.len());
        for (j, h) in header.iter().enumerate() {
            if let Some(i) = seen.insert(h.as_str(), j) {
                return Err(Error::parse(
                    "<design>",
                    Some(1),
                    Some(h.clone()),
                    format!(
                        "columns {} and {} are both `{}`: each column may appear once (a later one would silently win)",
                        i + 1,
                        j + 1,
                        crate::text::cut(h)
                    ),
                ));
            }
            match h.as_str() {
                "run" | "impute" | "treat" | "normalise" | "aggregate" | "exclude" => {}
                w if w.starts_with("w:") => weight_nodes.push(w[2..].to_owned()),
                other => {
                    return Err(Error::parse(
                        "<design>",
                        Some(1),
                        Some(crate::text::cut(other).into_owned()),
                        format!(
                            "unknown design column `{}` (expected run, impute, treat, normalise, aggregate, exclude, w:<node>)",
                            crate::text::cut(other)
                        ),
                    ))
                }
            }
        }
        let mut runs = Vec::new();
        for (k, rec) in rd.records().enumerate() {
            let line = k + 2;
            let rec = rec.map_err(|e| Error::parse("<design>", Some(line), None, e.to_string()))?;
            let mut run = DesignRun::default();
            for (h, v) in header.iter().zip(rec.iter()) {
                match h.as_str() {
                    "impute" => run.impute = cell(v, h, line)?,
                    "treat" => {
                        run.treat = if v.trim() == "off" {
                            Some(TreatChoice::Off(Off::Off))
                        } else {
                            cell(v, h, line)?.map(TreatChoice::On)
                        }
                    }
                    "normalise" => run.normalise = cell(v, h, line)?,
                    "aggregate" => run.aggregate = cell(v, h, line)?,
                    "exclude" => run.exclude = Some(v.trim().to_owned()).filter(|s| !s.is_empty()),
                    w if w.starts_with("w:") => {
                        let v = v.trim();
                        run.weights.push(if v.is_empty() {
                            f64::NAN
                        } else {
                            v.parse().map_err(|_| {
                                Error::parse(
                                    "<design>",
                                    Some(line),
                                    Some(h.clone()),
                                    format!("weight `{}` is not a number", crate::text::cut(v)),
                                )
                            })?
                        });
                    }
                    _ => {}
                }
            }
            runs.push(run);
        }
        if runs.is_empty() {
            return Err(Error::Empty("the design has no runs".into()));
        }
        Ok(Design { weight_nodes, runs })
    }

    /// Write the CSV format above (only the columns some run uses).
    ///
    /// # Errors
    /// Only if a step cannot be represented as JSON.
    pub fn to_csv_string(&self) -> Result<String> {
        let has = |f: &dyn Fn(&DesignRun) -> bool| self.runs.iter().any(f);
        let cols: Vec<(&str, bool)> = vec![
            ("impute", has(&|r| r.impute.is_some())),
            ("treat", has(&|r| r.treat.is_some())),
            ("normalise", has(&|r| r.normalise.is_some())),
            ("aggregate", has(&|r| r.aggregate.is_some())),
            ("exclude", has(&|r| r.exclude.is_some())),
        ];
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = vec!["run".into()];
        header.extend(cols.iter().filter(|c| c.1).map(|c| c.0.to_owned()));
        header.extend(self.weight_nodes.iter().map(|n| format!("w:{n}")));
        w.write_record(&header).map_err(|e| Error::spec("design", e.to_string()))?;
        for (k, r) in self.runs.iter().enumerate() {
            let mut row = vec![(k + 1).to_string()];
            for (name, used) in &cols {
                if !used {
                    continue;
                }
                row.push(match *name {
                    "impute" => r.impute.as_ref().map(json).transpose()?.unwrap_or_default(),
                    "treat" => match &r.treat {
                        None => String::new(),
                        Some(TreatChoice::Off(_)) => "off".into(),
                        Some(TreatChoice::On(t)) => json(t)?,
                    },
                    "normalise" => r.normalise.as_ref().map(json).transpose()?.unwrap_or_default(),
                    "aggregate" => r.aggregate.as_ref().map(json).transpose()?.unwrap_or_default(),
                    _ => r.exclude.clone().unwrap_or_default(),
                });
            }
            row.extend(r.weights.iter().map(|&x| num(x)));
            w.write_record(&row).map_err(|e| Error::spec("design", e.to_string()))?;
        }
        let bytes = w.into_inner().map_err(|e| Error::spec("design", e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| Error::spec("design", e.to_string()))
    }

    /// Convert a COINr uncertainty design: `design` has columns `Run, WeightSet,
    /// Normalisation, Aggregation` (COINr's `n_minmax(lo,hi)`, `n_zscore(mean,sd)`,
    /// `a_amean`, `a_gmean`), `weight_sets` has `WeightSet, iCode, Level, Weight`.
    ///
    /// # Errors
    /// [`Error::Parse`] for a missing column, an unknown method or weight set.
    pub fn from_coinr_csv(design: &str, weight_sets: &str) -> Result<Self> {
        let table = |text: &str, name: &str| -> Result<(Vec<String>, Vec<Vec<String>>)> {
            let mut rd = csv::Reader::from_reader(text.as_bytes());
            let h: Vec<String> = rd
                .headers()
                .map_err(|e| Error::parse(name, Some(1), None, e.to_string()))?
                .iter()
                .map(str::to_owned)
                .collect();
            let mut rows = Vec::new();
            for (k, r) in rd.records().enumerate() {
                let r = r.map_err(|e| Error::parse(name, Some(k + 2), None, e.to_string()))?;
                rows.push(r.iter().map(str::to_owned).collect());
            }
            Ok((h, rows))
        };
        let col = |h: &[String], c: &str, name: &str| {
            h.iter().position(|x| x == c).ok_or_else(|| Error::MissingColumn {
                column: c.to_owned(),
                needed_by: name.to_owned(),
            })
        };
        let (wh, wrows) = table(weight_sets, "weight sets")?;
        let (ws, wi, ww) = (
            col(&wh, "WeightSet", "weight sets")?,
            col(&wh, "iCode", "weight sets")?,
            col(&wh, "Weight", "weight sets")?,
        );
        let mut weight_nodes: Vec<String> = Vec::new();
        let mut sets: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
        for (k, r) in wrows.iter().enumerate() {
            let pos = match weight_nodes.iter().position(|n| n == &r[wi]) {
                Some(p) => p,
                None => {
                    weight_nodes.push(r[wi].clone());
                    weight_nodes.len() - 1
                }
            };
            let w: f64 = r[ww].trim().parse().map_err(|_| {
                Error::parse(
                    "weight sets",
                    Some(k + 2),
                    Some("Weight".into()),
                    format!("`{}` is not a number", r[ww]),
                )
            })?;
            let v = sets.entry(r[ws].trim().to_owned()).or_default();
            if v.len() <= pos {
                v.resize(pos + 1, f64::NAN);
            }
            v[pos] = w;
        }
        let (dh, drows) = table(design, "design")?;
        let (cw, cn, ca) = (
            col(&dh, "WeightSet", "design")?,
            col(&dh, "Normalisation", "design")?,
            col(&dh, "Aggregation", "design")?,
        );
        let args = |s: &str| -> Option<(f64, f64)> {
            let inner = s.split_once('(')?.1.strip_suffix(')')?;
            let (a, b) = inner.split_once(',')?;
            Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
        };
        let mut runs = Vec::new();
        for (k, r) in drows.iter().enumerate() {
            let line = k + 2;
            let bad = |c: &str, m: String| Error::parse("design", Some(line), Some(c.to_owned()), m);
            let mut weights = sets
                .get(r[cw].trim())
                .cloned()
                .ok_or_else(|| bad("WeightSet", format!("unknown weight set `{}`", r[cw])))?;
            weights.resize(weight_nodes.len(), f64::NAN);
            let n = r[cn].trim();
            let norm = match (n.split('(').next(), args(n)) {
                (Some("n_minmax"), Some((lo, hi))) => serde_json::json!({"method": "minmax", "lo": lo, "hi": hi}),
                (Some("n_zscore"), Some((m, s))) => serde_json::json!({"method": "zscore", "mean": m, "sd": s}),
                _ => return Err(bad("Normalisation", format!("unsupported COINr normalisation `{n}`"))),
            };
            let normalise: Normaliser = serde_json::from_value(norm).map_err(|e| bad("Normalisation", e.to_string()))?;
            let agg = match r[ca].trim() {
                "a_amean" => serde_json::json!({"method": "arithmetic"}),
                "a_gmean" => serde_json::json!({"method": "geometric"}),
                a => return Err(bad("Aggregation", format!("unsupported COINr aggregation `{a}`"))),
            };
            let aggregate: AggregationChoice = serde_json::from_value(agg).map_err(|e| bad("Aggregation", e.to_string()))?;
            runs.push(DesignRun {
                weights,
                normalise: Some(normalise),
                aggregate: Some(aggregate),
                ..DesignRun::default()
            });
        }
        if runs.is_empty() {
            return Err(Error::Empty("the design has no runs".into()));
        }
        Ok(Design { weight_nodes, runs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trip() {
        let text =
            "run,aggregate,treat,exclude,w:A,w:B\n1,\"{\"\"method\"\":\"\"geometric\"\"}\",off,x1,0.1,\n2,,,,0.30000000000000004,2\n";
        let d = Design::from_csv_str(text).expect("parse");
        assert_eq!(d.weight_nodes, ["A", "B"]);
        assert_eq!(d.runs.len(), 2);
        assert_eq!(d.runs[0].treat, Some(TreatChoice::Off(Off::Off)));
        assert_eq!(d.runs[0].exclude.as_deref(), Some("x1"));
        assert!(d.runs[0].weights[1].is_nan());
        let back = Design::from_csv_str(&d.to_csv_string().expect("write")).expect("reparse");
        assert_eq!(back.runs[1].weights, [0.30000000000000004, 2.0]);
        assert_eq!(back.runs[0].aggregate, d.runs[0].aggregate);
        assert_eq!(back.runs[0].treat, d.runs[0].treat);
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        let e = Design::from_csv_str("run,w:A,w:B,w:A\n1,1,2,3\n").expect_err("duplicate");
        assert!(e.to_string().contains("columns 2 and 4 are both `w:A`"), "{e}");
        let long = "9".repeat(500) + "x";
        let e = Design::from_csv_str(&format!("run,w:A\n1,{long}\n")).expect_err("long");
        assert!(e.to_string().contains("(501 bytes)") && e.to_string().len() < 300, "{e}");
        let e = Design::from_csv_str("run,w:A\n1,abc\n").expect_err("bad weight");
        assert!(e.to_string().contains("w:A"), "{e}");
        let e = Design::from_csv_str("run,colour\n1,red\n").expect_err("bad column");
        assert!(e.to_string().contains("colour"), "{e}");
    }
}
