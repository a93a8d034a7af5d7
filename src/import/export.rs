//! A Notion export opened for reading: a zip, a zip of zips (`Export-<uuid>-Part-1.zip`, …),
//! or the folder one unpacks into.
//!
//! Every file is known by its path inside the export, `/`-separated, in Unicode NFC and
//! without the `Export-<uuid>/` wrapper folder. Nothing is unpacked to disk except nested
//! zips, into temporary files; entries are read when needed.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Component, Path, PathBuf};

/// The most one file of an export may unpack to: a guard against zip bombs.
const MAX_ENTRY_BYTES: u64 = 256 << 20;

/// The most one inner `Part-N.zip` may unpack to.
const MAX_PART_BYTES: u64 = 16 << 30;

use unicode_normalization::UnicodeNormalization;
use zip::ZipArchive;

use crate::error::{Diagnostic, Error, Result, describe_io};

/// The files of an export, read on demand.
pub struct Export {
    shown: PathBuf,
    files: BTreeMap<String, Entry>,
    archives: Vec<RefCell<ZipArchive<File>>>,
    _unpacked: Vec<tempfile::NamedTempFile>,
}

enum Entry {
    Disk(PathBuf),
    Zipped { archive: usize, index: usize },
}

/// Files every export may carry that are not content.
fn is_system_file(path: &str) -> bool {
    path.starts_with("__MACOSX/") || path.rsplit('/').next() == Some(".DS_Store")
}

impl Export {
    /// Opens a zip or a folder; refuses the whole export if any entry would lead outside it.
    pub fn open(path: &Path) -> Result<Export> {
        let mut export = Export {
            shown: path.to_path_buf(),
            files: BTreeMap::new(),
            archives: Vec::new(),
            _unpacked: Vec::new(),
        };
        let mut problems = Vec::new();
        let metadata = std::fs::metadata(path)
            .map_err(|e| Diagnostic::io(path, "read the export", &e).hint(
                "pass the .zip file Notion's \"Export -> Markdown & CSV\" gave you, or the folder it unpacks into",
            ))?;
        if metadata.is_dir() {
            export.add_folder(path, &mut problems)?;
        } else {
            let file = File::open(path).map_err(|e| Diagnostic::io(path, "read the export", &e))?;
            export.add_zip(file, None, &mut problems)?;
        }
        if !problems.is_empty() {
            return Err(Error::from_problems(problems));
        }
        Ok(export)
    }

    /// The export as it was named on the command line.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// Every file path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Whether the export holds this file.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// The bytes of one file.
    pub fn read(&self, path: &str) -> Result<Vec<u8>, Diagnostic> {
        let problem = |e: String| {
            Diagnostic::in_file(
                &self.shown,
                format!("cannot read `{path}` in the export: {e}"),
            )
        };
        match self.files.get(path) {
            None => Err(problem("there is no such file".into())),
            Some(Entry::Disk(file)) => std::fs::read(file).map_err(|e| problem(describe_io(&e))),
            Some(Entry::Zipped { archive, index }) => {
                let mut archive = self.archives[*archive].borrow_mut();
                let mut entry = archive
                    .by_index(*index)
                    .map_err(|e| problem(e.to_string()))?;
                // The size in a zip's header is a claim, not a fact: trust it only so far.
                let mut bytes = Vec::with_capacity(entry.size().min(1 << 20) as usize);
                (&mut entry)
                    .take(MAX_ENTRY_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| problem(describe_io(&e)))?;
                if bytes.len() as u64 > MAX_ENTRY_BYTES {
                    return Err(problem(format!(
                        "it unpacks to more than {} MB, more than any page or image of an export",
                        MAX_ENTRY_BYTES >> 20
                    )));
                }
                Ok(bytes)
            }
        }
    }

    /// Adds a zip's entries; a zip at the top of the outer zip is a part, added in turn.
    fn add_zip(
        &mut self,
        file: File,
        part: Option<&str>,
        problems: &mut Vec<Diagnostic>,
    ) -> Result<()> {
        let not_a_zip = |e: zip::result::ZipError| {
            let what = match part {
                Some(part) => format!("`{part}` in this export is not a zip archive: {e}"),
                None => format!("this is not a zip archive: {e}"),
            };
            Diagnostic::in_file(&self.shown, what).hint(
                "pass the .zip file Notion's \"Export -> Markdown & CSV\" gave you, or the folder it unpacks into",
            )
        };
        let mut archive = ZipArchive::new(file).map_err(not_a_zip)?;
        let number = self.archives.len();
        let mut entries = Vec::new();
        let mut parts = Vec::new();
        for index in 0..archive.len() {
            let entry = archive.by_index_raw(index).map_err(not_a_zip)?;
            let name = entry.name().to_string();
            if let Some(reason) = unsafe_entry(&name, entry.is_symlink()) {
                let name = match part {
                    Some(part) => format!("{part}/{name}"),
                    None => name,
                };
                problems.push(refused(&self.shown, &name, reason));
                continue;
            }
            if entry.is_dir() {
                continue;
            }
            let name: String = name.nfc().collect();
            if part.is_none() && !name.contains('/') && name.to_lowercase().ends_with(".zip") {
                parts.push((index, name));
            } else {
                entries.push((
                    name,
                    Entry::Zipped {
                        archive: number,
                        index,
                    },
                ));
            }
        }
        self.archives.push(RefCell::new(archive));
        self.insert(entries);
        for (index, name) in parts {
            let unpacked = self.unpack_part(number, index, &name)?;
            let file = unpacked
                .reopen()
                .map_err(|e| Diagnostic::io(unpacked.path(), "read an unpacked part", &e))?;
            self._unpacked.push(unpacked);
            self.add_zip(file, Some(&name), problems)?;
        }
        Ok(())
    }

    /// Copies a zip inside the zip into a temporary file, so it can be read in turn.
    fn unpack_part(
        &mut self,
        archive: usize,
        index: usize,
        name: &str,
    ) -> Result<tempfile::NamedTempFile> {
        let problem =
            |e: String| Diagnostic::in_file(&self.shown, format!("cannot unpack `{name}`: {e}"));
        let mut temp = tempfile::NamedTempFile::new().map_err(|e| problem(describe_io(&e)))?;
        {
            let mut outer = self.archives[archive].borrow_mut();
            let mut entry = outer.by_index(index).map_err(|e| problem(e.to_string()))?;
            let copied = std::io::copy(
                &mut (&mut entry).take(MAX_PART_BYTES + 1),
                temp.as_file_mut(),
            )
            .map_err(|e| problem(describe_io(&e)))?;
            if copied > MAX_PART_BYTES {
                return Err(problem(format!(
                    "it unpacks to more than {} GB",
                    MAX_PART_BYTES >> 30
                ))
                .into());
            }
        }
        temp.as_file_mut()
            .rewind()
            .map_err(|e| problem(describe_io(&e)))?;
        Ok(temp)
    }

    /// Adds an unpacked export's files; zips at its top are parts, as in a zip.
    fn add_folder(&mut self, dir: &Path, problems: &mut Vec<Diagnostic>) -> Result<()> {
        let top = dir
            .canonicalize()
            .map_err(|e| Diagnostic::io(dir, "read the export", &e))?;
        let mut entries = Vec::new();
        let mut parts = Vec::new();
        for item in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let item = item.map_err(|e| {
                let path = e.path().unwrap_or(dir).to_path_buf();
                Diagnostic::in_file(path, format!("cannot read this: {e}"))
            })?;
            let relative = item.path().strip_prefix(dir).unwrap_or(item.path());
            let name: String = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
                .nfc()
                .collect();
            if name.is_empty() {
                continue;
            }
            if item.path_is_symlink() {
                let inside = item
                    .path()
                    .canonicalize()
                    .is_ok_and(|target| target.starts_with(&top));
                if !inside {
                    problems.push(refused(
                        &self.shown,
                        &name,
                        "it is a symbolic link that leads outside the export",
                    ));
                    continue;
                }
            }
            if !item.path().is_file() {
                continue;
            }
            if !name.contains('/') && name.to_lowercase().ends_with(".zip") {
                parts.push((item.path().to_path_buf(), name));
            } else {
                entries.push((name, Entry::Disk(item.path().to_path_buf())));
            }
        }
        self.insert(entries);
        for (path, name) in parts {
            let file =
                File::open(&path).map_err(|e| Diagnostic::io(&path, "read the export", &e))?;
            self.add_zip(file, Some(&name), problems)?;
        }
        Ok(())
    }

    /// Adds one archive's or folder's files, without their common wrapper folder.
    fn insert(&mut self, entries: Vec<(String, Entry)>) {
        let entries: Vec<_> = entries
            .into_iter()
            .filter(|(name, _)| !is_system_file(name))
            .collect();
        let wrapper = wrapper_folder(entries.iter().map(|(name, _)| name.as_str()));
        for (name, entry) in entries {
            let name = match &wrapper {
                Some(wrapper) => name[wrapper.len()..].to_string(),
                None => name,
            };
            self.files.insert(name, entry);
        }
    }
}

/// The folder every file sits in, like `Export-<uuid>/`, unless it is a page's own folder.
fn wrapper_folder<'a>(mut names: impl Iterator<Item = &'a str>) -> Option<String> {
    let first = names.next()?;
    let (folder, _) = first.split_once('/')?;
    let prefix = format!("{folder}/");
    if super::notion::split_id(folder).1.is_some() {
        return None;
    }
    names
        .all(|name| name.starts_with(&prefix))
        .then_some(prefix)
}

/// Why an entry must not be unpacked, if it must not.
fn unsafe_entry(name: &str, is_symlink: bool) -> Option<&'static str> {
    let bytes = name.as_bytes();
    let windows_drive = bytes.len() >= 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes.get(2), None | Some(b'/' | b'\\'));
    let escapes = name.starts_with('/')
        || name.starts_with('\\')
        || windows_drive
        || name.split(['/', '\\']).any(|part| part == "..")
        || Path::new(name)
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if escapes {
        Some("its path leads outside the export")
    } else if is_symlink {
        Some("it is a symbolic link")
    } else if name.contains('\0') {
        Some("its name holds a NUL character")
    } else {
        None
    }
}

fn refused(shown: &Path, name: &str, reason: &str) -> Diagnostic {
    Diagnostic::in_file(shown, format!("refusing the entry `{name}`: {reason}")).hint(
        "nothing was imported; a Notion export never holds such an entry, so check where this export came from",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_export() {
        for name in [
            "../evil.md",
            "a/../../evil.md",
            "/etc/passwd",
            "C:\\x.md",
            "..\\x.md",
        ] {
            assert_eq!(
                unsafe_entry(name, false),
                Some("its path leads outside the export"),
                "{name}"
            );
        }
        assert_eq!(unsafe_entry("a/b.md", true), Some("it is a symbolic link"));
        assert_eq!(unsafe_entry("Blog abc/b..c.md", false), None);
    }

    #[test]
    fn strips_a_wrapper_folder_but_not_a_page_folder() {
        let names = ["Export-1f2e/A.md", "Export-1f2e/A/x.png"];
        assert_eq!(
            wrapper_folder(names.into_iter()).as_deref(),
            Some("Export-1f2e/")
        );
        let page = ["Blog 0123456789abcdef0123456789abcdef/A.md"];
        assert_eq!(wrapper_folder(page.into_iter()), None);
        assert_eq!(wrapper_folder(["A.md", "B/c.md"].into_iter()), None);
    }
}
