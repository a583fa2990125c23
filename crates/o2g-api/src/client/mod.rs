//! The tokio client: hyper 1 HTTP/1.1 over TCP or rustls, a cheap cloneable
//! [`Client`] for service requests, and an [`EventStream`] of typed events
//! and link events — or, with [`connect_normalized`], a stream of
//! normalized `cti_core` events.
//!
//! A driver task owns the [`Session`](crate::session::Session) machine: it
//! carries out its requests (bootstrap, authentication, keep-alive,
//! subscription, the event channel), feeds it the answers and the clock,
//! and forwards what comes out. Service requests ([`Client::send`] with an
//! endpoint of [`crate::endpoints`], or a raw [`ApiRequest`]) run
//! concurrently on pooled connections; the event channel has its own
//! connection.
//!
//! The event queue is bounded in events and bytes: a consumer that falls
//! behind gets [`LinkEvent::Lagged`] with the number of events it missed,
//! at the place where they were missed; the channel reader never waits for
//! the consumer, and link events are never dropped.

mod config;
mod driver;
mod error;
mod http;

pub use config::{ClientConfig, Roots};
pub use cti_core::LinkEvent;
pub use error::Error;

use ::http::StatusCode;
use cti_client::events;
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use crate::Normalizer;
use crate::codec::endpoints::telephony::GetTelephonicState;
use crate::codec::ndjson::DecodeError;
use crate::codec::{ApiError, ApiRequest, ApiResponse, Endpoint};
use crate::types::SessionInfo;
use crate::types::events::Event;
use crate::types::telephony::TelephonicState;
use error::Kind;

/// What the event stream yields.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// An event of the channel (including `OnChannelInformation`).
    Event(Event),
    /// A channel line that could not be decoded, kept raw.
    DecodeError(DecodeError),
    /// The link changed: connected, reconnecting, reconnected (with the gap
    /// signal), lagged, closed.
    Link(LinkEvent),
}

impl From<LinkEvent> for ClientEvent {
    fn from(link: LinkEvent) -> Self {
        Self::Link(link)
    }
}

impl events::Weigh for ClientEvent {
    fn weight(&self) -> usize {
        match self {
            // An estimate: the typed event's own size plus its strings.
            Self::Event(_) => size_of::<Event>() + 256,
            Self::DecodeError(
                DecodeError::Event { raw, .. } | DecodeError::Unterminated { raw },
            ) => raw.len() + 64,
            Self::DecodeError(_) | Self::Link(_) => 64,
        }
    }
}

impl cti_client::normalized::ClientEvent for ClientEvent {
    type Vendor = Event;

    fn split(self) -> cti_client::normalized::Split<Event> {
        use cti_client::normalized::Split;
        match self {
            Self::Event(e) => Split::Vendor(e),
            Self::Link(l) => Split::Link(l),
            Self::DecodeError(_) => Split::Skip,
        }
    }
}

/// The events of the session, in order; ends after the session closes.
/// A [`futures_core::Stream`]; [`EventStream::recv`] reads one.
pub type EventStream = cti_client::EventStream<ClientEvent>;

/// The normalized events of the session ([`connect_normalized`],
/// [`Client::normalized`]): `cti_core` events stamped with this machine's
/// clock, link events included, the subscribed users' telephonic state
/// read again after login and after every gap.
pub type NormalizedStream = cti_client::Normalized<ClientEvent, Normalizer>;

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
    server: std::sync::Arc<str>,
    /// The users the subscription names (for the snapshot after a gap).
    watched: std::sync::Arc<[String]>,
}

impl Client {
    fn closed(&self) -> Error {
        Error::new(Kind::Closed).at(&*self.server)
    }

    /// Sends a typed request — an endpoint of [`crate::endpoints`]
    /// (`MakeCall::new("1001", "1002")`), or a raw [`ApiRequest`] — and
    /// decodes its answer. A non-2xx answer is an error whose
    /// [`Error::status`] and [`Error::vendor_error`] are the server's.
    pub async fn send<E: Endpoint>(&self, endpoint: E) -> Result<E::Output, Error> {
        let response = self.fetch(endpoint.request()).await?;
        endpoint
            .decode(response)
            .map_err(|e| Error::from(e).at(&*self.server))
    }

    async fn fetch(&self, request: ApiRequest) -> Result<ApiResponse, Error> {
        let (reply, rx) = oneshot::channel();
        let method = request.method.clone();
        let path = format!("{}{}", request.service, request.path);
        self.tx
            .send(Command::Build { request, reply })
            .await
            .map_err(|_| self.closed())?;
        let built = rx
            .await
            .map_err(|_| self.closed())?
            .map_err(|e| Error::from(e).at(&*self.server))?;
        tracing::debug!(%method, %path, "o2g request");
        let response = self
            .http
            .fetch(built)
            .await
            .map_err(|e| e.at(&*self.server))?;
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

    /// Deletes the subscription and the session and waits until they are
    /// gone; afterwards [`Client::is_closed`] is true and the event stream
    /// ends with `Link(Closed)`.
    pub async fn close(&self) -> Result<(), Error> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Command::Close(tx))
            .await
            .map_err(|_| self.closed())?;
        rx.await.map_err(|_| self.closed())
    }

    /// True once the session is over.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Normalizes `events` (this client's stream): `cti_core` events with
    /// this machine's clock, link events included, and after login and
    /// every gap the telephonic state of every user the subscription names
    /// (`GET /telephony/state`) read again and adopted.
    pub fn normalized(&self, events: EventStream) -> NormalizedStream {
        let client = self.clone();
        cti_client::Normalized::with_resync(events, Normalizer::new(), move || {
            let client = client.clone();
            async move {
                let mut states: Vec<(String, TelephonicState)> = Vec::new();
                for login in client.watched.iter() {
                    match client
                        .send(GetTelephonicState::new().login_name(login.as_str()))
                        .await
                    {
                        Ok(s) => states.push((login.clone(), s)),
                        Err(e) => {
                            tracing::debug!(%login, error = %e, "telephonic state after a gap")
                        }
                    }
                }
                Some(states)
            }
        })
    }
}

/// Discovers the server, authenticates, opens the session and, with a
/// subscription configured, waits until its event channel has started.
/// The stream's first item is `Link(Connected)`.
///
/// Fails when the first attempt fails (wrong password, unreachable server,
/// refused subscription); later losses are recovered by the driver, which
/// reports them on the event stream.
pub async fn connect(mut config: ClientConfig) -> Result<(Client, EventStream), Error> {
    if !config.fixed_seeds {
        // A jitter that differs between the clients of a fleet.
        config.session.backoff_seed ^= cti_client::os_random();
    }
    let server: std::sync::Arc<str> = config
        .session
        .hosts
        .first()
        .and_then(|h| h.private.clone().or_else(|| h.public.clone()))
        .unwrap_or_default()
        .into();
    let http = http::Http::new(&config).map_err(|e| e.at(&*server))?;
    let watched: Vec<String> = config
        .session
        .subscription
        .iter()
        .flat_map(|s| &s.filter.selectors)
        .flat_map(|s| s.ids.iter().flatten())
        .filter(|id| id.as_str() != "*")
        .cloned()
        .collect();
    let mut unique = Vec::new();
    for w in watched {
        if !unique.contains(&w) {
            unique.push(w);
        }
    }
    let (tx, rx) = mpsc::channel(256);
    let (ev_tx, ev_rx) = events::channel(config.event_queue, config.event_queue_bytes);
    let (ready_tx, ready_rx) = oneshot::channel();
    let span = tracing::debug_span!("o2g", login = %config.session.login);
    let driver = driver::Driver::new(config, http.clone(), rx, ev_tx, ready_tx);
    tokio::spawn(driver.run().instrument(span));
    match ready_rx.await {
        Ok(Ok(())) => Ok((
            Client {
                tx,
                http,
                server,
                watched: unique.into(),
            },
            cti_client::EventStream::new(ev_rx),
        )),
        Ok(Err(e)) => Err(e.at(&*server)),
        Err(_) => Err(Error::new(Kind::Closed).at(&*server)),
    }
}

/// [`connect`], then [`Client::normalized`]: the client and a stream of
/// normalized `cti_core` events — what a wallboard or a CRM integration
/// reads.
pub async fn connect_normalized(config: ClientConfig) -> Result<(Client, NormalizedStream), Error> {
    let (client, events) = connect(config).await?;
    let normalized = client.normalized(events);
    Ok((client, normalized))
}
