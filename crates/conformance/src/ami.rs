//! The `ami` plug-in: replays AMI fixtures against `ami-proto`'s client
//! and simulator.
//!
//! Client check: the application side of the fixture is re-enacted with
//! the real [`ami_proto::client`]: its login is configured from the
//! recorded `Login` (MD5 when a `Challenge` was sent; the secret is the
//! fixture's redacted one, so MD5 fixtures list `Key` as volatile), then
//! every recorded action after login is sent through `Client::send` /
//! `send_list` (actions the recording wrote in one segment are sent
//! together, pipelined), and `Logoff` through `Client::logoff`. The events
//! the client yields are normalized with [`ami_proto::normalize`], framed by
//! `connected` and `closed`.
//!
//! Simulator check: the replay client plays the recorded application side
//! against [`ami_proto::sim`] (default account, no `SuccessfulAuth`
//! event); what the simulator sends must match the recording up to the
//! fixture's volatile headers, and its events, normalized, the golden file.
//!
//! What the recorded PBX *contained* (its build string, dialplan, CLI
//! outputs, PJSIP objects, queues, the channels up at recording time …) is
//! state, not behaviour: a fixture names a state file next to it with
//! `# sim-state: NAME.sim.json`, and `SimState` turns it into
//! `ami_proto::sim::SimConfig` builder calls. A state file is
//! JSON after leading `#` comment lines, the first of which says where the
//! state comes from (`# source: …`).
//!
//! A fixture whose events come from a scenario started on the simulator's
//! side (not from an action the client sent) names it with `# sim-scenario:
//! blind-transfer 1001 1002 1003` (or `queue-call CALLER QUEUE AGENT`); it
//! is started once the first session has logged in.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use anyhow::{Context, Result, anyhow};
use bytes::BytesMut;
use cti_core::{Event, EventKind, Source, Timestamp};

use ami_proto::Message;
use ami_proto::client::{ClientConfig, ClientEvent, LinkEvent, connect};
use ami_proto::codec::{Decoded, Decoder};
use ami_proto::normalize::Normalizer;
use ami_proto::session::{AuthMethod, EventMask, SessionConfig};

use ami_proto::sim::{self, Scenario, SimConfig};

use crate::fixture::{Body, Chunk, Dir, Fixture};
use crate::matcher::{Volatile, VolatileKind};
use crate::replay::Received;
use crate::runner::{BoxFuture, RunningSim, Vendor};

/// The AMI plug-in (`fixtures/ami/`).
#[derive(Debug, Default)]
pub struct Ami;

fn messages(bytes: &[u8], client_side: bool) -> Vec<Message> {
    let mut dec = if client_side {
        Decoder::server()
    } else {
        Decoder::client()
    };
    let mut buf = BytesMut::from(bytes);
    let mut out = Vec::new();
    while let Some(r) = dec.decode(&mut buf) {
        if let Ok(Decoded::Message(m)) = r {
            out.push(m);
        }
    }
    out
}

/// The client's messages grouped by consecutive `SEND` chunks, and every
/// server byte.
fn split(fx: &Fixture) -> Result<(Vec<Vec<Message>>, Vec<u8>)> {
    let Body::Bytes(chunks) = &fx.body else {
        return Err(anyhow!("an AMI fixture is a transcript"));
    };
    let mut groups = Vec::new();
    let mut cur = Vec::new();
    let mut server = Vec::new();
    for c in chunks {
        match c {
            Chunk::Data {
                dir: Dir::ClientToServer,
                bytes,
                ..
            } => cur.extend_from_slice(bytes),
            Chunk::Data {
                dir: Dir::ServerToClient,
                bytes,
                ..
            } => {
                if !cur.is_empty() {
                    groups.push(messages(&std::mem::take(&mut cur), true));
                }
                server.extend_from_slice(bytes);
            }
            Chunk::ServerClosed => {}
        }
    }
    if !cur.is_empty() {
        groups.push(messages(&cur, true));
    }
    Ok((groups, server))
}

fn is_action(m: &Message, name: &str) -> bool {
    m.get("Action")
        .is_some_and(|a| a.eq_ignore_ascii_case(name))
}

fn link(kind: EventKind) -> Event {
    Event::new(Timestamp::EPOCH, Source::Ami, kind)
}

/// The client's configuration: the recorded session, and the event queue
/// length a fixture may set with `# client-event-queue: N` (to show that the
/// events are read while the actions run).
fn client_config(fx: &Fixture, addr: SocketAddr, session: SessionConfig) -> Result<ClientConfig> {
    let mut config = ClientConfig::with_session(addr.to_string(), session);
    if let Some(n) = fx.meta.raw.get("client-event-queue") {
        config = config.event_queue(
            n.parse()
                .with_context(|| format!("client-event-queue {n:?} is not a number"))?,
        );
    }
    Ok(config)
}

async fn run_client(fx: &Fixture, addr: SocketAddr) -> Result<Vec<Event>> {
    let (groups, server) = split(fx)?;
    let all: Vec<&Message> = groups.iter().flatten().collect();
    let login = all
        .iter()
        .find(|m| is_action(m, "Login"))
        .ok_or_else(|| anyhow!("the fixture has no Login"))?;
    let md5 = all.iter().any(|m| is_action(m, "Challenge"));
    let secret = fx
        .meta
        .raw
        .get("secret")
        .cloned()
        .unwrap_or_else(|| login.get("Secret").unwrap_or("******").to_owned());
    let events = match login.get("Events") {
        None => EventMask::ServerDefault,
        Some("on") => EventMask::On,
        Some("off") => EventMask::Off,
        Some(other) => EventMask::Classes(other.to_owned()),
    };
    let session = SessionConfig::new(login.get("Username").unwrap_or_default(), secret)
        .auth(if md5 {
            AuthMethod::Md5
        } else {
            AuthMethod::Plain
        })
        .events(events)
        .ping_interval(None)
        .reconnect(false)
        .action_timeout(Duration::from_secs(10));
    let list_ids: Vec<String> = messages(&server, false)
        .iter()
        .filter(|m| m.is_list_start())
        .filter_map(|m| m.action_id().map(str::to_owned))
        .collect();
    let mut out = Vec::new();
    let (client, mut stream) = match connect(client_config(fx, addr, session)?).await {
        Ok(c) => c,
        Err(e) if e.is_auth() => {
            // The replay server's port changes every run: the golden
            // names it `<server>`.
            let reason = e.to_string().replace(&addr.to_string(), "<server>");
            out.push(link(EventKind::Closed {
                reason: Some(reason),
            }));
            return Ok(out);
        }
        Err(e) => return Err(e).context("connecting"),
    };
    out.push(link(EventKind::Connected));
    // The actions run while the events are read: a real-size recording has
    // more events than the client's queue holds, and an application that
    // reads only after its actions finish loses them (`lagged`).
    let actions =
        async move {
            let mut logged_off = false;
            for group in &groups {
                let actions: Vec<&Message> = group
                    .iter()
                    .filter(|m| !is_action(m, "Login") && !is_action(m, "Challenge"))
                    .collect();
                let mut calls = Vec::new();
                for m in actions {
                    let client = client.clone();
                    if is_action(m, "Logoff") && m.action_id().is_some() {
                        // A Logoff with an ActionID is an action whose answer is Goodbye.
                        logged_off = true;
                        calls.push(Box::pin(async move { client.send(m).await.map(drop) })
                            as BoxFuture<'_, _>);
                    } else if is_action(m, "Logoff") {
                        logged_off = true;
                        calls.push(Box::pin(async move { client.close().await.map(drop) })
                            as BoxFuture<'_, _>);
                    } else if m
                        .action_id()
                        .is_some_and(|id| list_ids.iter().any(|l| l == id))
                    {
                        calls.push(Box::pin(async move { client.send_list(m).await.map(drop) }));
                    } else {
                        calls.push(Box::pin(async move { client.send(m).await.map(drop) }));
                    }
                }
                for r in futures_util::future::join_all(calls).await {
                    if let Err(e) = r
                        && !(e.is_rejected() || logged_off && e.is_closed())
                    {
                        return Err(anyhow!("action failed: {e}"));
                    }
                }
            }
            drop(client);
            Ok(())
        };
    let drain = async {
        let mut n = Normalizer::new();
        loop {
            // The stream ends once the session is over; each event must come
            // within the replay's step timeout.
            let ev = tokio::time::timeout(crate::replay::STEP_TIMEOUT, stream.recv())
                .await
                .map_err(|_| anyhow!("no event and no end of the session for 10 s"))?;
            match ev {
                None => break,
                Some(ClientEvent::Event(m)) => n.push(&m, Timestamp::EPOCH, &mut out),
                Some(ClientEvent::Link(LinkEvent::Closed { reason })) => {
                    out.push(link(EventKind::Closed { reason }))
                }
                Some(ClientEvent::Link(LinkEvent::Reconnected { gap })) => {
                    out.push(link(EventKind::Reconnected { gap }))
                }
                Some(ClientEvent::Link(LinkEvent::Lagged { missed })) => {
                    out.push(link(EventKind::Lagged { missed }))
                }
                Some(_) => {}
            }
        }
        Ok::<_, anyhow::Error>(())
    };
    futures_util::future::try_join(actions, drain).await?;
    Ok(out)
}

/// The header names whose values differ from one Asterisk run to the next,
/// volatile in every AMI fixture (a fixture's `volatile:` adds to them).
///
/// Any value: `ActionID` (the application's), every `*Uniqueid` and
/// `*Linkedid` (`DestUniqueid`, `LocalOneLinkedid`, `BridgeUniqueid`,
/// `ToBridgeUniqueid` …, and the CEL and Cdr spellings `UniqueID`,
/// `LinkedID`), `BridgeID`, clocks and durations (`Timestamp`,
/// `EventTime`, `EventTV`, `SessionTV`, `StartTime`, `AnswerTime`,
/// `EndTime`, `Duration`, `DurationMs`, `BillableSeconds`, `Seconds`,
/// `Uptime`, `LastReload`, `Core{Startup,Reload}{Time,Date}`, queue
/// statistics `Wait`, `HoldTime`, `TalkTime`, `RingTime`,
/// `LongestHoldTime`, `LoginTime`, `LastCall`, `LastPause`), the session's
/// `SessionID`, `LocalAddress`, `RemoteAddress`, the MD5 `Challenge` and
/// `Key`, and CEL's `Extra` (it carries bridge ids).
///
/// Channel names (same name, another `-XXXXXXXX` sequence suffix; the
/// `;1`/`;2` half must agree): every `*Channel` header (`Channel`,
/// `DestChannel`, `LocalOneChannel`, `TransfererChannel`,
/// `DestinationChannel` …), CEL's `Peer` and a `VarSet`'s `Value`
/// (`BRIDGEPEER`, `DIALEDPEERNAME` hold channel names).
pub fn volatile_defaults() -> Volatile {
    let mut v = Volatile::any(&[
        "ActionID",
        "*Uniqueid",
        "*Linkedid",
        "BridgeID",
        "Timestamp",
        "EventTime",
        "EventTV",
        "SessionTV",
        "StartTime",
        "AnswerTime",
        "EndTime",
        "Duration",
        "DurationMs",
        "BillableSeconds",
        "Seconds",
        "Uptime",
        "LastReload",
        "CoreStartupTime",
        "CoreStartupDate",
        "CoreReloadTime",
        "CoreReloadDate",
        "Wait",
        "HoldTime",
        "TalkTime",
        "RingTime",
        "LongestHoldTime",
        "LoginTime",
        "LastCall",
        "LastPause",
        "SessionID",
        "LocalAddress",
        "RemoteAddress",
        "Challenge",
        "Key",
        "Extra",
    ]);
    v.add(&["*Channel", "Peer", "Value"], VolatileKind::ChannelSuffix);
    v
}

/// A simulator state file (`# sim-state:`): what the recorded PBX held.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SimState {
    /// Challenges the PBX hands out first (its random draws at recording
    /// time, so that recorded MD5 keys answer them).
    #[serde(default)]
    challenges: Vec<String>,
    /// The PBX's wall clock when the simulator starts (Unix seconds).
    clock_at_start: Option<f64>,
    /// How long the PBX had been up then (seconds).
    up_before_start: Option<f64>,
    /// `core show version` after `built by `.
    build: Option<String>,
    /// The AMI version (banner, `CoreSettings`).
    ami_version: Option<String>,
    /// File descriptor of the first manager session.
    first_session_fd: Option<u32>,
    /// An `extensions.conf` to load (path relative to the state file).
    extensions_conf: Option<String>,
    /// CLI outputs by command, for what the simulator does not compute.
    #[serde(default)]
    cli: BTreeMap<String, Vec<String>>,
    /// Channels up at start, in list order.
    #[serde(default)]
    channels: Vec<sim::SeedChannel>,
    /// Bridges at start, in list order.
    #[serde(default)]
    bridges: Vec<sim::SeedBridge>,
    /// PJSIP objects.
    #[serde(default)]
    pjsip: StatePjsip,
    /// Queues with their statistics.
    #[serde(default)]
    queues: Vec<sim::Queue>,
    /// Device states, in `DeviceStateList` order: `[device, state]`.
    #[serde(default)]
    device_states: Vec<(String, String)>,
    /// `ListCommands`: `[name, synopsis, privilege]`.
    commands: Option<Vec<(String, String, String)>>,
    /// The PBX sends `SuccessfulAuth` after login (default: not, as in
    /// the first lab recordings).
    successful_auth: Option<bool>,
    /// `NewCallerid`/`NewConnectedLine` events.
    caller_id_events: Option<bool>,
    /// `Cdr` events (`cdr_manager.conf` enabled).
    cdr_events: Option<bool>,
    /// `CEL` events (`cel.conf` enabled, its events listed).
    cel_events: Option<bool>,
}

/// The PJSIP objects of a state file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatePjsip {
    #[serde(default)]
    endpoints: Vec<sim::PjsipEndpoint>,
    #[serde(default)]
    aors: Vec<sim::PjsipAor>,
    #[serde(default)]
    auths: Vec<sim::PjsipObject>,
    #[serde(default)]
    contacts: Vec<sim::PjsipObject>,
}

impl SimState {
    /// Reads a state file: leading `#` lines (the first `# source: …`),
    /// then JSON.
    fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        if !text.starts_with("# source:") {
            return Err(anyhow!(
                "{}: a state file starts with `# source: …`",
                path.display()
            ));
        }
        let json: String = text
            .lines()
            .skip_while(|l| l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        serde_json::from_str(&json).with_context(|| format!("parsing {}", path.display()))
    }

    /// Applies the state to a simulator configuration; `dir` is where the
    /// state file lives.
    fn apply(self, mut config: SimConfig, dir: &Path) -> Result<SimConfig> {
        if !self.challenges.is_empty() {
            config = config.challenges(self.challenges);
        }
        if let Some(t) = self.clock_at_start {
            config = config.clock_at_start(Duration::try_from_secs_f64(t)?);
        }
        if let Some(t) = self.up_before_start {
            config = config.up_before_start(Duration::try_from_secs_f64(t)?);
        }
        if let Some(b) = self.build {
            config = config.build_info(b);
        }
        if let Some(v) = self.ami_version {
            config = config.ami_version(v);
        }
        if let Some(fd) = self.first_session_fd {
            config = config.first_session_fd(fd);
        }
        if let Some(file) = self.extensions_conf {
            let path = dir.join(&file);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let name = Path::new(&file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(file);
            config = config.extensions_conf(&name, &text);
        }
        for (cmd, lines) in self.cli {
            config = config.cli_output(&cmd, lines);
        }
        for c in self.channels {
            config = config.seed_channel(c);
        }
        for b in self.bridges {
            config = config.seed_bridge(b);
        }
        for e in self.pjsip.endpoints {
            config = config.pjsip_endpoint(e);
        }
        for a in self.pjsip.aors {
            config = config.pjsip_aor(a);
        }
        for a in self.pjsip.auths {
            config = config.pjsip_auth(a);
        }
        for c in self.pjsip.contacts {
            config = config.pjsip_contact(c);
        }
        for q in self.queues {
            config = config.queue(q);
        }
        for (device, state) in self.device_states {
            config = config.device_state(device, state);
        }
        if let Some(yes) = self.successful_auth {
            config = config.successful_auth_event(yes);
        }
        if let Some(yes) = self.caller_id_events {
            config = config.caller_id_events(yes);
        }
        if let Some(yes) = self.cdr_events {
            config = config.cdr_events(yes);
        }
        if let Some(yes) = self.cel_events {
            config = config.cel_events(yes);
        }
        if let Some(commands) = self.commands {
            config = config.manager_commands(
                commands
                    .into_iter()
                    .map(|(name, synopsis, privilege)| sim::ManagerCommand {
                        name,
                        synopsis,
                        privilege,
                    })
                    .collect(),
            );
        }
        Ok(config)
    }
}

/// The scenario a `# sim-scenario:` line names.
fn scenario(spec: &str) -> Result<Scenario> {
    let words: Vec<&str> = spec.split_whitespace().collect();
    match words.as_slice() {
        ["blind-transfer", a, b, c] => Ok(Scenario::blind_transfer(*a, *b, *c)),
        ["queue-call", caller, queue, agent] => Ok(Scenario::queue_call(*caller, *queue, *agent)),
        ["basic-call", a, b] => Ok(Scenario::basic_call(*a, *b)),
        _ => Err(anyhow!("unknown sim-scenario {spec:?}")),
    }
}

impl Vendor for Ami {
    fn name(&self) -> &'static str {
        "ami"
    }

    fn run_client<'a>(
        &'a self,
        fixture: &'a Fixture,
        server: SocketAddr,
    ) -> BoxFuture<'a, Result<Vec<Event>>> {
        Box::pin(run_client(fixture, server))
    }

    fn start_simulator<'a>(&'a self, fixture: &'a Fixture) -> BoxFuture<'a, Result<RunningSim>> {
        Box::pin(async move {
            // The default account is the lab's (admin / amp111), so recorded
            // MD5 keys match the simulator's deterministic challenges. A
            // recorded plain login brings its own (redacted) secret.
            let mut config = SimConfig::default().successful_auth_event(false);
            let (groups, _) = split(fixture)?;
            let plain = groups
                .iter()
                .flatten()
                .find(|m| is_action(m, "Login") && m.get("Secret").is_some());
            if let Some(login) = plain {
                let user = login.get("Username").unwrap_or_default();
                let secret = fixture
                    .meta
                    .raw
                    .get("sim-secret")
                    .map_or("******", String::as_str);
                config = config
                    .account(user, sim::Account::new(secret))
                    .auth_failure_delay(Duration::ZERO);
            }
            if let Some(file) = fixture.meta.raw.get("sim-state") {
                let dir = fixture.path.parent().unwrap_or(Path::new("."));
                config = SimState::load(&dir.join(file))?.apply(config, dir)?;
            }
            let pbx = sim::start(config).await?;
            if let Some(spec) = fixture.meta.raw.get("sim-scenario") {
                // Started from the test side once the replayed session has
                // logged in, as the recording did.
                let run = pbx.run_scenario(scenario(spec)?);
                let logged_in = pbx.logged_in();
                tokio::spawn(async move {
                    if logged_in.await {
                        let _ = run.await;
                    }
                });
            }
            Ok(RunningSim {
                addr: pbx.addr(),
                guard: Box::new(pbx),
            })
        })
    }

    fn volatile_defaults(&self) -> Volatile {
        volatile_defaults()
    }

    fn normalize(&self, fixture: &Fixture, received: &Received) -> Result<Vec<Event>> {
        let Received::Bytes(b) = received else {
            return Err(anyhow!("AMI is a byte stream"));
        };
        // Link events as the client reports them: `connected` once the login
        // succeeds, `closed` (with the refusal) when it fails or the server
        // closes after logoff.
        let (groups, _) = split(fixture)?;
        let login_id = groups
            .iter()
            .flatten()
            .find(|m| is_action(m, "Login"))
            .and_then(|m| m.action_id().map(str::to_owned));
        let mut n = Normalizer::new();
        let mut out = Vec::new();
        let mut logged_in = false;
        let received = messages(b, false);
        // Items of event lists belong to the action, not to the event
        // stream (the client hands them to `send_list`).
        let list_ids: Vec<&str> = received
            .iter()
            .filter(|m| m.is_list_start())
            .filter_map(Message::action_id)
            .collect();
        for m in &received {
            if m.action_id().is_some_and(|id| list_ids.contains(&id)) {
                continue;
            }
            // The login's answer: the response with its ActionID, or, for a
            // Login sent without one, the first response without one.
            let login_answer = match login_id.as_deref() {
                Some(id) => m.action_id() == Some(id),
                None => m.action_id().is_none() && m.get("Response").is_some(),
            };
            if !logged_in && login_answer {
                if m.name().is_some_and(|r| r.eq_ignore_ascii_case("Success")) {
                    logged_in = true;
                    out.push(link(EventKind::Connected));
                    continue;
                }
                let why = m.get("Message").unwrap_or("login failed");
                out.push(link(EventKind::Closed {
                    reason: Some(format!("<server> refused the login: {why}")),
                }));
                return Ok(out);
            }
            n.push(m, Timestamp::EPOCH, &mut out);
        }
        let closes =
            matches!(&fixture.body, Body::Bytes(c) if c.last() == Some(&Chunk::ServerClosed));
        if closes && logged_in {
            out.push(link(EventKind::Closed { reason: None }));
        }
        Ok(out)
    }
}
