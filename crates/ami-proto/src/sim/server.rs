//! The listener and the state every connection and scenario shares.

use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::{Notify, broadcast, watch};

use crate::Message;

use super::config::{FaultControl, SimConfig};
use super::conn;
use super::model::Model;
use super::util;

/// How many events a slow connection may fall behind before it misses
/// some (it is then told nothing, like a real Asterisk that drops events
/// for a session that does not read).
const EVENT_QUEUE: usize = 4096;

/// Counters of a running simulator.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) connections: AtomicU64,
    pub(crate) active: AtomicUsize,
    pub(crate) logins: AtomicU64,
    pub(crate) failed_logins: AtomicU64,
}

/// One manager session, as `manager show connected` lists it.
#[derive(Clone, Debug)]
pub(crate) struct SessionInfo {
    /// The session number.
    pub(crate) id: u64,
    /// The account (empty before login).
    pub(crate) user: String,
    /// The peer's address.
    pub(crate) ip: String,
    /// When it connected, by the simulator's clock.
    pub(crate) start: Duration,
    /// Its simulated file descriptor.
    pub(crate) fd: u64,
    /// The account's read permission as Asterisk's bit mask.
    pub(crate) read_perms: i64,
}

/// Everything connections and scenarios share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: SimConfig,
    pub(crate) faults: FaultControl,
    pub(crate) counters: Counters,
    /// Woken when a channel is marked for hangup.
    pub(crate) changed: Notify,
    /// When the simulator started (monotonic and wall clock).
    pub(crate) started: Instant,
    pub(crate) started_unix: Duration,
    /// The manager sessions open now (`manager show connected`).
    pub(crate) sessions_open: Mutex<Vec<SessionInfo>>,
    model: Mutex<Model>,
    events: broadcast::Sender<Message>,
    shutdown: watch::Sender<bool>,
    challenges: AtomicU64,
    sessions: AtomicU64,
    /// Logins completed (response and login events written).
    logins_done: watch::Sender<u64>,
    /// Unpaced scenarios playing now (see [`Shared::settled`]).
    instant_runs: watch::Sender<usize>,
}

impl Shared {
    pub(crate) fn new(config: SimConfig) -> Self {
        let started = Instant::now();
        let started_unix = config.pbx.clock_at_start.unwrap_or_else(util::unix_now);
        let clock = util::Clock::new(started, started_unix);
        let model = Model::new(
            config.globals.clone(),
            config.device_names.clone(),
            clock,
            &config.pbx,
        );
        let faults = FaultControl::new(config.faults.clone());
        let (events, _) = broadcast::channel(EVENT_QUEUE);
        let (shutdown, _) = watch::channel(false);
        Self {
            config,
            faults,
            counters: Counters::default(),
            changed: Notify::new(),
            started,
            started_unix,
            sessions_open: Mutex::new(Vec::new()),
            model: Mutex::new(model),
            events,
            shutdown,
            challenges: AtomicU64::new(0),
            sessions: AtomicU64::new(0),
            logins_done: watch::channel(0).0,
            instant_runs: watch::channel(0).0,
        }
    }

    /// The model, locked. Never held across an `.await`.
    pub(crate) fn model(&self) -> MutexGuard<'_, Model> {
        self.model.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends an event to every connection (each filters it by login,
    /// event mask and read permission).
    pub(crate) fn publish(&self, event: Message) {
        // No receiver (no connection) is fine.
        let _ = self.events.send(event);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Message> {
        self.events.subscribe()
    }

    pub(crate) fn shutdown_rx(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        *self.shutdown.borrow()
    }

    pub(crate) fn stop(&self) {
        self.shutdown.send_replace(true);
        self.changed.notify_waiters();
    }

    /// A fresh challenge: the next configured one, else 9 digits from a
    /// counter (deterministic).
    pub(crate) fn next_challenge(&self) -> String {
        let n = self.challenges.fetch_add(1, Ordering::Relaxed);
        let given = &self.config.pbx.challenges;
        match usize::try_from(n).ok().and_then(|i| given.get(i)) {
            Some(c) => c.clone(),
            None => {
                let n = n - given.len() as u64;
                format!("{}", 100_000_000 + util::mix(n) % 900_000_000)
            }
        }
    }

    /// An unpaced scenario starts (it takes no time: actions wait for its
    /// end, see [`Shared::settled`]).
    pub(crate) fn instant_begin(&self) {
        self.instant_runs.send_modify(|n| *n += 1);
    }

    /// An unpaced scenario ended.
    pub(crate) fn instant_end(&self) {
        self.instant_runs.send_modify(|n| *n = n.saturating_sub(1));
    }

    /// Resolves when no unpaced scenario is playing (or at shutdown): a
    /// scenario without pacing is instantaneous, so an action that arrives
    /// while one plays is handled after its last event.
    pub(crate) async fn settled(&self) {
        let mut runs = self.instant_runs.subscribe();
        let mut shutdown = self.shutdown_rx();
        while *runs.borrow_and_update() > 0 && !*shutdown.borrow_and_update() {
            tokio::select! {
                r = runs.changed() => if r.is_err() { return },
                r = shutdown.changed() => if r.is_err() { return },
            }
        }
    }

    /// Marks a login as complete (its answer and events are written).
    pub(crate) fn login_done(&self) {
        self.logins_done.send_modify(|n| *n += 1);
    }

    /// Resolves true once a login has completed, false if the simulator
    /// stops first.
    pub(crate) fn wait_login(&self) -> impl Future<Output = bool> + Send + 'static {
        let mut logins = self.logins_done.subscribe();
        let mut shutdown = self.shutdown_rx();
        async move {
            loop {
                if *logins.borrow_and_update() > 0 {
                    return true;
                }
                if *shutdown.borrow_and_update() {
                    return false;
                }
                tokio::select! {
                    r = logins.changed() => if r.is_err() { return false },
                    r = shutdown.changed() => if r.is_err() { return false },
                }
            }
        }
    }

    /// The simulator's wall clock (time since the Unix epoch).
    pub(crate) fn now(&self) -> Duration {
        self.started_unix + self.started.elapsed()
    }

    /// When the PBX booted (and last reloaded), by its wall clock.
    pub(crate) fn booted_unix(&self) -> Duration {
        self.started_unix
            .saturating_sub(self.config.pbx.up_before_start)
    }

    /// The manager sessions open now, locked.
    pub(crate) fn sessions(&self) -> MutexGuard<'_, Vec<SessionInfo>> {
        self.sessions_open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh session number (for `SessionID`).
    pub(crate) fn next_session(&self) -> u64 {
        self.sessions.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// How long the PBX has been up (and since its last reload).
    pub(crate) fn uptime(&self) -> Duration {
        self.started.elapsed() + self.config.pbx.up_before_start
    }
}

/// Accepts connections until shutdown.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown_rx();
    loop {
        if *shutdown.borrow() {
            break;
        }
        tokio::select! {
            _ = shutdown.changed() => break,
            r = listener.accept() => match r {
                Ok((stream, peer)) => {
                    if shared.counters.active.load(Ordering::Relaxed) >= shared.config.max_connections {
                        tracing::debug!(%peer, "sim: connection limit reached, closed");
                        drop(stream);
                        continue;
                    }
                    shared.counters.connections.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(%peer, "sim: connection accepted");
                    tokio::spawn(conn::serve(Arc::clone(&shared), stream, peer));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sim: accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
        }
    }
}
