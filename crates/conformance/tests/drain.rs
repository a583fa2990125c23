//! The AMI client check reads events while the recorded actions run: a
//! recording with far more events than the client's queue holds passes
//! without `lagged`.

use conformance::{Options, run_blocking, vendors};

#[test]
fn a_flood_larger_than_the_event_queue_is_not_lagged() {
    let src = conformance::fixtures_dir().join("ami/recordings");
    let dir = std::env::temp_dir().join(format!("cti-drain-{}", std::process::id()));
    let dst = dir.join("ami");
    std::fs::create_dir_all(&dst).unwrap();
    let text = std::fs::read(src.join("l-small-flood.transcript")).unwrap();
    // 2,980 events through a queue of 1,024.
    let mut small = b"# client-event-queue: 1024\n".to_vec();
    small.extend_from_slice(&text);
    std::fs::write(dst.join("l-small-flood.transcript"), small).unwrap();
    std::fs::copy(
        src.join("l-small-flood.golden.jsonl"),
        dst.join("l-small-flood.golden.jsonl"),
    )
    .unwrap();
    let report = run_blocking(&dir, &vendors(), &Options::default()).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(report.passed(), 1, "{}", report.render());
    assert_eq!(report.failures().count(), 0, "{}", report.render());
}
