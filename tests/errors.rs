//! Bad input gets a clear message naming the file, line and column, exit status 1,
//! and the previous output stays as it was.

mod common;

use common::{TestSite, serum, snapshot};

/// Builds, expecting failure, and returns stderr.
#[track_caller]
fn failure(site: &TestSite) -> String {
    let stderr = site.build(&[]).fails();
    assert!(
        !site.path("public").exists(),
        "a failed first build must not leave public/"
    );
    stderr
}

#[test]
fn malformed_toml_front_matter_names_file_line_and_column() {
    let site = TestSite::new().write(
        "content/posts/bad.md",
        "+++\ntitle = \"Bad\ndate = 2024-01-01\n+++\nBody\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/bad.md:2:13: invalid TOML: invalid basic string, expected `\"`\n  help: check the quoting and the `key = value` syntax on that line\n"
    );
}

#[test]
fn malformed_yaml_front_matter_names_file_and_line() {
    let site = TestSite::new().write(
        "content/posts/bad.md",
        "---\ntitle: Bad\ntags: [a, b\n---\nBody\n",
    );
    let stderr = failure(&site);
    assert!(
        stderr.starts_with("error: content/posts/bad.md:"),
        "{stderr}"
    );
    assert!(stderr.contains(": invalid YAML: "), "{stderr}");
    assert!(
        stderr
            .ends_with("  help: check the indentation and the `key: value` syntax on that line\n"),
        "{stderr}"
    );
}

#[test]
fn missing_title() {
    let site = TestSite::new().write(
        "content/posts/untitled.md",
        "+++\ndate = 2024-01-01\n+++\nBody\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/untitled.md:1:1: missing `title` in the front matter\n  help: add a line such as `title = \"My article\"` (TOML) or `title: My article` (YAML)\n"
    );
}

#[test]
fn missing_front_matter() {
    let site = TestSite::new().write("content/posts/plain.md", "# Just markdown\n");
    assert_eq!(
        failure(&site),
        "error: content/posts/plain.md:1:1: no front matter: the file must start with `+++` (TOML) or `---` (YAML)\n  help: did you forget the opening `+++` or `---`? Start the file with `+++`, a line `title = \"…\"`, and `+++`\n"
    );
}

#[test]
fn unknown_author_names_page_slug_and_known_authors() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\nauthor = \"bob\"\n+++\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/x.md:3:1: unknown author `bob`\n  help: create content/authors/bob.md with a `name`, or use one of: ann\n"
    );
}

#[test]
fn unknown_author_suggests_a_close_slug() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\nauthor = \"anne\"\n+++\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/x.md:3:1: unknown author `anne`\n  help: did you mean `ann`? Otherwise create content/authors/anne.md with a `name`\n"
    );
}

#[test]
fn unknown_theme() {
    let site = TestSite::new();
    let stderr = site.build(&["--theme", "defualt"]).fails();
    assert_eq!(
        stderr,
        "error: unknown theme `defualt`: there is no folder themes/defualt/\n  help: did you mean `default`? the themes here are: default\n"
    );
}

#[test]
fn unknown_config_key_with_suggestion() {
    let site = TestSite::new().write(
        "serum.toml",
        "title = \"T\"\nbase_url = \"https://e.com/\"\ndescripton = \"x\"\n",
    );
    assert_eq!(
        failure(&site),
        "error: serum.toml:3:1: unknown key `descripton`\n  help: did you mean `description`?\n"
    );
}

#[test]
fn template_syntax_error_names_template_line_and_column() {
    let site = TestSite::new().write(
        "templates/page.html",
        "<h1>{{ page.title }}</h1>\n{% if page.draft %}\n",
    );
    let stderr = failure(&site);
    assert_eq!(
        stderr,
        "error: templates/page.html:3:1: Unexpected end of input\n  help: fix the template syntax at that place\n"
    );
}

#[test]
fn missing_template_named_in_front_matter() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\ntemplate = \"special.html\"\n+++\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/x.md:3:1: template `special.html` not found\n  help: add templates/special.html to the site or the theme, or remove the setting to use the default\n"
    );
}

#[test]
fn undefined_template_variable_names_template_and_page() {
    let site = TestSite::new().write(
        "templates/page.html",
        "<h1>{{ page.title }}</h1>\n<p>{{ page.subtitle }}</p>\n",
    );
    assert_eq!(
        failure(&site),
        "error: templates/page.html:2:12: Field `subtitle` is not defined. Available fields: byline, content, cover, date, description, draft, extra, item, json_ld, lang, meta_description, next, noindex, permalink, previous, reading_time, related, section, summary, summary_text, tags, taxonomies, title, toc, translations, updated, url, word_count (while rendering content/posts/first.md)\n  help: fix the template, or use `default` or `is defined` for values a page may lack\n"
    );
}

#[test]
fn one_template_error_on_many_pages_is_reported_once() {
    let site = TestSite::new()
        .write("content/posts/second.md", "+++\ntitle = \"Second\"\n+++\n")
        .write("content/posts/third.md", "+++\ntitle = \"Third\"\n+++\n")
        .write("templates/page.html", "{{ nope }}");
    let stderr = failure(&site);
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    assert!(
        stderr.contains("(while rendering content/posts/first.md and 2 other files)"),
        "{stderr}"
    );
}

#[test]
fn two_pages_with_one_url() {
    let site = TestSite::new().write(
        "content/posts/copy.md",
        "+++\ntitle = \"Copy\"\nslug = \"first\"\n+++\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/first.md: two pages would be published at /posts/first/: this one and content/posts/copy.md\n  help: give one of them a different `slug` or `path` in its front matter, or rename the file\n"
    );
}

#[test]
fn non_utf8_file() {
    let site = TestSite::new().write(
        "content/posts/latin1.md",
        b"+++\ntitle = \"Caf\xe9\"\n+++\n".as_slice(),
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/latin1.md:2:13: the file is not valid UTF-8 text\n  help: save the file with the UTF-8 encoding\n"
    );
}

#[test]
fn broken_internal_link_names_page_line_and_column() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\n+++\nIntro.\n\nSee [the other](missing.md).\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/x.md:6:5: broken link `missing.md`: there is no content/posts/missing.md\n  help: fix the path (relative to this file, or `@/` from content/), or create what it points to\n"
    );
}

#[test]
fn broken_anchor_lists_the_ids_that_exist() {
    let site = TestSite::new().write(
        "content/posts/x.md",
        "+++\ntitle = \"X\"\n+++\nSee [part](first.md#part-two).\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/x.md:4:5: broken link `first.md#part-two`: content/posts/first.md has no element with the id `part-two`\n  help: the ids there are: part-one\n"
    );
}

#[test]
fn content_problems_are_reported_together_sorted_with_a_count() {
    let site = TestSite::new()
        .write(
            "content/posts/b.md",
            "+++\ntitle = \"B\"\nauthor = \"zed\"\n+++\n",
        )
        .write("content/posts/a.md", "+++\ndate = 2024-01-01\n+++\n");
    let stderr = site.build(&[]).fails();
    let firsts: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(
        firsts,
        [
            "error: content/posts/a.md:1:1: missing `title` in the front matter",
            "error: content/posts/b.md:3:1: unknown author `zed`",
            "error: 2 problems found",
        ]
    );
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_identical() {
    let site = TestSite::new();
    site.build(&[]).ok();
    let before = snapshot(&site.path("public"));
    assert!(before.contains_key("posts/first/index.html"));
    let site = site.write(
        "content/posts/first.md",
        "+++\ntitle = \"Changed\"\nauthor = \"nobody\"\n+++\n",
    );
    site.build(&[]).fails();
    assert_eq!(snapshot(&site.path("public")), before);
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("serum-staging"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

#[test]
fn usage_errors_exit_2() {
    let site = TestSite::new();
    let run = serum(site.root(), &["build", "--no-such-flag"]);
    assert_eq!(run.status, Some(2));
    assert!(run.stderr.contains("--no-such-flag"), "{}", run.stderr);
}

#[test]
fn not_a_site() {
    let site = TestSite::empty();
    assert_eq!(
        site.build(&[]).fails(),
        format!(
            "error: {}: no serum.toml here: this is not a serum site\n  help: pass --root with the folder that holds serum.toml, or start a site with `serum init DIR`\n",
            site.path("serum.toml").display()
        )
    );
}

#[test]
fn refuses_to_replace_a_folder_serum_did_not_make() {
    let site = TestSite::new().write("public/keep.txt", "precious");
    assert_eq!(
        site.build(&[]).fails(),
        "error: public: the output directory is not empty and was not made by serum; refusing to replace it\n  help: empty it, choose another place with --output, or pass --force to replace its contents\n"
    );
    assert_eq!(site.read("public/keep.txt"), "precious");
    site.build(&["--force"]).ok();
    assert!(!site.path("public/keep.txt").exists());
    assert!(site.path("public/.serum-output").exists());
}

#[test]
fn refuses_dangerous_outputs() {
    let site = TestSite::new();
    let cases = [
        (".", "it is the site root or one of its parents"),
        ("..", "it is the site root or one of its parents"),
        ("content/out", "it lies inside content/"),
        ("static", "it lies inside static/"),
        ("themes/x", "it lies inside themes/"),
    ];
    for (output, why) in cases {
        let output_path = site.path(output);
        let stderr = site
            .build(&["--output", output_path.to_str().unwrap(), "--force"])
            .fails();
        assert!(
            stderr.contains(&format!("refusing to write the site here: {why}\n")),
            "{output}: {stderr}"
        );
    }
    assert!(site.path("content/posts/first.md").exists());
}

#[test]
fn a_failed_build_never_writes_through_a_file_it_kept_from_the_last_one() {
    // A path written twice (a static file and a content file at one place): the first write
    // keeps the live site's file by linking it, the second must replace the link, not write
    // into the live file.
    let site = TestSite::new()
        .write("static/x.txt", "A")
        .write("content/x.txt", "B");
    site.build(&[]).ok();
    assert_eq!(site.read("public/x.txt"), "B");
    let before = snapshot(&site.path("public"));
    let site = site
        .write("static/x.txt", "B")
        .write("content/x.txt", "C")
        .write("templates/page.html", "{{ nope }}");
    site.build(&[]).fails();
    assert_eq!(snapshot(&site.path("public")), before);
}

#[test]
fn a_broken_anchor_in_a_section_intro_fails_the_build() {
    let site = TestSite::new().write(
        "content/posts/_index.md",
        "+++\ntitle = \"Posts\"\n+++\nStart with [part two](first.md#part-two).\n",
    );
    assert_eq!(
        failure(&site),
        "error: content/posts/_index.md:4:12: broken link `first.md#part-two`: content/posts/first.md has no element with the id `part-two`\n  help: the ids there are: part-one\n"
    );
}

#[test]
fn two_sections_with_one_url() {
    let site = TestSite::new()
        .write("content/Field Notes/a.md", "+++\ntitle = \"A\"\n+++\n")
        .write("content/field-notes/b.md", "+++\ntitle = \"B\"\n+++\n");
    assert_eq!(
        failure(&site),
        "error: content/field-notes: two pages would be published at /field-notes/: this one and content/Field Notes\n  help: give one of them a different `slug` or `path` in its front matter, or rename the file\n"
    );
}

#[test]
fn every_content_problem_of_a_page_is_reported_in_one_run_with_its_place() {
    let site = TestSite::new()
        .write(
            "content/posts/first.md",
            "+++\ntitle = \"First\"\ndescription = \"One.\"\nauthor = \"ann\"\n+++\n## Part one\n",
        )
        .write(
            "content/posts/x.md",
            "+++\ntitle = \"X\"\nsubtitel = \"typo\"\ndescription = \"Two.\"\n+++\n\
         Intro [out](../../../etc/passwd.md).\n\n\
         ![A photo](missing.png)\n\n\
         ![Rooted](/images/nowhere.png)\n\n\
         See [part](first.md#part-two).\n",
        );
    let expected = "\
warning: content/posts/x.md:3:1: front matter key `subtitel` is not used by serum
  help: put your own values under `extra`, where templates can read them
error: content/posts/x.md:6:7: broken link `../../../etc/passwd.md`: it leads outside content/
  help: fix the path (relative to this file, or `@/` from content/), or create what it points to
error: content/posts/x.md:8:1: missing image `missing.png`: there is no file content/posts/missing.png
  help: fix the path (relative to this file, `@/` from content/, or `/` from static/), or add the image
error: content/posts/x.md:10:1: missing image `/images/nowhere.png`: no file of static/, the theme or content/ is published there
  help: fix the path (relative to this file, `@/` from content/, or `/` from static/), or add the image
error: content/posts/x.md:12:5: broken link `first.md#part-two`: content/posts/first.md has no element with the id `part-two`
  help: the ids there are: part-one
error: 4 problems found, 1 warning
";
    assert_eq!(site.build(&[]).fails(), expected);
    let check = serum(site.root(), &["check"]);
    assert_eq!(check.status, Some(1));
    assert_eq!(check.stderr, expected);
}
