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

/// A process that is killed when the test ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
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

fn post(url: &str, body: &Value) -> Value {
    let mut response = ureq::post(url)
        .send_json(body)
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    response.body_mut().read_json().unwrap()
}

fn serve(site: &TestSite) -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_serum"))
        .args(["serve", "--port", "0", "--root"])
        .arg(site.root())
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
    let overlay =
        "const o = document.getElementById('serum-error-overlay'); return o ? o.textContent : null";
    let deadline = Instant::now() + Duration::from_secs(20);
    let text = loop {
        if let Some(text) = browser.eval(overlay).as_str() {
            break text.to_string();
        }
        assert!(Instant::now() < deadline, "no overlay appeared");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        text.contains("unknown author `<img src=x onerror=alert(1)>`"),
        "{text}"
    );
    assert_eq!(
        browser.eval("return document.querySelectorAll('#serum-error-overlay img').length"),
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
