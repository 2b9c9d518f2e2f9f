#![allow(missing_docs)]
//! `POST /api/v1/score` of the workbench over loopback HTTP: p50 / p95 / max latency of a
//! weights-only change, for Yunnan's 129 units (bundled `yunnan-129` of `kunming-county`) and
//! for the numpy peer's 2,844 units × 67 indicators (`bench-data/`, else data of the same
//! shape). Each request sends different weights, so nothing is answered from a cache of
//! results; the prepared (normalised) stage is reused, as in use. Run:
//! `cargo bench --bench workbench` (targets: p95 ≤ 20 ms and ≤ 60 ms).

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use zhili::{Dataset, Framework, Pipeline};

fn start(fw: Framework, data: Dataset, pipeline: Pipeline, db: &Path) -> SocketAddr {
    let mut cfg = zhili_workbench::Config::new(fw, data, pipeline);
    cfg.port = 0;
    cfg.db = db.to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = zhili_workbench::serve(cfg, |addr| {
            let _ = tx.send(addr);
        });
    });
    rx.recv_timeout(Duration::from_secs(30)).expect("server started")
}

fn post(addr: SocketAddr, path: &str, body: &str) -> (u16, usize) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).expect("nodelay");
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read");
    let head = String::from_utf8_lossy(&out[..out.len().min(12)]).into_owned();
    (head[9..12].parse().unwrap_or(0), out.len())
}

fn bench(label: &str, fw: Framework, data: Dataset, pipeline: Pipeline, requests: usize) {
    let dir = tempfile::tempdir().expect("dir");
    let groups: Vec<String> = fw.nodes()[fw.root()].children.iter().map(|&c| fw.nodes()[c].id.clone()).collect();
    let units = data.n_units();
    let m = fw.indicators().len();
    let addr = start(fw, data, pipeline, &dir.path().join("bench.sqlite"));
    // Warm-up: the first request prepares (imputes, normalises) once.
    let t0 = Instant::now();
    let (st, _) = post(addr, "/api/v1/score", "{}");
    assert_eq!(st, 200);
    let first = t0.elapsed();
    let mut times = Vec::with_capacity(requests);
    let mut bytes = 0;
    for k in 0..requests {
        let w = 1.0 + (k % 17) as f64 / 10.0;
        let body = format!("{{\"weights\": {{\"{}\": {w}}}}}", groups[k % groups.len()]);
        let t = Instant::now();
        let (st, n) = post(addr, "/api/v1/score", &body);
        times.push(t.elapsed());
        assert_eq!(st, 200);
        bytes = n;
    }
    times.sort();
    let q = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "workbench POST /api/v1/score {label} ({units} units x {m} indicators, {requests} requests, {bytes} B answer): first {:.1} ms, p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        first.as_secs_f64() * 1e3,
        q(0.5),
        q(0.95),
        q(1.0)
    );
}

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test --all-targets` a few requests check it runs.
    let n = if std::env::args().any(|a| a == "--bench") { 300 } else { 3 };
    let b = zhili::indicators::get("kunming-county").expect("bundled");
    let fw = b.framework().expect("framework");
    let yunnan = zhili::indicators::sample("yunnan-129").expect("sample").load().expect("data");
    let yunnan = match yunnan.time().and_then(|t| t.iter().max().copied()) {
        Some(y) => yunnan.at_time(y).expect("year"),
        None => yunnan,
    };
    bench("yunnan-129", fw, yunnan, b.pipeline().expect("pipeline"), n);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    let (fw, ds) = support::load_baseline(&dir, 2_844, 67, 1).unwrap_or_else(|| support::synthetic(2_844, 67));
    bench("2844x67", fw, ds, support::score_pipeline(), n);
}
