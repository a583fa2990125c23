//! The real client against the simulator: MD5 login, actions and lists, a
//! whole call normalized, reconnect after the simulator drops the
//! connection, tiny write chunks, refused login.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, tasks and timeouts drive the code under test
#![cfg(all(feature = "client", feature = "sim"))]

use std::time::Duration;

use ami_proto::client::{ClientConfig, ClientEvent, EventStream, LinkEvent, connect};
use ami_proto::normalize::Normalizer;
use ami_proto::session::SessionConfig;
use ami_proto::sim::{self, Scenario, SimConfig};
use ami_proto::{Event, Message};
use cti_core::{BackoffConfig, Cause, DeviceState, EventKind, Timestamp};
use tokio::time::timeout;

const T: Duration = Duration::from_secs(5);

fn config(addr: std::net::SocketAddr) -> ClientConfig {
    let session = SessionConfig::new("admin", "amp111").backoff(
        BackoffConfig::default()
            .initial(Duration::from_millis(20))
            .jitter(0.0),
        3,
    );
    ClientConfig::with_session(addr.to_string(), session)
}

async fn next_event(events: &mut EventStream) -> ClientEvent {
    timeout(T, events.recv())
        .await
        .expect("an event in time")
        .expect("the stream is open")
}

/// Collects normalized call events until the call has ended.
async fn normalized_call(events: &mut EventStream) -> Vec<EventKind> {
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    loop {
        if let ClientEvent::Event(m) = next_event(events).await {
            n.push(&m, Timestamp::EPOCH, &mut out);
            if out
                .iter()
                .any(|e| matches!(e.kind, EventKind::Ended { .. }))
                && m.is_event("DeviceStateChange")
            {
                return out.into_iter().map(|e| e.kind).collect();
            }
        }
    }
}

#[tokio::test]
async fn md5_login_actions_lists_and_a_whole_call() {
    let pbx = sim::start(SimConfig::default()).await.unwrap();
    let (client, mut events) = connect(config(pbx.addr())).await.unwrap();
    assert_eq!(pbx.stats().logins, 1);

    let pong = client
        .send(&Message::action("Ping").build().unwrap())
        .await
        .unwrap();
    assert_eq!(pong.get("Ping"), Some("Pong"));
    let list = client
        .send_list(&Message::action("CoreShowChannels").build().unwrap())
        .await
        .unwrap();
    assert!(list.items.is_empty() && !list.is_error());
    assert_eq!(
        list.complete.as_ref().and_then(|c| c.get("ListItems")),
        Some("0")
    );
    let err = client
        .send(&Message::action("NoSuchAction").build().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_rejected());
    assert!(
        err.vendor_error()
            .and_then(|m| m.get("Message"))
            .unwrap_or_default()
            .starts_with("Invalid/unknown command")
    );

    let originate = ami_proto::actions::Originate::new("PJSIP/1001")
        .exten("1002")
        .context("from-internal")
        .priority(1)
        .async_(true);
    let msg = ami_proto::Action::into_message(originate).unwrap();
    let queued = client.send(&msg).await.unwrap();
    assert_eq!(queued.get("Message"), Some("Originate successfully queued"));

    let kinds = normalized_call(&mut events).await;
    let summary: Vec<String> = kinds
        .iter()
        .map(|k| match k {
            EventKind::Originated { from, .. } => format!("originated {}", from.device),
            EventKind::Alerting { party, caller, .. } => {
                format!(
                    "alerting {} from {}",
                    party.device,
                    caller
                        .as_ref()
                        .map(|c| c.device.to_string())
                        .unwrap_or_default()
                )
            }
            EventKind::Answered { party, .. } => format!("answered {}", party.device),
            EventKind::PartyCleared { party, cause, .. } => {
                format!("cleared {} {cause}", party.device)
            }
            EventKind::Ended { cause, .. } => format!("ended {cause}"),
            EventKind::DeviceState { device, state } => format!("device {device} {state}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "originated PJSIP/1001",
            "device PJSIP/1001 busy",
            "alerting PJSIP/1002 from PJSIP/1001",
            "device PJSIP/1002 ringing",
            "answered PJSIP/1002",
            "device PJSIP/1002 busy",
            "cleared PJSIP/1002 normal",
            "device PJSIP/1002 idle",
            "cleared PJSIP/1001 normal",
            "ended normal",
            "device PJSIP/1001 idle",
        ]
    );
    let calls: std::collections::HashSet<_> =
        kinds.iter().filter_map(|k| k.call().cloned()).collect();
    assert_eq!(calls.len(), 1, "one call id for every leg");
    assert!(kinds.iter().all(|k| !matches!(
        k,
        EventKind::DeviceState {
            state: DeviceState::Other(_),
            ..
        }
    )));
    assert!(kinds.iter().any(|k| matches!(
        k,
        EventKind::Ended {
            cause: Cause::Normal,
            ..
        }
    )));

    // The typed view of the OriginateResponse that follows.
    loop {
        if let ClientEvent::Event(m) = next_event(&mut events).await
            && let Ok(Event::OriginateResponse(r)) = Event::from_message(m)
        {
            assert_eq!(r.message().action_id(), queued.action_id());
            break;
        }
    }
    client.close().await.unwrap();
}

#[tokio::test]
async fn reconnects_after_the_simulator_drops_the_connection() {
    let pbx = sim::start(SimConfig::default()).await.unwrap();
    let (client, mut events) = connect(config(pbx.addr())).await.unwrap();
    // From now on, every connection is cut after two messages.
    pbx.faults().set_drop_after_messages(Some(2));
    let _ = pbx
        .run_scenario(Scenario::basic_call("1001", "1002"))
        .await
        .unwrap();
    let mut saw = Vec::new();
    while saw.len() < 2 {
        match next_event(&mut events).await {
            ClientEvent::Link(LinkEvent::Reconnecting { attempt, .. }) => {
                saw.push(format!("reconnecting {attempt}"))
            }
            ClientEvent::Link(LinkEvent::Reconnected { gap }) => {
                saw.push(format!("reconnected gap={gap}"));
            }
            _ => {}
        }
    }
    assert_eq!(saw, ["reconnecting 1", "reconnected gap=true"]);
    pbx.faults().set_drop_after_messages(None);
    // The login of the new connection counts; actions work again.
    let pong = timeout(T, async {
        loop {
            match client.send(&Message::action("Ping").build().unwrap()).await {
                Ok(p) => break p,
                Err(e) if e.is_closed() || e.is_reconnecting() => {
                    tokio::time::sleep(Duration::from_millis(20)).await
                }
                Err(e) => panic!("{e}"),
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(pong.get("Ping"), Some("Pong"));
    assert!(pbx.stats().logins >= 2);
}

#[tokio::test]
async fn one_byte_writes_change_nothing() {
    let pbx = sim::start(SimConfig::default().write_chunk(Some(1)))
        .await
        .unwrap();
    let (client, _events) = connect(config(pbx.addr())).await.unwrap();
    let status = client
        .send(&Message::action("CoreStatus").build().unwrap())
        .await
        .unwrap();
    assert_eq!(status.get("Response"), Some("Success"));
}

#[tokio::test]
async fn refused_login() {
    let pbx = sim::start(SimConfig::default().auth_failure_delay(Duration::ZERO))
        .await
        .unwrap();
    let mut cfg = config(pbx.addr());
    cfg.session = SessionConfig::new("admin", "wrong");
    let err = connect(cfg).await.unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(pbx.stats().failed_logins, 1);
}
