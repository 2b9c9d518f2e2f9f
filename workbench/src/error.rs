//! API errors: a status and a JSON body `{"error": "...", ...}` naming what is wrong.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// An error answered as JSON with a 4xx / 5xx status.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The message a person reads.
    pub message: String,
    /// Extra fields (`node`, `unit`, `problems`, `line`, `column`, ...).
    pub fields: Map<String, Value>,
}

impl ApiError {
    /// An error with a status and a message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            fields: Map::new(),
        }
    }

    /// 400 Bad Request.
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404 Not Found.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 500, for a failure that is not the client's (the store, a worker thread).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// Add a field to the body.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(key.to_owned(), value.into());
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("error".into(), Value::String(self.message));
        body.extend(self.fields);
        (self.status, axum::Json(Value::Object(body))).into_response()
    }
}

/// Engine errors are the client's (a bad weight, node or document): 400 (404 for an unknown
/// unit), with the structured fields of the error kept.
impl From<zhili_core::Error> for ApiError {
    fn from(e: zhili_core::Error) -> Self {
        use zhili_core::Error as E;
        let message = e.to_string();
        match e {
            E::Framework(problems) => ApiError::bad(message).with("problems", json!(problems)).with(
                "node",
                problems.iter().find_map(|p| p.node.clone()).map_or(Value::Null, Value::String),
            ),
            E::Unknown { what, id, .. } => {
                let status = if what == "unit" {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::BAD_REQUEST
                };
                ApiError::new(status, message)
                    .with("kind", format!("unknown_{what}"))
                    .with(what, id)
            }
            E::Parse { location, .. } => ApiError::bad(message)
                .with("file", location.file)
                .with("line", location.line.map_or(Value::Null, Value::from))
                .with("column", location.column.map_or(Value::Null, Value::from)),
            E::MissingColumn { column, .. } => ApiError::bad(message).with("column", column),
            E::Method { unit, node, .. } => ApiError::bad(message)
                .with("unit", unit.map_or(Value::Null, Value::from))
                .with("node", node.map_or(Value::Null, Value::from)),
            _ => ApiError::bad(message),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::internal(format!("scenario store: {e}"))
    }
}

/// Result of a handler.
pub(crate) type ApiResult<T> = Result<T, ApiError>;
