//! Files embedded in the binary so that pages and reports work offline.

/// Apache ECharts, minified (`dist/echarts.min.js` of the npm package), Apache-2.0.
/// See `io/assets/vendor/echarts/README.md` for provenance and how to update it.
pub const ECHARTS_JS: &str = include_str!("../assets/vendor/echarts/echarts.min.js");

/// The vendored ECharts version.
pub const ECHARTS_VERSION: &str = "6.1.0";

/// ECharts' licence text, to ship beside the script.
pub const ECHARTS_LICENSE: &str = include_str!("../assets/vendor/echarts/LICENSE");
