//! Typed endpoints of the services (O2G reference, §4): one value type per
//! operation of the core profile (§6 "Coverage anchor"), each an
//! [`Endpoint`](super::Endpoint) that builds its [`ApiRequest`] and decodes the answer.
//!
//! | service | module | endpoints |
//! | --- | --- | --- |
//! | Users / logins | [`users`] | 6 |
//! | Telephony | [`telephony`] | 52 |
//! | Routing | [`routing`] | 13 |
//! | Event summary | [`eventsummary`] | 1 |
//! | Directory | [`directory`] | 3 |
//! | Communication log | [`comlog`] | 5 |
//! | Messaging | [`messaging`] | 6 |
//! | Maintenance | [`maintenance`] | 1 |
//!
//! Paths are relative to the service's URL as the session resolves it
//! (§1.4): telephony operations go to `base/telephony`, so
//! [`MakeCall`](telephony::MakeCall) is `POST /calls`. Per-user operations
//! carry an optional `login_name`, sent as `?loginName=` (required by
//! administrator sessions, ignored by user sessions). [`catalogue`] lists
//! every endpoint with its method and path template.
//!
//! Commands answer `()`: any 2xx is success (servers use 200, 201 or 204).
//!
//! ```
//! use o2g_api::codec::Endpoint;
//! use o2g_api::codec::endpoints::telephony::MakeCall;
//!
//! let req = MakeCall::new("1001", "1002").auto_answer(true).login_name("oxe1001").request();
//! assert_eq!(req.path_and_query(), "/calls?loginName=oxe1001");
//! ```

use http::Method;

use super::{ApiRequest, ServiceKey};

pub mod comlog;
pub mod directory;
pub mod eventsummary;
pub mod maintenance;
pub mod messaging;
pub mod routing;
pub mod telephony;
pub mod users;

/// What the [`catalogue`] says about one endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointInfo {
    /// The endpoint type's name, e.g. `MakeCall`.
    pub name: &'static str,
    /// The service the path is relative to.
    pub service: ServiceKey,
    /// The HTTP method.
    pub method: Method,
    /// The path template relative to the service URL, placeholders in
    /// braces (`/calls/{callRef}/answer`); empty for the service URL
    /// itself.
    pub path: &'static str,
}

impl EndpointInfo {
    /// The service's URL relative to the session base URL, as servers
    /// usually list it (`/telephony`, `/comlog/records`, …).
    pub fn service_root(&self) -> &'static str {
        match self.service {
            ServiceKey::Subscriptions => "/subscriptions",
            ServiceKey::Users => "/users",
            ServiceKey::Logins => "/logins",
            ServiceKey::Telephony => "/telephony",
            ServiceKey::Routing => "/routing",
            ServiceKey::EventSummary => "/eventsummary",
            ServiceKey::Directory => "/directory",
            ServiceKey::Comlog => "/comlog/records",
            ServiceKey::Messaging => "/messaging/mailboxes",
            ServiceKey::Maintenance => "/system",
            ServiceKey::PbxManagement => "/pbxs",
            _ => "",
        }
    }

    /// The path template relative to the session base URL, as the
    /// specification writes it (`/telephony/calls/{callRef}/answer`).
    pub fn spec_path(&self) -> String {
        format!("{}{}", self.service_root(), self.path)
    }

    /// The service family this endpoint belongs to, for counting: `users`
    /// for both users and logins, else the service's name.
    pub fn family(&self) -> &'static str {
        match self.service {
            ServiceKey::Users | ServiceKey::Logins => "users",
            ServiceKey::Telephony => "telephony",
            ServiceKey::Routing => "routing",
            ServiceKey::EventSummary => "eventsummary",
            ServiceKey::Directory => "directory",
            ServiceKey::Comlog => "comlog",
            ServiceKey::Messaging => "messaging",
            ServiceKey::Maintenance => "maintenance",
            ServiceKey::Subscriptions => "subscriptions",
            ServiceKey::PbxManagement => "pbxmanagement",
            _ => "other",
        }
    }

    /// Whether `path` (a request path, no query) fits this template: same
    /// number of segments, literal segments equal, placeholders non-empty.
    pub fn matches(&self, path: &str) -> bool {
        let template: Vec<&str> = self.path.split('/').collect();
        let actual: Vec<&str> = path.split('/').collect();
        template.len() == actual.len()
            && template.iter().zip(&actual).all(|(t, a)| {
                if t.starts_with('{') && t.ends_with('}') {
                    !a.is_empty()
                } else {
                    t == a
                }
            })
    }
}

/// An endpoint type's entry in the [`catalogue`].
pub trait Operation {
    /// Its service, method and path template.
    const INFO: EndpointInfo;
}

/// Implements [`Operation`] for an endpoint type.
macro_rules! operation {
    ($ty:ident, $service:ident, $method:ident, $path:literal) => {
        impl $crate::codec::endpoints::Operation for $ty {
            const INFO: $crate::codec::endpoints::EndpointInfo =
                $crate::codec::endpoints::EndpointInfo {
                    name: stringify!($ty),
                    service: $crate::codec::ServiceKey::$service,
                    method: ::http::Method::$method,
                    path: $path,
                };
        }
    };
}
use operation;

/// Defines an endpoint struct whose required fields are strings, with an
/// optional `login_name`, a `new` taking the required fields in order and a
/// `login_name` setter.
macro_rules! per_user {
    (
        $(#[$doc:meta])*
        $name:ident { $( $(#[$fdoc:meta])* $field:ident ),* $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[$fdoc])* pub $field: String, )*
            /// The user to act for (`?loginName=`); required on
            /// administrator sessions, ignored by user sessions.
            pub login_name: Option<String>,
        }

        impl $name {
            /// The operation, for the session's own user.
            #[allow(clippy::new_without_default)]
            pub fn new($( $field: impl Into<String> ),*) -> Self {
                Self { $( $field: $field.into(), )* login_name: None }
            }

            /// Acts for `login_name` (`?loginName=`).
            pub fn login_name(mut self, login_name: impl Into<String>) -> Self {
                self.login_name = Some(login_name.into());
                self
            }
        }
    };
}
use per_user;

/// Adds the `login_name` setter to a hand-written endpoint struct.
macro_rules! login_setter {
    ($name:ident) => {
        impl $name {
            /// Acts for `login_name` (`?loginName=`); required on
            /// administrator sessions, ignored by user sessions.
            pub fn login_name(mut self, login_name: impl Into<String>) -> Self {
                self.login_name = Some(login_name.into());
                self
            }
        }
    };
}
use login_setter;

/// A request with `T`'s method and service and this path.
fn request<T: Operation>(path: impl Into<String>) -> ApiRequest {
    ApiRequest::new(T::INFO.method, T::INFO.service, path)
}

/// Every endpoint of the core profile, service by service.
pub fn catalogue() -> Vec<EndpointInfo> {
    let mut all = users::catalogue();
    all.extend(telephony::catalogue());
    all.extend(routing::catalogue());
    all.extend(eventsummary::catalogue());
    all.extend(directory::catalogue());
    all.extend(comlog::catalogue());
    all.extend(messaging::catalogue());
    all.extend(maintenance::catalogue());
    all
}

/// How many endpoints [`catalogue`] lists (the 96 of the core profile less
/// the 9 infrastructure ones, which the session machine drives).
pub const CORE_ENDPOINTS: usize = 87;
