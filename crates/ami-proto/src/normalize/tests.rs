use super::*;

fn snap(prefix: &str, chan: &str, num: &str, uid: &str, lid: &str) -> Vec<(String, String)> {
    vec![
        (format!("{prefix}Channel"), chan.to_owned()),
        (format!("{prefix}CallerIDNum"), num.to_owned()),
        (format!("{prefix}CallerIDName"), "<unknown>".to_owned()),
        (format!("{prefix}Uniqueid"), uid.to_owned()),
        (format!("{prefix}Linkedid"), lid.to_owned()),
    ]
}

fn ev(name: &str, parts: &[Vec<(String, String)>], extra: &[(&str, &str)]) -> Message {
    let mut b = Message::event(name).header("Privilege", "call,all");
    for (k, v) in parts.iter().flatten() {
        b = b.header(k, v);
    }
    for (k, v) in extra {
        b = b.header(k, v);
    }
    b.build().unwrap()
}

fn kinds(msgs: &[Message]) -> Vec<EventKind> {
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    for m in msgs {
        n.push(m, Timestamp::EPOCH, &mut out);
    }
    out.into_iter().map(|e| e.kind).collect()
}

#[test]
fn a_snapshot_adopts_the_channels_up_before_the_session() {
    let a = snap("", "PJSIP/1001-00000001", "1001", "1.1", "1.1");
    let b = snap("", "PJSIP/1002-00000002", "1002", "1.2", "1.1");
    let list = EventList {
        response: Message::response("Success")
            .header("EventList", "start")
            .build()
            .unwrap(),
        items: vec![
            ev(
                "CoreShowChannel",
                std::slice::from_ref(&a),
                &[("ChannelState", "6")],
            ),
            ev(
                "CoreShowChannel",
                std::slice::from_ref(&b),
                &[("ChannelState", "6")],
            ),
        ],
        complete: None,
    };
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    cti_core::Normalizer::snapshot(&mut n, &list, Timestamp::EPOCH, &mut out);
    assert!(out.is_empty(), "nothing invented: {out:?}");
    assert_eq!(n.calls(), 1, "the two channels are one call (Linkedid)");
    // The same list again (a second gap) changes nothing.
    n.snapshot(&list, Timestamp::EPOCH, &mut out);
    assert_eq!(n.calls(), 1);
    for m in [
        ev("Hangup", &[b], &[("Cause", "16")]),
        ev("Hangup", &[a], &[("Cause", "16")]),
    ] {
        n.push(&m, Timestamp::EPOCH, &mut out);
    }
    let ended = out
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Ended { .. }))
        .count();
    let cleared = out
        .iter()
        .filter(|e| matches!(e.kind, EventKind::PartyCleared { .. }))
        .count();
    assert_eq!((cleared, ended), (2, 1), "{out:?}");
    assert_eq!(n.calls(), 0);
}

#[test]
fn channel_devices() {
    assert_eq!(channel_device("PJSIP/1001-0000002a"), "PJSIP/1001");
    assert_eq!(channel_device("PJSIP/trunk-a-00000001"), "PJSIP/trunk-a");
    assert_eq!(channel_device("DAHDI/1"), "DAHDI/1");
    assert_eq!(channel_device("PJSIP/1001-"), "PJSIP/1001-");
}

#[test]
fn basic_call_answered_and_released() {
    let a = snap("", "PJSIP/1001-00000001", "1001", "1.1", "1.1");
    let b = snap("", "PJSIP/1002-00000002", "1002", "1.2", "1.1");
    let bd = snap("Dest", "PJSIP/1002-00000002", "1002", "1.2", "1.1");
    let msgs = vec![
        ev("Newchannel", std::slice::from_ref(&a), &[]),
        ev(
            "DeviceStateChange",
            &[],
            &[("Device", "PJSIP/1001"), ("State", "INUSE")],
        ),
        ev("Newchannel", std::slice::from_ref(&b), &[]),
        ev(
            "DialBegin",
            &[a.clone(), bd.clone()],
            &[("DialString", "1002")],
        ),
        ev(
            "DialEnd",
            &[a.clone(), bd.clone()],
            &[("DialStatus", "ANSWER")],
        ),
        ev(
            "BridgeEnter",
            std::slice::from_ref(&b),
            &[("BridgeNumChannels", "1")],
        ),
        ev(
            "BridgeEnter",
            std::slice::from_ref(&a),
            &[("BridgeNumChannels", "2")],
        ),
        ev(
            "Hangup",
            std::slice::from_ref(&a),
            &[("Cause", "16"), ("Cause-txt", "Normal Clearing")],
        ),
        ev(
            "Hangup",
            std::slice::from_ref(&b),
            &[("Cause", "16"), ("Cause-txt", "Normal Clearing")],
        ),
    ];
    let p = |d: &str, n: &str| Party::device(d).with_number(n);
    assert_eq!(
        kinds(&msgs),
        vec![
            EventKind::Originated {
                call: "1.1".into(),
                from: p("PJSIP/1001", "1001"),
                to: None
            },
            EventKind::DeviceState {
                device: "PJSIP/1001".into(),
                state: DeviceState::Busy
            },
            EventKind::Alerting {
                call: "1.1".into(),
                party: p("PJSIP/1002", "1002"),
                caller: Some(p("PJSIP/1001", "1001"))
            },
            EventKind::Answered {
                call: "1.1".into(),
                party: p("PJSIP/1002", "1002")
            },
            EventKind::PartyCleared {
                call: "1.1".into(),
                party: p("PJSIP/1001", "1001"),
                cause: Cause::Normal
            },
            EventKind::PartyCleared {
                call: "1.1".into(),
                party: p("PJSIP/1002", "1002"),
                cause: Cause::Normal
            },
            EventKind::Ended {
                call: "1.1".into(),
                cause: Cause::Normal
            },
        ]
    );
}

#[test]
fn busy_dial_and_local_channels() {
    let l1 = snap("", "Local/200@test-00000001;1", "", "2.1", "2.1");
    let a = snap("", "PJSIP/1001-00000003", "1001", "2.2", "2.1");
    let bd = snap("Dest", "PJSIP/1002-00000004", "1002", "2.3", "2.1");
    let msgs = vec![
        ev("Newchannel", std::slice::from_ref(&l1), &[]),
        ev("DialBegin", &[a.clone(), bd.clone()], &[]),
        ev("DialEnd", &[a.clone(), bd], &[("DialStatus", "BUSY")]),
        ev(
            "Hangup",
            &[snap("", "PJSIP/1002-00000004", "1002", "2.3", "2.1")],
            &[("Cause", "17")],
        ),
        ev("Hangup", &[a], &[("Cause", "17")]),
        ev("Hangup", &[l1], &[("Cause", "17")]),
    ];
    let k = kinds(&msgs);
    assert!(matches!(&k[0], EventKind::Alerting { .. }), "{k:?}");
    assert!(matches!(
        &k[1],
        EventKind::PartyCleared {
            cause: Cause::Busy,
            ..
        }
    ));
    assert!(matches!(
        &k[2],
        EventKind::PartyCleared {
            cause: Cause::Busy,
            ..
        }
    ));
    assert_eq!(
        k[3],
        EventKind::Ended {
            call: "2.1".into(),
            cause: Cause::Busy
        },
        "the call lives until its Local channel goes"
    );
    assert_eq!(k.len(), 4);
}

#[test]
fn hold_transfer_and_agents() {
    let a = snap("", "PJSIP/1001-00000001", "1001", "1.1", "1.1");
    let t = snap("Transferer", "PJSIP/1001-00000001", "1001", "1.1", "1.1");
    let msgs = vec![
        ev(
            "Hold",
            std::slice::from_ref(&a),
            &[("MusicClass", "default")],
        ),
        ev("Unhold", &[a], &[]),
        ev(
            "BlindTransfer",
            &[t],
            &[
                ("Result", "Success"),
                ("Extension", "1003"),
                ("Context", "test"),
            ],
        ),
        ev(
            "QueueMemberPause",
            &[],
            &[
                ("Queue", "support"),
                ("Interface", "PJSIP/2001"),
                ("Paused", "1"),
                ("PausedReason", "lunch"),
            ],
        ),
        ev(
            "AgentConnect",
            &[],
            &[("Queue", "support"), ("Interface", "PJSIP/2001")],
        ),
    ];
    let k = kinds(&msgs);
    assert!(matches!(&k[0], EventKind::Held { .. }));
    assert!(matches!(&k[1], EventKind::Retrieved { .. }));
    assert!(
        matches!(&k[2], EventKind::Transferred { to, .. } if to.number.as_deref() == Some("1003"))
    );
    assert!(
        matches!(&k[3], EventKind::AgentState { state: AgentState::NotReady, reason: Some(r), .. } if r == "lunch")
    );
    assert!(matches!(
        &k[4],
        EventKind::AgentState {
            state: AgentState::Busy,
            ..
        }
    ));
}

#[test]
fn responses_and_unknown_events_give_nothing() {
    let r = Message::response("Success")
        .header("ActionID", "1")
        .build()
        .unwrap();
    let u = Message::event("SomethingNew")
        .header("Foo", "bar")
        .build()
        .unwrap();
    assert!(kinds(&[r, u]).is_empty());
}
