//! The normalizer on real Asterisk 22 traffic: every recording in
//! `fixtures/ami/recordings/` that has a `NAME.truth.json` (per call, from
//! Asterisk's own CDR, Hangup and DialEnd events) is decoded from its
//! received bytes and normalized; the normalized calls must be the truth's
//! calls, answered where the CDR says answered, with the CDR's outcome.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ami_proto::Normalizer;
use ami_proto::codec::{Decoded, Decoder, RawDecoded};
use ami_proto::cti_core::{Cause, Event, EventKind, Timestamp};
use bytes::BytesMut;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/ami/recordings")
        .join(name)
}

/// The `#< RECV` chunks of a transcript, in order.
fn received_chunks(transcript: &[u8]) -> Vec<&[u8]> {
    let mut chunks = Vec::new();
    let mut rest = transcript;
    while !rest.is_empty() {
        let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = &rest[..line_end];
        rest = rest.get(line_end + 1..).unwrap_or_default();
        let Some(header) = line
            .strip_prefix(b"#< RECV ")
            .or_else(|| line.strip_prefix(b"#> SEND "))
        else {
            continue; // metadata, blank lines, EOF marker
        };
        let header = std::str::from_utf8(header).expect("chunk header");
        let len: usize = header
            .split_whitespace()
            .find_map(|f| f.strip_prefix("len="))
            .and_then(|n| n.parse().ok())
            .expect("chunk length");
        let (data, after) = rest.split_at(len);
        if line.starts_with(b"#< RECV") {
            chunks.push(data);
        }
        rest = after.strip_prefix(b"\n").expect("newline after chunk");
    }
    chunks
}

/// The recording's received bytes, chunk by chunk, through the decoder and
/// the normalizer: the owned path (`decode` → `Message`) and the borrowed
/// one (`decode_raw` → `RawMessage`).
fn normalize(name: &str, borrowed: bool) -> (Vec<Event>, usize) {
    let bytes = std::fs::read(fixture(&format!("{name}.transcript"))).expect("transcript");
    let mut dec = Decoder::client();
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    let mut buf = BytesMut::new();
    let mut messages = 0;
    for (i, chunk) in received_chunks(&bytes).into_iter().enumerate() {
        buf.extend_from_slice(chunk);
        let ts = Timestamp::from_unix_millis(i as i64);
        if borrowed {
            while let Some(item) = dec.decode_raw(&mut buf) {
                if let RawDecoded::Message(m) = item.expect("real traffic decodes") {
                    messages += 1;
                    n.push(&m, ts, &mut out);
                }
            }
        } else {
            while let Some(item) = dec.decode(&mut buf) {
                if let Decoded::Message(m) = item.expect("real traffic decodes") {
                    messages += 1;
                    n.push(&m, ts, &mut out);
                }
            }
        }
    }
    assert_eq!(n.calls(), 0, "{name}: every call ended");
    assert_eq!(n.channels(), 0, "{name}: every channel hung up");
    (out, messages)
}

/// What the normalized events say about one call.
#[derive(Debug, Default)]
struct Normalized {
    originated: usize,
    from_number: Option<String>,
    answered: bool,
    ended: Vec<Cause>,
    last_is_ended: bool,
}

/// One call event, reduced to what the truth can check: the call, the
/// event's `type`, the caller's number (`originated`), the cause (`ended`).
struct Step {
    call: String,
    kind: String,
    from_number: Option<String>,
    cause: Option<Cause>,
}

fn steps(events: &[Event]) -> Vec<Step> {
    events
        .iter()
        .filter_map(|e| {
            let call = e.kind.call()?.as_str().to_owned();
            let (kind, from_number, cause) = match &e.kind {
                EventKind::Originated { from, .. } => ("originated", from.number.clone(), None),
                EventKind::Answered { .. } => ("answered", None, None),
                EventKind::Ended { cause, .. } => ("ended", None, Some(cause.clone())),
                _ => ("other", None, None),
            };
            Some(Step {
                call,
                kind: kind.to_owned(),
                from_number,
                cause,
            })
        })
        .collect()
}

/// The same from a golden file (JSON lines in `cti_core`'s stable form).
fn golden_steps(golden: &str) -> Vec<Step> {
    golden
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("golden line is JSON"))
        .filter_map(|v| {
            Some(Step {
                call: v["call"].as_str()?.to_owned(),
                kind: v["type"].as_str().expect("type").to_owned(),
                from_number: v["from"]["number"].as_str().map(str::to_owned),
                cause: v["cause"].as_str().map(Cause::from_name),
            })
        })
        .collect()
}

fn calls(steps: &[Step]) -> BTreeMap<String, Normalized> {
    let mut calls: BTreeMap<String, Normalized> = BTreeMap::new();
    for s in steps {
        let id = &s.call;
        let c = calls.entry(id.clone()).or_default();
        assert!(
            c.originated > 0 || s.kind == "originated",
            "call {id}: {} before originated",
            s.kind
        );
        assert!(c.ended.is_empty(), "call {id}: {} after ended", s.kind);
        match s.kind.as_str() {
            "originated" => {
                c.originated += 1;
                c.from_number.clone_from(&s.from_number);
            }
            "answered" => c.answered = true,
            "ended" => c.ended.extend(s.cause.clone()),
            _ => {}
        }
        c.last_is_ended = s.kind == "ended";
    }
    calls
}

/// The outcome the truth gives a call: `normal` when a CDR says ANSWERED,
/// else the first failed `DialStatus` of the call.
fn truth_outcome(call: &Value) -> Cause {
    if call["answered"].as_bool() == Some(true) {
        return Cause::Normal;
    }
    let status = call["dial_status"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["status"].as_str())
        .find(|s| *s != "ANSWER")
        .expect("an unanswered call has a failed dial");
    match status {
        "BUSY" => Cause::Busy,
        "CONGESTION" => Cause::Congestion,
        "NOANSWER" => Cause::NoAnswer,
        "CHANUNAVAIL" => Cause::Unreachable,
        "CANCEL" => Cause::Cancelled,
        other => panic!("unexpected DialStatus {other}"),
    }
}

fn check(name: &str) {
    let truth: Value = serde_json::from_slice(
        &std::fs::read(fixture(&format!("{name}.truth.json"))).expect("truth"),
    )
    .expect("truth is JSON");
    let (events, messages) = normalize(name, false);
    let (borrowed, _) = normalize(name, true);
    assert_eq!(
        events, borrowed,
        "{name}: borrowed and owned messages alike"
    );
    assert_eq!(
        truth["messages"].as_u64(),
        Some(messages as u64),
        "{name}: messages"
    );
    let line = compare(name, &truth, &calls(&steps(&events)));
    println!("{name} (normalizer): {line}");
    // The conformance golden (what the real client normalized when the
    // replay server played the recording to it) says the same.
    let golden = std::fs::read_to_string(fixture(&format!("{name}.golden.jsonl"))).expect("golden");
    let line = compare(name, &truth, &calls(&golden_steps(&golden)));
    println!("{name} (client-check golden): {line}");
}

/// Compares normalized calls with the truth; a summary line.
fn compare(name: &str, truth: &Value, got: &BTreeMap<String, Normalized>) -> String {
    let want = truth["call_list"].as_array().expect("call_list");
    let mut answered = 0;
    let mut outcomes_match = 0;
    for call in want {
        let lid = call["linkedid"].as_str().expect("linkedid");
        let c = got
            .get(lid)
            .unwrap_or_else(|| panic!("{name}: call {lid} not normalized"));
        assert_eq!(c.originated, 1, "{name} {lid}: one originated");
        assert_eq!(c.ended.len(), 1, "{name} {lid}: one ended");
        assert!(c.last_is_ended, "{name} {lid}: ended last");
        let want_answered = call["answered"].as_bool().expect("answered");
        assert_eq!(c.answered, want_answered, "{name} {lid}: answered");
        let want_outcome = truth_outcome(call);
        assert_eq!(c.ended[0], want_outcome, "{name} {lid}: outcome");
        // The caller is the originate's caller id (for the inbound leg of a
        // SIP loop, the one carried over SIP).
        if let Some(aid) = call["actionid"]
            .as_str()
            .or_else(|| call["related_actionid"].as_str())
        {
            let cid = truth["originates"][aid]["calleridnum"].as_str();
            assert_eq!(c.from_number.as_deref(), cid, "{name} {lid}: caller number");
        }
        answered += usize::from(c.answered);
        outcomes_match += 1;
    }
    assert_eq!(
        got.len(),
        want.len(),
        "{name}: calls normalized {:?}",
        got.keys().collect::<Vec<_>>()
    );
    assert_eq!(truth["calls"].as_u64(), Some(got.len() as u64));
    assert_eq!(truth["answered_calls"].as_u64(), Some(answered as u64));
    format!(
        "calls truth {} normalized {}; answered truth {} normalized {answered}; outcomes matching {outcomes_match}/{}",
        want.len(),
        got.len(),
        truth["answered_calls"],
        want.len()
    )
}

#[test]
fn h_originate_outcomes_equal_the_cdr_truth() {
    check("h-originate-outcomes");
}

#[test]
fn i_queue_agent_equals_the_cdr_truth() {
    check("i-queue-agent");
}

#[test]
fn j_blind_transfer_equals_the_cdr_truth() {
    check("j-blind-transfer");
}

#[test]
fn k_attended_transfer_equals_the_cdr_truth() {
    check("k-attended-transfer");
}

#[test]
fn l_small_flood_equals_the_cdr_truth() {
    check("l-small-flood");
}
