//! Message boundaries, found before any parsing.

use bytes::{Buf, BytesMut};

use super::parse::{END_COMMAND, FrameParser, ends_frame, is_follows_line};
use super::scan::{Block, from_bit};
use super::{DecodeError, Decoded, Limits, RawDecoded, RawMessage};

/// Where the framer found the next item; its bytes are still in the buffer.
#[derive(Clone, Copy, Debug)]
enum Framed {
    /// The banner: `buf[..end]`, of which `len` bytes without the line end.
    Banner { end: usize, len: usize },
    /// A message: `buf[..end]`, its terminating line starting at `start`.
    Frame { start: usize, end: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the greeting line (client side).
    Banner,
    /// Between messages; the buffer starts at unexamined input.
    Idle,
    /// Inside a message that starts at buffer offset 0.
    InMessage { lines: usize, legacy: bool },
    /// Dropping the rest of a rejected message up to its end; `mid_line`
    /// when the start of the current line was already dropped.
    Discarding { legacy: bool, mid_line: bool },
    /// Dropping the rest of an over-long banner line.
    SkipLine,
}

/// The incremental AMI decoder: framer plus parser.
///
/// Feed it the connection's read buffer; each call to [`Decoder::decode`]
/// takes one complete message (or the banner) off the front of the buffer,
/// or returns `None` when more input is needed. Input it has examined is
/// never scanned again.
#[derive(Clone, Debug)]
pub struct Decoder {
    limits: Limits,
    state: State,
    /// Where the line being framed starts in the buffer.
    line_start: usize,
    /// How far into the buffer a line end has been searched for.
    scan: usize,
    /// The first `:` of the line being framed, when already seen (message
    /// states only).
    colon: Option<usize>,
    /// Line ends and colons of the bytes at `scan` (message states only).
    block: Block,
    /// The grammar, fed each line as the framer finds it.
    parser: FrameParser,
    /// Bytes of the item [`Decoder::decode_raw`] last lent out, taken off
    /// the buffer at the next call.
    lent: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::server()
    }
}

fn content(line: &[u8]) -> &[u8] {
    let l = line.strip_suffix(b"\n").unwrap_or(line);
    l.strip_suffix(b"\r").unwrap_or(l)
}

impl Decoder {
    /// A decoder for what a server sends: the first line is the banner.
    pub fn client() -> Self {
        Self {
            limits: Limits::default(),
            state: State::Banner,
            line_start: 0,
            scan: 0,
            colon: None,
            block: Block::default(),
            parser: FrameParser::default(),
            lent: 0,
        }
    }

    /// A decoder for what a client sends: no banner.
    pub fn server() -> Self {
        Self {
            limits: Limits::default(),
            state: State::Idle,
            line_start: 0,
            scan: 0,
            colon: None,
            block: Block::default(),
            parser: FrameParser::default(),
            lent: 0,
        }
    }

    /// Replaces the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        let mut limits = limits;
        limits.max_message_bytes = limits
            .max_message_bytes
            .clamp(Limits::MIN_MESSAGE_BYTES, Limits::MAX_MESSAGE_BYTES);
        self.limits = limits;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Forgets any partial message and expects a banner again (after a
    /// reconnect). The caller clears its buffer.
    pub fn reset(&mut self, expect_banner: bool) {
        self.state = if expect_banner {
            State::Banner
        } else {
            State::Idle
        };
        self.rewind();
        self.block = Block::default();
        self.parser.clear();
        self.lent = 0;
    }

    /// Takes the next banner or message off the front of `buf`.
    ///
    /// Returns `None` when `buf` holds no complete message yet (keep the
    /// bytes and call again after the next read), `Some(Err(_))` for a
    /// message that was rejected and dropped (the stream goes on), and
    /// `Some(Ok(_))` for a banner or message.
    #[inline]
    pub fn decode(&mut self, buf: &mut BytesMut) -> Option<Result<Decoded, DecodeError>> {
        let max_headers = self.limits.max_headers;
        match self.next_item(buf)? {
            Err(e) => Some(Err(e)),
            Ok(Framed::Banner { end, len }) => {
                let banner = buf.split_to(end).freeze();
                Some(Ok(Decoded::Banner(banner.slice(..len))))
            }
            Ok(Framed::Frame { start, end }) => {
                let frame = buf.split_to(end).freeze();
                self.block.consumed(end);
                Some(self.parser.finish(frame, start).and_then(|m| {
                    // The terminating line can carry a header too (a legacy
                    // header glued to its end marker).
                    if m.len() > max_headers {
                        Err(DecodeError::TooManyHeaders { limit: max_headers })
                    } else {
                        Ok(Decoded::Message(m))
                    }
                }))
            }
        }
    }

    /// Like [`Decoder::decode`], but lends the message out instead of
    /// handing it over: its headers are views into `buf` and into a span
    /// table the decoder reuses, so decoding allocates nothing. The bytes
    /// stay in `buf` until the next call. Use it to look at every message
    /// and keep few (filters, counters, routers); [`RawMessage::to_message`]
    /// makes an owned copy of one.
    #[inline]
    pub fn decode_raw<'b>(
        &'b mut self,
        buf: &'b mut BytesMut,
    ) -> Option<Result<RawDecoded<'b>, DecodeError>> {
        let max_headers = self.limits.max_headers;
        match self.next_item(buf)? {
            Err(e) => Some(Err(e)),
            Ok(Framed::Banner { end, len }) => {
                self.lent = end;
                Some(Ok(RawDecoded::Banner(&buf[..len])))
            }
            Ok(Framed::Frame { start, end }) => {
                self.lent = end;
                let data: &'b [u8] = &buf[..end];
                Some(match self.parser.complete(data, start) {
                    Err(e) => Err(e),
                    Ok(_) if self.parser.headers().len() > max_headers => {
                        Err(DecodeError::TooManyHeaders { limit: max_headers })
                    }
                    Ok(output) => Ok(RawDecoded::Message(RawMessage::new(
                        data,
                        self.parser.headers(),
                        output,
                    ))),
                })
            }
        }
    }

    /// Where the next item is: the previous loan returned, then the short
    /// way out for a read without a line end, then the framer.
    #[inline]
    fn next_item(&mut self, buf: &mut BytesMut) -> Option<Result<Framed, DecodeError>> {
        self.give_back(buf);
        if self.no_line_end_yet(buf) {
            return None;
        }
        self.step(buf)
    }

    /// The short way out for small reads in the middle of a message: when
    /// the bytes added since the last call (at most one block of them) hold
    /// no line end, there is nothing to parse yet. Notes the current line's
    /// colon if it is among them and moves the scan position past them;
    /// false (having done nothing the hot loop would not redo) otherwise.
    #[inline]
    fn no_line_end_yet(&mut self, buf: &BytesMut) -> bool {
        let scan = self.scan;
        let len = buf.len();
        if !matches!(self.state, State::Idle | State::InMessage { .. })
            || scan >= len
            || len - scan > 64
            || len > self.limits.max_message_bytes
            || self.block.covers(scan)
        {
            return false;
        }
        let block = Block::load(buf, scan);
        self.block = block;
        if block.nl != 0 {
            return false;
        }
        // Everything from `scan` on belongs to the line being framed.
        if self.colon.is_none() && block.colon != 0 {
            self.colon = Some(scan + block.colon.trailing_zeros() as usize);
        }
        self.scan = scan + block.len;
        true
    }

    /// Takes the item `decode_raw` lent out off the buffer.
    #[inline]
    fn give_back(&mut self, buf: &mut BytesMut) {
        if self.lent > 0 {
            self.consume(buf, self.lent.min(buf.len()));
            self.lent = 0;
            self.parser.clear();
        }
    }

    fn step(&mut self, buf: &mut BytesMut) -> Option<Result<Framed, DecodeError>> {
        loop {
            if matches!(self.state, State::Idle | State::InMessage { .. }) {
                return self.message_lines(buf);
            }
            let Some(i) = memchr::memchr(b'\n', &buf[self.scan..]) else {
                return self.incomplete(buf);
            };
            let line_end = self.scan + i + 1;
            match self.state {
                State::Banner => {
                    let line = content(&buf[..line_end]);
                    if line.is_empty() {
                        self.consume(buf, line_end);
                        self.rewind();
                        continue;
                    }
                    let max = self.limits.max_message_bytes;
                    if !line[..line.len().min(max)].contains(&b':') {
                        if line_end > max {
                            self.consume(buf, line_end);
                            self.rewind();
                            self.state = State::Idle;
                            return Some(Err(DecodeError::MessageTooLarge { limit: max }));
                        }
                        let len = line.len();
                        self.state = State::Idle;
                        self.rewind();
                        return Some(Ok(Framed::Banner { end: line_end, len }));
                    }
                    // No banner: a message starts right away, and its first
                    // line is scanned again for its colon.
                    self.state = State::Idle;
                    self.rewind();
                }
                State::SkipLine => {
                    self.consume(buf, line_end);
                    self.rewind();
                    self.state = State::Idle;
                }
                State::Discarding { legacy, mid_line } => {
                    let line = &buf[..line_end];
                    let ends = if legacy {
                        content(line).ends_with(END_COMMAND)
                    } else {
                        !mid_line && content(line).is_empty()
                    };
                    self.consume(buf, line_end);
                    self.rewind();
                    self.state = if ends {
                        State::Idle
                    } else {
                        State::Discarding {
                            legacy,
                            mid_line: false,
                        }
                    };
                }
                State::Idle | State::InMessage { .. } => {}
            }
        }
    }

    /// The hot loop: the lines of messages (states `Idle` and `InMessage`),
    /// read off the scanner's line-end and colon masks. Each complete line
    /// goes to the grammar as soon as it is found; ordinary header lines
    /// (`Name:` then CRLF, in a message that is neither legacy nor after a
    /// bare LF) take the grammar's short path with the colon already known.
    fn message_lines(&mut self, buf: &mut BytesMut) -> Option<Result<Framed, DecodeError>> {
        let max = self.limits.max_message_bytes;
        let max_headers = self.limits.max_headers;
        let (mut lines, mut legacy) = match self.state {
            State::InMessage { lines, legacy } => (lines, legacy),
            _ => (0, false),
        };
        let mut start = self.line_start;
        let mut scan = self.scan;
        let mut colon = self.colon;
        let mut block = self.block;
        // `self.parser.plain()`, kept up to date as lines go.
        let mut plain = self.parser.plain();
        'blocks: loop {
            let data: &[u8] = buf;
            if !block.covers(scan) || block.base + block.len > data.len() {
                if scan >= data.len() {
                    self.block = block;
                    self.line_start = start;
                    self.scan = scan;
                    self.colon = colon;
                    self.state = if lines == 0 {
                        State::Idle
                    } else {
                        State::InMessage { lines, legacy }
                    };
                    if data.len() <= max {
                        // The common wait for more input (what `incomplete`
                        // does when within the limit).
                        return None;
                    }
                    return self.incomplete(buf);
                }
                block = Block::load(data, scan);
            }
            let base = block.base;
            // The line ends not yet taken, and the colons from the start of
            // the current line on; both lose their lowest bits as lines go.
            let mut ends = block.nl & from_bit(scan - base);
            let mut colons = block.colon & from_bit(start.max(base) - base);
            while ends != 0 {
                let bit = ends.trailing_zeros() as usize;
                ends &= ends - 1;
                if colon.is_none() {
                    let c = colons & ((1u64 << bit) - 1);
                    if c != 0 {
                        colon = Some(base + c.trailing_zeros() as usize);
                    }
                }
                colons &= !(u64::MAX >> (63 - bit));
                let nl = base + bit;
                let end = nl + 1;
                let cr = nl > start
                    && (block.crlf >> bit & 1 != 0 || (bit == 0 && data[nl - 1] == b'\r'));
                let line_content = if cr { nl - 1 } else { nl };
                if lines == 0 {
                    // The first line of a message.
                    if line_content == start {
                        // A stray blank line between messages.
                        block.consumed(end);
                        buf.advance(end);
                        plain = self.parser.plain();
                        start = 0;
                        scan = 0;
                        colon = None;
                        continue 'blocks;
                    }
                    match colon {
                        // Only `Response: Follows` starts a legacy frame.
                        Some(c)
                            if cr
                                && c > start
                                && !data[start..c].eq_ignore_ascii_case(b"Response") =>
                        {
                            legacy = false;
                            self.parser.header(data, start, c, line_content);
                        }
                        _ => {
                            legacy = is_follows_line(&data[start..line_content]);
                            self.parser.line(data, start, end);
                        }
                    }
                    plain = self.parser.plain();
                    lines = 1;
                } else {
                    if ends_frame(legacy, &data[start..line_content]) {
                        // The terminating line.
                        self.block = block;
                        self.rewind();
                        self.state = State::Idle;
                        if end > max {
                            // The line that completes the message takes it
                            // over the limit: drop the whole message.
                            self.consume(buf, end);
                            self.parser.clear();
                            return Some(Err(DecodeError::MessageTooLarge { limit: max }));
                        }
                        return Some(Ok(Framed::Frame { start, end }));
                    }
                    match colon {
                        Some(c) if cr && c > start && plain => {
                            self.parser.header(data, start, c, line_content);
                        }
                        _ => {
                            self.parser.line_number(lines);
                            self.parser.line(data, start, end);
                            plain = self.parser.plain();
                        }
                    }
                    lines += 1;
                }
                start = end;
                colon = None;
                if end > max || lines > max_headers {
                    self.block = block;
                    self.state = State::InMessage { lines, legacy };
                    self.line_start = end;
                    self.scan = end;
                    self.colon = None;
                    if let Some(e) = self.check(end, lines, legacy, buf) {
                        return Some(Err(e));
                    }
                    return self.step(buf);
                }
            }
            // No more line ends in this block: note the current line's colon
            // if it is here, and go on with the next block.
            if colon.is_none() && colons != 0 {
                colon = Some(base + colons.trailing_zeros() as usize);
            }
            scan = base + block.len;
        }
    }

    /// Takes `n` bytes off the front of the buffer, keeping the scanner's
    /// offsets right.
    fn consume(&mut self, buf: &mut BytesMut, n: usize) {
        buf.advance(n);
        self.block.consumed(n);
    }

    fn rewind(&mut self) {
        self.line_start = 0;
        self.scan = 0;
        self.colon = None;
    }

    /// Enforces the limits on the message being framed; on a breach, drops
    /// what is buffered of it and switches to discarding the rest.
    fn check(
        &mut self,
        size: usize,
        lines: usize,
        legacy: bool,
        buf: &mut BytesMut,
    ) -> Option<DecodeError> {
        let err = if size > self.limits.max_message_bytes {
            DecodeError::MessageTooLarge {
                limit: self.limits.max_message_bytes,
            }
        } else if lines > self.limits.max_headers {
            DecodeError::TooManyHeaders {
                limit: self.limits.max_headers,
            }
        } else {
            return None;
        };
        self.consume(buf, self.line_start);
        self.rewind();
        self.parser.clear();
        self.state = State::Discarding {
            legacy,
            mid_line: false,
        };
        Some(err)
    }

    /// No line end in the unexamined input: remember how far we looked, and
    /// bound memory for a message (or a line) that never ends.
    fn incomplete(&mut self, buf: &mut BytesMut) -> Option<Result<Framed, DecodeError>> {
        let max = self.limits.max_message_bytes;
        match self.state {
            State::Discarding { legacy, mid_line } => {
                // The buffer holds the start of one line. A lone CR may be
                // the start of the blank line that ends the message, and the
                // end of a legacy line may be the start of its end marker:
                // keep those bytes, drop the rest.
                if !legacy && !mid_line && buf.as_ref() == b"\r" {
                    self.scan = buf.len();
                    return None;
                }
                let keep = if legacy {
                    buf.len().min(END_COMMAND.len() + 1)
                } else {
                    0
                };
                if buf.len() > keep {
                    self.state = State::Discarding {
                        legacy,
                        mid_line: true,
                    };
                }
                self.consume(buf, buf.len() - keep);
                self.rewind();
                self.scan = keep;
                None
            }
            State::SkipLine => {
                buf.clear();
                self.rewind();
                None
            }
            _ if buf.len() > max => {
                let partial = &buf[self.line_start..];
                let lone_cr = partial == b"\r";
                let at_line_start = partial.is_empty() || lone_cr;
                self.state = match self.state {
                    State::Banner if !partial[..partial.len().min(max)].contains(&b':') => {
                        State::SkipLine
                    }
                    State::InMessage { legacy, .. } => State::Discarding {
                        legacy,
                        mid_line: !at_line_start,
                    },
                    _ => State::Discarding {
                        legacy: false,
                        mid_line: !at_line_start,
                    },
                };
                let legacy = matches!(self.state, State::Discarding { legacy: true, .. });
                let keep = if legacy {
                    partial.len().min(END_COMMAND.len() + 1)
                } else {
                    usize::from(lone_cr)
                };
                self.consume(buf, buf.len() - keep);
                self.rewind();
                self.scan = keep;
                self.parser.clear();
                Some(Err(DecodeError::MessageTooLarge { limit: max }))
            }
            _ => {
                self.scan = buf.len();
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Message;

    fn all(dec: &mut Decoder, input: &[u8], chunk: usize) -> Vec<Result<Decoded, DecodeError>> {
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for piece in input.chunks(chunk.max(1)) {
            buf.extend_from_slice(piece);
            while let Some(r) = dec.decode(&mut buf) {
                out.push(r);
            }
        }
        out
    }

    fn msgs(r: &[Result<Decoded, DecodeError>]) -> Vec<Message> {
        r.iter()
            .filter_map(|r| match r {
                Ok(Decoded::Message(m)) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }

    const STREAM: &[u8] = b"Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: a\r\nMessage: Authentication accepted\r\n\r\nEvent: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n";

    #[test]
    fn banner_then_messages_at_any_chunking() {
        let whole = all(&mut Decoder::client(), STREAM, STREAM.len());
        assert_eq!(whole.len(), 3);
        assert_eq!(
            whole[0],
            Ok(Decoded::Banner(bytes::Bytes::from_static(
                b"Asterisk Call Manager/11.0.0"
            )))
        );
        for chunk in [1, 2, 3, 7, 64] {
            assert_eq!(
                all(&mut Decoder::client(), STREAM, chunk),
                whole,
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn tolerates_lf_only_and_the_crlf_lf_ending() {
        let r = all(
            &mut Decoder::server(),
            b"Action: Ping\nActionID: lf-only\n\nEvent: A\r\nX: 1\r\n\nEvent: B\r\n\r\n",
            5,
        );
        let m = msgs(&r);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].action_id(), Some("lf-only"));
        assert_eq!(m[1].get("X"), Some("1"));
        assert!(m[2].is_event("B"));
    }

    #[test]
    fn oversized_message_costs_only_itself() {
        let limits = Limits::default().max_message_bytes(64);
        let mut big = b"Event: Big\r\n".to_vec();
        for _ in 0..20 {
            big.extend_from_slice(b"Filler: 0123456789\r\n");
        }
        big.extend_from_slice(b"\r\nEvent: After\r\n\r\n");
        for chunk in [1, 13, 1000] {
            let r = all(
                &mut Decoder::server().with_limits(limits.clone()),
                &big,
                chunk,
            );
            assert_eq!(r.len(), 2, "chunk {chunk}: {r:?}");
            assert_eq!(r[0], Err(DecodeError::MessageTooLarge { limit: 64 }));
            assert!(msgs(&r)[0].is_event("After"));
        }
    }

    #[test]
    fn a_line_that_never_ends_is_bounded() {
        let mut dec = Decoder::server().with_limits(Limits::default().max_message_bytes(100));
        let mut buf = BytesMut::new();
        let mut errors = 0;
        for _ in 0..100 {
            buf.extend_from_slice(&[b'x'; 50]);
            while let Some(r) = dec.decode(&mut buf) {
                assert!(r.is_err());
                errors += 1;
            }
            assert!(buf.len() <= 150, "buffer grew to {}", buf.len());
        }
        assert_eq!(errors, 1);
        buf.extend_from_slice(b"\r\n\r\nEvent: Ok\r\n\r\n");
        let r = dec.decode(&mut buf).unwrap().unwrap();
        assert!(matches!(r, Decoded::Message(m) if m.is_event("Ok")));
    }

    #[test]
    fn too_many_headers() {
        let mut dec = Decoder::server().with_limits(Limits::default().max_headers(3));
        let r = all(
            &mut dec,
            b"Event: A\r\nB: 1\r\nC: 2\r\nD: 3\r\n\r\nEvent: Z\r\n\r\n",
            4,
        );
        assert_eq!(r[0], Err(DecodeError::TooManyHeaders { limit: 3 }));
        assert!(msgs(&r)[0].is_event("Z"));
    }

    #[test]
    fn legacy_follows_output_may_hold_blank_lines() {
        let input = b"Response: Follows\r\nPrivilege: Command\r\nActionID: 9\r\nline 1\n\nline 3\n--END COMMAND--\r\n\r\nEvent: Next\r\n\r\n";
        for chunk in [1, 10, 500] {
            let r = all(&mut Decoder::server(), input, chunk);
            let m = msgs(&r);
            assert_eq!(m.len(), 2, "{r:?}");
            assert_eq!(m[0].output(), ["line 1", "", "line 3"]);
            assert!(m[1].is_event("Next"));
        }
    }

    #[test]
    fn malformed_message_resynchronises() {
        let r = all(
            &mut Decoder::server(),
            b"Event: A\r\njunk line\r\n\r\nEvent: B\r\n\r\n",
            3,
        );
        assert_eq!(r[0], Err(DecodeError::MalformedLine { line: 2 }));
        assert!(msgs(&r)[0].is_event("B"));
    }
}
