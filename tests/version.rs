//! `serum --version` names the commit the binary was built from, so that a bug report can.

mod common;

use std::process::Command;

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let repo = common::repo();
    let run = common::serum(&repo, &["--version"]).ok();
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(&repo)
        .output()
        .ok()
        .filter(|output| output.status.success() && repo.join(".git").exists())
        .map(|output| String::from_utf8(output.stdout).unwrap().trim().to_string());
    let version = env!("CARGO_PKG_VERSION");
    let expected = match commit {
        Some(commit) => format!("serum {version} (commit {commit})\n"),
        // A source tarball: no .git, no commit.
        None => format!("serum {version}\n"),
    };
    assert_eq!(run.stdout, expected);
    assert_eq!(run.stderr, "");
}
