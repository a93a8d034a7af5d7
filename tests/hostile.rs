//! Hostile content: whatever a writer's editor, a copy-paste or a broken disk puts in a site
//! ends in a built site or a named error, within a time and memory bound, never a panic.
//!
//! The bounds are generous (CI runs a debug build on two cores, other tests beside it): they
//! catch a hang, a quadratic blow-up or a runaway allocation, not a slow machine.

mod common;
mod limits;

use std::collections::HashSet;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::time::Duration;

use common::{Page, TestSite};
use limits::{Bounded, run_bounded, serum_command};
use scraper::Html;

/// No hostile input may keep a build longer than this.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// Memory for a build of a small site, hostile pages included.
const SMALL_MIB: u64 = 512;

fn build(site: &TestSite) -> Bounded {
    let bounded = run_bounded(serum_command(site.root(), &["build"]), TIME_LIMIT);
    eprintln!(
        "build took {:.1} s and {} MiB",
        bounded.elapsed.as_secs_f64(),
        bounded.peak_mib
    );
    bounded
}

/// A compressed file of the search index, unpacked.
fn unpacked(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut text)
        .unwrap();
    text
}

fn page(title: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n+++\n{body}")
}

#[test]
fn a_50_mb_article_builds_within_bounds() {
    let paragraph = "Microneedling uses *fine* needles to make [tiny](https://example.com/a) \
                     injuries, and `code` too, so that the skin makes collagen. "
        .repeat(8);
    let mut body = String::with_capacity(51 << 20);
    let mut n = 0;
    while body.len() < 50 << 20 {
        if n % 50 == 0 {
            body.push_str(&format!("## Part {n}\n\n"));
        }
        body.push_str(&paragraph);
        body.push_str("\n\n- one\n- two\n\n");
        n += 1;
    }
    let site = TestSite::new().write("content/posts/big.md", page("Big", &body));
    build(&site).built(2048);
    let html = site.read("public/posts/big/index.html");
    assert!(html.len() > 50 << 20, "{} bytes", html.len());
    // Parsing 60 MB of HTML in a debug build takes minutes: the head of the page will do.
    let cut = (0..=200_000).rev().find(|&i| html.is_char_boundary(i));
    let head = Page(Html::parse_document(&html[..cut.unwrap_or(0)]));
    assert_eq!(head.text("h1.page-title"), "Big");
    assert_eq!(
        head.attrs(".page-content h2", "id")[..2],
        ["part-0", "part-50"]
    );
}

#[test]
fn ten_thousand_levels_of_nesting_build_without_a_stack_overflow() {
    let site = TestSite::new()
        .write(
            "content/deep/quotes.md",
            page("Quotes", &format!("{}deep\n", "> ".repeat(10_000))),
        )
        .write(
            "content/deep/lists.md",
            page("Lists", &format!("{}deep\n", "- ".repeat(10_000))),
        )
        .write(
            "content/deep/ordered.md",
            page("Ordered", &format!("{}deep\n", "1. ".repeat(10_000))),
        )
        .write(
            "content/deep/mixed.md",
            page("Mixed", &format!("{}deep\n", "> - 1. ".repeat(3_400))),
        )
        .write(
            "content/deep/inline.md",
            page(
                "Inline",
                &format!(
                    "{}deep{}\n\n{}x{}\n",
                    "*_".repeat(5_000),
                    "_*".repeat(5_000),
                    "[".repeat(10_000),
                    "](https://example.com/)".repeat(10_000)
                ),
            ),
        );
    build(&site).built(SMALL_MIB);
    for (name, tag, levels) in [
        ("quotes", "blockquote", 10_000),
        ("lists", "ul", 10_000),
        ("ordered", "ol", 10_000),
        ("mixed", "blockquote", 3_400),
        ("inline", "em", 5_000),
    ] {
        let html = site.read(&format!("public/deep/{name}/index.html"));
        // html5ever checks the stack of open elements on every tag, so parsing 10,000 levels
        // takes minutes in a debug build: the page's head goes through the parser, the depth
        // is counted as tags, opened and closed.
        let content = html
            .find("<div class=\"page-content\">")
            .expect("the page's content");
        let head = Page(Html::parse_document(&html[..content]));
        assert_eq!(head.text("h1.page-title").to_lowercase(), name, "{name}");
        let opened = html.matches(&format!("<{tag}")).count();
        let closed = html.matches(&format!("</{tag}>")).count();
        assert!(
            opened >= levels && opened == closed,
            "{name}: {opened} <{tag}>, {closed} closed"
        );
        assert!(
            html[content..].contains("deep"),
            "{name}: the innermost text is lost"
        );
    }
}

#[test]
fn a_hundred_thousand_headings_get_unique_ids() {
    // Half the same text, half fifty texts repeated: each repeat takes the next free
    // suffix. Trying `step-1`, `step-2`… afresh for each repeat took 5·10⁹ tries here.
    let body: String = (0..100_000)
        .map(|i| match i % 2 {
            0 => "## Step\n\n".to_string(),
            _ => format!("## Heading {}\n\n", i % 100),
        })
        .collect();
    let site = TestSite::new().write("content/posts/headings.md", page("Headings", &body));
    build(&site).built(SMALL_MIB);
    let page = site.page("public/posts/headings/index.html");
    let ids = page.attrs(".page-content h2", "id");
    assert_eq!(ids.len(), 100_000);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 100_000);
    assert_eq!(
        [
            &ids[0],
            &ids[1],
            &ids[2],
            &ids[201],
            &ids[99_998],
            &ids[99_999]
        ],
        [
            "step",
            "heading-1",
            "step-1",
            "heading-1-2",
            "step-49999",
            "heading-99-999"
        ]
    );
}

#[test]
fn headings_in_any_script_get_ids_and_alike_slugs_stay_unique() {
    let body = "## 🎉🚀\n\n## 🎉🚀\n\n## שלום עולם\n\n## مرحبا بالعالم\n\n## \u{301}\u{302}\u{303}\n\n\
                ## Привет\n\n## Privet\n\n## Café\n\n## Cafe\u{301}\n\n## 東京\n\n## \u{200f}\n";
    let site = TestSite::new().write("content/posts/scripts.md", page("Scripts", body));
    build(&site).built(SMALL_MIB);
    let page = site.page("public/posts/scripts/index.html");
    let ids = page.attrs(".page-content h2", "id");
    assert_eq!(
        ids,
        [
            "tada-rocket",
            "tada-rocket-1",
            "shlvm-vlm",
            "mrhb-bl-lm",
            "section",
            "privet",
            "privet-1",
            "cafe",
            "cafe-1",
            "dong-jing",
            "section-1",
        ]
    );
    let anchors = page.attrs(".page-content h2 a.anchor", "href");
    let expected: Vec<String> = ids.iter().map(|id| format!("#{id}")).collect();
    assert_eq!(anchors, expected);
    assert_eq!(page.attrs(".toc a", "href"), expected);
}

#[test]
fn an_empty_page_is_the_no_front_matter_error() {
    let site = TestSite::new().write("content/posts/empty.md", "");
    let stderr = build(&site).failed(SMALL_MIB);
    assert_eq!(
        stderr,
        "error: content/posts/empty.md:1:1: no front matter: the file must start with `+++` (TOML) or `---` (YAML)\n  help: did you forget the opening `+++` or `---`? Start the file with `+++`, a line `title = \"…\"`, and `+++`\n"
    );
}

#[test]
fn a_page_of_only_front_matter_builds() {
    let site = TestSite::new()
        .write("content/posts/toml.md", "+++\ntitle = \"Only TOML\"\n+++")
        .write("content/posts/yaml.md", "---\ntitle: Only YAML\n---\n");
    build(&site).built(SMALL_MIB);
    for (name, title) in [("toml", "Only TOML"), ("yaml", "Only YAML")] {
        let page = site.page(&format!("public/posts/{name}/index.html"));
        assert_eq!(page.text("h1.page-title"), title);
        assert_eq!(page.text(".page-content"), "");
    }
}

#[test]
fn crlf_or_cr_line_endings_and_a_byte_order_mark_simply_work() {
    let site = TestSite::empty()
        .write(
            "serum.toml",
            "\u{feff}title = \"Windows\"\r\nbase_url = \"https://example.com/\"\r\n",
        )
        .write(
            "content/_index.md",
            "\u{feff}+++\r\ntitle = \"Home\"\r\n+++\r\nWelcome.\r\n",
        )
        .write(
            "content/posts/toml.md",
            "\u{feff}+++\r\ntitle = \"From Notepad\"\r\nauthor = \"ann\"\r\ndate = 2024-05-01\r\n+++\r\nFirst line\r\nsecond line.\r\n\r\n## Part one\r\n\r\n- a\r\n- b\r\n",
        )
        .write(
            "content/posts/yaml.md",
            "\u{feff}---\r\ntitle: From WordPad\r\ntags:\r\n  - skin\r\n---\r\n## Part two\r\n",
        )
        .write(
            "content/posts/mac.md",
            "+++\rtitle = \"From classic Mac OS\"\r+++\rA line\ranother.\r\r## Part three\r",
        )
        .write(
            "content/authors/ann.md",
            "\u{feff}+++\r\nname = \"Ann Lee\"\r\n+++\r\nAnn edits.\r\n",
        );
    build(&site).built(SMALL_MIB);
    let page = site.page("public/posts/toml/index.html");
    assert_eq!(page.text("h1.page-title"), "From Notepad");
    assert_eq!(page.attrs(".page-content h2", "id"), ["part-one"]);
    assert_eq!(page.texts(".page-content li"), ["a", "b"]);
    assert_eq!(page.text(".page-content p"), "First line second line.");
    let yaml = site.page("public/posts/yaml/index.html");
    assert_eq!(yaml.text("h1.page-title"), "From WordPad");
    assert_eq!(yaml.attrs(".page-content h2", "id"), ["part-two"]);
    assert_eq!(yaml.texts(".tags a"), ["skin"]);
    let mac = site.page("public/posts/mac/index.html");
    assert_eq!(mac.text("h1.page-title"), "From classic Mac OS");
    assert_eq!(mac.attrs(".page-content h2", "id"), ["part-three"]);
    assert_eq!(mac.text(".page-content p"), "A line another.");
    let home = site.page("public/index.html");
    assert_eq!(home.text("title"), "Windows");
    for (path, bytes) in common::snapshot(&site.path("public")) {
        // The search index's chunks are compressed: their text is read unpacked.
        let bytes = match path.rsplit_once(".pf_") {
            Some(_) => unpacked(&bytes),
            None if path.ends_with(".pagefind") => continue,
            None => bytes,
        };
        assert!(!bytes.contains(&b'\r'), "{path} has a carriage return");
        assert!(
            !bytes.starts_with("\u{feff}".as_bytes()),
            "{path} has a BOM"
        );
    }
}

#[test]
fn a_megabyte_front_matter_string_builds() {
    let words = "collagen ".repeat(1 << 17);
    let words = words.trim_end();
    let site = TestSite::new()
        .write(
            "content/posts/toml.md",
            format!("+++\ntitle = \"Long\"\ndescription = \"{words}\"\n+++\nBody.\n"),
        )
        .write(
            "content/posts/yaml.md",
            format!("---\ntitle: {words}\n---\nBody.\n"),
        );
    build(&site).built(SMALL_MIB);
    let toml = site.page("public/posts/toml/index.html");
    assert_eq!(toml.text(".page-description").len(), words.len());
    let yaml = site.page("public/posts/yaml/index.html");
    assert_eq!(yaml.text("h1.page-title").len(), words.len());
}

#[test]
fn symbolic_link_loops_are_reported_not_followed() {
    let site = TestSite::new();
    symlink("../posts", site.path("content/posts/loop")).unwrap();
    symlink("self.md", site.path("content/posts/self.md")).unwrap();
    symlink("b.md", site.path("content/posts/a.md")).unwrap();
    symlink("a.md", site.path("content/posts/b.md")).unwrap();
    let stderr = build(&site).failed(SMALL_MIB);
    let help = "  help: check that the file exists and that you may read it";
    assert_eq!(
        stderr,
        format!(
            "error: content/posts/a.md: cannot read this: too many levels of symbolic links\n{help}\n\
             error: content/posts/b.md: cannot read this: too many levels of symbolic links\n{help}\n\
             error: content/posts/loop: symbolic link loop: it leads back to content/posts\n  help: remove or fix the link; serum does not follow a folder into itself\n\
             error: content/posts/self.md: cannot read this: too many levels of symbolic links\n{help}\n\
             error: 4 problems found\n"
        )
    );
}

/// Whether this process may read a file whatever its permission bits say (root may).
fn permissions_are_ignored() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn an_unreadable_file_and_folder_are_named_in_the_error() {
    let site = TestSite::new()
        .write("content/posts/secret.md", page("Secret", "Hidden.\n"))
        .write("content/private/note.md", page("Note", "Hidden.\n"));
    let mode = |path: &str, mode: u32| {
        std::fs::set_permissions(site.path(path), std::fs::Permissions::from_mode(mode)).unwrap()
    };
    mode("content/posts/secret.md", 0o000);
    mode("content/private", 0o000);
    let mut command = serum_command(site.root(), &["build"]);
    if permissions_are_ignored() {
        // Root reads anything, so the build runs as `nobody`, for whom the bits hold; the
        // site folder is opened up so that nobody may read the rest and write public/.
        eprintln!("running as root: building as uid 65534 (nobody) so that permissions apply");
        mode("", 0o777);
        std::os::unix::process::CommandExt::uid(&mut command, 65534);
        std::os::unix::process::CommandExt::gid(&mut command, 65534);
        let binary = Path::new(env!("CARGO_BIN_EXE_serum"));
        let reachable = binary
            .ancestors()
            .skip(1)
            .all(|dir| std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o001 != 0));
        if !reachable {
            eprintln!(
                "note: skipped: {} is not reachable for nobody, and root ignores permissions",
                binary.display()
            );
            return;
        }
    }
    let stderr = run_bounded(command, TIME_LIMIT).failed(SMALL_MIB);
    mode("content/private", 0o755);
    assert_eq!(
        stderr,
        "error: content/posts/secret.md: cannot read this file: permission denied\n  help: check that the file exists and that you may read it\n\
         error: content/private: cannot read this: permission denied\n  help: check that the file exists and that you may read it\n\
         error: 2 problems found\n"
    );
}

#[test]
fn a_named_pipe_is_reported_not_waited_on() {
    // Reading a FIFO waits for a writer for ever: serum must not open it.
    let site = TestSite::new();
    let fifo = std::ffi::CString::new(
        site.path("content/posts/pipe.md")
            .into_os_string()
            .into_encoded_bytes(),
    )
    .unwrap();
    // SAFETY: a valid, NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let stderr = build(&site).failed(SMALL_MIB);
    assert_eq!(
        stderr,
        "error: content/posts/pipe.md: not a regular file (a named pipe, socket or device): serum cannot read it\n  help: remove it from content/, or put the file it stands for in its place\n"
    );
}

#[test]
fn a_folder_named_like_a_page_is_a_section() {
    let site = TestSite::new().write("content/notes.md/inside.md", page("Inside", "Text.\n"));
    build(&site).built(SMALL_MIB);
    assert_eq!(
        site.page("public/notes-md/inside/index.html")
            .text("h1.page-title"),
        "Inside"
    );
}

#[test]
fn a_file_deleted_while_the_build_runs_is_built_or_named() {
    let mut site = TestSite::new();
    for i in 0..1500 {
        site = site.write(
            &format!("content/posts/p{i:04}.md"),
            page(
                &format!("Post {i}"),
                "Some text.\n\n## Part\n\nMore text.\n",
            ),
        );
    }
    let victim = "content/posts/victim.md";
    let asset = "content/posts/victim.txt";
    let site = site
        .write(victim, page("Victim", "Text.\n"))
        .write(asset, "bytes");
    let took = build(&site).built(SMALL_MIB).elapsed;
    let allowed = [
        format!(
            "error: {victim}: cannot read this file: no such file or directory\n  help: check that the file exists and that you may read it\n"
        ),
        format!(
            "error: {victim}: cannot read this: no such file or directory\n  help: check that the file exists and that you may read it\n"
        ),
        format!(
            "error: {asset}: cannot copy this file: no such file or directory\n  help: check that the file exists and that you may read it\n"
        ),
        format!(
            "error: {asset}: cannot read this: no such file or directory\n  help: check that the file exists and that you may read it\n"
        ),
    ];
    let mut outcomes = Vec::new();
    for step in 0..10u32 {
        std::fs::write(site.path(victim), page("Victim", "Text.\n")).unwrap();
        std::fs::write(site.path(asset), "bytes").unwrap();
        let delay = took * step / 10;
        let paths = [site.path(victim), site.path(asset)];
        let deleter = std::thread::spawn(move || {
            std::thread::sleep(delay);
            for path in paths {
                std::fs::remove_file(path).unwrap();
            }
        });
        let bounded = build(&site).no_panic();
        deleter.join().unwrap();
        let run = bounded.run;
        match run.status {
            Some(0) => outcomes.push("built".to_string()),
            _ => {
                // One or both files may be named: every line must be one of the allowed ones.
                let mut rest = run.stderr.clone();
                for message in &allowed {
                    rest = rest.replacen(message.as_str(), "", 1);
                }
                let rest = rest.trim_start_matches("error: 2 problems found\n");
                assert_eq!(rest, "", "unexpected message:\n{}", run.stderr);
                outcomes.push(run.stderr.lines().next().unwrap_or_default().to_string());
            }
        }
    }
    eprintln!("outcomes: {outcomes:#?}");
}
