//! Shortcodes, highlighted code and tables of contents, through the real binary and an HTML
//! parser: what each built-in gives, how templates override them, and every bad call's message.

mod common;

use common::{TestSite, text_of};

/// A page of the test site with this body.
fn page(body: &str) -> TestSite {
    TestSite::new().write(
        "content/posts/rich.md",
        format!("+++\ntitle = \"Rich\"\ndate = 2024-06-01\n+++\n{body}"),
    )
}

/// Builds, expecting failure, and returns stderr.
#[track_caller]
fn failure(site: &TestSite) -> String {
    site.build(&[]).fails()
}

const PIXEL: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"40\" height=\"20\"/></svg>";

#[test]
fn figure_resolves_its_image_and_gives_its_size_caption_and_credit() {
    let site = page("{{ figure(src=\"pixel.svg\", alt=\"A black bar\", caption=\"The bar\", credit=\"Photo: Ann\") }}\n")
        .write("content/posts/pixel.svg", PIXEL);
    site.build(&[]).ok();
    let html = site.page("public/posts/rich/index.html");
    let img = html.one(".page-content > figure.figure > img");
    assert_eq!(img.value().attr("src"), Some("/posts/pixel.svg"));
    assert_eq!(img.value().attr("alt"), Some("A black bar"));
    assert_eq!(img.value().attr("width"), Some("40"));
    assert_eq!(img.value().attr("height"), Some("20"));
    assert_eq!(html.text("figure.figure figcaption"), "The bar Photo: Ann");
    assert_eq!(html.text("figcaption .figure-credit"), "Photo: Ann");
    assert!(
        html.all(".page-content p").is_empty(),
        "a figure alone is no paragraph"
    );
}

#[test]
fn videos_show_a_play_button_and_load_nothing_from_another_host() {
    let site = page(
        "{{ youtube(id=\"dQw4w9WgXcQ\", start=30, title=\"Rolling the serum in\") }}\n\n{{ vimeo(id=\"76979871\") }}\n",
    );
    site.build(&[]).ok();
    let html = site.page("public/posts/rich/index.html");
    assert_eq!(
        html.attrs("figure.embed", "data-embed"),
        [
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=30",
            "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1"
        ]
    );
    assert_eq!(
        html.texts("figure.embed button.embed-play[type=button]"),
        [
            "Play video: Rolling the serum in",
            "Play video: Vimeo video"
        ]
    );
    assert!(html.all("iframe, img, [src^=http]").is_empty());
    assert_eq!(
        html.all("script:not([type])").len(),
        2,
        "the player script comes once for each kind of video, and only on pages with one"
    );
    let other = site.page("public/posts/first/index.html");
    assert!(other.all("script:not([type])").is_empty());
}

#[test]
fn details_and_steps_keep_their_body_as_markdown_and_give_json_ld() {
    let site = page(
        "{% details(summary=\"Does it hurt?\", faq=true) %}\nA little, like a **scratch**.\n{% end %}\n\n{% details(summary=\"How long?\", faq=true, open=true) %}\nTen minutes.\n{% end %}\n\n{% steps(name=\"Evening routine\") %}\n1. Cleanse.\n2. Apply the serum.\n{% end %}\n",
    );
    site.build(&[]).ok();
    let html = site.page("public/posts/rich/index.html");
    assert_eq!(
        html.texts("details.details > summary"),
        ["Does it hurt?", "How long?"]
    );
    assert_eq!(
        html.all("details.details[open]").len(),
        1,
        "open=true opens it"
    );
    assert_eq!(html.text("details.details .details-body strong"), "scratch");
    assert_eq!(html.text(".steps .steps-name"), "Evening routine");
    assert_eq!(
        html.texts(".steps > ol > li"),
        ["Cleanse.", "Apply the serum."]
    );
    let json: serde_json::Value =
        serde_json::from_str(&text_of(html.one("script[type=\"application/ld+json\"]"))).unwrap();
    let graph = json["@graph"].as_array().unwrap();
    assert_eq!(graph[0]["@type"], "Article");
    assert_eq!(graph[1]["@type"], "FAQPage");
    assert_eq!(graph[1]["mainEntity"][0]["name"], "Does it hurt?");
    assert_eq!(
        graph[1]["mainEntity"][0]["acceptedAnswer"]["text"],
        "A little, like a scratch."
    );
    assert_eq!(graph[1]["mainEntity"].as_array().unwrap().len(), 2);
    assert_eq!(graph[2]["@type"], "HowTo");
    assert_eq!(graph[2]["step"][1]["text"], "Apply the serum.");
}

#[test]
fn the_sites_template_wins_over_the_themes_which_wins_over_the_built_in() {
    let site = page("{{ figure(src=\"x.svg\", alt=\"X\") }}\n\n{{ youtube(id=\"dQw4w9WgXcQ\") }}\n\n{{ details(summary=\"s\") }}\n")
        .write("content/posts/x.svg", PIXEL)
        .with_repo_themes()
        .write("serum.toml", "title = \"T\"\nbase_url = \"https://example.com/\"\ntheme = \"mono\"\n")
        .write(
            "themes/mono/templates/shortcodes/figure.html",
            "<p class=\"theme-figure\">{{ alt }}</p>",
        )
        .write(
            "themes/mono/templates/shortcodes/youtube.html",
            "<p class=\"theme-video\">{{ id }}</p>",
        )
        .write(
            "templates/shortcodes/youtube.html",
            "<p class=\"site-video\">{{ id }}</p>",
        )
        .write(
            "templates/shortcodes/details.md",
            "**{{ summary }}**, in Markdown",
        );
    site.build(&[]).ok();
    let html = site.page("public/posts/rich/index.html");
    assert_eq!(html.text(".theme-figure"), "X", "the theme's figure");
    assert_eq!(html.text(".site-video"), "dQw4w9WgXcQ", "the site's video");
    assert!(html.all(".theme-video").is_empty());
    assert_eq!(
        html.text(".page-content strong"),
        "s",
        "a .md template is Markdown"
    );
}

#[test]
fn a_markdown_template_joins_the_toc_and_its_links_are_checked() {
    let site = page("## First\n\n{{ part(title=\"From the template\") }}\n").write(
        "templates/shortcodes/part.md",
        "## {{ title }}\n\nSee [the first post](@/posts/first.md).\n",
    );
    site.build(&[]).ok();
    let html = site.page("public/posts/rich/index.html");
    assert_eq!(
        html.attrs("nav.toc a", "href"),
        ["#first", "#from-the-template"]
    );
    assert_eq!(html.attr(".page-content p a", "href"), "/posts/first/");
}

#[test]
fn the_escape_writes_the_call_as_it_is_and_code_is_left_alone() {
    let site = page(
        "Write {{/* youtube(id=\"dQw4w9WgXcQ\") */}} in a page.\n\nInline `{{ figure(src=\"a\") }}` code.\n\n```\n{{ nope() }}\n```\n\n    {% details() %}\n",
    );
    site.build(&[]).ok();
    let html = site.page("public/posts/rich/index.html");
    assert_eq!(
        html.texts(".page-content > p"),
        [
            "Write {{ youtube(id=\"dQw4w9WgXcQ\") }} in a page.",
            "Inline {{ figure(src=\"a\") }} code."
        ]
    );
    assert_eq!(
        html.texts(".page-content pre code"),
        ["{{ nope() }}", "{% details() %}"]
    );
}

#[test]
fn code_is_highlighted_with_classes_and_marked_lines() {
    let site = page(
        "```rust,linenos,hl_lines=2-3,linenostart=10\nfn main() {\n    let x = \"serum\";\n    println!(\"{x}\");\n}\n```\n\n```python\ndef f(): return 1\n```\n\n```klingon\nQapla'\n```\n",
    );
    site.build(&[]).ok();
    let html = site.page("public/posts/rich/index.html");
    assert_eq!(
        html.attrs("pre > code", "class"),
        ["language-rust", "language-python", "language-klingon"]
    );
    assert_eq!(
        html.attrs("pre.linenos .line", "data-n"),
        ["10", "11", "12", "13"]
    );
    assert_eq!(html.attrs(".line.hl", "data-n"), ["11", "12"]);
    assert_eq!(html.texts("code.language-rust .hl-k"), ["fn", "let"]);
    assert_eq!(
        html.texts("code.language-rust .hl-s"),
        ["\"serum\"", "\"{x}\""]
    );
    assert_eq!(html.texts("code.language-rust .hl-m"), ["println!"]);
    assert_eq!(html.texts("code.language-python .hl-f"), ["f"]);
    assert!(html.all("code.language-klingon span").is_empty());
    assert!(
        html.all("pre [style]").is_empty(),
        "classes, not inline styles"
    );
}

#[test]
fn toc_depth_and_toc_false_in_front_matter() {
    let body = "+++\ntitle = \"Deep\"\ntoc_depth = 4\n+++\n## A\n\n### B\n\n#### C\n\n##### D\n";
    let site = TestSite::new()
        .write("content/posts/deep.md", body)
        .write(
            "content/posts/hidden.md",
            "+++\ntitle = \"Hidden\"\ntoc = false\n+++\n## A\n\n### B\n",
        )
        .write(
            "content/posts/five.md",
            body.replace("toc_depth = 4", "toc_depth = 6"),
        );
    site.build(&[]).ok();
    let deep = site.page("public/posts/deep/index.html");
    assert_eq!(deep.attrs("nav.toc a", "href"), ["#a", "#b", "#c"]);
    let five = site.page("public/posts/five/index.html");
    assert_eq!(five.attrs("nav.toc a", "href"), ["#a", "#b", "#c", "#d"]);
    let hidden = site.page("public/posts/hidden/index.html");
    assert!(hidden.all("nav.toc").is_empty());
    assert!(hidden.all("article.has-toc").is_empty());
    assert_eq!(hidden.attrs(".page-content h2", "id"), ["a"]);
}

#[test]
fn hostile_arguments_are_inert_or_refused() {
    let site = page("{{ figure(src=\"x.svg\", alt=\"\\\"><script>alert(1)</script>\") }}\n")
        .write("content/posts/x.svg", PIXEL);
    site.build(&[]).ok();
    let html = site.page("public/posts/rich/index.html");
    assert!(html.all(".page-content script").is_empty());
    assert_eq!(
        html.attr("figure.figure img", "alt"),
        "\"><script>alert(1)</script>"
    );

    let site = page("{{ youtube(id=\"\\\"><script>alert(1)</script>\") }}\n");
    assert_eq!(
        failure(&site),
        "error: content/posts/rich.md:5:15: `\"><script>alert(1)</script>` is not a youtube video id\n  help: a YouTube id is the 11 letters, digits, `-` and `_` after `v=` in the video's address\n"
    );
}

#[test]
fn an_unknown_shortcode_says_what_is_close() {
    let site = page("Intro.\n\n{{ yotube(id=\"dQw4w9WgXcQ\") }}\n");
    assert_eq!(
        failure(&site),
        "error: content/posts/rich.md:7:1: unknown shortcode `yotube`\n  help: did you mean `youtube`? the shortcodes here are details, figure, steps, vimeo, youtube; or add templates/shortcodes/yotube.html\n"
    );
}

#[test]
fn a_missing_or_mistyped_argument_is_named() {
    let site = page("{{ figure(src=\"x.svg\") }}\n").write("content/posts/x.svg", PIXEL);
    assert_eq!(
        failure(&site),
        "error: content/posts/rich.md:5:1: the shortcode `figure` needs the argument `alt`\n  help: add `alt=\"…\"` to the call\n"
    );
    let site = page("Text.\n\n{{ youtube(id=\"dQw4w9WgXcQ\", start=\"30\") }}\n");
    assert_eq!(
        failure(&site),
        "error: content/posts/rich.md:7:36: the argument `start` of `youtube` must be a number, not a string\n  help: fix the shortcode call\n"
    );
    let site = page("{{ figure(src=\"x.svg\", alt=\"X\", capton=\"c\") }}\n")
        .write("content/posts/x.svg", PIXEL);
    assert_eq!(
        failure(&site),
        "error: content/posts/rich.md:5:40: the shortcode `figure` has no argument `capton`\n  help: did you mean `caption`? it takes src, alt, caption, credit\n"
    );
}

#[test]
fn an_unclosed_body_and_unreadable_arguments_are_placed() {
    let site = page("Intro.\n\n{% details(summary=\"Q\") %}\nNever closed.\n");
    assert_eq!(
        failure(&site),
        "error: content/posts/rich.md:7:1: the shortcode `details` has a body that is never closed\n  help: end its body with `{% end %}`\n"
    );
    let site = page("{{ figure(src=photo.png) }}\n");
    assert_eq!(
        failure(&site),
        "error: content/posts/rich.md:5:15: `photo` is not a value: text must be quoted\n  help: write \"photo\"\n"
    );
}

#[test]
fn a_missing_image_and_a_broken_link_in_a_body_are_placed_where_written() {
    let site = page(
        "{% details(summary=\"Q\") %}\nSee [this](nowhere.md).\n{% end %}\n\n{{ figure(src=\"gone.png\", alt=\"Gone\") }}\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/rich.md:6:5: broken link `nowhere.md`: there is no content/posts/nowhere.md\n  help: fix the path (relative to this file, or `@/` from content/), or create what it points to\n\
         error: content/posts/rich.md:9:15: missing image `gone.png`: there is no file content/posts/gone.png\n  help: fix the path (relative to this file, `@/` from content/, or `/` from static/), or add the image\n\
         error: 2 problems found\n"
    );
}

#[test]
fn a_failing_template_names_its_file_and_line_and_the_page() {
    let site = page("Text.\n\n{{ card(title=\"x\") }}\n").write(
        "templates/shortcodes/card.html",
        "<div>\n{{ title | nope }}\n</div>\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/rich.md:7:1: the shortcode `card` cannot be used: templates/shortcodes/card.html:2:12: Unknown filter `nope`\n  help: fix the template syntax at that place\n"
    );
    let site = page("Text.\n\n{{ card(title=\"x\") }}\n").write(
        "templates/shortcodes/card.html",
        "<div>\n{{ subtitle }}\n</div>\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/rich.md:7:1: the shortcode `card` failed in templates/shortcodes/card.html:2:4: Variable `subtitle` is not defined. Available variables: base_path, config, home_path, lang, live_reload, nth, site, title\n  help: fix the template, or use `default` or `is defined` for values a page may lack\n"
    );
}
