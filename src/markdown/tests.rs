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
