//! Embeds `themes/default/` in the binary, so a site without a themes/ folder still builds,
//! and names the git commit it was built from in `serum --version`.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    embed_default_theme();
    let version = env!("CARGO_PKG_VERSION");
    let version = match git_commit() {
        Some(commit) => format!("{version} (commit {commit})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=SERUM_VERSION={version}");
}

fn embed_default_theme() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("themes/default");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut code = String::from(
        "/// Every file of themes/default, by path inside the theme.\npub static DEFAULT_THEME_FILES: &[(&str, &[u8])] = &[\n",
    );
    for (relative, absolute) in files {
        writeln!(
            code,
            "    ({relative:?}, include_bytes!({:?})),",
            absolute.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("default_theme.rs");
    std::fs::write(out, code).unwrap();
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.push((relative, path));
        }
    }
}

/// The commit checked out, when building from a git checkout with git installed. A source
/// tarball has no `.git` and gets no commit; a repository around it must not lend it one.
fn git_commit() -> Option<String> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").ok()?);
    if !manifest.join(".git").exists() {
        return None;
    }
    let git = |args: &[&str]| -> Option<String> {
        let output = Command::new("git")
            .args(args)
            .current_dir(&manifest)
            .output()
            .ok()?;
        let text = String::from_utf8(output.stdout).ok()?;
        output.status.success().then(|| text.trim().to_string())
    };
    // Run again when HEAD moves to another branch or commit, and only then: HEAD itself, the
    // branch it names, and packed-refs, where git moves branches to from time to time. A
    // path that does not exist would make cargo run this script on every build.
    let git_path = |name: &str| git(&["rev-parse", "--git-path", name]).map(|p| manifest.join(p));
    let mut watched: Vec<PathBuf> = ["HEAD", "packed-refs"]
        .into_iter()
        .filter_map(git_path)
        .filter(|path| path.exists())
        .collect();
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]).and_then(|b| git_path(&b)) {
        // A branch kept only in packed-refs gets its own file in this folder on its next commit.
        match branch.parent() {
            Some(folder) if !branch.exists() && folder.is_dir() => watched.push(folder.into()),
            _ => watched.push(branch),
        }
    }
    for path in watched {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    git(&["rev-parse", "--short=12", "HEAD"]).filter(|c| c.bytes().all(|b| b.is_ascii_hexdigit()))
}
