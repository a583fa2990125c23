//! The tokio client: TCP or TLS, a cheap cloneable [`Client`] and an
//! [`EventStream`] — or, with [`connect_normalized`], a stream of
//! normalized `cti_core` events.
//!
//! [`connect`] opens the connection, logs in (MD5 challenge by default) and
//! spawns a driver task that owns the socket and the sans-IO
//! [`Session`](crate::session::Session). The [`Client`] handle sends
//! actions ([`Client::send`] takes a typed action from [`crate::actions`] or
//! a raw [`Message`]) and awaits their correlated answers; the
//! [`EventStream`] yields events and link changes
//! ([`ClientEvent::Link`]: `Connected` first, then `Reconnecting`,
//! `Reconnected { gap }`, `Lagged`, `Closed`). The driver reconnects and
//! logs in again by itself; actions pending when the link drops fail with
//! an error that [`Error::is_closed`]; none hangs.
//!
//! The event queue is bounded in events and bytes: the driver never waits
//! for a slow consumer and never drops an event silently — the consumer
//! gets [`LinkEvent::Lagged`] with the number of events it missed, at the
//! place where they were missed. Link events are never dropped.
//!
//! ```no_run
//! use ami_proto::actions::Ping;
//! use ami_proto::client::{ClientConfig, ClientEvent, connect};
//!
//! # async fn demo() -> Result<(), ami_proto::client::Error> {
//! let config = ClientConfig::new("127.0.0.1:5038", "admin", "secret");
//! let (client, mut events) = connect(config).await?;
//! let pong = client.send(Ping::new()).await?;
//! assert_eq!(pong.get("Ping"), Some("Pong"));
//! while let Some(ev) = events.recv().await {
//!     match ev {
//!         ClientEvent::Event(m) => println!("{:?}", m.name()),
//!         ClientEvent::Link(link) => println!("link: {link:?}"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

mod config;
mod driver;
mod error;

use cti_client::events;
use tokio::sync::{mpsc, oneshot};

pub use config::{ClientConfig, Roots, TlsConfig};
pub use cti_core::LinkEvent;
pub use error::Error;

use crate::codec::DecodeError;
use crate::session::{Completed, EventList};
use crate::types::{Action, ValidationError};
use crate::{AmiVersion, Message, Normalizer};
use error::Kind;

/// What the event stream yields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// An AMI event (use `ami_proto::Event::from_message` for the typed
    /// view).
    Event(Message),
    /// The link changed: connected, reconnecting, reconnected (with the gap
    /// signal), lagged, closed.
    Link(LinkEvent),
    /// A response no action waits for (late or foreign ActionID).
    UnmatchedResponse(Message),
    /// A message was dropped by the decoder (too large, malformed).
    DecodeError(DecodeError),
}

impl From<LinkEvent> for ClientEvent {
    fn from(link: LinkEvent) -> Self {
        Self::Link(link)
    }
}

impl events::Weigh for ClientEvent {
    fn weight(&self) -> usize {
        match self {
            Self::Event(m) | Self::UnmatchedResponse(m) => m.weight() + 64,
            Self::Link(_) | Self::DecodeError(_) => 64,
        }
    }
}

impl cti_client::normalized::ClientEvent for ClientEvent {
    type Vendor = Message;

    fn split(self) -> cti_client::normalized::Split<Message> {
        use cti_client::normalized::Split;
        match self {
            Self::Event(m) => Split::Vendor(m),
            Self::Link(l) => Split::Link(l),
            Self::UnmatchedResponse(_) | Self::DecodeError(_) => Split::Skip,
        }
    }
}

/// The events of one connection, in order; ends after the link is closed
/// for good. A [`futures_core::Stream`]; [`EventStream::recv`] reads one.
pub type EventStream = cti_client::EventStream<ClientEvent>;

/// The normalized events of one connection ([`connect_normalized`],
/// [`Client::normalized`]): `cti_core` events stamped with this machine's
/// clock, link events included, the channel list re-read after login and
/// after every gap.
pub type NormalizedStream = cti_client::Normalized<ClientEvent, Normalizer>;

/// What [`Client::send`] takes: a typed action from [`crate::actions`],
/// or a raw [`Message`] (owned or borrowed) that starts with `Action:`.
pub trait IntoAction {
    /// The message to send.
    fn into_action(self) -> Result<Message, ValidationError>;
}

impl<A: Action> IntoAction for A {
    fn into_action(self) -> Result<Message, ValidationError> {
        self.into_message()
    }
}

impl IntoAction for Message {
    fn into_action(self) -> Result<Message, ValidationError> {
        Ok(self)
    }
}

impl IntoAction for &Message {
    fn into_action(self) -> Result<Message, ValidationError> {
        Ok(self.clone())
    }
}

pub(crate) enum Command {
    Action {
        msg: Message,
        list: bool,
        reply: oneshot::Sender<Result<Completed, Error>>,
    },
    Close {
        reply: oneshot::Sender<()>,
    },
}

/// A cheap, cloneable handle to a connection's driver.
#[derive(Clone, Debug)]
pub struct Client {
    tx: mpsc::Sender<Command>,
    addr: std::sync::Arc<str>,
    banner: std::sync::Arc<str>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Action { msg, list, .. } => f
                .debug_struct("Action")
                .field("msg", msg)
                .field("list", list)
                .finish(),
            Self::Close { .. } => f.write_str("Close"),
        }
    }
}

impl Client {
    async fn request(&self, action: impl IntoAction, list: bool) -> Result<Completed, Error> {
        let msg = action
            .into_action()
            .map_err(|e| Error::with(Kind::Usage, e).at(&self.addr))?;
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Action { msg, list, reply })
            .await
            .map_err(|_| self.closed())?;
        rx.await
            .map_err(|_| self.closed())?
            .map_err(|e| e.at(&self.addr))
    }

    fn closed(&self) -> Error {
        Error::new(Kind::Closed).at(&self.addr)
    }

    /// Sends an action — typed (`ami_proto::actions::Originate::new(…)`)
    /// or a raw [`Message`] — and returns its response. A `Response: Error`
    /// is an error whose [`Error::vendor_error`] is Asterisk's message.
    pub async fn send(&self, action: impl IntoAction) -> Result<Message, Error> {
        match self.request(action, false).await? {
            Completed::Response(m) => Ok(m),
            Completed::List(l) => Ok(l.response),
        }
    }

    /// Sends a list action (`CoreShowChannels`, `Status`, `QueueStatus`, …)
    /// and returns every item. Some actions answer an empty list with
    /// `Response: Error` (`PJSIPShowContacts`); that is an empty list whose
    /// [`EventList::is_error`] is true.
    pub async fn send_list(&self, action: impl IntoAction) -> Result<EventList, Error> {
        match self.request(action, true).await? {
            Completed::List(l) => Ok(l),
            Completed::Response(m) => Ok(EventList {
                response: m,
                items: Vec::new(),
                complete: None,
            }),
        }
    }

    /// Logs off and waits until the connection is closed; afterwards
    /// [`Client::is_closed`] is true and the event stream ends with
    /// `Link(Closed)`.
    pub async fn close(&self) -> Result<(), Error> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Close { reply })
            .await
            .map_err(|_| self.closed())?;
        rx.await.map_err(|_| self.closed())
    }

    /// True once the driver has stopped.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// The address this client connects to.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The banner of the first connection, as Asterisk sent it
    /// (`Asterisk Call Manager/11.0.0`).
    pub fn banner(&self) -> &str {
        &self.banner
    }

    /// The AMI version in [`Client::banner`] (11.0.0 for Asterisk 22), or
    /// `None` if the banner carries none.
    pub fn ami_version(&self) -> Option<AmiVersion> {
        AmiVersion::from_banner(&self.banner)
    }

    /// Normalizes `events` (this client's stream): `cti_core` events with
    /// this machine's clock, link events included, and after login and
    /// every gap the channel list (`CoreShowChannels`) read again and
    /// adopted, so that calls already up are followed.
    pub fn normalized(&self, events: EventStream) -> NormalizedStream {
        let client = self.clone();
        cti_client::Normalized::with_resync(events, Normalizer::new(), move || {
            let client = client.clone();
            async move {
                match client
                    .send_list(crate::actions::CoreShowChannels::new())
                    .await
                {
                    Ok(list) => Some(list),
                    Err(e) => {
                        tracing::debug!(error = %e, "CoreShowChannels after a gap failed");
                        None
                    }
                }
            }
        })
    }
}

/// Connects, logs in, and returns the client handle and its events (the
/// first is `Link(Connected)`).
///
/// Fails if the first connection or login fails (later losses are retried
/// by the driver).
pub async fn connect(mut config: ClientConfig) -> Result<(Client, EventStream), Error> {
    let addr: std::sync::Arc<str> = config.addr.as_str().into();
    if !config.fixed_seeds {
        // ActionIDs a hostile server cannot guess in advance, and a jitter
        // that differs between the clients of a fleet.
        let r = cti_client::os_random();
        config.session.action_id_prefix =
            format!("{}{:08x}-", config.session.action_id_prefix, r >> 32);
        config.session.backoff_seed ^= cti_client::os_random();
    }
    let (tx, rx) = mpsc::channel(256);
    let (ev_tx, ev_rx) = events::channel(config.event_queue, config.event_queue_bytes);
    let (ready_tx, ready_rx) = oneshot::channel();
    let tls = driver::tls_connector(&config).map_err(|e| e.at(&addr))?;
    let span = tracing::debug_span!("ami", addr = %config.addr);
    let task = driver::Driver::new(config, tls, rx, ev_tx, ready_tx);
    tokio::spawn(tracing::Instrument::instrument(task.run(), span));
    match ready_rx.await {
        Ok(Ok(banner)) => Ok((
            Client {
                tx,
                addr: addr.clone(),
                banner: banner.into(),
            },
            cti_client::EventStream::new(ev_rx),
        )),
        Ok(Err(e)) => Err(e.at(&addr)),
        Err(_) => Err(Error::new(Kind::Closed).at(&addr)),
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
