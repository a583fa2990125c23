//! The tokio client: TCP or TLS, a cheap cloneable [`Client`] and an event
//! [`EventStream`].
//!
//! [`connect`] opens the connection, logs in (MD5 challenge by default) and
//! spawns a driver task that owns the socket and the sans-IO
//! [`Session`](crate::session::Session). The [`Client`] handle sends
//! actions and awaits their correlated answers; the [`EventStream`] yields
//! events and link changes. The driver reconnects and logs in again by
//! itself, and says so in the stream (`Reconnecting`, then
//! `Reconnected { gap: true }`: events sent while the link was down are
//! lost). Actions pending when the link drops fail with an error that
//! [`Error::is_closed`]; none hangs.
//!
//! The event queue is bounded: the driver never waits for a slow consumer
//! and never drops an event silently — the consumer gets
//! [`ClientEvent::Lagged`] with the number of events it missed.
//!
//! ```no_run
//! use ami_proto::client::{ClientConfig, ClientEvent, connect};
//! use ami_proto::session::SessionConfig;
//! use ami_proto::Message;
//!
//! # async fn demo() -> Result<(), ami_proto::client::Error> {
//! let config = ClientConfig::new("127.0.0.1:5038", SessionConfig::new("admin", "secret"));
//! let (client, mut events) = connect(config).await?;
//! let pong = client.send(&Message::action("Ping").build().expect("valid")).await?;
//! assert_eq!(pong.get("Ping"), Some("Pong"));
//! while let Some(ev) = events.recv().await {
//!     if let ClientEvent::Event(m) = ev {
//!         println!("{:?}", m.name());
//!     }
//! }
//! # Ok(()) }
//! ```

mod config;
mod driver;
mod error;

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use cti_client::events;
use tokio::sync::{mpsc, oneshot};

pub use config::{ClientConfig, Roots, TlsConfig};
pub use error::Error;

use crate::Message;
use crate::codec::DecodeError;
use crate::session::{Completed, EventList};
use error::Kind;

/// What the event stream yields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// An AMI event (use `ami_proto::Event::from_message` for the typed
    /// view).
    Event(Message),
    /// The link was lost; a reconnect follows after `delay`.
    Reconnecting {
        /// Attempt number, from 1.
        attempt: u32,
        /// Wait before it.
        delay: Duration,
    },
    /// Logged in again: events may have been missed while down.
    Reconnected {
        /// True when events may have been missed.
        gap: bool,
    },
    /// The consumer fell behind and this many events were dropped.
    Lagged {
        /// How many.
        missed: u64,
    },
    /// A response no action waits for (late or foreign ActionID).
    UnmatchedResponse(Message),
    /// A message was dropped by the decoder (too large, malformed).
    DecodeError(DecodeError),
    /// The session is over.
    Closed {
        /// Why, when not asked for.
        reason: Option<String>,
    },
}

pub(crate) enum Request {
    Action {
        msg: Message,
        list: bool,
        reply: oneshot::Sender<Result<Completed, Error>>,
    },
    Logoff {
        reply: oneshot::Sender<()>,
    },
}

/// A cheap, cloneable handle to a connection's driver.
#[derive(Clone, Debug)]
pub struct Client {
    tx: mpsc::Sender<Request>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Action { msg, list, .. } => f
                .debug_struct("Action")
                .field("msg", msg)
                .field("list", list)
                .finish(),
            Self::Logoff { .. } => f.write_str("Logoff"),
        }
    }
}

impl Client {
    async fn request(&self, msg: &Message, list: bool) -> Result<Completed, Error> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request::Action {
                msg: msg.clone(),
                list,
                reply,
            })
            .await
            .map_err(|_| Error::new(Kind::Closed))?;
        rx.await.map_err(|_| Error::new(Kind::Closed))?
    }

    /// Sends an action and returns its response. A `Response: Error` is an
    /// error whose [`Error::vendor_error`] is Asterisk's message.
    pub async fn send(&self, action: &Message) -> Result<Message, Error> {
        match self.request(action, false).await? {
            Completed::Response(m) => Ok(m),
            Completed::List(l) => Ok(l.response),
        }
    }

    /// Sends a list action (`CoreShowChannels`, `Status`, `QueueStatus`, …)
    /// and returns every item. Some actions answer an empty list with
    /// `Response: Error` (`PJSIPShowContacts`); that is an empty list whose
    /// [`EventList::is_error`] is true.
    pub async fn send_list(&self, action: &Message) -> Result<EventList, Error> {
        match self.request(action, true).await? {
            Completed::List(l) => Ok(l),
            Completed::Response(m) => Ok(EventList {
                response: m,
                items: Vec::new(),
                complete: None,
            }),
        }
    }

    /// Logs off and waits until the connection is closed.
    pub async fn logoff(&self) -> Result<(), Error> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request::Logoff { reply })
            .await
            .map_err(|_| Error::new(Kind::Closed))?;
        rx.await.map_err(|_| Error::new(Kind::Closed))
    }

    /// True once the driver has stopped.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// The events of one connection, in order. Ends after the session closes.
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

/// Connects, logs in, and returns the client handle and its events.
///
/// Fails if the first connection or login fails (later losses are retried
/// by the driver).
pub async fn connect(config: ClientConfig) -> Result<(Client, EventStream), Error> {
    let (tx, rx) = mpsc::channel(256);
    let (ev_tx, ev_rx) = events::channel(config.event_queue);
    let (ready_tx, ready_rx) = oneshot::channel();
    let tls = driver::tls_connector(&config)?;
    let span = tracing::debug_span!("ami", addr = %config.addr);
    let task = driver::Driver::new(config, tls, rx, ev_tx, ready_tx);
    tokio::spawn(tracing::Instrument::instrument(task.run(), span));
    match ready_rx.await {
        Ok(Ok(())) => Ok((Client { tx }, EventStream { rx: ev_rx })),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(Error::new(Kind::Closed)),
    }
}
