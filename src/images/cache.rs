//! `.serum-cache/images/`: what each image file is (its [`Probe`], found again only when
//! the file changes) and every copy made of it, named by the hash of the source's bytes and
//! the operation. A build that finds everything here reads no image and decodes nothing.
//!
//! The cache keeps what the last build used: [`ImageCache::finish`] saves the probes of the
//! files this build looked at and removes every copy it did not ask for.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{Bad, Operation, Probe};

/// Changes whenever the saved index's shape does: an old index is then ignored.
const INDEX_FORMAT: &str = "serum-images 1";

/// The file in the cache folder that lists what each image file is.
const INDEX_FILE: &str = "index";

/// A leftover of a killed build (a copy half made) older than this is removed.
const PARTIAL_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

type Answer = Result<Probe, Bad>;

/// Images made for a site, kept between builds.
pub struct ImageCache {
    dir: PathBuf,
    /// What each source was, with the stamp it had then.
    known: HashMap<PathBuf, (u128, Answer)>,
    /// What this build found, by source.
    probes: Mutex<HashMap<PathBuf, (u128, Answer)>>,
    /// The names of the cache files this build asked for.
    used: Mutex<HashSet<String>>,
    /// One lock per source being made, so that two pages showing one image make it once.
    making: Mutex<HashMap<u128, Arc<Mutex<()>>>>,
}

impl std::fmt::Debug for ImageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageCache")
            .field("dir", &self.dir)
            .finish()
    }
}

impl ImageCache {
    /// The cache of a site: `.serum-cache/images/` in its root, with what it knows.
    pub fn open(root: &Path) -> ImageCache {
        let dir = root.join(super::CACHE_DIR).join("images");
        let known = std::fs::read(dir.join(INDEX_FILE))
            .ok()
            .and_then(|bytes| {
                postcard::from_bytes::<(String, Vec<(PathBuf, u128, Answer)>)>(&bytes).ok()
            })
            .filter(|(format, _)| format == INDEX_FORMAT)
            .map(|(_, entries)| {
                entries
                    .into_iter()
                    .map(|(path, stamp, answer)| (path, (stamp, answer)))
                    .collect()
            })
            .unwrap_or_default();
        ImageCache {
            dir,
            known,
            probes: Mutex::default(),
            used: Mutex::default(),
            making: Mutex::default(),
        }
    }

    /// What the image file `source` is. `stamp` changes whenever the file does: while it
    /// stays the same, the file is not read again.
    pub fn probe(&self, source: &Path, stamp: u128) -> Answer {
        if let Some((_, answer)) = lock(&self.probes)
            .get(source)
            .filter(|(known, _)| *known == stamp)
        {
            return answer.clone();
        }
        let answer = match self.known.get(source).filter(|(known, _)| *known == stamp) {
            Some((_, answer)) => answer.clone(),
            None => {
                let svg = source
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
                match std::fs::read(source) {
                    Ok(bytes) => super::probe(&bytes, svg),
                    Err(e) => Err(Bad::Unreadable(crate::error::describe_io(&e))),
                }
            }
        };
        lock(&self.probes).insert(source.to_path_buf(), (stamp, answer.clone()));
        answer
    }

    /// The cache file of one copy of an image, whether it has been made or not.
    pub fn path_of(&self, probe: &Probe, operation: &Operation) -> PathBuf {
        self.note(format!("{:032x}-{}", probe.hash, operation.name()))
    }

    /// Makes the copies of `source` that the cache does not have yet, decoding it once, and
    /// gives the file of each.
    pub fn copies(
        &self,
        source: &Path,
        probe: &Probe,
        operations: &[Operation],
    ) -> Result<Vec<PathBuf>, String> {
        let files: Vec<PathBuf> = operations
            .iter()
            .map(|op| self.path_of(probe, op))
            .collect();
        if files.iter().all(|f| f.is_file()) {
            return Ok(files);
        }
        let guard = self.lock_for(probe.hash);
        let _making = lock(&guard);
        let missing: Vec<usize> = (0..files.len()).filter(|&i| !files[i].is_file()).collect();
        if missing.is_empty() {
            return Ok(files);
        }
        let bytes = read(source)?;
        let wanted: Vec<Operation> = missing.iter().map(|&i| operations[i]).collect();
        let made = super::make(&bytes, probe.format, &wanted)?;
        for (i, bytes) in missing.into_iter().zip(made) {
            self.store(&files[i], &bytes)?;
        }
        Ok(files)
    }

    /// The file as published: without its metadata, pixels untouched.
    pub fn private_copy(&self, source: &Path, probe: &Probe) -> Result<PathBuf, String> {
        let file = self.private_path(probe);
        if file.is_file() {
            return Ok(file);
        }
        let bytes = read(source)?;
        let stripped = super::strip(probe.format, &bytes, probe.orientation)
            .ok_or("its structure cannot be read")?;
        self.store(&file, &stripped)?;
        Ok(file)
    }

    /// The cache file of the copy of an image without metadata, made or not.
    pub fn private_path(&self, probe: &Probe) -> PathBuf {
        self.note(format!(
            "{:032x}-private.{}",
            probe.hash,
            probe.format.extension()
        ))
    }

    /// The cache file of the PNG rendering of an SVG image, made or not.
    pub fn rasterized_path(&self, probe: &Probe, width: u32) -> PathBuf {
        self.note(format!("{:032x}-svg{width}.png", probe.hash))
    }

    /// A PNG rendering of an SVG image, `width` pixels wide, for link previews.
    pub fn rasterized(&self, source: &Path, probe: &Probe, width: u32) -> Result<PathBuf, String> {
        use resvg::{tiny_skia, usvg};
        let file = self.rasterized_path(probe, width);
        if file.is_file() {
            return Ok(file);
        }
        let bytes = read(source)?;
        let tree =
            usvg::Tree::from_data(&bytes, &usvg::Options::default()).map_err(|e| e.to_string())?;
        let size = tree.size();
        let scale = width as f32 / size.width();
        let height = (size.height() * scale).round().max(1.0) as u32;
        if u64::from(width) * u64::from(height) > super::MAX_PIXELS {
            return Err("the image is too tall to render".into());
        }
        let mut pixmap = tiny_skia::Pixmap::new(width, height).ok_or("the image is too large")?;
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        let png = pixmap.encode_png().map_err(|e| e.to_string())?;
        self.store(&file, &png)?;
        Ok(file)
    }

    /// Saves what this build learnt of its image files.
    pub fn save(&self) {
        let probes = lock(&self.probes);
        let mut entries: Vec<(&PathBuf, &u128, &Answer)> =
            probes.iter().map(|(p, (s, a))| (p, s, a)).collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let unchanged = entries.len() == self.known.len()
            && entries
                .iter()
                .all(|(p, s, a)| self.known.get(*p) == Some(&(**s, (*a).clone())));
        if !unchanged && std::fs::create_dir_all(&self.dir).is_ok() {
            if let Ok(bytes) = postcard::to_stdvec(&(INDEX_FORMAT, entries)) {
                let _ = self.store(&self.dir.join(INDEX_FILE), &bytes);
            }
        }
    }

    /// Removes the copies this build did not use, and leftovers of killed builds. Call it
    /// only after a complete build that made its images.
    pub fn sweep(&self) {
        let used = lock(&self.used);
        let Ok(files) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in files.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stale = if name.starts_with('.') {
                entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().unwrap_or_default() > PARTIAL_AGE)
            } else {
                name != INDEX_FILE && !used.contains(&name)
            };
            if stale {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Marks a cache file as used by this build; gives its path.
    fn note(&self, name: String) -> PathBuf {
        let file = self.dir.join(&name);
        lock(&self.used).insert(name);
        file
    }

    fn lock_for(&self, hash: u128) -> Arc<Mutex<()>> {
        lock(&self.making).entry(hash).or_default().clone()
    }

    /// Writes a cache file whole or not at all: made beside and renamed in, so that a killed
    /// build never leaves half an image.
    fn store(&self, file: &Path, bytes: &[u8]) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| crate::error::describe_io(&e))?;
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let partial = self.dir.join(format!(
            ".{name}.{}.{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let written = std::fs::write(&partial, bytes)
            .and_then(|()| std::fs::rename(&partial, file))
            .map_err(|e| crate::error::describe_io(&e));
        if written.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        written
    }
}

fn read(source: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(source).map_err(|e| crate::error::describe_io(&e))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::Format;

    #[test]
    fn a_probe_is_read_again_only_when_the_stamp_changes_and_unused_copies_go() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("a.png");
        let image = image::RgbImage::from_pixel(600, 300, image::Rgb([1, 2, 3]));
        image.save(&source).unwrap();
        let cache = ImageCache::open(dir.path());
        let probe = cache.probe(&source, 1).unwrap();
        assert_eq!((probe.format, probe.size), (Format::Png, Some((600, 300))));
        let op = Operation::width(480, Format::WebP, 80);
        let files = cache.copies(&source, &probe, &[op]).unwrap();
        assert!(files[0].is_file());
        std::fs::write(dir.path().join(".serum-cache/images/unused"), b"x").unwrap();
        cache.save();
        cache.sweep();
        assert!(files[0].is_file());
        assert!(!dir.path().join(".serum-cache/images/unused").exists());

        // The file changes but its stamp does not: the saved probe answers.
        std::fs::write(&source, b"not an image").unwrap();
        let again = ImageCache::open(dir.path());
        assert_eq!(again.probe(&source, 1), Ok(probe));
        assert!(matches!(again.probe(&source, 2), Err(Bad::NotAnImage(_))));
        again.save();
        again.sweep();
        assert!(!files[0].exists(), "a copy no build asked for is removed");
    }
}
