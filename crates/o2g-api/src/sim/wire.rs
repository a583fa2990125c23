//! The model's output as typed [`Event`]s, and their wire lines.

use crate::types::events::{
    Event, EventSummary, OnCallCreated, OnCallModified, OnCallRemoved, OnChannelInformation,
    OnDeviceStateModified, OnEventSummaryUpdated, OnTelephonyState, OnUserStateModified,
};

use super::config::EventSummaryCounters;
use super::model::Out;

/// The typed event of a model output.
pub(crate) fn to_event(out: &Out) -> Event {
    match out.clone() {
        Out::Created {
            login,
            call_ref,
            cause,
            call_data,
            legs,
            participants,
            device_capabilities,
        } => Event::from(OnCallCreated {
            login_name: login,
            call_ref,
            cause,
            call_data,
            legs,
            participants,
            device_capabilities,
            ..OnCallCreated::default()
        }),
        Out::Modified {
            login,
            call_ref,
            cause,
            previous_call_ref,
            call_data,
            modified_legs,
            modified_participants,
            added_participants,
            removed_participant_ids,
        } => Event::from(OnCallModified {
            cause,
            previous_call_ref,
            modified_legs,
            modified_participants,
            added_participants,
            removed_participant_ids,
            ..OnCallModified::new(login, call_ref, call_data)
        }),
        Out::Removed {
            login,
            call_ref,
            cause,
            new_destination,
            device_capabilities,
        } => Event::from(OnCallRemoved {
            cause,
            new_destination,
            ..OnCallRemoved::new(login, call_ref, device_capabilities)
        }),
        Out::UserState { login, state } => Event::from(OnUserStateModified::new(login, state)),
        Out::DeviceState {
            login,
            device_states,
        } => Event::from(OnDeviceStateModified::new(login, device_states)),
        Out::TelephonyState { login, state } => Event::from(OnTelephonyState::new(login, state)),
        Out::EventSummary { login, counters } => {
            Event::from(OnEventSummaryUpdated::new(login, summary(&counters)))
        }
    }
}

/// The typed event summary of a user's counters.
pub(crate) fn summary(c: &EventSummaryCounters) -> EventSummary {
    EventSummary {
        missed_calls_nb: i64::from(c.missed_calls),
        voice_messages_nb: i64::from(c.voice_messages),
        call_back_requests_nb: i64::from(c.callback_requests),
        fax_nb: i64::from(c.faxes),
        new_text_nb: i64::from(c.new_texts),
        old_text_nb: i64::from(c.old_texts),
        event_waiting: c.event_waiting(),
    }
}

/// The compact JSON of a model output (no line end).
pub(crate) fn to_vec(out: &Out) -> Option<Vec<u8>> {
    serde_json::to_vec(&to_event(out)).ok()
}

/// The wire line of an `OnChannelInformation` (with its `\n`).
pub(crate) fn channel_information(text: &str) -> Vec<u8> {
    let event = Event::from(OnChannelInformation::new(text));
    let mut v = serde_json::to_vec(&event).unwrap_or_else(|_| {
        // Unreachable in practice: a struct of one string always serializes.
        format!(r#"{{"eventName":"OnChannelInformation","text":"{text}"}}"#).into_bytes()
    });
    v.push(b'\n');
    v
}
