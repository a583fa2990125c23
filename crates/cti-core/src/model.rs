//! A pure fold of normalized events into the current calls.

use std::collections::BTreeMap;

use crate::{
    AgentId, AgentState, CallId, DeviceId, DeviceState, Event, EventKind, Party, Timestamp,
};

/// Where one party of a call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PartyState {
    /// The party started the call and waits for the other side.
    Initiated,
    /// The party's device rings.
    Alerting,
    /// The party is talking.
    Connected,
    /// The party holds the call.
    Held,
}

/// The overall state of a call, derived from its parties.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallState {
    /// Being set up, nobody alerted yet.
    Initiated,
    /// Some party rings and fewer than two talk.
    Alerting,
    /// At least two parties talk.
    Connected,
    /// A party holds the call.
    Held,
}

/// One party of a [`Call`] and its state.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallParty {
    /// Who.
    pub party: Party,
    /// Where it stands.
    pub state: PartyState,
}

/// One current call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Call {
    /// The call's identity.
    pub id: CallId,
    /// The parties in the call, in the order they joined it.
    pub parties: Vec<CallParty>,
    /// The number dialled when the call was originated, if reported.
    pub dialled: Option<Party>,
    /// When the first event of this call was seen.
    pub started: Timestamp,
    /// When the call was first answered.
    pub answered: Option<Timestamp>,
}

impl Call {
    fn new(id: CallId, at: Timestamp) -> Self {
        Self {
            id,
            parties: Vec::new(),
            dialled: None,
            started: at,
            answered: None,
        }
    }

    /// The overall state, derived from the parties.
    pub fn state(&self) -> CallState {
        let count = |s| self.parties.iter().filter(|p| p.state == s).count();
        if count(PartyState::Held) > 0 {
            CallState::Held
        } else if count(PartyState::Connected) >= 2 {
            CallState::Connected
        } else if count(PartyState::Alerting) > 0 {
            CallState::Alerting
        } else {
            CallState::Initiated
        }
    }

    /// The state of the party on `device`, if it is in the call.
    pub fn party_state(&self, device: &DeviceId) -> Option<PartyState> {
        self.parties
            .iter()
            .find(|p| &p.party.device == device)
            .map(|p| p.state)
    }

    fn set(&mut self, party: &Party, state: PartyState) {
        match self
            .parties
            .iter_mut()
            .find(|p| p.party.device == party.device)
        {
            Some(p) => {
                p.state = state;
                merge_party(&mut p.party, party);
            }
            None => self.parties.push(CallParty {
                party: party.clone(),
                state,
            }),
        }
    }

    fn add_if_absent(&mut self, party: &Party, state: PartyState) {
        if self.party_state(&party.device).is_none() {
            self.parties.push(CallParty {
                party: party.clone(),
                state,
            });
        }
    }

    fn remove(&mut self, device: &DeviceId) {
        self.parties.retain(|p| &p.party.device != device);
    }
}

/// Keeps the number and name already known when a later event omits them.
fn merge_party(known: &mut Party, new: &Party) {
    if new.number.is_some() {
        known.number.clone_from(&new.number);
    }
    if new.name.is_some() {
        known.name.clone_from(&new.name);
    }
}

/// The current calls, device states and agent states, folded from
/// normalized events: what a wallboard shows.
///
/// Feed every event, in order, to [`CallModel::apply`]. The model is pure:
/// the same events always give the same state. Calls leave the model when
/// they end, fail, or lose their last party.
///
/// After `Reconnected { gap: true }` the model is marked [stale](Self::is_stale):
/// events may have been missed, so the application should refresh it from
/// the vendor's snapshot queries and then call [`CallModel::mark_fresh`].
#[derive(Clone, Debug, Default)]
pub struct CallModel {
    calls: BTreeMap<CallId, Call>,
    devices: BTreeMap<DeviceId, DeviceState>,
    agents: BTreeMap<AgentId, AgentState>,
    stale: bool,
}

impl CallModel {
    /// An empty model.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one event into the model.
    pub fn apply(&mut self, event: &Event) {
        let at = event.ts;
        match &event.kind {
            EventKind::Originated { call, from, to } => {
                let c = self.entry(call, at);
                c.add_if_absent(from, PartyState::Initiated);
                if to.is_some() {
                    c.dialled.clone_from(to);
                }
            }
            EventKind::Alerting {
                call,
                party,
                caller,
            } => {
                let c = self.entry(call, at);
                if let Some(caller) = caller {
                    c.add_if_absent(caller, PartyState::Initiated);
                }
                c.set(party, PartyState::Alerting);
            }
            EventKind::Answered { call, party } => {
                let c = self.entry(call, at);
                c.set(party, PartyState::Connected);
                for p in &mut c.parties {
                    if p.state == PartyState::Initiated {
                        p.state = PartyState::Connected;
                    }
                }
                c.answered.get_or_insert(at);
            }
            EventKind::Held { call, party } => self.entry(call, at).set(party, PartyState::Held),
            EventKind::Retrieved { call, party } => {
                self.entry(call, at).set(party, PartyState::Connected);
            }
            EventKind::Transferred {
                call,
                by,
                to,
                new_call,
            } => {
                let mut c = self
                    .calls
                    .remove(call)
                    .unwrap_or_else(|| Call::new(call.clone(), at));
                c.remove(&by.device);
                c.add_if_absent(to, PartyState::Alerting);
                if let Some(new_id) = new_call {
                    c.id = new_id.clone();
                }
                self.calls.insert(c.id.clone(), c);
            }
            EventKind::Conferenced { call, parties } => {
                let c = self.entry(call, at);
                for p in parties {
                    c.set(p, PartyState::Connected);
                }
            }
            EventKind::Diverted { call, from, to } => {
                let c = self.entry(call, at);
                c.remove(&from.device);
                c.set(to, PartyState::Alerting);
            }
            EventKind::PartyCleared { call, party, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.remove(&party.device);
                    if c.parties.is_empty() {
                        self.calls.remove(call);
                    }
                }
            }
            EventKind::Ended { call, .. } | EventKind::Failed { call, .. } => {
                self.calls.remove(call);
            }
            EventKind::DeviceState { device, state } => {
                self.devices.insert(device.clone(), state.clone());
            }
            EventKind::AgentState { agent, state, .. } => {
                self.agents.insert(agent.clone(), state.clone());
            }
            EventKind::Reconnected { gap: true } | EventKind::Lagged { .. } => self.stale = true,
            _ => {}
        }
    }

    fn entry(&mut self, call: &CallId, at: Timestamp) -> &mut Call {
        self.calls
            .entry(call.clone())
            .or_insert_with(|| Call::new(call.clone(), at))
    }

    /// The call with this id, if current.
    pub fn call(&self, id: &CallId) -> Option<&Call> {
        self.calls.get(id)
    }

    /// The current calls, ordered by id.
    pub fn calls(&self) -> impl Iterator<Item = &Call> {
        self.calls.values()
    }

    /// The last reported state of a device.
    pub fn device_state(&self, device: &DeviceId) -> Option<&DeviceState> {
        self.devices.get(device)
    }

    /// The last reported state of an agent.
    pub fn agent_state(&self, agent: &AgentId) -> Option<&AgentState> {
        self.agents.get(agent)
    }

    /// True when events may have been missed since the model was last
    /// refreshed (a reconnect with a gap, or a lagging consumer).
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// Declares the model refreshed after a gap.
    pub fn mark_fresh(&mut self) {
        self.stale = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cause, Source};

    fn ev(ms: i64, kind: EventKind) -> Event {
        Event::new(Timestamp::from_unix_millis(ms), Source::O2g, kind)
    }

    fn p(dev: &str) -> Party {
        Party::device(dev)
    }

    fn states(m: &CallModel, call: &str) -> Vec<(String, PartyState)> {
        m.call(&CallId::new(call))
            .map(|c| {
                c.parties
                    .iter()
                    .map(|p| (p.party.device.to_string(), p.state))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Seed scenario: basic call 1001 → 1002, answered, released by 1001.
    fn basic_call() -> Vec<Event> {
        let c = CallId::new("call-1");
        vec![
            ev(
                0,
                EventKind::Originated {
                    call: c.clone(),
                    from: p("1001"),
                    to: Some(p("1002")),
                },
            ),
            ev(
                1,
                EventKind::DeviceState {
                    device: "1001".into(),
                    state: DeviceState::Busy,
                },
            ),
            ev(
                2,
                EventKind::Alerting {
                    call: c.clone(),
                    party: p("1002").with_name("Bruno Petit"),
                    caller: Some(p("1001")),
                },
            ),
            ev(
                3,
                EventKind::Answered {
                    call: c.clone(),
                    party: p("1002"),
                },
            ),
            ev(
                4,
                EventKind::DeviceState {
                    device: "1002".into(),
                    state: DeviceState::Busy,
                },
            ),
            ev(
                5,
                EventKind::PartyCleared {
                    call: c.clone(),
                    party: p("1001"),
                    cause: Cause::Normal,
                },
            ),
            ev(
                6,
                EventKind::DeviceState {
                    device: "1001".into(),
                    state: DeviceState::Idle,
                },
            ),
            ev(
                7,
                EventKind::PartyCleared {
                    call: c.clone(),
                    party: p("1002"),
                    cause: Cause::Normal,
                },
            ),
            ev(
                8,
                EventKind::Ended {
                    call: c,
                    cause: Cause::Normal,
                },
            ),
            ev(
                9,
                EventKind::DeviceState {
                    device: "1002".into(),
                    state: DeviceState::Idle,
                },
            ),
        ]
    }

    #[test]
    fn basic_call_step_by_step() {
        let events = basic_call();
        let mut m = CallModel::new();
        m.apply(&events[0]);
        assert_eq!(
            states(&m, "call-1"),
            [("1001".into(), PartyState::Initiated)]
        );
        assert_eq!(
            m.call(&"call-1".into()).unwrap().state(),
            CallState::Initiated
        );
        assert_eq!(m.call(&"call-1".into()).unwrap().dialled, Some(p("1002")));
        m.apply(&events[1]);
        m.apply(&events[2]);
        assert_eq!(
            states(&m, "call-1"),
            [
                ("1001".into(), PartyState::Initiated),
                ("1002".into(), PartyState::Alerting)
            ]
        );
        assert_eq!(
            m.call(&"call-1".into()).unwrap().state(),
            CallState::Alerting
        );
        m.apply(&events[3]);
        let call = m.call(&"call-1".into()).unwrap();
        assert_eq!(call.state(), CallState::Connected);
        assert_eq!(call.answered, Some(Timestamp::from_unix_millis(3)));
        assert_eq!(
            call.parties[1].party.name.as_deref(),
            Some("Bruno Petit"),
            "name kept from alerting"
        );
        m.apply(&events[4]);
        m.apply(&events[5]);
        assert_eq!(
            states(&m, "call-1"),
            [("1002".into(), PartyState::Connected)]
        );
        for e in &events[6..] {
            m.apply(e);
        }
        assert_eq!(m.calls().count(), 0);
        assert_eq!(m.device_state(&"1001".into()), Some(&DeviceState::Idle));
        assert_eq!(m.device_state(&"1002".into()), Some(&DeviceState::Idle));
        assert!(!m.is_stale());
    }

    #[test]
    fn unsupervised_transfer_a_to_c_of_call_a_b() {
        let c = CallId::new("call-1");
        let mut m = CallModel::new();
        for e in &basic_call()[..5] {
            m.apply(e);
        }
        let steps = [
            ev(
                10,
                EventKind::Transferred {
                    call: c.clone(),
                    by: p("1001"),
                    to: p("1003"),
                    new_call: None,
                },
            ),
            ev(
                11,
                EventKind::Alerting {
                    call: c.clone(),
                    party: p("1003"),
                    caller: Some(p("1002")),
                },
            ),
        ];
        for e in &steps {
            m.apply(e);
        }
        assert_eq!(
            states(&m, "call-1"),
            [
                ("1002".into(), PartyState::Connected),
                ("1003".into(), PartyState::Alerting)
            ]
        );
        assert_eq!(m.call(&c).unwrap().state(), CallState::Alerting);
        m.apply(&ev(
            12,
            EventKind::Answered {
                call: c.clone(),
                party: p("1003"),
            },
        ));
        assert_eq!(
            states(&m, "call-1"),
            [
                ("1002".into(), PartyState::Connected),
                ("1003".into(), PartyState::Connected)
            ]
        );
        assert_eq!(m.call(&c).unwrap().state(), CallState::Connected);
    }

    #[test]
    fn transfer_into_a_new_call_identity_moves_the_parties() {
        let mut m = CallModel::new();
        for e in &basic_call()[..5] {
            m.apply(e);
        }
        m.apply(&ev(
            10,
            EventKind::Transferred {
                call: "call-1".into(),
                by: p("1001"),
                to: p("1003"),
                new_call: Some("call-2".into()),
            },
        ));
        assert!(m.call(&"call-1".into()).is_none());
        assert_eq!(
            states(&m, "call-2"),
            [
                ("1002".into(), PartyState::Connected),
                ("1003".into(), PartyState::Alerting)
            ]
        );
    }

    #[test]
    fn hold_retrieve_and_failed_call() {
        let mut m = CallModel::new();
        for e in &basic_call()[..5] {
            m.apply(e);
        }
        m.apply(&ev(
            6,
            EventKind::Held {
                call: "call-1".into(),
                party: p("1001"),
            },
        ));
        assert_eq!(m.call(&"call-1".into()).unwrap().state(), CallState::Held);
        m.apply(&ev(
            7,
            EventKind::Retrieved {
                call: "call-1".into(),
                party: p("1001"),
            },
        ));
        assert_eq!(
            m.call(&"call-1".into()).unwrap().state(),
            CallState::Connected
        );
        m.apply(&ev(
            8,
            EventKind::Failed {
                call: "call-1".into(),
                party: None,
                cause: Cause::Busy,
            },
        ));
        assert_eq!(m.calls().count(), 0);
    }

    #[test]
    fn events_of_unknown_calls_and_stale_marking() {
        let mut m = CallModel::new();
        // A clear for a call we never saw changes nothing.
        m.apply(&ev(
            0,
            EventKind::PartyCleared {
                call: "zz".into(),
                party: p("1"),
                cause: Cause::Unknown,
            },
        ));
        assert_eq!(m.calls().count(), 0);
        // An answer for a call we joined late still shows the call.
        m.apply(&ev(
            1,
            EventKind::Answered {
                call: "late".into(),
                party: p("7"),
            },
        ));
        assert_eq!(states(&m, "late"), [("7".into(), PartyState::Connected)]);
        m.apply(&ev(2, EventKind::Reconnected { gap: false }));
        assert!(!m.is_stale());
        m.apply(&ev(3, EventKind::Reconnected { gap: true }));
        assert!(m.is_stale());
        m.mark_fresh();
        assert!(!m.is_stale());
        m.apply(&ev(
            4,
            EventKind::AgentState {
                agent: "agent-1".into(),
                state: AgentState::NotReady,
                device: None,
                queue: None,
                reason: Some("lunch".into()),
            },
        ));
        assert_eq!(
            m.agent_state(&"agent-1".into()),
            Some(&AgentState::NotReady)
        );
    }

    #[test]
    fn conference_and_diversion() {
        let mut m = CallModel::new();
        m.apply(&ev(
            0,
            EventKind::Alerting {
                call: "c".into(),
                party: p("2"),
                caller: Some(p("1")),
            },
        ));
        m.apply(&ev(
            1,
            EventKind::Diverted {
                call: "c".into(),
                from: p("2"),
                to: p("3"),
            },
        ));
        assert_eq!(
            states(&m, "c"),
            [
                ("1".into(), PartyState::Initiated),
                ("3".into(), PartyState::Alerting)
            ]
        );
        m.apply(&ev(
            2,
            EventKind::Conferenced {
                call: "c".into(),
                parties: vec![p("1"), p("3"), p("4")],
            },
        ));
        assert_eq!(
            states(&m, "c"),
            [
                ("1".into(), PartyState::Connected),
                ("3".into(), PartyState::Connected),
                ("4".into(), PartyState::Connected)
            ]
        );
    }
}
