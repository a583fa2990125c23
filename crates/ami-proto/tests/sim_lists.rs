//! List and query actions of the simulator against seeded PBX state
//! (channels, bridges, PJSIP objects, queues, device states, hints),
//! through the real client, and one raw byte check.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, tasks and timeouts drive the code under test
#![cfg(all(feature = "client", feature = "sim"))]

use std::time::Duration;

use ami_proto::Message;
use ami_proto::client::{Client, ClientConfig, EventStream, connect};
use ami_proto::session::{EventMask, SessionConfig};
use ami_proto::sim::{
    self, PjsipEndpoint, PjsipObject, Queue, QueueCaller, QueueMember, SeedBridge, SeedChannel,
    SimConfig, SimHandle,
};

const CONF: &str = "[test]\nexten => 100,1,NoOp(test 100)\n same => n,Hangup()\nexten => 1001,hint,PJSIP/alice\nexten => 1001,1,Dial(PJSIP/alice,5)\nexten => 1002,hint,PJSIP/bob&Custom:bobdnd\nexten => 1003,hint,Local/100@test\n";

fn chan(name: &str, uid: &str, bridge: Option<&str>) -> SeedChannel {
    SeedChannel {
        name: name.to_owned(),
        state: "Up".to_owned(),
        context: "test".to_owned(),
        exten: "500".to_owned(),
        priority: 1,
        uniqueid: uid.to_owned(),
        linkedid: "1.1".to_owned(),
        application: "Wait".to_owned(),
        application_data: "30".to_owned(),
        bridge: bridge.map(str::to_owned),
        format: "slin".to_owned(),
        ..SeedChannel::default()
    }
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn state() -> SimConfig {
    let bridge = SeedBridge {
        id: "b-1".to_owned(),
        bridge_type: "basic".to_owned(),
        technology: "simple_bridge".to_owned(),
        creator: "<unknown>".to_owned(),
        name: "<unknown>".to_owned(),
        video_source_mode: "none".to_owned(),
    };
    SimConfig::default()
        .extensions_conf("extensions.conf", CONF)
        // Local/510;2 is bridged with Local/500;1, whose other half
        // Local/500;2 runs Wait; Local/410;2 waits in queue q2.
        .seed_channel(chan("Local/510@test-00000001;1", "1.1", None))
        .seed_channel(chan("Local/510@test-00000001;2", "1.2", Some("b-1")))
        .seed_channel(chan("Local/500@test-00000002;1", "1.3", Some("b-1")))
        .seed_channel(chan("Local/500@test-00000002;2", "1.4", None))
        .seed_channel(chan("Local/410@test-00000003;2", "1.5", None))
        .seed_bridge(bridge)
        .pjsip_endpoint(PjsipEndpoint {
            name: "bob".to_owned(),
            list: pairs(&[("ObjectType", "endpoint"), ("ObjectName", "bob")]),
            details: vec![(
                "EndpointDetail".to_owned(),
                pairs(&[("ObjectType", "endpoint"), ("ObjectName", "bob")]),
            )],
        })
        .pjsip_auth(PjsipObject {
            name: "bob-auth".to_owned(),
            headers: pairs(&[("ObjectType", "auth"), ("ObjectName", "bob-auth")]),
        })
        .queue(Queue {
            name: "q1".to_owned(),
            strategy: "ringall".to_owned(),
            service_level_perf: "100.0".to_owned(),
            service_level_perf2: "100.0".to_owned(),
            members: vec![
                QueueMember {
                    name: "Busy one".to_owned(),
                    location: "Local/500@test".to_owned(),
                    membership: "static".to_owned(),
                    ..QueueMember::default()
                },
                QueueMember {
                    name: "Free one".to_owned(),
                    location: "Local/100@test".to_owned(),
                    membership: "static".to_owned(),
                    ..QueueMember::default()
                },
            ],
            ..Queue::default()
        })
        .queue(Queue {
            name: "q2".to_owned(),
            strategy: "ringall".to_owned(),
            service_level_perf: "0.0".to_owned(),
            service_level_perf2: "0.0".to_owned(),
            callers: vec![QueueCaller {
                channel: "Local/410@test-00000003;2".to_owned(),
                priority: 0,
                waited: Duration::from_secs(2),
            }],
            ..Queue::default()
        })
        .device_state("PJSIP/alice", "UNAVAILABLE")
        .device_state("PJSIP/bob", "UNAVAILABLE")
}

async fn login(pbx: &SimHandle) -> (Client, EventStream) {
    let session = SessionConfig::new("admin", "amp111")
        .events(EventMask::Off)
        .reconnect(false)
        .ping_interval(None);
    connect(ClientConfig::with_session(pbx.addr().to_string(), session))
        .await
        .expect("login")
}

fn action(name: &str, headers: &[(&str, &str)]) -> Message {
    let mut b = Message::action(name).header("ActionID", &format!("{name}-1"));
    for (k, v) in headers {
        b = b.header(k, v);
    }
    b.build().unwrap()
}

fn names(m: &Message) -> Vec<&str> {
    m.headers().map(|h| h.name()).collect()
}

#[tokio::test]
async fn channels_bridges_and_channel_map_from_seeded_state() {
    let pbx = sim::start(state()).await.unwrap();
    let (client, _events) = login(&pbx).await;

    let l = client
        .send_list(&action("CoreShowChannels", &[]))
        .await
        .unwrap();
    assert_eq!(l.items.len(), 5);
    assert_eq!(names(&l.items[0])[..2], ["Event", "ActionID"]);
    assert_eq!(l.items[1].get("BridgeId"), Some("b-1"));
    let done = l.complete.unwrap();
    assert_eq!(done.get("EventList"), Some("Complete"));
    assert_eq!(done.get("ListItems"), Some("5"));

    // Status: ActionID last, the channel's technology and format.
    let l = client
        .send_list(&action(
            "Status",
            &[("Channel", "Local/510@test-00000001;2")],
        ))
        .await
        .unwrap();
    let item = &l.items[0];
    assert_eq!(names(item).last(), Some(&"ActionID"));
    assert_eq!(item.get("Type"), Some("Local"));
    assert_eq!(item.get("Nativeformats"), Some("(slin)"));

    // Through the bridge to Local/500;1, then across to its other half.
    let l = client
        .send_list(&action(
            "CoreShowChannelMap",
            &[("Channel", "Local/510@test-00000001;2")],
        ))
        .await
        .unwrap();
    let connected: Vec<&str> = l
        .items
        .iter()
        .map(|m| m.get("ConnectedChannel").unwrap())
        .collect();
    assert_eq!(
        connected,
        ["Local/500@test-00000002;1", "Local/500@test-00000002;2"]
    );

    let l = client.send_list(&action("BridgeList", &[])).await.unwrap();
    assert_eq!(l.items.len(), 1);
    assert_eq!(l.items[0].get("BridgeNumChannels"), Some("2"));
    client.close().await.unwrap();
}

#[tokio::test]
async fn queues_count_callers_and_read_member_state_from_devices() {
    let pbx = sim::start(state()).await.unwrap();
    let (client, _events) = login(&pbx).await;
    let l = client.send_list(&action("QueueStatus", &[])).await.unwrap();
    let kinds: Vec<&str> = l.items.iter().map(|m| m.name().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "QueueParams",
            "QueueMember",
            "QueueMember",
            "QueueParams",
            "QueueEntry"
        ]
    );
    for item in &l.items {
        assert_eq!(names(item).last(), Some(&"ActionID"), "{item:?}");
    }
    // Local/500@test has channels: in use (2); Local/100@test: not (1).
    assert_eq!(l.items[1].get("Status"), Some("2"));
    assert_eq!(l.items[2].get("Status"), Some("1"));
    assert_eq!(l.items[3].get("Calls"), Some("1"));
    assert_eq!(l.items[4].get("CallerIDNum"), Some("unknown"));
    assert_eq!(l.items[4].get("Uniqueid"), Some("1.5"));
    assert_eq!(l.complete.unwrap().get("ListItems"), Some("5"));

    let l = client
        .send_list(&action("QueueSummary", &[]))
        .await
        .unwrap();
    assert_eq!(l.items[0].get("LoggedIn"), Some("2"));
    assert_eq!(l.items[0].get("Available"), Some("1"));
    assert_eq!(l.items[1].get("Callers"), Some("1"));
    assert_eq!(names(&l.items[0]).last(), Some(&"ActionID"));
    client.close().await.unwrap();
}

#[tokio::test]
async fn hints_device_states_dialplan_and_empty_lists() {
    let pbx = sim::start(state()).await.unwrap();
    let (client, _events) = login(&pbx).await;

    let l = client
        .send_list(&action("ExtensionStateList", &[]))
        .await
        .unwrap();
    let states: Vec<(&str, &str)> = l
        .items
        .iter()
        .map(|m| (m.get("Exten").unwrap(), m.get("StatusText").unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("1001", "Unavailable"),
            ("1002", "Unavailable"),
            ("1003", "Idle")
        ]
    );
    let m = client
        .send(&action(
            "ExtensionState",
            &[("Exten", "1002"), ("Context", "test")],
        ))
        .await
        .unwrap();
    assert_eq!(m.get("Hint"), Some("PJSIP/bob&Custom:bobdnd"));
    assert_eq!(m.get("Status"), Some("4"));

    let l = client
        .send_list(&action("DeviceStateList", &[]))
        .await
        .unwrap();
    assert_eq!(l.items.len(), 2);
    assert!(l.items.iter().all(|m| m.is_event("DeviceStateChange")));

    let l = client
        .send_list(&action(
            "ShowDialPlan",
            &[("Context", "test"), ("Extension", "100")],
        ))
        .await
        .unwrap();
    assert_eq!(l.items.len(), 2);
    assert_eq!(l.items[1].get("AppData"), Some(""));
    let done = l.complete.unwrap();
    assert_eq!(done.get("ListPriorities"), Some("2"));
    assert_eq!(done.get("ListContexts"), Some("1"));

    let l = client.send_list(&action("Agents", &[])).await.unwrap();
    assert!(l.items.is_empty());
    assert_eq!(l.complete.unwrap().get("ListItems"), Some("0"));
    let e = client
        .send(&action("ConfbridgeListRooms", &[]))
        .await
        .unwrap_err();
    assert_eq!(
        e.vendor_error().and_then(|m| m.get("Message")),
        Some("No active conferences.")
    );

    let l = client
        .send_list(&action("PJSIPShowEndpoint", &[("Endpoint", "bob")]))
        .await
        .unwrap();
    assert_eq!(l.items[0].name(), Some("EndpointDetail"));
    assert_eq!(l.complete.unwrap().name(), Some("EndpointDetailComplete"));
    let l = client
        .send_list(&action("PJSIPShowAuths", &[]))
        .await
        .unwrap();
    assert_eq!(l.items.len(), 1);

    let m = client.send(&action("ListCommands", &[])).await.unwrap();
    assert_eq!(
        m.get("QueueStatus"),
        Some("Show queue status.  (Priv: <none>)")
    );
    client.close().await.unwrap();
}

/// An empty PJSIP list is an error whose message ends in a bare LF, byte
/// for byte as Asterisk 22 writes it.
#[tokio::test]
async fn empty_pjsip_contacts_is_an_error_with_a_bare_lf() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let pbx = sim::start(state()).await.unwrap();
    let mut tcp = tokio::net::TcpStream::connect(pbx.addr()).await.unwrap();
    tcp.write_all(b"Action: Login\r\nUsername: admin\r\nSecret: amp111\r\nEvents: off\r\n\r\nAction: PJSIPShowContacts\r\nActionID: c-1\r\n\r\nAction: Logoff\r\n\r\n")
        .await
        .unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut bytes))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains(
            "\r\n\r\nResponse: Error\r\nActionID: c-1\r\nMessage: No Contacts found\n\r\n\r\nResponse: Goodbye"
        ),
        "{text:?}"
    );
}

/// With no PJSIP objects configured, the object lists are errors but the
/// inbound registrations list is an empty list, as Asterisk answers them.
#[tokio::test]
async fn empty_pjsip_lists_error_but_inbound_registrations_are_an_empty_list() {
    let pbx = sim::start(SimConfig::default()).await.unwrap();
    let (client, _events) = login(&pbx).await;
    for (act, text) in [
        ("PJSIPShowEndpoints", "No endpoints found"),
        ("PJSIPShowAors", "No AORs found"),
        ("PJSIPShowAuths", "No Auths found"),
    ] {
        let e = client.send(&action(act, &[])).await.unwrap_err();
        assert_eq!(
            e.vendor_error().and_then(|m| m.get("Message")),
            Some(text),
            "{act}"
        );
    }
    let l = client
        .send_list(&action("PJSIPShowRegistrationsInbound", &[]))
        .await
        .unwrap();
    assert!(l.items.is_empty());
    let done = l.complete.unwrap();
    assert_eq!(done.name(), Some("InboundRegistrationDetailComplete"));
    assert_eq!(done.get("ListItems"), Some("0"));
    client.close().await.unwrap();
}
