//! End-to-end receive throughput of the public AMI client (issue 10 item
//! 12): a loopback server (a plain thread, outside the client's runtime)
//! logs the client in and streams the events of a real Asterisk 22
//! recording (`fixtures/ami/recordings/l-small-flood.transcript`) over and
//! over; the client — `ami_proto::client::connect` with default settings
//! and its `EventStream` — counts what it is given and what it is told it
//! missed (`Lagged`). The same server then feeds panoramisk (Python)'s
//! receive path, measured in the same run.
//!
//! `cargo run --release --manifest-path benches/ami-bench/Cargo.toml --bin client -- TRANSCRIPT [--events N] [--rounds R] [--python PY] [--runtime current|multi|both] [--out FILE]`
//! (`cargo xtask bench ami` runs it after the decode bench.)
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a benchmark: clocks, sockets and tasks are its job

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ami_proto::client::{ClientConfig, ClientEvent, LinkEvent, connect};
use ami_proto::session::{AuthMethod, SessionConfig};

/// The received bytes of a transcript (its `#< RECV` chunks).
fn received(transcript: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut rest = transcript;
    // Skip the metadata header (`# key: value` lines, then a blank line).
    while rest.starts_with(b"# ") {
        let end = rest.iter().position(|&b| b == b'\n').ok_or("bad header")?;
        rest = &rest[end + 1..];
    }
    if rest.starts_with(b"\n") {
        rest = &rest[1..];
    }
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("bad chunk header")?;
        let head = std::str::from_utf8(&rest[..end]).map_err(|_| "bad chunk header")?;
        rest = &rest[end + 1..];
        if head.starts_with("#< EOF") {
            break;
        }
        let len: usize = head
            .rsplit_once("len=")
            .and_then(|(_, n)| n.trim().parse().ok())
            .ok_or_else(|| format!("bad chunk header {head:?}"))?;
        if rest.len() < len + 1 {
            return Err("truncated chunk".into());
        }
        if head.starts_with("#< RECV") {
            out.extend_from_slice(&rest[..len]);
        }
        rest = &rest[len + 1..];
    }
    Ok(out)
}

/// The `Event:` messages of a received stream, concatenated, and their
/// count (the banner and responses are left out).
fn events_only(recv: &[u8]) -> (Vec<u8>, u64) {
    let mut out = Vec::new();
    let mut n = 0;
    let start = recv
        .windows(2)
        .position(|w| w == b"\r\n")
        .map_or(0, |p| p + 2);
    for msg in recv[start..].split_inclusive_blocks() {
        if msg.starts_with(b"Event:") {
            out.extend_from_slice(msg);
            n += 1;
        }
    }
    (out, n)
}

trait Blocks {
    fn split_inclusive_blocks(&self) -> Vec<&[u8]>;
}

impl Blocks for [u8] {
    fn split_inclusive_blocks(&self) -> Vec<&[u8]> {
        let mut v = Vec::new();
        let mut rest = self;
        while let Some(p) = rest.windows(4).position(|w| w == b"\r\n\r\n") {
            v.push(&rest[..p + 4]);
            rest = &rest[p + 4..];
        }
        v
    }
}

/// Accepts one client, logs it in, writes `block` `reps` times, then
/// answers its Logoff.
fn server(block: std::sync::Arc<Vec<u8>>, reps: u64) -> (SocketAddr, JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let h = std::thread::spawn(move || {
        let Ok((s, _)) = l.accept() else { return };
        let _ = s.set_nodelay(true);
        let Ok(mut w) = s.try_clone() else { return };
        let mut r = BufReader::new(s);
        if w.write_all(b"Asterisk Call Manager/11.0.0\r\n").is_err() {
            return;
        }
        let mut id = String::new();
        let mut line = String::new();
        while r.read_line(&mut line).is_ok_and(|k| k > 0) {
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some(v) = l.strip_prefix("ActionID: ") {
                id = v.to_owned();
            }
            line.clear();
        }
        let ok = format!(
            "Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n"
        );
        if w.write_all(ok.as_bytes()).is_err() {
            return;
        }
        for _ in 0..reps {
            if w.write_all(&block).is_err() {
                return;
            }
        }
        let mut logoff = false;
        line.clear();
        while r.read_line(&mut line).is_ok_and(|k| k > 0) {
            let l = line.trim_end();
            logoff |= l.eq_ignore_ascii_case("Action: Logoff");
            if l.is_empty() && logoff {
                let _ =
                    w.write_all(b"Response: Goodbye\r\nMessage: Thanks for all the fish.\r\n\r\n");
                break;
            }
            line.clear();
        }
    });
    (addr, h)
}

#[derive(Clone, Copy)]
struct Run {
    delivered: u64,
    missed: u64,
    secs: f64,
}

impl Run {
    fn rate(&self) -> f64 {
        self.delivered as f64 / self.secs
    }
}

async fn ours(addr: SocketAddr, total: u64) -> Result<Run, String> {
    let session = SessionConfig::new("admin", "bench")
        .auth(AuthMethod::Plain)
        .reconnect(false);
    let config = ClientConfig::with_session(addr.to_string(), session);
    let (client, mut events) = connect(config).await.map_err(|e| e.to_string())?;
    let t = Instant::now();
    let (mut delivered, mut missed) = (0u64, 0u64);
    // One deadline for the whole run (a timer per event would be the
    // bench's cost, not the client's).
    let count = async {
        while delivered + missed < total {
            match events.recv().await {
                Some(ClientEvent::Event(_)) => delivered += 1,
                Some(ClientEvent::Link(LinkEvent::Lagged { missed: m })) => missed += m,
                Some(_) => {}
                None => return Err("the stream ended early".to_owned()),
            }
        }
        Ok(())
    };
    tokio::time::timeout(Duration::from_secs(600), count)
        .await
        .map_err(|_| "no end within 600 s".to_owned())??;
    let secs = t.elapsed().as_secs_f64();
    client.close().await.map_err(|e| e.to_string())?;
    Ok(Run {
        delivered,
        missed,
        secs,
    })
}

fn run_ours(
    block: &std::sync::Arc<Vec<u8>>,
    reps: u64,
    total: u64,
    multi: bool,
) -> Result<Run, String> {
    let rt = if multi {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .map_err(|e| e.to_string())?;
    let (addr, h) = server(block.clone(), reps);
    let r = rt.block_on(ours(addr, total));
    let _ = h.join();
    r
}

const PANORAMISK: &str = r#"
import asyncio, sys, time
from panoramisk import Manager

async def main(port, total):
    done = asyncio.get_running_loop().create_future()
    state = {"n": 0, "t": None}
    m = Manager(host="127.0.0.1", port=port, username="admin", secret="bench",
                ping_delay=0, reconnect=False)
    def on_event(manager, message):
        if state["t"] is None:
            state["t"] = time.perf_counter()
        state["n"] += 1
        if state["n"] >= total and not done.done():
            done.set_result(time.perf_counter())
    m.register_event("*", on_event)
    await m.connect()
    end = await asyncio.wait_for(done, 600)
    print(state["n"], end - state["t"])
    m.close()

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
"#;

fn run_panoramisk(
    python: &str,
    block: &std::sync::Arc<Vec<u8>>,
    reps: u64,
    total: u64,
) -> Result<Run, String> {
    let (addr, h) = server(block.clone(), reps);
    let out = Command::new(python)
        .args([
            "-c",
            PANORAMISK,
            &addr.port().to_string(),
            &total.to_string(),
        ])
        .output()
        .map_err(|e| format!("{python}: {e}"))?;
    drop(h);
    if !out.status.success() {
        return Err(format!(
            "panoramisk: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace();
    let n: u64 = it
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or("panoramisk: no count")?;
    let secs: f64 = it
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or("panoramisk: no time")?;
    Ok(Run {
        delivered: n,
        missed: total.saturating_sub(n),
        secs,
    })
}

fn median(mut v: Vec<Run>) -> Run {
    v.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
    v[v.len() / 2]
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ami-bench client: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let transcript =
        PathBuf::from(args.next().ok_or(
            "usage: client TRANSCRIPT [--events N] [--rounds R] [--python PY] [--out FILE]",
        )?);
    let (mut events, mut rounds, mut python, mut out) =
        (1_000_000u64, 3usize, None::<String>, None::<PathBuf>);
    let mut runtimes = vec![false, true];
    while let Some(a) = args.next() {
        let v = args.next().ok_or_else(|| format!("{a} needs a value"))?;
        match a.as_str() {
            "--events" => events = v.parse().map_err(|_| "--events N")?,
            "--rounds" => rounds = v.parse().ok().filter(|&r| r > 0).ok_or("--rounds R")?,
            "--python" => python = Some(v),
            "--out" => out = Some(PathBuf::from(v)),
            "--runtime" => {
                runtimes = match v.as_str() {
                    "current" => vec![false],
                    "multi" => vec![true],
                    "both" => vec![false, true],
                    _ => return Err("--runtime current|multi|both".into()),
                }
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let data = std::fs::read(&transcript).map_err(|e| format!("{}: {e}", transcript.display()))?;
    let (block, per) = events_only(&received(&data)?);
    if per == 0 {
        return Err("no events in the transcript".into());
    }
    let reps = events.div_ceil(per);
    let total = reps * per;
    let mb = block.len() as f64 * reps as f64 / 1e6;
    let block = std::sync::Arc::new(block);
    println!(
        "client bench: {} ({per} events, {} bytes) x {reps} = {total} events, {mb:.0} MB; {rounds} rounds, medians",
        transcript.display(),
        block.len()
    );
    let mut table = String::new();
    let _ = writeln!(
        table,
        "| receiver | events/s delivered | lost | vs panoramisk |"
    );
    let _ = writeln!(table, "|---|---:|---:|---:|");
    let theirs = match &python {
        Some(py) => {
            let mut v = Vec::new();
            for _ in 0..rounds {
                v.push(run_panoramisk(py, &block, reps, total)?);
            }
            Some(median(v))
        }
        None => None,
    };
    for multi in runtimes {
        let label = if multi {
            "ami-proto client, multi-thread runtime (2 workers)"
        } else {
            "ami-proto client, current-thread runtime"
        };
        let mut v = Vec::new();
        for _ in 0..rounds {
            v.push(run_ours(&block, reps, total, multi)?);
        }
        let m = median(v);
        let ratio = theirs.map_or("–".to_owned(), |t| format!("{:.1}×", m.rate() / t.rate()));
        let _ = writeln!(
            table,
            "| {label} | {:.0} | {} ({:.2} %) | {ratio} |",
            m.rate(),
            m.missed,
            100.0 * m.missed as f64 / total as f64
        );
    }
    if let Some(t) = theirs {
        let _ = writeln!(
            table,
            "| panoramisk 1.4 (Python, asyncio) | {:.0} | {} | 1.0× |",
            t.rate(),
            t.missed
        );
    } else {
        let _ = writeln!(table, "| panoramisk | not run (no --python) | | |");
    }
    print!("{table}");
    if let Some(out) = out {
        std::fs::write(&out, &table).map_err(|e| format!("{}: {e}", out.display()))?;
        println!("written to {}", out.display());
    }
    Ok(())
}
