//! `cargo test` runs every fixture in the workspace's `fixtures/` folder.

#[test]
fn every_fixture_in_the_repository_conforms() {
    let dir = conformance::fixtures_dir();
    let report = conformance::run_blocking(
        &dir,
        &conformance::vendors(),
        &conformance::Options::default(),
    )
    .expect("the fixtures folder can be read");
    let text = report.render();
    println!("{text}");
    assert!(report.passed() > 0, "no check ran:\n{text}");
    assert_eq!(report.failures().count(), 0, "failing fixtures:\n{text}");
}
