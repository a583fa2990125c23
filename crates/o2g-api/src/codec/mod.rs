//! Bytes ↔ types, no IO: service requests and their answers
//! ([`Endpoint`], [`ApiRequest`], [`ApiResponse`]), and the incremental
//! NDJSON decoder of the event channel ([`ndjson`]).
//!
//! A request is described relative to the service it belongs to
//! ([`ServiceKey`]) so that the URL is built from what the server advertised
//! in the session's `services[]` (see [`crate::session::Services`]), never
//! from a guess.

use std::fmt;

use bytes::Bytes;
use http::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::types::ErrorBody;

pub mod endpoints;
pub mod ndjson;

pub use ndjson::{DecodeError, Decoder};

/// Which service of the session a request goes to. The URL of each is the
/// session's base URL plus the `relativeUrl` the server lists for it
/// (O2G reference, §1.4 "Service URL resolution").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceKey {
    /// `subscriptions`.
    Subscriptions,
    /// `users`.
    Users,
    /// The logins resource (listed as `logins`, else derived from `users`).
    Logins,
    /// Every `/telephony…` entry maps to one service at `base/telephony`.
    Telephony,
    /// `routing`.
    Routing,
    /// `eventsummary`.
    EventSummary,
    /// `directory`.
    Directory,
    /// `comlog`.
    Comlog,
    /// `voicemail` (messaging).
    Messaging,
    /// `maintenance` (`/system`).
    Maintenance,
    /// `pbxmanagement`.
    PbxManagement,
    /// Any other lower-cased `serviceName`.
    Other(String),
}

impl ServiceKey {
    /// The key of a `serviceName` as a session lists it (matched
    /// case-insensitively; any other name is `Other`, lower-cased).
    pub fn from_name(service_name: &str) -> Self {
        let name = service_name.to_ascii_lowercase();
        match name.as_str() {
            "subscriptions" => Self::Subscriptions,
            "users" => Self::Users,
            "logins" => Self::Logins,
            "telephony" => Self::Telephony,
            "routing" => Self::Routing,
            "eventsummary" => Self::EventSummary,
            "directory" => Self::Directory,
            "comlog" => Self::Comlog,
            "voicemail" => Self::Messaging,
            "maintenance" => Self::Maintenance,
            "pbxmanagement" => Self::PbxManagement,
            _ => Self::Other(name),
        }
    }

    /// The lower-cased `serviceName` this key is listed under.
    pub fn name(&self) -> &str {
        match self {
            Self::Subscriptions => "subscriptions",
            Self::Users => "users",
            Self::Logins => "logins",
            Self::Telephony => "telephony",
            Self::Routing => "routing",
            Self::EventSummary => "eventsummary",
            Self::Directory => "directory",
            Self::Comlog => "comlog",
            Self::Messaging => "voicemail",
            Self::Maintenance => "maintenance",
            Self::PbxManagement => "pbxmanagement",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for ServiceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A service request before the session adds the base URL and the cookie.
///
/// `Debug` shows the body's length, not its bytes: bodies carry passwords
/// (`ChangePassword`) and PINs (`MakeCall::private`).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiRequest {
    /// The HTTP method.
    pub method: Method,
    /// The service whose URL the path is relative to.
    pub service: ServiceKey,
    /// Path after the service URL: empty or starting with `/`; segments
    /// already percent-encoded (use [`segment`]).
    pub path: String,
    /// Query parameters in order; a `None` value is a bare flag
    /// (`?onlyACD`).
    pub query: Vec<(String, Option<String>)>,
    /// A JSON body.
    pub body: Option<Bytes>,
}

impl ApiRequest {
    /// A request without query or body.
    pub fn new(method: Method, service: ServiceKey, path: impl Into<String>) -> Self {
        Self {
            method,
            service,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    /// Adds `name=value` to the query.
    pub fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_owned(), Some(value.into())));
        self
    }

    /// Adds `name=value` when `value` is given.
    pub fn query_opt(self, name: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Adds the bare flag `name` when `on`.
    pub fn flag(mut self, name: &str, on: bool) -> Self {
        if on {
            self.query.push((name.to_owned(), None));
        }
        self
    }

    /// Adds `loginName=` (required on per-user operations of administrator
    /// sessions, ignored by user sessions) when given.
    pub fn login(self, login_name: Option<&str>) -> Self {
        self.query_opt("loginName", login_name)
    }

    /// Sets a JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        // Serializing our own body types cannot fail: they are plain data
        // with string keys.
        self.body = serde_json::to_vec(body).ok().map(Bytes::from);
        self
    }

    /// The path and query to append to the service URL.
    pub fn path_and_query(&self) -> String {
        let mut s = self.path.clone();
        for (i, (k, v)) in self.query.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            push_encoded(&mut s, k);
            if let Some(v) = v {
                s.push('=');
                push_encoded(&mut s, v);
            }
        }
        s
    }
}

/// Percent-encodes one path segment (a call reference, a login name).
///
/// A segment can never change the path's shape: `.` and `..` (which
/// dot-segment removal would resolve, `/users/..` → the parent) are encoded
/// as `%2E` and `%2E%2E`, and `;` (a path parameter to Java servers) and
/// `,` are encoded too; `/` always was.
pub fn segment(s: &str) -> String {
    if s == "." || s == ".." {
        return "%2E".repeat(s.len());
    }
    let mut out = String::with_capacity(s.len());
    for part in s.split_inclusive([';', ',']) {
        let (body, sep) = match part.as_bytes().last() {
            Some(b';') => (&part[..part.len() - 1], Some("%3B")),
            Some(b',') => (&part[..part.len() - 1], Some("%2C")),
            _ => (part, None),
        };
        push_encoded(&mut out, body);
        if let Some(sep) = sep {
            out.push_str(sep);
        }
    }
    out
}

/// Percent-encodes everything but unreserved characters and the list
/// separators O2G uses inside values (`;` and `,`).
fn push_encoded(out: &mut String, s: &str) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b';' | b',' => {
                out.push(b as char);
            }
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("service", &self.service)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body_bytes", &self.body.as_ref().map(Bytes::len))
            .finish()
    }
}

/// A service's answer: status, headers and the whole body.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl ApiResponse {
    /// An answer.
    pub fn new(status: StatusCode, headers: http::HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// From an `http::Response<Bytes>`.
    pub fn from_http(r: http::Response<Bytes>) -> Self {
        let (parts, body) = r.into_parts();
        Self::new(parts.status, parts.headers, body)
    }

    /// `Ok(self)` for 2xx, else the typed error (with the error body when
    /// it is JSON).
    pub fn success(self) -> Result<Self, ApiError> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(ApiError::from_status(self.status, &self.body))
        }
    }

    /// Decodes a 2xx JSON body.
    pub fn json<T: DeserializeOwned>(self, what: &'static str) -> Result<T, ApiError> {
        let ok = self.success()?;
        serde_json::from_slice(&ok.body).map_err(|e| ApiError::Decode {
            what,
            reason: e.to_string(),
        })
    }

    /// Checks a 2xx answer whose body is ignored.
    pub fn empty(self) -> Result<(), ApiError> {
        self.success().map(drop)
    }
}

/// What a service request can fail with.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiError {
    /// The server answered non-2xx; `error` is its error body when it sent
    /// a JSON one (bodies may be empty or not JSON, §5).
    Status {
        /// The HTTP status.
        status: StatusCode,
        /// The decoded error body.
        error: Option<Box<ErrorBody>>,
    },
    /// A 2xx body that is not what the endpoint answers.
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// serde's reason.
        reason: String,
    },
    /// The request cannot be sent: the session does not offer the service,
    /// or is not open.
    Unavailable(String),
}

impl ApiError {
    /// The error for a non-2xx answer.
    pub fn from_status(status: StatusCode, body: &[u8]) -> Self {
        let error = serde_json::from_slice::<ErrorBody>(body).ok().map(Box::new);
        Self::Status { status, error }
    }

    /// The HTTP status, for `Status` errors.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True for 401 and 403: the session or credential is gone.
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(s) if s == StatusCode::UNAUTHORIZED || s == StatusCode::FORBIDDEN)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status { status, error } => {
                write!(f, "server answered {status}")?;
                if let Some(e) = error {
                    if let Some(m) = &e.help_message {
                        write!(f, ": {m}")?;
                    }
                    for d in [&e.telephony, &e.routing].into_iter().flatten() {
                        if let Some(t) = &d.error_type {
                            write!(f, " ({t}")?;
                            if let Some(c) = &d.error_cause {
                                write!(f, "/{c}")?;
                            }
                            f.write_str(")")?;
                        }
                    }
                }
                Ok(())
            }
            Self::Decode { what, reason } => write!(f, "bad {what} body: {reason}"),
            Self::Unavailable(s) => write!(f, "unavailable: {s}"),
        }
    }
}

impl std::error::Error for ApiError {}

/// One service operation: how to ask, and how to read the answer.
///
/// Endpoints are plain values (`MakeCall { … }`); a client executes them
/// with the session's base URL and cookie, a test decodes recorded answers
/// with them.
pub trait Endpoint {
    /// What a successful answer decodes to.
    type Output;

    /// The request.
    fn request(&self) -> ApiRequest;

    /// Decodes the answer (non-2xx → [`ApiError::Status`]).
    fn decode(&self, response: ApiResponse) -> Result<Self::Output, ApiError>;
}

impl<E: Endpoint + ?Sized> Endpoint for &E {
    type Output = E::Output;

    fn request(&self) -> ApiRequest {
        (**self).request()
    }

    fn decode(&self, response: ApiResponse) -> Result<Self::Output, ApiError> {
        (**self).decode(response)
    }
}

/// The raw form: any request, answered whatever its status.
impl Endpoint for ApiRequest {
    type Output = ApiResponse;

    fn request(&self) -> ApiRequest {
        self.clone()
    }

    fn decode(&self, response: ApiResponse) -> Result<ApiResponse, ApiError> {
        Ok(response)
    }
}
