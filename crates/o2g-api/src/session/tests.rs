//! The session machine under virtual time, with the answers of
//! the O2G reference, §7(c).
#![allow(clippy::disallowed_methods)] // a test picks an arbitrary instant as t0

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use super::*;
use crate::codec::{ApiRequest, ApiResponse, ServiceKey};
use crate::types::{Package, Selector, SubscriptionRequest};

const DISCOVERY: &str = r#"{"serverInfo":{"productName":"O2G Solution","productType":"O2G","productVersion":{"major":"2.7","minor":"005.000"},"haMode":false},"versions":[{"id":"1.0","status":"CURRENT","publicUrl":"https://o2g.example.test/api/rest/authenticate?version=1.0","internalUrl":"https://10.1.1.10/api/rest/authenticate?version=1.0"}]}"#;
const CREDENTIAL: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJveGUxMDAxIn0.c2ltdWxhdG9y";
const AUTH: &str = r#"{"credential":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJveGUxMDAxIn0.c2ltdWxhdG9y","publicUrl":"https://o2g.example.test/api/rest/1.0/sessions","internalUrl":"https://10.1.1.10/api/rest/1.0/sessions"}"#;
const SESSION: &str = r#"{"admin":false,"login":"oxe1001","timeToLive":1800,"publicBaseUrl":"https://o2g.example.test/api/rest/1.0","privateBaseUrl":"https://10.1.1.10/api/rest/1.0","services":[{"serviceName":"Logins","serviceVersion":"1.0","relativeUrl":"/logins"},{"serviceName":"Users","serviceVersion":"1.0","relativeUrl":"/users"},{"serviceName":"Subscriptions","serviceVersion":"1.0","relativeUrl":"/subscriptions"},{"serviceName":"BasicTelephony","serviceVersion":"1.0","relativeUrl":"/telephony/basicCall"},{"serviceName":"Telephony","serviceVersion":"1.0","relativeUrl":"/telephony/calls"},{"serviceName":"Maintenance","serviceVersion":"1.0","relativeUrl":"/system"}],"creationDate":"2025-01-15T09:00:00Z","expirationDate":"2025-01-15T09:30:00Z","otherSessions":[]}"#;
const SUBSCRIPTION: &str = r#"{"subscriptionId":"c3ViLTAwMDEtb3hlMTAwMQ","publicPollingUrl":"https://o2g.example.test:8016/OTEvents?subscriptionId=c3ViLTAwMDEtb3hlMTAwMQ","privatePollingUrl":"https://10.1.1.10:8016/OTEvents?subscriptionId=c3ViLTAwMDEtb3hlMTAwMQ","status":"ACCEPTED","mode":"CHUNK","format":"JSON"}"#;
const STARTED: &str = "{\"eventName\":\"OnChannelInformation\",\"text\":\"Chunk started\"}\n";
const USER_FREE: &str =
    "{\"eventName\":\"OnUserStateModified\",\"loginName\":\"oxe1001\",\"state\":\"FREE\"}\n";

fn config() -> SessionConfig {
    SessionConfig::new("https://10.1.1.10", "oxe1001", "1234")
        .application("RustO2gClient")
        .subscribe(SubscriptionRequest::new(
            vec![
                Selector::new(vec![Package::Telephony], ["oxe1001"]),
                Selector::new(vec![Package::EventSummary], ["oxe1001"]),
            ],
            10,
        ))
}

fn ok(body: &str) -> ApiResponse {
    ApiResponse::new(
        StatusCode::OK,
        HeaderMap::new(),
        Bytes::from(body.to_owned()),
    )
}

fn status(s: u16) -> ApiResponse {
    ApiResponse::new(
        StatusCode::from_u16(s).unwrap_or(StatusCode::IM_A_TEAPOT),
        HeaderMap::new(),
        Bytes::new(),
    )
}

fn next(s: &mut Session) -> Transmit {
    match s.poll_transmit() {
        Some(t) => t,
        None => panic!("expected a request, phase {:?}", s.phase()),
    }
}

fn events(s: &mut Session) -> Vec<SessionEvent> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

fn links(s: &mut Session) -> Vec<SessionLink> {
    events(s)
        .into_iter()
        .filter_map(|e| match e {
            SessionEvent::Link(l) => Some(l),
            _ => None,
        })
        .collect()
}

fn header(t: &Transmit, name: header::HeaderName) -> Option<&str> {
    t.request.headers().get(name).and_then(|v| v.to_str().ok())
}

fn body_json(t: &Transmit) -> serde_json::Value {
    serde_json::from_slice(t.request.body()).unwrap_or(serde_json::Value::Null)
}

/// Runs the §7(c) bootstrap up to a started channel; returns the channel's
/// request id.
fn bring_up(s: &mut Session, now: Instant) -> RequestId {
    s.start(now);
    let t = next(s);
    assert_eq!(t.purpose, Purpose::Discover);
    assert_eq!(t.request.method(), Method::GET);
    assert_eq!(t.request.uri(), "https://10.1.1.10/api/rest");
    s.handle_response(t.id, ok(DISCOVERY), now);

    let t = next(s);
    assert_eq!(t.purpose, Purpose::Authenticate);
    assert_eq!(
        t.request.uri(),
        "https://10.1.1.10/api/rest/authenticate?version=1.0"
    );
    assert_eq!(
        header(&t, header::AUTHORIZATION),
        Some("Basic b3hlMTAwMToxMjM0")
    );
    assert!(header(&t, header::COOKIE).is_none());
    let mut h = HeaderMap::new();
    h.insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "AlcUserId=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJveGUxMDAxIn0.c2ltdWxhdG9y; Path=/",
        ),
    );
    s.handle_response(
        t.id,
        ApiResponse::new(StatusCode::OK, h, Bytes::from_static(AUTH.as_bytes())),
        now,
    );

    let t = next(s);
    assert_eq!(t.purpose, Purpose::OpenSession);
    assert_eq!(t.request.method(), Method::POST);
    assert_eq!(t.request.uri(), "https://10.1.1.10/api/rest/1.0/sessions");
    let cookie = format!("AlcUserId={CREDENTIAL}");
    assert_eq!(header(&t, header::COOKIE), Some(cookie.as_str()));
    assert_eq!(header(&t, header::CONTENT_TYPE), Some("application/json"));
    assert_eq!(
        body_json(&t),
        serde_json::json!({"applicationName": "RustO2gClient"})
    );
    s.handle_response(t.id, ok(SESSION), now);

    let t = next(s);
    assert_eq!(t.purpose, Purpose::Subscribe);
    assert_eq!(
        t.request.uri(),
        "https://10.1.1.10/api/rest/1.0/subscriptions"
    );
    assert_eq!(header(&t, header::COOKIE), Some(cookie.as_str()));
    assert_eq!(
        body_json(&t),
        serde_json::json!({"filter":{"selectors":[{"ids":["oxe1001"],"names":["telephony"]},{"ids":["oxe1001"],"names":["eventSummary"]}]},"version":"1.0","timeout":10})
    );
    s.handle_response(t.id, ok(SUBSCRIPTION), now);

    let t = next(s);
    assert_eq!(t.purpose, Purpose::Channel);
    assert_eq!(t.request.method(), Method::POST);
    assert_eq!(
        t.request.uri(),
        "https://10.1.1.10:8016/OTEvents?subscriptionId=c3ViLTAwMDEtb3hlMTAwMQ"
    );
    assert!(
        header(&t, header::COOKIE).is_none(),
        "the channel carries no cookie"
    );
    assert_eq!(header(&t, header::ACCEPT), Some("*/*"));
    assert!(t.request.body().is_empty());
    assert_eq!(s.phase(), Phase::OpeningChannel);
    s.handle_channel_status(t.id, StatusCode::OK, now);
    // "Chunk started" split mid-line.
    let (a, b) = STARTED.as_bytes().split_at(20);
    s.handle_channel_data(t.id, a, now);
    assert_eq!(s.phase(), Phase::OpeningChannel);
    s.handle_channel_data(t.id, b, now);
    assert_eq!(s.phase(), Phase::Running);
    t.id
}

#[test]
fn bootstrap_to_running_as_in_the_spec() {
    let now = Instant::now();
    let mut s = Session::new(config());
    let ch = bring_up(&mut s, now);
    let evs = events(&mut s);
    assert!(
        matches!(&evs[0], SessionEvent::Event(Event::ChannelInformation(i)) if i.text == "Chunk started")
    );
    assert_eq!(evs[1], SessionEvent::Link(SessionLink::Connected));
    s.handle_channel_data(ch, USER_FREE.as_bytes(), now);
    let evs = events(&mut s);
    assert_eq!(evs.len(), 1);
    match &evs[0] {
        SessionEvent::Event(e) => {
            assert_eq!(e.name(), "OnUserStateModified");
            assert_eq!(e.login_name(), Some("oxe1001"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(s.poll_transmit().is_none());
}

#[test]
fn keepalive_runs_before_the_ttl_not_at_it() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    bring_up(&mut s, t0);
    let due = s.poll_timeout().unwrap_or(t0);
    // 0.5 × 1800 s.
    assert_eq!(due - t0, Duration::from_secs(900));
    s.handle_timeout(due - Duration::from_millis(1));
    assert!(s.poll_transmit().is_none());
    s.handle_timeout(due);
    let t = next(&mut s);
    assert_eq!(t.purpose, Purpose::KeepAlive);
    assert_eq!(t.request.method(), Method::POST);
    assert_eq!(
        t.request.uri(),
        "https://10.1.1.10/api/rest/1.0/sessions/keepalive"
    );
    assert!(header(&t, header::COOKIE).is_some());
    s.handle_response(t.id, status(204), due);
    assert_eq!(
        s.poll_timeout().map(|x| x - due),
        Some(Duration::from_secs(900))
    );
    assert_eq!(s.phase(), Phase::Running);
}

#[test]
fn keepalive_rejected_recovers_with_backoff_and_reports_a_gap() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    bring_up(&mut s, t0);
    events(&mut s);
    let due = s.poll_timeout().unwrap_or(t0);
    s.handle_timeout(due);
    let t = next(&mut s);
    s.handle_response(t.id, status(401), due);
    let l = links(&mut s);
    assert!(matches!(&l[0], SessionLink::Lost(r) if r.contains("401")));
    let SessionLink::Reconnecting { attempt, delay } = l[1] else {
        panic!("expected Reconnecting, got {l:?}");
    };
    assert_eq!(attempt, 1);
    assert_eq!(s.phase(), Phase::Recovering);
    assert!(s.poll_transmit().is_none(), "no request before the delay");
    assert!(
        s.build_request(&ApiRequest::new(
            Method::GET,
            ServiceKey::Telephony,
            "/calls"
        ))
        .is_err()
    );
    let retry = due + delay;
    assert_eq!(s.poll_timeout(), Some(retry));
    s.handle_timeout(retry);
    bring_up_again(&mut s, retry);
    let l = links(&mut s);
    assert_eq!(l, vec![SessionLink::Reconnected { gap: true }]);
}

/// Like `bring_up` from the discovery request on (the session restarts
/// itself).
fn bring_up_again(s: &mut Session, now: Instant) {
    let t = next(s);
    assert_eq!(t.purpose, Purpose::Discover);
    s.handle_response(t.id, ok(DISCOVERY), now);
    let t = next(s);
    s.handle_response(t.id, ok(AUTH), now);
    let t = next(s);
    assert_eq!(t.purpose, Purpose::OpenSession);
    s.handle_response(t.id, ok(SESSION), now);
    let t = next(s);
    assert_eq!(t.purpose, Purpose::Subscribe);
    s.handle_response(t.id, ok(SUBSCRIPTION), now);
    let t = next(s);
    assert_eq!(t.purpose, Purpose::Channel);
    s.handle_channel_status(t.id, StatusCode::OK, now);
    s.handle_channel_data(t.id, STARTED.as_bytes(), now);
    assert_eq!(s.phase(), Phase::Running);
}

#[test]
fn a_401_on_an_application_request_recovers() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    bring_up(&mut s, t0);
    events(&mut s);
    let req = ApiRequest::new(Method::GET, ServiceKey::Telephony, "/calls").login(Some("oxe1001"));
    let built = s.build_request(&req);
    let Ok(built) = built else {
        panic!("{built:?}")
    };
    assert_eq!(
        built.uri(),
        "https://10.1.1.10/api/rest/1.0/telephony/calls?loginName=oxe1001"
    );
    assert!(built.headers().get(header::COOKIE).is_some());
    s.handle_api_status(StatusCode::FORBIDDEN, t0);
    assert_eq!(s.phase(), Phase::Running, "403 is a refusal, not a loss");
    s.handle_api_status(StatusCode::UNAUTHORIZED, t0);
    assert_eq!(s.phase(), Phase::Recovering);
}

#[test]
fn a_clean_end_of_a_started_channel_is_polled_again_at_once() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    let ch = bring_up(&mut s, t0);
    events(&mut s);
    let t1 = t0 + Duration::from_secs(60);
    s.handle_channel_end(ch, t1);
    let t = next(&mut s);
    assert_eq!(t.purpose, Purpose::Channel);
    assert_eq!(
        t.request.uri(),
        "https://10.1.1.10:8016/OTEvents?subscriptionId=c3ViLTAwMDEtb3hlMTAwMQ",
        "the same URL, verbatim"
    );
    // A read error likewise.
    s.handle_channel_status(t.id, StatusCode::OK, t1);
    s.handle_channel_data(t.id, STARTED.as_bytes(), t1);
    s.handle_channel_end(t.id, t1 + Duration::from_secs(60));
    assert_eq!(next(&mut s).purpose, Purpose::Channel);
    assert!(links(&mut s).is_empty(), "re-polls are not link changes");
}

#[test]
fn a_channel_that_starts_and_ends_at_once_does_not_spin() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    let ch = bring_up(&mut s, t0);
    events(&mut s);
    let mut now = t0;
    s.handle_channel_end(ch, now);
    let mut delays = Vec::new();
    for _ in 0..4 {
        assert!(s.poll_transmit().is_none(), "no immediate re-poll");
        let due = s.poll_timeout().unwrap_or(now);
        assert!(due > now, "a delay before the next poll");
        delays.push(due - now);
        s.handle_timeout(due);
        now = due;
        let t = next(&mut s);
        assert_eq!(t.purpose, Purpose::Channel);
        s.handle_channel_status(t.id, StatusCode::OK, now);
        s.handle_channel_data(t.id, STARTED.as_bytes(), now);
        s.handle_channel_end(t.id, now);
    }
    assert!(
        delays.windows(2).all(|w| w[1] >= w[0]) && delays[3] > delays[0],
        "delays grow: {delays:?}"
    );
}

#[test]
fn a_channel_that_keeps_ending_before_starting_does_not_spin() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    let ch = bring_up(&mut s, t0);
    events(&mut s);
    s.handle_channel_end(ch, t0 + Duration::from_secs(60));
    let mut now = t0 + Duration::from_secs(60);
    let mut t = next(&mut s);
    let mut delays = Vec::new();
    for _ in 0..4 {
        s.handle_channel_status(t.id, StatusCode::OK, now);
        s.handle_channel_end(t.id, now);
        assert!(s.poll_transmit().is_none(), "no immediate re-poll");
        let due = s.poll_timeout().unwrap_or(now);
        assert!(due > now);
        delays.push(due - now);
        s.handle_timeout(due);
        now = due;
        t = next(&mut s);
        assert_eq!(t.purpose, Purpose::Channel);
    }
    assert!(
        delays.windows(2).all(|w| w[1] >= w[0]),
        "delays grow: {delays:?}"
    );
}

#[test]
fn an_http_error_on_the_channel_is_a_session_loss() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    let ch = bring_up(&mut s, t0);
    events(&mut s);
    s.handle_channel_end(ch, t0 + Duration::from_secs(60));
    let t = next(&mut s);
    s.handle_channel_status(t.id, StatusCode::NOT_FOUND, t0);
    assert_eq!(s.phase(), Phase::Recovering);
    assert!(matches!(links(&mut s)[0], SessionLink::Lost(_)));
}

#[test]
fn a_channel_that_never_starts_times_out() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    bring_up(&mut s, t0);
    events(&mut s);
    // Recover once so the session has been connected, then stall.
    s.handle_api_status(StatusCode::UNAUTHORIZED, t0);
    links(&mut s);
    let retry = s.poll_timeout().unwrap_or(t0);
    s.handle_timeout(retry);
    let t = next(&mut s);
    s.handle_response(t.id, ok(DISCOVERY), retry);
    let t = next(&mut s);
    s.handle_response(t.id, ok(AUTH), retry);
    let t = next(&mut s);
    s.handle_response(t.id, ok(SESSION), retry);
    let t = next(&mut s);
    s.handle_response(t.id, ok(SUBSCRIPTION), retry);
    let ch = next(&mut s);
    s.handle_channel_status(ch.id, StatusCode::OK, retry);
    let deadline = retry + Duration::from_secs(30);
    assert_eq!(s.poll_timeout(), Some(deadline));
    s.handle_timeout(deadline);
    assert_eq!(s.phase(), Phase::Recovering);
}

#[test]
fn private_origin_unreachable_falls_back_to_public_urls() {
    let t0 = Instant::now();
    let mut cfg = config();
    cfg.hosts = vec![Host::new("https://10.1.1.10").with_public("https://o2g.example.test")];
    let mut s = Session::new(cfg);
    s.start(t0);
    let t = next(&mut s);
    assert_eq!(t.request.uri(), "https://10.1.1.10/api/rest");
    s.handle_transport_error(t.id, "connection refused", t0);
    let t = next(&mut s);
    assert_eq!(t.request.uri(), "https://o2g.example.test/api/rest");
    s.handle_response(t.id, ok(DISCOVERY), t0);
    let t = next(&mut s);
    assert_eq!(
        t.request.uri(),
        "https://o2g.example.test/api/rest/authenticate?version=1.0"
    );
    s.handle_response(t.id, ok(AUTH), t0);
    let t = next(&mut s);
    assert_eq!(
        t.request.uri(),
        "https://o2g.example.test/api/rest/1.0/sessions"
    );
    s.handle_response(t.id, ok(SESSION), t0);
    let t = next(&mut s);
    assert_eq!(
        t.request.uri(),
        "https://o2g.example.test/api/rest/1.0/subscriptions"
    );
    s.handle_response(t.id, ok(SUBSCRIPTION), t0);
    let t = next(&mut s);
    assert_eq!(
        t.request.uri(),
        "https://o2g.example.test:8016/OTEvents?subscriptionId=c3ViLTAwMDEtb3hlMTAwMQ"
    );
}

#[test]
fn secondary_host_is_tried_when_the_primary_is_down() {
    let t0 = Instant::now();
    let cfg = config().secondary(Host::new("https://10.1.1.11"));
    let mut s = Session::new(cfg);
    s.start(t0);
    let t = next(&mut s);
    s.handle_transport_error(t.id, "timed out", t0);
    let t = next(&mut s);
    assert_eq!(t.request.uri(), "https://10.1.1.11/api/rest");
    s.handle_transport_error(t.id, "timed out", t0);
    // Never connected: the caller is told at once.
    assert!(matches!(
        &links(&mut s)[..],
        [SessionLink::Closed {
            error: Some(SessionError::Unreachable(_))
        }]
    ));
    assert_eq!(s.phase(), Phase::Closed);
}

#[test]
fn wrong_password_is_a_clear_final_error() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    s.start(t0);
    let t = next(&mut s);
    s.handle_response(t.id, ok(DISCOVERY), t0);
    let t = next(&mut s);
    s.handle_response(t.id, status(401), t0);
    assert_eq!(
        links(&mut s),
        vec![SessionLink::Closed {
            error: Some(SessionError::AuthenticationFailed(StatusCode::UNAUTHORIZED))
        }]
    );
    assert!(s.poll_transmit().is_none());
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn a_refused_subscription_says_why() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    s.start(t0);
    for body in [DISCOVERY, AUTH, SESSION] {
        let t = next(&mut s);
        s.handle_response(t.id, ok(body), t0);
    }
    let t = next(&mut s);
    s.handle_response(
        t.id,
        ok(r#"{"status":"REFUSED","message":"too many subscriptions"}"#),
        t0,
    );
    assert_eq!(
        links(&mut s),
        vec![SessionLink::Closed {
            error: Some(SessionError::SubscriptionRefused(
                "too many subscriptions".into()
            ))
        }]
    );
}

#[test]
fn close_deletes_the_subscription_then_the_session() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    let ch = bring_up(&mut s, t0);
    events(&mut s);
    s.close(t0);
    let t = next(&mut s);
    assert_eq!(t.purpose, Purpose::Unsubscribe);
    assert_eq!(t.request.method(), Method::DELETE);
    assert_eq!(
        t.request.uri(),
        "https://10.1.1.10/api/rest/1.0/subscriptions/c3ViLTAwMDEtb3hlMTAwMQ"
    );
    s.handle_response(t.id, status(204), t0);
    // Events the server sent before ending the channel are delivered.
    assert!(s.poll_transmit().is_none(), "waits for the channel to end");
    s.handle_channel_data(ch, USER_FREE.as_bytes(), t0);
    assert!(matches!(events(&mut s)[..], [SessionEvent::Event(_)]));
    // The server ends the channel: no re-poll while closing.
    s.handle_channel_end(ch, t0);
    let t = next(&mut s);
    assert_eq!(t.purpose, Purpose::CloseSession);
    assert_eq!(t.request.method(), Method::DELETE);
    assert_eq!(t.request.uri(), "https://10.1.1.10/api/rest/1.0/sessions");
    s.handle_response(t.id, status(204), t0);
    assert!(s.poll_transmit().is_none());
    assert_eq!(links(&mut s), vec![SessionLink::Closed { error: None }]);
    assert_eq!(s.phase(), Phase::Closed);
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    s.start(t0);
    let t = next(&mut s);
    s.handle_response(t.id, ok(DISCOVERY), t0);
    let auth = next(&mut s);
    let text = format!("{auth:?} {s:?}");
    assert!(!text.contains("b3hlMTAwMToxMjM0"), "{text}");
    s.handle_response(auth.id, ok(AUTH), t0);
    let t = next(&mut s);
    let text = format!("{t:?} {s:?}");
    assert!(!text.contains(CREDENTIAL), "{text}");
}

#[test]
fn bad_lines_are_kept_and_the_stream_goes_on() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    let ch = bring_up(&mut s, t0);
    events(&mut s);
    s.handle_channel_data(ch, b"{not json\n", t0);
    s.handle_channel_data(ch, USER_FREE.as_bytes(), t0);
    let evs = events(&mut s);
    assert!(matches!(evs[0], SessionEvent::DecodeError(_)));
    assert!(matches!(&evs[1], SessionEvent::Event(e) if e.name() == "OnUserStateModified"));
}

#[test]
fn close_does_not_wait_forever_for_the_channel_to_end() {
    let t0 = Instant::now();
    let mut s = Session::new(config());
    bring_up(&mut s, t0);
    events(&mut s);
    s.close(t0);
    let t = next(&mut s);
    s.handle_response(t.id, status(204), t0);
    let due = s.poll_timeout().unwrap_or(t0);
    assert_eq!(due - t0, Duration::from_secs(2));
    s.handle_timeout(due);
    assert_eq!(next(&mut s).purpose, Purpose::CloseSession);
}
