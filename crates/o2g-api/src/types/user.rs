//! Users (O2G reference, §4.1), as answered by `GET /users/{loginName}` and
//! carried by the `user` package's events.

use serde::{Deserialize, Serialize};

wire_enum! {
    /// `devices[].type`.
    DeviceType {
        /// A DECT handset.
        Dect = "DECT",
        /// A desk phone.
        Deskphone = "DESKPHONE",
        /// A mobile.
        Mobile = "MOBILE",
        /// A softphone.
        Softphone = "SOFTPHONE",
    }
}

wire_enum! {
    /// `voicemail.type`.
    VoicemailType {
        /// A 4635 voice mail.
        Vm4635 = "VM_4635",
        /// A 4645 voice mail.
        Vm4645 = "VM_4645",
        /// An external voice mail.
        External = "EXTERNAL",
    }
}

/// One of a user's devices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Device {
    /// The kind of device.
    #[serde(rename = "type")]
    pub kind: DeviceType,
    /// The device's number.
    #[serde(default)]
    pub id: String,
    /// The device's sub-type (model), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<String>,
}

impl Device {
    /// A device without sub-type.
    pub fn new(kind: DeviceType, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
            sub_type: None,
        }
    }
}

/// A user's voice mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Voicemail {
    /// The voice mail's number.
    #[serde(default)]
    pub number: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: VoicemailType,
}

impl Voicemail {
    /// A voice mail.
    pub fn new(number: impl Into<String>, kind: VoicemailType) -> Self {
        Self {
            number: number.into(),
            kind,
        }
    }
}

/// An O2G user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// The company phone number.
    #[serde(default)]
    pub company_phone: String,
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[serde(default)]
    pub last_name: String,
    /// The O2G login name.
    #[serde(default)]
    pub login_name: String,
    /// The user's voice mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voicemail: Option<Voicemail>,
    /// The user's devices.
    #[serde(default)]
    pub devices: Vec<Device>,
    /// The OXE node (a string on the wire).
    #[serde(default)]
    pub node_id: String,
    /// The external (e.g. LDAP) login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_login: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
}

impl User {
    /// A user without voice mail or device.
    pub fn new(
        login_name: impl Into<String>,
        company_phone: impl Into<String>,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        node_id: impl Into<String>,
    ) -> Self {
        Self {
            company_phone: company_phone.into(),
            first_name: first_name.into(),
            last_name: last_name.into(),
            login_name: login_name.into(),
            node_id: node_id.into(),
            ..Self::default()
        }
    }
}
