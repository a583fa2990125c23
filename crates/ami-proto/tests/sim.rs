//! The AMI simulator driven over real loopback sockets, as a client sees it.
//! Runs with `--features sim` (or `--all-features`).
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, tasks and timeouts drive the code under test
#![cfg(feature = "sim")]

use std::future::Future;
use std::time::{Duration, Instant};

use ami_proto::Message;
use ami_proto::codec::{DecodeError, Decoded, Decoder};
use ami_proto::session::{
    AuthMethod, Completed, DriverCommand, Session, SessionConfig, SessionEvent,
};
use ami_proto::sim::{self, Scenario, ScenarioOptions, SimConfig, SimHandle};
use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LIMIT: Duration = Duration::from_secs(5);

/// Awaits `f`, failing the test after 5 s.
async fn timed<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(LIMIT, f)
        .await
        .expect("timed out after 5 s")
}

fn config() -> SimConfig {
    SimConfig::default().auth_failure_delay(Duration::ZERO)
}

async fn start(config: SimConfig) -> SimHandle {
    sim::start(config).await.expect("simulator starts")
}

/// A raw client: a socket and the crate's client-side decoder.
struct Client {
    tcp: TcpStream,
    dec: Decoder,
    buf: BytesMut,
}

impl Client {
    async fn connect(sim: &SimHandle) -> Self {
        Self::with_decoder(sim, Decoder::client()).await
    }

    async fn with_decoder(sim: &SimHandle, dec: Decoder) -> Self {
        let tcp = timed(TcpStream::connect(sim.addr())).await.unwrap();
        let mut c = Self {
            tcp,
            dec,
            buf: BytesMut::new(),
        };
        match c.next().await {
            Some(Ok(Decoded::Banner(b))) => assert_eq!(&b[..], b"Asterisk Call Manager/11.0.0"),
            other => panic!("expected the banner, got {other:?}"),
        }
        c
    }

    async fn send(&mut self, text: &str) {
        timed(self.tcp.write_all(text.as_bytes())).await.unwrap();
    }

    /// The next banner, message or decode error; `None` at EOF.
    async fn next(&mut self) -> Option<Result<Decoded, DecodeError>> {
        for _ in 0..100_000 {
            if let Some(r) = self.dec.decode(&mut self.buf) {
                return Some(r);
            }
            let n = timed(self.tcp.read_buf(&mut self.buf)).await.unwrap();
            if n == 0 {
                return None;
            }
        }
        panic!("no complete message after 100000 reads");
    }

    async fn msg(&mut self) -> Message {
        match self.next().await {
            Some(Ok(Decoded::Message(m))) => m,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    async fn expect_eof(&mut self) {
        match self.next().await {
            None => {}
            other => panic!("expected the server to close, got {other:?}"),
        }
    }

    /// Plain login; returns the response (and, with events on, leaves
    /// `FullyBooted`/`SuccessfulAuth` to the caller).
    async fn login(&mut self, events: &str) -> Message {
        self.send(&format!(
            "Action: Login\r\nActionID: login-1\r\nUsername: admin\r\nSecret: amp111\r\nEvents: {events}\r\n\r\n"
        ))
        .await;
        let m = self.msg().await;
        assert_eq!(
            headers(&m),
            [
                ("Response", "Success"),
                ("ActionID", "login-1"),
                ("Message", "Authentication accepted")
            ]
        );
        m
    }

    /// Plain login with events on, consuming `FullyBooted` and
    /// `SuccessfulAuth`.
    async fn login_events(&mut self) {
        self.login("on").await;
        assert!(self.msg().await.is_event("FullyBooted"));
        assert!(self.msg().await.is_event("SuccessfulAuth"));
    }

    /// Reads messages until an event named `name`; returns all of them.
    async fn until_event(&mut self, name: &str) -> Vec<Message> {
        let mut out = Vec::new();
        for _ in 0..1000 {
            let m = self.msg().await;
            let done = m.is_event(name);
            out.push(m);
            if done {
                return out;
            }
        }
        panic!("no {name} within 1000 messages");
    }
}

fn headers(m: &Message) -> Vec<(&str, &str)> {
    m.headers()
        .map(|h| (h.name(), h.value().unwrap_or("<non-utf8>")))
        .collect()
}

fn names(events: &[Message]) -> Vec<&str> {
    events
        .iter()
        .filter(|m| m.kind() == ami_proto::MessageKind::Event)
        .map(|m| m.name().unwrap_or_default())
        .collect()
}

const BASIC_CALL: &[&str] = &[
    "Newchannel",
    "DeviceStateChange",
    "Newstate",
    "Newexten",
    "Newchannel",
    "DialBegin",
    "Newstate",
    "DeviceStateChange",
    "Newstate",
    "DialEnd",
    "Newstate",
    "DeviceStateChange",
    "BridgeCreate",
    "BridgeEnter",
    "BridgeEnter",
    "VarSet",
    "VarSet",
    "HangupRequest",
    "BridgeLeave",
    "BridgeLeave",
    "BridgeDestroy",
    "SoftHangupRequest",
    "Hangup",
    "DeviceStateChange",
    "Hangup",
    "DeviceStateChange",
];

#[tokio::test]
async fn banner_is_the_asterisk_22_line_alone() {
    let sim = start(config()).await;
    let mut tcp = timed(TcpStream::connect(sim.addr())).await.unwrap();
    let mut banner = [0u8; 30];
    timed(tcp.read_exact(&mut banner)).await.unwrap();
    assert_eq!(&banner, b"Asterisk Call Manager/11.0.0\r\n");
    // Nothing else until the client speaks.
    let mut more = [0u8; 1];
    let r = tokio::time::timeout(Duration::from_millis(100), tcp.read(&mut more)).await;
    assert!(r.is_err(), "the banner is not followed by anything");
    assert_eq!(sim.stats().connections, 1);
}

#[tokio::test]
async fn refuses_a_non_loopback_listen_address() {
    let err = sim::start(config().listen("0.0.0.0:0".parse().unwrap()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
}

#[tokio::test]
async fn md5_login_through_the_crate_session() {
    let sim = start(config()).await;
    let t0 = Instant::now();
    let cfg = SessionConfig::new("admin", "amp111")
        .auth(AuthMethod::Md5)
        .ping_interval(None)
        .reconnect(false);
    let mut session = Session::new(cfg, t0);
    assert_eq!(session.poll_command(), Some(DriverCommand::Connect));
    let mut tcp = timed(TcpStream::connect(sim.addr())).await.unwrap();
    session.handle_connected(Instant::now());

    let mut events = Vec::new();
    let mut buf = vec![0u8; 4096];
    // Feed bytes both ways until the session is logged in.
    for _ in 0..100 {
        while let Some(out) = session.poll_transmit() {
            timed(tcp.write_all(&out)).await.unwrap();
        }
        while let Some(ev) = session.poll_event() {
            events.push(ev);
        }
        if session.is_ready() {
            break;
        }
        let n = timed(tcp.read(&mut buf)).await.unwrap();
        assert!(n > 0, "server closed during login: {events:?}");
        session.handle_input(&buf[..n], Instant::now());
    }
    assert!(session.is_ready(), "not logged in: {events:?}");
    assert!(
        events.contains(&SessionEvent::Connected {
            banner: "Asterisk Call Manager/11.0.0".to_owned()
        }),
        "{events:?}"
    );

    // A Ping through the session, answered by the simulator.
    let ping = Message::action("Ping").build().unwrap();
    let id = session.send_action(&ping, Instant::now()).unwrap();
    let mut pong = None;
    for _ in 0..100 {
        while let Some(out) = session.poll_transmit() {
            timed(tcp.write_all(&out)).await.unwrap();
        }
        while let Some(ev) = session.poll_event() {
            if let SessionEvent::Completed { id: done, outcome } = ev {
                assert_eq!(done, id);
                pong = Some(outcome);
            }
        }
        if pong.is_some() {
            break;
        }
        let n = timed(tcp.read(&mut buf)).await.unwrap();
        assert!(n > 0);
        session.handle_input(&buf[..n], Instant::now());
    }
    let Some(Ok(Completed::Response(r))) = pong else {
        panic!("no pong: {pong:?}")
    };
    assert_eq!(r.get("Ping"), Some("Pong"));

    // Logoff: Goodbye, then the server closes.
    session.close(Instant::now());
    while let Some(out) = session.poll_transmit() {
        timed(tcp.write_all(&out)).await.unwrap();
    }
    let mut rest = Vec::new();
    timed(tcp.read_to_end(&mut rest)).await.unwrap();
    session.handle_input(&rest, Instant::now());
    assert!(session.is_closed());
    let stats = sim.stats();
    assert_eq!((stats.logins, stats.failed_logins), (1, 0));
}

#[tokio::test]
async fn challenge_is_nine_digits_and_md5_key_logs_in() {
    let sim = start(config()).await;
    let mut c = Client::connect(&sim).await;
    c.send("Action: Challenge\r\nActionID: chal-1\r\nAuthType: MD5\r\n\r\n")
        .await;
    let m = c.msg().await;
    let h = headers(&m);
    assert_eq!(h[..2], [("Response", "Success"), ("ActionID", "chal-1")]);
    let challenge = m.get("Challenge").unwrap().to_owned();
    assert_eq!(challenge.len(), 9);
    assert!(challenge.bytes().all(|b| b.is_ascii_digit()));
    // The same challenge for the whole connection.
    c.send("Action: Challenge\r\nAuthType: md5\r\n\r\n").await;
    assert_eq!(c.msg().await.get("Challenge"), Some(challenge.as_str()));

    use md5::{Digest, Md5};
    let key: String = Md5::digest(format!("{challenge}amp111").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    c.send(&format!(
        "Action: Login\r\nActionID: md5login-1\r\nAuthType: MD5\r\nUsername: admin\r\nKey: {key}\r\nEvents: off\r\n\r\n"
    ))
    .await;
    let m = c.msg().await;
    assert_eq!(m.get("Message"), Some("Authentication accepted"));
    c.send("Action: Logoff\r\nActionID: logoff-c\r\n\r\n").await;
    assert_eq!(
        headers(&c.msg().await),
        [
            ("Response", "Goodbye"),
            ("ActionID", "logoff-c"),
            ("Message", "Thanks for all the fish.")
        ]
    );
    c.expect_eof().await;
}

#[tokio::test]
async fn wrong_secret_fails_and_closes() {
    let sim = start(config()).await;
    let mut c = Client::connect(&sim).await;
    c.send("Action: Login\r\nActionID: bad-1\r\nUsername: admin\r\nSecret: wrong-secret\r\n\r\n")
        .await;
    assert_eq!(
        headers(&c.msg().await),
        [
            ("Response", "Error"),
            ("ActionID", "bad-1"),
            ("Message", "Authentication failed")
        ]
    );
    c.expect_eof().await;
    assert_eq!(sim.stats().failed_logins, 1);

    // refuse_login, turned on at run time, fails even good credentials.
    sim.faults().set_refuse_login(true);
    let mut c = Client::connect(&sim).await;
    c.send("Action: Login\r\nUsername: admin\r\nSecret: amp111\r\n\r\n")
        .await;
    assert_eq!(c.msg().await.get("Message"), Some("Authentication failed"));
    c.expect_eof().await;
}

#[tokio::test]
async fn login_with_events_sends_fully_booted_then_successful_auth() {
    let sim = start(config()).await;
    let mut c = Client::connect(&sim).await;
    c.login("on").await;
    let booted = c.msg().await;
    let h = headers(&booted);
    assert_eq!(h[0], ("Event", "FullyBooted"));
    assert_eq!(h[1], ("Privilege", "system,all"));
    assert_eq!(
        h.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        ["Event", "Privilege", "Uptime", "LastReload", "Status"]
    );
    assert_eq!(booted.get("Status"), Some("Fully Booted"));
    let auth = c.msg().await;
    assert_eq!(
        auth.headers().map(|h| h.name()).collect::<Vec<_>>(),
        [
            "Event",
            "Privilege",
            "EventTV",
            "Severity",
            "Service",
            "EventVersion",
            "AccountID",
            "SessionID",
            "LocalAddress",
            "RemoteAddress",
            "UsingPassword",
            "SessionTV"
        ]
    );
    assert_eq!(auth.get("Privilege"), Some("security,all"));
    assert_eq!(auth.get("AccountID"), Some("admin"));
    assert!(
        auth.get("LocalAddress")
            .unwrap()
            .starts_with("IPV4/TCP/127.0.0.1/")
    );
}

#[tokio::test]
async fn permission_denied_before_login_and_connection_stays_open() {
    let sim = start(config()).await;
    let mut c = Client::connect(&sim).await;
    c.send("Action: Ping\r\nActionID: preauth-ping\r\n\r\nAction: NoSuchAction\r\n\r\n")
        .await;
    for id in [Some("preauth-ping"), None] {
        let m = c.msg().await;
        let mut want = vec![("Response", "Error")];
        if let Some(id) = id {
            want.push(("ActionID", id));
        }
        want.push(("Message", "Permission denied"));
        assert_eq!(headers(&m), want);
    }
    c.login("off").await;
}

#[tokio::test]
async fn ping_answers_pong_with_a_timestamp() {
    let sim = start(config()).await;
    let mut c = Client::connect(&sim).await;
    c.login("off").await;
    c.send("Action: Ping\r\nActionID: ping-1\r\n\r\n").await;
    let m = c.msg().await;
    let h = headers(&m);
    assert_eq!(
        h[..3],
        [
            ("Response", "Success"),
            ("ActionID", "ping-1"),
            ("Ping", "Pong")
        ]
    );
    assert_eq!(h[3].0, "Timestamp");
    let (secs, micros) = h[3].1.split_once('.').unwrap();
    assert!(secs.parse::<u64>().unwrap() > 1_600_000_000);
    assert_eq!(micros.len(), 6);
    assert_eq!(h.len(), 4);
}

#[tokio::test]
async fn errors_action_names_and_actionids_as_recorded() {
    let sim = start(config()).await;
    let mut c = Client::connect(&sim).await;
    c.login("off").await;
    c.send(concat!(
        "Action: NoSuchAction\r\nActionID: bogus-1\r\n\r\n",
        "Action: Originate\r\nActionID: orig-nochan\r\nExten: 100\r\nContext: test\r\n\r\n",
        "Action: Getvar\r\nActionID: getvar-novar\r\n\r\n",
        "Action: Hangup\r\nActionID: hangup-nochan\r\n\r\n",
        "Action: Hangup\r\nActionID: hangup-nosuch\r\nChannel: Local/nonexistent-00000000;1\r\n\r\n",
        "Action: Setvar\r\nActionID: setvar-noval\r\nVariable: X\r\n\r\n",
        "ActionID: noaction-1\r\nFoo: bar\r\n\r\n",
        "Action: pInG\r\nActionID: case-ping\r\n\r\n",
        "Action: Ping\r\nActionID: \r\n\r\n",
        "Action: Ping\nActionID: lf-only\n\n",
    ))
    .await;
    let expect = [
        (
            "Error",
            Some("bogus-1"),
            Some(
                "Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands.",
            ),
        ),
        ("Error", Some("orig-nochan"), Some("Channel not specified")),
        ("Error", Some("getvar-novar"), Some("No variable specified")),
        ("Error", Some("hangup-nochan"), Some("No channel specified")),
        ("Error", Some("hangup-nosuch"), Some("No such channel")),
        ("Success", Some("setvar-noval"), Some("Variable Set")),
        (
            "Error",
            Some("noaction-1"),
            Some("Missing action in request"),
        ),
        ("Success", Some("case-ping"), None),
        ("Success", None, None),
        ("Success", Some("lf-only"), None),
    ];
    for (status, id, text) in expect {
        let m = c.msg().await;
        let h = headers(&m);
        assert_eq!(h[0], ("Response", status), "{h:?}");
        match id {
            Some(id) => assert_eq!(h[1], ("ActionID", id)),
            None => assert!(m.get("ActionID").is_none(), "{h:?}"),
        }
        if let Some(text) = text {
            assert_eq!(m.get("Message"), Some(text));
        }
    }
    // Getvar of the empty X just set, and of an unset global.
    c.send("Action: Getvar\r\nActionID: g1\r\nVariable: X\r\n\r\nAction: Getvar\r\nActionID: g2\r\nVariable: UNSET_GLOBAL_XYZ\r\n\r\n")
        .await;
    for (id, var) in [("g1", "X"), ("g2", "UNSET_GLOBAL_XYZ")] {
        assert_eq!(
            headers(&c.msg().await),
            [
                ("Response", "Success"),
                ("ActionID", id),
                ("Variable", var),
                ("Value", "")
            ]
        );
    }
}

#[tokio::test]
async fn command_output_as_recorded() {
    let sim = start(config()).await;
    let mut c = Client::connect(&sim).await;
    c.login("off").await;
    c.send("Action: Command\r\nActionID: cmd-version\r\nCommand: core show version\r\n\r\n")
        .await;
    let m = c.msg().await;
    let h = headers(&m);
    assert_eq!(
        h[..3],
        [
            ("Response", "Success"),
            ("ActionID", "cmd-version"),
            ("Message", "Command output follows")
        ]
    );
    assert_eq!(m.output().len(), 1);
    assert!(m.output()[0].starts_with("Asterisk 22.10.1 built by sim"));

    c.send("Action: Command\r\nActionID: cmd-channels\r\nCommand: core show channels\r\n\r\n")
        .await;
    let m = c.msg().await;
    assert_eq!(
        m.output(),
        [
            "Channel                                                          Location                         State   Application(Data)             ",
            "0 active channels",
            "0 active calls",
            "0 calls processed"
        ]
    );

    c.send("Action: Command\r\nActionID: cmd-bogus\r\nCommand: no such cli command\r\n\r\n")
        .await;
    assert_eq!(
        headers(&c.msg().await),
        [
            ("Response", "Error"),
            ("ActionID", "cmd-bogus"),
            ("Message", "Command output follows"),
            (
                "Output",
                "No such command 'no such cli command' (type 'core show help no such' for other possible commands)"
            )
        ]
    );
}

#[tokio::test]
async fn event_lists_shaped_as_recorded_while_a_call_is_up() {
    let sim = start(config()).await;
    let mut watcher = Client::connect(&sim).await;
    watcher.login_events().await;
    // A call that stays connected for a while.
    let call = tokio::spawn(sim.run_scenario_with(
        Scenario::basic_call("1001", "1002"),
        ScenarioOptions::default().talk_time(Duration::from_secs(30)),
    ));
    // Connected once both BRIDGEPEER variables are set.
    let seen = watcher.until_event("VarSet").await;
    assert!(names(&seen).contains(&"BridgeEnter"));
    watcher.until_event("VarSet").await;
    let chans = sim.channels();
    assert_eq!(chans.len(), 2);
    assert!(chans[0].starts_with("PJSIP/1001-"), "{chans:?}");
    assert!(chans[1].starts_with("PJSIP/1002-"), "{chans:?}");

    let mut c = Client::connect(&sim).await;
    c.login("off").await;
    c.send("Action: CoreShowChannels\r\nActionID: csc-1\r\n\r\n")
        .await;
    let start = c.msg().await;
    assert_eq!(
        headers(&start),
        [
            ("Response", "Success"),
            ("ActionID", "csc-1"),
            ("EventList", "start"),
            ("Message", "Channels will follow")
        ]
    );
    let items = c.until_event("CoreShowChannelsComplete").await;
    let (complete, items) = items.split_last().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        let names: Vec<_> = item.headers().map(|h| h.name()).collect();
        assert_eq!(
            names,
            [
                "Event",
                "ActionID",
                "Channel",
                "ChannelState",
                "ChannelStateDesc",
                "CallerIDNum",
                "CallerIDName",
                "ConnectedLineNum",
                "ConnectedLineName",
                "Language",
                "AccountCode",
                "Context",
                "Exten",
                "Priority",
                "Uniqueid",
                "Linkedid",
                "Application",
                "ApplicationData",
                "Duration",
                "BridgeId"
            ]
        );
        assert_eq!(item.get("ActionID"), Some("csc-1"));
        assert_eq!(item.get("ChannelStateDesc"), Some("Up"));
        assert!(!item.get("BridgeId").unwrap().is_empty());
    }
    assert_eq!(items[0].get("Application"), Some("Dial"));
    assert_eq!(items[1].get("Application"), Some("AppDial"));
    assert_eq!(
        items[1].get("Linkedid"),
        items[0].get("Uniqueid"),
        "one call"
    );
    assert_eq!(
        headers(complete),
        [
            ("Event", "CoreShowChannelsComplete"),
            ("ActionID", "csc-1"),
            ("EventList", "Complete"),
            ("ListItems", "2")
        ]
    );

    // Status: Privilege: Call second, ActionID last, StatusComplete + Items.
    c.send(&format!(
        "Action: Status\r\nActionID: status-vars\r\nChannel: {}\r\nVariables: FOO,CHANNEL(language),BRIDGEPEER\r\n\r\n",
        chans[0]
    ))
    .await;
    assert_eq!(
        c.msg().await.get("Message"),
        Some("Channel status will follow")
    );
    let items = c.until_event("StatusComplete").await;
    assert_eq!(items.len(), 2);
    let status = &items[0];
    let h = headers(status);
    assert_eq!(
        h[..3],
        [
            ("Event", "Status"),
            ("Privilege", "Call"),
            ("Channel", chans[0].as_str())
        ]
    );
    assert_eq!(*h.last().unwrap(), ("ActionID", "status-vars"));
    assert_eq!(
        status.get_all("Variable").collect::<Vec<_>>(),
        [
            "FOO=(null)".to_owned(),
            "CHANNEL(language)=en".to_owned(),
            format!("BRIDGEPEER={}", chans[1])
        ]
    );
    assert_eq!(
        headers(&items[1]),
        [
            ("Event", "StatusComplete"),
            ("ActionID", "status-vars"),
            ("EventList", "Complete"),
            ("ListItems", "1"),
            ("Items", "1")
        ]
    );

    // Getvar on the channel, then hang it up: the call is torn down.
    c.send(&format!(
        "Action: Getvar\r\nActionID: gv\r\nChannel: {}\r\nVariable: CHANNEL(name)\r\n\r\n",
        chans[1]
    ))
    .await;
    assert_eq!(c.msg().await.get("Value"), Some(chans[1].as_str()));
    c.send(&format!(
        "Action: Hangup\r\nActionID: hup\r\nChannel: {}\r\n\r\n",
        chans[0]
    ))
    .await;
    assert_eq!(c.msg().await.get("Message"), Some("Channel Hungup"));
    let emitted = timed(call).await.unwrap().unwrap();
    assert_eq!(
        names(&emitted[17..]),
        [
            "SoftHangupRequest",
            "BridgeLeave",
            "BridgeLeave",
            "BridgeDestroy",
            "Hangup",
            "DeviceStateChange",
            "Hangup",
            "DeviceStateChange"
        ]
    );
    assert!(sim.channels().is_empty());
    let tail = watcher.until_event("Hangup").await;
    assert_eq!(tail.last().unwrap().get("Channel"), Some(chans[1].as_str()));
}

#[tokio::test]
async fn originate_async_plays_the_basic_call() {
    let sim = start(config().device_name("1002", "Bruno Petit")).await;
    let mut c = Client::connect(&sim).await;
    c.login_events().await;
    c.send("Action: Originate\r\nActionID: orig-1\r\nChannel: PJSIP/1001\r\nContext: from-internal\r\nExten: 1002\r\nPriority: 1\r\nAsync: true\r\n\r\n")
        .await;
    assert_eq!(
        headers(&c.msg().await),
        [
            ("Response", "Success"),
            ("ActionID", "orig-1"),
            ("Message", "Originate successfully queued")
        ]
    );
    let events = c.until_event("OriginateResponse").await;
    let mut want = BASIC_CALL.to_vec();
    want.push("OriginateResponse");
    assert_eq!(names(&events), want);
    // Every unsolicited event has Privilege second.
    for e in &events {
        assert_eq!(e.headers().nth(1).unwrap().name(), "Privilege", "{e:?}");
    }
    let a = &events[0];
    assert_eq!(a.get("CallerIDNum"), Some("1001"));
    assert_eq!(a.get("Exten"), Some("1002"));
    let b = &events[4];
    assert_eq!(b.get("CallerIDName"), Some("Bruno Petit"));
    assert_eq!(b.get("Linkedid"), a.get("Uniqueid"));
    let dial_end = &events[9];
    assert_eq!(dial_end.get("DialStatus"), Some("ANSWER"));
    assert_eq!(dial_end.get("DestChannel"), b.get("Channel"));
    let hangup = &events[22];
    assert_eq!(hangup.get("Cause"), Some("16"));
    assert_eq!(hangup.get("Cause-txt"), Some("Normal Clearing"));
    assert_eq!(events[25].get("State"), Some("NOT_INUSE"));
    let resp = events.last().unwrap();
    assert_eq!(
        headers(resp).iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        [
            "Event",
            "Privilege",
            "ActionID",
            "Response",
            "Channel",
            "Context",
            "Exten",
            "Reason",
            "Uniqueid",
            "CallerIDNum",
            "CallerIDName"
        ]
    );
    assert_eq!(resp.get("ActionID"), Some("orig-1"));
    assert_eq!(resp.get("Response"), Some("Success"));
    assert_eq!(resp.get("Reason"), Some("4"));
    assert_eq!(resp.get("Channel"), a.get("Channel"));
    assert_eq!(resp.get("Uniqueid"), a.get("Uniqueid"));
    assert!(sim.channels().is_empty());
}

#[tokio::test]
async fn originate_sync_and_unavailable_device() {
    let sim = start(config().unavailable_device("alice")).await;
    let mut c = Client::connect(&sim).await;
    c.login("off").await;
    c.send("Action: Originate\r\nActionID: orig-sync-fail\r\nChannel: PJSIP/alice\r\nContext: test\r\nExten: 100\r\nPriority: 1\r\nTimeout: 3000\r\n\r\n")
        .await;
    assert_eq!(
        headers(&c.msg().await),
        [
            ("Response", "Error"),
            ("ActionID", "orig-sync-fail"),
            ("Message", "Originate failed")
        ]
    );
    c.send("Action: Originate\r\nActionID: orig-sync\r\nChannel: PJSIP/1001\r\nContext: test\r\nExten: 1002\r\nPriority: 1\r\n\r\n")
        .await;
    assert_eq!(
        c.msg().await.get("Message"),
        Some("Originate successfully queued")
    );
}

#[tokio::test]
async fn blind_transfer_sequence() {
    let sim = start(config()).await;
    let mut c = Client::connect(&sim).await;
    c.login_events().await;
    let emitted = timed(sim.run_scenario(Scenario::blind_transfer("1001", "1002", "1003")))
        .await
        .unwrap();
    let mut want = BASIC_CALL[..17].to_vec();
    want.extend([
        "BlindTransfer",
        "BridgeLeave",
        "Newexten",
        "HangupRequest",
        "BridgeLeave",
        "BridgeDestroy",
        "Hangup",
        "DeviceStateChange",
        "Newchannel",
        "DialBegin",
        "Newstate",
        "DeviceStateChange",
        "Newstate",
        "DialEnd",
        "DeviceStateChange",
        "BridgeCreate",
        "BridgeEnter",
        "BridgeEnter",
        "VarSet",
        "VarSet",
        "HangupRequest",
        "BridgeLeave",
        "BridgeLeave",
        "BridgeDestroy",
        "SoftHangupRequest",
        "Hangup",
        "DeviceStateChange",
        "Hangup",
        "DeviceStateChange",
    ]);
    assert_eq!(names(&emitted), want);
    // The client saw exactly the same messages.
    let mut seen = Vec::new();
    for _ in 0..emitted.len() {
        seen.push(c.msg().await);
    }
    assert_eq!(seen, emitted);

    let a = &emitted[0];
    let b = &emitted[4];
    let t = &emitted[17];
    let names: Vec<_> = t.headers().map(|h| h.name()).collect();
    assert_eq!(
        names[..4],
        ["Event", "Privilege", "Result", "TransfererChannel"]
    );
    assert_eq!(names[17], "TransfereeChannel");
    assert_eq!(names[31], "BridgeUniqueid");
    assert_eq!(names[38..], ["IsExternal", "Context", "Extension"]);
    assert_eq!(t.get("TransfererChannel"), a.get("Channel"));
    assert_eq!(t.get("TransfereeChannel"), b.get("Channel"));
    assert_eq!(t.get("Extension"), Some("1003"));
    let c_chan = &emitted[25];
    assert!(c_chan.get("Channel").unwrap().starts_with("PJSIP/1003-"));
    assert_eq!(c_chan.get("Linkedid"), a.get("Uniqueid"), "same call");
    assert_eq!(emitted[26].get("Channel"), b.get("Channel"), "B dials C");
}

#[tokio::test]
async fn queue_call_sequence() {
    let sim = start(config()).await;
    let emitted = timed(sim.run_scenario(Scenario::queue_call("2001", "support", "1003")))
        .await
        .unwrap();
    assert_eq!(
        names(&emitted),
        [
            "Newchannel",
            "DeviceStateChange",
            "Newstate",
            "Newexten",
            "Newstate",
            "QueueCallerJoin",
            "Newchannel",
            "AgentCalled",
            "DialBegin",
            "Newstate",
            "DeviceStateChange",
            "Newstate",
            "DialEnd",
            "QueueCallerLeave",
            "AgentConnect",
            "DeviceStateChange",
            "BridgeCreate",
            "BridgeEnter",
            "BridgeEnter",
            "VarSet",
            "VarSet",
            "HangupRequest",
            "BridgeLeave",
            "BridgeLeave",
            "BridgeDestroy",
            "AgentComplete",
            "SoftHangupRequest",
            "Hangup",
            "DeviceStateChange",
            "Hangup",
            "DeviceStateChange"
        ]
    );
    let complete = &emitted[25];
    let tail: Vec<_> = complete.headers().map(|h| h.name()).skip(30).collect();
    assert_eq!(
        tail,
        [
            "Queue",
            "MemberName",
            "Interface",
            "HoldTime",
            "TalkTime",
            "Reason"
        ]
    );
    assert_eq!(complete.get("Privilege"), Some("agent,all"));
    assert_eq!(complete.get("Interface"), Some("PJSIP/1003"));
    assert_eq!(complete.get("Reason"), Some("caller"));
    assert!(matches!(
        sim.run_scenario(Scenario::basic_call("10/01", "1002"))
            .await,
        Err(sim::ScenarioError::InvalidName(_))
    ));
}

#[tokio::test]
async fn events_off_and_user_event_broadcast() {
    let sim = start(config()).await;
    let mut quiet = Client::connect(&sim).await;
    quiet.login("off").await;
    let mut loud = Client::connect(&sim).await;
    loud.login_events().await;
    quiet
        .send("Action: UserEvent\r\nActionID: ue-1\r\nUserEvent: TestEvent\r\nfoo: bar\r\nColon: a:b: c\r\nEmpty: \r\n\r\n")
        .await;
    assert_eq!(quiet.msg().await.get("Message"), Some("Event Sent"));
    let ue = loud.msg().await;
    assert_eq!(
        headers(&ue),
        [
            ("Event", "UserEvent"),
            ("Privilege", "user,all"),
            ("UserEvent", "TestEvent"),
            ("ActionID", "ue-1"),
            ("foo", "bar"),
            ("Colon", "a:b: c"),
            ("Empty", "")
        ]
    );
    // The quiet session got nothing: its next message is its Ping answer.
    quiet.send("Action: Ping\r\nActionID: p\r\n\r\n").await;
    assert_eq!(quiet.msg().await.get("ActionID"), Some("p"));
    // Events action turns them on.
    quiet
        .send("Action: Events\r\nActionID: ev\r\nEventMask: on\r\n\r\n")
        .await;
    assert_eq!(
        headers(&quiet.msg().await),
        [
            ("Response", "Success"),
            ("ActionID", "ev"),
            ("Events", "On")
        ]
    );
    sim.publish(
        Message::event("UserEvent")
            .header("Privilege", "user,all")
            .header("UserEvent", "FromTest")
            .build()
            .unwrap(),
    );
    assert_eq!(quiet.msg().await.get("UserEvent"), Some("FromTest"));
    assert_eq!(loud.msg().await.get("UserEvent"), Some("FromTest"));
}

/// The messages of a fixed exchange (no timestamps), as a client sees them.
async fn fixed_exchange(sim: &SimHandle) -> Vec<Message> {
    let mut c = Client::connect(sim).await;
    c.send(concat!(
        "Action: Login\r\nActionID: l\r\nUsername: admin\r\nSecret: amp111\r\nEvents: off\r\n\r\n",
        "Action: Command\r\nActionID: c\r\nCommand: core show version\r\n\r\n",
        "Action: CoreSettings\r\nActionID: s\r\n\r\n",
        "Action: CoreShowChannels\r\nActionID: l2\r\n\r\n",
        "Action: Getvar\r\nActionID: g\r\nVariable: NOPE\r\n\r\n",
        "Action: Logoff\r\n\r\n",
    ))
    .await;
    let mut out = Vec::new();
    while let Some(r) = c.next().await {
        match r {
            Ok(Decoded::Message(m)) => out.push(m),
            other => panic!("unexpected {other:?}"),
        }
    }
    out
}

#[tokio::test]
async fn one_byte_writes_decode_to_the_same_messages() {
    let normal = start(config()).await;
    let chunked = start(config().write_chunk(Some(1))).await;
    let a = fixed_exchange(&normal).await;
    let b = fixed_exchange(&chunked).await;
    assert_eq!(a.len(), 7);
    assert_eq!(a, b);
    // Also with a delay between chunks, set at run time.
    chunked.faults().update(|f| {
        f.write_chunk = Some(7);
        f.write_delay = Some(Duration::from_micros(10));
    });
    assert_eq!(fixed_exchange(&chunked).await, a);
}

#[tokio::test]
async fn drop_after_messages_closes_the_connection() {
    let sim = start(config().drop_after_messages(Some(2))).await;
    let mut c = Client::connect(&sim).await;
    c.login("off").await;
    c.send("Action: Ping\r\nActionID: p1\r\n\r\nAction: Ping\r\nActionID: p2\r\n\r\n")
        .await;
    assert_eq!(c.msg().await.get("ActionID"), Some("p1"));
    c.expect_eof().await;
    // Zero: right after the banner.
    sim.faults().set_drop_after_messages(Some(0));
    let mut c = Client::connect(&sim).await;
    c.expect_eof().await;
}

#[tokio::test]
async fn malformed_message_costs_one_decode_error() {
    let sim = start(config().malformed_after(Some(1))).await;
    let mut c = Client::connect(&sim).await;
    c.send("Action: Login\r\nActionID: login-1\r\nUsername: admin\r\nSecret: amp111\r\nEvents: off\r\n\r\n")
        .await;
    assert_eq!(c.msg().await.get("ActionID"), Some("login-1"));
    c.send("Action: Ping\r\nActionID: after\r\n\r\n").await;
    assert!(matches!(
        c.next().await,
        Some(Err(DecodeError::MalformedLine { line: 3 }))
    ));
    assert_eq!(c.msg().await.get("ActionID"), Some("after"));
    // Once per connection.
    c.send("Action: Ping\r\nActionID: again\r\n\r\n").await;
    assert_eq!(c.msg().await.get("ActionID"), Some("again"));
}

#[tokio::test]
async fn oversized_event_costs_one_decode_error() {
    let sim = start(config()).await;
    sim.faults().set_oversized_after(Some((1, 300_000)));
    let mut c = Client::connect(&sim).await;
    c.login("off").await;
    c.send("Action: Ping\r\nActionID: after\r\n\r\n").await;
    assert!(matches!(
        c.next().await,
        Some(Err(DecodeError::MessageTooLarge { .. }))
    ));
    assert_eq!(c.msg().await.get("ActionID"), Some("after"));

    // With a small client limit, a small oversized event does the same.
    sim.faults().set_oversized_after(Some((0, 5000)));
    let dec =
        Decoder::client().with_limits(ami_proto::codec::Limits::default().max_message_bytes(1024));
    let mut c = Client::with_decoder(&sim, dec).await;
    assert!(matches!(
        c.next().await,
        Some(Err(DecodeError::MessageTooLarge { limit: 1024 }))
    ));
    c.login("off").await;
}

#[tokio::test]
async fn dropping_the_handle_stops_the_simulator() {
    let sim = start(config()).await;
    let addr = sim.addr();
    let mut c = Client::connect(&sim).await;
    c.login("off").await;
    drop(sim);
    c.expect_eof().await;
    // The listener is gone.
    let mut refused = false;
    for _ in 0..50 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "still accepting after the handle was dropped");
}

/// Run as a server, the simulator closes connections that never log in,
/// and refuses connections beyond its cap.
#[tokio::test]
async fn unauthenticated_connections_are_closed_and_connections_capped() {
    let pbx = sim::start(
        SimConfig::default()
            .auth_timeout(Some(Duration::from_millis(200)))
            .max_connections(2),
    )
    .await
    .unwrap();
    let mut a = TcpStream::connect(pbx.addr()).await.unwrap();
    let mut b = TcpStream::connect(pbx.addr()).await.unwrap();
    // Both get the banner.
    let mut buf = [0u8; 64];
    for s in [&mut a, &mut b] {
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(buf[..n].starts_with(b"Asterisk Call Manager/"));
    }
    // A third is over the cap: closed at once.
    let mut c = TcpStream::connect(pbx.addr()).await.unwrap();
    let n = tokio::time::timeout(Duration::from_secs(5), c.read(&mut buf))
        .await
        .unwrap()
        .unwrap_or(0);
    assert_eq!(n, 0, "the third connection is closed");
    // The two silent ones are closed after the authentication timeout.
    for s in [&mut a, &mut b] {
        let mut rest = Vec::new();
        let r = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest)).await;
        assert!(r.is_ok(), "closed within the timeout");
    }
}
