//! Known-answer tests of the `ami-proto` codec on the lab recordings of a
//! real Asterisk 22.10.1 (`fixtures/ami/recordings/`; the wire facts are
//! those of the AMI reference and the recordings' notes, both kept outside
//! this repository).
//!
//! Every fixture is decoded three ways (chunks as recorded, one byte at a
//! time, all at once), which must agree; then facts the recordings are known
//! to hold are checked message by message. The message counts were counted
//! once outside the decoder (blocks ended by an empty line).

use std::collections::BTreeMap;
use std::path::Path;

use ami_proto::codec::{DecodeError, Decoded, Decoder};
use ami_proto::{Message, MessageKind};
use bytes::{Bytes, BytesMut};
use conformance::fixture::{self, Body, Chunk, Dir};

const BANNER: &[u8] = b"Asterisk Call Manager/11.0.0";

/// Messages per recording: (server → client, client → server).
const COUNTS: &[(&str, usize, usize)] = &[
    ("a-login-logoff", 3, 2),
    ("b-login-bad-secret", 1, 1),
    ("c-challenge-md5-login", 4, 4),
    ("d-ping-core-command", 15, 15),
    ("e-event-lists", 108, 26),
    ("g-errors-actionid", 19, 19),
];

/// One recording: the chunks each side wrote, as recorded.
struct Recording {
    name: String,
    recv: Vec<Vec<u8>>,
    send: Vec<Vec<u8>>,
}

impl Recording {
    fn recv_stream(&self) -> Vec<u8> {
        self.recv.concat()
    }

    fn send_stream(&self) -> Vec<u8> {
        self.send.concat()
    }

    /// The server's messages (after the banner), checked to decode the same
    /// at every chunking.
    fn server_messages(&self) -> Vec<Message> {
        let (banner, msgs) = decode_three_ways(&self.name, &self.recv, Decoder::client);
        assert_eq!(banner.as_deref(), Some(BANNER), "{}", self.name);
        msgs
    }

    /// The client's messages, checked likewise.
    fn client_messages(&self) -> Vec<Message> {
        let (banner, msgs) = decode_three_ways(&self.name, &self.send, Decoder::server);
        assert_eq!(banner, None, "{}: a server decoder saw a banner", self.name);
        msgs
    }
}

fn recordings_dir() -> std::path::PathBuf {
    conformance::fixtures_dir().join("ami/recordings")
}

fn recordings() -> Vec<Recording> {
    let root = conformance::fixtures_dir();
    let paths = fixture::discover(&recordings_dir()).expect("fixtures/ami/recordings exists");
    assert!(!paths.is_empty(), "no fixture in fixtures/ami/recordings");
    paths.iter().map(|p| load(&root, p)).collect::<Vec<_>>()
}

fn load(root: &Path, path: &Path) -> Recording {
    let fx = fixture::load(root, path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
    let Body::Bytes(chunks) = fx.body else {
        panic!("{}: not a transcript", path.display());
    };
    let mut rec = Recording {
        name: fx.name.rsplit('/').next().unwrap_or_default().to_owned(),
        recv: Vec::new(),
        send: Vec::new(),
    };
    for c in chunks {
        if let Chunk::Data { dir, bytes, .. } = c {
            match dir {
                Dir::ServerToClient => rec.recv.push(bytes),
                Dir::ClientToServer => rec.send.push(bytes),
            }
        }
    }
    rec
}

fn recording(name: &str) -> Recording {
    load(
        &conformance::fixtures_dir(),
        &recordings_dir().join(format!("{name}.transcript")),
    )
}

/// Feeds `pieces` to `dec` one after the other, taking every result after
/// each piece. Returns the results and what was left in the buffer.
fn feed<'a>(
    mut dec: Decoder,
    pieces: impl IntoIterator<Item = &'a [u8]>,
) -> (Vec<Result<Decoded, DecodeError>>, usize) {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for p in pieces {
        buf.extend_from_slice(p);
        while let Some(r) = dec.decode(&mut buf) {
            out.push(r);
        }
    }
    (out, buf.len())
}

/// Decodes the chunks as recorded, byte by byte and all at once; all three
/// must give the same results, without any error, with nothing left over.
/// Returns the banner (if any, and only as the first item) and the messages.
fn decode_three_ways(
    name: &str,
    chunks: &[Vec<u8>],
    new: fn() -> Decoder,
) -> (Option<Bytes>, Vec<Message>) {
    let whole = chunks.concat();
    let (as_recorded, left) = feed(new(), chunks.iter().map(Vec::as_slice));
    assert_eq!(left, 0, "{name}: bytes left undecoded");
    let (bytewise, left) = feed(new(), whole.chunks(1));
    assert_eq!(left, 0, "{name}: bytes left undecoded (1-byte reads)");
    let (at_once, left) = feed(new(), [whole.as_slice()]);
    assert_eq!(left, 0, "{name}: bytes left undecoded (one read)");
    assert_eq!(as_recorded, bytewise, "{name}: 1-byte reads differ");
    assert_eq!(as_recorded, at_once, "{name}: one read differs");
    let mut banner = None;
    let mut msgs = Vec::new();
    for (i, r) in as_recorded.into_iter().enumerate() {
        match r {
            Ok(Decoded::Banner(b)) => {
                assert_eq!(i, 0, "{name}: banner not first");
                banner = Some(b);
            }
            Ok(Decoded::Message(m)) => msgs.push(m),
            Ok(other) => panic!("{name}: unexpected {other:?}"),
            Err(e) => panic!("{name}: item {i}: decode error {e}"),
        }
    }
    (banner, msgs)
}

/// Counts messages without the decoder: blocks ended by an empty line
/// (`\r\n\r\n`, or `\n\n` for LF-only input), after the banner line.
fn count_blocks(stream: &[u8], has_banner: bool) -> usize {
    let body = if has_banner {
        let nl = stream
            .iter()
            .position(|&b| b == b'\n')
            .expect("banner line");
        &stream[nl + 1..]
    } else {
        stream
    };
    let crlf = body.windows(4).filter(|w| w == b"\r\n\r\n").count();
    let lf = body
        .windows(3)
        .filter(|w| w[0] != b'\r' && w[1..] == *b"\n\n")
        .count();
    crlf + lf
}

/// The message whose ActionID is `id` and whose kind is `kind`.
fn by_id<'a>(msgs: &'a [Message], kind: MessageKind, id: &str) -> &'a Message {
    let found: Vec<_> = msgs
        .iter()
        .filter(|m| m.kind() == kind && m.action_id() == Some(id))
        .collect();
    assert_eq!(found.len(), 1, "one {kind:?} with ActionID {id}: {found:?}");
    found[0]
}

fn names(m: &Message) -> Vec<&str> {
    m.headers().map(|h| h.name()).collect()
}

// ---------------------------------------------------------------------------
// Every recording

#[test]
fn every_recording_decodes_the_same_at_every_chunking() {
    for rec in recordings() {
        let server = rec.server_messages();
        let client = rec.client_messages();
        assert!(!server.is_empty(), "{}", rec.name);
        assert!(!client.is_empty(), "{}", rec.name);
        // The independent count agrees with the decoder on every recording.
        assert_eq!(
            server.len(),
            count_blocks(&rec.recv_stream(), true),
            "{}: server messages",
            rec.name
        );
        assert_eq!(
            client.len(),
            count_blocks(&rec.send_stream(), false),
            "{}: client messages",
            rec.name
        );
        for m in &server {
            assert!(
                matches!(m.kind(), MessageKind::Response | MessageKind::Event),
                "{}: server sent {m:?}",
                rec.name
            );
            assert_eq!(
                m.legacy_output(),
                None,
                "{}: Asterisk 22 has no Follows",
                rec.name
            );
        }
    }
}

#[test]
fn message_counts_per_recording() {
    let recs: BTreeMap<String, Recording> = recordings()
        .into_iter()
        .map(|r| (r.name.clone(), r))
        .collect();
    for &(name, recv, send) in COUNTS {
        let rec = recs
            .get(name)
            .unwrap_or_else(|| panic!("fixture {name} is missing"));
        assert_eq!(
            count_blocks(&rec.recv_stream(), true),
            recv,
            "{name}: counted"
        );
        assert_eq!(
            count_blocks(&rec.send_stream(), false),
            send,
            "{name}: counted"
        );
        assert_eq!(rec.server_messages().len(), recv, "{name}: server messages");
        assert_eq!(rec.client_messages().len(), send, "{name}: client messages");
    }
    let e = &recs["e-event-lists"].server_messages();
    let events = e.iter().filter(|m| m.kind() == MessageKind::Event).count();
    assert_eq!((events, e.len() - events), (82, 26), "e: events, responses");
}

#[test]
fn reencoding_gives_the_same_messages_and_the_recorded_bytes() {
    // The only non-canonical bytes in the recordings: the bare LF of
    // PJSIPShowContacts (plus the stray CRLF it leaves after the message) and
    // the LF-only block the client sent on purpose.
    let canonical = [
        (
            &b"Message: No Contacts found\n\r\n\r\n"[..],
            &b"Message: No Contacts found\r\n\r\n"[..],
        ),
        (
            b"Action: Ping\nActionID: lf-only\n\n",
            b"Action: Ping\r\nActionID: lf-only\r\n\r\n",
        ),
    ];
    let mut replaced = BTreeMap::new();
    for rec in recordings() {
        for (side, msgs, stream) in [
            ("recv", rec.server_messages(), rec.recv_stream()),
            ("send", rec.client_messages(), rec.send_stream()),
        ] {
            let mut encoded = Vec::new();
            for m in &msgs {
                let bytes = m.to_bytes();
                let (again, left) = feed(Decoder::server(), [&bytes[..]]);
                assert_eq!(left, 0);
                assert_eq!(
                    again,
                    vec![Ok(Decoded::Message(m.clone()))],
                    "{}: {m:?} does not survive encode + decode",
                    rec.name
                );
                let mut out = BytesMut::new();
                ami_proto::codec::encode(m, &mut out);
                assert_eq!(out, bytes, "codec::encode = Message::to_bytes");
                encoded.extend_from_slice(&bytes);
            }
            let mut want = stream;
            if side == "recv" {
                let nl = want.iter().position(|&b| b == b'\n').unwrap();
                want.drain(..=nl);
            }
            for (from, to) in canonical {
                if let Some(i) = find(&want, from) {
                    want.splice(i..i + from.len(), to.iter().copied());
                    *replaced.entry((rec.name.clone(), side)).or_insert(0) += 1;
                }
            }
            assert!(
                encoded == want,
                "{} {side}: re-encoding differs from the recording",
                rec.name
            );
        }
    }
    assert_eq!(
        replaced.into_iter().collect::<Vec<_>>(),
        [
            (("e-event-lists".to_owned(), "recv"), 1),
            (("g-errors-actionid".to_owned(), "send"), 1)
        ]
    );
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn responses_come_in_request_order_with_the_action_id_echoed() {
    for rec in recordings() {
        let requests = rec.client_messages();
        let responses: Vec<_> = rec
            .server_messages()
            .into_iter()
            .filter(|m| m.kind() == MessageKind::Response)
            .collect();
        assert_eq!(requests.len(), responses.len(), "{}", rec.name);
        for (q, r) in requests.iter().zip(&responses) {
            assert_eq!(q.action_id(), r.action_id(), "{}: {q:?} → {r:?}", rec.name);
            match r.action_id() {
                // Echoed as the 2nd line.
                Some(_) => assert_eq!(names(r).get(1), Some(&"ActionID"), "{}", rec.name),
                None => assert!(r.get("ActionID").is_none(), "{}: {r:?}", rec.name),
            }
        }
    }
}

#[test]
fn no_secret_in_any_fixture() {
    for rec in recordings() {
        let all = [rec.recv_stream(), rec.send_stream()].concat();
        assert!(find(&all, b"amp111").is_none(), "{}", rec.name);
        for m in rec.client_messages() {
            if let Some(s) = m.get("Secret") {
                assert!(
                    !s.is_empty() && s.bytes().all(|b| b == b'*'),
                    "{}",
                    rec.name
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Facts of single recordings

#[test]
fn a_login_then_fully_booted_then_goodbye() {
    let m = recording("a-login-logoff").server_messages();
    assert_eq!(m[0].name(), Some("Success"));
    assert_eq!(m[0].get("Message"), Some("Authentication accepted"));
    assert!(m[1].is_event("FullyBooted"));
    assert_eq!(
        names(&m[1]),
        ["Event", "Privilege", "Uptime", "LastReload", "Status"]
    );
    assert_eq!(m[1].get("Privilege"), Some("system,all"));
    assert_eq!(m[1].get("status"), Some("Fully Booted"));
    assert_eq!(m[2].name(), Some("Goodbye"));
    assert_eq!(m[2].get("Message"), Some("Thanks for all the fish."));
    let c = recording("a-login-logoff").client_messages();
    assert_eq!(c[0].kind(), MessageKind::Action);
    assert_eq!(
        names(&c[0]),
        ["Action", "ActionID", "Username", "Secret", "Events"]
    );
    assert_eq!(c[1].name(), Some("Logoff"));
}

#[test]
fn b_failed_login() {
    let m = recording("b-login-bad-secret").server_messages();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].name(), Some("Error"));
    assert_eq!(m[0].action_id(), Some("bad-1"));
    assert_eq!(m[0].get("Message"), Some("Authentication failed"));
}

#[test]
fn c_challenge_split_over_reads() {
    let rec = recording("c-challenge-md5-login");
    // The recording does split responses after their first line.
    assert_eq!(rec.recv[1], b"Response: Success\r\nActionID: chal-1\r\n");
    let m = rec.server_messages();
    let chal = by_id(&m, MessageKind::Response, "chal-1");
    assert_eq!(names(chal), ["Response", "ActionID", "Challenge"]);
    let c = chal.get("Challenge").unwrap();
    assert!(c.len() == 9 && c.bytes().all(|b| b.is_ascii_digit()), "{c}");
    let ping = by_id(&m, MessageKind::Response, "ping-after-md5");
    assert_eq!(ping.get("Ping"), Some("Pong"));
    assert_eq!(ping.get("Timestamp"), Some("1795261025.716959"));
    let client = rec.client_messages();
    let login = by_id(&client, MessageKind::Action, "md5login-1");
    assert_eq!(login.get("AuthType"), Some("MD5"));
    assert_eq!(login.get("Key").map(str::len), Some(32));
}

#[test]
fn d_values_with_colons_spaces_and_empties() {
    let m = recording("d-ping-core-command").server_messages();
    let status = by_id(&m, MessageKind::Response, "corestatus-1");
    assert_eq!(status.get("CoreStartupTime"), Some("11:37:03"));
    assert_eq!(status.get("CoreReloadTime"), Some("11:37:03"));
    assert_eq!(status.get("CoreStartupDate"), Some("2026-11-21"));
    let settings = by_id(&m, MessageKind::Response, "coresettings-1");
    assert_eq!(settings.len(), 14);
    assert_eq!(settings.get("SystemName"), Some(""));
    assert_eq!(settings.get("CoreRunUser"), Some(""));
    assert_eq!(settings.get("CoreRunGroup"), Some(""));
    assert_eq!(settings.get("AMIversion"), Some("11.0.0"));
    assert_eq!(settings.get("amiversion"), Some("11.0.0"));
    let unset = by_id(&m, MessageKind::Response, "getvar-2");
    assert_eq!(unset.get("Variable"), Some("UNSET_GLOBAL_XYZ"));
    assert_eq!(unset.get("Value"), Some(""));
    let set = by_id(&m, MessageKind::Response, "getvar-1");
    assert_eq!(set.get("Value"), Some("global-value"));
}

#[test]
fn d_command_output_is_repeated_headers_in_order() {
    let m = recording("d-ping-core-command").server_messages();
    let out = |id: &str| {
        let msg = by_id(&m, MessageKind::Response, id);
        assert_eq!(msg.get("Message"), Some("Command output follows"), "{id}");
        msg.output()
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        out("cmd-dialplan"),
        [
            "[ Context 'test' created by 'pbx_config' ]",
            "  '100' =>          1. NoOp(test 100)                             [extensions.conf:12]",
            "                    2. Answer()                                   [extensions.conf:13]",
            "                    3. UserEvent(TestEvent,foo: bar,Colon: a:b: c,Empty:) [extensions.conf:14]",
            "                    4. Wait(2)                                    [extensions.conf:15]",
            "                    5. Hangup()                                   [extensions.conf:16]",
            "",
            "-= 1 extension (5 priorities) in 1 context. =-",
        ]
    );
    assert_eq!(
        out("cmd-uptime"),
        ["System uptime: 2 seconds", "Last reload: 2 seconds"]
    );
    let conn = out("cmd-mgrconn");
    assert_eq!(conn.len(), 3);
    assert!(
        conn[0].starts_with("  Username         IP Address"),
        "{conn:?}"
    );
    assert!(
        conn[1].starts_with("  admin            127.0.0.1"),
        "{conn:?}"
    );
    assert_eq!(conn[2], "1 users connected.");
    let eps = out("cmd-pjsip-eps");
    assert_eq!(eps.len(), 30, "the most Output lines in one message");
    assert_eq!(eps[0], "");
    assert_eq!(
        eps[1],
        " Endpoint:  <Endpoint/CID.....................................>  <State.....>  <Channels.>"
    );
    assert_eq!(eps[28], "Objects found: 4");
    assert_eq!(eps[29], "");
    // The same message, through the generic accessor: every Output, in order.
    let eps_msg = by_id(&m, MessageKind::Response, "cmd-pjsip-eps");
    assert_eq!(eps_msg.get_all("output").collect::<Vec<_>>(), eps);
    assert_eq!(out("cmd-modshow").len(), 4);
    assert_eq!(out("cmd-channels")[1], "0 active channels");
    // An unknown CLI command: same shape, Response: Error.
    let bogus = by_id(&m, MessageKind::Response, "cmd-bogus");
    assert_eq!(bogus.name(), Some("Error"));
    assert_eq!(
        out("cmd-bogus"),
        [
            "No such command 'no such cli command' (type 'core show help no such' for other possible commands)"
        ]
    );
}

#[test]
fn e_bare_lf_in_no_contacts_found() {
    let rec = recording("e-event-lists");
    assert!(find(&rec.recv_stream(), b"Message: No Contacts found\n\r\n\r\n").is_some());
    let m = rec.server_messages();
    let i = m
        .iter()
        .position(|m| m.action_id() == Some("pjsip-contacts"))
        .unwrap();
    assert_eq!(m[i].name(), Some("Error"));
    assert_eq!(names(&m[i]), ["Response", "ActionID", "Message"]);
    assert_eq!(m[i].get("Message"), Some("No Contacts found"));
    // The extra CRLF after it is not a message: the next one is the next
    // action's answer.
    assert_eq!(m[i + 1].action_id(), Some("pjsip-aors"));
    assert!(m[i + 1].is_list_start());
}

#[test]
fn e_event_lists_complete_with_their_item_count() {
    let m = recording("e-event-lists").server_messages();
    let want: BTreeMap<&str, (usize, &str)> = [
        ("csc-1", (10, "CoreShowChannelsComplete")),
        ("status-1", (10, "StatusComplete")),
        ("status-allvars", (1, "StatusComplete")),
        ("status-vars", (1, "StatusComplete")),
        ("cscm-1", (2, "CoreShowChannelMapComplete")),
        ("pjsip-eps", (4, "EndpointListComplete")),
        ("pjsip-ep-bob", (2, "EndpointDetailComplete")),
        ("pjsip-aors", (3, "AorListComplete")),
        ("pjsip-auths", (1, "AuthListComplete")),
        ("pjsip-reg-in", (3, "InboundRegistrationDetailComplete")),
        ("queuestatus-1", (5, "QueueStatusComplete")),
        ("queuesummary-1", (2, "QueueSummaryComplete")),
        ("dsl-1", (10, "DeviceStateListComplete")),
        ("esl-1", (3, "ExtensionStateListComplete")),
        ("bridgelist-1", (2, "BridgeListComplete")),
        ("showdialplan-1", (5, "ShowDialPlanComplete")),
        ("agents-1", (0, "AgentsComplete")),
        ("parked-1", (0, "ParkedCallsComplete")),
    ]
    .into_iter()
    .collect();
    let mut seen = BTreeMap::new();
    let mut i = 0;
    while i < m.len() {
        if !m[i].is_list_start() {
            assert!(
                !m[i].is_list_complete(),
                "complete without start: {:?}",
                m[i]
            );
            i += 1;
            continue;
        }
        let start = &m[i];
        assert_eq!(start.kind(), MessageKind::Response);
        assert_eq!(start.get("EventList"), Some("start"), "lower-case s");
        assert!(
            start
                .get("Message")
                .unwrap()
                .to_ascii_lowercase()
                .contains("follow"),
            "{start:?}"
        );
        let id = start.action_id().unwrap();
        let mut items = 0;
        i += 1;
        loop {
            let e = &m[i];
            assert_eq!(e.kind(), MessageKind::Event, "{id}: {e:?}");
            assert_eq!(e.action_id(), Some(id), "{id}: foreign message in the list");
            i += 1;
            if e.is_list_complete() {
                assert_eq!(e.get("EventList"), Some("Complete"), "capital C");
                assert_eq!(e.get("ListItems"), Some(items.to_string().as_str()), "{id}");
                seen.insert(id.to_owned(), (items, e.name().unwrap().to_owned()));
                break;
            }
            items += 1;
        }
    }
    let seen: BTreeMap<&str, (usize, &str)> = seen
        .iter()
        .map(|(k, (n, c))| (k.as_str(), (*n, c.as_str())))
        .collect();
    assert_eq!(seen, want);

    // Extra keys of some completions; StatusComplete's `Items` came in a
    // read of its own.
    let complete = |id: &str| {
        m.iter()
            .find(|e| e.action_id() == Some(id) && e.is_list_complete())
            .unwrap()
    };
    assert_eq!(complete("status-1").get("Items"), Some("10"));
    assert_eq!(complete("parked-1").get("Total"), Some("0"));
    let dp = complete("showdialplan-1");
    assert_eq!(
        names(dp),
        [
            "Event",
            "ActionID",
            "EventList",
            "ListItems",
            "ListExtensions",
            "ListPriorities",
            "ListContexts"
        ]
    );
    // Items of ShowDialPlan are ListDialplan; DeviceStateList's reuse
    // DeviceStateChange.
    assert!(
        m.iter()
            .filter(|e| e.action_id() == Some("showdialplan-1") && !e.is_list_complete())
            .skip(1)
            .all(|e| e.is_event("ListDialplan"))
    );
    assert_eq!(
        m.iter()
            .filter(|e| e.action_id() == Some("dsl-1") && e.is_event("DeviceStateChange"))
            .count(),
        10
    );
}

#[test]
fn e_action_id_is_last_in_status_and_queue_items() {
    let m = recording("e-event-lists").server_messages();
    const LAST: [&str; 5] = [
        "Status",
        "QueueParams",
        "QueueMember",
        "QueueEntry",
        "QueueSummary",
    ];
    let mut last = BTreeMap::new();
    let mut second = 0;
    for e in m.iter().filter(|e| e.kind() == MessageKind::Event) {
        let n = names(e);
        let name = e.name().unwrap();
        assert_eq!(n.iter().filter(|h| **h == "ActionID").count(), 1, "{e:?}");
        if LAST.contains(&name) {
            assert_eq!(n.last(), Some(&"ActionID"), "{e:?}");
            *last.entry(name).or_insert(0) += 1;
        } else {
            assert_eq!(n[1], "ActionID", "{e:?}");
            second += 1;
        }
    }
    assert_eq!(
        last.into_iter().collect::<Vec<_>>(),
        [
            ("QueueEntry", 1),
            ("QueueMember", 2),
            ("QueueParams", 2),
            ("QueueSummary", 2),
            ("Status", 12)
        ]
    );
    assert_eq!(second, 82 - 19);
    // Status items are the only list items with a Privilege line.
    let status = m.iter().find(|e| e.is_event("Status")).unwrap();
    assert_eq!(names(status)[1], "Privilege");
    assert_eq!(status.get("Privilege"), Some("Call"));
}

#[test]
fn e_variables_sizes_and_spellings() {
    let m = recording("e-event-lists").server_messages();
    let allvars = m
        .iter()
        .find(|e| e.is_event("Status") && e.action_id() == Some("status-allvars"))
        .unwrap();
    assert_eq!(allvars.get_all("Variable").count(), 12);
    assert_eq!(allvars.variable("Variable", "PROGRESSTIME_MS"), Some(""));
    assert_eq!(allvars.variable("Variable", "DIALSTATUS"), Some("ANSWER"));
    assert_eq!(
        allvars.get_all("Variable").next(),
        Some("BRIDGEPEER=Local/500@test-0000000a;1")
    );
    let vars = m
        .iter()
        .find(|e| e.is_event("Status") && e.action_id() == Some("status-vars"))
        .unwrap();
    assert_eq!(vars.variable("Variable", "FOO"), Some("(null)"));
    assert_eq!(vars.variable("Variable", "CHANNEL(language)"), Some("en"));
    // Values with colons.
    let loopout = m
        .iter()
        .find(|e| e.is_event("EndpointList") && e.get("ObjectName") == Some("loopout"))
        .unwrap();
    assert_eq!(loopout.get("Contacts"), Some("loopout/sip:127.0.0.1:5060,"));
    assert!(
        m.iter()
            .any(|e| e.get("Hint") == Some("PJSIP/bob&Custom:bobdnd"))
    );
    assert!(
        m.iter()
            .any(|e| e.get("AppData") == Some("TestEvent,foo: bar,Colon: a:b: c,Empty:"))
    );
    // Spellings differ by event; lookup ignores case.
    let csc = m.iter().find(|e| e.is_event("CoreShowChannel")).unwrap();
    assert!(names(csc).contains(&"BridgeId"));
    assert_eq!(csc.get("BRIDGEID"), Some(""));
    assert_eq!(csc.get("AccountCode"), Some(""));
    assert!(names(status_of(&m)).contains(&"BridgeID"));
    // Sizes (spec §14): EndpointDetail has 144 lines; ListCommands is the
    // largest message (9313 bytes of lines plus the closing CRLF CRLF) and
    // holds the longest line (203 bytes).
    let detail = m.iter().find(|e| e.is_event("EndpointDetail")).unwrap();
    assert_eq!(detail.len(), 144);
    let list = by_id(&m, MessageKind::Response, "listcmds-1");
    assert_eq!(list.len(), 125);
    assert_eq!(list.to_bytes().len(), 9313 + 4);
    assert_eq!(m.iter().map(|x| x.to_bytes().len()).max(), Some(9313 + 4));
    let longest = list
        .headers()
        .map(|h| h.name_bytes().len() + 2 + h.value_bytes().len())
        .max();
    assert_eq!(longest, Some(203));
}

fn status_of(m: &[Message]) -> &Message {
    m.iter().find(|e| e.is_event("Status")).unwrap()
}

#[test]
fn g_errors_and_action_ids() {
    let rec = recording("g-errors-actionid");
    let m = rec.server_messages();
    let c = rec.client_messages();
    // Before login.
    assert_eq!(
        by_id(&m, MessageKind::Response, "preauth-ping").get("Message"),
        Some("Permission denied")
    );
    assert_eq!(
        by_id(&m, MessageKind::Response, "bogus-1").get("Message"),
        Some(
            "Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands."
        )
    );
    for (id, msg) in [
        ("orig-nochan", "Channel not specified"),
        ("getvar-novar", "No variable specified"),
        ("hangup-nochan", "No channel specified"),
        ("hangup-nosuch", "No such channel"),
        ("noaction-1", "Missing action in request"),
        ("orig-sync-fail", "Originate failed"),
    ] {
        let r = by_id(&m, MessageKind::Response, id);
        assert_eq!(r.name(), Some("Error"), "{id}");
        assert_eq!(r.get("Message"), Some(msg), "{id}");
    }
    // The block without Action: is of kind Other.
    let noaction = by_id(&c, MessageKind::Other, "noaction-1");
    assert_eq!(names(noaction), ["ActionID", "Foo"]);
    // Action names keep their case.
    assert_eq!(
        by_id(&c, MessageKind::Action, "case-ping").name(),
        Some("pInG")
    );
    // An ActionID with spaces and colons, echoed verbatim.
    let odd = "id with spaces: and colon";
    assert_eq!(
        by_id(&c, MessageKind::Action, odd).get("ActionID"),
        Some(odd)
    );
    let echoed = by_id(&m, MessageKind::Response, odd);
    assert_eq!(echoed.get("Ping"), Some("Pong"));
    // `ActionID: ` (empty) is a header with an empty value, and the answer
    // has no ActionID line.
    let empty: Vec<_> = c.iter().filter(|q| q.get("ActionID") == Some("")).collect();
    assert_eq!(empty.len(), 1);
    assert_eq!(empty[0].action_id(), None);
    assert_eq!(
        m.iter()
            .filter(|r| r.get("Ping").is_some() && r.action_id().is_none())
            .count(),
        2
    );
    // LF-only client input frames like CRLF input.
    let lf = by_id(&c, MessageKind::Action, "lf-only");
    assert_eq!(lf.name(), Some("Ping"));
    assert_eq!(names(lf), ["Action", "ActionID"]);
    assert!(find(&rec.send_stream(), b"Action: Ping\nActionID: lf-only\n\n").is_some());
    // Three pings in one write: three messages.
    let one_write = rec
        .send
        .iter()
        .find(|s| find(s, b"corr-A").is_some())
        .unwrap();
    let (r, _) = feed(Decoder::server(), [one_write.as_slice()]);
    let ids: Vec<_> = r
        .iter()
        .map(|r| match r {
            Ok(Decoded::Message(m)) => m.action_id().map(str::to_owned),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        ids,
        [Some("corr-A".to_owned()), Some("corr-B".to_owned()), None]
    );
}
