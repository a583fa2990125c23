//! The PBX model: users with one device each, calls with one party per
//! user (each with its own call reference, all sharing the call's
//! `callUUID`), and the telephony events every change produces, shaped as
//! in the O2G reference, §7.
//!
//! An operation runs in steps. In each step the parties it touches get
//! their events in the order they were touched, each user's events followed
//! by an `OnUserStateModified` when its state (BUSY: some leg other than
//! RINGING_INCOMING; FREE otherwise) changed. This reproduces the
//! interleaving of §7(a)/(b).

use std::collections::HashMap;

use bytes::Bytes;

use crate::types::telephony::{
    Call, CallCapabilities, CallData, Cause, DeviceCapabilities, DeviceState, DeviceStateList, Leg,
    LegCapabilities, MediaState, OperationalState, Participant, PartyId, PartyInfo,
    TelephonicState, UserState,
};

use super::config::{EventSummaryCounters, IdSettings, SimConfig, SimUser, TransferMode};

// ------------------------------------------------------------------ output

/// One event the model produced, about one user.
#[derive(Clone, Debug)]
pub(crate) enum Out {
    /// `OnCallCreated`.
    Created {
        login: String,
        call_ref: String,
        cause: Option<Cause>,
        call_data: CallData,
        legs: Vec<Leg>,
        participants: Vec<Participant>,
        device_capabilities: Vec<DeviceCapabilities>,
    },
    /// `OnCallModified`.
    Modified {
        login: String,
        call_ref: String,
        cause: Option<Cause>,
        previous_call_ref: Option<String>,
        call_data: CallData,
        modified_legs: Vec<Leg>,
        modified_participants: Vec<Participant>,
        added_participants: Vec<Participant>,
        removed_participant_ids: Vec<String>,
    },
    /// `OnCallRemoved`.
    Removed {
        login: String,
        call_ref: String,
        cause: Option<Cause>,
        new_destination: Option<String>,
        device_capabilities: Vec<DeviceCapabilities>,
    },
    /// `OnUserStateModified`.
    UserState { login: String, state: UserState },
    /// `OnDeviceStateModified`.
    DeviceState {
        login: String,
        device_states: Vec<DeviceState>,
    },
    /// `OnTelephonyState`.
    TelephonyState {
        login: String,
        state: TelephonicState,
    },
    /// `OnEventSummaryUpdated` (package `eventSummary`).
    EventSummary {
        login: String,
        counters: EventSummaryCounters,
    },
}

impl Out {
    /// The user the event is about.
    pub(crate) fn login(&self) -> &str {
        match self {
            Self::Created { login, .. }
            | Self::Modified { login, .. }
            | Self::Removed { login, .. }
            | Self::UserState { login, .. }
            | Self::DeviceState { login, .. }
            | Self::TelephonyState { login, .. }
            | Self::EventSummary { login, .. } => login,
        }
    }

    /// The package the event belongs to.
    pub(crate) fn package(&self) -> crate::types::Package {
        match self {
            Self::EventSummary { .. } => crate::types::Package::EventSummary,
            _ => crate::types::Package::Telephony,
        }
    }
}

/// The wire line of an event (compact JSON and `\n`).
pub(crate) fn line(out: &Out) -> Option<Bytes> {
    let mut v = super::wire::to_vec(out)?;
    v.push(b'\n');
    Some(Bytes::from(v))
}

/// The `OnEventSummaryUpdated` of a user.
pub(crate) fn event_summary_event(u: &SimUser) -> Out {
    Out::EventSummary {
        login: u.login.clone(),
        counters: u.event_summary,
    }
}

/// The answer of `GET /eventsummary` for a user.
pub(crate) fn event_summary(u: &SimUser) -> crate::types::events::EventSummary {
    super::wire::summary(&u.event_summary)
}

// ------------------------------------------------------------------ errors

/// Why an operation was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OpError {
    /// No call with this reference for this user (404).
    NoSuchCall,
    /// The call is not in a state that allows it (409).
    State(&'static str),
    /// The destination is not a known number (400).
    Destination,
    /// The device is not the user's (400).
    Device,
}

// ------------------------------------------------------------------- model

#[derive(Clone, Debug)]
struct MUser {
    login: String,
    device: String,
    company_phone: String,
    first_name: String,
    last_name: String,
}

/// One user's side of a call.
#[derive(Clone, Debug)]
struct Party {
    login: String,
    call_ref: String,
    leg: MediaState,
    /// Made the call (the caller of a call it dialled itself).
    initiator: bool,
    initial_called: Option<PartyInfo>,
    last_redirecting: Option<PartyInfo>,
}

#[derive(Clone, Debug)]
struct MCall {
    uuid: String,
    parties: Vec<Party>,
}

/// The PBX.
#[derive(Debug)]
pub(crate) struct Model {
    users: Vec<MUser>,
    calls: Vec<MCall>,
    refs: u64,
    uuids: u64,
    ids: IdSettings,
    transfer_mode: TransferMode,
    release_cause: bool,
    /// The user state last reported (BUSY = true).
    reported_busy: HashMap<String, bool>,
}

/// The events of one step, grouped by user in the order users were
/// touched.
#[derive(Default)]
struct Step {
    order: Vec<(String, Vec<Out>)>,
}

impl Step {
    fn push(&mut self, out: Out) {
        let login = out.login().to_owned();
        match self.order.iter_mut().find(|(l, _)| *l == login) {
            Some((_, v)) => v.push(out),
            None => self.order.push((login, vec![out])),
        }
    }
}

fn is_busy_leg(s: &MediaState) -> bool {
    !matches!(s, MediaState::RingingIncoming)
}

fn call_caps(p: &Party, has_held_other: bool) -> CallCapabilities {
    let mut c = CallCapabilities::server_default();
    c.terminate = true;
    match p.leg {
        MediaState::RingingOutgoing => c.call_back = p.initiator,
        MediaState::RingingIncoming => {
            c.redirect = true;
            c.picked_up = true;
        }
        MediaState::Active => {
            if p.initiator {
                c.transfer = true;
                c.blind_transfer = true;
            }
            if has_held_other {
                c.transfer = true;
                c.merge = true;
            }
        }
        _ => {}
    }
    c
}

fn leg_caps(state: &MediaState) -> LegCapabilities {
    let mut c = LegCapabilities::default();
    match state {
        MediaState::RingingIncoming => c.answer = true,
        MediaState::Active => {
            c.drop = true;
            c.hold = true;
        }
        MediaState::Held => {
            c.drop = true;
            c.retrieve = true;
        }
        _ => c.drop = true,
    }
    c
}

impl Model {
    pub(crate) fn new(config: &SimConfig) -> Self {
        Self {
            users: config
                .users
                .iter()
                .map(|u| MUser {
                    login: u.login.clone(),
                    device: u.device.clone(),
                    company_phone: u.company_phone.clone(),
                    first_name: u.first_name.clone(),
                    last_name: u.last_name.clone(),
                })
                .collect(),
            calls: Vec::new(),
            refs: 0,
            uuids: 0,
            ids: config.ids.clone(),
            transfer_mode: config.transfer_mode,
            release_cause: config.release_cause,
            reported_busy: HashMap::new(),
        }
    }

    // ------------------------------------------------------------ lookups

    fn user(&self, login: &str) -> Option<&MUser> {
        self.users.iter().find(|u| u.login == login)
    }

    fn user_by_number(&self, number: &str) -> Option<&MUser> {
        self.users
            .iter()
            .find(|u| u.device == number)
            .or_else(|| self.users.iter().find(|u| u.company_phone == number))
    }

    /// The device number of a user.
    pub(crate) fn device_of(&self, login: &str) -> Option<&str> {
        self.user(login).map(|u| u.device.as_str())
    }

    fn number(&self, login: &str) -> String {
        self.user(login)
            .map(|u| u.device.clone())
            .unwrap_or_default()
    }

    fn party_info(&self, login: &str) -> PartyInfo {
        match self.user(login) {
            Some(u) => PartyInfo::user(
                u.login.clone(),
                u.device.clone(),
                u.first_name.clone(),
                u.last_name.clone(),
            ),
            None => PartyInfo::new(PartyId::number(login)),
        }
    }

    fn participant(&self, login: &str) -> Participant {
        Participant::new(self.number(login), self.party_info(login))
    }

    fn find(&self, login: &str, call_ref: &str) -> Option<(usize, usize)> {
        self.calls.iter().enumerate().find_map(|(ci, c)| {
            c.parties
                .iter()
                .position(|p| p.login == login && p.call_ref == call_ref)
                .map(|pi| (ci, pi))
        })
    }

    fn parties_of<'a>(&'a self, login: &'a str) -> impl Iterator<Item = &'a Party> + 'a {
        self.calls
            .iter()
            .flat_map(|c| c.parties.iter())
            .filter(move |p| p.login == login)
    }

    fn busy(&self, login: &str) -> bool {
        self.parties_of(login).any(|p| is_busy_leg(&p.leg))
    }

    fn has_held(&self, login: &str, except_ref: &str) -> bool {
        self.parties_of(login)
            .any(|p| p.call_ref != except_ref && p.leg == MediaState::Held)
    }

    /// The device capabilities of a user now: everything while its device
    /// has no call in progress (ringing calls aside), nothing otherwise.
    fn device_caps(&self, login: &str) -> DeviceCapabilities {
        let device = self.number(login);
        let engaged = self.parties_of(login).any(|p| {
            matches!(
                p.leg,
                MediaState::Dialing | MediaState::RingingOutgoing | MediaState::Active
            )
        });
        if engaged {
            DeviceCapabilities::new(device)
        } else {
            DeviceCapabilities::idle(device)
        }
    }

    fn alloc_ref(&mut self) -> String {
        let n = self.refs;
        self.refs += 1;
        let v = self
            .ids
            .call_ref_base
            .wrapping_add(n.wrapping_mul(self.ids.call_ref_step));
        format!("{v:016x}")
    }

    fn alloc_uuid(&mut self) -> String {
        self.uuids += 1;
        format!("{}{:03}", self.ids.call_uuid_prefix, self.uuids)
    }

    // ------------------------------------------------------------ views

    fn call_data(&self, ci: usize, pi: usize) -> CallData {
        let call = &self.calls[ci];
        let p = &call.parties[pi];
        let mut d = CallData::new(p.leg.clone());
        d.initial_called = p.initial_called.clone();
        d.last_redirecting = p.last_redirecting.clone();
        d.call_uuid = Some(call.uuid.clone());
        d.capabilities = call_caps(p, self.has_held(&p.login, &p.call_ref));
        d
    }

    fn own_leg(&self, ci: usize, pi: usize) -> Leg {
        let p = &self.calls[ci].parties[pi];
        Leg::new(self.number(&p.login), p.leg.clone(), leg_caps(&p.leg))
    }

    fn others(&self, ci: usize, pi: usize) -> Vec<Participant> {
        let call = &self.calls[ci];
        call.parties
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != pi)
            .map(|(_, p)| self.participant(&p.login))
            .collect()
    }

    fn created(&self, ci: usize, pi: usize, cause: Option<Cause>) -> Out {
        let p = &self.calls[ci].parties[pi];
        Out::Created {
            login: p.login.clone(),
            call_ref: p.call_ref.clone(),
            cause,
            call_data: self.call_data(ci, pi),
            legs: vec![self.own_leg(ci, pi)],
            participants: self.others(ci, pi),
            device_capabilities: vec![self.device_caps(&p.login)],
        }
    }

    /// An `OnCallModified` whose only change is the party's own leg.
    fn leg_modified(&self, ci: usize, pi: usize) -> Out {
        let p = &self.calls[ci].parties[pi];
        Out::Modified {
            login: p.login.clone(),
            call_ref: p.call_ref.clone(),
            cause: None,
            previous_call_ref: None,
            call_data: self.call_data(ci, pi),
            modified_legs: vec![self.own_leg(ci, pi)],
            modified_participants: Vec::new(),
            added_participants: Vec::new(),
            removed_participant_ids: Vec::new(),
        }
    }

    fn call_of(&self, ci: usize, pi: usize) -> Call {
        Call::new(
            self.calls[ci].parties[pi].call_ref.clone(),
            self.call_data(ci, pi),
            vec![self.own_leg(ci, pi)],
            self.others(ci, pi),
        )
    }

    // ------------------------------------------------------------ steps

    /// Emits a step: each user's events, then its state if it changed.
    fn flush(&mut self, step: Step, out: &mut Vec<Out>) {
        for (login, events) in step.order {
            out.extend(events);
            self.report_state(&login, out);
        }
    }

    fn report_state(&mut self, login: &str, out: &mut Vec<Out>) {
        let busy = self.busy(login);
        let before = self.reported_busy.get(login).copied().unwrap_or(false);
        if busy != before {
            self.reported_busy.insert(login.to_owned(), busy);
            out.push(Out::UserState {
                login: login.to_owned(),
                state: if busy {
                    UserState::Busy
                } else {
                    UserState::Free
                },
            });
        }
    }

    fn drop_empty_calls(&mut self) {
        self.calls.retain(|c| !c.parties.is_empty());
    }

    // ------------------------------------------------------- operations

    /// Makes a call from `login`'s device to `callee` (a device or company
    /// number): DIALING, then RINGING_OUTGOING at the caller and
    /// RINGING_INCOMING at the callee (§7(a) lines 2–5).
    pub(crate) fn make_call(
        &mut self,
        login: &str,
        device: Option<&str>,
        callee: &str,
    ) -> Result<Vec<Out>, OpError> {
        let me = self.user(login).ok_or(OpError::Device)?;
        if device.is_some_and(|d| !d.is_empty() && d != me.device) {
            return Err(OpError::Device);
        }
        let target = self
            .user_by_number(callee)
            .map(|u| u.login.clone())
            .ok_or(OpError::Destination)?;
        if target == login {
            return Err(OpError::Destination);
        }
        if self.parties_of(login).any(|p| {
            matches!(
                p.leg,
                MediaState::Dialing | MediaState::RingingOutgoing | MediaState::Active
            )
        }) {
            return Err(OpError::State("the device already has a call in progress"));
        }
        let mut out = Vec::new();
        // Step 1: dialing.
        let call_ref = self.alloc_ref();
        let uuid = self.alloc_uuid();
        self.calls.push(MCall {
            uuid,
            parties: vec![Party {
                login: login.to_owned(),
                call_ref,
                leg: MediaState::Dialing,
                initiator: true,
                initial_called: None,
                last_redirecting: None,
            }],
        });
        let ci = self.calls.len() - 1;
        let mut step = Step::default();
        step.push(self.created(ci, 0, None));
        self.flush(step, &mut out);
        // Step 2: ringing on both sides.
        let target_number = self.number(&target);
        let callee_ref = self.alloc_ref();
        let called_info = self.party_info(&target);
        {
            let caller = &mut self.calls[ci].parties[0];
            caller.leg = MediaState::RingingOutgoing;
            caller.initial_called = Some(called_info);
        }
        self.calls[ci].parties.push(Party {
            login: target.clone(),
            call_ref: callee_ref,
            leg: MediaState::RingingIncoming,
            initiator: false,
            initial_called: Some(PartyInfo::new(PartyId::number(target_number))),
            last_redirecting: None,
        });
        let mut step = Step::default();
        let mut m = self.leg_modified(ci, 0);
        if let Out::Modified {
            added_participants, ..
        } = &mut m
        {
            added_participants.push(self.participant(&target));
        }
        step.push(m);
        step.push(self.created(ci, 1, None));
        self.flush(step, &mut out);
        Ok(out)
    }

    /// Answers a ringing call (§7(a) lines 6–8, §7(b) lines 5–7).
    pub(crate) fn answer(&mut self, login: &str, call_ref: &str) -> Result<Vec<Out>, OpError> {
        let (ci, pi) = self.find(login, call_ref).ok_or(OpError::NoSuchCall)?;
        if self.calls[ci].parties[pi].leg != MediaState::RingingIncoming {
            return Err(OpError::State("the call is not ringing"));
        }
        let mut step = Step::default();
        self.calls[ci].parties[pi].leg = MediaState::Active;
        step.push(self.leg_modified(ci, pi));
        for oi in 0..self.calls[ci].parties.len() {
            if oi != pi && self.calls[ci].parties[oi].leg == MediaState::RingingOutgoing {
                self.calls[ci].parties[oi].leg = MediaState::Active;
                step.push(self.leg_modified(ci, oi));
            }
        }
        let mut out = Vec::new();
        self.flush(step, &mut out);
        Ok(out)
    }

    /// Every leg ringing at its user's phone: `(login, call_ref)`.
    pub(crate) fn ringing_legs(&self) -> Vec<(String, String)> {
        self.calls
            .iter()
            .flat_map(|c| &c.parties)
            .filter(|p| p.leg == MediaState::RingingIncoming)
            .map(|p| (p.login.clone(), p.call_ref.clone()))
            .collect()
    }

    /// The ring-no-answer timeout of the leg `(login, call_ref)`: if it
    /// still rings, the PBX clears the call it belongs to; every party gets
    /// `OnCallRemoved` with cause `NOT_ANSWERED` (and its device's
    /// capabilities back). Nothing if the leg no longer rings.
    pub(crate) fn no_answer(&mut self, login: &str, call_ref: &str) -> Vec<Out> {
        let Some((ci, pi)) = self.find(login, call_ref) else {
            return Vec::new();
        };
        if self.calls[ci].parties[pi].leg != MediaState::RingingIncoming {
            return Vec::new();
        }
        let parties = std::mem::take(&mut self.calls[ci].parties);
        let mut step = Step::default();
        for p in parties {
            step.push(Out::Removed {
                cause: Some(Cause::NotAnswered),
                new_destination: None,
                device_capabilities: vec![self.device_caps(&p.login)],
                login: p.login,
                call_ref: p.call_ref,
            });
        }
        self.drop_empty_calls();
        let mut out = Vec::new();
        self.flush(step, &mut out);
        out
    }

    /// The ringing incoming call of a user, for `basicCall/answer`.
    pub(crate) fn ringing_call(&self, login: &str) -> Option<String> {
        self.parties_of(login)
            .find(|p| p.leg == MediaState::RingingIncoming)
            .map(|p| p.call_ref.clone())
    }

    /// Releases the whole call (`DELETE /telephony/calls/{ref}`): the
    /// releasing user's call is removed; every other party gets the
    /// remote-release pattern of §7(a) lines 11–13 (RELEASING, then
    /// removed), or, if its phone was only ringing, a removal with
    /// `ABANDONED`.
    pub(crate) fn release(&mut self, login: &str, call_ref: &str) -> Result<Vec<Out>, OpError> {
        let (ci, pi) = self.find(login, call_ref).ok_or(OpError::NoSuchCall)?;
        let mine = self.calls[ci].parties[pi].leg.clone();
        let answered = self.calls[ci]
            .parties
            .iter()
            .all(|p| matches!(p.leg, MediaState::Active | MediaState::Held));
        let cleared = (answered && self.release_cause).then_some(Cause::Cleared);
        let me = self.calls[ci].parties.remove(pi);
        let my_number = self.number(login);
        let mut step = Step::default();
        step.push(Out::Removed {
            login: me.login.clone(),
            call_ref: me.call_ref.clone(),
            cause: cleared.clone(),
            new_destination: None,
            device_capabilities: vec![self.device_caps(login)],
        });
        while !self.calls[ci].parties.is_empty() {
            let other = self.calls[ci].parties[0].clone();
            if other.leg == MediaState::RingingIncoming {
                self.calls[ci].parties.remove(0);
                step.push(Out::Removed {
                    login: other.login.clone(),
                    call_ref: other.call_ref.clone(),
                    cause: Some(Cause::Abandoned),
                    new_destination: None,
                    device_capabilities: vec![self.device_caps(&other.login)],
                });
                continue;
            }
            self.calls[ci].parties[0].leg = MediaState::Releasing;
            let mut m = self.leg_modified(ci, 0);
            if let Out::Modified {
                removed_participant_ids,
                ..
            } = &mut m
            {
                removed_participant_ids.push(my_number.clone());
            }
            step.push(m);
            self.calls[ci].parties.remove(0);
            let cause = if mine == MediaState::RingingIncoming {
                Some(Cause::Busy)
            } else {
                cleared.clone()
            };
            step.push(Out::Removed {
                login: other.login.clone(),
                call_ref: other.call_ref.clone(),
                cause,
                new_destination: None,
                device_capabilities: Vec::new(),
            });
        }
        self.drop_empty_calls();
        let mut out = Vec::new();
        self.flush(step, &mut out);
        Ok(out)
    }

    /// Puts an active call on hold: the holder's leg becomes HELD; the
    /// other parties see the holder as a modified participant in state
    /// HELD.
    pub(crate) fn hold(&mut self, login: &str, call_ref: &str) -> Result<Vec<Out>, OpError> {
        self.hold_or_retrieve(login, call_ref, MediaState::Active, MediaState::Held)
    }

    /// Retrieves a held call (the reverse of [`Model::hold`]).
    pub(crate) fn retrieve(&mut self, login: &str, call_ref: &str) -> Result<Vec<Out>, OpError> {
        self.hold_or_retrieve(login, call_ref, MediaState::Held, MediaState::Active)
    }

    fn hold_or_retrieve(
        &mut self,
        login: &str,
        call_ref: &str,
        from: MediaState,
        to: MediaState,
    ) -> Result<Vec<Out>, OpError> {
        let (ci, pi) = self.find(login, call_ref).ok_or(OpError::NoSuchCall)?;
        if self.calls[ci].parties[pi].leg != from {
            return Err(OpError::State(if to == MediaState::Held {
                "only an active call can be held"
            } else {
                "only a held call can be retrieved"
            }));
        }
        self.calls[ci].parties[pi].leg = to.clone();
        let mut step = Step::default();
        step.push(self.leg_modified(ci, pi));
        let mut me = self.participant(login);
        me.state = Some(to);
        for oi in 0..self.calls[ci].parties.len() {
            if oi == pi {
                continue;
            }
            let mut m = self.leg_modified(ci, oi);
            if let Out::Modified {
                modified_legs,
                modified_participants,
                ..
            } = &mut m
            {
                modified_legs.clear();
                modified_participants.push(me.clone());
            }
            step.push(m);
        }
        let mut out = Vec::new();
        self.flush(step, &mut out);
        Ok(out)
    }

    /// Blind transfer (§7(b) lines 1–4): the transferring user leaves with
    /// `TRANSFERRED` and `newDestination`; the other party rings the
    /// destination (RINGING_OUTGOING, the destination added, the
    /// transferring user removed); the destination gets a new call,
    /// RINGING_INCOMING, with `lastRedirecting` = the transferring user.
    pub(crate) fn blind_transfer(
        &mut self,
        login: &str,
        call_ref: &str,
        transfer_to: &str,
    ) -> Result<Vec<Out>, OpError> {
        let (ci, pi) = self.find(login, call_ref).ok_or(OpError::NoSuchCall)?;
        if !matches!(
            self.calls[ci].parties[pi].leg,
            MediaState::Active | MediaState::Held
        ) || self.calls[ci].parties.len() != 2
        {
            return Err(OpError::State(
                "only an answered two-party call can be transferred",
            ));
        }
        let target = self
            .user_by_number(transfer_to)
            .map(|u| u.login.clone())
            .ok_or(OpError::Destination)?;
        if target == login || self.calls[ci].parties.iter().any(|p| p.login == target) {
            return Err(OpError::Destination);
        }
        let mut step = Step::default();
        let me = self.calls[ci].parties.remove(pi);
        step.push(Out::Removed {
            login: me.login.clone(),
            call_ref: me.call_ref.clone(),
            cause: Some(Cause::Transferred),
            new_destination: Some(transfer_to.to_owned()),
            device_capabilities: vec![self.device_caps(login)],
        });
        // The remaining party (index 0 now) rings the destination.
        let previous = self.renumber_after_transfer(ci, 0);
        {
            let other = &mut self.calls[ci].parties[0];
            other.leg = MediaState::RingingOutgoing;
            other.initiator = false;
        }
        let target_number = self.number(&target);
        let target_ref = self.alloc_ref();
        let redirecting = self.party_info(login);
        self.calls[ci].parties.push(Party {
            login: target.clone(),
            call_ref: target_ref,
            leg: MediaState::RingingIncoming,
            initiator: false,
            initial_called: Some(PartyInfo::new(PartyId::number(target_number))),
            last_redirecting: Some(redirecting),
        });
        let mut m = self.leg_modified(ci, 0);
        if let Out::Modified {
            cause,
            previous_call_ref,
            added_participants,
            removed_participant_ids,
            ..
        } = &mut m
        {
            *cause = Some(Cause::Transferred);
            *previous_call_ref = previous;
            added_participants.push(self.participant(&target));
            removed_participant_ids.push(self.number(login));
        }
        step.push(m);
        step.push(self.created(ci, 1, Some(Cause::Transferred)));
        let mut out = Vec::new();
        self.flush(step, &mut out);
        Ok(out)
    }

    /// In [`TransferMode::NewCallRef`], gives a party a new call reference
    /// and returns the old one.
    fn renumber_after_transfer(&mut self, ci: usize, pi: usize) -> Option<String> {
        match self.transfer_mode {
            TransferMode::SameCallRef => None,
            TransferMode::NewCallRef => {
                let new = self.alloc_ref();
                Some(std::mem::replace(
                    &mut self.calls[ci].parties[pi].call_ref,
                    new,
                ))
            }
        }
    }

    /// Supervised transfer: `login` has `held_ref` on hold and `active_ref`
    /// active (each with one other party); both calls end for `login`
    /// (`TRANSFERRED`) and the two other parties are connected in the held
    /// call (its `callUUID`), each told `TRANSFERRED` with the transferring
    /// user removed and the new party added.
    pub(crate) fn transfer(
        &mut self,
        login: &str,
        active_ref: &str,
        held_ref: &str,
    ) -> Result<Vec<Out>, OpError> {
        let (ai, api) = self.find(login, active_ref).ok_or(OpError::NoSuchCall)?;
        let (hi, hpi) = self.find(login, held_ref).ok_or(OpError::NoSuchCall)?;
        if ai == hi
            || self.calls[hi].parties[hpi].leg != MediaState::Held
            || !matches!(
                self.calls[ai].parties[api].leg,
                MediaState::Active | MediaState::RingingOutgoing
            )
            || self.calls[ai].parties.len() != 2
            || self.calls[hi].parties.len() != 2
        {
            return Err(OpError::State(
                "a supervised transfer needs one held and one active two-party call",
            ));
        }
        let my_number = self.number(login);
        let mut step = Step::default();
        let active_me = self.calls[ai].parties.remove(api);
        let held_me = self.calls[hi].parties.remove(hpi);
        let mut enquired = self.calls[ai].parties.remove(0);
        for me in [&held_me, &active_me] {
            step.push(Out::Removed {
                login: me.login.clone(),
                call_ref: me.call_ref.clone(),
                cause: Some(Cause::Transferred),
                new_destination: None,
                device_capabilities: Vec::new(),
            });
        }
        // The removals carry the device capabilities once both are gone.
        let caps = self.device_caps(login);
        for (_, evs) in &mut step.order {
            for e in evs.iter_mut() {
                if let Out::Removed {
                    device_capabilities,
                    ..
                } = e
                {
                    *device_capabilities = vec![caps.clone()];
                }
            }
        }
        // Connect the enquired party into the held call.
        let connected_state = if enquired.leg == MediaState::RingingIncoming {
            MediaState::RingingIncoming
        } else {
            MediaState::Active
        };
        enquired.leg = connected_state.clone();
        let enquired_login = enquired.login.clone();
        self.calls[hi].parties.push(enquired);
        let held_other_login = self.calls[hi].parties[0].login.clone();
        let previous = self.renumber_after_transfer(hi, 0);
        self.calls[hi].parties[0].leg = if connected_state == MediaState::Active {
            MediaState::Active
        } else {
            MediaState::RingingOutgoing
        };
        for (pi, newcomer, prev) in [
            (0usize, enquired_login.clone(), previous),
            (1usize, held_other_login, None),
        ] {
            let mut m = self.leg_modified(hi, pi);
            if let Out::Modified {
                cause,
                previous_call_ref,
                added_participants,
                removed_participant_ids,
                ..
            } = &mut m
            {
                *cause = Some(Cause::Transferred);
                *previous_call_ref = prev;
                added_participants.push(self.participant(&newcomer));
                removed_participant_ids.push(my_number.clone());
            }
            step.push(m);
        }
        self.drop_empty_calls();
        let mut out = Vec::new();
        self.flush(step, &mut out);
        Ok(out)
    }

    /// Merge (three-party conference): `login` has `held_ref` on hold and
    /// `active_ref` active; the held call's other party joins the active
    /// call. `login`'s held call is removed (`CONFERENCED`), everybody left
    /// in the conference gets an `OnCallModified` (`CONFERENCED`) adding
    /// the newcomers.
    pub(crate) fn merge(
        &mut self,
        login: &str,
        active_ref: &str,
        held_ref: &str,
    ) -> Result<Vec<Out>, OpError> {
        let (ai, api) = self.find(login, active_ref).ok_or(OpError::NoSuchCall)?;
        let (hi, hpi) = self.find(login, held_ref).ok_or(OpError::NoSuchCall)?;
        if ai == hi
            || self.calls[hi].parties[hpi].leg != MediaState::Held
            || self.calls[ai].parties[api].leg != MediaState::Active
        {
            return Err(OpError::State("a merge needs one held and one active call"));
        }
        let mut step = Step::default();
        let held_me = self.calls[hi].parties.remove(hpi);
        let joiners: Vec<Party> = std::mem::take(&mut self.calls[hi].parties);
        step.push(Out::Removed {
            login: held_me.login.clone(),
            call_ref: held_me.call_ref.clone(),
            cause: Some(Cause::Conferenced),
            new_destination: None,
            device_capabilities: Vec::new(),
        });
        let before: Vec<String> = self.calls[ai]
            .parties
            .iter()
            .map(|p| p.login.clone())
            .collect();
        let joined: Vec<String> = joiners.iter().map(|p| p.login.clone()).collect();
        let mut resumed = Vec::new();
        for mut j in joiners {
            if j.leg == MediaState::Held {
                j.leg = MediaState::Active;
                resumed.push(j.login.clone());
            }
            self.calls[ai].parties.push(j);
        }
        for pi in 0..self.calls[ai].parties.len() {
            let who = self.calls[ai].parties[pi].login.clone();
            // A joiner already knows the merging user; the others learn
            // about the joiners.
            let newcomers: Vec<String> = if joined.contains(&who) {
                before
                    .iter()
                    .filter(|l| **l != who && *l != login)
                    .cloned()
                    .collect()
            } else {
                joined.clone()
            };
            let added: Vec<Participant> = newcomers.iter().map(|l| self.participant(l)).collect();
            let mut m = self.leg_modified(ai, pi);
            if let Out::Modified {
                cause,
                modified_legs,
                added_participants,
                ..
            } = &mut m
            {
                *cause = Some(Cause::Conferenced);
                if !resumed.contains(&who) {
                    modified_legs.clear();
                }
                *added_participants = added;
            }
            step.push(m);
        }
        self.drop_empty_calls();
        let mut out = Vec::new();
        self.flush(step, &mut out);
        Ok(out)
    }

    /// Redirects (deflects) a ringing incoming call to another number: the
    /// redirecting user's call is removed (`REDIRECTED`, `newDestination`),
    /// the caller sees the participant replaced, the destination gets a new
    /// ringing call with `lastRedirecting`.
    pub(crate) fn redirect(
        &mut self,
        login: &str,
        call_ref: &str,
        redirect_to: &str,
    ) -> Result<Vec<Out>, OpError> {
        let (ci, pi) = self.find(login, call_ref).ok_or(OpError::NoSuchCall)?;
        if self.calls[ci].parties[pi].leg != MediaState::RingingIncoming {
            return Err(OpError::State("only a ringing call can be redirected"));
        }
        let target = self
            .user_by_number(redirect_to)
            .map(|u| u.login.clone())
            .ok_or(OpError::Destination)?;
        if self.calls[ci].parties.iter().any(|p| p.login == target) {
            return Err(OpError::Destination);
        }
        let mut step = Step::default();
        let me = self.calls[ci].parties.remove(pi);
        step.push(Out::Removed {
            login: me.login.clone(),
            call_ref: me.call_ref.clone(),
            cause: Some(Cause::Redirected),
            new_destination: Some(redirect_to.to_owned()),
            device_capabilities: vec![self.device_caps(login)],
        });
        let target_number = self.number(&target);
        let target_ref = self.alloc_ref();
        let redirecting = self.party_info(login);
        self.calls[ci].parties.push(Party {
            login: target.clone(),
            call_ref: target_ref,
            leg: MediaState::RingingIncoming,
            initiator: false,
            initial_called: Some(PartyInfo::new(PartyId::number(target_number))),
            last_redirecting: Some(redirecting),
        });
        let newcomer = self.calls[ci].parties.len() - 1;
        for oi in 0..newcomer {
            let mut m = self.leg_modified(ci, oi);
            if let Out::Modified {
                cause,
                modified_legs,
                added_participants,
                removed_participant_ids,
                ..
            } = &mut m
            {
                *cause = Some(Cause::Redirected);
                modified_legs.clear();
                added_participants.push(self.participant(&target));
                removed_participant_ids.push(self.number(login));
            }
            step.push(m);
        }
        step.push(self.created(ci, newcomer, Some(Cause::Redirected)));
        let mut out = Vec::new();
        self.flush(step, &mut out);
        Ok(out)
    }

    /// Checks that a DTMF can be sent on the call (it must be active).
    pub(crate) fn check_active(&self, login: &str, call_ref: &str) -> Result<(), OpError> {
        let (ci, pi) = self.find(login, call_ref).ok_or(OpError::NoSuchCall)?;
        if self.calls[ci].parties[pi].leg == MediaState::Active {
            Ok(())
        } else {
            Err(OpError::State("the call is not active"))
        }
    }

    // ------------------------------------------------------------ reads

    /// The calls of a user (`GET /telephony/calls`).
    pub(crate) fn calls(&self, login: &str) -> Vec<Call> {
        let mut v = Vec::new();
        for (ci, c) in self.calls.iter().enumerate() {
            for (pi, p) in c.parties.iter().enumerate() {
                if p.login == login {
                    v.push(self.call_of(ci, pi));
                }
            }
        }
        v
    }

    /// One call of a user (`GET /telephony/calls/{ref}`).
    pub(crate) fn call(&self, login: &str, call_ref: &str) -> Option<Call> {
        self.find(login, call_ref)
            .map(|(ci, pi)| self.call_of(ci, pi))
    }

    /// The device states of a user (always in service).
    pub(crate) fn device_states(&self, login: &str) -> Vec<DeviceState> {
        self.user(login)
            .map(|u| {
                vec![DeviceState::new(
                    u.device.clone(),
                    OperationalState::InService,
                )]
            })
            .unwrap_or_default()
    }

    fn user_state(&self, login: &str) -> UserState {
        if self.busy(login) {
            UserState::Busy
        } else {
            UserState::Free
        }
    }

    /// The telephonic state of a user (`GET /telephony/state`).
    pub(crate) fn telephonic_state(&self, login: &str) -> TelephonicState {
        TelephonicState {
            calls: self.calls(login),
            device_capabilities: vec![self.device_caps(login)],
            user_state: Some(self.user_state(login)),
            device_states: Some(DeviceStateList::new(self.device_states(login))),
        }
    }

    /// The `OnTelephonyState` of a user (`POST /telephony/state/snapshot`).
    pub(crate) fn snapshot(&self, login: &str) -> Out {
        Out::TelephonyState {
            login: login.to_owned(),
            state: self.telephonic_state(login),
        }
    }

    /// The state pushed after `Chunk started` (§7(c) lines 2–3).
    pub(crate) fn initial_state(&self, login: &str) -> Vec<Out> {
        vec![
            Out::DeviceState {
                login: login.to_owned(),
                device_states: self.device_states(login),
            },
            Out::UserState {
                login: login.to_owned(),
                state: self.user_state(login),
            },
        ]
    }
}
