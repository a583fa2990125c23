//! The task that owns the session machine.

use std::collections::HashMap;
use std::time::Instant;

use bytes::Bytes;
use cti_client::events;
use http_body_util::BodyExt;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::config::ClientConfig;
use super::error::{Error, Kind};
use super::http::Http;
use super::{ClientEvent, Command};
use crate::codec::ApiResponse;
use crate::session::{Purpose, RequestId, Session, SessionEvent, SessionLink};
use cti_core::LinkEvent;

/// The one place the client reads the clock.
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Reports queued from the request and channel tasks to the driver.
const IO_QUEUE: usize = 64;

/// What the request and channel tasks report.
enum Io {
    Response(RequestId, Result<ApiResponse, Error>),
    ChannelHead(RequestId, Result<http::StatusCode, Error>),
    ChannelData(RequestId, Bytes),
    ChannelEnd(RequestId),
}

pub(super) struct Driver {
    session: Session,
    http: Http,
    commands: mpsc::Receiver<Command>,
    commands_open: bool,
    events: events::Gate<ClientEvent>,
    ready: Option<oneshot::Sender<Result<(), Error>>>,
    /// The last transport failure: the cause of a session that fails.
    last_error: Option<Error>,
    /// How long the first session may take to come up.
    connect_deadline: std::time::Duration,
    /// The configured server is https: never follow an http URL.
    https_only: bool,
    /// `connect` failed: stop.
    abandoned: bool,
    closers: Vec<oneshot::Sender<()>>,
    io_tx: mpsc::Sender<Io>,
    io_rx: mpsc::Receiver<Io>,
    /// Outcomes decided here (a refused downgrade), handled first.
    deferred: std::collections::VecDeque<Io>,
    channels: HashMap<RequestId, JoinHandle<()>>,
}

impl Driver {
    pub(super) fn new(
        config: ClientConfig,
        http: Http,
        commands: mpsc::Receiver<Command>,
        events: events::Sender<ClientEvent>,
        ready: oneshot::Sender<Result<(), Error>>,
    ) -> Self {
        // Bounded: a channel reader that gets ahead of the driver waits
        // (and stops reading its socket) instead of queueing without end.
        let (io_tx, io_rx) = mpsc::channel(IO_QUEUE);
        let https_only = !config.allow_downgrade
            && config.session.hosts.iter().any(|h| {
                h.private
                    .iter()
                    .chain(h.public.iter())
                    .any(|o| o.starts_with("https:"))
            });
        let events = events::Gate::new(events, config.stall_limit);
        Self {
            session: Session::new(config.session),
            http,
            commands,
            commands_open: true,
            events,
            ready: Some(ready),
            last_error: None,
            connect_deadline: config.connect_deadline,
            https_only,
            abandoned: false,
            closers: Vec::new(),
            io_tx,
            io_rx,
            deferred: std::collections::VecDeque::new(),
            channels: HashMap::new(),
        }
    }

    pub(super) async fn run(mut self) {
        self.session.start(now());
        let connect_by = tokio::time::Instant::now() + self.connect_deadline;
        loop {
            self.flush();
            if self.abandoned {
                break;
            }
            if let Some(io) = self.deferred.pop_front() {
                self.on_io(io);
                continue;
            }
            // A closed session still hands over what it holds (its last
            // events and `Closed`) before the driver stops.
            if self.session.phase() == crate::session::Phase::Closed && !self.events.is_holding() {
                break;
            }
            if !self.commands_open && self.ready.is_none() && self.events.sender().is_closed() {
                // Nobody listens and nobody can send: close quietly.
                self.session.close(now());
                self.flush();
                if self.session.phase() == crate::session::Phase::Closed {
                    break;
                }
            }
            let deadline = self.session.poll_timeout();
            let sleep = async {
                match deadline {
                    Some(t) => tokio::time::sleep_until(t.into()).await,
                    None => std::future::pending().await,
                }
            };
            // While an event is held for a consumer that fell behind,
            // nothing more is taken from the channel reader: it stops
            // reading the body once its queue is full.
            // One wake-up of the consumer per batch of events.
            self.events.flush();
            let holding = self.events.is_holding();
            tokio::select! {
                () = self.events.room(), if holding => {
                    self.events.retry(now());
                }
                () = sleep_until_std(self.events.deadline()), if holding => {
                    tracing::debug!("event consumer stalled; dropping what does not fit");
                    self.events.retry(now());
                }
                io = self.io_rx.recv(), if !holding => {
                    if let Some(io) = io {
                        self.on_io(io);
                    }
                }
                cmd = self.commands.recv(), if self.commands_open => match cmd {
                    Some(cmd) => self.on_command(cmd),
                    None => {
                        self.commands_open = false;
                        // Every handle dropped: close the session.
                        self.session.close(now());
                    }
                },
                () = sleep => self.session.handle_timeout(now()),
                () = tokio::time::sleep_until(connect_by), if self.ready.is_some() => {
                    // The first session never came up in time (a channel
                    // that ends before "Chunk started", a server that
                    // keeps failing): `connect` fails, with the last
                    // failure as the cause, and this driver stops.
                    if let Some(r) = self.ready.take() {
                        let _ = r.send(Err(Error::new(Kind::Timeout).caused_by(self.last_error.take())));
                    }
                    break;
                }
            }
        }
        for (_, h) in self.channels.drain() {
            h.abort();
        }
        // Closed before anyone is told, so that `is_closed` holds once
        // `close` returns.
        self.commands.close();
        for c in self.closers.drain(..) {
            let _ = c.send(());
        }
    }

    fn on_io(&mut self, io: Io) {
        let t = now();
        match io {
            Io::Response(id, Ok(r)) => self.session.handle_response(id, r, t),
            Io::Response(id, Err(e)) => {
                self.session.handle_transport_error(id, &e.to_string(), t);
                self.last_error = Some(e);
            }
            Io::ChannelHead(id, Ok(status)) => self.session.handle_channel_status(id, status, t),
            Io::ChannelHead(id, Err(e)) => {
                self.session.handle_transport_error(id, &e.to_string(), t);
                self.last_error = Some(e);
            }
            Io::ChannelData(id, data) => self.session.handle_channel_data(id, &data, t),
            Io::ChannelEnd(id) => {
                self.channels.remove(&id);
                self.session.handle_channel_end(id, t);
            }
        }
    }

    fn on_command(&mut self, cmd: Command) {
        match cmd {
            Command::Build { request, reply } => {
                let _ = reply.send(self.session.build_request(&request));
            }
            Command::Status(status) => self.session.handle_api_status(status, now()),
            Command::Info(reply) => {
                let _ = reply.send(self.session.info().cloned());
            }
            Command::Close(reply) => {
                self.closers.push(reply);
                self.session.close(now());
            }
        }
    }

    /// Carries out the session's requests and forwards its events.
    fn flush(&mut self) {
        while let Some(t) = self.session.poll_transmit() {
            let id = t.id;
            if self.https_only && t.request.uri().scheme_str() != Some("https") {
                // An https server advertised a plain-http URL: the Basic
                // credentials or the session cookie would travel in clear.
                let e = Error::new(Kind::Protocol(format!(
                    "refused to follow a plain-http URL ({}) given by an https server; ClientConfig::allow_downgrade(true) allows it for labs",
                    t.request.uri().authority().map_or("?", |a| a.as_str())
                )));
                tracing::warn!(error = %e, "o2g downgrade refused");
                if let Some(r) = self.ready.take() {
                    let _ = r.send(Err(e));
                    self.abandoned = true;
                    return;
                }
                self.deferred.push_back(if t.purpose == Purpose::Channel {
                    Io::ChannelHead(id, Err(e))
                } else {
                    Io::Response(id, Err(e))
                });
                continue;
            }
            let tx = self.io_tx.clone();
            let http = self.http.clone();
            // The path is not logged: it can hold the subscription id.
            tracing::debug!(purpose = ?t.purpose, method = %t.request.method(), "o2g session request");
            if t.purpose == Purpose::Channel {
                let handle = tokio::spawn(read_channel(http, id, t.request, tx));
                self.channels.insert(id, handle);
            } else {
                tokio::spawn(async move {
                    let r = http.fetch(t.request).await;
                    let _ = tx.send(Io::Response(id, r)).await;
                });
            }
        }
        // Channels the session no longer follows (closed, lost) stop.
        let current = self.session.channel_id();
        self.channels.retain(|id, h| {
            let keep = Some(*id) == current;
            if !keep {
                h.abort();
            }
            keep
        });
        while !self.events.is_holding() {
            let Some(ev) = self.session.poll_event() else {
                break;
            };
            let ev = match ev {
                SessionEvent::Event(e) => ClientEvent::Event(e),
                SessionEvent::DecodeError(e) => ClientEvent::DecodeError(e),
                SessionEvent::Link(l) => {
                    let link = match l {
                        SessionLink::Connected => {
                            self.last_error = None;
                            if let Some(r) = self.ready.take() {
                                let _ = r.send(Ok(()));
                            }
                            LinkEvent::Connected
                        }
                        SessionLink::Closed { error } => {
                            let reason = error.as_ref().map(ToString::to_string);
                            if let Some(r) = self.ready.take() {
                                let e = match error {
                                    Some(e) => Error::new(Kind::Session(e)),
                                    None => Error::new(Kind::Closed),
                                };
                                let _ = r.send(Err(e.caused_by(self.last_error.take())));
                            }
                            LinkEvent::Closed { reason }
                        }
                        SessionLink::Lost(reason) => {
                            // Followed by Reconnecting, or Closed when the
                            // policy gives up.
                            tracing::warn!(%reason, "o2g session lost");
                            continue;
                        }
                        SessionLink::Reconnecting { attempt, delay } => {
                            LinkEvent::Reconnecting { attempt, delay }
                        }
                        SessionLink::Reconnected { gap } => LinkEvent::Reconnected { gap },
                    };
                    self.events.sender().send_link(link);
                    continue;
                }
            };
            self.deliver(ev);
        }
    }

    /// Queues an event, or holds it while the consumer is behind.
    fn deliver(&mut self, ev: ClientEvent) {
        self.events.push(ev, now);
    }
}

async fn sleep_until_std(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
        None => std::future::pending().await,
    }
}

/// Opens the event channel and forwards its bytes until it ends.
async fn read_channel(
    http: Http,
    id: RequestId,
    request: http::Request<Bytes>,
    tx: mpsc::Sender<Io>,
) {
    let (resp, _conn) = match http.open_stream(request).await {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.send(Io::ChannelHead(id, Err(e))).await;
            return;
        }
    };
    let status = resp.status();
    let _ = tx.send(Io::ChannelHead(id, Ok(status))).await;
    if !status.is_success() {
        return;
    }
    let mut body = resp.into_body();
    loop {
        match body.frame().await {
            None => break,
            Some(Err(e)) => {
                tracing::debug!(error = %e, "o2g event channel read error");
                break;
            }
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data()
                    && tx.send(Io::ChannelData(id, data)).await.is_err()
                {
                    return;
                }
            }
        }
    }
    let _ = tx.send(Io::ChannelEnd(id)).await;
}
