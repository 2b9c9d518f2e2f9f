//! Cooperative cancellation of a long computation on the calling thread (Ctrl-C in Python).
//!
//! A caller runs the work inside [`with_flag`]; the long loops of a pipeline run (the streamed
//! score's columns, the stage-keeping run's steps, Copeland's O(n²) comparison) look at the
//! flag and stop with an error. The flag is thread-local: the streamed score hands it to the
//! tasks it runs on other threads ([`current`]); the parallel analyses have their own
//! `Monitor::cancel`.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

thread_local! {
    static FLAG: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Run `work` with `flag` as this thread's cancel flag: once it is set, the pipeline stops at
/// its next check with an error (see [`check`]). The previous flag is restored afterwards.
pub fn with_flag<T>(flag: Arc<AtomicBool>, work: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<AtomicBool>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            FLAG.with(|f| *f.borrow_mut() = previous);
        }
    }
    let _restore = Restore(FLAG.with(|f| f.borrow_mut().replace(flag)));
    work()
}

/// This thread's cancel flag, for the tasks it hands to other threads (the streamed score's
/// columns run on every core): they run under it with [`with_flag`].
pub(crate) fn current() -> Option<Arc<AtomicBool>> {
    FLAG.with(|f| f.borrow().clone())
}

/// Whether this thread's work has been asked to stop.
pub(crate) fn requested() -> bool {
    FLAG.with(|f| f.borrow().as_ref().is_some_and(|f| f.load(Ordering::Relaxed)))
}

/// An error if this thread's work has been asked to stop.
///
/// # Errors
/// [`Error::Spec`] "cancelled by the user" once the flag is set.
pub(crate) fn check() -> Result<()> {
    if requested() {
        Err(Error::spec("run", "cancelled by the user · 已由用户取消"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_seen_inside_and_restored_after() {
        assert!(check().is_ok());
        let flag = Arc::new(AtomicBool::new(false));
        with_flag(Arc::clone(&flag), || {
            assert!(check().is_ok());
            flag.store(true, Ordering::Relaxed);
            assert!(check().unwrap_err().to_string().contains("cancelled"));
        });
        assert!(check().is_ok());
    }
}
