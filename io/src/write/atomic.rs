//! Output files that appear whole or not at all.
//!
//! Every file is first written to a temporary file in its target directory and renamed over
//! the target only when the command has written everything ([`OutputFiles::commit`]); a
//! command that fails drops the set and leaves no new file behind. A target that is one of
//! the command's input files (same canonical path or same inode) is refused before anything
//! is written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;
use zhili_core::{Error, Result};

/// The files a command writes, committed together.
#[derive(Debug, Default)]
pub struct OutputFiles {
    inputs: Vec<PathBuf>,
    pending: Vec<(NamedTempFile, PathBuf)>,
}

fn out_err(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::spec("output", format!("{}: {what}", path.display()))
}

/// The path an output really lands on: a symbolic link is followed to its target; a
/// dangling link is refused (writing would create a file somewhere the user did not name).
fn resolve(path: &Path) -> Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).map_err(|_| out_err(path, "is a symbolic link to a file that does not exist; give the real path"))
        }
        Ok(m) if m.is_dir() => Err(out_err(path, "is a directory, not a file")),
        _ => Ok(path.to_path_buf()),
    }
}

/// Canonical form of a path that may not exist yet (its directory must).
fn canonical(path: &Path) -> Result<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Ok(p);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dir = std::fs::canonicalize(dir).map_err(|e| out_err(path, format!("cannot write into its directory: {e}")))?;
    Ok(match path.file_name() {
        Some(name) => dir.join(name),
        None => dir,
    })
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

impl OutputFiles {
    /// A set of outputs that must not overwrite any of `inputs`.
    pub fn new<'p>(inputs: impl IntoIterator<Item = &'p Path>) -> Self {
        OutputFiles {
            inputs: inputs.into_iter().map(Path::to_path_buf).collect(),
            pending: Vec::new(),
        }
    }

    /// Check that `path` may be written: not an input, not a directory, not a dangling link,
    /// not already in this set.
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) naming the path and the reason.
    pub fn check(&self, path: &Path) -> Result<PathBuf> {
        let target = resolve(path)?;
        let canon = canonical(&target)?;
        for input in &self.inputs {
            let same = std::fs::canonicalize(input).is_ok_and(|c| c == canon) || same_file(input, &target);
            if same {
                return Err(out_err(
                    path,
                    format!(
                        "is the input file {}; refusing to overwrite it (choose another --out)",
                        input.display()
                    ),
                ));
            }
        }
        if self.pending.iter().any(|(_, p)| canonical(p).is_ok_and(|c| c == canon)) {
            return Err(out_err(path, "is named twice as an output"));
        }
        Ok(target)
    }

    /// Write one output: `write` fills a buffered temporary file next to `path`, which
    /// becomes `path` at [`OutputFiles::commit`].
    ///
    /// # Errors
    /// As [`OutputFiles::check`]; [`Error::Spec`] (`output`) if the temporary file cannot be
    /// created or written; any error `write` returns.
    pub fn write(&mut self, path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        let file = self.open(path)?;
        let mut buf = BufWriter::with_capacity(1 << 16, file);
        write(&mut buf)?;
        buf.flush().map_err(|e| out_err(path, format!("cannot write: {e}")))
    }

    /// Open one output to be written while a computation runs (e.g. run scores streamed as
    /// they are produced): a handle on a temporary file next to `path`, which becomes `path`
    /// at [`OutputFiles::commit`] — or is removed if the command fails first.
    ///
    /// # Errors
    /// As [`OutputFiles::write`].
    pub fn open(&mut self, path: &Path) -> Result<std::fs::File> {
        let target = self.check(path)?;
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".zhili-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| out_err(path, format!("cannot create a file in {}: {e}", dir.display())))?;
        let file = tmp.as_file().try_clone().map_err(|e| out_err(path, format!("cannot write: {e}")))?;
        self.pending.push((tmp, target));
        Ok(file)
    }

    /// Rename every temporary file over its target, in the order written. Returns the
    /// paths written.
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) naming the file that could not be put in place and the
    /// files already in place before it.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        let mut done = Vec::new();
        for (tmp, target) in self.pending {
            set_permissions(tmp.as_file(), &target);
            tmp.persist(&target).map_err(|e| {
                let left = if done.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (already written: {})",
                        done.iter()
                            .map(|p: &PathBuf| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                out_err(&target, format!("cannot put in place: {}{left}", e.error))
            })?;
            done.push(target);
        }
        Ok(done)
    }
}

/// Keep an existing file's permissions; a new file gets the usual `rw-r--r--` instead of
/// the temporary file's private `rw-------`.
fn set_permissions(file: &File, target: &Path) {
    let perms = match std::fs::metadata(target) {
        Ok(m) => m.permissions(),
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::Permissions::from_mode(0o644)
            }
            #[cfg(not(unix))]
            {
                return;
            }
        }
    };
    // Best effort: a file system without permissions keeps the default.
    let _ = file.set_permissions(perms);
}

/// Write one file atomically (see [`OutputFiles`]), refusing to overwrite any of `inputs`.
///
/// # Errors
/// As [`OutputFiles::write`] and [`OutputFiles::commit`].
pub fn write_file<'p>(
    path: &Path,
    inputs: impl IntoIterator<Item = &'p Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let mut out = OutputFiles::new(inputs);
    out.write(path, write)?;
    out.commit().map(|_| ())
}

/// An I/O error while writing `what` as a zhili error.
pub(crate) fn io_err(what: &str, e: &std::io::Error) -> Error {
    Error::spec("output", format!("cannot write {what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_an_input_and_leaves_nothing_on_failure() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("data.csv");
        std::fs::write(&input, "unit,a\nx,1\n").expect("write");
        let e = write_file(&input, [input.as_path()], |w| w.write_all(b"boom").map_err(|e| io_err("x", &e))).expect_err("refused");
        assert!(e.to_string().contains("input file"), "{e}");
        assert_eq!(std::fs::read_to_string(&input).expect("read"), "unit,a\nx,1\n");
        // the same file through another name (a relative path with `..`)
        let other = dir.path().join("sub");
        std::fs::create_dir(&other).expect("mkdir");
        let e = write_file(&other.join("../data.csv"), [input.as_path()], |_| Ok(())).expect_err("refused");
        assert!(e.to_string().contains("input file"), "{e}");
        // a hard link is the same inode
        let link = dir.path().join("link.csv");
        std::fs::hard_link(&input, &link).expect("link");
        assert!(write_file(&link, [input.as_path()], |_| Ok(())).is_err());

        // the second output fails: neither file appears, no temporary file is left
        let mut set = OutputFiles::new([input.as_path()]);
        set.write(&dir.path().join("a.csv"), |w| w.write_all(b"a").map_err(|e| io_err("a", &e)))
            .expect("first");
        let e = set
            .write(&dir.path().join("b.csv"), |_| Err(Error::spec("test", "failed on purpose")))
            .expect_err("second");
        drop(set);
        assert!(e.to_string().contains("on purpose"));
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["data.csv", "link.csv", "sub"]);
    }

    #[test]
    fn replaces_whole_files_and_keeps_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.csv");
        std::fs::write(&out, "old contents that are longer").expect("write");
        write_file(&out, [], |w| w.write_all(b"new").map_err(|e| io_err("out", &e))).expect("write");
        assert_eq!(std::fs::read_to_string(&out).expect("read"), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let fresh = dir.path().join("fresh.csv");
            write_file(&fresh, [], |_| Ok(())).expect("write");
            assert_eq!(std::fs::metadata(&fresh).expect("meta").permissions().mode() & 0o777, 0o644);
            let link = dir.path().join("link.csv");
            std::os::unix::fs::symlink(&out, &link).expect("symlink");
            write_file(&link, [], |w| w.write_all(b"via link").map_err(|e| io_err("l", &e))).expect("write");
            assert!(std::fs::symlink_metadata(&link).expect("meta").file_type().is_symlink());
            assert_eq!(std::fs::read_to_string(&out).expect("read"), "via link");
            let dangling = dir.path().join("dangling.csv");
            std::os::unix::fs::symlink(dir.path().join("nowhere/x.csv"), &dangling).expect("symlink");
            let e = write_file(&dangling, [], |_| Ok(())).expect_err("dangling");
            assert!(e.to_string().contains("symbolic link"), "{e}");
        }
    }
}
