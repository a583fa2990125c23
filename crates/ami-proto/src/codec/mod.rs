//! Bytes ↔ messages, with no state beyond buffering.
//!
//! [`Decoder`] finds message boundaries (the framer) and parses each line of
//! the frame as it finds it, into a [`Message`] whose headers point into the
//! frame's buffer (no copy, no allocation per header). The framer reads line
//! ends and colons off bit masks computed 64 bytes at a time (SSE2 on x86,
//! SWAR elsewhere); ordinary `Name: value` CRLF lines are taken straight
//! from the masks, every other line (the first `Response` line, bare LF,
//! legacy `Follows` output, malformed lines) goes through the nom frame
//! grammar of [`parse_frame`], which is also the reference the decoder is
//! tested against. It keeps its scan position between calls, so a message
//! arriving one byte at a time is scanned once, and it gives the same
//! messages however the input is split.
//!
//! Limits bound memory: a message over [`Limits::max_message_bytes`] or with
//! more than [`Limits::max_headers`] lines yields one
//! [`DecodeError`] for that message; the decoder drops the rest of it,
//! resynchronises at the next blank line and goes on with the next message.
//!
//! ```
//! use ami_proto::codec::{Decoded, Decoder};
//! use bytes::BytesMut;
//!
//! let mut dec = Decoder::client();
//! let mut buf = BytesMut::from(&b"Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: 1\r\nPing: Pong\r\n"[..]);
//! assert!(matches!(dec.decode(&mut buf), Some(Ok(Decoded::Banner(_)))));
//! assert!(dec.decode(&mut buf).is_none()); // the message is not complete yet
//! buf.extend_from_slice(b"\r\n");
//! let Some(Ok(Decoded::Message(m))) = dec.decode(&mut buf) else { panic!() };
//! assert_eq!(m.get("Ping"), Some("Pong"));
//! ```

mod framer;
mod parse;
mod raw;
mod scan;

use std::fmt;

use bytes::{Bytes, BytesMut};

pub use framer::Decoder;
pub use raw::{RawDecoded, RawMessage};

use crate::Message;

/// Size limits of the decoder.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest message, in bytes, including its line ends. Asterisk 22's
    /// largest (the `ListCommands` response) is about 9 KB.
    pub max_message_bytes: usize,
    /// The most lines (headers) in one message. Asterisk 22's largest
    /// (`EndpointDetail`) has 144.
    pub max_headers: usize,
}

impl Default for Limits {
    /// 256 KiB and 2048 lines: far above anything Asterisk sends, far below
    /// what would hurt.
    fn default() -> Self {
        Self {
            max_message_bytes: 256 * 1024,
            max_headers: 2048,
        }
    }
}

impl Limits {
    /// The smallest size limit the decoder accepts (smaller ones are
    /// raised to it): a message's first line must be recognisable within
    /// the limit, or how a message is rejected would depend on how the
    /// input was split into reads.
    pub const MIN_MESSAGE_BYTES: usize = 64;

    /// The largest size limit (larger ones are lowered to it): header
    /// positions in a message are 32-bit.
    pub const MAX_MESSAGE_BYTES: usize = u32::MAX as usize - 1;

    /// Sets the message size limit (at least [`Limits::MIN_MESSAGE_BYTES`],
    /// at most [`Limits::MAX_MESSAGE_BYTES`]).
    #[must_use]
    pub fn max_message_bytes(mut self, n: usize) -> Self {
        self.max_message_bytes = n.clamp(Self::MIN_MESSAGE_BYTES, Self::MAX_MESSAGE_BYTES);
        self
    }

    /// Sets the header count limit.
    #[must_use]
    pub fn max_headers(mut self, n: usize) -> Self {
        self.max_headers = n;
        self
    }
}

/// What the decoder produced.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decoded {
    /// The greeting line (`Asterisk Call Manager/11.0.0`), without its line end.
    Banner(Bytes),
    /// One message.
    Message(Message),
}

/// A message the decoder had to reject. The stream goes on: the next call
/// decodes the next message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The message grew past `max_message_bytes`; it was dropped.
    MessageTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// The message had more than `max_headers` lines; it was dropped.
    TooManyHeaders {
        /// The limit in force.
        limit: usize,
    },
    /// A line of the message is not `Name: value` (and not a continuation or
    /// legacy command output); the whole message was dropped.
    MalformedLine {
        /// The line's number within the message, from 1.
        line: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MessageTooLarge { limit } => {
                write!(f, "message larger than {limit} bytes dropped")
            }
            Self::TooManyHeaders { limit } => {
                write!(f, "message with more than {limit} lines dropped")
            }
            Self::MalformedLine { line } => write!(
                f,
                "line {line} of a message is not `Name: value`; message dropped"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Writes a message in canonical wire form into `out`.
pub fn encode(message: &Message, out: &mut BytesMut) {
    message.encode(out);
}

/// Decodes one complete frame (headers and the terminating blank line, as
/// the framer cuts it) into a message.
pub fn parse_frame(frame: Bytes) -> Result<Message, DecodeError> {
    parse::frame(frame)
}
