//! Events of the `telephony` package (O2G reference, §3.1).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::types::is_false;
use crate::types::telephony::{
    Call, CallData, Cause, DeviceCapabilities, DeviceState, Leg, Participant, TelephonicState,
    UserState,
};

/// `OnCallCreated`: a call appeared for the user.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnCallCreated {
    /// The user the event is about.
    #[serde(default)]
    pub login_name: String,
    /// The call's reference (scoped to the user).
    #[serde(default)]
    pub call_ref: String,
    /// Why the call was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// The call's data.
    #[serde(default)]
    pub call_data: CallData,
    /// Who initiated the call (shape not documented; kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiator: Option<Value>,
    /// The user's legs.
    #[serde(default)]
    pub legs: Vec<Leg>,
    /// The other parties.
    #[serde(default)]
    pub participants: Vec<Participant>,
    /// What the user's devices can do now (always written).
    #[serde(default)]
    pub device_capabilities: Vec<DeviceCapabilities>,
}

impl OnCallCreated {
    /// The event for `call` of `login_name`.
    pub fn new(login_name: impl Into<String>, call: Call) -> Self {
        Self {
            login_name: login_name.into(),
            call_ref: call.call_ref,
            call_data: call.call_data,
            legs: call.legs,
            participants: call.participants,
            ..Self::default()
        }
    }
}

/// `OnCallModified`: a call changed. The six delta arrays are always
/// written, empty when unused.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnCallModified {
    /// The user the event is about.
    #[serde(default)]
    pub login_name: String,
    /// The call's reference (scoped to the user).
    #[serde(default)]
    pub call_ref: String,
    /// Why the call changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// Present: this call replaces that one (no `OnCallRemoved` for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_call_ref: Option<String>,
    /// Present: the call is released because that call replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by_call_ref: Option<String>,
    /// The call's data.
    #[serde(default)]
    pub call_data: CallData,
    /// Legs that changed.
    #[serde(default)]
    pub modified_legs: Vec<Leg>,
    /// Legs that appeared.
    #[serde(default)]
    pub added_legs: Vec<Leg>,
    /// Legs that went away.
    #[serde(default)]
    pub removed_legs: Vec<Leg>,
    /// Participants that changed.
    #[serde(default)]
    pub modified_participants: Vec<Participant>,
    /// Participants that joined.
    #[serde(default)]
    pub added_participants: Vec<Participant>,
    /// The ids of the participants that left.
    #[serde(default)]
    pub removed_participant_ids: Vec<String>,
    /// What the user's devices can do now (always written).
    #[serde(default)]
    pub device_capabilities: Vec<DeviceCapabilities>,
}

impl OnCallModified {
    /// The event for `call_ref` of `login_name`, with empty deltas.
    pub fn new(
        login_name: impl Into<String>,
        call_ref: impl Into<String>,
        call_data: CallData,
    ) -> Self {
        Self {
            login_name: login_name.into(),
            call_ref: call_ref.into(),
            call_data,
            ..Self::default()
        }
    }
}

/// `OnCallRemoved`: a call went away for the user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnCallRemoved {
    /// The user the event is about.
    #[serde(default)]
    pub login_name: String,
    /// The call's reference (scoped to the user).
    #[serde(default)]
    pub call_ref: String,
    /// Why the call went away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// Where the call went (transfer, redirection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_destination: Option<String>,
    /// What the user's devices can do now (always written).
    #[serde(default)]
    pub device_capabilities: Vec<DeviceCapabilities>,
}

impl OnCallRemoved {
    /// The event for `call_ref` of `login_name`.
    pub fn new(
        login_name: impl Into<String>,
        call_ref: impl Into<String>,
        device_capabilities: Vec<DeviceCapabilities>,
    ) -> Self {
        Self {
            login_name: login_name.into(),
            call_ref: call_ref.into(),
            device_capabilities,
            ..Self::default()
        }
    }
}

/// `OnUserStateModified`: the user became free or busy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnUserStateModified {
    /// The user the event is about.
    #[serde(default)]
    pub login_name: String,
    /// The new state.
    #[serde(default)]
    pub state: UserState,
}

impl OnUserStateModified {
    /// The event.
    pub fn new(login_name: impl Into<String>, state: UserState) -> Self {
        Self {
            login_name: login_name.into(),
            state,
        }
    }
}

/// `OnDeviceStateModified`: devices went in or out of service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnDeviceStateModified {
    /// The user the event is about.
    #[serde(default)]
    pub login_name: String,
    /// The devices' states (a flat list here).
    #[serde(default)]
    pub device_states: Vec<DeviceState>,
}

impl OnDeviceStateModified {
    /// The event.
    pub fn new(login_name: impl Into<String>, device_states: Vec<DeviceState>) -> Self {
        Self {
            login_name: login_name.into(),
            device_states,
        }
    }
}

/// `OnTelephonyState`: the answer to `POST telephony/state/snapshot`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnTelephonyState {
    /// The user the event is about.
    #[serde(default)]
    pub login_name: String,
    /// The whole telephonic state.
    #[serde(default)]
    pub state: TelephonicState,
}

impl OnTelephonyState {
    /// The event.
    pub fn new(login_name: impl Into<String>, state: TelephonicState) -> Self {
        Self {
            login_name: login_name.into(),
            state,
        }
    }
}

/// `huntingGroupState` of [`OnDynamicStateChanged`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HuntingGroupState {
    /// Logged on the hunting group.
    #[serde(default, skip_serializing_if = "is_false")]
    pub logon: bool,
}

/// `OnDynamicStateChanged`: the user's dynamic state (hunting group)
/// changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnDynamicStateChanged {
    /// The user the event is about.
    #[serde(default)]
    pub login_name: String,
    /// The hunting group state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hunting_group_state: Option<HuntingGroupState>,
}
