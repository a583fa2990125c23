//! Client settings.

use std::time::Duration;

use crate::session::SessionConfig;

pub use cti_client::Roots;

/// Everything [`connect`](super::connect) needs.
///
/// ```
/// use std::time::Duration;
/// use o2g_api::client::{ClientConfig, Roots};
/// use o2g_api::types::{Package, Selector, SubscriptionRequest};
/// let config = ClientConfig::new("https://o2g.example", "admin", "secret")
///     .roots(Roots::System)
///     .subscribe(SubscriptionRequest::new(vec![Selector::new(vec![Package::Telephony], ["oxe1001"])], 10))
///     .connect_timeout(Duration::from_secs(5));
/// # let _ = config;
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The session: server, login, subscription, timers.
    pub session: SessionConfig,
    /// TLS trust.
    pub roots: Roots,
    /// TCP connect and TLS handshake limit.
    pub connect_timeout: Duration,
    /// Limit for one request's whole answer (and for the event channel's
    /// answer head).
    pub request_timeout: Duration,
    /// The largest service answer read (default 16 MiB); a larger one is an
    /// error.
    pub max_body_bytes: usize,
    /// Events buffered for a slow consumer before it gets a `Lagged`.
    pub event_queue: usize,
    /// Bytes of events buffered before it gets one (default 64 MiB).
    pub event_queue_bytes: usize,
    /// How long the driver stops reading the event channel when the event
    /// queue is full, waiting for the consumer to read it down to half,
    /// before it reads on and drops what does not fit (reported as
    /// `Lagged`; default 1 s). A consumer that keeps up on average loses
    /// nothing.
    pub stall_limit: Duration,
    /// How long `connect` waits for the first session (and, with a
    /// subscription, its event channel) to come up (default 60 s).
    pub connect_deadline: Duration,
    /// Follow plain-http URLs that an https server advertises (default
    /// false: refused, the credentials would travel in clear; for labs).
    pub allow_downgrade: bool,
    /// Use the session's back-off seed as it is (default false: `connect`
    /// mixes OS randomness into it).
    pub fixed_seeds: bool,
}

impl ClientConfig {
    /// The server at `url` (`https://o2g.example`: discovery, then the
    /// URLs the server gives), logging in as `login` with `password`; every
    /// other setting at its default (system roots, 10 s connect, 30 s
    /// requests, 4096 queued events, no subscription).
    pub fn new(
        url: impl Into<String>,
        login: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self::with_session(SessionConfig::new(url, login, password))
    }

    /// Defaults around a session configuration.
    pub fn with_session(session: SessionConfig) -> Self {
        Self {
            session,
            roots: Roots::System,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 16 << 20,
            event_queue: 4096,
            event_queue_bytes: 64 << 20,
            stall_limit: Duration::from_secs(1),
            fixed_seeds: false,
            connect_deadline: Duration::from_secs(60),
            allow_downgrade: false,
        }
    }

    /// Sets the TLS roots ([`Roots::System`], [`Roots::ca_only`],
    /// [`Roots::system_and_ca`]).
    #[must_use]
    pub fn roots(mut self, roots: Roots) -> Self {
        self.roots = roots;
        self
    }

    /// Subscribes to events (the event channel is opened at login).
    #[must_use]
    pub fn subscribe(mut self, request: crate::types::SubscriptionRequest) -> Self {
        self.session = self.session.subscribe(request);
        self
    }

    /// Sets the application name the session is opened with.
    #[must_use]
    pub fn application(mut self, name: impl Into<String>) -> Self {
        self.session = self.session.application(name);
        self
    }

    /// Sets the TCP connect and TLS handshake limit.
    #[must_use]
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Sets how long `connect` waits for the first session.
    #[must_use]
    pub fn connect_deadline(mut self, d: Duration) -> Self {
        self.connect_deadline = d;
        self
    }

    /// Allows following plain-http URLs advertised by an https server
    /// (labs only: the credentials travel in clear).
    #[must_use]
    pub fn allow_downgrade(mut self, yes: bool) -> Self {
        self.allow_downgrade = yes;
        self
    }

    /// Sets the event queue length.
    #[must_use]
    pub fn event_queue(mut self, n: usize) -> Self {
        self.event_queue = n.max(1);
        self
    }

    /// Sets the event queue's byte limit.
    #[must_use]
    pub fn event_queue_bytes(mut self, n: usize) -> Self {
        self.event_queue_bytes = n;
        self
    }

    /// Sets how long the driver waits for a consumer that fell behind (see
    /// [`ClientConfig::stall_limit`]); zero drops at once when the queue is
    /// full.
    #[must_use]
    pub fn stall_limit(mut self, d: Duration) -> Self {
        self.stall_limit = d;
        self
    }
}
