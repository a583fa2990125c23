//! The O2G simulator over real HTTP: bootstrap, sessions, subscriptions,
//! the event channel, the §7 sequences of the O2G reference and every fault
//! knob. The expected §7 lines are `tests/data/spec7{a,b,c}.ndjson`, copied
//! verbatim from the O2G reference, §7 (shared with the event known-answer
//! tests).
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, tasks and timeouts drive the code under test
#![cfg(feature = "sim")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use o2g_api::sim::{self, EventSummaryCounters, SimConfig, SimHandle, TransferMode};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::timeout;

const STEP: Duration = Duration::from_secs(5);

// ----------------------------------------------------------------- client

/// One request on a fresh connection; the body is left unread.
async fn send_raw(
    addr: SocketAddr,
    method: Method,
    path_and_query: &str,
    headers: &[(&str, String)],
    body: Option<Value>,
) -> (StatusCode, HeaderMap, Incoming) {
    let stream = timeout(STEP, TcpStream::connect(addr))
        .await
        .expect("connect timed out")
        .expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut b = Request::builder()
        .method(method)
        .uri(path_and_query)
        .header("host", addr.to_string());
    for (k, v) in headers {
        b = b.header(*k, v.as_str());
    }
    let bytes = match &body {
        Some(v) => {
            b = b.header("content-type", "application/json");
            Bytes::from(serde_json::to_vec(v).unwrap())
        }
        None => Bytes::new(),
    };
    let req = b.body(Full::new(bytes)).unwrap();
    let resp = timeout(STEP, sender.send_request(req))
        .await
        .expect("request timed out")
        .expect("request");
    let (parts, body) = resp.into_parts();
    (parts.status, parts.headers, body)
}

/// One request, body read whole and parsed as JSON (`Null` if empty).
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, String)],
    body: Option<Value>,
) -> (StatusCode, HeaderMap, Value) {
    let (status, h, b) = send_raw(addr, method, path, headers, body).await;
    let bytes = timeout(STEP, b.collect())
        .await
        .expect("body timed out")
        .expect("body")
        .to_bytes();
    let v = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON body")
    };
    (status, h, v)
}

/// The path and query of a URL the simulator handed out.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/')
        .map_or("/".to_owned(), |i| rest[i..].to_owned())
}

fn basic(login: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
    )
}

/// A logged-in session.
struct Session {
    addr: SocketAddr,
    cookie: String,
    info: Value,
}

impl Session {
    async fn open(sim: &SimHandle, login: &str, password: &str) -> Self {
        let addr = sim.addr();
        let (status, h, auth) = send(
            addr,
            Method::GET,
            "/api/rest/authenticate?version=1.0",
            &[("authorization", basic(login, password))],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{auth}");
        let set_cookie = h.get("set-cookie").unwrap().to_str().unwrap();
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        assert_eq!(
            cookie,
            format!("AlcUserId={}", auth["credential"].as_str().unwrap())
        );
        let mut s = Self {
            addr,
            cookie,
            info: Value::Null,
        };
        let (status, _, info) = s
            .req(
                Method::POST,
                &path_of(auth["internalUrl"].as_str().unwrap()),
                Some(json!({"applicationName": "SimTest"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{info}");
        s.info = info;
        s
    }

    async fn req(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, HeaderMap, Value) {
        send(
            self.addr,
            method,
            path,
            &[("cookie", self.cookie.clone())],
            body,
        )
        .await
    }

    /// `path` relative to `/api/rest/1.0`.
    async fn api(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let (s, _, v) = self
            .req(method, &format!("/api/rest/1.0{path}"), body)
            .await;
        (s, v)
    }

    async fn subscribe(&self, selectors: Value, timeout_min: u32) -> String {
        let (status, v) = self
            .api(
                Method::POST,
                "/subscriptions",
                Some(json!({"filter": {"selectors": selectors}, "version": "1.0", "timeout": timeout_min})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "ACCEPTED", "{v}");
        assert_eq!(v["mode"], "CHUNK");
        assert_eq!(v["format"], "JSON");
        let id = v["subscriptionId"].as_str().unwrap();
        assert!(!id.contains('&') && !id.contains('='));
        v["privatePollingUrl"].as_str().unwrap().to_owned()
    }
}

/// An open event channel.
struct Channel {
    body: Incoming,
    buf: Vec<u8>,
    frames: Vec<usize>,
}

#[derive(Debug, PartialEq)]
enum End {
    Clean,
    Error,
}

impl Channel {
    async fn open(addr: SocketAddr, polling_url: &str) -> Self {
        let (status, _, body) = send_raw(
            addr,
            Method::POST,
            &path_of(polling_url),
            &[("accept", "*/*".into())],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        Self {
            body,
            buf: Vec::new(),
            frames: Vec::new(),
        }
    }

    /// The next line, or how the channel ended.
    async fn next(&mut self) -> Result<Value, End> {
        loop {
            if let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=i).collect();
                return Ok(serde_json::from_slice(&line[..i]).expect("JSON line"));
            }
            match timeout(STEP, self.body.frame())
                .await
                .expect("channel read timed out")
            {
                None => return Err(End::Clean),
                Some(Err(_)) => return Err(End::Error),
                Some(Ok(f)) => {
                    if let Ok(d) = f.into_data() {
                        self.frames.push(d.len());
                        self.buf.extend_from_slice(&d);
                    }
                }
            }
        }
    }

    async fn line(&mut self) -> Value {
        self.next().await.expect("channel ended")
    }

    async fn lines(&mut self, n: usize) -> Vec<Value> {
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(self.line().await);
        }
        v
    }

    async fn end(&mut self) -> End {
        for _ in 0..1000 {
            if let Err(e) = self.next().await {
                return e;
            }
        }
        panic!("channel did not end");
    }

    /// Nothing arrives within `d`.
    async fn quiet(&mut self, d: Duration) {
        if let Ok(r) = timeout(d, self.body.frame()).await {
            panic!(
                "unexpected channel data: {:?}",
                r.map(|f| f.map(|f| f.into_data().ok()))
            );
        }
    }
}

fn spec_lines(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/{name}.ndjson", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn chunk_started() -> Value {
    json!({"eventName":"OnChannelInformation","text":"Chunk started"})
}

const ALL3: &str = r#"[{"ids":["oxe1001","oxe1002","oxe1003"],"names":["telephony"]}]"#;

/// An admin session subscribed to the three users' telephony, with its
/// channel open and `Chunk started` read.
async fn admin_channel(sim: &SimHandle) -> (Session, Channel) {
    let admin = Session::open(sim, "admin", "admin").await;
    let url = admin
        .subscribe(serde_json::from_str(ALL3).unwrap(), 10)
        .await;
    let mut ch = Channel::open(sim.addr(), &url).await;
    assert_eq!(ch.line().await, chunk_started());
    (admin, ch)
}

async fn make_call(s: &Session, from: &str, to: &str) {
    let (st, v) = s
        .api(
            Method::POST,
            &format!("/telephony/calls?loginName=oxe{from}"),
            Some(json!({"deviceId": from, "callee": to, "autoAnswer": true})),
        )
        .await;
    assert!(st.is_success(), "{st} {v}");
}

async fn answer(s: &Session, who: &str, call_ref: &str) {
    let (st, v) = s
        .api(
            Method::POST,
            &format!("/telephony/calls/{call_ref}/answer?loginName=oxe{who}"),
            Some(json!({"deviceId": who})),
        )
        .await;
    assert!(st.is_success(), "{st} {v}");
}

async fn release(s: &Session, who: &str, call_ref: &str) {
    let (st, v) = s
        .api(
            Method::DELETE,
            &format!("/telephony/calls/{call_ref}?loginName=oxe{who}"),
            None,
        )
        .await;
    assert!(st.is_success(), "{st} {v}");
}

const REF1: &str = "7c41a0e200010100";
const REF2: &str = "7c41a0e200020100";
const REF3: &str = "7c41a0e200030100";

/// 1001 calls 1002 (answered, call `REF1`), puts it on hold and calls
/// 1003, who answers: the events are read; returns the enquiry call's
/// reference and 1003's.
async fn enquiry_call(admin: &Session, ch: &mut Channel) -> (String, String) {
    make_call(admin, "1001", "1002").await;
    answer(admin, "1002", REF2).await;
    ch.lines(7).await;
    admin
        .api(
            Method::POST,
            &format!("/telephony/calls/{REF1}/hold?loginName=oxe1001"),
            Some(json!({"deviceId":"1001"})),
        )
        .await;
    ch.lines(2).await;
    make_call(admin, "1001", "1003").await;
    let enquiry = ch.lines(3).await;
    let eq_ref = enquiry[0]["callRef"].as_str().unwrap().to_owned();
    let c_ref = enquiry[2]["callRef"].as_str().unwrap().to_owned();
    answer(admin, "1003", &c_ref).await;
    ch.lines(3).await;
    (eq_ref, c_ref)
}

fn names(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["eventName"].as_str().unwrap_or(""),
                e["loginName"].as_str().unwrap_or(""),
                e["state"]
                    .as_str()
                    .or(e["callData"]["state"].as_str())
                    .or(e["cause"].as_str())
                    .unwrap_or("")
            )
        })
        .collect()
}

// -------------------------------------------------------------- bootstrap

#[tokio::test]
async fn discovery_points_back_at_the_simulator_and_only_allows_get() {
    let sim = sim::start(SimConfig::default().public_host("localhost"))
        .await
        .unwrap();
    let (st, _, v) = send(sim.addr(), Method::GET, "/api/rest", &[], None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["serverInfo"]["productName"], "O2G Solution");
    assert_eq!(v["versions"][0]["id"], "1.0");
    assert_eq!(v["versions"][0]["status"], "CURRENT");
    assert_eq!(
        v["versions"][0]["internalUrl"],
        format!("{}/api/rest/authenticate?version=1.0", sim.base_url())
    );
    let port = sim.addr().port();
    assert_eq!(
        v["versions"][0]["publicUrl"],
        format!("http://localhost:{port}/api/rest/authenticate?version=1.0")
    );
    let (st, h, _) = send(sim.addr(), Method::POST, "/api/rest", &[], None).await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    assert!(h.get("allow").is_some());
}

#[tokio::test]
async fn authenticate_gives_a_credential_and_cookie_or_401() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let auth = "/api/rest/authenticate?version=1.0";
    let (st, h, v) = send(
        sim.addr(),
        Method::GET,
        auth,
        &[("authorization", basic("oxe1001", "1234"))],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let cred = v["credential"].as_str().unwrap();
    assert_eq!(
        h.get("set-cookie").unwrap().to_str().unwrap(),
        format!("AlcUserId={cred}; Path=/")
    );
    assert_eq!(
        v["internalUrl"],
        format!("{}/api/rest/1.0/sessions", sim.base_url())
    );
    assert!(v["publicUrl"].is_string());
    for headers in [
        vec![("authorization", basic("oxe1001", "wrong"))],
        vec![("authorization", basic("nobody", "1234"))],
        vec![],
    ] {
        let (st, h, _) = send(sim.addr(), Method::GET, auth, &headers, None).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        assert!(
            h.get("www-authenticate")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
    }
}

#[tokio::test]
async fn the_api_needs_the_cookie_of_a_live_credential() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (st, _, _) = send(sim.addr(), Method::GET, "/api/rest/1.0/sessions", &[], None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _, _) = send(
        sim.addr(),
        Method::GET,
        "/api/rest/1.0/logins",
        &[("cookie", "AlcUserId=forged".into())],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let s = Session::open(&sim, "oxe1001", "1234").await;
    let (st, _) = s.api(Method::GET, "/logins", None).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn session_info_keepalive_and_delete() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let s = Session::open(&sim, "oxe1001", "1234").await;
    let i = &s.info;
    assert_eq!(i["admin"], false);
    assert_eq!(i["login"], "oxe1001");
    assert_eq!(i["timeToLive"], 1800);
    assert_eq!(
        i["privateBaseUrl"],
        format!("{}/api/rest/1.0", sim.base_url())
    );
    assert_eq!(i["otherSessions"], json!([]));
    assert!(i["creationDate"].as_str().unwrap().ends_with('Z'));
    let services: Vec<&str> = i["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["relativeUrl"].as_str().unwrap())
        .collect();
    for want in [
        "/subscriptions",
        "/users",
        "/logins",
        "/telephony/calls",
        "/pbxs",
    ] {
        assert!(services.contains(&want), "{want} missing");
    }
    let (st, v) = s.api(Method::GET, "/sessions", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["login"], "oxe1001");
    let (st, _) = s.api(Method::POST, "/sessions/keepalive", None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s.api(Method::DELETE, "/sessions", None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s.api(Method::GET, "/sessions", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_expires_ttl_after_the_last_request_and_its_channel_fails() {
    let sim = sim::start(SimConfig::default().time_to_live(1))
        .await
        .unwrap();
    let s = Session::open(&sim, "oxe1001", "1234").await;
    let url = s
        .subscribe(json!([{"ids": ["oxe1001"], "names": ["telephony"]}]), 0)
        .await;
    let mut ch = Channel::open(sim.addr(), &url).await;
    assert_eq!(ch.line().await, chunk_started());
    // Keep-alives every 0.5 s keep it alive past its TTL.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (st, _) = s.api(Method::POST, "/sessions/keepalive", None).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
    }
    // Then silence: the session goes, the channel is cut.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (st, _) = s.api(Method::GET, "/sessions", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(ch.end().await, End::Error);
    let (st, _, _) = send_raw(sim.addr(), Method::POST, &path_of(&url), &[], None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

// ----------------------------------------------------------------- users

#[tokio::test]
async fn logins_and_users_admin_sees_all_a_user_only_itself() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let admin = Session::open(&sim, "admin", "admin").await;
    assert_eq!(admin.info["admin"], true);
    let (_, v) = admin.api(Method::GET, "/logins", None).await;
    assert_eq!(v, json!({"loginNames": ["oxe1001", "oxe1002", "oxe1003"]}));
    let (st, v) = admin.api(Method::GET, "/users/oxe1003", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["firstName"], "Chloé");
    assert_eq!(v["companyPhone"], "1003");
    assert_eq!(v["nodeId"], "1");
    assert_eq!(v["devices"][0]["id"], "1003");
    let (_, v) = admin
        .api(Method::GET, "/users?companyPhone=1002", None)
        .await;
    assert_eq!(v["loginName"], "oxe1002");
    let (st, _) = admin.api(Method::GET, "/users/nobody", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let user = Session::open(&sim, "oxe1002", "1234").await;
    let (_, v) = user.api(Method::GET, "/logins", None).await;
    assert_eq!(v, json!({"loginNames": ["oxe1002"]}));
    let (st, v) = user.api(Method::GET, "/users/oxe1002", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["lastName"], "Petit");
    let (st, _) = user.api(Method::GET, "/users/oxe1001", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

// ------------------------------------------------------ subscriptions

#[tokio::test]
async fn user_bootstrap_matches_spec_7c() {
    let mut users = SimConfig::default().users;
    users[0] = users[0]
        .clone()
        .event_summary(EventSummaryCounters::new(2, 1));
    let sim = sim::start(SimConfig::default().users(users)).await.unwrap();
    let s = Session::open(&sim, "oxe1001", "1234").await;
    let url = s
        .subscribe(
            json!([{"ids":["oxe1001"],"names":["telephony"]},{"ids":["oxe1001"],"names":["eventSummary"]}]),
            10,
        )
        .await;
    assert!(url.contains("/OTEvents?subscriptionId="));
    let mut ch = Channel::open(sim.addr(), &url).await;
    assert_eq!(ch.lines(4).await, spec_lines("spec7c"));
    // The same data by request.
    let (_, v) = s.api(Method::GET, "/eventsummary", None).await;
    assert_eq!(v["missedCallsNb"], 2);
    assert_eq!(v["eventWaiting"], true);
}

#[tokio::test]
async fn a_user_may_not_subscribe_to_others_and_a_refusal_is_reported() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let s = Session::open(&sim, "oxe1001", "1234").await;
    let (st, _) = s
        .api(
            Method::POST,
            "/subscriptions",
            Some(json!({"filter":{"selectors":[{"ids":["oxe1002"],"names":["telephony"]}]},"version":"1.0","timeout":10})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    sim.refuse_next_subscription("too many subscriptions");
    let body =
        json!({"filter":{"selectors":[{"names":["telephony"]}]},"version":"1.0","timeout":10});
    let (st, v) = s
        .api(Method::POST, "/subscriptions", Some(body.clone()))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["status"], "REFUSED");
    assert_eq!(v["message"], "too many subscriptions");
    assert!(v.get("subscriptionId").is_none());
    // Only once.
    let (_, v) = s.api(Method::POST, "/subscriptions", Some(body)).await;
    assert_eq!(v["status"], "ACCEPTED");
}

#[tokio::test]
async fn deleting_the_subscription_ends_the_channel_cleanly() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let s = Session::open(&sim, "oxe1001", "1234").await;
    let url = s.subscribe(json!([{"names":["telephony"]}]), 10).await;
    let id = url.rsplit('=').next().unwrap().to_owned();
    let mut ch = Channel::open(sim.addr(), &url).await;
    // A user session gets its initial state by default.
    assert_eq!(ch.line().await, chunk_started());
    assert_eq!(ch.line().await["eventName"], "OnDeviceStateModified");
    assert_eq!(ch.line().await["eventName"], "OnUserStateModified");
    let (st, _) = s
        .api(Method::DELETE, &format!("/subscriptions/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(ch.end().await, End::Clean);
    let (st, _, _) = send_raw(sim.addr(), Method::GET, &path_of(&url), &[], None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .api(Method::DELETE, &format!("/subscriptions/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn events_produced_without_a_channel_come_on_the_next_poll() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let admin = Session::open(&sim, "admin", "admin").await;
    let url = admin
        .subscribe(serde_json::from_str(ALL3).unwrap(), 10)
        .await;
    // No channel yet: the call's first five lines wait.
    make_call(&admin, "1001", "1002").await;
    let mut ch = Channel::open(sim.addr(), &url).await;
    let mut got = ch.lines(5).await;
    // The channel ends cleanly; events in between are kept.
    sim.end_channels();
    assert_eq!(ch.end().await, End::Clean);
    answer(&admin, "1002", REF2).await;
    let mut ch = Channel::open(sim.addr(), &url).await;
    assert_eq!(ch.line().await, chunk_started());
    got.extend(ch.lines(3).await);
    // And once more after an abort.
    sim.abort_channels();
    assert_eq!(ch.end().await, End::Error);
    release(&admin, "1001", REF1).await;
    let mut ch = Channel::open(sim.addr(), &url).await;
    assert_eq!(ch.line().await, chunk_started());
    got.extend(ch.lines(5).await);
    assert_eq!(got, spec_lines("spec7a"));
    assert_eq!(sim.stats().dropped_events, 0);
}

#[tokio::test]
async fn timeout_zero_channels_get_keepalives_and_others_end_when_idle() {
    let cfg = SimConfig::default()
        .channel_keepalive(Duration::from_millis(100))
        .channel_minute(Duration::from_millis(300));
    let sim = sim::start(cfg).await.unwrap();
    let admin = Session::open(&sim, "admin", "admin").await;
    let url = admin.subscribe(json!([{"names":["telephony"]}]), 0).await;
    let mut ch = Channel::open(sim.addr(), &url).await;
    assert_eq!(ch.line().await, chunk_started());
    for _ in 0..3 {
        assert_eq!(
            ch.line().await,
            json!({"eventName":"OnChannelInformation","text":"keepalive"})
        );
    }
    // timeout 1 "minute" = 300 ms here: the channel ends cleanly.
    let url = admin.subscribe(json!([{"names":["telephony"]}]), 1).await;
    let mut ch2 = Channel::open(sim.addr(), &url).await;
    assert_eq!(ch2.line().await, chunk_started());
    let t = tokio::time::Instant::now();
    assert_eq!(ch2.end().await, End::Clean);
    assert!(t.elapsed() >= Duration::from_millis(250));
    // The first subscription was replaced, so its channel ended too.
    assert_eq!(ch.end().await, End::Clean);
}

// ------------------------------------------------------------- sequences

#[tokio::test]
async fn basic_call_gives_exactly_spec_7a() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    make_call(&admin, "1001", "1002").await;
    let mut got = vec![chunk_started()];
    got.extend(ch.lines(4).await);
    answer(&admin, "1002", REF2).await;
    got.extend(ch.lines(3).await);
    release(&admin, "1001", REF1).await;
    got.extend(ch.lines(5).await);
    let want = spec_lines("spec7a");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "line {}", i + 1);
    }
    assert_eq!(got.len(), want.len());
    ch.quiet(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn blind_transfer_gives_exactly_spec_7b() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    make_call(&admin, "1001", "1002").await;
    answer(&admin, "1002", REF2).await;
    ch.lines(7).await;
    let (st, v) = admin
        .api(
            Method::POST,
            &format!("/telephony/calls/{REF1}/blindtransfer?loginName=oxe1001"),
            Some(json!({"transferTo": "1003", "anonymous": false})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let mut got = ch.lines(4).await;
    answer(&admin, "1003", REF3).await;
    got.extend(ch.lines(3).await);
    let want = spec_lines("spec7b");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "line {}", i + 1);
    }
    assert_eq!(got.len(), want.len());

    // Then 1003 hangs up: the release pattern of §7(a) lines 9–13, mirrored.
    release(&admin, "1003", REF3).await;
    let got = ch.lines(5).await;
    assert_eq!(
        names(&got),
        [
            "OnCallRemoved oxe1003 ",
            "OnUserStateModified oxe1003 FREE",
            "OnCallModified oxe1002 RELEASING",
            "OnCallRemoved oxe1002 ",
            "OnUserStateModified oxe1002 FREE",
        ]
    );
    assert_eq!(got[0]["callRef"], REF3);
    assert_eq!(got[0]["deviceCapabilities"][0]["makeCall"], true);
    assert_eq!(got[2]["removedParticipantIds"], json!(["1003"]));
    assert_eq!(got[3]["deviceCapabilities"], json!([]));
}

#[tokio::test]
async fn blind_transfer_with_a_new_call_reference() {
    let sim = sim::start(SimConfig::default().transfer_mode(TransferMode::NewCallRef))
        .await
        .unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    make_call(&admin, "1001", "1002").await;
    answer(&admin, "1002", REF2).await;
    ch.lines(7).await;
    admin
        .api(
            Method::POST,
            &format!("/telephony/calls/{REF1}/blindtransfer?loginName=oxe1001"),
            Some(json!({"transferTo": "1003", "anonymous": false})),
        )
        .await;
    let got = ch.lines(4).await;
    let mut want = spec_lines("spec7b");
    // 1002's call gets the next reference, and 1003's the one after.
    want[2]["callRef"] = json!(REF3);
    want[2]["previousCallRef"] = json!(REF2);
    want[3]["callRef"] = json!("7c41a0e200040100");
    assert_eq!(got, want[..4]);
    let (st, _) = admin
        .api(
            Method::GET,
            &format!("/telephony/calls/{REF2}?loginName=oxe1002"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn release_by_the_callee_mirrors_spec_7a() {
    let sim = sim::start(SimConfig::default().release_cause(true))
        .await
        .unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    make_call(&admin, "1001", "1002").await;
    answer(&admin, "1002", REF2).await;
    ch.lines(7).await;
    release(&admin, "1002", REF2).await;
    let got = ch.lines(5).await;
    assert_eq!(
        names(&got),
        [
            "OnCallRemoved oxe1002 CLEARED",
            "OnUserStateModified oxe1002 FREE",
            "OnCallModified oxe1001 RELEASING",
            "OnCallRemoved oxe1001 CLEARED",
            "OnUserStateModified oxe1001 FREE",
        ]
    );
    assert_eq!(
        got[2]["callData"]["initialCalled"]["id"]["loginName"],
        "oxe1002"
    );
}

#[tokio::test]
async fn releasing_a_ringing_call_abandons_it() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    make_call(&admin, "1001", "1002").await;
    ch.lines(4).await;
    release(&admin, "1001", REF1).await;
    let got = ch.lines(3).await;
    assert_eq!(
        names(&got),
        [
            "OnCallRemoved oxe1001 ",
            "OnUserStateModified oxe1001 FREE",
            "OnCallRemoved oxe1002 ABANDONED",
        ]
    );
    // The callee rejecting instead: the caller gets BUSY.
    make_call(&admin, "1001", "1002").await;
    ch.lines(4).await;
    release(&admin, "1002", "7c41a0e200040100").await;
    let got = ch.lines(4).await;
    assert_eq!(
        names(&got),
        [
            "OnCallRemoved oxe1002 ",
            "OnCallModified oxe1001 RELEASING",
            "OnCallRemoved oxe1001 BUSY",
            "OnUserStateModified oxe1001 FREE",
        ]
    );
    ch.quiet(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn hold_and_retrieve() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    make_call(&admin, "1001", "1002").await;
    answer(&admin, "1002", REF2).await;
    ch.lines(7).await;
    let hold = format!("/telephony/calls/{REF1}/hold?loginName=oxe1001");
    let (st, _) = admin
        .api(Method::POST, &hold, Some(json!({"deviceId":"1001"})))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let got = ch.lines(2).await;
    assert_eq!(got[0]["modifiedLegs"][0]["state"], "HELD");
    assert_eq!(
        got[0]["modifiedLegs"][0]["capabilities"],
        json!({"drop":true,"retrieve":true})
    );
    assert_eq!(got[0]["callData"]["state"], "HELD");
    assert_eq!(got[1]["loginName"], "oxe1002");
    assert_eq!(got[1]["modifiedParticipants"][0]["participantId"], "1001");
    assert_eq!(got[1]["modifiedParticipants"][0]["state"], "HELD");
    // Holding twice is a state error.
    let (st, v) = admin
        .api(Method::POST, &hold, Some(json!({"deviceId":"1001"})))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(v["telephony"]["errorType"], "INCOMPATIBLE_WITH_STATE");
    let (st, _) = admin
        .api(
            Method::POST,
            &format!("/telephony/calls/{REF1}/retrieve?loginName=oxe1001"),
            Some(json!({"deviceId":"1001"})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let got = ch.lines(2).await;
    assert_eq!(got[0]["modifiedLegs"][0]["state"], "ACTIVE");
    assert_eq!(got[1]["modifiedParticipants"][0]["state"], "ACTIVE");
    // The state by request and by snapshot.
    let (_, v) = admin
        .api(Method::GET, "/telephony/calls?loginName=oxe1001", None)
        .await;
    assert_eq!(v["calls"][0]["callRef"], REF1);
    assert_eq!(v["calls"][0]["legs"][0]["state"], "ACTIVE");
    let (st, _) = admin
        .api(
            Method::POST,
            "/telephony/state/snapshot?loginName=oxe1002",
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let snap = ch.line().await;
    assert_eq!(snap["eventName"], "OnTelephonyState");
    assert_eq!(snap["state"]["userState"], "BUSY");
    assert_eq!(snap["state"]["calls"][0]["callRef"], REF2);
    assert_eq!(
        snap["state"]["deviceStates"]["deviceStates"][0]["state"],
        "IN_SERVICE"
    );
    let (_, v) = admin
        .api(Method::GET, "/telephony/devices?loginName=oxe1002", None)
        .await;
    assert_eq!(
        v,
        json!({"deviceStates":[{"deviceId":"1002","state":"IN_SERVICE"}]})
    );
}

#[tokio::test]
async fn supervised_transfer_connects_the_two_others() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    let (eq_ref, _) = enquiry_call(&admin, &mut ch).await;
    let (st, v) = admin
        .api(
            Method::POST,
            &format!("/telephony/calls/{eq_ref}/transfer?loginName=oxe1001"),
            Some(json!({"heldCallRef": REF1})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let got = ch.lines(5).await;
    assert_eq!(
        names(&got),
        [
            "OnCallRemoved oxe1001 TRANSFERRED",
            "OnCallRemoved oxe1001 TRANSFERRED",
            "OnUserStateModified oxe1001 FREE",
            "OnCallModified oxe1002 ACTIVE",
            "OnCallModified oxe1003 ACTIVE",
        ]
    );
    assert_eq!(got[3]["addedParticipants"][0]["participantId"], "1003");
    assert_eq!(got[3]["removedParticipantIds"], json!(["1001"]));
    assert_eq!(got[4]["addedParticipants"][0]["participantId"], "1002");
    assert_eq!(
        got[3]["callData"]["callUUID"],
        got[4]["callData"]["callUUID"]
    );
}

#[tokio::test]
async fn telephony_errors_and_permissions() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let admin = Session::open(&sim, "admin", "admin").await;
    let (st, v) = admin
        .api(
            Method::DELETE,
            "/telephony/calls/0000000000000000?loginName=oxe1001",
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        v["telephony"],
        json!({"errorType":"CALL_REFERENCE_NOT_FOUND","errorCause":"INVALID_CALL_ID","message":"unknown call reference"})
    );
    let (st, _) = admin.api(Method::GET, "/telephony/calls", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, v) = admin
        .api(
            Method::POST,
            "/telephony/calls?loginName=oxe1001",
            Some(json!({"deviceId":"1001","callee":"9999","autoAnswer":true})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(v["telephony"]["errorCause"], "INVALID_DESTINATION");
    let user = Session::open(&sim, "oxe1001", "1234").await;
    let (st, _) = user
        .api(Method::GET, "/telephony/calls?loginName=oxe1002", None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // A user session acts as itself, with or without loginName.
    let (st, _) = user
        .api(
            Method::POST,
            "/telephony/basicCall",
            Some(json!({"deviceId":"1001","callee":"1002","autoAnswer":true})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, v) = user
        .api(Method::GET, "/telephony/calls?loginName=oxe1001", None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["calls"][0]["callData"]["state"], "RINGING_OUTGOING");
    let (st, v) = user
        .api(
            Method::POST,
            &format!("/telephony/calls/{REF1}/answer"),
            Some(json!({"deviceId":"1001"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
}

// ------------------------------------------------------------ fault knobs

#[tokio::test]
async fn write_chunk_splits_channel_lines() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    sim.set_write_chunk(Some(7));
    let (admin, mut ch) = admin_channel(&sim).await;
    make_call(&admin, "1001", "1002").await;
    let got = ch.lines(4).await;
    assert_eq!(got, spec_lines("spec7a")[1..5]);
    assert!(ch.frames.len() > 50);
    assert!(ch.frames.iter().all(|n| *n <= 7), "{:?}", ch.frames);
}

#[tokio::test]
async fn delay_slows_answers_and_events() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    sim.set_delay(Some(Duration::from_millis(150)));
    let t = tokio::time::Instant::now();
    let (st, _, _) = send(sim.addr(), Method::GET, "/api/rest", &[], None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(150));
    let t = tokio::time::Instant::now();
    make_call(&admin, "1001", "1002").await;
    ch.lines(4).await;
    // 150 ms for the request, then 150 ms before each of the 4 lines.
    assert!(
        t.elapsed() >= Duration::from_millis(750),
        "{:?}",
        t.elapsed()
    );
    sim.set_delay(None);
}

#[tokio::test]
async fn fail_next_request_answers_once() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let s = Session::open(&sim, "oxe1001", "1234").await;
    sim.fail_next_request(StatusCode::SERVICE_UNAVAILABLE);
    let (st, v) = s.api(Method::POST, "/sessions/keepalive", None).await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(v["code"], 503);
    let (st, _) = s.api(Method::POST, "/sessions/keepalive", None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    sim.fail_next_request(StatusCode::UNAUTHORIZED);
    let (st, h, _) = s.req(Method::GET, "/api/rest/1.0/sessions", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(h.get("www-authenticate").is_some());
    let (st, _) = s.api(Method::GET, "/sessions", None).await;
    assert_eq!(st, StatusCode::OK);
    // Polls count as requests too.
    let url = s.subscribe(json!([{"names":["telephony"]}]), 10).await;
    sim.fail_next_request(StatusCode::SERVICE_UNAVAILABLE);
    let (st, _, _) = send_raw(sim.addr(), Method::POST, &path_of(&url), &[], None).await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    let mut ch = Channel::open(sim.addr(), &url).await;
    assert_eq!(ch.line().await, chunk_started());
}

#[tokio::test]
async fn expire_sessions_now() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    let user = Session::open(&sim, "oxe1001", "1234").await;
    assert_eq!(sim.expire_sessions("admin"), 1);
    assert_eq!(ch.end().await, End::Error);
    let (st, _) = admin.api(Method::GET, "/sessions", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = user.api(Method::GET, "/sessions", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(sim.expire_all_sessions(), 1);
    let (st, _) = user.api(Method::GET, "/sessions", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refuse_logins_while_set() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let auth = "/api/rest/authenticate?version=1.0";
    sim.set_refuse_logins(true);
    let (st, _, _) = send(
        sim.addr(),
        Method::GET,
        auth,
        &[("authorization", basic("oxe1001", "1234"))],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    sim.set_refuse_logins(false);
    let (st, _, _) = send(
        sim.addr(),
        Method::GET,
        auth,
        &[("authorization", basic("oxe1001", "1234"))],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn a_new_poll_replaces_the_open_channel_and_shutdown_stops_everything() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let admin = Session::open(&sim, "admin", "admin").await;
    let url = admin
        .subscribe(serde_json::from_str(ALL3).unwrap(), 10)
        .await;
    let mut first = Channel::open(sim.addr(), &url).await;
    assert_eq!(first.line().await, chunk_started());
    let mut second = Channel::open(sim.addr(), &url).await;
    assert_eq!(second.line().await, chunk_started());
    assert_eq!(first.end().await, End::Clean);
    make_call(&admin, "1001", "1002").await;
    assert_eq!(second.line().await["eventName"], "OnCallCreated");
    assert_eq!(sim.stats().open_channels, 1);
    sim.shutdown();
    assert_eq!(second.end().await, End::Error);
}

#[tokio::test]
async fn merge_makes_a_conference_and_redirect_deflects_a_ringing_call() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    let (eq_ref, c_ref) = enquiry_call(&admin, &mut ch).await;
    let (st, v) = admin
        .api(
            Method::POST,
            &format!("/telephony/calls/{eq_ref}/merge?loginName=oxe1001"),
            Some(json!({"heldCallRef": REF1})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let got = ch.lines(4).await;
    assert_eq!(
        names(&got),
        [
            "OnCallRemoved oxe1001 CONFERENCED",
            "OnCallModified oxe1001 ACTIVE",
            "OnCallModified oxe1003 ACTIVE",
            "OnCallModified oxe1002 ACTIVE",
        ]
    );
    assert_eq!(got[1]["addedParticipants"][0]["participantId"], "1002");
    assert_eq!(got[2]["addedParticipants"][0]["participantId"], "1002");
    assert_eq!(got[3]["addedParticipants"][0]["participantId"], "1003");
    assert_eq!(
        got[3]["callData"]["callUUID"],
        got[1]["callData"]["callUUID"]
    );
    let (_, v) = admin
        .api(
            Method::GET,
            &format!("/telephony/calls/{eq_ref}?loginName=oxe1001"),
            None,
        )
        .await;
    assert_eq!(v["participants"].as_array().unwrap().len(), 2);
    // Releasing the conference ends it for everybody.
    release(&admin, "1003", &c_ref).await;
    let got = ch.lines(8).await;
    assert_eq!(
        got.iter()
            .filter(|e| e["eventName"] == "OnCallRemoved")
            .count(),
        3
    );
    assert_eq!(
        got.iter()
            .filter(|e| e["eventName"] == "OnUserStateModified" && e["state"] == "FREE")
            .count(),
        3
    );

    // Redirect: 1001 → 1002 ringing, deflected to 1003, answered there.
    make_call(&admin, "1001", "1002").await;
    let ringing = ch.lines(4).await;
    let b_ref = ringing[3]["callRef"].as_str().unwrap().to_owned();
    let (st, v) = admin
        .api(
            Method::POST,
            &format!("/telephony/calls/{b_ref}/redirect?loginName=oxe1002"),
            Some(json!({"redirectTo": "1003", "anonymous": false})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let got = ch.lines(3).await;
    assert_eq!(
        names(&got),
        [
            "OnCallRemoved oxe1002 REDIRECTED",
            "OnCallModified oxe1001 RINGING_OUTGOING",
            "OnCallCreated oxe1003 RINGING_INCOMING",
        ]
    );
    assert_eq!(got[0]["newDestination"], "1003");
    assert_eq!(got[1]["removedParticipantIds"], json!(["1002"]));
    assert_eq!(
        got[2]["callData"]["lastRedirecting"]["id"]["loginName"],
        "oxe1002"
    );
    let d_ref = got[2]["callRef"].as_str().unwrap().to_owned();
    answer(&admin, "1003", &d_ref).await;
    let got = ch.lines(3).await;
    assert_eq!(
        names(&got),
        [
            "OnCallModified oxe1003 ACTIVE",
            "OnUserStateModified oxe1003 BUSY",
            "OnCallModified oxe1001 ACTIVE",
        ]
    );
}

#[tokio::test]
async fn a_channel_whose_client_left_is_forgotten_and_loses_nothing() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let admin = Session::open(&sim, "admin", "admin").await;
    let url = admin
        .subscribe(serde_json::from_str(ALL3).unwrap(), 10)
        .await;
    let mut ch = Channel::open(sim.addr(), &url).await;
    assert_eq!(ch.line().await, chunk_started());
    drop(ch);
    for _ in 0..100 {
        if sim.stats().open_channels == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sim.stats().open_channels, 0);
    make_call(&admin, "1001", "1002").await;
    let mut ch = Channel::open(sim.addr(), &url).await;
    assert_eq!(ch.line().await, chunk_started());
    assert_eq!(ch.lines(4).await, spec_lines("spec7a")[1..5]);
}

/// Run as a server, the simulator closes connections that send no request,
/// and refuses connections beyond its cap.
#[tokio::test]
async fn idle_connections_are_closed_and_connections_capped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sim = sim::start(
        SimConfig::default()
            .idle_timeout(Duration::from_millis(200))
            .max_connections(2),
    )
    .await
    .unwrap();
    let mut a = TcpStream::connect(sim.addr()).await.unwrap();
    let mut b = TcpStream::connect(sim.addr()).await.unwrap();
    // Give the accept loop time to count both.
    b.write_all(b"GET /api/rest HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 512];
    let n = timeout(Duration::from_secs(5), b.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    let mut c = TcpStream::connect(sim.addr()).await.unwrap();
    let n = timeout(Duration::from_secs(5), c.read(&mut buf))
        .await
        .unwrap()
        .unwrap_or(0);
    assert_eq!(n, 0, "the third connection is closed");
    // The silent one is closed after the idle timeout.
    let mut rest = Vec::new();
    let r = timeout(Duration::from_secs(5), a.read_to_end(&mut rest)).await;
    assert!(r.is_ok(), "closed within the timeout");
}

// ------------------------------------------- as ALE's O2G SDK drives it

#[tokio::test]
async fn an_administrator_answers_with_the_device_only() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    make_call(&admin, "1001", "1002").await;
    ch.lines(4).await;
    // ALE's SDK sends `answer` with the device and no `loginName`.
    let (st, v) = admin
        .api(
            Method::POST,
            &format!("/telephony/calls/{REF2}/answer"),
            Some(json!({"deviceId": "1002"})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let answered = ch.lines(3).await;
    assert_eq!(
        names(&answered),
        [
            "OnCallModified oxe1002 ACTIVE",
            "OnUserStateModified oxe1002 BUSY",
            "OnCallModified oxe1001 ACTIVE"
        ]
    );
    // Neither a user nor a device: still 400; a device nobody has: 400.
    for body in [None, Some(json!({"deviceId": "1999"}))] {
        let (st, v) = admin
            .api(Method::POST, &format!("/telephony/calls/{REF1}/hold"), body)
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_call_left_ringing_is_cleared_after_the_ring_no_answer_timeout() {
    let sim = sim::start(SimConfig::default().ring_no_answer(Some(Duration::from_secs(20))))
        .await
        .unwrap();
    let (_watcher, mut ch) = admin_channel(&sim).await;
    // An application calls 1001 → 1002 and goes away while it rings.
    let app = Session::open(&sim, "admin", "admin").await;
    make_call(&app, "1001", "1002").await;
    ch.lines(4).await;
    let (st, _) = app.api(Method::DELETE, "/sessions", None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    // The next application finds 1001 busy …
    let next = Session::open(&sim, "admin", "admin").await;
    let call_1003 = json!({"deviceId": "1001", "callee": "1003", "autoAnswer": true});
    let (st, v) = next
        .api(
            Method::POST,
            "/telephony/calls?loginName=oxe1001",
            Some(call_1003.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    // … until the PBX gives up ringing.
    tokio::time::advance(Duration::from_secs(21)).await;
    let cleared = ch.lines(3).await;
    assert_eq!(
        names(&cleared),
        [
            "OnCallRemoved oxe1001 NOT_ANSWERED",
            "OnUserStateModified oxe1001 FREE",
            "OnCallRemoved oxe1002 NOT_ANSWERED"
        ]
    );
    assert_eq!(cleared[0]["callRef"], REF1);
    assert_eq!(cleared[2]["callRef"], REF2);
    assert_eq!(
        cleared[0]["deviceCapabilities"][0]["makeCall"], true,
        "{}",
        cleared[0]
    );
    let (st, v) = next
        .api(
            Method::POST,
            "/telephony/calls?loginName=oxe1001",
            Some(call_1003),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
}

#[tokio::test(start_paused = true)]
async fn an_answered_call_is_not_cleared_by_the_ring_no_answer_timeout() {
    let sim = sim::start(SimConfig::default().ring_no_answer(Some(Duration::from_secs(20))))
        .await
        .unwrap();
    let (admin, mut ch) = admin_channel(&sim).await;
    make_call(&admin, "1001", "1002").await;
    tokio::time::advance(Duration::from_secs(10)).await;
    answer(&admin, "1002", REF2).await;
    ch.lines(7).await;
    tokio::time::advance(Duration::from_secs(30)).await;
    ch.quiet(Duration::from_secs(1)).await;
    let (st, calls) = admin
        .api(Method::GET, "/telephony/calls?loginName=oxe1001", None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(calls["calls"].as_array().map(Vec::len), Some(1), "{calls}");
}

#[tokio::test]
async fn initial_state_for_administrator_sessions_is_a_setting() {
    // Default (what the O2G reference shows): an administrator's channel
    // starts with the calls, no state.
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (_admin, mut ch) = admin_channel(&sim).await;
    ch.quiet(Duration::from_millis(200)).await;
    // `Always`: the state of every selected user right after `Chunk started`.
    let sim = sim::start(SimConfig::default().initial_state(sim::InitialState::Always))
        .await
        .unwrap();
    let (_admin, mut ch) = admin_channel(&sim).await;
    let lines = ch.lines(6).await;
    assert_eq!(
        names(&lines),
        [
            "OnDeviceStateModified oxe1001 ",
            "OnUserStateModified oxe1001 FREE",
            "OnDeviceStateModified oxe1002 ",
            "OnUserStateModified oxe1002 FREE",
            "OnDeviceStateModified oxe1003 ",
            "OnUserStateModified oxe1003 FREE"
        ]
    );
    assert_eq!(lines[0]["deviceStates"][0]["deviceId"], "1001");
    assert_eq!(lines[0]["deviceStates"][0]["state"], "IN_SERVICE");
}
