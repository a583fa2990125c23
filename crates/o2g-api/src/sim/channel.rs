//! The event channel: a chunked response that writes `Chunk started`, then
//! the subscription's queued events one line each, keep-alive lines when
//! the subscription timeout is 0, and ends after the idle timeout.
//!
//! An event leaves the subscription's queue only once the response body has
//! room for it, so a channel that ends (cleanly or not) loses at most the
//! line in flight, and a channel ended by the simulator (idle timeout,
//! `end_channels`, delete, a newer poll) loses nothing: the next poll
//! delivers what is left.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use http::{Method, Response, StatusCode};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use super::http::{method_not_allowed, not_found};
use super::server::{ChannelCtl, Shared, SimBody, Stop};
use super::{util, wire};

/// Opens the channel of the subscription in the query.
pub(crate) fn open(
    shared: &Arc<Shared>,
    method: &Method,
    query: Option<&str>,
) -> Response<SimBody> {
    if method != Method::GET && method != Method::POST {
        return method_not_allowed("GET, POST");
    }
    let Some(id) = util::query_get(query, "subscriptionId") else {
        return not_found("subscriptionId required");
    };
    let ctl = Arc::new(ChannelCtl::default());
    let (generation, timeout) = {
        let mut st = shared.state_swept();
        let generation = st.next_channel();
        let Some(sub) = st.subscriptions.get_mut(&id) else {
            return not_found("no such subscription");
        };
        // A newer poll replaces the open channel, which ends cleanly.
        sub.stop_channel(Stop::End);
        sub.channel = Some((generation, Arc::clone(&ctl)));
        (generation, sub.timeout)
    };
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(run(
        Arc::clone(shared),
        id,
        generation,
        Arc::clone(&ctl),
        tx,
        timeout,
    ));
    let mut r = Response::new(SimBody::Channel {
        rx,
        ctl,
        failed: false,
    });
    *r.status_mut() = StatusCode::OK;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// What became of a write.
enum Wrote {
    /// The whole line went out.
    All,
    /// Nothing went out (the line can be queued again).
    Nothing,
    /// Part of the line went out.
    Part,
}

/// Feeds one channel until it ends.
async fn run(
    shared: Arc<Shared>,
    id: String,
    generation: u64,
    ctl: Arc<ChannelCtl>,
    tx: mpsc::Sender<Bytes>,
    timeout: u32,
) {
    let mut shutdown = shared.shutdown_rx();
    let cfg = &shared.config;
    let started = Bytes::from(wire::channel_information("Chunk started"));
    if !matches!(write(&shared, &tx, &ctl, started).await, Wrote::All) {
        return finish(&shared, &id, generation);
    }
    let idle = (timeout > 0).then(|| cfg.channel_minute.saturating_mul(timeout));
    let mut idle_at = idle.and_then(|d| Instant::now().checked_add(d));
    let mut keepalive_at = (timeout == 0)
        .then(|| Instant::now().checked_add(cfg.channel_keepalive))
        .flatten();
    loop {
        if ctl.stopped().is_some() || *shutdown.borrow() {
            break;
        }
        let (next, session_end) = {
            let mut st = shared.state_swept();
            let draining = !st.subscriptions.contains_key(&id);
            let sub = if draining {
                st.draining.get_mut(&id)
            } else {
                st.subscriptions.get_mut(&id)
            };
            let Some(sub) = sub else {
                break;
            };
            if sub.channel.as_ref().map(|(g, _)| *g) != Some(generation) {
                break;
            }
            let next = sub.queue.pop_front();
            if draining && next.is_none() {
                // Deleted, and everything queued before went out.
                st.draining.remove(&id);
                break;
            }
            let credential = sub.credential.clone();
            let session_end = st
                .credentials
                .get(&credential)
                .and_then(|c| c.last_seen.checked_add(shared.session_life()));
            (next, session_end)
        };
        if let Some(line) = next {
            match write(&shared, &tx, &ctl, line.clone()).await {
                Wrote::All => {
                    idle_at = idle.and_then(|d| Instant::now().checked_add(d));
                    continue;
                }
                Wrote::Nothing => {
                    requeue(&shared, &id, line);
                    break;
                }
                Wrote::Part => break,
            }
        }
        let far = Instant::now() + Duration::from_secs(86_400);
        let wake = [
            idle_at,
            keepalive_at,
            session_end.and_then(|t| t.checked_add(Duration::from_millis(1))),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(far);
        tokio::select! {
            _ = ctl.wake.notified() => {}
            _ = shutdown.changed() => break,
            // The client went away: forget the channel at once.
            () = tx.closed() => break,
            _ = sleep_until(wake) => {
                let now = Instant::now();
                if idle_at.is_some_and(|t| t <= now) {
                    tracing::debug!("sim: event channel idle, ending it");
                    break;
                }
                if keepalive_at.is_some_and(|t| t <= now) {
                    keepalive_at = now.checked_add(cfg.channel_keepalive);
                    let line = Bytes::from(wire::channel_information("keepalive"));
                    if !matches!(write(&shared, &tx, &ctl, line).await, Wrote::All) {
                        break;
                    }
                }
            }
        }
    }
    finish(&shared, &id, generation);
}

/// Forgets the channel in its subscription (if it is still the open one).
fn finish(shared: &Shared, id: &str, generation: u64) {
    let mut st = shared.state();
    if st
        .draining
        .get(id)
        .is_some_and(|s| s.channel.as_ref().map(|(g, _)| *g) == Some(generation))
    {
        st.draining.remove(id);
    }
    if let Some(sub) = st.subscriptions.get_mut(id)
        && sub.channel.as_ref().map(|(g, _)| *g) == Some(generation)
    {
        sub.channel = None;
    }
}

/// Puts a line that did not go out back at the head of the queue.
fn requeue(shared: &Shared, id: &str, line: Bytes) {
    let mut st = shared.state();
    if let Some(sub) = st.subscriptions.get_mut(id) {
        sub.queue.push_front(line);
    }
}

/// Writes one line, split and delayed as the fault knobs say. Gives up
/// when the channel is told to stop or the client is gone.
async fn write(shared: &Shared, tx: &mpsc::Sender<Bytes>, ctl: &ChannelCtl, line: Bytes) -> Wrote {
    let (chunk, delay) = {
        let f = shared.faults();
        (f.write_chunk.filter(|n| *n > 0), f.delay)
    };
    if let Some(d) = delay {
        tokio::select! {
            _ = tokio::time::sleep(d) => {}
            _ = stopped(ctl) => return Wrote::Nothing,
        }
    }
    let pieces: Vec<Bytes> = match chunk {
        Some(n) => (0..line.len())
            .step_by(n)
            .map(|i| line.slice(i..(i + n).min(line.len())))
            .collect(),
        None => vec![line],
    };
    for (i, piece) in pieces.into_iter().enumerate() {
        let gone = if i == 0 { Wrote::Nothing } else { Wrote::Part };
        let permit = tokio::select! {
            p = tx.reserve() => match p {
                Ok(p) => p,
                Err(_) => return gone,
            },
            _ = stopped(ctl) => return gone,
        };
        permit.send(piece);
        if chunk.is_some() {
            // Give the connection a chance to write each piece on its own.
            tokio::task::yield_now().await;
        }
    }
    Wrote::All
}

/// Resolves once the channel is told to stop.
async fn stopped(ctl: &ChannelCtl) {
    while ctl.stopped().is_none() {
        ctl.stop_wake.notified().await;
    }
}
