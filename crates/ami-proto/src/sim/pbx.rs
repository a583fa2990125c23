//! What a simulated PBX contains at start: channels and bridges already
//! up, PJSIP objects, queues, device states, the manager actions it
//! registered. Plain data, set through [`SimConfig`](super::SimConfig)'s
//! builder methods; the simulator's list actions read it.
//!
//! Each type reads from JSON too (serde, field names as in Rust,
//! durations in whole seconds, unknown fields refused), which is how the
//! conformance fixtures' state files describe a recorded PBX.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// A duration written as whole seconds.
fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_secs)
}

/// Ordered `Name: value` pairs, as an object shows in an event.
pub type Headers = Vec<(String, String)>;

/// A channel that is up when the simulator starts (a call placed before
/// it, e.g. by the lab's control session). It lives until a `Hangup`
/// action ends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedChannel {
    /// `Local/510@test-00000007;2`, `PJSIP/1001-00000001`.
    pub name: String,
    /// `Up`, `Ring`, `Ringing` or `Down` (anything else reads as `Up`).
    #[serde(default)]
    pub state: String,
    /// Caller id number (`<unknown>` when not set).
    pub caller_id_num: String,
    /// Caller id name (`<unknown>` when not set).
    pub caller_id_name: String,
    /// Connected line number (`<unknown>` when not set).
    pub connected_line_num: String,
    /// Connected line name (`<unknown>` when not set).
    pub connected_line_name: String,
    /// Dialplan position: context.
    pub context: String,
    /// Dialplan position: extension.
    pub exten: String,
    /// Dialplan position: priority.
    pub priority: u32,
    /// `Uniqueid`.
    pub uniqueid: String,
    /// `Linkedid`.
    pub linkedid: String,
    /// The application running (`Dial`, `Wait`, `Queue`, `AppDial` …).
    pub application: String,
    /// Its argument.
    pub application_data: String,
    /// The bridge it is in (one of the seeded bridges), if any.
    pub bridge: Option<String>,
    /// How long it has existed when the simulator starts.
    #[serde(default, deserialize_with = "seconds")]
    pub age: Duration,
    /// Its media format (`Nativeformats: (slin)`; empty: `ulaw`).
    #[serde(default)]
    pub format: String,
    /// Channel variables in the order `Status` with `AllVariables` lists
    /// them.
    #[serde(default)]
    pub variables: Vec<(String, String)>,
}

/// A bridge that exists when the simulator starts; its members are the
/// seeded channels naming it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedBridge {
    /// `BridgeUniqueid`.
    pub id: String,
    /// `BridgeType` (`basic`).
    #[serde(rename = "type")]
    pub bridge_type: String,
    /// `BridgeTechnology` (`simple_bridge`).
    pub technology: String,
    /// `BridgeCreator` (`<unknown>`).
    pub creator: String,
    /// `BridgeName` (`<unknown>`).
    pub name: String,
    /// `BridgeVideoSourceMode` (`none`).
    pub video_source_mode: String,
}

/// A PJSIP endpoint as the PJSIP list actions show it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PjsipEndpoint {
    /// Its name (`ObjectName`).
    pub name: String,
    /// The headers of its `EndpointList` item (after `ActionID`).
    pub list: Headers,
    /// The items of `PJSIPShowEndpoint` for it, in order: event name
    /// (`EndpointDetail`, `AorDetail`, `AuthDetail` …) and headers (after
    /// `ActionID`).
    pub details: Vec<(String, Headers)>,
}

/// A PJSIP AOR.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PjsipAor {
    /// Its name.
    pub name: String,
    /// The headers of its `AorList` item (after `ActionID`).
    pub list: Headers,
    /// The headers of its `InboundRegistrationDetail` item (after
    /// `ActionID`).
    pub registration: Headers,
}

/// A PJSIP object shown by one list action only (an auth's `AuthList`, a
/// contact's `ContactList`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PjsipObject {
    /// Its name.
    pub name: String,
    /// Its item's headers (after `ActionID`).
    pub headers: Headers,
}

/// A queue (`queues.conf` section) with its statistics.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Queue {
    /// The queue name.
    pub name: String,
    /// `maxlen` (`Max`).
    pub max: u32,
    /// `strategy`.
    pub strategy: String,
    /// Average hold time (s).
    pub hold_time: u64,
    /// Average talk time (s).
    pub talk_time: u64,
    /// Calls completed.
    pub completed: u64,
    /// Calls abandoned.
    pub abandoned: u64,
    /// `servicelevel`.
    pub service_level: u64,
    /// `ServicelevelPerf` as Asterisk prints it (`100.0`).
    pub service_level_perf: String,
    /// `ServicelevelPerf2`.
    pub service_level_perf2: String,
    /// `weight`.
    pub weight: i32,
    /// Members, in the order `QueueStatus` lists them.
    pub members: Vec<QueueMember>,
    /// Callers waiting, in position order.
    #[serde(default)]
    pub callers: Vec<QueueCaller>,
}

/// A queue member.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueMember {
    /// Member name.
    pub name: String,
    /// Interface (`Local/100@test`).
    pub location: String,
    /// Interface whose device state is the member's (empty: `location`).
    #[serde(default)]
    pub state_interface: String,
    /// `static`, `dynamic` or `realtime`.
    pub membership: String,
    /// Penalty.
    pub penalty: i32,
    /// Calls taken.
    pub calls_taken: u64,
    /// Unix time of the last call (0: none).
    pub last_call: u64,
    /// Unix time of the last pause (0: none).
    pub last_pause: u64,
    /// Unix time it was added.
    pub login_time: u64,
    /// Paused.
    #[serde(default)]
    pub paused: bool,
    /// Why paused.
    #[serde(default)]
    pub paused_reason: String,
    /// Wrap-up time (s).
    pub wrapup_time: u32,
}

/// A caller waiting in a queue: one of the seeded channels.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueCaller {
    /// The channel's name.
    pub channel: String,
    /// Its queue priority.
    pub priority: i32,
    /// How long it has waited when the simulator starts.
    #[serde(deserialize_with = "seconds")]
    pub waited: Duration,
}

/// A manager action as `ListCommands` lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManagerCommand {
    /// The action name.
    pub name: String,
    /// Its synopsis, as Asterisk prints it (trailing spaces included).
    pub synopsis: String,
    /// Its privilege (`system,call,all`, or `<none>`).
    pub privilege: String,
}
