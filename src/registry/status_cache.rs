//! A short-lived cache of the public status behind a verification code — the lookup every
//! receiving agency and every QR scan makes (docs/ARCHITECTURE.md §13). Only a valid
//! copy's status is kept: it changes only by annulment. An annulment made by this process
//! empties the cache at once ([`annulled`]); one made by another instance is seen here
//! within `status_cache_secs` (the entries' life).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::verifying::PublicStatus;

/// Annulments committed by this process: an entry cached before the latest is stale.
static ANNULMENTS: AtomicU64 = AtomicU64::new(0);

/// Records that an annulment was committed (every cached status becomes stale).
pub fn annulled() {
    ANNULMENTS.fetch_add(1, Ordering::SeqCst);
}

/// The cache; entries live `ttl` (zero: nothing is kept).
#[derive(Debug)]
pub struct StatusCache {
    ttl: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<String, (PublicStatus, Instant, u64)>>,
}

impl StatusCache {
    /// A cache of at most `max_entries` statuses kept `ttl` each.
    pub fn new(ttl: Duration, max_entries: usize) -> StatusCache {
        StatusCache {
            ttl,
            max_entries,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The fresh status kept for a normalised code.
    pub fn get(&self, code: &str) -> Option<PublicStatus> {
        if self.ttl.is_zero() {
            return None;
        }
        let generation = ANNULMENTS.load(Ordering::SeqCst);
        let entries = self.entries.lock().ok()?;
        let (status, at, kept_generation) = entries.get(code)?;
        (at.elapsed() < self.ttl && *kept_generation == generation).then(|| status.clone())
    }

    /// Keeps the status of a normalised code (when the cache is full it starts over: the
    /// statuses are cheap to read again).
    pub fn put(&self, code: String, status: PublicStatus, generation: u64) {
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

    /// The annulment count to tag an entry read now with (read it before the lookup).
    pub fn generation() -> u64 {
        ANNULMENTS.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::verifying::PublicState;

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
        cache.put("A".into(), status(), StatusCache::generation());
        assert!(cache.get("A").is_some());
        assert!(cache.get("B").is_none());
        annulled();
        assert!(cache.get("A").is_none(), "stale after an annulment");
        // Read before an annulment, kept after it: stale at once.
        let before = StatusCache::generation();
        annulled();
        cache.put("A".into(), status(), before);
        assert!(cache.get("A").is_none());

        let off = StatusCache::new(Duration::ZERO, 10);
        off.put("A".into(), status(), StatusCache::generation());
        assert!(off.get("A").is_none());
        let expired = StatusCache::new(Duration::from_millis(1), 10);
        expired.put("A".into(), status(), StatusCache::generation());
        std::thread::sleep(Duration::from_millis(5));
        assert!(expired.get("A").is_none());
        let small = StatusCache::new(Duration::from_secs(60), 2);
        for key in ["A", "B", "C"] {
            small.put(key.into(), status(), StatusCache::generation());
        }
        assert!(small.get("C").is_some());
        assert!(small.entries.lock().unwrap().len() <= 2);
    }
}
