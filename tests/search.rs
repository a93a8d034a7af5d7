//! Site search: the Pagefind index a build makes from its own pages, the search page and the
//! search box, and `search = false`. What a reader sees when searching is in tests/browser.rs.

mod common;

use std::collections::BTreeMap;
use std::io::Read;

use common::{TestSite, serum, snapshot};
use serde_json::{Value, json};

/// One page as the index holds it: Pagefind's fragment file, unpacked.
fn records(site: &TestSite, public: &str) -> BTreeMap<String, Value> {
    let dir = site.path(&format!("{public}/pagefind/fragment"));
    let mut records = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let packed = std::fs::read(entry.unwrap().path()).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(packed.as_slice())
            .read_to_string(&mut text)
            .unwrap();
        let record: Value =
            serde_json::from_str(text.strip_prefix("pagefind_dcd").unwrap()).unwrap();
        records.insert(record["url"].as_str().unwrap().to_string(), record);
    }
    records
}

/// A site with one page of each kind the index must leave out, beside two it must hold.
fn site_with_every_kind_of_page() -> TestSite {
    TestSite::new()
        .write(
            "serum.toml",
            "title = \"Glow\"\nbase_url = \"https://example.com/\"\npaginate_by = 1\n",
        )
        .write("content/posts/_index.md", "+++\ntitle = \"Posts\"\n+++\n")
        .write(
            "content/posts/first.md",
            "+++\ntitle = \"First post\"\ndate = 2024-05-01\nauthor = \"ann\"\ntags = [\"retinol\", \"spf\"]\naliases = [\"/old/first/\"]\n+++\nHello there, `<b>` & <i>friends</i>.\n\n## Part one\n\nZephyrine text.\n",
        )
        .write(
            "content/about.md",
            "+++\ntitle = \"About\"\n+++\nWho we are.\n",
        )
        .write(
            "content/posts/hidden.md",
            "+++\ntitle = \"Hidden\"\ndate = 2024-04-01\nnoindex = true\n+++\nQuokkaberry.\n",
        )
        .write(
            "content/posts/draft.md",
            "+++\ntitle = \"Draft\"\ndate = 2024-04-02\ndraft = true\n+++\nMarmaladine.\n",
        )
        .write(
            "content/posts/later.md",
            "+++\ntitle = \"Later\"\ndate = 2999-01-01\n+++\nFuturissimo.\n",
        )
}

#[test]
fn the_index_holds_each_findable_page_and_no_draft_noindex_scheduled_redirect_or_listing() {
    let site = site_with_every_kind_of_page();
    // Drafts and scheduled pages are published with these flags, yet still never indexed.
    site.build(&["--drafts", "--future"]).ok();
    assert!(site.path("public/posts/draft/index.html").exists());
    assert!(site.path("public/posts/later/index.html").exists());
    assert!(site.path("public/posts/page/2/index.html").exists());
    assert!(site.path("public/old/first/index.html").exists());
    let records = records(&site, "public");
    assert_eq!(
        records.keys().collect::<Vec<_>>(),
        ["/about/", "/posts/first/"]
    );
    let first = &records["/posts/first/"];
    assert_eq!(
        first["meta"],
        json!({
            "title": "First post",
            "author": "Ann Lee",
            "date": "2024-05-01",
            // As bylines write it: the search page shows it without formatting dates itself.
            "date_text": "May 1, 2024",
            "section": "Posts"
        })
    );
    assert_eq!(
        first["filters"],
        json!({ "author": ["Ann Lee"], "section": ["Posts"], "tags": ["retinol", "spf"] })
    );
    // The text as HTML text, as Pagefind reads pages: excerpts of it are safe HTML.
    assert_eq!(
        first["content"],
        json!("Hello there, &lt;b&gt; &amp; friends. Part one Zephyrine text.")
    );
    assert_eq!(records["/about/"]["meta"], json!({ "title": "About" }));
    assert_eq!(records["/about/"]["filters"], json!({}));
}

#[test]
fn pagefind_files_are_published_under_pagefind_without_its_own_interfaces() {
    let site = TestSite::new();
    site.build(&[]).ok();
    let files: Vec<String> = snapshot(&site.path("public/pagefind"))
        .into_keys()
        .filter(|f| !f.contains('/'))
        .collect();
    let names: Vec<String> = files
        .iter()
        .map(|f| match f.strip_prefix("pagefind.en_") {
            Some(_) => "pagefind.en_<hash>.pf_meta".to_string(),
            None => f.clone(),
        })
        .collect();
    assert_eq!(
        names,
        [
            "pagefind-entry.json",
            "pagefind-worker.js",
            "pagefind.en_<hash>.pf_meta",
            "pagefind.js",
            "wasm.en.pagefind",
            "wasm.unknown.pagefind"
        ]
    );
    let entry: Value =
        serde_json::from_str(&site.read("public/pagefind/pagefind-entry.json")).unwrap();
    assert_eq!(entry["languages"]["en"]["page_count"], json!(1));
}

#[test]
fn every_page_links_to_the_search_page_and_none_but_it_loads_a_script() {
    let site = TestSite::new();
    site.build(&[]).ok();
    for page in [
        "public/index.html",
        "public/posts/first/index.html",
        "public/404.html",
    ] {
        let html = site.page(page);
        assert_eq!(
            html.attr("header nav a.site-search", "href"),
            "/search/",
            "{page}"
        );
        assert_eq!(html.text("header nav a.site-search"), "Search", "{page}");
        assert_eq!(html.all("script[src]").len(), 0, "{page}");
    }
    let search = site.page("public/search/index.html");
    assert_eq!(
        search.attr("header nav a.site-search", "aria-current"),
        "page"
    );
}

#[test]
fn the_search_page_has_a_labelled_form_a_results_list_and_a_noscript_note_in_both_themes() {
    for theme in ["default", "mono"] {
        let site = TestSite::new().with_repo_themes();
        site.build(&["--theme", theme]).ok();
        let page = site.page("public/search/index.html");
        assert_eq!(
            page.attr("main form[role=search]", "action"),
            "/search/",
            "{theme}"
        );
        let input = page.one("main form[role=search] input[name=q]");
        assert_eq!(input.value().attr("type"), Some("search"), "{theme}");
        let id = input.value().attr("id").unwrap();
        assert!(
            !page.text(&format!("label[for={id}]")).is_empty(),
            "{theme}"
        );
        assert_eq!(page.all("ol.search-results").len(), 1, "{theme}");
        assert_eq!(page.all("[role=status]").len(), 1, "{theme}");
        assert!(
            page.text("noscript").contains("Search needs JavaScript"),
            "{theme}"
        );
        assert_eq!(
            page.attr("[data-index]", "data-index"),
            "/pagefind/",
            "{theme}"
        );
        // Its own script, from this site: no other host.
        let script = page.attr("script[type=module]", "src");
        assert!(
            script.starts_with("/search.") && script.ends_with(".js"),
            "{script}"
        );
        assert!(site.path(&format!("public{script}")).exists(), "{theme}");
        assert_eq!(page.all("form[role=search]").len(), 1, "{theme}");
    }
}

#[test]
fn a_site_under_a_sub_path_searches_under_it() {
    let site = TestSite::new().write(
        "serum.toml",
        "title = \"T\"\nbase_url = \"https://example.com/blog/\"\n",
    );
    site.build(&[]).ok();
    assert_eq!(
        records(&site, "public").keys().collect::<Vec<_>>(),
        ["/blog/posts/first/"]
    );
    let search = site.page("public/search/index.html");
    assert_eq!(search.attr("[data-index]", "data-index"), "/blog/pagefind/");
    let home = site.page("public/index.html");
    assert_eq!(home.attr("a.site-search", "href"), "/blog/search/");
}

#[test]
fn search_false_publishes_no_index_no_search_page_and_no_box() {
    let site = TestSite::new().write("serum.toml", format!("{}search = false\n", common::CONFIG));
    site.build(&[]).ok();
    assert!(!site.path("public/pagefind").exists());
    assert!(!site.path("public/search").exists());
    for page in ["public/index.html", "public/posts/first/index.html"] {
        assert_eq!(site.page(page).all("a.site-search").len(), 0, "{page}");
    }
    // A page may then live at /search/.
    let site = site.write(
        "content/search.md",
        "+++\ntitle = \"Search tips\"\n+++\nTips.\n",
    );
    site.build(&[]).ok();
    assert_eq!(
        site.page("public/search/index.html").text("h1"),
        "Search tips"
    );
}

#[test]
fn content_where_search_is_published_is_an_error_while_search_is_on() {
    let site = TestSite::new()
        .write(
            "serum.toml",
            format!("{}\n[languages.fr]\ntitle = \"Éclat\"\n", common::CONFIG),
        )
        .write(
            "content/search.md",
            "+++\ntitle = \"Search tips\"\n+++\nTips.\n",
        )
        .write(
            "content/search.fr.md",
            "+++\ntitle = \"Astuces\"\n+++\nAstuces.\n",
        )
        .write("content/pagefind/notes.txt", "mine");
    let message = site.build(&[]).fails();
    assert_eq!(
        message,
        "error: content/pagefind: this would be published at /pagefind/, where the search index is\n  \
         help: rename it (or give the page another `slug`), or turn search off with `search = false` in serum.toml\n\
         error: content/pagefind/notes.txt: this would be published at /pagefind/notes.txt, where the search index is\n  \
         help: rename it (or give the page another `slug`), or turn search off with `search = false` in serum.toml\n\
         error: content/search.fr.md: this would be published at /fr/search/, where the search page is\n  \
         help: rename it (or give the page another `slug`), or turn search off with `search = false` in serum.toml\n\
         error: content/search.md: this would be published at /search/, where the search page is\n  \
         help: rename it (or give the page another `slug`), or turn search off with `search = false` in serum.toml\n\
         error: 4 problems found\n"
    );
}

#[test]
fn a_theme_without_a_search_page_is_warned_about_and_the_site_still_builds() {
    let site = TestSite::new()
        .with_repo_themes()
        .remove("themes/mono/templates/search.html");
    let run = site.build(&["--theme", "mono"]).ok();
    assert_eq!(
        run.stderr,
        "warning: the theme `mono` has no template `search.html`, so the site has a search index but no search page\n  \
         help: add templates/search.html (the default theme's is a start), or turn search off with `search = false` in serum.toml\n"
    );
    assert!(!site.path("public/search").exists());
    assert!(site.path("public/pagefind/pagefind.js").exists());
}

#[test]
fn a_rebuild_with_no_page_changed_keeps_the_index_and_an_edit_reindexes_that_page() {
    let site = TestSite::new().write(
        "content/posts/second.md",
        "+++\ntitle = \"Second\"\ndate = 2024-05-02\n+++\nOrdinary words.\n",
    );
    site.build(&[]).ok();
    let before = snapshot(&site.path("public/pagefind"));
    let stamp = |site: &TestSite| {
        std::fs::metadata(site.path("public/pagefind/pagefind.js"))
            .unwrap()
            .modified()
            .unwrap()
    };
    let first_stamp = stamp(&site);
    // The home page's intro is on no indexed page: the index stays as it was, file for file.
    let site = site.write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nHello again.\n",
    );
    site.build(&[]).ok();
    assert!(snapshot(&site.path("public/pagefind")) == before);
    assert_eq!(stamp(&site), first_stamp);

    let site = site.write(
        "content/posts/second.md",
        "+++\ntitle = \"Second\"\ndate = 2024-05-02\n+++\nOrdinary words, and xylophonic ones.\n",
    );
    site.build(&[]).ok();
    let records = records(&site, "public");
    assert_eq!(
        records["/posts/second/"]["content"],
        json!("Ordinary words, and xylophonic ones.")
    );
    // Pagefind's script and WebAssembly did not change, so they were not written again.
    assert_eq!(stamp(&site), first_stamp);
    // And the index is what a clean build makes.
    site.build(&["--output", site.path("clean").to_str().unwrap()])
        .ok();
    assert!(snapshot(&site.path("public/pagefind")) == snapshot(&site.path("clean/pagefind")));
}

/// The language of each record, by URL: Pagefind names its files after their language.
fn record_languages(site: &TestSite) -> BTreeMap<String, String> {
    let dir = site.path("public/pagefind/fragment");
    let mut languages = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let packed = std::fs::read(entry.path()).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(packed.as_slice())
            .read_to_string(&mut text)
            .unwrap();
        let record: Value =
            serde_json::from_str(text.strip_prefix("pagefind_dcd").unwrap()).unwrap();
        let language = name.split('_').next().unwrap().to_string();
        languages.insert(record["url"].as_str().unwrap().to_string(), language);
    }
    languages
}

#[test]
fn each_language_is_searched_from_its_own_page_in_its_own_index() {
    let site = TestSite::new()
        .write(
            "serum.toml",
            format!("{}\n[languages.fr]\ntitle = \"Éclat\"\n", common::CONFIG),
        )
        .write(
            "content/posts/first.fr.md",
            "+++\ntitle = \"Premier billet\"\ndate = 2024-05-01\nauthor = \"ann\"\n+++\nUne crème hydratante.\n",
        );
    site.build(&[]).ok();
    // One index per language in /pagefind/: a search page searches the one its <html lang> names.
    let entry: Value =
        serde_json::from_str(&site.read("public/pagefind/pagefind-entry.json")).unwrap();
    let indexes: Vec<&String> = entry["languages"].as_object().unwrap().keys().collect();
    assert_eq!(indexes, ["en", "fr"]);
    assert_eq!(
        record_languages(&site),
        BTreeMap::from([
            ("/fr/posts/first/".to_string(), "fr".to_string()),
            ("/posts/first/".to_string(), "en".to_string()),
        ])
    );
    // A French result's date is written as French bylines write it.
    let french_record = &records(&site, "public")["/fr/posts/first/"];
    assert_eq!(french_record["meta"]["date_text"], "1 mai 2024");
    let french = site.page("public/fr/search/index.html");
    assert_eq!(french.attr("html", "lang"), "fr");
    assert_eq!(french.text("h1"), "Rechercher");
    assert_eq!(
        french.attr("main form[role=search]", "action"),
        "/fr/search/"
    );
    assert_eq!(french.attr("[data-index]", "data-index"), "/pagefind/");
    // The words its script shows, in French: counts in each plural form, and no results.
    for (attribute, words) in [
        ("data-results-1", "1 résultat"),
        ("data-results-2", "2 résultats"),
        ("data-found", "{results} pour « {query} »."),
        ("data-no-results", "Aucun résultat pour « {query} »."),
        ("data-label-section", "Rubrique"),
    ] {
        assert_eq!(french.attr("[data-index]", attribute), words, "{attribute}");
    }
    // Every French page leads to the French search page, every English one to the English.
    let article = site.page("public/fr/posts/first/index.html");
    assert_eq!(article.attr("a.site-search", "href"), "/fr/search/");
    assert_eq!(article.text("a.site-search"), "Rechercher");
    let home = site.page("public/index.html");
    assert_eq!(home.attr("a.site-search", "href"), "/search/");
}

#[test]
fn check_makes_no_index_and_finds_nothing_wrong_with_search() {
    let site = TestSite::new().write(
        "content/posts/first.md",
        "+++\ntitle = \"First\"\ndescription = \"One.\"\nauthor = \"ann\"\n+++\nText.\n",
    );
    let run = serum(site.root(), &["check"]).ok();
    assert!(!site.path("public").exists());
    assert_eq!(run.stderr, "");
    // The search page is among the pages checked, its links and form included.
    assert_eq!(run.stdout, "No problems found in 9 pages.\n");
}
