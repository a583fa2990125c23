//! The normalizer contract every vendor crate implements.

use crate::{Event, LinkEvent, Source, Timestamp};

/// Turns one vendor's events into normalized [`Event`]s.
///
/// Every vendor crate has one implementation (`ami_proto::Normalizer`,
/// `o2g_api::Normalizer`, …) with the same shape: vendor events and link
/// events go in with the time they were received, normalized events come
/// out in order. It does no IO and reads no clock; the client's
/// `normalized()` stream drives it with the client's clock.
///
/// After a gap ([`LinkEvent::is_gap`]) the normalizer forgets what it built
/// from earlier events ([`Normalizer::reset`]); the vendor's picture of the
/// current calls and devices, fetched again by the client, comes back in
/// through [`Normalizer::snapshot`].
pub trait Normalizer {
    /// The vendor event read (a message, a typed event).
    type Input: ?Sized;
    /// What the vendor answers when asked for its current state (a channel
    /// list, a set of device states).
    type Snapshot;

    /// Which system this normalizer's events come from.
    fn source(&self) -> Source;

    /// Normalizes one vendor event received at `ts`, appending to `out`.
    fn push(&mut self, input: &Self::Input, ts: Timestamp, out: &mut Vec<Event>);

    /// Adopts the vendor's current state (after login, after a gap):
    /// appends the events that bring a consumer's picture up to date.
    fn snapshot(&mut self, snapshot: &Self::Snapshot, ts: Timestamp, out: &mut Vec<Event>);

    /// Forgets everything learnt from earlier events.
    fn reset(&mut self);

    /// Handles a link event: appends its normalized form and, on a gap,
    /// resets.
    fn link(&mut self, link: &LinkEvent, ts: Timestamp, out: &mut Vec<Event>) {
        out.push(Event::new(ts, self.source(), link.to_kind()));
        if link.is_gap() {
            self.reset();
        }
    }
}
