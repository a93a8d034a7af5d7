//! Running `serum` under limits: a time bound, the child's peak memory, and no panic.
#![allow(dead_code)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::Run;

/// What a bounded run of serum did, and what it cost.
pub struct Bounded {
    pub run: Run,
    /// The signal that ended the process, if one did (a stack overflow aborts).
    pub signal: Option<i32>,
    pub elapsed: Duration,
    /// The child's peak resident memory, in MiB.
    pub peak_mib: u64,
}

impl Bounded {
    /// Asserts the process ended by itself, with 0 or 1, printing no panic; returns self.
    #[track_caller]
    pub fn no_panic(self) -> Self {
        assert_eq!(
            self.signal, None,
            "serum was killed by signal {:?} (a stack overflow aborts)\nstderr: {}",
            self.signal, self.run.stderr
        );
        assert!(
            matches!(self.run.status, Some(0 | 1)),
            "exit {:?}\nstderr: {}",
            self.run.status,
            self.run.stderr
        );
        assert!(
            !self.run.stderr.contains("panicked"),
            "serum panicked:\n{}",
            self.run.stderr
        );
        self
    }

    /// Asserts a successful build within `max_mib` of memory.
    #[track_caller]
    pub fn built(self, max_mib: u64) -> Self {
        let this = self.no_panic();
        assert_eq!(this.run.status, Some(0), "{}", this.run.stderr);
        this.within(max_mib)
    }

    /// Asserts exit status 1 within `max_mib` of memory; returns stderr.
    #[track_caller]
    pub fn failed(self, max_mib: u64) -> String {
        let this = self.no_panic();
        assert_eq!(this.run.status, Some(1), "{}", this.run.stdout);
        this.within(max_mib).run.stderr
    }

    #[track_caller]
    fn within(self, max_mib: u64) -> Self {
        assert!(
            self.peak_mib <= max_mib,
            "serum used {} MiB, more than {max_mib} MiB",
            self.peak_mib
        );
        self
    }
}

/// `serum ARGS` in `dir`.
pub fn serum_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_serum"));
    command.args(args).current_dir(dir);
    command
}

/// Runs a command, killing it and failing the test if it takes longer than `limit`.
#[track_caller]
// The child is reaped by wait4, which std does not know of, since it also tells peak memory.
#[allow(clippy::zombie_processes)]
pub fn run_bounded(mut command: Command, limit: Duration) -> Bounded {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serum starts");
    let collect = |mut stream: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stream.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = collect(Box::new(child.stdout.take().unwrap()));
    let stderr = collect(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    // wait4, not Child::wait: it also tells the child's peak memory.
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: rusage is plain data, and all-zero is a valid value of it.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is our own child, not yet reaped; the pointers are to live locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break (status, usage);
        }
        assert_eq!(reaped, 0, "wait4: {}", std::io::Error::last_os_error());
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let printed = stderr.join().unwrap_or_default();
            let start = (printed.len().saturating_sub(2000)..=printed.len())
                .find(|&i| printed.is_char_boundary(i))
                .unwrap_or(printed.len());
            let tail = &printed[start..];
            panic!("serum did not finish within {limit:?}; the end of its stderr:\n{tail}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let exited = libc::WIFEXITED(status);
    Bounded {
        run: Run {
            status: exited.then(|| libc::WEXITSTATUS(status)),
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        },
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        elapsed,
        // Linux counts ru_maxrss in KiB.
        peak_mib: usage.ru_maxrss as u64 / 1024,
    }
}
