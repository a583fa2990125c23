//! The tokio client: hyper 1 HTTP/1.1 over TCP or rustls, a cheap cloneable
//! [`Client`] for service requests, and an [`EventStream`] of typed events
//! and link events.
//!
//! A driver task owns the [`Session`](crate::session::Session) machine: it
//! carries out its requests (bootstrap, authentication, keep-alive,
//! subscription, the event channel), feeds it the answers and the clock,
//! and forwards what comes out. Service requests from [`Client`] clones run
//! concurrently on pooled connections; the event channel has its own
//! connection.
//!
//! The event queue is bounded: a consumer that falls behind gets
//! [`ClientEvent::Lagged`] with the number of events it missed; the
//! channel reader never waits for the consumer.

mod config;
mod driver;
mod http;

pub use config::{ClientConfig, Roots};

use std::pin::Pin;
use std::task::{Context, Poll};

use ::http::StatusCode;
use cti_client::events;
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use crate::codec::ndjson::LineError;
use crate::codec::{ApiError, ApiRequest, ApiResponse, Endpoint};
use crate::session::{LinkEvent, SessionError};
use crate::types::SessionInfo;
use crate::types::events::Event;

/// What the event stream yields.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// An event of the channel (including `OnChannelInformation`).
    Event(Event),
    /// A channel line that could not be decoded, kept raw.
    BadLine(LineError),
    /// The link changed: lost, reconnecting, reconnected (with the gap
    /// signal), closed.
    Link(LinkEvent),
    /// The consumer fell behind and this many events were dropped.
    Lagged {
        /// How many.
        missed: u64,
    },
}

/// Why `connect` or `close` failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The session could not be opened (or failed for good).
    Session(SessionError),
    /// The configuration is unusable (bad CA PEM, …).
    Config(String),
    /// The driver task is gone.
    Closed,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Session(e) => e.fmt(f),
            Self::Config(e) => write!(f, "bad client configuration: {e}"),
            Self::Closed => f.write_str("the O2G session is closed"),
        }
    }
}

impl std::error::Error for Error {}

pub(crate) enum Command {
    Build {
        request: ApiRequest,
        reply: oneshot::Sender<Result<::http::Request<bytes::Bytes>, ApiError>>,
    },
    Status(StatusCode),
    Info(oneshot::Sender<Option<SessionInfo>>),
    Close(oneshot::Sender<()>),
}

/// A handle on one O2G session; clones share it.
#[derive(Clone, Debug)]
pub struct Client {
    tx: mpsc::Sender<Command>,
    http: http::Http,
}

impl Client {
    /// Executes a typed endpoint (see [`crate::codec::endpoints`]).
    pub async fn execute<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output, ApiError> {
        let response = self.request(endpoint.request()).await?;
        endpoint.decode(response)
    }

    /// Sends a service request and returns the answer whatever its status
    /// (transport failures and an unavailable session are errors).
    pub async fn request(&self, request: ApiRequest) -> Result<ApiResponse, ApiError> {
        let (reply, rx) = oneshot::channel();
        let method = request.method.clone();
        let path = format!("{}{}", request.service, request.path);
        self.tx
            .send(Command::Build { request, reply })
            .await
            .map_err(|_| ApiError::Unavailable("the session is closed".into()))?;
        let built = rx
            .await
            .map_err(|_| ApiError::Unavailable("the session is closed".into()))??;
        tracing::debug!(%method, %path, "o2g request");
        let response = self.http.fetch(built).await.map_err(ApiError::Transport)?;
        tracing::debug!(%method, %path, status = %response.status, "o2g answer");
        // Lets the session notice a lost session (401).
        let _ = self.tx.try_send(Command::Status(response.status));
        Ok(response)
    }

    /// The open session's answer (login, admin, services, time to live).
    pub async fn session_info(&self) -> Option<SessionInfo> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Command::Info(tx)).await.ok()?;
        rx.await.ok().flatten()
    }

    /// Deletes the subscription and the session; the event stream ends
    /// with [`LinkEvent::Closed`].
    pub async fn close(&self) -> Result<(), Error> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Command::Close(tx))
            .await
            .map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)
    }

    /// True once the session is over.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// The events of the session, in order. Ends after the session closes.
#[derive(Debug)]
pub struct EventStream {
    rx: events::Receiver<ClientEvent>,
}

impl EventStream {
    /// The next event, or `None` when the session is over.
    pub async fn recv(&mut self) -> Option<ClientEvent> {
        std::future::poll_fn(|cx| self.poll_next_event(cx)).await
    }

    fn poll_next_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<ClientEvent>> {
        self.rx
            .poll_recv(cx, |missed| ClientEvent::Lagged { missed })
    }
}

impl futures_core::Stream for EventStream {
    type Item = ClientEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ClientEvent>> {
        self.get_mut().poll_next_event(cx)
    }
}

/// Discovers the server, authenticates, opens the session and, with a
/// subscription configured, waits until its event channel has started.
///
/// Fails when the first attempt fails (wrong password, unreachable server,
/// refused subscription); later losses are recovered by the driver, which
/// reports them on the event stream.
pub async fn connect(config: ClientConfig) -> Result<(Client, EventStream), Error> {
    let http = http::Http::new(&config).map_err(Error::Config)?;
    let (tx, rx) = mpsc::channel(256);
    let (ev_tx, ev_rx) = events::channel(config.event_queue);
    let (ready_tx, ready_rx) = oneshot::channel();
    let span = tracing::debug_span!("o2g", login = %config.session.login);
    let driver = driver::Driver::new(config, http.clone(), rx, ev_tx, ready_tx);
    tokio::spawn(driver.run().instrument(span));
    match ready_rx.await {
        Ok(Ok(())) => Ok((Client { tx, http }, EventStream { rx: ev_rx })),
        Ok(Err(e)) => Err(Error::Session(e)),
        Err(_) => Err(Error::Closed),
    }
}
