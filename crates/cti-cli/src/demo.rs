//! `cti demo`: every built-in simulator, the seed scenarios, one timeline.

use anyhow::Result;
use cti_core::Event;

use crate::{Format, render};

/// A vendor's part of the demo: start its simulator, run the seed scenarios
/// through its real client, return the normalized events.
trait VendorDemo {
    /// The vendor crate's name.
    fn name(&self) -> &'static str;
    /// Runs the scenarios.
    fn run<'a>(&'a self, rt: &'a tokio::runtime::Runtime) -> Result<Vec<Event>>;
}

/// The vendor crates compiled into this binary.
fn built_in() -> Vec<Box<dyn VendorDemo>> {
    vec![
        #[cfg(feature = "ami")]
        Box::new(ami::AmiDemo),
    ]
}

/// The vendor crates the project plans, for the message when none is built.
const PLANNED: &[&str] = &[
    "ami-proto",
    "o2g-api",
    "aes-wti",
    "oscc-webinteraction",
    "dipcc-api",
];

pub(crate) fn run(format: Format) -> Result<()> {
    let demos = built_in();
    if demos.is_empty() {
        println!("cti demo: no vendor crate is built into this cti.");
        println!(
            "The demo runs the seed scenarios (basic call, unsupervised transfer) on the simulator of each"
        );
        println!(
            "vendor crate through its real client. Vendor crates: {}.",
            PLANNED.join(", ")
        );
        println!("Nothing to run: 0 simulators, 0 events.");
        return Ok(());
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut timeline = Vec::new();
    for d in &demos {
        let events = d.run(&rt)?;
        eprintln!(
            "cti demo: {} — {} normalized events",
            d.name(),
            events.len()
        );
        timeline.extend(events);
    }
    timeline.sort_by_key(|e| e.ts);
    for e in &timeline {
        println!("{}", render(e, format)?);
    }
    Ok(())
}

#[cfg(feature = "ami")]
mod ami {
    use std::time::{Duration, SystemTime};

    use ami_proto::client::{ClientConfig, ClientEvent, EventStream, connect};
    use ami_proto::normalize::Normalizer;
    use ami_proto::session::SessionConfig;
    use ami_proto::sim::{self, Scenario, SimConfig};
    use ami_proto::{Action, actions};
    use anyhow::{Context, Result};
    use cti_core::{Event, EventKind, Source, Timestamp};

    use super::VendorDemo;

    pub(super) struct AmiDemo;

    fn now() -> Timestamp {
        Timestamp::from_system_time(SystemTime::now())
    }

    /// Normalizes the client's events until `ended` calls have ended.
    async fn follow(
        events: &mut EventStream,
        n: &mut Normalizer,
        out: &mut Vec<Event>,
        ended: usize,
    ) -> Result<()> {
        let mut seen = 0;
        while seen < ended {
            let ev = tokio::time::timeout(Duration::from_secs(10), events.recv())
                .await
                .context("the simulator went quiet")?
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

    impl VendorDemo for AmiDemo {
        fn name(&self) -> &'static str {
            "ami-proto (Asterisk AMI simulator on 127.0.0.1)"
        }

        fn run<'a>(&'a self, rt: &'a tokio::runtime::Runtime) -> Result<Vec<Event>> {
            rt.block_on(async {
                let pbx = sim::start(SimConfig::default()).await?;
                let config = ClientConfig::new(
                    pbx.addr().to_string(),
                    SessionConfig::new("admin", "amp111"),
                );
                let (client, mut events) = connect(config).await?;
                let mut out = vec![Event::new(now(), Source::Ami, EventKind::Connected)];
                let mut n = Normalizer::new();
                // Seed scenario 1: basic call 1001 → 1002, answered, released.
                let originate = actions::Originate::new("PJSIP/1001")
                    .exten("1002")
                    .context("from-internal")
                    .priority("1")
                    .async_("true")
                    .into_message()?;
                client.send(&originate).await?;
                follow(&mut events, &mut n, &mut out, 1).await?;
                // Seed scenario 2: unsupervised transfer of 1001–1002 to 1003.
                let run = pbx.run_scenario(Scenario::blind_transfer("1001", "1002", "1003"));
                let (played, followed) =
                    tokio::join!(run, follow(&mut events, &mut n, &mut out, 1));
                played?;
                followed?;
                client.logoff().await?;
                while let Some(ev) = events.recv().await {
                    if let ClientEvent::Closed { reason } = ev {
                        out.push(Event::new(now(), Source::Ami, EventKind::Closed { reason }));
                    }
                }
                Ok(out)
            })
        }
    }
}
