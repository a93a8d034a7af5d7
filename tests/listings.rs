//! A publication, not one article: paginated listings, taxonomies, previous/next, related
//! articles, other pages from templates, and scheduled posts.

mod common;

use std::collections::BTreeSet;

use common::{Page, TestSite};

/// A site with `n` articles in `posts/`, dated one day apart (article 0 the oldest), each with
/// tags and skin concerns.
fn publication(n: usize, config_extra: &str) -> TestSite {
    let mut site = TestSite::new()
        .write(
            "serum.toml",
            format!(
                "title = \"Glow\"\nbase_url = \"https://example.com/\"\n{config_extra}\ntaxonomies = [{{ name = \"concerns\", feed = true }}, {{ name = \"ingredients\" }}]\n"
            ),
        )
        .remove("content/posts/first.md");
    for i in 0..n {
        let concern = ["acne", "ageing", "pigmentation"][i % 3];
        site = site.write(
            &format!("content/posts/a{i:02}.md"),
            format!(
                "+++\ntitle = \"Article {i}\"\ndate = 2024-01-01T00:00:00Z\nupdated = 2024-01-01\nauthor = \"ann\"\ntags = [\"t{}\"]\nconcerns = [\"{concern}\"]\n+++\nBody {i}.\n",
                i % 4
            )
            .replace("2024-01-01T00:00:00Z", &format!("2024-01-{:02}T00:00:00Z", i + 1)),
        );
    }
    site
}

/// The article links of a listing page, in order.
fn listed(page: &Page) -> Vec<String> {
    page.attrs(".page-item-title a", "href")
}

/// Follows a listing's pager from its first page; returns the articles of each page.
fn follow_pager(site: &TestSite, first: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut path = first.to_string();
    loop {
        let page = site.page(&format!("public{path}index.html"));
        pages.push(listed(&page));
        let next = page.attrs("nav.pager a[rel=next]", "href");
        match next.first() {
            Some(next) => path = next.clone(),
            None => return pages,
        }
        assert!(pages.len() < 100, "the pager goes round in circles");
    }
}

#[test]
fn following_the_pager_from_the_home_page_reaches_every_article_exactly_once() {
    let site = publication(25, "paginate_by = 10");
    site.build(&[]).ok();
    let pages = follow_pager(&site, "/");
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 5]);
    let all: Vec<&String> = pages.iter().flatten().collect();
    let unique: BTreeSet<&String> = all.iter().copied().collect();
    assert_eq!(all.len(), 25);
    assert_eq!(unique.len(), 25, "no article twice");
    assert_eq!(all[0], "/posts/a24/", "newest first");

    let second = site.page("public/page/2/index.html");
    assert_eq!(
        second.text("title"),
        "Page 2 of 3 · Glow",
        "later pages say so in their title"
    );
    assert_eq!(
        second.attr("link[rel=canonical]", "href"),
        "https://example.com/page/2/"
    );
    assert_eq!(
        second.attr("nav.pager a[aria-current=page]", "href"),
        "/page/2/"
    );
    assert_eq!(second.attr("nav.pager a[rel=prev]", "href"), "/");
    assert_eq!(second.attr("nav.pager", "aria-label"), "Pages of this list");

    let redirect = site.page("public/page/1/index.html");
    assert_eq!(
        redirect.attr("meta[http-equiv=refresh]", "content"),
        "0; url=https://example.com/"
    );
    assert_eq!(
        redirect.attr("link[rel=canonical]", "href"),
        "https://example.com/"
    );
}

#[test]
fn no_listing_page_holds_more_than_paginate_by_articles() {
    let site = publication(23, "paginate_by = 4");
    site.build(&[]).ok();
    let files = common::snapshot(&site.path("public"));
    let mut listing_pages = 0;
    for path in files.keys().filter(|p| p.ends_with("index.html")) {
        let page = site.page(&format!("public/{path}"));
        let items = listed(&page).len();
        assert!(items <= 4, "{path} lists {items} articles");
        listing_pages += usize::from(items > 0);
    }
    // The home page, posts/, ann's page, 4 tags and 3 concerns, each over 1 to 6 pages.
    assert!(listing_pages > 20, "{listing_pages}");
    assert_eq!(follow_pager(&site, "/authors/ann/").concat().len(), 23);
    assert_eq!(follow_pager(&site, "/tags/t1/").concat().len(), 6);
}

#[test]
fn a_section_sets_its_own_paginate_by_and_zero_turns_pagination_off() {
    let site = publication(12, "paginate_by = 5").write(
        "content/posts/_index.md",
        "+++\ntitle = \"Posts\"\npaginate_by = 0\n+++\n",
    );
    site.build(&[]).ok();
    assert_eq!(listed(&site.page("public/posts/index.html")).len(), 12);
    assert!(
        site.page("public/posts/index.html")
            .all("nav.pager")
            .is_empty()
    );
    assert!(!site.path("public/posts/page/2/index.html").exists());
    assert_eq!(
        follow_pager(&site, "/").len(),
        3,
        "the home page still paginates"
    );
    let site = site.write(
        "content/posts/_index.md",
        "+++\ntitle = \"Posts\"\npaginate_by = 7\n+++\n",
    );
    site.build(&[]).ok();
    assert_eq!(
        follow_pager(&site, "/posts/")
            .iter()
            .map(Vec::len)
            .collect::<Vec<_>>(),
        [7, 5]
    );
}

#[test]
fn the_pager_shows_the_first_the_last_and_the_pages_around_with_gaps() {
    let site = publication(30, "paginate_by = 2");
    site.build(&[]).ok();
    let page = site.page("public/page/8/index.html");
    let shown: Vec<String> = page
        .all("nav.pager li")
        .into_iter()
        .map(common::text_of)
        .collect();
    assert_eq!(
        shown,
        [
            "← Previous page",
            "Page 1",
            "…",
            "Page 6",
            "Page 7",
            "Page 8",
            "Page 9",
            "Page 10",
            "…",
            "Page 15",
            "Next page →"
        ]
    );
}

#[test]
fn term_pages_list_exactly_the_pages_that_carry_the_term() {
    let site = publication(9, "paginate_by = 10").write(
        "content/posts/zola.md",
        "+++\ntitle = \"Zola style\"\ndate = 2023-01-01\n[taxonomies]\nconcerns = [\"Acne\"]\ningredients = [\"Retinol\"]\n+++\nBody.\n",
    );
    site.build(&[]).ok();
    let acne = site.page("public/concerns/acne/index.html");
    let mut expected: Vec<String> = (0..9)
        .rev()
        .filter(|i| i % 3 == 0)
        .map(|i| format!("/posts/a{i:02}/"))
        .collect();
    expected.push("/posts/zola/".into());
    assert_eq!(listed(&acne), expected);
    assert_eq!(acne.text("h1"), "acne");
    assert_eq!(
        acne.attr(
            "link[rel=alternate][href='/concerns/acne/atom.xml']",
            "title"
        ),
        "Glow: acne"
    );
    let feed = site.read("public/concerns/acne/atom.xml");
    let feed = feed_rs::parser::parse(feed.as_bytes()).unwrap();
    assert_eq!(feed.entries.len(), 4);

    let index = site.page("public/concerns/index.html");
    assert_eq!(
        index.texts(".tag-list li"),
        [
            "acne (4 articles)",
            "ageing (3 articles)",
            "pigmentation (3 articles)"
        ]
    );
    assert_eq!(
        listed(&site.page("public/ingredients/retinol/index.html")),
        ["/posts/zola/"]
    );
    assert!(
        !site.path("public/ingredients/retinol/atom.xml").exists(),
        "only taxonomies with feed = true get feeds"
    );
    let article = site.page("public/posts/zola/index.html");
    assert!(article.one("main").html().contains("Zola style"));
}

#[test]
fn templates_see_a_page_s_terms_per_taxonomy() {
    let site = publication(3, "").write(
        "templates/page.html",
        "<!DOCTYPE html><html lang=\"en\"><title>{{ page.title }}</title><ul>{% for t in page.taxonomies.concerns %}<li class=\"concern\"><a href=\"{{ t.url }}\">{{ t.name }}</a> {{ t.count }}</li>{% endfor %}</ul>",
    );
    site.build(&[]).ok();
    let page = site.page("public/posts/a01/index.html");
    assert_eq!(page.texts("li.concern"), ["ageing 1"]);
    assert_eq!(page.attr("li.concern a", "href"), "/concerns/ageing/");
}

#[test]
fn previous_and_next_chain_through_a_whole_section() {
    let site = publication(6, "").write(
        "content/posts/_index.md",
        "+++\ntitle = \"Posts\"\nsort_by = \"title\"\n+++\n",
    );
    site.build(&[]).ok();
    let mut path = "/posts/a00/".to_string();
    let mut seen = vec![path.clone()];
    loop {
        let page = site.page(&format!("public{path}index.html"));
        let next = page.attrs("nav.page-nav a[rel=next]", "href");
        let Some(next) = next.first().cloned() else {
            break;
        };
        let back = site.page(&format!("public{next}index.html"));
        assert_eq!(back.attr("nav.page-nav a[rel=prev]", "href"), path);
        path = next;
        seen.push(path.clone());
    }
    let expected: Vec<String> = (0..6).map(|i| format!("/posts/a{i:02}/")).collect();
    assert_eq!(seen, expected, "by title, as the section sorts");
    let first = site.page("public/posts/a00/index.html");
    assert!(first.all("nav.page-nav a[rel=prev]").is_empty());
    assert_eq!(first.text("nav.page-nav a[rel=next] strong"), "Article 1");
}

#[test]
fn related_articles_share_a_term_rarer_terms_weighing_more() {
    let site = TestSite::new()
        .write(
            "serum.toml",
            "title = \"Glow\"\nbase_url = \"https://example.com/\"\nrelated_limit = 2\ntaxonomies = [{ name = \"ingredients\" }]\n",
        )
        .write("content/posts/first.md", "+++\ntitle = \"Retinol guide\"\ndate = 2024-01-01\ntags = [\"common\"]\ningredients = [\"retinol\"]\n+++\nA.\n")
        .write("content/posts/b.md", "+++\ntitle = \"Also retinol\"\ndate = 2023-01-01\ningredients = [\"retinol\"]\n+++\nB.\n")
        .write("content/posts/c.md", "+++\ntitle = \"Common one\"\ndate = 2024-02-01\ntags = [\"common\"]\n+++\nC.\n")
        .write("content/posts/d.md", "+++\ntitle = \"Common two\"\ndate = 2024-03-01\ntags = [\"common\"]\n+++\nD.\n")
        .write("content/posts/e.md", "+++\ntitle = \"Common three\"\ndate = 2024-04-01\ntags = [\"common\"]\n+++\nE.\n")
        .write("content/posts/f.md", "+++\ntitle = \"Common, older\"\ndate = 2020-01-01\ntags = [\"common\"]\n+++\nF.\n")
        .write("content/posts/g.md", "+++\ntitle = \"Common, oldest\"\ndate = 2019-01-01\ntags = [\"common\"]\n+++\nG.\n")
        .write("content/posts/draft.md", "+++\ntitle = \"Draft\"\ndraft = true\ningredients = [\"retinol\"]\n+++\nX.\n")
        .write("content/posts/hidden.md", "+++\ntitle = \"Hidden\"\nnoindex = true\ningredients = [\"retinol\"]\n+++\nX.\n")
        .write("content/posts/alone.md", "+++\ntitle = \"Alone\"\n+++\nNothing shared.\n");
    site.build(&["--drafts"]).ok();
    let page = site.page("public/posts/first/index.html");
    assert_eq!(
        page.texts("section.related h3"),
        ["Also retinol", "Common three"],
        "the rare ingredient first, then the newest page sharing the common tag"
    );
    let card = &page.all("section.related li")[0];
    assert!(
        common::text_of(*card).contains("1 min read"),
        "cards carry the reading time"
    );
    assert!(
        site.page("public/posts/alone/index.html")
            .all("section.related")
            .is_empty()
    );
}

#[test]
fn templates_can_show_other_pages_sections_and_taxonomies() {
    let site = publication(3, "").write(
        "templates/index.html",
        "<!DOCTYPE html><html lang=\"en\"><title>Home</title>\
         {% set featured = get_page(path=\"@/posts/a01.md\") %}<p class=\"featured\"><a href=\"{{ featured.url }}\">{{ featured.title }}</a></p>\
         {% set posts = get_section(path=\"@/posts/_index.md\") %}<p class=\"posts\">{{ posts.title }}: {{ posts.pages | length }}</p>\
         {% set concerns = get_taxonomy(name=\"concerns\") %}<ul>{% for t in concerns.terms %}<li class=\"concern\">{{ t.name }} {{ t.count }}</li>{% endfor %}</ul>",
    )
    .write("content/posts/_index.md", "+++\ntitle = \"Posts\"\n+++\n");
    site.build(&[]).ok();
    let home = site.page("public/index.html");
    assert_eq!(home.text(".featured"), "Article 1");
    assert_eq!(home.attr(".featured a", "href"), "/posts/a01/");
    assert_eq!(home.text(".posts"), "Posts: 3");
    assert_eq!(
        home.texts("li.concern"),
        ["acne 1", "ageing 1", "pigmentation 1"]
    );

    // The featured page's title is shown on the home page: renaming it rebuilds the home page.
    let site = site.write(
        "content/posts/a01.md",
        "+++\ntitle = \"Renamed\"\ndate = 2024-01-02\nauthor = \"ann\"\n+++\nBody.\n",
    );
    site.build(&[]).ok();
    assert_eq!(site.page("public/index.html").text(".featured"), "Renamed");
}

#[test]
fn a_missing_page_asked_for_by_a_template_names_the_template_line_and_path() {
    let site = publication(1, "").write(
        "templates/index.html",
        "<!DOCTYPE html>\n<title>x</title>\n{% set p = get_page(path=\"@/posts/nope.md\") %}",
    );
    assert_eq!(
        site.build(&[]).fails(),
        "error: templates/index.html:3:12: get_page: there is no page content/posts/nope.md (while rendering content/_index.md)\n  help: fix the template, or use `default` or `is defined` for values a page may lack\n"
    );
}

#[test]
fn a_future_article_appears_nowhere_but_appears_with_future() {
    let site = publication(3, "").write(
        "content/posts/soon.md",
        "+++\ntitle = \"Coming soon\"\ndate = 2999-12-05\nauthor = \"ann\"\ntags = [\"t0\"]\nconcerns = [\"acne\"]\n+++\nSoon.\n",
    );
    let run = site.build(&[]).ok();
    assert!(
        run.stdout
            .trim_end()
            .ends_with("; 1 scheduled page left out (next: 2999-12-05)"),
        "{}",
        run.stdout
    );
    assert!(!site.path("public/posts/soon/index.html").exists());
    let files = common::snapshot(&site.path("public"));
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("soon"), "{path} mentions the scheduled page");
        assert!(
            !text.contains("2999"),
            "{path} carries a date in the future"
        );
    }
    site.build(&["--future"]).ok();
    assert!(site.path("public/posts/soon/index.html").exists());
    assert_eq!(listed(&site.page("public/index.html"))[0], "/posts/soon/");
    assert!(site.read("public/atom.xml").contains("/posts/soon/"));
}

#[test]
fn a_rebuild_notices_that_a_scheduled_date_has_passed() {
    let due = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3);
    let site = publication(2, "").write(
        "content/posts/soon.md",
        format!(
            "+++\ntitle = \"Soon\"\ndate = {}\n+++\nSoon.\n",
            due.strftime("%Y-%m-%dT%H:%M:%SZ")
        ),
    );
    site.build(&[]).ok();
    assert!(!site.path("public/posts/soon/index.html").exists());
    std::thread::sleep(std::time::Duration::from_secs(4));
    let run = site.build(&[]).ok();
    assert!(run.stdout.starts_with("Built "), "{}", run.stdout);
    assert!(site.path("public/posts/soon/index.html").exists());
}

#[test]
fn no_lastmod_or_update_in_the_future_is_published() {
    let site = publication(1, "").write(
        "content/posts/a00.md",
        "+++\ntitle = \"Updated later\"\ndate = 2024-01-01\nupdated = 2999-01-01\n+++\nBody.\n",
    );
    site.build(&[]).ok();
    let sitemap = site.read("public/sitemap.xml");
    assert!(!sitemap.contains("2999"), "{sitemap}");
    assert!(!site.read("public/atom.xml").contains("2999"));
}

#[test]
fn an_undeclared_list_of_terms_is_a_warning_that_says_how_to_declare_it() {
    let site = publication(1, "").write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\ncategories = [\"news\"]\n+++\nBody.\n",
    );
    let run = site.build(&[]).ok();
    assert_eq!(
        run.stderr,
        "warning: content/posts/x.md:3:1: front matter key `categories` is not used by serum\n  help: to sort pages by it, declare it in serum.toml as a taxonomy: taxonomies = [{ name = \"categories\" }]; or put it under `extra`\n"
    );
}

#[test]
fn bad_listing_settings_are_named_at_their_place() {
    let cases = [
        (
            "paginate_by = \"ten\"\n",
            "error: serum.toml:3:15: invalid TOML: invalid type: string \"ten\", expected i64\n  help: check the quoting and the `key = value` syntax on that line\n",
        ),
        (
            "paginate_by = -2\n",
            "error: serum.toml:3:1: `paginate_by = -2`: a listing cannot show fewer than no articles per page\n  help: give how many articles a listing page shows, such as 10; 0 puts them all on one page\n",
        ),
        (
            "taxonomies = [{ name = \"tags\" }, { name = \"tags\" }]\n",
            "error: serum.toml:3:43: the taxonomy `tags` is declared twice\n  help: keep one of them\n",
        ),
        (
            "taxonomies = [{ name = \"authors\" }]\n",
            "error: serum.toml:3:24: a taxonomy cannot be named `authors`: serum publishes other pages at /authors/\n  help: choose another name\n",
        ),
        (
            "taxonomies = [{ name = \"posts\" }]\n",
            "error: serum.toml:3:24: the taxonomy `posts` and the section content/posts would both be published at /posts/\n  help: rename the taxonomy or the section's folder\n",
        ),
    ];
    for (setting, expected) in cases {
        let site = TestSite::new().write(
            "serum.toml",
            format!("title = \"T\"\nbase_url = \"https://example.com/\"\n{setting}"),
        );
        assert_eq!(site.build(&[]).fails(), expected, "{setting}");
    }
}

#[test]
fn a_term_that_slugs_to_nothing_is_named_at_its_key() {
    let site = publication(1, "").write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\nconcerns = [\"!!!\"]\n+++\nBody.\n",
    );
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/posts/x.md:3:1: the term `!!!` has no letter or digit to make its page's URL of\n  help: write the term with at least one letter or digit\n"
    );
}

#[test]
fn a_section_with_a_bad_paginate_by_is_named_at_its_key() {
    let site = publication(1, "").write(
        "content/posts/_index.md",
        "+++\ntitle = \"Posts\"\npaginate_by = -1\n+++\n",
    );
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/posts/_index.md:3:1: `paginate_by = -1`: a listing cannot show fewer than no articles per page\n  help: give how many articles a listing page shows, such as 10; 0 puts them all on one page\n"
    );
}

#[test]
fn an_author_page_and_feed_list_each_article_naming_them_once_newest_first() {
    let site = publication(0, "")
        .write("content/authors/bo.md", "+++\nname = \"Bo Ek\"\n+++\nBo.\n")
        .write(
            "content/posts/solo.md",
            "+++\ntitle = \"Solo\"\ndate = 2024-01-01\nauthor = \"bo\"\n+++\nBody.\n",
        )
        .write(
            "content/posts/shared.md",
            "+++\ntitle = \"Shared\"\ndate = 2024-03-01\nauthors = [\"ann\", \"bo\"]\n+++\nBody.\n",
        )
        .write(
            "content/posts/twice.md",
            "+++\ntitle = \"Twice\"\ndate = 2024-02-01\nauthors = [\"bo\", \"bo\"]\n+++\nBody.\n",
        )
        .write(
            "content/posts/other.md",
            "+++\ntitle = \"Other\"\ndate = 2024-04-01\nauthor = \"ann\"\n+++\nBody.\n",
        );
    site.build(&[]).ok();
    let bo = site.page("public/authors/bo/index.html");
    assert_eq!(
        listed(&bo),
        ["/posts/shared/", "/posts/twice/", "/posts/solo/"]
    );
    let ann = site.page("public/authors/ann/index.html");
    assert_eq!(listed(&ann), ["/posts/other/", "/posts/shared/"]);
    let feed = site.read("public/authors/bo/atom.xml");
    let feed = feed_rs::parser::parse(feed.as_bytes()).expect("bo's feed is Atom");
    let titles: Vec<String> = (feed.entries.iter())
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    assert_eq!(titles, ["Shared", "Twice", "Solo"]);
    let sitemap = site.read("public/sitemap.xml");
    let sitemap = roxmltree::Document::parse(&sitemap).expect("the sitemap is XML");
    let lastmod = |loc: &str| {
        let url = sitemap
            .descendants()
            .find(|n| n.has_tag_name("loc") && n.text() == Some(loc))
            .and_then(|n| n.parent())
            .unwrap_or_else(|| panic!("{loc} is in the sitemap"));
        let lastmod = url.children().find(|c| c.has_tag_name("lastmod"));
        lastmod.and_then(|c| c.text()).map(str::to_string)
    };
    assert_eq!(
        lastmod("https://example.com/authors/bo/").as_deref(),
        Some("2024-03-01")
    );
    assert_eq!(
        lastmod("https://example.com/authors/ann/").as_deref(),
        Some("2024-04-01")
    );
}
