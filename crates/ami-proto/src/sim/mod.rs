#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // IO is the point of the simulator
//! An AMI server simulator for tests and demos (feature `sim`).
//!
//! [`start`] binds a TCP listener (loopback only unless
//! [`SimConfig::allow_non_loopback`] is set) and serves every connection
//! the way Asterisk 22.10.1 does in the lab recordings
//! (`fixtures/ami/recordings`): same banner, same response shapes and
//! texts, `ActionID` second, unsolicited events with `Privilege:` second,
//! event lists shaped as Asterisk shapes them. Behind it sits a small PBX
//! model (channels, bridges, device states, global variables) that
//! [`Scenario`]s drive and that `CoreShowChannels`, `Status`, `Getvar` and
//! `core show channels` read.
//!
//! Actions are decoded with [`Decoder::server`](crate::codec::Decoder::server),
//! so LF-only input works; action names ignore case.
//!
//! # What it answers
//!
//! | action | answer |
//! |---|---|
//! | any but `Login`/`Challenge`/`Logoff` before login | `Response: Error`, `Message: Permission denied` |
//! | block without `Action:` | `Message: Missing action in request` |
//! | unknown action `X` | `Message: Invalid/unknown command: X. Use Action: ListCommands to show available commands.` |
//! | `Challenge` (`AuthType: MD5`) | `Challenge: <digits>`: the next of [`SimConfig::challenges`], else 9 digits from a counter; the same for the whole connection |
//! | `Login` | plain `Secret` or `AuthType: MD5` + `Key` = hex md5(challenge + secret); `Authentication accepted`, then `FullyBooted` and `SuccessfulAuth` when the session's events allow `system`/`security`; wrong credentials: wait [`SimConfig::auth_failure_delay`], `Authentication failed`, close |
//! | `Logoff` | `Response: Goodbye`, `Message: Thanks for all the fish.`, close |
//! | `Ping` | `Ping: Pong`, `Timestamp: <secs.micros>` |
//! | `Events` | `Events: On`/`Off` (`EventMask` as Asterisk reads it) |
//! | `Command` | `Message: Command output follows`, one `Output:` per line: `core show version` ([`SimConfig::build_info`]), `core show channels` (from the model), `core show uptime` ([`SimConfig::up_before_start`]), `manager show connected` (the open sessions), `dialplan show [exten@][context]` ([`SimConfig::extensions_conf`]), commands given a fixed output ([`SimConfig::cli_output`]); anything else `Response: Error` with Asterisk's `No such command …` line |
//! | `Getvar` / `Setvar` | global, or on a `Channel` (a few functions: `CHANNEL(name)`, `CALLERID(num)` …); `Value: ` when unset; `No variable specified`, `No such channel`; a channel `Setvar` sends `VarSet` |
//! | `CoreShowChannels` / `Status` | event lists as recorded (`EventList: start`, items with the ActionID — last line for `Status` —, `…Complete` with `ListItems`, plus `Items` for `StatusComplete`) |
//! | `UserEvent` | `Message: Event Sent`, then `Event: UserEvent` (`UserEvent: <name>`, then every other header of the action but `Action`, in order — `ActionID` included, as Asterisk 22 does) to every session |
//! | `Originate` | see below; `Channel not specified`, `Invalid channel` |
//! | `Hangup` | `Channel Hungup` (the call is torn down); `No channel specified`, `No such channel` |
//! | `CoreSettings` / `CoreStatus` | Asterisk 22.10.1's fields |
//! | `CoreShowChannelMap` | the channels connected to one, through bridges and across local channel pairs (`;1` ↔ `;2`) |
//! | `BridgeList` | `BridgeListItem` per bridge, `BridgeNumChannels` counted |
//! | `PJSIPShowEndpoints` / `PJSIPShowEndpoint` / `PJSIPShowAors` / `PJSIPShowAuths` / `PJSIPShowContacts` / `PJSIPShowRegistrationsInbound` | the seeded PJSIP objects (`SimConfig::pjsip_*`) as `EndpointList`, the endpoint's detail items, `AorList`, `AuthList`, `ContactList`, `InboundRegistrationDetail`; an empty list is `Response: Error` whose `Message` ends in a bare LF (`No Contacts found\n` as recorded; the other texts are Asterisk's but not recorded) |
//! | `QueueStatus` / `QueueSummary` | `QueueParams`, `QueueMember`, `QueueEntry` / `QueueSummary` items with the ActionID last; callers, member status (from device states), `LoggedIn`/`Available` computed |
//! | `DeviceStateList` | `DeviceStateChange` items of every known device state |
//! | `ExtensionStateList` / `ExtensionState` | the dialplan's hints, their devices' states aggregated as `ast_devstate_aggregate` does |
//! | `ShowDialPlan` | `ListDialplan` items, `ShowDialPlanComplete` with `ListExtensions`/`ListPriorities`/`ListContexts` |
//! | `Agents` / `ParkedCalls` | empty lists (`ParkedCallsComplete` adds `Total: 0`); `ConfbridgeListRooms`: `No active conferences.` |
//! | `ListCommands` | one `Name: synopsis  (Priv: …)` line per action: [`SimConfig::manager_commands`], else the simulator's own |
//!
//! # Originate
//!
//! `Originate` of `Channel: <Tech>/<device>` (anything after `@`, `/` or
//! `,` in the resource is ignored) with `Exten: <number>` plays
//! [`Scenario::BasicCall`] from `<device>` to `<number>`: `Channel:
//! PJSIP/1001` + `Exten: 1002` is the basic call 1001 → 1002 (`Local/1001@ctx`
//! too). With `Async: true` the answer is `Message: Originate successfully
//! queued` at once, and after the scenario's last event comes `Event:
//! OriginateResponse` with the Originate's `ActionID`, `Response: Success`,
//! `Reason: 4`, the originating channel and its `Uniqueid`. Without
//! `Async`, the same answer comes once the originating channel is answered
//! (and no `OriginateResponse`). A device listed in
//! [`SimConfig::unavailable_devices`], or whose device state is
//! `UNAVAILABLE`/`INVALID` ([`SimConfig::device_state`]), fails: `Originate failed`, or an
//! `OriginateResponse` with `Response: Failure`, `Reason: 0`.
//!
//! # Events
//!
//! Every logged-in session whose event mask and account allow an event's
//! class receives it (`Events: off` at login or through the `Events`
//! action silences a session). Scenarios can also be started from the test
//! side with [`SimHandle::run_scenario`], and any event can be pushed with
//! [`SimHandle::publish`].
//!
//! # PBX state
//!
//! What the simulated PBX contains and who it is — its build string, wall
//! clock and uptime, dialplan and globals (from an `extensions.conf`), CLI
//! outputs it does not compute, channels and bridges already up at start
//! ([`SeedChannel`], [`SeedBridge`]), PJSIP objects, queues, device states,
//! registered actions — is data in [`PbxState`], set through
//! [`SimConfig`]'s builder methods; the behaviour above reads it. Seeded
//! channels only seed the model: channels created later come from
//! scenarios.
//!
//! # Fault knobs
//!
//! [`FaultSettings`] (initially [`SimConfig::faults`], at run time through
//! [`SimHandle::faults`]): split writes into chunks, delay them, drop the
//! connection after N messages, inject a malformed message or an oversized
//! event after N messages, refuse every login.
//!
//! # Simplified compared with Asterisk
//!
//! - Only the actions above; channels are `PJSIP/<device>` phones in
//!   context `from-internal`; no `NewConnectedLine`, `NewCallerid`, `Cdr`,
//!   `CEL`, `LocalBridge` or `QueueMemberStatus` events.
//! - `OriginateResponse` comes after the whole scenario (Asterisk sends it
//!   as soon as the originated channel answers), so a test can wait for it
//!   as "the call is over".
//! - `Originate` of an `Application` (without `Exten`) is not modelled: it
//!   fails like an unavailable device. `Context`/`Priority` are echoed but
//!   not checked against a dialplan.
//! - A `Hangup` action on a channel of a running scenario ends the whole
//!   call at the scenario's next step: `SoftHangupRequest` for that channel,
//!   `BridgeLeave`/`BridgeDestroy` for its bridge, then `Hangup` (with the
//!   action's `Cause`, default 16) and `DeviceStateChange` for each channel.
//! - `FullyBooted`/`SuccessfulAuth` go to the session that logged in only.
//! - Channel order in lists is creation order; times (`Duration`,
//!   `Seconds`, `HoldTime`) come from the wall clock.
//!
//! # Example
//!
//! ```
//! use ami_proto::sim::{self, SimConfig};
//! use tokio::io::AsyncReadExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let sim = sim::start(SimConfig::default()).await?;
//! let mut tcp = tokio::net::TcpStream::connect(sim.addr()).await?;
//! let mut banner = [0u8; 30];
//! tcp.read_exact(&mut banner).await?;
//! assert_eq!(&banner, b"Asterisk Call Manager/11.0.0\r\n");
//! assert_eq!(sim.stats().connections, 1);
//! sim.shutdown();
//! # Ok(())
//! # }
//! ```

mod config;
mod conn;
mod dialplan;
mod engine;
mod lists;
mod model;
mod pbx;
mod scenario;
mod server;
mod util;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::Message;

pub use config::{Account, FaultControl, FaultSettings, PbxState, ScenarioOptions, SimConfig};
pub use dialplan::{Context, Extension, Priority};
pub use pbx::{
    Headers, ManagerCommand, PjsipAor, PjsipEndpoint, PjsipObject, Queue, QueueCaller, QueueMember,
    SeedBridge, SeedChannel,
};
pub use scenario::{Scenario, ScenarioError};

use scenario::Run;
use server::Shared;

/// Starts a simulator; it runs until [`SimHandle::shutdown`] or until the
/// handle is dropped.
///
/// Fails if the address cannot be bound, or (`PermissionDenied`) if it is
/// not a loopback address and [`SimConfig::allow_non_loopback`] is not set.
/// Must be called within a tokio runtime.
pub async fn start(config: SimConfig) -> io::Result<SimHandle> {
    if !config.listen.ip().is_loopback() && !config.allow_non_loopback {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "the AMI simulator listens on loopback only; {} needs SimConfig::allow_non_loopback",
                config.listen
            ),
        ));
    }
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::new(config));
    let task = tokio::spawn(server::accept_loop(listener, Arc::clone(&shared)));
    tracing::debug!(%addr, "sim: listening");
    Ok(SimHandle { shared, addr, task })
}

/// Counters of a running simulator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SimStats {
    /// Connections accepted since start.
    pub connections: u64,
    /// Connections open now.
    pub active_connections: usize,
    /// Successful logins.
    pub logins: u64,
    /// Failed logins (wrong credentials or `refuse_login`).
    pub failed_logins: u64,
}

/// A running simulator. Dropping it stops the simulator (the listener
/// closes and every connection is closed).
#[derive(Debug)]
pub struct SimHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl SimHandle {
    /// The address it listens on (with the port chosen by the system when
    /// the configured port was 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes every connection and stops the scenarios
    /// in progress. Idempotent.
    pub fn shutdown(&self) {
        self.shared.stop();
        self.task.abort();
    }

    /// The fault knobs, changeable while it runs.
    pub fn faults(&self) -> &FaultControl {
        &self.shared.faults
    }

    /// The counters.
    pub fn stats(&self) -> SimStats {
        let c = &self.shared.counters;
        SimStats {
            connections: c.connections.load(Ordering::Relaxed),
            active_connections: c.active.load(Ordering::Relaxed),
            logins: c.logins.load(Ordering::Relaxed),
            failed_logins: c.failed_logins.load(Ordering::Relaxed),
        }
    }

    /// Resolves `true` once a session has logged in (its answer and
    /// login events written; at once if one already has), `false` if the
    /// simulator stops first. For starting a scenario after a client's
    /// login.
    pub fn logged_in(&self) -> impl Future<Output = bool> + Send + 'static {
        self.shared.wait_login()
    }

    /// Plays a scenario with the configured pacing; resolves when its
    /// last event is sent, with every event it sent, in order.
    pub fn run_scenario(
        &self,
        scenario: Scenario,
    ) -> impl Future<Output = Result<Vec<Message>, ScenarioError>> + Send + 'static {
        self.run_scenario_with(scenario, self.shared.config.scenario)
    }

    /// Plays a scenario with this pacing (see [`SimHandle::run_scenario`]).
    pub fn run_scenario_with(
        &self,
        scenario: Scenario,
        options: ScenarioOptions,
    ) -> impl Future<Output = Result<Vec<Message>, ScenarioError>> + Send + 'static {
        let shared = Arc::clone(&self.shared);
        async move {
            scenario.validate()?;
            Ok(Run::new(shared, options).execute(&scenario).await.emitted)
        }
    }

    /// Sends an event to every logged-in session whose event mask and
    /// account allow its class (taken from its `Privilege:` header; an
    /// event without one goes to every session with events on).
    pub fn publish(&self, event: Message) {
        let _guard = self.shared.model();
        self.shared.publish(event);
    }

    /// The names of the live channels, in creation order.
    pub fn channels(&self) -> Vec<String> {
        self.shared
            .model()
            .channels
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}
