//! Request guards: the access token (Bearer header or the cookie set by `/?token=T`), the
//! Origin check on writes, and body size limits answered as JSON 413.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// The cookie holding the token.
pub(crate) const COOKIE: &str = "zhili_token";

/// Compare without an early exit (the time does not tell how much of a guess was right).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn presented(headers: &HeaderMap) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        if let Some(t) = v.strip_prefix("Bearer ") {
            out.push(t.trim().to_owned());
        }
    }
    for v in headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()) {
        for part in v.split(';') {
            if let Some((k, val)) = part.trim().split_once('=') {
                if k == COOKIE {
                    out.push(val.to_owned());
                }
            }
        }
    }
    out
}

fn query_token(req: &Request) -> Option<String> {
    req.uri().query()?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == "token").then(|| v.to_owned())
    })
}

/// Whether a write comes from this server's own page: an `Origin` (or, without one, a
/// `Sec-Fetch-Site`) naming another site is refused. Clients that send neither (curl,
/// scripts with the token) are not browsers making cross-site posts.
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let rest = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
        return matches!((rest, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h));
    }
    !matches!(
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        Some("cross-site" | "same-site")
    )
}

/// The guard in front of every route.
pub(crate) async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if let Some(token) = &state.inner.token {
        // `/?token=T` sets the cookie and sends the browser to `/` (the token leaves the URL bar).
        if path == "/" {
            if let Some(t) = query_token(&req) {
                if same(t.as_bytes(), token.as_bytes()) {
                    return (
                        StatusCode::SEE_OTHER,
                        [
                            (header::LOCATION, "/".to_owned()),
                            (header::SET_COOKIE, format!("{COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict")),
                        ],
                    )
                        .into_response();
                }
            }
        }
        let ok = path.starts_with("/assets/") || presented(req.headers()).iter().any(|p| same(p.as_bytes(), token.as_bytes()));
        if !ok {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "this workbench needs its access token: open the address printed by `zhili serve` (with ?token=...), or send `Authorization: Bearer TOKEN`",
            )
            .with("kind", "unauthorised")
            .into_response();
        }
    }
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if write && !same_origin(req.headers()) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "cross-site request refused: writes must come from the workbench page itself",
        )
        .with("kind", "cross_origin")
        .into_response();
    }
    let limit = if path == "/api/v1/data" {
        state.inner.max_upload
    } else {
        state.inner.max_body
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(limit);
    }
    let mut resp = next.run(req).await;
    // A body without a length that grew past the limit: the extractor's 413, with the limit.
    if resp.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(limit);
    }
    let h = resp.headers_mut();
    h.insert("x-content-type-options", header::HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", header::HeaderValue::from_static("no-referrer"));
    h.insert("x-frame-options", header::HeaderValue::from_static("DENY"));
    resp
}

fn too_large(limit: usize) -> Response {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body too large: the limit is {limit} bytes"),
    )
    .with("kind", "too_large")
    .with("limit", limit)
    .into_response()
}
