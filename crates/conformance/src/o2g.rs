//! The `o2g` plug-in: replays O2G HTTP stories against `o2g-api`'s client
//! and simulator.
//!
//! Client check: the story's lifecycle cases (discovery, authenticate,
//! session, subscription, event channel, deletions) are what the real
//! [`o2g_api::client`] does by itself; the plug-in configures it from the
//! story (login and password from the `Authorization` header — the
//! fixture's redacted password —, application name from the session body,
//! subscription from the subscription body), then sends every other case
//! through `Client::request`, in order, with the service found by the
//! longest `relativeUrl` of the story's session answer, and finally closes.
//! The events the client yields are normalized with
//! [`o2g_api::normalize::Normalizer`].
//!
//! Simulator check: the replay client plays the story against
//! [`o2g_api::sim`], set up from the fixture's `sim-*` metadata, and the
//! event channel's NDJSON, normalized, must give the golden events.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use base64::Engine as _;
use bytes::Bytes;
use cti_core::{Event, EventKind, Source, Timestamp};
use serde_json::Value;

use o2g_api::client::LinkEvent;
use o2g_api::client::{ClientConfig, ClientEvent, connect};
use o2g_api::codec::ndjson::Decoder;
use o2g_api::codec::{ApiRequest, ServiceKey};
use o2g_api::normalize::Normalizer;
use o2g_api::session::{Purpose, Services, SessionConfig};
use o2g_api::types::{SessionInfo, SubscriptionRequest};

use crate::fixture::{Body, Fixture, StoryCase};
use crate::replay::Received;
use crate::runner::{BoxFuture, RunningSim, Vendor};

/// The O2G plug-in (`fixtures/o2g/`).
#[derive(Debug, Default)]
pub struct O2g;

fn cases(fx: &Fixture) -> Result<&[StoryCase]> {
    match &fx.body {
        Body::Http(c) => Ok(c),
        _ => Err(anyhow!("an O2G fixture is an HTTP story")),
    }
}

fn path_only(p: &str) -> &str {
    p.split('?').next().unwrap_or(p)
}

/// What the session machine would send a case for, seen from the client;
/// `None` for an application request.
fn role(c: &StoryCase) -> Option<Purpose> {
    let path = path_only(&c.request.path);
    let m = c.request.method.to_ascii_uppercase();
    Some(if c.response.chunks.is_some() {
        Purpose::Channel
    } else if path == "/api/rest" {
        Purpose::Discover
    } else if path == "/api/rest/authenticate" {
        Purpose::Authenticate
    } else if path.ends_with("/sessions/keepalive") {
        Purpose::KeepAlive
    } else if path.ends_with("/sessions") && m == "POST" {
        Purpose::OpenSession
    } else if path.ends_with("/sessions") && m == "DELETE" {
        Purpose::CloseSession
    } else if path.ends_with("/subscriptions") && m == "POST" {
        Purpose::Subscribe
    } else if path.contains("/subscriptions/") && m == "DELETE" {
        Purpose::Unsubscribe
    } else {
        return None;
    })
}

fn json_body<T: serde::de::DeserializeOwned>(v: Option<&Value>, what: &str) -> Result<T> {
    let v = v.ok_or_else(|| anyhow!("the {what} case has no body"))?;
    serde_json::from_value(v.clone()).with_context(|| format!("the {what} body"))
}

/// Login and password from the story's `Authorization: Basic` header.
fn credentials(cases: &[StoryCase]) -> Result<(String, String)> {
    let auth = cases
        .iter()
        .find(|c| role(c) == Some(Purpose::Authenticate))
        .and_then(|c| {
            c.request
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        })
        .map(|(_, v)| v.clone())
        .ok_or_else(|| anyhow!("the story has no authenticate case with Basic credentials"))?;
    let b64 = auth
        .strip_prefix("Basic ")
        .ok_or_else(|| anyhow!("not Basic: {auth}"))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .context("Basic credentials")?;
    let text = String::from_utf8(raw).context("Basic credentials")?;
    let (l, p) = text
        .split_once(':')
        .ok_or_else(|| anyhow!("Basic credentials without ':'"))?;
    Ok((l.to_owned(), p.to_owned()))
}

/// The session answer of the story, its `${…}` placeholders standing in for
/// origins.
fn session_answer(cases: &[StoryCase]) -> Result<SessionInfo> {
    let c = cases
        .iter()
        .find(|c| role(c) == Some(Purpose::OpenSession))
        .ok_or_else(|| anyhow!("the story opens no session"))?;
    json_body(c.response.body.as_ref(), "session answer")
}

/// The base path of the services (`/api/rest/1.0`): the private base URL
/// without its `${server}` origin.
fn base_path(info: &SessionInfo) -> String {
    let url = info
        .private_base_url
        .as_deref()
        .or(info.public_base_url.as_deref())
        .unwrap_or("/api/rest/1.0");
    match url.find("/api/") {
        Some(i) => url[i..].to_owned(),
        None => url.to_owned(),
    }
}

/// Turns a recorded request path into a service request.
fn to_api_request(case: &StoryCase, info: &SessionInfo) -> Result<ApiRequest> {
    let base = base_path(info);
    let (path, query) = match case.request.path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (case.request.path.as_str(), None),
    };
    // The service whose URL (resolved as the session resolves it) is the
    // longest prefix of the path.
    let services = Services::new(&base, &info.services);
    let keys = info
        .services
        .iter()
        .map(|s| ServiceKey::from_name(&s.service_name))
        .chain([ServiceKey::Telephony, ServiceKey::Logins]);
    let mut best: Option<(String, ServiceKey)> = None;
    for key in keys {
        let Some(url) = services.url(&key) else {
            continue;
        };
        let fits = path == url || path.starts_with(&format!("{url}/"));
        if fits && best.as_ref().is_none_or(|(u, _)| url.len() > u.len()) {
            best = Some((url, key));
        }
    }
    let (url, key) =
        best.ok_or_else(|| anyhow!("no advertised service serves {path} (base {base})"))?;
    let method = http::Method::from_bytes(case.request.method.as_bytes())
        .with_context(|| format!("method {}", case.request.method))?;
    let mut req = ApiRequest::new(method, key, &path[url.len()..]);
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        req = match pair.split_once('=') {
            Some((k, v)) => req.query(k, v),
            None => req.flag(pair, true),
        };
    }
    if let Some(body) = &case.request.body {
        req.body = Some(Bytes::from(serde_json::to_vec(body)?));
    }
    Ok(req)
}

fn link(kind: EventKind) -> Event {
    Event::new(Timestamp::EPOCH, Source::O2g, kind)
}

async fn run_client(fx: &Fixture, addr: SocketAddr) -> Result<Vec<Event>> {
    let cases = cases(fx)?;
    let (login, password) = credentials(cases)?;
    let info = session_answer(cases)?;
    let open = cases
        .iter()
        .find(|c| role(c) == Some(Purpose::OpenSession))
        .and_then(|c| c.request.body.as_ref())
        .and_then(|b| b.get("applicationName"))
        .and_then(Value::as_str)
        .unwrap_or("cti-rs")
        .to_owned();
    let mut session =
        SessionConfig::new(format!("http://{addr}"), login, password).application(open);
    if let Some(c) = cases.iter().find(|c| role(c) == Some(Purpose::Subscribe)) {
        let sub: SubscriptionRequest = json_body(c.request.body.as_ref(), "subscription")?;
        session = session.subscribe(sub);
    }
    let mut out = Vec::new();
    let mut n = Normalizer::new();
    let (client, mut stream) = match connect(ClientConfig::with_session(session)).await {
        Ok(c) => c,
        Err(e) => {
            out.push(link(EventKind::Closed {
                reason: Some(e.to_string()),
            }));
            return Ok(out);
        }
    };
    for c in cases.iter().filter(|c| role(c).is_none()) {
        let req = to_api_request(c, &info)?;
        let resp = client
            .send(req)
            .await
            .map_err(|e| anyhow!("case {}: {e}", c.seqno))?;
        if resp.status.as_u16() != c.response.status {
            return Err(anyhow!(
                "case {}: expected status {}, got {}",
                c.seqno,
                c.response.status,
                resp.status
            ));
        }
    }
    client.close().await.context("closing")?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let ev = tokio::time::timeout_at(deadline, stream.recv())
            .await
            .map_err(|_| anyhow!("the session did not end"))?;
        match ev {
            None => break,
            Some(ClientEvent::Event(e)) => out.extend(n.event(&e, Timestamp::EPOCH)),
            Some(ClientEvent::Link(l)) => {
                let closed = matches!(l, LinkEvent::Closed { .. });
                n.link(&l, Timestamp::EPOCH, &mut out);
                if closed {
                    break;
                }
            }
            Some(other) => return Err(anyhow!("unexpected client event {other:?}")),
        }
    }
    Ok(out)
}

/// The simulator set up for a fixture: the story's password for every
/// account, `sim-*` metadata for the settings the spec leaves open.
fn sim_config(fx: &Fixture) -> Result<o2g_api::sim::SimConfig> {
    let cases = cases(fx)?;
    let (login, password) = credentials(cases)?;
    let mut config = o2g_api::sim::SimConfig::default();
    for u in &mut config.users {
        u.password = cti_core::Secret::new(password.clone());
    }
    if session_answer(cases)?.admin {
        config = config.admin(login, password);
    }
    let meta = &fx.meta.raw;
    if let Some(h) = meta.get("sim-public-host") {
        config = config.public_host(h.clone());
    }
    if meta.get("sim-initial-state").map(String::as_str) == Some("off") {
        config = config.initial_state(o2g_api::sim::InitialState::Never);
    }
    // `login=missed,voice`: a user's event-summary counters.
    if let Some(spec) = meta.get("sim-event-summary") {
        let (who, counts) = spec
            .split_once('=')
            .ok_or_else(|| anyhow!("sim-event-summary: login=missed,voice"))?;
        let (m, v) = counts
            .split_once(',')
            .ok_or_else(|| anyhow!("sim-event-summary: login=missed,voice"))?;
        let counters =
            o2g_api::sim::EventSummaryCounters::new(m.trim().parse()?, v.trim().parse()?);
        for u in config.users.iter_mut().filter(|u| u.login == who) {
            u.event_summary = counters;
        }
    }
    if meta.get("sim-initial-event-summary").map(String::as_str) == Some("off") {
        config = config.initial_event_summary(false);
    }
    Ok(config)
}

impl Vendor for O2g {
    fn name(&self) -> &'static str {
        "o2g"
    }

    fn run_client<'a>(
        &'a self,
        fixture: &'a Fixture,
        server: SocketAddr,
    ) -> BoxFuture<'a, Result<Vec<Event>>> {
        Box::pin(run_client(fixture, server))
    }

    fn start_simulator<'a>(&'a self, fixture: &'a Fixture) -> BoxFuture<'a, Result<RunningSim>> {
        Box::pin(async move {
            let sim = o2g_api::sim::start(sim_config(fixture)?).await?;
            Ok(RunningSim {
                addr: sim.addr(),
                guard: Box::new(sim),
            })
        })
    }

    fn normalize(&self, fixture: &Fixture, received: &Received) -> Result<Vec<Event>> {
        let Received::Http(bodies) = received else {
            return Err(anyhow!("O2G is HTTP"));
        };
        let cases = cases(fixture)?;
        let mut out = Vec::new();
        let mut n = Normalizer::new();
        let opened = cases
            .iter()
            .find(|c| role(c) == Some(Purpose::OpenSession))
            .is_some_and(|c| (200..300).contains(&c.response.status));
        let channel = cases.iter().find(|c| role(c) == Some(Purpose::Channel));
        if opened && channel.is_none() {
            n.link(&LinkEvent::Connected, Timestamp::EPOCH, &mut out);
        }
        if let Some(ch) = channel {
            let body = bodies
                .iter()
                .find(|(s, _)| *s == ch.seqno)
                .map(|(_, b)| b.clone())
                .unwrap_or_default();
            let mut dec = Decoder::default();
            dec.push(&body);
            while let Some(item) = dec.next_event() {
                let e = item.map_err(|e| anyhow!("channel line: {e}"))?;
                let started = matches!(&e, o2g_api::Event::ChannelInformation(i) if i.text == "Chunk started");
                out.extend(n.event(&e, Timestamp::EPOCH));
                if started {
                    n.link(&LinkEvent::Connected, Timestamp::EPOCH, &mut out);
                }
            }
        }
        if opened && cases.iter().any(|c| role(c) == Some(Purpose::CloseSession)) {
            n.link(
                &LinkEvent::Closed { reason: None },
                Timestamp::EPOCH,
                &mut out,
            );
        }
        Ok(out)
    }
}
