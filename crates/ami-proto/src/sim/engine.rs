//! The dialplan engine: `Originate` of a `Local/EXTEN@CONTEXT` channel runs
//! the loaded `extensions.conf` as Asterisk does, with Local channels as
//! `;1`/`;2` pairs.
//!
//! Every channel that runs dialplan is a task (Asterisk's PBX thread): it
//! walks the priorities of its extension, sending `Newexten` for each, and
//! runs the applications the simulator knows (`NoOp`, `Answer`, `Set`,
//! `UserEvent`, `Wait`, `Hangup`, `Busy`, `Congestion`, `Ringing`,
//! `Goto`, `Dial` of `Local/…`; `Dial` of any other technology fails with
//! `CHANUNAVAIL`; other applications only send their `Newexten`). A
//! Local pair connects its halves: what the `;2` half does (answer, ring,
//! busy, congestion, hang up) reaches whoever dialled the `;1` half (the
//! `Originate`, or a `Dial` in another channel), and a hang-up on one half
//! is a `HangupRequest` on the other. When a channel ends, its context's
//! `h` extension runs, then `Hangup`, and (as settings) `Cdr` and `CEL`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::MessageBuilder;

use super::dialplan::Priority;
use super::model::{self, CALL, ChanState, DIALPLAN, Model, event};
use super::server::Shared;

/// How long `Answer()` on a ringing channel waits for media.
const ANSWER_WAIT: Duration = Duration::from_millis(500);

/// The time one dialplan priority takes.
const STEP_TIME: Duration = Duration::from_millis(1);

/// What the `;2` half of a Local pair tells whoever handles its `;1` half.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ind {
    Ringing,
    Answer,
    Busy,
    Congestion,
    /// The `;2` half hung up, with this cause.
    Hangup(u32),
}

/// A Local channel pair.
#[derive(Debug)]
struct Pair {
    one: String,
    two: String,
    /// `EXTEN@CONTEXT`.
    dial_string: String,
    /// Indications from `;2` to the `;1` side's handler.
    ind: mpsc::Sender<Ind>,
    /// The `;1` half runs dialplan of its own (an answered `Originate`):
    /// the `;2` half's end is a `HangupRequest` on it.
    one_runs: std::sync::atomic::AtomicBool,
}

/// What an `Originate` asked for.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub(crate) action_id: Option<String>,
    /// `Local/200@test` as written.
    pub(crate) channel: String,
    /// The dialled extension and context (`200`, `test`).
    pub(crate) exten: String,
    pub(crate) context: String,
    /// Where the `;1` half goes once answered (`Context`, `Exten`,
    /// `Priority` of the action).
    pub(crate) then_context: String,
    pub(crate) then_exten: String,
    pub(crate) then_priority: u32,
    /// Caller id (number, name), `<unknown>` when not given.
    pub(crate) cid: (String, String),
    /// `Variable:` headers, in order.
    pub(crate) vars: Vec<(String, String)>,
    /// `Timeout` (ms).
    pub(crate) timeout: Duration,
}

/// How an `Originate` ended: answered, or the `OriginateResponse` reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The `;1` half answered: its name and uniqueid.
    Answered(String, String),
    /// It failed: `Reason` 5 busy, 8 congestion, 0 otherwise.
    Failed(u8),
}

/// The Q.850 text of a hangup cause.
pub(crate) fn cause_text(cause: u32) -> &'static str {
    match cause {
        0 => "Unknown",
        1 => "Unallocated (unassigned) number",
        3 => "No route to destination",
        16 => "Normal Clearing",
        17 => "User busy",
        18 => "No user responding",
        19 => "User alerting, no answer",
        21 => "Call Rejected",
        34 => "Circuit/channel congestion",
        _ => "Unknown",
    }
}

/// True when the dialplan has `exten@context`.
pub(crate) fn has_extension(shared: &Shared, context: &str, exten: &str) -> bool {
    priorities(shared, context, exten).is_some()
}

fn priorities<'a>(shared: &'a Shared, context: &str, exten: &str) -> Option<&'a [Priority]> {
    shared
        .config
        .pbx
        .dialplan
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(context))?
        .extensions
        .iter()
        .find(|e| e.name == exten)
        .map(|e| e.priorities.as_slice())
        .filter(|p| p.iter().any(|p| !p.is_hint()))
}

fn priority<'a>(shared: &'a Shared, context: &str, exten: &str, n: u32) -> Option<&'a Priority> {
    let n = i32::try_from(n).ok()?;
    priorities(shared, context, exten)?
        .iter()
        .find(|p| p.number == n)
}

/// Sends events under the model lock, in order.
fn publish(shared: &Shared, m: &Model, events: Vec<MessageBuilder>) {
    let _ = m;
    for b in events {
        match b.build() {
            Ok(msg) => shared.publish(msg),
            Err(e) => tracing::error!(error = %e, "sim: event not built"),
        }
    }
}

/// Applies `f` to the model and sends the events it returns.
fn apply<T>(shared: &Shared, f: impl FnOnce(&mut Model) -> (T, Vec<MessageBuilder>)) -> T {
    let mut m = shared.model();
    let (value, events) = f(&mut m);
    publish(shared, &m, events);
    value
}

fn emit_with<T>(shared: &Shared, f: impl FnOnce(&mut Model) -> (T, Vec<MessageBuilder>)) -> T {
    apply(shared, f)
}

fn emit(shared: &Shared, f: impl FnOnce(&mut Model) -> Vec<MessageBuilder>) {
    apply(shared, |m| ((), f(m)));
}

// ---- event builders ------------------------------------------------------

fn newexten(m: &Model, uid: &str) -> MessageBuilder {
    let (exten, app, data) = m
        .chan(uid)
        .map(|c| (c.exten.clone(), c.app.clone(), c.app_data.clone()))
        .unwrap_or_default();
    m.chan_event("Newexten", DIALPLAN, uid)
        .header("Extension", &exten)
        .header("Application", &app)
        .header("AppData", &data)
}

fn varset(m: &mut Model, uid: &str, name: &str, value: &str) -> MessageBuilder {
    if let Some(c) = m.chan_mut(uid) {
        c.set_var(name, value);
    }
    m.chan_event("VarSet", DIALPLAN, uid)
        .header("Variable", name)
        .header("Value", value)
}

fn newstate(m: &mut Model, uid: &str, st: ChanState) -> MessageBuilder {
    if let Some(c) = m.chan_mut(uid) {
        c.state = st;
    }
    m.chan_event("Newstate", CALL, uid)
}

/// `CEL` for a channel (when the setting is on).
fn cel(shared: &Shared, m: &Model, uid: &str, name: &str, extra: &str) -> Vec<MessageBuilder> {
    if !shared.config.cel_events {
        return Vec::new();
    }
    let Some(c) = m.chan(uid) else {
        return Vec::new();
    };
    let blank = |v: &str| {
        if v == "<unknown>" {
            String::new()
        } else {
            v.to_owned()
        }
    };
    let now = m.now();
    let peer = c
        .bridge
        .as_ref()
        .and_then(|b| m.bridge(b))
        .and_then(|b| b.members.iter().find(|u| **u != c.uniqueid))
        .and_then(|u| m.chan(u))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    vec![
        event("CEL", CALL)
            .header("EventName", name)
            .header("AccountCode", "")
            .header("CallerIDnum", &blank(&c.cid_num))
            .header("CallerIDname", &blank(&c.cid_name))
            .header("CallerIDani", "")
            .header("CallerIDrdnis", "")
            .header("CallerIDdnid", "")
            .header("Exten", &c.exten)
            .header("Context", &c.context)
            .header("Channel", &c.name)
            .header("Application", &c.app)
            .header("AppData", &c.app_data)
            .header(
                "EventTime",
                &format!(
                    "{} {}",
                    super::util::fmt_date(now),
                    super::util::fmt_time(now)
                ),
            )
            .header("AMAFlags", "DOCUMENTATION")
            .header("UniqueID", &c.uniqueid)
            .header("LinkedID", &c.linkedid)
            .header("Userfield", "")
            .header("Peer", &peer)
            .header("PeerAccount", "")
            .header("Extra", extra),
    ]
}

/// Sets a channel's caller id; `NewCallerid` when the setting is on.
fn set_callerid(
    shared: &Shared,
    m: &mut Model,
    uid: &str,
    num: &str,
    name: &str,
) -> Vec<MessageBuilder> {
    if let Some(c) = m.chan_mut(uid) {
        num.clone_into(&mut c.cid_num);
        name.clone_into(&mut c.cid_name);
    }
    if !shared.config.caller_id_events {
        return Vec::new();
    }
    vec![
        m.chan_event("NewCallerid", CALL, uid)
            .header("CID-CallingPres", "0 (Presentation Allowed, Not Screened)"),
    ]
}

/// Sets a channel's connected line; `NewConnectedLine` when the setting is
/// on.
fn set_connected(
    shared: &Shared,
    m: &mut Model,
    uid: &str,
    num: &str,
    name: &str,
) -> Vec<MessageBuilder> {
    if let Some(c) = m.chan_mut(uid) {
        num.clone_into(&mut c.cl_num);
        name.clone_into(&mut c.cl_name);
    }
    if !shared.config.caller_id_events {
        return Vec::new();
    }
    vec![m.chan_event("NewConnectedLine", CALL, uid)]
}

/// The `LocalBridge` of a pair.
fn local_bridge(m: &Model, p: &Pair, exten: &str, context: &str) -> MessageBuilder {
    let b = m.snapshot(event("LocalBridge", CALL), "LocalOne", &p.one);
    m.snapshot(b, "LocalTwo", &p.two)
        .header("Context", context)
        .header("Exten", exten)
        .header("LocalOptimization", "Yes")
}

/// `DialBegin`/`DialEnd`/`DialState` from `caller` (none for an
/// `Originate`'s own dial) to `dest`.
fn dial_event(m: &Model, name: &str, caller: Option<&str>, dest: &str) -> MessageBuilder {
    let b = event(name, CALL);
    let b = match caller {
        Some(c) => m.snapshot(b, "", c),
        None => b,
    };
    m.snapshot(b, "Dest", dest)
}

/// Per channel, what its CDR needs.
#[derive(Clone, Debug, Default)]
struct CdrInfo {
    start: Duration,
    answer: Option<Duration>,
    /// The channel it dialled (`DestinationChannel`).
    dest_channel: String,
    /// The last application and its data before the `h` extension.
    last: (String, String),
    /// The extension before the `h` extension.
    exten: String,
    /// `B` side of another channel's CDR (a dialled `;1` half): no own CDR.
    b_side: bool,
}

// ---- the engine ----------------------------------------------------------

/// One channel running dialplan, or waiting in a `Dial`.
struct Thread {
    shared: Arc<Shared>,
    uid: String,
    /// The pair this channel is the `;2` half of, with the side its
    /// indications go to.
    pair: Option<Arc<Pair>>,
    /// The pair whose `;1` half this channel is (a thread only for an
    /// answered `Originate`'s `;1`).
    one_of: Option<Arc<Pair>>,
    cdr: CdrInfo,
    /// `HANGUPCAUSE` (16 unless an application set another).
    cause: u32,
    /// An application set `cause` (a hang-up request then keeps it).
    cause_set: bool,
    /// The application the channel was created with (`AppDial2` for an
    /// originated `;1` half).
    base_app: (String, String),
}

/// Why a wait ended.
enum Woke {
    Timeout,
    Hangup(u32),
    Ind(Ind),
}

impl Thread {
    fn new(shared: Arc<Shared>, uid: String) -> Self {
        let start = shared.model().now();
        Self {
            shared,
            uid,
            pair: None,
            one_of: None,
            cdr: CdrInfo {
                start,
                ..CdrInfo::default()
            },
            cause: 16,
            cause_set: false,
            base_app: (String::new(), String::new()),
        }
    }

    fn requested(&self) -> Option<u32> {
        if self.shared.is_shutdown() {
            return Some(16);
        }
        self.shared
            .model()
            .chan(&self.uid)
            .map_or(Some(16), |c| c.hangup_requested)
    }

    /// Waits for `d` (`None`: no limit), a hangup request on this channel,
    /// or an indication on `ind`.
    async fn wait(&self, d: Option<Duration>, mut ind: Option<&mut mpsc::Receiver<Ind>>) -> Woke {
        let deadline = d.map(|d| tokio::time::Instant::now() + d);
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            // An indication already sent wins over the hang-up request that
            // follows it (a `;2` half that hangs up does both).
            if let Some(rx) = ind.as_mut()
                && let Ok(i) = rx.try_recv()
            {
                return Woke::Ind(i);
            }
            if let Some(cause) = self.requested() {
                return Woke::Hangup(cause);
            }
            let mut shutdown = self.shared.shutdown_rx();
            let sleep = async {
                match deadline {
                    Some(t) => tokio::time::sleep_until(t).await,
                    None => std::future::pending().await,
                }
            };
            let next_ind = async {
                match ind.as_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = sleep => return Woke::Timeout,
                () = &mut notified => {}
                _ = shutdown.changed() => {}
                i = next_ind => match i {
                    Some(i) => return Woke::Ind(i),
                    // The other side is gone: as a hang-up.
                    None => return Woke::Ind(Ind::Hangup(16)),
                },
            }
        }
    }

    /// Marks the channel as answered; `Newstate`, the device state, `CEL
    /// ANSWER`, and for a `;2` half the answer of its pair.
    fn answer(&mut self) {
        let shared = Arc::clone(&self.shared);
        let now = shared.model().now();
        if self.cdr.answer.is_none() {
            self.cdr.answer = Some(now);
        }
        let pair = self.pair.clone();
        emit(&shared, |m| {
            if m.chan(&self.uid).is_some_and(|c| c.state == ChanState::Up) {
                return Vec::new();
            }
            let mut ev = vec![newstate(m, &self.uid, ChanState::Up)];
            ev.extend(cel(&shared, m, &self.uid, "ANSWER", ""));
            if let Some(p) = &pair {
                let device = m.chan(&p.two).map(|c| c.device.clone()).unwrap_or_default();
                if m.set_device(&device, "INUSE") {
                    ev.push(model::device_state(&device, "INUSE"));
                }
            }
            ev
        });
        if let Some(p) = &pair {
            let _ = p.ind.try_send(Ind::Answer);
        }
    }

    /// Runs the dialplan from `context,exten,priority` until the channel
    /// hangs up or the extension ends, then ends the channel.
    async fn run(mut self, context: String, exten: String, mut prio: u32) {
        let mut context = context;
        let mut exten = exten;
        let mut soft = true;
        // Bounded: a dialplan that loops through `Goto` stops after this
        // many steps (Asterisk would loop for ever).
        for _ in 0..10_000 {
            if let Some(cause) = self.requested() {
                let _ = cause;
                break;
            }
            let Some(p) = priority(&self.shared, &context, &exten, prio).cloned() else {
                break;
            };
            let data = self.substitute(&p.data);
            let shared = Arc::clone(&self.shared);
            emit(&shared, |m| {
                if let Some(c) = m.chan_mut(&self.uid) {
                    c.context.clone_from(&context);
                    c.exten.clone_from(&exten);
                    c.priority = prio;
                    c.app.clone_from(&p.app);
                    c.app_data.clone_from(&data);
                }
                vec![newexten(m, &self.uid)]
            });
            self.cdr.last = (p.app.clone(), data.clone());
            self.cdr.exten.clone_from(&exten);
            // A dialplan step takes a little time, so that channels that
            // start the same wait at nearly the same time end it in the
            // order they started it, as on a real PBX.
            tokio::time::sleep(STEP_TIME).await;
            let next = match self.app(&p.app, &data).await {
                Step::Next => prio + 1,
                Step::Goto(c, e, n) => {
                    context = c;
                    exten = e;
                    n
                }
                Step::Hangup { soft: s } => {
                    soft = s;
                    break;
                }
            };
            prio = next;
        }
        self.end(soft).await;
    }

    /// `${CHANNEL}`, `${HANGUPCAUSE}`, channel variables and globals.
    fn substitute(&self, data: &str) -> String {
        let mut out = String::with_capacity(data.len());
        let mut rest = data;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let Some(len) = rest[start + 2..].find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let name = &rest[start + 2..start + 2 + len];
            let m = self.shared.model();
            let value = match name {
                "HANGUPCAUSE" => self.cause.to_string(),
                _ => m
                    .chan(&self.uid)
                    .and_then(|c| c.var(name).map(str::to_owned).or_else(|| c.function(name)))
                    .or_else(|| m.globals.get(name).cloned())
                    .unwrap_or_default(),
            };
            out.push_str(&value);
            rest = &rest[start + 3 + len..];
        }
        out.push_str(rest);
        out
    }

    async fn app(&mut self, app: &str, data: &str) -> Step {
        let shared = Arc::clone(&self.shared);
        match app.to_ascii_lowercase().as_str() {
            "answer" => {
                let was_up = shared
                    .model()
                    .chan(&self.uid)
                    .is_some_and(|c| c.state == ChanState::Up);
                self.answer();
                // Asterisk's Answer() on a ringing channel then waits up to
                // 500 ms for media to flow (none does on a Local channel).
                if !was_up && let Woke::Hangup(_) = self.wait(Some(ANSWER_WAIT), None).await {
                    return Step::Hangup { soft: true };
                }
                Step::Next
            }
            "set" => {
                if let Some((name, value)) = data.split_once('=') {
                    let name = name.trim();
                    emit(&shared, |m| match name.to_ascii_uppercase().as_str() {
                        "CALLERID(NAME)" => {
                            let num = m
                                .chan(&self.uid)
                                .map(|c| c.cid_num.clone())
                                .unwrap_or_default();
                            set_callerid(&shared, m, &self.uid, &num, value)
                        }
                        "CALLERID(NUM)" => {
                            let name = m
                                .chan(&self.uid)
                                .map(|c| c.cid_name.clone())
                                .unwrap_or_default();
                            set_callerid(&shared, m, &self.uid, value, &name)
                        }
                        _ => vec![varset(m, &self.uid, name, value)],
                    });
                }
                Step::Next
            }
            "userevent" => {
                let mut parts = data.split(',');
                let name = parts.next().unwrap_or_default().to_owned();
                emit(&shared, |m| {
                    let mut b = m
                        .chan_event("UserEvent", "user,all", &self.uid)
                        .header("UserEvent", &name);
                    for kv in parts {
                        if let Some((k, v)) = kv.split_once(':') {
                            b = b.header(k.trim(), v.trim_start());
                        }
                    }
                    vec![b]
                });
                Step::Next
            }
            "wait" => {
                let secs: f64 = data.trim().parse().unwrap_or(0.0);
                let d = Duration::try_from_secs_f64(secs.clamp(0.0, 86_400.0)).unwrap_or_default();
                match self.wait(Some(d), None).await {
                    Woke::Hangup(_) => Step::Hangup { soft: true },
                    _ => Step::Next,
                }
            }
            "hangup" => {
                let cause = match data.trim().parse::<u32>() {
                    Ok(c) => {
                        self.cause = c;
                        self.cause_set = true;
                        c
                    }
                    Err(_) => 16,
                };
                emit(&shared, |m| {
                    if let Some(c) = m.chan_mut(&self.uid) {
                        c.hangup_requested = Some(cause);
                    }
                    vec![
                        m.chan_event("SoftHangupRequest", CALL, &self.uid)
                            .header("Cause", &cause.to_string()),
                    ]
                });
                Step::Hangup { soft: false }
            }
            "busy" | "congestion" => {
                let busy = app.eq_ignore_ascii_case("busy");
                self.cause = if busy { 17 } else { 34 };
                self.cause_set = true;
                emit(&shared, |m| vec![newstate(m, &self.uid, ChanState::Busy)]);
                if let Some(p) = &self.pair {
                    let _ = p
                        .ind
                        .try_send(if busy { Ind::Busy } else { Ind::Congestion });
                }
                let secs: u64 = data.trim().parse().unwrap_or(0);
                let d = (secs > 0).then(|| Duration::from_secs(secs));
                self.wait(d, None).await;
                Step::Hangup { soft: true }
            }
            "ringing" => {
                if let Some(p) = &self.pair {
                    ring(&shared, &p.one);
                    let _ = p.ind.try_send(Ind::Ringing);
                }
                Step::Next
            }
            "goto" => {
                let parts: Vec<&str> = data.split(',').map(str::trim).collect();
                let (c, e, n) = {
                    let m = shared.model();
                    let cur = m.chan(&self.uid);
                    let ctx = cur.map(|c| c.context.clone()).unwrap_or_default();
                    let ext = cur.map(|c| c.exten.clone()).unwrap_or_default();
                    match parts.as_slice() {
                        [c, e, n] => ((*c).to_owned(), (*e).to_owned(), n.parse().unwrap_or(1)),
                        [e, n] => (ctx, (*e).to_owned(), n.parse().unwrap_or(1)),
                        [n] => (ctx, ext, n.parse().unwrap_or(1)),
                        _ => (ctx, ext, 1),
                    }
                };
                Step::Goto(c, e, n)
            }
            "dial" => self.dial(data).await,
            // Applications the simulator does not model: their `Newexten`
            // only.
            _ => Step::Next,
        }
    }

    /// `Dial(Local/EXTEN@CONTEXT[,timeout[,options]])`.
    async fn dial(&mut self, data: &str) -> Step {
        let shared = Arc::clone(&self.shared);
        let mut args = data.split(',');
        let target = args.next().unwrap_or_default().trim().to_owned();
        let timeout = args
            .next()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .filter(|t| *t > 0)
            .map(Duration::from_secs);
        emit(&shared, |m| {
            [
                "DIALSTATUS",
                "DIALEDPEERNUMBER",
                "DIALEDPEERNAME",
                "ANSWEREDTIME",
                "ANSWEREDTIME_MS",
                "DIALEDTIME",
                "DIALEDTIME_MS",
                "RINGTIME",
                "RINGTIME_MS",
                "PROGRESSTIME",
                "PROGRESSTIME_MS",
            ]
            .iter()
            .map(|v| varset(m, &self.uid, v, ""))
            .collect()
        });
        let local = target
            .strip_prefix("Local/")
            .or_else(|| target.strip_prefix("local/"))
            .and_then(|r| r.split_once('@'))
            .map(|(e, c)| (e.to_owned(), c.split('/').next().unwrap_or(c).to_owned()))
            .filter(|(e, c)| has_extension(&shared, c, e));
        let Some((exten, context)) = local else {
            // Only Local channels are modelled: any other technology (or an
            // extension the dialplan lacks) cannot be reached.
            self.cause = 3;
            self.cause_set = true;
            emit(&shared, |m| {
                vec![varset(m, &self.uid, "DIALSTATUS", "CHANUNAVAIL")]
            });
            return Step::Next;
        };
        let dialed_at = shared.model().now();
        let (pair, mut rx) = self.dial_pair(&exten, &context);
        let one = pair.one.clone();
        let status = loop {
            match self.wait(timeout, Some(&mut rx)).await {
                Woke::Ind(Ind::Ringing) => {
                    // The ringing goes on into this channel's own pair, if
                    // it is a `;2` half.
                    let own = self.pair.clone();
                    if let Some(p) = &own {
                        ring(&shared, &p.one);
                    }
                    let rang = shared.model().now().saturating_sub(dialed_at);
                    emit(&shared, |m| {
                        vec![
                            varset(m, &self.uid, "RINGTIME", &rang.as_secs().to_string()),
                            varset(m, &self.uid, "RINGTIME_MS", &rang.as_millis().to_string()),
                            dial_event(m, "DialState", Some(&self.uid), &one)
                                .header("DialStatus", "RINGING"),
                        ]
                    });
                    if let Some(p) = own {
                        let _ = p.ind.try_send(Ind::Ringing);
                    }
                }
                Woke::Ind(Ind::Answer) => break "ANSWER",
                Woke::Ind(Ind::Busy) => break "BUSY",
                Woke::Ind(Ind::Congestion) => break "CONGESTION",
                Woke::Ind(Ind::Hangup(cause)) => {
                    break match cause {
                        17 => "BUSY",
                        34 => "CONGESTION",
                        3 => "CHANUNAVAIL",
                        _ => "NOANSWER",
                    };
                }
                Woke::Timeout => break "NOANSWER",
                Woke::Hangup(_) => break "CANCEL",
            }
        };
        self.cdr.dest_channel = shared
            .model()
            .chan(&one)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        if status != "ANSWER" {
            match status {
                "BUSY" => self.cause = 17,
                "CONGESTION" => self.cause = 34,
                "CHANUNAVAIL" => self.cause = 3,
                _ => {}
            }
            self.cause_set |= matches!(status, "BUSY" | "CONGESTION" | "CHANUNAVAIL");
            emit(&shared, |m| {
                vec![dial_event(m, "DialEnd", Some(&self.uid), &one).header("DialStatus", status)]
            });
            hang_up_one(&shared, &pair, 0);
            emit(&shared, |m| {
                vec![varset(m, &self.uid, "DIALSTATUS", status)]
            });
            if status == "CANCEL" {
                return Step::Hangup { soft: true };
            }
            return Step::Next;
        }
        // Answered: bridge the two.
        let answered_at = shared.model().now();
        emit(&shared, |m| {
            let name = m.chan(&one).map(|c| c.name.clone()).unwrap_or_default();
            let mut ev = vec![newstate(m, &one, ChanState::Up)];
            ev.extend(cel(&shared, m, &one, "ANSWER", ""));
            ev.extend([
                varset(m, &self.uid, "DIALSTATUS", "ANSWER"),
                varset(m, &self.uid, "DIALEDPEERNAME", &name),
                varset(m, &self.uid, "DIALEDPEERNUMBER", &pair.dial_string),
                dial_event(m, "DialEnd", Some(&self.uid), &one).header("DialStatus", "ANSWER"),
            ]);
            // The answered outgoing half leaves the caller's extension.
            if let Some(c) = m.chan_mut(&one) {
                c.exten.clear();
            }
            ev.push(newexten(m, &one));
            ev
        });
        self.answer();
        let bridge = apply(&shared, |m| {
            let id = m.new_bridge();
            let mut ev = vec![m.bridge_block(event("BridgeCreate", CALL), &id)];
            for uid in [one.as_str(), self.uid.as_str()] {
                m.enter_bridge(&id, uid);
                let b = m.bridge_block(event("BridgeEnter", CALL), &id);
                ev.push(m.snapshot(b, "", uid));
            }
            for uid in [one.as_str(), self.uid.as_str()] {
                ev.extend(cel(&shared, m, uid, "BRIDGE_ENTER", ""));
            }
            let me = m
                .chan(&self.uid)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let peer = m.chan(&one).map(|c| c.name.clone()).unwrap_or_default();
            ev.push(varset(m, &one, "BRIDGEPEER", &me));
            ev.push(varset(m, &self.uid, "BRIDGEPEER", &peer));
            (id, ev)
        });
        // Talk until one side hangs up.
        let (me_hung, cause) = loop {
            match self.wait(None, Some(&mut rx)).await {
                Woke::Hangup(c) => break (true, c),
                Woke::Ind(Ind::Hangup(c)) => break (false, c),
                Woke::Ind(_) | Woke::Timeout => {}
            }
        };
        let talked = shared.model().now().saturating_sub(answered_at);
        let dialed = shared.model().now().saturating_sub(dialed_at);
        emit(&shared, |m| {
            let mut ev = Vec::new();
            for uid in [self.uid.as_str(), one.as_str()] {
                ev.push(varset(m, uid, "BRIDGEPEER", ""));
            }
            for uid in [self.uid.as_str(), one.as_str()] {
                ev.extend(cel(&shared, m, uid, "BRIDGE_EXIT", ""));
                m.leave_bridge(&bridge, uid);
                let b = m.bridge_block(event("BridgeLeave", CALL), &bridge);
                ev.push(m.snapshot(b, "", uid));
            }
            ev.push(m.bridge_block(event("BridgeDestroy", CALL), &bridge));
            m.remove_bridge(&bridge);
            let ms = |d: Duration| d.as_millis().to_string();
            ev.push(varset(
                m,
                &self.uid,
                "ANSWEREDTIME",
                &talked.as_secs().to_string(),
            ));
            ev.push(varset(m, &self.uid, "ANSWEREDTIME_MS", &ms(talked)));
            ev.push(varset(
                m,
                &self.uid,
                "DIALEDTIME",
                &dialed.as_secs().to_string(),
            ));
            ev.push(varset(m, &self.uid, "DIALEDTIME_MS", &ms(dialed)));
            ev.push(varset(m, &self.uid, "DIALSTATUS", "ANSWER"));
            ev
        });
        hang_up_one(&shared, &pair, cause);
        if me_hung {
            Step::Hangup { soft: true }
        } else {
            Step::Next
        }
    }

    /// Creates the Local pair a `Dial` in this channel calls, and starts
    /// its `;2` half.
    fn dial_pair(&mut self, exten: &str, context: &str) -> (Arc<Pair>, mpsc::Receiver<Ind>) {
        let shared = Arc::clone(&self.shared);
        let (tx, rx) = mpsc::channel(8);
        let dial_string = format!("{exten}@{context}");
        let pair = apply(&shared, |m| {
            let me = m.chan(&self.uid).cloned();
            let linkedid = me.as_ref().map(|c| c.linkedid.clone());
            let (one, two) = m.new_local_pair(exten, context, linkedid.as_deref());
            m.processed_calls += 1;
            let pair = Arc::new(Pair {
                one: one.clone(),
                two: two.clone(),
                dial_string: dial_string.clone(),
                ind: tx,
                one_runs: std::sync::atomic::AtomicBool::new(false),
            });
            let mut ev = Vec::new();
            for uid in [&one, &two] {
                ev.extend(cel(&shared, m, uid, "CHAN_START", ""));
                ev.push(m.chan_event("Newchannel", CALL, uid));
            }
            let (cid_num, cid_name, cl_name, my_exten, my_context) = me
                .map(|c| (c.cid_num, c.cid_name, c.cl_name, c.exten, c.context))
                .unwrap_or_default();
            ev.push(varset(m, &one, "DIALEDPEERNUMBER", &dial_string));
            // Caller id and connected line are both set before the events
            // that report them (as Asterisk's dial does).
            if let Some(c) = m.chan_mut(&one) {
                c.context.clone_from(&my_context);
                c.exten.clone_from(&my_exten);
                "AppDial".clone_into(&mut c.app);
                "(Outgoing Line)".clone_into(&mut c.app_data);
                c.cid_num.clone_from(&my_exten);
                c.cid_name.clone_from(&cl_name);
                c.cl_num.clone_from(&cid_num);
                c.cl_name.clone_from(&cid_name);
            }
            ev.push(newexten(m, &one));
            ev.extend(set_callerid(&shared, m, &one, &my_exten, &cl_name));
            ev.extend(set_connected(&shared, m, &one, &cid_num, &cid_name));
            ev.push(varset(m, &two, "DIALEDPEERNUMBER", &dial_string));
            if let Some(c) = m.chan_mut(&two) {
                c.cl_num.clone_from(&my_exten);
                c.cl_name.clone_from(&cl_name);
            }
            ev.extend(set_callerid(&shared, m, &two, &cid_num, &cid_name));
            ev.extend(set_connected(&shared, m, &two, &my_exten, &cl_name));
            ev.push(local_bridge(m, &pair, exten, context));
            ev.push(
                dial_event(m, "DialBegin", Some(&self.uid), &one)
                    .header("DialString", &dial_string),
            );
            (pair, ev)
        });
        let mut two = Self::new(Arc::clone(&shared), pair.two.clone());
        two.pair = Some(Arc::clone(&pair));
        let (c, e) = (context.to_owned(), exten.to_owned());
        tokio::spawn(two.run(c, e, 1));
        (pair, rx)
    }

    /// The channel's end: `SoftHangupRequest` (when interrupted), the
    /// context's `h` extension, `Hangup`, `Cdr`, `CEL`, device state; the
    /// other half of its pair is hung up.
    async fn end(mut self, soft: bool) {
        let shared = Arc::clone(&self.shared);
        let requested = shared
            .model()
            .chan(&self.uid)
            .and_then(|c| c.hangup_requested);
        if !self.cause_set
            && let Some(c) = requested
        {
            self.cause = c;
        }
        if soft && !shared.is_shutdown() {
            emit(&shared, |m| {
                vec![
                    m.chan_event("SoftHangupRequest", CALL, &self.uid)
                        .header("Cause", "16"),
                ]
            });
        }
        let context = shared
            .model()
            .chan(&self.uid)
            .map(|c| c.context.clone())
            .unwrap_or_default();
        if let Some(hs) = priorities(&shared, &context, "h") {
            let hs: Vec<Priority> = hs.iter().filter(|p| !p.is_hint()).cloned().collect();
            for p in hs {
                let data = self.substitute(&p.data);
                let n = u32::try_from(p.number).unwrap_or(1);
                emit(&shared, |m| {
                    if let Some(c) = m.chan_mut(&self.uid) {
                        "h".clone_into(&mut c.exten);
                        c.priority = n;
                        c.app.clone_from(&p.app);
                        c.app_data.clone_from(&data);
                    }
                    vec![newexten(m, &self.uid)]
                });
            }
            emit(&shared, |m| {
                if let Some(c) = m.chan_mut(&self.uid) {
                    c.priority += 1;
                }
                Vec::new()
            });
        }
        // After the `h` extension the channel shows the application it
        // was created with (`AppDial2` for an originated `;1` half, none
        // for a `;2` half), as `CEL` reports it.
        let base = self.base_app.clone();
        emit(&shared, |m| {
            if let Some(c) = m.chan_mut(&self.uid) {
                c.app.clone_from(&base.0);
                c.app_data.clone_from(&base.1);
            }
            Vec::new()
        });
        if let Some(p) = &self.pair {
            // The `;2` half goes: a `;1` half still waiting for an answer
            // learns the outcome (`CHANLOCALSTATUS`), and a `;1` half still
            // there (waiting, or running dialplan of its own) is hung up.
            let cause = self.cause;
            let waiting = emit_with(&shared, |m| {
                let waiting = m.chan(&p.one).is_some_and(|c| c.state != ChanState::Up);
                if !waiting {
                    return (false, Vec::new());
                }
                let status = m
                    .chan(&self.uid)
                    .and_then(|c| c.var("DIALSTATUS"))
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| status_of(cause).to_owned(), str::to_owned);
                (true, vec![varset(m, &p.one, "CHANLOCALSTATUS", &status)])
            });
            if waiting || p.one_runs.load(std::sync::atomic::Ordering::Relaxed) {
                request_hangup(&shared, &p.one, cause);
            }
        }
        finish(&shared, &self.uid, self.cause, &self.cdr);
        if let Some(p) = &self.pair {
            // Whoever handles `;1` learns that `;2` is gone.
            let _ = p.ind.try_send(Ind::Hangup(self.cause));
        }
        if let Some(p) = &self.one_of {
            request_hangup(&shared, &p.two, self.cause);
        }
    }
}

/// How the dialplan goes on after an application.
enum Step {
    Next,
    Goto(String, String, u32),
    /// The channel hangs up (`soft`: it was asked to, not by `Hangup()`).
    Hangup {
        soft: bool,
    },
}

/// The dial status a hang-up cause stands for.
fn status_of(cause: u32) -> &'static str {
    match cause {
        17 => "BUSY",
        34 => "CONGESTION",
        3 => "CHANUNAVAIL",
        _ => "NOANSWER",
    }
}

/// The `;1` half of a pair starts ringing.
fn ring(shared: &Shared, one: &str) {
    emit(shared, |m| {
        if m.chan(one).is_some_and(|c| c.state == ChanState::Down) {
            vec![newstate(m, one, ChanState::Ringing)]
        } else {
            Vec::new()
        }
    });
}

/// `HangupRequest` on a live channel that has not been asked yet.
fn request_hangup(shared: &Shared, uid: &str, cause: u32) {
    emit(shared, |m| match m.chan_mut(uid) {
        Some(c) if c.hangup_requested.is_none() => {
            c.hangup_requested = Some(cause);
            vec![
                m.chan_event("HangupRequest", CALL, uid)
                    .header("Cause", &cause.to_string()),
            ]
        }
        _ => Vec::new(),
    });
    shared.changed.notify_waiters();
}

/// Ends the `;1` half of a dialled pair (it runs no dialplan) and asks its
/// `;2` half to hang up.
fn hang_up_one(shared: &Shared, pair: &Pair, cause: u32) {
    let cdr = CdrInfo {
        b_side: true,
        ..CdrInfo::default()
    };
    request_hangup(shared, &pair.two, cause);
    finish(shared, &pair.one, cause, &cdr);
}

/// `Hangup`, `Cdr`, `CEL` and the device state of a channel that ends; it
/// leaves the model.
fn finish(shared: &Shared, uid: &str, cause: u32, cdr: &CdrInfo) {
    emit(shared, |m| {
        let Some(c) = m.chan(uid).cloned() else {
            return Vec::new();
        };
        let mut ev = vec![
            m.chan_event("Hangup", CALL, uid)
                .header("Cause", &cause.to_string())
                .header("Cause-txt", cause_text(cause)),
        ];
        if shared.config.cdr_events
            && !cdr.b_side
            && (cdr.answer.is_some() || !cdr.dest_channel.is_empty())
        {
            ev.push(cdr_event(m, &c, cdr));
        }
        let extra = format!(
            "{{\"hangupcause\":{cause},\"hangupsource\":\"\",\"dialstatus\":\"{}\"}}",
            c.var("DIALSTATUS").unwrap_or_default()
        );
        ev.extend(cel(shared, m, uid, "HANGUP", &extra));
        ev.extend(cel(shared, m, uid, "CHAN_END", ""));
        m.remove_channel(uid);
        if !m.device_busy(&c.device, "") && m.set_device(&c.device, "NOT_INUSE") {
            ev.push(model::device_state(&c.device, "NOT_INUSE"));
        }
        ev
    });
}

fn cdr_event(m: &Model, c: &model::Channel, cdr: &CdrInfo) -> MessageBuilder {
    let now = m.now();
    let when = |t: Duration| format!("{} {}", super::util::fmt_date(t), super::util::fmt_time(t));
    let unknown = |v: &str| {
        if v == "<unknown>" {
            String::new()
        } else {
            v.to_owned()
        }
    };
    let duration = now.saturating_sub(cdr.start).as_secs();
    let billable = cdr.answer.map_or(0, |a| now.saturating_sub(a).as_secs());
    event("Cdr", "cdr,all")
        .header("AccountCode", "")
        .header("Source", &unknown(&c.cid_num))
        .header("Destination", &cdr.exten)
        .header("DestinationContext", &c.context)
        .header(
            "CallerID",
            &format!("\"{}\" <{}>", unknown(&c.cid_name), unknown(&c.cid_num)),
        )
        .header("Channel", &c.name)
        .header("DestinationChannel", &cdr.dest_channel)
        .header("LastApplication", &cdr.last.0)
        .header("LastData", &cdr.last.1)
        .header("StartTime", &when(cdr.start))
        .header("AnswerTime", &cdr.answer.map(when).unwrap_or_default())
        .header("EndTime", &when(now))
        .header("Duration", &duration.to_string())
        .header("BillableSeconds", &billable.to_string())
        .header(
            "Disposition",
            if cdr.answer.is_some() {
                "ANSWERED"
            } else {
                "NO ANSWER"
            },
        )
        .header("AMAFlags", "DOCUMENTATION")
        .header("UniqueID", &c.uniqueid)
        .header("UserField", "")
}

/// Plays an `Originate` of `Local/EXTEN@CONTEXT`; resolves with its
/// outcome once the `;1` half is answered or the call failed (the
/// channels live on as their dialplan says).
pub(crate) async fn originate(shared: Arc<Shared>, req: Request) -> Outcome {
    let (tx, mut rx) = mpsc::channel(8);
    let dial_string = format!("{}@{}", req.exten, req.context);
    let pair = apply(&shared, |m| {
        let (one, two) = m.new_local_pair(&req.exten, &req.context, None);
        m.processed_calls += 1;
        let pair = Arc::new(Pair {
            one: one.clone(),
            two: two.clone(),
            dial_string: dial_string.clone(),
            ind: tx,
            one_runs: std::sync::atomic::AtomicBool::new(false),
        });
        let mut ev = Vec::new();
        for uid in [&one, &two] {
            ev.extend(cel(&shared, m, uid, "CHAN_START", ""));
            ev.push(m.chan_event("Newchannel", CALL, uid));
        }
        if let Some(c) = m.chan_mut(&one) {
            "AppDial2".clone_into(&mut c.app);
            "(Outgoing Line)".clone_into(&mut c.app_data);
        }
        ev.push(newexten(m, &one));
        let (num, name) = &req.cid;
        for (k, v) in &req.vars {
            ev.push(varset(m, &one, k, v));
        }
        ev.extend(set_callerid(&shared, m, &one, num, name));
        ev.extend(set_connected(&shared, m, &one, num, name));
        for (k, v) in &req.vars {
            ev.push(varset(m, &two, k, v));
        }
        if let Some(c) = m.chan_mut(&two) {
            c.cl_num.clone_from(num);
            c.cl_name.clone_from(name);
        }
        ev.extend(set_callerid(&shared, m, &two, num, name));
        ev.extend(set_connected(&shared, m, &two, num, name));
        ev.push(local_bridge(m, &pair, &req.exten, &req.context));
        ev.push(dial_event(m, "DialBegin", None, &one).header("DialString", &dial_string));
        (pair, ev)
    });
    let mut two = Thread::new(Arc::clone(&shared), pair.two.clone());
    two.pair = Some(Arc::clone(&pair));
    tokio::spawn(two.run(req.context.clone(), req.exten.clone(), 1));
    let mut one = Thread::new(Arc::clone(&shared), pair.one.clone());
    one.one_of = Some(Arc::clone(&pair));
    one.cdr.last = ("AppDial2".to_owned(), "(Outgoing Line)".to_owned());
    one.base_app.clone_from(&one.cdr.last);
    let timeout = (!req.timeout.is_zero()).then_some(req.timeout);
    let failed = loop {
        match one.wait(timeout, Some(&mut rx)).await {
            Woke::Ind(Ind::Ringing) => emit(&shared, |m| {
                vec![dial_event(m, "DialState", None, &pair.one).header("DialStatus", "RINGING")]
            }),
            Woke::Ind(Ind::Answer) => break None,
            Woke::Ind(Ind::Busy) => break Some(("BUSY", 5, 0)),
            Woke::Ind(Ind::Congestion) => break Some(("CONGESTION", 8, 0)),
            Woke::Ind(Ind::Hangup(cause)) => {
                break Some(match cause {
                    17 => ("BUSY", 5, cause),
                    34 => ("CONGESTION", 8, cause),
                    3 => ("CHANUNAVAIL", 0, cause),
                    _ => ("NOANSWER", 0, cause),
                });
            }
            Woke::Timeout => break Some(("NOANSWER", 0, 0)),
            Woke::Hangup(cause) => break Some(("CANCEL", 0, cause)),
        }
    };
    if let Some((status, reason, cause)) = failed {
        emit(&shared, |m| {
            vec![dial_event(m, "DialEnd", None, &pair.one).header("DialStatus", status)]
        });
        request_hangup(&shared, &pair.two, 0);
        let cdr = CdrInfo {
            b_side: true,
            ..CdrInfo::default()
        };
        finish(&shared, &pair.one, cause, &cdr);
        return Outcome::Failed(reason);
    }
    let (name, uid) = apply(&shared, |m| {
        let mut ev = vec![newstate(m, &pair.one, ChanState::Up)];
        ev.push(dial_event(m, "DialEnd", None, &pair.one).header("DialStatus", "ANSWER"));
        ev.extend(cel(&shared, m, &pair.one, "ANSWER", ""));
        let name = m
            .chan(&pair.one)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        ((name, pair.one.clone()), ev)
    });
    one.cdr.answer = Some(shared.model().now());
    pair.one_runs
        .store(true, std::sync::atomic::Ordering::Relaxed);
    tokio::spawn(one.run(req.then_context, req.then_exten, req.then_priority.max(1)));
    Outcome::Answered(name, uid)
}
