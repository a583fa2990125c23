//! Events of the event channel (`specs/o2g.md` §2.3, §3).
//!
//! PLACEHOLDER: being filled in (all 48 events).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde_json::Value;

/// One event of the channel.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `OnChannelInformation`.
    ChannelInformation(OnChannelInformation),
    /// An event this version does not know, kept whole.
    Unknown(UnknownEvent),
}

/// `OnChannelInformation`: `Chunk started`, `keepalive`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct OnChannelInformation {
    /// The text.
    #[serde(default)]
    pub text: String,
}

/// An event with an `eventName` this version does not know.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct UnknownEvent {
    /// Its `eventName`.
    pub name: String,
    /// The whole object.
    pub raw: Value,
}

/// Why bytes are not an event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventError {
    /// Not a JSON object.
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
            Self::NoEventName => f.write_str("no eventName"),
            Self::BadField { event, reason } => write!(f, "bad {event}: {reason}"),
        }
    }
}

impl std::error::Error for EventError {}

#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "eventName", borrow, default)]
    event_name: Option<Cow<'a, str>>,
}

impl Event {
    /// Decodes one event (one line of the channel, without its newline).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, EventError> {
        let head: Head<'_> =
            serde_json::from_slice(bytes).map_err(|e| EventError::NotJson(e.to_string()))?;
        let name = head.event_name.ok_or(EventError::NoEventName)?;
        let bad = |e: serde_json::Error| EventError::BadField {
            event: name.to_string(),
            reason: e.to_string(),
        };
        Ok(match &*name {
            "OnChannelInformation" => {
                Self::ChannelInformation(serde_json::from_slice(bytes).map_err(bad)?)
            }
            other => Self::Unknown(UnknownEvent {
                name: other.to_owned(),
                raw: serde_json::from_slice(bytes).map_err(bad)?,
            }),
        })
    }
}

impl Event {
    /// The wire `eventName`.
    pub fn name(&self) -> &str {
        match self {
            Self::ChannelInformation(_) => "OnChannelInformation",
            Self::Unknown(u) => &u.name,
        }
    }

    /// The `loginName` the event is about, when it has one.
    pub fn login_name(&self) -> Option<&str> {
        match self {
            Self::ChannelInformation(_) => None,
            Self::Unknown(u) => u.raw.get("loginName").and_then(Value::as_str),
        }
    }
}
