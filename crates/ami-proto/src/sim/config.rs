//! Simulator settings: accounts, listen address, timing and fault knobs.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use cti_core::Secret;

use super::pbx::{
    ManagerCommand, PjsipAor, PjsipEndpoint, PjsipObject, Queue, SeedBridge, SeedChannel,
};

/// One manager account (a `manager.conf` section).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Account {
    /// The secret (`secret =`), checked in clear (`Secret:`) or through the
    /// MD5 challenge (`Key:`).
    pub secret: Secret<String>,
    /// The event classes the account may read (`read =`): `all` (the
    /// default), or a comma-separated list such as `call,agent,user`.
    /// Events of other classes are never sent to its sessions, whatever
    /// `Events:` the login asks for.
    pub read: String,
}

impl Account {
    /// An account with this secret that may read every event class.
    pub fn new(secret: impl Into<String>) -> Self {
        Self {
            secret: Secret::new(secret.into()),
            read: "all".to_owned(),
        }
    }

    /// Restricts the event classes the account may read (`call,agent`,
    /// `all`, or `none`/empty for no events at all).
    #[must_use]
    pub fn read(mut self, classes: &str) -> Self {
        classes.clone_into(&mut self.read);
        self
    }
}

/// Fault knobs: what the simulator does wrong on purpose.
///
/// Counts are per connection and count AMI messages written (responses and
/// events, list items included), not the banner and not the injected
/// messages themselves. The same settings can be changed while the
/// simulator runs through [`FaultControl`]; a connection reads them before
/// every write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultSettings {
    /// Split every write (banner included) into chunks of this many bytes
    /// (`Some(1)`: one byte per TCP write). `None`: one write per message.
    pub write_chunk: Option<usize>,
    /// Sleep this long before each chunk is written.
    pub write_delay: Option<Duration>,
    /// Close the connection once this many messages were written to it
    /// (`Some(0)`: right after the banner).
    pub drop_after_messages: Option<usize>,
    /// Once this many messages were written, inject one malformed message
    /// (a block with a line that has no colon), then go on normally. Once
    /// per connection.
    pub malformed_after: Option<usize>,
    /// `(n, size)`: once `n` messages were written, inject one event of
    /// `size` bytes (`Event: SimOversized` padded with `Filler:` lines),
    /// then go on normally. Once per connection.
    pub oversized_after: Option<(usize, usize)>,
    /// Fail every login (`Authentication failed`, then close).
    pub refuse_login: bool,
}

impl FaultSettings {
    /// Sets [`FaultSettings::write_chunk`].
    #[must_use]
    pub fn write_chunk(mut self, n: Option<usize>) -> Self {
        self.write_chunk = n;
        self
    }

    /// Sets [`FaultSettings::write_delay`].
    #[must_use]
    pub fn write_delay(mut self, d: Option<Duration>) -> Self {
        self.write_delay = d;
        self
    }

    /// Sets [`FaultSettings::drop_after_messages`].
    #[must_use]
    pub fn drop_after_messages(mut self, n: Option<usize>) -> Self {
        self.drop_after_messages = n;
        self
    }

    /// Sets [`FaultSettings::malformed_after`].
    #[must_use]
    pub fn malformed_after(mut self, n: Option<usize>) -> Self {
        self.malformed_after = n;
        self
    }

    /// Sets [`FaultSettings::oversized_after`].
    #[must_use]
    pub fn oversized_after(mut self, at: Option<(usize, usize)>) -> Self {
        self.oversized_after = at;
        self
    }

    /// Sets [`FaultSettings::refuse_login`].
    #[must_use]
    pub fn refuse_login(mut self, yes: bool) -> Self {
        self.refuse_login = yes;
        self
    }
}

/// The fault knobs of a running simulator, shared with its connections.
///
/// Cheap to clone; every clone controls the same simulator. Changes apply
/// to the next write of every connection (including open ones).
#[derive(Clone, Debug, Default)]
pub struct FaultControl {
    inner: Arc<Mutex<FaultSettings>>,
}

impl FaultControl {
    pub(crate) fn new(settings: FaultSettings) -> Self {
        Self {
            inner: Arc::new(Mutex::new(settings)),
        }
    }

    /// The settings in force.
    pub fn get(&self) -> FaultSettings {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces all settings.
    pub fn set(&self, settings: FaultSettings) {
        *self.inner.lock().unwrap_or_else(PoisonError::into_inner) = settings;
    }

    /// Changes some settings in place.
    pub fn update(&self, f: impl FnOnce(&mut FaultSettings)) {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Turns every fault off.
    pub fn clear(&self) {
        self.set(FaultSettings::default());
    }

    /// Sets [`FaultSettings::write_chunk`].
    pub fn set_write_chunk(&self, n: Option<usize>) {
        self.update(|f| f.write_chunk = n);
    }

    /// Sets [`FaultSettings::write_delay`].
    pub fn set_write_delay(&self, d: Option<Duration>) {
        self.update(|f| f.write_delay = d);
    }

    /// Sets [`FaultSettings::drop_after_messages`].
    pub fn set_drop_after_messages(&self, n: Option<usize>) {
        self.update(|f| f.drop_after_messages = n);
    }

    /// Sets [`FaultSettings::malformed_after`].
    pub fn set_malformed_after(&self, n: Option<usize>) {
        self.update(|f| f.malformed_after = n);
    }

    /// Sets [`FaultSettings::oversized_after`].
    pub fn set_oversized_after(&self, at: Option<(usize, usize)>) {
        self.update(|f| f.oversized_after = at);
    }

    /// Sets [`FaultSettings::refuse_login`].
    pub fn set_refuse_login(&self, yes: bool) {
        self.update(|f| f.refuse_login = yes);
    }
}

/// Pacing of scenarios.
///
/// A scenario without pacing (both zero, the default) takes no time: its
/// events go out back to back, and an action that arrives while it plays
/// is handled after its last event (as if the call had happened at once).
/// With pacing, actions are handled as they come (a `Hangup` can end the
/// call).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScenarioOptions {
    /// Pause between two events of a scenario (default none: the events
    /// go out back to back, in order).
    pub step_delay: Duration,
    /// How long an answered call stays connected before it is released
    /// (default none). During this time the channels show in
    /// `CoreShowChannels`/`Status`, and a `Hangup` action ends the call.
    pub talk_time: Duration,
}

impl ScenarioOptions {
    /// Sets [`ScenarioOptions::step_delay`].
    #[must_use]
    pub fn step_delay(mut self, d: Duration) -> Self {
        self.step_delay = d;
        self
    }

    /// Sets [`ScenarioOptions::talk_time`].
    #[must_use]
    pub fn talk_time(mut self, d: Duration) -> Self {
        self.talk_time = d;
        self
    }
}

/// The words of a CLI command as the simulator looks them up.
pub(crate) fn cli_key(command: &str) -> String {
    command
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the simulated PBX contains and who it is: state, not behaviour.
///
/// Set through [`SimConfig`]'s builder methods ([`SimConfig::challenges`],
/// [`SimConfig::clock_at_start`], [`SimConfig::extensions_conf`] …).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PbxState {
    /// Challenges handed out first (see [`SimConfig::challenges`]).
    pub challenges: Vec<String>,
    /// The wall clock at start (`None`: the system clock).
    pub clock_at_start: Option<Duration>,
    /// Uptime when the simulator starts.
    pub up_before_start: Duration,
    /// `core show version`'s build description.
    pub build: String,
    /// Canned CLI outputs by command words (lower case, single spaces).
    pub cli: BTreeMap<String, Vec<String>>,
    /// `manager show connected`'s file descriptor of the first session.
    pub first_session_fd: u32,
    /// Dialplan contexts in file order.
    pub dialplan: Vec<super::dialplan::Context>,
    /// The AMI version of the banner and `CoreSettings` (`11.0.0`).
    pub ami_version: String,
    /// Channels up at start, in the order lists show them.
    pub channels: Vec<SeedChannel>,
    /// Bridges at start, in the order `BridgeList` shows them.
    pub bridges: Vec<SeedBridge>,
    /// PJSIP endpoints in list order.
    pub pjsip_endpoints: Vec<PjsipEndpoint>,
    /// PJSIP AORs in list order.
    pub pjsip_aors: Vec<PjsipAor>,
    /// PJSIP auths in list order.
    pub pjsip_auths: Vec<PjsipObject>,
    /// PJSIP contacts (`PJSIPShowContacts`) in list order.
    pub pjsip_contacts: Vec<PjsipObject>,
    /// Queues in list order.
    pub queues: Vec<Queue>,
    /// Device states at start, in the order `DeviceStateList` shows them.
    pub device_states: Vec<(String, String)>,
    /// The manager actions `ListCommands` lists (`None`: the simulator's
    /// own).
    pub commands: Option<Vec<ManagerCommand>>,
}

impl Default for PbxState {
    fn default() -> Self {
        Self {
            challenges: Vec::new(),
            clock_at_start: None,
            up_before_start: Duration::ZERO,
            build: "sim @ ami-proto on a x86_64 running Linux on 2026-11-21 11:30:01 UTC"
                .to_owned(),
            cli: BTreeMap::new(),
            first_session_fd: 17,
            dialplan: Vec::new(),
            ami_version: "11.0.0".to_owned(),
            channels: Vec::new(),
            bridges: Vec::new(),
            pjsip_endpoints: Vec::new(),
            pjsip_aors: Vec::new(),
            pjsip_auths: Vec::new(),
            pjsip_contacts: Vec::new(),
            queues: Vec::new(),
            device_states: Vec::new(),
            commands: None,
        }
    }
}

/// Simulator settings.
///
/// The default listens on `127.0.0.1:0` (a free port), knows one account
/// `admin` / `amp111` (the lab account of the recordings) and injects no
/// fault.
///
/// ```
/// use std::time::Duration;
/// use ami_proto::sim::{Account, SimConfig};
///
/// let config = SimConfig::default()
///     .account("monitor", Account::new("s3cret").read("call,agent"))
///     .auth_failure_delay(Duration::ZERO)
///     .write_chunk(Some(1));
/// assert!(format!("{config:?}").contains("monitor"));
/// assert!(!format!("{config:?}").contains("s3cret"));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SimConfig {
    /// Accounts by user name (compared without ASCII case, as Asterisk does).
    pub accounts: BTreeMap<String, Account>,
    /// A connection that has not logged in this long is closed (default
    /// 30 s; `None`: never), as Asterisk's `authtimeout`.
    pub auth_timeout: Option<Duration>,
    /// Connections open at once; more are closed as soon as accepted
    /// (default 1024).
    pub max_connections: usize,
    /// Where to listen (default `127.0.0.1:0`).
    pub listen: SocketAddr,
    /// Allow a `listen` address that is not loopback (default false:
    /// [`start`](super::start) refuses, so a test simulator is never
    /// reachable from the network by accident).
    pub allow_non_loopback: bool,
    /// Wait before answering a failed login (Asterisk sleeps 1 s; default
    /// 1 s, tests set it to zero).
    pub auth_failure_delay: Duration,
    /// Send `Event: SuccessfulAuth` after `FullyBooted` to a session that
    /// logs in with the `security` class on (default true). The lab
    /// recording `a-login-logoff` shows only `FullyBooted`; turn this off
    /// to replay it byte for byte.
    pub successful_auth_event: bool,
    /// Send `NewCallerid` and `NewConnectedLine` when a channel's caller id
    /// or connected line changes (default false; the lab's Asterisk sends
    /// them, its state files turn this on).
    pub caller_id_events: bool,
    /// Send a `Cdr` event when a channel with a call record ends (answered,
    /// or unanswered with a dialled destination, as `cdr.conf` without
    /// `unanswered = yes` does; default false; on in the lab state).
    pub cdr_events: bool,
    /// Send `CEL` events (`CHAN_START`, `ANSWER`, `BRIDGE_ENTER`,
    /// `BRIDGE_EXIT`, `HANGUP`, `CHAN_END`; default false; on in the lab
    /// state).
    pub cel_events: bool,
    /// Caller names of devices (`1002` → `Bruno Petit`); a device without
    /// one shows `<unknown>`, as Asterisk does.
    pub device_names: BTreeMap<String, String>,
    /// Devices that cannot be reached: an `Originate` to one fails
    /// (`Originate failed`, or `OriginateResponse` `Failure` when async).
    pub unavailable_devices: Vec<String>,
    /// Global variables set at start (`Getvar` without `Channel`).
    pub globals: BTreeMap<String, String>,
    /// Pacing of scenarios (also those started by `Originate`).
    pub scenario: ScenarioOptions,
    /// The initial fault knobs.
    pub faults: FaultSettings,
    /// What the PBX contains and who it is: identity, clock, dialplan,
    /// CLI outputs, objects seeded into the model (see [`PbxState`]).
    pub pbx: PbxState,
}

impl Default for SimConfig {
    fn default() -> Self {
        let mut accounts = BTreeMap::new();
        accounts.insert("admin".to_owned(), Account::new("amp111"));
        Self {
            accounts,
            auth_timeout: Some(Duration::from_secs(30)),
            max_connections: 1024,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            allow_non_loopback: false,
            auth_failure_delay: Duration::from_secs(1),
            successful_auth_event: true,
            caller_id_events: false,
            cdr_events: false,
            cel_events: false,
            device_names: BTreeMap::new(),
            unavailable_devices: Vec::new(),
            globals: BTreeMap::new(),
            scenario: ScenarioOptions::default(),
            faults: FaultSettings::default(),
            pbx: PbxState::default(),
        }
    }
}

impl SimConfig {
    /// Adds (or replaces) an account.
    #[must_use]
    pub fn account(mut self, username: impl Into<String>, account: Account) -> Self {
        self.accounts.insert(username.into(), account);
        self
    }

    /// Removes every account (including the default `admin`).
    #[must_use]
    pub fn clear_accounts(mut self) -> Self {
        self.accounts.clear();
        self
    }

    /// Sets how long a connection may stay unauthenticated.
    #[must_use]
    pub fn auth_timeout(mut self, t: Option<Duration>) -> Self {
        self.auth_timeout = t;
        self
    }

    /// Sets how many connections may be open at once.
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }

    /// Sets the listen address.
    #[must_use]
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Allows a non-loopback listen address.
    #[must_use]
    pub fn allow_non_loopback(mut self, yes: bool) -> Self {
        self.allow_non_loopback = yes;
        self
    }

    /// Sets the delay before a failed login is answered.
    #[must_use]
    pub fn auth_failure_delay(mut self, d: Duration) -> Self {
        self.auth_failure_delay = d;
        self
    }

    /// Turns the `SuccessfulAuth` event after login on or off.
    #[must_use]
    pub fn successful_auth_event(mut self, yes: bool) -> Self {
        self.successful_auth_event = yes;
        self
    }

    /// Turns `NewCallerid`/`NewConnectedLine` events on or off.
    #[must_use]
    pub fn caller_id_events(mut self, yes: bool) -> Self {
        self.caller_id_events = yes;
        self
    }

    /// Turns `Cdr` events on or off.
    #[must_use]
    pub fn cdr_events(mut self, yes: bool) -> Self {
        self.cdr_events = yes;
        self
    }

    /// Turns `CEL` events on or off.
    #[must_use]
    pub fn cel_events(mut self, yes: bool) -> Self {
        self.cel_events = yes;
        self
    }

    /// Names a device (its caller id name in events).
    #[must_use]
    pub fn device_name(mut self, device: impl Into<String>, name: impl Into<String>) -> Self {
        self.device_names.insert(device.into(), name.into());
        self
    }

    /// Marks a device unreachable for `Originate`.
    #[must_use]
    pub fn unavailable_device(mut self, device: impl Into<String>) -> Self {
        self.unavailable_devices.push(device.into());
        self
    }

    /// Sets a global variable.
    #[must_use]
    pub fn global(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.globals.insert(name.into(), value.into());
        self
    }

    /// Sets the pacing of scenarios.
    #[must_use]
    pub fn scenario_options(mut self, options: ScenarioOptions) -> Self {
        self.scenario = options;
        self
    }

    /// Sets all fault knobs at once.
    #[must_use]
    pub fn faults(mut self, faults: FaultSettings) -> Self {
        self.faults = faults;
        self
    }

    /// Sets [`FaultSettings::write_chunk`].
    #[must_use]
    pub fn write_chunk(mut self, n: Option<usize>) -> Self {
        self.faults.write_chunk = n;
        self
    }

    /// Sets [`FaultSettings::write_delay`].
    #[must_use]
    pub fn write_delay(mut self, d: Option<Duration>) -> Self {
        self.faults.write_delay = d;
        self
    }

    /// Sets [`FaultSettings::drop_after_messages`].
    #[must_use]
    pub fn drop_after_messages(mut self, n: Option<usize>) -> Self {
        self.faults.drop_after_messages = n;
        self
    }

    /// Sets [`FaultSettings::malformed_after`].
    #[must_use]
    pub fn malformed_after(mut self, n: Option<usize>) -> Self {
        self.faults.malformed_after = n;
        self
    }

    /// Sets [`FaultSettings::oversized_after`].
    #[must_use]
    pub fn oversized_after(mut self, at: Option<(usize, usize)>) -> Self {
        self.faults.oversized_after = at;
        self
    }

    /// Sets [`FaultSettings::refuse_login`].
    #[must_use]
    pub fn refuse_login(mut self, yes: bool) -> Self {
        self.faults.refuse_login = yes;
        self
    }

    /// Challenges to hand out first, in order, one per connection that
    /// asks (Asterisk draws each one at random). Once they are used up,
    /// challenges come from the simulator's deterministic counter again.
    /// A test replaying a recorded MD5 `Key` gives the challenge that key
    /// answers.
    #[must_use]
    pub fn challenges<I, S>(mut self, challenges: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.pbx.challenges = challenges.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the simulator's wall clock at start (time since the Unix
    /// epoch); it then advances in real time. Default: the system clock.
    /// `Ping`'s `Timestamp`, `Uniqueid`s, `CoreStatus` and `manager show
    /// connected` read it.
    #[must_use]
    pub fn clock_at_start(mut self, unix: Duration) -> Self {
        self.pbx.clock_at_start = Some(unix);
        self
    }

    /// How long the PBX had been up (and since its last reload) when the
    /// simulator starts (default zero): `core show uptime`, `FullyBooted`'s
    /// `Uptime`, `CoreStatus`'s startup time.
    #[must_use]
    pub fn up_before_start(mut self, d: Duration) -> Self {
        self.pbx.up_before_start = d;
        self
    }

    /// Sets the AMI version the PBX speaks (default `11.0.0`, Asterisk
    /// 22): the banner `Asterisk Call Manager/<version>` and `CoreSettings`'
    /// `AMIversion`. Before AMI 2 (Asterisk 1.8–11), `FullyBooted` carries
    /// only `Status`, as those versions send it.
    #[must_use]
    pub fn ami_version(mut self, version: impl Into<String>) -> Self {
        self.pbx.ami_version = version.into();
        self
    }

    /// Sets the build description after `Asterisk <version> built by ` in
    /// `core show version` (default `sim @ ami-proto on a x86_64 running
    /// Linux on 2026-11-21 11:30:01 UTC`).
    #[must_use]
    pub fn build_info(mut self, build: impl Into<String>) -> Self {
        self.pbx.build = build.into();
        self
    }

    /// Sets the output of a CLI command that the simulator does not
    /// compute (its output comes from parts of Asterisk it does not model,
    /// e.g. `pjsip show endpoints`); `Command` with these words (compared
    /// without case and extra spaces) answers `Response: Success` and one
    /// `Output:` per line. Commands the simulator computes (`core show
    /// channels`, `dialplan show` …) cannot be overridden.
    #[must_use]
    pub fn cli_output<I, S>(mut self, command: &str, lines: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.pbx.cli.insert(
            cli_key(command),
            lines.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// Sets the file descriptor number `manager show connected` shows for
    /// the first AMI connection (later ones count up; default 17, what the
    /// lab's freshly started Asterisk gave its first manager session).
    #[must_use]
    pub fn first_session_fd(mut self, fd: u32) -> Self {
        self.pbx.first_session_fd = fd;
        self
    }

    /// Loads an `extensions.conf` (its text; `file_name` is how `dialplan
    /// show` cites it): the `[globals]` section sets global variables, the
    /// other sections (but `[general]`) become dialplan contexts. `exten
    /// =>` and `same =>` lines with numbered, `n` and `hint` priorities are
    /// understood; `#include`, templates and pattern matching are not.
    #[must_use]
    pub fn extensions_conf(mut self, file_name: &str, text: &str) -> Self {
        let parsed = super::dialplan::parse_extensions_conf(file_name, text);
        self.globals.extend(parsed.globals);
        self.pbx.dialplan.extend(parsed.contexts);
        self
    }

    /// Adds a channel that is up when the simulator starts (lists show
    /// seeded channels first, in the order added). Channels that
    /// scenarios create are not seeded: they come from the scenarios.
    #[must_use]
    pub fn seed_channel(mut self, channel: SeedChannel) -> Self {
        self.pbx.channels.push(channel);
        self
    }

    /// Adds a bridge that exists when the simulator starts.
    #[must_use]
    pub fn seed_bridge(mut self, bridge: SeedBridge) -> Self {
        self.pbx.bridges.push(bridge);
        self
    }

    /// Adds a PJSIP endpoint (`PJSIPShowEndpoints`, `PJSIPShowEndpoint`).
    #[must_use]
    pub fn pjsip_endpoint(mut self, endpoint: PjsipEndpoint) -> Self {
        self.pbx.pjsip_endpoints.push(endpoint);
        self
    }

    /// Adds a PJSIP AOR (`PJSIPShowAors`, `PJSIPShowRegistrationsInbound`).
    #[must_use]
    pub fn pjsip_aor(mut self, aor: PjsipAor) -> Self {
        self.pbx.pjsip_aors.push(aor);
        self
    }

    /// Adds a PJSIP auth (`PJSIPShowAuths`).
    #[must_use]
    pub fn pjsip_auth(mut self, auth: PjsipObject) -> Self {
        self.pbx.pjsip_auths.push(auth);
        self
    }

    /// Adds a PJSIP contact (`PJSIPShowContacts`).
    #[must_use]
    pub fn pjsip_contact(mut self, contact: PjsipObject) -> Self {
        self.pbx.pjsip_contacts.push(contact);
        self
    }

    /// Adds a queue (`QueueStatus`, `QueueSummary`).
    #[must_use]
    pub fn queue(mut self, queue: Queue) -> Self {
        self.pbx.queues.push(queue);
        self
    }

    /// Sets a device's state at start (`DeviceStateList`, hints).
    #[must_use]
    pub fn device_state(mut self, device: impl Into<String>, state: impl Into<String>) -> Self {
        let device = device.into();
        let state = state.into();
        match self
            .pbx
            .device_states
            .iter_mut()
            .find(|(d, _)| *d == device)
        {
            Some(entry) => entry.1 = state,
            None => self.pbx.device_states.push((device, state)),
        }
        self
    }

    /// Sets the manager actions `ListCommands` lists (the loaded modules'
    /// actions), in order.
    #[must_use]
    pub fn manager_commands(mut self, commands: Vec<ManagerCommand>) -> Self {
        self.pbx.commands = Some(commands);
        self
    }

    /// The account named `username`, ignoring ASCII case.
    pub(crate) fn find_account(&self, username: &str) -> Option<(&str, &Account)> {
        self.accounts
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(username))
            .map(|(n, a)| (n.as_str(), a))
    }
}
