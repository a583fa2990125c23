//! What the normalizer reads: any message, owned or borrowed, decoded once
//! into a typed [`CallEvent`] with borrowed fields.

use crate::codec::RawMessage;
use crate::values::{ChannelState, DialStatus};
use crate::{Message, MessageKind};

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::Message {}
    impl Sealed for crate::codec::RawMessage<'_> {}
}

/// A message the [`Normalizer`](super::Normalizer) can read: an owned
/// [`Message`] or a [`RawMessage`] borrowed from the decoder's buffer (the
/// zero-copy path). Sealed: the two implementations are the crate's.
pub trait Input: sealed::Sealed {
    /// What the message is, from its first header.
    fn message_kind(&self) -> MessageKind;
    /// The first header's value (the event name).
    fn message_name(&self) -> Option<&str>;
    /// The first value of header `name` (ignoring case), if UTF-8.
    fn header(&self, name: &str) -> Option<&str>;
}

impl Input for Message {
    fn message_kind(&self) -> MessageKind {
        self.kind()
    }
    fn message_name(&self) -> Option<&str> {
        self.name()
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name)
    }
}

impl Input for RawMessage<'_> {
    fn message_kind(&self) -> MessageKind {
        self.kind()
    }
    fn message_name(&self) -> Option<&str> {
        self.name()
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name)
    }
}

/// The header names of one channel snapshot (`Channel`, `DestChannel`,
/// `TransfererChannel`, …), spelled out once per prefix.
pub(crate) struct Names {
    channel: &'static str,
    state: &'static str,
    cid_num: &'static str,
    cid_name: &'static str,
    conn_num: &'static str,
    exten: &'static str,
    uniqueid: &'static str,
    linkedid: &'static str,
}

macro_rules! names {
    ($p:literal) => {
        Names {
            channel: concat!($p, "Channel"),
            state: concat!($p, "ChannelState"),
            cid_num: concat!($p, "CallerIDNum"),
            cid_name: concat!($p, "CallerIDName"),
            conn_num: concat!($p, "ConnectedLineNum"),
            exten: concat!($p, "Exten"),
            uniqueid: concat!($p, "Uniqueid"),
            linkedid: concat!($p, "Linkedid"),
        }
    };
}

const PLAIN: Names = names!("");
const DEST: Names = names!("Dest");
const TRANSFERER: Names = names!("Transferer");
const TRANSFEREE: Names = names!("Transferee");
const ORIG_TRANSFERER: Names = names!("OrigTransferer");
const SECOND_TRANSFERER: Names = names!("SecondTransferer");
const TRANSFER_TARGET: Names = names!("TransferTarget");

/// One channel as an event describes it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chan<'a> {
    pub(crate) name: &'a str,
    pub(crate) uniqueid: &'a str,
    /// Absent on a few events; then the channel's known call applies.
    pub(crate) linkedid: Option<&'a str>,
    pub(crate) state: Option<ChannelStateCode>,
    pub(crate) cid_num: Option<&'a str>,
    pub(crate) cid_name: Option<&'a str>,
    pub(crate) conn_num: Option<&'a str>,
    pub(crate) exten: Option<&'a str>,
}

/// The few channel states the normalizer acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChannelStateCode {
    /// Down, reserved, off hook, dialing: an outgoing channel being set up.
    Down,
    /// Ring (an incoming call) or pre-ring.
    Ring,
    /// The remote end rings.
    Ringing,
    /// Answered.
    Up,
    /// Busy, mute or unknown.
    Other,
}

impl ChannelStateCode {
    fn of(raw: &str) -> Self {
        match ChannelState::from_ami(raw.trim()) {
            ChannelState::Down
            | ChannelState::Reserved
            | ChannelState::OffHook
            | ChannelState::Dialing
            | ChannelState::DialingOffhook => Self::Down,
            ChannelState::Ring | ChannelState::PreRing => Self::Ring,
            ChannelState::Ringing => Self::Ringing,
            ChannelState::Up => Self::Up,
            _ => Self::Other,
        }
    }
}

/// A caller id value worth keeping: not empty, not `<unknown>`.
pub(crate) fn known(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty() && *s != "<unknown>")
}

fn chan<'a, M: Input + ?Sized>(m: &'a M, n: &Names) -> Option<Chan<'a>> {
    let name = m.header(n.channel).filter(|c| !c.is_empty())?;
    let uniqueid = m
        .header(n.uniqueid)
        .filter(|u| !u.is_empty() && *u != "<unknown>")?;
    Some(Chan {
        name,
        uniqueid,
        linkedid: m.header(n.linkedid).filter(|l| !l.is_empty()),
        state: m.header(n.state).map(ChannelStateCode::of),
        cid_num: known(m.header(n.cid_num)),
        cid_name: known(m.header(n.cid_name)),
        conn_num: known(m.header(n.conn_num)),
        exten: m.header(n.exten).filter(|e| !e.is_empty()),
    })
}

/// The outcome of a transfer event.
fn succeeded<M: Input + ?Sized>(m: &M) -> bool {
    m.header("Result")
        .is_none_or(|r| r.eq_ignore_ascii_case("Success"))
}

/// The AMI events the normalizer follows, typed, their fields borrowed
/// from the message.
#[derive(Debug)]
pub(crate) enum CallEvent<'a> {
    /// `Newchannel`.
    Newchannel(Chan<'a>),
    /// `Newstate`.
    Newstate(Chan<'a>),
    /// `NewCallerid`, `NewConnectedLine`: the channel's caller id changed.
    CallerId(Chan<'a>),
    /// `DialBegin`; `caller` is absent for an `Originate`'s own dial.
    DialBegin {
        caller: Option<Chan<'a>>,
        dest: Chan<'a>,
        dial_string: Option<&'a str>,
    },
    /// `DialEnd`.
    DialEnd { dest: Chan<'a>, status: DialStatus },
    /// `LocalBridge`: the two halves of a `Local` channel.
    LocalBridge { one: Chan<'a>, two: Chan<'a> },
    /// `BridgeEnter`.
    BridgeEnter {
        chan: Chan<'a>,
        bridge: &'a str,
        count: u32,
    },
    /// `BridgeLeave`.
    BridgeLeave { chan: Chan<'a>, bridge: &'a str },
    /// `Hold`.
    Hold(Chan<'a>),
    /// `Unhold`.
    Unhold(Chan<'a>),
    /// `BlindTransfer` with `Result: Success`.
    BlindTransfer {
        transferer: Chan<'a>,
        transferee: Option<Chan<'a>>,
        exten: Option<&'a str>,
    },
    /// `AttendedTransfer` with `Result: Success`.
    AttendedTransfer {
        orig: Option<Chan<'a>>,
        second: Option<Chan<'a>>,
        target: Option<Chan<'a>>,
    },
    /// `Hangup`.
    Hangup { chan: Chan<'a>, cause: &'a str },
    /// `OriginateResponse`.
    OriginateResponse {
        success: bool,
        uniqueid: Option<&'a str>,
        cid_num: Option<&'a str>,
        reason: Option<&'a str>,
    },
    /// `CoreShowChannel` (a `CoreShowChannels` list item) or `Status` (a
    /// `Status` list item): a channel as it is now.
    Snapshot { chan: Chan<'a>, bridged: bool },
    /// `DeviceStateChange`.
    DeviceState { device: &'a str, state: &'a str },
    /// `QueueMemberAdded` / `Removed` / `Pause`.
    QueueMember {
        kind: QueueMemberKind,
        agent: &'a str,
        paused: bool,
        device: Option<&'a str>,
        queue: Option<&'a str>,
        reason: Option<&'a str>,
    },
    /// `AgentLogin` / `AgentLogoff`.
    AgentLogin {
        login: bool,
        agent: &'a str,
        channel: Option<&'a str>,
    },
    /// `AgentConnect` / `AgentComplete`.
    AgentCall {
        connect: bool,
        agent: &'a str,
        queue: Option<&'a str>,
    },
}

/// Which queue-member event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QueueMemberKind {
    Added,
    Removed,
    Pause,
}

impl<'a> CallEvent<'a> {
    /// Decodes the events the normalizer follows; `None` for anything else
    /// (responses, other events, an event missing what it needs).
    pub(crate) fn parse<M: Input + ?Sized>(m: &'a M) -> Option<Self> {
        if m.message_kind() != MessageKind::Event {
            return None;
        }
        let name = m.message_name()?;
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        let ev = if is("Newchannel") {
            Self::Newchannel(chan(m, &PLAIN)?)
        } else if is("Newstate") {
            Self::Newstate(chan(m, &PLAIN)?)
        } else if is("NewCallerid") || is("NewConnectedLine") {
            Self::CallerId(chan(m, &PLAIN)?)
        } else if is("DialBegin") {
            Self::DialBegin {
                caller: chan(m, &PLAIN),
                dest: chan(m, &DEST)?,
                dial_string: m.header("DialString"),
            }
        } else if is("DialEnd") {
            Self::DialEnd {
                dest: chan(m, &DEST)?,
                status: DialStatus::from_ami(m.header("DialStatus")?.trim()),
            }
        } else if is("LocalBridge") {
            Self::LocalBridge {
                one: chan(m, &names!("LocalOne"))?,
                two: chan(m, &names!("LocalTwo"))?,
            }
        } else if is("BridgeEnter") {
            Self::BridgeEnter {
                chan: chan(m, &PLAIN)?,
                bridge: m.header("BridgeUniqueid")?,
                count: m
                    .header("BridgeNumChannels")
                    .and_then(|n| n.trim().parse().ok())
                    .unwrap_or(0),
            }
        } else if is("BridgeLeave") {
            Self::BridgeLeave {
                chan: chan(m, &PLAIN)?,
                bridge: m.header("BridgeUniqueid")?,
            }
        } else if is("Hold") {
            Self::Hold(chan(m, &PLAIN)?)
        } else if is("Unhold") {
            Self::Unhold(chan(m, &PLAIN)?)
        } else if is("BlindTransfer") {
            if !succeeded(m) {
                return None;
            }
            Self::BlindTransfer {
                transferer: chan(m, &TRANSFERER)?,
                transferee: chan(m, &TRANSFEREE),
                exten: m.header("Extension").filter(|e| !e.is_empty()),
            }
        } else if is("AttendedTransfer") {
            if !succeeded(m) {
                return None;
            }
            Self::AttendedTransfer {
                orig: chan(m, &ORIG_TRANSFERER),
                second: chan(m, &SECOND_TRANSFERER),
                target: chan(m, &TRANSFER_TARGET),
            }
        } else if is("Hangup") {
            Self::Hangup {
                chan: chan(m, &PLAIN)?,
                cause: m.header("Cause").unwrap_or_default(),
            }
        } else if is("OriginateResponse") {
            Self::OriginateResponse {
                success: m
                    .header("Response")
                    .is_some_and(|r| r.eq_ignore_ascii_case("Success")),
                uniqueid: m.header("Uniqueid").filter(|u| *u != "<unknown>"),
                cid_num: known(m.header("CallerIDNum")),
                reason: m.header("Reason"),
            }
        } else if is("CoreShowChannel") || is("Status") {
            Self::Snapshot {
                chan: chan(m, &PLAIN)?,
                bridged: m
                    .header("BridgeId")
                    .or_else(|| m.header("BridgedUniqueid"))
                    .is_some_and(|b| !b.trim().is_empty()),
            }
        } else if is("DeviceStateChange") {
            Self::DeviceState {
                device: m.header("Device")?,
                state: m.header("State")?,
            }
        } else if is("QueueMemberAdded") || is("QueueMemberRemoved") || is("QueueMemberPause") {
            let kind = if is("QueueMemberAdded") {
                QueueMemberKind::Added
            } else if is("QueueMemberRemoved") {
                QueueMemberKind::Removed
            } else {
                QueueMemberKind::Pause
            };
            Self::QueueMember {
                kind,
                agent: m.header("Interface").or_else(|| m.header("MemberName"))?,
                paused: m.header("Paused") == Some("1"),
                device: m.header("StateInterface"),
                queue: m.header("Queue"),
                reason: known(m.header("PausedReason")),
            }
        } else if is("AgentLogin") || is("AgentLogoff") {
            Self::AgentLogin {
                login: is("AgentLogin"),
                agent: m.header("Agent")?,
                channel: m.header("Channel"),
            }
        } else if is("AgentConnect") || is("AgentComplete") {
            Self::AgentCall {
                connect: is("AgentConnect"),
                agent: m.header("Interface").or_else(|| m.header("MemberName"))?,
                queue: m.header("Queue"),
            }
        } else {
            return None;
        };
        Some(ev)
    }
}
