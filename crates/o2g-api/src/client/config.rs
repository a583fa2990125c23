//! Client settings.

use std::time::Duration;

use crate::session::SessionConfig;

pub use cti_client::Roots;

/// Everything [`connect`](super::connect) needs.
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
    /// Events buffered for a slow consumer before it gets a `Lagged`.
    pub event_queue: usize,
}

impl ClientConfig {
    /// Defaults around a session configuration: system roots, 10 s connect,
    /// 30 s requests, 4096 queued events.
    pub fn new(session: SessionConfig) -> Self {
        Self {
            session,
            roots: Roots::System,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            event_queue: 4096,
        }
    }

    /// Trusts a private CA (PEM) in addition to the system roots.
    #[must_use]
    pub fn with_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.roots = Roots::SystemAnd(pem.into());
        self
    }

    /// Sets the roots.
    #[must_use]
    pub fn roots(mut self, roots: Roots) -> Self {
        self.roots = roots;
        self
    }
}
