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
    let mut py_err: Option<PyErr> = None;
    let finished = AtomicBool::new(false);
    let outcome = py.detach(|| {
        let caller = std::thread::current();
        std::thread::scope(|s| {
            let worker = s.spawn(|| {
                let r = catch_unwind(AssertUnwindSafe(|| {
                    let ds = parts.build()?;
                    let monitor = Monitor {
                        progress: Some(&hook),
                        cancel: Some(&cancel),
                        ..Monitor::default()
                    };
                    work(&ds, monitor)
                }));
                finished.store(true, Ordering::Release);
                caller.unpark();
                r
            });
            let mut last = 0usize;
            let mut tick = |final_tick: bool, py_err: &mut Option<PyErr>| {
                Python::attach(|py| {
                    if py_err.is_some() {
                        return;
                    }
                    if !final_tick {
                        if let Err(e) = py.check_signals() {
                            *py_err = Some(e);
                            cancel.store(true, Ordering::Relaxed);
                            return;
                        }
                    }
                    let d = done.load(Ordering::Relaxed);
                    if d != last {
                        last = d;
                        if let Some(cb) = &progress {
                            if let Err(e) = cb.call1(py, (d, total.load(Ordering::Relaxed))) {
                                *py_err = Some(e);
                                cancel.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                });
            };
            while !finished.load(Ordering::Acquire) {
                std::thread::park_timeout(Duration::from_millis(20));
                if !finished.load(Ordering::Acquire) {
                    tick(false, &mut py_err);
                }
            }
            let r = worker.join();
            tick(true, &mut py_err);
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

/// Run `work` (a pipeline run) on a worker thread with the GIL released while this thread
/// watches for signals: Ctrl-C sets the engine's cancel flag (`zhili_core::cancel`), the run
/// stops at its next check and `KeyboardInterrupt` is raised.
pub(crate) fn interruptible<T: Send>(py: Python<'_>, work: impl FnOnce() -> PyZResult<T> + Send) -> PyResult<T> {
    let flag = Arc::new(AtomicBool::new(false));
    let finished = AtomicBool::new(false);
    let mut py_err: Option<PyErr> = None;
    let outcome = py.detach(|| {
        let caller = std::thread::current();
        std::thread::scope(|s| {
            let stop = &flag;
            let (flag, finished) = (Arc::clone(&flag), &finished);
            let worker = s.spawn(move || {
                let r = catch_unwind(AssertUnwindSafe(|| zhili_core::cancel::with_flag(flag, work)));
                finished.store(true, Ordering::Release);
                caller.unpark();
                r
            });
            while !finished.load(Ordering::Acquire) {
                std::thread::park_timeout(Duration::from_millis(20));
                if py_err.is_none() && !finished.load(Ordering::Acquire) {
                    Python::attach(|py| {
                        if let Err(e) = py.check_signals() {
                            py_err = Some(e);
                        }
                    });
                    if py_err.is_some() {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            }
            worker.join()
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
