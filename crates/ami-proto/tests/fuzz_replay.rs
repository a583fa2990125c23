//! Runs every committed fuzz seed (`fuzz/seeds/<target>/*`) through every
//! fuzz target on stable, so the targets' bodies and their expectations are
//! exercised by `cargo test` without nightly or cargo-fuzz.

use std::path::{Path, PathBuf};

#[allow(unreachable_pub)]
#[path = "../fuzz/targets.rs"]
mod targets;

/// A target's body.
type Body = fn(&[u8]);

/// The targets, by the names of their seed folders and binaries.
const TARGETS: [(&str, Body); 3] = [
    ("decode", targets::decode),
    ("roundtrip", targets::roundtrip),
    ("framer_chunks", targets::framer_chunks),
];

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
    assert!(runs >= 3 * 15, "only {runs} runs");
}
