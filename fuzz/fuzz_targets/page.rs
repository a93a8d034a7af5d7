//! Any bytes as a page: front matter and Markdown through the default theme, rendered into
//! memory. A built site or diagnostics, never a panic or a hang.
#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use serum::config::{Config, Overrides};
use serum::output::MemoryOutput;
use serum::site::{BuildOptions, Site};

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

/// The site as last built, kept while its article keeps building: an edit then re-renders
/// only the article and its listings, as `serve` does, which is far cheaper than a full build.
static BUILT: Mutex<Option<Site>> = Mutex::new(None);

/// A whole build from the files on disk: the site, if it built, and the files it wrote.
fn full_build(root: &Path) -> (Option<Site>, BTreeMap<String, Vec<u8>>) {
    let config = Config::load(root, &Overrides::default()).expect("the fixed serum.toml loads");
    let options = BuildOptions {
        drafts: true,
        live_reload: None,
        fingerprint_assets: true,
        process_images: false,
    };
    let mut site = match Site::load(config, options) {
        Ok(site) => site,
        Err(error) => {
            assert!(!error.problems().is_empty());
            return (None, BTreeMap::new());
        }
    };
    let output = MemoryOutput::default();
    match site.render(&output) {
        Ok(_) => {
            let files = output.into_files();
            assert!(files.contains_key("posts/x/index.html"));
            (Some(site), files)
        }
        Err(error) => {
            assert!(!error.problems().is_empty());
            (None, BTreeMap::new())
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let root = site_root();
    std::fs::write(root.join("content/posts/x.md"), data).expect("write the page");
    let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(site) = built.as_mut() {
        let output = MemoryOutput::default();
        match site.update_pages(&[PathBuf::from("content/posts/x.md")], &output) {
            Ok(Some(_)) => {
                let updated = output.into_files();
                assert!(updated.contains_key("posts/x/index.html"));
                // SERUM_FUZZ_COMPARE=1: what `serve` rewrote must be what a whole build writes.
                if std::env::var_os("SERUM_FUZZ_COMPARE").is_some() {
                    let (_, whole) = full_build(root);
                    for (path, bytes) in &updated {
                        assert!(
                            whole.get(path) == Some(bytes),
                            "{path} differs between an update and a whole build"
                        );
                    }
                }
                return;
            }
            Ok(None) => {}
            Err(error) => assert!(!error.problems().is_empty()),
        }
    }
    *built = full_build(root).0;
});
