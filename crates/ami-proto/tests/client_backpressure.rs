//! Back-pressure (issue 10, item 11): a consumer that keeps up on average
//! loses nothing, even on a current-thread runtime where the driver and the
//! consumer take turns; a consumer that stops gets `Lagged` at the place of
//! the gap, with the exact number missed, after the stall limit.
//!
//! The server is a plain thread with blocking sockets (outside the
//! runtime), streaming numbered events as fast as loopback takes them.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, threads and timeouts drive the code under test
#![cfg(feature = "client")]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;
use std::time::Duration;

use ami_proto::client::{ClientConfig, ClientEvent, LinkEvent, connect};
use ami_proto::session::{AuthMethod, SessionConfig};

/// Events shaped as a real Asterisk 22 sends them (a Newstate, a VarSet, a
/// DeviceStateChange in turn: about the mean size of a real call's events),
/// numbered by `Seq`.
fn event(seq: u64) -> String {
    match seq % 3 {
        0 => format!(
            "Event: Newstate\r\nPrivilege: call,all\r\nChannel: PJSIP/1001-0000002a\r\n\
             ChannelState: 6\r\nChannelStateDesc: Up\r\nCallerIDNum: 1001\r\nCallerIDName: Alice\r\n\
             ConnectedLineNum: 1002\r\nConnectedLineName: Bob\r\nLanguage: en\r\nAccountCode: \r\n\
             Context: from-internal\r\nExten: 1002\r\nPriority: 1\r\nUniqueid: 1796305349.{seq}\r\n\
             Linkedid: 1796305349.1\r\nSeq: {seq}\r\n\r\n"
        ),
        1 => format!(
            "Event: VarSet\r\nPrivilege: dialplan,all\r\nChannel: Local/200@test-00000001;2\r\n\
             Uniqueid: 1796305349.{seq}\r\nLinkedid: 1796305349.1\r\nVariable: ORIGID\r\n\
             Value: h-seq-200\r\nSeq: {seq}\r\n\r\n"
        ),
        _ => format!(
            "Event: DeviceStateChange\r\nPrivilege: call,all\r\nDevice: Local/200@test\r\n\
             State: INUSE\r\nSeq: {seq}\r\n\r\n"
        ),
    }
}

/// Accepts one client, logs it in, streams `n` events, then waits for the
/// client to go away (so it never reconnects).
fn server(n: u64) -> (SocketAddr, JoinHandle<()>) {
    server_then(n, None)
}

/// As [`server`], telling `written` once all events are written.
fn server_then(
    n: u64,
    written: Option<tokio::sync::oneshot::Sender<()>>,
) -> (SocketAddr, JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    // Built before the client connects, so that the server is always ahead
    // of the client (as a real Asterisk in a burst is).
    let mut stream = String::new();
    for seq in 0..n {
        stream.push_str(&event(seq));
    }
    let h = std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut w = s.try_clone().unwrap();
        let mut r = BufReader::new(s);
        w.write_all(b"Asterisk Call Manager/11.0.0\r\n").unwrap();
        let mut id = String::new();
        loop {
            let mut line = String::new();
            assert!(r.read_line(&mut line).unwrap() > 0, "client went away");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("ActionID: ") {
                id = v.to_owned();
            }
        }
        w.write_all(
            format!(
                "Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
        w.write_all(stream.as_bytes()).unwrap();
        if let Some(tx) = written {
            let _ = tx.send(());
        }
        // Until the client logs off (answered with Goodbye) or goes away.
        let mut logoff = false;
        let mut line = String::new();
        while r.read_line(&mut line).is_ok_and(|k| k > 0) {
            let l = line.trim_end();
            logoff |= l.eq_ignore_ascii_case("Action: Logoff");
            if l.is_empty() && logoff {
                let _ =
                    w.write_all(b"Response: Goodbye\r\nMessage: Thanks for all the fish.\r\n\r\n");
                break;
            }
            line.clear();
        }
    });
    (addr, h)
}

fn config(addr: SocketAddr) -> ClientConfig {
    let session = SessionConfig::new("admin", "pw")
        .auth(AuthMethod::Plain)
        .reconnect(false);
    ClientConfig::with_session(addr.to_string(), session)
}

/// What the consumer saw: events by `Seq`, and lag counts.
#[derive(Default)]
struct Seen {
    next: u64,
    delivered: u64,
    missed: u64,
    lagged: usize,
}

impl Seen {
    /// Checks order and that each `Lagged` is exactly the gap before the
    /// next event.
    fn take(&mut self, ev: ClientEvent, pending_gap: &mut u64) {
        match ev {
            ClientEvent::Event(m) => {
                let seq: u64 = m.get("Seq").unwrap().parse().unwrap();
                assert_eq!(
                    seq,
                    self.next + *pending_gap,
                    "out of order or a gap not reported"
                );
                *pending_gap = 0;
                self.next = seq + 1;
                self.delivered += 1;
            }
            ClientEvent::Link(LinkEvent::Lagged { missed }) => {
                *pending_gap += missed;
                self.missed += missed;
                self.lagged += 1;
            }
            ClientEvent::Link(LinkEvent::Connected) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// A small queue makes the driver's turn (many socket reads before it
/// yields) overflow it for sure, in a debug build too.
#[tokio::test(flavor = "current_thread")]
async fn a_consumer_that_keeps_up_loses_nothing_on_a_current_thread_runtime() {
    const N: u64 = 60_000;
    let (addr, srv) = server(N);
    let (client, mut events) = connect(config(addr).event_queue(64)).await.unwrap();
    let mut seen = Seen::default();
    let mut gap = 0;
    while seen.delivered + seen.missed < N {
        let ev = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("events stopped coming")
            .expect("stream ended early");
        seen.take(ev, &mut gap);
    }
    assert_eq!((seen.delivered, seen.missed, seen.lagged), (N, 0, 0));
    client.close().await.unwrap();
    srv.join().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_that_keeps_up_loses_nothing_on_a_multi_thread_runtime() {
    const N: u64 = 60_000;
    let (addr, srv) = server(N);
    let (client, mut events) = connect(config(addr)).await.unwrap();
    let mut seen = Seen::default();
    let mut gap = 0;
    while seen.delivered + seen.missed < N {
        let ev = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("events stopped coming")
            .expect("stream ended early");
        seen.take(ev, &mut gap);
    }
    assert_eq!((seen.delivered, seen.missed, seen.lagged), (N, 0, 0));
    client.close().await.unwrap();
    srv.join().unwrap();
}

/// A consumer that stops: the driver waits the stall limit, then reads on
/// (the server can write everything although nobody reads); the consumer
/// then gets every event it did not miss, in order, and each gap as one
/// `Lagged` with its exact size. (The stall limit's timing itself is tested
/// under explicit time in `cti_client::events`.)
#[tokio::test(flavor = "current_thread")]
async fn a_stopped_consumer_gets_lagged_at_the_place_of_the_gap_after_the_stall_limit() {
    // About 43 MB: more than the queue and both socket buffers hold.
    const N: u64 = 100_000;
    let (tx, written) = tokio::sync::oneshot::channel();
    let (addr, srv) = server_then(N, Some(tx));
    let config = config(addr)
        .event_queue(1_000)
        .stall_limit(Duration::from_millis(200));
    let (client, mut events) = connect(config).await.unwrap();
    let mut seen = Seen::default();
    let mut gap = 0;
    for _ in 0..10 {
        let ev = events.recv().await.unwrap();
        seen.take(ev, &mut gap);
    }
    // Stop reading until the server has written all it had.
    tokio::time::timeout(Duration::from_secs(60), written)
        .await
        .expect("the driver never read on for a stopped consumer")
        .unwrap();
    while seen.delivered + seen.missed < N {
        let ev = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("events stopped coming")
            .expect("stream ended early");
        seen.take(ev, &mut gap);
    }
    assert!(
        seen.missed > 0 && seen.lagged >= 1,
        "the stopped consumer missed nothing?"
    );
    assert!(
        seen.delivered >= 1_000,
        "the queue was delivered: {}",
        seen.delivered
    );
    assert_eq!(seen.delivered + seen.missed, N);
    client.close().await.unwrap();
    srv.join().unwrap();
}
