//! One client connection: banner, actions, events, fault injection.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{broadcast, oneshot, watch};

use crate::codec::{Decoded, Decoder};
use crate::{Message, MessageBuilder};

use super::config::cli_key;
use super::dialplan;
use super::lists;
use super::model::{self, CALL, Channel, DIALPLAN, event};
use super::scenario::{Run, Scenario, valid_name};
use super::server::{SessionInfo, Shared};
use super::util::{self, Classes};

/// The injected malformed message: its third line has no colon.
const MALFORMED: &[u8] =
    b"Event: SimMalformed\r\nPrivilege: system,all\r\nthis line has no colon\r\n\r\n";

/// Why a connection ends.
#[derive(Debug)]
enum End {
    Io(io::Error),
    /// Closed on purpose: logoff, failed login, fault knob, shutdown, EOF.
    Closed(&'static str),
}

impl From<io::Error> for End {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

type Step = Result<(), End>;

/// Serves one connection to its end.
pub(crate) async fn serve(shared: Arc<Shared>, stream: TcpStream, peer: SocketAddr) {
    let local = stream.local_addr().unwrap_or(peer);
    let _ = stream.set_nodelay(true);
    let (mut rd, wr) = stream.into_split();
    let mut events = shared.subscribe();
    let mut shutdown = shared.shutdown_rx();
    shared.counters.active.fetch_add(1, Ordering::Relaxed);
    let session = shared.next_session();
    shared.sessions().push(SessionInfo {
        id: session,
        user: String::new(),
        ip: peer.ip().to_string(),
        start: shared.now(),
        fd: u64::from(shared.config.pbx.first_session_fd) + session - 1,
        read_perms: 0,
    });
    let mut conn = Conn {
        shared: Arc::clone(&shared),
        wr,
        peer,
        local,
        session,
        sent: 0,
        malformed_done: false,
        oversized_done: false,
        user: None,
        read: Classes::All,
        mask: Classes::All,
        challenge: None,
    };
    let end = conn.run(&mut rd, &mut events, &mut shutdown).await;
    match end {
        Err(End::Io(e)) => tracing::debug!(%peer, error = %e, "sim: connection failed"),
        Err(End::Closed(why)) => tracing::debug!(%peer, why, "sim: connection closed"),
        Ok(()) => {}
    }
    let _ = conn.wr.shutdown().await;
    shared.sessions().retain(|s| s.id != session);
    shared.counters.active.fetch_sub(1, Ordering::Relaxed);
}

struct Conn {
    shared: Arc<Shared>,
    wr: OwnedWriteHalf,
    peer: SocketAddr,
    local: SocketAddr,
    session: u64,
    /// Messages written so far (not counting the banner or injections).
    sent: usize,
    malformed_done: bool,
    oversized_done: bool,
    /// The account logged in as.
    user: Option<String>,
    /// The account's read permission.
    read: Classes,
    /// The session's event mask (`Events:` at login, `Events` action).
    mask: Classes,
    challenge: Option<String>,
}

/// Starts a response: `Response:` first, `ActionID` second when the
/// action had a non-empty one.
fn response(status: &str, action: &Message) -> MessageBuilder {
    let b = Message::response(status);
    match action.action_id() {
        Some(id) => b.header("ActionID", id),
        None => b,
    }
}

fn ack(action: &Message, text: &str) -> MessageBuilder {
    response("Success", action).header("Message", text)
}

fn error(action: &Message, text: &str) -> MessageBuilder {
    response("Error", action).header("Message", text)
}

/// A header's value, if present, UTF-8 and not empty.
fn param<'a>(m: &'a Message, name: &str) -> Option<&'a str> {
    m.get(name).filter(|v| !v.is_empty())
}

/// Asterisk's `ast_true`.
fn is_true(v: Option<&str>) -> bool {
    v.is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "yes" | "true" | "y" | "t" | "1" | "on"
        )
    })
}

impl Conn {
    async fn run(
        &mut self,
        rd: &mut OwnedReadHalf,
        events: &mut broadcast::Receiver<Message>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Step {
        let banner = format!(
            "Asterisk Call Manager/{}\r\n",
            self.shared.config.pbx.ami_version
        );
        self.write_raw(banner.as_bytes()).await?;
        self.after_write().await?;
        let mut decoder = Decoder::server();
        let mut buf = BytesMut::with_capacity(4096);
        let auth_by = self
            .shared
            .config
            .auth_timeout
            .map(|t| tokio::time::Instant::now() + t);
        loop {
            // Actions that arrived together (one write, or queued while the
            // session was busy) are answered together: the events pending
            // before them first, then every answer, then the events they
            // caused, as Asterisk answers a batch of queued actions.
            let mut batch = Vec::new();
            while let Some(r) = decoder.decode(&mut buf) {
                match r {
                    Ok(Decoded::Message(m)) => batch.push(m),
                    Ok(Decoded::Banner(_)) => {}
                    Err(e) => {
                        tracing::debug!(peer = %self.peer, error = %e, "sim: bad client message")
                    }
                }
            }
            if !batch.is_empty() {
                self.process_events(events).await?;
                for m in &batch {
                    self.handle(m).await?;
                }
            }
            if *shutdown.borrow() {
                return Err(End::Closed("shutdown"));
            }
            tokio::select! {
                _ = shutdown.changed() => return Err(End::Closed("shutdown")),
                () = async {
                    match auth_by {
                        Some(t) => tokio::time::sleep_until(t).await,
                        None => std::future::pending().await,
                    }
                }, if self.user.is_none() => return Err(End::Closed("not authenticated in time")),
                r = rd.read_buf(&mut buf) => {
                    if r? == 0 {
                        return Err(End::Closed("client closed"));
                    }
                }
                ev = events.recv() => match ev {
                    Ok(m) => {
                        if self.wants(&m) {
                            self.send(&m).await?;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(peer = %self.peer, missed = n, "sim: slow connection missed events");
                    }
                    Err(broadcast::error::RecvError::Closed) => return Err(End::Closed("shutdown")),
                },
            }
        }
    }

    /// Writes the events pending for this session before an action is
    /// handled, as Asterisk's session loop does (`process_events` before
    /// each action); an unpaced scenario playing now is waited for first,
    /// since it takes no time.
    async fn process_events(&mut self, events: &mut broadcast::Receiver<Message>) -> Step {
        self.shared.settled().await;
        loop {
            match events.try_recv() {
                Ok(m) => {
                    if self.wants(&m) {
                        self.send(&m).await?;
                    }
                }
                Err(broadcast::error::TryRecvError::Lagged(n)) => {
                    tracing::warn!(peer = %self.peer, missed = n, "sim: slow connection missed events");
                }
                Err(broadcast::error::TryRecvError::Empty) => return Ok(()),
                Err(broadcast::error::TryRecvError::Closed) => {
                    return Err(End::Closed("shutdown"));
                }
            }
        }
    }

    /// True if this session receives this unsolicited event.
    fn wants(&self, m: &Message) -> bool {
        if self.user.is_none() {
            return false;
        }
        let privilege = m.get("Privilege").unwrap_or_default();
        self.mask.allows_privilege(privilege) && self.read.allows_privilege(privilege)
    }

    /// Both the session mask and the account allow `class`.
    fn allows(&self, class: &str) -> bool {
        self.mask.contains(class) && self.read.contains(class)
    }

    // ---- writing, with the fault knobs --------------------------------------

    async fn write_raw(&mut self, bytes: &[u8]) -> Step {
        let f = self.shared.faults.get();
        let chunk = f
            .write_chunk
            .filter(|&n| n > 0)
            .unwrap_or(bytes.len())
            .max(1);
        for piece in bytes.chunks(chunk) {
            if let Some(d) = f.write_delay {
                tokio::time::sleep(d).await;
            }
            self.wr.write_all(piece).await?;
        }
        Ok(())
    }

    /// Writes one message, counts it, then applies the fault knobs.
    async fn send(&mut self, m: &Message) -> Step {
        self.write_raw(&m.to_bytes()).await?;
        self.sent += 1;
        self.after_write().await
    }

    /// Builds and sends; a message that cannot be built is logged and
    /// skipped (it cannot happen with the values the simulator uses).
    async fn reply(&mut self, b: MessageBuilder) -> Step {
        match b.build() {
            Ok(m) => self.send(&m).await,
            Err(e) => {
                tracing::error!(error = %e, "sim: response not built");
                Ok(())
            }
        }
    }

    /// Sends a whole answer of a list action.
    async fn send_all(&mut self, answer: Vec<lists::Out>) -> Step {
        for out in answer {
            match out {
                lists::Out::Msg(b) => self.reply(b).await?,
                lists::Out::ErrorWithLf(b) => {
                    let Ok(msg) = b.build() else { continue };
                    let mut bytes = msg.to_bytes().to_vec();
                    // `…value\r\n\r\n` → `…value\n\r\n\r\n`.
                    let end = bytes.len().saturating_sub(4);
                    bytes.splice(end..end, *b"\n");
                    self.write_raw(&bytes).await?;
                    self.sent += 1;
                    self.after_write().await?;
                }
            }
        }
        Ok(())
    }

    async fn after_write(&mut self) -> Step {
        let f = self.shared.faults.get();
        if f.drop_after_messages.is_some_and(|n| self.sent >= n) {
            return Err(End::Closed("drop_after_messages"));
        }
        if !self.malformed_done && f.malformed_after.is_some_and(|n| self.sent >= n) {
            self.malformed_done = true;
            self.write_raw(MALFORMED).await?;
        }
        if let Some((n, size)) = f.oversized_after
            && !self.oversized_done
            && self.sent >= n
        {
            self.oversized_done = true;
            self.write_raw(&oversized(size)).await?;
        }
        Ok(())
    }

    // ---- actions -------------------------------------------------------------

    async fn handle(&mut self, m: &Message) -> Step {
        let Some(action) = m.get_all("Action").find(|v| !v.is_empty()) else {
            return self.reply(error(m, "Missing action in request")).await;
        };
        let lower = action.to_ascii_lowercase();
        if self.user.is_none() && !matches!(lower.as_str(), "login" | "logoff" | "challenge") {
            return self.reply(error(m, "Permission denied")).await;
        }
        match lower.as_str() {
            "login" => self.login(m).await,
            "logoff" => {
                self.reply(response("Goodbye", m).header("Message", "Thanks for all the fish."))
                    .await?;
                Err(End::Closed("logoff"))
            }
            "challenge" => self.challenge(m).await,
            "ping" => {
                let ts = util::fmt_timestamp(self.shared.now());
                self.reply(
                    response("Success", m)
                        .header("Ping", "Pong")
                        .header("Timestamp", &ts),
                )
                .await
            }
            "events" => self.events(m).await,
            "command" => self.command(m).await,
            "getvar" => self.getvar(m).await,
            "setvar" => self.setvar(m).await,
            "coreshowchannels" => self.core_show_channels(m).await,
            "status" => self.status(m).await,
            "userevent" => self.user_event(m).await,
            "originate" => self.originate(m).await,
            "hangup" => self.hangup(m).await,
            "coresettings" => self.core_settings(m).await,
            "corestatus" => self.core_status(m).await,
            _ => {
                if let Some(answer) = lists::answer(&self.shared, &lower, m) {
                    return self.send_all(answer).await;
                }
                let text = format!(
                    "Invalid/unknown command: {action}. Use Action: ListCommands to show available commands."
                );
                self.reply(error(m, &text)).await
            }
        }
    }

    async fn challenge(&mut self, m: &Message) -> Step {
        if !m
            .get("AuthType")
            .is_some_and(|t| t.eq_ignore_ascii_case("MD5"))
        {
            return self.reply(error(m, "Must specify AuthType")).await;
        }
        let challenge = match &self.challenge {
            Some(c) => c.clone(),
            None => {
                let c = self.shared.next_challenge();
                self.challenge = Some(c.clone());
                c
            }
        };
        self.reply(response("Success", m).header("Challenge", &challenge))
            .await
    }

    /// Checks the credentials of a `Login`; the account's name and read
    /// permission when they are good.
    fn authenticate(&self, m: &Message) -> Option<(String, Classes)> {
        let username = m.get("Username").unwrap_or_default();
        let (name, account) = self.shared.config.find_account(username)?;
        let secret = account.secret.expose();
        let ok = if m
            .get("AuthType")
            .is_some_and(|t| t.eq_ignore_ascii_case("MD5"))
        {
            match (&self.challenge, m.get("Key")) {
                (Some(c), Some(key)) => crate::session::login_key(c, secret) == key,
                _ => false,
            }
        } else {
            m.get("Secret") == Some(secret.as_str())
        };
        ok.then(|| (name.to_owned(), Classes::from_read(&account.read)))
    }

    async fn login(&mut self, m: &Message) -> Step {
        if self.user.is_some() {
            return self.reply(ack(m, "Already authenticated")).await;
        }
        let refused = self.shared.faults.get().refuse_login;
        let Some((user, read)) = self.authenticate(m).filter(|_| !refused) else {
            self.shared
                .counters
                .failed_logins
                .fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(self.shared.config.auth_failure_delay).await;
            self.reply(error(m, "Authentication failed")).await?;
            return Err(End::Closed("authentication failed"));
        };
        if let Some(mask) = param(m, "Events").and_then(Classes::from_mask) {
            self.mask = mask;
        }
        self.user = Some(user.clone());
        self.read = read;
        if let Some(s) = self
            .shared
            .sessions()
            .iter_mut()
            .find(|s| s.id == self.session)
        {
            s.user.clone_from(&user);
            s.read_perms = self
                .shared
                .config
                .find_account(&user)
                .map_or(0, |(_, a)| util::perm_mask(&a.read));
        }
        self.shared.counters.logins.fetch_add(1, Ordering::Relaxed);
        self.reply(ack(m, "Authentication accepted")).await?;
        let uptime = self.shared.uptime().as_secs().to_string();
        if self.allows("system") {
            let legacy = self.shared.config.pbx.ami_version.starts_with("1.");
            let b = event("FullyBooted", "system,all");
            let b = if legacy {
                b
            } else {
                b.header("Uptime", &uptime).header("LastReload", &uptime)
            };
            self.reply(b.header("Status", "Fully Booted")).await?;
        }
        if self.shared.config.successful_auth_event && self.allows("security") {
            let tv = util::fmt_event_tv(self.shared.now());
            let addr = |a: SocketAddr| {
                let v = if a.is_ipv4() { "IPV4" } else { "IPV6" };
                format!("{v}/TCP/{}/{}", a.ip(), a.port())
            };
            self.reply(
                event("SuccessfulAuth", "security,all")
                    .header("EventTV", &tv)
                    .header("Severity", "Informational")
                    .header("Service", "AMI")
                    .header("EventVersion", "1")
                    .header("AccountID", &user)
                    .header(
                        "SessionID",
                        &format!("0x{:012x}", 0x7f00_0000_0000 + self.session * 0x40),
                    )
                    .header("LocalAddress", &addr(self.local))
                    .header("RemoteAddress", &addr(self.peer))
                    .header("UsingPassword", "0")
                    .header("SessionTV", &tv),
            )
            .await?;
        }
        self.shared.login_done();
        Ok(())
    }

    async fn events(&mut self, m: &Message) -> Step {
        let Some(mask) = m.get("EventMask").and_then(Classes::from_mask) else {
            return self.reply(error(m, "Invalid event mask")).await;
        };
        let on = !mask.is_empty();
        self.mask = mask;
        self.reply(response("Success", m).header("Events", if on { "On" } else { "Off" }))
            .await
    }

    // ---- Command -------------------------------------------------------------

    async fn command(&mut self, m: &Message) -> Step {
        let Some(cmd) = param(m, "Command") else {
            return self.reply(error(m, "No command provided")).await;
        };
        let words: Vec<&str> = cmd.split_whitespace().collect();
        let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
        let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        let canned = self.shared.config.pbx.cli.get(&cli_key(cmd));
        let (ok, lines) = match lower.as_slice() {
            ["core", "show", "version"] => (
                true,
                vec![format!(
                    "Asterisk 22.10.1 built by {}",
                    self.shared.config.pbx.build
                )],
            ),
            ["core", "show", "channels"] => (true, self.show_channels()),
            ["core", "show", "uptime"] => {
                let up = util::fmt_uptime(self.shared.uptime());
                (
                    true,
                    vec![format!("System uptime: {up}"), format!("Last reload: {up}")],
                )
            }
            ["manager", "show", "connected"] => (true, self.show_connected()),
            ["dialplan", "show"] => dialplan::show(&self.shared.config.pbx.dialplan, None),
            ["dialplan", "show", _] => {
                dialplan::show(&self.shared.config.pbx.dialplan, words.get(2).copied())
            }
            _ if canned.is_some() => (true, canned.cloned().unwrap_or_default()),
            _ => {
                let best = best_prefix(&words);
                (
                    false,
                    vec![format!(
                        "No such command '{cmd}' (type 'core show help {best}' for other possible commands)"
                    )],
                )
            }
        };
        let mut b = response(if ok { "Success" } else { "Error" }, m)
            .header("Message", "Command output follows");
        for l in &lines {
            b = b.header("Output", l);
        }
        self.reply(b).await
    }

    /// `manager show connected` from the open sessions.
    fn show_connected(&self) -> Vec<String> {
        let now = self.shared.now().as_secs();
        let sessions = self.shared.sessions();
        let mut out = vec![format!(
            "  {:<15.15}  {:<55.55}  {:<10.10}  {:<10.10}  {:<8.8}  {:<8.8}  {:<10.10}  {:<10.10}",
            "Username",
            "IP Address",
            "Start",
            "Elapsed",
            "FileDes",
            "HttpCnt",
            "ReadPerms",
            "WritePerms"
        )];
        for s in sessions.iter() {
            let start = s.start.as_secs();
            out.push(format!(
                "  {:<15.15}  {:<55.55}  {:<10}  {:<10}  {:<8}  {:<8}  {:<10}  {:<10}",
                s.user,
                s.ip,
                start,
                now.saturating_sub(start),
                s.fd,
                0,
                s.read_perms,
                i32::MAX
            ));
        }
        out.push(format!("{} users connected.", sessions.len()));
        out
    }

    /// `core show channels` from the model.
    fn show_channels(&self) -> Vec<String> {
        let model = self.shared.model();
        let mut out = vec![format!(
            "{:<64.64} {:<32.32} {:<7.7} {:<30.30}",
            "Channel", "Location", "State", "Application(Data)"
        )];
        for c in &model.channels {
            let location = format!("{}@{}:{}", c.exten, c.context, c.priority);
            let app = if c.app.is_empty() {
                "(None)".to_owned()
            } else {
                format!("{}({})", c.app, c.app_data)
            };
            out.push(format!(
                "{:<64.64} {:<32.32} {:<7.7} {:<30.30}",
                c.name,
                location,
                c.state.desc(),
                app
            ));
        }
        let s = |n: usize| if n == 1 { "" } else { "s" };
        let chans = model.channels.len();
        let calls = model.active_calls();
        let processed = usize::try_from(model.processed_calls).unwrap_or(usize::MAX);
        out.push(format!("{chans} active channel{}", s(chans)));
        out.push(format!("{calls} active call{}", s(calls)));
        out.push(format!("{processed} call{} processed", s(processed)));
        out
    }

    // ---- variables -------------------------------------------------------------

    async fn getvar(&mut self, m: &Message) -> Step {
        let Some(var) = param(m, "Variable") else {
            return self.reply(error(m, "No variable specified")).await;
        };
        let value = {
            let model = self.shared.model();
            match param(m, "Channel") {
                Some(name) => model
                    .by_name(name)
                    .map(|c| channel_value(c, &model.globals, var)),
                None => Some(model.globals.get(var).cloned().unwrap_or_default()),
            }
        };
        let Some(value) = value else {
            return self.reply(error(m, "No such channel")).await;
        };
        self.reply(
            response("Success", m)
                .header("Variable", var)
                .header("Value", &value),
        )
        .await
    }

    async fn setvar(&mut self, m: &Message) -> Step {
        let Some(var) = param(m, "Variable") else {
            return self.reply(error(m, "No variable specified")).await;
        };
        let value = m.get("Value").unwrap_or_default();
        let found = {
            let mut model = self.shared.model();
            match param(m, "Channel") {
                Some(name) => {
                    let uid = model.by_name_mut(name).map(|c| {
                        c.set_var(var, value);
                        c.uniqueid.clone()
                    });
                    match uid {
                        Some(uid) => {
                            // Published under the lock, like scenario events.
                            let b = model
                                .chan_event("VarSet", DIALPLAN, &uid)
                                .header("Variable", var)
                                .header("Value", value);
                            if let Ok(msg) = b.build() {
                                self.shared.publish(msg);
                            }
                            true
                        }
                        None => false,
                    }
                }
                None => {
                    model.globals.insert(var.to_owned(), value.to_owned());
                    true
                }
            }
        };
        if !found {
            return self.reply(error(m, "No such channel")).await;
        }
        self.reply(ack(m, "Variable Set")).await
    }

    // ---- lists ---------------------------------------------------------------

    async fn core_show_channels(&mut self, m: &Message) -> Step {
        let items: Vec<MessageBuilder> = {
            let model = self.shared.model();
            model
                .channels
                .iter()
                .map(|c| {
                    let b = Message::event("CoreShowChannel");
                    let b = match m.action_id() {
                        Some(id) => b.header("ActionID", id),
                        None => b,
                    };
                    model::snapshot(b, "", c)
                        .header("Application", &c.app)
                        .header("ApplicationData", &c.app_data)
                        .header("Duration", &util::fmt_hms(model::age(c)))
                        .header("BridgeId", c.bridge.as_deref().unwrap_or_default())
                })
                .collect()
        };
        self.reply(
            response("Success", m)
                .header("EventList", "start")
                .header("Message", "Channels will follow"),
        )
        .await?;
        let n = items.len();
        for b in items {
            self.reply(b).await?;
        }
        self.reply(complete("CoreShowChannelsComplete", m, n)).await
    }

    async fn status(&mut self, m: &Message) -> Step {
        let all_vars = is_true(m.get("AllVariables"));
        let wanted: Vec<&str> = m
            .get("Variables")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        let items: Option<Vec<MessageBuilder>> = {
            let model = self.shared.model();
            let chans: Option<Vec<&Channel>> = match param(m, "Channel") {
                Some(name) => model.by_name(name).map(|c| vec![c]),
                None => Some(model.channels.iter().collect()),
            };
            chans.map(|chans| {
                chans
                    .into_iter()
                    .map(|c| {
                        let mut b = model::snapshot(event("Status", "Call"), "", c)
                            .header("Type", c.tech())
                            .header("DNID", "")
                            .header("EffectiveConnectedLineNum", &c.cl_num)
                            .header("EffectiveConnectedLineName", &c.cl_name)
                            .header("TimeToHangup", "0")
                            .header("BridgeID", c.bridge.as_deref().unwrap_or_default())
                            .header("Application", &c.app)
                            .header("Data", &c.app_data)
                            .header("Nativeformats", &format!("({})", c.format))
                            .header("Readformat", &c.format)
                            .header("Readtrans", "")
                            .header("Writeformat", &c.format)
                            .header("Writetrans", "")
                            .header("Callgroup", "0")
                            .header("Pickupgroup", "0")
                            .header("Seconds", &model::age(c).as_secs().to_string());
                        for v in &wanted {
                            let value = if v.ends_with(')') {
                                c.function(v).unwrap_or_default()
                            } else {
                                c.var(v)
                                    .map(str::to_owned)
                                    .or_else(|| c.function(v))
                                    .or_else(|| model.globals.get(*v).cloned())
                                    .unwrap_or_else(|| "(null)".to_owned())
                            };
                            b = b.header("Variable", &format!("{v}={value}"));
                        }
                        if all_vars {
                            for (k, v) in &c.vars {
                                b = b.header("Variable", &format!("{k}={v}"));
                            }
                        }
                        match m.action_id() {
                            Some(id) => b.header("ActionID", id),
                            None => b,
                        }
                    })
                    .collect()
            })
        };
        let Some(items) = items else {
            return self.reply(error(m, "No such channel")).await;
        };
        self.reply(
            response("Success", m)
                .header("EventList", "start")
                .header("Message", "Channel status will follow"),
        )
        .await?;
        let n = items.len();
        for b in items {
            self.reply(b).await?;
        }
        self.reply(complete("StatusComplete", m, n).header("Items", &n.to_string()))
            .await
    }

    // ---- UserEvent, Originate, Hangup ------------------------------------------

    async fn user_event(&mut self, m: &Message) -> Step {
        let name = m.get("UserEvent").unwrap_or_default();
        let mut b = event("UserEvent", "user,all").header("UserEvent", name);
        for h in m.headers() {
            if h.is("UserEvent") || h.is("Action") {
                continue;
            }
            if let Some(v) = h.value() {
                b = b.header(h.name(), v);
            }
        }
        self.reply(ack(m, "Event Sent")).await?;
        match b.build() {
            Ok(ev) => {
                // Under the model lock, like scenario events.
                let _guard = self.shared.model();
                self.shared.publish(ev);
            }
            Err(e) => tracing::debug!(error = %e, "sim: user event not built"),
        }
        Ok(())
    }

    async fn originate(&mut self, m: &Message) -> Step {
        let Some(channel) = param(m, "Channel") else {
            return self.reply(error(m, "Channel not specified")).await;
        };
        let Some((tech, data)) = channel.split_once('/') else {
            return self.reply(error(m, "Invalid channel")).await;
        };
        let exten = m.get("Exten").unwrap_or_default().to_owned();
        let context = m.get("Context").unwrap_or_default().to_owned();
        let is_async = is_true(m.get("Async"));
        if !is_async
            && param(m, "Application").is_none()
            && (exten.is_empty() || context.is_empty() || param(m, "Priority").is_none())
        {
            return self
                .reply(error(
                    m,
                    "Originate with 'Exten' requires 'Context' and 'Priority'",
                ))
                .await;
        }
        if tech.eq_ignore_ascii_case("Local")
            && let Some((dial_exten, dial_context)) = data.split_once('@')
            && super::engine::has_extension(&self.shared, dial_context, dial_exten)
        {
            return self
                .originate_local(m, channel, dial_exten, dial_context, is_async)
                .await;
        }
        let device = data
            .split(['@', '/', ','])
            .next()
            .unwrap_or_default()
            .to_owned();
        let unavailable = self
            .shared
            .config
            .unavailable_devices
            .iter()
            .any(|d| d.eq_ignore_ascii_case(&device))
            || matches!(
                self.shared.model().device(&format!("{tech}/{device}")),
                Some("UNAVAILABLE" | "INVALID")
            );
        let playable = !unavailable && valid_name(&device) && valid_name(&exten);
        let (cid_num, cid_name) = parse_callerid(m.get("CallerID").unwrap_or_default());
        let origin = Origin {
            action_id: m.action_id().map(str::to_owned),
            requested: format!("{tech}/{data}"),
            context,
            exten: exten.clone(),
            cid_num,
            cid_name,
        };
        let scenario = Scenario::basic_call(device, exten);
        let shared = Arc::clone(&self.shared);
        let options = shared.config.scenario;
        if is_async {
            self.reply(ack(m, "Originate successfully queued")).await?;
            tokio::spawn(async move {
                let run = if playable {
                    Some(
                        Run::new(Arc::clone(&shared), options)
                            .execute(&scenario)
                            .await,
                    )
                } else {
                    None
                };
                origin.respond(&shared, run.as_ref());
            });
            return Ok(());
        }
        if !playable {
            return self.reply(error(m, "Originate failed")).await;
        }
        let (tx, rx) = oneshot::channel();
        tokio::spawn(async move {
            Run::new(shared, options)
                .notify_answer(tx)
                .execute(&scenario)
                .await;
        });
        if rx.await.is_ok() {
            self.reply(ack(m, "Originate successfully queued")).await
        } else {
            self.reply(error(m, "Originate failed")).await
        }
    }

    /// `Originate` of `Local/EXTEN@CONTEXT` where the dialplan has that
    /// extension: the dialplan engine plays it; the `OriginateResponse`
    /// (async) or the answer (sync) comes when the `;1` half answers or the
    /// call fails.
    async fn originate_local(
        &mut self,
        m: &Message,
        channel: &str,
        exten: &str,
        context: &str,
        is_async: bool,
    ) -> Step {
        let (cid_num, cid_name) = parse_callerid(m.get("CallerID").unwrap_or_default());
        let vars = m
            .get_all("Variable")
            .flat_map(|v| v.split(','))
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
            .collect();
        let req = super::engine::Request {
            action_id: m.action_id().map(str::to_owned),
            channel: channel.to_owned(),
            exten: exten.to_owned(),
            context: context.to_owned(),
            then_context: m.get("Context").unwrap_or_default().to_owned(),
            then_exten: m.get("Exten").unwrap_or_default().to_owned(),
            then_priority: m
                .get("Priority")
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(1),
            cid: (cid_num.clone(), cid_name.clone()),
            vars,
            timeout: std::time::Duration::from_millis(
                m.get("Timeout")
                    .and_then(|t| t.trim().parse().ok())
                    .unwrap_or(30_000),
            ),
        };
        let origin = Origin {
            action_id: req.action_id.clone(),
            requested: req.channel.clone(),
            context: req.then_context.clone(),
            exten: req.then_exten.clone(),
            cid_num,
            cid_name,
        };
        let shared = Arc::clone(&self.shared);
        if is_async {
            self.reply(ack(m, "Originate successfully queued")).await?;
            tokio::spawn(async move {
                let outcome = super::engine::originate(Arc::clone(&shared), req).await;
                origin.respond_outcome(&shared, &outcome);
            });
            return Ok(());
        }
        let (tx, rx) = oneshot::channel();
        tokio::spawn(async move {
            let _ = tx.send(super::engine::originate(shared, req).await);
        });
        match rx.await {
            Ok(super::engine::Outcome::Answered(..)) => {
                self.reply(ack(m, "Originate successfully queued")).await
            }
            _ => self.reply(error(m, "Originate failed")).await,
        }
    }

    async fn hangup(&mut self, m: &Message) -> Step {
        let Some(name) = param(m, "Channel") else {
            return self.reply(error(m, "No channel specified")).await;
        };
        let cause = m
            .get("Cause")
            .and_then(|c| c.trim().parse::<u32>().ok())
            .filter(|c| (1..=127).contains(c))
            .unwrap_or(16);
        let found = {
            let mut model = self.shared.model();
            match model.by_name_mut(name) {
                Some(c) => {
                    c.hangup_requested = Some(cause);
                    true
                }
                None => false,
            }
        };
        if !found {
            return self.reply(error(m, "No such channel")).await;
        }
        self.shared.changed.notify_waiters();
        self.reply(ack(m, "Channel Hungup")).await
    }

    // ---- core info -------------------------------------------------------------

    async fn core_settings(&mut self, m: &Message) -> Step {
        self.reply(
            response("Success", m)
                .header("AMIversion", &self.shared.config.pbx.ami_version)
                .header("AsteriskVersion", "22.10.1")
                .header("SystemName", "")
                .header("CoreMaxCalls", "0")
                .header("CoreMaxLoadAvg", "0.000000")
                .header("CoreRunUser", "")
                .header("CoreRunGroup", "")
                .header("CoreMaxFilehandles", "0")
                .header("CoreRealTimeEnabled", "No")
                .header("CoreCDRenabled", "Yes")
                .header("CoreHTTPenabled", "No")
                .header("SoundsSearchCustomDir", "No"),
        )
        .await
    }

    async fn core_status(&mut self, m: &Message) -> Step {
        let start = self.shared.booted_unix();
        let (current, processed) = {
            let model = self.shared.model();
            (model.channels.len(), model.processed_calls)
        };
        self.reply(
            response("Success", m)
                .header("CoreStartupDate", &util::fmt_date(start))
                .header("CoreStartupTime", &util::fmt_time(start))
                .header("CoreReloadDate", &util::fmt_date(start))
                .header("CoreReloadTime", &util::fmt_time(start))
                .header("CoreCurrentCalls", &current.to_string())
                .header("CoreProcessedCalls", &processed.to_string()),
        )
        .await
    }
}

/// The `…Complete` event of a list.
fn complete(name: &str, action: &Message, items: usize) -> MessageBuilder {
    let b = Message::event(name);
    let b = match action.action_id() {
        Some(id) => b.header("ActionID", id),
        None => b,
    };
    b.header("EventList", "Complete")
        .header("ListItems", &items.to_string())
}

/// A variable as `Getvar` reads it on a channel: a function, a channel
/// variable, then a global.
fn channel_value(
    c: &Channel,
    globals: &std::collections::BTreeMap<String, String>,
    var: &str,
) -> String {
    if var.ends_with(')') {
        return c.function(var).unwrap_or_default();
    }
    c.var(var)
        .map(str::to_owned)
        .or_else(|| c.function(var))
        .or_else(|| globals.get(var).cloned())
        .unwrap_or_default()
}

/// The words of an unknown CLI command that `core show help` would be
/// given: the known prefix plus the first unknown word, at least two
/// words (Asterisk's `find_best`, approximated).
fn best_prefix(words: &[&str]) -> String {
    const KNOWN: &[&[&str]] = &[
        &["core", "show", "version"],
        &["core", "show", "channels"],
        &["core", "show", "uptime"],
        &["core", "show", "help"],
        &["manager", "show", "connected"],
        &["dialplan", "show"],
    ];
    let mut known = 0;
    while known < words.len()
        && KNOWN.iter().any(|k| {
            k.len() > known
                && k.iter()
                    .zip(words.iter().take(known + 1))
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        })
    {
        known += 1;
    }
    let n = (known + 1).max(2).min(words.len());
    words[..n].join(" ")
}

/// `"Name" <number>` → (number, name), each `<unknown>` when absent.
fn parse_callerid(cid: &str) -> (String, String) {
    let unknown = || "<unknown>".to_owned();
    let cid = cid.trim();
    if cid.is_empty() {
        return (unknown(), unknown());
    }
    match (cid.find('<'), cid.rfind('>')) {
        (Some(l), Some(r)) if l < r => {
            let num = cid[l + 1..r].trim();
            let name = cid[..l].trim().trim_matches('"').trim();
            (
                if num.is_empty() {
                    unknown()
                } else {
                    num.to_owned()
                },
                if name.is_empty() {
                    unknown()
                } else {
                    name.to_owned()
                },
            )
        }
        _ if cid.chars().all(|c| c.is_ascii_digit() || "+*#".contains(c)) => {
            (cid.to_owned(), unknown())
        }
        _ => (unknown(), cid.trim_matches('"').to_owned()),
    }
}

/// What an async `Originate` reports in its `OriginateResponse`.
struct Origin {
    action_id: Option<String>,
    requested: String,
    context: String,
    exten: String,
    cid_num: String,
    cid_name: String,
}

impl Origin {
    /// Publishes the `OriginateResponse` of a dialplan-engine originate.
    fn respond_outcome(&self, shared: &Shared, outcome: &super::engine::Outcome) {
        let (response, channel, uid, reason) = match outcome {
            super::engine::Outcome::Answered(name, uid) => {
                ("Success", name.clone(), uid.clone(), "4".to_owned())
            }
            super::engine::Outcome::Failed(reason) => (
                "Failure",
                self.requested.clone(),
                "<unknown>".to_owned(),
                reason.to_string(),
            ),
        };
        self.publish(shared, response, &channel, &reason, &uid);
    }

    fn publish(&self, shared: &Shared, response: &str, channel: &str, reason: &str, uid: &str) {
        let mut b = event("OriginateResponse", CALL);
        if let Some(id) = &self.action_id {
            b = b.header("ActionID", id);
        }
        let b = b
            .header("Response", response)
            .header("Channel", channel)
            .header("Context", &self.context)
            .header("Exten", &self.exten)
            .header("Reason", reason)
            .header("Uniqueid", uid)
            .header("CallerIDNum", &self.cid_num)
            .header("CallerIDName", &self.cid_name);
        match b.build() {
            Ok(msg) => {
                let _guard = shared.model();
                shared.publish(msg);
            }
            Err(e) => tracing::error!(error = %e, "sim: OriginateResponse not built"),
        }
    }

    /// Publishes `OriginateResponse`: `Success` (reason 4, answered) with
    /// the originated channel when the call was answered, else `Failure`.
    fn respond(&self, shared: &Shared, run: Option<&Run>) {
        let answered = run.is_some_and(|r| r.answered);
        let (channel, uid) = match run.and_then(|r| r.first.clone()) {
            Some((name, uid)) => (name, uid),
            None => (self.requested.clone(), "<unknown>".to_owned()),
        };
        let reason = match (answered, run.is_some()) {
            (true, _) => "4",
            (false, true) => "1",
            (false, false) => "0",
        };
        let mut b = event("OriginateResponse", CALL);
        if let Some(id) = &self.action_id {
            b = b.header("ActionID", id);
        }
        let b = b
            .header("Response", if answered { "Success" } else { "Failure" })
            .header("Channel", &channel)
            .header("Context", &self.context)
            .header("Exten", &self.exten)
            .header("Reason", reason)
            .header("Uniqueid", &uid)
            .header("CallerIDNum", &self.cid_num)
            .header("CallerIDName", &self.cid_name);
        match b.build() {
            Ok(msg) => {
                let _guard = shared.model();
                shared.publish(msg);
            }
            Err(e) => tracing::error!(error = %e, "sim: OriginateResponse not built"),
        }
    }
}

/// An event of about `size` bytes (exactly `size` when it is at least 64):
/// `Event: SimOversized`, `Privilege`, then `Filler:` lines of at most
/// 1000 bytes.
fn oversized(size: usize) -> Vec<u8> {
    let mut out = b"Event: SimOversized\r\nPrivilege: system,all\r\n".to_vec();
    let mut left = size.saturating_sub(out.len() + 2);
    while left >= 10 {
        let line = if left <= 1000 {
            left
        } else if left - 1000 < 10 {
            left - 10
        } else {
            1000
        };
        out.extend_from_slice(b"Filler: ");
        out.resize(out.len() + line - 10, b'x');
        out.extend_from_slice(b"\r\n");
        left -= line;
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_has_the_asked_size_and_parses() {
        for size in [64, 100, 1009, 1010, 1011, 5000, 300_000] {
            let m = oversized(size);
            assert_eq!(m.len(), size, "size {size}");
            let mut buf = BytesMut::from(&m[..]);
            let r = Decoder::server().decode(&mut buf);
            if size <= 256 * 1024 {
                assert!(matches!(r, Some(Ok(Decoded::Message(_)))), "size {size}");
            } else {
                assert!(
                    matches!(r, Some(Err(_))),
                    "size {size}: over the default limit"
                );
            }
        }
    }

    #[test]
    fn callerid_and_best_prefix() {
        assert_eq!(
            parse_callerid("\"Bob Example\" <201>"),
            ("201".to_owned(), "Bob Example".to_owned())
        );
        assert_eq!(
            parse_callerid(""),
            ("<unknown>".to_owned(), "<unknown>".to_owned())
        );
        assert_eq!(parse_callerid("1001").0, "1001");
        assert_eq!(best_prefix(&["no", "such", "cli", "command"]), "no such");
        assert_eq!(
            best_prefix(&["core", "show", "bogus", "x"]),
            "core show bogus"
        );
        assert_eq!(best_prefix(&["foo"]), "foo");
    }
}
