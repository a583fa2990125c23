//! The PBX model: channels, bridges, device states, global variables, and
//! the Asterisk 22 header blocks built from them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::{Message, MessageBuilder};

use super::config::PbxState;
use super::pbx::SeedChannel;
use super::util;

/// `Privilege:` of call events.
pub(crate) const CALL: &str = "call,all";
/// `Privilege:` of dialplan events (`Newexten`, `VarSet`).
pub(crate) const DIALPLAN: &str = "dialplan,all";
/// `Privilege:` of queue and agent events.
pub(crate) const AGENT: &str = "agent,all";
/// The context every simulated phone dials from.
pub(crate) const CONTEXT: &str = "from-internal";

/// Starts an unsolicited event: `Event:` then `Privilege:` second.
pub(crate) fn event(name: &str, privilege: &str) -> MessageBuilder {
    Message::event(name).header("Privilege", privilege)
}

/// A channel state, with Asterisk's number and text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChanState {
    Down,
    Ring,
    Ringing,
    Up,
    Busy,
}

impl ChanState {
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Down => 0,
            Self::Ring => 4,
            Self::Ringing => 5,
            Self::Up => 6,
            Self::Busy => 7,
        }
    }

    pub(crate) fn desc(self) -> &'static str {
        match self {
            Self::Down => "Down",
            Self::Ring => "Ring",
            Self::Ringing => "Ringing",
            Self::Up => "Up",
            Self::Busy => "Busy",
        }
    }
}

/// One channel (one leg of a call).
#[derive(Clone, Debug)]
pub(crate) struct Channel {
    pub(crate) name: String,
    /// `PJSIP/1001`.
    pub(crate) device: String,
    pub(crate) state: ChanState,
    pub(crate) cid_num: String,
    pub(crate) cid_name: String,
    pub(crate) cl_num: String,
    pub(crate) cl_name: String,
    pub(crate) context: String,
    pub(crate) exten: String,
    pub(crate) priority: u32,
    pub(crate) uniqueid: String,
    pub(crate) linkedid: String,
    pub(crate) app: String,
    pub(crate) app_data: String,
    pub(crate) bridge: Option<String>,
    /// Channel variables, most recently set first (Asterisk's order).
    pub(crate) vars: Vec<(String, String)>,
    pub(crate) created: Instant,
    /// Media format (`ulaw`, `slin`).
    pub(crate) format: String,
    /// Set by the `Hangup` action: the cause to hang up with.
    pub(crate) hangup_requested: Option<u32>,
}

impl Channel {
    /// The channel technology (`PJSIP`, `Local`), from its name.
    pub(crate) fn tech(&self) -> &str {
        self.name.split('/').next().unwrap_or_default()
    }

    pub(crate) fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn set_var(&mut self, name: &str, value: &str) {
        self.vars.retain(|(n, _)| n != name);
        self.vars.insert(0, (name.to_owned(), value.to_owned()));
    }

    /// The value of a dialplan function or builtin variable on this
    /// channel, for the few the simulator knows.
    pub(crate) fn function(&self, expr: &str) -> Option<String> {
        let e = expr.to_ascii_uppercase();
        Some(match e.as_str() {
            "CHANNEL(NAME)" | "CHANNEL" => self.name.clone(),
            "CHANNEL(UNIQUEID)" | "UNIQUEID" => self.uniqueid.clone(),
            "CHANNEL(LINKEDID)" => self.linkedid.clone(),
            "CHANNEL(LANGUAGE)" => "en".to_owned(),
            "CHANNEL(STATE)" => self.state.desc().to_owned(),
            "CALLERID(NUM)" => self.cid_num.clone(),
            "CALLERID(NAME)" => self.cid_name.clone(),
            "CONTEXT" => self.context.clone(),
            "EXTEN" => self.exten.clone(),
            "PRIORITY" => self.priority.to_string(),
            _ => return None,
        })
    }
}

/// One bridge (two channels talking).
#[derive(Clone, Debug)]
pub(crate) struct Bridge {
    pub(crate) id: String,
    /// Uniqueids of the channels in it, in entry order.
    pub(crate) members: Vec<String>,
    /// Type, technology, creator, name, video source mode.
    pub(crate) kind: [String; 5],
}

impl Bridge {
    fn basic(id: String) -> Self {
        Self {
            id,
            members: Vec::new(),
            kind: ["basic", "simple_bridge", "<unknown>", "<unknown>", "none"].map(str::to_owned),
        }
    }

    /// The bridge snapshot block (`BridgeUniqueid` … `BridgeVideoSourceMode`).
    pub(crate) fn block(&self, b: MessageBuilder) -> MessageBuilder {
        b.header("BridgeUniqueid", &self.id)
            .header("BridgeType", &self.kind[0])
            .header("BridgeTechnology", &self.kind[1])
            .header("BridgeCreator", &self.kind[2])
            .header("BridgeName", &self.kind[3])
            .header("BridgeNumChannels", &self.members.len().to_string())
            .header("BridgeVideoSourceMode", &self.kind[4])
    }
}

/// The whole PBX state.
#[derive(Debug)]
pub(crate) struct Model {
    /// Live channels in creation order.
    pub(crate) channels: Vec<Channel>,
    pub(crate) bridges: Vec<Bridge>,
    /// Device states in first-set order.
    pub(crate) devices: Vec<(String, String)>,
    pub(crate) globals: BTreeMap<String, String>,
    pub(crate) processed_calls: u64,
    device_names: BTreeMap<String, String>,
    clock: util::Clock,
    chan_seq: u64,
    uid_seq: u64,
    bridge_seq: u64,
}

impl Model {
    pub(crate) fn new(
        globals: BTreeMap<String, String>,
        device_names: BTreeMap<String, String>,
        clock: util::Clock,
        pbx: &PbxState,
    ) -> Self {
        let now = Instant::now();
        let channels: Vec<Channel> = pbx.channels.iter().map(|c| seeded(c, now)).collect();
        let bridges = pbx
            .bridges
            .iter()
            .map(|b| Bridge {
                id: b.id.clone(),
                members: channels
                    .iter()
                    .filter(|c| c.bridge.as_deref() == Some(b.id.as_str()))
                    .map(|c| c.uniqueid.clone())
                    .collect(),
                kind: [
                    &b.bridge_type,
                    &b.technology,
                    &b.creator,
                    &b.name,
                    &b.video_source_mode,
                ]
                .map(String::clone),
            })
            .collect();
        Self {
            channels,
            bridges,
            devices: pbx.device_states.clone(),
            globals,
            processed_calls: 0,
            device_names,
            clock,
            chan_seq: 0,
            uid_seq: 0,
            bridge_seq: 0,
        }
    }

    /// The caller id name of a device (`<unknown>` if it has none).
    pub(crate) fn name_of(&self, number: &str) -> String {
        self.device_names
            .get(number)
            .cloned()
            .unwrap_or_else(|| "<unknown>".to_owned())
    }

    /// Creates a channel for device `number` (a `PJSIP/<number>` phone),
    /// positioned at `exten@from-internal:1`. Returns its uniqueid.
    pub(crate) fn new_channel(
        &mut self,
        number: &str,
        exten: &str,
        linkedid: Option<&str>,
    ) -> String {
        self.chan_seq += 1;
        let uniqueid = format!("{}.{}", self.clock.now().as_secs(), self.uid_seq);
        self.uid_seq += 1;
        let ch = Channel {
            name: format!("PJSIP/{number}-{:08x}", self.chan_seq),
            device: format!("PJSIP/{number}"),
            state: ChanState::Down,
            cid_num: number.to_owned(),
            cid_name: self.name_of(number),
            cl_num: "<unknown>".to_owned(),
            cl_name: "<unknown>".to_owned(),
            context: CONTEXT.to_owned(),
            exten: exten.to_owned(),
            priority: 1,
            linkedid: linkedid.map_or_else(|| uniqueid.clone(), str::to_owned),
            uniqueid: uniqueid.clone(),
            app: String::new(),
            app_data: String::new(),
            bridge: None,
            vars: Vec::new(),
            created: Instant::now(),
            format: "ulaw".to_owned(),
            hangup_requested: None,
        };
        self.channels.push(ch);
        uniqueid
    }

    /// The wall clock (time since the Unix epoch).
    pub(crate) fn now(&self) -> Duration {
        self.clock.now()
    }

    /// Creates the two halves of a Local channel to `exten@context`
    /// (`Local/exten@context-0000000a;1` in state Down and `…;2` in state
    /// Ring, both positioned at `exten@context:1`, caller ids unknown).
    /// The `;1` half's `Linkedid` is `linkedid` (or its own `Uniqueid`),
    /// the `;2` half's the same. Returns both uniqueids.
    pub(crate) fn new_local_pair(
        &mut self,
        exten: &str,
        context: &str,
        linkedid: Option<&str>,
    ) -> (String, String) {
        self.chan_seq += 1;
        let seq = self.chan_seq;
        let device = format!("Local/{exten}@{context}");
        let mut uids = Vec::with_capacity(2);
        let mut linked = linkedid.map(str::to_owned);
        for (half, state) in [(1, ChanState::Down), (2, ChanState::Ring)] {
            let uniqueid = format!("{}.{}", self.clock.now().as_secs(), self.uid_seq);
            self.uid_seq += 1;
            let linkedid = linked.get_or_insert_with(|| uniqueid.clone()).clone();
            self.channels.push(Channel {
                name: format!("{device}-{seq:08x};{half}"),
                device: device.clone(),
                state,
                cid_num: "<unknown>".to_owned(),
                cid_name: "<unknown>".to_owned(),
                cl_num: "<unknown>".to_owned(),
                cl_name: "<unknown>".to_owned(),
                context: context.to_owned(),
                exten: exten.to_owned(),
                priority: 1,
                linkedid,
                uniqueid: uniqueid.clone(),
                app: String::new(),
                app_data: String::new(),
                bridge: None,
                vars: Vec::new(),
                created: Instant::now(),
                format: "slin".to_owned(),
                hangup_requested: None,
            });
            uids.push(uniqueid);
        }
        let two = uids.pop().unwrap_or_default();
        let one = uids.pop().unwrap_or_default();
        (one, two)
    }

    pub(crate) fn chan(&self, uid: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.uniqueid == uid)
    }

    pub(crate) fn chan_mut(&mut self, uid: &str) -> Option<&mut Channel> {
        self.channels.iter_mut().find(|c| c.uniqueid == uid)
    }

    /// A channel by name (ignoring ASCII case, as Asterisk looks them up).
    pub(crate) fn by_name(&self, name: &str) -> Option<&Channel> {
        self.channels
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub(crate) fn by_name_mut(&mut self, name: &str) -> Option<&mut Channel> {
        self.channels
            .iter_mut()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub(crate) fn remove_channel(&mut self, uid: &str) {
        self.channels.retain(|c| c.uniqueid != uid);
    }

    pub(crate) fn new_bridge(&mut self) -> String {
        self.bridge_seq += 1;
        let id = util::uuid_like(self.bridge_seq);
        self.bridges.push(Bridge::basic(id.clone()));
        id
    }

    pub(crate) fn bridge(&self, id: &str) -> Option<&Bridge> {
        self.bridges.iter().find(|b| b.id == id)
    }

    /// Puts a channel into a bridge; returns the new member count.
    pub(crate) fn enter_bridge(&mut self, id: &str, uid: &str) -> usize {
        if let Some(c) = self.chan_mut(uid) {
            c.bridge = Some(id.to_owned());
        }
        match self.bridges.iter_mut().find(|b| b.id == id) {
            Some(b) => {
                b.members.push(uid.to_owned());
                b.members.len()
            }
            None => 0,
        }
    }

    /// Takes a channel out of its bridge; returns the remaining count.
    pub(crate) fn leave_bridge(&mut self, id: &str, uid: &str) -> usize {
        if let Some(c) = self.chan_mut(uid) {
            c.bridge = None;
        }
        match self.bridges.iter_mut().find(|b| b.id == id) {
            Some(b) => {
                b.members.retain(|m| m != uid);
                b.members.len()
            }
            None => 0,
        }
    }

    pub(crate) fn remove_bridge(&mut self, id: &str) {
        self.bridges.retain(|b| b.id != id);
    }

    /// Distinct calls (linkedids) among the live channels.
    pub(crate) fn active_calls(&self) -> usize {
        let mut ids: Vec<&str> = self.channels.iter().map(|c| c.linkedid.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }

    /// True if another live channel than `except` is on `device`.
    pub(crate) fn device_busy(&self, device: &str, except: &str) -> bool {
        self.channels
            .iter()
            .any(|c| c.device == device && c.uniqueid != except)
    }

    /// A device's state, if it was ever set.
    pub(crate) fn device(&self, device: &str) -> Option<&str> {
        self.devices
            .iter()
            .find(|(d, _)| d == device)
            .map(|(_, s)| s.as_str())
    }

    /// Sets a device's state; false if it already had it.
    pub(crate) fn set_device(&mut self, device: &str, state: &str) -> bool {
        match self.devices.iter_mut().find(|(d, _)| d == device) {
            Some((_, s)) if s == state => false,
            Some((_, s)) => {
                state.clone_into(s);
                true
            }
            None => {
                self.devices.push((device.to_owned(), state.to_owned()));
                true
            }
        }
    }

    // ---- header blocks -------------------------------------------------

    /// The channel snapshot block (`Channel` … `Linkedid`), with a prefix
    /// (`Dest`, `Transferer`, …).
    pub(crate) fn snapshot(&self, b: MessageBuilder, prefix: &str, uid: &str) -> MessageBuilder {
        match self.chan(uid) {
            Some(c) => snapshot(b, prefix, c),
            None => b,
        }
    }

    /// The bridge block (`BridgeUniqueid` … `BridgeVideoSourceMode`).
    pub(crate) fn bridge_block(&self, b: MessageBuilder, id: &str) -> MessageBuilder {
        let n = self.bridge(id).map_or(0, |b| b.members.len());
        bridge_block(b, "", id, n)
    }

    /// An event with one channel snapshot.
    pub(crate) fn chan_event(&self, name: &str, privilege: &str, uid: &str) -> MessageBuilder {
        self.snapshot(event(name, privilege), "", uid)
    }

    /// An event with the caller's snapshot then the callee's (`Dest…`).
    pub(crate) fn pair_event(
        &self,
        name: &str,
        privilege: &str,
        uid: &str,
        dest: &str,
    ) -> MessageBuilder {
        let b = self.snapshot(event(name, privilege), "", uid);
        self.snapshot(b, "Dest", dest)
    }
}

/// A model channel from a seeded one.
fn seeded(c: &SeedChannel, now: Instant) -> Channel {
    let state = match c.state.to_ascii_lowercase().as_str() {
        "down" => ChanState::Down,
        "ring" => ChanState::Ring,
        "ringing" => ChanState::Ringing,
        _ => ChanState::Up,
    };
    let or_unknown = |v: &str| {
        if v.is_empty() {
            "<unknown>".to_owned()
        } else {
            v.to_owned()
        }
    };
    Channel {
        name: c.name.clone(),
        device: c
            .name
            .rsplit_once('-')
            .map_or_else(|| c.name.clone(), |(d, _)| d.to_owned()),
        state,
        cid_num: or_unknown(&c.caller_id_num),
        cid_name: or_unknown(&c.caller_id_name),
        cl_num: or_unknown(&c.connected_line_num),
        cl_name: or_unknown(&c.connected_line_name),
        context: c.context.clone(),
        exten: c.exten.clone(),
        priority: c.priority,
        uniqueid: c.uniqueid.clone(),
        linkedid: c.linkedid.clone(),
        app: c.application.clone(),
        app_data: c.application_data.clone(),
        bridge: c.bridge.clone().filter(|b| !b.is_empty()),
        vars: c.variables.clone(),
        created: now.checked_sub(c.age).unwrap_or(now),
        format: if c.format.is_empty() {
            "ulaw".to_owned()
        } else {
            c.format.clone()
        },
        hangup_requested: None,
    }
}

/// The channel snapshot block, in Asterisk 22's order.
pub(crate) fn snapshot(b: MessageBuilder, p: &str, c: &Channel) -> MessageBuilder {
    b.header(&format!("{p}Channel"), &c.name)
        .header(&format!("{p}ChannelState"), &c.state.code().to_string())
        .header(&format!("{p}ChannelStateDesc"), c.state.desc())
        .header(&format!("{p}CallerIDNum"), &c.cid_num)
        .header(&format!("{p}CallerIDName"), &c.cid_name)
        .header(&format!("{p}ConnectedLineNum"), &c.cl_num)
        .header(&format!("{p}ConnectedLineName"), &c.cl_name)
        .header(&format!("{p}Language"), "en")
        .header(&format!("{p}AccountCode"), "")
        .header(&format!("{p}Context"), &c.context)
        .header(&format!("{p}Exten"), &c.exten)
        .header(&format!("{p}Priority"), &c.priority.to_string())
        .header(&format!("{p}Uniqueid"), &c.uniqueid)
        .header(&format!("{p}Linkedid"), &c.linkedid)
}

/// The bridge snapshot block of a basic two-party bridge.
pub(crate) fn bridge_block(b: MessageBuilder, p: &str, id: &str, members: usize) -> MessageBuilder {
    b.header(&format!("{p}BridgeUniqueid"), id)
        .header(&format!("{p}BridgeType"), "basic")
        .header(&format!("{p}BridgeTechnology"), "simple_bridge")
        .header(&format!("{p}BridgeCreator"), "<unknown>")
        .header(&format!("{p}BridgeName"), "<unknown>")
        .header(&format!("{p}BridgeNumChannels"), &members.to_string())
        .header(&format!("{p}BridgeVideoSourceMode"), "none")
}

/// `DeviceStateChange` for a device.
pub(crate) fn device_state(device: &str, state: &str) -> MessageBuilder {
    event("DeviceStateChange", CALL)
        .header("Device", device)
        .header("State", state)
}

/// How long a channel has existed.
pub(crate) fn age(c: &Channel) -> Duration {
    c.created.elapsed()
}
