//! Long analyses (uncertainty) run on a worker thread; the page polls their progress.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One job: progress counters, a cancel flag and, when done, its result or error.
#[derive(Debug, Default)]
pub(crate) struct Job {
    pub(crate) done: AtomicUsize,
    pub(crate) total: AtomicUsize,
    pub(crate) cancel: AtomicBool,
    pub(crate) outcome: Mutex<Option<Result<serde_json::Value, String>>>,
}

/// The jobs of this server (kept until the server stops; a handful per session).
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    next: AtomicU64,
    map: Mutex<HashMap<u64, Arc<Job>>>,
}

impl Jobs {
    /// Start `work` on a new thread; returns the job id.
    pub(crate) fn spawn(&self, total: usize, work: impl FnOnce(&Job) -> Result<serde_json::Value, String> + Send + 'static) -> u64 {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let job = Arc::new(Job::default());
        job.total.store(total, Ordering::SeqCst);
        self.lock().insert(id, Arc::clone(&job));
        std::thread::spawn(move || {
            let out = work(&job);
            *job.outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(out);
        });
        id
    }

    /// A job by id.
    pub(crate) fn get(&self, id: u64) -> Option<Arc<Job>> {
        self.lock().get(&id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Job>>> {
        self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
