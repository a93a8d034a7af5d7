//! Properties of the pure pieces, checked on generated inputs: front matter, slugs, the table
//! of contents, link rewriting, summary cutting and URLs under any `base_url`.

use std::collections::HashSet;
use std::path::Path;

use proptest::prelude::*;
use scraper::{Html, Selector};
use serde::Deserialize;
use serum::config::{Config, Overrides, normalize_base_url};
use serum::content::front_matter::{Date, UnknownKeys, normalize_text, parse, split};
use serum::markdown::{LinkAction, Options, TocEntry, UniqueIds, render, slugify};
use serum::view::{meta_description, script_safe_json};

/// `n` generated cases; a failure is shown with its smallest input, and added below as a
/// plain regression test rather than saved to a file.
fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A page's front matter, as `content::page` reads it.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Meta {
    title: Option<String>,
    description: Option<String>,
    date: Option<Date>,
    updated: Option<Date>,
    author: Option<String>,
    authors: Option<Vec<String>>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    draft: bool,
    slug: Option<String>,
    weight: Option<i64>,
    #[serde(default)]
    extra: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(flatten)]
    unknown: UnknownKeys,
}

/// Pieces a content file is made of, so that generated files often get past the fences.
fn front_matter_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("+++\n".to_string()),
        Just("---\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\0".to_string()),
        Just("\u{feff}".to_string()),
        Just("title = \"A\"\n".to_string()),
        Just("title: A\n".to_string()),
        Just("date = 2024-05-01\n".to_string()),
        Just("date: 2023-06-27T21:32:00+02:00\n".to_string()),
        Just("date = \"June\"\n".to_string()),
        Just("tags = [\"a\", 1]\n".to_string()),
        Just("[extra]\n".to_string()),
        Just("extra:\n  - x\n".to_string()),
        Just("  key: [\n".to_string()),
        Just("\"\n".to_string()),
        "[ -~]{0,20}\n?",
        any::<String>(),
    ]
}

fn content_file() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        proptest::collection::vec(front_matter_piece(), 0..12).prop_map(|p| p.concat().into()),
    ]
}

/// Splits and parses a file as serum does; the line of the error, if any, and the file's
/// number of lines.
fn read_front_matter(bytes: Vec<u8>) -> Result<(), (Option<usize>, String, usize)> {
    let lines = bytes.split(|&b| b == b'\n').count();
    let text = normalize_text(bytes).map_err(|e| (e.line, e.message, lines))?;
    let lines = text.split('\n').count();
    let at = |e: serum::Diagnostic| (e.line, e.message, lines);
    let split = split(&text).map_err(at)?;
    assert!(text.ends_with(split.body), "the body is the file's end");
    assert_eq!(
        text[..text.len() - split.body.len()].matches('\n').count() + 1,
        split.body_line,
        "the body starts on the line it says"
    );
    let meta: Meta = parse(&split, Path::new("content/x.md")).map_err(at)?;
    for date in [meta.date, meta.updated].into_iter().flatten() {
        let _ = (date.to_rfc3339(), date.to_rfc2822(), date.sort_key());
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(2000))]

    #[test]
    fn any_content_file_gives_front_matter_or_an_error_with_a_line(bytes in content_file()) {
        if let Err((line, message, lines)) = read_front_matter(bytes) {
            let line = line.unwrap_or_else(|| panic!("no line for: {message}"));
            prop_assert!((1..=lines).contains(&line), "line {} of {}: {}", line, lines, message);
            prop_assert!(!message.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(cases(1000))]

    #[test]
    fn slugs_are_url_safe_and_idempotent(text in any::<String>()) {
        let slug = slugify(&text);
        prop_assert!(!slug.is_empty());
        prop_assert!(
            slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{:?} -> {:?}", text, slug
        );
        prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{:?}", slug);
        prop_assert_eq!(slugify(&slug), slug);
    }

    #[test]
    fn unique_ids_never_repeat_and_keep_their_base(bases in proptest::collection::vec("[a-c]{1,2}(-[1-3])?", 1..40)) {
        let mut used = UniqueIds::new();
        let mut seen = HashSet::new();
        for base in &bases {
            let id = used.unique(base);
            prop_assert!(seen.insert(id.clone()), "{} given twice", id);
            if id != *base {
                let suffix = id.strip_prefix(&format!("{base}-")).expect("base-N");
                prop_assert!(suffix.parse::<u32>().is_ok_and(|n| n >= 1), "{}", id);
            }
        }
    }
}

/// A heading's text: letters of several scripts, emoji, marks and spaces, no Markdown syntax.
fn heading_title() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 éßИя漢字שלוםعربي🎉🚀\u{301}\u{200d}]{0,12}"
}

fn flatten(toc: &[TocEntry]) -> Vec<&TocEntry> {
    toc.iter()
        .flat_map(|entry| std::iter::once(entry).chain(flatten(&entry.children)))
        .collect()
}

fn check_nesting(entries: &[TocEntry], parent: Option<u8>) -> Result<(), TestCaseError> {
    for entry in entries {
        prop_assert!(matches!(entry.level, 2 | 3), "level {}", entry.level);
        if let Some(parent) = parent {
            prop_assert!(entry.level > parent, "{} under {}", entry.level, parent);
        }
        check_nesting(&entry.children, Some(entry.level))?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(500))]

    #[test]
    fn any_heading_sequence_gives_a_nested_table_of_contents(
        headings in proptest::collection::vec((1u8..=6, heading_title()), 0..30)
    ) {
        let markdown: String = headings
            .iter()
            .map(|(level, title)| format!("{} {title}\n\nText.\n\n", "#".repeat(*level as usize)))
            .collect();
        let rendered = render(&markdown, &Options::default(), &|_: &str| LinkAction::Keep);
        prop_assert_eq!(rendered.ids.len(), headings.len());
        let unique: HashSet<&String> = rendered.ids.iter().collect();
        prop_assert_eq!(unique.len(), rendered.ids.len(), "ids repeat: {:?}", rendered.ids);
        let mut used = UniqueIds::new();
        let expected: Vec<String> = headings
            .iter()
            .map(|(_, title)| used.unique(&slugify(title.trim())))
            .collect();
        prop_assert_eq!(&rendered.ids, &expected, "ids are the slugs, with suffixes in order");
        check_nesting(&rendered.toc, None)?;
        let toc_ids: Vec<&str> = flatten(&rendered.toc).iter().map(|e| e.id.as_str()).collect();
        let h2_h3_ids: Vec<&str> = headings
            .iter()
            .zip(&rendered.ids)
            .filter(|((level, _), _)| matches!(level, 2 | 3))
            .map(|(_, id)| id.as_str())
            .collect();
        prop_assert_eq!(toc_ids, h2_h3_ids, "the table lists every ## and ### in order");
        let html = Html::parse_fragment(&rendered.html);
        let selector = Selector::parse("h1, h2, h3, h4, h5, h6").unwrap();
        let in_html: Vec<&str> = html.select(&selector).filter_map(|h| h.value().id()).collect();
        prop_assert_eq!(in_html, rendered.ids.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

/// A link destination: some point at pages (rewritten), some outside, some at fragments.
fn destination() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,6}(/[a-z]{1,6})?\\.md(#[a-z]{1,4})?",
        "https://[a-z]{1,8}\\.org/[a-z]{0,6}",
        "#[a-z]{1,6}",
        "@/[a-z]{1,6}\\.md",
    ]
}

/// Markdown text that may hold anything around the links.
fn filler() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,12}",
        Just("\n\n".to_string()),
        Just("\n> ".to_string()),
        Just("\n- ".to_string()),
        Just("**".to_string()),
        Just("`".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("\n```\n".to_string()),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(cases(500))]

    #[test]
    fn rewritten_links_all_reach_the_html(
        parts in proptest::collection::vec((filler(), destination(), any::<bool>()), 0..15),
        tail in filler(),
    ) {
        let mut markdown = String::new();
        for (text, dest, image) in &parts {
            markdown.push_str(text);
            markdown.push_str(if *image { " ![pic](" } else { " [link](" });
            markdown.push_str(dest);
            markdown.push_str(") ");
        }
        markdown.push_str(&tail);
        let rewrite = |dest: &str| match dest.split_once(".md") {
            Some((page, fragment)) => LinkAction::Rewrite(format!("/site/{}/{fragment}", page.trim_start_matches("@/"))),
            None => LinkAction::Keep,
        };
        let rendered = render(&markdown, &Options::default(), &rewrite);
        let html = Html::parse_fragment(&rendered.html);
        let selector = Selector::parse("a[href], img[src]").unwrap();
        let urls: HashSet<&str> = html
            .select(&selector)
            .filter_map(|e| e.value().attr("href").or(e.value().attr("src")))
            .collect();
        for link in &rendered.links {
            if let LinkAction::Rewrite(url) = rewrite(&link.original) {
                prop_assert_eq!(&link.url, &url);
            }
            prop_assert!(urls.contains(link.url.as_str()), "{} is not in {}", link.url, rendered.html);
            prop_assert!(link.line >= 1 && link.column >= 1);
        }
        for url in urls {
            prop_assert!(!url.contains(".md") || url.starts_with("https:"), "{} was left as written", url);
        }
    }

    #[test]
    fn any_markdown_renders_without_a_panic(markdown in any::<String>()) {
        let rendered = render(&markdown, &Options::default(), &|dest: &str| LinkAction::Rewrite(format!("/x/{dest}")));
        prop_assert!(rendered.summary_text.len() <= markdown.len() * 4 + 4);
    }
}

proptest! {
    #![proptest_config(cases(1000))]

    #[test]
    fn a_long_summary_is_cut_at_a_word(words in proptest::collection::vec("[a-zA-Zé漢,.;:—-]{1,12}", 1..80)) {
        let text = words.join(" ");
        let cut = meta_description(None, &text);
        prop_assert!(cut.chars().count() <= 160, "{} chars", cut.chars().count());
        if text.chars().count() <= 160 {
            prop_assert_eq!(cut, text);
        } else {
            let kept = cut.strip_suffix('…').expect("an ellipsis marks the cut");
            prop_assert!(text.starts_with(kept), "{:?} is not a start of the text", kept);
            let next = text[kept.len()..].chars().next();
            prop_assert!(
                next.is_some_and(|c| c == ' ' || ",;:.–—-".contains(c)),
                "cut inside a word: {:?} then {:?}", kept, next
            );
        }
    }

    #[test]
    fn any_summary_fits_a_meta_description(text in any::<String>(), description in proptest::option::of(any::<String>())) {
        let cut = meta_description(None, &text);
        prop_assert!(cut.chars().count() <= 160);
        prop_assert!(!cut.starts_with(char::is_whitespace) && !cut.ends_with(char::is_whitespace));
        let chosen = meta_description(description.as_deref(), &text);
        match description.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(description) => prop_assert_eq!(chosen, description),
            None => prop_assert_eq!(chosen, cut),
        }
    }

    #[test]
    fn json_never_closes_its_script_element(text in any::<String>()) {
        let json = script_safe_json(&serde_json::json!({ "headline": text }));
        prop_assert!(!json.contains(['<', '>', '&']));
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back["headline"].as_str(), Some(text.as_str()));
    }
}

/// An http(s) URL with any path: dots, doubled slashes, escapes, letters of other scripts.
fn base_url() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        "[a-zA-Z0-9_~-]{1,8}",
        Just(String::new()),
        Just(".".to_string()),
        Just("..".to_string()),
        Just("%2F".to_string()),
        Just("a b".to_string()),
        Just("blög".to_string()),
        Just("日本".to_string()),
    ];
    (
        prop_oneof![Just("http"), Just("https"), Just("HTTPS")],
        prop_oneof![
            "[a-z]{1,10}(\\.[a-z]{2,5})?",
            Just("127.0.0.1".to_string()),
            Just("[::1]".to_string()),
            Just("bücher.de".to_string()),
        ],
        proptest::option::of(1u16..),
        proptest::collection::vec(segment, 0..5),
        any::<bool>(),
    )
        .prop_map(|(scheme, host, port, segments, slash)| {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let mut url = format!("{scheme}://{host}{port}/{}", segments.join("/"));
            if slash {
                url.push('/');
            }
            url
        })
}

fn site_path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "/?[a-z0-9-]{1,8}/([a-z0-9-]{1,8}/)?",
        "[a-z]{1,6}\\.(xml|css|html)",
    ]
}

proptest! {
    #![proptest_config(cases(1000))]

    #[test]
    fn urls_under_any_base_url_are_well_formed(base in base_url(), path in site_path()) {
        let (url, base_path) = match normalize_base_url(&base) {
            Ok(pair) => pair,
            Err(message) => {
                prop_assert!(message.starts_with("`base_url` \""), "{}", message);
                return Ok(());
            }
        };
        prop_assert!(url.ends_with('/') && base_path.ends_with('/'), "{} {}", url, base_path);
        prop_assert!(url.ends_with(&base_path), "{} does not end with {}", url, base_path);
        let config = Config::parse(
            Path::new("/site"),
            Path::new("serum.toml"),
            "title = \"T\"\n",
            &Overrides { theme: None, base_url: Some(base.clone()) },
        )
        .unwrap();
        prop_assert_eq!(&config.base_url, &url);
        let root_relative = config.url_path(&path);
        let permalink = config.permalink(&path);
        prop_assert!(root_relative.starts_with(&base_path), "{}", root_relative);
        prop_assert!(!root_relative.contains("//"), "{} from {}", root_relative, base);
        let (_, after_scheme) = permalink.split_once("://").expect("a scheme");
        prop_assert!(!after_scheme.contains("//"), "{} from {}", permalink, base);
        prop_assert_eq!(config.absolute_url(&root_relative), permalink);
    }
}

#[test]
fn doubled_slashes_in_base_url_never_make_protocol_relative_links() {
    // Found by `urls_under_any_base_url_are_well_formed`: `//x` is a link to the host `x`.
    assert_eq!(
        normalize_base_url("http://a//"),
        Ok(("http://a/".to_string(), "/".to_string()))
    );
    assert_eq!(
        normalize_base_url("https://example.com//blog///posts"),
        Ok((
            "https://example.com/blog/posts/".to_string(),
            "/blog/posts/".to_string()
        ))
    );
    let config = Config::parse(
        Path::new("/site"),
        Path::new("serum.toml"),
        "title = \"T\"\nbase_url = \"https://example.com//\"\n",
        &Overrides::default(),
    )
    .unwrap();
    assert_eq!(config.url_path("articles/x/"), "/articles/x/");
    assert_eq!(
        config.permalink("articles/x/"),
        "https://example.com/articles/x/"
    );
}

#[test]
fn a_page_that_starts_at_h3_and_skips_levels_keeps_every_entry() {
    let markdown = "### Early\n\n###### Deep\n\n# Title\n\n### Under title\n\n## A\n\n#### Skipped\n\n### A1\n\n## B\n";
    let rendered = render(markdown, &Options::default(), &|_: &str| LinkAction::Keep);
    let shape: Vec<(u8, &str, Vec<&str>)> = rendered
        .toc
        .iter()
        .map(|e| {
            let children = e.children.iter().map(|c| c.id.as_str()).collect();
            (e.level, e.id.as_str(), children)
        })
        .collect();
    assert_eq!(
        shape,
        [
            (3, "early", vec![]),
            (3, "under-title", vec![]),
            (2, "a", vec!["a1"]),
            (2, "b", vec![]),
        ]
    );
}

#[test]
fn a_lone_carriage_return_is_a_line_end_for_error_places_too() {
    // Found by the front_matter fuzzer: YAML counted `\r` as a line end, serum did not, and
    // the error pointed at line 5 of a 4-line file.
    let file = b"---\n\r\r\r\0\0\0\0\0\0\0\0\0\rb]\n---\n23-".to_vec();
    let (line, message, lines) = read_front_matter(file).unwrap_err();
    assert_eq!((line, lines), (Some(5), 8), "{message}");
    assert!(message.starts_with("invalid YAML: "), "{message}");
    assert_eq!(
        normalize_text(b"+++\rtitle = \"Mac\"\r+++\rBody\r".to_vec()).unwrap(),
        "+++\ntitle = \"Mac\"\n+++\nBody\n"
    );
}
