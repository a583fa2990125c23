//! `--bless` writes golden files only from runs that lost nothing.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Result;
use conformance::runner::{BoxFuture, RunningSim, Vendor};
use conformance::selftest::SelfTest;
use conformance::{Fixture, Options, Received, run_blocking};
use cti_core::{Event, EventKind, Source, Timestamp};

/// The self-test plug-in, with the client losing events (or the link a gap)
/// in the middle of the run.
struct Lossy(EventKind);

impl Vendor for Lossy {
    fn name(&self) -> &'static str {
        "selftest"
    }

    fn run_client<'a>(
        &'a self,
        fixture: &'a Fixture,
        server: SocketAddr,
    ) -> BoxFuture<'a, Result<Vec<Event>>> {
        Box::pin(async move {
            let mut events = SelfTest.run_client(fixture, server).await?;
            let at = events.len() / 2;
            events.insert(
                at,
                Event::new(Timestamp::EPOCH, Source::Ami, self.0.clone()),
            );
            Ok(events)
        })
    }

    fn start_simulator<'a>(&'a self, fixture: &'a Fixture) -> BoxFuture<'a, Result<RunningSim>> {
        SelfTest.start_simulator(fixture)
    }

    fn normalize(&self, fixture: &Fixture, received: &Received) -> Result<Vec<Event>> {
        SelfTest.normalize(fixture, received)
    }
}

fn copy_of_selftest(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cti-bless-{}-{tag}", std::process::id()));
    let dst = dir.join("selftest");
    std::fs::create_dir_all(&dst).unwrap();
    for entry in std::fs::read_dir(conformance::fixtures_dir().join("selftest")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dst.join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn bless_with(kind: EventKind, tag: &str, expect: &str) {
    let dir = copy_of_selftest(tag);
    let golden = dir.join("selftest/tcp-basic-call.golden.jsonl");
    let before = std::fs::read(&golden).unwrap();
    let opts = Options {
        bless: true,
        only: Some("tcp-basic-call".into()),
        ..Options::default()
    };
    let vendors: Vec<Box<dyn Vendor>> = vec![Box::new(Lossy(kind))];
    let report = run_blocking(&dir, &vendors, &opts).unwrap();
    let text = report.render();
    let client = report
        .outcomes
        .iter()
        .find(|o| o.check == Some(conformance::Check::Client))
        .expect("a client check ran");
    let err = client.result.as_ref().unwrap_err();
    assert!(
        err.contains(expect) && err.contains("refusing to bless"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(&golden).unwrap(),
        before,
        "the golden file was rewritten"
    );
    // Without --bless the same run fails the check as well.
    let report = run_blocking(
        &dir,
        &vendors,
        &Options {
            only: Some("tcp-basic-call".into()),
            ..Options::default()
        },
    )
    .unwrap();
    assert!(
        report
            .failures()
            .any(|o| o.check == Some(conformance::Check::Client)),
        "{}",
        report.render()
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_run_that_lagged_is_not_blessed() {
    bless_with(
        EventKind::Lagged { missed: 7 },
        "lagged",
        "`lagged` (7 events missed)",
    );
}

#[test]
fn a_run_with_a_gap_is_not_blessed() {
    bless_with(
        EventKind::Reconnected { gap: true },
        "gap",
        "reconnection with a gap",
    );
}

#[test]
fn a_clean_run_is_blessed_with_placeholders_for_call_ids() {
    let dir = copy_of_selftest("clean");
    let golden = dir.join("selftest/tcp-basic-call.golden.jsonl");
    std::fs::remove_file(&golden).unwrap();
    let opts = Options {
        bless: true,
        only: Some("tcp-basic-call".into()),
        ..Options::default()
    };
    let report = run_blocking(&dir, &conformance::vendors(), &opts).unwrap();
    assert_eq!(report.failures().count(), 0, "{}", report.render());
    let text = std::fs::read_to_string(&golden).unwrap();
    assert!(text.contains("\"call\":\"${call1}\""), "{text}");
    assert!(!text.contains("c-1000"), "{text}");
    // The blessed file passes both checks (the simulator numbers its calls
    // its own way).
    let report = run_blocking(
        &dir,
        &conformance::vendors(),
        &Options {
            only: Some("tcp-basic-call".into()),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(report.failures().count(), 0, "{}", report.render());
    assert_eq!(report.passed(), 2);
    std::fs::remove_dir_all(&dir).ok();
}
