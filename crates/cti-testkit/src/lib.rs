//! What the vendor crates' tests share and no published crate should
//! carry: a [`Capture`] of everything `tracing` reports, so that a test can
//! search a whole session's logs (for a secret, say).
#![warn(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A `tracing` subscriber that records span fields, event fields and
/// messages, at every level, into one shared text.
#[derive(Clone, Debug, Default)]
pub struct Capture {
    text: Arc<Mutex<String>>,
    next: Arc<AtomicU64>,
}

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl Capture {
    /// Installs a new capture as the process's global subscriber (once per
    /// test binary) and returns it.
    ///
    /// # Panics
    /// When a global subscriber is already set.
    pub fn install() -> Self {
        let capture = Self::default();
        if tracing::subscriber::set_global_default(capture.clone()).is_err() {
            panic!("a global tracing subscriber is already set");
        }
        capture
    }

    /// Everything recorded so far.
    pub fn text(&self) -> String {
        self.text
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn write(&self, f: impl FnOnce(&mut Writer<'_>)) {
        let mut t = self
            .text
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut Writer(&mut t));
        t.push('\n');
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.write(|w| span.record(w));
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        self.write(|w| values.record(w));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        self.write(|w| event.record(w));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
