//! The event channel's incremental NDJSON decoder (`specs/o2g.md` §2.2).
//!
//! The server writes one compact JSON object per line, terminated by `\n`,
//! on a chunked HTTP response whose chunk boundaries need not align with
//! lines (or with UTF-8 characters). [`EventDecoder`] takes the bytes as
//! they come ([`EventDecoder::push`]) and hands out one decoded line at a
//! time ([`EventDecoder::next_event`]):
//!
//! - `\r\n` is accepted as a line end; blank lines are skipped;
//! - a line longer than the cap costs that line ([`LineError::TooLong`],
//!   once), the decoder skips to the next newline, and memory stays bounded
//!   even if that newline never comes;
//! - a line that is not an event costs that line ([`LineError::Event`],
//!   with the raw bytes), decoding continues;
//! - a partial last line at the end of the stream is reported by
//!   [`EventDecoder::finish`], not dropped silently.
//!
//! Buffered bytes are scanned once: the decoder remembers how far it looked
//! for a newline, and compacts consumed bytes instead of rescanning.

use std::collections::VecDeque;
use std::fmt;

use bytes::Bytes;

use crate::types::events::{Event, EventError};

/// The default line cap of [`EventDecoder::default`]: 1 MiB.
pub const DEFAULT_MAX_LINE: usize = 1 << 20;

/// Why a line of the channel gave no event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineError {
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

impl fmt::Display for LineError {
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

impl std::error::Error for LineError {
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
pub struct EventDecoder {
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

impl Default for EventDecoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINE)
    }
}

impl EventDecoder {
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

    /// The next decoded line, if a complete one is buffered.
    pub fn next_event(&mut self) -> Option<Result<Event, LineError>> {
        loop {
            if self.dropped.front() == Some(&self.start) {
                self.dropped.pop_front();
                return Some(Err(LineError::TooLong {
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
                return Some(Err(LineError::TooLong {
                    limit: self.max_line,
                }));
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Event::from_slice(line).map_err(|error| LineError::Event {
                raw: Bytes::copy_from_slice(line),
                error,
            }));
        }
    }

    /// The end of the stream: reports a partial last line (and forgets
    /// it). Complete lines still buffered stay available to
    /// [`next_event`](Self::next_event); the decoder can take a new stream
    /// afterwards.
    pub fn finish(&mut self) -> Option<LineError> {
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
            Some(LineError::Unterminated {
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
pub fn decode_lines(data: &[u8]) -> Vec<Result<Event, LineError>> {
    decode_lines_with(data, DEFAULT_MAX_LINE)
}

/// [`decode_lines`] with a line cap.
pub fn decode_lines_with(data: &[u8], max_line: usize) -> Vec<Result<Event, LineError>> {
    let mut d = EventDecoder::new(max_line);
    d.push(data);
    let mut out: Vec<_> = std::iter::from_fn(|| d.next_event()).collect();
    if let Some(e) = d.finish() {
        out.push(Err(e));
    }
    out
}
