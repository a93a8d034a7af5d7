//! Where rendered files go: a staging directory swapped in whole, or memory.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::config::Config;
use crate::error::{Diagnostic, Result, describe_io};

/// The file serum leaves in every output directory it made, so it knows it may replace it.
pub const MARKER: &str = ".serum-output";

const MARKER_TEXT: &str =
    "This directory is written by `serum build` and replaced whole on every build.\n";

/// Whether `target` holds a build made from exactly these inputs.
pub fn is_up_to_date(target: &Path, inputs: &str) -> bool {
    std::fs::read_to_string(target.join(MARKER)).is_ok_and(|marker| {
        marker
            .lines()
            .any(|line| line.strip_prefix("inputs ") == Some(inputs))
    })
}

/// A place to put the built site's files; written from many threads at once.
pub trait Output: Sync {
    /// Writes one file at a `/`-separated path inside the site.
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic>;

    /// Copies a file from disk to a path inside the site.
    fn copy_file(&self, path: &str, from: &Path) -> Result<(), Diagnostic> {
        let bytes = std::fs::read(from).map_err(|e| {
            Diagnostic::io(from, "read this file", &e)
                .hint("check that the file exists and that you may read it")
        })?;
        self.write(path, &bytes)
    }
}

/// Files kept in memory, for `serve` and `check`.
#[derive(Debug, Default)]
pub struct MemoryOutput {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemoryOutput {
    /// Takes the files out, by path.
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Output for MemoryOutput {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let mut files = self
            .files
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        files.insert(path.to_string(), bytes.to_vec());
        Ok(())
    }
}

/// A new output directory built beside the old one and swapped in only when complete.
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    staging: PathBuf,
    shown: PathBuf,
    committed: bool,
    /// The staging directory, open and locked while this build lives: other builds see that
    /// it is in use, whatever became of the PID in its name.
    _lock: std::fs::File,
}

impl StagedDir {
    /// Checks that `target` may be replaced and creates the staging directory beside it.
    pub fn prepare(target: &Path, config: &Config, force: bool) -> Result<StagedDir> {
        let target = absolute(target);
        let shown = target
            .strip_prefix(&config.root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| target.clone());
        refuse_dangerous_target(&target, &shown, config)?;
        let io = |action: &str, path: &Path, e: &std::io::Error| -> Diagnostic {
            Diagnostic::in_file(path, format!("cannot {action}: {}", describe_io(e)))
        };
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if !meta.is_dir() => {
                return Err(Diagnostic::in_file(
                    &shown,
                    "the output path exists and is not a directory",
                )
                .hint("remove it, or choose another place with --output")
                .into());
            }
            Ok(_) => {
                let is_empty = std::fs::read_dir(&target)
                    .map_err(|e| io("read the output directory", &shown, &e))?
                    .next()
                    .is_none();
                if !is_empty && !target.join(MARKER).exists() && !force {
                    return Err(Diagnostic::in_file(
                        &shown,
                        "the output directory is not empty and was not made by serum; refusing to replace it",
                    )
                    .hint("empty it, choose another place with --output, or pass --force to replace its contents")
                    .into());
                }
            }
            Err(_) => {}
        }
        let parent = target.parent().unwrap_or(Path::new("/")).to_path_buf();
        std::fs::create_dir_all(&parent)
            .map_err(|e| io("create the output's parent directory", &parent, &e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        remove_stale_staging(&target);
        let staging = parent.join(format!(".{name}.serum-staging-{}", std::process::id()));
        let lock = create_locked(&staging).map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock => Diagnostic::in_file(
                &staging,
                "another serum build is writing into this staging directory",
            )
            .hint("it runs with the same process id, in another container or PID namespace; wait for it to finish, then build again"),
            _ => io("create the staging directory", &staging, &e),
        })?;
        Ok(StagedDir {
            target,
            staging,
            shown,
            committed: false,
            _lock: lock,
        })
    }

    /// Records what the site was built from, so that the next build can tell nothing changed.
    pub fn record_inputs(&self, inputs: &str) -> Result<(), Diagnostic> {
        let marker = format!("{MARKER_TEXT}inputs {inputs}\n");
        std::fs::write(self.staging.join(MARKER), marker)
            .map_err(|e| write_error(&self.shown, MARKER, &e))
    }

    /// The output directory as shown in messages.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// Puts the finished site in place of the old one in one step, then removes the old one.
    pub fn commit(mut self) -> Result<()> {
        let fail = |e: std::io::Error| {
            Diagnostic::in_file(
                &self.shown,
                format!("cannot put the new site in place: {}", describe_io(&e)),
            )
            .hint("the previous output is untouched; check the permissions of its parent directory")
        };
        if std::fs::symlink_metadata(&self.target).is_err() {
            std::fs::rename(&self.staging, &self.target).map_err(fail)?;
        } else if exchange(&self.staging, &self.target).is_ok() {
            // The staging path now holds the old site.
            remove_tree(&self.staging);
        } else {
            let name = self
                .staging
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let old = self.staging.with_file_name(format!("{name}.old"));
            std::fs::rename(&self.target, &old).map_err(fail)?;
            if let Err(e) = std::fs::rename(&self.staging, &self.target) {
                let _ = std::fs::rename(&old, &self.target);
                return Err(fail(e).into());
            }
            remove_tree(&old);
        }
        self.committed = true;
        Ok(())
    }

    /// Writes a file, or, when the current output holds one with the same bytes, links that
    /// one in instead: its modification time stays, so deploy tools send only what changed.
    fn keep_or_write(&self, path: &str, full: &Path, bytes: &[u8]) -> std::io::Result<()> {
        // A file written twice may already be a link to the live site's copy: never write
        // through it, replace the name instead.
        let _ = std::fs::remove_file(full);
        let old = self.target.join(path);
        let same = std::fs::metadata(&old)
            .is_ok_and(|meta| meta.is_file() && meta.len() == bytes.len() as u64)
            && std::fs::read(&old).is_ok_and(|old_bytes| old_bytes == bytes);
        if same && std::fs::hard_link(&old, full).is_ok() {
            return Ok(());
        }
        std::fs::write(full, bytes)
    }
}

/// Removes a directory tree, its files in parallel: an old site can hold tens of thousands.
pub fn remove_tree(dir: &Path) {
    use rayon::prelude::*;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_dir() {
            dirs.push((entry.depth(), entry.into_path()));
        } else {
            files.push(entry.into_path());
        }
    }
    files.par_iter().for_each(|file| {
        let _ = std::fs::remove_file(file);
    });
    dirs.sort_by_key(|dir| std::cmp::Reverse(dir.0));
    for (_, dir) in dirs {
        let _ = std::fs::remove_dir(dir);
    }
    // Whatever the fast path left (a file that appeared meanwhile), the slow path takes.
    let _ = std::fs::remove_dir_all(dir);
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            remove_tree(&self.staging);
        }
    }
}

impl Output for StagedDir {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let full = self.staging.join(path);
        create_parent(&full, &self.shown)?;
        self.keep_or_write(path, &full, bytes)
            .map_err(|e| write_error(&self.shown, path, &e))
    }

    fn copy_file(&self, path: &str, from: &Path) -> Result<(), Diagnostic> {
        let full = self.staging.join(path);
        create_parent(&full, &self.shown)?;
        // As in `keep_or_write`: never copy through a link to the live site's file.
        let _ = std::fs::remove_file(&full);
        let old = self.target.join(path);
        let size = |p: &Path| {
            std::fs::metadata(p)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len())
        };
        if size(&old).is_some() && size(&old) == size(from) {
            let same =
                matches!((std::fs::read(&old), std::fs::read(from)), (Ok(a), Ok(b)) if a == b);
            if same && std::fs::hard_link(&old, &full).is_ok() {
                return Ok(());
            }
        }
        std::fs::copy(from, &full).map(|_| ()).map_err(|e| {
            if from.exists() {
                write_error(&self.shown, path, &e)
            } else {
                Diagnostic::io(from, "copy this file", &e)
                    .hint("check that the file exists and that you may read it")
            }
        })
    }
}

/// An existing directory updated in place, each file replaced atomically: for `serve`.
#[derive(Debug)]
pub struct LiveDir {
    dir: PathBuf,
}

impl LiveDir {
    /// Writes into `dir`, which must exist.
    pub fn new(dir: &Path) -> LiveDir {
        LiveDir {
            dir: dir.to_path_buf(),
        }
    }
}

impl Output for LiveDir {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let full = self.dir.join(path);
        create_parent(&full, &self.dir)?;
        // A reader never sees half a file: write beside it, then rename over it.
        let temporary = full.with_file_name(format!(
            ".{}.serum-tmp",
            full.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        std::fs::write(&temporary, bytes)
            .and_then(|()| std::fs::rename(&temporary, &full))
            .map_err(|e| write_error(&self.dir, path, &e))
    }
}

fn create_parent(full: &Path, shown: &Path) -> Result<(), Diagnostic> {
    match full.parent() {
        Some(parent) if !parent.is_dir() => std::fs::create_dir_all(parent).map_err(|e| {
            Diagnostic::in_file(
                shown,
                format!("cannot create a directory: {}", describe_io(&e)),
            )
            .hint("check the free space and permissions where the site is written")
        }),
        _ => Ok(()),
    }
}

fn write_error(shown: &Path, path: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::in_file(shown.join(path), format!("cannot write: {}", describe_io(e)))
        .hint("check the free space and permissions where the site is written; the previous site is untouched")
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Removes the staging directories beside `target` (and their `.old` variants) that no
/// running build holds: those of builds that were killed or crashed.
pub fn remove_stale_staging(target: &Path) {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let prefix = format!(".{}.serum-staging-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let pid = pid.strip_suffix(".old").unwrap_or(pid);
        let is_ours = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
        if !is_ours || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        // Held while removing, so that a build just creating this directory sees it go.
        if let Some(_lock) = lock_if_free(&entry.path()) {
            remove_tree(&entry.path());
        }
    }
}

/// Locks a directory if no other open handle holds its lock; `None` when one does.
fn lock_if_free(dir: &Path) -> Option<std::fs::File> {
    use rustix::fs::{FlockOperation, flock};
    let handle = std::fs::File::open(dir).ok()?;
    flock(&handle, FlockOperation::NonBlockingLockExclusive).ok()?;
    Some(handle)
}

/// Creates `staging` and locks it for as long as the returned handle lives. Fails with
/// `WouldBlock` when a live build holds a directory of that name.
fn create_locked(staging: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{FlockOperation, flock};
    use rustix::io::Errno;
    use std::io::ErrorKind;
    use std::os::unix::fs::MetadataExt;
    // Another build sweeping leftovers may take the new directory for one in the moment
    // between its creation and its lock, and remove it: then make it again.
    for _ in 0..5 {
        match std::fs::create_dir(staging) {
            Ok(()) => {}
            // A dead build that had this PID left it, or a live one elsewhere holds it.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                let Some(_lock) = lock_if_free(staging) else {
                    return Err(ErrorKind::WouldBlock.into());
                };
                remove_tree(staging);
                continue;
            }
            Err(e) => return Err(e),
        }
        let handle = match std::fs::File::open(staging) {
            Ok(handle) => handle,
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        // A sweeper holds the lock only while it removes the directory.
        match flock(&handle, FlockOperation::LockExclusive) {
            Ok(()) => {}
            // A file system without locks: build unlocked. Sweepers cannot lock there either,
            // so they leave this directory alone.
            Err(Errno::OPNOTSUPP | Errno::NOSYS | Errno::NOLCK) => return Ok(handle),
            Err(e) => return Err(e.into()),
        }
        let locked = handle.metadata()?;
        let still_there = std::fs::symlink_metadata(staging)
            .is_ok_and(|now| (now.dev(), now.ino()) == (locked.dev(), locked.ino()));
        if still_there {
            return Ok(handle);
        }
    }
    Err(std::io::Error::other(
        "other builds kept removing it as a leftover",
    ))
}

/// Makes a path absolute and removes `.` and `..` parts without touching the disk.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

fn refuse_dangerous_target(target: &Path, shown: &Path, config: &Config) -> Result<()> {
    let resolve = |p: &Path| p.canonicalize().unwrap_or_else(|_| absolute(p));
    let root = resolve(&config.root);
    let target = match (target.parent(), target.file_name()) {
        (Some(parent), Some(name)) => resolve(parent).join(name),
        _ => target.to_path_buf(),
    };
    let refuse = |why: String| -> Result<()> {
        Err(
            Diagnostic::in_file(shown, format!("refusing to write the site here: {why}"))
                .hint("choose an output directory of its own with --output, such as public/")
                .into(),
        )
    };
    if root.starts_with(&target) {
        return refuse("it is the site root or one of its parents".into());
    }
    for source in ["content", "themes", "templates", "static"] {
        if target.starts_with(root.join(source)) {
            return refuse(format!("it lies inside {source}/"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_removes_dots() {
        assert_eq!(
            absolute(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
    }

    #[test]
    fn memory_output_keeps_files() {
        let out = MemoryOutput::default();
        out.write("a/index.html", b"x").unwrap();
        assert_eq!(
            out.into_files().get("a/index.html").map(Vec::as_slice),
            Some(&b"x"[..])
        );
    }
}
