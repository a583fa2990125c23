//! Event summary (`specs/o2g.md` §4.3).

use serde::{Deserialize, Serialize};

use crate::types::is_false;

/// The counters of `GET /eventsummary` (also the `eventSummary` of
/// `OnEventSummaryUpdated`). Absent counters read as 0.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct EventSummary {
    /// Missed calls.
    pub missed_calls_nb: u32,
    /// Voice messages.
    pub voice_messages_nb: u32,
    /// Callback requests.
    pub call_back_requests_nb: u32,
    /// Faxes.
    pub fax_nb: u32,
    /// New text messages.
    pub new_text_nb: u32,
    /// Old text messages.
    pub old_text_nb: u32,
    /// Something is waiting (the message lamp).
    #[serde(skip_serializing_if = "is_false")]
    pub event_waiting: bool,
}
