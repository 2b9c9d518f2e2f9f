//! Engine errors → Python exceptions.
//!
//! One Python class per core [`Error`] variant, all rooted at `zhili.ZhiliError`
//! (the polars pattern: a newtype [`PyZhiliError`] owns the mapping). The structured
//! fields of each variant are set as attributes on the exception (`problems`, `node`,
//! `unit`, `column`, ...). A Rust panic is caught by [`guard`] and raised as
//! `InternalError`, never as pyo3's `PanicException`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyList;
use zhili_core::{Error, Problem};

pyo3::create_exception!(zhili._native, ZhiliError, PyException, "Base class of every error zhili raises.");
pyo3::create_exception!(
    zhili._native,
    FrameworkError,
    ZhiliError,
    "The framework is invalid; `.problems` lists every problem as a `Problem(node, kind, message)`."
);
pyo3::create_exception!(
    zhili._native,
    ParseError,
    ZhiliError,
    "A document (TOML, JSON, CSV) could not be parsed; `.file`, `.line`, `.column` say where."
);
pyo3::create_exception!(
    zhili._native,
    DataError,
    ZhiliError,
    "The data does not fit the framework or the pipeline."
);
pyo3::create_exception!(
    zhili._native,
    MissingColumnError,
    DataError,
    "A column the framework or pipeline needs is absent; `.column` names it, `.needed_by` says who needs it."
);
pyo3::create_exception!(
    zhili._native,
    ShapeError,
    DataError,
    "Array shapes or lengths do not fit together; `.what`, `.expected`, `.found`."
);
pyo3::create_exception!(zhili._native, EmptyDataError, DataError, "The data has no units or no indicators.");
pyo3::create_exception!(
    zhili._native,
    UnknownIdError,
    ZhiliError,
    "A node, indicator, unit or stage id that does not exist; `.what`, `.id`, `.context`."
);
pyo3::create_exception!(
    zhili._native,
    MethodError,
    ZhiliError,
    "A method cannot be applied to this data; `.method`, `.unit`, `.node` say which and where."
);
pyo3::create_exception!(
    zhili._native,
    PipelineError,
    ZhiliError,
    "A pipeline, weight set or option is malformed; `.what` names the step or option."
);
pyo3::create_exception!(
    zhili._native,
    MemoryLimitError,
    ZhiliError,
    "A request needs more memory than the limit (refused before it starts; `.needed`, `.limit` in bytes); raise it with `zhili.set_max_memory`."
);
pyo3::create_exception!(
    zhili._native,
    InternalError,
    ZhiliError,
    "A bug in zhili (a caught Rust panic). Please report it with the message."
);

/// A framework validation problem, tied to the node it concerns.
#[pyclass(name = "Problem", module = "zhili._native", frozen, get_all, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyProblem {
    /// The node the problem concerns (`None` for framework-wide problems).
    node: Option<String>,
    /// Machine-readable kind, e.g. `duplicate_id`, `cycle`, `unknown_parent`.
    kind: String,
    /// Human-readable explanation.
    message: String,
}

/// Constructor arguments of a problem (for pickling).
type ProblemArgs = (Option<String>, String, String);

#[pymethods]
impl PyProblem {
    #[new]
    #[pyo3(signature = (node, kind, message))]
    fn new(node: Option<String>, kind: String, message: String) -> Self {
        PyProblem { node, kind, message }
    }

    fn __repr__(&self) -> String {
        format!(
            "Problem(node={}, kind={:?}, message={:?})",
            self.node.as_ref().map_or_else(|| "None".to_owned(), |n| format!("{n:?}")),
            self.kind,
            self.message
        )
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, ProblemArgs)> {
        let cls = py.get_type::<PyProblem>().into_any().unbind();
        Ok((cls, (self.node.clone(), self.kind.clone(), self.message.clone())))
    }
}

impl From<&Problem> for PyProblem {
    fn from(p: &Problem) -> Self {
        let kind = serde_json::to_value(p.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("{:?}", p.kind));
        PyProblem {
            node: p.node.clone(),
            kind,
            message: p.message.clone(),
        }
    }
}

/// The newtype that maps a core [`Error`] to its Python class.
#[derive(Debug)]
pub(crate) struct PyZhiliError(pub(crate) Error);

impl From<Error> for PyZhiliError {
    fn from(e: Error) -> Self {
        PyZhiliError(e)
    }
}

fn with_attrs(err: PyErr, attrs: Vec<(&str, Option<String>)>) -> PyErr {
    Python::attach(|py| {
        let v = err.value(py);
        for (k, val) in attrs {
            // Setting an attribute on a fresh exception instance cannot fail in practice;
            // if it did, the exception itself is still the right one to raise.
            let _ = v.setattr(k, val);
        }
    });
    err
}

impl From<PyZhiliError> for PyErr {
    fn from(e: PyZhiliError) -> PyErr {
        let msg = e.0.to_string();
        match e.0 {
            Error::Framework(problems) => {
                let err = FrameworkError::new_err(msg);
                Python::attach(|py| {
                    let list: Vec<PyProblem> = problems.iter().map(PyProblem::from).collect();
                    if let Ok(l) = PyList::new(py, list) {
                        let _ = err.value(py).setattr("problems", l);
                    }
                });
                err
            }
            Error::Parse { location, .. } => {
                let err = with_attrs(
                    ParseError::new_err(msg),
                    vec![("file", Some(location.file)), ("column", location.column)],
                );
                Python::attach(|py| {
                    let _ = err.value(py).setattr("line", location.line);
                });
                err
            }
            Error::MissingColumn { column, needed_by } => with_attrs(
                MissingColumnError::new_err(msg),
                vec![("column", Some(column)), ("needed_by", Some(needed_by))],
            ),
            Error::Unknown { what, id, context } => with_attrs(
                UnknownIdError::new_err(msg),
                vec![("what", Some(what.to_owned())), ("id", Some(id)), ("context", Some(context))],
            ),
            Error::Shape { what, expected, found } => with_attrs(
                ShapeError::new_err(msg),
                vec![("what", Some(what)), ("expected", Some(expected)), ("found", Some(found))],
            ),
            Error::Empty(_) => EmptyDataError::new_err(msg),
            Error::Method { method, unit, node, .. } => with_attrs(
                MethodError::new_err(msg),
                vec![("method", Some(method)), ("unit", unit), ("node", node)],
            ),
            Error::Memory { needed, limit, .. } => {
                let err = MemoryLimitError::new_err(msg);
                Python::attach(|py| {
                    let _ = err.value(py).setattr("needed", needed);
                    let _ = err.value(py).setattr("limit", limit);
                });
                err
            }
            Error::Spec { what, .. } => {
                let err = if what.starts_with("dataset") {
                    DataError::new_err(msg)
                } else if what.starts_with("framework") {
                    FrameworkError::new_err(msg)
                } else {
                    PipelineError::new_err(msg)
                };
                with_attrs(err, vec![("what", Some(what))])
            }
            _ => ZhiliError::new_err(msg),
        }
    }
}

/// Result of a binding function body.
pub(crate) type PyZResult<T> = Result<T, PyZhiliError>;

/// Run `f`, turning a panic into an [`InternalError`] message (never a `PanicException`).
pub(crate) fn guard<T>(f: impl FnOnce() -> PyZResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(PyErr::from),
        Err(payload) => Err(internal_error(payload.as_ref())),
    }
}

/// A caught panic as `InternalError` (never an abort across into Python).
pub(crate) fn internal_error(payload: &(dyn std::any::Any + Send)) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    InternalError::new_err(format!("internal error (a bug in zhili, please report it): {what}"))
}

/// Register the exception classes on the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ZhiliError", py.get_type::<ZhiliError>())?;
    m.add("FrameworkError", py.get_type::<FrameworkError>())?;
    m.add("ParseError", py.get_type::<ParseError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("MissingColumnError", py.get_type::<MissingColumnError>())?;
    m.add("ShapeError", py.get_type::<ShapeError>())?;
    m.add("EmptyDataError", py.get_type::<EmptyDataError>())?;
    m.add("UnknownIdError", py.get_type::<UnknownIdError>())?;
    m.add("MethodError", py.get_type::<MethodError>())?;
    m.add("PipelineError", py.get_type::<PipelineError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("MemoryLimitError", py.get_type::<MemoryLimitError>())?;
    m.add_class::<PyProblem>()?;
    Ok(())
}
