//! Simulator settings: accounts, URLs, services, timing, identifiers and
//! the behaviours the spec leaves open.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use cti_core::Secret;

use crate::types::ServiceInfo;

/// One OXE user: an O2G login with one device.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SimUser {
    /// The O2G login name, e.g. `oxe1001`.
    pub login: String,
    /// The password checked by `authenticate`.
    pub password: Secret<String>,
    /// First name (`firstName` of the user and of party identities).
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// The device number (`deviceId`, also the user's phone number in
    /// party identities and the number callers dial).
    pub device: String,
    /// `companyPhone` of the user (usually the device number).
    pub company_phone: String,
    /// The OXE node (`nodeId`, a string on the wire).
    pub node_id: String,
    /// The device `type` in the user's `devices[]`: `DESKPHONE`,
    /// `SOFTPHONE`, `DECT` or `MOBILE`.
    pub device_type: String,
    /// The counters of the user's `OnEventSummaryUpdated` and
    /// `GET /eventsummary`.
    pub event_summary: EventSummaryCounters,
}

impl SimUser {
    /// A user whose device number and company phone are `device`, on node
    /// `1`, with a `DESKPHONE` and no waiting events.
    pub fn new(
        login: impl Into<String>,
        password: impl Into<String>,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        device: impl Into<String>,
    ) -> Self {
        let device = device.into();
        Self {
            login: login.into(),
            password: Secret::new(password.into()),
            first_name: first_name.into(),
            last_name: last_name.into(),
            company_phone: device.clone(),
            device,
            node_id: "1".to_owned(),
            device_type: "DESKPHONE".to_owned(),
            event_summary: EventSummaryCounters::default(),
        }
    }

    /// Sets [`SimUser::node_id`].
    #[must_use]
    pub fn node(mut self, node_id: impl Into<String>) -> Self {
        self.node_id = node_id.into();
        self
    }

    /// Sets [`SimUser::company_phone`].
    #[must_use]
    pub fn company_phone(mut self, phone: impl Into<String>) -> Self {
        self.company_phone = phone.into();
        self
    }

    /// Sets [`SimUser::event_summary`].
    #[must_use]
    pub fn event_summary(mut self, counters: EventSummaryCounters) -> Self {
        self.event_summary = counters;
        self
    }
}

/// The counters of an event summary (O2G reference, §3.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventSummaryCounters {
    /// `missedCallsNb`.
    pub missed_calls: u32,
    /// `voiceMessagesNb`.
    pub voice_messages: u32,
    /// `callBackRequestsNb`.
    pub callback_requests: u32,
    /// `faxNb`.
    pub faxes: u32,
    /// `newTextNb`.
    pub new_texts: u32,
    /// `oldTextNb`.
    pub old_texts: u32,
}

impl EventSummaryCounters {
    /// Counters with this many missed calls and voice messages.
    pub fn new(missed_calls: u32, voice_messages: u32) -> Self {
        Self {
            missed_calls,
            voice_messages,
            ..Self::default()
        }
    }

    /// `eventWaiting`: something is waiting (missed calls, voice messages,
    /// callback requests, faxes or new texts).
    pub fn event_waiting(&self) -> bool {
        self.missed_calls
            + self.voice_messages
            + self.callback_requests
            + self.faxes
            + self.new_texts
            > 0
    }
}

/// An administrator account: its sessions are `admin: true`, see every
/// user and must name the user (`?loginName=`) on per-user operations.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SimAdmin {
    /// The login name.
    pub login: String,
    /// The password.
    pub password: Secret<String>,
}

impl SimAdmin {
    /// An administrator account.
    pub fn new(login: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            login: login.into(),
            password: Secret::new(password.into()),
        }
    }
}

/// What a blind or supervised transfer does to the call reference of the
/// party that stays (O2G reference, §7(b)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransferMode {
    /// The remaining party keeps its call reference (§7(b) as written):
    /// `OnCallModified` with `cause: TRANSFERRED` on the same `callRef`.
    #[default]
    SameCallRef,
    /// The remaining party gets a new call reference (\[INF\]): one
    /// `OnCallModified` with the new `callRef` and `previousCallRef` = the
    /// old one, and no `OnCallRemoved` for the old reference.
    NewCallRef,
}

/// When the channel pushes the monitored users' state right after
/// `Chunk started` (O2G reference, §7(c) lines 2–3): one
/// `OnDeviceStateModified` and one `OnUserStateModified` per user selected
/// for `telephony`. Only on the first channel of a subscription, never on a
/// re-poll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum InitialState {
    /// Never.
    Never,
    /// For subscriptions of user sessions only (§7(c) is a user session;
    /// the admin-session sequences of §7(a)/(b) start with the call). The
    /// default: both fixtures hold with it.
    #[default]
    UserSessions,
    /// For every subscription.
    Always,
}

/// How the simulator allocates identifiers. Everything is derived from
/// counters, so two runs with the same requests give the same ids.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct IdSettings {
    /// The first call reference (`7c41a0e200010100`).
    pub call_ref_base: u64,
    /// Added for every new call reference (`0x10000`: the first three
    /// references are `7c41a0e200010100`, `7c41a0e200020100`,
    /// `7c41a0e200030100`).
    pub call_ref_step: u64,
    /// `callUUID` = this prefix + a three-digit counter starting at 1
    /// (`5d0b7f2a-1c3e-4e7b-9a10-20250115a001` for the first call).
    pub call_uuid_prefix: String,
}

impl Default for IdSettings {
    fn default() -> Self {
        Self {
            call_ref_base: 0x7c41_a0e2_0001_0100,
            call_ref_step: 0x1_0000,
            call_uuid_prefix: "5d0b7f2a-1c3e-4e7b-9a10-20250115a".to_owned(),
        }
    }
}

/// Simulator settings. `Default` gives the three users of the O2G reference
/// §7 (oxe1001 Alice Martin 1001, oxe1002 Bruno Petit 1002, oxe1003 Chloé
/// Roux 1003, password `1234`, node 1) and one administrator `admin` /
/// `admin`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SimConfig {
    /// The address to listen on; loopback only (`127.0.0.1:0` by default:
    /// a free port).
    pub listen: SocketAddr,
    /// A connection that does not send a complete request head this long
    /// after it opens (or after its last answer) is closed (default 30 s).
    pub idle_timeout: Duration,
    /// Connections open at once; more are closed as soon as accepted
    /// (default 1024).
    pub max_connections: usize,
    /// The users.
    pub users: Vec<SimUser>,
    /// The administrator accounts.
    pub admins: Vec<SimAdmin>,
    /// `timeToLive` of sessions, in seconds (1800).
    pub time_to_live: u64,
    /// Extra time after `time_to_live` before a session really expires
    /// (absorbs clients that ping at 100 % of the TTL; 0 by default).
    pub keep_alive_grace: Duration,
    /// The host of the public URLs (`publicUrl`, `publicBaseUrl`,
    /// `publicPollingUrl`), with the simulator's port; `None`: the same as
    /// the internal URLs (`127.0.0.1`). `Some("localhost")` makes them
    /// differ while staying reachable.
    pub public_host: Option<String>,
    /// The services advertised in `SessionInfo.services` (default: the list
    /// of the O2G reference, §7(c) plus `PbxManagement` → `/pbxs`).
    pub services: Vec<ServiceInfo>,
    /// When to push the initial device and user state after `Chunk
    /// started`.
    pub initial_state: InitialState,
    /// Push an `OnEventSummaryUpdated` per selected user after `Chunk
    /// started` (and after the initial state) when the subscription selects
    /// `eventSummary` (\[ASSUME\]; on by default, first channel only).
    pub initial_event_summary: bool,
    /// Interval of the `keepalive` channel-information lines on channels
    /// whose subscription `timeout` is 0 (30 s).
    pub channel_keepalive: Duration,
    /// The length of one "minute" of the subscription `timeout`: a channel
    /// ends cleanly after `timeout × channel_minute` without an event
    /// (60 s; shorten it in tests).
    pub channel_minute: Duration,
    /// Events kept per subscription while no channel reads them; beyond
    /// that the oldest are dropped (1000).
    pub event_queue: usize,
    /// Identifier allocation.
    pub ids: IdSettings,
    /// What a transfer does to the remaining party's call reference.
    pub transfer_mode: TransferMode,
    /// Add `"cause":"CLEARED"` to the `OnCallRemoved` of both parties when
    /// an answered two-party call is released (§7(a) lines 9 and 12 have no
    /// cause, as in the real capture; off by default).
    pub release_cause: bool,
    /// Unix time (milliseconds) of the simulator's start, for
    /// `creationDate`/`expirationDate`; `None`: the wall clock.
    pub start_time_unix_ms: Option<i64>,
    /// How long a phone rings before the PBX gives up (\[ASSUME\]: an
    /// OXE's no-answer timer; 30 s by default): a call whose callee still
    /// rings then is cleared, every party getting `OnCallRemoved` with
    /// cause `NOT_ANSWERED`. Without it, a call left ringing (its session
    /// ended, nobody answers or releases it) would keep the caller's device
    /// busy, and every later make call from it would get 409. `None`: rings
    /// for ever.
    pub ring_no_answer: Option<Duration>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            idle_timeout: Duration::from_secs(30),
            max_connections: 1024,
            users: vec![
                SimUser::new("oxe1001", "1234", "Alice", "Martin", "1001"),
                SimUser::new("oxe1002", "1234", "Bruno", "Petit", "1002"),
                SimUser::new("oxe1003", "1234", "Chloé", "Roux", "1003"),
            ],
            admins: vec![SimAdmin::new("admin", "admin")],
            time_to_live: 1800,
            keep_alive_grace: Duration::ZERO,
            public_host: None,
            services: default_services(),
            initial_state: InitialState::default(),
            initial_event_summary: true,
            channel_keepalive: Duration::from_secs(30),
            channel_minute: Duration::from_secs(60),
            event_queue: 1000,
            ids: IdSettings::default(),
            transfer_mode: TransferMode::default(),
            release_cause: false,
            start_time_unix_ms: None,
            ring_no_answer: Some(Duration::from_secs(30)),
        }
    }
}

/// The services of the O2G reference, §7(c) plus `PbxManagement` → `/pbxs`.
pub fn default_services() -> Vec<ServiceInfo> {
    [
        ("Logins", "/logins"),
        ("Users", "/users"),
        ("Subscriptions", "/subscriptions"),
        ("BasicTelephony", "/telephony/basicCall"),
        ("Telephony", "/telephony/calls"),
        ("Routing", "/routing"),
        ("EventSummary", "/eventsummary"),
        ("Directory", "/directory"),
        ("Comlog", "/comlog/records"),
        ("Voicemail", "/messaging/mailboxes"),
        ("Maintenance", "/system"),
        ("PbxManagement", "/pbxs"),
    ]
    .into_iter()
    .map(|(name, url)| ServiceInfo::new(name, url))
    .collect()
}

impl SimConfig {
    /// Replaces the users.
    #[must_use]
    pub fn users(mut self, users: Vec<SimUser>) -> Self {
        self.users = users;
        self
    }

    /// Sets how long a connection may stay without a request.
    #[must_use]
    pub fn idle_timeout(mut self, t: Duration) -> Self {
        self.idle_timeout = t;
        self
    }

    /// Sets how many connections may be open at once.
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }

    /// Adds an administrator account.
    #[must_use]
    pub fn admin(mut self, login: impl Into<String>, password: impl Into<String>) -> Self {
        self.admins.push(SimAdmin::new(login, password));
        self
    }

    /// Sets [`SimConfig::listen`].
    #[must_use]
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Sets [`SimConfig::time_to_live`] (seconds).
    #[must_use]
    pub fn time_to_live(mut self, seconds: u64) -> Self {
        self.time_to_live = seconds;
        self
    }

    /// Sets [`SimConfig::keep_alive_grace`].
    #[must_use]
    pub fn keep_alive_grace(mut self, grace: Duration) -> Self {
        self.keep_alive_grace = grace;
        self
    }

    /// Sets [`SimConfig::public_host`].
    #[must_use]
    pub fn public_host(mut self, host: impl Into<String>) -> Self {
        self.public_host = Some(host.into());
        self
    }

    /// Sets [`SimConfig::initial_state`].
    #[must_use]
    pub fn initial_state(mut self, when: InitialState) -> Self {
        self.initial_state = when;
        self
    }

    /// Sets [`SimConfig::initial_event_summary`].
    #[must_use]
    pub fn initial_event_summary(mut self, yes: bool) -> Self {
        self.initial_event_summary = yes;
        self
    }

    /// Sets [`SimConfig::channel_keepalive`].
    #[must_use]
    pub fn channel_keepalive(mut self, every: Duration) -> Self {
        self.channel_keepalive = every;
        self
    }

    /// Sets [`SimConfig::channel_minute`].
    #[must_use]
    pub fn channel_minute(mut self, minute: Duration) -> Self {
        self.channel_minute = minute;
        self
    }

    /// Sets [`SimConfig::transfer_mode`].
    #[must_use]
    pub fn transfer_mode(mut self, mode: TransferMode) -> Self {
        self.transfer_mode = mode;
        self
    }

    /// Sets [`SimConfig::ring_no_answer`].
    #[must_use]
    pub fn ring_no_answer(mut self, after: Option<Duration>) -> Self {
        self.ring_no_answer = after;
        self
    }

    /// Sets [`SimConfig::release_cause`].
    #[must_use]
    pub fn release_cause(mut self, yes: bool) -> Self {
        self.release_cause = yes;
        self
    }
}
