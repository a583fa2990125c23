//! Request routing, authentication, sessions, users and subscriptions.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue, SET_COOKIE, WWW_AUTHENTICATE};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::types::{
    AccountType, ApiVersion, Discovery, DomainError, ErrorBody, Package, ProductVersion,
    ServerInfo, SessionInfo, SessionRequest, SubscriptionRequest, VersionStatus,
};

use super::server::{Credential, Ids, SessionData, Shared, SimBody, State, Stop, Subscription};
use super::{channel, telephony, util};

/// Request bodies above this size are refused (413).
const MAX_BODY: usize = 1 << 20;

/// The cookie that carries the credential.
pub(crate) const COOKIE: &str = "AlcUserId";

/// A request, read whole (but for the event channel, whose body is
/// ignored).
#[derive(Debug)]
pub(crate) struct Req {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Req {
    /// The first value of a query parameter.
    pub(crate) fn query(&self, key: &str) -> Option<String> {
        util::query_get(self.query.as_deref(), key)
    }

    /// The body as JSON of type `T` (an empty body reads as `{}`).
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, Refusal> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &self.body
        };
        serde_json::from_slice(body)
            .map_err(|e| Box::new(bad_request(&format!("invalid body: {e}"))))
    }
}

/// A refusal: the answer to send instead (boxed: it is large).
pub(crate) type Refusal = Box<Response<SimBody>>;

/// Who is calling: the session behind the cookie.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub(crate) credential: String,
    pub(crate) login: String,
    pub(crate) admin: bool,
}

/// Answers one request.
pub(crate) async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Response<SimBody> {
    shared
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (fail, delay) = {
        let mut f = shared.faults();
        (f.fail_next.take(), f.delay)
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    if let Some(status) = fail {
        return fault_answer(status);
    }
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    if path == "/OTEvents" || path == "/api/rest/1.0/OTEvents" {
        return channel::open(&shared, &parts.method, query.as_deref());
    }
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return error(StatusCode::PAYLOAD_TOO_LARGE, "body too large"),
    };
    let req = Req {
        method: parts.method,
        path,
        query,
        headers: parts.headers,
        body,
    };
    route(&shared, &req)
}

fn route(shared: &Arc<Shared>, req: &Req) -> Response<SimBody> {
    let path = req.path.trim_end_matches('/');
    match path {
        "/api/rest" => {
            if req.method == Method::GET {
                discovery(shared)
            } else {
                method_not_allowed("GET")
            }
        }
        "/api/rest/authenticate" => {
            if req.method == Method::GET {
                authenticate(shared, req)
            } else {
                method_not_allowed("GET")
            }
        }
        _ => match path.strip_prefix("/api/rest/1.0") {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
                authenticated(shared, req, &segs)
            }
            _ => not_found("no such resource"),
        },
    }
}

// -------------------------------------------------------------- bootstrap

fn discovery(shared: &Shared) -> Response<SimBody> {
    let d = Discovery {
        server_info: ServerInfo {
            product_name: "O2G Solution".into(),
            product_type: Some("O2G".into()),
            product_version: Some(ProductVersion {
                major: "2.7".into(),
                minor: "005.000".into(),
            }),
            ha_mode: false,
        },
        versions: vec![ApiVersion {
            id: "1.0".into(),
            status: VersionStatus::Current,
            public_url: Some(format!(
                "{}/api/rest/authenticate?version=1.0",
                shared.public_base
            )),
            internal_url: Some(format!(
                "{}/api/rest/authenticate?version=1.0",
                shared.internal_base
            )),
        }],
        custo_features: Vec::new(),
    };
    json(StatusCode::OK, &d)
}

fn authenticate(shared: &Shared, req: &Req) -> Response<SimBody> {
    if req.query("version").is_some_and(|v| v != "1.0") {
        return not_found("unknown API version");
    }
    let Some((login, password)) = util::basic_auth(&req.headers) else {
        return unauthorized("Basic credentials required");
    };
    if shared.faults().refuse_logins {
        return unauthorized("login refused");
    }
    let cfg = &shared.config;
    let admin = if cfg
        .admins
        .iter()
        .any(|a| a.login == login && *a.password.expose() == password)
    {
        true
    } else if cfg
        .users
        .iter()
        .any(|u| u.login == login && *u.password.expose() == password)
    {
        false
    } else {
        return unauthorized("bad login or password");
    };
    let credential = {
        let mut st = shared.state_swept();
        let n = st.next_credential();
        let credential = util::credential(&login, n);
        st.credentials.insert(
            credential.clone(),
            Credential {
                login,
                admin,
                last_seen: Instant::now(),
                session: None,
            },
        );
        credential
    };
    let body = serde_json::json!({
        "credential": credential,
        "publicUrl": format!("{}/api/rest/1.0/sessions", shared.public_base),
        "internalUrl": format!("{}/api/rest/1.0/sessions", shared.internal_base),
    });
    let mut resp = json(StatusCode::OK, &body);
    if let Ok(v) = HeaderValue::from_str(&format!("{COOKIE}={credential}; Path=/")) {
        resp.headers_mut().insert(SET_COOKIE, v);
    }
    resp
}

// ---------------------------------------------------------- authenticated

fn authenticated(shared: &Arc<Shared>, req: &Req, segs: &[&str]) -> Response<SimBody> {
    let Some(credential) = util::cookie(&req.headers, COOKIE) else {
        return unauthorized("AlcUserId cookie required");
    };
    let mut st = shared.state_swept();
    let caller = match st.credentials.get_mut(&credential) {
        Some(c) => {
            c.last_seen = Instant::now();
            if c.session.is_none() && !(segs == ["sessions"] && req.method == Method::POST) {
                return unauthorized("no session: POST /sessions first");
            }
            Caller {
                credential: credential.clone(),
                login: c.login.clone(),
                admin: c.admin,
            }
        }
        None => return unauthorized("unknown or expired credential"),
    };
    match (segs.first().copied(), &req.method) {
        (Some("sessions"), _) => sessions(shared, &mut st, req, &caller, &segs[1..]),
        (Some("logins"), &Method::GET) if segs.len() == 1 => logins(shared, req, &caller),
        (Some("users"), &Method::GET) => users(shared, req, &caller, &segs[1..]),
        (Some("subscriptions"), _) => subscriptions(shared, &mut st, req, &caller, &segs[1..]),
        (Some("eventsummary"), &Method::GET) if segs.len() == 1 => {
            event_summary(shared, req, &caller)
        }
        (Some("telephony"), _) => telephony::route(shared, &mut st, req, &caller, &segs[1..]),
        (Some("logins" | "users" | "eventsummary"), _) => method_not_allowed("GET"),
        _ => not_found("resource not simulated"),
    }
}

fn session_info(shared: &Shared, st: &State, caller: &Caller) -> Response<SimBody> {
    let Some(cred) = st.credentials.get(&caller.credential) else {
        return unauthorized("unknown credential");
    };
    let Some(session) = &cred.session else {
        return unauthorized("no session");
    };
    let expires = shared.unix_ms(cred.last_seen).saturating_add(
        i64::try_from(shared.config.time_to_live.saturating_mul(1000)).unwrap_or(i64::MAX),
    );
    let info = SessionInfo {
        admin: cred.admin,
        login: Some(cred.login.clone()),
        time_to_live: shared.config.time_to_live,
        public_base_url: Some(format!("{}/api/rest/1.0", shared.public_base)),
        private_base_url: Some(format!("{}/api/rest/1.0", shared.internal_base)),
        services: shared.config.services.clone(),
        creation_date: Some(util::iso_date(session.created_ms)),
        expiration_date: Some(util::iso_date(expires)),
        other_sessions: Some(Vec::new()),
    };
    json(StatusCode::OK, &info)
}

fn sessions(
    shared: &Shared,
    st: &mut State,
    req: &Req,
    caller: &Caller,
    rest: &[&str],
) -> Response<SimBody> {
    match (rest, &req.method) {
        ([], &Method::POST) => {
            let body: SessionRequest = match req.json() {
                Ok(b) => b,
                Err(r) => return *r,
            };
            let now_ms = shared.unix_ms(Instant::now());
            // An administrator may open a session that acts as a user.
            let acting = match &body.supervised_account {
                None => None,
                Some(_) if !caller.admin => {
                    return forbidden("only administrators may supervise an account");
                }
                Some(acc) => {
                    let user = shared.config.users.iter().find(|u| match acc.kind {
                        AccountType::PhoneNumber => u.device == acc.id || u.company_phone == acc.id,
                        _ => u.login == acc.id,
                    });
                    match user {
                        Some(u) => Some(u.login.clone()),
                        None => return not_found("no such supervised account"),
                    }
                }
            };
            if let Some(cred) = st.credentials.get_mut(&caller.credential) {
                if let Some(login) = acting {
                    cred.login = login;
                    cred.admin = false;
                }
                if cred.session.is_none() {
                    cred.session = Some(SessionData {
                        created_ms: now_ms,
                        subscription: None,
                    });
                }
            }
            session_info(shared, st, caller)
        }
        ([], &Method::GET) => session_info(shared, st, caller),
        ([], &Method::DELETE) => {
            st.remove_credential(&caller.credential, Stop::End);
            no_content()
        }
        (["keepalive"], &Method::POST) => no_content(),
        ([] | ["keepalive"], _) => method_not_allowed("GET, POST, DELETE"),
        _ => not_found("no such resource"),
    }
}

// ------------------------------------------------------------------ users

fn visible_users<'a>(shared: &'a Shared, caller: &Caller) -> Vec<&'a super::SimUser> {
    shared
        .config
        .users
        .iter()
        .filter(|u| caller.admin || u.login == caller.login)
        .collect()
}

fn logins(shared: &Shared, req: &Req, caller: &Caller) -> Response<SimBody> {
    let nodes: Option<Vec<String>> = req
        .query("nodeIds")
        .filter(|n| !n.is_empty())
        .map(|n| n.split(';').map(str::to_owned).collect());
    let names: Vec<&str> = visible_users(shared, caller)
        .into_iter()
        .filter(|u| nodes.as_ref().is_none_or(|n| n.contains(&u.node_id)))
        .map(|u| u.login.as_str())
        .collect();
    json(StatusCode::OK, &serde_json::json!({ "loginNames": names }))
}

fn user_body(u: &super::SimUser) -> crate::types::user::User {
    use crate::types::user::{Device, DeviceType, User};
    let mut user = User::new(
        u.login.clone(),
        u.company_phone.clone(),
        u.first_name.clone(),
        u.last_name.clone(),
        u.node_id.clone(),
    );
    user.devices = vec![Device::new(
        DeviceType::from_name(&u.device_type),
        u.device.clone(),
    )];
    user
}

fn users(shared: &Shared, req: &Req, caller: &Caller, rest: &[&str]) -> Response<SimBody> {
    let found = match rest {
        [] => match req.query("companyPhone") {
            Some(phone) => shared
                .config
                .users
                .iter()
                .find(|u| u.company_phone == phone),
            None => return bad_request("companyPhone required"),
        },
        [login] => shared.config.users.iter().find(|u| u.login == *login),
        _ => return not_found("no such resource"),
    };
    match found {
        Some(u) if caller.admin || u.login == caller.login => json(StatusCode::OK, &user_body(u)),
        Some(_) => forbidden("a user session may only read its own user"),
        None => not_found("no such user"),
    }
}

fn event_summary(shared: &Shared, req: &Req, caller: &Caller) -> Response<SimBody> {
    let login = match acting_login(shared, req, caller) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    match shared.config.users.iter().find(|u| u.login == login) {
        Some(u) => json(StatusCode::OK, &super::model::event_summary(u)),
        None => not_found("no such user"),
    }
}

/// The user a per-user operation acts for: `?loginName=` for an
/// administrator — or, without it, the user whose device the body's
/// `deviceId` names (ALE's SDKs send `answer`, `hold` … with the device
/// only) —, the session's user otherwise (403 if it names someone else).
pub(crate) fn acting_login(shared: &Shared, req: &Req, caller: &Caller) -> Result<String, Refusal> {
    let named = req.query("loginName").filter(|l| !l.is_empty());
    let login = if caller.admin {
        match named.or_else(|| device_owner(shared, req)) {
            Some(l) => l,
            None => {
                return Err(Box::new(bad_request(
                    "loginName required for an administrator session (or a deviceId that identifies the user)",
                )));
            }
        }
    } else {
        match named {
            Some(l) if l != caller.login => {
                return Err(Box::new(forbidden(
                    "a user session may only act for itself",
                )));
            }
            _ => caller.login.clone(),
        }
    };
    if shared.config.users.iter().any(|u| u.login == login) {
        Ok(login)
    } else {
        Err(Box::new(not_found("no such user")))
    }
}

/// The login of the user whose device a JSON body's `deviceId` names.
fn device_owner(shared: &Shared, req: &Req) -> Option<String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct DeviceOnly {
        device_id: Option<String>,
    }
    let body: DeviceOnly = serde_json::from_slice(&req.body).ok()?;
    let device = body.device_id.filter(|d| !d.is_empty())?;
    shared
        .config
        .users
        .iter()
        .find(|u| u.device == device)
        .map(|u| u.login.clone())
}

// ---------------------------------------------------------- subscriptions

fn subscriptions(
    shared: &Shared,
    st: &mut State,
    req: &Req,
    caller: &Caller,
    rest: &[&str],
) -> Response<SimBody> {
    match (rest, &req.method) {
        ([], &Method::POST) => subscribe(shared, st, req, caller),
        ([id], &Method::DELETE) => {
            let owned = st
                .subscriptions
                .get(*id)
                .is_some_and(|s| s.credential == caller.credential || caller.admin);
            if owned && st.delete_subscription(id) {
                no_content()
            } else {
                not_found("no such subscription")
            }
        }
        ([], _) => method_not_allowed("POST"),
        ([_], _) => method_not_allowed("DELETE"),
        _ => not_found("no such resource"),
    }
}

fn subscribe(shared: &Shared, st: &mut State, req: &Req, caller: &Caller) -> Response<SimBody> {
    let body: SubscriptionRequest = match req.json() {
        Ok(b) => b,
        Err(r) => return *r,
    };
    if body.web_hook_url.is_some() {
        return refused_subscription("webhook mode is not simulated");
    }
    if let Some(message) = shared.faults().refuse_next_subscription.take() {
        return refused_subscription(&message);
    }
    let mut selectors = Vec::new();
    for sel in &body.filter.selectors {
        let named: Vec<String> = sel
            .ids
            .iter()
            .flatten()
            .filter(|i| !i.is_empty())
            .cloned()
            .collect();
        let ids = if caller.admin {
            if named.is_empty() || named.iter().any(|i| i == "*") {
                Ids::All
            } else {
                Ids::Some(named)
            }
        } else if named.iter().all(|i| *i == caller.login || i == "*") {
            Ids::Some(vec![caller.login.clone()])
        } else {
            return forbidden("a user session may only subscribe to its own events");
        };
        for p in &sel.names {
            selectors.push((p.clone(), ids.clone()));
        }
    }
    // One subscription per session: a new one replaces the old.
    let old = st
        .credentials
        .get(&caller.credential)
        .and_then(|c| c.session.as_ref())
        .and_then(|s| s.subscription.clone());
    if let Some(old) = old {
        st.remove_subscription(&old, Stop::End);
    }
    let n = st.next_subscription();
    let id = util::subscription_id(&caller.login, n);
    let mut sub = Subscription {
        credential: caller.credential.clone(),
        selectors,
        timeout: body.timeout.unwrap_or(0),
        queue: Default::default(),
        dropped: 0,
        channel: None,
    };
    initial_events(shared, st, caller, &mut sub);
    st.subscriptions.insert(id.clone(), sub);
    if let Some(s) = st
        .credentials
        .get_mut(&caller.credential)
        .and_then(|c| c.session.as_mut())
    {
        s.subscription = Some(id.clone());
    }
    let body = serde_json::json!({
        "subscriptionId": id,
        "publicPollingUrl": format!("{}/OTEvents?subscriptionId={id}", shared.public_base),
        "privatePollingUrl": format!("{}/OTEvents?subscriptionId={id}", shared.internal_base),
        "status": "ACCEPTED",
        "mode": "CHUNK",
        "format": "JSON",
    });
    json(StatusCode::OK, &body)
}

/// Queues the initial state (O2G reference, §7(c) lines 2–4) for a new
/// subscription, as the settings ask: it comes right after `Chunk started`
/// on its first channel.
fn initial_events(shared: &Shared, st: &State, caller: &Caller, sub: &mut Subscription) {
    use super::config::InitialState;
    let cfg = &shared.config;
    let push_state = match cfg.initial_state {
        InitialState::Never => false,
        InitialState::UserSessions => !caller.admin,
        InitialState::Always => true,
    };
    let logins: Vec<String> = cfg.users.iter().map(|u| u.login.clone()).collect();
    let telephony = sub.selected(&Package::Telephony, &logins);
    let summary = sub.selected(&Package::EventSummary, &logins);
    let mut lines = Vec::new();
    for login in &logins {
        if push_state && telephony.contains(&login.as_str()) {
            lines.extend(st.model.initial_state(login));
        }
        if cfg.initial_event_summary
            && summary.contains(&login.as_str())
            && let Some(u) = cfg.users.iter().find(|u| &u.login == login)
        {
            lines.push(super::model::event_summary_event(u));
        }
    }
    for ev in lines {
        if let Some(line) = super::model::line(&ev) {
            sub.queue.push_back(line);
        }
    }
}

fn refused_subscription(message: &str) -> Response<SimBody> {
    json(
        StatusCode::OK,
        &serde_json::json!({ "status": "REFUSED", "message": message }),
    )
}

// -------------------------------------------------------------- responses

/// A JSON answer.
pub(crate) fn json<T: Serialize>(status: StatusCode, body: &T) -> Response<SimBody> {
    match serde_json::to_vec(body) {
        Ok(v) => {
            let mut r = Response::new(SimBody::full(v));
            *r.status_mut() = status;
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r
        }
        Err(_) => {
            let mut r = Response::new(SimBody::empty());
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        }
    }
}

/// 204 without a body.
pub(crate) fn no_content() -> Response<SimBody> {
    let mut r = Response::new(SimBody::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    r
}

/// The `httpStatus` text of a status (`BAD_REQUEST`).
fn status_text(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("ERROR")
        .to_ascii_uppercase()
        .replace([' ', '-'], "_")
}

/// An [`ErrorBody`] answer.
pub(crate) fn error_body(status: StatusCode, mut body: ErrorBody) -> Response<SimBody> {
    body.http_status = Some(status_text(status));
    body.code = Some(status.as_u16());
    json(status, &body)
}

/// An error answer with a help message.
pub(crate) fn error(status: StatusCode, message: &str) -> Response<SimBody> {
    error_body(
        status,
        ErrorBody {
            help_message: Some(message.to_owned()),
            ..ErrorBody::default()
        },
    )
}

/// A telephony error answer (`telephony.errorType`/`errorCause`).
pub(crate) fn telephony_error(
    status: StatusCode,
    error_type: &str,
    cause: &str,
    message: &str,
) -> Response<SimBody> {
    error_body(
        status,
        ErrorBody {
            help_message: Some(message.to_owned()),
            kind: Some("TELEPHONY".to_owned()),
            telephony: Some(DomainError {
                error_type: Some(error_type.to_owned()),
                error_cause: Some(cause.to_owned()),
                message: Some(message.to_owned()),
            }),
            ..ErrorBody::default()
        },
    )
}

/// 400.
pub(crate) fn bad_request(message: &str) -> Response<SimBody> {
    error(StatusCode::BAD_REQUEST, message)
}

/// 401 with `WWW-Authenticate: Basic`.
pub(crate) fn unauthorized(message: &str) -> Response<SimBody> {
    let mut r = error(StatusCode::UNAUTHORIZED, message);
    r.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"O2G\""),
    );
    r
}

/// 403.
pub(crate) fn forbidden(message: &str) -> Response<SimBody> {
    error(StatusCode::FORBIDDEN, message)
}

/// 404.
pub(crate) fn not_found(message: &str) -> Response<SimBody> {
    error(StatusCode::NOT_FOUND, message)
}

/// 405 with `Allow`.
pub(crate) fn method_not_allowed(allow: &'static str) -> Response<SimBody> {
    let mut r = error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    r.headers_mut()
        .insert(http::header::ALLOW, HeaderValue::from_static(allow));
    r
}

/// The answer of the `fail_next_request` knob.
fn fault_answer(status: StatusCode) -> Response<SimBody> {
    if status == StatusCode::UNAUTHORIZED {
        unauthorized("fault injected by the simulator")
    } else if status == StatusCode::SERVICE_UNAVAILABLE {
        let mut body = ErrorBody {
            help_message: Some("fault injected by the simulator".to_owned()),
            can_retry: true,
            ..ErrorBody::default()
        };
        body.telephony = None;
        error_body(status, body)
    } else {
        error(status, "fault injected by the simulator")
    }
}
