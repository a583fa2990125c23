//! Event summary (O2G reference, §4.3).
//!
//! `GET /eventsummary` answers the same counters that
//! `OnEventSummaryUpdated` carries; the type is shared with the events.

pub use crate::types::events::EventSummary;
