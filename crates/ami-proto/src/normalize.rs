//! AMI events → the normalized `cti-core` model. No IO.
//!
//! [`Normalizer`] follows calls by `Linkedid` (all channels of one call
//! share it) and channels by `Uniqueid`:
//!
//! | AMI | normalized |
//! | --- | --- |
//! | `Newchannel` of a call's first channel (`Uniqueid` = `Linkedid`) | `originated` |
//! | `DialBegin` | `alerting` (the `Dest…` channel, with the dialling channel as caller) |
//! | `DialEnd` with `DialStatus: ANSWER` | `answered` |
//! | `DialEnd` with another status | `party_cleared` of the dialled party (busy, no answer, …) |
//! | `BridgeEnter` of a channel not yet answered, into a bridge with ≥ 2 channels | `answered` |
//! | `Hold` / `Unhold` | `held` / `retrieved` |
//! | `BlindTransfer`, `AttendedTransfer` (`Result: Success`) | `transferred` |
//! | `Hangup` | `party_cleared` with the Q.850 cause; `ended` when the call's last channel is gone |
//! | `DeviceStateChange` | `device_state` |
//! | `QueueMemberAdded` / `Removed` / `Pause`, `AgentLogin` / `Logoff`, `AgentConnect` / `AgentComplete` | `agent_state` |
//!
//! A party's device is the channel name without its sequence suffix
//! (`PJSIP/1001-0000002a` → `PJSIP/1001`), its number the caller id
//! number, its name the caller id name. `Local/…` channels are dialplan
//! plumbing: they keep a call alive but produce no party events.

use std::collections::{HashMap, HashSet};

use cti_core::{
    AgentState, CallId, Cause, DeviceState, Event, EventKind, Party, Source, Timestamp,
};

use crate::session::EventList;
use crate::{Message, MessageKind};

#[derive(Debug, Clone)]
struct Channel {
    linkedid: String,
    party: Party,
    local: bool,
    answered: bool,
    /// A party event already said it left (failed dial).
    cleared: bool,
    /// It transferred the call: its hangup is a `transferred` clearing.
    transferred: bool,
}

/// Folds AMI events into normalized events, keeping the little state it
/// needs (live channels per call).
#[derive(Debug, Default)]
pub struct Normalizer {
    channels: HashMap<String, Channel>,
    calls: HashMap<String, HashSet<String>>,
}

/// The device of a channel name: `PJSIP/1001-0000002a` → `PJSIP/1001`.
pub fn channel_device(channel: &str) -> &str {
    match channel.rfind('-') {
        Some(i)
            if i > 0
                && channel[i + 1..].chars().all(|c| c.is_ascii_hexdigit())
                && i + 1 < channel.len() =>
        {
            &channel[..i]
        }
        _ => channel,
    }
}

fn known(v: Option<&str>) -> Option<String> {
    v.filter(|s| !s.is_empty() && *s != "<unknown>")
        .map(str::to_owned)
}

/// A Q.850 cause code as a normalized cause.
pub fn cause_from_q850(code: &str) -> Cause {
    match code.trim() {
        "16" => Cause::Normal,
        "17" => Cause::Busy,
        "18" | "19" => Cause::NoAnswer,
        "21" => Cause::Rejected,
        "1" | "2" | "3" | "20" | "27" | "28" => Cause::Unreachable,
        "34" | "38" | "41" | "42" | "44" => Cause::Congestion,
        "0" | "" => Cause::Unknown,
        other => Cause::Other(format!("q850:{other}")),
    }
}

fn cause_from_dial_status(status: &str) -> Cause {
    match status {
        "BUSY" => Cause::Busy,
        "NOANSWER" => Cause::NoAnswer,
        "CANCEL" => Cause::Cancelled,
        "CONGESTION" => Cause::Congestion,
        "CHANUNAVAIL" => Cause::Unreachable,
        other => Cause::Other(other.to_ascii_lowercase()),
    }
}

/// `DeviceStateChange` `State` values.
pub fn device_state(state: &str) -> DeviceState {
    match state {
        "NOT_INUSE" => DeviceState::Idle,
        "INUSE" | "BUSY" => DeviceState::Busy,
        "RINGING" | "RINGINUSE" => DeviceState::Ringing,
        "ONHOLD" => DeviceState::OnHold,
        "UNAVAILABLE" | "INVALID" => DeviceState::Unavailable,
        "UNKNOWN" => DeviceState::Unknown,
        other => DeviceState::Other(other.to_owned()),
    }
}

impl Normalizer {
    /// A normalizer with no call known.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every call (after a reconnect with a gap: refresh from
    /// `CoreShowChannels` with [`Normalizer::snapshot`]).
    pub fn reset(&mut self) {
        self.channels.clear();
        self.calls.clear();
    }

    /// Adopts the channels of a `CoreShowChannels` list (one
    /// `CoreShowChannel` event per channel): calls already up are followed
    /// from here on, so that their later events (answer, hang-up) are
    /// normalized, without inventing events for what happened before.
    /// Channels in state `Up` count as answered.
    pub fn snapshot(&mut self, list: &EventList, _ts: Timestamp, _out: &mut Vec<Event>) {
        for item in &list.items {
            if !item
                .name()
                .is_some_and(|n| n.eq_ignore_ascii_case("CoreShowChannel"))
            {
                continue;
            }
            if self.track(item, "").is_some()
                && item.get("ChannelState") == Some("6")
                && let Some(c) = item.get("Uniqueid").and_then(|u| self.channels.get_mut(u))
            {
                c.answered = true;
            }
        }
    }

    /// How many calls are being followed.
    pub fn calls(&self) -> usize {
        self.calls.len()
    }

    fn party_of(m: &Message, prefix: &str) -> Option<Party> {
        let chan = m.get(&format!("{prefix}Channel"))?;
        let mut p = Party::device(channel_device(chan));
        p.number = known(m.get(&format!("{prefix}CallerIDNum")));
        p.name = known(m.get(&format!("{prefix}CallerIDName")));
        Some(p)
    }

    /// Learns (or refreshes) the channel a snapshot block describes.
    fn track(&mut self, m: &Message, prefix: &str) -> Option<Channel> {
        let uid = m.get(&format!("{prefix}Uniqueid"))?.to_owned();
        let lid = m
            .get(&format!("{prefix}Linkedid"))
            .unwrap_or(&uid)
            .to_owned();
        let party = Self::party_of(m, prefix)?;
        let local = m
            .get(&format!("{prefix}Channel"))
            .is_some_and(|c| c.starts_with("Local/"));
        let entry = self.channels.entry(uid.clone()).or_insert_with(|| Channel {
            linkedid: lid.clone(),
            party: party.clone(),
            local,
            answered: false,
            cleared: false,
            transferred: false,
        });
        if entry.linkedid != lid {
            // Linkedid changed (transfers, masquerades): move the channel.
            if let Some(set) = self.calls.get_mut(&entry.linkedid) {
                set.remove(&uid);
            }
            entry.linkedid = lid.clone();
        }
        if party.number.is_some() {
            entry.party.number = party.number;
        }
        if party.name.is_some() {
            entry.party.name = party.name;
        }
        let ch = entry.clone();
        self.calls.entry(lid).or_default().insert(uid);
        Some(ch)
    }

    /// Normalizes one message received at `ts`, appending to `out`.
    /// Responses and unknown events produce nothing.
    pub fn push(&mut self, m: &Message, ts: Timestamp, out: &mut Vec<Event>) {
        if m.kind() != MessageKind::Event {
            return;
        }
        let Some(name) = m.name() else { return };
        let mut emit = |kind| out.push(Event::new(ts, Source::Ami, kind));
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "newchannel" => {
                if let Some(ch) = self.track(m, "") {
                    let first = m.get("Uniqueid") == m.get("Linkedid");
                    if first && !ch.local {
                        emit(EventKind::Originated {
                            call: CallId::new(ch.linkedid),
                            from: ch.party,
                            to: None,
                        });
                    }
                }
            }
            "dialbegin" => {
                let caller = self.track(m, "");
                if let Some(dest) = self.track(m, "Dest")
                    && !dest.local
                {
                    emit(EventKind::Alerting {
                        call: CallId::new(dest.linkedid),
                        party: dest.party,
                        caller: caller.filter(|c| !c.local).map(|c| c.party),
                    });
                }
            }
            "dialend" => {
                if let Some(dest) = self.track(m, "Dest") {
                    let status = m.get("DialStatus").unwrap_or_default();
                    if dest.local {
                        return;
                    }
                    let call = CallId::new(dest.linkedid.clone());
                    if status == "ANSWER" {
                        if let Some(uid) = m.get("DestUniqueid")
                            && let Some(c) = self.channels.get_mut(uid)
                        {
                            c.answered = true;
                        }
                        emit(EventKind::Answered {
                            call,
                            party: dest.party,
                        });
                    } else if !status.is_empty() {
                        if let Some(c) =
                            m.get("DestUniqueid").and_then(|u| self.channels.get_mut(u))
                        {
                            c.cleared = true;
                        }
                        emit(EventKind::PartyCleared {
                            call,
                            party: dest.party,
                            cause: cause_from_dial_status(status),
                        });
                    }
                }
            }
            "bridgeenter" => {
                let n: u32 = m
                    .get("BridgeNumChannels")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                if let Some(ch) = self.track(m, "") {
                    let uid = m.get("Uniqueid").unwrap_or_default().to_owned();
                    let is_first = uid == ch.linkedid;
                    if n >= 2 && !ch.answered && !ch.local && !is_first {
                        if let Some(c) = self.channels.get_mut(&uid) {
                            c.answered = true;
                        }
                        emit(EventKind::Answered {
                            call: CallId::new(ch.linkedid),
                            party: ch.party,
                        });
                    }
                }
            }
            "hold" | "unhold" => {
                if let Some(ch) = self.track(m, "").filter(|c| !c.local) {
                    let call = CallId::new(ch.linkedid);
                    emit(if lower == "hold" {
                        EventKind::Held {
                            call,
                            party: ch.party,
                        }
                    } else {
                        EventKind::Retrieved {
                            call,
                            party: ch.party,
                        }
                    });
                }
            }
            "blindtransfer" => {
                if m.get("Result").is_some_and(|r| r != "Success") {
                    return;
                }
                if let Some(c) = m
                    .get("TransfererUniqueid")
                    .and_then(|u| self.channels.get_mut(u))
                {
                    c.transferred = true;
                }
                if let Some(by) = self.track(m, "Transferer") {
                    let exten = m.get("Extension").unwrap_or_default();
                    emit(EventKind::Transferred {
                        call: CallId::new(by.linkedid),
                        by: by.party,
                        to: Party::device(exten).with_number(exten),
                        new_call: None,
                    });
                }
            }
            "attendedtransfer" => {
                if m.get("Result").is_some_and(|r| r != "Success") {
                    return;
                }
                for prefix in ["OrigTransfererUniqueid", "SecondTransfererUniqueid"] {
                    if let Some(c) = m.get(prefix).and_then(|u| self.channels.get_mut(u)) {
                        c.transferred = true;
                    }
                }
                let by = self.track(m, "OrigTransferer");
                let target = self.track(m, "TransferTarget");
                let second = m.get("SecondTransfererLinkedid").map(str::to_owned);
                if let (Some(by), Some(to)) = (by, target) {
                    let new_call = second.filter(|s| *s != by.linkedid).map(CallId::new);
                    emit(EventKind::Transferred {
                        call: CallId::new(by.linkedid),
                        by: by.party,
                        to: to.party,
                        new_call,
                    });
                }
            }
            "hangup" => {
                let Some(uid) = m.get("Uniqueid").map(str::to_owned) else {
                    return;
                };
                let ch = self.track(m, "");
                let transferred = self.channels.get(&uid).is_some_and(|c| c.transferred);
                let cause = if transferred {
                    Cause::Transferred
                } else {
                    cause_from_q850(m.get("Cause").unwrap_or_default())
                };
                self.channels.remove(&uid);
                if let Some(ch) = ch {
                    if !ch.local && !ch.cleared {
                        emit(EventKind::PartyCleared {
                            call: CallId::new(ch.linkedid.clone()),
                            party: ch.party,
                            cause: cause.clone(),
                        });
                    }
                    let empty = self.calls.get_mut(&ch.linkedid).is_some_and(|set| {
                        set.remove(&uid);
                        set.is_empty()
                    });
                    if empty {
                        self.calls.remove(&ch.linkedid);
                        emit(EventKind::Ended {
                            call: CallId::new(ch.linkedid),
                            cause,
                        });
                    }
                }
            }
            "devicestatechange" => {
                if let (Some(dev), Some(state)) = (m.get("Device"), m.get("State")) {
                    emit(EventKind::DeviceState {
                        device: dev.into(),
                        state: device_state(state),
                    });
                }
            }
            "queuememberadded" | "queuememberremoved" | "queuememberpause" => {
                let Some(agent) = m.get("Interface").or_else(|| m.get("MemberName")) else {
                    return;
                };
                let paused = m.get("Paused") == Some("1");
                let state = match lower.as_str() {
                    "queuememberremoved" => AgentState::LoggedOff,
                    "queuememberadded" if !paused => AgentState::LoggedOn,
                    _ if paused => AgentState::NotReady,
                    _ => AgentState::Ready,
                };
                emit(EventKind::AgentState {
                    agent: agent.into(),
                    state,
                    device: m.get("StateInterface").map(Into::into),
                    queue: m.get("Queue").map(str::to_owned),
                    reason: known(m.get("PausedReason")),
                });
            }
            "agentlogin" | "agentlogoff" => {
                let Some(agent) = m.get("Agent") else { return };
                let state = if lower == "agentlogin" {
                    AgentState::LoggedOn
                } else {
                    AgentState::LoggedOff
                };
                let device = m.get("Channel").map(|c| channel_device(c).into());
                emit(EventKind::AgentState {
                    agent: agent.into(),
                    state,
                    device,
                    queue: None,
                    reason: None,
                });
            }
            "agentconnect" | "agentcomplete" => {
                let Some(agent) = m.get("Interface").or_else(|| m.get("MemberName")) else {
                    return;
                };
                let state = if lower == "agentconnect" {
                    AgentState::Busy
                } else {
                    AgentState::WorkingAfterCall
                };
                emit(EventKind::AgentState {
                    agent: agent.into(),
                    state,
                    device: None,
                    queue: m.get("Queue").map(str::to_owned),
                    reason: None,
                });
            }
            _ => {}
        }
    }
}

impl cti_core::Normalizer for Normalizer {
    type Input = Message;
    type Snapshot = EventList;

    fn source(&self) -> Source {
        Source::Ami
    }

    fn push(&mut self, input: &Message, ts: Timestamp, out: &mut Vec<Event>) {
        Self::push(self, input, ts, out);
    }

    fn snapshot(&mut self, snapshot: &EventList, ts: Timestamp, out: &mut Vec<Event>) {
        Self::snapshot(self, snapshot, ts, out);
    }

    fn reset(&mut self) {
        Self::reset(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(prefix: &str, chan: &str, num: &str, uid: &str, lid: &str) -> Vec<(String, String)> {
        vec![
            (format!("{prefix}Channel"), chan.to_owned()),
            (format!("{prefix}CallerIDNum"), num.to_owned()),
            (format!("{prefix}CallerIDName"), "<unknown>".to_owned()),
            (format!("{prefix}Uniqueid"), uid.to_owned()),
            (format!("{prefix}Linkedid"), lid.to_owned()),
        ]
    }

    fn ev(name: &str, parts: &[Vec<(String, String)>], extra: &[(&str, &str)]) -> Message {
        let mut b = Message::event(name).header("Privilege", "call,all");
        for (k, v) in parts.iter().flatten() {
            b = b.header(k, v);
        }
        for (k, v) in extra {
            b = b.header(k, v);
        }
        b.build().unwrap()
    }

    fn kinds(msgs: &[Message]) -> Vec<EventKind> {
        let mut n = Normalizer::new();
        let mut out = Vec::new();
        for m in msgs {
            n.push(m, Timestamp::EPOCH, &mut out);
        }
        out.into_iter().map(|e| e.kind).collect()
    }

    #[test]
    fn a_snapshot_adopts_the_channels_up_before_the_session() {
        let a = snap("", "PJSIP/1001-00000001", "1001", "1.1", "1.1");
        let b = snap("", "PJSIP/1002-00000002", "1002", "1.2", "1.1");
        let list = EventList {
            response: Message::response("Success")
                .header("EventList", "start")
                .build()
                .unwrap(),
            items: vec![
                ev(
                    "CoreShowChannel",
                    std::slice::from_ref(&a),
                    &[("ChannelState", "6")],
                ),
                ev(
                    "CoreShowChannel",
                    std::slice::from_ref(&b),
                    &[("ChannelState", "6")],
                ),
            ],
            complete: None,
        };
        let mut n = Normalizer::new();
        let mut out = Vec::new();
        cti_core::Normalizer::snapshot(&mut n, &list, Timestamp::EPOCH, &mut out);
        assert!(out.is_empty(), "nothing invented: {out:?}");
        assert_eq!(n.calls(), 1, "the two channels are one call (Linkedid)");
        // The same list again (a second gap) changes nothing.
        n.snapshot(&list, Timestamp::EPOCH, &mut out);
        assert_eq!(n.calls(), 1);
        for m in [
            ev("Hangup", &[b], &[("Cause", "16")]),
            ev("Hangup", &[a], &[("Cause", "16")]),
        ] {
            n.push(&m, Timestamp::EPOCH, &mut out);
        }
        let ended = out
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Ended { .. }))
            .count();
        let cleared = out
            .iter()
            .filter(|e| matches!(e.kind, EventKind::PartyCleared { .. }))
            .count();
        assert_eq!((cleared, ended), (2, 1), "{out:?}");
        assert_eq!(n.calls(), 0);
    }

    #[test]
    fn channel_devices() {
        assert_eq!(channel_device("PJSIP/1001-0000002a"), "PJSIP/1001");
        assert_eq!(channel_device("PJSIP/trunk-a-00000001"), "PJSIP/trunk-a");
        assert_eq!(channel_device("DAHDI/1"), "DAHDI/1");
        assert_eq!(channel_device("PJSIP/1001-"), "PJSIP/1001-");
    }

    #[test]
    fn basic_call_answered_and_released() {
        let a = snap("", "PJSIP/1001-00000001", "1001", "1.1", "1.1");
        let b = snap("", "PJSIP/1002-00000002", "1002", "1.2", "1.1");
        let bd = snap("Dest", "PJSIP/1002-00000002", "1002", "1.2", "1.1");
        let msgs = vec![
            ev("Newchannel", std::slice::from_ref(&a), &[]),
            ev(
                "DeviceStateChange",
                &[],
                &[("Device", "PJSIP/1001"), ("State", "INUSE")],
            ),
            ev("Newchannel", std::slice::from_ref(&b), &[]),
            ev(
                "DialBegin",
                &[a.clone(), bd.clone()],
                &[("DialString", "1002")],
            ),
            ev(
                "DialEnd",
                &[a.clone(), bd.clone()],
                &[("DialStatus", "ANSWER")],
            ),
            ev(
                "BridgeEnter",
                std::slice::from_ref(&b),
                &[("BridgeNumChannels", "1")],
            ),
            ev(
                "BridgeEnter",
                std::slice::from_ref(&a),
                &[("BridgeNumChannels", "2")],
            ),
            ev(
                "Hangup",
                std::slice::from_ref(&a),
                &[("Cause", "16"), ("Cause-txt", "Normal Clearing")],
            ),
            ev(
                "Hangup",
                std::slice::from_ref(&b),
                &[("Cause", "16"), ("Cause-txt", "Normal Clearing")],
            ),
        ];
        let p = |d: &str, n: &str| Party::device(d).with_number(n);
        assert_eq!(
            kinds(&msgs),
            vec![
                EventKind::Originated {
                    call: "1.1".into(),
                    from: p("PJSIP/1001", "1001"),
                    to: None
                },
                EventKind::DeviceState {
                    device: "PJSIP/1001".into(),
                    state: DeviceState::Busy
                },
                EventKind::Alerting {
                    call: "1.1".into(),
                    party: p("PJSIP/1002", "1002"),
                    caller: Some(p("PJSIP/1001", "1001"))
                },
                EventKind::Answered {
                    call: "1.1".into(),
                    party: p("PJSIP/1002", "1002")
                },
                EventKind::PartyCleared {
                    call: "1.1".into(),
                    party: p("PJSIP/1001", "1001"),
                    cause: Cause::Normal
                },
                EventKind::PartyCleared {
                    call: "1.1".into(),
                    party: p("PJSIP/1002", "1002"),
                    cause: Cause::Normal
                },
                EventKind::Ended {
                    call: "1.1".into(),
                    cause: Cause::Normal
                },
            ]
        );
    }

    #[test]
    fn busy_dial_and_local_channels() {
        let l1 = snap("", "Local/200@test-00000001;1", "", "2.1", "2.1");
        let a = snap("", "PJSIP/1001-00000003", "1001", "2.2", "2.1");
        let bd = snap("Dest", "PJSIP/1002-00000004", "1002", "2.3", "2.1");
        let msgs = vec![
            ev("Newchannel", std::slice::from_ref(&l1), &[]),
            ev("DialBegin", &[a.clone(), bd.clone()], &[]),
            ev("DialEnd", &[a.clone(), bd], &[("DialStatus", "BUSY")]),
            ev(
                "Hangup",
                &[snap("", "PJSIP/1002-00000004", "1002", "2.3", "2.1")],
                &[("Cause", "17")],
            ),
            ev("Hangup", &[a], &[("Cause", "17")]),
            ev("Hangup", &[l1], &[("Cause", "17")]),
        ];
        let k = kinds(&msgs);
        assert!(matches!(&k[0], EventKind::Alerting { .. }), "{k:?}");
        assert!(matches!(
            &k[1],
            EventKind::PartyCleared {
                cause: Cause::Busy,
                ..
            }
        ));
        assert!(matches!(
            &k[2],
            EventKind::PartyCleared {
                cause: Cause::Busy,
                ..
            }
        ));
        assert_eq!(
            k[3],
            EventKind::Ended {
                call: "2.1".into(),
                cause: Cause::Busy
            },
            "the call lives until its Local channel goes"
        );
        assert_eq!(k.len(), 4);
    }

    #[test]
    fn hold_transfer_and_agents() {
        let a = snap("", "PJSIP/1001-00000001", "1001", "1.1", "1.1");
        let t = snap("Transferer", "PJSIP/1001-00000001", "1001", "1.1", "1.1");
        let msgs = vec![
            ev(
                "Hold",
                std::slice::from_ref(&a),
                &[("MusicClass", "default")],
            ),
            ev("Unhold", &[a], &[]),
            ev(
                "BlindTransfer",
                &[t],
                &[
                    ("Result", "Success"),
                    ("Extension", "1003"),
                    ("Context", "test"),
                ],
            ),
            ev(
                "QueueMemberPause",
                &[],
                &[
                    ("Queue", "support"),
                    ("Interface", "PJSIP/2001"),
                    ("Paused", "1"),
                    ("PausedReason", "lunch"),
                ],
            ),
            ev(
                "AgentConnect",
                &[],
                &[("Queue", "support"), ("Interface", "PJSIP/2001")],
            ),
        ];
        let k = kinds(&msgs);
        assert!(matches!(&k[0], EventKind::Held { .. }));
        assert!(matches!(&k[1], EventKind::Retrieved { .. }));
        assert!(
            matches!(&k[2], EventKind::Transferred { to, .. } if to.number.as_deref() == Some("1003"))
        );
        assert!(
            matches!(&k[3], EventKind::AgentState { state: AgentState::NotReady, reason: Some(r), .. } if r == "lunch")
        );
        assert!(matches!(
            &k[4],
            EventKind::AgentState {
                state: AgentState::Busy,
                ..
            }
        ));
    }

    #[test]
    fn responses_and_unknown_events_give_nothing() {
        let r = Message::response("Success")
            .header("ActionID", "1")
            .build()
            .unwrap();
        let u = Message::event("SomethingNew")
            .header("Foo", "bar")
            .build()
            .unwrap();
        assert!(kinds(&[r, u]).is_empty());
    }
}
