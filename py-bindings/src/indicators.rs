//! The bundled frameworks (`zhili_indicators::CATALOGUE`), for `zhili.datasets` and
//! `zhili.frameworks`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

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
