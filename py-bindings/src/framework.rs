//! `zhili._native.Framework`: a validated indicator tree.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use zhili_core::framework::IMetaRow;
use zhili_core::{Direction, Framework, FrameworkSpec, NodeKind};

use crate::error::{guard, PyZhiliError};

/// A validated indicator tree (immutable). Built from TOML, JSON or a COINr iMeta table.
#[pyclass(name = "Framework", module = "zhili._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyFramework {
    pub(crate) inner: Framework,
}

impl PyFramework {
    pub(crate) fn from_spec(spec: FrameworkSpec) -> PyResult<Self> {
        guard(|| {
            Ok(PyFramework {
                inner: Framework::from_spec(spec)?,
            })
        })
    }
}

#[pymethods]
impl PyFramework {
    /// Parse and validate a TOML document; `file` names the source in errors.
    #[staticmethod]
    #[pyo3(signature = (text, file = "<toml>"))]
    fn from_toml(text: &str, file: &str) -> PyResult<Self> {
        let spec = guard(|| Ok(FrameworkSpec::from_toml_str(text, file)?))?;
        Self::from_spec(spec)
    }

    /// Parse and validate a JSON document; `file` names the source in errors.
    #[staticmethod]
    #[pyo3(signature = (text, file = "<json>"))]
    fn from_json(text: &str, file: &str) -> PyResult<Self> {
        let spec = guard(|| Ok(FrameworkSpec::from_json_str(text, file)?))?;
        Self::from_spec(spec)
    }

    /// Build from COINr iMeta rows given as a JSON array of objects
    /// (`iCode`, `Type`, `Parent`, `Direction`, `Weight`, ...; null = missing).
    /// `row_offset` is the line of the first row, for error messages.
    #[staticmethod]
    #[pyo3(signature = (records_json, file = "iMeta", row_offset = 2))]
    fn from_coinr_json(records_json: &str, file: &str, row_offset: usize) -> PyResult<Self> {
        let spec = guard(|| {
            let rows: Vec<IMetaRow> = serde_json::from_str(records_json)
                .map_err(|e| PyZhiliError(zhili_core::Error::parse(file, None, None, format!("iMeta rows: {e}"))))?;
            Ok(FrameworkSpec::from_coinr(&rows, file, row_offset)?)
        })?;
        Self::from_spec(spec)
    }

    /// Build from a COINr iMeta CSV text (as read from a file); `file` names it in errors.
    #[staticmethod]
    #[pyo3(signature = (text, file = "iMeta"))]
    fn from_coinr_csv(text: &str, file: &str) -> PyResult<Self> {
        let spec = guard(|| Ok(zhili::io::read_coinr_imeta(text, file)?))?;
        Self::from_spec(spec)
    }

    /// The framework document as TOML.
    fn to_toml(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.spec().to_toml_string()?))
    }

    /// The framework document as pretty JSON.
    fn to_json(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.spec().to_json_string()?))
    }

    /// The framework as COINr iMeta rows, a JSON array of objects.
    fn to_coinr_json(&self) -> PyResult<String> {
        guard(|| {
            serde_json::to_string(&self.inner.to_coinr()).map_err(|e| PyZhiliError(zhili_core::Error::spec("framework", e.to_string())))
        })
    }

    /// Framework id (optional in the document).
    #[getter]
    fn id(&self) -> Option<String> {
        self.inner.spec().id.clone()
    }

    /// Framework name as `(zh, en)`.
    #[getter]
    fn name(&self) -> (Option<String>, Option<String>) {
        let n = &self.inner.spec().name;
        (n.zh.clone(), n.en.clone())
    }

    /// Id of the root node (the index).
    #[getter]
    fn root_id(&self) -> String {
        self.inner.nodes()[self.inner.root()].id.clone()
    }

    /// Indicator ids in document order (the column order of every indicator stage).
    #[getter]
    fn indicator_ids(&self) -> Vec<String> {
        self.inner.indicator_ids().into_iter().map(str::to_owned).collect()
    }

    /// Every node id in document order.
    #[getter]
    fn node_ids(&self) -> Vec<String> {
        self.inner.node_ids().into_iter().map(str::to_owned).collect()
    }

    /// Each node's effective weight in the index, in node order.
    fn effective_weights(&self) -> Vec<f64> {
        self.inner.effective_weights()
    }

    /// Every node as a dict: `id, name_zh, name_en, parent, children, kind, weight,
    /// direction, level, depth, unit, target, goalposts, denominator, effective_weight`.
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let fw = &self.inner;
        let eff = fw.effective_weights();
        let list = PyList::empty(py);
        for (i, n) in fw.nodes().iter().enumerate() {
            let d = PyDict::new(py);
            d.set_item("id", &n.id)?;
            d.set_item("name_zh", &n.name.zh)?;
            d.set_item("name_en", &n.name.en)?;
            d.set_item("parent", n.parent.map(|p| fw.nodes()[p].id.clone()))?;
            let children: Vec<&str> = n.children.iter().map(|&c| fw.nodes()[c].id.as_str()).collect();
            d.set_item("children", children)?;
            d.set_item(
                "kind",
                match n.kind {
                    NodeKind::Indicator => "indicator",
                    NodeKind::Aggregate => "aggregate",
                },
            )?;
            d.set_item("weight", n.weight)?;
            d.set_item(
                "direction",
                match (n.kind, n.direction) {
                    (NodeKind::Aggregate, _) => None,
                    (_, Direction::Benefit) => Some("benefit"),
                    (_, Direction::Cost) => Some("cost"),
                },
            )?;
            d.set_item("level", n.level)?;
            d.set_item("depth", n.depth)?;
            d.set_item("unit", &n.unit)?;
            d.set_item("target", n.target)?;
            d.set_item("goalposts", n.goalposts.map(|[a, b]| (a, b)))?;
            d.set_item("denominator", &n.denominator)?;
            d.set_item("effective_weight", eff[i])?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// A copy with some weights replaced (`{node_id: weight}`), re-validated.
    fn with_weights(&self, weights: Vec<(String, f64)>) -> PyResult<Self> {
        guard(|| {
            Ok(PyFramework {
                inner: self.inner.with_weights(weights.iter().map(|(k, v)| (k.as_str(), *v)))?,
            })
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "<zhili._native.Framework {} ({} indicators, {} nodes)>",
            self.root_id(),
            self.inner.indicators().len(),
            self.inner.nodes().len()
        )
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let f = py.import("zhili._native")?.getattr("_framework_from_json")?.unbind();
        Ok((f, (self.to_json()?,)))
    }
}

/// Unpickle helper.
#[pyfunction]
pub(crate) fn _framework_from_json(text: &str) -> PyResult<PyFramework> {
    PyFramework::from_json(text, "<pickle>")
}
