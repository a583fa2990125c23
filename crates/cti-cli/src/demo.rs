//! `cti demo`: every built-in simulator, the seed scenarios, one timeline.

use anyhow::Result;
use cti_core::Event;

use crate::{Format, render};

/// A vendor's part of the demo: start its simulator, run the seed scenarios
/// through its real client, return the normalized events.
pub(crate) trait VendorDemo {
    /// The vendor crate's name.
    fn name(&self) -> &'static str;
    /// Runs the scenarios.
    fn run(&self) -> Result<Vec<Event>>;
}

/// The vendor crates compiled into this binary.
fn built_in() -> Vec<Box<dyn VendorDemo>> {
    Vec::new()
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
        println!("cti demo: no vendor crate is built into this cti yet.");
        println!(
            "The demo runs the seed scenarios (basic call, unsupervised transfer) on the simulator of each"
        );
        println!(
            "vendor crate through its real client. Planned crates: {}.",
            PLANNED.join(", ")
        );
        println!("Nothing to run: 0 simulators, 0 events.");
        return Ok(());
    }
    let mut timeline = Vec::new();
    for d in &demos {
        let events = d.run()?;
        eprintln!("{}: {} events", d.name(), events.len());
        timeline.extend(events);
    }
    timeline.sort_by_key(|e| e.ts);
    for e in &timeline {
        println!("{}", render(e, format)?);
    }
    Ok(())
}
