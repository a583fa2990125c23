//! The event channel's incremental NDJSON decoder (O2G reference, §2.2).
//!
//! The server writes one compact JSON object per line, terminated by `\n`,
//! on a chunked HTTP response whose chunk boundaries need not align with
//! lines (or with UTF-8 characters). [`Decoder`] takes the bytes as
//! they come ([`Decoder::push`]) and hands out one decoded line at a
//! time ([`Decoder::next_event`]):
//!
//! - `\r\n` is accepted as a line end; blank lines are skipped;
//! - a line longer than the cap costs that line ([`DecodeError::TooLong`],
//!   once), the decoder skips to the next newline, and memory stays bounded
//!   even if that newline never comes;
//! - a line that is not an event costs that line ([`DecodeError::Event`],
//!   with the raw bytes), decoding continues;
//! - a partial last line at the end of the stream is reported by
//!   [`Decoder::finish`], not dropped silently.
//!
//! Buffered bytes are scanned once: the decoder remembers how far it looked
//! for a newline, and compacts consumed bytes instead of rescanning.

use std::collections::VecDeque;
use std::fmt;

use bytes::Bytes;

use crate::types::events::{Event, EventError};

/// The default line cap of [`Decoder::default`]: 1 MiB.
pub const DEFAULT_MAX_LINE: usize = 1 << 20;

/// Why a line of the channel gave no event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The line was longer than the decoder's cap; it was skipped up to
    /// its newline.
    TooLong {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The line is not a valid event.
    Event {
        /// The line as received (without its line end).
        raw: Bytes,
        /// What is wrong with it.
        error: EventError,
    },
    /// The stream ended in the middle of a line.
    Unterminated {
        /// The bytes of the partial line.
        raw: Bytes,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { limit } => write!(f, "event line longer than {limit} bytes, skipped"),
            Self::Event { raw, error } => {
                write!(f, "{error} (line of {} bytes)", raw.len())
            }
            Self::Unterminated { raw } => {
                write!(f, "stream ended inside a line ({} bytes)", raw.len())
            }
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Event { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// The incremental decoder of the event channel. No IO: feed it bytes,
/// take events out.
#[derive(Debug)]
pub struct Decoder {
    /// Buffered bytes; `buf[start..]` is not consumed yet.
    buf: Vec<u8>,
    /// Start of the unconsumed bytes.
    start: usize,
    /// `buf[start.max(..)..scanned]` holds no newline.
    scanned: usize,
    /// Start of the trailing partial line (just after the last newline).
    partial: usize,
    /// Positions in `buf` (line boundaries) where a too-long line was
    /// dropped, to be reported in order.
    dropped: VecDeque<usize>,
    /// Discarding bytes up to the next newline.
    skipping: bool,
    /// The line cap.
    max_line: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINE)
    }
}

impl Decoder {
    /// A decoder refusing lines longer than `max_line` bytes (line end not
    /// counted; at least 1).
    pub fn new(max_line: usize) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            partial: 0,
            dropped: VecDeque::new(),
            skipping: false,
            max_line: max_line.max(1),
        }
    }

    /// The line cap.
    pub fn max_line(&self) -> usize {
        self.max_line
    }

    /// How many bytes are buffered (not consumed yet).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Adds received bytes. Chunks may split lines and characters anywhere.
    pub fn push(&mut self, mut chunk: &[u8]) {
        if self.skipping {
            match memchr::memchr(b'\n', chunk) {
                None => return,
                Some(i) => {
                    self.skipping = false;
                    chunk = &chunk[i + 1..];
                }
            }
        }
        if chunk.is_empty() {
            return;
        }
        let at = self.buf.len();
        self.buf.extend_from_slice(chunk);
        if let Some(i) = memchr::memrchr(b'\n', chunk) {
            self.partial = at + i + 1;
        }
        // `+ 1`: the line may still end with `\r\n`, whose `\r` is not
        // counted.
        if self.buf.len() - self.partial > self.max_line.saturating_add(1) {
            // The trailing line is already too long: drop it now (memory
            // stays bounded), report it after the complete lines before it,
            // and discard the rest of it as it comes.
            self.buf.truncate(self.partial);
            self.scanned = self.scanned.min(self.partial);
            self.dropped.push_back(self.partial);
            self.skipping = true;
        }
    }

    /// Takes the bytes of `buf` (it is left empty) and returns the next
    /// decoded line, if a complete one is buffered: the same shape as every
    /// decoder of the workspace (`ami_proto::codec::Decoder::decode`). Call
    /// it again with an empty buffer until it returns `None`.
    pub fn decode(&mut self, buf: &mut bytes::BytesMut) -> Option<Result<Event, DecodeError>> {
        if !buf.is_empty() {
            let chunk = buf.split();
            self.push(&chunk);
        }
        self.next_event()
    }

    /// The next decoded line, if a complete one is buffered.
    pub fn next_event(&mut self) -> Option<Result<Event, DecodeError>> {
        loop {
            if self.dropped.front() == Some(&self.start) {
                self.dropped.pop_front();
                return Some(Err(DecodeError::TooLong {
                    limit: self.max_line,
                }));
            }
            let from = self.scanned.max(self.start);
            let Some(i) = memchr::memchr(b'\n', &self.buf[from..]) else {
                self.scanned = self.buf.len();
                self.compact();
                return None;
            };
            let end = from + i;
            let line_start = self.start;
            self.start = end + 1;
            self.scanned = self.start;
            let mut line = &self.buf[line_start..end];
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
            if line.len() > self.max_line {
                return Some(Err(DecodeError::TooLong {
                    limit: self.max_line,
                }));
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Event::from_slice(line).map_err(|error| DecodeError::Event {
                raw: Bytes::copy_from_slice(line),
                error,
            }));
        }
    }

    /// The end of the stream: reports a partial last line (and forgets
    /// it). Complete lines still buffered stay available to
    /// [`next_event`](Self::next_event); the decoder can take a new stream
    /// afterwards.
    pub fn finish(&mut self) -> Option<DecodeError> {
        self.skipping = false;
        let from = self.partial.max(self.start);
        if from >= self.buf.len() {
            return None;
        }
        let mut raw = &self.buf[from..];
        if let [rest @ .., b'\r'] = raw {
            raw = rest;
        }
        let err = if raw.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            Some(DecodeError::Unterminated {
                raw: Bytes::copy_from_slice(raw),
            })
        };
        self.buf.truncate(from);
        self.scanned = self.scanned.min(from);
        err
    }

    /// Drops consumed bytes.
    fn compact(&mut self) {
        if self.start == 0 {
            return;
        }
        let n = self.start;
        self.buf.drain(..n);
        self.start = 0;
        self.scanned -= n;
        self.partial = self.partial.saturating_sub(n);
        for d in &mut self.dropped {
            *d -= n;
        }
    }
}

/// Decodes a whole byte stream: every line, then the partial last line's
/// error if any (cap [`DEFAULT_MAX_LINE`]).
pub fn decode_lines(data: &[u8]) -> Vec<Result<Event, DecodeError>> {
    decode_lines_with(data, DEFAULT_MAX_LINE)
}

/// [`decode_lines`] with a line cap.
pub fn decode_lines_with(data: &[u8], max_line: usize) -> Vec<Result<Event, DecodeError>> {
    let mut d = Decoder::new(max_line);
    d.push(data);
    let mut out: Vec<_> = std::iter::from_fn(|| d.next_event()).collect();
    if let Some(e) = d.finish() {
        out.push(Err(e));
    }
    out
}

/// The body of the `ndjson` fuzz target, also run on stable by
/// `tests/fuzz_replay.rs`. Panics on a broken invariant:
///
/// - the bytes (after two configuration bytes: line cap and chunking seed)
///   pushed in pseudo-random chunks give the same items as pushed whole;
/// - the buffer stays bounded by the cap plus the chunk being pushed;
/// - every decoded event (and the whole input, if it is one) writes back
///   to JSON that decodes to the same event.
#[doc(hidden)]
pub fn fuzz_check(data: &[u8]) {
    let (cfg, body) = data.split_at(data.len().min(2));
    let max_line = 4 + usize::from(cfg.first().copied().unwrap_or(0)) * 4;
    let mut x = u32::from(cfg.get(1).copied().unwrap_or(0)) | 1;

    let whole = decode_lines_with(body, max_line);

    let mut d = Decoder::new(max_line);
    let mut chunked = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = (1 + (x >> 16) as usize % 48).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        d.push(chunk);
        assert!(
            d.buffered() <= max_line + 1 + chunk.len(),
            "buffer {} over cap {max_line} + chunk {}",
            d.buffered(),
            chunk.len()
        );
        chunked.extend(std::iter::from_fn(|| d.next_event()));
        assert!(d.buffered() <= max_line + 1, "partial line over the cap");
    }
    chunked.extend(d.finish().map(Err));
    assert!(d.next_event().is_none());
    assert_eq!(chunked, whole, "chunked and whole decoding differ");

    for ev in whole.iter().flatten() {
        check_rewrite(ev);
    }
    if let Ok(ev) = Event::from_slice(body) {
        check_rewrite(&ev);
    }
}

/// A decoded event written back decodes to the same event (floats inside
/// kept JSON may move by one ulp through `serde_json`'s fast float parser).
fn check_rewrite(ev: &Event) {
    let text = ev.to_json();
    let again = match Event::from_slice(text.as_bytes()) {
        Ok(again) => again,
        Err(e) => panic!("{} written as {text} does not decode: {e}", ev.name()),
    };
    assert_eq!(again.name(), ev.name());
    if &again != ev {
        let (a, b) = (serde_json::to_value(ev), serde_json::to_value(&again));
        match (a, b) {
            (Ok(a), Ok(b)) => assert!(approx_eq(&a, &b), "{ev:?} != {again:?}"),
            _ => panic!("{ev:?} does not serialize"),
        }
    }
}

fn approx_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= x.abs().max(y.abs()) * 1e-15,
            _ => x == y,
        },
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| approx_eq(x, y))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| approx_eq(v, w)))
        }
        _ => a == b,
    }
}
