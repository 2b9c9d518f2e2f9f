//! `zhili serve`: the first line names the real address, the page and API answer over HTTP,
//! Ctrl-C (SIGINT) stops it cleanly, and an unprotected public address is refused.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn zhili() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zhili"))
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

#[test]
fn serve_prints_the_real_address_answers_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = zhili()
        .args(["serve", "--port", "0", "--db"])
        .arg(dir.path().join("wb.sqlite"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let addr = first
        .strip_prefix("listening on http://")
        .and_then(|r| r.strip_suffix('/'))
        .unwrap_or_else(|| panic!("first line: {first}"))
        .to_owned();
    let port: u16 = addr.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    assert_ne!(port, 0);
    assert!(addr.starts_with("127.0.0.1:"));
    let page = http_get(&addr, "/");
    assert!(page.starts_with("HTTP/1.1 200") && page.contains("/assets/app.js"), "{page}");
    let fw = http_get(&addr, "/api/v1/framework");
    assert!(fw.contains("\"kunming-county\""), "{fw}");
    // Ctrl-C.
    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-INT", &pid]).status().expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert!(status.success(), "clean exit after SIGINT: {status:?}");
}

#[test]
fn serve_refuses_a_public_address_without_a_token() {
    let dir = tempfile::tempdir().expect("dir");
    let out = zhili()
        .args(["serve", "--host", "0.0.0.0", "--port", "0", "--db"])
        .arg(dir.path().join("wb.sqlite"))
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--token") && err.contains("0.0.0.0"), "{err}");
}
