//! AMI events → the normalized `cti-core` model. No IO.
//!
//! # One call per `Linkedid`
//!
//! Asterisk gives every channel a `Uniqueid` and every channel of one call
//! the `Linkedid` of the call's first channel; its CDRs are per `Linkedid`
//! too. [`Normalizer`] follows exactly that: one normalized call per
//! `Linkedid` ([`CallId`] = the `Linkedid`), whatever number of channels
//! make it up. The two halves (`;1`, `;2`) of a `Local` channel are one
//! party; the legs a `Dial` creates are the call's other parties.
//!
//! A party is known by its device: `PJSIP/1001-0000002a` → `PJSIP/1001`
//! (number: the caller id; for a dialled channel, the number dialled),
//! `Local/200@test-00000056;1` and `;2` → `Local/200@test` (number `200`).
//! The caller of an `Originate` into a `Local` channel is its caller id
//! (`CallerID: "AMI Test" <55520001>` → device and number `55520001`).
//!
//! | AMI | normalized |
//! | --- | --- |
//! | `Newchannel` of a call's first channel (`Uniqueid` = `Linkedid`), once its caller id is known (`NewCallerid`), at the latest before the call's next normalized event | `originated` (`to`: the `Local` party or the extension dialled) |
//! | `DialBegin` (also an `Originate`'s own dial, which has no caller part), `Newstate` `Ringing` | `alerting` of the party dialled |
//! | `DialEnd` `ANSWER`, `Newstate` `Up` of a dialled channel or of the answering half (`;2`) of a `Local` channel, `BridgeEnter` making a bridge of two; an incoming channel answered by the dialplan (`Answer()`) | `answered` |
//! | `DialEnd` `BUSY`, `CONGESTION`, `NOANSWER`, `CHANUNAVAIL`, `CANCEL` | `party_cleared` of the party dialled with cause `busy`, `congestion`, `no_answer`, `unreachable`, `cancelled`; the call's outcome if it is never answered |
//! | `BridgeEnter` making a bridge of three or more devices (`Local` halves aside) | `conferenced` |
//! | `Hold` / `Unhold` | `held` / `retrieved` |
//! | `BlindTransfer`, `AttendedTransfer` (`Result: Success`) | `transferred`; the transferer's clearing has cause `transferred` |
//! | `Hangup` of a party's last channel | `party_cleared` with the Q.850 cause |
//! | `Hangup` of a call's last channel | `ended`: cause `normal` if the call was answered, else its outcome (the first failed `DialStatus`, else the failed `OriginateResponse` `Reason`, else the first hang-up cause that is not normal clearing) |
//! | `DeviceStateChange` | `device_state`, when the device's state changes |
//! | `QueueMemberAdded` / `Removed` / `Pause`, `AgentLogin` / `Logoff`, `AgentConnect` / `AgentComplete` | `agent_state` |
//!
//! Every call gets one `originated` first and one `ended` last, and each
//! party's `alerting`, `answered` and `party_cleared` come once. A channel
//! first seen in the middle of its call (it existed before the session)
//! is adopted at its first event; once its call has ended, later events
//! of the call are ignored, so nothing ends twice.
//!
//! # Snapshot
//!
//! [`Normalizer::snapshot`] reads a `CoreShowChannels` list (or a `Status`
//! list): channels are grouped by `Linkedid`, and each call not yet known
//! is reported as it is now — `originated`, then `answered` for a party
//! whose channel is `Up` (a channel in a bridge, or the answered channel
//! of a call) or `alerting` for one that rings. A call followed before a
//! gap ([`Normalizer::reset`]) that the snapshot no longer lists ended
//! while the link was down: it gets `ended` with cause `unknown`.
//!
//! The normalizer reads owned [`Message`]s and borrowed
//! [`RawMessage`](crate::codec::RawMessage)s alike ([`Input`]).

mod input;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet, VecDeque};

use cti_core::{
    AgentState, CallId, Cause, DeviceState, Event, EventKind, Party, Source, Timestamp,
};

pub use input::Input;
use input::{CallEvent, Chan, ChannelStateCode, QueueMemberKind};

use crate::Message;
use crate::session::EventList;
use crate::values::DialStatus;

/// At most this many channels are followed; more are ignored.
const MAX_CHANNELS: usize = 16_384;
/// At most this many calls are followed; more are ignored.
const MAX_CALLS: usize = 8_192;
/// At most this many parties per call.
const MAX_PARTIES: usize = 64;
/// How many ended calls and hung-up channels are remembered, so that their
/// late events are not taken for new ones.
const MAX_GONE: usize = 4_096;

/// One channel being followed.
#[derive(Debug, Clone)]
struct Channel {
    linkedid: String,
    /// The key (device) of the party the channel belongs to.
    key: String,
    local: bool,
    /// Created ringing (`Ring`): an incoming call, or the answering half of
    /// a `Local` channel.
    inbound: bool,
    state: ChannelStateCode,
    exten: Option<String>,
    cid_num: Option<String>,
    cid_name: Option<String>,
    /// The destination of a dial.
    dialled: bool,
    /// It transferred the call: its clearing has cause `transferred`.
    transferred: bool,
    bridge: Option<String>,
}

/// One party of a call.
#[derive(Debug, Clone)]
struct PartyTrack {
    key: String,
    party: Party,
    channels: u32,
    alerted: bool,
    answered: bool,
    cleared: bool,
    held: bool,
    /// One of its channels transferred the call.
    transferred: bool,
}

/// One call (`Linkedid`) being followed.
#[derive(Debug, Default)]
struct CallTrack {
    /// The `Uniqueid` of the call's first channel.
    first: Option<String>,
    originated: bool,
    answered: bool,
    /// The first failed `DialStatus`.
    dial_outcome: Option<Cause>,
    /// What a failed `OriginateResponse` said.
    originate_outcome: Option<Cause>,
    /// The first hang-up cause other than normal clearing; whether one was
    /// normal clearing.
    hangup_outcome: Option<Cause>,
    any_normal: bool,
    channels: Vec<String>,
    parties: Vec<PartyTrack>,
    from_key: Option<String>,
}

impl CallTrack {
    fn party(&mut self, key: &str) -> Option<&mut PartyTrack> {
        self.parties.iter_mut().find(|p| p.key == key)
    }

    fn party_or_insert(&mut self, party: &Party) -> Option<&mut PartyTrack> {
        let key = party.device.as_str();
        if let Some(i) = self.parties.iter().position(|p| p.key == key) {
            let p = &mut self.parties[i];
            if p.party.number.is_none() {
                p.party.number.clone_from(&party.number);
            }
            if p.party.name.is_none() {
                p.party.name.clone_from(&party.name);
            }
            return Some(p);
        }
        if self.parties.len() >= MAX_PARTIES {
            return None;
        }
        self.parties.push(PartyTrack {
            key: key.to_owned(),
            party: party.clone(),
            channels: 0,
            alerted: false,
            answered: false,
            cleared: false,
            held: false,
            transferred: false,
        });
        self.parties.last_mut()
    }

    fn outcome(&self) -> Cause {
        if self.answered {
            return Cause::Normal;
        }
        self.dial_outcome
            .clone()
            .or_else(|| self.originate_outcome.clone())
            .or_else(|| self.hangup_outcome.clone())
            .unwrap_or(if self.any_normal {
                Cause::Normal
            } else {
                Cause::Unknown
            })
    }
}

/// A bounded set that forgets its oldest entries.
#[derive(Debug, Default)]
struct Recent {
    order: VecDeque<String>,
    set: HashSet<String>,
}

impl Recent {
    fn insert(&mut self, id: &str) {
        if self.set.insert(id.to_owned()) {
            self.order.push_back(id.to_owned());
            if self.order.len() > MAX_GONE
                && let Some(old) = self.order.pop_front()
            {
                self.set.remove(&old);
            }
        }
    }

    fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }
}

/// One bridge: the channels in it, and how many devices it was last
/// reported as a conference of.
#[derive(Debug, Default)]
struct Bridge {
    members: Vec<String>,
    conference: usize,
}

/// Folds AMI events into normalized events, following Asterisk's call
/// topology: one call per `Linkedid` (see the [module](self) for the
/// mapping). Bounded: at most 16 384 channels and 8 192 calls are
/// followed.
#[derive(Debug, Default)]
pub struct Normalizer {
    channels: BTreeMap<String, Channel>,
    calls: BTreeMap<String, CallTrack>,
    bridges: BTreeMap<String, Bridge>,
    ended: Recent,
    gone: Recent,
    /// Calls followed before the last reset, to be confirmed by the next
    /// snapshot.
    unconfirmed: Vec<String>,
    /// The last reported state of each device.
    devices: BTreeMap<String, DeviceState>,
    /// Events produced while learning a channel (a call left by its last
    /// channel), reported before those of the message at hand.
    deferred: Vec<EventKind>,
}

/// The device of a channel name: `PJSIP/1001-0000002a` → `PJSIP/1001`,
/// `Local/200@test-00000056;1` → `Local/200@test`.
pub fn channel_device(channel: &str) -> &str {
    let base = match channel
        .strip_suffix(";1")
        .or_else(|| channel.strip_suffix(";2"))
    {
        Some(b) if b.starts_with("Local/") => b,
        _ => channel,
    };
    match base.rfind('-') {
        Some(i)
            if i > 0
                && i + 1 < base.len()
                && base[i + 1..].chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            &base[..i]
        }
        _ => base,
    }
}

/// The extension of a `Local` device: `Local/200@test` → `200`.
fn local_exten(device: &str) -> Option<&str> {
    let rest = device.strip_prefix("Local/")?;
    let exten = rest.split('@').next().unwrap_or(rest);
    (!exten.is_empty()).then_some(exten)
}

/// The number in a dial string: `100@loopout` → `100`, `PJSIP/1002` →
/// `1002`, `1002` → `1002`.
fn dialled_number(dial_string: &str) -> Option<&str> {
    let s = dial_string.split(',').next().unwrap_or_default();
    let s = s.rsplit('/').next().unwrap_or(s);
    let s = s.split('@').next().unwrap_or(s).trim();
    (!s.is_empty()).then_some(s)
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

/// A `DialStatus` other than `ANSWER` as a normalized cause: `BUSY` →
/// busy, `NOANSWER` → no answer, `CONGESTION` → congestion,
/// `CHANUNAVAIL` → unreachable, `CANCEL` → cancelled, `DONTCALL` →
/// rejected; another value is kept in lower case.
pub fn cause_from_dial_status(status: &DialStatus) -> Cause {
    match status {
        DialStatus::Busy => Cause::Busy,
        DialStatus::NoAnswer => Cause::NoAnswer,
        DialStatus::Cancel => Cause::Cancelled,
        DialStatus::Congestion => Cause::Congestion,
        DialStatus::ChanUnavail => Cause::Unreachable,
        DialStatus::DontCall => Cause::Rejected,
        other => Cause::Other(other.as_str().to_ascii_lowercase()),
    }
}

/// An `OriginateResponse` `Reason` of a failed originate as a cause, when
/// it says one (`5` busy, `8` congestion, `3` rung without answer).
fn cause_from_originate_reason(reason: &str) -> Option<Cause> {
    match reason.trim() {
        "5" => Some(Cause::Busy),
        "8" => Some(Cause::Congestion),
        "3" => Some(Cause::NoAnswer),
        _ => None,
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

/// The party a channel stands for.
fn party_of(c: &Channel) -> Party {
    let mut p = Party::device(c.key.as_str());
    if c.local {
        p.number = local_exten(&c.key).map(str::to_owned);
    } else {
        p.number.clone_from(&c.cid_num);
        p.name.clone_from(&c.cid_name);
    }
    p
}

/// A party known only by a number (an extension, a caller id).
fn number_party(number: &str) -> Party {
    Party::device(number).with_number(number)
}

impl Normalizer {
    /// A normalizer with no call known.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every call and channel (after a reconnect with a gap:
    /// refresh from `CoreShowChannels` with [`Normalizer::snapshot`]). The
    /// calls it followed are remembered until the next snapshot, which
    /// reports those it no longer lists as ended.
    pub fn reset(&mut self) {
        if !self.calls.is_empty() {
            self.unconfirmed = self.calls.keys().cloned().collect();
        }
        self.channels.clear();
        self.calls.clear();
        self.bridges.clear();
        self.devices.clear();
    }

    /// Handles a link event: appends its normalized form and, on a gap,
    /// [resets](Self::reset) (the next [snapshot](Self::snapshot) rebuilds
    /// the picture).
    pub fn link(&mut self, link: &cti_core::LinkEvent, ts: Timestamp, out: &mut Vec<Event>) {
        <Self as cti_core::Normalizer>::link(self, link, ts, out);
    }

    /// How many calls are being followed.
    pub fn calls(&self) -> usize {
        self.calls.len()
    }

    /// How many channels are being followed.
    pub fn channels(&self) -> usize {
        self.channels.len()
    }

    /// Adopts the channels of a `CoreShowChannels` list (one
    /// `CoreShowChannel` event per channel) or a `Status` list (one
    /// `Status` event per channel): each call not yet known is reported as
    /// it is now (`originated`, then `answered` or `alerting` per party)
    /// and followed from here on; calls already known are not reported
    /// again. A call followed before the last [`reset`](Self::reset) that
    /// the list no longer has gets `ended` with cause `unknown`.
    pub fn snapshot(&mut self, list: &EventList, ts: Timestamp, out: &mut Vec<Event>) {
        let mut kinds = Vec::new();
        let mut groups: Vec<(String, Vec<Chan<'_>>)> = Vec::new();
        for item in &list.items {
            let Some(CallEvent::Snapshot { mut chan, bridged }) = CallEvent::parse(item) else {
                continue;
            };
            if bridged {
                // In a bridge: talking.
                chan.state = Some(ChannelStateCode::Up);
            }
            let lid = chan.linkedid.unwrap_or(chan.uniqueid);
            if let Some(i) = groups.iter().position(|(l, _)| l == lid) {
                groups[i].1.push(chan);
            } else if groups.len() < MAX_CALLS {
                groups.push((lid.to_owned(), vec![chan]));
            }
        }
        for id in std::mem::take(&mut self.unconfirmed) {
            if !groups.iter().any(|(l, _)| *l == id) && !self.ended.contains(&id) {
                self.ended.insert(&id);
                kinds.push(EventKind::Ended {
                    call: CallId::new(id),
                    cause: Cause::Unknown,
                });
            }
        }
        for (lid, group) in groups {
            if self.ended.contains(&lid) {
                continue;
            }
            let known = self.calls.contains_key(&lid);
            // The first channel first, so that it is the caller.
            let ordered: Vec<&Chan<'_>> = group
                .iter()
                .filter(|c| c.uniqueid == lid)
                .chain(group.iter().filter(|c| c.uniqueid != lid))
                .collect();
            for c in &ordered {
                self.touch(c, false);
            }
            if known || !self.calls.contains_key(&lid) {
                continue;
            }
            self.originate(&lid, &mut kinds);
            let from_key = self.calls.get(&lid).and_then(|c| c.from_key.clone());
            let mut answered_any = false;
            let mut up_any = false;
            for c in &ordered {
                let Some(ch) = self.channels.get(c.uniqueid).cloned() else {
                    continue;
                };
                if ch.linkedid != lid {
                    continue;
                }
                let mine = from_key.as_deref() == Some(ch.key.as_str());
                match ch.state {
                    ChannelStateCode::Up => {
                        up_any = true;
                        if !mine {
                            answered_any = true;
                            self.answer(&lid, &party_of(&ch), &mut kinds);
                        }
                    }
                    ChannelStateCode::Ringing | ChannelStateCode::Ring if !mine => {
                        self.alert(&lid, &party_of(&ch), None, &mut kinds);
                    }
                    _ => {}
                }
            }
            if up_any && !answered_any {
                // Only the caller's channel is up: the dialplan answered it.
                let first = self
                    .calls
                    .get(&lid)
                    .and_then(|c| c.first.clone())
                    .and_then(|u| self.channels.get(&u).cloned());
                if let Some(ch) = first {
                    let party = ch
                        .exten
                        .as_deref()
                        .filter(|e| *e != "s")
                        .map_or_else(|| party_of(&ch), number_party);
                    self.answer(&lid, &party, &mut kinds);
                }
            }
        }
        let deferred = std::mem::take(&mut self.deferred);
        out.extend(
            deferred
                .into_iter()
                .chain(kinds)
                .map(|k| Event::new(ts, Source::Ami, k)),
        );
    }

    /// Normalizes one message received at `ts`, appending to `out`: an
    /// owned [`Message`] or a borrowed
    /// [`RawMessage`](crate::codec::RawMessage). Responses and events the
    /// normalizer does not follow produce nothing.
    pub fn push<M: Input + ?Sized>(&mut self, m: &M, ts: Timestamp, out: &mut Vec<Event>) {
        let Some(ev) = CallEvent::parse(m) else {
            return;
        };
        let mut kinds = Vec::new();
        self.handle(ev, &mut kinds);
        let deferred = std::mem::take(&mut self.deferred);
        out.extend(
            deferred
                .into_iter()
                .chain(kinds)
                .map(|k| Event::new(ts, Source::Ami, k)),
        );
    }

    fn handle(&mut self, ev: CallEvent<'_>, out: &mut Vec<EventKind>) {
        match ev {
            CallEvent::Newchannel(c) | CallEvent::CallerId(c) => {
                let created = matches!(ev, CallEvent::Newchannel(_));
                if let Some(lid) = self.touch(&c, created) {
                    self.originate_when_known(&lid, out);
                }
            }
            CallEvent::Newstate(c) => {
                let Some(lid) = self.touch(&c, false) else {
                    return;
                };
                let Some(ch) = self.channels.get(c.uniqueid).cloned() else {
                    return;
                };
                match ch.state {
                    ChannelStateCode::Ringing if !self.is_caller(&lid, &ch) => {
                        self.alert(&lid, &party_of(&ch), None, out);
                    }
                    ChannelStateCode::Up => self.channel_up(&lid, &ch, out),
                    _ => {}
                }
            }
            CallEvent::DialBegin {
                caller,
                dest,
                dial_string,
            } => {
                let caller_party = caller.and_then(|c| {
                    let lid = self.touch(&c, false)?;
                    let ch = self.channels.get(c.uniqueid)?;
                    let party = party_of(ch);
                    // The dialling party is in the call (it is not alerted).
                    if let Some(p) = self
                        .calls
                        .get_mut(&lid)
                        .and_then(|call| call.party_or_insert(&party))
                    {
                        p.alerted = true;
                    }
                    (!ch.local).then_some(party)
                });
                let Some(lid) = self.touch(&dest, false) else {
                    return;
                };
                let Some(ch) = self.channels.get_mut(dest.uniqueid) else {
                    return;
                };
                ch.dialled = true;
                let mut party = party_of(ch);
                if !ch.local
                    && let Some(n) = dial_string.and_then(dialled_number)
                {
                    party.number = Some(n.to_owned());
                }
                self.alert(&lid, &party, caller_party, out);
            }
            CallEvent::DialEnd { dest, status } => {
                let Some(lid) = self.touch(&dest, false) else {
                    return;
                };
                let Some(ch) = self.channels.get_mut(dest.uniqueid) else {
                    return;
                };
                ch.dialled = true;
                let party = party_of(ch);
                match status {
                    DialStatus::Answer => self.answer(&lid, &party, out),
                    status => {
                        let cause = cause_from_dial_status(&status);
                        self.originate(&lid, out);
                        let Some(call) = self.calls.get_mut(&lid) else {
                            return;
                        };
                        call.dial_outcome.get_or_insert_with(|| cause.clone());
                        if let Some(p) = call.party_or_insert(&party)
                            && !p.cleared
                            && !p.answered
                        {
                            p.cleared = true;
                            out.push(EventKind::PartyCleared {
                                call: CallId::new(lid.as_str()),
                                party: p.party.clone(),
                                cause,
                            });
                        }
                    }
                }
            }
            CallEvent::LocalBridge { one, two } => {
                self.touch(&one, false);
                self.touch(&two, false);
            }
            CallEvent::BridgeEnter {
                chan,
                bridge,
                count,
            } => self.bridge_enter(&chan, bridge, count, out),
            CallEvent::BridgeLeave { chan, bridge } => {
                if self.touch(&chan, false).is_some() {
                    self.bridge_leave(chan.uniqueid, bridge);
                }
            }
            CallEvent::Hold(c) | CallEvent::Unhold(c) => {
                let hold = matches!(ev, CallEvent::Hold(_));
                let Some(lid) = self.touch(&c, false) else {
                    return;
                };
                let Some(ch) = self.channels.get(c.uniqueid).cloned() else {
                    return;
                };
                self.originate(&lid, out);
                let Some(p) = self
                    .calls
                    .get_mut(&lid)
                    .and_then(|call| call.party_or_insert(&party_of(&ch)))
                else {
                    return;
                };
                let call = CallId::new(lid.as_str());
                if hold && !p.held {
                    p.held = true;
                    out.push(EventKind::Held {
                        call,
                        party: p.party.clone(),
                    });
                } else if !hold && p.held {
                    p.held = false;
                    out.push(EventKind::Retrieved {
                        call,
                        party: p.party.clone(),
                    });
                }
            }
            CallEvent::BlindTransfer {
                transferer,
                transferee,
                exten,
            } => {
                if let Some(t) = transferee {
                    self.touch(&t, false);
                }
                let Some(lid) = self.touch(&transferer, false) else {
                    return;
                };
                let Some(ch) = self.channels.get_mut(transferer.uniqueid) else {
                    return;
                };
                ch.transferred = true;
                let by = self.known_party(&lid, transferer.uniqueid);
                if let (Some(by), Some(exten)) = (by, exten) {
                    self.originate(&lid, out);
                    out.push(EventKind::Transferred {
                        call: CallId::new(lid),
                        by,
                        to: number_party(exten),
                        new_call: None,
                    });
                }
            }
            CallEvent::AttendedTransfer {
                orig,
                second,
                target,
            } => self.attended_transfer(orig, second, target, out),
            CallEvent::Hangup { chan, cause } => self.hangup(&chan, cause, out),
            CallEvent::OriginateResponse {
                success,
                uniqueid,
                cid_num,
                reason,
            } => {
                if success {
                    if let Some(lid) = uniqueid
                        .and_then(|u| self.channels.get(u))
                        .map(|c| c.linkedid.clone())
                    {
                        self.originate(&lid, out);
                    }
                    return;
                }
                let (Some(num), Some(cause)) =
                    (cid_num, reason.and_then(cause_from_originate_reason))
                else {
                    return;
                };
                let channels = &self.channels;
                if let Some(call) = self.calls.values_mut().find(|c| {
                    c.first
                        .as_deref()
                        .and_then(|u| channels.get(u))
                        .is_some_and(|ch| ch.cid_num.as_deref() == Some(num))
                }) {
                    call.originate_outcome.get_or_insert(cause);
                }
            }
            // List items: for `snapshot`.
            CallEvent::Snapshot { .. } => {}
            CallEvent::DeviceState { device, state } => {
                // Asterisk repeats a state (once per `Local` half, for
                // instance): reported when it changes.
                let state = device_state(state);
                if self.devices.get(device) == Some(&state) {
                    return;
                }
                if self.devices.len() < MAX_CHANNELS || self.devices.contains_key(device) {
                    self.devices.insert(device.to_owned(), state.clone());
                }
                out.push(EventKind::DeviceState {
                    device: device.into(),
                    state,
                });
            }
            CallEvent::QueueMember {
                kind,
                agent,
                paused,
                device,
                queue,
                reason,
            } => {
                let state = match kind {
                    QueueMemberKind::Removed => AgentState::LoggedOff,
                    QueueMemberKind::Added if !paused => AgentState::LoggedOn,
                    _ if paused => AgentState::NotReady,
                    _ => AgentState::Ready,
                };
                out.push(EventKind::AgentState {
                    agent: agent.into(),
                    state,
                    device: device.map(Into::into),
                    queue: queue.map(str::to_owned),
                    reason: reason.map(str::to_owned),
                });
            }
            CallEvent::AgentLogin {
                login,
                agent,
                channel,
            } => out.push(EventKind::AgentState {
                agent: agent.into(),
                state: if login {
                    AgentState::LoggedOn
                } else {
                    AgentState::LoggedOff
                },
                device: channel.map(|c| channel_device(c).into()),
                queue: None,
                reason: None,
            }),
            CallEvent::AgentCall {
                connect,
                agent,
                queue,
            } => out.push(EventKind::AgentState {
                agent: agent.into(),
                state: if connect {
                    AgentState::Busy
                } else {
                    AgentState::WorkingAfterCall
                },
                device: None,
                queue: queue.map(str::to_owned),
                reason: None,
            }),
        }
    }

    /// Learns or refreshes the channel an event describes and returns its
    /// call's `Linkedid`; `None` when the channel or its call is over (or
    /// the model is full).
    fn touch(&mut self, c: &Chan<'_>, created: bool) -> Option<String> {
        if self.gone.contains(c.uniqueid) {
            return None;
        }
        if let Some(ch) = self.channels.get_mut(c.uniqueid) {
            if let Some(s) = c.state {
                ch.state = s;
            }
            if let Some(n) = c.cid_num {
                ch.cid_num = Some(n.to_owned());
            }
            if let Some(n) = c.cid_name {
                ch.cid_name = Some(n.to_owned());
            }
            if let Some(e) = c.exten {
                ch.exten = Some(e.to_owned());
            }
            let old = ch.linkedid.clone();
            let lid = c.linkedid.unwrap_or(&old);
            if lid != old && !self.ended.contains(lid) && self.move_channel(c.uniqueid, &old, lid) {
                return Some(lid.to_owned());
            }
            return Some(old);
        }
        let lid = c.linkedid.unwrap_or(c.uniqueid);
        if self.ended.contains(lid) || self.channels.len() >= MAX_CHANNELS {
            return None;
        }
        if !self.calls.contains_key(lid) {
            if self.calls.len() >= MAX_CALLS {
                return None;
            }
            self.calls.insert(lid.to_owned(), CallTrack::default());
        }
        let local = c.name.starts_with("Local/");
        let state = c.state.unwrap_or(ChannelStateCode::Other);
        let ch = Channel {
            linkedid: lid.to_owned(),
            key: channel_device(c.name).to_owned(),
            local,
            inbound: created && state == ChannelStateCode::Ring,
            state,
            exten: c.exten.map(str::to_owned),
            cid_num: c.cid_num.map(str::to_owned),
            cid_name: c.cid_name.map(str::to_owned),
            dialled: false,
            transferred: false,
            bridge: None,
        };
        self.attach(c.uniqueid, &ch);
        self.channels.insert(c.uniqueid.to_owned(), ch);
        Some(lid.to_owned())
    }

    /// Adds a channel to its call's channels and party.
    fn attach(&mut self, uid: &str, ch: &Channel) {
        let Some(call) = self.calls.get_mut(&ch.linkedid) else {
            return;
        };
        if uid == ch.linkedid || call.first.is_none() {
            call.first = Some(uid.to_owned());
        }
        call.channels.push(uid.to_owned());
        if let Some(p) = call.party_or_insert(&party_of(ch)) {
            p.channels += 1;
        }
    }

    /// A channel's `Linkedid` changed: it moves to that call (false if
    /// the model is full); the call it left ends if that was its last
    /// channel.
    fn move_channel(&mut self, uid: &str, old: &str, new: &str) -> bool {
        if !self.calls.contains_key(new) && self.calls.len() >= MAX_CALLS {
            return false;
        }
        let Some(mut ch) = self.channels.remove(uid) else {
            return false;
        };
        if let Some(call) = self.calls.get_mut(old) {
            call.channels.retain(|u| u != uid);
            if let Some(p) = call.party(&ch.key) {
                p.channels = p.channels.saturating_sub(1);
            }
        }
        self.calls.entry(new.to_owned()).or_default();
        ch.linkedid = new.to_owned();
        self.attach(uid, &ch);
        self.channels.insert(uid.to_owned(), ch);
        let mut deferred = std::mem::take(&mut self.deferred);
        self.end_if_empty(old, &mut deferred);
        self.deferred = deferred;
        true
    }

    fn end_if_empty(&mut self, lid: &str, out: &mut Vec<EventKind>) {
        if self.calls.get(lid).is_some_and(|c| c.channels.is_empty()) {
            self.end_call(lid, out);
        }
    }

    fn end_call(&mut self, lid: &str, out: &mut Vec<EventKind>) {
        self.originate(lid, out);
        if let Some(call) = self.calls.remove(lid) {
            self.ended.insert(lid);
            out.push(EventKind::Ended {
                call: CallId::new(lid),
                cause: call.outcome(),
            });
        }
    }

    /// True if the channel is the call's caller.
    fn is_caller(&self, lid: &str, ch: &Channel) -> bool {
        self.calls
            .get(lid)
            .and_then(|c| c.from_key.as_deref())
            .is_some_and(|k| k == ch.key)
    }

    /// The party a known channel stands for, as reported so far.
    fn known_party(&self, lid: &str, uid: &str) -> Option<Party> {
        let ch = self.channels.get(uid)?;
        let call = self.calls.get(lid)?;
        Some(
            call.parties
                .iter()
                .find(|p| p.key == ch.key)
                .map_or_else(|| party_of(ch), |p| p.party.clone()),
        )
    }

    /// Reports `originated` once the first channel's caller id is known.
    fn originate_when_known(&mut self, lid: &str, out: &mut Vec<EventKind>) {
        let ready = self.calls.get(lid).is_some_and(|call| {
            !call.originated
                && call
                    .first
                    .as_deref()
                    .and_then(|u| self.channels.get(u))
                    .is_some_and(|ch| !ch.local || ch.cid_num.is_some())
        });
        if ready {
            self.originate(lid, out);
        }
    }

    /// Reports `originated` if not done yet: before any other event of the
    /// call.
    fn originate(&mut self, lid: &str, out: &mut Vec<EventKind>) {
        let Some(call) = self.calls.get(lid) else {
            return;
        };
        if call.originated {
            return;
        }
        let first = call.first.as_deref().and_then(|u| self.channels.get(u));
        let (from, to) = match first {
            Some(ch) if ch.local => {
                // An Originate into a Local channel: the caller is its
                // caller id, the called party the Local channel.
                let to = party_of(ch);
                let from = match &ch.cid_num {
                    Some(n) => {
                        let mut p = number_party(n);
                        p.name.clone_from(&ch.cid_name);
                        p
                    }
                    None => to.clone(),
                };
                let to = (from.device != to.device).then_some(to);
                (from, to)
            }
            Some(ch) => {
                let to = ch
                    .exten
                    .as_deref()
                    .filter(|e| ch.inbound && *e != "s")
                    .map(number_party);
                (party_of(ch), to)
            }
            None => (Party::device(lid), None),
        };
        if let Some(call) = self.calls.get_mut(lid) {
            call.originated = true;
            call.from_key = Some(from.device.as_str().to_owned());
            if let Some(p) = call.party_or_insert(&from) {
                // The caller is in the call from the start.
                p.alerted = true;
            }
        }
        out.push(EventKind::Originated {
            call: CallId::new(lid),
            from,
            to,
        });
    }

    /// Reports `alerting` of a party once.
    fn alert(&mut self, lid: &str, party: &Party, caller: Option<Party>, out: &mut Vec<EventKind>) {
        self.originate(lid, out);
        let Some(call) = self.calls.get_mut(lid) else {
            return;
        };
        let from = call
            .from_key
            .as_deref()
            .and_then(|k| call.parties.iter().find(|p| p.key == k))
            .map(|p| p.party.clone());
        let Some(p) = call.party_or_insert(party) else {
            return;
        };
        if p.alerted || p.answered || p.cleared {
            return;
        }
        p.alerted = true;
        let party = p.party.clone();
        out.push(EventKind::Alerting {
            call: CallId::new(lid),
            caller: caller.or(from).filter(|c| c.device != party.device),
            party,
        });
    }

    /// Reports `answered` of a party once; the call counts as answered.
    fn answer(&mut self, lid: &str, party: &Party, out: &mut Vec<EventKind>) {
        self.originate(lid, out);
        let Some(call) = self.calls.get_mut(lid) else {
            return;
        };
        call.answered = true;
        let Some(p) = call.party_or_insert(party) else {
            return;
        };
        if p.answered || p.cleared {
            return;
        }
        p.answered = true;
        p.alerted = true;
        out.push(EventKind::Answered {
            call: CallId::new(lid),
            party: p.party.clone(),
        });
    }

    /// A channel went `Up`.
    fn channel_up(&mut self, lid: &str, ch: &Channel, out: &mut Vec<EventKind>) {
        let answered = self.calls.get(lid).is_some_and(|c| c.answered);
        let caller = self.is_caller(lid, ch);
        if ch.dialled || (ch.local && ch.inbound && !caller) {
            self.answer(lid, &party_of(ch), out);
        } else if !answered && !ch.local && ch.inbound && caller {
            // An incoming call answered by the dialplan (`Answer()`).
            let party = ch
                .exten
                .as_deref()
                .filter(|e| *e != "s")
                .map_or_else(|| party_of(ch), number_party);
            self.answer(lid, &party, out);
        }
    }

    fn bridge_enter(&mut self, c: &Chan<'_>, bridge: &str, count: u32, out: &mut Vec<EventKind>) {
        let Some(lid) = self.touch(c, false) else {
            return;
        };
        let uid = c.uniqueid;
        if let Some(ch) = self.channels.get_mut(uid)
            && let Some(old) = ch.bridge.replace(bridge.to_owned())
            && old != bridge
        {
            self.bridge_leave(uid, &old);
        }
        if !self.bridges.contains_key(bridge) && self.bridges.len() >= MAX_CHANNELS {
            return;
        }
        let b = self.bridges.entry(bridge.to_owned()).or_default();
        if !b.members.iter().any(|m| m == uid) {
            b.members.push(uid.to_owned());
        }
        let members = b.members.clone();
        let Some(ch) = self.channels.get(uid).cloned() else {
            return;
        };
        if count >= 2 && !self.calls.get(&lid).is_some_and(|c| c.answered) {
            // Two channels talk: the one that is not the caller answered.
            let other = if self.is_caller(&lid, &ch) {
                members
                    .iter()
                    .filter(|m| *m != uid)
                    .filter_map(|m| self.channels.get(m))
                    .find(|o| o.linkedid == lid && o.key != ch.key)
                    .cloned()
            } else {
                Some(ch.clone())
            };
            if let Some(o) = other {
                self.answer(&lid, &party_of(&o), out);
            }
        }
        // Three devices or more in one bridge: a conference.
        let mut parties: Vec<Party> = Vec::new();
        for m in &members {
            if let Some(o) = self.channels.get(m)
                && !o.local
                && !parties.iter().any(|p| p.device.as_str() == o.key)
            {
                parties.push(
                    self.known_party(&o.linkedid, m)
                        .unwrap_or_else(|| party_of(o)),
                );
            }
        }
        if let Some(b) = self.bridges.get_mut(bridge)
            && parties.len() >= 3
            && parties.len() > b.conference
        {
            b.conference = parties.len();
            self.originate(&lid, out);
            out.push(EventKind::Conferenced {
                call: CallId::new(lid),
                parties,
            });
        }
    }

    fn bridge_leave(&mut self, uid: &str, bridge: &str) {
        if let Some(b) = self.bridges.get_mut(bridge) {
            b.members.retain(|m| m != uid);
            if b.members.len() < 3 {
                b.conference = 0;
            }
            if b.members.is_empty() {
                self.bridges.remove(bridge);
            }
        }
        if let Some(ch) = self.channels.get_mut(uid)
            && ch.bridge.as_deref() == Some(bridge)
        {
            ch.bridge = None;
        }
    }

    fn attended_transfer(
        &mut self,
        orig: Option<Chan<'_>>,
        second: Option<Chan<'_>>,
        target: Option<Chan<'_>>,
        out: &mut Vec<EventKind>,
    ) {
        let Some(orig) = orig else { return };
        let second_lid = second.as_ref().and_then(|s| {
            let lid = self.touch(s, false)?;
            if let Some(ch) = self.channels.get_mut(s.uniqueid) {
                ch.transferred = true;
            }
            Some(lid)
        });
        let to = target
            .as_ref()
            .and_then(|t| {
                let lid = self.touch(t, false)?;
                self.known_party(&lid, t.uniqueid)
            })
            .or_else(|| second.as_ref().and_then(|s| s.conn_num).map(number_party));
        let Some(lid) = self.touch(&orig, false) else {
            return;
        };
        if let Some(ch) = self.channels.get_mut(orig.uniqueid) {
            ch.transferred = true;
        }
        let (Some(by), Some(to)) = (self.known_party(&lid, orig.uniqueid), to) else {
            return;
        };
        self.originate(&lid, out);
        out.push(EventKind::Transferred {
            call: CallId::new(lid.as_str()),
            by,
            to,
            new_call: second_lid.filter(|s| *s != lid).map(CallId::new),
        });
    }

    fn hangup(&mut self, c: &Chan<'_>, cause: &str, out: &mut Vec<EventKind>) {
        let Some(lid) = self.touch(c, false) else {
            return;
        };
        let uid = c.uniqueid;
        self.gone.insert(uid);
        let Some(ch) = self.channels.remove(uid) else {
            return;
        };
        if let Some(b) = ch.bridge.clone() {
            self.bridge_leave(uid, &b);
        }
        let q850 = cause_from_q850(cause);
        self.originate(&lid, out);
        let Some(call) = self.calls.get_mut(&lid) else {
            return;
        };
        call.channels.retain(|u| u != uid);
        match &q850 {
            Cause::Normal => call.any_normal = true,
            Cause::Unknown => {}
            other => {
                call.hangup_outcome.get_or_insert_with(|| other.clone());
            }
        }
        let reported_from = call.from_key.as_deref() == Some(ch.key.as_str());
        if let Some(p) = call.party(&ch.key) {
            p.channels = p.channels.saturating_sub(1);
            p.transferred |= ch.transferred;
            if p.channels == 0 && !p.cleared && (p.alerted || p.answered || reported_from) {
                p.cleared = true;
                let cause = if p.transferred {
                    Cause::Transferred
                } else {
                    q850
                };
                out.push(EventKind::PartyCleared {
                    call: CallId::new(lid.as_str()),
                    party: p.party.clone(),
                    cause,
                });
            }
        }
        self.end_if_empty(&lid, out);
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
