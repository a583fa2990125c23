//! The runner's own plug-in: a toy PBX spoken over each transport.
//!
//! It exists to prove the runner, not to model a vendor. The toy protocol
//! (described in `fixtures/README.md`) carries call events that map one to
//! one onto normalized events, so golden files can be checked on both sides:
//! the "client" is the generic replay client plus the toy normalizer, and
//! the simulators below are small real servers of the toy protocol.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use cti_core::{CallId, Cause, Event, EventKind, Party, Source, Timestamp};
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full, StreamBody, combinators::UnsyncBoxBody};
use hyper::body::Frame as BodyFrame;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::fixture::{Body, Fixture};
use crate::lock;
use crate::replay::{Received, play_client};
use crate::runner::{BoxFuture, RunningSim, Vendor};

/// The self-test plug-in (`fixtures/selftest/`).
#[derive(Debug, Default)]
pub struct SelfTest;

/// One toy event: ordered fields, first `event`.
type ToyEvent = Vec<(&'static str, String)>;

/// The toy PBX: numbers calls, auto-answers, clears on hang-up.
#[derive(Debug)]
struct ToyPbx {
    prefix: String,
    next: u32,
    calls: BTreeMap<String, (String, String)>,
}

impl ToyPbx {
    fn new(port: u16) -> Self {
        // Ids differ from any recorded ones, so fixtures must use
        // placeholders for them.
        Self {
            prefix: format!("sim{port}-"),
            next: 1,
            calls: BTreeMap::new(),
        }
    }

    fn dial(&mut self, from: &str, to: &str) -> (String, Vec<ToyEvent>) {
        let call = format!("{}{}", self.prefix, self.next);
        self.next += 1;
        self.calls
            .insert(call.clone(), (from.to_owned(), to.to_owned()));
        let c = || call.clone();
        let events = vec![
            vec![
                ("event", "originated".into()),
                ("call", c()),
                ("from", from.into()),
                ("to", to.into()),
            ],
            vec![
                ("event", "alerting".into()),
                ("call", c()),
                ("device", to.into()),
                ("caller", from.into()),
            ],
            vec![
                ("event", "answered".into()),
                ("call", c()),
                ("device", to.into()),
            ],
        ];
        (call, events)
    }

    fn hangup(&mut self, call: &str, device: &str) -> Option<Vec<ToyEvent>> {
        let (a, b) = self.calls.remove(call)?;
        let other = if device == a { b } else { a };
        Some(vec![
            vec![
                ("event", "cleared".into()),
                ("call", call.into()),
                ("device", device.into()),
            ],
            vec![
                ("event", "cleared".into()),
                ("call", call.into()),
                ("device", other),
            ],
            vec![("event", "ended".into()), ("call", call.into())],
        ])
    }
}

fn to_json(e: &ToyEvent) -> Value {
    Value::Object(
        e.iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
            .collect(),
    )
}

fn capitalized(k: &str) -> String {
    let mut c = k.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// Maps one toy event (lower-case keys) to a normalized event kind.
fn toy_kind(f: &BTreeMap<String, String>) -> Result<Option<EventKind>> {
    let get = |k: &str| {
        f.get(k)
            .cloned()
            .ok_or_else(|| anyhow!("toy event lacks {k}"))
    };
    let Some(name) = f.get("event") else {
        return Ok(None);
    };
    let call = CallId::new(get("call")?);
    Ok(Some(match name.as_str() {
        "originated" => EventKind::Originated {
            call,
            from: Party::device(get("from")?),
            to: f.get("to").map(|t| Party::device(t.as_str())),
        },
        "alerting" => EventKind::Alerting {
            call,
            party: Party::device(get("device")?),
            caller: f.get("caller").map(|c| Party::device(c.as_str())),
        },
        "answered" => EventKind::Answered {
            call,
            party: Party::device(get("device")?),
        },
        "cleared" => EventKind::PartyCleared {
            call,
            party: Party::device(get("device")?),
            cause: Cause::Normal,
        },
        "ended" => EventKind::Ended {
            call,
            cause: Cause::Normal,
        },
        other => bail!("unknown toy event {other:?}"),
    }))
}

fn event(kind: EventKind) -> Event {
    Event::new(Timestamp::EPOCH, Source::Other("selftest".into()), kind)
}

fn json_fields(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// Toy byte stream: blank-line separated `Key: Value` blocks.
fn blocks(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut cur = BTreeMap::new();
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else if let Some((k, v)) = line.split_once(": ") {
            cur.insert(k.to_ascii_lowercase(), v.to_owned());
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

impl Vendor for SelfTest {
    fn name(&self) -> &'static str {
        "selftest"
    }

    fn run_client<'a>(
        &'a self,
        fixture: &'a Fixture,
        server: SocketAddr,
    ) -> BoxFuture<'a, Result<Vec<Event>>> {
        Box::pin(async move {
            let received = play_client(fixture, server).await?;
            self.normalize(fixture, &received)
        })
    }

    fn start_simulator<'a>(&'a self, fixture: &'a Fixture) -> BoxFuture<'a, Result<RunningSim>> {
        Box::pin(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let pbx = Arc::new(Mutex::new(ToyPbx::new(addr.port())));
            let task: JoinHandle<()> = match &fixture.body {
                Body::Bytes(_) => tokio::spawn(tcp_sim(listener, pbx)),
                Body::Http(_) => tokio::spawn(http_sim(listener, pbx)),
                Body::WebSocket { .. } => tokio::spawn(ws_sim(listener, pbx)),
            };
            Ok(RunningSim {
                addr,
                guard: Box::new(AbortOnDrop(task)),
            })
        })
    }

    fn normalize(&self, _fixture: &Fixture, received: &Received) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        match received {
            Received::Bytes(b) => {
                for block in blocks(b) {
                    if let Some(k) = toy_kind(&block)? {
                        out.push(event(k));
                    }
                }
            }
            Received::Http(bodies) => {
                for (_, body) in bodies {
                    for line in String::from_utf8_lossy(body)
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                    {
                        let v: Value = serde_json::from_str(line).context("toy event line")?;
                        if let Some(k) = toy_kind(&json_fields(&v))? {
                            out.push(event(k));
                        }
                    }
                }
            }
            Received::WebSocket(frames) => {
                for f in frames {
                    let v: Value = serde_json::from_str(f).context("toy frame")?;
                    if let Some(k) = toy_kind(&json_fields(&v))? {
                        out.push(event(k));
                    }
                }
            }
        }
        Ok(out)
    }
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn tcp_sim(listener: TcpListener, pbx: Arc<Mutex<ToyPbx>>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(tcp_conn(stream, pbx.clone()));
    }
}

async fn tcp_conn(stream: TcpStream, pbx: Arc<Mutex<ToyPbx>>) -> Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"SelfTest PBX/1.0\r\n").await?;
    loop {
        let mut block = BTreeMap::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(": ") {
                block.insert(k.to_ascii_lowercase(), v.to_owned());
            }
        }
        let id = block.get("actionid").cloned().unwrap_or_default();
        let action = block
            .get("action")
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_default();
        let write_block = |fields: &[(&str, String)]| {
            let mut s = String::new();
            for (k, v) in fields {
                s.push_str(&format!("{}: {v}\r\n", capitalized(k)));
            }
            s.push_str("\r\n");
            s
        };
        let mut out = String::new();
        match action.as_str() {
            "dial" => {
                let (from, to) = (
                    block.get("from").cloned().unwrap_or_default(),
                    block.get("to").cloned().unwrap_or_default(),
                );
                let (call, events) = lock(&pbx).dial(&from, &to);
                out.push_str(&write_block(&[
                    ("response", "Success".into()),
                    ("actionID", id),
                    ("call", call),
                ]));
                for e in &events {
                    out.push_str(&write_block(e));
                }
            }
            "hangup" => {
                let call = block.get("call").cloned().unwrap_or_default();
                let device = block.get("device").cloned().unwrap_or_default();
                let events = lock(&pbx).hangup(&call, &device);
                match events {
                    Some(events) => {
                        out.push_str(&write_block(&[
                            ("response", "Success".into()),
                            ("actionID", id),
                        ]));
                        for e in &events {
                            out.push_str(&write_block(e));
                        }
                    }
                    None => out.push_str(&write_block(&[
                        ("response", "Error".into()),
                        ("actionID", id),
                        ("message", "No such call".into()),
                    ])),
                }
            }
            "logoff" => {
                w.write_all(b"Response: Goodbye\r\n\r\n").await?;
                w.shutdown().await?;
                return Ok(());
            }
            _ => out.push_str(&write_block(&[
                ("response", "Error".into()),
                ("actionID", id),
                ("message", "Invalid/unknown command".into()),
            ])),
        }
        w.write_all(out.as_bytes()).await?;
    }
}

type RespBody = UnsyncBoxBody<Bytes, Infallible>;

fn json_response(status: u16, v: &Value) -> hyper::Response<RespBody> {
    let mut r = hyper::Response::new(Full::new(Bytes::from(v.to_string())).boxed_unsync());
    *r.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

async fn http_sim(listener: TcpListener, pbx: Arc<Mutex<ToyPbx>>) {
    let (events_tx, _) = broadcast::channel::<ToyEvent>(64);
    while let Ok((stream, _)) = listener.accept().await {
        let pbx = pbx.clone();
        let events_tx = events_tx.clone();
        let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let pbx = pbx.clone();
            let events_tx = events_tx.clone();
            async move { Ok::<_, Infallible>(http_route(req, &pbx, &events_tx).await) }
        });
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

async fn http_route(
    req: hyper::Request<hyper::body::Incoming>,
    pbx: &Mutex<ToyPbx>,
    events_tx: &broadcast::Sender<ToyEvent>,
) -> hyper::Response<RespBody> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    match (method.as_str(), path.as_str()) {
        ("GET", "/events") => {
            let rx = events_tx.subscribe();
            // The toy channel ends after the first `ended` event.
            let stream =
                futures_util::stream::unfold((rx, false), |(mut rx, finished)| async move {
                    if finished {
                        return None;
                    }
                    let e = rx.recv().await.ok()?;
                    let end = e.first().is_some_and(|(_, v)| v == "ended");
                    let line = format!("{}\n", to_json(&e));
                    Some((
                        Ok::<_, Infallible>(BodyFrame::data(Bytes::from(line))),
                        (rx, end),
                    ))
                });
            let mut r = hyper::Response::new(StreamBody::new(stream).boxed_unsync());
            r.headers_mut().insert(
                "content-type",
                hyper::header::HeaderValue::from_static("application/x-ndjson"),
            );
            r
        }
        ("POST", "/calls") => {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let (Some(from), Some(to)) = (v["from"].as_str(), v["to"].as_str()) else {
                return json_response(400, &json!({"error": "from and to are required"}));
            };
            let (call, events) = lock(pbx).dial(from, to);
            for e in events {
                let _ = events_tx.send(e);
            }
            json_response(201, &json!({ "call": call }))
        }
        ("DELETE", p) if p.starts_with("/calls/") => {
            let call = &p["/calls/".len()..];
            let device = query.strip_prefix("device=").unwrap_or_default();
            let events = lock(pbx).hangup(call, device);
            match events {
                Some(events) => {
                    for e in events {
                        let _ = events_tx.send(e);
                    }
                    let mut r = hyper::Response::new(Full::new(Bytes::new()).boxed_unsync());
                    *r.status_mut() = hyper::StatusCode::NO_CONTENT;
                    r
                }
                None => json_response(404, &json!({"error": "no such call"})),
            }
        }
        _ => json_response(404, &json!({"error": "not found"})),
    }
}

async fn ws_sim(listener: TcpListener, pbx: Arc<Mutex<ToyPbx>>) {
    while let Ok((stream, _)) = listener.accept().await {
        let pbx = pbx.clone();
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                return;
            };
            while let Some(Ok(msg)) = ws.next().await {
                let Message::Text(text) = msg else { continue };
                let v: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                let mut replies = Vec::new();
                match v["action"].as_str() {
                    Some("dial") => {
                        let from = v["from"].as_str().unwrap_or_default();
                        let to = v["to"].as_str().unwrap_or_default();
                        let (call, events) = lock(&pbx).dial(from, to);
                        replies.push(json!({"response": "ok", "call": call}));
                        replies.extend(events.iter().map(to_json));
                    }
                    Some("hangup") => {
                        let call = v["call"].as_str().unwrap_or_default();
                        let device = v["device"].as_str().unwrap_or_default();
                        let events = lock(&pbx).hangup(call, device);
                        match events {
                            Some(events) => {
                                replies.push(json!({"response": "ok"}));
                                replies.extend(events.iter().map(to_json));
                            }
                            None => replies
                                .push(json!({"response": "error", "message": "no such call"})),
                        }
                    }
                    _ => replies.push(json!({"response": "error", "message": "unknown action"})),
                }
                for r in replies {
                    if ws.send(Message::text(r.to_string())).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
}
