//! Bounded concurrent work (docs/ARCHITECTURE.md §5, §6, §7): verifications and issuances
//! each take a permit from their [`WorkLimit`] before the CPU work starts, and run under a
//! [`CancelToken`] that stops them at a deadline or when nobody waits for the answer.
//!
//! - **Permits.** At most `max_running` jobs of a kind run at once. A job that finds none
//!   free waits in a bounded queue: at most `max_waiting` jobs wait, each at most
//!   `max_wait` (and never past its own deadline). A job that cannot wait is refused at
//!   once with [`Busy`] (`503 service_busy` with `Retry-After`), so a flood of hostile
//!   uploads costs a bounded amount of CPU and memory, and the rest of the service (the
//!   by-code lookup, booking) keeps its share. The permit is owned by the work itself and
//!   returns when the work ends, not when the HTTP handler goes away.
//! - **Cancellation.** A [`CancelToken`] is an atomic flag plus a deadline. The document
//!   crate asks it between steps (through [`crate::cancel::Cancellation`]), the services
//!   between stages. [`CancelOnDrop`], held by the waiting caller, sets the flag when the
//!   caller's future is dropped (a task aborted, a shutdown), so the blocking work stops
//!   at its next check instead of running to its end for nobody.
//!
//! - **Upload bytes.** An [`UploadBudget`] bounds the bytes of uploads being received and
//!   held at once: an upload reserves its declared size (or the largest allowed) *before*
//!   its body is read, and gives it back when the request ends. An upload that finds the
//!   budget spent waits at most `max_wait`, then is refused with [`Busy`], without its
//!   body being read (docs/ARCHITECTURE.md §5).
//!
//! The limits are per process: each instance protects its own CPU and memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rocket::tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::cancel::{Cancel, Cancellation};
use crate::error::{PublicError, UserFacing};

/// Sizes of one [`WorkLimit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Jobs running at once (at least 1).
    pub max_running: usize,
    /// Jobs waiting for a permit at once (0: refuse as soon as all permits are taken).
    pub max_waiting: usize,
    /// Longest a job waits for a permit.
    pub max_wait: Duration,
}

/// A pool of permits for one kind of work, with a bounded wait queue.
#[derive(Debug)]
pub struct WorkLimit {
    settings: LimitSettings,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
}

/// A permit to run one job; the permit returns to its [`WorkLimit`] when this is dropped.
#[derive(Debug)]
pub struct WorkPermit {
    _permit: OwnedSemaphorePermit,
}

/// No permit could be had: every permit is taken and the queue is full, or the wait ran
/// out. The caller may retry after [`Busy::retry_after_seconds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too much concurrent work, retry after {retry_after_seconds} s")]
pub struct Busy {
    /// Suggested wait before retrying (the `Retry-After` header).
    pub retry_after_seconds: u32,
}

impl UserFacing for Busy {
    fn public(&self) -> PublicError {
        PublicError::new(
            503,
            "service_busy",
            format!(
                "Hệ thống đang xử lý quá nhiều yêu cầu cùng lúc. Vui lòng thử lại sau {} giây.",
                self.retry_after_seconds
            ),
            format!(
                "The service is handling too many requests at once. Please retry in {} seconds.",
                self.retry_after_seconds
            ),
        )
        .with_retry_after(u64::from(self.retry_after_seconds))
    }
}

/// Counts one waiting job for as long as it lives (also when the waiting future is
/// dropped).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl WorkLimit {
    /// A limit with these sizes (`max_running` at least 1).
    pub fn new(settings: LimitSettings) -> Self {
        let settings = LimitSettings {
            max_running: settings.max_running.max(1),
            ..settings
        };
        WorkLimit {
            permits: Arc::new(Semaphore::new(settings.max_running)),
            waiting: AtomicUsize::new(0),
            settings,
        }
    }

    /// Its sizes.
    pub fn settings(&self) -> LimitSettings {
        self.settings
    }

    /// Permits free now (tests and monitoring: equal to `max_running` when idle).
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    /// Jobs waiting now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    /// The `Retry-After` suggested when refusing: the longest wait, rounded up, at least
    /// one second.
    pub fn retry_after_seconds(&self) -> u32 {
        let millis = self.settings.max_wait.as_millis().div_ceil(1000);
        u32::try_from(millis).unwrap_or(u32::MAX).max(1)
    }

    fn busy(&self) -> Busy {
        Busy {
            retry_after_seconds: self.retry_after_seconds(),
        }
    }

    /// A permit now, or after waiting in the queue (at most `max_wait`, and not past the
    /// token's deadline or cancellation), or [`Busy`].
    pub async fn acquire(&self, token: &CancelToken) -> Result<WorkPermit, Busy> {
        if token.is_cancelled() {
            return Err(self.busy());
        }
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(WorkPermit { _permit: permit });
        }
        let queued = self
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |waiting| {
                (waiting < self.settings.max_waiting).then_some(waiting + 1)
            });
        if queued.is_err() {
            return Err(self.busy());
        }
        let _waiting = Waiting(&self.waiting);
        let wait = self.settings.max_wait.min(token.remaining());
        match rocket::tokio::time::timeout(wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) if !token.is_cancelled() => Ok(WorkPermit { _permit: permit }),
            _ => Err(self.busy()),
        }
    }
}

/// Bytes of uploads received and held at once, reserved before a body is read. Sizes are
/// counted in KiB (rounded up), so a budget of up to 4 TiB fits the semaphore.
#[derive(Debug)]
pub struct UploadBudget {
    permits: Arc<Semaphore>,
    total_kib: u32,
    max_wait: Duration,
}

/// Bytes reserved in an [`UploadBudget`]; they return when this is dropped.
#[derive(Debug)]
pub struct Reservation {
    _permit: OwnedSemaphorePermit,
}

impl UploadBudget {
    /// A budget of `total_bytes` (at least 1 KiB); an upload waits at most `max_wait` for
    /// its share.
    pub fn new(total_bytes: u64, max_wait: Duration) -> Self {
        let total_kib = u32::try_from(total_bytes.div_ceil(1024))
            .unwrap_or(u32::MAX >> 3)
            .clamp(1, u32::MAX >> 3);
        UploadBudget {
            permits: Arc::new(Semaphore::new(total_kib as usize)),
            total_kib,
            max_wait,
        }
    }

    /// The whole budget, in bytes.
    pub fn total_bytes(&self) -> u64 {
        u64::from(self.total_kib) * 1024
    }

    /// Bytes free now (tests and monitoring: equal to [`Self::total_bytes`] when idle).
    pub fn available_bytes(&self) -> u64 {
        self.permits.available_permits() as u64 * 1024
    }

    fn busy(&self) -> Busy {
        let seconds = self.max_wait.as_millis().div_ceil(1000);
        Busy {
            retry_after_seconds: u32::try_from(seconds).unwrap_or(u32::MAX).max(1),
        }
    }

    /// Reserves `bytes` (at most the whole budget), waiting at most `max_wait`, or
    /// [`Busy`].
    pub async fn reserve(&self, bytes: u64) -> Result<Reservation, Busy> {
        let kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .clamp(1, self.total_kib);
        if let Ok(permit) = self.permits.clone().try_acquire_many_owned(kib) {
            return Ok(Reservation { _permit: permit });
        }
        match rocket::tokio::time::timeout(
            self.max_wait,
            self.permits.clone().acquire_many_owned(kib),
        )
        .await
        {
            Ok(Ok(permit)) => Ok(Reservation { _permit: permit }),
            _ => Err(self.busy()),
        }
    }
}

/// The limits of the service: one for verifications, one for issuances, and the deadline
/// each job runs under; the byte budget of verification uploads and how long any upload
/// may take to arrive.
#[derive(Debug, Clone)]
pub struct WorkLimits {
    /// Verifications (uploads on the API and on the QR page, the command line).
    pub verify: Arc<WorkLimit>,
    /// Deadline of one verification, from the moment it asks for a permit.
    pub verify_deadline: Duration,
    /// Issuances (`POST /api/v1/copies`, `certcopy issue`).
    pub issue: Arc<WorkLimit>,
    /// Deadline of one issuance, from the moment it asks for a permit.
    pub issue_deadline: Duration,
    /// Bytes of verification uploads (public and agency) received and held at once.
    pub upload_budget: Arc<UploadBudget>,
    /// Longest any upload body may take to arrive; past it the answer is 408.
    pub upload_read_timeout: Duration,
}

#[derive(Debug)]
struct TokenState {
    stopped: AtomicBool,
    deadline: Instant,
}

impl Cancel for TokenState {
    fn cancelled(&self) -> bool {
        self.stopped.load(Ordering::Acquire) || Instant::now() >= self.deadline
    }
}

/// Why a job should stop: its flag (set by [`CancelToken::cancel`] or a dropped
/// [`CancelOnDrop`]) or its deadline. Clones share the flag.
#[derive(Debug, Clone)]
pub struct CancelToken(Arc<TokenState>);

impl CancelToken {
    /// A token whose deadline is `limit` from now.
    pub fn with_deadline(limit: Duration) -> Self {
        let now = Instant::now();
        CancelToken(Arc::new(TokenState {
            stopped: AtomicBool::new(false),
            deadline: now
                .checked_add(limit)
                .unwrap_or(now + Duration::from_secs(86_400)),
        }))
    }

    /// Stops the job at its next check.
    pub fn cancel(&self) {
        self.0.stopped.store(true, Ordering::Release);
    }

    /// Whether the job should stop (flag set or deadline passed).
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled()
    }

    /// Whether the deadline has passed (as opposed to the flag alone).
    pub fn deadline_passed(&self) -> bool {
        Instant::now() >= self.0.deadline
    }

    /// Time left before the deadline.
    pub fn remaining(&self) -> Duration {
        self.0.deadline.saturating_duration_since(Instant::now())
    }

    /// The token in the form the document crate asks.
    pub fn cancellation(&self) -> Cancellation {
        Cancellation::new(self.0.clone())
    }

    /// A guard that cancels the token when dropped: held by whoever waits for the job, so
    /// the job stops when they stop waiting.
    pub fn cancel_on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(self.clone())
    }
}

/// Cancels its token when dropped (see [`CancelToken::cancel_on_drop`]).
#[derive(Debug)]
pub struct CancelOnDrop(CancelToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(max_running: usize, max_waiting: usize, max_wait_ms: u64) -> Arc<WorkLimit> {
        Arc::new(WorkLimit::new(LimitSettings {
            max_running,
            max_waiting,
            max_wait: Duration::from_millis(max_wait_ms),
        }))
    }

    fn token() -> CancelToken {
        CancelToken::with_deadline(Duration::from_secs(30))
    }

    #[rocket::async_test]
    async fn full_limit_without_queue_refuses_at_once() {
        let limit = limit(1, 0, 5_000);
        let held = limit.acquire(&token()).await.expect("free permit");
        let started = Instant::now();
        let refused = limit.acquire(&token()).await.expect_err("no permit left");
        assert!(started.elapsed() < Duration::from_millis(500));
        assert_eq!(refused.retry_after_seconds, 5);
        assert_eq!((refused.code(), refused.status()), ("service_busy", 503));
        assert_eq!(refused.public().retry_after_secs, Some(5));
        drop(held);
        assert_eq!(limit.available(), 1);
        limit.acquire(&token()).await.expect("permit back");
    }

    #[rocket::async_test]
    async fn a_queued_job_gets_the_permit_when_it_returns() {
        let limit = limit(1, 1, 5_000);
        let held = limit.acquire(&token()).await.expect("free permit");
        let waiter = {
            let limit = limit.clone();
            rocket::tokio::spawn(async move { limit.acquire(&token()).await.map(|_| ()) })
        };
        while limit.waiting() == 0 {
            rocket::tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // The queue holds one: a third job is refused while the second waits.
        assert!(limit.acquire(&token()).await.is_err());
        drop(held);
        waiter
            .await
            .expect("task")
            .expect("queued job gets the permit");
        assert_eq!(limit.waiting(), 0);
        assert_eq!(limit.available(), 1);
    }

    #[rocket::async_test]
    async fn the_wait_ends_at_the_queue_limit_and_at_the_deadline() {
        let limit = limit(1, 4, 150);
        let _held = limit.acquire(&token()).await.expect("free permit");
        let started = Instant::now();
        assert!(limit.acquire(&token()).await.is_err());
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(150) && waited < Duration::from_secs(2));
        let short = CancelToken::with_deadline(Duration::from_millis(20));
        let started = Instant::now();
        assert!(limit.acquire(&short).await.is_err());
        assert!(started.elapsed() < Duration::from_millis(140));
        assert_eq!(limit.waiting(), 0);
    }

    #[rocket::async_test]
    async fn the_upload_budget_is_reserved_by_size_and_returns_when_dropped() {
        let budget = UploadBudget::new(1_000_000, Duration::from_millis(100));
        assert_eq!(budget.total_bytes(), 977 * 1024);
        let big = budget.reserve(900_000).await.expect("fits");
        assert_eq!(budget.available_bytes(), (977 - 879) * 1024);
        let small = budget.reserve(50_000).await.expect("fits beside it");
        let started = Instant::now();
        let refused = budget.reserve(200_000).await.expect_err("no room");
        assert!(started.elapsed() >= Duration::from_millis(100));
        assert_eq!(refused.retry_after_seconds, 1);
        // A claim above the whole budget waits for all of it instead of never fitting.
        drop(big);
        drop(small);
        let all = budget
            .reserve(5_000_000)
            .await
            .expect("clamped to the budget");
        assert_eq!(budget.available_bytes(), 0);
        drop(all);
        assert_eq!(budget.available_bytes(), budget.total_bytes());
    }

    #[test]
    fn the_token_stops_at_its_deadline_and_when_its_guard_is_dropped() {
        let expired = CancelToken::with_deadline(Duration::ZERO);
        assert!(expired.is_cancelled() && expired.deadline_passed());
        assert!(expired.cancellation().is_cancelled());
        let token = token();
        let cancellation = token.cancellation();
        assert!(!token.is_cancelled() && !cancellation.is_cancelled());
        drop(token.cancel_on_drop());
        assert!(token.is_cancelled() && cancellation.is_cancelled());
        assert!(!token.deadline_passed());
    }
}
