//! The state of a client's link to its system, as every vendor client
//! reports it.

use std::time::Duration;

use crate::EventKind;

/// A change of the link between a client and its system: the same five
/// cases in every vendor crate, carried by each crate's `ClientEvent::Link`
/// and normalized to the link variants of [`EventKind`].
///
/// A link event is never dropped: when the application falls behind, its
/// vendor events are counted as missed ([`LinkEvent::Lagged`]) but the link
/// events around them are delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkEvent {
    /// The link is up: connected, logged in and (where the vendor has them)
    /// subscribed. Sent once, first.
    Connected,
    /// The link was lost; attempt `attempt` follows after `delay`.
    Reconnecting {
        /// Which attempt this is, from 1.
        attempt: u32,
        /// The wait before it.
        delay: Duration,
    },
    /// The link is up again.
    Reconnected {
        /// True when events may have been missed while it was down: state
        /// built from earlier events must be refreshed.
        gap: bool,
    },
    /// The application did not keep up: this many vendor events were
    /// dropped from its queue, here.
    Lagged {
        /// How many events were missed.
        missed: u64,
    },
    /// The link is closed for good; the stream ends after this.
    Closed {
        /// Why, when it was not asked for (retries exhausted, refused).
        reason: Option<String>,
    },
}

impl LinkEvent {
    /// True when events may have been lost here (a reconnect with a gap, or
    /// a lag): whatever was built from earlier events must be refreshed.
    pub fn is_gap(&self) -> bool {
        matches!(self, Self::Reconnected { gap: true } | Self::Lagged { .. })
    }

    /// The normalized form.
    pub fn to_kind(&self) -> EventKind {
        match self {
            Self::Connected => EventKind::Connected,
            Self::Reconnecting { attempt, delay } => EventKind::Reconnecting {
                attempt: *attempt,
                delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            },
            Self::Reconnected { gap } => EventKind::Reconnected { gap: *gap },
            Self::Lagged { missed } => EventKind::Lagged { missed: *missed },
            Self::Closed { reason } => EventKind::Closed {
                reason: reason.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_and_normal_forms() {
        assert!(LinkEvent::Reconnected { gap: true }.is_gap());
        assert!(!LinkEvent::Reconnected { gap: false }.is_gap());
        assert!(LinkEvent::Lagged { missed: 3 }.is_gap());
        assert!(!LinkEvent::Connected.is_gap());
        assert_eq!(
            LinkEvent::Reconnecting {
                attempt: 2,
                delay: Duration::from_millis(1500)
            }
            .to_kind(),
            EventKind::Reconnecting {
                attempt: 2,
                delay_ms: 1500
            }
        );
        assert_eq!(
            LinkEvent::Closed {
                reason: Some("gave up".into())
            }
            .to_kind(),
            EventKind::Closed {
                reason: Some("gave up".into())
            }
        );
    }
}
