//! The O2G session as a deterministic state machine: no sockets, no clock,
//! no randomness.
//!
//! The lifecycle (O2G reference, §1–2, §6):
//!
//! 1. bootstrap: `GET <origin>/api/rest`, pick the API version;
//! 2. authenticate: `GET <authenticate URL>` with HTTP Basic; the answer's
//!    `credential` (or the `AlcUserId` cookie it sets) goes back as
//!    `Cookie: AlcUserId=…` on every later call;
//! 3. open the session (`POST <sessions URL>`), resolve its services;
//! 4. keep it alive (`POST <sessions URL>/keepalive`) at a fraction of
//!    `timeToLive` — before it expires, not at it;
//! 5. subscribe (`POST <subscriptions URL>`), then open the event channel
//!    (`POST <polling URL>`, no cookie) and wait for the
//!    `OnChannelInformation` "Chunk started" line;
//! 6. when the channel ends, cleanly or not, poll it again (the Java and C#
//!    SDKs spin on a clean end of stream; this machine re-polls, at once
//!    when the previous channel had started, after a back-off delay when it
//!    had not, so a server that keeps closing cannot make it spin);
//! 7. on session loss (401/403 from the keep-alive, an HTTP error when
//!    opening the channel, a 401 on an application request): back off with
//!    [`cti_core::Backoff`], redo 1–5, then report
//!    [`SessionLink::Reconnected`] with `gap: true`;
//! 8. close: delete the subscription, delete the session.
//!
//! The driver feeds it answers (`handle_*`) and time
//! ([`Session::handle_timeout`]), and carries out what it asks
//! ([`Session::poll_transmit`]); events come out of
//! [`Session::poll_event`]. URLs returned by the server are used verbatim.

mod services;
#[cfg(test)]
mod tests;

pub use services::Services;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use cti_core::{Backoff, BackoffConfig, Secret};
use http::{HeaderValue, Method, StatusCode, header};

use crate::codec::ndjson::{DecodeError, Decoder};
use crate::codec::{ApiError, ApiRequest, ApiResponse};
use crate::types::events::Event;
/// How long closing waits for the server to end the event channel.
const DRAIN: Duration = Duration::from_secs(2);

use crate::types::{
    AuthenticateAnswer, Discovery, SessionInfo, SessionRequest, SubscriptionAnswer,
    SubscriptionRequest, SubscriptionStatus, SupervisedAccount,
};

/// One O2G server: its private (intranet) and/or public (internet) origin,
/// e.g. `https://10.1.1.10` and `https://o2g.example.com`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Host {
    /// The intranet origin (`scheme://host[:port]`).
    pub private: Option<String>,
    /// The internet origin.
    pub public: Option<String>,
}

impl Host {
    /// A server known by one origin, tried as private first (its answers'
    /// internal URLs are used).
    pub fn new(origin: impl Into<String>) -> Self {
        Self {
            private: Some(origin.into()),
            public: None,
        }
    }

    /// A server with both origins.
    pub fn with_public(mut self, origin: impl Into<String>) -> Self {
        self.public = Some(origin.into());
        self
    }
}

/// Which of the server's URLs to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Access {
    /// Try the private origin first; use the internal URLs if it answers,
    /// else the public origin and the public URLs (what the SDKs do).
    #[default]
    Auto,
    /// Only the private origin and the internal/private URLs.
    Private,
    /// Only the public origin and the public URLs.
    Public,
}

/// Everything the session needs to know.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SessionConfig {
    /// The O2G login (user or administrator).
    pub login: String,
    /// Its password (HTTP Basic; kept for re-authentication).
    pub password: Secret<String>,
    /// Shown by the server for the session.
    pub application_name: String,
    /// The primary server, then an optional secondary for failover.
    pub hosts: Vec<Host>,
    /// Private or public URLs.
    pub access: Access,
    /// The API version to use (`None`: the server's `CURRENT` one).
    pub api_version: Option<String>,
    /// For an administrator: act as this user.
    pub supervised_account: Option<SupervisedAccount>,
    /// The event subscription to hold (`None`: no event channel).
    pub subscription: Option<SubscriptionRequest>,
    /// Keep-alive period as a fraction of `timeToLive` (clamped to
    /// 0.1–0.9; default 0.5).
    pub keepalive_fraction: f64,
    /// How long the opened channel may take to send "Chunk started".
    pub channel_start_timeout: Duration,
    /// Delays between recovery attempts and between polls of a channel
    /// that ends before starting.
    pub backoff: BackoffConfig,
    /// Seed of the back-off jitter.
    pub backoff_seed: u64,
    /// Longest event line accepted.
    pub max_line: usize,
}

impl SessionConfig {
    /// A configuration for `login`/`password` on the server at `origin`
    /// (e.g. `https://10.1.1.10`), subscribing to nothing yet.
    pub fn new(
        origin: impl Into<String>,
        login: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            login: login.into(),
            password: Secret::new(password.into()),
            application_name: "cti-rs".into(),
            hosts: vec![Host::new(origin)],
            access: Access::Auto,
            api_version: Some("1.0".into()),
            supervised_account: None,
            subscription: None,
            keepalive_fraction: 0.5,
            channel_start_timeout: Duration::from_secs(30),
            backoff: BackoffConfig::default()
                .initial(Duration::from_secs(2))
                .max(Duration::from_secs(30)),
            backoff_seed: 0x0206,
            max_line: 1 << 20,
        }
    }

    /// Sets the application name.
    #[must_use]
    pub fn application(mut self, name: impl Into<String>) -> Self {
        self.application_name = name.into();
        self
    }

    /// Sets the subscription to hold.
    #[must_use]
    pub fn subscribe(mut self, request: SubscriptionRequest) -> Self {
        self.subscription = Some(request);
        self
    }

    /// Adds a secondary server for failover.
    #[must_use]
    pub fn secondary(mut self, host: Host) -> Self {
        self.hosts.push(host);
        self
    }

    /// Sets which URLs to use.
    #[must_use]
    pub fn access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }
}

/// Identifies one request the session asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// What a request of the session is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Purpose {
    /// `GET /api/rest`.
    Discover,
    /// `GET authenticate?version=…`.
    Authenticate,
    /// `POST <sessions URL>`.
    OpenSession,
    /// `POST <sessions URL>/keepalive`.
    KeepAlive,
    /// `POST <subscriptions URL>`.
    Subscribe,
    /// The event channel: a streamed answer, fed back through
    /// `handle_channel_*`.
    Channel,
    /// `DELETE <subscriptions URL>/{id}`.
    Unsubscribe,
    /// `DELETE <sessions URL>`.
    CloseSession,
}

/// A request to send.
#[derive(Debug)]
#[non_exhaustive]
pub struct Transmit {
    /// Quote it in the `handle_*` call with the answer.
    pub id: RequestId,
    /// What it is for.
    pub purpose: Purpose,
    /// The request, with an absolute URI. Credentials in it are marked
    /// sensitive.
    pub request: http::Request<Bytes>,
}

/// Where the session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Not started.
    Idle,
    /// Bootstrap, authentication, session, subscription in progress.
    Connecting,
    /// Waiting for "Chunk started" on a newly opened channel.
    OpeningChannel,
    /// Session open; events flowing (or no subscription configured).
    Running,
    /// Waiting before the next recovery attempt.
    Recovering,
    /// Deleting the subscription and the session.
    Closing,
    /// Done.
    Closed,
}

/// How the session sees its link (the client reports these to the
/// application as `cti_core::LinkEvent`s).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionLink {
    /// Session open and, with a subscription, the channel started.
    Connected,
    /// The session was lost; why.
    Lost(String),
    /// A recovery attempt follows after `delay`.
    Reconnecting {
        /// From 1.
        attempt: u32,
        /// The wait before it.
        delay: Duration,
    },
    /// A new session (and subscription) is up; events may have been missed
    /// while it was down (`gap`).
    Reconnected {
        /// Always true after a recovery: O2G does not replay events.
        gap: bool,
    },
    /// The session is over: closed on request (`error: None`) or failed for
    /// good.
    Closed {
        /// Why it failed, if it did.
        error: Option<SessionError>,
    },
}

/// What the session hands the application.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SessionEvent {
    /// An event from the channel (including `OnChannelInformation`).
    Event(Event),
    /// A channel line that could not be decoded, kept raw.
    DecodeError(DecodeError),
    /// A change of the link.
    Link(SessionLink),
}

/// Why the session failed for good.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// No configured origin could be reached (the last error).
    Unreachable(String),
    /// The server has no usable API version / URL in its answer.
    Protocol(String),
    /// Authentication refused (wrong login or password).
    AuthenticationFailed(StatusCode),
    /// A request of the lifecycle was refused.
    Refused {
        /// Which step.
        purpose: Purpose,
        /// The server's error.
        error: ApiError,
    },
    /// The subscription was not accepted; the server's message.
    SubscriptionRefused(String),
    /// The back-off policy gave up.
    GaveUp(String),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable(e) => write!(f, "O2G server unreachable: {e}"),
            Self::Protocol(e) => write!(f, "unexpected O2G answer: {e}"),
            Self::AuthenticationFailed(s) => write!(f, "authentication refused ({s})"),
            Self::Refused { purpose, error } => write!(f, "{purpose:?} refused: {error}"),
            Self::SubscriptionRefused(m) => write!(f, "subscription refused: {m}"),
            Self::GaveUp(e) => write!(f, "gave up reconnecting: {e}"),
        }
    }
}

impl std::error::Error for SessionError {}

/// Private or public URL family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Private,
    Public,
}

impl Family {
    fn pick<'a>(self, private: Option<&'a str>, public: Option<&'a str>) -> Option<&'a str> {
        match self {
            Self::Private => private.or(public),
            Self::Public => public.or(private),
        }
    }
}

/// A started channel that ends sooner than this is re-polled after a
/// back-off delay, not at once: a server that starts and ends every channel
/// at once cannot make the client spin.
const CHANNEL_MIN_UP: Duration = Duration::from_secs(5);

#[derive(Debug)]
struct Channel {
    id: RequestId,
    started: bool,
    /// When "Chunk started" came.
    started_at: Option<Instant>,
    deadline: Option<Instant>,
    decoder: Decoder,
}

/// The session state machine. See the [module docs](self).
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    phase: Phase,
    candidates: Vec<(String, Family)>,
    candidate: usize,
    family: Family,
    cookie: Option<Secret<String>>,
    sessions_url: Option<String>,
    info: Option<SessionInfo>,
    services: Option<Services>,
    subscription_id: Option<Secret<String>>,
    polling_url: Option<Secret<String>>,
    channel: Option<Channel>,
    /// When the next poll of the channel is due (after a clean or broken
    /// end).
    repoll_at: Option<Instant>,
    keepalive_at: Option<Instant>,
    retry_at: Option<Instant>,
    /// Closing: wait this long for the channel to end after the
    /// subscription is deleted.
    drain_until: Option<Instant>,
    ever_connected: bool,
    recovering: bool,
    backoff: Backoff,
    /// Delays between re-polls of a channel that ends before it starts or
    /// at once after (apart from the session's recovery attempts).
    repoll: Backoff,
    next_id: u64,
    pending: HashMap<RequestId, Purpose>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<SessionEvent>,
}

impl Session {
    /// A session that does nothing until [`start`](Self::start).
    pub fn new(config: SessionConfig) -> Self {
        let mut candidates = Vec::new();
        for h in &config.hosts {
            let private = h.private.clone().map(|o| (o, Family::Private));
            let public = h.public.clone().map(|o| (o, Family::Public));
            match config.access {
                Access::Auto => candidates.extend(private.into_iter().chain(public)),
                Access::Private => candidates.extend(private),
                Access::Public => candidates.extend(public),
            }
        }
        let backoff = Backoff::new(config.backoff.clone(), config.backoff_seed);
        let repoll = Backoff::new(config.backoff.clone(), config.backoff_seed.rotate_left(17));
        Self {
            config,
            phase: Phase::Idle,
            candidates,
            candidate: 0,
            family: Family::Private,
            cookie: None,
            sessions_url: None,
            info: None,
            services: None,
            subscription_id: None,
            polling_url: None,
            channel: None,
            repoll_at: None,
            keepalive_at: None,
            retry_at: None,
            drain_until: None,
            ever_connected: false,
            recovering: false,
            backoff,
            repoll,
            next_id: 0,
            pending: HashMap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Starts the lifecycle with the bootstrap request.
    pub fn start(&mut self, _now: Instant) {
        if self.phase != Phase::Idle {
            return;
        }
        if self.candidates.is_empty() {
            self.fail(SessionError::Unreachable(
                "no origin configured for this access mode".into(),
            ));
            return;
        }
        self.phase = Phase::Connecting;
        self.discover();
    }

    /// Where the session is.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The open session's answer.
    pub fn info(&self) -> Option<&SessionInfo> {
        self.info.as_ref()
    }

    /// The open session's services.
    pub fn services(&self) -> Option<&Services> {
        self.services.as_ref()
    }

    /// The request id of the event channel the session currently follows.
    pub fn channel_id(&self) -> Option<RequestId> {
        self.channel.as_ref().map(|c| c.id)
    }

    /// The next request to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<SessionEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.keepalive_at,
            self.retry_at,
            self.repoll_at,
            self.drain_until,
            self.channel.as_ref().and_then(|c| c.deadline),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Time passes: keep-alive, retry, re-poll and channel-start timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.keepalive_at.is_some_and(|t| t <= now) {
            self.keepalive_at = None;
            if (self.phase == Phase::Running || self.phase == Phase::OpeningChannel)
                && let Some(url) = self.sessions_url.clone()
            {
                let req = self.cookie_request(Method::POST, &format!("{url}/keepalive"), None);
                self.send(Purpose::KeepAlive, req);
            }
        }
        if self.retry_at.is_some_and(|t| t <= now) {
            self.retry_at = None;
            if self.phase == Phase::Recovering {
                self.phase = Phase::Connecting;
                self.discover();
            }
        }
        if self.repoll_at.is_some_and(|t| t <= now) {
            self.repoll_at = None;
            if self.phase == Phase::Running || self.phase == Phase::OpeningChannel {
                self.open_channel(now);
            }
        }
        if self.drain_until.is_some_and(|t| t <= now) {
            self.drain_until = None;
            self.channel = None;
            self.close_session();
        }
        if let Some(c) = &self.channel
            && c.deadline.is_some_and(|t| t <= now)
            && !c.started
        {
            let id = c.id;
            self.pending.remove(&id);
            self.channel = None;
            self.lost("the event channel did not start in time".into(), now);
        }
    }

    /// The answer to a lifecycle request (any purpose but
    /// [`Purpose::Channel`]).
    pub fn handle_response(&mut self, id: RequestId, response: ApiResponse, now: Instant) {
        let Some(purpose) = self.pending.remove(&id) else {
            return;
        };
        match purpose {
            Purpose::Discover => self.on_discovery(response, now),
            Purpose::Authenticate => self.on_authenticate(response, now),
            Purpose::OpenSession => self.on_session(response, now),
            Purpose::Subscribe => self.on_subscription(response, now),
            Purpose::KeepAlive => {
                if response.status.is_success() {
                    self.schedule_keepalive(now);
                } else if self.phase != Phase::Closing && self.phase != Phase::Closed {
                    self.lost(format!("keep-alive answered {}", response.status), now);
                }
            }
            Purpose::Unsubscribe => {
                self.subscription_id = None;
                if self.channel.is_some() {
                    // The server ends the channel now; what it sent before
                    // is still delivered.
                    self.drain_until = Some(now + DRAIN);
                } else {
                    self.close_session();
                }
            }
            Purpose::CloseSession => self.finish_closed(),
            Purpose::Channel => {
                // Channel heads come through handle_channel_status.
                self.pending.insert(id, purpose);
                self.handle_channel_status(id, response.status, now);
            }
        }
    }

    /// A request could not be carried out (connect, TLS, IO or timeout).
    pub fn handle_transport_error(&mut self, id: RequestId, error: &str, now: Instant) {
        let Some(purpose) = self.pending.remove(&id) else {
            return;
        };
        match purpose {
            Purpose::Discover => {
                // Next origin (private → public → secondary host).
                if self.candidate + 1 < self.candidates.len() {
                    self.candidate += 1;
                    self.discover();
                } else {
                    self.candidate = 0;
                    self.retry_or_fail(SessionError::Unreachable(error.to_owned()), now);
                }
            }
            Purpose::Channel => self.channel_ended(id, now),
            Purpose::Unsubscribe => {
                self.subscription_id = None;
                self.close_session();
            }
            Purpose::CloseSession => self.finish_closed(),
            Purpose::KeepAlive if matches!(self.phase, Phase::Closing | Phase::Closed) => {}
            Purpose::KeepAlive
            | Purpose::Authenticate
            | Purpose::OpenSession
            | Purpose::Subscribe => {
                self.retry_or_fail(SessionError::Unreachable(error.to_owned()), now);
            }
        }
    }

    /// The head of the event channel's answer.
    pub fn handle_channel_status(&mut self, id: RequestId, status: StatusCode, now: Instant) {
        if !self.is_channel(id) {
            return;
        }
        if status.is_success() {
            return;
        }
        // An HTTP error on the channel: the session or subscription is gone.
        self.pending.remove(&id);
        self.channel = None;
        if !matches!(self.phase, Phase::Closing | Phase::Closed) {
            self.lost(format!("the event channel answered {status}"), now);
        }
    }

    /// Bytes of the event channel, split anywhere.
    pub fn handle_channel_data(&mut self, id: RequestId, data: &[u8], now: Instant) {
        if !self.is_channel(id) {
            return;
        }
        let Some(c) = &mut self.channel else { return };
        c.decoder.push(data);
        let decoded: Vec<_> = std::iter::from_fn(|| c.decoder.next_event()).collect();
        for item in decoded {
            match item {
                Ok(event) => {
                    let starts =
                        matches!(&event, Event::ChannelInformation(i) if i.text == "Chunk started");
                    self.events.push_back(SessionEvent::Event(event));
                    if starts {
                        self.channel_started(now);
                    }
                }
                Err(e) => self.events.push_back(SessionEvent::DecodeError(e)),
            }
        }
    }

    /// The event channel's answer ended, cleanly or with a read error:
    /// both are handled alike (the channel is polled again), so the driver
    /// does not say which.
    pub fn handle_channel_end(&mut self, id: RequestId, now: Instant) {
        if !self.is_channel(id) {
            return;
        }
        self.pending.remove(&id);
        self.channel_ended(id, now);
    }

    /// Builds an application request for the open session: the service URL
    /// from its services, the cookie, the JSON content type.
    pub fn build_request(&self, req: &ApiRequest) -> Result<http::Request<Bytes>, ApiError> {
        let (Some(services), Phase::Running | Phase::OpeningChannel) = (&self.services, self.phase)
        else {
            return Err(ApiError::Unavailable(format!(
                "no open session ({:?})",
                self.phase
            )));
        };
        let url = services.request_url(req)?;
        Ok(self.cookie_request(req.method.clone(), &url, req.body.clone()))
    }

    /// Tells the session how an application request ended: a 401 means the
    /// session is gone and recovery starts.
    pub fn handle_api_status(&mut self, status: StatusCode, now: Instant) {
        if status == StatusCode::UNAUTHORIZED
            && matches!(self.phase, Phase::Running | Phase::OpeningChannel)
        {
            self.lost("a request answered 401".into(), now);
        }
    }

    /// Closes: deletes the subscription, then the session.
    pub fn close(&mut self, _now: Instant) {
        match self.phase {
            Phase::Closing | Phase::Closed => {}
            Phase::Running | Phase::OpeningChannel => {
                self.phase = Phase::Closing;
                self.keepalive_at = None;
                self.repoll_at = None;
                self.retry_at = None;
                if let Some(c) = &mut self.channel {
                    c.deadline = None;
                }
                match (self.services.as_ref(), self.subscription_id.as_ref()) {
                    (Some(s), Some(sub)) => match s.url(&crate::codec::ServiceKey::Subscriptions) {
                        Some(u) => {
                            let url = format!("{u}/{}", crate::codec::segment(sub.expose()));
                            let req = self.cookie_request(Method::DELETE, &url, None);
                            self.send(Purpose::Unsubscribe, req);
                        }
                        None => self.close_session(),
                    },
                    _ => self.close_session(),
                }
            }
            _ => {
                self.pending.clear();
                self.channel = None;
                self.finish_closed();
            }
        }
    }

    // ------------------------------------------------------------ steps

    fn discover(&mut self) {
        let Some((origin, family)) = self.candidates.get(self.candidate).cloned() else {
            return;
        };
        self.family = family;
        let url = format!("{}/api/rest", origin.trim_end_matches('/'));
        let req = plain_request(Method::GET, &url, None);
        self.send(Purpose::Discover, req);
    }

    fn on_discovery(&mut self, response: ApiResponse, now: Instant) {
        let discovery: Discovery = match response.json("discovery") {
            Ok(d) => d,
            Err(e) => return self.step_failed(Purpose::Discover, e, now),
        };
        let Some(version) = discovery.version(self.config.api_version.as_deref()) else {
            return self.fail(SessionError::Protocol(format!(
                "the server offers no API version {}",
                self.config.api_version.as_deref().unwrap_or("CURRENT")
            )));
        };
        let Some(url) = self.family.pick(
            version.internal_url.as_deref(),
            version.public_url.as_deref(),
        ) else {
            return self.fail(SessionError::Protocol(
                "the API version has no authenticate URL".into(),
            ));
        };
        let credentials = format!("{}:{}", self.config.login, self.config.password.expose());
        let basic = base64::engine::general_purpose::STANDARD.encode(credentials);
        let mut req = plain_request(Method::GET, url, None);
        if let Ok(mut v) = HeaderValue::from_str(&format!("Basic {basic}")) {
            v.set_sensitive(true);
            req.headers_mut().insert(header::AUTHORIZATION, v);
        }
        self.send(Purpose::Authenticate, req);
    }

    fn on_authenticate(&mut self, response: ApiResponse, now: Instant) {
        if response.status == StatusCode::UNAUTHORIZED || response.status == StatusCode::FORBIDDEN {
            return self.fail(SessionError::AuthenticationFailed(response.status));
        }
        let from_cookie = alc_user_id(&response.headers);
        let answer: AuthenticateAnswer = match response.json("authenticate") {
            Ok(a) => a,
            Err(e) => return self.step_failed(Purpose::Authenticate, e, now),
        };
        // The jar's value wins (what the SDKs use); the body's otherwise.
        self.cookie = Some(from_cookie.unwrap_or(answer.credential));
        let Some(url) = self
            .family
            .pick(answer.internal_url.as_deref(), answer.public_url.as_deref())
        else {
            return self.fail(SessionError::Protocol(
                "the authenticate answer has no sessions URL".into(),
            ));
        };
        let url = url.trim_end_matches('/').to_owned();
        let mut body = SessionRequest::new(self.config.application_name.clone());
        body.supervised_account = self.config.supervised_account.clone();
        let body = serde_json::to_vec(&body).ok().map(Bytes::from);
        let req = self.cookie_request(Method::POST, &url, body);
        self.sessions_url = Some(url);
        self.send(Purpose::OpenSession, req);
    }

    fn on_session(&mut self, response: ApiResponse, now: Instant) {
        let info: SessionInfo = match response.json("session") {
            Ok(i) => i,
            Err(e) => return self.step_failed(Purpose::OpenSession, e, now),
        };
        let Some(base) = self.family.pick(
            info.private_base_url.as_deref(),
            info.public_base_url.as_deref(),
        ) else {
            return self.fail(SessionError::Protocol(
                "the session answer has no base URL".into(),
            ));
        };
        self.services = Some(Services::new(base, &info.services));
        self.info = Some(info);
        self.schedule_keepalive(now);
        match self.config.subscription.clone() {
            Some(sub) => self.subscribe(&sub, now),
            None => {
                self.phase = Phase::Running;
                self.connected();
            }
        }
    }

    fn subscribe(&mut self, sub: &SubscriptionRequest, now: Instant) {
        let url = self
            .services
            .as_ref()
            .and_then(|s| s.url(&crate::codec::ServiceKey::Subscriptions));
        let Some(url) = url else {
            return self.step_failed(
                Purpose::Subscribe,
                ApiError::Unavailable("the session offers no subscriptions service".into()),
                now,
            );
        };
        let body = serde_json::to_vec(sub).ok().map(Bytes::from);
        let req = self.cookie_request(Method::POST, &url, body);
        self.send(Purpose::Subscribe, req);
    }

    fn on_subscription(&mut self, response: ApiResponse, now: Instant) {
        let answer: SubscriptionAnswer = match response.json("subscription") {
            Ok(a) => a,
            Err(e) => return self.step_failed(Purpose::Subscribe, e, now),
        };
        if answer.status != SubscriptionStatus::Accepted {
            let message = answer
                .message
                .unwrap_or_else(|| format!("status {}", answer.status));
            return self.fail(SessionError::SubscriptionRefused(message));
        }
        let url = match self.family {
            Family::Private => answer.private_polling_url.or(answer.public_polling_url),
            Family::Public => answer.public_polling_url.or(answer.private_polling_url),
        };
        let Some(url) = url else {
            return self.fail(SessionError::Protocol(
                "the subscription answer has no polling URL".into(),
            ));
        };
        self.subscription_id = answer.subscription_id;
        self.polling_url = Some(url);
        self.phase = Phase::OpeningChannel;
        self.open_channel(now);
    }

    fn open_channel(&mut self, now: Instant) {
        let Some(url) = self.polling_url.as_ref().map(|u| u.expose().clone()) else {
            return;
        };
        // No cookie: the subscription id in the URL is the credential.
        let mut req = plain_request(Method::POST, &url, None);
        req.headers_mut()
            .insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        let id = self.send(Purpose::Channel, req);
        self.channel = Some(Channel {
            id,
            started: false,
            started_at: None,
            deadline: Some(now + self.config.channel_start_timeout),
            decoder: Decoder::new(self.config.max_line),
        });
    }

    fn channel_started(&mut self, now: Instant) {
        match &mut self.channel {
            Some(c) if !c.started => {
                c.started = true;
                c.started_at = Some(now);
                c.deadline = None;
            }
            _ => return,
        }
        if self.phase == Phase::OpeningChannel {
            // The session is up: a recovery's back-off starts again.
            self.backoff.reset();
            self.phase = Phase::Running;
            self.connected();
        }
    }

    fn connected(&mut self) {
        if self.recovering {
            self.recovering = false;
            self.events
                .push_back(SessionEvent::Link(SessionLink::Reconnected { gap: true }));
        } else if !self.ever_connected {
            self.events
                .push_back(SessionEvent::Link(SessionLink::Connected));
        }
        self.ever_connected = true;
    }

    fn channel_ended(&mut self, id: RequestId, now: Instant) {
        let Some(mut c) = self.channel.take_if(|c| c.id == id) else {
            return;
        };
        if let Some(e) = c.decoder.finish() {
            self.events.push_back(SessionEvent::DecodeError(e));
        }
        if self.drain_until.take().is_some() {
            self.close_session();
            return;
        }
        if matches!(self.phase, Phase::Closing | Phase::Closed) {
            return;
        }
        if !matches!(self.phase, Phase::Running | Phase::OpeningChannel) {
            return;
        }
        let lasted = c
            .started_at
            .is_some_and(|t| now.saturating_duration_since(t) >= CHANNEL_MIN_UP);
        if lasted {
            // A channel that worked for a while and ended (idle timeout,
            // network): poll again at once.
            self.repoll.reset();
            self.open_channel(now);
        } else {
            // It ended before starting, or at once after: wait, so a
            // server that keeps closing cannot make us spin.
            match self.repoll.next_delay() {
                Some(d) => self.repoll_at = Some(now + d),
                None => self.lost(
                    "the event channel keeps ending before it starts".into(),
                    now,
                ),
            }
        }
    }

    fn schedule_keepalive(&mut self, now: Instant) {
        let ttl = self.info.as_ref().map_or(0, |i| i.time_to_live);
        if ttl == 0 {
            return;
        }
        let frac = if self.config.keepalive_fraction.is_finite() {
            self.config.keepalive_fraction.clamp(0.1, 0.9)
        } else {
            0.5
        };
        let period = Duration::from_secs(ttl).mul_f64(frac);
        self.keepalive_at = Some(now + period.max(Duration::from_millis(100)));
    }

    fn close_session(&mut self) {
        match self.sessions_url.clone() {
            Some(url) if self.cookie.is_some() => {
                let req = self.cookie_request(Method::DELETE, &url, None);
                self.send(Purpose::CloseSession, req);
            }
            _ => self.finish_closed(),
        }
    }

    fn finish_closed(&mut self) {
        if self.phase == Phase::Closed {
            return;
        }
        self.phase = Phase::Closed;
        self.clear_session();
        self.events
            .push_back(SessionEvent::Link(SessionLink::Closed { error: None }));
    }

    // ------------------------------------------------------------ failures

    /// A lifecycle step answered with an error or an unreadable body.
    fn step_failed(&mut self, purpose: Purpose, error: ApiError, now: Instant) {
        let transient = match error.status() {
            Some(s) => s.is_server_error() || s == StatusCode::UNAUTHORIZED,
            None => false,
        };
        if transient {
            self.retry_or_fail(SessionError::Refused { purpose, error }, now);
        } else {
            self.fail(SessionError::Refused { purpose, error });
        }
    }

    /// Before the first connection every failure is final (the caller is
    /// told at once); afterwards the session backs off and tries again.
    fn retry_or_fail(&mut self, error: SessionError, now: Instant) {
        if !self.ever_connected {
            return self.fail(error);
        }
        self.lost(error.to_string(), now);
    }

    /// The session is gone: forget it and schedule a recovery.
    fn lost(&mut self, reason: String, now: Instant) {
        if matches!(self.phase, Phase::Closing | Phase::Closed) {
            return;
        }
        if !self.ever_connected {
            return self.fail(SessionError::Unreachable(reason));
        }
        let already = self.phase == Phase::Recovering || self.recovering;
        self.clear_session();
        if !already {
            self.events
                .push_back(SessionEvent::Link(SessionLink::Lost(reason.clone())));
        }
        self.recovering = true;
        self.candidate = 0;
        match self.backoff.next_delay() {
            Some(delay) => {
                self.phase = Phase::Recovering;
                self.retry_at = Some(now + delay);
                self.events
                    .push_back(SessionEvent::Link(SessionLink::Reconnecting {
                        attempt: self.backoff.attempt(),
                        delay,
                    }));
            }
            None => self.fail(SessionError::GaveUp(reason)),
        }
    }

    fn fail(&mut self, error: SessionError) {
        if self.phase == Phase::Closed {
            return;
        }
        self.phase = Phase::Closed;
        self.clear_session();
        self.events
            .push_back(SessionEvent::Link(SessionLink::Closed {
                error: Some(error),
            }));
    }

    fn clear_session(&mut self) {
        self.pending.clear();
        self.channel = None;
        self.cookie = None;
        self.sessions_url = None;
        self.info = None;
        self.services = None;
        self.subscription_id = None;
        self.polling_url = None;
        self.keepalive_at = None;
        self.retry_at = None;
        self.repoll_at = None;
        self.drain_until = None;
    }

    // ------------------------------------------------------------ helpers

    fn is_channel(&self, id: RequestId) -> bool {
        self.channel.as_ref().is_some_and(|c| c.id == id)
    }

    fn send(&mut self, purpose: Purpose, request: http::Request<Bytes>) -> RequestId {
        self.next_id += 1;
        let id = RequestId(self.next_id);
        self.pending.insert(id, purpose);
        self.transmits.push_back(Transmit {
            id,
            purpose,
            request,
        });
        id
    }

    fn cookie_request(
        &self,
        method: Method,
        url: &str,
        body: Option<Bytes>,
    ) -> http::Request<Bytes> {
        let mut req = plain_request(method, url, body);
        if let Some(c) = &self.cookie
            && let Ok(mut v) = HeaderValue::from_str(&format!("AlcUserId={}", c.expose()))
        {
            v.set_sensitive(true);
            req.headers_mut().insert(header::COOKIE, v);
        }
        req
    }
}

/// A request with an absolute URI; a JSON body gets its content type.
/// A URI the server gave that `http` cannot parse becomes `/` on an
/// unknown host, which the driver reports as a transport error.
fn plain_request(method: Method, url: &str, body: Option<Bytes>) -> http::Request<Bytes> {
    let uri = url
        .parse::<http::Uri>()
        .unwrap_or_else(|_| http::Uri::from_static("invalid://invalid/"));
    let mut req = http::Request::new(body.clone().unwrap_or_default());
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    if body.is_some() {
        req.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    req
}

/// The `AlcUserId` value of a `Set-Cookie` header.
fn alc_user_id(headers: &http::HeaderMap) -> Option<Secret<String>> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| k.trim() == "AlcUserId")
        .map(|(_, v)| Secret::new(v.trim().to_owned()))
}
