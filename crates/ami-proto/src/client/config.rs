//! Client settings.

use std::time::Duration;

use crate::session::SessionConfig;

pub use cti_client::Roots;

/// TLS settings. Certificates and host names are always verified; there
/// is no "accept any certificate" switch.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TlsConfig {
    /// The name to verify the server certificate against (defaults to the
    /// host part of the address).
    pub server_name: Option<String>,
    /// Trusted roots.
    pub roots: Roots,
}

impl TlsConfig {
    /// TLS trusting `roots` ([`Roots::System`], [`Roots::ca_only`],
    /// [`Roots::system_and_ca`]).
    pub fn new(roots: Roots) -> Self {
        Self {
            server_name: None,
            roots,
        }
    }

    /// TLS trusting the system store.
    pub fn system() -> Self {
        Self::new(Roots::System)
    }

    /// Sets the name to verify.
    #[must_use]
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }
}

/// Everything [`connect`](super::connect) needs.
///
/// ```
/// use std::time::Duration;
/// use ami_proto::client::{ClientConfig, Roots};
/// let config = ClientConfig::new("pbx.example:5039", "admin", "secret")
///     .tls(Roots::System)
///     .connect_timeout(Duration::from_secs(5));
/// # let _ = config;
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientConfig {
    /// `host:port` of the manager interface (5038 plain, 5039 TLS usually).
    pub addr: String,
    /// TLS, or `None` for plain TCP.
    pub tls: Option<TlsConfig>,
    /// Login, keep-alive, timeouts and reconnect policy.
    pub session: SessionConfig,
    /// Events buffered for a slow consumer before it gets a `Lagged`
    /// signal (default 4096).
    pub event_queue: usize,
    /// Bytes of events buffered before it gets one (default 64 MiB).
    pub event_queue_bytes: usize,
    /// How long the driver stops reading the socket when the event queue is
    /// full, waiting for the consumer to read it down to half, before it
    /// reads on and drops what does not fit (reported as `Lagged`; default
    /// 1 s). A consumer that keeps up on average loses nothing; the server
    /// sees TCP back-pressure meanwhile. Keep it well under the keep-alive
    /// timeout.
    pub stall_limit: Duration,
    /// How long one TCP/TLS connection attempt may take (default 10 s).
    pub connect_timeout: Duration,
    /// Use the session's ActionID prefix and back-off seed as they are
    /// (default false: `connect` appends 32 random bits to the prefix and
    /// mixes OS randomness into the seed).
    pub fixed_seeds: bool,
}

impl ClientConfig {
    /// Plain TCP to `addr` (`host:port`), logging in as `username` with
    /// `secret`; every other setting at its default.
    pub fn new(
        addr: impl Into<String>,
        username: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        Self::with_session(addr, SessionConfig::new(username, secret))
    }

    /// Plain TCP to `addr` with this session configuration.
    pub fn with_session(addr: impl Into<String>, session: SessionConfig) -> Self {
        Self {
            addr: addr.into(),
            tls: None,
            session,
            event_queue: 4096,
            event_queue_bytes: 64 << 20,
            stall_limit: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(10),
            fixed_seeds: false,
        }
    }

    /// Uses TLS, trusting `roots`, verifying the host name of the address.
    #[must_use]
    pub fn tls(self, roots: Roots) -> Self {
        self.tls_config(TlsConfig::new(roots))
    }

    /// Uses TLS with these settings.
    #[must_use]
    pub fn tls_config(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
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

    /// Sets the limit of one TCP/TLS connection attempt.
    #[must_use]
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
}
