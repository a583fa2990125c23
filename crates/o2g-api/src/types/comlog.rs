//! Communication log records (O2G reference, §4.7), as answered by `GET
//! /comlog/records` and carried by `OnComRecordCreated`/`Modified`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::is_false;
use super::telephony::PartyInfo;

wire_enum! {
    /// The role of a participant in a record.
    Role {
        /// The caller.
        Caller = "CALLER",
        /// The callee.
        Callee = "CALLEE",
        /// `UNKNOWN`: the server itself does not know.
        Unspecified = "UNKNOWN",
    }
}

wire_enum! {
    /// Why a call was established, rerouted or ended.
    Reason {
        /// All trunks busy.
        AllTrunkBusy = "ALL_TRUNK_BUSY",
        /// Invalid number.
        InvalidNumber = "INVALID_NUMBER",
        /// The caller hung up before answer.
        Abandoned = "ABANDONED",
        /// Busy.
        Busy = "BUSY",
        /// Conferenced.
        Conferenced = "CONFERENCED",
        /// Picked up.
        Pickup = "PICKUP",
        /// Forwarded.
        Forwarded = "FORWARDED",
        /// Redirected.
        Redirected = "REDIRECTED",
        /// Released on redirection.
        ReleasedOnRedirect = "RELEASED_ON_REDIRECT",
        /// Transferred.
        Transferred = "TRANSFERRED",
        /// Released on transfer.
        ReleasedOnTransfer = "RELEASED_ON_TRANSFER",
        /// Went to voice mail.
        Voicemail = "VOICEMAIL",
        /// Normal end.
        Normal = "NORMAL",
        /// `UNKNOWN`: the server itself does not know.
        Unspecified = "UNKNOWN",
    }
}

/// A participant of a [`ComRecord`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComRecordParticipant {
    /// Caller or callee (only for the record's owner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Whether the participant answered; absent when not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<bool>,
    /// Who.
    #[serde(default)]
    pub identity: PartyInfo,
    /// Anonymous.
    #[serde(default, skip_serializing_if = "is_false")]
    pub anonymous: bool,
    /// The number initially called when the participant entered the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_called: Option<PartyInfo>,
    /// Why the call was established, rerouted, ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The participant's leg (shape not documented; kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leg: Option<Value>,
}

impl ComRecordParticipant {
    /// A participant with only an identity.
    pub fn new(identity: PartyInfo) -> Self {
        Self {
            identity,
            ..Self::default()
        }
    }
}

/// A communication record: the history ticket of one call.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComRecord {
    /// The record's id.
    #[serde(default)]
    pub record_id: i64,
    /// The reference of the call that made the record.
    #[serde(default)]
    pub com_ref: String,
    /// Acknowledged (only for missed incoming calls).
    #[serde(default, skip_serializing_if = "is_false")]
    pub acknowledged: bool,
    /// The participants.
    #[serde(default)]
    pub participants: Vec<ComRecordParticipant>,
    /// Start, ISO-8601 UTC (Java reads `begin`, accepted too).
    #[serde(default, alias = "begin", skip_serializing_if = "Option::is_none")]
    pub begin_date: Option<String>,
    /// End, ISO-8601 UTC (Java reads `end`, accepted too).
    #[serde(default, alias = "end", skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// When the conversation began, ISO-8601 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conv_date: Option<String>,
    /// Seconds on hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_duration: Option<i64>,
    /// Who transferred the call (shape not documented; kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferred_by: Option<Value>,
    /// Associated data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_data: Option<String>,
}

impl ComRecord {
    /// A record.
    pub fn new(
        record_id: i64,
        com_ref: impl Into<String>,
        participants: Vec<ComRecordParticipant>,
    ) -> Self {
        Self {
            record_id,
            com_ref: com_ref.into(),
            participants,
            ..Self::default()
        }
    }
}
