//! The session under virtual time, with a scripted server.
#![allow(clippy::disallowed_methods)] // a test picks an arbitrary instant as t0

use std::time::{Duration, Instant};

use super::*;

fn drain(s: &mut Session) -> Vec<SessionEvent> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

fn sent(s: &mut Session) -> String {
    let mut out = String::new();
    while let Some(b) = s.poll_transmit() {
        out.push_str(&String::from_utf8_lossy(&b));
    }
    out
}

fn action_id_of(block: &str) -> String {
    block
        .lines()
        .find_map(|l| l.strip_prefix("ActionID: "))
        .unwrap_or_default()
        .to_owned()
}

/// A logged-in session (plain login) and the clock it was driven with.
fn ready(config: SessionConfig) -> (Session, Instant) {
    let t0 = Instant::now();
    let mut s = Session::new(config.auth(AuthMethod::Plain), t0);
    assert_eq!(s.poll_command(), Some(DriverCommand::Connect));
    s.handle_connected(t0);
    s.handle_input(b"Asterisk Call Manager/11.0.0\r\n", t0);
    let login = sent(&mut s);
    let id = action_id_of(&login);
    s.handle_input(
        format!("Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n")
            .as_bytes(),
        t0,
    );
    assert!(s.is_ready());
    assert!(matches!(
        drain(&mut s)[..],
        [SessionEvent::Connected { .. }]
    ));
    (s, t0)
}

#[test]
fn md5_login_computes_the_recorded_key() {
    // Challenge and key from the lab recording c-challenge-md5-login.
    let t0 = Instant::now();
    let cfg = SessionConfig::new("admin", "amp111").events(EventMask::Off);
    let mut s = Session::new(cfg, t0);
    assert_eq!(s.poll_command(), Some(DriverCommand::Connect));
    s.handle_connected(t0);
    s.handle_input(b"Asterisk Call Manager/11.0.0\r\n", t0);
    let chal = sent(&mut s);
    assert_eq!(
        chal,
        "Action: Challenge\r\nActionID: cti-1\r\nAuthType: MD5\r\n\r\n"
    );
    // The response arrives in two segments, as recorded.
    s.handle_input(b"Response: Success\r\nActionID: cti-1\r\n", t0);
    assert_eq!(sent(&mut s), "");
    s.handle_input(b"Challenge: 188504532\r\n\r\n", t0);
    let login = sent(&mut s);
    assert_eq!(
        login,
        "Action: Login\r\nActionID: cti-2\r\nAuthType: MD5\r\nUsername: admin\r\nKey: 0a00026cf3294db176d114fb5acda7f6\r\nEvents: off\r\n\r\n"
    );
    assert!(!login.contains("amp111"));
    s.handle_input(
        b"Response: Success\r\nActionID: cti-2\r\nMessage: Authentication accepted\r\n\r\n",
        t0,
    );
    assert_eq!(
        drain(&mut s),
        [SessionEvent::Connected {
            banner: "Asterisk Call Manager/11.0.0".into()
        }]
    );
    assert!(s.is_ready());
}

#[test]
fn plain_login_matches_the_recorded_order_and_can_be_refused() {
    let t0 = Instant::now();
    let mut s = Session::new(
        SessionConfig::new("admin", "amp111").auth(AuthMethod::Plain),
        t0,
    );
    s.poll_command();
    s.handle_connected(t0);
    s.handle_input(b"Asterisk Call Manager/11.0.0\r\n", t0);
    assert_eq!(
        sent(&mut s),
        "Action: Login\r\nActionID: cti-1\r\nUsername: admin\r\nSecret: amp111\r\nEvents: on\r\n\r\n"
    );

    let mut s = Session::new(
        SessionConfig::new("admin", "amp111")
            .auth(AuthMethod::Plain)
            .refuse_plaintext(true),
        t0,
    );
    s.poll_command();
    s.handle_connected(t0);
    s.handle_input(b"Asterisk Call Manager/11.0.0\r\n", t0);
    assert_eq!(sent(&mut s), "", "the secret is never sent");
    assert_eq!(s.poll_command(), Some(DriverCommand::Disconnect));
    assert!(matches!(drain(&mut s)[0], SessionEvent::LoginFailed { .. }));
    assert!(s.is_closed());
}

#[test]
fn login_failure_closes_without_reconnecting() {
    let t0 = Instant::now();
    let mut s = Session::new(
        SessionConfig::new("admin", "wrong").auth(AuthMethod::Plain),
        t0,
    );
    s.poll_command();
    s.handle_connected(t0);
    s.handle_input(b"Asterisk Call Manager/11.0.0\r\n", t0);
    sent(&mut s);
    s.handle_input(
        b"Response: Error\r\nActionID: cti-1\r\nMessage: Authentication failed\r\n\r\n",
        t0,
    );
    let ev = drain(&mut s);
    assert_eq!(
        ev[0],
        SessionEvent::LoginFailed {
            message: "Authentication failed".into()
        }
    );
    assert!(matches!(ev[1], SessionEvent::Closed { .. }));
    s.handle_disconnected(t0);
    assert_eq!(s.poll_command(), Some(DriverCommand::Disconnect));
    assert_eq!(s.poll_command(), None, "no reconnect after a refused login");
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn many_actions_in_flight_with_interleaved_events() {
    let (mut s, t0) = ready(SessionConfig::new("admin", "x"));
    let ping = Message::action("Ping").build().unwrap();
    let a = s.send_action(&ping, t0).unwrap();
    let b = s
        .send_action(
            &Message::action("Ping").action_id("mine").build().unwrap(),
            t0,
        )
        .unwrap();
    assert_eq!(b.as_str(), "mine", "a caller's ActionID is kept");
    assert_eq!(
        s.send_action(
            &Message::action("Ping").action_id("mine").build().unwrap(),
            t0
        ),
        Err(SubmitError::DuplicateActionId(b.clone()))
    );
    let out = sent(&mut s);
    assert_eq!(
        out,
        format!("Action: Ping\r\nActionID: {a}\r\n\r\nAction: Ping\r\nActionID: mine\r\n\r\n")
    );
    // Answers come back out of order, with events in between.
    s.handle_input(b"Event: Newchannel\r\nChannel: PJSIP/1001-1\r\n\r\nResponse: Success\r\nActionID: mine\r\nPing: Pong\r\n\r\nEvent: Hangup\r\nChannel: PJSIP/1001-1\r\n\r\n", t0);
    s.handle_input(
        format!("Response: Error\r\nActionID: {a}\r\nMessage: Permission denied\r\n\r\n")
            .as_bytes(),
        t0,
    );
    let ev = drain(&mut s);
    assert!(matches!(&ev[0], SessionEvent::Event(m) if m.is_event("Newchannel")));
    assert!(
        matches!(&ev[1], SessionEvent::Completed { id, outcome: Ok(Completed::Response(m)) } if *id == b && m.get("Ping") == Some("Pong"))
    );
    assert!(matches!(&ev[2], SessionEvent::Event(m) if m.is_event("Hangup")));
    match &ev[3] {
        SessionEvent::Completed {
            id,
            outcome: Err(e),
        } => {
            assert_eq!(*id, a);
            assert_eq!(e.message(), Some("Permission denied"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.pending(), 0);
    // A response nobody waits for is handed over, not dropped.
    s.handle_input(b"Response: Success\r\nActionID: stranger\r\n\r\n", t0);
    assert!(matches!(
        &drain(&mut s)[..],
        [SessionEvent::UnmatchedResponse(_)]
    ));
    // Non-actions are refused.
    assert_eq!(
        s.send_action(&Message::event("X").build().unwrap(), t0),
        Err(SubmitError::NotAnAction)
    );
}

#[test]
fn event_lists_are_collected_and_empty_errors_become_empty_lists() {
    let (mut s, t0) = ready(SessionConfig::new("admin", "x"));
    let id = s
        .send_list(&Message::action("CoreShowChannels").build().unwrap(), t0)
        .unwrap();
    sent(&mut s);
    let input = format!(
        "Response: Success\r\nActionID: {id}\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n\
         Event: CoreShowChannel\r\nActionID: {id}\r\nChannel: Local/100@test-1;1\r\n\r\n\
         Event: VarSet\r\nPrivilege: dialplan,all\r\nVariable: X\r\n\r\n\
         Event: CoreShowChannel\r\nActionID: {id}\r\nChannel: Local/100@test-1;2\r\n\r\n\
         Event: CoreShowChannelsComplete\r\nActionID: {id}\r\nEventList: Complete\r\nListItems: 2\r\n\r\n"
    );
    // One byte at a time: same result.
    for b in input.as_bytes() {
        s.handle_input(std::slice::from_ref(b), t0);
    }
    let ev = drain(&mut s);
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert!(
        matches!(&ev[0], SessionEvent::Event(m) if m.is_event("VarSet")),
        "an unrelated event passes through"
    );
    let SessionEvent::Completed {
        outcome: Ok(Completed::List(list)),
        ..
    } = &ev[1]
    else {
        panic!("{ev:?}")
    };
    assert_eq!(list.items.len(), 2);
    assert_eq!(
        list.complete.as_ref().and_then(|c| c.get("ListItems")),
        Some("2")
    );
    assert!(!list.is_error());

    let id = s
        .send_list(&Message::action("PJSIPShowContacts").build().unwrap(), t0)
        .unwrap();
    s.handle_input(
        format!("Response: Error\r\nActionID: {id}\r\nMessage: No Contacts found\n\r\n\r\n")
            .as_bytes(),
        t0,
    );
    let ev = drain(&mut s);
    let SessionEvent::Completed {
        outcome: Ok(Completed::List(list)),
        ..
    } = &ev[0]
    else {
        panic!("{ev:?}")
    };
    assert!(list.is_error() && list.items.is_empty());
    assert_eq!(list.response.get("Message"), Some("No Contacts found"));
}

#[test]
fn keepalive_ping_timeout_reconnects_with_backoff_and_reports_a_gap() {
    let cfg = SessionConfig::new("admin", "x")
        .ping_interval(Some(Duration::from_secs(20)))
        .backoff(
            BackoffConfig::default()
                .jitter(0.0)
                .initial(Duration::from_secs(1)),
            7,
        );
    let (mut s, t0) = ready(cfg);
    let pending = s
        .send_action(&Message::action("Status").build().unwrap(), t0)
        .unwrap();
    sent(&mut s);
    // Nothing happens before the interval...
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(20)));
    s.handle_timeout(t0 + Duration::from_secs(19));
    assert_eq!(sent(&mut s), "");
    // ... then a ping goes out ...
    s.handle_timeout(t0 + Duration::from_secs(20));
    let ping = sent(&mut s);
    assert!(ping.starts_with("Action: Ping\r\n"), "{ping}");
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(30)));
    // ... and is never answered: the link is declared dead.
    s.handle_timeout(t0 + Duration::from_secs(30));
    assert_eq!(s.poll_command(), Some(DriverCommand::Disconnect));
    let ev = drain(&mut s);
    assert_eq!(
        ev[0],
        SessionEvent::Completed {
            id: pending,
            outcome: Err(ActionError::Disconnected)
        },
        "pending actions fail, never hang"
    );
    assert_eq!(
        ev[1],
        SessionEvent::Reconnecting {
            attempt: 1,
            delay: Duration::from_secs(1)
        }
    );
    assert_eq!(
        s.send_action(&Message::action("Ping").build().unwrap(), t0),
        Err(SubmitError::NotReady)
    );
    // Reconnect when the backoff says so.
    let t1 = t0 + Duration::from_secs(31);
    assert_eq!(s.poll_timeout(), Some(t1));
    s.handle_timeout(t1);
    assert_eq!(s.poll_command(), Some(DriverCommand::Connect));
    s.handle_connect_failed(t1);
    assert_eq!(
        drain(&mut s),
        [SessionEvent::Reconnecting {
            attempt: 2,
            delay: Duration::from_secs(2)
        }]
    );
    let t2 = t1 + Duration::from_secs(2);
    s.handle_timeout(t2);
    assert_eq!(s.poll_command(), Some(DriverCommand::Connect));
    s.handle_connected(t2);
    s.handle_input(b"Asterisk Call Manager/11.0.0\r\n", t2);
    let login = sent(&mut s);
    let id = action_id_of(&login);
    s.handle_input(
        format!("Response: Success\r\nActionID: {id}\r\n\r\n").as_bytes(),
        t2,
    );
    assert_eq!(drain(&mut s), [SessionEvent::Reconnected { gap: true }]);
    assert!(s.is_ready());
}

#[test]
fn a_busy_link_does_not_ping_and_an_answered_ping_keeps_it_up() {
    let (mut s, t0) = ready(SessionConfig::new("admin", "x"));
    s.handle_input(b"Event: A\r\n\r\n", t0 + Duration::from_secs(15));
    s.handle_timeout(t0 + Duration::from_secs(20));
    assert_eq!(sent(&mut s), "", "input counts as activity");
    s.handle_timeout(t0 + Duration::from_secs(35));
    let ping = sent(&mut s);
    let id = action_id_of(&ping);
    s.handle_input(
        format!("Response: Success\r\nActionID: {id}\r\nPing: Pong\r\n\r\n").as_bytes(),
        t0 + Duration::from_secs(36),
    );
    s.handle_timeout(t0 + Duration::from_secs(46));
    assert_eq!(s.poll_command(), None);
    let ev = drain(&mut s);
    assert!(
        ev.iter().all(|e| matches!(e, SessionEvent::Event(_))),
        "the ping's answer is internal: {ev:?}"
    );
}

#[test]
fn actions_time_out() {
    let cfg = SessionConfig::new("admin", "x")
        .action_timeout(Duration::from_secs(5))
        .ping_interval(None);
    let (mut s, t0) = ready(cfg);
    let id = s
        .send_action(&Message::action("Ping").build().unwrap(), t0)
        .unwrap();
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(5)));
    s.handle_timeout(t0 + Duration::from_secs(5));
    assert_eq!(
        drain(&mut s),
        [SessionEvent::Completed {
            id: id.clone(),
            outcome: Err(ActionError::Timeout)
        }]
    );
    // The late answer is still handed over.
    s.handle_input(
        format!("Response: Success\r\nActionID: {id}\r\n\r\n").as_bytes(),
        t0 + Duration::from_secs(6),
    );
    assert!(matches!(
        &drain(&mut s)[..],
        [SessionEvent::UnmatchedResponse(_)]
    ));
}

#[test]
fn logoff_closes_on_goodbye() {
    let (mut s, t0) = ready(SessionConfig::new("admin", "x"));
    s.close(t0);
    assert_eq!(sent(&mut s), "Action: Logoff\r\n\r\n");
    assert_eq!(
        s.send_action(&Message::action("Ping").build().unwrap(), t0),
        Err(SubmitError::Closed)
    );
    s.handle_input(
        b"Response: Goodbye\r\nMessage: Thanks for all the fish.\r\n\r\n",
        t0,
    );
    assert_eq!(drain(&mut s), [SessionEvent::Closed { reason: None }]);
    assert_eq!(s.poll_command(), Some(DriverCommand::Disconnect));
    s.handle_disconnected(t0);
    assert_eq!(s.poll_command(), None);
}

#[test]
fn retries_exhausted_close_the_session() {
    let cfg =
        SessionConfig::new("admin", "x").backoff(BackoffConfig::default().max_attempts(Some(1)), 1);
    let (mut s, t0) = ready(cfg);
    s.handle_disconnected(t0);
    assert!(matches!(
        drain(&mut s)[..],
        [SessionEvent::Reconnecting { attempt: 1, .. }]
    ));
    let at = s.poll_timeout().unwrap();
    s.handle_timeout(at);
    assert_eq!(s.poll_command(), Some(DriverCommand::Connect));
    s.handle_connect_failed(at);
    assert!(
        matches!(&drain(&mut s)[..], [SessionEvent::Closed { reason: Some(r) }] if r.contains("exhausted"))
    );
}

#[test]
fn logoff_as_an_action_completes_with_goodbye() {
    let (mut s, t0) = ready(SessionConfig::new("admin", "x"));
    let id = s
        .send_action(
            &Message::action("Logoff")
                .action_id("logoff-c")
                .build()
                .unwrap(),
            t0,
        )
        .unwrap();
    assert_eq!(sent(&mut s), "Action: Logoff\r\nActionID: logoff-c\r\n\r\n");
    s.handle_input(
        b"Response: Goodbye\r\nActionID: logoff-c\r\nMessage: Thanks for all the fish.\r\n\r\n",
        t0,
    );
    let ev = drain(&mut s);
    assert!(
        matches!(&ev[0], SessionEvent::Completed { id: i, outcome: Ok(Completed::Response(_)) } if *i == id),
        "{ev:?}"
    );
    assert_eq!(ev[1], SessionEvent::Closed { reason: None });
}

#[test]
fn a_line_break_in_the_account_fails_the_login_and_sends_nothing() {
    let t0 = Instant::now();
    let mut s = Session::new(
        SessionConfig::new("admin\r\nAction: Originate", "x").auth(AuthMethod::Plain),
        t0,
    );
    s.poll_command();
    s.handle_connected(t0);
    s.handle_input(b"Asterisk Call Manager/11.0.0\r\n", t0);
    assert_eq!(sent(&mut s), "");
    assert!(matches!(drain(&mut s)[0], SessionEvent::LoginFailed { .. }));
    assert!(s.is_closed(), "closed, not waiting for a login answer");
}

fn commands(s: &mut Session) -> Vec<DriverCommand> {
    std::iter::from_fn(|| s.poll_command()).collect()
}

#[test]
fn a_peer_that_never_sends_the_banner_is_a_failed_attempt() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::new("admin", "x"), t0);
    assert_eq!(s.poll_command(), Some(DriverCommand::Connect));
    s.handle_connected(t0);
    assert_eq!(
        s.poll_timeout(),
        Some(t0 + Duration::from_secs(10)),
        "a deadline while waiting for the banner"
    );
    s.handle_timeout(t0 + Duration::from_secs(9));
    assert!(drain(&mut s).is_empty());
    s.handle_timeout(t0 + Duration::from_secs(10));
    assert_eq!(commands(&mut s), [DriverCommand::Disconnect]);
    let ev = drain(&mut s);
    assert!(
        matches!(
            &ev[..],
            [
                SessionEvent::Stalled { what: "no banner" },
                SessionEvent::Reconnecting { attempt: 1, .. }
            ]
        ),
        "{ev:?}"
    );
}

#[test]
fn unanswered_challenge_and_login_time_out_and_a_reconnect_into_silence_too() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::new("admin", "x"), t0);
    assert_eq!(s.poll_command(), Some(DriverCommand::Connect));
    s.handle_connected(t0);
    s.handle_input(b"Asterisk Call Manager/11.0.0\r\n", t0);
    assert!(sent(&mut s).contains("Action: Challenge"));
    s.handle_timeout(t0 + Duration::from_secs(10));
    assert_eq!(commands(&mut s), [DriverCommand::Disconnect]);
    let ev = drain(&mut s);
    let SessionEvent::Reconnecting { delay, .. } = ev[1] else {
        panic!("{ev:?}")
    };
    assert!(matches!(
        ev[0],
        SessionEvent::Stalled {
            what: "no answer to the Challenge"
        }
    ));
    // The reconnect opens a connection into a frozen server's backlog.
    let t1 = t0 + Duration::from_secs(10) + delay;
    s.handle_timeout(t1);
    assert_eq!(commands(&mut s), [DriverCommand::Connect]);
    s.handle_connected(t1);
    s.handle_timeout(t1 + Duration::from_secs(10));
    assert_eq!(commands(&mut s), [DriverCommand::Disconnect]);
    assert!(matches!(
        drain(&mut s)[..],
        [
            SessionEvent::Stalled { .. },
            SessionEvent::Reconnecting { attempt: 2, .. }
        ]
    ));

    // Plain login left unanswered.
    let mut s = Session::new(SessionConfig::new("admin", "x").auth(AuthMethod::Plain), t0);
    let _ = s.poll_command();
    s.handle_connected(t0);
    s.handle_input(b"Asterisk Call Manager/11.0.0\r\n", t0);
    assert!(sent(&mut s).contains("Action: Login"));
    s.handle_timeout(t0 + Duration::from_secs(10));
    assert!(matches!(
        drain(&mut s)[0],
        SessionEvent::Stalled {
            what: "no answer to the Login"
        }
    ));
}

#[test]
fn a_logoff_without_goodbye_closes_in_time() {
    let (mut s, t0) = ready(SessionConfig::new("admin", "x"));
    s.close(t0);
    assert!(sent(&mut s).contains("Action: Logoff"));
    s.handle_timeout(t0 + Duration::from_secs(10));
    assert!(s.is_closed());
    assert_eq!(commands(&mut s), [DriverCommand::Disconnect]);
    assert!(matches!(
        drain(&mut s)[..],
        [SessionEvent::Closed { reason: None }]
    ));
}

#[test]
fn sending_actions_does_not_keep_a_silent_link_alive() {
    // An application sends something every 15 s; the server answers
    // nothing (frozen). The keep-alive still pings and declares it dead.
    let (mut s, t0) =
        ready(SessionConfig::new("admin", "x").action_timeout(Duration::from_secs(60)));
    let status = Message::action("Status").build().unwrap();
    s.send_action(&status, t0 + Duration::from_secs(15))
        .unwrap();
    let _ = sent(&mut s);
    s.handle_timeout(t0 + Duration::from_secs(20));
    assert!(
        sent(&mut s).contains("Action: Ping"),
        "20 s without input: ping although an action was sent at 15 s"
    );
    s.send_action(&status, t0 + Duration::from_secs(25))
        .unwrap();
    s.handle_timeout(t0 + Duration::from_secs(30));
    assert_eq!(commands(&mut s), [DriverCommand::Disconnect]);
    assert!(
        drain(&mut s)
            .iter()
            .any(|e| matches!(e, SessionEvent::Reconnecting { .. })),
        "the frozen link is lost"
    );
}

#[test]
fn a_peer_trickling_bytes_without_a_message_is_not_alive() {
    let (mut s, t0) = ready(SessionConfig::new("admin", "x"));
    let partial = b"Event: Newchannel\r\nChannel: PJSIP/1001-0000000";
    let mut pinged = false;
    for (i, b) in partial.iter().cycle().take(300).enumerate() {
        // One byte every 100 ms, for 30 s, never a whole message.
        let t = t0 + Duration::from_millis(100 * (i as u64 + 1));
        s.handle_input(std::slice::from_ref(b), t);
        s.handle_timeout(t);
        pinged |= sent(&mut s).contains("Action: Ping");
        if !commands(&mut s).is_empty() {
            assert!(pinged, "a ping came first");
            assert!(t <= t0 + Duration::from_secs(31), "dead by {t:?}");
            return;
        }
    }
    panic!("a trickling peer was never declared dead");
}
