//! o2g-api benchmarks: typed event decode throughput, and sessions held
//! against the in-process simulator.
//!
//! Run it through `cargo xtask bench o2g`, or directly:
//! `cargo run --release --manifest-path benches/o2g-bench/Cargo.toml -- [--rounds N] [--corpus FILE] [--mb N] [--seed S] [--sessions LIST|none] [--out FILE]`
//! (`--write-corpus FILE` only writes the generated corpus).
//!
//! 1. Decode. An NDJSON event stream (generated here from the lines of
//!    the O2G reference, §7 (a), (b), (c) with call references, UUIDs, users and
//!    counters drawn from a seeded xorshift, plus keepalives and other
//!    package events; or `--corpus FILE`) is decoded by
//!    - the baseline: split on `\n`, `serde_json::from_slice::<Value>` per line;
//!    - `o2g_api::codec::ndjson::Decoder`, pushed 64 KiB at a time,
//!      `next_event()` until `None`;
//!    - `o2g_api::Event::from_slice` per line (same split as the baseline).
//!
//!    One warm-up pass (which checks that all three see the same events,
//!    none in error), then N rounds running each in turn; medians.
//! 2. Sessions. For each K, a fresh child process (so that each K starts
//!    from the same memory) starts the simulator, connects one admin
//!    client, then opens K user sessions (oxe1001) each with an open event
//!    channel, at most 64 connecting at a time; it reports the time to open
//!    them all and the growth of VmRSS, then has the admin make one call
//!    from 1001 and checks that every session receives its OnCallCreated.
//!    The simulator runs in the same process: the memory figure covers both
//!    ends of every session. A diagnostic run repeats the largest K with an
//!    empty system trust store, to show what `Roots::System` costs.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a benchmark: clocks, sockets and tasks are its job

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

use o2g_api::Event;
use o2g_api::client::{Client, ClientConfig, ClientEvent, EventStream, connect};
use o2g_api::codec::endpoints::telephony::MakeCall;
use o2g_api::codec::ndjson::Decoder as EventDecoder;
use o2g_api::session::SessionConfig;
use o2g_api::sim::{self, SimConfig};
use o2g_api::types::{Package, Selector, SubscriptionRequest};

const USAGE: &str = "usage: o2g-bench [--rounds N] [--corpus FILE] [--mb N] [--seed S] \
                     [--sessions LIST|none] [--out FILE] [--write-corpus FILE]";

/// Bytes pushed into the `Decoder` at a time.
const CHUNK: usize = 64 * 1024;
/// Sessions connecting at the same time.
const OPEN_CONCURRENCY: usize = 64;
/// File descriptors a session may need in this process (both ends of the
/// event channel and of up to two pooled request connections), for the cap.
const FDS_PER_SESSION: usize = 8;
/// How long a session may take to see the OnCallCreated.
const CHECK_TIMEOUT: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------- corpus

const SPEC_7A: &str = include_str!("../../../crates/o2g-api/tests/data/spec7a.ndjson");
const SPEC_7B: &str = include_str!("../../../crates/o2g-api/tests/data/spec7b.ndjson");
const SPEC_7C: &str = include_str!("../../../crates/o2g-api/tests/data/spec7c.ndjson");

/// xorshift64: small, seeded, good enough to vary a corpus.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// The spec lines of one scenario with the varying values replaced by
/// `\0NAME\0` placeholders; `OnChannelInformation` lines left out.
fn templates(spec: &str) -> Vec<String> {
    let mut subs: Vec<(String, String)> = vec![
        ("7c41a0e200010100".into(), "\0R1\0".into()),
        ("7c41a0e200020100".into(), "\0R2\0".into()),
        ("7c41a0e200030100".into(), "\0R3\0".into()),
        (
            "5d0b7f2a-1c3e-4e7b-9a10-20250115a001".into(),
            "\0U\0".into(),
        ),
    ];
    for (i, (first, last)) in [("Alice", "Martin"), ("Bruno", "Petit"), ("Chloé", "Roux")]
        .iter()
        .enumerate()
    {
        let n = i + 1;
        subs.push((format!("oxe100{n}"), format!("\0L{n}\0")));
        subs.push((format!("\"100{n}\""), format!("\"\0N{n}\0\"")));
        subs.push((
            format!("\"firstName\":\"{first}\",\"lastName\":\"{last}\""),
            format!("\"firstName\":\"\0F{n}\0\",\"lastName\":\"\0S{n}\0\""),
        ));
    }
    spec.lines()
        .filter(|l| !l.trim().is_empty() && !l.contains("OnChannelInformation"))
        .map(|l| {
            subs.iter()
                .fold(l.to_owned(), |acc, (from, to)| acc.replace(from, to))
        })
        .collect()
}

const FIRST: &[&str] = &[
    "Alice", "Bruno", "Chloé", "David", "Élodie", "Farid", "Gaëlle", "Hugo", "Inès", "Jean",
];
const LAST: &[&str] = &[
    "Martin", "Petit", "Roux", "Durand", "Lefèvre", "Moreau", "Garnier", "Faure", "Nguyen",
];

/// The values of one scenario: three users, three call references, a UUID.
struct Vars {
    logins: [String; 3],
    numbers: [String; 3],
    first: [&'static str; 3],
    last: [&'static str; 3],
    refs: [String; 3],
    uuid: String,
}

impl Vars {
    fn draw(rng: &mut XorShift) -> Self {
        let mut ext = [0u64; 3];
        for i in 0..3 {
            loop {
                let e = 1000 + rng.below(9000);
                if !ext[..i].contains(&e) {
                    ext[i] = e;
                    break;
                }
            }
        }
        let r = rng.next();
        Self {
            logins: ext.map(|e| format!("oxe{e}")),
            numbers: ext.map(|e| e.to_string()),
            first: [rng.pick(FIRST), rng.pick(FIRST), rng.pick(FIRST)],
            last: [rng.pick(LAST), rng.pick(LAST), rng.pick(LAST)],
            refs: [
                format!("{:016x}", rng.next()),
                format!("{:016x}", rng.next()),
                format!("{:016x}", rng.next()),
            ],
            uuid: format!(
                "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                r >> 32,
                (r >> 16) & 0xffff,
                r & 0xfff,
                0x8000 | (rng.next() & 0x3fff),
                rng.next() & 0xffff_ffff_ffff
            ),
        }
    }

    fn get(&self, name: &str) -> &str {
        let i = name[1..].parse::<usize>().map_or(0, |n| n - 1);
        match &name[..1] {
            "R" => &self.refs[i],
            "U" => &self.uuid,
            "L" => &self.logins[i],
            "N" => &self.numbers[i],
            "F" => self.first[i],
            "S" => self.last[i],
            _ => unreachable!("placeholder {name}"),
        }
    }

    fn render(&self, template: &str, out: &mut String) {
        for (i, part) in template.split('\0').enumerate() {
            out.push_str(if i % 2 == 0 { part } else { self.get(part) });
        }
        out.push('\n');
    }
}

/// About `mb` MB of NDJSON, the same for the same seed.
fn generate(mb: f64, seed: u64) -> Vec<u8> {
    let call = templates(SPEC_7A);
    let transfer = templates(SPEC_7B);
    let misc = templates(SPEC_7C);
    let target = (mb * 1e6) as usize;
    let mut rng = XorShift::new(seed);
    let mut out = String::with_capacity(target + 4096);
    let user_states = ["FREE", "BUSY", "UNKNOWN"];
    let agent_main = [
        "LOG_ON", "LOG_OFF", "READY", "BUSY", "PAUSE", "WRAPUP", "WITHDRAW",
    ];
    let agent_sub = ["READY", "OUT_OF_PG", "BUSY", "WRAPUP", "PAUSE", "WITHDRAW"];
    let reasons = [
        "NORMAL",
        "BUSY",
        "ABANDONED",
        "TRANSFERRED",
        "FORWARDED",
        "VOICEMAIL",
    ];
    while out.len() < target {
        let v = Vars::draw(&mut rng);
        let (l, n) = (&v.logins[0], &v.numbers[0]);
        let roll = rng.below(100);
        match roll {
            // §7(a): make call, answer, release (12 lines).
            0..40 => call.iter().for_each(|t| v.render(t, &mut out)),
            // §7(b): blind transfer (7 lines).
            40..55 => transfer.iter().for_each(|t| v.render(t, &mut out)),
            55..70 => {
                out.push_str("{\"eventName\":\"OnChannelInformation\",\"text\":\"keepalive\"}\n")
            }
            70..71 => out
                .push_str("{\"eventName\":\"OnChannelInformation\",\"text\":\"Chunk started\"}\n"),
            // §7(c): device state, user state, event summary.
            71..76 => misc.iter().for_each(|t| v.render(t, &mut out)),
            76..83 => {
                let (missed, vm) = (rng.below(20), rng.below(5));
                let _ = writeln!(
                    out,
                    "{{\"eventName\":\"OnEventSummaryUpdated\",\"loginName\":\"{l}\",\"eventSummary\":{{\"missedCallsNb\":{missed},\"voiceMessagesNb\":{vm},\"callBackRequestsNb\":{},\"faxNb\":0,\"newTextNb\":{},\"oldTextNb\":{},\"eventWaiting\":{}}}}}",
                    rng.below(3),
                    rng.below(4),
                    rng.below(10),
                    missed + vm > 0
                );
            }
            83..88 => {
                let _ = writeln!(
                    out,
                    "{{\"eventName\":\"OnUserStateModified\",\"loginName\":\"{l}\",\"state\":\"{}\"}}",
                    rng.pick(&user_states)
                );
            }
            88..94 => {
                let _ = writeln!(
                    out,
                    "{{\"eventName\":\"OnAgentStateChanged\",\"loginName\":\"{l}\",\"state\":{{\"mainState\":\"{}\",\"subState\":\"{}\",\"proAcdDeviceNumber\":\"{n}\",\"pgNumber\":\"{}\"}}}}",
                    rng.pick(&agent_main),
                    rng.pick(&agent_sub),
                    3000 + rng.below(20)
                );
            }
            _ => {
                let (h, m, s) = (8 + rng.below(10), rng.below(60), rng.below(50));
                let _ = writeln!(
                    out,
                    "{{\"eventName\":\"OnComRecordCreated\",\"loginName\":\"{l}\",\"record\":{{\"recordId\":{},\"comRef\":\"{}\",\"acknowledged\":false,\"participants\":[{{\"role\":\"CALLER\",\"answered\":true,\"identity\":{{\"id\":{{\"loginName\":\"{l}\",\"phoneNumber\":\"{n}\"}},\"firstName\":\"{}\",\"lastName\":\"{}\"}},\"reason\":\"{}\"}},{{\"role\":\"CALLEE\",\"answered\":{},\"identity\":{{\"id\":{{\"loginName\":\"{}\",\"phoneNumber\":\"{}\"}}}},\"reason\":\"{}\"}}],\"beginDate\":\"2025-01-15T{h:02}:{m:02}:{s:02}Z\",\"endDate\":\"2025-01-15T{h:02}:{m:02}:{:02}Z\",\"convDate\":\"2025-01-15T{h:02}:{m:02}:{:02}Z\",\"holdDuration\":{}}}}}",
                    rng.below(1 << 40),
                    v.refs[0],
                    v.first[0],
                    v.last[0],
                    rng.pick(&reasons),
                    rng.below(2) == 0,
                    v.logins[1],
                    v.numbers[1],
                    rng.pick(&reasons),
                    s + 9,
                    s + 2,
                    rng.below(30)
                );
            }
        }
    }
    out.into_bytes()
}

// ---------------------------------------------------------------- decode

/// What one pass saw; `touched` sums the event name lengths so that no
/// parse is optimised away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Outcome {
    events: u64,
    errors: u64,
    touched: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decoder {
    Baseline,
    Streaming,
    PerLine,
}

const DECODERS: [Decoder; 3] = [Decoder::Baseline, Decoder::Streaming, Decoder::PerLine];

impl Decoder {
    fn label(self) -> &'static str {
        match self {
            Self::Baseline => "baseline: split on `\\n` + `serde_json::from_slice::<Value>`",
            Self::Streaming => "**`Decoder`, 64 KiB pushes, `next_event()`**",
            Self::PerLine => "**split on `\\n` + `o2g_api::Event::from_slice`**",
        }
    }

    fn run(self, data: &[u8]) -> Outcome {
        match self {
            Self::Baseline => per_line(data, |line| {
                serde_json::from_slice::<serde_json::Value>(line)
                    .ok()
                    .map(|v| v["eventName"].as_str().map_or(0, str::len))
            }),
            Self::Streaming => streaming(data),
            Self::PerLine => per_line(data, |line| {
                Event::from_slice(line).ok().map(|e| e.name().len())
            }),
        }
    }
}

/// Every non-blank line through `parse` (which gives the name length).
fn per_line(data: &[u8], parse: impl Fn(&[u8]) -> Option<usize>) -> Outcome {
    let mut out = Outcome::default();
    let mut start = 0;
    let mut handle = |line: &[u8]| {
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        match parse(line) {
            Some(n) => {
                out.events += 1;
                out.touched += n as u64;
            }
            None => out.errors += 1,
        }
    };
    for nl in memchr::memchr_iter(b'\n', data) {
        handle(&data[start..nl]);
        start = nl + 1;
    }
    handle(&data[start..]);
    out
}

fn streaming(data: &[u8]) -> Outcome {
    let mut out = Outcome::default();
    let mut d = EventDecoder::default();
    for chunk in data.chunks(CHUNK) {
        d.push(chunk);
        while let Some(r) = d.next_event() {
            match r {
                Ok(e) => {
                    out.events += 1;
                    out.touched += black_box(&e).name().len() as u64;
                }
                Err(_) => out.errors += 1,
            }
        }
    }
    if d.finish().is_some() {
        // An unterminated last line: decode it as the per-line runs do.
        out.errors += 1;
    }
    out
}

/// Event counts by name, most frequent first.
fn mix(data: &[u8]) -> Vec<(String, u64)> {
    let mut counts = std::collections::BTreeMap::<String, u64>::new();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(e) = Event::from_slice(line) {
            *counts.entry(e.name().to_owned()).or_default() += 1;
        }
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.1));
    v
}

fn median(xs: &[Duration]) -> Duration {
    let mut v = xs.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn decode_bench(md: &mut String, data: &[u8], source: &str, rounds: usize) -> Result<(), String> {
    let bytes = data.len();
    let mut reference: Option<Outcome> = None;
    for d in DECODERS {
        let t = Instant::now();
        let o = d.run(data);
        println!(
            "warm-up {:<70} {} events, {} errors, {:.3} s",
            d.label(),
            o.events,
            o.errors,
            t.elapsed().as_secs_f64()
        );
        let base = *reference.get_or_insert(o);
        if o.events != base.events || o.errors != base.errors {
            return Err(format!(
                "{}: {} events, {} errors; the baseline saw {} and {}",
                d.label(),
                o.events,
                o.errors,
                base.events,
                base.errors
            ));
        }
    }
    let Outcome { events, errors, .. } = reference.unwrap_or_default();
    if errors > 0 {
        eprintln!("WARNING: {errors} lines are not events (counted as errors by all three)");
    }
    let mut times = vec![Vec::new(); DECODERS.len()];
    for round in 1..=rounds {
        for (i, d) in DECODERS.iter().enumerate() {
            let t = Instant::now();
            let o = black_box(d.run(black_box(data)));
            times[i].push(t.elapsed());
            if o.events != events {
                return Err(format!(
                    "{} counted {} events in round {round}",
                    d.label(),
                    o.events
                ));
            }
        }
        println!("decode round {round}/{rounds} done");
    }
    let med: Vec<f64> = times.iter().map(|t| median(t).as_secs_f64()).collect();
    let shares: Vec<String> = mix(data)
        .iter()
        .map(|(name, n)| format!("{name} {:.1} %", *n as f64 * 100.0 / events.max(1) as f64))
        .collect();
    let _ = writeln!(
        md,
        "Corpus: {source}, {bytes} bytes, {events} events ({errors} bad lines), {:.0} B per event on average. \
         Mix: {}.\n\nOne warm-up pass (all three must see the same events), then {rounds} rounds running each decoder in turn; medians. MB = 10⁶ bytes.\n",
        bytes as f64 / events.max(1) as f64,
        shares.join(", ")
    );
    let _ = writeln!(
        md,
        "| decoder | median s | MB/s | events/s | throughput vs baseline (same run) |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|");
    for (i, d) in DECODERS.iter().enumerate() {
        let _ = writeln!(
            md,
            "| {} | {:.4} | {} | {} | {:.2}x |",
            d.label(),
            med[i],
            thousands(bytes as f64 / 1e6 / med[i]),
            thousands(events as f64 / med[i]),
            med[0] / med[i]
        );
    }
    Ok(())
}

// ---------------------------------------------------------------- sessions

/// VmRSS of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit.
#[allow(unsafe_code)]
fn raise_nofile() -> usize {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
    }
    usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX)
}

fn user_config(base_url: &str) -> ClientConfig {
    ClientConfig::with_session(SessionConfig::new(base_url, "oxe1001", "1234").subscribe(
        SubscriptionRequest::new(
            vec![Selector::new(vec![Package::Telephony], ["oxe1001"])],
            10,
        ),
    ))
}

/// What one child process measured for K sessions.
struct SessionRun {
    k: usize,
    opened: usize,
    open_s: f64,
    rss_before: u64,
    rss_after: u64,
    fds_before: usize,
    fds_after: usize,
    got: usize,
    check_ms: f64,
    first_error: String,
}

impl SessionRun {
    fn to_line(&self) -> String {
        format!(
            "RESULT {} {} {} {} {} {} {} {} {} {}",
            self.k,
            self.opened,
            self.open_s,
            self.rss_before,
            self.rss_after,
            self.fds_before,
            self.fds_after,
            self.got,
            self.check_ms,
            self.first_error.replace(char::is_whitespace, "_")
        )
    }

    fn from_line(line: &str) -> Option<Self> {
        let f: Vec<&str> = line.strip_prefix("RESULT ")?.split(' ').collect();
        Some(Self {
            k: f.first()?.parse().ok()?,
            opened: f.get(1)?.parse().ok()?,
            open_s: f.get(2)?.parse().ok()?,
            rss_before: f.get(3)?.parse().ok()?,
            rss_after: f.get(4)?.parse().ok()?,
            fds_before: f.get(5)?.parse().ok()?,
            fds_after: f.get(6)?.parse().ok()?,
            got: f.get(7)?.parse().ok()?,
            check_ms: f.get(8)?.parse().ok()?,
            first_error: f.get(9).map_or_else(String::new, |s| s.replace('_', " ")),
        })
    }
}

/// The child process: K sessions, one line of results on stdout.
fn sessions_child(k: usize) -> Result<(), String> {
    raise_nofile();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let run = rt.block_on(hold_sessions(k))?;
    println!("{}", run.to_line());
    // Exit without tearing K sessions down one by one.
    std::process::exit(0);
}

async fn hold_sessions(k: usize) -> Result<SessionRun, String> {
    let sim = sim::start(SimConfig::default())
        .await
        .map_err(|e| format!("starting the simulator: {e}"))?;
    let url = sim.base_url();
    let (admin, _admin_events) = connect(ClientConfig::with_session(SessionConfig::new(
        &url, "admin", "admin",
    )))
    .await
    .map_err(|e| format!("admin session: {e}"))?;
    // One user session opened and dropped first, so that one-time
    // allocations (the simulator's user state, tokio blocks) are not
    // charged to the first K.
    drop(
        connect(user_config(&url))
            .await
            .map_err(|e| format!("warm-up session: {e}"))?,
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = rss_kib();
    let fds_before = open_fds();

    let t = Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(OPEN_CONCURRENCY));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..k {
        let sem = sem.clone();
        let cfg = user_config(&url);
        set.spawn(async move {
            let _permit = sem.acquire_owned().await.map_err(|e| e.to_string())?;
            connect(cfg).await.map_err(|e| e.to_string())
        });
    }
    let mut sessions: Vec<(Client, EventStream)> = Vec::with_capacity(k);
    let mut first_error = String::new();
    while let Some(r) = set.join_next().await {
        match r.map_err(|e| e.to_string()).and_then(|r| r) {
            Ok(s) => sessions.push(s),
            Err(e) if first_error.is_empty() => first_error = e,
            Err(_) => {}
        }
    }
    let open_s = t.elapsed().as_secs_f64();
    // Let the initial state events reach the streams before measuring.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after = rss_kib();
    let fds_after = open_fds();
    let opened = sessions.len();

    // Events still flow: one make call from 1001, every session must see it.
    let (clients, streams): (Vec<Client>, Vec<EventStream>) = sessions.into_iter().unzip();
    let t = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for mut events in streams {
        set.spawn(async move {
            tokio::time::timeout(CHECK_TIMEOUT, async {
                while let Some(ev) = events.recv().await {
                    if matches!(ev, ClientEvent::Event(Event::CallCreated(_))) {
                        return true;
                    }
                }
                false
            })
            .await
            .unwrap_or(false)
        });
    }
    admin
        .send(&MakeCall::new("1001", "1002").login_name("oxe1001"))
        .await
        .map_err(|e| format!("make call: {e}"))?;
    let mut got = 0;
    while let Some(r) = set.join_next().await {
        got += usize::from(r.unwrap_or(false));
    }
    let check_ms = t.elapsed().as_secs_f64() * 1e3;
    drop(clients);
    Ok(SessionRun {
        k,
        opened,
        open_s,
        rss_before,
        rss_after,
        fds_before,
        fds_after,
        got,
        check_ms,
        first_error,
    })
}

fn sessions_bench(md: &mut String, ks: &[usize]) -> Result<(), String> {
    let limit = raise_nofile();
    let cap = limit.saturating_sub(256) / FDS_PER_SESSION;
    let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let mut runs = Vec::new();
    let mut notes = Vec::new();
    // Diagnostic: the largest K again with an empty system trust store
    // (rustls-native-certs reads SSL_CERT_FILE / SSL_CERT_DIR), to show what
    // loading the system roots in every `connect` costs.
    let empty = std::env::temp_dir().join(format!("o2g-bench-no-roots-{}", std::process::id()));
    std::fs::create_dir_all(&empty).map_err(|e| format!("creating {}: {e}", empty.display()))?;
    std::fs::write(empty.join("none.pem"), "")
        .map_err(|e| format!("writing in {}: {e}", empty.display()))?;
    let mut plan: Vec<(usize, bool)> = ks.iter().map(|&k| (k, false)).collect();
    if let Some(&max) = ks.iter().max() {
        plan.push((max, true));
    }
    for (wanted, no_roots) in plan {
        let k = wanted.min(cap);
        if k < wanted && !no_roots {
            notes.push(format!(
                "K = {wanted} capped to {k}: RLIMIT_NOFILE is {limit}, a session may need {FDS_PER_SESSION} descriptors here."
            ));
        }
        println!(
            "sessions: opening {k}{} ...",
            if no_roots {
                " (empty system roots)"
            } else {
                ""
            }
        );
        let mut cmd = Command::new(&exe);
        cmd.args(["--child-sessions", &k.to_string()]);
        if no_roots {
            cmd.env("SSL_CERT_FILE", empty.join("none.pem"))
                .env("SSL_CERT_DIR", &empty);
        }
        let out = cmd
            .output()
            .map_err(|e| format!("starting {}: {e}", exe.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let run = stdout
            .lines()
            .find_map(SessionRun::from_line)
            .ok_or_else(|| {
                format!(
                    "sessions child for K = {k} failed ({}): {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                )
            })?;
        println!(
            "sessions: {} of {k} open in {:.2} s, RSS +{} KiB, {} of them got the OnCallCreated",
            run.opened,
            run.open_s,
            run.rss_after.saturating_sub(run.rss_before),
            run.got
        );
        if !run.first_error.is_empty() {
            notes.push(format!("K = {k}: first failure: {}", run.first_error));
        }
        runs.push((run, no_roots));
    }
    let _ = std::fs::remove_dir_all(&empty);
    let _ = writeln!(
        md,
        "\nSessions: each K in a fresh process running the simulator (`SimConfig::default()`) and the clients; \
         K user sessions `oxe1001` with an open event channel (`Selector::new(vec![Package::Telephony], [\"oxe1001\"])`, timeout 10), \
         default `ClientConfig` (system roots), {OPEN_CONCURRENCY} connecting at a time. \
         **Memory and descriptors include both ends** (client and simulator) of every session. \
         Event check: after opening, an admin client makes one call 1001 → 1002 (`MakeCall`) and every session's stream is read until its `OnCallCreated` ({}s limit). \
         The diagnostic row repeats the largest K with `SSL_CERT_FILE`/`SSL_CERT_DIR` pointing at an empty file and folder, \
         so that `Roots::System` finds no certificate: the difference is what loading and parsing the system roots in every `connect` costs. \
         RLIMIT_NOFILE (soft, after raising it to the hard limit): {limit}.\n",
        CHECK_TIMEOUT.as_secs()
    );
    let _ = writeln!(
        md,
        "| K | opened | time to open all (s) | sessions/s | VmRSS growth (MiB) | per session (KiB, both ends) | fds per session (both ends) | OnCallCreated received | within (ms) |"
    );
    let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (r, no_roots) in &runs {
        let grown = r.rss_after.saturating_sub(r.rss_before) as f64;
        let n = r.opened.max(1) as f64;
        let _ = writeln!(
            md,
            "| {}{} | {} | {:.3} | {} | {:.1} | {:.0} | {:.1} | {} / {} | {:.0} |",
            r.k,
            if *no_roots {
                " (diagnostic: empty system roots)"
            } else {
                ""
            },
            r.opened,
            r.open_s,
            thousands(r.opened as f64 / r.open_s),
            grown / 1024.0,
            grown / n,
            r.fds_after.saturating_sub(r.fds_before) as f64 / n,
            r.got,
            r.opened,
            r.check_ms
        );
    }
    for n in &notes {
        let _ = writeln!(md, "\n{n}");
    }
    Ok(())
}

// ---------------------------------------------------------------- main

fn thousands(n: f64) -> String {
    let s = format!("{n:.0}");
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let rustc = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "rustc ?".into(), |s| s.trim().to_owned());
    format!("{cpus} vCPU ({model}); {rustc}; release, opt-level 3, thin LTO, codegen-units 1")
}

struct Args {
    rounds: usize,
    corpus: Option<PathBuf>,
    mb: f64,
    seed: u64,
    sessions: Vec<usize>,
    out: PathBuf,
    write_corpus: Option<PathBuf>,
    child: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rounds: 5,
        corpus: None,
        mb: 32.0,
        seed: 1,
        sessions: vec![1, 100, 1000],
        out: PathBuf::from("target/bench/o2g-bench.md"),
        write_corpus: None,
        child: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{a} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--rounds" => {
                args.rounds = value()?
                    .parse()
                    .ok()
                    .filter(|&r| r > 0)
                    .ok_or("--rounds must be a positive integer")?;
            }
            "--corpus" => args.corpus = Some(PathBuf::from(value()?)),
            "--mb" => {
                args.mb = value()?
                    .parse()
                    .ok()
                    .filter(|m: &f64| m.is_finite() && *m > 0.0)
                    .ok_or("--mb must be positive")?;
            }
            "--seed" => args.seed = value()?.parse().map_err(|_| "--seed must be an integer")?,
            "--sessions" => {
                let v = value()?;
                args.sessions = if v == "none" {
                    Vec::new()
                } else {
                    v.split(',')
                        .map(|k| k.trim().parse().ok().filter(|&k: &usize| k > 0))
                        .collect::<Option<_>>()
                        .ok_or("--sessions must be a list of positive integers, or none")?
                };
            }
            "--out" => args.out = PathBuf::from(value()?),
            "--write-corpus" => args.write_corpus = Some(PathBuf::from(value()?)),
            "--child-sessions" => {
                args.child = Some(value()?.parse().map_err(|_| "--child-sessions K")?);
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("o2g-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    if let Some(k) = args.child {
        return sessions_child(k);
    }
    let (data, source) = match &args.corpus {
        Some(path) => (
            std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?,
            format!("`{}`", path.display()),
        ),
        None => {
            let t = Instant::now();
            let data = generate(args.mb, args.seed);
            println!(
                "generated {} bytes in {:.2} s",
                data.len(),
                t.elapsed().as_secs_f64()
            );
            if let Some(path) = &args.write_corpus {
                std::fs::write(path, &data)
                    .map_err(|e| format!("writing {}: {e}", path.display()))?;
                println!("corpus written to {}", path.display());
                return Ok(());
            }
            (
                data,
                format!("generated, `--mb {} --seed {}`", args.mb, args.seed),
            )
        }
    };
    let load = || {
        std::fs::read_to_string("/proc/loadavg").map_or_else(
            |_| "?".into(),
            |s| s.split(' ').take(3).collect::<Vec<_>>().join(" "),
        )
    };
    let load_start = load();
    let mut md = String::new();
    decode_bench(&mut md, &data, &source, args.rounds)?;
    drop(data);
    if !args.sessions.is_empty() {
        sessions_bench(&mut md, &args.sessions)?;
    }
    let md = format!(
        "Machine: {}. Load average (1/5/15 min) at the start: {load_start}, at the end: {}.\n\n{md}",
        machine(),
        load()
    );
    println!("\n{md}");
    if let Some(dir) = args.out.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(&args.out, &md).map_err(|e| format!("writing {}: {e}", args.out.display()))?;
    println!("written to {}", args.out.display());
    Ok(())
}
