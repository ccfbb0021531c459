//! Short-lived caches of what every receiving agency asks again and again
//! (docs/ARCHITECTURE.md §13): the public status behind a verification code (every QR
//! scan), and the verification report of a stored copy (every share redemption). Only a
//! valid copy's answers are kept: they change only by annulment (and, for a report, with
//! time: its `validation_time` says when it was made). An annulment made by this process
//! empties the caches at once ([`annulled`]); one made by another instance is seen here
//! within `status_cache_secs` (the entries' life). The booking pages keep an office, its
//! calendar and its seats for display with the same cache, stale after a change of their
//! own ([`StatusCache::with_changes`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Annulments committed by this process: an entry cached before the latest is stale.
static ANNULMENTS: AtomicU64 = AtomicU64::new(0);

/// Records that an annulment was committed (every cached status becomes stale).
pub fn annulled() {
    ANNULMENTS.fetch_add(1, Ordering::SeqCst);
}

/// The annulment count to tag an entry read now with (read it before the lookup).
pub fn generation() -> u64 {
    ANNULMENTS.load(Ordering::SeqCst)
}

/// A cache of `V` by key; entries live `ttl` (zero: nothing is kept) and go stale when
/// the count of changes they depend on moves (annulments, unless told otherwise).
#[derive(Debug)]
pub struct StatusCache<V> {
    ttl: Duration,
    max_entries: usize,
    changes: &'static AtomicU64,
    entries: Mutex<HashMap<String, (V, Instant, u64)>>,
}

impl<V: Clone> StatusCache<V> {
    /// A cache of at most `max_entries` values kept `ttl` each, stale after an annulment.
    pub fn new(ttl: Duration, max_entries: usize) -> StatusCache<V> {
        StatusCache::with_changes(ttl, max_entries, &ANNULMENTS)
    }

    /// A cache whose entries go stale when `changes` moves.
    pub fn with_changes(
        ttl: Duration,
        max_entries: usize,
        changes: &'static AtomicU64,
    ) -> StatusCache<V> {
        StatusCache {
            ttl,
            max_entries,
            changes,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The count of changes to tag a value read now with (read it before reading the value).
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    /// The fresh value kept under `code`.
    pub fn get(&self, code: &str) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let generation = self.changes();
        let entries = self.entries.lock().ok()?;
        let (status, at, kept_generation) = entries.get(code)?;
        (at.elapsed() < self.ttl && *kept_generation == generation).then(|| status.clone())
    }

    /// Keeps a value under `code`, read at change count `generation` (when the cache is full
    /// it starts over: the values can be made again).
    pub fn put(&self, code: String, status: V, generation: u64) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.max_entries {
                entries.clear();
            }
            entries.insert(code, (status, Instant::now(), generation));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::verifying::{PublicState, PublicStatus};

    fn status() -> PublicStatus {
        PublicStatus {
            status: PublicState::Valid,
            code: "ABCD-EFGH-JKMN-PQRS-TVWX".into(),
            office: "UBND".into(),
            office_address: "1 Đường".into(),
            certification_number: 1,
            book: "01/2026-SCT/BS".into(),
            issued_at: None,
            page_count: 1,
            sha256: None,
            annulled_at: None,
            annulled_reason: None,
        }
    }

    #[test]
    fn kept_until_its_time_or_an_annulment() {
        let cache = StatusCache::new(Duration::from_secs(60), 10);
        cache.put("A".into(), status(), generation());
        assert!(cache.get("A").is_some());
        assert!(cache.get("B").is_none());
        annulled();
        assert!(cache.get("A").is_none(), "stale after an annulment");
        // Read before an annulment, kept after it: stale at once.
        let before = generation();
        annulled();
        cache.put("A".into(), status(), before);
        assert!(cache.get("A").is_none());

        let off = StatusCache::new(Duration::ZERO, 10);
        off.put("A".into(), status(), generation());
        assert!(off.get("A").is_none());
        let expired = StatusCache::new(Duration::from_millis(1), 10);
        expired.put("A".into(), status(), generation());
        std::thread::sleep(Duration::from_millis(5));
        assert!(expired.get("A").is_none());
        let small = StatusCache::new(Duration::from_secs(60), 2);
        for key in ["A", "B", "C"] {
            small.put(key.into(), status(), generation());
        }
        assert!(small.get("C").is_some());
        assert!(small.entries.lock().unwrap().len() <= 2);
    }
}
