//! `serum check` builds in memory, writes nothing, and reports every problem at once, sorted,
//! with a count and exit status 1 when one is an error; warnings alone exit 0 (1 under
//! `--strict`); a clean site gets one line on stdout and exit status 0.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::{TestSite, serum, snapshot};

/// An article with everything `check` asks for, by an author it names.
const POST: &str = "+++\ntitle = \"First post\"\ndescription = \"The first post.\"\ndate = 2024-05-01\nauthor = \"ann\"\n+++\nHello there.\n\n## Part one\n\nText.\n";

/// A page template with no ids of its own, so that messages listing ids depend on the test only.
const PLAIN_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>{{ page.title }}</title></head>\n<body><h1>{{ page.title }}</h1>\n{{ page.content | safe }}\n</body></html>\n";

/// The small test site, with nothing for `check` to find.
fn clean_site() -> TestSite {
    TestSite::new().write("content/posts/first.md", POST)
}

/// The first post with `body` in place of its text.
fn post_with(body: &str) -> String {
    format!(
        "+++\ntitle = \"First post\"\ndescription = \"The first post.\"\ndate = 2024-05-01\nauthor = \"ann\"\n+++\n{body}\n"
    )
}

/// Runs `serum check` with arguments, expecting problems, and returns stderr.
#[track_caller]
fn problems(site: &TestSite, args: &[&str]) -> String {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let run = serum(site.root(), &all);
    assert_eq!(
        run.stdout, "",
        "nothing goes to stdout when there are problems"
    );
    run.fails()
}

/// Runs `serum check`, expecting warnings only, and returns stderr, checking stdout.
#[track_caller]
fn warnings(site: &TestSite, count: usize) -> String {
    let run = serum(site.root(), &["check"]).ok();
    let plural = if count == 1 { "warning" } else { "warnings" };
    assert_eq!(
        run.stdout,
        format!(
            "No errors found in {} pages; {count} {plural}.\n",
            html_pages(site)
        )
    );
    run.stderr
}

/// How many HTML pages `serum build` writes for a site, built into a folder of its own.
fn html_pages(site: &TestSite) -> usize {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    site.build(&["--output", out.to_str().unwrap()]).ok();
    snapshot(&out)
        .keys()
        .filter(|path| path.ends_with(".html"))
        .count()
}

#[test]
fn a_clean_site_gets_one_line_and_exit_status_0() {
    let site = clean_site();
    let run = serum(site.root(), &["check"]).ok();
    assert_eq!(
        run.stdout,
        format!("No problems found in {} pages.\n", html_pages(&site))
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn the_repository_site_checks_clean_with_both_themes() {
    let site = TestSite::repository_site();
    let pages = html_pages(&site);
    for args in [&["check"][..], &["check", "--theme", "mono"]] {
        let run = serum(site.root(), args).ok();
        assert_eq!(run.stdout, format!("No problems found in {pages} pages.\n"));
        assert_eq!(run.stderr, "");
    }
}

#[test]
fn check_writes_nothing() {
    let site = clean_site().write(
        "content/posts/second.md",
        "+++\ntitle = \"Second\"\n+++\n[gone](/nowhere/)\n",
    );
    let before = snapshot(site.root());
    problems(&site, &[]);
    assert_eq!(snapshot(site.root()), before);
    assert!(!site.path("public").exists());
}

#[test]
fn a_markdown_link_that_leads_nowhere() {
    let site = clean_site().write(
        "content/posts/first.md",
        post_with("Text.\n\nSee [the old post](/posts/missing/)."),
    );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/first.md: link to `/posts/missing/` leads nowhere\n  help: fix the link in the Markdown or the template that writes it\nerror: 1 problem found\n"
    );
}

#[test]
fn a_link_shown_on_many_pages_is_one_problem_naming_its_source_first() {
    // The first paragraph is the summary, which the home page, the section and the author list.
    let site = clean_site().write(
        "content/posts/first.md",
        post_with("See [the old post](/posts/missing/)."),
    );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/first.md: link to `/posts/missing/` leads nowhere (also on content/authors/ann.md, content/_index.md and content/posts)\n  help: fix the link in the Markdown or the template that writes it\nerror: 1 problem found\n"
    );
}

#[test]
fn a_relative_link_says_where_it_leads_from_the_page() {
    let site = clean_site().write(
        "content/posts/first.md",
        post_with("Text.\n\nSee [the list](../list/)."),
    );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/first.md: link to `../list/` leads nowhere (from this page, `/posts/list/`)\n  help: fix the link in the Markdown or the template that writes it; a relative URL leads somewhere else from each page that shows it\nerror: 1 problem found\n"
    );
}

#[test]
fn a_template_link_that_leads_nowhere_names_the_built_file() {
    let site = clean_site().write(
        "templates/404.html",
        "<!DOCTYPE html>\n<html><head><title>Not found</title></head>\n<body><a href=\"{{ base_path }}find/\">Search</a></body></html>\n",
    );
    assert_eq!(
        problems(&site, &[]),
        "error: 404.html: link to `/find/` leads nowhere\n  help: fix the link in the Markdown or the template that writes it\nerror: 1 problem found\n"
    );
}

#[test]
fn a_fragment_that_names_no_element() {
    let site = clean_site().write("templates/page.html", PLAIN_PAGE).write(
        "content/posts/first.md",
        post_with("Text.\n\n## Part one\n\n<a href=\"#part-two\">Part two</a>"),
    );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/first.md: broken link `#part-two`: this page has no element with the id `part-two`\n  help: the ids there are: part-one\nerror: 1 problem found\n"
    );
}

#[test]
fn a_fragment_on_another_page_that_names_no_element() {
    let site = clean_site()
        .write("templates/page.html", PLAIN_PAGE)
        .write(
            "content/posts/second.md",
            "+++\ntitle = \"Second\"\ndescription = \"The second post.\"\nauthor = \"ann\"\n+++\nText.\n\n<a href=\"/posts/first/#part-six\">Part six</a>\n",
        );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/second.md: broken link `/posts/first/#part-six`: content/posts/first.md has no element with the id `part-six`\n  help: the ids there are: part-one\nerror: 1 problem found\n"
    );
}

#[test]
fn links_that_lead_somewhere_pass() {
    let site = clean_site()
        .write("static/logo.png", "png")
        .write(
            "content/posts/first.md",
            post_with(concat!(
                "Text.\n\n## Part one\n\n",
                "<a href=\"../../\">home</a>, [section](../), [itself](/posts/first), [part](/posts/first/#part-one), ",
                "[absolute](https://example.com/posts/first/), [mail](mailto:ann@example.com), ",
                "[phone](tel:+15550100), [anywhere](#), <a href=\"#top\">top</a>, ",
                "<img src=\"/logo.png\" srcset=\"/logo.png 1x, data:image/png;base64,AAAA 2x\" alt=\"\">",
            )),
        );
    serum(site.root(), &["check"]).ok();
}

#[test]
fn an_image_that_does_not_exist_is_named_at_its_place() {
    let site = clean_site().write(
        "content/posts/first.md",
        post_with("Text.\n\n![A diagram](/img/x.png)"),
    );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/first.md:9:1: missing image `/img/x.png`: no file of static/, the theme or content/ is published there\n  help: fix the path (relative to this file, `@/` from content/, or `/` from static/), or add the image\nerror: 1 problem found\n"
    );
}

#[test]
fn an_image_written_in_raw_html_that_does_not_exist() {
    let site = clean_site().write(
        "content/posts/first.md",
        post_with("Text.\n\n<img src=\"/img/x.png\" alt=\"A diagram\">"),
    );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/first.md: image `/img/x.png` does not exist\n  help: add the file (to static/, or beside the page), or fix the path in the Markdown or the template that writes it\nerror: 1 problem found\n"
    );
}

#[test]
fn an_image_candidate_in_srcset_that_does_not_exist() {
    let site = clean_site().write("static/small.png", "png").write(
        "content/posts/first.md",
        post_with("Text.\n\n<img src=\"/small.png\" srcset=\"/small.png 1x, /large.png 2x\" alt=\"A diagram\">"),
    );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/first.md: image `/large.png` does not exist\n  help: add the file (to static/, or beside the page), or fix the path in the Markdown or the template that writes it\nerror: 1 problem found\n"
    );
}

#[test]
fn a_stylesheet_that_does_not_exist() {
    let site = clean_site().write(
        "templates/404.html",
        "<!DOCTYPE html>\n<html><head><title>Not found</title><link rel=\"stylesheet\" href=\"{{ base_path }}print.css\"></head>\n<body>Not found.</body></html>\n",
    );
    assert_eq!(
        problems(&site, &[]),
        "error: 404.html: stylesheet `/print.css` does not exist\n  help: add the file (to static/, or beside the page), or fix the path in the Markdown or the template that writes it\nerror: 1 problem found\n"
    );
}

#[test]
fn a_link_outside_the_base_path() {
    let site = clean_site()
        .write(
            "serum.toml",
            "title = \"Test Site\"\nbase_url = \"https://example.com/blog/\"\n",
        )
        .write(
            "content/posts/first.md",
            post_with("Text.\n\nSee [the shop](/shop/)."),
        );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/first.md: link to `/shop/` points outside the site, which is published under `/blog/`\n  help: start it with the site's path: templates write `{{ base_path }}`, Markdown a relative link\n\
         warning: serum.toml: the site is published under /blog/, so its robots.txt lands at https://example.com/blog/robots.txt, where crawlers never look\n  help: serve a robots.txt at https://example.com/robots.txt from the host's root site, with the line `Sitemap: https://example.com/blog/sitemap.xml`\n\
         error: 1 problem found, 1 warning\n"
    );
}

#[test]
fn an_id_used_twice_on_a_page() {
    let site = clean_site().write("templates/page.html", PLAIN_PAGE).write(
        "content/posts/first.md",
        post_with("Text.\n\n## Intro\n\n<p id=\"intro\">Again.</p>"),
    );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/first.md: the id `intro` is used 2 times on this page\n  help: a `#intro` link reaches only the first; rename the others in the Markdown (`## Title {#other-id}`) or the template\nerror: 1 problem found\n"
    );
}

#[test]
fn a_page_without_a_description_is_a_warning_and_an_error_under_strict() {
    let site = TestSite::new();
    assert_eq!(
        warnings(&site, 1),
        "warning: content/posts/first.md: no `description` in the front matter\n  help: add a one-sentence `description = \"…\"`; search engines and link previews show it\n"
    );
    assert_eq!(
        problems(&site, &["--strict"]),
        "error: content/posts/first.md: no `description` in the front matter\n  help: add a one-sentence `description = \"…\"`; search engines and link previews show it\nerror: 1 problem found\n"
    );
}

#[test]
fn a_cover_without_alt_is_the_build_error_and_hides_nothing() {
    let site = clean_site().write(
        "content/posts/first.md",
        "+++\ntitle = \"First post\"\ndescription = \"The first post.\"\nauthor = \"ann\"\ncover = { src = \"cover.svg\" }\n+++\nText.\n",
    );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/first.md:5:1: the cover cannot be found: image `cover.svg`: there is no file content/posts/cover.svg\n  help: put the image beside the file (or anywhere in content/ and use `@/`), or fix the path\n\
         error: content/posts/first.md:5:1: the cover has no `alt` text\n  help: describe the image for readers who cannot see it: `cover = { src = \"…\", alt = \"…\" }`\n\
         error: 2 problems found\n"
    );
}

#[test]
fn a_misspelt_front_matter_key_is_a_warning_and_all_come_sorted() {
    let site = clean_site().write(
        "content/posts/first.md",
        "+++\ntitle = \"First post\"\ndescripton = \"The first post.\"\nauthor = \"ann\"\n+++\nText.\n",
    );
    assert_eq!(
        warnings(&site, 2),
        "warning: content/posts/first.md: no `description` in the front matter\n  help: add a one-sentence `description = \"…\"`; search engines and link previews show it\nwarning: content/posts/first.md:3:1: front matter key `descripton` is not used by serum\n  help: did you mean `description`?\n"
    );
}

#[test]
fn an_author_no_page_names() {
    let site = clean_site().write(
        "content/authors/bob.md",
        "+++\nname = \"Bob Ray\"\n+++\nBob.\n",
    );
    assert_eq!(
        warnings(&site, 1),
        "warning: content/authors/bob.md: author `bob` is not named by any page\n  help: name them in a page's front matter, `author = \"bob\"`, or remove this file\n"
    );
}

#[test]
fn a_site_that_is_not_there() {
    let site = TestSite::empty();
    let stderr = problems(&site, &[]);
    assert!(
        stderr.ends_with(": no serum.toml here: this is not a serum site\n  help: pass --root with the folder that holds serum.toml, or start a site with `serum init DIR`\nerror: 1 problem found\n"),
        "{stderr}"
    );
}

/// A web server on 127.0.0.1 that answers `/good` with 200, `/no-head` with 405 to `HEAD` and
/// 200 to `GET`, and anything else with 404; it records the request line and User-Agent of
/// every request.
struct LocalWeb {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl LocalWeb {
    fn start() -> LocalWeb {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                let mut agent = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        if name.eq_ignore_ascii_case("user-agent") {
                            agent = value.trim().to_string();
                        }
                    }
                }
                let mut words = request_line.split(' ');
                let status = match (words.next(), words.next()) {
                    (_, Some("/good")) | (Some("GET"), Some("/no-head")) => "200 OK",
                    (_, Some("/no-head")) => "405 Method Not Allowed",
                    _ => "404 Not Found",
                };
                seen.lock()
                    .unwrap()
                    .push(format!("{} {agent}", request_line.trim_end()));
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        LocalWeb { port, requests }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self) -> Vec<String> {
        let mut requests = self.requests.lock().unwrap().clone();
        requests.sort();
        requests
    }
}

/// Runs `serum check` with arguments and no proxy, so that requests go to 127.0.0.1 itself.
fn check_without_proxy(site: &TestSite, args: &[&str]) -> common::Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_serum"));
    command.arg("check").args(args).current_dir(site.root());
    for proxy in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ] {
        command.env_remove(proxy);
    }
    command.output().unwrap().into()
}

fn site_linking_to(web: &LocalWeb) -> TestSite {
    clean_site().write(
        "content/posts/first.md",
        post_with(&format!(
            "Text.\n\nA [good link]({}), [one for GET only]({}) and a [broken one]({}).",
            web.url("/good"),
            web.url("/no-head"),
            web.url("/gone#part")
        )),
    )
}

#[test]
fn outside_links_are_left_alone_without_external() {
    let web = LocalWeb::start();
    let site = site_linking_to(&web);
    serum(site.root(), &["check"]).ok();
    assert_eq!(web.requests(), Vec::<String>::new());
}

#[test]
fn a_broken_outside_link_is_a_warning_with_external() {
    let web = LocalWeb::start();
    let site = site_linking_to(&web);
    let run = check_without_proxy(&site, &["--external"]).ok();
    assert_eq!(
        run.stderr,
        format!(
            "warning: content/posts/first.md: link to `{}` failed: 404 Not Found\n  help: fix or remove the link; if that site is down only for now, check again later\n",
            web.url("/gone")
        )
    );
    assert_eq!(
        run.stdout,
        format!(
            "No errors found in {} pages; 1 warning.\n",
            html_pages(&site)
        )
    );
    let agent = format!("serum-check/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        web.requests(),
        vec![
            format!("GET /no-head HTTP/1.1 {agent}"),
            format!("HEAD /gone HTTP/1.1 {agent}"),
            format!("HEAD /good HTTP/1.1 {agent}"),
            format!("HEAD /no-head HTTP/1.1 {agent}"),
        ]
    );
}

#[test]
fn a_broken_outside_link_is_a_problem_with_strict() {
    let web = LocalWeb::start();
    let site = site_linking_to(&web);
    let run = check_without_proxy(&site, &["--external", "--strict"]);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.fails(),
        format!(
            "error: content/posts/first.md: link to `{}` failed: 404 Not Found\n  help: fix or remove the link; if that site is down only for now, check again later\nerror: 1 problem found\n",
            web.url("/gone")
        )
    );
}

#[test]
fn known_warnings_can_be_ignored_but_errors_cannot() {
    let site = TestSite::new()
        .write(
            "serum.toml",
            "title = \"Test Site\"\nbase_url = \"https://example.com/\"\n[check]\nignore = [\"missing-description\", \"broken-link\"]\n",
        )
        .write(
            "content/posts/first.md",
            "+++\ntitle = \"First post\"\nauthor = \"ann\"\n+++\nSee [gone](gone.md).\n",
        );
    assert_eq!(
        problems(&site, &[]),
        "error: content/posts/first.md:5:5: broken link `gone.md`: there is no content/posts/gone.md\n  help: fix the path (relative to this file, or `@/` from content/), or create what it points to\nerror: 1 problem found\n"
    );
    let site = site.write(
        "content/posts/first.md",
        POST.replace("description = \"The first post.\"\n", ""),
    );
    let run = serum(site.root(), &["check"]).ok();
    assert_eq!(run.stderr, "");
    let site = site.write(
        "serum.toml",
        "title = \"Test Site\"\nbase_url = \"https://example.com/\"\n[check]\nignore = [\"missing-descriptions\"]\n",
    );
    assert_eq!(
        problems(&site, &[]),
        "error: serum.toml:4:11: `missing-descriptions` is not the name of a warning\n  help: did you mean `missing-description`?\nerror: 1 problem found\n"
    );
}
