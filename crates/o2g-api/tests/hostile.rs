//! The client against a hostile HTTP server (issue 10, items 6, 7 and 11):
//! a proxy in front of the simulator that passes everything through (with
//! the simulator's URLs rewritten to its own) except what a test replaces —
//! a 400 MB service answer, an event channel that floods.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, tasks and timeouts drive the code under test
#![cfg(all(feature = "client", feature = "sim"))]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::TokioIo;
use o2g_api::Event;
use o2g_api::client::{ClientConfig, ClientEvent, LinkEvent, connect};
use o2g_api::codec::endpoints::telephony::MakeCall;
use o2g_api::session::SessionConfig;
use o2g_api::sim::{self, InitialState, SimConfig, SimHandle};
use o2g_api::types::{Package, Selector, SubscriptionRequest};

const WAIT: Duration = Duration::from_secs(30);

type Body = BoxBody<Bytes, std::io::Error>;

/// What a test puts in place of the simulator's answer.
type Rule = Arc<dyn Fn(&http::request::Parts) -> Option<Response<Body>> + Send + Sync>;

async fn pbx() -> SimHandle {
    let config = SimConfig::default()
        .initial_state(InitialState::Never)
        .initial_event_summary(false);
    sim::start(config).await.unwrap()
}

/// Set (and notified) once a generated body has made its last piece.
#[derive(Default)]
struct Done {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

/// A body of `count` pieces made by `piece(i)`, counting the bytes hyper
/// actually took in `sent` and setting `done` after the last one.
fn generated(
    count: u64,
    piece: impl Fn(u64) -> Bytes + Send + Sync + 'static,
    sent: Arc<AtomicU64>,
    done: Arc<Done>,
) -> Body {
    let stream = futures_util::stream::iter(0..count).map(move |i| {
        let b = piece(i);
        sent.fetch_add(b.len() as u64, Ordering::Relaxed);
        if i + 1 == count {
            done.flag.store(true, Ordering::Release);
            done.notify.notify_one();
        }
        Ok::<_, std::io::Error>(Frame::data(b))
    });
    BodyExt::boxed(StreamBody::new(stream))
}

/// Forwards one request to the simulator; JSON answers get the simulator's
/// address replaced by the proxy's, the event channel streams through.
async fn forward(
    req: Request<Incoming>,
    sim: SocketAddr,
    me: SocketAddr,
) -> Result<Response<Body>, std::io::Error> {
    let io_err = std::io::Error::other;
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map_err(io_err)?.to_bytes();
    let tcp = tokio::net::TcpStream::connect(sim).await?;
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(io_err)?;
    tokio::spawn(conn);
    let resp = send
        .send_request(Request::from_parts(parts.clone(), Full::new(body)))
        .await
        .map_err(io_err)?;
    let (mut rparts, rbody) = resp.into_parts();
    if parts.uri.path().contains("OTEvents") {
        return Ok(Response::from_parts(rparts, rbody.map_err(io_err).boxed()));
    }
    let bytes = rbody.collect().await.map_err(io_err)?.to_bytes();
    let text = String::from_utf8_lossy(&bytes).replace(
        &format!("http://127.0.0.1:{}", sim.port()),
        &format!("http://127.0.0.1:{}", me.port()),
    );
    rparts.headers.remove(http::header::CONTENT_LENGTH);
    Ok(Response::from_parts(
        rparts,
        Full::new(Bytes::from(text))
            .map_err(|e: Infallible| match e {})
            .boxed(),
    ))
}

/// The proxy in front of `sim`; `rule` replaces the answers it wants to.
async fn proxy(sim: &SimHandle, rule: Rule) -> SocketAddr {
    let sim_addr: SocketAddr = sim
        .base_url()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let me = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let rule = rule.clone();
            let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                let rule = rule.clone();
                async move {
                    let (parts, body) = req.into_parts();
                    if let Some(r) = rule(&parts) {
                        return Ok(r);
                    }
                    forward(Request::from_parts(parts, body), sim_addr, me).await
                }
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(s), svc)
                    .await;
            });
        }
    });
    me
}

fn watching(addr: SocketAddr) -> ClientConfig {
    ClientConfig::with_session(
        SessionConfig::new(format!("http://{addr}"), "admin", "admin").subscribe(
            SubscriptionRequest::new(
                vec![Selector::new(vec![Package::Telephony], ["oxe1001"])],
                10,
            ),
        ),
    )
}

/// Item 6: a 400 MB answer to `MakeCall` is an error, and the client stops
/// reading it at its limit (16 MiB by default) instead of holding it all.
#[tokio::test]
async fn a_400_mb_answer_is_an_error_and_is_not_read_to_the_end() {
    let sim = pbx().await;
    let sent = Arc::new(AtomicU64::new(0));
    let done = Arc::new(Done::default());
    let (s, d) = (sent.clone(), done.clone());
    let rule: Rule = Arc::new(move |p| {
        if p.method != http::Method::POST || !p.uri.path().ends_with("/telephony/calls") {
            return None;
        }
        // `{"x":"` then 400 MB of `a` in 64 KiB pieces: valid JSON's start,
        // never finished.
        let piece = Bytes::from(vec![b'a'; 64 * 1024]);
        let body = generated(
            400 * 16,
            move |i| {
                if i == 0 {
                    Bytes::from_static(b"{\"x\":\"")
                } else {
                    piece.clone()
                }
            },
            s.clone(),
            d.clone(),
        );
        let mut r = Response::new(body);
        *r.status_mut() = StatusCode::CREATED;
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            "application/json".parse().unwrap(),
        );
        Some(r)
    });
    let addr = proxy(&sim, rule).await;
    let config = ClientConfig::new(format!("http://{addr}"), "admin", "admin");
    let (client, _events) = tokio::time::timeout(WAIT, connect(config))
        .await
        .unwrap()
        .unwrap();
    let r = tokio::time::timeout(
        WAIT,
        client.send(MakeCall::new("1001", "1002").login_name("oxe1001")),
    )
    .await
    .expect("MakeCall returns");
    let err = r.map(drop).unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
    // Had the client read the answer to its end, the last piece would have
    // been made before the answer could return.
    let sent = sent.load(Ordering::Relaxed);
    assert!(
        !done.flag.load(Ordering::Acquire),
        "the whole 400 MB were read"
    );
    assert!(sent < 100 << 20, "the client kept reading: {sent} bytes");
    let _ = client.close().await;
}

/// An event channel that starts, then floods `count` one-line events
/// (`OnUserStateModified` with a sequence number as the login); only the
/// first poll floods, later ones go to the simulator.
fn flood(count: u64, sent: Arc<AtomicU64>, done: Arc<Done>) -> Rule {
    let first = Arc::new(AtomicBool::new(true));
    Arc::new(move |p| {
        if !p.uri.path().contains("OTEvents") || !first.swap(false, Ordering::AcqRel) {
            return None;
        }
        // Lines in pieces of 256 (about 20 KB), as a busy server writes.
        const PIECE: u64 = 256;
        let body = generated(
            count.div_ceil(PIECE) + 1,
            move |i| {
                if i == 0 {
                    return Bytes::from_static(
                        b"{\"eventName\":\"OnChannelInformation\",\"text\":\"Chunk started\"}\n",
                    );
                }
                let mut piece = String::new();
                for seq in (i - 1) * PIECE..(i * PIECE).min(count) {
                    piece.push_str(&format!(
                        "{{\"eventName\":\"OnUserStateModified\",\"loginName\":\"{seq}\",\"state\":\"BUSY\"}}\n"
                    ));
                }
                Bytes::from(piece)
            },
            sent.clone(),
            done.clone(),
        );
        let mut r = Response::new(body);
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            "application/json".parse().unwrap(),
        );
        Some(r)
    })
}

/// The flood's events as seen: each in order, each gap reported exactly.
#[derive(Default)]
struct Seen {
    next: u64,
    delivered: u64,
    missed: u64,
    lagged: usize,
    gap: u64,
}

impl Seen {
    fn take(&mut self, ev: ClientEvent) {
        match ev {
            ClientEvent::Event(Event::UserStateModified(e)) => {
                let seq: u64 = e.login_name.parse().unwrap();
                assert_eq!(
                    seq,
                    self.next + self.gap,
                    "out of order or a gap not reported"
                );
                self.gap = 0;
                self.next = seq + 1;
                self.delivered += 1;
            }
            ClientEvent::Link(LinkEvent::Lagged { missed }) => {
                self.gap += missed;
                self.missed += missed;
                self.lagged += 1;
            }
            _ => {}
        }
    }
}

/// Items 7 and 11: a consumer that keeps up (current-thread runtime, small
/// queue) loses nothing from a flooding channel.
#[tokio::test(flavor = "current_thread")]
async fn a_consumer_that_keeps_up_loses_nothing_from_a_flooding_channel() {
    const N: u64 = 50_000;
    let sim = pbx().await;
    let (sent, done) = (Arc::new(AtomicU64::new(0)), Arc::new(Done::default()));
    let addr = proxy(&sim, flood(N, sent, done)).await;
    let (client, mut events) = tokio::time::timeout(WAIT, connect(watching(addr).event_queue(64)))
        .await
        .unwrap()
        .unwrap();
    let mut seen = Seen::default();
    while seen.delivered + seen.missed < N {
        let ev = tokio::time::timeout(WAIT, events.recv())
            .await
            .expect("events stop")
            .expect("stream ended");
        seen.take(ev);
    }
    assert_eq!((seen.delivered, seen.missed, seen.lagged), (N, 0, 0));
    let _ = client.close().await;
}

/// Item 7: a consumer that reads nothing while the channel floods: the
/// client reads on after the stall limit, holds at most its queue, and the
/// consumer learns exactly how many it missed, at the place of the gap.
#[tokio::test]
async fn a_flood_with_a_consumer_that_reads_nothing_stays_bounded() {
    // About 30 MB of lines.
    const N: u64 = 400_000;
    const QUEUE: usize = 1_000;
    let sim = pbx().await;
    let (sent, done) = (Arc::new(AtomicU64::new(0)), Arc::new(Done::default()));
    let addr = proxy(&sim, flood(N, sent.clone(), done.clone())).await;
    let config = watching(addr)
        .event_queue(QUEUE)
        .stall_limit(Duration::from_millis(100));
    let (client, mut events) = tokio::time::timeout(WAIT, connect(config))
        .await
        .unwrap()
        .unwrap();
    // Nothing is read until the proxy has handed over the whole flood.
    tokio::time::timeout(WAIT, done.notify.notified())
        .await
        .expect("the client stopped reading the channel");
    let mut seen = Seen::default();
    while seen.delivered + seen.missed < N {
        let ev = tokio::time::timeout(WAIT, events.recv())
            .await
            .expect("events stop")
            .expect("stream ended");
        seen.take(ev);
    }
    assert!(seen.lagged >= 1 && seen.missed > 0);
    // What was held for the consumer: its queue, the reader's hand-over
    // queue (64 chunks) and the bytes in flight — far from the 30 MB sent.
    assert!(
        seen.delivered < N / 4,
        "delivered {} of {N}: the client buffered the flood",
        seen.delivered
    );
    assert_eq!(seen.delivered + seen.missed, N);
    let _ = client.close().await;
    eprintln!(
        "flood: {} bytes sent, {} delivered, {} missed in {} gaps",
        sent.load(Ordering::Relaxed),
        seen.delivered,
        seen.missed,
        seen.lagged
    );
}
