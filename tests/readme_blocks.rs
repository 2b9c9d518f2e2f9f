//! Every code block of README.md and py-bindings/README.md runs: `rust` blocks are doc tests
//! (`#![doc = include_str!("../README.md")]` in src/lib.rs), `python` blocks run in
//! py-bindings/tests/test_readme.py, and this file runs every `sh` block line by line against
//! the built `zhili` binary and parses every `toml` block as the document it shows.
//!
//! Lines that install something or start a long-lived process are not run here, by design:
//! `cargo install`, `pip install`, `scripts/test.sh` (the suite that runs this test) and
//! `zhili serve` (a server: the browser tests start it). `text` blocks are synopses, not code.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Lines starting with one of these are not run (see the module doc for why).
const NOT_RUN: &[&str] = &["cargo install", "pip install", "scripts/test.sh", "zhili serve"];

fn readmes() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    vec![root.join("README.md"), root.join("py-bindings/README.md")]
}

/// The blocks fenced with ```lang in a Markdown text: (first line number, body).
fn blocks(text: &str, lang: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        match &mut open {
            None if t.strip_prefix("```").is_some_and(|l| l.trim() == lang) => open = Some((i + 2, String::new())),
            Some(_) if t.starts_with("```") => out.extend(open.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    out
}

/// A shell line without its trailing `# comment`, with `cargo run --release --` as `zhili`.
fn command(line: &str) -> Option<String> {
    let code = match line.find(" #") {
        Some(k) => &line[..k],
        None => line,
    }
    .trim();
    if code.is_empty() || code.starts_with('#') || NOT_RUN.iter().any(|p| code.starts_with(p)) {
        return None;
    }
    Some(code.replacen("cargo run --release --", "zhili", 1))
}

fn run_line(dir: &Path, bin_dir: &Path, cmd: &str) -> (bool, String) {
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .expect("run sh");
    (
        out.status.success(),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn every_sh_block_runs() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_zhili"));
    let bin_dir = bin.parent().expect("bin dir");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ran = 0;
    for readme in readmes() {
        let text = std::fs::read_to_string(&readme).expect("readme");
        for (at, body) in blocks(&text, "sh") {
            for (k, line) in body.lines().enumerate() {
                let Some(cmd) = command(line) else { continue };
                assert!(
                    cmd.starts_with("zhili ") || cmd == "zhili",
                    "{}:{}: `{cmd}` is neither a zhili command nor in NOT_RUN; make it a `text` block or add it",
                    readme.display(),
                    at + k
                );
                let (ok, out) = run_line(dir.path(), bin_dir, &cmd);
                assert!(ok, "{}:{}: `{cmd}` failed:\n{out}", readme.display(), at + k);
                ran += 1;
            }
        }
    }
    assert!(ran >= 5, "only {ran} README shell lines ran");
}

#[test]
fn every_toml_block_parses_as_what_it_shows() {
    let mut parsed = 0;
    for readme in readmes() {
        let text = std::fs::read_to_string(&readme).expect("readme");
        for (at, body) in blocks(&text, "toml") {
            let at = format!("{}:{at}", readme.display());
            if body.contains("[[steps]]") {
                zhili::Pipeline::from_toml_named(&body, &at).unwrap_or_else(|e| panic!("{e}"));
            } else if body.contains("[[factors]]") {
                zhili::analysis::uncertainty::AnalysisSpec::from_toml_named(&body, &at).unwrap_or_else(|e| panic!("{e}"));
            } else if body.contains("[[nodes]]") {
                zhili::FrameworkSpec::from_toml_str(&body, &at).unwrap_or_else(|e| panic!("{e}"));
            } else {
                panic!("{at}: a toml block that is neither a pipeline, an analysis nor a framework document");
            }
            parsed += 1;
        }
    }
    assert!(parsed >= 2, "only {parsed} toml blocks");
}

#[test]
fn the_block_reader_finds_blocks_and_skips_installs() {
    let md = "text\n```sh\nzhili score   # main\npip install x\n```\n```text\nzhili F\n```\n";
    let b = blocks(md, "sh");
    assert_eq!(b, vec![(3, "zhili score   # main\npip install x\n".to_owned())]);
    assert_eq!(command("zhili score   # main").as_deref(), Some("zhili score"));
    assert_eq!(command("cargo run --release -- score").as_deref(), Some("zhili score"));
    assert_eq!(command("pip install ./py-bindings"), None);
}
