//! The task that owns the socket and the session.

use std::collections::HashMap;
use std::time::Instant;

use cti_client::events;
use cti_core::LinkEvent;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_rustls::TlsConnector;

use super::config::ClientConfig;
use super::error::{Error, Kind};
use super::{ClientEvent, Command};
use crate::ActionId;
use crate::session::{Completed, DriverCommand, Session, SessionEvent};

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The one place the client reads the clock.
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Builds the TLS connector once, so that bad CA data fails `connect`.
pub(super) fn tls_connector(config: &ClientConfig) -> Result<Option<TlsConnector>, Error> {
    let Some(tls) = &config.tls else {
        return Ok(None);
    };
    let cfg = cti_client::client_config(&tls.roots).map_err(|e| match e {
        cti_client::TlsError::Setup(_) => Error::with(Kind::Tls, e),
        other => Error::new(Kind::Config(other.to_string())),
    })?;
    Ok(Some(TlsConnector::from(cfg)))
}

pub(super) struct Driver {
    config: ClientConfig,
    tls: Option<TlsConnector>,
    requests: mpsc::Receiver<Command>,
    requests_open: bool,
    events: events::Gate<ClientEvent>,
    ready: Option<oneshot::Sender<Result<String, Error>>>,
    waiters: HashMap<ActionId, oneshot::Sender<Result<Completed, Error>>>,
    logoff_waiters: Vec<oneshot::Sender<()>>,
    abandoned: bool,
}

impl Driver {
    pub(super) fn new(
        config: ClientConfig,
        tls: Option<TlsConnector>,
        requests: mpsc::Receiver<Command>,
        events: events::Sender<ClientEvent>,
        ready: oneshot::Sender<Result<String, Error>>,
    ) -> Self {
        let events = events::Gate::new(events, config.stall_limit);
        Self {
            config,
            tls,
            requests,
            requests_open: true,
            events,
            ready: Some(ready),
            waiters: HashMap::new(),
            logoff_waiters: Vec::new(),
            abandoned: false,
        }
    }

    async fn open(&self) -> Result<Box<dyn Io>, Error> {
        let addr = self.config.addr.clone();
        let connect = async {
            let tcp = TcpStream::connect(&addr)
                .await
                .map_err(|e| Error::with(Kind::Io, e))?;
            tcp.set_nodelay(true).ok();
            let Some(tls) = &self.tls else {
                return Ok(Box::new(tcp) as Box<dyn Io>);
            };
            let host = match self.config.tls.as_ref().and_then(|t| t.server_name.clone()) {
                Some(h) => h,
                None => addr
                    .rsplit_once(':')
                    .map_or(addr.as_str(), |(h, _)| h)
                    .trim_matches(['[', ']'])
                    .to_owned(),
            };
            let name = rustls_pki_types::ServerName::try_from(host)
                .map_err(|e| Error::with(Kind::Config("invalid TLS server name".into()), e))?;
            let stream = tls
                .connect(name, tcp)
                .await
                .map_err(|e| Error::with(Kind::Tls, e))?;
            Ok(Box::new(stream) as Box<dyn Io>)
        };
        match tokio::time::timeout(self.config.connect_timeout, connect).await {
            Ok(r) => r,
            Err(_) => Err(Error::new(Kind::Timeout)),
        }
    }

    /// Queues an event, or holds it while the consumer is behind (the
    /// driver then stops reading until there is room or the stall limit
    /// passes).
    fn emit(&mut self, ev: ClientEvent) {
        self.events.push(ev, now);
    }

    /// Queues a link event; never dropped.
    fn emit_link(&self, link: LinkEvent) {
        self.events.sender().send_link(link);
    }

    pub(super) async fn run(mut self) {
        let mut session = Session::new(self.config.session.clone(), now());
        let mut transport: Option<Box<dyn Io>> = None;
        // Read straight into the session's buffer, 64 KiB at a time.
        const READ: usize = 64 * 1024;
        loop {
            while let Some(cmd) = session.poll_command() {
                match cmd {
                    DriverCommand::Connect => match self.open().await {
                        Ok(t) => {
                            tracing::debug!("connected");
                            transport = Some(t);
                            session.handle_connected(now());
                        }
                        Err(e) => {
                            tracing::debug!(error = %e, "connect failed");
                            if let Some(ready) = self.ready.take() {
                                let _ = ready.send(Err(e));
                                return;
                            }
                            session.handle_connect_failed(now());
                        }
                    },
                    DriverCommand::Disconnect => transport = None,
                }
            }
            while let Some(bytes) = session.poll_transmit() {
                let Some(t) = transport.as_mut() else { break };
                let written = async {
                    t.write_all(&bytes).await?;
                    t.flush().await
                };
                if written.await.is_err() {
                    transport = None;
                    session.handle_disconnected(now());
                }
            }
            // While an event is held for a consumer that fell behind, the
            // rest stays in the session (at most one read's worth) and the
            // socket is not read.
            while !self.events.is_holding() {
                let Some(ev) = session.poll_event() else {
                    break;
                };
                self.dispatch(ev);
            }
            // A closed session still hands over what it holds (its last
            // events and `Closed`) before the driver stops.
            if (session.is_closed() && !self.events.is_holding()) || self.abandoned {
                break;
            }
            // One wake-up of the consumer per batch of events.
            self.events.flush();
            let deadline = session.poll_timeout();
            let holding = self.events.is_holding();
            tokio::select! {
                () = self.events.room(), if holding => {
                    self.events.retry(now());
                }
                () = sleep_until(self.events.deadline()), if holding => {
                    tracing::debug!("event consumer stalled; dropping what does not fit");
                    self.events.retry(now());
                }
                read = read_some(&mut transport, session.read_buffer(READ)), if !holding => match read {
                    Ok(0) | Err(_) => {
                        tracing::debug!("connection ended");
                        transport = None;
                        session.handle_disconnected(now());
                    }
                    Ok(_) => session.handle_buffered(now()),
                },
                req = self.requests.recv(), if self.requests_open => match req {
                    Some(Command::Action { msg, list, reply }) => {
                        let sent = if list { session.send_list(&msg, now()) } else { session.send_action(&msg, now()) };
                        match sent {
                            Ok(id) => {
                                self.waiters.insert(id, reply);
                            }
                            Err(e) => {
                                let _ = reply.send(Err(Error::from_submit(e)));
                            }
                        }
                    }
                    Some(Command::Close { reply }) => {
                        self.logoff_waiters.push(reply);
                        session.close(now());
                    }
                    None => {
                        // Every Client handle is gone: log off.
                        self.requests_open = false;
                        session.close(now());
                    }
                },
                () = sleep_until(deadline) => session.handle_timeout(now()),
            }
        }
        // Closed before anyone is told, so that `is_closed` holds once
        // `close` returns.
        self.requests.close();
        for (_, w) in self.waiters.drain() {
            let _ = w.send(Err(Error::new(Kind::Closed)));
        }
        for w in self.logoff_waiters.drain(..) {
            let _ = w.send(());
        }
    }

    fn dispatch(&mut self, ev: SessionEvent) {
        match ev {
            SessionEvent::Completed { id, outcome } => {
                if let Some(w) = self.waiters.remove(&id) {
                    let _ = w.send(outcome.map_err(Error::from_action));
                }
            }
            SessionEvent::Connected { banner } => {
                tracing::debug!(%banner, "logged in");
                if let Some(ready) = self.ready.take() {
                    self.emit_link(LinkEvent::Connected);
                    let _ = ready.send(Ok(banner));
                }
            }
            SessionEvent::Stalled { what } => {
                tracing::warn!(what, "the AMI server stayed silent");
                if let Some(ready) = self.ready.take() {
                    // The first connection: `connect` fails with a timeout
                    // and this driver stops.
                    let _ = ready.send(Err(Error::with(
                        Kind::Timeout,
                        std::io::Error::new(std::io::ErrorKind::TimedOut, what),
                    )));
                    self.abandoned = true;
                }
            }
            SessionEvent::LoginFailed { message } => {
                if let Some(ready) = self.ready.take() {
                    let _ = ready.send(Err(Error::new(Kind::Login(message))));
                }
            }
            SessionEvent::Reconnecting { attempt, delay } => {
                if let Some(ready) = self.ready.take() {
                    // The first connection broke before login: `connect`
                    // fails and this driver stops.
                    let _ = ready.send(Err(Error::new(Kind::Closed)));
                    self.abandoned = true;
                    return;
                }
                self.emit_link(LinkEvent::Reconnecting { attempt, delay });
            }
            SessionEvent::Reconnected { gap } => self.emit_link(LinkEvent::Reconnected { gap }),
            SessionEvent::Event(m) => self.emit(ClientEvent::Event(m)),
            SessionEvent::UnmatchedResponse(m) => self.emit(ClientEvent::UnmatchedResponse(m)),
            SessionEvent::DecodeError(e) => {
                tracing::warn!(error = %e, "dropped a message");
                self.emit(ClientEvent::DecodeError(e));
            }
            SessionEvent::Closed { reason } => {
                if let Some(ready) = self.ready.take() {
                    let _ = ready.send(Err(Error::new(Kind::Closed)));
                }
                self.emit_link(LinkEvent::Closed { reason });
            }
        }
    }
}

async fn read_some(
    transport: &mut Option<Box<dyn Io>>,
    buf: &mut bytes::BytesMut,
) -> std::io::Result<usize> {
    match transport {
        Some(t) => t.read_buf(buf).await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
        None => std::future::pending().await,
    }
}
