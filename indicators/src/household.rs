//! Three-colour household risk grading (Shuangbai-style) and its roll-up to villages and
//! townships as indicators of the `household-risk` framework.
//!
//! Each household has risk points (0–100, the sum of risk factors found on a visit) and/or a
//! colour given directly. A household without a colour is graded from its points with a
//! [`GradingSpec`] whose bands include `red` and `yellow` (the bundled
//! [`GradingSpec::three_colour`]: red ≥ 60, yellow ≥ 30, green below). Per area:
//!
//! ```text
//! red_households_pct         = 100 × #red households    / #households
//! yellow_households_pct      = 100 × #yellow households / #households
//! household_risk_points_mean = mean points over households with points recorded
//! ```
//!
//! Township figures pool the township's households (not a mean of village shares).

use std::collections::HashMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use zhili_core::{Dataset, Error, LogEntry, Result};

use crate::grading::GradingSpec;

/// Indicator ids produced by [`roll_up`], in the order of the `household-risk` framework.
pub const INDICATORS: [&str; 3] = ["red_households_pct", "yellow_households_pct", "household_risk_points_mean"];

/// One household record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    /// Household id.
    pub household: String,
    /// Village (行政村 / 社区) id.
    pub village: String,
    /// Township (乡镇) id.
    pub township: String,
    /// Risk points (0–100), if assessed.
    #[serde(default)]
    pub points: Option<f64>,
    /// Colour given directly (band id or name, e.g. `red` / `红色`); overrides `points`.
    #[serde(default)]
    pub colour: Option<String>,
    /// Line in the source file, for errors; `None` = index + 2.
    #[serde(skip)]
    pub line: Option<usize>,
}

/// The level to roll households up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One row per village, with a `township` group column.
    Village,
    /// One row per township.
    Township,
}

/// Households graded and rolled up.
#[derive(Debug, Clone)]
pub struct RolledUp {
    /// Areas × [`INDICATORS`], numeric columns `households`, `red`, `yellow`, `green`
    /// (counts per band id; every band of the spec gets a column), group `township` for villages.
    pub dataset: Dataset,
    /// Band index of each household (into the spec's bands), in input order.
    pub grades: Vec<usize>,
    /// Warnings (an area whose mean points is missing).
    pub log: Vec<LogEntry>,
}

/// Grade every household and roll the shares up to `level`. Areas appear in order of first
/// appearance in the input.
///
/// # Errors
/// [`Error::Spec`] if the spec has no `red` or `yellow` band; [`Error::Parse`] naming the line
/// and household for a household with neither points nor colour, non-finite or negative
/// points, an unknown colour, or a village listed under two townships; [`Error::Empty`] for no
/// households.
pub fn roll_up(households: &[Household], grading: &GradingSpec, level: Level) -> Result<RolledUp> {
    let red = grading
        .band_index("red")
        .ok_or_else(|| Error::spec("grading", "household roll-up needs a band `red`"))?;
    let yellow = grading
        .band_index("yellow")
        .ok_or_else(|| Error::spec("grading", "household roll-up needs a band `yellow`"))?;
    if households.is_empty() {
        return Err(Error::Empty("no households to roll up".into()));
    }
    let file = "households";
    let nb = grading.bands.len();
    let mut grades = Vec::with_capacity(households.len());
    let mut area_of: HashMap<&str, usize> = HashMap::new();
    let mut township_of_village: HashMap<&str, &str> = HashMap::new();
    let mut areas: Vec<(&str, &str)> = Vec::new(); // (area id, township)
    let mut counts: Vec<Vec<usize>> = Vec::new();
    let mut points: Vec<(f64, usize)> = Vec::new();
    for (i, h) in households.iter().enumerate() {
        let line = h.line.unwrap_or(i + 2);
        let err = |col: &str, msg: String| {
            Error::parse(
                file,
                Some(line),
                Some(col.to_owned()),
                format!("household `{}`: {msg}", h.household),
            )
        };
        let (v, t) = (h.village.trim(), h.township.trim());
        if v.is_empty() || t.is_empty() {
            return Err(err("village", "empty village or township".into()));
        }
        if let Some(prev) = township_of_village.insert(v, t) {
            if prev != t {
                return Err(err(
                    "township",
                    format!("village `{v}` is listed under townships `{prev}` and `{t}`"),
                ));
            }
        }
        let pts = match h.points {
            Some(p) if p.is_nan() => None,
            Some(p) if !p.is_finite() || p < 0.0 => return Err(err("points", format!("risk points {p} must be finite and ≥ 0"))),
            p => p,
        };
        let colour = h.colour.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let g = match (colour, pts) {
            (Some(c), _) => grading
                .band_index(c)
                .ok_or_else(|| err("colour", format!("unknown colour `{c}` (bands: {})", band_ids(grading))))?,
            (None, Some(p)) => grading.bands.iter().position(|b| b.min.is_none_or(|m| p >= m)).unwrap_or(nb - 1),
            (None, None) => return Err(err("points", "neither risk points nor a colour".into())),
        };
        grades.push(g);
        let key = match level {
            Level::Village => v,
            Level::Township => t,
        };
        let a = *area_of.entry(key).or_insert_with(|| {
            areas.push((key, t));
            counts.push(vec![0; nb]);
            points.push((0.0, 0));
            areas.len() - 1
        });
        counts[a][g] += 1;
        if let Some(p) = pts {
            points[a].0 += p;
            points[a].1 += 1;
        }
    }
    let n = areas.len();
    let mut values = Array2::from_elem((n, INDICATORS.len()), f64::NAN);
    let mut log = Vec::new();
    for a in 0..n {
        let total: usize = counts[a].iter().sum();
        values[[a, 0]] = 100.0 * counts[a][red] as f64 / total as f64;
        values[[a, 1]] = 100.0 * counts[a][yellow] as f64 / total as f64;
        if points[a].1 > 0 {
            values[[a, 2]] = points[a].0 / points[a].1 as f64;
        } else {
            log.push(
                LogEntry::warning("household roll-up", "missing")
                    .unit(areas[a].0)
                    .indicator(INDICATORS[2])
                    .detail("no household with risk points (graded by colour only)"),
            );
        }
    }
    let mut ds = Dataset::new(
        areas.iter().map(|a| a.0.to_owned()).collect(),
        INDICATORS.iter().map(|s| (*s).to_owned()).collect(),
        values,
    )?
    .with_numeric("households", counts.iter().map(|c| c.iter().sum::<usize>() as f64).collect())?;
    for (b, band) in grading.bands.iter().enumerate() {
        ds = ds.with_numeric(band.id.clone(), counts.iter().map(|c| c[b] as f64).collect())?;
    }
    if level == Level::Village {
        ds = ds.with_group("township", areas.iter().map(|a| Some(a.1.to_owned())).collect())?;
    }
    Ok(RolledUp { dataset: ds, grades, log })
}

fn band_ids(g: &GradingSpec) -> String {
    g.bands.iter().map(|b| b.id.as_str()).collect::<Vec<_>>().join(", ")
}

/// Read households from CSV text (columns `household, village, township`, and `points` and/or
/// `colour`; other columns ignored). Each record remembers its line.
///
/// # Errors
/// [`Error::Parse`] naming the line.
pub fn households_from_csv(text: &str, file: &str) -> Result<Vec<Household>> {
    let mut r = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in r.deserialize::<Household>() {
        let line = out.len() + 2;
        let mut h = rec.map_err(|e| Error::parse(file, Some(line), None, e.to_string()))?;
        h.line = Some(line);
        out.push(h);
    }
    Ok(out)
}
