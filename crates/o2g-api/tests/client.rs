//! The real client against the simulator, end to end: bootstrap, typed
//! requests, events, and recovery when the simulator turns its fault
//! knobs. Everything on 127.0.0.1; every wait is bounded.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, tasks and timeouts drive the code under test
#![cfg(all(feature = "client", feature = "sim"))]

use std::time::Duration;

use http::StatusCode;
use o2g_api::Event;
use o2g_api::client::LinkEvent;
use o2g_api::client::{ClientConfig, ClientEvent, EventStream, Roots, connect};
use o2g_api::codec::endpoints::telephony::{AnswerCall, MakeCall, ReleaseCall};
use o2g_api::codec::endpoints::users::{GetUser, ListLogins};
use o2g_api::session::{SessionConfig, SessionError};
use o2g_api::sim::{self, InitialState, SimConfig, SimHandle};
use o2g_api::types::{Package, Selector, SubscriptionRequest};

const WAIT: Duration = Duration::from_secs(10);

async fn pbx() -> SimHandle {
    let config = SimConfig::default()
        .initial_state(InitialState::Never)
        .initial_event_summary(false);
    match sim::start(config).await {
        Ok(s) => s,
        Err(e) => panic!("simulator: {e}"),
    }
}

fn admin(sim: &SimHandle) -> ClientConfig {
    ClientConfig::with_session(
        SessionConfig::new(sim.base_url(), "admin", "admin")
            .application("client-test")
            .subscribe(SubscriptionRequest::new(
                vec![Selector::new(
                    vec![Package::Telephony],
                    ["oxe1001", "oxe1002"],
                )],
                10,
            )),
    )
}

/// The next event that is not a channel-information line.
async fn next(events: &mut EventStream) -> ClientEvent {
    loop {
        match tokio::time::timeout(WAIT, events.recv()).await {
            Ok(Some(ClientEvent::Event(Event::ChannelInformation(_)))) => {}
            Ok(Some(e)) => return e,
            Ok(None) => panic!("the event stream ended"),
            Err(_) => panic!("no event within {WAIT:?}"),
        }
    }
}

/// Skips to the first telephony event of `login` named `name`.
async fn expect(events: &mut EventStream, name: &str, login: &str) -> Event {
    for _ in 0..100 {
        if let ClientEvent::Event(e) = next(events).await
            && e.name() == name
            && e.login_name() == Some(login)
        {
            return e;
        }
    }
    panic!("no {name} for {login}");
}

async fn link(events: &mut EventStream) -> LinkEvent {
    for _ in 0..100 {
        if let ClientEvent::Link(l) = next(events).await {
            return l;
        }
    }
    panic!("no link event");
}

fn call_ref(e: &Event) -> String {
    match e {
        Event::CallCreated(c) => c.call_ref.clone(),
        other => panic!("not OnCallCreated: {other:?}"),
    }
}

/// Makes a call 1001 → 1002 and returns both users' call references.
async fn call(client: &o2g_api::client::Client, events: &mut EventStream) -> (String, String) {
    let made = client
        .send(&MakeCall::new("1001", "1002").login_name("oxe1001"))
        .await;
    assert!(made.is_ok(), "{made:?}");
    let r1 = call_ref(&expect(events, "OnCallCreated", "oxe1001").await);
    let r2 = call_ref(&expect(events, "OnCallCreated", "oxe1002").await);
    (r1, r2)
}

#[tokio::test]
async fn the_seed_flow_end_to_end() {
    let sim = pbx().await;
    let (client, mut events) = match connect(admin(&sim)).await {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}"),
    };
    assert_eq!(link(&mut events).await, LinkEvent::Connected);
    let info = client.session_info().await;
    assert!(info.as_ref().is_some_and(|i| i.admin), "{info:?}");

    let logins = client.send(&ListLogins::new()).await;
    let Ok(logins) = logins else {
        panic!("{logins:?}")
    };
    assert_eq!(logins, ["oxe1001", "oxe1002", "oxe1003"]);
    let user = client.send(&GetUser::new("oxe1002")).await;
    let Ok(user) = user else { panic!("{user:?}") };
    assert_eq!(user.last_name, "Petit");

    let (r1, r2) = call(&client, &mut events).await;
    let answered = client
        .send(&AnswerCall::new(r2.as_str(), "1002").login_name("oxe1002"))
        .await;
    assert!(answered.is_ok(), "{answered:?}");
    expect(&mut events, "OnCallModified", "oxe1002").await;
    let released = client
        .send(&ReleaseCall::new(r1.as_str()).login_name("oxe1001"))
        .await;
    assert!(released.is_ok(), "{released:?}");
    expect(&mut events, "OnCallRemoved", "oxe1001").await;
    expect(&mut events, "OnCallRemoved", "oxe1002").await;

    // An unknown call reference is a typed error with the body's detail.
    let gone = client
        .send(&ReleaseCall::new(r1.as_str()).login_name("oxe1001"))
        .await;
    match gone {
        Err(e) => {
            assert!(e.is_rejected(), "{e}");
            assert_eq!(e.status(), Some(StatusCode::NOT_FOUND));
            let t = e.vendor_error().and_then(|b| b.telephony.as_ref());
            assert_eq!(
                t.and_then(|t| t.error_type.as_deref()),
                Some("CALL_REFERENCE_NOT_FOUND")
            );
        }
        other => panic!("expected 404, got {other:?}"),
    }

    let closed = client.close().await;
    assert!(closed.is_ok(), "{closed:?}");
    assert_eq!(link(&mut events).await, LinkEvent::Closed { reason: None });
    assert_eq!(sim.stats().sessions, 0, "the session was deleted");
}

#[tokio::test]
async fn a_cleanly_ended_channel_is_polled_again_without_losing_events() {
    let sim = pbx().await;
    let (client, mut events) = match connect(admin(&sim)).await {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}"),
    };
    assert_eq!(link(&mut events).await, LinkEvent::Connected);
    sim.end_channels();
    // Events made while the channel is being re-opened still arrive.
    let (_r1, _r2) = call(&client, &mut events).await;
    for _ in 0..3 {
        sim.end_channels();
        tokio::task::yield_now().await;
    }
    let r = client
        .send(&MakeCall::new("1002", "1001").login_name("oxe1002"))
        .await;
    assert!(r.is_ok(), "{r:?}");
    expect(&mut events, "OnCallCreated", "oxe1002").await;
    assert!(
        sim.stats().requests < 200,
        "no busy loop: {:?}",
        sim.stats()
    );
    let _ = client.close().await;
}

#[tokio::test]
async fn tiny_chunks_give_the_same_events() {
    let sim = pbx().await;
    sim.set_write_chunk(Some(3));
    let (client, mut events) = match connect(admin(&sim)).await {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}"),
    };
    assert_eq!(link(&mut events).await, LinkEvent::Connected);
    let (r1, r2) = call(&client, &mut events).await;
    assert_ne!(r1, r2);
    let _ = client.close().await;
}

#[tokio::test]
async fn an_expired_session_is_recovered_and_the_gap_reported() {
    let sim = pbx().await;
    let (client, mut events) = match connect(admin(&sim)).await {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}"),
    };
    assert_eq!(link(&mut events).await, LinkEvent::Connected);
    assert!(sim.expire_all_sessions() >= 1);
    // The next request is refused; the session notices and recovers.
    let r = client.send(&ListLogins::new()).await;
    assert!(
        matches!(&r, Err(e) if e.status() == Some(StatusCode::UNAUTHORIZED)),
        "{r:?}"
    );
    assert!(matches!(
        link(&mut events).await,
        LinkEvent::Reconnecting { attempt: 1, .. }
    ));
    // Back-off (2 s by default, with jitter) then a whole new session.
    assert_eq!(
        link(&mut events).await,
        LinkEvent::Reconnected { gap: true }
    );
    let (_r1, _r2) = call(&client, &mut events).await;
    let _ = client.close().await;
}

#[tokio::test]
async fn a_dropped_channel_connection_is_polled_again() {
    let sim = pbx().await;
    let (client, mut events) = match connect(admin(&sim)).await {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}"),
    };
    assert_eq!(link(&mut events).await, LinkEvent::Connected);
    sim.abort_channels();
    let (_r1, _r2) = call(&client, &mut events).await;
    let _ = client.close().await;
}

#[tokio::test]
async fn connect_fails_clearly() {
    let sim = pbx().await;
    let mut bad = admin(&sim);
    bad.session.password = cti_core::Secret::new("wrong".into());
    match connect(bad).await {
        Err(e) => {
            assert!(e.is_auth(), "{e}");
            assert_eq!(e.status(), Some(StatusCode::UNAUTHORIZED));
            assert!(matches!(
                e.session_error(),
                Some(SessionError::AuthenticationFailed(_))
            ));
            assert!(
                e.to_string().contains(&sim.base_url()),
                "names the server: {e}"
            );
        }
        Ok(_) => panic!("expected an authentication failure"),
    }

    sim.refuse_next_subscription("too many subscriptions");
    match connect(admin(&sim))
        .await
        .map(drop)
        .map_err(|e| e.session_error().cloned())
    {
        Err(Some(SessionError::SubscriptionRefused(m))) => {
            assert!(m.contains("too many"), "{m}");
        }
        other => panic!("expected a refused subscription, got {other:?}"),
    }

    // Nothing listens on this port any more.
    let addr = sim.addr();
    drop(sim);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let gone = ClientConfig::with_session(SessionConfig::new(
        format!("http://{addr}"),
        "admin",
        "admin",
    ));
    let err = connect(gone).await.map(drop).unwrap_err();
    assert!(
        matches!(err.session_error(), Some(SessionError::Unreachable(_))),
        "{err}"
    );
    assert!(err.is_refused(), "the cause is kept: {err}");
    assert!(
        std::error::Error::source(&err).is_some(),
        "a source chain: {err:?}"
    );
}

#[tokio::test]
async fn tls_verifies_certificates_and_accepts_a_private_ca() {
    use std::sync::Arc;
    use tokio::net::TcpListener;

    // A private CA and a certificate for "localhost" signed by it.
    let ca_key = rcgen::KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut ca_params =
        rcgen::CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("{e}"));
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params
        .self_signed(&ca_key)
        .unwrap_or_else(|e| panic!("{e}"));
    let key = rcgen::KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap_or_else(|e| panic!("{e}"))
        .signed_by(&key, &ca, &ca_key)
        .unwrap_or_else(|e| panic!("{e}"));

    // A TLS front for the simulator: discovery goes over TLS, the URLs the
    // simulator returns are its own (plain HTTP on 127.0.0.1), used as is.
    let sim = pbx().await;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| panic!("{e}"))
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    let front = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = front.local_addr().map(|a| a.port()).unwrap_or_default();
    let backend = sim.addr();
    let front_task = tokio::spawn(async move {
        for _ in 0..8 {
            let Ok((tcp, _)) = front.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await
                    && let Ok(mut up) = tokio::net::TcpStream::connect(backend).await
                {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
                }
            });
        }
    });

    let origin = format!("https://localhost:{port}");
    // Without the CA: refused.
    let strict = ClientConfig::with_session(SessionConfig::new(origin.clone(), "admin", "admin"))
        .roots(Roots::ca_only(Vec::new()));
    assert!(connect(strict).await.is_err());
    let system_only =
        ClientConfig::with_session(SessionConfig::new(origin.clone(), "admin", "admin"));
    match connect(system_only).await {
        Err(e) => {
            assert!(e.is_tls(), "{e}");
            let text = e.to_string();
            assert!(
                text.contains("Roots::ca_only"),
                "says how to trust a private CA: {text}"
            );
        }
        Ok(_) => panic!("an unknown CA must be refused"),
    }
    // With it, the server is trusted; but its answers point to plain-http
    // URLs (the simulator's own address), which are refused: the
    // credentials would travel in clear.
    let downgrade =
        ClientConfig::with_session(SessionConfig::new(origin.clone(), "admin", "admin"))
            .roots(Roots::system_and_ca(ca.pem().into_bytes()));
    match connect(downgrade).await {
        Err(e) => assert!(e.to_string().contains("plain-http"), "{e}"),
        Ok(_) => panic!("an https server's http URLs must be refused"),
    }
    // A lab may allow it explicitly: the session opens.
    let trusted = ClientConfig::with_session(SessionConfig::new(origin, "admin", "admin"))
        .roots(Roots::system_and_ca(ca.pem().into_bytes()))
        .allow_downgrade(true);
    let (client, _events) = match connect(trusted).await {
        Ok(c) => c,
        Err(e) => panic!("with the private CA: {e}"),
    };
    let _ = client.close().await;
    front_task.abort();
}

#[tokio::test]
async fn closing_delivers_the_events_produced_before_it() {
    let sim = pbx().await;
    let (client, mut events) = match connect(admin(&sim)).await {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}"),
    };
    assert_eq!(link(&mut events).await, LinkEvent::Connected);
    sim.set_delay(Some(Duration::from_millis(20)));
    let made = client
        .send(&MakeCall::new("1001", "1002").login_name("oxe1001"))
        .await;
    assert!(made.is_ok(), "{made:?}");
    // Close at once: the subscription is deleted while events are queued.
    let closed = client.close().await;
    assert!(closed.is_ok(), "{closed:?}");
    let mut names = Vec::new();
    loop {
        match next(&mut events).await {
            ClientEvent::Event(e) => {
                names.push(format!("{} {}", e.name(), e.login_name().unwrap_or("")))
            }
            ClientEvent::Link(LinkEvent::Closed { reason: None }) => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        names,
        [
            "OnCallCreated oxe1001",
            "OnUserStateModified oxe1001",
            "OnCallModified oxe1001",
            "OnCallCreated oxe1002",
        ]
    );
}

/// The normalized stream reads the users' telephonic state at login: a
/// call that was already ringing is reported as it is, once, and its later
/// events follow.
#[tokio::test]
async fn the_normalized_stream_adopts_the_calls_already_up() {
    use cti_core::EventKind;
    use futures_util::StreamExt;

    let sim = pbx().await;
    // Another application starts a call before ours connects.
    let (other, mut other_events) = connect(admin(&sim)).await.unwrap();
    other
        .send(MakeCall::new("1001", "1002").login_name("oxe1001"))
        .await
        .unwrap();
    let ringing = expect(&mut other_events, "OnCallCreated", "oxe1002").await;
    let Event::CallCreated(ringing) = ringing else {
        unreachable!()
    };

    let (client, mut events) = o2g_api::client::connect_normalized(admin(&sim))
        .await
        .unwrap();
    let mut kinds = Vec::new();
    let mut answered = false;
    while kinds.len() < 4 {
        let e = tokio::time::timeout(WAIT, events.next())
            .await
            .expect("an event in time")
            .expect("the stream goes on");
        if !matches!(e.kind, EventKind::DeviceState { .. }) {
            kinds.push(e.kind);
        }
        if kinds.len() == 3 && !answered {
            answered = true;
            // Now oxe1002 answers: the stream follows the adopted call.
            client
                .send(AnswerCall::new(ringing.call_ref.as_str(), "1002").login_name("oxe1002"))
                .await
                .unwrap();
        }
    }
    assert_eq!(kinds[0], EventKind::Connected);
    assert!(
        matches!(&kinds[1], EventKind::Originated { from, .. } if from.device.as_str() == "1001"),
        "{kinds:?}"
    );
    assert!(
        matches!(&kinds[2], EventKind::Alerting { party, .. } if party.device.as_str() == "1002"),
        "{kinds:?}"
    );
    assert!(
        matches!(&kinds[3], EventKind::Answered { party, .. } if party.device.as_str() == "1002"),
        "{kinds:?}"
    );
    let calls: std::collections::HashSet<_> =
        kinds.iter().filter_map(|k| k.call().cloned()).collect();
    assert_eq!(calls.len(), 1, "one call: {kinds:?}");
    client.close().await.unwrap();
    assert!(client.is_closed());
    other.close().await.unwrap();
}

/// A server that accepts connections and never answers: `connect` gives up
/// at its deadline instead of waiting for ever (the same deadline ends a
/// connect whose event channel keeps ending before "Chunk started").
#[tokio::test]
async fn connect_to_a_silent_server_fails_at_its_deadline() {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    let config = ClientConfig::new(format!("http://{addr}"), "admin", "admin")
        .connect_deadline(Duration::from_millis(300));
    let err = tokio::time::timeout(WAIT, connect(config))
        .await
        .expect("connect returns")
        .map(drop)
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    server.abort();
}

/// The first reconnect delay after the simulator expires the session.
async fn first_reconnect_delay(sim: &SimHandle, fixed_seeds: bool) -> Duration {
    let mut config = admin(sim);
    config.fixed_seeds = fixed_seeds;
    let (client, mut events) = connect(config).await.unwrap();
    assert_eq!(link(&mut events).await, LinkEvent::Connected);
    sim.expire_all_sessions();
    let _ = client.send(&ListLogins::new()).await;
    let delay = match link(&mut events).await {
        LinkEvent::Reconnecting { delay, .. } => delay,
        other => panic!("{other:?}"),
    };
    drop(client);
    delay
}

/// Issue 10 item 17: the back-off jitter is seeded from the OS per client
/// (a fleet does not come back in lock-step); `fixed_seeds` keeps the
/// configured seed.
#[tokio::test]
async fn two_clients_jitter_their_reconnects_differently() {
    let sim = pbx().await;
    let a = first_reconnect_delay(&sim, false).await;
    let b = first_reconnect_delay(&sim, false).await;
    assert_ne!(a, b, "two clients drew the same jittered delay");
    let c = first_reconnect_delay(&sim, true).await;
    let d = first_reconnect_delay(&sim, true).await;
    assert_eq!(c, d, "fixed seeds give the same delay");
}
