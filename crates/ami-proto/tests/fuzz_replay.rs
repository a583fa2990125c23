//! Runs every committed fuzz seed (`fuzz/seeds/<target>/*`) through every
//! fuzz target on stable, so the targets' bodies and their expectations are
//! exercised by `cargo test` without nightly or cargo-fuzz.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // the session target picks an arbitrary instant as t0

use std::path::{Path, PathBuf};

#[allow(unreachable_pub)]
#[path = "../fuzz/targets.rs"]
mod targets;

/// A target's body.
type Body = fn(&[u8]);

/// The targets, by the names of their seed folders and binaries.
const TARGETS: [(&str, Body); 4] = [
    ("decode", targets::decode),
    ("roundtrip", targets::roundtrip),
    ("framer_chunks", targets::framer_chunks),
    ("session", targets::session),
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

/// Cheap stable-toolchain coverage between fuzzing runs: deterministic
/// pseudo-random scripts through the session target.
#[test]
fn pseudo_random_session_scripts() {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..2000 {
        let len = (x % 300) as usize;
        let data: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        targets::session(&data);
    }
}
