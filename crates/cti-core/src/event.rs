//! The normalized event model.

use crate::{AgentId, CallId, ChatId, DeviceId, Party, Timestamp};

/// The model's string enumerations: `Other` keeps unknown text; serde
/// (with the `serde` feature) as the text.
macro_rules! core_enum {
    ($(#[$doc:meta])* $name:ident { $($body:tt)* }) => {
        crate::open_enum! { $(#[$doc])* pub enum $name (Other) { $($body)* } }
        #[cfg(feature = "serde")]
        crate::open_enum_serde!($name);
    };
}

core_enum! {
    /// Which system (vendor API) produced an event.
    Source {
        /// Asterisk Manager Interface (`ami-proto`).
        Ami = "ami",
        /// ALE OmniPCX Open Gateway (`o2g-api`).
        O2g = "o2g",
        /// Avaya AES WTI (`aes-wti`).
        AesWti = "aes-wti",
        /// OpenScape Contact Center Web Interaction (`oscc-webinteraction`).
        Oscc = "oscc",
        /// DynamicIPCommunicationCenter (`dipcc-api`).
        Dipcc = "dipcc",
    }
}

core_enum! {
    /// Why a party left or a call ended or failed.
    Cause {
        /// Normal clearing: someone hung up.
        Normal = "normal",
        /// The called party was busy.
        Busy = "busy",
        /// Nobody answered in time.
        NoAnswer = "no_answer",
        /// The called party or the network rejected the call.
        Rejected = "rejected",
        /// The number does not exist or cannot be reached.
        Unreachable = "unreachable",
        /// No circuit or route available.
        Congestion = "congestion",
        /// The party left because it transferred the call.
        Transferred = "transferred",
        /// The call was redirected (diverted, forwarded) away from the party.
        Redirected = "redirected",
        /// The call was picked up by another device.
        PickedUp = "picked_up",
        /// The caller gave up before the call was answered.
        Cancelled = "cancelled",
        /// The vendor gave no cause.
        Unknown = "unknown",
    }
}

core_enum! {
    /// The state of a device (a phone, an extension).
    DeviceState {
        /// Free.
        Idle = "idle",
        /// In a call.
        Busy = "busy",
        /// Ringing.
        Ringing = "ringing",
        /// A call on hold.
        OnHold = "on_hold",
        /// Unregistered, out of service or otherwise unreachable.
        Unavailable = "unavailable",
        /// The vendor reports no usable state.
        Unknown = "unknown",
    }
}

core_enum! {
    /// The state of a contact-centre agent.
    AgentState {
        /// Logged on (signed in) to a queue, group or the system.
        LoggedOn = "logged_on",
        /// Logged off.
        LoggedOff = "logged_off",
        /// Ready to take calls.
        Ready = "ready",
        /// Logged on but not ready (paused, on break).
        NotReady = "not_ready",
        /// Doing wrap-up work after a call.
        WorkingAfterCall = "working_after_call",
        /// Handling a call.
        Busy = "busy",
    }
}

/// Who wrote a chat message or is typing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ChatParty {
    /// The web visitor (customer).
    Customer,
    /// A contact-centre agent.
    Agent,
    /// The system itself (announcements, queue messages).
    System,
}

/// One normalized event: when, from where, and what.
///
/// # JSON form
///
/// With the `serde` feature an event serializes to one flat JSON object, the
/// form `cti` prints and fixtures' golden files store. The keys are `ts`
/// (RFC 3339 UTC, see [`Timestamp`]), `source` (see [`Source`]), `type` (the
/// [`EventKind`] variant in `snake_case`) and the variant's fields in
/// `snake_case`; optional fields are omitted when absent; parties are
/// objects `{"device": …, "number": …, "name": …}`; enumerations are
/// strings. This form is stable: a key is never renamed within a major
/// version, and readers must ignore keys they do not know.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use cti_core::{CallId, Event, EventKind, Party, Source, Timestamp};
/// let e = Event::new(
///     Timestamp::from_unix_millis(0),
///     Source::Ami,
///     EventKind::Answered { call: CallId::new("c1"), party: Party::device("1002") },
/// );
/// assert_eq!(
///     serde_json::to_string(&e).unwrap(),
///     r#"{"ts":"1970-01-01T00:00:00.000Z","source":"ami","type":"answered","call":"c1","party":{"device":"1002"}}"#
/// );
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Event {
    /// When it happened (vendor time if the vendor gives one, else receive
    /// time).
    pub ts: Timestamp,
    /// Which system reported it.
    pub source: Source,
    /// What happened.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub kind: EventKind,
}

impl Event {
    /// Builds an event.
    pub fn new(ts: Timestamp, source: Source, kind: EventKind) -> Self {
        Self { ts, source, kind }
    }
}

/// What happened: call, device, agent, chat and link events.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum EventKind {
    // --- call ---
    /// A party started a call (off-hook and dialling, or a make-call request).
    Originated {
        /// The call.
        call: CallId,
        /// The calling party.
        from: Party,
        /// The called party, when already known.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        to: Option<Party>,
    },
    /// A party is being alerted (ringing, delivered).
    Alerting {
        /// The call.
        call: CallId,
        /// The party that rings.
        party: Party,
        /// The calling party, when known.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        caller: Option<Party>,
    },
    /// A party answered: its leg is established.
    Answered {
        /// The call.
        call: CallId,
        /// The party that answered.
        party: Party,
    },
    /// A party put the call on hold.
    Held {
        /// The call.
        call: CallId,
        /// The party that holds.
        party: Party,
    },
    /// A party took the call off hold.
    Retrieved {
        /// The call.
        call: CallId,
        /// The party that retrieved.
        party: Party,
    },
    /// A party transferred the call to another party and left it.
    Transferred {
        /// The call the transferring party was in.
        call: CallId,
        /// The transferring party (it leaves the call).
        by: Party,
        /// The party the call was transferred to.
        to: Party,
        /// The call the remaining parties are now in, when the vendor gives
        /// the transferred call a new identity.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        new_call: Option<CallId>,
    },
    /// The call became a conference of these parties.
    Conferenced {
        /// The call.
        call: CallId,
        /// Every party now in the conference.
        parties: Vec<Party>,
    },
    /// The call was diverted (forwarded, redirected) away from a party.
    Diverted {
        /// The call.
        call: CallId,
        /// The party the call left.
        from: Party,
        /// The party the call goes to.
        to: Party,
    },
    /// One party left the call; the call may go on.
    PartyCleared {
        /// The call.
        call: CallId,
        /// The party that left.
        party: Party,
        /// Why.
        cause: Cause,
    },
    /// The call is over for every party.
    Ended {
        /// The call.
        call: CallId,
        /// Why.
        cause: Cause,
    },
    /// The call could not be set up.
    Failed {
        /// The call.
        call: CallId,
        /// The party whose attempt failed, when known.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        party: Option<Party>,
        /// Why.
        cause: Cause,
    },

    // --- device ---
    /// A device changed state.
    DeviceState {
        /// The device.
        device: DeviceId,
        /// Its new state.
        state: DeviceState,
    },

    // --- agent ---
    /// An agent changed state.
    AgentState {
        /// The agent.
        agent: AgentId,
        /// Its new state.
        state: AgentState,
        /// The device the agent uses, when known.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        device: Option<DeviceId>,
        /// The queue, group or skill the state applies to, when it applies
        /// to one only.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        queue: Option<String>,
        /// The vendor's reason (pause reason, not-ready code), when given.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        reason: Option<String>,
    },

    // --- chat (web interaction) ---
    /// A web chat started.
    ChatStarted {
        /// The chat.
        chat: ChatId,
        /// The customer's display name, when given.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        customer: Option<String>,
    },
    /// A chat message was posted.
    ChatMessage {
        /// The chat.
        chat: ChatId,
        /// Who wrote it.
        from: ChatParty,
        /// The text.
        text: String,
    },
    /// Someone started or stopped typing.
    Typing {
        /// The chat.
        chat: ChatId,
        /// Who.
        who: ChatParty,
        /// True while typing.
        active: bool,
    },
    /// An agent pushed a URL to the customer's browser.
    UrlPushed {
        /// The chat.
        chat: ChatId,
        /// The URL.
        url: String,
    },
    /// A customer asked to be called (call-me or web callback).
    CallMeRequested {
        /// The vendor's id of the request.
        request: String,
        /// The number to call.
        number: String,
    },
    /// A web chat ended.
    ChatEnded {
        /// The chat.
        chat: ChatId,
    },

    // --- link ---
    /// The link to the system is up (connected, logged in, subscribed).
    Connected,
    /// The link went down; a new attempt follows after a delay.
    Reconnecting {
        /// Which attempt this is, from 1.
        attempt: u32,
        /// The wait before it, in milliseconds.
        delay_ms: u64,
    },
    /// The link is up again.
    Reconnected {
        /// True when events may have been missed while it was down: state
        /// built from earlier events should be refreshed.
        gap: bool,
    },
    /// The application did not keep up and this many events were dropped
    /// from its queue.
    Lagged {
        /// How many events were missed.
        missed: u64,
    },
    /// The link is closed for good (logoff, close, or retries exhausted).
    Closed {
        /// Why, in words, when it was not asked for.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        reason: Option<String>,
    },
}

impl EventKind {
    /// The call this event is about, for call events.
    pub fn call(&self) -> Option<&CallId> {
        match self {
            Self::Originated { call, .. }
            | Self::Alerting { call, .. }
            | Self::Answered { call, .. }
            | Self::Held { call, .. }
            | Self::Retrieved { call, .. }
            | Self::Transferred { call, .. }
            | Self::Conferenced { call, .. }
            | Self::Diverted { call, .. }
            | Self::PartyCleared { call, .. }
            | Self::Ended { call, .. }
            | Self::Failed { call, .. } => Some(call),
            _ => None,
        }
    }

    /// True for the link events (`Connected`, `Reconnecting`, `Reconnected`,
    /// `Lagged`, `Closed`).
    pub fn is_link(&self) -> bool {
        matches!(
            self,
            Self::Connected
                | Self::Reconnecting { .. }
                | Self::Reconnected { .. }
                | Self::Lagged { .. }
                | Self::Closed { .. }
        )
    }
}

#[cfg(all(test, feature = "serde"))]
mod serde_tests {
    use super::*;

    fn at() -> Timestamp {
        Timestamp::from_unix_millis(1_795_262_496_123)
    }

    #[test]
    fn stable_json_form_of_each_family() {
        let cases: Vec<(EventKind, &str)> = vec![
            (
                EventKind::Alerting {
                    call: CallId::new("c1"),
                    party: Party::device("1002").with_name("Bruno Petit"),
                    caller: Some(Party::device("1001")),
                },
                r#"{"ts":"2026-11-21T12:01:36.123Z","source":"o2g","type":"alerting","call":"c1","party":{"device":"1002","name":"Bruno Petit"},"caller":{"device":"1001"}}"#,
            ),
            (
                EventKind::PartyCleared {
                    call: "c1".into(),
                    party: Party::device("1001"),
                    cause: Cause::Transferred,
                },
                r#"{"ts":"2026-11-21T12:01:36.123Z","source":"o2g","type":"party_cleared","call":"c1","party":{"device":"1001"},"cause":"transferred"}"#,
            ),
            (
                EventKind::DeviceState {
                    device: "1001".into(),
                    state: DeviceState::OnHold,
                },
                r#"{"ts":"2026-11-21T12:01:36.123Z","source":"o2g","type":"device_state","device":"1001","state":"on_hold"}"#,
            ),
            (
                EventKind::Reconnected { gap: true },
                r#"{"ts":"2026-11-21T12:01:36.123Z","source":"o2g","type":"reconnected","gap":true}"#,
            ),
            (
                EventKind::Connected,
                r#"{"ts":"2026-11-21T12:01:36.123Z","source":"o2g","type":"connected"}"#,
            ),
            (
                EventKind::Typing {
                    chat: "w1".into(),
                    who: ChatParty::Customer,
                    active: true,
                },
                r#"{"ts":"2026-11-21T12:01:36.123Z","source":"o2g","type":"typing","chat":"w1","who":"customer","active":true}"#,
            ),
        ];
        for (kind, json) in cases {
            let e = Event::new(at(), Source::O2g, kind);
            assert_eq!(serde_json::to_string(&e).unwrap(), json);
            let back: Event = serde_json::from_str(json).unwrap();
            assert_eq!(back, e);
        }
    }

    #[test]
    fn unknown_enum_values_are_kept() {
        let json = r#"{"ts":"1970-01-01T00:00:00.000Z","source":"acme-pbx","type":"device_state","device":"7","state":"do_not_disturb","extra":1}"#;
        let e: Event = serde_json::from_str(json).unwrap();
        assert_eq!(e.source, Source::Other("acme-pbx".into()));
        assert_eq!(
            e.kind,
            EventKind::DeviceState {
                device: "7".into(),
                state: DeviceState::Other("do_not_disturb".into())
            }
        );
        assert_eq!(serde_json::to_value(&e).unwrap()["state"], "do_not_disturb");
    }

    #[test]
    fn unknown_type_is_an_error_not_a_panic() {
        let json = r#"{"ts":"1970-01-01T00:00:00.000Z","source":"ami","type":"teleported"}"#;
        assert!(serde_json::from_str::<Event>(json).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enums_round_trip_their_text() {
        for c in [
            Cause::Normal,
            Cause::NoAnswer,
            Cause::PickedUp,
            Cause::Other("ISDN 41".into()),
        ] {
            assert_eq!(Cause::from_name(c.as_str()), c);
        }
        assert_eq!(Source::from_name("aes-wti"), Source::AesWti);
        assert_eq!(DeviceState::from_name("weird").to_string(), "weird");
    }

    #[test]
    fn call_accessor_and_link_classification() {
        let k = EventKind::Ended {
            call: "x".into(),
            cause: Cause::Normal,
        };
        assert_eq!(k.call().map(CallId::as_str), Some("x"));
        assert!(!k.is_link());
        assert!(EventKind::Lagged { missed: 3 }.is_link());
        assert_eq!(EventKind::Connected.call(), None);
    }
}
