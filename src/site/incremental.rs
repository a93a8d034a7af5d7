//! What makes a rebuild cheap: a key for every output, made from everything it is made of
//! (the page's source, the templates it uses, the listing entries and settings its context
//! reads), and what each Markdown body gave. A build keeps every output whose key is the one
//! the previous build recorded, and renders only the others.
//!
//! `serum build` keeps this state in `.serum-cache/`; `serve` keeps it in memory.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

use crate::error::Diagnostic;
use crate::markdown::Rendered;
use crate::output::OutputState;

/// A 128-bit hash of what an output or a body is made from.
pub(crate) type Key = u128;

/// Makes keys from the values an output is made of. Texts are length-prefixed, so that
/// `("ab", "c")` and `("a", "bc")` differ.
pub(crate) struct KeyHasher(Xxh3);

impl KeyHasher {
    /// An empty hasher.
    pub(crate) fn new() -> Self {
        KeyHasher(Xxh3::new())
    }

    /// Adds a text.
    pub(crate) fn text(mut self, text: &str) -> Self {
        self.0.update(&(text.len() as u64).to_le_bytes());
        self.0.update(text.as_bytes());
        self
    }

    /// Adds bytes.
    pub(crate) fn bytes(mut self, bytes: &[u8]) -> Self {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Adds another key.
    pub(crate) fn key(mut self, key: Key) -> Self {
        self.0.update(&key.to_le_bytes());
        self
    }

    /// Adds a number.
    pub(crate) fn number(mut self, n: u64) -> Self {
        self.0.update(&n.to_le_bytes());
        self
    }

    /// Adds numbers.
    pub(crate) fn numbers(self, numbers: &[u64]) -> Self {
        numbers.iter().fold(self, |h, &n| h.number(n))
    }

    /// Adds any serializable value, in postcard's compact encoding, which writes texts as
    /// they are: JSON escaped every text, which showed in every rebuild.
    pub(crate) fn value<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        // Writing into the hasher cannot fail. postcard refuses only a sequence of unknown
        // length, which JSON then writes, after what postcard wrote: the same value always
        // gives the same bytes.
        if postcard::to_io(value, &mut self).is_err()
            && serde_json::to_writer(&mut self, value).is_err()
        {
            self.0.update(std::any::type_name::<T>().as_bytes());
        }
        self.0.update(b"\0");
        self
    }

    /// The key.
    pub(crate) fn finish(self) -> Key {
        self.0.digest128()
    }
}

impl std::io::Write for KeyHasher {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What one Markdown body gave, kept so that an unchanged body is not rendered again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CachedBody {
    /// The key of the body's text and where it sits.
    pub key: Key,
    /// The key of the shortcode templates it used.
    pub shortcodes_key: Key,
    /// Everything the render found but the HTML, which is made again when an output needs it.
    pub rendered: Rendered,
}

/// Everything one build leaves for the next.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct BuildState {
    /// What each body gave, by its file, in the library's order: the order the bodies were
    /// made in, and so about the order their parts lie in memory. Saving them in that order
    /// reads memory front to back; in a hash map's order it jumped all over 150 MB at 100,000
    /// articles, and the save grew faster than the site.
    pub(crate) bodies: indexmap::IndexMap<PathBuf, CachedBody>,
    /// What the output directory and its shadow hold.
    pub output: OutputState,
    /// What the last search index was made from, and its files.
    pub(crate) search: Option<super::search::IndexState>,
    /// The related pages found last time.
    pub(crate) related: crate::content::related::Remembered,
    /// The image copies each output's templates asked for, by output path.
    pub(crate) images: HashMap<String, Vec<super::images::ImageUse>>,
}

/// Changes whenever the saved state's shape does: an old file is then ignored.
const FORMAT: &str = concat!("serum-state 4 ", env!("CARGO_PKG_VERSION"));

impl BuildState {
    /// The file that keeps the state of builds of this site into `output_dir` with `options`.
    pub fn file(root: &Path, output_dir: &Path, options: &super::BuildOptions) -> PathBuf {
        let key = KeyHasher::new()
            .text(&output_dir.to_string_lossy())
            .text(&format!("{options:?}"))
            .finish();
        root.join(crate::images::CACHE_DIR)
            .join("builds")
            .join(format!("{key:032x}.state"))
    }

    /// Reads a saved state; anything unreadable or from another version counts as none.
    pub fn read(file: &Path) -> BuildState {
        let Ok(bytes) = std::fs::read(file) else {
            return BuildState::default();
        };
        match postcard::from_bytes::<(String, BuildState)>(&bytes) {
            Ok((format, state)) if format == FORMAT => state,
            _ => BuildState::default(),
        }
    }

    /// Saves the state, whole or not at all. It is written straight to the file: a buffer
    /// of the whole (16 MB at 10,000 articles), grown step by step, cost more than the write.
    pub fn write(&self, file: &Path) -> Result<(), Diagnostic> {
        let dir = file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .map_err(|e| Diagnostic::io(dir, "create the cache folder", &e))?;
        let partial = file.with_extension(format!("{}.partial", std::process::id()));
        let written = std::fs::File::create(&partial).and_then(|created| {
            let mut writer = std::io::BufWriter::with_capacity(1 << 16, created);
            self.encode(&mut writer)?;
            writer.flush()?;
            std::fs::rename(&partial, file)
        });
        written.map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            Diagnostic::io(file, "save the build's state", &e)
        })
    }
}

impl BuildState {
    /// The URLs of links and images written in content, which the build that made this
    /// state checked already (as they appear in the HTML): rewritten ones, and broken ones
    /// as written. `serum check` does not check them twice; `build` never needs them.
    pub(crate) fn checked_urls(&self) -> std::collections::HashSet<String> {
        let mut urls = std::collections::HashSet::new();
        for body in self.bodies.values() {
            let rendered = &body.rendered;
            for r in &rendered.resolved {
                if matches!(
                    r.action,
                    crate::markdown::LinkAction::Broken(_)
                        | crate::markdown::LinkAction::BadImage { .. }
                ) {
                    urls.insert(r.dest.clone());
                }
            }
            urls.extend(rendered.links.iter().map(|l| l.url.clone()));
        }
        urls
    }

    /// Writes the bytes postcard gives `(FORMAT, self)`, with the bodies, nearly all of it
    /// (150 MB at 100,000 articles), encoded in parallel a batch at a time: encoded by one
    /// thread, they took most of the end of a build.
    fn encode(&self, writer: &mut impl Write) -> std::io::Result<()> {
        /// Bodies per batch (a few MB), and per part of a batch that one thread encodes.
        const BATCH: usize = 4096;
        const PART: usize = 256;
        fn put<T: Serialize + ?Sized>(writer: &mut impl Write, value: &T) -> std::io::Result<()> {
            postcard::to_io(value, writer)
                .map(drop)
                .map_err(|e| std::io::Error::other(e.to_string()))
        }
        let BuildState {
            bodies,
            output,
            search,
            related,
            images,
        } = self;
        put(writer, FORMAT)?;
        // A map is its length, then each key and its value.
        put(writer, &bodies.len())?;
        let bodies: Vec<_> = bodies.iter().collect();
        for batch in bodies.chunks(BATCH) {
            let parts: Vec<Vec<u8>> = batch
                .par_chunks(PART)
                .map(|part| {
                    part.iter()
                        .try_fold(Vec::new(), |bytes, entry| postcard::to_extend(entry, bytes))
                })
                .collect::<Result<_, _>>()
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            for part in parts {
                writer.write_all(&part)?;
            }
        }
        put(writer, output)?;
        put(writer, search)?;
        put(writer, related)?;
        put(writer, images)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_length_prefixed() {
        let ab_c = KeyHasher::new().text("ab").text("c").finish();
        let a_bc = KeyHasher::new().text("a").text("bc").finish();
        assert_ne!(ab_c, a_bc);
        assert_eq!(ab_c, KeyHasher::new().text("ab").text("c").finish());
    }

    #[test]
    fn a_state_survives_a_round_trip_and_a_damaged_file_counts_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.state");
        let mut state = BuildState::default();
        state.bodies.insert(
            PathBuf::from("content/a.md"),
            CachedBody {
                key: 7,
                shortcodes_key: 0,
                rendered: Rendered::default(),
            },
        );
        state.write(&file).unwrap();
        assert_eq!(
            BuildState::read(&file).bodies[Path::new("content/a.md")].key,
            7
        );
        std::fs::write(&file, b"garbage").unwrap();
        assert!(BuildState::read(&file).bodies.is_empty());
    }

    #[test]
    fn a_state_keeps_its_bodies_in_the_order_they_were_put_in_through_a_save_and_a_read() {
        let mut state = BuildState::default();
        let files: Vec<PathBuf> = (0..5000)
            .map(|i| PathBuf::from(format!("content/{}.md", (i * 7919) % 5000)))
            .collect();
        for (i, file) in files.iter().enumerate() {
            let body = CachedBody {
                key: i as Key,
                shortcodes_key: 0,
                rendered: Rendered::default(),
            };
            state.bodies.insert(file.clone(), body);
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.state");
        state.write(&file).unwrap();
        let read = BuildState::read(&file);
        assert!(read.bodies.keys().eq(files.iter()));
    }

    #[test]
    fn a_state_is_saved_as_postcard_encodes_it_whole() {
        let mut state = BuildState::default();
        // Over one batch of bodies, and a last part of another length.
        for i in 0..5000 {
            let rendered = Rendered {
                summary_text: format!("summary {i}"),
                ids: vec![format!("part-{i}")],
                ..Rendered::default()
            };
            let body = CachedBody {
                key: i,
                shortcodes_key: 1,
                rendered,
            };
            state
                .bodies
                .insert(PathBuf::from(format!("content/{i}.md")), body);
        }
        state.images.insert("a/index.html".into(), Vec::new());
        let mut bytes = Vec::new();
        state.encode(&mut bytes).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&(FORMAT, &state)).unwrap());
        let (format, read) = postcard::from_bytes::<(String, BuildState)>(&bytes).unwrap();
        assert_eq!(format, FORMAT);
        assert_eq!(read.bodies.len(), 5000);
        assert_eq!(
            read.bodies[Path::new("content/4999.md")].rendered.ids,
            ["part-4999"]
        );
    }
}
