//! Scenarios: call flows played on the model, each step one or more
//! Asterisk 22 events sent to every interested session.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::{Message, MessageBuilder};

use super::config::ScenarioOptions;
use super::model::{self, AGENT, CALL, CONTEXT, ChanState, DIALPLAN, Model, event};
use super::server::Shared;

/// A call flow the simulator can play.
///
/// Device numbers are `PJSIP/<number>` phones dialing from context
/// `from-internal`; every channel is named `PJSIP/<number>-<8 hex digits>`
/// and every call's `Linkedid` is the `Uniqueid` of its first channel.
/// The event sequences below are exact (with no pacing configured and no
/// `Hangup` action interfering); `DeviceStateChange` is only sent when a
/// device's state really changes, so concurrent calls on the same device
/// see fewer of them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scenario {
    /// A calls B, B answers, they talk, A hangs up:
    ///
    /// `Newchannel`(A) `DeviceStateChange`(A INUSE) `Newstate`(A Ring)
    /// `Newexten`(A Dial) `Newchannel`(B) `DialBegin` `Newstate`(B Ringing)
    /// `DeviceStateChange`(B RINGING) `Newstate`(B Up) `DialEnd`(ANSWER)
    /// `Newstate`(A Up) `DeviceStateChange`(B INUSE) `BridgeCreate`
    /// `BridgeEnter`(B) `BridgeEnter`(A) `VarSet`(B BRIDGEPEER)
    /// `VarSet`(A BRIDGEPEER) — talk time — `HangupRequest`(A)
    /// `BridgeLeave`(A) `BridgeLeave`(B) `BridgeDestroy`
    /// `SoftHangupRequest`(B) `Hangup`(B, 16 Normal Clearing)
    /// `DeviceStateChange`(B NOT_INUSE) `Hangup`(A, 16)
    /// `DeviceStateChange`(A NOT_INUSE).
    BasicCall {
        /// The calling device (A).
        from: String,
        /// The called device (B).
        to: String,
    },
    /// A calls B, B answers, then A blind-transfers B to C; C answers and
    /// talks with B; then B hangs up:
    ///
    /// the `BasicCall` events up to `VarSet`(A BRIDGEPEER), — talk time —
    /// `BlindTransfer`(transferer A, transferee B, extension C)
    /// `BridgeLeave`(B) `Newexten`(B Dial C) `HangupRequest`(A)
    /// `BridgeLeave`(A) `BridgeDestroy` `Hangup`(A, 16)
    /// `DeviceStateChange`(A NOT_INUSE) `Newchannel`(C) `DialBegin`(B→C)
    /// `Newstate`(C Ringing) `DeviceStateChange`(C RINGING) `Newstate`(C Up)
    /// `DialEnd`(ANSWER) `DeviceStateChange`(C INUSE) `BridgeCreate`
    /// `BridgeEnter`(C) `BridgeEnter`(B) `VarSet`(C BRIDGEPEER)
    /// `VarSet`(B BRIDGEPEER) — talk time — `HangupRequest`(B)
    /// `BridgeLeave`(B) `BridgeLeave`(C) `BridgeDestroy`
    /// `SoftHangupRequest`(C) `Hangup`(C, 16) `DeviceStateChange`(C NOT_INUSE)
    /// `Hangup`(B, 16) `DeviceStateChange`(B NOT_INUSE).
    ///
    /// C's channel keeps the call's `Linkedid` (A's `Uniqueid`).
    BlindTransfer {
        /// The transferer (A), who called B.
        from: String,
        /// The transferee (B).
        to: String,
        /// The transfer target (C).
        target: String,
    },
    /// A caller dials a queue, which rings an agent, who answers; then the
    /// caller hangs up:
    ///
    /// `Newchannel`(caller) `DeviceStateChange`(caller INUSE)
    /// `Newstate`(caller Ring) `Newexten`(caller Queue) `Newstate`(caller Up)
    /// `QueueCallerJoin` `Newchannel`(agent) `AgentCalled` `DialBegin`
    /// `Newstate`(agent Ringing) `DeviceStateChange`(agent RINGING)
    /// `Newstate`(agent Up) `DialEnd`(ANSWER) `QueueCallerLeave`
    /// `AgentConnect` `DeviceStateChange`(agent INUSE) `BridgeCreate`
    /// `BridgeEnter`(agent) `BridgeEnter`(caller) `VarSet`(agent BRIDGEPEER)
    /// `VarSet`(caller BRIDGEPEER) — talk time — `HangupRequest`(caller)
    /// `BridgeLeave`(caller) `BridgeLeave`(agent) `BridgeDestroy`
    /// `AgentComplete`(Reason caller) `SoftHangupRequest`(agent)
    /// `Hangup`(agent, 16) `DeviceStateChange`(agent NOT_INUSE)
    /// `Hangup`(caller, 16) `DeviceStateChange`(caller NOT_INUSE).
    ///
    /// The queue member is `PJSIP/<agent>` (its `MemberName` and
    /// `Interface`).
    QueueCall {
        /// The calling device.
        caller: String,
        /// The queue's name (also the extension the caller dials).
        queue: String,
        /// The agent's device.
        agent: String,
    },
}

impl Scenario {
    /// [`Scenario::BasicCall`] from `from` to `to`.
    pub fn basic_call(from: impl Into<String>, to: impl Into<String>) -> Self {
        Self::BasicCall {
            from: from.into(),
            to: to.into(),
        }
    }

    /// [`Scenario::BlindTransfer`]: `from` calls `to`, then transfers it
    /// to `target`.
    pub fn blind_transfer(
        from: impl Into<String>,
        to: impl Into<String>,
        target: impl Into<String>,
    ) -> Self {
        Self::BlindTransfer {
            from: from.into(),
            to: to.into(),
            target: target.into(),
        }
    }

    /// [`Scenario::QueueCall`]: `caller` calls `queue`, answered by `agent`.
    pub fn queue_call(
        caller: impl Into<String>,
        queue: impl Into<String>,
        agent: impl Into<String>,
    ) -> Self {
        Self::QueueCall {
            caller: caller.into(),
            queue: queue.into(),
            agent: agent.into(),
        }
    }

    fn names(&self) -> Vec<&str> {
        match self {
            Self::BasicCall { from, to } => vec![from, to],
            Self::BlindTransfer { from, to, target } => vec![from, to, target],
            Self::QueueCall {
                caller,
                queue,
                agent,
            } => vec![caller, queue, agent],
        }
    }

    /// Checks that every device or queue name can go into a channel name
    /// and a header.
    pub(crate) fn validate(&self) -> Result<(), ScenarioError> {
        for n in self.names() {
            if !valid_name(n) {
                return Err(ScenarioError::InvalidName(n.to_owned()));
            }
        }
        Ok(())
    }
}

/// True for a device or queue name the model accepts: not empty, no
/// control character, no `/`, `,`, `@` or space.
pub(crate) fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && !n
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | ',' | '@' | ' '))
}

/// Why a scenario could not run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScenarioError {
    /// A device or queue name is empty or holds a character that cannot be
    /// part of a channel name (`/`, `,`, `@`, space, control characters).
    InvalidName(String),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName(n) => write!(f, "invalid device or queue name {n:?}"),
        }
    }
}

impl std::error::Error for ScenarioError {}

/// Why a scenario stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A `Hangup` action hit one of its channels.
    Hangup,
    /// The simulator is shutting down.
    Shutdown,
}

/// The Q.850 text of a hangup cause.
fn cause_text(cause: u32) -> &'static str {
    match cause {
        1 => "Unallocated (unassigned) number",
        16 => "Normal Clearing",
        17 => "User busy",
        18 => "No user responding",
        19 => "User alerting, no answer",
        21 => "Call Rejected",
        34 => "Circuit/channel congestion",
        _ => "Unknown",
    }
}

fn hangup_event(m: &Model, uid: &str, cause: u32) -> MessageBuilder {
    m.chan_event("Hangup", CALL, uid)
        .header("Cause", &cause.to_string())
        .header("Cause-txt", cause_text(cause))
}

/// Sets a channel's state; the `Newstate` event.
fn newstate(m: &mut Model, uid: &str, st: ChanState) -> MessageBuilder {
    if let Some(c) = m.chan_mut(uid) {
        c.state = st;
    }
    m.chan_event("Newstate", CALL, uid)
}

/// Records a device state; the `DeviceStateChange` event if it changed.
fn device_state(m: &mut Model, device: &str, state: &'static str) -> Vec<MessageBuilder> {
    if !m.set_device(device, state) {
        return Vec::new();
    }
    vec![model::device_state(device, state)]
}

/// The device state after a channel left: `NOT_INUSE` unless another
/// channel still uses the device.
fn device_released(m: &mut Model, device: &str) -> Vec<MessageBuilder> {
    if m.device_busy(device, "") {
        Vec::new()
    } else {
        device_state(m, device, "NOT_INUSE")
    }
}

fn device_of(m: &Model, uid: &str) -> String {
    m.chan(uid).map(|c| c.device.clone()).unwrap_or_default()
}

/// Events played between two steps of a release.
type Between<'a> = Box<dyn FnOnce(&mut Model) -> Vec<MessageBuilder> + Send + 'a>;

/// One run of a scenario: the channels it owns, what it emitted.
pub(crate) struct Run {
    shared: Arc<Shared>,
    options: ScenarioOptions,
    owned: Vec<String>,
    bridges: Vec<String>,
    /// Every event emitted, in order.
    pub(crate) emitted: Vec<Message>,
    /// The first channel: (name, uniqueid).
    pub(crate) first: Option<(String, String)>,
    /// The first channel was answered.
    pub(crate) answered: bool,
    on_answer: Option<oneshot::Sender<()>>,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run")
            .field("owned", &self.owned)
            .field("emitted", &self.emitted.len())
            .finish_non_exhaustive()
    }
}

/// Marks an unpaced scenario as playing while it lives.
struct InstantGuard(Arc<Shared>);

impl InstantGuard {
    fn new(shared: Arc<Shared>) -> Self {
        shared.instant_begin();
        Self(shared)
    }
}

impl Drop for InstantGuard {
    fn drop(&mut self) {
        self.0.instant_end();
    }
}

impl Run {
    pub(crate) fn new(shared: Arc<Shared>, options: ScenarioOptions) -> Self {
        Self {
            shared,
            options,
            owned: Vec::new(),
            bridges: Vec::new(),
            emitted: Vec::new(),
            first: None,
            answered: false,
            on_answer: None,
        }
    }

    /// Tells `tx` when the first channel is answered.
    pub(crate) fn notify_answer(mut self, tx: oneshot::Sender<()>) -> Self {
        self.on_answer = Some(tx);
        self
    }

    /// Plays the scenario to its end (or to a `Hangup` action, which tears
    /// the call down, or to shutdown).
    pub(crate) async fn execute(mut self, scenario: &Scenario) -> Self {
        let instant = self.options.step_delay.is_zero() && self.options.talk_time.is_zero();
        let _instant = instant.then(|| InstantGuard::new(Arc::clone(&self.shared)));
        let result = match scenario {
            Scenario::BasicCall { from, to } => self.basic_call(from, to).await,
            Scenario::BlindTransfer { from, to, target } => {
                self.blind_transfer(from, to, target).await
            }
            Scenario::QueueCall {
                caller,
                queue,
                agent,
            } => self.queue_call(caller, queue, agent).await,
        };
        match result {
            Ok(()) => {}
            Err(Stop::Hangup) => self.teardown(),
            Err(Stop::Shutdown) => self.abandon(),
        }
        self
    }

    // ---- plumbing --------------------------------------------------------

    /// Applies `f` to the model and sends the events it returns, under the
    /// model lock (so concurrent scenarios cannot reorder them).
    fn apply<T>(&mut self, f: impl FnOnce(&mut Model) -> (T, Vec<MessageBuilder>)) -> T {
        let shared = Arc::clone(&self.shared);
        let mut m = shared.model();
        let (value, events) = f(&mut m);
        for b in events {
            match b.build() {
                Ok(msg) => {
                    shared.publish(msg.clone());
                    self.emitted.push(msg);
                }
                Err(e) => tracing::error!(error = %e, "sim: event not built"),
            }
        }
        value
    }

    /// One step: apply, then pause.
    async fn step<T>(
        &mut self,
        f: impl FnOnce(&mut Model) -> (T, Vec<MessageBuilder>),
    ) -> Result<T, Stop> {
        let v = self.apply(f);
        self.pause(self.options.step_delay).await?;
        Ok(v)
    }

    /// A step whose events need no return value.
    async fn emit(
        &mut self,
        f: impl FnOnce(&mut Model) -> Vec<MessageBuilder>,
    ) -> Result<(), Stop> {
        self.step(|m| ((), f(m))).await
    }

    fn check(&self) -> Result<(), Stop> {
        if self.shared.is_shutdown() {
            return Err(Stop::Shutdown);
        }
        let m = self.shared.model();
        let hit = self
            .owned
            .iter()
            .any(|u| m.chan(u).is_some_and(|c| c.hangup_requested.is_some()));
        if hit { Err(Stop::Hangup) } else { Ok(()) }
    }

    /// Waits `d` (at least yields), waking early for a `Hangup` action on
    /// one of the run's channels or for shutdown.
    async fn pause(&self, d: Duration) -> Result<(), Stop> {
        let deadline = Instant::now() + d;
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            self.check()?;
            let now = Instant::now();
            if now >= deadline {
                tokio::task::yield_now().await;
                return self.check();
            }
            let mut shutdown = self.shared.shutdown_rx();
            tokio::select! {
                () = tokio::time::sleep(deadline - now) => {}
                () = &mut notified => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    async fn talk(&self) -> Result<(), Stop> {
        self.pause(self.options.talk_time).await
    }

    fn own(&mut self, uid: &str, name: String) {
        if self.first.is_none() {
            self.first = Some((name, uid.to_owned()));
        }
        self.owned.push(uid.to_owned());
    }

    fn mark_up(&mut self, uid: &str) {
        if self.first.as_ref().is_some_and(|(_, u)| u == uid) && !self.answered {
            self.answered = true;
            if let Some(tx) = self.on_answer.take() {
                let _ = tx.send(());
            }
        }
    }

    // ---- building blocks ---------------------------------------------------

    /// A phone goes off hook and dials `exten`, which runs `app(data)`.
    async fn caller_leg(
        &mut self,
        number: &str,
        exten: &str,
        app: &str,
        data: &str,
    ) -> Result<String, Stop> {
        let (uid, name) = self.apply(|m| {
            let uid = m.new_channel(number, exten, None);
            m.processed_calls += 1;
            let name = m.chan(&uid).map(|c| c.name.clone()).unwrap_or_default();
            let ev = m.chan_event("Newchannel", CALL, &uid);
            ((uid, name), vec![ev])
        });
        self.own(&uid, name);
        self.pause(self.options.step_delay).await?;
        self.emit(|m| {
            let dev = device_of(m, &uid);
            device_state(m, &dev, "INUSE")
        })
        .await?;
        self.emit(|m| vec![newstate(m, &uid, ChanState::Ring)])
            .await?;
        self.newexten(&uid, app, data).await?;
        Ok(uid)
    }

    /// The channel runs `app(data)` at its current extension.
    async fn newexten(&mut self, uid: &str, app: &str, data: &str) -> Result<(), Stop> {
        self.emit(|m| {
            let exten = match m.chan_mut(uid) {
                Some(c) => {
                    c.app = app.to_owned();
                    c.app_data = data.to_owned();
                    c.exten.clone()
                }
                None => String::new(),
            };
            vec![
                m.chan_event("Newexten", DIALPLAN, uid)
                    .header("Extension", &exten)
                    .header("Application", app)
                    .header("AppData", data),
            ]
        })
        .await
    }

    /// Creates the outgoing channel to `number` for the call of `caller`.
    async fn outgoing(&mut self, caller: &str, number: &str, app: &str) -> Result<String, Stop> {
        let (uid, name) = self.apply(|m| {
            let (linked, cl_num, cl_name, exten) = m
                .chan(caller)
                .map(|c| {
                    (
                        c.linkedid.clone(),
                        c.cid_num.clone(),
                        c.cid_name.clone(),
                        c.exten.clone(),
                    )
                })
                .unwrap_or_default();
            let uid = m.new_channel(number, &exten, Some(&linked));
            let mut name = String::new();
            if let Some(c) = m.chan_mut(&uid) {
                c.cl_num = cl_num;
                c.cl_name = cl_name;
                c.app = app.to_owned();
                c.app_data = "(Outgoing Line)".to_owned();
                name.clone_from(&c.name);
            }
            let ev = m.chan_event("Newchannel", CALL, &uid);
            ((uid, name), vec![ev])
        });
        self.own(&uid, name);
        self.pause(self.options.step_delay).await?;
        Ok(uid)
    }

    /// The callee rings and answers; the caller is connected.
    async fn ring_and_answer(&mut self, caller: &str, callee: &str) -> Result<(), Stop> {
        self.emit(|m| vec![newstate(m, callee, ChanState::Ringing)])
            .await?;
        self.emit(|m| {
            let dev = device_of(m, callee);
            device_state(m, &dev, "RINGING")
        })
        .await?;
        self.emit(|m| vec![newstate(m, callee, ChanState::Up)])
            .await?;
        self.emit(|m| {
            let callee_id = m
                .chan(callee)
                .map(|c| (c.cid_num.clone(), c.cid_name.clone()));
            if let (Some((num, name)), Some(c)) = (callee_id, m.chan_mut(caller)) {
                c.cl_num = num;
                c.cl_name = name;
            }
            vec![
                m.pair_event("DialEnd", CALL, caller, callee)
                    .header("DialStatus", "ANSWER"),
            ]
        })
        .await
    }

    /// `caller` dials `number` (Dial application): the callee's channel
    /// rings and answers. Returns the callee's uniqueid.
    async fn dial(&mut self, caller: &str, number: &str) -> Result<String, Stop> {
        let callee = self.outgoing(caller, number, "AppDial").await?;
        self.emit(|m| {
            vec![
                m.pair_event("DialBegin", CALL, caller, &callee)
                    .header("DialString", number),
            ]
        })
        .await?;
        self.ring_and_answer(caller, &callee).await?;
        self.caller_up(caller).await?;
        self.emit(|m| {
            let dev = device_of(m, &callee);
            device_state(m, &dev, "INUSE")
        })
        .await?;
        Ok(callee)
    }

    /// The caller's channel is answered, if it is not yet.
    async fn caller_up(&mut self, caller: &str) -> Result<(), Stop> {
        let up = self.apply(|m| {
            (
                m.chan(caller).is_some_and(|c| c.state == ChanState::Up),
                Vec::new(),
            )
        });
        if !up {
            self.emit(|m| vec![newstate(m, caller, ChanState::Up)])
                .await?;
        }
        self.mark_up(caller);
        Ok(())
    }

    /// Bridges two answered channels (the callee enters first, as with
    /// `Dial`). Returns the bridge id.
    async fn bridge(&mut self, callee: &str, caller: &str) -> Result<String, Stop> {
        let id = self.apply(|m| {
            let id = m.new_bridge();
            let ev = m.bridge_block(event("BridgeCreate", CALL), &id);
            (id, vec![ev])
        });
        self.bridges.push(id.clone());
        self.pause(self.options.step_delay).await?;
        for uid in [callee, caller] {
            self.emit(|m| {
                m.enter_bridge(&id, uid);
                let b = m.bridge_block(event("BridgeEnter", CALL), &id);
                vec![m.snapshot(b, "", uid)]
            })
            .await?;
        }
        for (uid, peer) in [(callee, caller), (caller, callee)] {
            self.emit(|m| {
                let peer_name = m.chan(peer).map(|c| c.name.clone()).unwrap_or_default();
                if let Some(c) = m.chan_mut(uid) {
                    c.set_var("BRIDGEPEER", &peer_name);
                }
                vec![
                    m.chan_event("VarSet", DIALPLAN, uid)
                        .header("Variable", "BRIDGEPEER")
                        .header("Value", &peer_name),
                ]
            })
            .await?;
        }
        Ok(id)
    }

    /// A channel leaves the bridge (`BridgeLeave` with the count left).
    async fn leave(&mut self, bridge: &str, uid: &str) -> Result<(), Stop> {
        self.emit(|m| {
            m.leave_bridge(bridge, uid);
            let b = m.bridge_block(event("BridgeLeave", CALL), bridge);
            vec![m.snapshot(b, "", uid)]
        })
        .await
    }

    async fn destroy(&mut self, bridge: &str) -> Result<(), Stop> {
        self.emit(|m| {
            let ev = m.bridge_block(event("BridgeDestroy", CALL), bridge);
            m.remove_bridge(bridge);
            vec![ev]
        })
        .await?;
        self.bridges.retain(|b| b != bridge);
        Ok(())
    }

    async fn hangup_request(&mut self, uid: &str, soft: bool) -> Result<(), Stop> {
        let name = if soft {
            "SoftHangupRequest"
        } else {
            "HangupRequest"
        };
        self.emit(|m| vec![m.chan_event(name, CALL, uid).header("Cause", "16")])
            .await
    }

    /// `Hangup` (16, Normal Clearing), then the device is free.
    async fn hangup(&mut self, uid: &str) -> Result<(), Stop> {
        let device = self.apply(|m| {
            let ev = hangup_event(m, uid, 16);
            let device = device_of(m, uid);
            m.remove_channel(uid);
            (device, vec![ev])
        });
        self.owned.retain(|u| u != uid);
        self.pause(self.options.step_delay).await?;
        self.emit(|m| device_released(m, &device)).await
    }

    /// `hanger` hangs up a bridged two-party call with `other`; `between`
    /// events go right after the bridge is destroyed.
    async fn release(
        &mut self,
        hanger: &str,
        other: &str,
        bridge: &str,
        between: Option<Between<'_>>,
    ) -> Result<(), Stop> {
        self.hangup_request(hanger, false).await?;
        self.leave(bridge, hanger).await?;
        self.leave(bridge, other).await?;
        self.destroy(bridge).await?;
        if let Some(f) = between {
            self.emit(f).await?;
        }
        self.hangup_request(other, true).await?;
        self.hangup(other).await?;
        self.hangup(hanger).await
    }

    // ---- the scenarios -------------------------------------------------

    async fn basic_call(&mut self, from: &str, to: &str) -> Result<(), Stop> {
        let a = self
            .caller_leg(from, to, "Dial", &format!("PJSIP/{to},30"))
            .await?;
        let b = self.dial(&a, to).await?;
        let bridge = self.bridge(&b, &a).await?;
        self.talk().await?;
        self.release(&a, &b, &bridge, None).await
    }

    async fn blind_transfer(&mut self, from: &str, to: &str, target: &str) -> Result<(), Stop> {
        let a = self
            .caller_leg(from, to, "Dial", &format!("PJSIP/{to},30"))
            .await?;
        let b = self.dial(&a, to).await?;
        let bridge = self.bridge(&b, &a).await?;
        self.talk().await?;
        self.emit(|m| {
            let ev = m.snapshot(
                event("BlindTransfer", CALL).header("Result", "Success"),
                "Transferer",
                &a,
            );
            let ev = m.snapshot(ev, "Transferee", &b);
            let ev = m.bridge_block(ev, &bridge);
            vec![
                ev.header("IsExternal", "Yes")
                    .header("Context", CONTEXT)
                    .header("Extension", target),
            ]
        })
        .await?;
        self.leave(&bridge, &b).await?;
        self.emit(|m| {
            if let Some(c) = m.chan_mut(&b) {
                c.context = CONTEXT.to_owned();
                c.exten = target.to_owned();
                c.priority = 1;
            }
            Vec::new()
        })
        .await?;
        self.newexten(&b, "Dial", &format!("PJSIP/{target},30"))
            .await?;
        self.hangup_request(&a, false).await?;
        self.leave(&bridge, &a).await?;
        self.destroy(&bridge).await?;
        self.hangup(&a).await?;
        let c = self.dial(&b, target).await?;
        let bridge2 = self.bridge(&c, &b).await?;
        self.talk().await?;
        self.release(&b, &c, &bridge2, None).await
    }

    async fn queue_call(&mut self, caller: &str, queue: &str, agent: &str) -> Result<(), Stop> {
        let interface = format!("PJSIP/{agent}");
        let x = self.caller_leg(caller, queue, "Queue", queue).await?;
        self.caller_up(&x).await?;
        let joined = Instant::now();
        self.emit(|m| {
            vec![
                m.chan_event("QueueCallerJoin", AGENT, &x)
                    .header("Queue", queue)
                    .header("Position", "1")
                    .header("Count", "1"),
            ]
        })
        .await?;
        let g = self.outgoing(&x, agent, "AppQueue").await?;
        let member = |b: MessageBuilder| {
            b.header("Queue", queue)
                .header("MemberName", &interface)
                .header("Interface", &interface)
        };
        self.emit(|m| vec![member(m.pair_event("AgentCalled", AGENT, &x, &g))])
            .await?;
        self.emit(|m| {
            vec![
                m.pair_event("DialBegin", CALL, &x, &g)
                    .header("DialString", &interface),
            ]
        })
        .await?;
        let rang = Instant::now();
        self.ring_and_answer(&x, &g).await?;
        let connected = Instant::now();
        self.emit(|m| {
            vec![
                m.chan_event("QueueCallerLeave", AGENT, &x)
                    .header("Queue", queue)
                    .header("Count", "0")
                    .header("Position", "1"),
            ]
        })
        .await?;
        let hold = (connected - joined).as_secs().to_string();
        let ring = (connected - rang).as_secs().to_string();
        self.emit(|m| {
            vec![
                member(m.pair_event("AgentConnect", AGENT, &x, &g))
                    .header("RingTime", &ring)
                    .header("HoldTime", &hold),
            ]
        })
        .await?;
        self.emit(|m| {
            let dev = device_of(m, &g);
            device_state(m, &dev, "INUSE")
        })
        .await?;
        let bridge = self.bridge(&g, &x).await?;
        self.talk().await?;
        let complete = Box::new(|m: &mut Model| {
            let talk = connected.elapsed().as_secs().to_string();
            vec![
                member(m.pair_event("AgentComplete", AGENT, &x, &g))
                    .header("HoldTime", &hold)
                    .header("TalkTime", &talk)
                    .header("Reason", "caller"),
            ]
        });
        self.release(&x, &g, &bridge, Some(complete)).await
    }

    // ---- early ends --------------------------------------------------------

    /// A `Hangup` action hit the call: every channel of the run leaves its
    /// bridge and hangs up now.
    fn teardown(&mut self) {
        let owned = self.owned.clone();
        let bridges = self.bridges.clone();
        self.apply(|m| {
            let mut out = Vec::new();
            for uid in &owned {
                if let Some(cause) = m.chan(uid).and_then(|c| c.hangup_requested) {
                    out.push(
                        m.chan_event("SoftHangupRequest", CALL, uid)
                            .header("Cause", &cause.to_string()),
                    );
                }
            }
            for id in &bridges {
                let members = m.bridge(id).map(|b| b.members.clone()).unwrap_or_default();
                for uid in &members {
                    m.leave_bridge(id, uid);
                    let b = m.bridge_block(event("BridgeLeave", CALL), id);
                    out.push(m.snapshot(b, "", uid));
                }
                out.push(m.bridge_block(event("BridgeDestroy", CALL), id));
                m.remove_bridge(id);
            }
            for uid in owned.iter().rev() {
                let Some(c) = m.chan(uid) else { continue };
                let cause = c.hangup_requested.filter(|&c| c > 0).unwrap_or(16);
                let device = c.device.clone();
                out.push(hangup_event(m, uid, cause));
                m.remove_channel(uid);
                out.extend(device_released(m, &device));
            }
            ((), out)
        });
        self.owned.clear();
        self.bridges.clear();
    }

    /// Shutdown: forget the run's channels without events.
    fn abandon(&mut self) {
        let mut m = self.shared.model();
        for uid in &self.owned {
            m.remove_channel(uid);
        }
        for id in &self.bridges {
            m.remove_bridge(id);
        }
        drop(m);
        self.owned.clear();
        self.bridges.clear();
    }
}
