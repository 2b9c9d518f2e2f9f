//! The memory budget from Python: `zhili.set_max_memory("4G")` (see `zhili_core::memory`).

use pyo3::prelude::*;

use crate::error::PyZhiliError;

/// Set the memory limit of big requests for this process: a size (`"512M"`, `"4G"`, bytes as
/// an int), or `None` for the default (`ZHILI_MAX_MEMORY`, else 3/4 of physical memory).
#[pyfunction]
#[pyo3(signature = (size))]
pub(crate) fn set_max_memory(size: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let bytes = match size {
        None => None,
        Some(v) => {
            let text = match v.extract::<u64>() {
                Ok(n) => n.to_string(),
                Err(_) => v.extract::<String>().map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err(format!(
                        "set_max_memory: size must be a size such as \"4G\" or a number of bytes, not {}",
                        v.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                    ))
                })?,
            };
            let b = zhili_core::memory::parse_size(&text)
                .map_err(|m| PyErr::from(PyZhiliError(zhili_core::Error::spec("set_max_memory", m))))?;
            Some(b)
        }
    };
    zhili_core::memory::set_max_memory(bytes);
    Ok(())
}

/// The memory limit in force, in bytes.
#[pyfunction]
pub(crate) fn max_memory() -> PyResult<u64> {
    zhili_core::memory::max_memory().map_err(|e| PyZhiliError(e).into())
}
