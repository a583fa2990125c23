//! Messages lent out by [`Decoder::decode_raw`](super::Decoder::decode_raw).

use std::fmt;

use bytes::Bytes;

use crate::types::message::{HeaderSpan, Span, View};
use crate::{Header, Message, MessageKind, Variable};

/// What [`Decoder::decode_raw`](super::Decoder::decode_raw) lends out.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum RawDecoded<'a> {
    /// The greeting line, without its line end.
    Banner(&'a [u8]),
    /// One message, borrowed.
    Message(RawMessage<'a>),
}

/// A message whose headers are views into the read buffer: valid until the
/// next call to the decoder.
#[derive(Clone, Copy)]
pub struct RawMessage<'a> {
    data: &'a [u8],
    spans: &'a [HeaderSpan],
    output: Option<Span>,
}

impl<'a> RawMessage<'a> {
    pub(crate) fn new(data: &'a [u8], spans: &'a [HeaderSpan], output: Option<Span>) -> Self {
        Self {
            data,
            spans,
            output,
        }
    }

    fn view(&self) -> View<'a> {
        View {
            buf: self.data,
            spans: self.spans,
        }
    }

    /// The headers in wire order.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = Header<'a>> + 'a {
        self.view().headers()
    }

    /// How many headers.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True if the message has no header.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The first header.
    pub fn first(&self) -> Option<Header<'a>> {
        self.view().first()
    }

    /// What the message is, from its first header.
    pub fn kind(&self) -> MessageKind {
        self.view().kind()
    }

    /// The first header's value (event name, action name, response status).
    pub fn name(&self) -> Option<&'a str> {
        self.view().name()
    }

    /// The first value of header `name` (ignoring case), as bytes.
    pub fn get_bytes(&self, name: &str) -> Option<&'a [u8]> {
        self.view().get_bytes(name)
    }

    /// The first value of header `name` (ignoring case), if UTF-8.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.view().get(name)
    }

    /// The `ActionID`, if present and non-empty.
    pub fn action_id(&self) -> Option<&'a str> {
        self.view().action_id()
    }

    /// Every value of header `name` (ignoring case), in order, as bytes.
    pub fn get_all_bytes(&self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.view().get_all_bytes(name)
    }

    /// The variables the message carries, as [`Message::variables`] reads
    /// them (every shape, non-UTF-8 values kept as bytes), borrowed from
    /// the read buffer.
    pub fn variables(&self) -> impl Iterator<Item = Variable<'a>> + 'a {
        self.view().variables()
    }

    /// The value of the first variable `name` in header `header`, if
    /// UTF-8 (as [`Message::variable`]).
    pub fn variable(&self, header: &str, name: &str) -> Option<&'a str> {
        self.view().variable(header, name).and_then(|v| v.value())
    }

    /// [`RawMessage::variable`] as bytes.
    pub fn variable_bytes(&self, header: &str, name: &str) -> Option<&'a [u8]> {
        self.view().variable(header, name).map(|v| v.value_bytes())
    }

    /// An owned copy, to keep after the next decoder call.
    pub fn to_message(&self) -> Message {
        Message::from_parts(
            Bytes::copy_from_slice(self.data),
            self.spans.to_vec(),
            self.output,
        )
    }
}

impl fmt::Debug for RawMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The same redaction as `Message`'s.
        fmt::Debug::fmt(&self.to_message(), f)
    }
}
