//! `Originate` of `Local/…` channels on the simulator loaded with the lab's
//! dialplan, compared with what the real Asterisk 22 sent for the same
//! action in the lab recordings (`fixtures/ami/recordings/h-…`, `i-…`):
//! per channel, the same events with the same fields, in the same order.
//! Runs in virtual time (the dialplan's `Wait(2)` takes no real time).
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, tasks and timeouts drive the code under test
#![cfg(feature = "sim")]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use ami_proto::Message;
use ami_proto::codec::{Decoded, Decoder};
use ami_proto::sim::{self, SimConfig, SimHandle};
use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ami")
}

/// The simulator as the lab PBX of the recordings h–l was configured.
fn lab() -> SimConfig {
    let conf = std::fs::read_to_string(fixtures().join("lab-config/h-l/extensions.conf")).unwrap();
    SimConfig::default()
        .auth_failure_delay(Duration::ZERO)
        .extensions_conf("extensions.conf", &conf)
        .caller_id_events(true)
        .cdr_events(true)
        .cel_events(true)
}

/// Both directions of a recording: what the server sent, decoded, and the
/// application's writes, as text.
fn recording(name: &str) -> (Vec<Message>, String) {
    let bytes = std::fs::read(fixtures().join(format!("recordings/{name}.transcript"))).unwrap();
    let mut rest = &bytes[..];
    while rest.starts_with(b"# ") {
        let end = rest.iter().position(|&b| b == b'\n').unwrap();
        rest = &rest[end + 1..];
    }
    rest = rest.strip_prefix(b"\n").unwrap_or(rest);
    let (mut recv, mut sent) = (Vec::new(), Vec::new());
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').unwrap();
        let header = std::str::from_utf8(&rest[..end]).unwrap().to_owned();
        rest = &rest[end + 1..];
        if header.starts_with("#< EOF") {
            continue;
        }
        let len: usize = header
            .split_whitespace()
            .find_map(|f| f.strip_prefix("len="))
            .unwrap()
            .parse()
            .unwrap();
        let out = if header.starts_with("#< RECV") {
            &mut recv
        } else {
            &mut sent
        };
        out.extend_from_slice(&rest[..len]);
        rest = &rest[len + 1..];
    }
    let mut dec = Decoder::client();
    let mut buf = BytesMut::from(&recv[..]);
    let mut msgs = Vec::new();
    while let Some(r) = dec.decode(&mut buf) {
        if let Ok(Decoded::Message(m)) = r {
            msgs.push(m);
        }
    }
    (msgs, String::from_utf8(sent).unwrap())
}

/// The recorded action block with this ActionID.
fn action(sent: &str, id: &str) -> String {
    let block = sent
        .split("\r\n\r\n")
        .find(|b| b.lines().any(|l| l == format!("ActionID: {id}")))
        .unwrap();
    format!("{block}\r\n\r\n")
}

/// The messages of one originated call: everything that names one of its
/// Linkedids, its `Cdr`s and its `OriginateResponse`.
fn call_of(msgs: &[Message], id: &str) -> Vec<Message> {
    let linked: Vec<&str> = msgs
        .iter()
        .filter(|m| m.get("Variable") == Some("ORIGID") && m.get("Value") == Some(id))
        .filter_map(|m| m.get("Linkedid"))
        .collect();
    let uids: Vec<&str> = msgs
        .iter()
        .filter(|m| m.get("Linkedid").is_some_and(|l| linked.contains(&l)))
        .filter_map(|m| m.get("Uniqueid"))
        .collect();
    msgs.iter()
        .filter(|m| {
            m.get("Linkedid")
                .or(m.get("LinkedID"))
                .is_some_and(|l| linked.contains(&l))
                || m.get("UniqueID").is_some_and(|u| uids.contains(&u))
                || m.action_id() == Some(id) && m.is_event("OriginateResponse")
        })
        .cloned()
        .collect()
}

/// `Local/200@test-00000056;1` → `Local/200@test;1`.
fn base(channel: &str) -> String {
    match channel.rsplit_once('-') {
        Some((b, tail)) if tail.len() >= 8 => format!("{b}{}", &tail[8..]),
        _ => channel.to_owned(),
    }
}

/// Per channel, its events as `Event field=value …` lines; CEL events
/// form their own sequence per channel (Asterisk posts them from another
/// thread, so their place among a channel's other events varies from run
/// to run).
fn per_channel(msgs: &[Message]) -> BTreeMap<String, Vec<String>> {
    const FIELDS: [&str; 14] = [
        "ChannelStateDesc",
        "CallerIDNum",
        "CallerIDName",
        "ConnectedLineNum",
        "Exten",
        "Priority",
        "Application",
        "AppData",
        "Variable",
        "Cause",
        "DialStatus",
        "Disposition",
        "EventName",
        "Response",
    ];
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in msgs {
        let Some(ev) = m
            .name()
            .filter(|_| m.kind() == ami_proto::MessageKind::Event)
        else {
            continue;
        };
        let Some(ch) = m
            .get("Channel")
            .or(m.get("DestChannel"))
            .or(m.get("LocalOneChannel"))
        else {
            continue;
        };
        let mut line = ev.to_owned();
        for f in FIELDS {
            if let Some(v) = m.get(f) {
                let v = if f == "AppData" {
                    base(v)
                } else {
                    v.to_owned()
                };
                line.push_str(&format!(" {f}={v}"));
            }
        }
        // Durations differ from run to run.
        if let Some(v) = m.get("Value")
            && !m
                .get("Variable")
                .is_some_and(|n| n.ends_with("TIME") || n.ends_with("TIME_MS"))
        {
            line.push_str(&format!(" Value={}", base(v)));
        }
        // CEL, CDR and the OriginateResponse come from other threads of
        // Asterisk than the channel's own: each is its own sequence.
        let key = match ev {
            "CEL" | "Cdr" | "OriginateResponse" => format!("{} ({ev})", base(ch)),
            _ => base(ch),
        };
        out.entry(key).or_default().push(line);
    }
    out
}

async fn read_all(tcp: &mut TcpStream, quiet: Duration) -> Vec<Message> {
    let mut dec = Decoder::client();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for _ in 0..100_000 {
        while let Some(r) = dec.decode(&mut buf) {
            if let Ok(Decoded::Message(m)) = r {
                out.push(m);
            }
        }
        match tokio::time::timeout(quiet, tcp.read_buf(&mut buf)).await {
            Ok(Ok(0)) | Err(_) => return out,
            Ok(r) => {
                r.unwrap();
            }
        }
    }
    panic!("no end after 100000 reads");
}

/// Logs in, sends `actions` in one write, and returns every message until
/// the simulator has been quiet for a minute (virtual time).
async fn play(sim: &SimHandle, actions: &str) -> Vec<Message> {
    let mut tcp = TcpStream::connect(sim.addr()).await.unwrap();
    tcp.write_all(
        b"Action: Login\r\nActionID: login\r\nUsername: admin\r\nSecret: amp111\r\nEvents: on\r\n\r\n",
    )
    .await
    .unwrap();
    tcp.write_all(actions.as_bytes()).await.unwrap();
    read_all(&mut tcp, Duration::from_secs(60)).await
}

fn diff(want: &BTreeMap<String, Vec<String>>, got: &BTreeMap<String, Vec<String>>) -> String {
    let mut s = String::new();
    for k in want
        .keys()
        .chain(got.keys().filter(|k| !want.contains_key(*k)))
    {
        let (w, g) = (want.get(k), got.get(k));
        if w == g {
            continue;
        }
        s.push_str(&format!("== {k}\n"));
        let (w, g) = (
            w.cloned().unwrap_or_default(),
            g.cloned().unwrap_or_default(),
        );
        for i in 0..w.len().max(g.len()) {
            let (a, b) = (
                w.get(i).map_or("", String::as_str),
                g.get(i).map_or("", String::as_str),
            );
            let mark = if a == b { ' ' } else { '!' };
            s.push_str(&format!("{mark} {a}\n{mark} {b}\n"));
        }
    }
    s
}

async fn check(recording_name: &str, id: &str) {
    let (msgs, sent) = recording(recording_name);
    let want = per_channel(&call_of(&msgs, id));
    assert!(!want.is_empty(), "no call {id} in {recording_name}");
    let sim = sim::start(lab()).await.unwrap();
    let got_msgs = play(&sim, &action(&sent, id)).await;
    let got = per_channel(&call_of(&got_msgs, id));
    assert!(want == got, "{recording_name} {id}:\n{}", diff(&want, &got));
    assert!(sim.channels().is_empty(), "{:?}", sim.channels());
}

#[tokio::test(start_paused = true)]
async fn answered_local_chain_as_recorded() {
    check("h-originate-outcomes", "h-seq-200").await;
}

#[tokio::test(start_paused = true)]
async fn busy_as_recorded() {
    check("h-originate-outcomes", "h-seq-800").await;
}

#[tokio::test(start_paused = true)]
async fn congestion_as_recorded() {
    check("h-originate-outcomes", "h-seq-801").await;
}

#[tokio::test(start_paused = true)]
async fn unavailable_as_recorded() {
    check("h-originate-outcomes", "h-seq-700").await;
}

#[tokio::test(start_paused = true)]
async fn no_answer_as_recorded() {
    check("h-originate-outcomes", "h-seq-950").await;
}

/// The burst of the same Originates in one write (without the SIP loop
/// 600, which the simulator does not model): every call as recorded, and
/// every answer before the first event of any of them.
#[tokio::test(start_paused = true)]
async fn a_burst_in_one_write_as_recorded() {
    let (msgs, sent) = recording("h-originate-outcomes");
    let ids = [
        "h-burst-200",
        "h-burst-800",
        "h-burst-801",
        "h-burst-700",
        "h-burst-950",
    ];
    let batch: String = ids.iter().map(|id| action(&sent, id)).collect();
    let sim = sim::start(lab()).await.unwrap();
    let got = play(&sim, &batch).await;
    for id in ids {
        let want = per_channel(&call_of(&msgs, id));
        let got = per_channel(&call_of(&got, id));
        assert!(want == got, "{id}:\n{}", diff(&want, &got));
    }
    let first_event = got
        .iter()
        .position(|m| m.get("Linkedid").is_some())
        .unwrap();
    let answers: Vec<usize> = got
        .iter()
        .enumerate()
        .filter(|(_, m)| m.get("Message") == Some("Originate successfully queued"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(answers.len(), ids.len());
    assert!(
        answers.iter().all(|&i| i < first_event),
        "answers at {answers:?}, first call event at {first_event}"
    );
    assert!(sim.channels().is_empty(), "{:?}", sim.channels());
}

/// The flood's Originates of the Local chains (200, busy 800, congestion
/// 801; not the SIP loop 600), all 30 in one write.
#[tokio::test(start_paused = true)]
async fn the_flood_as_recorded() {
    let (msgs, sent) = recording("l-small-flood");
    let ids: Vec<String> = sent
        .split("\r\n\r\n")
        .filter(|b| b.contains("Action: Originate") && !b.contains("Local/600@"))
        .filter_map(|b| b.lines().find_map(|l| l.strip_prefix("ActionID: ")))
        .map(str::to_owned)
        .collect();
    assert!(ids.len() >= 20, "{ids:?}");
    let batch: String = ids.iter().map(|id| action(&sent, id)).collect();
    let sim = sim::start(lab()).await.unwrap();
    let got = play(&sim, &batch).await;
    let mut differ = Vec::new();
    let mut report = String::new();
    for id in &ids {
        let want = per_channel(&call_of(&msgs, id));
        let got = per_channel(&call_of(&got, id));
        if want != got {
            differ.push(id.as_str());
            report.push_str(&format!("{id}:\n{}", diff(&want, &got)));
        }
    }
    // Under the flood's load the real Asterisk once published the
    // originator's `HangupRequest` on a busy `;2` half before that half's
    // `Newstate Busy` (its `ChannelStateDesc` still reads `Ring`): a race
    // between two of its threads, which the simulator does not reproduce.
    assert_eq!(
        differ,
        ["l-11-800"],
        "{} of {} calls differ:\n{report}",
        differ.len(),
        ids.len()
    );
    assert!(
        report.contains("HangupRequest ChannelStateDesc=Ring"),
        "{report}"
    );
    assert!(sim.channels().is_empty(), "{:?}", sim.channels());
}
