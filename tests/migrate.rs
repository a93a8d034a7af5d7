//! Sites made with Jekyll, Hugo and Zola build as they are: each fixture is written in its
//! tool's own conventions, built with the real binary, and checked page by page; every
//! convention serum maps has a regression test with its exact message.

mod common;

use common::TestSite;

const CONFIG: &str = "title = \"Moved\"\nbase_url = \"https://example.com/\"\n";

/// A Jekyll blog: `.markdown` posts with dated names, YAML front matter with Jekyll's dates,
/// `layout`, `categories` and `redirect_from`, an author named by another case, anchors written
/// in raw HTML and Liquid left in the text.
fn jekyll_blog() -> TestSite {
    TestSite::empty()
        .write("serum.toml", CONFIG)
        .write("content/authors/dirtyf.md", "---\nname: Frank Taillandier\n---\nMaintainer.\n")
        .write(
            "content/posts/2014-05-06-welcome-to-jekyll.markdown",
            "---\nlayout: post\ntitle: \"Welcome to Jekyll!\"\ndate: 2014-05-06 11:10:38 -0700\ncategories: jekyll update\nauthor: DirtyF\nredirect_from:\n  - /old/welcome.html\n---\nFind this post in `_posts`. [Jump](#install) or [up](#top).\n\n<a name=\"install\"></a>\nInstall it.\n\n<div id=\"top\">Top</div>\n\nSite: {{ site.title }}. Next: {% post_url 2014-05-07-second %}.\n",
        )
        .write(
            "content/posts/2014-05-07-second.markdown",
            "---\ntitle: Second\nauthor: Frank Taillandier\n---\nBack to [the first](@/posts/2014-05-06-welcome-to-jekyll.markdown#install).\n",
        )
}

#[test]
fn a_jekyll_blog_builds_with_its_dates_slugs_authors_and_anchors() {
    let site = jekyll_blog();
    let run = site.build(&[]).ok();
    assert!(run.stdout.starts_with("Built 2 pages"), "{}", run.stdout);

    let first = site.page("public/posts/welcome-to-jekyll/index.html");
    assert_eq!(first.text("h1"), "Welcome to Jekyll!");
    assert_eq!(
        first.attr("time.byline-date", "datetime"),
        "2014-05-06T11:10:38-07:00"
    );
    assert_eq!(first.attr("a[rel=author]", "href"), "/authors/dirtyf/");
    assert_eq!(
        first.attrs(".page-content a[href^='#']", "href"),
        ["#install", "#top"]
    );

    // The date comes from the file name when the front matter has none.
    let second = site.page("public/posts/second/index.html");
    assert_eq!(second.attr("time.byline-date", "datetime"), "2014-05-07");
    assert_eq!(second.attr("a[rel=author]", "href"), "/authors/dirtyf/");
    assert_eq!(
        second.attr(".page-content a[href*=welcome]", "href"),
        "/posts/welcome-to-jekyll/#install"
    );
    let author = site.page("public/authors/dirtyf/index.html");
    let listed = author.attrs("main a[href^='/posts/']", "href");
    assert!(
        listed.contains(&"/posts/welcome-to-jekyll/".to_string()),
        "{listed:?}"
    );
    assert!(listed.contains(&"/posts/second/".to_string()), "{listed:?}");
}

#[test]
fn a_jekyll_blog_is_told_what_its_keys_and_liquid_become_here() {
    let run = jekyll_blog().build(&[]).ok();
    let file = "content/posts/2014-05-06-welcome-to-jekyll.markdown";
    let expected = [
        format!(
            "warning: {file}:2:1: front matter key `layout` is not used by serum\n  help: use `template = \"….html\"` to render the page with another template\n"
        ),
        format!(
            "warning: {file}:5:1: front matter key `categories` is not used by serum\n  help: to sort pages by it, declare it in serum.toml as a taxonomy: taxonomies = [{{ name = \"categories\" }}], and write its terms as a list: categories = [\"jekyll\", \"update\"]\n"
        ),
        format!(
            "warning: {file}:7:1: front matter key `redirect_from` is not used by serum\n  help: use `aliases`: the old URLs that lead here\n"
        ),
        format!(
            "warning: {file}:17:7: `{{{{ site.title }}}}` is template syntax serum does not run: it is published as text\n  help: write what it stands for, or put it in a code span to show it as it is\n"
        ),
        format!(
            "warning: {file}:17:31: `{{% post_url 2014-05-07-second %}}` is template syntax serum does not run: it is published as text\n  help: link to the page with `@/` and its path in content/, such as `[title](@/blog/first-post.md)`\n"
        ),
    ];
    assert_eq!(run.stderr, expected.concat());
}

/// A Hugo blog: `content/post/` with YAML, `url:`, raw-HTML heading ids, a shortcode in Hugo's
/// syntax, and authors named by display name.
fn hugo_blog() -> TestSite {
    TestSite::empty()
        .write("serum.toml", CONFIG)
        .write("content/authors/jane-doe.md", "+++\nname = \"Jane Doe\"\n+++\nWrites.\n")
        .write(
            "content/post/spf.md",
            "---\ntitle: SPF explained\ndate: 2019-05-03T10:00:00+02:00\nauthors: [\"Jane Doe\"]\nurl: /2019/05/spf/\ntags: [\"sun\"]\n---\n<h2 id=\"uva\">UVA</h2>\n\nSee [UVA](#uva) and [UVB](#uvb).\n\n<h3 id='uvb'>UVB</h3>\n\n{{< youtube w7Ft2ymGmfc >}}\n",
        )
        .write(
            "content/post/moved.md",
            "---\ntitle: Moved\ndate: 2019-06-01\nauthor: jane-doe\npath: /2019/06/moved/\naliases: [\"/post/moved.html\"]\n---\nRead [SPF](@/post/spf.md#uvb).\n",
        )
}

#[test]
fn a_hugo_blog_builds_with_its_own_urls_and_raw_html_anchors() {
    let site = hugo_blog();
    site.build(&[]).ok();
    let spf = site.page("public/post/spf/index.html");
    assert_eq!(spf.text("h1"), "SPF explained");
    assert_eq!(spf.attr("a[rel=author]", "href"), "/authors/jane-doe/");
    assert_eq!(
        spf.attrs(".page-content a[href^='#u']", "href"),
        ["#uva", "#uvb"]
    );

    // `path` publishes the page at its own URL, and `aliases` keeps the old one working.
    let moved = site.page("public/2019/06/moved/index.html");
    assert_eq!(moved.text("h1"), "Moved");
    assert_eq!(
        moved.attr("link[rel=canonical]", "href"),
        "https://example.com/2019/06/moved/"
    );
    assert_eq!(
        moved.attr(".page-content a[href*=spf]", "href"),
        "/post/spf/#uvb"
    );
    assert!(!site.path("public/post/moved").exists());
    let alias = site.read("public/post/moved.html");
    assert!(alias.contains("/2019/06/moved/"), "{alias}");
}

#[test]
fn a_hugo_blog_is_told_about_url_and_its_shortcode_syntax() {
    let run = hugo_blog().build(&[]).ok();
    assert_eq!(
        run.stderr,
        "warning: content/post/spf.md:5:1: front matter key `url` is not used by serum\n  help: use `path = \"/…/\"` to give the page its own URL\n\
         warning: content/post/spf.md:14:1: `{{< youtube w7Ft2ymGmfc >}}` is template syntax serum does not run: it is published as text\n  help: Hugo's shortcodes are written as calls here: `{{ youtube(id=\"…\") }}`, with a template in templates/shortcodes/\n"
    );
}

/// Zola content: blank lines before the front matter (a byte-order mark too), `[taxonomies]`,
/// `authors` by display name, a dated file name, `path`, and a built-in shortcode.
fn zola_docs() -> TestSite {
    TestSite::empty()
        .write("serum.toml", format!("{CONFIG}taxonomies = [{{ name = \"categories\" }}]\n"))
        .write("content/authors/vincent.md", "+++\nname = \"Vincent Prouillet\"\n+++\nZola.\n")
        .write("content/docs/_index.md", "\n+++\ntitle = \"Docs\"\nsort_by = \"weight\"\n+++\n")
        .write(
            "content/docs/overview.md",
            "\n\n+++\ntitle = \"Overview\"\nweight = 1\nauthors = [\"Vincent Prouillet\"]\n\n[taxonomies]\ntags = [\"intro\"]\ncategories = [\"guide\"]\n+++\nZola's overview.\n\n{{ youtube(id=\"dQw4w9WgXcQ\") }}\n",
        )
        .write(
            "content/docs/2021-03-04-release.md",
            "\u{feff}\n+++\ntitle = \"Release\"\nweight = 2\npath = \"releases/0.13\"\n+++\nIt [is out](@/docs/overview.md).\n",
        )
}

#[test]
fn zola_content_builds_with_blank_lines_taxonomies_authors_and_paths() {
    let site = zola_docs();
    let run = site.build(&[]).ok();
    assert_eq!(run.stderr, "");
    let overview = site.page("public/docs/overview/index.html");
    assert_eq!(overview.text("h1"), "Overview");
    assert_eq!(overview.attr("a[rel=author]", "href"), "/authors/vincent/");
    assert_eq!(
        overview.attrs("figure.embed", "data-embed"),
        ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"]
    );
    let tag = site.page("public/tags/intro/index.html");
    assert_eq!(tag.attrs("main h2 a", "href"), ["/docs/overview/"]);
    let category = site.page("public/categories/guide/index.html");
    assert_eq!(category.attrs("main h2 a", "href"), ["/docs/overview/"]);

    let release = site.page("public/releases/0.13/index.html");
    assert_eq!(release.text("h1"), "Release");
    assert_eq!(release.attr("time.byline-date", "datetime"), "2021-03-04");
}

#[test]
fn errors_after_blank_lines_point_at_the_right_line() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "\n\n+++\ntitle = \"X\"\nauthor = = \"ann\"\n+++\n",
    );
    let stderr = site.build(&[]).fails();
    assert!(
        stderr.starts_with("error: content/posts/x.md:5:10: "),
        "{stderr}"
    );
}

#[test]
fn an_author_is_found_by_slug_in_any_case_or_by_name_and_else_named_with_the_way_out() {
    let site = TestSite::new()
        .write(
            "content/authors/bo.md",
            "+++\nname = \"Bo Chen\"\n+++\nBo.\n",
        )
        .write(
            "content/posts/a.md",
            "+++\ntitle = \"A\"\nauthor = \"ANN\"\n+++\nA.\n",
        )
        .write(
            "content/posts/b.md",
            "+++\ntitle = \"B\"\nauthors = [\"bo chen\", \"Ann Lee\"]\n+++\nB.\n",
        );
    site.build(&[]).ok();
    let b = site.page("public/posts/b/index.html");
    assert_eq!(
        b.attrs("a[rel=author]", "href"),
        ["/authors/bo/", "/authors/ann/"]
    );

    let site = site.write(
        "content/posts/c.md",
        "+++\ntitle = \"C\"\nauthor = \"Mike Rubini\"\n+++\nC.\n",
    );
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/posts/c.md:3:1: unknown author `Mike Rubini`\n  help: create content/authors/mike-rubini.md with `name = \"Mike Rubini\"`, or use one of: ann, bo\n"
    );
    let site = site.write(
        "content/posts/c.md",
        "+++\ntitle = \"C\"\nauthor = \"Bo Chan\"\n+++\nC.\n",
    );
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/posts/c.md:3:1: unknown author `Bo Chan`\n  help: did you mean `bo`? Otherwise create content/authors/bo-chan.md with `name = \"Bo Chan\"`\n"
    );
}

#[test]
fn a_path_that_cannot_be_a_folder_is_an_error_at_its_line() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\npath = \"/old/x.html\"\n+++\n",
    );
    assert_eq!(
        site.build(&[]).fails(),
        "error: content/posts/x.md:3:1: `path = \"/old/x.html\"` names a file: serum publishes each page as a folder with an index.html\n  help: write the page's URL path from the site's root, such as `path = \"/2019/05/first-post/\"`; keep an old `.html` URL working with `aliases`\n"
    );
}

#[test]
fn a_path_taken_by_another_page_is_a_collision() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\npath = \"posts/first\"\n+++\n",
    );
    let stderr = site.build(&[]).fails();
    assert!(
        stderr.contains("two pages would be published at /posts/first/"),
        "{stderr}"
    );
}

#[test]
fn template_syntax_in_code_is_left_alone() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\nauthor = \"ann\"\ndescription = \"x\"\n+++\nWrite `{{ site.title }}` in Liquid.\n\n```\n{% post_url x %}\n```\n",
    );
    let run = site.build(&[]).ok();
    assert_eq!(run.stderr, "");
}
