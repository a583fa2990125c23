//! `cargo xtask fuzz [--crate ami|o2g] [--target T] [--seconds N]`: fuzzes
//! the AMI codec (default) or the O2G event channel decoder.
//!
//! 1. Always: replays the committed seeds through every target on stable
//!    (`cargo test -p <package> --test fuzz_replay`).
//! 2. When a nightly toolchain and cargo-fuzz are installed: runs
//!    `cargo +nightly fuzz run <target>` in `crates/<crate>/fuzz` for N
//!    seconds per target, with `corpus/<target>` (kept out of git) as the
//!    working corpus, `seeds/<target>` as an extra one, and the crate's
//!    dictionary if it has one (`ami.dict`).
//!    Otherwise says what is missing and stops there, successfully.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, status};

/// The targets in `crates/ami-proto/fuzz/fuzz_targets/`.
pub(crate) const TARGETS: &[&str] = &["decode", "roundtrip", "framer_chunks", "session"];

/// The targets in `crates/o2g-api/fuzz/fuzz_targets/`.
pub(crate) const O2G_TARGETS: &[&str] = &["ndjson"];

/// A fuzzed crate: its package, fuzz folder, targets and dictionary.
struct Fuzzed {
    package: &'static str,
    dir: &'static str,
    targets: &'static [&'static str],
    dict: Option<&'static str>,
}

const AMI: Fuzzed = Fuzzed {
    package: "ami-proto",
    dir: "crates/ami-proto/fuzz",
    targets: TARGETS,
    dict: Some("ami.dict"),
};

const O2G: Fuzzed = Fuzzed {
    package: "o2g-api",
    dir: "crates/o2g-api/fuzz",
    targets: O2G_TARGETS,
    dict: None,
};

const USAGE: &str = "usage: cargo xtask fuzz [--crate ami|o2g] [--target T] [--seconds N]\n  \
     ami targets: decode|roundtrip|framer_chunks|session; o2g targets: ndjson";

pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let mut fuzzed = &AMI;
    let mut wanted: Option<&String> = None;
    let mut seconds: u64 = 60;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--crate" => {
                let c = it.next().context("--crate needs a name")?;
                fuzzed = match c.as_str() {
                    "ami" | "ami-proto" => &AMI,
                    "o2g" | "o2g-api" => &O2G,
                    _ => bail!("fuzz: unknown crate {c:?} (crates: ami, o2g)"),
                };
            }
            "--target" => {
                wanted = Some(it.next().context("--target needs a name")?);
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
    let targets: Vec<&str> = match wanted {
        None => fuzzed.targets.to_vec(),
        Some(t) => {
            let Some(known) = fuzzed.targets.iter().find(|k| **k == t.as_str()) else {
                bail!(
                    "fuzz: unknown target {t:?} (targets of {}: {})",
                    fuzzed.package,
                    fuzzed.targets.join(", ")
                );
            };
            vec![known]
        }
    };

    println!("fuzz: replaying the committed seeds on stable");
    status(cargo(root).args([
        "test",
        "--locked",
        "-p",
        fuzzed.package,
        "--test",
        "fuzz_replay",
    ]))?;

    if let Some(missing) = missing_tools() {
        println!("fuzz: skipped: {missing}; the seeds were replayed on stable");
        return Ok(());
    }
    let dir = root.join(fuzzed.dir);
    for t in targets {
        let corpus = dir.join("corpus").join(t);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("creating {}", corpus.display()))?;
        let seeds = dir.join("seeds").join(t);
        println!("fuzz: {t} for {seconds} s");
        let mut cmd = nightly_cargo();
        cmd.current_dir(&dir)
            .args(["fuzz", "run", t])
            .arg(&corpus)
            .arg(&seeds)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"));
        if let Some(dict) = fuzzed.dict {
            cmd.arg(format!("-dict={}", dir.join(dict).display()));
        }
        status(&mut cmd)?;
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
        for fuzzed in [&AMI, &O2G] {
            let dir = crate::project_root().join(fuzzed.dir);
            for t in fuzzed.targets {
                assert!(
                    dir.join(format!("fuzz_targets/{t}.rs")).is_file(),
                    "no {}/fuzz_targets/{t}.rs",
                    fuzzed.dir
                );
                assert!(dir.join("seeds").join(t).is_dir(), "no seeds/{t}");
            }
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
            for t in fuzzed.targets {
                assert!(
                    manifest.contains(&format!("name = \"{t}\"")),
                    "{t} is not a [[bin]]"
                );
            }
            if let Some(dict) = fuzzed.dict {
                assert!(dir.join(dict).is_file(), "no {dict}");
            }
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
        let e = run(root, &args(&["--crate", "nope"])).unwrap_err();
        assert!(e.to_string().contains("unknown crate"), "{e}");
        // A target of the other crate is refused.
        let e = run(root, &args(&["--crate", "o2g", "--target", "decode"])).unwrap_err();
        assert!(e.to_string().contains("unknown target"), "{e}");
        let e = run(root, &args(&["--target", "ndjson"])).unwrap_err();
        assert!(e.to_string().contains("unknown target"), "{e}");
    }
}
