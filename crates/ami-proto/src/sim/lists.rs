//! The list and query actions that read the PBX state: channel maps,
//! PJSIP objects, queues, device and extension states, bridges, the
//! dialplan, and `ListCommands`.
//!
//! Each action gives its whole answer as a sequence of [`Out`]s, shaped as
//! Asterisk 22 shapes it: `Response: Success` with `EventList: start` and
//! the action's `Message`, the items (ActionID second, or last for the
//! queue items), then `<X>Complete` with `EventList: Complete` and the
//! `ListItems` count.

use std::time::Duration;

use crate::{Message, MessageBuilder};

use super::dialplan::{Context, Priority};
use super::model::{Channel, Model};
use super::pbx::{Headers, ManagerCommand, Queue};
use super::server::Shared;

/// One piece of an answer.
pub(crate) enum Out {
    /// A message.
    Msg(MessageBuilder),
    /// An error whose `Message` value ends in a bare LF, as several PJSIP
    /// actions send it (`Message: No Contacts found\n\r\n\r\n`).
    ErrorWithLf(MessageBuilder),
}

fn with_id(b: MessageBuilder, action: &Message) -> MessageBuilder {
    match action.action_id() {
        Some(id) => b.header("ActionID", id),
        None => b,
    }
}

/// `Response: <status>` with the ActionID second.
pub(crate) fn response(status: &str, action: &Message) -> MessageBuilder {
    with_id(Message::response(status), action)
}

fn error(action: &Message, text: &str) -> Vec<Out> {
    vec![Out::Msg(response("Error", action).header("Message", text))]
}

/// The opening response of a list.
pub(crate) fn start(action: &Message, text: &str) -> MessageBuilder {
    response("Success", action)
        .header("EventList", "start")
        .header("Message", text)
}

/// A list item: `Event:` then the ActionID second.
fn item(name: &str, action: &Message) -> MessageBuilder {
    with_id(Message::event(name), action)
}

/// The `…Complete` event of a list.
pub(crate) fn complete(name: &str, action: &Message, items: usize) -> MessageBuilder {
    item(name, action)
        .header("EventList", "Complete")
        .header("ListItems", &items.to_string())
}

fn headers(mut b: MessageBuilder, h: &Headers) -> MessageBuilder {
    for (k, v) in h {
        b = b.header(k, v);
    }
    b
}

/// A whole list: start, items, complete.
fn list(action: &Message, text: &str, items: Vec<MessageBuilder>, done: &str) -> Vec<Out> {
    let n = items.len();
    let mut out = vec![Out::Msg(start(action, text))];
    out.extend(items.into_iter().map(Out::Msg));
    out.push(Out::Msg(complete(done, action, n)));
    out
}

fn param<'a>(m: &'a Message, name: &str) -> Option<&'a str> {
    m.get(name).filter(|v| !v.is_empty())
}

/// Answers a list or query action the simulator models here; `None` if
/// `lower` (the action name in lower case) is not one of them.
pub(crate) fn answer(shared: &Shared, lower: &str, m: &Message) -> Option<Vec<Out>> {
    let pbx = &shared.config.pbx;
    Some(match lower {
        "coreshowchannelmap" => channel_map(&shared.model(), m),
        "pjsipshowendpoints" => {
            let items = pbx
                .pjsip_endpoints
                .iter()
                .map(|e| headers(item("EndpointList", m), &e.list))
                .collect();
            pjsip_list(
                m,
                items,
                "A listing of Endpoints follows, presented as EndpointList events",
                "EndpointListComplete",
                "No endpoints found",
            )
        }
        "pjsipshowendpoint" => {
            let Some(name) = param(m, "Endpoint") else {
                return Some(error(m, "Endpoint parameter missing."));
            };
            let Some(ep) = pbx.pjsip_endpoints.iter().find(|e| e.name == name) else {
                return Some(error(m, &format!("Unable to retrieve endpoint {name}")));
            };
            let items = ep
                .details
                .iter()
                .map(|(event, h)| headers(item(event, m), h))
                .collect();
            list(
                m,
                "Following are Events for each object associated with the Endpoint",
                items,
                "EndpointDetailComplete",
            )
        }
        "pjsipshowaors" => {
            let items = pbx
                .pjsip_aors
                .iter()
                .map(|a| headers(item("AorList", m), &a.list))
                .collect();
            pjsip_list(
                m,
                items,
                "A listing of AORs follows, presented as AorList events",
                "AorListComplete",
                "No AORs found",
            )
        }
        "pjsipshowauths" => {
            let items = pbx
                .pjsip_auths
                .iter()
                .map(|a| headers(item("AuthList", m), &a.headers))
                .collect();
            pjsip_list(
                m,
                items,
                "A listing of Auths follows, presented as AuthList events",
                "AuthListComplete",
                "No Auths found",
            )
        }
        "pjsipshowcontacts" => {
            let items = pbx
                .pjsip_contacts
                .iter()
                .map(|c| headers(item("ContactList", m), &c.headers))
                .collect();
            pjsip_list(
                m,
                items,
                "A listing of Contacts follows, presented as ContactList events",
                "ContactListComplete",
                "No Contacts found",
            )
        }
        "pjsipshowregistrationsinbound" => {
            let items = pbx
                .pjsip_aors
                .iter()
                .map(|a| headers(item("InboundRegistrationDetail", m), &a.registration))
                .collect();
            // Unlike the other PJSIP lists, Asterisk answers this one with
            // an empty list (start, then the Complete event with
            // `ListItems: 0`) rather than an error when nothing matches.
            list(
                m,
                "Following are Events for each Inbound registration",
                items,
                "InboundRegistrationDetailComplete",
            )
        }
        "queuestatus" => queue_status(shared, m),
        "queuesummary" => queue_summary(shared, m),
        "devicestatelist" => {
            let items = shared
                .model()
                .devices
                .iter()
                .map(|(d, s)| {
                    item("DeviceStateChange", m)
                        .header("Device", d)
                        .header("State", s)
                })
                .collect();
            list(
                m,
                "Device State Changes will follow",
                items,
                "DeviceStateListComplete",
            )
        }
        "extensionstatelist" => {
            let model = shared.model();
            let mut items = Vec::new();
            for ctx in &pbx.dialplan {
                for e in &ctx.extensions {
                    if let Some(hint) = e.priorities.iter().find(|p| p.is_hint()) {
                        items.push(extension_status(
                            item("ExtensionStatus", m),
                            &model,
                            &e.name,
                            &ctx.name,
                            &hint.app,
                        ));
                    }
                }
            }
            list(
                m,
                "Extension Statuses will follow",
                items,
                "ExtensionStateListComplete",
            )
        }
        "extensionstate" => {
            let exten = m.get("Exten").unwrap_or_default();
            let context = param(m, "Context").unwrap_or("default");
            let hint = find_hint(&pbx.dialplan, exten, context);
            let model = shared.model();
            let b = response("Success", m).header("Message", "Extension Status");
            let b = match hint {
                Some(h) => extension_status(b, &model, exten, context, &h.app),
                None => b
                    .header("Exten", exten)
                    .header("Context", context)
                    .header("Hint", "")
                    .header("Status", "-1")
                    .header("StatusText", "Unknown"),
            };
            vec![Out::Msg(b)]
        }
        "bridgelist" => {
            let wanted = param(m, "BridgeType");
            let items = shared
                .model()
                .bridges
                .iter()
                .filter(|b| wanted.is_none_or(|t| t.eq_ignore_ascii_case(&b.kind[0])))
                .map(|b| b.block(item("BridgeListItem", m)))
                .collect();
            list(m, "Bridge listing will follow", items, "BridgeListComplete")
        }
        "showdialplan" => show_dialplan(&pbx.dialplan, m),
        "agents" => list(m, "Agents will follow", Vec::new(), "AgentsComplete"),
        "parkedcalls" => {
            let mut out = list(
                m,
                "Parked calls will follow",
                Vec::new(),
                "ParkedCallsComplete",
            );
            if let Some(Out::Msg(last)) = out.pop() {
                out.push(Out::Msg(last.header("Total", "0")));
            }
            out
        }
        "confbridgelistrooms" => error(m, "No active conferences."),
        "listcommands" => {
            let own = default_commands();
            let commands = pbx.commands.as_ref().unwrap_or(&own);
            let mut b = response("Success", m);
            for c in commands {
                b = b.header(&c.name, &format!("{}  (Priv: {})", c.synopsis, c.privilege));
            }
            vec![Out::Msg(b)]
        }
        _ => return None,
    })
}

/// A PJSIP list; an empty one is an error whose text ends in a bare LF.
fn pjsip_list(
    m: &Message,
    items: Vec<MessageBuilder>,
    text: &str,
    done: &str,
    empty: &str,
) -> Vec<Out> {
    if items.is_empty() {
        return vec![Out::ErrorWithLf(
            response("Error", m).header("Message", empty),
        )];
    }
    list(m, text, items, done)
}

// ---- channels -----------------------------------------------------------------

/// The other half of a local channel (`…;1` ↔ `…;2`).
fn other_half(name: &str) -> Option<String> {
    let (base, half) = name.rsplit_once(';')?;
    let other = match half {
        "1" => "2",
        "2" => "1",
        _ => return None,
    };
    Some(format!("{base};{other}"))
}

/// `CoreShowChannelMap`: the channels connected to one, through bridges
/// and across local channel pairs.
fn channel_map(model: &Model, m: &Message) -> Vec<Out> {
    let Some(name) = param(m, "Channel") else {
        return error(m, "CoreShowChannelMap requires a channel.");
    };
    let Some(start_chan) = model.by_name(name) else {
        return error(m, &format!("Could not get channel snapshot for {name}"));
    };
    let mut found: Vec<String> = Vec::new();
    let mut stack: Vec<&Channel> = vec![start_chan];
    let mut seen_bridges: Vec<String> = Vec::new();
    while let Some(c) = stack.pop() {
        let Some(bridge) = c.bridge.as_deref().and_then(|id| model.bridge(id)) else {
            continue;
        };
        if seen_bridges.contains(&bridge.id) {
            continue;
        }
        seen_bridges.push(bridge.id.clone());
        for uid in &bridge.members {
            let Some(peer) = model.chan(uid) else {
                continue;
            };
            if peer.uniqueid == c.uniqueid || peer.name == start_chan.name {
                continue;
            }
            if !found.contains(&peer.name) {
                found.push(peer.name.clone());
            }
            if peer.tech().eq_ignore_ascii_case("Local")
                && let Some(other) = other_half(&peer.name).and_then(|n| model.by_name(&n))
            {
                if other.name != start_chan.name && !found.contains(&other.name) {
                    found.push(other.name.clone());
                }
                stack.push(other);
            }
        }
    }
    let items = found
        .iter()
        .map(|peer| {
            item("CoreShowChannelMap", m)
                .header("Channel", &start_chan.name)
                .header("ConnectedChannel", peer)
        })
        .collect();
    list(
        m,
        "Channel map will follow",
        items,
        "CoreShowChannelMapComplete",
    )
}

// ---- device and extension states --------------------------------------------

/// A device's state: as set, else derived (a local channel's device is in
/// use while such a channel exists; a custom state never set is unknown;
/// any other device with a live channel is in use, else invalid).
pub(crate) fn device_state(model: &Model, device: &str) -> String {
    if let Some(s) = model.device(device) {
        return s.to_owned();
    }
    let busy = model.channels.iter().any(|c| c.device == device);
    if busy {
        return "INUSE".to_owned();
    }
    let tech = device.split(['/', ':']).next().unwrap_or_default();
    match tech.to_ascii_lowercase().as_str() {
        "local" => "NOT_INUSE",
        "custom" => "UNKNOWN",
        _ => "INVALID",
    }
    .to_owned()
}

/// Asterisk's `enum ast_device_state` number of a state name.
fn device_code(state: &str) -> u8 {
    match state {
        "NOT_INUSE" => 1,
        "INUSE" => 2,
        "BUSY" => 3,
        "INVALID" => 4,
        "UNAVAILABLE" => 5,
        "RINGING" => 6,
        "RINGINUSE" => 7,
        "ONHOLD" => 8,
        _ => 0,
    }
}

/// The extension state (number, text) of a hint's devices, aggregated as
/// `ast_devstate_aggregate` does.
fn hint_state(model: &Model, hint: &str) -> (i32, &'static str) {
    let severity = |s: &str| match s {
        "NOT_INUSE" => 1,
        "INUSE" => 5,
        "BUSY" => 6,
        "UNAVAILABLE" => 2,
        "RINGING" => 3,
        "RINGINUSE" => 7,
        "ONHOLD" => 4,
        _ => 0,
    };
    let mut agg = "INVALID".to_owned();
    let (mut ringing, mut inuse) = (false, false);
    for dev in hint.split('&').map(str::trim).filter(|d| !d.is_empty()) {
        let st = device_state(model, dev);
        match st.as_str() {
            "RINGING" => ringing = true,
            "INUSE" | "ONHOLD" | "BUSY" => inuse = true,
            _ => {}
        }
        if ringing && inuse {
            agg = "RINGINUSE".to_owned();
        } else if severity(&st) > severity(&agg) {
            agg = st;
        }
    }
    match agg.as_str() {
        "NOT_INUSE" | "UNKNOWN" => (0, "Idle"),
        "INUSE" => (1, "InUse"),
        "BUSY" => (2, "Busy"),
        "RINGING" => (8, "Ringing"),
        "RINGINUSE" => (9, "InUse&Ringing"),
        "ONHOLD" => (16, "Hold"),
        _ => (4, "Unavailable"),
    }
}

fn extension_status(
    b: MessageBuilder,
    model: &Model,
    exten: &str,
    context: &str,
    hint: &str,
) -> MessageBuilder {
    let (status, text) = hint_state(model, hint);
    b.header("Exten", exten)
        .header("Context", context)
        .header("Hint", hint)
        .header("Status", &status.to_string())
        .header("StatusText", text)
}

fn find_hint<'a>(dialplan: &'a [Context], exten: &str, context: &str) -> Option<&'a Priority> {
    dialplan
        .iter()
        .find(|c| c.name == context)?
        .extensions
        .iter()
        .find(|e| e.name == exten)?
        .priorities
        .iter()
        .find(|p| p.is_hint())
}

// ---- dialplan -------------------------------------------------------------------

fn show_dialplan(dialplan: &[Context], m: &Message) -> Vec<Out> {
    let context = param(m, "Context");
    let exten = param(m, "Extension");
    let mut items = Vec::new();
    let (mut n_ctx, mut n_ext, mut n_prio) = (0, 0, 0);
    for ctx in dialplan {
        if context.is_some_and(|c| c != ctx.name) {
            continue;
        }
        let mut any = false;
        for e in &ctx.extensions {
            if exten.is_some_and(|x| x != e.name) {
                continue;
            }
            any = true;
            n_ext += 1;
            for p in &e.priorities {
                n_prio += 1;
                let b = item("ListDialplan", m)
                    .header("Context", &ctx.name)
                    .header("Extension", &e.name);
                let b = if p.is_hint() {
                    b.header("Priority", "hint").header("Application", &p.app)
                } else {
                    b.header("Priority", &p.number.to_string())
                        .header("Application", &p.app)
                        .header("AppData", &p.data)
                };
                items.push(b.header("Registrar", "pbx_config"));
            }
        }
        if any || exten.is_none() {
            n_ctx += 1;
        }
    }
    if items.is_empty() {
        let text = match (exten, context) {
            (Some(e), Some(c)) => format!("Did not find extension {e}@{c}"),
            (None, Some(c)) => format!("Did not find context {c}"),
            _ => "Did not find any dialplan".to_owned(),
        };
        return error(m, &text);
    }
    let mut out = list(
        m,
        "DialPlan list will follow",
        items,
        "ShowDialPlanComplete",
    );
    if let Some(Out::Msg(last)) = out.pop() {
        out.push(Out::Msg(
            last.header("ListExtensions", &n_ext.to_string())
                .header("ListPriorities", &n_prio.to_string())
                .header("ListContexts", &n_ctx.to_string()),
        ));
    }
    out
}

// ---- queues ---------------------------------------------------------------------

/// A queue's live callers: (position, channel, wait), skipping callers
/// whose channel is gone.
fn callers<'a>(
    shared: &Shared,
    model: &'a Model,
    q: &Queue,
) -> Vec<(usize, &'a Channel, Duration, i32)> {
    let since = shared.started.elapsed();
    q.callers
        .iter()
        .filter_map(|c| model.by_name(&c.channel).map(|ch| (ch, c)))
        .enumerate()
        .map(|(i, (ch, c))| (i + 1, ch, c.waited + since, c.priority))
        .collect()
}

/// A member's device state number.
fn member_status(model: &Model, interface: &str) -> u8 {
    device_code(&device_state(model, interface))
}

fn interface(m: &super::pbx::QueueMember) -> &str {
    if m.state_interface.is_empty() {
        &m.location
    } else {
        &m.state_interface
    }
}

/// `unknown` for a caller id Asterisk does not have.
fn or_unknown(v: &str) -> &str {
    if v.is_empty() || v == "<unknown>" {
        "unknown"
    } else {
        v
    }
}

fn queue_status(shared: &Shared, m: &Message) -> Vec<Out> {
    let wanted = param(m, "Queue");
    let member_filter = param(m, "Member");
    let model = shared.model();
    let mut items = Vec::new();
    for q in &shared.config.pbx.queues {
        if wanted.is_some_and(|w| w != q.name) {
            continue;
        }
        let callers = callers(shared, &model, q);
        let params = Message::event("QueueParams")
            .header("Queue", &q.name)
            .header("Max", &q.max.to_string())
            .header("Strategy", &q.strategy)
            .header("Calls", &callers.len().to_string())
            .header("Holdtime", &q.hold_time.to_string())
            .header("TalkTime", &q.talk_time.to_string())
            .header("Completed", &q.completed.to_string())
            .header("Abandoned", &q.abandoned.to_string())
            .header("ServiceLevel", &q.service_level.to_string())
            .header("ServicelevelPerf", &q.service_level_perf)
            .header("ServicelevelPerf2", &q.service_level_perf2)
            .header("Weight", &q.weight.to_string());
        items.push(with_id(params, m));
        for mem in &q.members {
            if member_filter.is_some_and(|f| f != mem.name && f != mem.location) {
                continue;
            }
            let b = Message::event("QueueMember")
                .header("Queue", &q.name)
                .header("Name", &mem.name)
                .header("Location", &mem.location)
                .header("StateInterface", interface(mem))
                .header("Membership", &mem.membership)
                .header("Penalty", &mem.penalty.to_string())
                .header("CallsTaken", &mem.calls_taken.to_string())
                .header("LastCall", &mem.last_call.to_string())
                .header("LastPause", &mem.last_pause.to_string())
                .header("LoginTime", &mem.login_time.to_string())
                .header("InCall", "0")
                .header("Status", &member_status(&model, interface(mem)).to_string())
                .header("Paused", if mem.paused { "1" } else { "0" })
                .header("PausedReason", &mem.paused_reason)
                .header("Wrapuptime", &mem.wrapup_time.to_string());
            items.push(with_id(b, m));
        }
        for (pos, ch, wait, prio) in callers {
            let b = Message::event("QueueEntry")
                .header("Queue", &q.name)
                .header("Position", &pos.to_string())
                .header("Channel", &ch.name)
                .header("Uniqueid", &ch.uniqueid)
                .header("CallerIDNum", or_unknown(&ch.cid_num))
                .header("CallerIDName", or_unknown(&ch.cid_name))
                .header("ConnectedLineNum", or_unknown(&ch.cl_num))
                .header("ConnectedLineName", or_unknown(&ch.cl_name))
                .header("Wait", &wait.as_secs().to_string())
                .header("Priority", &prio.to_string());
            items.push(with_id(b, m));
        }
    }
    list(m, "Queue status will follow", items, "QueueStatusComplete")
}

fn queue_summary(shared: &Shared, m: &Message) -> Vec<Out> {
    let wanted = param(m, "Queue");
    let model = shared.model();
    let mut items = Vec::new();
    for q in &shared.config.pbx.queues {
        if wanted.is_some_and(|w| w != q.name) {
            continue;
        }
        let (mut logged_in, mut available) = (0, 0);
        for mem in &q.members {
            let st = member_status(&model, interface(mem));
            // Neither unavailable (5) nor invalid (4).
            if st != 5 && st != 4 {
                logged_in += 1;
                if (st == 1 || st == 0) && !mem.paused {
                    available += 1;
                }
            }
        }
        let callers = callers(shared, &model, q);
        let longest = callers.iter().map(|c| c.2.as_secs()).max().unwrap_or(0);
        let b = Message::event("QueueSummary")
            .header("Queue", &q.name)
            .header("LoggedIn", &logged_in.to_string())
            .header("Available", &available.to_string())
            .header("Callers", &callers.len().to_string())
            .header("HoldTime", &q.hold_time.to_string())
            .header("TalkTime", &q.talk_time.to_string())
            .header("LongestHoldTime", &longest.to_string());
        items.push(with_id(b, m));
    }
    list(
        m,
        "Queue summary will follow",
        items,
        "QueueSummaryComplete",
    )
}

// ---- ListCommands -------------------------------------------------------------------

/// The actions the simulator implements, with Asterisk 22's synopses and
/// privileges.
fn default_commands() -> Vec<ManagerCommand> {
    const OWN: &[(&str, &str, &str)] = &[
        ("Agents", "Lists agents and their status.", "agent,all"),
        (
            "BridgeList",
            "Get a list of bridges in the system.",
            "<none>",
        ),
        ("Challenge", "Generate Challenge for MD5 Auth.", "<none>"),
        ("Command", "Execute Asterisk CLI Command.", "command,all"),
        (
            "ConfbridgeListRooms",
            "List active conferences.",
            "reporting,all",
        ),
        (
            "CoreSettings",
            "Show PBX core settings (version etc).",
            "system,reporting,all",
        ),
        (
            "CoreShowChannelMap",
            "List all channels connected to the specified channel.",
            "system,reporting,all",
        ),
        (
            "CoreShowChannels",
            "List currently active channels.",
            "system,reporting,all",
        ),
        (
            "CoreStatus",
            "Show PBX core status variables.",
            "system,reporting,all",
        ),
        (
            "DeviceStateList",
            "List the current known device states.",
            "call,reporting,all",
        ),
        ("Events", "Control Event Flow.", "<none>"),
        (
            "ExtensionState",
            "Check Extension Status.",
            "call,reporting,all",
        ),
        (
            "ExtensionStateList",
            "List the current known extension states.",
            "call,reporting,all",
        ),
        (
            "Getvar",
            "Gets a channel variable or function value.",
            "call,reporting,all",
        ),
        ("Hangup", "Hangup channel.", "system,call,all"),
        ("ListCommands", "List available manager commands.", "<none>"),
        ("Login", "Login Manager.", "<none>"),
        ("Logoff", "Logoff Manager.", "<none>"),
        ("Originate", "Originate a call.", "originate,all"),
        ("ParkedCalls", "List parked calls.", "call,all"),
        ("Ping", "Keepalive command.", "<none>"),
        ("PJSIPShowAors", "Lists PJSIP AORs.", "system,all"),
        ("PJSIPShowAuths", "Lists PJSIP Auths.", "system,all"),
        ("PJSIPShowContacts", "Lists PJSIP Contacts.", "system,all"),
        (
            "PJSIPShowEndpoint",
            "Detail listing of an endpoint and its objects.",
            "system,all",
        ),
        ("PJSIPShowEndpoints", "Lists PJSIP endpoints.", "system,all"),
        (
            "PJSIPShowRegistrationsInbound",
            "Lists PJSIP inbound registrations.",
            "system,all",
        ),
        ("QueueStatus", "Show queue status.", "<none>"),
        ("QueueSummary", "Show queue summary.", "<none>"),
        (
            "Setvar",
            "Sets a channel variable or function value.",
            "call,all",
        ),
        (
            "ShowDialPlan",
            "Show dialplan contexts and extensions",
            "config,reporting,all",
        ),
        (
            "Status",
            "List channel status.",
            "system,call,reporting,all",
        ),
        ("UserEvent", "Send an arbitrary event.", "user,all"),
    ];
    OWN.iter()
        .map(|(name, synopsis, privilege)| ManagerCommand {
            name: (*name).to_owned(),
            synopsis: (*synopsis).to_owned(),
            privilege: (*privilege).to_owned(),
        })
        .collect()
}
