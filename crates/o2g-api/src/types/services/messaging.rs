//! Messaging: mailboxes and voice messages (O2G reference, §4.6).

use cti_core::Secret;
use serde::{Deserialize, Serialize};

use super::expose_secret;
use crate::types::is_false;
use crate::types::telephony::PartyInfo;

/// The answer of `GET /messaging/mailboxes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MailboxList {
    /// The user's mailboxes.
    #[serde(default)]
    pub mailboxes: Vec<Mailbox>,
}

impl MailboxList {
    /// A list.
    pub fn new(mailboxes: Vec<Mailbox>) -> Self {
        Self { mailboxes }
    }
}

/// One mailbox.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Mailbox {
    /// Its id (a path segment of the other requests).
    #[serde(default)]
    pub id: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it supports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<MailboxCapabilities>,
}

impl Mailbox {
    /// A mailbox.
    pub fn new(id: impl Into<String>, name: Option<String>) -> Self {
        Self {
            id: id.into(),
            name,
            capabilities: None,
        }
    }
}

/// `capabilities` of a [`Mailbox`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct MailboxCapabilities {
    /// Messages can be listed.
    #[serde(skip_serializing_if = "is_false")]
    pub list_messages: bool,
    /// Messages can be read.
    #[serde(skip_serializing_if = "is_false")]
    pub get_messages: bool,
    /// Recordings can be downloaded.
    #[serde(skip_serializing_if = "is_false")]
    pub get_record: bool,
    /// Messages can be played on the phone.
    #[serde(skip_serializing_if = "is_false")]
    pub play: bool,
    /// Playing can pause.
    #[serde(skip_serializing_if = "is_false")]
    pub pause: bool,
    /// The playing call can be hung up.
    #[serde(skip_serializing_if = "is_false")]
    pub hangup: bool,
    /// Messages can be recorded.
    #[serde(skip_serializing_if = "is_false")]
    pub record: bool,
    /// Playing can resume.
    #[serde(skip_serializing_if = "is_false")]
    pub resume: bool,
    /// Recording can be cancelled.
    #[serde(skip_serializing_if = "is_false")]
    pub cancel: bool,
    /// Messages can be forwarded.
    #[serde(skip_serializing_if = "is_false")]
    pub forward: bool,
    /// The sender can be called back.
    #[serde(skip_serializing_if = "is_false")]
    pub callback: bool,
    /// Messages can be sent.
    #[serde(skip_serializing_if = "is_false")]
    pub send: bool,
    /// The mailbox sends events.
    #[serde(skip_serializing_if = "is_false")]
    pub events: bool,
}

/// The body of `POST /messaging/mailboxes/{id}` (connect with the
/// mailbox's own password). `Debug` never shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MailboxConnectRequest {
    /// The mailbox password.
    #[serde(serialize_with = "expose_secret")]
    pub password: Secret<String>,
}

impl MailboxConnectRequest {
    /// A connect body.
    pub fn new(password: impl Into<String>) -> Self {
        Self {
            password: Secret::new(password.into()),
        }
    }
}

/// The answer of `POST /messaging/mailboxes/{id}` (connect).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct MailboxInfo {
    /// Voice messages in all.
    pub total_voice_msg: u32,
    /// New voice messages.
    pub new_voice_msg: u32,
    /// Storage used, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_usage: Option<f64>,
}

/// The answer of `GET /messaging/mailboxes/{id}/voicemails`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VoiceMessageList {
    /// The messages.
    #[serde(default)]
    pub voicemails: Vec<VoiceMessage>,
}

impl VoiceMessageList {
    /// A list.
    pub fn new(voicemails: Vec<VoiceMessage>) -> Self {
        Self { voicemails }
    }
}

/// One voice message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VoiceMessage {
    /// Its id.
    #[serde(default)]
    pub voicemail_id: String,
    /// Who left it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<PartyInfo>,
    /// Its length, in seconds.
    #[serde(default)]
    pub duration: u32,
    /// When it was left, ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Not listened to yet.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unread: bool,
    /// Marked urgent.
    #[serde(default, skip_serializing_if = "is_false")]
    pub high_priority: bool,
}

impl VoiceMessage {
    /// A message.
    pub fn new(voicemail_id: impl Into<String>, from: Option<PartyInfo>, duration: u32) -> Self {
        Self {
            voicemail_id: voicemail_id.into(),
            from,
            duration,
            date: None,
            unread: false,
            high_priority: false,
        }
    }
}

/// A downloaded voice message (`GET …/voicemails/{vmId}`): the file name
/// from `Content-Disposition`, when given, and the WAV bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VoiceMessageFile {
    /// The file name.
    pub file_name: Option<String>,
    /// The audio.
    pub data: bytes::Bytes,
}

impl VoiceMessageFile {
    /// A file.
    pub fn new(file_name: Option<String>, data: bytes::Bytes) -> Self {
        Self { file_name, data }
    }
}
