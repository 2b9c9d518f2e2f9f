//! The bundled frameworks (`zhili_indicators::CATALOGUE`), for `zhili.datasets` and
//! `zhili.frameworks`; `derive_grid_events` and `roll_up_households` (`zhili derive` for
//! Python: CSV text in, the derived indicator table as CSV text out, the CLI's bytes without
//! the population's display names, with the warnings of the derivation).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use zhili::indicators::{grid_events, household, to_csv, GradingSpec};
use zhili_core::LogEntry;

use crate::error::guard;

/// (TOML text), pipeline (TOML text or None), grading (TOML text or None), datasets` where
/// `datasets` lists dicts `name, description, csv, unit_column, name_column, time_column`
/// (the first is the default sample).
#[pyfunction]
pub(crate) fn bundled(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for b in zhili_indicators::CATALOGUE {
        let d = PyDict::new(py);
        d.set_item("name", b.name)?;
        d.set_item("description", b.description)?;
        d.set_item("description_zh", b.description_zh)?;
        d.set_item("default", b.name == zhili_indicators::DEFAULT)?;
        d.set_item("framework", b.framework)?;
        d.set_item("pipeline", b.pipeline)?;
        d.set_item("grading", b.grading)?;
        let ds = PyList::empty(py);
        for s in b.datasets {
            let e = PyDict::new(py);
            e.set_item("name", s.name)?;
            e.set_item("description", s.description)?;
            e.set_item("csv", s.csv)?;
            e.set_item("unit_column", s.unit_column)?;
            e.set_item("name_column", s.name_column)?;
            e.set_item("time_column", s.time_column)?;
            ds.append(e)?;
        }
        d.set_item("datasets", ds)?;
        list.append(d)?;
    }
    Ok(list)
}

fn warnings(log: &[LogEntry]) -> Vec<String> {
    log.iter()
        .map(|e| {
            let at: Vec<String> = [("unit", &e.unit), ("indicator", &e.indicator)]
                .into_iter()
                .filter_map(|(k, v)| v.as_deref().map(|v| format!("{k} `{v}`")))
                .collect();
            if at.is_empty() {
                e.detail.to_string()
            } else {
                format!("{}: {}", at.join(", "), e.detail)
            }
        })
        .collect()
}

/// Derive the `grid-events` indicators from an event log (`zhili derive grid-events`).
///
/// `as_of` (a timestamp) evaluates open events at that time (default: the latest timestamp
/// in the log — give it explicitly when the log is split, so every part agrees).
/// Returns `(csv, warnings)`.
#[pyfunction]
#[pyo3(signature = (events_csv, population_csv, *, by_year = false, as_of = None, file = "events"))]
pub(crate) fn derive_grid_events(
    py: Python<'_>,
    events_csv: &str,
    population_csv: &str,
    by_year: bool,
    as_of: Option<&str>,
    file: &str,
) -> PyResult<(String, Vec<String>)> {
    py.detach(|| {
        guard(|| {
            let events = grid_events::events_from_csv(events_csv, file)?;
            let population = grid_events::population_from_csv(population_csv, "population")?;
            let as_of = as_of.map(|t| grid_events::parse_timestamp(t, "as_of", 1, "as_of")).transpose()?;
            let opts = grid_events::DeriveOptions {
                by_year,
                as_of,
                file: file.to_owned(),
                ..Default::default()
            };
            let derived = grid_events::derive(&events, &population, &opts)?;
            Ok((to_csv(&derived.dataset)?, warnings(&derived.log)))
        })
    })
}

/// Grade households and roll them up to villages or townships (`zhili derive households`).
/// `grading_toml` defaults to the bundled three-colour grading; `level` is `village` or
/// `township`. Returns `(csv, warnings)`.
#[pyfunction]
#[pyo3(signature = (households_csv, *, grading_toml = None, level = "village", file = "households"))]
pub(crate) fn roll_up_households(
    py: Python<'_>,
    households_csv: &str,
    grading_toml: Option<&str>,
    level: &str,
    file: &str,
) -> PyResult<(String, Vec<String>)> {
    py.detach(|| {
        guard(|| {
            let level = match level {
                "village" => household::Level::Village,
                "township" => household::Level::Township,
                other => return Err(zhili_core::Error::spec("level", format!("unknown level `{other}` (use village or township)")).into()),
            };
            let rows = household::households_from_csv(households_csv, file)?;
            let spec = match grading_toml {
                Some(t) => GradingSpec::from_toml_str(t, "grading")?,
                None => GradingSpec::three_colour()?,
            };
            let rolled = household::roll_up(&rows, &spec, level)?;
            Ok((to_csv(&rolled.dataset)?, warnings(&rolled.log)))
        })
    })
}
