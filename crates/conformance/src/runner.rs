//! The vendor plug-in trait and the fixture runner.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;

use anyhow::{Result, anyhow};
use cti_core::Event;
use serde_json::Value;

use crate::fixture::{self, Check, Fixture};
use crate::matcher::Bindings;
use crate::replay::{Received, ReplayServer, play_client};

/// A boxed, sendable future (keeps the trait object-safe).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A simulator started for one fixture; dropping it stops the simulator.
pub struct RunningSim {
    /// Where it listens (127.0.0.1).
    pub addr: SocketAddr,
    /// Whatever keeps it alive.
    pub guard: Box<dyn Send>,
}

impl std::fmt::Debug for RunningSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSim")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// How a vendor crate plugs into the conformance runner.
pub trait Vendor: Send + Sync {
    /// The folder name under `fixtures/` and the `--vendor` value.
    fn name(&self) -> &'static str;

    /// The application side: drive this vendor's real client against
    /// `server` (a replay server playing the vendor side of `fixture`) the
    /// way the fixture's application did, and return the normalized events
    /// the client produced.
    fn run_client<'a>(
        &'a self,
        fixture: &'a Fixture,
        server: SocketAddr,
    ) -> BoxFuture<'a, Result<Vec<Event>>>;

    /// The vendor side: start this vendor's simulator on 127.0.0.1, set up
    /// for `fixture`.
    fn start_simulator<'a>(&'a self, fixture: &'a Fixture) -> BoxFuture<'a, Result<RunningSim>>;

    /// Normalize what the simulator sent to the replay client.
    fn normalize(&self, fixture: &Fixture, received: &Received) -> Result<Vec<Event>>;
}

/// The result of one check of one fixture.
#[derive(Debug)]
pub struct Outcome {
    /// The fixture's name.
    pub fixture: String,
    /// Which check (`None`: loading or dispatch failed before any check).
    pub check: Option<Check>,
    /// `Err` holds the reason for the failure.
    pub result: Result<(), String>,
}

/// Every outcome of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// In order.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// How many checks passed.
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.result.is_ok()).count()
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.result.is_err())
    }

    /// One line per check, then `N passed, M failed`.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for o in &self.outcomes {
            let check = o.check.map_or_else(|| "load".to_owned(), |c| c.to_string());
            match &o.result {
                Ok(()) => s.push_str(&format!("ok    {} [{check}]\n", o.fixture)),
                Err(e) => s.push_str(&format!("FAIL  {} [{check}]: {e}\n", o.fixture)),
            }
        }
        let failed = self.outcomes.len() - self.passed();
        s.push_str(&format!(
            "conformance: {} passed, {failed} failed\n",
            self.passed()
        ));
        s
    }
}

/// Options of a run.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Only fixtures of this vendor.
    pub vendor: Option<String>,
    /// Rewrite golden files from the client check's events.
    pub bless: bool,
}

/// Strips the volatile `ts` key from an event's JSON form.
fn comparable(event: &Event) -> Result<Value> {
    let mut v = serde_json::to_value(event)?;
    if let Value::Object(m) = &mut v {
        m.remove("ts");
    }
    Ok(v)
}

fn render_events(events: &[Value]) -> String {
    events.iter().map(|e| format!("    {e}\n")).collect()
}

/// Compares produced events with the golden events.
pub fn check_golden(golden: &[Value], actual: &[Event]) -> Result<(), String> {
    let actual: Vec<Value> = actual
        .iter()
        .map(comparable)
        .collect::<Result<_>>()
        .map_err(|e| e.to_string())?;
    let golden: Vec<Value> = golden
        .iter()
        .map(|g| {
            let mut g = g.clone();
            if let Value::Object(m) = &mut g {
                m.remove("ts");
            }
            g
        })
        .collect();
    let mut b = Bindings::new();
    for (i, (g, a)) in golden.iter().zip(&actual).enumerate() {
        if let Err(e) = b.match_json(g, a) {
            return Err(format!(
                "golden event {} differs: {e}\n  expected:\n{}  got:\n{}",
                i + 1,
                render_events(&golden),
                render_events(&actual)
            ));
        }
    }
    if golden.len() != actual.len() {
        return Err(format!(
            "expected {} golden events, got {}\n  expected:\n{}  got:\n{}",
            golden.len(),
            actual.len(),
            render_events(&golden),
            render_events(&actual)
        ));
    }
    Ok(())
}

fn write_golden(fx: &Fixture, events: &[Event]) -> Result<()> {
    let mut text = String::new();
    for e in events {
        text.push_str(&comparable(e)?.to_string());
        text.push('\n');
    }
    std::fs::write(fixture::golden_path(&fx.path), text)?;
    Ok(())
}

async fn client_check(vendor: &dyn Vendor, fx: &Fixture, bless: bool) -> Result<(), String> {
    let server = ReplayServer::start(fx)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let addr = server.addr();
    let events = vendor.run_client(fx, addr).await;
    let served = server.finish().await;
    served.map_err(|e| format!("replay server: {e:#}"))?;
    let events = events.map_err(|e| format!("client: {e:#}"))?;
    if bless {
        write_golden(fx, &events).map_err(|e| format!("writing golden: {e:#}"))?;
        return Ok(());
    }
    let golden = fx
        .golden
        .as_deref()
        .ok_or("no golden file (run with --bless to write one)")?;
    check_golden(golden, &events)
}

async fn simulator_check(vendor: &dyn Vendor, fx: &Fixture) -> Result<(), String> {
    let sim = vendor
        .start_simulator(fx)
        .await
        .map_err(|e| format!("starting simulator: {e:#}"))?;
    let received = play_client(fx, sim.addr)
        .await
        .map_err(|e| format!("simulator: {e:#}"))?;
    drop(sim);
    let events = vendor
        .normalize(fx, &received)
        .map_err(|e| format!("normalizing: {e:#}"))?;
    let golden = fx.golden.as_deref().ok_or("no golden file")?;
    check_golden(golden, &events)
}

/// Runs every check of one fixture.
pub async fn run_fixture(vendor: &dyn Vendor, fx: &Fixture, bless: bool) -> Vec<Outcome> {
    let mut out = Vec::new();
    for &check in &fx.meta.checks {
        let result = match check {
            Check::Client => client_check(vendor, fx, bless).await,
            Check::Simulator => simulator_check(vendor, fx).await,
        };
        out.push(Outcome {
            fixture: fx.name.clone(),
            check: Some(check),
            result,
        });
    }
    out
}

/// Runs every fixture below `root` with the matching plug-in of `vendors`.
pub async fn run_dir(root: &Path, vendors: &[Box<dyn Vendor>], opts: &Options) -> Result<Report> {
    let mut report = Report::default();
    let files = fixture::discover(root)?;
    if files.is_empty() {
        return Err(anyhow!("no fixtures below {}", root.display()));
    }
    for path in files {
        let fx = match fixture::load(root, &path) {
            Ok(fx) => fx,
            Err(e) => {
                let name = fixture::display_name(root, &path);
                report.outcomes.push(Outcome {
                    fixture: name,
                    check: None,
                    result: Err(format!("{e:#}")),
                });
                continue;
            }
        };
        if opts.vendor.as_ref().is_some_and(|v| *v != fx.meta.vendor) {
            continue;
        }
        if fx.meta.checks.is_empty() {
            // `checks: none`: kept for decoding tests; loading it is the check.
            report.outcomes.push(Outcome {
                fixture: fx.name.clone(),
                check: None,
                result: Ok(()),
            });
            continue;
        }
        let Some(vendor) = vendors.iter().find(|v| v.name() == fx.meta.vendor) else {
            report.outcomes.push(Outcome {
                fixture: fx.name.clone(),
                check: None,
                result: Err(format!(
                    "no conformance plug-in for vendor {:?}",
                    fx.meta.vendor
                )),
            });
            continue;
        };
        if fx.golden.is_none() && !opts.bless {
            report.outcomes.push(Outcome {
                fixture: fx.name.clone(),
                check: None,
                result: Err("no golden file beside the fixture".into()),
            });
            continue;
        }
        report
            .outcomes
            .extend(run_fixture(vendor.as_ref(), &fx, opts.bless).await);
    }
    Ok(report)
}

/// [`run_dir`] on a fresh runtime, for tests and the command line.
pub fn run_blocking(root: &Path, vendors: &[Box<dyn Vendor>], opts: &Options) -> Result<Report> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(run_dir(root, vendors, opts))
}
