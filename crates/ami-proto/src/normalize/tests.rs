use std::collections::BTreeMap;

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
    let p = |d: &str, num: &str| Party::device(d).with_number(num);
    assert_eq!(
        out.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(),
        [
            EventKind::Originated {
                call: "1.1".into(),
                from: p("PJSIP/1001", "1001"),
                to: None
            },
            EventKind::Answered {
                call: "1.1".into(),
                party: p("PJSIP/1002", "1002")
            },
        ],
        "the adopted call as it is now"
    );
    assert_eq!(n.calls(), 1, "the two channels are one call (Linkedid)");
    // The same list again (a second gap) changes nothing.
    out.clear();
    n.snapshot(&list, Timestamp::EPOCH, &mut out);
    assert!(out.is_empty(), "{out:?}");
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
    let p = |d: &str, num: &str| Party::device(d).with_number(num);
    let call = CallId::new("2.1");
    assert_eq!(
        kinds(&msgs),
        [
            EventKind::Originated {
                call: call.clone(),
                from: p("Local/200@test", "200"),
                to: None
            },
            EventKind::Alerting {
                call: call.clone(),
                party: p("PJSIP/1002", "1002"),
                caller: Some(p("PJSIP/1001", "1001"))
            },
            EventKind::PartyCleared {
                call: call.clone(),
                party: p("PJSIP/1002", "1002"),
                cause: Cause::Busy
            },
            EventKind::PartyCleared {
                call: call.clone(),
                party: p("PJSIP/1001", "1001"),
                cause: Cause::Busy
            },
            EventKind::PartyCleared {
                call: call.clone(),
                party: p("Local/200@test", "200"),
                cause: Cause::Busy
            },
            // The call lives until its Local channel goes.
            EventKind::Ended {
                call,
                cause: Cause::Busy
            },
        ]
    );
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
    // The channel predates the session: its call is adopted at its first
    // event.
    assert!(matches!(&k[0], EventKind::Originated { .. }), "{k:?}");
    assert!(matches!(&k[1], EventKind::Held { .. }));
    assert!(matches!(&k[2], EventKind::Retrieved { .. }));
    assert!(
        matches!(&k[3], EventKind::Transferred { to, .. } if to.number.as_deref() == Some("1003"))
    );
    assert!(
        matches!(&k[4], EventKind::AgentState { state: AgentState::NotReady, reason: Some(r), .. } if r == "lunch")
    );
    assert!(matches!(
        &k[5],
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

/// A channel snapshot with its state: `prefix`Channel, …State, …CallerIDNum,
/// …Uniqueid, …Linkedid.
fn ch(
    prefix: &str,
    name: &str,
    state: &str,
    num: &str,
    uid: &str,
    lid: &str,
) -> Vec<(String, String)> {
    let mut v = snap(prefix, name, num, uid, lid);
    v.push((format!("{prefix}ChannelState"), state.to_owned()));
    v
}

fn p(device: &str, number: &str) -> Party {
    Party::device(device).with_number(number)
}

/// An `Originate` of `Local/<exten>@test` with caller id `cid`: the two
/// halves and the Originate's own dial.
fn local_originate(
    exten: &str,
    cid: &str,
    uid: &str,
) -> (Vec<Message>, Vec<Vec<(String, String)>>) {
    let n1 = format!("Local/{exten}@test-00000001;1");
    let n2 = format!("Local/{exten}@test-00000001;2");
    let u2 = format!("{uid}1");
    let one = ch("", &n1, "0", "<unknown>", uid, uid);
    let two = ch("", &n2, "4", "<unknown>", &u2, uid);
    let one_cid = ch("", &n1, "0", cid, uid, uid);
    let lb: Vec<(String, String)> = ch("LocalOne", &n1, "0", cid, uid, uid)
        .into_iter()
        .chain(ch("LocalTwo", &n2, "4", cid, &u2, uid))
        .collect();
    let msgs = vec![
        ev(
            "Newchannel",
            std::slice::from_ref(&one),
            &[("Exten", exten)],
        ),
        ev(
            "Newchannel",
            std::slice::from_ref(&two),
            &[("Exten", exten)],
        ),
        ev("NewCallerid", std::slice::from_ref(&one_cid), &[]),
        ev("LocalBridge", &[lb], &[]),
        ev(
            "DialBegin",
            &[ch("Dest", &n1, "0", cid, uid, uid)],
            &[("DialString", &format!("{exten}@test"))],
        ),
    ];
    (
        msgs,
        vec![
            ch("", &n1, "6", cid, uid, uid),
            ch("", &n2, "6", cid, &u2, uid),
        ],
    )
}

#[test]
fn a_local_pair_and_its_dialled_local_leg_are_one_call() {
    let (mut msgs, halves) = local_originate("200", "555", "9.1");
    let (one, two) = (&halves[0], &halves[1]);
    let d1 = ch(
        "",
        "Local/100@test-00000002;1",
        "0",
        "<unknown>",
        "9.3",
        "9.1",
    );
    let d2 = ch(
        "",
        "Local/100@test-00000002;2",
        "4",
        "<unknown>",
        "9.4",
        "9.1",
    );
    let d1_up = ch("", "Local/100@test-00000002;1", "6", "200", "9.3", "9.1");
    let d2_up = ch("", "Local/100@test-00000002;2", "6", "555", "9.4", "9.1");
    let d1_dest = ch(
        "Dest",
        "Local/100@test-00000002;1",
        "6",
        "200",
        "9.3",
        "9.1",
    );
    msgs.extend([
        ev("Newchannel", std::slice::from_ref(&d1), &[]),
        ev("Newchannel", std::slice::from_ref(&d2), &[]),
        ev(
            "DialBegin",
            &[two.clone(), d1_dest.clone()],
            &[("DialString", "100@test")],
        ),
        ev("Newstate", std::slice::from_ref(&d2_up), &[]),
        ev("Newstate", std::slice::from_ref(&d1_up), &[]),
        ev(
            "DialEnd",
            &[two.clone(), d1_dest],
            &[("DialStatus", "ANSWER")],
        ),
        ev("Newstate", std::slice::from_ref(two), &[]),
        ev("Newstate", std::slice::from_ref(one), &[]),
        ev(
            "DialEnd",
            &[ch(
                "Dest",
                "Local/200@test-00000001;1",
                "6",
                "555",
                "9.1",
                "9.1",
            )],
            &[("DialStatus", "ANSWER")],
        ),
        ev(
            "BridgeEnter",
            std::slice::from_ref(&d1_up),
            &[("BridgeUniqueid", "b1"), ("BridgeNumChannels", "1")],
        ),
        ev(
            "BridgeEnter",
            std::slice::from_ref(two),
            &[("BridgeUniqueid", "b1"), ("BridgeNumChannels", "2")],
        ),
        ev("Hangup", std::slice::from_ref(one), &[("Cause", "16")]),
        ev(
            "BridgeLeave",
            std::slice::from_ref(two),
            &[("BridgeUniqueid", "b1"), ("BridgeNumChannels", "1")],
        ),
        ev("Hangup", std::slice::from_ref(two), &[("Cause", "16")]),
        ev("Hangup", std::slice::from_ref(&d1_up), &[("Cause", "16")]),
        ev("Hangup", std::slice::from_ref(&d2_up), &[("Cause", "16")]),
    ]);
    let call = CallId::new("9.1");
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    let mut model = cti_core::CallModel::new();
    for (i, m) in msgs.iter().enumerate() {
        let from = out.len();
        n.push(m, Timestamp::from_unix_millis(i as i64), &mut out);
        for e in &out[from..] {
            model.apply(e);
        }
        if i == 13 {
            // Both parties answered: the wallboard shows one call, talking.
            let c = model.call(&call).expect("the call");
            assert_eq!(model.calls().count(), 1);
            assert_eq!(c.state(), cti_core::CallState::Connected);
            assert_eq!(c.parties.len(), 3, "{c:?}");
        }
    }
    assert_eq!(
        out.into_iter().map(|e| e.kind).collect::<Vec<_>>(),
        [
            EventKind::Originated {
                call: call.clone(),
                from: p("555", "555"),
                to: Some(p("Local/200@test", "200"))
            },
            EventKind::Alerting {
                call: call.clone(),
                party: p("Local/200@test", "200"),
                caller: Some(p("555", "555"))
            },
            EventKind::Alerting {
                call: call.clone(),
                party: p("Local/100@test", "100"),
                caller: Some(p("555", "555"))
            },
            EventKind::Answered {
                call: call.clone(),
                party: p("Local/100@test", "100")
            },
            EventKind::Answered {
                call: call.clone(),
                party: p("Local/200@test", "200")
            },
            EventKind::PartyCleared {
                call: call.clone(),
                party: p("Local/200@test", "200"),
                cause: Cause::Normal
            },
            EventKind::PartyCleared {
                call: call.clone(),
                party: p("Local/100@test", "100"),
                cause: Cause::Normal
            },
            EventKind::Ended {
                call,
                cause: Cause::Normal
            },
        ]
    );
    assert_eq!((n.calls(), n.channels()), (0, 0));
    assert_eq!(model.calls().count(), 0);
}

#[test]
fn a_dialled_leg_is_a_party_of_the_callers_call() {
    let a = ch("", "PJSIP/1001-0000000a", "4", "1001", "7.1", "7.1");
    let a_up = ch("", "PJSIP/1001-0000000a", "6", "1001", "7.1", "7.1");
    let b = ch("", "PJSIP/1002-0000000b", "0", "1002", "7.2", "7.1");
    let b_ringing = ch("", "PJSIP/1002-0000000b", "5", "1002", "7.2", "7.1");
    let b_up = ch("", "PJSIP/1002-0000000b", "6", "1002", "7.2", "7.1");
    let bd = ch("Dest", "PJSIP/1002-0000000b", "0", "1002", "7.2", "7.1");
    let msgs = vec![
        ev("Newchannel", std::slice::from_ref(&a), &[("Exten", "1002")]),
        ev("Newchannel", std::slice::from_ref(&b), &[]),
        ev(
            "DialBegin",
            &[a.clone(), bd.clone()],
            &[("DialString", "1002")],
        ),
        ev("Newstate", std::slice::from_ref(&b_ringing), &[]),
        ev("Newstate", std::slice::from_ref(&b_up), &[]),
        ev("DialEnd", &[a_up.clone(), bd], &[("DialStatus", "ANSWER")]),
        ev(
            "Newstate",
            std::slice::from_ref(&a_up),
            &[("Exten", "1002")],
        ),
        ev(
            "BridgeEnter",
            std::slice::from_ref(&a_up),
            &[("BridgeUniqueid", "b"), ("BridgeNumChannels", "1")],
        ),
        ev(
            "BridgeEnter",
            std::slice::from_ref(&b_up),
            &[("BridgeUniqueid", "b"), ("BridgeNumChannels", "2")],
        ),
        ev("Hangup", std::slice::from_ref(&b_up), &[("Cause", "16")]),
        ev("Hangup", std::slice::from_ref(&a_up), &[("Cause", "16")]),
    ];
    let call = CallId::new("7.1");
    assert_eq!(
        kinds(&msgs),
        [
            EventKind::Originated {
                call: call.clone(),
                from: p("PJSIP/1001", "1001"),
                to: Some(p("1002", "1002"))
            },
            EventKind::Alerting {
                call: call.clone(),
                party: p("PJSIP/1002", "1002"),
                caller: Some(p("PJSIP/1001", "1001"))
            },
            EventKind::Answered {
                call: call.clone(),
                party: p("PJSIP/1002", "1002")
            },
            EventKind::PartyCleared {
                call: call.clone(),
                party: p("PJSIP/1002", "1002"),
                cause: Cause::Normal
            },
            EventKind::PartyCleared {
                call: call.clone(),
                party: p("PJSIP/1001", "1001"),
                cause: Cause::Normal
            },
            EventKind::Ended {
                call,
                cause: Cause::Normal
            },
        ]
    );
}

#[test]
fn failed_originates_end_with_the_dial_status_not_the_last_hangup_cause() {
    for (status, q850, cause) in [
        (Some("BUSY"), "17", Cause::Busy),
        (Some("CONGESTION"), "34", Cause::Congestion),
        (Some("CHANUNAVAIL"), "3", Cause::Unreachable),
        (Some("NOANSWER"), "16", Cause::NoAnswer),
        // No DialEnd: the hang-up cause that is not normal clearing.
        (None, "17", Cause::Busy),
        (None, "34", Cause::Congestion),
    ] {
        let (mut msgs, halves) = local_originate("800", "55580003", "8.1");
        if let Some(s) = status {
            msgs.push(ev(
                "DialEnd",
                &[ch(
                    "Dest",
                    "Local/800@test-00000001;1",
                    "0",
                    "55580003",
                    "8.1",
                    "8.1",
                )],
                &[("DialStatus", s)],
            ));
        }
        // `;2` with the real cause first, then `;1` with 0 (unknown): the
        // last hang-up is not the outcome.
        msgs.push(ev(
            "Hangup",
            std::slice::from_ref(&halves[1]),
            &[("Cause", q850)],
        ));
        msgs.push(ev(
            "Hangup",
            std::slice::from_ref(&halves[0]),
            &[("Cause", "0")],
        ));
        msgs.push(
            Message::event("OriginateResponse")
                .header("Response", "Failure")
                .header("Channel", "Local/800@test")
                .header("Reason", "0")
                .header("Uniqueid", "<unknown>")
                .header("CallerIDNum", "55580003")
                .build()
                .unwrap(),
        );
        let k = kinds(&msgs);
        let label = format!("{status:?} {q850}");
        assert!(
            matches!(k.first(), Some(EventKind::Originated { .. })),
            "{label}: {k:?}"
        );
        assert_eq!(
            k.last(),
            Some(&EventKind::Ended {
                call: "8.1".into(),
                cause: cause.clone()
            }),
            "{label}: {k:?}"
        );
        assert!(
            !k.iter().any(|e| matches!(e, EventKind::Answered { .. })),
            "{label}"
        );
        assert_eq!(
            k.iter()
                .filter(|e| matches!(e, EventKind::Ended { .. }))
                .count(),
            1,
            "{label}"
        );
        if status.is_some() {
            assert!(
                k.contains(&EventKind::PartyCleared {
                    call: "8.1".into(),
                    party: p("Local/800@test", "800"),
                    cause
                }),
                "{label}: {k:?}"
            );
        }
    }
}

#[test]
fn channels_that_predate_the_session_end_once() {
    let a = ch("", "PJSIP/1001-00000001", "6", "1001", "5.1", "5.1");
    let b = ch("", "PJSIP/1002-00000002", "6", "1002", "5.2", "5.1");
    let msgs = vec![
        ev("Hangup", std::slice::from_ref(&a), &[("Cause", "16")]),
        ev("Hangup", std::slice::from_ref(&b), &[("Cause", "16")]),
        // Repeated, and a late event of the same call.
        ev("Hangup", std::slice::from_ref(&a), &[("Cause", "16")]),
        ev("Newstate", std::slice::from_ref(&b), &[]),
    ];
    let k = kinds(&msgs);
    let count = |f: fn(&EventKind) -> bool| k.iter().filter(|e| f(e)).count();
    assert_eq!(
        count(|e| matches!(e, EventKind::Originated { .. })),
        1,
        "{k:?}"
    );
    assert_eq!(count(|e| matches!(e, EventKind::Ended { .. })), 1, "{k:?}");
    assert!(matches!(k.last(), Some(EventKind::Ended { .. })));
}

fn list(items: Vec<Message>) -> EventList {
    EventList {
        response: Message::response("Success")
            .header("EventList", "start")
            .build()
            .unwrap(),
        items,
        complete: None,
    }
}

#[test]
fn a_snapshot_after_a_gap_rebuilds_the_picture() {
    let d1 = ch("", "PJSIP/1001-00000001", "4", "1001", "4.1", "4.1");
    let d2 = ch("Dest", "PJSIP/1002-00000002", "0", "1002", "4.2", "4.1");
    let e1 = ch("", "PJSIP/1003-00000003", "4", "1003", "4.3", "4.3");
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    let t = Timestamp::EPOCH;
    for m in [
        ev("Newchannel", std::slice::from_ref(&d1), &[]),
        ev("DialBegin", &[d1.clone(), d2.clone()], &[]),
        ev("DialEnd", &[d1.clone(), d2], &[("DialStatus", "ANSWER")]),
        ev("Newchannel", std::slice::from_ref(&e1), &[("Exten", "600")]),
    ] {
        n.push(&m, t, &mut out);
    }
    assert_eq!(n.calls(), 2);
    let mut model = cti_core::CallModel::new();
    for e in &out {
        model.apply(e);
    }
    out.clear();
    n.link(&cti_core::LinkEvent::Reconnected { gap: true }, t, &mut out);
    assert_eq!(n.calls(), 0, "a gap forgets");
    // While the link was down: call 4.1 ended, 4.3 was answered by the
    // dialplan, 4.5 started and was answered.
    let snapshot = list(vec![
        ev(
            "CoreShowChannel",
            &[ch("", "PJSIP/1003-00000003", "6", "1003", "4.3", "4.3")],
            &[("Exten", "600"), ("BridgeId", "")],
        ),
        ev(
            "CoreShowChannel",
            &[ch("", "PJSIP/1005-00000006", "6", "1005", "4.6", "4.5")],
            &[("BridgeId", "b7")],
        ),
        ev(
            "CoreShowChannel",
            &[ch("", "PJSIP/1004-00000005", "6", "1004", "4.5", "4.5")],
            &[("BridgeId", "b7")],
        ),
    ]);
    n.snapshot(&snapshot, t, &mut out);
    let kinds: Vec<EventKind> = out.iter().map(|e| e.kind.clone()).collect();
    assert_eq!(
        kinds[1..],
        [
            EventKind::Ended {
                call: "4.1".into(),
                cause: Cause::Unknown
            },
            EventKind::Originated {
                call: "4.3".into(),
                from: p("PJSIP/1003", "1003"),
                to: None
            },
            EventKind::Answered {
                call: "4.3".into(),
                party: p("600", "600")
            },
            EventKind::Originated {
                call: "4.5".into(),
                from: p("PJSIP/1004", "1004"),
                to: None
            },
            EventKind::Answered {
                call: "4.5".into(),
                party: p("PJSIP/1005", "1005")
            },
        ]
    );
    for e in &out {
        model.apply(e);
    }
    let ids: Vec<&str> = model.calls().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["4.3", "4.5"]);
    assert!(model.calls().all(|c| c.answered.is_some()));
    // Late events of the call that ended in the gap change nothing; the
    // adopted calls end once.
    out.clear();
    for m in [
        ev("Hangup", std::slice::from_ref(&d1), &[("Cause", "16")]),
        ev(
            "Hangup",
            &[ch("", "PJSIP/1003-00000003", "6", "1003", "4.3", "4.3")],
            &[("Cause", "16")],
        ),
    ] {
        n.push(&m, t, &mut out);
    }
    assert_eq!(
        out.into_iter().map(|e| e.kind).collect::<Vec<_>>(),
        [
            EventKind::PartyCleared {
                call: "4.3".into(),
                party: p("PJSIP/1003", "1003"),
                cause: Cause::Normal
            },
            EventKind::Ended {
                call: "4.3".into(),
                cause: Cause::Normal
            },
        ]
    );
}

#[test]
fn a_status_list_is_a_snapshot_too() {
    let status = |chan: &str, state: &str, uid: &str, bridge: &str| {
        ev(
            "Status",
            &[ch("", chan, state, "<unknown>", uid, "3.1")],
            &[("BridgeID", bridge), ("ActionID", "s-1")],
        )
    };
    // The e recording's Status items: Local/510 waiting in `Wait`, its `;2`
    // dialling Local/500, which answered; two bridged.
    let items = vec![
        status("Local/510@test-00000007;1", "6", "3.1", ""),
        status("Local/510@test-00000007;2", "6", "3.2", "br"),
        status("Local/500@test-00000008;1", "6", "3.3", "br"),
        status("Local/500@test-00000008;2", "6", "3.4", ""),
    ];
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    n.snapshot(&list(items), Timestamp::EPOCH, &mut out);
    assert_eq!(n.calls(), 1);
    assert_eq!(n.channels(), 4);
    assert_eq!(
        out.into_iter().map(|e| e.kind).collect::<Vec<_>>(),
        [
            EventKind::Originated {
                call: "3.1".into(),
                from: p("Local/510@test", "510"),
                to: None
            },
            EventKind::Answered {
                call: "3.1".into(),
                party: p("Local/500@test", "500")
            },
        ]
    );
}

#[test]
fn borrowed_messages_normalize_like_owned_ones() {
    let (mut msgs, halves) = local_originate("200", "555", "6.1");
    msgs.push(ev(
        "Hangup",
        std::slice::from_ref(&halves[1]),
        &[("Cause", "16")],
    ));
    msgs.push(ev(
        "Hangup",
        std::slice::from_ref(&halves[0]),
        &[("Cause", "16")],
    ));
    let owned = kinds(&msgs);
    let mut bytes = bytes::BytesMut::new();
    for m in &msgs {
        bytes.extend_from_slice(&m.to_bytes());
    }
    let mut dec = crate::codec::Decoder::client();
    dec.reset(false);
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    while let Some(item) = dec.decode_raw(&mut bytes) {
        if let Ok(crate::codec::RawDecoded::Message(m)) = item {
            n.push(&m, Timestamp::EPOCH, &mut out);
        }
    }
    assert_eq!(out.into_iter().map(|e| e.kind).collect::<Vec<_>>(), owned);
    assert_eq!(owned.len(), 4, "{owned:?}");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    const NAMES: [&str; 16] = [
        "Newchannel",
        "Newstate",
        "NewCallerid",
        "NewConnectedLine",
        "DialBegin",
        "DialEnd",
        "LocalBridge",
        "BridgeEnter",
        "BridgeLeave",
        "Hold",
        "Unhold",
        "BlindTransfer",
        "AttendedTransfer",
        "Hangup",
        "OriginateResponse",
        "CoreShowChannel",
    ];
    const CHANNELS: [&str; 5] = [
        "PJSIP/1001-00000001",
        "PJSIP/1002-00000002",
        "Local/200@test-00000003;1",
        "Local/200@test-00000003;2",
        "Local/100@test-00000004;1",
    ];
    const PREFIXES: [&str; 8] = [
        "",
        "Dest",
        "Transferer",
        "Transferee",
        "OrigTransferer",
        "SecondTransferer",
        "TransferTarget",
        "LocalOne",
    ];
    const VALUES: [&str; 10] = [
        "ANSWER",
        "BUSY",
        "NOANSWER",
        "CONGESTION",
        "CHANUNAVAIL",
        "16",
        "17",
        "0",
        "Success",
        "",
    ];

    fn message() -> impl Strategy<Value = Message> {
        (
            0..NAMES.len(),
            proptest::collection::vec(
                (0..PREFIXES.len(), 0..CHANNELS.len(), 0..6u8, 0..4u8, 0..8u8),
                0..3,
            ),
            0..VALUES.len(),
            0..3u8,
        )
            .prop_map(|(name, chans, value, bridge)| {
                let mut b = Message::event(NAMES[name]);
                for (prefix, chan, uid, lid, state) in chans {
                    let pre = PREFIXES[prefix];
                    b = b
                        .header(&format!("{pre}Channel"), CHANNELS[chan])
                        .header(&format!("{pre}ChannelState"), &state.to_string())
                        .header(&format!("{pre}CallerIDNum"), &format!("10{uid}"))
                        .header(&format!("{pre}Uniqueid"), &format!("1.{uid}"))
                        .header(&format!("{pre}Linkedid"), &format!("1.{lid}"));
                }
                b.header("DialStatus", VALUES[value])
                    .header("Cause", VALUES[value])
                    .header("Result", VALUES[value])
                    .header("Response", "Failure")
                    .header("Reason", "5")
                    .header("Extension", "100")
                    .header("BridgeUniqueid", &format!("b{bridge}"))
                    .header("BridgeNumChannels", &bridge.to_string())
                    .build()
                    .unwrap()
            })
    }

    proptest! {
        #[test]
        fn arbitrary_events_never_panic_and_stay_bounded(
            msgs in proptest::collection::vec(message(), 0..60),
            gap_at in proptest::option::of(0usize..60),
        ) {
            let mut n = Normalizer::new();
            let mut out = Vec::new();
            for (i, m) in msgs.iter().enumerate() {
                if gap_at == Some(i) {
                    n.link(&cti_core::LinkEvent::Reconnected { gap: true }, Timestamp::EPOCH, &mut out);
                    n.snapshot(&list(msgs.clone()), Timestamp::EPOCH, &mut out);
                }
                n.push(m, Timestamp::EPOCH, &mut out);
                // At most the 6 Uniqueids and 4 Linkedids used.
                prop_assert!(n.channels() <= 6);
                prop_assert!(n.calls() <= 6);
            }
            if gap_at.is_none() {
                // Each call: `originated` first and once, `ended` once and
                // last.
                let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
                for e in &out {
                    let Some(id) = e.kind.call() else { continue };
                    let (o, end) = seen.entry(id.as_str().to_owned()).or_default();
                    prop_assert!(*end == 0, "{:?} after ended", e.kind);
                    match e.kind {
                        EventKind::Originated { .. } => *o += 1,
                        EventKind::Ended { .. } => *end += 1,
                        _ => prop_assert!(*o == 1, "{:?} before originated", e.kind),
                    }
                    prop_assert!(*o == 1, "originated once: {:?}", e.kind);
                }
            }
        }
    }
}

#[test]
fn a_repeated_device_state_is_reported_once() {
    let dsc = |d: &str, s: &str| ev("DeviceStateChange", &[], &[("Device", d), ("State", s)]);
    let k = kinds(&[
        dsc("Local/500@test", "INUSE"),
        dsc("Local/500@test", "INUSE"),
        dsc("PJSIP/1001", "INUSE"),
        dsc("Local/500@test", "NOT_INUSE"),
    ]);
    assert_eq!(
        k,
        [
            EventKind::DeviceState {
                device: "Local/500@test".into(),
                state: DeviceState::Busy
            },
            EventKind::DeviceState {
                device: "PJSIP/1001".into(),
                state: DeviceState::Busy
            },
            EventKind::DeviceState {
                device: "Local/500@test".into(),
                state: DeviceState::Idle
            },
        ]
    );
}

#[test]
fn a_channel_whose_linkedid_changes_moves_to_that_call() {
    let x = ch("", "PJSIP/1001-00000001", "6", "1001", "2.1", "2.1");
    let y = ch("", "PJSIP/1002-00000002", "6", "1002", "2.2", "2.2");
    let x_moved = ch("", "PJSIP/1001-00000001", "6", "1001", "2.1", "2.2");
    let k = kinds(&[
        ev("Newchannel", std::slice::from_ref(&x), &[]),
        ev("Newchannel", std::slice::from_ref(&y), &[]),
        ev("Newstate", std::slice::from_ref(&x_moved), &[]),
        ev("Hangup", std::slice::from_ref(&x_moved), &[("Cause", "16")]),
        ev("Hangup", std::slice::from_ref(&y), &[("Cause", "16")]),
    ]);
    let ended: Vec<&str> = k
        .iter()
        .filter_map(|e| match e {
            EventKind::Ended { call, .. } => Some(call.as_str()),
            _ => None,
        })
        .collect();
    // 2.1 lost its only channel when it moved; 2.2 ends with its last.
    assert_eq!(ended, ["2.1", "2.2"], "{k:?}");
    assert!(matches!(k.last(), Some(EventKind::Ended { .. })));
}
