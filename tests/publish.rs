//! Ready to publish: feeds, sitemap, robots, redirects, metadata, tags, covers and asset names.

mod common;

use common::TestSite;

/// A site with dated, undated, hidden and draft articles by two authors.
fn blog() -> TestSite {
    TestSite::new()
        .write("content/authors/bo.md", "+++\nname = \"Bo Ek\"\nrole = \"Editor\"\ncompany = \"Glow Co\"\n+++\nBo.\n")
        .write(
            "content/posts/newer.md",
            "+++\ntitle = \"Newer\"\ndate = 2024-06-01T08:30:00+02:00\nupdated = 2024-06-03\nauthor = \"bo\"\ntags = [\"Skin Care\", \"SPF\"]\n+++\nNewer *body*.\n\n## Part\n",
        )
        .write("content/posts/undated.md", "+++\ntitle = \"Undated\"\n+++\nNo date.\n")
        .write("content/posts/hidden.md", "+++\ntitle = \"Hidden\"\ndate = 2024-07-01\nnoindex = true\n+++\nHidden.\n")
        .write("content/posts/wip.md", "+++\ntitle = \"WIP\"\ndate = 2024-08-01\ndraft = true\n+++\nSoon.\n")
}

fn parse_feed(site: &TestSite, path: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(site.read(path).as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn atom_and_rss_list_dated_indexable_articles_newest_first() {
    let site = blog();
    site.build(&[]).ok();
    for path in ["public/atom.xml", "public/rss.xml"] {
        let feed = parse_feed(&site, path);
        let titles: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        assert_eq!(titles, ["Newer", "First post"], "{path}");
        let newer = &feed.entries[0];
        assert_eq!(
            newer.links[0].href, "https://example.com/posts/newer/",
            "{path}"
        );
        assert_eq!(
            newer.published.unwrap().to_rfc3339(),
            "2024-06-01T06:30:00+00:00",
            "{path}"
        );
        let content = newer.content.as_ref().and_then(|c| c.body.clone()).unwrap();
        assert!(
            content.contains("<em>body</em>"),
            "{path}: full content: {content}"
        );
        assert!(newer.summary.is_some(), "{path}");
    }
    let atom = parse_feed(&site, "public/atom.xml");
    assert_eq!(atom.entries[0].authors[0].name, "Bo Ek");
    assert_eq!(atom.entries[1].authors[0].name, "Ann Lee");
    assert_eq!(
        atom.updated.unwrap().to_rfc3339(),
        "2024-06-03T00:00:00+00:00"
    );
    let rss = site.read("public/rss.xml");
    assert!(
        rss.contains("<pubDate>Sat, 1 Jun 2024 08:30:00 +0200</pubDate>"),
        "{rss}"
    );
    assert!(rss.contains("<dc:creator>Bo Ek</dc:creator>"), "{rss}");
}

#[test]
fn each_author_has_a_feed_linked_from_their_page() {
    let site = blog();
    site.build(&[]).ok();
    let feed = parse_feed(&site, "public/authors/bo/atom.xml");
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    assert_eq!(titles, ["Newer"]);
    let page = site.page("public/authors/bo/index.html");
    assert_eq!(
        page.attr("link[rel=alternate][href$='authors/bo/atom.xml']", "type"),
        "application/atom+xml"
    );
}

#[test]
fn sitemap_lists_indexable_pages_with_lastmod_and_robots_points_to_it() {
    let site = blog();
    site.build(&[]).ok();
    let xml = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).expect("the sitemap is XML");
    let urls: Vec<(String, Option<String>)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("url"))
        .map(|url| {
            let child = |name: &str| {
                url.children()
                    .find(|c| c.has_tag_name(name))
                    .and_then(|c| c.text())
                    .map(str::to_string)
            };
            (child("loc").unwrap(), child("lastmod"))
        })
        .collect();
    let find = |loc: &str| urls.iter().find(|(l, _)| l == loc).map(|(_, m)| m.clone());
    assert_eq!(
        find("https://example.com/posts/newer/"),
        Some(Some("2024-06-03".into()))
    );
    assert_eq!(find("https://example.com/posts/undated/"), Some(None));
    assert_eq!(
        find("https://example.com/"),
        Some(Some("2024-06-03".into()))
    );
    assert_eq!(
        find("https://example.com/posts/hidden/"),
        None,
        "noindex pages stay out"
    );
    assert_eq!(
        find("https://example.com/posts/wip/"),
        None,
        "drafts are not built"
    );
    assert!(find("https://example.com/tags/spf/").is_some());
    assert_eq!(
        site.read("public/robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.com/sitemap.xml\n"
    );
}

#[test]
fn noindex_pages_say_so_and_stay_out_of_feeds() {
    let site = blog();
    site.build(&[]).ok();
    let hidden = site.page("public/posts/hidden/index.html");
    assert_eq!(hidden.attr("meta[name=robots]", "content"), "noindex");
    assert!(
        site.page("public/posts/newer/index.html")
            .all("meta[name=robots]")
            .is_empty()
    );
    assert!(!site.read("public/atom.xml").contains("Hidden"));
}

#[test]
fn drafts_built_on_request_are_marked_and_kept_out_of_sitemap_and_feeds() {
    let site = blog();
    site.build(&["--drafts"]).ok();
    let draft = site.page("public/posts/wip/index.html");
    assert_eq!(draft.text(".draft-badge"), "Draft");
    assert_eq!(draft.attr("meta[name=robots]", "content"), "noindex");
    assert!(!site.read("public/sitemap.xml").contains("/posts/wip/"));
    assert!(!site.read("public/atom.xml").contains("WIP"));
}

#[test]
fn a_site_without_dates_still_builds_the_same_feed_every_time() {
    let site = TestSite::new().write(
        "content/posts/first.md",
        "+++\ntitle = \"First post\"\n+++\nBody.\n",
    );
    site.build(&[]).ok();
    let first = site.read("public/atom.xml");
    site.build(&[]).ok();
    assert_eq!(site.read("public/atom.xml"), first);
    let feed = parse_feed(&site, "public/atom.xml");
    assert!(feed.entries.is_empty(), "undated articles are not in feeds");
    assert_eq!(
        feed.updated.unwrap().to_rfc3339(),
        "1970-01-01T00:00:00+00:00"
    );
}

#[test]
fn aliases_redirect_old_urls_to_the_page() {
    let site = TestSite::new().write(
        "content/posts/renamed.md",
        "+++\ntitle = \"Renamed\"\naliases = [\"/old/url/\", \"/older.html\"]\n+++\n",
    );
    site.build(&[]).ok();
    for file in ["public/old/url/index.html", "public/older.html"] {
        let page = site.page(file);
        assert_eq!(
            page.attr("link[rel=canonical]", "href"),
            "https://example.com/posts/renamed/",
            "{file}"
        );
        assert_eq!(
            page.attr("meta[http-equiv=refresh]", "content"),
            "0; url=https://example.com/posts/renamed/"
        );
        assert_eq!(page.attr("meta[name=robots]", "content"), "noindex");
    }
}

#[test]
fn an_alias_may_not_take_another_page_s_url() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\naliases = [\"/posts/first/\"]\n+++\n",
    );
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/posts/x.md:3:1: the alias `/posts/first/` is already the URL of another page or alias\n  help: remove the alias, or move the other page\n"
    );
}

#[test]
fn the_article_head_carries_description_canonical_open_graph_and_json_ld() {
    let site = TestSite::repository_site();
    site.build(&[]).ok();
    let page = site.page("public/articles/microneedling/index.html");
    let url = "https://example.com/articles/microneedling/";
    assert_eq!(page.attr("html", "lang"), "en");
    assert!(page.text("title").starts_with("Microneedling"));
    let description = page.attr("meta[name=description]", "content");
    assert!(
        description.starts_with("How microneedling stimulates the skin"),
        "{description}"
    );
    assert_eq!(page.attr("link[rel=canonical]", "href"), url);
    assert_eq!(page.attr("meta[property='og:url']", "content"), url);
    assert_eq!(page.attr("meta[property='og:type']", "content"), "article");
    assert_eq!(
        page.attr("meta[property='og:description']", "content"),
        description
    );
    // Link previews do not show SVG: the cover is also published as a PNG for them.
    assert_eq!(
        page.attr("meta[property='og:image']", "content"),
        format!("{url}cover-1200w.png")
    );
    assert!(
        site.path("public/articles/microneedling/cover-1200w.png")
            .is_file()
    );
    assert!(
        page.attr("meta[property='og:image:alt']", "content")
            .starts_with("A dermaroller")
    );
    assert_eq!(
        page.attr("meta[property='article:published_time']", "content"),
        "2023-06-27"
    );
    assert_eq!(
        page.attr("meta[property='article:author']", "content"),
        "https://example.com/authors/mike-rubini/"
    );
    assert_eq!(
        page.attr("meta[name='twitter:card']", "content"),
        "summary_large_image"
    );

    let json: serde_json::Value =
        serde_json::from_str(&page.text("script[type='application/ld+json']")).unwrap();
    assert_eq!(json["@type"], "Article");
    assert_eq!(json["headline"], page.text("h1"));
    assert_eq!(json["datePublished"], "2023-06-27");
    assert_eq!(json["image"], format!("{url}cover-1200w.png"));
    let author = &json["author"][0];
    assert_eq!(author["@type"], "Person");
    assert_eq!(author["name"], "Mike Rubini");
    assert_eq!(author["jobTitle"], "CEO");
    assert!(author.get("worksFor").is_none(), "no company, no worksFor");
    assert_eq!(author["url"], "https://example.com/authors/mike-rubini/");
    assert_eq!(json["publisher"]["name"], "Glow Notes");

    for feed in ["public/atom.xml", "public/rss.xml"] {
        let feed = parse_feed(&site, feed);
        assert_eq!(feed.entries.len(), 1);
        assert_eq!(feed.entries[0].links[0].href, url);
        assert_eq!(
            feed.entries[0].title.as_ref().unwrap().content,
            json["headline"]
        );
    }
    assert_eq!(
        parse_feed(&site, "public/atom.xml").entries[0].authors[0].name,
        "Mike Rubini"
    );
}

#[test]
fn a_company_becomes_works_for() {
    let site = blog();
    site.build(&[]).ok();
    let page = site.page("public/posts/newer/index.html");
    let json: serde_json::Value =
        serde_json::from_str(&page.text("script[type='application/ld+json']")).unwrap();
    assert_eq!(json["author"][0]["worksFor"]["name"], "Glow Co");
    assert_eq!(json["dateModified"], "2024-06-03");
}

#[test]
fn hostile_titles_stay_inert_in_html_attributes_and_json_ld() {
    let title = r#"Quotes " and ' <b>bold</b> & </script><script>alert(1)</script>"#;
    let site = TestSite::new().write(
        "content/posts/x.md",
        format!("+++\ntitle = '''{title}'''\ndescription = '''{title}'''\ndate = 2024-01-01\n+++\nBody.\n"),
    );
    site.build(&[]).ok();
    let page = site.page("public/posts/x/index.html");
    assert_eq!(page.attrs("script", "type"), ["application/ld+json"]);
    assert!(page.all("b").is_empty());
    assert!(page.text("title").starts_with(title));
    assert_eq!(page.text("h1"), title);
    assert_eq!(page.attr("meta[property='og:title']", "content"), title);
    assert_eq!(page.attr("meta[name=description]", "content"), title);
    let json: serde_json::Value =
        serde_json::from_str(&page.text("script[type='application/ld+json']")).unwrap();
    assert_eq!(json["headline"], title);
    let feed = parse_feed(&site, "public/atom.xml");
    let titles: Vec<&str> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.as_str())
        .collect();
    assert!(titles.contains(&title), "{titles:?}");
}

#[test]
fn tags_get_an_index_and_a_page_each_with_stable_unique_slugs() {
    let site = blog().write(
        "content/posts/c.md",
        "+++\ntitle = \"C\"\ndate = 2020-01-01\ntags = [\"C\", \"c++\", \"skin care\"]\n+++\n",
    );
    site.build(&[]).ok();
    let index = site.page("public/tags/index.html");
    let tags: Vec<String> = index.texts(".tag-list li");
    // Names equal but for case are one tag, shown as first written (in content file order).
    assert_eq!(
        tags,
        [
            "C (1 article)",
            "c++ (1 article)",
            "skin care (2 articles)",
            "SPF (1 article)"
        ]
    );
    let hrefs = index.attrs(".tag-list a", "href");
    assert_eq!(
        hrefs,
        ["/tags/c/", "/tags/c-1/", "/tags/skin-care/", "/tags/spf/"]
    );
    let skin = site.page("public/tags/skin-care/index.html");
    assert_eq!(skin.texts(".page-item-title"), ["Newer", "C"]);
    let newer = site.page("public/posts/newer/index.html");
    assert_eq!(
        newer.attrs("a[rel=tag]", "href"),
        ["/tags/skin-care/", "/tags/spf/"]
    );
}

/// A real PNG of the given size, a gradient.
fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

#[test]
fn covers_carry_their_size_so_the_layout_does_not_shift() {
    let site = TestSite::new()
        .write(
            "content/posts/a/index.md",
            "+++\ntitle = \"A\"\ncover = { src = \"c.svg\", alt = \"Vector\" }\n+++\n",
        )
        .write(
            "content/posts/a/c.svg",
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 450"></svg>"#,
        )
        .write(
            "content/posts/b/index.md",
            "+++\ntitle = \"B\"\ncover = { src = \"c.png\", alt = \"Photo\" }\n+++\n",
        )
        .write("content/posts/b/c.png", png(1000, 750));
    site.build(&[]).ok();
    let a = site.page("public/posts/a/index.html");
    assert_eq!(
        (
            a.attr("figure.cover img", "width"),
            a.attr("figure.cover img", "height")
        ),
        ("800".into(), "450".into())
    );
    let b = site.page("public/posts/b/index.html");
    assert_eq!(
        (
            b.attr("figure.cover img", "width"),
            b.attr("figure.cover img", "height")
        ),
        ("1000".into(), "750".into())
    );
    let home = site.page("public/index.html");
    for img in home.all(".page-item-cover") {
        assert_eq!(img.value().attr("loading"), Some("lazy"));
        assert!(img.value().attr("width").is_some() && img.value().attr("height").is_some());
    }
}

#[test]
fn raster_covers_get_resized_copies_made_once_and_svg_covers_a_png_for_link_previews() {
    let site = TestSite::new()
        .write("content/posts/p/index.md", "+++\ntitle = \"P\"\ncover = { src = \"photo.png\", alt = \"Photo\" }\n+++\n")
        .write("content/posts/p/photo.png", png(1000, 500))
        .write("content/posts/v/index.md", "+++\ntitle = \"V\"\ncover = { src = \"art.svg\", alt = \"Art\" }\n+++\n")
        .write("content/posts/v/art.svg", r#"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><rect width="400" height="200" fill="teal"/></svg>"#);
    site.build(&[]).ok();
    let page = site.page("public/posts/p/index.html");
    assert_eq!(
        page.attr("figure.cover img", "srcset"),
        "/posts/p/photo-480w.png 480w, /posts/p/photo-960w.png 960w, /posts/p/photo.png 1000w"
    );
    for (file, width, height) in [("photo-480w.png", 480, 240), ("photo-960w.png", 960, 480)] {
        let made = image::open(site.path(&format!("public/posts/p/{file}"))).unwrap();
        assert_eq!((made.width(), made.height()), (width, height), "{file}");
    }
    assert_eq!(
        page.attr("meta[property='og:image']", "content"),
        "https://example.com/posts/p/photo.png"
    );

    let vector = site.page("public/posts/v/index.html");
    assert!(
        vector.all("figure.cover img[srcset]").is_empty(),
        "SVG is passed through"
    );
    assert_eq!(
        vector.attr("meta[property='og:image']", "content"),
        "https://example.com/posts/v/art-1200w.png"
    );
    let png = image::open(site.path("public/posts/v/art-1200w.png")).unwrap();
    assert_eq!((png.width(), png.height()), (1200, 600));

    // Made once: the cache answers the second build, which leaves the cached files as they were.
    let images = site.path(".serum-cache/images");
    let cache = common::snapshot(&images);
    // The cover's copies (PNG and WebP), the listing's thumbnails, the SVG's PNG, the index.
    let suffixes = [
        "-w480-q82.png",
        "-w960-q82.png",
        "-w480-q80.webp",
        "-w1000-q80.webp",
        "-svg1200.png",
    ];
    for suffix in suffixes {
        assert!(
            cache.keys().any(|k| k.ends_with(suffix)),
            "{suffix}: {:?}",
            cache.keys()
        );
    }
    let modified: Vec<_> = walk_modified(&images);
    site.build(&["--force"]).ok();
    assert_eq!(walk_modified(&images), modified);
    assert_eq!(common::snapshot(&images), cache);
}

fn walk_modified(dir: &std::path::Path) -> Vec<std::time::SystemTime> {
    let mut times: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().unwrap().modified().unwrap())
        .collect();
    times.sort();
    times
}

#[test]
fn a_cover_without_alt_is_an_error_naming_the_page() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\ncover = { src = \"x.svg\" }\n+++\n",
    );
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/posts/x.md:3:1: the cover cannot be found: image `x.svg`: there is no file content/posts/x.svg\n  help: put the image beside the file (or anywhere in content/ and use `@/`), or fix the path\n\
         error: content/posts/x.md:3:1: the cover has no `alt` text\n  help: describe the image for readers who cannot see it: `cover = { src = \"…\", alt = \"…\" }`\n\
         error: 2 problems found\n"
    );
}

#[test]
fn stylesheets_are_fingerprinted_and_their_integrity_is_available() {
    let site = TestSite::new().write(
        "templates/404.html",
        "<!doctype html><title>x</title><link rel=\"stylesheet\" href=\"{{ asset_url(path=\"style.css\") }}\" integrity=\"{{ asset_integrity(path=\"style.css\") }}\">",
    );
    site.build(&[]).ok();
    let page = site.page("public/404.html");
    let href = page.attr("link", "href");
    let name = href.trim_start_matches('/');
    assert!(
        name.starts_with("style.")
            && name.ends_with(".css")
            && name.len() == "style..css".len() + 10,
        "{href}"
    );
    assert!(site.path(&format!("public/{name}")).is_file());
    assert!(!site.path("public/style.css").exists());
    assert!(page.attr("link", "integrity").starts_with("sha384-"));
    let site = site.write("static/style.css", "body { margin: 0 }");
    site.build(&[]).ok();
    assert_ne!(
        site.page("public/404.html").attr("link", "href"),
        href,
        "new content, new name"
    );
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    let site = blog();
    site.build(&["--output", site.path("one").to_str().unwrap()])
        .ok();
    site.build(&["--output", site.path("two").to_str().unwrap()])
        .ok();
    // The marker names each build's generation, which differs by design.
    let without_marker = |dir: &str| {
        let mut files = common::snapshot(&site.path(dir));
        assert!(files.remove(".serum-output").is_some());
        files
    };
    assert!(without_marker("one") == without_marker("two"));
}

#[test]
fn a_cover_that_does_not_exist_is_an_error_naming_the_page() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\ncover = { src = \"missing.png\", alt = \"Gone\" }\n+++\n",
    );
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/posts/x.md:3:1: the cover cannot be found: image `missing.png`: there is no file content/posts/missing.png\n  help: put the image beside the file (or anywhere in content/ and use `@/`), or fix the path\n"
    );
}

#[test]
fn tags_differing_only_in_case_are_one_tag_in_any_script() {
    let site = TestSite::new()
        .write(
            "content/posts/a.md",
            "+++\ntitle = \"A\"\ntags = [\"ärger\"]\n+++\n",
        )
        .write(
            "content/posts/b.md",
            "+++\ntitle = \"B\"\ntags = [\"Ärger\"]\n+++\n",
        );
    site.build(&[]).ok();
    for page in ["a", "b"] {
        let html = site.page(&format!("public/posts/{page}/index.html"));
        assert_eq!(html.attrs("a[rel=tag]", "href"), ["/tags/arger/"], "{page}");
    }
    assert_eq!(
        site.page("public/tags/arger/index.html")
            .texts(".page-item-title")
            .len(),
        2
    );
}

#[test]
fn times_with_an_offset_keep_it_in_full() {
    let site = blog();
    site.build(&[]).ok();
    let page = site.page("public/posts/newer/index.html");
    let json: serde_json::Value =
        serde_json::from_str(&page.text("script[type='application/ld+json']")).unwrap();
    assert_eq!(json["datePublished"], "2024-06-01T08:30:00+02:00");
    assert_eq!(
        page.attr(".byline-date", "datetime"),
        "2024-06-01T08:30:00+02:00"
    );
}

#[test]
fn an_alias_may_not_take_an_author_page_or_another_alias() {
    let site = TestSite::new()
        .write(
            "content/posts/x.md",
            "+++\ntitle = \"X\"\naliases = [\"/authors/ann/\", \"/old/\"]\n+++\n",
        )
        .write(
            "content/posts/y.md",
            "+++\ntitle = \"Y\"\naliases = [\"/old/\"]\n+++\n",
        );
    let stderr = site.build(&[]).fails();
    let firsts: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(
        firsts,
        [
            "error: content/posts/x.md:3:1: the alias `/authors/ann/` is already the URL of another page or alias",
            "error: content/posts/y.md:3:1: the alias `/old/` is already the URL of another page or alias",
            "error: 2 problems found",
        ]
    );
}
