//! Events of the channel itself and of the `eventSummary`,
//! `routingManagement`, `unifiedComLog`, `user`/`userManagement`, `system`
//! and `pbxManagement` packages (O2G reference, §3.2).

use serde::{Deserialize, Serialize};

use super::string_or_number;
use crate::types::comlog::ComRecord;
use crate::types::is_false;
use crate::types::routing::RoutingState;
use crate::types::user::User;

/// `OnChannelInformation`: `Chunk started` (always the first line),
/// `keepalive`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OnChannelInformation {
    /// The text.
    #[serde(default)]
    pub text: String,
}

impl OnChannelInformation {
    /// The text that opens every channel.
    pub const CHUNK_STARTED: &'static str = "Chunk started";
    /// The heart-beat text.
    pub const KEEPALIVE: &'static str = "keepalive";

    /// The event.
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into() }
    }
}

/// The counters of `OnEventSummaryUpdated` (also the body of `GET
/// /eventsummary`); absent counters are 0.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EventSummary {
    /// Missed calls.
    #[serde(default)]
    pub missed_calls_nb: i64,
    /// Voice messages.
    #[serde(default)]
    pub voice_messages_nb: i64,
    /// Call-back requests.
    #[serde(default)]
    pub call_back_requests_nb: i64,
    /// Faxes.
    #[serde(default)]
    pub fax_nb: i64,
    /// New text messages.
    #[serde(default)]
    pub new_text_nb: i64,
    /// Old text messages.
    #[serde(default)]
    pub old_text_nb: i64,
    /// Something is waiting (message lamp).
    #[serde(default, skip_serializing_if = "is_false")]
    pub event_waiting: bool,
}

/// `OnEventSummaryUpdated`: the user's counters changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnEventSummaryUpdated {
    /// The user the event is about.
    #[serde(default)]
    pub login_name: String,
    /// The counters.
    #[serde(default)]
    pub event_summary: EventSummary,
}

impl OnEventSummaryUpdated {
    /// The event.
    pub fn new(login_name: impl Into<String>, event_summary: EventSummary) -> Self {
        Self {
            login_name: login_name.into(),
            event_summary,
        }
    }
}

/// `OnRoutingStateChanged`: the user's routing changed (or a snapshot).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnRoutingStateChanged {
    /// The user the event is about.
    #[serde(default)]
    pub login_name: String,
    /// The routing state.
    #[serde(default)]
    pub routing_state: RoutingState,
}

impl OnRoutingStateChanged {
    /// The event.
    pub fn new(login_name: impl Into<String>, routing_state: RoutingState) -> Self {
        Self {
            login_name: login_name.into(),
            routing_state,
        }
    }
}

macro_rules! record_event {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[non_exhaustive]
        pub struct $name {
            /// The user the event is about.
            #[serde(default)]
            pub login_name: String,
            /// The record.
            #[serde(default)]
            pub record: ComRecord,
        }

        impl $name {
            /// The event.
            pub fn new(login_name: impl Into<String>, record: ComRecord) -> Self {
                Self {
                    login_name: login_name.into(),
                    record,
                }
            }
        }
    };
}

record_event! {
    /// `OnComRecordCreated`: a communication record was created.
    OnComRecordCreated
}
record_event! {
    /// `OnComRecordModified`: a communication record changed.
    OnComRecordModified
}

macro_rules! record_ids_event {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[non_exhaustive]
        pub struct $name {
            /// The user the event is about.
            #[serde(default)]
            pub login_name: String,
            /// The records' ids.
            #[serde(default)]
            pub record_ids: Vec<i64>,
        }

        impl $name {
            /// The event.
            pub fn new(login_name: impl Into<String>, record_ids: Vec<i64>) -> Self {
                Self {
                    login_name: login_name.into(),
                    record_ids,
                }
            }
        }
    };
}

record_ids_event! {
    /// `OnComRecordsDeleted`: communication records were deleted.
    OnComRecordsDeleted
}
record_ids_event! {
    /// `OnComRecordsAck`: communication records were acknowledged.
    OnComRecordsAck
}
record_ids_event! {
    /// `OnComRecordsUnAck`: communication records were unacknowledged.
    OnComRecordsUnAck
}

/// `OnUserCreated`: a user was created.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OnUserCreated {
    /// The new user.
    #[serde(default)]
    pub user: User,
}

impl OnUserCreated {
    /// The event.
    pub fn new(user: User) -> Self {
        Self { user }
    }
}

/// `OnUserInfoChanged`: a user's data changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnUserInfoChanged {
    /// The user the event is about.
    #[serde(default)]
    pub login_name: String,
    /// The user's new data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

/// `OnUserDeleted`: a user was deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnUserDeleted {
    /// The deleted user.
    #[serde(default)]
    pub login_name: String,
}

macro_rules! node_event {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[non_exhaustive]
        pub struct $name {
            /// The OXE node: a string on the wire (a number is accepted).
            #[serde(default, deserialize_with = "string_or_number")]
            pub node_id: String,
        }

        impl $name {
            /// The event.
            pub fn new(node_id: impl Into<String>) -> Self {
                Self { node_id: node_id.into() }
            }
        }
    };
}

node_event! {
    /// `OnPbxLinkUp`: the link to an OXE node is up.
    OnPbxLinkUp
}
node_event! {
    /// `OnPbxLinkDown`: the link to an OXE node is down.
    OnPbxLinkDown
}
node_event! {
    /// `OnCtiLinkUp`: the CTI link to an OXE node is up.
    OnCtiLinkUp
}
node_event! {
    /// `OnCtiLinkDown`: the CTI link to an OXE node is down.
    OnCtiLinkDown
}
node_event! {
    /// `OnPbxLoaded`: an OXE node's data is loaded.
    OnPbxLoaded
}

macro_rules! host_event {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[non_exhaustive]
        pub struct $name {
            /// The remote server.
            #[serde(default)]
            pub host: String,
        }

        impl $name {
            /// The event.
            pub fn new(host: impl Into<String>) -> Self {
                Self { host: host.into() }
            }
        }
    };
}

host_event! {
    /// `OnRemoteServerLinkUp`: the link to the other O2G server is up.
    OnRemoteServerLinkUp
}
host_event! {
    /// `OnRemoteServerLinkDown`: the link to the other O2G server is down.
    OnRemoteServerLinkDown
}

/// `OnLicenseExpiration` (Node SDK): licenses are about to expire.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnLicenseExpiration {
    /// The server's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Days left.
    #[serde(default)]
    pub nb_days: i64,
}

/// `OnServerStart` (Node SDK): the O2G server started.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnServerStart {
    /// The server's id (a number is accepted).
    #[serde(default, deserialize_with = "string_or_number")]
    pub server_id: String,
}

/// `father` of the PBX object events: the parent object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PbxObjectRef {
    /// The object's class, e.g. `Subscriber`.
    #[serde(default)]
    pub object_name: String,
    /// The instance's id.
    #[serde(default)]
    pub object_id: String,
}

impl PbxObjectRef {
    /// A reference.
    pub fn new(object_name: impl Into<String>, object_id: impl Into<String>) -> Self {
        Self {
            object_name: object_name.into(),
            object_id: object_id.into(),
        }
    }
}

macro_rules! pbx_object_event {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[non_exhaustive]
        pub struct $name {
            /// The OXE node: a string on the wire (a number is accepted).
            #[serde(default, deserialize_with = "string_or_number")]
            pub node_id: String,
            /// The object's class.
            #[serde(default)]
            pub object_name: String,
            /// The instance's id.
            #[serde(default)]
            pub object_id: String,
            /// The parent instance.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub father: Option<PbxObjectRef>,
        }

        impl $name {
            /// The event.
            pub fn new(
                node_id: impl Into<String>,
                object_name: impl Into<String>,
                object_id: impl Into<String>,
            ) -> Self {
                Self {
                    node_id: node_id.into(),
                    object_name: object_name.into(),
                    object_id: object_id.into(),
                    father: None,
                }
            }
        }
    };
}

pbx_object_event! {
    /// `OnPbxObjectInstanceCreated`: a PBX object instance was created.
    OnPbxObjectInstanceCreated
}
pbx_object_event! {
    /// `OnPbxObjectInstanceModified`: a PBX object instance changed.
    OnPbxObjectInstanceModified
}
pbx_object_event! {
    /// `OnPbxObjectInstanceDeleted`: a PBX object instance was deleted.
    OnPbxObjectInstanceDeleted
}
