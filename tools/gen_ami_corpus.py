#!/usr/bin/env python3
# The generator of the corpus of the AMI peer study (its section 6), carried into this repository.
"""Generate a synthetic but realistic Asterisk Manager Interface (AMI) event stream.

The output imitates what a client logged in with `Events: on` receives from an
Asterisk 18-22 server handling ordinary two-party calls through PJSIP:

  * first line is the AMI banner (`Asterisk Call Manager/<ver>\r\n`),
  * every message is a block of `Key: Value\r\n` lines closed by an empty
    line (`\r\n`), so messages are separated by `\r\n\r\n`,
  * field sets and field order follow Asterisk's channel/bridge snapshot
    formatting (manager_channels.c / manager_bridges.c): Channel, ChannelState,
    ChannelStateDesc, CallerIDNum, CallerIDName, ConnectedLineNum,
    ConnectedLineName, Language, AccountCode, Context, Exten, Priority,
    Uniqueid, Linkedid; `Dest*`-prefixed second snapshot for Dial events;
    Bridge* snapshot for BridgeEnter/BridgeLeave,
  * empty values are written as `Key: \r\n` (Asterisk keeps the space),
  * optional repeated `ChanVariable: NAME=value` headers (as emitted when
    manager.conf `channelvars=` is set) on a fraction of snapshot events,
  * a small share of caller names carry non-ASCII UTF-8 text.

Event mix per simulated call: Newchannel, Newstate, Newexten, VarSet,
DialBegin, DialEnd, BridgeEnter, BridgeLeave, Hangup, DeviceStateChange and
occasional UserEvent messages, interleaved across concurrent calls.

Usage: gen_ami_corpus.py OUT_FILE [--mb 50] [--seed 1] [--chanvars 0.25]
Prints a summary (bytes, messages, lines, per-event counts) to stdout.
Deterministic for a given seed.
"""

import argparse
import collections
import random
import uuid

EOL = "\r\n"

FIRST = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi",
         "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert",
         "Sybil", "Trent", "Victor", "Walter", "Yolanda"]
LAST = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Davies", "Evans",
        "Thomas", "Johnson", "Roberts", "Walker", "Wright", "Robinson"]
UTF8_NAMES = ["José Müller", "Zoë Ångström", "Łukasz Żółć", "Renée Façade",
              "Иван Петров", "山田 太郎", "Søren Kierkegård"]
CONTEXTS = ["from-internal", "from-trunk", "ext-local", "macro-dial-one",
            "from-pstn", "ivr-main"]
HANGUP_CAUSES = [(16, "Normal Clearing"), (17, "User busy"),
                 (19, "No answer"), (21, "Call Rejected"),
                 (34, "Circuit/channel congestion"), (0, "Unknown")]
DIAL_STATUS = ["ANSWER", "ANSWER", "ANSWER", "ANSWER", "BUSY", "NOANSWER",
               "CANCEL", "CONGESTION"]
STATE_DESC = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up"}
DEV_STATES = ["NOT_INUSE", "INUSE", "RINGING", "RINGINUSE", "ONHOLD",
              "UNAVAILABLE"]
VARSET_VARS = [
    ("__FROM_DID", lambda r: str(r.randint(2000000000, 9999999999))),
    ("CDR(dstchannel)", lambda r: "PJSIP/%d-%08x" % (r.randint(100, 999), r.randint(0, 1 << 24))),
    ("DIALSTATUS", lambda r: r.choice(DIAL_STATUS)),
    ("DIALEDPEERNUMBER", lambda r: "%d@trunk" % r.randint(100, 999)),
    ("BRIDGEPEER", lambda r: "PJSIP/%d-%08x" % (r.randint(100, 999), r.randint(0, 1 << 24))),
    ("MIXMONITOR_FILENAME", lambda r: "/var/spool/asterisk/monitor/2026/11/21/out-%d-%d.wav" % (r.randint(100, 999), r.randint(1, 10**9))),
    ("RTPAUDIOQOS", lambda r: "ssrc=%d;themssrc=%d;lp=0;rxjitter=0.000%d;rxcount=%d;txjitter=0.00%d;txcount=%d;rlp=0;rtt=0.000000" % (
        r.randint(1, 1 << 31), r.randint(1, 1 << 31), r.randint(0, 999), r.randint(0, 99999), r.randint(0, 99), r.randint(0, 99999))),
    ("PJSIP_HEADER(read,X-Call-ID)", lambda r: uuid.UUID(int=r.getrandbits(128)).hex),
    ("SHARED(CALLERID)", lambda r: str(r.randint(100, 999))),
    ("TOUCH_MONITOR", lambda r: "%d.%d" % (r.randint(1700000000, 1800000000), r.randint(0, 9999))),
]
APPS = [("Dial", lambda r, ext: "PJSIP/%s,30,tTr" % ext),
        ("Set", lambda r, ext: "__FROM_DID=%d" % r.randint(2000000000, 9999999999)),
        ("NoOp", lambda r, ext: "Call from %s" % ext),
        ("Gosub", lambda r, ext: "sub-record-check,s,1(in,%s,dontcare)" % ext),
        ("ExecIf", lambda r, ext: "$[\"${CALLERID(name)}\" = \"\"]?Set(CALLERID(name)=%s)" % ext),
        ("MixMonitor", lambda r, ext: "in-%s-%d.wav,ab" % (ext, r.randint(1, 10**9))),
        ("Answer", lambda r, ext: ""),
        ("Macro", lambda r, ext: "dial-one,,%s" % ext)]
CHANVARS = ["CDR(accountcode)", "FROM_DID", "CALLTYPE", "TRUNK"]


class Chan:
    __slots__ = ("name", "state", "num", "cname", "cl_num", "cl_name", "ctx",
                 "exten", "prio", "uid", "lid", "dev", "vars")


class Gen:
    def __init__(self, seed, chanvar_share):
        self.r = random.Random(seed)
        self.t = 1763700000.0
        self.seq = 0
        self.chanseq = 0
        self.chanvar_share = chanvar_share
        self.counts = collections.Counter()

    def person(self):
        r = self.r
        if r.random() < 0.05:
            return r.choice(UTF8_NAMES)
        return "%s %s" % (r.choice(FIRST), r.choice(LAST))

    def new_uid(self):
        self.seq += 1
        self.t += self.r.random() * 0.01
        return "%d.%d" % (int(self.t), self.seq)

    def new_chan(self, ext, num, cname, ctx, lid=None):
        self.chanseq += 1
        c = Chan()
        c.dev = "PJSIP/%s" % ext
        c.name = "PJSIP/%s-%08x" % (ext, self.chanseq)
        c.state = 0
        c.num, c.cname = num, cname
        c.cl_num, c.cl_name = "<unknown>", "<unknown>"
        c.ctx, c.exten, c.prio = ctx, "s", 1
        c.uid = self.new_uid()
        c.lid = lid or c.uid
        c.vars = None
        if self.r.random() < self.chanvar_share:
            c.vars = [(CHANVARS[0], "acct%d" % self.r.randint(1, 50)),
                      (CHANVARS[1], str(self.r.randint(2000000000, 9999999999))),
                      (CHANVARS[2], self.r.choice(["internal", "inbound", "outbound"]))]
        return c

    @staticmethod
    def snapshot(c, prefix=""):
        out = [
            (prefix + "Channel", c.name),
            (prefix + "ChannelState", str(c.state)),
            (prefix + "ChannelStateDesc", STATE_DESC[c.state]),
            (prefix + "CallerIDNum", c.num),
            (prefix + "CallerIDName", c.cname),
            (prefix + "ConnectedLineNum", c.cl_num),
            (prefix + "ConnectedLineName", c.cl_name),
            (prefix + "Language", "en"),
            (prefix + "AccountCode", ""),
            (prefix + "Context", c.ctx),
            (prefix + "Exten", c.exten),
            (prefix + "Priority", str(c.prio)),
            (prefix + "Uniqueid", c.uid),
            (prefix + "Linkedid", c.lid),
        ]
        if c.vars:
            for k, v in c.vars:
                out.append((prefix + "ChanVariable", "%s=%s" % (k, v)))
        return out

    def msg(self, event, fields, privilege="call,all"):
        self.counts[event] += 1
        lines = ["Event: " + event, "Privilege: " + privilege]
        lines += ["%s: %s" % kv for kv in fields]
        return EOL.join(lines) + EOL + EOL

    # ---- one call as a list of message generators (closures) -----------
    def call_script(self):
        r = self.r
        a_ext = str(r.randint(100, 999))
        b_ext = str(r.randint(100, 999))
        ctx = r.choice(CONTEXTS)
        a = self.new_chan(a_ext, a_ext, self.person(), ctx)
        b = self.new_chan(b_ext, b_ext, self.person(), "from-internal", lid=a.lid)
        b.cl_num, b.cl_name = a.num, a.cname
        bridge_id = str(uuid.UUID(int=r.getrandbits(128)))
        status = r.choice(DIAL_STATUS)
        steps = []

        def E(event, fn, priv="call,all"):
            steps.append(lambda: self.msg(event, fn(), priv))

        E("Newchannel", lambda: self.snapshot(a))
        E("DeviceStateChange", lambda: [("Device", a.dev), ("State", "INUSE")])

        def set_exten():
            a.exten = b_ext
            a.state = 4
            return self.snapshot(a)
        E("Newstate", set_exten)
        for i in range(r.randint(3, 8)):
            app, data = r.choice(APPS)

            def newexten(app=app, data=data):
                a.prio += 1
                return self.snapshot(a) + [("Extension", a.exten),
                                           ("Application", app),
                                           ("AppData", data(r, b_ext))]
            E("Newexten", newexten, "dialplan,all")
            for _ in range(r.randint(0, 2)):
                name, valfn = r.choice(VARSET_VARS)
                E("VarSet", lambda name=name, valfn=valfn: self.snapshot(a) + [
                    ("Variable", name), ("Value", valfn(r))], "dialplan,all")
        E("Newchannel", lambda: self.snapshot(b))
        E("DialBegin", lambda: self.snapshot(a) + self.snapshot(b, "Dest") + [
            ("DialString", b_ext)])
        E("DeviceStateChange", lambda: [("Device", b.dev), ("State", "RINGING")])

        def ringing():
            b.state = 5
            return self.snapshot(b)
        E("Newstate", ringing)
        answered = status == "ANSWER"

        def dialend():
            if answered:
                b.state = 6
            return self.snapshot(a) + self.snapshot(b, "Dest") + [("DialStatus", status)]
        E("DialEnd", dialend)
        if answered:
            def up_a():
                a.state = 6
                a.cl_num, a.cl_name = b.num, b.cname
                return self.snapshot(a)
            E("Newstate", up_a)
            E("DeviceStateChange", lambda: [("Device", b.dev), ("State", "INUSE")])

            def bridge(c, n):
                return [("BridgeUniqueid", bridge_id), ("BridgeType", "basic"),
                        ("BridgeTechnology", "simple_bridge"),
                        ("BridgeCreator", "<unknown>"), ("BridgeName", "<unknown>"),
                        ("BridgeNumChannels", str(n)),
                        ("BridgeVideoSourceMode", "none")] + self.snapshot(c)
            E("BridgeEnter", lambda: bridge(b, 1))
            E("BridgeEnter", lambda: bridge(a, 2))
            for _ in range(r.randint(1, 4)):
                name, valfn = r.choice(VARSET_VARS)
                E("VarSet", lambda name=name, valfn=valfn: self.snapshot(b) + [
                    ("Variable", name), ("Value", valfn(r))], "dialplan,all")
            if r.random() < 0.3:
                E("UserEvent", lambda: self.snapshot(a) + [
                    ("UserEvent", r.choice(["CallRecording", "CrmPop", "QueueTag"])),
                    ("Direction", r.choice(["in", "out"])),
                    ("Filename", "rec-%s-%d.wav" % (a.uid, r.randint(1, 10**6))),
                    ("Agent", b_ext)], "user,all")
            E("BridgeLeave", lambda: bridge(a, 1))
            E("BridgeLeave", lambda: bridge(b, 0))
        cause = HANGUP_CAUSES[0] if answered else r.choice(HANGUP_CAUSES[1:])
        E("Hangup", lambda: self.snapshot(b) + [("Cause", str(cause[0])), ("Cause-txt", cause[1])])
        E("DeviceStateChange", lambda: [("Device", b.dev), ("State", "NOT_INUSE")])
        E("Hangup", lambda: self.snapshot(a) + [("Cause", str(cause[0])), ("Cause-txt", cause[1])])
        E("DeviceStateChange", lambda: [("Device", a.dev), ("State", "NOT_INUSE")])
        return steps

    def stream(self, target_bytes, concurrency=40):
        """Interleave `concurrency` calls, emitting one step at a time."""
        r = self.r
        active = [iter(self.call_script()) for _ in range(concurrency)]
        out = ["Asterisk Call Manager/9.0.0" + EOL]
        size = len(out[0])
        while size < target_bytes:
            i = r.randrange(len(active))
            step = next(active[i], None)
            if step is None:
                active[i] = iter(self.call_script())
                continue
            m = step()
            out.append(m)
            size += len(m.encode("utf-8"))
        # finish nothing half-way: the last message is complete by construction
        return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chanvars", type=float, default=0.25,
                    help="share of channels carrying ChanVariable headers")
    a = ap.parse_args()
    g = Gen(a.seed, a.chanvars)
    text = g.stream(int(a.mb * 1024 * 1024))
    data = text.encode("utf-8")
    with open(a.out, "wb") as f:
        f.write(data)
    n = sum(g.counts.values())
    lines = data.count(b"\n")
    print("bytes=%d messages=%d lines=%d avg_msg_bytes=%.1f avg_fields=%.1f"
          % (len(data), n, lines, len(data) / n, (lines - 1 - n) / n))
    for k, v in sorted(g.counts.items(), key=lambda kv: -kv[1]):
        print("  %-18s %7d  %5.1f%%" % (k, v, 100.0 * v / n))


if __name__ == "__main__":
    main()
