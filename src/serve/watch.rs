//! Watching the site's files: notify's debounced events, turned into `Change`s and applied.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::RecursiveMode;
use notify::event::{EventKind, ModifyKind, RenameMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use super::changes::{self, Change, ChangeKind};
use super::{Rebuilder, State};
use crate::error::{Diagnostic, Result};

/// Changes closer together than this are handled as one batch.
const DEBOUNCE: Duration = Duration::from_millis(20);

/// A change within this time of the end of a rebuild belongs to the same burst of saves.
const BURST_PAUSE: Duration = Duration::from_millis(50);

/// The longest a burst of saves is gathered before the site is rebuilt anyway.
const BURST_LIMIT: Duration = Duration::from_millis(500);

/// The folders of a site whose files serum reads.
const WATCHED: &[&str] = &["content", "themes", "templates", "static"];

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watching {
    _debouncer: Box<dyn std::any::Any + Send>,
}

/// Starts watching `root` and applying changes on a thread of its own.
pub fn start(root: &Path, rebuilder: Rebuilder, state: Arc<State>) -> Result<Watching> {
    let (sender, receiver) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(DEBOUNCE, None, sender)
        .map_err(|e| Diagnostic::new(format!("cannot watch the site for changes: {e}")))?;
    let watch_error = |path: &Path, e: notify::Error| {
        Diagnostic::in_file(path, format!("cannot watch for changes: {e}"))
            .hint("on Linux, raise fs.inotify.max_user_watches if the site is large")
    };
    debouncer
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|e| watch_error(root, e))?;
    for dir in WATCHED {
        let path = root.join(dir);
        if path.is_dir() {
            debouncer
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| watch_error(&path, e))?;
        }
    }
    let root = root.to_path_buf();
    std::thread::Builder::new()
        .name("serum-rebuild".into())
        .spawn(move || apply_changes(&root, rebuilder, &state, &receiver))
        .map_err(|e| Diagnostic::new(format!("cannot start the rebuild thread: {e}")))?;
    Ok(Watching {
        _debouncer: Box::new(debouncer),
    })
}

fn apply_changes(
    root: &Path,
    mut rebuilder: Rebuilder,
    state: &State,
    receiver: &mpsc::Receiver<DebounceEventResult>,
) {
    let mut after_rebuild = false;
    loop {
        // A change soon after a rebuild means the writer is still at it (a burst of saves, a
        // tool writing many files): gather until a pause, so that a hundred saves make a few
        // rebuilds and tabs a few reloads. A change after a pause is rebuilt at once.
        let (first, in_burst) = if after_rebuild {
            match receiver.recv_timeout(BURST_PAUSE) {
                Ok(first) => (first, true),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    after_rebuild = false;
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match receiver.recv() {
                Ok(first) => (first, false),
                Err(_) => return,
            }
        };
        let mut batch = to_changes(root, first);
        if in_burst {
            gather_until_pause(root, receiver, &mut batch);
        }
        // Everything that arrived while the last rebuild ran is one batch.
        while let Ok(more) = receiver.try_recv() {
            batch.extend(to_changes(root, more));
        }
        let plan = changes::plan(&batch, &rebuilder.theme());
        if let Some((notice, line)) = rebuilder.apply(plan) {
            println!("{line}");
            state.publish(notice);
            after_rebuild = true;
        }
    }
}

/// Adds changes to `batch` until none came for `BURST_PAUSE`, or for `BURST_LIMIT` at most,
/// so that a writer who never pauses still sees the site follow.
fn gather_until_pause(
    root: &Path,
    receiver: &mpsc::Receiver<DebounceEventResult>,
    batch: &mut Vec<Change>,
) {
    let deadline = Instant::now() + BURST_LIMIT;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match receiver.recv_timeout(left.min(BURST_PAUSE)) {
            Ok(more) => batch.extend(to_changes(root, more)),
            Err(_) => return,
        }
    }
}

fn to_changes(root: &Path, result: DebounceEventResult) -> Vec<Change> {
    let events = match result {
        Ok(events) => events,
        Err(errors) => {
            for error in errors {
                eprintln!("warning: watching for changes: {error}");
            }
            return Vec::new();
        }
    };
    let mut found = Vec::new();
    for event in events {
        let kinds: Vec<ChangeKind> = match event.kind {
            EventKind::Access(_) => continue,
            EventKind::Create(_) => vec![ChangeKind::Created],
            EventKind::Remove(_) => vec![ChangeKind::Removed],
            EventKind::Modify(ModifyKind::Name(RenameMode::From)) => vec![ChangeKind::Removed],
            EventKind::Modify(ModifyKind::Name(RenameMode::To)) => vec![ChangeKind::Created],
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
                vec![ChangeKind::Removed, ChangeKind::Created]
            }
            EventKind::Modify(_) | EventKind::Any | EventKind::Other => vec![ChangeKind::Modified],
        };
        for (i, path) in event.paths.iter().enumerate() {
            let kind = kinds.get(i).copied().unwrap_or(kinds[0]);
            if let Some(path) = super::relative(root, path) {
                found.push(Change { path, kind });
            }
        }
    }
    found
}
