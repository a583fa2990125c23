//! The generated typed layer: events decoded from wire bytes, actions
//! encoded to wire bytes, and the counts against the catalogue.

use std::collections::HashSet;
use std::time::Duration;

use ami_proto::actions::{
    ACTION_NAMES, AbsoluteTimeout, Action, Atxfer, BlindTransfer, Command, CoreShowChannels,
    Getvar, Hangup, Originate, Ping, QueueAdd, QueuePause, QueueRemove, Redirect, Setvar, Status,
    UserEvent,
};
use ami_proto::codec::{Decoded, Decoder};
use ami_proto::events::{EVENT_NAMES, NewExten, QueueMember};
use ami_proto::values::{ChannelState, DeviceStatus, DialStatus, TransferResult};
use ami_proto::{Event, Message};
use bytes::BytesMut;

/// Decodes every message in `wire` (no banner).
fn decode_all(wire: &[u8]) -> Vec<Message> {
    let mut dec = Decoder::client();
    let mut buf = BytesMut::from(&b"Asterisk Call Manager/11.0.0\r\n"[..]);
    buf.extend_from_slice(wire);
    let mut out = Vec::new();
    while let Some(item) = dec.decode(&mut buf) {
        match item.expect("decodes") {
            Decoded::Banner(_) => {}
            Decoded::Message(m) => out.push(m),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(buf.is_empty(), "undecoded bytes left");
    out
}

fn decode_one(wire: &[u8]) -> Message {
    let mut all = decode_all(wire);
    assert_eq!(all.len(), 1);
    all.remove(0)
}

const NEWEXTEN: &[u8] = b"Event: Newexten\r\n\
Privilege: dialplan,all\r\n\
Channel: Local/200@test-00000001;2\r\n\
ChannelState: 4\r\n\
ChannelStateDesc: Ring\r\n\
CallerIDNum: 100\r\n\
CallerIDName: <unknown>\r\n\
ConnectedLineNum: <unknown>\r\n\
ConnectedLineName: <unknown>\r\n\
Language: en\r\n\
AccountCode: \r\n\
Context: test\r\n\
Exten: 200\r\n\
Priority: 1\r\n\
Uniqueid: 1795261035.12\r\n\
Linkedid: 1795261035.11\r\n\
Extension: 200\r\n\
Application: Answer\r\n\
AppData: \r\n\
\r\n";

#[test]
fn wire_spelling_newexten_is_typed() {
    let ev = Event::from_message(decode_one(NEWEXTEN)).expect("an event");
    let Event::NewExten(e) = &ev else {
        panic!("not NewExten: {ev:?}")
    };
    assert_eq!(NewExten::NAME, "NewExten");
    assert_eq!(ev.name(), "Newexten", "the wire's spelling is kept");
    assert_eq!(e.channel(), Some("Local/200@test-00000001;2"));
    assert_eq!(e.channel_state_desc(), Some("Ring"));
    assert_eq!(e.caller_id_num(), Some("100"));
    assert_eq!(e.uniqueid(), Some("1795261035.12"));
    assert_eq!(e.application(), Some("Answer"));
    assert_eq!(e.app_data(), Some(""));
    assert_eq!(e.account_code(), Some(""));
    // Headers the catalogue does not list stay reachable.
    assert_eq!(e.message().get("Privilege"), Some("dialplan,all"));
    assert_eq!(e.as_ref().len(), 19);
    let raw = ev.into_message();
    assert_eq!(&raw.to_bytes()[..], NEWEXTEN);
}

#[test]
fn every_case_of_a_name_is_typed_the_same() {
    for name in ["NewExten", "Newexten", "NEWEXTEN", "newexten"] {
        let m = Message::event(name).build().unwrap();
        assert!(
            matches!(Event::from_message(m), Ok(Event::NewExten(_))),
            "{name}"
        );
    }
    let long = "X".repeat(100);
    let m = Message::event(&long).build().unwrap();
    assert!(matches!(Event::from_message(m), Ok(Event::Unknown(_))));
}

#[test]
fn unknown_event_is_kept_raw() {
    let wire = b"Event: MyModuleThing\r\nPrivilege: user,all\r\nFoo: a: b\r\nFoo: second\r\nEmpty: \r\n\r\n";
    let m = decode_one(wire);
    let ev = Event::from_message(m.clone()).expect("an event");
    let Event::Unknown(raw) = &ev else {
        panic!("typed: {ev:?}")
    };
    assert_eq!(raw, &m);
    assert_eq!(ev.name(), "MyModuleThing");
    assert_eq!(raw.get_all("Foo").collect::<Vec<_>>(), ["a: b", "second"]);
    assert_eq!(raw.get("Empty"), Some(""));
    assert_eq!(&ev.into_message().to_bytes()[..], wire);
}

#[test]
fn responses_and_actions_are_not_events() {
    let resp = decode_one(b"Response: Success\r\nActionID: 1\r\nPing: Pong\r\n\r\n");
    let back = Event::from_message(resp.clone()).expect_err("a response");
    assert_eq!(back, resp);
    let action = Message::action("Ping").build().unwrap();
    assert!(Event::from_message(action).is_err());
}

#[test]
fn originate_response_is_an_event_despite_its_response_header() {
    let wire = b"Event: OriginateResponse\r\n\
Privilege: call,all\r\n\
ActionID: o-1\r\n\
Response: Success\r\n\
Channel: Local/200@test-00000002;1\r\n\
Context: test\r\n\
Exten: 100\r\n\
Reason: 4\r\n\
Uniqueid: 1795261035.20\r\n\
CallerIDNum: <unknown>\r\n\
CallerIDName: <unknown>\r\n\
\r\n";
    let ev = Event::from_message(decode_one(wire)).expect("an event");
    let Event::OriginateResponse(e) = ev else {
        panic!("not OriginateResponse: {ev:?}")
    };
    assert_eq!(e.response(), Some("Success"));
    assert_eq!(e.reason(), Some("4"));
    assert_eq!(e.action_id(), Some("o-1"));
}

#[test]
fn queue_member_list_reply_is_typed() {
    // Recorded from Asterisk 22.10.1 (fixtures/ami/recordings/e-event-lists).
    let wire = b"Event: QueueMember\r\n\
Queue: testq\r\n\
Name: Member Two\r\n\
Location: Local/500@test\r\n\
StateInterface: Local/500@test\r\n\
Membership: static\r\n\
Penalty: 1\r\n\
CallsTaken: 0\r\n\
LastCall: 0\r\n\
LastPause: 0\r\n\
LoginTime: 1795261048\r\n\
InCall: 0\r\n\
Status: 2\r\n\
Paused: 0\r\n\
PausedReason: \r\n\
Wrapuptime: 0\r\n\
ActionID: queuestatus-1\r\n\
\r\n\
Event: QueueStatusComplete\r\n\
EventList: Complete\r\n\
ListItems: 1\r\n\
ActionID: queuestatus-1\r\n\
\r\n";
    let msgs = decode_all(wire);
    let mut typed = msgs
        .into_iter()
        .map(|m| Event::from_message(m).expect("an event"));
    let Some(Event::QueueMember(qm)) = typed.next() else {
        panic!("not QueueMember")
    };
    assert_eq!(QueueMember::NAME, "QueueMember");
    assert_eq!(qm.queue(), Some("testq"));
    assert_eq!(qm.name(), Some("Member Two"));
    assert_eq!(qm.state_interface(), Some("Local/500@test"));
    assert_eq!(qm.paused_reason(), Some(""));
    assert_eq!(qm.wrapuptime(), Some(Ok(Duration::ZERO)));
    assert_eq!(qm.paused(), Some(Ok(false)));
    assert_eq!(qm.message().get("Paused"), Some("0"));
    assert_eq!(qm.message().action_id(), Some("queuestatus-1"));
    let Some(Event::QueueStatusComplete(done)) = typed.next() else {
        panic!("not QueueStatusComplete")
    };
    assert_eq!(done.list_items(), Some("1"));
    assert!(done.message().is_list_complete());
}

#[test]
fn originate_encodes_in_order_with_repeated_variables() {
    let m = Originate::new("Local/200@test")
        .context("test")
        .exten("100")
        .priority(1)
        .variable("A=1")
        .variable("B=2")
        .into_message()
        .unwrap();
    assert_eq!(
        &m.to_bytes()[..],
        b"Action: Originate\r\nChannel: Local/200@test\r\nContext: test\r\nExten: 100\r\nPriority: 1\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n"
    );
    assert_eq!(Originate::NAME, "Originate");
    assert_eq!(
        &Ping::new().into_message().unwrap().to_bytes()[..],
        b"Action: Ping\r\n\r\n"
    );
    let ue = UserEvent::new("Hello")
        .header("Key", "v")
        .into_message()
        .unwrap();
    assert_eq!(
        &ue.to_bytes()[..],
        b"Action: UserEvent\r\nUserEvent: Hello\r\nKey: v\r\n\r\n"
    );
}

#[test]
fn line_breaks_in_values_fail_the_build() {
    for bad in [
        "x\r\nAction: Hangup",
        "x\nAction: Hangup",
        "x\rAction: Hangup",
    ] {
        let err = Originate::new("Local/200@test")
            .context(bad)
            .exten("100")
            .into_message()
            .unwrap_err();
        assert!(err.is_line_break(), "{bad:?}: {err:?}");
        assert!(Originate::new(bad).into_message().is_err());
    }
}

/// Distinct names (ASCII case ignored) in the first column of a TSV.
fn names(file: &str) -> HashSet<String> {
    let path = format!("{}/codegen/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').next().unwrap().to_ascii_lowercase())
        .collect()
}

#[test]
fn one_typed_event_per_catalogue_name() {
    let mut expected = names("ami-events.tsv");
    assert_eq!(expected.len(), 171);
    expected.extend(names("ami-response-events.tsv"));
    assert_eq!(expected.len(), 171 + 10);
    // The list replies the documentation omits.
    expected.extend(["queuemember".to_owned(), "queuestatuscomplete".to_owned()]);

    let generated: HashSet<String> = EVENT_NAMES.iter().map(|n| n.to_ascii_lowercase()).collect();
    assert_eq!(generated.len(), EVENT_NAMES.len(), "no name twice");
    assert_eq!(generated, expected);

    // Every name gives its own typed variant, never `Unknown`.
    let mut variants = HashSet::new();
    for name in EVENT_NAMES {
        let ev = Event::from_message(Message::event(name).build().unwrap()).unwrap();
        assert!(!matches!(ev, Event::Unknown(_)), "{name} is Unknown");
        assert_eq!(ev.name(), *name);
        variants.insert(std::mem::discriminant(&ev));
    }
    assert_eq!(variants.len(), EVENT_NAMES.len());
}

#[test]
fn one_typed_action_per_catalogue_name() {
    let expected = names("ami-actions.tsv");
    assert_eq!(expected.len(), 123);
    let generated: HashSet<String> = ACTION_NAMES
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    assert_eq!(generated.len(), ACTION_NAMES.len(), "no name twice");
    assert_eq!(generated, expected);
}

/// The wire bytes of an action.
fn wire(action: impl Action) -> String {
    let m = action.into_message().expect("valid");
    String::from_utf8(m.to_bytes().to_vec()).expect("UTF-8")
}

#[test]
fn typed_setters_write_asterisk_spellings() {
    assert_eq!(
        wire(
            Originate::new("PJSIP/1001")
                .exten("1002")
                .context("from-internal")
                .priority(1)
                .timeout(Duration::from_secs(30))
                .early_media(false)
                .async_(true)
                .variable("A=1")
        ),
        "Action: Originate\r\nChannel: PJSIP/1001\r\nExten: 1002\r\nContext: from-internal\r\n\
         Priority: 1\r\nTimeout: 30000\r\nEarlyMedia: false\r\nAsync: true\r\nVariable: A=1\r\n\r\n"
    );
    // Sub-unit durations round up: never 0 for a non-zero wait.
    assert_eq!(
        wire(Originate::new("PJSIP/1001").timeout(Duration::from_micros(1500))),
        "Action: Originate\r\nChannel: PJSIP/1001\r\nTimeout: 2\r\n\r\n"
    );
    assert_eq!(
        wire(AbsoluteTimeout::new(
            "PJSIP/1001-1",
            Duration::from_millis(1500)
        )),
        "Action: AbsoluteTimeout\r\nChannel: PJSIP/1001-1\r\nTimeout: 2\r\n\r\n"
    );
    assert_eq!(
        wire(Redirect::new("PJSIP/1001-1", "1003", "from-internal", 2).extra_priority(3)),
        "Action: Redirect\r\nChannel: PJSIP/1001-1\r\nExten: 1003\r\nContext: from-internal\r\n\
         Priority: 2\r\nExtraPriority: 3\r\n\r\n"
    );
    assert_eq!(
        wire(Hangup::new("PJSIP/1001-1").cause(16)),
        "Action: Hangup\r\nChannel: PJSIP/1001-1\r\nCause: 16\r\n\r\n"
    );
    assert_eq!(
        wire(
            QueueAdd::new("sales", "PJSIP/1001")
                .penalty(2)
                .paused(true)
                .member_name("Alice")
        ),
        "Action: QueueAdd\r\nQueue: sales\r\nInterface: PJSIP/1001\r\nPenalty: 2\r\n\
         Paused: true\r\nMemberName: Alice\r\n\r\n"
    );
    assert_eq!(
        wire(QueuePause::new("PJSIP/1001", false).queue("sales")),
        "Action: QueuePause\r\nInterface: PJSIP/1001\r\nPaused: false\r\nQueue: sales\r\n\r\n"
    );
    assert_eq!(
        wire(Status::new().channel("PJSIP/1001-1").all_variables(true)),
        "Action: Status\r\nChannel: PJSIP/1001-1\r\nAllVariables: true\r\n\r\n"
    );
}

#[test]
fn untyped_actions_keep_their_string_setters() {
    assert_eq!(
        wire(QueueRemove::new("sales", "PJSIP/1001")),
        "Action: QueueRemove\r\nQueue: sales\r\nInterface: PJSIP/1001\r\n\r\n"
    );
    assert_eq!(
        wire(Setvar::new("FOO", "a b").channel("PJSIP/1001-1")),
        "Action: Setvar\r\nVariable: FOO\r\nValue: a b\r\nChannel: PJSIP/1001-1\r\n\r\n"
    );
    assert_eq!(
        wire(Getvar::new("FOO")),
        "Action: Getvar\r\nVariable: FOO\r\n\r\n"
    );
    assert_eq!(
        wire(Command::new("core show version")),
        "Action: Command\r\nCommand: core show version\r\n\r\n"
    );
    assert_eq!(
        wire(
            BlindTransfer::new("PJSIP/1001-1")
                .context("from-internal")
                .exten("1003")
        ),
        "Action: BlindTransfer\r\nChannel: PJSIP/1001-1\r\nContext: from-internal\r\nExten: 1003\r\n\r\n"
    );
    assert_eq!(
        wire(Atxfer::new("PJSIP/1001-1", "1003")),
        "Action: Atxfer\r\nChannel: PJSIP/1001-1\r\nExten: 1003\r\n\r\n"
    );
    assert_eq!(
        wire(CoreShowChannels::new()),
        "Action: CoreShowChannels\r\n\r\n"
    );
    // The escape hatch: any text, for what the type cannot say.
    assert_eq!(
        wire(Originate::new("PJSIP/1001").header("Priority", "start")),
        "Action: Originate\r\nChannel: PJSIP/1001\r\nPriority: start\r\n\r\n"
    );
}

/// An event named `name` with `headers`, typed.
fn typed(name: &str, headers: &[(&str, &str)]) -> Event {
    let mut b = Message::event(name);
    for (k, v) in headers {
        b = b.header(k, v);
    }
    Event::from_message(b.build().unwrap()).expect("an event")
}

#[test]
fn channel_state_is_typed_and_keeps_unknown_values() {
    let Event::Newchannel(e) = typed(
        "Newchannel",
        &[("ChannelState", "4"), ("ChannelStateDesc", "Ring")],
    ) else {
        panic!("not Newchannel")
    };
    assert_eq!(e.channel_state(), Some(ChannelState::Ring));
    assert_eq!(e.channel_state_desc(), Some("Ring"));
    assert_eq!(ChannelState::Ring.description(), Some("Ring"));

    for (raw, want) in [
        ("6", ChannelState::Up),
        ("9", ChannelState::PreRing),
        ("65536", ChannelState::Mute),
        ("10", ChannelState::Other("10".into())),
        ("up", ChannelState::Other("up".into())),
        ("", ChannelState::Other(String::new())),
    ] {
        let Event::Newstate(e) = typed("Newstate", &[("ChannelState", raw)]) else {
            panic!("not Newstate")
        };
        assert_eq!(e.channel_state(), Some(want.clone()), "{raw:?}");
        assert_eq!(want.as_str(), raw);
        assert_eq!(e.message().get("ChannelState"), Some(raw));
    }
    let Event::Newstate(e) = typed("Newstate", &[]) else {
        panic!("not Newstate")
    };
    assert_eq!(e.channel_state(), None);

    // Prefixed snapshots are typed the same.
    let Event::DialBegin(e) = typed(
        "DialBegin",
        &[("ChannelState", "4"), ("DestChannelState", "5")],
    ) else {
        panic!("not DialBegin")
    };
    assert_eq!(e.dest_channel_state(), Some(ChannelState::Ringing));
}

#[test]
fn hangup_cause_is_a_number_and_malformed_ones_are_errors() {
    let cause = |raw: &str| {
        let Event::Hangup(e) = typed("Hangup", &[("Cause", raw), ("Cause-txt", "x")]) else {
            panic!("not Hangup")
        };
        e.cause()
    };
    assert_eq!(cause("16"), Some(Ok(16)));
    assert_eq!(cause("0"), Some(Ok(0)));
    for bad in ["", "abc", "-1", "16 ", "65536", "1e3"] {
        let err = cause(bad).expect("present").expect_err(bad);
        assert_eq!(err.raw(), bad);
        assert_eq!(err.expected(), "u16");
        assert!(err.to_string().contains("u16"), "{err}");
    }
    let Event::Hangup(e) = typed("Hangup", &[]) else {
        panic!("not Hangup")
    };
    assert_eq!(e.cause(), None);
}

#[test]
fn dial_status_device_state_and_transfer_result_keep_unknowns_raw() {
    let dial = |raw: &str| {
        let Event::DialEnd(e) = typed("DialEnd", &[("DialStatus", raw)]) else {
            panic!("not DialEnd")
        };
        e.dial_status()
    };
    assert_eq!(dial("ANSWER"), Some(DialStatus::Answer));
    assert_eq!(dial("CHANUNAVAIL"), Some(DialStatus::ChanUnavail));
    assert_eq!(dial("INVALIDARGS"), Some(DialStatus::InvalidArgs));
    assert_eq!(dial("ABORT"), Some(DialStatus::Other("ABORT".into())));
    assert_eq!(dial(""), Some(DialStatus::Other(String::new())));
    // DialState's DialStatus (RINGING, PROGRESS, …) is another set: a string.
    let Event::DialState(e) = typed("DialState", &[("DialStatus", "RINGING")]) else {
        panic!("not DialState")
    };
    assert_eq!(e.dial_status(), Some("RINGING"));

    let Event::DeviceStateChange(e) = typed(
        "DeviceStateChange",
        &[("Device", "PJSIP/1001"), ("State", "NOT_INUSE")],
    ) else {
        panic!("not DeviceStateChange")
    };
    assert_eq!(e.state(), Some(DeviceStatus::NotInUse));
    assert_eq!(
        DeviceStatus::from_ami("SOMETHING_NEW"),
        DeviceStatus::Other("SOMETHING_NEW".into())
    );

    let Event::BlindTransfer(e) = typed("BlindTransfer", &[("Result", "Not Permitted")]) else {
        panic!("not BlindTransfer")
    };
    assert_eq!(e.result(), Some(TransferResult::NotPermitted));
    let Event::AttendedTransfer(e) = typed("AttendedTransfer", &[("Result", "Success")]) else {
        panic!("not AttendedTransfer")
    };
    assert_eq!(e.result(), Some(TransferResult::Success));
}

#[test]
fn counts_and_queue_member_flags_are_typed() {
    let Event::BridgeEnter(e) = typed("BridgeEnter", &[("BridgeNumChannels", "2")]) else {
        panic!("not BridgeEnter")
    };
    assert_eq!(e.bridge_num_channels(), Some(Ok(2)));
    let Event::BridgeEnter(e) = typed("BridgeEnter", &[("BridgeNumChannels", "two")]) else {
        panic!("not BridgeEnter")
    };
    assert_eq!(e.bridge_num_channels().unwrap().unwrap_err().raw(), "two");

    let paused = |raw: &str| {
        let Event::QueueMemberPause(e) =
            typed("QueueMemberPause", &[("Paused", raw), ("Wrapuptime", "15")])
        else {
            panic!("not QueueMemberPause")
        };
        assert_eq!(e.wrapuptime(), Some(Ok(Duration::from_secs(15))));
        e.paused()
    };
    assert_eq!(paused("1"), Some(Ok(true)));
    assert_eq!(paused("0"), Some(Ok(false)));
    assert_eq!(paused("Yes"), Some(Ok(true)));
    assert_eq!(paused("maybe").unwrap().unwrap_err().raw(), "maybe");
}
