//! Long analyses on a worker thread with the GIL released. The calling (main) thread
//! watches it: every few milliseconds it takes the GIL, runs `check_signals` (so Ctrl-C
//! raises `KeyboardInterrupt`) and calls the Python progress callback with the engine's
//! latest `(done, total)`. An exception from either sets the engine's cancel flag; the run
//! stops at the next batch and the exception is raised.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;
use zhili_core::analysis::uncertainty::Monitor;
use zhili_core::Dataset;

use crate::data::{DataArgs, DatasetParts};
use crate::error::{internal_error, PyZResult};

/// Build the dataset from `data` and run `work` on a worker thread with the GIL released,
/// watching for signals and reporting progress (see the module docs).
pub(crate) fn monitored<T: Send>(
    py: Python<'_>,
    data: DataArgs<'_>,
    progress: Option<Py<PyAny>>,
    work: impl FnOnce(&Dataset, Monitor<'_>) -> PyZResult<T> + Send,
) -> PyResult<T> {
    let DataArgs {
        unit_ids,
        indicator_ids,
        values,
        unit_names,
        groups,
        numeric,
        time,
    } = data;
    let parts = DatasetParts::new(unit_ids.0, indicator_ids, &values, unit_names, groups, numeric.as_ref(), time);
    let cancel = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let hook = |d: usize, t: usize| {
        total.store(t, Ordering::Relaxed);
        done.fetch_max(d, Ordering::Relaxed);
    };
    let mut last = 0usize;
    let report = |py: Python<'_>| -> PyResult<()> {
        let d = done.load(Ordering::Relaxed);
        if d != last {
            last = d;
            if let Some(cb) = &progress {
                cb.call1(py, (d, total.load(Ordering::Relaxed)))?;
            }
        }
        Ok(())
    };
    let job = || {
        let ds = parts.build()?;
        let monitor = Monitor {
            progress: Some(&hook),
            cancel: Some(&cancel),
            ..Monitor::default()
        };
        work(&ds, monitor)
    };
    watch(py, &cancel, job, report)
}

/// Run `work` (a pipeline run) on a worker thread with the GIL released while this thread
/// watches for signals: Ctrl-C sets the engine's cancel flag (`zhili_core::cancel`), the run
/// stops at its next check and `KeyboardInterrupt` is raised.
pub(crate) fn interruptible<T: Send>(py: Python<'_>, work: impl FnOnce() -> PyZResult<T> + Send) -> PyResult<T> {
    let flag = Arc::new(AtomicBool::new(false));
    let worker_flag = Arc::clone(&flag);
    watch(py, &flag, move || zhili_core::cancel::with_flag(worker_flag, work), |_| Ok(()))
}

/// The one watch loop: `work` runs on a worker thread with the GIL released; every 20 ms this
/// thread takes the GIL, runs `check_signals` and `report` (progress); an exception from
/// either sets `stop` (the flag `work` checks) and is raised once the worker has stopped.
/// `report` runs once more after the worker ends, so the last progress is seen. A panic in
/// `work` becomes an `InternalError`.
fn watch<T: Send>(
    py: Python<'_>,
    stop: &AtomicBool,
    work: impl FnOnce() -> PyZResult<T> + Send,
    mut report: impl FnMut(Python<'_>) -> PyResult<()> + Send,
) -> PyResult<T> {
    let finished = AtomicBool::new(false);
    let mut py_err: Option<PyErr> = None;
    let outcome = py.detach(|| {
        let caller = std::thread::current();
        std::thread::scope(|s| {
            let worker = s.spawn(|| {
                let r = catch_unwind(AssertUnwindSafe(work));
                finished.store(true, Ordering::Release);
                caller.unpark();
                r
            });
            let mut tick = |signals: bool| {
                if py_err.is_some() {
                    return;
                }
                let r = Python::attach(|py| {
                    if signals {
                        py.check_signals()?;
                    }
                    report(py)
                });
                if let Err(e) = r {
                    py_err = Some(e);
                    stop.store(true, Ordering::Relaxed);
                }
            };
            while !finished.load(Ordering::Acquire) {
                std::thread::park_timeout(Duration::from_millis(20));
                if !finished.load(Ordering::Acquire) {
                    tick(true);
                }
            }
            let r = worker.join();
            tick(false);
            r
        })
    });
    if let Some(e) = py_err {
        return Err(e);
    }
    match outcome {
        Ok(Ok(r)) => r.map_err(PyErr::from),
        Ok(Err(payload)) | Err(payload) => Err(internal_error(payload.as_ref())),
    }
}
