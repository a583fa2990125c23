//! O2G events → `cti_core` events.
//!
//! O2G reports each monitored user's view of a call: the user's own call
//! reference (`callRef`, scoped to that user), its own leg(s), and the other
//! participants. The call's global identity is `callData.callUUID`, which
//! becomes the normalized [`CallId`] (a user's `callRef` is mapped to it and
//! remembered, since `OnCallRemoved` carries no call data).
//!
//! What each event gives:
//!
//! - `OnCallCreated`: the user's leg `DIALING`/`OFF_HOOK`/`RINGING_OUTGOING`
//!   → `originated` (once per call); `RINGING_INCOMING` → `alerting`, the
//!   caller taken from the participants; `ACTIVE` → `answered`.
//! - `OnCallModified`: the user's leg `RINGING_INCOMING` → `ACTIVE` →
//!   `answered`; → `HELD` → `held`; `HELD` → `ACTIVE` → `retrieved`. From
//!   the caller's side, an added participant while `RINGING_OUTGOING` →
//!   `alerting` of that participant; `ACTIVE` → `answered` of the remote
//!   party; removed participants → `party_cleared`; cause `TRANSFERRED`
//!   with a removed and an added participant → `transferred`.
//! - `OnCallRemoved`: `party_cleared` of the user with the cause (cause
//!   `TRANSFERRED` with `newDestination` → `transferred` first); when no
//!   monitored user is left in the call → `ended`.
//! - leg states, `OnUserStateModified` and `OnDeviceStateModified` →
//!   `device_state`, reported only when the state changes.
//! - `OnAgentStateChanged` → `agent_state`.
//!
//! When several users of one call are monitored, each user's view reports
//! the same facts; every fact is reported once (alerting, answered, cleared
//! and transferred are remembered per call and party). A session that
//! monitors one user still sees the remote party ring, answer and leave.

use std::collections::{HashMap, HashSet};

use cti_core::{
    AgentId, AgentState, CallId, Cause, DeviceId, DeviceState, Event as CtiEvent, EventKind, Party,
    Source, Timestamp,
};

use crate::types::events::{
    Event, OnAgentStateChanged, OnCallCreated, OnCallModified, OnCallRemoved,
};
use crate::types::telephony::{
    self, Leg, MediaState, OperationalState, PartyInfo, TelephonicState, UserState,
};
use cti_core::LinkEvent;

/// What the normalizer remembers of one call.
#[derive(Debug, Default)]
struct CallTrack {
    originated: bool,
    /// Monitored users (login names) still in the call.
    monitored: HashSet<String>,
    alerted: HashSet<String>,
    answered: HashSet<String>,
    cleared: HashSet<String>,
    transfers: HashSet<(String, String)>,
    /// Leg state per monitored user.
    legs: HashMap<String, MediaState>,
    last_cause: Option<Cause>,
}

/// Turns O2G events into normalized events. Keeps the little state the
/// mapping needs (call references, leg and device states); no IO.
#[derive(Debug, Default)]
pub struct Normalizer {
    /// (login, callRef) → call.
    refs: HashMap<(String, String), CallId>,
    calls: HashMap<CallId, CallTrack>,
    /// login → device number.
    devices_of: HashMap<String, String>,
    device_states: HashMap<String, DeviceState>,
}

impl Normalizer {
    /// A normalizer with no history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Normalizes one O2G event received at `ts`, appending to `out`.
    pub fn push(&mut self, event: &Event, ts: Timestamp, into: &mut Vec<CtiEvent>) {
        let mut out = Vec::new();
        match event {
            Event::CallCreated(e) => self.call_created(e, &mut out),
            Event::CallModified(e) => self.call_modified(e, &mut out),
            Event::CallRemoved(e) => self.call_removed(e, &mut out),
            Event::UserStateModified(e) => {
                let state = match &e.state {
                    UserState::Free => DeviceState::Idle,
                    UserState::Busy => DeviceState::Busy,
                    _ => DeviceState::Unknown,
                };
                let device = self.device_of(&e.login_name);
                self.device_state(&device, state, &mut out);
            }
            Event::DeviceStateModified(e) => {
                for d in &e.device_states {
                    self.devices_of
                        .entry(e.login_name.clone())
                        .or_insert_with(|| d.device_id.clone());
                    let state = match &d.state {
                        OperationalState::OutOfService => Some(DeviceState::Unavailable),
                        OperationalState::InService => match self.device_states.get(&d.device_id) {
                            None | Some(DeviceState::Unavailable | DeviceState::Unknown) => {
                                Some(DeviceState::Idle)
                            }
                            Some(_) => None,
                        },
                        _ => Some(DeviceState::Unknown),
                    };
                    if let Some(s) = state {
                        self.device_state(&d.device_id, s, &mut out);
                    }
                }
            }
            Event::AgentStateChanged(e) => out.extend(agent_state(e)),
            _ => {}
        }
        into.extend(
            out.into_iter()
                .map(|kind| CtiEvent::new(ts, Source::O2g, kind)),
        );
    }

    /// The normalized events of one O2G event, stamped `ts`.
    pub fn event(&mut self, event: &Event, ts: Timestamp) -> Vec<CtiEvent> {
        let mut out = Vec::new();
        self.push(event, ts, &mut out);
        out
    }

    /// Handles a link event: appends its normalized form and, on a gap,
    /// forgets the calls (they may have ended unseen).
    pub fn link(&mut self, link: &LinkEvent, ts: Timestamp, out: &mut Vec<CtiEvent>) {
        <Self as cti_core::Normalizer>::link(self, link, ts, out);
    }

    /// Forgets the calls and the reported device states (after a gap).
    pub fn reset(&mut self) {
        self.refs.clear();
        self.calls.clear();
        self.device_states.clear();
    }

    /// Adopts the telephonic state of each user (`GET /telephony/state`,
    /// per login name): device states are reported where they changed, and
    /// each current call not yet known is reported as it is now
    /// (`originated` for an outgoing leg, `alerting` for a ringing one,
    /// `answered` — and `held` — for an established one), then followed;
    /// the call's own events that are still on their way are not reported
    /// twice.
    pub fn snapshot(
        &mut self,
        states: &[(String, TelephonicState)],
        ts: Timestamp,
        into: &mut Vec<CtiEvent>,
    ) {
        let mut out = Vec::new();
        for (login, state) in states {
            for call in &state.calls {
                let id = self.map_ref(login, &call.call_ref, call.call_data.call_uuid.as_deref());
                let own = self.own_leg(login, &call.legs).cloned();
                let me = self.me(login);
                let caller = call
                    .participants
                    .first()
                    .map(|p| party_of(&p.identity, &p.participant_id));
                let to = call
                    .call_data
                    .initial_called
                    .as_ref()
                    .map(|p| party_of(p, ""));
                let track = self.calls.entry(id.clone()).or_default();
                track.monitored.insert(login.clone());
                let Some(leg) = own else { continue };
                let before = track.legs.insert(login.clone(), leg.state.clone());
                // What a consumer that missed the call's events needs to
                // see it as it is now; each fact once (the events still on
                // their way are deduplicated against the same sets).
                match leg.state {
                    MediaState::Dialing | MediaState::OffHook | MediaState::RingingOutgoing
                        if !track.originated =>
                    {
                        track.originated = true;
                        out.push(EventKind::Originated {
                            call: id.clone(),
                            from: me.clone(),
                            to,
                        });
                    }
                    MediaState::RingingIncoming if track.alerted.insert(key(&me)) => {
                        out.push(EventKind::Alerting {
                            call: id.clone(),
                            party: me.clone(),
                            caller,
                        });
                    }
                    MediaState::Active | MediaState::Held => {
                        track.originated = true;
                        if track.answered.insert(key(&me)) {
                            out.push(EventKind::Answered {
                                call: id.clone(),
                                party: me.clone(),
                            });
                        }
                        if leg.state == MediaState::Held && before != Some(MediaState::Held) {
                            out.push(EventKind::Held {
                                call: id.clone(),
                                party: me.clone(),
                            });
                        }
                    }
                    _ => {}
                }
                self.leg_device_state(&leg, &mut out);
            }
            if state.calls.is_empty()
                && let Some(u) = &state.user_state
            {
                let device = self.device_of(login);
                match u {
                    UserState::Free => self.device_state(&device, DeviceState::Idle, &mut out),
                    UserState::Busy => self.device_state(&device, DeviceState::Busy, &mut out),
                    _ => {}
                }
            }
        }
        into.extend(
            out.into_iter()
                .map(|kind| CtiEvent::new(ts, Source::O2g, kind)),
        );
    }

    // ------------------------------------------------------------- calls

    fn call_created(&mut self, e: &OnCallCreated, out: &mut Vec<EventKind>) {
        let call = self.map_ref(&e.login_name, &e.call_ref, e.call_data.call_uuid.as_deref());
        let own = self.own_leg(&e.login_name, &e.legs);
        let state = own.map_or(&e.call_data.state, |l| &l.state).clone();
        let me = self.me(&e.login_name);
        let caller = e
            .participants
            .first()
            .map(|p| party_of(&p.identity, &p.participant_id));
        let track = self.calls.entry(call.clone()).or_default();
        track.monitored.insert(e.login_name.clone());
        track.legs.insert(e.login_name.clone(), state.clone());
        match state {
            MediaState::Dialing | MediaState::OffHook | MediaState::RingingOutgoing
                if !track.originated =>
            {
                track.originated = true;
                let to = e.call_data.initial_called.as_ref().map(|p| party_of(p, ""));
                out.push(EventKind::Originated {
                    call: call.clone(),
                    from: me.clone(),
                    to,
                });
            }
            MediaState::RingingIncoming if track.alerted.insert(key(&me)) => {
                out.push(EventKind::Alerting {
                    call: call.clone(),
                    party: me.clone(),
                    caller,
                });
            }
            MediaState::Active => {
                track.originated = true;
                if track.answered.insert(key(&me)) {
                    out.push(EventKind::Answered {
                        call: call.clone(),
                        party: me.clone(),
                    });
                }
            }
            _ => {}
        }
        if let Some(leg) = own {
            self.leg_device_state(leg, out);
        }
    }

    fn call_modified(&mut self, e: &OnCallModified, out: &mut Vec<EventKind>) {
        if let Some(prev) = &e.previous_call_ref {
            // The call got a new reference for this user; no OnCallRemoved
            // follows for the old one.
            if let Some(id) = self.refs.remove(&(e.login_name.clone(), prev.clone())) {
                self.refs
                    .insert((e.login_name.clone(), e.call_ref.clone()), id);
            }
        }
        let call = self.map_ref(&e.login_name, &e.call_ref, e.call_data.call_uuid.as_deref());
        let me = self.me(&e.login_name);
        let own = self.own_leg(&e.login_name, &e.modified_legs).cloned();
        let transferred = matches!(e.cause, Some(telephony::Cause::Transferred));
        let track = self.calls.entry(call.clone()).or_default();
        track.monitored.insert(e.login_name.clone());

        // Removed participants left the call (a transfer by one of them
        // when the cause says so and someone else was added).
        for gone in &e.removed_participant_ids {
            if transferred && let Some(to) = e.added_participants.first() {
                let to = party_of(&to.identity, &to.participant_id);
                let by = number_party(gone);
                if track.transfers.insert((key(&by), key(&to))) {
                    out.push(EventKind::Transferred {
                        call: call.clone(),
                        by: by.clone(),
                        to,
                        new_call: None,
                    });
                }
            }
            let p = number_party(gone);
            if track.cleared.insert(key(&p)) {
                let cause = if transferred {
                    Cause::Transferred
                } else {
                    Cause::Normal
                };
                out.push(EventKind::PartyCleared {
                    call: call.clone(),
                    party: p,
                    cause,
                });
            }
        }

        let before = track.legs.get(&e.login_name).cloned();
        let now = own.as_ref().map(|l| l.state.clone());
        if let Some(now) = &now {
            track.legs.insert(e.login_name.clone(), now.clone());
        }
        let call_state = &e.call_data.state;

        // The caller's view of the remote side.
        if matches!(call_state, MediaState::RingingOutgoing) {
            for p in &e.added_participants {
                let party = party_of(&p.identity, &p.participant_id);
                if track.alerted.insert(key(&party)) {
                    out.push(EventKind::Alerting {
                        call: call.clone(),
                        party,
                        caller: Some(me.clone()),
                    });
                }
            }
        }

        match (before, now) {
            (Some(MediaState::RingingIncoming), Some(MediaState::Active))
            | (None, Some(MediaState::Active))
                if !track.answered.contains(&key(&me)) =>
            {
                track.answered.insert(key(&me));
                out.push(EventKind::Answered {
                    call: call.clone(),
                    party: me.clone(),
                });
            }
            (Some(MediaState::RingingOutgoing | MediaState::Dialing), Some(MediaState::Active)) => {
                // The remote party answered.
                for p in e.added_participants.iter().chain(&e.modified_participants) {
                    let party = party_of(&p.identity, &p.participant_id);
                    if track.answered.insert(key(&party)) {
                        out.push(EventKind::Answered {
                            call: call.clone(),
                            party,
                        });
                    }
                }
                if e.added_participants.is_empty() && e.modified_participants.is_empty() {
                    let remote = e
                        .call_data
                        .initial_called
                        .as_ref()
                        .map(|p| party_of(p, ""))
                        .filter(|p| !p.device.as_str().is_empty());
                    if let Some(party) = remote
                        && track.answered.insert(key(&party))
                    {
                        out.push(EventKind::Answered {
                            call: call.clone(),
                            party,
                        });
                    }
                }
            }
            (Some(b), Some(MediaState::Held)) if b != MediaState::Held => {
                out.push(EventKind::Held {
                    call: call.clone(),
                    party: me.clone(),
                });
            }
            (Some(MediaState::Held), Some(MediaState::Active)) => {
                out.push(EventKind::Retrieved {
                    call: call.clone(),
                    party: me.clone(),
                });
            }
            _ => {}
        }
        if let Some(leg) = &own {
            self.leg_device_state(leg, out);
        }
    }

    fn call_removed(&mut self, e: &OnCallRemoved, out: &mut Vec<EventKind>) {
        let Some(call) = self
            .refs
            .remove(&(e.login_name.clone(), e.call_ref.clone()))
        else {
            return;
        };
        let me = self.me(&e.login_name);
        let track = self.calls.entry(call.clone()).or_default();
        let cause = e.cause.as_ref().map_or(Cause::Normal, map_cause);
        if cause == Cause::Transferred
            && let Some(dest) = &e.new_destination
        {
            let to = number_party(dest);
            if track.transfers.insert((key(&me), key(&to))) {
                out.push(EventKind::Transferred {
                    call: call.clone(),
                    by: me.clone(),
                    to,
                    new_call: None,
                });
            }
        }
        if track.cleared.insert(key(&me)) {
            out.push(EventKind::PartyCleared {
                call: call.clone(),
                party: me,
                cause: cause.clone(),
            });
        }
        track.monitored.remove(&e.login_name);
        track.legs.remove(&e.login_name);
        if cause != Cause::Transferred {
            track.last_cause = Some(cause);
        }
        if track.monitored.is_empty() {
            let cause = track.last_cause.clone().unwrap_or(Cause::Normal);
            self.calls.remove(&call);
            out.push(EventKind::Ended { call, cause });
        }
    }

    // ------------------------------------------------------------ helpers

    fn map_ref(&mut self, login: &str, call_ref: &str, uuid: Option<&str>) -> CallId {
        let k = (login.to_owned(), call_ref.to_owned());
        if let Some(id) = self.refs.get(&k) {
            return id.clone();
        }
        let id = CallId::new(uuid.map_or_else(|| format!("{login}/{call_ref}"), str::to_owned));
        self.refs.insert(k, id.clone());
        id
    }

    /// The user's own leg: the one on its known device, else the first.
    fn own_leg<'a>(&mut self, login: &str, legs: &'a [Leg]) -> Option<&'a Leg> {
        let known = self.devices_of.get(login);
        let leg = legs
            .iter()
            .find(|l| known.is_some_and(|d| *d == l.device_id))
            .or_else(|| legs.first())?;
        self.devices_of
            .entry(login.to_owned())
            .or_insert_with(|| leg.device_id.clone());
        Some(leg)
    }

    fn device_of(&self, login: &str) -> String {
        self.devices_of
            .get(login)
            .cloned()
            .unwrap_or_else(|| login.to_owned())
    }

    fn me(&self, login: &str) -> Party {
        let d = self.device_of(login);
        Party::device(d.clone()).with_number(d)
    }

    fn leg_device_state(&mut self, leg: &Leg, out: &mut Vec<EventKind>) {
        let state = match leg.state {
            MediaState::Dialing
            | MediaState::OffHook
            | MediaState::RingingOutgoing
            | MediaState::Active => DeviceState::Busy,
            MediaState::RingingIncoming => DeviceState::Ringing,
            MediaState::Held => DeviceState::OnHold,
            _ => return,
        };
        self.device_state(&leg.device_id, state, out);
    }

    fn device_state(&mut self, device: &str, state: DeviceState, out: &mut Vec<EventKind>) {
        if self.device_states.get(device) == Some(&state) {
            return;
        }
        self.device_states.insert(device.to_owned(), state.clone());
        out.push(EventKind::DeviceState {
            device: DeviceId::new(device),
            state,
        });
    }
}

/// Parties are compared by number.
fn key(p: &Party) -> String {
    p.number
        .clone()
        .unwrap_or_else(|| p.device.as_str().to_owned())
}

fn number_party(n: &str) -> Party {
    Party::device(n).with_number(n)
}

/// A party from O2G's identity: its phone number (else the participant id,
/// else the login name) as device and number.
fn party_of(p: &PartyInfo, fallback: &str) -> Party {
    let n =
        p.id.phone_number
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| (!fallback.is_empty()).then(|| fallback.to_owned()))
            .or_else(|| p.id.login_name.clone())
            .unwrap_or_default();
    number_party(&n)
}

fn map_cause(c: &telephony::Cause) -> Cause {
    use telephony::Cause as C;
    match c {
        C::Cleared | C::ParticipantLeft | C::Conferenced => Cause::Normal,
        C::Abandoned => Cause::Cancelled,
        C::Busy | C::DoNotDisturb => Cause::Busy,
        C::NotAnswered => Cause::NoAnswer,
        C::InvalidNumber | C::DestinationNotObtainable => Cause::Unreachable,
        C::AllTrunkBusy | C::ResourcesNotAvailable => Cause::Congestion,
        C::Transferred => Cause::Transferred,
        C::Forwarded | C::Redirected | C::Overflown => Cause::Redirected,
        C::PickedUp | C::PickedUpTandem => Cause::PickedUp,
        C::Unspecified => Cause::Unknown,
        C::Other(raw) => Cause::Other(raw.to_ascii_lowercase()),
        other => Cause::Other(other.as_str().to_ascii_lowercase()),
    }
}

fn agent_state(e: &OnAgentStateChanged) -> Option<EventKind> {
    use crate::types::events::{AgentMainState as M, AgentSubState as S};
    let st = &e.state;
    let state = match (&st.main_state, st.sub_state.as_ref()) {
        (M::LogOff, _) => AgentState::LoggedOff,
        (M::LogOn, Some(S::Ready)) => AgentState::Ready,
        (M::LogOn, Some(S::Pause | S::Withdraw)) => AgentState::NotReady,
        (M::LogOn, Some(S::Busy)) => AgentState::Busy,
        (M::LogOn, Some(s)) if s.as_str().starts_with("WRAPUP") => AgentState::WorkingAfterCall,
        (M::LogOn, _) => AgentState::LoggedOn,
        _ => return None,
    };
    Some(EventKind::AgentState {
        agent: AgentId::new(e.login_name.clone()),
        state,
        device: st.pro_acd_device_number.clone().map(DeviceId::new),
        queue: st.pg_number.clone(),
        reason: st.withdraw_reason.clone().filter(|r| !r.is_empty()),
    })
}

impl cti_core::Normalizer for Normalizer {
    type Input = Event;
    type Snapshot = Vec<(String, TelephonicState)>;

    fn source(&self) -> Source {
        Source::O2g
    }

    fn push(&mut self, input: &Event, ts: Timestamp, out: &mut Vec<CtiEvent>) {
        Self::push(self, input, ts, out);
    }

    fn snapshot(&mut self, snapshot: &Self::Snapshot, ts: Timestamp, out: &mut Vec<CtiEvent>) {
        Self::snapshot(self, snapshot, ts, out);
    }

    fn reset(&mut self) {
        Self::reset(self);
    }
}
