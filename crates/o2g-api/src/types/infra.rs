//! Bootstrap, authentication, session, subscription and error bodies
//! (O2G reference, §1, §2.1, §5).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::is_false;
use cti_core::Secret;

// ---------------------------------------------------------------- discovery

/// The answer of `GET /api/rest` (§1.1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Discovery {
    /// The server's product and version.
    pub server_info: ServerInfo,
    /// The API versions, each with its authenticate URLs.
    #[serde(default)]
    pub versions: Vec<ApiVersion>,
    /// Customer feature flags (2.6+; optional).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custo_features: Vec<Map<String, Value>>,
}

impl Discovery {
    /// The version to use: the one whose `id` is `wanted`, or, with no
    /// wish, the one whose status is `CURRENT`.
    pub fn version(&self, wanted: Option<&str>) -> Option<&ApiVersion> {
        match wanted {
            Some(id) => self.versions.iter().find(|v| v.id == id),
            None => self
                .versions
                .iter()
                .find(|v| v.status == VersionStatus::Current),
        }
    }
}

/// `serverInfo` of the discovery answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServerInfo {
    /// e.g. `O2G Solution`.
    #[serde(default)]
    pub product_name: String,
    /// e.g. `O2G`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    /// Major and minor version strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_version: Option<ProductVersion>,
    /// High-availability (duplicated) server.
    #[serde(default)]
    pub ha_mode: bool,
}

/// `productVersion` of [`ServerInfo`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductVersion {
    /// e.g. `2.7`.
    #[serde(default)]
    pub major: String,
    /// e.g. `005.000`.
    #[serde(default)]
    pub minor: String,
}

wire_enum! {
    /// `versions[].status`.
    VersionStatus {
        /// The version servers recommend.
        Current = "CURRENT",
        /// Still served, being phased out.
        Deprecated = "DEPRECATED",
    }
}

/// One entry of `versions[]`: the authenticate URLs of an API version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiVersion {
    /// e.g. `1.0`.
    pub id: String,
    /// `CURRENT`, …
    pub status: VersionStatus,
    /// The authenticate URL for access from the internet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// The authenticate URL for access from the intranet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_url: Option<String>,
}

// ----------------------------------------------------------- authenticate

/// The answer of `GET <authenticate URL>` (§1.2).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuthenticateAnswer {
    /// The token sent back as the `AlcUserId` cookie.
    pub credential: Secret<String>,
    /// The sessions URL for access from the internet.
    #[serde(default)]
    pub public_url: Option<String>,
    /// The sessions URL for access from the intranet.
    #[serde(default)]
    pub internal_url: Option<String>,
    /// The O2G login actually used (newer servers).
    #[serde(default)]
    pub login_name: Option<String>,
    /// The password is about to expire (newer servers).
    #[serde(default)]
    pub expired: bool,
}

// ---------------------------------------------------------------- session

/// The body of `POST <sessions URL>` (§1.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SessionRequest {
    /// The application's name, shown by the server.
    pub application_name: String,
    /// For an administrator: open the session as this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervised_account: Option<SupervisedAccount>,
}

impl SessionRequest {
    /// A session for `application_name`.
    pub fn new(application_name: impl Into<String>) -> Self {
        Self {
            application_name: application_name.into(),
            supervised_account: None,
        }
    }
}

/// `supervisedAccount` of [`SessionRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SupervisedAccount {
    /// How `id` identifies the user.
    #[serde(rename = "type")]
    pub kind: AccountType,
    /// The login name or phone number.
    pub id: String,
}

impl SupervisedAccount {
    /// A supervised account.
    pub fn new(kind: AccountType, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }
}

wire_enum! {
    /// `supervisedAccount.type`.
    AccountType {
        /// `id` is a login name.
        LoginName = "LOGIN_NAME",
        /// `id` is a phone number.
        PhoneNumber = "PHONE_NUMBER",
    }
}

/// The answer of `POST`/`GET <sessions URL>` (§1.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SessionInfo {
    /// An administrator session (per-user calls then need `loginName`).
    #[serde(default)]
    pub admin: bool,
    /// The session's login name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    /// Seconds without a request before the server drops the session.
    pub time_to_live: u64,
    /// Base URL of the services for access from the internet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_base_url: Option<String>,
    /// Base URL of the services for access from the intranet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_base_url: Option<String>,
    /// The services this session may use.
    #[serde(default)]
    pub services: Vec<ServiceInfo>,
    /// ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    /// ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    /// The user's other open sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_sessions: Option<Vec<OtherSession>>,
}

/// One entry of `services[]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServiceInfo {
    /// e.g. `Telephony` (matched case-insensitively).
    pub service_name: String,
    /// e.g. `1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_version: Option<String>,
    /// Relative to the base URL, e.g. `/telephony/calls`.
    pub relative_url: String,
}

impl ServiceInfo {
    /// A service entry.
    pub fn new(name: impl Into<String>, relative_url: impl Into<String>) -> Self {
        Self {
            service_name: name.into(),
            service_version: Some("1.0".into()),
            relative_url: relative_url.into(),
        }
    }
}

/// One entry of `otherSessions[]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OtherSession {
    /// The other session's id.
    #[serde(default)]
    pub session_id: String,
    /// ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_live: Option<u64>,
}

// ---------------------------------------------------------- subscriptions

wire_enum! {
    /// An event package (`filter.selectors[].names`, §2.1). The shorter
    /// names `routing`, `users` and `comlog` are wrong on the wire.
    Package {
        /// Call, user and device state.
        Telephony = "telephony",
        /// Counters (missed calls, voice messages, …).
        EventSummary = "eventSummary",
        /// Routing (forward, overflow, DND) state.
        RoutingManagement = "routingManagement",
        /// Communication log.
        UnifiedComLog = "unifiedComLog",
        /// User created, changed, deleted.
        User = "user",
        /// User management (admin).
        UserManagement = "userManagement",
        /// Links and PBX loading.
        System = "system",
        /// PBX object instances (admin).
        PbxManagement = "pbxManagement",
        /// CCD agent.
        Agent = "agent",
        /// CCD pilot monitoring.
        Pilot = "pilot",
        /// CCD routing service interface.
        Rsi = "rsi",
        /// CCD real-time indicators.
        Rti = "rti",
        /// CCD statistics progress.
        AcdStats = "acdstats",
    }
}

/// The body of `POST <base>/subscriptions` (§2.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriptionRequest {
    /// Which packages, for whom.
    pub filter: Filter,
    /// Always `1.0`.
    pub version: String,
    /// Event-channel lifetime in minutes after inactivity (2–60), or 0: tied
    /// to the session, with periodic keep-alive events. Absent in webhook
    /// mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    /// Webhook mode: the server POSTs events to this URL instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_hook_url: Option<String>,
}

impl SubscriptionRequest {
    /// A chunk-mode subscription with these selectors and channel timeout
    /// (minutes).
    pub fn new(selectors: Vec<Selector>, timeout: u32) -> Self {
        Self {
            filter: Filter { selectors },
            version: "1.0".into(),
            timeout: Some(timeout),
            web_hook_url: None,
        }
    }
}

/// `filter` of [`SubscriptionRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Filter {
    /// One selector per package (or group of packages).
    #[serde(default)]
    pub selectors: Vec<Selector>,
}

/// One selector: packages for a set of login names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Selector {
    /// Login names (`["*"]` for all); absent: whatever the session may see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    /// The packages.
    pub names: Vec<Package>,
}

impl Selector {
    /// `names` for the users `ids`.
    pub fn new<I, S>(names: Vec<Package>, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            ids: Some(ids.into_iter().map(Into::into).collect()),
            names,
        }
    }

    /// `names` for whatever the session may see.
    pub fn any(names: Vec<Package>) -> Self {
        Self { ids: None, names }
    }
}

wire_enum! {
    /// `status` of a subscription answer.
    SubscriptionStatus {
        /// The subscription is active.
        Accepted = "ACCEPTED",
        /// Refused; `message` says why.
        Refused = "REFUSED",
    }
}

/// The answer of `POST <base>/subscriptions` (§2.1).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriptionAnswer {
    /// The id; also the event channel's only credential.
    #[serde(default)]
    pub subscription_id: Option<Secret<String>>,
    /// The event channel URL for access from the internet (use verbatim).
    #[serde(default)]
    pub public_polling_url: Option<Secret<String>>,
    /// The event channel URL for access from the intranet (use verbatim).
    #[serde(default)]
    pub private_polling_url: Option<Secret<String>>,
    /// `ACCEPTED` or not.
    pub status: SubscriptionStatus,
    /// Why a subscription was refused.
    #[serde(default)]
    pub message: Option<String>,
    /// `CHUNK`.
    #[serde(default)]
    pub mode: Option<String>,
    /// `JSON`.
    #[serde(default)]
    pub format: Option<String>,
}

// ------------------------------------------------------------------ errors

/// The body of a non-2xx answer (§5). Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ErrorBody {
    /// e.g. `BAD_REQUEST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<String>,
    /// The HTTP status as a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    /// A human-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_message: Option<String>,
    /// The failing domain, e.g. `TELEPHONY`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// More detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner_message: Option<String>,
    /// Whether retrying may help.
    #[serde(default, skip_serializing_if = "is_false")]
    pub can_retry: bool,
    /// Telephony error detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephony: Option<DomainError>,
    /// Routing error detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<DomainError>,
    /// User preferences error detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_preferences: Option<UserPreferencesError>,
}

/// `telephony` or `routing` of an [`ErrorBody`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DomainError {
    /// e.g. `CALL_REFERENCE_NOT_FOUND`, `BAD_PARAMETER_VALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// e.g. `INVALID_CALL_ID`, `BAD_PHONE_NUMBER_FORMAT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_cause: Option<String>,
    /// A human-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `userPreferences` of an [`ErrorBody`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserPreferencesError {
    /// e.g. `WRONG_VALUE`.
    #[serde(
        default,
        rename = "userPreferencesErrorTypeDTO",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_type: Option<String>,
    /// e.g. `GUI_LANGUAGE`.
    #[serde(
        default,
        rename = "userPreferencesParameterDTO",
        skip_serializing_if = "Option::is_none"
    )]
    pub parameter: Option<String>,
}
