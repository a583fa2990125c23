//! The seed scenarios tell the same story on every vendor (the design document, "The
//! shared model"): basic call and unsupervised transfer, run live on the
//! AMI and O2G simulators through the real clients.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test: sockets, tasks and timeouts drive the code under test

use conformance::scenarios::{self, Projection};

fn rt() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    }
}

#[test]
fn ami_and_o2g_give_the_same_seed_scenarios() {
    let rt = rt();
    let ami = rt.block_on(scenarios::ami());
    let o2g = rt.block_on(scenarios::o2g());
    let (ami, o2g) = match (ami, o2g) {
        (Ok(a), Ok(o)) => (a, o),
        (a, o) => panic!("ami: {:?}\no2g: {:?}", a.err(), o.err()),
    };
    let (pa, po) = (Projection::of(&ami), Projection::of(&o2g));
    assert_eq!(pa.calls.len(), 2, "two calls on AMI: {pa:#?}");
    // The projection is not trivially equal: the calls have content.
    assert_eq!(
        pa.calls[0],
        [
            "originated 1001",
            "alerting 1002 from 1001",
            "answered 1002",
            "cleared 1001 normal",
            "cleared 1002 normal",
            "ended normal",
        ]
    );
    assert!(
        pa.calls[1].contains(&"transferred by 1001 to 1003".to_owned()),
        "{pa:#?}"
    );
    assert_eq!(pa, po, "AMI (left) and O2G (right) disagree");
}

#[test]
fn the_projection_tells_different_stories_apart() {
    use cti_core::{CallId, Cause, Event, EventKind, Party, Source, Timestamp};
    let ev = |kind| Event::new(Timestamp::EPOCH, Source::O2g, kind);
    let call = CallId::new("c");
    let p = |n: &str| Party::device(n).with_number(n);
    let base = vec![
        ev(EventKind::Answered {
            call: call.clone(),
            party: p("1002"),
        }),
        ev(EventKind::PartyCleared {
            call: call.clone(),
            party: p("1001"),
            cause: Cause::Normal,
        }),
        ev(EventKind::PartyCleared {
            call: call.clone(),
            party: p("1002"),
            cause: Cause::Normal,
        }),
        ev(EventKind::Ended {
            call: call.clone(),
            cause: Cause::Normal,
        }),
    ];
    // Teardown order does not matter …
    let mut swapped = base.clone();
    swapped.swap(1, 2);
    assert_eq!(Projection::of(&base), Projection::of(&swapped));
    // … but who answered does, and so does the cause.
    let mut other = base.clone();
    other[0] = ev(EventKind::Answered {
        call: call.clone(),
        party: p("1003"),
    });
    assert_ne!(Projection::of(&base), Projection::of(&other));
    let mut busy = base;
    busy[3] = ev(EventKind::Ended {
        call,
        cause: Cause::Busy,
    });
    assert_ne!(Projection::of(&swapped), Projection::of(&busy));
}
