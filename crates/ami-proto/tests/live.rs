//! Live tests against a real Asterisk (the lab Asterisk 22.10.1 that
//! `.ci/run` starts on loopback).
//!
//! - `CTI_LIVE_AMI=127.0.0.1:PORT`: a running lab Asterisk (account
//!   `admin` / `amp111`), shared by the tests that only log in, send
//!   actions and read lists;
//! - `CTI_LIVE_LAB=/path/to/lab`: the lab script, with which the tests that
//!   stop, restart, freeze or load an Asterisk start their own instance on
//!   free loopback ports in a temporary folder (and stop it when done), so
//!   they never disturb each other or the shared one.
//!
//! Without these variables every test that needs them prints a note and
//! passes, unless `CI` is set: then it fails, so CI cannot skip them by
//! accident. Only 127.0.0.1 is reached.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a live test: sockets, processes, clocks and tasks are the point
#![cfg(feature = "client")]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use ami_proto::actions::{
    Command, CoreSettings, CoreShowChannels, Getvar, Originate, PJSIPShowEndpoints, Ping,
    QueueStatus,
};
use ami_proto::client::{
    Client, ClientConfig, ClientEvent, Error, LinkEvent, connect, connect_normalized,
};
use ami_proto::session::{AuthMethod, SessionConfig};
use ami_proto::{AmiVersion, Message};
use cti_core::{BackoffConfig, CallId, CallModel, Cause, Event, EventKind, Party};
use futures_util::StreamExt;
use tokio::sync::mpsc;

const USER: &str = "admin";
const SECRET: &str = "amp111";

// ---- environment -----------------------------------------------------------

/// The value of `var`, or `None` after a printed note; panics when `CI` is
/// set, so a CI run without a live Asterisk fails instead of skipping.
fn env(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{test}: CI is set but {var} is not: .ci/run starts the lab Asterisk and sets CTI_LIVE_AMI and CTI_LIVE_LAB"
            );
            note(&format!(
                "{test}: skipped: no live Asterisk ({var} unset; see README, \"Live tests\")"
            ));
            None
        }
    }
}

/// Writes past the test harness's capture: the figures of a live run show
/// in a plain `cargo test` (and so in CI's log) too.
fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn shared(test: &str) -> Option<String> {
    env("CTI_LIVE_AMI", test)
}

fn lab(test: &str) -> Option<PathBuf> {
    env("CTI_LIVE_LAB", test).map(PathBuf::from)
}

fn session(secret: &str) -> SessionConfig {
    SessionConfig::new(USER, secret)
}

// ---- a private lab instance --------------------------------------------------

/// Runs a command with a deadline; its stdout goes to `out`. Returns the
/// exit status (killed and `false` past the deadline) and the output.
fn run(mut cmd: Process, out: &Path, deadline: Duration) -> (bool, String) {
    let file = std::fs::File::create(out).unwrap();
    let mut child = cmd
        .stdout(file)
        .stderr(Stdio::inherit())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let end = Instant::now() + deadline;
    let ok = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.success();
        }
        if Instant::now() >= end {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (ok, std::fs::read_to_string(out).unwrap_or_default())
}

/// A port the kernel just handed out on 127.0.0.1 (TCP, or UDP for SIP).
fn free_port(udp: bool) -> u16 {
    if udp {
        std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    } else {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }
}

/// An Asterisk of this test's own, in a temporary folder; stopped (and
/// thawed first, if frozen) and removed on drop, also when the test fails.
struct Instance {
    lab: PathBuf,
    /// The temporary folder: `asterisk/` (the lab folder) and the outputs
    /// of the lab commands.
    work: PathBuf,
    dir: PathBuf,
    ami_port: u16,
    sip_port: u16,
    /// The Asterisk process (0 before it started).
    pid: u32,
}

impl Instance {
    fn start(lab: &Path, name: &str) -> Self {
        for attempt in 0..5 {
            let work = std::env::temp_dir()
                .join(format!("cti-live-{}-{name}-{attempt}", std::process::id()));
            let _ = std::fs::remove_dir_all(&work);
            let dir = work.join("asterisk");
            std::fs::create_dir_all(&dir).unwrap();
            let mut me = Self {
                lab: lab.to_owned(),
                work,
                dir,
                ami_port: free_port(false),
                sip_port: free_port(true),
                pid: 0,
            };
            // lab refuses ports already taken; another test may have
            // picked the same one a moment ago. A failed try is stopped
            // and removed by drop.
            if me.lab_start() {
                return me;
            }
        }
        panic!("lab start failed 5 times for {name}");
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.ami_port)
    }

    fn lab_cmd(&self, args: &[&str]) -> Process {
        let mut cmd = Process::new("bash");
        cmd.arg(&self.lab).args(args).arg(&self.dir);
        cmd
    }

    /// `lab start` on this instance's folder and ports; reads the pid.
    fn lab_start(&mut self) -> bool {
        let mut cmd = Process::new("bash");
        cmd.arg(&self.lab)
            .arg("start")
            .arg(&self.dir)
            .args(["--ami-port", &self.ami_port.to_string()])
            .args(["--sip-port", &self.sip_port.to_string()]);
        let (ok, out) = run(
            cmd,
            &self.work.join("lab-start.out"),
            Duration::from_secs(60),
        );
        // AMI 127.0.0.1:P admin amp111 pid N
        match out.split_whitespace().last().map(str::parse::<u32>) {
            Some(Ok(pid)) if ok => {
                self.pid = pid;
                true
            }
            _ => false,
        }
    }

    fn lab_stop(&self) {
        let (ok, out) = run(
            self.lab_cmd(&["stop"]),
            &self.work.join("lab-stop.out"),
            Duration::from_secs(60),
        );
        assert!(ok, "lab stop failed: {out}");
    }

    /// An Asterisk CLI command (`asterisk -rx`).
    fn cli(&self, command: &str) -> String {
        let mut cmd = Process::new("bash");
        cmd.arg(&self.lab).arg("cli").arg(&self.dir).arg(command);
        let (ok, out) = run(cmd, &self.work.join("lab-cli.out"), Duration::from_secs(30));
        assert!(ok, "lab cli {command:?} failed: {out}");
        out
    }

    fn signal(&self, sig: &str) {
        // Never 0: `kill 0` signals the whole process group.
        assert!(self.pid > 0, "no Asterisk to signal");
        let mut cmd = Process::new("kill");
        cmd.arg(format!("-{sig}")).arg(self.pid.to_string());
        let (ok, _) = run(cmd, &self.work.join("kill.out"), Duration::from_secs(10));
        assert!(ok, "kill -{sig} {} failed", self.pid);
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if self.pid > 0 {
            let mut cont = Process::new("kill");
            cont.arg("-CONT").arg(self.pid.to_string());
            let _ = run(cont, &self.work.join("kill.out"), Duration::from_secs(10));
        }
        let _ = run(
            self.lab_cmd(&["stop"]),
            &self.work.join("lab-stop.out"),
            Duration::from_secs(60),
        );
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

// ---- event collection ------------------------------------------------------------

/// Drains a stream in a task, stamping each item with the time it came.
fn collect<S>(mut stream: S) -> mpsc::UnboundedReceiver<(Instant, S::Item)>
where
    S: futures_util::Stream + Unpin + Send + 'static,
    S::Item: Send + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(item) = stream.next().await {
            if tx.send((Instant::now(), item)).is_err() {
                break;
            }
        }
    });
    rx
}

/// Receives until `pred` holds (returns that item) or `deadline` passes
/// (`None`); every item received is also appended to `seen`.
async fn until<T: Clone>(
    rx: &mut mpsc::UnboundedReceiver<(Instant, T)>,
    seen: &mut Vec<(Instant, T)>,
    deadline: Instant,
    mut pred: impl FnMut(&T) -> bool,
) -> Option<(Instant, T)> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(item)) => {
                seen.push(item.clone());
                if pred(&item.1) {
                    return Some(item);
                }
            }
            Ok(None) | Err(_) => return None,
        }
    }
}

/// Receives until nothing came for `quiet`, or `deadline` passes.
async fn until_quiet<T: Clone>(
    rx: &mut mpsc::UnboundedReceiver<(Instant, T)>,
    seen: &mut Vec<(Instant, T)>,
    quiet: Duration,
    deadline: Instant,
) {
    while Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(quiet.min(left), rx.recv()).await {
            Ok(Some(item)) => seen.push(item),
            Ok(None) | Err(_) => return,
        }
    }
}

fn link(ev: &ClientEvent) -> Option<&LinkEvent> {
    match ev {
        ClientEvent::Link(l) => Some(l),
        _ => None,
    }
}

// ---- login, errors, actions and lists (the shared Asterisk) ----------------------

#[tokio::test]
async fn plain_and_md5_login_and_the_banner() {
    let Some(addr) = shared("plain_and_md5_login_and_the_banner") else {
        return;
    };
    for auth in [AuthMethod::Plain, AuthMethod::Md5] {
        let config = ClientConfig::with_session(addr.clone(), session(SECRET).auth(auth));
        let (client, mut events) = connect(config).await.unwrap();
        assert_eq!(client.banner(), "Asterisk Call Manager/11.0.0");
        assert_eq!(client.ami_version(), Some(AmiVersion::new(11, 0, 0)));
        let first = tokio::time::timeout(Duration::from_secs(5), events.recv()).await;
        assert!(
            matches!(first, Ok(Some(ClientEvent::Link(LinkEvent::Connected)))),
            "{auth:?}: {first:?}"
        );
        let pong = client.send(Ping::new()).await.unwrap();
        assert_eq!(pong.get("Ping"), Some("Pong"), "{auth:?}");
        client.close().await.unwrap();
        assert!(client.is_closed());
    }
}

#[tokio::test]
async fn a_wrong_password_is_a_typed_auth_error() {
    let Some(addr) = shared("a_wrong_password_is_a_typed_auth_error") else {
        return;
    };
    for auth in [AuthMethod::Md5, AuthMethod::Plain] {
        let wrong = "not-the-secret-31337";
        let config = ClientConfig::with_session(addr.clone(), session(wrong).auth(auth));
        let started = Instant::now();
        let err = connect(config).await.unwrap_err();
        assert!(err.is_auth(), "{auth:?}: {err}");
        assert!(!err.is_timeout() && !err.is_io(), "{err}");
        let shown = err.to_string();
        assert!(shown.contains("Authentication failed"), "{shown}");
        assert!(shown.contains(&addr), "{shown}");
        assert!(!shown.contains(wrong) && !format!("{err:?}").contains(wrong));
        // Asterisk answers a failed login after about a second.
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

/// Not a real Asterisk: a peer that accepts TCP and never sends a banner.
/// Needs no lab, so it always runs.
#[tokio::test]
async fn a_silent_peer_times_out_within_the_login_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s); // never written to
            if held.len() > 8 {
                break;
            }
        }
    });
    let login_timeout = Duration::from_millis(800);
    let config = ClientConfig::with_session(
        addr.to_string(),
        session(SECRET).login_timeout(login_timeout),
    );
    let started = Instant::now();
    let err = connect(config).await.unwrap_err();
    let took = started.elapsed();
    assert!(err.is_timeout(), "{err}");
    assert!(took >= login_timeout, "{took:?}");
    assert!(took < login_timeout + Duration::from_secs(2), "{took:?}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
    hold.abort();
}

#[tokio::test]
async fn actions_lists_and_rejections() {
    let Some(addr) = shared("actions_lists_and_rejections") else {
        return;
    };
    let (client, _events) = connect(ClientConfig::with_session(addr, session(SECRET)))
        .await
        .unwrap();

    let settings = client.send(CoreSettings::new()).await.unwrap();
    assert_eq!(settings.get("AsteriskVersion"), Some("22.10.1"));
    assert_eq!(settings.get("AMIversion"), Some("11.0.0"));

    let version = client
        .send(Command::new("core show version"))
        .await
        .unwrap();
    assert!(
        version
            .output()
            .iter()
            .any(|l| l.starts_with("Asterisk 22.10.1")),
        "{:?}",
        version.output()
    );

    // A failed CLI command: the reason is in the error's Display.
    let err = client
        .send(Command::new("no such cli command"))
        .await
        .unwrap_err();
    assert!(err.is_rejected(), "{err}");
    assert!(
        err.to_string()
            .contains("No such command 'no such cli command'"),
        "{err}"
    );
    // A missing header: Asterisk's Message.
    let err = client
        .send(Message::action("Hangup").build().unwrap())
        .await
        .unwrap_err();
    assert!(
        err.is_rejected() && err.to_string().contains("No channel specified"),
        "{err}"
    );

    let global = client.send(Getvar::new("GLOBALTEST")).await.unwrap();
    assert_eq!(
        global.variable("Variable", "GLOBALTEST"),
        Some("global-value")
    );

    // Many actions at once, each answered to its own caller.
    let pings: Vec<_> = (0..50).map(|_| client.send(Ping::new())).collect();
    for r in futures_util::future::join_all(pings).await {
        assert_eq!(r.unwrap().get("Ping"), Some("Pong"));
    }

    let channels = client.send_list(CoreShowChannels::new()).await.unwrap();
    let complete = channels
        .complete
        .as_ref()
        .expect("CoreShowChannelsComplete");
    assert_eq!(
        complete.get("ListItems"),
        Some(channels.items.len().to_string().as_str())
    );

    let queues = client.send_list(QueueStatus::new()).await.unwrap();
    let params: BTreeSet<_> = queues
        .items
        .iter()
        .filter(|m| m.is_event("QueueParams"))
        .filter_map(|m| m.get("Queue"))
        .collect();
    assert_eq!(params, BTreeSet::from(["emptyq", "testq"]));
    let members: BTreeSet<_> = queues
        .items
        .iter()
        .filter(|m| m.is_event("QueueMember") && m.get("Queue") == Some("testq"))
        .filter_map(|m| m.get("Name"))
        .collect();
    assert_eq!(members, BTreeSet::from(["Member One", "Member Two"]));

    let endpoints = client.send_list(PJSIPShowEndpoints::new()).await.unwrap();
    let names: BTreeSet<_> = endpoints
        .items
        .iter()
        .filter_map(|m| m.get("ObjectName"))
        .collect();
    assert_eq!(names, BTreeSet::from(["alice", "bob", "loopin", "loopout"]));
    client.close().await.unwrap();
}

// ---- a burst of originates against the CDR truth -------------------------------

/// The extensions of the burst and what the lab dialplan does with them.
const OUTCOMES: [(&str, &str); 6] = [
    ("200", "answered: Dial(Local/100)"),
    ("600", "answered: SIP loop, two Linkedids"),
    ("800", "busy"),
    ("801", "congestion"),
    ("700", "unavailable"),
    ("950", "no answer (6 s)"),
];
const BURST: usize = 100;

/// Per Linkedid, from Asterisk's own events (as the recordings' truth
/// files are made): what the wallboard should show.
#[derive(Debug, Default)]
struct Truth {
    /// Linkedid → answered (some Cdr of the call says ANSWERED).
    calls: BTreeMap<String, bool>,
    /// Originate ActionID → (Response, Reason, Linkedid of its call).
    originates: BTreeMap<String, (String, String, Option<String>)>,
    /// Linkedid → DialStatus of its DialEnd events.
    dial_status: BTreeMap<String, Vec<String>>,
    /// Linkedid → Hangup causes of its channels.
    causes: BTreeMap<String, Vec<String>>,
    cdrs: usize,
}

impl Truth {
    fn answered(&self) -> usize {
        self.calls.values().filter(|a| **a).count()
    }
}

fn truth(events: &[Message]) -> Truth {
    let mut link: BTreeMap<String, String> = BTreeMap::new(); // Uniqueid → Linkedid
    let mut origid: BTreeMap<String, String> = BTreeMap::new(); // ORIGID → Uniqueid
    let mut hangups = Vec::new();
    let mut dialends = Vec::new();
    let mut cdrs = Vec::new();
    let mut orig = Vec::new();
    let get = |m: &Message, a: &str, b: &str| m.get(a).or_else(|| m.get(b)).map(str::to_owned);
    for m in events {
        if m.is_event("Cdr") {
            cdrs.push((
                get(m, "UniqueID", "Uniqueid"),
                m.get("Disposition") == Some("ANSWERED"),
            ));
            continue;
        }
        if m.is_event("OriginateResponse") {
            orig.push(m.clone());
            continue;
        }
        let uid = get(m, "Uniqueid", "UniqueID");
        if let (Some(u), Some(l)) = (&uid, get(m, "Linkedid", "LinkedID")) {
            link.insert(u.clone(), l);
        }
        if let (Some(u), Some(l)) = (m.get("DestUniqueid"), m.get("DestLinkedid")) {
            link.insert(u.to_owned(), l.to_owned());
        }
        if m.is_event("VarSet")
            && let (Some(u), Some(v)) = (&uid, m.variable("Variable", "ORIGID"))
        {
            origid.entry(v.to_owned()).or_insert_with(|| u.clone());
        }
        if m.is_event("Hangup") {
            hangups.push((uid.clone(), m.get("Cause").unwrap_or_default().to_owned()));
        }
        if m.is_event("DialEnd") {
            dialends.push((
                uid.or_else(|| m.get("DestUniqueid").map(str::to_owned)),
                m.get("DialStatus").unwrap_or_default().to_owned(),
            ));
        }
    }
    let lid = |u: &str| link.get(u).cloned().unwrap_or_else(|| u.to_owned());
    let mut t = Truth {
        cdrs: cdrs.len(),
        ..Truth::default()
    };
    for l in link.values() {
        t.calls.insert(l.clone(), false);
    }
    for (uid, answered) in cdrs {
        if let Some(u) = uid {
            *t.calls.entry(lid(&u)).or_default() |= answered;
        }
    }
    for (uid, status) in dialends {
        if let Some(u) = uid {
            t.dial_status.entry(lid(&u)).or_default().push(status);
        }
    }
    for (uid, cause) in hangups {
        if let Some(u) = uid {
            t.causes.entry(lid(&u)).or_default().push(cause);
        }
    }
    for m in orig {
        let aid = m.get("ActionID").unwrap_or_default().to_owned();
        let tie = m
            .get("Uniqueid")
            .filter(|u| link.contains_key(*u))
            .map(lid)
            .or_else(|| origid.get(&aid).map(|u| lid(u)));
        t.originates.insert(
            aid,
            (
                m.get("Response").unwrap_or_default().to_owned(),
                m.get("Reason").unwrap_or_default().to_owned(),
                tie,
            ),
        );
    }
    t
}

/// What the normalized stream said about each call.
#[derive(Debug, Default)]
struct NormCall {
    answered: bool,
    end: Option<Cause>,
    numbers: BTreeSet<String>,
}

fn parties(kind: &EventKind) -> Vec<&Party> {
    match kind {
        EventKind::Originated { from, to, .. } => std::iter::once(from).chain(to).collect(),
        EventKind::Alerting { party, caller, .. } => std::iter::once(party).chain(caller).collect(),
        EventKind::Answered { party, .. } | EventKind::PartyCleared { party, .. } => {
            vec![party]
        }
        EventKind::Failed { party, .. } => party.iter().collect(),
        _ => Vec::new(),
    }
}

fn call_of(kind: &EventKind) -> Option<&CallId> {
    match kind {
        EventKind::Originated { call, .. }
        | EventKind::Alerting { call, .. }
        | EventKind::Answered { call, .. }
        | EventKind::Held { call, .. }
        | EventKind::Retrieved { call, .. }
        | EventKind::Transferred { call, .. }
        | EventKind::Conferenced { call, .. }
        | EventKind::Diverted { call, .. }
        | EventKind::PartyCleared { call, .. }
        | EventKind::Ended { call, .. }
        | EventKind::Failed { call, .. } => Some(call),
        _ => None,
    }
}

fn normalized_calls(events: &[Event]) -> BTreeMap<CallId, NormCall> {
    let mut calls: BTreeMap<CallId, NormCall> = BTreeMap::new();
    for e in events {
        let Some(id) = call_of(&e.kind) else { continue };
        let c = calls.entry(id.clone()).or_default();
        for p in parties(&e.kind) {
            c.numbers.extend(p.number.clone());
            c.numbers.insert(p.device.as_str().to_owned());
        }
        match &e.kind {
            EventKind::Answered { .. } => c.answered = true,
            EventKind::Ended { cause, .. } | EventKind::Failed { cause, .. } => {
                c.end = Some(cause.clone());
            }
            _ => {}
        }
    }
    calls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_100_originates_matches_the_cdr_truth() {
    let Some(lab) = lab("a_burst_of_100_originates_matches_the_cdr_truth") else {
        return;
    };
    let pbx = Instance::start(&lab, "burst");
    let config = || {
        ClientConfig::with_session(pbx.addr(), session(SECRET))
            .event_queue(1 << 20)
            .event_queue_bytes(1 << 30)
    };
    // One connection for the truth (raw events), one normalized: both
    // see the same events of the same run.
    let (client, raw) = connect(config()).await.unwrap();
    let (watcher, normalized) = connect_normalized(config()).await.unwrap();
    let mut raw = collect(raw);
    let mut norm = collect(normalized);

    let started = Instant::now();
    let mut originates = BTreeMap::new(); // ActionID → (extension, CallerID number)
    let sends: Vec<_> = (0..BURST)
        .map(|i| {
            let ext = OUTCOMES[i % OUTCOMES.len()].0;
            let aid = format!("burst-{ext}-{i:03}");
            let number = format!("555{ext}{i:03}");
            originates.insert(aid.clone(), (ext, number.clone()));
            client.send(
                Originate::new(&format!("Local/{ext}@test"))
                    .context("test")
                    .exten("100")
                    .priority(1)
                    .caller_id(&format!("\"AMI Burst\" <{number}>"))
                    .timeout(Duration::from_secs(20))
                    .async_(true)
                    .variable(&format!("ORIGID={aid}"))
                    .header("ActionID", &aid),
            )
        })
        .collect();
    for r in futures_util::future::join_all(sends).await {
        let m = r.unwrap();
        assert_eq!(m.get("Response"), Some("Success"), "{m:?}");
    }
    let queued = started.elapsed();

    // Until every OriginateResponse came, every channel hung up and then
    // nothing more came for 2 s (the Cdr events follow the hang-ups).
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut seen = Vec::new();
    let mut responses = 0;
    let mut open = BTreeSet::new();
    let mut all_done_at = None;
    while Instant::now() < deadline {
        let Some((_, ev)) = until(&mut raw, &mut seen, deadline, |_| true).await else {
            break;
        };
        if let ClientEvent::Event(m) = &ev {
            let uid = m.get("Uniqueid").map(str::to_owned);
            if m.is_event("OriginateResponse") {
                responses += 1;
            } else if m.is_event("Newchannel") {
                open.extend(uid);
            } else if m.is_event("Hangup")
                && let Some(u) = uid
            {
                open.remove(&u);
            }
        }
        if responses == BURST && open.is_empty() {
            all_done_at = Some(started.elapsed());
            until_quiet(&mut raw, &mut seen, Duration::from_secs(2), deadline).await;
            break;
        }
    }
    let all_done_at = all_done_at.unwrap_or_else(|| {
        panic!(
            "burst not over in 90 s: {responses} OriginateResponses, {} channels up",
            open.len()
        )
    });
    let mut nseen = Vec::new();
    until_quiet(&mut norm, &mut nseen, Duration::from_secs(2), deadline).await;

    let lagged: Vec<_> = seen
        .iter()
        .filter_map(|(_, e)| link(e))
        .filter(|l| !matches!(l, LinkEvent::Connected))
        .collect();
    assert!(lagged.is_empty(), "raw stream: {lagged:?}");
    let messages: Vec<Message> = seen
        .iter()
        .filter_map(|(_, e)| match e {
            ClientEvent::Event(m) => Some(m.clone()),
            _ => None,
        })
        .collect();
    let t = truth(&messages);

    // The truth itself, against the lab dialplan: one Linkedid per
    // Originate, plus the inbound leg of each SIP loop call (600); answered
    // are 200 and both Linkedids of 600.
    let count = |ext: &str| originates.values().filter(|(e, _)| *e == ext).count();
    let want_calls = BURST + count("600");
    let want_answered = count("200") + 2 * count("600");
    let mut problems = Vec::new();
    if t.originates.len() != BURST {
        problems.push(format!(
            "{} OriginateResponses for {BURST} originates",
            t.originates.len()
        ));
    }
    if t.calls.len() != want_calls || t.answered() != want_answered {
        problems.push(format!(
            "CDR truth: {} calls, {} answered; the dialplan gives {want_calls} and {want_answered}",
            t.calls.len(),
            t.answered()
        ));
    }

    // The normalized picture, against the truth.
    let nevents: Vec<Event> = nseen.iter().map(|(_, e)| e.clone()).collect();
    let ncalls = normalized_calls(&nevents);
    let nanswered = ncalls.values().filter(|c| c.answered).count();
    let mut model = CallModel::new();
    let mut peak = 0;
    for e in &nevents {
        model.apply(e);
        peak = peak.max(model.calls().count());
    }
    let left = model.calls().count();

    let same_ids = t
        .calls
        .keys()
        .filter(|l| ncalls.contains_key(&CallId::new((*l).clone())))
        .count();
    let mut report = vec![format!(
        "burst: {BURST} originates queued in {queued:?}, over after {all_done_at:?}; {} raw events, {} Cdr; truth {} calls, {} answered; normalized {} calls ({same_ids} named by a truth Linkedid), {} answered, model peak {peak}, {left} left",
        messages.len(),
        t.cdrs,
        t.calls.len(),
        t.answered(),
        ncalls.len(),
        nanswered
    )];
    for (ext, what) in OUTCOMES {
        let mine: Vec<_> = originates.iter().filter(|(_, (e, _))| *e == ext).collect();
        let mut responses = BTreeMap::<String, usize>::new();
        let mut statuses = BTreeMap::<String, usize>::new();
        let mut truth_answered = 0;
        let mut causes = BTreeMap::<String, usize>::new();
        let mut nanswered = 0;
        let mut ncount = 0;
        for (aid, (_, number)) in &mine {
            if let Some((resp, reason, lid)) = t.originates.get(*aid) {
                *responses.entry(format!("{resp}/{reason}")).or_default() += 1;
                if let Some(lid) = lid {
                    truth_answered += usize::from(t.calls.get(lid).copied().unwrap_or(false));
                    for s in t.dial_status.get(lid).into_iter().flatten() {
                        *statuses.entry(s.clone()).or_default() += 1;
                    }
                }
            }
            // The originate's call: the one named by its Linkedid, else
            // the ones that carry its CallerID number.
            let by_id = t.originates.get(*aid).and_then(|(_, _, lid)| {
                lid.as_ref()
                    .and_then(|l| ncalls.get(&CallId::new(l.clone())))
            });
            let found: Vec<&NormCall> = match by_id {
                Some(c) => vec![c],
                None => ncalls
                    .values()
                    .filter(|c| c.numbers.contains(number))
                    .collect(),
            };
            for c in found {
                ncount += 1;
                nanswered += usize::from(c.answered);
                let end = c
                    .end
                    .as_ref()
                    .map_or("(no end)".to_owned(), |c| c.as_str().to_owned());
                *causes.entry(end).or_default() += 1;
            }
        }
        report.push(format!(
            "  {ext} {what}: {} originates; truth: responses {responses:?}, DialEnd {statuses:?}, {truth_answered} answered; normalized: {ncount} calls, {nanswered} answered, ends {causes:?}",
            mine.len()
        ));
        let want = match ext {
            "800" => Some(Cause::Busy),
            "801" => Some(Cause::Congestion),
            "950" => Some(Cause::NoAnswer),
            _ => None,
        };
        if let Some(want) = want
            && causes.get(want.as_str()) != Some(&mine.len())
        {
            problems.push(format!(
                "{ext}: normalized ends {causes:?}, want {} × {}",
                mine.len(),
                want.as_str()
            ));
        }
    }
    if ncalls.len() != t.calls.len() {
        problems.push(format!(
            "normalized {} calls, truth {}",
            ncalls.len(),
            t.calls.len()
        ));
    }
    if nanswered != t.answered() {
        problems.push(format!(
            "normalized {nanswered} answered calls, truth {}",
            t.answered()
        ));
    }
    if peak == 0 || left != 0 {
        problems.push(format!(
            "call model: peak {peak} calls (want > 0), {left} left after the burst (want 0)"
        ));
    }
    let report = report.join("\n");
    note(&report);
    if let Ok(path) = std::env::var("CTI_LIVE_DUMP") {
        let dump: Vec<String> = nevents.iter().map(|e| format!("{:?}", e.kind)).collect();
        std::fs::write(path, dump.join("\n")).unwrap();
    }

    assert!(problems.is_empty(), "{}\n{report}", problems.join("\n"));
    client.close().await.unwrap();
    watcher.close().await.unwrap();
}

// ---- reload, restart, stop/start -----------------------------------------------

/// Waits for `Reconnecting` then `Reconnected` on a raw stream; returns
/// when each came.
async fn reconnect_seen(
    rx: &mut mpsc::UnboundedReceiver<(Instant, ClientEvent)>,
    deadline: Instant,
    what: &str,
) -> (Instant, Instant, bool) {
    let mut seen = Vec::new();
    let lost = until(rx, &mut seen, deadline, |e| {
        matches!(link(e), Some(LinkEvent::Reconnecting { .. }))
    })
    .await
    .unwrap_or_else(|| panic!("{what}: no Reconnecting"));
    let back = until(rx, &mut seen, deadline, |e| {
        matches!(link(e), Some(LinkEvent::Reconnected { .. }))
    })
    .await
    .unwrap_or_else(|| panic!("{what}: no Reconnected after Reconnecting"));
    let gap = matches!(link(&back.1), Some(LinkEvent::Reconnected { gap: true }));
    (lost.0, back.0, gap)
}

/// Drains the normalized stream into the call model until `pred` holds
/// for the model and the last event (or the deadline passes).
async fn model_until(
    rx: &mut mpsc::UnboundedReceiver<(Instant, Event)>,
    model: &mut CallModel,
    log: &mut Vec<EventKind>,
    deadline: Instant,
    mut pred: impl FnMut(&CallModel, &EventKind) -> bool,
) -> bool {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some((_, e))) => {
                model.apply(&e);
                log.push(e.kind.clone());
                if pred(model, &e.kind) {
                    return true;
                }
            }
            Ok(None) | Err(_) => return false,
        }
    }
}

/// Linkedids of the channels Asterisk lists now (one per call; the model
/// is compared by count, as a normalizer may name its calls otherwise).
async fn live_calls(client: &Client) -> BTreeSet<String> {
    let list = client.send_list(CoreShowChannels::new()).await.unwrap();
    list.items
        .iter()
        .filter_map(|m| m.get("Linkedid").map(str::to_owned))
        .collect()
}

fn model_calls(model: &CallModel) -> BTreeSet<String> {
    model.calls().map(|c| c.id.as_str().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_restart_and_stop_start_reconnect_with_a_gap_and_a_rebuilt_snapshot() {
    let Some(lab) =
        lab("reload_restart_and_stop_start_reconnect_with_a_gap_and_a_rebuilt_snapshot")
    else {
        return;
    };
    let mut pbx = Instance::start(&lab, "restart");
    // A fixed 3 s reconnect delay: long enough for a stopped Asterisk to be
    // started again and given a call before the client logs in again.
    let backoff = BackoffConfig::default()
        .initial(Duration::from_secs(3))
        .max(Duration::from_secs(3))
        .jitter(0.0);
    let config = || {
        ClientConfig::with_session(
            pbx.addr(),
            session(SECRET)
                .backoff(backoff.clone(), 1)
                .login_timeout(Duration::from_secs(5)),
        )
    };
    let (client, raw) = connect(config()).await.unwrap();
    let (_watcher, normalized) = connect_normalized(config()).await.unwrap();
    let mut raw = collect(raw);
    let mut norm = collect(normalized);
    let mut model = CallModel::new();
    let mut log = Vec::new();

    // manager reload: the session stays up.
    let reload = client.send(Command::new("manager reload")).await.unwrap();
    assert_eq!(reload.get("Response"), Some("Success"));
    assert_eq!(
        client.send(Ping::new()).await.unwrap().get("Ping"),
        Some("Pong")
    );
    let (again, _) = connect(config()).await.unwrap();
    again.close().await.unwrap();

    // A long bridged call (510 dials Local/500; the originated half runs
    // 500), seen by the normalized stream.
    let mut problems = Vec::new();
    client
        .send(
            Originate::new("Local/510@test")
                .context("test")
                .exten("500")
                .priority(1)
                .caller_id("\"Long\" <5550510>")
                .async_(true),
        )
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let up = model_until(&mut norm, &mut model, &mut log, deadline, |m, _| {
        m.calls().count() == 1
    })
    .await;
    let before_restart = (model_calls(&model), live_calls(&client).await);
    if !up {
        problems.push(format!(
            "the long call never showed in the model: model {:?}, Asterisk {:?}",
            before_restart.0, before_restart.1
        ));
    }

    // core restart now: Reconnecting … Reconnected { gap: true }.
    let asked = Instant::now();
    let r = client.send(Command::new("core restart now")).await;
    assert!(
        r.as_ref().is_ok() || r.as_ref().is_err_and(Error::is_closed),
        "{r:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let (lost, back, gap) = reconnect_seen(&mut raw, deadline, "core restart now").await;
    assert!(gap, "core restart now: Reconnected without a gap");
    let restart = format!(
        "core restart now: link lost after {:?}, back after {:?} (down {:?})",
        lost - asked,
        back - asked,
        back - lost
    );
    // The normalized stream says the same, and its model is rebuilt from
    // what Asterisk has now: the long call died with the restart.
    let ok = model_until(&mut norm, &mut model, &mut log, deadline, |_, k| {
        matches!(k, EventKind::Reconnected { gap: true })
    })
    .await;
    assert!(
        ok,
        "normalized stream: no reconnected {{ gap: true }}: {log:?}"
    );
    let settle = Instant::now() + Duration::from_secs(3);
    model_until(&mut norm, &mut model, &mut log, settle, |_, _| false).await;
    let after_restart = (model_calls(&model), live_calls(&client).await);
    if after_restart.0.len() != after_restart.1.len() {
        problems.push(format!(
            "after core restart now the model holds calls {:?}, Asterisk lists {:?}",
            after_restart.0, after_restart.1
        ));
    }

    // lab stop, lab start, and a call made before the client is back.
    let asked = Instant::now();
    pbx.lab_stop();
    let stopped = asked.elapsed();
    assert!(pbx.lab_start(), "lab start after stop failed");
    let started = asked.elapsed();
    pbx.cli("channel originate Local/510@test extension 500@test");
    let call_made = asked.elapsed();
    let (lost, back, gap) = reconnect_seen(&mut raw, deadline, "lab stop / start").await;
    assert!(gap, "stop/start: Reconnected without a gap");
    let stop_start = format!(
        "stop/start: stopped in {stopped:?}, started at {started:?}, call made at {call_made:?}; link lost after {:?}, back after {:?} (down {:?})",
        lost - asked,
        back - asked,
        back - lost
    );
    let call_before_login = call_made < back - asked;
    let ok = model_until(&mut norm, &mut model, &mut log, deadline, |_, k| {
        matches!(k, EventKind::Reconnected { gap: true })
    })
    .await;
    assert!(
        ok,
        "normalized stream: no second reconnected {{ gap: true }}: {log:?}"
    );
    let settle = Instant::now() + Duration::from_secs(3);
    model_until(&mut norm, &mut model, &mut log, settle, |_, _| false).await;
    let after_stop_start = (model_calls(&model), live_calls(&client).await);
    assert_eq!(
        after_stop_start.1.len(),
        1,
        "Asterisk lists the call made after lab start"
    );
    if after_stop_start.0.len() != after_stop_start.1.len() {
        problems.push(format!(
            "after stop/start the model holds {:?}, Asterisk lists {:?} (the call was made {} the client logged in again)",
            after_stop_start.0,
            after_stop_start.1,
            if call_before_login { "before" } else { "after" }
        ));
    }

    let report = format!(
        "{restart}\n{stop_start} (call before the client's login: {call_before_login})\nmodel vs CoreShowChannels (Linkedids): before the restart {before_restart:?}; after it {after_restart:?}; after stop/start {after_stop_start:?}"
    );
    note(&report);
    assert!(problems.is_empty(), "{}\n{report}", problems.join("\n"));
    client.close().await.unwrap();
}

// ---- a frozen Asterisk -------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_asterisk_is_detected_by_the_keep_alive_while_actions_flow() {
    let Some(lab) = lab("a_frozen_asterisk_is_detected_by_the_keep_alive_while_actions_flow")
    else {
        return;
    };
    let pbx = Instance::start(&lab, "sigstop");
    let ping_interval = Duration::from_secs(1);
    let ping_timeout = Duration::from_secs(1);
    let action_timeout = Duration::from_secs(10);
    let config = ClientConfig::with_session(
        pbx.addr(),
        session(SECRET)
            .ping_interval(Some(ping_interval))
            .ping_timeout(ping_timeout)
            .action_timeout(action_timeout)
            .login_timeout(Duration::from_secs(2))
            .backoff(
                BackoffConfig::default()
                    .initial(Duration::from_millis(500))
                    .max(Duration::from_secs(1))
                    .jitter(0.0),
                1,
            ),
    );
    let (client, events) = connect(config).await.unwrap();
    let mut events = collect(events);

    // The application: an action every 2 s (at most 30), each answer or
    // error timed, until told to stop.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let app = {
        let client = client.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut results = Vec::new();
            for _ in 0..30 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let sent = Instant::now();
                let r = client.send(CoreSettings::new()).await;
                results.push((sent, sent.elapsed(), r.map(|_| ())));
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            results
        })
    };
    tokio::time::sleep(Duration::from_secs(3)).await;
    let frozen = Instant::now();
    pbx.signal("STOP");
    let mut seen = Vec::new();
    let lost = until(
        &mut events,
        &mut seen,
        frozen + Duration::from_secs(15),
        |e| matches!(link(e), Some(LinkEvent::Reconnecting { .. })),
    )
    .await;
    let detected = lost.as_ref().map(|(t, _)| *t - frozen);
    // Frozen a few seconds more: reconnects find no banner.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let thawed = Instant::now();
    pbx.signal("CONT");
    let back = until(
        &mut events,
        &mut seen,
        thawed + Duration::from_secs(20),
        |e| matches!(link(e), Some(LinkEvent::Reconnected { .. })),
    )
    .await;
    let back_after = back.as_ref().map(|(t, _)| *t - thawed);
    let pong = client.send(Ping::new()).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let results = tokio::time::timeout(action_timeout + Duration::from_secs(5), app)
        .await
        .expect("the application's loop ended")
        .unwrap();
    let attempts = seen
        .iter()
        .filter(|(_, e)| matches!(link(e), Some(LinkEvent::Reconnecting { .. })))
        .count();
    let shown: Vec<String> = results
        .iter()
        .map(|(sent, took, r)| {
            let at = sent.saturating_duration_since(frozen).as_secs_f32()
                - frozen.saturating_duration_since(*sent).as_secs_f32();
            let what = match r {
                Ok(()) => "ok".to_owned(),
                Err(e) if e.is_closed() => "closed".to_owned(),
                Err(e) if e.is_reconnecting() => "reconnecting".to_owned(),
                Err(e) if e.is_timeout() => "timeout".to_owned(),
                Err(e) => e.to_string(),
            };
            format!("{at:+.1}s {what} in {took:.1?}")
        })
        .collect();
    note(&format!(
        "SIGSTOP: detected after {detected:?} (ping every {ping_interval:?}, timeout {ping_timeout:?}); {attempts} Reconnecting; after SIGCONT reconnected in {back_after:?}; actions: {shown:?}"
    ));

    let detected = detected.expect("no Reconnecting while Asterisk was frozen");
    assert!(
        detected <= ping_interval + ping_timeout + Duration::from_secs(2),
        "keep-alive took {detected:?}"
    );
    let (_, back) = back.expect("no Reconnected after SIGCONT");
    assert!(
        matches!(link(&back), Some(LinkEvent::Reconnected { gap: true })),
        "{back:?}"
    );
    assert_eq!(pong.unwrap().get("Ping"), Some("Pong"));
    // No action hung: each came back within its timeout, those before the
    // freeze answered, those sent while it lasted failed.
    for (sent, took, r) in &results {
        assert!(
            *took <= action_timeout + Duration::from_secs(1),
            "{shown:?}"
        );
        if *sent + *took < frozen {
            assert!(r.is_ok(), "{shown:?}");
        }
    }
    assert!(
        results
            .iter()
            .any(|(sent, _, r)| *sent > frozen && r.is_err()),
        "no action was sent while Asterisk was frozen: {shown:?}"
    );
    client.close().await.unwrap();
}
