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

fn calls(events: &[Event]) -> BTreeMap<String, Normalized> {
    let mut calls: BTreeMap<String, Normalized> = BTreeMap::new();
    for e in events {
        let Some(id) = e.kind.call() else { continue };
        let c = calls.entry(id.as_str().to_owned()).or_default();
        assert!(
            c.originated > 0 || matches!(e.kind, EventKind::Originated { .. }),
            "call {id}: {:?} before originated",
            e.kind
        );
        assert!(c.ended.is_empty(), "call {id}: {:?} after ended", e.kind);
        match &e.kind {
            EventKind::Originated { from, .. } => {
                c.originated += 1;
                c.from_number.clone_from(&from.number);
            }
            EventKind::Answered { .. } => c.answered = true,
            EventKind::Ended { cause, .. } => c.ended.push(cause.clone()),
            _ => {}
        }
        c.last_is_ended = matches!(e.kind, EventKind::Ended { .. });
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

    let got = calls(&events);
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
    println!(
        "{name}: calls truth {} normalized {}; answered truth {} normalized {answered}; outcomes matching {outcomes_match}/{}",
        want.len(),
        got.len(),
        truth["answered_calls"],
        want.len()
    );
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
