//! Telephony nested types: calls, legs, participants, parties, device and
//! user state (O2G reference, §3.1).
//!
//! Some fields are sent by the server but ignored by every SDK (`media` of a
//! leg, `addMedias` of the call capabilities, `medias` and
//! `mediaCapabilities` of a participant, §2.3). They are modelled as
//! optional fields so that a value read from the wire writes back the same
//! JSON, and so that a simulator can reproduce the server's lines.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::is_false;

// ------------------------------------------------------------ enumerations

wire_enum! {
    /// The state of a call or of a leg (`callData.state`, `legs[].state`).
    #[derive(Default)]
    MediaState {
        /// `UNKNOWN`: the server itself does not know (not to be confused
        /// with [`MediaState::Unknown`], a value this crate does not know).
        #[default]
        Unspecified = "UNKNOWN",
        /// The device is off hook, nothing dialled yet.
        OffHook = "OFF_HOOK",
        /// No call.
        Idle = "IDLE",
        /// The call is being released.
        Releasing = "RELEASING",
        /// Dialling.
        Dialing = "DIALING",
        /// On hold.
        Held = "HELD",
        /// An incoming call rings on this device.
        RingingIncoming = "RINGING_INCOMING",
        /// The remote party is being rung.
        RingingOutgoing = "RINGING_OUTGOING",
        /// Connected.
        Active = "ACTIVE",
    }
}

wire_enum! {
    /// The telephonic state of a user (`OnUserStateModified.state`).
    #[derive(Default)]
    UserState {
        /// Not in a call.
        Free = "FREE",
        /// In at least one call.
        Busy = "BUSY",
        /// `UNKNOWN`: the server itself does not know.
        #[default]
        Unspecified = "UNKNOWN",
    }
}

wire_enum! {
    /// The operational state of a device (`deviceStates[].state`).
    #[derive(Default)]
    OperationalState {
        /// The device works.
        InService = "IN_SERVICE",
        /// The device is unplugged or out of order.
        OutOfService = "OUT_OF_SERVICE",
        /// `UNKNOWN`: the server itself does not know.
        #[default]
        Unspecified = "UNKNOWN",
    }
}

wire_enum! {
    /// The recording state of a call (`callData.recordState`).
    RecordState {
        /// Recording is paused.
        Paused = "PAUSED",
        /// The call is being recorded.
        Recording = "RECORDING",
    }
}

wire_enum! {
    /// Why a call event happened (`cause` of the call events).
    Cause {
        /// The caller hung up before the call was answered.
        Abandoned = "ABANDONED",
        /// All trunks are busy.
        AllTrunkBusy = "ALL_TRUNK_BUSY",
        /// The called party is busy.
        Busy = "BUSY",
        /// One party of an answered two-party call hung up.
        Cleared = "CLEARED",
        /// A participant left a conference.
        ParticipantLeft = "PARTICIPANT_LEFT",
        /// The call became a conference.
        Conferenced = "CONFERENCED",
        /// The dialled number is invalid.
        InvalidNumber = "INVALID_NUMBER",
        /// The destination cannot be reached.
        DestinationNotObtainable = "DESTINATION_NOT_OBTAINABLE",
        /// The destination is in do-not-disturb.
        DoNotDisturb = "DO_NOT_DISTURB",
        /// The call was forwarded.
        Forwarded = "FORWARDED",
        /// Nobody answered.
        NotAnswered = "NOT_ANSWERED",
        /// The call was picked up by another device.
        PickedUp = "PICKED_UP",
        /// The call was parked.
        Parked = "PARKED",
        /// The call was redirected.
        Redirected = "REDIRECTED",
        /// The call overflowed to another destination.
        Overflown = "OVERFLOWN",
        /// The call was transferred.
        Transferred = "TRANSFERRED",
        /// Camp-on (O2G 2.7.4+).
        CampOn = "CAMP_ON",
        /// `UNKNOWN`: the server itself does not know.
        Unspecified = "UNKNOWN",
        /// Picked up on a tandem.
        PickedUpTandem = "PICKED_UP_TANDEM",
        /// A call-back call.
        CallBack = "CALL_BACK",
        /// A recall.
        Recall = "RECALL",
        /// Distributed by the call-center.
        Distributed = "DISTRIBUTED",
        /// Entered the call-center distribution.
        AcdEnterDistribution = "ACD_ENTER_DISTRIBUTION",
        /// No resource is available.
        ResourcesNotAvailable = "RESOURCES_NOT_AVAILABLE",
        /// A supervisor listens to the call.
        SupervisorListening = "SUPERVISOR_LISTENING",
        /// A supervisor intrudes into the call.
        SupervisorIntrusion = "SUPERVISOR_INTRUSION",
        /// A supervisor intrudes, restricted.
        SupervisorRestrictIntrusion = "SUPERVISOR_RESTRICT_INTRUSION",
        /// No call-center agent is available.
        NoAvailableAgent = "NO_AVAILABLE_AGENT",
        /// Lockout.
        Lockout = "LOCKOUT",
    }
}

wire_enum! {
    /// The status of a call-center pilot (`pilotTransferInfo.pilotStatus`).
    PilotStatus {
        /// The pilot is open.
        Open = "OPEN",
        /// The pilot is blocked.
        Blocked = "BLOCKED",
        /// Blocked by a rule.
        BlockedOnRule = "BLOCKED_ON_RULE",
        /// Blocked on a blocked rule.
        BlockedOnBlockedRule = "BLOCKED_ON_BLOCKED_RULE",
        /// General forwarding.
        GeneralForwarding = "GENERAL_FORWARDING",
        /// General forwarding by a rule.
        GeneralForwardingOnRule = "GENERAL_FORWARDING_ON_RULE",
        /// Blocked on a general forwarding rule.
        BlockedOnGeneralForwardingRule = "BLOCKED_ON_GENERAL_FORWARDING_RULE",
        /// The server's own "any other status" value (`OTHER`); a value this
        /// version does not know is [`PilotStatus::Other`] instead.
        OtherStatus = "OTHER",
    }
}

wire_enum! {
    /// The main type of a party (`type.main` of a [`PartyInfo`]).
    #[derive(Default)]
    PartyTypeMain {
        /// A user of the system.
        User = "USER",
        /// A device of the system.
        Device = "DEVICE",
        /// A service of the system (e.g. the voice mail).
        Service = "SERVICE",
        /// Not a user of the system.
        External = "EXTERNAL",
        /// `UNKNOWN`: the server itself does not know.
        #[default]
        Unspecified = "UNKNOWN",
    }
}

wire_enum! {
    /// A media type (`legs[].media`, `mediaCapabilities[].type`).
    MediaType {
        /// Voice.
        Audio = "AUDIO",
    }
}

// ------------------------------------------------------------------ parties

/// Who a party is: `id` of a [`PartyInfo`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PartyId {
    /// The O2G login name, for users of the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_name: Option<String>,
    /// The phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Multi-line information (shape not documented; kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_line: Option<Value>,
}

impl PartyId {
    /// An identifier with a login name and a phone number.
    pub fn user(login_name: impl Into<String>, phone_number: impl Into<String>) -> Self {
        Self {
            login_name: Some(login_name.into()),
            phone_number: Some(phone_number.into()),
            multi_line: None,
        }
    }

    /// An identifier with a phone number only.
    pub fn number(phone_number: impl Into<String>) -> Self {
        Self {
            phone_number: Some(phone_number.into()),
            ..Self::default()
        }
    }
}

/// `type` of a [`PartyInfo`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PartyType {
    /// The main type.
    #[serde(default)]
    pub main: PartyTypeMain,
    /// e.g. `pbx`, `public`, `voicemail`, `sip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<String>,
}

impl PartyType {
    /// A type without sub-type.
    pub fn new(main: PartyTypeMain) -> Self {
        Self {
            main,
            sub_type: None,
        }
    }
}

/// A party of a call: identity and names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PartyInfo {
    /// Login name and/or phone number.
    #[serde(default)]
    pub id: PartyId,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Display name (when first and last names are not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The party's type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<PartyType>,
}

impl PartyInfo {
    /// A party known only by its identifier.
    pub fn new(id: PartyId) -> Self {
        Self {
            id,
            ..Self::default()
        }
    }

    /// A user of the system: login, number, names, `type.main = USER`.
    pub fn user(
        login_name: impl Into<String>,
        phone_number: impl Into<String>,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
    ) -> Self {
        Self {
            id: PartyId::user(login_name, phone_number),
            first_name: Some(first_name.into()),
            last_name: Some(last_name.into()),
            display_name: None,
            kind: Some(PartyType::new(PartyTypeMain::User)),
        }
    }
}

// --------------------------------------------------------------- call data

/// The capabilities of a call (`callData.capabilities`); the server lists
/// only the `true` ones.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallCapabilities {
    /// A device can be added.
    #[serde(default, skip_serializing_if = "is_false")]
    pub add_device: bool,
    /// A participant can be added.
    #[serde(default, skip_serializing_if = "is_false")]
    pub add_participant: bool,
    /// The call has been intruded.
    #[serde(default, skip_serializing_if = "is_false")]
    pub intruded: bool,
    /// Intrusion is possible.
    #[serde(default, skip_serializing_if = "is_false")]
    pub intrusion: bool,
    /// Supervised transfer is possible.
    #[serde(default, skip_serializing_if = "is_false")]
    pub transfer: bool,
    /// Blind transfer is possible.
    #[serde(default, skip_serializing_if = "is_false")]
    pub blind_transfer: bool,
    /// Merge (conference) is possible.
    #[serde(default, skip_serializing_if = "is_false")]
    pub merge: bool,
    /// Redirect (deflect) is possible.
    #[serde(default, skip_serializing_if = "is_false")]
    pub redirect: bool,
    /// The call can be picked up.
    #[serde(default, skip_serializing_if = "is_false")]
    pub picked_up: bool,
    /// Redirect to voice mail is possible.
    #[serde(default, skip_serializing_if = "is_false")]
    pub redirect_to_voice_mail: bool,
    /// Redirect to the DVA is possible.
    #[serde(default, rename = "redirectToDVA", skip_serializing_if = "is_false")]
    pub redirect_to_dva: bool,
    /// Overflow to voice mail is possible.
    #[serde(default, skip_serializing_if = "is_false")]
    pub overflow_to_voice_mail: bool,
    /// The user can leave the call.
    #[serde(default, skip_serializing_if = "is_false")]
    pub drop_me: bool,
    /// The call can be terminated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub terminate: bool,
    /// The call can be rejected.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reject: bool,
    /// A call-back request is possible.
    #[serde(default, skip_serializing_if = "is_false")]
    pub call_back: bool,
    /// The call can be parked.
    #[serde(default, skip_serializing_if = "is_false")]
    pub park: bool,
    /// Recording can start.
    #[serde(default, skip_serializing_if = "is_false")]
    pub start_record: bool,
    /// Recording can stop.
    #[serde(default, skip_serializing_if = "is_false")]
    pub stop_record: bool,
    /// Recording can pause.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pause_record: bool,
    /// Recording can resume.
    #[serde(default, skip_serializing_if = "is_false")]
    pub resume_record: bool,
    /// A participant can be dropped.
    #[serde(default, skip_serializing_if = "is_false")]
    pub drop_participant: bool,
    /// A participant can be muted.
    #[serde(default, skip_serializing_if = "is_false")]
    pub mute_participant: bool,
    /// A participant can be held.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hold_participant: bool,
    /// Sent by the server (`[]`), ignored by the SDKs; kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_medias: Option<Vec<Value>>,
}

impl CallCapabilities {
    /// No capability, with the `"addMedias":[]` the server always sends.
    pub fn server_default() -> Self {
        Self {
            add_medias: Some(Vec::new()),
            ..Self::default()
        }
    }
}

/// A tag attached to a call (`callData.tags[]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Tag {
    /// The tag's name.
    #[serde(default)]
    pub name: String,
    /// Its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Who may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibilities: Option<Vec<String>>,
}

impl Tag {
    /// A tag with a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
            visibilities: None,
        }
    }
}

/// The trunk a call came in on (`callData.trunkIdentification`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TrunkIdentification {
    /// The network timeslot.
    #[serde(default)]
    pub network_timeslot: i64,
    /// The trunk equipment numbers.
    #[serde(default)]
    pub trunk_neqt: Vec<i64>,
}

/// `callInfo` of [`AcdData`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AcdCallInfo {
    /// Seconds waited in the queue.
    #[serde(default)]
    pub queue_waiting_time: i64,
    /// Seconds waited in total.
    #[serde(default)]
    pub global_waiting_time: i64,
    /// The agent group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_group: Option<String>,
    /// A local call.
    #[serde(default, skip_serializing_if = "is_false")]
    pub local: bool,
}

/// `queueData` of [`AcdData`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AcdQueueData {
    /// Estimated waiting time, seconds.
    #[serde(default)]
    pub waiting_time: i64,
    /// The queue is saturated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub saturated: bool,
}

/// `pilotTransferInfo` of [`AcdData`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PilotTransferInfo {
    /// A transfer to the pilot is possible.
    #[serde(default, skip_serializing_if = "is_false")]
    pub transfer_possible: bool,
    /// The pilot's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pilot_status: Option<PilotStatus>,
}

/// Call-center data of a call (`callData.acdCallData`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AcdData {
    /// Waiting times and agent group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_info: Option<AcdCallInfo>,
    /// Queue state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_data: Option<AcdQueueData>,
    /// The pilot's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pilot_number: Option<String>,
    /// The RSI point's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rsi_number: Option<String>,
    /// A supervised transfer.
    #[serde(default, skip_serializing_if = "is_false")]
    pub supervised_transfer: bool,
    /// Whether a transfer to the pilot is possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pilot_transfer_info: Option<PilotTransferInfo>,
}

/// The data of a call (`callData`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallData {
    /// The party first called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_called: Option<PartyInfo>,
    /// The last party that redirected the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_redirecting: Option<PartyInfo>,
    /// A device call (not a user call).
    #[serde(default, skip_serializing_if = "is_false")]
    pub device_call: bool,
    /// The caller is anonymous.
    #[serde(default, skip_serializing_if = "is_false")]
    pub anonymous: bool,
    /// The global id of the call, the same for every party.
    #[serde(default, rename = "callUUID", skip_serializing_if = "Option::is_none")]
    pub call_uuid: Option<String>,
    /// The call's state.
    #[serde(default)]
    pub state: MediaState,
    /// The recording state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_state: Option<RecordState>,
    /// Tags (always written, even empty).
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// What can be done with the call.
    #[serde(default)]
    pub capabilities: CallCapabilities,
    /// Associated data (Java reads it as `associateData`, accepted too).
    #[serde(
        default,
        alias = "associateData",
        skip_serializing_if = "Option::is_none"
    )]
    pub associated_data: Option<String>,
    /// Associated data as a hexadecimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hexa_binary_associated_data: Option<String>,
    /// Account information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_info: Option<String>,
    /// Call-center data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acd_call_data: Option<AcdData>,
    /// The incoming trunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trunk_identification: Option<TrunkIdentification>,
}

impl CallData {
    /// Call data in `state`, with server-default capabilities
    /// (`"addMedias":[]`) and no tag.
    pub fn new(state: MediaState) -> Self {
        Self {
            state,
            capabilities: CallCapabilities::server_default(),
            ..Self::default()
        }
    }
}

// -------------------------------------------------------------------- legs

/// What can be done with a leg (`legs[].capabilities`); only `true` ones
/// are sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LegCapabilities {
    /// Answer.
    #[serde(default, skip_serializing_if = "is_false")]
    pub answer: bool,
    /// Hang up.
    #[serde(default, skip_serializing_if = "is_false")]
    pub drop: bool,
    /// Hold.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hold: bool,
    /// Retrieve from hold.
    #[serde(default, skip_serializing_if = "is_false")]
    pub retrieve: bool,
    /// Reconnect.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reconnect: bool,
    /// Mute.
    #[serde(default, skip_serializing_if = "is_false")]
    pub mute: bool,
    /// Unmute.
    #[serde(default, skip_serializing_if = "is_false")]
    pub un_mute: bool,
    /// Send DTMF.
    #[serde(default, skip_serializing_if = "is_false")]
    pub send_dtmf: bool,
    /// Switch to another device.
    #[serde(default, skip_serializing_if = "is_false")]
    pub switch_device: bool,
}

/// The presence of a call on one of the user's devices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Leg {
    /// The device's number.
    #[serde(default)]
    pub device_id: String,
    /// Sent by the server (`AUDIO`), ignored by the SDKs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaType>,
    /// The leg's state.
    #[serde(default)]
    pub state: MediaState,
    /// The remote party is ringing.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ringing_remote: bool,
    /// What can be done with the leg.
    #[serde(default)]
    pub capabilities: LegCapabilities,
}

impl Leg {
    /// An audio leg (`"media":"AUDIO"`, as the server sends) on `device_id`.
    pub fn new(
        device_id: impl Into<String>,
        state: MediaState,
        capabilities: LegCapabilities,
    ) -> Self {
        Self {
            device_id: device_id.into(),
            media: Some(MediaType::Audio),
            state,
            ringing_remote: false,
            capabilities,
        }
    }
}

// ------------------------------------------------------------ participants

/// One entry of `participants[].mediaCapabilities`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MediaCapability {
    /// The media type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<MediaType>,
}

impl MediaCapability {
    /// A capability for `kind`.
    pub fn new(kind: MediaType) -> Self {
        Self { kind: Some(kind) }
    }
}

/// Another party of a call.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Participant {
    /// The participant's id within the call.
    #[serde(default)]
    pub participant_id: String,
    /// Who it is.
    #[serde(default)]
    pub identity: PartyInfo,
    /// The participant is anonymous.
    #[serde(default, skip_serializing_if = "is_false")]
    pub anonymous: bool,
    /// The participant cannot be dropped.
    #[serde(default, skip_serializing_if = "is_false")]
    pub undroppable: bool,
    /// The participant's state (absent on older servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<MediaState>,
    /// Sent by the server (`[]`), ignored by the SDKs; kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medias: Option<Vec<Value>>,
    /// Sent by the server (`[{"type":"AUDIO"}]`), ignored by the SDKs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_capabilities: Option<Vec<MediaCapability>>,
}

impl Participant {
    /// A participant as the server writes it: `"medias":[]`,
    /// `"mediaCapabilities":[{"type":"AUDIO"}]`.
    pub fn new(participant_id: impl Into<String>, identity: PartyInfo) -> Self {
        Self {
            participant_id: participant_id.into(),
            identity,
            anonymous: false,
            undroppable: false,
            state: None,
            medias: Some(Vec::new()),
            media_capabilities: Some(vec![MediaCapability::new(MediaType::Audio)]),
        }
    }
}

// ----------------------------------------------------------------- devices

/// What a device can do (`deviceCapabilities[]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeviceCapabilities {
    /// The device's number.
    #[serde(default)]
    pub device_id: String,
    /// A call can be made.
    #[serde(default, skip_serializing_if = "is_false")]
    pub make_call: bool,
    /// A business call can be made.
    #[serde(default, skip_serializing_if = "is_false")]
    pub make_business_call: bool,
    /// A private call can be made.
    #[serde(default, skip_serializing_if = "is_false")]
    pub make_private_call: bool,
    /// A parked call can be retrieved.
    #[serde(default, skip_serializing_if = "is_false")]
    pub un_park_call: bool,
}

impl DeviceCapabilities {
    /// No capability on `device_id`.
    pub fn new(device_id: impl Into<String>) -> Self {
        Self {
            device_id: device_id.into(),
            ..Self::default()
        }
    }

    /// An idle device: `makeCall`, `makeBusinessCall`, `unParkCall`.
    pub fn idle(device_id: impl Into<String>) -> Self {
        Self {
            device_id: device_id.into(),
            make_call: true,
            make_business_call: true,
            make_private_call: false,
            un_park_call: true,
        }
    }
}

/// The operational state of one device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeviceState {
    /// The device's number.
    #[serde(default)]
    pub device_id: String,
    /// In service or not.
    #[serde(default)]
    pub state: OperationalState,
}

impl DeviceState {
    /// A device state.
    pub fn new(device_id: impl Into<String>, state: OperationalState) -> Self {
        Self {
            device_id: device_id.into(),
            state,
        }
    }
}

/// `deviceStates` of a [`TelephonicState`]: the list is nested one level,
/// `{"deviceStates":[…]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeviceStateList {
    /// The devices' states.
    #[serde(default)]
    pub device_states: Vec<DeviceState>,
}

impl DeviceStateList {
    /// The list.
    pub fn new(device_states: Vec<DeviceState>) -> Self {
        Self { device_states }
    }
}

// ------------------------------------------------------------------ calls

/// A call as listed by a snapshot (`TelephonicState.calls[]`, `GET
/// telephony/calls`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Call {
    /// The call's reference, scoped to the monitored user.
    #[serde(default)]
    pub call_ref: String,
    /// The call's data.
    #[serde(default)]
    pub call_data: CallData,
    /// The user's legs.
    #[serde(default)]
    pub legs: Vec<Leg>,
    /// The other parties.
    #[serde(default)]
    pub participants: Vec<Participant>,
}

impl Call {
    /// A call.
    pub fn new(
        call_ref: impl Into<String>,
        call_data: CallData,
        legs: Vec<Leg>,
        participants: Vec<Participant>,
    ) -> Self {
        Self {
            call_ref: call_ref.into(),
            call_data,
            legs,
            participants,
        }
    }
}

/// The whole telephonic state of a user (`OnTelephonyState.state`, `GET
/// telephony/state`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TelephonicState {
    /// The user's calls.
    #[serde(default)]
    pub calls: Vec<Call>,
    /// What each device can do.
    #[serde(default)]
    pub device_capabilities: Vec<DeviceCapabilities>,
    /// The user's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_state: Option<UserState>,
    /// The devices' operational states (nested one level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_states: Option<DeviceStateList>,
}
