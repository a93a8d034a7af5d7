//! End to end in headless Chromium, driven over WebDriver: what a writer sees in the browser.
//! Ignored by a plain `cargo test`; `.ci/run` installs Chromium and runs them.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::TestSite;
use serde_json::{Value, json};

const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
];

/// A process that is stopped when the test ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        common::terminate(&mut self.0);
    }
}

/// A Chromium session driven through chromedriver.
struct Browser {
    _driver: Killed,
    _profile: tempfile::TempDir,
    base: String,
    session: String,
}

impl Browser {
    fn start() -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (apt-get install chromium chromium-driver; .ci/run does)");
        let driver = Killed(driver);
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args }
        }}});
        let created: Value = post(&format!("{base}/session"), &capabilities);
        let session = created["value"]["sessionId"]
            .as_str()
            .expect("a session")
            .to_string();
        Browser {
            _driver: driver,
            _profile: profile,
            base,
            session,
        }
    }

    fn open(&self, url: &str) {
        post(
            &format!("{}/session/{}/url", self.base, self.session),
            &json!({ "url": url }),
        );
    }

    fn eval(&self, script: &str) -> Value {
        let answer = post(
            &format!("{}/session/{}/execute/sync", self.base, self.session),
            &json!({ "script": script, "args": [] }),
        );
        answer["value"].clone()
    }

    /// Runs a script that ends by calling its last argument with the result.
    fn eval_async(&self, script: &str) -> Value {
        let answer = post(
            &format!("{}/session/{}/execute/async", self.base, self.session),
            &json!({ "script": script, "args": [] }),
        );
        answer["value"].clone()
    }

    /// Makes the page see `prefers-color-scheme: scheme`, through the DevTools protocol.
    fn emulate_color_scheme(&self, scheme: &str) {
        post(
            &format!("{}/session/{}/goog/cdp/execute", self.base, self.session),
            &json!({
                "cmd": "Emulation.setEmulatedMedia",
                "params": { "features": [{ "name": "prefers-color-scheme", "value": scheme }] }
            }),
        );
        assert_eq!(
            self.eval(&format!(
                "return matchMedia('(prefers-color-scheme: {scheme})').matches"
            )),
            json!(true)
        );
    }

    /// Makes the page as wide as a phone's (`width` CSS pixels), through the DevTools protocol.
    fn emulate_width(&self, width: u32) {
        post(
            &format!("{}/session/{}/goog/cdp/execute", self.base, self.session),
            &json!({
                "cmd": "Emulation.setDeviceMetricsOverride",
                "params": { "width": width, "height": 800, "deviceScaleFactor": 1, "mobile": true }
            }),
        );
    }

    /// Runs axe-core's colour contrast rule on the elements `selector` finds (their shadow
    /// trees included); every finding that is not a pass, and how many elements passed.
    fn contrast_problems(&self, selector: &str) -> (Vec<String>, u64) {
        if self.eval("return typeof axe") != json!("object") {
            self.eval(&format!("{}\nreturn null;", axe_source()));
        }
        let script = format!(
            "const done = arguments[arguments.length - 1];
            axe.run({selector:?}, {{ runOnly: {{ type: 'rule', values: ['color-contrast'] }} }})
              .then((r) => done({{
                problems: [...r.violations, ...r.incomplete].flatMap((rule) =>
                  rule.nodes.map((n) => `${{rule.id}}: ${{n.target.join(' ')}}: ${{n.failureSummary}} ${{JSON.stringify(n.any.map((c) => c.data))}}`)),
                passed: r.passes.reduce((sum, rule) => sum + rule.nodes.length, 0),
              }}))
              .catch((e) => done({{ problems: [String(e)], passed: 0 }}));"
        );
        let result = self.eval_async(&script);
        let problems = result["problems"]
            .as_array()
            .unwrap_or_else(|| panic!("{result}"))
            .iter()
            .map(|p| p.as_str().unwrap_or_default().to_string())
            .collect();
        (problems, result["passed"].as_u64().unwrap_or(0))
    }

    /// The element a CSS selector finds, as WebDriver names it.
    fn element(&self, selector: &str) -> String {
        let found = post(
            &format!("{}/session/{}/element", self.base, self.session),
            &json!({ "using": "css selector", "value": selector }),
        );
        element_id(&found["value"])
    }

    /// Types text into an element, key by key, as a reader would.
    fn type_into(&self, selector: &str, text: &str) {
        let element = self.element(selector);
        post(
            &format!(
                "{}/session/{}/element/{element}/clear",
                self.base, self.session
            ),
            &json!({}),
        );
        post(
            &format!(
                "{}/session/{}/element/{element}/value",
                self.base, self.session
            ),
            &json!({ "text": text }),
        );
    }

    /// Clicks the element a script returns.
    fn click(&self, script: &str) {
        let element = element_id(&self.eval(script));
        post(
            &format!(
                "{}/session/{}/element/{element}/click",
                self.base, self.session
            ),
            &json!({}),
        );
    }

    /// Polls a script until it returns `expected`.
    fn wait_for(&self, script: &str, expected: Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let value = self.eval(script);
            if value == expected || Instant::now() > deadline {
                return value;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(format!("{}/session/{}", self.base, self.session)).call();
    }
}

/// The id of a WebDriver element reference.
fn element_id(reference: &Value) -> String {
    reference["element-6066-11e4-a52e-4f735466cecf"]
        .as_str()
        .unwrap_or_else(|| panic!("not an element: {reference}"))
        .to_string()
}

fn post(url: &str, body: &Value) -> Value {
    let mut response = ureq::post(url)
        .send_json(body)
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    response.body_mut().read_json().unwrap()
}

/// axe-core, from the npm packages of tests/quality.
fn axe_source() -> String {
    let path = common::repo().join("tests/quality/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `npm ci --prefix tests/quality --ignore-scripts` (.ci/run does)",
            path.display()
        )
    })
}

fn serve(site: &TestSite) -> (Killed, String) {
    serve_with(site, &[])
}

fn serve_with(site: &TestSite, args: &[&str]) -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_serum"))
        .args(["serve", "--port", "0", "--root"])
        .arg(site.root())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    std::thread::spawn(move || lines.for_each(drop));
    let url = first
        .strip_prefix("Serving at ")
        .expect("address line")
        .to_string();
    (Killed(child), url)
}

#[test]
#[ignore = "needs chromium and chromedriver; .ci/run installs them and runs this"]
fn an_edit_on_disk_shows_up_in_the_open_page_without_a_manual_reload() {
    let site = TestSite::repository_site();
    let (_server, url) = serve(&site);
    let browser = Browser::start();
    browser.open(&format!("{url}articles/microneedling/"));
    let paragraph = "document.querySelector('.page-content p').textContent";
    let first = browser.eval(&format!("return {paragraph}"));
    assert!(
        first
            .as_str()
            .unwrap()
            .starts_with("Microneedling, also known as"),
        "{first}"
    );
    // A marker that only survives as long as the page is not reloaded.
    browser.eval("window.serumMarker = 1; return null;");
    let file = site.path("content/articles/microneedling/index.md");
    let text = std::fs::read_to_string(&file).unwrap();
    // The body's first paragraph starts a line; the description in the front matter does not.
    let edited = text.replacen(
        "\nMicroneedling, also known as",
        "\nFreshly edited: Microneedling, also known as",
        1,
    );
    std::fs::write(&file, edited).unwrap();
    let seen = browser.wait_for(
        &format!("return {paragraph}.slice(0, 15)"),
        json!("Freshly edited:"),
    );
    assert_eq!(seen, json!("Freshly edited:"));
    assert_eq!(
        browser.eval("return window.serumMarker === undefined"),
        json!(true),
        "the page reloaded by itself"
    );
}

#[test]
#[ignore = "needs chromium and chromedriver; .ci/run installs them and runs this"]
fn a_broken_edit_shows_an_inert_overlay_until_fixed() {
    let site = TestSite::repository_site();
    let (_server, url) = serve(&site);
    let browser = Browser::start();
    browser.open(&format!("{url}articles/microneedling/"));
    let file = site.path("content/articles/microneedling/index.md");
    let good = std::fs::read_to_string(&file).unwrap();
    let broken = good.replacen(
        "author = \"mike-rubini\"",
        "author = \"<img src=x onerror=alert(1)>\"",
        1,
    );
    std::fs::write(&file, broken).unwrap();
    let text = wait_for_overlay(&browser);
    assert!(
        text.contains("unknown author `<img src=x onerror=alert(1)>`"),
        "{text}"
    );
    assert_eq!(
        browser.eval(
            "return document.getElementById('serum-error-overlay').shadowRoot.querySelectorAll('img').length"
        ),
        json!(0)
    );
    std::fs::write(&file, good).unwrap();
    assert_eq!(
        browser.wait_for(
            "return document.getElementById('serum-error-overlay') === null",
            json!(true)
        ),
        json!(true)
    );
}

/// Waits for the error overlay and returns the message it shows.
fn wait_for_overlay(browser: &Browser) -> String {
    let overlay = "const o = document.getElementById('serum-error-overlay'); \
                   return o ? o.shadowRoot.querySelector('pre').textContent : null";
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(text) = browser.eval(overlay).as_str() {
            return text.to_string();
        }
        assert!(Instant::now() < deadline, "no overlay appeared");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Breaks the article's front matter on its second line, as a slip of the keyboard would.
fn break_the_article(site: &TestSite) -> (std::path::PathBuf, String) {
    let file = site.path("content/articles/microneedling/index.md");
    let good = std::fs::read_to_string(&file).unwrap();
    let title = good.lines().nth(1).unwrap();
    assert!(title.starts_with("title = "), "{title}");
    std::fs::write(&file, good.replacen(title, "title = = \"x\"", 1)).unwrap();
    (file, good)
}

/// Asserts axe-core finds every text of the overlay readable, in light and dark.
#[track_caller]
fn assert_overlay_contrast(browser: &Browser, case: &str) {
    for scheme in ["light", "dark"] {
        browser.emulate_color_scheme(scheme);
        let (problems, passed) = browser.contrast_problems("#serum-error-overlay");
        assert_eq!(problems, Vec::<String>::new(), "{case}, {scheme}");
        // The title, the message and the note were all checked.
        assert!(
            passed >= 3,
            "{case}, {scheme}: only {passed} elements checked"
        );
    }
}

#[test]
#[ignore = "needs chromium, chromedriver and tests/quality's npm packages; .ci/run installs them"]
fn the_error_overlay_reads_well_in_both_themes_light_and_dark() {
    let browser = Browser::start();
    for theme in ["default", "mono"] {
        let site = TestSite::repository_site();
        let (_server, url) = serve_with(&site, &["--theme", theme]);
        browser.emulate_color_scheme("light");
        browser.open(&format!("{url}articles/microneedling/"));
        break_the_article(&site);
        let text = wait_for_overlay(&browser);
        assert!(
            text.starts_with("error: content/articles/microneedling/index.md:2:"),
            "{text}"
        );
        assert_overlay_contrast(&browser, theme);
    }
}

#[test]
#[ignore = "needs chromium, chromedriver and tests/quality's npm packages; .ci/run installs them"]
fn the_error_overlay_keeps_its_colours_under_a_site_stylesheet_that_hides_text() {
    let site = TestSite::repository_site();
    let theme_css = std::fs::read_to_string(site.path("themes/default/static/style.css")).unwrap();
    // The site's own style.css replaces the theme's: the theme's rules, then hostile ones.
    let site = site.write(
        "static/style.css",
        format!(
            "{theme_css}\npre {{ color: white; background: white }}\n\
             * {{ color: #fff !important; background: #fff !important; font-size: 4px !important }}\n\
             div {{ display: none !important; opacity: 0 !important }}\n"
        ),
    );
    let (_server, url) = serve(&site);
    let browser = Browser::start();
    browser.emulate_color_scheme("light");
    browser.open(&format!("{url}articles/microneedling/"));
    assert_eq!(
        browser.eval("return getComputedStyle(document.querySelector('h1')).color"),
        json!("rgb(255, 255, 255)"),
        "the hostile stylesheet applies to the page"
    );
    break_the_article(&site);
    wait_for_overlay(&browser);
    // The overlay's own colours and sizes, as wide as on any other site (the page's tiny root
    // font size must not shrink it).
    let looks = "const root = document.getElementById('serum-error-overlay').shadowRoot; \
                 const pre = getComputedStyle(root.querySelector('pre')); \
                 const width = root.querySelector('.panel').getBoundingClientRect().width; \
                 const room = document.documentElement.clientWidth - 32; \
                 return [pre.color, pre.backgroundColor, pre.fontSize, width === Math.min(960, room)]";
    assert_eq!(
        browser.eval(looks),
        json!(["rgb(31, 31, 35)", "rgb(243, 243, 245)", "14px", true])
    );
    assert_overlay_contrast(&browser, "a hostile site stylesheet");
}

#[test]
#[ignore = "needs chromium, chromedriver and tests/quality's npm packages; .ci/run installs them"]
fn a_site_broken_from_the_start_shows_its_error_then_reloads_itself_once_fixed() {
    let site = TestSite::repository_site();
    let (file, good) = break_the_article(&site);
    let message = site.build(&[]).fails();
    let (_server, url) = serve(&site);
    let browser = Browser::start();
    browser.emulate_color_scheme("light");
    browser.open(&format!("{url}articles/microneedling/"));
    assert_eq!(
        browser.eval("return document.querySelector('#serum-error-page h1').textContent"),
        json!("serum: the site does not build")
    );
    let shown = browser.eval("return document.querySelector('#serum-error-page pre').textContent");
    assert_eq!(shown.as_str(), Some(message.trim_end()));
    assert!(
        message.starts_with("error: content/articles/microneedling/index.md:2:"),
        "{message}"
    );
    for scheme in ["light", "dark"] {
        browser.emulate_color_scheme(scheme);
        let (problems, passed) = browser.contrast_problems("html");
        assert_eq!(problems, Vec::<String>::new(), "{scheme}");
        assert!(passed >= 3, "{scheme}: only {passed} elements checked");
    }
    browser.eval("window.serumMarker = 1; return null;");

    std::fs::write(&file, good).unwrap();
    let title = "const h = document.querySelector('h1.page-title'); return h ? h.textContent.slice(0, 14) : null";
    assert_eq!(
        browser.wait_for(title, json!("Microneedling:")),
        json!("Microneedling:")
    );
    assert_eq!(
        browser.eval("return window.serumMarker === undefined"),
        json!(true),
        "the page reloaded by itself"
    );
}

/// What the search page lists, once its status says how many: each result's link, sorted.
const RESULTS: &str = "return document.querySelector('.search-status').textContent === '' ? null : \
    [...document.querySelectorAll('.search-results .page-item-title a')].map((a) => a.getAttribute('href')).sort()";

/// Polls the results until they are `expected`; returns how long that took.
fn wait_for_results(browser: &Browser, expected: &[&str]) -> Duration {
    let started = Instant::now();
    let seen = browser.wait_for(RESULTS, json!(expected));
    assert_eq!(seen, json!(expected));
    started.elapsed()
}

#[test]
#[ignore = "needs chromium and chromedriver; .ci/run installs them and runs this"]
fn search_finds_pages_as_the_reader_types_never_drafts_or_noindex_and_follows_edits() {
    let site = TestSite::new()
        .write("content/posts/_index.md", "+++\ntitle = \"Posts\"\n+++\n")
        .write("content/guides/_index.md", "+++\ntitle = \"Guides\"\n+++\n")
        .write(
            "content/posts/first.md",
            "+++\ntitle = \"First post\"\ndate = 2024-05-01\nauthor = \"ann\"\ntags = [\"barrier\"]\n+++\nZephyrine calms the skin. Ceramide helps too.\n",
        )
        .write(
            "content/guides/second.md",
            "+++\ntitle = \"A guide\"\ndate = 2024-04-01\nauthor = \"ann\"\ntags = [\"routine\"]\n+++\nA ceramide cream at night.\n",
        )
        .write(
            "content/posts/hidden.md",
            "+++\ntitle = \"Hidden\"\ndate = 2024-03-01\nnoindex = true\n+++\nQuokkaberry lives here only.\n",
        )
        .write(
            "content/posts/draft.md",
            "+++\ntitle = \"Draft\"\ndate = 2024-03-02\ndraft = true\n+++\nMarmaladine lives here only.\n",
        );
    // Drafts are shown, so that the test proves they are left out of the index all the same.
    let (_server, url) = serve_with(&site, &["--drafts"]);
    let browser = Browser::start();
    browser.open(&format!("{url}search/"));
    browser.wait_for(
        "return document.querySelector('.search-filters').hidden",
        json!(false),
    );

    browser.type_into("#search-query", "zephyrine");
    let took = wait_for_results(&browser, &["/posts/first/"]);
    assert!(took < Duration::from_secs(2), "results took {took:?}");
    let excerpt = "return document.querySelector('.search-results mark').textContent";
    assert_eq!(browser.eval(excerpt), json!("Zephyrine"));
    let byline = "return document.querySelector('.search-results .byline-meta').textContent";
    assert_eq!(browser.eval(byline), json!("Ann Lee · May 1, 2024 · Posts"));
    assert_eq!(
        browser.eval("return location.search"),
        json!("?q=zephyrine"),
        "the address can be shared"
    );

    for word in ["quokkaberry", "marmaladine"] {
        browser.type_into("#search-query", word);
        let status = "return document.querySelector('.search-status').textContent";
        let expected = json!(format!("No results for “{word}”."));
        assert_eq!(browser.wait_for(status, expected.clone()), expected);
        assert_eq!(browser.eval(RESULTS), json!([]));
    }

    // The query in the address runs on load; a filter narrows what it found.
    browser.open(&format!("{url}search/?q=ceramide"));
    wait_for_results(&browser, &["/guides/second/", "/posts/first/"]);
    browser.click(
        "return [...document.querySelectorAll('.search-filter label')]
           .find((l) => l.textContent.startsWith('Guides'))",
    );
    wait_for_results(&browser, &["/guides/second/"]);

    // On a phone the filters start closed, their checkboxes made only once they are opened.
    browser.emulate_width(390);
    browser.open(&format!("{url}search/?q=ceramide"));
    wait_for_results(&browser, &["/guides/second/", "/posts/first/"]);
    let filters = "const box = document.querySelector('.search-filters');
                   return [box.hidden, box.open, box.querySelectorAll('input').length]";
    assert_eq!(browser.eval(filters), json!([false, false, 0]));
    browser.click("return document.querySelector('.search-filters > summary')");
    let made = "return document.querySelectorAll('.search-filter input').length > 0";
    assert_eq!(browser.wait_for(made, json!(true)), json!(true));
    browser.click(
        "return [...document.querySelectorAll('.search-filter label')]
           .find((l) => l.textContent.startsWith('Guides'))",
    );
    wait_for_results(&browser, &["/guides/second/"]);

    // serve re-indexes what a save changed.
    let _site = site.write(
        "content/guides/second.md",
        "+++\ntitle = \"A guide\"\ndate = 2024-04-01\nauthor = \"ann\"\n+++\nA ceramide cream, then xylophonic calm.\n",
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        browser.open(&format!("{url}search/?q=xylophonic"));
        let answered = Instant::now() + Duration::from_secs(5);
        let mut seen = browser.eval(RESULTS);
        while seen.is_null() && Instant::now() < answered {
            std::thread::sleep(Duration::from_millis(50));
            seen = browser.eval(RESULTS);
        }
        if seen == json!(["/guides/second/"]) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the edit never reached the index: {seen}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
