//! The seed scenarios of `DESIGN.md`, run live: each vendor's simulator on
//! 127.0.0.1, driven through the vendor's real client, its events
//! normalized. `cti demo` prints them; `tests/cross_vendor.rs` checks that
//! every vendor tells the same story ([`Projection`]).
//!
//! 1. basic call: 1001 calls 1002, 1002 answers, 1001 hangs up;
//! 2. unsupervised transfer: 1001 calls 1002, 1002 answers, 1001 transfers
//!    1002 to 1003, 1003 answers, 1002 hangs up.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, anyhow};
use cti_core::{Cause, Event, EventKind, Party, Source, Timestamp};

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

/// How long a simulator may stay quiet while a scenario waits for it.
const QUIET: Duration = Duration::from_secs(10);

// ------------------------------------------------------------------- AMI

/// Both seed scenarios on the AMI simulator, through `ami_proto::client`.
pub async fn ami() -> Result<Vec<Event>> {
    use ami_proto::Action as _;
    use ami_proto::actions;
    use ami_proto::client::{ClientConfig, ClientEvent, EventStream, connect};
    use ami_proto::normalize::Normalizer;
    use ami_proto::session::SessionConfig;
    use ami_proto::sim::{self, Scenario, SimConfig};

    /// Normalizes the client's events until `ended` calls have ended.
    async fn follow(
        events: &mut EventStream,
        n: &mut Normalizer,
        out: &mut Vec<Event>,
        ended: usize,
    ) -> Result<()> {
        let mut seen = 0;
        while seen < ended {
            let ev = tokio::time::timeout(QUIET, events.recv())
                .await
                .context("the AMI simulator went quiet")?
                .context("the event stream ended")?;
            if let ClientEvent::Event(m) = ev {
                let before = out.len();
                n.push(&m, now(), out);
                seen += out[before..]
                    .iter()
                    .filter(|e| matches!(e.kind, EventKind::Ended { .. }))
                    .count();
            }
        }
        Ok(())
    }

    let pbx = sim::start(SimConfig::default()).await?;
    let config = ClientConfig::new(
        pbx.addr().to_string(),
        SessionConfig::new("admin", "amp111"),
    );
    let (client, mut events) = connect(config).await?;
    let mut out = vec![Event::new(now(), Source::Ami, EventKind::Connected)];
    let mut n = Normalizer::new();
    // 1: basic call 1001 → 1002, answered, released.
    let originate = actions::Originate::new("PJSIP/1001")
        .exten("1002")
        .context("from-internal")
        .priority("1")
        .async_("true")
        .into_message()?;
    client.send(&originate).await?;
    follow(&mut events, &mut n, &mut out, 1).await?;
    // 2: unsupervised transfer of 1001–1002 to 1003.
    let run = pbx.run_scenario(Scenario::blind_transfer("1001", "1002", "1003"));
    let (played, followed) = tokio::join!(run, follow(&mut events, &mut n, &mut out, 1));
    played?;
    followed?;
    client.logoff().await?;
    // Events still on their way (the last device states) come before the
    // session closes.
    while let Some(ev) = events.recv().await {
        match ev {
            ClientEvent::Event(m) => n.push(&m, now(), &mut out),
            ClientEvent::Closed { reason } => {
                out.push(Event::new(now(), Source::Ami, EventKind::Closed { reason }));
            }
            _ => {}
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------- O2G

/// Both seed scenarios on the O2G simulator, through `o2g_api::client`,
/// with one administrator session monitoring the three users.
pub async fn o2g() -> Result<Vec<Event>> {
    use o2g_api::Event as O2gEvent;
    use o2g_api::client::{ClientConfig, ClientEvent, EventStream, connect};
    use o2g_api::codec::endpoints::telephony::{AnswerCall, BlindTransfer, MakeCall, ReleaseCall};
    use o2g_api::normalize::Normalizer;
    use o2g_api::session::{LinkEvent, SessionConfig};
    use o2g_api::sim::{self, InitialState, SimConfig};
    use o2g_api::types::telephony::MediaState;
    use o2g_api::types::{Package, Selector, SubscriptionRequest};

    /// Normalizes events until one satisfies `stop`, which it returns.
    async fn until(
        events: &mut EventStream,
        n: &mut Normalizer,
        out: &mut Vec<Event>,
        mut stop: impl FnMut(&O2gEvent) -> bool,
    ) -> Result<O2gEvent> {
        loop {
            let ev = tokio::time::timeout(QUIET, events.recv())
                .await
                .context("the O2G simulator went quiet")?
                .context("the event stream ended")?;
            match ev {
                ClientEvent::Event(e) => {
                    out.extend(n.event(&e, now()));
                    if stop(&e) {
                        return Ok(e);
                    }
                }
                ClientEvent::Link(l) => out.extend(n.link(&l, now())),
                other => return Err(anyhow!("unexpected {other:?}")),
            }
        }
    }

    /// The call reference `login` got for a new call.
    fn created(login: &'static str) -> impl FnMut(&O2gEvent) -> bool {
        move |e| matches!(e, O2gEvent::CallCreated(c) if c.login_name == login)
    }

    fn call_ref(e: &O2gEvent) -> Result<String> {
        match e {
            O2gEvent::CallCreated(c) => Ok(c.call_ref.clone()),
            other => Err(anyhow!("expected OnCallCreated, got {}", other.name())),
        }
    }

    /// `login`'s own leg became active.
    fn active(login: &'static str) -> impl FnMut(&O2gEvent) -> bool {
        move |e| {
            matches!(e, O2gEvent::CallModified(c) if c.login_name == login
                && c.modified_legs.iter().any(|l| l.state == MediaState::Active))
        }
    }

    fn removed(login: &'static str) -> impl FnMut(&O2gEvent) -> bool {
        move |e| matches!(e, O2gEvent::CallRemoved(c) if c.login_name == login)
    }

    let pbx = sim::start(
        SimConfig::default()
            .initial_state(InitialState::Never)
            .initial_event_summary(false),
    )
    .await?;
    let users = ["oxe1001", "oxe1002", "oxe1003"];
    let session = SessionConfig::new(pbx.base_url(), "admin", "admin")
        .application("cti demo")
        .subscribe(SubscriptionRequest::new(
            vec![Selector::new(vec![Package::Telephony], users)],
            10,
        ));
    let (client, mut events) = connect(ClientConfig::new(session)).await?;
    let mut n = Normalizer::new();
    let mut out = Vec::new();
    let ev = &mut events;
    let o = &mut out;
    // The channel start and the link event.
    until(ev, &mut n, o, |e| {
        matches!(e, O2gEvent::ChannelInformation(_))
    })
    .await?;
    match ev.recv().await {
        Some(ClientEvent::Link(l @ LinkEvent::Connected)) => o.extend(n.link(&l, now())),
        other => return Err(anyhow!("expected the connected link event, got {other:?}")),
    }

    // 1: basic call.
    client
        .execute(&MakeCall::new("1001", "1002").login_name("oxe1001"))
        .await?;
    let r1 = call_ref(&until(ev, &mut n, o, created("oxe1001")).await?)?;
    let r2 = call_ref(&until(ev, &mut n, o, created("oxe1002")).await?)?;
    client
        .execute(&AnswerCall::new(r2.as_str(), "1002").login_name("oxe1002"))
        .await?;
    until(ev, &mut n, o, active("oxe1001")).await?;
    client
        .execute(&ReleaseCall::new(r1.as_str()).login_name("oxe1001"))
        .await?;
    until(ev, &mut n, o, removed("oxe1002")).await?;
    until(
        ev,
        &mut n,
        o,
        |e| matches!(e, O2gEvent::UserStateModified(u) if u.login_name == "oxe1002"),
    )
    .await?;

    // 2: unsupervised transfer.
    client
        .execute(&MakeCall::new("1001", "1002").login_name("oxe1001"))
        .await?;
    let r1 = call_ref(&until(ev, &mut n, o, created("oxe1001")).await?)?;
    let r2 = call_ref(&until(ev, &mut n, o, created("oxe1002")).await?)?;
    client
        .execute(&AnswerCall::new(r2.as_str(), "1002").login_name("oxe1002"))
        .await?;
    until(ev, &mut n, o, active("oxe1001")).await?;
    client
        .execute(&BlindTransfer::new(r1.as_str(), "1003").login_name("oxe1001"))
        .await?;
    let r3 = call_ref(&until(ev, &mut n, o, created("oxe1003")).await?)?;
    client
        .execute(&AnswerCall::new(r3.as_str(), "1003").login_name("oxe1003"))
        .await?;
    until(ev, &mut n, o, active("oxe1002")).await?;
    client
        .execute(&ReleaseCall::new(r2.as_str()).login_name("oxe1002"))
        .await?;
    until(ev, &mut n, o, removed("oxe1003")).await?;
    until(
        ev,
        &mut n,
        o,
        |e| matches!(e, O2gEvent::UserStateModified(u) if u.login_name == "oxe1003"),
    )
    .await?;

    client.close().await?;
    loop {
        match tokio::time::timeout(QUIET, ev.recv()).await {
            Ok(Some(ClientEvent::Event(e))) => o.extend(n.event(&e, now())),
            Ok(Some(ClientEvent::Link(l))) => {
                let closed = matches!(l, LinkEvent::Closed { .. });
                o.extend(n.link(&l, now()));
                if closed {
                    break;
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return Err(anyhow!("the O2G session did not close")),
        }
    }
    Ok(out)
}

// ------------------------------------------------------------ comparison

/// What the seed scenarios must agree on across vendors: per call, the
/// sequence of call events; per device, the sequence of its states.
///
/// Parties are compared by number (devices are named differently:
/// `PJSIP/1001` on Asterisk, `1001` on O2G); calls by order of appearance
/// (ids differ). The parties cleared when a call ends form a set: Asterisk
/// tears the bridged peer down first whoever hung up, O2G reports the
/// party that released first, and both are right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Projection {
    /// Per call, in order of first appearance.
    pub calls: Vec<Vec<String>>,
    /// Per device number, its states in order.
    pub devices: BTreeMap<String, Vec<String>>,
}

fn number(p: &Party) -> String {
    p.number.clone().unwrap_or_else(|| {
        let d = p.device.as_str();
        d.rsplit('/').next().unwrap_or(d).to_owned()
    })
}

fn cause(c: &Cause) -> &str {
    c.as_str()
}

impl Projection {
    /// Projects a timeline.
    pub fn of(events: &[Event]) -> Self {
        let mut order: Vec<String> = Vec::new();
        let mut calls: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut devices: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut push = |call: &str, item: String| {
            if !order.iter().any(|c| c == call) {
                order.push(call.to_owned());
            }
            calls.entry(call.to_owned()).or_default().push(item);
        };
        for e in events {
            match &e.kind {
                EventKind::Originated { call, from, .. } => {
                    push(call.as_str(), format!("originated {}", number(from)));
                }
                EventKind::Alerting {
                    call,
                    party,
                    caller,
                } => push(
                    call.as_str(),
                    format!(
                        "alerting {} from {}",
                        number(party),
                        caller.as_ref().map_or_else(String::new, number)
                    ),
                ),
                EventKind::Answered { call, party } => {
                    push(call.as_str(), format!("answered {}", number(party)));
                }
                EventKind::Held { call, party } => {
                    push(call.as_str(), format!("held {}", number(party)));
                }
                EventKind::Retrieved { call, party } => {
                    push(call.as_str(), format!("retrieved {}", number(party)));
                }
                EventKind::Transferred { call, by, to, .. } => push(
                    call.as_str(),
                    format!("transferred by {} to {}", number(by), number(to)),
                ),
                EventKind::PartyCleared {
                    call,
                    party,
                    cause: c,
                } => push(
                    call.as_str(),
                    format!("cleared {} {}", number(party), cause(c)),
                ),
                EventKind::Ended { call, cause: c } => {
                    push(call.as_str(), format!("ended {}", cause(c)));
                }
                EventKind::DeviceState { device, state } => {
                    let d = device.as_str();
                    let d = d.rsplit('/').next().unwrap_or(d).to_owned();
                    devices
                        .entry(d)
                        .or_default()
                        .push(state.as_str().to_owned());
                }
                _ => {}
            }
        }
        let calls = order
            .iter()
            .map(|c| settle_teardown(calls.remove(c).unwrap_or_default()))
            .collect();
        Self { calls, devices }
    }
}

/// Sorts the run of `cleared …` entries right before `ended`.
fn settle_teardown(mut items: Vec<String>) -> Vec<String> {
    if items.last().is_some_and(|l| l.starts_with("ended")) {
        let end = items.len() - 1;
        let start = items[..end]
            .iter()
            .rposition(|i| !i.starts_with("cleared"))
            .map_or(0, |p| p + 1);
        let set: BTreeSet<String> = items[start..end].iter().cloned().collect();
        items.splice(start..end, set);
    }
    items
}
