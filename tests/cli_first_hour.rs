//! Issue 21 on the command line: both languages in every screen table, defaults as in
//! `zhili score`, weights and AHP judgements as people write them, errors that list what
//! there is.

mod common;
use common::zhili;

fn header(out: &str) -> String {
    out.lines().find(|l| l.contains('┆')).unwrap_or_default().to_owned()
}

#[test]
fn every_screen_table_speaks_the_chosen_language() {
    let asem = ["--framework", "asem-coinr"];
    let ua = ["uncertainty", "--framework", "asem-coinr", "--spread", "0.2", "-n", "20", "-q"];
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (vec!["score"], "排名", "Rank"),
        (vec!["weights", "--method", "equal"], "有效权重", "Effective weight"),
        (
            [&["audit", "--no-remove-one"][..], &asem[..]].concat(),
            "有效权重",
            "Effective weight",
        ),
        (ua.to_vec(), "名义排名", "Nominal rank"),
        (vec!["frameworks"], "说明", "Description"),
    ];
    for (args, zh, en) in cases {
        for (lang, want, not) in [("zh", zh, en), ("en", en, zh)] {
            let mut a = args.clone();
            a.extend(["--lang", lang]);
            let (ok, out, err) = zhili(&a);
            assert!(ok, "{a:?}: {err}");
            assert!(
                out.contains(want) && !out.contains(not),
                "{a:?}: want `{want}`, not `{not}`:\n{out}"
            );
        }
    }
    // node names, not ids, in the weights table; unit names in the uncertainty table
    let (_, out, _) = zhili(&["weights", "--method", "equal", "--lang", "en", "--framework", "five-governances"]);
    assert!(out.contains("Rule-of-law safeguards"), "{out}");
    let (_, out, _) = zhili(&["weights", "--method", "equal", "--lang", "zh", "--framework", "five-governances"]);
    assert!(out.contains("法治保障"), "{out}");
    let (_, out, _) = zhili(&[&ua[..], &["--lang", "en"]].concat());
    assert!(header(&out).contains("Name") && out.contains("Austria"), "{out}");
    // the English framework defaults to English
    let (_, out, _) = zhili(&[&["audit", "--no-remove-one"][..], &asem[..]].concat());
    assert!(out.contains("Effective weight"), "{out}");
}

#[test]
fn grades_follow_the_language() {
    let (ok, out, err) = zhili(&["score", "--top", "14", "--lang", "en"]);
    assert!(ok, "{err}");
    assert!(["excellent", "good", "fair", "poor"].iter().any(|g| out.contains(g)), "{out}");
    assert!(!["优秀", "良好", "一般", "较差"].iter().any(|g| out.contains(g)), "{out}");
}

#[test]
fn bare_validate_uses_the_default_framework() {
    let (ok, out, err) = zhili(&["validate"]);
    assert!(ok, "{err}");
    assert!(out.contains("kunming-county: valid") && out.contains("21 indicators"), "{out}");
}

#[test]
fn data_validation_reports_every_missing_column_with_hints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("fw.toml");
    std::fs::write(
        &f,
        "version = 1\n[[nodes]]\nid = \"i\"\n[[nodes]]\nid = \"crime_rate\"\nparent = \"i\"\n[[nodes]]\nid = \"trust\"\nparent = \"i\"\n[[nodes]]\nid = \"mediation\"\nparent = \"i\"\n",
    )
    .expect("write");
    let d = dir.path().join("d.csv");
    std::fs::write(&d, "unit,crime_rat,mediation\na,1,2\nb,3,4\n").expect("write");
    let (ok, _, err) = zhili(&["validate", "-f", f.to_str().expect("path"), "-d", d.to_str().expect("path")]);
    assert!(!ok);
    assert!(
        err.contains("`crime_rate` (did you mean `crime_rat`?)") && err.contains("`trust`"),
        "{err}"
    );
    assert!(err.contains("2 of 3"), "{err}");
}

#[test]
fn audit_prints_none_for_an_empty_table() {
    let (ok, out, err) = zhili(&["audit", "--no-remove-one", "--lang", "en", "--framework", "kunming-county"]);
    assert!(ok, "{err}");
    // the synthetic sample has no flagged correlation: the table says so
    let after = out.split("Correlation flags").nth(1).expect("section");
    assert!(after.trim_start().starts_with("(none)"), "{out}");
    let (_, out, _) = zhili(&["audit", "--no-remove-one", "--lang", "zh", "--framework", "kunming-county"]);
    assert!(out.contains("（无）"), "{out}");
}

#[test]
fn derive_grid_events_keeps_the_names() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("indicators/data");
    let (ok, out, err) = zhili(&[
        "derive",
        "grid-events",
        "--events",
        root.join("grid-events-log.csv").to_str().expect("path"),
        "--population",
        root.join("grid-events-population.csv").to_str().expect("path"),
    ]);
    assert!(ok, "{err}");
    assert!(out.starts_with("unit,name,") && out.contains("hongta,红塔区,"), "{out}");
}

#[test]
fn weights_by_name_and_did_you_mean_with_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let by_name = dir.path().join("w.toml");
    let by_id = dir.path().join("id.toml");
    // five-governances: the second dimension (法治保障, id rule_of_law)
    let (fw, _) = zhili::io::load_framework("five-governances").expect("bundled");
    let dim = fw.nodes()[fw.root()].children[1];
    let (id, zh) = (fw.nodes()[dim].id.clone(), fw.nodes()[dim].name.zh.clone().expect("zh name"));
    std::fs::write(&by_name, format!("\"{zh}\" = 3.0\n")).expect("write");
    std::fs::write(&by_id, format!("{id} = 3.0\n")).expect("write");
    let run = |w: &std::path::Path| {
        let (ok, out, err) = zhili(&[
            "score",
            "--framework",
            "five-governances",
            "--format",
            "csv",
            "--weights",
            w.to_str().expect("p"),
        ]);
        assert!(ok, "{err}");
        out
    };
    assert_eq!(run(&by_name), run(&by_id));
    let typo = dir.path().join("typo.toml");
    let mut wrong: Vec<char> = zh.chars().collect();
    let last = wrong.len() - 1;
    wrong[last] = '金';
    let wrong: String = wrong.into_iter().collect();
    std::fs::write(&typo, format!("# weights\n\"{wrong}\" = 3.0\n")).expect("write");
    let (ok, _, err) = zhili(&["score", "--framework", "five-governances", "--weights", typo.to_str().expect("p")]);
    assert!(!ok);
    assert!(err.contains("line 2") && err.contains(&format!("did you mean `{zh}`")), "{err}");
}

#[test]
fn ahp_files_as_people_write_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (fw, _) = zhili::io::load_framework("five-governances").expect("bundled");
    let root = &fw.nodes()[fw.root()];
    let kids: Vec<String> = root.children.iter().map(|&c| format!("\"{}\"", fw.nodes()[c].id)).collect();
    let n = kids.len();
    // a consistent matrix a_ij = v_i / v_j written with fractions and two-decimal reciprocals
    let v = [1.0, 2.0, 3.0, 4.0, 6.0];
    let cell = |i: usize, j: usize| -> String {
        let r = v[i] / v[j];
        if r >= 1.0 {
            format!("{r}")
        } else if i.is_multiple_of(2) {
            format!("\"{}/{}\"", v[i], v[j])
        } else {
            format!("{:.2}", r)
        }
    };
    let rows: Vec<String> = (0..n)
        .map(|i| format!("[{}]", (0..n).map(|j| cell(i, j)).collect::<Vec<_>>().join(", ")))
        .collect();
    let ahp = dir.path().join("ahp.toml");
    std::fs::write(
        &ahp,
        format!(
            "[nodes.{}]\nelements = [{}]\nmatrix = [{}]\n",
            root.id,
            kids.join(", "),
            rows.join(", ")
        ),
    )
    .expect("w");
    let out_w = dir.path().join("w.toml");
    let (ok, out, err) = zhili(&[
        "weights",
        "--method",
        "ahp",
        "--framework",
        "five-governances",
        "--ahp",
        ahp.to_str().expect("p"),
        "-o",
        out_w.to_str().expect("p"),
    ]);
    assert!(ok, "{err}\n{out}");
    let w = zhili::io::load_weights(&out_w).expect("weights");
    let total: f64 = v.iter().sum();
    for (k, &c) in root.children.iter().enumerate() {
        let got = w.weights[&fw.nodes()[c].id];
        assert!((got - v[k] / total).abs() < 5e-3, "{}: {got} vs {}", fw.nodes()[c].id, v[k] / total);
    }
    // another tool's layout: refused, naming the key and its line, not equal weights
    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        "# from another AHP tool\ncriteria = [\"a\", \"b\"]\nmatrix = [[1, 3], [0.333, 1]]\n",
    )
    .expect("w");
    let (ok, out, err) = zhili(&[
        "weights",
        "--method",
        "ahp",
        "--framework",
        "five-governances",
        "--ahp",
        other.to_str().expect("p"),
    ]);
    assert!(!ok, "{out}");
    assert!(err.contains("criteria") && err.contains("line 2"), "{err}");
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "[options]\nmax_cr = 0.2\n").expect("w");
    let (ok, _, err) = zhili(&[
        "weights",
        "--method",
        "ahp",
        "--framework",
        "five-governances",
        "--ahp",
        empty.to_str().expect("p"),
    ]);
    assert!(!ok && err.contains("judges no node"), "{err}");
}
