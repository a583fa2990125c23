//! The AMI session as a deterministic state machine (no IO, no clock).
//!
//! [`Session`] owns the decoder and everything AMI asks of a client: the
//! banner, login (plain or MD5 challenge), ActionID correlation with many
//! actions in flight while events interleave, event-list collection,
//! keep-alive pings, action timeouts, logoff, and the reconnect decisions
//! (with [`cti_core::Backoff`]) after the transport is lost.
//!
//! # Call order
//!
//! A driver (the `client` module, or a test) loops:
//!
//! 1. [`Session::poll_command`]: `Connect` → open a transport, then call
//!    [`Session::handle_connected`] or [`Session::handle_connect_failed`];
//!    `Disconnect` → drop the transport.
//! 2. [`Session::handle_input`] with every byte read;
//!    [`Session::handle_disconnected`] when the transport ends.
//! 3. [`Session::poll_transmit`] until `None`, writing the bytes.
//! 4. [`Session::poll_event`] until `None`, handing events to the application.
//! 5. [`Session::poll_timeout`]: sleep until then (or until input), then
//!    [`Session::handle_timeout`].
//!
//! Application commands — [`Session::send_action`], [`Session::send_list`],
//! [`Session::close`] — may come at any time. Time is always an argument.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use cti_core::{Backoff, BackoffConfig, Secret};
use md5::{Digest, Md5};

use crate::codec::{DecodeError, Decoded, Decoder, Limits};
use crate::{ActionId, Message, MessageKind};

/// The `Key` of an MD5 login: lower-case hex MD5 of the server's challenge
/// followed by the secret. The client session and the simulator both use it.
pub fn login_key(challenge: &str, secret: &str) -> String {
    let mut h = Md5::new();
    h.update(challenge.as_bytes());
    h.update(secret.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// How the session logs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMethod {
    /// `Action: Challenge` then `Login` with `Key` = md5(challenge + secret):
    /// the secret never crosses the wire.
    Md5,
    /// `Login` with `Secret` in clear text (use only over TLS).
    Plain,
}

/// What the session asks Asterisk to send.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventMask {
    /// `Events: on`: every event the account may see.
    On,
    /// `Events: off`: responses only.
    Off,
    /// A class list such as `call,agent`.
    Classes(String),
    /// No `Events:` header on the login: the account's `manager.conf`
    /// setting applies.
    ServerDefault,
}

impl EventMask {
    /// The value of a login's `Events:` header, if one is sent.
    fn value(&self) -> Option<&str> {
        match self {
            Self::On => Some("on"),
            Self::Off => Some("off"),
            Self::Classes(c) => Some(c),
            Self::ServerDefault => None,
        }
    }
}

/// Session settings.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SessionConfig {
    /// The manager account (`manager.conf`).
    pub username: String,
    /// Its secret.
    pub secret: Secret<String>,
    /// Login method (default MD5 challenge).
    pub auth: AuthMethod,
    /// Refuse to send the secret in clear text: a `Plain` login fails
    /// instead (default false).
    pub refuse_plaintext: bool,
    /// Which events to receive (default on).
    pub events: EventMask,
    /// Send `Ping` when the link has been idle this long (default 20 s;
    /// `None` disables keep-alive).
    pub ping_interval: Option<Duration>,
    /// A ping unanswered this long means the link is dead (default 10 s).
    pub ping_timeout: Duration,
    /// An action unanswered this long fails (default 30 s).
    pub action_timeout: Duration,
    /// How long the banner, the challenge and the login may each take
    /// after a connection opens, and a logoff before the session gives up
    /// on a `Goodbye` (default 10 s): a peer that accepts TCP and stays
    /// silent is a failed attempt, not a hang.
    pub login_timeout: Duration,
    /// Most actions in flight at once (default 1024).
    pub max_pending: usize,
    /// Most items one event list may collect (default 100 000).
    pub max_list_items: usize,
    /// Reconnect policy.
    pub backoff: BackoffConfig,
    /// Seed of the reconnect jitter.
    pub backoff_seed: u64,
    /// Reconnect after the transport is lost (default true).
    pub reconnect: bool,
    /// Prefix of generated ActionIDs (default `cti-`).
    pub action_id_prefix: String,
    /// Decoder limits.
    pub limits: Limits,
}

impl SessionConfig {
    /// Settings for this account, with defaults for everything else.
    pub fn new(username: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            secret: Secret::new(secret.into()),
            auth: AuthMethod::Md5,
            refuse_plaintext: false,
            events: EventMask::On,
            ping_interval: Some(Duration::from_secs(20)),
            ping_timeout: Duration::from_secs(10),
            action_timeout: Duration::from_secs(30),
            login_timeout: Duration::from_secs(10),
            max_pending: 1024,
            max_list_items: 100_000,
            backoff: BackoffConfig::default(),
            backoff_seed: 0,
            reconnect: true,
            action_id_prefix: "cti-".to_owned(),
            limits: Limits::default(),
        }
    }

    /// Sets the login method.
    #[must_use]
    pub fn auth(mut self, auth: AuthMethod) -> Self {
        self.auth = auth;
        self
    }

    /// Refuses plain-text login.
    #[must_use]
    pub fn refuse_plaintext(mut self, yes: bool) -> Self {
        self.refuse_plaintext = yes;
        self
    }

    /// Sets the event mask.
    #[must_use]
    pub fn events(mut self, events: EventMask) -> Self {
        self.events = events;
        self
    }

    /// Sets the keep-alive interval.
    #[must_use]
    pub fn ping_interval(mut self, every: Option<Duration>) -> Self {
        self.ping_interval = every;
        self
    }

    /// Sets how long a keep-alive ping may stay unanswered.
    #[must_use]
    pub fn ping_timeout(mut self, t: Duration) -> Self {
        self.ping_timeout = t;
        self
    }

    /// Sets the banner, challenge, login and logoff limit.
    #[must_use]
    pub fn login_timeout(mut self, t: Duration) -> Self {
        self.login_timeout = t;
        self
    }

    /// Sets the action timeout.
    #[must_use]
    pub fn action_timeout(mut self, t: Duration) -> Self {
        self.action_timeout = t;
        self
    }

    /// Sets the reconnect policy and its seed.
    #[must_use]
    pub fn backoff(mut self, backoff: BackoffConfig, seed: u64) -> Self {
        self.backoff = backoff;
        self.backoff_seed = seed;
        self
    }

    /// Turns reconnecting on or off.
    #[must_use]
    pub fn reconnect(mut self, yes: bool) -> Self {
        self.reconnect = yes;
        self
    }
}

/// Why an action did not get a successful answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActionError {
    /// Asterisk answered `Response: Error`; the response is kept.
    Rejected(Message),
    /// No answer within the action timeout.
    Timeout,
    /// The transport was lost before the answer came.
    Disconnected,
    /// The list grew past `max_list_items`.
    ListTooLong {
        /// The limit in force.
        limit: usize,
    },
}

impl ActionError {
    /// Asterisk's `Message:` text, for a rejection.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Rejected(m) => m.get("Message"),
            _ => None,
        }
    }
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected(m) => {
                f.write_str("asterisk rejected the action: ")?;
                write_reason(m, f)
            }
            Self::Timeout => f.write_str("no response within the action timeout"),
            Self::Disconnected => f.write_str("the connection was lost before the response came"),
            Self::ListTooLong { limit } => write!(f, "event list longer than {limit} items"),
        }
    }
}

impl std::error::Error for ActionError {}

/// The reason of a `Response: Error`: its `Output:` lines when it has any
/// (a CLI command's real reason, "No such command …", is there and its
/// `Message` only says "Command output follows"), else its `Message`.
pub(crate) fn write_reason(m: &Message, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let output = m.output();
    let output: Vec<&str> = output
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .collect();
    if output.is_empty() {
        f.write_str(m.get("Message").unwrap_or("(no message)"))
    } else {
        f.write_str(&output.join(" / "))
    }
}

/// Why the session would not take an action: not logged in, closed, too
/// many in flight, or misuse (not an action, a duplicate ActionID).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubmitError {
    /// Not logged in (connecting, reconnecting or closed).
    NotReady,
    /// The session was closed.
    Closed,
    /// `max_pending` actions are already in flight.
    TooManyPending,
    /// The message is not an action (`Action:` must come first).
    NotAnAction,
    /// An action with this ActionID is already in flight.
    DuplicateActionId(ActionId),
}

impl fmt::Display for SubmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotReady => f.write_str("not logged in (connecting or reconnecting)"),
            Self::Closed => f.write_str("the session is closed"),
            Self::TooManyPending => f.write_str("too many actions in flight"),
            Self::NotAnAction => f.write_str("the message does not start with `Action:`"),
            Self::DuplicateActionId(id) => write!(f, "ActionID {id} is already in flight"),
        }
    }
}

impl std::error::Error for SubmitError {}

/// A collected event list.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventList {
    /// The opening response (`EventList: start`), or the `Response: Error`
    /// some actions give instead of an empty list (`PJSIPShowContacts`:
    /// `No Contacts found`).
    pub response: Message,
    /// The items, in order.
    pub items: Vec<Message>,
    /// The `…Complete` event (with `ListItems`), absent when the list was
    /// answered by an error.
    pub complete: Option<Message>,
}

impl EventList {
    /// True when Asterisk answered with an error instead of a list.
    pub fn is_error(&self) -> bool {
        self.response
            .get("Response")
            .is_some_and(|r| r.eq_ignore_ascii_case("Error"))
    }
}

/// The answer to one action.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Completed {
    /// A single response (`Success`, `Goodbye`, `Follows`).
    Response(Message),
    /// An event list.
    List(EventList),
}

/// What the driver must do with the transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriverCommand {
    /// Open a (new) connection.
    Connect,
    /// Close the current connection.
    Disconnect,
}

/// What the session tells the application.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionEvent {
    /// Logged in for the first time.
    Connected {
        /// The server's banner.
        banner: String,
    },
    /// The transport was lost; the session will reconnect after `delay`.
    Reconnecting {
        /// Attempt number, from 1.
        attempt: u32,
        /// Wait before it.
        delay: Duration,
    },
    /// Logged in again after a reconnect: events may have been missed.
    Reconnected {
        /// Always true for AMI: events sent while down are gone.
        gap: bool,
    },
    /// An event (not part of an event list being collected).
    Event(Message),
    /// An action finished.
    Completed {
        /// The action's ActionID.
        id: ActionId,
        /// Its outcome.
        outcome: Result<Completed, ActionError>,
    },
    /// A response nobody waits for (an unknown or late ActionID): kept, not
    /// dropped.
    UnmatchedResponse(Message),
    /// A message the decoder dropped (too large, malformed); the stream
    /// goes on.
    DecodeError(DecodeError),
    /// The peer stayed silent in a phase that must end in time (banner,
    /// challenge, login): the connection is dropped and, as for any lost
    /// connection, `Reconnecting` or `Closed` follows.
    Stalled {
        /// What did not come.
        what: &'static str,
    },
    /// Login failed; the session is closed.
    LoginFailed {
        /// Asterisk's message.
        message: String,
    },
    /// The session is over (logoff, login failure, or retries exhausted).
    Closed {
        /// Why, when it was not asked for.
        reason: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for the driver to connect (at this time).
    WaitConnect(Instant),
    /// Connect command issued; waiting for `handle_connected`.
    Connecting,
    /// Connected, waiting for the banner.
    Banner,
    /// Challenge sent.
    Challenge,
    /// Login sent.
    Login,
    /// Logged in.
    Ready,
    /// Logoff sent.
    LoggingOff,
    /// Over.
    Closed,
}

#[derive(Debug)]
enum PendingKind {
    Single,
    List {
        response: Option<Message>,
        items: Vec<Message>,
        overflow: bool,
    },
    Internal,
}

#[derive(Debug)]
struct Pending {
    kind: PendingKind,
    deadline: Instant,
}

/// The AMI client session. See the [module docs](self) for the call order.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    phase: Phase,
    decoder: Decoder,
    inbuf: BytesMut,
    outbuf: BytesMut,
    events: VecDeque<SessionEvent>,
    commands: VecDeque<DriverCommand>,
    pending: BTreeMap<ActionId, Pending>,
    next_id: u64,
    internal: Option<ActionId>,
    banner: Option<String>,
    ever_logged_in: bool,
    backoff: Backoff,
    /// When something was last *received* (liveness comes from the peer,
    /// never from what we send).
    last_activity: Instant,
    ping_deadline: Option<Instant>,
    /// Banner, challenge, login and logoff must be over by then.
    phase_deadline: Option<Instant>,
}

impl Session {
    /// A session; its first [`Session::poll_command`] is `Connect`.
    pub fn new(config: SessionConfig, now: Instant) -> Self {
        let backoff = Backoff::new(config.backoff.clone(), config.backoff_seed);
        let decoder = Decoder::client().with_limits(config.limits.clone());
        Self {
            config,
            phase: Phase::Connecting,
            decoder,
            inbuf: BytesMut::with_capacity(16 * 1024),
            outbuf: BytesMut::new(),
            events: VecDeque::new(),
            commands: VecDeque::from([DriverCommand::Connect]),
            pending: BTreeMap::new(),
            next_id: 1,
            internal: None,
            banner: None,
            ever_logged_in: false,
            backoff,
            last_activity: now,
            ping_deadline: None,
            phase_deadline: None,
        }
    }

    /// True once logged in (and not closing).
    pub fn is_ready(&self) -> bool {
        self.phase == Phase::Ready
    }

    /// True once the session is over.
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// How many actions are in flight.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    fn fresh_id(&mut self) -> ActionId {
        loop {
            let text = format!("{}{}", self.config.action_id_prefix, self.next_id);
            self.next_id += 1;
            if let Ok(id) = ActionId::new(&text)
                && !self.pending.contains_key(&id)
            {
                return id;
            }
        }
    }

    /// Writes `msg` with `ActionID: id` as its second line.
    fn write_action(&mut self, msg: &Message, id: &ActionId) {
        let mut first = true;
        for h in msg.headers() {
            if h.is("ActionID") {
                continue;
            }
            self.outbuf.put_slice(h.name_bytes());
            self.outbuf.put_slice(b": ");
            self.outbuf.put_slice(h.value_bytes());
            self.outbuf.put_slice(b"\r\n");
            if first {
                self.outbuf.put_slice(b"ActionID: ");
                self.outbuf.put_slice(id.as_str().as_bytes());
                self.outbuf.put_slice(b"\r\n");
                first = false;
            }
        }
        self.outbuf.put_slice(b"\r\n");
    }

    fn start(
        &mut self,
        msg: &Message,
        kind: PendingKind,
        now: Instant,
    ) -> Result<ActionId, SubmitError> {
        match self.phase {
            Phase::Ready => {}
            Phase::Closed | Phase::LoggingOff => return Err(SubmitError::Closed),
            _ => return Err(SubmitError::NotReady),
        }
        if msg.kind() != MessageKind::Action {
            return Err(SubmitError::NotAnAction);
        }
        if self.pending.len() >= self.config.max_pending {
            return Err(SubmitError::TooManyPending);
        }
        let id = match msg.action_id().map(ActionId::new) {
            Some(Ok(id)) => {
                if self.pending.contains_key(&id) {
                    return Err(SubmitError::DuplicateActionId(id));
                }
                id
            }
            _ => self.fresh_id(),
        };
        self.write_action(msg, &id);
        self.pending.insert(
            id.clone(),
            Pending {
                kind,
                deadline: now + self.config.action_timeout,
            },
        );
        if msg.name().is_some_and(|n| n.eq_ignore_ascii_case("Logoff")) {
            // Logging off through an action: its Goodbye completes it.
            self.phase = Phase::LoggingOff;
            self.phase_deadline = Some(now + self.config.login_timeout);
        }
        Ok(id)
    }

    /// Sends an action; its answer comes as [`SessionEvent::Completed`] with
    /// the returned id. An ActionID already on the message is kept;
    /// otherwise one is generated.
    pub fn send_action(&mut self, msg: &Message, now: Instant) -> Result<ActionId, SubmitError> {
        self.start(msg, PendingKind::Single, now)
    }

    /// Sends an action that answers with an event list; the items are
    /// collected into one [`Completed::List`].
    pub fn send_list(&mut self, msg: &Message, now: Instant) -> Result<ActionId, SubmitError> {
        self.start(
            msg,
            PendingKind::List {
                response: None,
                items: Vec::new(),
                overflow: false,
            },
            now,
        )
    }

    /// Logs off: sends `Logoff`, and the session closes on `Goodbye` or
    /// when the server closes the connection.
    pub fn close(&mut self, now: Instant) {
        match self.phase {
            Phase::Ready => {
                self.outbuf.put_slice(b"Action: Logoff\r\n\r\n");
                self.phase = Phase::LoggingOff;
                self.phase_deadline = Some(now + self.config.login_timeout);
            }
            Phase::Closed | Phase::LoggingOff => {}
            _ => {
                self.commands.push_back(DriverCommand::Disconnect);
                self.finish(None);
            }
        }
    }

    /// The driver opened a transport.
    pub fn handle_connected(&mut self, now: Instant) {
        if self.phase == Phase::Closed {
            self.commands.push_back(DriverCommand::Disconnect);
            return;
        }
        self.phase = Phase::Banner;
        self.inbuf.clear();
        self.outbuf.clear();
        self.decoder.reset(true);
        self.last_activity = now;
        self.ping_deadline = None;
        self.phase_deadline = Some(now + self.config.login_timeout);
    }

    /// The driver could not open a transport.
    pub fn handle_connect_failed(&mut self, now: Instant) {
        self.lost(now, "connection failed");
    }

    /// The transport ended (EOF or error).
    pub fn handle_disconnected(&mut self, now: Instant) {
        match self.phase {
            Phase::Closed => {}
            Phase::LoggingOff => {
                self.fail_pending();
                self.finish(None);
            }
            _ => self.lost(now, "connection lost"),
        }
    }

    fn fail_pending(&mut self) {
        for (id, p) in std::mem::take(&mut self.pending) {
            if !matches!(p.kind, PendingKind::Internal) {
                self.events.push_back(SessionEvent::Completed {
                    id,
                    outcome: Err(ActionError::Disconnected),
                });
            }
        }
        self.internal = None;
        self.ping_deadline = None;
        self.phase_deadline = None;
    }

    fn finish(&mut self, reason: Option<String>) {
        self.fail_pending();
        self.phase = Phase::Closed;
        self.events.push_back(SessionEvent::Closed { reason });
    }

    fn lost(&mut self, now: Instant, why: &str) {
        self.fail_pending();
        self.outbuf.clear();
        if !self.config.reconnect {
            self.finish(Some(why.to_owned()));
            return;
        }
        match self.backoff.next_delay() {
            Some(delay) => {
                self.events.push_back(SessionEvent::Reconnecting {
                    attempt: self.backoff.attempt(),
                    delay,
                });
                self.phase = Phase::WaitConnect(now + delay);
            }
            None => self.finish(Some(format!("{why}; reconnect attempts exhausted"))),
        }
    }

    /// Feeds bytes read from the transport.
    pub fn handle_input(&mut self, data: &[u8], now: Instant) {
        if self.accepts_input() {
            self.inbuf.extend_from_slice(data);
            self.handle_buffered(now);
        }
    }

    /// The buffer a driver may read into directly, saving the copy that
    /// [`Session::handle_input`] makes; room for at least `at_least` more
    /// bytes is reserved. Call [`Session::handle_buffered`] after each read.
    pub fn read_buffer(&mut self, at_least: usize) -> &mut BytesMut {
        self.inbuf.reserve(at_least);
        &mut self.inbuf
    }

    /// Handles the bytes a driver read into [`Session::read_buffer`].
    pub fn handle_buffered(&mut self, now: Instant) {
        if !self.accepts_input() {
            self.inbuf.clear();
            return;
        }
        while let Some(r) = self.decoder.decode(&mut self.inbuf) {
            // Only a whole message (or banner, or a dropped one) is a sign
            // of life: a peer trickling bytes that never complete one is
            // not alive.
            self.last_activity = now;
            match r {
                Ok(Decoded::Banner(b)) => self.on_banner(&b),
                Ok(Decoded::Message(m)) => self.on_message(m, now),
                Err(e) => self.events.push_back(SessionEvent::DecodeError(e)),
            }
            if self.phase == Phase::Closed {
                break;
            }
        }
    }

    fn accepts_input(&self) -> bool {
        !matches!(
            self.phase,
            Phase::Closed | Phase::WaitConnect(_) | Phase::Connecting
        )
    }

    fn on_banner(&mut self, banner: &[u8]) {
        self.banner = Some(String::from_utf8_lossy(banner).into_owned());
        if self.phase != Phase::Banner {
            return;
        }
        match self.config.auth {
            AuthMethod::Md5 => {
                let id = self.fresh_id();
                self.outbuf.put_slice(
                    format!("Action: Challenge\r\nActionID: {id}\r\nAuthType: MD5\r\n\r\n")
                        .as_bytes(),
                );
                self.internal = Some(id);
                self.phase = Phase::Challenge;
            }
            AuthMethod::Plain if self.config.refuse_plaintext => {
                self.commands.push_back(DriverCommand::Disconnect);
                self.events.push_back(SessionEvent::LoginFailed {
                    message: "plain-text login refused by configuration".to_owned(),
                });
                self.finish(Some("plain-text login refused".to_owned()));
            }
            AuthMethod::Plain => {
                let user = self.config.username.clone();
                let secret = self.config.secret.clone();
                self.send_login(&[("Username", &user), ("Secret", secret.expose())]);
            }
        }
    }

    /// Sends `Login` with these headers (and `Events:`), built through the
    /// validating message builder: a username or secret with a line break
    /// (header injection through the account) fails the login instead.
    fn send_login(&mut self, headers: &[(&str, &str)]) {
        let mut login = Message::action("Login");
        for (name, value) in headers {
            login = login.header(name, value);
        }
        if let Some(events) = self.config.events.value() {
            login = login.header("Events", events);
        }
        match login.build() {
            Ok(msg) => {
                let id = self.fresh_id();
                self.write_action(&msg, &id);
                self.internal = Some(id);
                self.phase = Phase::Login;
            }
            Err(_) => {
                self.commands.push_back(DriverCommand::Disconnect);
                self.events.push_back(SessionEvent::LoginFailed {
                    message: "username or secret contains CR or LF".to_owned(),
                });
                self.finish(Some("invalid credentials in configuration".to_owned()));
            }
        }
    }

    fn on_message(&mut self, m: Message, now: Instant) {
        let kind = m.kind();
        if kind == MessageKind::Event && self.pending.is_empty() && self.phase == Phase::Ready {
            // The common case, and the hot path: an event while no action
            // waits, so no ActionID of it can match anything.
            self.events.push_back(SessionEvent::Event(m));
            return;
        }
        let id = m.action_id().and_then(|s| ActionId::new(s).ok());
        match self.phase {
            Phase::Challenge | Phase::Login if m.kind() == MessageKind::Response => {
                if id.is_some() && id == self.internal {
                    self.on_login_step(&m, now);
                } else {
                    self.events.push_back(SessionEvent::UnmatchedResponse(m));
                }
                return;
            }
            Phase::LoggingOff
                if m.kind() == MessageKind::Response
                    && m.name().is_some_and(|n| n.eq_ignore_ascii_case("Goodbye")) =>
            {
                if let Some(id) = id.filter(|id| self.pending.contains_key(id)) {
                    self.pending.remove(&id);
                    self.events.push_back(SessionEvent::Completed {
                        id,
                        outcome: Ok(Completed::Response(m)),
                    });
                }
                self.commands.push_back(DriverCommand::Disconnect);
                self.finish(None);
                return;
            }
            _ => {}
        }
        let Some(id) = id else {
            if m.kind() == MessageKind::Response {
                self.events.push_back(SessionEvent::UnmatchedResponse(m));
            } else {
                self.events.push_back(SessionEvent::Event(m));
            }
            return;
        };
        let Some(p) = self.pending.get_mut(&id) else {
            if m.kind() == MessageKind::Response {
                self.events.push_back(SessionEvent::UnmatchedResponse(m));
            } else {
                self.events.push_back(SessionEvent::Event(m));
            }
            return;
        };
        let is_error = m.kind() == MessageKind::Response
            && m.name().is_some_and(|n| n.eq_ignore_ascii_case("Error"));
        match (&mut p.kind, m.kind()) {
            (PendingKind::Internal, MessageKind::Response) => {
                self.pending.remove(&id);
                if self.internal.as_ref() == Some(&id) {
                    self.internal = None;
                }
                self.ping_deadline = None;
            }
            (PendingKind::Single, MessageKind::Response) => {
                self.pending.remove(&id);
                let outcome = if is_error {
                    Err(ActionError::Rejected(m))
                } else {
                    Ok(Completed::Response(m))
                };
                self.events
                    .push_back(SessionEvent::Completed { id, outcome });
            }
            (PendingKind::List { response, .. }, MessageKind::Response) if response.is_none() => {
                if is_error || !m.is_list_start() {
                    // An error (or a plain response) instead of a list.
                    self.pending.remove(&id);
                    let list = EventList {
                        response: m,
                        items: Vec::new(),
                        complete: None,
                    };
                    self.events.push_back(SessionEvent::Completed {
                        id,
                        outcome: Ok(Completed::List(list)),
                    });
                } else {
                    *response = Some(m);
                }
            }
            (
                PendingKind::List {
                    response: Some(_),
                    items,
                    overflow,
                },
                MessageKind::Event,
            ) => {
                if m.is_list_complete() {
                    let overflow = *overflow;
                    let items = std::mem::take(items);
                    let Some(Pending {
                        kind:
                            PendingKind::List {
                                response: Some(response),
                                ..
                            },
                        ..
                    }) = self.pending.remove(&id)
                    else {
                        return;
                    };
                    let outcome = if overflow {
                        Err(ActionError::ListTooLong {
                            limit: self.config.max_list_items,
                        })
                    } else {
                        Ok(Completed::List(EventList {
                            response,
                            items,
                            complete: Some(m),
                        }))
                    };
                    self.events
                        .push_back(SessionEvent::Completed { id, outcome });
                } else if items.len() < self.config.max_list_items {
                    items.push(m);
                    p.deadline = now + self.config.action_timeout;
                } else {
                    *overflow = true;
                }
            }
            (_, MessageKind::Response) => self.events.push_back(SessionEvent::UnmatchedResponse(m)),
            _ => self.events.push_back(SessionEvent::Event(m)),
        }
    }

    fn on_login_step(&mut self, m: &Message, now: Instant) {
        let ok = m.name().is_some_and(|n| n.eq_ignore_ascii_case("Success"));
        if !ok {
            let message = m.get("Message").unwrap_or("login failed").to_owned();
            self.commands.push_back(DriverCommand::Disconnect);
            self.events.push_back(SessionEvent::LoginFailed {
                message: message.clone(),
            });
            self.finish(Some(message));
            return;
        }
        match self.phase {
            Phase::Challenge => {
                let challenge = m.get("Challenge").unwrap_or_default();
                let key = login_key(challenge, self.config.secret.expose());
                let user = self.config.username.clone();
                self.send_login(&[("AuthType", "MD5"), ("Username", &user), ("Key", &key)]);
            }
            Phase::Login => {
                self.internal = None;
                self.phase = Phase::Ready;
                self.phase_deadline = None;
                self.last_activity = now;
                self.backoff.reset();
                if self.ever_logged_in {
                    self.events
                        .push_back(SessionEvent::Reconnected { gap: true });
                } else {
                    self.ever_logged_in = true;
                    let banner = self.banner.clone().unwrap_or_default();
                    self.events.push_back(SessionEvent::Connected { banner });
                }
            }
            _ => {}
        }
    }

    /// Advances timers: keep-alive, action timeouts, reconnect.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Phase::WaitConnect(at) = self.phase {
            if now >= at {
                self.phase = Phase::Connecting;
                self.commands.push_back(DriverCommand::Connect);
            }
            return;
        }
        if let Some(deadline) = self.phase_deadline
            && now >= deadline
        {
            self.phase_deadline = None;
            self.commands.push_back(DriverCommand::Disconnect);
            match self.phase {
                Phase::Banner | Phase::Challenge | Phase::Login => {
                    let what = match self.phase {
                        Phase::Banner => "no banner",
                        Phase::Challenge => "no answer to the Challenge",
                        _ => "no answer to the Login",
                    };
                    self.events.push_back(SessionEvent::Stalled { what });
                    self.lost(now, what);
                }
                Phase::LoggingOff => {
                    // No Goodbye: closed anyway.
                    self.finish(None);
                }
                _ => {}
            }
            return;
        }
        if let Some(deadline) = self.ping_deadline
            && now >= deadline
        {
            // The keep-alive went unanswered: the link is dead.
            self.commands.push_back(DriverCommand::Disconnect);
            self.lost(now, "keep-alive ping unanswered");
            return;
        }
        let expired: Vec<ActionId> = self
            .pending
            .iter()
            .filter(|(_, p)| now >= p.deadline && !matches!(p.kind, PendingKind::Internal))
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            self.pending.remove(&id);
            self.events.push_back(SessionEvent::Completed {
                id,
                outcome: Err(ActionError::Timeout),
            });
        }
        if self.phase == Phase::Ready
            && self.ping_deadline.is_none()
            && let Some(every) = self.config.ping_interval
            && now >= self.last_activity + every
        {
            let id = self.fresh_id();
            self.outbuf
                .put_slice(format!("Action: Ping\r\nActionID: {id}\r\n\r\n").as_bytes());
            self.pending.insert(
                id,
                Pending {
                    kind: PendingKind::Internal,
                    deadline: now + self.config.ping_timeout,
                },
            );
            self.ping_deadline = Some(now + self.config.ping_timeout);
        }
    }

    /// When [`Session::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut t: Option<Instant> = None;
        let mut consider = |x: Instant| t = Some(t.map_or(x, |t| t.min(x)));
        match self.phase {
            Phase::WaitConnect(at) => return Some(at),
            Phase::Closed | Phase::Connecting => return None,
            _ => {}
        }
        if let Some(d) = self.phase_deadline {
            consider(d);
        }
        if let Some(d) = self.ping_deadline {
            consider(d);
        } else if let (Phase::Ready, Some(every)) = (self.phase, self.config.ping_interval) {
            consider(self.last_activity + every);
        }
        for p in self.pending.values() {
            consider(p.deadline);
        }
        t
    }

    /// Bytes to write, if any.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        if self.outbuf.is_empty() {
            None
        } else {
            Some(self.outbuf.split().freeze())
        }
    }

    /// The next thing to tell the application.
    pub fn poll_event(&mut self) -> Option<SessionEvent> {
        self.events.pop_front()
    }

    /// The next transport command for the driver.
    pub fn poll_command(&mut self) -> Option<DriverCommand> {
        self.commands.pop_front()
    }
}

#[cfg(test)]
mod tests;
