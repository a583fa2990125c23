//! The vendor plug-in trait and the fixture runner.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;

use anyhow::{Result, anyhow};
use cti_core::{Event, EventKind};
use serde_json::Value;

use crate::fixture::{self, Check, Fixture};
use crate::matcher::{Bindings, Volatile};
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

    /// Byte streams: the header names whose values vary from run to run on
    /// every system of this vendor (unique ids, clocks, addresses …), added
    /// to each fixture's own `volatile:` list, so that a new recording needs
    /// none. None by default.
    fn volatile_defaults(&self) -> Volatile {
        Volatile::new()
    }
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
    /// Only fixtures whose name contains this text.
    pub only: Option<String>,
}

/// Strips the volatile `ts` key from an event's JSON form.
fn comparable(event: &Event) -> Result<Value> {
    let mut v = serde_json::to_value(event)?;
    if let Value::Object(m) = &mut v {
        m.remove("ts");
    }
    Ok(v)
}

/// How many lines of context a golden mismatch shows around the first
/// difference.
const CONTEXT: usize = 3;

fn strip_ts(v: &Value) -> Value {
    let mut v = v.clone();
    if let Value::Object(m) = &mut v {
        m.remove("ts");
    }
    v
}

/// Compares produced events with the golden events. A mismatch names the
/// first differing event with a few events of context on both sides and
/// counts the differing positions; it never prints both lists whole.
pub fn check_golden(golden: &[Value], actual: &[Event]) -> Result<(), String> {
    let actual: Vec<Value> = actual
        .iter()
        .map(comparable)
        .collect::<Result<_>>()
        .map_err(|e| e.to_string())?;
    let golden: Vec<Value> = golden.iter().map(strip_ts).collect();
    compare_events(&golden, &actual)
}

fn compare_events(golden: &[Value], actual: &[Value]) -> Result<(), String> {
    let mut b = Bindings::new();
    let mut first: Option<(usize, String)> = None;
    let mut differing = golden.len().abs_diff(actual.len());
    for (i, (g, a)) in golden.iter().zip(actual).enumerate() {
        // Bindings go on past the first difference, so that one wrong id
        // does not make every later line count.
        let mut trial = b.clone();
        match trial.match_json(g, a) {
            Ok(()) => b = trial,
            Err(e) => {
                differing += 1;
                if first.is_none() {
                    first = Some((i, e));
                }
            }
        }
    }
    let (at, why) = match first {
        Some(f) => f,
        None if golden.len() == actual.len() => return Ok(()),
        None => {
            let n = golden.len().min(actual.len());
            let why = if golden.len() > actual.len() {
                format!("{} golden events missing at the end", golden.len() - n)
            } else {
                format!("{} events more than the golden file", actual.len() - n)
            };
            (n, why)
        }
    };
    let from = at.saturating_sub(CONTEXT);
    let mut s = format!(
        "event {} differs: {why}\n  {differing} of {} golden / {} produced positions differ; around the first:\n",
        at + 1,
        golden.len(),
        actual.len()
    );
    for (i, g) in golden.iter().enumerate().take(at).skip(from) {
        s.push_str(&format!("    {:>5}   {g}\n", i + 1));
    }
    for (i, g) in golden.iter().enumerate().skip(at).take(CONTEXT) {
        s.push_str(&format!("    {:>5} - {g}\n", i + 1));
    }
    for (i, a) in actual.iter().enumerate().skip(at).take(CONTEXT) {
        s.push_str(&format!("    {:>5} + {a}\n", i + 1));
    }
    Err(s.trim_end().to_owned())
}

/// Why a run's events cannot become a golden file: a golden that holds a
/// `lagged` event or a reconnection with a gap would let a check pass on
/// events the client never saw.
fn unblessable(events: &[Event]) -> Option<String> {
    events.iter().enumerate().find_map(|(i, e)| match &e.kind {
        EventKind::Lagged { missed } => Some(format!(
            "event {} is `lagged` ({missed} events missed)",
            i + 1
        )),
        EventKind::Reconnected { gap: true } => {
            Some(format!("event {} is a reconnection with a gap", i + 1))
        }
        _ => None,
    })
}

/// The JSON keys of an event that hold a call id.
const CALL_KEYS: [&str; 2] = ["call", "new_call"];

/// The golden form of a run's events: `ts` left out, and every call id
/// replaced by a placeholder (`${call1}`, `${call2}` … in order of first
/// appearance), so that the same golden file checks a simulator that
/// numbers its calls its own way.
fn golden_lines(events: &[Event]) -> Result<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut text = String::new();
    for e in events {
        let mut v = comparable(e)?;
        if let Value::Object(m) = &mut v {
            for key in CALL_KEYS {
                if let Some(Value::String(id)) = m.get_mut(key) {
                    let n = match ids.iter().position(|x| x == id) {
                        Some(n) => n,
                        None => {
                            ids.push(id.clone());
                            ids.len() - 1
                        }
                    };
                    *id = format!("${{call{}}}", n + 1);
                }
            }
        }
        text.push_str(&v.to_string());
        text.push('\n');
    }
    Ok(text)
}

fn write_golden(fx: &Fixture, events: &[Event]) -> Result<()> {
    std::fs::write(fixture::golden_path(&fx.path), golden_lines(events)?)?;
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
    if let Some(why) = unblessable(&events) {
        return Err(format!(
            "{why}: the client lost events; {}",
            if bless {
                "refusing to bless"
            } else {
                "the check cannot pass"
            }
        ));
    }
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
    let mut fx = fx.clone();
    fx.meta.volatile.merge(&vendor.volatile_defaults());
    for &check in &fx.meta.checks.clone() {
        let result = match check {
            Check::Client => {
                let r = client_check(vendor, &fx, bless).await;
                if bless && r.is_ok() {
                    // The simulator check compares with what was just written.
                    fx.golden = fixture::read_golden(&fixture::golden_path(&fx.path)).ok();
                }
                r
            }
            Check::Simulator => simulator_check(vendor, &fx).await,
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
        if opts.vendor.as_ref().is_some_and(|v| *v != fx.meta.vendor)
            || opts
                .only
                .as_ref()
                .is_some_and(|o| !fx.name.contains(o.as_str()))
        {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn events(n: usize) -> Vec<Value> {
        (0..n)
            .map(|i| json!({"type": "alerting", "call": format!("c{}", i / 3), "n": i}))
            .collect()
    }

    #[test]
    fn a_mismatch_shows_the_first_difference_in_context_and_counts() {
        let golden = events(500);
        let mut actual = golden.clone();
        actual[200]["n"] = json!(-1);
        actual[300]["n"] = json!(-2);
        let err = compare_events(&golden, &actual).unwrap_err();
        assert!(
            err.starts_with("event 201 differs: at $.n: expected 200, got -1"),
            "{err}"
        );
        assert!(
            err.contains("2 of 500 golden / 500 produced positions differ"),
            "{err}"
        );
        // Three lines before, three expected and three produced from there.
        assert_eq!(err.lines().count(), 2 + 3 + 3 + 3, "{err}");
        assert!(
            err.contains("  198   ") && err.contains("  201 - ") && err.contains("  203 + "),
            "{err}"
        );
        assert!(
            !err.contains("\"n\":400"),
            "the whole lists are not printed: {err}"
        );
    }

    #[test]
    fn missing_and_extra_events_are_counted() {
        let golden = events(10);
        let err = compare_events(&golden, &golden[..7]).unwrap_err();
        assert!(
            err.starts_with("event 8 differs: 3 golden events missing at the end"),
            "{err}"
        );
        assert!(err.contains("3 of 10 golden / 7 produced"), "{err}");
        let err = compare_events(&golden[..7], &golden).unwrap_err();
        assert!(
            err.starts_with("event 8 differs: 3 events more than the golden file"),
            "{err}"
        );
        compare_events(&golden, &golden).unwrap();
    }

    #[test]
    fn one_wrong_binding_does_not_make_every_later_event_differ() {
        let golden: Vec<Value> = (0..6).map(|i| json!({"call": "${a}", "n": i})).collect();
        let mut actual: Vec<Value> = (0..6).map(|i| json!({"call": "x", "n": i})).collect();
        actual[2]["call"] = json!("y");
        let err = compare_events(&golden, &actual).unwrap_err();
        assert!(err.contains("1 of 6 golden"), "{err}");
    }
}
