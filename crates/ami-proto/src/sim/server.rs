//! The listener and the state every connection and scenario shares.

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
    model: Mutex<Model>,
    events: broadcast::Sender<Message>,
    shutdown: watch::Sender<bool>,
    challenges: AtomicU64,
    sessions: AtomicU64,
}

impl Shared {
    pub(crate) fn new(config: SimConfig) -> Self {
        let model = Model::new(config.globals.clone(), config.device_names.clone());
        let faults = FaultControl::new(config.faults.clone());
        let (events, _) = broadcast::channel(EVENT_QUEUE);
        let (shutdown, _) = watch::channel(false);
        Self {
            config,
            faults,
            counters: Counters::default(),
            changed: Notify::new(),
            started: Instant::now(),
            started_unix: util::unix_now(),
            model: Mutex::new(model),
            events,
            shutdown,
            challenges: AtomicU64::new(0),
            sessions: AtomicU64::new(0),
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

    /// A fresh 9-digit challenge (deterministic: from a counter).
    pub(crate) fn next_challenge(&self) -> String {
        let n = self.challenges.fetch_add(1, Ordering::Relaxed);
        format!("{}", 100_000_000 + util::mix(n) % 900_000_000)
    }

    /// A fresh session number (for `SessionID`).
    pub(crate) fn next_session(&self) -> u64 {
        self.sessions.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Seconds since the simulator started.
    pub(crate) fn uptime(&self) -> Duration {
        self.started.elapsed()
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
