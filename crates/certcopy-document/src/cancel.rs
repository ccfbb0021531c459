//! Stopping long work early: the caller's way to say "give up now".
//!
//! This crate has no clock and no notion of a client; the caller (the service) knows when
//! a deadline has passed or a client has gone. It hands in a [`Cancellation`], and the long
//! loops (loading revisions, searching certificate paths, judging modifications, writing
//! pages) ask it between steps. A cancelled run ends with a `Cancelled` error of its layer,
//! never with a partial result.

use std::sync::Arc;

/// Whether the work should stop. Implementations must be cheap: they are asked between
/// steps of the work, often.
pub trait Cancel: Send + Sync {
    /// True once the work should stop; it must stay true from then on.
    fn cancelled(&self) -> bool;
}

impl<F: Fn() -> bool + Send + Sync> Cancel for F {
    fn cancelled(&self) -> bool {
        self()
    }
}

/// A [`Cancel`] handed to the work, or none (the default: never cancelled).
#[derive(Clone, Default)]
pub struct Cancellation(Option<Arc<dyn Cancel>>);

impl Cancellation {
    /// Work that stops when `cancel` says so.
    pub fn new(cancel: Arc<dyn Cancel>) -> Self {
        Self(Some(cancel))
    }

    /// Work that is never cancelled.
    pub fn never() -> Self {
        Self(None)
    }

    /// Whether the work should stop now.
    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|cancel| cancel.cancelled())
    }
}

impl std::fmt::Debug for Cancellation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Some(_) => "Cancellation(some)",
            None => "Cancellation(never)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn never_is_never_cancelled_and_a_flag_is_followed() {
        assert!(!Cancellation::never().is_cancelled());
        assert!(!Cancellation::default().is_cancelled());
        let flag = Arc::new(AtomicBool::new(false));
        let seen = flag.clone();
        let cancellation = Cancellation::new(Arc::new(move || seen.load(Ordering::Relaxed)));
        assert!(!cancellation.is_cancelled());
        flag.store(true, Ordering::Relaxed);
        assert!(cancellation.is_cancelled());
    }
}
