//! One AMI message: an ordered list of headers over one shared buffer.

use std::fmt;

use bytes::{BufMut, Bytes, BytesMut};

/// Case-insensitive suffix test on bytes (never slices inside a UTF-8
/// character, unlike slicing a `str`).
trait EndsWithIgnoreCase {
    fn ends_with_ignore_case(&self, suffix: &[u8]) -> bool;
}

impl EndsWithIgnoreCase for [u8] {
    fn ends_with_ignore_case(&self, suffix: &[u8]) -> bool {
        self.len() >= suffix.len() && self[self.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    }
}

use super::header::{ActionId, HeaderName, HeaderValue, ValidationError};

/// A byte range in a message's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Self {
        // Frames are capped far below 4 GiB by the decoder's limits.
        Self {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    pub(crate) fn get<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        buf.get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

/// Where one header's name and value sit in the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HeaderSpan {
    pub(crate) name: Span,
    pub(crate) value: Span,
}

/// What a message is, decided by its first header (never by which headers
/// it carries: `Event: OriginateResponse` has a `Response:` header too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageKind {
    /// `Response: …` first: the answer to an action.
    Response,
    /// `Event: …` first: an event (unsolicited, or a list item).
    Event,
    /// `Action: …` first: a request from a client.
    Action,
    /// Anything else (a client block without `Action:`, for instance).
    Other,
}

/// One AMI message: headers in wire order, repeated names kept.
///
/// The headers are views into one shared, reference-counted buffer (the
/// frame as received), so decoding a message copies no header and cloning a
/// message is cheap. Names compare without ASCII case. Values are bytes, as
/// Asterisk does not validate them; [`Message::get`] gives them as `&str`
/// when they are UTF-8 and [`Message::get_bytes`] always.
///
/// ```
/// use ami_proto::Message;
/// let m = Message::action("Originate")
///     .action_id("o-1")
///     .header("Channel", "Local/200@test")
///     .header("Variable", "A=1")
///     .header("Variable", "B=2")
///     .build()
///     .unwrap();
/// assert_eq!(m.get("channel"), Some("Local/200@test"));
/// assert_eq!(m.get_all("Variable").collect::<Vec<_>>(), ["A=1", "B=2"]);
/// assert_eq!(&m.to_bytes()[..], b"Action: Originate\r\nActionID: o-1\r\nChannel: Local/200@test\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n");
/// ```
#[derive(Clone)]
pub struct Message {
    buf: Bytes,
    headers: Vec<HeaderSpan>,
    output: Option<Span>,
}

/// One header of a message, borrowed.
#[derive(Clone, Copy)]
pub struct Header<'a> {
    name: &'a [u8],
    value: &'a [u8],
}

impl<'a> Header<'a> {
    /// The name as received.
    pub fn name(&self) -> &'a str {
        // Names are checked to be ASCII-free of separators when decoded;
        // non-UTF-8 names show as empty.
        std::str::from_utf8(self.name).unwrap_or_default()
    }

    /// The name's bytes.
    pub fn name_bytes(&self) -> &'a [u8] {
        self.name
    }

    /// The value, if it is UTF-8.
    pub fn value(&self) -> Option<&'a str> {
        std::str::from_utf8(self.value).ok()
    }

    /// The value's bytes.
    pub fn value_bytes(&self) -> &'a [u8] {
        self.value
    }

    /// True if the name equals `name` ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }
}

impl fmt::Debug for Header<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            String::from_utf8_lossy(self.name),
            String::from_utf8_lossy(self.value)
        )
    }
}

/// One variable a message carries, split into its parts.
///
/// Asterisk sends variables in three shapes, all read by
/// [`Message::variables`]:
///
/// - `NAME=value` headers: `Variable` (an `Originate` action, a `Status`
///   item), `ChanVariable`, `DestChanVariable` and every other
///   `…ChanVariable` (the `channelvars` of `manager.conf`);
/// - the channel-qualified `ChanVariable(<channel>): NAME=value` that
///   events raised on a channel carry (`OriginateResponse`): the channel
///   is [`Variable::channel`], the header [`Variable::header`] is
///   `ChanVariable`;
/// - a `Variable: NAME` header with its value in a `Value:` header
///   (`VarSet` events, the `Getvar` response, the `Setvar` action): the
///   n-th `Variable` goes with the n-th `Value`.
///
/// Values are bytes, as Asterisk does not check them:
/// [`Variable::value`] is `None` for a value that is not UTF-8, and
/// [`Variable::value_bytes`] always has it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Variable<'a> {
    header: &'a str,
    channel: Option<&'a [u8]>,
    name: &'a [u8],
    value: &'a [u8],
}

impl<'a> Variable<'a> {
    /// The header it came from without any channel qualifier:
    /// `ChanVariable`, `DestChanVariable`, `Variable`, … as received.
    pub fn header(&self) -> &'a str {
        self.header
    }

    /// The channel of a `ChanVariable(<channel>)` header, if UTF-8.
    pub fn channel(&self) -> Option<&'a str> {
        self.channel.and_then(|c| std::str::from_utf8(c).ok())
    }

    /// The channel of a `ChanVariable(<channel>)` header, as bytes.
    pub fn channel_bytes(&self) -> Option<&'a [u8]> {
        self.channel
    }

    /// The variable's name (`__INHERITED` keeps its underscores), if UTF-8.
    pub fn name(&self) -> Option<&'a str> {
        std::str::from_utf8(self.name).ok()
    }

    /// The variable's name, as bytes.
    pub fn name_bytes(&self) -> &'a [u8] {
        self.name
    }

    /// Its value, if UTF-8 (may be empty, or `(null)` for an unset variable
    /// in `Status`).
    pub fn value(&self) -> Option<&'a str> {
        std::str::from_utf8(self.value).ok()
    }

    /// Its value, as bytes.
    pub fn value_bytes(&self) -> &'a [u8] {
        self.value
    }
}

impl fmt::Debug for Variable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Variable");
        d.field("header", &self.header);
        if let Some(c) = self.channel {
            d.field("channel", &String::from_utf8_lossy(c));
        }
        d.field("name", &String::from_utf8_lossy(self.name))
            .field("value", &String::from_utf8_lossy(self.value))
            .finish()
    }
}

/// Splits a variable header's name: `ChanVariable(Local/1;1)` →
/// (`ChanVariable`, `Some("Local/1;1")`); `None` for a header that
/// carries no variable.
fn variable_header(name: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let (base, channel) = match name.iter().position(|&b| b == b'(') {
        Some(open) if name.last() == Some(&b')') => {
            (&name[..open], Some(&name[open + 1..name.len() - 1]))
        }
        Some(_) => return None,
        None => (name, None),
    };
    let is_var = base.ends_with_ignore_case(b"ChanVariable")
        || (channel.is_none() && base.eq_ignore_ascii_case(b"Variable"));
    is_var.then_some((base, channel))
}

/// The header accessors shared by [`Message`] (owned) and
/// [`RawMessage`](crate::codec::RawMessage) (lent out by the decoder): a
/// frame's bytes and the spans of its headers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct View<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) spans: &'a [HeaderSpan],
}

impl<'a> View<'a> {
    pub(crate) fn headers(self) -> impl ExactSizeIterator<Item = Header<'a>> + 'a {
        let buf = self.buf;
        self.spans.iter().map(move |h| Header {
            name: h.name.get(buf),
            value: h.value.get(buf),
        })
    }

    pub(crate) fn first(self) -> Option<Header<'a>> {
        self.headers().next()
    }

    pub(crate) fn kind(self) -> MessageKind {
        match self.first() {
            Some(h) if h.is("Response") => MessageKind::Response,
            Some(h) if h.is("Event") => MessageKind::Event,
            Some(h) if h.is("Action") => MessageKind::Action,
            _ => MessageKind::Other,
        }
    }

    pub(crate) fn name(self) -> Option<&'a str> {
        self.first().and_then(|h| h.value())
    }

    pub(crate) fn get_bytes(self, name: &str) -> Option<&'a [u8]> {
        self.headers().find(|h| h.is(name)).map(|h| h.value)
    }

    pub(crate) fn get(self, name: &str) -> Option<&'a str> {
        self.get_bytes(name)
            .and_then(|v| std::str::from_utf8(v).ok())
    }

    pub(crate) fn action_id(self) -> Option<&'a str> {
        self.get("ActionID").filter(|v| !v.is_empty())
    }

    pub(crate) fn get_all_bytes(self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers().filter(move |h| h.is(name)).map(|h| h.value)
    }

    pub(crate) fn variables(self) -> impl Iterator<Item = Variable<'a>> + 'a {
        // `Variable: NAME` + `Value: value` pairs when the message has a
        // `Value` header (VarSet, Getvar, Setvar), else `NAME=value`.
        let mut values = self.get_all_bytes("Value");
        let paired = self.get_bytes("Value").is_some();
        self.headers().filter_map(move |h| {
            let (base, channel) = variable_header(h.name)?;
            // The base is a prefix of a header name: ASCII by the decoder's
            // and the builder's rules.
            let header = std::str::from_utf8(base).unwrap_or_default();
            if paired && channel.is_none() && base.eq_ignore_ascii_case(b"Variable") {
                return Some(Variable {
                    header,
                    channel,
                    name: h.value,
                    value: values.next().unwrap_or_default(),
                });
            }
            // A name without `=` and without a `Value` (the `Getvar`
            // action's `Variable: NAME`) asks for a variable: no value here.
            let eq = h.value.iter().position(|&b| b == b'=')?;
            let (name, value) = (&h.value[..eq], &h.value[eq + 1..]);
            Some(Variable {
                header,
                channel,
                name,
                value,
            })
        })
    }

    pub(crate) fn variable(self, header: &str, name: &str) -> Option<Variable<'a>> {
        let name = name.as_bytes();
        self.variables()
            .find(move |v| v.header.eq_ignore_ascii_case(header) && v.name == name)
    }
}

impl Message {
    pub(crate) fn from_parts(buf: Bytes, headers: Vec<HeaderSpan>, output: Option<Span>) -> Self {
        Self {
            buf,
            headers,
            output,
        }
    }

    /// Starts building an action (`Action: name` first).
    pub fn action(name: &str) -> MessageBuilder {
        MessageBuilder::new().header("Action", name)
    }

    /// Starts building a response (`Response: status` first), for simulators.
    pub fn response(status: &str) -> MessageBuilder {
        MessageBuilder::new().header("Response", status)
    }

    /// Starts building an event (`Event: name` first), for simulators.
    pub fn event(name: &str) -> MessageBuilder {
        MessageBuilder::new().header("Event", name)
    }

    /// Starts building a message with no first header yet.
    pub fn builder() -> MessageBuilder {
        MessageBuilder::new()
    }

    fn view(&self) -> View<'_> {
        View {
            buf: &self.buf,
            spans: &self.headers,
        }
    }

    /// The headers in wire order.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = Header<'_>> + '_ {
        self.view().headers()
    }

    /// About how many bytes this message holds on its own: the bytes it
    /// spans in its buffer plus its header table (what bounded queues
    /// count).
    pub fn weight(&self) -> usize {
        let first = self.headers.first().map_or(0, |h| h.name.start as usize);
        let last = self
            .headers
            .last()
            .map_or(0, |h| h.value.end as usize)
            .max(self.output.as_ref().map_or(0, |o| o.end as usize));
        last.saturating_sub(first) + self.headers.len() * size_of::<HeaderSpan>()
    }

    /// How many headers.
    pub fn len(&self) -> usize {
        self.headers.len()
    }

    /// True if the message has no header.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    /// The first header.
    pub fn first(&self) -> Option<Header<'_>> {
        self.view().first()
    }

    /// What the message is, from its first header.
    pub fn kind(&self) -> MessageKind {
        self.view().kind()
    }

    /// The first header's value: the event name, action name or response
    /// status.
    pub fn name(&self) -> Option<&str> {
        self.view().name()
    }

    /// True for an event named `name` (ignoring case: the documentation's
    /// `NewExten` is `Newexten` on the wire).
    pub fn is_event(&self, name: &str) -> bool {
        self.kind() == MessageKind::Event
            && self
                .first()
                .is_some_and(|h| h.value.eq_ignore_ascii_case(name.as_bytes()))
    }

    /// The first value of header `name` (ignoring case), if UTF-8.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.view().get(name)
    }

    /// The first value of header `name` (ignoring case), as bytes.
    pub fn get_bytes(&self, name: &str) -> Option<&[u8]> {
        self.view().get_bytes(name)
    }

    /// Every value of header `name`, in order, that is UTF-8; a value that
    /// is not is left out ([`Message::get_all_bytes`] has every value).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers()
            .filter(move |h| h.is(name))
            .filter_map(|h| h.value())
    }

    /// Every value of header `name` (ignoring case), in order, as bytes.
    pub fn get_all_bytes<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.view().get_all_bytes(name)
    }

    /// The `ActionID`, if present and non-empty.
    pub fn action_id(&self) -> Option<&str> {
        self.view().action_id()
    }

    /// The variables the message carries, in wire order, in each of
    /// Asterisk's shapes (see [`Variable`]): `NAME=value` headers
    /// (`ChanVariable`, `DestChanVariable`, any other `…ChanVariable`,
    /// `Variable`), channel-qualified `ChanVariable(<channel>)` headers, and
    /// `Variable:` + `Value:` pairs. Non-UTF-8 names and values are kept
    /// (as bytes).
    pub fn variables(&self) -> impl Iterator<Item = Variable<'_>> + '_ {
        self.view().variables()
    }

    /// The value of the first variable `name` carried in header `header`
    /// (`ChanVariable`, `DestChanVariable`, `Variable`, …; a
    /// channel-qualified `ChanVariable(<channel>)` counts as
    /// `ChanVariable`), if UTF-8.
    pub fn variable(&self, header: &str, name: &str) -> Option<&str> {
        self.view().variable(header, name).and_then(|v| v.value())
    }

    /// [`Message::variable`] as bytes, for values that are not UTF-8.
    pub fn variable_bytes(&self, header: &str, name: &str) -> Option<&[u8]> {
        self.view().variable(header, name).map(|v| v.value_bytes())
    }

    /// Command output lines: every `Output:` value (Asterisk 14 and later),
    /// or the raw lines of a legacy `Response: Follows` message.
    pub fn output(&self) -> Vec<&str> {
        match self.output {
            Some(span) => {
                let raw = std::str::from_utf8(span.get(&self.buf)).unwrap_or_default();
                raw.split('\n')
                    .map(|l| l.strip_suffix('\r').unwrap_or(l))
                    .collect()
            }
            None => self.get_all("Output").collect(),
        }
    }

    /// The raw legacy command output (`Response: Follows` … `--END COMMAND--`),
    /// if this is such a message.
    pub fn legacy_output(&self) -> Option<&[u8]> {
        self.output.map(|s| s.get(&self.buf))
    }

    /// True for a list's opening response (`EventList: start`).
    pub fn is_list_start(&self) -> bool {
        self.get_bytes("EventList")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"start"))
    }

    /// True for a list's completion event (`EventList: Complete`).
    pub fn is_list_complete(&self) -> bool {
        self.get_bytes("EventList")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"Complete"))
    }

    /// Writes the message in canonical form (`Name: value\r\n` … `\r\n`).
    pub fn encode(&self, out: &mut BytesMut) {
        let body: usize = self
            .headers
            .iter()
            .map(|h| (h.name.end - h.name.start + h.value.end - h.value.start + 4) as usize)
            .sum();
        out.reserve(body + 2 + self.output.map_or(0, |s| (s.end - s.start) as usize + 20));
        for h in self.headers() {
            out.put_slice(h.name);
            out.put_slice(b": ");
            out.put_slice(h.value);
            out.put_slice(b"\r\n");
        }
        // A `Response: Follows` message always carries its end marker, or
        // the framer would wait for it.
        if self.output.is_some() || self.is_follows() {
            let raw = self.legacy_output().unwrap_or_default();
            out.put_slice(raw);
            if !raw.is_empty() {
                // The parser drops the one line break before the marker.
                out.put_slice(b"\r\n");
            }
            out.put_slice(b"--END COMMAND--\r\n");
        }
        out.put_slice(b"\r\n");
    }

    /// True for a legacy command answer (`Response: Follows` first).
    fn is_follows(&self) -> bool {
        self.first()
            .is_some_and(|h| h.is("Response") && h.value.eq_ignore_ascii_case(b"Follows"))
    }

    /// The message in canonical wire form.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }
}

impl PartialEq for Message {
    /// Same headers (names byte-for-byte, values) in the same order, and
    /// the same legacy output.
    fn eq(&self, other: &Self) -> bool {
        self.headers.len() == other.headers.len()
            && self
                .headers()
                .zip(other.headers())
                .all(|(a, b)| a.name == b.name && a.value == b.value)
            && self.legacy_output() == other.legacy_output()
    }
}

impl Eq for Message {}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for h in self.headers() {
            if h.is("Secret") || h.is("Key") {
                l.entry(&format_args!("{}: ***", h.name()));
            } else {
                l.entry(&h);
            }
        }
        if let Some(raw) = self.legacy_output() {
            l.entry(&format_args!("<legacy output {} bytes>", raw.len()));
        }
        l.finish()
    }
}

impl fmt::Debug for MessageBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for h in &self.headers {
            let name = String::from_utf8_lossy(h.name.get(&self.buf));
            if name.eq_ignore_ascii_case("Secret") || name.eq_ignore_ascii_case("Key") {
                l.entry(&format_args!("{name}: ***"));
            } else {
                let value = String::from_utf8_lossy(h.value.get(&self.buf));
                l.entry(&format_args!("{name}: {value}"));
            }
        }
        if let Some(e) = &self.error {
            l.entry(&format_args!("<invalid: {e}>"));
        }
        l.finish()
    }
}

/// Builds a message header by header, validating names and values.
///
/// The first invalid name or value is remembered and returned by
/// [`MessageBuilder::build`], so a chain of `header` calls needs one `?`.
///
/// `Debug` redacts `Secret` and `Key` values as [`Message`]'s does.
pub struct MessageBuilder {
    buf: BytesMut,
    headers: Vec<HeaderSpan>,
    error: Option<ValidationError>,
}

impl MessageBuilder {
    fn new() -> Self {
        Self {
            buf: BytesMut::with_capacity(128),
            headers: Vec::with_capacity(8),
            error: None,
        }
    }

    fn push(&mut self, name: &str, value: &str) {
        let n0 = self.buf.len();
        self.buf.put_slice(name.as_bytes());
        let n1 = self.buf.len();
        self.buf.put_slice(b": ");
        let v0 = self.buf.len();
        self.buf.put_slice(value.as_bytes());
        let v1 = self.buf.len();
        self.buf.put_slice(b"\r\n");
        self.headers.push(HeaderSpan {
            name: Span::new(n0, n1),
            value: Span::new(v0, v1),
        });
    }

    /// Appends a header, validating both parts.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if self.error.is_none() {
            match (HeaderName::new(name), HeaderValue::new(value)) {
                (Ok(_), Ok(_)) => self.push(name, value),
                (Err(e), _) | (_, Err(e)) => self.error = Some(e),
            }
        }
        self
    }

    /// Appends an already validated header.
    #[must_use]
    pub fn typed_header(mut self, name: &HeaderName, value: &HeaderValue) -> Self {
        self.push(name.as_str(), value.as_str());
        self
    }

    /// Appends `ActionID: id` (an empty id is an error: Asterisk would drop it).
    #[must_use]
    pub fn action_id(self, id: &str) -> Self {
        match ActionId::new(id) {
            Ok(id) => self.typed_action_id(&id),
            Err(e) => {
                let mut s = self;
                s.error.get_or_insert(e);
                s
            }
        }
    }

    /// Appends an already validated `ActionID`.
    #[must_use]
    pub fn typed_action_id(mut self, id: &ActionId) -> Self {
        self.push("ActionID", id.as_str());
        self
    }

    /// Appends one `name: key=value` header (`Variable` on Originate, for
    /// instance).
    #[must_use]
    pub fn variable(self, header: &str, key: &str, value: &str) -> Self {
        self.header(header, &format!("{key}={value}"))
    }

    /// Finishes the message.
    pub fn build(mut self) -> Result<Message, ValidationError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.buf.put_slice(b"\r\n");
        Ok(Message {
            buf: self.buf.freeze(),
            headers: self.headers,
            output: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_rejects_injection_and_keeps_order() {
        let err = Message::action("Setvar")
            .header("Value", "x\r\nAction: Hangup")
            .build()
            .unwrap_err();
        assert!(err.is_line_break());
        assert!(Message::action("Ping").action_id("").build().is_err());
        let m = Message::event("Newchannel")
            .header("Uniqueid", "1.1")
            .header("Linkedid", "1.1")
            .build()
            .unwrap();
        assert_eq!(m.kind(), MessageKind::Event);
        assert!(m.is_event("NEWCHANNEL"));
        assert_eq!(
            m.headers().map(|h| h.name()).collect::<Vec<_>>(),
            ["Event", "Uniqueid", "Linkedid"]
        );
    }

    #[test]
    fn variables_view() {
        let m = Message::event("Newexten")
            .header("ChanVariable", "FOO=a=b")
            .header("DestChanVariable", "BAR=")
            .header("Variable", "X=(null)")
            .header("Other", "NOT=var")
            .build()
            .unwrap();
        let vars: Vec<_> = m
            .variables()
            .map(|v| (v.header(), v.name().unwrap(), v.value().unwrap()))
            .collect();
        assert_eq!(
            vars,
            [
                ("ChanVariable", "FOO", "a=b"),
                ("DestChanVariable", "BAR", ""),
                ("Variable", "X", "(null)")
            ]
        );
        assert_eq!(m.variable("destchanvariable", "BAR"), Some(""));
    }

    #[test]
    fn debug_hides_secrets() {
        let m = Message::action("Login")
            .header("Username", "admin")
            .header("Secret", "amp111")
            .build()
            .unwrap();
        let shown = format!("{m:?}");
        assert!(!shown.contains("amp111"), "{shown}");
        assert!(shown.contains("admin"));
    }
}
