//! Events of the event channel (`specs/o2g.md` §2.3, §3).
//!
//! PLACEHOLDER: being filled in (all 46 events).

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
