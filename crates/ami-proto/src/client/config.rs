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
    /// TLS trusting the system store.
    pub fn system() -> Self {
        Self {
            server_name: None,
            roots: Roots::System,
        }
    }

    /// TLS trusting only the CA certificates in `pem`.
    pub fn with_ca_pem(pem: impl Into<Vec<u8>>) -> Self {
        Self {
            server_name: None,
            roots: Roots::Pem(pem.into()),
        }
    }

    /// Sets the name to verify.
    #[must_use]
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }
}

/// Everything [`connect`](super::connect) needs.
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
    /// How long one TCP/TLS connection attempt may take (default 10 s).
    pub connect_timeout: Duration,
}

impl ClientConfig {
    /// Plain TCP to `addr` with this session.
    pub fn new(addr: impl Into<String>, session: SessionConfig) -> Self {
        Self {
            addr: addr.into(),
            tls: None,
            session,
            event_queue: 4096,
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// Uses TLS.
    #[must_use]
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Sets the event queue length.
    #[must_use]
    pub fn event_queue(mut self, n: usize) -> Self {
        self.event_queue = n.max(1);
        self
    }
}
