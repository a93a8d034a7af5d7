//! A small chainable helper that builds a site in a temporary folder with the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output};
use std::time::{Duration, Instant};

use scraper::{ElementRef, Html, Selector};

/// A minimal site: configuration, a home page, one section, one article and its author.
pub const CONFIG: &str = "title = \"Test Site\"\nbase_url = \"https://example.com/\"\n";

/// A site in a temporary folder.
pub struct TestSite {
    dir: tempfile::TempDir,
}

/// What one run of `serum` did.
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns self.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.status,
            Some(0),
            "serum failed:\n{}\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts exit status 1 and returns stderr.
    #[track_caller]
    pub fn fails(self) -> String {
        assert_eq!(
            self.status,
            Some(1),
            "expected exit 1:\nstdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
        self.stderr
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            status: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// The repository's own folder.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the serum binary with arguments in a folder.
pub fn serum(dir: &Path, args: &[&str]) -> Run {
    Command::new(env!("CARGO_BIN_EXE_serum"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("serum runs")
        .into()
}

impl TestSite {
    /// An empty folder.
    pub fn empty() -> Self {
        TestSite {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A small working site: config, home intro, an article with a section heading, an author.
    pub fn new() -> Self {
        TestSite::empty()
            .write("serum.toml", CONFIG)
            .write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nWelcome.\n")
            .write(
                "content/posts/first.md",
                "+++\ntitle = \"First post\"\ndate = 2024-05-01\nauthor = \"ann\"\n+++\nHello there.\n\n## Part one\n\nText.\n",
            )
            .write("content/authors/ann.md", "+++\nname = \"Ann Lee\"\nrole = \"Editor\"\n+++\nAnn edits.\n")
    }

    /// A copy of the repository's own site: serum.toml, content/ and themes/.
    pub fn repository_site() -> Self {
        let site = TestSite::empty();
        copy_dir(&repo().join("content"), &site.path("content"));
        copy_dir(&repo().join("themes"), &site.path("themes"));
        std::fs::copy(repo().join("serum.toml"), site.path("serum.toml")).unwrap();
        site
    }

    /// Copies the repository's themes/ into the site.
    pub fn with_repo_themes(self) -> Self {
        copy_dir(&repo().join("themes"), &self.path("themes"));
        self
    }

    /// Writes a file (creating folders).
    pub fn write(self, path: &str, text: impl AsRef<[u8]>) -> Self {
        let full = self.path(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
        self
    }

    /// Removes a file.
    pub fn remove(self, path: &str) -> Self {
        std::fs::remove_file(self.path(path)).unwrap();
        self
    }

    /// A path inside the site.
    pub fn path(&self, path: &str) -> PathBuf {
        self.dir.path().join(path)
    }

    /// The site's folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `serum build` with extra arguments.
    pub fn build(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        serum(self.root(), &all)
    }

    /// Reads a built file.
    #[track_caller]
    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The text of the stylesheet a built page links to (its name carries a content hash).
    #[track_caller]
    pub fn stylesheet_of(&self, page: &str) -> String {
        let href = self.page(page).attr("link[rel=stylesheet]", "href");
        self.read(&format!("public{href}"))
    }

    /// Parses a built HTML file.
    #[track_caller]
    pub fn page(&self, path: &str) -> Page {
        Page(Html::parse_document(&self.read(path)))
    }
}

/// A parsed HTML page.
pub struct Page(pub Html);

impl Page {
    /// Every element matching a CSS selector.
    pub fn all(&self, selector: &str) -> Vec<ElementRef<'_>> {
        let selector = Selector::parse(selector).expect("valid selector");
        self.0.select(&selector).collect()
    }

    /// The one element matching a selector.
    #[track_caller]
    pub fn one(&self, selector: &str) -> ElementRef<'_> {
        let found = self.all(selector);
        assert_eq!(
            found.len(),
            1,
            "expected one `{selector}`, found {}",
            found.len()
        );
        found[0]
    }

    /// The text of the one element matching a selector, whitespace collapsed.
    #[track_caller]
    pub fn text(&self, selector: &str) -> String {
        text_of(self.one(selector))
    }

    /// An attribute of the one element matching a selector.
    #[track_caller]
    pub fn attr(&self, selector: &str, name: &str) -> String {
        self.one(selector)
            .value()
            .attr(name)
            .unwrap_or_else(|| panic!("{selector} has no {name}"))
            .to_string()
    }

    /// The texts of every element matching a selector.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        self.all(selector).into_iter().map(text_of).collect()
    }

    /// An attribute of every element matching a selector.
    pub fn attrs(&self, selector: &str, name: &str) -> Vec<String> {
        self.all(selector)
            .into_iter()
            .filter_map(|e| e.value().attr(name).map(str::to_string))
            .collect()
    }
}

/// An element's text, whitespace collapsed.
pub fn text_of(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under a folder with its bytes, by relative path.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// Waits up to `timeout` for a child to exit: its status, or `None` while it still runs.
pub fn wait_for_exit(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            done => return done.ok().flatten(),
        }
    }
}

/// Stops a child as a process manager would: SIGTERM, then SIGKILL if it still runs ten
/// seconds later. The tests' guards stop `serum serve` this way, so that it removes its
/// temporary folder as it does for a user.
pub fn terminate(child: &mut Child) {
    if let Ok(None) = child.try_wait() {
        // SAFETY: kill(2) on our own child, not yet reaped, so its pid is still its own.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        if wait_for_exit(child, Duration::from_secs(10)).is_some() {
            return;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}
