//! System status (O2G reference, §4.9).

use serde::{Deserialize, Deserializer, Serialize};

use crate::types::is_false;

/// The answer of `GET /system/status`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SystemStatus {
    /// The server's logical address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logical_address: Option<ServerAddress>,
    /// When the server started, ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// High-availability deployment.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ha: bool,
    /// FQDN of the active server (HA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// Version of the active server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_version: Option<String>,
    /// Services of the active server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_services_status: Option<SystemServices>,
    /// FQDN of the backup server (HA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary: Option<String>,
    /// Version of the backup server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_version: Option<String>,
    /// Services of the backup server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_services_status: Option<SystemServices>,
    /// The OmniPCX Enterprise nodes.
    #[serde(default)]
    pub pbxs: Vec<PbxStatus>,
    /// The licensing state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<LicenseStatus>,
    /// Licenses as older servers list them, at the top level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lics: Vec<License>,
    /// `PBX_MANAGEMENT` or `FULL_SERVICES`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_type: Option<ConfigurationType>,
    /// The application id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// Which subscribers the server monitors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriber_filter: Option<SubscriberFilter>,
}

/// An address: FQDN and IP.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerAddress {
    /// The FQDN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
    /// The IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
}

impl ServerAddress {
    /// An address.
    pub fn new(fqdn: Option<String>, ip: Option<String>) -> Self {
        Self { fqdn, ip }
    }
}

/// `primaryServicesStatus` / `secondaryServicesStatus`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SystemServices {
    /// The services.
    #[serde(default)]
    pub services: Vec<SystemService>,
    /// State of the global IP address (HA). Spelled so on the wire.
    #[serde(
        default,
        rename = "globalIPAdress",
        skip_serializing_if = "Option::is_none"
    )]
    pub global_ip_address: Option<String>,
    /// State of DRBD replication (HA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drbd: Option<String>,
}

/// One service of [`SystemServices`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SystemService {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// e.g. `running`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// e.g. `active`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

wire_enum! {
    /// `pbxs[].ctiLinkState`.
    CtiLinkState {
        /// Linked to the main call server.
        ConnectedMain = "CONNECTED_MAIN",
        /// Linked to the standby call server.
        ConnectedSecondary = "CONNECTED_SECONDARY",
        /// Not linked.
        Disconnected = "DISCONNECTED",
    }
}

/// One OmniPCX Enterprise node of [`SystemStatus`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PbxStatus {
    /// The node's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The node number (a number or a string on the wire; kept as text).
    #[serde(default, deserialize_with = "string_or_number")]
    pub node_id: String,
    /// The main call server's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_address: Option<ServerAddress>,
    /// The standby call server's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_address: Option<ServerAddress>,
    /// The node's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// O2G is connected to the node.
    #[serde(default, skip_serializing_if = "is_false")]
    pub connected: bool,
    /// O2G has loaded the node's users.
    #[serde(default, skip_serializing_if = "is_false")]
    pub loaded: bool,
    /// The CTI link's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cti_link_state: Option<CtiLinkState>,
    /// The link is secured (SSH).
    #[serde(default, skip_serializing_if = "is_false")]
    pub secured: bool,
    /// How many users O2G monitors on the node.
    #[serde(default)]
    pub monitored_user_number: u32,
}

wire_enum! {
    /// `license.type`.
    LicenseType {
        /// An external FlexLM server.
        Flexlm = "FLEXLM",
        /// The License Manager Server.
        Lms = "LMS",
    }
}

/// `license` of [`SystemStatus`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LicenseStatus {
    /// `FLEXLM` or `LMS`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<LicenseType>,
    /// The licensing context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The license server in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_server: Option<String>,
    /// The overall status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Detail on the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// The licenses.
    #[serde(default)]
    pub lics: Vec<License>,
}

/// One license.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct License {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// How many are granted.
    #[serde(default)]
    pub total: i64,
    /// How many are used.
    #[serde(default)]
    pub current_used: i64,
    /// When it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
}

wire_enum! {
    /// `configurationType` of [`SystemStatus`].
    ConfigurationType {
        /// Management only: no device monitoring.
        PbxManagement = "PBX_MANAGEMENT",
        /// Every service.
        FullServices = "FULL_SERVICES",
    }
}

wire_enum! {
    /// `subscriberFilter` of [`SystemStatus`].
    SubscriberFilter {
        /// Only A4980 subscribers.
        A4980 = "A4980",
        /// Every subscriber.
        All = "ALL",
        /// None.
        None = "NONE",
    }
}

/// Reads a JSON string or number as text (node ids are both on the wire).
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::de::Error;
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Null => Ok(String::new()),
        other => Err(D::Error::custom(format!(
            "expected a string or a number, got {other}"
        ))),
    }
}
