//! Altering a fixture anywhere — what the vendor sends, what the application
//! sends, the golden events, or the framing — makes the run fail.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use conformance::{Options, Report, run_blocking, vendors};

fn temp_copy() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "cti-conformance-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let src = conformance::fixtures_dir().join("selftest");
    let dst = dir.join("selftest");
    std::fs::create_dir_all(&dst).unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dst.join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn run(dir: &Path) -> Report {
    run_blocking(dir, &vendors(), &Options::default()).unwrap()
}

fn failed_checks(r: &Report, fixture: &str) -> Vec<String> {
    r.failures()
        .filter(|o| o.fixture.ends_with(fixture))
        .map(|o| format!("{:?}: {}", o.check, o.result.as_ref().unwrap_err()))
        .collect()
}

#[test]
fn an_unaltered_copy_passes() {
    let dir = temp_copy();
    let r = run(&dir);
    assert_eq!(r.failures().count(), 0, "{}", r.render());
    assert_eq!(r.passed(), 6);
}

#[test]
fn altered_server_bytes_in_a_transcript_fail_both_checks() {
    let dir = temp_copy();
    // Same length, so the transcript still parses; the vendor now says 1003.
    replace_in(
        &dir.join("selftest/tcp-basic-call.transcript"),
        "Event: answered\r\nCall: c-1000\r\nDevice: 1002",
        "Event: answered\r\nCall: c-1000\r\nDevice: 1003",
    );
    let r = run(&dir);
    let f = failed_checks(&r, "tcp-basic-call");
    assert_eq!(f.len(), 2, "{}", r.render());
    assert!(f.iter().any(|m| m.contains("Device: 1003")), "{f:?}");
}

#[test]
fn altered_client_bytes_in_a_transcript_fail_against_the_simulator() {
    let dir = temp_copy();
    replace_in(
        &dir.join("selftest/tcp-basic-call.transcript"),
        "To: 1002\r\n\r\n",
        "To: 1009\r\n\r\n",
    );
    let r = run(&dir);
    let f = failed_checks(&r, "tcp-basic-call");
    assert!(
        f.iter().any(|m| m.starts_with("Some(Simulator)")),
        "{}",
        r.render()
    );
}

#[test]
fn a_wrong_chunk_length_is_a_load_error() {
    let dir = temp_copy();
    replace_in(
        &dir.join("selftest/tcp-basic-call.transcript"),
        "len=18\nSelfTest",
        "len=17\nSelfTest",
    );
    let r = run(&dir);
    let f = failed_checks(&r, "tcp-basic-call");
    assert_eq!(f.len(), 1, "{}", r.render());
    assert!(
        f[0].starts_with("None: ") && f[0].contains("transcript"),
        "{f:?}"
    );
}

#[test]
fn altered_golden_events_fail() {
    let dir = temp_copy();
    replace_in(
        &dir.join("selftest/ws-basic-call.golden.jsonl"),
        "\"type\":\"answered\"",
        "\"type\":\"held\"",
    );
    let r = run(&dir);
    assert_eq!(
        failed_checks(&r, "ws-basic-call").len(),
        2,
        "{}",
        r.render()
    );
    let dir = temp_copy();
    // Dropping a line is caught too.
    let p = dir.join("selftest/http-basic-call.golden.jsonl");
    let text = std::fs::read_to_string(&p).unwrap();
    let fewer: Vec<&str> = text.lines().take(5).collect();
    std::fs::write(&p, fewer.join("\n")).unwrap();
    let r = run(&dir);
    assert_eq!(
        failed_checks(&r, "http-basic-call").len(),
        2,
        "{}",
        r.render()
    );
}

#[test]
fn altered_http_story_fails() {
    let dir = temp_copy();
    // The vendor's streamed event now names another device.
    replace_in(
        &dir.join("selftest/http-basic-call.story.json"),
        "\"device\": \"1002\", \"caller\"",
        "\"device\": \"1004\", \"caller\"",
    );
    let r = run(&dir);
    assert_eq!(
        failed_checks(&r, "http-basic-call").len(),
        2,
        "{}",
        r.render()
    );
    let dir = temp_copy();
    // The application's request now differs from what the simulator accepts.
    replace_in(
        &dir.join("selftest/http-basic-call.story.json"),
        "\"path\": \"/calls/${call}?device=1001\"",
        "\"path\": \"/calls/${call}/x?device=1001\"",
    );
    let r = run(&dir);
    let f = failed_checks(&r, "http-basic-call");
    assert!(f.iter().any(|m| m.contains("404")), "{}", r.render());
}

#[test]
fn altered_websocket_frames_fail() {
    let dir = temp_copy();
    replace_in(
        &dir.join("selftest/ws-basic-call.frames"),
        "S: {\"response\":\"ok\"}",
        "S: {\"response\":\"okay\"}",
    );
    let r = run(&dir);
    let f = failed_checks(&r, "ws-basic-call");
    assert!(f.iter().any(|m| m.contains("okay")), "{}", r.render());
}

#[test]
fn a_fixture_without_metadata_or_golden_fails() {
    let dir = temp_copy();
    let p = dir.join("selftest/ws-basic-call.frames");
    let text = std::fs::read_to_string(&p).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("# "))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&p, body).unwrap();
    std::fs::remove_file(dir.join("selftest/tcp-basic-call.golden.jsonl")).unwrap();
    let r = run(&dir);
    assert!(
        failed_checks(&r, "ws-basic-call")[0].contains("metadata"),
        "{}",
        r.render()
    );
    assert!(
        failed_checks(&r, "tcp-basic-call")[0].contains("no golden file"),
        "{}",
        r.render()
    );
}
