//! The client's error type.

use std::fmt;
use std::sync::Arc;

use crate::Message;
use crate::session::{ActionError, SubmitError};

/// What went wrong in a client call.
///
/// The type is opaque: ask it with the `is_*` predicates, reach Asterisk's
/// own rejection with [`Error::vendor_error`], and the underlying cause
/// with [`std::error::Error::source`]. `Display` names the server's address
/// and, for TLS failures, how to trust a private CA.
///
/// Runtime failures (`is_io`, `is_refused`, `is_tls`, `is_timeout`,
/// `is_closed`, `is_auth`, `is_rejected`) are apart from misuse
/// ([`Error::is_usage`]: an invalid header, a message that is not an
/// action, a bad configuration), which retrying cannot fix.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
    addr: Option<Arc<str>>,
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
    Submit(SubmitError),
    Action(ActionError),
    Config(String),
    Usage,
}

impl Error {
    pub(crate) fn new(kind: Kind) -> Self {
        Self {
            kind,
            addr: None,
            source: None,
        }
    }

    pub(crate) fn with(
        kind: Kind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            addr: None,
            source: Some(source.into()),
        }
    }

    /// Names the server the error is about (kept if already set).
    pub(crate) fn at(mut self, addr: &Arc<str>) -> Self {
        if self.addr.is_none() {
            self.addr = Some(addr.clone());
        }
        self
    }

    pub(crate) fn from_action(e: ActionError) -> Self {
        match e {
            ActionError::Rejected(m) => Self::new(Kind::Rejected(Box::new(m))),
            ActionError::Timeout => Self::new(Kind::Timeout),
            ActionError::Disconnected => Self::new(Kind::Closed),
            other => Self::new(Kind::Action(other)),
        }
    }

    pub(crate) fn from_submit(e: SubmitError) -> Self {
        match e {
            SubmitError::NotAnAction | SubmitError::DuplicateActionId(_) => {
                Self::with(Kind::Usage, e)
            }
            SubmitError::Closed => Self::new(Kind::Closed),
            other => Self::new(Kind::Submit(other)),
        }
    }

    /// A socket or connection error (including a refused connection).
    pub fn is_io(&self) -> bool {
        matches!(self.kind, Kind::Io)
    }

    /// Nothing listens at the address: the TCP connection was refused.
    pub fn is_refused(&self) -> bool {
        self.is_io()
            && self
                .source
                .as_deref()
                .is_some_and(|s| cti_client::is_connection_refused(s))
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
        matches!(self.kind, Kind::Submit(SubmitError::NotReady))
    }

    /// Asterisk refused the login (user name or secret).
    pub fn is_auth(&self) -> bool {
        matches!(self.kind, Kind::Login(_))
    }

    /// Asterisk answered the action with `Response: Error`.
    pub fn is_rejected(&self) -> bool {
        matches!(self.kind, Kind::Rejected(_))
    }

    /// Misuse that retrying cannot fix: an invalid header name or value, a
    /// message that is not an action, a duplicate ActionID, a bad
    /// configuration (CA PEM, TLS server name).
    pub fn is_usage(&self) -> bool {
        matches!(self.kind, Kind::Usage | Kind::Config(_))
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
        let at = self.addr.as_deref().unwrap_or("the AMI server");
        match &self.kind {
            Kind::Io => {
                write!(f, "connection to {at} failed")?;
                if let Some(s) = &self.source {
                    write!(f, ": {s}")?;
                }
                Ok(())
            }
            Kind::Tls => {
                write!(f, "TLS with {at} failed")?;
                if let Some(s) = &self.source {
                    write!(f, ": {s}")?;
                }
                write!(f, "; {}", cti_client::PRIVATE_CA_HINT)
            }
            Kind::Timeout => write!(f, "{at} did not answer in time"),
            Kind::Closed => write!(f, "the connection to {at} is closed"),
            Kind::Login(m) => write!(f, "{at} refused the login: {m}"),
            Kind::Rejected(m) => {
                write!(f, "{at} rejected the action: ")?;
                crate::session::write_reason(m, f)
            }
            Kind::Submit(e) => write!(f, "action not sent to {at}: {e}"),
            Kind::Action(e) => write!(f, "action to {at} failed: {e}"),
            Kind::Config(m) => write!(f, "invalid configuration for {at}: {m}"),
            Kind::Usage => {
                f.write_str("invalid action")?;
                if let Some(s) = &self.source {
                    write!(f, ": {s}")?;
                }
                Ok(())
            }
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
