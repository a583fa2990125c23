//! `cargo xtask ci`: the whole CI pipeline, so that local runs equal CI.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Result, bail};

use crate::{cargo, status};

/// The published library crates: built without default features, and
/// checked for IO-free dependency trees where they promise one.
const LIBRARIES: &[&str] = &["cti-core", "cti-client", "ami-proto", "o2g-api"];

/// Crates that must never have an async runtime or transport in their tree.
const IO_FREE: &[&str] = &["cti-core", "ami-proto", "o2g-api"];

/// Runtime and transport crates that sans-IO code must not pull in.
pub(crate) const IO_CRATES: &[&str] = &[
    "tokio",
    "hyper",
    "hyper-util",
    "tungstenite",
    "tokio-tungstenite",
    "rustls",
    "tokio-rustls",
    "hyper-rustls",
];

fn step(name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("\n==> {name}");
    let start = Instant::now();
    let r = f();
    println!(
        "<== {name}: {} in {:.1}s",
        if r.is_ok() { "ok" } else { "FAILED" },
        start.elapsed().as_secs_f64()
    );
    r
}

pub(crate) fn run(root: &Path) -> Result<()> {
    let c = || cargo(root);
    step("fmt", || {
        status(c().args(["fmt", "--all", "--", "--check"]))
    })?;
    step("clippy", || {
        status(c().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("tidy", || {
        let problems = crate::tidy::check(root)?;
        for p in &problems {
            eprintln!("{p}");
        }
        if problems.is_empty() {
            Ok(())
        } else {
            bail!("{} tidy problem(s)", problems.len())
        }
    })?;
    step("test", || {
        status(c().args(["test", "--workspace", "--all-features", "--locked"]))
    })?;
    step("doc", || {
        status(
            c().args([
                "doc",
                "--workspace",
                "--no-deps",
                "--all-features",
                "--locked",
            ])
            .env("RUSTDOCFLAGS", "-D warnings"),
        )
    })?;
    step("conformance", || {
        status(c().args(["run", "--quiet", "--locked", "-p", "conformance"]))
    })?;
    step("no-default-features", || {
        for lib in LIBRARIES {
            status(c().args(["build", "--locked", "-p", lib, "--no-default-features"]))?;
            status(c().args(["test", "--locked", "-p", lib, "--no-default-features"]))?;
        }
        for lib in IO_FREE {
            let out = c()
                .args([
                    "tree",
                    "--locked",
                    "-p",
                    lib,
                    "--no-default-features",
                    "-e",
                    "normal",
                    "--prefix",
                    "none",
                    "--format",
                    "{p}",
                ])
                .output()?;
            if !out.status.success() {
                bail!(
                    "cargo tree -p {lib} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            let tree = String::from_utf8_lossy(&out.stdout);
            for line in tree.lines() {
                let name = line.split_whitespace().next().unwrap_or_default();
                if IO_CRATES.contains(&name) {
                    bail!("{lib} without default features depends on {name}");
                }
            }
        }
        Ok(())
    })?;
    step("cargo-deny", || {
        let has_deny = Command::new("cargo")
            .args(["deny", "--version"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_deny {
            if std::env::var_os("CI").is_some() {
                bail!("cargo-deny is not installed (.ci/run installs it)");
            }
            println!(
                "cargo-deny not installed: skipped (install: cargo install cargo-deny --locked --version 0.20.2)"
            );
            return Ok(());
        }
        status(c().args(["deny", "--locked", "check", "bans", "licenses", "sources"]))
    })?;
    println!("\nci: all steps passed");
    Ok(())
}
