//! Killed and starved builds: whatever stops `serum build` half-way, `public/` holds exactly
//! the old site or exactly the new one, never a mix, and the next build cleans up after it.

mod common;
mod limits;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::TestSite;
use limits::{run_bounded, serum_command};

const TIME_LIMIT: Duration = Duration::from_secs(120);

/// Every built file but the marker, whose `inputs` line changes with every write of a source.
fn site_files(public: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = common::snapshot(public);
    let marker = files
        .remove(".serum-output")
        .expect("public/ carries serum's marker");
    assert!(marker.starts_with(b"This directory is written by `serum build`"));
    files
}

/// Staging folders beside `public/` (`.public.serum-staging-<pid>`, maybe with `.old`).
fn leftovers(root: &Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public.serum-staging-"))
        .collect();
    found.sort();
    found
}

/// A site of `PAGES` articles, every one of which says which version of the site it is in.
struct Versions {
    site: TestSite,
}

const PAGES: usize = 300;

impl Versions {
    fn new() -> Versions {
        let site = TestSite::new().write("static/notes.txt", "v0");
        let versions = Versions { site };
        versions.write(0);
        versions
    }

    /// Rewrites every source so that the site is version `v`.
    fn write(&self, v: usize) {
        for i in 0..PAGES {
            let body = format!(
                "+++\ntitle = \"Article {i}, version {v}\"\ndate = 2024-05-01\nauthor = \"ann\"\ntags = [\"v{v}\"]\n+++\nVersion {v} of article {i}.\n\n## Part one\n\nText.\n\n## Part two\n\n{}\n",
                "More words in this version. ".repeat(20 + v)
            );
            let path = self.site.path(&format!("content/posts/a{i:03}.md"));
            std::fs::write(path, body).unwrap();
        }
        std::fs::write(self.site.path("static/notes.txt"), format!("version {v}")).unwrap();
    }

    fn public(&self) -> PathBuf {
        self.site.path("public")
    }
}

#[test]
fn a_killed_build_leaves_the_old_site_or_the_new_one_and_the_next_build_cleans_up() {
    let versions = Versions::new();
    let root = versions.site.root().to_path_buf();
    run_bounded(serum_command(&root, &["build"]), TIME_LIMIT).built(1024);
    let v0 = site_files(&versions.public());
    versions.write(1);
    let full = run_bounded(serum_command(&root, &["build"]), TIME_LIMIT).built(1024);
    let v1 = site_files(&versions.public());
    assert_ne!(v0, v1);
    let snapshots = [v0, v1];
    // Once more, back to version 0, to know how long a build takes on this machine now.
    versions.write(0);
    let again = run_bounded(serum_command(&root, &["build"]), TIME_LIMIT).built(1024);
    assert!(site_files(&versions.public()) == snapshots[0]);
    let took = full.elapsed.max(again.elapsed);
    eprintln!("a build takes {:?} and {:?}", full.elapsed, again.elapsed);

    let mut current = 0;
    let mut outcomes = Vec::new();
    let mut staging_left = 0;
    for kill in 0..24u32 {
        let target = 1 - current;
        versions.write(target);
        let mut child = Command::new(env!("CARGO_BIN_EXE_serum"))
            .arg("build")
            .current_dir(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        // Builds run slower than the first one while other tests share the machine, so the
        // moments reach well past its length.
        if kill % 2 == 0 {
            // On a clock: from the start of the process to past the end of a build.
            std::thread::sleep(took * 2 * (kill / 2) / 12);
        } else {
            // From the moment its staging folder appears, across the render and the swap.
            let staging = root.join(format!(".public.serum-staging-{}", child.id()));
            while !staging.exists() && started.elapsed() < took * 2 {
                std::thread::sleep(Duration::from_micros(500));
            }
            std::thread::sleep(took * 3 / 2 * (kill / 2) / 12);
        }
        let _ = child.kill();
        let status = child.wait().unwrap();
        let killed_after = started.elapsed();
        let now = site_files(&versions.public());
        let state = snapshots
            .iter()
            .position(|snapshot| *snapshot == now)
            .unwrap_or_else(|| {
                let mixed: Vec<&String> = now
                    .iter()
                    .filter(|(path, bytes)| snapshots[current].get(*path) != Some(*bytes))
                    .map(|(path, _)| path)
                    .take(5)
                    .collect();
                panic!(
                    "after a kill at {killed_after:?}, public/ is neither the old site nor the new one; changed: {mixed:?}"
                )
            });
        assert!(state == current || state == target);
        let left = leftovers(&root);
        staging_left += usize::from(!left.is_empty());
        outcomes.push(format!(
            "{:>6.0} ms: {} ({}){}",
            killed_after.as_secs_f64() * 1000.0,
            if state == target { "new" } else { "old" },
            if status.success() {
                "finished"
            } else {
                "killed"
            },
            if left.is_empty() {
                String::new()
            } else {
                format!(", left {left:?}")
            }
        ));
        current = state;
    }
    eprintln!("{}", outcomes.join("\n"));
    assert!(
        outcomes.iter().any(|o| o.contains("old (killed)")),
        "no kill landed before the swap"
    );
    assert!(staging_left > 0, "no kill left a staging folder behind");

    // The next build finishes, sweeps every staging folder of dead builds, and is exact.
    let target = 1 - current;
    versions.write(target);
    run_bounded(serum_command(&root, &["build"]), TIME_LIMIT).built(1024);
    assert_eq!(leftovers(&root), Vec::<String>::new());
    assert!(site_files(&versions.public()) == snapshots[target]);
}

/// The PID of a process that has ended.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    child.id()
}

/// Removes every other file under `dir`, as a removal cut short leaves it.
fn remove_every_other_file(dir: &Path) {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect();
    assert!(files.len() > 4, "{files:?}");
    for file in files.iter().step_by(2) {
        std::fs::remove_file(file).unwrap();
    }
}

/// Asserts a run said nothing but that nothing changed.
#[track_caller]
fn assert_nothing_changed(run: &common::Run) {
    let ms = run
        .stdout
        .strip_prefix("Nothing changed since the last build: public/ is up to date (")
        .and_then(|rest| rest.strip_suffix(" ms)\n"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(ms.parse::<u64>().is_ok(), "{}", run.stdout);
    assert_eq!(run.stderr, "");
}

#[test]
fn a_build_killed_while_removing_the_old_site_is_cleaned_up_by_a_build_with_nothing_to_do() {
    let site = small_site();
    site.build(&[]).ok();
    let old_site = tempfile::tempdir().unwrap();
    common::copy_dir(&site.path("public"), old_site.path());
    let site = site.write(
        "content/posts/second.md",
        "+++\ntitle = \"Second, revised\"\n+++\nLonger now.\n",
    );
    site.build(&[]).ok();
    // What the build killed right after the swap leaves: the new site in public/, and what
    // was not yet removed of the old one under the staging name (`.old` where the swap
    // cannot exchange the two in one step).
    let pid = dead_pid();
    for leftover in [
        format!(".public.serum-staging-{pid}"),
        format!(".public.serum-staging-{pid}.old"),
    ] {
        let leftover = site.path(&leftover);
        common::copy_dir(old_site.path(), &leftover);
        remove_every_other_file(&leftover);
    }
    let before = common::snapshot(&site.path("public"));
    assert_eq!(leftovers(site.root()).len(), 2);

    assert_nothing_changed(&site.build(&[]).ok());
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
    assert_eq!(common::snapshot(&site.path("public")), before);
}

#[test]
fn a_staging_folder_named_after_a_live_unrelated_process_is_removed() {
    let site = small_site();
    site.build(&[]).ok();
    let mut sleeper = Command::new("sleep").arg("600").spawn().unwrap();
    let names = [
        format!(".public.serum-staging-{}", sleeper.id()),
        format!(".public.serum-staging-{}.old", std::process::id()),
    ];
    for name in &names {
        let page = site.path(&format!("{name}/posts/first"));
        std::fs::create_dir_all(&page).unwrap();
        std::fs::write(page.join("index.html"), "left behind").unwrap();
    }
    assert_eq!(leftovers(site.root()).len(), 2);
    let site = site.write(
        "content/posts/second.md",
        "+++\ntitle = \"Second, revised\"\n+++\n",
    );
    let run = site.build(&[]).ok();
    assert_eq!(
        leftovers(site.root()),
        Vec::<String>::new(),
        "{}",
        run.stderr
    );
    assert_eq!(
        site.page("public/posts/second/index.html")
            .text("h1.page-title"),
        "Second, revised"
    );
    let _ = sleeper.kill();
    let _ = sleeper.wait();
}

#[test]
fn a_staging_folder_a_running_build_holds_is_left_alone() {
    let site = small_site();
    let held = site.path(&format!(".public.serum-staging-{}", dead_pid()));
    std::fs::create_dir(&held).unwrap();
    std::fs::write(held.join("index.html"), "being written").unwrap();
    let lock = std::fs::File::open(&held).unwrap();
    // SAFETY: flock on a descriptor this test owns and keeps open.
    let locked = unsafe {
        libc::flock(
            std::os::fd::AsRawFd::as_raw_fd(&lock),
            libc::LOCK_EX | libc::LOCK_NB,
        )
    };
    assert_eq!(locked, 0, "{}", std::io::Error::last_os_error());
    site.build(&[]).ok();
    assert!(site.path("public/index.html").is_file());
    assert_eq!(
        std::fs::read_to_string(held.join("index.html")).unwrap(),
        "being written"
    );

    // Once its build is over, the folder is a leftover like any other.
    drop(lock);
    assert_nothing_changed(&site.build(&[]).ok());
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

/// A small tmpfs, unmounted (and its folder removed) when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// Mounts a tmpfs of `size` (such as "512k"), or explains why it cannot.
    fn mount(size: &str) -> Result<SmallDisk, String> {
        let dir = tempfile::tempdir().unwrap();
        let c = |s: &str| std::ffi::CString::new(s).unwrap();
        let target = c(dir.path().to_str().unwrap());
        let options = c(&format!("size={size}"));
        // SAFETY: valid NUL-terminated strings that outlive the call.
        let mounted = unsafe {
            libc::mount(
                c("tmpfs").as_ptr(),
                target.as_ptr(),
                c("tmpfs").as_ptr(),
                0,
                options.as_ptr().cast(),
            )
        };
        if mounted == 0 {
            Ok(SmallDisk { dir })
        } else {
            Err(std::io::Error::last_os_error().to_string())
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let target = std::ffi::CString::new(self.dir.path().to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; MNT_DETACH lets go even if a file is open.
        unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
    }
}

/// The small site first built onto the disk, and the change that no longer fits.
fn small_site() -> TestSite {
    TestSite::new().write(
        "content/posts/second.md",
        "+++\ntitle = \"Second\"\n+++\nShort.\n",
    )
}

fn too_big(site: TestSite) -> TestSite {
    let words = "Collagen grows back where the needles went. ".repeat(20_000);
    site.write(
        "content/posts/second.md",
        format!("+++\ntitle = \"Second\"\n+++\nA short first paragraph for listings.\n\n{words}\n"),
    )
}

/// Asserts each problem is a write error under `output`, named with its cause, then the help.
fn assert_write_errors(stderr: &str, output: &Path, cause: &str) {
    let mut lines = stderr
        .lines()
        .filter(|line| !(line.starts_with("error: ") && line.ends_with(" problems found")));
    let mut count = 0;
    while let Some(line) = lines.next() {
        let prefix = format!("error: {}/", output.display());
        let rest = line
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("not a write error under {prefix}: {line}\n{stderr}"));
        // A rendered page also names its source: `… (while rendering content/x.md)`.
        let rest = match rest.split_once(" (while rendering content") {
            Some((rest, source)) => {
                assert!(source.ends_with(')'), "{line}");
                rest
            }
            None => rest,
        };
        assert!(
            rest.ends_with(&format!(": cannot write: {cause}"))
                || rest.ends_with(&format!(": cannot create a directory: {cause}")),
            "{line}"
        );
        let help = lines.next().unwrap_or_default();
        assert!(
            help.starts_with(
                "  help: check the free space and permissions where the site is written"
            ),
            "{help}"
        );
        count += 1;
    }
    assert!(count >= 1, "no error named: {stderr}");
}

#[test]
fn a_build_onto_a_full_disk_fails_clearly_and_keeps_the_old_site() {
    let disk = match SmallDisk::mount("512k") {
        Ok(disk) => disk,
        Err(why) => {
            eprintln!(
                "note: skipped: cannot mount a small tmpfs here ({why}); a_write_failure_* covers the same path"
            );
            return;
        }
    };
    let output = disk.path().join("public");
    let site = small_site();
    let args = ["build", "--output", output.to_str().unwrap()];
    run_bounded(serum_command(site.root(), &args), TIME_LIMIT).built(512);
    let before = common::snapshot(&output);
    let site = too_big(site);
    let stderr = run_bounded(serum_command(site.root(), &args), TIME_LIMIT).failed(512);
    eprintln!("{stderr}");
    assert_write_errors(&stderr, &output, "no space left on device");
    assert_eq!(
        common::snapshot(&output),
        before,
        "the old site is untouched"
    );
    let beside: Vec<String> = std::fs::read_dir(disk.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["public"], "the staging folder is removed");
    drop(site);
}

#[test]
fn a_write_failure_midway_fails_clearly_and_keeps_the_old_site() {
    // Files larger than 200 kB cannot be written: the kernel's per-process file size limit,
    // with SIGXFSZ ignored so that the write fails with EFBIG instead of killing serum.
    let site = small_site();
    site.build(&[]).ok();
    let before = common::snapshot(&site.path("public"));
    let site = too_big(site);
    let mut command = serum_command(site.root(), &["build"]);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: 200_000,
                rlim_max: 200_000,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let stderr = run_bounded(command, TIME_LIMIT).failed(512);
    assert_eq!(
        stderr,
        "error: public/posts/second/index.html: cannot write: file too large (while rendering content/posts/second.md)\n  help: check the free space and permissions where the site is written; the previous site is untouched\n"
    );
    assert_eq!(common::snapshot(&site.path("public")), before);
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}
