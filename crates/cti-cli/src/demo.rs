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
        Box::new(AmiDemo),
        #[cfg(feature = "o2g")]
        Box::new(O2gDemo),
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

/// The seed scenarios on the AMI simulator (`conformance::scenarios`).
#[cfg(feature = "ami")]
struct AmiDemo;

#[cfg(feature = "ami")]
impl VendorDemo for AmiDemo {
    fn name(&self) -> &'static str {
        "ami-proto (Asterisk AMI simulator on 127.0.0.1)"
    }

    fn run<'a>(&'a self, rt: &'a tokio::runtime::Runtime) -> Result<Vec<Event>> {
        rt.block_on(conformance::scenarios::ami())
    }
}

/// The seed scenarios on the O2G simulator (`conformance::scenarios`).
#[cfg(feature = "o2g")]
struct O2gDemo;

#[cfg(feature = "o2g")]
impl VendorDemo for O2gDemo {
    fn name(&self) -> &'static str {
        "o2g-api (ALE OmniPCX Open Gateway simulator on 127.0.0.1)"
    }

    fn run<'a>(&'a self, rt: &'a tokio::runtime::Runtime) -> Result<Vec<Event>> {
        rt.block_on(conformance::scenarios::o2g())
    }
}
