//! `zhili fit` and `zhili score --fitted`: the fitted document scores the data it was fitted on
//! exactly as `zhili score` does, and another year on the base year's scale.

#![allow(clippy::unwrap_used)]

mod common;
use common::zhili;

fn path(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).display().to_string()
}

#[test]
fn fitted_scores_its_own_year_as_score_does() {
    let dir = tempfile::tempdir().unwrap();
    let (raw, fitted_json, fitted_toml) = (path(&dir, "raw.csv"), path(&dir, "f.json"), path(&dir, "f.toml"));
    let (ok, _, err) = zhili(&[
        "score",
        "-f",
        "kunming-municipal",
        "--year",
        "2023",
        "--stage",
        "raw",
        "--format",
        "csv",
        "-o",
        &raw,
    ]);
    assert!(ok, "{err}");
    for out in [&fitted_json, &fitted_toml] {
        let (ok, _, err) = zhili(&["fit", "-f", "kunming-municipal", "--year", "2023", "-o", out]);
        assert!(ok, "{err}");
        assert!(err.contains("fitted on 14 units"), "{err}");
    }
    let (ok, direct, err) = zhili(&[
        "score",
        "-f",
        "kunming-municipal",
        "--year",
        "2023",
        "--format",
        "csv",
        "--columns",
        "all",
    ]);
    assert!(ok, "{err}");
    // The bundled framework's grading adds a `grade` column (4th) that the fitted document
    // does not carry (no --grading given): drop it, every number must be identical.
    assert!(direct.lines().next().unwrap().split(',').nth(3) == Some("grade"));
    let direct: String = direct
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(3);
            f.join(",") + "\n"
        })
        .collect();
    for f in [&fitted_json, &fitted_toml] {
        let (ok, applied, err) = zhili(&["score", "--fitted", f, "-d", &raw, "--format", "csv", "--columns", "all"]);
        assert!(ok, "{err}");
        assert_eq!(applied, direct, "--fitted {f}");
    }
}

#[test]
fn another_year_is_scored_on_the_base_year_scale() {
    let dir = tempfile::tempdir().unwrap();
    let (raw, base) = (path(&dir, "raw2023.csv"), path(&dir, "base2022.json"));
    assert!(
        zhili(&[
            "score",
            "-f",
            "kunming-municipal",
            "--year",
            "2023",
            "--stage",
            "raw",
            "--format",
            "csv",
            "-o",
            &raw
        ])
        .0
    );
    assert!(zhili(&["fit", "-f", "kunming-municipal", "--year", "2022", "-o", &base]).0);
    let (ok, on_base, err) = zhili(&["score", "--fitted", &base, "-d", &raw, "--format", "csv"]);
    assert!(ok, "{err}");
    let (_, refit, _) = zhili(&["score", "-f", "kunming-municipal", "--year", "2023", "--format", "csv"]);
    // Same units, other numbers: min-max on 2022, not on 2023.
    assert_eq!(on_base.lines().count(), refit.lines().count());
    assert_ne!(on_base, refit);
}

#[test]
fn fitted_conflicts_and_bad_documents_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let base = path(&dir, "base.json");
    assert!(zhili(&["fit", "-f", "kunming-municipal", "-o", &base]).0);
    let (ok, _, err) = zhili(&["score", "--fitted", &base, "-f", "kunming-county", "-d", &base]);
    assert!(!ok && err.contains("--fitted") && err.contains("--framework"), "{err}");
    let (ok, _, err) = zhili(&["score", "--fitted", &base]);
    assert!(!ok && err.contains("--data"), "{err}");
    let (ok, _, err) = zhili(&["fit", "-f", "kunming-municipal", "-o", &path(&dir, "f.yaml")]);
    assert!(!ok && err.contains(".json or .toml"), "{err}");
    let text = std::fs::read_to_string(&base)
        .unwrap()
        .replacen("\"version\": 1", "\"version\": 3", 1);
    let bad = path(&dir, "bad.json");
    std::fs::write(&bad, text).unwrap();
    let (ok, _, err) = zhili(&["score", "--fitted", &bad, "-d", &base]);
    assert!(!ok && err.contains("bad.json") && err.contains("version"), "{err}");
    let (ok, _, err) = zhili(&["fit", "-f", "kunming-municipal", "-p", &path(&dir, "none.toml"), "-o", &base]);
    assert!(!ok, "{err}");
}
