//! Replay servers (playing the vendor) and replay clients (playing the
//! application) for the three transports.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full, StreamBody, combinators::UnsyncBoxBody};
use hyper::body::{Frame as BodyFrame, Incoming};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::fixture::{Body, Chunk, Dir, Fixture, Frame, StoryCase, StoryResponse};
use crate::lock;
use crate::matcher::{Bindings, Volatile};

/// How long one step of a replay may wait for the peer.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// What the vendor side sent, as the application side received it.
#[derive(Clone, Debug)]
pub enum Received {
    /// Every byte the server sent.
    Bytes(Vec<u8>),
    /// The body of each HTTP response, by case seqno.
    Http(Vec<(u32, Bytes)>),
    /// Every text frame the server sent.
    WebSocket(Vec<String>),
}

/// A replay server playing the vendor side of one fixture on 127.0.0.1.
#[derive(Debug)]
pub struct ReplayServer {
    addr: SocketAddr,
    done: JoinHandle<Result<()>>,
}

impl ReplayServer {
    /// Starts playing `fixture` on an ephemeral loopback port.
    pub async fn start(fixture: &Fixture) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding replay server")?;
        let addr = listener.local_addr()?;
        let volatile = fixture.meta.volatile.clone();
        let done = match fixture.body.clone() {
            Body::Bytes(chunks) => tokio::spawn(async move {
                let (stream, _) = timeout("a client connection", listener.accept()).await??;
                play_bytes(
                    stream,
                    &chunks,
                    Dir::ServerToClient,
                    &volatile,
                    &mut Bindings::new(),
                )
                .await
                .map(drop)
            }),
            Body::Http(cases) => tokio::spawn(serve_http(listener, cases)),
            Body::WebSocket { path, frames } => tokio::spawn(serve_ws(listener, path, frames)),
        };
        Ok(Self { addr, done })
    }

    /// Where the client should connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits until the whole exchange was played and reports any mismatch.
    pub async fn finish(self) -> Result<()> {
        match tokio::time::timeout(STEP_TIMEOUT * 3, self.done).await {
            Ok(Ok(r)) => r,
            Ok(Err(join)) => Err(anyhow!("replay server task failed: {join}")),
            Err(_) => Err(anyhow!(
                "replay server: the exchange did not complete in time"
            )),
        }
    }
}

/// Plays the application side of `fixture` against a server at `addr` and
/// returns what the server sent. Mismatches are errors.
pub async fn play_client(fixture: &Fixture, addr: SocketAddr) -> Result<Received> {
    match &fixture.body {
        Body::Bytes(chunks) => {
            let stream = timeout("connecting", TcpStream::connect(addr)).await??;
            let got = play_bytes(
                stream,
                chunks,
                Dir::ClientToServer,
                &fixture.meta.volatile,
                &mut Bindings::new(),
            )
            .await?;
            Ok(Received::Bytes(got))
        }
        Body::Http(cases) => client_http(addr, cases).await.map(Received::Http),
        Body::WebSocket { path, frames } => {
            client_ws(addr, path, frames).await.map(Received::WebSocket)
        }
    }
}

async fn timeout<F: Future>(what: &str, f: F) -> Result<F::Output> {
    tokio::time::timeout(STEP_TIMEOUT, f)
        .await
        .map_err(|_| anyhow!("timed out waiting for {what}"))
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split_inclusive(|&b| b == b'\n')
}

/// Plays one side (`me`) of a byte-stream transcript over `stream` and
/// returns every byte the peer sent.
async fn play_bytes(
    stream: TcpStream,
    chunks: &[Chunk],
    me: Dir,
    volatile: &Volatile,
    bindings: &mut Bindings,
) -> Result<Vec<u8>> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    let mut received = Vec::new();
    let mut i = 0;
    while i < chunks.len() {
        match &chunks[i] {
            Chunk::Data { dir, bytes, .. } if *dir == me => {
                let mut out = Vec::with_capacity(bytes.len());
                for line in lines(bytes) {
                    out.extend(bindings.emit_line(volatile, line));
                }
                w.write_all(&out).await.context("writing")?;
                w.flush().await?;
                i += 1;
            }
            Chunk::Data { .. } => {
                // Gather the peer's consecutive chunks: segmentation differs
                // between runs, lines do not.
                let mut expected = Vec::new();
                let block_start = i;
                let block_t = match &chunks[i] {
                    Chunk::Data { t, .. } => t.clone(),
                    Chunk::ServerClosed => String::new(),
                };
                while let Some(Chunk::Data { dir, bytes, .. }) = chunks.get(i) {
                    if *dir == me {
                        break;
                    }
                    expected.extend_from_slice(bytes);
                    i += 1;
                }
                for (n, want) in lines(&expected).enumerate() {
                    // What a timeout names: the line awaited, where it is in
                    // the transcript, and what came last.
                    let awaited = || {
                        format!(
                            "line {} of the {}'s bytes from chunk {} (t={block_t}): {:?} (the last line received was {:?})",
                            n + 1,
                            peer(me),
                            block_start + 1,
                            String::from_utf8_lossy(want),
                            last_line(&received)
                        )
                    };
                    let mut got = Vec::new();
                    if want.ends_with(b"\n") {
                        tokio::time::timeout(STEP_TIMEOUT, r.read_until(b'\n', &mut got))
                            .await
                            .map_err(|_| anyhow!("timed out waiting for {}", awaited()))??;
                    } else {
                        got.resize(want.len(), 0);
                        let read = tokio::time::timeout(STEP_TIMEOUT, r.read_exact(&mut got))
                            .await
                            .map_err(|_| anyhow!("timed out waiting for {}", awaited()))?;
                        if read.is_err() {
                            got.clear();
                        }
                    }
                    if got.is_empty() {
                        bail!("the peer closed the connection; expected {}", awaited());
                    }
                    received.extend_from_slice(&got);
                    bindings
                        .match_line(volatile, want, &got)
                        .map_err(|e| anyhow!("line {} from the {}: {e}", n + 1, peer(me)))?;
                }
            }
            Chunk::ServerClosed => {
                if me == Dir::ServerToClient {
                    w.shutdown().await.ok();
                    return Ok(received);
                }
                let mut rest = Vec::new();
                timeout("the server to close", r.read_to_end(&mut rest)).await??;
                received.extend_from_slice(&rest);
                if !rest.is_empty() {
                    bail!(
                        "expected the server to close, it sent {:?}",
                        String::from_utf8_lossy(&rest)
                    );
                }
                return Ok(received);
            }
        }
    }
    Ok(received)
}

/// The last complete line of `bytes`, for error messages.
fn last_line(bytes: &[u8]) -> String {
    let end = bytes.len().saturating_sub(1);
    let start = bytes[..end]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

fn peer(me: Dir) -> &'static str {
    match me {
        Dir::ServerToClient => "client",
        Dir::ClientToServer => "server",
    }
}

/// Compares a text payload: as JSON when the pattern is JSON, else as text.
pub(crate) fn match_payload(b: &mut Bindings, pattern: &str, actual: &str) -> Result<(), String> {
    match serde_json::from_str::<Value>(pattern) {
        Ok(p) => {
            let a: Value = serde_json::from_str(actual)
                .map_err(|e| format!("expected JSON, got {actual:?}: {e}"))?;
            b.match_json(&p, &a)
        }
        Err(_) => b.match_text(pattern, actual),
    }
}

fn body_bytes(b: &mut Bindings, body: Option<&Value>) -> Bytes {
    match body {
        None => Bytes::new(),
        Some(Value::String(s)) => Bytes::from(b.emit(s)),
        Some(v) => Bytes::from(b.emit_json(v).to_string()),
    }
}

fn match_body(b: &mut Bindings, expected: Option<&Value>, actual: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(actual);
    match expected {
        None if actual.is_empty() => Ok(()),
        None => Err(format!("expected an empty body, got {text:?}")),
        Some(Value::String(s)) => b.match_text(s, &text),
        Some(v) => {
            let a: Value = serde_json::from_slice(actual)
                .map_err(|e| format!("expected a JSON body, got {text:?}: {e}"))?;
            b.match_json(v, &a)
        }
    }
}

fn match_stream(
    b: &mut Bindings,
    chunks: &[crate::fixture::StoryChunk],
    actual: &[u8],
) -> Result<(), String> {
    let mut expected = String::new();
    let mut json_lines = true;
    for c in chunks {
        match &c.data {
            // An empty chunk only marks when the stream ends.
            Value::String(s) if s.is_empty() => {}
            Value::String(s) => {
                json_lines = false;
                expected.push_str(s);
            }
            v => {
                expected.push_str(&v.to_string());
                expected.push('\n');
            }
        }
    }
    let text = String::from_utf8_lossy(actual);
    if !json_lines {
        return b.match_text(&expected, &text);
    }
    let want: Vec<&str> = expected.lines().collect();
    let got: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    for (i, w) in want.iter().enumerate() {
        let g = got
            .get(i)
            .ok_or_else(|| format!("stream line {}: expected {w}, the stream ended", i + 1))?;
        match_payload(b, w, g).map_err(|e| format!("stream line {}: {e}", i + 1))?;
    }
    if got.len() > want.len() {
        return Err(format!(
            "stream has {} extra lines, first {:?}",
            got.len() - want.len(),
            got[want.len()]
        ));
    }
    Ok(())
}

type RespBody = UnsyncBoxBody<Bytes, Infallible>;

struct HttpState {
    cases: Vec<StoryCase>,
    next: usize,
    bindings: Bindings,
    errors: Vec<String>,
    streams_open: usize,
}

impl HttpState {
    fn done(&self) -> bool {
        !self.errors.is_empty() || (self.next == self.cases.len() && self.streams_open == 0)
    }
}

async fn serve_http(listener: TcpListener, cases: Vec<StoryCase>) -> Result<()> {
    let mut bindings = Bindings::new();
    if let Ok(addr) = listener.local_addr() {
        bindings.bind("server", format!("http://{addr}"));
    }
    let state = Arc::new(Mutex::new(HttpState {
        cases,
        next: 0,
        bindings,
        errors: Vec::new(),
        streams_open: 0,
    }));
    let changed = Arc::new(Notify::new());
    let (seen_tx, seen_rx) = watch::channel(0u32);
    let accept = {
        let state = state.clone();
        let changed = changed.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = state.clone();
                let changed = changed.clone();
                let seen_tx = seen_tx.clone();
                let seen_rx = seen_rx.clone();
                let svc = hyper::service::service_fn(move |req| {
                    handle_http(
                        req,
                        state.clone(),
                        changed.clone(),
                        seen_tx.clone(),
                        seen_rx.clone(),
                    )
                });
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        })
    };
    let result = loop {
        let notified = changed.notified();
        {
            let st = lock(&state);
            if st.done() {
                break match st.errors.first() {
                    Some(e) => Err(anyhow!("{e}")),
                    None => Ok(()),
                };
            }
        }
        if tokio::time::timeout(STEP_TIMEOUT, notified).await.is_err() {
            let st = lock(&state);
            break Err(match st.cases.get(st.next) {
                Some(c) => anyhow!(
                    "timed out waiting for request {} ({} {})",
                    c.seqno,
                    c.request.method,
                    c.request.path
                ),
                None => anyhow!("timed out sending a streamed response"),
            });
        }
    };
    accept.abort();
    result
}

async fn handle_http(
    req: hyper::Request<Incoming>,
    state: Arc<Mutex<HttpState>>,
    changed: Arc<Notify>,
    seen_tx: watch::Sender<u32>,
    seen_rx: watch::Receiver<u32>,
) -> Result<hyper::Response<RespBody>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let outcome = {
        let mut st = lock(&state);
        let st = &mut *st;
        match st.cases.get(st.next).cloned() {
            None => Err(format!(
                "unexpected request {} {path} after the story ended",
                parts.method
            )),
            Some(case) => {
                let r = &case.request;
                let b = &mut st.bindings;
                let checked = if !r.method.eq_ignore_ascii_case(parts.method.as_str()) {
                    Err(format!(
                        "expected method {}, got {}",
                        r.method, parts.method
                    ))
                } else {
                    b.match_text(&r.path, &path)
                        .and_then(|()| {
                            r.headers.iter().try_for_each(|(k, v)| {
                                let got =
                                    parts.headers.get(k.as_str()).and_then(|h| h.to_str().ok());
                                let got = got.ok_or_else(|| format!("missing header {k}"))?;
                                b.match_text(v, got).map_err(|e| format!("header {k}: {e}"))
                            })
                        })
                        .and_then(|()| {
                            match_body(b, r.body.as_ref(), &body).map_err(|e| format!("body: {e}"))
                        })
                };
                match checked {
                    Err(e) => Err(format!(
                        "request {} ({} {}): {e}",
                        case.seqno, r.method, r.path
                    )),
                    Ok(()) => {
                        st.next += 1;
                        if case.response.chunks.is_some() {
                            st.streams_open += 1;
                        }
                        Ok(case)
                    }
                }
            }
        }
    };
    let response = match outcome {
        Err(e) => {
            lock(&state).errors.push(e.clone());
            changed.notify_one();
            let body = Full::new(Bytes::from(format!("replay mismatch: {e}"))).boxed_unsync();
            let mut resp = hyper::Response::new(body);
            *resp.status_mut() = hyper::StatusCode::from_u16(599)
                .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
            resp
        }
        Ok(case) => {
            seen_tx.send_replace(case.seqno);
            let resp = build_response(&case.response, &state, &changed, seen_rx);
            changed.notify_one();
            resp
        }
    };
    Ok(response)
}

fn build_response(
    spec: &StoryResponse,
    state: &Arc<Mutex<HttpState>>,
    changed: &Arc<Notify>,
    mut seen_rx: watch::Receiver<u32>,
) -> hyper::Response<RespBody> {
    let mut builder = hyper::Response::builder().status(spec.status);
    let body = {
        let mut st = lock(state);
        for (k, v) in &spec.headers {
            builder = builder.header(k.as_str(), st.bindings.emit(v));
        }
        if spec.chunks.is_none() {
            if matches!(spec.body, Some(Value::Object(_) | Value::Array(_)))
                && !spec
                    .headers
                    .keys()
                    .any(|k| k.eq_ignore_ascii_case("content-type"))
            {
                builder = builder.header("content-type", "application/json");
            }
            Some(body_bytes(&mut st.bindings, spec.body.as_ref()))
        } else {
            None
        }
    };
    let body: RespBody = match &spec.chunks {
        None => Full::new(body.unwrap_or_default()).boxed_unsync(),
        Some(chunks) => {
            let (tx, rx) = mpsc::channel::<Bytes>(16);
            let chunks = chunks.clone();
            let state = state.clone();
            let changed = changed.clone();
            tokio::spawn(async move {
                for c in &chunks {
                    if let Some(after) = c.after
                        && seen_rx.wait_for(|seen| *seen >= after).await.is_err()
                    {
                        break;
                    }
                    if c.delay_ms > 0 {
                        tokio::time::sleep(Duration::from_millis(c.delay_ms)).await;
                    }
                    let data = {
                        let mut st = lock(&state);
                        match &c.data {
                            Value::String(s) => st.bindings.emit(s),
                            v => format!("{}\n", st.bindings.emit_json(v)),
                        }
                    };
                    if tx.send(Bytes::from(data)).await.is_err() {
                        lock(&state)
                            .errors
                            .push("the client dropped a streamed response early".into());
                        break;
                    }
                }
                lock(&state).streams_open -= 1;
                changed.notify_one();
            });
            let stream = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv()
                    .await
                    .map(|b| (Ok::<_, Infallible>(BodyFrame::data(b)), rx))
            });
            StreamBody::new(stream).boxed_unsync()
        }
    };
    builder.body(body).unwrap_or_else(|e| {
        let mut r = hyper::Response::new(
            Full::new(Bytes::from(format!("bad fixture response: {e}"))).boxed_unsync(),
        );
        *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

async fn client_http(addr: SocketAddr, cases: &[StoryCase]) -> Result<Vec<(u32, Bytes)>> {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let mut b = Bindings::new();
    b.bind("server", format!("http://{addr}"));
    let mut bodies = Vec::new();
    let mut streams = Vec::new();
    for case in cases {
        let r = &case.request;
        let uri = format!("http://{addr}{}", b.emit(&r.path));
        let mut req = hyper::Request::builder().method(r.method.as_str()).uri(uri);
        for (k, v) in &r.headers {
            req = req.header(k.as_str(), b.emit(v));
        }
        if matches!(r.body, Some(Value::Object(_) | Value::Array(_)))
            && !r
                .headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"))
        {
            req = req.header("content-type", "application/json");
        }
        let req = req.body(Full::new(body_bytes(&mut b, r.body.as_ref())))?;
        let ctx = || format!("case {} ({} {})", case.seqno, r.method, r.path);
        let resp = timeout("a response", client.request(req))
            .await?
            .with_context(ctx)?;
        let want = &case.response;
        if resp.status().as_u16() != want.status {
            let status = resp.status();
            let text = resp
                .into_body()
                .collect()
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            bail!(
                "{}: expected status {}, got {status}: {}",
                ctx(),
                want.status,
                String::from_utf8_lossy(&text)
            );
        }
        for (k, v) in &want.headers {
            let got = resp.headers().get(k.as_str()).and_then(|h| h.to_str().ok());
            let got = got.ok_or_else(|| anyhow!("{}: response lacks header {k}", ctx()))?;
            b.match_text(v, got)
                .map_err(|e| anyhow!("{}: header {k}: {e}", ctx()))?;
        }
        if let Some(chunks) = &want.chunks {
            // Keep reading the stream while later requests go out.
            let body = resp.into_body();
            let handle = tokio::spawn(async move { body.collect().await.map(|c| c.to_bytes()) });
            streams.push((case.seqno, chunks.clone(), handle));
            continue;
        }
        let body = timeout("a response body", resp.into_body().collect())
            .await??
            .to_bytes();
        match_body(&mut b, want.body.as_ref(), &body)
            .map_err(|e| anyhow!("{}: body: {e}", ctx()))?;
        bodies.push((case.seqno, body));
    }
    for (seqno, chunks, handle) in streams {
        let body = timeout("a streamed response to end", handle)
            .await?
            .context("stream task")?
            .context("reading the stream")?;
        match_stream(&mut b, &chunks, &body).map_err(|e| anyhow!("case {seqno} stream: {e}"))?;
        bodies.push((seqno, body));
    }
    bodies.sort_by_key(|(s, _)| *s);
    Ok(bodies)
}

#[allow(clippy::result_large_err)] // the handshake callback's signature is tungstenite's
async fn serve_ws(listener: TcpListener, path: String, frames: Vec<Frame>) -> Result<()> {
    let (stream, _) = timeout("a WebSocket connection", listener.accept()).await??;
    let seen_path = Arc::new(Mutex::new(String::new()));
    let sp = seen_path.clone();
    let cb = move |req: &tokio_tungstenite::tungstenite::handshake::server::Request,
                   resp: tokio_tungstenite::tungstenite::handshake::server::Response| {
        *lock(&sp) = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        Ok(resp)
    };
    let mut ws = timeout(
        "the WebSocket handshake",
        tokio_tungstenite::accept_hdr_async(stream, cb),
    )
    .await??;
    let mut b = Bindings::new();
    let got_path = lock(&seen_path).clone();
    b.match_text(&path, &got_path)
        .map_err(|e| anyhow!("upgrade request path: {e}"))?;
    play_ws(&mut ws, &frames, Dir::ServerToClient, &mut b).await?;
    ws.close(None).await.ok();
    Ok(())
}

async fn client_ws(addr: SocketAddr, path: &str, frames: &[Frame]) -> Result<Vec<String>> {
    let mut b = Bindings::new();
    let url = format!("ws://{addr}{}", b.emit(path));
    let stream = timeout("connecting", TcpStream::connect(addr)).await??;
    let (mut ws, _) = timeout(
        "the WebSocket handshake",
        tokio_tungstenite::client_async(url, stream),
    )
    .await??;
    let got = play_ws(&mut ws, frames, Dir::ClientToServer, &mut b).await?;
    ws.close(None).await.ok();
    Ok(got)
}

async fn play_ws<S>(
    ws: &mut tokio_tungstenite::WebSocketStream<S>,
    frames: &[Frame],
    me: Dir,
    b: &mut Bindings,
) -> Result<Vec<String>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut received = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        if f.dir == me {
            ws.send(Message::text(b.emit(&f.text)))
                .await
                .context("sending a frame")?;
            continue;
        }
        let text = loop {
            match timeout("the peer's next frame", ws.next()).await? {
                None => bail!("frame {}: the peer closed; expected {}", i + 1, f.text),
                Some(Err(e)) => bail!("frame {}: {e}", i + 1),
                Some(Ok(Message::Text(t))) => break t.to_string(),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(other)) => bail!("frame {}: expected a text frame, got {other:?}", i + 1),
            }
        };
        match_payload(b, &f.text, &text)
            .map_err(|e| anyhow!("frame {} from the {}: {e}", i + 1, peer(me)))?;
        received.push(text);
    }
    Ok(received)
}
