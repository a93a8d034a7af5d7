//! Where rendered files go: a staging directory swapped in whole, or memory.
//!
//! A build writes into a staging directory beside the output and swaps it in with one
//! rename, so the output is always exactly one build, never a mix. The replaced output is
//! kept as a *shadow* in `.serum-cache/`; the next build takes it as its staging directory
//! and only rewrites what differs from the output it will replace, so a rebuild costs what
//! changed, not what the site holds.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::{Diagnostic, Result, describe_io};
use crate::site::Key;

/// The file serum leaves in every output directory it made, so it knows it may replace it.
pub const MARKER: &str = ".serum-output";

const MARKER_TEXT: &str =
    "This directory is written by `serum build` and replaced whole on every build.\n";

/// Whether `target` holds a build made from exactly these inputs, and no page it left out
/// for being dated in the future is due yet.
pub fn is_up_to_date(target: &Path, inputs: &str) -> bool {
    let due = marker_line(target, "due").and_then(|due| due.parse::<i64>().ok());
    let now = jiff::Timestamp::now().as_second();
    marker_line(target, "inputs").as_deref() == Some(inputs) && due.is_none_or(|due| now < due)
}

/// A value the marker of an output directory records (`inputs`, `generation`).
fn marker_line(dir: &Path, name: &str) -> Option<String> {
    let marker = std::fs::read_to_string(dir.join(MARKER)).ok()?;
    marker.lines().find_map(|line| {
        line.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(' '))
            .map(str::to_string)
    })
}

/// A place to put the built site's files; written from many threads at once. Every file
/// comes with the key of what it was made from.
pub trait Output: Sync {
    /// Writes one file at a `/`-separated path inside the site.
    fn write(&self, path: &str, key: Key, bytes: &[u8]) -> Result<(), Diagnostic>;

    /// Copies a file from disk to a path inside the site.
    fn copy_file(&self, path: &str, key: Key, from: &Path) -> Result<(), Diagnostic> {
        let bytes = std::fs::read(from).map_err(|e| {
            Diagnostic::io(from, "read this file", &e)
                .hint("check that the file exists and that you may read it")
        })?;
        self.write(path, key, &bytes)
    }

    /// Puts a file that is never changed in place (a cache file, replaced only by renames)
    /// at a path inside the site: linked where the output can, else copied.
    fn link_file(&self, path: &str, key: Key, from: &Path) -> Result<(), Diagnostic> {
        self.copy_file(path, key, from)
    }

    /// Keeps the file the current output has at `path` when it was made from `key`, and says
    /// so; `false` means it must be made.
    fn reuse(&self, _path: &str, _key: Key) -> bool {
        false
    }
}

/// Files kept in memory, for `check`.
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
    fn write(&self, path: &str, _key: Key, bytes: &[u8]) -> Result<(), Diagnostic> {
        let mut files = self
            .files
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        files.insert(path.to_string(), bytes.to_vec());
        Ok(())
    }
}

/// The files of one output directory, with the keys they were made from, under the name its
/// marker records.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Generation {
    id: String,
    files: HashMap<String, Key>,
}

/// What a site's output directory and its shadow hold, as the last build left them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OutputState {
    live: Option<Generation>,
    shadow: Option<Generation>,
}

/// A new output directory built beside the old one and swapped in only when complete.
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    staging: PathBuf,
    shown: PathBuf,
    committed: bool,
    /// The current output's generation, when the state knows it: what may be reused.
    live: Option<Generation>,
    /// What the staging directory held when the build began (a former output), by path.
    base: HashMap<String, Key>,
    /// What this build has put in the staging directory, in the order it was put there (a
    /// later entry for a path wins). A list while the build runs: a map of every output
    /// (200,000 at 100,000 articles), grown under this lock by every thread, was rehashed
    /// whole each time it doubled while the other threads waited.
    made: Mutex<Vec<(String, Key)>>,
    /// Where the replaced output is kept for the next build, if anywhere.
    shadow: Option<PathBuf>,
    /// What `record_inputs` was told.
    inputs: Mutex<Option<String>>,
    /// When the first page left out for its date is due, in seconds since 1970.
    due: Mutex<Option<i64>>,
    /// The staging directory, open and locked while this build lives: other builds see that
    /// it is in use, whatever became of the PID in its name.
    _lock: std::fs::File,
}

impl StagedDir {
    /// Checks that `target` may be replaced and makes the staging directory beside it: the
    /// shadow a previous build left in `shadow`, when `state` vouches for it, else a new one.
    pub fn prepare(
        target: &Path,
        config: &Config,
        force: bool,
        state: &OutputState,
        shadow: Option<&Path>,
    ) -> Result<StagedDir> {
        let target = absolute(target);
        let shown = target
            .strip_prefix(&config.root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| target.clone());
        refuse_dangerous_target(&target, &shown, config)?;
        refuse_foreign_target(&target, &shown, force)?;
        let parent = target.parent().unwrap_or(Path::new("/")).to_path_buf();
        std::fs::create_dir_all(&parent)
            .map_err(|e| io_problem("create the output's parent directory", &parent, &e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        remove_stale_staging(&target);
        let staging = parent.join(format!(".{name}.serum-staging-{}", std::process::id()));
        let live = state
            .live
            .clone()
            .filter(|g| marker_line(&target, "generation").as_deref() == Some(g.id.as_str()));
        let shadow = shadow.filter(|dir| same_filesystem(dir, &parent));
        let claimed = match (shadow, &live) {
            (Some(dir), Some(_)) => claim_shadow(dir, state.shadow.as_ref(), &staging),
            (Some(dir), None) => {
                if std::fs::symlink_metadata(dir).is_ok() {
                    remove_tree(dir);
                }
                None
            }
            _ => None,
        };
        let (base, lock) = match claimed {
            Some((base, lock)) => (base, lock),
            None => {
                let lock = create_locked(&staging).map_err(|e| match e.kind() {
                    std::io::ErrorKind::WouldBlock => Diagnostic::in_file(
                        &staging,
                        "another serum build is writing into this staging directory",
                    )
                    .hint("it runs with the same process id, in another container or PID namespace; wait for it to finish, then build again"),
                    _ => io_problem("create the staging directory", &staging, &e),
                })?;
                (HashMap::new(), lock)
            }
        };
        Ok(StagedDir {
            target,
            staging,
            shown,
            committed: false,
            live,
            base,
            made: Mutex::new(Vec::new()),
            shadow: shadow.map(Path::to_path_buf),
            inputs: Mutex::new(None),
            due: Mutex::new(None),
            _lock: lock,
        })
    }

    /// Records what the site was built from, so that the next build can tell nothing changed.
    pub fn record_inputs(&self, inputs: &str) {
        *self.inputs.lock().unwrap_or_else(|p| p.into_inner()) = Some(inputs.to_string());
    }

    /// Records when the first page left out for its date is due: a rebuild is needed then,
    /// even if no file changed.
    pub fn record_due(&self, due: Option<jiff::Timestamp>) {
        *self.due.lock().unwrap_or_else(|p| p.into_inner()) = due.map(|d| d.as_second());
    }

    /// The output directory as shown in messages.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// Puts the finished site in place of the old one in one step; the old one becomes the
    /// shadow the next build starts from, or is removed. `state` learns what each holds.
    pub fn commit(mut self, state: &mut OutputState) -> Result<()> {
        let made: HashMap<String, Key> =
            std::mem::take(self.made.get_mut().unwrap_or_else(|p| p.into_inner()))
                .into_iter()
                .collect();
        for path in self.base.keys().filter(|path| !made.contains_key(*path)) {
            remove_with_empty_parents(&self.staging, path);
        }
        let generation = Generation {
            id: new_generation_id(),
            files: made,
        };
        self.write_marker(&generation.id)?;
        let fail = |e: std::io::Error| {
            Diagnostic::in_file(
                &self.shown,
                format!("cannot put the new site in place: {}", describe_io(&e)),
            )
            .hint("the previous output is untouched; check the permissions of its parent directory")
        };
        let old = if std::fs::symlink_metadata(&self.target).is_err() {
            std::fs::rename(&self.staging, &self.target).map_err(fail)?;
            None
        } else if exchange(&self.staging, &self.target).is_ok() {
            // The staging path now holds the old site.
            Some(self.staging.clone())
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
            Some(old)
        };
        self.committed = true;
        state.shadow = match (old, self.live.take(), &self.shadow) {
            (Some(old), Some(live), Some(shadow)) => keep_as_shadow(&old, shadow).then_some(live),
            (Some(old), _, _) => {
                remove_tree(&old);
                None
            }
            (None, _, _) => None,
        };
        state.live = Some(generation);
        Ok(())
    }

    /// Gives up a failed build: the output stays as it was, and the staging directory is
    /// kept as the shadow (what it holds is known), so the next build need not start over.
    pub fn abandon(mut self, state: &mut OutputState) {
        let Some(shadow) = self.shadow.clone() else {
            return;
        };
        let mut files = std::mem::take(&mut self.base);
        files.extend(std::mem::take(
            self.made.get_mut().unwrap_or_else(|p| p.into_inner()),
        ));
        let id = new_generation_id();
        if self.write_marker(&id).is_ok() && keep_as_shadow(&self.staging, &shadow) {
            self.committed = true;
            state.shadow = Some(Generation { id, files });
        }
    }

    fn write_marker(&self, generation: &str) -> Result<(), Diagnostic> {
        let mut marker = MARKER_TEXT.to_string();
        if let Some(inputs) = self
            .inputs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            marker.push_str(&format!("inputs {inputs}\n"));
        }
        if let Some(due) = *self.due.lock().unwrap_or_else(|p| p.into_inner()) {
            marker.push_str(&format!("due {due}\n"));
        }
        marker.push_str(&format!("generation {generation}\n"));
        let path = self.staging.join(MARKER);
        let _ = std::fs::remove_file(&path);
        std::fs::write(&path, marker).map_err(|e| write_error(&self.shown, MARKER, &e))
    }

    /// Puts a file in the staging directory through `put`, never through a link to the live
    /// site's copy of it (a file kept from a former output may be one). `put` must fail with
    /// `AlreadyExists` rather than write into a file that is there: that file is then removed
    /// and `put` tried again. A new file, the usual case, costs no more than its own writing.
    fn place(
        &self,
        path: &str,
        key: Key,
        put: impl Fn(&Path) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let full = self.staging.join(path);
        if let Some(parent) = full.parent() {
            make_dir(parent)?;
        }
        match put(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::remove_file(&full)?;
                put(&full)?;
            }
            done => done?,
        }
        self.made
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((path.to_string(), key));
        Ok(())
    }
}

/// Makes a directory whose parent most often exists already: one system call then, where
/// `create_dir_all` alone would first look at every ancestor.
fn make_dir(dir: &Path) -> std::io::Result<()> {
    match std::fs::create_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(dir),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        made => made,
    }
}

/// Writes a file that must not exist yet.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)
}

fn io_problem(action: &str, path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::in_file(path, format!("cannot {action}: {}", describe_io(e)))
}

/// Refuses an output that is a file, or a non-empty directory serum did not make (unless
/// `force`).
fn refuse_foreign_target(target: &Path, shown: &Path, force: bool) -> Result<()> {
    match std::fs::symlink_metadata(target) {
        Ok(meta) if !meta.is_dir() => Err(Diagnostic::in_file(
            shown,
            "the output path exists and is not a directory",
        )
        .hint("remove it, or choose another place with --output")
        .into()),
        Ok(_) => {
            let is_empty = std::fs::read_dir(target)
                .map_err(|e| io_problem("read the output directory", shown, &e))?
                .next()
                .is_none();
            if !is_empty && !target.join(MARKER).exists() && !force {
                return Err(Diagnostic::in_file(
                    shown,
                    "the output directory is not empty and was not made by serum; refusing to replace it",
                )
                .hint("empty it, choose another place with --output, or pass --force to replace its contents")
                .into());
            }
            Ok(())
        }
        Err(_) => Ok(()),
    }
}

/// Takes a shadow as the new staging directory, if the state vouches for it; returns what it
/// holds. A shadow that cannot be trusted is removed.
fn claim_shadow(
    dir: &Path,
    known: Option<&Generation>,
    staging: &Path,
) -> Option<(HashMap<String, Key>, std::fs::File)> {
    std::fs::symlink_metadata(dir).ok()?;
    let vouched = known.filter(|g| marker_line(dir, "generation").as_deref() == Some(&g.id));
    let Some(generation) = vouched else {
        remove_tree(dir);
        return None;
    };
    if std::fs::symlink_metadata(staging).is_ok() {
        // A dead build that had this PID left it, or a live one elsewhere holds it.
        let _free = lock_if_free(staging)?;
        remove_tree(staging);
    }
    std::fs::rename(dir, staging).ok()?;
    let lock = lock_in_place(staging)?;
    let _ = std::fs::remove_file(staging.join(MARKER));
    // Anything put in the output by hand since is not the site's: it goes.
    let tops: std::collections::HashSet<&str> = generation
        .files
        .keys()
        .map(|path| path.split('/').next().unwrap_or(path))
        .collect();
    if let Ok(entries) = std::fs::read_dir(staging) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !tops.contains(name.as_str()) {
                if entry.path().is_dir() {
                    remove_tree(&entry.path());
                } else {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
    Some((generation.files.clone(), lock))
}

/// Locks a directory this build just moved into place, if it is still there once locked (a
/// sweeping build may have taken it for a leftover in between).
fn lock_in_place(dir: &Path) -> Option<std::fs::File> {
    use rustix::fs::{FlockOperation, flock};
    use std::os::unix::fs::MetadataExt;
    let handle = std::fs::File::open(dir).ok()?;
    flock(&handle, FlockOperation::LockExclusive).ok()?;
    let locked = handle.metadata().ok()?;
    std::fs::symlink_metadata(dir)
        .is_ok_and(|now| (now.dev(), now.ino()) == (locked.dev(), locked.ino()))
        .then_some(handle)
}

/// Moves a replaced output to where the next build finds it.
fn keep_as_shadow(old: &Path, shadow: &Path) -> bool {
    if std::fs::symlink_metadata(shadow).is_ok() {
        remove_tree(shadow);
    }
    let kept = shadow
        .parent()
        .is_some_and(|parent| std::fs::create_dir_all(parent).is_ok())
        && std::fs::rename(old, shadow).is_ok();
    if !kept {
        remove_tree(old);
    }
    kept
}

/// Removes a file and the folders it leaves empty, up to `root`.
fn remove_with_empty_parents(root: &Path, path: &str) {
    let _ = std::fs::remove_file(root.join(path));
    let mut dir = Path::new(path).parent();
    while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
        if std::fs::remove_dir(root.join(d)).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// A name for a generation that no other build has used.
fn new_generation_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{nanos:x}-{:x}", std::process::id())
}

/// Whether a folder (or, when it does not exist yet, the folder that would hold it) is on the
/// same filesystem as `other`, so that a rename can move one to the other.
#[cfg(unix)]
fn same_filesystem(dir: &Path, other: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let existing = dir.ancestors().find(|d| d.exists());
    match (
        existing.and_then(|d| std::fs::metadata(d).ok()),
        std::fs::metadata(other),
    ) {
        (Some(a), Ok(b)) => a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_filesystem(_: &Path, _: &Path) -> bool {
    false
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
    fn write(&self, path: &str, key: Key, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.place(path, key, |full| write_new(full, bytes))
            .map_err(|e| write_error(&self.shown, path, &e))
    }

    fn copy_file(&self, path: &str, key: Key, from: &Path) -> Result<(), Diagnostic> {
        // `copy` would write into a file that is there: it is removed first.
        let copy = |full: &Path| match std::fs::symlink_metadata(full) {
            Ok(_) => Err(std::io::ErrorKind::AlreadyExists.into()),
            Err(_) => std::fs::copy(from, full).map(|_| ()),
        };
        self.place(path, key, copy).map_err(|e| {
            if from.exists() {
                write_error(&self.shown, path, &e)
            } else {
                Diagnostic::io(from, "copy this file", &e)
                    .hint("check that the file exists and that you may read it")
            }
        })
    }

    fn link_file(&self, path: &str, key: Key, from: &Path) -> Result<(), Diagnostic> {
        let linked = self.place(path, key, |full| std::fs::hard_link(from, full));
        match linked {
            Ok(()) => Ok(()),
            // Another file system, or one without links: a copy does.
            Err(_) => self.copy_file(path, key, from),
        }
    }

    fn reuse(&self, path: &str, key: Key) -> bool {
        let Some(live) = &self.live else {
            return false;
        };
        if live.files.get(path) != Some(&key) {
            return false;
        }
        if self.base.get(path) == Some(&key) {
            // The former output the staging directory started from has it already.
            self.made
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((path.to_string(), key));
            return true;
        }
        self.place(path, key, |full| {
            std::fs::hard_link(self.target.join(path), full)
        })
        .is_ok()
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
        out.write("a/index.html", 1, b"x").unwrap();
        assert_eq!(
            out.into_files().get("a/index.html").map(Vec::as_slice),
            Some(&b"x"[..])
        );
    }
}
