//! Every sentence in the engine's docs that says zhili reproduces a peer tool names the test
//! that proves it (a `tests/…` file), or says plainly that no test holds it to that peer.

use std::path::Path;

/// Peer tools a claim can name.
const PEERS: &[&str] = &[
    "coinr",
    "compind",
    "pymcdm",
    "pyrepo",
    "scikit-criteria",
    "pydecision",
    "ahpy",
    "crispyn",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The doc-comment paragraph around line `i` (consecutive `///` or `//!` lines).
fn paragraph(lines: &[&str], i: usize) -> String {
    let is_doc = |l: &str| {
        let t = l.trim_start();
        t.starts_with("///") || t.starts_with("//!")
    };
    let (mut a, mut b) = (i, i);
    while a > 0 && is_doc(lines[a - 1]) && !lines[a - 1].trim_start().trim_start_matches(['/', '!']).trim().is_empty() {
        a -= 1;
    }
    while b + 1 < lines.len() && is_doc(lines[b + 1]) && !lines[b + 1].trim_start().trim_start_matches(['/', '!']).trim().is_empty() {
        b += 1;
    }
    lines[a..=b].join("\n").to_lowercase()
}

#[test]
fn every_reproduces_claim_points_at_its_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in ["core/src", "indicators/src", "io/src", "src"] {
        rust_files(&root.join(d), &mut files);
    }
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let low = l.to_lowercase();
            let doc = l.trim_start().starts_with("///") || l.trim_start().starts_with("//!");
            if !doc || !(low.contains("reproduc") || low.contains(" as in ")) {
                continue;
            }
            // the peer is named in the claim's sentence: this line or the next
            let near = format!("{low} {}", lines.get(i + 1).map(|l| l.to_lowercase()).unwrap_or_default());
            if !PEERS.iter().any(|p| near.contains(p)) {
                continue;
            }
            let para = paragraph(&lines, i);
            if !(para.contains("tests/") || para.contains("no test here") || para.contains("no test holds")) {
                bad.push(format!("{}:{}: {}", f.strip_prefix(root).unwrap_or(f).display(), i + 1, l.trim()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "claims about peers without the test that proves them:\n{}",
        bad.join("\n")
    );
}
