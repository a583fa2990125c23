//! The listener, the state every request and channel shares, and the body
//! type of every answer.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use hyper::body::{Body, Frame, SizeHint};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::Instant;

use crate::types::Package;

use super::config::SimConfig;
use super::model::Model;

// ------------------------------------------------------------------ faults

/// The fault knobs in force (see `SimHandle`).
#[derive(Debug, Default)]
pub(crate) struct Faults {
    pub(crate) write_chunk: Option<usize>,
    pub(crate) delay: Option<Duration>,
    pub(crate) fail_next: Option<StatusCode>,
    pub(crate) refuse_next_subscription: Option<String>,
    pub(crate) refuse_logins: bool,
}

// ---------------------------------------------------------------- channels

/// No instruction for the channel.
const STOP_NONE: u8 = 0;
/// End the channel cleanly (final chunk).
const STOP_END: u8 = 1;
/// Abort the channel's connection (no final chunk).
const STOP_ABORT: u8 = 2;

/// What an open event channel shares with the rest of the simulator: a
/// wake-up and a stop instruction. The body reads the instruction too, so
/// an abort reaches the client even when the channel task is gone.
#[derive(Debug, Default)]
pub(crate) struct ChannelCtl {
    /// Woken when an event is queued or a stop is asked.
    pub(crate) wake: Notify,
    /// Woken when a stop is asked.
    pub(crate) stop_wake: Notify,
    stop: AtomicU8,
}

/// A stop instruction for a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// End cleanly.
    End,
    /// Abort the connection.
    Abort,
}

impl ChannelCtl {
    /// Asks the channel to stop (an abort wins over an end) and wakes it.
    pub(crate) fn stop(&self, how: Stop) {
        let v = match how {
            Stop::End => STOP_END,
            Stop::Abort => STOP_ABORT,
        };
        self.stop.fetch_max(v, Ordering::AcqRel);
        self.stop_wake.notify_one();
        self.wake.notify_one();
    }

    /// The stop instruction, if any.
    pub(crate) fn stopped(&self) -> Option<Stop> {
        match self.stop.load(Ordering::Acquire) {
            STOP_NONE => None,
            STOP_END => Some(Stop::End),
            _ => Some(Stop::Abort),
        }
    }

    /// Wakes the channel (an event was queued).
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }
}

// ------------------------------------------------------------------- state

/// Which users a selector covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ids {
    /// Every user.
    All,
    /// These login names.
    Some(Vec<String>),
}

impl Ids {
    fn covers(&self, login: &str) -> bool {
        match self {
            Self::All => true,
            Self::Some(ids) => ids.iter().any(|i| i == login),
        }
    }
}

/// A subscription and the events waiting for its channel.
#[derive(Debug)]
pub(crate) struct Subscription {
    /// The credential of the session that made it.
    pub(crate) credential: String,
    /// The packages and the users each covers.
    pub(crate) selectors: Vec<(Package, Ids)>,
    /// Channel timeout in minutes (0: tied to the session).
    pub(crate) timeout: u32,
    /// Lines waiting for a channel (each ends with `\n`).
    pub(crate) queue: VecDeque<Bytes>,
    /// Lines dropped because the queue was full.
    pub(crate) dropped: u64,
    /// The open channel: its generation and control.
    pub(crate) channel: Option<(u64, Arc<ChannelCtl>)>,
}

impl Subscription {
    /// Whether events of `package` about `login` go to this subscription.
    pub(crate) fn selects(&self, package: &Package, login: &str) -> bool {
        self.selectors
            .iter()
            .any(|(p, ids)| p == package && ids.covers(login))
    }

    /// The users this subscription selects for `package`, in `users` order.
    pub(crate) fn selected<'a>(&self, package: &Package, users: &'a [String]) -> Vec<&'a str> {
        users
            .iter()
            .filter(|u| self.selects(package, u))
            .map(String::as_str)
            .collect()
    }

    fn push(&mut self, line: Bytes, cap: usize) {
        while self.queue.len() >= cap.max(1) {
            self.queue.pop_front();
            self.dropped += 1;
        }
        self.queue.push_back(line);
        if let Some((_, ctl)) = &self.channel {
            ctl.wake();
        }
    }

    /// Ends the open channel, if any.
    pub(crate) fn stop_channel(&mut self, how: Stop) {
        if let Some((_, ctl)) = self.channel.take() {
            ctl.stop(how);
        }
    }
}

/// An open session.
#[derive(Debug)]
pub(crate) struct SessionData {
    /// Unix ms of its creation.
    pub(crate) created_ms: i64,
    /// Its subscription, if any.
    pub(crate) subscription: Option<String>,
}

/// A credential handed out by `authenticate`, and the session opened with
/// it.
#[derive(Debug)]
pub(crate) struct Credential {
    pub(crate) login: String,
    pub(crate) admin: bool,
    /// The last request or keep-alive.
    pub(crate) last_seen: Instant,
    pub(crate) session: Option<SessionData>,
}

/// Everything behind the state lock.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) credentials: HashMap<String, Credential>,
    pub(crate) subscriptions: HashMap<String, Subscription>,
    /// Deleted subscriptions whose open channel still writes what was
    /// queued before the deletion, then ends cleanly.
    pub(crate) draining: HashMap<String, Subscription>,
    pub(crate) model: Model,
    credential_counter: u64,
    subscription_counter: u64,
    channel_counter: u64,
}

impl State {
    /// A fresh credential number.
    pub(crate) fn next_credential(&mut self) -> u64 {
        self.credential_counter += 1;
        self.credential_counter
    }

    /// A fresh subscription number.
    pub(crate) fn next_subscription(&mut self) -> u64 {
        self.subscription_counter += 1;
        self.subscription_counter
    }

    /// A fresh channel generation.
    pub(crate) fn next_channel(&mut self) -> u64 {
        self.channel_counter += 1;
        self.channel_counter
    }

    /// Removes a subscription, ending its channel `how`; unlinks it from
    /// its session.
    pub(crate) fn remove_subscription(&mut self, id: &str, how: Stop) -> bool {
        let Some(mut sub) = self.subscriptions.remove(id) else {
            return false;
        };
        sub.stop_channel(how);
        let session = self
            .credentials
            .get_mut(&sub.credential)
            .and_then(|c| c.session.as_mut());
        if let Some(session) = session.filter(|s| s.subscription.as_deref() == Some(id)) {
            session.subscription = None;
        }
        true
    }

    /// `DELETE /subscriptions/{id}`: like [`State::remove_subscription`]
    /// with a clean end, except that an open channel first writes the
    /// events queued before the deletion (nothing produced before it is
    /// lost).
    pub(crate) fn delete_subscription(&mut self, id: &str) -> bool {
        let drain = self
            .subscriptions
            .get(id)
            .is_some_and(|s| s.channel.is_some() && !s.queue.is_empty());
        if !drain {
            return self.remove_subscription(id, Stop::End);
        }
        let Some(sub) = self.subscriptions.remove(id) else {
            return false;
        };
        let session = self
            .credentials
            .get_mut(&sub.credential)
            .and_then(|c| c.session.as_mut());
        if let Some(session) = session.filter(|s| s.subscription.as_deref() == Some(id)) {
            session.subscription = None;
        }
        if let Some((_, ctl)) = &sub.channel {
            ctl.wake();
        }
        self.draining.insert(id.to_owned(), sub);
        true
    }

    /// Removes a credential, its session and its subscription (the channel
    /// ends `how`).
    pub(crate) fn remove_credential(&mut self, credential: &str, how: Stop) {
        let sub = self
            .credentials
            .remove(credential)
            .and_then(|c| c.session)
            .and_then(|s| s.subscription);
        if let Some(mut s) = sub.and_then(|id| self.subscriptions.remove(&id)) {
            s.stop_channel(how);
        }
    }

    /// Queues an event line for every subscription that selects it.
    pub(crate) fn dispatch(&mut self, package: &Package, login: &str, line: &Bytes, cap: usize) {
        for sub in self.subscriptions.values_mut() {
            if sub.selects(package, login) {
                sub.push(line.clone(), cap);
            }
        }
    }
}

/// Everything requests, channels and the handle share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: SimConfig,
    /// `http://127.0.0.1:PORT`.
    pub(crate) internal_base: String,
    /// `http://<public host>:PORT`.
    pub(crate) public_base: String,
    /// Unix ms at start.
    pub(crate) start_unix_ms: i64,
    /// Monotonic start.
    pub(crate) started: Instant,
    pub(crate) requests: AtomicU64,
    state: Mutex<State>,
    faults: Mutex<Faults>,
    shutdown: watch::Sender<bool>,
}

impl Shared {
    pub(crate) fn new(config: SimConfig, port: u16) -> Self {
        let internal_base = format!("http://127.0.0.1:{port}");
        let public_base = match &config.public_host {
            Some(host) => format!("http://{host}:{port}"),
            None => internal_base.clone(),
        };
        let model = Model::new(&config);
        let (shutdown, _) = watch::channel(false);
        Self {
            start_unix_ms: config
                .start_time_unix_ms
                .unwrap_or_else(super::util::wall_clock_ms),
            started: Instant::now(),
            internal_base,
            public_base,
            requests: AtomicU64::new(0),
            state: Mutex::new(State {
                credentials: HashMap::new(),
                subscriptions: HashMap::new(),
                draining: HashMap::new(),
                model,
                credential_counter: 0,
                subscription_counter: 0,
                channel_counter: 0,
            }),
            faults: Mutex::new(Faults::default()),
            shutdown,
            config,
        }
    }

    /// The state, locked. Never held across an `.await`.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state with expired sessions removed first.
    pub(crate) fn state_swept(&self) -> MutexGuard<'_, State> {
        let mut st = self.state();
        self.sweep(&mut st, Instant::now());
        st
    }

    /// The fault knobs, locked.
    pub(crate) fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How long a session lives without a request.
    pub(crate) fn session_life(&self) -> Duration {
        Duration::from_secs(self.config.time_to_live) + self.config.keep_alive_grace
    }

    /// Removes the credentials (and sessions, subscriptions) not seen for
    /// longer than the session life; their channels are aborted.
    pub(crate) fn sweep(&self, st: &mut State, now: Instant) {
        let life = self.session_life();
        let expired: Vec<String> = st
            .credentials
            .iter()
            .filter(|(_, c)| now.saturating_duration_since(c.last_seen) > life)
            .map(|(k, _)| k.clone())
            .collect();
        for cred in expired {
            tracing::debug!("sim: session expired");
            st.remove_credential(&cred, Stop::Abort);
        }
    }

    /// The Unix ms of a monotonic instant.
    pub(crate) fn unix_ms(&self, at: Instant) -> i64 {
        let since = at.saturating_duration_since(self.started);
        self.start_unix_ms
            .saturating_add(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
    }

    pub(crate) fn shutdown_rx(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    pub(crate) fn stop(&self) {
        self.shutdown.send_replace(true);
        let mut st = self.state();
        for sub in st.subscriptions.values_mut() {
            sub.stop_channel(Stop::Abort);
        }
    }
}

// -------------------------------------------------------------------- body

/// The body of every answer: a whole buffer, or an event channel fed by
/// its task.
#[derive(Debug)]
pub(crate) enum SimBody {
    /// A complete body (possibly empty).
    Full(Option<Bytes>),
    /// An event channel.
    Channel {
        rx: mpsc::Receiver<Bytes>,
        ctl: Arc<ChannelCtl>,
        failed: bool,
    },
}

impl SimBody {
    pub(crate) fn empty() -> Self {
        Self::Full(None)
    }

    pub(crate) fn full(b: impl Into<Bytes>) -> Self {
        let b = b.into();
        if b.is_empty() {
            Self::Full(None)
        } else {
            Self::Full(Some(b))
        }
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            Self::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            Self::Channel { rx, ctl, failed } => {
                if *failed {
                    return Poll::Ready(None);
                }
                if ctl.stopped() == Some(Stop::Abort) {
                    *failed = true;
                    return Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "event channel aborted by the simulator",
                    ))));
                }
                match rx.poll_recv(cx) {
                    Poll::Ready(Some(b)) => Poll::Ready(Some(Ok(Frame::data(b)))),
                    Poll::Ready(None) if ctl.stopped() == Some(Stop::Abort) => {
                        *failed = true;
                        Poll::Ready(Some(Err(io::Error::new(
                            io::ErrorKind::ConnectionAborted,
                            "event channel aborted by the simulator",
                        ))))
                    }
                    Poll::Ready(None) => Poll::Ready(None),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Self::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Full(None) => SizeHint::with_exact(0),
            Self::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            Self::Channel { .. } => SizeHint::default(),
        }
    }
}

// ---------------------------------------------------------------- listener

/// Accepts connections until shutdown.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown_rx();
    let open = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    loop {
        if *shutdown.borrow() {
            break;
        }
        tokio::select! {
            _ = shutdown.changed() => break,
            r = listener.accept() => match r {
                Ok((stream, _peer)) => {
                    use std::sync::atomic::Ordering;
                    if open.load(Ordering::Relaxed) >= shared.config.max_connections {
                        tracing::debug!("sim: connection limit reached, closed");
                        drop(stream);
                        continue;
                    }
                    open.fetch_add(1, Ordering::Relaxed);
                    let open = Arc::clone(&open);
                    let shared = Arc::clone(&shared);
                    tokio::spawn(async move {
                        serve_connection(shared, stream).await;
                        open.fetch_sub(1, Ordering::Relaxed);
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sim: accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
        }
    }
}

/// Serves one HTTP/1.1 connection until it closes or the simulator stops.
async fn serve_connection(shared: Arc<Shared>, stream: TcpStream) {
    let mut shutdown = shared.shutdown_rx();
    let svc_shared = Arc::clone(&shared);
    let service = hyper::service::service_fn(move |req| {
        let shared = Arc::clone(&svc_shared);
        async move { Ok::<_, Infallible>(super::http::handle(shared, req).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(shared.config.idle_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        r = conn => {
            if let Err(e) = r {
                tracing::debug!(error = %e, "sim: connection ended with an error");
            }
        }
        _ = shutdown.wait_for(|s| *s) => {}
    }
}
