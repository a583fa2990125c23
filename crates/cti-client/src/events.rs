//! The bounded event queue of a client and the stream the application
//! reads.
//!
//! The driver task that reads the connection never waits for the
//! application and never drops anything silently:
//!
//! - a vendor event that does not fit (the queue holds at most `capacity`
//!   events and `max_bytes` bytes of them) is counted as missed, and the
//!   count is handed over as one [`LinkEvent::Lagged`] *at the place of the
//!   gap*: after the events queued before it, before those queued after;
//! - a link event ([`Sender::send_link`]) always goes in: the application
//!   always learns that the link went down and came back.
//!
//! A driver that can pause its input (stop reading the socket) uses
//! [`Sender::try_send`] and [`Sender::poll_room`] instead of `send`: it
//! holds the event that did not fit and waits until the consumer has read
//! the queue down to half, for at most a bounded time
//! ([`Gate`]) — so a consumer that keeps up on average loses nothing, and
//! only one that really stops gets `Lagged`.
//!
//! [`EventStream`] is the application's end; every vendor crate's client
//! returns one, over its own `ClientEvent` type.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use cti_core::LinkEvent;

/// What a queue item costs, in bytes, for the byte cap.
pub trait Weigh {
    /// An estimate of the memory the item holds.
    fn weight(&self) -> usize;
}

#[derive(Debug)]
enum Slot<T> {
    Item(T, usize),
    Link(LinkEvent),
    Missed(u64),
}

#[derive(Debug)]
struct Inner<T> {
    queue: VecDeque<Slot<T>>,
    items: usize,
    bytes: usize,
    capacity: usize,
    max_bytes: usize,
    senders_gone: bool,
    receiver_gone: bool,
    waker: Option<Waker>,
    /// The driver waiting for room ([`Sender::poll_room`]).
    room_waker: Option<Waker>,
}

impl<T> Inner<T> {
    fn fits(&self, weight: usize) -> bool {
        self.items == 0
            || (self.items < self.capacity && self.bytes.saturating_add(weight) <= self.max_bytes)
    }

    /// Read down to half (in events and in bytes), or nobody reads.
    fn has_room(&self) -> bool {
        self.receiver_gone || (self.items <= self.capacity / 2 && self.bytes <= self.max_bytes / 2)
    }
}

#[derive(Debug)]
struct Shared<T>(Mutex<Inner<T>>);

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        // A panic while holding the lock leaves the queue consistent (every
        // change is a single push or pop), so a poisoned lock is used as is.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A queue of at most `capacity` events (at least 1) and `max_bytes` bytes
/// of events (at least one event always fits).
pub fn channel<T>(capacity: usize, max_bytes: usize) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared(Mutex::new(Inner {
        queue: VecDeque::new(),
        items: 0,
        bytes: 0,
        capacity: capacity.max(1),
        max_bytes,
        senders_gone: false,
        receiver_gone: false,
        waker: None,
        room_waker: None,
    })));
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver {
            shared,
            local: VecDeque::new(),
            taken: (0, 0),
        },
    )
}

/// The driver's end.
#[derive(Debug)]
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Queues `event` without waiting. Returns false when it did not fit
    /// and was counted as missed (nothing is counted once the receiver is
    /// gone: nobody is listening).
    pub fn send(&self, event: T) -> bool
    where
        T: Weigh,
    {
        let weight = event.weight();
        let mut inner = self.shared.lock();
        if inner.receiver_gone {
            return true;
        }
        let fits = inner.fits(weight);
        if fits {
            inner.items += 1;
            inner.bytes = inner.bytes.saturating_add(weight);
            inner.queue.push_back(Slot::Item(event, weight));
        } else if let Some(Slot::Missed(n)) = inner.queue.back_mut() {
            *n += 1;
        } else {
            inner.queue.push_back(Slot::Missed(1));
        }
        let waker = inner.waker.take();
        drop(inner);
        if let Some(w) = waker {
            w.wake();
        }
        fits
    }

    /// Queues `event` if it fits; hands it back otherwise, without counting
    /// it as missed (the caller holds it and waits with
    /// [`Sender::poll_room`]). Once the receiver is gone the event is
    /// discarded and `Ok` returned.
    pub fn try_send(&self, event: T) -> Result<(), T>
    where
        T: Weigh,
    {
        let weight = event.weight();
        let mut inner = self.shared.lock();
        if inner.receiver_gone {
            return Ok(());
        }
        if !inner.fits(weight) {
            return Err(event);
        }
        inner.items += 1;
        inner.bytes = inner.bytes.saturating_add(weight);
        inner.queue.push_back(Slot::Item(event, weight));
        let waker = inner.waker.take();
        drop(inner);
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// As [`Sender::try_send`], without waking the receiver: the caller
    /// queues a batch, then calls [`Sender::wake`] once.
    pub fn try_send_batched(&self, event: T) -> Result<(), T>
    where
        T: Weigh,
    {
        let weight = event.weight();
        let mut inner = self.shared.lock();
        if inner.receiver_gone {
            return Ok(());
        }
        if !inner.fits(weight) {
            return Err(event);
        }
        inner.items += 1;
        inner.bytes = inner.bytes.saturating_add(weight);
        inner.queue.push_back(Slot::Item(event, weight));
        Ok(())
    }

    /// Wakes the receiver if it waits and something is queued.
    pub fn wake(&self) {
        let mut inner = self.shared.lock();
        let waker = if inner.queue.is_empty() {
            None
        } else {
            inner.waker.take()
        };
        drop(inner);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Ready once the consumer has read the queue down to half its
    /// capacity in events and in bytes (or is gone).
    pub fn poll_room(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut inner = self.shared.lock();
        if inner.has_room() {
            Poll::Ready(())
        } else {
            inner.room_waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }

    /// Waits as [`Sender::poll_room`] does.
    pub async fn room(&self) {
        std::future::poll_fn(|cx| self.poll_room(cx)).await;
    }

    /// True when the queue is read down to half (see
    /// [`Sender::poll_room`]).
    pub fn has_room(&self) -> bool {
        self.shared.lock().has_room()
    }

    /// Queues a link event; it is never dropped.
    pub fn send_link(&self, link: LinkEvent) {
        let mut inner = self.shared.lock();
        if inner.receiver_gone {
            return;
        }
        inner.queue.push_back(Slot::Link(link));
        let waker = inner.waker.take();
        drop(inner);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// The events queued and not yet read (not counting link events).
    pub fn queued(&self) -> usize {
        self.shared.lock().items
    }

    /// True once the receiver has been dropped.
    pub fn is_closed(&self) -> bool {
        self.shared.lock().receiver_gone
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut inner = self.shared.lock();
        inner.senders_gone = true;
        let waker = inner.waker.take();
        drop(inner);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The driver's end for a driver that can pause its input: events that do
/// not fit are held (the driver stops reading) until the consumer has read
/// the queue down to half, for at most `stall_limit` per episode; after
/// that the driver reads on and what does not fit is counted as missed
/// (`Lagged`), until the consumer catches up again.
///
/// Sans-IO: the time comes in as an argument.
#[derive(Debug)]
pub struct Gate<T> {
    tx: Sender<T>,
    stall_limit: Duration,
    held: Option<T>,
    since: Option<Instant>,
    dropping: bool,
}

impl<T: Weigh> Gate<T> {
    /// A gate over the sending end of a queue.
    pub fn new(tx: Sender<T>, stall_limit: Duration) -> Self {
        Self {
            tx,
            stall_limit,
            held: None,
            since: None,
            dropping: false,
        }
    }

    /// The queue itself, for link events ([`Sender::send_link`]).
    pub fn sender(&self) -> &Sender<T> {
        &self.tx
    }

    /// True while an event is held: the driver must not feed more events
    /// (nor read more input) until [`Gate::retry`] says it may.
    pub fn is_holding(&self) -> bool {
        self.held.is_some()
    }

    /// Offers an event. Queued, or counted as missed while the consumer is
    /// stalled past the limit; held otherwise (see [`Gate::is_holding`]).
    /// Must not be called while holding.
    /// The receiver is woken by [`Gate::flush`], once per batch; `now` is
    /// read only when an event has to be held.
    pub fn push(&mut self, event: T, now: impl FnOnce() -> Instant) {
        debug_assert!(self.held.is_none(), "push while holding");
        if self.dropping {
            if self.tx.has_room() {
                self.dropping = false;
            } else {
                self.tx.send(event);
                return;
            }
        }
        match self.tx.try_send_batched(event) {
            Ok(()) => self.since = None,
            Err(event) => {
                self.held = Some(event);
                if self.since.is_none() {
                    self.since = Some(now());
                }
            }
        }
    }

    /// Wakes the consumer for what [`Gate::push`] queued; call before the
    /// driver waits.
    pub fn flush(&self) {
        self.tx.wake();
    }

    /// Tries the held event again once there is room (call when
    /// [`Gate::room`] is ready) or the stall limit passed; true when
    /// nothing is held any more.
    pub fn retry(&mut self, now: Instant) -> bool {
        let expired = self.deadline().is_some_and(|d| now >= d);
        let Some(event) = self.held.take() else {
            return true;
        };
        if expired {
            // The consumer stalled: read on, and count what does not fit.
            self.dropping = true;
            self.since = None;
            self.tx.send(event);
            return true;
        }
        match self.tx.try_send(event) {
            Ok(()) => {
                self.since = None;
                true
            }
            Err(event) => {
                self.held = Some(event);
                false
            }
        }
    }

    /// When the held event is given up on (counted as missed).
    pub fn deadline(&self) -> Option<Instant> {
        match (&self.held, self.since) {
            (Some(_), Some(since)) => Some(since + self.stall_limit),
            _ => None,
        }
    }

    /// Ready once the consumer has read the queue down to half.
    pub async fn room(&self) {
        self.tx.room().await;
    }
}

/// The application's end.
#[derive(Debug)]
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// Taken from the shared queue in one go (one lock for many items);
    /// still counted in the shared totals until handed out and synced.
    local: VecDeque<Slot<T>>,
    /// Handed out since the last sync: events and their bytes.
    taken: (usize, usize),
}

// Nothing in a receiver is ever pinned (items move in and out by value).
impl<T> Unpin for Receiver<T> {}

/// Items handed out between two syncs of the shared totals.
const SYNC_EVERY: usize = 256;

impl<T> Receiver<T> {
    /// The next item, in order: an event, a link event, or a lag count
    /// where events were missed; `None` once the sender is gone and the
    /// queue is empty.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>>
    where
        T: From<LinkEvent>,
    {
        if self.local.is_empty() || self.taken.0 >= SYNC_EVERY {
            let mut inner = self.shared.lock();
            inner.items -= self.taken.0;
            inner.bytes = inner.bytes.saturating_sub(self.taken.1);
            self.taken = (0, 0);
            if self.local.is_empty() {
                std::mem::swap(&mut self.local, &mut inner.queue);
            }
            if self.local.is_empty() {
                if inner.senders_gone {
                    return Poll::Ready(None);
                }
                inner.waker = Some(cx.waker().clone());
            }
            let room = if inner.room_waker.is_some() && inner.has_room() {
                inner.room_waker.take()
            } else {
                None
            };
            drop(inner);
            if let Some(w) = room {
                w.wake();
            }
        }
        let out = match self.local.pop_front() {
            Some(Slot::Item(item, weight)) => {
                self.taken.0 += 1;
                self.taken.1 += weight;
                item
            }
            Some(Slot::Link(link)) => T::from(link),
            Some(Slot::Missed(missed)) => T::from(LinkEvent::Lagged { missed }),
            None => return Poll::Pending,
        };
        if self.local.is_empty() && self.taken.0 > 0 {
            // The batch is out: give its room back at once.
            self.sync();
        }
        Poll::Ready(Some(out))
    }

    /// Gives the room of the items handed out back to the queue, and wakes
    /// a driver waiting for it.
    fn sync(&mut self) {
        let mut inner = self.shared.lock();
        inner.items -= self.taken.0;
        inner.bytes = inner.bytes.saturating_sub(self.taken.1);
        self.taken = (0, 0);
        let room = if inner.room_waker.is_some() && inner.has_room() {
            inner.room_waker.take()
        } else {
            None
        };
        drop(inner);
        if let Some(w) = room {
            w.wake();
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut inner = self.shared.lock();
        inner.receiver_gone = true;
        inner.queue.clear();
        let room = inner.room_waker.take();
        drop(inner);
        if let Some(w) = room {
            w.wake();
        }
    }
}

/// The events of one client connection, in order; ends after the link
/// is closed for good.
///
/// Every vendor client returns one, over its own `ClientEvent` type (its
/// vendor events plus `Link(LinkEvent)`). Read it with [`EventStream::recv`]
/// or as a [`futures_core::Stream`] (`StreamExt::next`).
#[derive(Debug)]
pub struct EventStream<T> {
    rx: Receiver<T>,
}

impl<T: From<LinkEvent>> EventStream<T> {
    /// Wraps the receiving end of a queue.
    pub fn new(rx: Receiver<T>) -> Self {
        Self { rx }
    }

    /// The next event, or `None` when the link is closed for good.
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// Polls for the next event.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }
}

impl<T: From<LinkEvent>> futures_core::Stream for EventStream<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Item {
        Event(u32),
        Link(LinkEvent),
    }

    impl From<LinkEvent> for Item {
        fn from(l: LinkEvent) -> Self {
            Self::Link(l)
        }
    }

    impl Weigh for Item {
        fn weight(&self) -> usize {
            match self {
                Self::Event(n) => *n as usize,
                Self::Link(_) => 0,
            }
        }
    }

    fn next(rx: &mut Receiver<Item>) -> Option<Item> {
        let mut cx = Context::from_waker(Waker::noop());
        match rx.poll_recv(&mut cx) {
            Poll::Ready(item) => item,
            Poll::Pending => panic!("nothing queued"),
        }
    }

    fn lagged(missed: u64) -> Option<Item> {
        Some(Item::Link(LinkEvent::Lagged { missed }))
    }

    #[test]
    fn the_missed_events_are_reported_at_the_place_of_the_gap() {
        let (tx, mut rx) = channel(2, usize::MAX);
        assert!(tx.send(Item::Event(1)));
        assert!(tx.send(Item::Event(2)));
        assert!(!tx.send(Item::Event(3)));
        assert!(!tx.send(Item::Event(4)));
        assert_eq!(next(&mut rx), Some(Item::Event(1)));
        assert_eq!(next(&mut rx), Some(Item::Event(2)));
        assert_eq!(next(&mut rx), lagged(2));
        // The room comes back once the consumer's batch is read.
        assert!(tx.send(Item::Event(5)));
        assert_eq!(next(&mut rx), Some(Item::Event(5)));
        drop(tx);
        assert_eq!(next(&mut rx), None);
    }

    #[test]
    fn link_events_are_never_dropped_and_keep_their_place() {
        let (tx, mut rx) = channel(1, usize::MAX);
        assert!(tx.send(Item::Event(1)));
        assert!(!tx.send(Item::Event(2)));
        tx.send_link(LinkEvent::Reconnecting {
            attempt: 1,
            delay: Duration::ZERO,
        });
        assert!(!tx.send(Item::Event(3)));
        tx.send_link(LinkEvent::Reconnected { gap: true });
        assert_eq!(next(&mut rx), Some(Item::Event(1)));
        assert_eq!(next(&mut rx), lagged(1));
        assert!(matches!(
            next(&mut rx),
            Some(Item::Link(LinkEvent::Reconnecting { attempt: 1, .. }))
        ));
        assert_eq!(next(&mut rx), lagged(1));
        assert_eq!(
            next(&mut rx),
            Some(Item::Link(LinkEvent::Reconnected { gap: true }))
        );
    }

    #[test]
    fn the_byte_cap_holds_but_one_event_always_fits() {
        let (tx, mut rx) = channel(100, 10);
        assert!(tx.send(Item::Event(50)));
        assert!(!tx.send(Item::Event(1)));
        assert_eq!(next(&mut rx), Some(Item::Event(50)));
        assert_eq!(next(&mut rx), lagged(1));
        assert!(tx.send(Item::Event(6)));
        assert!(tx.send(Item::Event(4)));
        assert!(!tx.send(Item::Event(1)));
        assert_eq!(tx.queued(), 2);
    }

    /// Polls once more where nothing is queued: the receiver syncs its
    /// totals with the queue and waits.
    fn idle(rx: &mut Receiver<Item>) {
        let mut cx = Context::from_waker(Waker::noop());
        assert!(rx.poll_recv(&mut cx).is_pending(), "something was queued");
    }

    #[test]
    fn the_gate_holds_until_the_consumer_reads_down_to_half() {
        let t0 = Instant::now();
        let (tx, mut rx) = channel(4, usize::MAX);
        let mut gate = Gate::new(tx, Duration::from_secs(1));
        for n in 1..=4 {
            gate.push(Item::Event(n), || t0);
        }
        assert!(!gate.is_holding());
        gate.push(Item::Event(5), || t0);
        assert!(gate.is_holding());
        assert_eq!(gate.deadline(), Some(t0 + Duration::from_secs(1)));
        assert!(!gate.sender().has_room());
        assert_eq!(next(&mut rx), Some(Item::Event(1)));
        // Not read down to half yet: still held.
        assert!(!gate.sender().has_room());
        assert!(!gate.retry(t0));
        for n in 2..=4 {
            assert_eq!(next(&mut rx), Some(Item::Event(n)));
        }
        idle(&mut rx);
        assert!(gate.sender().has_room());
        assert!(gate.retry(t0));
        assert_eq!(gate.deadline(), None);
        assert_eq!(next(&mut rx), Some(Item::Event(5)));
    }

    #[test]
    fn the_gate_drops_with_lagged_only_after_the_stall_limit() {
        let t0 = Instant::now();
        let limit = Duration::from_secs(1);
        let (tx, mut rx) = channel(2, usize::MAX);
        let mut gate = Gate::new(tx, limit);
        gate.push(Item::Event(1), || t0);
        gate.push(Item::Event(2), || t0);
        gate.push(Item::Event(3), || t0);
        assert!(!gate.retry(t0 + limit / 2), "still within the limit");
        assert!(gate.retry(t0 + limit), "the limit passed: read on");
        // Dropping now, until the consumer reads down to half.
        gate.push(Item::Event(4), || t0 + limit);
        assert!(!gate.is_holding());
        assert_eq!(next(&mut rx), Some(Item::Event(1)));
        assert_eq!(next(&mut rx), Some(Item::Event(2)));
        assert_eq!(next(&mut rx), lagged(2));
        idle(&mut rx);
        gate.push(Item::Event(5), || t0 + limit);
        assert_eq!(next(&mut rx), Some(Item::Event(5)));
        idle(&mut rx);
        // Caught up: the next overflow is held again, not dropped.
        let mut n = 6;
        while !gate.is_holding() && n < 10 {
            gate.push(Item::Event(n), || t0 + limit);
            n += 1;
        }
        assert!(gate.is_holding());
        assert_eq!(next(&mut rx), Some(Item::Event(6)));
    }

    #[test]
    fn a_batch_wakes_the_receiver_once_flushed() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::task::Wake;
        struct Count(AtomicUsize);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::Relaxed);
            }
        }
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let (tx, mut rx) = channel(100, usize::MAX);
        let mut gate = Gate::new(tx, Duration::from_secs(1));
        let mut cx = Context::from_waker(&waker);
        assert!(rx.poll_recv(&mut cx).is_pending());
        for n in 0..10 {
            gate.push(Item::Event(n), Instant::now);
        }
        assert_eq!(count.0.load(Ordering::Relaxed), 0, "woken before the flush");
        gate.flush();
        assert_eq!(count.0.load(Ordering::Relaxed), 1);
        for n in 0..10 {
            assert_eq!(next(&mut rx), Some(Item::Event(n)));
        }
    }

    #[test]
    fn nothing_is_counted_once_the_receiver_is_gone() {
        let (tx, rx) = channel::<Item>(1, usize::MAX);
        drop(rx);
        assert!(tx.is_closed());
        assert!(tx.send(Item::Event(1)));
        assert!(tx.send(Item::Event(2)));
        assert_eq!(tx.queued(), 0);
    }
}
