//! `cargo xtask bench ami [--corpus FILE] [--mb N] [--seed S] [--rounds R] [--events N] [--only decode|client]`:
//! AMI decode throughput (not part of CI).
//!
//! Generates the corpus with `tools/gen_ami_corpus.py` into
//! `target/bench/ami-corpus-<N>mb-seed<S>.ami` unless it is there already
//! (or `--corpus` names one), checks it against the anchor of
//! `ami-peers.md` §6 for `--mb 50 --seed 1`, then runs the standalone bench
//! crate `benches/ami-bench` (outside the workspace, release profile with
//! thin LTO), which prints a Markdown table and writes it to
//! `target/bench/ami-bench.md`.
//!
//! Then (unless `--only decode`) the end-to-end client run of the same
//! crate's `client` binary: events/s delivered and lost through the public
//! `connect` + `EventStream` from a loopback server streaming the real
//! recording `fixtures/ami/recordings/l-small-flood.transcript`, on a
//! current-thread and a multi-thread runtime, against panoramisk's receive
//! path measured in the same run. panoramisk (pinned, `PANORAMISK`) is
//! installed into a virtual environment at `target/bench/venv` the first
//! time; `--events N` (default 1,000,000), `--only client` skips the decode
//! bench. The table goes to `target/bench/ami-client-bench.md`.
//!
//! `cargo xtask bench o2g [--rounds N] [--corpus FILE] [--sessions LIST]`:
//! o2g-api event decode throughput and sessions held against the
//! simulator (not part of CI). Runs the standalone bench crate
//! `benches/o2g-bench` (outside the workspace, release profile with thin
//! LTO), which generates its seeded NDJSON corpus itself (unless `--corpus`
//! names one), prints a Markdown table and writes it to
//! `target/bench/o2g-bench.md`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, status};

/// The panoramisk release the client bench compares against.
const PANORAMISK: &str = "panoramisk==1.4";

/// Size and message count of the corpus for `--mb 50 --seed 1`.
const ANCHOR_BYTES: u64 = 52_429_165;
const ANCHOR_MESSAGES: usize = 130_328;

pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("ami") => ami(root, &args[1..]),
        Some("o2g") => o2g(root, &args[1..]),
        Some(other) => bail!("bench: unknown benchmark {other:?} (known: ami, o2g)"),
        None => bail!("bench: which benchmark? (known: ami, o2g)"),
    }
}

fn ami(root: &Path, args: &[String]) -> Result<()> {
    let mut corpus: Option<PathBuf> = None;
    let mut mb = "50".to_owned();
    let mut seed = "1".to_owned();
    let mut rounds = "5".to_owned();
    let mut events = "1000000".to_owned();
    let mut only: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--corpus" => {
                let v = value()?;
                // Relative to where the user stands, not the workspace.
                corpus = Some(std::fs::canonicalize(v).with_context(|| format!("corpus {v}"))?);
            }
            "--mb" => mb.clone_from(value()?),
            "--seed" => seed.clone_from(value()?),
            "--rounds" => rounds.clone_from(value()?),
            "--events" => events.clone_from(value()?),
            "--only" => {
                let v = value()?;
                if v != "decode" && v != "client" {
                    bail!("--only takes decode or client");
                }
                only = Some(v.clone());
            }
            other => bail!("bench ami: unknown argument {other:?}"),
        }
    }
    let mb_n: f64 = mb.parse().with_context(|| format!("--mb {mb}"))?;
    if !mb_n.is_finite() || mb_n <= 0.0 {
        bail!("--mb must be positive");
    }
    let seed = seed
        .parse::<u64>()
        .with_context(|| format!("--seed {seed}"))?
        .to_string();
    if !rounds.parse::<usize>().is_ok_and(|r| r > 0) {
        bail!("--rounds must be a positive integer");
    }
    if !events.parse::<u64>().is_ok_and(|r| r > 0) {
        bail!("--events must be a positive integer");
    }
    if only.as_deref() != Some("client") {
        decode(root, corpus, &mb, &seed, &rounds)?;
    }
    if only.as_deref() != Some("decode") {
        client(root, &events, &rounds)?;
    }
    Ok(())
}

/// The end-to-end client bench against panoramisk.
fn client(root: &Path, events: &str, rounds: &str) -> Result<()> {
    let venv = root.join("target/bench/venv");
    let python = venv.join("bin/python");
    let have = python.exists()
        && Command::new(&python)
            .args(["-c", "import panoramisk"])
            .status()
            .is_ok_and(|s| s.success());
    if !have {
        println!("installing {PANORAMISK} into {}", venv.display());
        status(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        status(Command::new(&python).args(["-m", "pip", "install", "--quiet", PANORAMISK]))?;
    }
    let mut cmd = cargo(root);
    cmd.arg("run")
        .arg("--release")
        .arg("--manifest-path")
        .arg(root.join("benches/ami-bench/Cargo.toml"))
        .args(["--bin", "client", "--"])
        .arg(root.join("fixtures/ami/recordings/l-small-flood.transcript"))
        .args(["--events", events, "--rounds", rounds])
        .arg("--python")
        .arg(&python)
        .arg("--out")
        .arg(root.join("target/bench/ami-client-bench.md"));
    status(&mut cmd)
}

/// The decode bench.
fn decode(root: &Path, corpus: Option<PathBuf>, mb: &str, seed: &str, rounds: &str) -> Result<()> {
    let mb_n: f64 = mb.parse().with_context(|| format!("--mb {mb}"))?;

    // `--mb 50.0` and `--mb 50` name the same corpus.
    let mb = format!("{mb_n}");
    let anchored = corpus.is_none() && mb == "50" && seed == "1";
    let corpus = match corpus {
        Some(c) => c,
        None => generate(root, &mb, seed)?,
    };

    let data = std::fs::read(&corpus).with_context(|| format!("reading {}", corpus.display()))?;
    let bytes = data.len() as u64;
    let messages = count_messages(&data);
    drop(data);
    println!(
        "corpus {}: {bytes} bytes, {messages} messages",
        corpus.display()
    );
    if anchored {
        if bytes == ANCHOR_BYTES && messages == ANCHOR_MESSAGES {
            println!(
                "corpus matches the anchor ({ANCHOR_BYTES} bytes, {ANCHOR_MESSAGES} messages)"
            );
        } else {
            eprintln!(
                "WARNING: corpus differs from the anchor for --mb 50 --seed 1 \
                 ({ANCHOR_BYTES} bytes, {ANCHOR_MESSAGES} messages); \
                 delete {} to regenerate it, or check the Python version",
                corpus.display()
            );
        }
    }

    let manifest = root.join("benches/ami-bench/Cargo.toml");
    let mut cmd = cargo(root);
    cmd.arg("run")
        .arg("--release")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--")
        .arg(&corpus)
        .args(["--rounds", rounds]);
    status(&mut cmd)
}

fn o2g(root: &Path, args: &[String]) -> Result<()> {
    let mut pass: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if !matches!(a.as_str(), "--rounds" | "--sessions" | "--corpus") {
            bail!("bench o2g: unknown argument {a:?}");
        }
        let v = it.next().with_context(|| format!("{a} needs a value"))?;
        match a.as_str() {
            "--rounds" if !v.parse::<usize>().is_ok_and(|r| r > 0) => {
                bail!("--rounds must be a positive integer");
            }
            "--sessions"
                if v != "none"
                    && !v
                        .split(',')
                        .all(|k| k.trim().parse::<usize>().is_ok_and(|k| k > 0)) =>
            {
                bail!("--sessions must be a comma-separated list of positive integers, or none");
            }
            "--corpus" => {
                // Relative to where the user stands, not the workspace.
                let c = std::fs::canonicalize(v).with_context(|| format!("corpus {v}"))?;
                pass.extend([a.clone(), c.display().to_string()]);
                continue;
            }
            _ => {}
        }
        pass.extend([a.clone(), v.clone()]);
    }
    let out = root.join("target/bench/o2g-bench.md");
    let mut cmd = cargo(root);
    cmd.arg("run")
        .arg("--release")
        .arg("--manifest-path")
        .arg(root.join("benches/o2g-bench/Cargo.toml"))
        .arg("--")
        .args(&pass)
        .arg("--out")
        .arg(&out);
    status(&mut cmd)
}

/// The cached corpus for these parameters, generated if missing.
fn generate(root: &Path, mb: &str, seed: &str) -> Result<PathBuf> {
    let dir = root.join("target/bench");
    let out = dir.join(format!("ami-corpus-{mb}mb-seed{seed}.ami"));
    if out.exists() {
        println!("corpus {} (cached)", out.display());
        return Ok(out);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // Generate under another name, so that an interrupted run leaves no
    // truncated corpus behind to be taken for a cached one.
    let partial = dir.join(format!("ami-corpus-{mb}mb-seed{seed}.ami.partial"));
    let mut cmd = Command::new("python3");
    cmd.current_dir(root)
        .arg(root.join("tools/gen_ami_corpus.py"))
        .arg(&partial)
        .args(["--mb", mb, "--seed", seed]);
    println!("generating {} ...", out.display());
    status(&mut cmd)?;
    std::fs::rename(&partial, &out)
        .with_context(|| format!("renaming {} to {}", partial.display(), out.display()))?;
    Ok(out)
}

/// Messages in an AMI stream: blank lines that end a non-blank block.
fn count_messages(data: &[u8]) -> usize {
    let mut n = 0;
    let mut prev_blank = true;
    for line in data.split(|&b| b == b'\n') {
        let blank = line.is_empty() || line == b"\r";
        if blank && !prev_blank {
            n += 1;
        }
        prev_blank = blank;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::{count_messages, run};

    #[test]
    fn counts_messages_not_the_banner() {
        let s = b"Asterisk Call Manager/9.0.0\r\nEvent: A\r\nX: 1\r\n\r\nEvent: B\r\n\r\n";
        assert_eq!(count_messages(s), 2);
        assert_eq!(count_messages(b"Event: A\n\n\nEvent: B\n\n"), 2);
    }

    #[test]
    fn o2g_arguments_are_checked_before_building() {
        let root = crate::project_root();
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let e = run(&root, &args(&["o2g", "--rounds", "0"])).unwrap_err();
        assert!(e.to_string().contains("positive"), "{e}");
        let e = run(&root, &args(&["o2g", "--sessions", "1,x"])).unwrap_err();
        assert!(e.to_string().contains("--sessions"), "{e}");
        let e = run(&root, &args(&["o2g", "--bogus"])).unwrap_err();
        assert!(e.to_string().contains("unknown argument"), "{e}");
        let e = run(&root, &args(&["nope"])).unwrap_err();
        assert!(e.to_string().contains("o2g"), "{e}");
    }
}
