//! `variables()` on real Asterisk 22.10.1 bytes: the lab recordings in
//! `fixtures/ami/recordings/` (m-variables: VarSet pairs, channel-qualified
//! `ChanVariable(<channel>)`, a non-UTF-8 value; d and e: `Getvar` and
//! `Status` shapes), read through `Message` and through the zero-copy
//! `RawMessage` alike.

use ami_proto::Message;
use ami_proto::codec::{Decoded, Decoder, RawDecoded};
use bytes::BytesMut;

const M_VARIABLES: &[u8] =
    include_bytes!("../../../fixtures/ami/recordings/m-variables.transcript");
const D_COMMANDS: &[u8] =
    include_bytes!("../../../fixtures/ami/recordings/d-ping-core-command.transcript");
const E_LISTS: &[u8] = include_bytes!("../../../fixtures/ami/recordings/e-event-lists.transcript");

/// The bytes Asterisk sent (`#< RECV` chunks), concatenated.
fn received(transcript: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = transcript;
    while let Some(pos) = rest.windows(3).position(|w| w == b"#< " || w == b"#> ") {
        rest = &rest[pos..];
        let line_end = rest.iter().position(|&b| b == b'\n').unwrap();
        let line = std::str::from_utf8(&rest[..line_end]).unwrap();
        rest = &rest[line_end + 1..];
        let Some(len) = line.split(" len=").nth(1) else {
            continue; // EOF marker
        };
        let len: usize = len.trim().parse().unwrap();
        if line.starts_with("#< RECV") {
            out.extend_from_slice(&rest[..len]);
        }
        rest = &rest[len + 1..];
    }
    out
}

fn messages(transcript: &[u8]) -> Vec<Message> {
    let mut dec = Decoder::client();
    let mut buf = BytesMut::from(&received(transcript)[..]);
    let mut out = Vec::new();
    while let Some(r) = dec.decode(&mut buf) {
        if let Ok(Decoded::Message(m)) = r {
            out.push(m);
        }
    }
    out
}

/// (header, channel, name, value bytes) of every variable.
type Row = (String, Option<String>, String, Vec<u8>);

fn rows(m: &Message) -> Vec<Row> {
    m.variables()
        .map(|v| {
            (
                v.header().to_owned(),
                v.channel().map(str::to_owned),
                v.name().unwrap().to_owned(),
                v.value_bytes().to_vec(),
            )
        })
        .collect()
}

fn varset<'a>(msgs: &'a [Message], name: &str) -> &'a Message {
    msgs.iter()
        .find(|m| m.is_event("VarSet") && m.get("Variable") == Some(name))
        .unwrap_or_else(|| panic!("no VarSet {name}"))
}

#[test]
fn a_varset_is_its_variable_and_value_headers() {
    let msgs = messages(M_VARIABLES);
    let inherited = varset(&msgs, "__INHERITED");
    // The recorded VarSet carries the channel's `channelvars` too.
    assert_eq!(
        rows(inherited),
        [
            (
                "ChanVariable".into(),
                None,
                "ORIGID".into(),
                b"orig-300".to_vec()
            ),
            (
                "ChanVariable".into(),
                None,
                "BIN".into(),
                b"caf\xe9".to_vec()
            ),
            (
                "Variable".into(),
                None,
                "__INHERITED".into(),
                b"inherited-value".to_vec()
            ),
        ]
    );
    assert_eq!(
        inherited.variable("Variable", "__INHERITED"),
        Some("inherited-value")
    );
    for (name, value) in [
        ("FOO", "bar"),
        ("EMPTY", ""),
        ("COLONS", "a: b: c"),
        ("UTF8", "héllo wörld ✓"),
    ] {
        assert_eq!(
            varset(&msgs, name).variable("variable", name),
            Some(value),
            "{name}"
        );
    }
    // Whatever the decoder keeps of a value's leading spaces, the variable
    // has the same.
    let spaces = varset(&msgs, "SPACES");
    assert!(
        spaces
            .get("Value")
            .unwrap()
            .ends_with("three leading spaces")
    );
    assert_eq!(spaces.variable("Variable", "SPACES"), spaces.get("Value"));
}

#[test]
fn channel_qualified_chan_variables_of_originate_response_are_read() {
    let msgs = messages(M_VARIABLES);
    let resp = msgs
        .iter()
        .find(|m| m.is_event("OriginateResponse"))
        .unwrap();
    let chan = "Local/300@test-00000000;1";
    assert_eq!(
        rows(resp),
        [
            (
                "ChanVariable".into(),
                Some(chan.into()),
                "ORIGID".into(),
                b"orig-300".to_vec()
            ),
            (
                "ChanVariable".into(),
                Some(chan.into()),
                "BIN".into(),
                b"caf\xe9".to_vec()
            ),
        ]
    );
    assert_eq!(resp.variable("ChanVariable", "ORIGID"), Some("orig-300"));
}

#[test]
fn non_utf8_values_are_kept_as_bytes() {
    let msgs = messages(M_VARIABLES);
    let bin = varset(&msgs, "BIN");
    // Asterisk replaced the byte in the VarSet's own `Value` (U+FFFD) but
    // sends it raw in the `ChanVariable` of the same event.
    assert_eq!(bin.variable("Variable", "BIN"), Some("caf\u{fffd}"));
    let v = bin
        .variables()
        .find(|v| v.header() == "ChanVariable" && v.name() == Some("BIN"))
        .expect("the channelvars of the VarSet's channel");
    assert_eq!(v.value(), None);
    assert_eq!(v.value_bytes(), b"caf\xe9");
    assert_eq!(bin.variable("ChanVariable", "BIN"), None);
    assert_eq!(
        bin.variable_bytes("ChanVariable", "BIN"),
        Some(&b"caf\xe9"[..])
    );
    // `get_all` gives UTF-8 values only; `get_all_bytes` every one.
    let dial = msgs
        .iter()
        .find(|m| m.is_event("DialBegin") && m.get("DestChannel").is_some())
        .unwrap();
    assert_eq!(
        dial.get_all_bytes("DestChanVariable").collect::<Vec<_>>(),
        [&b"ORIGID=orig-300"[..], b"BIN=caf\xe9"]
    );
    assert_eq!(
        dial.get_all("DestChanVariable").collect::<Vec<_>>(),
        ["ORIGID=orig-300"]
    );
    // Local channel pairs name theirs per half.
    let bridge = msgs.iter().find(|m| m.is_event("LocalBridge")).unwrap();
    let headers: Vec<_> = bridge.variables().map(|v| v.header()).collect();
    assert!(headers.contains(&"LocalOneChanVariable"), "{headers:?}");
    assert!(headers.contains(&"LocalTwoChanVariable"), "{headers:?}");
}

#[test]
fn getvar_answer_and_status_items_and_the_getvar_action() {
    let d = messages(D_COMMANDS);
    let getvar = d
        .iter()
        .find(|m| m.action_id() == Some("getvar-1"))
        .unwrap();
    assert_eq!(
        rows(getvar),
        [(
            "Variable".into(),
            None,
            "GLOBALTEST".into(),
            b"global-value".to_vec()
        )]
    );
    let unset = d
        .iter()
        .find(|m| m.action_id() == Some("getvar-2"))
        .unwrap();
    assert_eq!(unset.variable("Variable", "UNSET_GLOBAL_XYZ"), Some(""));

    let e = messages(E_LISTS);
    let status = e
        .iter()
        .find(|m| m.is_event("Status") && m.get_all("Variable").count() > 0)
        .unwrap();
    let names: Vec<_> = status.variables().map(|v| v.name().unwrap()).collect();
    assert!(names.contains(&"DIALSTATUS"), "{names:?}");
    assert_eq!(
        status.get_all("Variable").count(),
        status.variables().count()
    );

    // The action asks for a variable: it carries none.
    let action = Message::action("Getvar")
        .header("Variable", "GLOBALTEST")
        .build()
        .unwrap();
    assert_eq!(action.variables().count(), 0);
}

#[test]
fn raw_messages_read_the_same_variables() {
    for transcript in [M_VARIABLES, D_COMMANDS, E_LISTS] {
        let owned = messages(transcript);
        let mut dec = Decoder::client();
        let mut buf = BytesMut::from(&received(transcript)[..]);
        let mut i = 0;
        while let Some(r) = dec.decode_raw(&mut buf) {
            let Ok(RawDecoded::Message(raw)) = r else {
                continue;
            };
            let want: Vec<_> = owned[i].variables().collect();
            let got: Vec<_> = raw.variables().collect();
            assert_eq!(got, want, "message {i}");
            for v in &want {
                let (h, n) = (v.header(), v.name().unwrap());
                assert_eq!(raw.variable(h, n), owned[i].variable(h, n));
                assert_eq!(raw.variable_bytes(h, n), owned[i].variable_bytes(h, n));
            }
            i += 1;
        }
        assert_eq!(i, owned.len());
    }
    let inherited = {
        let mut dec = Decoder::client();
        let mut buf = BytesMut::from(&received(M_VARIABLES)[..]);
        let mut found = None;
        while let Some(r) = dec.decode_raw(&mut buf) {
            if let Ok(RawDecoded::Message(raw)) = r
                && raw.get("Variable") == Some("__INHERITED")
            {
                found = raw.variable("Variable", "__INHERITED").map(str::to_owned);
            }
        }
        found
    };
    assert_eq!(inherited.as_deref(), Some("inherited-value"));
}
