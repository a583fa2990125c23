//! The normalized stream: a client's events through its vendor's
//! [`Normalizer`], stamped with the client's clock, with the vendor's
//! resynchronisation done after login and after every gap.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::SystemTime;

use cti_core::{Event, LinkEvent, Normalizer, Timestamp};

use crate::events::EventStream;

/// What one item of a vendor client's event stream is, for the normalizer.
#[derive(Debug)]
#[non_exhaustive]
pub enum Split<V> {
    /// A vendor event, for [`Normalizer::push`].
    Vendor(V),
    /// A link event, for [`Normalizer::link`].
    Link(LinkEvent),
    /// Nothing the normalizer reads (a decode error, an unmatched answer).
    Skip,
}

/// A vendor crate's `ClientEvent`: link events are one of its cases.
pub trait ClientEvent: From<LinkEvent> {
    /// The vendor event it carries.
    type Vendor;

    /// Which case it is.
    fn split(self) -> Split<Self::Vendor>;
}

/// A future fetching the vendor's current state.
pub type SnapshotFuture<S> = Pin<Box<dyn Future<Output = Option<S>> + Send>>;

/// Starts fetching the vendor's current state (the client's channel list,
/// device states …); `None` when it could not be had.
pub type Resync<S> = Box<dyn FnMut() -> SnapshotFuture<S> + Send>;

/// A stream of normalized [`Event`]s: vendor events and link events, in
/// order, through the vendor's [`Normalizer`].
///
/// When the link comes up (`connected`) and after every gap (`reconnected
/// { gap: true }`, `lagged`) the normalizer is reset and the resync
/// function, when there is one, fetches the vendor's current state, which
/// goes in through [`Normalizer::snapshot`] before the next event.
pub struct Normalized<T, N: Normalizer> {
    events: EventStream<T>,
    normalizer: N,
    ready: VecDeque<Event>,
    buf: Vec<Event>,
    resync: Option<Resync<N::Snapshot>>,
    pending: Option<SnapshotFuture<N::Snapshot>>,
    ended: bool,
}

impl<T, N: Normalizer + fmt::Debug> fmt::Debug for Normalized<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Normalized")
            .field("normalizer", &self.normalizer)
            .field("ready", &self.ready.len())
            .field("resyncing", &self.pending.is_some())
            .finish_non_exhaustive()
    }
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

impl<T, N> Normalized<T, N>
where
    T: ClientEvent,
    N: Normalizer<Input = T::Vendor>,
{
    /// Normalizes `events` with `normalizer`; `resync` fetches the vendor's
    /// state after login and after a gap.
    pub fn new(events: EventStream<T>, normalizer: N, resync: Option<Resync<N::Snapshot>>) -> Self {
        Self {
            events,
            normalizer,
            ready: VecDeque::new(),
            buf: Vec::new(),
            resync,
            pending: None,
            ended: false,
        }
    }

    /// Normalizes `events` with `normalizer`; after login and after a gap
    /// the state comes from `fetch()` (a future; `None` when it could not
    /// be had).
    pub fn with_resync<F, Fut>(events: EventStream<T>, normalizer: N, fetch: F) -> Self
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Option<N::Snapshot>> + Send + 'static,
    {
        Self::new(
            events,
            normalizer,
            Some(Box::new(move || Box::pin(fetch()))),
        )
    }

    /// The normalizer (to read what it holds).
    pub fn normalizer(&self) -> &N {
        &self.normalizer
    }

    /// The next normalized event, or `None` once the link is closed.
    pub async fn recv(&mut self) -> Option<Event> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next normalized event.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        loop {
            if let Some(e) = self.ready.pop_front() {
                return Poll::Ready(Some(e));
            }
            if let Some(fut) = self.pending.as_mut() {
                let snapshot = match fut.as_mut().poll(cx) {
                    Poll::Ready(s) => s,
                    Poll::Pending => return Poll::Pending,
                };
                self.pending = None;
                if let Some(s) = snapshot {
                    self.normalizer.snapshot(&s, now(), &mut self.buf);
                    self.ready.extend(self.buf.drain(..));
                }
                continue;
            }
            if self.ended {
                return Poll::Ready(None);
            }
            let item = match self.events.poll_recv(cx) {
                Poll::Ready(Some(item)) => item,
                Poll::Ready(None) => {
                    self.ended = true;
                    continue;
                }
                Poll::Pending => return Poll::Pending,
            };
            match item.split() {
                Split::Vendor(v) => self.normalizer.push(&v, now(), &mut self.buf),
                Split::Link(link) => {
                    self.normalizer.link(&link, now(), &mut self.buf);
                    let refresh = matches!(link, LinkEvent::Connected) || link.is_gap();
                    if refresh && let Some(resync) = self.resync.as_mut() {
                        self.pending = Some(resync());
                    }
                }
                Split::Skip => {}
            }
            self.ready.extend(self.buf.drain(..));
        }
    }
}

impl<T, N> futures_core::Stream for Normalized<T, N>
where
    T: ClientEvent,
    N: Normalizer<Input = T::Vendor> + Unpin,
{
    type Item = Event;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.get_mut().poll_recv(cx)
    }
}
