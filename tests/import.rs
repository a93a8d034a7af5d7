//! `serum import notion`: Notion's "Markdown & CSV" exports, built here in code, turned into
//! page bundles that `serum build` publishes like hand-written content.

mod common;

use std::io::Write;
use std::path::Path;

use common::{TestSite, serum, snapshot};

const TITLE: &str = "Microneedling: What It Is, How It Works, and Whether to Try It at Home";
/// Notion cuts long names short: the file name is not the title.
const STEM: &str =
    "Microneedling What It Is, How It Works, and Whe 0123456789abcdef0123456789abcdef";
const STEM_URL: &str = "Microneedling%20What%20It%20Is,%20How%20It%20Works,%20and%20Whe%200123456789abcdef0123456789abcdef";
const BUNDLE: &str =
    "content/articles/microneedling-what-it-is-how-it-works-and-whether-to-try-it-at-home";
const PAGE: &str = "public/articles/microneedling-what-it-is-how-it-works-and-whether-to-try-it-at-home/index.html";

/// A 1×1 PNG.
const PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0,
    0, 0, 144, 119, 83, 222, 0, 0, 0, 12, 73, 68, 65, 84, 120, 156, 99, 216, 234, 158, 13, 0, 3,
    28, 1, 104, 98, 122, 36, 3, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// The article as Notion exports it: title line, property lines, then the body.
fn article() -> String {
    format!(
        "# {TITLE}

Do not index: No
Files & media: {STEM_URL}/notion%20image.png
Written by: Mike Rubini
Publish Date: June 27, 2023 9:32 PM
Tags: microneedling, skincare, collagen

Microneedling, also known as Collagen Induction Therapy, stimulates the skin to produce collagen.

As we age, our skin loses collagen, and a session helps it grow back.

## Micro-needling at Home

A derma-roller at home has shorter needles than a professional's.

## Why the trend?

It is all the rage now, and it’s easy to see why.

<aside>
💡 In the end, consult your dermatologist before you start.

</aside>
"
    )
}

/// The export's files: the article and its image in the sibling folder.
fn article_files() -> Vec<(String, Vec<u8>)> {
    vec![
        (format!("{STEM}.md"), article().into_bytes()),
        (format!("{STEM}/notion image.png"), PNG.to_vec()),
    ]
}

/// A zip archive of these files.
fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// A folder beside the site, holding the export.
fn downloads(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    dir
}

fn import(dir: &Path, site: &TestSite, export: &str, extra: &[&str]) -> common::Run {
    let root = site.root().to_str().unwrap();
    let mut args = vec!["import", "notion", export, "--root", root];
    args.extend_from_slice(extra);
    serum(dir, &args)
}

fn content(site: &TestSite) -> std::collections::BTreeMap<String, Vec<u8>> {
    snapshot(&site.path("content"))
}

#[test]
fn a_notion_zip_becomes_an_article_with_the_same_title_sections_cover_and_byline() {
    let site = TestSite::new();
    let dir = downloads("export.zip", &zip(&article_files()));
    let run = import(dir.path(), &site, "export.zip", &["--section", "articles"]).ok();
    assert_eq!(
        run.stdout,
        format!(
            "created {BUNDLE}/index.md\n\
             created {BUNDLE}/notion-image.png\n\
             created content/authors/mike-rubini.md\n\
             Imported 1 page, 1 author and 1 asset from export.zip: 3 files written, 0 unchanged, 0 warnings\n"
        )
    );
    assert_eq!(run.stderr, "");
    assert_eq!(
        site.read(&format!("{BUNDLE}/index.md")),
        format!(
            "+++
title = \"{TITLE}\"
date = 2023-06-27T21:32:00
author = \"mike-rubini\"
tags = [\"microneedling\", \"skincare\", \"collagen\"]

[cover]
src = \"notion-image.png\"
alt = \"Cover image for {TITLE}\"
+++
Microneedling, also known as Collagen Induction Therapy, stimulates the skin to produce collagen.

As we age, our skin loses collagen, and a session helps it grow back.

## Micro-needling at Home

A derma-roller at home has shorter needles than a professional's.

## Why the trend?

It is all the rage now, and it’s easy to see why.

> [!TIP]
> In the end, consult your dermatologist before you start.
"
        )
    );
    assert_eq!(
        site.read("content/authors/mike-rubini.md"),
        "+++\nname = \"Mike Rubini\"\n+++\n"
    );

    site.build(&[]).ok();
    let page = site.page(PAGE);
    assert_eq!(page.text("h1.page-title"), TITLE);
    assert_eq!(
        page.attrs(".page-content h2", "id"),
        ["micro-needling-at-home", "why-the-trend"]
    );
    assert_eq!(
        page.attrs("nav.toc a", "href"),
        ["#micro-needling-at-home", "#why-the-trend"]
    );
    let cover = page.one("figure.cover img");
    assert_eq!(
        cover.value().attr("alt"),
        Some(format!("Cover image for {TITLE}").as_str())
    );
    let src = cover.value().attr("src").unwrap();
    assert!(site.path(&format!("public{src}")).is_file(), "{src}");
    assert_eq!(page.text(".page .byline .byline-author"), "Mike Rubini");
    assert_eq!(
        page.attr(".page .byline .byline-author", "href"),
        "/authors/mike-rubini/"
    );
    assert!(
        page.attr(".byline-date", "datetime")
            .starts_with("2023-06-27")
    );
    assert_eq!(
        page.text(".page-content .alert-tip"),
        "Tip In the end, consult your dermatologist before you start."
    );
    let text = page.text(".page-content");
    assert!(text.contains("Collagen Induction Therapy"), "{text}");
    assert!(text.contains("it’s easy to see why"), "{text}");
    for residue in ["notion image", "Written by", "Do not index", "<aside>"] {
        assert!(
            !text.contains(residue),
            "export residue {residue:?} in {text}"
        );
    }
}

#[test]
fn a_zip_of_zips_with_an_export_folder_imports_the_same_files() {
    let wrapper = "Export-5a1c1b5e-8c1f-4d2b-9a55-2f0e7e1c9d3a";
    let inner: Vec<(String, Vec<u8>)> = article_files()
        .into_iter()
        .map(|(name, bytes)| (format!("{wrapper}/{name}"), bytes))
        .collect();
    let outer = zip(&[(format!("{wrapper}-Part-1.zip"), zip(&inner))]);
    let nested = TestSite::new();
    let dir = downloads("export.zip", &outer);
    let run = import(
        dir.path(),
        &nested,
        "export.zip",
        &["--section", "articles"],
    )
    .ok();
    assert!(
        run.stdout.ends_with(
            "Imported 1 page, 1 author and 1 asset from export.zip: 3 files written, 0 unchanged, 0 warnings\n"
        ),
        "{}",
        run.stdout
    );

    let plain = TestSite::new();
    let dir = downloads("export.zip", &zip(&article_files()));
    import(dir.path(), &plain, "export.zip", &["--section", "articles"]).ok();
    assert_eq!(content(&nested), content(&plain));
}

#[test]
fn an_unpacked_folder_with_links_todos_toggles_and_mixed_unicode_imports() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("Export");
    let creme_id = "fedcba9876543210fedcba9876543210";
    // The file name is in NFD (e + combining grave), as macOS writes it; links are NFC.
    let creme_stem = format!("Cre\u{300}me guide {creme_id}");
    let files = [
        (format!("{STEM}.md"), article()),
        (
            format!("{creme_stem}.md"),
            format!(
                "# Crème guide

See [the article]({STEM_URL}.md), [a private page](https://www.notion.so/Private-99999999999999999999999999999999?pvs=21) and [the roller](Cr%C3%A8me%2520guide%2520{creme_id}/roller.png).

![A roller on skin](Cr%25C3%25A8me%2520guide%2520{creme_id}/roller.png)

A roller on skin

- [ ]  Cleanse
- [x]  Roll

## Toggles

- Why?
    
    Because collagen.
"
            ),
        ),
    ];
    for (name, text) in &files {
        std::fs::create_dir_all(&export).unwrap();
        std::fs::write(export.join(name), text).unwrap();
    }
    std::fs::create_dir_all(export.join(STEM)).unwrap();
    std::fs::write(export.join(STEM).join("notion image.png"), PNG).unwrap();
    std::fs::create_dir_all(export.join(&creme_stem)).unwrap();
    std::fs::write(export.join(&creme_stem).join("roller.png"), PNG).unwrap();

    let site = TestSite::new();
    let run = import(dir.path(), &site, "Export", &[]).ok();
    let column = "See [the article](".len() + STEM_URL.len() + ".md), ".len() + 1;
    assert_eq!(
        run.stderr,
        format!(
            "warning: Crème guide {creme_id}.md:3:{column}: link to a Notion page that is not in the export; kept its text \"a private page\" without the link\n"
        )
    );
    assert!(
        run.stdout.ends_with(
            "Imported 2 pages, 1 author and 2 assets from Export: 5 files written, 0 unchanged, 1 warning\n"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        site.read("content/posts/creme-guide/index.md"),
        "+++
title = \"Crème guide\"
+++
See [the article](@/posts/microneedling-what-it-is-how-it-works-and-whether-to-try-it-at-home/index.md), a private page and [the roller](roller.png).

![A roller on skin](roller.png)

- [ ] Cleanse
- [x] Roll

## Toggles

- Why?

    Because collagen.
"
    );

    site.build(&[]).ok();
    let page = site.page("public/posts/creme-guide/index.html");
    assert_eq!(
        page.attrs(".page-content a:not(.anchor)", "href"),
        [
            "/posts/microneedling-what-it-is-how-it-works-and-whether-to-try-it-at-home/",
            "/posts/creme-guide/roller.png"
        ]
    );
    assert_eq!(page.attrs(".page-content img", "alt"), ["A roller on skin"]);
    assert_eq!(page.all(".page-content input[type=checkbox]").len(), 2);
    assert_eq!(
        page.texts(".page-content li p"),
        ["Why?", "Because collagen."]
    );
    assert!(
        page.all(".page-content pre").is_empty(),
        "toggles are not code"
    );
}

#[test]
fn a_database_export_maps_each_row_to_front_matter() {
    let db = "Blog 1111aaaa2222bbbb3333cccc4444dddd";
    let csv = "\u{feff}Name,Slug,Status,Publish Date,Tags,Excerpt,Reading time,Featured\r\n\
               Fresh start,fresh-start,Published,\"June 27, 2023\",\"skincare, routine\",A new routine for spring.,4,Yes\r\n\
               Work in progress,,Draft,07/01/2023,,,,No\r\n";
    let page = |title: &str, props: &str| format!("# {title}\n\n{props}\n\nBody of {title}.\n");
    let files = vec![
        (format!("{db}.csv"), csv.as_bytes().to_vec()),
        (format!("{db}_all.csv"), csv.as_bytes().to_vec()),
        (
            format!("{db}/Fresh start 5555eeee6666ffff7777aaaa8888bbbb.md"),
            page("Fresh start", "Slug: fresh-start\nStatus: Published").into_bytes(),
        ),
        (
            format!("{db}/Work in progress 9999cccc0000dddd1111eeee2222ffff.md"),
            page("Work in progress", "Status: Draft").into_bytes(),
        ),
    ];
    let site = TestSite::new();
    let dir = downloads("blog.zip", &zip(&files));
    let run = import(
        dir.path(),
        &site,
        "blog.zip",
        &["--section", "blog", "--map", "Featured=extra.pinned"],
    )
    .ok();
    assert_eq!(
        run.stdout,
        "created content/blog/_index.md\n\
         created content/blog/fresh-start/index.md\n\
         created content/blog/work-in-progress/index.md\n\
         marked 1 page as a draft, which serum build leaves out: 1 with Status: Draft\n\
         Imported 1 section, 2 pages, 0 authors and 0 assets from blog.zip: 3 files written, 0 unchanged, 0 warnings\n"
    );
    assert_eq!(
        site.read("content/blog/_index.md"),
        "+++\ntitle = \"Blog\"\n+++\n"
    );
    assert_eq!(
        site.read("content/blog/fresh-start/index.md"),
        "+++
title = \"Fresh start\"
description = \"A new routine for spring.\"
date = 2023-06-27
tags = [\"skincare\", \"routine\"]
slug = \"fresh-start\"

[extra]
pinned = true
reading_time = \"4\"
status = \"Published\"
+++
Body of Fresh start.
"
    );
    assert_eq!(
        site.read("content/blog/work-in-progress/index.md"),
        "+++
title = \"Work in progress\"
date = 2023-07-01
draft = true

[extra]
pinned = false
+++
Body of Work in progress.
"
    );
    let run = site.build(&[]).ok();
    assert!(run.stdout.starts_with("Built 2 pages"), "{}", run.stdout);
    assert!(site.path("public/blog/fresh-start/index.html").is_file());
    assert!(
        !site.path("public/blog/work-in-progress").exists(),
        "drafts stay out"
    );
}

#[test]
fn a_zip_entry_that_leads_outside_is_refused_and_nothing_is_written() {
    let mut files = article_files();
    files.push(("../evil.md".into(), b"# Evil\n".to_vec()));
    let site = TestSite::new();
    let before = snapshot(site.root());
    let dir = downloads("evil.zip", &zip(&files));
    let stderr = import(dir.path(), &site, "evil.zip", &[]).fails();
    assert_eq!(
        stderr,
        "error: evil.zip: refusing the entry `../evil.md`: its path leads outside the export\n  \
         help: nothing was imported; a Notion export never holds such an entry, so check where this export came from\n"
    );
    assert_eq!(snapshot(site.root()), before);
    assert!(!dir.path().parent().unwrap().join("evil.md").exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only the zip"
    );
}

#[test]
fn importing_again_changes_nothing_and_a_changed_file_needs_force() {
    let site = TestSite::new();
    let dir = downloads("export.zip", &zip(&article_files()));
    import(dir.path(), &site, "export.zip", &[]).ok();
    let first = snapshot(site.root());

    let run = import(dir.path(), &site, "export.zip", &[]).ok();
    assert_eq!(
        run.stdout,
        "Imported 1 page, 1 author and 1 asset from export.zip: 0 files written, 3 unchanged, 0 warnings\n"
    );
    assert_eq!(snapshot(site.root()), first);

    let index = "content/posts/microneedling-what-it-is-how-it-works-and-whether-to-try-it-at-home/index.md";
    let edited = site
        .read(index)
        .replace("shorter needles", "much shorter needles");
    let site = site.write(index, &edited);
    let stderr = import(dir.path(), &site, "export.zip", &[]).fails();
    assert_eq!(
        stderr,
        format!(
            "error: {index}: this file already exists and differs from what the import would write\n  \
             help: nothing was written; pass --force to replace it, or move it away and import again\n"
        )
    );
    assert_eq!(site.read(index), edited);

    let run = import(dir.path(), &site, "export.zip", &["--force"]).ok();
    assert_eq!(
        run.stdout,
        format!(
            "replaced {index}\n\
             Imported 1 page, 1 author and 1 asset from export.zip: 1 file written, 2 unchanged, 0 warnings\n"
        )
    );
    assert_eq!(snapshot(site.root()), first);
}

#[test]
fn a_dry_run_lists_the_files_and_writes_nothing() {
    let site = TestSite::new();
    let before = snapshot(site.root());
    let dir = downloads("export.zip", &zip(&article_files()));
    let run = import(dir.path(), &site, "export.zip", &["--dry-run"]).ok();
    let bundle =
        "content/posts/microneedling-what-it-is-how-it-works-and-whether-to-try-it-at-home";
    assert_eq!(
        run.stdout,
        format!(
            "would create {bundle}/index.md\n\
             would create {bundle}/notion-image.png\n\
             would create content/authors/mike-rubini.md\n\
             Dry run: would import 1 page, 1 author and 1 asset from export.zip: 3 files to write, 0 unchanged, 0 warnings; nothing was written\n"
        )
    );
    assert_eq!(snapshot(site.root()), before);
}

#[test]
fn an_unknown_mapping_key_is_refused_with_a_suggestion() {
    let site = TestSite::new();
    let dir = downloads("export.zip", &zip(&article_files()));
    let stderr = import(
        dir.path(),
        &site,
        "export.zip",
        &["--map", "Teaser=descripton"],
    )
    .fails();
    assert_eq!(
        stderr,
        "error: --map \"Teaser=descripton\": `descripton` is not a front matter key serum imports\n  \
         help: did you mean `description`?\n"
    );
}

#[test]
fn an_author_the_site_already_has_is_named_by_its_slug_and_left_alone() {
    let mike = "+++\nname = \"Mike Rubini\"\nrole = \"CEO\"\n+++\nMike writes about skincare.\n";
    let site = TestSite::new().write("content/authors/mike.md", mike);
    let dir = downloads("export.zip", &zip(&article_files()));
    let run = import(dir.path(), &site, "export.zip", &["--section", "articles"]).ok();
    assert_eq!(
        run.stdout,
        format!(
            "created {BUNDLE}/index.md\n\
             created {BUNDLE}/notion-image.png\n\
             Imported 1 page, 1 author and 1 asset from export.zip: 2 files written, 1 unchanged, 0 warnings\n"
        )
    );
    assert!(
        site.read(&format!("{BUNDLE}/index.md"))
            .contains("\nauthor = \"mike\"\n")
    );
    assert_eq!(site.read("content/authors/mike.md"), mike);
    assert!(!site.path("content/authors/mike-rubini.md").exists());

    site.build(&[]).ok();
    let page = site.page(PAGE);
    assert_eq!(
        page.attr(".page .byline .byline-author", "href"),
        "/authors/mike/"
    );
    assert_eq!(page.text(".page .byline .byline-role"), "CEO");
}

#[test]
fn a_symbolic_link_out_of_an_unpacked_export_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "private").unwrap();
    let export = dir.path().join("Export");
    std::fs::create_dir_all(export.join(STEM)).unwrap();
    std::fs::write(export.join(format!("{STEM}.md")), article()).unwrap();
    std::os::unix::fs::symlink(&secret, export.join(STEM).join("notion image.png")).unwrap();
    let site = TestSite::new();
    let before = snapshot(site.root());
    let stderr = import(dir.path(), &site, "Export", &[]).fails();
    assert_eq!(
        stderr,
        format!(
            "error: Export: refusing the entry `{STEM}/notion image.png`: it is a symbolic link that leads outside the export\n  \
             help: nothing was imported; a Notion export never holds such an entry, so check where this export came from\n"
        )
    );
    assert_eq!(snapshot(site.root()), before);
}

#[test]
fn a_section_linked_to_a_folder_outside_the_site_is_never_written_through() {
    let outside = tempfile::tempdir().unwrap();
    let site = TestSite::new();
    std::os::unix::fs::symlink(outside.path(), site.path("content/elsewhere")).unwrap();
    let dir = downloads("export.zip", &zip(&article_files()));
    let stderr = import(dir.path(), &site, "export.zip", &["--section", "elsewhere"]).fails();
    let bundle =
        "content/elsewhere/microneedling-what-it-is-how-it-works-and-whether-to-try-it-at-home";
    assert_eq!(
        stderr,
        format!(
            "error: {bundle}/index.md: this path leads outside the site through a symbolic link\n  \
             help: nothing was written; remove the link or import into another section\n\
             error: {bundle}/notion-image.png: this path leads outside the site through a symbolic link\n  \
             help: nothing was written; remove the link or import into another section\n\
             error: 2 problems found\n"
        )
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    assert!(!site.path("content/authors/mike-rubini.md").exists());
}

/// A Notion id: 32 hexadecimal digits, different for each `n`.
fn id(n: u32) -> String {
    format!("{n:032x}")
}

/// Each file of an export as bytes.
fn files(list: &[(String, &str)]) -> Vec<(String, Vec<u8>)> {
    list.iter()
        .map(|(name, text)| (name.clone(), text.as_bytes().to_vec()))
        .collect()
}

/// A database of posts with the statuses real workspaces use, each row with its page.
fn posts_with_statuses() -> Vec<(String, Vec<u8>)> {
    let db = format!("Posts {}", id(1));
    let rows = [
        ("Posted one", "Posted"),
        ("Done two", "Completed"),
        ("Review three", "In review"),
        ("Draft four", "Draft"),
        ("Fresh five", "not started"),
        ("Idea six", "Idea"),
        ("Old seven", "ARCHIVED"),
        ("Draft eight", "Draft"),
    ];
    let mut csv = String::from("Name,Status,Summary,Date Created\n");
    let mut list = Vec::new();
    for (n, (title, status)) in rows.iter().enumerate() {
        let (summary, created) = if n == 0 {
            ("First summary.", "\"May 1, 2024\"")
        } else {
            ("", "")
        };
        csv.push_str(&format!("{title},{status},{summary},{created}\n"));
        list.push((
            format!("{db}/{title} {}.md", id(100 + n as u32)),
            format!("# {title}\n\nStatus: {status}\n\nBody of {title}.\n"),
        ));
    }
    list.push((format!("{db}_all.csv"), csv));
    list.into_iter()
        .map(|(name, text)| (name, text.into_bytes()))
        .collect()
}

#[test]
fn only_unpublished_statuses_make_drafts_and_the_import_counts_them() {
    let site = TestSite::new();
    let dir = downloads("posts.zip", &zip(&posts_with_statuses()));
    let run = import(dir.path(), &site, "posts.zip", &["--section", "news"]).ok();
    assert_eq!(
        run.stdout,
        "created content/news/_index.md\n\
         created content/news/done-two/index.md\n\
         created content/news/draft-eight/index.md\n\
         created content/news/draft-four/index.md\n\
         created content/news/fresh-five/index.md\n\
         created content/news/idea-six/index.md\n\
         created content/news/old-seven/index.md\n\
         created content/news/posted-one/index.md\n\
         created content/news/review-three/index.md\n\
         marked 5 pages as drafts, which serum build leaves out: 2 with Status: Draft, 1 with Status: ARCHIVED, 1 with Status: Idea, 1 with Status: not started\n\
         Imported 1 section, 8 pages, 0 authors and 0 assets from posts.zip: 9 files written, 0 unchanged, 0 warnings\n"
    );
    assert_eq!(run.stderr, "");
    assert_eq!(
        site.read("content/news/posted-one/index.md"),
        "+++
title = \"Posted one\"
description = \"First summary.\"
date = 2024-05-01

[extra]
status = \"Posted\"
+++
Body of Posted one.
"
    );
    assert_eq!(
        site.read("content/news/old-seven/index.md"),
        "+++\ntitle = \"Old seven\"\ndraft = true\n+++\nBody of Old seven.\n"
    );

    site.build(&[]).ok();
    let section = site.page("public/news/index.html");
    assert_eq!(section.text("h1.listing-title"), "Posts");
    assert_eq!(
        section.texts(".page-list .page-item-title a"),
        ["Posted one", "Done two", "Review three"]
    );
    for draft in [
        "draft-four",
        "fresh-five",
        "idea-six",
        "old-seven",
        "draft-eight",
    ] {
        assert!(
            !site.path(&format!("public/news/{draft}")).exists(),
            "{draft}"
        );
    }

    // --map still decides: the status becomes an extra key, and nothing is a draft.
    let mapped = TestSite::new();
    let run = import(
        dir.path(),
        &mapped,
        "posts.zip",
        &["--section", "news", "--map", "Status=extra.stage"],
    )
    .ok();
    assert!(
        run.stdout.ends_with(
            "created content/news/review-three/index.md\n\
             Imported 1 section, 8 pages, 0 authors and 0 assets from posts.zip: 9 files written, 0 unchanged, 0 warnings\n"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        mapped.read("content/news/draft-four/index.md"),
        "+++\ntitle = \"Draft four\"\n\n[extra]\nstage = \"Draft\"\n+++\nBody of Draft four.\n"
    );
}

#[test]
fn files_are_found_from_the_page_then_from_the_export_root_in_any_normalization() {
    let db = format!("Blog {}", id(1));
    let post = format!("Crème brûlée {}", id(2));
    // The cover's path starts at the export's root and is written in NFD, percent-encoded;
    // the zip holds the file's name in NFC.
    let nfd_cover = "Media%20Library/Cre%CC%80me%20bru%CC%82le%CC%81e.png";
    let page = format!(
        "# Crème brûlée\n\nFiles & media: {nfd_cover}\n\n\
         Notes [for the page](Media%20Library/notes.txt) and ![A bowl](Media%2520Library/bowl.png).\n"
    );
    let mut list = files(&[(format!("{db}/{post}.md"), page.as_str())]);
    list.push(("Media Library/Crème brûlée.png".into(), PNG.to_vec()));
    list.push(("Media Library/bowl.png".into(), PNG.to_vec()));
    list.push(("Media Library/notes.txt".into(), b"from the root".to_vec()));
    // Beside the page, the same path names another file: the page's folder comes first.
    list.push((
        format!("{db}/Media Library/notes.txt"),
        b"beside the page".to_vec(),
    ));
    let site = TestSite::new();
    let dir = downloads("export.zip", &zip(&list));
    let run = import(dir.path(), &site, "export.zip", &["--section", "blog"]).ok();
    assert_eq!(run.stderr, "");
    assert_eq!(
        site.read("content/blog/creme-brulee/index.md"),
        "+++
title = \"Crème brûlée\"

[cover]
src = \"creme-brulee.png\"
alt = \"Cover image for Crème brûlée\"
+++
Notes [for the page](notes.txt) and ![A bowl](bowl.png).
"
    );
    assert_eq!(
        site.read("content/blog/creme-brulee/notes.txt"),
        "beside the page"
    );

    site.build(&[]).ok();
    let page = site.page("public/blog/creme-brulee/index.html");
    let cover = page.attr("figure.cover img", "src");
    assert!(site.path(&format!("public{cover}")).is_file(), "{cover}");
    assert_eq!(
        page.attrs(".page-content img", "src"),
        ["/blog/creme-brulee/bowl.png"]
    );
}

#[test]
fn databases_become_sections_and_relations_become_links() {
    let blog = format!("Blog {}", id(1));
    let (fresh, second, notes, note) = (id(2), id(3), id(4), id(5));
    let blog_url = format!("Blog%20{}", id(1));
    let csv = format!(
        "Name,Related,Created,Summary\n\
         Fresh start,Second look ({blog_url}/Second%20look%20{second}.md),\"June 27, 2023 9:32 PM\",A new routine.\n\
         Second look,\"Fresh start ({blog_url}/Fresh%20start%20{fresh}.md), Gone (../Elsewhere%20{gone}.md)\",,\n",
        gone = id(9)
    );
    let list = files(&[
        (
            format!("Home {}.md", id(6)),
            &format!(
                "# Home\n\nRead [the blog]({blog_url}.csv) and [the notes]({blog_url}/Fresh%20start%20{fresh}/Notes%20{notes}_all.csv).\n"
            ),
        ),
        (format!("{blog}.csv"), &csv),
        (format!("{blog}_all.csv"), &csv),
        (
            format!("{blog}/Fresh start {fresh}.md"),
            "# Fresh start\n\nA fresh start.\n",
        ),
        (
            format!("{blog}/Second look {second}.md"),
            "# Second look\n\nAnother look.\n",
        ),
        (
            format!("{blog}/Fresh start {fresh}/Notes {notes}_all.csv"),
            "Name,Tags\nFirst note,\"Skincare (../../../Tags%20ab/Skincare%20cd.md), Sleep (../../../Tags%20ab/Sleep%20ef.md)\"\n",
        ),
        (
            format!("{blog}/Fresh start {fresh}/Notes {notes}/First note {note}.md"),
            &format!(
                "# First note\n\nTags: Skincare\nAbout: Fresh start (../../Fresh%20start%20{fresh}.md)\n\n\
                 Back to [the blog](https://www.notion.so/Blog-{}?pvs=4).\n",
                id(1)
            ),
        ),
    ]);
    let site = TestSite::new();
    let dir = downloads("export.zip", &zip(&list));
    let run = import(dir.path(), &site, "export.zip", &[]).ok();
    assert_eq!(
        run.stderr,
        format!(
            "warning: {blog}_all.csv:3: `Related: Fresh start ({blog_url}/Fresh%20start%20{fresh}.md), Gone (../Elsewhere%20{gone}.md)` names \"Gone\", which is not in the export; kept its title without a link\n",
            gone = id(9)
        )
    );
    assert_eq!(
        run.stdout,
        "created content/posts/blog/_index.md\n\
         created content/posts/blog/notes/_index.md\n\
         created content/posts/blog/fresh-start/index.md\n\
         created content/posts/blog/notes/first-note/index.md\n\
         created content/posts/blog/second-look/index.md\n\
         created content/posts/home/index.md\n\
         Imported 2 sections, 4 pages, 0 authors and 0 assets from export.zip: 6 files written, 0 unchanged, 1 warning\n"
    );
    assert_eq!(
        site.read("content/posts/blog/notes/_index.md"),
        "+++\ntitle = \"Notes\"\n+++\n"
    );
    assert_eq!(
        site.read("content/posts/blog/fresh-start/index.md"),
        "+++
title = \"Fresh start\"
description = \"A new routine.\"
date = 2023-06-27T21:32:00

[[extra.related]]
page = \"@/posts/blog/second-look/index.md\"
title = \"Second look\"
+++
A fresh start.
"
    );
    assert_eq!(
        site.read("content/posts/blog/second-look/index.md"),
        "+++
title = \"Second look\"

[[extra.related]]
page = \"@/posts/blog/fresh-start/index.md\"
title = \"Fresh start\"

[[extra.related]]
title = \"Gone\"
+++
Another look.
"
    );
    assert_eq!(
        site.read("content/posts/blog/notes/first-note/index.md"),
        "+++
title = \"First note\"
tags = [\"Skincare\", \"Sleep\"]

[[extra.about]]
page = \"@/posts/blog/fresh-start/index.md\"
title = \"Fresh start\"
+++
Back to [the blog](@/posts/blog/_index.md).
"
    );
    assert_eq!(
        site.read("content/posts/home/index.md"),
        "+++\ntitle = \"Home\"\n+++\nRead [the blog](@/posts/blog/_index.md) and [the notes](@/posts/blog/notes/_index.md).\n"
    );

    site.build(&[]).ok();
    let home = site.page("public/posts/home/index.html");
    assert_eq!(
        home.attrs(".page-content a", "href"),
        ["/posts/blog/", "/posts/blog/notes/"]
    );
    let blog = site.page("public/posts/blog/index.html");
    assert_eq!(blog.text("h1.listing-title"), "Blog");
    assert_eq!(blog.texts("nav.subsections a"), ["Notes"]);
    assert_eq!(
        blog.attrs("nav.subsections a", "href"),
        ["/posts/blog/notes/"]
    );
    assert_eq!(
        blog.texts(".page-list .page-item-title a"),
        ["Fresh start", "Second look"]
    );
    let notes = site.page("public/posts/blog/notes/index.html");
    assert_eq!(notes.text("h1.listing-title"), "Notes");
    assert_eq!(notes.texts(".page-list .page-item-title a"), ["First note"]);
    let note = site.page("public/posts/blog/notes/first-note/index.html");
    assert_eq!(note.attrs(".page-content a", "href"), ["/posts/blog/"]);
}

#[test]
fn a_database_without_page_files_becomes_pages_from_its_rows_and_empty_rows_are_skipped() {
    let list = files(&[
        (
            format!("Reading list {}_all.csv", id(1)),
            "Name,Status,Author,Summary\n\
             Dune,Posted,Frank Herbert,A desert planet.\n\
             ,,,\n\
             Untitled,,,\n\
             Neuromancer,Draft,,\n",
        ),
        (format!("Untitled {}.md", id(2)), "# Untitled\n\n"),
    ]);
    let site = TestSite::new();
    let dir = downloads("books.zip", &zip(&list));
    let run = import(dir.path(), &site, "books.zip", &["--section", "books"]).ok();
    assert_eq!(run.stderr, "");
    assert_eq!(
        run.stdout,
        "created content/books/_index.md\n\
         created content/books/dune/index.md\n\
         created content/books/neuromancer/index.md\n\
         created content/authors/frank-herbert.md\n\
         marked 1 page as a draft, which serum build leaves out: 1 with Status: Draft\n\
         skipped 3 empty \"Untitled\" pages: no title and no text\n\
         Imported 1 section, 2 pages, 1 author and 0 assets from books.zip: 4 files written, 0 unchanged, 0 warnings\n"
    );
    assert_eq!(
        site.read("content/books/_index.md"),
        "+++\ntitle = \"Reading list\"\n+++\n"
    );
    assert_eq!(
        site.read("content/books/dune/index.md"),
        "+++
title = \"Dune\"
description = \"A desert planet.\"
author = \"frank-herbert\"

[extra]
status = \"Posted\"
+++
"
    );

    site.build(&[]).ok();
    let dune = site.page("public/books/dune/index.html");
    assert_eq!(dune.text("h1.page-title"), "Dune");
    assert_eq!(dune.text(".page .byline .byline-author"), "Frank Herbert");
    assert_eq!(
        dune.attr("meta[name=description]", "content"),
        "A desert planet."
    );
    let books = site.page("public/books/index.html");
    assert_eq!(books.texts(".page-list .page-item-title a"), ["Dune"]);
}

#[test]
fn a_section_file_the_site_already_has_is_kept_and_importing_again_changes_nothing() {
    let intro = "+++\ntitle = \"News\"\nsort_by = \"title\"\n+++\nWhat we posted.\n";
    let site = TestSite::new().write("content/news/_index.md", intro);
    let dir = downloads("posts.zip", &zip(&posts_with_statuses()));
    let run = import(dir.path(), &site, "posts.zip", &["--section", "news"]).ok();
    assert!(
        run.stdout
            .starts_with("created content/news/done-two/index.md\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with(
            "Imported 1 section, 8 pages, 0 authors and 0 assets from posts.zip: 8 files written, 1 unchanged, 0 warnings\n"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(site.read("content/news/_index.md"), intro);
    let first = snapshot(site.root());

    let run = import(dir.path(), &site, "posts.zip", &["--section", "news"]).ok();
    assert!(
        run.stdout.ends_with(
            "Imported 1 section, 8 pages, 0 authors and 0 assets from posts.zip: 0 files written, 9 unchanged, 0 warnings\n"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(snapshot(site.root()), first);
}

#[test]
fn an_html_export_an_empty_zip_and_only_empty_pages_are_refused_and_nothing_is_written() {
    let html = zip(&files(&[
        (
            format!("Export-1f2e/Home {}.html", id(1)),
            "<html><body><h1>Home</h1></body></html>",
        ),
        (format!("Export-1f2e/Home {}/photo.png", id(1)), "png"),
    ]));
    let untitled = zip(&files(&[
        (format!("Untitled {}.md", id(1)), "# Untitled\n"),
        (format!("Untitled {}.md", id(2)), "\n"),
    ]));
    let cases = [
        (
            "html.zip",
            html,
            "error: html.zip: this looks like an HTML export; export as Markdown & CSV\n  \
             help: in Notion, choose Export, then \"Markdown & CSV\" as the format; nothing was written\n",
        ),
        (
            "empty.zip",
            zip(&[]),
            "error: empty.zip: this export holds no pages: no Markdown (.md) page and no database (.csv) in it\n  \
             help: export from Notion with \"Markdown & CSV\" and \"Include subpages\"; nothing was written\n",
        ),
        (
            "untitled.zip",
            untitled,
            "error: untitled.zip: this export holds no pages to import: all its 2 pages are empty \"Untitled\" (no title, no text)\n  \
             help: nothing was written\n",
        ),
    ];
    for (name, bytes, expected) in cases {
        let site = TestSite::new();
        let before = snapshot(site.root());
        let dir = downloads(name, &bytes);
        let stderr = import(dir.path(), &site, name, &[]).fails();
        assert_eq!(stderr, expected, "{name}");
        assert_eq!(snapshot(site.root()), before, "{name}");
    }
}

#[test]
fn phone_and_mail_links_stay_and_a_removed_link_or_image_leaves_the_text_beside_it_alone() {
    let page = format!("Contact {}", id(1));
    let folder = format!("Contact%20{}", id(1));
    let text = format!(
        "# Contact

Call [+1 555 0100](tel:+15550100) or write to [us](mailto:hello@example.com).

[Tasks](Tasks%20{tasks}.md)**:** water the plants.

![Screenshot%202023-06-27%20at%209.32.png]({folder}/Screenshot%202023-06-27%20at%209.32.png)

![A%20roller%20on%20skin]({folder}/roller.png)

End, and [an empty page](Untitled%20{untitled}.md).
",
        tasks = id(2),
        untitled = id(3)
    );
    let site = TestSite::new();
    let dir = downloads(
        "export.zip",
        &zip(&files(&[
            (format!("{page}.md"), text.as_str()),
            (format!("Untitled {}.md", id(3)), "# Untitled\n"),
        ])),
    );
    let run = import(dir.path(), &site, "export.zip", &[]).ok();
    assert!(
        run.stdout.ends_with(
            "skipped 1 empty \"Untitled\" page: no title and no text\n\
             Imported 1 page, 0 authors and 0 assets from export.zip: 1 file written, 0 unchanged, 4 warnings\n"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stderr,
        format!(
            "warning: {page}.md:5:1: link to `Tasks {tasks}.md`, which is not in the export; kept its text \"Tasks\" without the link\n\
             warning: {page}.md:7:1: image `{page}/Screenshot 2023-06-27 at 9.32.png`, which is not in the export; removed it\n\
             warning: {page}.md:9:1: image `{page}/roller.png`, which is not in the export; kept its alt text \"A roller on skin\" without the image\n\
             warning: {page}.md:11:10: link to an empty \"Untitled\" page, which is not imported; kept its text \"an empty page\" without the link\n",
            tasks = id(2)
        )
    );
    assert_eq!(
        site.read("content/posts/contact/index.md"),
        "+++
title = \"Contact\"
+++
Call [+1 555 0100](tel:+15550100) or write to [us](mailto:hello@example.com).

Tasks<!---->**:** water the plants.

A roller on skin

End, and an empty page.
"
    );

    site.build(&[]).ok();
    let page = site.page("public/posts/contact/index.html");
    assert_eq!(
        page.attrs(".page-content a", "href"),
        ["tel:+15550100", "mailto:hello@example.com"]
    );
    assert_eq!(page.texts(".page-content strong"), [":"]);
    assert_eq!(
        page.texts(".page-content p"),
        [
            "Call +1 555 0100 or write to us.",
            "Tasks: water the plants.",
            "A roller on skin",
            "End, and an empty page."
        ]
    );
    assert!(page.all(".page-content img").is_empty());
}
