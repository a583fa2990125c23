//! `cti demo` runs the seed scenarios on the built-in simulators.

use std::process::Command;

#[test]
fn demo_prints_both_seed_scenarios_as_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_cti"))
        .args(["demo", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<cti_core::Event> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let types: Vec<String> = events
        .iter()
        .map(|e| {
            serde_json::to_value(e).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let count = |t: &str| types.iter().filter(|x| *x == t).count();
    if cfg!(feature = "ami") {
        assert_eq!(count("originated"), 2, "{types:?}");
        assert_eq!(count("answered"), 3, "1002 twice, 1003 once: {types:?}");
        assert_eq!(count("transferred"), 1);
        assert_eq!(count("ended"), 2);
        assert_eq!(types.first().map(String::as_str), Some("connected"));
        assert_eq!(types.last().map(String::as_str), Some("closed"));
        let mut ts: Vec<_> = events.iter().map(|e| e.ts).collect();
        let sorted = {
            let mut s = ts.clone();
            s.sort();
            s
        };
        assert_eq!(
            std::mem::take(&mut ts),
            sorted,
            "one timeline, in time order"
        );
    } else {
        assert!(events.is_empty());
    }
}
