//! `serum serve` under load and abuse, on 127.0.0.1 only, every loop bounded in count and time:
//! many connections, slow ones, huge requests, a thousand open tabs, a burst of saves.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Page, TestSite};

/// A running `serum serve --port 0` and the lines it prints.
struct Server {
    child: Child,
    address: String,
    lines: mpsc::Receiver<String>,
}

impl Server {
    fn start(site: &TestSite) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_serum"))
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let (sender, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = sender.send(line);
                }
            });
        }
        let address = loop {
            let line = lines
                .recv_timeout(Duration::from_secs(60))
                .expect("serve prints its address");
            if let Some(url) = line.strip_prefix("Serving at http://") {
                break url.trim_end_matches('/').to_string();
            }
        };
        assert!(address.starts_with("127.0.0.1:"), "{address}");
        Server {
            child,
            address,
            lines,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A GET with a plain client; the status and the body.
    fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .into();
        let mut response = agent
            .get(self.url(path))
            .call()
            .expect("the server answers");
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_to_string().unwrap_or_default(),
        )
    }

    /// Sends SIGINT, as Ctrl-C does; the exit code and how long serve took to exit.
    fn interrupt(mut self) -> (Option<i32>, Duration) {
        let sent = Instant::now();
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), sent.elapsed());
            }
            assert!(
                sent.elapsed() < Duration::from_secs(30),
                "serve did not stop on SIGINT"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Asserts the article is still served, whole.
    #[track_caller]
    fn assert_serving(&self) {
        let (status, body) = self.get("/posts/first/");
        assert_eq!(status, 200);
        let page = Page(scraper::Html::parse_document(&body));
        assert_eq!(page.text("h1.page-title"), "First post");
    }

    /// Asserts the repository's article is still served, whole.
    #[track_caller]
    fn assert_serving_repository(&self) {
        let (status, body) = self.get("/articles/microneedling/");
        assert_eq!(status, 200);
        let page = Page(scraper::Html::parse_document(&body));
        assert_eq!(page.all("h1.page-title").len(), 1);
    }

    /// Every printed line that starts with one of `prefixes`, until none came for `quiet`.
    fn lines_until_quiet(
        &self,
        prefixes: &[&str],
        quiet: Duration,
        limit: Duration,
    ) -> Vec<String> {
        let started = Instant::now();
        let mut found = Vec::new();
        while started.elapsed() < limit {
            match self.lines.recv_timeout(quiet) {
                Ok(line) if prefixes.iter().any(|p| line.starts_with(p)) => found.push(line),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        found
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        common::terminate(&mut self.child);
    }
}

fn site() -> TestSite {
    TestSite::new().with_repo_themes()
}

/// A raw connection to the server, with a read timeout so that no test can hang on it.
fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(&server.address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

/// The status code of the first response line read from `stream`, if one came.
fn read_status(stream: &mut TcpStream) -> Option<u16> {
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).ok()?;
    line.split(' ').nth(1)?.parse().ok()
}

#[test]
fn wrk_at_200_connections_for_30_seconds_gets_no_errors() {
    let wrk = Command::new("wrk").arg("--version").output();
    assert!(
        wrk.is_ok(),
        "wrk is not installed: `apt-get install wrk` (.ci/run installs it)"
    );
    let site = TestSite::repository_site();
    let server = Server::start(&site);
    let url = server.url("/articles/microneedling/");
    assert_eq!(server.get("/articles/microneedling/").0, 200);
    let output = Command::new("wrk")
        .args([
            "--threads",
            "2",
            "--connections",
            "200",
            "--duration",
            "30s",
        ])
        .args(["--timeout", "10s", "--latency", &url])
        .output()
        .expect("wrk runs");
    let report = String::from_utf8_lossy(&output.stdout);
    eprintln!("{report}");
    assert!(output.status.success(), "{report}");
    let percentile = |p: &str| {
        report
            .lines()
            .find_map(|line| line.trim().strip_prefix(p))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no {p} latency in:\n{report}"))
            .to_string()
    };
    eprintln!(
        "serve, 200 connections for 30 s: p50 {}, p99 {}",
        percentile("50%"),
        percentile("99%")
    );
    assert!(
        !report.contains("Socket errors"),
        "connection errors:\n{report}"
    );
    assert!(!report.contains("Non-2xx"), "error responses:\n{report}");
    let requests: u64 = report
        .lines()
        .find_map(|line| line.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.parse().ok())
        .expect("a request count");
    assert!(requests >= 1000, "only {requests} requests in 30 s");
    server.assert_serving_repository();
}

#[test]
fn idle_slow_connections_do_not_block_other_clients() {
    let site = site();
    let server = Server::start(&site);
    // Half a request each, then silence: a slowloris.
    let idle: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut stream = connect(&server);
            stream
                .write_all(b"GET /posts/first/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow")
                .unwrap();
            stream
        })
        .collect();
    let started = Instant::now();
    for _ in 0..20 {
        server.assert_serving();
    }
    let took = started.elapsed();
    eprintln!("20 requests beside 100 stalled connections: {took:?}");
    assert!(took < Duration::from_secs(20), "{took:?}");
    drop(idle);
    server.assert_serving();
}

/// Opens `count` connections that each send half a request, then nothing.
fn stall(server: &Server, count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|_| {
            let mut stream = connect(server);
            stream
                .write_all(b"GET /posts/first/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow")
                .unwrap();
            stream.set_nonblocking(true).unwrap();
            stream
        })
        .collect()
}

/// Whether the server closed a connection; it must never answer a request it never got whole.
fn is_closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => panic!("the server answered half a request"),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
        Err(e) => panic!("the connection broke instead of closing: {e}"),
    }
}

#[test]
fn stalled_requests_are_closed_within_30_seconds_and_ctrl_c_stops_serve_beside_them() {
    raise_open_files(2048);
    let site = site();
    let server = Server::start(&site);
    let opened = Instant::now();
    let mut stalled = stall(&server, 300);
    let mut closed_after: Vec<Option<Duration>> = vec![None; stalled.len()];
    let mut served = 0;
    while closed_after.contains(&None) && opened.elapsed() < Duration::from_secs(45) {
        // Other clients are served all along.
        server.assert_serving();
        served += 1;
        for (stream, closed) in stalled.iter_mut().zip(&mut closed_after) {
            if closed.is_none() && is_closed(stream) {
                *closed = Some(opened.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let times: Vec<Duration> = closed_after.iter().flatten().copied().collect();
    assert_eq!(
        times.len(),
        300,
        "{} of 300 stalled connections were closed",
        times.len()
    );
    let (first, last) = (times.iter().min().unwrap(), times.iter().max().unwrap());
    eprintln!(
        "300 stalled connections closed after {first:?} to {last:?}; {served} requests served meanwhile"
    );
    // A slow client still gets a fair while to send its request.
    assert!(*first >= Duration::from_secs(15), "{first:?}");
    assert!(*last <= Duration::from_secs(30), "{last:?}");

    // Ctrl-C stops serve at once, stalled connections and an open tab notwithstanding.
    let _stalled = stall(&server, 300);
    let mut tab = connect(&server);
    let request = format!(
        "GET /__serum/events HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.address
    );
    tab.write_all(request.as_bytes()).unwrap();
    let mut tab = BufReader::new(tab);
    assert!(wait_for_event(
        &mut tab,
        "hello",
        Instant::now() + Duration::from_secs(20)
    ));
    server.assert_serving();
    let (code, took) = server.interrupt();
    eprintln!("serve exited {took:?} after SIGINT");
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(3), "{took:?}");
}

/// Sends `head` and reads the answer; the server may close before it has read it all.
fn send_huge(server: &Server, head: Vec<u8>) -> Option<u16> {
    let mut stream = connect(server);
    let mut writer = stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        let _ = writer.write_all(&head);
    });
    let status = read_status(&mut stream);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    sending.join().unwrap();
    status
}

#[test]
fn a_megabyte_header_or_path_is_refused_and_the_server_keeps_serving() {
    let site = site();
    let server = Server::start(&site);
    let megabyte = "a".repeat(1 << 20);
    let header =
        format!("GET /posts/first/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {megabyte}\r\n\r\n");
    let status = send_huge(&server, header.into_bytes());
    eprintln!("a 1 MB header: {status:?}");
    assert!(matches!(status, Some(400 | 431)), "{status:?}");
    server.assert_serving();
    let path = format!("GET /{megabyte} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    let status = send_huge(&server, path.into_bytes());
    eprintln!("a 1 MB path: {status:?}");
    assert!(matches!(status, Some(400 | 414 | 431)), "{status:?}");
    server.assert_serving();
    // Many header lines, each small.
    let many: String = (0..20_000).map(|i| format!("X-H{i}: v\r\n")).collect();
    let status = send_huge(
        &server,
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{many}\r\n").into_bytes(),
    );
    eprintln!("20,000 headers: {status:?}");
    assert!(matches!(status, Some(400 | 431)), "{status:?}");
    server.assert_serving();
}

/// Raises this process's open-file limit to at least `wanted` (within the hard limit);
/// `serve`, started after, inherits it.
fn raise_open_files(wanted: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: a valid pointer to a live rlimit.
    assert_eq!(
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
        0
    );
    if limit.rlim_cur >= wanted {
        return;
    }
    limit.rlim_cur = wanted.min(limit.rlim_max);
    // SAFETY: as above.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
    assert!(
        limit.rlim_cur >= wanted,
        "the hard limit on open files is {}, under {wanted}",
        limit.rlim_max
    );
}

/// Reads server-sent events until one named `name`; false if the stream closes or `deadline`
/// passes first, so that a thousand silent tabs cannot keep the test waiting.
fn wait_for_event(reader: &mut BufReader<TcpStream>, name: &str, deadline: Instant) -> bool {
    let wanted = format!("event: {name}");
    let mut line = String::new();
    loop {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return false;
        };
        let timeout = left.max(Duration::from_millis(1));
        reader.get_ref().set_read_timeout(Some(timeout)).unwrap();
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return false,
            Ok(_) if line.trim_end() == wanted => return true,
            Ok(_) => {}
        }
    }
}

#[test]
fn a_thousand_live_reload_clients_all_get_the_reload() {
    raise_open_files(4096);
    let site = site();
    let server = Server::start(&site);
    let request = format!(
        "GET /__serum/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        server.address
    );
    let started = Instant::now();
    let mut tabs: Vec<BufReader<TcpStream>> = (0..1000)
        .map(|_| {
            let mut stream = connect(&server);
            stream.write_all(request.as_bytes()).unwrap();
            BufReader::new(stream)
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    for (i, tab) in tabs.iter_mut().enumerate() {
        assert!(
            wait_for_event(tab, "hello", deadline),
            "tab {i} got no hello"
        );
    }
    eprintln!("1000 tabs connected in {:?}", started.elapsed());
    let _site = site.write(
        "content/posts/first.md",
        "+++\ntitle = \"Edited\"\ndate = 2024-05-01\nauthor = \"ann\"\n+++\nNew text.\n",
    );
    let edited = Instant::now();
    let deadline = edited + Duration::from_secs(60);
    let missed: Vec<usize> = tabs
        .iter_mut()
        .enumerate()
        .filter_map(|(i, tab)| (!wait_for_event(tab, "reload", deadline)).then_some(i))
        .collect();
    eprintln!("1000 tabs told to reload within {:?}", edited.elapsed());
    assert!(
        missed.is_empty(),
        "{} tabs missed the reload: {missed:?}",
        missed.len()
    );
    let (_, body) = server.get("/posts/first/");
    let page = Page(scraper::Html::parse_document(&body));
    assert_eq!(page.text("h1.page-title"), "Edited");
}

#[test]
fn a_hundred_saves_in_a_second_coalesce_and_end_on_the_last() {
    let site = site();
    let server = Server::start(&site);
    let file = site.path("content/posts/first.md");
    let started = Instant::now();
    for n in 0..100 {
        let text = format!(
            "+++\ntitle = \"Save {n}\"\ndate = 2024-05-01\nauthor = \"ann\"\n+++\nSaved {n} times.\n"
        );
        std::fs::write(&file, text).unwrap();
        std::thread::sleep(Duration::from_millis(10));
    }
    let saving = started.elapsed();
    // A rebuild may read a file the editor is half-way through writing, and fail: a later
    // one, after the last save, must set it right.
    let rebuilds = server.lines_until_quiet(
        &["Rebuilt after", "Build failed after"],
        Duration::from_secs(3),
        Duration::from_secs(60),
    );
    eprintln!("100 saves in {saving:?}: {} rebuilds", rebuilds.len());
    assert!(saving < Duration::from_secs(3), "{saving:?}");
    assert!(
        (1..=8).contains(&rebuilds.len()),
        "{} rebuilds:\n{}",
        rebuilds.len(),
        rebuilds.join("\n")
    );
    let (_, body) = server.get("/posts/first/");
    let page = Page(scraper::Html::parse_document(&body));
    assert_eq!(page.text("h1.page-title"), "Save 99");
}
