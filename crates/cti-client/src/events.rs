//! The bounded event queue of a client: the driver task that reads the
//! connection never waits for the application, and never drops an event
//! silently.
//!
//! When the queue is full, [`Sender::send`] counts the event as missed
//! instead of waiting; the [`Receiver`] hands the count over, as one
//! "lagged" item built by the caller, before the next queued event. A
//! slow consumer thus learns how many events it lost and where.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::sync::mpsc;

/// A queue holding at most `capacity` events (at least 1).
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    let missed = Arc::new(AtomicU64::new(0));
    (
        Sender {
            tx,
            missed: missed.clone(),
        },
        Receiver { rx, missed },
    )
}

/// The driver's end.
#[derive(Debug)]
pub struct Sender<T> {
    tx: mpsc::Sender<T>,
    missed: Arc<AtomicU64>,
}

impl<T> Sender<T> {
    /// Queues `event` without waiting. Returns false when the queue was
    /// full and the event was counted as missed (it is not counted once
    /// the receiver is gone: nobody is listening).
    pub fn send(&self, event: T) -> bool {
        if self.tx.try_send(event).is_err() && !self.tx.is_closed() {
            self.missed.fetch_add(1, Ordering::AcqRel);
            return false;
        }
        true
    }

    /// True once the receiver has been dropped.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// The application's end.
#[derive(Debug)]
pub struct Receiver<T> {
    rx: mpsc::Receiver<T>,
    missed: Arc<AtomicU64>,
}

impl<T> Receiver<T> {
    /// The next item: `lagged(n)` first when `n` events were missed since
    /// the last call, else the next queued event; `None` once the sender is
    /// gone and the queue is empty.
    pub fn poll_recv(
        &mut self,
        cx: &mut Context<'_>,
        lagged: impl FnOnce(u64) -> T,
    ) -> Poll<Option<T>> {
        let missed = self.missed.swap(0, Ordering::AcqRel);
        if missed > 0 {
            return Poll::Ready(Some(lagged(missed)));
        }
        self.rx.poll_recv(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Item {
        Event(u32),
        Lagged(u64),
    }

    fn next(rx: &mut Receiver<Item>) -> Option<Item> {
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        match rx.poll_recv(&mut cx, Item::Lagged) {
            Poll::Ready(item) => item,
            Poll::Pending => panic!("nothing queued"),
        }
    }

    #[test]
    fn a_full_queue_counts_and_reports_the_missed_events_in_place() {
        let (tx, mut rx) = channel(2);
        assert!(tx.send(Item::Event(1)));
        assert!(tx.send(Item::Event(2)));
        assert!(!tx.send(Item::Event(3)));
        assert!(!tx.send(Item::Event(4)));
        assert_eq!(next(&mut rx), Some(Item::Lagged(2)));
        assert_eq!(next(&mut rx), Some(Item::Event(1)));
        assert!(tx.send(Item::Event(5)));
        assert_eq!(next(&mut rx), Some(Item::Event(2)));
        assert_eq!(next(&mut rx), Some(Item::Event(5)));
        drop(tx);
        assert_eq!(next(&mut rx), None);
    }

    #[test]
    fn nothing_is_counted_once_the_receiver_is_gone() {
        let (tx, rx) = channel::<Item>(1);
        drop(rx);
        assert!(tx.is_closed());
        assert!(tx.send(Item::Event(1)));
        assert!(tx.send(Item::Event(2)));
    }
}
