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
    let vendors = usize::from(cfg!(feature = "ami")) + usize::from(cfg!(feature = "o2g"));
    let from = |source: &str| {
        events
            .iter()
            .filter(|e| e.source.as_str() == source)
            .count()
    };
    assert_eq!(from("ami") > 0, cfg!(feature = "ami"));
    assert_eq!(from("o2g") > 0, cfg!(feature = "o2g"));
    if vendors > 0 {
        assert_eq!(count("originated"), 2 * vendors, "{types:?}");
        assert_eq!(
            count("answered"),
            3 * vendors,
            "1002 twice, 1003 once: {types:?}"
        );
        assert_eq!(count("transferred"), vendors);
        assert_eq!(count("ended"), 2 * vendors);
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
