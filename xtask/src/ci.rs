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

/// The vendor crates: each feature (`client`, `sim`) must build alone.
const VENDORS: &[&str] = &["ami-proto", "o2g-api"];

/// `cti-cli`'s vendor features, and what each must not pull in: a vendor
/// feature brings that vendor's stack only.
const CLI_FEATURES: &[(&str, &[&str])] = &[
    (
        "ami",
        &[
            "o2g-api",
            "hyper",
            "hyper-util",
            "tungstenite",
            "tokio-tungstenite",
        ],
    ),
    ("o2g", &["ami-proto", "tungstenite", "tokio-tungstenite"]),
];

/// Crates outside the workspace (its `exclude`), each with its own lock file.
const OUTSIDE: &[&str] = &[
    "crates/ami-proto/fuzz",
    "crates/o2g-api/fuzz",
    "benches/ami-bench",
    "benches/o2g-bench",
];

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

/// The names of the packages in `pkg`'s normal dependency tree, built with
/// `--no-default-features` plus `features`.
fn normal_deps(root: &Path, pkg: &str, features: &[&str]) -> Result<Vec<String>> {
    let out = cargo(root)
        .args([
            "tree",
            "--locked",
            "-p",
            pkg,
            "--no-default-features",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .args(features)
        .output()?;
    if !out.status.success() {
        bail!(
            "cargo tree -p {pkg} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect())
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
            let deps = normal_deps(root, lib, &[])?;
            if let Some(name) = deps.iter().find(|d| IO_CRATES.contains(&d.as_str())) {
                bail!("{lib} without default features depends on {name}");
            }
        }
        Ok(())
    })?;
    step("features", || {
        for lib in VENDORS {
            for feature in ["client", "sim"] {
                status(c().args([
                    "check",
                    "--locked",
                    "-p",
                    lib,
                    "--no-default-features",
                    "--features",
                    feature,
                ]))?;
            }
        }
        for (feature, absent) in CLI_FEATURES {
            status(c().args([
                "check",
                "--locked",
                "-p",
                "cti-cli",
                "--no-default-features",
                "--features",
                feature,
            ]))?;
            let deps = normal_deps(root, "cti-cli", &["--features", feature])?;
            if let Some(name) = deps.iter().find(|d| absent.contains(&d.as_str())) {
                bail!("cti-cli with only --features {feature} depends on {name}");
            }
        }
        Ok(())
    })?;
    step("outside the workspace", || {
        for dir in OUTSIDE {
            let manifest = root.join(dir).join("Cargo.toml");
            let manifest = manifest.to_string_lossy();
            status(c().args(["fmt", "--manifest-path", &manifest, "--", "--check"]))?;
            status(
                c().args(["check", "--locked", "--manifest-path", &manifest])
                    // The workspace's target directory: shared dependencies
                    // are built once.
                    .env("CARGO_TARGET_DIR", root.join("target"))
                    // `check` links nothing, so libfuzzer-sys need not build
                    // libFuzzer's C++ sources (30 s): pointing its documented
                    // override at a library that is never linked skips them.
                    .env(
                        "CUSTOM_LIBFUZZER_PATH",
                        root.join("target").join("libfuzzer-not-linked.a"),
                    ),
            )?;
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
