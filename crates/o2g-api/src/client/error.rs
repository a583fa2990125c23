//! The client's error type.

use std::fmt;

use http::StatusCode;

use crate::codec::ApiError;
use crate::session::SessionError;
use crate::types::ErrorBody;

/// What went wrong in a client call.
///
/// The type is opaque: ask it with the `is_*` predicates, read the
/// server's own refusal with [`Error::vendor_error`] and
/// [`Error::status`], and the underlying cause with
/// [`std::error::Error::source`]. `Display` names the server and, for TLS
/// failures, how to trust a private CA.
///
/// Runtime failures (`is_io`, `is_refused`, `is_tls`, `is_timeout`,
/// `is_closed`, `is_auth`, `is_rejected`) are apart from misuse
/// ([`Error::is_usage`]: a bad configuration, a service the session does
/// not offer), which retrying cannot fix.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
    server: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

#[derive(Debug)]
pub(crate) enum Kind {
    /// Connect or IO failure.
    Io,
    /// TLS handshake or certificate failure.
    Tls,
    /// No answer in time.
    Timeout,
    /// The session or the client is closed.
    Closed,
    /// An answer that is not HTTP, or too large.
    Protocol(String),
    /// The server answered a service request with an error, or with a body
    /// that is not what the endpoint answers.
    Api(ApiError),
    /// The session could not be opened or failed for good.
    Session(SessionError),
    /// The configuration is unusable.
    Config(String),
}

impl Error {
    pub(crate) fn new(kind: Kind) -> Self {
        Self {
            kind,
            server: None,
            source: None,
        }
    }

    pub(crate) fn with(
        kind: Kind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            server: None,
            source: Some(source.into()),
        }
    }

    /// Names the server the error is about (kept if already set).
    pub(crate) fn at(mut self, server: impl Into<String>) -> Self {
        if self.server.is_none() {
            self.server = Some(server.into());
        }
        self
    }

    /// Sets the cause, if none is set.
    pub(crate) fn caused_by(mut self, source: Option<Self>) -> Self {
        if self.source.is_none()
            && let Some(s) = source
        {
            self.source = Some(Box::new(s));
        }
        self
    }

    /// A socket or connection error (including a refused connection).
    pub fn is_io(&self) -> bool {
        matches!(self.kind, Kind::Io)
    }

    /// Nothing listens at the address: the TCP connection was refused
    /// (directly, or as the cause of a session that could not open).
    pub fn is_refused(&self) -> bool {
        self.source
            .as_deref()
            .is_some_and(|s| cti_client::is_connection_refused(s))
    }

    /// A TLS error (handshake, certificate), here or as the cause.
    pub fn is_tls(&self) -> bool {
        matches!(self.kind, Kind::Tls) || self.cause().is_some_and(Self::is_tls)
    }

    /// No answer in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, Kind::Timeout)
    }

    /// The session or the client is closed.
    pub fn is_closed(&self) -> bool {
        matches!(self.kind, Kind::Closed)
    }

    /// The credentials were refused, or the session is gone (401, 403).
    pub fn is_auth(&self) -> bool {
        match &self.kind {
            Kind::Api(e) => e.is_auth(),
            Kind::Session(SessionError::AuthenticationFailed(_)) => true,
            Kind::Session(SessionError::Refused { error, .. }) => error.is_auth(),
            _ => false,
        }
    }

    /// The server answered the request with an error status.
    pub fn is_rejected(&self) -> bool {
        self.status().is_some_and(|s| !s.is_success())
    }

    /// Misuse that retrying cannot fix: a bad configuration (CA PEM, URL),
    /// a service the session does not offer.
    pub fn is_usage(&self) -> bool {
        matches!(
            self.kind,
            Kind::Config(_) | Kind::Api(ApiError::Unavailable(_))
        )
    }

    /// The HTTP status of the server's answer, when it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match &self.kind {
            Kind::Api(e) => e.status(),
            Kind::Session(SessionError::AuthenticationFailed(s)) => Some(*s),
            Kind::Session(SessionError::Refused { error, .. }) => error.status(),
            _ => None,
        }
    }

    /// The server's error body, when it sent one.
    pub fn vendor_error(&self) -> Option<&ErrorBody> {
        let api = match &self.kind {
            Kind::Api(e) => e,
            Kind::Session(SessionError::Refused { error, .. }) => error,
            _ => return None,
        };
        match api {
            ApiError::Status { error, .. } => error.as_deref(),
            _ => None,
        }
    }

    /// Why the session failed, when it did.
    pub fn session_error(&self) -> Option<&SessionError> {
        match &self.kind {
            Kind::Session(e) => Some(e),
            _ => None,
        }
    }

    fn cause(&self) -> Option<&Self> {
        self.source
            .as_deref()
            .and_then(|s| s.downcast_ref::<Self>())
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Self::new(Kind::Api(e))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.server.as_deref().unwrap_or("the O2G server");
        let source = |f: &mut fmt::Formatter<'_>| match &self.source {
            Some(s) => write!(f, ": {s}"),
            None => Ok(()),
        };
        match &self.kind {
            Kind::Io => {
                write!(f, "connection to {at} failed")?;
                source(f)
            }
            Kind::Tls => {
                write!(f, "TLS with {at} failed")?;
                source(f)?;
                write!(f, "; {}", cti_client::PRIVATE_CA_HINT)
            }
            Kind::Timeout => write!(f, "{at} did not answer in time"),
            Kind::Closed => write!(f, "the session with {at} is closed"),
            Kind::Protocol(m) => write!(f, "unusable answer from {at}: {m}"),
            Kind::Api(e) => write!(f, "{at}: {e}"),
            Kind::Session(e) => {
                write!(f, "{at}: {e}")?;
                if let Some(c) = self.cause()
                    && c.is_tls()
                {
                    write!(f, "; {}", cti_client::PRIVATE_CA_HINT)?;
                }
                Ok(())
            }
            Kind::Config(m) => write!(f, "invalid configuration for {at}: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
