//! The client's error type.

use std::fmt;

use crate::Message;
use crate::session::{ActionError, SessionError};

/// What went wrong in a client call.
///
/// The type is opaque: ask it with the `is_*` predicates, reach Asterisk's
/// own rejection with [`Error::vendor_error`], and the underlying cause
/// with [`std::error::Error::source`]. `Display` describes this layer only.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

#[derive(Debug)]
pub(crate) enum Kind {
    Io,
    Tls,
    Timeout,
    Closed,
    Login(String),
    Rejected(Box<Message>),
    Session(SessionError),
    Action(ActionError),
    Config(String),
}

impl Error {
    pub(crate) fn new(kind: Kind) -> Self {
        Self { kind, source: None }
    }

    pub(crate) fn with(
        kind: Kind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    pub(crate) fn from_action(e: ActionError) -> Self {
        match e {
            ActionError::Rejected(m) => Self::new(Kind::Rejected(Box::new(m))),
            ActionError::Timeout => Self::new(Kind::Timeout),
            ActionError::Disconnected => Self::new(Kind::Closed),
            other => Self::new(Kind::Action(other)),
        }
    }

    /// A socket or connection error.
    pub fn is_io(&self) -> bool {
        matches!(self.kind, Kind::Io)
    }

    /// A TLS error (handshake, certificate).
    pub fn is_tls(&self) -> bool {
        matches!(self.kind, Kind::Tls)
    }

    /// No answer in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, Kind::Timeout)
    }

    /// The connection or the client is closed (or was lost before the
    /// answer came).
    pub fn is_closed(&self) -> bool {
        matches!(self.kind, Kind::Closed)
    }

    /// The link is down and being re-established: try again after
    /// `Reconnected`.
    pub fn is_reconnecting(&self) -> bool {
        matches!(self.kind, Kind::Session(SessionError::NotReady))
    }

    /// Asterisk refused the login.
    pub fn is_login(&self) -> bool {
        matches!(self.kind, Kind::Login(_))
    }

    /// Asterisk answered the action with `Response: Error`.
    pub fn is_rejected(&self) -> bool {
        matches!(self.kind, Kind::Rejected(_))
    }

    /// Asterisk's own error response, when it rejected the action.
    pub fn vendor_error(&self) -> Option<&Message> {
        match &self.kind {
            Kind::Rejected(m) => Some(m),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Io => f.write_str("connection error"),
            Kind::Tls => f.write_str("tls error"),
            Kind::Timeout => f.write_str("timed out"),
            Kind::Closed => f.write_str("connection closed"),
            Kind::Login(m) => write!(f, "login refused: {m}"),
            Kind::Rejected(m) => write!(
                f,
                "action rejected: {}",
                m.get("Message").unwrap_or("(no message)")
            ),
            Kind::Session(e) => fmt::Display::fmt(e, f),
            Kind::Action(e) => fmt::Display::fmt(e, f),
            Kind::Config(m) => write!(f, "invalid configuration: {m}"),
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
