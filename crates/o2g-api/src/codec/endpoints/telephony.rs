//! Telephony (O2G reference, §4.2): 52 endpoints, all relative to the
//! telephony service URL (`base/telephony`).
//!
//! Call references are scoped to the monitored user: pass the reference
//! the user's own events gave, with the same `login_name`.

use super::{EndpointInfo, Operation, login_setter, operation, per_user, request};
use crate::codec::{ApiError, ApiRequest, ApiResponse, Endpoint, segment};
use crate::types::services::{
    AcdCall, AttachDataRequest, BasicMakeCallRequest, BlindTransferRequest, CallList, Callback,
    CallbackList, CallbackRequest, DeskSharingRequest, DeviceIdRequest, HeldCallRequest,
    HuntingGroupStatus, HuntingGroups, LegList, MakeCallRequest, MiniMessage, MiniMessageRequest,
    ParkRequest, ParticipantList, PickupRequest, PilotInfo, ReconnectRequest, RecordingAction,
    RedirectRequest, SendAccountInfoRequest, SendDtmfRequest, TransferInfoRequest,
};
use crate::types::telephony::{
    Call, DeviceState, DeviceStateList, Leg, Participant, TelephonicState,
};
use cti_core::Secret;

/// The telephony endpoints.
pub fn catalogue() -> Vec<EndpointInfo> {
    vec![
        BasicMakeCall::INFO,
        BasicAnswerCall::INFO,
        BasicDropMe::INFO,
        GetCalls::INFO,
        MakeCall::INFO,
        GetCall::INFO,
        ReleaseCall::INFO,
        AnswerCall::INFO,
        HoldCall::INFO,
        RetrieveCall::INFO,
        AlternateCall::INFO,
        ReconnectCall::INFO,
        TransferCall::INFO,
        BlindTransfer::INFO,
        MergeCall::INFO,
        RedirectCall::INFO,
        ParkCall::INFO,
        DropMe::INFO,
        OverflowToVoiceMail::INFO,
        CallbackOnCall::INFO,
        SendDtmf::INFO,
        SendAccountInfo::INFO,
        AttachData::INFO,
        Recording::INFO,
        GetLegs::INFO,
        GetLeg::INFO,
        GetParticipants::INFO,
        GetParticipant::INFO,
        DropParticipant::INFO,
        GetTelephonicState::INFO,
        RequestSnapshot::INFO,
        GetDeviceStates::INFO,
        GetDeviceState::INFO,
        Pickup::INFO,
        Unpark::INFO,
        Intrusion::INFO,
        ToggleInterphony::INFO,
        DeskSharingLogOn::INFO,
        DeskSharingLogOff::INFO,
        GetHuntingGroupStatus::INFO,
        HuntingGroupLogOn::INFO,
        HuntingGroupLogOff::INFO,
        JoinHuntingGroup::INFO,
        LeaveHuntingGroup::INFO,
        GetHuntingGroups::INFO,
        GetCallbacks::INFO,
        DeleteCallbacks::INFO,
        DeleteCallback::INFO,
        RequestCallback::INFO,
        GetMiniMessage::INFO,
        SendMiniMessage::INFO,
        GetPilotTransferInfo::INFO,
    ]
}

/// Implements [`Endpoint`] for a bodiless command: `$path` is built from
/// `self`, the answer is `()`.
macro_rules! command {
    ($ty:ident, |$s:ident| $path:expr) => {
        impl Endpoint for $ty {
            type Output = ();

            fn request(&self) -> ApiRequest {
                let $s = self;
                request::<Self>($path).login($s.login_name.as_deref())
            }

            fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
                response.empty()
            }
        }
    };
    ($ty:ident, |$s:ident| $path:expr, body $body:expr) => {
        impl Endpoint for $ty {
            type Output = ();

            fn request(&self) -> ApiRequest {
                let $s = self;
                request::<Self>($path)
                    .login($s.login_name.as_deref())
                    .json(&$body)
            }

            fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
                response.empty()
            }
        }
    };
}

/// Implements [`Endpoint`] for a read whose answer decodes as `$wire` and is
/// turned into `$out` by `$map`.
macro_rules! read {
    ($ty:ident, |$s:ident| $path:expr, $what:literal, $out:ty) => {
        read!($ty, |$s| $path, $what, $out, $out, |x| x);
    };
    ($ty:ident, |$s:ident| $path:expr, $what:literal, $wire:ty, $out:ty, |$w:ident| $map:expr) => {
        impl Endpoint for $ty {
            type Output = $out;

            fn request(&self) -> ApiRequest {
                let $s = self;
                request::<Self>($path).login($s.login_name.as_deref())
            }

            fn decode(&self, response: ApiResponse) -> Result<$out, ApiError> {
                response.json::<$wire>($what).map(|$w| $map)
            }
        }
    };
}

/// `/calls/{callRef}` + `tail`.
fn call_path(call_ref: &str, tail: &str) -> String {
    format!("/calls/{}{tail}", segment(call_ref))
}

/// `/devices/{deviceId}` + `tail`.
fn device_path(device_id: &str, tail: &str) -> String {
    format!("/devices/{}{tail}", segment(device_id))
}

// --------------------------------------------------------------- basic call

/// `POST /telephony/basicCall`: a call from `device_id` to `callee` with
/// the basic-telephony license (201).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BasicMakeCall {
    /// The body.
    pub body: BasicMakeCallRequest,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl BasicMakeCall {
    /// A call from `device_id` to `callee`; the device answers by itself
    /// (`autoAnswer: true`, the SDKs' default).
    pub fn new(device_id: impl Into<String>, callee: impl Into<String>) -> Self {
        Self {
            body: BasicMakeCallRequest::new(device_id, callee, true),
            login_name: None,
        }
    }

    /// Whether the calling device answers by itself.
    pub fn auto_answer(mut self, on: bool) -> Self {
        self.body.auto_answer = on;
        self
    }
}
login_setter!(BasicMakeCall);
command!(BasicMakeCall, |s| "/basicCall", body s.body);
operation!(BasicMakeCall, Telephony, POST, "/basicCall");

per_user! {
    /// `POST /telephony/basicCall/answer`: answers the ringing call on
    /// `device_id`.
    BasicAnswerCall {
        /// The ringing device.
        device_id,
    }
}
command!(BasicAnswerCall, |s| "/basicCall/answer", body DeviceIdRequest::new(s.device_id.as_str()));
operation!(BasicAnswerCall, Telephony, POST, "/basicCall/answer");

per_user! {
    /// `POST /telephony/basicCall/dropme`: leaves the current call.
    BasicDropMe {}
}
command!(BasicDropMe, |_s| "/basicCall/dropme");
operation!(BasicDropMe, Telephony, POST, "/basicCall/dropme");

// -------------------------------------------------------------------- calls

per_user! {
    /// `GET /telephony/calls`: the user's calls.
    GetCalls {}
}
read!(
    GetCalls,
    |_s| "/calls",
    "call list",
    CallList,
    Vec<Call>,
    |l| l.calls
);
operation!(GetCalls, Telephony, GET, "/calls");

/// `POST /telephony/calls`: makes a call (201). Private, business,
/// supervisor and pilot calls set the matching body fields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MakeCall {
    /// The body.
    pub body: MakeCallRequest,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl MakeCall {
    /// A call from `device_id` to `callee`; the device answers by itself
    /// (`autoAnswer: true`, the SDKs' default).
    pub fn new(device_id: impl Into<String>, callee: impl Into<String>) -> Self {
        Self::with_body(MakeCallRequest::new(device_id, callee, true))
    }

    /// A call with this body.
    pub fn with_body(body: MakeCallRequest) -> Self {
        Self {
            body,
            login_name: None,
        }
    }

    /// Whether the calling device answers by itself.
    pub fn auto_answer(mut self, on: bool) -> Self {
        self.body.auto_answer = on;
        self
    }

    /// Do not play the progress tone.
    pub fn inhibit_progress_tone(mut self, on: bool) -> Self {
        self.body.inhibit_progress_tone = Some(on);
        self
    }

    /// Correlator data as text.
    pub fn associated_data(mut self, data: impl Into<String>) -> Self {
        self.body.associated_data = Some(data.into());
        self
    }

    /// Correlator data as a hexadecimal string.
    pub fn hexa_binary_associated_data(mut self, hex: impl Into<String>) -> Self {
        self.body.hexa_binary_associated_data = Some(hex.into());
        self
    }

    /// The number presented to the callee.
    pub fn calling_number(mut self, number: impl Into<String>) -> Self {
        self.body.calling_number = Some(number.into());
        self
    }

    /// A private call, with the user's PIN and secret code.
    pub fn private(mut self, pin: impl Into<String>, secret_code: impl Into<String>) -> Self {
        self.body.pin = Some(Secret::new(pin.into()));
        self.body.secret_code = Some(Secret::new(secret_code.into()));
        self
    }

    /// A business call with this business code.
    pub fn business_code(mut self, code: impl Into<String>) -> Self {
        self.body.business_code = Some(code.into());
        self
    }

    /// A supervisor or pilot call.
    pub fn acd_call(mut self, acd: AcdCall) -> Self {
        self.body.acd_call = Some(acd);
        self
    }
}
login_setter!(MakeCall);
command!(MakeCall, |s| "/calls", body s.body);
operation!(MakeCall, Telephony, POST, "/calls");

per_user! {
    /// `GET /telephony/calls/{callRef}`: one call.
    GetCall {
        /// The call.
        call_ref,
    }
}
read!(GetCall, |s| call_path(&s.call_ref, ""), "call", Call);
operation!(GetCall, Telephony, GET, "/calls/{callRef}");

per_user! {
    /// `DELETE /telephony/calls/{callRef}`: hangs up the whole call.
    ReleaseCall {
        /// The call.
        call_ref,
    }
}
command!(ReleaseCall, |s| call_path(&s.call_ref, ""));
operation!(ReleaseCall, Telephony, DELETE, "/calls/{callRef}");

per_user! {
    /// `POST /telephony/calls/{callRef}/answer`: answers a ringing call.
    AnswerCall {
        /// The call.
        call_ref,
        /// The device answering.
        device_id,
    }
}
command!(AnswerCall, |s| call_path(&s.call_ref, "/answer"), body DeviceIdRequest::new(s.device_id.as_str()));
operation!(AnswerCall, Telephony, POST, "/calls/{callRef}/answer");

per_user! {
    /// `POST /telephony/calls/{callRef}/hold`: puts an active call on hold.
    HoldCall {
        /// The call.
        call_ref,
        /// The device holding.
        device_id,
    }
}
command!(HoldCall, |s| call_path(&s.call_ref, "/hold"), body DeviceIdRequest::new(s.device_id.as_str()));
operation!(HoldCall, Telephony, POST, "/calls/{callRef}/hold");

per_user! {
    /// `POST /telephony/calls/{callRef}/retrieve`: takes a held call back.
    RetrieveCall {
        /// The held call.
        call_ref,
        /// The device retrieving.
        device_id,
    }
}
command!(RetrieveCall, |s| call_path(&s.call_ref, "/retrieve"), body DeviceIdRequest::new(s.device_id.as_str()));
operation!(RetrieveCall, Telephony, POST, "/calls/{callRef}/retrieve");

per_user! {
    /// `POST /telephony/calls/{callRef}/alternate`: swaps to the held call
    /// `call_ref`, holding the active one.
    AlternateCall {
        /// The held call to go to.
        call_ref,
        /// The device acting.
        device_id,
    }
}
command!(AlternateCall, |s| call_path(&s.call_ref, "/alternate"), body DeviceIdRequest::new(s.device_id.as_str()));
operation!(AlternateCall, Telephony, POST, "/calls/{callRef}/alternate");

per_user! {
    /// `POST /telephony/calls/{callRef}/reconnect`: releases the enquiry
    /// call and retrieves the held call `call_ref`.
    ReconnectCall {
        /// The held call.
        call_ref,
        /// The device acting.
        device_id,
        /// The enquiry call to release.
        enquiry_call_ref,
    }
}
command!(ReconnectCall, |s| call_path(&s.call_ref, "/reconnect"), body ReconnectRequest::new(s.device_id.as_str(), s.enquiry_call_ref.as_str()));
operation!(ReconnectCall, Telephony, POST, "/calls/{callRef}/reconnect");

per_user! {
    /// `POST /telephony/calls/{callRef}/transfer`: supervised transfer of
    /// the held call to the party of the active (enquiry) call `call_ref`.
    TransferCall {
        /// The active (enquiry) call.
        call_ref,
        /// The held call.
        held_call_ref,
    }
}
command!(TransferCall, |s| call_path(&s.call_ref, "/transfer"), body HeldCallRequest::new(s.held_call_ref.as_str()));
operation!(TransferCall, Telephony, POST, "/calls/{callRef}/transfer");

/// `POST /telephony/calls/{callRef}/blindtransfer`: unsupervised transfer
/// of `call_ref` to `transfer_to`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlindTransfer {
    /// The call to transfer.
    pub call_ref: String,
    /// The body.
    pub body: BlindTransferRequest,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl BlindTransfer {
    /// Transfers `call_ref` to `transfer_to`, not anonymously.
    pub fn new(call_ref: impl Into<String>, transfer_to: impl Into<String>) -> Self {
        Self {
            call_ref: call_ref.into(),
            body: BlindTransferRequest::new(transfer_to, false),
            login_name: None,
        }
    }

    /// Hides the transferring user's identity.
    pub fn anonymous(mut self, on: bool) -> Self {
        self.body.anonymous = on;
        self
    }
}
login_setter!(BlindTransfer);
command!(BlindTransfer, |s| call_path(&s.call_ref, "/blindtransfer"), body s.body);
operation!(
    BlindTransfer,
    Telephony,
    POST,
    "/calls/{callRef}/blindtransfer"
);

per_user! {
    /// `POST /telephony/calls/{callRef}/merge`: three-party conference of
    /// the active call `call_ref` and the held call.
    MergeCall {
        /// The active call.
        call_ref,
        /// The held call.
        held_call_ref,
    }
}
command!(MergeCall, |s| call_path(&s.call_ref, "/merge"), body HeldCallRequest::new(s.held_call_ref.as_str()));
operation!(MergeCall, Telephony, POST, "/calls/{callRef}/merge");

/// `POST /telephony/calls/{callRef}/redirect`: deflects a ringing call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedirectCall {
    /// The ringing call.
    pub call_ref: String,
    /// The body.
    pub body: RedirectRequest,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl RedirectCall {
    /// Deflects `call_ref` to `redirect_to`, not anonymously.
    pub fn new(call_ref: impl Into<String>, redirect_to: impl Into<String>) -> Self {
        Self {
            call_ref: call_ref.into(),
            body: RedirectRequest::new(redirect_to, false),
            login_name: None,
        }
    }

    /// Hides the redirecting user's identity.
    pub fn anonymous(mut self, on: bool) -> Self {
        self.body.anonymous = on;
        self
    }
}
login_setter!(RedirectCall);
command!(RedirectCall, |s| call_path(&s.call_ref, "/redirect"), body s.body);
operation!(RedirectCall, Telephony, POST, "/calls/{callRef}/redirect");

/// `POST /telephony/calls/{callRef}/park`: parks a call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParkCall {
    /// The call.
    pub call_ref: String,
    /// The device to park on; `None`: the call's own device.
    pub park_to: Option<String>,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl ParkCall {
    /// Parks `call_ref` on its own device.
    pub fn new(call_ref: impl Into<String>) -> Self {
        Self {
            call_ref: call_ref.into(),
            park_to: None,
            login_name: None,
        }
    }

    /// Parks on `device`.
    pub fn park_to(mut self, device: impl Into<String>) -> Self {
        self.park_to = Some(device.into());
        self
    }
}
login_setter!(ParkCall);
command!(ParkCall, |s| call_path(&s.call_ref, "/park"), body ParkRequest::new(s.park_to.clone()));
operation!(ParkCall, Telephony, POST, "/calls/{callRef}/park");

per_user! {
    /// `POST /telephony/calls/{callRef}/dropme`: leaves the call, the others
    /// stay connected.
    DropMe {
        /// The call.
        call_ref,
    }
}
command!(DropMe, |s| call_path(&s.call_ref, "/dropme"));
operation!(DropMe, Telephony, POST, "/calls/{callRef}/dropme");

per_user! {
    /// `POST /telephony/calls/{callRef}/overflowToVoiceMail`: sends a
    /// ringing call to the voice mail.
    OverflowToVoiceMail {
        /// The ringing call.
        call_ref,
    }
}
command!(OverflowToVoiceMail, |s| call_path(
    &s.call_ref,
    "/overflowToVoiceMail"
));
operation!(
    OverflowToVoiceMail,
    Telephony,
    POST,
    "/calls/{callRef}/overflowToVoiceMail"
);

per_user! {
    /// `POST /telephony/calls/{callRef}/callback`: asks the busy or
    /// unanswering callee to call back.
    CallbackOnCall {
        /// The call to the busy or unanswering party.
        call_ref,
    }
}
command!(CallbackOnCall, |s| call_path(&s.call_ref, "/callback"));
operation!(CallbackOnCall, Telephony, POST, "/calls/{callRef}/callback");

per_user! {
    /// `POST /telephony/calls/{callRef}/sendDtmf`: sends DTMF digits.
    SendDtmf {
        /// The call.
        call_ref,
        /// The device sending.
        device_id,
        /// The digits.
        number,
    }
}
command!(SendDtmf, |s| call_path(&s.call_ref, "/sendDtmf"), body SendDtmfRequest::new(s.device_id.as_str(), s.number.as_str()));
operation!(SendDtmf, Telephony, POST, "/calls/{callRef}/sendDtmf");

per_user! {
    /// `POST /telephony/calls/{callRef}/sendaccountinfo`: sends account
    /// information.
    SendAccountInfo {
        /// The call.
        call_ref,
        /// The device sending.
        device_id,
        /// The account information.
        account_info,
    }
}
command!(SendAccountInfo, |s| call_path(&s.call_ref, "/sendaccountinfo"), body SendAccountInfoRequest::new(s.device_id.as_str(), s.account_info.as_str()));
operation!(
    SendAccountInfo,
    Telephony,
    POST,
    "/calls/{callRef}/sendaccountinfo"
);

/// `POST /telephony/calls/{callRef}/attachdata`: attaches correlator data.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttachData {
    /// The call.
    pub call_ref: String,
    /// The body.
    pub body: AttachDataRequest,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl AttachData {
    /// Attaches `data` as text.
    pub fn text(
        call_ref: impl Into<String>,
        device_id: impl Into<String>,
        data: impl Into<String>,
    ) -> Self {
        Self {
            call_ref: call_ref.into(),
            body: AttachDataRequest::text(device_id, data),
            login_name: None,
        }
    }

    /// Attaches data given as a hexadecimal string.
    pub fn hexa(
        call_ref: impl Into<String>,
        device_id: impl Into<String>,
        hex: impl Into<String>,
    ) -> Self {
        Self {
            call_ref: call_ref.into(),
            body: AttachDataRequest::hexa(device_id, hex),
            login_name: None,
        }
    }
}
login_setter!(AttachData);
command!(AttachData, |s| call_path(&s.call_ref, "/attachdata"), body s.body);
operation!(AttachData, Telephony, POST, "/calls/{callRef}/attachdata");

/// `POST /telephony/calls/{callRef}/recording?action=start|stop|pause|resume`:
/// controls the recording of a call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recording {
    /// The call.
    pub call_ref: String,
    /// What to do.
    pub action: RecordingAction,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl Recording {
    /// `action` on the recording of `call_ref`.
    pub fn new(call_ref: impl Into<String>, action: RecordingAction) -> Self {
        Self {
            call_ref: call_ref.into(),
            action,
            login_name: None,
        }
    }

    /// Starts recording.
    pub fn start(call_ref: impl Into<String>) -> Self {
        Self::new(call_ref, RecordingAction::Start)
    }

    /// Stops recording.
    pub fn stop(call_ref: impl Into<String>) -> Self {
        Self::new(call_ref, RecordingAction::Stop)
    }

    /// Pauses recording.
    pub fn pause(call_ref: impl Into<String>) -> Self {
        Self::new(call_ref, RecordingAction::Pause)
    }

    /// Resumes a paused recording.
    pub fn resume(call_ref: impl Into<String>) -> Self {
        Self::new(call_ref, RecordingAction::Resume)
    }
}
login_setter!(Recording);

impl Endpoint for Recording {
    type Output = ();

    fn request(&self) -> ApiRequest {
        request::<Self>(call_path(&self.call_ref, "/recording"))
            .query("action", self.action.as_str())
            .login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
        response.empty()
    }
}
operation!(Recording, Telephony, POST, "/calls/{callRef}/recording");

per_user! {
    /// `GET /telephony/calls/{callRef}/deviceLegs`: the user's legs in the
    /// call.
    GetLegs {
        /// The call.
        call_ref,
    }
}
read!(
    GetLegs,
    |s| call_path(&s.call_ref, "/deviceLegs"),
    "leg list",
    LegList,
    Vec<Leg>,
    |l| l.legs
);
operation!(GetLegs, Telephony, GET, "/calls/{callRef}/deviceLegs");

per_user! {
    /// `GET /telephony/calls/{callRef}/deviceLegs/{legId}`: one leg.
    GetLeg {
        /// The call.
        call_ref,
        /// The leg.
        leg_id,
    }
}
read!(
    GetLeg,
    |s| call_path(&s.call_ref, &format!("/deviceLegs/{}", segment(&s.leg_id))),
    "leg",
    Leg
);
operation!(
    GetLeg,
    Telephony,
    GET,
    "/calls/{callRef}/deviceLegs/{legId}"
);

per_user! {
    /// `GET /telephony/calls/{callRef}/participants`: the other parties.
    GetParticipants {
        /// The call.
        call_ref,
    }
}
read!(
    GetParticipants,
    |s| call_path(&s.call_ref, "/participants"),
    "participant list",
    ParticipantList,
    Vec<Participant>,
    |l| l.participants
);
operation!(
    GetParticipants,
    Telephony,
    GET,
    "/calls/{callRef}/participants"
);

per_user! {
    /// `GET /telephony/calls/{callRef}/participants/{participantId}`.
    GetParticipant {
        /// The call.
        call_ref,
        /// The participant.
        participant_id,
    }
}
read!(
    GetParticipant,
    |s| call_path(
        &s.call_ref,
        &format!("/participants/{}", segment(&s.participant_id))
    ),
    "participant",
    Participant
);
operation!(
    GetParticipant,
    Telephony,
    GET,
    "/calls/{callRef}/participants/{participantId}"
);

per_user! {
    /// `DELETE /telephony/calls/{callRef}/participants/{participantId}`:
    /// drops a participant from a conference.
    DropParticipant {
        /// The call.
        call_ref,
        /// The participant.
        participant_id,
    }
}
command!(DropParticipant, |s| call_path(
    &s.call_ref,
    &format!("/participants/{}", segment(&s.participant_id))
));
operation!(
    DropParticipant,
    Telephony,
    DELETE,
    "/calls/{callRef}/participants/{participantId}"
);

// -------------------------------------------------------- state and devices

per_user! {
    /// `GET /telephony/state`: calls, user state, device states.
    GetTelephonicState {}
}
read!(
    GetTelephonicState,
    |_s| "/state",
    "telephonic state",
    TelephonicState
);
operation!(GetTelephonicState, Telephony, GET, "/state");

per_user! {
    /// `POST /telephony/state/snapshot`: asks for an `OnTelephonyState`
    /// event on the channel.
    RequestSnapshot {}
}
command!(RequestSnapshot, |_s| "/state/snapshot");
operation!(RequestSnapshot, Telephony, POST, "/state/snapshot");

per_user! {
    /// `GET /telephony/devices`: the operational state of the user's
    /// devices.
    GetDeviceStates {}
}
read!(
    GetDeviceStates,
    |_s| "/devices",
    "device state list",
    DeviceStateList,
    Vec<DeviceState>,
    |l| l.device_states
);
operation!(GetDeviceStates, Telephony, GET, "/devices");

per_user! {
    /// `GET /telephony/devices/{deviceId}`: one device's state.
    GetDeviceState {
        /// The device.
        device_id,
    }
}
read!(
    GetDeviceState,
    |s| device_path(&s.device_id, ""),
    "device state",
    DeviceState
);
operation!(GetDeviceState, Telephony, GET, "/devices/{deviceId}");

/// `POST /telephony/devices/{deviceId}/pickup`: picks up a call ringing
/// elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pickup {
    /// The device picking up.
    pub device_id: String,
    /// The body.
    pub body: PickupRequest,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl Pickup {
    /// Picks up `other_call_ref`, ringing on `other_phone_number`, on
    /// `device_id` (no auto-answer).
    pub fn new(
        device_id: impl Into<String>,
        other_call_ref: impl Into<String>,
        other_phone_number: impl Into<String>,
    ) -> Self {
        Self {
            device_id: device_id.into(),
            body: PickupRequest::new(other_call_ref, other_phone_number, false),
            login_name: None,
        }
    }

    /// Whether the picking device answers by itself.
    pub fn auto_answer(mut self, on: bool) -> Self {
        self.body.auto_answer = on;
        self
    }
}
login_setter!(Pickup);
command!(Pickup, |s| device_path(&s.device_id, "/pickup"), body s.body);
operation!(Pickup, Telephony, POST, "/devices/{deviceId}/pickup");

per_user! {
    /// `POST /telephony/devices/{deviceId}/unpark`: takes back a parked
    /// call.
    Unpark {
        /// The device.
        device_id,
        /// The parked call.
        held_call_ref,
    }
}
command!(Unpark, |s| device_path(&s.device_id, "/unpark"), body HeldCallRequest::new(s.held_call_ref.as_str()));
operation!(Unpark, Telephony, POST, "/devices/{deviceId}/unpark");

per_user! {
    /// `POST /telephony/devices/{deviceId}/intrusion`: intrudes into the
    /// busy callee's call.
    Intrusion {
        /// The device.
        device_id,
    }
}
command!(Intrusion, |s| device_path(&s.device_id, "/intrusion"));
operation!(Intrusion, Telephony, POST, "/devices/{deviceId}/intrusion");

per_user! {
    /// `POST /telephony/devices/{deviceId}/ithmicro`: toggles the
    /// interphony microphone (Node sends PUT; servers accept POST, as Java
    /// sends it).
    ToggleInterphony {
        /// The device.
        device_id,
    }
}
command!(ToggleInterphony, |s| device_path(&s.device_id, "/ithmicro"));
operation!(
    ToggleInterphony,
    Telephony,
    POST,
    "/devices/{deviceId}/ithmicro"
);

per_user! {
    /// `POST /telephony/deskSharing`: logs the user on to a desk-sharing
    /// set.
    DeskSharingLogOn {
        /// The desk-sharing set's number.
        dss_device_number,
    }
}
command!(DeskSharingLogOn, |s| "/deskSharing", body DeskSharingRequest::new(s.dss_device_number.as_str()));
operation!(DeskSharingLogOn, Telephony, POST, "/deskSharing");

per_user! {
    /// `DELETE /telephony/deskSharing`: logs the user off the desk-sharing
    /// set.
    DeskSharingLogOff {}
}
command!(DeskSharingLogOff, |_s| "/deskSharing");
operation!(DeskSharingLogOff, Telephony, DELETE, "/deskSharing");

// ----------------------------------------------------------- hunting groups

per_user! {
    /// `GET /telephony/huntingGroupLogOn`: whether the user is logged on to
    /// its hunting group.
    GetHuntingGroupStatus {}
}
read!(
    GetHuntingGroupStatus,
    |_s| "/huntingGroupLogOn",
    "hunting group status",
    HuntingGroupStatus
);
operation!(GetHuntingGroupStatus, Telephony, GET, "/huntingGroupLogOn");

per_user! {
    /// `POST /telephony/huntingGroupLogOn`: logs on to the hunting group.
    HuntingGroupLogOn {}
}
command!(HuntingGroupLogOn, |_s| "/huntingGroupLogOn");
operation!(HuntingGroupLogOn, Telephony, POST, "/huntingGroupLogOn");

per_user! {
    /// `DELETE /telephony/huntingGroupLogOn`: logs off the hunting group.
    HuntingGroupLogOff {}
}
command!(HuntingGroupLogOff, |_s| "/huntingGroupLogOn");
operation!(HuntingGroupLogOff, Telephony, DELETE, "/huntingGroupLogOn");

per_user! {
    /// `POST /telephony/huntingGroupMember/{hgNumber}`: joins a hunting
    /// group.
    JoinHuntingGroup {
        /// The group's number.
        hg_number,
    }
}
command!(JoinHuntingGroup, |s| format!(
    "/huntingGroupMember/{}",
    segment(&s.hg_number)
));
operation!(
    JoinHuntingGroup,
    Telephony,
    POST,
    "/huntingGroupMember/{hgNumber}"
);

per_user! {
    /// `DELETE /telephony/huntingGroupMember/{hgNumber}`: leaves a hunting
    /// group.
    LeaveHuntingGroup {
        /// The group's number.
        hg_number,
    }
}
command!(LeaveHuntingGroup, |s| format!(
    "/huntingGroupMember/{}",
    segment(&s.hg_number)
));
operation!(
    LeaveHuntingGroup,
    Telephony,
    DELETE,
    "/huntingGroupMember/{hgNumber}"
);

per_user! {
    /// `GET /telephony/huntingGroups`: the hunting groups and the user's.
    GetHuntingGroups {}
}
read!(
    GetHuntingGroups,
    |_s| "/huntingGroups",
    "hunting groups",
    HuntingGroups
);
operation!(GetHuntingGroups, Telephony, GET, "/huntingGroups");

// ---------------------------------------------------------------- callbacks

per_user! {
    /// `GET /telephony/incomingCallbacks`: who asked the user to call back.
    GetCallbacks {}
}
read!(
    GetCallbacks,
    |_s| "/incomingCallbacks",
    "callback list",
    CallbackList,
    Vec<Callback>,
    |l| l.callbacks
);
operation!(GetCallbacks, Telephony, GET, "/incomingCallbacks");

per_user! {
    /// `DELETE /telephony/incomingCallbacks`: deletes every callback
    /// request.
    DeleteCallbacks {}
}
command!(DeleteCallbacks, |_s| "/incomingCallbacks");
operation!(DeleteCallbacks, Telephony, DELETE, "/incomingCallbacks");

per_user! {
    /// `DELETE /telephony/incomingCallbacks/{callbackId}`: deletes one
    /// callback request.
    DeleteCallback {
        /// The request.
        callback_id,
    }
}
command!(DeleteCallback, |s| format!(
    "/incomingCallbacks/{}",
    segment(&s.callback_id)
));
operation!(
    DeleteCallback,
    Telephony,
    DELETE,
    "/incomingCallbacks/{callbackId}"
);

per_user! {
    /// `POST /telephony/outgoingCallbacks`: asks `callee` to call back.
    RequestCallback {
        /// Who should call back.
        callee,
    }
}
command!(RequestCallback, |s| "/outgoingCallbacks", body CallbackRequest::new(s.callee.as_str()));
operation!(RequestCallback, Telephony, POST, "/outgoingCallbacks");

// ------------------------------------------------------------ mini messages

per_user! {
    /// `GET /telephony/miniMessages`: the next mini message.
    GetMiniMessage {}
}
read!(
    GetMiniMessage,
    |_s| "/miniMessages",
    "mini message",
    MiniMessage
);
operation!(GetMiniMessage, Telephony, GET, "/miniMessages");

per_user! {
    /// `POST /telephony/miniMessages`: sends a mini message.
    SendMiniMessage {
        /// The recipient's number.
        recipient,
        /// The text.
        message,
    }
}
command!(SendMiniMessage, |s| "/miniMessages", body MiniMessageRequest::new(s.recipient.as_str(), s.message.as_str()));
operation!(SendMiniMessage, Telephony, POST, "/miniMessages");

// ------------------------------------------------------------------- pilots

/// `POST /telephony/pilots/{nodeId}/{pilotNumber}/transferInfo`: whether a
/// transfer to a CCD pilot is possible, and its queue.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetPilotTransferInfo {
    /// The pilot's node.
    pub node_id: String,
    /// The pilot's number.
    pub pilot_number: String,
    /// The optional body (agent, skills, priority, supervision).
    pub body: Option<TransferInfoRequest>,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl GetPilotTransferInfo {
    /// The transfer information of `pilot_number` on `node_id`.
    pub fn new(node_id: impl Into<String>, pilot_number: impl Into<String>) -> Self {
        Self {
            node_id: node_id.into(),
            pilot_number: pilot_number.into(),
            body: None,
            login_name: None,
        }
    }

    /// Sends this body.
    pub fn body(mut self, body: TransferInfoRequest) -> Self {
        self.body = Some(body);
        self
    }
}
login_setter!(GetPilotTransferInfo);

impl Endpoint for GetPilotTransferInfo {
    type Output = PilotInfo;

    fn request(&self) -> ApiRequest {
        let req = request::<Self>(format!(
            "/pilots/{}/{}/transferInfo",
            segment(&self.node_id),
            segment(&self.pilot_number)
        ))
        .login(self.login_name.as_deref());
        match &self.body {
            Some(b) => req.json(b),
            None => req,
        }
    }

    fn decode(&self, response: ApiResponse) -> Result<PilotInfo, ApiError> {
        response.json("pilot transfer info")
    }
}
operation!(
    GetPilotTransferInfo,
    Telephony,
    POST,
    "/pilots/{nodeId}/{pilotNumber}/transferInfo"
);
