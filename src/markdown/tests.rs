//! Specs of the Markdown renderer.

use super::*;

fn keep(_: &str) -> LinkAction {
    LinkAction::Keep
}

#[test]
fn headings_get_unique_ids_and_self_links() {
    let r = render(
        "## Why the trend?\n\n## Why the trend?\n\n## Custom {#mine}\n",
        &Options::default(),
        &keep,
    );
    assert_eq!(r.ids, ["why-the-trend", "why-the-trend-1", "mine"]);
    assert!(r.html.contains("<h2 id=\"why-the-trend\">Why the trend? <a class=\"anchor\" href=\"#why-the-trend\" aria-label=\"Link to this section: Why the trend?\"></a></h2>"), "{}", r.html);
}

#[test]
fn explicit_ids_are_not_taken_by_earlier_slugs() {
    let r = render(
        "## Intro\n\n## Other {#intro}\n",
        &Options::default(),
        &keep,
    );
    assert_eq!(r.ids, ["intro-1", "intro"]);
}

#[test]
fn toc_nests_h3_under_h2_and_keeps_a_leading_h3() {
    let r = render(
        "### Early\n\n## A\n\n### A1\n\n#### deep\n\n## B\n",
        &Options::default(),
        &keep,
    );
    let shape: Vec<(String, Vec<String>)> = r
        .toc
        .iter()
        .map(|e| {
            (
                e.id.clone(),
                e.children.iter().map(|c| c.id.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("early".into(), vec![]),
            ("a".into(), vec!["a1".into()]),
            ("b".into(), vec![])
        ]
    );
}

#[test]
fn a_render_holds_no_more_memory_than_its_parts_need() {
    // Every page's render is held until its page is written: room left over from growing
    // would be paid for once per page of the site.
    let mut markdown =
        String::from("A summary, long enough to outgrow the first sizes its buffer takes.\n\n");
    for part in 1..=6 {
        markdown += &format!("## Part {part}\n\n### Detail {part}\n\n");
        markdown += &"Text with `code`, *emphasis* and <b>inline HTML</b>. ".repeat(part * 9);
        markdown += "\n\n";
    }
    let r = render(&markdown, &Options::default(), &keep);
    for (name, text) in [("html", &r.html), ("summary", &r.summary_html)] {
        assert!(text.len() > 64, "{name}: {text}");
        assert!(text.capacity() - text.len() <= text.len() / 16, "{name}");
    }
    assert_eq!((r.ids.len(), r.ids.capacity()), (12, 12));
    fn fitted(toc: &Vec<TocEntry>) -> bool {
        toc.len() == toc.capacity() && toc.iter().all(|e| fitted(&e.children))
    }
    assert_eq!(r.toc.len(), 6);
    assert_eq!(r.toc[5].children[0].id, "detail-6");
    assert!(fitted(&r.toc));
}

#[test]
fn summary_is_first_paragraph_or_text_before_more() {
    let r = render(
        "## Head\n\nFirst *para*.\n\nSecond.\n",
        &Options::default(),
        &keep,
    );
    assert_eq!(r.summary_html, "<p>First <em>para</em>.</p>\n");
    assert_eq!(r.summary_text, "First para.");
    let r = render(
        "One.\n\nTwo.\n\n<!-- more -->\n\nThree.\n",
        &Options::default(),
        &keep,
    );
    assert_eq!(r.summary_text, "One. Two.");
    assert!(!r.html.contains("more"));
}

#[test]
fn summaries_drop_footnote_references() {
    let r = render("Claim.[^1]\n\n[^1]: Source.\n", &Options::default(), &keep);
    assert_eq!(r.summary_html, "<p>Claim.</p>\n");
}

#[test]
fn footnote_labels_are_not_taken_by_headings() {
    let r = render(
        "Claim.[^first]\n\n## First\n\n[^first]: Source.\n",
        &Options::default(),
        &keep,
    );
    assert_eq!(
        r.ids.iter().filter(|id| *id == "first").count(),
        1,
        "{:?}",
        r.ids
    );
    assert!(r.html.contains("<h2 id=\"first-1\">"), "{}", r.html);
}

#[test]
fn task_list_checkboxes_have_names() {
    let r = render("- [x] done\n- [ ] todo\n", &Options::default(), &keep);
    assert!(
        r.html
            .contains(r#"<input type="checkbox" disabled checked aria-label="Done"> done"#),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains(r#"<input type="checkbox" disabled aria-label="To do"> todo"#),
        "{}",
        r.html
    );
}

#[test]
fn alerts_become_notes() {
    let r = render(
        "> [!WARNING]\n> Consult your dermatologist.\n",
        &Options::default(),
        &keep,
    );
    assert!(r.html.starts_with("<div class=\"alert alert-warning\" role=\"note\">\n<p class=\"alert-title\">Warning</p>\n<p>Consult your dermatologist.</p>\n</div>"), "{}", r.html);
}

#[test]
fn links_are_resolved_with_their_place() {
    let resolve = |dest: &str| match dest {
        "other.md" => LinkAction::Rewrite("/other/".into()),
        "gone.md" => LinkAction::Broken("no such page".into()),
        _ => LinkAction::Keep,
    };
    let r = render(
        "Text\n\nsee [o](other.md) and [g](gone.md) and [x](https://x.org)",
        &Options::default(),
        &resolve,
    );
    assert!(r.html.contains("<a href=\"/other/\">o</a>"));
    assert!(r.html.contains("<a href=\"https://x.org\">x</a>"));
    assert_eq!(
        r.links,
        [SiteLink {
            line: 3,
            column: 5,
            original: "other.md".into(),
            url: "/other/".into()
        }]
    );
    assert_eq!(
        r.problems,
        [Problem {
            line: 3,
            column: 23,
            kind: ProblemKind::Link,
            message: "no such page".into(),
            hint: None
        }]
    );
}

#[test]
fn counts_words_and_smartens_quotes() {
    let r = render("It's \"quoted\" -- really.", &Options::default(), &keep);
    assert_eq!(r.word_count, 4);
    assert_eq!(
        render("one\ntwo *three*four", &Options::default(), &keep).word_count,
        3
    );
    assert!(r.html.contains("It’s “quoted” – really."), "{}", r.html);
}

#[test]
fn summary_links_to_sections_lead_to_the_page() {
    let options = Options {
        page_url: Some("/posts/x/"),
        ..Options::default()
    };
    let r = render("See [below](#part).\n\n## Part\n", &options, &keep);
    assert_eq!(
        r.summary_html,
        "<p>See <a href=\"/posts/x/#part\">below</a>.</p>\n"
    );
    assert!(r.html.contains("<a href=\"#part\">below</a>"), "{}", r.html);
}

#[test]
fn toc_depth_reaches_deeper_headings() {
    let text = "## A\n\n### B\n\n#### C\n\n##### D\n";
    let shallow = render(text, &Options::default(), &keep);
    assert!(shallow.toc[0].children[0].children.is_empty());
    let options = Options {
        toc_depth: 5,
        ..Options::default()
    };
    let deep = render(text, &options, &keep);
    assert_eq!(deep.toc[0].children[0].children[0].children[0].id, "d");
}

#[test]
fn ids_in_raw_html_are_anchors() {
    let r = render(
        "<a name=\"legacy\"></a>\n\nText <span id=\"inline\">x</span>.\n",
        &Options::default(),
        &keep,
    );
    assert_eq!(r.ids, ["legacy", "inline"]);
}

#[test]
fn every_destination_is_recorded_with_its_answer() {
    let resolve = |dest: &str| LinkAction::Rewrite(format!("/{dest}"));
    let r = render("[a](a.md) ![i](i.png)", &Options::default(), &resolve);
    let shown: Vec<(bool, &str, &LinkAction)> = r
        .resolved
        .iter()
        .map(|x| (x.image, x.dest.as_str(), &x.action))
        .collect();
    assert_eq!(
        shown,
        [
            (false, "a.md", &LinkAction::Rewrite("/a.md".into())),
            (true, "i.png", &LinkAction::Rewrite("/i.png".into()))
        ]
    );
}

#[test]
fn plain_text_keeps_every_word_and_puts_blocks_apart() {
    let options = Options {
        plain_text: true,
        ..Options::default()
    };
    let r = render(
        "# Title\n\nOne *em*phasis, [a link](x.md) and `code`.\nNext line.\n\n- item\n- ![alt text](i.png)\n\n| a | b |\n|---|---|\n| c | d |\n\n<div>raw html</div>\n\nEnd.[^n]\n\n[^n]: A note.\n",
        &options,
        &keep,
    );
    assert_eq!(
        r.text,
        "Title One emphasis, a link and code. Next line. item alt text a b c d End. A note."
    );
    assert_eq!(render("Words.", &Options::default(), &keep).text, "");
}

/// Shortcodes for specs: `hr()` is HTML, `note(text)` Markdown, `box()` wraps its body,
/// `upper()` uses its body's text; anything else is unknown.
struct Fake;

impl Shortcodes for Fake {
    fn render(&self, call: &ShortcodeCall) -> Result<Expansion, ShortcodeError> {
        let arg = |name: &str| {
            call.args
                .iter()
                .find(|a| a.name == name)
                .map(|a| a.value.clone())
        };
        match call.name {
            "hr" => Ok(Expansion::Html(format!("<hr class=\"n{}\">\n", call.nth))),
            "img" => Ok(Expansion::Html(format!(
                "<img src=\"{}\" alt=\"\">",
                arg("src")
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            ))),
            "note" => Ok(Expansion::Markdown(format!(
                "## Note\n\n{} [more](more.md)\n",
                arg("text")
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            ))),
            "box" => Ok(Expansion::Html(format!(
                "<div class=\"box\">\n{}\n</div>\n",
                call.body.unwrap_or_default()
            ))),
            "upper" => Ok(Expansion::Html(
                call.body.unwrap_or_default().to_uppercase(),
            )),
            _ => Err(ShortcodeError {
                message: format!("unknown shortcode `{}`", call.name),
                hint: None,
                argument: None,
            }),
        }
    }
}

fn with_fake(text: &str, resolve: &dyn Resolve) -> Rendered {
    render_with(text, &Options::default(), resolve, Some(&Fake))
}

#[test]
fn a_shortcode_alone_in_a_paragraph_is_a_block() {
    let r = with_fake("Intro.\n\n{{ hr() }}\n\nThen {{ hr() }} inline.\n", &keep);
    assert_eq!(
        r.html,
        "<p>Intro.</p>\n<hr class=\"n1\">\n<p>Then <hr class=\"n2\"> inline.</p>\n"
    );
    assert_eq!(r.shortcodes, ["hr", "hr"]);
}

#[test]
fn markdown_output_joins_the_toc_and_its_links_are_placed_at_the_call() {
    let resolve = |dest: &str| match dest {
        "more.md" => LinkAction::Broken("no such page".into()),
        _ => LinkAction::Keep,
    };
    let r = with_fake(
        "## First\n\nText.\n\n  {{ note(text=\"Read this.\") }}\n",
        &resolve,
    );
    assert_eq!(
        r.toc.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["first", "note"]
    );
    assert!(
        r.html
            .contains("<p>Read this. <a href=\"more.md\">more</a></p>"),
        "{}",
        r.html
    );
    assert_eq!((r.problems[0].line, r.problems[0].column), (5, 3));
}

#[test]
fn a_body_stays_markdown_where_it_was_written() {
    let resolve = |dest: &str| match dest {
        "gone.md" => LinkAction::Broken("no such page".into()),
        _ => LinkAction::Keep,
    };
    let r = with_fake(
        "{% box() %}\n### Inside\n\nSee [x](gone.md).\n{% end %}\n\nAfter.\n",
        &resolve,
    );
    assert_eq!(
        r.html,
        "<div class=\"box\">\n<h3 id=\"inside\">Inside <a class=\"anchor\" href=\"#inside\" aria-label=\"Link to this section: Inside\"></a></h3>\n<p>See <a href=\"gone.md\">x</a>.</p>\n</div>\n<p>After.</p>\n"
    );
    assert_eq!(r.toc[0].id, "inside");
    assert_eq!((r.problems[0].line, r.problems[0].column), (4, 5));
}

#[test]
fn a_template_that_changes_its_body_gets_it_as_written() {
    let r = with_fake("{% upper() %}shout{% end %}\n", &keep);
    assert_eq!(r.html, "SHOUT\n");
}

#[test]
fn escaped_calls_are_written_as_they_are_with_straight_quotes() {
    let r = with_fake("Write {{/* hr(a=\"b\") */}} to get a rule.\n", &keep);
    assert_eq!(r.html, "<p>Write {{ hr(a=\"b\") }} to get a rule.</p>\n");
}

#[test]
fn shortcodes_in_code_are_text() {
    let r = with_fake(
        "`{{ hr() }}`\n\n```\n{{ hr() }}\n```\n\n    {% box() %}\n",
        &keep,
    );
    assert!(r.shortcodes.is_empty());
    assert!(r.html.contains("<code>{{ hr() }}</code>"), "{}", r.html);
    assert!(
        r.html.contains("<pre><code>{{ hr() }}\n</code></pre>"),
        "{}",
        r.html
    );
}

#[test]
fn shortcode_problems_are_placed_at_the_call_and_the_rest_renders() {
    let r = with_fake(
        "Text.\n\nSee {{ nope() }}.\n\n{% nope() %}\nKept *body*.\n{% end %}\n\n{{ hr(a=b) }}\n",
        &keep,
    );
    let shown: Vec<(usize, usize, &str)> = r
        .problems
        .iter()
        .map(|p| (p.line, p.column, p.message.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            (9, 9, "`b` is not a value: text must be quoted"),
            (3, 5, "unknown shortcode `nope`"),
            (5, 1, "unknown shortcode `nope`"),
        ]
    );
    assert!(r.html.contains("<p>Kept <em>body</em>.</p>"), "{}", r.html);
    assert!(r.problems.iter().all(|p| p.kind == ProblemKind::Shortcode));
}

#[test]
fn src_arguments_are_resolved_like_images() {
    let resolve = |dest: &str| LinkAction::Rewrite(format!("/p/{dest}"));
    let r = with_fake("{{ img(src=\"a.png\") }}\n", &resolve);
    assert_eq!(r.html, "<img src=\"/p/a.png\" alt=\"\">\n");
    assert_eq!(r.resolved[0].dest, "a.png");
    assert!(r.resolved[0].image);
}

#[test]
fn without_shortcodes_the_syntax_is_text() {
    let r = render("{{ hr() }}\n", &Options::default(), &keep);
    assert_eq!(r.html, "<p>{{ hr() }}</p>\n");
}

#[test]
fn fenced_code_is_highlighted_with_a_clean_language_class() {
    let r = render(
        "```rust,linenos,hl_lines=2\nlet a = 1;\nlet b = 2;\n```\n",
        &Options::default(),
        &keep,
    );
    assert!(
        r.html.starts_with("<pre class=\"linenos\"><code class=\"language-rust\" data-lang=\"rust\"><span class=\"line\" data-n=\"1\"><span class=\"hl-k\">let</span>"),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("<span class=\"line hl\" data-n=\"2\">"),
        "{}",
        r.html
    );
    assert_eq!(r.word_count, 8);
}

#[test]
fn calls_nest_in_bodies() {
    let r = with_fake("{% box() %}\nA\n\n{{ hr() }}\n{% end %}\n", &keep);
    assert_eq!(
        r.html,
        "<div class=\"box\">\n<p>A</p>\n<hr class=\"n1\">\n</div>\n"
    );
    assert_eq!(r.shortcodes, ["box", "hr"]);
}

#[test]
fn code_is_found_as_commonmark_reads_it() {
    let r = with_fake(
        "1. Step\n\n    {{ hr() }}\n\nText `` a ` {{ hr() }} `` and `{{ hr()\n}}` too.\n\n~~~~\n{{ hr() }}\n~~~\n~~~~\n\n\tx {{ hr() }}\n\nUnclosed ` {{ hr() }}\n\nOne `x\n\n{{ hr() }}` two.\n",
        &keep,
    );
    assert_eq!(r.shortcodes, ["hr", "hr", "hr"], "{}", r.html);
}
