#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // IO is the point of the simulator
//! An O2G server simulator for tests and demos (feature `sim`).
//!
//! [`start`] binds a plain-HTTP listener on loopback and answers the
//! bootstrap, authentication, session, user, subscription and telephony
//! requests of the O2G reference the way an O2G 2.7 server does, with the
//! event channel on the same listener. Behind it sits a PBX model (users
//! with one device each; calls with one party per user, each with its own
//! call reference and all sharing the call's `callUUID`) that produces the
//! telephony events of §7: a make call 1001 → 1002 answered by 1002 and
//! released by 1001 gives exactly the lines of §7(a), a blind transfer of
//! that call to 1003 answered by 1003 those of §7(b).
//!
//! # What it answers
//!
//! | request | answer |
//! |---|---|
//! | `GET /api/rest` (other verbs 405) | discovery: `versions[0]` = `1.0 CURRENT`, `publicUrl`/`internalUrl` = `{base}/api/rest/authenticate?version=1.0` |
//! | `GET /api/rest/authenticate?version=1.0` + `Authorization: Basic` | `{credential, publicUrl, internalUrl}` (the sessions URL) and `Set-Cookie: AlcUserId=<credential>; Path=/`; bad or missing credentials: 401 with `WWW-Authenticate: Basic` |
//! | anything under `/api/rest/1.0/` without the cookie of a live credential | 401; with a credential but no session yet, everything but `POST /sessions` is 401 too |
//! | `POST /sessions` `{applicationName, supervisedAccount?}` | `SessionInfo` (an administrator with `supervisedAccount` gets a user session for that user; a user asking for it: 403) |
//! | `GET /sessions` / `DELETE /sessions` / `POST /sessions/keepalive` | `SessionInfo` / 204 (the credential, the session, its subscription and channel end) / 204 |
//! | `GET /logins[?nodeIds=1;2]` | `{"loginNames":[…]}`: every user for an administrator, itself for a user |
//! | `GET /users/{login}`, `GET /users?companyPhone=` | `User`; a user session reading another user: 403; unknown: 404 |
//! | `GET /eventsummary` | the user's counters |
//! | `POST /subscriptions` | `{subscriptionId, publicPollingUrl, privatePollingUrl, status: ACCEPTED, mode: CHUNK, format: JSON}`; polling URLs `{base}/OTEvents?subscriptionId=<id>`; a user session naming another user in `ids`: 403; webhook mode: `status: REFUSED` |
//! | `DELETE /subscriptions/{id}` | 204, its channel ends cleanly; unknown (or another session's, for a user): 404 |
//! | `GET`/`POST /OTEvents?subscriptionId=<id>` (no cookie) | 200, chunked: `Chunk started`, then one event per line; unknown id (deleted, expired): 404 |
//! | `/telephony/…` | see below |
//!
//! Every authenticated request and keep-alive resets the session's timer;
//! `timeToLive` seconds (+ [`SimConfig::keep_alive_grace`]) after the last
//! one the session is gone: 401 on requests, its subscription is removed
//! and its open channel is aborted (re-polling then gets 404).
//!
//! # Subscriptions and the channel
//!
//! One subscription per session: a new one replaces (deletes) the old.
//! Selectors: `ids` absent, empty or `["*"]` = every user for an
//! administrator, itself for a user. Events about a user go to every
//! subscription selecting that user for the event's package (`telephony`
//! or `eventSummary`); they wait in the subscription's bounded queue
//! ([`SimConfig::event_queue`], oldest dropped first) until a channel reads
//! them, so events produced while no channel is open are delivered by the
//! next poll. A new poll of the same subscription ends the previous channel
//! cleanly. The channel writes `keepalive` lines every
//! [`SimConfig::channel_keepalive`] when the subscription's `timeout` is 0,
//! and otherwise ends cleanly after `timeout` × [`SimConfig::channel_minute`]
//! without an event. Optionally the first channel starts with the users'
//! state ([`SimConfig::initial_state`], [`SimConfig::initial_event_summary`]):
//! one `OnDeviceStateModified` and one `OnUserStateModified` per selected
//! user right after `Chunk started`. The O2G reference supports the
//! default, [`InitialState::UserSessions`]: its user-session bootstrap
//! (§7(c)) shows that state, as the real capture does, while its
//! administrator-session sequences (§7(a), §7(b)) start with the call right
//! after `Chunk started`. [`InitialState::Always`] gives administrator
//! sessions the state too (for applications, like ALE's SDK samples, that
//! build their picture from it); [`InitialState::Never`] gives it to none.
//!
//! # Telephony
//!
//! An administrator names the user with `?loginName=`, or, without it, by
//! the `deviceId` of the request body (ALE's O2G SDKs send `answer`, `hold`
//! … with the device only); 400 when neither names a user. A user session
//! acts as itself (403 if it names someone else).
//!
//! A phone rings for [`SimConfig::ring_no_answer`] (30 s by default); a
//! call whose callee still rings then is cleared by the PBX: every party
//! gets `OnCallRemoved` with cause `NOT_ANSWERED`. So a call left ringing by
//! an application that went away does not keep the caller's device busy
//! (409 on every later make call) for ever.
//!
//! | request | effect |
//! |---|---|
//! | `POST /telephony/calls` (204), `POST /telephony/basicCall` (201) `{deviceId, callee, autoAnswer}` | make call (§7(a) lines 2–5); the callee is a user's device or company number, else 400 `INVALID_DESTINATION`; `autoAnswer` is accepted either way (the caller's device always goes DIALING → RINGING_OUTGOING, as in §7(a)) |
//! | `POST /telephony/calls/{ref}/answer` `{deviceId}`, `POST /telephony/basicCall/answer` | answer (§7(a) lines 6–8) |
//! | `DELETE /telephony/calls/{ref}`, `POST …/dropme`, `POST /telephony/basicCall/dropme` | release: the releasing user's call is removed (device capabilities of the idle device); the others get RELEASING then removed (empty device capabilities), as §7(a) lines 9–13 — or `ABANDONED` if their phone was still ringing; a ringing callee that releases (rejects) gives the caller `BUSY`; with [`SimConfig::release_cause`] an answered call's removals carry `CLEARED` |
//! | `POST …/hold`, `…/retrieve` `{deviceId}` | the leg (and call state) becomes HELD / ACTIVE; the other parties get an `OnCallModified` with the holder in `modifiedParticipants` (`state` HELD / ACTIVE) |
//! | `POST …/blindtransfer` `{transferTo, anonymous}` | §7(b) lines 1–4; [`SimConfig::transfer_mode`] chooses whether the remaining party keeps its call reference |
//! | `POST …/transfer` `{heldCallRef}` | supervised transfer: both calls of the transferring user are removed (`TRANSFERRED`), the two others are connected in the held call |
//! | `POST …/merge` `{heldCallRef}` | conference: the held call's other party joins the active call (`CONFERENCED`) |
//! | `POST …/redirect` `{redirectTo, anonymous}` | a ringing call goes to another user (`REDIRECTED`, `newDestination`, `lastRedirecting`) |
//! | `POST …/sendDtmf` `{deviceId, number}` | 204 on an active call, no event |
//! | `GET /telephony/calls`, `GET /telephony/calls/{ref}`, `GET /telephony/state`, `GET /telephony/devices[/{id}]` | the user's calls, one call, `TelephonicState`, `{"deviceStates":[…]}` |
//! | `POST /telephony/state/snapshot` | 204, then `OnTelephonyState` on the channel |
//!
//! Refusals carry an `ErrorBody` with `telephony.errorType`/`errorCause`:
//! unknown call reference 404 `CALL_REFERENCE_NOT_FOUND`/`INVALID_CALL_ID`;
//! wrong state 409 `INCOMPATIBLE_WITH_STATE`/`INVALID_CONNECTION_STATE`;
//! bad destination or device 400 `BAD_PARAMETER_VALUE`. Other services
//! listed in `services[]` (routing, directory, …) answer 404.
//!
//! # Fault knobs
//!
//! On [`SimHandle`], taking effect on the next request or write: split
//! channel writes into chunks ([`SimHandle::set_write_chunk`]), delay every
//! answer and channel line ([`SimHandle::set_delay`]), end every channel
//! cleanly now ([`SimHandle::end_channels`]) or abort their connections
//! ([`SimHandle::abort_channels`]), answer the next request with a status
//! ([`SimHandle::fail_next_request`]), expire sessions
//! ([`SimHandle::expire_sessions`]), refuse the next subscription
//! ([`SimHandle::refuse_next_subscription`]), refuse logins
//! ([`SimHandle::set_refuse_logins`]).
//!
//! # Example
//!
//! ```
//! use o2g_api::sim::{self, SimConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let sim = sim::start(SimConfig::default()).await?;
//! assert!(sim.base_url().starts_with("http://127.0.0.1:"));
//! sim.shutdown();
//! # Ok(())
//! # }
//! ```

mod channel;
mod config;
mod http;
mod model;
mod server;
mod telephony;
mod util;
mod wire;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ::http::StatusCode;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use config::{
    EventSummaryCounters, IdSettings, InitialState, SimAdmin, SimConfig, SimUser, TransferMode,
    default_services,
};

use server::{Shared, Stop};

/// Starts a simulator; it runs until [`SimHandle::shutdown`] or until the
/// handle is dropped. Must be called within a tokio runtime.
///
/// Fails if the address cannot be bound, or (`PermissionDenied`) if
/// [`SimConfig::listen`] is not a loopback address.
pub async fn start(config: SimConfig) -> io::Result<SimHandle> {
    if !config.listen.ip().is_loopback() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "the O2G simulator listens on loopback only, not {}",
                config.listen
            ),
        ));
    }
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::new(config, addr.port()));
    let task = tokio::spawn(server::accept_loop(listener, Arc::clone(&shared)));
    tracing::debug!(%addr, "o2g sim: listening");
    Ok(SimHandle { shared, addr, task })
}

/// Counters of a running simulator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SimStats {
    /// HTTP requests received (event-channel polls included).
    pub requests: u64,
    /// Credentials handed out and still alive.
    pub credentials: usize,
    /// Open sessions.
    pub sessions: usize,
    /// Live subscriptions.
    pub subscriptions: usize,
    /// Event channels open now.
    pub open_channels: usize,
    /// Events waiting in subscription queues.
    pub queued_events: usize,
    /// Events dropped because a subscription's queue was full.
    pub dropped_events: u64,
}

/// A running simulator. Dropping it stops the simulator.
#[derive(Debug)]
pub struct SimHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl SimHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: prefix of the internal URLs, and of the
    /// bootstrap URL `{base}/api/rest`.
    pub fn base_url(&self) -> String {
        self.shared.internal_base.clone()
    }

    /// The prefix of the public URLs (the same as [`SimHandle::base_url`]
    /// unless [`SimConfig::public_host`] is set).
    pub fn public_base_url(&self) -> String {
        self.shared.public_base.clone()
    }

    /// The settings it runs with.
    pub fn config(&self) -> &SimConfig {
        &self.shared.config
    }

    /// The users (from the settings).
    pub fn users(&self) -> &[SimUser] {
        &self.shared.config.users
    }

    /// Stops accepting, aborts every channel and closes every connection.
    /// Idempotent.
    pub fn shutdown(&self) {
        self.shared.stop();
        self.task.abort();
    }

    /// The counters.
    pub fn stats(&self) -> SimStats {
        let st = self.shared.state();
        SimStats {
            requests: self.shared.requests.load(Ordering::Relaxed),
            credentials: st.credentials.len(),
            sessions: st
                .credentials
                .values()
                .filter(|c| c.session.is_some())
                .count(),
            subscriptions: st.subscriptions.len(),
            open_channels: st
                .subscriptions
                .values()
                .filter(|s| s.channel.is_some())
                .count(),
            queued_events: st.subscriptions.values().map(|s| s.queue.len()).sum(),
            dropped_events: st.subscriptions.values().map(|s| s.dropped).sum(),
        }
    }

    // ------------------------------------------------------------ knobs

    /// Splits every event-channel write into pieces of at most `n` bytes
    /// (each its own HTTP chunk); `None`: one chunk per line.
    pub fn set_write_chunk(&self, n: Option<usize>) {
        self.shared.faults().write_chunk = n;
    }

    /// Delays every answer and every channel line by `d`; `None`: no delay.
    pub fn set_delay(&self, d: Option<Duration>) {
        self.shared.faults().delay = d;
    }

    /// Ends every open event channel cleanly now (final chunk). Nothing
    /// queued is lost: the next poll delivers it.
    pub fn end_channels(&self) {
        self.stop_channels(Stop::End);
    }

    /// Aborts the connection of every open event channel now (no final
    /// chunk: the client sees a broken body).
    pub fn abort_channels(&self) {
        self.stop_channels(Stop::Abort);
    }

    fn stop_channels(&self, how: Stop) {
        let mut st = self.shared.state();
        for sub in st.subscriptions.values_mut() {
            sub.stop_channel(how);
        }
    }

    /// Answers the next request (whatever it is, event-channel polls
    /// included) with this status and an `ErrorBody`, once. 401 comes with
    /// `WWW-Authenticate`.
    pub fn fail_next_request(&self, status: StatusCode) {
        self.shared.faults().fail_next = Some(status);
    }

    /// Expires the sessions (and credentials) of `login` now, as if their
    /// time to live had passed: later requests get 401, subscriptions are
    /// removed, open channels are aborted. Returns how many were expired.
    pub fn expire_sessions(&self, login: &str) -> usize {
        self.expire_where(|l| l == login)
    }

    /// Expires every session now (see [`SimHandle::expire_sessions`]).
    pub fn expire_all_sessions(&self) -> usize {
        self.expire_where(|_| true)
    }

    fn expire_where(&self, f: impl Fn(&str) -> bool) -> usize {
        let mut st = self.shared.state();
        let victims: Vec<String> = st
            .credentials
            .iter()
            .filter(|(_, c)| f(&c.login))
            .map(|(k, _)| k.clone())
            .collect();
        for v in &victims {
            st.remove_credential(v, Stop::Abort);
        }
        victims.len()
    }

    /// Refuses the next subscription: `status` `REFUSED` with this
    /// `message`, once.
    pub fn refuse_next_subscription(&self, message: impl Into<String>) {
        self.shared.faults().refuse_next_subscription = Some(message.into());
    }

    /// Refuses (401) every authentication while set.
    pub fn set_refuse_logins(&self, yes: bool) {
        self.shared.faults().refuse_logins = yes;
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}
