//! Where command output goes: standard output (a closed pipe ends the command quietly) or
//! files written atomically, never over one of the command's inputs.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::inputs::InputArgs;
use zhili::io::OutputFiles;

/// The files a command read (an output must not replace them).
pub(crate) fn input_paths(a: &InputArgs) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = [&a.data, &a.pipeline, &a.weights, &a.grading]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    if let Some(f) = &a.framework {
        let p = PathBuf::from(f);
        if p.exists() {
            v.push(p);
        }
    }
    v
}

/// A set of output files that must not replace `inputs`.
pub(crate) fn files(inputs: &[PathBuf], more: &[&Path]) -> OutputFiles {
    OutputFiles::new(inputs.iter().map(PathBuf::as_path).chain(more.iter().copied()))
}

/// Standard output that remembers a closed pipe (`zhili score | head`).
struct Stdout {
    broken: bool,
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::stdout()
            .lock()
            .write(buf)
            .inspect_err(|e| self.broken |= e.kind() == std::io::ErrorKind::BrokenPipe)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout()
            .lock()
            .flush()
            .inspect_err(|e| self.broken |= e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// Write to standard output; a reader that went away (broken pipe) is not an error.
pub(crate) fn to_stdout(write: impl FnOnce(&mut dyn Write) -> zhili::Result<()>) -> zhili::Result<()> {
    let mut out = Stdout { broken: false };
    let r = write(&mut out).and_then(|()| out.flush().map_err(|e| zhili::Error::spec("output", format!("cannot write: {e}"))));
    match r {
        Err(_) if out.broken => Ok(()),
        other => other,
    }
}

/// `println!` elsewhere panics on a closed pipe: end the process quietly (exit 0) instead,
/// as `cat` or `grep` do, and keep the default report for any other panic.
pub(crate) fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") || msg.contains("os error 32") {
            std::process::exit(0);
        }
        default(info);
    }));
}
