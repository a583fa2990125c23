//! Call-center events: the `agent`, `pilot`, `rsi`, `rti` and `acdstats`
//! packages (O2G reference, §3.2).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::string_or_number_opt;
use crate::types::is_false;
use crate::types::telephony::{Cause, PartyInfo, TrunkIdentification};

// ------------------------------------------------------------------- agent

wire_enum! {
    /// `state.mainState` of `OnAgentStateChanged`.
    #[derive(Default)]
    AgentMainState {
        /// `UNKNOWN`: the server itself does not know.
        #[default]
        Unspecified = "UNKNOWN",
        /// Logged on.
        LogOn = "LOG_ON",
        /// Logged off.
        LogOff = "LOG_OFF",
        /// In error.
        Error = "ERROR",
    }
}

wire_enum! {
    /// `state.subState` of `OnAgentStateChanged`.
    AgentSubState {
        /// Ready for calls.
        Ready = "READY",
        /// Out of the processing group.
        OutOfPg = "OUT_OF_PG",
        /// Busy.
        Busy = "BUSY",
        /// Entering a transaction code.
        TransactionCodeInput = "TRANSACTION_CODE_INPUT",
        /// Wrap-up.
        Wrapup = "WRAPUP",
        /// Pause.
        Pause = "PAUSE",
        /// Withdrawn.
        Withdraw = "WITHDRAW",
        /// Wrap-up after an instant message.
        WrapupIm = "WRAPUP_IM",
        /// Wrap-up after an e-mail.
        WrapupEmail = "WRAPUP_EMAIL",
        /// Interruptible wrap-up after an e-mail.
        WrapupEmailInterruptible = "WRAPUP_EMAIL_INTERRUPTIBLE",
        /// Wrap-up after an outbound call.
        WrapupOutbound = "WRAPUP_OUTBOUND",
        /// Wrap-up after a call-back.
        WrapupCallback = "WRAPUP_CALLBACK",
        /// `UNKNOWN`: the server itself does not know.
        Unspecified = "UNKNOWN",
    }
}

/// `state` of [`OnAgentStateChanged`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OperatorState {
    /// Logged on or off.
    #[serde(default)]
    pub main_state: AgentMainState,
    /// What the agent is doing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_state: Option<AgentSubState>,
    /// The pro-ACD device the agent is logged on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pro_acd_device_number: Option<String>,
    /// The processing group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pg_number: Option<String>,
    /// The withdraw reason (a number is accepted).
    #[serde(
        default,
        deserialize_with = "string_or_number_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub withdraw_reason: Option<String>,
    /// Withdrawn.
    #[serde(default, skip_serializing_if = "is_false")]
    pub withdrawn: bool,
}

/// `OnAgentStateChanged`: a CCD agent's state changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnAgentStateChanged {
    /// The agent.
    #[serde(default)]
    pub login_name: String,
    /// The new state.
    #[serde(default)]
    pub state: OperatorState,
}

/// One skill of an agent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Skill {
    /// The skill's number.
    #[serde(default)]
    pub number: i64,
    /// The agent's level.
    #[serde(default)]
    pub level: i64,
    /// Active.
    #[serde(default, skip_serializing_if = "is_false")]
    pub active: bool,
    /// The skill's domain.
    #[serde(
        default,
        deserialize_with = "string_or_number_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub domain: Option<String>,
    /// The skill's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The skill's abbreviated name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abv_name: Option<String>,
}

/// `skills` of [`OnAgentSkillChanged`]: the list is nested one level,
/// `{"skills":[…]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SkillList {
    /// The skills.
    #[serde(default)]
    pub skills: Vec<Skill>,
}

/// `OnAgentSkillChanged`: a CCD agent's skills changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnAgentSkillChanged {
    /// The agent.
    #[serde(default)]
    pub login_name: String,
    /// The skills (nested one level).
    #[serde(default)]
    pub skills: SkillList,
}

/// `OnSupervisorHelpRequested`: an agent asks its supervisor for help.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnSupervisorHelpRequested {
    /// The supervisor.
    #[serde(default)]
    pub login_name: String,
    /// The agent asking.
    #[serde(default)]
    pub agent_number: String,
}

/// `OnSupervisorHelpCancelled`: the help request was withdrawn.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnSupervisorHelpCancelled {
    /// The supervisor.
    #[serde(default)]
    pub login_name: String,
    /// The agent.
    #[serde(default)]
    pub agent_number: String,
}

// ------------------------------------------------------------------- pilot

/// `callData` of [`OnPilotCallCreated`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PilotCallData {
    /// The party first called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_called: Option<PartyInfo>,
    /// The caller is anonymous.
    #[serde(default, skip_serializing_if = "is_false")]
    pub anonymous: bool,
    /// Associated data.
    #[serde(
        default,
        alias = "associateData",
        skip_serializing_if = "Option::is_none"
    )]
    pub associated_data: Option<String>,
    /// Associated data as a hexadecimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hexa_binary_associated_data: Option<String>,
    /// The incoming trunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trunk_identification: Option<TrunkIdentification>,
    /// The call was rerouted by the network.
    #[serde(default, skip_serializing_if = "is_false")]
    pub network_rerouted: bool,
}

/// `OnPilotCallCreated`: a call reached a CCD pilot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnPilotCallCreated {
    /// The pilot's number.
    #[serde(default)]
    pub pilot: String,
    /// The caller's number.
    #[serde(default)]
    pub caller: String,
    /// The call's reference.
    #[serde(default)]
    pub call_ref: String,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// The call's data.
    #[serde(default)]
    pub call_data: PilotCallData,
}

/// `OnPilotCallQueued`: a pilot call was queued.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnPilotCallQueued {
    /// The pilot's number.
    #[serde(default)]
    pub pilot: String,
    /// The caller's number.
    #[serde(default)]
    pub caller: String,
    /// The call's reference.
    #[serde(default)]
    pub call_ref: String,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// The queue's number.
    #[serde(default)]
    pub queue: String,
    /// How many calls are queued.
    #[serde(default)]
    pub number_of_queued: i64,
}

/// `OnPilotCallRemoved`: a pilot call went away.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnPilotCallRemoved {
    /// The pilot's number.
    #[serde(default)]
    pub pilot: String,
    /// The call's reference.
    #[serde(default)]
    pub call_ref: String,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// The device that released the call.
    #[serde(default)]
    pub releasing_device: String,
    /// Where the call went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_destination: Option<String>,
}

// --------------------------------------------------------------------- rsi

/// `request` of [`OnRouteRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RouteRequest {
    /// The routing session's id.
    #[serde(default)]
    pub route_crid: String,
    /// The caller's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// The caller's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calling_name: Option<String>,
    /// The caller's type, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_type: Option<String>,
    /// The called number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called: Option<String>,
    /// The routed call's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routed_call_ref: Option<String>,
    /// How many times the call overflowed.
    #[serde(default)]
    pub nb_overflows: i64,
    /// Why the route is requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RouteReason>,
}

wire_enum! {
    /// Why a route is requested or ended (`OnRouteRequest.request.reason`,
    /// `OnRouteEnd.reason`).
    RouteReason {
        /// The first routing.
        Initial = "INITIAL",
        /// The destination did not answer.
        NoAnswer = "NOANSWER",
        /// The destination is busy.
        Busy = "BUSY",
        /// The destination cannot be reached.
        NotObtainable = "NOT_OBTAINABLE",
        /// `UNKNOWN`: the server itself does not know.
        Unspecified = "UNKNOWN",
    }
}

/// `OnRouteRequest`: an RSI point asks where to route a call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnRouteRequest {
    /// The RSI point.
    #[serde(default)]
    pub rsi_point: String,
    /// The request.
    #[serde(default)]
    pub request: RouteRequest,
}

/// `OnRouteEnd`: a routing session ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnRouteEnd {
    /// The RSI point.
    #[serde(default)]
    pub rsi_point: String,
    /// The routing session's id.
    #[serde(default)]
    pub route_crid: String,
    /// The routed call's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routed_call_ref: Option<String>,
    /// Why it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RouteReason>,
}

wire_enum! {
    /// `dataCollected.cause`: why digit collection stopped.
    CollectCause {
        /// The end character was received.
        FluscharReceived = "FLUSCHAR_RECEIVED",
        /// Enough digits.
        CharCountReached = "CHAR_COUNT_REACHED",
        /// Timeout.
        Timeout = "TIMEOUT",
        /// The service terminated.
        SfTerminated = "SF_TERMINATED",
    }
}

/// `dataCollected` of [`OnDigitCollected`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DataCollected {
    /// The collection's id.
    #[serde(default)]
    pub coll_crid: String,
    /// The digits.
    #[serde(default)]
    pub digits: String,
    /// Why collection stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<CollectCause>,
}

/// `OnDigitCollected`: digits were collected on an RSI point.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnDigitCollected {
    /// The RSI point.
    #[serde(default)]
    pub rsi_point: String,
    /// The call's reference.
    #[serde(default)]
    pub call_ref: String,
    /// The digits.
    #[serde(default)]
    pub data_collected: DataCollected,
}

wire_enum! {
    /// A tone played by an RSI point.
    ToneType {
        /// Busy tone.
        Busy = "BUSY",
        /// Ring-back tone.
        Ringback = "RINGBACK",
        /// Silence.
        Silence = "SILENCE",
        /// Music.
        Music = "MUSIC",
        /// An announcement.
        Announcement = "ANNOUNCEMENT",
    }
}

/// `tonesTypes`: one tone or a list of them, kept in the shape sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ToneTypes {
    /// A single tone.
    One(ToneType),
    /// A list of tones.
    Many(Vec<ToneType>),
}

/// `OnToneGeneratedStart`: an RSI point started playing a tone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnToneGeneratedStart {
    /// The RSI point.
    #[serde(default)]
    pub rsi_point: String,
    /// The call's reference.
    #[serde(default)]
    pub call_ref: String,
    /// The tone(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tones_types: Option<ToneTypes>,
}

/// `OnToneGeneratedStop`: an RSI point stopped playing a tone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnToneGeneratedStop {
    /// The RSI point.
    #[serde(default)]
    pub rsi_point: String,
    /// The call's reference.
    #[serde(default)]
    pub call_ref: String,
    /// The tone(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tones_types: Option<ToneTypes>,
}

// --------------------------------------------------------------------- rti

wire_enum! {
    /// `state` of the real-time indicator events (mixed case on the wire).
    RtiState {
        /// Closed.
        Closed = "Closed",
        /// Opened.
        Opened = "Opened",
        /// Blocked.
        Blocked = "Blocked",
        /// `Unknown`: the server itself does not know.
        Unspecified = "Unknown",
    }
}

macro_rules! rti_event {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// A flat object of counters: the named fields are modelled, every
        /// other one (`nbOf…`, `incomingTraffic`, `afeKey`, …) is kept in
        /// `counters` as sent.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[non_exhaustive]
        pub struct $name {
            /// The object's name.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub name: Option<String>,
            /// The object's number (a number is accepted).
            #[serde(
                default,
                deserialize_with = "string_or_number_opt",
                skip_serializing_if = "Option::is_none"
            )]
            pub number: Option<String>,
            /// The object's type, as sent.
            #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
            pub kind: Option<String>,
            /// The object's state.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub state: Option<RtiState>,
            /// Every other field, as sent.
            #[serde(flatten)]
            pub counters: Map<String, Value>,
        }
    };
}

rti_event! {
    /// `OnAgentRtiChanged`: real-time indicators of an agent.
    OnAgentRtiChanged
}
rti_event! {
    /// `OnPilotRtiChanged`: real-time indicators of a pilot.
    OnPilotRtiChanged
}
rti_event! {
    /// `OnQueueRtiChanged`: real-time indicators of a queue.
    OnQueueRtiChanged
}
rti_event! {
    /// `OnPGAgentRtiChanged`: real-time indicators of an agents'
    /// processing group.
    OnPGAgentRtiChanged
}
rti_event! {
    /// `OnPGOtherRtiChanged`: real-time indicators of another processing
    /// group.
    OnPGOtherRtiChanged
}

// ---------------------------------------------------------------- acdstats

wire_enum! {
    /// `step` of [`OnAcdStatsProgress`].
    StatsStep {
        /// Collecting.
        Collect = "COLLECT",
        /// Processed.
        Processed = "PROCESSED",
        /// Formatted.
        Formated = "FORMATED",
        /// Failed.
        Error = "ERROR",
        /// Cancelled.
        Cancelled = "CANCELLED",
    }
}

/// `OnAcdStatsProgress`: progress of a statistics report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnAcdStatsProgress {
    /// The supervisor who asked.
    #[serde(default)]
    pub supervisor: String,
    /// The step reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<StatsStep>,
    /// Objects in total.
    #[serde(default)]
    pub nb_tot_objects: i64,
    /// Objects processed.
    #[serde(default)]
    pub nb_processed_objects: i64,
    /// The result's path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub res_path: Option<String>,
    /// The result's full path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_res_path: Option<String>,
    /// The spreadsheet result's full path.
    #[serde(
        default,
        rename = "xlsfullResPath",
        skip_serializing_if = "Option::is_none"
    )]
    pub xls_full_res_path: Option<String>,
}
