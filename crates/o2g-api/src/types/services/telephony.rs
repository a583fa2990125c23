//! Telephony request bodies and answer wrappers (O2G reference, §4.2).

use cti_core::Secret;
use serde::{Deserialize, Serialize};

use crate::types::is_false;
use crate::types::telephony::{Call, Leg, Participant, PartyInfo, PilotTransferInfo};

// ------------------------------------------------------------ answer lists

/// The answer of `GET /telephony/calls`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallList {
    /// The user's calls.
    #[serde(default)]
    pub calls: Vec<Call>,
}

impl CallList {
    /// A list.
    pub fn new(calls: Vec<Call>) -> Self {
        Self { calls }
    }
}

/// The answer of `GET /telephony/calls/{callRef}/deviceLegs`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LegList {
    /// The user's legs in the call.
    #[serde(default)]
    pub legs: Vec<Leg>,
}

impl LegList {
    /// A list.
    pub fn new(legs: Vec<Leg>) -> Self {
        Self { legs }
    }
}

/// The answer of `GET /telephony/calls/{callRef}/participants`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParticipantList {
    /// The other parties of the call.
    #[serde(default)]
    pub participants: Vec<Participant>,
}

impl ParticipantList {
    /// A list.
    pub fn new(participants: Vec<Participant>) -> Self {
        Self { participants }
    }
}

// ------------------------------------------------------------- call control

/// The body of `POST /telephony/basicCall`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BasicMakeCallRequest {
    /// The calling device (the user's phone number).
    pub device_id: String,
    /// The number to call.
    pub callee: String,
    /// Let the calling device go off-hook by itself.
    #[serde(default)]
    pub auto_answer: bool,
}

impl BasicMakeCallRequest {
    /// A basic call from `device_id` to `callee`.
    pub fn new(device_id: impl Into<String>, callee: impl Into<String>, auto_answer: bool) -> Self {
        Self {
            device_id: device_id.into(),
            callee: callee.into(),
            auto_answer,
        }
    }
}

/// A body naming the device acting: answer, hold, retrieve, alternate,
/// basic answer (`{"deviceId":"1002"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeviceIdRequest {
    /// The device.
    pub device_id: String,
}

impl DeviceIdRequest {
    /// The body for `device_id`.
    pub fn new(device_id: impl Into<String>) -> Self {
        Self {
            device_id: device_id.into(),
        }
    }
}

/// The body of `POST /telephony/calls` (make call).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MakeCallRequest {
    /// The calling device.
    pub device_id: String,
    /// The number to call.
    pub callee: String,
    /// Let the calling device go off-hook by itself (always written).
    #[serde(default)]
    pub auto_answer: bool,
    /// Do not play the progress tone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inhibit_progress_tone: Option<bool>,
    /// Correlator data as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_data: Option<String>,
    /// Correlator data as a hexadecimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hexa_binary_associated_data: Option<String>,
    /// The number presented to the callee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calling_number: Option<String>,
    /// Private call: the user's PIN (a secret: `Debug` never shows it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::expose_opt_secret"
    )]
    pub pin: Option<Secret<String>>,
    /// Private call: the user's secret code (a secret).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::expose_opt_secret"
    )]
    pub secret_code: Option<Secret<String>>,
    /// Business call: the business code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_code: Option<String>,
    /// Supervisor or pilot call parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acd_call: Option<AcdCall>,
}

impl MakeCallRequest {
    /// A call from `device_id` to `callee`, nothing optional set.
    pub fn new(device_id: impl Into<String>, callee: impl Into<String>, auto_answer: bool) -> Self {
        Self {
            device_id: device_id.into(),
            callee: callee.into(),
            auto_answer,
            inhibit_progress_tone: None,
            associated_data: None,
            hexa_binary_associated_data: None,
            calling_number: None,
            pin: None,
            secret_code: None,
            business_code: None,
            acd_call: None,
        }
    }
}

/// `acdCall` of [`MakeCallRequest`]: a call to the supervisor
/// (`callToSupervisor`) or a call to a CCD pilot (`supervisedTransfer`,
/// `skills`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AcdCall {
    /// Call the agent's supervisor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_to_supervisor: Option<bool>,
    /// A supervised transfer to the pilot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervised_transfer: Option<bool>,
    /// The skills the pilot call requires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<CallSkills>,
}

impl AcdCall {
    /// A call to the supervisor.
    pub fn to_supervisor() -> Self {
        Self {
            call_to_supervisor: Some(true),
            ..Self::default()
        }
    }

    /// A call to a pilot.
    pub fn to_pilot(supervised_transfer: bool, skills: Option<CallSkills>) -> Self {
        Self {
            call_to_supervisor: None,
            supervised_transfer: Some(supervised_transfer),
            skills,
        }
    }
}

/// `{"skills":[…]}`: the skills a pilot call requires.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallSkills {
    /// The skills.
    #[serde(default)]
    pub skills: Vec<CallSkill>,
}

impl CallSkills {
    /// These skills.
    pub fn new(skills: Vec<CallSkill>) -> Self {
        Self { skills }
    }
}

/// One skill a pilot call requires.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallSkill {
    /// The skill number.
    #[serde(default)]
    pub skill_number: i32,
    /// The expertise level required.
    #[serde(default)]
    pub expert_eval_level: i32,
    /// Whether the skill is active for ACR.
    #[serde(default)]
    pub acr_status: bool,
}

impl CallSkill {
    /// A skill.
    pub fn new(skill_number: i32, expert_eval_level: i32, acr_status: bool) -> Self {
        Self {
            skill_number,
            expert_eval_level,
            acr_status,
        }
    }
}

/// The body of `POST /telephony/calls/{callRef}/reconnect`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReconnectRequest {
    /// The device acting.
    pub device_id: String,
    /// The enquiry call to leave.
    pub enquiry_call_ref: String,
}

impl ReconnectRequest {
    /// A reconnect body.
    pub fn new(device_id: impl Into<String>, enquiry_call_ref: impl Into<String>) -> Self {
        Self {
            device_id: device_id.into(),
            enquiry_call_ref: enquiry_call_ref.into(),
        }
    }
}

/// A body naming a held call: supervised transfer, merge (conference),
/// unpark (`{"heldCallRef":"…"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HeldCallRequest {
    /// The held call's reference.
    pub held_call_ref: String,
}

impl HeldCallRequest {
    /// The body for `held_call_ref`.
    pub fn new(held_call_ref: impl Into<String>) -> Self {
        Self {
            held_call_ref: held_call_ref.into(),
        }
    }
}

/// The body of `POST /telephony/calls/{callRef}/blindtransfer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BlindTransferRequest {
    /// Where to transfer the call.
    pub transfer_to: String,
    /// Hide the transferring user's identity (always written).
    #[serde(default)]
    pub anonymous: bool,
}

impl BlindTransferRequest {
    /// A blind transfer to `transfer_to`.
    pub fn new(transfer_to: impl Into<String>, anonymous: bool) -> Self {
        Self {
            transfer_to: transfer_to.into(),
            anonymous,
        }
    }
}

/// The body of `POST /telephony/calls/{callRef}/redirect`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RedirectRequest {
    /// Where to deflect the ringing call.
    pub redirect_to: String,
    /// Hide the redirecting user's identity (always written).
    #[serde(default)]
    pub anonymous: bool,
}

impl RedirectRequest {
    /// A redirection to `redirect_to`.
    pub fn new(redirect_to: impl Into<String>, anonymous: bool) -> Self {
        Self {
            redirect_to: redirect_to.into(),
            anonymous,
        }
    }
}

/// The body of `POST /telephony/calls/{callRef}/park`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ParkRequest {
    /// The device to park on; absent: the call's own device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub park_to: Option<String>,
}

impl ParkRequest {
    /// A park body.
    pub fn new(park_to: Option<String>) -> Self {
        Self { park_to }
    }
}

/// The body of `POST /telephony/calls/{callRef}/sendDtmf`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SendDtmfRequest {
    /// The device acting.
    pub device_id: String,
    /// The digits.
    pub number: String,
}

impl SendDtmfRequest {
    /// A DTMF body.
    pub fn new(device_id: impl Into<String>, number: impl Into<String>) -> Self {
        Self {
            device_id: device_id.into(),
            number: number.into(),
        }
    }
}

/// The body of `POST /telephony/calls/{callRef}/sendaccountinfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SendAccountInfoRequest {
    /// The device acting.
    pub device_id: String,
    /// The account information.
    pub account_info: String,
}

impl SendAccountInfoRequest {
    /// An account-info body.
    pub fn new(device_id: impl Into<String>, account_info: impl Into<String>) -> Self {
        Self {
            device_id: device_id.into(),
            account_info: account_info.into(),
        }
    }
}

/// The body of `POST /telephony/calls/{callRef}/attachdata`: text
/// (`associatedData`) or hexadecimal (`hexaBinaryAssociatedData`) data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttachDataRequest {
    /// The device acting.
    pub device_id: String,
    /// Correlator data as text (Java reads `associateData` too).
    #[serde(
        default,
        alias = "associateData",
        skip_serializing_if = "Option::is_none"
    )]
    pub associated_data: Option<String>,
    /// Correlator data as a hexadecimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hexa_binary_associated_data: Option<String>,
}

impl AttachDataRequest {
    /// Attaches text data.
    pub fn text(device_id: impl Into<String>, data: impl Into<String>) -> Self {
        Self {
            device_id: device_id.into(),
            associated_data: Some(data.into()),
            hexa_binary_associated_data: None,
        }
    }

    /// Attaches data given as a hexadecimal string.
    pub fn hexa(device_id: impl Into<String>, hex: impl Into<String>) -> Self {
        Self {
            device_id: device_id.into(),
            associated_data: None,
            hexa_binary_associated_data: Some(hex.into()),
        }
    }
}

wire_enum! {
    /// The `action` query of `POST /telephony/calls/{callRef}/recording`.
    RecordingAction {
        /// Start recording.
        Start = "start",
        /// Stop recording.
        Stop = "stop",
        /// Pause recording.
        Pause = "pause",
        /// Resume a paused recording.
        Resume = "resume",
    }
}

// ------------------------------------------------------------------ devices

/// The body of `POST /telephony/devices/{deviceId}/pickup`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PickupRequest {
    /// The reference of the ringing call to pick up.
    pub other_call_ref: String,
    /// The number of the ringing device.
    pub other_phone_number: String,
    /// Let the picking device go off-hook by itself (always written).
    #[serde(default)]
    pub auto_answer: bool,
}

impl PickupRequest {
    /// A pickup body.
    pub fn new(
        other_call_ref: impl Into<String>,
        other_phone_number: impl Into<String>,
        auto_answer: bool,
    ) -> Self {
        Self {
            other_call_ref: other_call_ref.into(),
            other_phone_number: other_phone_number.into(),
            auto_answer,
        }
    }
}

/// The body of `POST /telephony/deskSharing` (log on to a desk-sharing
/// set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeskSharingRequest {
    /// The desk-sharing set's number.
    pub dss_device_number: String,
}

impl DeskSharingRequest {
    /// A desk-sharing log-on body.
    pub fn new(dss_device_number: impl Into<String>) -> Self {
        Self {
            dss_device_number: dss_device_number.into(),
        }
    }
}

// ------------------------------------------------------------ hunting groups

/// The answer of `GET /telephony/huntingGroupLogOn`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HuntingGroupStatus {
    /// Logged on to the user's hunting group.
    #[serde(default, skip_serializing_if = "is_false")]
    pub logon: bool,
}

impl HuntingGroupStatus {
    /// A status.
    pub fn new(logon: bool) -> Self {
        Self { logon }
    }
}

/// The answer of `GET /telephony/huntingGroups`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HuntingGroups {
    /// The hunting groups' numbers.
    #[serde(default)]
    pub hg_list: Vec<String>,
    /// The group the user is a member of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_hg: Option<String>,
}

impl HuntingGroups {
    /// A list of groups.
    pub fn new(hg_list: Vec<String>, current_hg: Option<String>) -> Self {
        Self {
            hg_list,
            current_hg,
        }
    }
}

// --------------------------------------------------------------- callbacks

/// One entry of `GET /telephony/incomingCallbacks`: someone asked the
/// user to call back.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Callback {
    /// The request's id (for `DELETE incomingCallbacks/{callbackId}`).
    #[serde(default)]
    pub callback_id: String,
    /// Who asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_info: Option<PartyInfo>,
}

impl Callback {
    /// A callback request.
    pub fn new(callback_id: impl Into<String>, party_info: Option<PartyInfo>) -> Self {
        Self {
            callback_id: callback_id.into(),
            party_info,
        }
    }
}

/// The answer of `GET /telephony/incomingCallbacks`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallbackList {
    /// The callback requests.
    #[serde(default)]
    pub callbacks: Vec<Callback>,
}

impl CallbackList {
    /// A list.
    pub fn new(callbacks: Vec<Callback>) -> Self {
        Self { callbacks }
    }
}

/// The body of `POST /telephony/outgoingCallbacks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallbackRequest {
    /// Who should call back.
    pub callee: String,
}

impl CallbackRequest {
    /// A callback request to `callee`.
    pub fn new(callee: impl Into<String>) -> Self {
        Self {
            callee: callee.into(),
        }
    }
}

// ------------------------------------------------------------ mini messages

/// The answer of `GET /telephony/miniMessages`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MiniMessage {
    /// Who sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    /// When it was sent, ISO-8601 (`dateTime`; Java reads `date`).
    #[serde(default, alias = "date", skip_serializing_if = "Option::is_none")]
    pub date_time: Option<String>,
    /// The text.
    #[serde(default)]
    pub message: String,
}

impl MiniMessage {
    /// A message.
    pub fn new(
        sender: Option<String>,
        date_time: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            sender,
            date_time,
            message: message.into(),
        }
    }
}

/// The body of `POST /telephony/miniMessages`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MiniMessageRequest {
    /// The recipient's number.
    pub recipient: String,
    /// The text.
    pub message: String,
}

impl MiniMessageRequest {
    /// A message to `recipient`.
    pub fn new(recipient: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            recipient: recipient.into(),
            message: message.into(),
        }
    }
}

// ------------------------------------------------------------------ pilots

/// The body of `POST /telephony/pilots/{nodeId}/{pilotNumber}/transferInfo`
/// (every field optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TransferInfoRequest {
    /// The agent asking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_number: Option<String>,
    /// The skills the transfer requires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<CallSkills>,
    /// A priority transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_transfer: Option<bool>,
    /// A supervised transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervised_transfer: Option<bool>,
}

/// The answer of `POST /telephony/pilots/{nodeId}/{pilotNumber}/transferInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PilotInfo {
    /// The pilot's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The expected waiting time, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_time: Option<i64>,
    /// The pilot's queue is saturated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub saturation: bool,
    /// The transfer would be supervised.
    #[serde(default, skip_serializing_if = "is_false")]
    pub supervised_transfer: bool,
    /// Whether a transfer is possible, and the pilot's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pilot_transfer_info: Option<PilotTransferInfo>,
}
