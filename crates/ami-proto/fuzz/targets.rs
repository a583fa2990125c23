//! The bodies of the `ami-proto` fuzz targets.
//!
//! Plain Rust, included twice: by the cargo-fuzz binaries in
//! `fuzz_targets/` (nightly, libFuzzer) and by `tests/fuzz_replay.rs`, which
//! runs every committed seed through every target on stable. Each function
//! returns normally or panics: a panic is a finding.

use ami_proto::Message;
use ami_proto::codec::{DecodeError, Decoded, Decoder, Limits};
use bytes::BytesMut;

/// Limits small enough for inputs of a few kilobytes to reach them.
fn small_limits() -> Limits {
    Limits::default().max_message_bytes(512).max_headers(16)
}

fn decoder(client: bool, limits: &Limits) -> Decoder {
    let d = if client {
        Decoder::client()
    } else {
        Decoder::server()
    };
    d.with_limits(limits.clone())
}

/// Feeds `pieces` one after the other, taking every result after each.
/// Checks after each piece that the decoder keeps at most one message's
/// worth of bytes.
fn run<'a>(
    client: bool,
    limits: &Limits,
    pieces: impl IntoIterator<Item = &'a [u8]>,
) -> Vec<Result<Decoded, DecodeError>> {
    let mut dec = decoder(client, limits);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for p in pieces {
        buf.extend_from_slice(p);
        while let Some(r) = dec.decode(&mut buf) {
            out.push(r);
        }
        assert!(
            buf.len() <= limits.max_message_bytes,
            "{} bytes left buffered, limit {}",
            buf.len(),
            limits.max_message_bytes
        );
    }
    out
}

/// The fewest bytes a frame holding `m` can have had on the wire: each
/// header as `name:value\n`, then `\n` (or the legacy output and
/// `--END COMMAND--\n`).
fn min_frame_len(m: &Message) -> usize {
    m.headers()
        .map(|h| h.name_bytes().len() + 1 + h.value_bytes().len() + 1)
        .sum::<usize>()
        + m.legacy_output()
            .map_or(1, |o| o.len() + b"--END COMMAND--\n".len())
}

/// What every decoded item must satisfy, whatever the input.
fn check_item(i: usize, r: &Result<Decoded, DecodeError>, limits: &Limits) {
    match r {
        Ok(Decoded::Banner(b)) => {
            assert_eq!(i, 0, "a banner after other items");
            assert!(!b.contains(&b'\n') && !b.contains(&b':'), "banner {b:?}");
        }
        Ok(Decoded::Message(m)) => {
            assert!(!m.is_empty(), "a message without headers");
            assert!(m.len() <= limits.max_headers, "{} headers", m.len());
            // Every accessor copes with any bytes.
            let _ = (m.kind(), m.name(), m.action_id(), m.first());
            let _ = (m.is_list_start(), m.is_list_complete(), m.is_event("x"));
            let _ = (m.output(), m.variables().count(), format!("{m:?}"));
            for h in m.headers() {
                assert!(!h.name_bytes().is_empty(), "empty header name");
                assert!(!h.name_bytes().contains(&b':'), "colon in a name");
                assert_eq!(m.get_bytes(h.name()).is_some(), !h.name().is_empty());
                let _ = (h.value(), m.get_all(h.name()).count());
            }
            let bytes = m.to_bytes();
            assert!(
                bytes.ends_with(b"\r\n\r\n"),
                "encoding ends with an empty line"
            );
        }
        Ok(other) => panic!("unknown item {other:?}"),
        Err(e) => {
            let expected = match e {
                DecodeError::MessageTooLarge { limit } => *limit == limits.max_message_bytes,
                DecodeError::TooManyHeaders { limit } => *limit == limits.max_headers,
                DecodeError::MalformedLine { line } => *line >= 1,
                _ => false,
            };
            assert!(expected, "unexpected error {e:?}");
            assert!(!e.to_string().is_empty());
        }
    }
}

/// Any bytes, as a client's and as a server's input, with the default and
/// small limits, in one read and in 61-byte reads: no panic, bounded
/// buffer, only documented errors, messages within the header limit.
pub fn decode(data: &[u8]) {
    for client in [false, true] {
        for limits in [Limits::default(), small_limits()] {
            for r in [
                run(client, &limits, [data]),
                run(client, &limits, data.chunks(61)),
            ] {
                for (i, item) in r.iter().enumerate() {
                    check_item(i, item, &limits);
                }
            }
        }
    }
}

/// Every message decoded from `data`, encoded again and decoded, gives that
/// message back, alone and without error; its encoding is a fixed point.
pub fn roundtrip(data: &[u8]) {
    for client in [false, true] {
        for r in run(client, &Limits::default(), [data]) {
            let Ok(Decoded::Message(m)) = r else { continue };
            let bytes = m.to_bytes();
            let again = run(false, &Limits::default(), [&bytes[..]]);
            assert_eq!(
                again,
                [Ok(Decoded::Message(m.clone()))],
                "{m:?} encoded as {:?} decodes differently",
                String::from_utf8_lossy(&bytes)
            );
            if let Some(Ok(Decoded::Message(m2))) = again.first() {
                assert_eq!(m2.to_bytes(), bytes, "encoding is not a fixed point");
            }
        }
    }
}

/// The first two bytes choose the decoder (bit 0: client), the limits
/// (bit 1: small ones sized by the second byte) and the largest read
/// (bits 2-7: 1 to 64 bytes); the read sizes follow from both bytes. The
/// rest of the input, read that way and one byte at a time, must decode
/// exactly as in one read, and no message may exceed the size limit.
pub fn framer_chunks(data: &[u8]) {
    let [ctl, seed, rest @ ..] = data else {
        return;
    };
    let client = ctl & 1 == 1;
    let limits = if ctl & 2 == 2 {
        Limits::default()
            .max_message_bytes(16 + 4 * usize::from(*seed))
            .max_headers(1 + usize::from(*seed % 32))
    } else {
        Limits::default()
    };
    let max_read = usize::from(ctl >> 2) + 1;
    let whole = run(client, &limits, [rest]);
    for (i, item) in whole.iter().enumerate() {
        check_item(i, item, &limits);
        if let Ok(Decoded::Message(m)) = item {
            assert!(
                min_frame_len(m) <= limits.max_message_bytes,
                "a message of at least {} bytes passed the {}-byte limit",
                min_frame_len(m),
                limits.max_message_bytes
            );
        }
    }
    // xorshift32, seeded by the two control bytes.
    let mut state = ((u32::from(*ctl) << 8) | u32::from(*seed)) ^ 0x9E37_79B9;
    let mut pieces = Vec::new();
    let mut at = 0;
    while at < rest.len() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state as usize % max_read + 1).min(rest.len() - at);
        pieces.push(&rest[at..at + n]);
        at += n;
    }
    assert_eq!(
        run(client, &limits, pieces.iter().copied()),
        whole,
        "reads of at most {max_read} bytes"
    );
    assert_eq!(run(client, &limits, rest.chunks(1)), whole, "1-byte reads");
}

/// `session`: the sans-IO client session under an arbitrary script of
/// inputs, timer firings, commands and transport events. It must never
/// panic, never keep more actions in flight than its limit, never emit a
/// login block after it closed, and answer every action it accepted
/// exactly once (by a response, an error, a timeout or a disconnect).
pub fn session(data: &[u8]) {
    use ami_proto::session::{AuthMethod, DriverCommand, Session, SessionConfig, SessionEvent};
    use std::collections::BTreeSet;
    use std::time::{Duration, Instant};

    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    let auth = if mode & 1 == 0 {
        AuthMethod::Md5
    } else {
        AuthMethod::Plain
    };
    let mut cfg = SessionConfig::new("admin", "secret")
        .auth(auth)
        .action_timeout(Duration::from_secs(3));
    cfg.max_pending = 8;
    let t0 = Instant::now();
    let mut now = t0;
    let mut s = Session::new(cfg, now);
    let mut accepted = BTreeSet::new();
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        match op % 8 {
            0 | 1 => {
                // Feed up to 64 bytes of the script as server input.
                let n = usize::from(op / 8).min(rest.len());
                let (chunk, tail) = rest.split_at(n);
                rest = tail;
                s.handle_input(chunk, now);
            }
            2 => {
                now += Duration::from_millis(u64::from(op) * 50);
                s.handle_timeout(now);
            }
            3 => {
                if let Ok(m) = Message::action("Ping").build()
                    && let Ok(id) = s.send_action(&m, now)
                {
                    assert!(
                        accepted.insert(id),
                        "an ActionID was reused while in flight"
                    );
                }
            }
            4 => s.handle_connected(now),
            5 => s.handle_disconnected(now),
            6 => s.close(now),
            _ => {
                if let Ok(m) = Message::action("CoreShowChannels").build()
                    && let Ok(id) = s.send_list(&m, now)
                {
                    assert!(
                        accepted.insert(id),
                        "an ActionID was reused while in flight"
                    );
                }
            }
        }
        assert!(s.pending() <= 8 + 1, "more actions in flight than allowed");
        while s.poll_transmit().is_some() {}
        while let Some(c) = s.poll_command() {
            assert!(matches!(
                c,
                DriverCommand::Connect | DriverCommand::Disconnect
            ));
        }
        while let Some(ev) = s.poll_event() {
            if let SessionEvent::Completed { id, .. } = ev {
                // Answered once, and only if it was sent.
                assert!(
                    accepted.remove(&id),
                    "an answer for an action not in flight"
                );
            }
        }
        if s.is_closed() {
            assert_eq!(s.pending(), 0, "a closed session keeps pending actions");
        }
    }
}
