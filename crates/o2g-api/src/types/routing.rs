//! Routing: presentation, forward and overflow routes, do-not-disturb
//! (O2G reference, §4.4), as answered by `GET /routing/state` and carried by
//! `OnRoutingStateChanged`.

use serde::{Deserialize, Serialize};

use super::is_false;

wire_enum! {
    /// `destinations[].type`.
    DestinationType {
        /// A phone number (`number`).
        Number = "NUMBER",
        /// The user's voice mail.
        Voicemail = "VOICEMAIL",
        /// The user's mobile (remote extension).
        Mobile = "MOBILE",
        /// The associate.
        Associate = "ASSOCIATE",
    }
}

wire_enum! {
    /// `forwardType` of a forward route; absent means immediate.
    ForwardType {
        /// When busy.
        Busy = "BUSY",
        /// When not answered.
        NoAnswer = "NO_ANSWER",
        /// When busy or not answered.
        BusyNoAnswer = "BUSY_NO_ANSWER",
    }
}

wire_enum! {
    /// `overflowType` of an overflow route.
    OverflowType {
        /// When busy.
        Busy = "BUSY",
        /// When not answered.
        NoAnswer = "NO_ANSWER",
        /// When busy or not answered.
        BusyNoAnswer = "BUSY_NO_ANSWER",
    }
}

/// Where calls are routed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Destination {
    /// What kind of destination.
    #[serde(rename = "type")]
    pub kind: DestinationType,
    /// The number, for `NUMBER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The device, when the destination is one of the user's devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// The destination is the selected one.
    #[serde(default, skip_serializing_if = "is_false")]
    pub selected: bool,
}

impl Destination {
    /// A destination of `kind` without number.
    pub fn new(kind: DestinationType) -> Self {
        Self {
            kind,
            number: None,
            device_id: None,
            selected: false,
        }
    }

    /// The voice mail.
    pub fn voicemail() -> Self {
        Self::new(DestinationType::Voicemail)
    }

    /// A phone number.
    pub fn number(number: impl Into<String>) -> Self {
        Self {
            number: Some(number.into()),
            ..Self::new(DestinationType::Number)
        }
    }
}

/// A presentation route: where incoming calls ring.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PresentationRoute {
    /// The destinations.
    #[serde(default)]
    pub destinations: Vec<Destination>,
}

impl PresentationRoute {
    /// A presentation route.
    pub fn new(destinations: Vec<Destination>) -> Self {
        Self { destinations }
    }
}

/// A forward route.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ForwardRoute {
    /// When to forward; absent: immediately.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_type: Option<ForwardType>,
    /// The destinations.
    #[serde(default)]
    pub destinations: Vec<Destination>,
}

impl ForwardRoute {
    /// A forward route.
    pub fn new(forward_type: Option<ForwardType>, destinations: Vec<Destination>) -> Self {
        Self {
            forward_type,
            destinations,
        }
    }
}

/// An overflow route.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OverflowRoute {
    /// When to overflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overflow_type: Option<OverflowType>,
    /// The destinations.
    #[serde(default)]
    pub destinations: Vec<Destination>,
}

impl OverflowRoute {
    /// An overflow route.
    pub fn new(overflow_type: Option<OverflowType>, destinations: Vec<Destination>) -> Self {
        Self {
            overflow_type,
            destinations,
        }
    }
}

/// The do-not-disturb state (`dndState`, `GET /routing/dnd`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DndState {
    /// DND is on.
    #[serde(default, skip_serializing_if = "is_false")]
    pub activate: bool,
}

impl DndState {
    /// A DND state.
    pub fn new(activate: bool) -> Self {
        Self { activate }
    }
}

/// The routing state of a user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RoutingState {
    /// Where incoming calls ring.
    #[serde(default)]
    pub presentation_routes: Vec<PresentationRoute>,
    /// Forwarding.
    #[serde(default)]
    pub forward_routes: Vec<ForwardRoute>,
    /// Overflow.
    #[serde(default)]
    pub overflow_routes: Vec<OverflowRoute>,
    /// Do-not-disturb.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd_state: Option<DndState>,
}

/// The routing capabilities of a user (`GET /routing`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RoutingCapabilities {
    /// Presentation routes can be changed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub presentation_route: bool,
    /// Forward routes can be changed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub forward_route: bool,
    /// Overflow routes can be changed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub overflow_route: bool,
    /// DND can be changed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dnd: bool,
}
