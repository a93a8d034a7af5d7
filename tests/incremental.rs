//! Incremental builds: a rebuild after any kind of change writes only what changed, and what it
//! publishes is byte for byte what a clean build of the same sources publishes.

mod common;

use std::collections::BTreeMap;

use common::{TestSite, snapshot};

/// A site with a few sections, authors, tags, a bundle with an image, a static file and a
/// template of its own.
fn site() -> TestSite {
    let mut site = TestSite::new()
        .with_repo_themes()
        .write(
            "serum.toml",
            "title = \"Glow\"\nbase_url = \"https://example.com/\"\ntheme = \"default\"\n",
        )
        .write("content/authors/bo.md", "+++\nname = \"Bo Ek\"\nrole = \"Writer\"\n+++\nBo writes.\n")
        .write("content/guides/_index.md", "+++\ntitle = \"Guides\"\nsort_by = \"title\"\n+++\nHow-tos.\n")
        .write("static/notes.txt", "notes v1")
        .write("templates/404.html", "{% extends \"base.html\" %}{% block content %}<p>Lost.</p>{% endblock content %}")
        .write(
            "content/guides/photo/index.md",
            "+++\ntitle = \"Photo\"\ndate = 2024-03-01\nauthor = \"bo\"\ntags = [\"spf\"]\n+++\nSee ![a pixel](pixel.svg).\n",
        )
        .write(
            "content/guides/photo/pixel.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 2 1\"><rect width=\"2\" height=\"1\"/></svg>",
        );
    for i in 0..12 {
        let section = if i % 2 == 0 { "posts" } else { "guides" };
        let author = if i % 3 == 0 { "bo" } else { "ann" };
        site = site.write(
            &format!("content/{section}/p{i:02}.md"),
            format!(
                "+++\ntitle = \"Post {i}\"\ndate = 2024-01-{:02}\nauthor = \"{author}\"\ntags = [\"t{}\", \"spf\"]\n+++\nBody of post {i}, with a [link](p{:02}.md).\n\n## Part\n\nMore.\n",
                i + 1,
                i % 4,
                i
            ),
        );
    }
    site
}

/// Every published file but the marker, whose generation differs from build to build.
fn published(site: &TestSite, dir: &str) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(&site.path(dir));
    files.remove(".serum-output").expect("the marker is there");
    files
}

/// Builds incrementally into public/ and cleanly into a fresh folder, and checks they agree;
/// returns the incremental build's summary line.
#[track_caller]
fn rebuild_matches_a_clean_build(site: &TestSite, clean: &str) -> String {
    let run = site.build(&[]).ok();
    site.build(&["--output", site.path(clean).to_str().unwrap()])
        .ok();
    let (incremental, whole) = (published(site, "public"), published(site, clean));
    let differ: Vec<&String> = whole
        .keys()
        .chain(incremental.keys())
        .filter(|path| incremental.get(*path) != whole.get(*path))
        .collect();
    assert!(
        differ.is_empty(),
        "{clean}: differs from a clean build: {differ:?}"
    );
    run.stdout
}

/// How many files a build wrote, from its summary line.
fn written(summary: &str) -> usize {
    let (_, rest) = summary
        .split_once(" (")
        .expect("a rebuild says what it kept");
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn every_kind_of_change_rebuilds_to_what_a_clean_build_makes() {
    let site = site();
    site.build(&[]).ok();
    let total = snapshot(&site.path("public")).len();
    let index = snapshot(&site.path("public/pagefind"));

    let site = site.write(
        "content/posts/p00.md",
        "+++\ntitle = \"Post 0\"\ndate = 2024-01-01\nauthor = \"bo\"\ntags = [\"t0\", \"spf\"]\n+++\nBody of post 0, with a [link](p00.md).\n\n## Part\n\nLess.\n",
    );
    let line = rebuild_matches_a_clean_build(&site, "clean-body");
    let reindexed = snapshot(&site.path("public/pagefind"))
        .into_iter()
        .filter(|(path, bytes)| index.get(path) != Some(bytes))
        .count();
    assert!(
        (1..=5).contains(&reindexed),
        "the search index changes where the page's text is, not as a whole: {reindexed} files"
    );
    assert_eq!(
        written(&line),
        4 + reindexed,
        "an edit below the summary rewrites the page, the three feeds that carry it and the index files its text is in: {line}"
    );

    let site = site.write(
        "content/posts/p02.md",
        "+++\ntitle = \"Post two, renamed\"\ndate = 2024-01-03\nauthor = \"ann\"\ntags = [\"t2\", \"spf\"]\n+++\nBody of post 2, with a [link](p02.md).\n\n## Part\n\nMore.\n",
    );
    let line = rebuild_matches_a_clean_build(&site, "clean-title");
    assert!(written(&line) < total / 2, "{line}");

    // Post 2 moves from t2 to t1, which post 1 carries: post 1's related articles follow.
    let related = |site: &TestSite| {
        site.page("public/guides/p01/index.html")
            .attrs(".related a", "href")
    };
    assert!(!related(&site).contains(&"/posts/p02/".to_string()));
    let site = site.write(
        "content/posts/p02.md",
        "+++\ntitle = \"Post two, renamed\"\ndate = 2024-01-03\nauthor = \"ann\"\ntags = [\"t1\", \"spf\"]\n+++\nBody of post 2, with a [link](p02.md).\n\n## Part\n\nMore.\n",
    );
    rebuild_matches_a_clean_build(&site, "clean-terms");
    assert!(
        related(&site).contains(&"/posts/p02/".to_string()),
        "{:?}",
        related(&site)
    );

    let site = site.write(
        "content/authors/ann.md",
        "+++\nname = \"Ann Lee-Smith\"\nrole = \"Editor\"\n+++\nAnn edits.\n",
    );
    rebuild_matches_a_clean_build(&site, "clean-author");

    let site = site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<p>Gone.</p>{% endblock content %}",
    );
    let line = rebuild_matches_a_clean_build(&site, "clean-template");
    assert_eq!(
        written(&line),
        1,
        "only 404.html uses that template: {line}"
    );

    let site = site.write(
        "themes/default/templates/partials/author-card.html",
        "<aside class=\"author-card\">{{ author.name }}</aside>",
    );
    rebuild_matches_a_clean_build(&site, "clean-theme-partial");

    let site = site.write(
        "serum.toml",
        "title = \"Glow Notes\"\nbase_url = \"https://example.com/\"\ntheme = \"default\"\n",
    );
    rebuild_matches_a_clean_build(&site, "clean-config");

    let site = site.write("static/notes.txt", "notes v2");
    let line = rebuild_matches_a_clean_build(&site, "clean-static");
    assert_eq!(written(&line), 1, "{line}");

    let site = site.write(
        "content/guides/photo/pixel.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 1\"><rect width=\"4\" height=\"1\"/></svg>",
    );
    rebuild_matches_a_clean_build(&site, "clean-asset");

    let site = site.remove("content/posts/p04.md");
    rebuild_matches_a_clean_build(&site, "clean-deleted");
    assert!(!site.path("public/posts/p04/index.html").exists());

    let site = site.write(
        "content/posts/new.md",
        "+++\ntitle = \"New\"\ndate = 2024-02-01\nauthor = \"ann\"\n+++\nLinks to [post 0](p00.md).\n",
    );
    rebuild_matches_a_clean_build(&site, "clean-added");

    let site = site.remove("content/guides/_index.md");
    rebuild_matches_a_clean_build(&site, "clean-section");
}

#[test]
fn translations_and_strings_are_part_of_the_keys() {
    let site = site().write(
        "serum.toml",
        "title = \"Glow\"\nbase_url = \"https://example.com/\"\ntheme = \"default\"\n[languages.fr]\ntitle = \"Éclat\"\n",
    );
    site.build(&[]).ok();
    let total = snapshot(&site.path("public")).len();

    // A new translation: the page appears, and its original now points at it.
    let site = site.write(
        "content/posts/p00.fr.md",
        "+++\ntitle = \"Billet 0\"\ndate = 2024-01-01\nauthor = \"bo\"\n+++\nCorps, avec un [lien](p02.md).\n",
    );
    rebuild_matches_a_clean_build(&site, "clean-translation");
    let english = site.read("public/posts/p00/index.html");
    assert!(english.contains("hreflang=\"fr\""), "{english}");

    // Its target gets a French version: the French link now leads there.
    let site = site.write(
        "content/posts/p02.fr.md",
        "+++\ntitle = \"Billet 2\"\ndate = 2024-01-03\nauthor = \"ann\"\n+++\nCorps.\n",
    );
    rebuild_matches_a_clean_build(&site, "clean-link-target");
    assert!(
        site.read("public/fr/posts/p00/index.html")
            .contains("href=\"/fr/posts/p02/\"")
    );

    // A site string in French re-renders French pages only.
    let site = site.write("i18n/fr.toml", "by = \"Signé\"\n");
    let line = rebuild_matches_a_clean_build(&site, "clean-strings");
    assert!(written(&line) < total / 2, "{line}");
    assert!(
        site.read("public/fr/posts/p00/index.html")
            .contains("Signé")
    );

    let site = site.write(
        "content/authors/bo.fr.md",
        "+++\nrole = \"Rédacteur\"\n+++\n",
    );
    rebuild_matches_a_clean_build(&site, "clean-author-translation");
    assert!(
        site.read("public/fr/posts/p00/index.html")
            .contains("Rédacteur")
    );
}

#[test]
fn a_failed_rebuild_keeps_the_site_and_the_next_one_recovers() {
    let site = site();
    site.build(&[]).ok();
    let before = published(&site, "public");
    let site = site.write(
        "content/posts/p00.md",
        "+++\ntitle = \"Post 0\"\n+++\nA [broken](nowhere.md) link.\n",
    );
    site.build(&[]).fails();
    assert!(published(&site, "public") == before);
    let site = site.write(
        "content/posts/p00.md",
        "+++\ntitle = \"Post 0 fixed\"\n+++\nA fixed page.\n",
    );
    rebuild_matches_a_clean_build(&site, "clean-fixed");
}

#[test]
fn files_put_in_the_output_by_hand_do_not_come_back() {
    let site = site();
    site.build(&[]).ok();
    let mut site = site.write("public/stray.txt", "not the site's");
    for i in 0..3 {
        site = site.write("static/notes.txt", format!("notes v{}", i + 10));
        site.build(&[]).ok();
        assert!(
            !site.path("public/stray.txt").exists(),
            "build {i} published a file the site does not have"
        );
    }
}

#[test]
fn a_deleted_cache_means_a_full_build_with_the_same_result() {
    let site = site();
    site.build(&[]).ok();
    std::fs::remove_dir_all(site.path(".serum-cache")).unwrap();
    let site = site.write("static/notes.txt", "changed");
    let line = site.build(&[]).ok().stdout;
    assert!(
        !line.contains("unchanged"),
        "nothing is known to keep: {line}"
    );
    rebuild_matches_a_clean_build(&site, "clean-again");
}

#[test]
fn an_edited_shortcode_template_renders_the_pages_that_use_it_again() {
    let site = site()
        .write("templates/shortcodes/tip.html", "<aside class=\"tip\">{{ text }}</aside>")
        .write(
            "content/posts/p00.md",
            "+++\ntitle = \"Post 0\"\ndate = 2024-01-01\nauthor = \"bo\"\n+++\nBody.\n\n{{ tip(text=\"Wear sunscreen.\") }}\n\n{{ figure(src=\"@/guides/photo/pixel.svg\", alt=\"A pixel\") }}\n",
        );
    site.build(&[]).ok();
    let site = site.write(
        "templates/shortcodes/tip.html",
        "<aside class=\"tip\"><strong>Tip:</strong> {{ text }}</aside>",
    );
    let line = rebuild_matches_a_clean_build(&site, "clean-shortcode");
    assert!(
        site.read("public/posts/p00/index.html")
            .contains("<strong>Tip:</strong> Wear sunscreen."),
        "{line}"
    );
    assert_eq!(
        written(&line),
        4,
        "the page using it and the three feeds carrying it: {line}"
    );

    let site = site.write(
        "templates/shortcodes/figure.html",
        "<figure class=\"mine\"><img src=\"{{ src }}\" alt=\"{{ alt }}\"></figure>",
    );
    rebuild_matches_a_clean_build(&site, "clean-shortcode-override");
    assert!(
        site.read("public/posts/p00/index.html")
            .contains("<figure class=\"mine\">")
    );

    let site = site.remove("templates/shortcodes/figure.html");
    rebuild_matches_a_clean_build(&site, "clean-shortcode-removed");
    assert!(
        site.read("public/posts/p00/index.html")
            .contains("width=\"2\" height=\"1\"")
    );
    let site = site.write(
        "content/guides/photo/pixel.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 1\"><rect width=\"4\" height=\"1\"/></svg>",
    );
    rebuild_matches_a_clean_build(&site, "clean-figure-image");
    assert!(
        site.read("public/posts/p00/index.html")
            .contains("width=\"4\" height=\"1\""),
        "the figure has the image's new size"
    );
}
