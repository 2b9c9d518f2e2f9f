//! Assembling the page: template, styles, ECharts, the data as JSON, the page script.

use super::model::ReportData;
use crate::assets::ECHARTS_JS;

const TEMPLATE: &str = include_str!("template.html");
const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// Text for an HTML element or attribute.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON safe inside a `<script>` element: `<` only occurs in strings, where `\u003c` means
/// the same, so neither `</script>` nor `<!--` can appear.
fn script_json(data: &ReportData) -> String {
    // Serialising plain data into a String cannot fail.
    serde_json::to_string(data).unwrap_or_default().replace('<', "\\u003c")
}

/// The report page for `data`: one self-contained HTML document.
pub fn render_html(data: &ReportData) -> String {
    let mut out = String::with_capacity(ECHARTS_JS.len() + 200_000);
    let mut rest = TEMPLATE;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let key = &rest[start + 2..start + len];
        match key {
            "LANG" => out.push_str(&escape_html(&data.lang)),
            "TITLE" => out.push_str(&escape_html(&data.title)),
            "CSS" => out.push_str(CSS),
            "ECHARTS" => out.push_str(ECHARTS_JS),
            "DATA" => out.push_str(&script_json(data)),
            "JS" => out.push_str(JS),
            other => {
                out.push_str("{{");
                out.push_str(other);
                out.push_str("}}");
            }
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The data embedded in a report page (as [`render_html`] wrote it), if there is one.
pub fn extract_data(html: &str) -> Option<ReportData> {
    let open = r#"<script type="application/json" id="zhili-data">"#;
    let start = html.find(open)? + open.len();
    let end = start + html[start..].find("</script>")?;
    serde_json::from_str(&html[start..end]).ok()
}
