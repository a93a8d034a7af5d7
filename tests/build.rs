//! What `serum build` publishes, checked through an HTML parser.

mod common;

use common::{Page, TestSite, serum};

#[test]
fn the_repository_site_publishes_the_article_with_byline_sections_and_toc() {
    let site = TestSite::repository_site();
    let run = site.build(&[]).ok();
    assert!(
        run.stdout
            .starts_with("Built 2 pages, 2 sections, 2 authors and "),
        "{}",
        run.stdout
    );

    let article = site.page("public/articles/microneedling/index.html");
    assert_eq!(article.all("h1").len(), 1);
    assert!(article.text("h1.page-title").starts_with("Microneedling"));
    assert_eq!(article.text(".page .byline .byline-author"), "Mike Rubini");
    assert_eq!(
        article.attr(".page .byline .byline-author", "href"),
        "/authors/mike-rubini/"
    );
    assert_eq!(article.text(".page .byline .byline-role"), "CEO");
    let byline = article.text(".page .byline");
    assert!(!byline.contains(" at"), "dangling `at` in byline: {byline}");
    assert_eq!(article.attr(".byline-date", "datetime"), "2023-06-27");

    let headings = article.texts(".page-content h2");
    assert_eq!(
        headings,
        ["Micro-needling at Home #", "Why the trend? #"]
            .map(|h| h.trim_end_matches(" #").to_string())
    );
    let ids = article.attrs(".page-content h2", "id");
    assert_eq!(ids, ["micro-needling-at-home", "why-the-trend"]);
    let toc_links = article.attrs("nav.toc a", "href");
    assert_eq!(toc_links, ["#micro-needling-at-home", "#why-the-trend"]);
    for id in &ids {
        assert_eq!(
            article.all(&format!("[id=\"{id}\"]")).len(),
            1,
            "{id} must exist once"
        );
        assert_eq!(
            article.attr(&format!("h2#{id} a.anchor"), "href"),
            format!("#{id}")
        );
    }
    let text = article.text(".page-content");
    assert!(text.contains("Collagen Induction Therapy"));
    assert!(text.contains("everybody’s mind"), "curly apostrophe kept");
    assert!(text.contains("$ 300 and 800$"), "dollar amounts as written");
    assert!(
        !text.contains("notion image") && !text.contains("Written by"),
        "export residue must not be prose"
    );

    let cover = article.one("figure.cover img");
    assert!(
        cover.value().attr("alt").is_some_and(|alt| alt.len() > 20),
        "real alt text"
    );
    let src = cover.value().attr("src").unwrap();
    assert!(
        site.path(&format!("public{src}")).is_file(),
        "cover {src} is published"
    );

    assert_eq!(
        article.text(".author-card .author-card-name"),
        "Mike Rubini"
    );
    assert_eq!(article.text(".author-card .author-card-role"), "CEO");

    let home = site.page("public/index.html");
    assert_eq!(
        home.attrs(".page-list .page-item-title a", "href"),
        ["/articles/microneedling/"]
    );
    assert_eq!(home.text(".page-item .byline-author"), "Mike Rubini");

    let author = site.page("public/authors/mike-rubini/index.html");
    assert_eq!(author.text("h1.author-name"), "Mike Rubini");
    assert_eq!(author.text(".author-job"), "CEO");
    assert_eq!(
        author.attrs(".page-list .page-item-title a", "href"),
        ["/articles/microneedling/"]
    );

    let section = site.page("public/articles/index.html");
    assert_eq!(
        section.attrs(".page-list .page-item-title a", "href"),
        ["/articles/microneedling/"]
    );
    assert!(site.path("public/404.html").is_file());
}

#[test]
fn a_company_makes_the_byline_read_role_at_company() {
    let site = TestSite::new().write(
        "content/authors/ann.md",
        "+++\nname = \"Ann Lee\"\nrole = \"Editor\"\ncompany = \"Glow Co\"\n+++\nBio.\n",
    );
    site.build(&[]).ok();
    let page = site.page("public/posts/first/index.html");
    assert_eq!(page.text(".byline .byline-role"), "Editor at Glow Co");
    assert_eq!(
        page.text(".author-card .author-card-role"),
        "Editor at Glow Co"
    );
}

#[test]
fn author_metadata_is_escaped() {
    let site = TestSite::new().write(
        "content/authors/ann.md",
        "+++\nname = \"Ann <script>alert(1)</script>\"\nrole = \"A & B\"\n+++\n",
    );
    site.build(&[]).ok();
    let page = site.page("public/posts/first/index.html");
    let scripts = page.attrs("script", "type");
    assert_eq!(
        scripts,
        ["application/ld+json"],
        "no script element may come from metadata"
    );
    let json: serde_json::Value = serde_json::from_str(&page.text("script")).unwrap();
    assert_eq!(json["author"][0]["name"], "Ann <script>alert(1)</script>");
    assert_eq!(page.text(".byline-author"), "Ann <script>alert(1)</script>");
    assert_eq!(page.text(".byline-role"), "A & B");
}

#[test]
fn switching_theme_changes_the_output() {
    let site = TestSite::new().with_repo_themes();
    site.build(&[]).ok();
    let default_html = site.read("public/posts/first/index.html");
    let default_css = site.stylesheet_of("public/posts/first/index.html");
    site.build(&["--theme", "mono"]).ok();
    let mono_html = site.read("public/posts/first/index.html");
    assert_ne!(default_html, mono_html);
    assert_ne!(
        default_css,
        site.stylesheet_of("public/posts/first/index.html")
    );
    let mono = site.page("public/posts/first/index.html");
    assert_eq!(mono.text("h1.page-title"), "First post");
    assert_eq!(mono.text(".byline-author"), "Ann Lee");
}

#[test]
fn the_built_in_default_theme_matches_themes_default() {
    let with_folder = TestSite::new().with_repo_themes();
    let built_in = TestSite::new();
    with_folder.build(&[]).ok();
    built_in.build(&[]).ok();
    // The marker records each build's own inputs; every published file must be the same.
    let published = |site: &TestSite| {
        let mut files = common::snapshot(&site.path("public"));
        files.remove(".serum-output");
        files
    };
    let (folder, built_in) = (published(&with_folder), published(&built_in));
    assert_eq!(
        folder.keys().collect::<Vec<_>>(),
        built_in.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &folder {
        assert!(
            bytes == &built_in[path],
            "{path} differs between themes/default and the built-in theme"
        );
    }
}

#[test]
fn site_templates_and_static_files_override_the_theme_one_by_one() {
    let site = TestSite::new()
        .write(
            "templates/page.html",
            "<!doctype html><title>{{ page.title }}</title><p class=\"mine\">{{ page.title }}</p>",
        )
        .write("static/style.css", "body { color: red }")
        .write("static/extra.txt", "extra");
    site.build(&[]).ok();
    assert_eq!(
        site.page("public/posts/first/index.html").text("p.mine"),
        "First post"
    );
    // Published stylesheets lose only comments and indentation.
    assert_eq!(
        site.stylesheet_of("public/index.html"),
        "body { color: red }"
    );
    assert_eq!(site.read("public/extra.txt"), "extra");
    // Templates the site does not override still come from the theme.
    assert_eq!(
        site.page("public/index.html")
            .all(".page-list .page-item")
            .len(),
        1
    );
}

#[test]
fn a_sub_path_base_url_prefixes_every_link() {
    let site = TestSite::new().write(
        "content/posts/second.md",
        "+++\ntitle = \"Second\"\n+++\nBack to [the first](first.md#part-one) and [home](@/_index.md).\n",
    );
    site.build(&["--base-url", "https://example.com/blog"]).ok();
    let page = site.page("public/posts/second/index.html");
    assert_eq!(
        page.attrs(".page-content a", "href"),
        ["/blog/posts/first/#part-one", "/blog/"]
    );
    assert_eq!(
        page.attr("link[rel=canonical]", "href"),
        "https://example.com/blog/posts/second/"
    );
    let css = page.attr("link[rel=stylesheet]", "href");
    assert!(
        css.starts_with("/blog/style.") && css.ends_with(".css"),
        "{css}"
    );
    let home = site.page("public/index.html");
    let hrefs = home.attrs("a[href]", "href");
    let internal: Vec<&String> = hrefs.iter().filter(|h| h.starts_with('/')).collect();
    assert!(!internal.is_empty());
    for href in internal {
        assert!(href.starts_with("/blog/"), "{href} is outside /blog/");
    }
}

#[test]
fn page_bundles_publish_their_assets_beside_the_page() {
    let site = TestSite::new()
        .write(
            "content/posts/trip/index.md",
            "+++\ntitle = \"Trip\"\ncover = { src = \"map.svg\", alt = \"A map of the trip\" }\n+++\n![The view](photos/view.svg)\n\n[Notes](notes.txt)\n",
        )
        .write("content/posts/trip/map.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .write("content/posts/trip/photos/view.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .write("content/posts/trip/notes.txt", "notes");
    site.build(&[]).ok();
    let page = site.page("public/posts/trip/index.html");
    // Relative links in a bundle point to its assets; written root-relative, they also work
    // where the text is shown on other pages (summaries on the home page, feeds).
    assert_eq!(
        page.attr(".page-content img", "src"),
        "/posts/trip/photos/view.svg"
    );
    assert_eq!(
        page.attr(".page-content a[href$='.txt']", "href"),
        "/posts/trip/notes.txt"
    );
    assert_eq!(page.attr("figure.cover img", "src"), "/posts/trip/map.svg");
    for asset in ["map.svg", "photos/view.svg", "notes.txt"] {
        assert!(
            site.path(&format!("public/posts/trip/{asset}")).is_file(),
            "{asset}"
        );
    }
    let home = site.page("public/index.html");
    assert!(
        home.attrs(".page-item img", "src")
            .contains(&"/posts/trip/map.svg".to_string())
    );
}

#[test]
fn links_between_content_files_become_urls() {
    let site = TestSite::new()
        .write("content/about.md", "+++\ntitle = \"About\"\n+++\nRead [the post](posts/first.md), [rooted](@/posts/first.md#part-one) or [Ann](authors/ann.md).\n")
        .write("content/posts/second.md", "+++\ntitle = \"Second\"\n+++\n[Up](../about.md) and [down](#local).\n\n## Local\n");
    site.build(&[]).ok();
    let about = site.page("public/about/index.html");
    assert_eq!(
        about.attrs(".page-content a", "href"),
        ["/posts/first/", "/posts/first/#part-one", "/authors/ann/"]
    );
    let second = site.page("public/posts/second/index.html");
    assert_eq!(
        second.attrs(".page-content p a", "href"),
        ["/about/", "#local"]
    );
}

#[test]
fn toml_and_yaml_front_matter_both_work_with_crlf_and_bom() {
    let site = TestSite::new()
        .write(
            "content/posts/yaml.md",
            "---\ntitle: From YAML\ndate: 2024-06-01\nauthor: ann\ntags: [a, b]\n---\nYAML body.\n",
        )
        .write(
            "content/posts/windows.md",
            "\u{feff}+++\r\ntitle = \"Windows\"\r\n+++\r\nLine one\r\n\r\n## Heading\r\n",
        );
    site.build(&[]).ok();
    assert_eq!(
        site.page("public/posts/yaml/index.html")
            .text("h1.page-title"),
        "From YAML"
    );
    let windows = site.page("public/posts/windows/index.html");
    assert_eq!(windows.text("h1.page-title"), "Windows");
    assert_eq!(windows.attrs(".page-content h2", "id"), ["heading"]);
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = TestSite::new().write(
        "content/posts/wip.md",
        "+++\ntitle = \"WIP\"\ndraft = true\n+++\nSoon.\n",
    );
    site.build(&[]).ok();
    assert!(!site.path("public/posts/wip/index.html").exists());
    assert_eq!(site.page("public/index.html").all(".page-item").len(), 1);
    site.build(&["--drafts"]).ok();
    let draft = site.page("public/posts/wip/index.html");
    assert_eq!(draft.text(".draft-badge"), "Draft");
}

#[test]
fn sections_list_their_pages_newest_first_and_home_lists_all() {
    let site = TestSite::new()
        .write(
            "content/posts/older.md",
            "+++\ntitle = \"Older\"\ndate = 2020-01-01\n+++\n",
        )
        .write(
            "content/posts/newest.md",
            "+++\ntitle = \"Newest\"\ndate = 2025-01-01\n+++\n",
        )
        .write(
            "content/notes/_index.md",
            "+++\ntitle = \"Field notes\"\nsort_by = \"title\"\n+++\nShort notes.\n",
        )
        .write("content/notes/b.md", "+++\ntitle = \"Beta\"\n+++\n")
        .write("content/notes/a.md", "+++\ntitle = \"Alpha\"\n+++\n");
    site.build(&[]).ok();
    let posts = site.page("public/posts/index.html");
    assert_eq!(
        posts.texts(".page-item-title"),
        ["Newest", "First post", "Older"]
    );
    let notes = site.page("public/notes/index.html");
    assert_eq!(notes.text("h1"), "Field notes");
    assert_eq!(notes.texts(".page-item-title"), ["Alpha", "Beta"]);
    let home = site.page("public/index.html");
    assert_eq!(
        home.texts(".page-item-title"),
        ["Newest", "First post", "Older", "Alpha", "Beta"]
    );
    let nav: Vec<String> = home.texts(".site-nav a");
    assert!(
        nav.contains(&"Field notes".to_string()) && nav.contains(&"Posts".to_string()),
        "{nav:?}"
    );
}

#[test]
fn markdown_extensions_render() {
    let site = TestSite::new().write(
        "content/posts/md.md",
        "+++\ntitle = \"Markdown\"\n+++\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ text[^1]\n\n- [x] done\n- [ ] todo\n\n> [!WARNING]\n> Careful.\n\n[^1]: A footnote.\n",
    );
    site.build(&[]).ok();
    let page = site.page("public/posts/md/index.html");
    assert_eq!(page.texts(".page-content td"), ["1", "2"]);
    assert_eq!(page.text(".page-content del"), "old");
    assert_eq!(
        page.all(".page-content input[type=checkbox][checked]")
            .len(),
        1
    );
    assert_eq!(page.text(".alert-warning .alert-title"), "Warning");
    assert_eq!(page.all(".footnote-definition").len(), 1);
}

#[test]
fn unknown_front_matter_keys_warn_but_build() {
    let site = TestSite::new().write(
        "content/posts/typo.md",
        "+++\ntitle = \"Typo\"\ndescripton = \"x\"\n+++\n",
    );
    let run = site.build(&[]).ok();
    assert_eq!(
        run.stderr,
        "warning: content/posts/typo.md:3:1: front matter key `descripton` is not used by serum\n  help: did you mean `description`?\n"
    );
}

#[test]
fn init_creates_a_site_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let run = serum(dir.path(), &["init", "blog"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    let run = serum(dir.path(), &["build", "--root", "blog"]).ok();
    assert!(
        run.stdout
            .starts_with("Built 1 page, 1 section, 1 author and "),
        "{}",
        run.stdout
    );
    let html = Page(scraper::Html::parse_document(
        &std::fs::read_to_string(dir.path().join("blog/public/posts/hello-serum/index.html"))
            .unwrap(),
    ));
    assert_eq!(html.text("h1.page-title"), "Hello, serum");
    assert_eq!(html.text(".byline-role"), "Writer");
    let again = serum(dir.path(), &["init", "blog"]);
    assert_eq!(again.status, Some(1));
}

#[test]
fn help_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let help = serum(dir.path(), &["--help"]);
    assert_eq!(help.status, Some(0));
    for command in ["build", "init"] {
        assert!(help.stdout.contains(command), "{}", help.stdout);
    }
    // tests/version.rs checks the commit it names.
    let version = serum(dir.path(), &["--version"]);
    assert!(
        version
            .stdout
            .starts_with(&format!("serum {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        version.stdout
    );
}

/// Every file under a folder with its modification time.
fn modified_times(
    dir: &std::path::Path,
) -> std::collections::BTreeMap<String, std::time::SystemTime> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, e.metadata().unwrap().modified().unwrap())
        })
        .collect()
}

#[test]
fn a_rebuild_with_nothing_changed_does_nothing() {
    let site = TestSite::new();
    site.build(&[]).ok();
    let before = modified_times(&site.path("public"));
    let run = site.build(&[]).ok();
    assert!(
        run.stdout
            .starts_with("Nothing changed since the last build: public/ is up to date ("),
        "{}",
        run.stdout
    );
    assert_eq!(modified_times(&site.path("public")), before);
    // Other options are another build.
    let run = site.build(&["--drafts"]).ok();
    assert!(run.stdout.starts_with("Built "), "{}", run.stdout);
}

#[test]
fn a_rebuild_skips_editor_leftovers_in_content_but_not_a_new_folder() {
    let site = TestSite::new();
    site.build(&[]).ok();
    let nothing = "Nothing changed since the last build: public/ is up to date (";
    let site = site.write("content/posts/.first.md.swp", "an editor's swap file");
    let run = site.build(&[]).ok();
    assert!(run.stdout.starts_with(nothing), "{}", run.stdout);
    // An empty folder is a section of its own: a page more.
    std::fs::create_dir(site.path("content/notes")).unwrap();
    let run = site.build(&[]).ok();
    assert!(run.stdout.starts_with("Built "), "{}", run.stdout);
    assert!(site.path("public/notes/index.html").is_file());
    let run = site.build(&[]).ok();
    assert!(run.stdout.starts_with(nothing), "{}", run.stdout);
}

#[test]
fn a_rebuild_rewrites_only_the_files_whose_bytes_changed() {
    let site = TestSite::new().write(
        "content/posts/second.md",
        "+++\ntitle = \"Second\"\n+++\nUntouched.\n",
    );
    site.build(&[]).ok();
    let before = modified_times(&site.path("public"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let site = site.write(
        "content/posts/first.md",
        "+++\ntitle = \"First post\"\ndate = 2024-05-01\nauthor = \"ann\"\n+++\nHello there, again.\n\n## Part one\n\nText.\n",
    );
    site.build(&[]).ok();
    let after = modified_times(&site.path("public"));
    // The search index names its chunks by their content: an edit renames the ones it reaches.
    let named = |times: &std::collections::BTreeMap<String, _>| -> Vec<String> {
        let chunk = |p: &str| p.starts_with("pagefind/") && p.contains(".pf_");
        times.keys().filter(|p| !chunk(p)).cloned().collect()
    };
    assert_eq!(named(&before), named(&after));
    let changed: Vec<&String> = after
        .keys()
        .filter(|path| before.get(*path) != Some(&after[*path]))
        .collect();
    assert!(
        changed.contains(&&"posts/first/index.html".to_string()),
        "{changed:?}"
    );
    assert!(
        !changed.contains(&&"posts/second/index.html".to_string()),
        "{changed:?}"
    );
    assert!(!changed.iter().any(|p| p.ends_with(".css")), "{changed:?}");
    assert!(
        !changed.contains(&&"pagefind/pagefind.js".to_string()),
        "{changed:?}"
    );
}

#[test]
fn static_dot_files_that_hosts_read_are_published_but_editor_leftovers_are_not() {
    let site = TestSite::new()
        .write("static/.nojekyll", "")
        .write("static/.well-known/security.txt", "Contact: mailto:a@b.c\n")
        .write("static/notes.txt~", "backup")
        .write("static/.notes.txt.swp", "swap");
    site.build(&[]).ok();
    assert!(site.path("public/.nojekyll").is_file());
    assert_eq!(
        site.read("public/.well-known/security.txt"),
        "Contact: mailto:a@b.c\n"
    );
    assert!(!site.path("public/notes.txt~").exists());
    assert!(!site.path("public/.notes.txt.swp").exists());
}

/// The lines of `--timings`: each step's name and its figures (wall, user and system
/// milliseconds, MiB in use); the search index's parts, which ran beside other steps, have
/// their wall time alone.
fn timing_lines(stderr: &str) -> Vec<(String, Vec<f64>)> {
    stderr
        .lines()
        .map(|line| {
            let (name, rest) = line.split_once(": ").expect(line);
            let units = [" ms", " ms user", " ms system", " MiB in use"];
            let figures: Vec<f64> = rest
                .split(", ")
                .zip(units)
                .map(|(field, unit)| {
                    let value = field.trim().strip_suffix(unit).expect(line);
                    value.trim().parse().expect(line)
                })
                .collect();
            assert_eq!(figures.len(), rest.split(", ").count(), "{line}");
            let name = name.trim().to_string();
            let expected = if name.starts_with("index ") { 1 } else { 4 };
            assert_eq!(figures.len(), expected, "{line}");
            (name, figures)
        })
        .collect()
}

#[test]
fn timings_show_each_step_with_its_wall_time_cpu_time_and_memory() {
    // Enough articles for the work between two steps' code to show (about 6 ms of it in a
    // release build when it was left out of every step).
    let site = (0..1000).fold(TestSite::new(), |site, i| {
        site.write(
            &format!("content/posts/p{i}.md"),
            format!(
                "+++\ntitle = \"Post {i}\"\ndate = 2024-05-01\n+++\nSee [the first](@/posts/first.md).\n"
            ),
        )
    });
    let run = site.build(&["--timings"]).ok();
    let lines = timing_lines(&run.stderr);
    let names: Vec<&str> = lines.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "load",
            "related",
            "markdown and its images",
            "covers and summaries",
            "static files",
            "feeds and sitemap",
            "pages",
            "listings",
            "search index",
            "index records",
            "index files",
            "images",
            "swap in"
        ]
    );
    let with_cpu = lines.iter().filter(|(_, figures)| figures.len() == 4);
    // The build did some work, and its steps say how much, and hold some memory.
    let cpu: f64 = with_cpu.clone().map(|(_, f)| f[1] + f[2]).sum();
    assert!(cpu > 0.0, "{}", run.stderr);
    assert!(with_cpu.clone().all(|(_, f)| f[3] > 0.0), "{}", run.stderr);
    assert!(run.stdout.starts_with("Built "), "{}", run.stdout);
    // The steps follow one another and cover the whole build, what runs between two steps'
    // code included: their times add up to the total (in whole milliseconds, the steps' to a
    // tenth each; the search index's parts run beside them and are not counted).
    let total: f64 = (run.stdout.trim_end().strip_suffix(" ms"))
        .and_then(|s| s.rsplit_once(" in "))
        .and_then(|(_, ms)| ms.parse().ok())
        .expect(&run.stdout);
    let steps: Vec<f64> = with_cpu.map(|(_, f)| f[0]).collect();
    let sum: f64 = steps.iter().sum();
    let rounding = 0.05 * steps.len() as f64;
    assert!(
        total - rounding <= sum && sum <= total + 1.0 + rounding,
        "the steps take {sum} ms of a {total} ms build\n{}",
        run.stderr
    );
}

#[test]
fn timings_count_only_the_build_s_cpu_time_when_another_program_started_the_process() {
    // `cargo run` replaces itself with serum, and the process keeps the CPU time cargo used:
    // here a shell counts for a third of a second first, then does the same.
    let site = TestSite::new();
    let script = format!(
        "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; exec '{}' build --timings",
        env!("CARGO_BIN_EXE_serum")
    );
    let output = std::process::Command::new("sh")
        .args(["-c", &script])
        .current_dir(site.path("."))
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    for (name, figures) in timing_lines(&stderr) {
        if let [wall, user, system, _] = figures[..] {
            // No step's threads can have run longer than the step on every core at once
            // (with a few milliseconds for the readings' own granularity).
            assert!(
                user + system <= wall * cores + 20.0,
                "{name}: {wall} ms wall, {user} ms user, {system} ms system\n{stderr}"
            );
        }
    }
}
