//! One site in English and French: where each version is published, how the versions point
//! at each other (hreflang, the sitemap, the switcher, `@/` links), each language's listings
//! and feeds, the theme's words and dates in the page's language, and every bad input.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Page, TestSite, repo, text_of};

const CONFIG: &str = "title = \"Test Site\"\nbase_url = \"https://example.com/\"\npaginate_by = 2\n\n[languages.fr]\ntitle = \"Site de test\"\ndescription = \"Un site pour les tests.\"\n";

/// An English and French site: two articles in both languages (the second with a French
/// slug of its own), one only in English, an author translated with her role.
fn bilingual() -> TestSite {
    TestSite::empty()
        .write("serum.toml", CONFIG)
        .write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nWelcome.\n")
        .write("content/_index.fr.md", "+++\ntitle = \"Accueil\"\n+++\nBienvenue.\n")
        .write("content/posts/_index.md", "+++\ntitle = \"Posts\"\n+++\n")
        .write("content/posts/_index.fr.md", "+++\ntitle = \"Billets\"\n+++\n")
        .write(
            "content/posts/first.md",
            "+++\ntitle = \"First post\"\ndate = 2024-05-01\nauthor = \"ann\"\ntags = [\"news\"]\n+++\nSee [the second](@/posts/second.md) and [the other](@/posts/only-english.md).\n\n## Part one\n\nText.\n",
        )
        .write(
            "content/posts/first.fr.md",
            "+++\ntitle = \"Premier billet\"\ndate = 2024-05-01\nauthor = \"ann\"\ntags = [\"actualités\"]\n+++\nVoir [le deuxième](@/posts/second.md) et [l’autre](@/posts/only-english.md).\n\n## Première partie\n\nTexte.\n",
        )
        .write(
            "content/posts/second.md",
            "+++\ntitle = \"Second post\"\ndate = 2024-06-02\nauthor = \"ann\"\n+++\nMore.\n",
        )
        .write(
            "content/posts/second.fr.md",
            "+++\ntitle = \"Deuxième billet\"\nslug = \"deuxieme\"\ndate = 2024-06-02\nauthor = \"ann\"\n+++\nEncore.\n",
        )
        .write(
            "content/posts/only-english.md",
            "+++\ntitle = \"Only in English\"\ndate = 2024-07-03\nauthor = \"ann\"\n+++\nEnglish only.\n",
        )
        .write(
            "content/authors/ann.md",
            "+++\nname = \"Ann Lee\"\nrole = \"Editor\"\n+++\nAnn edits.\n",
        )
        .write(
            "content/authors/ann.fr.md",
            "+++\nrole = \"Rédactrice\"\n+++\nAnn relit.\n",
        )
}

/// Builds the site, expecting success.
fn built() -> TestSite {
    let site = bilingual();
    site.build(&[]).ok();
    site
}

/// The `hreflang` links of a page's head, by language.
fn hreflangs(page: &Page) -> BTreeMap<String, String> {
    page.all("head link[rel=alternate][hreflang]")
        .into_iter()
        .map(|link| {
            let value = link.value();
            (
                value.attr("hreflang").unwrap().to_string(),
                value.attr("href").unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn each_language_has_its_urls_and_lang_attribute() {
    let site = built();
    for (path, lang) in [
        ("public/index.html", "en"),
        ("public/posts/first/index.html", "en"),
        ("public/posts/second/index.html", "en"),
        ("public/fr/index.html", "fr"),
        ("public/fr/posts/index.html", "fr"),
        ("public/fr/posts/first/index.html", "fr"),
        ("public/fr/posts/deuxieme/index.html", "fr"),
        ("public/fr/authors/ann/index.html", "fr"),
        ("public/fr/tags/index.html", "fr"),
        ("public/fr/tags/actualites/index.html", "fr"),
        ("public/fr/404.html", "fr"),
    ] {
        assert_eq!(site.page(path).attr("html", "lang"), lang, "{path}");
    }
    // No fallback copy: a page without a French version has no French page.
    assert!(
        !site
            .path("public/fr/posts/only-english/index.html")
            .exists()
    );
    assert!(site.path("public/posts/only-english/index.html").exists());
    // The French page's JSON-LD says so too.
    let json: serde_json::Value = serde_json::from_str(
        &site
            .page("public/fr/posts/first/index.html")
            .text("script[type=\"application/ld+json\"]"),
    )
    .unwrap();
    assert_eq!(json["inLanguage"], "fr");
    assert_eq!(json["author"][0]["jobTitle"], "Rédactrice");
}

#[test]
fn translations_point_at_each_other_with_hreflang_and_x_default() {
    let site = built();
    let expected = BTreeMap::from([
        (
            "en".to_string(),
            "https://example.com/posts/second/".to_string(),
        ),
        (
            "fr".to_string(),
            "https://example.com/fr/posts/deuxieme/".to_string(),
        ),
        (
            "x-default".to_string(),
            "https://example.com/posts/second/".to_string(),
        ),
    ]);
    assert_eq!(
        hreflangs(&site.page("public/posts/second/index.html")),
        expected
    );
    assert_eq!(
        hreflangs(&site.page("public/fr/posts/deuxieme/index.html")),
        expected
    );
    // The home pages and sections are translations of each other too.
    let home = hreflangs(&site.page("public/fr/index.html"));
    assert_eq!(home["en"], "https://example.com/");
    assert_eq!(home["fr"], "https://example.com/fr/");
    // A page in one language alone has no alternates.
    assert!(hreflangs(&site.page("public/posts/only-english/index.html")).is_empty());
}

#[test]
fn the_sitemap_lists_every_version_of_a_page() {
    let site = built();
    let xml = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).expect("the sitemap is XML");
    let xhtml = "http://www.w3.org/1999/xhtml";
    let alternates = |loc: &str| -> BTreeMap<String, String> {
        let url = doc
            .descendants()
            .filter(|n| n.has_tag_name("url"))
            .find(|n| {
                n.children()
                    .any(|c| c.has_tag_name("loc") && c.text() == Some(loc))
            })
            .unwrap_or_else(|| panic!("{loc} is not in the sitemap"));
        url.children()
            .filter(|c| c.has_tag_name((xhtml, "link")))
            .map(|c| {
                assert_eq!(c.attribute("rel"), Some("alternate"));
                (
                    c.attribute("hreflang").unwrap().to_string(),
                    c.attribute("href").unwrap().to_string(),
                )
            })
            .collect()
    };
    let expected = BTreeMap::from([
        (
            "en".to_string(),
            "https://example.com/posts/first/".to_string(),
        ),
        (
            "fr".to_string(),
            "https://example.com/fr/posts/first/".to_string(),
        ),
        (
            "x-default".to_string(),
            "https://example.com/posts/first/".to_string(),
        ),
    ]);
    assert_eq!(alternates("https://example.com/posts/first/"), expected);
    assert_eq!(alternates("https://example.com/fr/posts/first/"), expected);
    assert!(alternates("https://example.com/posts/only-english/").is_empty());
}

#[test]
fn each_language_has_its_own_listings_and_feeds() {
    let site = built();
    let titles = |path: &str| site.page(path).texts(".page-item-title");
    assert_eq!(
        titles("public/index.html"),
        ["Only in English", "Second post"]
    );
    assert_eq!(titles("public/page/2/index.html"), ["First post"]);
    assert_eq!(
        titles("public/fr/index.html"),
        ["Deuxième billet", "Premier billet"]
    );
    assert!(!site.path("public/fr/page/2/index.html").exists());
    assert_eq!(
        titles("public/fr/posts/index.html"),
        ["Deuxième billet", "Premier billet"]
    );
    assert_eq!(titles("public/fr/authors/ann/index.html").len(), 2);
    assert_eq!(
        titles("public/fr/tags/actualites/index.html"),
        ["Premier billet"]
    );
    assert!(!site.path("public/fr/tags/news/index.html").exists());
    assert_eq!(
        site.page("public/fr/posts/index.html").text("h1"),
        "Billets"
    );

    let feed = |path: &str| {
        feed_rs::parser::parse(site.read(path).as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let french = feed("public/fr/atom.xml");
    assert_eq!(french.language.as_deref(), Some("fr"));
    assert_eq!(french.title.unwrap().content, "Site de test");
    let entries: Vec<String> = french.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(
        entries,
        [
            "https://example.com/fr/posts/deuxieme/",
            "https://example.com/fr/posts/first/"
        ]
    );
    assert_eq!(feed("public/atom.xml").entries.len(), 3);
    assert_eq!(feed("public/fr/rss.xml").entries.len(), 2);
    assert_eq!(feed("public/fr/authors/ann/atom.xml").entries.len(), 2);
    let home = site.page("public/fr/index.html");
    assert_eq!(
        home.attr("link[type=\"application/atom+xml\"]", "href"),
        "/fr/atom.xml"
    );
}

/// Every piece of literal text of a string file, by key: `"Page {current} of {total}"` gives
/// `Page` and `of`.
fn literals(file: &str) -> BTreeMap<String, Vec<String>> {
    let table: toml::Table = toml::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for (key, value) in table {
        let texts: Vec<String> = match value {
            toml::Value::String(text) => vec![text],
            toml::Value::Table(forms) => forms
                .values()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => continue,
        };
        let mut parts = Vec::new();
        for text in texts {
            let mut rest = text.as_str();
            while let Some(open) = rest.find('{') {
                parts.push(rest[..open].to_string());
                rest = rest[open..].split_once('}').map_or("", |(_, after)| after);
            }
            parts.push(rest.to_string());
        }
        parts.retain(|p| p.chars().any(char::is_alphabetic));
        out.insert(
            key,
            parts.into_iter().map(|p| p.trim().to_string()).collect(),
        );
    }
    out
}

/// Whether `words` appears in `text` as whole words.
fn has_words(text: &str, words: &str) -> bool {
    text.match_indices(words).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + words.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// What a reader meets on a page: its text, its title and the labels screen readers speak.
fn reader_text(page: &Page) -> String {
    let mut all = text_of(page.one("html"));
    for attribute in ["aria-label", "title", "alt", "content"] {
        for value in page.attrs(&format!("[{attribute}]"), attribute) {
            all.push('\n');
            all.push_str(&value);
        }
    }
    all
}

#[test]
fn no_english_interface_word_is_left_on_a_french_page() {
    for theme in ["default", "mono"] {
        let site = bilingual().with_repo_themes();
        site.build(&["--theme", theme]).ok();
        let dir = repo().join("themes").join(theme).join("i18n");
        let english = literals(dir.join("en.toml").to_str().unwrap());
        let french_file = std::fs::read_to_string(dir.join("fr.toml")).unwrap();
        // The names of the languages are shown in their own language on purpose.
        let skipped = ["language_name", "date_format"];
        let words: BTreeSet<&str> = english
            .iter()
            .filter(|(key, _)| !skipped.contains(&key.as_str()))
            .flat_map(|(_, parts)| parts.iter().map(String::as_str))
            .filter(|part| !french_file.contains(part))
            .collect();
        assert!(
            words.contains("min read") && words.contains("Contents"),
            "{words:?}"
        );
        for path in [
            "public/fr/index.html",
            "public/fr/posts/index.html",
            "public/fr/posts/first/index.html",
            "public/fr/authors/ann/index.html",
            "public/fr/tags/index.html",
            "public/fr/tags/actualites/index.html",
            "public/fr/404.html",
            "public/fr/search/index.html",
        ] {
            let text = reader_text(&site.page(path));
            let left: Vec<&&str> = words.iter().filter(|w| has_words(&text, w)).collect();
            assert!(
                left.is_empty(),
                "{theme} {path}: English words {left:?} in:\n{text}"
            );
        }
    }
}

#[test]
fn dates_and_reading_times_are_written_in_the_page_s_language() {
    let site = built();
    let english = site.page("public/posts/first/index.html");
    assert_eq!(english.text(".page-header .byline-date"), "May 1, 2024");
    assert_eq!(
        english.text(".page-header .byline-reading-time"),
        "1 min read"
    );
    let french = site.page("public/fr/posts/first/index.html");
    assert_eq!(french.text(".page-header .byline-date"), "1 mai 2024");
    assert_eq!(
        french.text(".page-header .byline-reading-time"),
        "1 min de lecture"
    );
    assert_eq!(french.text(".toc-summary"), "Sommaire");
    assert_eq!(french.text(".byline-role"), "Rédactrice");
}

#[test]
fn a_switcher_leads_to_each_version() {
    for theme in ["default", "mono"] {
        let site = bilingual().with_repo_themes();
        site.build(&["--theme", theme]).ok();
        let page = site.page("public/fr/posts/deuxieme/index.html");
        let switcher = "nav ul.langs a";
        assert_eq!(page.texts(switcher), ["English", "Français"], "{theme}");
        assert_eq!(
            page.attrs(switcher, "href"),
            ["/posts/second/", "/fr/posts/deuxieme/"]
        );
        assert_eq!(page.attrs(switcher, "lang"), ["en", "fr"]);
        assert_eq!(
            page.attr(&format!("{switcher}[aria-current=page]"), "href"),
            "/fr/posts/deuxieme/"
        );
        let alone = site.page("public/posts/only-english/index.html");
        assert!(alone.all("ul.langs").is_empty(), "{theme}");
    }
}

#[test]
fn links_from_a_translation_lead_to_the_same_language_when_they_can() {
    let site = built();
    let links = |path: &str| site.page(path).attrs(".page-content p a", "href");
    assert_eq!(
        links("public/posts/first/index.html"),
        ["/posts/second/", "/posts/only-english/"]
    );
    assert_eq!(
        links("public/fr/posts/first/index.html"),
        ["/fr/posts/deuxieme/", "/posts/only-english/"]
    );
}

#[test]
fn a_site_may_change_a_theme_string() {
    let site = bilingual().write("i18n/fr.toml", "contents = \"Au programme\"\n");
    site.build(&[]).ok();
    let french = site.page("public/fr/posts/first/index.html");
    assert_eq!(french.text(".toc-summary"), "Au programme");
    assert_eq!(french.text(".byline-by"), "Par");
}

#[test]
fn a_string_no_language_has_names_the_template_and_the_language() {
    let site = bilingual().write(
        "templates/404.html",
        "<!DOCTYPE html>\n<html lang=\"{{ lang }}\">\n<title>{{ trans(key=\"gone\") }}</title>\n</html>\n",
    );
    let stderr = site.build(&[]).fails();
    assert!(
        stderr.starts_with("error: templates/404.html:3:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no string `gone` in the language `en`: add it to i18n/en.toml or (built-in theme)/i18n/en.toml"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no string `gone` in the language `fr`, nor in the default language `en`"),
        "{stderr}"
    );
}

#[test]
fn a_file_for_an_undeclared_language_is_refused() {
    let site = bilingual().write("content/posts/first.it.md", "+++\ntitle = \"Primo\"\n+++\n");
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/posts/first.it.md:1:1: `it` is not a language of this site: serum.toml declares no [languages.it]\n  help: declare it in serum.toml with a [languages.it] table, or rename the file\n"
    );
    // A dotted name that is no language code stays a page of its own.
    let site = bilingual().write(
        "content/posts/v1.2.md",
        "+++\ntitle = \"Version 1.2\"\n+++\n",
    );
    site.build(&[]).ok();
    assert!(site.path("public/posts/v1-2/index.html").exists());
}

#[test]
fn two_files_for_one_translation_are_refused() {
    let site = bilingual().write(
        "content/posts/first.fr.markdown",
        "+++\ntitle = \"Encore le premier\"\n+++\n",
    );
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/posts/first.fr.md:1:1: two files are the same page in one language: this one and content/posts/first.fr.markdown\n  help: keep one of them; a translation is named after its page with the language before the extension (`x.fr.md`, `index.fr.md`, `_index.fr.md`)\n"
    );
}

#[test]
fn an_unknown_key_in_a_language_table_is_placed() {
    let site = bilingual().write("serum.toml", format!("{CONFIG}titel = \"Oups\"\n"));
    assert_eq!(
        site.build(&[]).fails(),
        "error: serum.toml:8:1: unknown key `titel` in [languages.fr]\n  help: did you mean `title`?\n"
    );
}

#[test]
fn a_translation_whose_slug_takes_another_page_s_url_is_refused() {
    let site = bilingual().write(
        "content/posts/third.fr.md",
        "+++\ntitle = \"Troisième billet\"\nslug = \"first\"\n+++\n",
    );
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/posts/third.fr.md:3:1: this translation's `slug` gives it the URL /fr/posts/first/, which content/posts/first.fr.md has already\n  help: give this translation another `slug`: each page of a language needs a URL of its own\n"
    );
}

#[test]
fn a_translated_author_needs_the_original() {
    let site = bilingual().write("content/authors/bob.fr.md", "+++\nname = \"Bob\"\n+++\n");
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/authors/bob.fr.md:1:1: this translates the author `bob`, who has no file content/authors/bob.md\n  help: add the author in the default language first; a translation completes it\n"
    );
}

#[test]
fn built_in_shortcodes_speak_the_page_s_language() {
    let site = bilingual().write(
        "content/posts/second.fr.md",
        "+++\ntitle = \"Deuxième billet\"\nslug = \"deuxieme\"\n+++\n{{ youtube(id=\"dQw4w9WgXcQ\") }}\n",
    );
    site.build(&[]).ok();
    let page = site.page("public/fr/posts/deuxieme/index.html");
    assert_eq!(page.text(".embed-play"), "Lire la vidéo : Vidéo YouTube");
    assert_eq!(page.text(".embed figcaption a"), "regardez-la sur YouTube");
}
