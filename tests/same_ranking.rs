//! One rule for panel data everywhere: `zhili score` and the Rust library give the same
//! index and ranking for every bundled framework (the latest year of panel data, or the
//! year asked). py-bindings/tests/test_same_ranking.py holds Python to the same CLI output.

use std::collections::BTreeMap;
use std::process::Command;

use zhili::indicators::CATALOGUE;

/// `zhili score ... --format csv`: unit id → index score, read by header name.
fn cli_index(args: &[&str], index_id: &str) -> BTreeMap<String, f64> {
    let out = Command::new(env!("CARGO_BIN_EXE_zhili"))
        .args(["score", "--format", "csv"])
        .args(args)
        .output()
        .expect("run zhili");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().expect("header").iter().map(str::to_owned).collect();
    let unit = header.iter().position(|h| h == "unit").unwrap_or(0);
    let index = header
        .iter()
        .position(|h| h == index_id)
        .unwrap_or_else(|| panic!("no `{index_id}` column in {header:?}"));
    rdr.records()
        .map(|r| {
            let r = r.expect("record");
            (r[unit].to_owned(), r[index].parse::<f64>().expect("number"))
        })
        .collect()
}

/// Units best first, ties by id (what a person reads as the ranking).
fn ranking(scores: &BTreeMap<String, f64>) -> Vec<&str> {
    let mut v: Vec<(&str, f64)> = scores.iter().map(|(u, s)| (u.as_str(), *s)).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().map(|(u, _)| u).collect()
}

fn library_index(name: &str, year: Option<i64>) -> BTreeMap<String, f64> {
    let b = zhili::indicators::get(name).expect("bundled");
    let fw = b.framework().expect("framework");
    let data = b.dataset_at(year).expect("data");
    let run = b.pipeline().expect("pipeline").run(&fw, &data).expect("run");
    let r = &run.results;
    r.unit_ids().iter().cloned().zip(r.index_scores().iter().copied()).collect()
}

fn assert_same(name: &str, cli: &BTreeMap<String, f64>, lib: &BTreeMap<String, f64>) {
    assert_eq!(cli.len(), lib.len(), "{name}: units differ: {:?} vs {:?}", cli.keys(), lib.keys());
    for (u, s) in lib {
        let c = cli
            .get(u)
            .unwrap_or_else(|| panic!("{name}: unit `{u}` missing from the CLI output"));
        assert!((c - s).abs() <= 1e-9 * s.abs().max(1.0), "{name}: `{u}` CLI {c} vs Rust {s}");
    }
    assert_eq!(ranking(cli), ranking(lib), "{name}: rankings differ");
}

#[test]
fn cli_and_rust_rank_every_bundled_framework_alike() {
    for b in CATALOGUE.iter().filter(|b| b.data.is_some()) {
        let fw = b.framework().expect("framework");
        let index_id = fw.nodes()[fw.root()].id.clone();
        let lib = library_index(b.name, None);
        let cli = cli_index(&["--framework", b.name], &index_id);
        assert_same(b.name, &cli, &lib);
    }
}

#[test]
fn panel_data_scores_the_latest_year_unless_told() {
    let b = zhili::indicators::get("kunming-county").expect("bundled");
    let panel = b.panel().expect("panel");
    assert_eq!(panel.times(), [2021, 2022, 2023]);
    // Rust's default is one year, 14 units, not 42 unit-years pooled.
    assert_eq!(b.dataset().expect("data").n_units(), 14);
    assert_eq!(b.dataset().expect("data").time(), Some(&[2023; 14][..]));
    for year in [2021, 2022] {
        let lib = library_index("kunming-county", Some(year));
        let cli = cli_index(&["--framework", "kunming-county", "--year", &year.to_string()], "index");
        assert_same("kunming-county", &cli, &lib);
    }
}

#[test]
fn an_unknown_year_lists_the_years_there_are() {
    let out = Command::new(env!("CARGO_BIN_EXE_zhili"))
        .args(["score", "--year", "1999"])
        .output()
        .expect("run zhili");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1999") && err.contains("2021, 2022, 2023"), "{err}");
    let b = zhili::indicators::get("kunming-county").expect("bundled");
    let e = b.dataset_at(Some(1999)).expect_err("no 1999").to_string();
    assert!(e.contains("2021, 2022, 2023"), "{e}");
}
