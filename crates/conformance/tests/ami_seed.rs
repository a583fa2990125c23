//! The AMI exchange of seed 003 §4 (an older Asterisk-based PBX: banner
//! `Asterisk Call Manager/1.1`, no ActionIDs) decodes as the document shows.

use ami_proto::MessageKind;
use ami_proto::codec::{Decoded, Decoder};
use bytes::BytesMut;
use conformance::fixture::{Body, Chunk, Dir, load};

#[test]
fn seed_003_section_4_decodes() {
    let root = conformance::fixtures_dir();
    let fx = load(
        &root,
        &root.join("ami/seeds/seed-003-s4-login-ping-logoff.transcript"),
    )
    .unwrap();
    let Body::Bytes(chunks) = &fx.body else {
        panic!("a transcript")
    };
    let (mut server, mut client) = (BytesMut::new(), BytesMut::new());
    for c in chunks {
        if let Chunk::Data { dir, bytes, .. } = c {
            match dir {
                Dir::ServerToClient => server.extend_from_slice(bytes),
                Dir::ClientToServer => client.extend_from_slice(bytes),
            }
        }
    }
    let mut dec = Decoder::client();
    let mut got = Vec::new();
    while let Some(r) = dec.decode(&mut server) {
        got.push(r.unwrap());
    }
    assert_eq!(
        got[0],
        Decoded::Banner(bytes::Bytes::from_static(b"Asterisk Call Manager/1.1"))
    );
    let msgs: Vec<_> = got[1..]
        .iter()
        .map(|d| match d {
            Decoded::Message(m) => m.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(msgs.len(), 4);
    assert_eq!(msgs[0].get("Message"), Some("Authentication accepted"));
    assert!(msgs[1].is_event("FullyBooted"));
    assert_eq!(msgs[2].get("Ping"), Some("Pong"));
    assert_eq!(msgs[2].action_id(), None);
    assert_eq!(msgs[3].name(), Some("Goodbye"));
    let mut dec = Decoder::server();
    let mut actions = Vec::new();
    while let Some(r) = dec.decode(&mut client) {
        let Decoded::Message(m) = r.unwrap() else {
            panic!()
        };
        assert_eq!(m.kind(), MessageKind::Action);
        actions.push(m.name().unwrap_or_default().to_owned());
    }
    assert_eq!(actions, ["Login", "Ping", "Logoff"]);
}
