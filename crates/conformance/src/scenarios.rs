//! The seed scenarios of the design document, run live: each vendor's simulator on
//! 127.0.0.1, driven through the vendor's real client, its events
//! normalized. `cti demo` prints them; `tests/cross_vendor.rs` checks that
//! every vendor tells the same story ([`Projection`]).
//!
//! 1. basic call: 1001 calls 1002, 1002 answers, 1001 hangs up;
//! 2. unsupervised transfer: 1001 calls 1002, 1002 answers, 1001 transfers
//!    1002 to 1003, 1003 answers, 1002 hangs up.

use std::collections::{BTreeMap, BTreeSet};
#[cfg(any(feature = "ami", feature = "o2g"))]
use std::time::{Duration, SystemTime};

#[cfg(feature = "ami")]
use anyhow::Context;
#[cfg(any(feature = "ami", feature = "o2g"))]
use anyhow::Result;
#[cfg(feature = "ami")]
use cti_core::Source;
#[cfg(any(feature = "ami", feature = "o2g"))]
use cti_core::Timestamp;
use cti_core::{Cause, Event, EventKind, Party};

#[cfg(any(feature = "ami", feature = "o2g"))]
fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

/// How long a simulator may stay quiet while a scenario waits for it.
#[cfg(any(feature = "ami", feature = "o2g"))]
const QUIET: Duration = Duration::from_secs(10);

// ------------------------------------------------------------------- AMI

/// Both seed scenarios on the AMI simulator, through `ami_proto::client`.
#[cfg(feature = "ami")]
pub async fn ami() -> Result<Vec<Event>> {
    use ami_proto::actions;
    use ami_proto::client::{ClientConfig, ClientEvent, EventStream, LinkEvent, connect};
    use ami_proto::normalize::Normalizer;
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

    /// Normalizes the client's events until each of `devices` is idle.
    async fn settle(
        events: &mut EventStream,
        n: &mut Normalizer,
        out: &mut Vec<Event>,
        devices: &[&str],
    ) -> Result<()> {
        let idle = |out: &[Event], d: &str| {
            out.iter()
                .rev()
                .find_map(|e| match &e.kind {
                    EventKind::DeviceState { device, state }
                        if device.as_str().rsplit('/').next() == Some(d) =>
                    {
                        Some(*state == cti_core::DeviceState::Idle)
                    }
                    _ => None,
                })
                .unwrap_or(false)
        };
        while !devices.iter().all(|d| idle(out, d)) {
            let ev = tokio::time::timeout(QUIET, events.recv())
                .await
                .context("the AMI simulator went quiet before the phones were idle")?
                .context("the event stream ended")?;
            if let ClientEvent::Event(m) = ev {
                n.push(&m, now(), out);
            }
        }
        Ok(())
    }

    let pbx = sim::start(SimConfig::default()).await?;
    let config = ClientConfig::new(pbx.addr().to_string(), "admin", "amp111");
    let (client, mut events) = connect(config).await?;
    let mut out = vec![Event::new(now(), Source::Ami, EventKind::Connected)];
    let mut n = Normalizer::new();
    // 1: basic call 1001 → 1002, answered, released.
    let originate = actions::Originate::new("PJSIP/1001")
        .exten("1002")
        .context("from-internal")
        .priority(1)
        .async_(true);
    client.send(originate).await?;
    follow(&mut events, &mut n, &mut out, 1).await?;
    // Asterisk reports device states apart from the call (its own
    // task), so the last `idle` of call 1 may come after its hang-up:
    // call 2 starts once both phones are idle, as a user would wait.
    settle(&mut events, &mut n, &mut out, &["1001", "1002"]).await?;
    // 2: unsupervised transfer of 1001–1002 to 1003.
    let run = pbx.run_scenario(Scenario::blind_transfer("1001", "1002", "1003"));
    let (played, followed) = tokio::join!(run, follow(&mut events, &mut n, &mut out, 1));
    played?;
    followed?;
    client.close().await?;
    // Events still on their way (the last device states) come before the
    // session closes.
    while let Some(ev) = events.recv().await {
        match ev {
            ClientEvent::Event(m) => n.push(&m, now(), &mut out),
            ClientEvent::Link(LinkEvent::Closed { reason }) => {
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
#[cfg(feature = "o2g")]
pub async fn o2g() -> Result<Vec<Event>> {
    use o2g_api::client::{ClientConfig, connect};
    use o2g_api::codec::endpoints::telephony::{BlindTransfer, ReleaseCall};
    use o2g_api::session::SessionConfig;
    use o2g_api::sim::{self, InitialState, SimConfig};
    use o2g_api::types::{Package, Selector, SubscriptionRequest};
    use o2g_run::{O2gRun, active};

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
    let (client, events) = connect(ClientConfig::with_session(session)).await?;
    let mut run = O2gRun::new(client, events);
    run.connected().await?;

    // 1: basic call.
    let (r1, _r2) = run.established().await?;
    run.client
        .send(&ReleaseCall::new(r1.as_str()).login_name("oxe1001"))
        .await?;
    run.released("oxe1002").await?;

    // 2: unsupervised transfer.
    let (r1, r2) = run.established().await?;
    run.client
        .send(&BlindTransfer::new(r1.as_str(), "1003").login_name("oxe1001"))
        .await?;
    run.answer("oxe1003", "1003").await?;
    run.until(active("oxe1002")).await?;
    run.client
        .send(&ReleaseCall::new(r2.as_str()).login_name("oxe1002"))
        .await?;
    run.released("oxe1003").await?;

    run.close().await
}

/// The O2G half of the scenarios: a client, its events, and the
/// normalized timeline they make.
#[cfg(feature = "o2g")]
mod o2g_run {
    use anyhow::{Context, Result, anyhow};
    use cti_core::Event;
    use o2g_api::Event as O2gEvent;
    use o2g_api::client::LinkEvent;
    use o2g_api::client::{Client, ClientEvent, EventStream};
    use o2g_api::codec::endpoints::telephony::{AnswerCall, MakeCall};
    use o2g_api::normalize::Normalizer;
    use o2g_api::types::telephony::MediaState;

    use super::{QUIET, now};

    pub(super) struct O2gRun {
        pub(super) client: Client,
        events: EventStream,
        n: Normalizer,
        out: Vec<Event>,
    }

    /// `login` got a new call.
    fn created(login: &'static str) -> impl FnMut(&O2gEvent) -> bool {
        move |e| matches!(e, O2gEvent::CallCreated(c) if c.login_name == login)
    }

    /// `login`'s own leg became active.
    pub(super) fn active(login: &'static str) -> impl FnMut(&O2gEvent) -> bool {
        move |e| {
            matches!(e, O2gEvent::CallModified(c) if c.login_name == login
                && c.modified_legs.iter().any(|l| l.state == MediaState::Active))
        }
    }

    /// `login`'s call was removed.
    fn removed(login: &'static str) -> impl FnMut(&O2gEvent) -> bool {
        move |e| matches!(e, O2gEvent::CallRemoved(c) if c.login_name == login)
    }

    fn call_ref(e: &O2gEvent) -> Result<String> {
        match e {
            O2gEvent::CallCreated(c) => Ok(c.call_ref.clone()),
            other => Err(anyhow!("expected OnCallCreated, got {}", other.name())),
        }
    }

    impl O2gRun {
        pub(super) fn new(client: Client, events: EventStream) -> Self {
            Self {
                client,
                events,
                n: Normalizer::new(),
                out: Vec::new(),
            }
        }

        /// Normalizes events until one satisfies `stop`, which it returns.
        pub(super) async fn until(
            &mut self,
            mut stop: impl FnMut(&O2gEvent) -> bool,
        ) -> Result<O2gEvent> {
            loop {
                let ev = tokio::time::timeout(QUIET, self.events.recv())
                    .await
                    .context("the O2G simulator went quiet")?
                    .context("the event stream ended")?;
                match ev {
                    ClientEvent::Event(e) => {
                        self.out.extend(self.n.event(&e, now()));
                        if stop(&e) {
                            return Ok(e);
                        }
                    }
                    ClientEvent::Link(l) => self.n.link(&l, now(), &mut self.out),
                    other => return Err(anyhow!("unexpected {other:?}")),
                }
            }
        }

        /// The channel start, then the connected link event.
        pub(super) async fn connected(&mut self) -> Result<()> {
            self.until(|e| matches!(e, O2gEvent::ChannelInformation(_)))
                .await?;
            match self.events.recv().await {
                Some(ClientEvent::Link(l @ LinkEvent::Connected)) => {
                    self.n.link(&l, now(), &mut self.out);
                    Ok(())
                }
                other => Err(anyhow!("expected the connected link event, got {other:?}")),
            }
        }

        /// `login` on `device` answers the call it is offered; its call
        /// reference.
        pub(super) async fn answer(&mut self, login: &'static str, device: &str) -> Result<String> {
            let r = call_ref(&self.until(created(login)).await?)?;
            self.client
                .send(&AnswerCall::new(r.as_str(), device).login_name(login))
                .await?;
            Ok(r)
        }

        /// 1001 calls 1002, 1002 answers, 1001's leg is active: both
        /// users' call references.
        pub(super) async fn established(&mut self) -> Result<(String, String)> {
            self.client
                .send(&MakeCall::new("1001", "1002").login_name("oxe1001"))
                .await?;
            let r1 = call_ref(&self.until(created("oxe1001")).await?)?;
            let r2 = self.answer("oxe1002", "1002").await?;
            self.until(active("oxe1001")).await?;
            Ok((r1, r2))
        }

        /// The last party's call is removed and its user state follows.
        pub(super) async fn released(&mut self, login: &'static str) -> Result<()> {
            self.until(removed(login)).await?;
            self.until(
                move |e| matches!(e, O2gEvent::UserStateModified(u) if u.login_name == login),
            )
            .await?;
            Ok(())
        }

        /// Closes the session and returns the timeline.
        pub(super) async fn close(mut self) -> Result<Vec<Event>> {
            self.client.close().await?;
            loop {
                match tokio::time::timeout(QUIET, self.events.recv()).await {
                    Ok(Some(ClientEvent::Event(e))) => self.out.extend(self.n.event(&e, now())),
                    Ok(Some(ClientEvent::Link(l))) => {
                        let closed = matches!(l, LinkEvent::Closed { .. });
                        self.n.link(&l, now(), &mut self.out);
                        if closed {
                            break;
                        }
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(_) => return Err(anyhow!("the O2G session did not close")),
                }
            }
            Ok(self.out)
        }
    }
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
