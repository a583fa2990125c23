//! Runs every committed fuzz seed (`fuzz/seeds/<target>/*`) through every
//! fuzz target on stable, so the targets' bodies and their expectations are
//! exercised by `cargo test` without nightly or cargo-fuzz.

use std::path::{Path, PathBuf};

/// A target's body.
type Body = fn(&[u8]);

/// The targets, by the names of their seed folders and binaries.
const TARGETS: [(&str, Body); 1] = [("ndjson", o2g_api::codec::ndjson::fuzz_check)];

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds")
}

fn seed_files(target: &str) -> Vec<PathBuf> {
    let dir = seeds_dir().join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_has_seeds_and_every_seed_folder_a_target() {
    for (name, _) in TARGETS {
        assert!(
            seed_files(name).len() >= 5,
            "fuzz/seeds/{name} has fewer than 5 seeds"
        );
        let bin = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/fuzz_targets")
            .join(format!("{name}.rs"));
        assert!(bin.is_file(), "no {}", bin.display());
    }
    for entry in std::fs::read_dir(seeds_dir()).expect("fuzz/seeds exists") {
        let name = entry.expect("directory entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            TARGETS.iter().any(|(t, _)| *t == name),
            "fuzz/seeds/{name} names no target"
        );
    }
}

#[test]
fn every_seed_passes_every_target() {
    let mut runs = 0;
    for (folder, _) in TARGETS {
        for file in seed_files(folder) {
            let data = std::fs::read(&file).expect("readable seed");
            for (target, body) in TARGETS {
                let r = std::panic::catch_unwind(|| body(&data));
                assert!(
                    r.is_ok(),
                    "target {target} fails on seed {}",
                    file.display()
                );
                runs += 1;
            }
        }
    }
    assert!(runs >= 10, "only {runs} runs");
}

/// The seeds really reach the decoder: most of their lines are events.
#[test]
fn spec_seeds_decode_to_events() {
    for name in ["spec7a", "spec7b", "spec7c", "packages"] {
        let data = std::fs::read(seeds_dir().join("ndjson").join(name)).expect("seed");
        let items = o2g_api::codec::ndjson::decode_lines_with(&data[2..], 1024);
        assert!(!items.is_empty(), "{name}");
        for item in items {
            assert!(item.is_ok(), "{name}: {item:?}");
        }
    }
}

/// Cheap stable-toolchain coverage between fuzzing runs: deterministic
/// pseudo-random mutations of the seeds through the target.
#[test]
fn pseudo_random_mutations_of_the_seeds() {
    let seeds: Vec<Vec<u8>> = seed_files("ndjson")
        .iter()
        .map(|f| std::fs::read(f).expect("readable seed"))
        .collect();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..600 {
        let mut data = seeds[i % seeds.len()].clone();
        for _ in 0..(next() % 6) {
            if data.is_empty() {
                break;
            }
            let at = (next() as usize) % data.len();
            match next() % 4 {
                0 => data[at] = next() as u8,
                1 => {
                    data.remove(at);
                }
                2 => data.insert(at, b"\n{}\":,[]\r"[(next() % 9) as usize]),
                _ => data.truncate(at.max(2)),
            }
        }
        o2g_api::codec::ndjson::fuzz_check(&data);
    }
}
