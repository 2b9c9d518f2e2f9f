//! The page: HTML, JavaScript and CSS embedded in the binary, and the vendored ECharts.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

const INDEX: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");
const REPORT_CSS: &str = include_str!("../assets/report.css");

/// Scripts and styles only from this server (ECharts sets inline styles on its nodes).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn asset(body: &'static str, mime: &'static str) -> Response {
    let mut r = ([(header::CONTENT_TYPE, mime)], body).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// `GET /`.
pub(crate) async fn index() -> Response {
    let mut r = asset(INDEX, "text/html; charset=utf-8");
    r.headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    r
}

/// `GET /assets/app.js`.
pub(crate) async fn app_js() -> Response {
    asset(APP_JS, "text/javascript; charset=utf-8")
}

/// `GET /assets/app.css`.
pub(crate) async fn app_css() -> Response {
    asset(APP_CSS, "text/css; charset=utf-8")
}

/// `GET /assets/report.css`.
pub(crate) async fn report_css() -> Response {
    asset(REPORT_CSS, "text/css; charset=utf-8")
}

/// `GET /assets/echarts.min.js` (Apache ECharts, vendored).
pub(crate) async fn echarts() -> Response {
    let mut r = (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        zhili_io::assets::ECHARTS_JS,
    )
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=86400"));
    r
}

/// `GET /assets/echarts-LICENSE.txt`.
pub(crate) async fn echarts_license() -> Response {
    asset(zhili_io::assets::ECHARTS_LICENSE, "text/plain; charset=utf-8")
}
