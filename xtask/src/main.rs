//! Project automation, run as `cargo xtask <command>`.
//!
//! - `ci`: exactly what CI runs (see [`ci`]).
//! - `conformance [--vendor V] [--only NAME-PART] [--fixtures DIR] [--bless]`: replays fixtures.
//! - `tidy`: repository rules (see [`tidy`]); also a `#[test]`.
//! - `codegen [--check]`: typed AMI events and actions (see [`codegen`]); the
//!   check is also a `#[test]`.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a tool: IO is its job

mod bench;
mod ci;
mod codegen;
mod fixtures;
mod fuzz;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  bench ami [--corpus FILE] [--mb N] [--seed S] [--rounds R] [--events N] [--only decode|client]
                                             AMI decode throughput vs a naive split and asterisk-rs-ami,
                                             then the client end to end vs panoramisk (not in CI;
                                             tables in target/bench/ami-bench.md, ami-client-bench.md)
  bench o2g [--rounds N] [--corpus FILE] [--sessions LIST]
                                             O2G event decode throughput vs serde_json::Value, and
                                             sessions held against the simulator (default 1,100,1000)
                                             (not in CI; table in target/bench/o2g-bench.md)
  ci                                         run every check CI runs, in order
  codegen [--check]                          generate ami-proto's typed events and actions from
                                             crates/ami-proto/codegen/*.tsv (--check: fail if stale)
  conformance [--vendor V] [--only NAME-PART] [--fixtures DIR] [--bless]
                                             replay fixtures against clients and simulators
  fixtures import-ami <recordings-dir> [--out DIR] [--product P]
                                             turn AMI lab recordings into fixtures/ami/recordings/
  fuzz [--target T] [--seconds N]            replay the AMI fuzz seeds on stable; with nightly and
                                             cargo-fuzz, also fuzz each target for N s (default 60)
  tidy                                       check repository rules clippy and rustfmt cannot (cti-core manifest)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let root = project_root();
    match args.first().map(String::as_str) {
        Some("bench") => bench::run(&root, &args[1..]),
        Some("ci") => ci::run(&root),
        Some("codegen") => {
            let mode = match &args[1..] {
                [] => codegen::Mode::Write,
                [c] if c == "--check" => codegen::Mode::Check,
                other => bail!("codegen: unexpected arguments {other:?}\n{USAGE}"),
            };
            codegen::run(&root, mode)
        }
        Some("conformance") => conformance(&root, &args[1..]),
        Some("fixtures") => fixtures::run(&root, &args[1..]),
        Some("fuzz") => fuzz::run(&root, &args[1..]),
        Some("tidy") => {
            let problems = tidy::check(&root)?;
            if problems.is_empty() {
                println!("tidy: ok");
                Ok(())
            } else {
                for p in &problems {
                    eprintln!("{p}");
                }
                bail!("{} tidy problem(s)", problems.len())
            }
        }
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command {other:?}\n{USAGE}"),
    }
}

/// The workspace root (the parent of this crate).
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn conformance(root: &Path, args: &[String]) -> Result<()> {
    let mut cmd = cargo(root);
    cmd.args(["run", "--quiet", "--locked", "-p", "conformance", "--"]);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--vendor" | "--only" | "--fixtures" => {
                let v = it.next().with_context(|| format!("{a} needs a value"))?;
                let v = if a == "--fixtures" {
                    // Relative to where the user stands, not the workspace.
                    std::fs::canonicalize(v)
                        .with_context(|| format!("fixtures folder {v}"))?
                        .display()
                        .to_string()
                } else {
                    v.clone()
                };
                cmd.args([a.as_str(), v.as_str()]);
            }
            "--bless" => {
                cmd.arg("--bless");
            }
            other => bail!("conformance: unknown argument {other:?}"),
        }
    }
    status(&mut cmd)
}

pub(crate) fn cargo(root: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root);
    cmd
}

pub(crate) fn status(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let st = cmd.status().with_context(|| format!("starting {shown}"))?;
    if !st.success() {
        bail!("{shown} failed ({st})");
    }
    Ok(())
}
