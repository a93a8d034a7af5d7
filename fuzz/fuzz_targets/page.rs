//! Any bytes as a page: front matter and Markdown through the default theme, rendered into
//! memory. A built site or diagnostics, never a panic or a hang.
#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use serum::config::{Config, Overrides};
use serum::output::MemoryOutput;
use serum::site::{BuildOptions, BuildState, Site};

/// A site with a home page, a section and an author; the fuzz input is its one article.
fn site_root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("serum-fuzz-page-")
            .tempdir()
            .expect("a temporary folder")
            .keep();
        let files = [
            (
                "serum.toml",
                "title = \"Fuzz\"\nbase_url = \"https://example.com/blog/\"\n",
            ),
            (
                "content/_index.md",
                "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
            ),
            ("content/posts/_index.md", "+++\ntitle = \"Posts\"\n+++\n"),
            (
                "content/posts/other.md",
                "+++\ntitle = \"Other\"\ndate = 2024-01-01\n+++\n## Known\n",
            ),
            (
                "content/authors/ann.md",
                "+++\nname = \"Ann\"\n+++\nAnn writes.\n",
            ),
        ];
        for (path, text) in files {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        dir
    })
}

/// What the last build left for the next: as `serve` does, each build keeps what the last one
/// rendered and renders again only what changed.
static STATE: Mutex<Option<BuildState>> = Mutex::new(None);

/// A build from the files on disk, keeping what `state` says is unchanged: the files it wrote,
/// or `None` when it found problems.
fn build(root: &Path, state: &mut BuildState) -> Option<BTreeMap<String, Vec<u8>>> {
    let config = Config::load(root, &Overrides::default()).expect("the fixed serum.toml loads");
    let options = BuildOptions {
        drafts: true,
        future: false,
        live_reload: None,
        fingerprint_assets: true,
        process_images: false,
    };
    let mut site = Site::load(config, options);
    let output = MemoryOutput::default();
    let report = site.render(&output, state);
    if report.has_errors() {
        assert!(!report.diagnostics.is_empty());
        return None;
    }
    let files = output.into_files();
    assert!(files.contains_key("posts/x/index.html"));
    Some(files)
}

fuzz_target!(|data: &[u8]| {
    let root = site_root();
    std::fs::write(root.join("content/posts/x.md"), data).expect("write the page");
    let mut state = STATE.lock().unwrap_or_else(|p| p.into_inner());
    let state = state.get_or_insert_with(BuildState::default);
    let Some(rebuilt) = build(root, state) else {
        return;
    };
    // SERUM_FUZZ_COMPARE=1: a build that kept what it could must equal a whole build.
    if std::env::var_os("SERUM_FUZZ_COMPARE").is_some() {
        let whole = build(root, &mut BuildState::default()).expect("it built once");
        for (path, bytes) in &rebuilt {
            assert!(
                whole.get(path) == Some(bytes),
                "{path} differs between a rebuild and a whole build"
            );
        }
    }
});
