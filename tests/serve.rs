//! `serum serve` as a writer uses it: a child process, a real HTTP client on 127.0.0.1.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Page, TestSite, snapshot};

/// A running `serum serve` and what it prints.
struct Server {
    child: Child,
    url: String,
    lines: mpsc::Receiver<String>,
    /// Its TMPDIR, where it keeps its preview.
    tmp: tempfile::TempDir,
}

impl Server {
    fn start(site: &TestSite) -> Server {
        Server::start_printing(site, &["warning: ", "  help: "])
    }

    /// Starts on a site that does not build: its errors come before the address.
    fn start_broken(site: &TestSite) -> Server {
        Server::start_printing(site, &["error: ", "warning: ", "  help: "])
    }

    /// Starts serve, which may print lines starting with `before` ahead of its address.
    fn start_printing(site: &TestSite, before: &[&str]) -> Server {
        let tmp = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_serum"))
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root())
            .env("TMPDIR", tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let (sender, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = sender.send(line);
                }
            });
        }
        // Warnings may come first, on stderr; the address line comes once the site is served.
        let url = loop {
            let line = lines
                .recv_timeout(Duration::from_secs(30))
                .expect("serve prints its address");
            if let Some(url) = line.strip_prefix("Serving at ") {
                break url.to_string();
            }
            assert!(
                before.iter().any(|prefix| line.starts_with(prefix)),
                "unexpected line before the address: {line}"
            );
        };
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
            "{url}"
        );
        Server {
            child,
            url,
            lines,
            tmp,
        }
    }

    fn get(&self, path: &str) -> Response {
        request(
            "GET",
            &format!("{}{}", self.url, path.trim_start_matches('/')),
            &[],
        )
    }

    /// Waits for a printed line that starts with `prefix`.
    fn wait_for_line(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(_) => continue,
                Err(_) => break,
            }
        }
        panic!("serve never printed a line starting with {prefix:?}");
    }

    /// Sends SIGINT, as Ctrl-C does; the exit code.
    fn interrupt(mut self) -> Option<i32> {
        self.signal(libc::SIGINT)
    }

    /// Sends `signal` and waits for serve to exit; the exit code.
    fn signal(&mut self, signal: libc::c_int) -> Option<i32> {
        // SAFETY: kill(2) on our own child, which has not been waited for.
        assert_eq!(
            unsafe { libc::kill(self.child.id() as libc::pid_t, signal) },
            0
        );
        let status = common::wait_for_exit(&mut self.child, Duration::from_secs(10));
        assert!(status.is_some(), "serve did not stop on signal {signal}");
        status.and_then(|status| status.code())
    }

    /// What serve has in its TMPDIR.
    fn temporary_files(&self) -> Vec<String> {
        std::fs::read_dir(self.tmp.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        common::terminate(&mut self.child);
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn page(&self) -> Page {
        Page(scraper::Html::parse_document(&self.body))
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

fn request(method: &str, url: &str, headers: &[(&str, &str)]) -> Response {
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut response = agent()
        .run(builder.body(()).unwrap())
        .expect("request succeeds");
    Response {
        status: response.status().as_u16(),
        headers: response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect(),
        body: if method == "HEAD" {
            String::new()
        } else {
            response.body_mut().read_to_string().unwrap_or_default()
        },
    }
}

/// Reads server-sent events from the live reload stream on a thread.
fn listen(server: &Server) -> mpsc::Receiver<(String, String)> {
    let response = agent()
        .get(format!("{}__serum/events", server.url))
        .call()
        .expect("event stream");
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "text/event-stream"
    );
    let (sender, events) = mpsc::channel();
    std::thread::spawn(move || {
        let reader = BufReader::new(response.into_body().into_reader());
        let mut name = String::new();
        for line in reader.lines().map_while(Result::ok) {
            if let Some(event) = line.strip_prefix("event: ") {
                name = event.to_string();
            } else if let Some(data) = line.strip_prefix("data: ") {
                if sender.send((name.clone(), data.to_string())).is_err() {
                    return;
                }
            }
        }
    });
    events
}

fn next_event(events: &mpsc::Receiver<(String, String)>) -> (String, String) {
    events
        .recv_timeout(Duration::from_secs(20))
        .expect("an event arrives")
}

fn site() -> TestSite {
    TestSite::new()
        .with_repo_themes()
        .write("static/extra.css", "p { margin: 0 }")
}

#[test]
fn serves_pages_assets_and_the_404_page_with_the_right_types() {
    let site = site();
    let server = Server::start(&site);
    let page = server.get("/posts/first/");
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(page.page().text("h1.page-title"), "First post");
    assert_eq!(
        page.page().attrs("script[src]", "src"),
        ["/__serum/live-reload.js"]
    );

    let css = server.get("/style.css");
    assert_eq!(
        (css.status, css.header("content-type")),
        (200, Some("text/css"))
    );
    let script = server.get("/__serum/live-reload.js");
    assert_eq!(script.status, 200);
    assert!(
        script
            .header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );

    let redirect = server.get("/posts/first");
    assert_eq!(redirect.status, 307);
    assert_eq!(redirect.header("location"), Some("/posts/first/"));

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.page().text("h1"), "Page not found");
}

#[test]
fn only_files_of_the_built_site_are_reachable() {
    let site = site().write("secret.txt", "do not serve");
    let server = Server::start(&site);
    for path in [
        "../secret.txt",
        "%2e%2e/secret.txt",
        "%2e%2e%2fsecret.txt",
        "posts/%2e%2e/%2e%2e/secret.txt",
        "..%5csecret.txt",
        "/etc/passwd",
        "%2fetc%2fpasswd",
        "serum.toml",
    ] {
        let url = format!("{}{}", server.url, path);
        let response = request("GET", &url, &[]);
        assert!(
            matches!(response.status, 400 | 404),
            "{path}: {}",
            response.status
        );
        assert!(
            !response.body.contains("do not serve") && !response.body.contains("root:"),
            "{path}"
        );
    }
}

#[test]
fn head_and_conditional_get() {
    let site = site();
    let server = Server::start(&site);
    let url = format!("{}posts/first/", server.url);
    let head = request("HEAD", &url, &[]);
    assert_eq!(head.status, 200);
    let length: usize = head.header("content-length").unwrap().parse().unwrap();
    assert_eq!(length, server.get("/posts/first/").body.len());
    let tag = head.header("etag").expect("an etag").to_string();
    let again = request("GET", &url, &[("If-None-Match", &tag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let other = request("GET", &url, &[("If-None-Match", "\"something-else\"")]);
    assert_eq!(other.status, 200);
    let css = request("HEAD", &format!("{}style.css", server.url), &[]);
    assert_ne!(css.header("etag"), Some(tag.as_str()));
}

#[test]
fn many_concurrent_requests_are_all_served() {
    let site = site();
    let server = Server::start(&site);
    let url = format!("{}posts/first/", server.url);
    let handles: Vec<_> = (0..200)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || request("GET", &url, &[]).status)
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
}

#[test]
fn an_edited_article_is_served_anew_and_tabs_are_told_to_reload() {
    let site = site();
    let server = Server::start(&site);
    let events = listen(&server);
    assert_eq!(next_event(&events).0, "hello");
    let site = site.write(
        "content/posts/first.md",
        "+++\ntitle = \"First post, revised\"\ndate = 2024-05-01\nauthor = \"ann\"\n+++\nNew words.\n\n## Part one\n",
    );
    assert_eq!(next_event(&events).0, "reload");
    let line = server.wait_for_line("Rebuilt after content/posts/first.md changed:");
    // Within the same second as the first build: the old tag must not match any more.
    assert!(line.ends_with(" ms"), "{line}");
    assert_eq!(
        server.get("/posts/first/").page().text("h1.page-title"),
        "First post, revised"
    );
    let home = server.get("/").page();
    assert_eq!(home.texts(".page-item-title"), ["First post, revised"]);
    drop(site);
}

#[test]
fn a_stylesheet_change_swaps_styles_only() {
    let site = site();
    let server = Server::start(&site);
    let events = listen(&server);
    next_event(&events);
    let _site = site.write("static/extra.css", "p { margin: 1rem }");
    let (name, data) = next_event(&events);
    assert_eq!(name, "css", "{data}");
    assert_eq!(server.get("/extra.css").body, "p { margin: 1rem }");
}

#[test]
fn a_broken_edit_keeps_the_last_good_page_and_a_fix_clears_the_error() {
    let site = site();
    let server = Server::start(&site);
    let events = listen(&server);
    next_event(&events);
    let site = site.write(
        "content/posts/first.md",
        "+++\ntitle = \"Broken\nauthor = \"ann\"\n+++\n",
    );
    let (name, data) = next_event(&events);
    assert_eq!(name, "build-error");
    let error: serde_json::Value = serde_json::from_str(&data).unwrap();
    let message = error["error"].as_str().unwrap();
    assert!(
        message.starts_with("error: content/posts/first.md:2:"),
        "{message}"
    );
    assert!(message.contains("invalid TOML"), "{message}");
    assert_eq!(
        server.get("/posts/first/").page().text("h1.page-title"),
        "First post"
    );

    // A tab opened now learns of the error at once.
    let late = listen(&server);
    let (name, data) = next_event(&late);
    assert_eq!(name, "hello");
    assert!(data.contains("invalid TOML"), "{data}");

    let _site = site.write(
        "content/posts/first.md",
        "+++\ntitle = \"Fixed\"\nauthor = \"ann\"\n+++\n",
    );
    assert_eq!(next_event(&events).0, "reload");
    assert_eq!(
        server.get("/posts/first/").page().text("h1.page-title"),
        "Fixed"
    );
}

#[test]
fn a_site_that_never_built_shows_its_error_on_every_page_until_it_builds() {
    let site = site().write(
        "content/posts/first.md",
        "+++\ntitle = \"Broken\nauthor = \"ann\"\n+++\n",
    );
    // The message `serum build` prints is the one the pages show.
    let message = site.build(&[]).fails();
    assert!(
        message.starts_with("error: content/posts/first.md:2:"),
        "{message}"
    );
    let server = Server::start_broken(&site);
    for path in [
        "/",
        "/posts/first/",
        "/no/such/page/",
        "/about",
        "/index.html",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 500, "{path}");
        assert_eq!(
            response.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(response.header("cache-control"), Some("no-cache"));
        let page = response.page();
        assert_eq!(page.text("title"), "serum: the site does not build");
        assert_eq!(page.text("h1"), "serum: the site does not build");
        let shown: String = page.one("#serum-error-page pre").text().collect();
        assert_eq!(shown, message.trim_end(), "{path}");
        assert_eq!(
            page.attrs("script[src]", "src"),
            ["/__serum/live-reload.js"],
            "the page reloads itself once the site builds"
        );
        assert_eq!(page.attr("#serum-error-page", "data-build"), "1");
    }
    // Files other than pages are not there: no page stands in for them.
    assert_eq!(server.get("/style.css").status, 404);
    assert_eq!(server.get("/__serum/live-reload.js").status, 200);

    let events = listen(&server);
    let (name, data) = next_event(&events);
    assert_eq!(name, "hello");
    let hello: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!(hello["build"], 1);
    assert_eq!(hello["error"].as_str(), Some(message.trim_end()));

    let _site = site.write(
        "content/posts/first.md",
        "+++\ntitle = \"Fixed\"\nauthor = \"ann\"\n+++\n",
    );
    assert_eq!(next_event(&events).0, "reload");
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.page().texts(".page-item-title"), ["Fixed"]);
    assert_eq!(
        server.get("/posts/first/").page().text("h1.page-title"),
        "Fixed"
    );
    assert_eq!(server.get("/no/such/page/").status, 404);
}

#[test]
fn a_deleted_article_leaves_the_listings() {
    let site = site().write(
        "content/posts/second.md",
        "+++\ntitle = \"Second\"\ndate = 2024-06-01\n+++\n",
    );
    let server = Server::start(&site);
    assert_eq!(
        server.get("/").page().texts(".page-item-title"),
        ["Second", "First post"]
    );
    let events = listen(&server);
    next_event(&events);
    let _site = site.remove("content/posts/second.md");
    assert_eq!(next_event(&events).0, "reload");
    assert_eq!(
        server.get("/").page().texts(".page-item-title"),
        ["First post"]
    );
    assert_eq!(server.get("/posts/second/").status, 404);
}

#[test]
fn ctrl_c_stops_cleanly_and_leaves_public_as_it_was() {
    let site = site();
    site.build(&[]).ok();
    let before = snapshot(&site.path("public"));
    let server = Server::start(&site);
    assert_eq!(server.get("/").status, 200);
    assert_eq!(server.interrupt(), Some(0));
    assert_eq!(snapshot(&site.path("public")), before);
}

#[test]
fn ctrl_c_sigterm_and_sighup_each_stop_serve_and_remove_its_temporary_folder() {
    let site = site();
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let mut server = Server::start(&site);
        assert_eq!(server.get("/").status, 200);
        let preview = server.temporary_files();
        assert_eq!(preview.len(), 1, "{preview:?}");
        assert!(preview[0].starts_with("serum-serve-"), "{preview:?}");
        assert_eq!(server.signal(signal), Some(0), "signal {signal}");
        assert_eq!(
            server.temporary_files(),
            Vec::<String>::new(),
            "signal {signal}"
        );
    }
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let site = site();
    let run = common::serum(site.root(), &["serve", "--port", &port]);
    assert_eq!(run.status, Some(1));
    assert_eq!(
        run.stderr,
        format!(
            "error: port {port} is already in use on 127.0.0.1\n  help: stop the other server, pick another port with --port N, or use --port 0 for any free port\n"
        )
    );
}

#[test]
fn the_built_site_never_carries_the_live_reload_script() {
    let site = site();
    site.build(&[]).ok();
    for (path, bytes) in snapshot(&site.path("public")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("__serum"), "{path} mentions live reload");
    }
}

#[test]
fn a_symbolic_link_out_of_the_site_is_never_served() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "do not serve").unwrap();
    let site = site();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        site.path("content/posts/secret.txt"),
    )
    .unwrap();
    let server = Server::start(&site);
    let response = server.get("/posts/secret.txt");
    assert_eq!(response.status, 404);
    assert!(!response.body.contains("do not serve"));
    let run = site.build(&[]).ok();
    assert_eq!(
        run.stderr,
        format!(
            "warning: content/posts/secret.txt: skipped: this symbolic link leads outside the site, to {}\n  help: serum publishes only files inside the site; copy the file in if it belongs to the site\n",
            outside
                .path()
                .canonicalize()
                .unwrap()
                .join("secret.txt")
                .display()
        )
    );
}

#[test]
fn a_new_static_file_is_served() {
    let site = site();
    let server = Server::start(&site);
    let events = listen(&server);
    next_event(&events);
    let _site = site.write("static/new.txt", "fresh");
    assert_eq!(next_event(&events).0, "reload");
    let response = server.get("/new.txt");
    assert_eq!((response.status, response.body.as_str()), (200, "fresh"));
}

/// The search index serve shows next to the one a clean `serum build` of the same files makes:
/// its entry file names the hash of its metadata, which names every other file by its own.
fn index_entries(server: &Server, site: &TestSite) -> (String, String) {
    let copy = tempfile::tempdir().unwrap();
    common::copy_dir(site.root(), copy.path());
    common::serum(copy.path(), &["build"]).ok();
    let built = std::fs::read_to_string(copy.path().join("public/pagefind/pagefind-entry.json"));
    (
        server.get("/pagefind/pagefind-entry.json").body,
        built.unwrap(),
    )
}

#[test]
fn every_save_reaches_the_search_index_as_a_clean_build_makes_it() {
    let site = site().write(
        "content/posts/second.md",
        "+++\ntitle = \"Second\"\ndate = 2024-06-01\n+++\nOrdinary words.\n",
    );
    let server = Server::start(&site);
    let events = listen(&server);
    next_event(&events);
    let first = server.get("/pagefind/pagefind-entry.json").body;
    // An edit: the index kept from the last build takes that page again.
    let site = site.write(
        "content/posts/second.md",
        "+++\ntitle = \"Second\"\ndate = 2024-06-01\n+++\nOrdinary words, and xylophonic ones.\n",
    );
    assert_eq!(next_event(&events).0, "reload");
    let (served, built) = index_entries(&server, &site);
    assert_ne!(served, first);
    assert_eq!(served, built);
    // A new page, then a deleted one: a new index each time.
    let site = site.write(
        "content/posts/third.md",
        "+++\ntitle = \"Third\"\ndate = 2024-07-01\n+++\nMore words.\n",
    );
    assert_eq!(next_event(&events).0, "reload");
    let (served, built) = index_entries(&server, &site);
    assert_eq!(served, built);
    let site = site.remove("content/posts/second.md");
    assert_eq!(next_event(&events).0, "reload");
    let (served, built) = index_entries(&server, &site);
    assert_eq!(served, built);
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([30, 120, 90]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

#[test]
fn a_replaced_or_added_photo_is_processed_and_tabs_are_told_to_reload() {
    let site = site()
        .write(
            "content/posts/p/index.md",
            "+++\ntitle = \"P\"\ndate = 2024-05-02\n+++\n![A jar](jar.png)\n",
        )
        .write("content/posts/p/jar.png", png(400, 200));
    let server = Server::start(&site);
    let events = listen(&server);
    assert_eq!(next_event(&events).0, "hello");
    let size = |page: &Page| {
        (
            page.attr(".page-content img", "width"),
            page.attr(".page-content img", "height"),
        )
    };
    assert_eq!(
        size(&server.get("/posts/p/").page()),
        ("400".into(), "200".into())
    );

    // Replaced by a photo of another size: its copies are made anew and the page says so.
    let site = site.write("content/posts/p/jar.png", png(600, 600));
    assert_eq!(next_event(&events).0, "reload");
    server.wait_for_line("Rebuilt after content/posts/p/jar.png changed:");
    let page = server.get("/posts/p/").page();
    assert_eq!(size(&page), ("600".into(), "600".into()));
    let webp = page.attr(".page-content source", "srcset");
    assert_eq!(
        webp,
        "/posts/p/jar-480w.webp 480w, /posts/p/jar-600w.webp 600w"
    );
    let copy = server.get("/posts/p/jar-600w.webp");
    assert_eq!(
        (copy.status, copy.header("content-type")),
        (200, Some("image/webp"))
    );

    // A new photo, and the page showing it.
    let site = site.write("content/posts/p/new.png", png(500, 250)).write(
        "content/posts/p/index.md",
        "+++\ntitle = \"P\"\ndate = 2024-05-02\n+++\n![A jar](jar.png)\n\n![A new one](new.png)\n",
    );
    assert_eq!(next_event(&events).0, "reload");
    let deadline = Instant::now() + Duration::from_secs(20);
    let page = loop {
        let page = server.get("/posts/p/").page();
        if page.all(".page-content img").len() == 2 || Instant::now() > deadline {
            break page;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(page.attrs(".page-content img", "width"), ["600", "500"]);
    assert_eq!(server.get("/posts/p/new-480w.webp").status, 200);
    drop(site);
}
