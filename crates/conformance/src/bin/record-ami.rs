//! Records an AMI scenario played by `ami-proto`'s simulator as a fixture
//! transcript: `cargo run -p conformance --bin record-ami -- <scenario>`
//! with `basic-call`, `blind-transfer` or `queue-call`; the transcript goes
//! to standard output.
//!
//! The client side is written out by hand (MD5 login, an `Originate` or a
//! simulator-triggered scenario, `Logoff`), so the recording shows exactly
//! the bytes a client and the simulator exchange.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // a test harness: sockets, tasks and clocks are its job

use std::time::{Duration, Instant};

use ami_proto::sim::{self, Scenario, SimConfig};
use anyhow::{Context, Result, bail};
use conformance::fixture::{Chunk, Dir, write_transcript};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Recorder {
    stream: TcpStream,
    start: Instant,
    chunks: Vec<Chunk>,
    received: Vec<u8>,
}

impl Recorder {
    fn t(&self) -> String {
        format!("{:.6}", self.start.elapsed().as_secs_f64())
    }

    async fn send(&mut self, text: &str) -> Result<()> {
        self.stream.write_all(text.as_bytes()).await?;
        let t = self.t();
        self.chunks.push(Chunk::Data {
            dir: Dir::ClientToServer,
            t,
            bytes: text.as_bytes().to_vec(),
        });
        Ok(())
    }

    /// Reads until `done` holds for what arrived so far, or until the
    /// server closes (`Ok(true)`).
    async fn read_until(&mut self, done: impl Fn(&[u8]) -> bool) -> Result<bool> {
        let mut buf = vec![0u8; 65536];
        while !done(&self.received) {
            let n = tokio::time::timeout(Duration::from_secs(5), self.stream.read(&mut buf))
                .await
                .context("server silent")??;
            if n == 0 {
                self.chunks.push(Chunk::ServerClosed);
                return Ok(true);
            }
            let t = self.t();
            self.chunks.push(Chunk::Data {
                dir: Dir::ServerToClient,
                t,
                bytes: buf[..n].to_vec(),
            });
            self.received.extend_from_slice(&buf[..n]);
        }
        Ok(false)
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn ends_with_blank(hay: &[u8]) -> bool {
    hay.ends_with(b"\r\n\r\n")
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let which = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "basic-call".to_owned());
    let pbx = sim::start(SimConfig::default().successful_auth_event(false)).await?;
    let stream = TcpStream::connect(pbx.addr()).await?;
    let mut r = Recorder {
        stream,
        start: Instant::now(),
        chunks: Vec::new(),
        received: Vec::new(),
    };
    r.read_until(|b| contains(b, "\r\n")).await?;
    r.send("Action: Challenge\r\nActionID: chal-1\r\nAuthType: MD5\r\n\r\n")
        .await?;
    r.read_until(|b| contains(b, "Challenge: ") && ends_with_blank(b))
        .await?;
    let text = String::from_utf8_lossy(&r.received).into_owned();
    let challenge = text
        .lines()
        .find_map(|l| l.strip_prefix("Challenge: "))
        .context("no challenge")?
        .trim()
        .to_owned();
    let key = ami_proto::session::login_key(&challenge, "amp111");
    r.send(&format!("Action: Login\r\nActionID: login-1\r\nAuthType: MD5\r\nUsername: admin\r\nKey: {key}\r\nEvents: on\r\n\r\n")).await?;
    r.read_until(|b| contains(b, "Fully Booted\r\n\r\n"))
        .await?;
    let (description, last) = match which.as_str() {
        "basic-call" => {
            r.send("Action: Originate\r\nActionID: orig-1\r\nChannel: PJSIP/1001\r\nExten: 1002\r\nContext: from-internal\r\nPriority: 1\r\nAsync: true\r\n\r\n").await?;
            (
                "basic call 1001 -> 1002 started by an async Originate, answered, released by 1001",
                "Event: OriginateResponse",
            )
        }
        "blind-transfer" => {
            let run = pbx.run_scenario(Scenario::blind_transfer("1001", "1002", "1003"));
            tokio::spawn(run);
            (
                "call 1001 -> 1002 answered, then 1001 blind-transfers 1002 to 1003, who answers; released",
                "",
            )
        }
        "queue-call" => {
            let run = pbx.run_scenario(Scenario::queue_call("1001", "support", "2001"));
            tokio::spawn(run);
            (
                "caller 1001 queued to `support`, agent 2001 answers, call released",
                "",
            )
        }
        other => bail!("unknown scenario {other} (basic-call, blind-transfer, queue-call)"),
    };
    let marker = if last.is_empty() {
        "Event: Hangup"
    } else {
        last
    };
    let needed = if last.is_empty() { 2 } else { 1 };
    r.read_until(|b| {
        let s = String::from_utf8_lossy(b);
        s.matches(marker).count() >= needed
            && s.rsplit(marker)
                .next()
                .is_some_and(|tail| tail.contains("Event: DeviceStateChange") || !last.is_empty())
            && ends_with_blank(b)
    })
    .await?;
    // Let the last events of the scenario arrive.
    tokio::time::sleep(Duration::from_millis(200)).await;
    r.read_until(|b| contains(b, "NOT_INUSE") && ends_with_blank(b))
        .await?;
    r.send("Action: Logoff\r\nActionID: logoff-1\r\n\r\n")
        .await?;
    let closed = r.read_until(|_| false).await?;
    if !closed {
        bail!("the simulator did not close after Logoff");
    }
    let mut out = format!(
        "# source: invented\n# ref: recorded from ami-proto's simulator (crates/ami-proto/src/sim), scenario {which}, by `cargo run -p conformance --bin record-ami -- {which}`\n# product: ami-proto simulator (Asterisk 22.10.1 wire format)\n# description: {description}\n# checks: client\n# volatile: ActionID, Uniqueid, Linkedid, DestUniqueid, DestLinkedid, TransfererUniqueid, TransfererLinkedid, TransfereeUniqueid, TransfereeLinkedid, Timestamp, Uptime, LastReload, Key, Challenge\n# redactions: none (MD5 login: no secret on the wire)\n\n"
    )
    .into_bytes();
    write_transcript(&r.chunks, &mut out);
    use std::io::Write;
    std::io::stdout().write_all(&out)?;
    Ok(())
}
