//! The simulator's PBX state (`SimConfig` builders for identity, clock,
//! dialplan, CLI outputs, seeded challenges), seen through the real client.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, tasks and timeouts drive the code under test
#![cfg(all(feature = "client", feature = "sim"))]

use std::time::Duration;

use ami_proto::Message;
use ami_proto::client::{Client, ClientConfig, EventStream, connect};
use ami_proto::session::{AuthMethod, EventMask, SessionConfig};
use ami_proto::sim::{self, SimConfig, SimHandle};

const CONF: &str = "[general]\nstatic = yes\n\n[globals]\nGLOBALTEST = global-value\n\n[test]\n; 100\nexten => 100,1,NoOp(test 100)\n same => n,Answer()\n same => n,Hangup()\n";

async fn login(pbx: &SimHandle, auth: AuthMethod) -> (Client, EventStream) {
    let session = SessionConfig::new("admin", "amp111")
        .auth(auth)
        .events(EventMask::Off)
        .reconnect(false)
        .ping_interval(None);
    connect(ClientConfig::with_session(pbx.addr().to_string(), session))
        .await
        .expect("login")
}

async fn command(client: &Client, cmd: &str) -> Message {
    let action = Message::action("Command")
        .header("Command", cmd)
        .build()
        .unwrap();
    match client.send(&action).await {
        Ok(m) => m,
        Err(e) if e.is_rejected() => e.vendor_error().cloned().expect("the error response"),
        Err(e) => panic!("Command {cmd}: {e}"),
    }
}

fn output(m: &Message) -> Vec<&str> {
    m.get_all("Output").collect()
}

#[tokio::test]
async fn seeded_challenge_is_handed_out_first_then_the_counter() {
    let pbx = sim::start(SimConfig::default().challenges(["188504532"]))
        .await
        .unwrap();
    // The MD5 login of the crate's session answers whatever challenge
    // comes; the first one is the seeded one.
    let (c1, _e1) = login(&pbx, AuthMethod::Md5).await;
    let (c2, _e2) = login(&pbx, AuthMethod::Md5).await;
    assert_eq!(pbx.stats().logins, 2);
    c1.close().await.unwrap();
    c2.close().await.unwrap();
}

#[tokio::test]
async fn identity_clock_dialplan_and_canned_cli() {
    let config = SimConfig::default()
        .clock_at_start(Duration::from_secs(1_795_261_025))
        .up_before_start(Duration::from_secs(2))
        .build_info("root @ vm on a x86_64 running Linux on 2026-11-21 11:30:01 UTC")
        .first_session_fd(17)
        .extensions_conf("extensions.conf", CONF)
        .cli_output("pjsip   show Endpoints", ["", "Objects found: 0"]);
    let pbx = sim::start(config).await.unwrap();
    let (client, _events) = login(&pbx, AuthMethod::Plain).await;

    let m = command(&client, "core show version").await;
    assert_eq!(
        output(&m),
        [
            "Asterisk 22.10.1 built by root @ vm on a x86_64 running Linux on 2026-11-21 11:30:01 UTC"
        ]
    );
    let m = command(&client, "core show uptime").await;
    assert_eq!(
        output(&m),
        ["System uptime: 2 seconds", "Last reload: 2 seconds"]
    );
    let m = command(&client, "manager show connected").await;
    let out = output(&m);
    assert_eq!(out.len(), 3);
    assert!(
        out[0].starts_with("  Username         IP Address"),
        "{out:?}"
    );
    assert_eq!(
        out[1],
        format!(
            "  {:<15}  {:<55}  1795261025  0           17        0         2147483647  2147483647",
            "admin", "127.0.0.1"
        )
    );
    assert_eq!(out[2], "1 users connected.");

    let m = command(&client, "dialplan show 100@test").await;
    assert_eq!(m.get("Response"), Some("Success"));
    assert_eq!(
        output(&m),
        [
            "[ Context 'test' created by 'pbx_config' ]",
            "  '100' =>          1. NoOp(test 100)                             [extensions.conf:9]",
            "                    2. Answer()                                   [extensions.conf:10]",
            "                    3. Hangup()                                   [extensions.conf:11]",
            "",
            "-= 1 extension (3 priorities) in 1 context. =-",
        ]
    );
    let m = command(&client, "pjsip show endpoints").await;
    assert_eq!(m.get("Response"), Some("Success"));
    assert_eq!(output(&m), ["", "Objects found: 0"]);
    let m = command(&client, "pjsip show aors").await;
    assert_eq!(m.get("Response"), Some("Error"));

    // [globals] of the extensions.conf.
    let getvar = Message::action("Getvar")
        .header("Variable", "GLOBALTEST")
        .build()
        .unwrap();
    let m = client.send(&getvar).await.unwrap();
    assert_eq!(m.get("Value"), Some("global-value"));

    // The clock: Ping's timestamp is the configured time (plus the test's
    // few milliseconds).
    let ping = Message::action("Ping").build().unwrap();
    let m = client.send(&ping).await.unwrap();
    assert!(
        m.get("Timestamp").unwrap().starts_with("1795261025."),
        "{m:?}"
    );
    client.close().await.unwrap();
}

/// An unpaced scenario takes no time: an action sent while it plays (here
/// a `Logoff` sent as soon as its first event arrives) is answered after
/// the scenario's last event, never in the middle.
#[tokio::test]
async fn unpaced_scenario_completes_before_the_next_action() {
    use ami_proto::codec::{Decoded, Decoder};
    use ami_proto::sim::Scenario;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    for _ in 0..20 {
        let pbx = sim::start(SimConfig::default().successful_auth_event(false))
            .await
            .unwrap();
        let run = pbx.run_scenario(Scenario::blind_transfer("1001", "1002", "1003"));
        let logged_in = pbx.logged_in();
        let played = tokio::spawn(async move {
            assert!(logged_in.await);
            run.await.unwrap().len()
        });
        let mut tcp = tokio::net::TcpStream::connect(pbx.addr()).await.unwrap();
        tcp.write_all(b"Action: Login\r\nUsername: admin\r\nSecret: amp111\r\nEvents: on\r\n\r\n")
            .await
            .unwrap();
        let mut dec = Decoder::client();
        let mut buf = bytes::BytesMut::new();
        let mut msgs = Vec::new();
        let mut logged_off = false;
        loop {
            while let Some(Ok(d)) = dec.decode(&mut buf) {
                if let Decoded::Message(m) = d {
                    if m.is_event("Newchannel") && !logged_off {
                        logged_off = true;
                        tcp.write_all(b"Action: Logoff\r\n\r\n").await.unwrap();
                    }
                    msgs.push(m);
                }
            }
            let n = tokio::time::timeout(Duration::from_secs(5), tcp.read_buf(&mut buf))
                .await
                .unwrap()
                .unwrap();
            if n == 0 {
                break;
            }
        }
        let played = played.await.unwrap();
        // Login response, FullyBooted, the scenario, Goodbye.
        assert_eq!(msgs.len(), played + 3, "{msgs:#?}");
        assert_eq!(msgs.last().unwrap().get("Response"), Some("Goodbye"));
        assert!(msgs[msgs.len() - 2].is_event("DeviceStateChange"));
    }
}

/// A device whose state is `UNAVAILABLE` cannot be originated to.
#[tokio::test]
async fn originate_to_an_unavailable_device_fails() {
    let pbx = sim::start(SimConfig::default().device_state("PJSIP/alice", "UNAVAILABLE"))
        .await
        .unwrap();
    let (client, _events) = login(&pbx, AuthMethod::Plain).await;
    let originate = |to: &str| {
        Message::action("Originate")
            .header("Channel", to)
            .header("Context", "test")
            .header("Exten", "100")
            .header("Priority", "1")
            .build()
            .unwrap()
    };
    let e = client.send(&originate("PJSIP/alice")).await.unwrap_err();
    assert_eq!(
        e.vendor_error().and_then(|m| m.get("Message")),
        Some("Originate failed")
    );
    // A device without a state set is reachable.
    let m = client.send(&originate("PJSIP/1001")).await.unwrap();
    assert_eq!(m.get("Message"), Some("Originate successfully queued"));
    client.close().await.unwrap();
}

/// An AMI 1.1 PBX: its banner, and `FullyBooted` with `Status` only.
#[tokio::test]
async fn ami_version_sets_the_banner_and_the_legacy_fully_booted() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let pbx = sim::start(
        SimConfig::default()
            .ami_version("1.1")
            .successful_auth_event(false),
    )
    .await
    .unwrap();
    let mut tcp = tokio::net::TcpStream::connect(pbx.addr()).await.unwrap();
    tcp.write_all(
        b"Action: Login\r\nUsername: admin\r\nSecret: amp111\r\n\r\nAction: Logoff\r\n\r\n",
    )
    .await
    .unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut bytes))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "Asterisk Call Manager/1.1\r\n\
         Response: Success\r\nMessage: Authentication accepted\r\n\r\n\
         Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n\
         Response: Goodbye\r\nMessage: Thanks for all the fish.\r\n\r\n"
    );
}
