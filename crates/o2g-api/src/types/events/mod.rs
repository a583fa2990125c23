//! Events of the event channel (O2G reference, §2.3, §3).
//!
//! Each line of the channel is a flat JSON object: `eventName` (the event's
//! name, e.g. `OnCallCreated`) and the payload fields at the top level.
//! [`Event`] has one variant per event of the catalogue (the 46 events of the
//! Java SDK plus the Node SDK's `OnLicenseExpiration` and `OnServerStart`),
//! named like the event without its `On` prefix and holding a struct named
//! exactly like the event: `Event::UserStateModified(OnUserStateModified)`
//! (the large payloads are boxed: `Event::CallCreated(Box<OnCallCreated>)`,
//! `CallModified`, `PilotCallCreated`, `UserCreated`, `UserInfoChanged`;
//! build any event with `Event::from(payload)`). An
//! `eventName` this version does not know gives [`Event::Unknown`] with the
//! whole object kept, never an error.
//!
//! Decoding ([`Event::from_slice`]) reads the object once when `eventName`
//! comes first (as the server writes it): the name picks the payload type
//! and the rest of the object is read straight into it, without an
//! intermediate `serde_json::Value`. Otherwise the name is looked up first
//! and the bytes are read a second time.
//!
//! Writing (`serde_json::to_string(&event)`) gives the wire line back: a
//! flat object with `eventName` and the payload's fields.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

mod acd;
mod system;
mod telephony;

pub use acd::*;
pub use system::*;
pub use telephony::*;

/// An event with an `eventName` this version does not know.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct UnknownEvent {
    /// Its `eventName`.
    pub name: String,
    /// The whole object, `eventName` included.
    pub raw: Value,
}

impl UnknownEvent {
    /// An unknown event; `raw` should be the whole object, `eventName`
    /// included (it is what gets written back).
    pub fn new(name: impl Into<String>, raw: Value) -> Self {
        Self {
            name: name.into(),
            raw,
        }
    }
}

/// Why bytes are not an event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventError {
    /// Not JSON, or JSON but not an object.
    NotJson(String),
    /// A JSON object without a string `eventName`.
    NoEventName,
    /// A known event with a field of the wrong shape.
    BadField {
        /// The event's `eventName`.
        event: String,
        /// serde's reason.
        reason: String,
    },
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson(r) => write!(f, "not a JSON object: {r}"),
            Self::NoEventName => f.write_str("no string eventName"),
            Self::BadField { event, reason } => write!(f, "bad {event}: {reason}"),
        }
    }
}

impl std::error::Error for EventError {}

/// Declares [`Event`] and everything that dispatches on its variants.
///
/// Each entry: `Variant(Struct) login [boxed]`, where `Struct` is the wire
/// `eventName`, `login` says where the event's login name is: `login`
/// (its `login_name` field), `user` (`user.login_name`) or `none`, and
/// `boxed` puts the payload in a `Box` (the call payloads are large; boxed,
/// an `Event` stays small to move around).
macro_rules! events {
    ( $( $(#[$doc:meta])* $variant:ident($ty:ident) $login:ident $($boxed:ident)?, )* ) => {
        /// One event of the channel.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            $( $(#[$doc])* $variant(events!(@ty $ty $($boxed)?)), )*
            /// An event this version does not know, kept whole.
            Unknown(UnknownEvent),
        }

        impl Event {
            /// The `eventName`s this version decodes into typed variants.
            pub const KNOWN_NAMES: &'static [&'static str] = &[ $( stringify!($ty), )* ];

            /// The wire `eventName`.
            pub fn name(&self) -> &str {
                match self {
                    $( Self::$variant(_) => stringify!($ty), )*
                    Self::Unknown(u) => &u.name,
                }
            }

            /// The login name the event is about, when it has one (for an
            /// unknown event: its top-level string `loginName`).
            pub fn login_name(&self) -> Option<&str> {
                let s: &str = match self {
                    $( Self::$variant(e) => events!(@login e $login), )*
                    Self::Unknown(u) => u.raw.get("loginName").and_then(Value::as_str)?,
                };
                (!s.is_empty()).then_some(s)
            }

            /// Reads the payload of the event `name` (the object without
            /// its `eventName`, or with it: it is ignored).
            fn decode_payload<'de, D: Deserializer<'de>>(
                name: &str,
                d: D,
            ) -> Result<Self, D::Error> {
                Ok(match name {
                    $( stringify!($ty) => Self::from($ty::deserialize(d)?), )*
                    _ => {
                        let mut raw = Value::deserialize(d)?;
                        if let Value::Object(m) = &mut raw {
                            // The name read wins over a repeated key.
                            m.insert("eventName".into(), Value::String(name.to_owned()));
                        }
                        Self::Unknown(UnknownEvent { name: name.to_owned(), raw })
                    }
                })
            }
        }

        impl Serialize for Event {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(e) => Tagged { event_name: stringify!($ty), body: e }.serialize(s), )*
                    Self::Unknown(u) => u.raw.serialize(s),
                }
            }
        }

        $(
            impl From<$ty> for Event {
                fn from(e: $ty) -> Self {
                    Self::$variant(events!(@wrap e $($boxed)?))
                }
            }
        )*
    };
    (@ty $ty:ident) => { $ty };
    (@ty $ty:ident boxed) => { Box<$ty> };
    (@wrap $e:ident) => { $e };
    (@wrap $e:ident boxed) => { Box::new($e) };
    (@login $e:ident login) => { $e.login_name.as_str() };
    (@login $e:ident user) => { $e.user.login_name.as_str() };
    (@login $e:ident none) => {{
        let _ = $e;
        return None;
    }};
}

events! {
    // telephony
    /// `OnCallCreated`.
    CallCreated(OnCallCreated) login boxed,
    /// `OnCallModified`.
    CallModified(OnCallModified) login boxed,
    /// `OnCallRemoved`.
    CallRemoved(OnCallRemoved) login,
    /// `OnUserStateModified`.
    UserStateModified(OnUserStateModified) login,
    /// `OnDeviceStateModified`.
    DeviceStateModified(OnDeviceStateModified) login,
    /// `OnTelephonyState`.
    TelephonyState(OnTelephonyState) login,
    /// `OnDynamicStateChanged`.
    DynamicStateChanged(OnDynamicStateChanged) login,
    // always
    /// `OnChannelInformation`.
    ChannelInformation(OnChannelInformation) none,
    // eventSummary
    /// `OnEventSummaryUpdated`.
    EventSummaryUpdated(OnEventSummaryUpdated) login,
    // routingManagement
    /// `OnRoutingStateChanged`.
    RoutingStateChanged(OnRoutingStateChanged) login,
    // unifiedComLog
    /// `OnComRecordCreated`.
    ComRecordCreated(OnComRecordCreated) login,
    /// `OnComRecordModified`.
    ComRecordModified(OnComRecordModified) login,
    /// `OnComRecordsDeleted`.
    ComRecordsDeleted(OnComRecordsDeleted) login,
    /// `OnComRecordsAck`.
    ComRecordsAck(OnComRecordsAck) login,
    /// `OnComRecordsUnAck`.
    ComRecordsUnAck(OnComRecordsUnAck) login,
    // user, userManagement
    /// `OnUserCreated`.
    UserCreated(OnUserCreated) user boxed,
    /// `OnUserInfoChanged`.
    UserInfoChanged(OnUserInfoChanged) login boxed,
    /// `OnUserDeleted`.
    UserDeleted(OnUserDeleted) login,
    // system
    /// `OnPbxLinkUp`.
    PbxLinkUp(OnPbxLinkUp) none,
    /// `OnPbxLinkDown`.
    PbxLinkDown(OnPbxLinkDown) none,
    /// `OnCtiLinkUp`.
    CtiLinkUp(OnCtiLinkUp) none,
    /// `OnCtiLinkDown`.
    CtiLinkDown(OnCtiLinkDown) none,
    /// `OnPbxLoaded`.
    PbxLoaded(OnPbxLoaded) none,
    /// `OnRemoteServerLinkUp`.
    RemoteServerLinkUp(OnRemoteServerLinkUp) none,
    /// `OnRemoteServerLinkDown`.
    RemoteServerLinkDown(OnRemoteServerLinkDown) none,
    /// `OnLicenseExpiration` (Node SDK).
    LicenseExpiration(OnLicenseExpiration) none,
    /// `OnServerStart` (Node SDK).
    ServerStart(OnServerStart) none,
    // pbxManagement
    /// `OnPbxObjectInstanceCreated`.
    PbxObjectInstanceCreated(OnPbxObjectInstanceCreated) none,
    /// `OnPbxObjectInstanceModified`.
    PbxObjectInstanceModified(OnPbxObjectInstanceModified) none,
    /// `OnPbxObjectInstanceDeleted`.
    PbxObjectInstanceDeleted(OnPbxObjectInstanceDeleted) none,
    // agent
    /// `OnAgentStateChanged`.
    AgentStateChanged(OnAgentStateChanged) login,
    /// `OnAgentSkillChanged`.
    AgentSkillChanged(OnAgentSkillChanged) login,
    /// `OnSupervisorHelpRequested`.
    SupervisorHelpRequested(OnSupervisorHelpRequested) login,
    /// `OnSupervisorHelpCancelled`.
    SupervisorHelpCancelled(OnSupervisorHelpCancelled) login,
    // pilot
    /// `OnPilotCallCreated`.
    PilotCallCreated(OnPilotCallCreated) none boxed,
    /// `OnPilotCallQueued`.
    PilotCallQueued(OnPilotCallQueued) none,
    /// `OnPilotCallRemoved`.
    PilotCallRemoved(OnPilotCallRemoved) none,
    // rsi
    /// `OnRouteRequest`.
    RouteRequest(OnRouteRequest) none,
    /// `OnRouteEnd`.
    RouteEnd(OnRouteEnd) none,
    /// `OnDigitCollected`.
    DigitCollected(OnDigitCollected) none,
    /// `OnToneGeneratedStart`.
    ToneGeneratedStart(OnToneGeneratedStart) none,
    /// `OnToneGeneratedStop`.
    ToneGeneratedStop(OnToneGeneratedStop) none,
    // rti
    /// `OnAgentRtiChanged`.
    AgentRtiChanged(OnAgentRtiChanged) none,
    /// `OnPilotRtiChanged`.
    PilotRtiChanged(OnPilotRtiChanged) none,
    /// `OnQueueRtiChanged`.
    QueueRtiChanged(OnQueueRtiChanged) none,
    /// `OnPGAgentRtiChanged`.
    PGAgentRtiChanged(OnPGAgentRtiChanged) none,
    /// `OnPGOtherRtiChanged`.
    PGOtherRtiChanged(OnPGOtherRtiChanged) none,
    // acdstats
    /// `OnAcdStatsProgress`.
    AcdStatsProgress(OnAcdStatsProgress) none,
}

/// Writes `eventName` then the payload's fields, flat.
#[derive(Serialize)]
struct Tagged<'a, T> {
    #[serde(rename = "eventName")]
    event_name: &'static str,
    #[serde(flatten)]
    body: &'a T,
}

impl Event {
    /// Decodes one event (one line of the channel, without its line end).
    ///
    /// Unknown `eventName`s give [`Event::Unknown`]; unknown fields are
    /// ignored; unknown enumeration values are kept.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, EventError> {
        let mut stage = Stage::Start;
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let result = EventSeed { stage: &mut stage }
            .deserialize(&mut de)
            .and_then(|ev| de.end().map(|()| ev));
        match (result, stage) {
            (Ok(ev), _) => Ok(ev),
            (Err(_), Stage::NotFirst) => Self::from_slice_slow(bytes),
            (Err(e), Stage::Named(name)) if e.is_data() => Err(EventError::BadField {
                event: name.into_string(),
                reason: e.to_string(),
            }),
            (Err(e), _) => Err(EventError::NotJson(e.to_string())),
        }
    }

    /// `eventName` is not the first key: look it up, then read again.
    fn from_slice_slow(bytes: &[u8]) -> Result<Self, EventError> {
        let head: Head<'_> = serde_json::from_slice(bytes).map_err(|e| {
            if e.is_data() {
                EventError::NoEventName
            } else {
                EventError::NotJson(e.to_string())
            }
        })?;
        let name = head.event_name.ok_or(EventError::NoEventName)?;
        let name = name.as_str();
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let ev = Self::decode_payload(name, &mut de)
            .and_then(|ev| de.end().map(|()| ev))
            .map_err(|e| {
                if e.is_data() {
                    EventError::BadField {
                        event: name.to_owned(),
                        reason: e.to_string(),
                    }
                } else {
                    EventError::NotJson(e.to_string())
                }
            })?;
        Ok(ev.without_tag_in_counters())
    }

    /// Removes `eventName` from the flattened counters of an rti event,
    /// which catch every key they do not name (the slow path reads the
    /// object with it; a repeated key would reach them on the fast path).
    fn without_tag_in_counters(mut self) -> Self {
        if let Some(counters) = self.counters_mut() {
            counters.remove("eventName");
        }
        self
    }

    /// The flattened counters of an rti event.
    fn counters_mut(&mut self) -> Option<&mut Map<String, Value>> {
        match self {
            Self::AgentRtiChanged(e) => Some(&mut e.counters),
            Self::PilotRtiChanged(e) => Some(&mut e.counters),
            Self::QueueRtiChanged(e) => Some(&mut e.counters),
            Self::PGAgentRtiChanged(e) => Some(&mut e.counters),
            Self::PGOtherRtiChanged(e) => Some(&mut e.counters),
            _ => None,
        }
    }

    /// The wire line: the JSON object, without line end.
    pub fn to_json(&self) -> String {
        // Writing our own types to a string cannot fail: string keys only,
        // no non-finite floats reach here (serde_json values cannot hold
        // them).
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `eventName` read without looking at anything else.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "eventName", borrow, default)]
    event_name: Option<Name<'a>>,
}

/// A string borrowed from the input when it has no escape.
enum Name<'a> {
    Borrowed(&'a str),
    Owned(String),
}

impl Name<'_> {
    fn as_str(&self) -> &str {
        match self {
            Self::Borrowed(s) => s,
            Self::Owned(s) => s,
        }
    }

    fn into_string(self) -> String {
        match self {
            Self::Borrowed(s) => s.to_owned(),
            Self::Owned(s) => s,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Name<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Name<'de>, E> {
                Ok(Name::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Name<'de>, E> {
                Ok(Name::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Name<'de>, E> {
                Ok(Name::Owned(v))
            }
        }
        d.deserialize_str(V)
    }
}

/// How far the one-pass decoding got, to classify its error.
enum Stage<'a> {
    /// Nothing read yet: not an object, or not JSON.
    Start,
    /// The object does not start with `eventName`: use the slow path.
    NotFirst,
    /// Reading the payload of this event.
    Named(Name<'a>),
}

/// The one-pass decoder: expects `eventName` first.
struct EventSeed<'s, 'a> {
    stage: &'s mut Stage<'a>,
}

impl<'de> DeserializeSeed<'de> for EventSeed<'_, 'de> {
    type Value = Event;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Event, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventSeed<'_, 'de> {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        *self.stage = Stage::NotFirst;
        if map.next_key_seed(IsEventName)? != Some(true) {
            return Err(de::Error::custom("eventName is not the first key"));
        }
        let name: Name<'de> = map.next_value()?;
        let event =
            Event::decode_payload(name.as_str(), de::value::MapAccessDeserializer::new(map))
                .map(Event::without_tag_in_counters);
        *self.stage = Stage::Named(name);
        event
    }
}

/// Reads a key and says whether it is `eventName`, without allocating.
struct IsEventName;

impl<'de> DeserializeSeed<'de> for IsEventName {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for IsEventName {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == "eventName")
    }
}

/// `deserialize_with` for string fields that some servers or SDKs send as
/// numbers (`nodeId`): accepts a string, a number or null (→ empty).
pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    string_or_number_opt(d).map(Option::unwrap_or_default)
}

/// [`string_or_number`] for optional fields: null gives `None`.
pub(crate) fn string_or_number_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}
