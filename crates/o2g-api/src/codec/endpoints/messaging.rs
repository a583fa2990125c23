//! Messaging (O2G reference, §4.6): 6 endpoints relative to the messaging
//! service URL (`base/messaging/mailboxes`).

use cti_core::Secret;

use super::{EndpointInfo, Operation, login_setter, operation, per_user, request};
use crate::codec::{ApiError, ApiRequest, ApiResponse, Endpoint, segment};
use crate::types::services::{
    Mailbox, MailboxConnectRequest, MailboxInfo, MailboxList, VoiceMessage, VoiceMessageFile,
    VoiceMessageList,
};

/// The messaging endpoints.
pub fn catalogue() -> Vec<EndpointInfo> {
    vec![
        GetMailboxes::INFO,
        ConnectMailbox::INFO,
        GetVoiceMessages::INFO,
        DownloadVoiceMessage::INFO,
        DeleteVoiceMessages::INFO,
        DeleteVoiceMessage::INFO,
    ]
}

/// `/{mailboxId}/voicemails` + `tail`.
fn voicemails_path(mailbox_id: &str, tail: &str) -> String {
    format!("/{}/voicemails{tail}", segment(mailbox_id))
}

per_user! {
    /// `GET /messaging/mailboxes`: the user's mailboxes.
    GetMailboxes {}
}

impl Endpoint for GetMailboxes {
    type Output = Vec<Mailbox>;

    fn request(&self) -> ApiRequest {
        request::<Self>("").login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<Vec<Mailbox>, ApiError> {
        response
            .json::<MailboxList>("mailbox list")
            .map(|l| l.mailboxes)
    }
}
operation!(GetMailboxes, Messaging, GET, "");

/// `POST /messaging/mailboxes/{id}`: connects to a mailbox, with its own
/// password or the user's (`withUserPwd`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectMailbox {
    /// The mailbox.
    pub mailbox_id: String,
    /// The mailbox password; `None`: use the user's password
    /// (`?withUserPwd`).
    pub password: Option<Secret<String>>,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl ConnectMailbox {
    /// Connects with the user's own password.
    pub fn with_user_password(mailbox_id: impl Into<String>) -> Self {
        Self {
            mailbox_id: mailbox_id.into(),
            password: None,
            login_name: None,
        }
    }

    /// Connects with the mailbox's password.
    pub fn with_password(mailbox_id: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            password: Some(Secret::new(password.into())),
            ..Self::with_user_password(mailbox_id)
        }
    }
}
login_setter!(ConnectMailbox);

impl Endpoint for ConnectMailbox {
    type Output = MailboxInfo;

    fn request(&self) -> ApiRequest {
        let req = request::<Self>(format!("/{}", segment(&self.mailbox_id)));
        match &self.password {
            Some(p) => req
                .login(self.login_name.as_deref())
                .json(&MailboxConnectRequest::new(p.expose().as_str())),
            None => req
                .flag("withUserPwd", true)
                .login(self.login_name.as_deref()),
        }
    }

    fn decode(&self, response: ApiResponse) -> Result<MailboxInfo, ApiError> {
        response.json("mailbox info")
    }
}
operation!(ConnectMailbox, Messaging, POST, "/{mailboxId}");

/// `GET /messaging/mailboxes/{id}/voicemails?newOnly=true&offset=&limit=`:
/// the messages of a connected mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetVoiceMessages {
    /// The mailbox.
    pub mailbox_id: String,
    /// Only unread messages.
    pub new_only: bool,
    /// The first message.
    pub offset: Option<u32>,
    /// At most this many.
    pub limit: Option<u32>,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl GetVoiceMessages {
    /// Every message of `mailbox_id`.
    pub fn new(mailbox_id: impl Into<String>) -> Self {
        Self {
            mailbox_id: mailbox_id.into(),
            new_only: false,
            offset: None,
            limit: None,
            login_name: None,
        }
    }

    /// Only unread messages.
    pub fn new_only(mut self, on: bool) -> Self {
        self.new_only = on;
        self
    }

    /// The page starting at `offset`, of at most `limit` messages.
    pub fn page(mut self, offset: u32, limit: u32) -> Self {
        self.offset = Some(offset);
        self.limit = Some(limit);
        self
    }
}
login_setter!(GetVoiceMessages);

impl Endpoint for GetVoiceMessages {
    type Output = Vec<VoiceMessage>;

    fn request(&self) -> ApiRequest {
        let mut req = request::<Self>(voicemails_path(&self.mailbox_id, ""));
        if self.new_only {
            req = req.query("newOnly", "true");
        }
        req.query_opt("offset", self.offset.map(|o| o.to_string()))
            .query_opt("limit", self.limit.map(|l| l.to_string()))
            .login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<Vec<VoiceMessage>, ApiError> {
        response
            .json::<VoiceMessageList>("voice message list")
            .map(|l| l.voicemails)
    }
}
operation!(GetVoiceMessages, Messaging, GET, "/{mailboxId}/voicemails");

per_user! {
    /// `GET /messaging/mailboxes/{id}/voicemails/{vmId}`: downloads a
    /// message (WAV).
    DownloadVoiceMessage {
        /// The mailbox.
        mailbox_id,
        /// The message.
        voicemail_id,
    }
}

impl Endpoint for DownloadVoiceMessage {
    type Output = VoiceMessageFile;

    fn request(&self) -> ApiRequest {
        request::<Self>(voicemails_path(
            &self.mailbox_id,
            &format!("/{}", segment(&self.voicemail_id)),
        ))
        .login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<VoiceMessageFile, ApiError> {
        let ok = response.success()?;
        let file_name = ok
            .headers
            .get(http::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(disposition_file_name);
        Ok(VoiceMessageFile::new(file_name, ok.body))
    }
}
operation!(
    DownloadVoiceMessage,
    Messaging,
    GET,
    "/{mailboxId}/voicemails/{voicemailId}"
);

/// The `filename` of a `Content-Disposition` value, quotes removed.
fn disposition_file_name(value: &str) -> Option<String> {
    value.split(';').find_map(|part| {
        let (name, v) = part.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("filename")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// `DELETE /messaging/mailboxes/{id}/voicemails?msgIds=a;b`: deletes
/// several messages.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteVoiceMessages {
    /// The mailbox.
    pub mailbox_id: String,
    /// The messages.
    pub voicemail_ids: Vec<String>,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl DeleteVoiceMessages {
    /// Deletes `voicemail_ids` from `mailbox_id`.
    pub fn new<I, S>(mailbox_id: impl Into<String>, voicemail_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            mailbox_id: mailbox_id.into(),
            voicemail_ids: voicemail_ids.into_iter().map(Into::into).collect(),
            login_name: None,
        }
    }
}
login_setter!(DeleteVoiceMessages);

impl Endpoint for DeleteVoiceMessages {
    type Output = ();

    fn request(&self) -> ApiRequest {
        request::<Self>(voicemails_path(&self.mailbox_id, ""))
            .query("msgIds", self.voicemail_ids.join(";"))
            .login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
        response.empty()
    }
}
operation!(
    DeleteVoiceMessages,
    Messaging,
    DELETE,
    "/{mailboxId}/voicemails"
);

per_user! {
    /// `DELETE /messaging/mailboxes/{id}/voicemails/{vmId}`: deletes one
    /// message.
    DeleteVoiceMessage {
        /// The mailbox.
        mailbox_id,
        /// The message.
        voicemail_id,
    }
}

impl Endpoint for DeleteVoiceMessage {
    type Output = ();

    fn request(&self) -> ApiRequest {
        request::<Self>(voicemails_path(
            &self.mailbox_id,
            &format!("/{}", segment(&self.voicemail_id)),
        ))
        .login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
        response.empty()
    }
}
operation!(
    DeleteVoiceMessage,
    Messaging,
    DELETE,
    "/{mailboxId}/voicemails/{voicemailId}"
);
