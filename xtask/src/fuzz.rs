//! `cargo xtask fuzz [--target T] [--seconds N]`: fuzzes the AMI codec.
//!
//! 1. Always: replays the committed seeds through every target on stable
//!    (`cargo test -p ami-proto --test fuzz_replay`).
//! 2. When a nightly toolchain and cargo-fuzz are installed: runs
//!    `cargo +nightly fuzz run <target>` in `crates/ami-proto/fuzz` for N
//!    seconds per target, with `corpus/<target>` (kept out of git) as the
//!    working corpus, `seeds/<target>` as an extra one, and `ami.dict`.
//!    Otherwise says what is missing and stops there, successfully.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, status};

/// The targets in `crates/ami-proto/fuzz/fuzz_targets/`.
pub(crate) const TARGETS: &[&str] = &["decode", "roundtrip", "framer_chunks", "session"];

const USAGE: &str =
    "usage: cargo xtask fuzz [--target decode|roundtrip|framer_chunks|session] [--seconds N]";

pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let mut targets: Vec<&str> = TARGETS.to_vec();
    let mut seconds: u64 = 60;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--target" => {
                let t = it.next().context("--target needs a name")?;
                let Some(known) = TARGETS.iter().find(|k| **k == t.as_str()) else {
                    bail!(
                        "fuzz: unknown target {t:?} (targets: {})",
                        TARGETS.join(", ")
                    );
                };
                targets = vec![known];
            }
            "--seconds" => {
                let n = it.next().context("--seconds needs a number")?;
                seconds = n
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .with_context(|| format!("--seconds {n:?}: not a positive number"))?;
            }
            other => bail!("fuzz: unknown argument {other:?}\n{USAGE}"),
        }
    }

    println!("fuzz: replaying the committed seeds on stable");
    status(cargo(root).args([
        "test",
        "--locked",
        "-p",
        "ami-proto",
        "--test",
        "fuzz_replay",
    ]))?;

    if let Some(missing) = missing_tools() {
        println!("fuzz: skipped: {missing}; the seeds were replayed on stable");
        return Ok(());
    }
    let dir = root.join("crates/ami-proto/fuzz");
    let dict = dir.join("ami.dict");
    for t in targets {
        let corpus = dir.join("corpus").join(t);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("creating {}", corpus.display()))?;
        let seeds = dir.join("seeds").join(t);
        println!("fuzz: {t} for {seconds} s");
        status(
            nightly_cargo()
                .current_dir(&dir)
                .args(["fuzz", "run", t])
                .arg(&corpus)
                .arg(&seeds)
                .arg("--")
                .arg(format!("-max_total_time={seconds}"))
                .arg(format!("-dict={}", dict.display())),
        )?;
    }
    println!("fuzz: no finding");
    Ok(())
}

/// `cargo +nightly`, free of the stable toolchain this xtask runs under.
fn nightly_cargo() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly")
        .env_remove("CARGO")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC");
    cmd
}

fn works(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
}

/// What stops a fuzzing run, if anything.
fn missing_tools() -> Option<&'static str> {
    if !works(nightly_cargo().arg("--version")) {
        return Some(
            "no nightly toolchain (`cargo +nightly --version` fails; install: rustup toolchain install nightly)",
        );
    }
    if !works(nightly_cargo().args(["fuzz", "--version"])) {
        return Some("cargo-fuzz is not installed (install: cargo install cargo-fuzz --locked)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_match_the_fuzz_crate() {
        let dir = crate::project_root().join("crates/ami-proto/fuzz");
        for t in TARGETS {
            assert!(
                dir.join(format!("fuzz_targets/{t}.rs")).is_file(),
                "no fuzz_targets/{t}.rs"
            );
            assert!(dir.join("seeds").join(t).is_dir(), "no seeds/{t}");
        }
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        for t in TARGETS {
            assert!(
                manifest.contains(&format!("name = \"{t}\"")),
                "{t} is not a [[bin]]"
            );
        }
    }

    #[test]
    fn bad_arguments_are_refused_before_anything_runs() {
        let root = Path::new("/nonexistent");
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let e = run(root, &args(&["--target", "nope"])).unwrap_err();
        assert!(e.to_string().contains("unknown target"), "{e}");
        let e = run(root, &args(&["--seconds", "0"])).unwrap_err();
        assert!(e.to_string().contains("positive"), "{e}");
        let e = run(root, &args(&["--bogus"])).unwrap_err();
        assert!(e.to_string().contains("unknown argument"), "{e}");
    }
}
