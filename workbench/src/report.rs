//! The printable report of a scenario: one HTML page with print CSS (A4), every text escaped.

use serde_json::Value;
use zhili_io::lang::words;
use zhili_io::Lang;

use crate::state::{Base, Scored};

/// Escape text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn f2(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        format!("{v:.2}")
    }
}

/// The report page.
pub(crate) fn html(base: &Base, s: &Scored, meta: &Value, lang: Lang) -> String {
    let fw = &s.framework;
    let res = &s.results;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let title = lang.node_label(fw, fw.root());
    let scenario = meta["name"]
        .as_str()
        .map_or_else(|| t("框架原始权重", "Framework weights").to_owned(), str::to_owned);
    let names = crate::api::score::base_names(base, s);
    let colours = crate::api::framework::band_colours(&base.grading);
    let dims: Vec<usize> = fw.nodes()[fw.root()].children.clone();
    let ranks = res.index_ranks();
    let mut h = String::new();
    h.push_str(&format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/assets/report.css\"></head><body>",
        lang.code(),
        esc(&format!("{title} — {scenario}"))
    ));
    h.push_str(&format!("<header><h1>{}</h1><h2>{}</h2><dl>", esc(&title), esc(&scenario)));
    let mut row = |k: &str, v: String| h.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v)));
    if let Some(v) = meta["version"].as_i64() {
        row(t("版本", "Version"), v.to_string());
    }
    for (k, zh, en) in [("author", "保存人", "Saved by"), ("saved_at", "保存时间", "Saved at")] {
        if let Some(v) = meta[k].as_str() {
            row(t(zh, en), v.to_owned());
        }
    }
    row(t("数据", "Data"), format!("{} ({})", base.data_label, base.fingerprint));
    if let Some(y) = base.year {
        row(words::get("year", lang), y.to_string());
    }
    row(t("单位数", "Units"), res.unit_ids().len().to_string());
    h.push_str("</dl></header>");

    // Ranking.
    h.push_str(&format!(
        "<section><h3>{}</h3><table class=\"rank\"><thead><tr>",
        t("排名", "Ranking")
    ));
    let mut head = vec![
        words::get("rank", lang).to_owned(),
        words::get("unit", lang).to_owned(),
        words::get("name", lang).to_owned(),
        words::get("index", lang).to_owned(),
        words::get("grade", lang).to_owned(),
    ];
    head.extend(dims.iter().map(|&d| lang.node_label(fw, d)));
    for c in &head {
        h.push_str(&format!("<th>{}</th>", esc(c)));
    }
    h.push_str("</tr></thead><tbody>");
    for i in res.ranking() {
        let score = res.index_scores()[i];
        let band = base
            .grading
            .bands
            .iter()
            .position(|b| b.min.is_none_or(|m| score >= m))
            .filter(|_| !score.is_nan());
        let (gname, colour) = band.map_or((String::new(), "#999"), |k| {
            let b = &base.grading.bands[k];
            (lang.name(&b.name).unwrap_or(&b.id).to_owned(), colours[k])
        });
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}<span class=\"bar\" style=\"width:{:.1}%\"></span></td><td><span class=\"chip\" style=\"background:{colour}\"></span>{}</td>",
            f2(ranks[i]).trim_end_matches(".00"),
            esc(&res.unit_ids()[i]),
            esc(names.get(i).cloned().flatten().as_deref().unwrap_or("")),
            f2(score),
            score.clamp(0.0, 100.0) * 0.6,
            esc(&gname)
        ));
        for &d in &dims {
            h.push_str(&format!("<td class=\"n\">{}</td>", f2(res.scores()[[i, d]])));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></section>");

    // Weights.
    let shares = fw.sibling_shares();
    let eff = fw.effective_weights();
    h.push_str(&format!(
        "<section class=\"break\"><h3>{}</h3><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t("权重", "Weights"),
        esc(words::get("node", lang)),
        esc(words::get("parent", lang)),
        t("组内权重", "Weight in group"),
        esc(words::get("effective_weight", lang))
    ));
    for (j, n) in fw.nodes().iter().enumerate() {
        let Some(p) = n.parent else { continue };
        h.push_str(&format!(
            "<tr class=\"l{}\"><td>{} <small>{}</small></td><td>{}</td><td class=\"n\">{:.4}</td><td class=\"n\">{:.4}</td></tr>",
            n.level,
            esc(&lang.node_label(fw, j)),
            esc(&n.id),
            esc(&lang.node_label(fw, p)),
            shares[j],
            eff[j]
        ));
    }
    h.push_str("</tbody></table></section>");

    // How to reproduce.
    h.push_str(&format!(
        "<section><h3>{}</h3><p>{}</p><pre>{}</pre></section>",
        t("复现方法", "How to reproduce"),
        t(
            "导出“框架 TOML”和“流程 TOML”,用命令行复现本报告的全部数值:",
            "Export the framework and pipeline TOML documents; the command line reproduces every number of this report:"
        ),
        esc(&format!(
            "zhili score -f framework.toml -d DATA.csv -p pipeline.toml{}\n\n# pipeline.toml\n{}",
            base.year.map(|y| format!(" --year {y}")).unwrap_or_default(),
            s.pipeline.to_toml_string().unwrap_or_default()
        ))
    ));
    h.push_str("</body></html>");
    h
}
