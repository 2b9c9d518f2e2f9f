//! JSON at the binding edge: Python builds engine documents as JSON; results go back as JSON.

use serde::de::DeserializeOwned;
use zhili_core::Error;

use crate::error::{PyZResult, PyZhiliError};

/// Parse an engine document; a malformed one is a spec error naming `what`.
pub(crate) fn parse<T: DeserializeOwned>(what: &str, json: &str) -> PyZResult<T> {
    serde_json::from_str(json).map_err(|e| PyZhiliError(Error::spec(what, e.to_string())))
}

/// Serialise an engine value for the Python side.
pub(crate) fn to_json<T: serde::Serialize>(what: &str, v: &T) -> PyZResult<String> {
    serde_json::to_string(v).map_err(|e| PyZhiliError(Error::spec(what, e.to_string())))
}
