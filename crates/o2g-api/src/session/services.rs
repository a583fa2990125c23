//! Service URL resolution (O2G reference, §1.4): which URL each service
//! lives at, from the session's base URL and the `services[]` it lists.

use std::collections::HashMap;

use crate::codec::{ApiError, ApiRequest, ServiceKey};
use crate::types::ServiceInfo;

/// The services one session may use, with their URLs.
///
/// Every URL is the session's base URL plus the `relativeUrl` the server
/// listed, used verbatim. Two rules of the vendor SDKs apply: every entry
/// whose `relativeUrl` starts with `/telephony` maps to one telephony
/// service at `base/telephony`, and the logins resource, when not listed,
/// is the users URL with `/users` replaced by `/logins`. A service that is
/// not listed is not available to the session (not licensed, not allowed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Services {
    base: String,
    by_name: HashMap<String, String>,
    telephony: Option<String>,
}

impl Services {
    /// Resolves the `services` of a session whose base URL is `base`.
    pub fn new(base: &str, services: &[ServiceInfo]) -> Self {
        let base = base.trim_end_matches('/').to_owned();
        let mut by_name = HashMap::new();
        let mut telephony = None;
        for s in services {
            let url = format!("{base}{}", s.relative_url);
            if s.relative_url.starts_with("/telephony") {
                telephony = Some(format!("{base}/telephony"));
            }
            by_name
                .entry(s.service_name.to_ascii_lowercase())
                .or_insert(url);
        }
        Self {
            base,
            by_name,
            telephony,
        }
    }

    /// The session's base URL (no trailing `/`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The URL of `key`, if the session offers it.
    pub fn url(&self, key: &ServiceKey) -> Option<String> {
        match key {
            ServiceKey::Telephony => self.telephony.clone(),
            ServiceKey::Logins => self.by_name.get("logins").cloned().or_else(|| {
                self.by_name.get("users").map(|u| match u.rfind("/users") {
                    Some(i) => format!("{}/logins{}", &u[..i], &u[i + "/users".len()..]),
                    None => format!("{u}/logins"),
                })
            }),
            other => self.by_name.get(other.name()).cloned(),
        }
    }

    /// The absolute URL of a request: its service's URL plus its path and
    /// query.
    pub fn request_url(&self, req: &ApiRequest) -> Result<String, ApiError> {
        let root = self.url(&req.service).ok_or_else(|| {
            ApiError::Unavailable(format!("the session offers no {} service", req.service))
        })?;
        Ok(format!("{root}{}", req.path_and_query()))
    }

    /// Whether the session lists a service (lower-cased `serviceName`).
    pub fn has(&self, key: &ServiceKey) -> bool {
        self.url(key).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_list() -> Vec<ServiceInfo> {
        // The list of the O2G reference, §7(c).
        [
            ("Logins", "/logins"),
            ("Users", "/users"),
            ("Subscriptions", "/subscriptions"),
            ("BasicTelephony", "/telephony/basicCall"),
            ("Telephony", "/telephony/calls"),
            ("Routing", "/routing"),
            ("EventSummary", "/eventsummary"),
            ("Directory", "/directory"),
            ("Comlog", "/comlog/records"),
            ("Voicemail", "/messaging/mailboxes"),
            ("Maintenance", "/system"),
        ]
        .into_iter()
        .map(|(n, u)| ServiceInfo::new(n, u))
        .collect()
    }

    #[test]
    fn resolves_the_seed_list() {
        let s = Services::new("https://10.1.1.10/api/rest/1.0/", &seed_list());
        let b = "https://10.1.1.10/api/rest/1.0";
        assert_eq!(s.base(), b);
        let url = |k: ServiceKey| s.url(&k);
        assert_eq!(url(ServiceKey::Telephony), Some(format!("{b}/telephony")));
        assert_eq!(
            url(ServiceKey::Subscriptions),
            Some(format!("{b}/subscriptions"))
        );
        assert_eq!(url(ServiceKey::Logins), Some(format!("{b}/logins")));
        assert_eq!(url(ServiceKey::Comlog), Some(format!("{b}/comlog/records")));
        assert_eq!(
            url(ServiceKey::Messaging),
            Some(format!("{b}/messaging/mailboxes"))
        );
        assert_eq!(url(ServiceKey::Maintenance), Some(format!("{b}/system")));
        assert_eq!(
            url(ServiceKey::EventSummary),
            Some(format!("{b}/eventsummary"))
        );
        assert_eq!(url(ServiceKey::PbxManagement), None);
    }

    #[test]
    fn logins_derive_from_users_when_not_listed() {
        let s = Services::new(
            "http://h/api/rest/1.0",
            &[ServiceInfo::new("Users", "/users")],
        );
        assert_eq!(
            s.url(&ServiceKey::Logins).as_deref(),
            Some("http://h/api/rest/1.0/logins")
        );
        assert_eq!(s.url(&ServiceKey::Telephony), None);
    }

    #[test]
    fn request_url_and_missing_service() {
        let s = Services::new("http://h/r", &seed_list());
        let req = ApiRequest::new(http::Method::POST, ServiceKey::Telephony, "/calls")
            .login(Some("oxe 1001"));
        assert_eq!(
            s.request_url(&req).ok().as_deref(),
            Some("http://h/r/telephony/calls?loginName=oxe%201001")
        );
        let pbx = ApiRequest::new(http::Method::GET, ServiceKey::PbxManagement, "");
        assert!(matches!(s.request_url(&pbx), Err(ApiError::Unavailable(_))));
    }
}
